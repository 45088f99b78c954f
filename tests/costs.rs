//! Cost components of a real concept (issue 13): kalte Betriebskosten from the records or an
//! external source (per project and per Vergleichsraum), the BK plausibility rule, the heating
//! matrix (Energieträger × band × household size) with the warm-water deduction, the
//! Karenzzeit column and the published table (Richtwerttabelle) with its recomputation.

// The helpers below are test code too, but outside `#[test]` functions clippy cannot tell.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use calamine::{Data, Reader, open_workbook_auto};
use kdu_konzept::analysis::{Analysis, CheckStatus, run};
use kdu_konzept::dataset::{Dataset, LoadedProject};
use kdu_konzept::export::{ExportOptions, Variant, workbook_bytes};
use kdu_konzept::model::params::{BkSource, apply_override};
use kdu_konzept::model::project::{GemeindeRow, VergleichsraumSpec};
use kdu_konzept::model::{Date, Project, Record, SourceKind};
use std::path::{Path, PathBuf};

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

/// Two Vergleichsräume (West, Ost), Bestand records in every size class with kalte BK on five
/// of six rows (a few implausible), and offers in every size class.
fn synthetic() -> LoadedProject {
    let stichtag = Date::from_ymd(2024, 7, 1).unwrap();
    let mut p = Project::new("Kosten", stichtag);
    p.project.salt = "s".into();
    p.vergleichsraeume = ["West", "Ost"]
        .iter()
        .map(|n| VergleichsraumSpec {
            name: (*n).into(),
            begruendung: format!("{n}: Testgebiet"),
            ohne_konzept: false,
        })
        .collect();
    p.gemeinden = ["West", "Ost"]
        .iter()
        .enumerate()
        .map(|(i, vr)| GemeindeRow {
            ags: format!("0599900{}", i + 1),
            name: format!("Gemeinde {vr}"),
            vergleichsraum: (*vr).into(),
            einwohner: Some(20_000),
            mietwohnungen: Some(4_000),
            mietstufe: Some(3),
        })
        .collect();
    let mut rng = Lcg(7);
    let mut records = Vec::new();
    let mut line = 2;
    let areas = [50.0, 65.0, 80.0, 95.0, 110.0];
    for g in 0..2 {
        for class in 0..5 {
            let lower = if class == 0 { 20.0 } else { areas[class - 1] };
            for k in 0..(60 - 4 * class) {
                let area = lower + 0.3 + rng.next() * (areas[class] - lower - 0.3);
                let area = (area * 10.0).round() / 10.0;
                let per_m2 = 5.3 + 0.7 * g as f64 + rng.next() * 2.9 - 0.1 * class as f64;
                let rent = (area * per_m2 * 100.0).round() / 100.0;
                let mut r = Record::new(0, line, SourceKind::Bestand, rent, area);
                line += 1;
                r.ags = Some(format!("0599900{}", g + 1));
                if k % 6 != 1 {
                    // 1,20–3,70 €/m²: a few above the plausibility window.
                    let bk = 1.2 + rng.next() * 2.5;
                    r.operating_costs = Some((area * bk * 100.0).round() / 100.0);
                }
                r.lift = Some(rng.next() < 0.35);
                r.contract_start = Date::from_ymd(2023, 6, 1);
                records.push(r);
            }
            // Offers of the size class, cheap enough for the availability check.
            for _ in 0..25 {
                let area = lower + 0.3 + rng.next() * (areas[class] - lower - 0.3);
                let area = (area * 10.0).round() / 10.0;
                let per_m2 = 5.0 + 0.7 * g as f64 + rng.next() * 3.0;
                let rent = (area * per_m2 * 100.0).round() / 100.0;
                let mut r = Record::new(1, line, SourceKind::Angebot, rent, area);
                line += 1;
                r.ags = Some(format!("0599900{}", g + 1));
                r.offer_date = Date::from_ymd(2024, 3, 1);
                records.push(r);
            }
        }
    }
    LoadedProject {
        path: PathBuf::from("kosten.kdu.toml"),
        project: p,
        data: Dataset {
            records,
            rejections: vec![],
            sources: vec![],
        },
        warnings: vec![],
    }
}

fn set(lp: &mut LoadedProject, assignment: &str) {
    lp.project.parameters = apply_override(&lp.project.parameters, assignment)
        .unwrap_or_else(|e| panic!("--set {assignment}: {e}"));
}

