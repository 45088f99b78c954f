//! Validity of a cell's concept limit and the limit that applies: no valid limit without
//! evidence (enough rents, a Bruttokaltmiete, availability shown — under every method; BSG
//! B 4 AS 87/12 R, B 14 AS 24/18 R); otherwise the WoGG fallback of every Gemeinde at its own
//! Mietstufe.

use super::availability::AvailabilityResult;
use super::result::{AppliedBasis, GemeindeLimit, InvalidReason};
use super::wogg;
use crate::model::{GemeindeRow, Project};

/// Why a cell has no valid concept limit (A cell is valid only with enough rents, a
/// Bruttokaltmiete, and availability shown: offers in the size class and the target share of
/// them affordable, under every method; BSG B 4 AS 87/12 R, B 14 AS 24/18 R).
pub fn invalid_reasons(
    min_n: usize,
    without_concept: bool,
    (n, n_reference): (usize, usize),
    no_operating_costs: bool,
    availability: Option<&AvailabilityResult>,
) -> Vec<InvalidReason> {
    let mut out = Vec::new();
    if without_concept {
        out.push(InvalidReason::OhneKonzept);
    }
    if n == 0 {
        out.push(InvalidReason::NoData);
    } else if n_reference < min_n {
        out.push(InvalidReason::NBelowMin);
    }
    if no_operating_costs {
        out.push(InvalidReason::NoOperatingCosts);
    }
    match availability {
        None => out.push(InvalidReason::NoOffers),
        Some(a) if a.n_offers == 0 => out.push(InvalidReason::NoOffers),
        Some(a) if a.share.is_none_or(|s| s < a.target_share) => {
            out.push(InvalidReason::AvailabilityNotReached);
        }
        Some(_) => {}
    }
    out
}

/// The applied limit of a cell: the concept's Bruttokaltmiete `concept` when `valid`, else the
/// WoGG fallback per Gemeinde (one value when all Gemeinden share it, otherwise `None` and the
/// list).
pub fn applied(
    project: &Project,
    gemeinden: &[(&GemeindeRow, Option<u8>)],
    household_size: u32,
    valid: bool,
    concept: Option<f64>,
) -> (AppliedBasis, Option<f64>, Vec<GemeindeLimit>) {
    if valid {
        return (AppliedBasis::Konzept, concept, Vec::new());
    }
    let by_gemeinde = wogg::by_gemeinde(project, gemeinden, household_size);
    let first = by_gemeinde.first().and_then(|g| g.limit);
    let uniform = by_gemeinde.iter().all(|g| g.limit == first);
    let applied = if uniform { first } else { None };
    (AppliedBasis::WoggFallback, applied, by_gemeinde)
}
