//! Recovery copies, the list of recent projects and the panic hook.
//!
//! The app keeps a recovery copy of the project TOML in the user's data folder
//! (`$XDG_DATA_HOME/kdu-konzept/recovery.toml`, else `~/.local/share/kdu-konzept/`): written every
//! 60 s while there are unsaved changes and from the panic hook, removed after saving or
//! discarding. The first line of the copy names the project file it belongs to, so the sources
//! (stored relative to the project file) can be found again on restore.

use crate::model::Project;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Prefix of the first line of a recovery file, followed by the project path.
const PATH_MARKER: &str = "# kdu-konzept-wiederherstellung: ";

/// Maximum number of entries in the recent-projects list.
const RECENT_MAX: usize = 10;

/// The app's folder for recovery copies and the recent list: `$XDG_DATA_HOME/kdu-konzept` or
/// `$HOME/.local/share/kdu-konzept`. `None` when neither variable is set.
pub fn default_data_dir() -> Option<PathBuf> {
    let from_xdg = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    let base = from_xdg.or_else(|| {
        std::env::var_os("HOME")
            .filter(|v| !v.is_empty())
            .map(|h| PathBuf::from(h).join(".local").join("share"))
    })?;
    Some(base.join("kdu-konzept"))
}

/// A recovery copy found on disk.
#[derive(Debug, Clone)]
pub struct RecoveryCopy {
    /// The project as it was when the copy was written.
    pub project: Project,
    /// The project file the copy belongs to.
    pub project_path: PathBuf,
    /// When the copy was written (file modification time), German text.
    pub written: String,
}

/// Recovery file and recent list in one data folder.
#[derive(Debug, Clone)]
pub struct Storage {
    dir: PathBuf,
}

impl Storage {
    /// Storage in `dir` (created on first write).
    pub fn new(dir: PathBuf) -> Storage {
        Storage { dir }
    }

    /// The data folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Path of the recovery copy.
    pub fn recovery_path(&self) -> PathBuf {
        self.dir.join("recovery.toml")
    }

    fn recent_path(&self) -> PathBuf {
        self.dir.join("recent.txt")
    }

    /// Writes the recovery copy atomically. Errors are German messages.
    pub fn write_recovery(&self, project: &Project, project_path: &Path) -> Result<(), String> {
        let text = recovery_text(project, project_path)?;
        std::fs::create_dir_all(&self.dir).map_err(|e| {
            format!(
                "Wiederherstellungskopie: Ordner kann nicht angelegt werden: {} ({})",
                crate::io_util::io_error_german(&e),
                self.dir.display()
            )
        })?;
        let path = self.recovery_path();
        crate::io_util::write_atomic(&path, text.as_bytes()).map_err(|e| {
            format!(
                "Wiederherstellungskopie kann nicht geschrieben werden: {} ({})",
                crate::io_util::io_error_german(&e),
                path.display()
            )
        })
    }

    /// Reads the recovery copy, if there is a usable one.
    pub fn read_recovery(&self) -> Option<RecoveryCopy> {
        let path = self.recovery_path();
        let text = std::fs::read_to_string(&path).ok()?;
        let first = text.lines().next()?;
        let project_path = PathBuf::from(first.strip_prefix(PATH_MARKER)?.trim());
        let project = Project::from_toml(&text, &path.display().to_string()).ok()?;
        let written = std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .ok()
            .map(describe_time)
            .unwrap_or_default();
        Some(RecoveryCopy {
            project,
            project_path,
            written,
        })
    }

    /// Removes the recovery copy (missing file is fine).
    pub fn clear_recovery(&self) {
        let _ = std::fs::remove_file(self.recovery_path());
    }

    /// The recent projects, newest first, existing files only.
    pub fn recent(&self) -> Vec<PathBuf> {
        std::fs::read_to_string(self.recent_path())
            .unwrap_or_default()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(PathBuf::from)
            .filter(|p| p.is_file())
            .take(RECENT_MAX)
            .collect()
    }

    /// Puts `path` first in the recent list. Failures are ignored: the list is a convenience.
    pub fn add_recent(&self, path: &Path) {
        let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let mut list = self.recent();
        list.retain(|p| p != &path);
        list.insert(0, path);
        list.truncate(RECENT_MAX);
        let text: String = list.iter().map(|p| format!("{}\n", p.display())).collect();
        if std::fs::create_dir_all(&self.dir).is_ok() {
            let _ = crate::io_util::write_atomic(&self.recent_path(), text.as_bytes());
        }
    }
}

