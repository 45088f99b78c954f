//! Heizspiegel tables: boundary values by Energieträger and beheizte Gebäudefläche, and the
//! heating-cost limit derived from them (BSG B 14 AS 36/08 R, docs/METHOD.md §2.12):
//! `Grenzwert_HK = boundary (€/m²) × angemessene Wohnfläche` (÷ 12 for yearly values).
//!
//! Asset: `assets/heizspiegel_beispiel_nienburg_2022.csv`, an *example* (Jobcenter Nienburg,
//! Heizspiegel 2022) whose period unit the user must confirm. A user-edited table can be stored in the
//! project file (serde) or read from a CSV in the same format ([`HeizspiegelTable::from_csv`]).

use super::table_file::{CsvTable, TableError, fold};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

const TABLE_NAME: &str = "heizspiegel_beispiel_nienburg_2022.csv";
const ASSET: &str = include_str!("../../assets/heizspiegel_beispiel_nienburg_2022.csv");

/// The period a boundary value refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodUnit {
    /// € per m² and month.
    PerMonth,
    /// € per m² and year (the usual Heizspiegel unit).
    PerYear,
}

impl PeriodUnit {
    /// German label of the unit.
    pub fn label(self) -> &'static str {
        match self {
            PeriodUnit::PerMonth => "€/m² und Monat",
            PeriodUnit::PerYear => "€/m² und Jahr",
        }
    }

    /// Parses `per_month`/`per_year` (also `monat`/`jahr`, case-insensitive).
    pub fn parse(text: &str) -> Option<PeriodUnit> {
        match text.trim().to_ascii_lowercase().as_str() {
            "per_month" | "monat" | "monatlich" => Some(PeriodUnit::PerMonth),
            "per_year" | "jahr" | "jaehrlich" | "jährlich" => Some(PeriodUnit::PerYear),
            _ => None,
        }
    }
}

/// One band of beheizte Gebäudefläche with its boundary value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HeizspiegelBand {
    /// Lower bound, exclusive, m².
    pub lower_m2: f64,
    /// Upper bound, inclusive, m² (`None` = open).
    #[serde(default)]
    pub upper_m2: Option<f64>,
    /// Boundary value €/m² in the table's unit.
    pub value: f64,
}

/// The boundaries of one Energieträger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeizspiegelRow {
    /// Energieträger as named in the source (e.g. `Erdgas`).
    pub energietraeger: String,
    /// Bands of beheizte Gebäudefläche in ascending order.
    pub bands: Vec<HeizspiegelBand>,
    /// Source of the row's values.
    #[serde(default)]
    pub source: String,
}

/// A Heizspiegel edition (or a local table derived from one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeizspiegelTable {
    /// Name of the edition (e.g. `Heizspiegel 2022`).
    pub edition: String,
    /// Edition year.
    pub year: i32,
    /// Source of the table.
    pub source: String,
    /// True for an example table that must not be used unchecked.
    pub is_example: bool,
    /// Which boundary of the Heizspiegel is used (`zu hoch`, `extrem hoch`).
    pub column: String,
    /// Period of the boundary values.
    pub unit: PeriodUnit,
    /// One row per Energieträger.
    pub rows: Vec<HeizspiegelRow>,
    /// Remarks and uncertainties (e.g. an unsure period unit).
    #[serde(default)]
    pub note: String,
}

