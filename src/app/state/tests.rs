//! Unit tests of [`AppState::handle`] without a GUI: build the state, send commands, look.

use super::*;
use crate::dataset::Dataset;
use crate::model::catalogue::Value;
use crate::model::project::{GemeindeRow, SourceSpec};
use crate::model::{Date, Field, Record, SourceKind};
use std::path::Path;

/// One Vergleichsraum with two Gemeinden and 300 Bestand records (deterministic).
fn project_in(dir: &Path) -> LoadedProject {
    let mut project = Project::new("Testkreis", Date::from_ymd(2025, 1, 1).unwrap());
    project.parameters.wohnflaechen.confirmed = true;
    for (ags, name) in [("05999001", "Musterstadt"), ("05999002", "Nordheim")] {
        project.gemeinden.push(GemeindeRow {
            ags: ags.to_string(),
            name: name.to_string(),
            vergleichsraum: "Kreis".to_string(),
            einwohner: Some(10_000),
            mietwohnungen: Some(3_000),
            mietstufe: Some(3),
        });
    }
    let records = (0..300u32)
        .map(|i| {
            let area = 30.0 + f64::from(i % 90);
            let per_m2 = 5.0 + f64::from((i * 37) % 50) / 10.0;
            let mut r = Record::new(0, i + 2, SourceKind::Bestand, per_m2 * area, area);
            r.gemeinde = Some(
                if i % 2 == 0 {
                    "Musterstadt"
                } else {
                    "Nordheim"
                }
                .to_string(),
            );
            r.operating_costs = Some(2.0 * area);
            r.contract_start = Date::from_ymd(2023, 6, 1);
            r
        })
        .collect();
    LoadedProject {
        path: dir.join("test.kdu.toml"),
        project,
        data: Dataset {
            records,
            rejections: Vec::new(),
            sources: Vec::new(),
            ..Dataset::default()
        },
        warnings: Vec::new(),
    }
}

fn state_in(dir: &Path) -> AppState {
    let mut state = AppState::new(None, None);
    state.set_loaded(project_in(dir));
    state
}

fn set_percentile(state: &mut AppState, p: f64) {
    let mut params = state.project().unwrap().parameters.clone();
    params.reference.percentile = p;
    state.handle(Command::SetParameters {
        params: Box::new(params),
        key: "reference.percentile",
    });
}

fn first_limit(state: &AppState) -> Option<f64> {
    state.doc().unwrap().analysis().cells[0]
        .limits
        .map(|l| l.gross_cold)
}

fn last_text(state: &AppState) -> &str {
    state.current_message().map_or("", |m| m.text.as_str())
}

#[test]
fn loading_selects_a_cell_and_shows_the_results() {
    let dir = tempfile::tempdir().unwrap();
    let state = state_in(dir.path());
    assert_eq!(state.screen(), Screen::Ergebnisse);
    assert!(state.selected().is_some());
    assert!(!state.is_dirty());
    assert_eq!(state.undo_redo_len(), (0, 0));
    assert!(first_limit(&state).is_some());
}

#[test]
fn a_parameter_change_recomputes_and_is_undone_and_redone() {
    let dir = tempfile::tempdir().unwrap();
    let mut state = state_in(dir.path());
    let before = first_limit(&state);
    let generation = state.generation();
    set_percentile(&mut state, 0.6);
    assert!(state.is_dirty());
    assert!(state.generation() > generation);
    assert_ne!(first_limit(&state), before);
    // A slider drag: further ticks of the same parameter merge into one step.
    set_percentile(&mut state, 0.61);
    set_percentile(&mut state, 0.62);
    assert_eq!(state.undo_redo_len(), (1, 0));
    state.handle(Command::Undo);
    assert_eq!(first_limit(&state), before);
    assert!(!state.is_dirty());
    assert_eq!(state.undo_redo_len(), (0, 1));
    state.handle(Command::Redo);
    assert_eq!(
        state.project().unwrap().parameters.reference.percentile,
        0.62
    );
    state.handle(Command::Redo);
    assert_eq!(last_text(&state), "Nichts zu wiederholen.");
}

