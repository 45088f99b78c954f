//! The section „Clusteranalyse (Vorschlag)“ of the Vergleichsräume screen: indicators (a table
//! and/or the data's rent level), weights, k and k-means; the silhouette per k, the dendrogram
//! and the proposal next to the current Vergleichsräume; taking the proposal over. The run is
//! computed by the core and cached in the document; this module only shows it.

use crate::analysis::cluster::{ClusterRun, RENT_LEVEL_COLUMN, dendrogram};
use crate::app::forms::{DialogRequest, Forms};
use crate::app::plots::{KEPT, REFERENCE};
use crate::app::state::{AppState, ClusterEdit, Command, Document, cluster_vergleichsraum};
use crate::app::widgets::{FileRow, file_row, section};
use crate::fmt::{count, number};
use crate::model::cluster::{ClusterK, ClusterSpec};
use egui::{RichText, Ui};
use egui_plot::{Bar, BarChart, Line, Plot};

/// Draws the section.
pub fn cluster_ui(ui: &mut Ui, state: &AppState, forms: &mut Forms, cmds: &mut Vec<Command>) {
    let Some(doc) = state.doc() else { return };
    section(ui, "Clusteranalyse (Vorschlag)");
    ui.label(
        "Die Clusteranalyse gruppiert Gemeinden mit ähnlichen Kennzahlen (Ward-Verfahren auf z-standardisierten, gewichteten Indikatoren, wahlweise mit k-means verfeinert). Sie ist nur ein Vorschlag: Vergleichsräume bildet der Träger als zusammenhängende Lebens- und Wohnbereiche und begründet sie (BSG, 30.01.2019, B 14 AS 24/18 R).",
    );
    indicator_file_ui(ui, doc, forms, cmds);
    let spec = doc.project().cluster.as_ref();
    let mut rent_level = spec.is_some_and(|s| s.rent_level);
    if ui
        .checkbox(
            &mut rent_level,
            "Mietniveau der Daten verwenden (Median NKM €/m² je Gemeinde)",
        )
        .on_hover_text(
            "Median der Nettokaltmiete je m² aller Mietwerte einer Gemeinde in Tabellenfeldern (vor der Extremwertkappung). Gemeinden ohne Mietwerte werden ausgelassen und genannt.",
        )
        .changed()
    {
        cmds.push(Command::EditCluster(ClusterEdit::RentLevel(rent_level)));
    }
    let Some(spec) = spec else { return };
    settings_ui(ui, doc, spec, cmds);
    match doc.cluster() {
        None => {}
        Some(Err(e)) => {
            ui.colored_label(ui.visuals().warn_fg_color, e.to_string());
            if !spec.proposal.is_empty() {
                ui.label(format!(
                    "Gespeicherter Vorschlag: {} in {}.",
                    count(spec.proposal.len(), "Gemeinde", "Gemeinden"),
                    count(
                        spec.proposal.iter().map(|p| p.cluster).max().unwrap_or(0),
                        "Cluster",
                        "Clustern"
                    )
                ));
            }
        }
        Some(Ok(run)) => result_ui(ui, doc, run, forms, cmds),
    }
}

