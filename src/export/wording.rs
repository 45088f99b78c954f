//! German wording shared by several sheets (rule descriptions, severities, exclusions).

use crate::model::Exclusion;
use crate::model::params::{Parameters, ReferenceMethod};

/// Scope exclusions switched on, in German.
pub fn excluded_segments(p: &Parameters) -> Vec<&'static str> {
    Exclusion::ALL
        .into_iter()
        .filter(|e| e.is_excluded(&p.scope))
        .map(Exclusion::german)
        .collect()
}

/// The derivation rule in German ("33-%-Perzentil", "Median", …).
pub fn reference_rule_german(p: &Parameters) -> String {
    match p.reference.method {
        ReferenceMethod::Percentile => format!(
            "das {} %-Perzentil der Nettokaltmieten je m²",
            crate::fmt::number(p.reference.percentile * 100.0, 1).trim_end_matches(",0")
        ),
        ReferenceMethod::Median => "der Median der Nettokaltmieten je m²".to_string(),
        ReferenceMethod::Iterative => format!(
            "das Perzentil der Nettokaltmieten je m², das im iterativen Verfahren ab p = {} in Schritten von {} Prozentpunkten erhöht wird, bis mindestens {} der Angebote im Tabellenfeld angemessen sind",
            crate::fmt::percent(p.reference.percentile),
            crate::fmt::number(p.availability.p_step * 100.0, 0),
            crate::fmt::percent(p.availability.target_share)
        ),
        ReferenceMethod::Mean => "der Mittelwert der Nettokaltmieten je m²".to_string(),
        ReferenceMethod::Spannenoberwert => format!(
            "der Oberwert der zentralen {}-Spanne (Perzentil {}) der Nettokaltmieten je m²",
            crate::fmt::percent(p.reference.spanne),
            p.reference
                .effective_p()
                .map(|v| crate::fmt::number(v * 100.0, 1))
                .unwrap_or_default()
        ),
    }
}

/// A count in German format ("1.234").
pub fn num(n: usize) -> String {
    crate::fmt::number(n as f64, 0)
}

/// An amount per m² ("7,44 €/m²").
pub fn per_m2(v: f64) -> String {
    format!("{} €/m²", crate::fmt::number(v, 2))
}
