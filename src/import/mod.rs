//! Import: reading workbooks and CSV files, header detection, column mapping, cell parsing and
//! validation of every row into a record or a reason-coded rejection.

pub mod boundaries;
pub mod cell;
pub mod csv_reader;
pub mod gemeinden;
pub mod header;
pub mod indicators;
pub mod mapping;
pub mod neighbours;
pub mod raw;
pub mod recipients;
pub mod workbook;
mod xlsx;

use thiserror::Error;

/// A file-level import failure, with a German message for users. Row-level problems are not
/// errors: they become rejections with a reason code.
#[derive(Debug, Error)]
pub enum ImportError {
    /// The file could not be read at all.
    #[error("Die Datei kann nicht gelesen werden: {detail} ({path})")]
    Unreadable {
        /// What went wrong, in German.
        detail: String,
        /// The path, last in the message.
        path: String,
    },
    /// The file type is not supported.
    #[error(
        "Dateityp „{extension}“ wird nicht unterstützt (erlaubt: xlsx, xlsm, xlsb, xls, ods, csv, txt): {path}"
    )]
    UnsupportedFormat {
        /// The extension found.
        extension: String,
        /// The path.
        path: String,
    },
    /// The workbook is encrypted.
    #[error(
        "Die Arbeitsmappe ist kennwortgeschützt. Bitte in Excel ohne Kennwort speichern und erneut laden: {path}"
    )]
    Encrypted {
        /// The path.
        path: String,
    },
    /// The named sheet does not exist.
    #[error("Tabellenblatt „{sheet}“ nicht gefunden; vorhanden: {available}")]
    SheetNotFound {
        /// Requested sheet.
        sheet: String,
        /// Available sheets, comma separated.
        available: String,
    },
    /// The file or sheet holds no data.
    #[error("Keine Daten gefunden: {detail}")]
    Empty {
        /// Where, in German.
        detail: String,
    },
    /// No header row could be found.
    #[error("Keine Kopfzeile erkannt. Bitte die Kopfzeile angeben (Option --header-row).")]
    NoHeader,
    /// Required fields are not mapped.
    #[error("Pflichtspalten nicht zugeordnet: {missing}. Vorhandene Spalten: {available}")]
    MissingRequired {
        /// German names of the missing fields.
        missing: String,
        /// The headers found.
        available: String,
    },
    /// The import was cancelled by the user.
    #[error("Import abgebrochen")]
    Cancelled,
    /// The file changed while it was read: its checksum would not describe the data read.
    #[error(
        "Die Datei wurde während des Einlesens verändert (z. B. in Excel gespeichert); bitte erneut einlesen: {path}"
    )]
    ChangedWhileReading {
        /// The path.
        path: String,
    },
}

pub mod validate;

use crate::model::params::PlausibilityParams;
use crate::model::{Field, Reason, Record, SourceKind};
use raw::{RawRow, RowReader};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
pub use validate::Rejection;

/// How to import one file.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Sheet (workbooks); `None` = first sheet.
    pub sheet: Option<String>,
    /// Header row as the user sees it; `None` = detect.
    pub header_line: Option<u32>,
    /// Kind of the file.
    pub kind: SourceKind,
    /// Explicit mapping field → header text; `None` = automatic.
    pub mapping: Option<BTreeMap<Field, String>>,
    /// Money fields given per year.
    pub annual: BTreeSet<Field>,
    /// Index of this source in the register.
    pub source_index: u16,
    /// Hard bounds.
    pub plausibility: PlausibilityParams,
}

impl ImportOptions {
    /// Defaults for a file of the given kind.
    pub fn new(kind: SourceKind) -> ImportOptions {
        ImportOptions {
            sheet: None,
            header_line: None,
            kind,
            mapping: None,
            annual: BTreeSet::new(),
            source_index: 0,
            plausibility: PlausibilityParams::default(),
        }
    }
}

/// The result of importing one file: every data row is either a record or a rejection.
#[derive(Debug, Clone, Serialize)]
pub struct ImportedSource {
    /// File name (without folder).
    pub file_name: String,
    /// SHA-256 of the file bytes.
    pub sha256: String,
    /// Sheet read (workbooks).
    pub sheet: Option<String>,
    /// Format description in German (e.g. "CSV, Semikolon, Windows-1252").
    pub format: String,
    /// Header row as the user sees it.
    pub header_line: u32,
    /// Header texts.
    pub headers: Vec<String>,
    /// Field → column index.
    pub mapping: BTreeMap<Field, usize>,
    /// Kind of the file.
    pub kind: SourceKind,
    /// Data rows after the header (accepted + rejected).
    pub rows_total: usize,
    /// Blank rows between data rows: no data rows, skipped, but counted so that every row
    /// number of the sheet is accounted for (blank rows after the last data row are not).
    pub blank_rows: usize,
    /// Accepted records.
    #[serde(skip)]
    pub records: Vec<Record>,
    /// Rejected rows.
    pub rejections: Vec<Rejection>,
}

