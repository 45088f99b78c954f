//! Parameter screen: one generic row per entry of the parameter catalogue
//! ([`crate::model::catalogue`]) with its German help text, the default from
//! `Parameters::default()` and a justification field stored in `project.justifications` under
//! the parameter path; table editors for the structured parameters.

use crate::app::forms::Forms;
use crate::app::state::{AppState, Command};
use crate::app::widgets::{combo, drag_de, no_project, section};
use crate::model::catalogue::{self, CATALOGUE, Kind, Section, Spec};
use crate::model::params::Parameters;
use crate::model::{Project, SourceKind};
use egui::{RichText, Ui};

mod editors;
mod operating_costs;

/// Shared context of the parameter rows.
struct Rows<'a> {
    /// Parameters as edited this frame.
    params: Parameters,
    project: &'a Project,
    cmds: &'a mut Vec<Command>,
    show_justifications: bool,
    /// A rejected edit of this frame (German message).
    error: Option<String>,
}

impl Rows<'_> {
    /// Sends `p` as one undoable edit of `key` when it is valid as a whole.
    fn commit(&mut self, p: Parameters, key: &'static str) {
        match catalogue::validate(&p).into_iter().next() {
            Some(e) => self.error = Some(e),
            None => {
                self.params = p;
                self.cmds.push(Command::SetParameters {
                    params: Box::new(self.params.clone()),
                    key,
                });
            }
        }
    }

    /// Sends the intent command for one catalogue entry whose value in `p` was edited.
    fn set(&mut self, spec: &'static Spec, p: &Parameters) {
        let mut next = self.params.clone();
        let value = spec.value(p);
        match spec.set(&mut next, value.clone()).and_then(|()| {
            catalogue::validate(&next)
                .into_iter()
                .next()
                .map_or(Ok(()), Err)
        }) {
            Ok(()) => {
                self.params = next;
                self.cmds.push(Command::SetParam {
                    path: spec.path,
                    value,
                });
            }
            Err(e) => self.error = Some(e),
        }
    }

    /// One grid row of a catalogue entry: label (help on hover), widget, default, justification.
    fn row(&mut self, ui: &mut Ui, spec: &'static Spec) {
        let l = ui.label(spec.label).on_hover_text(spec.help);
        let mut p = self.params.clone();
        let changed = ui
            .horizontal(|ui| value_widget(ui, l.id, spec, &mut p))
            .inner;
        if changed {
            self.set(spec, &p);
        }
        // Long choice labels ("Typ 7 – lineare Interpolation …") are shortened to their name.
        let default = spec.display_default();
        let short = default.split(" – ").next().unwrap_or(&default);
        ui.weak(short)
            .on_hover_text(format!("Voreinstellung: {default}"));
        if self.show_justifications {
            justification_field(ui, self.project, spec.path, spec.label, self.cmds);
        }
        ui.end_row();
    }

    /// The grid of a section's catalogue entries that apply to the current parameters.
    fn section_grid(&mut self, ui: &mut Ui, sec: Section) {
        let specs: Vec<&'static Spec> = CATALOGUE
            .iter()
            .filter(|s| s.section == sec && (s.relevant)(&self.params))
            .collect();
        if specs.is_empty() {
            return;
        }
        let columns = if self.show_justifications { 4 } else { 3 };
        egui::Grid::new(("params", sec.title()))
            .num_columns(columns)
            .spacing([18.0, 6.0])
            .striped(true)
            .show(ui, |ui| {
                header(ui, self.show_justifications);
                for spec in specs {
                    self.row(ui, spec);
                }
            });
    }
}

