//! The Richtwerttabelle (docs/METHOD.md §5.4): the table as jobcenters publish it (Kreis Düren),
//! with numbered columns and the rule of each derived column written out („Produkt aus Spalte 2
//! und 3“, „Summe aus Spalte 4 und 6“), kalte Betriebskosten without and with Aufzug, the limit
//! named Nichtprüfungsgrenze or Angemessenheitsgrenze, and the Karenzzeit column where set.
//!
//! Before the workbook is written every product and sum is recomputed to the cent from the
//! values as printed ([`verify_published`]); a difference stops the export with a German
//! message. The published Kreis Düren 2023 table has such a slip: 131,10 € where
//! 65 × 2,02 = 131,30 €.
//!
//! Products and sums are formulas over the same row in both variants (they use no microdata),
//! each with the printed value as cached result; inputs (m², €/m²) are the printed values.

use crate::analysis::limits::{round_cents, round_limit};
use crate::analysis::{Analysis, CellResult};
use crate::export::Ctx;
use crate::export::layout::{self, RICHTWERTTABELLE};
use crate::export::style::{self, col};
use crate::fmt::{euro, number};
use crate::model::params::{Parameters, RoundingMode};
use rust_xlsxwriter::{Worksheet, XlsxError};

/// Whether the sheet is part of the workbook.
pub fn wanted(ctx: &Ctx) -> bool {
    ctx.p().richtwerte.published_table
}

/// One row of the published table, in the values as printed (€/m² and € to the cent).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PublishedRow {
    /// Vergleichsraum.
    pub vergleichsraum: String,
    /// Column 1: "1 Person", …, "je weitere Person".
    pub household: String,
    /// Column 2: angemessene Wohnfläche, m².
    pub area_m2: f64,
    /// Column 3: Nettokaltmiete €/m².
    pub net_rent_per_m2: Option<f64>,
    /// Column 4: Nettokaltmiete € (product of 2 and 3).
    pub net_rent: Option<f64>,
    /// Column 5: kalte Betriebskosten €/m² (without Aufzug where split).
    pub bk_per_m2: Option<f64>,
    /// Column 6: kalte Betriebskosten € (product of 2 and 5).
    pub bk: Option<f64>,
    /// Column 7: Bruttokaltmiete € (sum of 4 and 6), or the applied WoGG fallback.
    pub gross_cold: Option<f64>,
    /// Column 8: kalte Betriebskosten €/m² with Aufzug.
    pub bk_per_m2_lift: Option<f64>,
    /// Column 9: kalte Betriebskosten € with Aufzug (product of 2 and 8).
    pub bk_lift: Option<f64>,
    /// Column 10: Bruttokaltmiete € with Aufzug (sum of 4 and 9).
    pub gross_cold_lift: Option<f64>,
    /// Last column: Karenzzeit limit (product of column 7 and the factor).
    pub karenzzeit: Option<f64>,
    /// Remark.
    pub note: String,
}

/// The numbers of the columns (1-based, as printed).
#[derive(Debug, Clone, Copy)]
struct Numbers {
    lift: bool,
    karenzzeit: bool,
}

impl Numbers {
    fn karenzzeit(self) -> usize {
        if self.lift { 11 } else { 8 }
    }

    fn count(self) -> usize {
        7 + if self.lift { 3 } else { 0 } + usize::from(self.karenzzeit)
    }
}

/// The rounding rule of the sum column in words.
fn rounding_words(mode: RoundingMode) -> &'static str {
    match mode {
        RoundingMode::Cents => "",
        RoundingMode::EuroUp => ", auf volle Euro aufgerundet",
        RoundingMode::EuroCommercial => ", auf volle Euro gerundet",
    }
}

