//! German wording shared by several sheets (rule descriptions, severities, exclusions).

use crate::model::Exclusion;
use crate::model::params::Parameters;

/// Scope exclusions switched on, in German.
pub fn excluded_segments(p: &Parameters) -> Vec<&'static str> {
    Exclusion::ALL
        .into_iter()
        .filter(|e| e.is_excluded(&p.scope))
        .map(Exclusion::german)
        .collect()
}

/// A count in German format ("1.234").
pub fn num(n: usize) -> String {
    crate::fmt::number(n as f64, 0)
}

/// An amount per m² ("7,44 €/m²").
pub fn per_m2(v: f64) -> String {
    format!("{} €/m²", crate::fmt::number(v, 2))
}
