//! Vergleichsräume screen: the Gemeinde table with coverage (K1) and the mapping to
//! Vergleichsräume, and the justification text per Vergleichsraum.

use crate::app::forms::{DialogRequest, Forms};
use crate::app::state::{AppState, Command};
use crate::app::widgets::{FileRow, combo, file_row, no_project, parsed_field, section};
use crate::fmt::{count, number};
use crate::model::project::GemeindeRow;
use egui::{RichText, Ui};
use std::path::PathBuf;

/// Draws the Vergleichsräume screen.
pub fn regions_ui(ui: &mut Ui, state: &AppState, forms: &mut Forms, cmds: &mut Vec<Command>) {
    let Some(doc) = state.doc() else {
        no_project(ui);
        return;
    };
    let project = doc.project();
    let coverage = &doc.prep().coverage;
    let vr_names = project.vergleichsraum_names();
    ui.heading("Vergleichsräume und Gemeinden");
    ui.label(
        "Die Datenerhebung muss den gesamten Vergleichsraum abdecken (BSG-Kriterium K1). Gemeinden ohne verwertbare Mietwerte sind rot markiert.",
    );

    section(ui, "Karte der Gemeinden");
    crate::app::map::map_ui(ui, state, forms, cmds);

    section(ui, "Begründung je Vergleichsraum");
    if vr_names.is_empty() {
        ui.label(
            "Noch keine Vergleichsräume: Bitte einen Vergleichsraum anlegen und die Gemeinden unten ihm zuordnen.",
        );
    }
    ui.horizontal(|ui| {
        let l = ui.label("Neuer Vergleichsraum:");
        let r = ui
            .add(
                egui::TextEdit::singleline(&mut forms.new_vergleichsraum)
                    .hint_text("Name, z. B. „Stadt Musterstadt“")
                    .desired_width(260.0),
            )
            .labelled_by(l.id);
        let enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if ui.button("Vergleichsraum anlegen").clicked() || enter {
            cmds.push(Command::AddVergleichsraum(std::mem::take(
                &mut forms.new_vergleichsraum,
            )));
        }
    });
    if !vr_names.is_empty() {
        rename_ui(ui, &vr_names, forms, cmds);
    }
    for name in &vr_names {
        let n_gemeinden = project
            .gemeinden
            .iter()
            .filter(|g| &g.vergleichsraum == name)
            .count();
        let n_used = doc
            .analysis()
            .vergleichsraeume
            .iter()
            .find(|v| &v.name == name)
            .map_or(0, |v| v.n_used);
        let current = project
            .vergleichsraeume
            .iter()
            .find(|v| &v.name == name)
            .map(|v| v.begruendung.clone())
            .unwrap_or_default();
        let fallback = project
            .vergleichsraeume
            .iter()
            .find(|v| &v.name == name)
            .is_some_and(|v| v.ohne_konzept);
        let mut text = current.clone();
        let label = ui
            .horizontal(|ui| {
                let label = ui.label(RichText::new(name).strong()).on_hover_text(
                    "Warum ist dieser Vergleichsraum ein homogener Lebens- und Wohnbereich?",
                );
                ui.weak(format!(
                    "{}, {} nach der Extremwertkappung verwendet",
                    count(n_gemeinden, "Gemeinde", "Gemeinden"),
                    count(n_used, "Mietwert", "Mietwerte")
                ));
                label
            })
            .inner;
        let response = ui
            .add(
                egui::TextEdit::multiline(&mut text)
                    .id_salt(("vr_begruendung", name))
                    .desired_rows(2)
                    .desired_width(f32::INFINITY)
                    .hint_text(format!(
                        "Begründung für {name} (homogener Lebens- und Wohnbereich)"
                    )),
            )
            .labelled_by(label.id);
        let mut on = fallback;
        if ui
            .checkbox(
                &mut on,
                format!("{name}: kein schlüssiges Konzept – WoGG-Wert mit Sicherheitszuschlag anwenden"),
            )
            .on_hover_text(
                "Wenn für diesen Vergleichsraum kein schlüssiges Konzept erstellt werden kann, gelten die Werte der Wohngeldtabelle zuzüglich Sicherheitszuschlag (BSG B 4 AS 87/12 R).",
            )
            .changed()
        {
            cmds.push(Command::SetVrFallback {
                vr: name.clone(),
                on,
            });
        }
        if response.changed() && text != current {
            cmds.push(Command::SetVrJustification {
                vr: name.clone(),
                text,
            });
        }
    }

    section(ui, "Gemeinden");
    gemeinde_import_ui(ui, project.gemeinden.len(), forms, cmds);
    ui.horizontal(|ui| {
        ui.checkbox(&mut forms.gemeinde_edit, "Tabelle bearbeiten")
            .on_hover_text("AGS, Name, Einwohner, Mietwohnungen und Mietstufe direkt ändern");
        if forms.gemeinde_edit && ui.button("Gemeinde hinzufügen").clicked() {
            cmds.push(Command::AddGemeinde);
        }
    });
    ui.horizontal(|ui| {
        let l = ui.label("Filter:");
        ui.add(
            egui::TextEdit::singleline(&mut forms.gemeinde_filter)
                .hint_text("Name, AGS oder Vergleichsraum")
                .desired_width(260.0),
        )
        .labelled_by(l.id);
        let zero = coverage.iter().filter(|c| c.n_reference == 0).count();
        if zero > 0 {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!(
                    "{} ohne verwertbare Mietwerte",
                    count(zero, "Gemeinde", "Gemeinden")
                ),
            );
        }
    });
    let filter = forms.gemeinde_filter.trim().to_lowercase();
    egui::ScrollArea::vertical()
        .id_salt("gemeinden_scroll")
        .max_height(480.0)
        .show(ui, |ui| {
            egui::Grid::new("gemeinden_grid")
                .striped(true)
                .spacing([16.0, 4.0])
                .show(ui, |ui| {
                    let mut header_ids = Vec::new();
                    for h in [
                        "AGS",
                        "Gemeinde",
                        "Vergleichsraum",
                        "Einwohner",
                        "Mietwohnungen",
                        "Mietstufe",
                        "Mietwerte verwendet",
                        "Datensätze gesamt",
                        "davon Angebote",
                    ] {
                        header_ids.push(ui.label(RichText::new(h).strong()).id);
                    }
                    ui.end_row();
                    let edit = forms.gemeinde_edit;
                    for (i, g) in project.gemeinden.iter().enumerate() {
                        if !filter.is_empty()
                            && !g.name.to_lowercase().contains(&filter)
                            && !g.ags.contains(&filter)
                            && !g.vergleichsraum.to_lowercase().contains(&filter)
                        {
                            continue;
                        }
                        let cov = coverage.get(i).cloned().unwrap_or_default();
                        let red = cov.n_reference == 0;
                        let color = if red {
                            ui.visuals().error_fg_color
                        } else {
                            ui.visuals().text_color()
                        };
                        let mut row = g.clone();
                        let name_id = if edit {
                            text_cell(ui, &mut row.ags, ("g_ags", i), 110.0, header_ids[0]);
                            text_cell(ui, &mut row.name, ("g_name", i), 240.0, header_ids[1])
                        } else {
                            ui.colored_label(color, if g.ags.is_empty() { "–" } else { &g.ags });
                            ui.colored_label(color, &g.name).id
                        };
                        let mut vr = g.vergleichsraum.clone();
                        egui::ComboBox::from_id_salt(("gemeinde_vr", i))
                            .selected_text(if vr.is_empty() { "(keiner)" } else { &vr })
                            .show_ui(ui, |ui| {
                                ui.selectable_value(&mut vr, String::new(), "(keiner)");
                                for name in &vr_names {
                                    ui.selectable_value(&mut vr, name.clone(), name);
                                }
                            })
                            .response
                            .labelled_by(name_id)
                            .on_hover_text(format!("Vergleichsraum der Gemeinde {}", g.name));
                        if vr != g.vergleichsraum {
                            cmds.push(Command::AssignGemeinde { index: i, vr });
                        }
                        if edit {
                            number_cell(ui, &mut row.einwohner, ("g_ew", i), header_ids[3]);
                            number_cell(ui, &mut row.mietwohnungen, ("g_mw", i), header_ids[4]);
                            number_cell(ui, &mut row.mietstufe, ("g_ms", i), header_ids[5]);
                        } else {
                            ui.label(g.einwohner.map_or("–".into(), |n| number(f64::from(n), 0)));
                            ui.label(
                                g.mietwohnungen
                                    .map_or("–".into(), |n| number(f64::from(n), 0)),
                            );
                            ui.label(g.mietstufe.map_or("–".into(), |n| n.to_string()));
                        }
                        if row.ags != g.ags
                            || row.name != g.name
                            || row.einwohner != g.einwohner
                            || row.mietwohnungen != g.mietwohnungen
                            || row.mietstufe != g.mietstufe
                        {
                            cmds.push(Command::UpdateGemeinde {
                                index: i,
                                row: Box::new(GemeindeRow {
                                    vergleichsraum: g.vergleichsraum.clone(),
                                    ..row
                                }),
                            });
                        }
                        ui.colored_label(color, number(cov.n_reference as f64, 0));
                        ui.label(number(cov.n_assigned as f64, 0));
                        ui.label(number(cov.n_offers as f64, 0));
                        if edit
                            && ui
                                .small_button("Entfernen")
                                .on_hover_text(format!(
                                    "Gemeinde {} aus der Tabelle entfernen",
                                    g.name
                                ))
                                .clicked()
                        {
                            cmds.push(Command::RemoveGemeinde(i));
                        }
                        ui.end_row();
                    }
                });
        });
    super::cluster::cluster_ui(ui, state, forms, cmds);
    section(ui, "Wirkungsanalyse");
    recipients_ui(ui, state, forms, cmds);
}

