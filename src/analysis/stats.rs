//! Basic statistics of one cell (Tabellenfeld): mean, standard deviation, range, deciles,
//! weighted mean and a distribution-free confidence interval for a quantile.
//!
//! Sums use Neumaier's compensated summation, so results do not depend on how large the
//! values are relative to each other and are identical from run to run. The standard
//! deviation is the sample SD (divisor `n − 1`) from the corrected two-pass algorithm.
//!
//! # Confidence interval of a quantile ([`quantile_ci`])
//!
//! For a continuous distribution with `p`-quantile `ξ_p`, the number `B` of observations
//! `≤ ξ_p` is `Bin(n, p)`, hence for 1-based ranks `l < u`
//! `P(X_(l) ≤ ξ_p < X_(u)) = P(l ≤ B ≤ u − 1)`, whatever the distribution. Among all rank
//! pairs with this coverage `≥ level` the interval uses the fewest ranks (`u − l` minimal);
//! among those the most equal-tailed one (`|P(B < l) − P(B ≥ u)|` minimal), then the one
//! with the higher coverage, then the lower one (for the median the shortest intervals
//! come as mirror-image pairs). [`QUANTILE_CI_DEFINITION_DE`] says this in German.

use statrs::distribution::{Binomial, Discrete, DiscreteCDF};

use super::quantile::{QuantileType, quantile_sorted};

/// Summary statistics of one cell.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Summary {
    /// Number of values.
    pub n: usize,
    /// Arithmetic mean.
    pub mean: f64,
    /// Sample standard deviation (divisor `n − 1`); 0 for `n = 1`.
    pub sd: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// P10, P20, …, P90 (`p = k/10`) with the quantile type given to [`summarize`].
    pub deciles: [f64; 9],
}

/// Summary of `sorted` (ascending, without NaN) with deciles of type `t`. `None` if empty.
/// O(n), no allocation.
pub fn summarize(sorted: &[f64], t: QuantileType) -> Option<Summary> {
    let n = sorted.len();
    let (&min, &max) = (sorted.first()?, sorted.last()?);
    let mean = mean(sorted)?;
    let sd = sd_around(sorted, mean);
    let mut deciles = [0.0; 9];
    for (k, d) in (1_u32..).zip(deciles.iter_mut()) {
        *d = quantile_sorted(sorted, f64::from(k) / 10.0, t)?;
    }
    Some(Summary {
        n,
        mean,
        sd,
        min,
        max,
        deciles,
    })
}

/// Neumaier's compensated summation (Kahan–Babuška): deterministic, and exact up to the
/// final rounding for sums whose terms cancel.
#[derive(Default, Clone, Copy)]
struct CompensatedSum {
    sum: f64,
    compensation: f64,
}

impl CompensatedSum {
    fn add(&mut self, x: f64) {
        let t = self.sum + x;
        if self.sum.abs() >= x.abs() {
            self.compensation += (self.sum - t) + x;
        } else {
            self.compensation += (x - t) + self.sum;
        }
        self.sum = t;
    }

    fn value(self) -> f64 {
        self.sum + self.compensation
    }
}

fn neumaier_sum(values: impl IntoIterator<Item = f64>) -> f64 {
    let mut acc = CompensatedSum::default();
    for x in values {
        acc.add(x);
    }
    acc.value()
}

/// Arithmetic mean with compensated summation. `None` if `values` is empty.
pub fn mean(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    Some(neumaier_sum(values.iter().copied()) / values.len() as f64)
}

/// Sample SD around the known mean `m` (corrected two-pass formula); 0 for one value.
fn sd_around(values: &[f64], m: f64) -> f64 {
    let n = values.len();
    if n < 2 {
        return 0.0;
    }
    let (mut squares, mut deviations) = (CompensatedSum::default(), CompensatedSum::default());
    for &x in values {
        let d = x - m;
        squares.add(d * d);
        deviations.add(d);
    }
    let (squares, deviations) = (squares.value(), deviations.value());
    let nf = n as f64;
    let var = (squares - deviations * deviations / nf) / (nf - 1.0);
    var.max(0.0).sqrt()
}

