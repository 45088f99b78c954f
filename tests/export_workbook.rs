//! The Begründungsmappe: both variants built from a small synthetic project, read back with
//! calamine; deterministic bytes; atomic writing.

// The helpers below are test code too, but outside `#[test]` functions clippy cannot tell.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use calamine::{Data, Reader, open_workbook_auto};
use kdu_konzept::analysis::Analysis;
use kdu_konzept::analysis::prepare::Prepared;
use kdu_konzept::dataset::{Dataset, LoadedProject};
use kdu_konzept::export::{
    ExportError, ExportOptions, Variant, method_text, workbook_bytes, write_workbook,
};
use kdu_konzept::model::project::{GemeindeRow, SourceSpec, VergleichsraumSpec};
use kdu_konzept::model::{Date, Project, Record, SourceKind};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A small deterministic generator (no external crates needed).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 11) as f64) / ((1u64 << 53) as f64)
    }
}

/// Two Vergleichsräume, four Gemeinden (one without data), five household sizes; the cell
/// "Süd, 5 Personen" has only 8 values (below min_n = 30), a few outliers, excluded (furnished,
/// undated) and offer records, records without BK and with lift.
fn project() -> LoadedProject {
    let stichtag = Date::from_ymd(2025, 1, 1).unwrap();
    let mut p = Project::new("Testkreis", stichtag);
    p.project.traeger = "Jobcenter Testkreis".into();
    p.project.gebiet = "Testkreis & Umgebung".into();
    p.project.erstellt = Some(Date::from_ymd(2025, 2, 3).unwrap());
    p.project.gueltig_ab = Some(stichtag);
    p.project.salt = "test-salz".into();
    p.vergleichsraeume = vec![
        VergleichsraumSpec {
            name: "Nord".into(),
            begruendung: "Mittelbereich Nordstadt, ÖPNV unter 30 Minuten.".into(),
            ohne_konzept: false,
        },
        VergleichsraumSpec {
            name: "Süd".into(),
            begruendung: "Mittelbereich Südheim.".into(),
            ohne_konzept: false,
        },
    ];
    let gem = |ags: &str, name: &str, vr: &str, ew: u32, mw: u32| GemeindeRow {
        ags: ags.into(),
        name: name.into(),
        vergleichsraum: vr.into(),
        einwohner: Some(ew),
        mietwohnungen: Some(mw),
        mietstufe: Some(3),
    };
    p.gemeinden = vec![
        gem("05999001", "Nordstadt", "Nord", 40_000, 9_000),
        gem("05999002", "Nordhausen", "Nord", 12_000, 2_500),
        gem("05999003", "Südheim", "Süd", 25_000, 6_000),
        gem("05999004", "Leerdorf", "Süd", 1_500, 200),
    ];
    p.sources = vec![SourceSpec {
        path: "daten/bestand.xlsx".into(),
        sheet: Some("Daten".into()),
        header_row: Some(1),
        kind: SourceKind::Bestand,
        sha256: "ab12".repeat(16),
        lieferant: "Vermieterbefragung".into(),
        methode: "Vollerhebung".into(),
        stichtag: Some(stichtag),
        zeitraum_von: None,
        zeitraum_bis: None,
        mapping: BTreeMap::new(),
        annual: BTreeSet::new(),
    }];
    p.justifications.insert(
        "reference.percentile".into(),
        "Nachfrageanteil im unteren Segment etwa ein Drittel.".into(),
    );

    let mut rng = Lcg(42);
    let mut records = Vec::new();
    let mut line = 2u32;
    let areas = [50.0, 65.0, 80.0, 95.0, 110.0];
    let gemeinden = [("05999001", 0.0), ("05999002", 0.2), ("05999003", -0.4)];
    for (gi, (ags, level)) in gemeinden.iter().enumerate() {
        for class in 0..5 {
            // Süd (only Südheim) gets few values in the 5-person class.
            let n = if gi == 2 && class == 4 {
                8
            } else {
                [70, 45, 60][gi] - 5 * class
            };
            let lower = if class == 0 { 25.0 } else { areas[class - 1] };
            for k in 0..n {
                let area = (lower + 0.5 + rng.next() * (areas[class] - lower - 0.5) * 0.99).round();
                let area = area.min(areas[class]).max(lower + 1.0);
                let mut per_m2 = 6.0 + level - 0.15 * class as f64 + rng.next() * 2.2;
                if k == 3 {
                    per_m2 += 6.0; // high outlier
                }
                let rent = (area * per_m2 * 100.0).round() / 100.0;
                let mut r = Record::new(0, line, SourceKind::Bestand, rent, area);
                line += 1;
                r.ags = Some((*ags).to_string());
                if k % 7 != 0 {
                    r.operating_costs =
                        Some((area * (1.6 + rng.next() * 1.2) * 100.0).round() / 100.0);
                }
                r.lift = Some(k % 3 == 0);
                r.welfare = Some(k % 5 == 0);
                // Contracts of the last four years; a few without any date are excluded.
                if k % 13 != 12 {
                    r.contract_start =
                        Date::from_ymd(2021 + (k % 4) as i32, 1 + (k % 12) as u32, 1);
                }
                if k % 11 == 5 {
                    r.furnished = Some(true);
                }
                records.push(r);
            }
        }
    }
    // Offers (not used for the reference rent) and a record of an unknown Gemeinde.
    for k in 0..10 {
        let mut r = Record::new(0, line, SourceKind::Angebot, 400.0 + f64::from(k), 55.0);
        r.ags = Some("05999001".into());
        records.push(r);
        line += 1;
    }
    let mut stranger = Record::new(0, line, SourceKind::Bestand, 500.0, 60.0);
    stranger.gemeinde = Some("Anderswo".into());
    records.push(stranger);
    let data = Dataset {
        records,
        rejections: vec![],
        sources: vec![],
        ..Dataset::default()
    };
    LoadedProject {
        path: PathBuf::from("/irgendwo/testkreis.kdu.toml"),
        project: p,
        data,
        warnings: vec![],
    }
}

