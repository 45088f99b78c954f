//! Heizkosten (docs/METHOD.md §2.12–2.13): the Prüfgrenze from the Heizspiegel (boundary ×
//! abstract Wohnfläche, ÷ 12 for yearly values, less the warm-water share when warm water is
//! produced in the flat) for every Energieträger and band of beheizte Gebäudefläche, and the
//! Gesamtangemessenheitsgrenze (§ 22 Abs. 10 SGB II) on the applied limit.
//!
//! The Prüfgrenze indicates unadequate heating; it is no cap (BSG 19.05.2021, B 14 AS 57/19 R).

use super::limits::round_cents;
use super::result::HeatingLimit;
use crate::model::heizspiegel::HeizspiegelTable;
use crate::model::params::HeatingParams;

/// The Prüfgrenze € per month for a boundary of `table` and an abstract Wohnfläche: boundary
/// per month × area × the warm-water factor, to cents. The one formula of the sheet too.
fn prufgrenze(h: &HeatingParams, table: &HeizspiegelTable, boundary: f64, area: f64) -> f64 {
    round_cents(table.per_month(boundary) * area * h.hot_water_factor())
}

/// The heating Prüfgrenze € per month of the configured Energieträger and building area, when
/// heating is enabled.
pub fn limit(h: &HeatingParams, area: f64) -> Option<f64> {
    if !h.enabled || !area.is_finite() || area < 0.0 {
        return None;
    }
    let boundary = h.table.boundary(&h.energietraeger, h.building_area_m2)?;
    Some(prufgrenze(h, &h.table, boundary, area))
}

/// The Prüfgrenze of every Energieträger and band for an abstract Wohnfläche, each with the
/// Gesamtangemessenheitsgrenze on `applied` when that is enabled; empty when heating is off.
pub fn limits(h: &HeatingParams, area: f64, applied: Option<f64>) -> Vec<HeatingLimit> {
    if !h.enabled || !area.is_finite() || area < 0.0 {
        return Vec::new();
    }
    let n = h.table.rows.iter().map(|r| r.bands.len()).sum();
    let mut out = Vec::with_capacity(n);
    for row in &h.table.rows {
        for (band, b) in row.bands.iter().enumerate() {
            let limit = prufgrenze(h, &h.table, b.value, area);
            out.push(HeatingLimit {
                energietraeger: row.energietraeger.clone(),
                band,
                band_lower_m2: b.lower_m2,
                band_upper_m2: b.upper_m2,
                boundary: b.value,
                limit,
                total_limit: total_limit(h, applied, Some(limit)),
            });
        }
    }
    out
}

/// Applied limit + heating Prüfgrenze, when the Gesamtangemessenheitsgrenze is enabled.
pub fn total_limit(h: &HeatingParams, applied: Option<f64>, heating: Option<f64>) -> Option<f64> {
    if !h.gesamtangemessenheitsgrenze {
        return None;
    }
    applied.zip(heating).map(|(g, h)| round_cents(g + h))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// By hand, Nienburg example (monthly values), 60 m²: Heizöl ≤ 250 m² 3,36 × 60 = 201,60;
    /// Fernwärme > 1000 m² 3,40 × 60 = 204,00; with decentral warm water (18 %) × 0,82:
    /// 165,312 → 165,31 and 167,28.
    #[test]
    fn matrix_by_hand() {
        let mut h = HeatingParams {
            enabled: true,
            ..HeatingParams::default()
        };
        let m = limits(&h, 60.0, Some(500.0));
        assert_eq!(m.len(), 16);
        let at = |m: &[HeatingLimit], e: &str, band: usize| {
            m.iter()
                .find(|x| x.energietraeger == e && x.band == band)
                .map(|x| (x.limit, x.total_limit))
        };
        assert_eq!(at(&m, "Heizöl", 0), Some((201.6, None)));
        assert_eq!(at(&m, "Fernwärme", 3), Some((204.0, None)));
        h.gesamtangemessenheitsgrenze = true;
        h.hot_water_decentral = true;
        let m = limits(&h, 60.0, Some(500.0));
        assert_eq!(at(&m, "Heizöl", 0), Some((165.31, Some(665.31))));
        assert_eq!(at(&m, "Fernwärme", 3), Some((167.28, Some(667.28))));
        assert_eq!(limits(&h, 60.0, None)[0].total_limit, None);
        h.enabled = false;
        assert!(limits(&h, 60.0, Some(500.0)).is_empty());
    }
}
