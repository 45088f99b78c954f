//! No limit without evidence (issue 12 A) and the Schlüssigkeitsprüfung (issue 12 C, D, JSON):
//! on the sample project, each rule a court applies is switched into the state it objects to,
//! and the result must say so where the number would be.

use kdu_konzept::analysis::{
    self, Analysis, AppliedBasis, CheckCode, CheckStatus, InvalidReason, Severity, wogg,
};
use kdu_konzept::dataset::LoadedProject;
use kdu_konzept::model::params::{KlimaMode, ReferenceMethod};
use kdu_konzept::model::{Date, SourceKind};
use std::path::{Path, PathBuf};
use std::process::Command;

fn sample_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/musterland.kdu.toml")
}

fn sample() -> LoadedProject {
    match LoadedProject::load(&sample_path(), &mut |_, _, _| true) {
        Ok(lp) => lp,
        Err(e) => panic!("sample project: {e:#}"),
    }
}

fn run(lp: &LoadedProject) -> Analysis {
    analysis::run(&lp.project, &lp.data).1
}

fn check(a: &Analysis, code: CheckCode) -> &analysis::Check {
    match a.checks.iter().find(|c| c.code == code) {
        Some(c) => c,
        None => panic!("check {code:?} missing"),
    }
}

fn date(y: i32, m: u32, d: u32) -> Date {
    match Date::from_ymd(y, m, d) {
        Some(d) => d,
        None => panic!("date"),
    }
}

#[test]
fn the_sample_is_valid_everywhere_and_every_check_is_listed() {
    let a = run(&sample());
    assert!(a.cells.iter().all(|c| c.valid), "sample cells valid");
    assert!(
        a.cells
            .iter()
            .all(|c| c.applied_basis == AppliedBasis::Konzept
                && c.applied_limit == c.limits.map(|l| l.gross_cold))
    );
    assert_eq!(a.checks.len(), CheckCode::ALL.len());
    assert!(
        a.is_schluessig(),
        "{:?}",
        a.open_errors().collect::<Vec<_>>()
    );
    // Every finding belongs to a check, and a check's status is its worst finding.
    for c in &a.checks {
        let worst = a
            .warnings
            .iter()
            .filter(|w| w.check == c.code)
            .map(|w| w.severity)
            .max();
        match worst {
            Some(Severity::Fehler) => assert_eq!(c.status, CheckStatus::Fehler),
            Some(Severity::Warnung) => assert_eq!(c.status, CheckStatus::Warnung),
            None => assert_eq!(c.status, CheckStatus::Ok, "{c:?}"),
            Some(Severity::Hinweis) => assert!(matches!(
                c.status,
                CheckStatus::Hinweis | CheckStatus::NichtPruefbar
            )),
        }
        assert!(!c.text.is_empty() && !c.decision.is_empty() && !c.title.is_empty());
    }
    // Nothing known about recipients above the limit: said, not skipped.
    assert_eq!(
        check(&a, CheckCode::Ueberschreitung).status,
        CheckStatus::NichtPruefbar
    );
}

#[test]
fn availability_not_reached_invalidates_the_cell_under_every_method() {
    for method in [
        ReferenceMethod::Percentile,
        ReferenceMethod::Median,
        ReferenceMethod::Mean,
        ReferenceMethod::Iterative,
    ] {
        let mut lp = sample();
        let p = &mut lp.project.parameters;
        p.reference.method = method;
        p.availability.target_share = 0.99;
        p.availability.p_max = 0.5;
        let a = run(&lp);
        let missed: Vec<_> = a
            .cells
            .iter()
            .filter(|c| {
                c.availability
                    .as_ref()
                    .is_some_and(|av| av.share.is_some_and(|s| s < 0.99))
            })
            .collect();
        assert!(!missed.is_empty(), "{method:?}");
        for c in missed {
            assert!(!c.valid, "{method:?}");
            assert!(
                c.invalid_reasons
                    .contains(&InvalidReason::AvailabilityNotReached)
            );
            assert_eq!(c.applied_basis, AppliedBasis::WoggFallback);
            // Each Gemeinde gets the value of its own Mietstufe; where they differ (as in the
            // sample's VR 1), there is no single applied value.
            assert!(!c.applied_by_gemeinde.is_empty());
            assert!(c.applied_by_gemeinde.iter().all(|g| g.limit.is_some()));
            let first = c.applied_by_gemeinde[0].limit;
            let uniform = c.applied_by_gemeinde.iter().all(|g| g.limit == first);
            assert_eq!(c.applied_limit, if uniform { first } else { None });
        }
        let v = check(&a, CheckCode::Verfuegbarkeit);
        assert_eq!(v.status, CheckStatus::Fehler, "{method:?}");
        assert!(!a.is_schluessig());
        assert!(a.open_errors().any(|c| c.code == CheckCode::Verfuegbarkeit));
    }
}

