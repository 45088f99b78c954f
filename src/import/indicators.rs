//! Import of an indicator table for the Vergleichsraum proposal (`kdu-konzept cluster`): one row
//! per Gemeinde with its AGS (or, without an AGS column, its name) and numeric indicators
//! (rent level, density, SGB II-Quote, …). Every other column whose values are all numbers is an
//! indicator; text columns (a name next to the AGS, a Vergleichsraum) are kept as labels.

use super::cell::{Parsed, parse_number, parse_text};
use super::raw::RawRow;
use super::{ImportError, open_rows};
use std::path::Path;

/// The indicator table.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorTable {
    /// Header of the key column (AGS or Gemeinde).
    pub key_header: String,
    /// The keys are AGS (an AGS column exists); otherwise they are names.
    pub keyed_by_ags: bool,
    /// Key per Gemeinde (normalised AGS, or the name).
    pub keys: Vec<String>,
    /// Gemeinde name per row, where a name column exists next to the AGS.
    pub names: Vec<Option<String>>,
    /// Headers of the indicator columns.
    pub columns: Vec<String>,
    /// Indicator values per Gemeinde, in the order of `columns`.
    pub rows: Vec<Vec<f64>>,
}

fn is_ags(h: &str) -> bool {
    h.contains("ags") || h.contains("schluessel") || h.contains("kennziffer")
}

fn is_name(h: &str) -> bool {
    let has = |w: &str| h.split_whitespace().any(|x| x.starts_with(w));
    has("gemeinde") || has("name") || has("ort") || has("stadt") || has("kommune")
}

/// Reads an indicator table from a CSV file or a sheet. A missing or non-numeric value in an
/// indicator column is an error naming its row.
pub fn read_indicators(path: &Path, sheet: Option<&str>) -> Result<IndicatorTable, ImportError> {
    let (mut reader, _) = open_rows(path, sheet)?;
    let mut rows: Vec<RawRow> = Vec::new();
    while let Some(r) = reader.next_row()? {
        rows.push(r);
        if rows.len() > 100_000 {
            break;
        }
    }
    let headers = |r: &RawRow| -> Vec<String> {
        r.cells
            .iter()
            .map(|c| parse_text(c).unwrap_or_default())
            .collect()
    };
    let norm = |t: &str| crate::analysis::prepare::normalize_name(t);
    let header_pos = rows
        .iter()
        .position(|r| {
            headers(r)
                .iter()
                .any(|h| is_ags(&norm(h)) || is_name(&norm(h)))
        })
        .ok_or_else(|| ImportError::MissingRequired {
            missing: "AGS oder Gemeinde".to_string(),
            available: rows
                .iter()
                .find(|r| !r.is_blank())
                .map(|r| headers(r).join(", "))
                .unwrap_or_default(),
        })?;
    let head = headers(&rows[header_pos]);
    let ags_col = head.iter().position(|h| is_ags(&norm(h)));
    let name_col = head.iter().position(|h| is_name(&norm(h)));
    let Some(key_col) = ags_col.or(name_col) else {
        return Err(ImportError::NoHeader);
    };
    let data: Vec<&RawRow> = rows[header_pos + 1..]
        .iter()
        .filter(|r| !r.is_blank())
        .collect();
    if data.is_empty() {
        return Err(ImportError::Empty {
            detail: format!(
                "Indikatortabelle {} enthält keine Gemeinden",
                path.display()
            ),
        });
    }
    // An indicator column: a header, not the key or the name, and every non-blank value a number.
    let indicator_cols: Vec<usize> = (0..head.len())
        .filter(|&j| Some(j) != ags_col && Some(j) != name_col && !head[j].trim().is_empty())
        .filter(|&j| {
            data.iter().all(|r| {
                r.cells
                    .get(j)
                    .is_none_or(|c| !matches!(parse_number(c), Parsed::Invalid(_)))
            })
        })
        .collect();
    let mut table = IndicatorTable {
        key_header: head[key_col].clone(),
        keyed_by_ags: ags_col.is_some(),
        keys: Vec::new(),
        names: Vec::new(),
        columns: indicator_cols.iter().map(|&j| head[j].clone()).collect(),
        rows: Vec::new(),
    };
    for r in data {
        let key = r
            .cells
            .get(key_col)
            .and_then(parse_text)
            .ok_or_else(|| ImportError::Empty {
                detail: format!(
                    "Indikatortabelle, Zeile {}: {} fehlt",
                    r.line, head[key_col]
                ),
            })?;
        let key = if ags_col.is_some() {
            crate::model::Ags::normalise_text(&key)
        } else {
            key
        };
        let mut values = Vec::with_capacity(indicator_cols.len());
        for &j in &indicator_cols {
            let v = r.cells.get(j).and_then(|c| parse_number(c).value());
            values.push(v.ok_or_else(|| ImportError::Empty {
                detail: format!(
                    "Indikatortabelle, Zeile {}: Wert für „{}“ fehlt",
                    r.line, head[j]
                ),
            })?);
        }
        table.keys.push(key);
        table.names.push(
            name_col
                .filter(|_| ags_col.is_some())
                .and_then(|j| r.cells.get(j))
                .and_then(parse_text),
        );
        table.rows.push(values);
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indicator_columns_are_the_numeric_ones() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("ind.csv");
        std::fs::write(
            &p,
            "AGS;Gemeinde;Vergleichsraum;Miete €/m²;Dichte\n5358008;Düren;Nord;7,10;1200\n05358012;Kreuzau;Süd;6,20;300\n",
        )
        .unwrap();
        let t = read_indicators(&p, None).unwrap();
        assert_eq!(t.keys, vec!["05358008", "05358012"]);
        assert_eq!(t.names[1].as_deref(), Some("Kreuzau"));
        assert_eq!(t.columns, vec!["Miete €/m²", "Dichte"]);
        assert_eq!(t.rows[0], vec![7.10, 1200.0]);
    }

    #[test]
    fn a_missing_value_names_its_row() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("ind.csv");
        std::fs::write(&p, "Ort;Miete\nA;7,1\nB;\n").unwrap();
        let e = read_indicators(&p, None).unwrap_err().to_string();
        assert!(e.contains("Zeile 3") && e.contains("Miete"), "{e}");
    }
}
