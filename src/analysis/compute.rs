//! The fast half of the pipeline: outliers, statistics, Referenzmiete, Betriebskosten and
//! limits per cell from a [`Prepared`] state. Runs on every parameter change (slider move);
//! it allocates little and never re-sorts.

use super::availability::{Availability, AvailabilityResult, IterationStep};
use super::prepare::{BkValues, Prepared};
use super::quantile::{QuantileType, quantile_sorted, weighted_quantile_sorted};
use super::stats::{QuantileCi, Summary, mean, quantile_ci, summarize};
use crate::model::params::{
    BkLevel, BkStatistic, IterationStart, OperatingCostParams, OutlierMethod, OutlierParams,
    Parameters, ReferenceMethod, RoundingMode, round_cents,
};
use crate::model::{LandlordType, Project, Reason};
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
    /// Offers excluded from the availability check, by reason.
    pub offers_excluded: BTreeMap<Reason, usize>,
    /// Fortschreibung of old limits, when configured.
    pub fortschreibung: Option<FortschreibungResult>,
}

/// Old limits × index factors (DOMAIN §2.14).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FortschreibungResult {
    /// Factor for the NKM part.
    pub factor_nkm: f64,
    /// Factor for the BK part.
    pub factor_bk: f64,
    /// Old → new per row.
    pub rows: Vec<FortschreibungRow>,
}

/// One updated limit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FortschreibungRow {
    /// Vergleichsraum.
    pub vergleichsraum: String,
    /// Household size.
    pub household_size: u32,
    /// Old NKM part.
    pub old_net_cold: f64,
    /// Old BK part.
    pub old_operating_costs: f64,
    /// Old Bruttokaltmiete.
    pub old_gross_cold: f64,
    /// New NKM part = old × factor (cents).
    pub new_net_cold: f64,
    /// New BK part.
    pub new_operating_costs: f64,
    /// New Bruttokaltmiete.
    pub new_gross_cold: f64,
}

/// Applies a Fortschreibung: each part × its index factor, rounded to cents.
pub fn fortschreibung(
    f: &crate::model::params::FortschreibungParams,
) -> Option<FortschreibungResult> {
    let factor_nkm = f.index_nkm.factor()?;
    let factor_bk = f.index_bk.factor()?;
    let rows = f
        .old_limits
        .iter()
        .map(|o| {
            let new_net_cold = round_cents(o.net_cold * factor_nkm);
            let new_operating_costs = round_cents(o.operating_costs * factor_bk);
            FortschreibungRow {
                vergleichsraum: o.vergleichsraum.clone(),
                household_size: o.household_size,
                old_net_cold: o.net_cold,
                old_operating_costs: o.operating_costs,
                old_gross_cold: round_cents(o.net_cold + o.operating_costs),
                new_net_cold,
                new_operating_costs,
                new_gross_cold: round_cents(new_net_cold + new_operating_costs),
            }
        })
        .collect();
    Some(FortschreibungResult {
        factor_nkm,
        factor_bk,
        rows,
    })
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
    /// The iteration did not reach the target share of affordable offers.
    TargetNotReached,
    /// Share of records with Leistungsbezug above the threshold (Zirkelschluss).
    WelfareShareHigh,
}

