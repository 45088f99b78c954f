//! Workbook reading (xlsx, xlsm, xlsb, xls, ods): the sheet list with Excel tables, and a
//! streaming row reader.
//!
//! The file type is sniffed from the first bytes, not only taken from the extension: a `.xls` that
//! is really a zip is read as xlsx, a `.xlsx` that is an OLE/CFB container is either
//! password-protected (it holds an "EncryptionInfo"/"EncryptedPackage" stream) or an old xls, and
//! HTML, text or random bytes with an Excel extension get a German explanation.
//!
//! Rows are produced on a named background thread and handed over a bounded channel, because
//! calamine's streaming cell readers borrow the workbook. xlsx/xlsm and xlsb are streamed cell by
//! cell (memory independent of the number of rows); xls and ods are loaded as a calamine `Range`
//! (those formats are loaded whole by calamine anyway). A panic inside calamine on a malformed
//! file ends the background thread and is reported as an unreadable file.

use super::ImportError;
use super::raw::{RawCell, RawRow, RowReader};
use super::xlsx;
use crate::model::Date;
use calamine::{
    CellErrorType, Data, DataRef, Dimensions, ExcelDateTime, ExcelDateTimeType, Ods, Range, Reader,
    SheetType, Sheets, Xls, Xlsb, Xlsx, open_workbook,
};
use std::fs::File;
use std::io::{BufReader, Read};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvError, SyncSender, sync_channel};

/// Number of columns of an Excel sheet (A..XFD); cells beyond are ignored.
const MAX_COLUMNS: u32 = 16_384;

/// Rows (or blank-row ranges) per message from the reading thread: batching keeps the channel's
/// synchronisation cost small against the parsing.
const BATCH_ROWS: usize = 1024;

/// Capacity of the channel between the reading thread and the consumer (in batches), so at most
/// about `(CHANNEL_CAPACITY + 2) * BATCH_ROWS` rows are in memory at once.
const CHANNEL_CAPACITY: usize = 4;

/// The German detail for files that are not a workbook at all.
const NOT_A_WORKBOOK: &str = "keine gültige Excel-Datei (beschädigt oder abgeschnitten)";

/// An Excel table (ListObject) in a sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableInfo {
    /// The table's name ("Tabelle1").
    pub name: String,
    /// The sheet holding it.
    pub sheet: String,
    /// The Excel row of the table's header row (1-based).
    pub header_line: u32,
    /// First column (0-based, A = 0).
    pub first_col: u32,
    /// Last column (0-based, inclusive).
    pub last_col: u32,
    /// Number of data rows below the header.
    pub rows: u32,
}

/// A worksheet of a workbook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetInfo {
    /// The sheet's name.
    pub name: String,
    /// Excel tables on the sheet (xlsx/xlsm only; empty for other formats).
    pub tables: Vec<TableInfo>,
}

/// The container format found by sniffing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Xlsx,
    Xlsb,
    Xls,
    Ods,
}

/// The path as shown in messages.
fn shown(path: &Path) -> String {
    path.display().to_string()
}

/// An unreadable-file error.
fn unreadable(path: &Path, detail: impl Into<String>) -> ImportError {
    ImportError::Unreadable {
        detail: detail.into(),
        path: shown(path),
    }
}

/// The error for a panic inside the workbook library.
fn internal_failure(path: &Path) -> ImportError {
    unreadable(
        path,
        "die Arbeitsmappe ist beschädigt oder hat einen unerwarteten Aufbau (interner Lesefehler)",
    )
}

/// A German message for an I/O error on opening or reading.
fn io_detail(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "Datei nicht gefunden".to_string(),
        std::io::ErrorKind::PermissionDenied => {
            "keine Leseberechtigung (ist die Datei noch in einem anderen Programm geöffnet?)"
                .to_string()
        }
        std::io::ErrorKind::UnexpectedEof => NOT_A_WORKBOOK.to_string(),
        _ => format!("Lesefehler ({e})"),
    }
}

/// Maps a calamine error to an [`ImportError`].
fn map_calamine(e: calamine::Error, path: &Path) -> ImportError {
    use calamine::{Error as E, OdsError, XlsError, XlsbError, XlsxError};
    match e {
        E::Xlsx(XlsxError::Password)
        | E::Xls(XlsError::Password)
        | E::Xlsb(XlsbError::Password)
        | E::Ods(OdsError::Password) => ImportError::Encrypted { path: shown(path) },
        E::Io(io)
        | E::Xlsx(XlsxError::Io(io))
        | E::Xls(XlsError::Io(io))
        | E::Xlsb(XlsbError::Io(io))
        | E::Ods(OdsError::Io(io)) => unreadable(path, io_detail(&io)),
        E::Xlsx(XlsxError::Zip(_)) | E::Xlsb(XlsbError::Zip(_)) | E::Ods(OdsError::Zip(_)) => {
            unreadable(path, NOT_A_WORKBOOK)
        }
        other => unreadable(
            path,
            format!(
                "die Arbeitsmappe ist beschädigt oder hat einen unerwarteten Aufbau (technisch: {other})"
            ),
        ),
    }
}

/// Maps the extension to the format it promises; other extensions are not workbooks.
fn format_from_extension(path: &Path) -> Result<Format, ImportError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "xlsx" | "xlsm" | "xltx" | "xltm" | "xlam" => Ok(Format::Xlsx),
        "xlsb" => Ok(Format::Xlsb),
        "xls" | "xla" | "xlt" => Ok(Format::Xls),
        "ods" => Ok(Format::Ods),
        _ => Err(ImportError::UnsupportedFormat {
            extension: if ext.is_empty() {
                "(keine Endung)".to_string()
            } else {
                ext
            },
            path: shown(path),
        }),
    }
}

