//! Writing the tables and the Gemeinde table as xlsx with fixed document properties.

use super::columns::{Cell, ColFmt, ColumnSpec, Table};
use super::{GEMEINDEN_SHEET, SAMPLE_KREIS, SampleError, sample_gemeinden, sample_stichtag};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};
use std::path::Path;

/// Fixed document properties, so the same data give byte-identical files.
pub(super) fn doc_properties(title: &str, seed: u64) -> Result<DocProperties, XlsxError> {
    let created = ExcelDateTime::from_ymd(2025, 1, 1)?.and_hms(0, 0, 0)?;
    Ok(DocProperties::new()
        .set_title(title)
        .set_author("KdU-Konzept Beispieldaten-Generator")
        .set_company(format!("{SAMPLE_KREIS} (fiktiv)"))
        .set_comment(format!(
            "Fiktive Beispieldaten, keine echten Mieten. Seed {seed}."
        ))
        .set_creation_datetime(&created))
}

fn column_format(fmt: ColFmt) -> Option<Format> {
    match fmt {
        ColFmt::General => None,
        ColFmt::Integer => Some(Format::new().set_num_format("0")),
        ColFmt::Decimal => Some(Format::new().set_num_format("#,##0.00")),
        ColFmt::Money => Some(Format::new().set_num_format("#,##0.00 \"€\"")),
        ColFmt::Date => Some(Format::new().set_num_format("DD.MM.YYYY")),
    }
}

/// Writes the title rows, column widths and formats and the header row (1-based `header_row`).
pub(super) fn write_frame(
    ws: &mut Worksheet,
    titles: &[String],
    columns: &[ColumnSpec],
    header_row: u32,
) -> Result<(), XlsxError> {
    let title_fmt = Format::new().set_bold().set_font_size(13);
    let header_fmt = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_border_bottom(rust_xlsxwriter::FormatBorder::Thin);
    for (c, spec) in columns.iter().enumerate() {
        let c = c as u16;
        ws.set_column_width(c, spec.width)?;
        if let Some(f) = column_format(spec.fmt) {
            ws.set_column_format(c, &f)?;
        }
    }
    for (r, title) in titles.iter().enumerate() {
        if title.is_empty() {
            continue;
        }
        if r == 0 {
            ws.write_string_with_format(0, 0, title, &title_fmt)?;
        } else {
            ws.write_string(r as u32, 0, title)?;
        }
    }
    for (c, spec) in columns.iter().enumerate() {
        ws.write_string_with_format(header_row - 1, c as u16, spec.header, &header_fmt)?;
    }
    Ok(())
}

/// Writes one cell; unformatted writes inherit the column's number format (fast path).
pub(super) fn write_cell(ws: &mut Worksheet, r: u32, c: u16, cell: &Cell) -> Result<(), XlsxError> {
    match cell {
        Cell::Empty => {}
        Cell::Num(v) => {
            ws.write_number(r, c, *v)?;
        }
        Cell::Text(t) => {
            ws.write_string(r, c, t.as_str())?;
        }
        Cell::Static(t) => {
            if !t.is_empty() {
                ws.write_string(r, c, *t)?;
            }
        }
        Cell::Date(d) => {
            ws.write_number(r, c, d.to_excel_serial())?;
        }
    }
    Ok(())
}

pub(super) fn save_table(path: &Path, table: &Table, seed: u64) -> Result<(), SampleError> {
    let wrap = |source: XlsxError| SampleError::Write {
        path: path.display().to_string(),
        source,
    };
    let mut workbook = Workbook::new();
    workbook.set_properties(&doc_properties(&table.title, seed).map_err(wrap)?);
    let ws = workbook.add_worksheet();
    ws.set_name(table.sheet).map_err(wrap)?;
    write_frame(ws, &table.titles, table.columns, table.header_row).map_err(wrap)?;
    for (i, row) in table.rows.iter().enumerate() {
        let r = table.header_row + i as u32;
        if let Some(cells) = row {
            for (c, cell) in cells.iter().enumerate() {
                write_cell(ws, r, c as u16, cell).map_err(wrap)?;
            }
        }
    }
    workbook.save(path).map_err(wrap)?;
    Ok(())
}

const GEMEINDEN_COLUMNS: [(&str, f64); 6] = [
    ("AGS", 10.0),
    ("Gemeinde", 20.0),
    ("Vergleichsraum", 20.0),
    ("Einwohner", 11.0),
    ("Mietwohnungsbestand", 20.0),
    ("Mietstufe", 10.0),
];

pub(super) fn write_gemeinden(path: &Path, seed: u64) -> Result<(), SampleError> {
    let wrap = |source: XlsxError| SampleError::Write {
        path: path.display().to_string(),
        source,
    };
    let title = format!("Gemeinden {SAMPLE_KREIS}");
    let mut workbook = Workbook::new();
    workbook.set_properties(&doc_properties(&title, seed).map_err(wrap)?);
    let ws = workbook.add_worksheet();
    ws.set_name(GEMEINDEN_SHEET.sheet).map_err(wrap)?;
    let title_fmt = Format::new().set_bold().set_font_size(13);
    let header_fmt = Format::new()
        .set_bold()
        .set_border_bottom(rust_xlsxwriter::FormatBorder::Thin);
    let thousands = Format::new().set_num_format("#,##0");
    let header = GEMEINDEN_SHEET.header_row - 1;
    let result = (|| -> Result<(), XlsxError> {
        ws.write_string_with_format(
            0,
            0,
            format!(
                "{title} (fiktiv), Land Nordrhein-Westfalen, Stand: {}",
                sample_stichtag().german()
            ),
            &title_fmt,
        )?;
        for (c, (name, width)) in GEMEINDEN_COLUMNS.iter().enumerate() {
            ws.set_column_width(c as u16, *width)?;
            ws.write_string_with_format(header, c as u16, *name, &header_fmt)?;
        }
        for (i, g) in sample_gemeinden().iter().enumerate() {
            let r = header + 1 + i as u32;
            ws.write_string(r, 0, g.ags)?;
            ws.write_string(r, 1, g.name)?;
            ws.write_string(r, 2, g.vergleichsraum)?;
            ws.write_number_with_format(r, 3, g.einwohner, &thousands)?;
            ws.write_number_with_format(r, 4, g.mietwohnungen, &thousands)?;
            ws.write_number(r, 5, g.mietstufe)?;
        }
        Ok(())
    })();
    result.map_err(wrap)?;
    workbook.save(path).map_err(wrap)?;
    Ok(())
}
