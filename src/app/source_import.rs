//! Adding a data source in the app: the preview of a file (read on a worker, only the first
//! rows), the detected header row, the column mapping and per-column checks of the preview
//! cells. Pure functions; the UI lives in `screens::data`, the state change in
//! [`super::state::AppState::handle`].

use crate::import::cell::{Parsed, parse_bool, parse_date, parse_int, parse_number};
use crate::import::header::{self, PEEK_ROWS};
use crate::import::raw::{RawCell, RawRow};
use crate::import::workbook::{SheetInfo, list_sheets};
use crate::import::{ImportError, open_rows};
use crate::model::Field;
use std::path::{Path, PathBuf};

/// Data rows shown under the header in the preview table.
pub const PREVIEW_DATA_ROWS: usize = 15;

/// The first rows of a file, read for the "Quelle hinzufügen" dialog.
#[derive(Debug, Clone, PartialEq)]
pub struct SourcePreview {
    /// The file as chosen (absolute or relative to the working folder).
    pub path: PathBuf,
    /// Format text ("XLSX", "CSV (Semikolon, UTF-8)").
    pub format: String,
    /// Worksheets with their Excel tables (empty for CSV).
    pub sheets: Vec<SheetInfo>,
    /// The sheet read (`None` = the first sheet, or CSV).
    pub sheet: Option<String>,
    /// The first rows: [`PEEK_ROWS`] for the header search plus rows for the preview.
    pub rows: Vec<RawRow>,
    /// Index into `rows` of the detected header row.
    pub detected: Option<usize>,
}

/// Reads the preview of `path` (runs on a worker; reads only the first rows of the sheet).
pub fn read_preview(path: &Path, sheet: Option<&str>) -> Result<SourcePreview, String> {
    if !path.is_file() {
        return Err(format!(
            "Die Datei wurde nicht gefunden: {}",
            path.display()
        ));
    }
    let is_workbook = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .is_some_and(|e| matches!(e.as_str(), "xlsx" | "xlsm" | "xlsb" | "xls" | "ods"));
    let sheets = if is_workbook {
        list_sheets(path).map_err(|e| e.to_string())?
    } else {
        Vec::new()
    };
    let sheet = sheet
        .map(str::to_string)
        .or_else(|| sheets.first().map(|s| s.name.clone()));
    let (mut reader, format) = open_rows(path, sheet.as_deref()).map_err(|e| e.to_string())?;
    let mut rows = Vec::new();
    while rows.len() < PEEK_ROWS + PREVIEW_DATA_ROWS {
        match reader.next_row() {
            Ok(Some(r)) => rows.push(r),
            Ok(None) => break,
            Err(e) => return Err(e.to_string()),
        }
    }
    if rows.iter().all(RawRow::is_blank) {
        return Err(ImportError::Empty {
            detail: format!("{} enthält keine Zeilen", path.display()),
        }
        .to_string());
    }
    let detected = header::detect_header(&rows).map(|g| g.index);
    Ok(SourcePreview {
        path: path.to_path_buf(),
        format,
        sheets,
        sheet,
        rows,
        detected,
    })
}

impl SourcePreview {
    /// Index of the row with Excel/CSV line `line` among the first [`PEEK_ROWS`] rows (the
    /// import looks for the header there only).
    pub fn index_of_line(&self, line: u32) -> Option<usize> {
        self.rows
            .iter()
            .take(PEEK_ROWS)
            .position(|r| r.line == line)
    }

    /// Header texts of the row at `index`.
    pub fn headers(&self, index: usize) -> Vec<String> {
        let end = (index + PEEK_ROWS).min(self.rows.len());
        header::header_texts(&self.rows[..end], index)
    }

    /// The data rows shown under the header at `index` (blank rows skipped).
    pub fn data_rows(&self, index: usize) -> Vec<&RawRow> {
        self.rows
            .iter()
            .skip(index + 1)
            .filter(|r| !r.is_blank())
            .take(PREVIEW_DATA_ROWS)
            .collect()
    }
}

/// What the cells of a column look like.
pub fn detected_type(cells: &[&RawCell]) -> &'static str {
    let (mut numbers, mut dates, mut bools, mut texts) = (0, 0, 0, 0);
    for c in cells {
        match c {
            RawCell::Empty | RawCell::Error(_) => {}
            RawCell::Number(_) => numbers += 1,
            RawCell::Date(_) => dates += 1,
            RawCell::Bool(_) => bools += 1,
            RawCell::Text(t) if t.trim().is_empty() => {}
            RawCell::Text(_) => {
                if matches!(parse_date(c), Parsed::Value(_)) && t_has_date_shape(c) {
                    dates += 1;
                } else if matches!(parse_number(c), Parsed::Value(_)) {
                    numbers += 1;
                } else if matches!(parse_bool(c), Parsed::Value(_)) {
                    bools += 1;
                } else {
                    texts += 1;
                }
            }
        }
    }
    let total = numbers + dates + bools + texts;
    if total == 0 {
        return "leer";
    }
    let max = numbers.max(dates).max(bools).max(texts);
    let kind = if max == numbers {
        "Zahl"
    } else if max == dates {
        "Datum"
    } else if max == bools {
        "Ja/Nein"
    } else {
        "Text"
    };
    if max == total { kind } else { "gemischt" }
}

