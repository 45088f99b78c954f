//! The one quantile module of the program: the nine Hyndman–Fan sample quantiles, a
//! weighted quantile and the Excel formulas that reproduce them in the exported workbook.
//!
//! # Unweighted quantiles (Hyndman & Fan 1996, types 1–9)
//!
//! [`quantile_sorted`] follows numpy's `np.quantile(x, p, method=…)` (equivalently
//! `np.percentile(x, 100·p, method=…)`) operation by operation, including the clamping at
//! the ends (a position left of the first value gives the minimum, right of the last one
//! the maximum) and type 3's "nearest even order statistic" at ties. With `n` values
//! `x_1 ≤ … ≤ x_n` (1-based) and `p ∈ [0, 1]`:
//!
//! | type | numpy method | rule |
//! |---|---|---|
//! | 1 | `inverted_cdf` | `x_k`, `k = max(1, ⌈n·p⌉)` |
//! | 2 | `averaged_inverted_cdf` | as type 1, but the mean of `x_j` and `x_{j+1}` where `n·p = j` is an integer in `1..n−1` |
//! | 3 | `closest_observation` | `x_k`, `k = max(1, n·p rounded half to even)` |
//! | 4 | `interpolated_inverted_cdf` | linear, position `h = n·p` |
//! | 5 | `hazen` | linear, `h = n·p + 1/2` |
//! | 6 | `weibull` | linear, `h = (n + 1)·p` (Excel `PERCENTILE.EXC`, but clamped instead of `#NUM!`) |
//! | 7 | `linear` | linear, `h = (n − 1)·p + 1` (Excel `PERCENTILE.INC`, the default) |
//! | 8 | `median_unbiased` | linear, `h = (n + 1/3)·p + 1/3` |
//! | 9 | `normal_unbiased` | linear, `h = (n + 1/4)·p + 3/8` |
//!
//! "Linear" means `Q = x_⌊h⌋ + (h − ⌊h⌋)·(x_⌊h⌋+1 − x_⌊h⌋)`, with `Q = x_1` for `h ≤ 1` and
//! `Q = x_n` for `h ≥ n`.
//!
//! # Weighted quantile
//!
//! [`weighted_quantile_sorted`] uses a weighted analogue of type 7. Points with weight 0 are
//! dropped first. For the remaining `m` points (ascending `x_1 ≤ … ≤ x_m`, weights
//! `w_k > 0`, cumulative weights `C_k = w_1 + … + w_k`, total `W = C_m`), each point gets the
//! plotting position
//!
//! ```text
//! P_k = (C_k − w_k/2 − w_1/2) / (W − w_1/2 − w_m/2)
//! ```
//!
//! so `P_1 = 0`, `P_m = 1` and `P_k` is strictly increasing. The quantile is the linear
//! interpolation between neighbouring points: for `P_k ≤ p ≤ P_{k+1}`,
//! `Q(p) = x_k + (p − P_k)/(P_{k+1} − P_k) · (x_{k+1} − x_k)`. With equal weights
//! `P_k = (k − 1)/(m − 1)`, which is exactly type 7 (that case is computed by the type 7
//! code, so the figures are bit-identical). `Q` is continuous, monotone in `p` and stays
//! within `[x_1, x_m]`; with a single positive weight it is that point's value.
//! [`WEIGHTED_DEFINITION_DE`] is the German wording of this rule for the method text.
//!
//! # Floating point at the jumps of the discrete types
//!
//! Types 1–3 jump where `n·p` is an integer (types 1, 2) or an integer + 1/2 (type 3). The
//! computation uses the same floating-point operations as numpy, so a `p` whose product
//! `n·p` rounds just above an integer gives the same value as numpy. Spreadsheets round
//! such products differently (LibreOffice snaps near-integers), so exactly at a jump the
//! workbook formula of a discrete type may pick the neighbouring value. The continuous
//! types 4–9 have no jumps and agree to rounding everywhere.

use std::fmt::Write as _;

pub use crate::model::QuantileType;

/// German wording of the weighted-quantile rule of [`weighted_quantile_sorted`], for the
/// exported method text.
pub const WEIGHTED_DEFINITION_DE: &str = "Gewichtetes Quantil: Werte mit Gewicht 0 bleiben \
unberücksichtigt. Die übrigen m Werte x_1 ≤ … ≤ x_m mit Gewichten w_k > 0, kumulierten Gewichten \
C_k = w_1 + … + w_k und Gesamtgewicht W erhalten die Stützstellen \
P_k = (C_k − w_k/2 − w_1/2) / (W − w_1/2 − w_m/2), also P_1 = 0 und P_m = 1. Zwischen benachbarten \
Stützstellen wird linear interpoliert: Q(p) = x_k + (p − P_k)/(P_(k+1) − P_k) · (x_(k+1) − x_k). \
Bei gleichen Gewichten ist P_k = (k − 1)/(m − 1), das Ergebnis also identisch mit Typ 7 \
(Excel QUANTIL.INKL).";