#[test]
fn set_param_changes_one_parameter_or_refuses_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let mut state = state_in(dir.path());
    state.handle(Command::SetParam {
        path: "outliers.k",
        value: Value::Number(2.5),
    });
    assert_eq!(state.project().unwrap().parameters.outliers.k, 2.5);
    assert_eq!(state.undo_redo_len(), (1, 0));
    let params = state.project().unwrap().parameters.clone();
    state.handle(Command::SetParam {
        path: "outliers.gibt_es_nicht",
        value: Value::Number(1.0),
    });
    assert_eq!(state.project().unwrap().parameters, params);
    assert_eq!(state.undo_redo_len(), (1, 0));
    assert_eq!(state.current_message().unwrap().level, Level::Fehler);
    // A value outside its range is refused with a German message, no undo step.
    state.handle(Command::SetParam {
        path: "outliers.k",
        value: Value::Number(-1.0),
    });
    assert_eq!(state.project().unwrap().parameters, params);
    assert_eq!(state.undo_redo_len(), (1, 0));
    assert!(state.current_message().unwrap().text.contains("ungültig"));
}

#[test]
fn the_scenario_comparison_is_not_computed_while_another_screen_is_shown() {
    let dir = tempfile::tempdir().unwrap();
    let mut state = state_in(dir.path());
    state.handle(Command::SaveScenario("P33".to_string()));
    state.handle(Command::Navigate(Screen::Szenarien));
    state.handle(Command::Compare {
        a: ScenarioRef::Current,
        b: ScenarioRef::Saved(0),
    });
    let shown = state.comparison().unwrap().clone();
    assert_eq!(shown.generation, state.generation());
    assert_eq!(shown.rows[0].a, shown.rows[0].b);

    // Slider ticks on another screen: the comparison is left as it was (not computed).
    state.handle(Command::Navigate(Screen::Ergebnisse));
    for p in [0.5, 0.55, 0.6] {
        set_percentile(&mut state, p);
    }
    assert_eq!(state.comparison(), Some(&shown));
    assert_ne!(shown.generation, state.generation());

    // Back on the Szenarien screen it is computed once, for the current parameters.
    state.handle(Command::Navigate(Screen::Szenarien));
    let now = state.comparison().unwrap();
    assert_eq!(now.generation, state.generation());
    let row = &now.rows[0];
    assert_eq!(row.a.and_then(|f| f.gross_cold), first_limit(&state));
    assert_eq!(row.b, shown.rows[0].b);
    assert_ne!(row.a, row.b);

    // While the screen is shown, a change refreshes it at once.
    set_percentile(&mut state, 0.33);
    assert_eq!(state.comparison().unwrap().generation, state.generation());
}

#[test]
fn deleting_a_scenario_drops_the_comparison() {
    let dir = tempfile::tempdir().unwrap();
    let mut state = state_in(dir.path());
    state.handle(Command::SaveScenario("A".to_string()));
    state.handle(Command::Navigate(Screen::Szenarien));
    state.handle(Command::Compare {
        a: ScenarioRef::Saved(0),
        b: ScenarioRef::Current,
    });
    assert!(state.comparison().is_some());
    state.handle(Command::DeleteScenario(0));
    assert!(state.comparison().is_none());
    assert!(state.scenarios().is_empty());
}

/// A source without checksum, as added by the user.
fn csv_source() -> SourceSpec {
    SourceSpec {
        path: "mieten.csv".to_string(),
        sheet: None,
        header_row: None,
        kind: SourceKind::Bestand,
        sha256: String::new(),
        lieferant: String::new(),
        methode: String::new(),
        stichtag: None,
        zeitraum_von: None,
        zeitraum_bis: None,
        mapping: [
            (Field::NetRent, "Nettokaltmiete".to_string()),
            (Field::Area, "Wohnfläche".to_string()),
            (Field::Gemeinde, "Gemeinde".to_string()),
        ]
        .into_iter()
        .collect(),
        annual: Default::default(),
    }
}

