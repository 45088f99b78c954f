//! The fast half of the pipeline: outliers, statistics, Referenzmiete, Betriebskosten and
//! limits per cell from a [`Prepared`] state. Runs on every parameter change (slider move);
//! it allocates little and never re-sorts.

use super::prepare::{BkValues, Prepared, RecordStatus};
use super::quantile::{QuantileType, quantile_sorted};
use super::stats::{QuantileCi, Summary, mean, quantile_ci, summarize};
use crate::model::params::{
    BkLevel, BkStatistic, OperatingCostParams, OutlierMethod, OutlierParams, Parameters,
    ReferenceMethod, RoundingMode, round_cents,
};
use crate::model::{Project, Reason};
use serde::Serialize;
use std::collections::BTreeMap;

/// The complete result of one run.
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    /// Cells in Vergleichsraum-major order (VR × household size 1…H).
    pub cells: Vec<CellResult>,
    /// Per Vergleichsraum: "je weitere Person" and BK.
    pub vergleichsraeume: Vec<VrResult>,
    /// Counts of the reference stage by reason.
    pub funnel: Funnel,
    /// Warnings in German.
    pub warnings: Vec<Warning>,
}

/// Severity of a warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Information.
    Hinweis,
    /// Needs attention.
    Warnung,
    /// The concept is not schlüssig as it stands.
    Fehler,
}

/// A warning for the user and the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Warning {
    /// Severity.
    pub severity: Severity,
    /// BSG criterion it concerns (K1–K8), if any.
    pub criterion: Option<&'static str>,
    /// German text.
    pub text: String,
}

/// Counts of the reference stage.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Funnel {
    /// Data rows delivered by all sources.
    pub delivered: usize,
    /// Rows rejected at import, by reason.
    pub import_rejected: BTreeMap<Reason, usize>,
    /// Accepted records.
    pub records: usize,
    /// Records excluded from the reference stage, by reason.
    pub excluded: BTreeMap<Reason, usize>,
    /// Records in a cell before outlier removal.
    pub in_cells: usize,
    /// Removed as low outliers.
    pub outliers_low: usize,
    /// Removed as high outliers.
    pub outliers_high: usize,
    /// Used for the Referenzmiete.
    pub used: usize,
}

/// Cell flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// No data in the cell.
    NoData,
    /// n below the minimum.
    NBelowMin,
    /// The confidence interval could not be formed (n too small).
    NoConfidenceInterval,
    /// No BK value for the Vergleichsraum/cell.
    NoOperatingCosts,
}

impl Flag {
    /// German text.
    pub fn german(self) -> &'static str {
        match self {
            Flag::NoData => "keine Daten",
            Flag::NBelowMin => "Fallzahl unter Mindestwert",
            Flag::NoConfidenceInterval => "kein Konfidenzintervall (zu wenige Werte)",
            Flag::NoOperatingCosts => "keine Betriebskostenwerte",
        }
    }
}

/// Outlier bounds and counts of one cell.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OutlierResult {
    /// Lower bound (values below are removed); −∞ when none.
    pub lower: f64,
    /// Upper bound (values above are removed); +∞ when none.
    pub upper: f64,
    /// Index range kept in the cell's sorted values.
    pub kept: (usize, usize),
    /// Removed below.
    pub n_low: usize,
    /// Removed above.
    pub n_high: usize,
}

/// Kalte Betriebskosten result (per VR or cell).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BkResult {
    /// n of plausible values used (overall).
    pub n: usize,
    /// n without / with lift.
    pub n_split: (usize, usize),
    /// Records without BK.
    pub n_missing: usize,
    /// Records with implausible BK/m².
    pub n_implausible: usize,
    /// kBK €/m² (overall, or without lift when split).
    pub per_m2: Option<f64>,
    /// kBK €/m² with lift (only when split).
    pub per_m2_lift: Option<f64>,
}