/// Sorts ascending with [`f64::total_cmp`] (a total order: `-0.0 < +0.0`, NaN last).
pub fn sort_values(values: &mut [f64]) {
    values.sort_unstable_by(f64::total_cmp);
}

/// The `p`-quantile of type `t` of `sorted` (ascending, without NaN), computed exactly as
/// numpy's `np.quantile(x, p, method=t.numpy_method())`. `None` if `sorted` is empty or `p`
/// is not in `[0, 1]` (or NaN). O(1).
pub fn quantile_sorted(sorted: &[f64], p: f64, t: QuantileType) -> Option<f64> {
    let n = sorted.len();
    if n == 0 || !(0.0..=1.0).contains(&p) {
        return None;
    }
    let nf = n as f64;
    let value = match t {
        QuantileType::T1 => {
            // numpy `_inverted_cdf`: index n·p − 1, the lower neighbour only at an exact integer.
            let index = nf * p - 1.0;
            let previous = index.floor();
            let pick = if index - previous == 0.0 {
                previous
            } else {
                previous + 1.0
            };
            at_clipped(sorted, pick)
        }
        QuantileType::T3 => {
            // numpy `_closest_observation`: index n·p − 1 − 0.5; at an exact tie keep the
            // lower neighbour when its 0-based index is odd (1-based rank even).
            let index = nf * p - 1.0 - 0.5;
            let previous = index.floor();
            let pick = if index - previous == 0.0 && previous.rem_euclid(2.0) == 1.0 {
                previous
            } else {
                previous + 1.0
            };
            at_clipped(sorted, pick)
        }
        QuantileType::T2 => interpolate(
            sorted,
            nf * p - 1.0,
            |gamma| {
                if gamma == 0.0 { 0.5 } else { 1.0 }
            },
        ),
        QuantileType::T4 => interpolate(sorted, virtual_index(nf, p, 0.0, 1.0), |g| g),
        QuantileType::T5 => interpolate(sorted, virtual_index(nf, p, 0.5, 0.5), |g| g),
        QuantileType::T6 => interpolate(sorted, virtual_index(nf, p, 0.0, 0.0), |g| g),
        QuantileType::T7 => interpolate(sorted, (nf - 1.0) * p, |g| g),
        QuantileType::T8 => interpolate(sorted, virtual_index(nf, p, 1.0 / 3.0, 1.0 / 3.0), |g| g),
        QuantileType::T9 => interpolate(sorted, virtual_index(nf, p, 3.0 / 8.0, 3.0 / 8.0), |g| g),
    };
    Some(value)
}

/// numpy `_compute_virtual_index`: the 0-based position `n·p + (α + p·(1 − α − β)) − 1`,
/// evaluated in the same order as numpy.
fn virtual_index(n: f64, p: f64, alpha: f64, beta: f64) -> f64 {
    n * p + (alpha + p * (1.0 - alpha - beta)) - 1.0
}

/// `sorted[index]` for a non-negative integral `index` (as f64), negative indices clipped
/// to 0 as numpy does, too large ones to the last element.
fn at_clipped(sorted: &[f64], index: f64) -> f64 {
    let last = sorted.len().saturating_sub(1);
    let i = if index <= 0.0 {
        0
    } else {
        // `as` saturates; the index is integral and non-negative here.
        (index as usize).min(last)
    };
    sorted.get(i).copied().unwrap_or(f64::NAN)
}

/// numpy `_get_indexes` + `_get_gamma` + `_lerp` for the 0-based virtual index `v`.
fn interpolate(sorted: &[f64], v: f64, fix_gamma: impl Fn(f64) -> f64) -> f64 {
    let n = sorted.len();
    let last = n.saturating_sub(1);
    if v >= last as f64 {
        return sorted.get(last).copied().unwrap_or(f64::NAN);
    }
    if v < 0.0 || v.is_nan() {
        return sorted.first().copied().unwrap_or(f64::NAN);
    }
    let previous = v.floor();
    let i = previous as usize;
    let gamma = fix_gamma(v - previous);
    match (sorted.get(i), sorted.get(i + 1)) {
        (Some(&a), Some(&b)) => lerp(a, b, gamma),
        (Some(&a), None) => a,
        _ => f64::NAN,
    }
}

