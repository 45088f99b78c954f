//! Fortschreibung (docs/METHOD.md §2.14): old limits × index factors, Nettokaltmiete and kalte
//! Betriebskosten separately, with both index series, the concept age and the old → new table.
//!
//! In the Prüfmappe the factors (new ÷ old index value), the old Bruttokaltmiete and every new
//! amount are formulas over this sheet with the program's value as cached result.

use crate::analysis::Analysis;
use crate::dataset::LoadedProject;
use crate::export::Ctx;
use crate::export::layout::FORTSCHREIBUNG;
use crate::export::style::{self, DASH};
use crate::fmt::number;
use crate::model::Date;
use crate::model::params::{FortschreibungParams, IndexSeries};
use rust_xlsxwriter::{Color, Format, Worksheet, XlsxError, utility::row_col_to_cell_absolute};

/// Whether the sheet is part of the workbook.
pub fn wanted(ctx: &Ctx) -> bool {
    ctx.p().fortschreibung.is_some()
}

/// Whole months from `old` to `new` (0 when `new` is not later).
fn months_between(old: Date, new: Date) -> i32 {
    let (y0, m0, d0) = old.ymd();
    let (y1, m1, d1) = new.ymd();
    let mut months = (y1 - y0) * 12 + (m1 as i32 - m0 as i32);
    if d1 < d0 {
        months -= 1;
    }
    months.max(0)
}

/// "2 Jahre und 3 Monate".
fn age_text(months: i32) -> String {
    let (y, m) = (months / 12, months % 12);
    let years = match y {
        1 => "1 Jahr".to_string(),
        _ => format!("{y} Jahre"),
    };
    let months = match m {
        1 => "1 Monat".to_string(),
        _ => format!("{m} Monate"),
    };
    match (y, m) {
        (0, _) => months,
        (_, 0) => years,
        _ => format!("{years} und {months}"),
    }
}

/// The concept age assessment: (age text, Neuerhebung due) when the old Stichtag is known.
/// Same rule as the warning: older than two years at the Stichtag of this evaluation.
pub fn concept_age(f: &FortschreibungParams, stichtag: Date) -> Option<(String, bool)> {
    let old = f.old_stichtag?;
    Some((
        age_text(months_between(old, stichtag)),
        old < stichtag.minus_years(2),
    ))
}

fn or_dash(text: &str) -> &str {
    if text.trim().is_empty() { DASH } else { text }
}

