//! Ephemeral UI state: text typed into fields, filters, the open dialogs. This is view state
//! like egui's own widget memory; it never changes the project (that goes through commands).

use super::state::ScenarioRef;
use crate::analysis::explore::{ExploreTable, Explorer, Query};
use crate::export::Variant;
use crate::model::{Field, Reason, SourceKind};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

/// Which file dialog the UI asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialogRequest {
    /// Pick a project file to open.
    OpenProject,
    /// Choose where a new project file goes.
    NewProject,
    /// Choose the export target.
    ExportTarget,
    /// Pick a data file to add as a source.
    SourceFile,
    /// Pick a Gemeinde table to import.
    GemeindeFile,
    /// Pick the recipients' table (Wirkungsanalyse).
    RecipientsFile,
    /// Pick the indicator table of the cluster analysis.
    ClusterFile,
    /// Pick the Gemeinde boundaries (GeoJSON).
    BoundariesFile,
    /// Choose where the explorer table goes.
    ExploreTarget,
}

/// The "Quelle hinzufügen" dialog: the fields the user edits before "Übernehmen".
#[derive(Debug, Clone)]
pub struct SourceForm {
    /// The dialog is shown.
    pub open: bool,
    /// File path as typed.
    pub path: String,
    /// Editing this existing source (index) instead of adding one.
    pub editing: Option<usize>,
    /// The preview (by [`crate::app::AppState::preview_seq`]) the fields were set up for.
    pub seen_preview: u64,
    /// Header row (Excel/CSV line) as typed.
    pub header_line: String,
    /// Header line to take once the next preview arrives (an Excel table was chosen).
    pub pending_header_line: Option<u32>,
    /// The header line the column mapping was set up for.
    pub mapped_line: Option<u32>,
    /// Field per column (`None` = not used).
    pub columns: Vec<Option<Field>>,
    /// Money fields whose column holds amounts per year (divided by 12 on import).
    pub annual: BTreeSet<Field>,
    /// Source kind.
    pub kind: SourceKind,
    /// Stichtag as typed.
    pub stichtag: String,
    /// Start of the collection window as typed.
    pub von: String,
    /// End of the collection window as typed.
    pub bis: String,
    /// Supplier.
    pub lieferant: String,
    /// Collection method.
    pub methode: String,
    /// Note about a reused mapping profile.
    pub profile_note: Option<String>,
    /// Name of the mapping profile to save.
    pub profile_name: String,
}

impl Default for SourceForm {
    fn default() -> Self {
        SourceForm {
            open: false,
            path: String::new(),
            editing: None,
            seen_preview: 0,
            header_line: String::new(),
            pending_header_line: None,
            mapped_line: None,
            columns: Vec::new(),
            annual: BTreeSet::new(),
            kind: SourceKind::Bestand,
            stichtag: String::new(),
            von: String::new(),
            bis: String::new(),
            lieferant: String::new(),
            methode: String::new(),
            profile_note: None,
            profile_name: String::new(),
        }
    }
}

/// The Datenexplorer screen: the query being built, the export target and the cached result.
#[derive(Debug, Clone, Default)]
pub struct ExploreForm {
    /// Dimensions, statistics, value, filter and record choice.
    pub query: Query,
    /// Export target as typed.
    pub path: String,
    /// The project file the target was suggested for.
    pub path_for: Option<PathBuf>,
    /// The explorer of the open project and its last answer (see [`ExploreCache`]).
    pub cache: Option<ExploreCache>,
}

/// The explorer's key columns and the last result, for (load generation, project generation):
/// a frame does not recompute an unchanged query.
#[derive(Debug, Clone)]
pub struct ExploreCache {
    /// (load generation, project generation) the explorer was built for.
    pub generation: (u64, u64),
    /// The key and value columns of the project's records, or the German error.
    pub explorer: Result<Arc<Explorer>, String>,
    /// The last query answered and its table (or the German error).
    pub answer: Option<(Query, Result<ExploreTable, String>)>,
}

