//! Referenzmiete (NKM €/m²) of one cell: a percentile, the median, the mean, the Spannenoberwert
//! or the iterative procedure that raises the percentile until enough offers are affordable.

use super::affordability::Affordability;
use super::availability::IterationStep;
use super::limits::maybe_round;
use super::quantile::{QuantileType, WeightedQuantiles, quantile_sorted};
use super::stats::{mean, weighted_mean};
use crate::model::params::{IterationStart, Parameters, ReferenceMethod};

/// The values of one cell after outliers, with their post-stratification weights if any.
pub struct CellValues<'a> {
    /// Sorted values kept after outliers.
    pub kept: &'a [f64],
    /// Weights aligned with `kept`.
    pub weights: Option<&'a [f64]>,
    /// `kept` with `weights` prepared for quantiles (built once per cell by [`CellValues::new`]).
    weighted: Option<WeightedQuantiles<'a>>,
    /// Quantile type for unweighted quantiles.
    pub qt: QuantileType,
}

impl<'a> CellValues<'a> {
    /// The values of a cell, weighted when `weights` is set.
    pub fn new(kept: &'a [f64], weights: Option<&'a [f64]>, qt: QuantileType) -> CellValues<'a> {
        CellValues {
            kept,
            weights,
            weighted: weights.and_then(|w| WeightedQuantiles::new(kept, w)),
            qt,
        }
    }

    /// The p-quantile (weighted when weights are set; `None` for unusable weights).
    pub fn at(&self, p: f64) -> Option<f64> {
        match (&self.weighted, self.weights) {
            (Some(w), _) => w.at(p),
            (None, Some(_)) => None,
            (None, None) => quantile_sorted(self.kept, p, self.qt),
        }
    }

    /// The (weighted) mean.
    fn mean(&self) -> Option<f64> {
        match self.weights {
            Some(w) => weighted_mean(self.kept, w),
            None => mean(self.kept),
        }
    }
}

/// The derived Referenzmiete of one cell.
#[derive(Debug, Clone, Default)]
pub struct ReferenceRent {
    /// Percentile used (`None` for the mean); for the iterative method the final p.
    pub p: Option<f64>,
    /// NKM €/m² unrounded.
    pub raw: Option<f64>,
    /// Iteration log (iterative method only).
    pub iteration: Vec<IterationStep>,
    /// The iteration reached the availability target.
    pub target_reached: bool,
}

/// Derives the Referenzmiete by the configured method.
pub fn derive(
    params: &Parameters,
    household_size: u32,
    values: &CellValues,
    afford: &Affordability,
) -> ReferenceRent {
    match params.reference.method {
        ReferenceMethod::Mean => ReferenceRent {
            raw: values.mean(),
            ..ReferenceRent::default()
        },
        ReferenceMethod::Iterative => iterate(params, household_size, values, afford),
        _ => {
            let p = params.reference.effective_p();
            ReferenceRent {
                p,
                raw: p.and_then(|p| values.at(p)),
                ..ReferenceRent::default()
            }
        }
    }
}

