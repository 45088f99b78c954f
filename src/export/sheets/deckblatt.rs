//! The Deckblatt: title, area, validity, table of contents.

use crate::export::Ctx;
use crate::export::layout::{self, *};
use crate::export::style::{self, DASH};
use crate::model::Date;
use rust_xlsxwriter::{Worksheet, XlsxError};

/// The date two years after `d` (29 Feb → 28 Feb), minus one day.
fn two_years_later(d: Date) -> Date {
    let (y, m, day) = d.ymd();
    let target = Date::from_ymd(y + 2, m, day)
        .or_else(|| Date::from_ymd(y + 2, m, day.saturating_sub(1)))
        .unwrap_or(d);
    Date::from_days_since_epoch(target.days_since_epoch() - 1)
}

/// Sheets of the workbook with a one-line description, for the table of contents.
fn contents(ctx: &Ctx) -> Vec<(&'static str, &'static str)> {
    let mut v = vec![(
        layout::RICHTWERTE,
        "Angemessenheitsgrenzen je Vergleichsraum und Haushaltsgröße",
    )];
    if super::richtwerttabelle::wanted(ctx) {
        v.push((
            layout::RICHTWERTTABELLE,
            "Richtwerttabelle zur Veröffentlichung: nummerierte Spalten mit Rechenregeln, nachgerechnet",
        ));
    }
    v.extend([
        (
            PRUEFKATALOG,
            "BSG-Kriterien K1–K8 mit Nachweisen; Hinweise und Warnungen",
        ),
        (PARAMETER, "Alle Parameter mit Standardwert und Begründung"),
        (
            layout::VERGLEICHSRAEUME,
            "Gemeinden, Zuordnung, Abdeckung, Begründung",
        ),
    ]);
    if super::clusteranalyse::wanted(ctx) {
        v.push((
            layout::CLUSTERANALYSE,
            "Clusteranalyse: Indikatoren, Silhouette, Verschmelzungen, Vorschlag (nur ein Vorschlag)",
        ));
    }
    v.extend([
        (layout::DATENGRUNDLAGE, "Quellenregister und Fallzahlen"),
        (layout::BEREINIGUNG, "Ausschlüsse nach Grund und Quelle"),
        (layout::EXTREMWERTE, "Extremwertkappung je Tabellenfeld"),
        (
            layout::VERTEILUNGEN,
            "Statistiken, Perzentile, Konfidenzintervalle",
        ),
        (
            layout::HISTOGRAMME,
            "Verteilung der Nettokaltmieten je m² mit Referenzmiete",
        ),
        (
            layout::BETRIEBSKOSTEN,
            "Kalte Betriebskosten je Vergleichsraum",
        ),
    ]);
    if super::heizkosten::wanted(ctx) {
        v.push((
            layout::HEIZKOSTEN,
            "Heizspiegel, Heizkosten-Prüfgrenzen und Gesamtangemessenheitsgrenze",
        ));
    }
    v.extend([
        (
            layout::VERFUEGBARKEIT,
            "Angebotsmieten: Anteil angemessener Angebote, Iteration, Gemeinden",
        ),
        (
            layout::WOGG_VERGLEICH,
            "Richtwerte neben WoGG-Höchstbeträgen + Sicherheitszuschlag",
        ),
    ]);
    if super::wirkung::wanted(ctx) {
        v.push((
            layout::WIRKUNG,
            "Bedarfsgemeinschaften über dem geltenden Richtwert und Mehrkosten",
        ));
    }
    if super::fortschreibung::wanted(ctx) {
        v.push((
            layout::FORTSCHREIBUNG,
            "Alte Richtwerte × Indexfaktoren (Nettokaltmiete und Betriebskosten getrennt)",
        ));
    }
    v.extend([
        (
            layout::METHODENTEXT,
            "Beschreibung des Verfahrens mit den Ergebnissen",
        ),
        (PROTOKOLL, "Version, Prüfsummen, Fingerprints, Parameter"),
    ]);
    if ctx.pruef() {
        v.push((
            layout::WERTE,
            "Einzelwerte NKM/m² je Tabellenfeld (pseudonymisiert)",
        ));
        v.push((layout::BK_WERTE, "Einzelwerte kalte Betriebskosten je m²"));
    }
    v
}

