//! The record model: source kinds, mappable fields and one accepted rent record.

use super::date::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What kind of rent a source (or a single row) holds (docs/METHOD.md §2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// Rents of existing contracts.
    Bestand,
    /// Rents of recently concluded contracts.
    Neuvertrag,
    /// Advertised asking rents.
    Angebot,
    /// Anonymised Mietspiegel survey microdata (§ 22 Abs. 11 SGB II).
    MietspiegelMikrodaten,
    /// The Träger's own data on benefit recipients.
    Leistungsempfaenger,
}

impl SourceKind {
    /// All kinds in display order.
    pub const ALL: [SourceKind; 5] = [
        SourceKind::Bestand,
        SourceKind::Neuvertrag,
        SourceKind::Angebot,
        SourceKind::MietspiegelMikrodaten,
        SourceKind::Leistungsempfaenger,
    ];

    /// German display name.
    pub fn german(self) -> &'static str {
        match self {
            SourceKind::Bestand => "Bestandsmieten",
            SourceKind::Neuvertrag => "Neuvertragsmieten",
            SourceKind::Angebot => "Angebotsmieten",
            SourceKind::MietspiegelMikrodaten => "Mietspiegel-Mikrodaten",
            SourceKind::Leistungsempfaenger => "Leistungsempfänger-Daten",
        }
    }

    /// A count of records of this kind in German: `1 Bestandsmiete`, `1.200 Angebotsmieten`.
    pub fn count_german(self, n: usize) -> String {
        let (one, many) = match self {
            SourceKind::Bestand => ("Bestandsmiete", "Bestandsmieten"),
            SourceKind::Neuvertrag => ("Neuvertragsmiete", "Neuvertragsmieten"),
            SourceKind::Angebot => ("Angebotsmiete", "Angebotsmieten"),
            SourceKind::MietspiegelMikrodaten => {
                ("Mietspiegel-Datensatz", "Mietspiegel-Datensätze")
            }
            SourceKind::Leistungsempfaenger => (
                "Datensatz von Leistungsempfängern",
                "Datensätze von Leistungsempfängern",
            ),
        };
        crate::fmt::count(n, one, many)
    }

    /// The kinds of a source's records in German: the kind's name when all records have one
    /// kind (the declared `kind` when there are none), else `gemischt: 1.200 Bestandsmieten,
    /// 300 Angebotsmieten` (a Datenart column gives each row its kind).
    pub fn summary_german(kind: SourceKind, counts: &BTreeMap<SourceKind, usize>) -> String {
        let present: Vec<(SourceKind, usize)> = counts
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(k, n)| (*k, *n))
            .collect();
        match present.as_slice() {
            [] => kind.german().to_string(),
            [(only, _)] => only.german().to_string(),
            several => {
                let parts: Vec<String> = several.iter().map(|(k, n)| k.count_german(*n)).collect();
                format!("gemischt: {}", parts.join(", "))
            }
        }
    }

    /// The stable code used in the project file, the CLI and JSON.
    pub fn code(self) -> &'static str {
        match self {
            SourceKind::Bestand => "bestand",
            SourceKind::Neuvertrag => "neuvertrag",
            SourceKind::Angebot => "angebot",
            SourceKind::MietspiegelMikrodaten => "mietspiegel_mikrodaten",
            SourceKind::Leistungsempfaenger => "leistungsempfaenger",
        }
    }

    /// Reads a kind from a code or from the free text of a "Datenquelle"/"Mietart" cell.
    pub fn parse(text: &str) -> Option<SourceKind> {
        let t = text.trim().to_lowercase();
        if t.is_empty() {
            return None;
        }
        if t.starts_with("bestand") || t == "b" {
            Some(SourceKind::Bestand)
        } else if t.starts_with("neuvertrag") || t.starts_with("neuvermietung") || t == "nv" {
            Some(SourceKind::Neuvertrag)
        } else if t.starts_with("angebot") || t.contains("inserat") || t == "a" {
            Some(SourceKind::Angebot)
        } else if t.starts_with("mietspiegel") {
            Some(SourceKind::MietspiegelMikrodaten)
        } else if t.starts_with("leistung") || t.contains("sgb") {
            Some(SourceKind::Leistungsempfaenger)
        } else {
            None
        }
    }
}

