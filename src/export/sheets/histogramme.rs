//! The Histogramme sheet: per cell a bin table and a stacked column chart.

use super::*;
use crate::export::Ctx;
use crate::export::layout::*;
use crate::export::style::{self, row};
use rust_xlsxwriter::{
    Chart, ChartFormat, ChartLegendPosition, ChartSolidFill, ChartType, Worksheet, XlsxError,
};

/// At most this many histograms (one per cell, in cell order).
pub const MAX_CHARTS: usize = 25;

/// Histogram bins with the reference value as an edge: (edges, counts, bins below ref).
fn bins(values: &[f64], reference: f64) -> (Vec<f64>, Vec<usize>, usize) {
    let (Some(&min), Some(&max)) = (values.first(), values.last()) else {
        return (Vec::new(), Vec::new(), 0);
    };
    const STEPS: [f64; 10] = [0.05, 0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 2.5, 5.0, 10.0];
    let span = (max - min).max(0.0);
    let raw = span / 12.0;
    let mut idx = STEPS
        .iter()
        .position(|s| *s >= raw)
        .unwrap_or(STEPS.len() - 1);
    loop {
        let w = STEPS[idx];
        let below = (((reference - min) / w).floor() as i64 + 1).max(0) as usize;
        let above = (((max - reference) / w).ceil() as i64).max(0) as usize;
        let total = below + above;
        if total <= 40 || idx + 1 == STEPS.len() {
            let total = total.max(1);
            let edges: Vec<f64> = (0..=total)
                .map(|k| reference + (k as f64 - below as f64) * w)
                .collect();
            let mut counts = vec![0usize; total];
            for &v in values {
                let pos = edges.partition_point(|e| *e < v);
                let b = pos.saturating_sub(1).min(total - 1);
                counts[b] += 1;
            }
            return (edges, counts, below);
        }
        idx += 1;
    }
}

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
        let all = prepared_values(ctx, c);
        let kept = &all[c.outliers.kept.0.min(all.len())..c.outliers.kept.1.min(all.len())];
        let (edges, counts, below) = bins(kept, reference);
        if counts.is_empty() {
            continue;
        }
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
        for (k, n) in counts.iter().enumerate() {
            let rr = first + row(k);
            ws.write_number_with_format(rr, 0, edges[k], &f.eur_m2)?;
            ws.write_number_with_format(rr, 1, edges[k + 1], &f.eur_m2)?;
            ws.write_string_with_format(
                rr,
                2,
                format!(
                    "{}–{}",
                    crate::fmt::number(edges[k], 2),
                    crate::fmt::number(edges[k + 1], 2)
                ),
                &f.text,
            )?;
            let (lo, hi) = if k < below { (*n, 0) } else { (0, *n) };
            style::int(&mut ws, ctx, rr, 3, lo)?;
            style::int(&mut ws, ctx, rr, 4, hi)?;
        }
        let last = first + row(counts.len()) - 1;
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
        r += row(counts.len().max(14)) + 4;
    }
    if charts == 0 {
        ws.write_string_with_format(r, 0, "keine darstellbaren Tabellenfelder", &f.note)?;
    }
    Ok(ws)
}

#[cfg(test)]
mod tests {
    use super::bins;

    #[test]
    fn reference_is_an_edge_and_counts_add_up() {
        let v: Vec<f64> = (0..100).map(|i| 5.0 + f64::from(i) * 0.031).collect();
        let reference = 6.01;
        let (edges, counts, below) = bins(&v, reference);
        assert_eq!(counts.iter().sum::<usize>(), v.len());
        assert!((edges[below] - reference).abs() < 1e-9);
        let n_below = v.iter().filter(|x| **x <= reference + 1e-12).count();
        assert_eq!(counts[..below].iter().sum::<usize>(), n_below);
        let (_, counts, _) = bins(&[4.0], 4.0);
        assert_eq!(counts.iter().sum::<usize>(), 1);
    }
}
