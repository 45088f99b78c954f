//! Validation: one raw row + column mapping → an accepted [`Record`] or a reason-coded rejection.

use super::cell::{Parsed, parse_bool, parse_date, parse_int, parse_number, parse_text};
use super::raw::{RawCell, RawRow};
use crate::model::params::PlausibilityParams;
use crate::model::{Field, LandlordType, Reason, Record, SourceKind};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// A row that did not become a record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rejection {
    /// Index of the source.
    pub source: u16,
    /// Row number as the user sees it.
    pub line: u32,
    /// Why.
    pub reason: Reason,
    /// Detail for the user, e.g. the offending text.
    pub detail: String,
}

/// Everything validation needs besides the row.
#[derive(Debug, Clone)]
pub struct RowContext<'a> {
    /// Source index.
    pub source: u16,
    /// Kind of the file (rows may override it via a mapped kind column).
    pub kind: SourceKind,
    /// Field → column index.
    pub columns: &'a BTreeMap<Field, usize>,
    /// Money fields given per year.
    pub annual: &'a BTreeSet<Field>,
    /// Hard bounds.
    pub plausibility: &'a PlausibilityParams,
}

const EMPTY: RawCell = RawCell::Empty;

impl RowContext<'_> {
    fn cell<'r>(&self, row: &'r RawRow, field: Field) -> &'r RawCell {
        self.columns
            .get(&field)
            .and_then(|&i| row.cells.get(i))
            .unwrap_or(&EMPTY)
    }

    fn money(&self, row: &RawRow, field: Field) -> Parsed<f64> {
        let factor = if self.annual.contains(&field) {
            1.0 / 12.0
        } else {
            1.0
        };
        match parse_number(self.cell(row, field)) {
            Parsed::Value(v) => Parsed::Value(v * factor),
            other => other,
        }
    }

    fn opt_number(&self, row: &RawRow, field: Field) -> Option<f64> {
        match self.money(row, field) {
            Parsed::Value(v) => Some(v),
            _ => None,
        }
    }

    fn opt_bool(&self, row: &RawRow, field: Field) -> Option<bool> {
        match parse_bool(self.cell(row, field)) {
            Parsed::Value(v) => Some(v),
            _ => None,
        }
    }

    fn opt_text(&self, row: &RawRow, field: Field) -> Option<String> {
        parse_text(self.cell(row, field))
    }

    fn opt_date(&self, row: &RawRow, field: Field) -> Option<crate::model::Date> {
        match parse_date(self.cell(row, field)) {
            Parsed::Value(v) => Some(v),
            _ => None,
        }
    }

    /// Validates one row.
    pub fn validate(&self, row: &RawRow) -> Result<Record, Rejection> {
        let reject = |reason: Reason, detail: String| Rejection {
            source: self.source,
            line: row.line,
            reason,
            detail,
        };
        if row.is_blank() {
            return Err(reject(Reason::EmptyRow, String::new()));
        }
        let kind = match self.opt_text(row, Field::Kind) {
            Some(text) => {
                SourceKind::parse(&text).ok_or_else(|| reject(Reason::UnknownKind, text.clone()))?
            }
            None => self.kind,
        };
        let listing = self
            .opt_text(row, Field::ObjectType)
            .map(|t| ListingText::parse(&t));
        if let Some(l) = &listing
            && let Some(t) = &l.object_type
            && is_not_a_flat(t)
        {
            return Err(reject(Reason::NotAFlat, t.clone()));
        }
        let rent_cell = self.cell(row, Field::NetRent);
        if let RawCell::Text(t) = rent_cell {
            if is_not_a_flat(t) {
                return Err(reject(Reason::NotAFlat, t.trim().to_string()));
            }
            let lower = t.to_lowercase();
            if lower.contains("inkl") || lower.contains("warm") {
                return Err(reject(Reason::RentIncludesCosts, t.trim().to_string()));
            }
        }
        let net_rent = match self.money(row, Field::NetRent) {
            Parsed::Missing => return Err(reject(Reason::MissingRent, separator_hint(row))),
            Parsed::Invalid(text) => return Err(reject(Reason::RentNotNumeric, text)),
            Parsed::Value(v) => v,
        };
        let area = match parse_number(self.cell(row, Field::Area)) {
            Parsed::Missing => return Err(reject(Reason::MissingArea, String::new())),
            Parsed::Invalid(text) => return Err(reject(Reason::AreaNotNumeric, text)),
            Parsed::Value(v) => v,
        };
        if net_rent <= 0.0 {
            return Err(reject(
                Reason::RentNotPositive,
                crate::fmt::number_plain(net_rent),
            ));
        }
        if area <= 0.0 {
            return Err(reject(
                Reason::AreaNotPositive,
                crate::fmt::number_plain(area),
            ));
        }
        let per_m2 = net_rent / area;
        let p = self.plausibility;
        if !(p.rent_per_m2_min..=p.rent_per_m2_max).contains(&per_m2) {
            return Err(reject(
                Reason::RentPerM2Implausible,
                format!(
                    "{} €/m² (Grenzen {} bis {} €/m²)",
                    crate::fmt::number(per_m2, 2),
                    crate::fmt::number(p.rent_per_m2_min, 2),
                    crate::fmt::number(p.rent_per_m2_max, 2)
                ),
            ));
        }
        let mut r = Record::new(self.source, row.line, kind, net_rent, area);
        r.gemeinde = self.opt_text(row, Field::Gemeinde);
        r.ags = self
            .opt_text(row, Field::Ags)
            .map(|a| crate::model::Ags::normalise_text(&a))
            .filter(|a| !a.is_empty());
        r.plz = self.opt_text(row, Field::Plz);
        r.ortsteil = self.opt_text(row, Field::Ortsteil);
        if let Some(l) = listing {
            if r.gemeinde.is_none() {
                r.gemeinde = l.town;
            }
            if r.ortsteil.is_none() {
                r.ortsteil = l.quarter;
            }
        }
        r.operating_costs = self.opt_number(row, Field::OperatingCosts);
        r.heating_costs = self.opt_number(row, Field::HeatingCosts);
        r.heating_included = self.opt_bool(row, Field::HeatingIncluded);
        r.rooms = self.opt_number(row, Field::Rooms);
        r.year_built = match parse_int(self.cell(row, Field::YearBuilt)) {
            Parsed::Value(v) => i32::try_from(v).ok(),
            _ => None,
        };
        r.contract_start = self.opt_date(row, Field::ContractStart);
        r.last_rent_change = self.opt_date(row, Field::LastRentChange);
        r.offer_date = self.opt_date(row, Field::OfferDate).or_else(|| {
            // A mixed source (a Datenart column) has one date column for all its rows: for an
            // offer, "Mietbeginn / letzte Mietänderung" is the date of the offer
            // (docs/METHOD.md §2.11).
            let mixed = self.columns.contains_key(&Field::Kind);
            (mixed && kind == SourceKind::Angebot)
                .then(|| r.contract_start.max(r.last_rent_change))
                .flatten()
        });
        r.landlord_type = self
            .opt_text(row, Field::LandlordType)
            .and_then(|t| LandlordType::parse(&t));
        r.lift = self.opt_bool(row, Field::Lift);
        r.welfare = self.opt_bool(row, Field::Welfare);
        r.furnished = self.opt_bool(row, Field::Furnished);
        r.subsidised = self.opt_bool(row, Field::Subsidised);
        r.company_flat = self.opt_bool(row, Field::CompanyFlat);
        r.dormitory = self.opt_bool(row, Field::Dormitory);
        r.favour_rent = self.opt_bool(row, Field::FavourRent);
        r.substandard = self.opt_bool(row, Field::Substandard);
        r.record_id = self.opt_text(row, Field::RecordId);
        Ok(r)
    }
}