impl HeizspiegelTable {
    /// Parses a table in the format of `assets/heizspiegel_beispiel_nienburg_2022.csv`: leading
    /// `# edition:`, `# year:`, `# column:`, `# unit:`, `# is_example:`, `# source:` (and optional
    /// `# note:`) lines, then rows `energietraeger, lower_exclusive_m2, upper_inclusive_m2,
    /// value, source`. Rows of one Energieträger form its bands.
    pub fn from_csv(table_name: &str, text: &str) -> Result<HeizspiegelTable, TableError> {
        let meta = super::table_file::read_meta(text);
        let get = |key: &str| -> Result<String, TableError> {
            meta.get(key)
                .filter(|v| !v.trim().is_empty())
                .cloned()
                .ok_or_else(|| {
                    TableError::invalid(table_name, 0, format!("Kopfangabe „# {key}:“ fehlt"))
                })
        };
        let source = meta
            .get("source")
            .filter(|v| !v.trim().is_empty())
            .cloned()
            .ok_or_else(|| TableError::MissingSource {
                table: table_name.to_string(),
                line: 0,
            })?;
        let year_text = get("year")?;
        let year: i32 = year_text.trim().parse().map_err(|_| {
            TableError::invalid(
                table_name,
                0,
                format!("year „{year_text}“ ist keine Jahreszahl"),
            )
        })?;
        let unit_text = get("unit")?;
        let unit = PeriodUnit::parse(&unit_text).ok_or_else(|| {
            TableError::invalid(
                table_name,
                0,
                format!("unit „{unit_text}“ (per_month oder per_year erwartet)"),
            )
        })?;
        let example_text = get("is_example")?;
        let is_example = match example_text.trim() {
            "true" => true,
            "false" => false,
            other => {
                return Err(TableError::invalid(
                    table_name,
                    0,
                    format!("is_example „{other}“ (true/false)"),
                ));
            }
        };
        let columns = [
            "energietraeger",
            "lower_exclusive_m2",
            "upper_inclusive_m2",
            "value",
            "source",
        ];
        let table = CsvTable::parse(table_name, text, &columns)?;
        let mut rows: Vec<HeizspiegelRow> = Vec::new();
        for row in table.rows() {
            let name = row.required("energietraeger")?.to_string();
            let row_source = row.source()?;
            let band = HeizspiegelBand {
                lower_m2: row.required_f64("lower_exclusive_m2")?,
                upper_m2: row.optional_f64("upper_inclusive_m2")?,
                value: row.required_f64("value")?,
            };
            match rows
                .iter_mut()
                .find(|r| fold(&r.energietraeger) == fold(&name))
            {
                Some(existing) => {
                    existing.bands.push(band);
                    if !existing.source.contains(&row_source) {
                        existing.source = format!("{}; {}", existing.source, row_source);
                    }
                }
                None => rows.push(HeizspiegelRow {
                    energietraeger: name,
                    bands: vec![band],
                    source: row_source,
                }),
            }
        }
        let out = HeizspiegelTable {
            edition: get("edition")?,
            year,
            source,
            is_example,
            column: get("column")?,
            unit,
            rows,
            note: meta.get("note").cloned().unwrap_or_default(),
        };
        out.validate_named(table_name)?;
        Ok(out)
    }

    /// The upper bounds of the bands (m²) as the first row has them; the last band is open.
    pub fn band_uppers(&self) -> Vec<f64> {
        self.rows
            .first()
            .map(|r| r.bands.iter().filter_map(|b| b.upper_m2).collect())
            .unwrap_or_default()
    }

    /// Sets the upper bound of band `j` in every row; band `j + 1` starts there.
    pub fn set_band_upper(&mut self, j: usize, upper_m2: f64) {
        for row in &mut self.rows {
            if let Some(b) = row.bands.get_mut(j) {
                b.upper_m2 = Some(upper_m2);
            }
            if let Some(next) = row.bands.get_mut(j + 1) {
                next.lower_m2 = upper_m2;
            }
        }
    }

    /// Splits the open top band of every row 100 m² above its lower bound; the new top band
    /// takes the values of the one it was split from.
    pub fn split_top_band(&mut self) {
        for row in &mut self.rows {
            if let Some(last) = row.bands.last_mut() {
                let split = last.lower_m2 + 100.0;
                last.upper_m2 = Some(split);
                let value = last.value;
                row.bands.push(HeizspiegelBand {
                    lower_m2: split,
                    upper_m2: None,
                    value,
                });
            }
        }
    }

    /// Removes the top band of every row with more than one; the band below becomes open.
    pub fn remove_top_band(&mut self) {
        for row in &mut self.rows {
            if row.bands.len() > 1 {
                row.bands.pop();
                if let Some(last) = row.bands.last_mut() {
                    last.upper_m2 = None;
                }
            }
        }
    }

    /// Appends an Energieträger („Neuer Energieträger“, numbered if taken) with the table's bands
    /// and values 0, to be filled from the source.
    pub fn add_energietraeger(&mut self) {
        let bands = self
            .rows
            .first()
            .map(|r| {
                r.bands
                    .iter()
                    .map(|b| HeizspiegelBand { value: 0.0, ..*b })
                    .collect()
            })
            .unwrap_or_else(|| {
                vec![HeizspiegelBand {
                    lower_m2: 0.0,
                    upper_m2: None,
                    value: 0.0,
                }]
            });
        let mut name = "Neuer Energieträger".to_string();
        let mut n = 2;
        while self.rows.iter().any(|r| r.energietraeger == name) {
            name = format!("Neuer Energieträger {n}");
            n += 1;
        }
        self.rows.push(HeizspiegelRow {
            energietraeger: name,
            bands,
            source: String::new(),
        });
    }