fn check(a: &Analysis, code: &str) -> kdu_konzept::analysis::Check {
    a.checks
        .iter()
        .find(|c| c.code.code() == code)
        .unwrap_or_else(|| panic!("check {code} missing"))
        .clone()
}

fn export(lp: &LoadedProject, variant: Variant, dir: &Path, name: &str) -> PathBuf {
    let (prep, an) = run(&lp.project, &lp.data);
    let opts = ExportOptions {
        variant,
        include_ids: false,
    };
    let path = dir.join(name);
    std::fs::write(&path, workbook_bytes(lp, &prep, &an, &opts).unwrap()).unwrap();
    path
}

fn text(d: Option<&Data>) -> String {
    d.map(ToString::to_string).unwrap_or_default()
}

/// The row of a sheet whose first cell is `first` and second `second`.
fn sheet_row(range: &calamine::Range<Data>, first: &str, second: &str) -> Vec<String> {
    range
        .rows()
        .find(|r| text(r.first()) == first && text(r.get(1)) == second)
        .map(|r| r.iter().map(ToString::to_string).collect())
        .unwrap_or_else(|| panic!("row {first} / {second} missing"))
}

// ---------------------------------------------------------------------------------------------
// Kalte Betriebskosten

#[test]
fn records_with_bk_for_some_rows_give_the_statistic_and_the_sheet_says_how_many() {
    let lp = synthetic();
    let (_, a) = run(&lp.project, &lp.data);
    for v in &a.vergleichsraeume {
        let bk = &v.bk;
        assert_eq!(bk.source, BkSource::Records);
        assert!(bk.n_missing > 20, "{}: {}", v.name, bk.n_missing);
        assert!(bk.n > 150, "{}: {}", v.name, bk.n);
        assert!(bk.n_implausible > 0, "{}: the window cuts values", v.name);
        assert_eq!(bk.n_records(), 260, "{}", v.name);
    }
    let dir = tempfile::tempdir().unwrap();
    let path = export(&lp, Variant::Pruefmappe, dir.path(), "bk.xlsx");
    let mut wb = open_workbook_auto(&path).unwrap();
    let sheet = wb.worksheet_range("Betriebskosten").unwrap();
    let west = sheet_row(&sheet, "West", "Vergleichsraum");
    let bk = &a.vergleichsraeume[0].bk;
    assert_eq!(west[2], "Median der Datensätze (je Vergleichsraum)");
    assert_eq!(west[3], "260");
    assert_eq!(west[4], bk.n.to_string());
    assert_eq!(
        west[14],
        format!("Kennzahl aus {} von 260 Datensätzen", bk.n)
    );
}

#[test]
fn without_a_plausibility_window_every_bk_value_counts() {
    let mut lp = synthetic();
    let (_, windowed) = run(&lp.project, &lp.data);
    set(&mut lp, "plausibility.bk_rule=none");
    let (_, all) = run(&lp.project, &lp.data);
    for (w, a) in windowed.vergleichsraeume.iter().zip(&all.vergleichsraeume) {
        assert_eq!(a.bk.n_implausible, 0);
        assert_eq!(a.bk.n, w.bk.n + w.bk.n_implausible);
    }
    // The choice is named in the Schlüssigkeitsprüfung.
    let c = check(&all, "betriebskosten");
    assert!(
        c.findings
            .iter()
            .any(|f| f.contains("ohne Plausibilitätsgrenzen")),
        "{:?}",
        c.findings
    );
}

