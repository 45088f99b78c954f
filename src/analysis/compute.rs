//! The orchestrator of the fast half of the pipeline. From a [`Prepared`] state it runs the steps
//! of a schlüssiges Konzept in order, per Vergleichsraum and size class: outliers → statistics →
//! weighting → Betriebskosten → Referenzmiete → limits → availability → WoGG fallback → heating,
//! then the per-Vergleichsraum figures, the warnings and the Fortschreibung. Runs on every
//! parameter change (slider move); it allocates little and never re-sorts.

use super::affordability::Affordability;
use super::availability::Availability;
use super::bk::bk_result;
use super::fortschreibung::fortschreibung;
use super::limits::limits;
use super::limits::{maybe_round, round_cents};
use super::outliers::outliers;
use super::prepare::{Prepared, PreparedCell};
use super::reference::{self, CellValues};
use super::representativeness::post_stratification;
use super::representativeness::{self as repr, market_share};
use super::result::{Analysis, BkResult, CellResult, Flag, Funnel, VrResult};
use super::stats::{quantile_ci, summarize};
use super::{heating, warnings, wogg};
use crate::dataset::Dataset;
use crate::model::Project;
use crate::model::params::{BkLevel, ReferenceMethod, RoundingMode};
use std::collections::BTreeMap;

/// What the cells of one Vergleichsraum share.
struct VrContext<'a> {
    vr: usize,
    name: &'a str,
    mietstufe: Option<u8>,
    without_concept: bool,
    market: Option<f64>,
    bk: BkResult,
}