/// The indicator table: path, file dialog, read button, what was read.
fn indicator_file_ui(ui: &mut Ui, doc: &Document, forms: &mut Forms, cmds: &mut Vec<Command>) {
    let table_ref = doc
        .project()
        .cluster
        .as_ref()
        .and_then(|c| c.indicators.as_ref());
    match (table_ref, &doc.lp().data.cluster_indicators) {
        (Some(r), Some(t)) => {
            ui.horizontal(|ui| {
                ui.label(format!(
                    "Indikatortabelle: {} ({}; {})",
                    r.path,
                    count(t.keys.len(), "Gemeinde", "Gemeinden"),
                    t.columns.join(", ")
                ));
                if ui
                    .small_button("Nicht mehr verwenden")
                    .on_hover_text("Die Indikatortabelle aus der Clusteranalyse nehmen")
                    .clicked()
                {
                    cmds.push(Command::EditCluster(ClusterEdit::RemoveIndicators));
                }
            });
        }
        (Some(r), None) => {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!(
                    "Die Indikatortabelle „{}“ ist nicht eingelesen (Datei fehlt?).",
                    r.path
                ),
            );
        }
        (None, _) => {}
    }
    let row = FileRow {
        label: "Indikatortabelle (Datei):",
        hint: "/pfad/zu/indikatoren.xlsx oder .csv",
        contents: "Eine Zeile je Gemeinde: AGS oder Gemeinde und Zahlenspalten (z. B. Angebotsmiete, Dichte, SGB II-Quote)",
        button: "Indikatortabelle einlesen",
        missing: "Bitte die Datei der Indikatortabelle angeben.",
        dialog: DialogRequest::ClusterFile,
    };
    file_row(
        ui,
        forms,
        |f| &mut f.cluster_path,
        &row,
        cmds,
        Command::SetClusterIndicators,
    );
}

/// Weights, k and k-means.
fn settings_ui(ui: &mut Ui, doc: &Document, spec: &ClusterSpec, cmds: &mut Vec<Command>) {
    let mut columns: Vec<String> = match (&spec.indicators, &doc.lp().data.cluster_indicators) {
        (Some(_), Some(t)) => t.columns.clone(),
        _ => Vec::new(),
    };
    if spec.rent_level {
        columns.push(RENT_LEVEL_COLUMN.to_string());
    }
    if !columns.is_empty() {
        egui::Grid::new("cluster_weights")
            .spacing([16.0, 4.0])
            .show(ui, |ui| {
                ui.label(RichText::new("Indikator").strong());
                ui.label(RichText::new("Gewicht").strong());
                ui.end_row();
                for c in &columns {
                    let label = ui.label(c);
                    let before = spec.weight(c);
                    let mut w = before;
                    ui.add(
                        egui::DragValue::new(&mut w)
                            .range(0.0..=10.0)
                            .speed(0.05)
                            .fixed_decimals(2),
                    )
                    .labelled_by(label.id)
                    .on_hover_text(format!("Gewicht von „{c}“ (0 = nicht berücksichtigt)"));
                    if w != before {
                        cmds.push(Command::EditCluster(ClusterEdit::Weight {
                            indicator: c.clone(),
                            weight: w,
                        }));
                    }
                    ui.end_row();
                }
            });
        ui.weak(format!(
            "Standardisierung: {}",
            spec.standardisation.german()
        ));
    }
    ui.horizontal(|ui| {
        let mut auto = spec.k == ClusterK::Auto;
        if ui
            .checkbox(&mut auto, "Clusterzahl k automatisch (beste Silhouette)")
            .changed()
        {
            let k = if auto {
                ClusterK::Auto
            } else {
                ClusterK::Fixed(chosen_k(doc).unwrap_or(2))
            };
            cmds.push(Command::EditCluster(ClusterEdit::K(k)));
        }
        if let ClusterK::Fixed(k) = spec.k {
            let label = ui.label("k:");
            let mut v = k;
            ui.add(egui::DragValue::new(&mut v).range(2..=10))
                .labelled_by(label.id);
            if v != k {
                cmds.push(Command::EditCluster(ClusterEdit::K(ClusterK::Fixed(v))));
            }
        }
    });
    ui.horizontal(|ui| {
        let mut on = spec.kmeans;
        if ui
            .checkbox(&mut on, "k-means-Verfeinerung")
            .on_hover_text(
                "Verschiebt Gemeinden zum nächstgelegenen Clusterschwerpunkt, ausgehend von den Ward-Clustern, bis sich nichts mehr ändert (höchstens 100 Durchläufe)",
            )
            .changed()
        {
            cmds.push(Command::EditCluster(ClusterEdit::KMeans(on)));
        }
        if ui
            .small_button("Clusteranalyse entfernen")
            .on_hover_text("Einstellungen und Vorschlag aus dem Projekt nehmen")
            .clicked()
        {
            cmds.push(Command::EditCluster(ClusterEdit::Remove));
        }
    });
}

