//! The "Quelle hinzufügen" dialog on the Daten screen: file, sheet or Excel table, header row,
//! source kind, Stichtag/Zeitraum, supplier and method, and the column mapping (with the unit of
//! money columns: per month or per year) with a preview of the first data rows (detected type
//! and problems per column). "Übernehmen" pushes one [`Command::AddSource`].

use crate::app::forms::{DialogRequest, Forms, SourceForm};
use crate::app::source_import::{SourcePreview, column_problems, detected_type};
use crate::app::state::{AppState, Command, Document, Job};
use crate::import::header::{PEEK_ROWS, column_letters};
use crate::import::mapping::{
    MappingProfile, auto_map, column_notes, find_profile, header_signature,
};
use crate::import::raw::RawCell;
use crate::model::{Date, Field, Project, SourceKind, SourceSpec};
use egui::{RichText, Ui};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// How the source's Datenart and a Datenart column work together.
const KIND_HELP: &str = "Die Datenart entscheidet, in welche Auswertung eine Zeile eingeht (z. B. Bestandsmieten in die Referenzmiete, Angebotsmieten in die Verfügbarkeitsprüfung). Ist eine Spalte dem Feld „Datenart“ zugeordnet, gilt deren Angabe für jede Zeile (Quelle gemischt); die hier gewählte Datenart gilt dann nur für Zeilen, in denen die Spalte leer ist. Unbekannte Angaben in der Spalte führen zur Ablehnung der Zeile.";

/// The note under the Datenart choice: whether a Datenart column overrides it.
fn kind_note(form: &SourceForm, headers: &[String]) -> String {
    match form.columns.iter().position(|c| *c == Some(Field::Kind)) {
        Some(col) => format!(
            "Die Spalte „{}“ gibt jeder Zeile ihre Datenart und geht dieser Auswahl vor; die Auswahl gilt nur für Zeilen ohne Angabe.",
            headers.get(col).map_or("", String::as_str)
        ),
        None => "Gilt für alle Zeilen. Enthält die Datei eine Spalte mit der Datenart je Zeile, diese unten dem Feld „Datenart“ zuordnen: Sie geht dann vor.".to_string(),
    }
}

/// Opens the dialog for editing source `index` and reads its file.
pub fn edit_source(doc: &Document, index: usize, forms: &mut Forms, cmds: &mut Vec<Command>) {
    let Some(spec) = doc.project().sources.get(index) else {
        return;
    };
    let path = Project::source_path(&doc.lp().path, spec);
    let date = |d: Option<Date>| d.map(Date::german).unwrap_or_default();
    forms.source = SourceForm {
        open: true,
        path: path.display().to_string(),
        editing: Some(index),
        header_line: spec.header_row.map(|l| l.to_string()).unwrap_or_default(),
        pending_header_line: spec.header_row,
        kind: spec.kind,
        stichtag: date(spec.stichtag),
        von: date(spec.zeitraum_von),
        bis: date(spec.zeitraum_bis),
        lieferant: spec.lieferant.clone(),
        methode: spec.methode.clone(),
        ..SourceForm::default()
    };
    cmds.push(Command::PreviewSource {
        path,
        sheet: spec.sheet.clone(),
    });
}

/// Draws the "Quelle hinzufügen" section.
pub fn source_dialog_ui(ui: &mut Ui, state: &AppState, forms: &mut Forms, cmds: &mut Vec<Command>) {
    let Some(doc) = state.doc() else { return };
    if !forms.source.open {
        ui.horizontal(|ui| {
            if ui
                .button("Quelle hinzufügen …")
                .on_hover_text(
                    "Excel- oder CSV-Datei als Datenquelle einbinden (auch per Ziehen und Ablegen auf das Fenster)",
                )
                .clicked()
            {
                forms.source = SourceForm {
                    open: true,
                    ..SourceForm::default()
                };
                cmds.push(Command::ClosePreview);
            }
            ui.weak("oder eine Datei in das Fenster ziehen");
        });
        return;
    }
    ui.group(|ui| {
        let title = match forms.source.editing {
            Some(i) => format!("Quelle {} bearbeiten", i + 1),
            None => "Neue Datenquelle".to_string(),
        };
        ui.label(RichText::new(title).strong());
        file_row(ui, state, forms, cmds);
        if let Some(task) = state.job(Job::Preview) {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(&task.label);
            });
        }
        match state.source_preview() {
            None => {
                ui.weak("Datei angeben und „Vorschau laden“ drücken.");
            }
            Some(Err(e)) => {
                ui.colored_label(ui.visuals().error_fg_color, e);
            }
            Some(Ok(preview)) => {
                if forms.source.seen_preview != state.preview_seq() {
                    forms.source.seen_preview = state.preview_seq();
                    init_from_preview(&mut forms.source, preview);
                }
                preview_ui(ui, doc, preview, &mut forms.source, cmds);
            }
        }
        if ui.button("Abbrechen").clicked() {
            forms.source.open = false;
            cmds.push(Command::ClosePreview);
        }
    });
}

