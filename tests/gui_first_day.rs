//! Query tests of the desktop app for a planner's first day without traps (issue 15): typed
//! text survives a click into the next field, mixed sources are named with their counts, every
//! action of the Daten screen is reachable at 1366×768, the whole result row selects a cell,
//! scroll positions and the path field follow the open project, labels say what they count, and
//! a new project takes the Wohnflächen of its Land.

// The helpers below are test code too; clippy only exempts test functions themselves.
#![allow(clippy::unwrap_used)]

use calamine::{Reader, open_workbook_auto};
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::{By, NodeT, Queryable};
use kdu_konzept::app::state::Job;
use kdu_konzept::app::{Command, KduApp, Screen};
use kdu_konzept::export::{ExportOptions, workbook_bytes};
use kdu_konzept::model::{Date, Project, SourceKind, SourceSpec};

/// The bundled sample project, written to `dir` and opened, in a window of `size`.
fn sample(dir: &std::path::Path, size: egui::Vec2) -> Harness<'static, KduApp> {
    let path = kdu_konzept::sample_project::write_sample_project(dir).unwrap();
    let app = KduApp::open_blocking(&path).unwrap();
    Harness::builder()
        .with_size(size)
        .build_eframe(move |_cc| app)
}

fn project<'a>(h: &'a Harness<'_, KduApp>) -> &'a Project {
    h.state().state().project().unwrap()
}

/// Clicks the first text field named `label`, selects its text and types `text`; the typed
/// text arrives in the same frame as whatever the caller does next.
fn replace_text(h: &mut Harness<'_, KduApp>, label: &str, text: &str) {
    h.query_all_by_role_and_label(egui::Role::TextInput, label)
        .next()
        .unwrap()
        .scroll_to_me();
    h.run();
    h.query_all_by_role_and_label(egui::Role::TextInput, label)
        .next()
        .unwrap()
        .click();
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run();
    h.query_all_by_role_and_label(egui::Role::TextInput, label)
        .next()
        .unwrap()
        .type_text(text);
}

/// The text of the first text field named `label`.
fn field_text(h: &Harness<'_, KduApp>, label: &str) -> Option<String> {
    h.query_all_by_role_and_label(egui::Role::TextInput, label)
        .next()
        .unwrap()
        .value()
}

#[test]
fn a_date_typed_right_before_clicking_the_next_field_is_kept_whole() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample(dir.path(), egui::vec2(1400.0, 900.0));
    h.state_mut()
        .state_mut()
        .handle(Command::Navigate(Screen::Parameter));
    h.run();
    h.get_by_label("Fortschreibung alter Richtwerte")
        .click_accesskit();
    h.run();
    let stichtag = |h: &Harness<'_, KduApp>| {
        project(h)
            .parameters
            .fortschreibung
            .as_ref()
            .unwrap()
            .old_stichtag
    };
    let field = "Stichtag des alten Konzepts:";

    // A date with a one-digit day and month, typed, and a click into the next field in the
    // same frame.
    replace_text(&mut h, field, "1.7.2026");
    h.get_by_label("Indexreihe, Nettokaltmiete").click();
    h.run();
    h.run();
    assert_eq!(stichtag(&h), Date::from_ymd(2026, 7, 1));
    assert_eq!(field_text(&h, field).as_deref(), Some("01.07.2026"));

    // A two-digit year is taken when the field loses the focus (not on the way to 2026).
    replace_text(&mut h, field, "30.06.26");
    h.get_by_label("Quelle, Nettokaltmiete").click();
    h.run();
    h.run();
    assert_eq!(stichtag(&h), Date::from_ymd(2026, 6, 30));

    // Not a date: the text stays with its error, the project keeps its value.
    replace_text(&mut h, field, "31.02.2026");
    h.get_by_label("Indexreihe, Nettokaltmiete").click();
    h.run();
    h.run();
    assert_eq!(stichtag(&h), Date::from_ymd(2026, 6, 30));
    assert_eq!(field_text(&h, field).as_deref(), Some("31.02.2026"));
    assert!(
        h.query_by_label("„31.02.2026“ ist kein gültiges Datum (TT.MM.JJJJ).")
            .is_some()
    );
}