/// A hint for a row read as one single cell that holds another field separator (a CSV line
/// written with a different separator than the rest of the file); empty otherwise.
fn separator_hint(row: &RawRow) -> String {
    let mut filled = row.cells.iter().filter(|c| !c.is_blank());
    match (filled.next(), filled.next()) {
        (Some(RawCell::Text(t)), None) if t.contains([';', ',', '\t']) => format!(
            "nur eine Spalte erkannt – anderes Trennzeichen? „{}“",
            t.trim()
        ),
        _ => String::new(),
    }
}

fn is_not_a_flat(text: &str) -> bool {
    let t = text.trim().to_lowercase();
    const WORDS: [&str; 8] = [
        "garage",
        "stellplatz",
        "parkplatz",
        "gewerbe",
        "büro",
        "laden",
        "lagerraum",
        "wg-zimmer",
    ];
    WORDS.iter().any(|w| t.contains(w)) || t == "zimmer"
}

/// The listing text of portal exports: `[['Etagenwohnung', '•', 'Lübeck', 'St.', 'Lorenz']]`
/// or `Etagenwohnung • Lübeck St. Lorenz` → type, town, quarter.
#[derive(Debug, Clone, PartialEq, Default)]
struct ListingText {
    object_type: Option<String>,
    town: Option<String>,
    quarter: Option<String>,
}

