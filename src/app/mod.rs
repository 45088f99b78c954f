//! The eframe desktop app.
//!
//! Data flows one way: [`state::AppState`] holds the loaded project, its [`Prepared`] state,
//! the current [`Analysis`], undo/redo snapshots and background tasks. Each frame the screens
//! (free functions in [`screens`]) read the state and push [`Command`]s; at the end of the
//! frame [`AppState::handle`] applies them, the only place where the project changes.
//! Loading, reloading, the source preview and the export are background jobs of one registry
//! ([`state::Job`], on named threads from [`tasks`]); recovery copies and the panic hook live
//! in [`recovery`].
//!
//! [`Prepared`]: crate::analysis::prepare::Prepared
//! [`Analysis`]: crate::analysis::Analysis

pub mod forms;
pub mod map;
pub mod plots;
pub mod recovery;
pub mod screens;
pub mod source_import;
pub mod state;
pub mod tasks;
pub mod widgets;

pub use forms::{DialogRequest, Forms};
pub use state::{AppState, Command, ExportOutcome, Level, Screen};

use crate::dataset::LoadedProject;
use anyhow::anyhow;
use egui::{Key, KeyboardShortcut, Modifiers, ViewportCommand};
use recovery::{PanicSnapshot, Storage};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use tasks::Task;

/// Start of [`run`], set only when `KDU_TIMING=1` (startup benchmark, `scripts/bench_startup.sh`).
static TIMING_START: OnceLock<Instant> = OnceLock::new();

/// With `KDU_TIMING=1`: prints to stderr the milliseconds from the start of [`run`] to the end
/// of the first frame's UI pass, and to the first frame that shows the loaded project.
fn report_timing(has_project: bool) {
    static FIRST_FRAME: OnceLock<()> = OnceLock::new();
    static PROJECT_FRAME: OnceLock<()> = OnceLock::new();
    let Some(start) = TIMING_START.get() else {
        return;
    };
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    if FIRST_FRAME.set(()).is_ok() {
        eprintln!("KDU_TIMING first_frame_ms={ms:.1}");
    }
    if has_project && PROJECT_FRAME.set(()).is_ok() {
        eprintln!("KDU_TIMING project_frame_ms={ms:.1}");
    }
}

/// The bundled sample project, relative to the current folder or to the crate's folder.
pub fn sample_project_path() -> Option<PathBuf> {
    let rel = Path::new("sample-data").join("musterland.kdu.toml");
    if rel.is_file() {
        return Some(rel);
    }
    let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join(&rel);
    bundled.is_file().then_some(bundled)
}

/// Returns an error with a German message when no graphical display is available (Linux).
fn check_display() -> anyhow::Result<()> {
    if cfg!(target_os = "linux") {
        let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
        if !set("DISPLAY") && !set("WAYLAND_DISPLAY") {
            return Err(anyhow!(
                "Keine grafische Oberfläche gefunden (weder DISPLAY noch WAYLAND_DISPLAY gesetzt). \
                 Ohne Bildschirm lässt sich das Programm über die Kommandozeile bedienen: \
                 kdu-konzept import|init|compute|export --help"
            ));
        }
    }
    Ok(())
}

/// Starts the desktop app. Without `project`, the bundled sample project is opened.
pub fn run(project: Option<PathBuf>) -> anyhow::Result<()> {
    if std::env::var_os("KDU_TIMING").is_some_and(|v| v == "1") {
        TIMING_START.get_or_init(Instant::now);
    }
    check_display()?;
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_inner_size([1400.0, 900.0])
            .with_min_inner_size([900.0, 600.0])
            .with_title("KdU-Konzept"),
        ..Default::default()
    };
    let storage = recovery::default_data_dir().map(Storage::new);
    let snapshot: PanicSnapshot = Arc::new(Mutex::new(None));
    if let Some(s) = &storage {
        recovery::install_panic_hook(s.clone(), Arc::clone(&snapshot));
    }
    let project = project.or_else(sample_project_path);
    let config = AppConfig {
        storage: storage.clone(),
        panic_snapshot: Some(Arc::clone(&snapshot)),
        file_dialogs: true,
    };
    let opened = Arc::new(AtomicBool::new(false));
    let opened_in_app = Arc::clone(&opened);
    // The windowing library may panic when the window is destroyed from outside (winit 0.30
    // unwraps an X11 error of the vanished window): caught here, so the user gets a German
    // message and exit code 1, not a panic. The panic hook has written the recovery copy.
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        eframe::run_native(
            "KdU-Konzept",
            options,
            Box::new(move |cc| {
                opened_in_app.store(true, Ordering::SeqCst);
                Ok(Box::new(KduApp::with_config(cc, project, config)))
            }),
        )
    }));
    let failure = match outcome {
        Ok(Ok(())) => return Ok(()),
        Ok(Err(e)) => WindowFailure::Error(e.to_string()),
        Err(payload) => WindowFailure::Panic(recovery::panic_text(payload.as_ref())),
    };
    let saved = storage
        .as_ref()
        .and_then(|s| recovery::save_snapshot(s, &snapshot));
    Err(anyhow!(window_failure_text(
        &failure,
        opened.load(Ordering::SeqCst),
        saved.as_ref()
    )))
}

