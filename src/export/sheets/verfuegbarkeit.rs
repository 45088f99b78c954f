//! Verfügbarkeit (docs/METHOD.md §2.8 G1, §2.11; BSG K8): offers per cell and the share affordable
//! at the limit, the iteration log of the iterative procedure, the distribution of affordable
//! offers by Gemeinde and the availability curve.

use crate::analysis::Analysis;
use crate::analysis::CellResult;
use crate::analysis::availability::AvailabilityResult;
use crate::dataset::LoadedProject;
use crate::export::Ctx;
use crate::export::layout::VERFUEGBARKEIT;
use crate::export::style::{self, DASH, col};
use crate::export::wording::num;
use crate::fmt::{number, percent};
use crate::model::params::{IterationStart, Parameters, ReferenceMethod};
use rust_xlsxwriter::{Worksheet, XlsxError};

/// The Verfügbarkeit sheet.
pub fn verfuegbarkeit(ctx: &Ctx) -> Result<Worksheet, XlsxError> {
    let p = ctx.p();
    let a = &p.availability;
    let mut ws = style::new_sheet(
        ctx,
        VERFUEGBARKEIT,
        "Verfügbarkeitsprüfung: Angebotsmieten je Tabellenfeld",
    )?;
    let f = &ctx.fmt;
    let kinds: Vec<&str> = p
        .scope
        .availability_kinds
        .iter()
        .map(|k| k.german())
        .collect();
    ws.write_string_with_format(
        1,
        0,
        format!(
            "Angebote: {}; Zeitfenster {}; {}. Angemessen: Bruttokaltmiete ≤ Richtwert (ohne Angabe der Betriebskosten: Nettokaltmiete ≤ Nettokaltmiete-Grenze){}. Zielanteil {} (einstellbare Voreinstellung, vom Anwender zu begründen).",
            if kinds.is_empty() {
                "keine Datenart".to_string()
            } else {
                kinds.join(", ")
            },
            a.window_months.map_or_else(
                || "ohne Begrenzung".to_string(),
                |m| format!("{m} Monate vor dem Stichtag")
            ),
            if a.dedup {
                "Dubletten entfernt"
            } else {
                "ohne Dublettenprüfung"
            },
            if a.produkttheorie {
                "; Produkttheorie: Angebote jeder Größe"
            } else {
                "; nur Angebote der Größenklasse"
            },
            crate::fmt::percent(a.target_share)
        ),
        &f.note,
    )?;
    let iterative = p.reference.method == ReferenceMethod::Iterative;
    style::header_row(
        &mut ws,
        ctx,
        2,
        &[
            "Vergleichsraum",
            "Haushalt",
            "Angebote",
            "angemessen",
            "Anteil angemessen",
            "Zielanteil",
            "Ziel erreicht",
            "Perzentil p",
            "Gemeinden mit angemessenen Angeboten",
            "größter Anteil einer Gemeinde",
            "Hinweise",
        ],
    )?;
    style::widths(
        &mut ws,
        &[
            22.0, 12.0, 10.0, 11.0, 11.0, 10.0, 10.0, 10.0, 14.0, 13.0, 40.0,
        ],
    )?;
    ws.set_row_height(2, 42)?;
    let mut r = 3u32;
    for c in &ctx.an.cells {
        ws.write_string_with_format(r, 0, &c.vergleichsraum, &f.text)?;
        ws.write_string_with_format(r, 1, style::persons(c.household_size), &f.text)?;
        let suppressed = ctx.suppressed(c.n);
        let Some(av) = &c.availability else {
            for cc in 2..=9 {
                ws.write_string_with_format(r, cc, DASH, &f.center)?;
            }
            ws.write_string_with_format(r, 10, "keine Angebote im Tabellenfeld", &f.text)?;
            r += 1;
            continue;
        };
        style::int(&mut ws, ctx, r, 2, av.n_offers)?;
        let hide = |v: Option<f64>| if suppressed { None } else { v };
        if suppressed {
            ws.write_string_with_format(r, 3, DASH, &f.center)?;
        } else {
            style::int(&mut ws, ctx, r, 3, av.n_affordable)?;
        }
        style::opt_num(&mut ws, ctx, r, 4, hide(av.share), &f.pct)?;
        ws.write_number_with_format(r, 5, av.target_share, &f.pct)?;
        let reached = av.share.is_some_and(|s| s >= av.target_share);
        ws.write_string_with_format(
            r,
            6,
            if suppressed {
                DASH
            } else if reached {
                "ja"
            } else {
                "nein"
            },
            &f.center,
        )?;
        style::opt_num(&mut ws, ctx, r, 7, hide(c.p), &f.pct)?;
        let with = av.by_gemeinde.values().filter(|n| **n > 0).count();
        let max_share = av
            .by_gemeinde
            .values()
            .max()
            .filter(|_| av.n_affordable > 0)
            .map(|m| *m as f64 / av.n_affordable as f64);
        if suppressed {
            ws.write_string_with_format(r, 8, DASH, &f.center)?;
        } else {
            style::int(&mut ws, ctx, r, 8, with)?;
        }
        style::opt_num(&mut ws, ctx, r, 9, hide(max_share), &f.pct)?;
        let mut notes = Vec::new();
        if suppressed {
            notes.push(format!("nicht ausgewiesen (n < {})", p.min_n));
        } else {
            if !reached {
                notes.push("Zielanteil nicht erreicht".to_string());
            }
            if max_share.is_some_and(|m| m > a.max_gemeinde_share) {
                notes.push(format!(
                    "Angebote auf eine Gemeinde konzentriert (> {})",
                    crate::fmt::percent(a.max_gemeinde_share)
                ));
            }
        }
        ws.write_string_with_format(r, 10, notes.join("; "), &f.text)?;
        r += 1;
    }

    // Offer cleaning.
    r += 1;
    ws.write_string_with_format(r, 0, "Bereinigung der Angebote", &f.heading)?;
    r += 1;
    style::sub_header_row(&mut ws, ctx, r, &["Grund", "", "Anzahl"])?;
    r += 1;
    let by_reason = ctx.prep.offers.excluded_by_reason();
    let kept = ctx.prep.offers.n_kept();
    for (reason, n) in &by_reason {
        ws.write_string_with_format(r, 0, reason.german(), &f.text)?;
        style::int(&mut ws, ctx, r, 2, *n)?;
        r += 1;
    }
    ws.write_string_with_format(r, 0, "verwendete Angebote", &f.bold)?;
    style::int(&mut ws, ctx, r, 2, kept)?;
    r += 2;

    // Iteration log.
    if iterative {
        ws.write_string_with_format(
            r,
            0,
            format!(
                "Iteratives Verfahren: Start p = {}, Schritt {} Prozentpunkt(e), höchstens p = {}, Ziel {} angemessene Angebote",
                crate::fmt::percent(p.reference.percentile),
                crate::fmt::number(a.p_step * 100.0, 0),
                crate::fmt::percent(a.p_max),
                crate::fmt::percent(a.target_share)
            ),
            &f.heading,
        )?;
        r += 1;
        style::sub_header_row(
            &mut ws,
            ctx,
            r,
            &[
                "Vergleichsraum",
                "Haushalt",
                "Schritt",
                "Perzentil p",
                "NKM €/m²",
                "Bruttokaltmiete €",
                "angemessene Angebote",
                "Anteil",
                "Entscheidung",
            ],
        )?;
        r += 1;
        for c in &ctx.an.cells {
            if ctx.suppressed(c.n) {
                continue;
            }
            let Some(av) = &c.availability else { continue };
            let last = av.iteration.len();
            for (k, step) in av.iteration.iter().enumerate() {
                ws.write_string_with_format(r, 0, &c.vergleichsraum, &f.text)?;
                ws.write_string_with_format(r, 1, style::persons(c.household_size), &f.text)?;
                style::int(&mut ws, ctx, r, 2, k + 1)?;
                ws.write_number_with_format(r, 3, step.p, &f.pct)?;
                ws.write_number_with_format(r, 4, step.net_rent_per_m2, &f.eur_m2)?;
                ws.write_number_with_format(
                    r,
                    5,
                    step.limit_gross_cold.unwrap_or(step.limit_net_cold),
                    &f.euro,
                )?;
                style::int(&mut ws, ctx, r, 6, step.n_affordable)?;
                ws.write_number_with_format(r, 7, step.share, &f.pct)?;
                let decision = if step.share >= av.target_share {
                    "Ziel erreicht – Perzentil festgelegt"
                } else if k + 1 == last {
                    "Höchstwert erreicht, Ziel verfehlt"
                } else {
                    "unter Ziel – Perzentil erhöhen"
                };
                ws.write_string_with_format(r, 8, decision, &f.text)?;
                r += 1;
            }
        }
        r += 1;
    }

    // Distribution by Gemeinde (R9: no concentration in few districts).
    ws.write_string_with_format(r, 0, "Angemessene Angebote nach Gemeinde", &f.heading)?;
    r += 1;
    style::sub_header_row(
        &mut ws,
        ctx,
        r,
        &[
            "Vergleichsraum",
            "Haushalt",
            "Gemeinde",
            "Angebote",
            "angemessen",
            "Anteil",
        ],
    )?;
    r += 1;
    for c in &ctx.an.cells {
        if ctx.suppressed(c.n) {
            continue;
        }
        let Some(av) = &c.availability else { continue };
        for (g, n) in &av.offers_by_gemeinde {
            let aff = av.by_gemeinde.get(g).copied().unwrap_or(0);
            ws.write_string_with_format(r, 0, &c.vergleichsraum, &f.text)?;
            ws.write_string_with_format(r, 1, style::persons(c.household_size), &f.text)?;
            ws.write_string_with_format(r, 2, g, &f.text)?;
            style::int(&mut ws, ctx, r, 3, *n)?;
            style::int(&mut ws, ctx, r, 4, aff)?;
            style::opt_num(
                &mut ws,
                ctx,
                r,
                5,
                (*n > 0).then(|| aff as f64 / *n as f64),
                &f.pct,
            )?;
            r += 1;
        }
    }

    // Availability curve.
    let curve_len = ctx
        .an
        .cells
        .iter()
        .filter_map(|c| c.availability.as_ref())
        .map(|a| a.curve.len())
        .max()
        .unwrap_or(0);
    if curve_len > 0 {
        r += 1;
        ws.write_string_with_format(
            r,
            0,
            "Anteil angemessener Angebote, wenn der Richtwert beim Perzentil p läge",
            &f.heading,
        )?;
        r += 1;
        let first = ctx
            .an
            .cells
            .iter()
            .filter_map(|c| c.availability.as_ref())
            .find(|a| a.curve.len() == curve_len);
        let mut headers: Vec<String> = vec!["Vergleichsraum".into(), "Haushalt".into()];
        if let Some(a0) = first {
            headers.extend(
                a0.curve
                    .iter()
                    .map(|(pc, _)| format!("P{}", crate::fmt::number(pc * 100.0, 0))),
            );
        }
        let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
        style::sub_header_row(&mut ws, ctx, r, &header_refs)?;
        r += 1;
        for c in &ctx.an.cells {
            if ctx.suppressed(c.n) {
                continue;
            }
            let Some(av) = &c.availability else { continue };
            ws.write_string_with_format(r, 0, &c.vergleichsraum, &f.text)?;
            ws.write_string_with_format(r, 1, style::persons(c.household_size), &f.text)?;
            for (k, (_, share)) in av.curve.iter().enumerate() {
                ws.write_number_with_format(r, col(2 + k), *share, &f.pct)?;
            }
            r += 1;
        }
    }
    if !ctx.pruef() {
        r += 1;
        ws.write_string_with_format(r, 0, ctx.suppression_note(), &f.note)?;
    }
    Ok(ws)
}

