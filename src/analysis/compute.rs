//! The orchestrator of the fast half of the pipeline. From a [`Prepared`] state it runs the steps
//! of a schlüssiges Konzept in order, per Vergleichsraum and size class: outliers → statistics →
//! weighting → Betriebskosten → Referenzmiete → limits → availability → WoGG fallback → heating,
//! then the per-Vergleichsraum figures, the Wirkungsanalyse, the warnings and the
//! Fortschreibung. Runs on every parameter change (slider move); it allocates little and never
//! re-sorts.

use super::affordability::Affordability;
use super::availability::Availability;
use super::bk::bk_for;
use super::fortschreibung::fortschreibung;
use super::limits::limits;
use super::limits::{maybe_round, round_cents};
use super::outliers::outliers;
use super::prepare::{Prepared, PreparedCell};
use super::reference::{self, CellValues};
use super::representativeness::post_stratification;
use super::representativeness::{self as repr, market_share};
use super::result::{Analysis, BkResult, CellResult, Flag, Funnel, VrResult};
use super::stats::{quantile_ci, summarize, weighted_quantile_ci};
use super::{checks, heating, impact, pooling, validity, wogg};
use crate::dataset::Dataset;
use crate::model::params::{BkLevel, ReferenceMethod};
use crate::model::{GemeindeRow, Project};
use std::collections::BTreeMap;

/// What the cells of one Vergleichsraum share.
struct VrContext<'a> {
    vr: usize,
    name: &'a str,
    /// The Gemeinden with their applied Mietstufe (fallback per Gemeinde).
    gemeinden: Vec<(&'a GemeindeRow, Option<u8>)>,
    mietstufe: Option<u8>,
    without_concept: bool,
    market: Option<f64>,
    bk: BkResult,
}

