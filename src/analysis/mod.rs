//! The statistical pipeline: scope → segment → outliers → statistics → derivation → limits.
//!
//! [`prepare::Prepared`] is built when data or scope change (assign, filter, group, sort);
//! [`compute::compute`] runs on every parameter change and reuses it.

pub mod availability;
pub mod compute;
pub mod histogram;
pub mod prepare;
pub mod quantile;
pub mod stats;
pub mod warnings;

pub use compute::{Analysis, CellResult, compute};
pub use prepare::Prepared;

use crate::dataset::Dataset;
use crate::model::Project;

/// Prepares and computes in one go (CLI, export, tests).
pub fn run(project: &Project, data: &Dataset) -> (Prepared, Analysis) {
    let prep = Prepared::new(&data.records, project);
    let analysis = compute(&prep, project, data);
    (prep, analysis)
}
