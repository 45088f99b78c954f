//! Datenexplorer screen: the records as a pivot table. The user picks the dimensions, the
//! statistics, the value, one Gemeinde and which records; the table comes from
//! [`crate::analysis::explore`] and is cached per query and project generation in the form
//! state; „Tabelle exportieren…“ asks the state to write it (Excel or CSV).

use crate::analysis::explore::{Dimension, ExploreTable, Explorer, Filter, Measure, Statistic};
use crate::app::forms::{DialogRequest, ExploreCache, ExploreForm, Forms};
use crate::app::state::{AppState, Command, Document};
use crate::app::widgets::{no_project, save_target_row, section};
use egui::{Align, Layout, RichText, Ui};
use egui_extras::{Column, TableBuilder};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The default target next to the project file: `<stem>-Datenexplorer.xlsx`.
pub fn suggested_path(project_file: &Path) -> PathBuf {
    let name = project_file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "projekt".to_string());
    let stem = name
        .strip_suffix(".kdu.toml")
        .or_else(|| name.strip_suffix(".toml"))
        .unwrap_or(&name);
    project_file.with_file_name(format!("{stem}-Datenexplorer.xlsx"))
}

/// Builds the explorer once per (load, project) generation.
fn ensure_explorer(form: &mut ExploreForm, state: &AppState, doc: &Document) {
    let generation = (state.load_generation(), state.generation());
    if form
        .cache
        .as_ref()
        .is_some_and(|c| c.generation == generation)
    {
        return;
    }
    let explorer = Explorer::new(&doc.lp().data, doc.project(), doc.prep())
        .map(Arc::new)
        .map_err(|e| e.to_string());
    form.cache = Some(ExploreCache {
        generation,
        explorer,
        answer: None,
    });
}

/// Answers the form's query unless the cache holds its answer.
fn ensure_answer(form: &mut ExploreForm) {
    let Some(cache) = form.cache.as_mut() else {
        return;
    };
    if cache.answer.as_ref().is_some_and(|(q, _)| *q == form.query) {
        return;
    }
    let table = match &cache.explorer {
        Ok(e) => e.query(&form.query).map_err(|e| e.to_string()),
        Err(e) => Err(e.clone()),
    };
    cache.answer = Some((form.query.clone(), table));
}

