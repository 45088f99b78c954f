//! End to end with the bundled sample project (Landkreis Musterland): the command line
//! (`compute`, `init`, `--set`), the committed `sample-data/`, hash-change warnings and the
//! accounting of every row from the file to its status in the analysis.
//!
//! The Kreis Düren Produkttheorie check lives in the unit tests of `analysis::compute`.

// unwrap/expect are fine in tests (helpers outside #[test] are not covered by clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kdu_konzept::analysis::{self, prepare::RecordStatus};
use kdu_konzept::dataset::LoadedProject;
use kdu_konzept::model::params::apply_override;
use kdu_konzept::model::{Project, Reason};
use kdu_konzept::sample::{
    ANGEBOTE_SHEET, BESTAND_SHEET, GEMEINDEN_SHEET, NEUVERTRAG_SHEET, SAMPLE_SEED,
    SAMPLE_VERGLEICHSRAEUME, write_sample_data,
};
use kdu_konzept::sample_project::{SAMPLE_PROJECT_FILE, write_sample_project};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The sample project, generated once per test binary (read-only for the tests using it).
fn sample() -> &'static (tempfile::TempDir, PathBuf) {
    static SAMPLE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let project = write_sample_project(dir.path()).unwrap();
        (dir, project)
    })
}

fn sample_project() -> &'static Path {
    &sample().1
}

