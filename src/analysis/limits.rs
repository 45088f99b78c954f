//! Limits by Produkttheorie (angemessene Wohnfläche × €/m²) and the one rounding rule for money.

use super::result::{CellResult, Limits};
use crate::model::params::{Parameters, RoundingMode};

/// Rounds half away from zero to cents, after removing binary representation noise
/// (65 × 5,37 = 349,04999… → 349,05). The one money rounding of the program.
pub fn round_cents(value: f64) -> f64 {
    let scaled = (value * 100.0 * 1e6).round() / 1e6;
    scaled.round() / 100.0
}

/// A limit rounded like the table: to cents, then to whole euros where the mode says so. The
/// one rounding of a Bruttokaltmiete (and of amounts derived from it, e.g. the Karenzzeit).
pub fn round_limit(value: f64, mode: RoundingMode) -> f64 {
    let cents = round_cents(value);
    match mode {
        RoundingMode::Cents => cents,
        RoundingMode::EuroUp => (cents - 1e-9).ceil(),
        RoundingMode::EuroCommercial => cents.round(),
    }
}

/// The limit in the Karenzzeit: `karenzzeit.factor` × the applied limit, rounded like the
/// table; `None` without a factor or an applied limit (docs/METHOD.md §2.17).
pub fn karenzzeit(p: &Parameters, applied: Option<f64>) -> Option<f64> {
    p.karenzzeit
        .factor
        .zip(applied)
        .map(|(f, a)| round_limit(f * a, p.rounding.mode))
}

/// Limits by Produkttheorie for one area and €/m² values, rounded as configured.
pub fn limits(area: f64, nkm_per_m2: f64, bk_per_m2: f64, mode: RoundingMode) -> Limits {
    let net_cold = round_cents(area * nkm_per_m2);
    let operating_costs = round_cents(area * bk_per_m2);
    let gross_cold = round_limit(net_cold + operating_costs, mode);
    Limits {
        net_cold,
        operating_costs,
        gross_cold,
    }
}

pub fn maybe_round(v: Option<f64>, round: bool) -> Option<f64> {
    v.map(|x| if round { round_cents(x) } else { x })
}

/// The "je weitere Person" figures of a Vergleichsraum.
pub struct FurtherPerson {
    /// NKM €/m² they are computed from.
    pub net_rent_per_m2: Option<f64>,
    /// Limits for the additional area (without lift when split).
    pub limits: Option<Limits>,
    /// With lift (when split).
    pub limits_lift: Option<Limits>,
}

/// "Je weitere Person" (Kreis Düren): the additional area × the €/m² of the largest household
/// size (else the last size with a value), with that cell's kalte BK, so the table's BK level
/// applies, and the table's rounding mode. `cells` are the Vergleichsraum's cells in order.
pub fn further_person(params: &Parameters, classes: usize, cells: &[CellResult]) -> FurtherPerson {
    let source = cells
        .iter()
        .rev()
        .find(|c| c.household_size as usize == classes && c.net_rent_per_m2.is_some())
        .or_else(|| cells.iter().rev().find(|c| c.net_rent_per_m2.is_some()));
    let nkm = source.and_then(|c| c.net_rent_per_m2);
    let area = params.wohnflaechen.per_further;
    let mode = params.rounding.mode;
    let per_person = |bk: Option<f64>| nkm.zip(bk).map(|(n, b)| limits(area, n, b, mode));
    FurtherPerson {
        net_rent_per_m2: nkm,
        limits: per_person(source.and_then(|c| c.operating_costs_per_m2)),
        limits_lift: per_person(source.and_then(|c| c.operating_costs_per_m2_lift)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Kreis Düren, values from 01.01.2023 (docs/METHOD.md §2.10), reproduced to the cent.
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
    fn karenzzeit_is_rounded_like_the_table() {
        let mut p = Parameters::default();
        assert_eq!(karenzzeit(&p, Some(480.35)), None);
        p.karenzzeit.factor = Some(1.5);
        assert_eq!(karenzzeit(&p, Some(480.35)), Some(720.53));
        assert_eq!(karenzzeit(&p, None), None);
        p.rounding.mode = RoundingMode::EuroUp;
        assert_eq!(karenzzeit(&p, Some(481.0)), Some(722.0));
        p.rounding.mode = RoundingMode::EuroCommercial;
        assert_eq!(karenzzeit(&p, Some(481.0)), Some(722.0));
        assert_eq!(karenzzeit(&p, Some(479.0)), Some(719.0));
    }

    #[test]
    fn cents() {
        assert_eq!(round_cents(65.0 * 5.37), 349.05);
        assert_eq!(round_cents(50.0 * 5.59), 279.5);
        assert_eq!(round_cents(0.125), 0.13);
        assert_eq!(round_cents(-0.125), -0.13);
        assert_eq!(round_cents(501.6000000000001), 501.6);
        assert_eq!(round_cents(1.005), 1.01);
    }
}