/// Sample standard deviation (divisor `n − 1`), two-pass; `Some(0.0)` for one value,
/// `None` if empty.
pub fn sample_sd(values: &[f64]) -> Option<f64> {
    let m = mean(values)?;
    Some(sd_around(values, m))
}

/// Weighted mean `Σ w·x / Σ w`. `None` if the lengths differ, a weight is negative or not
/// finite, or the total weight is 0.
pub fn weighted_mean(values: &[f64], weights: &[f64]) -> Option<f64> {
    if values.len() != weights.len() || weights.iter().any(|w| !(w.is_finite() && *w >= 0.0)) {
        return None;
    }
    let total = neumaier_sum(weights.iter().copied());
    if total <= 0.0 {
        return None;
    }
    let weighted = neumaier_sum(values.iter().zip(weights).map(|(&x, &w)| x * w));
    Some(weighted / total)
}

/// Distribution-free confidence interval for a quantile by order statistics.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct QuantileCi {
    /// 1-based rank `l` of the lower bound `X_(l)`.
    pub lower_rank: usize,
    /// 1-based rank `u` of the upper bound `X_(u)`, `u > l`.
    pub upper_rank: usize,
    /// Achieved coverage `P(l ≤ B ≤ u − 1)`, `B ~ Bin(n, p)`; at least the requested level.
    pub coverage: f64,
    /// `X_(l)`.
    pub lower: f64,
    /// `X_(u)`.
    pub upper: f64,
}

/// German wording of the rule of [`quantile_ci`], for the exported method text.
pub const QUANTILE_CI_DEFINITION_DE: &str = "Verteilungsfreies Konfidenzintervall für das \
p-Quantil aus Ranggrößen: [X_(l); X_(u)) mit P(X_(l) ≤ ξ_p < X_(u)) = P(l ≤ B ≤ u − 1), \
B binomialverteilt mit n und p. Gewählt wird unter allen Rangpaaren mit mindestens der \
geforderten Überdeckung das mit der kleinsten Rangdifferenz u − l, bei gleicher Länge das mit \
den ausgewogensten Randwahrscheinlichkeiten, dann das mit der höheren Überdeckung, dann das \
untere. Angegeben wird die tatsächlich erreichte Überdeckung.";

/// Probabilities closer than this count as equal when choosing among intervals.
const TIE: f64 = 1e-12;

/// Confidence interval for the `p`-quantile of the distribution behind `sorted` (ascending):
/// 1-based ranks `l < u` with `P(X_(l) ≤ ξ_p < X_(u)) = P(l ≤ B < u) ≥ level`,
/// `B ~ Bin(n, p)`, as short (fewest ranks) and then as equal-tailed as possible; see the
/// module documentation. `None` if `p` or `level` is not strictly between 0 and 1 or `n` is
/// too small to reach `level` (the best possible coverage is `1 − p^n − (1 − p)^n`).
/// Time O(u − l) plus two incomplete-beta evaluations, no allocation.
pub fn quantile_ci(sorted: &[f64], p: f64, level: f64) -> Option<QuantileCi> {
    let (lower_rank, upper_rank, coverage) = ci_ranks(sorted.len(), p, level)?;
    Some(QuantileCi {
        lower_rank,
        upper_rank,
        coverage,
        lower: *sorted.get(lower_rank - 1)?,
        upper: *sorted.get(upper_rank - 1)?,
    })
}

/// German wording of the rule of [`weighted_quantile_ci`], for the exported method text.
pub const WEIGHTED_CI_DEFINITION_DE: &str = "Bei gewichteter Referenzmiete: Ränge l und u wie oben, aber mit der effektiven Fallzahl n_eff = (Σ w)² ÷ Σ w² (Kish); die Grenzen sind die gewichteten Quantile zu den Anteilen (l − 1) ÷ (n_eff − 1) und (u − 1) ÷ (n_eff − 1). Bei gleichen Gewichten ergibt das genau das ungewichtete Intervall.";