/// The rows of the published table from an analysis: per Vergleichsraum its household sizes
/// and „je weitere Person“. A cell on the WoGG fallback shows the applied limit in column 7
/// (no product or sum there); a cell below the minimum n in the Veröffentlichung shows none.
pub fn published_rows(
    an: &Analysis,
    p: &Parameters,
    suppressed: &dyn Fn(&CellResult) -> bool,
) -> Vec<PublishedRow> {
    let cents = |v: Option<f64>| v.map(round_cents);
    let mut out = Vec::new();
    for (vr, v) in an.vergleichsraeume.iter().enumerate() {
        let cells: Vec<&CellResult> = an.cells.iter().filter(|c| c.vr == vr).collect();
        for c in &cells {
            let mut row = PublishedRow {
                vergleichsraum: c.vergleichsraum.clone(),
                household: style::persons(c.household_size),
                area_m2: c.area_m2,
                ..PublishedRow::default()
            };
            if suppressed(c) && c.valid {
                row.note = format!("nicht ausgewiesen (n < {})", p.min_n);
            } else if c.valid {
                let l = c.limits;
                row.net_rent_per_m2 = cents(c.net_rent_per_m2);
                row.net_rent = l.map(|l| l.net_cold);
                row.bk_per_m2 = cents(c.operating_costs_per_m2);
                row.bk = l.map(|l| l.operating_costs);
                row.gross_cold = l.map(|l| l.gross_cold);
                row.bk_per_m2_lift = cents(c.operating_costs_per_m2_lift);
                row.bk_lift = c.limits_lift.map(|l| l.operating_costs);
                row.gross_cold_lift = c.limits_lift.map(|l| l.gross_cold);
                row.karenzzeit = c.karenzzeit_limit;
            } else {
                row.gross_cold = c.applied_limit;
                row.karenzzeit = c.karenzzeit_limit;
                row.note = format!(
                    "WoGG-Höchstbetrag + Sicherheitszuschlag (kein gültiger Konzeptwert: {}){}",
                    c.invalid_german(),
                    if c.applied_limit.is_none() {
                        format!("; {}", c.applied_german())
                    } else {
                        String::new()
                    }
                );
            }
            out.push(row);
        }
        // "Je weitere Person" from the largest household size with a value (as `VrResult`).
        let source = cells.iter().rev().find(|c| c.net_rent_per_m2.is_some());
        let mut row = PublishedRow {
            vergleichsraum: v.name.clone(),
            household: "je weitere Person".to_string(),
            area_m2: v.further_area_m2,
            ..PublishedRow::default()
        };
        match source {
            Some(c) if c.valid && !suppressed(c) => {
                let l = v.further_person;
                row.net_rent_per_m2 = cents(v.further_net_rent_per_m2).filter(|_| l.is_some());
                row.net_rent = l.map(|l| l.net_cold);
                row.bk_per_m2 = cents(c.operating_costs_per_m2).filter(|_| l.is_some());
                row.bk = l.map(|l| l.operating_costs);
                row.gross_cold = l.map(|l| l.gross_cold);
                let ll = v.further_person_lift;
                row.bk_per_m2_lift = cents(c.operating_costs_per_m2_lift).filter(|_| ll.is_some());
                row.bk_lift = ll.map(|l| l.operating_costs);
                row.gross_cold_lift = ll.map(|l| l.gross_cold);
                row.note = "€/m² der größten Haushaltsgröße".to_string();
            }
            _ => row.note = "kein gültiger Konzeptwert der größten Haushaltsgröße".to_string(),
        }
        out.push(row);
    }
    out
}

