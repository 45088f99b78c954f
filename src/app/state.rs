//! The app state and the one place where it changes: [`AppState::handle`].
//!
//! UI functions read the state and push [`Command`]s; `handle` applies them at the end of the
//! frame. Every change of the project (parameters, Gemeinde mapping, justification texts) goes
//! through [`AppState::edit_project`], which records an undo snapshot, bumps the generation
//! counter and recomputes: a new [`Prepared`] only when the scope changed
//! ([`Prepared::is_stale`]), otherwise only [`compute`].

use super::recovery::{PanicSnapshot, RecoveryCopy, Storage};
use super::source_import::{SourcePreview, read_preview};
use super::tasks::{Reporter, Task};
use crate::analysis::compute::{Analysis, compute};
use crate::analysis::prepare::Prepared;
use crate::dataset::{Dataset, LoadedProject};
use crate::export::Variant;
use crate::import::mapping::MappingProfile;
use crate::model::params::Parameters;
use crate::model::project::{GemeindeRow, Scenario, SourceSpec};
use crate::model::{Date, Project};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Undo steps kept.
const UNDO_LIMIT: usize = 200;
/// Consecutive edits of the same parameter within this window form one undo step
/// (a slider drag, a burst of key presses, typing a justification).
const MERGE_WINDOW: Duration = Duration::from_millis(1500);
/// Interval of the recovery copy while there are unsaved changes.
pub const AUTOSAVE_INTERVAL: Duration = Duration::from_secs(60);

/// The screens, in workflow order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Screen {
    /// New/open project, recent projects, sample project.
    Start,
    /// Source register and rejected rows.
    Daten,
    /// Gemeinde table, mapping and justification per Vergleichsraum.
    Vergleichsraeume,
    /// All parameters with tooltips and justifications.
    Parameter,
    /// Limit table, warnings and plots.
    Ergebnisse,
    /// Named parameter sets and their comparison.
    Szenarien,
    /// Workbook export.
    Export,
}

impl Screen {
    /// All screens in navigation order.
    pub const ALL: [Screen; 7] = [
        Screen::Start,
        Screen::Daten,
        Screen::Vergleichsraeume,
        Screen::Parameter,
        Screen::Ergebnisse,
        Screen::Szenarien,
        Screen::Export,
    ];

    /// German title (also the label of the navigation entry).
    pub fn title(self) -> &'static str {
        match self {
            Screen::Start => "Start",
            Screen::Daten => "Daten",
            Screen::Vergleichsraeume => "Vergleichsräume",
            Screen::Parameter => "Parameter",
            Screen::Ergebnisse => "Ergebnisse",
            Screen::Szenarien => "Szenarien",
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

/// Takes the result of a finished task out of its slot (polling, or waiting up to `wait`), with
/// the generation the task was started for.
fn take_finished<T: Send + 'static>(
    slot: &mut Option<Task<T>>,
    wait: Option<Duration>,
) -> Option<(Result<T, String>, u64)> {
    let task = slot.as_mut()?;
    let result = match wait {
        Some(timeout) => task.wait(timeout),
        None => task.poll(),
    }?;
    let generation = task.generation;
    *slot = None;
    Some((result, generation))
}

/// One side of a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScenarioRef {
    /// The parameters currently in the project.
    Current,
    /// A saved scenario by index.
    Saved(usize),
}

/// The figures of one cell compared between scenarios.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CellFigures {
    /// Records used.
    pub n: usize,
    /// NKM €/m².
    pub net_rent_per_m2: Option<f64>,
    /// Bruttokaltmiete limit €.
    pub gross_cold: Option<f64>,
}

/// One row of a scenario comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct ComparisonRow {
    /// Vergleichsraum.
    pub vergleichsraum: String,
    /// Household size.
    pub household_size: u32,
    /// Scenario A.
    pub a: Option<CellFigures>,
    /// Scenario B.
    pub b: Option<CellFigures>,
}

/// Two scenarios side by side.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// Left side.
    pub a: ScenarioRef,
    /// Right side.
    pub b: ScenarioRef,
    /// Name of A.
    pub a_name: String,
    /// Name of B.
    pub b_name: String,
    /// Rows, cells of both in order of A, then cells only in B.
    pub rows: Vec<ComparisonRow>,
}