/// Result of one Vergleichsraum × household size.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CellResult {
    /// Vergleichsraum index.
    pub vr: usize,
    /// Vergleichsraum name.
    pub vergleichsraum: String,
    /// Household size (1-based).
    pub household_size: u32,
    /// Angemessene Wohnfläche.
    pub area_m2: f64,
    /// Size class lower bound (exclusive).
    pub class_lower: f64,
    /// Size class upper bound (inclusive), `None` when open.
    pub class_upper: Option<f64>,
    /// Records of this Vergleichsraum and size class excluded by scope rules, by reason.
    pub excluded: BTreeMap<Reason, usize>,
    /// Records in the cell before outliers.
    pub n_in_cell: usize,
    /// Records used (after outliers).
    pub n: usize,
    /// Outlier result.
    pub outliers: OutlierResult,
    /// Statistics after outliers.
    pub summary: Option<Summary>,
    /// Percentile used (None for the mean).
    pub p: Option<f64>,
    /// Referenzmiete NKM €/m² unrounded.
    pub net_rent_per_m2_raw: Option<f64>,
    /// Referenzmiete NKM €/m² as used for the limit.
    pub net_rent_per_m2: Option<f64>,
    /// Confidence interval of the chosen percentile.
    pub ci: Option<QuantileCi>,
    /// BK result used for this cell.
    pub bk: BkResult,
    /// kBK €/m² as used (without lift when split).
    pub operating_costs_per_m2: Option<f64>,
    /// kBK €/m² with lift as used (when split).
    pub operating_costs_per_m2_lift: Option<f64>,
    /// Limits.
    pub limits: Option<Limits>,
    /// Limits with lift (when split).
    pub limits_lift: Option<Limits>,
    /// WoGG + Sicherheitszuschlag comparison (DOMAIN §2.15, §4).
    pub wogg: Option<WoggComparison>,
    /// Flags.
    pub flags: Vec<Flag>,
}

/// The concept limit next to the WoGG fallback for the Vergleichsraum's Mietstufe.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WoggComparison {
    /// Mietstufe used (the highest of the Vergleichsraum's Gemeinden).
    pub mietstufe: u8,
    /// Table value, Klimakomponente and fallback limit.
    pub value: crate::tables::wogg::WoggValue,
    /// Concept Bruttokaltmiete limit ÷ WoGG fallback limit.
    pub ratio: Option<f64>,
}

/// Mietstufe of a Vergleichsraum: the highest Mietstufe among its Gemeinden (each Gemeinde's own,
/// else the Kreis value from the parameters). The highest is chosen so the comparison never
/// understates the fallback.
pub fn vr_mietstufe(project: &Project, vr_name: &str) -> Option<u8> {
    project
        .gemeinden
        .iter()
        .filter(|g| g.vergleichsraum == vr_name)
        .filter_map(|g| g.mietstufe.or(project.parameters.wogg.kreis_mietstufe))
        .max()
}

/// Limits by Produkttheorie.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Limits {
    /// NKM limit € = area × NKM/m².
    pub net_cold: f64,
    /// BK limit € = area × BK/m².
    pub operating_costs: f64,
    /// Bruttokaltmiete limit €.
    pub gross_cold: f64,
}

/// Per Vergleichsraum results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VrResult {
    /// Name.
    pub name: String,
    /// BK at VR level.
    pub bk: BkResult,
    /// Additional m² per further person.
    pub further_area_m2: f64,
    /// "Je weitere Person" limits (NKM/m² of the largest household size).
    pub further_person: Option<Limits>,
    /// With lift.
    pub further_person_lift: Option<Limits>,
    /// Records used in all cells of the VR.
    pub n_used: usize,
}

