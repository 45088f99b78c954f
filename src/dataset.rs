//! A loaded project: the project file plus every source imported into records and rejections.

use crate::import::recipients::{RecipientRow, read_recipients};
use crate::import::{ImportError, ImportOptions, ImportedSource, Rejection, import_file};
use crate::model::boundaries::Boundaries;
use crate::model::project::TableRef;
use crate::model::{Project, Record, SourceKind};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// All records and rejections of a project, with the source register.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    /// Accepted records of all sources (source index inside each record).
    pub records: Vec<Record>,
    /// Rejected rows of all sources.
    pub rejections: Vec<Rejection>,
    /// The source register (K4), in project order.
    pub sources: Vec<SourceInfo>,
    /// The recipients' current housing costs (Wirkungsanalyse), when the project names a table.
    pub recipients: Option<Vec<RecipientRow>>,
    /// Neighbouring Gemeinden (pairs of AGS), when the project names a list.
    pub neighbours: Option<Vec<(String, String)>>,
    /// The indicator table of the cluster run (`[cluster.indicators]`), when it could be read.
    pub cluster_indicators: Option<crate::import::indicators::IndicatorTable>,
    /// Gemeinde boundaries with the neighbours derived from them, when the project names a
    /// GeoJSON file (shared: the map and every copy of the data use the same).
    pub boundaries: Option<Arc<BoundaryData>>,
}

/// Gemeinde boundaries and the neighbouring pairs derived from their shared borders
/// (`analysis::contiguity`, at the file's default tolerance).
#[derive(Debug, Clone, PartialEq)]
pub struct BoundaryData {
    /// The shapes as read.
    pub boundaries: Boundaries,
    /// Neighbouring pairs (AGS, sorted), the shape of the neighbour list.
    pub neighbours: Vec<(String, String)>,
}

impl BoundaryData {
    /// Derives the neighbours of `boundaries`.
    pub fn new(boundaries: Boundaries) -> BoundaryData {
        let neighbours = crate::analysis::contiguity::rook_neighbours(
            &boundaries.shapes,
            boundaries.default_tolerance(),
        );
        BoundaryData {
            boundaries,
            neighbours,
        }
    }
}

/// One entry of the source register.
#[derive(Debug, Clone, Serialize)]
pub struct SourceInfo {
    /// Import result without the records.
    #[serde(flatten)]
    pub import: ImportedSource,
    /// Supplier.
    pub lieferant: String,
    /// Collection method.
    pub methode: String,
    /// Stichtag / window text in German.
    pub zeitraum: String,
    /// Accepted rows.
    pub accepted: usize,
    /// Accepted rows by their kind (a Datenart column gives each row its own kind).
    #[serde(skip)]
    pub kinds: BTreeMap<SourceKind, usize>,
}

impl SourceInfo {
    /// The kinds of the accepted rows in German: one kind's name, or `gemischt: …` with the
    /// count of each kind ([`SourceKind::summary_german`]).
    pub fn kinds_german(&self) -> String {
        SourceKind::summary_german(self.import.kind, &self.kinds)
    }
}

/// A project with its data loaded.
#[derive(Debug, Clone)]
pub struct LoadedProject {
    /// Where the project file lives (sources are relative to it).
    pub path: PathBuf,
    /// The project.
    pub project: Project,
    /// Its data.
    pub data: Dataset,
    /// Warnings in German (changed source files, …).
    pub warnings: Vec<String>,
}

/// Errors while loading a project with its sources.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The project file.
    #[error(transparent)]
    Project(#[from] crate::model::project::ProjectError),
    /// A source file.
    #[error("Quelle {index} ({file}): {source}")]
    Source {
        /// 1-based source number.
        index: usize,
        /// File as written in the project.
        file: String,
        /// The import error.
        source: ImportError,
    },
    /// A referenced table (recipients, neighbours, boundaries).
    #[error("{what} ({file}): {source}")]
    Table {
        /// German name of the table.
        what: &'static str,
        /// File as written in the project.
        file: String,
        /// The import error.
        source: ImportError,
    },
}

impl LoadedProject {
    /// Loads the project file and imports all sources. `progress(source_index, done, total)`
    /// returning false cancels.
    pub fn load(
        path: &Path,
        progress: &mut dyn FnMut(usize, u64, u64) -> bool,
    ) -> Result<LoadedProject, LoadError> {
        let project = Project::load(path)?;
        let (data, warnings) = load_sources(path, &project, progress)?;
        Ok(LoadedProject {
            path: path.to_path_buf(),
            project,
            data,
            warnings,
        })
    }
}

