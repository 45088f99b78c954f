//! Kalte Betriebskosten: the statistic (median, mean or percentile) of the plausible BK/m²,
//! optionally weighted and split by Aufzug, or an external value with its source (per project
//! or per Vergleichsraum). Amounts whose Nebenkosten include heating are no kalte BK: they are
//! counted, not used (docs/METHOD.md §2.9).

use super::prepare::BkValues;
use super::quantile::{QuantileType, quantile_sorted, weighted_quantile_sorted};
use super::representativeness::post_stratification;
use super::result::BkResult;
use super::stats::{mean, weighted_mean};
use crate::model::params::{BkChoice, BkSource, BkStatistic, OperatingCostParams};

/// The BK statistic of sorted values.
fn bk_statistic(values: &[f64], p: &OperatingCostParams, qt: QuantileType) -> Option<f64> {
    match p.statistic {
        BkStatistic::Median => quantile_sorted(values, 0.5, qt),
        BkStatistic::Mean => mean(values),
        BkStatistic::Percentile => quantile_sorted(values, p.percentile, qt),
    }
}

/// The BK statistic of sorted values with their landlord types, post-stratified by the private
/// landlords' market share `market` where given and applicable.
fn statistic(
    values: &[f64],
    landlord: &[Option<crate::model::LandlordType>],
    p: &OperatingCostParams,
    qt: QuantileType,
    market: Option<f64>,
) -> Option<f64> {
    match market.and_then(|m| post_stratification(landlord, m)) {
        Some(w) => match p.statistic {
            BkStatistic::Median => weighted_quantile_sorted(values, &w, 0.5),
            BkStatistic::Mean => weighted_mean(values, &w),
            BkStatistic::Percentile => weighted_quantile_sorted(values, &w, p.percentile),
        },
        None => bk_statistic(values, p, qt),
    }
}

/// The kalte BK of a Vergleichsraum (or, at cell level, of a cell) under the source that
/// applies to it: the external value (its records are still counted), or the statistic over
/// the records ([`bk_result`]).
pub fn bk_for(
    b: &BkValues,
    p: &OperatingCostParams,
    choice: &BkChoice,
    qt: QuantileType,
    market: Option<f64>,
) -> BkResult {
    match choice.source {
        BkSource::Records => bk_result(b, p, qt, market),
        BkSource::External => BkResult {
            source: BkSource::External,
            per_m2: (choice.per_m2 > 0.0).then_some(choice.per_m2),
            per_m2_lift: choice.per_m2_lift.filter(|v| p.lift_split && *v > 0.0),
            ..counts(b)
        },
    }
}

/// The counts of a BK column without a value.
fn counts(b: &BkValues) -> BkResult {
    BkResult {
        source: BkSource::Records,
        n: b.all.len(),
        n_split: (b.without_lift.len(), b.with_lift.len()),
        n_missing: b.n_missing,
        n_implausible: b.n_implausible,
        n_heating_included: b.n_heating_included,
        per_m2: None,
        per_m2_lift: None,
    }
}

/// The kalte BK statistic of a cell or Vergleichsraum: overall, or split by Aufzug; each part
/// weighted like the Referenzmiete when a market share is given (`market`).
pub fn bk_result(
    b: &BkValues,
    p: &OperatingCostParams,
    qt: QuantileType,
    market: Option<f64>,
) -> BkResult {
    let (per_m2, per_m2_lift) = if p.lift_split {
        (
            statistic(&b.without_lift, &b.without_lift_landlord, p, qt, market),
            statistic(&b.with_lift, &b.with_lift_landlord, p, qt, market),
        )
    } else {
        (statistic(&b.all, &b.all_landlord, p, qt, market), None)
    };
    BkResult {
        per_m2,
        per_m2_lift,
        ..counts(b)
    }
}
