//! Undo history: snapshots of the project before each change. Consecutive edits of the same
//! key within a short window form one step (a slider drag, typing a justification).

use crate::model::Project;
use std::time::{Duration, Instant};

/// Undo steps kept.
const UNDO_LIMIT: usize = 200;
/// Consecutive edits of the same parameter within this window form one undo step
/// (a slider drag, a burst of key presses, typing a justification).
const MERGE_WINDOW: Duration = Duration::from_millis(1500);

/// Undo and redo stacks of project snapshots.
#[derive(Default)]
pub struct History {
    undo: Vec<Project>,
    redo: Vec<Project>,
    last_edit: Option<(String, Instant)>,
}

impl History {
    /// Records that `previous` was replaced by an edit named `merge_key`: a new undo step unless
    /// it continues the previous edit of the same key within the merge window. Clears redo.
    pub fn record(&mut self, previous: Project, merge_key: Option<String>) {
        let merge = match (&merge_key, &self.last_edit) {
            (Some(key), Some((last, at))) => key == last && at.elapsed() < MERGE_WINDOW,
            _ => false,
        };
        if !merge {
            self.undo.push(previous);
            if self.undo.len() > UNDO_LIMIT {
                self.undo.remove(0);
            }
        }
        self.redo.clear();
        self.last_edit = merge_key.map(|k| (k, Instant::now()));
    }

    /// Undo (`back`) or redo: swaps `current` with the newest snapshot of that stack and keeps
    /// `current` on the other one. False when there is nothing to undo or redo.
    pub fn step(&mut self, current: &mut Project, back: bool) -> bool {
        let (from, to) = if back {
            (&mut self.undo, &mut self.redo)
        } else {
            (&mut self.redo, &mut self.undo)
        };
        let Some(target) = from.pop() else {
            return false;
        };
        to.push(std::mem::replace(current, target));
        self.last_edit = None;
        true
    }

    /// Number of undo and redo steps.
    pub fn steps(&self) -> (usize, usize) {
        (self.undo.len(), self.redo.len())
    }

    /// Forgets everything (another project was opened).
    pub fn clear(&mut self) {
        *self = History::default();
    }

    /// Changes every snapshot (a non-undoable patch must survive undo and redo).
    pub fn patch_all(&mut self, mut f: impl FnMut(&mut Project)) {
        self.undo
            .iter_mut()
            .chain(self.redo.iter_mut())
            .for_each(&mut f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Date;

    fn project(name: &str) -> Project {
        Project::new(name, Date::from_ymd(2025, 1, 1).unwrap())
    }

    #[test]
    fn edits_of_one_key_merge_others_do_not() {
        let mut h = History::default();
        h.record(project("a"), Some("k".into()));
        h.record(project("b"), Some("k".into()));
        assert_eq!(h.steps(), (1, 0));
        h.record(project("c"), Some("other".into()));
        h.record(project("d"), None);
        h.record(project("e"), None);
        assert_eq!(h.steps(), (4, 0));
    }

    #[test]
    fn undo_and_redo_swap_snapshots() {
        let mut h = History::default();
        h.record(project("alt"), None);
        let mut current = project("neu");
        assert!(h.step(&mut current, true));
        assert_eq!(current.project.name, "alt");
        assert_eq!(h.steps(), (0, 1));
        assert!(!h.step(&mut current, true));
        assert!(h.step(&mut current, false));
        assert_eq!(current.project.name, "neu");
        // A new edit clears redo.
        assert!(h.step(&mut current, true));
        h.record(project("x"), None);
        assert_eq!(h.steps(), (1, 0));
    }

    #[test]
    fn the_stack_is_limited() {
        let mut h = History::default();
        for i in 0..UNDO_LIMIT + 5 {
            h.record(project(&i.to_string()), None);
        }
        assert_eq!(h.steps(), (UNDO_LIMIT, 0));
        let mut current = project("jetzt");
        assert!(h.step(&mut current, true));
        assert_eq!(current.project.name, (UNDO_LIMIT + 4).to_string());
    }

    #[test]
    fn a_patch_reaches_every_snapshot() {
        let mut h = History::default();
        h.record(project("a"), None);
        h.record(project("b"), None);
        let mut current = project("c");
        assert!(h.step(&mut current, true));
        h.patch_all(|p| p.project.name.push('!'));
        assert!(h.step(&mut current, true));
        assert_eq!(current.project.name, "a!");
        assert!(h.step(&mut current, false));
        assert!(h.step(&mut current, false));
        assert_eq!(current.project.name, "c!");
    }
}