/// The start of the iteration as it really was: the fixed p, or the demand shares per household
/// size with the range of start values used.
fn start_german(p: &Parameters, with: &[(&CellResult, &AvailabilityResult)]) -> String {
    match p.availability.start {
        IterationStart::Fixed => format!("p = {}", percent(p.reference.percentile)),
        IterationStart::DemandShare => {
            let starts: Vec<f64> = with
                .iter()
                .filter_map(|(_, av)| av.iteration.first().map(|s| s.p))
                .collect();
            let range = match (
                starts.iter().copied().reduce(f64::min),
                starts.iter().copied().reduce(f64::max),
            ) {
                (Some(lo), Some(hi)) if (hi - lo).abs() > 1e-12 => {
                    format!(", hier {} bis {}", percent(lo), percent(hi))
                }
                (Some(lo), _) => format!(", hier {}", percent(lo)),
                _ => String::new(),
            };
            format!(
                "Anteil der Nachfragegruppe an den Mieterhaushalten je Haushaltsgröße, mindestens {}{range}",
                percent(p.availability.p_floor)
            )
        }
    }
}

/// The paragraphs on the availability check and the iterative procedure (K8).
pub fn method_paragraphs(lp: &LoadedProject, an: &Analysis) -> Vec<String> {
    let p = &lp.project.parameters;
    let a = &p.availability;
    let with: Vec<_> = an
        .cells
        .iter()
        .filter_map(|c| c.availability.as_ref().map(|av| (c, av)))
        .collect();
    let window = a.window_months.map_or_else(
        || "ohne zeitliche Begrenzung".to_string(),
        |m| format!("aus den {m} Monaten vor dem Stichtag"),
    );
    let unsure = format!(
        "Zielanteil ({}) und Zeitfenster der Angebotsmieten schreibt die Rechtsprechung nicht fest vor; sie sind einstellbare Voreinstellungen, die der Anwender begründet (Anhaltspunkte: mindestens ein Fünftel der Wohnungen, Bayerisches LSG L 16 AS 127/10; empirica: unter 20 % verfügbarer Angebote als Warnsignal).",
        percent(a.target_share)
    );
    if with.is_empty() {
        return vec![format!(
            "Für die Verfügbarkeitsprüfung liegen keine Angebotsmieten {window} vor; ausreichende Angebote zum Richtwert sind damit nicht nachgewiesen. Die Rechtsprechung verlangt bei einer Perzentilgrenze diesen Nachweis (SG Hannover, S 70 AS 3823/14). Ohne diesen Nachweis hat kein Tabellenfeld einen gültigen Richtwert; es gilt der WoGG-Rückfallwert (BSG B 4 AS 87/12 R). {unsure}"
        )];
    }
    let offers: usize = with.iter().map(|(_, av)| av.n_offers).sum();
    let reached = with
        .iter()
        .filter(|(_, av)| av.share.is_some_and(|s| s >= av.target_share))
        .count();
    let shares: Vec<f64> = with.iter().filter_map(|(_, av)| av.share).collect();
    let range = match (
        shares.iter().copied().reduce(f64::min),
        shares.iter().copied().reduce(f64::max),
    ) {
        (Some(lo), Some(hi)) => format!(
            " Der Anteil angemessener Angebote liegt zwischen {} und {}.",
            percent(lo),
            percent(hi)
        ),
        _ => String::new(),
    };
    let segs = crate::export::wording::excluded_segments(p);
    let mut out = vec![format!(
        "Verfügbarkeitsprüfung: {} Angebote {window}{}{} wurden je Tabellenfeld daraufhin geprüft, ob ihre Bruttokaltmiete den Richtwert nicht übersteigt (ohne Angabe der Betriebskosten: die Nettokaltmiete die Nettokaltmiete-Grenze). In {} von {} Tabellenfeldern ist mindestens der Zielanteil von {} erreicht{}.{range} Wo Angebote fehlen oder der Zielanteil nicht erreicht ist, gibt es bei jedem Ableitungsverfahren keinen gültigen Richtwert; dort gilt der WoGG-Rückfallwert (BSG B 4 AS 87/12 R). Die Verteilung der angemessenen Angebote auf die Gemeinden steht im Blatt „Verfügbarkeit“.",
        num(offers),
        if a.dedup {
            " nach Entfernen von Dubletten"
        } else {
            ""
        },
        if segs.is_empty() {
            String::new()
        } else {
            format!(
                " und ohne die wie bei der Referenzmiete ausgeschlossenen Segmente ({})",
                segs.join(", ")
            )
        },
        reached,
        an.cells.len(),
        percent(a.target_share),
        match an.cells.len() - with.len() {
            0 => String::new(),
            n => format!(
                "; {} ohne ein einziges Angebot",
                crate::fmt::count(n, "Tabellenfeld", "Tabellenfelder")
            ),
        }
    )];
    if p.reference.method == ReferenceMethod::Iterative {
        let ps: Vec<f64> = with.iter().filter_map(|(c, _)| c.p).collect();
        let p_range = match (
            ps.iter().copied().reduce(f64::min),
            ps.iter().copied().reduce(f64::max),
        ) {
            (Some(lo), Some(hi)) => format!(
                " Die festgelegten Perzentile liegen zwischen {} und {}.",
                percent(lo),
                percent(hi)
            ),
            _ => String::new(),
        };
        out.push(format!(
            "Iteratives Verfahren: Ausgehend vom Startperzentil ({}) wird das Perzentil in Schritten von {} Prozentpunkt(en) bis höchstens {} erhöht, bis der Zielanteil angemessener Angebote erreicht ist; jeder Schritt ist im Blatt „Verfügbarkeit“ protokolliert.{p_range}",
            start_german(p, &with),
            number(a.p_step * 100.0, 0),
            percent(a.p_max)
        ));
    }
    out.push(unsure);
    out
}
