//! Spread of the affordable offers over the Gemeinden (no ghettoisation: Bayerisches LSG
//! L 11 AS 52/16; docs/METHOD.md §2.11): per Gemeinde, the offers in scope and how many of them
//! are affordable at the limit that applies to them. The map of the Vergleichsräume colours the
//! Gemeinden by this share.
//!
//! Each offer counts once, in the cell of its size class (Vergleichsraum × the class its area
//! falls in; not every smaller class as under the Produkttheorie). It is affordable when its
//! Bruttokaltmiete is at or below the cell's applied limit (the concept's, or the WoGG value
//! of its Gemeinde on the fallback). An offer without Betriebskosten is compared by its
//! Nettokaltmiete with the limit minus the cell's abstract kalte Betriebskosten (area of the
//! cell × BK/m²), as in the Verfügbarkeitsprüfung; without an abstract BK value it is not
//! counted. Heating included in the Nebenkosten is split at the abstract BK as in the
//! Verfügbarkeitsprüfung.

use super::Analysis;
use super::availability::Offer;
use super::limits::round_cents;
use super::prepare::Prepared;
use super::result::{CellResult, GemeindeLimit};
use crate::model::{GemeindeRow, Project};

/// Offers of one Gemeinde.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GemeindeOffers {
    /// Offers counted (in a cell with an applied limit).
    pub n_offers: usize,
    /// Of these, affordable at the applied limit.
    pub n_affordable: usize,
}

impl GemeindeOffers {
    /// `n_affordable ÷ n_offers`; `None` without offers.
    pub fn share(&self) -> Option<f64> {
        (self.n_offers > 0).then(|| self.n_affordable as f64 / self.n_offers as f64)
    }
}

/// Per Gemeinde of the table (same order), the offers and the affordable ones.
pub fn affordable_by_gemeinde(
    prep: &Prepared,
    project: &Project,
    an: &Analysis,
) -> Vec<GemeindeOffers> {
    let cells: Vec<CellTerms> = an.cells.iter().map(CellTerms::of).collect();
    count(&project.gemeinden, &cells, &prep.offers.by_vr)
}

/// What the count needs of a cell.
struct CellTerms<'a> {
    vr: usize,
    class_lower: f64,
    class_upper: Option<f64>,
    area_m2: f64,
    /// Abstract kalte Betriebskosten €/m² as used.
    bk_per_m2: Option<f64>,
    applied_limit: Option<f64>,
    applied_by_gemeinde: &'a [GemeindeLimit],
}

impl CellTerms<'_> {
    fn of(c: &CellResult) -> CellTerms<'_> {
        CellTerms {
            vr: c.vr,
            class_lower: c.class_lower,
            class_upper: c.class_upper,
            area_m2: c.area_m2,
            bk_per_m2: c.operating_costs_per_m2,
            applied_limit: c.applied_limit,
            applied_by_gemeinde: &c.applied_by_gemeinde,
        }
    }

    /// The area lies in the cell's size class.
    fn holds(&self, area: f64) -> bool {
        area > self.class_lower && self.class_upper.is_none_or(|u| area <= u)
    }

    /// The limit that applies to the Gemeinde `row` in the cell.
    fn limit_for(&self, row: &GemeindeRow) -> Option<f64> {
        if self.applied_limit.is_some() {
            return self.applied_limit;
        }
        self.applied_by_gemeinde
            .iter()
            .find(|l| l.ags == row.ags && l.gemeinde == row.name)
            .and_then(|l| l.limit)
    }

    /// Whether the offer is affordable at `limit`; `None` when it cannot be judged (no BK of
    /// the offer and no abstract BK value).
    fn affordable(&self, o: &Offer, limit: f64) -> Option<bool> {
        match (o.cold_operating_costs(self.bk_per_m2), self.bk_per_m2) {
            (Some(bk), _) => Some(o.net_rent + bk <= limit),
            (None, Some(b)) => Some(o.net_rent <= limit - round_cents(self.area_m2 * b)),
            (None, None) => None,
        }
    }
}

