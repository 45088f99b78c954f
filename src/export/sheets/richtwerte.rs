//! The Richtwerte sheet in the caseworker layout of Kreis Düren: per Vergleichsraum and
//! household size m², NKM €/m², NKM €, BK €/m², BK €, Bruttokaltmiete (with/without lift
//! when split), and the "je weitere Person" row.
//!
//! In the Prüfmappe every €/m² and € cell is a formula over the value sheets and the named
//! parameter cells, with the program's value as cached result.

use crate::analysis::Analysis;
use crate::analysis::limits::round_cents;
use crate::analysis::{CellResult, Limits};
use crate::dataset::LoadedProject;
use crate::export::Ctx;
use crate::export::layout::BkRanges;
use crate::export::layout::{self, *};
use crate::export::style;
use crate::export::wording::per_m2;
use crate::fmt::{euro, number};
use crate::model::params::{BkLevel, RoundingMode};
use rust_xlsxwriter::{Worksheet, XlsxError};

/// The BK column used (all, or without/with lift).
fn bk_column(ranges: &BkRanges, with_lift: bool) -> Option<(&str, usize)> {
    let c = if with_lift {
        ranges.with.as_ref()
    } else {
        ranges.without.as_ref().or(ranges.all.as_ref())
    };
    c.and_then(|c| c.range.as_deref().map(|r| (r, c.n)))
}

/// What to write into one limits row.
struct RowData {
    area: f64,
    area_formula: String,
    nkm_m2: Option<f64>,
    /// Formula for NKM €/m²; `None` writes the value.
    nkm_m2_formula: Option<String>,
    /// (BK €/m², formula) without lift / overall.
    bk: (Option<f64>, Option<String>),
    /// (BK €/m², formula) with lift.
    bk_lift: (Option<f64>, Option<String>),
    limits: Option<Limits>,
    limits_lift: Option<Limits>,
    mode: RoundingMode,
    nkm_suppressed: bool,
    bk_suppressed: bool,
    n: Option<usize>,
    note: String,
    heating: Option<f64>,
    total: Option<f64>,
    /// The limit that applies (WoGG fallback in a Vergleichsraum without concept).
    applied: Option<f64>,
    /// The cell is valid (its applied limit is the Bruttokaltmiete of the row).
    valid: bool,
    /// Karenzzeit limit (factor × the applied limit).
    karenzzeit: Option<f64>,
}

