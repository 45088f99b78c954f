//! The open project: project file, loaded data, their [`Prepared`] state and the current
//! [`Analysis`], plus the saved state (dirty marker) and the sources the data came from.

use crate::analysis::cluster::{ClusterError, ClusterInput, ClusterRun, input as cluster_input};
use crate::analysis::prepare::Prepared;
use crate::analysis::{Analysis, compute};
use crate::dataset::{Dataset, LoadedProject};
use crate::model::Project;
use crate::model::project::SourceSpec;
use std::time::{Duration, Instant};

/// A loaded project with its prepared state and the current analysis.
pub struct Document {
    /// Result of the current parameters. Public only for the Parameter screen, which is being
    /// rewritten; everything else reads it through [`Document::analysis`].
    analysis: Analysis,
    /// Project and data.
    lp: LoadedProject,
    /// Sorted cells etc. for the current scope.
    prep: Prepared,
    /// The project as last saved (dirty = differs).
    saved: Project,
    /// Duration of the last recomputation.
    compute_time: Duration,
    /// The sources the data were loaded for ([`sources_key`]).
    data_key: Vec<SourceSpec>,
    /// The run of the project's `[cluster]` section, with what it was computed from.
    cluster: Option<ClusterCache>,
    /// Counts the replacements of what the cluster matrix is read from besides the project
    /// (the prepared state with its rent levels, the indicator table).
    cluster_sources: u64,
}

/// A cluster run and its inputs: it is recomputed only when these change.
struct ClusterCache {
    settings: crate::model::cluster::ClusterSpec,
    gemeinden: Vec<crate::model::project::GemeindeRow>,
    sources: u64,
    input: Result<ClusterInput, ClusterError>,
    run: Result<ClusterRun, ClusterError>,
}

/// The sources as far as they decide the loaded data (the stored checksum does not).
pub fn sources_key(sources: &[SourceSpec]) -> Vec<SourceSpec> {
    sources.iter().map(source_key).collect()
}

/// One source without its checksum.
fn source_key(source: &SourceSpec) -> SourceSpec {
    SourceSpec {
        sha256: String::new(),
        ..source.clone()
    }
}

/// A change of the project that is not an edit by the user: it is applied to the project and
/// to every undo/redo snapshot, and never becomes an undo step of its own.
#[derive(Debug, Clone, PartialEq)]
pub enum ProjectPatch {
    /// Checksums read on import for sources that have none yet: (source without checksum as
    /// in [`sources_key`], SHA-256 of its file).
    FillChecksums(Vec<(SourceSpec, String)>),
}

impl ProjectPatch {
    /// The checksums of `data` for the `sources` they were loaded for (same order).
    pub fn checksums(sources: &[SourceSpec], data: &Dataset) -> ProjectPatch {
        ProjectPatch::FillChecksums(
            sources
                .iter()
                .zip(&data.sources)
                .filter(|(_, info)| !info.import.sha256.is_empty())
                .map(|(spec, info)| (source_key(spec), info.import.sha256.clone()))
                .collect(),
        )
    }

    /// Applies the patch to `project`.
    pub fn apply(&self, project: &mut Project) {
        match self {
            ProjectPatch::FillChecksums(sums) => {
                for spec in project.sources.iter_mut().filter(|s| s.sha256.is_empty()) {
                    let key = source_key(spec);
                    if let Some((_, sha)) = sums.iter().find(|(k, _)| *k == key) {
                        spec.sha256.clone_from(sha);
                    }
                }
            }
        }
    }
}

impl Document {
    /// Prepares and computes a loaded project.
    pub fn new(lp: LoadedProject) -> Document {
        let start = Instant::now();
        let prep = Prepared::new(&lp.data.records, &lp.project);
        let analysis = compute(&prep, &lp.project, &lp.data);
        let saved = lp.project.clone();
        let data_key = sources_key(&lp.project.sources);
        let mut doc = Document {
            lp,
            prep,
            analysis,
            saved,
            compute_time: start.elapsed(),
            data_key,
            cluster: None,
            cluster_sources: 0,
        };
        doc.refresh_cluster();
        doc
    }

    /// The run of the project's `[cluster]` section (`None` without one).
    pub fn cluster(&self) -> Option<&Result<ClusterRun, ClusterError>> {
        self.cluster.as_ref().map(|c| &c.run)
    }

    /// Takes the indicator table of the cluster run (the caller then edits the project).
    pub(super) fn set_cluster_indicators(
        &mut self,
        table: Option<crate::import::indicators::IndicatorTable>,
    ) {
        self.lp.data.cluster_indicators = table;
        self.cluster_sources += 1;
    }