/// „Vergleichsraum umbenennen“: e.g. „Cluster 2“ of a taken-over cluster proposal into the name
/// of the living area it is; the Gemeinden, Begründung and parameters follow.
fn rename_ui(ui: &mut Ui, vr_names: &[String], forms: &mut Forms, cmds: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        let (index, new_name) = &mut forms.rename_vergleichsraum;
        if *index >= vr_names.len() {
            *index = 0;
        }
        let l = ui.label("Vergleichsraum umbenennen:");
        let options: Vec<(usize, &str)> = vr_names
            .iter()
            .enumerate()
            .map(|(i, n)| (i, n.as_str()))
            .collect();
        combo(ui, "rename_vr", l.id, index, &options);
        let to = ui.label("in");
        ui.add(
            egui::TextEdit::singleline(new_name)
                .hint_text("neuer Name")
                .desired_width(220.0),
        )
        .labelled_by(to.id);
        if ui.button("Umbenennen").clicked()
            && let Some(from) = vr_names.get(*index)
        {
            cmds.push(Command::RenameVergleichsraum {
                from: from.clone(),
                to: std::mem::take(new_name),
            });
        }
    });
}

/// "Bedarfsgemeinschaften einlesen": the recipients' current housing costs for the
/// Wirkungsanalyse (households above the limit per cell, check „Überschreitung“).
fn recipients_ui(ui: &mut Ui, state: &AppState, forms: &mut Forms, cmds: &mut Vec<Command>) {
    let Some(doc) = state.doc() else { return };
    match (&doc.project().recipients, &doc.analysis().impact) {
        (Some(t), Some(i)) => ui.label(format!(
            "Eingelesen: {} ({} Bedarfsgemeinschaften, {} über dem geltenden Richtwert, {} im Jahr)",
            t.path,
            number(i.households as f64, 0),
            number(i.above_limit as f64, 0),
            crate::fmt::euro(i.yearly_sum_above)
        )),
        _ => ui.label(
            "Keine Daten der Bedarfsgemeinschaften: Der Anteil über dem Richtwert ist nicht prüfbar.",
        ),
    };
    let row = FileRow {
        label: "Bedarfsgemeinschaften (Datei):",
        hint: "/pfad/zu/bedarfsgemeinschaften.xlsx oder .csv",
        contents: "Anonymisierte Zeilen oder Summen: Vergleichsraum oder Gemeinde (AGS), Haushaltsgröße, aktuelle Bruttokaltmiete, optional Heizkosten und Anzahl",
        button: "Bedarfsgemeinschaften einlesen",
        missing: "Bitte die Datei der Bedarfsgemeinschaften angeben.",
        dialog: DialogRequest::RecipientsFile,
    };
    file_row(
        ui,
        forms,
        |f| &mut f.recipients_path,
        &row,
        cmds,
        Command::SetRecipients,
    );
}

