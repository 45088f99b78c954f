//! The Werte sheet (Prüfmappe): NKM/m² per cell, sorted, with outliers greyed.

use crate::export::Ctx;
use crate::export::layout::DATA_ROW;
use crate::export::layout::ValueLayout;
use crate::export::layout::WERTE;
use crate::export::style::{self, col, row};
use rust_xlsxwriter::{Worksheet, XlsxError};

/// The pseudonym of a source row: the first 12 hex digits of SHA-256 over salt, source and
/// row; or, with `include_ids`, "Q<source>-Z<row>".
pub fn row_id(ctx: &Ctx, source: u16, line: u32) -> String {
    if ctx.opts.include_ids {
        format!("Q{}-Z{line}", u32::from(source) + 1)
    } else {
        let salt = &ctx.lp.project.project.salt;
        let h = crate::io_util::sha256_hex(format!("{salt}\u{1f}{source}\u{1f}{line}").as_bytes());
        format!("P-{}", &h[..12.min(h.len())])
    }
}

/// The `Werte` sheet.
pub fn werte(ctx: &Ctx, layout: &ValueLayout) -> Result<Worksheet, XlsxError> {
    let mut ws = style::new_sheet(
        ctx,
        WERTE,
        "Werte: Nettokaltmiete je m² je Tabellenfeld (aufsteigend sortiert)",
    )?;
    let id_note = if ctx.opts.include_ids {
        "Kennung = Quelle und Zeile der Quelldatei (Q<Nr>-Z<Zeile>)."
    } else {
        "Kennung = Pseudonym (SHA-256 aus projektspezifischem Salz, Quelle und Zeile); keine Namen oder Anschriften."
    };
    ws.write_string_with_format(
        1,
        0,
        format!(
            "Je Tabellenfeld alle Werte vor der Extremwertkappung. Grau = als Extremwert entfernt (oben und unten); die schwarzen Werte dazwischen gehen in die Referenzmiete ein. {id_note}"
        ),
        &ctx.fmt.note,
    )?;
    for (i, (c, cv)) in ctx.an.cells.iter().zip(&layout.cells).enumerate() {
        let id_col = col(2 * i);
        ws.write_string_with_format(2, id_col, &c.vergleichsraum, &ctx.fmt.bold)?;
        ws.write_string_with_format(
            3,
            id_col,
            format!(
                "{} · n = {}, verwendet {}",
                style::persons(c.household_size),
                cv.n_all,
                cv.n_kept()
            ),
            &ctx.fmt.text,
        )?;
        ws.write_string_with_format(4, id_col, "Kennung", &ctx.fmt.header)?;
        ws.write_string_with_format(4, cv.col, "NKM €/m²", &ctx.fmt.header)?;
        ws.set_column_width(id_col, 16)?;
        ws.set_column_width(cv.col, 11)?;
        let Some(pc) = ctx.prep.cell(c.vr, c.household_size as usize - 1) else {
            continue;
        };
        for (k, (&v, &rec)) in pc.values.iter().zip(&pc.records).enumerate() {
            let r = DATA_ROW + row(k);
            if let Some(record) = ctx.lp.data.records.get(rec as usize) {
                ws.write_string_with_format(
                    r,
                    id_col,
                    row_id(ctx, record.source, record.row),
                    &ctx.fmt.text,
                )?;
            }
            let f = if k >= cv.kept.0 && k < cv.kept.1 {
                &ctx.fmt.value
            } else {
                &ctx.fmt.muted
            };
            ws.write_number_with_format(r, cv.col, v, f)?;
        }
    }
    ws.set_freeze_panes(DATA_ROW, 0)?;
    ws.set_repeat_rows(2, 4)?;
    Ok(ws)
}
