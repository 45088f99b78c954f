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

/// The text of a [`parsed_field`] while it differs from the committed value.
#[derive(Debug, Clone)]
struct FieldBuffer {
    /// The text as typed.
    text: String,
    /// The committed value's text when the typing started.
    shown: String,
    /// Why the text could not be taken (German), after the field lost the focus.
    error: Option<String>,
}

/// What a [`parsed_field`] did this frame.
pub struct Parsed<T> {
    /// The text field.
    pub response: Response,
    /// A value to commit: the text changed and is complete, or the field lost the focus
    /// with a valid text.
    pub value: Option<T>,
    /// The kept text is not valid (German); shown until the user corrects it.
    pub error: Option<String>,
}

/// A text field for a value typed as text (a date, a whole number). The typed text is kept as
/// typed while the field has the focus; a value is committed on every change whose text is
/// already complete (`live`) and, with the whole text, when the field loses the focus
/// (`full`, also on Enter). So text typed right before clicking elsewhere is never lost or cut
/// short; a text that is not valid stays visible with its error instead of being replaced.
/// `shown` is the committed value as text (shown when nothing is being typed).
pub fn parsed_field<T>(
    ui: &mut Ui,
    id: egui::Id,
    shown: &str,
    width: f32,
    hint: &str,
    live: impl Fn(&str) -> Option<T>,
    full: impl Fn(&str) -> Result<T, String>,
) -> Parsed<T> {
    let mut buffer = ui.data(|d| d.get_temp::<FieldBuffer>(id));
    let focused = ui.memory(|m| m.has_focus(id));
    // Changed from elsewhere (undo, another editor) while nothing is typed here: show it.
    if !focused && buffer.as_ref().is_some_and(|b| b.shown != shown) {
        buffer = None;
    }
    let mut text = buffer
        .as_ref()
        .map_or_else(|| shown.to_string(), |b| b.text.clone());
    let mut response = ui.add(
        egui::TextEdit::singleline(&mut text)
            .id(id)
            .hint_text(hint)
            .desired_width(width),
    );
    let mut value = None;
    if response.changed() {
        value = live(&text);
        let started = buffer
            .as_ref()
            .map_or(shown, |b| b.shown.as_str())
            .to_string();
        buffer = Some(FieldBuffer {
            text: text.clone(),
            shown: started,
            error: None,
        });
    }
    if response.lost_focus()
        && let Some(b) = buffer.as_mut()
    {
        match full(&b.text) {
            Ok(v) => {
                value = Some(v);
                buffer = None;
            }
            Err(e) => b.error = Some(e),
        }
    }
    let error = buffer.as_ref().and_then(|b| b.error.clone());
    match buffer {
        Some(b) if response.has_focus() || response.lost_focus() || b.error.is_some() => {
            ui.data_mut(|d| d.insert_temp(id, b));
        }
        _ => ui.data_mut(|d| d.remove::<FieldBuffer>(id)),
    }
    if let Some(e) = &error {
        response = response.on_hover_text(e);
    }
    Parsed {
        response,
        value,
        error,
    }
}

/// A date typed as `TT.MM.JJJJ` (or ISO) in a [`parsed_field`]: complete while typing once the
/// year has four digits (so "30.06.20" is not taken as 2020 on the way to 2026); on losing the
/// focus every date [`Date::parse`](crate::model::Date::parse) reads (two-digit years too). An
/// empty text is no date (`None`).
pub fn date_live(text: &str) -> Option<Option<crate::model::Date>> {
    let t = text.trim();
    if t.is_empty() {
        return Some(None);
    }
    // ISO: JJJJ-MM-TT; German: the part after the last dot has four digits.
    let complete = match t.split_once('-') {
        Some((y, rest)) => y.len() == 4 && rest.len() == 5,
        None => t.rsplit('.').next().is_some_and(|y| y.trim().len() == 4),
    };
    if !complete {
        return None;
    }
    crate::model::Date::parse(t)
        .filter(|d| d.ymd().0 >= 1900)
        .map(Some)
}

