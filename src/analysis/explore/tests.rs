//! The explorer on a hand-made record set; every expectation is computed by hand.

use super::*;
use crate::analysis::quantile::quantile_sorted;
use crate::model::{Date, GemeindeRow, Project, Record, VergleichsraumSpec};

fn gemeinde(name: &str, vr: &str) -> GemeindeRow {
    GemeindeRow {
        ags: String::new(),
        name: name.into(),
        vergleichsraum: vr.into(),
        einwohner: None,
        mietwohnungen: None,
        mietstufe: None,
    }
}

/// Three Gemeinden, listed against the alphabet; default parameters (size classes up to 50,
/// 65, 80, 95, 110 m², Bestand and Neuvertrag, contracts since 01.01.2021).
fn project() -> Project {
    let mut p = Project::new("t", Date::from_ymd(2025, 1, 1).unwrap());
    p.vergleichsraeume = ["Stadt", "Land"]
        .iter()
        .map(|n| VergleichsraumSpec {
            name: (*n).into(),
            begruendung: String::new(),
            ohne_konzept: false,
        })
        .collect();
    p.gemeinden = vec![
        gemeinde("Zell", "Land"),
        gemeinde("Bergdorf", "Land"),
        gemeinde("Aestadt", "Stadt"),
    ];
    p
}

/// A Bestand record with NKM/m² `per_m2` on `area` m² in `gemeinde`.
fn rec(row: u32, gemeinde: &str, area: f64, per_m2: f64) -> Record {
    let mut r = Record::new(0, row, SourceKind::Bestand, per_m2 * area, area);
    r.gemeinde = Some(gemeinde.into());
    r.contract_start = Date::from_ymd(2023, 1, 1);
    r
}

/// In scope: Aestadt 1 Person 5, 6, 7, 10 €/m²; Aestadt 2 Personen 8, 9; Bergdorf 1 Person 4.
/// Out of scope: an offer in Bergdorf (12), a flat of 200 m² in Zell (3), a record of an
/// unknown Gemeinde (9).
fn data() -> Dataset {
    let mut records = vec![
        rec(2, "Aestadt", 40.0, 5.0),
        rec(3, "Aestadt", 40.0, 10.0),
        rec(4, "Aestadt", 40.0, 7.0),
        rec(5, "Aestadt", 40.0, 6.0),
        rec(6, "Aestadt", 60.0, 9.0),
        rec(7, "Aestadt", 60.0, 8.0),
        rec(8, "Bergdorf", 45.0, 4.0),
        rec(10, "Zell", 200.0, 3.0),
        rec(11, "Nirgendwo", 40.0, 9.0),
    ];
    let mut offer = rec(9, "Bergdorf", 45.0, 12.0);
    offer.kind = SourceKind::Angebot;
    records.push(offer);
    records[0].year_built = Some(1900);
    records[1].year_built = Some(2015);
    records[2].year_built = Some(1955);
    // Kalte BK: 1,00 and 2,00 €/m²; one amount includes heating and stays out.
    records[0].operating_costs = Some(40.0);
    records[1].operating_costs = Some(80.0);
    records[2].operating_costs = Some(120.0);
    records[2].heating_included = Some(true);
    Dataset {
        records,
        ..Dataset::default()
    }
}

fn explorer(project: &Project, data: &Dataset) -> Explorer {
    let prep = Prepared::new(&data.records, project);
    Explorer::new(data, project, &prep).unwrap()
}

fn query(dimensions: &[Dimension], statistics: &[Statistic]) -> Query {
    Query {
        dimensions: dimensions.to_vec(),
        statistics: statistics.to_vec(),
        ..Query::default()
    }
}

fn keys(t: &ExploreTable) -> Vec<Vec<String>> {
    t.rows.iter().map(|r| r.keys.clone()).collect()
}

