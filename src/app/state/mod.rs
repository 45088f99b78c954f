//! The app state and the one place where it changes: [`AppState::handle`].
//!
//! UI functions read the state and push [`Command`]s; `handle` applies them at the end of the
//! frame. The parts:
//! - [`commands`]: the commands and how each is applied,
//! - [`document`]: the open project with its data, prepared state and current analysis,
//! - [`history`]: undo/redo snapshots,
//! - [`jobs`]: the background jobs (load, reload, preview, export) in one registry, finished
//!   by one path ([`AppState::tick`]),
//! - `files`, `sources`, [`scenarios`]: project files and export, the source register and
//!   Gemeinde table, saved scenarios and their comparison.
//!
//! Every change of the project by the user goes through `edit_project`, which records an undo
//! step, bumps the generation counter and recomputes: a new
//! [`Prepared`](crate::analysis::prepare::Prepared) only when the scope changed, otherwise only
//! [`compute`](crate::analysis::compute). Changes that are not the user's (the
//! checksums of newly read sources) are a [`ProjectPatch`]: no undo step of their own.

mod cluster;
mod commands;
mod document;
mod files;
mod history;
mod jobs;
mod scenarios;
mod sources;
#[cfg(test)]
mod tests;

pub use cluster::{ClusterEdit, cluster_vergleichsraum};
pub use commands::{Command, Level, Message, NewProject, PendingAction, PendingChoice, Screen};
pub use document::{Document, ProjectPatch, sources_key};
pub use files::file_label;
pub use jobs::{Job, JobOutcome};
pub use scenarios::{CellFigures, Comparison, ComparisonRow, ScenarioRef};

use super::recovery::{PanicSnapshot, RecoveryCopy, Storage};
use super::source_import::SourcePreview;
use super::tasks::Task;
use crate::dataset::LoadedProject;
use crate::export::Variant;
use crate::model::Project;
use history::History;
use jobs::{Finished, Jobs};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Interval of the recovery copy while there are unsaved changes.
pub const AUTOSAVE_INTERVAL: Duration = Duration::from_secs(60);

/// Result of a finished export: the file, or a German error.
pub type ExportOutcome = Result<PathBuf, String>;

/// Everything the app knows. Changed only by [`AppState::handle`] and the job polling
/// ([`AppState::tick`]).
pub struct AppState {
    /// The open project, if any. Public only for the Parameter screen, which is being
    /// rewritten; everything else reads it through [`AppState::doc`].
    doc: Option<Document>,
    screen: Screen,
    /// Selected cell: (Vergleichsraum index, household size).
    selected: Option<(usize, u32)>,
    /// Status messages, newest last.
    messages: Vec<Message>,
    /// The running background jobs.
    jobs: Jobs,
    /// The sources the running reload is for.
    reload_key: Option<Vec<crate::model::project::SourceSpec>>,
    /// The preview of a file for the "Quelle hinzufügen" dialog (or the German error).
    source_preview: Option<Result<SourcePreview, String>>,
    /// Counts finished previews (the dialog re-initialises its fields on a new one).
    preview_seq: u64,
    /// Kind of the running or last export.
    export_kind: Variant,
    /// The last finished export: (file, generation it was made for).
    last_export: Option<(PathBuf, u64)>,
    /// See [`AppState::export_generation`].
    export_generation: u64,
    /// The current comparison (refreshed only while its screen is shown).
    comparison: Option<Comparison>,
    /// Waiting for the answer to "unsaved changes".
    pending: Option<PendingAction>,
    /// A recovery copy found at start, offered for restore.
    recovery_offer: Option<RecoveryCopy>,
    /// The window may close now (the user answered the question).
    allow_close: bool,
    /// Generation of the project state: bumped on every change.
    generation: u64,
    /// Counts installed projects (opened, created, restored).
    loads: u64,
    history: History,
    close_requested: bool,
    storage: Option<Storage>,
    panic_snapshot: Option<PanicSnapshot>,
    last_recovery_write: Instant,
    ctx: Option<egui::Context>,
    /// Recent project files.
    recent: Vec<PathBuf>,
    /// This session wrote a recovery copy that is still on disk.
    recovery_written: bool,
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
            jobs: Jobs::default(),
            reload_key: None,
            source_preview: None,
            preview_seq: 0,
            export_kind: Variant::Pruefmappe,
            last_export: None,
            export_generation: 0,
            comparison: None,
            pending: None,
            recovery_offer,
            allow_close: false,
            generation: 0,
            loads: 0,
            history: History::default(),
            close_requested: false,
            storage,
            panic_snapshot,
            last_recovery_write: Instant::now(),
            ctx: None,
            recent,
            recovery_written: false,
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

