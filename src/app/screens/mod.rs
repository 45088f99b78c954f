//! One module per screen; each draws from a read-only [`AppState`] and pushes commands.
//! Also the frame around the screens: top bar, navigation, status bar and the modal dialog.

pub mod cluster;
pub mod data;
pub mod explore;
pub mod export;
pub mod params;
pub mod pruefung;
pub mod regions;
pub mod results;
pub mod scenarios;
pub mod source_dialog;
pub mod start;

use super::forms::Forms;
use super::state::{AppState, Command, Job, Level, PendingAction, PendingChoice, Screen};
use super::widgets::{level_color, success_color};
use crate::fmt::{count, number};
use egui::{Color32, RichText, Ui};

/// Draws the current screen.
pub fn screen_ui(ui: &mut Ui, state: &AppState, forms: &mut Forms, cmds: &mut Vec<Command>) {
    match state.screen() {
        Screen::Start => start::start_ui(ui, state, forms, cmds),
        Screen::Daten => data::data_ui(ui, state, forms, cmds),
        Screen::Datenexplorer => explore::explore_ui(ui, state, forms, cmds),
        Screen::Vergleichsraeume => regions::regions_ui(ui, state, forms, cmds),
        Screen::Parameter => params::params_ui(ui, state, forms, cmds),
        Screen::Ergebnisse => results::results_ui(ui, state, forms, cmds),
        Screen::Szenarien => scenarios::scenarios_ui(ui, state, forms, cmds),
        Screen::Pruefung => pruefung::pruefung_ui(ui, state, forms, cmds),
        Screen::Export => export::export_ui(ui, state, forms, cmds),
    }
}

/// The state of a screen at a glance: a short text and its colour.
fn nav_status(ui: &Ui, state: &AppState, screen: Screen) -> (String, Color32) {
    let normal = ui.visuals().weak_text_color();
    let warn = ui.visuals().warn_fg_color;
    let error = ui.visuals().error_fg_color;
    let Some(doc) = state.doc() else {
        return match screen {
            Screen::Start => ("kein Projekt geöffnet".into(), normal),
            _ => (String::new(), normal),
        };
    };
    let project = doc.project();
    match screen {
        Screen::Start => (project.project.name.clone(), normal),
        Screen::Daten => {
            let records = doc.lp().data.records.len();
            let text = format!(
                "{} Datensätze, {} abgelehnt",
                number(records as f64, 0),
                number(doc.lp().data.rejections.len() as f64, 0)
            );
            (text, if records == 0 { error } else { normal })
        }
        Screen::Datenexplorer => (String::new(), normal),
        Screen::Vergleichsraeume => {
            let zero = doc
                .prep()
                .coverage
                .iter()
                .filter(|c| c.n_reference == 0)
                .count();
            let unassigned = project
                .gemeinden
                .iter()
                .filter(|g| g.vergleichsraum.is_empty())
                .count();
            let n_vr = project.vergleichsraum_names().len();
            if unassigned > 0 {
                (
                    format!(
                        "{} ohne Vergleichsraum",
                        count(unassigned, "Gemeinde", "Gemeinden")
                    ),
                    error,
                )
            } else if zero > 0 {
                (
                    format!(
                        "{}, {} ohne Daten",
                        count(n_vr, "Vergleichsraum", "Vergleichsräume"),
                        count(zero, "Gemeinde", "Gemeinden")
                    ),
                    warn,
                )
            } else {
                (count(n_vr, "Vergleichsraum", "Vergleichsräume"), normal)
            }
        }
        Screen::Parameter => {
            let p = &project.parameters;
            let text = super::screens::scenarios::short_description(p);
            if p.wohnflaechen.confirmed {
                (text, normal)
            } else {
                (format!("{text} · Wohnflächen unbestätigt"), warn)
            }
        }
        Screen::Ergebnisse => {
            let cells = &doc.analysis().cells;
            let invalid = cells.iter().filter(|c| !c.valid).count();
            if invalid > 0 {
                (
                    format!(
                        "{} ohne gültigen Richtwert",
                        count(invalid, "Tabellenfeld", "Tabellenfelder")
                    ),
                    warn,
                )
            } else {
                (
                    format!(
                        "{} gültig",
                        count(cells.len(), "Tabellenfeld", "Tabellenfelder")
                    ),
                    normal,
                )
            }
        }
        Screen::Szenarien => (
            format!(
                "{} gespeichert",
                count(state.scenarios().len(), "Szenario", "Szenarien")
            ),
            normal,
        ),
        Screen::Pruefung => {
            let (text, ok) = pruefung::verdict(doc.analysis());
            (text, if ok { success_color(ui) } else { error })
        }
        Screen::Export => {
            if state.job(Job::Export).is_some() {
                ("läuft …".into(), normal)
            } else {
                match state.last_export() {
                    Some((_, g)) if *g == state.export_generation() => {
                        ("aktuell exportiert".into(), normal)
                    }
                    Some(_) => ("Export veraltet".into(), warn),
                    None => ("noch nicht exportiert".into(), normal),
                }
            }
        }
    }
}

