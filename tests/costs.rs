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
            ..Dataset::default()
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

// ---------------------------------------------------------------------------------------------
// Heating: the matrix

/// A checked table (not the example): two Energieträger, two bands, yearly values.
fn two_by_two_table() -> kdu_konzept::tables::heizspiegel::HeizspiegelTable {
    use kdu_konzept::tables::heizspiegel::{
        HeizspiegelBand, HeizspiegelRow, HeizspiegelTable, PeriodUnit,
    };
    let row = |name: &str, a: f64, b: f64| HeizspiegelRow {
        energietraeger: name.into(),
        bands: vec![
            HeizspiegelBand {
                lower_m2: 0.0,
                upper_m2: Some(500.0),
                value: a,
            },
            HeizspiegelBand {
                lower_m2: 500.0,
                upper_m2: None,
                value: b,
            },
        ],
        source: "Testtabelle".into(),
    };
    HeizspiegelTable {
        edition: "Heizspiegel 2024 (Test)".into(),
        year: 2024,
        source: "Testquelle".into(),
        is_example: false,
        column: "zu hoch".into(),
        unit: PeriodUnit::PerYear,
        rows: vec![row("Erdgas", 16.80, 14.40), row("Fernwärme", 19.20, 17.64)],
        note: String::new(),
    }
}

#[test]
fn heating_matrix_against_hand_computed_values() {
    let mut lp = synthetic();
    {
        let h = &mut lp.project.parameters.heating;
        h.enabled = true;
        h.gesamtangemessenheitsgrenze = true;
        h.table = two_by_two_table();
        h.energietraeger = "Fernwärme".into();
        h.building_area_m2 = 720.0;
    }
    // By hand, yearly values ÷ 12 × m²:
    //   1 person (50 m²): Erdgas ≤ 500 m² 16,80/12 × 50 = 70,00; > 500 m² 14,40/12 × 50 = 60,00;
    //                     Fernwärme 19,20/12 × 50 = 80,00; 17,64/12 × 50 = 73,50.
    //   3 persons (80 m²): Erdgas 112,00 / 96,00; Fernwärme 128,00 / 117,60.
    let expected = |size: u32, decentral: bool| -> Vec<(&str, usize, f64)> {
        let raw = match size {
            1 => [70.0, 60.0, 80.0, 73.5],
            3 => [112.0, 96.0, 128.0, 117.6],
            _ => unreachable!(),
        };
        // Decentral warm water: × (1 − 0,18): 57,40 49,20 65,60 60,27 | 91,84 78,72 104,96 96,43.
        let dec = match size {
            1 => [57.4, 49.2, 65.6, 60.27],
            _ => [91.84, 78.72, 104.96, 96.43],
        };
        let v = if decentral { dec } else { raw };
        vec![
            ("Erdgas", 0, v[0]),
            ("Erdgas", 1, v[1]),
            ("Fernwärme", 0, v[2]),
            ("Fernwärme", 1, v[3]),
        ]
    };
    for decentral in [false, true] {
        lp.project.parameters.heating.hot_water_decentral = decentral;
        let (_, a) = run(&lp.project, &lp.data);
        for size in [1, 3] {
            for c in a.cells.iter().filter(|c| c.household_size == size) {
                let got: Vec<(&str, usize, f64)> = c
                    .heating_limits
                    .iter()
                    .map(|l| (l.energietraeger.as_str(), l.band, l.limit))
                    .collect();
                assert_eq!(got, expected(size, decentral), "{size} P, {decentral}");
                // The Richtwerte column: Fernwärme, 720 m² building → band 2.
                assert_eq!(c.heating_limit, Some(expected(size, decentral)[3].2));
                for l in &c.heating_limits {
                    let total = c
                        .applied_limit
                        .map(|g| kdu_konzept::analysis::limits::round_cents(g + l.limit));
                    assert_eq!(l.total_limit, total);
                }
            }
        }
        // The JSON gives every cell the matrix.
        let v = serde_json::to_value(kdu_konzept::cli::cells_json(&a)).unwrap();
        let first = &v[0]["heating_limits"];
        assert_eq!(first.as_array().unwrap().len(), 4);
        assert_eq!(first[1]["energietraeger"], "Erdgas");
        assert_eq!(first[1]["band_lower_m2"], 500.0);
        assert_eq!(first[1]["limit"], expected(1, decentral)[1].2);
    }
    // A decentral warm-water deduction needs a justification.
    let (_, a) = run(&lp.project, &lp.data);
    let c = check(&a, "heizkosten");
    assert_eq!(c.status, CheckStatus::Warnung, "{:?}", c.findings);
    lp.project.justifications.insert(
        "heating.hot_water_share".into(),
        "Anteil nach der verwendeten Heizspiegel-Ausgabe".into(),
    );
    let (_, a) = run(&lp.project, &lp.data);
    assert_eq!(check(&a, "heizkosten").status, CheckStatus::Hinweis);

    // The sheet prints the whole matrix as Prüfgrenzen, naming edition and column.
    let dir = tempfile::tempdir().unwrap();
    let path = export(&lp, Variant::Veroeffentlichung, dir.path(), "heiz.xlsx");
    let mut wb = open_workbook_auto(&path).unwrap();
    let sheet = wb.worksheet_range("Heizkosten").unwrap();
    let all: Vec<String> = sheet.rows().flatten().map(ToString::to_string).collect();
    assert!(all.iter().any(|t| t.contains("Prüfgrenze")
        && t.contains("keine Kappungsgrenze")
        && t.contains("B 14 AS 57/19 R")
        && t.contains("„zu hoch“")
        && t.contains("Heizspiegel 2024 (Test)")));
    for h in [
        "Erdgas, Gebäudefläche bis 500 m²",
        "Erdgas, Gebäudefläche über 500 m²",
        "Fernwärme, Gebäudefläche bis 500 m²",
        "Fernwärme, Gebäudefläche über 500 m²",
    ] {
        assert!(all.iter().any(|t| t == h), "{h} missing");
    }
    let three = sheet_row(&sheet, "3 Personen", "80");
    assert_eq!(&three[2..6], ["91.84", "78.72", "104.96", "96.43"]);
}

