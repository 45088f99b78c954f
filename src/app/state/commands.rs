//! What the UI can ask for: the [`Command`]s applied by [`super::AppState::handle`], and the
//! small value types they carry (screens, status messages, the "unsaved changes" question),
//! and how each command is applied.

use super::AppState;
use super::cluster::ClusterEdit;
use super::jobs::Job;
use super::scenarios::ScenarioRef;
use crate::analysis::explore::ExploreTable;
use crate::export::Variant;
use crate::import::mapping::MappingProfile;
use crate::init::UserWohnflaechen;
use crate::model::Date;
use crate::model::catalogue::{self, Value};
use crate::model::params::Parameters;
use crate::model::project::{GemeindeRow, SourceSpec, VergleichsraumSpec};
use std::path::PathBuf;
use std::time::Instant;

/// The screens, in workflow order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Screen {
    /// New/open project, recent projects, sample project.
    Start,
    /// Source register and rejected rows.
    Daten,
    /// The records as a pivot table (statistics per Gemeinde, size class, …).
    Datenexplorer,
    /// Gemeinde table, mapping and justification per Vergleichsraum.
    Vergleichsraeume,
    /// All parameters with tooltips and justifications.
    Parameter,
    /// Limit table, warnings and plots.
    Ergebnisse,
    /// Named parameter sets and their comparison.
    Szenarien,
    /// The Schlüssigkeitsprüfung to work through.
    Pruefung,
    /// Workbook export.
    Export,
}

impl Screen {
    /// All screens in navigation order.
    pub const ALL: [Screen; 9] = [
        Screen::Start,
        Screen::Daten,
        Screen::Datenexplorer,
        Screen::Vergleichsraeume,
        Screen::Parameter,
        Screen::Ergebnisse,
        Screen::Szenarien,
        Screen::Pruefung,
        Screen::Export,
    ];

    /// German title (also the label of the navigation entry).
    pub fn title(self) -> &'static str {
        match self {
            Screen::Start => "Start",
            Screen::Daten => "Daten",
            Screen::Datenexplorer => "Datenexplorer",
            Screen::Vergleichsraeume => "Vergleichsräume",
            Screen::Parameter => "Parameter",
            Screen::Ergebnisse => "Ergebnisse",
            Screen::Szenarien => "Szenarien",
            Screen::Pruefung => "Prüfung",
            Screen::Export => "Export",
        }
    }
}

/// Severity of a status message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Neutral information.
    Info,
    /// Something finished successfully.
    Erfolg,
    /// Needs attention.
    Warnung,
    /// Something failed.
    Fehler,
}

/// A German status message for the status bar.
#[derive(Debug, Clone)]
pub struct Message {
    /// Severity.
    pub level: Level,
    /// German text.
    pub text: String,
    /// When it was raised.
    pub at: Instant,
}

/// What to do after the user answered the "unsaved changes" question.
#[derive(Debug, Clone, PartialEq)]
pub enum PendingAction {
    /// Close the window.
    CloseWindow,
    /// Open another project.
    Open(PathBuf),
    /// Create a new project.
    New(NewProject),
}

/// What a new project starts with.
#[derive(Debug, Clone, PartialEq)]
pub struct NewProject {
    /// Name.
    pub name: String,
    /// Stichtag.
    pub stichtag: Date,
    /// Project file.
    pub path: PathBuf,
    /// Land code (`NW`, `RP`, …): its Wohnflächen are taken.
    pub land: String,
    /// The user's Wohnflächen, required where the Land has no usable preset
    /// ([`crate::init::needs_user_wohnflaechen`]).
    pub wohnflaechen: Option<UserWohnflaechen>,
}

/// The answer in the "unsaved changes" dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PendingChoice {
    /// Save, then continue.
    Speichern,
    /// Continue without saving.
    Verwerfen,
    /// Do nothing.
    Abbrechen,
}