    // ----- reading ------------------------------------------------------------------------

    /// The open project with its data and analysis.
    pub fn doc(&self) -> Option<&Document> {
        self.doc.as_ref()
    }

    /// The open project.
    pub fn project(&self) -> Option<&Project> {
        self.doc.as_ref().map(Document::project)
    }

    /// The screen shown.
    pub fn screen(&self) -> Screen {
        self.screen
    }

    /// The selected cell: (Vergleichsraum index, household size).
    pub fn selected(&self) -> Option<(usize, u32)> {
        self.selected
    }

    /// Generation of the project state: bumped on every change.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Counts the projects installed so far (opened, created, restored): the screens salt
    /// their scroll areas with it, so another project starts at the top.
    pub fn load_generation(&self) -> u64 {
        self.loads
    }

    /// Generation of what an export contains: bumped on every change except one that only
    /// touches the saved scenarios (they are not exported).
    pub fn export_generation(&self) -> u64 {
        self.export_generation
    }

    /// True when there are unsaved changes.
    /// Fixes the shown computation time of the open document (deterministic snapshots).
    pub fn set_compute_time(&mut self, time: Duration) {
        if let Some(doc) = self.doc.as_mut() {
            doc.set_compute_time(time);
        }
    }

    pub fn is_dirty(&self) -> bool {
        self.doc.as_ref().is_some_and(Document::is_dirty)
    }

    /// Number of undo / redo steps available.
    pub fn undo_redo_len(&self) -> (usize, usize) {
        self.history.steps()
    }

    /// All status messages, newest last.
    pub fn messages(&self) -> &[Message] {
        &self.messages
    }

    /// The newest message.
    pub fn current_message(&self) -> Option<&Message> {
        self.messages.last()
    }

    /// The running job of a kind (label, progress, start time).
    pub fn job(&self, job: Job) -> Option<&Task<JobOutcome>> {
        self.jobs.get(job)
    }

    /// True while a background job runs.
    pub fn busy(&self) -> bool {
        self.jobs.any()
    }

    /// The preview for the "Quelle hinzufügen" dialog, or the German error reading it.
    pub fn source_preview(&self) -> Option<&Result<SourcePreview, String>> {
        self.source_preview.as_ref()
    }

    /// Counts finished previews (the dialog re-initialises its fields on a new one).
    pub fn preview_seq(&self) -> u64 {
        self.preview_seq
    }

    /// The last finished export: (file, project generation it was made for).
    pub fn last_export(&self) -> Option<&(PathBuf, u64)> {
        self.last_export.as_ref()
    }

    /// The scenario comparison; outdated while the Szenarien screen is not shown
    /// ([`Comparison::generation`]).
    pub fn comparison(&self) -> Option<&Comparison> {
        self.comparison.as_ref()
    }

    /// The action waiting for the answer to "unsaved changes".
    pub fn pending(&self) -> Option<&PendingAction> {
        self.pending.as_ref()
    }

    /// A recovery copy found at start, offered for restore.
    pub fn recovery_offer(&self) -> Option<&RecoveryCopy> {
        self.recovery_offer.as_ref()
    }

    /// Recent project files.
    pub fn recent(&self) -> &[PathBuf] {
        &self.recent
    }

    /// True once the user answered the "unsaved changes" question for closing the window.
    pub fn allow_close(&self) -> bool {
        self.allow_close
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

    // ----- changing -----------------------------------------------------------------------

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
        self.apply(cmd);
        self.refresh_comparison();
    }

    /// Runs once per frame (from `App::logic`): finishes background jobs and writes the
    /// recovery copy when due.
    pub fn tick(&mut self) {
        self.finish_jobs(None);
        if self.is_dirty() {
            if self.last_recovery_write.elapsed() >= AUTOSAVE_INTERVAL {
                self.write_recovery_now();
            }
        } else if self.recovery_written {
            // Back at the saved state (saved, or undone to it): the copy would only offer an
            // intermediate state on the next start.
            self.clear_recovery();
        }
    }

    /// Waits for running background jobs (tests, blocking open). Returns false on timeout.
    pub fn wait_for_tasks(&mut self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while self.busy() {
            if Instant::now() >= deadline {
                return false;
            }
            self.finish_jobs(Some(deadline));
        }
        true
    }

