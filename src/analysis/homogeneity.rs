//! The homogeneity report of the Vergleichsräume (docs/METHOD.md §2.3): the rent level (median
//! NKM/m² before outliers) of every Gemeinde with its n, and per Vergleichsraum the spread of its
//! Gemeinden's levels against the spread between the Vergleichsräume, with the Gemeinden that
//! look misassigned (their level is closer to another Vergleichsraum's than to their own, beyond
//! the tolerance `representativeness.homogeneity_gap`). A diagnostic for the justification of
//! the Vergleichsräume (SG Kassel S 3 AS 236/15; LSG Niedersachsen-Bremen L 6 AS 467/17).

use super::prepare::Prepared;
use crate::model::Project;

/// The level of one Gemeinde.
#[derive(Debug, Clone, PartialEq)]
pub struct GemeindeLevel {
    /// Index in the Gemeinde table.
    pub gemeinde: usize,
    /// Rents in cells.
    pub n: usize,
    /// Median NKM/m².
    pub median: Option<f64>,
    /// The level is based on at least `min_n` rents.
    pub measured: bool,
    /// Another Vergleichsraum whose median is closer, when the gap to the own one exceeds the
    /// tolerance.
    pub closer_to: Option<String>,
}

/// The spread of one Vergleichsraum.
#[derive(Debug, Clone, PartialEq)]
pub struct VrSpread {
    /// Vergleichsraum name.
    pub vergleichsraum: String,
    /// Its median NKM/m².
    pub median: Option<f64>,
    /// Gemeinden with a measured level.
    pub n_measured: usize,
    /// Lowest and highest measured Gemeinde median.
    pub range: Option<(f64, f64)>,
    /// Standard deviation of the measured Gemeinde medians (population).
    pub sd_within: Option<f64>,
    /// `sd_within ÷ sd_between` (below 1: the Gemeinden are closer to each other than the
    /// Vergleichsräume are).
    pub ratio: Option<f64>,
}

/// The report.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HomogeneityReport {
    /// Per Gemeinde, in table order.
    pub gemeinden: Vec<GemeindeLevel>,
    /// Per Vergleichsraum.
    pub vergleichsraeume: Vec<VrSpread>,
    /// Standard deviation of the Vergleichsraum medians (population).
    pub sd_between: Option<f64>,
}

fn sd(values: &[f64]) -> Option<f64> {
    if values.len() < 2 {
        return None;
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    Some((values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt())
}

/// Builds the report from the rent levels of `prep`.
pub fn report(prep: &Prepared, project: &Project) -> HomogeneityReport {
    let levels = prep.rent_levels();
    let min_n = project.parameters.min_n;
    let tol = project.parameters.representativeness.homogeneity_gap;
    let vr_median = |name: &str| {
        prep.vr_names
            .iter()
            .position(|n| n == name)
            .and_then(|i| levels.vergleichsraum.get(i))
            .and_then(|l| l.median)
    };
    let gemeinden: Vec<GemeindeLevel> = project
        .gemeinden
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let l = levels.gemeinde.get(i).copied().unwrap_or_default();
            let measured = l.n >= min_n && l.median.is_some();
            let closer_to = l.median.filter(|_| measured).and_then(|m| {
                let own = vr_median(&g.vergleichsraum)?;
                let gap = (m / own - 1.0).abs();
                if gap <= tol {
                    return None;
                }
                prep.vr_names
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| **n != g.vergleichsraum)
                    .filter_map(|(j, n)| {
                        Some((n, (levels.vergleichsraum.get(j)?.median? - m).abs()))
                    })
                    .filter(|(_, d)| *d < (own - m).abs())
                    .min_by(|a, b| a.1.total_cmp(&b.1))
                    .map(|(n, _)| n.clone())
            });
            GemeindeLevel {
                gemeinde: i,
                n: l.n,
                median: l.median,
                measured,
                closer_to,
            }
        })
        .collect();
    let vr_medians: Vec<f64> = levels
        .vergleichsraum
        .iter()
        .filter_map(|l| l.median)
        .collect();
    let sd_between = sd(&vr_medians);
    let vergleichsraeume = prep
        .vr_names
        .iter()
        .enumerate()
        .map(|(vr, name)| {
            let medians: Vec<f64> = gemeinden
                .iter()
                .filter(|l| l.measured)
                .filter(|l| {
                    project
                        .gemeinden
                        .get(l.gemeinde)
                        .is_some_and(|g| &g.vergleichsraum == name)
                })
                .filter_map(|l| l.median)
                .collect();
            let sd_within = sd(&medians);
            VrSpread {
                vergleichsraum: name.clone(),
                median: levels.vergleichsraum.get(vr).and_then(|l| l.median),
                n_measured: medians.len(),
                range: medians
                    .iter()
                    .copied()
                    .fold(None, |acc: Option<(f64, f64)>, v| {
                        Some(acc.map_or((v, v), |(lo, hi)| (lo.min(v), hi.max(v))))
                    }),
                ratio: sd_within
                    .zip(sd_between)
                    .filter(|(_, b)| *b > 0.0)
                    .map(|(w, b)| w / b),
                sd_within,
            }
        })
        .collect();
    HomogeneityReport {
        gemeinden,
        vergleichsraeume,
        sd_between,
    }
}