/// The magic bytes of an OLE2/CFB container (xls, and encrypted OOXML files).
const CFB_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Whether a CFB container holds the streams of an encrypted OOXML package ("EncryptionInfo",
/// "EncryptedPackage"). Directory entries are 128 bytes, aligned to 128 bytes in the file, and
/// start with the UTF-16LE stream name; the whole file is scanned in 128-byte steps (constant
/// memory).
pub fn cfb_is_encrypted_package(reader: impl Read) -> std::io::Result<bool> {
    fn utf16(name: &str) -> Vec<u8> {
        let mut v: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
        v.extend_from_slice(&[0, 0]);
        v
    }
    let names = [utf16("EncryptionInfo"), utf16("EncryptedPackage")];
    let mut reader = BufReader::with_capacity(1 << 16, reader);
    let mut header = [0u8; 8];
    if read_full(&mut reader, &mut header)? < 8 || header != CFB_MAGIC {
        return Ok(false);
    }
    // Skip the rest of the first 128 bytes so the loop stays 128-aligned.
    let mut rest = [0u8; 120];
    if read_full(&mut reader, &mut rest)? < 120 {
        return Ok(false);
    }
    let mut block = [0u8; 128];
    loop {
        let n = read_full(&mut reader, &mut block)?;
        if names
            .iter()
            .any(|name| n >= name.len() && block.starts_with(name))
        {
            return Ok(true);
        }
        if n < block.len() {
            return Ok(false);
        }
    }
}

/// Reads until `buf` is full or the input ends; returns the number of bytes read.
fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Determines the real format from the extension and the first bytes.
fn sniff(path: &Path) -> Result<Format, ImportError> {
    let by_extension = format_from_extension(path)?;
    let mut file = File::open(path).map_err(|e| unreadable(path, io_detail(&e)))?;
    let mut head = [0u8; 512];
    let n = read_full(&mut file, &mut head).map_err(|e| unreadable(path, io_detail(&e)))?;
    let head = &head[..n];
    if n == 0 {
        return Err(unreadable(path, "die Datei ist leer (0 Byte)"));
    }
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        // An OpenDocument file stores its mimetype uncompressed as the first zip entry.
        let is_ods = head.len() > 38
            && &head[30..38] == b"mimetype"
            && head[38..]
                .windows(b"opendocument.spreadsheet".len())
                .any(|w| w == b"opendocument.spreadsheet");
        let format = match (by_extension, is_ods) {
            (_, true) | (Format::Ods, _) => Format::Ods,
            (Format::Xlsb, _) => Format::Xlsb,
            _ => Format::Xlsx,
        };
        check_package(path, PackageLimits::for_format(format))?;
        return Ok(format);
    }
    if head.starts_with(&CFB_MAGIC) {
        let file = File::open(path).map_err(|e| unreadable(path, io_detail(&e)))?;
        return match cfb_is_encrypted_package(file) {
            Ok(true) => Err(ImportError::Encrypted { path: shown(path) }),
            Ok(false) => Ok(Format::Xls),
            Err(e) => Err(unreadable(path, io_detail(&e))),
        };
    }
    Err(unreadable(path, describe_foreign_content(head)))
}

/// How far the parts of a zip package may inflate (see [`check_package`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PackageLimits {
    /// Largest inflated size of one worksheet part, in bytes.
    sheet: u64,
    /// Largest inflated size of any other part (shared strings, styles, …), in bytes.
    other: u64,
    /// Largest inflated size of all parts together, in bytes.
    total: u64,
}

/// Parts up to this size are not checked for their compression ratio.
const RATIO_FREE_BYTES: u64 = 16 << 20;

/// The highest compression ratio a large part may have. Worksheet XML compresses about 6–16:1
/// (sample data, real Excel files; even a million rows of identical empty styled cells give
/// 10:1); deflate's maximum is about 1 000:1, which only padding reaches (a "zip bomb").
const MAX_RATIO: u64 = 100;

impl PackageLimits {
    /// The fast xlsx reader streams a sheet part with bounded memory, so only the time to
    /// inflate limits it (1 GiB ≈ 5 s); a million rows × 15 columns are about 0,5 GB of XML.
    /// Shared strings and styles are held in memory (calamine reads them too when it lists the
    /// sheets): 128 MiB.
    const STREAMED: PackageLimits = PackageLimits {
        sheet: 1 << 30,
        other: 128 << 20,
        total: 3 << 29,
    };
    /// calamine buffers a text node or a whole part (ods): 256 MiB per part keeps its peak
    /// memory below 600 MB.
    const BUFFERED: PackageLimits = PackageLimits {
        sheet: 256 << 20,
        other: 256 << 20,
        total: 1 << 30,
    };

    fn for_format(format: Format) -> PackageLimits {
        match format {
            Format::Xlsx => PackageLimits::STREAMED,
            Format::Xlsb | Format::Ods | Format::Xls => PackageLimits::BUFFERED,
        }
    }
}

/// Megabytes for messages (German number format).
fn megabytes(bytes: u64) -> String {
    let mb = bytes as f64 / 1_000_000.0;
    crate::fmt::number(mb, if mb < 10.0 { 1 } else { 0 })
}

