//! Ephemeral UI state: text typed into fields, filters, the open dialogs. This is view state
//! like egui's own widget memory; it never changes the project (that goes through commands).

use super::state::ScenarioRef;
use crate::export::Variant;
use crate::model::Reason;
use std::path::PathBuf;

/// Which file dialog the UI asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialogRequest {
    /// Pick a project file to open.
    OpenProject,
    /// Choose where a new project file goes.
    NewProject,
    /// Choose the export target.
    ExportTarget,
}

/// Field contents and view settings of all screens.
#[derive(Debug, Clone)]
pub struct Forms {
    /// Path typed into the "open project" field.
    pub open_path: String,
    /// Move the keyboard focus to the open field (Ctrl+O).
    pub focus_open: bool,
    /// New project: name.
    pub new_name: String,
    /// New project: Stichtag as typed.
    pub new_stichtag: String,
    /// New project: project file.
    pub new_path: String,
    /// Rejected rows: reason filter.
    pub rejection_reason: Option<Reason>,
    /// Rejected rows: source filter (index).
    pub rejection_source: Option<u16>,
    /// Gemeinde table: text filter.
    pub gemeinde_filter: String,
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
    /// File dialogs are available (off in tests).
    pub dialogs_enabled: bool,
    /// A dialog the UI asked for this frame.
    pub dialog_request: Option<DialogRequest>,
    /// Show the parameter justification fields.
    pub show_justifications: bool,
}

impl Default for Forms {
    fn default() -> Self {
        Forms {
            open_path: String::new(),
            focus_open: false,
            new_name: String::new(),
            new_stichtag: String::new(),
            new_path: String::new(),
            rejection_reason: None,
            rejection_source: None,
            gemeinde_filter: String::new(),
            scenario_name: String::new(),
            compare_a: ScenarioRef::Current,
            compare_b: ScenarioRef::Current,
            export_path: String::new(),
            export_path_for: None,
            export_variant: Variant::Pruefmappe,
            dialogs_enabled: false,
            dialog_request: None,
            show_justifications: true,
        }
    }
}
