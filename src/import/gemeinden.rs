//! Import of the Gemeinde table (AGS, Gemeinde, Vergleichsraum, Einwohner, Mietwohnungsbestand,
//! Mietstufe) from a sheet or CSV file.

use super::cell::{Parsed, parse_int, parse_text};
use super::raw::RawRow;
use super::{ImportError, open_rows};
use crate::model::GemeindeRow;
use std::path::Path;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Column {
    Ags,
    Name,
    Vergleichsraum,
    Einwohner,
    Mietwohnungen,
    Mietstufe,
}

fn classify(header: &str) -> Option<Column> {
    let h = crate::analysis::prepare::normalize_name(header);
    let has = |w: &str| h.split_whitespace().any(|x| x.starts_with(w));
    if h.contains("vergleichsraum") || h == "vr" {
        Some(Column::Vergleichsraum)
    } else if h.contains("ags") || h.contains("schluessel") || h.contains("kennziffer") {
        Some(Column::Ags)
    } else if h.contains("mietwohn") || h.contains("wohnungsbestand") {
        Some(Column::Mietwohnungen)
    } else if has("einwohner") || h.contains("bevoelkerung") {
        Some(Column::Einwohner)
    } else if h.contains("mietstufe") || h.contains("mietenstufe") {
        Some(Column::Mietstufe)
    } else if has("gemeinde") || has("name") || has("ort") || has("kommune") || has("bezirk") {
        Some(Column::Name)
    } else {
        None
    }
}