/// How the window ended without a normal close.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WindowFailure {
    /// eframe returned an error (no display, no graphics driver, the event loop failed).
    Error(String),
    /// The windowing library panicked (e.g. the window was destroyed from outside).
    Panic(String),
}

/// The German message for a window that could not be opened (`opened` false) or that ended
/// unexpectedly, with what became of unsaved changes (`saved`: the recovery copy's path or the
/// error writing it; `None`: nothing unsaved).
pub fn window_failure_text(
    failure: &WindowFailure,
    opened: bool,
    saved: Option<&Result<PathBuf, String>>,
) -> String {
    let cause = match failure {
        WindowFailure::Error(e) | WindowFailure::Panic(e) => e,
    };
    if !opened {
        return format!(
            "Das Programmfenster konnte nicht geöffnet werden: {cause}. \
             Alternativ steht die Kommandozeile zur Verfügung: kdu-konzept import|init|compute|export --help"
        );
    }
    let what = match failure {
        WindowFailure::Error(_) => "Das Programmfenster wurde wegen eines Fehlers beendet",
        WindowFailure::Panic(_) => {
            "Das Programmfenster wurde unerwartet beendet (z. B. von außen geschlossen)"
        }
    };
    let changes = match saved {
        Some(Ok(path)) => format!(
            "Die ungespeicherten Änderungen wurden als Wiederherstellungskopie gesichert und werden beim nächsten Start angeboten: {}",
            path.display()
        ),
        Some(Err(e)) => {
            format!("Die ungespeicherten Änderungen konnten nicht gesichert werden: {e}")
        }
        None => "Es gab keine ungespeicherten Änderungen.".to_string(),
    };
    format!("{what} (technische Ursache: {cause}). {changes}")
}

/// Settings of one app instance.
pub struct AppConfig {
    /// Where recovery copies and the recent list go (`None`: nothing is written there).
    pub storage: Option<Storage>,
    /// Shared with the panic hook.
    pub panic_snapshot: Option<PanicSnapshot>,
    /// Offer system file dialogs (never in tests).
    pub file_dialogs: bool,
}

impl AppConfig {
    /// No storage, no dialogs: for tests.
    pub fn headless() -> AppConfig {
        AppConfig {
            storage: None,
            panic_snapshot: None,
            file_dialogs: false,
        }
    }
}

/// Result of a file dialog.
struct DialogResult {
    request: DialogRequest,
    path: Option<PathBuf>,
}

/// The eframe application.
pub struct KduApp {
    state: AppState,
    forms: Forms,
    dialog: Option<Task<DialogResult>>,
    last_title: String,
}

impl KduApp {
    /// Creates the app from eframe; opens `project` in the background if given.
    pub fn new(cc: &eframe::CreationContext<'_>, project: Option<PathBuf>) -> Self {
        let config = AppConfig {
            storage: recovery::default_data_dir().map(Storage::new),
            panic_snapshot: None,
            file_dialogs: true,
        };
        Self::with_config(cc, project, config)
    }

    /// Creates the app from eframe with explicit settings.
    pub fn with_config(
        cc: &eframe::CreationContext<'_>,
        project: Option<PathBuf>,
        config: AppConfig,
    ) -> Self {
        let mut app = Self::from_config(config);
        app.state.set_context(&cc.egui_ctx);
        if let Some(path) = project {
            app.forms.open_path = path.display().to_string();
            // With a recovery copy on offer the app starts on the Start screen, where the user
            // decides; it does not silently open another project.
            if app.state.recovery_offer().is_none() {
                app.state.handle(Command::OpenProject(path));
            }
        }
        app
    }

    fn from_config(config: AppConfig) -> Self {
        let state = AppState::new(config.storage, config.panic_snapshot);
        let forms = Forms {
            dialogs_enabled: config.file_dialogs,
            ..Forms::default()
        };
        KduApp {
            state,
            forms,
            dialog: None,
            last_title: String::new(),
        }
    }

