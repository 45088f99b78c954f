//! Header-row detection in the first rows of a sheet or CSV file.
//!
//! Real exports carry title rows ("Mietwerterhebung Landkreis X, Stand 01.01.2025"), blank rows and
//! sometimes a units row below the header. Every non-blank row among the first [`PEEK_ROWS`] is
//! scored by how many of its text cells name a known field ([`match_header`]), how many text cells
//! it has, and whether the rows below hold numbers in the columns it maps to rent and area.

use super::mapping::match_header;
use super::raw::{RawCell, RawRow};
use crate::model::Field;
use std::collections::BTreeMap;

/// How many rows the reader peeks at for header detection.
pub const PEEK_ROWS: usize = 50;

/// How many data rows below a candidate are inspected.
const DATA_ROWS_CHECKED: usize = 5;

/// The detected header row.
#[derive(Debug, Clone, PartialEq)]
pub struct HeaderGuess {
    /// Index of the header row in the peeked rows.
    pub index: usize,
    /// The header row's line (Excel row / CSV line, 1-based).
    pub line: u32,
    /// Header texts from column A on, trimmed; empty cells named "Spalte C" etc.
    pub headers: Vec<String>,
    /// The detection score (higher = more certain; 0 for the fallback rule).
    pub score: u32,
}

/// The Excel column letters of a 0-based column index: 0 → "A", 25 → "Z", 26 → "AA".
pub fn column_letters(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// Whether text looks like a value rather than a label: a number in German or English notation
/// (with optional currency/unit/percent), or a date such as "01.03.2024" / "2024-03-01".
pub fn looks_numeric(text: &str) -> bool {
    let t = text.trim();
    if t.is_empty() {
        return false;
    }
    let core: String = t
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '€' | '%' | '²' | '\u{a0}'))
        .collect();
    let core = core
        .trim_end_matches("EUR")
        .trim_end_matches("eur")
        .trim_end_matches("qm")
        .trim_end_matches('m');
    !core.is_empty()
        && core.chars().any(|c| c.is_ascii_digit())
        && core
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '-' | '+' | '/' | '\''))
}

/// Whether a cell holds a value (number, date, boolean or numeric-looking text).
fn is_value(cell: &RawCell) -> bool {
    match cell {
        RawCell::Number(_) | RawCell::Date(_) | RawCell::Bool(_) => true,
        RawCell::Text(t) => looks_numeric(t),
        RawCell::Empty | RawCell::Error(_) => false,
    }
}

/// Whether a cell is a label: non-blank text that does not look like a value.
fn is_label(cell: &RawCell) -> bool {
    matches!(cell, RawCell::Text(t) if !t.trim().is_empty() && !looks_numeric(t))
}

/// The rows below `index` that look like data: blank rows are skipped, and so are up to two
/// rows without any value directly below the header (a units row such as "€ | m² | TT.MM.JJJJ").
fn data_rows_below(rows: &[RawRow], index: usize) -> Vec<&RawRow> {
    let mut out = Vec::new();
    let mut skipped_label_rows = 0;
    for row in rows.iter().skip(index + 1) {
        if row.is_blank() {
            continue;
        }
        if out.is_empty() && !row.cells.iter().any(is_value) {
            skipped_label_rows += 1;
            if skipped_label_rows > 2 {
                break;
            }
            continue;
        }
        out.push(row);
        if out.len() >= DATA_ROWS_CHECKED {
            break;
        }
    }
    out
}

