//! Angemessene Wohnflächen per Land (m² by household size), with rule, source and confidence.
//!
//! Asset: `assets/wohnflaechen.csv` (docs/METHOD.md §3). Values that are unknown stay `None`;
//! Rheinland-Pfalz is kept as a row without values. Local tables are evidence, not proof, so every
//! preset carries its rule, its source and a confidence mark, and the user can override it.

use super::{CsvTable, TableError};
use crate::model::Date;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

const TABLE_NAME: &str = "wohnflaechen.csv";
const ASSET: &str = include_str!("../../assets/wohnflaechen.csv");

/// Number of household sizes listed explicitly (1 … 5 persons).
pub const LISTED_SIZES: usize = 5;

/// How well a Wohnflächen row is verified (docs/METHOD.md §1.6 / §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// F: read in the regulation text or a court decision quoting it.
    Firm,
    /// O: the Land's or KdU-Träger's own summary page.
    Official,
    /// S: secondary source (jobcenter/Kreis page, commentary, press).
    Secondary,
    /// Unknown: no verified value.
    Unknown,
}

impl Confidence {
    /// All values, strongest first.
    pub const ALL: [Confidence; 4] = [
        Confidence::Firm,
        Confidence::Official,
        Confidence::Secondary,
        Confidence::Unknown,
    ];

    /// Short mark as in the data file: `F`, `O`, `S`, `unknown`.
    pub fn code(self) -> &'static str {
        match self {
            Confidence::Firm => "F",
            Confidence::Official => "O",
            Confidence::Secondary => "S",
            Confidence::Unknown => "unknown",
        }
    }

    /// German label for the UI and the report.
    pub fn label(self) -> &'static str {
        match self {
            Confidence::Firm => "gesichert (Normtext oder Gerichtsentscheidung)",
            Confidence::Official => "amtliche Übersicht (Land oder KdU-Träger)",
            Confidence::Secondary => "Sekundärquelle (ungeprüft)",
            Confidence::Unknown => "unbekannt",
        }
    }

    /// Parses the mark of the data file (`F`, `O`, `S`, `unknown`/`?`, case-insensitive).
    pub fn from_code(code: &str) -> Option<Confidence> {
        match code.trim().to_ascii_lowercase().as_str() {
            "f" => Some(Confidence::Firm),
            "o" => Some(Confidence::Official),
            "s" => Some(Confidence::Secondary),
            "unknown" | "?" | "u" => Some(Confidence::Unknown),
            _ => None,
        }
    }
}

/// The Wohnflächen row of one Land: the default for a project, editable by the user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WohnflaechenPreset {
    /// Land code (`NW`, …).
    pub land_code: String,
    /// m² for 1 … 5 persons (index 0 = 1 person); `None` = unknown.
    pub sizes: Vec<Option<f64>>,
    /// m² for each further person; `None` = unknown.
    pub per_further: Option<f64>,
    /// The rule named (regulation, administrative instruction).
    pub rule: String,
    /// The evidence the values were read from.
    pub source: String,
    /// How well the row is verified.
    pub confidence: Confidence,
    /// Which values are derived from the "each further person" step rather than stated:
    /// index 0 … 4 = 1 … 5 persons, index 5 = the step per further person.
    pub derived: Vec<bool>,
    /// Start of validity where the source states one.
    pub valid_from: Option<Date>,
    /// Remarks (older values, deviating decisions, derivations).
    pub note: String,
}

impl WohnflaechenPreset {
    /// True if the row must be confirmed by the user before a report is exported: its confidence
    /// is unknown or a value is missing.
    pub fn needs_confirmation(&self) -> bool {
        self.confidence == Confidence::Unknown
            || self.sizes.len() < LISTED_SIZES
            || self.sizes.iter().any(Option::is_none)
            || self.per_further.is_none()
    }

    /// The angemessene Wohnfläche for `persons`, continuing beyond 5 persons with the step per
    /// further person; `None` if a needed value is missing or `persons` is 0.
    pub fn area(&self, persons: u32) -> Option<f64> {
        if persons == 0 {
            return None;
        }
        let sizes: Option<Vec<f64>> = self.sizes.iter().copied().collect();
        let sizes = sizes?;
        if (persons as usize) <= sizes.len() {
            return sizes.get(persons as usize - 1).copied();
        }
        Some(area_for_household(&sizes, self.per_further?, persons))
    }
}

/// Area for a household of `persons`: the table value if listed, else the last listed value plus
/// `(persons − len) × per_further`. 0 persons give 0; an empty table gives `persons × per_further`.
pub fn area_for_household(sizes: &[f64], per_further: f64, persons: u32) -> f64 {
    let n = persons as usize;
    if n == 0 {
        return 0.0;
    }
    if let Some(value) = sizes.get(n - 1) {
        return *value;
    }
    let last = sizes.last().copied().unwrap_or(0.0);
    last + (n - sizes.len()) as f64 * per_further
}

