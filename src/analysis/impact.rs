//! The Wirkungsanalyse (docs/METHOD.md §2.17): how many of the recipients' households live
//! above the limit that applies to them, and by how much money, per cell. The limit is the
//! applied one of the cell (the concept's, or on the WoGG fallback the value of the household's
//! Gemeinde). A high share above the limit signals that the limit does not fit the market
//! (Bayerisches LSG, 28.03.2018, L 11 AS 52/16: 59,6 %).

use super::result::{CellImpact, CellResult, ImpactSummary};
use crate::import::recipients::RecipientRow;
use crate::model::Project;

/// Where a recipient row belongs: its Vergleichsraum and, where known, its Gemeinde (name, AGS).
fn locate<'a>(project: &'a Project, row: &'a RecipientRow) -> Option<(&'a str, Option<usize>)> {
    let gemeinde = (!row.gemeinde.is_empty())
        .then(|| {
            let key = crate::analysis::prepare::normalize_name(&row.gemeinde);
            project.gemeinden.iter().position(|g| {
                (!g.ags.is_empty() && g.ags == row.gemeinde)
                    || crate::analysis::prepare::normalize_name(&g.name) == key
            })
        })
        .flatten();
    if !row.vergleichsraum.is_empty() {
        return Some((row.vergleichsraum.as_str(), gemeinde));
    }
    let g = gemeinde?;
    let vr = project.gemeinden.get(g)?.vergleichsraum.as_str();
    (!vr.is_empty()).then_some((vr, Some(g)))
}

/// The limit that applies to a household of `cell` in Gemeinde `g` (None: not assessable).
fn applied_for(project: &Project, cell: &CellResult, g: Option<usize>) -> Option<f64> {
    if let Some(l) = cell.applied_limit {
        return Some(l);
    }
    let g = project.gemeinden.get(g?)?;
    cell.applied_by_gemeinde
        .iter()
        .find(|l| (!g.ags.is_empty() && l.ags == g.ags) || l.gemeinde == g.name)
        .and_then(|l| l.limit)
}

/// Fills `impact` of every cell from the recipients' rows (every cell gets one, with zero
/// households where none live) and returns the totals.
pub fn apply(project: &Project, rows: &[RecipientRow], cells: &mut [CellResult]) -> ImpactSummary {
    let mut summary = ImpactSummary::default();
    for c in cells.iter_mut() {
        c.impact = Some(CellImpact::default());
    }
    for row in rows {
        let n = row.count as usize;
        summary.households += n;
        let Some((vr, g)) = locate(project, row) else {
            summary.unmatched += n;
            summary.unmatched_lines.push(row.line);
            continue;
        };
        let Some(cell) = cells
            .iter_mut()
            .find(|c| c.vergleichsraum == vr && c.household_size == row.household_size)
        else {
            summary.unmatched += n;
            summary.unmatched_lines.push(row.line);
            continue;
        };
        let limit = applied_for(project, cell, g);
        let heating_limit = cell.heating_limit;
        let Some(imp) = cell.impact.as_mut() else {
            continue;
        };
        imp.households += n;
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
        if let (Some(hk), Some(hl)) = (row.hk, heating_limit) {
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
            summary.monthly_sum_above += imp.monthly_sum_above;
        }
    }
    summary.monthly_sum_above = super::limits::round_cents(summary.monthly_sum_above);
    summary.yearly_sum_above = super::limits::round_cents(summary.monthly_sum_above * 12.0);
    summary.share_above =
        (summary.assessed > 0).then(|| summary.above_limit as f64 / summary.assessed as f64);
    summary
}