#[test]
fn one_vergleichsraum_takes_an_external_value_the_other_its_records() {
    let mut lp = synthetic();
    let (_, before) = run(&lp.project, &lp.data);
    set(
        &mut lp,
        "operating_costs.vergleichsraeume=[{vergleichsraum = \"Ost\", source = \"external\", per_m2 = 2.073, source_text = \"Durchschnitt der kalten Betriebskosten der Bedarfsgemeinschaften\", year = 2023}]",
    );
    let (_, a) = run(&lp.project, &lp.data);
    for (c, b) in a.cells.iter().zip(&before.cells) {
        if c.vergleichsraum == "Ost" {
            assert!(c.bk.is_external());
            // Rounded to cents like every €/m² of the table.
            assert_eq!(c.operating_costs_per_m2, Some(2.07));
            let l = c.limits.unwrap();
            assert_eq!(
                l.operating_costs,
                kdu_konzept::analysis::limits::round_cents(c.area_m2 * 2.07)
            );
        } else {
            assert!(!c.bk.is_external());
            assert_eq!(c.operating_costs_per_m2, b.operating_costs_per_m2);
        }
    }
    assert_eq!(check(&a, "betriebskosten").status, CheckStatus::Ok);

    // The Richtwerte sheet references the parameter cell; the Betriebskosten sheet names it.
    let dir = tempfile::tempdir().unwrap();
    let path = export(&lp, Variant::Pruefmappe, dir.path(), "vr.xlsx");
    let mut wb = open_workbook_auto(&path).unwrap();
    let formulas = wb.worksheet_formula("Richtwerte").unwrap();
    let values = wb.worksheet_range("Richtwerte").unwrap();
    let ost_row = values
        .rows()
        .position(|r| text(r.first()) == "Ost")
        .unwrap() as u32;
    let west_row = values
        .rows()
        .position(|r| text(r.first()) == "West")
        .unwrap() as u32;
    let (vr0, _) = values.start().unwrap();
    let bk_m2 = |row: u32| {
        formulas
            .get_value((vr0 + row, 5))
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(bk_m2(ost_row), "ROUND(KdU_BK_extern_VR1,2)");
    assert!(bk_m2(west_row).contains("BK-Werte"), "{}", bk_m2(west_row));
    let sheet = wb.worksheet_range("Betriebskosten").unwrap();
    let ost = sheet_row(&sheet, "Ost", "Vergleichsraum");
    assert_eq!(
        ost[2],
        "externer Wert: Durchschnitt der kalten Betriebskosten der Bedarfsgemeinschaften, 2023"
    );
    let params = wb.worksheet_range("Parameter").unwrap();
    let named = params
        .rows()
        .find(|r| text(r.get(7)) == "KdU_BK_extern_VR1")
        .expect("per-Vergleichsraum value carries a name");
    assert_eq!(text(named.get(2)), "2.073");
}

#[test]
fn external_value_without_source_text_or_year_is_reported() {
    let mut lp = synthetic();
    set(&mut lp, "operating_costs.source=external");
    set(&mut lp, "operating_costs.external.per_m2=1,85");
    let (_, a) = run(&lp.project, &lp.data);
    let c = check(&a, "betriebskosten");
    assert_eq!(c.status, CheckStatus::Fehler);
    for vr in ["West", "Ost"] {
        assert!(
            c.findings
                .iter()
                .any(|f| f.starts_with(vr) && f.contains("keine Quellenangabe")),
            "{:?}",
            c.findings
        );
        assert!(
            c.findings
                .iter()
                .any(|f| f.starts_with(vr) && f.contains("kein Jahr")),
            "{:?}",
            c.findings
        );
    }
    assert!(
        a.cells
            .iter()
            .all(|c| c.operating_costs_per_m2 == Some(1.85))
    );
    set(
        &mut lp,
        "operating_costs.external.source_text=Betriebskostenspiegel Deutscher Mieterbund",
    );
    set(&mut lp, "operating_costs.external.year=2023");
    let (_, a) = run(&lp.project, &lp.data);
    assert_eq!(check(&a, "betriebskosten").status, CheckStatus::Ok);
    // With the Aufzug split the external value needs its with-lift counterpart.
    set(&mut lp, "operating_costs.lift_split=ja");
    let (_, a) = run(&lp.project, &lp.data);
    assert_eq!(check(&a, "betriebskosten").status, CheckStatus::Warnung);
    assert!(a.cells.iter().all(|c| c.limits_lift.is_none()));
    set(&mut lp, "operating_costs.external.per_m2_lift=2,10");
    let (_, a) = run(&lp.project, &lp.data);
    assert_eq!(check(&a, "betriebskosten").status, CheckStatus::Ok);
    assert!(
        a.cells
            .iter()
            .all(|c| c.operating_costs_per_m2_lift == Some(2.1) && c.limits_lift.is_some())
    );
    // In the Veröffentlichung an external value is never suppressed for a small n.
    set(&mut lp, "min_n=1000");
    let dir = tempfile::tempdir().unwrap();
    let path = export(&lp, Variant::Veroeffentlichung, dir.path(), "pub.xlsx");
    let mut wb = open_workbook_auto(&path).unwrap();
    let sheet = wb.worksheet_range("Betriebskosten").unwrap();
    let west = sheet_row(&sheet, "West", "Vergleichsraum");
    assert_eq!(west[11], "1.85");
}