/// The score of row `index` as a header, `None` if it cannot be one (blank, numbers only, title
/// row, or nothing mapped).
fn score_candidate(rows: &[RawRow], index: usize) -> Option<u32> {
    let row = rows.get(index)?;
    if row.is_blank() {
        return None;
    }
    let labels = row.cells.iter().filter(|c| is_label(c)).count();
    if labels == 0 {
        return None;
    }
    let non_empty = row.cells.iter().filter(|c| !c.is_blank()).count();
    // Best score per field and the column that has it.
    let mut matched: BTreeMap<Field, (u8, usize)> = BTreeMap::new();
    for (col, cell) in row.cells.iter().enumerate() {
        let RawCell::Text(text) = cell else { continue };
        if !is_label(cell) {
            continue;
        }
        if let Some((field, score)) = match_header(text) {
            let entry = matched.entry(field).or_insert((score, col));
            if score > entry.0 {
                *entry = (score, col);
            }
        }
    }
    if matched.is_empty() {
        return None;
    }
    // A title row: one or two cells naming at most one field.
    if non_empty <= 2 && matched.len() < 2 {
        return None;
    }
    let match_sum: u32 = matched.values().map(|(s, _)| u32::from(*s)).sum();
    let mut score = match_sum * 10 + (labels.min(60) as u32) * 2;
    let below = data_rows_below(rows, index);
    if !below.is_empty() {
        let numeric_share = |col: usize| {
            let hits = below
                .iter()
                .filter(|r| r.cells.get(col).is_some_and(is_value))
                .count();
            hits * 2 >= below.len()
        };
        let mut key_columns = 0;
        for field in [Field::NetRent, Field::Area] {
            if let Some(&(_, col)) = matched.get(&field) {
                key_columns += 1;
                if numeric_share(col) {
                    score += 15;
                }
            }
        }
        if key_columns == 0 {
            let with_values = below
                .iter()
                .filter(|r| r.cells.iter().any(is_value))
                .count();
            if with_values * 2 >= below.len() {
                score += 5;
            }
        }
    }
    Some(score)
}

/// The header texts of row `index`, widened to the widest row among it and the following rows
/// (at most [`PEEK_ROWS`]); empty cells become "Spalte C" etc. Empty if `index` is out of range.
pub fn header_texts(rows: &[RawRow], index: usize) -> Vec<String> {
    let Some(row) = rows.get(index) else {
        return Vec::new();
    };
    let used_width = |r: &RawRow| {
        r.cells
            .iter()
            .rposition(|c| !c.is_blank())
            .map_or(0, |i| i + 1)
    };
    let width = rows
        .iter()
        .skip(index)
        .take(PEEK_ROWS)
        .map(used_width)
        .max()
        .unwrap_or(0);
    (0..width)
        .map(|col| {
            let text = row
                .cells
                .get(col)
                .map(|c| c.display().trim().to_string())
                .unwrap_or_default();
            if text.is_empty() {
                format!("Spalte {}", column_letters(col))
            } else {
                text
            }
        })
        .collect()
}