/// The navigation on the left, in workflow order.
pub fn nav_ui(ui: &mut Ui, state: &AppState, cmds: &mut Vec<Command>) {
    ui.add_space(6.0);
    for (i, screen) in Screen::ALL.into_iter().enumerate() {
        let enabled = screen == Screen::Start || state.doc().is_some();
        ui.horizontal(|ui| {
            ui.label(RichText::new(format!("{}", i + 1)).weak());
            let r = ui.add_enabled(
                enabled,
                egui::Button::selectable(state.screen() == screen, screen.title()),
            );
            if r.clicked() {
                cmds.push(Command::Navigate(screen));
            }
        });
        let (text, color) = nav_status(ui, state, screen);
        if !text.is_empty() {
            ui.indent(("nav_status", i), |ui| {
                ui.label(RichText::new(text).size(12.0).color(color));
            });
        }
        ui.add_space(4.0);
    }
}

/// The bar at the top: project, dirty marker, save/undo/redo, background work.
pub fn top_ui(ui: &mut Ui, state: &AppState, cmds: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        ui.label(RichText::new("KdU-Konzept").strong());
        ui.separator();
        match state.doc() {
            Some(doc) => {
                ui.label(&doc.project().project.name)
                    .on_hover_text(doc.lp().path.display().to_string());
                if doc.is_dirty() {
                    ui.colored_label(ui.visuals().warn_fg_color, "• ungespeichert")
                        .on_hover_text("Es gibt ungespeicherte Änderungen (Strg+S speichert)");
                }
            }
            None => {
                ui.weak("kein Projekt");
            }
        }
        ui.separator();
        let has_doc = state.doc().is_some();
        let (undo, redo) = state.undo_redo_len();
        if ui
            .add_enabled(has_doc, egui::Button::new("Speichern"))
            .on_hover_text("Projekt speichern (Strg+S)")
            .clicked()
        {
            cmds.push(Command::Save);
        }
        if ui
            .add_enabled(undo > 0, egui::Button::new("Rückgängig"))
            .on_hover_text(format!(
                "Letzte Änderung rückgängig machen (Strg+Z), {undo} Schritte"
            ))
            .clicked()
        {
            cmds.push(Command::Undo);
        }
        if ui
            .add_enabled(redo > 0, egui::Button::new("Wiederholen"))
            .on_hover_text("Rückgängig gemachte Änderung wiederholen (Strg+Y)")
            .clicked()
        {
            cmds.push(Command::Redo);
        }
        if let Some(task) = state.job(Job::Load) {
            ui.separator();
            ui.spinner();
            let text = match task.fraction {
                Some(f) => format!("{} – {}", task.label, crate::fmt::percent(f64::from(f))),
                None => task.label.clone(),
            };
            ui.label(text);
            if ui.button("Laden abbrechen").clicked() {
                cmds.push(Command::CancelLoad);
            }
        }
        if let Some(task) = state.job(Job::Reload) {
            ui.separator();
            ui.spinner();
            let text = match task.fraction {
                Some(f) => format!("{} – {}", task.label, crate::fmt::percent(f64::from(f))),
                None => task.label.clone(),
            };
            ui.label(text);
        }
    });
}

/// The status bar: the newest message (dismissable) and the list of earlier ones.
pub fn status_ui(ui: &mut Ui, state: &AppState, cmds: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        match state.current_message() {
            Some(m) => {
                let prefix = match m.level {
                    Level::Info => "",
                    Level::Erfolg => "",
                    Level::Warnung => "Warnung: ",
                    Level::Fehler => "Fehler: ",
                };
                if ui
                    .small_button("×")
                    .on_hover_text("Meldung schließen")
                    .clicked()
                {
                    cmds.push(Command::DismissMessage);
                }
                ui.colored_label(level_color(ui, m.level), format!("{prefix}{}", m.text));
            }
            None => {
                ui.weak("Bereit.");
            }
        }
        if state.messages().len() > 1 {
            ui.menu_button(
                format!("Meldungen ({})", number(state.messages().len() as f64, 0)),
                |ui| {
                    egui::ScrollArea::vertical()
                        .max_height(300.0)
                        .show(ui, |ui| {
                            for m in state.messages().iter().rev() {
                                ui.colored_label(level_color(ui, m.level), &m.text);
                            }
                        });
                },
            );
        }
    });
}

/// The "unsaved changes" modal.
pub fn pending_modal(ctx: &egui::Context, state: &AppState, cmds: &mut Vec<Command>) {
    let Some(action) = state.pending() else {
        return;
    };
    let what = match action {
        PendingAction::CloseWindow => "Das Programm wird beendet.",
        PendingAction::Open(_) => "Ein anderes Projekt wird geöffnet.",
        PendingAction::New(_) => "Ein neues Projekt wird angelegt.",
    };
    let modal = egui::Modal::new(egui::Id::unique("unsaved_changes")).show(ctx, |ui| {
        ui.set_width(420.0);
        ui.heading("Ungespeicherte Änderungen");
        ui.label(format!(
            "{what} Das Projekt hat ungespeicherte Änderungen. Sollen sie gespeichert werden?"
        ));
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            if ui.button("Speichern").clicked() {
                cmds.push(Command::ResolvePending(PendingChoice::Speichern));
            }
            if ui.button("Verwerfen").clicked() {
                cmds.push(Command::ResolvePending(PendingChoice::Verwerfen));
            }
            if ui.button("Abbrechen").clicked() {
                cmds.push(Command::ResolvePending(PendingChoice::Abbrechen));
            }
        });
    });
    if modal.should_close() && cmds.is_empty() {
        cmds.push(Command::ResolvePending(PendingChoice::Abbrechen));
    }
}