/// The editing widget of one catalogue entry; true when `p` changed.
pub(super) fn value_widget(
    ui: &mut Ui,
    id: egui::Id,
    spec: &'static Spec,
    p: &mut Parameters,
) -> bool {
    match spec.kind {
        Kind::Number {
            bounds,
            decimals,
            get,
            set,
        } => {
            let mut v = get(p);
            let (lo, hi, step) = bounds.inner_range(decimals);
            let r = if spec.path == "reference.percentile" {
                // The most-tuned parameter gets a slider over the usual range.
                let enabled = (spec.relevant)(p);
                ui.add_enabled(
                    enabled,
                    egui::Slider::new(&mut v, 0.10..=0.90)
                        .text("Perzentil")
                        .step_by(0.01)
                        .custom_formatter(|v, _| crate::fmt::number(v, 2))
                        .custom_parser(crate::app::widgets::parse_german),
                )
            } else {
                let mut d = drag_de(&mut v, decimals).range(lo..=hi).speed(step * 0.5);
                if !spec.unit.is_empty() {
                    d = d.suffix(format!(" {}", spec.unit));
                }
                ui.add(d).labelled_by(id)
            };
            let changed = r.changed() && v != get(p);
            set(p, v);
            changed
        }
        Kind::Count { min, max, get, set } => {
            let mut v = get(p);
            let changed = ui
                .add(egui::DragValue::new(&mut v).range(min..=max))
                .labelled_by(id)
                .changed();
            set(p, v);
            changed
        }
        Kind::Bool { get, set } => {
            let mut v = get(p);
            let changed = ui
                .add(egui::Checkbox::without_text(&mut v))
                .labelled_by(id)
                .changed();
            set(p, v);
            changed
        }
        Kind::Choice { options, get, set } => {
            let options = options();
            let current = get(p);
            let mut index = options.iter().position(|o| o.key == current).unwrap_or(0);
            let labelled: Vec<(usize, &str)> = options
                .iter()
                .enumerate()
                .map(|(i, o)| (i, o.label))
                .collect();
            let changed = combo(ui, spec.path, id, &mut index, &labelled);
            if changed && let Some(o) = options.get(index) {
                set(p, &o.key);
            }
            changed
        }
        Kind::Optional {
            bounds,
            decimals,
            get,
            set,
        } => {
            let current = get(p);
            let mut on = current.is_some();
            let fallback = get(&Parameters::default()).unwrap_or(bounds.min);
            let mut v = current.unwrap_or(fallback);
            let toggle = if matches!(spec.unit, "Jahre" | "Monate") {
                "begrenzen"
            } else {
                "festlegen"
            };
            let a = ui.checkbox(&mut on, toggle).changed();
            let (lo, hi, step) = bounds.inner_range(decimals);
            let mut d = drag_de(&mut v, decimals)
                .range(lo..=hi)
                .speed(step.max(0.5) * 0.1);
            if !spec.unit.is_empty() {
                d = d.suffix(format!(" {}", spec.unit));
            }
            let b = ui.add_enabled(on, d).labelled_by(id).changed();
            set(p, on.then_some(v));
            a || b
        }
        Kind::Text { get, set } => {
            let current = get(p);
            if spec.path == "heating.energietraeger" {
                // The Energieträger of the Heizspiegel table.
                let names: Vec<String> = p
                    .heating
                    .table
                    .energietraeger()
                    .iter()
                    .map(|s| (*s).to_string())
                    .collect();
                let mut index = names.iter().position(|n| *n == current).unwrap_or(0);
                let labelled: Vec<(usize, &str)> = names
                    .iter()
                    .enumerate()
                    .map(|(i, n)| (i, n.as_str()))
                    .collect();
                let changed = combo(ui, spec.path, id, &mut index, &labelled);
                if changed && let Some(n) = names.get(index) {
                    set(p, n.clone());
                }
                changed
            } else {
                let mut text = current.clone();
                let changed = ui
                    .add(egui::TextEdit::singleline(&mut text).id_salt(spec.path))
                    .labelled_by(id)
                    .changed();
                set(p, text);
                changed && get(p) != current
            }
        }
        Kind::Kinds { get, set } => {
            let mut kinds = get(p);
            let summary = spec.display(p);
            let mut changed = false;
            ui.menu_button(format!("{summary} …"), |ui| {
                for kind in SourceKind::ALL {
                    let mut on = kinds.contains(&kind);
                    if ui.checkbox(&mut on, kind.german()).changed() {
                        changed = true;
                        if on {
                            kinds.push(kind);
                        } else {
                            kinds.retain(|k| *k != kind);
                        }
                    }
                }
            })
            .response
            .labelled_by(id);
            set(p, kinds);
            changed
        }
    }
}

/// A single-line justification field for a parameter key.
fn justification_field(
    ui: &mut Ui,
    project: &Project,
    key: &str,
    label: &str,
    cmds: &mut Vec<Command>,
) {
    let current = project.justifications.get(key).cloned().unwrap_or_default();
    let mut text = current.clone();
    let r = ui.add(
        egui::TextEdit::singleline(&mut text)
            .id_salt(("begruendung", key))
            .hint_text(format!("Begründung: {label}"))
            .desired_width(320.0),
    );
    if r.changed() && text != current {
        cmds.push(Command::SetJustification {
            key: key.to_string(),
            text,
        });
    }
}

