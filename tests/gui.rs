//! Query tests of the desktop app with egui_kittest (no GPU): navigation, the result table,
//! live recomputation from the percentile slider, cell selection, undo, saving, the
//! unsaved-changes dialog, scenarios and the export in the background.

// The helpers below are test code too; clippy only exempts `#[test]` functions themselves.
#![allow(clippy::unwrap_used)]

use calamine::{Data, Reader, open_workbook_auto};
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use kdu_konzept::app::state::{Job, PendingChoice, ScenarioRef};
use kdu_konzept::app::{Command, KduApp, Screen};
use kdu_konzept::dataset::{Dataset, LoadedProject};
use kdu_konzept::export::Variant;
use kdu_konzept::import::Rejection;
use kdu_konzept::model::project::{GemeindeRow, VergleichsraumSpec};
use kdu_konzept::model::{Date, Project, Reason, Record, SourceKind};
use std::path::Path;
use std::time::Duration;

/// A small deterministic generator (LCG), so the data are the same in every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Two Vergleichsräume, three Gemeinden (one without data), ~600 records.
fn synthetic_project(dir: &Path) -> LoadedProject {
    let stichtag = Date::from_ymd(2025, 1, 1).unwrap();
    let mut project = Project::new("Testkreis", stichtag);
    project.parameters.wohnflaechen.confirmed = true;
    for (name, text) in [
        ("Musterstadt", "Kreisstadt mit eigenem Wohnungsmarkt"),
        ("Nordkreis", "ländlicher Raum im Norden"),
    ] {
        project.vergleichsraeume.push(VergleichsraumSpec {
            name: name.to_string(),
            begruendung: text.to_string(),
            ohne_konzept: false,
        });
    }
    for (ags, name, vr) in [
        ("05999001", "Musterstadt", "Musterstadt"),
        ("05999002", "Nordheim", "Nordkreis"),
        ("05999003", "Leerdorf", "Nordkreis"),
    ] {
        project.gemeinden.push(GemeindeRow {
            ags: ags.to_string(),
            name: name.to_string(),
            vergleichsraum: vr.to_string(),
            einwohner: Some(10_000),
            mietwohnungen: Some(3_000),
            mietstufe: Some(3),
        });
    }
    let mut rng = Lcg(42);
    let mut records = Vec::new();
    for i in 0..600u32 {
        let (gemeinde, level) = if i % 3 == 0 {
            ("Nordheim", 6.0)
        } else {
            ("Musterstadt", 7.2)
        };
        let area = 28.0 + rng.next() * 90.0;
        let per_m2 = level + (rng.next() + rng.next() + rng.next() - 1.5) * 1.6;
        let mut r = Record::new(0, i + 2, SourceKind::Bestand, per_m2 * area, area);
        r.gemeinde = Some(gemeinde.to_string());
        r.operating_costs = Some((1.6 + rng.next() * 0.8) * area);
        r.contract_start = Date::from_ymd(2023, 6, 1);
        records.push(r);
    }
    let rejections = vec![
        Rejection {
            source: 0,
            line: 700,
            reason: Reason::MissingRent,
            detail: String::new(),
        },
        Rejection {
            source: 0,
            line: 701,
            reason: Reason::RentNotNumeric,
            detail: "auf Anfrage".to_string(),
        },
    ];
    let path = dir.join("testkreis.kdu.toml");
    project.save(&path).unwrap();
    LoadedProject {
        path,
        project,
        data: Dataset {
            records,
            rejections,
            sources: Vec::new(),
            ..Dataset::default()
        },
        warnings: Vec::new(),
    }
}

fn harness(lp: LoadedProject) -> Harness<'static, KduApp> {
    Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_eframe(move |_cc| KduApp::with_loaded(lp))
}

/// The text of the "Referenzmiete: …" label of the selected cell.
fn reference_text(h: &Harness<'_, KduApp>) -> String {
    h.get_by_label_contains("Referenzmiete:")
        .accesskit_node()
        .value()
        .unwrap_or_default()
}

fn percentile(h: &Harness<'_, KduApp>) -> f64 {
    h.state()
        .state()
        .project()
        .unwrap()
        .parameters
        .reference
        .percentile
}

#[test]
fn navigate_to_results_and_change_percentile_with_undo() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(synthetic_project(dir.path()));
    h.state_mut()
        .state_mut()
        .handle(Command::Navigate(Screen::Start));
    h.run();
    h.get_by_label("Ergebnisse").click();
    h.run();
    assert_eq!(h.state().state().screen(), Screen::Ergebnisse);
    // The limit table shows money.
    assert!(h.query_all_by_label_contains("€").count() > 10);
    assert_eq!(h.query_all_by_label("je weitere Person").count(), 2);
    let before = reference_text(&h);
    assert!(before.contains("€/m²"), "{before}");
    // The confidence interval names the chosen level and the one achieved.
    assert!(
        h.query_by_label_contains("Konfidenzintervall 95,0 % (erreicht ")
            .is_some()
    );

    // Move the percentile like a screen reader would.
    h.get_by_role_and_label(egui::Role::Slider, "Perzentil")
        .set_value_accesskit(0.6);
    h.run();
    assert!((percentile(&h) - 0.6).abs() < 1e-9);
    let after = reference_text(&h);
    assert_ne!(before, after, "Referenzmiete must follow the percentile");
    assert!(h.state().state().title().ends_with(" *"));

    // Ctrl+Z restores the old value.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    assert!((percentile(&h) - 0.33).abs() < 1e-9);
    assert_eq!(reference_text(&h), before);
    assert!(!h.state().state().title().ends_with(" *"));

    // Ctrl+Y redoes it.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Y);
    h.run();
    assert!((percentile(&h) - 0.6).abs() < 1e-9);
}

