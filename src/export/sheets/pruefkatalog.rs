//! The BSG-Prüfkatalog (K1–K8) with evidence references and the warnings of the run.

use crate::analysis::reference::rule_german as reference_rule_german;
use crate::export::Ctx;
use crate::export::layout;
use crate::export::layout::PARAMETER;
use crate::export::layout::PRUEFKATALOG;
use crate::export::style::{self, row};
use crate::export::wording::excluded_segments;
use crate::export::wording::num;
use crate::export::wording::undated_rule;
use crate::model::BsgCriterion;
use crate::model::Reason;
use crate::model::params::{OutlierMethod, ReferenceMethod};
use rust_xlsxwriter::{Worksheet, XlsxError};

/// The BSG-Prüfkatalog (K1–K8) with evidence references and the warnings.
pub fn pruefkatalog(ctx: &Ctx) -> Result<Worksheet, XlsxError> {
    let mut ws = style::new_sheet(
        ctx,
        PRUEFKATALOG,
        "BSG-Prüfkatalog: Kriterien eines schlüssigen Konzepts (BSG, 22.09.2009, B 4 AS 18/09 R)",
    )?;
    let f = &ctx.fmt;
    style::header_row(
        &mut ws,
        ctx,
        2,
        &[
            "Nr.",
            "Kriterium",
            "Umsetzung in dieser Auswertung",
            "Nachweis",
            "Hinweise",
        ],
    )?;
    style::widths(&mut ws, &[6.0, 42.0, 80.0, 26.0, 12.0])?;
    for (i, item) in criteria(ctx).iter().enumerate() {
        let r = 3 + row(i);
        ws.write_string_with_format(r, 0, item.id.code(), &f.bold)?;
        ws.write_string_with_format(r, 1, item.id.german(), &f.wrap)?;
        ws.write_string_with_format(r, 2, &item.text, &f.wrap)?;
        style::internal_link(&mut ws, ctx, r, 3, item.sheet, item.cell, &item.link_text)?;
        let n = ctx
            .an
            .warnings
            .iter()
            .filter(|w| w.criterion() == item.id)
            .count();
        if n > 0 {
            ws.write_string_with_format(r, 4, format!("{n} (s. u.)"), &f.center)?;
        } else {
            ws.write_string_with_format(r, 4, "keine", &f.center)?;
        }
        ws.set_row_height(
            r,
            style::wrapped_height(&item.text, 80.0)
                .max(style::wrapped_height(item.id.german(), 42.0)),
        )?;
    }
    let mut r = 3 + 8 + 1;
    r = schluessigkeitspruefung(&mut ws, ctx, r)?;
    r += 1;
    ws.write_string_with_format(r, 0, "Befunde der Prüfung im Einzelnen", &f.heading)?;
    r += 1;
    style::sub_header_row(&mut ws, ctx, r, &["Nr.", "Schwere", "Text", "Kriterium"])?;
    r += 1;
    let mut warnings: Vec<_> = ctx.an.warnings.iter().collect();
    warnings.sort_by_key(|w| std::cmp::Reverse(w.severity));
    if warnings.is_empty() {
        ws.write_string_with_format(r, 1, "keine", &f.text)?;
    }
    for (i, w) in warnings.iter().enumerate() {
        int(&mut ws, ctx, r, 0, i + 1)?;
        ws.write_string_with_format(r, 1, w.severity.german(), &f.bold)?;
        ws.write_string_with_format(r, 2, &w.text, &f.wrap)?;
        ws.write_string_with_format(r, 3, w.criterion().code(), &f.center)?;
        ws.set_row_height(r, style::wrapped_height(&w.text, 80.0))?;
        r += 1;
    }
    Ok(ws)
}

/// The Schlüssigkeitsprüfung: one row per check (status, finding, decision) from row `r`;
/// returns the next free row.
fn schluessigkeitspruefung(ws: &mut Worksheet, ctx: &Ctx, mut r: u32) -> Result<u32, XlsxError> {
    let f = &ctx.fmt;
    let an = ctx.an;
    let errors: Vec<&str> = an.open_errors().map(|c| c.title).collect();
    ws.write_string_with_format(
        r,
        0,
        "Schlüssigkeitsprüfung: Gründe, aus denen Gerichte Konzepte verworfen haben",
        &f.heading,
    )?;
    r += 1;
    let verdict = if errors.is_empty() {
        "Ergebnis: keine offenen Fehler.".to_string()
    } else {
        format!(
            "Ergebnis: nicht schlüssig – offene Fehler: {}.",
            errors.join("; ")
        )
    };
    ws.write_string_with_format(r, 0, &verdict, &f.bold)?;
    r += 1;
    style::sub_header_row(
        ws,
        ctx,
        r,
        &["Nr.", "Prüfung", "Befund", "Rechtsprechung", "Ergebnis"],
    )?;
    r += 1;
    for (i, c) in an.checks.iter().enumerate() {
        int(ws, ctx, r, 0, i + 1)?;
        let title = format!("{} ({})", c.title, c.criterion.code());
        ws.write_string_with_format(r, 1, &title, &f.wrap)?;
        let mut text = c.text.clone();
        if let Some(m) = &c.missing {
            text.push_str(&format!(" Es fehlt: {m}."));
        }
        ws.write_string_with_format(r, 2, &text, &f.wrap)?;
        ws.write_string_with_format(r, 3, c.decision, &f.wrap)?;
        ws.write_string_with_format(r, 4, c.status.german(), &f.bold)?;
        ws.set_row_height(
            r,
            style::wrapped_height(&text, 80.0)
                .max(style::wrapped_height(c.decision, 26.0))
                .max(style::wrapped_height(&title, 42.0)),
        )?;
        r += 1;
    }
    Ok(r)
}

