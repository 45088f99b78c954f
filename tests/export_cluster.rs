//! The workbook's Clusteranalyse sheet, read back with calamine: written only with a cluster
//! run; indicators, silhouette, merges and the proposal beside the Vergleichsraum formed; with
//! the indicator file gone, the stored proposal.

#![allow(clippy::unwrap_used)]

use calamine::{Data, Reader, open_workbook_auto};
use kdu_konzept::dataset::{Dataset, LoadedProject};
use kdu_konzept::export::{ExportOptions, write_workbook};
use kdu_konzept::model::cluster::{ClusterK, ClusterSpec, ProposalEntry};
use kdu_konzept::model::project::{GemeindeRow, TableRef, VergleichsraumSpec};
use kdu_konzept::model::{Date, Project, Record, SourceKind};

/// Rent levels (median NKM/m²) A 5, B 9.1, C 9, D 9.4; A and B form „Nord“, C and D „Süd“.
/// Each Gemeinde has nine 50 m² flats at level − 0.4 … level + 0.4, so its median is its level.
fn project(cluster: Option<ClusterSpec>) -> LoadedProject {
    let stichtag = Date::from_ymd(2025, 1, 1).unwrap();
    let mut p = Project::new("Clusterkreis", stichtag);
    p.project.erstellt = Some(stichtag);
    p.parameters.wohnflaechen.confirmed = true;
    for vr in ["Nord", "Süd"] {
        p.vergleichsraeume.push(VergleichsraumSpec {
            name: vr.into(),
            begruendung: "Mittelbereich".into(),
            ohne_konzept: false,
        });
    }
    let levels = [
        ("A", "Nord", 5.0),
        ("B", "Nord", 9.1),
        ("C", "Süd", 9.0),
        ("D", "Süd", 9.4),
    ];
    let mut records = Vec::new();
    let mut line = 2;
    for (i, (name, vr, level)) in levels.iter().enumerate() {
        p.gemeinden.push(GemeindeRow {
            ags: format!("0599900{}", i + 1),
            name: (*name).into(),
            vergleichsraum: (*vr).into(),
            einwohner: Some(5_000),
            mietwohnungen: Some(1_000),
            mietstufe: Some(3),
        });
        for k in 0..9 {
            let per_m2 = level + 0.1 * (f64::from(k) - 4.0);
            let mut r = Record::new(0, line, SourceKind::Bestand, per_m2 * 50.0, 50.0);
            line += 1;
            r.gemeinde = Some((*name).into());
            r.contract_start = Date::from_ymd(2024, 1, 1);
            records.push(r);
        }
    }
    p.cluster = cluster;
    LoadedProject {
        path: "/nirgends/projekt.kdu.toml".into(),
        project: p,
        data: Dataset {
            records,
            ..Dataset::default()
        },
        warnings: vec![],
    }
}

type Range = calamine::Range<Data>;

fn export(
    lp: &LoadedProject,
) -> (
    calamine::Sheets<std::io::BufReader<std::fs::File>>,
    tempfile::TempDir,
) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mappe.xlsx");
    let (prep, an) = kdu_konzept::analysis::run(&lp.project, &lp.data);
    write_workbook(&path, lp, &prep, &an, &ExportOptions::default()).unwrap();
    (open_workbook_auto(&path).unwrap(), dir)
}

fn text(r: &Range, row: u32, col: u32) -> String {
    match r.get_value((row, col)) {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Float(f)) => f.to_string(),
        Some(Data::Int(i)) => i.to_string(),
        _ => String::new(),
    }
}

fn num(r: &Range, row: u32, col: u32) -> f64 {
    match r.get_value((row, col)) {
        Some(Data::Float(f)) => *f,
        Some(Data::Int(i)) => *i as f64,
        other => panic!("no number at ({row}, {col}): {other:?}"),
    }
}

/// The row whose first cell is `first`.
fn row_of(r: &Range, first: &str) -> u32 {
    let (h, _) = r.end().unwrap();
    (0..=h)
        .find(|&i| text(r, i, 0) == first)
        .unwrap_or_else(|| panic!("{first}"))
}