#[test]
fn the_checksum_fill_is_a_patch_not_an_undo_step() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("mieten.csv"),
        "Nettokaltmiete;Wohnfläche;Gemeinde\n400;60;Musterstadt\n500;70;Nordheim\n",
    )
    .unwrap();
    let mut state = state_in(dir.path());
    state.handle(Command::AddSource {
        spec: Box::new(csv_source()),
        profile: None,
        replace: None,
    });
    assert!(state.job(Job::Reload).is_some());
    assert!(state.wait_for_tasks(Duration::from_secs(60)));
    let sha = &state.project().unwrap().sources[0].sha256;
    assert_eq!(sha.len(), 64, "{}", last_text(&state));
    assert_eq!(state.doc().unwrap().lp().data.records.len(), 2);
    // Adding the source is the only undo step; undo removes it, redo brings it back with
    // its checksum.
    assert_eq!(state.undo_redo_len(), (1, 0));
    let filled = state.project().unwrap().sources.clone();
    state.handle(Command::Undo);
    assert!(state.project().unwrap().sources.is_empty());
    state.handle(Command::Redo);
    assert_eq!(state.project().unwrap().sources, filled);
}

#[test]
fn a_patch_reaches_the_undo_snapshots() {
    let dir = tempfile::tempdir().unwrap();
    let mut state = state_in(dir.path());
    state.handle(Command::AddSource {
        spec: Box::new(csv_source()),
        profile: None,
        replace: None,
    });
    // The file does not exist: the reload fails, the source stays without checksum.
    assert!(state.wait_for_tasks(Duration::from_secs(60)));
    set_percentile(&mut state, 0.5);
    assert_eq!(state.undo_redo_len(), (2, 0));
    let patch = ProjectPatch::FillChecksums(vec![(
        sources_key(&[csv_source()]).remove(0),
        "ab".repeat(32),
    )]);
    state.apply_patch(&patch);
    assert_eq!(state.undo_redo_len(), (2, 0));
    state.handle(Command::Undo);
    assert_eq!(state.project().unwrap().sources[0].sha256, "ab".repeat(32));
}

#[test]
fn an_export_into_a_missing_folder_is_refused_without_a_job() {
    let dir = tempfile::tempdir().unwrap();
    let mut state = state_in(dir.path());
    state.handle(Command::StartExport {
        path: dir.path().join("fehlt").join("mappe.xlsx"),
        kind: Variant::Pruefmappe,
    });
    assert!(!state.busy());
    assert!(last_text(&state).contains("existiert nicht"));
}

#[test]
fn commands_without_a_project_only_warn() {
    let mut state = AppState::new(None, None);
    state.handle(Command::SetParam {
        path: "outliers.k",
        value: Value::Number(2.0),
    });
    assert_eq!(state.current_message().unwrap().level, Level::Warnung);
    state.handle(Command::Undo);
    assert!(state.project().is_none());
    assert_eq!(state.title(), "KdU-Konzept");
}

#[test]
fn recovery_copy_is_removed_when_the_document_is_clean_again() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("daten");
    std::fs::create_dir_all(&data).unwrap();
    let storage = crate::app::recovery::Storage::new(data);
    let mut state = AppState::new(Some(storage.clone()), None);
    state.set_loaded(project_in(dir.path()));
    set_percentile(&mut state, 0.4);
    state.write_recovery_now();
    assert!(storage.read_recovery().is_some());
    // Undo back to the saved state: the copy would offer an intermediate state next time.
    state.handle(Command::Undo);
    assert!(!state.is_dirty());
    state.tick();
    assert!(storage.read_recovery().is_none());
    // A dirty document keeps its copy on exit; a clean one leaves none behind.
    set_percentile(&mut state, 0.45);
    state.write_recovery_now();
    state.on_exit();
    assert!(storage.read_recovery().is_some());
    state.handle(Command::Undo);
    state.on_exit();
    assert!(storage.read_recovery().is_none());
    // With a copy on offer, a new start stays on the Start screen.
    set_percentile(&mut state, 0.5);
    state.write_recovery_now();
    let fresh = AppState::new(Some(storage), None);
    assert!(fresh.recovery_offer().is_some());
    assert_eq!(fresh.screen(), Screen::Start);
}