fn bin(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kdu-konzept"))
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `compute PROJECT --json - [--set …]` → the cells of the JSON object; fails on a non-zero exit.
fn compute_json(project: &Path, sets: &[&str]) -> Vec<Value> {
    let mut args = vec!["compute", project.to_str().unwrap(), "--json", "-"];
    for s in sets {
        args.push("--set");
        args.push(s);
    }
    let out = bin(&args);
    assert!(
        out.status.success(),
        "compute {sets:?} failed: {}",
        text(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    // The effective parameters are part of the result, with every --set applied.
    let params: kdu_konzept::model::Parameters =
        serde_json::from_value(v["parameters"].clone()).expect("parameters");
    let mut expected = LoadedProject::load(project, &mut |_, _, _| true)
        .expect("project")
        .project
        .parameters;
    for s in sets {
        expected = kdu_konzept::model::params::apply_override(&expected, s).expect("--set");
    }
    assert_eq!(params, expected, "parameters in the JSON");
    v["cells"]
        .as_array()
        .expect("a JSON array of cells")
        .clone()
}

fn f(v: &Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} is not a number: {v}"))
}

const KEYS: [&str; 12] = [
    "vergleichsraum",
    "household_size",
    "n",
    "n_outliers_low",
    "n_outliers_high",
    "net_rent_per_m2",
    "area_m2",
    "operating_costs_per_m2",
    "limit_net_cold",
    "limit_operating_costs",
    "limit_gross_cold",
    "flags",
];

#[test]
fn compute_json_table() {
    let cells = compute_json(sample_project(), &[]);
    assert_eq!(cells.len(), 15, "3 Vergleichsräume × 5 household sizes");
    let mut seen = BTreeSet::new();
    for (i, c) in cells.iter().enumerate() {
        for k in KEYS {
            assert!(c.get(k).is_some(), "key {k} missing in {c}");
        }
        let vr = c["vergleichsraum"].as_str().unwrap();
        let hh = c["household_size"].as_u64().unwrap();
        assert_eq!(vr, SAMPLE_VERGLEICHSRAEUME[i / 5]);
        assert_eq!(hh, (i % 5 + 1) as u64);
        assert!(seen.insert((vr.to_string(), hh)));
        assert_eq!(f(c, "area_m2"), [50.0, 65.0, 80.0, 95.0, 110.0][i % 5]);
        assert!(c["n"].as_u64().unwrap() > 0, "{c}");
        assert!(c["flags"].is_array());
        let nkm = f(c, "net_rent_per_m2");
        let bk = f(c, "operating_costs_per_m2");
        assert!((3.0..15.0).contains(&nkm), "{c}");
        assert!((1.0..3.5).contains(&bk), "{c}");
        // Produkttheorie: limit = area × €/m², Bruttokalt = NKM + BK (cents).
        let area = f(c, "area_m2");
        let cents = |x: f64| (x * 100.0).round();
        assert_eq!(cents(f(c, "limit_net_cold")), cents(area * nkm), "{c}");
        assert_eq!(
            cents(f(c, "limit_operating_costs")),
            cents(area * bk),
            "{c}"
        );
        assert_eq!(
            cents(f(c, "limit_gross_cold")),
            cents(f(c, "limit_net_cold")) + cents(f(c, "limit_operating_costs")),
            "{c}"
        );
    }
    // The same numbers as the library computes.
    let lp = LoadedProject::load(sample_project(), &mut |_, _, _| true).unwrap();
    let (_, a) = analysis::run(&lp.project, &lp.data);
    for (j, c) in cells.iter().zip(&a.cells) {
        assert_eq!(j["n"], c.n);
        assert_eq!(j["net_rent_per_m2"].as_f64(), c.net_rent_per_m2);
        assert_eq!(
            j["limit_gross_cold"].as_f64(),
            c.limits.map(|l| l.gross_cold)
        );
    }
}

#[test]
fn compute_text_table() {
    let out = bin(&["compute", sample_project().to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let t = text(&out.stdout);
    assert!(t.contains("Landkreis Musterland"), "{t}");
    assert!(t.contains("Bruttokalt"), "{t}");
    for vr in SAMPLE_VERGLEICHSRAEUME {
        assert!(t.contains(vr), "{vr} missing: {t}");
    }
    assert!(t.contains("Datengrundlage:"), "{t}");
}

#[test]
fn higher_percentile_raises_every_limit() {
    let ps = ["0.20", "0.33", "0.40", "0.50", "0.67"];
    let tables: Vec<Vec<Value>> = ps
        .iter()
        .map(|p| compute_json(sample_project(), &[&format!("percentile={p}")]))
        .collect();
    // The default is 0.33.
    assert_eq!(tables[1], compute_json(sample_project(), &[]));
    let at_033 = &tables[1];
    let at_040 = &tables[2];
    for (a, b) in at_033.iter().zip(at_040) {
        assert!(
            f(b, "limit_net_cold") > f(a, "limit_net_cold"),
            "P40 ≤ P33: {a} {b}"
        );
        assert!(f(b, "limit_gross_cold") > f(a, "limit_gross_cold"));
        // BK do not depend on the percentile; outliers neither.
        assert_eq!(b["limit_operating_costs"], a["limit_operating_costs"]);
        assert_eq!(b["n"], a["n"]);
    }
    // Monotone in p over the whole range.
    for w in tables.windows(2) {
        for (a, b) in w[0].iter().zip(&w[1]) {
            for key in ["net_rent_per_m2", "limit_net_cold", "limit_gross_cold"] {
                assert!(f(b, key) >= f(a, key), "{key}: {a} {b}");
            }
        }
    }
    // `--set` gives what `apply_override` gives in the library.
    let mut lp = LoadedProject::load(sample_project(), &mut |_, _, _| true).unwrap();
    lp.project.parameters = apply_override(&lp.project.parameters, "percentile=0.40").unwrap();
    let (_, a) = analysis::run(&lp.project, &lp.data);
    for (j, c) in at_040.iter().zip(&a.cells) {
        assert_eq!(j["limit_net_cold"].as_f64(), c.limits.map(|l| l.net_cold));
    }
    // Long form and other parameters work as well.
    assert_eq!(
        compute_json(sample_project(), &["reference.percentile=0.40"]),
        *at_040
    );
    let k2 = compute_json(
        sample_project(),
        &["outliers.k=2.5", "rounding.mode=euro_up"],
    );
    for c in &k2 {
        let g = f(c, "limit_gross_cold");
        assert_eq!(g, g.round(), "euro_up gives whole euros: {c}");
    }
}

#[test]
fn invalid_set_is_a_german_error() {
    let project = sample_project().to_str().unwrap();
    for (set, words) in [
        ("nonsense=1", &["unbekannt", "nonsense"][..]),
        ("reference.nonsense=1", &["unbekannt"][..]),
        ("percentile=abc", &["ungültig", "reference.percentile"][..]),
        ("outliers.method=zufall", &["ungültig"][..]),
        (
            "percentile=1.5",
            &["ungültig", "größer als 0 und kleiner als 1"][..],
        ),
        ("outliers.k=-1", &["ungültig", "Faktor k"][..]),
        ("min_n=0", &["ungültig"][..]),
        ("quantile_type=12", &["ungültig"][..]),
        ("availability.target_share=0", &["ungültig"][..]),
        ("percentile", &["erwartet SCHLÜSSEL=WERT"][..]),
    ] {
        let out = bin(&["compute", project, "--set", set]);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "--set {set}: exit code");
        assert!(err.starts_with("Fehler:"), "--set {set}: {err}");
        assert!(err.contains("--set"), "{err}");
        for w in words {
            assert!(err.contains(w), "--set {set}: „{w}“ missing in {err}");
        }
        assert!(!err.contains("panicked"), "{err}");
        assert!(out.stdout.is_empty(), "no table on error");
    }
}

#[test]
fn init_on_sample_files_computes_the_same_table() {
    let dir = tempfile::tempdir().unwrap();
    let files = write_sample_data(dir.path(), SAMPLE_SEED).unwrap();
    let project = dir.path().join("neu.kdu.toml");
    let p = |x: &Path| x.to_str().unwrap().to_string();
    let args = [
        "init".to_string(),
        p(&project),
        "--source".into(),
        p(&files.bestand),
        "--source".into(),
        p(&files.neuvertrag),
        "--source".into(),
        p(&files.angebote),
        "--kind".into(),
        "bestand".into(),
        "--kind".into(),
        "neuvertrag".into(),
        "--kind".into(),
        "angebot".into(),
        "--gemeinden".into(),
        p(&files.gemeinden),
        "--land".into(),
        "NW".into(),
        "--stichtag".into(),
        "2025-01-01".into(),
    ];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = bin(&args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let msg = text(&out.stdout);
    assert!(msg.contains("angelegt"), "{msg}");
    assert!(msg.contains("3 Quellen"), "{msg}");
    assert!(msg.contains("3 Vergleichsräume"), "{msg}");
    let created = Project::load(&project).unwrap();
    let bundled = Project::load(sample_project()).unwrap();
    assert_eq!(created.gemeinden, bundled.gemeinden);
    assert_eq!(
        created.vergleichsraum_names(),
        bundled.vergleichsraum_names()
    );
    for (a, b) in created.sources.iter().zip(&bundled.sources) {
        assert_eq!(a.path, b.path, "relative to the project file");
        assert_eq!(a.mapping, b.mapping);
        assert_eq!(a.sha256, b.sha256);
        assert_eq!(a.kind, b.kind);
    }
    assert_eq!(
        compute_json(&project, &[]),
        compute_json(sample_project(), &[])
    );
    // An unknown kind is a German error.
    let out = bin(&[
        "init",
        dir.path().join("x.kdu.toml").to_str().unwrap(),
        "--source",
        files.bestand.to_str().unwrap(),
        "--kind",
        "miete",
    ]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.starts_with("Fehler:") && err.contains("Unbekannte Datenart"),
        "{err}"
    );
}

#[test]
fn committed_sample_data_equals_fresh_generation() {
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
    if !committed.join(SAMPLE_PROJECT_FILE).is_file() {
        eprintln!(
            "NOTE: {} has no {SAMPLE_PROJECT_FILE}; the byte-for-byte comparison is skipped until \
             sample-data/ is committed (`kdu-konzept sample-data`).",
            committed.display()
        );
        return;
    }
    let fresh = sample().0.path();
    let names = [
        BESTAND_SHEET.file_name,
        NEUVERTRAG_SHEET.file_name,
        ANGEBOTE_SHEET.file_name,
        GEMEINDEN_SHEET.file_name,
        SAMPLE_PROJECT_FILE,
    ];
    let mut stale = Vec::new();
    for name in names {
        let a = std::fs::read(committed.join(name))
            .unwrap_or_else(|e| panic!("sample-data/{name}: {e}"));
        let b = std::fs::read(fresh.join(name)).unwrap();
        if a != b {
            stale.push(name);
        }
    }
    assert!(
        stale.is_empty(),
        "sample-data/ differs from a fresh generation in {stale:?}; regenerate with \
         `cargo run -- sample-data sample-data` and commit"
    );
}

#[test]
fn changed_source_file_warns_with_both_hashes() {
    let dir = tempfile::tempdir().unwrap();
    let project = write_sample_project(dir.path()).unwrap();
    let saved = Project::load(&project).unwrap();
    let old_hash = saved.sources[0].sha256.clone();
    assert_eq!(old_hash.len(), 64);
    // No warning while nothing changed.
    let lp = LoadedProject::load(&project, &mut |_, _, _| true).unwrap();
    assert!(lp.warnings.is_empty(), "{:?}", lp.warnings);
    // Replace the Bestand workbook by one generated with another seed.
    let other = tempfile::tempdir().unwrap();
    let files = write_sample_data(other.path(), SAMPLE_SEED + 1).unwrap();
    std::fs::copy(&files.bestand, dir.path().join(BESTAND_SHEET.file_name)).unwrap();
    let new_hash = kdu_konzept::import::file_sha256(&files.bestand).unwrap();
    assert_ne!(new_hash, old_hash);
    let lp = LoadedProject::load(&project, &mut |_, _, _| true).unwrap();
    assert_eq!(lp.warnings.len(), 1, "{:?}", lp.warnings);
    let w = &lp.warnings[0];
    assert!(w.contains(BESTAND_SHEET.file_name), "{w}");
    assert!(w.contains("geändert"), "{w}");
    assert!(w.contains(&old_hash), "old hash missing: {w}");
    assert!(w.contains(&new_hash), "new hash missing: {w}");
    assert!(
        w.find(&old_hash) < w.find(&new_hash),
        "saved hash first: {w}"
    );
    // The command line still computes and shows the warning on stderr.
    let out = bin(&["compute", project.to_str().unwrap(), "--json", "-"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("Warnung:"), "{err}");
    assert!(err.contains(&old_hash) && err.contains(&new_hash), "{err}");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["cells"].as_array().unwrap().len(), 15);
}

#[test]
fn every_row_is_accounted_for() {
    let lp = LoadedProject::load(sample_project(), &mut |_, _, _| true).unwrap();
    let data = &lp.data;
    assert_eq!(data.sources.len(), 3);
    // Per source: rows = records + rejections.
    for (i, s) in data.sources.iter().enumerate() {
        let records = data
            .records
            .iter()
            .filter(|r| usize::from(r.source) == i)
            .count();
        let rejections = data
            .rejections
            .iter()
            .filter(|r| usize::from(r.source) == i)
            .count();
        assert_eq!(s.accepted, records, "{}", s.import.file_name);
        assert_eq!(
            s.import.rows_total,
            records + rejections,
            "{}",
            s.import.file_name
        );
        assert!(records > 0);
    }
    let delivered: usize = data.sources.iter().map(|s| s.import.rows_total).sum();
    assert_eq!(delivered, data.records.len() + data.rejections.len());
    // The sample data carry deliberate defects: some rows are rejected, each with a reason.
    assert!(!data.rejections.is_empty());
    for r in &data.rejections {
        assert!(r.line > 1, "{r:?}");
        assert!(!r.reason.code().is_empty());
    }
    // Every record has a status: in a cell, or excluded with a reason.
    let (prep, a) = analysis::run(&lp.project, data);
    assert_eq!(prep.status.len(), data.records.len());
    let mut in_cells: BTreeMap<(u16, u8), BTreeSet<u32>> = BTreeMap::new();
    let mut excluded: BTreeMap<Reason, usize> = BTreeMap::new();
    for (i, s) in prep.status.iter().enumerate() {
        match s {
            RecordStatus::InCell { vr, class } => {
                in_cells.entry((*vr, *class)).or_default().insert(i as u32);
            }
            RecordStatus::Excluded(reason) => *excluded.entry(*reason).or_insert(0) += 1,
        }
    }
    // The cells hold exactly the records with status InCell, each once.
    for vr in 0..prep.vr_names.len() {
        for class in 0..prep.classes {
            let cell = prep.cell(vr, class).unwrap();
            let ids: BTreeSet<u32> = cell.records.iter().copied().collect();
            assert_eq!(ids.len(), cell.records.len(), "duplicates in a cell");
            let expected = in_cells
                .remove(&(vr as u16, class as u8))
                .unwrap_or_default();
            assert_eq!(ids, expected, "cell {vr}/{class}");
            assert!(cell.values.windows(2).all(|w| w[0] <= w[1]), "sorted");
        }
    }
    assert!(in_cells.is_empty(), "records in no cell: {in_cells:?}");
    // Offers are excluded from the Referenzmiete with a reason; the funnel adds up.
    assert!(excluded.get(&Reason::KindNotUsed).copied().unwrap_or(0) > 0);
    let f = &a.funnel;
    assert_eq!(f.delivered, delivered);
    assert_eq!(f.records, data.records.len());
    assert_eq!(f.in_cells + f.excluded.values().sum::<usize>(), f.records);
    assert_eq!(f.excluded, excluded);
    assert_eq!(f.used + f.outliers_low + f.outliers_high, f.in_cells);
    assert_eq!(
        f.import_rejected.values().sum::<usize>(),
        data.rejections.len()
    );
    assert_eq!(a.cells.iter().map(|c| c.n).sum::<usize>(), f.used);
}

#[test]
fn set_writes_validated_parameters_into_the_project_file() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("musterland.kdu.toml");
    std::fs::copy(sample_project(), &project).unwrap();
    let p = project.to_str().unwrap();
    let out = bin(&[
        "set",
        p,
        "percentile=0,40",
        "scope.contract_window_years=aus",
        "availability.window_months=keine",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Perzentil p (reference.percentile) = 0,40"));
    let saved = kdu_konzept::model::Project::load(&project).unwrap();
    assert_eq!(saved.parameters.reference.percentile, 0.40);
    assert_eq!(saved.parameters.scope.contract_window_years, None);
    assert_eq!(saved.parameters.availability.window_months, None);
    // An invalid value changes nothing and exits with code 2.
    let before = std::fs::read(&project).unwrap();
    let out = bin(&["set", p, "percentile=0.5", "outliers.k=-1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("Faktor k"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read(&project).unwrap(), before);
}