/// Landlord type, for representativeness and post-stratification (docs/METHOD.md §2.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LandlordType {
    /// Private small landlord.
    Privat,
    /// Institutional / large landlord (Wohnungsunternehmen, Genossenschaft, kommunal).
    Institutionell,
}

impl LandlordType {
    /// Reads the free text of a "Vermietertyp" cell.
    pub fn parse(text: &str) -> Option<LandlordType> {
        let t = text.trim().to_lowercase();
        if t.is_empty() {
            return None;
        }
        const INSTITUTIONAL: [&str; 8] = [
            "groß",
            "gross",
            "genossenschaft",
            "kommunal",
            "gesellschaft",
            "unternehmen",
            "institution",
            "gmbh",
        ];
        const PRIVATE: [&str; 3] = ["privat", "klein", "einzel"];
        if INSTITUTIONAL.iter().any(|w| t.contains(w)) {
            Some(LandlordType::Institutionell)
        } else if PRIVATE.iter().any(|w| t.contains(w)) {
            Some(LandlordType::Privat)
        } else {
            None
        }
    }

    /// German display name.
    pub fn german(self) -> &'static str {
        match self {
            LandlordType::Privat => "privat (Kleinvermieter)",
            LandlordType::Institutionell => "institutionell (Großvermieter)",
        }
    }
}

/// A target field of the column mapping. Every field but rent and area is optional.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// Nettokaltmiete, € per month.
    NetRent,
    /// Wohnfläche, m².
    Area,
    /// Gemeinde name.
    Gemeinde,
    /// Amtlicher Gemeindeschlüssel (8 digits).
    Ags,
    /// Postleitzahl.
    Plz,
    /// Ortsteil / Stadtteil (informative, for coverage).
    Ortsteil,
    /// Kalte Betriebskosten, € per month.
    OperatingCosts,
    /// Heizkosten, € per month.
    HeatingCosts,
    /// Nebenkosten include heating (yes/no).
    HeatingIncluded,
    /// Number of rooms (informative only).
    Rooms,
    /// Year of construction.
    YearBuilt,
    /// Mietbeginn / Vertragsbeginn.
    ContractStart,
    /// Letzte Mietänderung.
    LastRentChange,
    /// Angebotsdatum (offers).
    OfferDate,
    /// Vermietertyp.
    LandlordType,
    /// Aufzug (yes/no).
    Lift,
    /// Per-row source kind ("Datenquelle", "Mietart").
    Kind,
    /// Leistungsbezug SGB II/XII (yes/no).
    Welfare,
    /// Möbliert (yes/no).
    Furnished,
    /// Öffentlich gefördert / preisgebunden (yes/no).
    Subsidised,
    /// Werks-/Dienstwohnung (yes/no).
    CompanyFlat,
    /// Wohnheim (yes/no).
    Dormitory,
    /// Gefälligkeitsmiete, e.g. among relatives (yes/no).
    FavourRent,
    /// Substandard: no bath/WC or no Sammelheizung (yes/no).
    Substandard,
    /// Object type text ("Wohnung", "Garage", …); non-flats are rejected.
    ObjectType,
    /// The supplier's record id (kept for the audit trail, never exported by default).
    RecordId,
}