/// What to do after the user answered the "unsaved changes" question.
#[derive(Debug, Clone, PartialEq)]
pub enum PendingAction {
    /// Close the window.
    CloseWindow,
    /// Open another project.
    Open(PathBuf),
    /// Create a new project.
    New {
        /// Name.
        name: String,
        /// Stichtag.
        stichtag: Date,
        /// Project file.
        path: PathBuf,
    },
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
    /// Create and save a new empty project.
    NewProject {
        /// Name.
        name: String,
        /// Stichtag.
        stichtag: Date,
        /// Project file.
        path: PathBuf,
    },
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

/// A loaded project with its prepared state and the current analysis.
pub struct Document {
    /// Project and data.
    pub lp: LoadedProject,
    /// Sorted cells etc. for the current scope.
    pub prep: Prepared,
    /// Result of the current parameters.
    pub analysis: Analysis,
    /// The project as last saved (dirty = differs).
    saved: Project,
    /// Duration of the last recomputation.
    pub compute_time: Duration,
    /// The sources the data were loaded for ([`sources_key`]).
    data_key: Vec<SourceSpec>,
}

/// The sources as far as they decide the loaded data (the stored checksum does not).
fn sources_key(sources: &[SourceSpec]) -> Vec<SourceSpec> {
    sources
        .iter()
        .map(|s| SourceSpec {
            sha256: String::new(),
            ..s.clone()
        })
        .collect()
}

/// Data reloaded after the sources changed.
pub struct ReloadOutcome {
    /// The sources the data were loaded for.
    key: Vec<SourceSpec>,
    /// Data, warnings and the prepared state, or a German error.
    result: Result<Box<(Dataset, Vec<String>, Prepared)>, String>,
}

/// Result of reading a source preview.
pub type PreviewOutcome = Result<SourcePreview, String>;

impl Document {
    /// Prepares and computes a loaded project.
    pub fn new(lp: LoadedProject) -> Document {
        let start = Instant::now();
        let prep = Prepared::new(&lp.data.records, &lp.project);
        let analysis = compute(&prep, &lp.project, &lp.data);
        let saved = lp.project.clone();
        let data_key = sources_key(&lp.project.sources);
        Document {
            lp,
            prep,
            analysis,
            saved,
            compute_time: start.elapsed(),
            data_key,
        }
    }

    /// The project.
    pub fn project(&self) -> &Project {
        &self.lp.project
    }

    /// True when the project differs from the saved file.
    pub fn is_dirty(&self) -> bool {
        self.lp.project != self.saved
    }

    fn recompute(&mut self) {
        let start = Instant::now();
        if self.prep.is_stale(&self.lp.project) {
            self.prep = Prepared::new(&self.lp.data.records, &self.lp.project);
        }
        self.analysis = compute(&self.prep, &self.lp.project, &self.lp.data);
        self.compute_time = start.elapsed();
    }
}

/// Result of a background load.
pub struct LoadOutcome {
    /// The document, or a German error.
    pub result: Result<Box<Document>, String>,
    /// The document comes from the recovery copy (unsaved).
    pub recovered: bool,
}

/// Result of a background export.
pub type ExportOutcome = Result<PathBuf, String>;

/// Everything the app knows. Changed only by [`AppState::handle`] and the task polling.
pub struct AppState {
    /// The open project, if any.
    pub doc: Option<Document>,
    /// Current screen.
    pub screen: Screen,
    /// Selected cell: (Vergleichsraum index, household size).
    pub selected: Option<(usize, u32)>,
    /// Status messages, newest last.
    pub messages: Vec<Message>,
    /// Running load.
    pub load_task: Option<Task<LoadOutcome>>,
    /// Running export.
    pub export_task: Option<Task<ExportOutcome>>,
    /// Running reload of the data after the sources changed.
    pub reload_task: Option<Task<ReloadOutcome>>,
    /// The preview of a file for the "Quelle hinzufügen" dialog (or the German error).
    pub source_preview: Option<PreviewOutcome>,
    /// Counts finished previews (the dialog re-initialises its fields on a new one).
    pub preview_seq: u64,
    /// Running preview read.
    pub preview_task: Option<Task<PreviewOutcome>>,
    /// Kind of the running or last export.
    pub export_kind: Variant,
    /// The last finished export: (file, generation it was made for).
    pub last_export: Option<(PathBuf, u64)>,
    /// The current comparison.
    pub comparison: Option<Comparison>,
    /// Waiting for the answer to "unsaved changes".
    pub pending: Option<PendingAction>,
    /// A recovery copy found at start, offered for restore.
    pub recovery_offer: Option<RecoveryCopy>,
    /// The window may close now (the user answered the question).
    pub allow_close: bool,
    /// Generation of the project state: bumped on every change.
    pub generation: u64,
    /// Generation of load requests (stale loads are dropped).
    load_generation: u64,
    reload_generation: u64,
    reload_key: Option<Vec<SourceSpec>>,
    preview_generation: u64,
    undo: Vec<Project>,
    redo: Vec<Project>,
    last_edit: Option<(String, Instant)>,
    close_requested: bool,
    storage: Option<Storage>,
    panic_snapshot: Option<PanicSnapshot>,
    last_recovery_write: Instant,
    ctx: Option<egui::Context>,
    /// Recent project files.
    pub recent: Vec<PathBuf>,
}

impl AppState {
    /// An empty state. `storage` = where recovery copies and the recent list live (`None` in
    /// tests: nothing is written outside the project); `panic_snapshot` is kept up to date for
    /// the panic hook.
    pub fn new(storage: Option<Storage>, panic_snapshot: Option<PanicSnapshot>) -> AppState {
        let recovery_offer = storage.as_ref().and_then(Storage::read_recovery);
        let recent = storage.as_ref().map(Storage::recent).unwrap_or_default();
        AppState {
            doc: None,
            screen: Screen::Start,
            selected: None,
            messages: Vec::new(),
            load_task: None,
            export_task: None,
            reload_task: None,
            source_preview: None,
            preview_seq: 0,
            preview_task: None,
            export_kind: Variant::Pruefmappe,
            last_export: None,
            comparison: None,
            pending: None,
            recovery_offer,
            allow_close: false,
            generation: 0,
            load_generation: 0,
            reload_generation: 0,
            reload_key: None,
            preview_generation: 0,
            undo: Vec::new(),
            redo: Vec::new(),
            last_edit: None,
            close_requested: false,
            storage,
            panic_snapshot,
            last_recovery_write: Instant::now(),
            ctx: None,
            recent,
        }
    }

