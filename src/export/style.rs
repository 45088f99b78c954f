//! Cell formats, page setup and small writing helpers shared by all sheets.

use super::Ctx;
use rust_xlsxwriter::{
    Color, Format, FormatAlign, FormatBorder, Formula, Url, Worksheet, XlsxError,
};

/// Placeholder for values that are not available or suppressed.
pub const DASH: &str = "–";

/// The formats of the workbook.
#[derive(Clone)]
pub struct Formats {
    /// Sheet title.
    pub title: Format,
    /// Sub-heading.
    pub heading: Format,
    /// Column header.
    pub header: Format,
    /// Plain text.
    pub text: Format,
    /// Wrapped text, top aligned.
    pub wrap: Format,
    /// Small grey note.
    pub note: Format,
    /// Bold text.
    pub bold: Format,
    /// Money `1.234,56 €`.
    pub euro: Format,
    /// Money, bold.
    pub euro_bold: Format,
    /// €/m² with two decimals.
    pub eur_m2: Format,
    /// Unrounded values with four decimals.
    pub dec4: Format,
    /// Area m².
    pub area: Format,
    /// Integer count.
    pub int: Format,
    /// Share as percent with one decimal.
    pub pct: Format,
    /// Plain number with up to six decimals (parameters).
    pub general: Format,
    /// Centered dash / placeholder.
    pub center: Format,
    /// Values removed as outliers (value sheet).
    pub muted: Format,
    /// Values used (value sheet).
    pub value: Format,
    /// Hyperlink.
    pub link: Format,
}

impl Formats {
    /// Builds the formats.
    pub fn new() -> Formats {
        let base = Format::new()
            .set_font_name("Calibri")
            .set_font_size(10)
            .set_align(FormatAlign::Top);
        let header = base
            .clone()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::Top)
            .set_background_color(Color::RGB(0xD9E1F2))
            .set_border_bottom(FormatBorder::Thin);
        Formats {
            title: base.clone().set_bold().set_font_size(14),
            heading: base.clone().set_bold().set_font_size(11),
            header,
            text: base.clone().set_align(FormatAlign::Top),
            wrap: base.clone().set_text_wrap().set_align(FormatAlign::Top),
            note: base
                .clone()
                .set_italic()
                .set_font_color(Color::RGB(0x595959))
                .set_font_size(9),
            bold: base.clone().set_bold(),
            euro: base.clone().set_num_format("#,##0.00 \"€\""),
            euro_bold: base.clone().set_bold().set_num_format("#,##0.00 \"€\""),
            eur_m2: base.clone().set_num_format("#,##0.00"),
            dec4: base.clone().set_num_format("#,##0.0000"),
            area: base.clone().set_num_format("#,##0.0"),
            int: base.clone().set_num_format("#,##0"),
            pct: base.clone().set_num_format("0.0%"),
            general: base.clone().set_num_format("0.######"),
            center: base.clone().set_align(FormatAlign::Center),
            muted: base
                .clone()
                .set_num_format("#,##0.0000")
                .set_italic()
                .set_font_color(Color::RGB(0xA6A6A6)),
            value: base.clone().set_num_format("#,##0.0000"),
            link: base
                .clone()
                .set_font_color(Color::RGB(0x0563C1))
                .set_underline(rust_xlsxwriter::FormatUnderline::Single),
        }
    }
}

/// A new worksheet with name, landscape A4 print setup fit to one page wide, header and
/// footer with page numbers, and the title in A1.
pub fn new_sheet(ctx: &Ctx, name: &str, title: &str) -> Result<Worksheet, XlsxError> {
    let mut ws = Worksheet::new();
    ws.set_name(name)?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_margins(0.5, 0.5, 0.75, 0.75, 0.3, 0.3);
    let project = header_text(&ctx.lp.project.project.name, 80);
    ws.set_header(format!("&L&\"-,Bold\"{project}&R&A"));
    ws.set_footer(format!(
        "&LKdU-Konzept {} – {}&CSeite &P von &N&R{}",
        env!("CARGO_PKG_VERSION"),
        ctx.opts.variant.german(),
        super::creation_date(ctx.lp).german()
    ));
    ws.write_string_with_format(0, 0, title, &ctx.fmt.title)?;
    Ok(ws)
}

/// Escapes `&` for header/footer codes and shortens to `max` characters.
fn header_text(text: &str, max: usize) -> String {
    let short: String = text.chars().take(max).collect();
    short.replace('&', "&&")
}

