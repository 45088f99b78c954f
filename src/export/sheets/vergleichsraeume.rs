//! The Vergleichsräume sheet: Vergleichsräume, their Gemeinden and coverage.

use crate::analysis::Analysis;
use crate::dataset::LoadedProject;
use crate::export::Ctx;
use crate::export::layout;
use crate::export::style::{self, DASH};
use rust_xlsxwriter::{Worksheet, XlsxError};

/// The Vergleichsräume sheet: one table per Vergleichsraum, then one per Gemeinde.
pub fn vergleichsraeume(ctx: &Ctx) -> Result<Worksheet, XlsxError> {
    let mut ws = style::new_sheet(
        ctx,
        layout::VERGLEICHSRAEUME,
        "Vergleichsräume und Gemeinden",
    )?;
    let f = &ctx.fmt;
    let proj = &ctx.lp.project;
    ws.write_string_with_format(
        1,
        0,
        "Je Vergleichsraum genau ein Richtwert je Haushaltsgröße (BSG, 30.01.2019, B 14 AS 24/18 R). Abdeckung = Bestandsmieten in Tabellenfeldern im Verhältnis zum Mietwohnungsbestand (Warnschwelle 10 %, Bayerisches LSG L 11 AS 52/16; unter 4 % unzureichend, LSG Baden-Württemberg L 2 AS 3878/11).",
        &f.note,
    )?;
    style::header_row(
        &mut ws,
        ctx,
        2,
        &[
            "Vergleichsraum",
            "Gemeinden",
            "Einwohner",
            "Mietwohnungen",
            "Mietwerte in Tabellenfeldern",
            "verwendete Mietwerte",
            "Abdeckung (Bestandsmieten ÷ Mietwohnungen)",
            "Begründung (homogener Lebens- und Wohnbereich)",
        ],
    )?;
    style::widths(
        &mut ws,
        &[
            24.0, 12.0, 12.0, 14.0, 14.0, 14.0, 16.0, 70.0, 14.0, 12.0, 40.0,
        ],
    )?;
    let coverage = coverage_by_vr(ctx);
    let mut r = 3u32;
    for (vr, name) in ctx.prep.vr_names.iter().enumerate() {
        let gem: Vec<_> = proj
            .gemeinden
            .iter()
            .filter(|g| &g.vergleichsraum == name)
            .collect();
        let einwohner: u64 = gem
            .iter()
            .map(|g| u64::from(g.einwohner.unwrap_or(0)))
            .sum();
        let (_, n_ref, stock) = coverage.get(vr).cloned().unwrap_or_default();
        let n_used = ctx.an.vergleichsraeume.get(vr).map_or(0, |v| v.n_used);
        ws.write_string_with_format(r, 0, name, &f.bold)?;
        style::int(&mut ws, ctx, r, 1, gem.len())?;
        if gem.iter().any(|g| g.einwohner.is_some()) {
            style::int(&mut ws, ctx, r, 2, einwohner as usize)?;
        } else {
            ws.write_string_with_format(r, 2, DASH, &f.center)?;
        }
        if stock > 0 {
            style::int(&mut ws, ctx, r, 3, stock as usize)?;
        } else {
            ws.write_string_with_format(r, 3, DASH, &f.center)?;
        }
        style::int(&mut ws, ctx, r, 4, n_ref)?;
        style::int(&mut ws, ctx, r, 5, n_used)?;
        let share = ctx
            .an
            .vergleichsraeume
            .get(vr)
            .and_then(|v| v.coverage.share);
        style::opt_num(&mut ws, ctx, r, 6, share, &f.pct)?;
        let text = proj
            .vergleichsraeume
            .iter()
            .find(|v| &v.name == name)
            .map(|v| v.begruendung.trim())
            .filter(|t| !t.is_empty())
            .unwrap_or("(keine Begründung erfasst)");
        ws.write_string_with_format(r, 7, text, &f.wrap)?;
        ws.set_row_height(r, style::wrapped_height(text, 70.0))?;
        r += 1;
    }
    r += 1;
    ws.write_string_with_format(r, 0, "Gemeinden", &f.heading)?;
    r += 1;
    style::sub_header_row(
        &mut ws,
        ctx,
        r,
        &[
            "Gemeinde",
            "AGS",
            "Vergleichsraum",
            "Einwohner",
            "Mietwohnungen",
            "WoGG-Mietstufe",
            "zugeordnete Datensätze",
            "verwertbare Mietwerte",
            "Angebote",
            "Anteil am Bestand",
            "Hinweis",
        ],
    )?;
    r += 1;
    for (i, g) in proj.gemeinden.iter().enumerate() {
        let cov = ctx.prep.coverage.get(i).cloned().unwrap_or_default();
        ws.write_string_with_format(r, 0, &g.name, &f.text)?;
        ws.write_string_with_format(r, 1, &g.ags, &f.text)?;
        ws.write_string_with_format(
            r,
            2,
            if g.vergleichsraum.is_empty() {
                "(nicht zugeordnet)"
            } else {
                &g.vergleichsraum
            },
            &f.text,
        )?;
        style::opt_num(&mut ws, ctx, r, 3, g.einwohner.map(f64::from), &f.int)?;
        style::opt_num(&mut ws, ctx, r, 4, g.mietwohnungen.map(f64::from), &f.int)?;
        style::opt_num(&mut ws, ctx, r, 5, g.mietstufe.map(f64::from), &f.int)?;
        style::int(&mut ws, ctx, r, 6, cov.n_assigned)?;
        style::int(&mut ws, ctx, r, 7, cov.n_reference)?;
        style::int(&mut ws, ctx, r, 8, cov.n_offers)?;
        let share = g
            .mietwohnungen
            .filter(|m| *m > 0)
            .map(|m| cov.n_reference as f64 / f64::from(m));
        style::opt_num(&mut ws, ctx, r, 9, share, &f.pct)?;
        let note = if g.vergleichsraum.is_empty() {
            "keinem Vergleichsraum zugeordnet (K1)"
        } else if cov.n_reference == 0 {
            "keine verwertbaren Mietwerte (K1)"
        } else {
            ""
        };
        ws.write_string_with_format(r, 10, note, &f.text)?;
        r += 1;
    }
    homogeneity(&mut ws, ctx, r + 1)?;
    Ok(ws)
}