/// Refuses a zip package (xlsx, xlsm, xlsb, ods) whose parts would inflate beyond `limits` or
/// with a compression ratio no real sheet has, before any reader inflates them. Reads only
/// the zip directory. The declared sizes are binding: the zip reader fails with an error as
/// soon as a part inflates beyond its declared size, for the fast reader and calamine alike.
/// A package the zip reader cannot open passes; the reader then reports it as damaged.
fn check_package(path: &Path, limits: PackageLimits) -> Result<(), ImportError> {
    let Ok(file) = File::open(path) else {
        return Ok(());
    };
    let Ok(mut zip) = zip::ZipArchive::new(BufReader::new(file)) else {
        return Ok(());
    };
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let Ok(entry) = zip.by_index_raw(i) else {
            continue;
        };
        let size = entry.size();
        let packed = entry.compressed_size().max(1);
        let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
        total = total.saturating_add(size);
        let ratio = size / packed;
        let limit = if name.to_ascii_lowercase().contains("worksheets/") {
            limits.sheet
        } else {
            limits.other
        };
        let bomb = size > RATIO_FREE_BYTES && ratio > MAX_RATIO;
        if bomb || size > limit {
            let why = if !bomb {
                format!("höchstens {} MB je Teil werden gelesen", megabytes(limit))
            } else {
                format!(
                    "{}-fach komprimiert, echte Tabellen höchstens etwa 20-fach; vermutlich eine \
                     „Zip-Bombe“",
                    crate::fmt::number(ratio as f64, 0)
                )
            };
            return Err(unreadable(
                path,
                format!(
                    "der Teil „{name}“ der Arbeitsmappe würde sich beim Entpacken von {} MB auf \
                     {} MB aufblähen ({why}). Die Datei wird nicht gelesen, um den Arbeitsspeicher \
                     zu schützen; bitte die Daten in eine neue Arbeitsmappe kopieren oder als CSV \
                     speichern",
                    megabytes(packed),
                    megabytes(size)
                ),
            ));
        }
    }
    if total > limits.total {
        return Err(unreadable(
            path,
            format!(
                "die Arbeitsmappe würde sich beim Entpacken auf {} MB aufblähen (höchstens {} MB \
                 werden gelesen). Die Datei wird nicht gelesen, um den Arbeitsspeicher zu \
                 schützen; bitte die Daten in eine neue Arbeitsmappe kopieren oder als CSV \
                 speichern",
                megabytes(total),
                megabytes(limits.total)
            ),
        ));
    }
    Ok(())
}

/// A German description of a file with an Excel extension that is no workbook.
fn describe_foreign_content(head: &[u8]) -> String {
    let text = String::from_utf8_lossy(head);
    let start = text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .to_ascii_lowercase();
    if start.starts_with("<?xml") && start.contains("urn:schemas-microsoft-com:office:spreadsheet")
    {
        return "Excel-2003-XML-Tabelle (SpreadsheetML) wird nicht unterstützt; bitte in Excel als \
                .xlsx speichern"
            .to_string();
    }
    if start.starts_with("<!doctype html")
        || start.starts_with("<html")
        || start.starts_with("<table")
        || (start.starts_with('<') && start.contains("<html"))
    {
        return "HTML-Datei mit Excel-Endung (z. B. Web-Export); bitte in Excel öffnen und als \
                .xlsx speichern"
            .to_string();
    }
    // Text in any 8-bit encoding (UTF-8, Windows-1252): no control characters.
    let printable = head
        .iter()
        .all(|&b| b >= 0x20 && b != 0x7F || matches!(b, b'\t' | b'\r' | b'\n'));
    if printable {
        return "Textdatei mit Excel-Endung (vermutlich CSV); bitte als CSV-Datei laden"
            .to_string();
    }
    NOT_A_WORKBOOK.to_string()
}

/// Opens the workbook with the reader for its sniffed format.
fn open_book(path: &Path, format: Format) -> Result<Sheets<BufReader<File>>, ImportError> {
    let book = match format {
        Format::Xlsx => open_workbook::<Xlsx<_>, _>(path)
            .map(Sheets::Xlsx)
            .map_err(calamine::Error::Xlsx),
        Format::Xlsb => open_workbook::<Xlsb<_>, _>(path)
            .map(Sheets::Xlsb)
            .map_err(calamine::Error::Xlsb),
        Format::Xls => open_workbook::<Xls<_>, _>(path)
            .map(Sheets::Xls)
            .map_err(calamine::Error::Xls),
        Format::Ods => open_workbook::<Ods<_>, _>(path)
            .map(Sheets::Ods)
            .map_err(calamine::Error::Ods),
    };
    book.map_err(|e| map_calamine(e, path))
}

/// The worksheet names (chart, dialog and macro sheets left out), in workbook order.
fn worksheet_names<RS: std::io::Read + std::io::Seek>(book: &Sheets<RS>) -> Vec<String> {
    book.sheets_metadata()
        .iter()
        .filter(|s| matches!(s.typ, SheetType::WorkSheet))
        .map(|s| s.name.clone())
        .collect()
}

/// Resolves the requested sheet: exact name, else a unique case-insensitive match; `None` = the
/// first worksheet.
fn resolve_sheet(
    names: &[String],
    wanted: Option<&str>,
    path: &Path,
) -> Result<String, ImportError> {
    let Some(first) = names.first() else {
        return Err(ImportError::Empty {
            detail: format!(
                "Die Arbeitsmappe enthält keine Tabellenblätter ({})",
                shown(path)
            ),
        });
    };
    let Some(wanted) = wanted else {
        return Ok(first.clone());
    };
    if let Some(n) = names.iter().find(|n| n.as_str() == wanted) {
        return Ok(n.clone());
    }
    let folded = wanted.trim().to_lowercase();
    let similar: Vec<&String> = names
        .iter()
        .filter(|n| n.trim().to_lowercase() == folded)
        .collect();
    if let [only] = similar.as_slice() {
        return Ok((*only).clone());
    }
    Err(ImportError::SheetNotFound {
        sheet: wanted.to_string(),
        available: names.join(", "),
    })
}

