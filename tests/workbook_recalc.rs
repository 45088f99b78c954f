//! Recalculates exported Prüfmappen with LibreOffice (headless, throw-away profile that
//! forces recalculation on load) and compares every formula cell's recalculated value with
//! the cached value the program wrote: 0 mismatches allowed.
//!
//! Without `soffice` the test fails when the environment variable `CI` is set and is
//! skipped with a note otherwise. Install: `apt-get install -y libreoffice-calc-nogui`.

// The helpers below are test code too, but outside `#[test]` functions clippy cannot tell.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use calamine::{Data, Reader, open_workbook_auto};
use kdu_konzept::analysis::quantile::QuantileType;
use kdu_konzept::dataset::{Dataset, LoadedProject};
use kdu_konzept::export::{ExportOptions, Variant, workbook_bytes};
use kdu_konzept::model::params::{
    BkLevel, BkStatistic, OutlierMethod, ReferenceMethod, RoundingMode,
};
use kdu_konzept::model::project::{GemeindeRow, VergleichsraumSpec};
use kdu_konzept::model::{Date, Project, Record, SourceKind};
use std::path::{Path, PathBuf};
use std::time::Instant;

mod support;

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

/// Synthetic project: two Vergleichsräume, irregular values (no ties at rounding edges).
fn synthetic(seed: u64) -> LoadedProject {
    let stichtag = Date::from_ymd(2024, 7, 1).unwrap();
    let mut p = Project::new("Recalc", stichtag);
    p.project.salt = "s".into();
    p.vergleichsraeume = vec![
        VergleichsraumSpec {
            name: "West".into(),
            begruendung: String::new(),
            ohne_konzept: false,
        },
        VergleichsraumSpec {
            name: "Ost".into(),
            begruendung: String::new(),
            ohne_konzept: false,
        },
    ];
    p.gemeinden = ["West", "Ost"]
        .iter()
        .enumerate()
        .map(|(i, vr)| GemeindeRow {
            ags: format!("0599900{}", i + 1),
            name: format!("Gemeinde {vr}"),
            vergleichsraum: (*vr).into(),
            einwohner: Some(20_000),
            mietwohnungen: Some(4_000),
            mietstufe: None,
        })
        .collect();
    let mut rng = Lcg(seed);
    let mut records = Vec::new();
    let mut line = 2;
    let areas = [50.0, 65.0, 80.0, 95.0, 110.0];
    for g in 0..2 {
        for class in 0..5 {
            let lower = if class == 0 { 20.0 } else { areas[class - 1] };
            for k in 0..(57 - 4 * class + 13 * g) {
                let area = lower + 0.3 + rng.next() * (areas[class] - lower - 0.3);
                let area = (area * 10.0).round() / 10.0;
                let mut per_m2 = 5.3 + 0.7 * g as f64 + rng.next() * 2.9 - 0.1 * class as f64;
                if k == 5 {
                    per_m2 *= 2.1;
                }
                let rent = (area * per_m2 * 100.0).round() / 100.0;
                let mut r = Record::new(0, line, SourceKind::Bestand, rent, area);
                line += 1;
                r.ags = Some(format!("0599900{}", g + 1));
                if k % 6 != 1 {
                    r.operating_costs =
                        Some((area * (1.3 + rng.next() * 1.9) * 100.0).round() / 100.0);
                }
                r.lift = Some(rng.next() < 0.35);
                // Within the contract window (undated Bestandsmieten are excluded).
                r.contract_start = Date::from_ymd(2023, 6, 1);
                records.push(r);
            }
        }
    }
    LoadedProject {
        path: PathBuf::from("recalc.kdu.toml"),
        project: p,
        data: Dataset {
            records,
            rejections: vec![],
            sources: vec![],
            ..Dataset::default()
        },
        warnings: vec![],
    }
}

fn same(a: &Data, b: &Data) -> bool {
    let as_num = |d: &Data| match d {
        Data::Float(f) => Some(*f),
        Data::Int(i) => Some(*i as f64),
        _ => None,
    };
    match (as_num(a), as_num(b)) {
        (Some(x), Some(y)) => {
            let scale = x.abs().max(y.abs());
            // Money and €/m² are rounded to cents, so they are equal or differ by ≥ 0.01;
            // everything else must agree to 1e-9 relative.
            (x - y).abs() <= 1e-9 * scale || (x == 0.0 && y.abs() < 1e-12)
        }
        _ => a == b,
    }
}