#[test]
fn keyboard_moves_the_slider() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(synthetic_project(dir.path()));
    h.run();
    h.get_by_role_and_label(egui::Role::Slider, "Perzentil")
        .focus();
    h.run();
    h.key_press(Key::ArrowRight);
    h.run();
    assert!(percentile(&h) > 0.33, "{}", percentile(&h));
}

#[test]
fn selecting_another_cell_updates_the_detail() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(synthetic_project(dir.path()));
    h.run();
    let first = reference_text(&h);
    assert_eq!(h.state().state().selected(), Some((0, 1)));
    // The second VR's 3-person row.
    let rows: Vec<_> = h.get_all_by_label("3 Personen").collect();
    assert_eq!(rows.len(), 2);
    rows[1].click();
    h.run();
    assert_eq!(h.state().state().selected(), Some((1, 3)));
    let second = reference_text(&h);
    assert_ne!(first, second);
    assert!(
        h.query_by_label_contains("Nordkreis, 3 Personen (Wohnfläche")
            .is_some()
    );
}

#[test]
fn every_screen_renders_with_accessible_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(synthetic_project(dir.path()));
    h.run();
    for screen in Screen::ALL {
        h.get_by_label(screen.title()).click();
        h.run(); // also checks that every input widget has an accessible name
        assert_eq!(h.state().state().screen(), screen);
    }
    // Daten: rejected rows and counts by reason.
    h.get_by_label("Daten").click();
    h.run();
    // Once in the counts by reason, once in the row list.
    assert_eq!(
        h.query_all_by_label("Nettokaltmiete ist keine Zahl")
            .count(),
        2
    );
    assert!(h.query_by_label("auf Anfrage").is_some());
    // Vergleichsräume: the Gemeinde without data is listed.
    h.get_by_label("Vergleichsräume").click();
    h.run();
    assert!(h.query_by_label("Leerdorf").is_some());
    assert!(
        h.query_by_label("1 Gemeinde ohne verwertbare Mietwerte")
            .is_some()
    );
}

#[test]
fn mapping_change_and_justification_are_undoable() {
    let dir = tempfile::tempdir().unwrap();
    let lp = synthetic_project(dir.path());
    let mut app = KduApp::with_loaded(lp);
    let s = app.state_mut();
    let n_before = s.doc().unwrap().analysis().cells[0].n;
    s.handle(Command::AssignGemeinde {
        index: 0,
        vr: "Nordkreis".to_string(),
    });
    let doc = s.doc().unwrap();
    assert_eq!(doc.project().gemeinden[0].vergleichsraum, "Nordkreis");
    assert_ne!(doc.analysis().cells[0].n, n_before);
    s.handle(Command::SetJustification {
        key: "reference.percentile".to_string(),
        text: "Begründung".to_string(),
    });
    s.handle(Command::Undo);
    s.handle(Command::Undo);
    let doc = s.doc().unwrap();
    assert_eq!(doc.project().gemeinden[0].vergleichsraum, "Musterstadt");
    assert!(doc.project().justifications.is_empty());
    assert_eq!(doc.analysis().cells[0].n, n_before);
    assert!(!s.is_dirty());
}

#[test]
fn save_writes_the_project_and_clears_the_marker() {
    let dir = tempfile::tempdir().unwrap();
    let lp = synthetic_project(dir.path());
    let path = lp.path.clone();
    let mut h = harness(lp);
    h.run();
    let mut params = h.state().state().project().unwrap().parameters.clone();
    params.outliers.k = 2.5;
    h.state_mut().state_mut().handle(Command::SetParameters {
        params: Box::new(params),
        key: "outliers.k",
    });
    h.run();
    assert!(h.state().state().is_dirty());
    h.key_press_modifiers(Modifiers::COMMAND, Key::S);
    h.run();
    assert!(!h.state().state().is_dirty());
    let saved = Project::load(&path).unwrap();
    assert_eq!(saved.parameters.outliers.k, 2.5);
}

#[test]
fn closing_with_unsaved_changes_asks_first() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(synthetic_project(dir.path()));
    h.run();
    let mut params = h.state().state().project().unwrap().parameters.clone();
    params.min_n = 10;
    let s = h.state_mut().state_mut();
    s.handle(Command::SetParameters {
        params: Box::new(params),
        key: "min_n",
    });
    assert!(!s.request_close());
    h.run();
    assert!(h.query_by_label("Ungespeicherte Änderungen").is_some());
    h.get_by_label("Abbrechen").click();
    h.run();
    assert!(h.query_by_label("Ungespeicherte Änderungen").is_none());
    assert!(!h.state().state().allow_close());
    let s = h.state_mut().state_mut();
    assert!(!s.request_close());
    s.handle(Command::ResolvePending(PendingChoice::Verwerfen));
    assert!(s.allow_close());
    assert!(s.take_close_request());
}

#[test]
fn scenarios_compare_side_by_side() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(synthetic_project(dir.path()));
    h.run();
    let s = h.state_mut().state_mut();
    s.handle(Command::SaveScenario("Basis P33".to_string()));
    let mut params = s.project().unwrap().parameters.clone();
    params.reference.percentile = 0.5;
    s.handle(Command::SetParameters {
        params: Box::new(params),
        key: "reference.percentile",
    });
    s.handle(Command::Compare {
        a: ScenarioRef::Saved(0),
        b: ScenarioRef::Current,
    });
    let c = s.comparison().unwrap();
    assert!(!c.rows.is_empty());
    let row = &c.rows[0];
    let (a, b) = (
        row.a.unwrap().gross_cold.unwrap(),
        row.b.unwrap().gross_cold.unwrap(),
    );
    assert!(b > a, "P50 must give a higher limit than P33: {a} vs {b}");
    s.handle(Command::Navigate(Screen::Szenarien));
    h.run();
    assert!(h.query_by_label_contains("reference.percentile").is_some());
    assert!(h.query_by_label("Basis P33").is_some());

    // Scenarios belong to the project: saved with it, back after reopening; deleting one is
    // an edit that can be undone.
    let s = h.state_mut().state_mut();
    s.handle(Command::Save);
    let path = s.doc().unwrap().lp().path.clone();
    let reopened = kdu_konzept::model::Project::load(&path).unwrap();
    assert_eq!(reopened.scenarios.len(), 1);
    assert_eq!(reopened.scenarios[0].name, "Basis P33");
    assert!((reopened.scenarios[0].parameters.reference.percentile - 0.33).abs() < 1e-12);
    s.handle(Command::DeleteScenario(0));
    assert!(s.scenarios().is_empty());
    assert!(s.is_dirty());
    s.handle(Command::Undo);
    assert_eq!(s.scenarios().len(), 1);
}