/// Lists the worksheets of a workbook and, for xlsx/xlsm, the Excel tables (ListObjects) on them.
///
/// Note: calamine resolves a table's extent by loading its sheet, so listing tables of a very large
/// sheet costs that sheet's memory once (sheets without tables cost nothing).
pub fn list_sheets(path: &Path) -> Result<Vec<SheetInfo>, ImportError> {
    let format = sniff(path)?;
    catch_unwind(AssertUnwindSafe(|| list_sheets_inner(path, format)))
        .unwrap_or_else(|_| Err(internal_failure(path)))
}

/// The body of [`list_sheets`], run under `catch_unwind`.
fn list_sheets_inner(path: &Path, format: Format) -> Result<Vec<SheetInfo>, ImportError> {
    let mut book = open_book(path, format)?;
    let names = worksheet_names(&book);
    if names.is_empty() {
        return Err(ImportError::Empty {
            detail: format!(
                "Die Arbeitsmappe enthält keine Tabellenblätter ({})",
                shown(path)
            ),
        });
    }
    let mut sheets: Vec<SheetInfo> = names
        .into_iter()
        .map(|name| SheetInfo {
            name,
            tables: Vec::new(),
        })
        .collect();
    if let Sheets::Xlsx(xlsx) = &mut book
        && xlsx.load_tables().is_ok()
    {
        for sheet in &mut sheets {
            let table_names: Vec<String> = xlsx
                .table_names_in_sheet(&sheet.name)
                .into_iter()
                .cloned()
                .collect();
            for table_name in table_names {
                // A table whose definition calamine cannot read is left out of the list; its
                // cells are still read with the sheet.
                let Ok(table) = xlsx.table_by_name(&table_name) else {
                    continue;
                };
                let width = u32::try_from(table.columns().len()).unwrap_or(u32::MAX);
                let data = table.data();
                let Some(start) = data.start() else { continue };
                let end = data.end().unwrap_or(start);
                sheet.tables.push(TableInfo {
                    name: table.name().to_string(),
                    sheet: table.sheet_name().to_string(),
                    header_line: start.0,
                    first_col: start.1,
                    last_col: if width > 0 {
                        start.1.saturating_add(width - 1)
                    } else {
                        end.1
                    },
                    rows: end.0.saturating_sub(start.0).saturating_add(1),
                });
            }
        }
    }
    Ok(sheets)
}

// ---------------------------------------------------------------------------------------------
// Cell conversion

/// The text Excel shows for an error value.
fn error_text(e: &CellErrorType) -> String {
    e.to_string()
}

/// A date/time cell: the calendar day (1900 or 1904 system); durations and pure times (no day)
/// stay numbers.
fn date_cell(dt: &ExcelDateTime) -> RawCell {
    let serial = dt.as_f64();
    if dt.is_duration() {
        return RawCell::Number(serial);
    }
    // calamine keeps the workbook's epoch inside the value but does not expose it; compare.
    let is_1904 = *dt == ExcelDateTime::new(serial, ExcelDateTimeType::DateTime, true);
    RawCell::from_date_serial(serial, is_1904)
}

/// An ISO date text (ods, xlsx `t="d"`): a date if it has a day, else the text.
fn iso_cell(text: &str) -> RawCell {
    Date::parse(text).map_or_else(|| RawCell::Text(text.to_string()), RawCell::Date)
}

/// Converts an owned calamine value.
fn from_data(d: &Data) -> RawCell {
    match d {
        Data::Empty => RawCell::Empty,
        Data::String(s) => RawCell::Text(s.clone()),
        Data::Float(f) => RawCell::Number(*f),
        Data::Int(i) => RawCell::Number(*i as f64),
        Data::Bool(b) => RawCell::Bool(*b),
        Data::Error(e) => RawCell::Error(error_text(e)),
        Data::DateTime(dt) => date_cell(dt),
        Data::DateTimeIso(s) => iso_cell(s),
        Data::DurationIso(s) => RawCell::Text(s.clone()),
    }
}

/// Error values as LibreOffice writes them into ods files (calamine reads them as text), in
/// English and German.
const ODS_ERROR_TEXTS: &[&str] = &[
    "#DIV/0!", "#N/A", "#NV", "#NAME?", "#NULL!", "#NUM!", "#ZAHL!", "#REF!", "#BEZUG!", "#VALUE!",
    "#WERT!",
];

/// Converts an ods value: error texts ("#DIV/0!", "Err:502") become errors.
fn from_ods_data(d: &Data) -> RawCell {
    match d {
        Data::String(s)
            if ODS_ERROR_TEXTS.contains(&s.as_str())
                || s.strip_prefix("Err:")
                    .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())) =>
        {
            RawCell::Error(s.clone())
        }
        other => from_data(other),
    }
}

/// Converts a borrowed calamine value (streaming readers).
fn from_data_ref(d: &DataRef<'_>) -> RawCell {
    match d {
        DataRef::Empty => RawCell::Empty,
        DataRef::String(s) => RawCell::Text(s.clone()),
        DataRef::SharedString(s) => RawCell::Text((*s).to_string()),
        DataRef::Float(f) => RawCell::Number(*f),
        DataRef::Int(i) => RawCell::Number(*i as f64),
        DataRef::Bool(b) => RawCell::Bool(*b),
        DataRef::Error(e) => RawCell::Error(error_text(e)),
        DataRef::DateTime(dt) => date_cell(dt),
        DataRef::DateTimeIso(s) => iso_cell(s),
        DataRef::DurationIso(s) => RawCell::Text(s.clone()),
    }
}