#[test]
fn a_size_class_without_offers_is_an_error() {
    let mut lp = sample();
    // Drop every offer of the largest size class.
    let largest = lp.project.parameters.wohnflaechen.sizes[3];
    lp.data
        .records
        .retain(|r| !(r.kind == SourceKind::Angebot && r.area > largest));
    let a = run(&lp);
    let fives: Vec<_> = a.cells.iter().filter(|c| c.household_size == 5).collect();
    assert!(!fives.is_empty());
    for c in &fives {
        assert!(
            c.invalid_reasons.contains(&InvalidReason::NoOffers),
            "{c:?}"
        );
        assert!(!c.valid);
    }
    let v = check(&a, CheckCode::Verfuegbarkeit);
    assert_eq!(v.status, CheckStatus::Fehler);
    assert!(v.cells.iter().any(|r| r.household_size == 5));
}

#[test]
fn without_any_offer_no_cell_is_valid_and_the_reason_is_loud() {
    let mut lp = sample();
    lp.data.records.retain(|r| r.kind != SourceKind::Angebot);
    let a = run(&lp);
    assert!(a.cells.iter().all(|c| !c.valid));
    let v = check(&a, CheckCode::Verfuegbarkeit);
    assert_eq!(v.status, CheckStatus::Fehler);
    assert!(v.text.contains("keine Angebote"), "{}", v.text);
    assert_eq!(v.cells.len(), a.cells.len());
}

#[test]
fn small_cells_have_no_concept_limit_in_either_workbook_variant() {
    let mut lp = sample();
    lp.project.parameters.min_n = 100;
    let a = run(&lp);
    let small: Vec<_> = a.cells.iter().filter(|c| c.n < 100).collect();
    assert!(!small.is_empty());
    for c in &small {
        assert!(c.invalid_reasons.contains(&InvalidReason::NBelowMin));
        assert!(c.applied_by_gemeinde.iter().all(|g| g.limit.is_some()));
    }
    assert_eq!(check(&a, CheckCode::Fallzahl).status, CheckStatus::Fehler);
    // Prüfmappe and Veröffentlichung alike show the applicable value and the reason.
    use calamine::{Data, Reader, open_workbook_auto};
    use kdu_konzept::export::{ExportOptions, Variant, write_workbook};
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("{e}"),
    };
    for variant in [Variant::Pruefmappe, Variant::Veroeffentlichung] {
        let path = dir.path().join(format!("{variant:?}.xlsx"));
        let opts = ExportOptions {
            variant,
            include_ids: false,
        };
        let (prep, an) = analysis::run(&lp.project, &lp.data);
        if let Err(e) = write_workbook(&path, &lp, &prep, &an, &opts) {
            panic!("{e:#}");
        }
        let mut wb = match open_workbook_auto(&path) {
            Ok(wb) => wb,
            Err(e) => panic!("{e}"),
        };
        let rw = match wb.worksheet_range("Richtwerte") {
            Ok(r) => r,
            Err(e) => panic!("{e}"),
        };
        let text = |r: u32, c: u32| match rw.get_value((r, c)) {
            Some(Data::String(s)) => s.clone(),
            _ => String::new(),
        };
        let col = (0..30)
            .find(|&c| text(3, c) == "geltende Grenze €")
            .unwrap_or_else(|| panic!("{variant:?}: column of the applied limit"));
        let c = small[0];
        let row = (4..200)
            .find(|&r| {
                text(r, 0) == c.vergleichsraum
                    && text(r, 1).starts_with(&c.household_size.to_string())
            })
            .unwrap_or_else(|| panic!("row of {}", c.vergleichsraum));
        let notes: String = (0..30).map(|k| text(row, k)).collect();
        assert!(notes.contains("kein gültiger Richtwert"), "{notes}");
        match (rw.get_value((row, col)), c.applied_limit) {
            (Some(Data::Float(v)), Some(applied)) => assert_eq!(*v, applied, "{variant:?}"),
            // The Gemeinden differ: every one is named with its value.
            (_, None) => {
                assert!(notes.contains("je Gemeinde:"), "{notes}");
                for g in &c.applied_by_gemeinde {
                    assert!(notes.contains(&g.gemeinde), "{notes}");
                }
            }
            (other, _) => panic!("{variant:?}: applied value {other:?}"),
        }
        let cover = match wb.worksheet_range("Deckblatt") {
            Ok(r) => r,
            Err(e) => panic!("{e}"),
        };
        let all: String = cover
            .rows()
            .flat_map(|r| r.iter().map(|d| d.to_string()))
            .collect();
        assert!(
            all.contains("nicht schlüssig – offene Fehler"),
            "{variant:?}"
        );
        assert!(all.contains("Mindestfallzahl je Tabellenfeld"));
    }
}

