//! The 16 Länder: code (`BW` … `TH`), name and Länderschlüssel (AGS prefix `01`–`16`).
//!
//! Asset: `assets/laender.csv`.

use super::{CsvTable, TableError};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

const TABLE_NAME: &str = "laender.csv";
const ASSET: &str = include_str!("../../assets/laender.csv");

/// A Land of the Federal Republic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Land {
    /// Two-letter code as in ISO 3166-2:DE without `DE-` (e.g. `NW`).
    pub code: String,
    /// Official short name (e.g. `Nordrhein-Westfalen`).
    pub name: String,
    /// Länderschlüssel: the first two digits of the AGS (`01`–`16`).
    pub ags_prefix: String,
    /// Source of the row.
    pub source: String,
}

/// Parses a Länder table in the format of `assets/laender.csv`.
pub fn parse_laender(table_name: &str, text: &str) -> Result<Vec<Land>, TableError> {
    let table = CsvTable::parse(table_name, text, &["code", "name", "ags_prefix", "source"])?;
    let mut out: Vec<Land> = Vec::new();
    for row in table.rows() {
        let code = row.required("code")?.to_ascii_uppercase();
        let name = row.required("name")?.to_string();
        let ags_prefix = row.required("ags_prefix")?.to_string();
        let source = row.source()?;
        if code.len() != 2 || !code.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(row.error(format!("ungültiges Länderkürzel „{code}“")));
        }
        if ags_prefix.len() != 2 || !ags_prefix.chars().all(|c| c.is_ascii_digit()) {
            return Err(row.error(format!("ungültiger Länderschlüssel „{ags_prefix}“")));
        }
        if out
            .iter()
            .any(|l| l.code == code || l.ags_prefix == ags_prefix || l.name == name)
        {
            return Err(row.error(format!("Land „{code}“ ({ags_prefix}) doppelt")));
        }
        out.push(Land {
            code,
            name,
            ags_prefix,
            source,
        });
    }
    Ok(out)
}

/// The embedded Länder table, parsed once; an error only if the asset is broken.
pub fn load_laender() -> Result<&'static [Land], TableError> {
    static TABLE: OnceLock<Result<Vec<Land>, TableError>> = OnceLock::new();
    match TABLE.get_or_init(|| parse_laender(TABLE_NAME, ASSET)) {
        Ok(rows) => Ok(rows),
        Err(e) => Err(e.clone()),
    }
}

/// All 16 Länder in the order of their Länderschlüssel (empty only if the asset is broken).
pub fn all_laender() -> &'static [Land] {
    load_laender().unwrap_or(&[])
}

/// The Land with this code (`NW`, case-insensitive, blanks ignored).
pub fn land(code: &str) -> Option<&'static Land> {
    let code = code.trim();
    all_laender()
        .iter()
        .find(|l| l.code.eq_ignore_ascii_case(code))
}

/// The Land with this name (exact after trimming, case-insensitive; e.g. `Baden-Württemberg`).
pub fn land_by_name(name: &str) -> Option<&'static Land> {
    let name = super::fold(name);
    all_laender().iter().find(|l| super::fold(&l.name) == name)
}

/// The Land of an AGS (Gemeinde-, Kreis- or Länderschlüssel; see [`crate::model::Ags::parse`]).
pub fn land_for_ags(ags: &str) -> Option<&'static Land> {
    let ags = crate::model::Ags::parse(ags)?;
    let prefix = ags.land_prefix();
    all_laender().iter().find(|l| l.ags_prefix == prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sixteen_laender_with_sources() {
        let all = load_laender().unwrap();
        assert_eq!(all.len(), 16);
        for (i, l) in all.iter().enumerate() {
            assert_eq!(l.ags_prefix, format!("{:02}", i + 1));
            assert!(!l.source.trim().is_empty(), "{}", l.code);
        }
        let codes: Vec<&str> = all.iter().map(|l| l.code.as_str()).collect();
        for code in [
            "BW", "BY", "BE", "BB", "HB", "HH", "HE", "MV", "NI", "NW", "RP", "SL", "SN", "ST",
            "SH", "TH",
        ] {
            assert!(codes.contains(&code), "{code}");
        }
    }

    #[test]
    fn lookups() {
        assert_eq!(land("nw").unwrap().name, "Nordrhein-Westfalen");
        assert_eq!(land(" BY ").unwrap().ags_prefix, "09");
        assert!(land("XX").is_none());
        assert_eq!(land_for_ags("14713000").unwrap().code, "SN");
        assert_eq!(land_for_ags("1059100").unwrap().code, "SH");
        assert_eq!(land_for_ags("11").unwrap().code, "BE");
        assert!(land_for_ags("17000000").is_none());
        assert!(land_for_ags("ab").is_none());
        assert_eq!(land_by_name("baden-württemberg").unwrap().code, "BW");
    }

    #[test]
    fn row_without_source_is_an_error() {
        let bad = "code,name,ags_prefix,source\nBW,Baden-Württemberg,08,\n";
        assert!(matches!(
            parse_laender("bad.csv", bad),
            Err(TableError::MissingSource { line: 2, .. })
        ));
        let dup = "code,name,ags_prefix,source\nBW,A,08,q\nBW,B,09,q\n";
        assert!(matches!(
            parse_laender("dup.csv", dup),
            Err(TableError::Invalid { line: 3, .. })
        ));
    }
}
