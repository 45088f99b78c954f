//! Ergebnisse screen: the limit table (Vergleichsraum × household size), "je weitere Person",
//! warnings, and for the selected cell its figures and plots. Percentile and outlier factor
//! can be changed right here; every change recomputes at once.

mod coverage;
mod detail;
mod fortschreibung;
mod table;

use super::params::value_widget;
use crate::app::forms::Forms;
use crate::app::state::{AppState, Command, Document};
use crate::app::widgets::{no_project, severity_color};
use crate::fmt::number;
use crate::model::catalogue;
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
            .analysis()
            .cells
            .iter()
            .find(|c| c.vr == vr && c.household_size == h)
    {
        detail::cell_detail(ui, doc, cell);
    }
}

/// Percentile slider, outlier parameter and target share, recomputed live: the catalogue's
/// widgets and intent commands, as on the Parameter screen.
fn controls(ui: &mut Ui, doc: &Document, cmds: &mut Vec<Command>) {
    let params = &doc.project().parameters;
    ui.horizontal_wrapped(|ui| {
        let outlier_path = match params.outliers.method {
            OutlierMethod::MeanSd => Some("outliers.k"),
            OutlierMethod::Iqr => Some("outliers.iqr_k"),
            OutlierMethod::Trim => Some("outliers.trim_share"),
            _ => None,
        };
        if !matches!(
            params.reference.method,
            ReferenceMethod::Percentile | ReferenceMethod::Iterative
        ) {
            ui.label(format!("Ableitung: {}", params.reference.method.german()));
        }
        if outlier_path.is_none() {
            ui.label(format!("Extremwerte: {}", params.outliers.method.german()));
        }
        for path in ["reference.percentile"]
            .into_iter()
            .chain(outlier_path)
            .chain(["availability.target_share"])
        {
            let Some(spec) = catalogue::find(path) else {
                continue;
            };
            if !(spec.relevant)(params) {
                continue;
            }
            ui.separator();
            let l = ui.label(spec.label).on_hover_text(spec.help);
            let mut p = params.clone();
            if value_widget(ui, l.id, spec, &mut p) {
                cmds.push(Command::SetParam {
                    path: spec.path,
                    value: spec.value(&p),
                });
            }
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
        format!("Hinweise und Warnungen ({})", number(list.len() as f64, 0))
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
                        let prefix = format!("{} ({})", w.severity.german(), w.criterion());
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