/// Compares every formula cell of `original` with the recalculated file. Returns
/// (formula cells, mismatches as text).
fn compare(original: &Path, recalculated: &Path) -> (usize, Vec<String>) {
    let mut a = open_workbook_auto(original).unwrap();
    let mut b = open_workbook_auto(recalculated).unwrap();
    let mut n = 0;
    let mut bad = Vec::new();
    for sheet in a.sheet_names() {
        let formulas = a.worksheet_formula(&sheet).unwrap();
        let va = a.worksheet_range(&sheet).unwrap();
        let vb = b
            .worksheet_range(&sheet)
            .unwrap_or_else(|e| panic!("Blatt {sheet} fehlt nach LibreOffice: {e}"));
        let Some((r0, c0)) = formulas.start() else {
            continue;
        };
        for (r, c, f) in formulas.cells() {
            if f.is_empty() {
                continue;
            }
            let pos = (r0 + r as u32, c0 + c as u32);
            n += 1;
            let cached = va.get_value(pos).cloned().unwrap_or(Data::Empty);
            let fresh = vb.get_value(pos).cloned().unwrap_or(Data::Empty);
            if !same(&cached, &fresh) {
                bad.push(format!(
                    "{sheet}!{}: gespeichert {cached:?}, LibreOffice {fresh:?}, Formel ={f}",
                    rust_xlsxwriter_cell(pos)
                ));
            }
        }
    }
    (n, bad)
}

fn rust_xlsxwriter_cell((r, c): (u32, u32)) -> String {
    let mut col = String::new();
    let mut c = c + 1;
    while c > 0 {
        let rem = (c - 1) % 26;
        col.insert(0, (b'A' + rem as u8) as char);
        c = (c - 1) / 26;
    }
    format!("{col}{}", r + 1)
}

/// A control file: `=1+1` cached as 5 must come back as 2, proving that the profile
/// really forces recalculation (otherwise 0 mismatches would prove nothing).
fn control_file(path: &Path) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_formula(0, 0, rust_xlsxwriter::Formula::new("=1+1").set_result("5"))
        .unwrap();
    wb.save(path).unwrap();
}