/// The homogeneity report below the Gemeinden: rent level per Gemeinde, spread within and
/// between the Vergleichsräume, Gemeinden that look misassigned (docs/METHOD.md §2.3).
fn homogeneity(ws: &mut Worksheet, ctx: &Ctx, mut r: u32) -> Result<(), XlsxError> {
    let f = &ctx.fmt;
    let p = ctx.p();
    let rep = crate::analysis::homogeneity::report(ctx.prep, &ctx.lp.project);
    ws.write_string_with_format(r, 0, "Homogenität: Mietniveau der Gemeinden", &f.heading)?;
    r += 1;
    ws.write_string_with_format(
        r,
        0,
        format!(
            "Median der Nettokaltmiete je m² aller Mietwerte in Tabellenfeldern (vor der Extremwertkappung); verglichen werden Gemeinden mit mindestens {} Mietwerten. Streuung innerhalb = Standardabweichung der Gemeinde-Mediane im Vergleichsraum, zwischen = Standardabweichung der Mediane der Vergleichsräume ({} €/m²); ein Verhältnis unter 1 heißt: Die Gemeinden liegen näher beieinander als die Vergleichsräume. Toleranz je Gemeinde {} (SG Kassel, 19.02.2018, S 3 AS 236/15; LSG Niedersachsen-Bremen, L 6 AS 467/17).",
            p.min_n,
            rep.sd_between
                .map_or_else(|| DASH.to_string(), |v| crate::fmt::number(v, 2)),
            crate::fmt::percent(p.representativeness.homogeneity_gap)
        ),
        &f.note,
    )?;
    r += 1;
    style::sub_header_row(
        ws,
        ctx,
        r,
        &[
            "Vergleichsraum",
            "Gemeinden mit Mietniveau",
            "Median €/m²",
            "niedrigster Gemeinde-Median",
            "höchster Gemeinde-Median",
            "Streuung innerhalb (€/m²)",
            "Verhältnis innerhalb ÷ zwischen",
        ],
    )?;
    r += 1;
    for v in &rep.vergleichsraeume {
        ws.write_string_with_format(r, 0, &v.vergleichsraum, &f.bold)?;
        style::int(ws, ctx, r, 1, v.n_measured)?;
        style::opt_num(ws, ctx, r, 2, v.median, &f.value)?;
        style::opt_num(ws, ctx, r, 3, v.range.map(|x| x.0), &f.value)?;
        style::opt_num(ws, ctx, r, 4, v.range.map(|x| x.1), &f.value)?;
        style::opt_num(ws, ctx, r, 5, v.sd_within, &f.value)?;
        style::opt_num(ws, ctx, r, 6, v.ratio, &f.general)?;
        r += 1;
    }
    r += 1;
    style::sub_header_row(
        ws,
        ctx,
        r,
        &[
            "Gemeinde",
            "Vergleichsraum",
            "Mietwerte (n)",
            "Median €/m²",
            "Abweichung vom Vergleichsraum",
            "Hinweis",
        ],
    )?;
    r += 1;
    for l in &rep.gemeinden {
        let Some(g) = ctx.lp.project.gemeinden.get(l.gemeinde) else {
            continue;
        };
        let own = rep
            .vergleichsraeume
            .iter()
            .find(|v| v.vergleichsraum == g.vergleichsraum)
            .and_then(|v| v.median);
        ws.write_string_with_format(r, 0, &g.name, &f.text)?;
        ws.write_string_with_format(r, 1, &g.vergleichsraum, &f.text)?;
        style::int(ws, ctx, r, 2, l.n)?;
        style::opt_num(ws, ctx, r, 3, l.median, &f.value)?;
        let gap = l.median.zip(own).map(|(m, o)| m / o - 1.0);
        style::opt_num(ws, ctx, r, 4, gap, &f.pct)?;
        let note = match &l.closer_to {
            Some(other) => format!("liegt näher am Mietniveau von {other} – Zuordnung prüfen"),
            None if !l.measured => format!("weniger als {} Mietwerte", p.min_n),
            None => String::new(),
        };
        ws.write_string_with_format(r, 5, note, &f.text)?;
        r += 1;
    }
    Ok(())
}