/// A text field in the Gemeinde table; returns its id (it names the row's other inputs).
fn text_cell(
    ui: &mut Ui,
    value: &mut String,
    id: (&str, usize),
    width: f32,
    header: egui::Id,
) -> egui::Id {
    ui.add(
        egui::TextEdit::singleline(value)
            .id_salt(id)
            .desired_width(width),
    )
    .labelled_by(header)
    .id
}

/// A whole-number field in the Gemeinde table (thousands dots allowed): empty = none. The typed
/// text is kept while the field has focus and taken whole when it loses the focus; a text that
/// is not a whole number stays visible in red with its error on hover.
fn number_cell<T>(ui: &mut Ui, value: &mut Option<T>, id: (&str, usize), header: egui::Id)
where
    T: std::str::FromStr + Into<f64> + Copy,
{
    let parse = |text: &str| -> Result<Option<T>, String> {
        let digits: String = text.chars().filter(|c| !matches!(c, '.' | ' ')).collect();
        if digits.is_empty() {
            return Ok(None);
        }
        digits
            .parse::<T>()
            .map(Some)
            .map_err(|_| format!("„{}“ ist keine ganze Zahl.", text.trim()))
    };
    let shown = value.map(|v| number(v.into(), 0)).unwrap_or_default();
    let field_id = ui.make_persistent_id(id);
    let field = parsed_field(ui, field_id, &shown, 70.0, "", |t| parse(t).ok(), parse);
    let response = field.response.labelled_by(header);
    if field.error.is_some() {
        ui.painter().rect_stroke(
            response.rect,
            2.0,
            egui::Stroke::new(1.5, ui.visuals().error_fg_color),
            egui::StrokeKind::Outside,
        );
    }
    if let Some(v) = field.value {
        *value = v;
    }
}