/// numpy `_lerp`: `a + (b − a)·t`, computed from `b` for `t ≥ 0.5` so both ends are exact.
fn lerp(a: f64, b: f64, t: f64) -> f64 {
    let diff = b - a;
    if t >= 0.5 {
        b - diff * (1.0 - t)
    } else {
        a + diff * t
    }
}

/// Weighted `p`-quantile of `sorted` (ascending) with non-negative `weights` (same length),
/// by the rule in the module documentation ([`WEIGHTED_DEFINITION_DE`]). Equal positive
/// weights give exactly [`QuantileType::T7`]. `None` if the lengths differ, there is no
/// positive weight, a weight is negative or not finite, or `p` is not in `[0, 1]`. O(n); for
/// many quantiles of the same sample use [`WeightedQuantiles`].
pub fn weighted_quantile_sorted(sorted: &[f64], weights: &[f64], p: f64) -> Option<f64> {
    WeightedQuantiles::new(sorted, weights)?.at(p)
}

/// A weighted sample prepared for many quantiles: the positive-weight points with their
/// mid-cumulative weights `M_k = C_k − w_k/2` (built once, O(n)); each quantile is then a
/// binary search. The one implementation of the weighted rule.
#[derive(Debug, Clone)]
pub struct WeightedQuantiles<'a> {
    sorted: &'a [f64],
    /// Equal weights: type 7 on `sorted`.
    all_equal: bool,
    /// The values with positive weight, ascending.
    xs: Vec<f64>,
    /// Their mid-cumulative weights.
    mids: Vec<f64>,
    /// Weight of the first and of the last positive point, and the total weight.
    w_first: f64,
    w_last: f64,
    total: f64,
}