/// Imports every source of `project` (paths relative to `project_file`).
pub fn load_sources(
    project_file: &Path,
    project: &Project,
    progress: &mut dyn FnMut(usize, u64, u64) -> bool,
) -> Result<(Dataset, Vec<String>), LoadError> {
    let mut data = Dataset::default();
    let mut warnings = Vec::new();
    for (i, spec) in project.sources.iter().enumerate() {
        let path = Project::source_path(project_file, spec);
        let mut opts = ImportOptions::new(spec.kind);
        opts.sheet = spec.sheet.clone();
        opts.header_line = spec.header_row;
        opts.mapping = (!spec.mapping.is_empty()).then(|| spec.mapping.clone());
        opts.annual = spec.annual.clone();
        opts.source_index = u16::try_from(i).unwrap_or(u16::MAX);
        opts.plausibility = project.parameters.plausibility.clone();
        let imported =
            import_file(&path, &opts, &mut |d, t| progress(i, d, t)).map_err(|source| {
                LoadError::Source {
                    index: i + 1,
                    file: spec.path.clone(),
                    source,
                }
            })?;
        if !spec.sha256.is_empty() && spec.sha256 != imported.sha256 {
            warnings.push(format!(
                "Die Datei „{}“ hat sich seit dem Speichern des Projekts geändert (SHA-256 gespeichert {}, jetzt {}). Ergebnisse können von früheren Auswertungen abweichen.",
                spec.path, spec.sha256, imported.sha256
            ));
        }
        let mut imported = imported;
        let records = std::mem::take(&mut imported.records);
        data.rejections.extend(imported.rejections.iter().cloned());
        let zeitraum = match (spec.zeitraum_von, spec.zeitraum_bis, spec.stichtag) {
            (Some(a), Some(b), _) => format!("{} bis {}", a.german(), b.german()),
            (_, _, Some(s)) => format!("Stichtag {}", s.german()),
            _ => "nicht angegeben".to_string(),
        };
        let mut kinds = BTreeMap::new();
        for r in &records {
            *kinds.entry(r.kind).or_insert(0) += 1;
        }
        data.sources.push(SourceInfo {
            accepted: records.len(),
            kinds,
            import: imported,
            lieferant: spec.lieferant.clone(),
            methode: spec.methode.clone(),
            zeitraum,
        });
        data.records.extend(records);
    }
    if let Some(t) = &project.recipients {
        data.recipients = Some(load_table(
            project_file,
            t,
            "Leistungsbezieher-Tabelle",
            &mut warnings,
            read_recipients,
        )?);
    }
    if let Some(t) = &project.neighbours {
        data.neighbours = Some(load_table(
            project_file,
            t,
            "Nachbarschaftsliste",
            &mut warnings,
            crate::import::neighbours::read_neighbours,
        )?);
    }
    if let Some(t) = project.cluster.as_ref().and_then(|c| c.indicators.as_ref()) {
        // The stored proposal stays usable without the file: a warning, not a load error.
        match load_table(
            project_file,
            t,
            "Indikatortabelle",
            &mut warnings,
            crate::import::indicators::read_indicators,
        ) {
            Ok(table) => data.cluster_indicators = Some(table),
            Err(e) => warnings.push(format!(
                "{e} – Die Clusteranalyse zeigt nur den gespeicherten Vorschlag."
            )),
        }
    }
    if let Some(t) = &project.boundaries {
        let b = load_table(project_file, t, "Gemeindegrenzen", &mut warnings, |p, _| {
            crate::import::boundaries::read_boundaries(p)
        })?;
        if let Some(m) = b.unusable_message() {
            warnings.push(format!("Gemeindegrenzen „{}“: {m}", t.path));
        }
        data.boundaries = Some(Arc::new(BoundaryData::new(b)));
    }
    Ok((data, warnings))
}

/// Reads a referenced table and warns when its checksum changed since the project was saved.
fn load_table<T>(
    project_file: &Path,
    table: &TableRef,
    what: &'static str,
    warnings: &mut Vec<String>,
    read: impl Fn(&Path, Option<&str>) -> Result<T, ImportError>,
) -> Result<T, LoadError> {
    let path = Project::table_path(project_file, table);
    let err = |source| LoadError::Table {
        what,
        file: table.path.clone(),
        source,
    };
    let value = read(&path, table.sheet.as_deref()).map_err(err)?;
    let sha = crate::import::file_sha256(&path).map_err(err)?;
    if !table.sha256.is_empty() && table.sha256 != sha {
        warnings.push(format!(
            "Die Datei „{}“ ({what}) hat sich seit dem Speichern des Projekts geändert (SHA-256 gespeichert {}, jetzt {sha}).",
            table.path, table.sha256
        ));
    }
    Ok(value)
}
