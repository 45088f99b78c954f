//! Start screen: open a project (path field, optional file dialog), recent projects, the
//! sample project, a new project (with its Land, whose Wohnflächen it takes, or the user's
//! values where the Land has none), and the restore offer for a recovery copy.

use crate::app::forms::{DialogRequest, Forms};
use crate::app::screens::params::persons;
use crate::app::state::{AppState, Command, Job, Level, NewProject, file_label};
use crate::app::widgets::{labelled_text, parse_german, section};
use crate::init::{UserWohnflaechen, needs_user_wohnflaechen, new_project_wohnflaechen};
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
    land_ui(ui, forms);
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

/// The Land of a new project and its Wohnflächen: the preset shown, or fields for the user's
/// values where the Land has no usable preset (e.g. Rheinland-Pfalz).
fn land_ui(ui: &mut Ui, forms: &mut Forms) {
    let laender = crate::tables::laender::all_laender();
    let name_of = |code: &str| {
        laender
            .iter()
            .find(|l| l.code == code)
            .map_or_else(|| code.to_string(), |l| l.name.clone())
    };
    ui.horizontal(|ui| {
        let label = ui.label("Land:");
        let selected = forms
            .new_land
            .as_deref()
            .map_or_else(|| "bitte wählen".to_string(), name_of);
        egui::ComboBox::from_id_salt("new_land")
            .selected_text(selected)
            .width(240.0)
            .show_ui(ui, |ui| {
                for land in laender {
                    ui.selectable_value(&mut forms.new_land, Some(land.code.clone()), &land.name);
                }
            })
            .response
            .labelled_by(label.id)
            .on_hover_text(
                "Das Land bestimmt die angemessenen Wohnflächen nach seinen Bestimmungen zur sozialen Wohnraumförderung (BSG).",
            );
    });
    let Some(code) = forms.new_land.clone() else {
        return;
    };
    let preset = crate::tables::wohnflaechen::wohnflaechen(&code);
    if forms.new_areas_for.as_deref() != Some(code.as_str()) {
        // Known values of the preset as a start; unknown ones stay empty.
        let known = |v: Option<f64>| v.map(|a| crate::fmt::number(a, 0)).unwrap_or_default();
        for (i, text) in forms.new_areas.iter_mut().enumerate() {
            *text = match &preset {
                Some(p) if i < 5 => known(p.sizes.get(i).copied().flatten()),
                Some(p) => known(p.per_further),
                None => String::new(),
            };
        }
        forms.new_areas_source.clear();
        forms.new_areas_for = Some(code.clone());
    }
    if !needs_user_wohnflaechen(&code) {
        if let Ok(w) = new_project_wohnflaechen(&code, None) {
            let sizes: Vec<String> = w.sizes.iter().map(|a| crate::fmt::number(*a, 0)).collect();
            ui.weak(format!(
                "Wohnflächen {}: {} m² für 1 bis {} Personen, je weitere Person {} m² ({}). Auf der Seite Parameter änderbar.",
                name_of(&code),
                sizes.join(" / "),
                w.sizes.len(),
                crate::fmt::number(w.per_further, 0),
                w.source
            ));
        }
        return;
    }
    egui::Frame::group(ui.style())
        .stroke(egui::Stroke::new(1.0, ui.visuals().warn_fg_color))
        .show(ui, |ui| {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!(
                    "Für {} sind keine gesicherten Wohnflächen in m² hinterlegt{}. Bitte die angemessenen Wohnflächen eingeben; ohne sie wird nichts berechnet.",
                    name_of(&code),
                    preset
                        .as_ref()
                        .map_or_else(String::new, |p| format!(" ({})", p.rule))
                ),
            );
            egui::Grid::new("new_areas")
                .spacing([8.0, 4.0])
                .show(ui, |ui| {
                    for (i, text) in forms.new_areas.iter_mut().enumerate() {
                        let what = if i < 5 {
                            format!("{}:", persons(i as u32 + 1))
                        } else {
                            "je weitere Person:".to_string()
                        };
                        let label = ui.label(what);
                        ui.horizontal(|ui| {
                            ui.add(egui::TextEdit::singleline(text).desired_width(60.0))
                                .labelled_by(label.id);
                            ui.label("m²");
                        });
                        ui.end_row();
                    }
                    let label = ui.label("Quelle:");
                    // A fixed size: in a grid a text field only gets the column's width.
                    ui.add_sized(
                        [460.0, ui.spacing().interact_size.y],
                        egui::TextEdit::singleline(&mut forms.new_areas_source).hint_text(
                            "z. B. Verwaltungsvorschrift des Landes, KdU-Richtlinie des Trägers",
                        ),
                    )
                    .labelled_by(label.id);
                    ui.end_row();
                });
        });
}

/// The Wohnflächen typed into the new-project form, or a German error naming the missing one.
fn typed_wohnflaechen(forms: &Forms) -> Result<UserWohnflaechen, String> {
    let mut values = Vec::with_capacity(6);
    for (i, text) in forms.new_areas.iter().enumerate() {
        let what = if i < 5 {
            format!("für {}", persons(i as u32 + 1))
        } else {
            "je weitere Person".to_string()
        };
        let v = parse_german(text).ok_or_else(|| {
            if text.trim().is_empty() {
                format!("Bitte die Wohnfläche {what} eingeben.")
            } else {
                format!("Wohnfläche {what}: „{}“ ist keine Zahl.", text.trim())
            }
        })?;
        values.push(v);
    }
    let per_further = values.pop().unwrap_or_default();
    Ok(UserWohnflaechen {
        sizes: values,
        per_further,
        source: forms.new_areas_source.trim().to_string(),
    })
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
    let land = forms
        .new_land
        .clone()
        .ok_or("Bitte das Land wählen: Es bestimmt die angemessenen Wohnflächen.")?;
    let wohnflaechen = if needs_user_wohnflaechen(&land) {
        Some(typed_wohnflaechen(forms)?)
    } else {
        None
    };
    // The same check as when the project is created, so the message comes at once.
    new_project_wohnflaechen(&land, wohnflaechen.as_ref())?;
    Ok(Command::NewProject(Box::new(NewProject {
        name: name.to_string(),
        stichtag,
        path,
        land,
        wohnflaechen,
    })))
}
