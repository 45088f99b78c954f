//! The background jobs of the app in one registry: at most one running job per [`Job`] kind,
//! each a named thread ([`Task`]) that hands back a [`JobOutcome`]. Starting a job cancels and
//! drops a running one of the same kind, so a finished job is always the newest of its kind.
//! Each job remembers the project generation it was started for.
//!
//! The work done on the worker threads is here as well ([`load_document`],
//! [`reload_sources`], [`write_export`]).

use super::document::Document;
use crate::analysis::Analysis;
use crate::analysis::prepare::Prepared;
use crate::app::source_import::SourcePreview;
use crate::app::tasks::{Reporter, Task};
use crate::dataset::{Dataset, LoadedProject};
use crate::export::Variant;
use crate::model::Project;
use crate::model::project::SourceSpec;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The kinds of background work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    /// Load a project with its data.
    Load,
    /// Read the data again after the sources changed.
    Reload,
    /// Read the first rows of a file for the "Quelle hinzufügen" dialog.
    Preview,
    /// Write the workbook.
    Export,
}

/// Reloaded data, their warnings and prepared state, or a German error.
pub type ReloadResult = Result<Box<(Dataset, Vec<String>, Prepared)>, String>;

/// What a finished job hands back.
pub enum JobOutcome {
    /// The loaded document, or a German error; `recovered`: from the recovery copy (unsaved).
    Load {
        /// Document or error.
        result: Result<Box<Document>, String>,
        /// The project comes from the recovery copy.
        recovered: bool,
    },
    /// Data reloaded for the sources `key`.
    Reload {
        /// The sources the data were loaded for ([`super::document::sources_key`]).
        key: Vec<SourceSpec>,
        /// Data, warnings and the prepared state, or a German error.
        result: ReloadResult,
    },
    /// The preview, or a German error.
    Preview(Result<SourcePreview, String>),
    /// The written file, or a German error.
    Export(Result<PathBuf, String>),
}

/// A job that ended.
pub struct Finished {
    /// Its kind.
    pub job: Job,
    /// Project generation the job was started for.
    pub generation: u64,
    /// What it handed back, or a German error if the worker died.
    pub outcome: Result<JobOutcome, String>,
}

/// The running jobs.
#[derive(Default)]
pub struct Jobs {
    running: Vec<(Job, Task<JobOutcome>)>,
}

impl Jobs {
    /// Starts `work` as `job` on a thread called `thread_name`, replacing (and cancelling) a
    /// running job of the same kind. `generation` = the project generation it is started for.
    pub fn start(
        &mut self,
        job: Job,
        thread_name: &str,
        label: impl Into<String>,
        generation: u64,
        ctx: Option<egui::Context>,
        work: impl FnOnce(&mut Reporter<JobOutcome>) -> JobOutcome + Send + 'static,
    ) -> Result<(), String> {
        self.cancel(job);
        let task = Task::spawn(thread_name, label, generation, ctx, work)?;
        self.running.push((job, task));
        Ok(())
    }

    /// The running job of a kind (label, progress, start time).
    pub fn get(&self, job: Job) -> Option<&Task<JobOutcome>> {
        self.running.iter().find(|(j, _)| *j == job).map(|(_, t)| t)
    }

    /// True while a job of this kind runs.
    pub fn is_running(&self, job: Job) -> bool {
        self.get(job).is_some()
    }

    /// True while any job runs.
    pub fn any(&self) -> bool {
        !self.running.is_empty()
    }

    /// Asks the job to stop but keeps waiting for its answer (a cancelled load reports).
    pub fn request_cancel(&self, job: Job) {
        if let Some(task) = self.get(job) {
            task.cancel();
        }
    }

    /// Cancels the job and forgets it: its result is never seen. True if one was running.
    pub fn cancel(&mut self, job: Job) -> bool {
        let before = self.running.len();
        self.running.retain(|(j, task)| {
            if *j == job {
                task.cancel();
            }
            *j != job
        });
        self.running.len() != before
    }

    /// Takes one job that has ended (polling all, which also updates their progress); with a
    /// deadline and none ended yet, waits for the oldest up to it. One at a time, so that what
    /// finishing a job cancels is never taken.
    pub fn next_finished(&mut self, deadline: Option<Instant>) -> Option<Finished> {
        let mut ended = None;
        for (i, (_, task)) in self.running.iter_mut().enumerate() {
            if let Some(outcome) = task.poll() {
                ended = Some((i, outcome));
                break;
            }
        }
        if ended.is_none()
            && let Some(d) = deadline
            && let Some((_, task)) = self.running.first_mut()
        {
            ended = task
                .wait(d.saturating_duration_since(Instant::now()))
                .map(|outcome| (0, outcome));
        }
        let (i, outcome) = ended?;
        let (job, task) = self.running.remove(i);
        Some(Finished {
            job,
            generation: task.generation,
            outcome,
        })
    }
}

/// Loads a project with its data and prepares it (runs on the worker). With `replacement`,
/// that project is used instead of the file's content (its sources are still read relative
/// to `path`).
pub fn load_document(
    path: &Path,
    replacement: Option<Project>,
    r: &mut Reporter<JobOutcome>,
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

/// Reads the sources of `project` (file `path`) again and prepares them (runs on the worker).
pub fn reload_sources(
    path: &Path,
    project: &Project,
    r: &mut Reporter<JobOutcome>,
) -> ReloadResult {
    let mut progress = |source: usize, done: u64, total: u64| {
        let fraction = (total > 0).then(|| done as f32 / total as f32);
        r.progress(fraction, || format!("Quelle {}", source + 1))
    };
    crate::dataset::load_sources(path, project, &mut progress)
        .map_err(|e| e.to_string())
        .map(|(data, warnings)| {
            let prep = Prepared::new(&data.records, project);
            Box::new((data, warnings, prep))
        })
}

/// Writes the workbook (runs on the worker); errors as German text.
pub fn write_export(
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn export_job(jobs: &mut Jobs, generation: u64, answer: &'static str) {
        jobs.start(
            Job::Export,
            "kdu-test",
            "Test",
            generation,
            None,
            move |_r| {
                std::thread::sleep(Duration::from_millis(20));
                JobOutcome::Export(Ok(PathBuf::from(answer)))
            },
        )
        .unwrap();
    }

    #[test]
    fn a_new_job_replaces_the_running_one_of_its_kind() {
        let mut jobs = Jobs::default();
        export_job(&mut jobs, 1, "alt.xlsx");
        export_job(&mut jobs, 2, "neu.xlsx");
        assert!(jobs.is_running(Job::Export));
        assert!(!jobs.is_running(Job::Load));
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut done = Vec::new();
        while jobs.any() && Instant::now() < deadline {
            done.extend(jobs.next_finished(Some(deadline)));
        }
        assert_eq!(done.len(), 1);
        assert_eq!(done[0].generation, 2);
        assert!(matches!(
            &done[0].outcome,
            Ok(JobOutcome::Export(Ok(p))) if p == Path::new("neu.xlsx")
        ));
    }

    #[test]
    fn a_cancelled_job_is_forgotten() {
        let mut jobs = Jobs::default();
        export_job(&mut jobs, 1, "a.xlsx");
        assert!(jobs.cancel(Job::Export));
        assert!(!jobs.cancel(Job::Export));
        assert!(!jobs.any());
        assert!(jobs.next_finished(None).is_none());
    }
}