    /// Checks a (possibly user-edited) table: a source, at least one row, unique Energieträger,
    /// and per row ascending, gap-free bands with finite non-negative values, only the last one
    /// open.
    pub fn validate(&self) -> Result<(), TableError> {
        self.validate_named(&self.edition)
    }

    fn validate_named(&self, table_name: &str) -> Result<(), TableError> {
        if self.source.trim().is_empty() {
            return Err(TableError::MissingSource {
                table: table_name.to_string(),
                line: 0,
            });
        }
        let fail = |detail: String| Err(TableError::invalid(table_name, 0, detail));
        if self.rows.is_empty() {
            return fail("keine Energieträger".to_string());
        }
        for (i, row) in self.rows.iter().enumerate() {
            let name = &row.energietraeger;
            if name.trim().is_empty() {
                return fail(format!("Zeile {}: Energieträger ohne Namen", i + 1));
            }
            if self.rows[..i]
                .iter()
                .any(|r| fold(&r.energietraeger) == fold(name))
            {
                return fail(format!("Energieträger „{name}“ doppelt"));
            }
            if row.bands.is_empty() {
                return fail(format!("„{name}“: keine Flächenklassen"));
            }
            for (j, band) in row.bands.iter().enumerate() {
                let (lower, upper, value) = (&band.lower_m2, band.upper_m2, &band.value);
                let lower_v = *lower;
                if !lower.is_finite() || *lower < 0.0 || !value.is_finite() || *value < 0.0 {
                    return fail(format!(
                        "„{name}“: ungültige Werte in Flächenklasse {}",
                        j + 1
                    ));
                }
                match upper {
                    Some(upper) if !upper.is_finite() || upper <= lower_v => {
                        return fail(format!(
                            "„{name}“: Obergrenze muss über der Untergrenze liegen (Klasse {})",
                            j + 1
                        ));
                    }
                    None if j + 1 != row.bands.len() => {
                        return fail(format!(
                            "„{name}“: nur die letzte Flächenklasse darf offen sein"
                        ));
                    }
                    _ => {}
                }
                if let Some(next) = row.bands.get(j + 1)
                    && upper != Some(next.lower_m2)
                {
                    return fail(format!(
                        "„{name}“: Flächenklassen {} und {} schließen nicht lückenlos an",
                        j + 1,
                        j + 2
                    ));
                }
            }
        }
        Ok(())
    }

    /// Whether the table counts as an example: marked so, or still the shipped example's
    /// edition and values. Unticking the mark alone does not make the example a checked table;
    /// it stays an example until its values or its edition are changed.
    pub fn counts_as_example(&self) -> bool {
        self.is_example
            || example()
                .as_ref()
                .is_ok_and(|e| e.edition == self.edition && e.rows == self.rows)
    }

    /// The boundary per m² and month: the table's value, ÷ 12 for yearly values.
    pub fn per_month(&self, boundary: f64) -> f64 {
        match self.unit {
            PeriodUnit::PerMonth => boundary,
            PeriodUnit::PerYear => boundary / 12.0,
        }
    }

    /// The Energieträger of the table, in order.
    pub fn energietraeger(&self) -> Vec<&str> {
        self.rows
            .iter()
            .map(|r| r.energietraeger.as_str())
            .collect()
    }

    /// The boundary (€/m² in the table's unit) for an Energieträger (case and umlaut spelling
    /// ignored) and a beheizte Gebäudefläche; `None` if unknown or outside all bands.
    pub fn boundary(&self, energietraeger: &str, building_area_m2: f64) -> Option<f64> {
        if !building_area_m2.is_finite() {
            return None;
        }
        let wanted = fold(energietraeger);
        let row = self
            .rows
            .iter()
            .find(|r| fold(&r.energietraeger) == wanted)?;
        row.bands
            .iter()
            .find(|b| {
                building_area_m2 > b.lower_m2 && b.upper_m2.is_none_or(|u| building_area_m2 <= u)
            })
            .map(|b| b.value)
    }

    /// The monthly heating-cost limit in € for a household area (the angemessene Wohnfläche):
    /// boundary × area, divided by 12 for yearly values. Not rounded (rounding is the caller's
    /// policy). `None` for an unknown Energieträger or an invalid area.
    pub fn monthly_limit(
        &self,
        energietraeger: &str,
        building_area_m2: f64,
        household_area_m2: f64,
    ) -> Option<f64> {
        if !household_area_m2.is_finite() || household_area_m2 < 0.0 {
            return None;
        }
        let boundary = self.boundary(energietraeger, building_area_m2)?;
        Some(self.per_month(boundary) * household_area_m2)
    }
}