/// Recomputes every product and sum of the published table from the values as printed, to the
/// cent: column 4 = 2 × 3, 6 = 2 × 5, 7 = 4 + 6 (rounded by `mode`), with Aufzug 9 = 2 × 8,
/// 10 = 4 + 9, and the Karenzzeit = factor × 7. Returns the German message naming every
/// difference.
pub fn verify_published(
    rows: &[PublishedRow],
    mode: RoundingMode,
    karenzzeit_factor: Option<f64>,
    lift: bool,
) -> Result<(), String> {
    let numbers = Numbers {
        lift,
        karenzzeit: karenzzeit_factor.is_some(),
    };
    let mut bad = Vec::new();
    let mut check = |row: &PublishedRow, column: usize, rule: String, given: f64, expected: f64| {
        if (given - expected).abs() > 0.001 {
            bad.push(format!(
                "{}, {}, Spalte {column}: angegeben {}, nachgerechnet {rule} = {}",
                row.vergleichsraum,
                row.household,
                euro(given),
                euro(expected)
            ));
        }
    };
    let area_text = |a: f64| number(a, if a.fract() == 0.0 { 0 } else { 2 });
    for row in rows {
        let a = row.area_m2;
        let products = [
            (4, row.net_rent_per_m2, row.net_rent),
            (6, row.bk_per_m2, row.bk),
            (9, row.bk_per_m2_lift, row.bk_lift),
        ];
        for (column, per_m2, amount) in products {
            if let (Some(m2), Some(given)) = (per_m2, amount) {
                let rule = format!("{} × {}", area_text(a), number(m2, 2));
                check(row, column, rule, given, round_cents(a * m2));
            }
        }
        let sums = [
            (7, row.bk, row.gross_cold),
            (10, row.bk_lift, row.gross_cold_lift),
        ];
        for (column, bk, gross) in sums {
            if let (Some(nkm), Some(bk), Some(given)) = (row.net_rent, bk, gross) {
                let rule = format!("{} + {}", number(nkm, 2), number(bk, 2));
                check(row, column, rule, given, round_limit(nkm + bk, mode));
            }
        }
        if let (Some(f), Some(gross), Some(given)) =
            (karenzzeit_factor, row.gross_cold, row.karenzzeit)
        {
            let rule = format!("{} × {}", number(f, 2), number(gross, 2));
            check(
                row,
                numbers.karenzzeit(),
                rule,
                given,
                round_limit(f * gross, mode),
            );
        }
    }
    if bad.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "Die Richtwerttabelle rechnet nicht auf den Cent nach: {}. Die Arbeitsmappe wurde nicht erzeugt; bitte die €/m²-Werte auf Cent runden lassen (Parameter „€/m² auf Cent runden“) oder die Werte prüfen.",
            bad.join("; ")
        ))
    }
}

/// The rows of `ctx` and their recomputation (called before any sheet is written).
pub fn check(ctx: &Ctx) -> Result<(), String> {
    let p = ctx.p();
    let suppressed = |c: &CellResult| ctx.suppressed(c.n) || ctx.bk_suppressed(&c.bk);
    let rows = published_rows(ctx.an, p, &suppressed);
    verify_published(
        &rows,
        p.rounding.mode,
        p.karenzzeit.factor,
        p.operating_costs.lift_split,
    )
}

