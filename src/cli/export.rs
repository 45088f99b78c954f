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
) -> Result<()> {
    let lp = load_with_overrides(path, overrides)?;
    let variant = crate::export::Variant::parse(variant).ok_or_else(|| {
        anyhow!("Unbekannte Variante „{variant}“ (pruefmappe oder veroeffentlichung)")
    })?;
    let (prep, a) = analysis::run(&lp.project, &lp.data);
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
    Ok(())
}