impl Field {
    /// All fields in display order.
    pub const ALL: [Field; 26] = [
        Field::NetRent,
        Field::Area,
        Field::Gemeinde,
        Field::Ags,
        Field::Plz,
        Field::Ortsteil,
        Field::OperatingCosts,
        Field::HeatingCosts,
        Field::HeatingIncluded,
        Field::Rooms,
        Field::YearBuilt,
        Field::ContractStart,
        Field::LastRentChange,
        Field::OfferDate,
        Field::LandlordType,
        Field::Lift,
        Field::Kind,
        Field::Welfare,
        Field::Furnished,
        Field::Subsidised,
        Field::CompanyFlat,
        Field::Dormitory,
        Field::FavourRent,
        Field::Substandard,
        Field::ObjectType,
        Field::RecordId,
    ];

    /// German display name.
    pub fn german(self) -> &'static str {
        match self {
            Field::NetRent => "Nettokaltmiete (€/Monat)",
            Field::Area => "Wohnfläche (m²)",
            Field::Gemeinde => "Gemeinde",
            Field::Ags => "Gemeindeschlüssel (AGS)",
            Field::Plz => "Postleitzahl",
            Field::Ortsteil => "Ortsteil",
            Field::OperatingCosts => "Kalte Betriebskosten (€/Monat)",
            Field::HeatingCosts => "Heizkosten (€/Monat)",
            Field::HeatingIncluded => "Nebenkosten inkl. Heizung",
            Field::Rooms => "Zimmer",
            Field::YearBuilt => "Baujahr",
            Field::ContractStart => "Mietbeginn",
            Field::LastRentChange => "Letzte Mietänderung",
            Field::OfferDate => "Angebotsdatum",
            Field::LandlordType => "Vermietertyp",
            Field::Lift => "Aufzug",
            Field::Kind => "Datenart (Bestand/Neuvertrag/Angebot)",
            Field::Welfare => "Leistungsbezug",
            Field::Furnished => "Möbliert",
            Field::Subsidised => "Öffentlich gefördert",
            Field::CompanyFlat => "Werks-/Dienstwohnung",
            Field::Dormitory => "Wohnheim",
            Field::FavourRent => "Gefälligkeitsmiete",
            Field::Substandard => "Substandard (ohne Bad/Sammelheizung)",
            Field::ObjectType => "Objektart",
            Field::RecordId => "Datensatz-ID",
        }
    }

    /// The stable code (project file, JSON).
    pub fn code(self) -> &'static str {
        match self {
            Field::NetRent => "net_rent",
            Field::Area => "area",
            Field::Gemeinde => "gemeinde",
            Field::Ags => "ags",
            Field::Plz => "plz",
            Field::Ortsteil => "ortsteil",
            Field::OperatingCosts => "operating_costs",
            Field::HeatingCosts => "heating_costs",
            Field::HeatingIncluded => "heating_included",
            Field::Rooms => "rooms",
            Field::YearBuilt => "year_built",
            Field::ContractStart => "contract_start",
            Field::LastRentChange => "last_rent_change",
            Field::OfferDate => "offer_date",
            Field::LandlordType => "landlord_type",
            Field::Lift => "lift",
            Field::Kind => "kind",
            Field::Welfare => "welfare",
            Field::Furnished => "furnished",
            Field::Subsidised => "subsidised",
            Field::CompanyFlat => "company_flat",
            Field::Dormitory => "dormitory",
            Field::FavourRent => "favour_rent",
            Field::Substandard => "substandard",
            Field::ObjectType => "object_type",
            Field::RecordId => "record_id",
        }
    }

    /// Whether the field holds a money amount per month (a per-column unit choice may say per year).
    pub fn is_money(self) -> bool {
        matches!(
            self,
            Field::NetRent | Field::OperatingCosts | Field::HeatingCosts
        )
    }
}