/// Confidence interval for the `p`-quantile when the Referenzmiete is a weighted quantile:
/// the ranks of [`quantile_ci`] for Kish's effective sample size `n_eff = (Σw)²/Σw²` (rounded
/// down), mapped to weighted quantiles at `(rank − 1)/(n_eff − 1)`. Equal weights give exactly
/// [`quantile_ci`]. Ranks in the result refer to `n_eff`. `None` as for [`quantile_ci`] or when
/// the weights are unusable.
pub fn weighted_quantile_ci(
    sorted: &[f64],
    weights: &[f64],
    p: f64,
    level: f64,
) -> Option<QuantileCi> {
    if weights.len() != sorted.len() {
        return None;
    }
    let sum: f64 = weights.iter().sum();
    let sum_sq: f64 = weights.iter().map(|w| w * w).sum();
    if !(sum > 0.0 && sum_sq > 0.0 && sum.is_finite() && sum_sq.is_finite()) {
        return None;
    }
    // Rounded to 9 digits first so that equal weights give n exactly.
    let n_eff = (((sum * sum / sum_sq) * 1e9).round() / 1e9).floor() as usize;
    let n_eff = n_eff.min(sorted.len());
    let (lower_rank, upper_rank, coverage) = ci_ranks(n_eff, p, level)?;
    let at = |rank: usize| {
        let q = (rank - 1) as f64 / (n_eff - 1) as f64;
        super::quantile::weighted_quantile_sorted(sorted, weights, q)
    };
    Some(QuantileCi {
        lower_rank,
        upper_rank,
        coverage,
        lower: at(lower_rank)?,
        upper: at(upper_rank)?,
    })
}