/// The k of the current run.
fn chosen_k(doc: &Document) -> Option<usize> {
    doc.cluster()?.as_ref().ok().map(|r| r.result.k)
}

/// Silhouette, dendrogram, proposal and the button taking it over.
fn result_ui(
    ui: &mut Ui,
    doc: &Document,
    run: &ClusterRun,
    forms: &mut Forms,
    cmds: &mut Vec<Command>,
) {
    let r = &run.result;
    let members = &run.input.members;
    if !run.input.excluded.is_empty() {
        let list: Vec<String> = run
            .input
            .excluded
            .iter()
            .map(|e| format!("{} ({})", e.name, e.reason))
            .collect();
        ui.colored_label(
            ui.visuals().warn_fg_color,
            format!(
                "Nicht einbezogen: {}: {}",
                count(list.len(), "Gemeinde", "Gemeinden"),
                list.join(", ")
            ),
        );
    }
    ui.label(format!(
        "{} geclustert; k = {}{}.",
        count(members.len(), "Gemeinde", "Gemeinden"),
        r.k,
        if doc
            .project()
            .cluster
            .as_ref()
            .is_some_and(|c| c.k == ClusterK::Auto)
        {
            " (beste Silhouette)"
        } else {
            ""
        }
    ));
    ui.columns(2, |cols| {
        silhouette_ui(&mut cols[0], run);
        dendrogram_ui(&mut cols[1], run);
    });
    if let Some(km) = &r.kmeans {
        let moved: Vec<String> = km
            .moved
            .iter()
            .filter_map(|&i| {
                Some(format!(
                    "{} ({} → {})",
                    members.get(i)?.name,
                    r.assignment.get(i)?,
                    km.assignment.get(i)?
                ))
            })
            .collect();
        ui.label(format!(
            "k-means-Verfeinerung: {}{}, Silhouette danach {}; verschoben: {}.",
            count(km.iterations, "Durchlauf", "Durchläufe"),
            if km.converged {
                ""
            } else {
                " (ohne Konvergenz abgebrochen)"
            },
            number(km.silhouette, 3),
            if moved.is_empty() {
                "keine Gemeinde".to_string()
            } else {
                moved.join(", ")
            }
        ));
    }
    proposal_table_ui(ui, doc, run);
    apply_ui(ui, run, forms, cmds);
}

fn silhouette_ui(ui: &mut Ui, run: &ClusterRun) {
    let r = &run.result;
    ui.label(RichText::new("Silhouette je Clusterzahl").strong());
    egui::Grid::new("cluster_silhouette")
        .striped(true)
        .spacing([16.0, 2.0])
        .show(ui, |ui| {
            ui.label(RichText::new("k").strong());
            ui.label(RichText::new("Silhouette").strong());
            ui.end_row();
            for s in &r.silhouette {
                let text = if s.k == r.k {
                    RichText::new(format!("{} (gewählt)", s.k)).strong()
                } else {
                    RichText::new(s.k.to_string())
                };
                ui.label(text);
                ui.label(number(s.silhouette, 3));
                ui.end_row();
            }
        });
    let bars: Vec<Bar> = r
        .silhouette
        .iter()
        .map(|s| {
            let colour = if s.k == r.k { REFERENCE } else { KEPT };
            Bar::new(s.k as f64, s.silhouette)
                .width(0.6)
                .fill(colour)
                .stroke(egui::Stroke::new(1.0, colour))
        })
        .collect();
    Plot::new("plot_cluster_silhouette")
        .height(120.0)
        .allow_scroll(false)
        .allow_drag(false)
        .allow_zoom(false)
        .include_y(0.0)
        .show(ui, |p| p.add(BarChart::new("Silhouette", bars).color(KEPT)));
}