/// Draws the Datenexplorer screen.
pub fn explore_ui(ui: &mut Ui, state: &AppState, forms: &mut Forms, cmds: &mut Vec<Command>) {
    let Some(doc) = state.doc() else {
        no_project(ui);
        return;
    };
    ui.heading("Datenexplorer");
    ui.label(
        "Kennzahlen der eingelesenen Mieten je Gruppe, wie in einer Pivot-Tabelle: Werte vor der Extremwertkappung, Perzentile nach der Quantildefinition des Projekts.",
    );
    let dialogs = forms.dialogs_enabled;
    let form = &mut forms.explore;
    if form.path_for.as_deref() != Some(doc.lp().path.as_path()) {
        form.path = suggested_path(&doc.lp().path).display().to_string();
        form.path_for = Some(doc.lp().path.clone());
    }
    ensure_explorer(form, state, doc);
    query_ui(ui, form);
    ensure_answer(form);

    section(ui, "Ergebnis");
    match form.cache.as_ref().and_then(|c| c.answer.as_ref()) {
        Some((_, Ok(table))) => {
            ui.label(RichText::new(&table.description).weak());
            ui.label(format!(
                "{} in {}",
                crate::fmt::count(table.n_records, "Datensatz", "Datensätze"),
                crate::fmt::count(table.rows.len(), "Gruppe", "Gruppen")
            ));
            table_ui(ui, table);
        }
        Some((_, Err(e))) => {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
        None => {}
    }

    section(ui, "Tabelle exportieren");
    if save_target_row(
        ui,
        &mut form.path,
        "/pfad/zur/tabelle.xlsx oder .csv",
        dialogs,
    ) {
        forms.dialog_request = Some(DialogRequest::ExploreTarget);
    }
    let form = &forms.explore;
    let table = form
        .cache
        .as_ref()
        .and_then(|c| c.answer.as_ref())
        .and_then(|(_, t)| t.as_ref().ok());
    if ui
        .add_enabled(
            table.is_some() && !form.path.trim().is_empty(),
            egui::Button::new("Tabelle exportieren…"),
        )
        .on_hover_text("Die Tabelle als Excel-Datei (.xlsx) oder CSV (.csv, Semikolon, Dezimalkomma) schreiben")
        .clicked()
        && let Some(table) = table
    {
        let mut path = PathBuf::from(form.path.trim());
        if path.extension().is_none() {
            path.set_extension("xlsx");
        }
        cmds.push(Command::WriteExploreTable {
            table: Box::new(table.clone()),
            path,
        });
    }
}

/// The query controls: dimensions, statistics, value, records, Gemeinde.
fn query_ui(ui: &mut Ui, form: &mut ExploreForm) {
    let q = &mut form.query;
    section(ui, "Gruppieren nach");
    ui.horizontal_wrapped(|ui| {
        for d in Dimension::ALL {
            let mut on = q.dimensions.contains(&d);
            if ui.checkbox(&mut on, d.german()).changed() {
                let before = q.dimensions.clone();
                q.dimensions = Dimension::ALL
                    .into_iter()
                    .filter(|x| if *x == d { on } else { before.contains(x) })
                    .collect();
            }
        }
    });
    section(ui, "Kennzahlen");
    ui.horizontal_wrapped(|ui| {
        for s in Statistic::CHOICES {
            let mut on = q.statistics.contains(&s);
            if ui.checkbox(&mut on, s.german()).changed() {
                let before = q.statistics.clone();
                q.statistics = Statistic::CHOICES
                    .into_iter()
                    .filter(|x| if *x == s { on } else { before.contains(x) })
                    .collect();
            }
        }
    });
    if q.statistics.is_empty() {
        q.statistics.push(Statistic::N);
    }
    section(ui, "Wert und Auswahl");
    ui.horizontal(|ui| {
        for m in Measure::ALL {
            ui.radio_value(&mut q.measure, m, m.german());
        }
    });
    ui.checkbox(
        &mut q.all_records,
        "Alle eingelesenen Datensätze (auch die von der Auswertung ausgeschlossenen)",
    );
    let gemeinden = form
        .cache
        .as_ref()
        .and_then(|c| c.explorer.as_ref().ok())
        .map(|e| e.values(Dimension::Gemeinde, q.all_records))
        .unwrap_or_default();
    ui.horizontal(|ui| {
        let l = ui.label("Gemeinde:");
        let current = q.filter.as_ref().map(|f| f.value.clone());
        let mut chosen = current.clone();
        egui::ComboBox::from_id_salt("explore_gemeinde")
            .selected_text(current.as_deref().unwrap_or("alle Gemeinden"))
            .width(260.0)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut chosen, None, "alle Gemeinden");
                for g in &gemeinden {
                    ui.selectable_value(&mut chosen, Some(g.clone()), g);
                }
            })
            .response
            .labelled_by(l.id);
        if chosen != current {
            q.filter = chosen.map(|value| Filter {
                dimension: Dimension::Gemeinde,
                value,
            });
        }
    });
}

/// The result table: key columns left, statistics right-aligned.
fn table_ui(ui: &mut Ui, table: &ExploreTable) {
    let headers = table.headers();
    let n_keys = table.dimensions.len();
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 4.0;
    let mut builder = TableBuilder::new(ui)
        .id_salt("explore_table")
        .striped(true)
        .max_scroll_height(480.0);
    for c in 0..headers.len() {
        builder = builder.column(if c < n_keys {
            Column::auto().at_least(120.0).resizable(true)
        } else {
            Column::auto().at_least(70.0)
        });
    }
    builder
        .header(row_height, |mut h| {
            for (c, text) in headers.iter().enumerate() {
                h.col(|ui| {
                    if c < n_keys {
                        ui.strong(text);
                    } else {
                        ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                            ui.strong(text);
                        });
                    }
                });
            }
        })
        .body(|body| {
            body.rows(row_height, table.rows.len(), |mut row| {
                let Some(r) = table.rows.get(row.index()) else {
                    return;
                };
                for (c, text) in table.row_texts(r).into_iter().enumerate() {
                    row.col(|ui| {
                        if c < n_keys {
                            ui.label(text);
                        } else {
                            ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                                ui.label(text);
                            });
                        }
                    });
                }
            });
        });
}
