//! The file format of the embedded reference tables (and of user-supplied ones such as an
//! edited Heizspiegel): CSV with leading `# key: value` meta lines, a header line, and a legal
//! source (and where required an in-force date) on every row. Missing values stay missing.

use super::Date;
use std::collections::HashMap;
use thiserror::Error;

/// A reference table could not be loaded: the data file violates its rules.
///
/// For the embedded assets this is a bug caught by the unit tests; for user-supplied tables
/// (e.g. an edited Heizspiegel) it is shown to the user.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TableError {
    /// A row has no (or an empty) source.
    #[error("Tabelle „{table}“, Zeile {line}: keine Quelle angegeben")]
    MissingSource {
        /// Table name (file name of the asset).
        table: String,
        /// Line number in the file (1-based).
        line: u64,
    },
    /// A row has no (or an empty) in-force date although the table requires one.
    #[error("Tabelle „{table}“, Zeile {line}: kein Gültigkeitsbeginn (valid_from) angegeben")]
    MissingValidFrom {
        /// Table name (file name of the asset).
        table: String,
        /// Line number in the file (1-based).
        line: u64,
    },
    /// Any other violation: bad number, unknown code, missing column, inconsistent rows.
    #[error("Tabelle „{table}“, Zeile {line}: {detail}")]
    Invalid {
        /// Table name (file name of the asset).
        table: String,
        /// Line number in the file (1-based; 0 = the table as a whole).
        line: u64,
        /// What is wrong, in German.
        detail: String,
    },
}

impl TableError {
    pub(crate) fn invalid(table: &str, line: u64, detail: impl Into<String>) -> TableError {
        TableError::Invalid {
            table: table.to_string(),
            line,
            detail: detail.into(),
        }
    }
}

/// A parsed table CSV: header index and data records.
pub(crate) struct CsvTable {
    name: String,
    headers: HashMap<String, usize>,
    records: Vec<csv::StringRecord>,
}

impl CsvTable {
    /// Parses a table CSV: `#` lines are comments, the first other line is the header, cells are
    /// trimmed. Every listed column must be present in the header.
    pub(crate) fn parse(
        name: &str,
        text: &str,
        required_columns: &[&str],
    ) -> Result<CsvTable, TableError> {
        let mut reader = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .trim(csv::Trim::All)
            .flexible(false)
            .from_reader(text.as_bytes());
        let csv_error = |e: csv::Error| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            TableError::invalid(name, line, format!("CSV nicht lesbar: {e}"))
        };
        let mut headers = HashMap::new();
        for (index, column) in reader.headers().map_err(csv_error)?.iter().enumerate() {
            headers.insert(column.trim().to_string(), index);
        }
        for column in required_columns {
            if !headers.contains_key(*column) {
                return Err(TableError::invalid(
                    name,
                    0,
                    format!("Spalte „{column}“ fehlt in der Kopfzeile"),
                ));
            }
        }
        let mut records = Vec::new();
        for record in reader.records() {
            records.push(record.map_err(csv_error)?);
        }
        Ok(CsvTable {
            name: name.to_string(),
            headers,
            records,
        })
    }

    /// The data rows in file order.
    pub(crate) fn rows(&self) -> impl Iterator<Item = CsvRow<'_>> {
        self.records.iter().map(move |record| CsvRow {
            table: self,
            record,
        })
    }
}

/// One data row of a table CSV, with its line number and named access to its cells.
pub(crate) struct CsvRow<'a> {
    table: &'a CsvTable,
    record: &'a csv::StringRecord,
}

impl<'a> CsvRow<'a> {
    /// Line number (1-based) in the file.
    pub(crate) fn line(&self) -> u64 {
        self.record.position().map(|p| p.line()).unwrap_or(0)
    }

    /// An [`TableError::Invalid`] for this row.
    pub(crate) fn error(&self, detail: impl Into<String>) -> TableError {
        TableError::invalid(&self.table.name, self.line(), detail)
    }

