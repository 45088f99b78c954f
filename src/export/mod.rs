//! The justification workbook ("Begründungsmappe") written with `rust_xlsxwriter`.
//!
//! Two variants:
//!
//! * **Prüfmappe** (internal, for auditors and courts): every sheet plus the value sheets
//!   `Werte` (NKM/m² per cell, sorted, all values of the cell before the outlier rule; the
//!   values removed as outliers are greyed and lie at the start and end of each column) and
//!   `BK-Werte` (plausible kalte Betriebskosten per m²). Every Referenzmiete, BK €/m² and
//!   limit in `Richtwerte`, the statistics in `Verteilungen` and the outlier bounds in
//!   `Extremwerte` are live Excel formulas over these sheets and the named parameter cells,
//!   each with the program's own value as its cached result. Rows of the value sheets carry
//!   a salted pseudonym instead of source and row (unless [`ExportOptions::include_ids`]).
//! * **Veröffentlichung** (public): aggregates only; cells with fewer values than the
//!   minimum n are shown as "–" with a footnote; no value sheets, no row lists, no minima or
//!   maxima (single values).
//!
//! The bytes are deterministic: the same inputs give an identical file (fixed creation
//! date from the project, stable ordering everywhere, no clock or path in the content).

mod layout;
mod sheets;
mod style;
mod wording;

pub use sheets::methodentext::method_text;
pub use sheets::richtwerttabelle::{PublishedRow, verify_published};

use crate::analysis::Analysis;
use crate::analysis::prepare::Prepared;
use crate::dataset::LoadedProject;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook, XlsxError};
use std::path::Path;
use thiserror::Error;

/// Which workbook to produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Variant {
    /// Internal audit workbook with value sheets and live formulas.
    Pruefmappe,
    /// Public workbook with aggregates only and small cells suppressed.
    Veroeffentlichung,
}

impl Variant {
    /// German display name.
    pub fn german(self) -> &'static str {
        match self {
            Variant::Pruefmappe => "Prüfmappe",
            Variant::Veroeffentlichung => "Veröffentlichung",
        }
    }

    /// Parses the CLI code `pruefmappe` or `veroeffentlichung` (also with umlauts, any case).
    pub fn parse(text: &str) -> Option<Variant> {
        match text.trim().to_lowercase().as_str() {
            "pruefmappe" | "prüfmappe" | "pruef" | "prüf" => Some(Variant::Pruefmappe),
            "veroeffentlichung" | "veröffentlichung" | "oeffentlich" | "öffentlich" => {
                Some(Variant::Veroeffentlichung)
            }
            _ => None,
        }
    }

    /// The stable code (`pruefmappe`, `veroeffentlichung`).
    pub fn code(self) -> &'static str {
        match self {
            Variant::Pruefmappe => "pruefmappe",
            Variant::Veroeffentlichung => "veroeffentlichung",
        }
    }
}

/// Options of one export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportOptions {
    /// Which workbook.
    pub variant: Variant,
    /// Prüfmappe only: write source number and row instead of the salted pseudonym next to
    /// each value. Off by default.
    pub include_ids: bool,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            variant: Variant::Pruefmappe,
            include_ids: false,
        }
    }
}

/// Export failures, with German messages for users (path last).
#[derive(Debug, Error)]
pub enum ExportError {
    /// The target (or its folder) cannot be written: locked by another program or read-only.
    #[error(
        "Die Zieldatei ist gesperrt oder schreibgeschützt. Bitte die Datei in Excel schließen oder einen anderen Speicherort wählen. Eine vorhandene Datei wurde nicht verändert. ({path})"
    )]
    Locked {
        /// The target path.
        path: String,
    },
    /// The target folder does not exist.
    #[error("Der Zielordner existiert nicht: {path}")]
    FolderMissing {
        /// The folder.
        path: String,
    },
    /// Any other I/O failure while writing.
    #[error(
        "Die Arbeitsmappe kann nicht gespeichert werden: {detail}. Eine vorhandene Datei wurde nicht verändert. ({path})"
    )]
    Io {
        /// German detail.
        detail: String,
        /// The target path.
        path: String,
    },
    /// The workbook could not be built.
    #[error("Die Arbeitsmappe kann nicht erzeugt werden: {0}")]
    Xlsx(String),
    /// A product or sum of the Richtwerttabelle does not recompute to the cent (German
    /// message naming each difference).
    #[error("{0}")]
    Recompute(String),
}

