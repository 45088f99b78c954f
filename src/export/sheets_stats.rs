//! Extremwerte, Verteilungen, Histogramme and Betriebskosten.

use super::Ctx;
use super::style::{self, DASH, col, row};
use super::values::CellValues;
use crate::analysis::compute::CellResult;
use crate::analysis::quantile::excel_formula;
use crate::analysis::stats::{mean, sample_sd};
use crate::model::params::{BkLevel, OutlierMethod, ReferenceMethod, round_cents};
use rust_xlsxwriter::{
    Chart, ChartFormat, ChartLegendPosition, ChartSolidFill, ChartType, Worksheet, XlsxError,
};

/// Sheet name of the histograms.
pub const HISTOGRAMME: &str = "Histogramme";
/// At most this many histograms (one per cell, in cell order).
pub const MAX_CHARTS: usize = 25;

fn cell_values<'a>(ctx: &'a Ctx, i: usize) -> Option<&'a CellValues> {
    ctx.values.as_ref().and_then(|l| l.cells.get(i))
}

fn prepared_values<'a>(ctx: &'a Ctx, c: &CellResult) -> &'a [f64] {
    ctx.prep
        .cell(c.vr, c.household_size as usize - 1)
        .map_or(&[][..], |pc| pc.values.as_slice())
}

fn write_cell_head(ws: &mut Worksheet, ctx: &Ctx, r: u32, c: &CellResult) -> Result<(), XlsxError> {
    ws.write_string_with_format(r, 0, &c.vergleichsraum, &ctx.fmt.text)?;
    ws.write_string_with_format(r, 1, style::persons(c.household_size), &ctx.fmt.text)?;
    ws.write_string_with_format(
        r,
        2,
        style::class_text(c.class_lower, c.class_upper),
        &ctx.fmt.text,
    )?;
    Ok(())
}