/// The text of a recovery file: marker line with the project path, then the project TOML.
fn recovery_text(project: &Project, project_path: &Path) -> Result<String, String> {
    let body = project.to_toml().map_err(|e| e.to_string())?;
    Ok(format!("{PATH_MARKER}{}\n{body}", project_path.display()))
}

/// "vor 5 Minuten" style description of a file time.
fn describe_time(t: std::time::SystemTime) -> String {
    match t.elapsed() {
        Ok(d) if d.as_secs() < 120 => "vor weniger als 2 Minuten".to_string(),
        Ok(d) if d.as_secs() < 2 * 3600 => format!("vor {} Minuten", d.as_secs() / 60),
        Ok(d) if d.as_secs() < 2 * 86_400 => format!("vor {} Stunden", d.as_secs() / 3600),
        Ok(d) => format!("vor {} Tagen", d.as_secs() / 86_400),
        Err(_) => String::new(),
    }
}

/// What the panic hook saves: the current project and where it belongs. Updated by the app
/// after every change while there are unsaved changes; `None` when everything is saved.
pub type PanicSnapshot = Arc<Mutex<Option<(Project, PathBuf)>>>;

/// Writes the recovery copy of the unsaved project in `snapshot`. `None` when there is nothing
/// unsaved (or the snapshot is locked by the panicking code); otherwise the copy's path or the
/// German error. Used by the panic hook and when the window ends unexpectedly.
pub fn save_snapshot(
    storage: &Storage,
    snapshot: &PanicSnapshot,
) -> Option<Result<PathBuf, String>> {
    // try_lock: the panic may have happened while the lock was held. A poisoned lock still
    // holds the last project.
    let guard = match snapshot.try_lock() {
        Ok(guard) => guard,
        Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
        Err(std::sync::TryLockError::WouldBlock) => return None,
    };
    let (project, path) = guard.as_ref()?;
    Some(
        storage
            .write_recovery(project, path)
            .map(|()| storage.recovery_path()),
    )
}

/// Installs a panic hook that names the internal error and its place in German, writes the
/// recovery copy from `snapshot` and says so. The standard panic report (English, with a
/// backtrace) follows only when `RUST_BACKTRACE` is set, for developers. Call once, from [`crate::app::run`].
pub fn install_panic_hook(storage: Storage, snapshot: PanicSnapshot) {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let place = info
            .location()
            .map_or_else(String::new, |l| format!(" in {}:{}", l.file(), l.line()));
        eprintln!(
            "KdU-Konzept: Interner Fehler: {}{place}",
            panic_text(info.payload())
        );
        match save_snapshot(&storage, &snapshot) {
            Some(Ok(path)) => eprintln!(
                "KdU-Konzept: Die ungespeicherten Änderungen wurden als Wiederherstellungskopie gesichert: {}",
                path.display()
            ),
            Some(Err(e)) => eprintln!("KdU-Konzept: {e}"),
            None => {}
        }
        if std::env::var_os("RUST_BACKTRACE").is_some_and(|v| !v.is_empty() && v != "0") {
            previous(info);
        }
    }));
}

/// German text of a panic payload.
pub fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unbekannte Ursache".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Date;

    #[test]
    fn recovery_roundtrip_and_recent() {
        let dir = tempfile::tempdir().unwrap();
        let storage = Storage::new(dir.path().join("data"));
        assert!(storage.read_recovery().is_none());
        let project = Project::new("Test", Date::from_ymd(2025, 1, 1).unwrap());
        let project_path = dir.path().join("p.kdu.toml");
        storage.write_recovery(&project, &project_path).unwrap();
        let copy = storage.read_recovery().unwrap();
        assert_eq!(copy.project, project);
        assert_eq!(copy.project_path, project_path);
        storage.clear_recovery();
        assert!(storage.read_recovery().is_none());

        // The snapshot of the panic hook: nothing unsaved, then a project.
        let snapshot: PanicSnapshot = Arc::new(Mutex::new(None));
        assert!(save_snapshot(&storage, &snapshot).is_none());
        *snapshot.lock().unwrap() = Some((project.clone(), project_path.clone()));
        let written = save_snapshot(&storage, &snapshot).unwrap().unwrap();
        assert_eq!(written, storage.recovery_path());
        assert_eq!(storage.read_recovery().unwrap().project, project);
        storage.clear_recovery();

        project.save(&project_path).unwrap();
        storage.add_recent(&project_path);
        storage.add_recent(&project_path);
        assert_eq!(storage.recent().len(), 1);
    }
}