impl<'a> VrContext<'a> {
    fn new(prep: &Prepared, project: &Project, vr: usize, name: &'a str) -> VrContext<'a> {
        let market = market_share(project, name);
        VrContext {
            vr,
            name,
            mietstufe: wogg::vr_mietstufe(project, name),
            without_concept: project
                .vergleichsraeume
                .iter()
                .any(|v| v.name == name && v.ohne_konzept),
            market,
            bk: bk_result(
                &prep.bk_vr[vr],
                &project.parameters.operating_costs,
                project.parameters.quantile_type,
                market,
            ),
        }
    }
}

/// Computes the analysis for `project`'s parameters from a prepared state.
pub fn compute(prep: &Prepared, project: &Project, data: &Dataset) -> Analysis {
    let params = &project.parameters;
    let mut funnel = Funnel {
        delivered: data.sources.iter().map(|s| s.import.rows_total).sum(),
        records: data.records.len(),
        excluded: prep.excluded_counts.clone(),
        in_cells: prep.n_in_cells,
        ..Funnel::default()
    };
    for r in &data.rejections {
        *funnel.import_rejected.entry(r.reason).or_insert(0) += 1;
    }
    let mut cells = Vec::with_capacity(prep.cells.len());
    let mut vrs = Vec::with_capacity(prep.vr_names.len());
    for (vr, name) in prep.vr_names.iter().enumerate() {
        let ctx = VrContext::new(prep, project, vr, name);
        let first = cells.len();
        for class in 0..prep.classes {
            let Some(cell) = prep.cell(vr, class) else {
                continue;
            };
            let c = compute_cell(prep, project, &ctx, class, cell);
            funnel.outliers_low += c.outliers.n_low;
            funnel.outliers_high += c.outliers.n_high;
            funnel.used += c.n;
            cells.push(c);
        }
        vrs.push(vr_result(prep, project, ctx, &cells[first..]));
    }
    let mut warnings = warnings::collect(prep, project, data, &cells);
    warnings::size_structure(project, &vrs, &mut warnings);
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

/// One Vergleichsraum × size class.
fn compute_cell(
    prep: &Prepared,
    project: &Project,
    ctx: &VrContext,
    class: usize,
    cell: &PreparedCell,
) -> CellResult {
    let params = &project.parameters;
    let qt = params.quantile_type;
    let round = params.reference.round_per_m2;
    let mode = params.rounding.mode;
    let household_size = class as u32 + 1;
    let area = params.wohnflaechen.area_for(household_size);
    let (class_lower, class_upper) = prep.class_bounds[class];

    let o = outliers(&cell.values, &params.outliers, qt);
    let kept = &cell.values[o.kept.0..o.kept.1];
    let summary = summarize(kept, qt);
    let weights = ctx
        .market
        .and_then(|m| post_stratification(&cell.landlord[o.kept.0..o.kept.1], m));
    let values = CellValues {
        kept,
        weights: weights.as_deref(),
        qt,
    };
    let bk = match params.operating_costs.level {
        BkLevel::Vergleichsraum => ctx.bk.clone(),
        BkLevel::Cell => bk_result(&cell.bk, &params.operating_costs, qt, ctx.market),
    };
    let bk_m2 = maybe_round(bk.per_m2, round);
    let bk_m2_lift = maybe_round(bk.per_m2_lift, round);
    let offers = Availability::new(
        &prep.offers.by_vr[ctx.vr],
        class_lower,
        class_upper,
        params.availability.produkttheorie,
        bk_m2,
    );
    let afford = Affordability {
        offers: &offers,
        area,
        bk_per_m2: bk_m2,
        mode,
    };

    let reference = reference::derive(params, household_size, &values, &afford);
    let (p, raw, target_reached) = (reference.p, reference.raw, reference.target_reached);
    let ci = p.and_then(|p| quantile_ci(kept, p, params.ci_level));
    let nkm = maybe_round(raw, round);
    let lim = nkm.zip(bk_m2).map(|(n, b)| limits(area, n, b, mode));
    let lim_lift = nkm.zip(bk_m2_lift).map(|(n, b)| limits(area, n, b, mode));
    let net_cold_limit = nkm.map(|n| round_cents(area * n));
    let availability = afford.result(project, &values, reference, nkm, lim);
    let welfare_share = repr::welfare_share(&cell.welfare[o.kept.0..o.kept.1]);
    let heating_limit = heating::limit(&params.heating, area);
    let total_limit =
        heating::total_limit(&params.heating, lim.map(|l| l.gross_cold), heating_limit);

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
    let wogg = wogg::comparison(project, ctx.mietstufe, household_size, lim);
    CellResult {
        vr: ctx.vr,
        vergleichsraum: ctx.name.to_string(),
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
        fallback_applied: ctx.without_concept,
        applied_gross_cold: if ctx.without_concept {
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
    }
}

/// The per-Vergleichsraum figures from its cells.
fn vr_result(prep: &Prepared, project: &Project, ctx: VrContext, cells: &[CellResult]) -> VrResult {
    let params = &project.parameters;
    let round = params.reference.round_per_m2;
    // "Je weitere Person" uses the €/m² of the largest household size (Kreis Düren), else the
    // last size with a value.
    let largest_nkm = cells
        .iter()
        .rev()
        .find(|c| c.household_size as usize == prep.classes)
        .and_then(|c| c.net_rent_per_m2)
        .or_else(|| cells.iter().rev().find_map(|c| c.net_rent_per_m2));
    let further = params.wohnflaechen.per_further;
    let vr_bk_m2 = maybe_round(ctx.bk.per_m2, round);
    let vr_bk_m2_lift = maybe_round(ctx.bk.per_m2_lift, round);
    VrResult {
        name: ctx.name.to_string(),
        further_area_m2: further,
        further_net_rent_per_m2: largest_nkm,
        further_person: largest_nkm
            .zip(vr_bk_m2)
            .map(|(n, b)| limits(further, n, b, RoundingMode::Cents)),
        further_person_lift: largest_nkm
            .zip(vr_bk_m2_lift)
            .map(|(n, b)| limits(further, n, b, RoundingMode::Cents)),
        n_used: cells.iter().map(|c| c.n).sum(),
        coverage: repr::coverage(project, prep, ctx.vr, ctx.name),
        size_structure: repr::size_structure(project, prep, ctx.vr, ctx.name),
        market_share_privat: ctx.market,
        sample_share_privat: repr::sample_share_privat(prep, ctx.vr, cells),
        bk: ctx.bk,
    }
}