    /// The trimmed cell of `column`; an error if the table has no such column.
    pub(crate) fn cell(&self, column: &str) -> Result<&'a str, TableError> {
        let index = self
            .table
            .headers
            .get(column)
            .ok_or_else(|| self.error(format!("Spalte „{column}“ fehlt")))?;
        Ok(self.record.get(*index).unwrap_or("").trim())
    }

    /// The cell of `column`, `None` if it is empty.
    pub(crate) fn optional(&self, column: &str) -> Result<Option<&'a str>, TableError> {
        let text = self.cell(column)?;
        Ok(if text.is_empty() { None } else { Some(text) })
    }

    /// The cell of `column`; an error if it is empty.
    pub(crate) fn required(&self, column: &str) -> Result<&'a str, TableError> {
        self.optional(column)?
            .ok_or_else(|| self.error(format!("Spalte „{column}“ ist leer")))
    }

    /// The `source` cell; [`TableError::MissingSource`] if it is empty or missing.
    pub(crate) fn source(&self) -> Result<String, TableError> {
        match self.optional("source") {
            Ok(Some(text)) => Ok(text.to_string()),
            _ => Err(TableError::MissingSource {
                table: self.table.name.clone(),
                line: self.line(),
            }),
        }
    }

    /// A number (`.` or `,` as decimal separator) or `None` for an empty cell.
    pub(crate) fn optional_f64(&self, column: &str) -> Result<Option<f64>, TableError> {
        match self.optional(column)? {
            None => Ok(None),
            Some(text) => parse_number(text)
                .map(Some)
                .ok_or_else(|| self.error(format!("Spalte „{column}“: „{text}“ ist keine Zahl"))),
        }
    }

    /// A number; an error if the cell is empty or not a number.
    pub(crate) fn required_f64(&self, column: &str) -> Result<f64, TableError> {
        self.optional_f64(column)?
            .ok_or_else(|| self.error(format!("Spalte „{column}“ ist leer")))
    }

    /// A date (`yyyy-mm-dd` or `dd.mm.yyyy`) or `None` for an empty cell.
    pub(crate) fn optional_date(&self, column: &str) -> Result<Option<Date>, TableError> {
        match self.optional(column)? {
            None => Ok(None),
            Some(text) => Date::parse(text)
                .map(Some)
                .ok_or_else(|| self.error(format!("Spalte „{column}“: „{text}“ ist kein Datum"))),
        }
    }

    /// The `valid_from` date; [`TableError::MissingValidFrom`] if it is empty or missing.
    pub(crate) fn valid_from(&self) -> Result<Date, TableError> {
        match self.optional_date("valid_from")? {
            Some(date) => Ok(date),
            None => Err(TableError::MissingValidFrom {
                table: self.table.name.clone(),
                line: self.line(),
            }),
        }
    }
}

/// Reads the `# key: value` lines at the top of a table file (before the header line).
pub(crate) fn read_meta(text: &str) -> HashMap<String, String> {
    let mut meta = HashMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let Some(comment) = line.strip_prefix('#') else {
            break;
        };
        if let Some((key, value)) = comment.split_once(':') {
            let key = key.trim();
            if !key.is_empty() && !key.contains(' ') {
                meta.insert(key.to_string(), value.trim().to_string());
            }
        }
    }
    meta
}

/// Parses a number written with `.` or `,` as decimal separator (no thousands separators).
pub(crate) fn parse_number(text: &str) -> Option<f64> {
    let value: f64 = text.trim().replace(',', ".").parse().ok()?;
    value.is_finite().then_some(value)
}

/// Folds a German name for comparison: lower case, umlauts as `ae`/`oe`/`ue`, `ß` as `ss`,
/// every other non-alphanumeric character as a blank, blanks collapsed.
pub(crate) fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    for ch in text.chars() {
        match ch {
            'ä' | 'Ä' => out.push_str("ae"),
            'ö' | 'Ö' => out.push_str("oe"),
            'ü' | 'Ü' => out.push_str("ue"),
            'ß' | 'ẞ' => out.push_str("ss"),
            'é' | 'É' | 'è' | 'ê' => out.push('e'),
            c if c.is_alphanumeric() => out.extend(c.to_lowercase()),
            _ => out.push(' '),
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_names() {
        assert_eq!(fold("  Düsseldorf,  Stadt "), "duesseldorf stadt");
        assert_eq!(fold("Gießen"), fold("Giessen"));
        assert_eq!(fold("Frankfurt (Oder)"), "frankfurt oder");
        assert_eq!(fold("Wärme-Pumpe"), "waerme pumpe");
    }

    #[test]
    fn meta_lines_and_numbers() {
        let meta = read_meta(
            "# source: Quelle A\n# a b: ignored\n# valid_from: 2023-01-01\nx,y\n# later: no\n",
        );
        assert_eq!(meta.get("source").map(String::as_str), Some("Quelle A"));
        assert_eq!(
            meta.get("valid_from").map(String::as_str),
            Some("2023-01-01")
        );
        assert!(!meta.contains_key("later"));
        assert_eq!(parse_number("3,06"), Some(3.06));
        assert_eq!(parse_number("x"), None);
    }

    #[test]
    fn csv_rows_report_missing_columns_and_lines() {
        let err = CsvTable::parse("t.csv", "# c\na,b\n1,2\n", &["a", "source"])
            .err()
            .unwrap();
        assert!(err.to_string().contains("source"));
        let table = CsvTable::parse("t.csv", "# c\na,source\n1, \n", &["a"]).unwrap();
        let row = table.rows().next().unwrap();
        assert_eq!(row.line(), 3);
        assert!(matches!(
            row.source(),
            Err(TableError::MissingSource { line: 3, .. })
        ));
        assert!(matches!(row.valid_from(), Err(TableError::Invalid { .. })));
    }
}