/// The Richtwerttabelle sheet.
pub fn richtwerttabelle(ctx: &Ctx) -> Result<Worksheet, XlsxError> {
    let p = ctx.p();
    let f = &ctx.fmt;
    let label = p.richtwerte.label.german();
    let lift = p.operating_costs.lift_split;
    let numbers = Numbers {
        lift,
        karenzzeit: p.karenzzeit.factor.is_some(),
    };
    let mut ws = style::new_sheet(
        ctx,
        RICHTWERTTABELLE,
        &format!("Richtwerttabelle: {label} für die Kosten der Unterkunft"),
    )?;
    let meta = &ctx.lp.project.project;
    ws.write_string_with_format(
        1,
        0,
        format!(
            "{}{}Stichtag {}{}",
            meta.traeger,
            if meta.traeger.is_empty() { "" } else { " · " },
            meta.stichtag.german(),
            meta.gueltig_ab
                .map(|d| format!(" · gültig ab {}", d.german()))
                .unwrap_or_default()
        ),
        &f.text,
    )?;
    let round = rounding_words(p.rounding.mode);
    let mut heads: Vec<(String, String)> = vec![
        ("Haushaltsgröße".into(), String::new()),
        ("angemessene Wohnfläche (m²)".into(), String::new()),
        (format!("{label} Nettokaltmiete je m² (€)"), String::new()),
        (
            "Nettokaltmiete höchstens (€)".into(),
            "Produkt aus Spalte 2 und 3".into(),
        ),
        (
            if lift {
                "kalte Betriebskosten je m² ohne Aufzug (€)".into()
            } else {
                "kalte Betriebskosten je m² (€)".into()
            },
            String::new(),
        ),
        (
            if lift {
                "kalte Betriebskosten höchstens ohne Aufzug (€)".into()
            } else {
                "kalte Betriebskosten höchstens (€)".into()
            },
            "Produkt aus Spalte 2 und 5".into(),
        ),
        (
            format!(
                "{label} Bruttokaltmiete{} (€)",
                if lift { " ohne Aufzug" } else { "" }
            ),
            format!("Summe aus Spalte 4 und 6{round}"),
        ),
    ];
    if lift {
        heads.extend([
            (
                "kalte Betriebskosten je m² mit Aufzug (€)".into(),
                String::new(),
            ),
            (
                "kalte Betriebskosten höchstens mit Aufzug (€)".into(),
                "Produkt aus Spalte 2 und 8".into(),
            ),
            (
                format!("{label} Bruttokaltmiete mit Aufzug (€)"),
                format!("Summe aus Spalte 4 und 9{round}"),
            ),
        ]);
    }
    if let Some(k) = p.karenzzeit.factor {
        heads.push((
            "Grenze in der Karenzzeit (€)".into(),
            format!("Produkt aus Spalte 7 und {}{round}", number(k, 2)),
        ));
    }
    let note_col = col(numbers.count());
    let head_row = 3u32;
    for (i, (title, rule)) in heads.iter().enumerate() {
        let c = col(i);
        ws.write_number_with_format(head_row, c, (i + 1) as f64, &f.header)?;
        ws.write_string_with_format(head_row + 1, c, title, &f.header)?;
        ws.write_string_with_format(head_row + 2, c, rule, &f.note)?;
    }
    ws.write_string_with_format(head_row + 1, note_col, "Hinweis", &f.header)?;
    ws.set_row_height(head_row + 1, 58)?;
    ws.set_row_height(head_row + 2, 30)?;
    let mut widths = vec![18.0; numbers.count()];
    widths.push(44.0);
    style::widths(&mut ws, &widths)?;

    let suppressed = |c: &CellResult| ctx.suppressed(c.n) || ctx.bk_suppressed(&c.bk);
    let rows = published_rows(ctx.an, p, &suppressed);
    let mut r = head_row + 3;
    let mut last_vr: Option<&str> = None;
    for row in &rows {
        if last_vr != Some(row.vergleichsraum.as_str()) {
            if last_vr.is_some() {
                r += 1;
            }
            ws.write_string_with_format(
                r,
                0,
                format!("Vergleichsraum {}", row.vergleichsraum),
                &f.heading,
            )?;
            r += 1;
            last_vr = Some(row.vergleichsraum.as_str());
        }
        write_row(&mut ws, ctx, r, row, numbers)?;
        r += 1;
    }
    r += 1;
    let mut notes = vec![format!(
        "{label}: {}",
        match p.richtwerte.label {
            crate::model::params::LimitLabel::Nichtpruefungsgrenze => {
                "Bis zu diesem Betrag findet keine Prüfung im Einzelfall statt; darüber wird der Einzelfall geprüft, nicht automatisch gekürzt."
            }
            crate::model::params::LimitLabel::Angemessenheitsgrenze => {
                "Bis zu diesem Betrag sind die Kosten der Unterkunft angemessen."
            }
        }
    )];
    notes.push(format!(
        "Jedes Produkt und jede Summe wurde vor dem Export aus den gedruckten Werten auf den Cent nachgerechnet; die Spalten 4, 6{} und 7{} sind Formeln.",
        if lift { ", 9" } else { "" },
        if lift { ", 10" } else { "" }
    ));
    if lift {
        notes.push(
            "„ohne Aufzug“ umfasst auch Wohnungen, bei denen nicht angegeben ist, ob ein Aufzug vorhanden ist."
                .to_string(),
        );
    }
    if p.karenzzeit.factor.is_some() {
        notes.push(
            "Grenze in der Karenzzeit: geplante Begrenzung der Übernahme der tatsächlichen Kosten im ersten Jahr des Leistungsbezugs; Gesetzestext und Faktor sind vom Anwender anhand der verkündeten Fassung zu bestätigen."
                .to_string(),
        );
    }
    for n in notes {
        ws.write_string_with_format(r, 0, n, &f.note)?;
        r += 1;
    }
    Ok(ws)
}