/// One accepted record: a flat with its rent, as read from one source row.
///
/// Records are never changed by the analysis; cleaning produces reason codes, not deletions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Index of the source in the project's source register.
    pub source: u16,
    /// Row number as the user sees it in Excel or the CSV file (1-based).
    pub row: u32,
    /// Source kind (the file's kind unless a mapped column overrides it).
    pub kind: SourceKind,
    /// Nettokaltmiete, € per month.
    pub net_rent: f64,
    /// Wohnfläche, m².
    pub area: f64,
    /// Gemeinde name as delivered.
    pub gemeinde: Option<String>,
    /// AGS as delivered (digits only).
    pub ags: Option<String>,
    /// Postleitzahl.
    pub plz: Option<String>,
    /// Ortsteil.
    pub ortsteil: Option<String>,
    /// Kalte Betriebskosten, € per month.
    pub operating_costs: Option<f64>,
    /// Heizkosten, € per month.
    pub heating_costs: Option<f64>,
    /// Nebenkosten include heating.
    pub heating_included: Option<bool>,
    /// Rooms.
    pub rooms: Option<f64>,
    /// Year built.
    pub year_built: Option<i32>,
    /// Contract start.
    pub contract_start: Option<Date>,
    /// Last rent change.
    pub last_rent_change: Option<Date>,
    /// Offer date.
    pub offer_date: Option<Date>,
    /// Landlord type.
    pub landlord_type: Option<LandlordType>,
    /// Lift in the building.
    pub lift: Option<bool>,
    /// Tenant receives SGB II/XII benefits.
    pub welfare: Option<bool>,
    /// Furnished.
    pub furnished: Option<bool>,
    /// Publicly subsidised / rent-controlled.
    pub subsidised: Option<bool>,
    /// Werks-/Dienstwohnung.
    pub company_flat: Option<bool>,
    /// Wohnheim.
    pub dormitory: Option<bool>,
    /// Gefälligkeitsmiete.
    pub favour_rent: Option<bool>,
    /// Substandard.
    pub substandard: Option<bool>,
    /// Supplier's record id.
    pub record_id: Option<String>,
}

impl Record {
    /// A record with the given rent and area and everything optional empty.
    pub fn new(source: u16, row: u32, kind: SourceKind, net_rent: f64, area: f64) -> Record {
        Record {
            source,
            row,
            kind,
            net_rent,
            area,
            gemeinde: None,
            ags: None,
            plz: None,
            ortsteil: None,
            operating_costs: None,
            heating_costs: None,
            heating_included: None,
            rooms: None,
            year_built: None,
            contract_start: None,
            last_rent_change: None,
            offer_date: None,
            landlord_type: None,
            lift: None,
            welfare: None,
            furnished: None,
            subsidised: None,
            company_flat: None,
            dormitory: None,
            favour_rent: None,
            substandard: None,
            record_id: None,
        }
    }

    /// Nettokaltmiete per m².
    pub fn net_rent_per_m2(&self) -> f64 {
        self.net_rent / self.area
    }

    /// Kalte Betriebskosten per m², where known.
    pub fn operating_costs_per_m2(&self) -> Option<f64> {
        self.operating_costs.map(|bk| bk / self.area)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_with_several_kinds_is_summarised_as_gemischt_with_counts() {
        let counts = |pairs: &[(SourceKind, usize)]| pairs.iter().copied().collect();
        assert_eq!(
            SourceKind::summary_german(SourceKind::Bestand, &BTreeMap::new()),
            "Bestandsmieten"
        );
        // One kind, given by the column: that kind, not the declared one.
        assert_eq!(
            SourceKind::summary_german(SourceKind::Bestand, &counts(&[(SourceKind::Angebot, 3)])),
            "Angebotsmieten"
        );
        assert_eq!(
            SourceKind::summary_german(
                SourceKind::Bestand,
                &counts(&[(SourceKind::Angebot, 300), (SourceKind::Bestand, 1200)])
            ),
            "gemischt: 1.200 Bestandsmieten, 300 Angebotsmieten"
        );
        assert_eq!(SourceKind::Neuvertrag.count_german(1), "1 Neuvertragsmiete");
    }
}