#[test]
fn a_number_typed_into_the_gemeinde_table_is_kept_whole() {
    let dir = tempfile::tempdir().unwrap();
    // Tall enough to show the Gemeinde table below the map without scrolling: a widget inside
    // the table's own scroll area does not scroll the screen's outer one into view (egui).
    let mut h = sample(dir.path(), egui::vec2(1400.0, 1500.0));
    h.state_mut().forms_mut().gemeinde_edit = true;
    h.state_mut()
        .state_mut()
        .handle(Command::Navigate(Screen::Vergleichsraeume));
    h.run();
    replace_text(&mut h, "Einwohner", "12.345");
    h.query_all_by_role_and_label(egui::Role::TextInput, "Mietwohnungen")
        .next()
        .unwrap()
        .click();
    h.run();
    h.run();
    assert_eq!(project(&h).gemeinden[0].einwohner, Some(12_345));
    assert_eq!(field_text(&h, "Einwohner").as_deref(), Some("12.345"));
}

/// A project with one CSV source whose Datenart column mixes 1.200 Bestand and 300 Angebot
/// rows, opened.
fn mixed_source_app(dir: &std::path::Path) -> KduApp {
    let mut csv = String::from("Gemeinde;Nettokaltmiete;Wohnfläche;Datenart\n");
    for i in 0..1500 {
        let kind = if i % 5 == 0 { "Angebot" } else { "Bestand" };
        let area = 40 + i % 60;
        csv.push_str(&format!("Musterstadt;{};{area};{kind}\n", area * 7));
    }
    std::fs::write(dir.join("mieten.csv"), csv).unwrap();
    let mut project = Project::new("Gemischt", Date::from_ymd(2025, 1, 1).unwrap());
    project.sources.push(SourceSpec {
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
        mapping: Default::default(),
        annual: Default::default(),
    });
    let path = dir.join("gemischt.kdu.toml");
    project.save(&path).unwrap();
    KduApp::open_blocking(&path).unwrap()
}

