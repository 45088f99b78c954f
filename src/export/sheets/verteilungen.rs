//! The Verteilungen sheet: statistics after outlier removal, deciles, chosen percentile and
//! the Referenzmiete per cell.

use super::cell_values;
use super::write_cell_head;
use crate::analysis::Analysis;
use crate::analysis::quantile::excel_formula;
use crate::analysis::reference::rule_german as reference_rule_german;
use crate::dataset::LoadedProject;
use crate::export::Ctx;
use crate::export::layout::CellValues;
use crate::export::layout::{self};
use crate::export::style::{self, DASH, col};
use crate::export::wording::per_m2;
use crate::fmt::percent;
use crate::model::params::ReferenceMethod;
use rust_xlsxwriter::{Worksheet, XlsxError};

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
        layout::VERTEILUNGEN,
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
                let p_ref = layout::reference_p(p, c.p);
                if c.p.is_some() {
                    style::formula(&mut ws, ctx, r, c_p, &p_ref, c.p, &f.pct)?;
                } else {
                    ws.write_string_with_format(r, c_p, DASH, &f.center)?;
                }
                let raw_f = layout::reference_raw(p, range, n, c.p);
                if c.weighted || !c.pooled_with.is_empty() {
                    // Weighted quantiles/means and pooled samples have no Excel equivalent
                    // over this cell's values: values only.
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
                let used_f = layout::round_per_m2(p, raw_ref);
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
                    Some(ci) if c.weighted || !c.pooled_with.is_empty() => {
                        // The weighted interval (Kish's effective n) and that of a pooled
                        // sample have no Excel equivalent over this cell's values.
                        ws.write_number_with_format(r, c_cov, ci.coverage, &f.pct)?;
                        ws.write_number_with_format(r, c_lo, ci.lower, &f.dec4)?;
                        ws.write_number_with_format(r, c_hi, ci.upper, &f.dec4)?;
                    }
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

/// Methodentext, section 8: the Referenzmiete rule, its confidence interval and the cells below the minimum n; then the availability paragraphs (Verfügbarkeit).
pub fn method_paragraphs(lp: &LoadedProject, an: &Analysis) -> Vec<String> {
    let proj = &lp.project;
    let p = &proj.parameters;
    let refs: Vec<f64> = an.cells.iter().filter_map(|c| c.net_rent_per_m2).collect();
    let range = match (
        refs.iter().copied().reduce(f64::min),
        refs.iter().copied().reduce(f64::max),
    ) {
        (Some(a), Some(b)) => format!(
            " Die Referenzmieten liegen zwischen {} und {}.",
            per_m2(a),
            per_m2(b)
        ),
        _ => String::new(),
    };
    let mut par = vec![format!(
        "Als angemessener Quadratmeterpreis (Referenzmiete) gilt je Tabellenfeld {} nach der Extremwertkappung.{}{}",
        reference_rule_german(p),
        if p.reference.round_per_m2 {
            " Der Wert wird auf volle Cent gerundet, bevor er mit der Wohnfläche multipliziert wird."
        } else {
            ""
        },
        range
    )];
    if p.reference.method != ReferenceMethod::Mean {
        par.push(format!(
            "Für das gewählte Perzentil wird je Tabellenfeld ein verteilungsfreies Konfidenzintervall aus Ordnungsstatistiken mit mindestens {} Überdeckung ausgewiesen (Blatt „Verteilungen“).{}",
            percent(p.ci_level),
            if an.cells.iter().any(|c| c.weighted) {
                format!(" {}", crate::analysis::stats::WEIGHTED_CI_DEFINITION_DE)
            } else {
                String::new()
            }
        ));
    }
    if let Some(j) = proj
        .justifications
        .get("reference.percentile")
        .or_else(|| proj.justifications.get("reference"))
        .filter(|t| !t.trim().is_empty())
    {
        par.push(format!("Begründung der Wahl: {}", j.trim()));
    }
    let pooled: Vec<String> = an
        .cells
        .iter()
        .filter(|c| !c.pooled_with.is_empty())
        .map(|c| {
            format!(
                "{} {} (n = {}, gepoolt n = {})",
                c.vergleichsraum,
                style::persons(c.household_size),
                c.n,
                c.n_reference
            )
        })
        .collect();
    if !pooled.is_empty() {
        par.push(format!(
            "Tabellenfelder unter der Mindestfallzahl erhalten ihre Referenzmiete aus einer gepoolten Stichprobe: ihre eigenen Mietwerte zusammen mit denen der nächsten Größenklassen desselben Vergleichsraums (zuerst die nächstkleinere, dann die nächstgrößere, jeweils nach deren Extremwertkappung), bis die Mindestfallzahl erreicht ist. Betroffen: {}.{}",
            pooled.join(", "),
            proj.justification("reference.pool_small_cells")
                .map(|j| format!(" Begründung: {j}"))
                .unwrap_or_else(|| " Eine schriftliche Begründung liegt nicht vor.".to_string())
        ));
    }
    if an.cells.iter().any(|c| c.weighted) {
        par.push(format!(
            "Die Referenzmiete wird nach dem Vermietertyp gewichtet (Poststratifizierung): Mietwerte privater Vermieter erhalten das Gewicht Marktanteil ÷ Stichprobenanteil, die übrigen (1 − Marktanteil) ÷ (1 − Stichprobenanteil). Gewichtetes Quantil: {} Gewichtet sind {} von {} Tabellenfeldern; die kalten Betriebskosten werden ebenso gewichtet.",
            crate::analysis::quantile::WEIGHTED_DEFINITION_DE,
            an.cells.iter().filter(|c| c.weighted).count(),
            an.cells.len()
        ));
    }
    let invalid: Vec<String> = an
        .cells
        .iter()
        .filter(|c| !c.valid)
        .map(|c| {
            format!(
                "{} {} ({})",
                c.vergleichsraum,
                style::persons(c.household_size),
                c.invalid_german()
            )
        })
        .collect();
    par.push(format!(
        "Ein Tabellenfeld hat nur dann einen gültigen Konzeptwert, wenn es mindestens {} Mietwerte enthält, ein Betriebskostenwert vorliegt und die Verfügbarkeit nachgewiesen ist (Angebote in der Größenklasse, davon mindestens der Zielanteil zum Richtwert anmietbar) – unabhängig vom Ableitungsverfahren. Sonst gilt der Höchstbetrag nach § 12 WoGG der Mietstufe jeder Gemeinde zuzüglich Sicherheitszuschlag (BSG, 10.09.2013, B 4 AS 87/12 R).{}",
        p.min_n,
        if invalid.is_empty() {
            " Das trifft auf kein Tabellenfeld zu.".to_string()
        } else {
            format!(" Ohne gültigen Konzeptwert: {}.", invalid.join(", "))
        }
    ));
    par.extend(super::verfuegbarkeit::method_paragraphs(lp, an));
    par
}