#[test]
fn export_writes_a_workbook_in_the_background() {
    let dir = tempfile::tempdir().unwrap();
    let lp = synthetic_project(dir.path());
    let mut app = KduApp::with_loaded(lp);
    let target = dir.path().join("out").join("mappe.xlsx");
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    let s = app.state_mut();
    s.handle(Command::StartExport {
        path: target.clone(),
        kind: Variant::Pruefmappe,
    });
    assert!(s.job(Job::Export).is_some());
    assert!(s.wait_for_tasks(Duration::from_secs(120)));
    assert_eq!(
        s.last_export().map(|e| e.0.clone()),
        Some(target.clone()),
        "{:?}",
        s.messages().last().map(|m| &m.text)
    );
    let expected = s.doc().unwrap().analysis().cells[0]
        .net_rent_per_m2
        .unwrap();
    let mut book = open_workbook_auto(&target).unwrap();
    assert!(book.sheet_names().iter().any(|n| n == "Richtwerte"));
    let range = book.worksheet_range("Richtwerte").unwrap();
    let found = range.used_cells().any(|(_, _, v)| match v {
        Data::Float(f) => (f - expected).abs() < 1e-9,
        _ => false,
    });
    assert!(
        found,
        "Referenzmiete {expected} not found in the sheet Richtwerte"
    );

    // A missing folder is a German error message, not a panic.
    s.handle(Command::StartExport {
        path: dir.path().join("fehlt").join("x.xlsx"),
        kind: Variant::Veroeffentlichung,
    });
    assert!(s.job(Job::Export).is_none());
    assert!(
        s.messages()
            .last()
            .unwrap()
            .text
            .contains("existiert nicht")
    );
}

#[test]
fn opening_a_missing_project_gives_a_german_error() {
    let dir = tempfile::tempdir().unwrap();
    let err = KduApp::open_blocking(&dir.path().join("fehlt.kdu.toml"))
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("nicht"), "{err}");
}

#[test]
fn sample_project_opens_and_every_screen_renders() {
    let dir = tempfile::tempdir().unwrap();
    let path = kdu_konzept::sample_project::write_sample_project(dir.path()).unwrap();
    let app = KduApp::open_blocking(&path).unwrap();
    let doc = app.state().doc().unwrap();
    assert!(!doc.lp().data.records.is_empty());
    assert!(!doc.lp().data.rejections.is_empty());
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_eframe(move |_cc| app);
    h.run();
    assert_eq!(h.state().state().screen(), Screen::Ergebnisse);
    assert!(h.query_all_by_label_contains("€").count() > 10);
    for screen in Screen::ALL {
        h.get_by_label(screen.title()).click();
        h.run();
    }
    assert!(h.state().state().title().starts_with("KdU-Konzept – "));
}

#[test]
fn recovery_copy_is_offered_and_restored() {
    use kdu_konzept::app::recovery::Storage;
    use kdu_konzept::app::state::AppState;
    let dir = tempfile::tempdir().unwrap();
    let lp = synthetic_project(dir.path());
    let storage = Storage::new(dir.path().join("data"));
    let mut project = lp.project.clone();
    project.parameters.reference.percentile = 0.45;
    storage.write_recovery(&project, &lp.path).unwrap();

    let mut state = AppState::new(Some(storage.clone()), None);
    let offer = state.recovery_offer().unwrap();
    assert_eq!(offer.project_path, lp.path);
    state.handle(Command::RestoreRecovery);
    assert!(state.wait_for_tasks(Duration::from_secs(30)));
    let doc = state.doc().unwrap();
    assert_eq!(doc.project().parameters.reference.percentile, 0.45);
    // Restored but not saved yet: dirty, and the file on disk is unchanged.
    assert!(state.is_dirty());
    assert_eq!(
        Project::load(&lp.path)
            .unwrap()
            .parameters
            .reference
            .percentile,
        0.33
    );
    state.handle(Command::Save);
    assert!(!state.is_dirty());
    assert!(storage.read_recovery().is_none(), "saving removes the copy");
    assert_eq!(
        storage.recent(),
        vec![std::fs::canonicalize(&lp.path).unwrap()]
    );
}

#[test]
fn ctrl_o_focuses_the_open_field_and_new_project_is_created() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(synthetic_project(dir.path()));
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::O);
    h.run();
    assert_eq!(h.state().state().screen(), Screen::Start);
    assert!(
        h.get_by_role_and_label(egui::Role::TextInput, "Projektdatei:")
            .is_focused()
    );

    // New project via the form.
    let target = dir.path().join("neu.kdu.toml");
    {
        let forms = h.state_mut().forms_mut();
        forms.new_name = "Neuer Kreis".to_string();
        forms.new_stichtag = "01.07.2025".to_string();
        forms.new_land = Some("NW".to_string());
        forms.new_path = target.display().to_string();
    }
    h.run();
    h.get_by_label("Projekt anlegen").click();
    h.run();
    let state = h.state().state();
    assert_eq!(state.project().unwrap().project.name, "Neuer Kreis");
    assert_eq!(state.screen(), Screen::Daten);
    assert!(target.is_file());
}