fn run(lp: &LoadedProject) -> (Prepared, Analysis) {
    kdu_konzept::analysis::run(&lp.project, &lp.data)
}

fn opts(variant: Variant) -> ExportOptions {
    ExportOptions {
        variant,
        include_ids: false,
    }
}

fn export_to(dir: &Path, name: &str, lp: &LoadedProject, o: &ExportOptions) -> PathBuf {
    let (prep, an) = run(lp);
    let path = dir.join(name);
    write_workbook(&path, lp, &prep, &an, o).unwrap();
    path
}

type Sheets = calamine::Sheets<std::io::BufReader<std::fs::File>>;

fn open(path: &Path) -> Sheets {
    open_workbook_auto(path).unwrap()
}

fn text(d: Option<&Data>) -> String {
    match d {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Float(f)) => f.to_string(),
        Some(Data::Int(i)) => i.to_string(),
        Some(other) => format!("{other:?}"),
        None => String::new(),
    }
}

fn num(d: Option<&Data>) -> Option<f64> {
    match d {
        Some(Data::Float(f)) => Some(*f),
        Some(Data::Int(i)) => Some(*i as f64),
        _ => None,
    }
}

/// Finds the Richtwerte row of (Vergleichsraum, Haushalt text).
fn find_row(range: &calamine::Range<Data>, vr: &str, hh: &str) -> u32 {
    let (h, _) = range.end().unwrap();
    (0..=h)
        .find(|&r| text(range.get_value((r, 0))) == vr && text(range.get_value((r, 1))) == hh)
        .unwrap_or_else(|| panic!("Zeile {vr} / {hh} fehlt"))
}

fn close_cent(a: Option<f64>, b: f64, what: &str) {
    let a = a.unwrap_or_else(|| panic!("{what}: keine Zahl"));
    assert!((a - b).abs() < 0.005, "{what}: {a} ≠ {b}");
}

fn persons(h: u32) -> String {
    if h == 1 {
        "1 Person".into()
    } else {
        format!("{h} Personen")
    }
}

