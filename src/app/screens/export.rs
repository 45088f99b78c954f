//! Export screen: choose the variant and the target file, write the workbook in the
//! background, show the result and open its folder.

use crate::app::forms::{DialogRequest, Forms};
use crate::app::state::{AppState, Command, Job};
use crate::app::widgets::{no_project, save_target_row, section};
use crate::export::Variant;
use egui::{RichText, Ui};
use std::path::{Path, PathBuf};

/// Suggested file name suffix of a variant.
fn suffix(v: Variant) -> &'static str {
    match v {
        Variant::Pruefmappe => "Pruefmappe",
        Variant::Veroeffentlichung => "Veroeffentlichung",
    }
}

/// The default target next to the project file: `<stem>-<Variante>.xlsx`.
pub fn suggested_path(project_file: &Path, v: Variant) -> PathBuf {
    let name = project_file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "projekt".to_string());
    let stem = name
        .strip_suffix(".kdu.toml")
        .or_else(|| name.strip_suffix(".toml"))
        .unwrap_or(&name);
    project_file.with_file_name(format!("{stem}-{}.xlsx", suffix(v)))
}

/// Draws the export screen.
pub fn export_ui(ui: &mut Ui, state: &AppState, forms: &mut Forms, cmds: &mut Vec<Command>) {
    let Some(doc) = state.doc() else {
        no_project(ui);
        return;
    };
    ui.heading("Export der Begründungsmappe");

    // Suggest a target once per project, and follow the variant while the user keeps it.
    if forms.export_path_for.as_deref() != Some(doc.lp().path.as_path()) {
        forms.export_path = suggested_path(&doc.lp().path, forms.export_variant)
            .display()
            .to_string();
        forms.export_path_for = Some(doc.lp().path.clone());
    }

    section(ui, "Variante");
    let before = forms.export_variant;
    ui.radio_value(
        &mut forms.export_variant,
        Variant::Pruefmappe,
        "Prüfmappe (intern: alle Werte, Formeln, Ausschlüsse)",
    );
    ui.radio_value(
        &mut forms.export_variant,
        Variant::Veroeffentlichung,
        "Veröffentlichung (nur zusammengefasste Werte, kleine Fallzahlen unterdrückt)",
    );
    if forms.export_variant != before {
        let old = suggested_path(&doc.lp().path, before).display().to_string();
        if forms.export_path == old {
            forms.export_path = suggested_path(&doc.lp().path, forms.export_variant)
                .display()
                .to_string();
        }
    }

    section(ui, "Zieldatei");
    if save_target_row(
        ui,
        &mut forms.export_path,
        "/pfad/zur/mappe.xlsx",
        forms.dialogs_enabled,
    ) {
        forms.dialog_request = Some(DialogRequest::ExportTarget);
    }

    ui.add_space(6.0);
    let errors: Vec<&str> = doc.analysis().open_errors().map(|c| c.title).collect();
    let mut blocked = false;
    if !errors.is_empty() {
        ui.colored_label(
            ui.visuals().error_fg_color,
            format!(
                "Nicht schlüssig – offene Fehler der Schlüssigkeitsprüfung: {}.",
                errors.join("; ")
            ),
        );
        match forms.export_variant {
            Variant::Pruefmappe => {
                ui.label("Die Prüfmappe dokumentiert den Stand; ihr Deckblatt vermerkt die offenen Fehler.");
            }
            Variant::Veroeffentlichung => {
                ui.checkbox(
                    &mut forms.export_despite_errors,
                    "Trotzdem veröffentlichen (das Deckblatt vermerkt „nicht schlüssig“)",
                );
                blocked = !forms.export_despite_errors;
            }
        }
    }
    let running = state.job(Job::Export).is_some();
    ui.horizontal(|ui| {
        if ui
            .add_enabled(!running && !blocked, egui::Button::new("Exportieren"))
            .on_hover_text("Arbeitsmappe mit dem aktuellen Parameterstand schreiben")
            .clicked()
        {
            let mut path = PathBuf::from(forms.export_path.trim());
            if path.extension().is_none() && !path.as_os_str().is_empty() {
                path.set_extension("xlsx");
            }
            cmds.push(Command::StartExport {
                path,
                kind: forms.export_variant,
            });
        }
        if let Some(task) = state.job(Job::Export) {
            ui.spinner();
            ui.label(format!(
                "{} ({} s)",
                task.label,
                task.started.elapsed().as_secs()
            ));
            if ui.button("Abbrechen").clicked() {
                cmds.push(Command::CancelExport);
            }
        }
    });

    if let Some((path, generation)) = state.last_export() {
        section(ui, "Letzter Export");
        ui.label(RichText::new(path.display().to_string()).monospace());
        if *generation != state.export_generation() {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                "Die Parameter wurden seit diesem Export geändert.",
            );
        }
        if ui
            .button("Ordner öffnen")
            .on_hover_text("Den Ordner der Datei im Dateimanager öffnen")
            .clicked()
        {
            cmds.push(Command::OpenFolder(path.clone()));
        }
    }

    section(ui, "Inhalt");
    ui.label(
        "Deckblatt, Methodenbeschreibung, Parameter mit Begründungen, Quellenverzeichnis, Vergleichsräume mit Abdeckung, Ausschlüsse, Richtwerte je Vergleichsraum und Haushaltsgröße, Verteilungen und Hinweise. Die Prüfmappe rechnet Referenzmieten und Grenzen mit Excel-Formeln nach.",
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestion() {
        let p = suggested_path(Path::new("/tmp/x/musterland.kdu.toml"), Variant::Pruefmappe);
        assert_eq!(p, PathBuf::from("/tmp/x/musterland-Pruefmappe.xlsx"));
    }
}