impl ImportedSource {
    /// Rejections counted by reason.
    pub fn rejected_by_reason(&self) -> BTreeMap<Reason, usize> {
        let mut m = BTreeMap::new();
        for r in &self.rejections {
            *m.entry(r.reason).or_insert(0) += 1;
        }
        m
    }

    /// German notes on columns left unassigned on purpose (a bare "Nebenkosten" column:
    /// unclear whether it includes heating), see [`mapping::column_notes`].
    pub fn column_notes(&self) -> Vec<String> {
        mapping::column_notes(&self.headers, |i| self.mapping.values().any(|&c| c == i))
    }

    /// Mapping as field → header text (for profiles and the project file).
    pub fn mapping_by_header(&self) -> BTreeMap<Field, String> {
        self.mapping
            .iter()
            .filter_map(|(f, &i)| self.headers.get(i).map(|h| (*f, h.clone())))
            .collect()
    }
}

/// Opens a file as a stream of raw rows, by extension. Returns the reader and a format text.
pub fn open_rows(
    path: &Path,
    sheet: Option<&str>,
) -> Result<(Box<dyn RowReader>, String), ImportError> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "csv" | "txt" | "tsv" => {
            let r = csv_reader::CsvReader::open(path)?;
            let format = format!(
                "CSV ({}, {})",
                r.separator().german(),
                r.encoding().german()
            );
            Ok((Box::new(r), format))
        }
        "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" => {
            let r = workbook::open_sheet(path, sheet)?;
            Ok((Box::new(r), ext.to_uppercase()))
        }
        _ => Err(ImportError::UnsupportedFormat {
            extension: ext,
            path: path.display().to_string(),
        }),
    }
}

/// SHA-256 of a file, streamed.
pub fn file_sha256(path: &Path) -> Result<String, ImportError> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let unreadable = |e: std::io::Error| ImportError::Unreadable {
        detail: crate::io_util::io_error_german(&e),
        path: path.display().to_string(),
    };
    let mut f = std::fs::File::open(path).map_err(unreadable)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf).map_err(unreadable)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Imports one file. `progress(done, total)` is called now and then; returning `false` cancels.
///
/// Every non-blank row below the header becomes a record or a rejection; blank rows are not
/// data rows and are skipped. A file without any rent or area below the header, and a file
/// with more than [`MAX_DATA_ROWS`] data rows, is an error (a file whose rows all carry values
/// that are rejected is not: its rejections say why).
pub fn import_file(
    path: &Path,
    opts: &ImportOptions,
    progress: &mut dyn FnMut(u64, u64) -> bool,
) -> Result<ImportedSource, ImportError> {
    // Size and modification time before the checksum and after the last row: if they differ,
    // the checksum in the source register would not belong to the data read.
    let stamp = file_stamp(path)?;
    let sha256 = file_sha256(path)?;
    let (mut reader, format) = open_rows(path, opts.sheet.as_deref())?;
    let mut peeked: Vec<RawRow> = Vec::new();
    while peeked.len() < header::PEEK_ROWS {
        match reader.next_row()? {
            Some(r) => peeked.push(r),
            None => break,
        }
    }
    if peeked.iter().all(RawRow::is_blank) {
        return Err(ImportError::Empty {
            detail: format!("{} enthält keine Zeilen", path.display()),
        });
    }
    let header_index = match opts.header_line {
        Some(line) => peeked
            .iter()
            .position(|r| r.line == line)
            .ok_or(ImportError::NoHeader)?,
        None => {
            header::detect_header(&peeked)
                .ok_or(ImportError::NoHeader)?
                .index
        }
    };
    let headers = header::header_texts(&peeked, header_index);
    let mapping = match &opts.mapping {
        Some(by_header) => mapping::MappingProfile {
            name: String::new(),
            signature: String::new(),
            columns: by_header.clone(),
            annual: opts.annual.clone(),
        }
        .resolve(&headers),
        None => mapping::auto_map(&headers),
    };
    let missing: Vec<&str> = [Field::NetRent, Field::Area]
        .into_iter()
        .filter(|f| !mapping.contains_key(f))
        .map(Field::german)
        .collect();
    if !missing.is_empty() {
        return Err(ImportError::MissingRequired {
            missing: missing.join(", "),
            available: headers.join(", "),
        });
    }
    let ctx = validate::RowContext {
        source: opts.source_index,
        kind: opts.kind,
        columns: &mapping,
        annual: &opts.annual,
        plausibility: &opts.plausibility,
    };
    let header_line = peeked[header_index].line;
    let mut out = ImportedSource {
        file_name: path
            .file_name()
            .map(|f| f.to_string_lossy().to_string())
            .unwrap_or_default(),
        sha256,
        sheet: opts.sheet.clone(),
        format,
        header_line,
        headers,
        mapping: mapping.clone(),
        kind: opts.kind,
        rows_total: 0,
        blank_rows: 0,
        records: Vec::new(),
        rejections: Vec::new(),
    };
    // Blank rows are not data rows (Excel keeps formatted empty rows; a stray far cell makes a
    // million of them): they are skipped, not rejected; those between data rows are counted.
    let required: Vec<usize> = [Field::NetRent, Field::Area]
        .iter()
        .filter_map(|f| mapping.get(f).copied())
        .collect();
    let mut content = ContentSeen::default();
    let mut pending_blank = 0usize;
    let mut take = |row: &RawRow, out: &mut ImportedSource| {
        if row.is_blank() {
            pending_blank += 1;
            return Ok(());
        }
        out.blank_rows += std::mem::take(&mut pending_blank);
        if out.rows_total >= MAX_DATA_ROWS {
            return Err(too_many_rows(path, row.line));
        }
        content.see(row, &required);
        out.rows_total += 1;
        match ctx.validate(row) {
            Ok(r) => out.records.push(r),
            Err(rej) => out.rejections.push(rej),
        }
        Ok(())
    };
    for row in &peeked[header_index + 1..] {
        take(row, &mut out)?;
    }
    drop(peeked);
    let mut counter = 0u64;
    while let Some(row) = reader.next_row()? {
        take(&row, &mut out)?;
        counter += 1;
        if counter.is_multiple_of(4096) {
            let (done, total) = reader.progress().unwrap_or((counter, 0));
            if !progress(done, total) {
                return Err(ImportError::Cancelled);
            }
        }
    }
    if file_stamp(path)? != stamp {
        return Err(ImportError::ChangedWhileReading {
            path: path.display().to_string(),
        });
    }
    content.check(&out, path)?;
    let (done, total) = reader.progress().unwrap_or((counter, counter));
    progress(done, total);
    Ok(out)
}