/// Reads a Gemeinde table from `sheet`, or, without a sheet, from the first sheet of a workbook
/// that has Gemeinde and Vergleichsraum columns. Rows without a name are skipped only when
/// entirely blank; a row with data but no name is an error naming its row number. Errors name
/// the sheet(s) read.
pub fn read_gemeinden(path: &Path, sheet: Option<&str>) -> Result<Vec<GemeindeRow>, ImportError> {
    let is_text = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "csv" | "txt" | "tsv"));
    if sheet.is_some() || is_text {
        return read_sheet(path, sheet).map_err(|e| in_sheet(e, sheet));
    }
    let names: Vec<String> = super::workbook::list_sheets(path)?
        .into_iter()
        .map(|s| s.name)
        .collect();
    let mut first_error = None;
    for name in &names {
        match read_sheet(path, Some(name)) {
            Ok(rows) => return Ok(rows),
            Err(ImportError::MissingRequired { .. }) if names.len() > 1 => {}
            Err(e) => {
                first_error.get_or_insert(in_sheet(e, Some(name)));
            }
        }
    }
    Err(first_error.unwrap_or_else(|| ImportError::MissingRequired {
        missing: "Gemeinde, Vergleichsraum".to_string(),
        available: format!(
            "keine in den Tabellenblättern {} – bitte das Blatt der Gemeindetabelle angeben",
            names
                .iter()
                .map(|n| format!("„{n}“"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }))
}

/// Adds the sheet read to a "columns missing" message.
fn in_sheet(e: ImportError, sheet: Option<&str>) -> ImportError {
    match (e, sheet) {
        (ImportError::MissingRequired { missing, available }, Some(name)) => {
            ImportError::MissingRequired {
                missing,
                available: format!("{available} (Tabellenblatt „{name}“)"),
            }
        }
        (e, _) => e,
    }
}

fn read_sheet(path: &Path, sheet: Option<&str>) -> Result<Vec<GemeindeRow>, ImportError> {
    let (mut reader, _) = open_rows(path, sheet)?;
    let mut rows: Vec<RawRow> = Vec::new();
    while let Some(r) = reader.next_row()? {
        rows.push(r);
        if rows.len() > 100_000 {
            break;
        }
    }
    let header_pos = rows
        .iter()
        .position(|r| {
            let cols: Vec<Option<Column>> = r
                .cells
                .iter()
                .map(|c| parse_text(c).and_then(|t| classify(&t)))
                .collect();
            cols.contains(&Some(Column::Name)) && cols.contains(&Some(Column::Vergleichsraum))
        })
        .ok_or_else(|| ImportError::MissingRequired {
            missing: "Gemeinde, Vergleichsraum".to_string(),
            available: super::cell::first_row_texts(&rows),
        })?;
    let columns: Vec<Option<Column>> = rows[header_pos]
        .cells
        .iter()
        .map(|c| parse_text(c).and_then(|t| classify(&t)))
        .collect();
    let find = |col: Column| columns.iter().position(|c| *c == Some(col));
    let mut out = Vec::new();
    for row in &rows[header_pos + 1..] {
        if row.is_blank() {
            continue;
        }
        let text = |col: Column| {
            find(col)
                .and_then(|i| row.cells.get(i))
                .and_then(parse_text)
        };
        let int = |col: Column| {
            find(col)
                .and_then(|i| row.cells.get(i))
                .and_then(|c| match parse_int(c) {
                    Parsed::Value(v) => Some(v),
                    _ => None,
                })
        };
        let name = text(Column::Name).ok_or_else(|| ImportError::Empty {
            detail: format!("Gemeindetabelle, Zeile {}: Gemeindename fehlt", row.line),
        })?;
        let mietstufe = match text(Column::Mietstufe) {
            None => None,
            Some(t) => Some(parse_mietstufe(&t).ok_or_else(|| ImportError::Unreadable {
                detail: format!(
                    "Gemeindetabelle, Zeile {}: Mietstufe „{t}“ ist keine Mietstufe (erwartet I bis VII oder 1 bis 7)",
                    row.line
                ),
                path: path.display().to_string(),
            })?),
        };
        out.push(GemeindeRow {
            ags: text(Column::Ags)
                .map(|a| crate::model::Ags::normalise_text(&a))
                .unwrap_or_default(),
            name,
            vergleichsraum: text(Column::Vergleichsraum).unwrap_or_default(),
            einwohner: int(Column::Einwohner).and_then(|v| u32::try_from(v).ok()),
            mietwohnungen: int(Column::Mietwohnungen).and_then(|v| u32::try_from(v).ok()),
            mietstufe,
        });
    }
    if out.is_empty() {
        return Err(ImportError::Empty {
            detail: format!("Gemeindetabelle {} enthält keine Gemeinden", path.display()),
        });
    }
    Ok(out)
}

/// A Mietstufe as printed in the WoGV Anlage (Roman `I` … `VII`) or as a digit `1` … `7`;
/// "Mietstufe IV" and "4.0" are read too. `None` for anything else.
pub fn parse_mietstufe(text: &str) -> Option<u8> {
    let t = text.trim();
    let t = t
        .strip_prefix("Mietstufe")
        .or_else(|| t.strip_prefix("Mietenstufe"))
        .unwrap_or(t)
        .trim();
    let stufe = match t.to_ascii_uppercase().as_str() {
        "I" => 1,
        "II" => 2,
        "III" => 3,
        "IV" => 4,
        "V" => 5,
        "VI" => 6,
        "VII" => 7,
        other => {
            let v: f64 = other.replace(',', ".").parse().ok()?;
            if v.fract() != 0.0 {
                return None;
            }
            v as u8
        }
    };
    (1..=7).contains(&stufe).then_some(stufe)
}

#[cfg(test)]
mod mietstufe_tests {
    use super::parse_mietstufe;

    #[test]
    fn roman_and_digit_mietstufen() {
        assert_eq!(parse_mietstufe("IV"), Some(4));
        assert_eq!(parse_mietstufe(" vii "), Some(7));
        assert_eq!(parse_mietstufe("Mietstufe III"), Some(3));
        assert_eq!(parse_mietstufe("2"), Some(2));
        assert_eq!(parse_mietstufe("5,0"), Some(5));
        assert_eq!(parse_mietstufe("VIII"), None);
        assert_eq!(parse_mietstufe("0"), None);
        assert_eq!(parse_mietstufe("2,5"), None);
        assert_eq!(parse_mietstufe("x"), None);
    }
}
