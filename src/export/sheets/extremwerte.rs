//! The Extremwerte sheet: per cell mean and SD before trimming, bounds, removed counts.

use super::cell_values;
use super::prepared_values;
use super::write_cell_head;
use crate::analysis::Analysis;
use crate::analysis::quantile::excel_formula;
use crate::analysis::stats::{mean, sample_sd};
use crate::dataset::LoadedProject;
use crate::export::Ctx;
use crate::export::layout::N_BOUND_MAX;
use crate::export::layout::N_BOUND_MIN;
use crate::export::layout::N_IQR_K;
use crate::export::layout::N_OUTLIER_K;
use crate::export::layout::{self, CellValues};
use crate::export::style::{self};
use crate::export::wording::num;
use crate::export::wording::per_m2;
use crate::fmt::{number, percent};
use crate::model::params::OutlierMethod;
use rust_xlsxwriter::{Worksheet, XlsxError};

/// The Extremwerte sheet: per cell mean and SD before trimming, bounds, removed counts.
pub fn extremwerte(ctx: &Ctx) -> Result<Worksheet, XlsxError> {
    let p = ctx.p();
    let o = &p.outliers;
    let mut ws = style::new_sheet(
        ctx,
        layout::EXTREMWERTE,
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
                        format!("{e}-{N_OUTLIER_K}*{fr}"),
                        format!("{e}+{N_OUTLIER_K}*{fr}"),
                    )),
                    OutlierMethod::Iqr => {
                        let q1 = excel_formula(qt, all, n_all, "0.25");
                        let q3 = excel_formula(qt, all, n_all, "0.75");
                        Some((
                            format!("{q1}-{N_IQR_K}*({q3}-{q1})"),
                            format!("{q3}+{N_IQR_K}*({q3}-{q1})"),
                        ))
                    }
                    OutlierMethod::Absolute => {
                        Some((N_BOUND_MIN.to_string(), N_BOUND_MAX.to_string()))
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

/// Methodentext, section 6: the outlier rule and how many values it removed.
pub fn method_paragraphs(lp: &LoadedProject, an: &Analysis) -> Vec<String> {
    let p = &lp.project.parameters;
    let fu = &an.funnel;
    let o = &p.outliers;
    let rule = match o.method {
        OutlierMethod::None => "Eine Extremwertkappung findet nicht statt.".to_string(),
        OutlierMethod::MeanSd => format!(
            "Je Tabellenfeld werden Nettokaltmieten je m² außerhalb von Mittelwert ± {} × Standardabweichung (Stichprobenstandardabweichung) als Extremwerte entfernt, in einem einzigen Durchgang. Das entspricht dem 95-%-Intervall einer Normalverteilung, wie es Analyse & Konzepte verwendet.",
            number(o.k, 2)
        ),
        OutlierMethod::Trim => format!(
            "Je Tabellenfeld werden an beiden Enden jeweils {} der Werte abgeschnitten.",
            percent(o.trim_share)
        ),
        OutlierMethod::Iqr => format!(
            "Je Tabellenfeld werden Werte außerhalb von Q1 − {k} × IQR bis Q3 + {k} × IQR entfernt (allgemeine statistische Regel nach Tukey; in veröffentlichten KdU-Konzepten unüblich, die Wahl ist zu begründen).",
            k = number(o.iqr_k, 2)
        ),
        OutlierMethod::Absolute => format!(
            "Werte unter {} oder über {} werden als Extremwerte entfernt.",
            per_m2(o.abs_min),
            per_m2(o.abs_max)
        ),
    };
    vec![
        format!(
            "{rule} Entfernt wurden {} Werte unterhalb und {} Werte oberhalb der Grenzen (Blatt „Extremwerte“).",
            num(fu.outliers_low),
            num(fu.outliers_high)
        ),
        "Ob die Kappung auf die Nettokaltmiete je m² oder auf die absolute Miete angewandt wird und ob einmalig oder wiederholt, schreibt die Rechtsprechung nicht vor. Die hier gewählte Regel (einmalig, auf die Nettokaltmiete je m²) ist eine einstellbare Voreinstellung, keine rechtlich vorgegebene Festlegung; der Anwender hat sie zu begründen."
            .to_string(),
    ]
}
