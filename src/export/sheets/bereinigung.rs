//! Bereinigung (K6): the exclusion funnel by reason and source; in the Prüfmappe also every
//! rejected or excluded row with source file, row number and reason.

use crate::analysis::Analysis;
use crate::analysis::prepare::RecordStatus;
use crate::dataset::LoadedProject;
use crate::export::Ctx;
use crate::export::layout;
use crate::export::style::{self, col};
use crate::export::wording::num;
use crate::fmt::euro;
use crate::model::Reason;
use rust_xlsxwriter::{Worksheet, XlsxError};
use std::collections::BTreeMap;

/// Stage of the funnel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    Delivered,
    Import,
    Accepted,
    Scope,
    InCells,
    Outlier,
    Used,
    /// Offers left out of the Verfügbarkeitsprüfung (window, duplicates, heating, scope).
    Offers,
}

impl Stage {
    fn german(self) -> &'static str {
        match self {
            Stage::Delivered => "Geliefert",
            Stage::Import => "Einlesen",
            Stage::Accepted => "Übernommen",
            Stage::Scope => "Abgrenzung",
            Stage::InCells => "In Tabellenfeldern",
            Stage::Outlier => "Extremwertkappung",
            Stage::Used => "Verwendet",
            Stage::Offers => "Verfügbarkeitsprüfung",
        }
    }
}

/// One excluded row for the list.
struct Excluded {
    source: u16,
    line: u32,
    stage: Stage,
    reason: Reason,
    cell: String,
}

/// Counts per (stage, reason) and source.
#[derive(Default)]
struct Counts {
    /// (stage, reason or None) → per source counts.
    by_key: BTreeMap<(Stage, Option<Reason>), Vec<usize>>,
}

impl Counts {
    fn add(&mut self, stage: Stage, reason: Option<Reason>, source: usize, n_sources: usize) {
        let v = self
            .by_key
            .entry((stage, reason))
            .or_insert_with(|| vec![0; n_sources]);
        if let Some(x) = v.get_mut(source) {
            *x += 1;
        }
    }

    fn set(&mut self, stage: Stage, reason: Option<Reason>, source: usize, n: usize, ns: usize) {
        let v = self
            .by_key
            .entry((stage, reason))
            .or_insert_with(|| vec![0; ns]);
        if let Some(x) = v.get_mut(source) {
            *x = n;
        }
    }
}

