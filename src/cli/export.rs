//! `export`: writes the Begründungsmappe.

use super::load_with_overrides;
use crate::analysis;
use anyhow::{Result, anyhow};
use std::io::Write;
use std::path::Path;

pub(super) fn cmd_export(
    path: &Path,
    output: &Path,
    variant: &str,
    overrides: &[String],
    despite_errors: bool,
) -> Result<()> {
    let lp = load_with_overrides(path, overrides)?;
    let variant = crate::export::Variant::parse(variant).ok_or_else(|| {
        anyhow!("Unbekannte Variante „{variant}“ (pruefmappe oder veroeffentlichung)")
    })?;
    let (prep, a) = analysis::run(&lp.project, &lp.data);
    let errors: Vec<&str> = a.open_errors().map(|c| c.title).collect();
    if variant == crate::export::Variant::Veroeffentlichung && !errors.is_empty() && !despite_errors
    {
        return Err(anyhow::Error::new(super::InvalidArgument(format!(
            "Die Schlüssigkeitsprüfung meldet offene Fehler ({}). Die Veröffentlichung wird nur mit --trotz-fehler geschrieben; die Prüfmappe dokumentiert den Stand.",
            errors.join("; ")
        ))));
    }
    let opts = crate::export::ExportOptions {
        variant,
        include_ids: false,
    };
    crate::export::write_workbook(output, &lp, &prep, &a, &opts)?;
    outln!(
        "Begründungsmappe ({}) geschrieben: {}",
        variant.german(),
        output.display()
    )?;
    if !errors.is_empty() {
        eprintln!(
            "Achtung: nicht schlüssig – offene Fehler: {} (siehe Deckblatt und BSG-Prüfkatalog).",
            errors.join("; ")
        );
    }
    Ok(())
}
