//! Legal and reference tables, embedded from assets/ with their sources.
//!
//! Every table is a CSV file in `assets/` (listed with its source in `assets/README.md`), embedded
//! with `include_str!` and parsed once on first use. Every row carries its legal source (and, where
//! the table has one, its in-force date); a row without them makes the parser fail with a
//! [`TableError`]. Missing values stay missing (`None`), they are never dropped or filled in.
//!
//! - [`laender`]: the 16 Länder with code and AGS prefix;
//! - [`wohnflaechen`]: angemessene Wohnflächen per Land;
//! - [`wogg`]: WoGG Höchstbeträge, Klimakomponente and the WoGG fallback limit;
//! - [`mietstufen`]: Mietenstufen of the WoGV Anlage and their lookup;
//! - [`heizspiegel`]: Heizspiegel tables (Nienburg 2022 example) and heating-cost limits.

pub mod laender;
pub mod mietstufen;
pub mod wogg;
pub mod wohnflaechen;

pub use crate::model::heizspiegel;
pub use crate::model::table_file::TableError;
pub(crate) use crate::model::table_file::{CsvRow, CsvTable, fold, read_meta};

/// Loads every embedded table once and reports the first error, if any.
///
/// Useful as a start-up self-check of the application and in tests.
pub fn check_all() -> Result<(), TableError> {
    laender::load_laender()?;
    wohnflaechen::load_wohnflaechen()?;
    wogg::load_hoechstbetraege()?;
    wogg::load_klimakomponente()?;
    mietstufen::load_mietstufen()?;
    heizspiegel::try_nienburg_2022_example()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_embedded_tables_load() {
        check_all().unwrap();
    }
}
