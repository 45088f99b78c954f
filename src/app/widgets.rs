//! Small UI helpers shared by the screens: labelled inputs (every input gets an accessible
//! name), colours by severity, headings.

use super::state::Level;
use crate::analysis::{CheckStatus, Flag, Severity};
use egui::{Color32, Response, RichText, Ui};

/// A label followed by a single-line text field named by that label.
pub fn labelled_text(ui: &mut Ui, label: &str, value: &mut String, hint: &str) -> Response {
    ui.horizontal(|ui| {
        let l = ui.label(label);
        ui.add(
            egui::TextEdit::singleline(value)
                .hint_text(hint)
                .desired_width(ui.available_width().min(520.0)),
        )
        .labelled_by(l.id)
    })
    .inner
}

/// Colour of a status level.
pub fn level_color(ui: &Ui, level: Level) -> Color32 {
    match level {
        Level::Info => ui.visuals().text_color(),
        Level::Erfolg => success_color(ui),
        Level::Warnung => ui.visuals().warn_fg_color,
        Level::Fehler => ui.visuals().error_fg_color,
    }
}

/// Colour of a warning severity.
pub fn severity_color(ui: &Ui, s: Severity) -> Color32 {
    match s {
        Severity::Hinweis => ui.visuals().text_color(),
        Severity::Warnung => ui.visuals().warn_fg_color,
        Severity::Fehler => ui.visuals().error_fg_color,
    }
}

/// Colour of a check status of the Schlüssigkeitsprüfung.
pub fn check_color(ui: &Ui, s: CheckStatus) -> Color32 {
    match s {
        CheckStatus::Ok => success_color(ui),
        CheckStatus::Hinweis => ui.visuals().text_color(),
        CheckStatus::NichtPruefbar => ui.visuals().weak_text_color(),
        CheckStatus::Warnung => ui.visuals().warn_fg_color,
        CheckStatus::Fehler => ui.visuals().error_fg_color,
    }
}

/// Colour of a cell flag.
pub fn flag_color(ui: &Ui, f: Flag) -> Color32 {
    match f {
        Flag::NoData | Flag::NoOperatingCosts => ui.visuals().error_fg_color,
        Flag::NBelowMin | Flag::TargetNotReached | Flag::WelfareShareHigh => {
            ui.visuals().warn_fg_color
        }
        Flag::NoConfidenceInterval => ui.visuals().weak_text_color(),
    }
}

/// A green that works in light and dark mode.
pub fn success_color(ui: &Ui) -> Color32 {
    if ui.visuals().dark_mode {
        Color32::from_rgb(110, 200, 120)
    } else {
        Color32::from_rgb(20, 120, 40)
    }
}

/// A section heading with some space before it.
pub fn section(ui: &mut Ui, text: &str) {
    ui.add_space(8.0);
    ui.label(RichText::new(text).strong().size(16.0));
    ui.add_space(2.0);
}

/// Shown on screens that need a project.
pub fn no_project(ui: &mut Ui) {
    ui.add_space(20.0);
    ui.label("Kein Projekt geöffnet. Bitte auf der Startseite ein Projekt öffnen oder anlegen.");
}

/// Optional money value.
pub fn euro_opt(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_string(), crate::fmt::euro)
}

/// Optional €/m² value with two decimals.
pub fn per_m2_opt(v: Option<f64>) -> String {
    v.map_or_else(
        || "–".to_string(),
        |x| format!("{} €/m²", crate::fmt::number(x, 2)),
    )
}

/// Parses a number typed in German (`0,33`, `1.234,5`) or with a decimal point (`0.33`).
pub fn parse_german(text: &str) -> Option<f64> {
    let t = text.trim().trim_end_matches('%').trim();
    let normalized = if t.contains(',') {
        t.replace('.', "").replace(',', ".")
    } else {
        t.to_string()
    };
    normalized.parse().ok()
}

/// A drag value showing German decimals.
pub fn drag_de(value: &mut f64, decimals: usize) -> egui::DragValue<'_> {
    egui::DragValue::new(value)
        .custom_formatter(move |v, _| crate::fmt::number(v, decimals))
        .custom_parser(parse_german)
}

/// A combo box over `options`, named by the label `label_id`. Returns true when changed.
pub fn combo<T: PartialEq + Copy>(
    ui: &mut Ui,
    id_salt: &str,
    label_id: egui::Id,
    value: &mut T,
    options: &[(T, &str)],
) -> bool {
    let before = *value;
    let selected = options
        .iter()
        .find(|(v, _)| v == value)
        .map_or("–", |(_, t)| *t);
    egui::ComboBox::from_id_salt(id_salt)
        .selected_text(selected)
        .width(260.0)
        .show_ui(ui, |ui| {
            for (v, text) in options {
                ui.selectable_value(value, *v, *text);
            }
        })
        .response
        .labelled_by(label_id);
    *value != before
}