    /// An app without storage or dialogs showing an already loaded project (tests).
    pub fn with_loaded(lp: LoadedProject) -> Self {
        let mut app = Self::from_config(AppConfig::headless());
        app.forms.open_path = lp.path.display().to_string();
        app.state.set_loaded(lp);
        app
    }

    /// Opens a project synchronously (tests, tools). Errors are German messages.
    pub fn open_blocking(path: &Path) -> anyhow::Result<Self> {
        let mut app = Self::from_config(AppConfig::headless());
        app.forms.open_path = path.display().to_string();
        app.state.handle(Command::OpenProject(path.to_path_buf()));
        if !app.state.wait_for_tasks(Duration::from_secs(300)) {
            return Err(anyhow!(
                "Zeitüberschreitung beim Laden des Projekts: {}",
                path.display()
            ));
        }
        if app.state.doc().is_none() {
            let msg = app
                .state
                .messages()
                .iter()
                .rev()
                .find(|m| m.level == Level::Fehler)
                .map_or_else(|| "unbekannter Fehler".to_string(), |m| m.text.clone());
            return Err(anyhow!("{msg}"));
        }
        Ok(app)
    }

    /// The app state (read).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The app state (for tests: send commands with [`AppState::handle`]).
    pub fn state_mut(&mut self) -> &mut AppState {
        &mut self.state
    }

    /// The UI form state.
    pub fn forms_mut(&mut self) -> &mut Forms {
        &mut self.forms
    }

    /// Keyboard shortcuts; not while a text field has the focus (it has its own undo).
    fn shortcuts(&mut self, ctx: &egui::Context) {
        let text_focus = ctx.egui_wants_keyboard_input();
        let take = |mods: Modifiers, key: Key| {
            ctx.input_mut(|i| i.consume_shortcut(&KeyboardShortcut::new(mods, key)))
        };
        if take(Modifiers::COMMAND, Key::S) {
            self.state.handle(Command::Save);
        }
        if take(Modifiers::COMMAND, Key::O) {
            self.forms.focus_open = true;
            self.state.handle(Command::Navigate(Screen::Start));
        }
        if text_focus {
            return;
        }
        if take(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z) || take(Modifiers::COMMAND, Key::Y) {
            self.state.handle(Command::Redo);
        }
        if take(Modifiers::COMMAND, Key::Z) {
            self.state.handle(Command::Undo);
        }
    }

    /// Starts a requested file dialog on its own thread (the portal call blocks).
    fn start_dialog(&mut self, request: DialogRequest) {
        if self.dialog.is_some() {
            return;
        }
        let start_dir = self
            .state
            .doc()
            .and_then(|d| d.lp().path.parent().map(Path::to_path_buf));
        let export_name = PathBuf::from(&self.forms.export_path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned());
        let explore_name = PathBuf::from(&self.forms.explore.path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned());
        let work = move |_r: &mut tasks::Reporter<DialogResult>| {
            let mut dialog = rfd::FileDialog::new();
            if let Some(dir) = &start_dir {
                dialog = dialog.set_directory(dir);
            }
            let path = match request {
                DialogRequest::OpenProject => dialog
                    .set_title("Projekt öffnen")
                    .add_filter("KdU-Projekt", &["toml"])
                    .pick_file(),
                DialogRequest::NewProject => dialog
                    .set_title("Neues Projekt speichern unter")
                    .add_filter("KdU-Projekt", &["toml"])
                    .set_file_name("projekt.kdu.toml")
                    .save_file(),
                DialogRequest::ExportTarget => {
                    let mut d = dialog
                        .set_title("Arbeitsmappe speichern unter")
                        .add_filter("Excel-Arbeitsmappe", &["xlsx"]);
                    if let Some(name) = &export_name {
                        d = d.set_file_name(name);
                    }
                    d.save_file()
                }
                DialogRequest::ExploreTarget => {
                    let mut d = dialog
                        .set_title("Tabelle speichern unter")
                        .add_filter("Excel-Arbeitsmappe", &["xlsx"])
                        .add_filter("CSV (Semikolon)", &["csv"]);
                    if let Some(name) = &explore_name {
                        d = d.set_file_name(name);
                    }
                    d.save_file()
                }
                DialogRequest::SourceFile => dialog
                    .set_title("Datenquelle wählen")
                    .add_filter(
                        "Tabellen (Excel, CSV)",
                        &["xlsx", "xlsm", "xlsb", "xls", "ods", "csv", "txt", "tsv"],
                    )
                    .pick_file(),
                DialogRequest::RecipientsFile => dialog
                    .set_title("Bedarfsgemeinschaften wählen")
                    .add_filter(
                        "Tabellen (Excel, CSV)",
                        &["xlsx", "xlsm", "xlsb", "xls", "ods", "csv", "txt", "tsv"],
                    )
                    .pick_file(),
                DialogRequest::ClusterFile => dialog
                    .set_title("Indikatortabelle wählen")
                    .add_filter(
                        "Tabellen (Excel, CSV)",
                        &["xlsx", "xlsm", "xlsb", "xls", "ods", "csv", "txt", "tsv"],
                    )
                    .pick_file(),
                DialogRequest::BoundariesFile => dialog
                    .set_title("Gemeindegrenzen (GeoJSON) wählen")
                    .add_filter("GeoJSON", &["geojson", "json"])
                    .pick_file(),
                DialogRequest::GemeindeFile => dialog
                    .set_title("Gemeindetabelle wählen")
                    .add_filter(
                        "Tabellen (Excel, CSV)",
                        &["xlsx", "xlsm", "xlsb", "xls", "ods", "csv", "txt", "tsv"],
                    )
                    .pick_file(),
            };
            DialogResult { request, path }
        };
        match Task::spawn("kdu-dialog", "Dateiauswahl", 0, self.state.context(), work) {
            Ok(task) => self.dialog = Some(task),
            Err(e) => self.state.notify(Level::Fehler, e),
        }
    }