/// Finds the header row among the peeked rows (at most [`PEEK_ROWS`] are looked at).
///
/// The row with the highest score wins, ties go to the upper row. If no row names any known field,
/// the first row with at least three text cells that is followed by a row with a number is taken
/// (score 0). `None` if neither rule finds a row.
pub fn detect_header(rows: &[RawRow]) -> Option<HeaderGuess> {
    let limit = rows.len().min(PEEK_ROWS);
    let mut best: Option<(u32, usize)> = None;
    for index in 0..limit {
        if let Some(score) = score_candidate(&rows[..limit], index)
            && best.is_none_or(|(s, _)| score > s)
        {
            best = Some((score, index));
        }
    }
    let (score, index) = match best {
        Some(found) => found,
        None => {
            let index = (0..limit).find(|&i| {
                let labels = rows[i].cells.iter().filter(|c| is_label(c)).count();
                labels >= 3
                    && rows[i + 1..limit]
                        .iter()
                        .find(|r| !r.is_blank())
                        .is_some_and(|r| r.cells.iter().any(is_value))
            })?;
            (0, index)
        }
    };
    Some(HeaderGuess {
        index,
        line: rows[index].line,
        headers: header_texts(&rows[..limit], index),
        score,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> RawCell {
        if s.is_empty() {
            RawCell::Empty
        } else {
            RawCell::Text(s.to_string())
        }
    }

    fn row(line: u32, cells: Vec<RawCell>) -> RawRow {
        RawRow { line, cells }
    }

    fn texts(line: u32, cells: &[&str]) -> RawRow {
        row(line, cells.iter().map(|s| text(s)).collect())
    }

    #[test]
    fn header_texts_out_of_range() {
        assert!(header_texts(&[], 0).is_empty());
        assert!(header_texts(&[texts(1, &["a"])], 3).is_empty());
        assert_eq!(
            header_texts(&[texts(1, &["a", "", "c"])], 0),
            ["a", "Spalte B", "c"]
        );
    }

    #[test]
    fn letters() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(2), "C");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
        assert_eq!(column_letters(16_383), "XFD");
    }

    #[test]
    fn numeric_text() {
        for t in [
            "850",
            "1.234,56",
            "12.5",
            "-3",
            "850 €",
            "65 m²",
            "01.03.2024",
            "2024-03-01",
        ] {
            assert!(looks_numeric(t), "{t}");
        }
        for t in ["", "Miete", "m²", "€", "Spalte 1x", "TT.MM.JJJJ", "n/a"] {
            assert!(!looks_numeric(t), "{t}");
        }
    }

    #[test]
    fn title_blank_and_units_rows() {
        let rows = vec![
            texts(1, &["Mietwerterhebung Landkreis X, Stand 01.01.2025"]),
            row(2, vec![]),
            texts(3, &["Quelle: Erhebung 2024", ""]),
            texts(
                4,
                &[
                    "Nr",
                    "Gemeinde",
                    "Nettokaltmiete",
                    "Wohnfläche",
                    "",
                    "Bemerkung",
                ],
            ),
            texts(5, &["", "", "€/Monat", "m²", "", ""]),
            row(
                6,
                vec![
                    RawCell::Number(1.0),
                    text("Adorf"),
                    RawCell::Number(450.0),
                    RawCell::Number(60.5),
                    RawCell::Empty,
                    text("Dachgeschoss"),
                ],
            ),
            row(
                7,
                vec![
                    RawCell::Number(2.0),
                    text("Bedorf"),
                    text("512,30"),
                    text("71"),
                    text("x"),
                ],
            ),
        ];
        let g = detect_header(&rows).unwrap();
        assert_eq!(g.index, 3);
        assert_eq!(g.line, 4);
        assert_eq!(
            g.headers,
            vec![
                "Nr",
                "Gemeinde",
                "Nettokaltmiete",
                "Wohnfläche",
                "Spalte E",
                "Bemerkung"
            ]
        );
        assert!(g.score > 0);
    }

    #[test]
    fn numbers_only_row_is_never_a_header() {
        let rows = vec![
            row(1, vec![RawCell::Number(1.0), RawCell::Number(2.0)]),
            row(2, vec![RawCell::Number(3.0), RawCell::Number(4.0)]),
        ];
        assert_eq!(detect_header(&rows), None);
        assert_eq!(detect_header(&[]), None);
    }

    #[test]
    fn two_column_header_is_not_a_title() {
        let rows = vec![texts(1, &["Miete", "Fläche"]), texts(2, &["500", "60"])];
        let g = detect_header(&rows).unwrap();
        assert_eq!(g.line, 1);
        assert_eq!(g.headers, vec!["Miete", "Fläche"]);
    }

    #[test]
    fn title_naming_a_field_is_skipped() {
        let rows = vec![
            texts(1, &["Nettokaltmieten 2024"]),
            texts(2, &["Kaltmiete", "Wohnfläche", "Ort"]),
            texts(3, &["500", "60", "Adorf"]),
        ];
        assert_eq!(detect_header(&rows).unwrap().line, 2);
    }

    #[test]
    fn fallback_without_known_headers() {
        let rows = vec![
            texts(1, &["Bericht"]),
            texts(2, &["Alpha", "Beta", "Gamma"]),
            row(3, vec![]),
            row(
                4,
                vec![text("x"), RawCell::Number(1.0), RawCell::Number(2.0)],
            ),
        ];
        let g = detect_header(&rows).unwrap();
        assert_eq!(g.line, 2);
        assert_eq!(g.score, 0);
        let rows = vec![
            texts(1, &["Alpha", "Beta", "Gamma"]),
            texts(2, &["a", "b", "c"]),
        ];
        assert_eq!(detect_header(&rows), None);
    }

    #[test]
    fn real_header_beats_data_rows_with_text() {
        let rows = vec![
            texts(1, &["Ort", "Typ", "Kaltmiete", "qm"]),
            texts(2, &["Köln", "Wohnung", "700", "70"]),
            texts(3, &["Bonn", "Wohnung", "650", "60"]),
        ];
        let g = detect_header(&rows).unwrap();
        assert_eq!(g.index, 0);
    }
}