/// Everything the UI can ask for. Applied by [`AppState::handle`] only.
#[must_use]
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Show a screen.
    Navigate(Screen),
    /// Select the cell (Vergleichsraum index, household size) for the detail plots.
    SelectCell {
        /// Vergleichsraum index.
        vr: usize,
        /// Household size (1-based).
        household_size: u32,
    },
    /// Replace the parameters. `key` names the parameter edited (undo merging, messages).
    SetParameters {
        /// New parameters.
        params: Box<Parameters>,
        /// Parameter key, e.g. `reference.percentile`.
        key: &'static str,
    },
    /// Set one parameter by its dotted path (the intent form of [`Command::SetParameters`]).
    /// `value` is written as for `--set` (`0.4`, `trim`); an unknown path or an invalid value
    /// is refused with a German message and changes nothing.
    SetParam {
        /// Parameter path of the catalogue, e.g. `reference.percentile`.
        path: &'static str,
        /// The new value.
        value: Value,
    },
    /// Set the justification text of a parameter key.
    SetJustification {
        /// Parameter key.
        key: String,
        /// Text.
        text: String,
    },
    /// Set the justification text of a Vergleichsraum.
    SetVrJustification {
        /// Vergleichsraum name.
        vr: String,
        /// Text.
        text: String,
    },
    /// Mark a Vergleichsraum as without valid concept (the WoGG fallback applies).
    SetVrFallback {
        /// Vergleichsraum name.
        vr: String,
        /// Fallback on.
        on: bool,
    },
    /// Assign a Gemeinde (row index of the Gemeinde table) to a Vergleichsraum.
    AssignGemeinde {
        /// Row index.
        index: usize,
        /// Vergleichsraum name ("" = none).
        vr: String,
    },
    /// Undo the last project change.
    Undo,
    /// Redo.
    Redo,
    /// Save the project file (atomic).
    Save,
    /// Create and save a new empty project with the Wohnflächen of its Land.
    NewProject(Box<NewProject>),
    /// Load a project in the background.
    OpenProject(PathBuf),
    /// Cancel a running load.
    CancelLoad,
    /// Restore the recovery copy.
    RestoreRecovery,
    /// Delete the recovery copy.
    DiscardRecovery,
    /// Save the current parameters as a scenario.
    SaveScenario(String),
    /// Take over a scenario's parameters (undoable).
    ApplyScenario(usize),
    /// Delete a scenario.
    DeleteScenario(usize),
    /// Compare two scenarios.
    Compare {
        /// Left.
        a: ScenarioRef,
        /// Right.
        b: ScenarioRef,
    },
    /// Write the workbook in the background.
    StartExport {
        /// Target file.
        path: PathBuf,
        /// Variant.
        kind: Variant,
    },
    /// Stop waiting for a running export.
    CancelExport,
    /// Write a Datenexplorer table (CSV for `.csv`/`.txt`, else Excel).
    WriteExploreTable {
        /// The table as shown.
        table: Box<ExploreTable>,
        /// Target file.
        path: PathBuf,
    },
    /// Open a folder in the file manager.
    OpenFolder(PathBuf),
    /// Answer the "unsaved changes" question.
    ResolvePending(PendingChoice),
    /// Remove the current status message.
    DismissMessage,
    /// Show a message (from UI validation).
    Notify(Level, String),
    /// Read the first rows of a file for the "Quelle hinzufügen" dialog (in the background).
    PreviewSource {
        /// The file.
        path: PathBuf,
        /// Sheet (`None` = first sheet / CSV).
        sheet: Option<String>,
    },
    /// Close the source preview.
    ClosePreview,
    /// Add a source (or replace source `replace`) and save its mapping as a profile, as one
    /// undoable step; the data are then reloaded in the background.
    AddSource {
        /// The source.
        spec: Box<SourceSpec>,
        /// Mapping profile to save (replaces one with the same signature).
        profile: Option<MappingProfile>,
        /// Index of the source being edited, `None` = append.
        replace: Option<usize>,
    },
    /// Remove a source (undoable); the data are reloaded.
    RemoveSource(usize),
    /// Replace the Gemeinde table by the one read from a file (undoable).
    ImportGemeinden(PathBuf),
    /// Read the recipients' table (Wirkungsanalyse) and refer to it in the project.
    SetRecipients(PathBuf),
    /// Read the indicator table of the cluster analysis and refer to it in `[cluster]`.
    SetClusterIndicators(PathBuf),
    /// Change a setting of the cluster analysis (its proposal is stored with it).
    EditCluster(ClusterEdit),
    /// Form Vergleichsräume from the clusters of the current proposal (one undo step).
    ApplyClusterProposal,
    /// Read the Gemeinde boundaries (GeoJSON) and refer to them in the project (map,
    /// contiguity).
    SetBoundaries(PathBuf),
    /// Create a Vergleichsraum by name (it can then be assigned to Gemeinden).
    AddVergleichsraum(String),
    /// Rename a Vergleichsraum everywhere the project names it.
    RenameVergleichsraum {
        /// Current name.
        from: String,
        /// New name.
        to: String,
    },
    /// Append an empty Gemeinde row.
    AddGemeinde,
    /// Remove a Gemeinde row.
    RemoveGemeinde(usize),
    /// Replace a Gemeinde row (inline editing; consecutive edits of a row merge).
    UpdateGemeinde {
        /// Row index.
        index: usize,
        /// New content.
        row: Box<GemeindeRow>,
    },
}

