//! The cluster analysis on the Vergleichsräume screen: reading the indicator table, changing the
//! settings of the `[cluster]` section (each change stores the new proposal in the same undo
//! step), and taking the proposal over as Vergleichsräume (one undo step).

use super::files::file_label;
use super::{AppState, Level};
use crate::analysis::cluster::{ClusterError, ClusterRun, input};
use crate::model::Project;
use crate::model::cluster::{ClusterK, ClusterSpec};
use crate::model::project::VergleichsraumSpec;
use std::path::Path;

/// One change of the cluster settings.
#[derive(Debug, Clone, PartialEq)]
pub enum ClusterEdit {
    /// Use the data's rent level per Gemeinde as an indicator.
    RentLevel(bool),
    /// The weight of an indicator.
    Weight {
        /// Indicator name.
        indicator: String,
        /// Weight ≥ 0.
        weight: f64,
    },
    /// The number of clusters.
    K(ClusterK),
    /// Refine by k-means.
    KMeans(bool),
    /// Stop using the indicator table.
    RemoveIndicators,
    /// Remove the whole cluster run from the project.
    Remove,
}

impl ClusterEdit {
    /// Undo merge key: dragging a weight is one step.
    fn merge_key(&self) -> Option<String> {
        match self {
            ClusterEdit::Weight { indicator, .. } => Some(format!("cluster-weight:{indicator}")),
            _ => None,
        }
    }
}

/// The name of the Vergleichsraum formed from cluster `c`.
pub fn cluster_vergleichsraum(c: usize) -> String {
    format!("Cluster {c}")
}

impl AppState {
    /// Applies a [`ClusterEdit`]: the settings and the proposal they give change together.
    pub(super) fn edit_cluster(&mut self, edit: ClusterEdit) {
        let Some(doc) = &self.doc else {
            self.notify(Level::Warnung, "Kein Projekt geöffnet.");
            return;
        };
        let key = edit.merge_key();
        if edit == ClusterEdit::Remove {
            if doc.project().cluster.is_some() {
                self.edit_project(None, |p| p.cluster = None);
                self.notify(
                    Level::Info,
                    "Clusteranalyse entfernt (rückgängig mit Strg+Z).",
                );
            }
            return;
        }
        let mut spec = doc.project().cluster.clone().unwrap_or_default();
        match edit {
            ClusterEdit::RentLevel(on) => spec.rent_level = on,
            ClusterEdit::Weight { indicator, weight } => {
                let weight = if weight.is_finite() {
                    weight.max(0.0)
                } else {
                    1.0
                };
                spec.weights.insert(indicator, weight);
            }
            ClusterEdit::K(k) => spec.k = k,
            ClusterEdit::KMeans(on) => spec.kmeans = on,
            ClusterEdit::RemoveIndicators => spec.indicators = None,
            ClusterEdit::Remove => {}
        }
        self.store_cluster(spec, key);
    }

    /// Stores `spec` with the proposal of its run (kept when only the indicator file is
    /// missing, so the workbook still shows what was proposed).
    fn store_cluster(&mut self, mut spec: ClusterSpec, merge_key: Option<String>) {
        let Some(doc) = &self.doc else { return };
        match run_for(doc, &spec) {
            Ok(run) => spec.proposal = run.proposal_entries(),
            Err(ClusterError::TableMissing(_)) => {}
            Err(_) => spec.proposal.clear(),
        }
        self.edit_project(merge_key, |p| p.cluster = Some(spec));
    }

    /// Reads the indicator table, refers to it in `[cluster]` (path relative to the project
    /// file, checksum) and recomputes the run with it.
    pub(super) fn set_cluster_indicators(&mut self, path: &Path) {
        let Some(read) = self.read_referenced(path, |p| {
            crate::import::indicators::read_indicators(p, None)
        }) else {
            return;
        };
        match read {
            Ok((table, table_ref)) => {
                let text = format!(
                    "Indikatortabelle eingelesen: {} Gemeinden, Indikatoren {} aus {}.",
                    table.keys.len(),
                    table.columns.join(", "),
                    file_label(path)
                );
                let mut spec = self
                    .project()
                    .and_then(|p| p.cluster.clone())
                    .unwrap_or_default();
                spec.indicators = Some(table_ref);
                doc_set_cluster_table(self, Some(table));
                self.store_cluster(spec, None);
                self.notify(Level::Erfolg, text);
            }
            Err(e) => self.notify(
                Level::Fehler,
                format!("Indikatortabelle nicht eingelesen: {e}"),
            ),
        }
    }