/// The embedded example, parsed once.
fn example() -> &'static Result<HeizspiegelTable, TableError> {
    static TABLE: OnceLock<Result<HeizspiegelTable, TableError>> = OnceLock::new();
    TABLE.get_or_init(|| HeizspiegelTable::from_csv(TABLE_NAME, ASSET))
}

/// The embedded Nienburg 2022 example, parsed once; an error only if the asset is broken.
pub fn try_nienburg_2022_example() -> Result<HeizspiegelTable, TableError> {
    example().clone()
}

/// The Heizgrenzwerte of Jobcenter Nienburg based on Heizspiegel 2022 (docs/METHOD.md §2.12), as
/// an example table (`is_example = true`; the period unit per month is for the user to confirm, see `note`).
///
/// Should the embedded asset be broken (a bug caught by the tests), the table comes back without
/// rows and with the error in `source`, so every lookup gives `None`.
pub fn nienburg_2022_example() -> HeizspiegelTable {
    try_nienburg_2022_example().unwrap_or_else(|e| HeizspiegelTable {
        edition: "Heizspiegel 2022 (Beispiel Nienburg)".to_string(),
        year: 2022,
        source: format!("Beispieltabelle nicht lesbar: {e}"),
        is_example: true,
        column: String::new(),
        unit: PeriodUnit::PerMonth,
        rows: Vec::new(),
        note: String::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn band_and_row_edits_keep_the_table_valid() {
        let mut t = try_nienburg_2022_example().unwrap();
        let bands = t.rows[0].bands.len();
        let uppers = t.band_uppers();
        assert_eq!(uppers.len(), bands - 1);
        t.set_band_upper(0, uppers[0] - 10.0);
        assert!(
            t.rows
                .iter()
                .all(|r| r.bands[0].upper_m2 == Some(uppers[0] - 10.0)
                    && r.bands[1].lower_m2 == uppers[0] - 10.0)
        );
        t.split_top_band();
        assert!(t.rows.iter().all(|r| r.bands.len() == bands + 1));
        let top = t.rows[0].bands[bands];
        assert_eq!(top.upper_m2, None);
        assert_eq!(top.value, t.rows[0].bands[bands - 1].value);
        t.validate().unwrap();
        t.remove_top_band();
        assert!(
            t.rows
                .iter()
                .all(|r| r.bands.len() == bands && r.bands[bands - 1].upper_m2.is_none())
        );
        t.add_energietraeger();
        t.add_energietraeger();
        let names: Vec<&str> = t
            .rows
            .iter()
            .rev()
            .take(2)
            .map(|r| r.energietraeger.as_str())
            .collect();
        assert_eq!(names, ["Neuer Energieträger 2", "Neuer Energieträger"]);
        let new = t.rows.last().unwrap();
        assert_eq!(new.bands.len(), bands);
        assert!(new.bands.iter().all(|b| b.value == 0.0));
        t.validate().unwrap();
    }

    #[test]
    fn nienburg_example_loads_with_sources() {
        let t = try_nienburg_2022_example().unwrap();
        assert_eq!(t.year, 2022);
        assert!(t.is_example);
        assert_eq!(t.unit, PeriodUnit::PerMonth);
        assert_eq!(t.column, "zu hoch");
        assert!(t.source.contains("Nienburg"));
        // What the user must confirm is said in plain German, without research marks.
        assert!(t.source.contains("Vom Anwender zu bestätigen"));
        assert!(t.note.contains("Vom Anwender zu bestätigen"));
        for text in [&t.source, &t.note] {
            assert!(!text.contains("[U]") && !text.contains("[S]") && !text.contains("DOMAIN"));
        }
        assert_eq!(
            t.energietraeger(),
            vec!["Heizöl", "Erdgas", "Wärmepumpe", "Fernwärme"]
        );
        for row in &t.rows {
            assert_eq!(row.bands.len(), 4);
            assert!(!row.source.trim().is_empty());
        }
        assert_eq!(nienburg_2022_example(), t);
    }

    #[test]
    fn boundaries_by_building_area() {
        let t = nienburg_2022_example();
        assert_eq!(t.boundary("Erdgas", 250.0), Some(3.36));
        assert_eq!(t.boundary("Erdgas", 250.5), Some(3.06));
        assert_eq!(t.boundary("erdgas", 300.0), Some(3.06));
        assert_eq!(t.boundary("Erdgas", 1000.0), Some(2.82));
        assert_eq!(t.boundary("Erdgas", 5000.0), Some(2.66));
        assert_eq!(t.boundary("Heizoel", 100.0), Some(3.36));
        assert_eq!(t.boundary("WÄRMEPUMPE", 600.0), Some(4.04));
        assert_eq!(t.boundary("Fernwärme", 1001.0), Some(3.40));
        assert_eq!(t.boundary("Kohle", 300.0), None);
        assert_eq!(t.boundary("Erdgas", 0.0), None);
        assert_eq!(t.boundary("Erdgas", f64::NAN), None);
    }

    #[test]
    fn monthly_limit_example() {
        let t = nienburg_2022_example();
        let limit = t.monthly_limit("Erdgas", 300.0, 50.0).unwrap();
        assert!((limit - 153.0).abs() < 1e-9, "{limit}");
        assert_eq!(t.monthly_limit("Erdgas", 300.0, -1.0), None);
        // Yearly values are divided by 12.
        let mut yearly = t.clone();
        yearly.unit = PeriodUnit::PerYear;
        let limit = yearly.monthly_limit("Erdgas", 300.0, 50.0).unwrap();
        assert!((limit - 12.75).abs() < 1e-9, "{limit}");
    }

    #[test]
    fn the_example_stays_an_example_until_edition_or_values_change() {
        let mut t = nienburg_2022_example();
        assert!(t.counts_as_example());
        t.is_example = false;
        assert!(t.counts_as_example(), "unticking alone is not enough");
        let mut edited = t.clone();
        edited.rows[1].bands[0].value = 3.41;
        assert!(!edited.counts_as_example());
        let mut renamed = t.clone();
        renamed.edition = "Heizspiegel 2024 (bundesweit)".into();
        assert!(!renamed.counts_as_example());
        renamed.is_example = true;
        assert!(renamed.counts_as_example());
    }

    #[test]
    fn serde_round_trip_for_project_file() {
        let t = nienburg_2022_example();
        let json = serde_json::to_string(&t).unwrap();
        assert!(json.contains("\"per_month\""));
        let back: HeizspiegelTable = serde_json::from_str(&json).unwrap();
        assert_eq!(back, t);
        back.validate().unwrap();
    }

    const META: &str =
        "# edition: Test\n# year: 2024\n# column: zu hoch\n# unit: per_year\n# is_example: false\n";
    const HEADER: &str = "energietraeger,lower_exclusive_m2,upper_inclusive_m2,value,source\n";

    #[test]
    fn row_or_table_without_source_is_an_error() {
        let no_row_source = format!("{META}# source: Heizspiegel\n{HEADER}Erdgas,0,,20.5,\n");
        assert!(matches!(
            HeizspiegelTable::from_csv("bad.csv", &no_row_source),
            Err(TableError::MissingSource { line: 8, .. })
        ));
        let no_table_source = format!("{META}{HEADER}Erdgas,0,,20.5,Q\n");
        assert!(matches!(
            HeizspiegelTable::from_csv("bad.csv", &no_table_source),
            Err(TableError::MissingSource { line: 0, .. })
        ));
        let ok = format!("{META}# source: Heizspiegel\n{HEADER}Erdgas,0,,20.5,Q\n");
        let t = HeizspiegelTable::from_csv("ok.csv", &ok).unwrap();
        assert_eq!(t.unit, PeriodUnit::PerYear);
        assert_eq!(t.boundary("Erdgas", 80.0), Some(20.5));
    }

    #[test]
    fn invalid_bands_are_errors() {
        let head = format!("{META}# source: Q\n{HEADER}");
        for rows in [
            "Erdgas,0,,3,Q\nErdgas,250,500,3,Q\n",
            "Erdgas,0,250,3,Q\nErdgas,300,,3,Q\n",
            "Erdgas,0,250,3,Q\nErdgas,250,200,3,Q\n",
            "Erdgas,0,250,-3,Q\n",
            "Erdgas,0,250,x,Q\n",
        ] {
            let text = format!("{head}{rows}");
            assert!(
                matches!(
                    HeizspiegelTable::from_csv("bad.csv", &text),
                    Err(TableError::Invalid { .. })
                ),
                "{rows}"
            );
        }
        let mut t = nienburg_2022_example();
        t.source.clear();
        assert!(matches!(
            t.validate(),
            Err(TableError::MissingSource { .. })
        ));
        assert_eq!(PeriodUnit::parse("Jahr"), Some(PeriodUnit::PerYear));
        assert_eq!(PeriodUnit::PerMonth.label(), "€/m² und Monat");
    }
}