/// The most data rows one file may hold: as many as an Excel sheet (1 048 576 rows). Real
/// sources have far fewer; the bound keeps the records of any file within a few hundred MB.
pub const MAX_DATA_ROWS: usize = 1 << 20;

/// The error for a file with more than [`MAX_DATA_ROWS`] data rows (`line`: the first row
/// beyond).
fn too_many_rows(path: &Path, line: u32) -> ImportError {
    ImportError::Unreadable {
        detail: format!(
            "mehr als {} Datenzeilen (so viele fasst ein Excel-Tabellenblatt; die erste darüber \
             steht in Zeile {}). Bitte die Daten auf mehrere Dateien aufteilen",
            crate::fmt::number(MAX_DATA_ROWS as f64, 0),
            crate::fmt::number(f64::from(line), 0)
        ),
        path: path.display().to_string(),
    }
}

/// What the data rows below the header hold, to tell a file without data from one whose rows
/// are all rejected for a reason.
#[derive(Debug, Default)]
struct ContentSeen {
    /// Some row has a value in the rent or area column.
    required: bool,
    /// The first rows with content elsewhere (Excel/CSV row numbers).
    other_lines: Vec<u32>,
}

impl ContentSeen {
    fn see(&mut self, row: &RawRow, required: &[usize]) {
        if self.required {
            return;
        }
        if required
            .iter()
            .any(|&c| row.cells.get(c).is_some_and(|cell| !cell.is_blank()))
        {
            self.required = true;
        } else if self.other_lines.len() < 3 {
            self.other_lines.push(row.line);
        }
    }

    /// No data rows at all, or none with a rent or area, is an error: there is nothing to
    /// import (rows whose values are rejected for a reason are data, and stay rejections).
    fn check(&self, out: &ImportedSource, path: &Path) -> Result<(), ImportError> {
        if self.required {
            return Ok(());
        }
        let sheet = out
            .sheet
            .as_ref()
            .map(|s| format!(" von Tabellenblatt „{s}“"))
            .unwrap_or_default();
        let header = crate::fmt::number(f64::from(out.header_line), 0);
        let detail = if out.rows_total == 0 {
            format!(
                "Unter der Kopfzeile (Zeile {header}){sheet} stehen keine Datenzeilen (leere \
                 Zeilen zählen nicht): {}",
                path.display()
            )
        } else {
            let lines: Vec<String> = self
                .other_lines
                .iter()
                .map(|&l| crate::fmt::number(f64::from(l), 0))
                .collect();
            let more = if out.rows_total > lines.len() {
                ", …"
            } else {
                ""
            };
            let rows = if out.rows_total == 1 {
                "1 Zeile".to_string()
            } else {
                format!("{} Zeilen", crate::fmt::number(out.rows_total as f64, 0))
            };
            format!(
                "Unter der Kopfzeile (Zeile {header}){sheet} steht in keiner Zeile eine \
                 Nettokaltmiete oder Wohnfläche; nur {rows} mit anderem Inhalt (Zeile {}{more}). \
                 Bitte Tabellenblatt und Kopfzeile prüfen: {}",
                lines.join(", "),
                path.display()
            )
        };
        Err(ImportError::Empty { detail })
    }
}

/// Size and modification time of a file.
fn file_stamp(path: &Path) -> Result<(u64, Option<std::time::SystemTime>), ImportError> {
    let meta = std::fs::metadata(path).map_err(|e| ImportError::Unreadable {
        detail: crate::io_util::io_error_german(&e),
        path: path.display().to_string(),
    })?;
    Ok((meta.len(), meta.modified().ok()))
}