/// Draws the parameter screen.
pub fn params_ui(ui: &mut Ui, state: &AppState, forms: &mut Forms, cmds: &mut Vec<Command>) {
    let Some(doc) = state.doc() else {
        no_project(ui);
        return;
    };
    let project = doc.project();
    ui.heading("Parameter der Ableitung");
    ui.horizontal(|ui| {
        ui.label("Jede Änderung wird sofort neu berechnet und kann mit Strg+Z rückgängig gemacht werden.");
        ui.checkbox(&mut forms.show_justifications, "Begründungsfelder anzeigen");
    });
    for e in catalogue::validate(&project.parameters) {
        ui.colored_label(ui.visuals().error_fg_color, e);
    }
    let mut rows = Rows {
        params: project.parameters.clone(),
        project,
        cmds,
        show_justifications: forms.show_justifications,
        error: None,
    };
    for sec in Section::ALL {
        section(ui, sec.title());
        if sec == Section::Wohnflaechen {
            wohnflaechen_ui(ui, &mut rows);
        }
        rows.section_grid(ui, sec);
        match sec {
            Section::OperatingCosts => {
                operating_costs::vr_bk_ui(ui, &mut rows, doc.analysis());
            }
            Section::Availability => editors::demand_ui(ui, &mut rows),
            Section::Representativeness => {
                editors::market_shares_ui(ui, &mut rows, doc.analysis());
            }
            Section::Heating => editors::heizspiegel_ui(ui, &mut rows),
            _ => {}
        }
        if let Some(e) = rows.error.take() {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
    }
    section(ui, "Fortschreibung");
    editors::fortschreibung_ui(ui, &mut rows, doc.analysis());
}

fn header(ui: &mut Ui, justifications: bool) {
    ui.label(RichText::new("Parameter").strong());
    ui.label(RichText::new("Wert").strong());
    ui.label(RichText::new("Voreinstellung").strong());
    if justifications {
        ui.label(RichText::new("Begründung").strong());
    }
    ui.end_row();
}

/// The editable Wohnflächen table with its source and the confirmation checkbox.
fn wohnflaechen_ui(ui: &mut Ui, rows: &mut Rows<'_>) {
    let key = "wohnflaechen";
    ui.label(
        "Angemessene Wohnfläche nach den Bestimmungen des Landes zur sozialen Wohnraumförderung (BSG); es zählt nur die Fläche, nicht die Zimmerzahl.",
    );
    let mut p = rows.params.clone();
    let mut changed = false;
    egui::Grid::new("wohnflaechen_grid")
        .spacing([18.0, 4.0])
        .striped(true)
        .show(ui, |ui| {
            ui.label(RichText::new("Haushaltsgröße").strong());
            ui.label(RichText::new("Wohnfläche").strong());
            ui.end_row();
            for (i, size) in p.wohnflaechen.sizes.iter_mut().enumerate() {
                let l = ui.label(persons(i as u32 + 1));
                changed |= ui
                    .add(
                        drag_de(size, 1)
                            .range(10.0..=300.0)
                            .speed(0.5)
                            .suffix(" m²"),
                    )
                    .labelled_by(l.id)
                    .changed();
                ui.end_row();
            }
        });
    ui.horizontal(|ui| {
        if ui
            .button("Haushaltsgröße hinzufügen")
            .on_hover_text("Eine weitere Zeile (Fläche der letzten + weitere Person)")
            .clicked()
        {
            let next = p
                .wohnflaechen
                .area_for(p.wohnflaechen.household_sizes() + 1);
            p.wohnflaechen.sizes.push(next);
            changed = true;
        }
        if p.wohnflaechen.sizes.len() > 1
            && ui
                .button("Letzte Haushaltsgröße entfernen")
                .on_hover_text("Die größte Haushaltsgröße entfernen")
                .clicked()
        {
            p.wohnflaechen.sizes.pop();
            changed = true;
        }
    });
    ui.horizontal(|ui| {
        let l = ui.label("Quelle:");
        let mut source = p.wohnflaechen.source.clone();
        if ui
            .add(
                egui::TextEdit::singleline(&mut source)
                    .id_salt("wohnflaechen_source")
                    .desired_width(520.0),
            )
            .labelled_by(l.id)
            .changed()
        {
            p.wohnflaechen.source = source;
            changed = true;
        }
        ui.weak(format!("Land: {}", p.wohnflaechen.land));
    });
    let confirm = ui
        .checkbox(&mut p.wohnflaechen.confirmed, "bestätigt")
        .on_hover_text(
            "Die Werte wurden anhand der geltenden Landesbestimmungen geprüft; ohne Bestätigung wird im Bericht gewarnt.",
        );
    changed |= confirm.changed();
    if !p.wohnflaechen.confirmed {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            "Die Wohnflächen sind noch nicht bestätigt.",
        );
    }
    if changed {
        rows.commit(p, key);
    }
    if rows.show_justifications {
        ui.horizontal(|ui| {
            ui.label("Begründung:");
            justification_field(ui, rows.project, key, "Wohnflächen", rows.cmds);
        });
    }
}

/// "1 Person", "2 Personen".
pub fn persons(n: u32) -> String {
    if n == 1 {
        "1 Person".to_string()
    } else {
        format!("{n} Personen")
    }
}
