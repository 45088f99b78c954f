//! The Datengrundlage sheet: source register and counts.

use crate::analysis::Analysis;
use crate::analysis::prepare::RecordStatus;
use crate::dataset::{LoadedProject, SourceInfo};
use crate::export::Ctx;
use crate::export::layout;
use crate::export::style::{self, DASH, col, row};
use crate::export::wording::num;
use crate::fmt::percent;
use crate::model::{LandlordType, SourceKind};
use rust_xlsxwriter::{Worksheet, XlsxError};

/// The Datengrundlage sheet: source register, counts per source × Vergleichsraum × size
/// class, landlord structure and Leistungsbezug per Vergleichsraum.
pub fn datengrundlage(ctx: &Ctx) -> Result<Worksheet, XlsxError> {
    let mut ws = style::new_sheet(
        ctx,
        layout::DATENGRUNDLAGE,
        "Datengrundlage: Quellenregister",
    )?;
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
    let hashes = crate::export::source_hashes(lp);
    let mut r = 3u32;
    if n_sources == 0 {
        ws.write_string_with_format(r, 1, "keine Quellen registriert", &f.note)?;
        r += 1;
    }
    for i in 0..n_sources {
        let spec = lp.project.sources.get(i);
        let info = lp.data.sources.get(i);
        style::int(&mut ws, ctx, r, 0, i + 1)?;
        ws.write_string_with_format(r, 1, crate::export::source_name(lp, i), &f.text)?;
        // The kinds of the rows read (a Datenart column may mix them), else the declared kind.
        let kind = info
            .map(SourceInfo::kinds_german)
            .or_else(|| spec.map(|s| s.kind.german().to_string()));
        ws.write_string_with_format(r, 2, kind.as_deref().unwrap_or(DASH), &f.wrap)?;
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
                format!("{}. {}", s + 1, crate::export::source_name(lp, s)),
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

/// Methodentext, section 4: sources, counts and coverage.
pub fn method_paragraphs(lp: &LoadedProject, an: &Analysis) -> Vec<String> {
    let proj = &lp.project;
    let fu = &an.funnel;
    let mut par = Vec::new();
    let n_sources = proj.sources.len().max(lp.data.sources.len());
    let src: Vec<String> = lp
        .data
        .sources
        .iter()
        .enumerate()
        .map(|(i, s)| {
            format!(
                "{} ({}{}; {}; {} Zeilen, {} übernommen)",
                crate::export::source_name(lp, i),
                s.import.kind.german(),
                if s.lieferant.is_empty() {
                    String::new()
                } else {
                    format!(", {}", s.lieferant)
                },
                s.zeitraum,
                num(s.import.rows_total),
                num(s.accepted)
            )
        })
        .collect();
    par.push(format!(
        "Die Auswertung beruht auf {} Datenquelle{}{}. Insgesamt wurden {} Zeilen geliefert und {} Datensätze übernommen; {} Mietwerte liegen in einem Tabellenfeld, {} gehen nach der Extremwertkappung in die Referenzmieten ein. Jede Quelle ist mit ihrer SHA-256-Prüfsumme im Blatt „Datengrundlage“ verzeichnet.",
        n_sources,
        if n_sources == 1 { "" } else { "n" },
        if src.is_empty() {
            String::new()
        } else {
            format!(": {}", src.join("; "))
        },
        num(fu.delivered),
        num(fu.records),
        num(fu.in_cells),
        num(fu.used)
    ));
    let cover: Vec<String> = an
        .vergleichsraeume
        .iter()
        .filter_map(|v| {
            v.coverage
                .share
                .map(|sh| format!("{} {}", v.name, percent(sh)))
        })
        .collect();
    if !cover.is_empty() {
        par.push(format!(
            "Verhältnis der Bestandsmieten in Tabellenfeldern zum Mietwohnungsbestand: {}. Die Rechtsprechung hält ohne Mietspiegel eine Abdeckung von mindestens 10 % für erforderlich (Bayerisches LSG, L 11 AS 52/16); unter 4 % gilt die Datengrundlage als unzureichend (LSG Baden-Württemberg, L 2 AS 3878/11).",
            cover.join(", ")
        ));
    }
    par
}
