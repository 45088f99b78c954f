//! The derivation of a schlüssiges Konzept, one module per step, in the order of the method:
//!
//! | step | module |
//! |---|---|
//! | scope, Vergleichsraum assignment, size classes, sorting (on data/scope change) | [`prepare`] |
//! | offer scope (window, duplicates, heating split) and counting | [`availability`] |
//! | Kappung of outliers | [`outliers`] |
//! | pooling of neighbouring size classes for a small cell (option) | [`pooling`] |
//! | the one histogram binning (app and workbook) | [`histogram`] |
//! | quantiles (the one quantile function) and summary statistics | [`quantile`], [`stats`] |
//! | weighting, coverage, size structure, Zirkelschluss share | [`representativeness`] |
//! | kalte Betriebskosten | [`bk`] |
//! | Referenzmiete incl. iterative procedure | [`reference`] |
//! | Produkttheorie and the money rounding | [`limits`] |
//! | Verfügbarkeitsprüfung of a cell | [`affordability`] |
//! | WoGG fallback | [`wogg`] |
//! | validity of a cell and the limit that applies | [`validity`] |
//! | Heizkosten | [`heating`] |
//! | Fortschreibung | [`fortschreibung`] |
//! | homogeneity report of the Vergleichsräume (rent level per Gemeinde, spread) | [`homogeneity`] |
//! | neighbouring Gemeinden from shared borders (contiguity of a Vergleichsraum) | [`contiguity`] |
//! | affordable offers per Gemeinde at the applied limit (spread, the map) | [`spread`] |
//! | Wirkungsanalyse: the recipients' households above the applied limit | [`impact`] |
//! | Ward clustering of Gemeinden on indicators (a proposal for Vergleichsräume) | [`cluster`] |
//! | the Schlüssigkeitsprüfung: one check per reason courts give, findings by BSG criterion | [`checks`] |
//!
//! [`prepare::Prepared`] is built when data or scope change (assign, filter, group, sort);
//! [`compute::compute`] orchestrates the steps on every parameter change and reuses it. The
//! output types are in [`result`].

pub mod affordability;
pub mod availability;
pub mod bk;
pub mod checks;
pub mod cluster;
pub mod compute;
pub mod contiguity;
pub mod explore;
pub mod fortschreibung;
pub mod heating;
pub mod histogram;
pub mod homogeneity;
pub mod impact;
pub mod limits;
pub mod outliers;
pub mod pooling;
pub mod prepare;
pub mod quantile;
pub mod reference;
pub mod representativeness;
pub mod result;
pub mod spread;
pub mod stats;
pub mod validity;
pub mod wogg;

pub use checks::CheckCode;
pub use compute::compute;
pub use prepare::Prepared;
pub use result::{
    Analysis, AppliedBasis, BkResult, CellImpact, CellRef, CellResult, Check, CheckStatus,
    Coverage, Flag, FortschreibungResult, FortschreibungRow, Funnel, GemeindeLimit, HeatingLimit,
    ImpactSummary, InvalidReason, Limits, OutlierResult, Severity, VrResult, Warning,
    WoggComparison,
};

use crate::dataset::Dataset;
use crate::model::Project;

/// Prepares and computes in one go (CLI, export, tests).
pub fn run(project: &Project, data: &Dataset) -> (Prepared, Analysis) {
    let prep = Prepared::new(&data.records, project);
    let analysis = compute(&prep, project, data);
    (prep, analysis)
}
