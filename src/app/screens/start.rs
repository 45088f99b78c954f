//! Start screen: open a project (path field, optional file dialog), recent projects, the
//! sample project, a new project, and the restore offer for a recovery copy.

use crate::app::forms::{DialogRequest, Forms};
use crate::app::state::{AppState, Command, Job, Level, file_label};
use crate::app::widgets::{labelled_text, section};
use crate::model::Date;
use egui::{RichText, Ui};
use std::path::PathBuf;

/// Draws the start screen.
pub fn start_ui(ui: &mut Ui, state: &AppState, forms: &mut Forms, cmds: &mut Vec<Command>) {
    ui.heading("KdU-Konzept: Angemessenheitsgrenzen nach schlüssigem Konzept");
    ui.label(
        "Ableitung der Angemessenheitsgrenzen für Kosten der Unterkunft (§ 22 SGB II, § 35 SGB XII) aus Mietdaten.",
    );

    if let Some(copy) = state.recovery_offer() {
        ui.add_space(8.0);
        egui::Frame::group(ui.style())
            .stroke(egui::Stroke::new(1.5, ui.visuals().warn_fg_color))
            .show(ui, |ui| {
                ui.label(
                    RichText::new("Ungespeicherte Änderungen gefunden")
                        .strong()
                        .color(ui.visuals().warn_fg_color),
                );
                ui.label(format!(
                    "Für das Projekt „{}“ gibt es eine Wiederherstellungskopie ({}). Projektdatei: {}",
                    copy.project.project.name,
                    copy.written,
                    copy.project_path.display()
                ));
                ui.horizontal(|ui| {
                    if ui.button("Wiederherstellen").clicked() {
                        cmds.push(Command::RestoreRecovery);
                    }
                    if ui.button("Verwerfen").clicked() {
                        cmds.push(Command::DiscardRecovery);
                    }
                });
            });
    }

    if let Some(task) = state.job(Job::Load) {
        ui.add_space(8.0);
        ui.group(|ui| {
            ui.label(&task.label);
            ui.horizontal(|ui| {
                let bar = match task.fraction {
                    Some(f) => egui::ProgressBar::new(f).show_percentage(),
                    None => egui::ProgressBar::new(0.0).animate(true),
                };
                ui.add(bar.desired_width(360.0));
                ui.label(&task.detail);
                if ui.button("Abbrechen").clicked() {
                    cmds.push(Command::CancelLoad);
                }
            });
        });
    }

    section(ui, "Projekt öffnen");
    ui.horizontal(|ui| {
        let label = ui.label("Projektdatei:");
        let edit = ui
            .add(
                egui::TextEdit::singleline(&mut forms.open_path)
                    .hint_text("/pfad/zum/projekt.kdu.toml")
                    .desired_width(520.0),
            )
            .labelled_by(label.id)
            .on_hover_text("Pfad der Projektdatei (Strg+O setzt den Cursor hierher)");
        if std::mem::take(&mut forms.focus_open) {
            edit.request_focus();
        }
        let enter = edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if ui.button("Öffnen").clicked() || enter {
            let path = forms.open_path.trim();
            if path.is_empty() {
                cmds.push(Command::Notify(
                    Level::Fehler,
                    "Bitte den Pfad der Projektdatei eingeben.".to_string(),
                ));
            } else {
                cmds.push(Command::OpenProject(PathBuf::from(path)));
            }
        }
        if forms.dialogs_enabled
            && ui
                .button("Durchsuchen …")
                .on_hover_text("Dateiauswahl öffnen (falls verfügbar)")
                .clicked()
        {
            forms.dialog_request = Some(DialogRequest::OpenProject);
        }
    });

    match crate::app::sample_project_path() {
        Some(sample) => {
            ui.horizontal(|ui| {
                if ui
                    .button("Beispielprojekt öffnen")
                    .on_hover_text("Fiktiver Landkreis Musterland mit erzeugten Mietdaten")
                    .clicked()
                {
                    cmds.push(Command::OpenProject(sample.clone()));
                }
                ui.weak(sample.display().to_string());
            });
        }
        None => {
            ui.weak("Beispielprojekt nicht gefunden (sample-data/musterland.kdu.toml).");
        }
    }

    if !state.recent().is_empty() {
        section(ui, "Zuletzt geöffnet");
        for path in state.recent() {
            ui.horizontal(|ui| {
                if ui
                    .button(file_label(path))
                    .on_hover_text(path.display().to_string())
                    .clicked()
                {
                    cmds.push(Command::OpenProject(path.clone()));
                }
                ui.weak(path.display().to_string());
            });
        }
    }

    section(ui, "Neues Projekt");
    labelled_text(
        ui,
        "Name:",
        &mut forms.new_name,
        "z. B. Landkreis Musterland 2025",
    );
    labelled_text(ui, "Stichtag:", &mut forms.new_stichtag, "TT.MM.JJJJ");
    ui.horizontal(|ui| {
        let label = ui.label("Neue Projektdatei:");
        ui.add(
            egui::TextEdit::singleline(&mut forms.new_path)
                .hint_text("/pfad/zum/neuen-projekt.kdu.toml")
                .desired_width(520.0),
        )
        .labelled_by(label.id);
        if forms.dialogs_enabled
            && ui
                .button("Speicherort …")
                .on_hover_text("Speicherort auswählen (falls verfügbar)")
                .clicked()
        {
            forms.dialog_request = Some(DialogRequest::NewProject);
        }
    });
    if ui.button("Projekt anlegen").clicked() {
        match validate_new(forms) {
            Ok(cmd) => cmds.push(cmd),
            Err(e) => cmds.push(Command::Notify(Level::Fehler, e)),
        }
    }
}

/// Checks the new-project fields.
fn validate_new(forms: &Forms) -> Result<Command, String> {
    let name = forms.new_name.trim();
    if name.is_empty() {
        return Err("Bitte einen Projektnamen angeben.".to_string());
    }
    let stichtag = Date::parse(&forms.new_stichtag).ok_or_else(|| {
        format!(
            "Stichtag „{}“ ist kein gültiges Datum (TT.MM.JJJJ).",
            forms.new_stichtag.trim()
        )
    })?;
    let path = forms.new_path.trim();
    if path.is_empty() {
        return Err("Bitte angeben, wo die Projektdatei gespeichert werden soll.".to_string());
    }
    let mut path = PathBuf::from(path);
    if path.extension().is_none() {
        path.set_extension("kdu.toml");
    }
    Ok(Command::NewProject {
        name: name.to_string(),
        stichtag,
        path,
    })
}