/// The Fortschreibung sheet (only called when configured).
pub fn fortschreibung(ctx: &Ctx) -> Result<Worksheet, XlsxError> {
    let f = &ctx.fmt;
    let factor_fmt = f.general.clone().set_num_format("0.000000");
    let warn = Format::new()
        .set_font_name("Calibri")
        .set_font_size(11)
        .set_bold()
        .set_text_wrap()
        .set_font_color(Color::RGB(0xC00000));
    let mut ws = style::new_sheet(
        ctx,
        FORTSCHREIBUNG,
        "Fortschreibung: alte Richtwerte × Indexfaktoren",
    )?;
    style::widths(
        &mut ws,
        &[24.0, 26.0, 14.0, 14.0, 14.0, 14.0, 14.0, 16.0, 12.0, 16.0],
    )?;
    let default = FortschreibungParams::default();
    let fp = ctx.p().fortschreibung.as_ref().unwrap_or(&default);
    ws.write_string_with_format(
        1,
        0,
        "Nettokaltmiete und kalte Betriebskosten werden getrennt mit der Veränderung je eines Preisindex fortgeschrieben (Faktor = neuer ÷ alter Indexwert); neue Beträge = alter Betrag × Faktor, auf Cent gerundet; Bruttokaltmiete = Summe der Teile (§ 22c Abs. 2 SGB II).",
        &f.note,
    )?;
    ws.write_string_with_format(
        2,
        0,
        "Die Werte sind mindestens alle zwei Jahre zu überprüfen (§ 22c Abs. 2 SGB II). Eine Fortschreibung mit einem Index ist dafür zulässig (BSG B 4 AS 33/16 R), wenn der Index die Entwicklung des örtlichen Mietmarkts abbildet; sie übernimmt die Grundlagen und etwaige Mängel des Ausgangskonzepts.",
        &f.note,
    )?;

    // Concept age.
    let stichtag = ctx.lp.project.project.stichtag;
    let mut r = 4u32;
    ws.write_string_with_format(r, 0, "Stichtag des alten Konzepts", &f.bold)?;
    ws.write_string_with_format(
        r,
        1,
        fp.old_stichtag
            .map_or_else(|| "nicht angegeben".to_string(), Date::german),
        &f.text,
    )?;
    r += 1;
    ws.write_string_with_format(r, 0, "Stichtag dieser Auswertung", &f.bold)?;
    ws.write_string_with_format(r, 1, stichtag.german(), &f.text)?;
    r += 1;
    ws.write_string_with_format(r, 0, "Alter des Konzepts", &f.bold)?;
    match concept_age(fp, stichtag) {
        Some((age, due)) => {
            ws.write_string_with_format(r, 1, &age, &f.text)?;
            r += 1;
            if due {
                ws.merge_range(
                    r,
                    0,
                    r,
                    9,
                    "Älter als zwei Jahre: Indexfortschreibung zulässig (BSG B 4 AS 33/16 R), wenn der Index den örtlichen Mietmarkt abbildet – zu begründen.",
                    &warn,
                )?;
            } else {
                ws.write_string_with_format(
                    r,
                    0,
                    "Höchstens zwei Jahre alt: Fortschreibung zulässig.",
                    &f.text,
                )?;
            }
        }
        None => {
            ws.write_string_with_format(
                r,
                1,
                "nicht bestimmbar (Stichtag des alten Konzepts fehlt)",
                &f.text,
            )?;
        }
    }
    r += 2;

    // Index series.
    ws.write_string_with_format(r, 0, "Indexreihen", &f.heading)?;
    r += 1;
    style::sub_header_row(
        &mut ws,
        ctx,
        r,
        &[
            "Anteil",
            "Indexreihe",
            "Zeitraum alt",
            "Indexwert alt",
            "Zeitraum neu",
            "Indexwert neu",
            "Faktor (neu ÷ alt)",
            "Quelle",
        ],
    )?;
    ws.set_row_height(r, 30)?;
    r += 1;
    let result = ctx.an.fortschreibung.as_ref();
    let mut factor_refs = [String::new(), String::new()];
    let series: [(&str, &IndexSeries, Option<f64>); 2] = [
        (
            "Nettokaltmiete",
            &fp.index_nkm,
            result.map(|x| x.factor_nkm),
        ),
        (
            "kalte Betriebskosten",
            &fp.index_bk,
            result.map(|x| x.factor_bk),
        ),
    ];
    for (k, (part, s, factor)) in series.iter().enumerate() {
        ws.write_string_with_format(r, 0, *part, &f.bold)?;
        ws.write_string_with_format(r, 1, or_dash(&s.series), &f.wrap)?;
        ws.write_string_with_format(r, 2, or_dash(&s.period_old), &f.text)?;
        ws.write_number_with_format(r, 3, s.value_old, &f.general)?;
        ws.write_string_with_format(r, 4, or_dash(&s.period_new), &f.text)?;
        ws.write_number_with_format(r, 5, s.value_new, &f.general)?;
        let factor = factor.or_else(|| s.factor());
        if ctx.pruef() {
            let text = format!("{}/{}", style::cell_ref(r, 5), style::cell_ref(r, 3));
            style::formula(&mut ws, ctx, r, 6, &text, factor, &factor_fmt)?;
        } else {
            style::opt_num(&mut ws, ctx, r, 6, factor, &factor_fmt)?;
        }
        ws.write_string_with_format(r, 7, or_dash(&s.source), &f.wrap)?;
        factor_refs[k] = row_col_to_cell_absolute(r, 6);
        r += 1;
    }
    let Some(result) = result else {
        r += 1;
        ws.write_string_with_format(
            r,
            0,
            "Keine Fortschreibung möglich: Ein alter Indexwert ist null oder negativ.",
            &warn,
        )?;
        return Ok(ws);
    };

    // Old → new.
    r += 1;
    ws.write_string_with_format(r, 0, "Alte und fortgeschriebene Richtwerte", &f.heading)?;
    r += 1;
    style::header_row(
        &mut ws,
        ctx,
        r,
        &[
            "Vergleichsraum",
            "Haushalt",
            "Nettokaltmiete alt €",
            "kalte BK alt €",
            "Bruttokaltmiete alt €",
            "Nettokaltmiete neu €",
            "kalte BK neu €",
            "Bruttokaltmiete neu €",
            "Veränderung",
            "Bruttokaltmiete dieser Auswertung €",
        ],
    )?;
    ws.set_row_height(r, 42)?;
    r += 1;
    if result.rows.is_empty() {
        ws.write_string_with_format(r, 0, "keine alten Richtwerte erfasst", &f.text)?;
        r += 1;
    }
    for row in &result.rows {
        ws.write_string_with_format(r, 0, or_dash(&row.vergleichsraum), &f.bold)?;
        ws.write_string_with_format(r, 1, style::persons(row.household_size), &f.text)?;
        ws.write_number_with_format(r, 2, row.old_net_cold, &f.euro)?;
        ws.write_number_with_format(r, 3, row.old_operating_costs, &f.euro)?;
        let change =
            (row.old_gross_cold > 0.0).then(|| row.new_gross_cold / row.old_gross_cold - 1.0);
        let (c, d, e, nf, ng, nh) = (
            style::cell_ref(r, 2),
            style::cell_ref(r, 3),
            style::cell_ref(r, 4),
            style::cell_ref(r, 5),
            style::cell_ref(r, 6),
            style::cell_ref(r, 7),
        );
        if ctx.pruef() {
            let [fac_nkm, fac_bk] = &factor_refs;
            style::formula(
                &mut ws,
                ctx,
                r,
                4,
                &format!("ROUND({c}+{d},2)"),
                Some(row.old_gross_cold),
                &f.euro,
            )?;
            style::formula(
                &mut ws,
                ctx,
                r,
                5,
                &format!("ROUND({c}*{fac_nkm},2)"),
                Some(row.new_net_cold),
                &f.euro,
            )?;
            style::formula(
                &mut ws,
                ctx,
                r,
                6,
                &format!("ROUND({d}*{fac_bk},2)"),
                Some(row.new_operating_costs),
                &f.euro,
            )?;
            style::formula(
                &mut ws,
                ctx,
                r,
                7,
                &format!("ROUND({nf}+{ng},2)"),
                Some(row.new_gross_cold),
                &f.euro_bold,
            )?;
            style::formula(&mut ws, ctx, r, 8, &format!("{nh}/{e}-1"), change, &f.pct)?;
        } else {
            ws.write_number_with_format(r, 4, row.old_gross_cold, &f.euro)?;
            ws.write_number_with_format(r, 5, row.new_net_cold, &f.euro)?;
            ws.write_number_with_format(r, 6, row.new_operating_costs, &f.euro)?;
            ws.write_number_with_format(r, 7, row.new_gross_cold, &f.euro_bold)?;
            style::opt_num(&mut ws, ctx, r, 8, change, &f.pct)?;
        }
        let current = ctx
            .an
            .cells
            .iter()
            .find(|c| {
                c.vergleichsraum == row.vergleichsraum && c.household_size == row.household_size
            })
            .filter(|c| !ctx.suppressed(c.n) && !ctx.bk_suppressed(&c.bk))
            .and_then(|c| c.limits.map(|l| l.gross_cold));
        style::opt_num(&mut ws, ctx, r, 9, current, &f.euro)?;
        r += 1;
    }
    r += 1;
    let mut notes = vec![
        "Letzte Spalte: der nach diesem Konzept neu abgeleitete Richtwert desselben Tabellenfelds (Blatt „Richtwerte“), zum Vergleich."
            .to_string(),
    ];
    if ctx.pruef() {
        notes.push(
            "Faktoren und alle neuen Beträge sind Formeln über dieses Blatt; gespeichert ist zusätzlich der vom Programm berechnete Wert."
                .to_string(),
        );
    }
    for n in notes {
        ws.write_string_with_format(r, 0, n, &f.note)?;
        r += 1;
    }
    Ok(ws)
}

