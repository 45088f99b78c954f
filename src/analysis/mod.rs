//! The statistical pipeline: scope → segment → outliers → statistics → derivation → limits.

pub mod quantile;
pub mod stats;