fn dendrogram_ui(ui: &mut Ui, run: &ClusterRun) {
    let members = &run.input.members;
    let d = dendrogram::layout(&run.result.merges, members.len());
    let names: Vec<String> = d
        .leaves
        .iter()
        .map(|&i| members.get(i).map(|m| m.name.clone()).unwrap_or_default())
        .collect();
    ui.label(RichText::new("Dendrogramm (Ward-Distanz)").strong());
    // The axis shows only the names that fit; the whole leaf order is listed below the plot.
    let order = names.join(", ");
    Plot::new("plot_cluster_dendrogram")
        .height(260.0)
        .allow_scroll(false)
        .include_y(0.0)
        .x_axis_formatter(move |mark, _range| {
            let i = mark.value.round();
            if (mark.value - i).abs() < 1e-6 && i >= 0.0 {
                names.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .show(ui, |p| {
            for s in &d.segments {
                let points = vec![[s[0].0, s[0].1], [s[1].0, s[1].1]];
                p.add(Line::new("Dendrogramm", points).color(KEPT).width(1.5));
            }
        });
    ui.label(RichText::new(format!("Gemeinden von links nach rechts: {order}")).weak());
}

/// Gemeinde, proposed cluster, current Vergleichsraum; a Gemeinde whose cluster differs from
/// the majority of its Vergleichsraum is highlighted.
fn proposal_table_ui(ui: &mut Ui, doc: &Document, run: &ClusterRun) {
    let gemeinden = &doc.project().gemeinden;
    let deviating = run.deviating(gemeinden);
    let n_dev = deviating.iter().filter(|d| **d).count();
    ui.label(RichText::new("Vorschlag").strong());
    if n_dev > 0 {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            format!(
                "{} in einem anderen Cluster als die Mehrheit ihres Vergleichsraums (markiert).",
                count(n_dev, "Gemeinde liegt", "Gemeinden liegen")
            ),
        );
    }
    egui::ScrollArea::vertical()
        .id_salt("cluster_proposal_scroll")
        .max_height(320.0)
        .show(ui, |ui| {
            egui::Grid::new("cluster_proposal")
                .striped(true)
                .spacing([16.0, 2.0])
                .show(ui, |ui| {
                    for h in ["Gemeinde", "Cluster", "Vergleichsraum (aktuell)"] {
                        ui.label(RichText::new(h).strong());
                    }
                    ui.end_row();
                    for (i, (m, c)) in run
                        .input
                        .members
                        .iter()
                        .zip(run.result.proposal())
                        .enumerate()
                    {
                        let vr = m
                            .gemeinde
                            .and_then(|g| gemeinden.get(g))
                            .map_or("", |g| g.vergleichsraum.as_str());
                        let color = if deviating.get(i).copied().unwrap_or(false) {
                            ui.visuals().warn_fg_color
                        } else {
                            ui.visuals().text_color()
                        };
                        ui.colored_label(color, &m.name);
                        ui.colored_label(color, c.to_string());
                        ui.colored_label(color, if vr.is_empty() { "–" } else { vr });
                        ui.end_row();
                    }
                });
        });
}

/// „Vorschlag als Vergleichsräume übernehmen“ with a confirmation.
fn apply_ui(ui: &mut Ui, run: &ClusterRun, forms: &mut Forms, cmds: &mut Vec<Command>) {
    if !forms.cluster_confirm {
        if ui
            .button("Vorschlag als Vergleichsräume übernehmen")
            .on_hover_text("Legt je Cluster einen Vergleichsraum an und ordnet die Gemeinden zu")
            .clicked()
        {
            forms.cluster_confirm = true;
        }
        return;
    }
    ui.horizontal(|ui| {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            format!(
                "{} werden den Vergleichsräumen „{}“ bis „{}“ zugeordnet (rückgängig mit Strg+Z).",
                count(run.input.members.len(), "Gemeinde", "Gemeinden"),
                cluster_vergleichsraum(1),
                cluster_vergleichsraum(run.result.k)
            ),
        );
        if ui.button("Übernehmen").clicked() {
            forms.cluster_confirm = false;
            cmds.push(Command::ApplyClusterProposal);
        }
        if ui.button("Nicht übernehmen").clicked() {
            forms.cluster_confirm = false;
        }
    });
}