#[test]
fn libreoffice_recalculation_matches_cached_values() {
    let Some(soffice) = support::soffice_or_skip("workbook_recalc") else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    let opts = ExportOptions {
        variant: Variant::Pruefmappe,
        include_ids: false,
    };
    let mut files = Vec::new();

    // 1. The bundled sample project (real import path), default parameters.
    let sample_dir = dir.join("beispiel");
    std::fs::create_dir_all(&sample_dir).unwrap();
    let project_file = kdu_konzept::sample_project::write_sample_project(&sample_dir).unwrap();
    let lp = LoadedProject::load(&project_file, &mut |_, _, _| true).unwrap();
    let (prep, an) = kdu_konzept::analysis::run(&lp.project, &lp.data);
    let path = dir.join("beispiel.xlsx");
    std::fs::write(&path, workbook_bytes(&lp, &prep, &an, &opts).unwrap()).unwrap();
    files.push(path);

    // 1b. The sample project with the iterative procedure (offers), weighting by landlord
    //     type (weighted cells carry values only) and heating limits.
    let mut lp = LoadedProject::load(&project_file, &mut |_, _, _| true).unwrap();
    {
        let names = lp.project.vergleichsraum_names();
        let p = &mut lp.project.parameters;
        p.reference.method = ReferenceMethod::Iterative;
        p.reference.percentile = 0.10;
        p.availability.target_share = 0.35;
        p.representativeness.weighting = true;
        p.representativeness.market_shares = names
            .iter()
            .take(1)
            .map(|n| kdu_konzept::model::params::MarketShare {
                vergleichsraum: n.clone(),
                privat: 0.6,
            })
            .collect();
        p.heating.enabled = true;
        p.heating.gesamtangemessenheitsgrenze = true;
        // The Karenzzeit column, also on cells on the WoGG fallback, and the published table.
        p.karenzzeit.factor = Some(1.5);
        p.richtwerte.published_table = true;
        // Fortschreibung of old limits (irregular amounts and index values).
        let old_limits = names
            .iter()
            .flat_map(|n| {
                (1..=5u32).map(move |h| kdu_konzept::model::params::OldLimit {
                    vergleichsraum: n.clone(),
                    household_size: h,
                    net_cold: 231.17 + 63.29 * f64::from(h),
                    operating_costs: 71.03 + 19.87 * f64::from(h),
                })
            })
            .collect();
        p.fortschreibung = Some(kdu_konzept::model::params::FortschreibungParams {
            old_stichtag: Date::from_ymd(2021, 3, 1),
            index_nkm: kdu_konzept::model::params::IndexSeries {
                series: "VPI Nettokaltmiete".into(),
                period_old: "2021-03".into(),
                value_old: 101.3,
                period_new: "2024-03".into(),
                value_new: 108.7,
                source: "Destatis".into(),
            },
            index_bk: kdu_konzept::model::params::IndexSeries {
                series: "VPI Wohnungsnebenkosten".into(),
                period_old: "2021-03".into(),
                value_old: 99.8,
                period_new: "2024-03".into(),
                value_new: 112.4,
                source: "Destatis".into(),
            },
            old_limits,
        });
    }
    // Recipients' housing costs: the Wirkung sheet with its share and yearly-sum formulas
    // (irregular amounts, households of every size and larger than the largest class).
    lp.data.recipients = Some(
        lp.project
            .gemeinden
            .iter()
            .enumerate()
            .flat_map(|(g, row)| {
                (1..=6u32).map(move |h| kdu_konzept::import::recipients::RecipientRow {
                    line: 2 + 6 * g as u32 + h,
                    vergleichsraum: String::new(),
                    gemeinde: row.name.clone(),
                    household_size: h,
                    gross_cold: 301.37 + 97.13 * f64::from(h) + 11.7 * g as f64,
                    hk: None,
                    count: 1 + (g as u32 * 7 + h * 3) % 5,
                })
            })
            .collect(),
    );
    let (prep, an) = kdu_konzept::analysis::run(&lp.project, &lp.data);
    assert!(
        an.impact.as_ref().is_some_and(|i| i.above_limit > 0),
        "no Wirkung"
    );
    assert!(an.cells.iter().any(|c| c.weighted), "weighting not applied");
    assert!(
        an.cells.iter().any(|c| c.total_limit.is_some()),
        "no Gesamtgrenze"
    );
    assert!(
        an.fortschreibung.as_ref().is_some_and(|f| f.rows.len() > 5),
        "no Fortschreibung"
    );
    assert!(
        an.cells.iter().any(|c| c
            .availability
            .as_ref()
            .is_some_and(|a| a.iteration.len() > 1)),
        "no iteration"
    );
    let path = dir.join("beispiel_iterativ.xlsx");
    std::fs::write(&path, workbook_bytes(&lp, &prep, &an, &opts).unwrap()).unwrap();
    // The heating and Fortschreibung sheets carry formulas that LibreOffice recalculates.
    {
        let mut wb = open_workbook_auto(&path).unwrap();
        for sheet in ["Heizkosten", "Fortschreibung", "Wirkung"] {
            let formulas = wb.worksheet_formula(sheet).unwrap();
            let n = formulas.cells().filter(|(_, _, f)| !f.is_empty()).count();
            assert!(n > 20, "{sheet}: nur {n} Formeln");
        }
    }
    files.push(path);

    // 2. Lift split, BK per cell, quantile type 6, Spannenoberwert, euro rounding up,
    //    IQR outliers.
    let mut lp = synthetic(11);
    {
        let p = &mut lp.project.parameters;
        p.operating_costs.lift_split = true;
        p.operating_costs.level = BkLevel::Cell;
        p.quantile_type = QuantileType::T6;
        p.reference.method = ReferenceMethod::Spannenoberwert;
        p.rounding.mode = RoundingMode::EuroUp;
        p.outliers.method = OutlierMethod::Iqr;
        p.min_n = 20;
        // Heating with yearly boundary values (÷ 12) and the Gesamtgrenze.
        p.heating.enabled = true;
        p.heating.gesamtangemessenheitsgrenze = true;
        p.heating.energietraeger = "Fernwärme".into();
        p.heating.building_area_m2 = 730.0;
        // Warm water produced in the flat: the share is deducted in every Prüfgrenze.
        p.heating.hot_water_decentral = true;
        p.heating.hot_water_share = 0.17;
        // Karenzzeit rounded up to whole euros like the table.
        p.karenzzeit.factor = Some(1.37);
        p.heating.table.unit = kdu_konzept::tables::heizspiegel::PeriodUnit::PerYear;
        for row in &mut p.heating.table.rows {
            for b in &mut row.bands {
                b.value *= 12.37;
            }
        }
    }
    let (prep, an) = kdu_konzept::analysis::run(&lp.project, &lp.data);
    let path = dir.join("variante_a.xlsx");
    std::fs::write(&path, workbook_bytes(&lp, &prep, &an, &opts).unwrap()).unwrap();
    files.push(path);

    // 2b. The sample project with the published table (Richtwerttabelle): Aufzug split, whole
    //     euros rounded up, the Karenzzeit column, external BK for one Vergleichsraum.
    let mut lp = LoadedProject::load(&project_file, &mut |_, _, _| true).unwrap();
    {
        let names = lp.project.vergleichsraum_names();
        let p = &mut lp.project.parameters;
        p.operating_costs.lift_split = true;
        p.rounding.mode = RoundingMode::EuroUp;
        p.karenzzeit.factor = Some(1.37);
        p.richtwerte.published_table = true;
        p.richtwerte.label = kdu_konzept::model::params::LimitLabel::Angemessenheitsgrenze;
        p.operating_costs.vergleichsraeume = vec![kdu_konzept::model::params::VrBk {
            vergleichsraum: names[1].clone(),
            source: kdu_konzept::model::params::BkSource::External,
            per_m2: 2.137,
            per_m2_lift: Some(2.41),
            source_text: "Betriebskostenspiegel (Test)".into(),
            year: Some(2023),
        }];
    }
    let (prep, an) = kdu_konzept::analysis::run(&lp.project, &lp.data);
    assert!(
        an.cells.iter().filter(|c| c.valid).count() > 5,
        "too few valid cells"
    );
    let path = dir.join("veroeffentlichungstabelle.xlsx");
    std::fs::write(&path, workbook_bytes(&lp, &prep, &an, &opts).unwrap()).unwrap();
    {
        let mut wb = open_workbook_auto(&path).unwrap();
        let formulas = wb.worksheet_formula("Richtwerttabelle").unwrap();
        let n = formulas.cells().filter(|(_, _, f)| !f.is_empty()).count();
        assert!(n > 50, "Richtwerttabelle: nur {n} Formeln");
    }
    files.push(path);

    // 3. Type 8, median reference, mean BK, absolute outlier bounds, no €/m² rounding,
    //    commercial euro rounding.
    let mut lp = synthetic(23);
    {
        let p = &mut lp.project.parameters;
        p.quantile_type = QuantileType::T8;
        p.reference.method = ReferenceMethod::Median;
        p.reference.round_per_m2 = false;
        p.operating_costs.statistic = BkStatistic::Mean;
        p.outliers.method = OutlierMethod::Absolute;
        p.rounding.mode = RoundingMode::EuroCommercial;
    }
    let (prep, an) = kdu_konzept::analysis::run(&lp.project, &lp.data);
    let path = dir.join("variante_b.xlsx");
    std::fs::write(&path, workbook_bytes(&lp, &prep, &an, &opts).unwrap()).unwrap();
    files.push(path);

    // 4. Type 4, BK percentile, trimming.
    let mut lp = synthetic(5);
    {
        let p = &mut lp.project.parameters;
        p.quantile_type = QuantileType::T4;
        p.operating_costs.statistic = BkStatistic::Percentile;
        p.operating_costs.percentile = 0.4;
        p.outliers.method = OutlierMethod::Trim;
        p.reference.percentile = 0.4;
    }
    let (prep, an) = kdu_konzept::analysis::run(&lp.project, &lp.data);
    let path = dir.join("variante_c.xlsx");
    std::fs::write(&path, workbook_bytes(&lp, &prep, &an, &opts).unwrap()).unwrap();
    files.push(path);

    let control = dir.join("kontrolle.xlsx");
    control_file(&control);
    files.push(control.clone());

    let out = dir.join("neu");
    let t = Instant::now();
    support::libreoffice_convert(&soffice, dir, &files, "xlsx", &out, true);
    eprintln!("LibreOffice: {} Dateien in {:?}", files.len(), t.elapsed());

    let (_, control_bad) = compare(&control, &out.join("kontrolle.xlsx"));
    assert_eq!(
        control_bad.len(),
        1,
        "Kontrolle: LibreOffice hat nicht neu berechnet ({control_bad:?})"
    );

    let mut total = 0;
    let mut mismatches = Vec::new();
    for f in files.iter().filter(|f| **f != control) {
        let name = f.file_name().unwrap();
        let (n, bad) = compare(f, &out.join(name));
        eprintln!(
            "{}: {n} Formelzellen, {} Abweichungen",
            name.to_string_lossy(),
            bad.len()
        );
        assert!(
            n > 200,
            "{}: zu wenige Formeln ({n})",
            name.to_string_lossy()
        );
        total += n;
        mismatches.extend(bad);
    }
    for m in mismatches.iter().take(25) {
        eprintln!("  {m}");
    }
    eprintln!(
        "Gesamt: {total} Formelzellen, {} Abweichungen",
        mismatches.len()
    );
    assert!(mismatches.is_empty(), "{} Abweichungen", mismatches.len());
}
