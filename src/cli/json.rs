//! The JSON rows of `compute --json`.

use crate::analysis::Analysis;
use serde::Serialize;
use std::collections::BTreeMap;

/// One cell of `compute --json`.
#[derive(Debug, Serialize)]
pub struct CellJson {
    /// Vergleichsraum.
    pub vergleichsraum: String,
    /// Household size.
    pub household_size: u32,
    /// Records used.
    pub n: usize,
    /// Records in the cell before outliers.
    pub n_in_cell: usize,
    /// Values behind the Referenzmiete (n, or the pooled count).
    pub n_reference: usize,
    /// Household sizes pooled into a small cell's Referenzmiete (empty: none).
    pub pooled_with: Vec<u32>,
    /// Undated Bestandsmieten of the cell (excluded unless included with a justification).
    pub n_undated: usize,
    /// Records of the cell excluded by scope rules, by reason code.
    pub excluded: BTreeMap<&'static str, usize>,
    /// Outliers removed below.
    pub n_outliers_low: usize,
    /// Outliers removed above.
    pub n_outliers_high: usize,
    /// Outlier bounds €/m² (null when unbounded).
    pub outlier_lower: Option<f64>,
    /// Upper bound.
    pub outlier_upper: Option<f64>,
    /// Percentile used.
    pub p: Option<f64>,
    /// Referenzmiete NKM €/m² as used.
    pub net_rent_per_m2: Option<f64>,
    /// Unrounded.
    pub net_rent_per_m2_raw: Option<f64>,
    /// Confidence interval of the percentile.
    pub ci: Option<[f64; 2]>,
    /// Angemessene Wohnfläche.
    pub area_m2: f64,
    /// kBK €/m².
    pub operating_costs_per_m2: Option<f64>,
    /// kBK €/m² with lift (split).
    pub operating_costs_per_m2_lift: Option<f64>,
    /// Where the kBK come from: `records` (statistic over the records) or `external`.
    pub operating_costs_source: crate::model::params::BkSource,
    /// Records of the cell (or Vergleichsraum, by BK level) with plausible kBK.
    pub operating_costs_n: usize,
    /// NKM limit.
    pub limit_net_cold: Option<f64>,
    /// BK limit.
    pub limit_operating_costs: Option<f64>,
    /// Bruttokaltmiete limit.
    pub limit_gross_cold: Option<f64>,
    /// Bruttokaltmiete limit with lift.
    pub limit_gross_cold_lift: Option<f64>,
    /// Verfügbarkeitsprüfung: offers, affordable count and share, per Gemeinde, curve.
    pub availability: Option<crate::analysis::availability::AvailabilityResult>,
    /// Iteration log of the iterative procedure (empty otherwise).
    pub iteration: Vec<crate::analysis::availability::IterationStep>,
    /// Coverage of the Vergleichsraum.
    pub coverage: Option<crate::analysis::Coverage>,
    /// Weighting: whether applied and the private landlords' market share.
    pub weights: WeightsJson,
    /// Share of used records with Leistungsbezug.
    pub welfare_share: Option<f64>,
    /// Share of used records whose Leistungsbezug is unknown.
    pub welfare_unknown_share: Option<f64>,
    /// Heating Grenzwert € per month.
    pub heating_limit: Option<f64>,
    /// Gesamtangemessenheitsgrenze €.
    pub total_limit: Option<f64>,
    /// Heating Prüfgrenze (and Gesamtangemessenheitsgrenze) of every Energieträger and band.
    pub heating_limits: Vec<crate::analysis::HeatingLimit>,
    /// WoGG comparison: Mietstufe, table value, with surcharge, ratio.
    pub wogg: Option<crate::analysis::WoggComparison>,
    /// Cell statistics.
    pub summary: Option<crate::analysis::stats::Summary>,
    /// Flags.
    pub flags: Vec<crate::analysis::Flag>,
    /// The concept limit is valid (enough rents, a Bruttokaltmiete, availability shown).
    pub valid: bool,
    /// Why not (codes), empty when valid.
    pub invalid_reasons: Vec<crate::analysis::InvalidReason>,
    /// `konzept` or `wogg_fallback`.
    pub applied_basis: crate::analysis::AppliedBasis,
    /// The Bruttokaltmiete that applies; `null` on the fallback when the Gemeinden of the
    /// Vergleichsraum differ (see `applied_by_gemeinde`) or no fallback exists.
    pub applied_limit: Option<f64>,
    /// On the fallback: every Gemeinde with its Mietstufe and value (and Karenzzeit limit).
    pub applied_by_gemeinde: Vec<crate::analysis::GemeindeLimit>,
    /// `karenzzeit.factor` × `applied_limit`, rounded like the table; `null` without a factor
    /// or where the Gemeinden differ (see `applied_by_gemeinde`).
    pub karenzzeit_limit: Option<f64>,
    /// Wirkungsanalyse: the recipients' households against the applied limit (`null` without
    /// recipients' data).
    pub impact: Option<crate::analysis::CellImpact>,
}