/// The rule of the Referenzmiete in German, as in "Die Referenzmiete ist …" (method text,
/// Prüfkatalog, Schlüssigkeitsprüfung).
pub fn rule_german(p: &Parameters) -> String {
    let r = &p.reference;
    match r.method {
        ReferenceMethod::Percentile => format!(
            "das {} %-Perzentil der Nettokaltmieten je m²",
            crate::fmt::number(r.percentile * 100.0, 1).trim_end_matches(",0")
        ),
        ReferenceMethod::Median => "der Median der Nettokaltmieten je m²".to_string(),
        ReferenceMethod::Iterative => format!(
            "das Perzentil der Nettokaltmieten je m², das im iterativen Verfahren ab {} in Schritten von {} Prozentpunkten bis höchstens {} erhöht wird, bis mindestens {} der Angebote im Tabellenfeld angemessen sind",
            match p.availability.start {
                IterationStart::Fixed => format!("p = {}", crate::fmt::percent(r.percentile)),
                IterationStart::DemandShare => format!(
                    "dem Anteil der Nachfragegruppe an den Mieterhaushalten je Haushaltsgröße (mindestens {}, ohne Angabe {})",
                    crate::fmt::percent(p.availability.p_floor),
                    crate::fmt::percent(r.percentile)
                ),
            },
            crate::fmt::number(p.availability.p_step * 100.0, 0),
            crate::fmt::percent(p.availability.p_max),
            crate::fmt::percent(p.availability.target_share)
        ),
        ReferenceMethod::Mean => "der Mittelwert der Nettokaltmieten je m²".to_string(),
        ReferenceMethod::Spannenoberwert => format!(
            "der Oberwert der zentralen {}-Spanne (Perzentil {}) der Nettokaltmieten je m²",
            crate::fmt::percent(r.spanne),
            r.effective_p()
                .map(|v| crate::fmt::number(v * 100.0, 1))
                .unwrap_or_default()
        ),
    }
}

/// The start percentile of the iterative procedure for a household size.
pub fn iteration_start(params: &Parameters, household_size: u32) -> f64 {
    let a = &params.availability;
    match a.start {
        IterationStart::Fixed => params.reference.percentile,
        IterationStart::DemandShare => a
            .demand
            .iter()
            .find(|d| d.household_size == household_size)
            .and_then(|d| d.share())
            .unwrap_or(params.reference.percentile)
            .max(a.p_floor),
    }
}

/// Iterative procedure (BSG K8): from the start percentile in steps of `p_step` up to `p_max`
/// until the share of affordable offers reaches the target.
fn iterate(
    params: &Parameters,
    household_size: u32,
    values: &CellValues,
    afford: &Affordability,
) -> ReferenceRent {
    let a = &params.availability;
    let round = params.reference.round_per_m2;
    let mut p = iteration_start(params, household_size).clamp(0.0, 1.0);
    let mut value = values.at(p);
    let step = a.p_step.max(0.001);
    let mut iteration = Vec::new();
    let mut target_reached = false;
    while let Some(v) = value {
        let used = maybe_round(Some(v), round).unwrap_or(v);
        let Some(s) = afford.at(p, used) else {
            break;
        };
        iteration.push(s);
        if s.share >= a.target_share {
            target_reached = true;
            break;
        }
        let next = ((p + step) * 1e9).round() / 1e9;
        if next > a.p_max + 1e-12 {
            break;
        }
        p = next;
        value = values.at(p);
    }
    ReferenceRent {
        p: Some(p),
        raw: value,
        iteration,
        target_reached,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::availability::Availability;
    use crate::model::params::RoundingMode;

    #[test]
    fn fixed_percentile_and_mean() {
        let kept: Vec<f64> = (1..=10).map(f64::from).collect();
        let values = CellValues::new(&kept, None, QuantileType::T7);
        let offers = Availability::default();
        let afford = Affordability {
            offers: &offers,
            area: 50.0,
            bk_per_m2: Some(2.0),
            mode: RoundingMode::Cents,
        };
        let mut params = Parameters::default();
        params.reference.method = ReferenceMethod::Percentile;
        params.reference.percentile = 0.5;
        let r = derive(&params, 1, &values, &afford);
        assert_eq!((r.p, r.raw), (Some(0.5), Some(5.5)));
        params.reference.method = ReferenceMethod::Mean;
        let r = derive(&params, 1, &values, &afford);
        assert_eq!((r.p, r.raw), (None, Some(5.5)));
        // Without offers the iteration stops at its start and does not reach the target.
        params.reference.method = ReferenceMethod::Iterative;
        let r = derive(&params, 1, &values, &afford);
        assert!(!r.target_reached && r.iteration.is_empty());
        assert_eq!(r.p, Some(iteration_start(&params, 1)));
    }
}