impl From<XlsxError> for ExportError {
    fn from(e: XlsxError) -> Self {
        ExportError::Xlsx(e.to_string())
    }
}

/// Everything the sheet writers share.
pub(crate) struct Ctx<'a> {
    pub lp: &'a LoadedProject,
    pub prep: &'a Prepared,
    pub an: &'a Analysis,
    pub opts: &'a ExportOptions,
    pub fmt: style::Formats,
    /// Layout of the value sheets (Prüfmappe only).
    pub values: Option<layout::ValueLayout>,
    /// Cell addresses of the parameters.
    pub params: sheets::parameter::ParamLayout,
}

impl Ctx<'_> {
    /// True for the Prüfmappe.
    pub fn pruef(&self) -> bool {
        self.opts.variant == Variant::Pruefmappe
    }

    /// The project parameters.
    pub fn p(&self) -> &crate::model::params::Parameters {
        &self.lp.project.parameters
    }

    /// Whether a statistic over `n` values is suppressed in this variant.
    pub fn suppressed(&self, n: usize) -> bool {
        !self.pruef() && n < self.p().min_n
    }

    /// Whether a BK value is suppressed in this variant: a statistic over too few values; an
    /// external value never is.
    pub fn bk_suppressed(&self, bk: &crate::analysis::BkResult) -> bool {
        !bk.is_external() && self.suppressed(bk.n)
    }

    /// The footnote for suppressed cells.
    pub fn suppression_note(&self) -> String {
        format!(
            "– = nicht ausgewiesen: weniger als {} Mietwerte im Tabellenfeld (Mindestfallzahl, Parameter min_n). In der Veröffentlichung werden keine Einzelwerte (Minimum, Maximum) ausgewiesen.",
            self.p().min_n
        )
    }
}

/// Builds the workbook bytes (deterministic: same inputs → identical bytes).
pub fn workbook_bytes(
    lp: &LoadedProject,
    prep: &Prepared,
    analysis: &Analysis,
    opts: &ExportOptions,
) -> Result<Vec<u8>, ExportError> {
    let mut ctx = Ctx {
        lp,
        prep,
        an: analysis,
        opts,
        fmt: style::Formats::new(),
        values: None,
        params: sheets::parameter::ParamLayout::default(),
    };
    if ctx.pruef() {
        ctx.values = Some(layout::value_layout(&ctx));
    }
    ctx.params = sheets::parameter::param_layout(&ctx);
    if sheets::richtwerttabelle::wanted(&ctx) {
        sheets::richtwerttabelle::check(&ctx).map_err(ExportError::Recompute)?;
    }

    let mut wb = Workbook::new();
    let created = creation_date(lp);
    let (y, m, d) = created.ymd();
    let when = ExcelDateTime::from_ymd(
        u16::try_from(y).unwrap_or(2000),
        u8::try_from(m).unwrap_or(1),
        u8::try_from(d).unwrap_or(1),
    )?;
    let meta = &lp.project.project;
    let props = DocProperties::new()
        .set_title(format!(
            "Begründungsmappe KdU-Richtwerte – {} ({})",
            meta.name,
            opts.variant.german()
        ))
        .set_subject("Angemessenheitsgrenzen für Kosten der Unterkunft nach schlüssigem Konzept")
        .set_author(if meta.traeger.is_empty() {
            "KdU-Konzept".to_string()
        } else {
            meta.traeger.clone()
        })
        .set_company(meta.traeger.clone())
        .set_comment(format!(
            "Erzeugt mit KdU-Konzept {}",
            env!("CARGO_PKG_VERSION")
        ))
        .set_creation_datetime(&when);
    wb.set_properties(&props);

    layout::define_names(&ctx, &mut wb)?;
    sheets::push_all(&ctx, &mut wb)?;
    Ok(wb.save_to_buffer()?)
}