/// The Extremwerte sheet: per cell mean and SD before trimming, bounds, removed counts.
pub fn extremwerte(ctx: &Ctx) -> Result<Worksheet, XlsxError> {
    let p = ctx.p();
    let o = &p.outliers;
    let mut ws = style::new_sheet(
        ctx,
        "Extremwerte",
        "Extremwertkappung je Tabellenfeld (Nettokaltmiete je m²)",
    )?;
    let f = &ctx.fmt;
    let rule = match o.method {
        OutlierMethod::None => "Keine Extremwertkappung.".to_string(),
        OutlierMethod::MeanSd => format!(
            "Regel: Werte außerhalb Mittelwert ± {} × Standardabweichung (Stichprobe, n − 1) des Tabellenfelds werden entfernt; ein Durchgang.",
            crate::fmt::number(o.k, 2)
        ),
        OutlierMethod::Trim => format!(
            "Regel: je Seite werden {} der Werte abgeschnitten.",
            crate::fmt::percent(o.trim_share)
        ),
        OutlierMethod::Iqr => format!(
            "Regel: Werte außerhalb Q1 − {k} × IQR bis Q3 + {k} × IQR werden entfernt.",
            k = crate::fmt::number(o.iqr_k, 2)
        ),
        OutlierMethod::Absolute => format!(
            "Regel: Werte unter {} €/m² oder über {} €/m² werden entfernt.",
            crate::fmt::number(o.abs_min, 2),
            crate::fmt::number(o.abs_max, 2)
        ),
    };
    ws.write_string_with_format(
        1,
        0,
        format!(
            "{rule} Mittelwert und Standardabweichung vor der Kappung.{}",
            if ctx.pruef() {
                " Grenzen und Anzahlen sind Formeln über das Blatt „Werte“ (Spalte des Tabellenfelds, alle Werte)."
            } else {
                ""
            }
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
            "Größenklasse",
            "n vor Kappung",
            "Mittelwert €/m²",
            "Standardabweichung",
            "untere Grenze €/m²",
            "obere Grenze €/m²",
            "entfernt unten",
            "entfernt oben",
            "n nach Kappung",
            "Hinweis",
        ],
    )?;
    style::widths(
        &mut ws,
        &[
            22.0, 12.0, 18.0, 11.0, 12.0, 14.0, 13.0, 13.0, 11.0, 11.0, 12.0, 36.0,
        ],
    )?;
    ws.set_row_height(2, 30)?;
    let qt = p.quantile_type;
    let mut r = 3u32;
    let mut any_suppressed = false;
    for (i, c) in ctx.an.cells.iter().enumerate() {
        write_cell_head(&mut ws, ctx, r, c)?;
        let values = prepared_values(ctx, c);
        let n_all = values.len();
        let m = mean(values);
        let sd = sample_sd(values);
        let suppressed = ctx.suppressed(c.n);
        any_suppressed |= suppressed;
        let lower = c.outliers.lower.is_finite().then_some(c.outliers.lower);
        let upper = c.outliers.upper.is_finite().then_some(c.outliers.upper);
        let all = cell_values(ctx, i).and_then(CellValues::all_range);
        let (e, fr, g, h, d) = (
            style::cell_ref(r, 4),
            style::cell_ref(r, 5),
            style::cell_ref(r, 6),
            style::cell_ref(r, 7),
            style::cell_ref(r, 3),
        );
        match (&all, suppressed) {
            (Some(all), _) => {
                style::formula(
                    &mut ws,
                    ctx,
                    r,
                    3,
                    &format!("COUNT({all})"),
                    Some(n_all as f64),
                    &f.int,
                )?;
                style::formula(&mut ws, ctx, r, 4, &format!("AVERAGE({all})"), m, &f.dec4)?;
                if n_all >= 2 {
                    style::formula(&mut ws, ctx, r, 5, &format!("STDEV.S({all})"), sd, &f.dec4)?;
                } else {
                    style::opt_num(&mut ws, ctx, r, 5, sd, &f.dec4)?;
                }
                let bounds: Option<(String, String)> = match o.method {
                    OutlierMethod::MeanSd => Some((
                        format!("{e}-KdU_Ausreisser_k*{fr}"),
                        format!("{e}+KdU_Ausreisser_k*{fr}"),
                    )),
                    OutlierMethod::Iqr => {
                        let q1 = excel_formula(qt, all, n_all, "0.25");
                        let q3 = excel_formula(qt, all, n_all, "0.75");
                        Some((
                            format!("{q1}-KdU_IQR_k*({q3}-{q1})"),
                            format!("{q3}+KdU_IQR_k*({q3}-{q1})"),
                        ))
                    }
                    OutlierMethod::Absolute => {
                        Some(("KdU_Grenze_min".to_string(), "KdU_Grenze_max".to_string()))
                    }
                    OutlierMethod::Trim => Some((
                        format!("SMALL({all},{})", c.outliers.kept.0 + 1),
                        format!("SMALL({all},{})", c.outliers.kept.1.max(1)),
                    )),
                    OutlierMethod::None => None,
                };
                match (bounds, lower, upper) {
                    (Some((lo_f, hi_f)), Some(lo), Some(hi)) => {
                        style::formula(&mut ws, ctx, r, 6, &lo_f, Some(lo), &f.dec4)?;
                        style::formula(&mut ws, ctx, r, 7, &hi_f, Some(hi), &f.dec4)?;
                        if o.method == OutlierMethod::Trim {
                            style::int(&mut ws, ctx, r, 8, c.outliers.n_low)?;
                            style::int(&mut ws, ctx, r, 9, c.outliers.n_high)?;
                        } else {
                            style::formula(
                                &mut ws,
                                ctx,
                                r,
                                8,
                                &format!("COUNTIF({all},\"<\"&{g})"),
                                Some(c.outliers.n_low as f64),
                                &f.int,
                            )?;
                            style::formula(
                                &mut ws,
                                ctx,
                                r,
                                9,
                                &format!("COUNTIF({all},\">\"&{h})"),
                                Some(c.outliers.n_high as f64),
                                &f.int,
                            )?;
                        }
                    }
                    _ => {
                        style::opt_num(&mut ws, ctx, r, 6, lower, &f.dec4)?;
                        style::opt_num(&mut ws, ctx, r, 7, upper, &f.dec4)?;
                        style::int(&mut ws, ctx, r, 8, c.outliers.n_low)?;
                        style::int(&mut ws, ctx, r, 9, c.outliers.n_high)?;
                    }
                }
                let (ic, jc) = (style::cell_ref(r, 8), style::cell_ref(r, 9));
                style::formula(
                    &mut ws,
                    ctx,
                    r,
                    10,
                    &format!("{d}-{ic}-{jc}"),
                    Some(c.n as f64),
                    &f.int,
                )?;
            }
            (None, suppressed) => {
                style::int(&mut ws, ctx, r, 3, n_all)?;
                let hide = |v: Option<f64>| if suppressed { None } else { v };
                style::opt_num(&mut ws, ctx, r, 4, hide(m), &f.dec4)?;
                style::opt_num(&mut ws, ctx, r, 5, hide(sd), &f.dec4)?;
                style::opt_num(&mut ws, ctx, r, 6, hide(lower), &f.dec4)?;
                style::opt_num(&mut ws, ctx, r, 7, hide(upper), &f.dec4)?;
                style::int(&mut ws, ctx, r, 8, c.outliers.n_low)?;
                style::int(&mut ws, ctx, r, 9, c.outliers.n_high)?;
                style::int(&mut ws, ctx, r, 10, c.n)?;
            }
        }
        let note = if suppressed {
            format!("nicht ausgewiesen (n < {})", p.min_n)
        } else if n_all == 0 {
            "keine Werte".to_string()
        } else {
            String::new()
        };
        ws.write_string_with_format(r, 11, note, &f.text)?;
        r += 1;
    }
    if any_suppressed {
        ws.write_string_with_format(r + 1, 0, ctx.suppression_note(), &f.note)?;
    }
    Ok(ws)
}