    fn poll_dialog(&mut self, ctx: &egui::Context) {
        let Some(task) = &mut self.dialog else { return };
        ctx.request_repaint_after(Duration::from_millis(200));
        let Some(result) = task.poll() else { return };
        self.dialog = None;
        match result {
            Ok(DialogResult {
                request,
                path: Some(path),
            }) => {
                let text = path.display().to_string();
                match request {
                    DialogRequest::OpenProject => {
                        self.forms.open_path = text;
                        self.state.handle(Command::OpenProject(path));
                    }
                    DialogRequest::NewProject => self.forms.new_path = text,
                    DialogRequest::ExportTarget => self.forms.export_path = text,
                    DialogRequest::ExploreTarget => self.forms.explore.path = text,
                    DialogRequest::SourceFile => self.choose_source_file(path),
                    DialogRequest::RecipientsFile => self.forms.recipients_path = text,
                    DialogRequest::ClusterFile => self.forms.cluster_path = text,
                    DialogRequest::BoundariesFile => self.forms.boundaries_path = text,
                    DialogRequest::GemeindeFile => {
                        self.forms.gemeinde_path = text;
                        self.forms.gemeinde_confirm = false;
                    }
                }
            }
            Ok(DialogResult { path: None, .. }) => self.state.notify(
                Level::Info,
                "Keine Datei ausgewählt. Falls kein Auswahldialog erschienen ist, bitte den Pfad direkt in das Feld eingeben.",
            ),
            Err(e) => self.state.notify(Level::Fehler, e),
        }
    }

    /// A data file was chosen (dialog or drag & drop): open the "Quelle hinzufügen" dialog on
    /// the Daten screen and read its preview.
    fn choose_source_file(&mut self, path: PathBuf) {
        let form = &mut self.forms.source;
        if !form.open {
            form.editing = None;
        }
        if form.editing.is_none() {
            form.kind = crate::init::guess_kind(&path);
        }
        form.open = true;
        form.path = path.display().to_string();
        self.state.handle(Command::Navigate(Screen::Daten));
        self.state
            .handle(Command::PreviewSource { path, sheet: None });
    }