/// (Vergleichsraum, reference records in scope, Mietwohnungsbestand) per Vergleichsraum.
fn coverage_by_vr(ctx: &Ctx) -> Vec<(String, usize, u64)> {
    ctx.prep
        .vr_names
        .iter()
        .map(|name| {
            let mut n = 0usize;
            let mut stock = 0u64;
            for (g, c) in ctx.lp.project.gemeinden.iter().zip(&ctx.prep.coverage) {
                if &g.vergleichsraum == name {
                    n += c.n_reference;
                    stock += u64::from(g.mietwohnungen.unwrap_or(0));
                }
            }
            (name.clone(), n, stock)
        })
        .collect()
}

/// Methodentext, section 3: the Vergleichsräume and their Gemeinden.
pub fn method_paragraphs(lp: &LoadedProject, _an: &Analysis) -> Vec<String> {
    let proj = &lp.project;
    let vr_names = proj.vergleichsraum_names();
    let vr_desc: Vec<String> = vr_names
        .iter()
        .map(|n| {
            let k = proj
                .gemeinden
                .iter()
                .filter(|g| &g.vergleichsraum == n)
                .count();
            format!("{n} ({k} Gemeinde{})", if k == 1 { "" } else { "n" })
        })
        .collect();
    let unassigned: Vec<&str> = proj
        .gemeinden
        .iter()
        .filter(|g| g.vergleichsraum.is_empty())
        .map(|g| g.name.as_str())
        .collect();
    let mut par = vec![format!(
        "Das Gebiet ist in {} Vergleichsr{} gegliedert: {}. Für jeden Vergleichsraum wird je Haushaltsgröße genau ein Richtwert abgeleitet; eine Unterteilung eines Vergleichsraums in Wohnungsmarkttypen mit eigenen Grenzen findet nicht statt (BSG, 30.01.2019, B 14 AS 24/18 R). Zuordnung der Gemeinden und Begründung der Homogenität stehen im Blatt „Vergleichsräume“.",
        vr_names.len(),
        if vr_names.len() == 1 { "aum" } else { "äume" },
        vr_desc.join(", ")
    )];
    if !unassigned.is_empty() {
        par.push(format!(
            "Keinem Vergleichsraum zugeordnet sind: {}.",
            unassigned.join(", ")
        ));
    }
    par
}