impl ListingText {
    fn parse(text: &str) -> ListingText {
        let cleaned: String = text
            .chars()
            .map(|c| match c {
                '[' | ']' | '\'' | '"' | ',' => ' ',
                other => other,
            })
            .collect();
        let tokens: Vec<&str> = cleaned.split_whitespace().collect();
        match tokens.iter().position(|t| *t == "•") {
            Some(i) => {
                let object_type = i.checked_sub(1).map(|j| tokens[j].to_string());
                let town = tokens.get(i + 1).map(|t| (*t).to_string());
                let rest = tokens.get(i + 2..).unwrap_or(&[]).join(" ");
                ListingText {
                    object_type,
                    town,
                    quarter: (!rest.is_empty()).then_some(rest),
                }
            }
            None => ListingText {
                object_type: Some(text.trim().to_string()),
                town: None,
                quarter: None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx_row(cells: Vec<RawCell>) -> (BTreeMap<Field, usize>, RawRow) {
        let mut m = BTreeMap::new();
        m.insert(Field::NetRent, 0);
        m.insert(Field::Area, 1);
        m.insert(Field::ObjectType, 2);
        m.insert(Field::Kind, 3);
        (m, RawRow { line: 7, cells })
    }

    fn run(cells: Vec<RawCell>) -> Result<Record, Rejection> {
        let (m, row) = ctx_row(cells);
        let annual = BTreeSet::new();
        let plaus = PlausibilityParams::default();
        let ctx = RowContext {
            source: 0,
            kind: SourceKind::Angebot,
            columns: &m,
            annual: &annual,
            plausibility: &plaus,
        };
        ctx.validate(&row)
    }

    fn text(s: &str) -> RawCell {
        RawCell::Text(s.to_string())
    }

    #[test]
    fn reasons() {
        let r = run(vec![
            text("Miete zzgl. NK 319 €"),
            text("Wohnfläche ca. 40 m²"),
            text("[['Kein', 'Bild'], ['Dachgeschosswohnung', '•', 'Lübeck', 'St.', 'Lorenz']]"),
        ])
        .unwrap();
        assert_eq!(r.net_rent, 319.0);
        assert_eq!(r.area, 40.0);
        assert_eq!(r.gemeinde.as_deref(), Some("Lübeck"));
        assert_eq!(r.ortsteil.as_deref(), Some("St. Lorenz"));
        assert_eq!(r.row, 7);
        let reason = |cells| run(cells).unwrap_err().reason;
        assert_eq!(
            reason(vec![text("Preis Auf Anfrage"), text("40")]),
            Reason::RentNotNumeric
        );
        assert_eq!(
            reason(vec![text("Miete inkl. NK 395 €"), text("40")]),
            Reason::RentIncludesCosts
        );
        assert_eq!(
            reason(vec![text("Garagen-/Stellplatzmiete 30 €"), RawCell::Empty]),
            Reason::NotAFlat
        );
        assert_eq!(reason(vec![RawCell::Empty, text(" ")]), Reason::EmptyRow);
        assert_eq!(
            reason(vec![RawCell::Empty, RawCell::Number(40.0)]),
            Reason::MissingRent
        );
        assert_eq!(
            reason(vec![RawCell::Number(300.0), RawCell::Number(0.0)]),
            Reason::AreaNotPositive
        );
        assert_eq!(
            reason(vec![RawCell::Number(3000.0), RawCell::Number(10.0)]),
            Reason::RentPerM2Implausible
        );
        assert_eq!(
            reason(vec![
                RawCell::Number(300.0),
                RawCell::Error("#DIV/0!".into())
            ]),
            Reason::AreaNotNumeric
        );
        assert_eq!(
            reason(vec![
                RawCell::Number(300.0),
                RawCell::Number(40.0),
                RawCell::Empty,
                text("Tauschwohnung")
            ]),
            Reason::UnknownKind
        );
        let r = run(vec![
            RawCell::Number(300.0),
            RawCell::Number(40.0),
            RawCell::Empty,
            text("Bestand"),
        ])
        .unwrap();
        assert_eq!(r.kind, SourceKind::Bestand);
    }

    #[test]
    fn offers_of_a_mixed_source_take_the_contract_date_as_offer_date() {
        let mut m = BTreeMap::new();
        m.insert(Field::NetRent, 0);
        m.insert(Field::Area, 1);
        m.insert(Field::Kind, 2);
        m.insert(Field::LastRentChange, 3);
        let annual = BTreeSet::new();
        let plaus = PlausibilityParams::default();
        let ctx = RowContext {
            source: 0,
            kind: SourceKind::Bestand,
            columns: &m,
            annual: &annual,
            plausibility: &plaus,
        };
        let row = |kind: &str, date: RawCell| RawRow {
            line: 9,
            cells: vec![
                RawCell::Number(400.0),
                RawCell::Number(50.0),
                text(kind),
                date,
            ],
        };
        let date = || text("01.06.2024");
        let offer = ctx.validate(&row("Angebot", date())).unwrap();
        assert_eq!(offer.kind, SourceKind::Angebot);
        assert_eq!(offer.offer_date, crate::model::Date::from_ymd(2024, 6, 1));
        // A Bestand row keeps its date as the rent change only.
        let bestand = ctx.validate(&row("Bestand", date())).unwrap();
        assert_eq!(bestand.offer_date, None);
        assert_eq!(
            bestand.last_rent_change,
            crate::model::Date::from_ymd(2024, 6, 1)
        );
        // An offer without any date stays without one.
        let undated = ctx.validate(&row("Angebot", RawCell::Empty)).unwrap();
        assert_eq!(undated.offer_date, None);
        // A mapped offer date wins.
        let mut with_offer_date = m.clone();
        with_offer_date.insert(Field::OfferDate, 4);
        let ctx = RowContext {
            columns: &with_offer_date,
            ..ctx
        };
        let mut cells = row("Angebot", date()).cells;
        cells.push(text("15.08.2024"));
        let r = ctx.validate(&RawRow { line: 9, cells }).unwrap();
        assert_eq!(r.offer_date, crate::model::Date::from_ymd(2024, 8, 15));
        // Without a Datenart column a file of offers does not read its Mietbeginn (there often
        // "frei ab") as the offer date.
        let mut single_kind = m.clone();
        single_kind.remove(&Field::Kind);
        let ctx = RowContext {
            columns: &single_kind,
            kind: SourceKind::Angebot,
            ..ctx
        };
        let r = ctx.validate(&row("", date())).unwrap();
        assert_eq!((r.kind, r.offer_date), (SourceKind::Angebot, None));
    }

    #[test]
    fn other_separator_is_named() {
        // The whole line landed in one column (here the listing column).
        let rej = run(vec![RawCell::Empty, RawCell::Empty, text("Jülich,380,50")]).unwrap_err();
        assert_eq!(rej.reason, Reason::MissingRent);
        assert_eq!(
            rej.detail,
            "nur eine Spalte erkannt – anderes Trennzeichen? „Jülich,380,50“"
        );
        // An ordinary missing rent has no detail.
        let rej = run(vec![RawCell::Empty, RawCell::Number(40.0)]).unwrap_err();
        assert_eq!((rej.reason, rej.detail.as_str()), (Reason::MissingRent, ""));
    }
}