fn int(ws: &mut Worksheet, ctx: &Ctx, r: u32, c: u16, n: usize) -> Result<(), XlsxError> {
    style::int(ws, ctx, r, c, n)
}

/// One criterion of the catalogue.
struct Criterion {
    id: BsgCriterion,
    text: String,
    sheet: &'static str,
    cell: &'static str,
    link_text: String,
}

fn criteria(ctx: &Ctx) -> Vec<Criterion> {
    let p = ctx.p();
    let an = ctx.an;
    let proj = &ctx.lp.project;
    let fu = &an.funnel;
    let no_data: Vec<&str> = proj
        .gemeinden
        .iter()
        .zip(&ctx.prep.coverage)
        .filter(|(g, c)| !g.vergleichsraum.is_empty() && c.n_reference == 0)
        .map(|(g, _)| g.name.as_str())
        .collect();
    let outside: usize = [
        Reason::MissingGemeinde,
        Reason::UnknownGemeinde,
        Reason::NoVergleichsraum,
    ]
    .iter()
    .map(|r| fu.excluded.get(r).copied().unwrap_or(0))
    .sum();
    let k1 = format!(
        "{} Vergleichsräume mit {} Gemeinden; die Gemeindetabelle ordnet jede Gemeinde genau einem Vergleichsraum zu. {} {} Datensätze außerhalb des Gebiets oder ohne Vergleichsraum wurden ausgeschlossen.",
        ctx.prep.vr_names.len(),
        proj.gemeinden.len(),
        if no_data.is_empty() {
            "Aus allen Gemeinden liegen verwertbare Mietwerte vor.".to_string()
        } else {
            format!(
                "Ohne verwertbare Mietwerte: {} (Abdeckung prüfen).",
                no_data.join(", ")
            )
        },
        num(outside)
    ) + &super::clusteranalyse::katalog_sentence(ctx).unwrap_or_default();
    let kinds: Vec<&str> = p.scope.reference_kinds.iter().map(|k| k.german()).collect();
    let segs = excluded_segments(p);
    let k2 = format!(
        "Beobachtet wird die Nettokaltmiete je m² ({}); {}. Tabellenfelder nach den angemessenen Wohnflächen ({}: {} m²).",
        kinds.join(", "),
        if segs.is_empty() {
            "keine Segmente ausgeschlossen".to_string()
        } else {
            format!("ausgeschlossen: {}", segs.join(", "))
        },
        p.wohnflaechen.land,
        p.wohnflaechen
            .sizes
            .iter()
            .map(|a| crate::fmt::number(*a, 0))
            .collect::<Vec<_>>()
            .join(" / ")
    );
    let windows: Vec<String> = ctx
        .lp
        .data
        .sources
        .iter()
        .enumerate()
        .map(|(i, s)| format!("{}: {}", crate::export::source_name(ctx.lp, i), s.zeitraum))
        .collect();
    let n_undated: usize = ctx.prep.cells.iter().map(|c| c.n_undated).sum();
    let k3 = format!(
        "Stichtag {}. {}{}",
        proj.project.stichtag.german(),
        match p.scope.contract_window_years {
            Some(y) => format!(
                "Bestandsmieten nur mit Vertragsbeginn oder letzter Mietänderung in den {y} Jahren vor dem Stichtag. {} ",
                undated_rule(proj, Some(n_undated)).unwrap_or_default()
            ),
            None => "Keine Begrenzung des Vertragsalters. ".to_string(),
        },
        if windows.is_empty() {
            "Erhebungszeiträume: siehe Datengrundlage.".to_string()
        } else {
            format!("Erhebungszeiträume: {}.", windows.join("; "))
        }
    ) + &super::fortschreibung::katalog_sentence(ctx).unwrap_or_default();
    let n_sources = ctx.lp.project.sources.len().max(ctx.lp.data.sources.len());
    let k4 = format!(
        "{} Datenquelle(n) mit Datenart, Lieferant, Erhebungsmethode, Zeitraum, Zeilenzahl und SHA-256-Prüfsumme im Quellenregister.",
        n_sources
    );
    let below = an.cells.iter().filter(|c| c.n < p.min_n).count();
    let shares: Vec<String> = an
        .vergleichsraeume
        .iter()
        .filter_map(|v| {
            v.coverage
                .share
                .map(|sh| format!("{} {}", v.name, crate::fmt::percent(sh)))
        })
        .collect();
    let k5 = format!(
        "{} Mietwerte in {} Tabellenfeldern; {} Tabellenfeld(er) unter der Mindestfallzahl {}. Bestandsmieten in Tabellenfeldern im Verhältnis zum Mietwohnungsbestand: {}.",
        num(fu.used),
        an.cells.len(),
        below,
        p.min_n,
        if shares.is_empty() {
            "Bestand nicht angegeben".to_string()
        } else {
            shares.join(", ")
        }
    );
    let rejected: usize = fu.import_rejected.values().sum();
    let excluded: usize = fu
        .excluded
        .iter()
        .filter(|(r, _)| **r != Reason::KindNotUsed)
        .map(|(_, n)| n)
        .sum();
    let k6 = format!(
        "Plausibilitätsprüfung mit Grundcodes: {} Zeilen beim Einlesen abgelehnt, {} Datensätze bei der Abgrenzung ausgeschlossen; jeder Ausschluss ist mit Grund{} dokumentiert.",
        num(rejected),
        num(excluded),
        if ctx.pruef() {
            ", Quelle und Zeile"
        } else {
            ""
        }
    );
    let outlier = match p.outliers.method {
        OutlierMethod::MeanSd => format!(
            "Mittelwert ± {} · Standardabweichung je Tabellenfeld (ein Durchgang)",
            crate::fmt::number(p.outliers.k, 2)
        ),
        other => other.german().to_string(),
    };
    let k7 = format!(
        "Extremwertkappung: {outlier}; {} Werte entfernt. Quantildefinition: {}. Reproduzierbar: gleiche Eingaben ergeben dieselben Werte (Lauf-Fingerprint im Protokoll){}.",
        num(fu.outliers_low + fu.outliers_high),
        p.quantile_type.german(),
        if ctx.pruef() {
            "; die Prüfmappe rechnet alle Kennzahlen mit Excel-Formeln nach"
        } else {
            ""
        }
    );
    let k8 = format!(
        "Schlussfolgerung: {} je Tabellenfeld als angemessener Quadratmeterpreis{}; Richtwert = Wohnfläche × (Referenzmiete + kalte Betriebskosten je m², {}) nach der Produkttheorie.",
        reference_rule_german(p),
        match &p.reference.method {
            ReferenceMethod::Mean => String::new(),
            _ => format!(
                ", mit verteilungsfreiem {}-Konfidenzintervall",
                crate::fmt::percent(p.ci_level)
            ),
        },
        p.operating_costs.statistic.german()
    ) + &super::heizkosten::katalog_sentence(ctx).unwrap_or_default();
    vec![
        Criterion {
            id: BsgCriterion::K1,
            text: k1,
            sheet: layout::VERGLEICHSRAEUME,
            cell: "A1",
            link_text: "Vergleichsräume".into(),
        },
        Criterion {
            id: BsgCriterion::K2,
            text: k2,
            sheet: PARAMETER,
            cell: "A1",
            link_text: "Parameter, Methodentext".into(),
        },
        Criterion {
            id: BsgCriterion::K3,
            text: k3,
            sheet: layout::DATENGRUNDLAGE,
            cell: "A1",
            link_text: "Datengrundlage".into(),
        },
        Criterion {
            id: BsgCriterion::K4,
            text: k4,
            sheet: layout::DATENGRUNDLAGE,
            cell: "A1",
            link_text: "Datengrundlage".into(),
        },
        Criterion {
            id: BsgCriterion::K5,
            text: k5,
            sheet: layout::VERGLEICHSRAEUME,
            cell: "A1",
            link_text: "Vergleichsräume, Verteilungen".into(),
        },
        Criterion {
            id: BsgCriterion::K6,
            text: k6,
            sheet: layout::BEREINIGUNG,
            cell: "A1",
            link_text: "Bereinigung".into(),
        },
        Criterion {
            id: BsgCriterion::K7,
            text: k7,
            sheet: layout::EXTREMWERTE,
            cell: "A1",
            link_text: "Extremwerte, Verteilungen".into(),
        },
        Criterion {
            id: BsgCriterion::K8,
            text: k8,
            sheet: layout::RICHTWERTE,
            cell: "A1",
            link_text: "Richtwerte".into(),
        },
    ]
}