#[test]
fn the_fallback_is_computed_per_gemeinde_at_its_own_mietstufe() {
    let mut lp = sample();
    let vr = lp.project.gemeinden[0].vergleichsraum.clone();
    for (g, stufe) in lp
        .project
        .gemeinden
        .iter_mut()
        .filter(|g| g.vergleichsraum == vr)
        .zip(1u8..)
    {
        g.mietstufe = Some(stufe);
    }
    for v in &mut lp.project.vergleichsraeume {
        v.ohne_konzept = v.name == vr;
    }
    let a = run(&lp);
    let c = a
        .cells
        .iter()
        .find(|c| c.vergleichsraum == vr && c.household_size == 2)
        .unwrap_or_else(|| panic!("cell"));
    assert_eq!(c.applied_basis, AppliedBasis::WoggFallback);
    assert_eq!(c.applied_limit, None, "Gemeinden differ: no single value");
    assert!(c.applied_by_gemeinde.len() >= 2);
    let w = &lp.project.parameters.wogg;
    for g in &c.applied_by_gemeinde {
        let s = g.mietstufe.unwrap_or_else(|| panic!("stufe"));
        let expected = wogg::fallback(wogg::table_date(&lp.project), 2, s, w.surcharge, w.klima)
            .map(|v| v.with_surcharge);
        assert_eq!(g.limit, expected, "{}", g.gemeinde);
    }
    let distinct: std::collections::BTreeSet<u64> = c
        .applied_by_gemeinde
        .iter()
        .filter_map(|g| g.limit.map(f64::to_bits))
        .collect();
    assert!(distinct.len() >= 2);
    assert!(c.applied_german().starts_with("je Gemeinde:"));
}

#[test]
fn the_wogg_table_follows_the_validity_date_not_the_stichtag() {
    let mut lp = sample();
    lp.project.project.stichtag = date(2024, 6, 30);
    lp.project.project.gueltig_ab = Some(date(2025, 1, 1));
    let a = run(&lp);
    let c = &a.cells[0];
    let w = c.wogg.as_ref().unwrap_or_else(|| panic!("wogg"));
    assert_eq!(w.value.valid_from, date(2025, 1, 1));
    lp.project.project.gueltig_ab = None;
    let a = run(&lp);
    let w = a.cells[0].wogg.as_ref().unwrap_or_else(|| panic!("wogg"));
    assert_eq!(w.value.valid_from, date(2023, 1, 1));
    // Without a validity date the data age cannot be checked: said.
    assert_eq!(
        check(&a, CheckCode::Datenalter).status,
        CheckStatus::NichtPruefbar
    );
}

