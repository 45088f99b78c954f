//! The Wirkungsanalyse (docs/METHOD.md §2.17): how many of the recipients' households live
//! above the limit that applies to them, and by how much money, per cell. The limit is the
//! applied one of the cell (the concept's, or on the WoGG fallback the value of the household's
//! Gemeinde). A high share above the limit signals that the limit does not fit the market
//! (Bayerisches LSG, 28.03.2018, L 11 AS 52/16: 59,6 %).

use super::result::{CellImpact, CellResult, ImpactSummary, VrResult};
use crate::import::recipients::RecipientRow;
use crate::model::Project;
use std::collections::HashMap;

/// The Gemeinden of the table by AGS and by normalised name (first row wins), built once per
/// run so that locating a row costs one normalisation and two look-ups, not a scan.
struct GemeindeIndex<'a> {
    by_ags: HashMap<&'a str, usize>,
    by_name: HashMap<String, usize>,
}

impl<'a> GemeindeIndex<'a> {
    fn new(project: &'a Project) -> GemeindeIndex<'a> {
        let mut by_ags = HashMap::new();
        let mut by_name = HashMap::new();
        for (i, g) in project.gemeinden.iter().enumerate() {
            if !g.ags.is_empty() {
                by_ags.entry(g.ags.as_str()).or_insert(i);
            }
            by_name
                .entry(crate::analysis::prepare::normalize_name(&g.name))
                .or_insert(i);
        }
        GemeindeIndex { by_ags, by_name }
    }

    fn find(&self, gemeinde: &str) -> Option<usize> {
        self.by_ags.get(gemeinde).copied().or_else(|| {
            self.by_name
                .get(&crate::analysis::prepare::normalize_name(gemeinde))
                .copied()
        })
    }
}

/// Where a recipient row belongs: its Vergleichsraum and, where known, its Gemeinde (name, AGS).
fn locate<'a>(
    project: &'a Project,
    index: &GemeindeIndex,
    row: &'a RecipientRow,
) -> Option<(&'a str, Option<usize>)> {
    let gemeinde = (!row.gemeinde.is_empty())
        .then(|| index.find(&row.gemeinde))
        .flatten();
    if !row.vergleichsraum.is_empty() {
        return Some((row.vergleichsraum.as_str(), gemeinde));
    }
    let g = gemeinde?;
    let vr = project.gemeinden.get(g)?.vergleichsraum.as_str();
    (!vr.is_empty()).then_some((vr, Some(g)))
}

/// The limit that applies to a household of `cell` in Gemeinde `g` (None: not assessable).
/// `extra` persons beyond the cell's household size (a household larger than the largest size
/// class) add the Vergleichsraum's amount "je weitere Person" to the concept's limit; on the
/// WoGG fallback the WoGG value for the household's own size applies.
fn applied_for(
    project: &Project,
    cell: &CellResult,
    g: Option<usize>,
    extra: u32,
    further: Option<f64>,
) -> Option<f64> {
    if let Some(l) = cell.applied_limit {
        if extra == 0 {
            return Some(l);
        }
        if cell.valid {
            return further.map(|f| super::limits::round_cents(l + f64::from(extra) * f));
        }
    }
    let g = project.gemeinden.get(g?)?;
    let by_gemeinde = cell
        .applied_by_gemeinde
        .iter()
        .find(|l| (!g.ags.is_empty() && l.ags == g.ags) || l.gemeinde == g.name)?;
    if extra == 0 {
        return by_gemeinde.limit;
    }
    let w = &project.parameters.wogg;
    let members = cell.household_size + extra;
    super::wogg::fallback(
        super::wogg::table_date(project),
        members,
        by_gemeinde.mietstufe?,
        w.surcharge,
        w.klima,
    )
    .map(|v| v.with_surcharge)
}