    /// Remembers the egui context so background tasks can request repaints.
    pub fn set_context(&mut self, ctx: &egui::Context) {
        if self.ctx.is_none() {
            self.ctx = Some(ctx.clone());
        }
    }

    /// The egui context, once known.
    pub fn context(&self) -> Option<egui::Context> {
        self.ctx.clone()
    }

    /// Installs a loaded project (replacing any open one).
    pub fn set_loaded(&mut self, lp: LoadedProject) {
        self.install(Box::new(Document::new(lp)), false);
    }

    /// The open project.
    pub fn project(&self) -> Option<&Project> {
        self.doc.as_ref().map(Document::project)
    }

    /// True when there are unsaved changes.
    pub fn is_dirty(&self) -> bool {
        self.doc.as_ref().is_some_and(Document::is_dirty)
    }

    /// Number of undo / redo steps available.
    pub fn undo_redo_len(&self) -> (usize, usize) {
        (self.undo.len(), self.redo.len())
    }

    /// The newest message.
    pub fn current_message(&self) -> Option<&Message> {
        self.messages.last()
    }

    /// True once the state asks the window to close (after the user answered).
    pub fn take_close_request(&mut self) -> bool {
        std::mem::take(&mut self.close_requested)
    }

    /// The window title.
    pub fn title(&self) -> String {
        match &self.doc {
            Some(doc) => format!(
                "KdU-Konzept – {}{}",
                doc.project().project.name,
                if doc.is_dirty() { " *" } else { "" }
            ),
            None => "KdU-Konzept".to_string(),
        }
    }

    /// Adds a status message.
    pub fn notify(&mut self, level: Level, text: impl Into<String>) {
        self.messages.push(Message {
            level,
            text: text.into(),
            at: Instant::now(),
        });
        if self.messages.len() > 50 {
            self.messages.remove(0);
        }
    }