/// Writes one row; returns nothing. Values in the Veröffentlichung, formulas in the
/// Prüfmappe.
fn write_row(
    ws: &mut Worksheet,
    ctx: &Ctx,
    cols: &RichtwerteCols,
    r: u32,
    d: &RowData,
) -> Result<(), XlsxError> {
    let f = &ctx.fmt;
    let pruef = ctx.pruef();
    let a = style::cell_ref(r, cols.area);
    let nm = style::cell_ref(r, cols.nkm_m2);
    if pruef {
        style::formula(
            ws,
            ctx,
            r,
            cols.area,
            &d.area_formula,
            Some(d.area),
            &f.area,
        )?;
    } else {
        ws.write_number_with_format(r, cols.area, d.area, &f.area)?;
    }
    // NKM €/m² and NKM €.
    let nkm_m2 = if d.nkm_suppressed { None } else { d.nkm_m2 };
    let nkm_eur = d
        .limits
        .map(|l| l.net_cold)
        .or_else(|| nkm_m2.map(|v| round_cents(d.area * v)));
    match (&d.nkm_m2_formula, pruef) {
        (Some(text), true) => style::formula(ws, ctx, r, cols.nkm_m2, text, nkm_m2, &f.eur_m2)?,
        _ => style::opt_num(ws, ctx, r, cols.nkm_m2, nkm_m2, &f.eur_m2)?,
    }
    let nkm_cell = style::cell_ref(r, cols.nkm);
    if pruef {
        style::formula(
            ws,
            ctx,
            r,
            cols.nkm,
            &format!("ROUND({a}*{nm},2)"),
            nkm_m2.and(nkm_eur),
            &f.euro,
        )?;
    } else {
        style::opt_num(ws, ctx, r, cols.nkm, nkm_m2.and(nkm_eur), &f.euro)?;
    }
    // BK and BKM, without lift (or overall) and with lift.
    let mut parts = vec![(
        cols.bk_m2,
        cols.bk,
        cols.bkm,
        &d.bk,
        d.limits.map(|l| (l.operating_costs, l.gross_cold)),
    )];
    if let Some((m2, eur, bkm)) = cols.lift {
        parts.push((
            m2,
            eur,
            bkm,
            &d.bk_lift,
            d.limits_lift.map(|l| (l.operating_costs, l.gross_cold)),
        ));
    }
    for (c_m2, c_eur, c_bkm, (bk_m2, bk_formula), lim) in parts {
        let bk_m2 = if d.bk_suppressed { None } else { *bk_m2 };
        let bk_eur = lim
            .map(|l| l.0)
            .or_else(|| bk_m2.map(|v| round_cents(d.area * v)));
        let bk_eur = bk_m2.and(bk_eur);
        let bkm = if nkm_m2.is_some() && bk_m2.is_some() {
            lim.map(|l| l.1)
        } else {
            None
        };
        let m2_ref = style::cell_ref(r, c_m2);
        let eur_ref = style::cell_ref(r, c_eur);
        if pruef {
            match bk_formula {
                Some(text) => style::formula(ws, ctx, r, c_m2, text, bk_m2, &f.eur_m2)?,
                None => style::opt_num(ws, ctx, r, c_m2, bk_m2, &f.eur_m2)?,
            }
            style::formula(
                ws,
                ctx,
                r,
                c_eur,
                &format!("ROUND({a}*{m2_ref},2)"),
                bk_eur,
                &f.euro,
            )?;
            style::formula(
                ws,
                ctx,
                r,
                c_bkm,
                &layout::gross_cold(&nkm_cell, &eur_ref, d.mode),
                bkm,
                &f.euro_bold,
            )?;
        } else {
            style::opt_num(ws, ctx, r, c_m2, bk_m2, &f.eur_m2)?;
            style::opt_num(ws, ctx, r, c_eur, bk_eur, &f.euro)?;
            style::opt_num(ws, ctx, r, c_bkm, bkm, &f.euro_bold)?;
        }
    }
    if let Some(c) = cols.heating {
        style::opt_num(ws, ctx, r, c, d.heating, &f.euro)?;
    }
    if let Some(c) = cols.total {
        let total = if nkm_m2.is_some() && !d.bk_suppressed {
            d.total
        } else {
            None
        };
        style::opt_num(ws, ctx, r, c, total, &f.euro_bold)?;
    }
    if let Some(c) = cols.applied {
        style::opt_num(ws, ctx, r, c, d.applied, &f.euro_bold)?;
    }
    if let Some(c) = cols.karenzzeit {
        // Factor × the applied limit of this row: the Bruttokaltmiete of a valid cell, the
        // applied-limit column on the fallback.
        let source = if d.valid {
            Some(cols.bkm)
        } else {
            cols.applied
        };
        match source.filter(|_| pruef) {
            Some(sc) => {
                let inner = format!("{N_KARENZZEIT_FACTOR}*{}", style::cell_ref(r, sc));
                style::formula(
                    ws,
                    ctx,
                    r,
                    c,
                    &layout::round_limit(&inner, d.mode),
                    d.karenzzeit,
                    &f.euro,
                )?;
            }
            None => style::opt_num(ws, ctx, r, c, d.karenzzeit, &f.euro)?,
        }
    }
    match d.n {
        Some(n) => style::int(ws, ctx, r, cols.n, n)?,
        None => {
            ws.write_string_with_format(r, cols.n, "", &f.text)?;
        }
    }
    ws.write_string_with_format(r, cols.note, &d.note, &f.text)?;
    Ok(())
}