/// The Bereinigung sheet.
pub fn bereinigung(ctx: &Ctx) -> Result<Worksheet, XlsxError> {
    let mut ws = style::new_sheet(
        ctx,
        layout::BEREINIGUNG,
        "Bereinigung: Plausibilisierung, Abgrenzung und Extremwertkappung",
    )?;
    let f = &ctx.fmt;
    let lp = ctx.lp;
    let n_sources = lp
        .project
        .sources
        .len()
        .max(lp.data.sources.len())
        .max(
            lp.data
                .records
                .iter()
                .map(|r| usize::from(r.source) + 1)
                .chain(lp.data.rejections.iter().map(|r| usize::from(r.source) + 1))
                .max()
                .unwrap_or(0),
        )
        .max(1);

    // Gather counts per source and the row list.
    let mut counts = Counts::default();
    let mut rows: Vec<Excluded> = Vec::new();
    for (i, s) in lp.data.sources.iter().enumerate() {
        counts.set(Stage::Delivered, None, i, s.import.rows_total, n_sources);
    }
    for rej in &lp.data.rejections {
        counts.add(
            Stage::Import,
            Some(rej.reason),
            usize::from(rej.source),
            n_sources,
        );
        rows.push(Excluded {
            source: rej.source,
            line: rej.line,
            stage: Stage::Import,
            reason: rej.reason,
            cell: String::new(),
        });
    }
    for (rec, st) in lp.data.records.iter().zip(&ctx.prep.status) {
        let s = usize::from(rec.source);
        counts.add(Stage::Accepted, None, s, n_sources);
        match st {
            RecordStatus::Excluded(reason) => {
                counts.add(Stage::Scope, Some(*reason), s, n_sources);
                if *reason != Reason::KindNotUsed {
                    rows.push(Excluded {
                        source: rec.source,
                        line: rec.row,
                        stage: Stage::Scope,
                        reason: *reason,
                        cell: String::new(),
                    });
                }
            }
            RecordStatus::InCell { .. } => counts.add(Stage::InCells, None, s, n_sources),
        }
    }
    for c in &ctx.an.cells {
        let Some(pc) = ctx.prep.cell(c.vr, c.household_size as usize - 1) else {
            continue;
        };
        let (lo, hi) = c.outliers.kept;
        for (k, &rec_idx) in pc.records.iter().enumerate() {
            let Some(rec) = lp.data.records.get(rec_idx as usize) else {
                continue;
            };
            let s = usize::from(rec.source);
            let reason = if k < lo {
                Some(Reason::OutlierLow)
            } else if k >= hi {
                Some(Reason::OutlierHigh)
            } else {
                None
            };
            match reason {
                Some(reason) => {
                    counts.add(Stage::Outlier, Some(reason), s, n_sources);
                    rows.push(Excluded {
                        source: rec.source,
                        line: rec.row,
                        stage: Stage::Outlier,
                        reason,
                        cell: format!(
                            "{} · {}",
                            c.vergleichsraum,
                            style::persons(c.household_size)
                        ),
                    });
                }
                None => counts.add(Stage::Used, None, s, n_sources),
            }
        }
    }
    for &(rec_idx, reason) in &ctx.prep.offers.excluded {
        let Some(rec) = lp.data.records.get(rec_idx as usize) else {
            continue;
        };
        counts.add(
            Stage::Offers,
            Some(reason),
            usize::from(rec.source),
            n_sources,
        );
        rows.push(Excluded {
            source: rec.source,
            line: rec.row,
            stage: Stage::Offers,
            reason,
            cell: String::new(),
        });
    }

    // Overall funnel.
    ws.write_string_with_format(
        1,
        0,
        "Reihenfolge: geliefert → beim Einlesen abgelehnt → übernommen → bei der Abgrenzung ausgeschlossen → in Tabellenfeldern → Extremwerte → verwendet; danach die Angebote, die nicht in die Verfügbarkeitsprüfung eingehen. Rohdaten werden nie verändert; jeder Ausschluss trägt einen Grundcode.",
        &f.note,
    )?;
    let mut headers: Vec<String> = vec![
        "Stufe".into(),
        "Grund".into(),
        "Code".into(),
        "Anzahl".into(),
    ];
    headers.extend(
        (0..n_sources).map(|s| format!("{}. {}", s + 1, crate::export::source_name(lp, s))),
    );
    let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    style::header_row(&mut ws, ctx, 2, &header_refs)?;
    let mut w = vec![20.0, 56.0, 22.0, 12.0];
    w.extend(std::iter::repeat_n(16.0, n_sources));
    style::widths(&mut ws, &w)?;
    let fu = &ctx.an.funnel;
    let mut r = 3u32;
    let totals: Vec<(Stage, Option<Reason>, usize)> = {
        let mut v = vec![(Stage::Delivered, None, fu.delivered)];
        v.extend(
            fu.import_rejected
                .iter()
                .map(|(k, n)| (Stage::Import, Some(*k), *n)),
        );
        v.push((Stage::Accepted, None, fu.records));
        v.extend(
            fu.excluded
                .iter()
                .map(|(k, n)| (Stage::Scope, Some(*k), *n)),
        );
        v.push((Stage::InCells, None, fu.in_cells));
        v.push((Stage::Outlier, Some(Reason::OutlierLow), fu.outliers_low));
        v.push((Stage::Outlier, Some(Reason::OutlierHigh), fu.outliers_high));
        v.push((Stage::Used, None, fu.used));
        v.extend(
            ctx.an
                .offers_excluded
                .iter()
                .map(|(k, n)| (Stage::Offers, Some(*k), *n)),
        );
        v
    };
    for (stage, reason, n) in totals {
        let bold = matches!(
            stage,
            Stage::Delivered | Stage::Accepted | Stage::InCells | Stage::Used
        );
        ws.write_string_with_format(r, 0, stage.german(), if bold { &f.bold } else { &f.text })?;
        let text = match (stage, reason) {
            (_, Some(Reason::KindNotUsed)) => {
                "Datenart für die Referenzmiete nicht verwendet (z. B. Angebotsmieten; nicht einzeln aufgeführt)"
                    .to_string()
            }
            (_, Some(reason)) => reason.german().to_string(),
            (Stage::Delivered, None) => "Datenzeilen aller Quellen".to_string(),
            (Stage::Accepted, None) => "Datensätze nach dem Einlesen".to_string(),
            (Stage::InCells, None) => "Mietwerte in einem Tabellenfeld".to_string(),
            (Stage::Used, None) => "Mietwerte für die Referenzmieten".to_string(),
            _ => String::new(),
        };
        ws.write_string_with_format(r, 1, text, &f.text)?;
        ws.write_string_with_format(r, 2, reason.map_or("", Reason::code), &f.text)?;
        style::int(&mut ws, ctx, r, 3, n)?;
        if let Some(per_source) = counts.by_key.get(&(stage, reason)) {
            for (s, n) in per_source.iter().enumerate() {
                style::int(&mut ws, ctx, r, col(4 + s), *n)?;
            }
        }
        r += 1;
    }

    // Per cell: scope exclusions of the Vergleichsraum × size class, outliers, used.
    r += 1;
    ws.write_string_with_format(
        r,
        0,
        "Abgrenzung und Extremwerte je Tabellenfeld",
        &f.heading,
    )?;
    r += 1;
    let reasons: Vec<Reason> = ctx
        .an
        .cells
        .iter()
        .flat_map(|c| c.excluded.keys().copied())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut headers: Vec<String> = vec!["Vergleichsraum".into(), "Haushalt".into()];
    headers.extend(reasons.iter().map(|r| r.german().to_string()));
    headers.extend([
        "in Tabellenfeld".to_string(),
        "Extremwerte unten".to_string(),
        "Extremwerte oben".to_string(),
        "verwendet".to_string(),
    ]);
    let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    style::sub_header_row(&mut ws, ctx, r, &header_refs)?;
    ws.set_row_height(r, 42)?;
    r += 1;
    for c in &ctx.an.cells {
        ws.write_string_with_format(r, 0, &c.vergleichsraum, &f.text)?;
        ws.write_string_with_format(r, 1, style::persons(c.household_size), &f.text)?;
        for (k, reason) in reasons.iter().enumerate() {
            style::int(
                &mut ws,
                ctx,
                r,
                col(2 + k),
                c.excluded.get(reason).copied().unwrap_or(0),
            )?;
        }
        let base = 2 + reasons.len();
        style::int(&mut ws, ctx, r, col(base), c.n_in_cell)?;
        style::int(&mut ws, ctx, r, col(base + 1), c.outliers.n_low)?;
        style::int(&mut ws, ctx, r, col(base + 2), c.outliers.n_high)?;
        style::int(&mut ws, ctx, r, col(base + 3), c.n)?;
        r += 1;
    }

    if !ctx.pruef() {
        return Ok(ws);
    }
    // Every excluded row (Prüfmappe only).
    rows.sort_by_key(|e| (e.source, e.line, e.stage));
    r += 1;
    ws.write_string_with_format(
        r,
        0,
        format!(
            "Ausgeschlossene Zeilen ({}): Quelle, Zeile der Quelldatei und Grund",
            crate::fmt::number(rows.len() as f64, 0)
        ),
        &f.heading,
    )?;
    r += 1;
    style::sub_header_row(
        &mut ws,
        ctx,
        r,
        &["Stufe", "Grund", "Code", "Zeile", "Quelle", "Tabellenfeld"],
    )?;
    r += 1;
    for e in &rows {
        ws.write_string_with_format(r, 0, e.stage.german(), &f.text)?;
        ws.write_string_with_format(r, 1, e.reason.german(), &f.text)?;
        ws.write_string_with_format(r, 2, e.reason.code(), &f.text)?;
        style::int(&mut ws, ctx, r, 3, e.line as usize)?;
        ws.write_string_with_format(
            r,
            4,
            format!(
                "{}. {}",
                usize::from(e.source) + 1,
                crate::export::source_name(lp, usize::from(e.source))
            ),
            &f.text,
        )?;
        ws.write_string_with_format(r, 5, &e.cell, &f.text)?;
        r += 1;
    }
    Ok(ws)
}

