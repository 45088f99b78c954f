//! `import`: reads one file and shows header, mapping, counts and rejected rows.

use crate::fmt;
use crate::import::{ImportOptions, import_file};
use crate::init::guess_kind;
use crate::model::SourceKind;
use anyhow::{Result, anyhow, bail};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

pub(super) fn parse_kind(text: &str) -> Result<SourceKind> {
    SourceKind::ALL
        .into_iter()
        .find(|k| k.code() == text.trim().to_lowercase())
        .or_else(|| SourceKind::parse(text))
        .ok_or_else(|| {
            anyhow!(
                "Unbekannte Datenart „{text}“ (erlaubt: {})",
                SourceKind::ALL.map(SourceKind::code).join(", ")
            )
        })
}

#[derive(Serialize)]
struct ImportJson<'a> {
    file: &'a str,
    sha256: &'a str,
    format: &'a str,
    header_row: u32,
    rows_total: usize,
    blank_rows: usize,
    accepted: usize,
    rejected: BTreeMap<&'static str, usize>,
    mapping: BTreeMap<&'static str, String>,
    notes: Vec<String>,
    rejected_rows: Vec<RejectedJson<'a>>,
}

#[derive(Serialize)]
struct RejectedJson<'a> {
    row: u32,
    reason: &'static str,
    detail: &'a str,
}

pub(super) fn cmd_import(
    file: &Path,
    sheet: Option<String>,
    kind: Option<String>,
    header_row: Option<u32>,
    json: bool,
) -> Result<()> {
    let kind = match kind {
        Some(k) => parse_kind(&k)?,
        None => guess_kind(file),
    };
    let mut opts = ImportOptions::new(kind);
    opts.sheet = sheet;
    opts.header_line = header_row;
    let quiet = json;
    let mut last = std::time::Instant::now();
    let imported = import_file(file, &opts, &mut |done, total| {
        if !quiet && total > 0 && last.elapsed().as_millis() > 500 {
            eprint!("\rLese … {} %", done * 100 / total.max(1));
            last = std::time::Instant::now();
        }
        true
    })?;
    if imported.rows_total == 0 {
        bail!(
            "Keine Datenzeilen gefunden: Unter der Kopfzeile (Zeile {}) stehen keine Daten ({})",
            imported.header_line,
            file.display()
        );
    }
    let by_reason = imported.rejected_by_reason();
    if json {
        let out = ImportJson {
            file: &imported.file_name,
            sha256: &imported.sha256,
            format: &imported.format,
            header_row: imported.header_line,
            rows_total: imported.rows_total,
            blank_rows: imported.blank_rows,
            accepted: imported.records.len(),
            rejected: by_reason.iter().map(|(r, n)| (r.code(), *n)).collect(),
            mapping: imported
                .mapping_by_header()
                .into_iter()
                .map(|(f, h)| (f.code(), h))
                .collect(),
            notes: imported.column_notes(),
            rejected_rows: imported
                .rejections
                .iter()
                .map(|r| RejectedJson {
                    row: r.line,
                    reason: r.reason.code(),
                    detail: &r.detail,
                })
                .collect(),
        };
        outln!("{}", serde_json::to_string_pretty(&out)?)?;
        return Ok(());
    }
    eprint!("\r");
    outln!("Datei:        {} ({})", imported.file_name, imported.format)?;
    outln!("SHA-256:      {}", imported.sha256)?;
    outln!("Datenart:     {}", imported.kind.german())?;
    outln!("Kopfzeile:    Zeile {}", imported.header_line)?;
    outln!("Zuordnung:")?;
    for (field, header) in imported.mapping_by_header() {
        outln!("  {:<40} ← {}", field.german(), header)?;
    }
    for note in imported.column_notes() {
        outln!("Hinweis:      {note}")?;
    }
    outln!(
        "Zeilen:       {} gelesen, {} übernommen, {} abgelehnt",
        fmt::number(imported.rows_total as f64, 0),
        fmt::number(imported.records.len() as f64, 0),
        fmt::number(imported.rejections.len() as f64, 0)
    )?;
    if imported.blank_rows > 0 {
        outln!(
            "Leere Zeilen: {} zwischen den Daten (keine Datenzeilen, übersprungen)",
            fmt::number(imported.blank_rows as f64, 0)
        )?;
    }
    if !by_reason.is_empty() {
        outln!("Abgelehnt nach Grund:")?;
        for (reason, n) in &by_reason {
            outln!(
                "  {:>7}  {} ({})",
                fmt::number(*n as f64, 0),
                reason.german(),
                reason.code()
            )?;
        }
        outln!("Abgelehnte Zeilen (erste 20):")?;
        for r in imported.rejections.iter().take(20) {
            let detail = if r.detail.is_empty() {
                String::new()
            } else {
                format!(": „{}“", r.detail)
            };
            outln!("  Zeile {:>6}  {}{}", r.line, r.reason.german(), detail)?;
        }
    }
    Ok(())
}
