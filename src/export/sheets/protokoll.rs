//! The Protokoll sheet: fingerprints, sources, warnings and counts of the run.

use crate::export::Ctx;
use crate::export::layout::PROTOKOLL;
use crate::export::style::{self, DASH};
use crate::export::wording::num;
use rust_xlsxwriter::{Worksheet, XlsxError};

/// The Protokoll sheet.
pub fn protokoll(ctx: &Ctx) -> Result<Worksheet, XlsxError> {
    let mut ws = style::new_sheet(ctx, PROTOKOLL, "Protokoll des Auswertungslaufs")?;
    let f = &ctx.fmt;
    style::widths(&mut ws, &[34.0, 100.0])?;
    let mut r = 2u32;
    let mut kv = |ws: &mut Worksheet, k: &str, v: &str| -> Result<(), XlsxError> {
        ws.write_string_with_format(r, 0, k, &f.bold)?;
        ws.write_string_with_format(r, 1, v, &f.text)?;
        r += 1;
        Ok(())
    };
    let lp = ctx.lp;
    kv(&mut ws, "Programm", "KdU-Konzept")?;
    kv(&mut ws, "Programmversion", env!("CARGO_PKG_VERSION"))?;
    kv(&mut ws, "Variante", ctx.opts.variant.german())?;
    kv(
        &mut ws,
        "Erstellt am",
        &crate::export::creation_date(lp).german(),
    )?;
    kv(&mut ws, "Projekt", &lp.project.project.name)?;
    kv(
        &mut ws,
        "Projektdatei",
        &lp.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    )?;
    kv(
        &mut ws,
        "Format der Projektdatei",
        &lp.project.format_version.to_string(),
    )?;
    kv(&mut ws, "Stichtag", &lp.project.project.stichtag.german())?;
    kv(
        &mut ws,
        "Parameter-Fingerprint (SHA-256)",
        &crate::export::parameter_fingerprint(lp),
    )?;
    kv(
        &mut ws,
        "Lauf-Fingerprint (SHA-256)",
        &crate::export::run_fingerprint(lp),
    )?;
    kv(
        &mut ws,
        "Bildung des Lauf-Fingerprints",
        "SHA-256 über die SHA-256-Prüfsummen der Quelldateien (in Projektreihenfolge), die Parameter (JSON) und die Zuordnung Gemeinde → Vergleichsraum",
    )?;
    kv(
        &mut ws,
        "Kennungen der Einzelwerte",
        if !ctx.pruef() {
            "keine Einzelwerte enthalten"
        } else if ctx.opts.include_ids {
            "Quelle und Zeile im Klartext (Option „Kennungen einschließen“)"
        } else if lp.project.project.salt.is_empty() {
            "Pseudonym (SHA-256 aus Quelle und Zeile) – ACHTUNG: ohne projektspezifisches Salz, daher nicht wirksam pseudonymisiert"
        } else {
            "Pseudonym (SHA-256 aus projektspezifischem Salz, Quelle und Zeile)"
        },
    )?;
    kv(
        &mut ws,
        "Datensätze",
        &format!(
            "{} übernommen, {} abgelehnt",
            num(lp.data.records.len()),
            num(lp.data.rejections.len())
        ),
    )?;
    r += 1;
    ws.write_string_with_format(r, 0, "Quelldateien", &f.heading)?;
    r += 1;
    style::sub_header_row(&mut ws, ctx, r, &["Quelle", "SHA-256"])?;
    r += 1;
    let hashes = crate::export::source_hashes(lp);
    if hashes.is_empty() {
        ws.write_string_with_format(r, 0, "keine Quellen registriert", &f.note)?;
        r += 1;
    }
    for (i, h) in hashes.iter().enumerate() {
        ws.write_string_with_format(
            r,
            0,
            format!("{}. {}", i + 1, crate::export::source_name(lp, i)),
            &f.text,
        )?;
        ws.write_string_with_format(r, 1, if h.is_empty() { DASH } else { h }, &f.text)?;
        r += 1;
    }
    if !lp.warnings.is_empty() {
        r += 1;
        ws.write_string_with_format(r, 0, "Hinweise beim Laden", &f.heading)?;
        r += 1;
        for w in &lp.warnings {
            ws.write_string_with_format(r, 1, w, &f.wrap)?;
            r += 1;
        }
    }
    r += 1;
    ws.write_string_with_format(r, 0, "Parameter (Projektdatei, TOML)", &f.heading)?;
    r += 1;
    let toml_text = toml::to_string_pretty(&lp.project.parameters).unwrap_or_default();
    for line in toml_text.lines() {
        ws.write_string_with_format(r, 1, line, &f.text)?;
        r += 1;
    }
    Ok(ws)
}