#[test]
fn vergleichsraum_without_concept_uses_the_wogg_fallback() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = KduApp::with_loaded(synthetic_project(dir.path()));
    let s = app.state_mut();
    s.handle(Command::SetVrFallback {
        vr: "Nordkreis".to_string(),
        on: true,
    });
    let doc = s.doc().unwrap();
    let cell = doc
        .analysis()
        .cells
        .iter()
        .find(|c| c.vergleichsraum == "Nordkreis")
        .unwrap();
    use kdu_konzept::analysis::{AppliedBasis, InvalidReason};
    assert_eq!(cell.applied_basis, AppliedBasis::WoggFallback);
    assert!(cell.invalid_reasons.contains(&InvalidReason::OhneKonzept));
    // Every Gemeinde of the Vergleichsraum gets the value of its own Mietstufe.
    assert!(!cell.applied_by_gemeinde.is_empty());
    if let [only] = cell.applied_by_gemeinde.as_slice() {
        assert_eq!(cell.applied_limit, only.limit);
    }
    s.handle(Command::Undo);
    let doc = s.doc().unwrap();
    assert!(
        doc.analysis()
            .cells
            .iter()
            .all(|c| !c.invalid_reasons.contains(&InvalidReason::OhneKonzept))
    );
}

#[test]
fn demand_row_and_market_share_edits_recompute_and_undo() {
    use kdu_konzept::model::LandlordType;
    use kdu_konzept::model::params::{IterationStart, ReferenceMethod};
    let dir = tempfile::tempdir().unwrap();
    let mut lp = synthetic_project(dir.path());
    // Landlord types (institutional landlords more often in the upper half), so that
    // weighting by market share changes the Referenzmiete.
    for (i, r) in lp.data.records.iter_mut().enumerate() {
        let upper = r.net_rent_per_m2() >= 7.0;
        r.landlord_type = Some(if upper && i % 2 == 0 {
            LandlordType::Institutionell
        } else {
            LandlordType::Privat
        });
    }
    {
        let p = &mut lp.project.parameters;
        p.reference.method = ReferenceMethod::Iterative;
        p.availability.start = IterationStart::DemandShare;
        p.representativeness.weighting = true;
    }
    lp.project.save(&lp.path).unwrap();
    let mut h = harness(lp);
    h.state_mut()
        .state_mut()
        .handle(Command::Navigate(Screen::Parameter));
    h.run();
    let cell = |h: &Harness<'_, KduApp>, vr: usize, size: u32| {
        h.state()
            .state()
            .doc()
            .unwrap()
            .analysis()
            .cells
            .iter()
            .find(|c| c.vr == vr && c.household_size == size)
            .cloned()
            .unwrap()
    };
    let p_before = cell(&h, 0, 1).p.unwrap();
    assert!((p_before - 0.33).abs() < 1e-9, "{p_before}");

    // Demand row for one person: 400 Bedarfsgemeinschaften of 1.000 tenant households → 40 %.
    h.get_by_label("Mieterhaushalte, 1 Person")
        .set_value_accesskit(1000.0);
    h.run();
    h.get_by_label("Bedarfsgemeinschaften, 1 Person")
        .set_value_accesskit(400.0);
    h.run();
    let demand = h
        .state()
        .state()
        .project()
        .unwrap()
        .parameters
        .availability
        .demand
        .clone();
    assert_eq!(demand.len(), 1);
    assert_eq!(demand[0].share(), Some(0.4));
    assert!(h.query_by_label("40,0 %").is_some(), "share not shown");
    // No offers: the iteration stops at its start, the demand share.
    assert!((cell(&h, 0, 1).p.unwrap() - 0.4).abs() < 1e-9);
    assert!((cell(&h, 0, 2).p.unwrap() - 0.33).abs() < 1e-9);

    // A higher floor for the start: the iteration starts at max(demand share, floor); undo.
    h.get_by_label("Mindest-Startperzentil")
        .set_value_accesskit(0.45);
    h.run();
    assert!((cell(&h, 0, 1).p.unwrap() - 0.45).abs() < 1e-9);
    h.state_mut().state_mut().handle(Command::Undo);
    h.run();
    assert!((cell(&h, 0, 1).p.unwrap() - 0.4).abs() < 1e-9);

    // Market share of private landlords in Musterstadt: 30 % (sample: about 70 %).
    let gross_before = cell(&h, 0, 2).limits.unwrap().gross_cold;
    let sample = h.state().state().doc().unwrap().analysis().vergleichsraeume[0]
        .sample_share_privat
        .unwrap();
    assert!(sample > 0.5 && sample < 0.9, "{sample}");
    assert!(
        h.query_by_label(&kdu_konzept::fmt::percent(sample))
            .is_some(),
        "sample share not shown"
    );
    h.get_by_label("Marktanteil privat, Musterstadt")
        .set_value_accesskit(30.0);
    h.run();
    {
        let doc = h.state().state().doc().unwrap();
        let shares = &doc.project().parameters.representativeness.market_shares;
        assert_eq!(shares.len(), 1);
        assert_eq!(shares[0].vergleichsraum, "Musterstadt");
        assert!((shares[0].privat - 0.3).abs() < 1e-12);
        assert_eq!(
            doc.analysis().vergleichsraeume[0].market_share_privat,
            Some(0.3)
        );
    }
    let weighted = cell(&h, 0, 2);
    assert!(weighted.weighted);
    assert_ne!(weighted.limits.unwrap().gross_cold, gross_before);
    assert!(!cell(&h, 1, 2).weighted, "Nordkreis has no market share");

    // The Ergebnisse screen shows coverage and the shares.
    h.get_by_label("Ergebnisse").click();
    h.run();
    assert!(
        h.query_by_label("Abdeckung und Vermietertyp je Vergleichsraum")
            .is_some()
    );
    assert!(h.query_by_label_contains(" / 3.000 = ").is_some());
    assert!(h.query_by_label_contains(" / 6.000 = ").is_some());
    assert!(h.query_by_label("nachgewichtet").is_some());

    // Undo: first the market share, then the demand edits (one merged step).
    let s = h.state_mut().state_mut();
    s.handle(Command::Undo);
    h.run();
    assert!(
        h.state()
            .state()
            .project()
            .unwrap()
            .parameters
            .representativeness
            .market_shares
            .is_empty()
    );
    assert_eq!(cell(&h, 0, 2).limits.unwrap().gross_cold, gross_before);
    h.state_mut().state_mut().handle(Command::Undo);
    h.run();
    assert!(
        h.state()
            .state()
            .project()
            .unwrap()
            .parameters
            .availability
            .demand
            .is_empty()
    );
    assert!((cell(&h, 0, 1).p.unwrap() - p_before).abs() < 1e-9);
    assert!(!h.state().state().is_dirty());
}

