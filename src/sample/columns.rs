//! Sheet layout and cells: the columns of each file and the value a flat gives each cell.

use super::BENCH_HEADERS;
use super::flats::Flat;
use super::kreis::GEMEINDEN;
use crate::model::Date;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Col {
    LfdNr,
    OfferDate,
    Portal,
    Gemeinde,
    Ags,
    Plz,
    Ortsteil,
    Area,
    Rooms,
    Rent,
    Bk,
    Nebenkosten,
    NkInclHeating,
    Hk,
    Baujahr,
    Start,
    LastChange,
    Landlord,
    Lift,
    Welfare,
    Furnished,
    Subsidised,
    Company,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ColFmt {
    General,
    Integer,
    Decimal,
    Money,
    Date,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct ColumnSpec {
    pub(super) col: Col,
    pub(super) header: &'static str,
    pub(super) width: f64,
    pub(super) fmt: ColFmt,
}

const fn spec(col: Col, header: &'static str, width: f64, fmt: ColFmt) -> ColumnSpec {
    ColumnSpec {
        col,
        header,
        width,
        fmt,
    }
}

pub(super) const BESTAND_COLUMNS: [ColumnSpec; 18] = [
    spec(Col::LfdNr, "Lfd. Nr.", 8.0, ColFmt::Integer),
    spec(Col::Gemeinde, "Gemeinde", 20.0, ColFmt::General),
    spec(Col::Ags, "AGS", 10.0, ColFmt::General),
    spec(Col::Plz, "PLZ", 7.0, ColFmt::General),
    spec(Col::Area, "Wohnfläche (m²)", 15.0, ColFmt::Decimal),
    spec(Col::Rooms, "Zimmer", 8.0, ColFmt::General),
    spec(Col::Rent, "Nettokaltmiete (€)", 17.0, ColFmt::Money),
    spec(
        Col::Bk,
        "kalte Betriebskosten (€/Monat)",
        27.0,
        ColFmt::Money,
    ),
    spec(Col::Hk, "Heizkosten (€/Monat)", 19.0, ColFmt::Money),
    spec(Col::Baujahr, "Baujahr", 8.0, ColFmt::Integer),
    spec(Col::Start, "Mietbeginn", 12.0, ColFmt::Date),
    spec(Col::LastChange, "letzte Mietänderung", 18.0, ColFmt::Date),
    spec(Col::Landlord, "Vermietertyp", 20.0, ColFmt::General),
    spec(Col::Lift, "Aufzug", 7.0, ColFmt::General),
    spec(Col::Welfare, "Leistungsbezug", 14.0, ColFmt::General),
    spec(Col::Furnished, "möbliert", 9.0, ColFmt::General),
    spec(Col::Subsidised, "gefördert", 9.0, ColFmt::General),
    spec(Col::Company, "Werkswohnung", 13.0, ColFmt::General),
];

pub(super) const NEUVERTRAG_COLUMNS: [ColumnSpec; 17] = [
    spec(Col::LfdNr, "Lfd. Nr.", 8.0, ColFmt::Integer),
    spec(Col::Gemeinde, "Gemeinde", 20.0, ColFmt::General),
    spec(Col::Ags, "AGS", 10.0, ColFmt::General),
    spec(Col::Plz, "PLZ", 7.0, ColFmt::General),
    spec(Col::Area, "Wohnfläche (m²)", 15.0, ColFmt::Decimal),
    spec(Col::Rooms, "Zimmer", 8.0, ColFmt::General),
    spec(Col::Rent, "Nettokaltmiete (€)", 17.0, ColFmt::Money),
    spec(
        Col::Bk,
        "kalte Betriebskosten (€/Monat)",
        27.0,
        ColFmt::Money,
    ),
    spec(Col::Hk, "Heizkosten (€/Monat)", 19.0, ColFmt::Money),
    spec(Col::Baujahr, "Baujahr", 8.0, ColFmt::Integer),
    spec(Col::Start, "Mietbeginn", 12.0, ColFmt::Date),
    spec(Col::Landlord, "Vermietertyp", 20.0, ColFmt::General),
    spec(Col::Lift, "Aufzug", 7.0, ColFmt::General),
    spec(Col::Welfare, "Leistungsbezug", 14.0, ColFmt::General),
    spec(Col::Furnished, "möbliert", 9.0, ColFmt::General),
    spec(Col::Subsidised, "gefördert", 9.0, ColFmt::General),
    spec(Col::Company, "Werkswohnung", 13.0, ColFmt::General),
];

pub(super) const ANGEBOTE_COLUMNS: [ColumnSpec; 16] = [
    spec(Col::LfdNr, "Lfd. Nr.", 8.0, ColFmt::Integer),
    spec(Col::OfferDate, "Angebotsdatum", 14.0, ColFmt::Date),
    spec(Col::Portal, "Portal", 24.0, ColFmt::General),
    spec(Col::Gemeinde, "Gemeinde", 20.0, ColFmt::General),
    spec(Col::Ags, "AGS", 10.0, ColFmt::General),
    spec(Col::Plz, "PLZ", 7.0, ColFmt::General),
    spec(Col::Area, "Wohnfläche (m²)", 15.0, ColFmt::Decimal),
    spec(Col::Rooms, "Zimmer", 8.0, ColFmt::General),
    spec(Col::Rent, "Kaltmiete (€)", 13.0, ColFmt::Money),
    spec(Col::Nebenkosten, "Nebenkosten (€)", 15.0, ColFmt::Money),
    spec(
        Col::NkInclHeating,
        "NK inkl. Heizung",
        15.0,
        ColFmt::General,
    ),
    spec(Col::Hk, "Heizkosten (€)", 14.0, ColFmt::Money),
    spec(Col::Baujahr, "Baujahr", 8.0, ColFmt::Integer),
    spec(Col::Lift, "Aufzug", 7.0, ColFmt::General),
    spec(Col::Furnished, "möbliert", 9.0, ColFmt::General),
    spec(Col::Subsidised, "gefördert", 9.0, ColFmt::General),
];

pub(super) const BENCH_COLUMNS: [ColumnSpec; 15] = [
    spec(Col::LfdNr, BENCH_HEADERS[0], 8.0, ColFmt::Integer),
    spec(Col::Gemeinde, BENCH_HEADERS[1], 20.0, ColFmt::General),
    spec(Col::Ags, BENCH_HEADERS[2], 10.0, ColFmt::General),
    spec(Col::Plz, BENCH_HEADERS[3], 7.0, ColFmt::General),
    spec(Col::Ortsteil, BENCH_HEADERS[4], 16.0, ColFmt::General),
    spec(Col::Area, BENCH_HEADERS[5], 15.0, ColFmt::Decimal),
    spec(Col::Rooms, BENCH_HEADERS[6], 8.0, ColFmt::General),
    spec(Col::Rent, BENCH_HEADERS[7], 17.0, ColFmt::Money),
    spec(Col::Bk, BENCH_HEADERS[8], 22.0, ColFmt::Money),
    spec(Col::Hk, BENCH_HEADERS[9], 14.0, ColFmt::Money),
    spec(Col::Baujahr, BENCH_HEADERS[10], 8.0, ColFmt::Integer),
    spec(Col::Start, BENCH_HEADERS[11], 12.0, ColFmt::Date),
    spec(Col::Landlord, BENCH_HEADERS[12], 20.0, ColFmt::General),
    spec(Col::Lift, BENCH_HEADERS[13], 7.0, ColFmt::General),
    spec(Col::Welfare, BENCH_HEADERS[14], 14.0, ColFmt::General),
];

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Cell {
    Empty,
    Num(f64),
    Text(String),
    Static(&'static str),
    Date(Date),
}

fn flag_x(b: bool) -> Cell {
    if b { Cell::Static("x") } else { Cell::Empty }
}

fn flag_ja(b: bool) -> Cell {
    Cell::Static(if b { "ja" } else { "nein" })
}

/// The clean cell of column `col` for `flat`, the row numbered `lfd_nr`.
pub(super) fn cell_value(col: Col, flat: &Flat, lfd_nr: usize) -> Cell {
    let def = &GEMEINDEN[flat.gemeinde];
    match col {
        Col::LfdNr => Cell::Num(lfd_nr as f64),
        Col::OfferDate => flat.offer_date.map_or(Cell::Empty, Cell::Date),
        Col::Portal => Cell::Static(flat.portal),
        Col::Gemeinde => Cell::Static(def.name),
        Col::Ags => Cell::Static(def.ags),
        Col::Plz => Cell::Static(flat.plz),
        Col::Ortsteil => Cell::Static(flat.ortsteil),
        Col::Area => Cell::Num(flat.area),
        Col::Rooms => Cell::Num(flat.rooms),
        Col::Rent => Cell::Num(flat.rent),
        Col::Bk => Cell::Num(flat.bk),
        Col::Nebenkosten => Cell::Num(flat.nebenkosten),
        Col::NkInclHeating => flag_ja(flat.nk_incl_heating),
        Col::Hk => {
            if flat.hk_stated {
                Cell::Num(flat.hk)
            } else {
                Cell::Empty
            }
        }
        Col::Baujahr => Cell::Num(f64::from(flat.baujahr)),
        Col::Start => flat.start.map_or(Cell::Empty, Cell::Date),
        Col::LastChange => flat.last_change.map_or(Cell::Empty, Cell::Date),
        Col::Landlord => Cell::Static(flat.landlord.text()),
        Col::Lift => flag_ja(flat.lift),
        Col::Welfare => flag_x(flat.welfare),
        Col::Furnished => flag_x(flat.furnished),
        Col::Subsidised => flag_x(flat.subsidised),
        Col::Company => flag_x(flat.company),
    }
}

/// One generated table: titles, columns and rows (`None` = the blank row inside the data).
pub(super) struct Table {
    pub(super) sheet: &'static str,
    pub(super) title: String,
    pub(super) titles: Vec<String>,
    pub(super) header_row: u32,
    pub(super) columns: &'static [ColumnSpec],
    pub(super) rows: Vec<Option<Vec<Cell>>>,
}