const ONE: &str = "1 Person (bis 50 m²)";
const TWO: &str = "2 Personen (über 50 bis 65 m²)";

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn gemeinde_by_size_class_gives_n_median_and_p33_per_cell() {
    let (p, d) = (project(), data());
    let t = explorer(&p, &d).query(&Query::default()).unwrap();
    assert_eq!(
        t.headers(),
        ["Gemeinde", "Größenklasse", "n", "Median", "P33"]
    );
    assert_eq!(
        keys(&t),
        [
            vec!["Aestadt".to_string(), ONE.to_string()],
            vec!["Aestadt".to_string(), TWO.to_string()],
            vec!["Bergdorf".to_string(), ONE.to_string()],
        ]
    );
    // 5, 6, 7, 10: median (6 + 7) / 2; P33 at h = 3 · 0,33 = 0,99 → 5 + 0,99 · (6 − 5).
    let v = &t.rows[0].values;
    assert_eq!(v[0], 4.0);
    assert!(close(v[1], 6.5) && close(v[2], 5.99), "{v:?}");
    // 8, 9: P33 = 8 + 0,33.
    assert!(close(t.rows[1].values[2], 8.33));
    assert_eq!(t.rows[2].values, [1.0, 4.0, 4.0]);
    assert_eq!(t.n_records, 7);
    assert_eq!(t.row_texts(&t.rows[0])[2..], ["4", "6,50", "5,99"]);
}

#[test]
fn the_p33_of_a_cell_equals_the_quantile_function_on_the_cells_values() {
    let (p, d) = (project(), data());
    let prep = Prepared::new(&d.records, &p);
    let t = Explorer::new(&d, &p, &prep)
        .unwrap()
        .query(&query(
            &[Dimension::Gemeinde, Dimension::SizeClass],
            &[Statistic::Percentile(33)],
        ))
        .unwrap();
    // Aestadt is the only Gemeinde of the Vergleichsraum „Stadt“ (index 0).
    let cell = prep.cell(0, 0).unwrap();
    assert_eq!(cell.values, [5.0, 6.0, 7.0, 10.0]);
    let derivation = quantile_sorted(&cell.values, 0.33, p.parameters.quantile_type).unwrap();
    assert_eq!(t.rows[0].values[0].to_bits(), derivation.to_bits());
}

#[test]
fn the_project_quantile_type_is_used() {
    let (mut p, d) = (project(), data());
    p.parameters.quantile_type = QuantileType::T1;
    let t = explorer(&p, &d)
        .query(&query(&[Dimension::Gemeinde], &[Statistic::Percentile(33)]))
        .unwrap();
    // Aestadt 5, 6, 7, 8, 9, 10; type 1: x_k with k = ⌈6 · 0,33⌉ = 2.
    assert_eq!(t.rows[0].values, [6.0]);
}

#[test]
fn a_filter_keeps_one_gemeinde_whatever_the_spelling() {
    let (p, d) = (project(), data());
    let e = explorer(&p, &d);
    let mut q = query(&[Dimension::SizeClass], &[Statistic::N, Statistic::Mean]);
    q.filter = Some(Filter::parse("gemeinde=AESTADT").unwrap());
    let t = e.query(&q).unwrap();
    assert_eq!(keys(&t), [vec![ONE.to_string()], vec![TWO.to_string()]]);
    // (5 + 6 + 7 + 10) / 4 and (8 + 9) / 2.
    assert_eq!(t.rows[0].values, [4.0, 7.0]);
    assert_eq!(t.rows[1].values, [2.0, 8.5]);
    assert!(
        t.description.contains("nur Gemeinde = „Aestadt“"),
        "{}",
        t.description
    );
    // A size class by its household size.
    q.filter = Some(Filter::parse("größe=2").unwrap());
    q.dimensions = vec![Dimension::Gemeinde];
    assert_eq!(keys(&e.query(&q).unwrap()), [vec!["Aestadt".to_string()]]);
}