// ---------------------------------------------------------------------------------------------
// The reading thread

/// Messages from the reading thread.
enum Msg {
    /// The sheet is open and holds data from `first_line` on; `last_line` from the sheet's
    /// declared dimensions if known.
    Opened {
        sheet: String,
        first_line: u32,
        last_line: Option<u32>,
        fast: bool,
    },
    /// Rows and blank-row ranges, in sheet order.
    Batch(Vec<Item>),
    /// Reading failed; nothing follows.
    Failed(ImportError),
    /// All rows were sent.
    End,
}

/// One entry of a batch.
enum Item {
    /// A row with data.
    Row(RawRow),
    /// Blank rows `from..=to` (between data rows).
    Blank { from: u32, to: u32 },
}

/// Why the reading thread stops early.
enum Stop {
    /// The consumer dropped the reader.
    Gone,
    /// A file-level failure to report.
    Failed(ImportError),
}

impl From<ImportError> for Stop {
    fn from(e: ImportError) -> Stop {
        Stop::Failed(e)
    }
}

/// Turns cell rows into messages: drops leading/trailing blank rows, reports gaps as blank-row
/// ranges, trims trailing empty cells, and announces the sheet before the first row.
struct Emitter<'a> {
    tx: &'a SyncSender<Msg>,
    sheet: String,
    /// Whether the fast xlsx reader produces the rows.
    fast: bool,
    last_line_hint: Option<u32>,
    opened: bool,
    last_line: Option<u32>,
    batch: Vec<Item>,
}

impl Emitter<'_> {
    fn new<'a>(tx: &'a SyncSender<Msg>, sheet: &str, fast: bool) -> Emitter<'a> {
        Emitter {
            tx,
            sheet: sheet.to_string(),
            fast,
            last_line_hint: None,
            opened: false,
            last_line: None,
            batch: Vec::with_capacity(BATCH_ROWS),
        }
    }

    fn send(&self, msg: Msg) -> Result<(), Stop> {
        self.tx.send(msg).map_err(|_| Stop::Gone)
    }

    fn push(&mut self, item: Item) -> Result<(), Stop> {
        self.batch.push(item);
        if self.batch.len() >= BATCH_ROWS {
            self.flush()?;
        }
        Ok(())
    }

    /// Sends the rows collected so far.
    fn flush(&mut self) -> Result<(), Stop> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH_ROWS));
        self.send(Msg::Batch(batch))
    }

    fn row(&mut self, line: u32, mut cells: Vec<RawCell>) -> Result<(), Stop> {
        while matches!(cells.last(), Some(RawCell::Empty)) {
            cells.pop();
        }
        if cells.iter().all(RawCell::is_blank) {
            return Ok(());
        }
        if !self.opened {
            self.opened = true;
            self.send(Msg::Opened {
                sheet: self.sheet.clone(),
                first_line: line,
                last_line: self.last_line_hint,
                fast: self.fast,
            })?;
        }
        if let Some(last) = self.last_line {
            if line > last.saturating_add(1) {
                self.push(Item::Blank {
                    from: last + 1,
                    to: line - 1,
                })?;
            }
            self.last_line = Some(last.max(line));
        } else {
            self.last_line = Some(line);
        }
        self.push(Item::Row(RawRow { line, cells }))
    }

    fn finish(mut self, path: &Path) -> Result<(), Stop> {
        if !self.opened {
            return Err(Stop::Failed(ImportError::Empty {
                detail: format!(
                    "Tabellenblatt „{}“ enthält keine Zellen ({})",
                    self.sheet,
                    shown(path)
                ),
            }));
        }
        self.flush()?;
        self.send(Msg::End)
    }
}

/// Builds rows from cells arriving in row-major order.
#[derive(Default)]
struct RowAssembler {
    current: Option<(u32, Vec<RawCell>)>,
    /// Width of the previous row, to allocate each row once.
    width_hint: usize,
}

impl RowAssembler {
    fn push(
        &mut self,
        emitter: &mut Emitter<'_>,
        pos: (u32, u32),
        cell: RawCell,
    ) -> Result<(), Stop> {
        let (row, col) = pos;
        if self.current.as_ref().is_some_and(|(r, _)| *r != row) {
            self.flush(emitter)?;
        }
        let hint = self.width_hint;
        let (_, cells) = self
            .current
            .get_or_insert_with(|| (row, Vec::with_capacity(hint)));
        if matches!(cell, RawCell::Empty) || col >= MAX_COLUMNS {
            return Ok(());
        }
        let col = col as usize;
        // Cells come left to right, so appending is the common (dense) case.
        match cells.len().cmp(&col) {
            std::cmp::Ordering::Equal => cells.push(cell),
            std::cmp::Ordering::Less => {
                cells.resize(col, RawCell::Empty);
                cells.push(cell);
            }
            std::cmp::Ordering::Greater => {
                if let Some(slot) = cells.get_mut(col) {
                    *slot = cell;
                }
            }
        }
        Ok(())
    }

    fn flush(&mut self, emitter: &mut Emitter<'_>) -> Result<(), Stop> {
        if let Some((row, cells)) = self.current.take() {
            self.width_hint = cells.len().min(MAX_COLUMNS as usize);
            emitter.row(row.saturating_add(1), cells)?;
        }
        Ok(())
    }
}

/// The last line declared by a streaming reader's `<dimension>` (unknown for "A1" or missing).
fn declared_last_line(d: Dimensions) -> Option<u32> {
    (d.end != d.start).then(|| d.end.0.saturating_add(1))
}