    /// Recomputes the cluster run when its settings or its indicator matrix changed.
    fn refresh_cluster(&mut self) {
        let Some(spec) = &self.lp.project.cluster else {
            self.cluster = None;
            return;
        };
        let settings = spec.settings();
        let gemeinden = &self.lp.project.gemeinden;
        // A parameter change (every slider move) touches none of the inputs: no work.
        if let Some(c) = &self.cluster
            && c.sources == self.cluster_sources
            && c.settings == settings
            && c.gemeinden == *gemeinden
        {
            return;
        }
        let input = cluster_input::project_input(
            &settings,
            &self.lp.project.gemeinden,
            self.lp.data.cluster_indicators.as_ref(),
            &self.prep,
        );
        if let Some(c) = &mut self.cluster
            && c.settings == settings
            && c.input == input
        {
            // Same matrix (e.g. a Gemeinde renamed): keep the run, remember the new inputs.
            c.gemeinden.clone_from(gemeinden);
            c.sources = self.cluster_sources;
            return;
        }
        let run = input
            .clone()
            .and_then(|i| cluster_input::run_input(i, &settings));
        self.cluster = Some(ClusterCache {
            settings,
            gemeinden: gemeinden.clone(),
            sources: self.cluster_sources,
            input,
            run,
        });
    }

    /// The project.
    pub fn project(&self) -> &Project {
        &self.lp.project
    }

    /// Project file, project and data.
    pub fn lp(&self) -> &LoadedProject {
        &self.lp
    }

    /// The prepared state (cells with sorted values) of the current scope.
    pub fn prep(&self) -> &Prepared {
        &self.prep
    }

    /// The result of the current parameters.
    pub fn analysis(&self) -> &Analysis {
        &self.analysis
    }

    /// Duration of the last recomputation.
    pub fn compute_time(&self) -> Duration {
        self.compute_time
    }

    /// Overrides the measured computation time (snapshot tests show a fixed one).
    pub fn set_compute_time(&mut self, time: Duration) {
        self.compute_time = time;
    }

    /// True when the project differs from the saved file.
    pub fn is_dirty(&self) -> bool {
        self.lp.project != self.saved
    }

    /// The project, for a change. The caller recomputes afterwards ([`Document::recompute`]).
    pub(super) fn project_mut(&mut self) -> &mut Project {
        &mut self.lp.project
    }

    /// The current project is what the file holds.
    pub(super) fn mark_saved(&mut self) {
        self.saved = self.lp.project.clone();
    }

    /// `on_disk` is what the file holds (a restored recovery copy is unsaved).
    pub(super) fn set_saved(&mut self, on_disk: Project) {
        self.saved = on_disk;
    }

    /// The sources as they decide the data, when they differ from those the data were loaded
    /// for (a reload is due); `None` when the data are current.
    pub(super) fn changed_sources(&self) -> Option<Vec<SourceSpec>> {
        let key = sources_key(&self.lp.project.sources);
        (key != self.data_key).then_some(key)
    }

    /// True when `key` describes the current sources.
    pub(super) fn sources_are(&self, key: &[SourceSpec]) -> bool {
        sources_key(&self.lp.project.sources) == key
    }

    /// Takes reloaded data for the sources `key`; recomputes.
    pub(super) fn set_data(
        &mut self,
        key: Vec<SourceSpec>,
        data: Dataset,
        warnings: Vec<String>,
        prep: Prepared,
    ) {
        self.data_key = key;
        self.lp.data = data;
        self.lp.warnings = warnings;
        self.prep = prep;
        self.cluster_sources += 1;
        self.recompute();
    }

    /// Takes the recipients' rows (Wirkungsanalyse); recomputes.
    pub(super) fn set_recipients(&mut self, rows: Vec<crate::import::recipients::RecipientRow>) {
        self.lp.data.recipients = Some(rows);
        self.recompute();
    }

    /// Takes the Gemeinde boundaries (map, contiguity); recomputes.
    pub(super) fn set_boundaries(&mut self, data: std::sync::Arc<crate::dataset::BoundaryData>) {
        self.lp.data.boundaries = Some(data);
        self.recompute();
    }

    /// Remembers that a failed reload was for the sources `key` (no retry until they change).
    pub(super) fn set_data_key(&mut self, key: Vec<SourceSpec>) {
        self.data_key = key;
    }

    /// Recomputes the analysis: a new [`Prepared`] only when the scope changed
    /// ([`Prepared::is_stale`]), otherwise only [`compute`].
    pub(super) fn recompute(&mut self) {
        let start = Instant::now();
        if self.prep.is_stale(&self.lp.project) {
            // The records have not changed (new data arrive with their own `Prepared` in
            // `set_data`), so the record index is reused: a scope change needs no sorting.
            self.prep = self.prep.rescope(&self.lp.data.records, &self.lp.project);
            self.cluster_sources += 1;
        }
        self.analysis = compute(&self.prep, &self.lp.project, &self.lp.data);
        self.compute_time = start.elapsed();
        self.refresh_cluster();
    }
}
