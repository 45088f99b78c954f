//! Reason codes: why a row was rejected at import or excluded at a stage of the analysis.
//!
//! Codes are stable snake_case strings (JSON, workbook, tests); texts are German for users.

use serde::{Deserialize, Serialize};

/// Why a source row or record did not (fully) enter a statistic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    // --- import (row → record) ---
    /// The row is entirely empty.
    EmptyRow,
    /// No Nettokaltmiete.
    MissingRent,
    /// The rent cell is not a number (the text is kept in the detail).
    RentNotNumeric,
    /// The rent includes Nebenkosten ("Miete inkl. NK"), so it is no Nettokaltmiete.
    RentIncludesCosts,
    /// Rent ≤ 0.
    RentNotPositive,
    /// No Wohnfläche.
    MissingArea,
    /// The area cell is not a number.
    AreaNotNumeric,
    /// Area ≤ 0.
    AreaNotPositive,
    /// €/m² outside the hard plausibility bounds.
    RentPerM2Implausible,
    /// Not a flat (garage, parking space, commercial unit …).
    NotAFlat,
    /// The per-row kind column holds an unknown value.
    UnknownKind,
    // --- assignment ---
    /// Neither AGS nor Gemeinde name given.
    MissingGemeinde,
    /// Gemeinde not in the Gemeinde table.
    UnknownGemeinde,
    /// The Gemeinde has no Vergleichsraum.
    NoVergleichsraum,
    // --- scope ---
    /// The source kind is not used at this stage.
    KindNotUsed,
    /// Contract start and last rent change are older than the window.
    ContractTooOld,
    /// A Bestandsmiete with neither contract start nor last rent change: its age cannot be
    /// checked against the window (SG Magdeburg, S 14 AS 720/19 WA).
    ContractDateMissing,
    /// Furnished flat.
    Furnished,
    /// Subsidised / rent-controlled flat.
    Subsidised,
    /// Werks-/Dienstwohnung.
    CompanyFlat,
    /// Wohnheim.
    Dormitory,
    /// Gefälligkeitsmiete.
    FavourRent,
    /// Lowest standard.
    Substandard,
    /// Flat outside the size classes (too small or too large).
    OutsideSizeClasses,
    // --- outliers ---
    /// Below the lower outlier bound of its cell.
    OutlierLow,
    /// Above the upper outlier bound of its cell.
    OutlierHigh,
    // --- operating costs (BK statistics only) ---
    /// No kalte Betriebskosten given.
    BkMissing,
    /// kBK/m² outside the plausibility range.
    BkImplausible,
    // --- offers (availability check only) ---
    /// Offer date outside the window before the Stichtag.
    OfferOutsideWindow,
    /// Offer without date while a window is set.
    OfferDateMissing,
    /// Duplicate of an earlier offer.
    OfferDuplicate,
    /// Nebenkosten include heating and cannot be split.
    OfferHeatingIncluded,
}

impl Reason {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Reason::EmptyRow => "empty_row",
            Reason::MissingRent => "missing_rent",
            Reason::RentNotNumeric => "rent_not_numeric",
            Reason::RentIncludesCosts => "rent_includes_costs",
            Reason::RentNotPositive => "rent_not_positive",
            Reason::MissingArea => "missing_area",
            Reason::AreaNotNumeric => "area_not_numeric",
            Reason::AreaNotPositive => "area_not_positive",
            Reason::RentPerM2Implausible => "rent_per_m2_implausible",
            Reason::NotAFlat => "not_a_flat",
            Reason::UnknownKind => "unknown_kind",
            Reason::MissingGemeinde => "missing_gemeinde",
            Reason::UnknownGemeinde => "unknown_gemeinde",
            Reason::NoVergleichsraum => "no_vergleichsraum",
            Reason::KindNotUsed => "kind_not_used",
            Reason::ContractTooOld => "contract_too_old",
            Reason::ContractDateMissing => "contract_date_missing",
            Reason::Furnished => "furnished",
            Reason::Subsidised => "subsidised",
            Reason::CompanyFlat => "company_flat",
            Reason::Dormitory => "dormitory",
            Reason::FavourRent => "favour_rent",
            Reason::Substandard => "substandard",
            Reason::OutsideSizeClasses => "outside_size_classes",
            Reason::OutlierLow => "outlier_low",
            Reason::OutlierHigh => "outlier_high",
            Reason::BkMissing => "bk_missing",
            Reason::BkImplausible => "bk_implausible",
            Reason::OfferOutsideWindow => "offer_outside_window",
            Reason::OfferDateMissing => "offer_date_missing",
            Reason::OfferDuplicate => "offer_duplicate",
            Reason::OfferHeatingIncluded => "offer_heating_included",
        }
    }

    /// German explanation for users, the workbook and the method text.
    pub fn german(self) -> &'static str {
        match self {
            Reason::EmptyRow => "Leere Zeile",
            Reason::MissingRent => "Nettokaltmiete fehlt",
            Reason::RentNotNumeric => "Nettokaltmiete ist keine Zahl",
            Reason::RentIncludesCosts => "Miete enthält Nebenkosten (keine Nettokaltmiete)",
            Reason::RentNotPositive => "Nettokaltmiete ist nicht größer als 0",
            Reason::MissingArea => "Wohnfläche fehlt",
            Reason::AreaNotNumeric => "Wohnfläche ist keine Zahl",
            Reason::AreaNotPositive => "Wohnfläche ist nicht größer als 0",
            Reason::RentPerM2Implausible => {
                "Nettokaltmiete je m² außerhalb der Plausibilitätsgrenzen"
            }
            Reason::NotAFlat => "Keine Wohnung (z. B. Garage, Stellplatz, Gewerbe)",
            Reason::UnknownKind => "Unbekannte Datenart in der Zeile",
            Reason::MissingGemeinde => "Gemeinde fehlt (weder AGS noch Name)",
            Reason::UnknownGemeinde => "Gemeinde nicht in der Gemeindetabelle",
            Reason::NoVergleichsraum => "Gemeinde ohne Vergleichsraum",
            Reason::KindNotUsed => "Datenart in dieser Stufe nicht verwendet",
            Reason::ContractTooOld => "Mietvertrag bzw. letzte Mietänderung zu alt",
            Reason::ContractDateMissing => {
                "Bestandsmiete ohne Mietbeginn und ohne letzte Mietänderung"
            }
            Reason::Furnished => "Möblierte Wohnung",
            Reason::Subsidised => "Öffentlich geförderte Wohnung",
            Reason::CompanyFlat => "Werks-/Dienstwohnung",
            Reason::Dormitory => "Wohnheim",
            Reason::FavourRent => "Gefälligkeitsmiete",
            Reason::Substandard => "Substandard (ohne Bad/WC oder Sammelheizung)",
            Reason::OutsideSizeClasses => "Wohnfläche außerhalb der Größenklassen",
            Reason::OutlierLow => "Extremwert (unterhalb der Kappungsgrenze)",
            Reason::OutlierHigh => "Extremwert (oberhalb der Kappungsgrenze)",
            Reason::BkMissing => "Kalte Betriebskosten fehlen (nur BK-Auswertung)",
            Reason::BkImplausible => "Kalte Betriebskosten je m² unplausibel (nur BK-Auswertung)",
            Reason::OfferOutsideWindow => "Angebot außerhalb des Auswertungszeitraums",
            Reason::OfferDateMissing => "Angebot ohne Datum",
            Reason::OfferDuplicate => "Doppeltes Angebot",
            Reason::OfferHeatingIncluded => "Angebot mit Heizkosten in den Nebenkosten",
        }
    }
}
