//! The data explorer on the bundled sample project (Landkreis Musterland): the `explore`
//! command (table, JSON, files, wrong names), and a group's P33 against the quantile function
//! on the values of the records the analysis put into that Gemeinde and size class.

// unwrap/expect are fine in tests (helpers outside #[test] are not covered by clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kdu_konzept::analysis::prepare::RecordStatus;
use kdu_konzept::analysis::quantile::{quantile_sorted, sort_values};
use kdu_konzept::analysis::{self};
use kdu_konzept::dataset::LoadedProject;
use kdu_konzept::sample_project::write_sample_project;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

fn sample() -> &'static (tempfile::TempDir, PathBuf) {
    static SAMPLE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let project = write_sample_project(dir.path()).unwrap();
        (dir, project)
    })
}

fn project() -> &'static str {
    sample().1.to_str().unwrap()
}

fn bin(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kdu-konzept"))
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("the binary runs")
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// NKM/m² of the records the analysis put into Gemeinde `name` and size class `class`.
fn cell_values(name: &str, class: u8) -> Vec<f64> {
    let lp = LoadedProject::load(Path::new(project()), &mut |_, _, _| true).unwrap();
    let (prep, _) = analysis::run(&lp.project, &lp.data);
    let g = lp
        .project
        .gemeinden
        .iter()
        .position(|g| g.name == name)
        .unwrap() as u32;
    let mut values: Vec<f64> = lp
        .data
        .records
        .iter()
        .enumerate()
        .filter(|(i, _)| {
            prep.gemeinde_of[*i] == Some(g)
                && matches!(prep.status[*i], RecordStatus::InCell { class: c, .. } if c == class)
        })
        .map(|(_, r)| r.net_rent_per_m2())
        .collect();
    sort_values(&mut values);
    values
}

#[test]
fn explore_prints_a_german_table_of_gemeinde_by_size_class() {
    let text = stdout(&bin(&["explore", project()]));
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("Nettokaltmiete €/m² vor der Extremwertkappung"));
    let header: Vec<&str> = lines[1].split_whitespace().collect();
    assert_eq!(header, ["Gemeinde", "Größenklasse", "n", "Median", "P33"]);
    // Alphabetical Gemeinden, size classes in order; German decimal commas.
    assert!(
        lines[2].starts_with("Bachhausen     1 Person (bis 50 m²)"),
        "{text}"
    );
    assert!(
        lines[3].contains("2 Personen (über 50 bis 65 m²)"),
        "{text}"
    );
    assert!(lines[2].contains(','), "{text}");
    assert!(lines.last().unwrap().ends_with("Gruppen"), "{text}");
}

#[test]
fn the_json_p33_of_a_gemeinde_and_size_class_equals_the_quantile_of_its_values() {
    let out = stdout(&bin(&[
        "explore",
        project(),
        "--by",
        "gemeinde,größe",
        "--stat",
        "n,p33,median",
        "--filter",
        "gemeinde=musterstadt",
        "--json",
    ]));
    let v: Value = serde_json::from_str(&out).unwrap();
    let rows = v["rows"].as_array().unwrap();
    let first = &rows[0];
    assert_eq!(first["gemeinde"], "Musterstadt");
    assert_eq!(first["groesse"], "1 Person (bis 50 m²)");
    let values = cell_values("Musterstadt", 0);
    assert!(values.len() > 30, "{}", values.len());
    assert_eq!(first["n"].as_u64().unwrap() as usize, values.len());
    let p33 = quantile_sorted(&values, 0.33, analysis::quantile::QuantileType::T7).unwrap();
    let median = quantile_sorted(&values, 0.5, analysis::quantile::QuantileType::T7).unwrap();
    assert!((first["p33"].as_f64().unwrap() - p33).abs() < 1e-12);
    assert!((first["median"].as_f64().unwrap() - median).abs() < 1e-12);
    assert!(rows.iter().all(|r| r["gemeinde"] == "Musterstadt"));
}

#[test]
fn explore_writes_csv_and_xlsx_files() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("tabelle.csv");
    let xlsx = dir.path().join("tabelle.xlsx");
    for (flag, path) in [("--csv", &csv), ("--xlsx", &xlsx)] {
        let out = bin(&[
            "explore",
            project(),
            "--by",
            "vr,art",
            "--alle",
            flag,
            path.to_str().unwrap(),
        ]);
        stdout(&out);
    }
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    assert_eq!(
        lines.next().unwrap(),
        "Vergleichsraum;Datenart;n;Median;P33"
    );
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("VR 1 Musterstadt;Angebotsmieten;")
    );
    let bytes = std::fs::read(&xlsx).unwrap();
    assert!(bytes.starts_with(b"PK"), "not a zip/xlsx file");
}

#[test]
fn wrong_names_exit_with_code_2_and_a_german_message() {
    for (args, expected) in [
        (
            &["--by", "stadtteil"][..],
            "Unbekannte Dimension „stadtteil“",
        ),
        (&["--stat", "p120"], "Unbekannte Kennzahl „p120“"),
        (
            &["--filter", "gemeinde=Atlantis"],
            "„Atlantis“ kommt als Gemeinde nicht vor",
        ),
    ] {
        let mut all = vec!["explore", project()];
        all.extend_from_slice(args);
        let out = bin(&all);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expected), "{args:?}: {err}");
    }
}