fn count(
    gemeinden: &[GemeindeRow],
    cells: &[CellTerms],
    offers_by_vr: &[Vec<Offer>],
) -> Vec<GemeindeOffers> {
    let mut out = vec![GemeindeOffers::default(); gemeinden.len()];
    for cell in cells {
        let Some(offers) = offers_by_vr.get(cell.vr) else {
            continue;
        };
        for o in offers.iter().filter(|o| cell.holds(o.area)) {
            let g = o.gemeinde as usize;
            let (Some(row), Some(entry)) = (gemeinden.get(g), out.get_mut(g)) else {
                continue;
            };
            let Some(affordable) = cell.limit_for(row).and_then(|l| cell.affordable(o, l)) else {
                continue;
            };
            entry.n_offers += 1;
            entry.n_affordable += usize::from(affordable);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(
        class_upper: Option<f64>,
        applied_limit: Option<f64>,
        by: &[GemeindeLimit],
    ) -> CellTerms<'_> {
        CellTerms {
            vr: 0,
            class_lower: if class_upper.is_some() { 0.0 } else { 50.0 },
            class_upper,
            area_m2: 50.0,
            bk_per_m2: Some(2.0),
            applied_limit,
            applied_by_gemeinde: by,
        }
    }

    fn offer(gemeinde: u32, area: f64, net_rent: f64, bk: Option<f64>) -> Offer {
        Offer {
            record: 0,
            vr: 0,
            gemeinde,
            area,
            net_rent,
            operating_costs: bk,
            heating_included: false,
        }
    }

    fn row(ags: &str, name: &str) -> GemeindeRow {
        GemeindeRow {
            ags: ags.into(),
            name: name.into(),
            vergleichsraum: "VR".into(),
            einwohner: None,
            mietwohnungen: None,
            mietstufe: None,
        }
    }

    fn fallback(ags: &str, name: &str, limit: Option<f64>) -> GemeindeLimit {
        GemeindeLimit {
            gemeinde: name.into(),
            ags: ags.into(),
            mietstufe: Some(3),
            limit,
            karenzzeit_limit: None,
        }
    }

    #[test]
    fn offers_are_counted_per_gemeinde_at_the_limit_of_their_cell() {
        let gemeinden = [row("1", "A"), row("2", "B")];
        // On the fallback in the large class: A has 600 €, B has no value.
        let by = [fallback("1", "A", Some(600.0)), fallback("2", "B", None)];
        let cells = [cell(Some(50.0), Some(500.0), &[]), cell(None, None, &by)];
        let offers = vec![vec![
            // Small class, limit 500: 400 + 100 = 500 affordable; 420 + 100 not.
            offer(0, 40.0, 400.0, Some(100.0)),
            offer(0, 45.0, 420.0, Some(100.0)),
            // Without BK: NKM ≤ 500 − 50 × 2 = 400.
            offer(1, 50.0, 400.0, None),
            offer(1, 30.0, 400.01, None),
            // Large class: A at 600 (550 + 60 = 610 no; 500 + 90 = 590 yes); B has no limit.
            offer(0, 70.0, 550.0, Some(60.0)),
            offer(0, 60.0, 500.0, Some(90.0)),
            offer(1, 80.0, 300.0, Some(50.0)),
            // An offer of an unknown Gemeinde index is not counted.
            offer(7, 40.0, 100.0, Some(10.0)),
        ]];
        let out = count(&gemeinden, &cells, &offers);
        assert_eq!(
            out,
            vec![
                GemeindeOffers {
                    n_offers: 4,
                    n_affordable: 2
                },
                GemeindeOffers {
                    n_offers: 2,
                    n_affordable: 1
                }
            ]
        );
        assert_eq!(out[0].share(), Some(0.5));
        assert_eq!(GemeindeOffers::default().share(), None);
    }
}