/// Parses a Wohnflächen table in the format of `assets/wohnflaechen.csv`.
///
/// Every row needs a known Land code, a rule, a source and a confidence mark; values may be
/// empty (unknown) and stay `None`; `valid_from` may be empty where no date is stated.
pub fn parse_wohnflaechen(
    table_name: &str,
    text: &str,
) -> Result<Vec<WohnflaechenPreset>, TableError> {
    let columns = [
        "land",
        "p1",
        "p2",
        "p3",
        "p4",
        "p5",
        "per_further",
        "derived",
        "rule",
        "source",
        "confidence",
        "valid_from",
        "note",
    ];
    let table = CsvTable::parse(table_name, text, &columns)?;
    let mut out: Vec<WohnflaechenPreset> = Vec::new();
    for row in table.rows() {
        let land_code = row.required("land")?.to_ascii_uppercase();
        if super::laender::land(&land_code).is_none() {
            return Err(row.error(format!("unbekanntes Land „{land_code}“")));
        }
        if out.iter().any(|p| p.land_code == land_code) {
            return Err(row.error(format!("Land „{land_code}“ doppelt")));
        }
        let source = row.source()?;
        let mut sizes = Vec::with_capacity(LISTED_SIZES);
        for column in ["p1", "p2", "p3", "p4", "p5"] {
            let value = row.optional_f64(column)?;
            if value.is_some_and(|v| v <= 0.0) {
                return Err(row.error(format!("Spalte „{column}“: Fläche muss positiv sein")));
            }
            sizes.push(value);
        }
        let per_further = row.optional_f64("per_further")?;
        if per_further.is_some_and(|v| v < 0.0) {
            return Err(row.error("Spalte „per_further“: Fläche darf nicht negativ sein"));
        }
        let mut derived = vec![false; LISTED_SIZES + 1];
        for token in row
            .cell("derived")?
            .split([';', ' ', ','])
            .filter(|t| !t.is_empty())
        {
            let index = match token {
                "1" | "2" | "3" | "4" | "5" => token.parse::<usize>().unwrap_or(1) - 1,
                "weitere" => LISTED_SIZES,
                _ => {
                    return Err(
                        row.error(format!("Spalte „derived“: unbekannter Eintrag „{token}“"))
                    );
                }
            };
            let present = if index < LISTED_SIZES {
                sizes[index].is_some()
            } else {
                per_further.is_some()
            };
            if !present {
                return Err(row.error(format!(
                    "Spalte „derived“: „{token}“ ist als abgeleitet markiert, hat aber keinen Wert"
                )));
            }
            derived[index] = true;
        }
        let confidence_code = row.required("confidence")?;
        let confidence = Confidence::from_code(confidence_code).ok_or_else(|| {
            row.error(format!(
                "unbekannte Konfidenz „{confidence_code}“ (F, O, S, unknown)"
            ))
        })?;
        out.push(WohnflaechenPreset {
            land_code,
            sizes,
            per_further,
            rule: row.required("rule")?.to_string(),
            source,
            confidence,
            derived,
            valid_from: row.optional_date("valid_from")?,
            note: row.cell("note")?.to_string(),
        });
    }
    Ok(out)
}

/// The embedded Wohnflächen table, parsed once; an error only if the asset is broken.
pub fn load_wohnflaechen() -> Result<&'static [WohnflaechenPreset], TableError> {
    static TABLE: OnceLock<Result<Vec<WohnflaechenPreset>, TableError>> = OnceLock::new();
    match TABLE.get_or_init(|| parse_wohnflaechen(TABLE_NAME, ASSET)) {
        Ok(rows) => Ok(rows),
        Err(e) => Err(e.clone()),
    }
}