/// The synthetic project with heating limits on (optionally added to the limit), saved, on the
/// Parameter screen.
fn parameter_screen_with_heating(dir: &Path, gesamt: bool) -> Harness<'static, KduApp> {
    let mut lp = synthetic_project(dir);
    lp.project.parameters.heating.enabled = true;
    lp.project.parameters.heating.gesamtangemessenheitsgrenze = gesamt;
    lp.project.save(&lp.path).unwrap();
    let mut h = harness(lp);
    h.state_mut()
        .state_mut()
        .handle(Command::Navigate(Screen::Parameter));
    h.run();
    h
}

#[test]
fn fortschreibung_and_heating_show_on_both_screens() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = parameter_screen_with_heating(dir.path(), true);
    // Switch the Fortschreibung on and take over the current limits.
    h.get_by_label("Fortschreibung alter Richtwerte")
        .click_accesskit();
    h.run();
    h.get_by_label("Aus den aktuellen Richtwerten übernehmen")
        .click_accesskit();
    h.run();
    h.get_by_label("Indexwert neu, Nettokaltmiete")
        .set_value_accesskit(110.0);
    h.run();
    let f = h
        .state()
        .state()
        .project()
        .unwrap()
        .parameters
        .fortschreibung
        .clone()
        .unwrap();
    assert_eq!(f.old_limits.len(), 10);
    assert_eq!(f.index_nkm.value_new, 110.0);
    let res = h
        .state()
        .state()
        .doc()
        .unwrap()
        .analysis()
        .fortschreibung
        .clone()
        .unwrap();
    assert!((res.factor_nkm - 1.1).abs() < 1e-12);
    assert_eq!(res.factor_bk, 1.0);

    // A Heizspiegel value edited in the grid changes the heating limit.
    let before = h.state().state().doc().unwrap().analysis().cells[0]
        .heating_limit
        .unwrap();
    h.get_by_label("Erdgas, über 250 bis 500 m²")
        .set_value_accesskit(4.0);
    h.run();
    let doc = h.state().state().doc().unwrap();
    let after = doc.analysis().cells[0].heating_limit.unwrap();
    assert!((after - 200.0).abs() < 1e-9, "{before} → {after}");

    // Ergebnisse: Fortschreibung table and the heating figures of the selected cell.
    h.get_by_label("Ergebnisse").click();
    h.run();
    assert!(
        h.query_by_label("Fortschreibung alter Richtwerte: alt und neu")
            .is_some()
    );
    assert!(
        h.query_by_label_contains("Heizkosten-Prüfgrenze: 200,00 €")
            .is_some()
    );
    assert!(
        h.query_by_label_contains("Gesamtangemessenheitsgrenze:")
            .is_some()
    );
}

#[test]
fn heizspiegel_rows_and_bands_are_edited() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = parameter_screen_with_heating(dir.path(), false);
    let params = |h: &Harness<'_, KduApp>| {
        h.state()
            .state()
            .project()
            .unwrap()
            .parameters
            .heating
            .clone()
    };
    let before = params(&h).table;
    let (n_rows, n_bands) = (before.rows.len(), before.rows[0].bands.len());
    assert!(n_bands >= 2);

    // A new Energieträger gets the table's bands with values 0.
    h.get_by_label("Energieträger hinzufügen").click_accesskit();
    h.run();
    let t = params(&h).table;
    assert_eq!(t.rows.len(), n_rows + 1);
    let new = t.rows.last().unwrap();
    assert_eq!(new.energietraeger, "Neuer Energieträger");
    assert_eq!(new.bands.len(), n_bands);
    assert!(new.bands.iter().all(|b| b.value == 0.0));

    // Renaming the chosen Energieträger keeps it chosen.
    let s = h.state_mut().state_mut();
    let mut p = s.project().unwrap().parameters.clone();
    p.heating.energietraeger = "Neuer Energieträger".to_string();
    s.handle(Command::SetParameters {
        params: Box::new(p),
        key: "heating.energietraeger",
    });
    h.run();
    let name_field = format!("Energieträger {}", n_rows + 1);
    h.get_by_label(&name_field).scroll_to_me();
    h.run();
    h.get_by_label(&name_field).click();
    h.run();
    h.key_press(egui::Key::End);
    h.run();
    h.get_by_label(&name_field).type_text(" Holz");
    h.run();
    let heating = params(&h);
    assert_eq!(
        heating.table.rows.last().unwrap().energietraeger,
        "Neuer Energieträger Holz"
    );
    assert_eq!(heating.energietraeger, "Neuer Energieträger Holz");

    // Bands: the first upper bound moves the next class's lower bound in every row; a class is
    // added (splitting the open one) and removed again.
    h.get_by_label("Obergrenze Flächenklasse 1")
        .set_value_accesskit(200.0);
    h.run();
    let t = params(&h).table;
    assert!(
        t.rows
            .iter()
            .all(|r| r.bands[0].upper_m2 == Some(200.0) && r.bands[1].lower_m2 == 200.0)
    );
    h.get_by_label("Flächenklasse hinzufügen").click_accesskit();
    h.run();
    let t = params(&h).table;
    assert!(t.rows.iter().all(|r| r.bands.len() == n_bands + 1));
    assert!(t.validate().is_ok(), "{:?}", t.validate());
    h.get_by_label("Oberste Flächenklasse entfernen")
        .click_accesskit();
    h.run();
    let t = params(&h).table;
    assert!(
        t.rows
            .iter()
            .all(|r| r.bands.len() == n_bands && r.bands.last().unwrap().upper_m2.is_none())
    );

    // Removing the new row; every step is undoable back to the original table.
    h.get_by_label("Neuer Energieträger Holz entfernen")
        .click_accesskit();
    h.run();
    assert_eq!(params(&h).table.rows.len(), n_rows);
    for _ in 0..20 {
        h.state_mut().state_mut().handle(Command::Undo);
    }
    h.run();
    assert_eq!(params(&h).table, before);
}