/// The whole text of a date field: a date, empty (`None`), or a German error.
pub fn date_full(text: &str) -> Result<Option<crate::model::Date>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    crate::model::Date::parse(t)
        .map(Some)
        .ok_or_else(|| format!("„{t}“ ist kein gültiges Datum (TT.MM.JJJJ)."))
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

/// „Datei:“ with the target path and, where system dialogs are available, „Speichern unter …“;
/// true when that button was clicked (the caller asks for its dialog).
pub fn save_target_row(ui: &mut Ui, path: &mut String, hint: &str, dialogs: bool) -> bool {
    ui.horizontal(|ui| {
        let l = ui.label("Datei:");
        ui.add(
            egui::TextEdit::singleline(path)
                .hint_text(hint)
                .desired_width(540.0),
        )
        .labelled_by(l.id);
        dialogs
            && ui
                .button("Speichern unter …")
                .on_hover_text("Speicherort auswählen (falls verfügbar)")
                .clicked()
    })
    .inner
}

/// A row that reads a file the project refers to (recipients, boundaries, cluster indicators).
pub struct FileRow<'a> {
    /// Label before the path field, e.g. „Gemeindegrenzen (Datei):“.
    pub label: &'a str,
    /// Hint inside the empty field.
    pub hint: &'a str,
    /// What the file must contain (tooltip of the field).
    pub contents: &'a str,
    /// The read button.
    pub button: &'a str,
    /// The message when the button is pressed without a path.
    pub missing: &'a str,
    /// The system dialog that fills the field.
    pub dialog: crate::app::forms::DialogRequest,
}

/// The path field (`field` of the form state), „Datei wählen …“ where system dialogs are
/// available, and the read button, which pushes `command(path)` or says that the path is
/// missing.
pub fn file_row(
    ui: &mut Ui,
    forms: &mut crate::app::forms::Forms,
    field: fn(&mut crate::app::forms::Forms) -> &mut String,
    row: &FileRow<'_>,
    cmds: &mut Vec<crate::app::Command>,
    command: fn(std::path::PathBuf) -> crate::app::Command,
) {
    ui.horizontal(|ui| {
        let label = ui.label(row.label);
        ui.add(
            egui::TextEdit::singleline(field(forms))
                .hint_text(row.hint)
                .desired_width(360.0),
        )
        .labelled_by(label.id)
        .on_hover_text(row.contents);
        if forms.dialogs_enabled
            && ui
                .button("Datei wählen …")
                .on_hover_text("Systemdialog zur Dateiauswahl öffnen")
                .clicked()
        {
            forms.dialog_request = Some(row.dialog);
        }
        if ui.button(row.button).clicked() {
            let path = field(forms).trim();
            if path.is_empty() {
                cmds.push(crate::app::Command::Notify(
                    Level::Fehler,
                    row.missing.to_string(),
                ));
            } else {
                cmds.push(command(std::path::PathBuf::from(path)));
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Date;

    #[test]
    fn a_date_is_taken_while_typing_only_once_its_year_is_complete() {
        let d = |y, m, t| Some(Some(Date::from_ymd(y, m, t).unwrap()));
        assert_eq!(date_live("30.06.20"), None, "not 2020 on the way to 2026");
        assert_eq!(date_live("30.06.202"), None);
        assert_eq!(date_live("30.06.2026"), d(2026, 6, 30));
        assert_eq!(date_live("1.7.2026"), d(2026, 7, 1));
        assert_eq!(date_live("2026-07-0"), None);
        assert_eq!(date_live("2026-07-01"), d(2026, 7, 1));
        assert_eq!(date_live(" "), Some(None));
        // Losing the focus takes the whole text, two-digit years too.
        assert_eq!(date_full("30.06.26").ok(), d(2026, 6, 30));
        assert_eq!(date_full(""), Ok(None));
        assert_eq!(
            date_full("31.02.2026"),
            Err("„31.02.2026“ ist kein gültiges Datum (TT.MM.JJJJ).".to_string())
        );
    }
}