/// Methodentext, section 5: rejections and exclusions by reason.
pub fn method_paragraphs(lp: &LoadedProject, an: &Analysis) -> Vec<String> {
    let p = &lp.project.parameters;
    let fu = &an.funnel;
    let rejected: usize = fu.import_rejected.values().sum();
    let top = |m: &std::collections::BTreeMap<Reason, usize>| {
        let mut v: Vec<(&Reason, &usize)> = m
            .iter()
            .filter(|(r, _)| **r != Reason::KindNotUsed)
            .collect();
        v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        v.iter()
            .take(6)
            .map(|(r, n)| format!("{} ({})", r.german(), num(**n)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let excluded: usize = fu
        .excluded
        .iter()
        .filter(|(r, _)| **r != Reason::KindNotUsed)
        .map(|(_, n)| n)
        .sum();
    let mut par = vec![format!(
        "Beim Einlesen werden Zeilen ohne verwertbare Nettokaltmiete oder Wohnfläche und Zeilen außerhalb der Plausibilitätsgrenzen ({} bis {} je m²) abgelehnt: {} Zeilen{}.",
        euro(p.plausibility.rent_per_m2_min),
        euro(p.plausibility.rent_per_m2_max),
        num(rejected),
        if rejected > 0 {
            format!(", darunter {}", top(&fu.import_rejected))
        } else {
            String::new()
        }
    )];
    par.push(format!(
        "Bei der Abgrenzung des Untersuchungsgegenstands wurden {} Datensätze ausgeschlossen{}.{} Rohdaten werden nicht verändert; jeder Ausschluss ist mit einem Grund im Blatt „Bereinigung“ dokumentiert.",
        num(excluded),
        if excluded > 0 {
            format!(": {}", top(&fu.excluded))
        } else {
            String::new()
        },
        match fu.excluded.get(&Reason::KindNotUsed) {
            Some(n) if *n > 0 => format!(
                " {} Datensätze anderer Datenarten (z. B. Angebotsmieten) gehen nicht in die Referenzmiete ein.",
                num(*n)
            ),
            _ => String::new(),
        }
    ));
    par
}
