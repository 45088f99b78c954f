//! The source register and the Gemeinde table: the preview of a file, adding and removing
//! sources, reloading the data when the sources changed, importing a Gemeinde table.

use super::document::ProjectPatch;
use super::files::file_label;
use super::jobs::{Job, JobOutcome, ReloadResult, reload_sources};
use super::{AppState, Level};
use crate::app::source_import::{SourcePreview, read_preview};
use crate::app::tasks::Reporter;
use crate::import::ImportError;
use crate::import::mapping::MappingProfile;
use crate::model::project::{SourceSpec, TableRef};
use std::path::{Path, PathBuf};

impl AppState {
    pub(super) fn start_preview(&mut self, path: PathBuf, sheet: Option<String>) {
        self.jobs.cancel(Job::Preview);
        if path.as_os_str().is_empty() {
            self.notify(Level::Fehler, "Bitte eine Datei angeben.");
            return;
        }
        let label = format!("Vorschau wird gelesen: {}", file_label(&path));
        let work = move |_r: &mut Reporter<JobOutcome>| {
            JobOutcome::Preview(read_preview(&path, sheet.as_deref()))
        };
        let started = self.jobs.start(
            Job::Preview,
            "kdu-preview",
            label,
            self.generation,
            self.ctx.clone(),
            work,
        );
        if let Err(e) = started {
            self.notify(Level::Fehler, e);
        }
    }

    /// A preview was read (or failed): the dialog shows it.
    pub(super) fn show_preview(&mut self, preview: Result<SourcePreview, String>) {
        self.source_preview = Some(preview);
        self.preview_seq += 1;
    }

    pub(super) fn add_source(
        &mut self,
        spec: SourceSpec,
        profile: Option<MappingProfile>,
        replace: Option<usize>,
    ) {
        let name = spec.path.clone();
        self.edit_project(None, |p| {
            match replace {
                Some(i) if i < p.sources.len() => p.sources[i] = spec,
                _ => p.sources.push(spec),
            }
            if let Some(profile) = profile {
                match p
                    .mapping_profiles
                    .iter_mut()
                    .find(|x| x.signature == profile.signature)
                {
                    Some(existing) => *existing = profile,
                    None => p.mapping_profiles.push(profile),
                }
            }
        });
        self.source_preview = None;
        let text = if replace.is_some() {
            format!("Quelle „{name}“ geändert; die Daten werden neu eingelesen.")
        } else {
            format!("Quelle „{name}“ hinzugefügt; die Daten werden eingelesen.")
        };
        self.notify(Level::Info, text);
    }

    pub(super) fn import_gemeinden(&mut self, path: &Path) {
        if self.doc.is_none() {
            self.notify(Level::Warnung, "Kein Projekt geöffnet.");
            return;
        }
        match crate::import::gemeinden::read_gemeinden(path, None) {
            Ok(rows) => {
                let n = rows.len();
                self.edit_project(None, |p| p.gemeinden = rows);
                self.notify(
                    Level::Erfolg,
                    format!(
                        "Gemeindetabelle eingelesen: {n} Gemeinden aus {}.",
                        file_label(path)
                    ),
                );
            }
            Err(e) => self.notify(
                Level::Fehler,
                format!("Gemeindetabelle nicht eingelesen: {e}"),
            ),
        }
    }

    /// Reads a table the project refers to (recipients, boundaries, cluster indicators) and
    /// its reference: path relative to the project file, checksum. `None` without an open
    /// project (said to the user).
    pub(super) fn read_referenced<T>(
        &mut self,
        path: &Path,
        read: impl FnOnce(&Path) -> Result<T, ImportError>,
    ) -> Option<Result<(T, TableRef), ImportError>> {
        let Some(doc) = &self.doc else {
            self.notify(Level::Warnung, "Kein Projekt geöffnet.");
            return None;
        };
        let base = doc
            .lp()
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        Some(
            read(path).and_then(|t| {
                crate::init::table_ref(path, None, &base, |_, _| Ok(())).map(|r| (t, r))
            }),
        )
    }

    /// Reads the recipients' table, refers to it in the project and recomputes with it.
    pub(super) fn set_recipients(&mut self, path: &Path) {
        let Some(read) = self.read_referenced(path, |p| {
            crate::import::recipients::read_recipients(p, None)
        }) else {
            return;
        };
        match read {
            Ok((rows, table)) => {
                let n: usize = rows.iter().map(|r| r.count as usize).sum();
                if let Some(doc) = &mut self.doc {
                    doc.set_recipients(rows);
                }
                self.edit_project(None, |p| p.recipients = Some(table));
                self.notify(
                    Level::Erfolg,
                    format!(
                        "Bedarfsgemeinschaften eingelesen: {} aus {}.",
                        crate::fmt::number(n as f64, 0),
                        file_label(path)
                    ),
                );
            }
            Err(e) => self.notify(
                Level::Fehler,
                format!("Bedarfsgemeinschaften nicht eingelesen: {e}"),
            ),
        }
    }