/// The Deckblatt.
pub fn deckblatt(ctx: &Ctx) -> Result<Worksheet, XlsxError> {
    let mut ws = style::new_sheet(
        ctx,
        DECKBLATT,
        "Begründungsmappe: Angemessenheitsgrenzen für die Kosten der Unterkunft",
    )?;
    let f = &ctx.fmt;
    let meta = &ctx.lp.project.project;
    ws.write_string_with_format(
        1,
        0,
        match ctx.opts.variant {
            crate::export::Variant::Pruefmappe => {
                "Prüfmappe (intern): mit pseudonymisierten Einzelwerten und nachrechenbaren Formeln. Nicht zur Veröffentlichung bestimmt."
            }
            crate::export::Variant::Veroeffentlichung => {
                "Veröffentlichung: nur zusammengefasste Werte; Tabellenfelder unter der Mindestfallzahl werden nicht ausgewiesen."
            }
        },
        &f.note,
    )?;
    style::widths(&mut ws, &[30.0, 80.0])?;
    let start = meta.gueltig_ab.unwrap_or(meta.stichtag);
    let mut r = 3u32;
    let mut kv = |ws: &mut Worksheet, k: &str, v: &str| -> Result<(), XlsxError> {
        ws.write_string_with_format(r, 0, k, &f.bold)?;
        ws.write_string_with_format(r, 1, v, &f.wrap)?;
        r += 1;
        Ok(())
    };
    let or_dash = |s: &str| {
        if s.trim().is_empty() {
            DASH.to_string()
        } else {
            s.to_string()
        }
    };
    kv(&mut ws, "Projekt", &meta.name)?;
    kv(&mut ws, "Träger", &or_dash(&meta.traeger))?;
    kv(&mut ws, "Gebiet", &or_dash(&meta.gebiet))?;
    kv(&mut ws, "Stichtag", &meta.stichtag.german())?;
    kv(
        &mut ws,
        "Gültig ab",
        &meta
            .gueltig_ab
            .map_or_else(|| "nicht angegeben".to_string(), Date::german),
    )?;
    kv(
        &mut ws,
        "Überprüfung spätestens",
        &format!(
            "{} (zwei Jahre, § 22c Abs. 2 SGB II; BSG B 4 AS 33/16 R)",
            two_years_later(start).german()
        ),
    )?;
    kv(&mut ws, "Variante", ctx.opts.variant.german())?;
    kv(
        &mut ws,
        "Programm",
        &format!("KdU-Konzept {}", env!("CARGO_PKG_VERSION")),
    )?;
    kv(
        &mut ws,
        "Erstellt am",
        &crate::export::creation_date(ctx.lp).german(),
    )?;
    kv(
        &mut ws,
        "Lauf-Fingerprint",
        &crate::export::run_fingerprint(ctx.lp),
    )?;
    kv(
        &mut ws,
        "Vergleichsräume",
        &format!(
            "{} ({})",
            ctx.prep.vr_names.len(),
            ctx.prep.vr_names.join(", ")
        ),
    )?;
    let fu = &ctx.an.funnel;
    kv(
        &mut ws,
        "Mietwerte",
        &format!(
            "{} Zeilen geliefert, {} Datensätze übernommen, {} in die Referenzmieten einbezogen",
            crate::fmt::number(fu.delivered as f64, 0),
            crate::fmt::number(fu.records as f64, 0),
            crate::fmt::number(fu.used as f64, 0)
        ),
    )?;
    let errors: Vec<&str> = ctx.an.open_errors().map(|c| c.title).collect();
    kv(
        &mut ws,
        "Schlüssigkeit",
        &if errors.is_empty() {
            format!("keine offenen Fehler in der Schlüssigkeitsprüfung (Blatt „{PRUEFKATALOG}“)")
        } else {
            format!(
                "nicht schlüssig – offene Fehler: {} (Blatt „{PRUEFKATALOG}“)",
                errors.join("; ")
            )
        },
    )?;
    let fallback: Vec<String> = ctx
        .an
        .cells
        .iter()
        .filter(|c| !c.valid)
        .map(|c| {
            format!(
                "{}, {}",
                c.vergleichsraum,
                crate::fmt::count(c.household_size as usize, "Person", "Personen")
            )
        })
        .collect();
    if !fallback.is_empty() {
        kv(
            &mut ws,
            "WoGG-Rückfall",
            &format!(
                "Ohne gültigen Konzeptwert (es gilt der WoGG-Höchstbetrag mit Sicherheitszuschlag, siehe Blatt „{}“): {}",
                layout::RICHTWERTE,
                fallback.join("; ")
            ),
        )?;
    }
    r += 1;
    ws.write_string_with_format(r, 0, "Inhalt", &f.heading)?;
    r += 1;
    for (sheet, text) in contents(ctx) {
        style::internal_link(&mut ws, ctx, r, 0, sheet, "A1", sheet)?;
        ws.write_string_with_format(r, 1, text, &f.text)?;
        r += 1;
    }
    ws.set_active(true);
    Ok(ws)
}
