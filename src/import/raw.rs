//! The raw layer between file readers and validation: rows of uninterpreted cells.

use crate::model::Date;

/// One cell as read from a file, before interpretation.
#[derive(Debug, Clone, PartialEq)]
pub enum RawCell {
    /// Nothing in the cell.
    Empty,
    /// Text (CSV fields are always text).
    Text(String),
    /// A number stored as a number.
    Number(f64),
    /// A boolean cell.
    Bool(bool),
    /// A date cell, already converted (1900 and 1904 systems handled by the reader).
    Date(Date),
    /// An Excel error value such as `#DIV/0!`.
    Error(String),
}

impl RawCell {
    /// A date serial of a date-formatted cell: the calendar day in the workbook's date system
    /// (1900 or 1904), or the number itself outside the calendar.
    pub fn from_date_serial(serial: f64, is_1904: bool) -> RawCell {
        let date = if is_1904 {
            Date::from_excel_serial_1904(serial)
        } else {
            Date::from_excel_serial(serial)
        };
        date.map_or(RawCell::Number(serial), RawCell::Date)
    }

    /// True for [`RawCell::Empty`] and for text that is blank.
    pub fn is_blank(&self) -> bool {
        match self {
            RawCell::Empty => true,
            RawCell::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as the user would read it (for messages and previews).
    pub fn display(&self) -> String {
        match self {
            RawCell::Empty => String::new(),
            RawCell::Text(t) => t.clone(),
            RawCell::Number(n) => crate::fmt::number_plain(*n),
            RawCell::Bool(b) => if *b { "WAHR" } else { "FALSCH" }.to_string(),
            RawCell::Date(d) => d.german(),
            RawCell::Error(e) => e.clone(),
        }
    }
}

/// One row of a sheet or CSV file.
#[derive(Debug, Clone, PartialEq)]
pub struct RawRow {
    /// Row number as the user sees it: the Excel row number, or the CSV line on which the
    /// record starts (1-based, counting the header and title lines).
    pub line: u32,
    /// Cells from the first column of the sheet (column A) or the first CSV field.
    pub cells: Vec<RawCell>,
}

impl RawRow {
    /// True if every cell is blank.
    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(RawCell::is_blank)
    }
}

/// A streaming source of rows. Readers keep memory bounded: they never hold the whole file's
/// interpreted rows at once where the format allows streaming.
pub trait RowReader: Send {
    /// The next row, `Ok(None)` at the end.
    fn next_row(&mut self) -> Result<Option<RawRow>, crate::import::ImportError>;
    /// Progress as (done, total) in a unit of the reader's choice (bytes or rows), if known.
    fn progress(&self) -> Option<(u64, u64)>;
}
