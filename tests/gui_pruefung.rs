//! The Schlüssigkeitsprüfung in the app: its screen lists every check with status and decision,
//! follows a parameter change at once, leads from a finding to its cell, and the export asks
//! for confirmation before publishing a concept with open errors.

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use kdu_konzept::analysis::CheckCode;
use kdu_konzept::app::{Command, KduApp, Screen};
use kdu_konzept::dataset::LoadedProject;
use kdu_konzept::export::Variant;
use std::path::Path;

fn sample() -> LoadedProject {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/musterland.kdu.toml");
    match LoadedProject::load(&path, &mut |_, _, _| true) {
        Ok(lp) => lp,
        Err(e) => panic!("sample project: {e:#}"),
    }
}

fn harness(lp: LoadedProject) -> Harness<'static, KduApp> {
    Harness::builder()
        .with_size(egui::vec2(1366.0, 768.0))
        .build_eframe(move |_cc| KduApp::with_loaded(lp))
}

fn set_min_n(h: &mut Harness<'_, KduApp>, n: usize) {
    let s = h.state_mut().state_mut();
    let mut params = match s.project() {
        Some(p) => p.parameters.clone(),
        None => panic!("project"),
    };
    params.min_n = n;
    s.handle(Command::SetParameters {
        params: Box::new(params),
        key: "min_n",
    });
}

#[test]
fn the_pruefung_screen_lists_every_check_and_follows_a_change() {
    let mut h = harness(sample());
    h.run();
    h.get_by_label("Prüfung").click();
    h.run();
    assert_eq!(h.state().state().screen(), Screen::Pruefung);
    assert!(h.query_by_label("Schlüssigkeitsprüfung").is_some());
    assert!(
        h.query_all_by_label_contains("Keine offenen Fehler")
            .next()
            .is_some()
    );
    // Every check's title is on the screen.
    for code in CheckCode::ALL {
        assert!(
            h.query_all_by_label(code.title()).next().is_some(),
            "{}",
            code.title()
        );
    }
    // Small cells have no valid limit: the verdict turns at once.
    set_min_n(&mut h, 100);
    h.run();
    assert!(
        h.query_all_by_label_contains("Nicht schlüssig")
            .next()
            .is_some()
    );
    // Only the open points: the fulfilled checks disappear.
    h.get_by_label_contains("Nur offene Punkte").click();
    h.run();
    assert!(
        h.query_all_by_label(CheckCode::EinRichtwert.title())
            .next()
            .is_none()
    );
    assert!(
        h.query_all_by_label(CheckCode::Fallzahl.title())
            .next()
            .is_some()
    );
}

#[test]
fn a_cell_named_by_a_finding_opens_on_the_results_screen() {
    let mut h = harness(sample());
    set_min_n(&mut h, 100);
    h.state_mut()
        .state_mut()
        .handle(Command::Navigate(Screen::Pruefung));
    h.run();
    let (vr, size) = {
        let a = match h.state().state().doc() {
            Some(d) => d.analysis().clone(),
            None => panic!("doc"),
        };
        let c = match a.cells.iter().find(|c| !c.valid) {
            Some(c) => c.clone(),
            None => panic!("an invalid cell"),
        };
        (c.vr, c.household_size)
    };
    let label = {
        let a = match h.state().state().doc() {
            Some(d) => d.analysis().clone(),
            None => panic!("doc"),
        };
        let c = &a.cells[a
            .cells
            .iter()
            .position(|c| c.vr == vr && c.household_size == size)
            .unwrap_or(0)];
        kdu_konzept::analysis::CellRef {
            vergleichsraum: c.vergleichsraum.clone(),
            household_size: c.household_size,
        }
        .german()
    };
    match h.query_all_by_label(&label).next() {
        Some(link) => link.click(),
        None => panic!("link {label}"),
    }
    h.run();
    assert_eq!(h.state().state().screen(), Screen::Ergebnisse);
    assert_eq!(h.state().state().selected(), Some((vr, size)));
}

#[test]
fn publishing_with_open_errors_needs_a_confirmation() {
    let mut h = harness(sample());
    set_min_n(&mut h, 100);
    h.state_mut()
        .state_mut()
        .handle(Command::Navigate(Screen::Export));
    h.run();
    h.get_by_label_contains("Veröffentlichung (nur").click();
    h.run();
    assert!(
        h.query_all_by_label_contains("offene Fehler der Schlüssigkeitsprüfung")
            .next()
            .is_some()
    );
    let button = h.get_by_label("Exportieren");
    assert!(
        button.accesskit_node().is_disabled(),
        "publishing must wait for the confirmation"
    );
    h.get_by_label_contains("Trotzdem veröffentlichen").click();
    h.run();
    assert!(!h.get_by_label("Exportieren").accesskit_node().is_disabled());
    // The Prüfmappe documents the state and needs no confirmation.
    h.get_by_label_contains("Prüfmappe (intern").click();
    h.run();
    assert!(!h.get_by_label("Exportieren").accesskit_node().is_disabled());
    let _ = Variant::Pruefmappe;
}

#[test]
fn with_recipients_the_limit_table_shows_the_households_above_each_limit() {
    let mut lp = sample();
    let (_, base) = kdu_konzept::analysis::run(&lp.project, &lp.data);
    let cell = base
        .cells
        .iter()
        .find(|c| c.applied_limit.is_some())
        .expect("a cell with a limit");
    let limit = cell.applied_limit.unwrap();
    let row = |line, gross_cold, count| kdu_konzept::import::recipients::RecipientRow {
        line,
        vergleichsraum: cell.vergleichsraum.clone(),
        gemeinde: String::new(),
        household_size: cell.household_size,
        gross_cold,
        hk: None,
        count,
    };
    lp.data.recipients = Some(vec![row(2, limit - 1.0, 3), row(3, limit + 10.0, 1)]);
    // Wide enough for every column (at 1366 px the table scrolls sideways).
    let mut h = Harness::builder()
        .with_size(egui::vec2(1900.0, 900.0))
        .build_eframe(move |_cc| KduApp::with_loaded(lp));
    h.run();
    h.get_by_label("Ergebnisse").click();
    h.run();
    assert!(h.query_by_label("Bedarfsgemeinschaften darüber").is_some());
    // One of four households lies above the limit of that cell.
    assert!(h.query_by_label("1 von 4 (25,0 %)").is_some());
}
