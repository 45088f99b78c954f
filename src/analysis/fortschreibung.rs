//! Fortschreibung: old limits updated by index factors (a lawful update between surveys).

use super::limits::round_cents;
use super::result::{FortschreibungResult, FortschreibungRow};

/// Applies a Fortschreibung: each part × its index factor, rounded to cents.
pub fn fortschreibung(
    f: &crate::model::params::FortschreibungParams,
) -> Option<FortschreibungResult> {
    let factor_nkm = f.index_nkm.factor()?;
    let factor_bk = f.index_bk.factor()?;
    let rows = f
        .old_limits
        .iter()
        .map(|o| {
            let new_net_cold = round_cents(o.net_cold * factor_nkm);
            let new_operating_costs = round_cents(o.operating_costs * factor_bk);
            FortschreibungRow {
                vergleichsraum: o.vergleichsraum.clone(),
                household_size: o.household_size,
                old_net_cold: o.net_cold,
                old_operating_costs: o.operating_costs,
                old_gross_cold: round_cents(o.net_cold + o.operating_costs),
                new_net_cold,
                new_operating_costs,
                new_gross_cold: round_cents(new_net_cold + new_operating_costs),
            }
        })
        .collect();
    Some(FortschreibungResult {
        factor_nkm,
        factor_bk,
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bremen 2010 → 2013 factors 1,091 (NKM) and 0,993 (BK) (docs/METHOD.md §2.14).
    #[test]
    fn fortschreibung_bremen_factors() {
        use crate::model::params::{FortschreibungParams, IndexSeries, OldLimit};
        let f = FortschreibungParams {
            old_stichtag: None,
            index_nkm: IndexSeries {
                value_old: 100.0,
                value_new: 109.1,
                ..IndexSeries::default()
            },
            index_bk: IndexSeries {
                value_old: 100.0,
                value_new: 99.3,
                ..IndexSeries::default()
            },
            old_limits: vec![OldLimit {
                vergleichsraum: "Bremen".into(),
                household_size: 1,
                net_cold: 300.0,
                operating_costs: 80.0,
            }],
        };
        let r = fortschreibung(&f).unwrap();
        assert!((r.factor_nkm - 1.091).abs() < 1e-12);
        assert!((r.factor_bk - 0.993).abs() < 1e-12);
        let row = &r.rows[0];
        assert_eq!(row.new_net_cold, 327.30);
        assert_eq!(row.new_operating_costs, 79.44);
        assert_eq!(row.new_gross_cold, 406.74);
        assert_eq!(row.old_gross_cold, 380.0);
    }
}
