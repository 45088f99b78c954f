//! The Datenexplorer screen on the bundled sample project (egui_kittest, no GPU): the default
//! table (Gemeinde × Größenklasse with n, Median, P33), a Gemeinde chosen as filter and the
//! export of the table.

#![allow(clippy::unwrap_used)]

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use kdu_konzept::analysis::explore::{Dimension, Filter};
use kdu_konzept::app::{KduApp, Screen};

#[test]
fn the_explorer_shows_gemeinde_by_size_class_and_exports_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let path = kdu_konzept::sample_project::write_sample_project(dir.path()).unwrap();
    let app = KduApp::open_blocking(&path).unwrap();
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_eframe(move |_cc| app);
    h.run();
    h.get_by_label("Datenexplorer").click();
    h.run();
    assert_eq!(h.state().state().screen(), Screen::Datenexplorer);
    // Each header once as a choice (checkbox) and once as the table's column header.
    assert_eq!(h.query_all_by_label("P33").count(), 2);
    assert_eq!(h.query_all_by_label("Größenklasse").count(), 2);
    // The first row: the alphabetically first Gemeinde, the smallest size class.
    assert!(h.query_all_by_label("Bachhausen").count() >= 1);
    assert!(h.query_all_by_label("1 Person (bis 50 m²)").count() >= 1);

    // One Gemeinde only.
    h.state_mut().forms_mut().explore.query.filter = Some(Filter {
        dimension: Dimension::Gemeinde,
        value: "Musterstadt".to_string(),
    });
    h.run();
    assert_eq!(h.query_all_by_label("Bachhausen").count(), 0);
    assert!(h.query_all_by_label("Musterstadt").count() >= 2);

    let target = dir.path().join("explorer.csv");
    h.state_mut().forms_mut().explore.path = target.display().to_string();
    h.run();
    h.get_by_label("Tabelle exportieren…").click();
    h.run();
    let text = std::fs::read_to_string(&target).unwrap();
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    assert_eq!(lines.next().unwrap(), "Gemeinde;Größenklasse;n;Median;P33");
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("Musterstadt;1 Person (bis 50 m²);")
    );
    assert!(lines.all(|l| l.starts_with("Musterstadt;")));
}