impl Flag {
    /// German text.
    pub fn german(self) -> &'static str {
        match self {
            Flag::NoData => "keine Daten",
            Flag::NBelowMin => "Fallzahl unter Mindestwert",
            Flag::NoConfidenceInterval => "kein Konfidenzintervall (zu wenige Werte)",
            Flag::NoOperatingCosts => "keine Betriebskostenwerte",
            Flag::TargetNotReached => "Zielanteil verfügbarer Angebote nicht erreicht",
            Flag::WelfareShareHigh => "hoher Anteil Leistungsbezieher (Zirkelschluss prüfen)",
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
    /// Percentile used (None for the mean); for the iterative method the final p.
    pub p: Option<f64>,
    /// Post-stratification weights were applied.
    pub weighted: bool,
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
    /// NKM limit € = area × NKM/m² (also when no BK value exists).
    pub net_cold_limit: Option<f64>,
    /// Limits.
    pub limits: Option<Limits>,
    /// Limits with lift (when split).
    pub limits_lift: Option<Limits>,
    /// WoGG + Sicherheitszuschlag comparison (DOMAIN §2.15, §4).
    pub wogg: Option<WoggComparison>,
    /// Verfügbarkeitsprüfung (None without offers in the cell).
    pub availability: Option<AvailabilityResult>,
    /// Share of used records with Leistungsbezug (Zirkelschluss check).
    pub welfare_share: Option<f64>,
    /// Heating Grenzwert € per month (Heizspiegel boundary × Wohnfläche).
    pub heating_limit: Option<f64>,
    /// Gesamtangemessenheitsgrenze € (Bruttokaltmiete + heating), when enabled.
    pub total_limit: Option<f64>,
    /// The Vergleichsraum is marked as without valid concept: the WoGG fallback applies.
    pub fallback_applied: bool,
    /// The Bruttokaltmiete limit that applies: the concept's, or the WoGG fallback.
    pub applied_gross_cold: Option<f64>,
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
    /// Coverage: Bestand records in cells ÷ Mietwohnungsbestand (K5).
    pub coverage: Coverage,
    /// Market share of private landlords used for weighting (None: unweighted).
    pub market_share_privat: Option<f64>,
    /// Share of private landlords among the VR's used records with known Vermietertyp.
    pub sample_share_privat: Option<f64>,
    /// Size structure: per size class (sample share before outliers, stock share if entered).
    pub size_structure: Vec<(f64, Option<f64>)>,
}

/// Coverage of a Vergleichsraum.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Coverage {
    /// Bestand records in cells (before outliers).
    pub n_bestand: usize,
    /// Mietwohnungsbestand from the Gemeinde table (0 if unknown).
    pub mietwohnungen: u32,
    /// n_bestand ÷ mietwohnungen.
    pub share: Option<f64>,
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

/// The entered market share of private landlords for a Vergleichsraum, when weighting is on.
fn market_share(project: &Project, vr_name: &str) -> Option<f64> {
    let r = &project.parameters.representativeness;
    if !r.weighting {
        return None;
    }
    r.market_shares
        .iter()
        .find(|m| m.vergleichsraum == vr_name)
        .map(|m| m.privat.clamp(0.0, 1.0))
}

/// Post-stratification weights by Vermietertyp (LSG Sachsen-Anhalt L 4 AS 92/20): private
/// records get market share ÷ sample share, institutional ones (1 − market) ÷ (1 − sample),
/// records of unknown type 1. `None` when the sample has only one type (nothing to weight).
pub fn post_stratification(
    landlord: &[Option<LandlordType>],
    market_privat: f64,
) -> Option<Vec<f64>> {
    let privat = landlord
        .iter()
        .filter(|l| **l == Some(LandlordType::Privat))
        .count();
    let known = landlord.iter().filter(|l| l.is_some()).count();
    if known == 0 || privat == 0 || privat == known {
        return None;
    }
    let sample = privat as f64 / known as f64;
    let (wp, wi) = (
        market_privat / sample,
        (1.0 - market_privat) / (1.0 - sample),
    );
    Some(
        landlord
            .iter()
            .map(|l| match l {
                Some(LandlordType::Privat) => wp,
                Some(LandlordType::Institutionell) => wi,
                None => 1.0,
            })
            .collect(),
    )
}

/// The BK statistic of sorted values.
fn bk_statistic(values: &[f64], p: &OperatingCostParams, qt: QuantileType) -> Option<f64> {
    match p.statistic {
        BkStatistic::Median => quantile_sorted(values, 0.5, qt),
        BkStatistic::Mean => mean(values),
        BkStatistic::Percentile => quantile_sorted(values, p.percentile, qt),
    }
}

fn bk_result(
    b: &BkValues,
    p: &OperatingCostParams,
    qt: QuantileType,
    market: Option<f64>,
) -> BkResult {
    let weights = market.and_then(|m| post_stratification(&b.all_landlord, m));
    let (per_m2, per_m2_lift) = if let (Some(w), false) = (&weights, p.lift_split) {
        let v = match p.statistic {
            BkStatistic::Median => weighted_quantile_sorted(&b.all, w, 0.5),
            BkStatistic::Mean => super::stats::weighted_mean(&b.all, w),
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
    funnel.excluded = prep.excluded_counts.clone();
    funnel.in_cells = prep.n_in_cells;
    let p_used = params.reference.effective_p();
    for (vr, name) in prep.vr_names.iter().enumerate() {
        let mietstufe = vr_mietstufe(project, name);
        let without_concept = project
            .vergleichsraeume
            .iter()
            .any(|v| &v.name == name && v.ohne_konzept);
        let vr_bk = bk_result(
            &prep.bk_vr[vr],
            &params.operating_costs,
            qt,
            market_share(project, name),
        );
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
            let market = market_share(project, name);
            let weights =
                market.and_then(|m| post_stratification(&cell.landlord[o.kept.0..o.kept.1], m));
            let nkm_at = |p: f64| match &weights {
                Some(w) => weighted_quantile_sorted(kept, w, p),
                None => quantile_sorted(kept, p, qt),
            };
            let bk = match params.operating_costs.level {
                BkLevel::Vergleichsraum => vr_bk.clone(),
                BkLevel::Cell => bk_result(&cell.bk, &params.operating_costs, qt, market),
            };
            let bk_m2 = maybe_round(bk.per_m2, round);
            let bk_m2_lift = maybe_round(bk.per_m2_lift, round);
            let mode = params.rounding.mode;
            let (class_lower, class_upper) = prep.class_bounds[class];
            let offers = Availability::new(
                &prep.offers.by_vr[vr],
                class_lower,
                class_upper,
                params.availability.produkttheorie,
                bk_m2,
            );
            // Share of affordable offers at a given €/m² (as used, i.e. rounded).
            // Without an abstract BK value offers are compared by their NKM alone.
            let share_at = |nkm_m2: f64| -> Option<(f64, Option<f64>, usize, f64)> {
                let net = round_cents(area * nkm_m2);
                let gross = bk_m2.map(|b| limits(area, nkm_m2, b, mode).gross_cold);
                let n_aff = offers.affordable(net, gross);
                (offers.n() > 0).then(|| (net, gross, n_aff, n_aff as f64 / offers.n() as f64))
            };
            let mut iteration = Vec::new();
            let mut target_reached = false;
            let (p, raw) = match params.reference.method {
                ReferenceMethod::Mean => (
                    None,
                    match &weights {
                        Some(w) => super::stats::weighted_mean(kept, w),
                        None => summary.as_ref().map(|s| s.mean),
                    },
                ),
                ReferenceMethod::Iterative => {
                    let a = &params.availability;
                    let start = match a.start {
                        IterationStart::Fixed => params.reference.percentile,
                        IterationStart::DemandShare => a
                            .demand
                            .iter()
                            .find(|d| d.household_size == household_size)
                            .and_then(|d| d.share())
                            .unwrap_or(params.reference.percentile)
                            .max(a.p_floor),
                    };
                    let mut p = start.clamp(0.0, 1.0);
                    let mut value = nkm_at(p);
                    let step = a.p_step.max(0.001);
                    while let Some(v) = value {
                        let used = maybe_round(Some(v), round).unwrap_or(v);
                        match share_at(used) {
                            Some((net, gross, n_aff, share)) => {
                                iteration.push(IterationStep {
                                    p,
                                    net_rent_per_m2: used,
                                    limit_net_cold: net,
                                    limit_gross_cold: gross,
                                    n_affordable: n_aff,
                                    share,
                                });
                                if share >= a.target_share {
                                    target_reached = true;
                                    break;
                                }
                            }
                            None => break,
                        }
                        let next = ((p + step) * 1e9).round() / 1e9;
                        if next > a.p_max + 1e-12 {
                            break;
                        }
                        p = next;
                        value = nkm_at(p);
                    }
                    (Some(p), value)
                }
                _ => (p_used, p_used.and_then(nkm_at)),
            };
            let ci = p.and_then(|p| quantile_ci(kept, p, params.ci_level));
            let nkm = maybe_round(raw, round);
            let lim = nkm.zip(bk_m2).map(|(n, b)| limits(area, n, b, mode));
            let lim_lift = nkm.zip(bk_m2_lift).map(|(n, b)| limits(area, n, b, mode));
            let net_cold_limit = nkm.map(|n| round_cents(area * n));
            let availability = (offers.n() > 0).then(|| {
                let net_l = net_cold_limit.unwrap_or(f64::NEG_INFINITY);
                let gross_l = match (lim, nkm) {
                    (Some(l), _) => Some(l.gross_cold),
                    (None, Some(_)) => None,
                    (None, None) => Some(f64::NEG_INFINITY),
                };
                let n_aff = offers.affordable(net_l, gross_l);
                let (aff_g, all_g) = offers.by_gemeinde(net_l, gross_l);
                let gname = |g: u32| {
                    project
                        .gemeinden
                        .get(g as usize)
                        .map(|r| r.name.clone())
                        .unwrap_or_default()
                };
                let curve = (1..=19)
                    .filter_map(|i| {
                        let pc = f64::from(i) * 0.05;
                        let v = maybe_round(nkm_at(pc), round)?;
                        share_at(v).map(|(_, _, _, sh)| (pc, sh))
                    })
                    .collect();
                AvailabilityResult {
                    n_offers: offers.n(),
                    n_affordable: n_aff,
                    share: Some(n_aff as f64 / offers.n() as f64),
                    target_share: params.availability.target_share,
                    by_gemeinde: aff_g.into_iter().map(|(g, n)| (gname(g), n)).collect(),
                    offers_by_gemeinde: all_g.into_iter().map(|(g, n)| (gname(g), n)).collect(),
                    iteration: iteration.clone(),
                    target_reached,
                    curve,
                }
            });
            let welfare_share = (!kept.is_empty()).then(|| {
                cell.welfare[o.kept.0..o.kept.1]
                    .iter()
                    .filter(|w| **w)
                    .count() as f64
                    / kept.len() as f64
            });
            let heating = &params.heating;
            let heating_limit = if heating.enabled {
                heating
                    .table
                    .monthly_limit(&heating.energietraeger, heating.building_area_m2, area)
                    .map(round_cents)
            } else {
                None
            };
            let total_limit = if heating.gesamtangemessenheitsgrenze {
                lim.zip(heating_limit)
                    .map(|(l, h)| round_cents(l.gross_cold + h))
            } else {
                None
            };
            let mut flags = Vec::new();
            if kept.is_empty() {
                flags.push(Flag::NoData);
            }
            if kept.len() < params.min_n {
                flags.push(Flag::NBelowMin);
            }
            if p.is_some() && ci.is_none() {
                flags.push(Flag::NoConfidenceInterval);
            }
            if params.reference.method == ReferenceMethod::Iterative && !target_reached {
                flags.push(Flag::TargetNotReached);
            }
            if welfare_share.is_some_and(|w| w > params.representativeness.welfare_share_max) {
                flags.push(Flag::WelfareShareHigh);
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
                p,
                weighted: weights.is_some(),
                net_rent_per_m2_raw: raw,
                net_rent_per_m2: nkm,
                ci,
                operating_costs_per_m2: bk_m2,
                operating_costs_per_m2_lift: bk_m2_lift,
                bk,
                net_cold_limit,
                limits: lim,
                limits_lift: lim_lift,
                fallback_applied: without_concept,
                applied_gross_cold: if without_concept {
                    wogg.as_ref().map(|w| w.value.with_surcharge)
                } else {
                    lim.map(|l| l.gross_cold)
                },
                wogg,
                availability,
                welfare_share,
                heating_limit,
                total_limit,
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
            coverage: {
                let stock: u32 = project
                    .gemeinden
                    .iter()
                    .filter(|g| &g.vergleichsraum == name)
                    .filter_map(|g| g.mietwohnungen)
                    .sum();
                let n_bestand = prep.n_bestand_vr.get(vr).copied().unwrap_or(0);
                Coverage {
                    n_bestand,
                    mietwohnungen: stock,
                    share: (stock > 0).then(|| n_bestand as f64 / f64::from(stock)),
                }
            },
            size_structure: {
                let counts: Vec<usize> = (0..prep.classes)
                    .map(|c| prep.cell(vr, c).map_or(0, |pc| pc.values.len()))
                    .collect();
                let total: usize = counts.iter().sum();
                let stock = params
                    .representativeness
                    .stock_by_size
                    .iter()
                    .find(|s| &s.vergleichsraum == name);
                counts
                    .iter()
                    .enumerate()
                    .map(|(c, n)| {
                        (
                            if total > 0 {
                                *n as f64 / total as f64
                            } else {
                                0.0
                            },
                            stock.and_then(|s| s.shares.get(c).copied()),
                        )
                    })
                    .collect()
            },
            market_share_privat: market_share(project, name),
            sample_share_privat: {
                let (mut privat, mut known) = (0usize, 0usize);
                for (class, c) in cells.iter().filter(|c| c.vr == vr).enumerate() {
                    if let Some(pc) = prep.cell(vr, class) {
                        let kept = &pc.landlord[c.outliers.kept.0..c.outliers.kept.1];
                        known += kept.iter().filter(|l| l.is_some()).count();
                        privat += kept
                            .iter()
                            .filter(|l| **l == Some(LandlordType::Privat))
                            .count();
                    }
                }
                (known > 0).then(|| privat as f64 / known as f64)
            },
        });
    }
    let mut warnings = super::warnings::collect(prep, project, data, &cells);
    super::warnings::size_structure(project, &vrs, &mut warnings);
    let mut offers_excluded = BTreeMap::new();
    for (_, reason) in &prep.offers.excluded {
        *offers_excluded.entry(*reason).or_insert(0) += 1;
    }
    Analysis {
        cells,
        vergleichsraeume: vrs,
        funnel,
        warnings,
        offers_excluded,
        fortschreibung: params.fortschreibung.as_ref().and_then(fortschreibung),
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

    /// Bremen 2010 → 2013 factors 1,091 (NKM) and 0,993 (BK) (DOMAIN §2.14).
    #[test]
    fn fortschreibung_bremen_factors() {
        use crate::model::params::{FortschreibungParams, IndexSeries, OldLimit};
        let f = FortschreibungParams {
            old_stichtag: None,
            index_nkm: IndexSeries {
                value_old: 100.0,
                value_new: 109.1,
                ..IndexSeries::default()
            },
            index_bk: IndexSeries {
                value_old: 100.0,
                value_new: 99.3,
                ..IndexSeries::default()
            },
            old_limits: vec![OldLimit {
                vergleichsraum: "Bremen".into(),
                household_size: 1,
                net_cold: 300.0,
                operating_costs: 80.0,
            }],
        };
        let r = fortschreibung(&f).unwrap();
        assert!((r.factor_nkm - 1.091).abs() < 1e-12);
        assert!((r.factor_bk - 0.993).abs() < 1e-12);
        let row = &r.rows[0];
        assert_eq!(row.new_net_cold, 327.30);
        assert_eq!(row.new_operating_costs, 79.44);
        assert_eq!(row.new_gross_cold, 406.74);
        assert_eq!(row.old_gross_cold, 380.0);
    }

    #[test]
    fn post_stratification_weights() {
        use LandlordType::{Institutionell as I, Privat as P};
        // Sample: 1 private, 3 institutional; market: 50 % private.
        let w = post_stratification(&[Some(P), Some(I), Some(I), Some(I), None], 0.5).unwrap();
        assert_eq!(w, vec![2.0, 2.0 / 3.0, 2.0 / 3.0, 2.0 / 3.0, 1.0]);
        assert!(post_stratification(&[Some(P), Some(P)], 0.5).is_none());
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