/// A text cell that looks like a date (dots or dashes between digits), not a plain number.
fn t_has_date_shape(c: &RawCell) -> bool {
    match c {
        RawCell::Text(t) => {
            let t = t.trim();
            t.chars().filter(|&ch| ch == '.').count() == 2
                || t.chars().filter(|&ch| ch == '-').count() == 2
        }
        _ => false,
    }
}

/// What a mapped column must hold. (The model's [`Field`] has no value type yet; this is the
/// one table of the app, to move to the model.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// A number (German or English notation).
    Number,
    /// A whole number (year).
    Integer,
    /// A date.
    Date,
    /// Ja/Nein.
    YesNo,
    /// Any text.
    Text,
}

/// The value type of a field.
pub fn value_kind(field: Field) -> ValueKind {
    match field {
        Field::NetRent
        | Field::Area
        | Field::OperatingCosts
        | Field::HeatingCosts
        | Field::Rooms => ValueKind::Number,
        Field::YearBuilt => ValueKind::Integer,
        Field::ContractStart | Field::LastRentChange | Field::OfferDate => ValueKind::Date,
        Field::HeatingIncluded
        | Field::Lift
        | Field::Welfare
        | Field::Furnished
        | Field::Subsidised
        | Field::CompanyFlat
        | Field::Dormitory
        | Field::FavourRent
        | Field::Substandard => ValueKind::YesNo,
        Field::Gemeinde
        | Field::Ags
        | Field::Plz
        | Field::Ortsteil
        | Field::LandlordType
        | Field::Kind
        | Field::ObjectType
        | Field::RecordId => ValueKind::Text,
    }
}

/// The problem named when a cell does not parse for `field` ("keine Zahl"); `None` for text
/// fields (every text is accepted).
pub fn problem_text(field: Field) -> Option<&'static str> {
    match value_kind(field) {
        ValueKind::Number | ValueKind::Integer => Some("keine Zahl"),
        ValueKind::Date => Some("kein Datum"),
        ValueKind::YesNo => Some("kein Ja/Nein"),
        ValueKind::Text => None,
    }
}

/// True when the cell holds a value that does not parse as `field` (blank cells are fine).
pub fn fails(field: Field, cell: &RawCell) -> bool {
    let invalid = |missing: bool, value: bool| !missing && !value;
    match value_kind(field) {
        ValueKind::Integer => {
            let p = parse_int(cell);
            invalid(p.is_missing(), matches!(p, Parsed::Value(_)))
        }
        ValueKind::Number => {
            let p = parse_number(cell);
            invalid(p.is_missing(), matches!(p, Parsed::Value(_)))
        }
        ValueKind::Date => {
            let p = parse_date(cell);
            invalid(p.is_missing(), matches!(p, Parsed::Value(_)))
        }
        ValueKind::YesNo => {
            let p = parse_bool(cell);
            invalid(p.is_missing(), matches!(p, Parsed::Value(_)))
        }
        ValueKind::Text => false,
    }
}

/// "3 × keine Zahl", or `None` when every cell fits the field.
pub fn column_problems(field: Field, cells: &[&RawCell]) -> Option<String> {
    let text = problem_text(field)?;
    let n = cells.iter().filter(|c| fails(field, c)).count();
    (n > 0).then(|| format!("{} × {text}", crate::fmt::number(n as f64, 0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_and_problems() {
        let cells = [
            RawCell::Number(1.0),
            RawCell::Text("7,50".into()),
            RawCell::Text("auf Anfrage".into()),
            RawCell::Empty,
        ];
        let refs: Vec<&RawCell> = cells.iter().collect();
        assert_eq!(detected_type(&refs), "gemischt");
        assert_eq!(
            column_problems(Field::NetRent, &refs).as_deref(),
            Some("1 × keine Zahl")
        );
        assert_eq!(column_problems(Field::Gemeinde, &refs), None);
        let dates = [RawCell::Text("01.02.2024".into())];
        let refs: Vec<&RawCell> = dates.iter().collect();
        assert_eq!(detected_type(&refs), "Datum");
        assert_eq!(
            column_problems(Field::Area, &refs).as_deref(),
            Some("1 × keine Zahl")
        );
    }
}