/// Applies the outlier rule to a sorted cell.
pub fn outliers(values: &[f64], p: &OutlierParams, qt: QuantileType) -> OutlierResult {
    let n = values.len();
    let (lower, upper) = match p.method {
        OutlierMethod::None => (f64::NEG_INFINITY, f64::INFINITY),
        OutlierMethod::MeanSd => match (mean(values), super::stats::sample_sd(values)) {
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

/// The BK statistic of sorted values.
fn bk_statistic(values: &[f64], p: &OperatingCostParams, qt: QuantileType) -> Option<f64> {
    match p.statistic {
        BkStatistic::Median => quantile_sorted(values, 0.5, qt),
        BkStatistic::Mean => mean(values),
        BkStatistic::Percentile => quantile_sorted(values, p.percentile, qt),
    }
}

fn bk_result(b: &BkValues, p: &OperatingCostParams, qt: QuantileType) -> BkResult {
    let (per_m2, per_m2_lift) = if p.lift_split {
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
        per_m2,
        per_m2_lift,
    }
}

/// Limits by Produkttheorie for one area and €/m² values, rounded as configured.
pub fn limits(area: f64, nkm_per_m2: f64, bk_per_m2: f64, mode: RoundingMode) -> Limits {
    let net_cold = round_cents(area * nkm_per_m2);
    let operating_costs = round_cents(area * bk_per_m2);
    let sum = round_cents(net_cold + operating_costs);
    let gross_cold = match mode {
        RoundingMode::Cents => sum,
        RoundingMode::EuroUp => (sum - 1e-9).ceil(),
        RoundingMode::EuroCommercial => sum.round(),
    };
    Limits {
        net_cold,
        operating_costs,
        gross_cold,
    }
}

fn maybe_round(v: Option<f64>, round: bool) -> Option<f64> {
    v.map(|x| if round { round_cents(x) } else { x })
}

/// Computes the analysis for `project`'s parameters from a prepared state.
pub fn compute(prep: &Prepared, project: &Project, data: &crate::dataset::Dataset) -> Analysis {
    let params: &Parameters = &project.parameters;
    let qt = params.quantile_type;
    let round = params.reference.round_per_m2;
    let mut cells = Vec::with_capacity(prep.cells.len());
    let mut vrs = Vec::with_capacity(prep.vr_names.len());
    let mut funnel = Funnel {
        delivered: data.sources.iter().map(|s| s.import.rows_total).sum(),
        records: data.records.len(),
        ..Funnel::default()
    };
    for r in &data.rejections {
        *funnel.import_rejected.entry(r.reason).or_insert(0) += 1;
    }
    for s in &prep.status {
        match s {
            RecordStatus::Excluded(reason) => *funnel.excluded.entry(*reason).or_insert(0) += 1,
            RecordStatus::InCell { .. } => funnel.in_cells += 1,
        }
    }
    let p_used = params.reference.effective_p();
    for (vr, name) in prep.vr_names.iter().enumerate() {
        let mietstufe = vr_mietstufe(project, name);
        let vr_bk = bk_result(&prep.bk_vr[vr], &params.operating_costs, qt);
        let mut n_used_vr = 0;
        let mut last_nkm = None;
        for class in 0..prep.classes {
            let Some(cell) = prep.cell(vr, class) else {
                continue;
            };
            let household_size = class as u32 + 1;
            let area = params.wohnflaechen.area_for(household_size);
            let o = outliers(&cell.values, &params.outliers, qt);
            let kept = &cell.values[o.kept.0..o.kept.1];
            let summary = summarize(kept, qt);
            let raw = match params.reference.method {
                ReferenceMethod::Mean => summary.as_ref().map(|s| s.mean),
                _ => p_used.and_then(|p| quantile_sorted(kept, p, qt)),
            };
            let ci = p_used.and_then(|p| quantile_ci(kept, p, params.ci_level));
            let nkm = maybe_round(raw, round);
            let bk = match params.operating_costs.level {
                BkLevel::Vergleichsraum => vr_bk.clone(),
                BkLevel::Cell => bk_result(&cell.bk, &params.operating_costs, qt),
            };
            let bk_m2 = maybe_round(bk.per_m2, round);
            let bk_m2_lift = maybe_round(bk.per_m2_lift, round);
            let mode = params.rounding.mode;
            let lim = nkm.zip(bk_m2).map(|(n, b)| limits(area, n, b, mode));
            let lim_lift = nkm.zip(bk_m2_lift).map(|(n, b)| limits(area, n, b, mode));
            let mut flags = Vec::new();
            if kept.is_empty() {
                flags.push(Flag::NoData);
            }
            if kept.len() < params.min_n {
                flags.push(Flag::NBelowMin);
            }
            if p_used.is_some() && ci.is_none() {
                flags.push(Flag::NoConfidenceInterval);
            }
            if bk_m2.is_none() {
                flags.push(Flag::NoOperatingCosts);
            }
            funnel.outliers_low += o.n_low;
            funnel.outliers_high += o.n_high;
            funnel.used += kept.len();
            n_used_vr += kept.len();
            if nkm.is_some() {
                last_nkm = nkm;
            }
            let (class_lower, class_upper) = prep.class_bounds[class];
            let wogg = mietstufe.and_then(|stufe| {
                let value = crate::tables::wogg::fallback(
                    project.project.stichtag,
                    household_size,
                    stufe,
                    params.wogg.surcharge,
                    params.wogg.klima,
                )?;
                let ratio = lim
                    .map(|l| l.gross_cold / value.with_surcharge)
                    .filter(|r| r.is_finite());
                Some(WoggComparison {
                    mietstufe: stufe,
                    value,
                    ratio,
                })
            });
            cells.push(CellResult {
                vr,
                vergleichsraum: name.clone(),
                household_size,
                area_m2: area,
                class_lower,
                class_upper,
                excluded: cell.excluded.clone(),
                n_in_cell: cell.values.len(),
                n: kept.len(),
                outliers: o,
                summary,
                p: p_used,
                net_rent_per_m2_raw: raw,
                net_rent_per_m2: nkm,
                ci,
                operating_costs_per_m2: bk_m2,
                operating_costs_per_m2_lift: bk_m2_lift,
                bk,
                limits: lim,
                limits_lift: lim_lift,
                wogg,
                flags,
            });
        }
        // "Je weitere Person" uses the €/m² of the largest household size (Kreis Düren).
        let largest_nkm = cells
            .iter()
            .rev()
            .find(|c| c.vr == vr && c.household_size as usize == prep.classes)
            .and_then(|c| c.net_rent_per_m2)
            .or(last_nkm);
        let further = params.wohnflaechen.per_further;
        let vr_bk_m2 = maybe_round(vr_bk.per_m2, round);
        let vr_bk_m2_lift = maybe_round(vr_bk.per_m2_lift, round);
        vrs.push(VrResult {
            name: name.clone(),
            further_area_m2: further,
            further_person: largest_nkm
                .zip(vr_bk_m2)
                .map(|(n, b)| limits(further, n, b, RoundingMode::Cents)),
            further_person_lift: largest_nkm
                .zip(vr_bk_m2_lift)
                .map(|(n, b)| limits(further, n, b, RoundingMode::Cents)),
            bk: vr_bk,
            n_used: n_used_vr,
        });
    }
    let warnings = super::warnings::collect(prep, project, data, &cells);
    Analysis {
        cells,
        vergleichsraeume: vrs,
        funnel,
        warnings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Kreis Düren, values from 01.01.2023 (DOMAIN §2.10), reproduced to the cent.
    #[test]
    fn kreis_dueren_table() {
        let areas = [50.0, 65.0, 80.0, 95.0, 110.0];
        let nkm = [5.59, 5.37, 5.12, 5.13, 5.10];
        let expected = [
            (279.50, 101.00, 380.50, 113.50, 393.00),
            (349.05, 131.30, 480.35, 147.55, 496.60),
            (409.60, 161.60, 571.20, 181.60, 591.20),
            (487.35, 191.90, 679.25, 215.65, 703.00),
            (561.00, 222.20, 783.20, 249.70, 810.70),
        ];
        for i in 0..5 {
            let l = limits(areas[i], nkm[i], 2.02, RoundingMode::Cents);
            let ll = limits(areas[i], nkm[i], 2.27, RoundingMode::Cents);
            let e = expected[i];
            assert_eq!(l.net_cold, e.0, "NKM {i}");
            assert_eq!(l.operating_costs, e.1, "BK {i}");
            assert_eq!(l.gross_cold, e.2, "BKM {i}");
            assert_eq!(ll.operating_costs, e.3, "BK Aufzug {i}");
            assert_eq!(ll.gross_cold, e.4, "BKM Aufzug {i}");
        }
        let f = limits(15.0, 5.10, 2.02, RoundingMode::Cents);
        let fl = limits(15.0, 5.10, 2.27, RoundingMode::Cents);
        assert_eq!(
            (f.net_cold, f.operating_costs, f.gross_cold),
            (76.50, 30.30, 106.80)
        );
        assert_eq!((fl.operating_costs, fl.gross_cold), (34.05, 110.55));
        assert_eq!(round_cents(783.20 + f.gross_cold), 890.00);
        assert_eq!(round_cents(810.70 + fl.gross_cold), 921.25);
        // The 6-person limit computed directly with 125 m² gives the same result.
        let six = limits(125.0, 5.10, 2.02, RoundingMode::Cents);
        assert_eq!(six.gross_cold, 890.00);
    }

    #[test]
    fn rounding_modes() {
        assert_eq!(
            limits(50.0, 5.591, 2.0, RoundingMode::EuroUp).gross_cold,
            380.0
        );
        assert_eq!(
            limits(50.0, 5.59, 2.0, RoundingMode::EuroUp).gross_cold,
            380.0
        );
        assert_eq!(
            limits(50.0, 5.6, 2.0, RoundingMode::EuroUp).gross_cold,
            380.0
        );
        assert_eq!(
            limits(50.0, 5.61, 2.0, RoundingMode::EuroUp).gross_cold,
            381.0
        );
        assert_eq!(
            limits(50.0, 5.59, 2.0, RoundingMode::EuroCommercial).gross_cold,
            380.0
        );
    }

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