/// Fills `impact` of every cell from the recipients' rows (every cell gets one, with zero
/// households where none live) and returns the totals.
/// Households larger than the largest size class of their Vergleichsraum are counted in that
/// largest cell (`larger_households`).
pub fn apply(
    project: &Project,
    rows: &[RecipientRow],
    cells: &mut [CellResult],
    vrs: &[VrResult],
) -> ImpactSummary {
    let mut summary = ImpactSummary::default();
    for c in cells.iter_mut() {
        c.impact = Some(CellImpact::default());
    }
    let index = GemeindeIndex::new(project);
    let cell_of: HashMap<(String, u32), usize> = cells
        .iter()
        .enumerate()
        .map(|(i, c)| ((c.vergleichsraum.clone(), c.household_size), i))
        .collect();
    // The largest cell of each Vergleichsraum and its amount "je weitere Person".
    let mut largest: HashMap<String, (u32, usize)> = HashMap::new();
    for (i, c) in cells.iter().enumerate() {
        let e = largest.entry(c.vergleichsraum.clone()).or_insert((0, i));
        if c.household_size > e.0 {
            *e = (c.household_size, i);
        }
    }
    let further: HashMap<&str, f64> = vrs
        .iter()
        .filter_map(|v| Some((v.name.as_str(), v.further_person?.gross_cold)))
        .collect();
    for row in rows {
        let n = row.count as usize;
        summary.households += n;
        let Some((vr, g)) = locate(project, &index, row) else {
            summary.unmatched += n;
            summary.unmatched_lines.push(row.line);
            continue;
        };
        let (index, extra) = match (
            cell_of.get(&(vr.to_string(), row.household_size)),
            largest.get(vr),
        ) {
            (Some(&i), _) => (Some(i), 0),
            (None, Some(&(size, i))) if row.household_size > size => {
                (Some(i), row.household_size - size)
            }
            _ => (None, 0),
        };
        let Some(cell) = index.and_then(|i| cells.get_mut(i)) else {
            summary.unmatched += n;
            summary.unmatched_lines.push(row.line);
            continue;
        };
        let limit = applied_for(project, cell, g, extra, further.get(vr).copied());
        let heating_limit = cell.heating_limit;
        let Some(imp) = cell.impact.as_mut() else {
            continue;
        };
        imp.households += n;
        if extra > 0 {
            imp.larger_households += n;
        }
        let Some(limit) = limit else {
            imp.not_assessed += n;
            continue;
        };
        imp.assessed += n;
        let gap = super::limits::round_cents(row.gross_cold - limit);
        if gap > 0.0 {
            imp.above_limit += n;
            imp.monthly_sum_above += gap * n as f64;
        }
        // The heating Grenzwert of the largest cell does not fit a larger household's area.
        if let (Some(hk), Some(hl), 0) = (row.hk, heating_limit, extra) {
            let above = imp.above_heating_limit.get_or_insert(0);
            if hk > hl {
                *above += n;
            }
        }
    }
    for c in cells.iter_mut() {
        if let Some(imp) = c.impact.as_mut() {
            imp.monthly_sum_above = super::limits::round_cents(imp.monthly_sum_above);
            imp.yearly_sum_above = super::limits::round_cents(imp.monthly_sum_above * 12.0);
            imp.share_above =
                (imp.assessed > 0).then(|| imp.above_limit as f64 / imp.assessed as f64);
            summary.assessed += imp.assessed;
            summary.not_assessed += imp.not_assessed;
            summary.above_limit += imp.above_limit;
            summary.larger_households += imp.larger_households;
            summary.monthly_sum_above += imp.monthly_sum_above;
        }
    }
    summary.monthly_sum_above = super::limits::round_cents(summary.monthly_sum_above);
    summary.yearly_sum_above = super::limits::round_cents(summary.monthly_sum_above * 12.0);
    summary.share_above =
        (summary.assessed > 0).then(|| summary.above_limit as f64 / summary.assessed as f64);
    summary
}
