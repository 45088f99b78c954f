//! The Betriebskosten sheet: kalte Betriebskosten per m² per Vergleichsraum (and cell).

use crate::analysis::Analysis;
use crate::analysis::limits::round_cents;
use crate::dataset::LoadedProject;
use crate::export::Ctx;
use crate::export::layout;
use crate::export::style::{self};
use crate::export::wording::num;
use crate::export::wording::per_m2;
use crate::fmt::number;
use crate::model::params::BkLevel;
use crate::model::params::BkStatistic;
use rust_xlsxwriter::{Worksheet, XlsxError};

/// The Betriebskosten sheet.
pub fn betriebskosten(ctx: &Ctx) -> Result<Worksheet, XlsxError> {
    let p = ctx.p();
    let oc = &p.operating_costs;
    let mut ws = style::new_sheet(ctx, layout::BETRIEBSKOSTEN, "Kalte Betriebskosten je m²")?;
    let f = &ctx.fmt;
    let stat = match oc.statistic {
        crate::model::params::BkStatistic::Percentile => {
            format!("{}-Perzentil", crate::fmt::number(oc.percentile * 100.0, 1))
        }
        other => other.german().to_string(),
    };
    ws.write_string_with_format(
        1,
        0,
        format!(
            "Statistik: {stat} {} aus denselben Datensätzen wie die Nettokaltmieten (in Tabellenfeldern, vor der Extremwertkappung); plausibel nur {}–{} €/m² (F+B Bremen). Nebenkosten, die Heizkosten enthalten, sind keine kalten Betriebskosten und gehen nicht ein (Spalte „BK inkl. Heizung“).{} Je weitere Person: der Wert, der für die größte Haushaltsgröße gilt.",
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
            "BK inkl. Heizung (nicht verwendet)",
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
            22.0, 16.0, 11.0, 11.0, 11.0, 10.0, 11.0, 13.0, 13.0, 13.0, 13.0, 13.0, 30.0,
        ],
    )?;
    ws.set_row_height(2, 30)?;
    let round = p.reference.round_per_m2;
    let used = |v: Option<f64>| v.map(|x| if round { round_cents(x) } else { x });
    let mut r = 3u32;
    let mut rows: Vec<(String, String, &crate::analysis::BkResult)> = ctx
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
        style::int(&mut ws, ctx, r, 7, bk.n_heating_included)?;
        style::opt_num(&mut ws, ctx, r, 8, hide(bk.per_m2), &f.dec4)?;
        style::opt_num(&mut ws, ctx, r, 9, hide(used(bk.per_m2)), &f.eur_m2)?;
        if oc.lift_split {
            style::opt_num(&mut ws, ctx, r, 10, hide(bk.per_m2_lift), &f.dec4)?;
            style::opt_num(&mut ws, ctx, r, 11, hide(used(bk.per_m2_lift)), &f.eur_m2)?;
        } else {
            ws.write_string_with_format(r, 10, "", &f.text)?;
            ws.write_string_with_format(r, 11, "", &f.text)?;
        }
        let note = if suppressed {
            format!("nicht ausgewiesen (n < {})", p.min_n)
        } else if bk.per_m2.is_none() {
            "keine Betriebskostenwerte".to_string()
        } else {
            String::new()
        };
        ws.write_string_with_format(r, 12, note, &f.text)?;
        r += 1;
    }
    if any_suppressed {
        ws.write_string_with_format(r + 1, 0, ctx.suppression_note(), &f.note)?;
    }
    Ok(ws)
}

/// Methodentext, section 9: the BK statistic and its results per Vergleichsraum.
pub fn method_paragraphs(lp: &LoadedProject, an: &Analysis) -> Vec<String> {
    let p = &lp.project.parameters;
    let oc = &p.operating_costs;
    let stat = match oc.statistic {
        BkStatistic::Percentile => format!("das {}-Perzentil", number(oc.percentile * 100.0, 1)),
        BkStatistic::Median => "der Median".to_string(),
        BkStatistic::Mean => "der Mittelwert".to_string(),
    };
    let results: Vec<String> = an
        .vergleichsraeume
        .iter()
        .filter_map(|v| {
            let round = |x: f64| {
                if p.reference.round_per_m2 {
                    crate::analysis::limits::round_cents(x)
                } else {
                    x
                }
            };
            v.bk.per_m2.map(|b| {
                let lift =
                    v.bk.per_m2_lift
                        .map(|l| format!(", mit Aufzug {}", per_m2(round(l))))
                        .unwrap_or_default();
                format!(
                    "{} {}{} (n = {})",
                    v.name,
                    per_m2(round(b)),
                    lift,
                    num(v.bk.n)
                )
            })
        })
        .collect();
    let heating_included: usize = an
        .vergleichsraeume
        .iter()
        .map(|v| v.bk.n_heating_included)
        .sum();
    vec![format!(
        "Angemessen sind die kalten Betriebskosten je m², die sich als {} ({}) {} aus denselben Datensätzen ergeben. Berücksichtigt werden nur Werte zwischen {} und {} (Plausibilitätsgrenzen nach F+B Bremen).{}{}{} Die Wahl der Statistik ist eine einstellbare Voreinstellung.",
        stat,
        oc.statistic.german(),
        match oc.level {
            BkLevel::Vergleichsraum => "je Vergleichsraum",
            BkLevel::Cell => "je Tabellenfeld",
        },
        per_m2(p.plausibility.bk_per_m2_min),
        per_m2(p.plausibility.bk_per_m2_max),
        if heating_included > 0 {
            format!(
                " {} Datensätze, deren Nebenkosten die Heizkosten enthalten, bleiben in der Betriebskostenauswertung unberücksichtigt, weil ihr Betrag keine kalten Betriebskosten wiedergibt.",
                num(heating_included)
            )
        } else {
            String::new()
        },
        if oc.lift_split {
            " Wie im Kreis Düren werden Werte für Gebäude ohne und mit Aufzug getrennt ausgewiesen."
        } else {
            ""
        },
        if results.is_empty() {
            String::new()
        } else {
            format!(" Ergebnisse: {}.", results.join("; "))
        }
    )]
}
