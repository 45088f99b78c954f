//! The Wirkung sheet: the recipients' households per cell against the applied limit
//! (Wirkungsanalyse, docs/METHOD.md §2.18). Only aggregates: counts and sums per cell.

use crate::export::Ctx;
use crate::export::layout;
use crate::export::style;
use rust_xlsxwriter::{Worksheet, XlsxError};

/// The sheet is written when the project has recipients' data.
pub fn wanted(ctx: &Ctx) -> bool {
    ctx.an.impact.is_some()
}

/// The Wirkung sheet: per cell households, above the limit, share, € per month and year; the
/// share and the yearly sum as formulas.
pub fn wirkung(ctx: &Ctx) -> Result<Worksheet, XlsxError> {
    let mut ws = style::new_sheet(
        ctx,
        layout::WIRKUNG,
        "Wirkung: Bedarfsgemeinschaften über dem geltenden Richtwert",
    )?;
    let f = &ctx.fmt;
    let max = ctx.p().availability.share_above_limit_max;
    ws.write_string_with_format(
        1,
        0,
        format!(
            "Aktuelle Bruttokaltmieten der Bedarfsgemeinschaften gegen den geltenden Richtwert (beim Rückfall auf das WoGG der Wert der Gemeinde). Liegt ein hoher Anteil darüber, passt der Richtwert womöglich nicht zum Markt (Bayerisches LSG, 28.03.2018, L 11 AS 52/16: 59,6 %); Warnschwelle {}.",
            crate::fmt::percent(max)
        ),
        &f.note,
    )?;
    style::header_row(
        &mut ws,
        ctx,
        2,
        &[
            "Vergleichsraum",
            "Haushaltsgröße",
            "Größenklasse",
            "geltender Richtwert (Bruttokaltmiete)",
            "Bedarfsgemeinschaften",
            "bewertet",
            "über dem Richtwert",
            "Anteil über dem Richtwert",
            "Summe über dem Richtwert je Monat",
            "Summe je Jahr",
        ],
    )?;
    style::widths(
        &mut ws,
        &[24.0, 12.0, 16.0, 22.0, 14.0, 10.0, 12.0, 14.0, 18.0, 16.0],
    )?;
    let mut r = 3u32;
    for c in &ctx.an.cells {
        let Some(imp) = &c.impact else { continue };
        super::write_cell_head(&mut ws, ctx, r, c)?;
        ws.write_string_with_format(r, 3, c.applied_german(), &f.text)?;
        style::int(&mut ws, ctx, r, 4, imp.households)?;
        style::int(&mut ws, ctx, r, 5, imp.assessed)?;
        style::int(&mut ws, ctx, r, 6, imp.above_limit)?;
        let (g, fc) = (style::cell_ref(r, 6), style::cell_ref(r, 5));
        style::formula(
            &mut ws,
            ctx,
            r,
            7,
            &format!("={g}/{fc}"),
            imp.share_above,
            &f.pct,
        )?;
        ws.write_number_with_format(r, 8, imp.monthly_sum_above, &f.euro)?;
        style::formula(
            &mut ws,
            ctx,
            r,
            9,
            &format!("=ROUND({}*12,2)", style::cell_ref(r, 8)),
            Some(imp.yearly_sum_above),
            &f.euro,
        )?;
        r += 1;
    }
    if let Some(t) = &ctx.an.impact {
        ws.write_string_with_format(r, 0, "Zusammen", &f.bold)?;
        style::int(&mut ws, ctx, r, 4, t.assessed + t.not_assessed)?;
        style::int(&mut ws, ctx, r, 5, t.assessed)?;
        style::int(&mut ws, ctx, r, 6, t.above_limit)?;
        style::opt_num(&mut ws, ctx, r, 7, t.share_above, &f.pct)?;
        ws.write_number_with_format(r, 8, t.monthly_sum_above, &f.euro_bold)?;
        ws.write_number_with_format(r, 9, t.yearly_sum_above, &f.euro_bold)?;
        r += 2;
        if t.larger_households > 0 {
            ws.write_string_with_format(r, 0, larger_sentence(t.larger_households), &f.note)?;
            r += 1;
        }
        if t.unmatched > 0 {
            ws.write_string_with_format(
                r,
                0,
                format!(
                    "{} der Tabelle passen zu keinem Tabellenfeld (Vergleichsraum, Gemeinde oder Haushaltsgröße unbekannt) und sind nicht enthalten.",
                    crate::fmt::count(t.unmatched, "Bedarfsgemeinschaft", "Bedarfsgemeinschaften")
                ),
                &f.note,
            )?;
        }
    }
    Ok(ws)
}

/// How households larger than the largest size class were measured (sheet and method text).
fn larger_sentence(n: usize) -> String {
    format!(
        "{} mit mehr Personen als die größte Haushaltsgröße der Tabelle {} in der größten Größenklasse gezählt und am Richtwert dieser Klasse zuzüglich des Betrags je weitere Person gemessen (im WoGG-Rückfall am WoGG-Wert ihrer Haushaltsgröße).",
        crate::fmt::count(n, "Bedarfsgemeinschaft", "Bedarfsgemeinschaften"),
        if n == 1 { "ist" } else { "sind" }
    )
}

/// Methodentext: what the Wirkungsanalyse measured (empty without recipients' data).
pub fn method_paragraphs(an: &crate::analysis::Analysis) -> Vec<String> {
    use crate::fmt::{count, euro, percent};
    let Some(i) = &an.impact else {
        return Vec::new();
    };
    vec![format!(
        "Wirkung: Von {} der Leistungsbezieher wurden {} mit dem geltenden Richtwert ihres Tabellenfelds verglichen (im WoGG-Rückfall mit dem Wert ihrer Gemeinde); {} liegen darüber ({}), zusammen {} im Monat und {} im Jahr (Blatt „{}“).{}{} Ein hoher Anteil über dem Richtwert zeigt, dass der Richtwert nicht zum Markt passt (Bayerisches LSG, 28.03.2018, L 11 AS 52/16).",
        count(i.households, "Bedarfsgemeinschaft", "Bedarfsgemeinschaften"),
        crate::fmt::number(i.assessed as f64, 0),
        crate::fmt::number(i.above_limit as f64, 0),
        i.share_above.map_or_else(|| "–".to_string(), percent),
        euro(i.monthly_sum_above),
        euro(i.yearly_sum_above),
        layout::WIRKUNG,
        if i.larger_households > 0 {
            format!(" {}", larger_sentence(i.larger_households))
        } else {
            String::new()
        },
        if i.unmatched > 0 {
            format!(
                " {} {} sich keinem Tabellenfeld zuordnen.",
                count(i.unmatched, "Bedarfsgemeinschaft", "Bedarfsgemeinschaften"),
                if i.unmatched == 1 { "ließ" } else { "ließen" }
            )
        } else {
            String::new()
        }
    )]
}
