//! The Histogramme sheet: per cell a bin table and a stacked column chart.

use super::prepared_values;
use crate::analysis::histogram::histogram;
use crate::export::Ctx;
use crate::export::layout::HISTOGRAMME;
use crate::export::style::{self, row};
use rust_xlsxwriter::{
    Chart, ChartFormat, ChartLegendPosition, ChartSolidFill, ChartType, Worksheet, XlsxError,
};

/// At most this many histograms (one per cell, in cell order).
pub const MAX_CHARTS: usize = 25;

/// The Histogramme sheet: per cell a small bin table and a stacked column chart that
/// colours the bins up to the Referenzmiete.
pub fn histogramme(ctx: &Ctx) -> Result<Worksheet, XlsxError> {
    let mut ws = style::new_sheet(
        ctx,
        HISTOGRAMME,
        "Histogramme: Nettokaltmiete je m² je Tabellenfeld (nach Extremwertkappung)",
    )?;
    let f = &ctx.fmt;
    ws.write_string_with_format(
        1,
        0,
        format!(
            "Klassen (a; b]; die Referenzmiete ist eine Klassengrenze: dunkel = bis zur Referenzmiete, hell = darüber. Höchstens {MAX_CHARTS} Tabellenfelder.{}",
            if ctx.pruef() {
                ""
            } else {
                " Tabellenfelder unter der Mindestfallzahl werden nicht dargestellt."
            }
        ),
        &f.note,
    )?;
    style::widths(&mut ws, &[10.0, 10.0, 14.0, 14.0, 14.0])?;
    let mut r = 3u32;
    let mut charts = 0usize;
    for c in &ctx.an.cells {
        if charts >= MAX_CHARTS {
            break;
        }
        let Some(reference) = c.net_rent_per_m2 else {
            continue;
        };
        if c.n == 0 || ctx.suppressed(c.n) {
            continue;
        }
        // The bins of the app's plot (all values, Referenzmiete as an edge); the sheet shows
        // the values kept after the outlier rule, from the first to the last bin holding one.
        let all_bins = histogram(prepared_values(ctx, c), c.outliers.kept, Some(reference));
        let Some(lo) = all_bins.iter().position(|b| b.kept > 0) else {
            continue;
        };
        let hi = all_bins.iter().rposition(|b| b.kept > 0).unwrap_or(lo);
        let bins = &all_bins[lo..=hi];
        charts += 1;
        let title = format!(
            "{} · {}: n = {}, Referenzmiete {} €/m²",
            c.vergleichsraum,
            style::persons(c.household_size),
            c.n,
            crate::fmt::number(reference, 2)
        );
        ws.write_string_with_format(r, 0, &title, &f.bold)?;
        style::sub_header_row(
            &mut ws,
            ctx,
            r + 1,
            &[
                "von €/m²",
                "bis €/m²",
                "Klasse",
                "bis Referenzmiete",
                "über Referenzmiete",
            ],
        )?;
        ws.set_row_height(r + 1, 28)?;
        let first = r + 2;
        for (k, b) in bins.iter().enumerate() {
            let rr = first + row(k);
            ws.write_number_with_format(rr, 0, b.start, &f.eur_m2)?;
            ws.write_number_with_format(rr, 1, b.end, &f.eur_m2)?;
            ws.write_string_with_format(
                rr,
                2,
                format!(
                    "{}–{}",
                    crate::fmt::number(b.start, 2),
                    crate::fmt::number(b.end, 2)
                ),
                &f.text,
            )?;
            let (lo, hi) = if b.end <= reference {
                (b.kept, 0)
            } else {
                (0, b.kept)
            };
            style::int(&mut ws, ctx, rr, 3, lo)?;
            style::int(&mut ws, ctx, rr, 4, hi)?;
        }
        let last = first + row(bins.len()) - 1;
        let mut chart = Chart::new(ChartType::ColumnStacked);
        for (c_idx, name, color) in [
            (3u16, "bis Referenzmiete", 0x2F5597u32),
            (4u16, "über Referenzmiete", 0xBFBFBF),
        ] {
            chart
                .add_series()
                .set_name(name)
                .set_categories((HISTOGRAMME, first, 2, last, 2))
                .set_values((HISTOGRAMME, first, c_idx, last, c_idx))
                .set_format(
                    ChartFormat::new().set_solid_fill(ChartSolidFill::new().set_color(color)),
                )
                .set_gap(10);
        }
        chart.title().set_name(&title);
        chart.x_axis().set_name("Nettokaltmiete €/m²");
        chart.y_axis().set_name("Anzahl");
        chart.legend().set_position(ChartLegendPosition::Bottom);
        chart.set_width(620).set_height(300);
        ws.insert_chart(r, 6, &chart)?;
        r += row(bins.len().max(14)) + 4;
    }
    if charts == 0 {
        ws.write_string_with_format(r, 0, "keine darstellbaren Tabellenfelder", &f.note)?;
    }
    Ok(ws)
}