impl<'a> VrContext<'a> {
    fn new(prep: &Prepared, project: &'a Project, vr: usize, name: &'a str) -> VrContext<'a> {
        let market = market_share(project, name);
        let gemeinden = wogg::vr_gemeinden(project, prep.anlage_mietstufen(), name);
        VrContext {
            vr,
            name,
            mietstufe: wogg::vr_mietstufe(&gemeinden),
            gemeinden,
            without_concept: project
                .vergleichsraeume
                .iter()
                .any(|v| v.name == name && v.ohne_konzept),
            market,
            bk: bk_for(
                &prep.bk_vr[vr],
                &project.parameters.operating_costs,
                &project.parameters.operating_costs.for_vergleichsraum(name),
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
    let mut offers_excluded = BTreeMap::new();
    for (_, reason) in &prep.offers.excluded {
        *offers_excluded.entry(*reason).or_insert(0) += 1;
    }
    let mut analysis = Analysis {
        cells,
        vergleichsraeume: vrs,
        funnel,
        warnings: Vec::new(),
        offers_excluded,
        fortschreibung: params.fortschreibung.as_ref().and_then(fortschreibung),
        checks: Vec::new(),
        impact: None,
    };
    if let Some(rows) = &data.recipients {
        analysis.impact = Some(impact::apply(
            project,
            rows,
            &mut analysis.cells,
            &analysis.vergleichsraeume,
        ));
    }
    let (warnings, checks) = checks::audit(prep, project, &analysis, data);
    analysis.warnings = warnings;
    analysis.checks = checks;
    analysis
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
    // A small cell may take its Referenzmiete from a pooled sample (unweighted).
    let pooled = pooling::pool(prep, params, ctx.vr, class, kept);
    let values = match &pooled {
        Some(pl) => CellValues::new(&pl.values, None, qt),
        None => CellValues::new(kept, weights.as_deref(), qt),
    };
    let oc = &params.operating_costs;
    let bk = match oc.level {
        BkLevel::Vergleichsraum => ctx.bk.clone(),
        BkLevel::Cell => bk_for(
            &cell.bk,
            oc,
            &oc.for_vergleichsraum(ctx.name),
            qt,
            ctx.market,
        ),
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
    // The interval of the quantile actually used: weighted where the Referenzmiete is.
    let ci = p.and_then(|p| match values.weights {
        Some(w) => weighted_quantile_ci(values.kept, w, p, params.ci_level),
        None => quantile_ci(values.kept, p, params.ci_level),
    });
    let nkm = maybe_round(raw, round);
    let lim = nkm.zip(bk_m2).map(|(n, b)| limits(area, n, b, mode));
    let lim_lift = nkm.zip(bk_m2_lift).map(|(n, b)| limits(area, n, b, mode));
    let net_cold_limit = nkm.map(|n| round_cents(area * n));
    let availability = afford.result(project, &values, reference, nkm, lim);
    let welfare = &cell.welfare[o.kept.0..o.kept.1];
    let welfare_share = repr::welfare_share(welfare);
    let welfare_unknown_share = repr::welfare_unknown_share(welfare);

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
    let invalid_reasons = validity::invalid_reasons(
        params.min_n,
        ctx.without_concept,
        (kept.len(), values.kept.len()),
        nkm.is_some() && lim.is_none(),
        availability.as_ref(),
    );
    let valid = invalid_reasons.is_empty();
    let (applied_basis, applied_limit, applied_by_gemeinde) = validity::applied(
        project,
        &ctx.gemeinden,
        household_size,
        valid,
        lim.map(|l| l.gross_cold),
    );
    let karenzzeit_limit = super::limits::karenzzeit(params, applied_limit);
    let heating_limits = heating::limits(&params.heating, area, applied_limit);
    let heating_limit = heating::limit(&params.heating, area);
    let total_limit = heating::total_limit(&params.heating, applied_limit, heating_limit);
    CellResult {
        vr: ctx.vr,
        vergleichsraum: ctx.name.to_string(),
        household_size,
        area_m2: area,
        class_lower,
        class_upper,
        excluded: cell.excluded.clone(),
        n_in_cell: cell.values.len(),
        n_undated: cell.n_undated,
        n: kept.len(),
        n_reference: values.kept.len(),
        pooled_with: pooled
            .as_ref()
            .map(|pl| pl.with.clone())
            .unwrap_or_default(),
        outliers: o,
        summary,
        p,
        weighted: values.weights.is_some(),
        net_rent_per_m2_raw: raw,
        net_rent_per_m2: nkm,
        ci,
        operating_costs_per_m2: bk_m2,
        operating_costs_per_m2_lift: bk_m2_lift,
        bk,
        net_cold_limit,
        limits: lim,
        limits_lift: lim_lift,
        valid,
        invalid_reasons,
        applied_basis,
        applied_limit,
        applied_by_gemeinde,
        karenzzeit_limit,
        wogg,
        availability,
        welfare_share,
        welfare_unknown_share,
        heating_limit,
        total_limit,
        heating_limits,
        flags,
        impact: None,
    }
}

/// The per-Vergleichsraum figures from its cells.
fn vr_result(prep: &Prepared, project: &Project, ctx: VrContext, cells: &[CellResult]) -> VrResult {
    let params = &project.parameters;
    let further = super::limits::further_person(params, prep.classes, cells);
    VrResult {
        name: ctx.name.to_string(),
        further_area_m2: params.wohnflaechen.per_further,
        further_net_rent_per_m2: further.net_rent_per_m2,
        further_person: further.limits,
        further_person_lift: further.limits_lift,
        n_used: cells.iter().map(|c| c.n).sum(),
        coverage: repr::coverage(project, prep, ctx.vr, ctx.name),
        size_structure: repr::size_structure(project, prep, ctx.vr, ctx.name),
        market_share_privat: ctx.market,
        sample_share_privat: repr::sample_share_privat(prep, ctx.vr, cells),
        bk: ctx.bk,
    }
}
