//! Outlier removal (Kappung) in a sorted cell: mean ± k·sd, IQR, trimming or absolute bounds.

use super::quantile::{QuantileType, quantile_sorted};
use super::result::OutlierResult;
use super::stats::{mean, sample_sd};
use crate::model::params::{OutlierMethod, OutlierParams};

/// Applies the outlier rule to a sorted cell.
pub fn outliers(values: &[f64], p: &OutlierParams, qt: QuantileType) -> OutlierResult {
    let n = values.len();
    let (lower, upper) = match p.method {
        OutlierMethod::None => (f64::NEG_INFINITY, f64::INFINITY),
        OutlierMethod::MeanSd => match (mean(values), sample_sd(values)) {
            (Some(m), Some(sd)) if n >= 2 => (m - p.k * sd, m + p.k * sd),
            _ => (f64::NEG_INFINITY, f64::INFINITY),
        },
        OutlierMethod::Trim => {
            let cut = (n as f64 * p.trim_share.clamp(0.0, 0.5)).floor() as usize;
            let kept = (cut.min(n), n.saturating_sub(cut).max(cut.min(n)));
            let lower = if cut > 0 {
                values[kept.0]
            } else {
                f64::NEG_INFINITY
            };
            let upper = if cut > 0 && kept.1 > 0 {
                values[kept.1 - 1]
            } else {
                f64::INFINITY
            };
            return OutlierResult {
                lower,
                upper,
                kept,
                n_low: kept.0,
                n_high: n - kept.1,
            };
        }
        OutlierMethod::Iqr => match (
            quantile_sorted(values, 0.25, qt),
            quantile_sorted(values, 0.75, qt),
        ) {
            (Some(q1), Some(q3)) => (q1 - p.iqr_k * (q3 - q1), q3 + p.iqr_k * (q3 - q1)),
            _ => (f64::NEG_INFINITY, f64::INFINITY),
        },
        OutlierMethod::Absolute => (p.abs_min, p.abs_max),
    };
    let lo = values.partition_point(|&v| v < lower);
    let hi = values.partition_point(|&v| v <= upper).max(lo);
    OutlierResult {
        lower,
        upper,
        kept: (lo, hi),
        n_low: lo,
        n_high: n - hi,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outlier_rules() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        let qt = QuantileType::T7;
        let mut p = OutlierParams::default();
        let o = outliers(&v, &p, qt);
        let m = 50.5;
        assert!(
            (o.lower - (m - (m - o.upper).abs())).abs() < 1e-9,
            "symmetric"
        );
        assert_eq!(o.n_low, o.n_high);
        p.method = OutlierMethod::Trim;
        p.trim_share = 0.1;
        let o = outliers(&v, &p, qt);
        assert_eq!((o.n_low, o.n_high, o.kept), (10, 10, (10, 90)));
        p.method = OutlierMethod::Absolute;
        p.abs_min = 5.0;
        p.abs_max = 95.5;
        let o = outliers(&v, &p, qt);
        assert_eq!((o.n_low, o.n_high), (4, 5));
        p.method = OutlierMethod::None;
        assert_eq!(outliers(&v, &p, qt).kept, (0, 100));
        assert_eq!(outliers(&[], &p, qt).kept, (0, 0));
        p.method = OutlierMethod::MeanSd;
        assert_eq!(outliers(&[3.0], &p, qt).kept, (0, 1));
    }
}
