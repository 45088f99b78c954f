//! `init`: creates a project file from data.

use super::import::parse_kind;
use crate::init::{InitArgs, SourceArg, build_project, guess_kind, split_file_sheet};
use crate::model::Date;
use anyhow::{Result, anyhow, bail};
use std::io::Write;
use std::path::Path;

/// `tables`: the Gemeinde table, the recipients' table and the neighbour list, each
/// `DATEI[:BLATT]`, and the boundary file (GeoJSON, no sheet).
pub(super) fn cmd_init(
    project: &Path,
    sources: &[String],
    kinds: &[String],
    tables: [Option<String>; 4],
    land: String,
    stichtag: Option<String>,
    name: Option<String>,
) -> Result<()> {
    if kinds.len() > 1 && kinds.len() != sources.len() {
        bail!(
            "--kind: entweder eine Angabe für alle Quellen oder genau eine je --source ({} Quellen, {} Angaben)",
            sources.len(),
            kinds.len()
        );
    }
    let mut source_args = Vec::new();
    for (i, s) in sources.iter().enumerate() {
        let (path, sheet) = split_file_sheet(s);
        let kind = match kinds.get(i).or(kinds.first()) {
            Some(k) => parse_kind(k)?,
            None => guess_kind(&path),
        };
        source_args.push(SourceArg { path, sheet, kind });
    }
    let stichtag = match stichtag {
        Some(s) => Date::parse(&s)
            .ok_or_else(|| anyhow!("Ungültiger Stichtag „{s}“ (erwartet JJJJ-MM-TT)"))?,
        None => Date::from_ymd(2025, 1, 1).ok_or_else(|| anyhow!("Datum"))?,
    };
    let args = InitArgs {
        project_file: project.to_path_buf(),
        name: name.unwrap_or_else(|| {
            project
                .file_stem()
                .map(|s| s.to_string_lossy().trim_end_matches(".kdu").to_string())
                .unwrap_or_else(|| "Projekt".to_string())
        }),
        sources: source_args,
        gemeinden: tables[0].as_deref().map(split_file_sheet),
        recipients: tables[1].as_deref().map(split_file_sheet),
        neighbours: tables[2].as_deref().map(split_file_sheet),
        boundaries: tables[3].as_deref().map(std::path::PathBuf::from),
        land,
        stichtag,
    };
    let p = build_project(&args)?;
    p.save(project)?;
    outln!(
        "Projekt „{}“ angelegt: {} ({} Quellen, {} Gemeinden, {} Vergleichsräume)",
        p.project.name,
        project.display(),
        p.sources.len(),
        p.gemeinden.len(),
        p.vergleichsraeume.len()
    )?;
    Ok(())
}