/// Which reader parses the cells of xlsx/xlsm sheets. [`XlsxReader::Fast`] (the default)
/// falls back to calamine for packages it does not expect; tests compare both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XlsxReader {
    /// `import::xlsx`, a byte scanner for the worksheet XML.
    Fast,
    /// calamine's streaming cell reader.
    Calamine,
}

/// Reads the sheet and sends its rows.
fn read_sheet(
    path: &Path,
    format: Format,
    wanted: Option<&str>,
    reader: XlsxReader,
    tx: &SyncSender<Msg>,
) -> Result<(), Stop> {
    if format == Format::Xlsx && reader == XlsxReader::Fast && read_sheet_fast(path, wanted, tx)? {
        return Ok(());
    }
    // calamine buffers more than the fast reader: stricter limits (sniffing applied the
    // streamed ones to xlsx).
    if format == Format::Xlsx {
        check_package(path, PackageLimits::BUFFERED)?;
    }
    let mut book = open_book(path, format)?;
    let names = worksheet_names(&book);
    let sheet = resolve_sheet(&names, wanted, path)?;
    let mut emitter = Emitter::new(tx, &sheet, false);
    match emit_rows(&mut book, &sheet, format, path, &mut emitter) {
        Ok(()) => emitter.finish(path),
        Err(Stop::Failed(e)) => {
            // Rows read before the failure still reach the consumer, then the error.
            emitter.flush()?;
            Err(Stop::Failed(e))
        }
        Err(Stop::Gone) => Err(Stop::Gone),
    }
}

/// Reads an xlsx/xlsm sheet with the fast reader. `Ok(false)` if the package, the sheet or its
/// first rows are not as that reader expects and nothing has been sent yet: then calamine
/// reads the file (and explains what is wrong with it).
fn read_sheet_fast(path: &Path, wanted: Option<&str>, tx: &SyncSender<Msg>) -> Result<bool, Stop> {
    let Ok(file) = File::open(path) else {
        return Ok(false);
    };
    let too_large = |e: xlsx::Malformed| {
        Stop::Failed(unreadable(
            path,
            format!(
                "{}. Die Datei wird nicht gelesen, um den Arbeitsspeicher zu schützen; bitte die \
                 Daten prüfen oder als CSV speichern",
                e.detail
            ),
        ))
    };
    let mut book = match xlsx::Workbook::open(BufReader::new(file)) {
        Ok(Some(book)) => book,
        Ok(None) => return Ok(false),
        Err(e) => return Err(too_large(e)),
    };
    let Ok(sheet) = resolve_sheet(&book.sheet_names(), wanted, path) else {
        return Ok(false);
    };
    let mut cells = match book.cells(&sheet) {
        Ok(Some(cells)) => cells,
        Err(e) if e.too_large => return Err(too_large(e)),
        Ok(None) | Err(_) => return Ok(false),
    };
    let mut emitter = Emitter::new(tx, &sheet, true);
    emitter.last_line_hint = cells.last_line;
    let mut rows = RowAssembler::default();
    loop {
        match cells.next_cell() {
            Ok(Some((pos, cell))) => rows.push(&mut emitter, pos, cell)?,
            Ok(None) => break,
            Err(e) if e.too_large => {
                emitter.flush()?;
                return Err(too_large(e));
            }
            Err(_) if !emitter.opened => return Ok(false),
            Err(e) => {
                emitter.flush()?;
                return Err(Stop::Failed(unreadable(
                    path,
                    format!(
                        "die Arbeitsmappe ist beschädigt oder hat einen unerwarteten Aufbau (technisch: {})",
                        e.detail
                    ),
                )));
            }
        }
    }
    rows.flush(&mut emitter)?;
    emitter.finish(path)?;
    Ok(true)
}

/// Reads the sheet's cells into rows and hands them to the emitter.
fn emit_rows(
    book: &mut Sheets<BufReader<File>>,
    sheet: &str,
    format: Format,
    path: &Path,
    emitter: &mut Emitter<'_>,
) -> Result<(), Stop> {
    let mut rows = RowAssembler::default();
    match book {
        Sheets::Xlsx(xlsx) => {
            let mut cells = xlsx
                .worksheet_cells_reader(sheet)
                .map_err(|e| map_calamine(calamine::Error::Xlsx(e), path))?;
            emitter.last_line_hint = declared_last_line(cells.dimensions());
            while let Some(cell) = cells
                .next_cell()
                .map_err(|e| map_calamine(calamine::Error::Xlsx(e), path))?
            {
                rows.push(
                    emitter,
                    cell.get_position(),
                    from_data_ref(cell.get_value()),
                )?;
            }
        }
        Sheets::Xlsb(xlsb) => {
            let mut cells = xlsb
                .worksheet_cells_reader(sheet)
                .map_err(|e| map_calamine(calamine::Error::Xlsb(e), path))?;
            emitter.last_line_hint = declared_last_line(cells.dimensions());
            while let Some(cell) = cells
                .next_cell()
                .map_err(|e| map_calamine(calamine::Error::Xlsb(e), path))?
            {
                rows.push(
                    emitter,
                    cell.get_position(),
                    from_data_ref(cell.get_value()),
                )?;
            }
        }
        Sheets::Xls(_) | Sheets::Ods(_) => {
            let convert = if format == Format::Ods {
                from_ods_data
            } else {
                from_data
            };
            let range: Range<Data> = book
                .worksheet_range(sheet)
                .map_err(|e| map_calamine(e, path))?;
            if let (Some(start), Some(end)) = (range.start(), range.end()) {
                emitter.last_line_hint = Some(end.0.saturating_add(1));
                for (i, row) in range.rows().enumerate() {
                    let line = start.0.saturating_add(u32::try_from(i).unwrap_or(u32::MAX));
                    let offset = start.1.min(MAX_COLUMNS) as usize;
                    let mut cells = Vec::with_capacity(offset + row.len());
                    cells.resize(offset, RawCell::Empty);
                    cells.extend(row.iter().map(convert));
                    emitter.row(line.saturating_add(1), cells)?;
                }
            }
        }
    }
    rows.flush(emitter)
}

