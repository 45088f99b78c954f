//! Opening, creating, saving and closing projects, and writing the workbook.

use super::jobs::{Job, JobOutcome, load_document, write_export};
use super::{AppState, Document, Level, NewProject, PendingAction, PendingChoice, Screen};
use crate::app::tasks::Reporter;
use crate::dataset::{Dataset, LoadedProject};
use crate::export::Variant;
use crate::model::Project;
use std::path::{Path, PathBuf};

impl AppState {
    /// Installs a loaded document (replacing any open one).
    pub(super) fn install(&mut self, doc: Box<Document>, recovered: bool) {
        let path = doc.lp().path.clone();
        let name = doc.project().project.name.clone();
        let warnings = doc.lp().warnings.clone();
        let records = doc.lp().data.records.len();
        let mut doc = *doc;
        if recovered {
            // The file on disk is the saved state; the restored project is unsaved.
            if let Ok(on_disk) = Project::load(&path) {
                doc.set_saved(on_disk);
            }
        }
        self.doc = Some(doc);
        self.jobs.cancel(Job::Reload);
        self.reload_key = None;
        self.history.clear();
        self.comparison = None;
        self.selected = None;
        self.generation += 1;
        self.loads += 1;
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

    pub(super) fn save(&mut self) -> bool {
        let Some(doc) = &mut self.doc else {
            self.notify(Level::Warnung, "Kein Projekt geöffnet.");
            return false;
        };
        match doc.project().save(&doc.lp().path) {
            Ok(()) => {
                doc.mark_saved();
                let text = format!("Gespeichert: {}", doc.lp().path.display());
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

    /// Creates, saves and opens a new project with the Wohnflächen of its Land (the user's
    /// values where the Land has no usable preset; without them nothing is created).
    pub(super) fn new_project(&mut self, spec: &NewProject) {
        let (name, path) = (spec.name.as_str(), spec.path.as_path());
        if name.trim().is_empty() {
            self.notify(Level::Fehler, "Bitte einen Projektnamen angeben.");
            return;
        }
        let wohnflaechen =
            match crate::init::new_project_wohnflaechen(&spec.land, spec.wohnflaechen.as_ref()) {
                Ok(w) => w,
                Err(e) => {
                    self.notify(Level::Fehler, e);
                    return;
                }
            };
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
        let mut project = Project::new(name.trim(), spec.stichtag);
        project.parameters.wohnflaechen = wohnflaechen;
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
    pub(super) fn start_load(&mut self, path: PathBuf, replacement: Option<Project>) {
        let recovered = replacement.is_some();
        let label = format!("Projekt wird geladen: {}", file_label(&path));
        let work = move |r: &mut Reporter<JobOutcome>| JobOutcome::Load {
            result: load_document(&path, replacement, r),
            recovered,
        };
        let started = self.jobs.start(
            Job::Load,
            "kdu-load",
            label,
            self.generation,
            self.ctx.clone(),
            work,
        );
        if let Err(e) = started {
            self.notify(Level::Fehler, e);
        }
    }

    pub(super) fn resolve_pending(&mut self, choice: PendingChoice) {
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
            PendingAction::New(spec) => {
                // Discarded changes must not block the new project.
                if let Some(doc) = &mut self.doc {
                    doc.mark_saved();
                }
                self.new_project(&spec);
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

    // ----- export ---------------------------------------------------------------------

    pub(super) fn start_export(&mut self, path: PathBuf, kind: Variant) {
        let Some(doc) = &self.doc else {
            self.notify(Level::Warnung, "Kein Projekt geöffnet.");
            return;
        };
        if self.jobs.is_running(Job::Export) {
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
        let lp = doc.lp().clone();
        let prep = doc.prep().clone();
        let analysis = doc.analysis().clone();
        self.export_kind = kind;
        let label = format!("{} wird geschrieben: {}", kind.german(), file_label(&path));
        let work = move |r: &mut Reporter<JobOutcome>| {
            r.progress(None, || "Arbeitsmappe wird erstellt …".to_string());
            JobOutcome::Export(write_export(&path, &lp, &prep, &analysis, kind).map(|()| path))
        };
        let started = self.jobs.start(
            Job::Export,
            "kdu-export",
            label,
            self.export_generation,
            self.ctx.clone(),
            work,
        );
        if let Err(e) = started {
            self.notify(Level::Fehler, e);
        }
    }

    /// The export started for project generation `generation` ended.
    pub(super) fn exported(&mut self, result: Result<PathBuf, String>, generation: u64) {
        match result {
            Ok(path) => {
                let mut text = format!(
                    "{} geschrieben: {}",
                    self.export_kind.german(),
                    path.display()
                );
                if generation != self.export_generation {
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

    pub(super) fn open_folder(&mut self, path: &Path) {
        let folder = if path.is_dir() {
            path.to_path_buf()
        } else {
            path.parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
        };
        // The system's file manager: Explorer on Windows, Finder on macOS, the desktop's default
        // (xdg-open) elsewhere.
        let opener = if cfg!(target_os = "windows") {
            "explorer"
        } else if cfg!(target_os = "macos") {
            "open"
        } else {
            "xdg-open"
        };
        match std::process::Command::new(opener).arg(&folder).spawn() {
            Ok(mut child) => {
                // Reap the child on a helper thread so no zombie stays behind.
                let _ = std::thread::Builder::new()
                    .name("kdu-open-folder".into())
                    .spawn(move || {
                        let _ = child.wait();
                    });
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => self.notify(
                Level::Warnung,
                format!(
                    "Auf diesem Rechner ist kein Dateimanager eingerichtet, der Ordner öffnen kann ({opener}). Die Datei liegt im Ordner {}",
                    folder.display()
                ),
            ),
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

/// The file name of a path for messages.
pub fn file_label(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}