#[test]
fn a_source_with_a_datenart_column_is_shown_as_mixed_with_counts() {
    let dir = tempfile::tempdir().unwrap();
    let app = mixed_source_app(dir.path());
    let expected = "gemischt: 1.200 Bestandsmieten, 300 Angebotsmieten";

    // The workbook's source register.
    let doc = app.state().doc().unwrap();
    let bytes = workbook_bytes(
        doc.lp(),
        doc.prep(),
        doc.analysis(),
        &ExportOptions::default(),
    )
    .unwrap();
    let file = dir.path().join("mappe.xlsx");
    std::fs::write(&file, bytes).unwrap();
    let mut book = open_workbook_auto(&file).unwrap();
    let sheet = book.worksheet_range("Datengrundlage").unwrap();
    let kinds: Vec<String> = sheet
        .rows()
        .filter_map(|r| r.get(2).map(ToString::to_string))
        .collect();
    assert!(kinds.iter().any(|k| k == expected), "{kinds:?}");

    // The Daten screen, and the source dialog explains that the column overrides the choice.
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_eframe(move |_cc| app);
    h.state_mut()
        .state_mut()
        .handle(Command::Navigate(Screen::Daten));
    h.run();
    assert!(h.query_by_label(expected).is_some());
    h.get_by_label("Bearbeiten").click();
    for _ in 0..500 {
        h.step();
        let s = h.state().state();
        if s.source_preview().is_some() && s.job(Job::Preview).is_none() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    h.run();
    assert!(
        h.query_by_label_contains("Die Spalte „Datenart“ gibt jeder Zeile ihre Datenart")
            .is_some()
    );
}

#[test]
fn at_1366_by_768_the_source_actions_are_visible_without_scrolling_sideways() {
    let dir = tempfile::tempdir().unwrap();
    let size = egui::vec2(1366.0, 768.0);
    let mut h = sample(dir.path(), size);
    h.state_mut()
        .state_mut()
        .handle(Command::Navigate(Screen::Daten));
    h.run();
    let window = egui::Rect::from_min_size(egui::Pos2::ZERO, size);
    for label in ["Bearbeiten", "Entfernen"] {
        let buttons: Vec<egui::Rect> = h
            .query_all_by_role_and_label(egui::Role::Button, label)
            .map(|n| n.rect())
            .collect();
        assert_eq!(buttons.len(), 3, "{label}: one per source");
        for rect in buttons {
            assert!(window.contains_rect(rect), "{label} at {rect:?}");
        }
    }
    // And they take the pointer: no floating scroll bar lies over the last row.
    h.query_all_by_role_and_label(egui::Role::Button, "Entfernen")
        .last()
        .unwrap()
        .click();
    h.step();
    assert_eq!(project(&h).sources.len(), 2);
}

/// Runs frames until the background jobs are done (a spinner keeps repainting meanwhile).
fn settle(h: &mut Harness<'_, KduApp>) {
    for _ in 0..1000 {
        h.step();
        if !h.state().state().busy() {
            h.run();
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("background jobs did not finish");
}

#[test]
fn a_click_anywhere_in_a_result_row_selects_its_cell_and_the_header_stays() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample(dir.path(), egui::vec2(1400.0, 900.0));
    h.state_mut()
        .state_mut()
        .handle(Command::Navigate(Screen::Ergebnisse));
    h.run();
    // The Bruttokaltmiete of VR 2, 2 Personen: a value cell, not the household size.
    let gross = {
        let doc = h.state().state().doc().unwrap();
        let cell = doc
            .analysis()
            .cells
            .iter()
            .find(|c| c.vr == 1 && c.household_size == 2)
            .unwrap();
        kdu_konzept::fmt::euro(cell.limits.unwrap().gross_cold)
    };
    h.get_by_label(&gross).click();
    h.run();
    assert_eq!(h.state().state().selected(), Some((1, 2)));

    // Scrolling the rows down keeps the header where it is.
    // (The table comes before the coverage table, which names the Vergleichsräume too.)
    let in_table =
        |h: &Harness<'_, KduApp>, label: &str| h.query_all_by_label(label).next().unwrap().rect();
    let header = h.get_by_label("Bruttokaltmiete €").rect();
    let first_row = in_table(&h, "VR 1 Musterstadt");
    h.query_all_by_label("VR 3 Südkreis")
        .next()
        .unwrap()
        .scroll_to_me();
    h.run();
    assert!(in_table(&h, "VR 1 Musterstadt").min.y < first_row.min.y);
    assert_eq!(h.get_by_label("Bruttokaltmiete €").rect(), header);
}

#[test]
fn another_project_starts_at_the_top_and_the_path_field_shows_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample(dir.path(), egui::vec2(1400.0, 900.0));
    h.state_mut()
        .state_mut()
        .handle(Command::Navigate(Screen::Ergebnisse));
    h.run();
    let heading = |h: &Harness<'_, KduApp>| {
        h.get_by_label_contains("Angemessenheitsgrenzen – Stichtag")
            .rect()
    };
    let top = heading(&h);
    h.get_by_label("Ausschlüsse insgesamt (alle Tabellenfelder)")
        .scroll_to_me();
    h.run();
    assert!(heading(&h).min.y < top.min.y, "scrolled down");

    // Another project, opened as from the recent list.
    let other_dir = tempfile::tempdir().unwrap();
    let other = kdu_konzept::sample_project::write_sample_project(other_dir.path()).unwrap();
    h.state_mut()
        .state_mut()
        .handle(Command::OpenProject(other.clone()));
    settle(&mut h);
    assert_eq!(h.state().state().doc().unwrap().lp().path, other);
    assert_eq!(heading(&h), top, "the new project starts at the top");

    h.get_by_label("Start").click();
    h.run();
    assert_eq!(
        h.get_by_role_and_label(egui::Role::TextInput, "Projektdatei:")
            .value(),
        Some(other.display().to_string())
    );
}

