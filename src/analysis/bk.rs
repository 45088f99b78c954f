//! Kalte Betriebskosten: the statistic (median, mean or percentile) of the plausible BK/m²,
//! optionally weighted and split by Aufzug. Amounts whose Nebenkosten include heating are no
//! kalte BK: they are counted, not used (docs/METHOD.md §2.9).

use super::prepare::BkValues;
use super::quantile::{QuantileType, quantile_sorted, weighted_quantile_sorted};
use super::representativeness::post_stratification;
use super::result::BkResult;
use super::stats::{mean, weighted_mean};
use crate::model::params::{BkStatistic, OperatingCostParams};

/// The BK statistic of sorted values.
fn bk_statistic(values: &[f64], p: &OperatingCostParams, qt: QuantileType) -> Option<f64> {
    match p.statistic {
        BkStatistic::Median => quantile_sorted(values, 0.5, qt),
        BkStatistic::Mean => mean(values),
        BkStatistic::Percentile => quantile_sorted(values, p.percentile, qt),
    }
}

pub fn bk_result(
    b: &BkValues,
    p: &OperatingCostParams,
    qt: QuantileType,
    market: Option<f64>,
) -> BkResult {
    let weights = market.and_then(|m| post_stratification(&b.all_landlord, m));
    let (per_m2, per_m2_lift) = if let (Some(w), false) = (&weights, p.lift_split) {
        let v = match p.statistic {
            BkStatistic::Median => weighted_quantile_sorted(&b.all, w, 0.5),
            BkStatistic::Mean => weighted_mean(&b.all, w),
            BkStatistic::Percentile => weighted_quantile_sorted(&b.all, w, p.percentile),
        };
        (v, None)
    } else if p.lift_split {
        (
            bk_statistic(&b.without_lift, p, qt),
            bk_statistic(&b.with_lift, p, qt),
        )
    } else {
        (bk_statistic(&b.all, p, qt), None)
    };
    BkResult {
        n: b.all.len(),
        n_split: (b.without_lift.len(), b.with_lift.len()),
        n_missing: b.n_missing,
        n_implausible: b.n_implausible,
        n_heating_included: b.n_heating_included,
        per_m2,
        per_m2_lift,
    }
}