impl AppState {
    /// Applies one command (called by [`AppState::handle`]).
    pub(super) fn apply(&mut self, cmd: Command) {
        match cmd {
            Command::Navigate(screen) => self.screen = screen,
            Command::SelectCell { vr, household_size } => {
                self.selected = Some((vr, household_size));
            }
            Command::SetParameters { params, key } => {
                self.edit_project(Some(key.to_string()), |p| p.parameters = *params);
            }
            Command::SetParam { path, value } => self.set_param(path, value),
            Command::SetJustification { key, text } => {
                let merge = format!("begruendung:{key}");
                self.edit_project(Some(merge), |p| {
                    if text.trim().is_empty() {
                        p.justifications.remove(&key);
                    } else {
                        p.justifications.insert(key, text);
                    }
                });
            }
            Command::SetVrJustification { vr, text } => {
                let merge = format!("vr-begruendung:{vr}");
                self.edit_project(Some(merge), |p| {
                    if let Some(spec) = p.vergleichsraeume.iter_mut().find(|v| v.name == vr) {
                        spec.begruendung = text;
                    } else {
                        p.vergleichsraeume.push(VergleichsraumSpec {
                            name: vr,
                            begruendung: text,
                            ohne_konzept: false,
                        });
                    }
                });
            }
            Command::SetVrFallback { vr, on } => {
                self.edit_project(None, |p| {
                    if let Some(spec) = p.vergleichsraeume.iter_mut().find(|v| v.name == vr) {
                        spec.ohne_konzept = on;
                    } else {
                        p.vergleichsraeume.push(VergleichsraumSpec {
                            name: vr,
                            begruendung: String::new(),
                            ohne_konzept: on,
                        });
                    }
                });
            }
            Command::AssignGemeinde { index, vr } => {
                self.edit_project(None, |p| {
                    if let Some(g) = p.gemeinden.get_mut(index) {
                        g.vergleichsraum = vr;
                    }
                });
            }
            Command::Undo => self.step_history(true),
            Command::Redo => self.step_history(false),
            Command::Save => {
                self.save();
            }
            Command::NewProject(spec) => {
                if self.is_dirty() {
                    self.pending = Some(PendingAction::New(*spec));
                } else {
                    self.new_project(&spec);
                }
            }
            Command::OpenProject(path) => {
                if self.is_dirty() {
                    self.pending = Some(PendingAction::Open(path));
                } else {
                    self.start_load(path, None);
                }
            }
            Command::CancelLoad => self.jobs.request_cancel(Job::Load),
            Command::RestoreRecovery => {
                if let Some(copy) = self.recovery_offer.take() {
                    let path = copy.project_path.clone();
                    self.start_load(path, Some(copy.project));
                }
            }
            Command::DiscardRecovery => {
                self.recovery_offer = None;
                if let Some(s) = &self.storage {
                    s.clear_recovery();
                }
                self.notify(Level::Info, "Wiederherstellungskopie verworfen.");
            }
            Command::SaveScenario(name) => self.save_scenario(&name),
            Command::ApplyScenario(i) => {
                if let Some(s) = self.scenarios().get(i).cloned() {
                    self.edit_project(None, |p| p.parameters = s.parameters);
                    self.notify(Level::Info, format!("Szenario „{}“ übernommen.", s.name));
                }
            }
            Command::DeleteScenario(i) => {
                if i < self.scenarios().len() {
                    self.edit_project(None, |p| {
                        p.scenarios.remove(i);
                    });
                    self.comparison = None;
                }
            }
            Command::Compare { a, b } => self.compare(a, b),
            Command::StartExport { path, kind } => self.start_export(path, kind),
            Command::CancelExport => {
                if self.jobs.cancel(Job::Export) {
                    self.notify(
                        Level::Warnung,
                        "Export abgebrochen. Eine bereits begonnene Datei wird eventuell noch fertig geschrieben.",
                    );
                }
            }
            Command::WriteExploreTable { table, path } => {
                use crate::analysis::explore::write::{TableFormat, write_table};
                match write_table(&table, &path, TableFormat::of_path(&path)) {
                    Ok(()) => self.notify(
                        Level::Erfolg,
                        format!("Tabelle geschrieben: {}", path.display()),
                    ),
                    Err(e) => self.notify(Level::Fehler, e.to_string()),
                }
            }
            Command::OpenFolder(path) => self.open_folder(&path),
            Command::ResolvePending(choice) => self.resolve_pending(choice),
            Command::DismissMessage => {
                self.messages.pop();
            }
            Command::Notify(level, text) => self.notify(level, text),
            Command::PreviewSource { path, sheet } => self.start_preview(path, sheet),
            Command::ClosePreview => {
                self.jobs.cancel(Job::Preview);
                self.source_preview = None;
            }
            Command::AddSource {
                spec,
                profile,
                replace,
            } => self.add_source(*spec, profile, replace),
            Command::RemoveSource(index) => {
                let name = self
                    .project()
                    .and_then(|p| p.sources.get(index))
                    .map(|s| s.path.clone());
                if let Some(name) = name {
                    self.edit_project(None, |p| {
                        p.sources.remove(index);
                    });
                    self.notify(
                        Level::Info,
                        format!("Quelle „{name}“ entfernt (rückgängig mit Strg+Z)."),
                    );
                }
            }
            Command::ImportGemeinden(path) => self.import_gemeinden(&path),
            Command::SetRecipients(path) => self.set_recipients(&path),
            Command::SetClusterIndicators(path) => self.set_cluster_indicators(&path),
            Command::EditCluster(edit) => self.edit_cluster(edit),
            Command::ApplyClusterProposal => self.apply_cluster_proposal(),
            Command::SetBoundaries(path) => self.set_boundaries(&path),
            Command::AddVergleichsraum(name) => {
                let name = name.trim().to_string();
                let exists = self
                    .project()
                    .is_some_and(|p| p.vergleichsraum_names().contains(&name));
                if name.is_empty() {
                    self.notify(
                        Level::Warnung,
                        "Bitte einen Namen für den Vergleichsraum angeben.",
                    );
                } else if exists {
                    self.notify(
                        Level::Warnung,
                        format!("Den Vergleichsraum „{name}“ gibt es schon."),
                    );
                } else {
                    self.edit_project(None, |p| {
                        p.vergleichsraeume.push(VergleichsraumSpec {
                            name,
                            begruendung: String::new(),
                            ohne_konzept: false,
                        });
                    });
                }
            }
            Command::RenameVergleichsraum { from, to } => {
                let to = to.trim().to_string();
                let exists = self
                    .project()
                    .is_some_and(|p| p.vergleichsraum_names().contains(&to));
                if to.is_empty() {
                    self.notify(Level::Warnung, "Bitte den neuen Namen angeben.");
                } else if exists {
                    // Includes renaming to the same name: nothing to do but say so.
                    self.notify(
                        Level::Warnung,
                        format!("Den Vergleichsraum „{to}“ gibt es schon."),
                    );
                } else {
                    self.edit_project(None, |p| p.rename_vergleichsraum(&from, &to));
                    self.notify(
                        Level::Erfolg,
                        format!(
                            "Vergleichsraum „{from}“ heißt jetzt „{to}“ (Gemeinden, Begründung und Parameter übernommen)."
                        ),
                    );
                }
            }
            Command::AddGemeinde => self.edit_project(None, |p| {
                p.gemeinden.push(GemeindeRow {
                    ags: String::new(),
                    name: "Neue Gemeinde".to_string(),
                    vergleichsraum: String::new(),
                    einwohner: None,
                    mietwohnungen: None,
                    mietstufe: None,
                });
            }),
            Command::RemoveGemeinde(index) => self.edit_project(None, |p| {
                if index < p.gemeinden.len() {
                    p.gemeinden.remove(index);
                }
            }),
            Command::UpdateGemeinde { index, row } => {
                self.edit_project(Some(format!("gemeinde:{index}")), |p| {
                    if let Some(g) = p.gemeinden.get_mut(index) {
                        *g = *row;
                    }
                });
            }
        }
    }

    /// Sets one parameter by its path ([`Command::SetParam`]); edits of one path merge into one
    /// undo step.
    fn set_param(&mut self, path: &'static str, value: Value) {
        let Some(current) = self.project().map(|p| &p.parameters) else {
            self.notify(Level::Warnung, "Kein Projekt geöffnet.");
            return;
        };
        let Some(spec) = catalogue::find(path) else {
            self.notify(Level::Fehler, format!("Parameter „{path}“ unbekannt"));
            return;
        };
        let mut params = current.clone();
        let checked = spec.set(&mut params, value).and_then(|()| {
            catalogue::validate(&params)
                .into_iter()
                .next()
                .map_or(Ok(()), Err)
        });
        match checked {
            Ok(()) => self.edit_project(Some(path.to_string()), |p| p.parameters = params),
            Err(e) => self.notify(Level::Fehler, e),
        }
    }
}