/// "Gemeindetabelle importieren": path field, file dialog, confirmation before replacing.
fn gemeinde_import_ui(ui: &mut Ui, existing: usize, forms: &mut Forms, cmds: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        let label = ui.label("Gemeindetabelle (Datei):");
        ui.add(
            egui::TextEdit::singleline(&mut forms.gemeinde_path)
                .hint_text("/pfad/zu/gemeinden.xlsx oder .csv")
                .desired_width(360.0),
        )
        .labelled_by(label.id)
        .on_hover_text(
            "Tabelle mit den Spalten Gemeinde und Vergleichsraum, optional AGS, Einwohner, Mietwohnungen, Mietstufe",
        );
        if forms.dialogs_enabled
            && ui
                .button("Datei wählen …")
                .on_hover_text("Systemdialog zur Dateiauswahl öffnen")
                .clicked()
        {
            forms.dialog_request = Some(DialogRequest::GemeindeFile);
        }
        if ui.button("Gemeindetabelle importieren").clicked() {
            let path = forms.gemeinde_path.trim();
            if path.is_empty() {
                cmds.push(Command::Notify(
                    crate::app::Level::Fehler,
                    "Bitte die Datei der Gemeindetabelle angeben.".to_string(),
                ));
            } else if existing > 0 {
                forms.gemeinde_confirm = true;
            } else {
                cmds.push(Command::ImportGemeinden(PathBuf::from(path)));
            }
        }
    });
    if forms.gemeinde_confirm {
        ui.horizontal(|ui| {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!(
                    "Die vorhandene Tabelle mit {existing} Gemeinden wird ersetzt (rückgängig mit Strg+Z)."
                ),
            );
            if ui.button("Ersetzen").clicked() {
                forms.gemeinde_confirm = false;
                cmds.push(Command::ImportGemeinden(PathBuf::from(
                    forms.gemeinde_path.trim(),
                )));
            }
            if ui.button("Nicht ersetzen").clicked() {
                forms.gemeinde_confirm = false;
            }
        });
    }
}