#[test]
fn the_sheet_shows_indicators_silhouette_merges_and_the_proposal() {
    let spec = ClusterSpec {
        rent_level: true,
        k: ClusterK::Fixed(2),
        ..ClusterSpec::default()
    };
    let (mut wb, _dir) = export(&project(Some(spec)));
    let names = wb.sheet_names();
    let at = |s: &str| names.iter().position(|n| n == s).unwrap();
    assert_eq!(at("Clusteranalyse"), at("Vergleichsräume") + 1);
    let r = wb.worksheet_range("Clusteranalyse").unwrap();
    assert!(text(&r, 1, 0).contains("nur ein Vorschlag"));
    assert!(text(&r, 1, 0).contains("B 14 AS 24/18 R"));
    assert!(text(&r, 3, 1).starts_with("z-Werte"));
    // Indicator with weight.
    let i = row_of(&r, "Indikator");
    assert_eq!(text(&r, i + 1, 0), "Mietniveau (Median NKM €/m²)");
    assert_eq!(num(&r, i + 1, 1), 1.0);
    // Silhouette for k = 2 and 3 (n − 1 = 3), k = 2 chosen.
    let s = row_of(&r, "k");
    assert_eq!((num(&r, s + 1, 0), text(&r, s + 1, 2)), (2.0, "ja".into()));
    assert_eq!(
        (num(&r, s + 2, 0), text(&r, s + 2, 2)),
        (3.0, String::new())
    );
    // Merges: B (1) + C (2) first, at the z-distance 0.1 / SD of (5, 9.1, 9, 9.4): mean 8.125,
    // population variance (3.125² + 0.975² + 0.875² + 1.275²) / 4 = 3.276875; then D (3) with
    // them (5, size 3), then A (0) with all (6, size 4).
    let m = row_of(&r, "a");
    let sd = 3.276875f64.sqrt();
    assert_eq!(
        (num(&r, m + 1, 0), num(&r, m + 1, 1), num(&r, m + 1, 3)),
        (1.0, 2.0, 2.0)
    );
    assert!(
        (num(&r, m + 1, 2) - 0.1 / sd).abs() < 1e-6,
        "{}",
        num(&r, m + 1, 2)
    );
    assert_eq!(
        (num(&r, m + 2, 0), num(&r, m + 2, 1), num(&r, m + 2, 3)),
        (3.0, 4.0, 3.0)
    );
    assert_eq!(
        (num(&r, m + 3, 0), num(&r, m + 3, 1), num(&r, m + 3, 3)),
        (0.0, 5.0, 4.0)
    );
    // Proposal beside the Vergleichsraum formed: {A} | {B, C, D}; in Nord A and B tie, the
    // majority goes to the lower cluster 1, so B deviates.
    let g = row_of(&r, "Gemeinde");
    let rows: Vec<(String, f64, String, String)> = (1..=4)
        .map(|k| {
            (
                text(&r, g + k, 0),
                num(&r, g + k, 2),
                text(&r, g + k, 3),
                text(&r, g + k, 4),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            ("A".into(), 1.0, "Nord".into(), String::new()),
            ("B".into(), 2.0, "Nord".into(), "ja".into()),
            ("C".into(), 2.0, "Süd".into(), String::new()),
            ("D".into(), 2.0, "Süd".into(), String::new()),
        ]
    );
    // Deckblatt, Prüfkatalog and Methodentext name it.
    let deck = wb.worksheet_range("Deckblatt").unwrap();
    assert!(
        deck.used_cells()
            .any(|(_, _, d)| matches!(d, Data::String(s) if s == "Clusteranalyse"))
    );
    let method = wb.worksheet_range("Methodentext").unwrap();
    assert!(method.used_cells().any(
        |(_, _, d)| matches!(d, Data::String(s) if s.contains("Ward-Verfahren") && s.contains("nur ein Vorschlag"))
    ));
    let katalog = wb.worksheet_range("BSG-Prüfkatalog").unwrap();
    assert!(katalog.used_cells().any(
        |(_, _, d)| matches!(d, Data::String(s) if s.contains("Clusteranalyse (Mietniveau der Daten) diente nur als Vorschlag"))
    ));
}

#[test]
fn without_the_indicator_file_the_stored_proposal_is_shown() {
    let spec = ClusterSpec {
        indicators: Some(TableRef {
            path: "fehlt.csv".into(),
            sheet: None,
            sha256: String::new(),
        }),
        proposal: vec![ProposalEntry {
            gemeinde: "C".into(),
            ags: "05999003".into(),
            cluster: 2,
        }],
        ..ClusterSpec::default()
    };
    let (mut wb, _dir) = export(&project(Some(spec)));
    let r = wb.worksheet_range("Clusteranalyse").unwrap();
    let g = row_of(&r, "Gemeinde");
    assert!(text(&r, g - 2, 0).contains("„fehlt.csv“"));
    assert_eq!(
        (
            text(&r, g + 1, 0),
            text(&r, g + 1, 1),
            num(&r, g + 1, 2),
            text(&r, g + 1, 3)
        ),
        ("C".into(), "05999003".into(), 2.0, "Süd".into())
    );
}

#[test]
fn without_a_cluster_run_there_is_no_sheet() {
    let (wb, _dir) = export(&project(None));
    assert!(!wb.sheet_names().iter().any(|n| n == "Clusteranalyse"));
}