/// The body of the reading thread.
fn worker(
    path: PathBuf,
    format: Format,
    sheet: Option<String>,
    reader: XlsxReader,
    tx: SyncSender<Msg>,
) {
    let result = catch_unwind(AssertUnwindSafe(|| {
        read_sheet(&path, format, sheet.as_deref(), reader, &tx)
    }));
    let failure = match result {
        Ok(Ok(())) | Ok(Err(Stop::Gone)) => return,
        Ok(Err(Stop::Failed(e))) => e,
        Err(_) => internal_failure(&path),
    };
    // The consumer may be gone; then nobody needs the message.
    let _ = tx.send(Msg::Failed(failure));
}

// ---------------------------------------------------------------------------------------------
// The consumer side

/// A streaming reader over one worksheet. Implements [`RowReader`].
///
/// Rows come with `line` = the Excel row number and cells from column A. Every row from the first
/// to the last row with data is returned, blank rows in between included (with no cells). After an
/// error, further calls return `Ok(None)`.
pub struct SheetReader {
    rx: Receiver<Msg>,
    path: PathBuf,
    sheet: String,
    first_line: u32,
    last_line: Option<u32>,
    fast: bool,
    done: u64,
    pending_blank: Option<(u32, u32)>,
    buffer: std::vec::IntoIter<Item>,
    finished: bool,
}

impl std::fmt::Debug for SheetReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SheetReader")
            .field("path", &self.path)
            .field("sheet", &self.sheet)
            .field("first_line", &self.first_line)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl SheetReader {
    /// The name of the sheet being read (useful when the first sheet was chosen).
    pub fn sheet_name(&self) -> &str {
        &self.sheet
    }

    /// The Excel row of the first row with data.
    pub fn first_line(&self) -> u32 {
        self.first_line
    }

    /// True if the fast xlsx reader reads the sheet (false: calamine).
    pub fn fast(&self) -> bool {
        self.fast
    }
}

impl RowReader for SheetReader {
    fn next_row(&mut self) -> Result<Option<RawRow>, ImportError> {
        loop {
            if let Some((from, to)) = self.pending_blank {
                self.pending_blank = (from < to).then(|| (from + 1, to));
                self.done += 1;
                return Ok(Some(RawRow {
                    line: from,
                    cells: Vec::new(),
                }));
            }
            match self.buffer.next() {
                Some(Item::Row(row)) => {
                    self.done += 1;
                    return Ok(Some(row));
                }
                Some(Item::Blank { from, to }) => {
                    self.pending_blank = Some((from, to));
                    continue;
                }
                None => {}
            }
            if self.finished {
                return Ok(None);
            }
            match self.rx.recv() {
                Ok(Msg::Batch(items)) => self.buffer = items.into_iter(),
                Ok(Msg::End) => {
                    self.finished = true;
                    return Ok(None);
                }
                Ok(Msg::Failed(e)) => {
                    self.finished = true;
                    return Err(e);
                }
                Ok(Msg::Opened { .. }) | Err(RecvError) => {
                    self.finished = true;
                    return Err(internal_failure(&self.path));
                }
            }
        }
    }

    fn progress(&self) -> Option<(u64, u64)> {
        let last = self.last_line?;
        let total = u64::from(last.checked_sub(self.first_line)?) + 1;
        Some((self.done, total.max(self.done)))
    }
}

/// Opens a worksheet for streaming; `None` = the first worksheet.
///
/// Fails with [`ImportError::UnsupportedFormat`] for non-workbook extensions,
/// [`ImportError::Encrypted`] for password-protected files, [`ImportError::Unreadable`] for
/// damaged or foreign files, [`ImportError::SheetNotFound`] for an unknown sheet and
/// [`ImportError::Empty`] for a workbook without worksheets or a sheet without cells.
pub fn open_sheet(path: &Path, sheet: Option<&str>) -> Result<SheetReader, ImportError> {
    open_sheet_with(path, sheet, XlsxReader::Fast)
}

