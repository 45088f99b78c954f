//! Ergebnisse screen: the limit table (Vergleichsraum × household size), "je weitere Person",
//! warnings, and for the selected cell its figures and plots. Percentile and outlier factor
//! can be changed right here; every change recomputes at once.

mod coverage;
mod detail;
mod fortschreibung;
mod table;

use crate::app::forms::Forms;
use crate::app::state::{AppState, Command, Document};
use crate::app::widgets::{drag_de, no_project, parse_german, severity_color, severity_german};
use crate::fmt::number;
use crate::model::params::{OutlierMethod, ReferenceMethod};
use egui::{RichText, Ui};

/// Draws the results screen.
pub fn results_ui(ui: &mut Ui, state: &AppState, _forms: &mut Forms, cmds: &mut Vec<Command>) {
    let Some(doc) = state.doc() else {
        no_project(ui);
        return;
    };
    let project = doc.project();
    ui.heading(format!(
        "Angemessenheitsgrenzen – Stichtag {}",
        project.project.stichtag.german()
    ));
    controls(ui, doc, cmds);
    ui.add_space(4.0);
    table::limit_table(ui, state, doc, cmds);
    coverage::coverage_table(ui, doc);
    fortschreibung::fortschreibung_table(ui, doc);
    warnings(ui, doc);
    if let Some((vr, h)) = state.selected()
        && let Some(cell) = doc
            .analysis
            .cells
            .iter()
            .find(|c| c.vr == vr && c.household_size == h)
    {
        detail::cell_detail(ui, doc, cell);
    }
}

/// Percentile slider, outlier parameter and target share, recomputed live.
fn controls(ui: &mut Ui, doc: &Document, cmds: &mut Vec<Command>) {
    let params = &doc.project().parameters;
    ui.horizontal_wrapped(|ui| {
        let mut p = params.clone();
        if matches!(
            params.reference.method,
            ReferenceMethod::Percentile | ReferenceMethod::Iterative
        ) {
            let r = ui
                .add(
                    egui::Slider::new(&mut p.reference.percentile, 0.10..=0.90)
                        .text("Perzentil")
                        .step_by(0.01)
                        .custom_formatter(|v, _| number(v, 2))
                        .custom_parser(parse_german),
                )
                .on_hover_text(
                    "Anteil der Wohnungen des Tabellenfelds, die höchstens die Referenzmiete kosten (Voreinstellung 0,33).",
                );
            if r.changed() {
                cmds.push(Command::SetParameters {
                    params: Box::new(p.clone()),
                    key: "reference.percentile",
                });
            }
        } else {
            ui.label(format!(
                "Ableitung: {}",
                params.reference.method.german()
            ));
        }
        ui.separator();
        let outlier = match params.outliers.method {
            OutlierMethod::MeanSd => Some(("outliers.k", "Kappungsfaktor k", &mut p.outliers.k, 2, 0.5..=5.0)),
            OutlierMethod::Iqr => Some(("outliers.iqr_k", "Kappungsfaktor k (IQR)", &mut p.outliers.iqr_k, 2, 0.5..=5.0)),
            OutlierMethod::Trim => Some(("outliers.trim_share", "Abschnitt je Seite", &mut p.outliers.trim_share, 3, 0.0..=0.25)),
            _ => None,
        };
        let mut changed_key = None;
        match outlier {
            Some((key, label, value, decimals, range)) => {
                let l = ui.label(label).on_hover_text(params.outliers.method.german());
                let speed = if decimals == 3 { 0.001 } else { 0.01 };
                if ui
                    .add(drag_de(value, decimals).range(range).speed(speed))
                    .labelled_by(l.id)
                    .changed()
                {
                    changed_key = Some(key);
                }
            }
            None => {
                ui.label(format!("Extremwerte: {}", params.outliers.method.german()));
            }
        }
        if let Some(key) = changed_key {
            cmds.push(Command::SetParameters {
                params: Box::new(p.clone()),
                key,
            });
        }
        ui.separator();
        let mut p = params.clone();
        let l = ui.label("Zielanteil").on_hover_text(
            "Mindestanteil der Angebote im Tabellenfeld, die zur Grenze anmietbar sein müssen (Voreinstellung 0,20).",
        );
        if ui
            .add(
                drag_de(&mut p.availability.target_share, 2)
                    .range(0.0..=1.0)
                    .speed(0.005),
            )
            .labelled_by(l.id)
            .changed()
        {
            cmds.push(Command::SetParameters {
                params: Box::new(p),
                key: "availability.target_share",
            });
        }
        ui.separator();
        ui.weak(format!("Quantil {}", params.quantile_type.german()));
        ui.weak(format!(
            "berechnet in {} ms",
            number(doc.compute_time().as_secs_f64() * 1000.0, 1)
        ));
    });
}

/// Warnings of the current analysis.
fn warnings(ui: &mut Ui, doc: &Document) {
    let list = &doc.analysis().warnings;
    let title = if list.is_empty() {
        "Hinweise und Warnungen (keine)".to_string()
    } else {
        format!("Hinweise und Warnungen ({})", list.len())
    };
    egui::CollapsingHeader::new(title)
        .id_salt("warnings_header")
        .default_open(true)
        .show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt("warnings_scroll")
                .max_height(150.0)
                .show(ui, |ui| {
                    let mut sorted: Vec<_> = list.iter().collect();
                    sorted.sort_by_key(|w| std::cmp::Reverse(w.severity));
                    for w in sorted {
                        let prefix = match w.criterion {
                            Some(k) => format!("{} ({k})", severity_german(w.severity)),
                            None => severity_german(w.severity).to_string(),
                        };
                        ui.horizontal_wrapped(|ui| {
                            ui.colored_label(
                                severity_color(ui, w.severity),
                                RichText::new(prefix).strong(),
                            );
                            ui.label(&w.text);
                        });
                    }
                });
        });
}