    /// Applies one command. The only place where the state changes in response to the UI.
    pub fn handle(&mut self, cmd: Command) {
        match cmd {
            Command::Navigate(screen) => self.screen = screen,
            Command::SelectCell { vr, household_size } => {
                self.selected = Some((vr, household_size));
            }
            Command::SetParameters { params, key } => {
                self.edit_project(Some(key.to_string()), |p| p.parameters = *params);
            }
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
                        p.vergleichsraeume
                            .push(crate::model::project::VergleichsraumSpec {
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
                        p.vergleichsraeume
                            .push(crate::model::project::VergleichsraumSpec {
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
            Command::Undo => self.undo(),
            Command::Redo => self.redo(),
            Command::Save => {
                self.save();
            }
            Command::NewProject {
                name,
                stichtag,
                path,
            } => {
                if self.is_dirty() {
                    self.pending = Some(PendingAction::New {
                        name,
                        stichtag,
                        path,
                    });
                } else {
                    self.new_project(&name, stichtag, &path);
                }
            }
            Command::OpenProject(path) => {
                if self.is_dirty() {
                    self.pending = Some(PendingAction::Open(path));
                } else {
                    self.start_load(path, None);
                }
            }
            Command::CancelLoad => {
                if let Some(task) = &self.load_task {
                    task.cancel();
                }
            }
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
            Command::SaveScenario(name) => self.save_scenario(name),
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
                if let Some(task) = self.export_task.take() {
                    task.cancel();
                    self.notify(
                        Level::Warnung,
                        "Export abgebrochen. Eine bereits begonnene Datei wird eventuell noch fertig geschrieben.",
                    );
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
                if let Some(task) = self.preview_task.take() {
                    task.cancel();
                }
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

    // ----- sources and Gemeinde table ------------------------------------------------------

    fn start_preview(&mut self, path: PathBuf, sheet: Option<String>) {
        if let Some(old) = self.preview_task.take() {
            old.cancel();
        }
        if path.as_os_str().is_empty() {
            self.notify(Level::Fehler, "Bitte eine Datei angeben.");
            return;
        }
        self.preview_generation += 1;
        let label = format!("Vorschau wird gelesen: {}", file_label(&path));
        let work = move |_r: &mut Reporter<PreviewOutcome>| read_preview(&path, sheet.as_deref());
        match Task::spawn(
            "kdu-preview",
            label,
            self.preview_generation,
            self.ctx.clone(),
            work,
        ) {
            Ok(task) => self.preview_task = Some(task),
            Err(e) => self.notify(Level::Fehler, e),
        }
    }

    fn finish_preview(&mut self, result: Result<PreviewOutcome, String>, generation: u64) {
        if generation != self.preview_generation {
            return;
        }
        self.source_preview = Some(result.and_then(|r| r));
        self.preview_seq += 1;
    }

    fn add_source(
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

    fn import_gemeinden(&mut self, path: &Path) {
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

    /// Starts reloading the data when the sources differ from those the data came from.
    fn reload_if_sources_changed(&mut self) {
        let Some(doc) = &self.doc else { return };
        let key = sources_key(&doc.lp.project.sources);
        if key == doc.data_key {
            if let Some(task) = self.reload_task.take() {
                task.cancel();
            }
            self.reload_key = None;
            return;
        }
        if self.reload_task.is_some() && self.reload_key.as_ref() == Some(&key) {
            return;
        }
        if let Some(old) = self.reload_task.take() {
            old.cancel();
        }
        self.reload_generation += 1;
        self.reload_key = Some(key.clone());
        let project = doc.lp.project.clone();
        let path = doc.lp.path.clone();
        let work = move |r: &mut Reporter<ReloadOutcome>| {
            let mut progress = |source: usize, done: u64, total: u64| {
                let fraction = (total > 0).then(|| done as f32 / total as f32);
                r.progress(fraction, || format!("Quelle {}", source + 1))
            };
            let result = crate::dataset::load_sources(&path, &project, &mut progress)
                .map_err(|e| e.to_string())
                .map(|(data, warnings)| {
                    let prep = Prepared::new(&data.records, &project);
                    Box::new((data, warnings, prep))
                });
            ReloadOutcome { key, result }
        };
        match Task::spawn(
            "kdu-reload",
            "Daten werden neu eingelesen",
            self.reload_generation,
            self.ctx.clone(),
            work,
        ) {
            Ok(task) => self.reload_task = Some(task),
            Err(e) => self.notify(Level::Fehler, e),
        }
    }

    fn finish_reload(&mut self, result: Result<ReloadOutcome, String>, generation: u64) {
        if generation != self.reload_generation {
            return;
        }
        self.reload_key = None;
        let Some(doc) = &mut self.doc else { return };
        let outcome = match result {
            Ok(o) => o,
            Err(e) => {
                self.notify(Level::Fehler, e);
                return;
            }
        };
        if outcome.key != sources_key(&doc.lp.project.sources) {
            // The sources changed again meanwhile; a newer reload follows.
            return;
        }
        doc.data_key = outcome.key;
        match outcome.result {
            Ok(loaded) => {
                let (data, warnings, prep) = *loaded;
                // Checksums of newly added sources are filled in from the import.
                for (spec, info) in doc.lp.project.sources.iter_mut().zip(&data.sources) {
                    if spec.sha256.is_empty() {
                        spec.sha256 = info.import.sha256.clone();
                    }
                }
                let records = data.records.len();
                let rejected = data.rejections.len();
                doc.lp.data = data;
                doc.lp.warnings = warnings.clone();
                doc.prep = prep;
                doc.recompute();
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
            Err(e) => self.notify(
                Level::Fehler,
                format!(
                    "Die Daten konnten nicht eingelesen werden: {e} – Die Änderung der Quellen lässt sich mit Strg+Z rückgängig machen."
                ),
            ),
        }
    }

    /// Runs once per frame (from `App::logic`): polls background tasks and writes the recovery
    /// copy when due.
    pub fn tick(&mut self) {
        self.finish_tasks(None);
        if self.is_dirty() && self.last_recovery_write.elapsed() >= AUTOSAVE_INTERVAL {
            self.write_recovery_now();
        }
    }

    /// Finishes every background task that is done; with a deadline, waits for each up to it.
    fn finish_tasks(&mut self, deadline: Option<Instant>) {
        let wait = || deadline.map(|d| d.saturating_duration_since(Instant::now()));
        if let Some((result, generation)) = take_finished(&mut self.load_task, wait())
            && generation == self.load_generation
        {
            match result {
                Ok(outcome) => match outcome.result {
                    Ok(doc) => self.install(doc, outcome.recovered),
                    Err(e) => self.notify(Level::Fehler, e),
                },
                Err(e) => self.notify(Level::Fehler, e),
            }
        }
        if let Some((result, generation)) = take_finished(&mut self.export_task, wait()) {
            self.finish_export(result, generation);
        }
        if let Some((result, generation)) = take_finished(&mut self.reload_task, wait()) {
            self.finish_reload(result, generation);
        }
        if let Some((result, generation)) = take_finished(&mut self.preview_task, wait()) {
            self.finish_preview(result, generation);
        }
    }

    /// True while a background task runs.
    pub fn busy(&self) -> bool {
        self.load_task.is_some()
            || self.export_task.is_some()
            || self.reload_task.is_some()
            || self.preview_task.is_some()
    }

    /// Waits for running background tasks (tests, blocking open). Returns false on timeout.
    pub fn wait_for_tasks(&mut self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while self.busy() {
            if Instant::now() >= deadline {
                return false;
            }
            self.finish_tasks(Some(deadline));
        }
        true
    }

    /// Writes the recovery copy now (if a project is open and storage configured).
    pub fn write_recovery_now(&mut self) {
        self.last_recovery_write = Instant::now();
        let (Some(storage), Some(doc)) = (&self.storage, &self.doc) else {
            return;
        };
        if let Err(e) = storage.write_recovery(doc.project(), &doc.lp.path) {
            self.notify(Level::Warnung, e);
        }
    }

    // ----- project changes -------------------------------------------------------------

    /// Changes the project through `f`, recording an undo step unless this continues the
    /// previous edit of the same `merge_key` within a short window.
    fn edit_project(&mut self, merge_key: Option<String>, f: impl FnOnce(&mut Project)) {
        let Some(doc) = &mut self.doc else {
            self.notify(Level::Warnung, "Kein Projekt geöffnet.");
            return;
        };
        let mut next = doc.lp.project.clone();
        f(&mut next);
        if next == doc.lp.project {
            return;
        }
        let merge = match (&merge_key, &self.last_edit) {
            (Some(key), Some((last, at))) => key == last && at.elapsed() < MERGE_WINDOW,
            _ => false,
        };
        let previous = std::mem::replace(&mut doc.lp.project, next);
        if !merge {
            self.undo.push(previous);
            if self.undo.len() > UNDO_LIMIT {
                self.undo.remove(0);
            }
        }
        self.redo.clear();
        self.last_edit = merge_key.map(|k| (k, Instant::now()));
        self.after_change();
    }

    fn undo(&mut self) {
        self.step_history(true);
    }

    fn redo(&mut self) {
        self.step_history(false);
    }

    /// Moves one project snapshot from the undo to the redo stack (`back`) or the other way.
    fn step_history(&mut self, back: bool) {
        let Some(doc) = &mut self.doc else { return };
        let (from, to) = if back {
            (&mut self.undo, &mut self.redo)
        } else {
            (&mut self.redo, &mut self.undo)
        };
        let Some(target) = from.pop() else {
            let text = if back {
                "Nichts rückgängig zu machen."
            } else {
                "Nichts zu wiederholen."
            };
            self.notify(Level::Info, text);
            return;
        };
        to.push(std::mem::replace(&mut doc.lp.project, target));
        self.last_edit = None;
        self.after_change();
    }

    /// After every project change: new generation, recompute, keep the selection valid,
    /// refresh the comparison and the panic snapshot.
    fn after_change(&mut self) {
        self.generation += 1;
        if let Some(doc) = &mut self.doc {
            doc.recompute();
        }
        self.fix_selection();
        self.reload_if_sources_changed();
        if let Some(c) = &self.comparison
            && (c.a == ScenarioRef::Current || c.b == ScenarioRef::Current)
        {
            let (a, b) = (c.a, c.b);
            self.compare(a, b);
        }
        self.update_panic_snapshot();
    }

    fn update_panic_snapshot(&self) {
        let Some(snapshot) = &self.panic_snapshot else {
            return;
        };
        let value = self
            .doc
            .as_ref()
            .filter(|d| d.is_dirty())
            .map(|d| (d.project().clone(), d.lp.path.clone()));
        if let Ok(mut guard) = snapshot.lock() {
            *guard = value;
        }
    }

    fn fix_selection(&mut self) {
        let Some(doc) = &self.doc else {
            self.selected = None;
            return;
        };
        let cells = &doc.analysis.cells;
        let valid = self
            .selected
            .is_some_and(|(vr, h)| cells.iter().any(|c| c.vr == vr && c.household_size == h));
        if !valid {
            self.selected = cells
                .iter()
                .find(|c| c.n > 0)
                .or(cells.first())
                .map(|c| (c.vr, c.household_size));
        }
    }

    fn install(&mut self, doc: Box<Document>, recovered: bool) {
        let path = doc.lp.path.clone();
        let name = doc.project().project.name.clone();
        let warnings = doc.lp.warnings.clone();
        let records = doc.lp.data.records.len();
        let mut doc = *doc;
        if recovered {
            // The file on disk is the saved state; the restored project is unsaved.
            if let Ok(on_disk) = Project::load(&path) {
                doc.saved = on_disk;
            }
        }
        self.doc = Some(doc);
        if let Some(task) = self.reload_task.take() {
            task.cancel();
        }
        self.reload_key = None;
        self.undo.clear();
        self.redo.clear();
        self.last_edit = None;
        self.comparison = None;
        self.selected = None;
        self.generation += 1;
        self.fix_selection();
        self.update_panic_snapshot();
        if let Some(s) = &self.storage {
            s.add_recent(&path);
            self.recent = s.recent();
        }
        if self.screen == Screen::Start {
            self.screen = Screen::Ergebnisse;
        }
        let text = if recovered {
            format!("Wiederherstellungskopie von „{name}“ geladen (noch nicht gespeichert).")
        } else {
            format!(
                "Projekt „{name}“ geladen: {} Datensätze.",
                crate::fmt::number(records as f64, 0)
            )
        };
        self.notify(Level::Erfolg, text);
        for w in warnings {
            self.notify(Level::Warnung, w);
        }
    }

    fn save(&mut self) -> bool {
        let Some(doc) = &mut self.doc else {
            self.notify(Level::Warnung, "Kein Projekt geöffnet.");
            return false;
        };
        match doc.lp.project.save(&doc.lp.path) {
            Ok(()) => {
                doc.saved = doc.lp.project.clone();
                let text = format!("Gespeichert: {}", doc.lp.path.display());
                if let Some(s) = &self.storage {
                    s.clear_recovery();
                }
                self.update_panic_snapshot();
                self.notify(Level::Erfolg, text);
                true
            }
            Err(e) => {
                self.notify(Level::Fehler, e.to_string());
                false
            }
        }
    }

    fn new_project(&mut self, name: &str, stichtag: Date, path: &Path) {
        if name.trim().is_empty() {
            self.notify(Level::Fehler, "Bitte einen Projektnamen angeben.");
            return;
        }
        if path.exists() {
            self.notify(
                Level::Fehler,
                format!(
                    "Die Datei existiert bereits; bitte einen anderen Namen wählen oder das Projekt öffnen: {}",
                    path.display()
                ),
            );
            return;
        }
        let project = Project::new(name.trim(), stichtag);
        if let Err(e) = project.save(path) {
            self.notify(Level::Fehler, e.to_string());
            return;
        }
        let lp = LoadedProject {
            path: path.to_path_buf(),
            project,
            data: Dataset::default(),
            warnings: Vec::new(),
        };
        self.install(Box::new(Document::new(lp)), false);
        self.screen = Screen::Daten;
        self.notify(
            Level::Info,
            "Neues Projekt angelegt. Datenquellen mit „Quelle hinzufügen“ einbinden oder eine Datei in das Fenster ziehen.",
        );
    }

    /// Starts loading `path` in the background. With `replacement`, the project from the
    /// recovery copy is used instead of the file's content (its sources are still read
    /// relative to `path`).
    fn start_load(&mut self, path: PathBuf, replacement: Option<Project>) {
        if let Some(old) = &self.load_task {
            old.cancel();
        }
        self.load_generation += 1;
        let recovered = replacement.is_some();
        let label = format!("Projekt wird geladen: {}", file_label(&path));
        let work = move |r: &mut Reporter<LoadOutcome>| LoadOutcome {
            result: load_document(&path, replacement, r),
            recovered,
        };
        match Task::spawn(
            "kdu-load",
            label,
            self.load_generation,
            self.ctx.clone(),
            work,
        ) {
            Ok(task) => self.load_task = Some(task),
            Err(e) => self.notify(Level::Fehler, e),
        }
    }

    fn resolve_pending(&mut self, choice: PendingChoice) {
        let Some(action) = self.pending.take() else {
            return;
        };
        match choice {
            PendingChoice::Abbrechen => return,
            PendingChoice::Speichern => {
                if !self.save() {
                    return;
                }
            }
            PendingChoice::Verwerfen => {
                if let Some(s) = &self.storage {
                    s.clear_recovery();
                }
                if let Some(snapshot) = &self.panic_snapshot
                    && let Ok(mut g) = snapshot.lock()
                {
                    *g = None;
                }
            }
        }
        match action {
            PendingAction::CloseWindow => {
                self.allow_close = true;
                self.close_requested = true;
            }
            PendingAction::Open(path) => self.start_load(path, None),
            PendingAction::New {
                name,
                stichtag,
                path,
            } => {
                // Discarded changes must not block the new project.
                if let Some(doc) = &mut self.doc {
                    doc.saved = doc.lp.project.clone();
                }
                self.new_project(&name, stichtag, &path);
            }
        }
    }

    /// The window asks to close: returns true if it may, otherwise asks the user.
    pub fn request_close(&mut self) -> bool {
        if self.allow_close || !self.is_dirty() {
            return true;
        }
        self.pending = Some(PendingAction::CloseWindow);
        false
    }

    // ----- scenarios ------------------------------------------------------------------

    fn save_scenario(&mut self, name: String) {
        let Some(doc) = &self.doc else { return };
        let name = name.trim().to_string();
        if name.is_empty() {
            self.notify(Level::Fehler, "Bitte einen Namen für das Szenario angeben.");
            return;
        }
        let parameters = doc.project().parameters.clone();
        let key = name.clone();
        self.edit_project(None, move |p| {
            if let Some(existing) = p.scenarios.iter_mut().find(|s| s.name == key) {
                existing.parameters = parameters;
            } else {
                p.scenarios.push(Scenario {
                    name: key,
                    parameters,
                });
            }
        });
        self.notify(
            Level::Erfolg,
            format!("Szenario „{name}“ gespeichert (im Projekt, mit dem Projekt zu sichern)."),
        );
    }

    /// The saved scenarios of the open project.
    pub fn scenarios(&self) -> &[Scenario] {
        self.project().map_or(&[], |p| p.scenarios.as_slice())
    }

    fn scenario_params(&self, r: ScenarioRef) -> Option<(String, Parameters)> {
        match r {
            ScenarioRef::Current => self
                .project()
                .map(|p| ("Aktueller Stand".to_string(), p.parameters.clone())),
            ScenarioRef::Saved(i) => self
                .scenarios()
                .get(i)
                .map(|s| (s.name.clone(), s.parameters.clone())),
        }
    }

    fn compare(&mut self, a: ScenarioRef, b: ScenarioRef) {
        let (Some((a_name, pa)), Some((b_name, pb))) =
            (self.scenario_params(a), self.scenario_params(b))
        else {
            self.comparison = None;
            return;
        };
        let Some(doc) = &self.doc else { return };
        let figures = |params: Parameters| -> Vec<(String, u32, CellFigures)> {
            let mut project = doc.project().clone();
            project.parameters = params;
            let own_prep;
            let prep = if doc.prep.is_stale(&project) {
                own_prep = Prepared::new(&doc.lp.data.records, &project);
                &own_prep
            } else {
                &doc.prep
            };
            let analysis = compute(prep, &project, &doc.lp.data);
            analysis
                .cells
                .iter()
                .map(|c| {
                    (
                        c.vergleichsraum.clone(),
                        c.household_size,
                        CellFigures {
                            n: c.n,
                            net_rent_per_m2: c.net_rent_per_m2,
                            gross_cold: c.limits.map(|l| l.gross_cold),
                        },
                    )
                })
                .collect()
        };
        let fa = figures(pa);
        let fb = figures(pb);
        let mut rows: Vec<ComparisonRow> = fa
            .iter()
            .map(|(vr, h, f)| ComparisonRow {
                vergleichsraum: vr.clone(),
                household_size: *h,
                a: Some(*f),
                b: fb
                    .iter()
                    .find(|(v2, h2, _)| v2 == vr && h2 == h)
                    .map(|x| x.2),
            })
            .collect();
        for (vr, h, f) in &fb {
            if !fa.iter().any(|(v2, h2, _)| v2 == vr && h2 == h) {
                rows.push(ComparisonRow {
                    vergleichsraum: vr.clone(),
                    household_size: *h,
                    a: None,
                    b: Some(*f),
                });
            }
        }
        self.comparison = Some(Comparison {
            a,
            b,
            a_name,
            b_name,
            rows,
        });
    }

    // ----- export ---------------------------------------------------------------------

    fn start_export(&mut self, path: PathBuf, kind: Variant) {
        let Some(doc) = &self.doc else {
            self.notify(Level::Warnung, "Kein Projekt geöffnet.");
            return;
        };
        if self.export_task.is_some() {
            self.notify(Level::Warnung, "Ein Export läuft bereits.");
            return;
        }
        if path.as_os_str().is_empty() {
            self.notify(Level::Fehler, "Bitte eine Zieldatei angeben.");
            return;
        }
        if let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty()
            && !dir.is_dir()
        {
            self.notify(
                Level::Fehler,
                format!("Der Zielordner existiert nicht: {}", dir.display()),
            );
            return;
        }
        // A snapshot of the current state; the heavy writing happens on the worker.
        let lp = doc.lp.clone();
        let prep = doc.prep.clone();
        let analysis = doc.analysis.clone();
        self.export_kind = kind;
        let label = format!("{} wird geschrieben: {}", kind.german(), file_label(&path));
        let work = move |r: &mut Reporter<ExportOutcome>| {
            r.progress(None, || "Arbeitsmappe wird erstellt …".to_string());
            write_export(&path, &lp, &prep, &analysis, kind).map(|()| path)
        };
        match Task::spawn("kdu-export", label, self.generation, self.ctx.clone(), work) {
            Ok(task) => self.export_task = Some(task),
            Err(e) => self.notify(Level::Fehler, e),
        }
    }

    fn finish_export(&mut self, result: Result<ExportOutcome, String>, generation: u64) {
        match result.and_then(|r| r) {
            Ok(path) => {
                let mut text = format!(
                    "{} geschrieben: {}",
                    self.export_kind.german(),
                    path.display()
                );
                if generation != self.generation {
                    text.push_str(
                        " – Hinweis: Die Parameter wurden inzwischen geändert; die Datei zeigt den Stand beim Start des Exports.",
                    );
                }
                self.last_export = Some((path, generation));
                self.notify(Level::Erfolg, text);
            }
            Err(e) => self.notify(Level::Fehler, e),
        }
    }

    fn open_folder(&mut self, path: &Path) {
        let folder = if path.is_dir() {
            path.to_path_buf()
        } else {
            path.parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
        };
        match std::process::Command::new("xdg-open").arg(&folder).spawn() {
            Ok(mut child) => {
                // Reap the child on a helper thread so no zombie stays behind.
                let _ = std::thread::Builder::new()
                    .name("kdu-xdg-open".into())
                    .spawn(move || {
                        let _ = child.wait();
                    });
            }
            Err(e) => self.notify(
                Level::Warnung,
                format!(
                    "Der Ordner kann nicht geöffnet werden ({}). Bitte im Dateimanager öffnen: {}",
                    crate::io_util::io_error_german(&e),
                    folder.display()
                ),
            ),
        }
    }
}

/// Loads a project with its data and prepares it (runs on the worker).
fn load_document(
    path: &Path,
    replacement: Option<Project>,
    r: &mut Reporter<LoadOutcome>,
) -> Result<Box<Document>, String> {
    let mut progress = |source: usize, done: u64, total: u64| {
        let fraction = (total > 0).then(|| done as f32 / total as f32);
        r.progress(fraction, || format!("Quelle {}", source + 1))
    };
    let lp = match replacement {
        None => LoadedProject::load(path, &mut progress).map_err(|e| e.to_string())?,
        Some(project) => {
            let (data, warnings) = crate::dataset::load_sources(path, &project, &mut progress)
                .map_err(|e| e.to_string())?;
            LoadedProject {
                path: path.to_path_buf(),
                project,
                data,
                warnings,
            }
        }
    };
    if r.is_cancelled() {
        return Err("Laden abgebrochen.".to_string());
    }
    r.progress(None, || "Auswertung wird vorbereitet …".to_string());
    Ok(Box::new(Document::new(lp)))
}

/// The file name of a path for messages.
pub fn file_label(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Writes the workbook (runs on the worker); errors as German text.
fn write_export(
    path: &Path,
    lp: &LoadedProject,
    prep: &Prepared,
    analysis: &Analysis,
    variant: Variant,
) -> Result<(), String> {
    let options = crate::export::ExportOptions {
        variant,
        ..crate::export::ExportOptions::default()
    };
    crate::export::write_workbook(path, lp, prep, analysis, &options).map_err(|e| e.to_string())
}