/// Decile labels.
const DECILES: [&str; 9] = [
    "P10", "P20", "P30", "P40", "P50", "P60", "P70", "P80", "P90",
];

/// The Verteilungen sheet: statistics after outlier removal, deciles, chosen percentile and
/// its confidence interval.
pub fn verteilungen(ctx: &Ctx) -> Result<Worksheet, XlsxError> {
    let p = ctx.p();
    let mut ws = style::new_sheet(
        ctx,
        "Verteilungen",
        "Verteilungen der Nettokaltmiete je m² nach der Extremwertkappung",
    )?;
    let f = &ctx.fmt;
    ws.write_string_with_format(
        1,
        0,
        format!(
            "Quantildefinition: {}. Konfidenzintervall: verteilungsfrei aus Ordnungsstatistiken (X_(l), X_(u)) mit mindestens {} Überdeckung.{}",
            p.quantile_type.german(),
            crate::fmt::percent(p.ci_level),
            if ctx.pruef() {
                " Alle Kennzahlen sind Formeln über die verwendeten Werte im Blatt „Werte“."
            } else {
                ""
            }
        ),
        &f.note,
    )?;
    let mut headers: Vec<&str> = vec![
        "Vergleichsraum",
        "Haushalt",
        "Größenklasse",
        "n",
        "Mittelwert",
        "Standardabweichung",
        "Minimum",
    ];
    headers.extend(DECILES);
    headers.extend([
        "Maximum",
        "Perzentil p",
        "Referenzmiete €/m² (ungerundet)",
        "Referenzmiete €/m² (verwendet)",
        "KI-Überdeckung",
        "KI untere Grenze",
        "KI obere Grenze",
        "Hinweise",
    ]);
    style::header_row(&mut ws, ctx, 2, &headers)?;
    let mut w = vec![22.0, 12.0, 18.0, 8.0, 10.0, 12.0, 10.0];
    w.extend([8.5; 9]);
    w.extend([10.0, 10.0, 14.0, 14.0, 11.0, 11.0, 11.0, 36.0]);
    style::widths(&mut ws, &w)?;
    ws.set_row_height(2, 42)?;
    let qt = p.quantile_type;
    let mut r = 3u32;
    let mut any_suppressed = false;
    for (i, c) in ctx.an.cells.iter().enumerate() {
        write_cell_head(&mut ws, ctx, r, c)?;
        let suppressed = ctx.suppressed(c.n);
        any_suppressed |= suppressed;
        let kept = cell_values(ctx, i).and_then(CellValues::kept_range);
        let s = c.summary.as_ref();
        let hide = |v: Option<f64>| if suppressed { None } else { v };
        let single = |v: Option<f64>| if ctx.pruef() { v } else { None };
        let c_max = col(7 + DECILES.len());
        let c_p = c_max + 1;
        let c_raw = c_p + 1;
        let c_used = c_raw + 1;
        let c_cov = c_used + 1;
        let c_lo = c_cov + 1;
        let c_hi = c_lo + 1;
        let c_note = c_hi + 1;
        match &kept {
            Some(range) => {
                let n = c.n;
                style::formula(
                    &mut ws,
                    ctx,
                    r,
                    3,
                    &format!("COUNT({range})"),
                    Some(n as f64),
                    &f.int,
                )?;
                style::formula(
                    &mut ws,
                    ctx,
                    r,
                    4,
                    &format!("AVERAGE({range})"),
                    s.map(|s| s.mean),
                    &f.dec4,
                )?;
                if n >= 2 {
                    style::formula(
                        &mut ws,
                        ctx,
                        r,
                        5,
                        &format!("STDEV.S({range})"),
                        s.map(|s| s.sd),
                        &f.dec4,
                    )?;
                } else {
                    style::opt_num(&mut ws, ctx, r, 5, s.map(|s| s.sd), &f.dec4)?;
                }
                style::formula(
                    &mut ws,
                    ctx,
                    r,
                    6,
                    &format!("MIN({range})"),
                    s.map(|s| s.min),
                    &f.dec4,
                )?;
                for k in 0..DECILES.len() {
                    let pk = format!("0.{}", k + 1);
                    style::formula(
                        &mut ws,
                        ctx,
                        r,
                        col(7 + k),
                        &excel_formula(qt, range, n, &pk),
                        s.map(|s| s.deciles[k]),
                        &f.dec4,
                    )?;
                }
                style::formula(
                    &mut ws,
                    ctx,
                    r,
                    c_max,
                    &format!("MAX({range})"),
                    s.map(|s| s.max),
                    &f.dec4,
                )?;
                let p_ref = match (p.reference.method, c.p) {
                    (ReferenceMethod::Iterative, Some(pc)) => format!("{pc}"),
                    _ => "KdU_p_Referenz".to_string(),
                };
                if c.p.is_some() {
                    style::formula(&mut ws, ctx, r, c_p, &p_ref, c.p, &f.pct)?;
                } else {
                    ws.write_string_with_format(r, c_p, DASH, &f.center)?;
                }
                let raw_f = match p.reference.method {
                    ReferenceMethod::Mean => format!("AVERAGE({range})"),
                    _ => excel_formula(qt, range, n, &p_ref),
                };
                if c.weighted {
                    // Weighted quantiles/means have no Excel equivalent: values only.
                    style::opt_num(&mut ws, ctx, r, c_raw, c.net_rent_per_m2_raw, &f.dec4)?;
                } else {
                    style::formula(
                        &mut ws,
                        ctx,
                        r,
                        c_raw,
                        &raw_f,
                        c.net_rent_per_m2_raw,
                        &f.dec4,
                    )?;
                }
                let raw_ref = style::cell_ref(r, c_raw);
                let used_f = if p.reference.round_per_m2 {
                    format!("ROUND({raw_ref},2)")
                } else {
                    raw_ref
                };
                style::formula(
                    &mut ws,
                    ctx,
                    r,
                    c_used,
                    &used_f,
                    c.net_rent_per_m2,
                    &f.eur_m2,
                )?;
                match &c.ci {
                    Some(ci) => {
                        ws.write_number_with_format(r, c_cov, ci.coverage, &f.pct)?;
                        style::formula(
                            &mut ws,
                            ctx,
                            r,
                            c_lo,
                            &format!("SMALL({range},{})", ci.lower_rank),
                            Some(ci.lower),
                            &f.dec4,
                        )?;
                        style::formula(
                            &mut ws,
                            ctx,
                            r,
                            c_hi,
                            &format!("SMALL({range},{})", ci.upper_rank),
                            Some(ci.upper),
                            &f.dec4,
                        )?;
                    }
                    None => {
                        for cc in [c_cov, c_lo, c_hi] {
                            ws.write_string_with_format(r, cc, DASH, &f.center)?;
                        }
                    }
                }
            }
            None => {
                style::int(&mut ws, ctx, r, 3, c.n)?;
                style::opt_num(&mut ws, ctx, r, 4, hide(s.map(|s| s.mean)), &f.dec4)?;
                style::opt_num(&mut ws, ctx, r, 5, hide(s.map(|s| s.sd)), &f.dec4)?;
                style::opt_num(&mut ws, ctx, r, 6, hide(single(s.map(|s| s.min))), &f.dec4)?;
                for k in 0..DECILES.len() {
                    style::opt_num(
                        &mut ws,
                        ctx,
                        r,
                        col(7 + k),
                        hide(s.map(|s| s.deciles[k])),
                        &f.dec4,
                    )?;
                }
                style::opt_num(
                    &mut ws,
                    ctx,
                    r,
                    c_max,
                    hide(single(s.map(|s| s.max))),
                    &f.dec4,
                )?;
                style::opt_num(&mut ws, ctx, r, c_p, c.p, &f.pct)?;
                style::opt_num(&mut ws, ctx, r, c_raw, hide(c.net_rent_per_m2_raw), &f.dec4)?;
                style::opt_num(&mut ws, ctx, r, c_used, hide(c.net_rent_per_m2), &f.eur_m2)?;
                style::opt_num(
                    &mut ws,
                    ctx,
                    r,
                    c_cov,
                    hide(c.ci.map(|ci| ci.coverage)),
                    &f.pct,
                )?;
                style::opt_num(
                    &mut ws,
                    ctx,
                    r,
                    c_lo,
                    hide(c.ci.map(|ci| ci.lower)),
                    &f.dec4,
                )?;
                style::opt_num(
                    &mut ws,
                    ctx,
                    r,
                    c_hi,
                    hide(c.ci.map(|ci| ci.upper)),
                    &f.dec4,
                )?;
            }
        }
        let note = if suppressed {
            format!("nicht ausgewiesen (n < {})", p.min_n)
        } else {
            let mut v: Vec<&str> = c.flags.iter().map(|fl| fl.german()).collect();
            if c.weighted {
                v.push("gewichtet nach Vermietertyp (Referenzmiete als Wert)");
            }
            v.join("; ")
        };
        ws.write_string_with_format(r, c_note, note, &f.text)?;
        r += 1;
    }
    r += 1;
    if !ctx.pruef() || any_suppressed {
        ws.write_string_with_format(r, 0, ctx.suppression_note(), &f.note)?;
    }
    Ok(ws)
}

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

