//! Verfügbarkeitsprüfung of one cell: the share of offers affordable at a limit, per Gemeinde,
//! and the availability curve over the percentiles (BSG K8).

use super::availability::{Availability, AvailabilityResult, IterationStep};
use super::limits::{limits, maybe_round, round_cents};
use super::reference::{CellValues, ReferenceRent};
use super::result::Limits;
use crate::model::Project;
use crate::model::params::RoundingMode;

/// The offers of one cell and how a €/m² value becomes a limit to compare them with.
pub struct Affordability<'a> {
    /// The cell's offers.
    pub offers: &'a Availability,
    /// Angemessene Wohnfläche of the cell.
    pub area: f64,
    /// Abstract kalte Betriebskosten €/m² as used; `None` compares offers by NKM alone.
    pub bk_per_m2: Option<f64>,
    /// Rounding of the Bruttokaltmiete.
    pub mode: RoundingMode,
}

impl Affordability<'_> {
    /// The affordable offers at percentile `p` whose NKM €/m² (as used, i.e. rounded) is
    /// `nkm_per_m2`. `None` without offers.
    pub fn at(&self, p: f64, nkm_per_m2: f64) -> Option<IterationStep> {
        let n = self.offers.n();
        let net = round_cents(self.area * nkm_per_m2);
        let gross = self
            .bk_per_m2
            .map(|b| limits(self.area, nkm_per_m2, b, self.mode).gross_cold);
        let n_affordable = self.offers.affordable(net, gross);
        (n > 0).then(|| IterationStep {
            p,
            net_rent_per_m2: nkm_per_m2,
            limit_net_cold: net,
            limit_gross_cold: gross,
            n_affordable,
            share: n_affordable as f64 / n as f64,
        })
    }

    /// The availability result of the cell at its final limits; `None` without offers.
    pub fn result(
        &self,
        project: &Project,
        values: &CellValues,
        reference: ReferenceRent,
        nkm: Option<f64>,
        lim: Option<Limits>,
    ) -> Option<AvailabilityResult> {
        let n = self.offers.n();
        if n == 0 {
            return None;
        }
        let round = project.parameters.reference.round_per_m2;
        let net_l = nkm.map_or(f64::NEG_INFINITY, |v| round_cents(self.area * v));
        let gross_l = match (lim, nkm) {
            (Some(l), _) => Some(l.gross_cold),
            (None, Some(_)) => None,
            (None, None) => Some(f64::NEG_INFINITY),
        };
        let n_affordable = self.offers.affordable(net_l, gross_l);
        let (aff_g, all_g) = self.offers.by_gemeinde(net_l, gross_l);
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
                let v = maybe_round(values.at(pc), round)?;
                self.at(pc, v).map(|s| (pc, s.share))
            })
            .collect();
        Some(AvailabilityResult {
            n_offers: n,
            n_affordable,
            share: Some(n_affordable as f64 / n as f64),
            target_share: project.parameters.availability.target_share,
            by_gemeinde: aff_g.into_iter().map(|(g, n)| (gname(g), n)).collect(),
            offers_by_gemeinde: all_g.into_iter().map(|(g, n)| (gname(g), n)).collect(),
            iteration: reference.iteration,
            target_reached: reference.target_reached,
            curve,
        })
    }
}