    /// Forms Vergleichsräume from the clusters of the current run as one undo step.
    pub(super) fn apply_cluster_proposal(&mut self) {
        let Some(doc) = &self.doc else {
            self.notify(Level::Warnung, "Kein Projekt geöffnet.");
            return;
        };
        let Some(spec) = doc.project().cluster.clone() else {
            self.notify(Level::Warnung, "Es gibt keine Clusteranalyse.");
            return;
        };
        let run = match run_for(doc, &spec) {
            Ok(run) => run,
            Err(e) => {
                self.notify(Level::Fehler, format!("Vorschlag nicht übernommen: {e}"));
                return;
            }
        };
        let k = run.result.k;
        let unchanged = run.input.excluded.len();
        self.edit_project(None, |p| {
            apply_proposal(p, &run);
            if let Some(c) = &mut p.cluster {
                c.proposal = run.proposal_entries();
            }
        });
        let mut text = format!(
            "Vorschlag übernommen: {} („{}“ bis „{}“). Die Clusteranalyse ist nur ein Vorschlag (BSG, 30.01.2019, B 14 AS 24/18 R): Jeder Vergleichsraum braucht eine Begründung und muss ein zusammenhängender Lebens- und Wohnbereich sein. Bitte Zuschnitt und Namen prüfen und die Begründungen schreiben (rückgängig mit Strg+Z).",
            crate::fmt::count(k, "Vergleichsraum", "Vergleichsräume"),
            cluster_vergleichsraum(1),
            cluster_vergleichsraum(k),
        );
        if unchanged > 0 {
            text.push_str(&format!(
                " {} ohne Wert behalten ihren bisherigen Vergleichsraum.",
                crate::fmt::count(unchanged, "Gemeinde", "Gemeinden")
            ));
        }
        self.notify(Level::Warnung, text);
    }
}

/// The run of `spec` on the document's Gemeinden, indicator table and rent levels.
fn run_for(doc: &super::Document, spec: &ClusterSpec) -> Result<ClusterRun, ClusterError> {
    input::run_project(
        spec,
        &doc.project().gemeinden,
        doc.lp().data.cluster_indicators.as_ref(),
        doc.prep(),
    )
}

fn doc_set_cluster_table(
    state: &mut AppState,
    table: Option<crate::import::indicators::IndicatorTable>,
) {
    if let Some(doc) = &mut state.doc {
        doc.set_cluster_indicators(table);
    }
}

/// Assigns each clustered Gemeinde to the Vergleichsraum „Cluster c“ (created where missing;
/// an existing one keeps its Begründung). A declared Vergleichsraum left without Gemeinden and
/// without Begründung is removed; Gemeinden outside the run keep their Vergleichsraum.
pub fn apply_proposal(project: &mut Project, run: &ClusterRun) {
    for c in 1..=run.result.k {
        let name = cluster_vergleichsraum(c);
        if !project.vergleichsraeume.iter().any(|v| v.name == name) {
            project.vergleichsraeume.push(VergleichsraumSpec {
                name,
                begruendung: String::new(),
                ohne_konzept: false,
            });
        }
    }
    for (m, &c) in run.input.members.iter().zip(run.result.proposal()) {
        if let Some(g) = m.gemeinde.and_then(|i| project.gemeinden.get_mut(i)) {
            g.vergleichsraum = cluster_vergleichsraum(c);
        }
    }
    let used: Vec<String> = project
        .gemeinden
        .iter()
        .map(|g| g.vergleichsraum.clone())
        .collect();
    project
        .vergleichsraeume
        .retain(|v| used.contains(&v.name) || !v.begruendung.trim().is_empty() || v.ohne_konzept);
}