/// [`open_sheet`] with a choice of the xlsx/xlsm cell reader.
pub fn open_sheet_with(
    path: &Path,
    sheet: Option<&str>,
    reader: XlsxReader,
) -> Result<SheetReader, ImportError> {
    let format = sniff(path)?;
    let (tx, rx) = sync_channel(CHANNEL_CAPACITY);
    let owned_path = path.to_path_buf();
    let owned_sheet = sheet.map(str::to_string);
    std::thread::Builder::new()
        .name("kdu-workbook-reader".to_string())
        .spawn(move || worker(owned_path, format, owned_sheet, reader, tx))
        .map_err(|e| {
            unreadable(
                path,
                format!("der Lesevorgang konnte nicht gestartet werden ({e})"),
            )
        })?;
    match rx.recv() {
        Ok(Msg::Opened {
            sheet,
            first_line,
            last_line,
            fast,
        }) => Ok(SheetReader {
            rx,
            path: path.to_path_buf(),
            sheet,
            first_line,
            last_line,
            fast,
            done: 0,
            pending_blank: None,
            buffer: Vec::new().into_iter(),
            finished: false,
        }),
        Ok(Msg::Failed(e)) => Err(e),
        Ok(Msg::End | Msg::Batch(_)) | Err(RecvError) => Err(internal_failure(path)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_both_systems() {
        let d1900 = ExcelDateTime::new(45_658.0, ExcelDateTimeType::DateTime, false);
        assert_eq!(
            date_cell(&d1900),
            RawCell::Date(Date::from_ymd(2025, 1, 1).unwrap())
        );
        // The same day in the 1904 system is 1462 days less.
        let d1904 = ExcelDateTime::new(44_196.0, ExcelDateTimeType::DateTime, true);
        assert_eq!(
            date_cell(&d1904),
            RawCell::Date(Date::from_ymd(2025, 1, 1).unwrap())
        );
        let d1904_zero = ExcelDateTime::new(0.0, ExcelDateTimeType::DateTime, true);
        assert_eq!(
            date_cell(&d1904_zero),
            RawCell::Date(Date::from_ymd(1904, 1, 1).unwrap())
        );
        // A time of day without a date and a duration stay numbers.
        let time = ExcelDateTime::new(0.5, ExcelDateTimeType::DateTime, false);
        assert_eq!(date_cell(&time), RawCell::Number(0.5));
        let dur = ExcelDateTime::new(1.5, ExcelDateTimeType::TimeDelta, false);
        assert_eq!(date_cell(&dur), RawCell::Number(1.5));
        let neg = ExcelDateTime::new(-3.0, ExcelDateTimeType::DateTime, false);
        assert_eq!(date_cell(&neg), RawCell::Number(-3.0));
        let nan = ExcelDateTime::new(f64::NAN, ExcelDateTimeType::DateTime, true);
        assert!(matches!(date_cell(&nan), RawCell::Number(n) if n.is_nan()));
    }

    #[test]
    fn iso_and_errors() {
        assert_eq!(
            from_data(&Data::DateTimeIso("2024-03-01T00:00:00".into())),
            RawCell::Date(Date::from_ymd(2024, 3, 1).unwrap())
        );
        assert_eq!(
            from_data(&Data::DateTimeIso("12:30:00".into())),
            RawCell::Text("12:30:00".into())
        );
        assert_eq!(
            from_data(&Data::Error(CellErrorType::Div0)),
            RawCell::Error("#DIV/0!".into())
        );
        assert_eq!(
            from_data_ref(&DataRef::Error(CellErrorType::NA)),
            RawCell::Error("#N/A".into())
        );
        assert_eq!(from_data(&Data::Int(7)), RawCell::Number(7.0));
        assert_eq!(
            from_data_ref(&DataRef::SharedString("x")),
            RawCell::Text("x".into())
        );
    }

    #[test]
    fn ods_error_texts() {
        assert_eq!(
            from_ods_data(&Data::String("#DIV/0!".into())),
            RawCell::Error("#DIV/0!".into())
        );
        assert_eq!(
            from_ods_data(&Data::String("Err:502".into())),
            RawCell::Error("Err:502".into())
        );
        assert_eq!(
            from_ods_data(&Data::String("Err:".into())),
            RawCell::Text("Err:".into())
        );
        assert_eq!(
            from_ods_data(&Data::String("#Wohnung".into())),
            RawCell::Text("#Wohnung".into())
        );
    }

    #[test]
    fn foreign_content_is_described() {
        assert!(describe_foreign_content(b"<!DOCTYPE html><html>").contains("HTML"));
        assert!(describe_foreign_content(b"Miete;Flaeche\n500;60\n").contains("CSV"));
        assert!(
            describe_foreign_content(
                b"<?xml version=\"1.0\"?><Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\">"
            )
            .contains("SpreadsheetML")
        );
        assert_eq!(describe_foreign_content(&[0, 1, 2, 255, 7]), NOT_A_WORKBOOK);
    }

    #[test]
    fn cfb_sniffing() {
        let mut file = CFB_MAGIC.to_vec();
        file.resize(512, 0);
        let mut entry: Vec<u8> = "EncryptionInfo"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        entry.resize(128, 0);
        let mut plain = file.clone();
        plain.extend_from_slice(&[0u8; 128]);
        file.extend_from_slice(&entry);
        assert!(cfb_is_encrypted_package(&file[..]).unwrap());
        assert!(!cfb_is_encrypted_package(&plain[..]).unwrap());
        assert!(!cfb_is_encrypted_package(&b"PK\x03\x04"[..]).unwrap());
        // Misaligned names do not count.
        let mut shifted = CFB_MAGIC.to_vec();
        shifted.resize(520, 0);
        shifted.extend_from_slice(&entry);
        assert!(!cfb_is_encrypted_package(&shifted[..]).unwrap());
    }

    #[test]
    fn sheet_resolution() {
        let names = vec!["Daten".to_string(), "Info".to_string()];
        let p = Path::new("x.xlsx");
        assert_eq!(resolve_sheet(&names, None, p).unwrap(), "Daten");
        assert_eq!(resolve_sheet(&names, Some("info "), p).unwrap(), "Info");
        match resolve_sheet(&names, Some("Mieten"), p) {
            Err(ImportError::SheetNotFound { sheet, available }) => {
                assert_eq!(sheet, "Mieten");
                assert_eq!(available, "Daten, Info");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            resolve_sheet(&[], None, p),
            Err(ImportError::Empty { .. })
        ));
    }

    #[test]
    fn reader_is_send() {
        fn assert_send<T: Send>() {}
        assert_send::<SheetReader>();
    }
}