/// Weighting info of a cell.
#[derive(Debug, Serialize)]
pub struct WeightsJson {
    /// Post-stratification applied to the cell's NKM statistic.
    pub weighted: bool,
    /// Market share of private landlords entered for the Vergleichsraum.
    pub market_share_privat: Option<f64>,
}

/// The JSON rows of an analysis.
pub fn cells_json(a: &Analysis) -> Vec<CellJson> {
    let finite = |v: f64| v.is_finite().then_some(v);
    a.cells
        .iter()
        .map(|c| CellJson {
            vergleichsraum: c.vergleichsraum.clone(),
            household_size: c.household_size,
            n: c.n,
            n_in_cell: c.n_in_cell,
            n_reference: c.n_reference,
            pooled_with: c.pooled_with.clone(),
            n_undated: c.n_undated,
            excluded: c.excluded.iter().map(|(r, n)| (r.code(), *n)).collect(),
            n_outliers_low: c.outliers.n_low,
            n_outliers_high: c.outliers.n_high,
            outlier_lower: finite(c.outliers.lower),
            outlier_upper: finite(c.outliers.upper),
            p: c.p,
            net_rent_per_m2: c.net_rent_per_m2,
            net_rent_per_m2_raw: c.net_rent_per_m2_raw,
            ci: c.ci.as_ref().map(|ci| [ci.lower, ci.upper]),
            area_m2: c.area_m2,
            operating_costs_per_m2: c.operating_costs_per_m2,
            operating_costs_per_m2_lift: c.operating_costs_per_m2_lift,
            operating_costs_source: c.bk.source,
            operating_costs_n: c.bk.n,
            limit_net_cold: c.net_cold_limit,
            limit_operating_costs: c.limits.map(|l| l.operating_costs),
            limit_gross_cold: c.limits.map(|l| l.gross_cold),
            limit_gross_cold_lift: c.limits_lift.map(|l| l.gross_cold),
            availability: c.availability.clone(),
            iteration: c
                .availability
                .as_ref()
                .map(|av| av.iteration.clone())
                .unwrap_or_default(),
            coverage: a.vergleichsraeume.get(c.vr).map(|v| v.coverage),
            weights: WeightsJson {
                weighted: c.weighted,
                market_share_privat: a
                    .vergleichsraeume
                    .get(c.vr)
                    .and_then(|v| v.market_share_privat),
            },
            welfare_share: c.welfare_share,
            welfare_unknown_share: c.welfare_unknown_share,
            heating_limit: c.heating_limit,
            total_limit: c.total_limit,
            heating_limits: c.heating_limits.clone(),
            wogg: c.wogg.clone(),
            summary: c.summary,
            flags: c.flags.clone(),
            valid: c.valid,
            invalid_reasons: c.invalid_reasons.clone(),
            applied_basis: c.applied_basis,
            applied_limit: c.applied_limit,
            applied_by_gemeinde: c.applied_by_gemeinde.clone(),
            karenzzeit_limit: c.karenzzeit_limit,
            impact: c.impact.clone(),
        })
        .collect()
}