/// Runs frames until `done` holds (background tasks finish on their threads).
fn run_until(h: &mut Harness<'_, KduApp>, what: &str, done: impl Fn(&KduApp) -> bool) {
    for _ in 0..1000 {
        // Single frames: a spinner keeps repainting while a task runs.
        h.step();
        if done(h.state()) {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("timeout waiting for: {what}");
}

/// A rent table as suppliers send it: a title row, a blank row, German headers in row 3 and
/// 40 data rows; three rents are "auf Anfrage" (among the first rows of the preview).
fn write_rent_workbook(path: &Path) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Mieten").unwrap();
    ws.write_string(0, 0, "Mietdaten Testkreis, Stand 31.12.2024")
        .unwrap();
    for (c, h) in [
        "Gemeinde",
        "Nettokaltmiete",
        "Wohnfläche",
        "Betriebskosten",
        "Mietbeginn",
        "Bemerkung",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    for i in 0..40u32 {
        let row = 3 + i;
        let gemeinde = if i % 2 == 0 {
            "Musterstadt"
        } else {
            "Nordheim"
        };
        ws.write_string(row, 0, gemeinde).unwrap();
        let area = 40.0 + f64::from(i);
        if i % 5 == 0 && i <= 10 {
            ws.write_string(row, 1, "auf Anfrage").unwrap();
        } else {
            ws.write_number(row, 1, area * 7.0).unwrap();
        }
        ws.write_number(row, 2, area).unwrap();
        ws.write_number(row, 3, area * 2.0).unwrap();
        ws.write_string(row, 4, "01.06.2023").unwrap();
        ws.write_string(row, 5, format!("Whg. {i}")).unwrap();
    }
    wb.save(path).unwrap();
}

/// A sheet whose only cost column is a bare "Nebenkosten".
fn write_nebenkosten_workbook(path: &Path) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["Gemeinde", "Nettokaltmiete", "Wohnfläche", "Nebenkosten"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for i in 0..5u32 {
        let area = 40.0 + f64::from(i);
        ws.write_string(1 + i, 0, "Musterstadt").unwrap();
        ws.write_number(1 + i, 1, area * 7.0).unwrap();
        ws.write_number(1 + i, 2, area).unwrap();
        ws.write_number(1 + i, 3, area * 3.0).unwrap();
    }
    wb.save(path).unwrap();
}

#[test]
fn a_bare_nebenkosten_column_is_left_unassigned_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("nk.xlsx");
    write_nebenkosten_workbook(&file);
    let mut h = harness(synthetic_project(dir.path()));
    h.run();
    h.get_by_label("Daten").click();
    h.run();
    h.get_by_label("Quelle hinzufügen …").click();
    h.run();
    h.get_by_role_and_label(egui::Role::TextInput, "Datei:")
        .click();
    h.run();
    h.get_by_role_and_label(egui::Role::TextInput, "Datei:")
        .type_text(&file.display().to_string());
    h.run();
    h.get_by_label("Vorschau laden").click();
    run_until(&mut h, "preview", |app| {
        app.state().source_preview().is_some() && app.state().job(Job::Preview).is_none()
    });
    h.run();
    let columns = h.state_mut().forms_mut().source.columns.clone();
    assert_eq!(columns[3], None, "Nebenkosten is not taken for kalte BK");
    assert!(
        h.query_by_label_contains("Spalte „Nebenkosten“ gefunden, aber nicht zugeordnet")
            .is_some()
    );
    // Assigned by the user, the note goes.
    h.state_mut().forms_mut().source.columns[3] = Some(kdu_konzept::model::Field::OperatingCosts);
    h.run();
    assert!(
        h.query_by_label_contains("Spalte „Nebenkosten“ gefunden")
            .is_none()
    );
}

#[test]
fn a_source_is_added_with_preview_and_mapping_and_undo_removes_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mieten.xlsx");
    write_rent_workbook(&file);
    let mut h = harness(synthetic_project(dir.path()));
    h.run();
    h.get_by_label("Daten").click();
    h.run();
    h.get_by_label("Quelle hinzufügen …").click();
    h.run();
    h.get_by_role_and_label(egui::Role::TextInput, "Datei:")
        .click();
    h.run();
    h.get_by_role_and_label(egui::Role::TextInput, "Datei:")
        .type_text(&file.display().to_string());
    h.run();
    h.get_by_label("Vorschau laden").click();
    run_until(&mut h, "preview", |app| {
        app.state().source_preview().is_some() && app.state().job(Job::Preview).is_none()
    });
    h.run();
    // The header row is found below the title, the columns are mapped and checked.
    assert!(h.query_by_label("erkannt: Zeile 3").is_some());
    assert_eq!(
        h.get_by_role_and_label(egui::Role::TextInput, "Kopfzeile (Zeilennummer):")
            .accesskit_node()
            .value()
            .as_deref(),
        Some("3")
    );
    assert!(h.query_by_label("3 × keine Zahl").is_some());
    assert!(h.query_by_label("Tabellenblatt:").is_some());
    assert!(h.query_all_by_label("Zahl").count() >= 3);
    let columns = h.state_mut().forms_mut().source.columns.clone();
    assert_eq!(columns[1], Some(kdu_konzept::model::Field::NetRent));
    assert_eq!(columns[2], Some(kdu_konzept::model::Field::Area));
    assert_eq!(columns[5], None, "Bemerkung is not mapped automatically");

    // Map "Bemerkung" to the record id by hand.
    h.get_by_role_and_label(egui::Role::ComboBox, "F Bemerkung")
        .click();
    h.run();
    // The last entry of the list: scroll it into view first.
    h.get_by_label("Datensatz-ID").scroll_to_me();
    h.run();
    h.get_by_label("Datensatz-ID").click();
    h.run();
    assert_eq!(
        h.state_mut().forms_mut().source.columns[5],
        Some(kdu_konzept::model::Field::RecordId)
    );
    // The Betriebskosten column holds annual amounts: tick „jährlich“ for it. Only money
    // columns offer the choice (Nettokaltmiete and Betriebskosten here).
    assert!(
        h.query_by_role_and_label(egui::Role::CheckBox, "B Nettokaltmiete")
            .is_some()
    );
    assert!(
        h.query_by_role_and_label(egui::Role::CheckBox, "C Wohnfläche")
            .is_none()
    );
    h.get_by_role_and_label(egui::Role::CheckBox, "D Betriebskosten")
        .click();
    h.run();
    assert!(
        h.state_mut()
            .forms_mut()
            .source
            .annual
            .contains(&kdu_konzept::model::Field::OperatingCosts)
    );
    h.get_by_role_and_label(egui::Role::TextInput, "Stichtag:")
        .click();
    h.run();
    h.get_by_role_and_label(egui::Role::TextInput, "Stichtag:")
        .type_text("31.12.2024");
    h.run();

    h.get_by_label("Übernehmen").scroll_to_me();
    h.run();
    h.get_by_label("Übernehmen").click();
    run_until(&mut h, "reload", |app| {
        !app.state().busy() && app.state().doc().unwrap().lp().data.sources.len() == 1
    });
    h.run();
    {
        let doc = h.state().state().doc().unwrap();
        let spec = &doc.project().sources[0];
        assert_eq!(spec.path, "mieten.xlsx");
        assert_eq!(spec.sheet.as_deref(), Some("Mieten"));
        assert_eq!(spec.header_row, Some(3));
        assert_eq!(spec.kind, SourceKind::Bestand);
        assert_eq!(spec.stichtag, Date::from_ymd(2024, 12, 31));
        assert_eq!(
            spec.mapping
                .get(&kdu_konzept::model::Field::RecordId)
                .map(String::as_str),
            Some("Bemerkung")
        );
        assert_eq!(spec.sha256.len(), 64, "checksum filled in on load");
        assert_eq!(
            spec.annual.iter().copied().collect::<Vec<_>>(),
            vec![kdu_konzept::model::Field::OperatingCosts]
        );
        // Betriebskosten were written as 2 €/m² per year: 1/12 of that per month.
        let r = &doc.lp().data.records[0];
        let expected = r.area * 2.0 / 12.0;
        assert!(
            (r.operating_costs.unwrap() - expected).abs() < 1e-9,
            "{:?} vs {expected}",
            r.operating_costs
        );
        assert_eq!(doc.project().mapping_profiles.len(), 1);
        assert_eq!(doc.lp().data.sources[0].import.rows_total, 40);
        assert_eq!(doc.lp().data.records.len(), 37);
        assert_eq!(doc.lp().data.rejections.len(), 3);
    }
    // The register shows the new source with its counts.
    assert!(h.query_by_label("mieten.xlsx").is_some());
    assert!(h.query_by_label("40").is_some());
    assert!(h.query_by_label("37").is_some());
    assert!(
        h.query_by_label_contains("Zusammen 37 Datensätze übernommen, 3 Zeilen abgelehnt")
            .is_some()
    );

    // One undo step removes the source (and its profile); the data are reloaded.
    h.state_mut().state_mut().handle(Command::Undo);
    run_until(&mut h, "reload after undo", |app| !app.state().busy());
    h.run();
    let doc = h.state().state().doc().unwrap();
    assert!(doc.project().sources.is_empty());
    assert!(doc.project().mapping_profiles.is_empty());
    assert!(doc.lp().data.records.is_empty());
    assert!(h.query_by_label("mieten.xlsx").is_none());
    assert!(
        h.query_by_label_contains("Noch keine Datenquellen")
            .is_some()
    );
}