impl<'a> WeightedQuantiles<'a> {
    /// `None` if the lengths differ, there is no positive weight, or a weight is negative or
    /// not finite.
    pub fn new(sorted: &'a [f64], weights: &[f64]) -> Option<WeightedQuantiles<'a>> {
        if sorted.len() != weights.len() {
            return None;
        }
        let w0 = *weights.first()?;
        let mut all_equal = true;
        let mut total = 0.0_f64;
        let mut xs = Vec::new();
        let mut mids = Vec::new();
        let (mut w_first, mut w_last) = (None, 0.0);
        for (&x, &w) in sorted.iter().zip(weights) {
            if !(w.is_finite() && w >= 0.0) {
                return None;
            }
            if w != w0 {
                all_equal = false;
            }
            if w > 0.0 {
                total += w;
                xs.push(x);
                mids.push(total - w / 2.0);
                w_first.get_or_insert(w);
                w_last = w;
            }
        }
        let w_first = w_first?;
        Some(WeightedQuantiles {
            sorted,
            all_equal,
            xs,
            mids,
            w_first,
            w_last,
            total,
        })
    }

    /// The weighted `p`-quantile; `None` if `p` is not in `[0, 1]`.
    pub fn at(&self, p: f64) -> Option<f64> {
        if !(0.0..=1.0).contains(&p) {
            return None;
        }
        if self.all_equal {
            return quantile_sorted(self.sorted, p, QuantileType::T7);
        }
        let (first, last) = (*self.xs.first()?, *self.xs.last()?);
        if self.xs.len() == 1 || p == 0.0 {
            return Some(first);
        }
        if p == 1.0 {
            return Some(last);
        }
        let span = self.total - self.w_first / 2.0 - self.w_last / 2.0;
        if span <= 0.0 {
            return Some(last);
        }
        // Target on the scale of the mid-cumulative weights: the first point after the first
        // whose M reaches it, interpolated with its predecessor.
        let target = p * span + self.w_first / 2.0;
        let k = 1 + self.mids.get(1..)?.partition_point(|&m| m < target);
        let (Some(&x), Some(&mid)) = (self.xs.get(k), self.mids.get(k)) else {
            // Only reached through rounding at the top end.
            return Some(last);
        };
        let (x_prev, mid_prev) = (self.xs[k - 1], self.mids[k - 1]);
        let gap = mid - mid_prev;
        if gap <= 0.0 {
            return Some(x);
        }
        let g = ((target - mid_prev) / gap).clamp(0.0, 1.0);
        Some(lerp(x_prev, x, g))
    }
}

/// How the position `h` (1-based) of a continuous type depends on `n` and `p` in the
/// spreadsheet formula: `h = (n + c)·p + d`. Returns `(c, d, c as text, d as text)`.
/// The Rust value and the formula text come from this one place.
fn position_coefficients(t: QuantileType) -> Option<(f64, f64, &'static str, &'static str)> {
    match t {
        QuantileType::T4 => Some((0.0, 0.0, "", "")),
        QuantileType::T5 => Some((0.0, 0.5, "", "0.5")),
        QuantileType::T6 => Some((1.0, 0.0, "1", "")),
        QuantileType::T7 => Some((-1.0, 1.0, "-1", "1")),
        QuantileType::T8 => Some((1.0 / 3.0, 1.0 / 3.0, "1/3", "1/3")),
        QuantileType::T9 => Some((0.25, 0.375, "0.25", "0.375")),
        QuantileType::T1 | QuantileType::T2 | QuantileType::T3 => None,
    }
}

/// The formula text of the 1-based position `h = (n + c)·p + d` of a continuous type.
fn position_text(n: usize, c_text: &str, d_text: &str, p_cell: &str) -> String {
    let mut s = String::from("(");
    match c_text {
        "" => {
            let _ = write!(s, "{n}*{p_cell}");
        }
        "1" => {
            let _ = write!(s, "{}*{p_cell}", n + 1);
        }
        "-1" => {
            let _ = write!(s, "{}*{p_cell}", n.saturating_sub(1));
        }
        c => {
            let _ = write!(s, "({n}+{c})*{p_cell}");
        }
    }
    if !d_text.is_empty() {
        let _ = write!(s, "+{d_text}");
    }
    s.push(')');
    s
}

/// An Excel formula (without the leading `=`) that reproduces [`quantile_sorted`] of type
/// `t` for the `n` values in `range` (e.g. `Werte!$B$2:$B$201`), with `p` read from
/// `p_cell` (e.g. `Parameter!$C$5`). The formulas use only functions that Excel and
/// LibreOffice share:
///
/// * type 7: `PERCENTILE.INC(range,p)`;
/// * types 4, 5, 6, 8, 9 ([`excel_index_formula`]): with the position `h` of the module
///   table, `IF(h<=1,MIN(range),IF(h>=n,MAX(range),SMALL(range,INT(h))+(h-INT(h))*(SMALL(range,INT(h)+1)-SMALL(range,INT(h)))))`.
///   Type 6 deliberately does not use `PERCENTILE.EXC`, which returns `#NUM!` for
///   `p < 1/(n+1)` or `p > n/(n+1)` where this program (like numpy) clamps to the
///   minimum or maximum;
/// * type 1: `SMALL(range,MAX(1,ROUNDUP(n*p,0)))`;
/// * type 2: `(SMALL(range,MAX(1,ROUNDUP(n*p,0)))+SMALL(range,MIN(n,INT(n*p)+1)))/2`;
/// * type 3: `SMALL(range,MAX(1,ROUND(n*p,0)-IF(MOD(n*p,2)=0.5,1,0)))` (round half to even).
///
/// For `n = 0` the formula is `NA()`. Newer functions such as `PERCENTILE.INC` need the
/// `_xlfn.` prefix in the file; the workbook writer adds it.
pub fn excel_formula(t: QuantileType, range: &str, n: usize, p_cell: &str) -> String {
    if n == 0 {
        return "NA()".to_string();
    }
    match t {
        QuantileType::T7 => format!("PERCENTILE.INC({range},{p_cell})"),
        _ => excel_index_formula(t, range, n, p_cell),
    }
}

/// The index form of the spreadsheet formula for every type (for type 7 the same
/// interpolation that `PERCENTILE.INC` performs); see [`excel_formula`].
pub fn excel_index_formula(t: QuantileType, range: &str, n: usize, p_cell: &str) -> String {
    if n == 0 {
        return "NA()".to_string();
    }
    let np = format!("{n}*{p_cell}");
    match t {
        QuantileType::T1 => format!("SMALL({range},MAX(1,ROUNDUP({np},0)))"),
        QuantileType::T2 => {
            format!("(SMALL({range},MAX(1,ROUNDUP({np},0)))+SMALL({range},MIN({n},INT({np})+1)))/2")
        }
        QuantileType::T3 => {
            format!("SMALL({range},MAX(1,ROUND({np},0)-IF(MOD({np},2)=0.5,1,0)))")
        }
        _ => {
            let (_, _, c_text, d_text) = position_coefficients(t).unwrap_or((0.0, 0.0, "", ""));
            let h = position_text(n, c_text, d_text, p_cell);
            format!(
                "IF({h}<=1,MIN({range}),IF({h}>={n},MAX({range}),SMALL({range},INT({h}))+({h}-INT({h}))*(SMALL({range},INT({h})+1)-SMALL({range},INT({h})))))"
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const RENTS: [f64; 4] = [5.9, 6.2, 6.5, 7.1];

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0)
    }

    /// Evaluates, in Rust, exactly the steps of [`excel_index_formula`] (SMALL = 1-based
    /// index, INT = floor, ROUNDUP(x,0) = ceil for x ≥ 0, ROUND = half away from zero).
    fn sheet_eval(t: QuantileType, sorted: &[f64], p: f64) -> f64 {
        let n = sorted.len();
        let nf = n as f64;
        let small = |k: f64| sorted[k as usize - 1];
        let np = nf * p;
        match t {
            QuantileType::T1 => small(np.ceil().max(1.0)),
            QuantileType::T2 => {
                (small(np.ceil().max(1.0)) + small((np.floor() + 1.0).min(nf))) / 2.0
            }
            QuantileType::T3 => {
                let tie = if np.rem_euclid(2.0) == 0.5 { 1.0 } else { 0.0 };
                small((np.round() - tie).max(1.0))
            }
            _ => {
                let (c, d, _, _) = position_coefficients(t).unwrap();
                let h = (nf + c) * p + d;
                if h <= 1.0 {
                    sorted[0]
                } else if h >= nf {
                    sorted[n - 1]
                } else {
                    let k = h.floor();
                    small(k) + (h - k) * (small(k + 1.0) - small(k))
                }
            }
        }
    }

    #[test]
    fn known_values_of_the_four_rents() {
        // Values from numpy 2.4 (`np.quantile(x, 0.33, method=…)`); Excel PERCENTILE.INC
        // gives 5.9 + 0.99·0.3 = 6.197 as well.
        let q7 = quantile_sorted(&RENTS, 0.33, QuantileType::T7).unwrap();
        assert!(close(q7, 6.197), "{q7}");
        let q8 = quantile_sorted(&RENTS, 0.33, QuantileType::T8).unwrap();
        assert!(close(q8, 6.129), "{q8}");
        let q6 = quantile_sorted(&RENTS, 0.33, QuantileType::T6).unwrap();
        assert!(close(q6, 6.095), "{q6}");
        assert_eq!(quantile_sorted(&RENTS, 0.33, QuantileType::T1), Some(6.2));
        assert_eq!(quantile_sorted(&RENTS, 0.5, QuantileType::T7), Some(6.35));
        assert_eq!(quantile_sorted(&RENTS, 0.0, QuantileType::T6), Some(5.9));
        assert_eq!(quantile_sorted(&RENTS, 1.0, QuantileType::T6), Some(7.1));
    }

    #[test]
    fn type_2_averages_and_type_3_rounds_half_to_even() {
        let x = [1.0, 2.0, 3.0, 4.0];
        // n·p = 2 → mean of x_2 and x_3.
        assert_eq!(quantile_sorted(&x, 0.5, QuantileType::T2), Some(2.5));
        // n·p = 1.5 → rank 2 (even); n·p = 2.5 → rank 2 (even); n·p = 0.5 → rank 0 → 1.
        assert_eq!(quantile_sorted(&x, 0.375, QuantileType::T3), Some(2.0));
        assert_eq!(quantile_sorted(&x, 0.625, QuantileType::T3), Some(2.0));
        assert_eq!(quantile_sorted(&x, 0.125, QuantileType::T3), Some(1.0));
        assert_eq!(quantile_sorted(&x, 0.875, QuantileType::T3), Some(4.0));
    }

    #[test]
    fn invalid_input_gives_none() {
        for t in QuantileType::ALL {
            assert_eq!(quantile_sorted(&[], 0.5, t), None);
            assert_eq!(quantile_sorted(&RENTS, -0.01, t), None);
            assert_eq!(quantile_sorted(&RENTS, 1.01, t), None);
            assert_eq!(quantile_sorted(&RENTS, f64::NAN, t), None);
            assert_eq!(quantile_sorted(&[4.0], 0.3, t), Some(4.0));
        }
        assert_eq!(weighted_quantile_sorted(&RENTS, &[1.0; 3], 0.5), None);
        assert_eq!(weighted_quantile_sorted(&RENTS, &[0.0; 4], 0.5), None);
        assert_eq!(
            weighted_quantile_sorted(&RENTS, &[1.0, -1.0, 1.0, 1.0], 0.5),
            None
        );
        assert_eq!(
            weighted_quantile_sorted(&RENTS, &[1.0, f64::NAN, 1.0, 1.0], 0.5),
            None
        );
        assert_eq!(weighted_quantile_sorted(&RENTS, &[1.0; 4], 1.5), None);
        assert_eq!(weighted_quantile_sorted(&[], &[], 0.5), None);
    }

    #[test]
    fn names_numbers_and_serde() {
        for (i, t) in QuantileType::ALL.into_iter().enumerate() {
            assert_eq!(usize::from(t.number()), i + 1);
            assert_eq!(QuantileType::try_from(t.number()), Ok(t));
            assert_eq!(u8::from(t), t.number());
            assert!(t.german().starts_with(&format!("Typ {} – ", t.number())));
            assert!(!t.german_definition().is_empty());
            assert_eq!(QuantileType::from_numpy_method(t.numpy_method()), Some(t));
            let json = serde_json::to_string(&t).unwrap();
            assert_eq!(json, t.number().to_string());
            assert_eq!(serde_json::from_str::<QuantileType>(&json).unwrap(), t);
        }
        assert_eq!(QuantileType::default(), QuantileType::T7);
        assert_eq!(
            QuantileType::T7.german(),
            "Typ 7 – lineare Interpolation (Excel QUANTIL.INKL / PERCENTILE.INC)"
        );
        let err = QuantileType::try_from(0).unwrap_err();
        assert!(err.contains("Quantiltyp 0"), "{err}");
        assert!(serde_json::from_str::<QuantileType>("10").is_err());
    }

    #[test]
    fn weighted_with_equal_weights_is_type_7() {
        let data: Vec<f64> = (0..37)
            .map(|i| 4.0 + ((i * 17) % 37) as f64 * 0.137)
            .collect();
        let mut sorted = data.clone();
        sort_values(&mut sorted);
        for w in [1.0, 0.25, 3.7] {
            let weights = vec![w; sorted.len()];
            for i in 0..=200 {
                let p = f64::from(i) / 200.0;
                let want = quantile_sorted(&sorted, p, QuantileType::T7);
                assert_eq!(weighted_quantile_sorted(&sorted, &weights, p), want);
            }
        }
    }

    #[test]
    fn weighted_general_path_matches_type_7_for_equal_positive_weights() {
        // Zero weights are dropped, the remaining equal weights then give type 7 of the
        // remaining values (through the general code path, up to rounding).
        let sorted = [1.0, 2.0, 3.5, 4.0, 7.0, 9.0];
        let weights = [0.0, 2.0, 2.0, 2.0, 2.0, 0.0];
        let inner = &sorted[1..5];
        for i in 0..=100 {
            let p = f64::from(i) / 100.0;
            let got = weighted_quantile_sorted(&sorted, &weights, p).unwrap();
            let want = quantile_sorted(inner, p, QuantileType::T7).unwrap();
            assert!(close(got, want), "p={p}: {got} vs {want}");
        }
    }

    #[test]
    fn weighted_hand_computed() {
        // x = 1, 2, 3 with w = 1, 2, 1: M = 0.5, 2, 3.5; span = 4 − 0.5 − 0.5 = 3;
        // P = 0, 0.5, 1; p = 0.25 → halfway between 1 and 2.
        let x = [1.0, 2.0, 3.0];
        let w = [1.0, 2.0, 1.0];
        assert_eq!(weighted_quantile_sorted(&x, &w, 0.25), Some(1.5));
        assert_eq!(weighted_quantile_sorted(&x, &w, 0.5), Some(2.0));
        assert_eq!(weighted_quantile_sorted(&x, &w, 0.75), Some(2.5));
        // w = 3, 1: P = 0, 1 → plain interpolation between the two points.
        assert_eq!(
            weighted_quantile_sorted(&[10.0, 20.0], &[3.0, 1.0], 0.5),
            Some(15.0)
        );
        // A heavier middle pulls the quantiles towards it: w = 1, 4, 1 → P_2 = 0.5 still,
        // but w = 1, 1, 4 → M = 0.5, 1.5, 4; span = 6 − 0.5 − 2 = 3.5; P_2 = 1/3.5.
        let q = weighted_quantile_sorted(&x, &[1.0, 1.0, 4.0], 1.0 / 3.5).unwrap();
        assert!(close(q, 2.0), "{q}");
        // A single positive weight returns that value.
        assert_eq!(
            weighted_quantile_sorted(&x, &[0.0, 5.0, 0.0], 0.9),
            Some(2.0)
        );
    }

    #[test]
    fn excel_formula_type_7_and_type_6() {
        assert_eq!(
            excel_formula(QuantileType::T7, "Werte!$B$2:$B$201", 200, "Parameter!$C$5"),
            "PERCENTILE.INC(Werte!$B$2:$B$201,Parameter!$C$5)"
        );
        assert_eq!(
            excel_formula(QuantileType::T6, "A1:A4", 4, "C1"),
            "IF((5*C1)<=1,MIN(A1:A4),IF((5*C1)>=4,MAX(A1:A4),SMALL(A1:A4,INT((5*C1)))+((5*C1)-INT((5*C1)))*(SMALL(A1:A4,INT((5*C1))+1)-SMALL(A1:A4,INT((5*C1))))))"
        );
        assert_eq!(
            excel_formula(QuantileType::T1, "A1:A4", 4, "C1"),
            "SMALL(A1:A4,MAX(1,ROUNDUP(4*C1,0)))"
        );
        assert_eq!(
            excel_formula(QuantileType::T3, "A1:A4", 4, "C1"),
            "SMALL(A1:A4,MAX(1,ROUND(4*C1,0)-IF(MOD(4*C1,2)=0.5,1,0)))"
        );
        assert!(
            excel_formula(QuantileType::T8, "R", 10, "P").starts_with("IF(((10+1/3)*P+1/3)<=1,")
        );
        assert!(
            excel_formula(QuantileType::T9, "R", 10, "P").starts_with("IF(((10+0.25)*P+0.375)<=1,")
        );
        assert!(excel_formula(QuantileType::T5, "R", 10, "P").starts_with("IF((10*P+0.5)<=1,"));
        assert!(excel_formula(QuantileType::T4, "R", 10, "P").starts_with("IF((10*P)<=1,"));
        assert!(excel_index_formula(QuantileType::T7, "R", 10, "P").starts_with("IF((9*P+1)<=1,"));
        for t in QuantileType::ALL {
            assert_eq!(excel_formula(t, "R", 0, "P"), "NA()");
            let f = excel_formula(t, "R", 7, "P");
            assert_eq!(f.matches('(').count(), f.matches(')').count(), "{f}");
        }
    }

    #[test]
    fn spreadsheet_arithmetic_reproduces_every_type() {
        for n in [1_usize, 2, 3, 4, 5, 6, 7, 10, 13, 33, 100] {
            let sorted: Vec<f64> = (0..n)
                .map(|i| 3.0 + (i * i) as f64 * 0.01 + i as f64 * 0.7)
                .collect();
            // A fine grid plus every exact jump k/n and (k + ½)/n of the discrete types.
            let mut ps: Vec<f64> = (0..=1000).map(|i| f64::from(i) / 1000.0).collect();
            for k in 0..=n {
                ps.push(k as f64 / n as f64);
                ps.push(((k as f64 + 0.5) / n as f64).min(1.0));
            }
            for t in QuantileType::ALL {
                for &p in &ps {
                    let ours = quantile_sorted(&sorted, p, t).unwrap();
                    let sheet = sheet_eval(t, &sorted, p);
                    assert!(
                        close(ours, sheet),
                        "{t:?} n={n} p={p}: {ours} vs sheet {sheet}"
                    );
                }
            }
        }
    }

    /// The weighted rule as a single linear scan (the implementation before the prepared
    /// [`WeightedQuantiles`]), kept as the reference the binary search must equal bit for bit.
    fn weighted_linear(sorted: &[f64], weights: &[f64], p: f64) -> Option<f64> {
        let positive: Vec<(f64, f64)> = sorted
            .iter()
            .zip(weights)
            .filter(|(_, w)| **w > 0.0)
            .map(|(x, w)| (*x, *w))
            .collect();
        let (first, last) = (*positive.first()?, *positive.last()?);
        if weights.iter().all(|&w| w == weights[0]) {
            return quantile_sorted(sorted, p, QuantileType::T7);
        }
        if positive.len() == 1 || p == 0.0 {
            return Some(first.0);
        }
        if p == 1.0 {
            return Some(last.0);
        }
        let total: f64 = positive.iter().map(|(_, w)| w).sum();
        let span = total - first.1 / 2.0 - last.1 / 2.0;
        if span <= 0.0 {
            return Some(last.0);
        }
        let target = p * span + first.1 / 2.0;
        let (mut cumulative, mut prev) = (0.0_f64, None::<(f64, f64)>);
        for (x, w) in positive {
            cumulative += w;
            let mid = cumulative - w / 2.0;
            if let Some((x_prev, mid_prev)) = prev
                && mid >= target
            {
                let gap = mid - mid_prev;
                if gap <= 0.0 {
                    return Some(x);
                }
                return Some(lerp(x_prev, x, ((target - mid_prev) / gap).clamp(0.0, 1.0)));
            }
            prev = Some((x, mid));
        }
        Some(last.0)
    }

    fn values_strategy() -> impl Strategy<Value = Vec<f64>> {
        prop::collection::vec(-1.0e4..1.0e4_f64, 1..60)
    }

    fn tol(x: f64) -> f64 {
        1e-12 * x.abs().max(1.0)
    }

    proptest! {
        #[test]
        fn monotone_in_p_and_within_range(mut v in values_strategy(), a in 0.0..=1.0_f64, b in 0.0..=1.0_f64) {
            sort_values(&mut v);
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            let (min, max) = (v[0], v[v.len() - 1]);
            for t in QuantileType::ALL {
                let q_lo = quantile_sorted(&v, lo, t).unwrap();
                let q_hi = quantile_sorted(&v, hi, t).unwrap();
                prop_assert!(q_lo <= q_hi + tol(q_hi), "{:?}: q({})={} > q({})={}", t, lo, q_lo, hi, q_hi);
                prop_assert!(q_lo >= min && q_hi <= max);
            }
        }

        #[test]
        fn invariant_to_input_order(v in values_strategy().prop_shuffle(), p in 0.0..=1.0_f64) {
            let mut sorted = v.clone();
            sort_values(&mut sorted);
            let mut reversed: Vec<f64> = v.iter().rev().copied().collect();
            sort_values(&mut reversed);
            for t in QuantileType::ALL {
                prop_assert_eq!(quantile_sorted(&sorted, p, t), quantile_sorted(&reversed, p, t));
            }
        }

        #[test]
        fn weighted_monotone_and_within_range(
            pairs in prop::collection::vec((-1.0e4..1.0e4_f64, prop_oneof![Just(0.0), 0.0..10.0_f64]), 1..50),
            a in 0.0..=1.0_f64,
            b in 0.0..=1.0_f64,
        ) {
            let mut pairs = pairs;
            pairs.sort_by(|x, y| x.0.total_cmp(&y.0));
            let x: Vec<f64> = pairs.iter().map(|p| p.0).collect();
            let w: Vec<f64> = pairs.iter().map(|p| p.1).collect();
            let positive: Vec<f64> = pairs.iter().filter(|p| p.1 > 0.0).map(|p| p.0).collect();
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            let q_lo = weighted_quantile_sorted(&x, &w, lo);
            let q_hi = weighted_quantile_sorted(&x, &w, hi);
            if positive.is_empty() {
                prop_assert_eq!(q_lo, None);
            } else {
                let (q_lo, q_hi) = (q_lo.unwrap(), q_hi.unwrap());
                prop_assert!(q_lo <= q_hi + tol(q_hi));
                // Within the range of the positive-weight values: zero weights are ignored.
                let (min, max) = (positive[0], positive[positive.len() - 1]);
                prop_assert!(q_lo >= min && q_hi <= max, "{} {} not in [{}, {}]", q_lo, q_hi, min, max);
                prop_assert_eq!(weighted_quantile_sorted(&x, &w, 0.0), Some(min));
                prop_assert_eq!(weighted_quantile_sorted(&x, &w, 1.0), Some(max));
            }
        }

        #[test]
        fn prepared_weighted_quantiles_equal_the_linear_scan(
            pairs in prop::collection::vec((-1.0e4..1.0e4_f64, prop_oneof![Just(0.0), 0.0..10.0_f64]), 1..80),
            ps in prop::collection::vec(0.0..=1.0_f64, 1..20),
        ) {
            let mut pairs = pairs;
            pairs.sort_by(|x, y| x.0.total_cmp(&y.0));
            let x: Vec<f64> = pairs.iter().map(|p| p.0).collect();
            let w: Vec<f64> = pairs.iter().map(|p| p.1).collect();
            let prepared = WeightedQuantiles::new(&x, &w);
            for p in ps {
                let expected = weighted_linear(&x, &w, p);
                prop_assert_eq!(prepared.as_ref().and_then(|q| q.at(p)), expected);
                prop_assert_eq!(weighted_quantile_sorted(&x, &w, p), expected);
            }
        }

        #[test]
        fn weighted_equal_weights_equal_type_7(mut v in values_strategy(), w in 0.001..100.0_f64, p in 0.0..=1.0_f64) {
            sort_values(&mut v);
            let weights = vec![w; v.len()];
            prop_assert_eq!(weighted_quantile_sorted(&v, &weights, p), quantile_sorted(&v, p, QuantileType::T7));
        }
    }
}