/// The rect of an accesskit node, if it has one (kittest's `rect` panics without).
fn node_rect(n: &egui_kittest::Node<'_>) -> Option<egui::Rect> {
    let b = n.accesskit_node().bounding_box()?;
    Some(egui::Rect::from_min_max(
        egui::pos2(b.x0 as f32, b.y0 as f32),
        egui::pos2(b.x1 as f32, b.y1 as f32),
    ))
}

#[test]
fn plot_legends_lie_outside_the_plots_and_no_plot_lies_under_the_scroll_bar() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample(dir.path(), egui::vec2(1200.0, 800.0));
    let s = h.state_mut().state_mut();
    s.handle(Command::SelectCell {
        vr: 0,
        household_size: 2,
    });
    s.handle(Command::Navigate(Screen::Ergebnisse));
    h.run();
    h.get_by_label("Ausschlüsse insgesamt (alle Tabellenfelder)")
        .scroll_to_me();
    h.run();
    let rects: Vec<(egui::Role, Option<String>, egui::Rect)> = h
        .query_all(By::new())
        .filter_map(|n| {
            let node = n.accesskit_node();
            Some((node.role(), node.label().or(node.value()), node_rect(&n)?))
        })
        .collect();
    let bar = rects
        .iter()
        .filter(|(role, _, _)| *role == egui::Role::ScrollBar)
        .map(|(_, _, r)| *r)
        .max_by(|a, b| a.height().total_cmp(&b.height()))
        .unwrap();
    let plots: Vec<egui::Rect> = rects
        .iter()
        .filter(|(role, _, r)| {
            *role == egui::Role::Unknown && r.width() > 150.0 && r.height() > 100.0
        })
        .map(|(_, _, r)| *r)
        .collect();
    assert!(plots.len() >= 3, "{plots:?}");
    for plot in &plots {
        assert!(
            plot.max.x <= bar.min.x,
            "plot {plot:?} under the scroll bar {bar:?}"
        );
    }
    for name in [
        "verwendet",
        "Extremwerte",
        "Kappungsgrenzen",
        "Referenzmiete",
        "Verteilungsfunktion",
        "gewähltes Perzentil",
    ] {
        let legends: Vec<egui::Rect> = rects
            .iter()
            .filter(|(_, label, _)| label.as_deref() == Some(name))
            .map(|(_, _, r)| *r)
            .collect();
        assert!(!legends.is_empty(), "no legend entry {name}");
        for legend in legends {
            assert!(
                plots.iter().all(|p| !p.intersects(legend)),
                "legend entry {name} at {legend:?} lies on a plot"
            );
        }
    }
    // Nothing of the cell's figures lies under the scroll bar.
    for (role, label, r) in &rects {
        if *role != egui::Role::ScrollBar && r.min.y >= bar.min.y && r.max.y <= bar.max.y {
            assert!(r.max.x <= bar.min.x, "{role:?} {label:?} at {r:?}");
        }
    }
}