/// The file path field with "Datei wählen …" and "Vorschau laden".
fn file_row(ui: &mut Ui, state: &AppState, forms: &mut Forms, cmds: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        let label = ui.label("Datei:");
        let edit = ui
            .add(
                egui::TextEdit::singleline(&mut forms.source.path)
                    .hint_text("/pfad/zur/datei.xlsx oder .csv")
                    .desired_width(480.0),
            )
            .labelled_by(label.id);
        let enter = edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if forms.dialogs_enabled
            && ui
                .button("Datei wählen …")
                .on_hover_text("Systemdialog zur Dateiauswahl öffnen")
                .clicked()
        {
            forms.dialog_request = Some(DialogRequest::SourceFile);
        }
        let load = ui
            .add_enabled(
                state.job(Job::Preview).is_none(),
                egui::Button::new("Vorschau laden"),
            )
            .on_hover_text("Die ersten Zeilen der Datei lesen")
            .clicked();
        if load || enter {
            let path = PathBuf::from(forms.source.path.trim());
            if forms.source.editing.is_none() {
                forms.source.kind = crate::init::guess_kind(&path);
            }
            cmds.push(Command::PreviewSource { path, sheet: None });
        }
    });
}

/// Sets the header row of a newly read preview.
fn init_from_preview(form: &mut SourceForm, preview: &SourcePreview) {
    let detected = preview
        .detected
        .and_then(|i| preview.rows.get(i))
        .map(|r| r.line);
    let line = form
        .pending_header_line
        .take()
        .filter(|&l| preview.index_of_line(l).is_some())
        .or(detected)
        .or_else(|| preview.rows.first().map(|r| r.line));
    form.header_line = line.map(|l| l.to_string()).unwrap_or_default();
    form.mapped_line = None;
}

/// Sets the column mapping for the header at `index`: the edited source's mapping, a saved
/// profile whose headers match, or the automatic mapping.
fn remap(
    form: &mut SourceForm,
    doc: &Document,
    headers: &[String],
    line: u32,
) -> BTreeMap<Field, usize> {
    form.mapped_line = Some(line);
    let project = doc.project();
    let existing = form
        .editing
        .and_then(|i| project.sources.get(i))
        .filter(|s| !s.mapping.is_empty())
        .map(|s| {
            MappingProfile {
                name: String::new(),
                signature: String::new(),
                columns: s.mapping.clone(),
                annual: s.annual.clone(),
            }
            .resolve(headers)
        })
        .filter(|m| !m.is_empty());
    if let Some(m) = existing {
        form.profile_note = Some("Zuordnung der vorhandenen Quelle übernommen.".to_string());
        form.annual = form
            .editing
            .and_then(|i| project.sources.get(i))
            .map(|s| s.annual.clone())
            .unwrap_or_default();
        return m;
    }
    if let Some(profile) = find_profile(&project.mapping_profiles, headers) {
        form.profile_note = Some(format!(
            "Gespeicherte Zuordnung „{}“ passt zu diesen Spaltenüberschriften und wurde übernommen.",
            profile.name
        ));
        form.profile_name = profile.name.clone();
        form.annual = profile.annual.clone();
        return profile.resolve(headers);
    }
    form.profile_note = None;
    form.annual.clear();
    auto_map(headers)
}