    /// Reads the Gemeinde boundaries (GeoJSON), refers to them in the project (path relative
    /// to the project file, checksum) and recomputes: the map shows them, the contiguity check
    /// uses their shared borders. Unusable features are reported.
    pub(super) fn set_boundaries(&mut self, path: &Path) {
        let Some(read) = self.read_referenced(path, crate::import::boundaries::read_boundaries)
        else {
            return;
        };
        match read {
            Ok((boundaries, table)) => {
                let unusable = boundaries.unusable_message();
                let data = crate::dataset::BoundaryData::new(boundaries);
                let text = format!(
                    "Gemeindegrenzen eingelesen: {} und {} aus gemeinsamen Grenzen aus {}.",
                    crate::fmt::count(data.boundaries.shapes.len(), "Gemeinde", "Gemeinden"),
                    crate::fmt::count(data.neighbours.len(), "Nachbarschaft", "Nachbarschaften"),
                    file_label(path)
                );
                if let Some(doc) = &mut self.doc {
                    doc.set_boundaries(std::sync::Arc::new(data));
                }
                self.edit_project(None, |p| p.boundaries = Some(table));
                self.notify(Level::Erfolg, text);
                if let Some(m) = unusable {
                    self.notify(Level::Warnung, format!("Gemeindegrenzen: {m}"));
                }
            }
            Err(e) => self.notify(
                Level::Fehler,
                format!("Gemeindegrenzen nicht eingelesen: {e}"),
            ),
        }
    }

    /// Starts reloading the data when the sources differ from those the data came from.
    pub(super) fn reload_if_sources_changed(&mut self) {
        let Some(doc) = &self.doc else { return };
        let Some(key) = doc.changed_sources() else {
            self.jobs.cancel(Job::Reload);
            self.reload_key = None;
            return;
        };
        if self.jobs.is_running(Job::Reload) && self.reload_key.as_ref() == Some(&key) {
            return;
        }
        self.reload_key = Some(key.clone());
        let project = doc.project().clone();
        let path = doc.lp().path.clone();
        let work = move |r: &mut Reporter<JobOutcome>| {
            let result = reload_sources(&path, &project, r);
            JobOutcome::Reload { key, result }
        };
        let started = self.jobs.start(
            Job::Reload,
            "kdu-reload",
            "Daten werden neu eingelesen",
            self.generation,
            self.ctx.clone(),
            work,
        );
        if let Err(e) = started {
            self.notify(Level::Fehler, e);
        }
    }

    /// Data were reloaded for the sources `key`: takes them over unless the sources changed
    /// again meanwhile; fills in the checksums of new sources as a [`ProjectPatch`].
    pub(super) fn reloaded(&mut self, key: Vec<SourceSpec>, result: ReloadResult) {
        let Some(doc) = &mut self.doc else { return };
        if !doc.sources_are(&key) {
            // The sources changed again meanwhile; a newer reload follows.
            return;
        }
        match result {
            Ok(loaded) => {
                let (data, warnings, prep) = *loaded;
                let records = data.records.len();
                let rejected = data.rejections.len();
                let patch = ProjectPatch::checksums(&doc.project().sources, &data);
                self.apply_patch(&patch);
                if let Some(doc) = &mut self.doc {
                    doc.set_data(key, data, warnings.clone(), prep);
                }
                self.generation += 1;
                self.fix_selection();
                self.update_panic_snapshot();
                self.notify(
                    Level::Erfolg,
                    format!(
                        "Daten eingelesen: {} Datensätze übernommen, {} Zeilen abgelehnt.",
                        crate::fmt::number(records as f64, 0),
                        crate::fmt::number(rejected as f64, 0)
                    ),
                );
                for w in warnings {
                    self.notify(Level::Warnung, w);
                }
            }
            Err(e) => {
                doc.set_data_key(key);
                self.notify(
                    Level::Fehler,
                    format!(
                        "Die Daten konnten nicht eingelesen werden: {e} – Die Änderung der Quellen lässt sich mit Strg+Z rückgängig machen."
                    ),
                );
            }
        }
    }
}
