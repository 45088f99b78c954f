//! Heizkosten: the Grenzwert from the Heizspiegel (boundary × abstract Wohnfläche) and the
//! Gesamtangemessenheitsgrenze (§ 22 Abs. 10 SGB II).

use super::limits::round_cents;
use crate::model::params::HeatingParams;

/// The heating Grenzwert € per month for an abstract Wohnfläche, when heating is enabled.
pub fn limit(h: &HeatingParams, area: f64) -> Option<f64> {
    if !h.enabled {
        return None;
    }
    h.table
        .monthly_limit(&h.energietraeger, h.building_area_m2, area)
        .map(round_cents)
}

/// Bruttokaltmiete limit + heating Grenzwert, when the Gesamtangemessenheitsgrenze is enabled.
pub fn total_limit(
    h: &HeatingParams,
    gross_cold: Option<f64>,
    heating: Option<f64>,
) -> Option<f64> {
    if !h.gesamtangemessenheitsgrenze {
        return None;
    }
    gross_cold.zip(heating).map(|(g, h)| round_cents(g + h))
}
