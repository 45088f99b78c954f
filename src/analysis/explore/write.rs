//! Writes an explorer table: CSV (`;`, German decimal comma, UTF-8 with BOM so Excel reads the
//! umlauts) or an Excel workbook (one sheet „Datenexplorer“, numbers as numbers). The one
//! writer of the command line and the app; files go through [`crate::io_util::write_atomic`].

use super::{ExploreError, ExploreTable, Statistic};
use rust_xlsxwriter::{Format, Workbook};
use std::path::Path;

/// The file format of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    /// Semicolon-separated text.
    Csv,
    /// Excel workbook.
    Xlsx,
}

impl TableFormat {
    /// The format a file name asks for: `.csv`/`.txt` → CSV, anything else → Excel.
    pub fn of_path(path: &Path) -> TableFormat {
        match path
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .as_deref()
        {
            Some("csv" | "txt") => TableFormat::Csv,
            _ => TableFormat::Xlsx,
        }
    }
}

/// A value for CSV: no thousands separator, decimal comma; counts without decimals.
fn csv_number(stat: Statistic, v: f64) -> String {
    if !v.is_finite() {
        return String::new();
    }
    match stat {
        Statistic::N => format!("{v:.0}"),
        _ => format!("{v:.2}").replace('.', ","),
    }
}

/// The table as CSV bytes (header row, then one line per group).
pub fn csv_bytes(table: &ExploreTable) -> Result<Vec<u8>, ExploreError> {
    let fail = |e: csv::Error| ExploreError::Write {
        reason: e.to_string(),
        path: String::new(),
    };
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record(table.headers()).map_err(fail)?;
    for row in &table.rows {
        let cells = row.keys.iter().cloned().chain(
            table
                .statistics
                .iter()
                .zip(&row.values)
                .map(|(s, v)| csv_number(*s, *v)),
        );
        w.write_record(cells).map_err(fail)?;
    }
    w.into_inner().map_err(|e| ExploreError::Write {
        reason: e.to_string(),
        path: String::new(),
    })
}

/// The table as an Excel workbook: the description in A1, the headers in row 3.
pub fn xlsx_bytes(table: &ExploreTable) -> Result<Vec<u8>, ExploreError> {
    let fail = |e: rust_xlsxwriter::XlsxError| ExploreError::Write {
        reason: e.to_string(),
        path: String::new(),
    };
    let mut wb = Workbook::new();
    let header = Format::new().set_bold();
    let count = Format::new().set_num_format("#,##0");
    let money = Format::new().set_num_format("0.00");
    let ws = wb.add_worksheet();
    ws.set_name("Datenexplorer").map_err(fail)?;
    ws.write_string(0, 0, &table.description).map_err(fail)?;
    for (c, h) in table.headers().iter().enumerate() {
        ws.write_string_with_format(2, c as u16, h, &header)
            .map_err(fail)?;
    }
    let n_keys = table.dimensions.len();
    for (r, row) in table.rows.iter().enumerate() {
        let r = 3 + r as u32;
        for (c, k) in row.keys.iter().enumerate() {
            ws.write_string(r, c as u16, k).map_err(fail)?;
        }
        for (j, (s, v)) in table.statistics.iter().zip(&row.values).enumerate() {
            if v.is_finite() {
                let f = if *s == Statistic::N { &count } else { &money };
                ws.write_number_with_format(r, (n_keys + j) as u16, *v, f)
                    .map_err(fail)?;
            }
        }
    }
    for c in 0..n_keys {
        ws.set_column_width(c as u16, 28).map_err(fail)?;
    }
    wb.save_to_buffer().map_err(fail)
}

/// Writes the table to `path` as `format` (the app takes [`TableFormat::of_path`]).
pub fn write_table(
    table: &ExploreTable,
    path: &Path,
    format: TableFormat,
) -> Result<(), ExploreError> {
    let with_path = |e: ExploreError| match e {
        ExploreError::Write { reason, .. } => ExploreError::Write {
            reason,
            path: path.display().to_string(),
        },
        e => e,
    };
    let bytes = match format {
        TableFormat::Csv => csv_bytes(table),
        TableFormat::Xlsx => xlsx_bytes(table),
    }
    .map_err(with_path)?;
    crate::io_util::write_atomic(path, &bytes).map_err(|e| ExploreError::Write {
        reason: crate::io_util::io_error_german(&e),
        path: path.display().to_string(),
    })
}