/// The preset of a Land (`NW`, case-insensitive); `None` for an unknown code.
pub fn wohnflaechen(land_code: &str) -> Option<WohnflaechenPreset> {
    let code = land_code.trim();
    load_wohnflaechen()
        .ok()?
        .iter()
        .find(|p| p.land_code.eq_ignore_ascii_case(code))
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn preset(code: &str) -> WohnflaechenPreset {
        wohnflaechen(code).unwrap()
    }

    #[test]
    fn every_land_has_a_row_with_source_and_rule() {
        let all = load_wohnflaechen().unwrap();
        assert_eq!(all.len(), 16);
        for land in super::super::laender::all_laender() {
            let p = preset(&land.code);
            assert!(!p.source.trim().is_empty(), "{}", land.code);
            assert!(!p.rule.trim().is_empty(), "{}", land.code);
            assert_eq!(p.sizes.len(), 5);
            assert_eq!(p.derived.len(), 6);
        }
    }

    #[test]
    fn values_match_domain_table() {
        let nw = preset("nw");
        assert_eq!(
            nw.sizes,
            vec![Some(50.0), Some(65.0), Some(80.0), Some(95.0), Some(110.0)]
        );
        assert_eq!(nw.per_further, Some(15.0));
        assert_eq!(nw.valid_from, Date::from_ymd(2010, 1, 1));
        assert_eq!(nw.confidence, Confidence::Secondary);
        assert!(!nw.needs_confirmation());

        let sn = preset("SN");
        assert_eq!(sn.confidence, Confidence::Firm);
        assert_eq!(sn.sizes[0], Some(45.0));
        assert_eq!(sn.derived, vec![false, false, false, false, true, false]);

        let he = preset("HE");
        assert_eq!(he.sizes[2], Some(72.0));
        assert_eq!(he.derived, vec![false, false, true, true, true, false]);

        let hh = preset("HH");
        assert_eq!(hh.sizes[4], Some(97.0));
        assert_eq!(hh.per_further, Some(12.0));
        assert!(hh.derived[5]);
        assert_eq!(hh.valid_from, Date::from_ymd(2017, 1, 19));
        assert_eq!(hh.area(6), Some(109.0));

        let sl = preset("SL");
        assert_eq!(sl.valid_from, Date::from_ymd(2024, 7, 1));
        assert_eq!(sl.derived, vec![false, true, true, true, true, false]);

        let be = preset("BE");
        assert_eq!(be.confidence, Confidence::Official);
        assert_eq!(be.sizes[4], Some(102.0));
        assert_eq!(be.area(7), Some(126.0));

        let hb = preset("HB");
        assert_eq!(hb.area(6), Some(105.0));
        assert_eq!(hb.area(7), Some(115.0));
    }

    #[test]
    fn rheinland_pfalz_is_kept_as_unknown() {
        let rp = preset("RP");
        assert_eq!(rp.confidence, Confidence::Unknown);
        assert!(rp.sizes.iter().all(Option::is_none));
        assert_eq!(rp.per_further, None);
        assert!(rp.needs_confirmation());
        assert_eq!(rp.area(1), None);
        assert!(!rp.source.is_empty());
    }

    #[test]
    fn area_beyond_the_table() {
        let sizes = [50.0, 60.0, 75.0, 85.0, 95.0];
        assert_eq!(area_for_household(&sizes, 10.0, 1), 50.0);
        assert_eq!(area_for_household(&sizes, 10.0, 5), 95.0);
        assert_eq!(area_for_household(&sizes, 10.0, 6), 105.0);
        assert_eq!(area_for_household(&sizes, 10.0, 8), 125.0);
        assert_eq!(area_for_household(&sizes, 10.0, 0), 0.0);
        assert_eq!(area_for_household(&[], 10.0, 2), 20.0);
        assert_eq!(preset("NI").area(0), None);
    }

    #[test]
    fn confidence_labels_are_german_and_round_trip() {
        for c in Confidence::ALL {
            assert_eq!(Confidence::from_code(c.code()), Some(c));
            assert!(!c.label().is_empty());
        }
        assert_eq!(Confidence::Unknown.label(), "unbekannt");
        let json = serde_json::to_string(&preset("HH")).unwrap();
        assert!(json.contains("\"official\""));
        let back: WohnflaechenPreset = serde_json::from_str(&json).unwrap();
        assert_eq!(back, preset("HH"));
    }

    const HEADER: &str =
        "land,p1,p2,p3,p4,p5,per_further,derived,rule,source,confidence,valid_from,note\n";

    #[test]
    fn row_without_source_is_an_error() {
        let bad = format!("{HEADER}NW,50,65,80,95,110,15,,WNB NRW,,S,2010-01-01,\n");
        assert!(matches!(
            parse_wohnflaechen("bad.csv", &bad),
            Err(TableError::MissingSource { line: 2, .. })
        ));
    }

    #[test]
    fn malformed_rows_are_errors() {
        for bad_row in [
            "XX,50,65,80,95,110,15,,r,q,S,,\n",
            "NW,50,65,80,95,110,15,,r,q,Z,,\n",
            "NW,50,65,80,95,110,15,,r,q,S,2010-13-01,\n",
            "NW,50,abc,80,95,110,15,,r,q,S,,\n",
            "NW,50,65,80,95,,15,5,r,q,S,,\n",
            "NW,50,65,80,95,110,15,,,q,S,,\n",
        ] {
            let text = format!("{HEADER}{bad_row}");
            assert!(
                matches!(
                    parse_wohnflaechen("bad.csv", &text),
                    Err(TableError::Invalid { .. })
                ),
                "{bad_row}"
            );
        }
        // Missing values are kept as missing, not dropped.
        let text = format!("{HEADER}RP,,,,,,,,r,q,unknown,,\n");
        let rows = parse_wohnflaechen("ok.csv", &text).unwrap();
        assert_eq!(rows.len(), 1);
        assert!(rows[0].needs_confirmation());
    }
}