#[test]
fn a_saved_mapping_profile_is_reused_and_a_source_can_be_removed() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("angebote.xlsx");
    write_rent_workbook(&file);
    let mut h = harness(synthetic_project(dir.path()));
    let mut profile_columns = std::collections::BTreeMap::new();
    profile_columns.insert(
        kdu_konzept::model::Field::NetRent,
        "Nettokaltmiete".to_string(),
    );
    profile_columns.insert(kdu_konzept::model::Field::Area, "Wohnfläche".to_string());
    profile_columns.insert(kdu_konzept::model::Field::RecordId, "Bemerkung".to_string());
    let state = h.state_mut().state_mut();
    state.handle(Command::AddSource {
        spec: Box::new(kdu_konzept::model::SourceSpec {
            path: "angebote.xlsx".to_string(),
            sheet: None,
            header_row: None,
            kind: SourceKind::Angebot,
            sha256: String::new(),
            lieferant: String::new(),
            methode: String::new(),
            stichtag: None,
            zeitraum_von: None,
            zeitraum_bis: None,
            mapping: profile_columns.clone(),
            annual: Default::default(),
        }),
        profile: Some(kdu_konzept::import::mapping::MappingProfile {
            name: "Export Portal".to_string(),
            signature: String::new(),
            columns: profile_columns,
            annual: Default::default(),
        }),
        replace: None,
    });
    state.handle(Command::Navigate(Screen::Daten));
    run_until(&mut h, "reload", |app| !app.state().busy());
    h.run();
    assert_eq!(h.state().state().doc().unwrap().lp().data.records.len(), 37);
    // A file with the same headers: the saved profile is offered.
    h.get_by_label("Quelle hinzufügen …").click();
    h.run();
    h.state_mut().forms_mut().source.path = file.display().to_string();
    h.run();
    h.get_by_label("Vorschau laden").click();
    run_until(&mut h, "preview", |app| {
        app.state().source_preview().is_some() && app.state().job(Job::Preview).is_none()
    });
    h.run();
    assert!(
        h.query_by_label_contains("Gespeicherte Zuordnung „Export Portal“")
            .is_some()
    );
    assert_eq!(
        h.state_mut().forms_mut().source.columns[5],
        Some(kdu_konzept::model::Field::RecordId)
    );
    h.get_by_label("Abbrechen").click();
    h.run();
    // Remove the source from the register.
    h.get_by_label("Entfernen").click();
    run_until(&mut h, "reload after removal", |app| !app.state().busy());
    h.run();
    let doc = h.state().state().doc().unwrap();
    assert!(doc.project().sources.is_empty());
    assert!(doc.lp().data.records.is_empty());
}