/// The Richtwerte sheet.
pub fn richtwerte(ctx: &Ctx) -> Result<Worksheet, XlsxError> {
    let p = ctx.p();
    let split = p.operating_costs.lift_split;
    let cols = RichtwerteCols::of(ctx);
    let has_heating = cols.heating.is_some();
    let has_total = cols.total.is_some();
    let has_fallback = cols.applied.is_some();
    let meta = &ctx.lp.project.project;
    let mut ws = style::new_sheet(
        ctx,
        RICHTWERTE,
        &format!(
            "Richtwerte: angemessene Bruttokaltmiete ({}n)",
            p.richtwerte.label.german()
        ),
    )?;
    let f = &ctx.fmt;
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
    let mut headers: Vec<&str> = vec![
        "Vergleichsraum",
        "Haushalt",
        "Wohnfläche (m²)",
        "Nettokaltmiete €/m²",
        "Nettokaltmiete €",
    ];
    if split {
        headers.extend([
            "kalte BK €/m² ohne Aufzug",
            "kalte BK € ohne Aufzug",
            "Bruttokaltmiete € ohne Aufzug",
            "kalte BK €/m² mit Aufzug",
            "kalte BK € mit Aufzug",
            "Bruttokaltmiete € mit Aufzug",
        ]);
    } else {
        headers.extend(["kalte BK €/m²", "kalte BK €", "Bruttokaltmiete €"]);
    }
    if has_heating {
        headers.push("Heizkosten-Prüfgrenze €");
    }
    if has_total {
        headers.push("Gesamtangemessenheitsgrenze €");
    }
    if has_fallback {
        headers.push("geltende Grenze €");
    }
    let karenzzeit_header = p.karenzzeit.factor.map(|k| {
        format!(
            "Grenze in der Karenzzeit € (Faktor {})",
            number(k, if (k * 10.0).fract() == 0.0 { 1 } else { 2 })
        )
    });
    if let Some(h) = &karenzzeit_header {
        headers.push(h);
    }
    headers.extend(["Fallzahl n", "Hinweise"]);
    style::header_row(&mut ws, ctx, RICHTWERTE_HEADER, &headers)?;
    let mut w = vec![22.0, 16.0, 11.0, 12.0, 13.0, 12.0, 12.0, 14.0];
    if split {
        w.extend([12.0, 12.0, 14.0]);
    }
    if has_heating {
        w.push(13.0);
    }
    if has_total {
        w.push(15.0);
    }
    if has_fallback {
        w.push(14.0);
    }
    if cols.karenzzeit.is_some() {
        w.push(16.0);
    }
    w.extend([10.0, 40.0]);
    style::widths(&mut ws, &w)?;
    ws.set_row_height(RICHTWERTE_HEADER, 42)?;

    let layout = ctx.values.as_ref();
    let _qt = p.quantile_type;
    let mode = p.rounding.mode;
    // Other sheets (Heizkosten) link to these rows through `layout::richtwerte_rows`.
    let rows = layout::richtwerte_rows(ctx.an);
    let mut r = RICHTWERTE_HEADER + 1;
    let mut any_suppressed = false;
    for (vr, vres) in ctx.an.vergleichsraeume.iter().enumerate() {
        let mut row_of_cell: Vec<(usize, u32)> = Vec::new();
        let vr_bk = layout.and_then(|l| l.bk_vr.get(vr));
        // Weighted BK statistics (post-stratification, also with the lift split) have no Excel
        // equivalent: those cells carry the program's value only.
        let bk_weighted = vres.market_share_privat.is_some();
        for (i, c) in ctx.an.cells.iter().enumerate().filter(|(_, c)| c.vr == vr) {
            let cv = layout.and_then(|l| l.cells.get(i));
            // The iterative method ends at its own p per cell (see `layout::reference_p`);
            // weighted quantiles have no Excel equivalent, so weighted cells carry the
            // program's value only.
            let nkm_formula = cv
                .filter(|_| !c.weighted && c.pooled_with.is_empty())
                .and_then(|cv| {
                    cv.kept_range()
                        .map(|range| layout::reference(p, &range, cv.n_kept(), c.p))
                });
            let bk_ranges = match p.operating_costs.level {
                BkLevel::Vergleichsraum => vr_bk,
                BkLevel::Cell => layout.and_then(|l| l.bk_cell.get(i)),
            };
            let bk_f = |lift: bool| {
                if c.bk.is_external() {
                    // The named parameter cell holds the external value.
                    let value = if lift {
                        c.operating_costs_per_m2_lift
                    } else {
                        c.operating_costs_per_m2
                    };
                    return value.map(|_| layout::bk_external(p, &c.vergleichsraum, lift));
                }
                bk_ranges
                    .filter(|_| !bk_weighted)
                    .and_then(|b| bk_column(b, lift))
                    .map(|(range, n)| layout::bk_statistic(p, range, n))
            };
            let nkm_suppressed = ctx.suppressed(c.n);
            let bk_suppressed = ctx.bk_suppressed(&c.bk);
            any_suppressed |= nkm_suppressed || bk_suppressed;
            let mut notes: Vec<String> = Vec::new();
            if nkm_suppressed {
                notes.push(format!("nicht ausgewiesen (n < {})", p.min_n));
            } else if ctx.pruef() {
                notes.extend(c.flags.iter().map(|fl| fl.german().to_string()));
            }
            if !c.pooled_with.is_empty() {
                notes.push(format!(
                    "Referenzmiete aus gepoolter Stichprobe (n = {}, mit {} Pers.)",
                    c.n_reference,
                    c.pooled_with
                        .iter()
                        .map(u32::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            if !c.valid {
                notes.push(format!(
                    "kein gültiger Richtwert ({}): es gilt der WoGG-Höchstbetrag + Sicherheitszuschlag (BSG B 4 AS 87/12 R){}",
                    c.invalid_german(),
                    if c.applied_limit.is_none() && !c.applied_by_gemeinde.is_empty() {
                        format!(", {}", c.applied_german())
                    } else {
                        String::new()
                    }
                ));
            }
            if cols.karenzzeit.is_some()
                && c.karenzzeit_limit.is_none()
                && c.applied_limit.is_none()
                && !c.applied_by_gemeinde.is_empty()
            {
                notes.push(format!("Karenzzeit {}", c.karenzzeit_german()));
            }
            if bk_suppressed && !nkm_suppressed {
                notes.push(format!("BK nicht ausgewiesen (n < {})", p.min_n));
            }
            let d = RowData {
                area: c.area_m2,
                area_formula: layout::area_name(c.household_size as usize),
                nkm_m2: c.net_rent_per_m2,
                nkm_m2_formula: nkm_formula,
                bk: (c.operating_costs_per_m2, bk_f(false)),
                bk_lift: (c.operating_costs_per_m2_lift, bk_f(true)),
                limits: c.limits,
                limits_lift: c.limits_lift,
                mode,
                nkm_suppressed,
                bk_suppressed,
                n: Some(c.n),
                note: notes.join("; "),
                heating: c.heating_limit,
                total: c.total_limit,
                applied: if !c.valid || !(nkm_suppressed || bk_suppressed) {
                    c.applied_limit
                } else {
                    None
                },
                valid: c.valid,
                karenzzeit: if !c.valid || !(nkm_suppressed || bk_suppressed) {
                    c.karenzzeit_limit
                } else {
                    None
                },
            };
            ws.write_string_with_format(r, 0, &c.vergleichsraum, &f.bold)?;
            ws.write_string_with_format(r, 1, style::persons(c.household_size), &f.text)?;
            debug_assert_eq!(rows.get(i), Some(&r), "layout::richtwerte_rows");
            write_row(&mut ws, ctx, &cols, r, &d)?;
            row_of_cell.push((i, r));
            r += 1;
        }
        // "Je weitere Person": NKM €/m² and kalte BK €/m² of the largest household size (or the
        // last one with a value), rounded like the table.
        let cells_of_vr: Vec<(usize, &CellResult)> = ctx
            .an
            .cells
            .iter()
            .enumerate()
            .filter(|(_, c)| c.vr == vr)
            .collect();
        let source = cells_of_vr
            .iter()
            .rev()
            .find(|(_, c)| c.household_size as usize == ctx.prep.classes)
            .filter(|(_, c)| c.net_rent_per_m2.is_some())
            .or_else(|| {
                cells_of_vr
                    .iter()
                    .rev()
                    .find(|(_, c)| c.net_rent_per_m2.is_some())
            });
        let source_row =
            source.and_then(|(i, _)| row_of_cell.iter().find(|(j, _)| j == i).map(|(_, r)| *r));
        let nkm_suppressed = source.is_none_or(|(_, c)| ctx.suppressed(c.n));
        // The BK €/m² of the same row, so the table's BK level applies.
        let bk_ref = |col: u16| source_row.map(|sr| style::cell_ref(sr, col));
        let source_bk_suppressed = source.is_none_or(|(_, c)| ctx.bk_suppressed(&c.bk));
        let d = RowData {
            area: vres.further_area_m2,
            area_formula: layout::N_AREA_FURTHER.to_string(),
            nkm_m2: source.and_then(|(_, c)| c.net_rent_per_m2),
            nkm_m2_formula: source_row.map(|sr| style::cell_ref(sr, cols.nkm_m2)),
            bk: (
                source.and_then(|(_, c)| c.operating_costs_per_m2),
                bk_ref(cols.bk_m2),
            ),
            bk_lift: (
                source.and_then(|(_, c)| c.operating_costs_per_m2_lift),
                cols.lift.and_then(|(bk_m2, _, _)| bk_ref(bk_m2)),
            ),
            limits: vres.further_person,
            limits_lift: vres.further_person_lift,
            mode,
            nkm_suppressed,
            bk_suppressed: source_bk_suppressed,
            n: None,
            heating: None,
            total: None,
            applied: None,
            valid: true,
            karenzzeit: None,
            note: format!(
                "+{} m² je weitere Person; €/m² der größten Haushaltsgröße",
                crate::fmt::number(vres.further_area_m2, 0)
            ),
        };
        ws.write_string_with_format(r, 0, &vres.name, &f.bold)?;
        ws.write_string_with_format(r, 1, "je weitere Person", &f.text)?;
        write_row(&mut ws, ctx, &cols, r, &d)?;
        r += 2;
    }
    // Footnotes.
    let mut notes = vec![
        "Produkttheorie: Nettokaltmiete € = Wohnfläche × Nettokaltmiete €/m²; kalte BK € = Wohnfläche × BK €/m²; Bruttokaltmiete = Nettokaltmiete € + kalte BK € (Nichtprüfungsgrenze)."
            .to_string(),
        format!(
            "Rundung: €/m² {}; Beträge auf Cent; Bruttokaltmiete {} (auch je weitere Person).",
            if p.reference.round_per_m2 {
                "vor der Multiplikation auf Cent gerundet"
            } else {
                "ungerundet"
            },
            mode.german()
        ),
    ];
    if let Some(k) = p.karenzzeit.factor {
        notes.push(format!(
            "Grenze in der Karenzzeit = {} × geltende Grenze, gerundet wie die Tabelle. Grundlage: die geplante Begrenzung der Übernahme der tatsächlichen Kosten der Unterkunft im ersten Jahr des Leistungsbezugs (Karenzzeit, § 22 Abs. 1 SGB II) auf das 1,5-Fache der Angemessenheitsgrenze; Gesetzestext, Faktor und Tag des Inkrafttretens sind vom Anwender anhand der verkündeten Fassung zu bestätigen.",
            number(k, 2)
        ));
    }
    if split {
        notes.push(
            "„ohne Aufzug“ umfasst auch Wohnungen, bei denen nicht angegeben ist, ob ein Aufzug vorhanden ist."
                .to_string(),
        );
    }
    if ctx.pruef() {
        notes.push(format!(
            "Alle €/m²- und €-Werte sind Formeln über die Blätter „{WERTE}“, „{BK_WERTE}“ und die benannten Zellen im Blatt „{PARAMETER}“ (z. B. {N_P_REFERENCE}); gespeichert ist zusätzlich der vom Programm berechnete Wert."
        ));
    }
    if any_suppressed || !ctx.pruef() {
        notes.push(ctx.suppression_note());
    }
    r += 1;
    for n in notes {
        ws.write_string_with_format(r, 0, n, &f.note)?;
        r += 1;
    }
    Ok(ws)
}

/// Methodentext, section 10 (first part): the Produkttheorie with an example row.
pub fn method_paragraphs(lp: &LoadedProject, an: &Analysis) -> Vec<String> {
    let p = &lp.project.parameters;
    let mut par = vec![format!(
        "Nach der Produkttheorie ist der Richtwert (Nichtprüfungsgrenze) die Bruttokaltmiete: angemessene Wohnfläche × Referenzmiete je m² plus angemessene Wohnfläche × kalte Betriebskosten je m². Beträge werden auf Cent gerundet, die Bruttokaltmiete {}. Für jede weitere Person erhöht sich die Grenze um {} m² × die Referenzmiete der größten Haushaltsgröße zuzüglich der Betriebskosten.",
        p.rounding.mode.german(),
        number(p.wohnflaechen.per_further, 0)
    )];
    if let Some(k) = p.karenzzeit.factor {
        par.push(format!(
            "Zusätzlich wird die Grenze in der Karenzzeit ausgewiesen: das {}-Fache der geltenden Grenze, gerundet wie die Tabelle. Sie folgt der geplanten Begrenzung der Übernahme der tatsächlichen Kosten der Unterkunft im ersten Jahr des Leistungsbezugs; Gesetzestext, Faktor und Tag des Inkrafttretens sind anhand der verkündeten Fassung zu bestätigen.",
            number(k, 2)
        ));
    }
    if let Some(c) = an.cells.iter().find(|c| c.limits.is_some())
        && let (Some(l), Some(nkm), Some(bk)) =
            (c.limits, c.net_rent_per_m2, c.operating_costs_per_m2)
    {
        par.push(format!(
            "Beispiel {}, {}: {} m² × {} = {}; {} m² × {} = {}; Bruttokaltmiete {}.",
            c.vergleichsraum,
            style::persons(c.household_size),
            number(c.area_m2, 0),
            per_m2(nkm),
            euro(l.net_cold),
            number(c.area_m2, 0),
            per_m2(bk),
            euro(l.operating_costs),
            euro(l.gross_cold)
        ));
    }
    par
}
