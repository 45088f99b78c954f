//! Vergleichsräume (K1, K5) and Datengrundlage (K3, K4, K5).

use super::Ctx;
use super::style::{self, DASH, col, row};
use crate::analysis::prepare::RecordStatus;
use crate::model::{LandlordType, SourceKind};
use rust_xlsxwriter::{Worksheet, XlsxError};

/// The Vergleichsräume sheet: one table per Vergleichsraum, then one per Gemeinde.
pub fn vergleichsraeume(ctx: &Ctx) -> Result<Worksheet, XlsxError> {
    let mut ws = style::new_sheet(ctx, "Vergleichsräume", "Vergleichsräume und Gemeinden")?;
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
    let coverage = super::overview::coverage_by_vr(ctx);
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
    Ok(ws)
}

/// The Datengrundlage sheet: source register, counts per source × Vergleichsraum × size
/// class, landlord structure and Leistungsbezug per Vergleichsraum.
pub fn datengrundlage(ctx: &Ctx) -> Result<Worksheet, XlsxError> {
    let mut ws = style::new_sheet(ctx, "Datengrundlage", "Datengrundlage: Quellenregister")?;
    let f = &ctx.fmt;
    let lp = ctx.lp;
    style::header_row(
        &mut ws,
        ctx,
        2,
        &[
            "Nr.",
            "Datei",
            "Datenart",
            "Tabellenblatt",
            "Kopfzeile",
            "Lieferant",
            "Erhebungsmethode",
            "Zeitraum / Stichtag",
            "Zeilen geliefert",
            "übernommen",
            "abgelehnt",
            "SHA-256",
        ],
    )?;
    style::widths(
        &mut ws,
        &[
            8.0, 28.0, 18.0, 14.0, 10.0, 18.0, 20.0, 22.0, 12.0, 12.0, 12.0, 66.0,
        ],
    )?;
    let n_sources = lp.project.sources.len().max(lp.data.sources.len());
    let hashes = super::source_hashes(lp);
    let mut r = 3u32;
    if n_sources == 0 {
        ws.write_string_with_format(r, 1, "keine Quellen registriert", &f.note)?;
        r += 1;
    }
    for i in 0..n_sources {
        let spec = lp.project.sources.get(i);
        let info = lp.data.sources.get(i);
        style::int(&mut ws, ctx, r, 0, i + 1)?;
        ws.write_string_with_format(r, 1, super::source_name(lp, i), &f.text)?;
        let kind = spec.map(|s| s.kind).or(info.map(|s| s.import.kind));
        ws.write_string_with_format(r, 2, kind.map_or(DASH, SourceKind::german), &f.text)?;
        ws.write_string_with_format(
            r,
            3,
            spec.and_then(|s| s.sheet.clone()).unwrap_or_default(),
            &f.text,
        )?;
        match info.map(|s| s.import.header_line) {
            Some(h) => style::int(&mut ws, ctx, r, 4, h as usize)?,
            None => {
                style::opt_num(
                    &mut ws,
                    ctx,
                    r,
                    4,
                    spec.and_then(|s| s.header_row).map(f64::from),
                    &f.int,
                )?;
            }
        }
        let lieferant = info
            .map(|s| s.lieferant.clone())
            .or(spec.map(|s| s.lieferant.clone()))
            .unwrap_or_default();
        let methode = info
            .map(|s| s.methode.clone())
            .or(spec.map(|s| s.methode.clone()))
            .unwrap_or_default();
        ws.write_string_with_format(r, 5, lieferant, &f.wrap)?;
        ws.write_string_with_format(r, 6, methode, &f.wrap)?;
        ws.write_string_with_format(
            r,
            7,
            info.map(|s| s.zeitraum.clone()).unwrap_or_default(),
            &f.wrap,
        )?;
        match info {
            Some(s) => {
                style::int(&mut ws, ctx, r, 8, s.import.rows_total)?;
                style::int(&mut ws, ctx, r, 9, s.accepted)?;
                style::int(&mut ws, ctx, r, 10, s.import.rejections.len())?;
            }
            None => {
                for c in 8..=10 {
                    ws.write_string_with_format(r, c, DASH, &f.center)?;
                }
            }
        }
        ws.write_string_with_format(r, 11, hashes.get(i).map_or("", String::as_str), &f.text)?;
        r += 1;
    }

    // Counts per source × Vergleichsraum × size class (records in cells, before outliers).
    r += 1;
    ws.write_string_with_format(
        r,
        0,
        "Mietwerte in Tabellenfeldern nach Quelle, Vergleichsraum und Haushaltsgröße (vor der Extremwertkappung)",
        &f.heading,
    )?;
    r += 1;
    let classes = ctx.prep.classes;
    let vrs = ctx.prep.vr_names.len();
    let n_src = n_sources.max(
        lp.data
            .records
            .iter()
            .map(|rec| usize::from(rec.source) + 1)
            .max()
            .unwrap_or(0),
    );
    let mut counts = vec![0usize; n_src * vrs * classes];
    let mut landlord = vec![[0usize; 3]; vrs];
    let mut welfare = vec![[0usize; 3]; vrs];
    let mut kinds = vec![[0usize; SourceKind::ALL.len()]; vrs];
    for (rec, st) in lp.data.records.iter().zip(&ctx.prep.status) {
        if let RecordStatus::InCell { vr, class } = *st {
            let (vr, class) = (usize::from(vr), usize::from(class));
            if let Some(c) = counts.get_mut((usize::from(rec.source) * vrs + vr) * classes + class)
            {
                *c += 1;
            }
            if let Some(l) = landlord.get_mut(vr) {
                l[match rec.landlord_type {
                    Some(LandlordType::Privat) => 0,
                    Some(LandlordType::Institutionell) => 1,
                    None => 2,
                }] += 1;
            }
            if let Some(w) = welfare.get_mut(vr) {
                w[match rec.welfare {
                    Some(true) => 0,
                    Some(false) => 1,
                    None => 2,
                }] += 1;
            }
            if let Some(k) = kinds.get_mut(vr)
                && let Some(pos) = SourceKind::ALL.iter().position(|x| *x == rec.kind)
            {
                k[pos] += 1;
            }
        }
    }
    let mut headers: Vec<String> = vec!["Quelle".into(), "Vergleichsraum".into()];
    headers.extend((1..=classes).map(|h| style::persons(row(h))));
    headers.push("zusammen".into());
    let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    style::sub_header_row(&mut ws, ctx, r, &header_refs)?;
    r += 1;
    for s in 0..n_src {
        for vr in 0..vrs {
            let base = (s * vrs + vr) * classes;
            let slice = &counts[base..base + classes];
            let total: usize = slice.iter().sum();
            if total == 0 {
                continue;
            }
            ws.write_string_with_format(
                r,
                0,
                format!("{}. {}", s + 1, super::source_name(lp, s)),
                &f.text,
            )?;
            ws.write_string_with_format(r, 1, &ctx.prep.vr_names[vr], &f.text)?;
            for (k, n) in slice.iter().enumerate() {
                style::int(&mut ws, ctx, r, col(2 + k), *n)?;
            }
            style::int(&mut ws, ctx, r, col(2 + classes), total)?;
            r += 1;
        }
    }

    // Structure per Vergleichsraum (K5, R5, R10).
    r += 1;
    ws.write_string_with_format(
        r,
        0,
        "Struktur der Mietwerte je Vergleichsraum (Vermietertyp, Leistungsbezug, Datenart)",
        &f.heading,
    )?;
    r += 1;
    let mut headers: Vec<String> = vec![
        "Vergleichsraum".into(),
        "n".into(),
        "privat".into(),
        "institutionell".into(),
        "Vermieter unbekannt".into(),
        "Anteil privat".into(),
        "Leistungsbezug ja".into(),
        "nein".into(),
        "unbekannt".into(),
        "Anteil Leistungsbezug".into(),
    ];
    headers.extend(SourceKind::ALL.iter().map(|k| k.german().to_string()));
    let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    style::sub_header_row(&mut ws, ctx, r, &header_refs)?;
    r += 1;
    for vr in 0..vrs {
        let l = landlord[vr];
        let w = welfare[vr];
        let n: usize = l.iter().sum();
        ws.write_string_with_format(r, 0, &ctx.prep.vr_names[vr], &f.text)?;
        style::int(&mut ws, ctx, r, 1, n)?;
        for (k, v) in l.iter().enumerate() {
            style::int(&mut ws, ctx, r, col(2 + k), *v)?;
        }
        let known = l[0] + l[1];
        style::opt_num(
            &mut ws,
            ctx,
            r,
            5,
            (known > 0).then(|| l[0] as f64 / known as f64),
            &f.pct,
        )?;
        for (k, v) in w.iter().enumerate() {
            style::int(&mut ws, ctx, r, col(6 + k), *v)?;
        }
        let known = w[0] + w[1];
        style::opt_num(
            &mut ws,
            ctx,
            r,
            9,
            (known > 0).then(|| w[0] as f64 / known as f64),
            &f.pct,
        )?;
        for (k, v) in kinds[vr].iter().enumerate() {
            style::int(&mut ws, ctx, r, col(10 + k), *v)?;
        }
        r += 1;
    }
    r += 1;
    ws.write_string_with_format(
        r,
        0,
        "Anteil privat: an den Mietwerten mit bekanntem Vermietertyp. Ein hoher Anteil von Leistungsbeziehern kann auf einen Zirkelschluss hindeuten (SG Magdeburg S 14 AS 720/19 WA).",
        &f.note,
    )?;
    Ok(ws)
}
