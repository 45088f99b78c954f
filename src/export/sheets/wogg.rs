//! The WoGG-Vergleich sheet: the limits against the Wohngeld table plus Sicherheitszuschlag.

use crate::export::Ctx;
use crate::export::layout;
use crate::export::style::{self, DASH};
use rust_xlsxwriter::{Worksheet, XlsxError};

/// The WoGG-Vergleich sheet: per cell the concept limit next to the WoGG fallback
/// (Höchstbetrag + Sicherheitszuschlag, Klimakomponente per parameter), docs/METHOD.md §2.15, §4.
pub fn wogg_vergleich(ctx: &Ctx) -> Result<Worksheet, XlsxError> {
    let p = ctx.p();
    let mut ws = style::new_sheet(
        ctx,
        layout::WOGG_VERGLEICH,
        "Vergleich mit den Höchstbeträgen nach § 12 WoGG (Plausibilität und Rückfallgrenze)",
    )?;
    let f = &ctx.fmt;
    let first = ctx.an.cells.iter().find_map(|c| c.wogg.as_ref());
    ws.write_string_with_format(
        1,
        0,
        format!(
            "Rückfallgrenze bei Erkenntnisausfall: Höchstbetrag × (1 + {}) (BSG, 12.12.2013, B 4 AS 87/12 R); Klimakomponente: {} ({}). Mietstufe je Vergleichsraum: die höchste seiner Gemeinden.{}",
            crate::fmt::percent(p.wogg.surcharge),
            p.wogg.klima.label(),
            p.wogg.klima.formula(),
            first
                .map(|w| format!(
                    " Höchstbeträge ab {}; Quelle: {}.",
                    w.value.valid_from.german(),
                    w.value.source
                ))
                .unwrap_or_default()
        ),
        &f.note,
    )?;
    style::header_row(
        &mut ws,
        ctx,
        2,
        &[
            "Vergleichsraum",
            "Haushalt",
            "Mietstufe",
            "Höchstbetrag €",
            "Klimakomponente €",
            "WoGG-Grenze €",
            "Bruttokaltmiete Konzept €",
            "Konzept ÷ WoGG",
            "Hinweis",
        ],
    )?;
    style::widths(
        &mut ws,
        &[22.0, 12.0, 10.0, 13.0, 14.0, 13.0, 15.0, 12.0, 40.0],
    )?;
    ws.set_row_height(2, 30)?;
    let mut r = 3u32;
    let mut any_suppressed = false;
    for c in &ctx.an.cells {
        ws.write_string_with_format(r, 0, &c.vergleichsraum, &f.text)?;
        ws.write_string_with_format(r, 1, style::persons(c.household_size), &f.text)?;
        let suppressed = ctx.suppressed(c.n);
        any_suppressed |= suppressed;
        let hide = |v: Option<f64>| if suppressed { None } else { v };
        match &c.wogg {
            Some(w) => {
                style::int(&mut ws, ctx, r, 2, usize::from(w.mietstufe))?;
                ws.write_number_with_format(r, 3, w.value.table_value, &f.euro)?;
                ws.write_number_with_format(r, 4, w.value.klima, &f.euro)?;
                ws.write_number_with_format(r, 5, w.value.with_surcharge, &f.euro_bold)?;
                style::opt_num(
                    &mut ws,
                    ctx,
                    r,
                    6,
                    hide(c.limits.map(|l| l.gross_cold)),
                    &f.euro,
                )?;
                style::opt_num(&mut ws, ctx, r, 7, hide(w.ratio), &f.pct)?;
                let note = if suppressed {
                    format!("nicht ausgewiesen (n < {})", p.min_n)
                } else {
                    String::new()
                };
                ws.write_string_with_format(r, 8, note, &f.text)?;
            }
            None => {
                for cc in 2..=7 {
                    ws.write_string_with_format(r, cc, DASH, &f.center)?;
                }
                ws.write_string_with_format(
                    r,
                    8,
                    "keine Mietstufe oder keine Höchstbeträge für den Stichtag",
                    &f.text,
                )?;
            }
        }
        r += 1;
    }
    if any_suppressed {
        ws.write_string_with_format(r + 1, 0, ctx.suppression_note(), &f.note)?;
    }
    Ok(ws)
}
