//! Representativeness: post-stratification by landlord type, coverage of the rented stock and
//! the size structure of the sample per Vergleichsraum.

use super::prepare::Prepared;
use super::result::{CellResult, Coverage};
use crate::model::{LandlordType, Project};

/// The entered market share of private landlords for a Vergleichsraum, when weighting is on.
pub fn market_share(project: &Project, vr_name: &str) -> Option<f64> {
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

/// Coverage of a Vergleichsraum: Bestand records in cells ÷ Mietwohnungsbestand (K5).
pub fn coverage(project: &Project, prep: &Prepared, vr: usize, name: &str) -> Coverage {
    let stock: u32 = project
        .gemeinden
        .iter()
        .filter(|g| g.vergleichsraum == name)
        .filter_map(|g| g.mietwohnungen)
        .sum();
    let n_bestand = prep.n_bestand_vr.get(vr).copied().unwrap_or(0);
    Coverage {
        n_bestand,
        mietwohnungen: stock,
        share: (stock > 0).then(|| n_bestand as f64 / f64::from(stock)),
    }
}

/// Size structure of a Vergleichsraum: per size class the sample share (before outliers) and
/// the stock share, where entered.
pub fn size_structure(
    project: &Project,
    prep: &Prepared,
    vr: usize,
    name: &str,
) -> Vec<(f64, Option<f64>)> {
    let counts: Vec<usize> = (0..prep.classes)
        .map(|c| prep.cell(vr, c).map_or(0, |pc| pc.values.len()))
        .collect();
    let total: usize = counts.iter().sum();
    let stock = project
        .parameters
        .representativeness
        .stock_by_size
        .iter()
        .find(|s| s.vergleichsraum == name);
    counts
        .iter()
        .enumerate()
        .map(|(c, n)| {
            let sample = if total > 0 {
                *n as f64 / total as f64
            } else {
                0.0
            };
            (sample, stock.and_then(|s| s.shares.get(c).copied()))
        })
        .collect()
}

/// Share of private landlords among the used records (after outliers) with known Vermietertyp
/// of the Vergleichsraum's cells.
pub fn sample_share_privat(prep: &Prepared, vr: usize, cells: &[CellResult]) -> Option<f64> {
    let (mut privat, mut known) = (0usize, 0usize);
    for c in cells {
        if let Some(pc) = prep.cell(vr, c.household_size as usize - 1) {
            let kept = &pc.landlord[c.outliers.kept.0..c.outliers.kept.1];
            known += kept.iter().filter(|l| l.is_some()).count();
            privat += kept
                .iter()
                .filter(|l| **l == Some(LandlordType::Privat))
                .count();
        }
    }
    (known > 0).then(|| privat as f64 / known as f64)
}

/// Share of used records with Leistungsbezug (Zirkelschluss check); `None` for an empty range.
pub fn welfare_share(welfare: &[Option<bool>]) -> Option<f64> {
    let known = welfare.iter().filter(|w| w.is_some()).count();
    (known > 0).then(|| welfare.iter().filter(|w| **w == Some(true)).count() as f64 / known as f64)
}

/// Share of records whose Leistungsbezug is unknown (`None` for an empty cell).
pub fn welfare_unknown_share(welfare: &[Option<bool>]) -> Option<f64> {
    (!welfare.is_empty())
        .then(|| welfare.iter().filter(|w| w.is_none()).count() as f64 / welfare.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn post_stratification_weights() {
        use LandlordType::{Institutionell as I, Privat as P};
        // Sample: 1 private, 3 institutional; market: 50 % private.
        let w = post_stratification(&[Some(P), Some(I), Some(I), Some(I), None], 0.5).unwrap();
        assert_eq!(w, vec![2.0, 2.0 / 3.0, 2.0 / 3.0, 2.0 / 3.0, 1.0]);
        assert!(post_stratification(&[Some(P), Some(P)], 0.5).is_none());
    }
}