#[test]
fn all_records_include_those_the_analysis_leaves_out_sorted_with_missing_keys_last() {
    let (p, d) = (project(), data());
    let e = explorer(&p, &d);
    let mut q = query(&[Dimension::Gemeinde], &[Statistic::N, Statistic::Max]);
    q.all_records = true;
    let t = e.query(&q).unwrap();
    let rows: Vec<(String, Vec<f64>)> = t
        .rows
        .iter()
        .map(|r| (r.keys[0].clone(), r.values.clone()))
        .collect();
    assert_eq!(
        rows,
        [
            ("Aestadt".to_string(), vec![6.0, 10.0]),
            ("Bergdorf".to_string(), vec![2.0, 12.0]),
            // Outside the Gemeinde table: kept under the name the record gives.
            (
                "Nirgendwo (nicht in der Gemeindetabelle)".to_string(),
                vec![1.0, 9.0]
            ),
            ("Zell".to_string(), vec![1.0, 3.0]),
        ]
    );
    q.dimensions = vec![Dimension::SizeClass, Dimension::Kind];
    let t = e.query(&q).unwrap();
    assert_eq!(
        keys(&t),
        [
            vec![ONE.to_string(), "Angebotsmieten".to_string()],
            vec![ONE.to_string(), "Bestandsmieten".to_string()],
            vec![TWO.to_string(), "Bestandsmieten".to_string()],
            vec![
                "außerhalb der Größenklassen".to_string(),
                "Bestandsmieten".to_string()
            ],
        ]
    );
    assert_eq!(
        e.values(Dimension::Gemeinde, false),
        ["Aestadt", "Bergdorf"]
    );
}

#[test]
fn baujahr_classes_keep_their_chronological_order() {
    let (p, d) = (project(), data());
    let t = explorer(&p, &d)
        .query(&query(&[Dimension::YearBuilt], &[Statistic::N]))
        .unwrap();
    let k: Vec<String> = t.rows.iter().map(|r| r.keys[0].clone()).collect();
    assert_eq!(k, ["bis 1918", "1949–1968", "ab 2011", "ohne Angabe"]);
    assert_eq!(t.rows[3].values, [4.0]);
}

#[test]
fn without_dimensions_one_row_summarises_all_records() {
    let (p, d) = (project(), data());
    let t = explorer(&p, &d)
        .query(&query(
            &[],
            &[Statistic::N, Statistic::Min, Statistic::Median],
        ))
        .unwrap();
    // 4, 5, 6, 7, 8, 9, 10.
    assert_eq!(t.rows.len(), 1);
    assert_eq!(t.rows[0].values, [7.0, 4.0, 7.0]);
}

#[test]
fn bk_per_m2_leaves_out_amounts_including_heating() {
    let (p, d) = (project(), data());
    let mut q = query(&[Dimension::Gemeinde], &[Statistic::N, Statistic::Median]);
    q.measure = Measure::BkPerM2;
    let t = explorer(&p, &d).query(&q).unwrap();
    assert_eq!(keys(&t), [vec!["Aestadt".to_string()]]);
    assert_eq!(t.rows[0].values, [2.0, 1.5]);
}

#[test]
fn unknown_names_are_german_errors() {
    assert_eq!(Dimension::parse("VR").unwrap(), Dimension::Vergleichsraum);
    assert_eq!(Dimension::parse("Größe").unwrap(), Dimension::SizeClass);
    assert_eq!(Statistic::parse("P33").unwrap(), Statistic::Percentile(33));
    let e = Dimension::parse("stadtteil").unwrap_err();
    assert!(
        e.to_string()
            .starts_with("Unbekannte Dimension „stadtteil“"),
        "{e}"
    );
    for bad in ["p0", "p100", "quartil"] {
        let e = Statistic::parse(bad).unwrap_err();
        assert!(e.to_string().contains("Unbekannte Kennzahl"), "{e}");
    }
    assert!(matches!(
        Filter::parse("gemeinde"),
        Err(ExploreError::BadFilter(_))
    ));
    let (p, d) = (project(), data());
    let q = Query {
        filter: Some(Filter::parse("gemeinde=Atlantis").unwrap()),
        ..Query::default()
    };
    let e = explorer(&p, &d).query(&q).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("„Atlantis“ kommt als Gemeinde nicht vor; vorhanden: „Aestadt“"),
        "{e}"
    );
}

#[test]
fn csv_has_semicolons_and_decimal_commas() {
    let (p, d) = (project(), data());
    let t = explorer(&p, &d).query(&Query::default()).unwrap();
    let text = String::from_utf8(write::csv_bytes(&t).unwrap()).unwrap();
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines[0], "Gemeinde;Größenklasse;n;Median;P33");
    assert_eq!(lines[1], "Aestadt;1 Person (bis 50 m²);4;6,50;5,99");
    assert_eq!(lines.len(), 4);
}
