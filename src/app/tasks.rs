//! Background tasks: named threads whose results come back over a channel, polled once per
//! frame. Each task has a cancel flag, optional progress and the generation of the project
//! state it was started for, so results for an outdated state can be recognised.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};
use std::time::{Duration, Instant};

/// Message from a worker.
enum TaskMsg<T> {
    Progress {
        fraction: Option<f32>,
        detail: String,
    },
    Done(T),
}

/// The worker's side: report progress, ask whether the user cancelled.
pub struct Reporter<T> {
    tx: Sender<TaskMsg<T>>,
    cancel: Arc<AtomicBool>,
    ctx: Option<egui::Context>,
    last_sent: Option<Instant>,
}

impl<T> Reporter<T> {
    /// Reports progress (throttled to ~20 messages per second); returns false when the user
    /// cancelled.
    pub fn progress(&mut self, fraction: Option<f32>, detail: impl FnOnce() -> String) -> bool {
        let due = self
            .last_sent
            .is_none_or(|t| t.elapsed() >= Duration::from_millis(50));
        if due {
            self.last_sent = Some(Instant::now());
            let _ = self.tx.send(TaskMsg::Progress {
                fraction,
                detail: detail(),
            });
            if let Some(ctx) = &self.ctx {
                ctx.request_repaint();
            }
        }
        !self.is_cancelled()
    }

    /// True once the user cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

/// A running background task.
pub struct Task<T> {
    /// German description ("Projekt wird geladen").
    pub label: String,
    /// Generation of the project state the task was started for.
    pub generation: u64,
    /// Last reported progress (0..1), `None` = unknown.
    pub fraction: Option<f32>,
    /// Last reported detail text.
    pub detail: String,
    /// When the task started.
    pub started: Instant,
    rx: Receiver<TaskMsg<T>>,
    cancel: Arc<AtomicBool>,
}

impl<T: Send + 'static> Task<T> {
    /// Starts `work` on a thread called `thread_name`. The result is sent back when done and
    /// `ctx` (if any) is asked to repaint.
    pub fn spawn(
        thread_name: &str,
        label: impl Into<String>,
        generation: u64,
        ctx: Option<egui::Context>,
        work: impl FnOnce(&mut Reporter<T>) -> T + Send + 'static,
    ) -> Result<Task<T>, String> {
        let (tx, rx) = channel();
        let cancel = Arc::new(AtomicBool::new(false));
        let mut reporter = Reporter {
            tx,
            cancel: Arc::clone(&cancel),
            ctx,
            last_sent: None,
        };
        std::thread::Builder::new()
            .name(thread_name.to_string())
            .spawn(move || {
                let result = work(&mut reporter);
                let _ = reporter.tx.send(TaskMsg::Done(result));
                if let Some(ctx) = &reporter.ctx {
                    ctx.request_repaint();
                }
            })
            .map_err(|e| format!("Hintergrundaufgabe kann nicht gestartet werden: {e}"))?;
        Ok(Task {
            label: label.into(),
            generation,
            fraction: None,
            detail: String::new(),
            started: Instant::now(),
            rx,
            cancel,
        })
    }

    /// Drains the channel: updates progress and returns the result once the task is done.
    /// `Some(Err(..))` if the worker died without a result (a panic in the worker).
    pub fn poll(&mut self) -> Option<Result<T, String>> {
        loop {
            match self.rx.try_recv() {
                Ok(TaskMsg::Progress { fraction, detail }) => {
                    self.fraction = fraction;
                    self.detail = detail;
                }
                Ok(TaskMsg::Done(result)) => return Some(Ok(result)),
                Err(TryRecvError::Empty) => return None,
                Err(TryRecvError::Disconnected) => {
                    return Some(Err(format!(
                        "{}: Die Hintergrundaufgabe wurde wegen eines internen Fehlers beendet.",
                        self.label
                    )));
                }
            }
        }
    }

    /// Waits up to `timeout` for the result (tests, blocking open).
    pub fn wait(&mut self, timeout: Duration) -> Option<Result<T, String>> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(r) = self.poll() {
                return Some(r);
            }
            let now = Instant::now();
            if now >= deadline {
                return None;
            }
            match self.rx.recv_timeout(deadline - now) {
                Ok(TaskMsg::Progress { fraction, detail }) => {
                    self.fraction = fraction;
                    self.detail = detail;
                }
                Ok(TaskMsg::Done(result)) => return Some(Ok(result)),
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => return None,
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                    return Some(Err(format!(
                        "{}: Die Hintergrundaufgabe wurde wegen eines internen Fehlers beendet.",
                        self.label
                    )));
                }
            }
        }
    }

    /// Asks the worker to stop.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// True once cancel was requested.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_reports_and_finishes() {
        let mut task = Task::spawn("kdu-test", "Test", 7, None, |r: &mut Reporter<u32>| {
            r.progress(Some(0.5), || "halb".into());
            42
        })
        .unwrap();
        assert_eq!(task.wait(Duration::from_secs(5)), Some(Ok(42)));
        assert_eq!(task.generation, 7);
    }

    #[test]
    fn cancel_is_seen_by_worker() {
        let mut task = Task::spawn("kdu-test", "Test", 0, None, |r: &mut Reporter<bool>| {
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(5) {
                if !r.progress(None, String::new) {
                    return true;
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            false
        })
        .unwrap();
        task.cancel();
        assert_eq!(task.wait(Duration::from_secs(5)), Some(Ok(true)));
    }
}