#[test]
fn labels_say_what_they_count() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample(dir.path(), egui::vec2(1400.0, 900.0));
    let s = h.state_mut().state_mut();
    s.handle(Command::SelectCell {
        vr: 0,
        household_size: 2,
    });
    s.handle(Command::Navigate(Screen::Ergebnisse));
    h.run();
    // The count column and the cell's figures name what they count.
    let header_y = h.get_by_label("Bruttokaltmiete €").rect().center().y;
    assert!(
        h.query_all_by_label("verwendet")
            .any(|l| (l.rect().center().y - header_y).abs() < 1.0),
        "no column „verwendet“ in the header"
    );
    assert!(h.query_by_label("n").is_none());
    let n = {
        let doc = h.state().state().doc().unwrap();
        doc.analysis()
            .cells
            .iter()
            .find(|c| c.vr == 0 && c.household_size == 2)
            .unwrap()
            .n
    };
    assert!(
        h.query_by_label_contains(&format!(
            "{} Mietwerte nach der Extremwertkappung verwendet",
            kdu_konzept::fmt::number(n as f64, 0)
        ))
        .is_some()
    );
    assert!(h.query_by_label("0 Szenarien gespeichert").is_some());
    h.get_by_label("Daten").click();
    h.run();
    assert!(h.query_by_label("15 abgelehnte Zeilen angezeigt").is_some());
    assert!(h.query_by_label("4.785 Datensätze, 15 abgelehnt").is_some());
}

#[test]
fn a_new_project_asks_for_the_land_and_takes_its_wohnflaechen() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample(dir.path(), egui::vec2(1400.0, 900.0));
    h.get_by_label("Start").click();
    h.run();
    let target = dir.path().join("rp.kdu.toml");
    {
        let forms = h.state_mut().forms_mut();
        forms.new_name = "Kreis in Rheinland-Pfalz".to_string();
        forms.new_stichtag = "01.01.2026".to_string();
        forms.new_path = target.display().to_string();
    }
    h.run();
    // Without a Land nothing is created.
    h.get_by_label("Projekt anlegen").click();
    h.run();
    let message = |h: &Harness<'_, KduApp>| {
        h.state()
            .state()
            .current_message()
            .map(|m| m.text.clone())
            .unwrap_or_default()
    };
    assert!(
        message(&h).starts_with("Bitte das Land wählen"),
        "{}",
        message(&h)
    );

    // Rheinland-Pfalz: its rule counts rooms, so the form asks for the areas.
    h.get_by_role_and_label(egui::Role::ComboBox, "Land:")
        .click();
    h.run();
    h.get_by_label("Rheinland-Pfalz").click();
    h.run();
    assert!(
        h.query_by_label_contains("Für Rheinland-Pfalz sind keine gesicherten Wohnflächen")
            .is_some()
    );
    h.get_by_label("Projekt anlegen").click();
    h.run();
    assert_eq!(message(&h), "Bitte die Wohnfläche für 1 Person eingeben.");
    assert!(!target.exists());
    for (label, value) in [
        ("1 Person:", "45"),
        ("2 Personen:", "60"),
        ("3 Personen:", "75"),
        ("4 Personen:", "85"),
        ("5 Personen:", "95"),
        ("je weitere Person:", "10"),
    ] {
        h.get_by_role_and_label(egui::Role::TextInput, label)
            .click();
        h.run();
        h.get_by_role_and_label(egui::Role::TextInput, label)
            .type_text(value);
        h.run();
    }
    h.get_by_label("Projekt anlegen").click();
    h.run();
    let w = &project(&h).parameters.wohnflaechen;
    assert_eq!(w.land, "RP");
    assert_eq!(w.sizes, vec![45.0, 60.0, 75.0, 85.0, 95.0]);
    assert_eq!(w.per_further, 10.0);
    assert!(target.is_file());

    // A Land with a preset: its areas, shown before the project is created.
    let target = dir.path().join("by.kdu.toml");
    h.get_by_label("Start").click();
    h.run();
    {
        let forms = h.state_mut().forms_mut();
        forms.new_land = Some("BY".to_string());
        forms.new_path = target.display().to_string();
    }
    h.run();
    assert!(
        h.query_by_label_contains("Wohnflächen Bayern: 50 / 65 / 75 / 90 / 105 m²")
            .is_some()
    );
    h.get_by_label("Projekt anlegen").click();
    h.run();
    let w = &project(&h).parameters.wohnflaechen;
    assert_eq!((w.land.as_str(), w.sizes[2]), ("BY", 75.0));
}