#[test]
fn gemeinde_table_is_imported_edited_and_undone() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("gemeinden.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in [
        "AGS",
        "Gemeinde",
        "Vergleichsraum",
        "Einwohner",
        "Mietwohnungen",
        "Mietstufe",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, (ags, name, vr, ew)) in [
        ("05999001", "Musterstadt", "Musterstadt", 52_000.0),
        ("05999002", "Nordheim", "Nordkreis", 8_000.0),
        ("05999004", "Südheim", "Südkreis", 6_500.0),
        ("05999005", "Westdorf", "Südkreis", 2_100.0),
    ]
    .iter()
    .enumerate()
    {
        let row = 1 + r as u32;
        ws.write_string(row, 0, *ags).unwrap();
        ws.write_string(row, 1, *name).unwrap();
        ws.write_string(row, 2, *vr).unwrap();
        ws.write_number(row, 3, *ew).unwrap();
        ws.write_number(row, 4, ew / 3.0).unwrap();
        ws.write_number(row, 5, 3.0).unwrap();
    }
    wb.save(&file).unwrap();

    let mut h = harness(synthetic_project(dir.path()));
    h.run();
    h.get_by_label("Vergleichsräume").click();
    h.run();
    h.get_by_role_and_label(egui::Role::TextInput, "Gemeindetabelle (Datei):")
        .click();
    h.run();
    h.get_by_role_and_label(egui::Role::TextInput, "Gemeindetabelle (Datei):")
        .type_text(&file.display().to_string());
    h.run();
    h.get_by_label("Gemeindetabelle importieren").click();
    h.run();
    // A table exists: ask first.
    assert!(
        h.query_by_label_contains("Die vorhandene Tabelle mit 3 Gemeinden wird ersetzt")
            .is_some()
    );
    assert_eq!(h.state().state().project().unwrap().gemeinden.len(), 3);
    h.get_by_label("Ersetzen").click();
    h.run();
    let gemeinden = &h.state().state().project().unwrap().gemeinden;
    assert_eq!(gemeinden.len(), 4);
    assert_eq!(gemeinden[2].vergleichsraum, "Südkreis");
    assert_eq!(gemeinden[2].einwohner, Some(6_500));
    assert!(h.query_by_label("Südheim").is_some());
    assert!(h.query_by_label("Westdorf").is_some());
    assert!(h.query_by_label("Leerdorf").is_none());

    // Inline editing: add a row, change its Einwohner.
    h.get_by_label("Tabelle bearbeiten").click();
    h.run();
    h.get_by_label("Gemeinde hinzufügen").click();
    h.run();
    assert_eq!(h.state().state().project().unwrap().gemeinden.len(), 5);
    let einwohner: Vec<_> = h
        .get_all_by_role_and_label(egui::Role::TextInput, "Einwohner")
        .collect();
    assert_eq!(einwohner.len(), 5);
    einwohner[4].click();
    h.run();
    h.get_all_by_role_and_label(egui::Role::TextInput, "Einwohner")
        .nth(4)
        .unwrap()
        .type_text("1234");
    h.run();
    assert_eq!(
        h.state().state().project().unwrap().gemeinden[4].einwohner,
        Some(1234)
    );

    // Undo: the typed number, the added row, then the import.
    let state = h.state_mut().state_mut();
    state.handle(Command::Undo);
    state.handle(Command::Undo);
    assert_eq!(state.project().unwrap().gemeinden.len(), 4);
    state.handle(Command::Undo);
    assert_eq!(state.project().unwrap().gemeinden.len(), 3);
    assert_eq!(state.project().unwrap().gemeinden[2].name, "Leerdorf");
}