/// Writes a header row, freezes the panes below it and repeats it on every printed page.
pub fn header_row(
    ws: &mut Worksheet,
    ctx: &Ctx,
    row: u32,
    headers: &[&str],
) -> Result<(), XlsxError> {
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(row, col(c), *h, &ctx.fmt.header)?;
    }
    ws.set_freeze_panes(row + 1, 0)?;
    ws.set_repeat_rows(row, row)?;
    Ok(())
}

/// Writes a header row without freezing (for second tables on a sheet).
pub fn sub_header_row(
    ws: &mut Worksheet,
    ctx: &Ctx,
    row: u32,
    headers: &[&str],
) -> Result<(), XlsxError> {
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(row, col(c), *h, &ctx.fmt.header)?;
    }
    Ok(())
}

/// Sets column widths from a list (in characters).
pub fn widths(ws: &mut Worksheet, widths: &[f64]) -> Result<(), XlsxError> {
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(col(c), *w)?;
    }
    Ok(())
}

/// Column index as `u16` (saturating; sheets never get that wide).
pub fn col(c: usize) -> u16 {
    u16::try_from(c).unwrap_or(u16::MAX)
}

/// Row index as `u32` (saturating).
pub fn row(r: usize) -> u32 {
    u32::try_from(r).unwrap_or(u32::MAX)
}

/// Writes a number, or a dash when `None` or not finite.
pub fn opt_num(
    ws: &mut Worksheet,
    ctx: &Ctx,
    r: u32,
    c: u16,
    v: Option<f64>,
    f: &Format,
) -> Result<(), XlsxError> {
    match v {
        Some(x) if x.is_finite() => {
            ws.write_number_with_format(r, c, x, f)?;
        }
        _ => {
            ws.write_string_with_format(r, c, DASH, &ctx.fmt.center)?;
        }
    }
    Ok(())
}

/// Writes a count.
pub fn int(ws: &mut Worksheet, ctx: &Ctx, r: u32, c: u16, n: usize) -> Result<(), XlsxError> {
    ws.write_number_with_format(r, c, n as f64, &ctx.fmt.int)?;
    Ok(())
}

/// Writes a formula with the program's value as cached result (non-recalculating readers
/// see the right number). A missing or non-finite value writes a dash instead.
pub fn formula(
    ws: &mut Worksheet,
    ctx: &Ctx,
    r: u32,
    c: u16,
    text: &str,
    cached: Option<f64>,
    f: &Format,
) -> Result<(), XlsxError> {
    match cached {
        Some(v) if v.is_finite() => {
            ws.write_formula_with_format(r, c, Formula::new(text).set_result(cached_text(v)), f)?;
        }
        _ => {
            ws.write_string_with_format(r, c, DASH, &ctx.fmt.center)?;
        }
    }
    Ok(())
}

/// The cached-result text of a number: the shortest representation that reads back to the
/// same `f64` (no exponent, so every reader parses it).
pub fn cached_text(v: f64) -> String {
    if v == 0.0 {
        "0".to_string()
    } else {
        format!("{v}")
    }
}

/// Writes a link to a place in the workbook (`'Sheet'!A1`).
pub fn internal_link(
    ws: &mut Worksheet,
    ctx: &Ctx,
    r: u32,
    c: u16,
    sheet: &str,
    cell: &str,
    text: &str,
) -> Result<(), XlsxError> {
    let url = Url::new(format!("internal:'{sheet}'!{cell}")).set_text(text);
    ws.write_url_with_format(r, c, url, &ctx.fmt.link)?;
    Ok(())
}

/// A sheet-qualified absolute range, e.g. `'Werte'!$B$6:$B$120` (0-based rows/cols).
pub fn sheet_range(sheet: &str, first_row: u32, c: u16, last_row: u32) -> String {
    format!(
        "'{sheet}'!{}",
        rust_xlsxwriter::utility::cell_range_absolute(first_row, c, last_row, c)
    )
}

/// A same-sheet relative cell reference such as `D7`.
pub fn cell_ref(r: u32, c: u16) -> String {
    rust_xlsxwriter::utility::row_col_to_cell(r, c)
}

pub use crate::fmt::{class_text, persons};

/// Approximate row height in points for `text` wrapped in a column `width` characters wide.
pub fn wrapped_height(text: &str, width: f64) -> f64 {
    let per_line = (width * 1.1).max(10.0);
    let lines: f64 = text
        .split('\n')
        .map(|l| ((l.chars().count() as f64) / per_line).ceil().max(1.0))
        .sum();
    (lines * 13.0).clamp(15.0, 409.0)
}
