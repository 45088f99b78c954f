//! Import of the recipients' current housing costs for the Wirkungsanalyse (docs/METHOD.md
//! §2.17): anonymised rows or aggregates with Vergleichsraum or Gemeinde (AGS or name),
//! household size, current Bruttokaltmiete, optionally Heizkosten and a count of households
//! (aggregated rows: that many households with this Bruttokaltmiete).

use super::cell::{Parsed, parse_int, parse_number, parse_text};
use super::raw::RawRow;
use super::{ImportError, open_rows};
use serde::Serialize;
use std::path::Path;

/// One row: one household, or `count` households with the same costs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecipientRow {
    /// Excel/CSV line.
    pub line: u32,
    /// Vergleichsraum as given (may be empty when a Gemeinde is given).
    pub vergleichsraum: String,
    /// Gemeinde: normalised AGS or name as given (may be empty).
    pub gemeinde: String,
    /// Household size (persons).
    pub household_size: u32,
    /// Current Bruttokaltmiete € per month.
    pub gross_cold: f64,
    /// Current Heizkosten € per month, where given.
    pub hk: Option<f64>,
    /// Households in this row (1 for a row per household).
    pub count: u32,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Column {
    Vergleichsraum,
    Ags,
    Gemeinde,
    HouseholdSize,
    GrossCold,
    Hk,
    Count,
}

fn classify(header: &str) -> Option<Column> {
    let h = crate::analysis::prepare::normalize_name(header);
    let has = |w: &str| h.split_whitespace().any(|x| x.starts_with(w));
    if h.contains("vergleichsraum") || h == "vr" {
        Some(Column::Vergleichsraum)
    } else if h.contains("ags") || h.contains("schluessel") || h.contains("kennziffer") {
        Some(Column::Ags)
    } else if h.contains("haushaltsgr")
        || h.contains("personen")
        || h == "hh"
        || h.contains("bg groesse")
    {
        Some(Column::HouseholdSize)
    } else if h.contains("bruttokalt") || h == "bkm" {
        Some(Column::GrossCold)
    } else if h.contains("heiz") || h == "hk" {
        Some(Column::Hk)
    } else if has("anzahl") || has("faelle") || has("haushalte") || has("bedarfsgemeinschaften") {
        Some(Column::Count)
    } else if has("gemeinde") || has("ort") || has("kommune") || has("stadt") {
        Some(Column::Gemeinde)
    } else {
        None
    }
}

/// Reads the recipients' table: the header row is the first row with household size,
/// Bruttokaltmiete and a Vergleichsraum or Gemeinde column. A data row with an unreadable value
/// is an error naming its line (the table is small and must be right).
pub fn read_recipients(path: &Path, sheet: Option<&str>) -> Result<Vec<RecipientRow>, ImportError> {
    let (mut reader, _) = open_rows(path, sheet)?;
    let mut rows: Vec<RawRow> = Vec::new();
    while let Some(r) = reader.next_row()? {
        rows.push(r);
        if rows.len() > 2_000_000 {
            break;
        }
    }
    let columns_of = |r: &RawRow| -> Vec<Option<Column>> {
        r.cells
            .iter()
            .map(|c| parse_text(c).and_then(|t| classify(&t)))
            .collect()
    };
    let header_pos = rows
        .iter()
        .position(|r| {
            let cols = columns_of(r);
            cols.contains(&Some(Column::HouseholdSize))
                && cols.contains(&Some(Column::GrossCold))
                && (cols.contains(&Some(Column::Vergleichsraum))
                    || cols.contains(&Some(Column::Ags))
                    || cols.contains(&Some(Column::Gemeinde)))
        })
        .ok_or_else(|| ImportError::MissingRequired {
            missing: "Vergleichsraum oder Gemeinde, Haushaltsgröße, Bruttokaltmiete".to_string(),
            available: super::cell::first_row_texts(&rows),
        })?;
    let columns = columns_of(&rows[header_pos]);
    let find = |col: Column| columns.iter().position(|c| *c == Some(col));
    let bad = |line: u32, what: &str| ImportError::Unreadable {
        detail: format!("Leistungsbezieher-Tabelle, Zeile {line}: {what}"),
        path: path.display().to_string(),
    };
    let mut out = Vec::new();
    for row in &rows[header_pos + 1..] {
        if row.is_blank() {
            continue;
        }
        let cell = |col: Column| find(col).and_then(|i| row.cells.get(i));
        let text = |col: Column| cell(col).and_then(parse_text).unwrap_or_default();
        let number = |col: Column| cell(col).map_or(Parsed::Missing, parse_number);
        let household_size = match cell(Column::HouseholdSize).map(parse_int) {
            Some(Parsed::Value(v)) if (1..=20).contains(&v) => v as u32,
            _ => {
                return Err(bad(
                    row.line,
                    "Haushaltsgröße fehlt oder ist keine Zahl von 1 bis 20",
                ));
            }
        };
        let gross_cold = match number(Column::GrossCold) {
            Parsed::Value(v) if v.is_finite() && v >= 0.0 => v,
            _ => {
                return Err(bad(
                    row.line,
                    "Bruttokaltmiete fehlt oder ist keine Zahl ≥ 0",
                ));
            }
        };
        let hk = match number(Column::Hk) {
            Parsed::Value(v) if v.is_finite() && v >= 0.0 => Some(v),
            Parsed::Missing => None,
            _ => return Err(bad(row.line, "Heizkosten sind keine Zahl ≥ 0")),
        };
        let count = match cell(Column::Count).map(parse_int) {
            None | Some(Parsed::Missing) => 1,
            Some(Parsed::Value(v)) if v >= 0 => u32::try_from(v).unwrap_or(u32::MAX),
            _ => return Err(bad(row.line, "Anzahl ist keine ganze Zahl ≥ 0")),
        };
        let ags = text(Column::Ags);
        let gemeinde = if ags.is_empty() {
            text(Column::Gemeinde)
        } else {
            crate::model::Ags::normalise_text(&ags)
        };
        let vergleichsraum = text(Column::Vergleichsraum);
        if vergleichsraum.is_empty() && gemeinde.is_empty() {
            return Err(bad(
                row.line,
                "weder Vergleichsraum noch Gemeinde angegeben",
            ));
        }
        out.push(RecipientRow {
            line: row.line,
            vergleichsraum,
            gemeinde,
            household_size,
            gross_cold,
            hk,
            count,
        });
    }
    if out.is_empty() {
        return Err(ImportError::Empty {
            detail: format!(
                "Leistungsbezieher-Tabelle {} enthält keine Zeilen",
                path.display()
            ),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_and_aggregates_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bg.csv");
        std::fs::write(
            &p,
            "Vergleichsraum;AGS;Haushaltsgröße;Bruttokaltmiete;Heizkosten;Anzahl\nNord;;1;412,50;60;\n;5358008;2;530;;3\n",
        )
        .unwrap();
        let r = read_recipients(&p, None).unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(
            (r[0].household_size, r[0].gross_cold, r[0].hk, r[0].count),
            (1, 412.5, Some(60.0), 1)
        );
        assert_eq!(
            (r[1].gemeinde.as_str(), r[1].count, r[1].line),
            ("05358008", 3, 3)
        );
    }

    #[test]
    fn an_unreadable_row_names_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bg.csv");
        std::fs::write(
            &p,
            "Gemeinde;Personen;Bruttokaltmiete\nA;1;400\nB;zwei;500\n",
        )
        .unwrap();
        let e = read_recipients(&p, None).unwrap_err().to_string();
        assert!(e.contains("Zeile 3") && e.contains("Haushaltsgröße"), "{e}");
    }
}