/// Writes atomically: temp file in the target folder + rename; an existing file stays
/// untouched on failure.
pub fn write_workbook(
    path: &Path,
    lp: &LoadedProject,
    prep: &Prepared,
    analysis: &Analysis,
    opts: &ExportOptions,
) -> Result<(), ExportError> {
    let folder = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !folder.is_dir() {
        return Err(ExportError::FolderMissing {
            path: folder.display().to_string(),
        });
    }
    let bytes = workbook_bytes(lp, prep, analysis, opts)?;
    crate::io_util::write_atomic(path, &bytes).map_err(|e| {
        let path = path.display().to_string();
        match e.kind() {
            std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => {
                ExportError::Locked { path }
            }
            std::io::ErrorKind::NotFound => ExportError::FolderMissing {
                path: folder.display().to_string(),
            },
            _ => ExportError::Io {
                detail: crate::io_util::io_error_german(&e),
                path,
            },
        }
    })
}

/// The creation date written into the workbook: the project's fixed `erstellt`, else its
/// Stichtag (never the clock, so exports stay byte-identical).
pub fn creation_date(lp: &LoadedProject) -> crate::model::Date {
    let meta = &lp.project.project;
    meta.erstellt.unwrap_or(meta.stichtag)
}

/// SHA-256 of the serialised parameters (JSON, field order of the structs).
pub fn parameter_fingerprint(lp: &LoadedProject) -> String {
    let json = serde_json::to_string(&lp.project.parameters).unwrap_or_default();
    crate::io_util::sha256_hex(json.as_bytes())
}

/// The run fingerprint: SHA-256 over the source hashes (as imported, in project order), the
/// serialised parameters and the Gemeinde → Vergleichsraum assignment (which also decides
/// the results). Equal fingerprints mean equal inputs of the derivation.
pub fn run_fingerprint(lp: &LoadedProject) -> String {
    let mut text = String::from("kdu-konzept-lauf-v1\n");
    for h in source_hashes(lp) {
        text.push_str("quelle ");
        text.push_str(&h);
        text.push('\n');
    }
    text.push_str("parameter ");
    text.push_str(&serde_json::to_string(&lp.project.parameters).unwrap_or_default());
    text.push('\n');
    for g in &lp.project.gemeinden {
        text.push_str(&format!(
            "gemeinde {}\u{1f}{}\u{1f}{}\n",
            g.ags, g.name, g.vergleichsraum
        ));
    }
    crate::io_util::sha256_hex(text.as_bytes())
}

/// SHA-256 per source: the hash of the file as imported, else the one saved in the project.
pub(crate) fn source_hashes(lp: &LoadedProject) -> Vec<String> {
    let n = lp.project.sources.len().max(lp.data.sources.len());
    (0..n)
        .map(|i| {
            lp.data
                .sources
                .get(i)
                .map(|s| s.import.sha256.clone())
                .filter(|h| !h.is_empty())
                .or_else(|| lp.project.sources.get(i).map(|s| s.sha256.clone()))
                .unwrap_or_default()
        })
        .collect()
}

/// A short display name of source `index` (0-based): its file name, else "Quelle n".
pub(crate) fn source_name(lp: &LoadedProject, index: usize) -> String {
    if let Some(s) = lp.data.sources.get(index)
        && !s.import.file_name.is_empty()
    {
        return s.import.file_name.clone();
    }
    if let Some(spec) = lp.project.sources.get(index) {
        return Path::new(&spec.path)
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_else(|| spec.path.clone());
    }
    format!("Quelle {}", index + 1)
}