/// A short sentence for the BSG-Prüfkatalog (K3), when a Fortschreibung is configured.
pub fn katalog_sentence(ctx: &Ctx) -> Option<String> {
    let fp = ctx.p().fortschreibung.as_ref()?;
    let res = ctx.an.fortschreibung.as_ref();
    let factors = res.map_or_else(
        || "Faktoren nicht berechenbar".to_string(),
        |r| {
            format!(
                "Faktor Nettokaltmiete {}, Betriebskosten {}",
                number(r.factor_nkm, 4),
                number(r.factor_bk, 4)
            )
        },
    );
    let age = match concept_age(fp, ctx.lp.project.project.stichtag) {
        Some((_, true)) => {
            "; älter als zwei Jahre: Indexfortschreibung zulässig, wenn der Index den örtlichen Mietmarkt abbildet"
        }
        Some((_, false)) => "",
        None => "; Stichtag des alten Konzepts fehlt",
    };
    Some(format!(
        " Fortschreibung alter Richtwerte{} mit Indexfaktoren ({factors}{age}; Blatt „{FORTSCHREIBUNG}“).",
        fp.old_stichtag
            .map(|d| format!(" (Stichtag {})", d.german()))
            .unwrap_or_default()
    ))
}

/// Paragraphs of the method text on the Fortschreibung (empty when not configured).
pub fn method_paragraphs(lp: &LoadedProject, an: &Analysis) -> Vec<String> {
    let Some(fp) = &lp.project.parameters.fortschreibung else {
        return Vec::new();
    };
    let describe = |s: &IndexSeries, factor: Option<f64>| {
        format!(
            "{}{}: Faktor {}",
            if s.series.trim().is_empty() {
                "Index ohne Namen".to_string()
            } else {
                s.series.clone()
            },
            if s.period_old.trim().is_empty() && s.period_new.trim().is_empty() {
                String::new()
            } else {
                format!(
                    ", {} bis {}",
                    or_dash(&s.period_old),
                    or_dash(&s.period_new)
                )
            },
            factor.map_or_else(|| DASH.to_string(), |v| number(v, 4))
        )
    };
    let res = an.fortschreibung.as_ref();
    let mut par = vec![format!(
        "Fortschreibung: Die Richtwerte des Konzepts{} werden getrennt für die Nettokaltmiete ({}) und die kalten Betriebskosten ({}) mit der Veränderung des jeweiligen Index fortgeschrieben; die Beträge werden auf Cent gerundet, die Bruttokaltmiete ist die Summe der Teile ({} Tabellenfelder, Blatt „{FORTSCHREIBUNG}“).",
        fp.old_stichtag
            .map(|d| format!(" mit Stichtag {}", d.german()))
            .unwrap_or_default(),
        describe(&fp.index_nkm, res.map(|r| r.factor_nkm)),
        describe(&fp.index_bk, res.map(|r| r.factor_bk)),
        res.map_or(0, |r| r.rows.len())
    )];
    match concept_age(fp, lp.project.project.stichtag) {
        Some((age, true)) => par.push(format!(
            "Das fortgeschriebene Konzept ist zum Stichtag {} alt, also älter als zwei Jahre. Eine Fortschreibung mit einem Index ist auch dann zulässig (§ 22c Abs. 2 SGB II, BSG B 4 AS 33/16 R), wenn der Index die Entwicklung des örtlichen Mietmarkts abbildet; das ist zu begründen.",
            age
        )),
        Some((age, false)) => par.push(format!(
            "Das fortgeschriebene Konzept ist zum Stichtag {age} alt und damit nicht älter als zwei Jahre (§ 22c Abs. 2 SGB II)."
        )),
        None => {}
    }
    par
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_in_months_and_words() {
        let d = |y, m, day| Date::from_ymd(y, m, day).unwrap();
        assert_eq!(months_between(d(2022, 1, 1), d(2024, 7, 1)), 30);
        assert_eq!(months_between(d(2022, 1, 15), d(2022, 2, 14)), 0);
        assert_eq!(months_between(d(2025, 1, 1), d(2024, 1, 1)), 0);
        assert_eq!(age_text(30), "2 Jahre und 6 Monate");
        assert_eq!(age_text(12), "1 Jahr");
        assert_eq!(age_text(1), "1 Monat");
        let mut f = FortschreibungParams::default();
        assert_eq!(concept_age(&f, d(2024, 7, 1)), None);
        f.old_stichtag = Some(d(2022, 1, 1));
        assert_eq!(
            concept_age(&f, d(2024, 7, 1)),
            Some(("2 Jahre und 6 Monate".to_string(), true))
        );
        f.old_stichtag = Some(d(2023, 1, 1));
        assert_eq!(concept_age(&f, d(2024, 7, 1)).map(|a| a.1), Some(false));
    }
}