#[test]
fn a_vergleichsraum_is_created_and_can_be_assigned() {
    let dir = tempfile::tempdir().unwrap();
    let mut state = state_in(dir.path());
    let before = state.project().unwrap().vergleichsraum_names().len();
    state.handle(Command::AddVergleichsraum(" Umland ".to_string()));
    let names = state.project().unwrap().vergleichsraum_names();
    assert_eq!(names.len(), before + 1);
    assert!(names.contains(&"Umland".to_string()));
    state.handle(Command::AssignGemeinde {
        index: 0,
        vr: "Umland".to_string(),
    });
    assert_eq!(
        state.project().unwrap().gemeinden[0].vergleichsraum,
        "Umland"
    );
    // Empty and duplicate names are refused with a message, no undo step.
    let steps = state.undo_redo_len();
    state.handle(Command::AddVergleichsraum("  ".to_string()));
    state.handle(Command::AddVergleichsraum("Umland".to_string()));
    assert_eq!(state.undo_redo_len(), steps);
    assert_eq!(state.current_message().unwrap().level, Level::Warnung);
}

#[test]
fn a_saved_scenario_does_not_make_the_export_outdated() {
    let dir = tempfile::tempdir().unwrap();
    let mut state = state_in(dir.path());
    let exported = state.export_generation();
    state.handle(Command::SaveScenario("P40".to_string()));
    assert_eq!(state.scenarios().len(), 1);
    assert_eq!(state.export_generation(), exported);
    // Undoing the scenario does not either; a parameter change does.
    state.handle(Command::Undo);
    assert_eq!(state.export_generation(), exported);
    set_percentile(&mut state, 0.4);
    assert!(state.export_generation() > exported);
}

#[test]
fn the_load_generation_counts_opened_projects_not_edits() {
    let dir = tempfile::tempdir().unwrap();
    let mut state = state_in(dir.path());
    assert_eq!(state.load_generation(), 1);
    set_percentile(&mut state, 0.4);
    assert_eq!(
        state.load_generation(),
        1,
        "an edit keeps the scroll positions"
    );
    state.set_loaded(project_in(dir.path()));
    assert_eq!(state.load_generation(), 2);
}

#[test]
fn a_new_project_takes_its_lands_wohnflaechen_or_the_users_values() {
    use crate::init::UserWohnflaechen;
    let dir = tempfile::tempdir().unwrap();
    let mut state = AppState::new(None, None);
    let spec = |land: &str, file: &str, wohnflaechen| {
        Command::NewProject(Box::new(NewProject {
            name: "Neuer Kreis".to_string(),
            stichtag: Date::from_ymd(2026, 1, 1).unwrap(),
            path: dir.path().join(file),
            land: land.to_string(),
            wohnflaechen,
        }))
    };
    state.handle(spec("BY", "by.kdu.toml", None));
    let w = &state.project().unwrap().parameters.wohnflaechen;
    assert_eq!((w.land.as_str(), w.sizes[2]), ("BY", 75.0));

    // Rheinland-Pfalz has no m² rule: nothing is created without the user's values.
    state.handle(spec("RP", "rp.kdu.toml", None));
    assert!(
        last_text(&state).contains("Rheinland-Pfalz"),
        "{}",
        last_text(&state)
    );
    assert!(!dir.path().join("rp.kdu.toml").exists());
    assert_eq!(state.project().unwrap().parameters.wohnflaechen.land, "BY");
    let values = UserWohnflaechen {
        sizes: vec![45.0, 60.0, 75.0, 85.0, 95.0],
        per_further: 10.0,
        source: "KdU-Richtlinie Kreis".to_string(),
    };
    state.handle(spec("RP", "rp.kdu.toml", Some(values)));
    let w = &state.project().unwrap().parameters.wohnflaechen;
    assert_eq!(w.land, "RP");
    assert_eq!(w.sizes, vec![45.0, 60.0, 75.0, 85.0, 95.0]);
    assert_eq!(w.source, "KdU-Richtlinie Kreis");
    let saved = Project::load(&dir.path().join("rp.kdu.toml")).unwrap();
    assert_eq!(saved.parameters.wohnflaechen, *w);
}