#[test]
fn pruefmappe_has_every_sheet_and_limits_to_the_cent() {
    let lp = project();
    let (_, an) = run(&lp);
    let dir = tempfile::tempdir().unwrap();
    let path = export_to(dir.path(), "pruef.xlsx", &lp, &opts(Variant::Pruefmappe));
    let mut wb = open(&path);
    let names = wb.sheet_names();
    for s in [
        "Deckblatt",
        "Richtwerte",
        "BSG-Prüfkatalog",
        "Parameter",
        "Vergleichsräume",
        "Datengrundlage",
        "Bereinigung",
        "Extremwerte",
        "Verteilungen",
        "Histogramme",
        "Betriebskosten",
        "WoGG-Vergleich",
        "Methodentext",
        "Protokoll",
        "Werte",
        "BK-Werte",
    ] {
        assert!(names.iter().any(|n| n == s), "Blatt {s} fehlt: {names:?}");
    }
    for s in &names {
        let range = wb.worksheet_range(s).unwrap();
        assert!(range.get_size().0 > 1, "Blatt {s} ist leer");
    }

    // Richtwerte equal the analysis to the cent, and are formulas.
    let rw = wb.worksheet_range("Richtwerte").unwrap();
    let formulas = wb.worksheet_formula("Richtwerte").unwrap();
    let mut checked = 0;
    // Without offers no cell shows availability: every cell is on the fallback, which adds the
    // column of the applied limit before n.
    assert!(an.cells.iter().all(|c| !c.valid));
    let n_col = (0..30u32)
        .find(|&c| text(rw.get_value((3, c))) == "Fallzahl n")
        .expect("Spalte „Fallzahl n“");
    for c in &an.cells {
        let r = find_row(&rw, &c.vergleichsraum, &persons(c.household_size));
        assert_eq!(num(rw.get_value((r, 2))), Some(c.area_m2));
        let Some(l) = c.limits else { continue };
        close_cent(
            num(rw.get_value((r, 3))),
            c.net_rent_per_m2.unwrap(),
            "NKM €/m²",
        );
        close_cent(num(rw.get_value((r, 4))), l.net_cold, "NKM €");
        close_cent(
            num(rw.get_value((r, 5))),
            c.operating_costs_per_m2.unwrap(),
            "BK €/m²",
        );
        close_cent(num(rw.get_value((r, 6))), l.operating_costs, "BK €");
        close_cent(num(rw.get_value((r, 7))), l.gross_cold, "BKM");
        assert_eq!(num(rw.get_value((r, n_col))), Some(c.n as f64));
        let f_nkm = formulas.get_value((r, 3)).cloned().unwrap_or_default();
        assert!(
            f_nkm.contains("PERCENTILE.INC(") && f_nkm.contains("KdU_p_Referenz"),
            "{f_nkm}"
        );
        let f_bkm = formulas.get_value((r, 7)).cloned().unwrap_or_default();
        assert!(f_bkm.starts_with("ROUND("), "{f_bkm}");
        checked += 1;
    }
    assert_eq!(
        checked,
        an.cells.len(),
        "every cell has limits in this data set"
    );
    for v in &an.vergleichsraeume {
        let r = find_row(&rw, &v.name, "je weitere Person");
        let l = v.further_person.unwrap();
        close_cent(num(rw.get_value((r, 2))), v.further_area_m2, "Fläche +1");
        close_cent(num(rw.get_value((r, 7))), l.gross_cold, "BKM +1");
    }

    // The value sheet holds every in-cell value, with pseudonyms only.
    let werte = wb.worksheet_range("Werte").unwrap();
    let n_values = werte
        .cells()
        .filter(|(r, _, d)| *r >= 5 && matches!(d, Data::Float(_)))
        .count();
    assert_eq!(n_values, an.funnel.in_cells);
    let ids: Vec<String> = werte
        .cells()
        .filter_map(|(r, _, d)| match d {
            Data::String(s) if r >= 5 => Some(s.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(ids.len(), an.funnel.in_cells);
    assert!(
        ids.iter().all(|s| s.starts_with("P-") && s.len() == 14),
        "{:?}",
        &ids[..3]
    );

    // Parameter sheet: every parameter and the names.
    let par = wb.worksheet_range("Parameter").unwrap();
    let keys: Vec<String> = par.rows().map(|r| text(r.first())).collect();
    for k in [
        "reference.percentile",
        "outliers.k",
        "quantile_type",
        "min_n",
        "wohnflaechen.sizes[5]",
    ] {
        assert!(keys.iter().any(|x| x == k), "Parameter {k} fehlt");
    }
    let names: Vec<String> = wb.defined_names().iter().map(|(n, _)| n.clone()).collect();
    for n in [
        "KdU_Perzentil",
        "KdU_p_Referenz",
        "KdU_Ausreisser_k",
        "KdU_Quantiltyp",
        "KdU_Wfl_1P",
    ] {
        assert!(names.iter().any(|x| x == n), "Name {n} fehlt: {names:?}");
    }
    let just = par
        .rows()
        .find(|r| text(r.first()) == "reference.percentile")
        .map(|r| text(r.get(6)))
        .unwrap();
    assert!(just.contains("Nachfrageanteil"), "{just}");

    // Bereinigung lists excluded rows with row numbers (Prüfmappe only).
    let ber = wb.worksheet_range("Bereinigung").unwrap();
    assert!(
        ber.rows()
            .any(|r| text(r.first()).starts_with("Ausgeschlossene Zeilen"))
    );
    assert!(ber.rows().any(|r| text(r.get(2)) == "furnished"));
    assert!(ber.rows().any(|r| text(r.get(2)) == "outlier_high"));

    // WoGG comparison: Mietstufe III, 2025, 1 person: 456 × 1,1 + 19,20 = 520,80 €.
    let wogg = wb.worksheet_range("WoGG-Vergleich").unwrap();
    let rw1 = find_row(&wogg, "Nord", "1 Person");
    close_cent(num(wogg.get_value((rw1, 5))), 520.80, "WoGG-Grenze");

    // Deckblatt: program version and fingerprint.
    let deck = wb.worksheet_range("Deckblatt").unwrap();
    let all: String = deck.cells().map(|(_, _, d)| text(Some(d)) + "\n").collect();
    assert!(all.contains(env!("CARGO_PKG_VERSION")));
    assert!(all.contains("Jobcenter Testkreis"));
    assert!(all.contains("03.02.2025") || all.contains("01.01.2025"));
}

#[test]
fn veroeffentlichung_has_aggregates_only_and_suppresses_small_cells() {
    let lp = project();
    let (_, an) = run(&lp);
    let small = an
        .cells
        .iter()
        .find(|c| c.vergleichsraum == "Süd" && c.household_size == 5)
        .unwrap();
    assert!(
        small.n < lp.project.parameters.min_n,
        "test data: small cell n = {}",
        small.n
    );
    let dir = tempfile::tempdir().unwrap();
    let path = export_to(
        dir.path(),
        "oeffentlich.xlsx",
        &lp,
        &opts(Variant::Veroeffentlichung),
    );
    let mut wb = open(&path);
    let names = wb.sheet_names();
    assert!(
        !names.iter().any(|n| n == "Werte" || n == "BK-Werte"),
        "{names:?}"
    );

    let rw = wb.worksheet_range("Richtwerte").unwrap();
    let r = find_row(&rw, "Süd", "5 Personen");
    for c in [3, 4, 7] {
        assert_eq!(
            text(rw.get_value((r, c))),
            "–",
            "Spalte {c} nicht unterdrückt"
        );
    }
    // "Je weitere Person" uses the suppressed cell's €/m² and is suppressed too.
    let r1 = find_row(&rw, "Süd", "je weitere Person");
    assert_eq!(text(rw.get_value((r1, 7))), "–");
    // Large cells are shown with the program's values.
    let big = an.cells.iter().find(|c| c.n >= 30).unwrap();
    let rb = find_row(&rw, &big.vergleichsraum, &persons(big.household_size));
    close_cent(
        num(rw.get_value((rb, 7))),
        big.limits.unwrap().gross_cold,
        "BKM",
    );
    let footnote = rw
        .cells()
        .any(|(_, _, d)| text(Some(d)).contains("nicht ausgewiesen"));
    assert!(footnote, "Fußnote fehlt");

    // No microdata anywhere: no pseudonyms, no row list, no minima/maxima.
    for s in &names {
        let range = wb.worksheet_range(s).unwrap();
        for (_, _, d) in range.cells() {
            let t = text(Some(d));
            assert!(
                !(t.starts_with("P-") && t.len() == 14),
                "Pseudonym in {s}: {t}"
            );
            assert!(
                !t.starts_with("Ausgeschlossene Zeilen"),
                "Zeilenliste in {s}"
            );
        }
    }
    let vt = wb.worksheet_range("Verteilungen").unwrap();
    let rv = find_row(&vt, &big.vergleichsraum, &persons(big.household_size));
    assert_eq!(text(vt.get_value((rv, 6))), "–", "Minimum ausgewiesen");
    assert_eq!(text(vt.get_value((rv, 16))), "–", "Maximum ausgewiesen");
    assert!(num(vt.get_value((rv, 11))).is_some(), "P50 fehlt");
    let rs = find_row(&vt, "Süd", "5 Personen");
    assert_eq!(
        text(vt.get_value((rs, 11))),
        "–",
        "kleines Feld nicht unterdrückt"
    );
}

#[test]
fn bytes_are_deterministic() {
    let lp = project();
    let (prep, an) = run(&lp);
    for v in [Variant::Pruefmappe, Variant::Veroeffentlichung] {
        let a = workbook_bytes(&lp, &prep, &an, &opts(v)).unwrap();
        let (prep2, an2) = run(&lp);
        let b = workbook_bytes(&lp, &prep2, &an2, &opts(v)).unwrap();
        assert!(a == b, "{v:?}: zwei Exporte unterscheiden sich");
    }
    let a = workbook_bytes(&lp, &prep, &an, &opts(Variant::Pruefmappe)).unwrap();
    let b = workbook_bytes(&lp, &prep, &an, &opts(Variant::Veroeffentlichung)).unwrap();
    assert!(a != b);
}

#[test]
fn include_ids_writes_source_and_row() {
    let lp = project();
    let dir = tempfile::tempdir().unwrap();
    let o = ExportOptions {
        variant: Variant::Pruefmappe,
        include_ids: true,
    };
    let path = export_to(dir.path(), "ids.xlsx", &lp, &o);
    let mut wb = open(&path);
    let werte = wb.worksheet_range("Werte").unwrap();
    let first = text(werte.get_value((5, 0)));
    assert!(first.starts_with("Q1-Z"), "{first}");
}

#[test]
fn method_text_names_numbers_and_defaults() {
    let lp = project();
    let (_, an) = run(&lp);
    let text = method_text(&lp, &an).join("\n");
    assert!(text.contains("33 %-Perzentil"), "{text}");
    assert!(text.contains("Jobcenter Testkreis"));
    assert!(text.contains("Voreinstellung"));
    assert!(text.contains("Typ 7"));
    assert!(text.contains("1,96"), "German number format");
    assert!(text.contains("Nachfrageanteil"), "justification quoted");
}

#[test]
fn variant_codes() {
    assert_eq!(Variant::parse("pruefmappe"), Some(Variant::Pruefmappe));
    assert_eq!(
        Variant::parse("Veröffentlichung"),
        Some(Variant::Veroeffentlichung)
    );
    assert_eq!(Variant::parse("x"), None);
    assert_eq!(Variant::Pruefmappe.german(), "Prüfmappe");
    assert!(!ExportOptions::default().include_ids);
}

#[test]
fn missing_folder_is_reported_in_german() {
    let lp = project();
    let (prep, an) = run(&lp);
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("fehlt").join("mappe.xlsx");
    let err = write_workbook(&target, &lp, &prep, &an, &opts(Variant::Pruefmappe)).unwrap_err();
    assert!(matches!(err, ExportError::FolderMissing { .. }), "{err:?}");
    assert!(
        err.to_string().contains("Zielordner existiert nicht"),
        "{err}"
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

/// Makes a folder unwritable for this process: `chmod 555`, and where that does not stop
/// the process (root), the immutable attribute. Undone on drop.
struct ReadOnlyDir {
    path: PathBuf,
    immutable: bool,
}

impl ReadOnlyDir {
    fn new(path: &Path) -> Option<ReadOnlyDir> {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o555)).unwrap();
        let mut guard = ReadOnlyDir {
            path: path.to_path_buf(),
            immutable: false,
        };
        if probe_writable(path) {
            let ok = std::process::Command::new("chattr")
                .arg("+i")
                .arg(path)
                .status()
                .is_ok_and(|s| s.success());
            guard.immutable = ok;
            if !ok || probe_writable(path) {
                return None;
            }
        }
        Some(guard)
    }
}

impl Drop for ReadOnlyDir {
    fn drop(&mut self) {
        use std::os::unix::fs::PermissionsExt;
        if self.immutable {
            let _ = std::process::Command::new("chattr")
                .arg("-i")
                .arg(&self.path)
                .status();
        }
        let _ = std::fs::set_permissions(&self.path, std::fs::Permissions::from_mode(0o755));
    }
}

fn probe_writable(dir: &Path) -> bool {
    let probe = dir.join(".probe");
    let ok = std::fs::write(&probe, b"x").is_ok();
    let _ = std::fs::remove_file(&probe);
    ok
}

#[test]
fn read_only_target_fails_in_german_and_leaves_the_old_file() {
    let lp = project();
    let (prep, an) = run(&lp);
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("ablage");
    std::fs::create_dir(&folder).unwrap();
    let target = folder.join("Begründungsmappe.xlsx");
    std::fs::write(&target, b"alte Fassung").unwrap();
    let Some(guard) = ReadOnlyDir::new(&folder) else {
        eprintln!(
            "ÜBERSPRUNGEN: Ordner lässt sich hier nicht schreibschützen (weder chmod noch chattr wirksam)."
        );
        return;
    };
    let err = write_workbook(&target, &lp, &prep, &an, &opts(Variant::Pruefmappe)).unwrap_err();
    let listing: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    drop(guard);
    assert!(matches!(err, ExportError::Locked { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("Die Zieldatei ist gesperrt oder schreibgeschützt"),
        "{err}"
    );
    assert_eq!(std::fs::read(&target).unwrap(), b"alte Fassung");
    assert_eq!(
        listing,
        vec!["Begründungsmappe.xlsx".to_string()],
        "Reste: {listing:?}"
    );
}

#[test]
fn existing_file_is_replaced_on_success() {
    let lp = project();
    let (prep, an) = run(&lp);
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("mappe.xlsx");
    std::fs::write(&target, b"alt").unwrap();
    write_workbook(&target, &lp, &prep, &an, &opts(Variant::Veroeffentlichung)).unwrap();
    let bytes = std::fs::read(&target).unwrap();
    assert_eq!(&bytes[..2], b"PK");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temp file left"
    );
}

/// Export time for a large data set (run with `--ignored --nocapture`).
#[test]
#[ignore]
fn export_time_large() {
    let mut lp = project();
    let base = lp.data.records.clone();
    let mut line = 100_000u32;
    let mut rng = Lcg(7);
    let target: usize = std::env::var("KDU_EXPORT_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    while lp.data.records.len() < target {
        for r in &base {
            let mut r = r.clone();
            r.row = line;
            line += 1;
            r.net_rent *= 0.9 + 0.2 * rng.next();
            lp.data.records.push(r);
        }
    }
    let t0 = std::time::Instant::now();
    let (prep, an) = run(&lp);
    let t1 = std::time::Instant::now();
    let bytes = workbook_bytes(&lp, &prep, &an, &opts(Variant::Pruefmappe)).unwrap();
    let t2 = std::time::Instant::now();
    eprintln!(
        "{} Datensätze: Analyse {:?}, Prüfmappe {:?} ({} MB)",
        lp.data.records.len(),
        t1 - t0,
        t2 - t1,
        bytes.len() / 1_000_000
    );
}

#[test]
fn vergleichsraum_without_concept_shows_the_wogg_limit() {
    let mut lp = project();
    for v in &mut lp.project.vergleichsraeume {
        if v.name == "Süd" {
            v.ohne_konzept = true;
        }
    }
    let (_, an) = run(&lp);
    let cell = an
        .cells
        .iter()
        .find(|c| c.vergleichsraum == "Süd" && c.household_size == 1)
        .unwrap();
    assert!(!cell.valid);
    assert!(
        cell.invalid_reasons
            .contains(&kdu_konzept::analysis::InvalidReason::OhneKonzept)
    );
    let applied = cell.applied_limit.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = export_to(dir.path(), "wogg.xlsx", &lp, &opts(Variant::Pruefmappe));
    let mut wb = open(&path);
    let rw = wb.worksheet_range("Richtwerte").unwrap();
    let header = (0..30u32)
        .find(|&c| text(rw.get_value((3, c))) == "geltende Grenze €")
        .expect("Spalte „geltende Grenze €“ fehlt");
    let r = find_row(&rw, "Süd", "1 Person");
    close_cent(num(rw.get_value((r, header))), applied, "geltende Grenze");
    let notes: String = (0..30u32).map(|c| text(rw.get_value((r, c)))).collect();
    assert!(notes.contains("kein gültiger Richtwert"), "{notes}");
}

/// Heating limits (with Gesamtgrenze) and a Fortschreibung in one project.
fn project_with_heating_and_fortschreibung() -> LoadedProject {
    use kdu_konzept::model::params::{FortschreibungParams, IndexSeries, OldLimit};
    let mut lp = project();
    let p = &mut lp.project.parameters;
    p.heating.enabled = true;
    p.heating.gesamtangemessenheitsgrenze = true;
    let series = |name: &str, old: f64, new: f64| IndexSeries {
        series: name.into(),
        period_old: "Juni 2022".into(),
        value_old: old,
        period_new: "Dezember 2024".into(),
        value_new: new,
        source: "Statistisches Bundesamt".into(),
    };
    p.fortschreibung = Some(FortschreibungParams {
        old_stichtag: Date::from_ymd(2022, 6, 1),
        index_nkm: series("VPI Nettokaltmiete", 102.7, 109.3),
        index_bk: series("VPI Wohnungsnebenkosten", 104.1, 118.6),
        old_limits: vec![
            OldLimit {
                vergleichsraum: "Nord".into(),
                household_size: 1,
                net_cold: 301.17,
                operating_costs: 88.41,
            },
            OldLimit {
                vergleichsraum: "Süd".into(),
                household_size: 2,
                net_cold: 377.03,
                operating_costs: 109.95,
            },
        ],
    });
    lp
}

/// Column letters + row of an A1 reference (`H5` → (4, 7)).
fn a1(reference: &str) -> (u32, u32) {
    let r = reference.rsplit('!').next().unwrap().replace('$', "");
    let letters: String = r.chars().take_while(char::is_ascii_alphabetic).collect();
    let digits: String = r.chars().skip(letters.len()).collect();
    let col = letters
        .chars()
        .fold(0u32, |acc, ch| acc * 26 + (ch as u32 - 'A' as u32 + 1))
        - 1;
    (digits.parse::<u32>().unwrap() - 1, col)
}

#[test]
fn heating_and_fortschreibung_sheets_equal_the_analysis() {
    let lp = project_with_heating_and_fortschreibung();
    let (_, an) = run(&lp);
    let dir = tempfile::tempdir().unwrap();
    let path = export_to(dir.path(), "heiz.xlsx", &lp, &opts(Variant::Pruefmappe));
    let mut wb = open(&path);
    let names = wb.sheet_names();
    for s in ["Heizkosten", "Fortschreibung"] {
        assert!(names.iter().any(|n| n == s), "Blatt {s} fehlt: {names:?}");
    }

    // Heizkosten: every cell's Grenzwert and Gesamtgrenze, as formulas.
    let hk = wb.worksheet_range("Heizkosten").unwrap();
    let hf = wb.worksheet_formula("Heizkosten").unwrap();
    let rw = wb.worksheet_range("Richtwerte").unwrap();
    let all: String = hk.cells().map(|(_, _, d)| text(Some(d)) + "\n").collect();
    assert!(all.contains("Beispieltabelle"), "Beispiel-Warnung fehlt");
    assert!(
        all.contains("§ 22c Abs. 2 SGB II"),
        "Überprüfungspflicht fehlt"
    );
    assert!(all.contains("Erdgas") && all.contains("Fernwärme"));
    for c in &an.cells {
        let r = find_row(&hk, &c.vergleichsraum, &persons(c.household_size));
        assert_eq!(num(hk.get_value((r, 2))), Some(c.area_m2));
        close_cent(num(hk.get_value((r, 3))), 3.06, "Grenze €/m²");
        close_cent(
            num(hk.get_value((r, 4))),
            c.heating_limit.unwrap(),
            "Heizkosten",
        );
        // The Gesamtgrenze rests on the applied limit (the WoGG fallback where the cell is on it).
        let gross = c.applied_limit.unwrap();
        close_cent(num(hk.get_value((r, 5))), gross, "geltende Grenze");
        close_cent(
            num(hk.get_value((r, 6))),
            c.total_limit.unwrap(),
            "Gesamtgrenze",
        );
        let f_heat = hf.get_value((r, 4)).cloned().unwrap_or_default();
        assert!(f_heat.starts_with("ROUND("), "{f_heat}");
        let f_gross = hf.get_value((r, 5)).cloned().unwrap_or_default();
        assert!(f_gross.contains("Richtwerte"), "{f_gross}");
        close_cent(num(rw.get_value(a1(&f_gross))), gross, "verknüpfte Zelle");
    }

    // Fortschreibung: factors and old → new, as formulas.
    let fs = wb.worksheet_range("Fortschreibung").unwrap();
    let ff = wb.worksheet_formula("Fortschreibung").unwrap();
    let result = an.fortschreibung.as_ref().unwrap();
    for (part, factor) in [
        ("Nettokaltmiete", result.factor_nkm),
        ("kalte Betriebskosten", result.factor_bk),
    ] {
        let r = fs
            .rows()
            .position(|row| text(row.first()) == part)
            .map(|i| fs.start().unwrap().0 + i as u32)
            .unwrap_or_else(|| panic!("Indexzeile {part} fehlt"));
        let v = num(fs.get_value((r, 6))).unwrap();
        assert!((v - factor).abs() < 1e-12, "{part}: {v} ≠ {factor}");
        assert!(ff.get_value((r, 6)).is_some_and(|f| f.contains('/')));
    }
    assert_eq!(result.rows.len(), 2);
    for row in &result.rows {
        let r = find_row(&fs, &row.vergleichsraum, &persons(row.household_size));
        close_cent(num(fs.get_value((r, 4))), row.old_gross_cold, "BKM alt");
        close_cent(num(fs.get_value((r, 5))), row.new_net_cold, "NKM neu");
        close_cent(num(fs.get_value((r, 6))), row.new_operating_costs, "BK neu");
        close_cent(num(fs.get_value((r, 7))), row.new_gross_cold, "BKM neu");
        let f_new = ff.get_value((r, 5)).cloned().unwrap_or_default();
        assert!(f_new.starts_with("ROUND("), "{f_new}");
    }
    let all: String = fs.cells().map(|(_, _, d)| text(Some(d)) + "\n").collect();
    assert!(
        all.contains("Älter als zwei Jahre: Indexfortschreibung zulässig"),
        "Altershinweis fehlt"
    );
    assert!(!all.contains("Neuerhebung fällig"));
    assert!(all.contains("VPI Wohnungsnebenkosten"));

    // Method text and Prüfkatalog mention both.
    let text_all = method_text(&lp, &an).join("\n");
    assert!(
        text_all.contains("Heizkosten:"),
        "Methodentext ohne Heizkosten"
    );
    assert!(
        text_all.contains("Fortschreibung:"),
        "Methodentext ohne Fortschreibung"
    );
    let kat = wb.worksheet_range("BSG-Prüfkatalog").unwrap();
    let kat: String = kat.cells().map(|(_, _, d)| text(Some(d)) + "\n").collect();
    assert!(kat.contains("Heizkosten") && kat.contains("Fortschreibung"));

    // The Veröffentlichung has both sheets with values only.
    let path = export_to(
        dir.path(),
        "heiz_pub.xlsx",
        &lp,
        &opts(Variant::Veroeffentlichung),
    );
    let mut wb = open(&path);
    let hk = wb.worksheet_range("Heizkosten").unwrap();
    let c = &an.cells[0];
    let r = find_row(&hk, &c.vergleichsraum, &persons(c.household_size));
    close_cent(
        num(hk.get_value((r, 4))),
        c.heating_limit.unwrap(),
        "Heizkosten",
    );
    assert!(wb.worksheet_range("Fortschreibung").is_ok());

    // Without heating and Fortschreibung neither sheet is written.
    let path = export_to(
        dir.path(),
        "ohne.xlsx",
        &project(),
        &opts(Variant::Pruefmappe),
    );
    let names = open(&path).sheet_names();
    assert!(
        !names
            .iter()
            .any(|n| n == "Heizkosten" || n == "Fortschreibung")
    );
}