/// The ranks `(l, u)` and the coverage of [`quantile_ci`] for a sample of size `n`.
fn ci_ranks(n: usize, p: f64, level: f64) -> Option<(usize, usize, f64)> {
    if n < 2 || !(p > 0.0 && p < 1.0) || !(level > 0.0 && level < 1.0) {
        return None;
    }
    let nn = n as u64;
    let bin = Binomial::new(p, nn).ok()?;
    let odds = p / (1.0 - p);
    // pmf(b + 1) from pmf(b) and pmf(b − 1) from pmf(b) (b ≤ n, exact recurrences).
    let up = |b: u64, f: f64| f * ((nn - b) as f64 / (b + 1) as f64) * odds;
    let down = |b: u64, f: f64| f * (b as f64 / (nn - b + 1) as f64) / odds;

    // B ranges over 1..=n−1 (l ≥ 1, u ≤ n). Grow a window [lo, hi] of B values from the
    // mode, always adding the more probable neighbour: for the unimodal binomial this
    // yields, for each width, the window of largest probability.
    let mode = (((nn + 1) as f64 * p).floor() as u64).clamp(1, nn - 1);
    let (mut lo, mut hi) = (mode, mode);
    let (mut f_lo, mut f_hi) = (bin.pmf(mode), bin.pmf(mode));
    let mut sum = f_lo;
    while sum < level {
        let left = (lo > 1).then(|| down(lo, f_lo));
        let right = (hi + 1 < nn).then(|| up(hi, f_hi));
        match (left, right) {
            (Some(l), Some(r)) if l >= r => {
                lo -= 1;
                f_lo = l;
                sum += l;
            }
            (_, Some(r)) => {
                hi += 1;
                f_hi = r;
                sum += r;
            }
            (Some(l), None) => {
                lo -= 1;
                f_lo = l;
                sum += l;
            }
            (None, None) => return None,
        }
    }

    // Same width, shifted: keep the most equal-tailed window that still reaches the level.
    // If the lower tail is the larger one, only shifting left can balance the tails,
    // otherwise only shifting right. |lower − upper| is V-shaped along the shift.
    let lower_tail = bin.cdf(lo - 1); // P(B < lo)
    let upper_tail = bin.sf(hi); // P(B > hi)
    let shift_left = lower_tail > upper_tail;
    let mut best = (lo, hi, sum, (lower_tail - upper_tail).abs());
    let (mut l, mut h, mut s, mut fl, mut fh, mut lt, mut ut) =
        (lo, hi, sum, f_lo, f_hi, lower_tail, upper_tail);
    loop {
        if shift_left {
            if l <= 1 {
                break;
            }
            let entering = down(l, fl);
            let leaving = fh;
            let next_s = s + entering - leaving;
            if next_s < level {
                break;
            }
            lt -= entering;
            ut += leaving;
            fh = down(h, fh);
            fl = entering;
            l -= 1;
            h -= 1;
            s = next_s;
        } else {
            if h + 1 >= nn {
                break;
            }
            let entering = up(h, fh);
            let leaving = fl;
            let next_s = s + entering - leaving;
            if next_s < level {
                break;
            }
            lt += leaving;
            ut -= entering;
            fl = up(l, fl);
            fh = entering;
            l += 1;
            h += 1;
            s = next_s;
        }
        let asym = (lt - ut).abs();
        if asym > best.3 + TIE {
            break;
        }
        // Better balanced; or equally balanced (mirror images, e.g. the median) with more
        // coverage, and at a full tie the lower window, so the choice never depends on
        // rounding noise.
        let better = asym < best.3 - TIE || s > best.2 + TIE || (s >= best.2 - TIE && shift_left);
        if better {
            best = (l, h, s, asym);
        }
    }

    Some((best.0 as usize, best.1 as usize + 1, best.2.min(1.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * a.abs().max(b.abs()).max(1.0)
    }

    #[test]
    fn weighted_ci_with_equal_weights_is_the_rank_interval() {
        let v: Vec<f64> = (1..=60).map(|i| f64::from(i) * 0.37).collect();
        for w in [1.0, 2.5] {
            let weights = vec![w; v.len()];
            for p in [0.2, 0.33, 0.5] {
                let a = quantile_ci(&v, p, 0.95).unwrap();
                let b = weighted_quantile_ci(&v, &weights, p, 0.95).unwrap();
                assert_eq!(a, b, "p = {p}, w = {w}");
            }
        }
        // Unequal weights: fewer effective observations, a wider interval around the
        // weighted quantile.
        let weights: Vec<f64> = (0..v.len())
            .map(|i| if i % 2 == 0 { 3.0 } else { 0.5 })
            .collect();
        let a = quantile_ci(&v, 0.33, 0.95).unwrap();
        let b = weighted_quantile_ci(&v, &weights, 0.33, 0.95).unwrap();
        assert!(b.upper_rank - b.lower_rank <= a.upper_rank - a.lower_rank);
        let q = crate::analysis::quantile::weighted_quantile_sorted(&v, &weights, 0.33).unwrap();
        assert!(b.lower <= q && q <= b.upper);
        assert_eq!(weighted_quantile_ci(&v, &weights[1..], 0.33, 0.95), None);
    }

    #[test]
    fn mean_and_sd() {
        assert_eq!(mean(&[]), None);
        assert_eq!(sample_sd(&[]), None);
        assert_eq!(sample_sd(&[3.5]), Some(0.0));
        let x = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        assert_eq!(mean(&x), Some(5.0));
        assert!(close(
            sample_sd(&x).unwrap(),
            (32.0_f64 / 7.0).sqrt(),
            1e-15
        ));
        // Compensated summation: the naive sum gives 0.
        assert_eq!(mean(&[1e16, 1.0, -1e16]), Some(1.0 / 3.0));
        // Large offset: the two-pass SD does not lose the small spread.
        let shifted: Vec<f64> = [1.0, 2.0, 3.0].iter().map(|v| v + 1e9).collect();
        assert!(close(sample_sd(&shifted).unwrap(), 1.0, 1e-12));
    }

    #[test]
    fn weighted_mean_rules() {
        assert_eq!(weighted_mean(&[1.0, 3.0], &[1.0, 1.0]), Some(2.0));
        assert_eq!(weighted_mean(&[1.0, 3.0], &[3.0, 1.0]), Some(1.5));
        assert_eq!(weighted_mean(&[1.0, 3.0], &[0.0, 2.0]), Some(3.0));
        assert_eq!(weighted_mean(&[1.0, 3.0], &[0.0, 0.0]), None);
        assert_eq!(weighted_mean(&[1.0, 3.0], &[1.0]), None);
        assert_eq!(weighted_mean(&[1.0, 3.0], &[1.0, -1.0]), None);
        assert_eq!(weighted_mean(&[], &[]), None);
    }

    #[test]
    fn summary_of_a_cell() {
        assert_eq!(summarize(&[], QuantileType::T7), None);
        let one = summarize(&[6.5], QuantileType::T7).unwrap();
        assert_eq!(
            (one.n, one.mean, one.sd, one.min, one.max),
            (1, 6.5, 0.0, 6.5, 6.5)
        );
        assert_eq!(one.deciles, [6.5; 9]);

        let sorted: Vec<f64> = (1..=11).map(f64::from).collect();
        for t in QuantileType::ALL {
            let s = summarize(&sorted, t).unwrap();
            assert_eq!((s.n, s.mean, s.min, s.max), (11, 6.0, 1.0, 11.0));
            assert!(close(s.sd, 11.0_f64.sqrt(), 1e-15));
            for (k, d) in s.deciles.iter().enumerate() {
                let p = (k + 1) as f64 / 10.0;
                assert_eq!(Some(*d), quantile_sorted(&sorted, p, t));
            }
        }
        // Type 7 on 1..=11: P10 = 2, P50 = 6, P90 = 10.
        let s = summarize(&sorted, QuantileType::T7).unwrap();
        assert_eq!((s.deciles[0], s.deciles[4], s.deciles[8]), (2.0, 6.0, 10.0));
    }

    /// Coverage from the exact binomial CDF, independent of the search code.
    fn exact_coverage(n: usize, p: f64, l: usize, u: usize) -> f64 {
        let bin = Binomial::new(p, n as u64).unwrap();
        bin.cdf(u as u64 - 1) - bin.cdf(l as u64 - 1)
    }

    #[test]
    fn ci_coverage_reaches_the_level() {
        for n in [
            2_usize, 3, 5, 6, 8, 10, 20, 30, 31, 50, 100, 333, 1000, 20_000,
        ] {
            let sorted: Vec<f64> = (1..=n).map(|i| i as f64).collect();
            for p in [
                0.01,
                0.05,
                0.1,
                0.2,
                0.25,
                1.0 / 3.0,
                0.5,
                0.66,
                0.75,
                0.9,
                0.95,
                0.99,
            ] {
                for level in [0.8, 0.9, 0.95, 0.99] {
                    let Some(ci) = quantile_ci(&sorted, p, level) else {
                        // Only when even the widest interval (1, n) is too short.
                        let best = exact_coverage(n, p, 1, n);
                        assert!(
                            best < level + 1e-12,
                            "n={n} p={p} level={level}: None although {best}"
                        );
                        continue;
                    };
                    assert!(
                        1 <= ci.lower_rank && ci.lower_rank < ci.upper_rank && ci.upper_rank <= n
                    );
                    let exact = exact_coverage(n, p, ci.lower_rank, ci.upper_rank);
                    assert!(
                        close(exact, ci.coverage, 1e-9),
                        "n={n} p={p}: {exact} vs {}",
                        ci.coverage
                    );
                    assert!(exact >= level - 1e-12, "n={n} p={p} level={level}: {exact}");
                    assert_eq!(ci.lower, sorted[ci.lower_rank - 1]);
                    assert_eq!(ci.upper, sorted[ci.upper_rank - 1]);
                    // Shortest: no window with one rank fewer reaches the level.
                    let width = ci.upper_rank - ci.lower_rank;
                    if width > 1 && n <= 1000 {
                        let shorter = (1..=n - (width - 1))
                            .map(|l| exact_coverage(n, p, l, l + width - 1))
                            .fold(0.0, f64::max);
                        assert!(
                            shorter < level + 1e-12,
                            "n={n} p={p}: width {width} not minimal"
                        );
                    }
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn ci_properties(n in 2_usize..400, p in 0.005..0.995_f64, level in 0.5..0.999_f64) {
            let sorted: Vec<f64> = (1..=n).map(|i| i as f64 * 0.5).collect();
            match quantile_ci(&sorted, p, level) {
                Some(ci) => {
                    proptest::prop_assert!(1 <= ci.lower_rank && ci.lower_rank < ci.upper_rank && ci.upper_rank <= n);
                    let exact = exact_coverage(n, p, ci.lower_rank, ci.upper_rank);
                    proptest::prop_assert!(exact >= level - 1e-12, "{} < {}", exact, level);
                    proptest::prop_assert!(close(exact, ci.coverage, 1e-9));
                }
                None => proptest::prop_assert!(exact_coverage(n, p, 1, n) < level + 1e-12),
            }
        }
    }

    #[test]
    fn ci_textbook_median_n100() {
        // Median, n = 100, 95 %: the classical equal-tailed interval (X_(40), X_(61)) has
        // coverage 0.9648; one rank fewer still reaches 95 %: (40, 60) and its mirror
        // image (41, 61) both cover 0.95396, and the lower one is taken.
        let sorted: Vec<f64> = (1..=100).map(f64::from).collect();
        let ci = quantile_ci(&sorted, 0.5, 0.95).unwrap();
        assert_eq!((ci.lower_rank, ci.upper_rank), (40, 60));
        assert!(
            close(ci.coverage, 0.953_955_933_070_657_3, 1e-9),
            "{}",
            ci.coverage
        );
        assert_eq!((ci.lower, ci.upper), (40.0, 60.0));
        // At 96 % the equal-tailed interval is also the shortest.
        let ci = quantile_ci(&sorted, 0.5, 0.96).unwrap();
        assert_eq!((ci.lower_rank, ci.upper_rank), (40, 61));
        assert!(
            close(ci.coverage, 0.964_799_799_782_295_2, 1e-9),
            "{}",
            ci.coverage
        );
    }

    #[test]
    fn ci_none_when_impossible_or_invalid() {
        let five = [1.0, 2.0, 3.0, 4.0, 5.0];
        // Best possible coverage 1 − 2/32 = 0.9375.
        assert_eq!(quantile_ci(&five, 0.5, 0.95), None);
        assert!(quantile_ci(&five, 0.5, 0.9).is_some());
        assert_eq!(quantile_ci(&[1.0], 0.5, 0.5), None);
        assert_eq!(quantile_ci(&five, 0.0, 0.9), None);
        assert_eq!(quantile_ci(&five, 1.0, 0.9), None);
        assert_eq!(quantile_ci(&five, 0.5, 1.0), None);
        assert_eq!(quantile_ci(&five, f64::NAN, 0.9), None);
    }

    #[test]
    fn ci_covers_the_true_quantile_in_simulation() {
        // Uniform(0, 1) data: ξ_p = p. A small LCG keeps the test deterministic.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut uniform = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 11) as f64 / (1_u64 << 53) as f64
        };
        let (n, p, level, reps) = (60, 0.25, 0.9, 4000);
        let mut sample = vec![0.0; n];
        let ci_ranks = {
            let idx: Vec<f64> = (1..=n).map(|i| i as f64).collect();
            quantile_ci(&idx, p, level).unwrap()
        };
        let mut hits = 0;
        for _ in 0..reps {
            sample.iter_mut().for_each(|x| *x = uniform());
            crate::analysis::quantile::sort_values(&mut sample);
            let ci = quantile_ci(&sample, p, level).unwrap();
            if ci.lower <= p && p < ci.upper {
                hits += 1;
            }
        }
        let rate = f64::from(hits) / f64::from(reps);
        // Binomial SD of the rate ≈ 0.005; allow 4 SD.
        assert!(
            (rate - ci_ranks.coverage).abs() < 0.02,
            "rate {rate} vs {}",
            ci_ranks.coverage
        );
    }
}