/// One row: inputs as values, products and sums as formulas with the printed value cached.
fn write_row(
    ws: &mut Worksheet,
    ctx: &Ctx,
    r: u32,
    row: &PublishedRow,
    numbers: Numbers,
) -> Result<(), XlsxError> {
    let f = &ctx.fmt;
    let mode = ctx.p().rounding.mode;
    let at = |c: usize| style::cell_ref(r, col(c - 1));
    ws.write_string_with_format(r, 0, &row.household, &f.bold)?;
    ws.write_number_with_format(r, 1, row.area_m2, &f.area)?;
    let value = |ws: &mut Worksheet, c: usize, v: Option<f64>| {
        style::opt_num(ws, ctx, r, col(c - 1), v, &f.eur_m2)
    };
    let product = |ws: &mut Worksheet, c: usize, a: usize, b: usize, v: Option<f64>| {
        style::formula(
            ws,
            ctx,
            r,
            col(c - 1),
            &format!("ROUND({}*{},2)", at(a), at(b)),
            v,
            &f.euro,
        )
    };
    value(ws, 3, row.net_rent_per_m2)?;
    product(
        ws,
        4,
        2,
        3,
        row.net_rent.filter(|_| row.net_rent_per_m2.is_some()),
    )?;
    value(ws, 5, row.bk_per_m2)?;
    product(ws, 6, 2, 5, row.bk.filter(|_| row.bk_per_m2.is_some()))?;
    let sum = |ws: &mut Worksheet, c: usize, bk: usize, parts: bool, v: Option<f64>| {
        if parts {
            let inner = format!("{}+{}", at(4), at(bk));
            style::formula(
                ws,
                ctx,
                r,
                col(c - 1),
                &layout::round_limit(&inner, mode),
                v,
                &f.euro_bold,
            )
        } else {
            // The WoGG fallback: no sum of parts.
            style::opt_num(ws, ctx, r, col(c - 1), v, &f.euro_bold)
        }
    };
    let parts = row.net_rent.is_some() && row.bk.is_some();
    sum(ws, 7, 6, parts, row.gross_cold)?;
    if numbers.lift {
        value(ws, 8, row.bk_per_m2_lift)?;
        product(
            ws,
            9,
            2,
            8,
            row.bk_lift.filter(|_| row.bk_per_m2_lift.is_some()),
        )?;
        let parts = row.net_rent.is_some() && row.bk_lift.is_some();
        sum(ws, 10, 9, parts, row.gross_cold_lift)?;
    }
    if numbers.karenzzeit {
        let c = numbers.karenzzeit();
        if row.gross_cold.is_some() {
            let inner = format!("{}*{}", layout::N_KARENZZEIT_FACTOR, at(7));
            style::formula(
                ws,
                ctx,
                r,
                col(c - 1),
                &layout::round_limit(&inner, mode),
                row.karenzzeit,
                &f.euro,
            )?;
        } else {
            style::opt_num(ws, ctx, r, col(c - 1), row.karenzzeit, &f.euro)?;
        }
    }
    ws.write_string_with_format(r, col(numbers.count()), &row.note, &f.text)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The published Kreis Düren table of 01.01.2023 with its slip: 131,10 € for 2 persons.
    #[test]
    fn the_dueren_slip_is_found() {
        let row =
            |household: &str, area: f64, nkm_m2: f64, nkm: f64, bk: f64, bkm: f64| PublishedRow {
                vergleichsraum: "Kreis Düren".into(),
                household: household.into(),
                area_m2: area,
                net_rent_per_m2: Some(nkm_m2),
                net_rent: Some(nkm),
                bk_per_m2: Some(2.02),
                bk: Some(bk),
                gross_cold: Some(bkm),
                ..PublishedRow::default()
            };
        let mut rows = vec![
            row("1 Person", 50.0, 5.59, 279.50, 101.00, 380.50),
            row("2 Personen", 65.0, 5.37, 349.05, 131.30, 480.35),
            row("3 Personen", 80.0, 5.12, 409.60, 161.60, 571.20),
        ];
        assert_eq!(
            verify_published(&rows, RoundingMode::Cents, None, false),
            Ok(())
        );
        rows[1].bk = Some(131.10);
        let e = verify_published(&rows, RoundingMode::Cents, None, false).unwrap_err();
        assert!(
            e.contains("Kreis Düren, 2 Personen, Spalte 6: angegeben 131,10 €, nachgerechnet 65 × 2,02 = 131,30 €"),
            "{e}"
        );
        // The printed sum 480,35 agrees with 131,30, not with 131,10.
        assert!(
            e.contains("Spalte 7: angegeben 480,35 €, nachgerechnet 349,05 + 131,10 = 480,15 €"),
            "{e}"
        );
        assert!(e.starts_with("Die Richtwerttabelle rechnet nicht auf den Cent nach"));
    }
}