#[test]
fn the_example_table_stays_an_example_when_only_the_mark_is_removed() {
    let mut lp = synthetic();
    lp.project.parameters.heating.enabled = true;
    lp.project.parameters.heating.table.is_example = false;
    let (_, a) = run(&lp.project, &lp.data);
    let c = check(&a, "heizkosten");
    assert!(
        c.findings
            .iter()
            .any(|f| f.contains("Beispieltabelle") && f.contains("nur die Markierung")),
        "{:?}",
        c.findings
    );
    let dir = tempfile::tempdir().unwrap();
    let path = export(&lp, Variant::Veroeffentlichung, dir.path(), "bsp.xlsx");
    let mut wb = open_workbook_auto(&path).unwrap();
    let sheet = wb.worksheet_range("Heizkosten").unwrap();
    assert!(
        sheet
            .rows()
            .flatten()
            .any(|d| d.to_string().starts_with("ACHTUNG – Beispieltabelle"))
    );
    // A changed value makes it the user's table.
    lp.project.parameters.heating.table.rows[0].bands[0].value = 3.40;
    let (_, a) = run(&lp.project, &lp.data);
    assert!(
        !check(&a, "heizkosten")
            .findings
            .iter()
            .any(|f| f.contains("Beispieltabelle"))
    );
}

// ---------------------------------------------------------------------------------------------
// The Karenzzeit column

/// The synthetic project with Ost on the WoGG fallback and two Gemeinden of different
/// Mietstufen there (so its applied limit differs per Gemeinde).
fn with_fallback_per_gemeinde() -> LoadedProject {
    let mut lp = synthetic();
    lp.project.vergleichsraeume[1].ohne_konzept = true;
    lp.project.gemeinden.push(GemeindeRow {
        ags: "05999003".into(),
        name: "Gemeinde Ost-Land".into(),
        vergleichsraum: "Ost".into(),
        einwohner: Some(3_000),
        mietwohnungen: Some(500),
        mietstufe: Some(1),
    });
    lp
}