/// Notes on columns left unassigned on purpose (a bare "Nebenkosten": heating included or not?).
fn unassigned_notes_ui(ui: &mut Ui, headers: &[String], form: &SourceForm) {
    for note in column_notes(headers, |i| {
        form.columns.get(i).copied().flatten().is_some()
    }) {
        ui.colored_label(ui.visuals().warn_fg_color, note);
    }
}

/// Datenart (with how a Datenart column overrides it), Stichtag/Zeitraum, supplier and method.
fn meta_grid(ui: &mut Ui, form: &mut SourceForm, headers: &[String]) {
    egui::Grid::new("source_meta")
        .num_columns(2)
        .spacing([12.0, 4.0])
        .show(ui, |ui| {
            let label = ui.label("Datenart:");
            egui::ComboBox::from_id_salt("source_kind")
                .selected_text(form.kind.german())
                .show_ui(ui, |ui| {
                    for k in SourceKind::ALL {
                        ui.selectable_value(&mut form.kind, k, k.german());
                    }
                })
                .response
                .labelled_by(label.id)
                .on_hover_text(KIND_HELP);
            ui.end_row();
            ui.label("");
            ui.weak(kind_note(form, headers)).on_hover_text(KIND_HELP);
            ui.end_row();
            for (text, value, hint) in [
                ("Stichtag:", &mut form.stichtag, "TT.MM.JJJJ"),
                ("Zeitraum von:", &mut form.von, "TT.MM.JJJJ"),
                ("Zeitraum bis:", &mut form.bis, "TT.MM.JJJJ"),
                ("Lieferant:", &mut form.lieferant, "z. B. Wohnungsbau GmbH"),
                (
                    "Erhebungsmethode:",
                    &mut form.methode,
                    "z. B. Vollerhebung Bestand",
                ),
            ] {
                let label = ui.label(text);
                ui.add(
                    egui::TextEdit::singleline(value)
                        .hint_text(hint)
                        .desired_width(260.0),
                )
                .labelled_by(label.id);
                ui.end_row();
            }
        });
}