/// The Betriebskosten sheet.
pub fn betriebskosten(ctx: &Ctx) -> Result<Worksheet, XlsxError> {
    let p = ctx.p();
    let oc = &p.operating_costs;
    let mut ws = style::new_sheet(ctx, "Betriebskosten", "Kalte Betriebskosten je m²")?;
    let f = &ctx.fmt;
    let stat = match oc.statistic {
        crate::model::params::BkStatistic::Percentile => {
            format!("{}-Perzentil", crate::fmt::number(oc.percentile * 100.0, 1))
        }
        other => super::overview::bk_statistic_german(other).to_string(),
    };
    ws.write_string_with_format(
        1,
        0,
        format!(
            "Statistik: {stat} {} aus denselben Datensätzen wie die Nettokaltmieten (in Tabellenfeldern, vor der Extremwertkappung); plausibel nur {}–{} €/m² (F+B Bremen).{} Je weitere Person: immer der Wert des Vergleichsraums.",
            match oc.level {
                BkLevel::Vergleichsraum => "je Vergleichsraum",
                BkLevel::Cell => "je Tabellenfeld",
            },
            crate::fmt::number(p.plausibility.bk_per_m2_min, 2),
            crate::fmt::number(p.plausibility.bk_per_m2_max, 2),
            if oc.lift_split {
                " Getrennt nach Gebäuden ohne und mit Aufzug (Kreis Düren); „ohne“ umfasst auch unbekannt."
            } else {
                ""
            }
        ),
        &f.note,
    )?;
    style::header_row(
        &mut ws,
        ctx,
        2,
        &[
            "Vergleichsraum",
            "Ebene",
            "n plausibel",
            "davon ohne Aufzug",
            "davon mit Aufzug",
            "BK fehlen",
            "BK unplausibel",
            "BK €/m² (ungerundet)",
            "BK €/m² (verwendet)",
            "mit Aufzug €/m² (ungerundet)",
            "mit Aufzug €/m² (verwendet)",
            "Hinweis",
        ],
    )?;
    style::widths(
        &mut ws,
        &[
            22.0, 16.0, 11.0, 11.0, 11.0, 10.0, 11.0, 13.0, 13.0, 13.0, 13.0, 30.0,
        ],
    )?;
    ws.set_row_height(2, 30)?;
    let round = p.reference.round_per_m2;
    let used = |v: Option<f64>| v.map(|x| if round { round_cents(x) } else { x });
    let mut r = 3u32;
    let mut rows: Vec<(String, String, &crate::analysis::compute::BkResult)> = ctx
        .an
        .vergleichsraeume
        .iter()
        .map(|v| (v.name.clone(), "Vergleichsraum".to_string(), &v.bk))
        .collect();
    if oc.level == BkLevel::Cell {
        rows.extend(ctx.an.cells.iter().map(|c| {
            (
                c.vergleichsraum.clone(),
                style::persons(c.household_size),
                &c.bk,
            )
        }));
    }
    let mut any_suppressed = false;
    for (name, level, bk) in rows {
        let suppressed = ctx.suppressed(bk.n);
        any_suppressed |= suppressed;
        let hide = |v: Option<f64>| if suppressed { None } else { v };
        ws.write_string_with_format(r, 0, &name, &f.text)?;
        ws.write_string_with_format(r, 1, &level, &f.text)?;
        style::int(&mut ws, ctx, r, 2, bk.n)?;
        style::int(&mut ws, ctx, r, 3, bk.n_split.0)?;
        style::int(&mut ws, ctx, r, 4, bk.n_split.1)?;
        style::int(&mut ws, ctx, r, 5, bk.n_missing)?;
        style::int(&mut ws, ctx, r, 6, bk.n_implausible)?;
        style::opt_num(&mut ws, ctx, r, 7, hide(bk.per_m2), &f.dec4)?;
        style::opt_num(&mut ws, ctx, r, 8, hide(used(bk.per_m2)), &f.eur_m2)?;
        if oc.lift_split {
            style::opt_num(&mut ws, ctx, r, 9, hide(bk.per_m2_lift), &f.dec4)?;
            style::opt_num(&mut ws, ctx, r, 10, hide(used(bk.per_m2_lift)), &f.eur_m2)?;
        } else {
            ws.write_string_with_format(r, 9, "", &f.text)?;
            ws.write_string_with_format(r, 10, "", &f.text)?;
        }
        let note = if suppressed {
            format!("nicht ausgewiesen (n < {})", p.min_n)
        } else if bk.per_m2.is_none() {
            "keine Betriebskostenwerte".to_string()
        } else {
            String::new()
        };
        ws.write_string_with_format(r, 11, note, &f.text)?;
        r += 1;
    }
    if any_suppressed {
        ws.write_string_with_format(r + 1, 0, ctx.suppression_note(), &f.note)?;
    }
    Ok(ws)
}

/// The WoGG-Vergleich sheet: per cell the concept limit next to the WoGG fallback
/// (Höchstbetrag + Sicherheitszuschlag, Klimakomponente per parameter), docs/METHOD.md §2.15, §4.
pub fn wogg_vergleich(ctx: &Ctx) -> Result<Worksheet, XlsxError> {
    let p = ctx.p();
    let mut ws = style::new_sheet(
        ctx,
        "WoGG-Vergleich",
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