#[test]
fn karenzzeit_column_in_app_state_json_and_workbook() {
    use kdu_konzept::app::{AppState, Command};
    use kdu_konzept::model::catalogue::Value;
    let lp = with_fallback_per_gemeinde();
    let (_, off) = run(&lp.project, &lp.data);
    assert!(off.cells.iter().all(|c| c.karenzzeit_limit.is_none()));

    // App state: the intent command of the Parameter screen, with undo.
    let mut state = AppState::new(None, None);
    state.set_loaded(lp);
    state.handle(Command::SetParam {
        path: "karenzzeit.factor",
        value: Value::Optional(Some(1.5)),
    });
    let doc = state.doc().unwrap();
    let a = doc.analysis();
    let round = kdu_konzept::analysis::limits::round_cents;
    let mut per_gemeinde = 0;
    for c in &a.cells {
        match c.applied_limit {
            Some(applied) => assert_eq!(c.karenzzeit_limit, Some(round(1.5 * applied))),
            None => {
                assert_eq!(c.vergleichsraum, "Ost");
                assert_eq!(c.karenzzeit_limit, None);
                assert_eq!(c.applied_by_gemeinde.len(), 2);
                for g in &c.applied_by_gemeinde {
                    assert_eq!(g.karenzzeit_limit, Some(round(1.5 * g.limit.unwrap())));
                }
                assert!(
                    c.karenzzeit_german()
                        .starts_with("je Gemeinde: Gemeinde Ost ")
                );
                per_gemeinde += 1;
            }
        }
    }
    assert_eq!(per_gemeinde, 5);
    let west1 = a.cells[0].karenzzeit_limit.unwrap();
    assert!(a.cells[0].valid);

    // JSON.
    let v = serde_json::to_value(kdu_konzept::cli::cells_json(a)).unwrap();
    assert_eq!(v[0]["karenzzeit_limit"], west1);
    let ost = v
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["vergleichsraum"] == "Ost")
        .unwrap();
    assert_eq!(ost["karenzzeit_limit"], serde_json::Value::Null);
    assert!(ost["applied_by_gemeinde"][1]["karenzzeit_limit"].is_number());

    // Workbook: the column in Richtwerte, a formula over the factor in the Prüfmappe.
    let lp = state.doc().unwrap().lp();
    let dir = tempfile::tempdir().unwrap();
    let path = export(lp, Variant::Pruefmappe, dir.path(), "karenz.xlsx");
    let mut wb = open_workbook_auto(&path).unwrap();
    let sheet = wb.worksheet_range("Richtwerte").unwrap();
    let formulas = wb.worksheet_formula("Richtwerte").unwrap();
    let (r0, c0) = sheet.start().unwrap();
    let header: Vec<String> = sheet
        .rows()
        .find(|r| text(r.first()) == "Vergleichsraum")
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    let col = header
        .iter()
        .position(|h| h == "Grenze in der Karenzzeit € (Faktor 1,5)")
        .unwrap_or_else(|| panic!("{header:?}"));
    let row = sheet_row(&sheet, "West", "1 Person");
    assert_eq!(row[col], west1.to_string());
    let west_row = sheet
        .rows()
        .position(|r| text(r.first()) == "West")
        .unwrap() as u32;
    let f = formulas
        .get_value((r0 + west_row, c0 + col as u32))
        .cloned()
        .unwrap_or_default();
    assert!(f.contains("KdU_Karenzzeit_Faktor*"), "{f}");
    let ost = sheet_row(&sheet, "Ost", "1 Person");
    assert!(
        ost.last()
            .unwrap()
            .contains("Karenzzeit je Gemeinde: Gemeinde Ost "),
        "{ost:?}"
    );
    let all: Vec<String> = sheet.rows().flatten().map(ToString::to_string).collect();
    assert!(all.iter().any(
        |t| t.starts_with("Grenze in der Karenzzeit = 1,50 × geltende Grenze")
            && t.contains("vom Anwender anhand der verkündeten Fassung zu bestätigen")
    ));
}

#[test]
fn karenzzeit_column_on_the_results_screen() {
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;
    use kdu_konzept::app::{Command, KduApp, Screen};
    let mut lp = synthetic();
    set(&mut lp, "karenzzeit.factor=1,5");
    let (_, a) = run(&lp.project, &lp.data);
    let first = kdu_konzept::fmt::euro(a.cells[0].karenzzeit_limit.unwrap());
    let mut h = Harness::builder()
        .with_size(egui::vec2(1800.0, 900.0))
        .build_eframe(move |_cc| KduApp::with_loaded(lp));
    h.state_mut()
        .state_mut()
        .handle(Command::Navigate(Screen::Ergebnisse));
    h.run();
    assert!(h.query_by_label("Karenzzeit €").is_some());
    assert!(h.query_by_label(&first).is_some(), "{first}");
}

// ---------------------------------------------------------------------------------------------
// The table a jobcenter publishes