fn preview_ui(
    ui: &mut Ui,
    doc: &Document,
    preview: &SourcePreview,
    form: &mut SourceForm,
    cmds: &mut Vec<Command>,
) {
    ui.label(format!("Format: {}", preview.format));
    // Sheet and Excel tables.
    if !preview.sheets.is_empty() {
        ui.horizontal(|ui| {
            let label = ui.label("Tabellenblatt:");
            let current = preview.sheet.clone().unwrap_or_default();
            let mut chosen = current.clone();
            egui::ComboBox::from_id_salt("source_sheet")
                .selected_text(&chosen)
                .show_ui(ui, |ui| {
                    for s in &preview.sheets {
                        ui.selectable_value(&mut chosen, s.name.clone(), &s.name);
                    }
                })
                .response
                .labelled_by(label.id);
            if chosen != current {
                cmds.push(Command::PreviewSource {
                    path: preview.path.clone(),
                    sheet: Some(chosen),
                });
            }
        });
        let tables: Vec<_> = preview.sheets.iter().flat_map(|s| &s.tables).collect();
        if !tables.is_empty() {
            ui.horizontal_wrapped(|ui| {
                ui.label("Excel-Tabellen:");
                for t in tables {
                    if ui
                        .button(format!("{} ({}, Zeile {})", t.name, t.sheet, t.header_line))
                        .on_hover_text(format!(
                            "Blatt „{}“ mit Kopfzeile {} verwenden ({} Datenzeilen)",
                            t.sheet, t.header_line, t.rows
                        ))
                        .clicked()
                    {
                        if preview.sheet.as_deref() == Some(t.sheet.as_str()) {
                            form.header_line = t.header_line.to_string();
                        } else {
                            form.pending_header_line = Some(t.header_line);
                            cmds.push(Command::PreviewSource {
                                path: preview.path.clone(),
                                sheet: Some(t.sheet.clone()),
                            });
                        }
                    }
                }
            });
        }
    }

    // Header row.
    let detected = preview
        .detected
        .and_then(|i| preview.rows.get(i))
        .map(|r| r.line);
    ui.horizontal(|ui| {
        let label = ui.label("Kopfzeile (Zeilennummer):");
        ui.add(egui::TextEdit::singleline(&mut form.header_line).desired_width(60.0))
            .labelled_by(label.id)
            .on_hover_text("Zeile mit den Spaltenüberschriften, wie in Excel gezählt");
        match detected {
            Some(l) => ui.weak(format!("erkannt: Zeile {l}")),
            None => ui.weak("keine Kopfzeile erkannt"),
        };
    });
    let line: Option<u32> = form.header_line.trim().parse().ok();
    let Some((line, index)) = line.and_then(|l| preview.index_of_line(l).map(|i| (l, i))) else {
        ui.colored_label(
            ui.visuals().error_fg_color,
            format!(
                "Bitte als Kopfzeile eine Zeilennummer aus den ersten {PEEK_ROWS} Zeilen der Datei angeben."
            ),
        );
        return;
    };
    let headers = preview.headers(index);
    if form.mapped_line != Some(line) || form.columns.len() != headers.len() {
        let map = remap(form, doc, &headers, line);
        form.columns = vec![None; headers.len()];
        for (field, col) in map {
            if let Some(c) = form.columns.get_mut(col) {
                *c = Some(field);
            }
        }
    }

    meta_grid(ui, form, &headers);

    // Mapping with preview rows.
    ui.add_space(4.0);
    ui.label(RichText::new("Spaltenzuordnung und Vorschau").strong());
    if let Some(note) = &form.profile_note {
        ui.label(note);
    }
    let data_rows = preview.data_rows(index);
    let mut changed: Option<(usize, Option<Field>)> = None;
    let mut annual_changed: Option<(Field, bool)> = None;
    egui::ScrollArea::horizontal()
        .id_salt("source_preview_scroll")
        .show(ui, |ui| {
            egui::Grid::new("source_preview_grid")
                .striped(true)
                .spacing([12.0, 4.0])
                .show(ui, |ui| {
                    ui.strong("Spalte");
                    let mut header_ids = Vec::with_capacity(headers.len());
                    for (i, h) in headers.iter().enumerate() {
                        let l = ui.strong(format!("{} {}", column_letters(i), h));
                        header_ids.push(l.id);
                    }
                    ui.end_row();
                    ui.label("Feld");
                    for (i, h) in headers.iter().enumerate() {
                        let current = form.columns.get(i).copied().flatten();
                        let mut chosen = current;
                        let response = egui::ComboBox::from_id_salt(("source_map", i))
                            .selected_text(chosen.map_or("–", Field::german))
                            .width(170.0)
                            .show_ui(ui, |ui| {
                                ui.selectable_value(&mut chosen, None, "–");
                                for f in Field::ALL {
                                    ui.selectable_value(&mut chosen, Some(f), f.german());
                                }
                            })
                            .response;
                        if let Some(id) = header_ids.get(i) {
                            let _ = response
                                .labelled_by(*id)
                                .on_hover_text(format!("Feld für Spalte „{h}“"));
                        }
                        if chosen != current {
                            changed = Some((i, chosen));
                        }
                    }
                    ui.end_row();
                    ui.label("Betrag");
                    for (i, h) in headers.iter().enumerate() {
                        match form.columns.get(i).copied().flatten() {
                            Some(f) if f.is_money() => {
                                let mut yearly = form.annual.contains(&f);
                                let response = ui.checkbox(&mut yearly, "jährlich");
                                if let Some(id) = header_ids.get(i) {
                                    let _ = response.labelled_by(*id).on_hover_text(format!(
                                        "Spalte „{h}“ enthält Jahresbeträge; sie werden beim Einlesen durch 12 geteilt (Standard: Monatsbeträge)"
                                    ));
                                }
                                if yearly != form.annual.contains(&f) {
                                    annual_changed = Some((f, yearly));
                                }
                            }
                            _ => {
                                ui.weak("–");
                            }
                        }
                    }
                    ui.end_row();
                    ui.label("Typ");
                    let column_cells = |i: usize| -> Vec<&RawCell> {
                        data_rows.iter().filter_map(|r| r.cells.get(i)).collect()
                    };
                    for i in 0..headers.len() {
                        ui.weak(detected_type(&column_cells(i)));
                    }
                    ui.end_row();
                    ui.label("Probleme");
                    for i in 0..headers.len() {
                        let problems = form
                            .columns
                            .get(i)
                            .copied()
                            .flatten()
                            .and_then(|f| column_problems(f, &column_cells(i)));
                        match problems {
                            Some(p) => ui.colored_label(ui.visuals().warn_fg_color, p),
                            None => ui.weak("–"),
                        };
                    }
                    ui.end_row();
                    for row in &data_rows {
                        ui.weak(format!("Zeile {}", row.line));
                        for i in 0..headers.len() {
                            let text = row.cells.get(i).map(RawCell::display).unwrap_or_default();
                            let short: String = text.chars().take(30).collect();
                            ui.label(short);
                        }
                        ui.end_row();
                    }
                });
        });
    if let Some((col, field)) = changed {
        // Each field is used by one column at most.
        if let Some(f) = field {
            for c in form.columns.iter_mut() {
                if *c == Some(f) {
                    *c = None;
                }
            }
        }
        if let Some(c) = form.columns.get_mut(col) {
            *c = field;
        }
    }
    if let Some((field, yearly)) = annual_changed {
        if yearly {
            form.annual.insert(field);
        } else {
            form.annual.remove(&field);
        }
    }

    unassigned_notes_ui(ui, &headers, form);
    // Validation and "Übernehmen".
    let mut problems: Vec<String> = Vec::new();
    for f in [Field::NetRent, Field::Area] {
        if !form.columns.contains(&Some(f)) {
            problems.push(format!(
                "Pflichtfeld „{}“ ist keiner Spalte zugeordnet.",
                f.german()
            ));
        }
    }
    let mut date = |text: &str, what: &str| -> Option<Date> {
        let t = text.trim();
        if t.is_empty() {
            return None;
        }
        let d = Date::parse(t);
        if d.is_none() {
            problems.push(format!("{what}: „{t}“ ist kein Datum (TT.MM.JJJJ)."));
        }
        d
    };
    let stichtag = date(&form.stichtag, "Stichtag");
    let von = date(&form.von, "Zeitraum von");
    let bis = date(&form.bis, "Zeitraum bis");
    for p in &problems {
        ui.colored_label(ui.visuals().error_fg_color, p);
    }
    ui.horizontal(|ui| {
        let label = ui.label("Zuordnung speichern als:");
        ui.add(
            egui::TextEdit::singleline(&mut form.profile_name)
                .hint_text("Name der Zuordnung, z. B. Export Wohnungsunternehmen")
                .desired_width(320.0),
        )
        .labelled_by(label.id);
    });
    let ok = problems.is_empty();
    let button = ui
        .add_enabled(ok, egui::Button::new("Übernehmen"))
        .on_hover_text("Quelle in das Projekt übernehmen und die Daten einlesen");
    if button.clicked() && ok {
        let mapping: BTreeMap<Field, String> = form
            .columns
            .iter()
            .enumerate()
            .filter_map(|(i, f)| f.map(|f| (f, headers.get(i).cloned().unwrap_or_default())))
            .collect();
        let base = doc
            .lp()
            .path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(std::path::Path::new("."));
        let annual: BTreeSet<Field> = form
            .annual
            .iter()
            .copied()
            .filter(|f| mapping.contains_key(f))
            .collect();
        let spec = SourceSpec {
            path: crate::init::relative_path(&preview.path, base),
            sheet: preview.sheet.clone(),
            header_row: Some(line),
            kind: form.kind,
            sha256: String::new(),
            lieferant: form.lieferant.trim().to_string(),
            methode: form.methode.trim().to_string(),
            stichtag,
            zeitraum_von: von,
            zeitraum_bis: bis,
            mapping: mapping.clone(),
            annual: annual.clone(),
        };
        let name = if form.profile_name.trim().is_empty() {
            crate::app::state::file_label(&preview.path)
        } else {
            form.profile_name.trim().to_string()
        };
        let profile = MappingProfile {
            name,
            signature: header_signature(&headers),
            columns: mapping,
            annual,
        };
        cmds.push(Command::AddSource {
            spec: Box::new(spec),
            profile: Some(profile),
            replace: form.editing,
        });
        form.open = false;
    }
}