    /// Files dropped onto the window: on the Vergleichsräume screen a Gemeinde table (or the
    /// Gemeinde boundaries, a `.geojson`/`.json` file), elsewhere a data source.
    fn take_dropped_files(&mut self, ctx: &egui::Context) {
        let dropped = ctx.input(|i| i.raw.dropped_files.clone());
        let Some(path) = dropped
            .iter()
            .map(|f| f.path().to_path_buf())
            .find(|p| !p.as_os_str().is_empty())
        else {
            return;
        };
        if self.state.doc().is_none() {
            self.state.notify(
                Level::Warnung,
                "Bitte zuerst ein Projekt öffnen oder anlegen; dann lassen sich Dateien als Datenquelle hineinziehen.",
            );
            return;
        }
        let geojson = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("geojson") || e.eq_ignore_ascii_case("json"));
        if self.state.screen() == Screen::Vergleichsraeume && geojson {
            self.forms.boundaries_path = path.display().to_string();
        } else if self.state.screen() == Screen::Vergleichsraeume {
            self.forms.gemeinde_path = path.display().to_string();
            self.forms.gemeinde_confirm = false;
        } else {
            self.choose_source_file(path);
        }
    }

    fn frame_ui(&mut self, ui: &mut egui::Ui) {
        let mut cmds: Vec<Command> = Vec::new();
        let state = &self.state;
        egui::Panel::top("kdu_top").show(ui, |ui| screens::top_ui(ui, state, &mut cmds));
        egui::Panel::bottom("kdu_status").show(ui, |ui| screens::status_ui(ui, state, &mut cmds));
        egui::Panel::left("kdu_nav")
            .resizable(false)
            .exact_size(230.0)
            .show(ui, |ui| screens::nav_ui(ui, state, &mut cmds));
        let forms = &mut self.forms;
        // The Start screen's path field shows the open project (however it was opened).
        if let Some(doc) = state.doc()
            && forms.open_path_for.as_deref() != Some(doc.lp().path.as_path())
        {
            forms.open_path = doc.lp().path.display().to_string();
            forms.open_path_for = Some(doc.lp().path.clone());
        }
        // Every id below is salted with the load generation: another project starts with its
        // scroll areas at the top (and fresh widget memory).
        let loads = state.load_generation();
        egui::CentralPanel::default().show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt(("screen_scroll", format!("{:?}", state.screen()), loads))
                .auto_shrink([false, false])
                .show(ui, |ui| {
                    ui.push_id(("project", loads), |ui| {
                        screens::screen_ui(ui, state, forms, &mut cmds);
                    });
                });
        });
        screens::pending_modal(ui.ctx(), state, &mut cmds);
        for cmd in cmds {
            self.state.handle(cmd);
        }
        if let Some(request) = self.forms.dialog_request.take() {
            self.start_dialog(request);
        }
    }
}

impl eframe::App for KduApp {
    fn on_exit(&mut self) {
        self.state.on_exit();
    }

    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.state.set_context(ctx);
        self.state.tick();
        self.poll_dialog(ctx);
        if ctx.input(|i| i.viewport().close_requested()) && !self.state.request_close() {
            ctx.send_viewport_cmd(ViewportCommand::CancelClose);
        }
        if self.state.take_close_request() {
            ctx.send_viewport_cmd(ViewportCommand::Close);
        }
        self.shortcuts(ctx);
        self.take_dropped_files(ctx);
        let title = self.state.title();
        if title != self.last_title {
            ctx.send_viewport_cmd(ViewportCommand::Title(title.clone()));
            self.last_title = title;
        }
        if self.state.busy() {
            // Keep the progress display moving even between worker messages.
            ctx.request_repaint_after(Duration::from_millis(250));
        }
        if self.state.is_dirty() {
            // Wake up for the recovery copy even when idle.
            ctx.request_repaint_after(state::AUTOSAVE_INTERVAL);
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.frame_ui(ui)));
        if let Err(payload) = result {
            let text = recovery::panic_text(payload.as_ref());
            self.state.write_recovery_now();
            self.state.notify(
                Level::Fehler,
                format!(
                    "Interner Fehler in der Anzeige: {text}. Ungespeicherte Änderungen wurden als Wiederherstellungskopie gesichert; bitte speichern und das Programm neu starten."
                ),
            );
        }
        report_timing(self.state.doc().is_some());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_that_ends_unexpectedly_gives_a_german_message_with_the_recovery_copy() {
        let panic = WindowFailure::Panic("called `Result::unwrap()` on an `Err` value".into());
        let copy = Ok(PathBuf::from("/daten/recovery.toml"));
        let text = window_failure_text(&panic, true, Some(&copy));
        assert!(
            text.starts_with("Das Programmfenster wurde unerwartet beendet"),
            "{text}"
        );
        assert!(text.contains("Wiederherstellungskopie gesichert"), "{text}");
        assert!(text.ends_with("/daten/recovery.toml"), "{text}");
        let text = window_failure_text(&panic, true, None);
        assert!(
            text.ends_with("Es gab keine ungespeicherten Änderungen."),
            "{text}"
        );
        let failed = Err("Ordner schreibgeschützt".to_string());
        let text = window_failure_text(&panic, true, Some(&failed));
        assert!(
            text.contains("nicht gesichert werden: Ordner schreibgeschützt"),
            "{text}"
        );

        let error = WindowFailure::Error("event loop error".into());
        let text = window_failure_text(&error, true, None);
        assert!(text.starts_with("Das Programmfenster wurde wegen eines Fehlers beendet (technische Ursache: event loop error)."), "{text}");
        let text = window_failure_text(&error, false, None);
        assert!(
            text.starts_with("Das Programmfenster konnte nicht geöffnet werden: event loop error."),
            "{text}"
        );
        assert!(text.contains("Kommandozeile"), "{text}");
    }
}
