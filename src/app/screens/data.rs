//! Daten screen: the source register (K4), rejected rows with their reasons, counts by reason.

use crate::app::forms::Forms;
use crate::app::state::{AppState, Command};
use crate::app::widgets::{no_project, section};
use crate::dataset::SourceInfo;
use crate::fmt::number;
use crate::model::Reason;
use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};
use std::collections::BTreeMap;

/// Draws the data screen.
pub fn data_ui(ui: &mut Ui, state: &AppState, forms: &mut Forms, cmds: &mut Vec<Command>) {
    let Some(doc) = state.doc() else {
        no_project(ui);
        return;
    };
    let project = doc.project();
    let data = &doc.lp().data;
    ui.heading("Daten: Quellenverzeichnis und abgelehnte Zeilen");

    section(ui, "Quellenverzeichnis");
    if project.sources.is_empty() {
        ui.label(
            "Noch keine Datenquellen. Eine Excel- oder CSV-Datei mit „Quelle hinzufügen“ einbinden oder in das Fenster ziehen.",
        );
    } else {
        let mut rejected_per_source: BTreeMap<u16, usize> = BTreeMap::new();
        for r in &data.rejections {
            *rejected_per_source.entry(r.source).or_insert(0) += 1;
        }
        // A solid scroll bar: a floating one would lie over the last row's buttons.
        ui.scope(|ui| {
        ui.spacing_mut().scroll = egui::style::ScrollStyle::solid();
        egui::ScrollArea::horizontal()
            .id_salt("sources_scroll")
            .show(ui, |ui| {
                egui::Grid::new("sources_grid")
                    .striped(true)
                    .spacing([16.0, 4.0])
                    .show(ui, |ui| {
                        // The actions come first, so they are visible at 1366 px without
                        // scrolling sideways past long file names and SHA-256 sums.
                        for h in [
                            "Nr.",
                            "",
                            "Datei",
                            "Art",
                            "Tabellenblatt",
                            "Zeilen geliefert",
                            "übernommen",
                            "abgelehnt",
                            "SHA-256",
                            "Lieferant",
                            "Zeitraum",
                        ] {
                            ui.label(RichText::new(h).strong());
                        }
                        ui.end_row();
                        for (i, spec) in project.sources.iter().enumerate() {
                            let info = data.sources.get(i);
                            ui.label(format!("{}", i + 1));
                            ui.horizontal(|ui| {
                                if ui
                                    .small_button("Bearbeiten")
                                    .on_hover_text(format!(
                                        "Blatt, Kopfzeile, Datenart und Spaltenzuordnung von Quelle {} ändern",
                                        i + 1
                                    ))
                                    .clicked()
                                {
                                    super::source_dialog::edit_source(doc, i, forms, cmds);
                                }
                                if ui
                                    .small_button("Entfernen")
                                    .on_hover_text(format!(
                                        "Quelle {} aus dem Projekt entfernen (rückgängig mit Strg+Z)",
                                        i + 1
                                    ))
                                    .clicked()
                                {
                                    cmds.push(Command::RemoveSource(i));
                                }
                            });
                            ui.label(&spec.path);
                            ui.label(info.map_or_else(
                                || spec.kind.german().to_string(),
                                SourceInfo::kinds_german,
                            ));
                            ui.label(spec.sheet.as_deref().unwrap_or("–"));
                            let delivered = info.map(|s| s.import.rows_total);
                            ui.label(delivered.map_or("–".into(), |n| number(n as f64, 0)));
                            ui.label(info.map_or("–".into(), |s| number(s.accepted as f64, 0)));
                            let rejected = u16::try_from(i)
                                .ok()
                                .and_then(|k| rejected_per_source.get(&k))
                                .copied()
                                .unwrap_or(0);
                            ui.label(number(rejected as f64, 0));
                            let sha =
                                info.map_or(spec.sha256.as_str(), |s| s.import.sha256.as_str());
                            let short: String = sha.chars().take(12).collect();
                            ui.monospace(if short.is_empty() {
                                "–".to_string()
                            } else {
                                short
                            })
                            .on_hover_text(format!("SHA-256: {sha}"));
                            ui.label(if spec.lieferant.is_empty() {
                                "–"
                            } else {
                                spec.lieferant.as_str()
                            })
                            .on_hover_text(&spec.methode);
                            ui.label(info.map_or("–", |s| s.zeitraum.as_str()));
                            ui.end_row();
                        }
                    });
            });
        });
        let blank: usize = data.sources.iter().map(|s| s.import.blank_rows).sum();
        let blank_text = if blank > 0 {
            format!(
                "; {} zwischen den Daten übersprungen (keine Datenzeilen)",
                crate::fmt::count(blank, "leere Zeile", "leere Zeilen")
            )
        } else {
            String::new()
        };
        ui.label(format!(
            "Zusammen {} übernommen, {} abgelehnt{blank_text}.",
            crate::fmt::count(data.records.len(), "Datensatz", "Datensätze"),
            crate::fmt::count(data.rejections.len(), "Zeile", "Zeilen"),
        ));
    }

    super::source_dialog::source_dialog_ui(ui, state, forms, cmds);

    for w in &doc.lp().warnings {
        ui.colored_label(ui.visuals().warn_fg_color, w);
    }

    // Counts by reason.
    let mut by_reason: BTreeMap<Reason, usize> = BTreeMap::new();
    for r in &data.rejections {
        *by_reason.entry(r.reason).or_insert(0) += 1;
    }
    section(ui, "Abgelehnte Zeilen nach Grund");
    if by_reason.is_empty() {
        ui.label("Keine Zeilen abgelehnt.");
        return;
    }
    egui::Grid::new("reason_counts")
        .striped(true)
        .spacing([16.0, 2.0])
        .show(ui, |ui| {
            ui.label(RichText::new("Grund").strong());
            ui.label(RichText::new("Anzahl").strong());
            ui.end_row();
            for (reason, n) in &by_reason {
                let selected = forms.rejection_reason == Some(*reason);
                if ui
                    .selectable_label(selected, reason.german())
                    .on_hover_text("Nur diese Zeilen unten anzeigen")
                    .clicked()
                {
                    forms.rejection_reason = if selected { None } else { Some(*reason) };
                }
                ui.label(number(*n as f64, 0));
                ui.end_row();
            }
        });

    section(ui, "Abgelehnte Zeilen");
    ui.horizontal(|ui| {
        egui::ComboBox::from_label("Grund")
            .selected_text(forms.rejection_reason.map_or("alle Gründe", Reason::german))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut forms.rejection_reason, None, "alle Gründe");
                for reason in by_reason.keys() {
                    ui.selectable_value(
                        &mut forms.rejection_reason,
                        Some(*reason),
                        reason.german(),
                    );
                }
            });
        let source_text = |s: Option<u16>| match s {
            None => "alle Quellen".to_string(),
            Some(i) => project.sources.get(usize::from(i)).map_or_else(
                || format!("Quelle {}", i + 1),
                |s| format!("{} – {}", i + 1, s.path),
            ),
        };
        egui::ComboBox::from_label("Quelle")
            .selected_text(source_text(forms.rejection_source))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut forms.rejection_source, None, "alle Quellen");
                for i in 0..project.sources.len() {
                    if let Ok(k) = u16::try_from(i) {
                        ui.selectable_value(
                            &mut forms.rejection_source,
                            Some(k),
                            source_text(Some(k)),
                        );
                    }
                }
            });
    });
    let rows: Vec<usize> = data
        .rejections
        .iter()
        .enumerate()
        .filter(|(_, r)| forms.rejection_reason.is_none_or(|x| x == r.reason))
        .filter(|(_, r)| forms.rejection_source.is_none_or(|x| x == r.source))
        .map(|(i, _)| i)
        .collect();
    ui.label(format!(
        "{} angezeigt",
        crate::fmt::count(rows.len(), "abgelehnte Zeile", "abgelehnte Zeilen")
    ));
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 4.0;
    TableBuilder::new(ui)
        .id_salt("rejections_table")
        .striped(true)
        .max_scroll_height(420.0)
        .column(Column::exact(60.0))
        .column(Column::exact(70.0))
        .column(Column::initial(330.0).resizable(true))
        .column(Column::remainder())
        .header(row_height, |mut h| {
            h.col(|ui| {
                ui.strong("Quelle");
            });
            h.col(|ui| {
                ui.strong("Zeile");
            });
            h.col(|ui| {
                ui.strong("Grund");
            });
            h.col(|ui| {
                ui.strong("Detail");
            });
        })
        .body(|body| {
            body.rows(row_height, rows.len(), |mut row| {
                let Some(r) = rows.get(row.index()).and_then(|&i| data.rejections.get(i)) else {
                    return;
                };
                row.col(|ui| {
                    ui.label(format!("{}", r.source + 1));
                });
                row.col(|ui| {
                    ui.label(format!("{}", r.line))
                        .on_hover_text("Zeilennummer wie in Excel bzw. in der CSV-Datei");
                });
                row.col(|ui| {
                    ui.label(r.reason.german());
                });
                row.col(|ui| {
                    ui.label(&r.detail);
                });
            });
        });
}