#[test]
fn roman_mietstufen_are_read_and_the_wogv_anlage_prevails() {
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("{e}"),
    };
    let path = dir.path().join("gemeinden.csv");
    let csv = "AGS;Gemeinde;Vergleichsraum;Mietstufe\n05999004;Nordheim;A;IV\n14713000;Leipzig, Stadt;A;5\n05999008;Südheim;A;III\n";
    if let Err(e) = std::fs::write(&path, csv) {
        panic!("{e}");
    }
    let rows = match kdu_konzept::import::gemeinden::read_gemeinden(&path, None) {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(rows[0].mietstufe, Some(4));
    assert_eq!(rows[2].mietstufe, Some(3));
    // An unreadable Mietstufe is an error naming the row, not silently empty.
    if let Err(e) = std::fs::write(&path, "Gemeinde;Vergleichsraum;Mietstufe\nX;A;IIX\n") {
        panic!("{e}");
    }
    let err = match kdu_konzept::import::gemeinden::read_gemeinden(&path, None) {
        Ok(_) => panic!("IIX accepted"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("Zeile 2") && err.contains("IIX"), "{err}");

    // Leipzig is listed in the WoGV Anlage with Mietstufe II: a differing table value is a
    // Warnung naming it, and the Anlage's value applies on the fallback.
    let mut lp = sample();
    let vr = lp.project.gemeinden[0].vergleichsraum.clone();
    let mut leipzig = rows[1].clone();
    leipzig.vergleichsraum = vr.clone();
    lp.project.gemeinden.push(leipzig);
    for v in &mut lp.project.vergleichsraeume {
        v.ohne_konzept = v.name == vr;
    }
    let a = run(&lp);
    let r = check(&a, CheckCode::Rueckfall);
    assert!(
        r.findings
            .iter()
            .any(|f| f.contains("Leipzig, Stadt (Tabelle V, Anlage II)")),
        "{r:?}"
    );
    let c = a
        .cells
        .iter()
        .find(|c| c.vergleichsraum == vr)
        .unwrap_or_else(|| panic!("cell"));
    let l = c
        .applied_by_gemeinde
        .iter()
        .find(|g| g.gemeinde == "Leipzig, Stadt")
        .unwrap_or_else(|| panic!("Leipzig"));
    assert_eq!(l.mietstufe, Some(2));
}

#[test]
fn court_rejected_defaults_are_flagged() {
    let mut lp = sample();
    // A fixed percentile without a written justification.
    lp.project.justifications.clear();
    lp.project.parameters.reference.method = ReferenceMethod::Percentile;
    let a = run(&lp);
    assert_eq!(check(&a, CheckCode::Perzentil).status, CheckStatus::Warnung);
    // The fallback without the Klimakomponente.
    lp.project.parameters.wogg.klima = KlimaMode::None;
    lp.project.vergleichsraeume[0].ohne_konzept = true;
    let a = run(&lp);
    assert!(
        check(&a, CheckCode::Rueckfall)
            .findings
            .iter()
            .any(|f| f.contains("ohne Klimakomponente"))
    );
    // Offer-only reference: a Warnung that asks for a justification, not a Fehler.
    let mut lp = sample();
    lp.project.parameters.scope.reference_kinds = vec![SourceKind::Neuvertrag];
    let a = run(&lp);
    let d = check(&a, CheckCode::Datengrundlage);
    assert_eq!(d.status, CheckStatus::Warnung);
    lp.project.justifications.insert(
        "scope.reference_kinds".into(),
        "Neuvertragsmieten bilden den aktuellen Markt ab.".into(),
    );
    let a = run(&lp);
    assert_eq!(
        check(&a, CheckCode::Datengrundlage).status,
        CheckStatus::Hinweis
    );
    // A low BK quantile is an error (BSG B 14 AS 13/12 R).
    let mut lp = sample();
    let oc = &mut lp.project.parameters.operating_costs;
    oc.statistic = kdu_konzept::model::params::BkStatistic::Percentile;
    oc.percentile = 0.33;
    let a = run(&lp);
    assert_eq!(
        check(&a, CheckCode::Betriebskosten).status,
        CheckStatus::Fehler
    );
}

#[test]
fn compute_json_has_validity_applied_limits_and_checks() {
    let out = Command::new(env!("CARGO_BIN_EXE_kdu-konzept"))
        .arg("compute")
        .arg(sample_path())
        .args(["--json", "-", "--set", "min_n=100"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    let cells = v["cells"].as_array().unwrap_or_else(|| panic!("cells"));
    assert!(!cells.is_empty());
    for c in cells {
        for key in [
            "valid",
            "applied_basis",
            "applied_limit",
            "applied_by_gemeinde",
            "invalid_reasons",
            "n_undated",
        ] {
            assert!(c.get(key).is_some(), "{key}");
        }
        if c["valid"] == false {
            assert_eq!(c["applied_basis"], "wogg_fallback");
            assert!(
                c["invalid_reasons"]
                    .as_array()
                    .is_some_and(|r| r.iter().any(|x| x == "n_below_min"))
            );
        } else {
            assert_eq!(c["applied_basis"], "konzept");
            assert_eq!(c["applied_limit"], c["limit_gross_cold"]);
        }
    }
    assert!(cells.iter().any(|c| c["valid"] == false));
    let checks = v["checks"].as_array().unwrap_or_else(|| panic!("checks"));
    assert_eq!(checks.len(), CheckCode::ALL.len());
    for c in checks {
        for key in ["code", "criterion", "status", "cells", "text", "decision"] {
            assert!(c.get(key).is_some(), "{key}");
        }
    }
    let fallzahl = checks
        .iter()
        .find(|c| c["code"] == "fallzahl")
        .unwrap_or_else(|| panic!("fallzahl"));
    assert_eq!(fallzahl["status"], "fehler");
    assert_eq!(fallzahl["criterion"], "K5");
    assert_eq!(v["schluessig"], false);
}

#[test]
fn export_of_the_veroeffentlichung_with_open_errors_needs_trotz_fehler() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = dir.path().join("v.xlsx");
    let run = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_kdu-konzept"))
            .arg("export")
            .arg(sample_path())
            .arg("-o")
            .arg(&out)
            .args(["--variant", "veroeffentlichung", "--set", "min_n=100"])
            .args(extra)
            .output()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let refused = run(&[]);
    assert_eq!(refused.status.code(), Some(2));
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("offene Fehler") && err.contains("--trotz-fehler"),
        "{err}"
    );
    assert!(!out.exists());
    let written = run(&["--trotz-fehler"]);
    assert!(written.status.success());
    assert!(out.exists());
    assert!(String::from_utf8_lossy(&written.stderr).contains("nicht schlüssig"));
}

#[test]
fn unknown_leistungsbezug_is_reported_as_unknown() {
    let mut lp = sample();
    let a = run(&lp);
    // The sample marks recipients with "x" and leaves the others blank: blank means no.
    assert!(a.cells.iter().all(|c| c.welfare_unknown_share == Some(0.0)));
    // One explicit "nein" in a source makes its blanks unknown.
    lp.data.records[0].welfare = Some(false);
    let a = run(&lp);
    assert!(
        a.cells
            .iter()
            .any(|c| c.welfare_unknown_share.is_some_and(|u| u > 0.0))
    );
    let z = check(&a, CheckCode::Zirkelschluss);
    assert!(
        z.findings
            .iter()
            .any(|f| f.contains("Leistungsbezug unbekannt")),
        "{z:?}"
    );
    // The share of recipients is taken among the known values only.
    for c in &a.cells {
        if let (Some(w), Some(u)) = (c.welfare_share, c.welfare_unknown_share) {
            assert!((0.0..=1.0).contains(&w) && u < 1.0);
        }
    }
    // Without any Leistungsbezug column the check says it cannot run.
    for r in lp.data.records.iter_mut() {
        r.welfare = None;
    }
    let a = run(&lp);
    assert_eq!(
        check(&a, CheckCode::Zirkelschluss).status,
        CheckStatus::NichtPruefbar
    );
}

#[test]
fn the_confidence_interval_is_weighted_where_the_referenzmiete_is() {
    let mut lp = sample();
    let unweighted = run(&lp);
    let rep = &mut lp.project.parameters.representativeness;
    rep.weighting = true;
    for v in &lp.project.vergleichsraeume {
        rep.market_shares
            .push(kdu_konzept::model::params::MarketShare {
                vergleichsraum: v.name.clone(),
                privat: 0.7,
            });
    }
    let a = run(&lp);
    let weighted: Vec<_> = a.cells.iter().filter(|c| c.weighted).collect();
    assert!(!weighted.is_empty());
    let mut differs = false;
    for c in weighted {
        let ci = c.ci.unwrap_or_else(|| panic!("ci"));
        let raw = c.net_rent_per_m2_raw.unwrap_or_else(|| panic!("raw"));
        assert!(ci.lower <= raw && raw <= ci.upper, "{ci:?} {raw}");
        let u = unweighted
            .cells
            .iter()
            .find(|x| x.vr == c.vr && x.household_size == c.household_size)
            .and_then(|x| x.ci);
        differs |= u != Some(ci);
    }
    assert!(differs, "the weighted interval is its own");
}

#[test]
fn the_method_text_never_contradicts_the_result() {
    use kdu_konzept::export::method_text;
    use kdu_konzept::model::params::IterationStart;
    let mut lp = sample();
    let a = run(&lp);
    let text = method_text(&lp, &a).join("\n");
    assert!(text.contains("nach einem schlüssigen Konzept"), "{text}");
    // With open errors it is not called schlüssig, and the errors are named.
    lp.project.parameters.min_n = 100;
    let a = run(&lp);
    let text = method_text(&lp, &a).join("\n");
    assert!(!text.contains("nach einem schlüssigen Konzept"));
    assert!(text.contains("nicht schlüssig") && text.contains("Mindestfallzahl je Tabellenfeld"));
    assert!(text.contains("Ohne gültigen Konzeptwert:"), "{text}");
    // The iteration start is the real one.
    lp.project.parameters.min_n = 30;
    lp.project.parameters.reference.method = ReferenceMethod::Iterative;
    let a = run(&lp);
    let text = method_text(&lp, &a).join("\n");
    assert!(text.contains("Startperzentil (p = 33,0 %)"), "{text}");
    lp.project.parameters.availability.start = IterationStart::DemandShare;
    let a = run(&lp);
    let text = method_text(&lp, &a).join("\n");
    assert!(
        text.contains("Startperzentil (Anteil der Nachfragegruppe"),
        "{text}"
    );
    assert!(!text.contains("ab p = 33"), "{text}");
}

#[test]
fn small_cells_can_be_pooled_with_neighbouring_classes_as_a_justified_option() {
    use kdu_konzept::analysis::quantile::{QuantileType, quantile_sorted};
    let mut lp = sample();
    lp.project.parameters.min_n = 100;
    lp.project.parameters.reference.pool_small_cells = true;
    let (prep, a) = analysis::run(&lp.project, &lp.data);
    let pooled: Vec<_> = a
        .cells
        .iter()
        .filter(|c| !c.pooled_with.is_empty())
        .collect();
    assert!(!pooled.is_empty());
    for c in &pooled {
        assert!(c.n < 100 && c.n_reference >= 100, "{c:?}");
        assert!(!c.invalid_reasons.contains(&InvalidReason::NBelowMin));
        // The Referenzmiete is the percentile of the merged kept values of the cell and the
        // classes named, each after its own Extremwertkappung.
        let mut merged: Vec<f64> = Vec::new();
        for h in std::iter::once(c.household_size).chain(c.pooled_with.iter().copied()) {
            let other = a
                .cells
                .iter()
                .find(|x| x.vr == c.vr && x.household_size == h)
                .unwrap_or_else(|| panic!("cell"));
            let values = &prep.cells[c.vr * prep.classes + h as usize - 1].values;
            merged.extend_from_slice(&values[other.outliers.kept.0..other.outliers.kept.1]);
        }
        merged.sort_by(f64::total_cmp);
        assert_eq!(merged.len(), c.n_reference);
        assert_eq!(
            c.net_rent_per_m2_raw,
            quantile_sorted(&merged, 0.33, QuantileType::T7)
        );
        // The nearest class first: the next smaller one where it exists.
        let first = c.pooled_with[0];
        assert!(first + 1 == c.household_size || (c.household_size == 1 && first == 2));
    }
    // Without a justification the pooling is a Warnung, with one a Hinweis.
    assert_eq!(check(&a, CheckCode::Fallzahl).status, CheckStatus::Warnung);
    lp.project.justifications.insert(
        "reference.pool_small_cells".into(),
        "Benachbarte Größenklassen haben ein gleiches Mietniveau je m².".into(),
    );
    let a = run(&lp);
    assert_eq!(check(&a, CheckCode::Fallzahl).status, CheckStatus::Hinweis);
    let text = kdu_konzept::export::method_text(&lp, &a).join("\n");
    assert!(text.contains("gepoolten Stichprobe") && text.contains("Begründung: Benachbarte"));
}

#[test]
fn nothing_passes_for_lack_of_cells() {
    let mut lp = sample();
    lp.project.gemeinden.clear();
    let a = run(&lp);
    assert!(a.cells.iter().all(|c| c.n_in_cell == 0));
    assert_eq!(check(&a, CheckCode::Zuordnung).status, CheckStatus::Fehler);
    for code in [
        CheckCode::Fallzahl,
        CheckCode::Gebietsabdeckung,
        CheckCode::Datengrundlage,
        CheckCode::Monotonie,
    ] {
        assert_ne!(check(&a, code).status, CheckStatus::Ok, "{code:?}");
    }
}