#[test]
fn published_table_with_numbered_columns_and_rules() {
    let mut lp = synthetic();
    set(&mut lp, "richtwerte.published_table=ja");
    set(&mut lp, "richtwerte.label=angemessenheitsgrenze");
    set(&mut lp, "operating_costs.lift_split=ja");
    set(&mut lp, "karenzzeit.factor=1.5");
    let (_, a) = run(&lp.project, &lp.data);
    let dir = tempfile::tempdir().unwrap();
    let path = export(&lp, Variant::Veroeffentlichung, dir.path(), "tabelle.xlsx");
    let mut wb = open_workbook_auto(&path).unwrap();
    let names = wb.sheet_names();
    assert_eq!(names[2], "Richtwerttabelle", "{names:?}");
    let sheet = wb.worksheet_range("Richtwerttabelle").unwrap();
    let formulas = wb.worksheet_formula("Richtwerttabelle").unwrap();
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(ToString::to_string).collect())
        .collect();
    let all: Vec<&String> = rows.iter().flatten().collect();
    assert!(all[0].contains("Angemessenheitsgrenze"), "{}", all[0]);
    let numbers = rows
        .iter()
        .position(|r| r.first().is_some_and(|t| t == "1"))
        .unwrap();
    let expected: Vec<String> = (1..=11).map(|n| n.to_string()).collect();
    assert_eq!(rows[numbers][..11], expected[..]);
    assert_eq!(
        rows[numbers + 1][6],
        "Angemessenheitsgrenze Bruttokaltmiete ohne Aufzug (€)"
    );
    assert_eq!(
        rows[numbers + 2][3..11],
        [
            "Produkt aus Spalte 2 und 3",
            "",
            "Produkt aus Spalte 2 und 5",
            "Summe aus Spalte 4 und 6",
            "",
            "Produkt aus Spalte 2 und 8",
            "Summe aus Spalte 4 und 9",
            "Produkt aus Spalte 7 und 1,50",
        ]
    );
    // The values are the analysis' and every product and sum is a formula of its row.
    let c = &a.cells[1];
    let (r0, _) = sheet.start().unwrap();
    let r = rows
        .iter()
        .position(|r| r.first().is_some_and(|t| t == "2 Personen"))
        .unwrap();
    let l = c.limits.unwrap();
    let ll = c.limits_lift.unwrap();
    assert_eq!(rows[r][3], l.net_cold.to_string());
    assert_eq!(rows[r][6], l.gross_cold.to_string());
    assert_eq!(rows[r][9], ll.gross_cold.to_string());
    assert_eq!(rows[r][10], c.karenzzeit_limit.unwrap().to_string());
    let excel_row = r0 + r as u32 + 1;
    let f = |col: u32| {
        formulas
            .get_value((r0 + r as u32, col))
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(f(3), format!("ROUND(B{excel_row}*C{excel_row},2)"));
    assert_eq!(f(6), format!("ROUND(D{excel_row}+F{excel_row},2)"));
    assert_eq!(f(9), format!("ROUND(D{excel_row}+I{excel_row},2)"));
    assert_eq!(
        f(10),
        format!("ROUND(KdU_Karenzzeit_Faktor*G{excel_row},2)")
    );
    assert!(
        rows.iter()
            .any(|r| r.first().is_some_and(|t| t == "je weitere Person"))
    );
}

#[test]
fn a_table_that_does_not_recompute_is_not_exported() {
    use kdu_konzept::export::{ExportError, PublishedRow, verify_published};
    use kdu_konzept::model::params::RoundingMode;
    // The published Kreis Düren table of 01.01.2023, 2 persons: 65 × 2,02 = 131,30, printed 131,10.
    let row = PublishedRow {
        vergleichsraum: "Kreis Düren".into(),
        household: "2 Personen".into(),
        area_m2: 65.0,
        net_rent_per_m2: Some(5.37),
        net_rent: Some(349.05),
        bk_per_m2: Some(2.02),
        bk: Some(131.10),
        gross_cold: Some(480.35),
        bk_per_m2_lift: Some(2.27),
        bk_lift: Some(147.55),
        gross_cold_lift: Some(496.60),
        ..PublishedRow::default()
    };
    let e = verify_published(&[row], RoundingMode::Cents, None, true).unwrap_err();
    assert!(
        e.contains("Spalte 6: angegeben 131,10 €, nachgerechnet 65 × 2,02 = 131,30 €"),
        "{e}"
    );
    assert!(!e.contains("Spalte 9"), "{e}");

    // €/m² not rounded to cents: the printed products do not recompute, the export stops.
    let mut lp = synthetic();
    set(&mut lp, "richtwerte.published_table=ja");
    set(&mut lp, "reference.round_per_m2=nein");
    let (prep, an) = run(&lp.project, &lp.data);
    let opts = ExportOptions::default();
    match workbook_bytes(&lp, &prep, &an, &opts) {
        Err(ExportError::Recompute(m)) => {
            assert!(
                m.starts_with(
                    "Die Richtwerttabelle rechnet nicht auf den Cent nach: West, 1 Person, Spalte 4"
                ),
                "{m}"
            );
            assert!(m.contains("€/m² auf Cent runden"), "{m}");
        }
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("a table that does not recompute was exported"),
    }
    // Without the published table the same project exports.
    set(&mut lp, "richtwerte.published_table=nein");
    let (prep, an) = run(&lp.project, &lp.data);
    assert!(workbook_bytes(&lp, &prep, &an, &opts).is_ok());
}
