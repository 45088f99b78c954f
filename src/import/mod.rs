//! Import: reading workbooks and CSV files, header detection, column mapping, cell parsing and
//! validation of every row into a record or a reason-coded rejection.

pub mod cell;
pub mod csv_reader;
pub mod header;
pub mod mapping;
pub mod raw;
pub mod workbook;

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
}