#[test]
fn reading_the_recipients_table_measures_households_against_the_limits() {
    let dir = tempfile::tempdir().unwrap();
    let mut state = state_in(dir.path());
    let vr = state.doc().unwrap().analysis().cells[0]
        .vergleichsraum
        .clone();
    let path = dir.path().join("bg.csv");
    std::fs::write(
        &path,
        format!(
            "Vergleichsraum;Haushaltsgröße;Bruttokaltmiete;Anzahl\n{vr};1;9999;3\n{vr};1;1;2\n"
        ),
    )
    .unwrap();
    state.handle(Command::SetRecipients(path.clone()));
    let imp = state.doc().unwrap().analysis().impact.clone().unwrap();
    assert_eq!(
        (imp.households, imp.above_limit),
        (5, 3),
        "{}",
        last_text(&state)
    );
    let table = state.project().unwrap().recipients.clone().unwrap();
    assert_eq!(table.path, "bg.csv");
    assert_eq!(table.sha256.len(), 64);
    assert!(state.is_dirty());
    state.handle(Command::SetRecipients(dir.path().join("fehlt.csv")));
    assert!(last_text(&state).starts_with("Bedarfsgemeinschaften nicht eingelesen"));
}

#[test]
fn renaming_a_vergleichsraum_carries_gemeinden_begruendung_and_parameters_along() {
    let dir = tempfile::tempdir().unwrap();
    let mut state = state_in(dir.path());
    state.edit_project(None, |p| {
        p.vergleichsraeume
            .push(crate::model::project::VergleichsraumSpec {
                name: "Kreis".into(),
                begruendung: "zusammenhängend".into(),
                ohne_konzept: false,
            });
        p.parameters.representativeness.market_shares = vec![crate::model::params::MarketShare {
            vergleichsraum: "Kreis".into(),
            privat: 0.6,
        }];
        p.scenarios.push(crate::model::project::Scenario {
            name: "P40".into(),
            parameters: p.parameters.clone(),
        });
    });
    let before = state.doc().unwrap().analysis().cells.len();
    state.handle(Command::RenameVergleichsraum {
        from: "Kreis".into(),
        to: " Stadt und Umland ".into(),
    });
    let p = state.project().unwrap();
    assert_eq!(p.vergleichsraum_names(), ["Stadt und Umland"]);
    assert_eq!(p.vergleichsraeume[0].begruendung, "zusammenhängend");
    assert!(
        p.gemeinden
            .iter()
            .all(|g| g.vergleichsraum == "Stadt und Umland")
    );
    assert_eq!(
        p.parameters.representativeness.market_shares[0].vergleichsraum,
        "Stadt und Umland"
    );
    assert_eq!(
        p.scenarios[0].parameters.representativeness.market_shares[0].vergleichsraum,
        "Stadt und Umland"
    );
    let a = state.doc().unwrap().analysis();
    assert_eq!(a.cells.len(), before);
    assert!(
        a.cells
            .iter()
            .all(|c| c.vergleichsraum == "Stadt und Umland")
    );
    // An existing name or an empty one is refused with a message.
    state.handle(Command::AddVergleichsraum("Nord".into()));
    state.handle(Command::RenameVergleichsraum {
        from: "Stadt und Umland".into(),
        to: "Nord".into(),
    });
    assert!(
        last_text(&state).contains("gibt es schon"),
        "{}",
        last_text(&state)
    );
    state.handle(Command::RenameVergleichsraum {
        from: "Nord".into(),
        to: "  ".into(),
    });
    assert!(last_text(&state).contains("neuen Namen"));
    // One undo step restores the old name.
    state.handle(Command::Undo);
    state.handle(Command::Undo);
    assert_eq!(state.project().unwrap().vergleichsraum_names(), ["Kreis"]);
}