/// Field contents and view settings of all screens.
#[derive(Debug, Clone)]
pub struct Forms {
    /// Path typed into the "open project" field.
    pub open_path: String,
    /// The open project the field was last set to (it follows the open project).
    pub open_path_for: Option<PathBuf>,
    /// Move the keyboard focus to the open field (Ctrl+O).
    pub focus_open: bool,
    /// New project: name.
    pub new_name: String,
    /// New project: Stichtag as typed.
    pub new_stichtag: String,
    /// New project: project file.
    pub new_path: String,
    /// New project: Land code (its Wohnflächen are taken).
    pub new_land: Option<String>,
    /// New project: Wohnflächen typed for a Land without usable preset (1–5 persons, then per
    /// further person).
    pub new_areas: [String; 6],
    /// New project: where the typed Wohnflächen come from.
    pub new_areas_source: String,
    /// The Land `new_areas` were filled in for.
    pub new_areas_for: Option<String>,
    /// Rejected rows: reason filter.
    pub rejection_reason: Option<Reason>,
    /// Rejected rows: source filter (index).
    pub rejection_source: Option<u16>,
    /// Gemeinde table: text filter.
    pub gemeinde_filter: String,
    /// Name typed for a new Vergleichsraum.
    pub new_vergleichsraum: String,
    /// „Vergleichsraum umbenennen“: the Vergleichsraum (index into the names) and the new name.
    pub rename_vergleichsraum: (usize, String),
    /// Scenario name being typed.
    pub scenario_name: String,
    /// Comparison: left side.
    pub compare_a: ScenarioRef,
    /// Comparison: right side.
    pub compare_b: ScenarioRef,
    /// Export target as typed.
    pub export_path: String,
    /// The project file the export path was suggested for.
    pub export_path_for: Option<PathBuf>,
    /// Export variant.
    pub export_variant: Variant,
    /// The Prüfung screen shows only open points.
    pub checks_open_only: bool,
    /// The user confirmed publishing although the Schlüssigkeitsprüfung has open errors.
    pub export_despite_errors: bool,
    /// File dialogs are available (off in tests).
    pub dialogs_enabled: bool,
    /// A dialog the UI asked for this frame.
    pub dialog_request: Option<DialogRequest>,
    /// Show the parameter justification fields.
    pub show_justifications: bool,
    /// The "Quelle hinzufügen" dialog.
    pub source: SourceForm,
    /// Gemeinde table file as typed.
    pub gemeinde_path: String,
    /// Path of the recipients\' table as typed (Wirkungsanalyse).
    pub recipients_path: String,
    /// Path of the Gemeinde boundaries as typed (GeoJSON).
    pub boundaries_path: String,
    /// The map of the Vergleichsräume: colouring and the triangulated shapes.
    pub map: crate::app::map::MapForm,
    /// Asking whether to replace the existing Gemeinde table.
    pub gemeinde_confirm: bool,
    /// The Gemeinde table is shown with input fields.
    pub gemeinde_edit: bool,
    /// Path of the cluster analysis' indicator table as typed.
    pub cluster_path: String,
    /// Asking whether to take the cluster proposal over as Vergleichsräume.
    pub cluster_confirm: bool,
    /// The Datenexplorer screen.
    pub explore: ExploreForm,
}

impl Default for Forms {
    fn default() -> Self {
        Forms {
            open_path: String::new(),
            open_path_for: None,
            focus_open: false,
            new_name: String::new(),
            new_stichtag: String::new(),
            new_path: String::new(),
            new_land: None,
            new_areas: Default::default(),
            new_areas_source: String::new(),
            new_areas_for: None,
            rejection_reason: None,
            rejection_source: None,
            gemeinde_filter: String::new(),
            new_vergleichsraum: String::new(),
            rename_vergleichsraum: (0, String::new()),
            scenario_name: String::new(),
            compare_a: ScenarioRef::Current,
            compare_b: ScenarioRef::Current,
            export_path: String::new(),
            export_path_for: None,
            export_variant: Variant::Pruefmappe,
            export_despite_errors: false,
            checks_open_only: false,
            dialogs_enabled: false,
            dialog_request: None,
            show_justifications: true,
            source: SourceForm::default(),
            gemeinde_path: String::new(),
            recipients_path: String::new(),
            boundaries_path: String::new(),
            map: crate::app::map::MapForm::default(),
            gemeinde_confirm: false,
            gemeinde_edit: false,
            cluster_path: String::new(),
            cluster_confirm: false,
            explore: ExploreForm::default(),
        }
    }
}