    /// Finishes the jobs that have ended; with a deadline, waits for one up to it.
    fn finish_jobs(&mut self, deadline: Option<Instant>) {
        if let Some(done) = self.jobs.next_finished(deadline) {
            self.finish(done);
            while let Some(done) = self.jobs.next_finished(None) {
                self.finish(done);
            }
        }
        self.refresh_comparison();
    }

    /// The one place where a background job's result is taken over.
    fn finish(&mut self, done: Finished) {
        let outcome = match done.outcome {
            Ok(outcome) => outcome,
            Err(e) => {
                // The worker died without a result.
                if done.job == Job::Preview {
                    self.show_preview(Err(e));
                } else {
                    if done.job == Job::Reload {
                        self.reload_key = None;
                    }
                    self.notify(Level::Fehler, e);
                }
                return;
            }
        };
        match outcome {
            JobOutcome::Load { result, recovered } => match result {
                Ok(doc) => self.install(doc, recovered),
                Err(e) => self.notify(Level::Fehler, e),
            },
            JobOutcome::Reload { key, result } => {
                self.reload_key = None;
                self.reloaded(key, result);
            }
            JobOutcome::Preview(preview) => self.show_preview(preview),
            JobOutcome::Export(result) => self.exported(result, done.generation),
        }
    }

    /// Writes the recovery copy now (if a project is open and storage configured).
    pub fn write_recovery_now(&mut self) {
        self.last_recovery_write = Instant::now();
        let (Some(storage), Some(doc)) = (&self.storage, &self.doc) else {
            return;
        };
        match storage.write_recovery(doc.project(), &doc.lp().path) {
            Ok(()) => self.recovery_written = true,
            Err(e) => self.notify(Level::Warnung, e),
        }
    }

    /// Removes the recovery copy this session wrote (document clean again, normal exit).
    pub fn clear_recovery(&mut self) {
        if let Some(s) = &self.storage {
            s.clear_recovery();
        }
        self.recovery_written = false;
    }

    /// On a normal exit: no recovery copy is left behind for a clean document.
    pub fn on_exit(&mut self) {
        if !self.is_dirty() && self.recovery_written {
            self.clear_recovery();
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
        let mut next = doc.project().clone();
        f(&mut next);
        if next == *doc.project() {
            return;
        }
        let previous = std::mem::replace(doc.project_mut(), next);
        let content = !scenarios_only(&previous, doc.project());
        self.history.record(previous, merge_key);
        self.after_change(content);
    }

    /// Applies a change that is not the user's to the project and to every undo/redo
    /// snapshot, so that undo neither reverts it nor counts it as a step.
    fn apply_patch(&mut self, patch: &ProjectPatch) {
        let Some(doc) = &mut self.doc else { return };
        patch.apply(doc.project_mut());
        self.history.patch_all(|p| patch.apply(p));
    }

    /// Undo (`back`) or redo one project change.
    fn step_history(&mut self, back: bool) {
        let Some(doc) = &mut self.doc else { return };
        let before = doc.project().clone();
        if !self.history.step(doc.project_mut(), back) {
            let text = if back {
                "Nichts rückgängig zu machen."
            } else {
                "Nichts zu wiederholen."
            };
            self.notify(Level::Info, text);
            return;
        }
        let content = !scenarios_only(&before, doc.project());
        self.after_change(content);
    }

    /// After every project change: new generation, recompute, keep the selection valid,
    /// reload changed sources, refresh the panic snapshot. (The scenario comparison is only
    /// outdated now; it is refreshed when its screen is shown.)
    fn after_change(&mut self, content: bool) {
        self.generation += 1;
        if content {
            self.export_generation += 1;
        }
        if let Some(doc) = &mut self.doc {
            doc.recompute();
        }
        self.fix_selection();
        self.reload_if_sources_changed();
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
            .map(|d| (d.project().clone(), d.lp().path.clone()));
        if let Ok(mut guard) = snapshot.lock() {
            *guard = value;
        }
    }

    fn fix_selection(&mut self) {
        let Some(doc) = &self.doc else {
            self.selected = None;
            return;
        };
        let cells = &doc.analysis().cells;
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
}

/// True when two project states differ only in their saved scenarios.
fn scenarios_only(a: &Project, b: &Project) -> bool {
    a.scenarios != b.scenarios
        && Project {
            scenarios: Vec::new(),
            ..a.clone()
        } == Project {
            scenarios: Vec::new(),
            ..b.clone()
        }
}
