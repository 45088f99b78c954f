//! Reading CSV and text files: encoding detection, separator sniffing and a streaming
//! [`RowReader`] that yields every record with the line number a user sees in an editor.
//!
//! - **Encoding** ([`decode`]): a UTF-8 byte-order mark is stripped; UTF-16 files with a BOM
//!   (Excel's "Unicode-Text" export) are decoded as UTF-16; otherwise valid UTF-8 is UTF-8 and
//!   anything else is read as Windows-1252 (the "ANSI" of German Windows, a superset of
//!   Latin-1).
//! - **Separator** ([`sniff_separator`]): `;`, `,`, tab or runs of blanks, chosen from the first
//!   50 lines (see there).
//! - **Rows**: one [`RawRow`] per record, cells are [`RawCell::Text`] or [`RawCell::Empty`] (an
//!   empty field); nothing is interpreted here. `line` is the 1-based line on which the record
//!   starts, counting `\r\n`, `\n` and a lone `\r` as one line break each, as editors do; a
//!   quoted field with line breaks makes later records start on later lines. Blank
//!   lines between records become rows of one empty cell, so the validator can report them;
//!   blank lines after the last record (such as the final line break) create no row.
//! - **Malformed input** never panics: invalid bytes are decoded as Windows-1252. A quote that
//!   is never closed (or closed only after [`MAX_RECORD_LINES`] lines) would swallow the rest of
//!   the file into one field; it is an error that names the line where the quote opened. A
//!   record longer than [`MAX_RECORD_BYTES`] (a file without line breaks, one giant line) is an
//!   error too, so a hostile file ends within seconds.
//!
//! The file is read into memory once (the decoded text); rows are produced one at a time.

use std::io::Cursor;
use std::path::Path;

use crate::import::ImportError;
use crate::import::raw::{RawCell, RawRow, RowReader};

/// The text encoding a file was read with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum TextEncoding {
    /// UTF-8 without byte-order mark.
    Utf8,
    /// UTF-8 with byte-order mark (Excel's "CSV UTF-8").
    Utf8Bom,
    /// Windows-1252 ("ANSI", a superset of ISO 8859-1/Latin-1): Excel's plain "CSV" on German
    /// Windows.
    Windows1252,
    /// UTF-16 little endian with byte-order mark (Excel's "Unicode-Text").
    Utf16Le,
    /// UTF-16 big endian with byte-order mark.
    Utf16Be,
}

impl TextEncoding {
    /// German name for the user.
    pub fn german(&self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf8Bom => "UTF-8 mit BOM",
            TextEncoding::Windows1252 => "Windows-1252 (ANSI/Latin-1)",
            TextEncoding::Utf16Le => "UTF-16 (Little Endian)",
            TextEncoding::Utf16Be => "UTF-16 (Big Endian)",
        }
    }
}

/// The field separator of a text file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Separator {
    /// `;` (German Excel's CSV).
    Semicolon,
    /// `,`.
    Comma,
    /// Tab.
    Tab,
    /// Runs of blanks or tabs; double quotes group (R's `write.table`, e.g. the Munich
    /// Mietspiegel sample).
    Whitespace,
}

impl Separator {
    /// German name for the user.
    pub fn german(&self) -> &'static str {
        match self {
            Separator::Semicolon => "Semikolon (;)",
            Separator::Comma => "Komma (,)",
            Separator::Tab => "Tabulator",
            Separator::Whitespace => "Leerzeichen",
        }
    }

    /// The delimiter byte for the CSV parser; `None` for [`Separator::Whitespace`].
    fn byte(self) -> Option<u8> {
        match self {
            Separator::Semicolon => Some(b';'),
            Separator::Comma => Some(b','),
            Separator::Tab => Some(b'\t'),
            Separator::Whitespace => None,
        }
    }
}

/// Decodes file bytes: strips a byte-order mark (UTF-8, or UTF-16 LE/BE, which are decoded as
/// such); without one, valid UTF-8 is [`TextEncoding::Utf8`] and anything else
/// [`TextEncoding::Windows1252`] (every byte maps to a character, so nothing is lost). With a
/// UTF-8 BOM, invalid sequences become U+FFFD.
pub fn decode(bytes: &[u8]) -> (String, TextEncoding) {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return (
            String::from_utf8_lossy(rest).into_owned(),
            TextEncoding::Utf8Bom,
        );
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        let (text, _) = encoding_rs::UTF_16LE.decode_without_bom_handling(rest);
        return (text.into_owned(), TextEncoding::Utf16Le);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        let (text, _) = encoding_rs::UTF_16BE.decode_without_bom_handling(rest);
        return (text.into_owned(), TextEncoding::Utf16Be);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_string(), TextEncoding::Utf8),
        Err(_) => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            (text.into_owned(), TextEncoding::Windows1252)
        }
    }
}

/// The longest record (one line, or several joined by a quoted field), in bytes. Real rows are
/// a few hundred bytes; long free-text fields of offer data stay far below.
pub const MAX_RECORD_BYTES: usize = 1 << 20;

/// The most lines one record may span through quoted line breaks. More means a stray quote
/// swallowed the rows below it.
pub const MAX_RECORD_LINES: u32 = 1000;

/// The error for a record that swallows the file behind a quote opened on `open_line`.
fn unclosed_quote(name: &str, open_line: u32, end_line: u32, at_end: bool) -> ImportError {
    let until = if at_end {
        format!(
            "bis zum Dateiende (Zeile {}) nicht",
            crate::fmt::number(f64::from(end_line), 0)
        )
    } else {
        format!(
            "erst in Zeile {}",
            crate::fmt::number(f64::from(end_line), 0)
        )
    };
    ImportError::Unreadable {
        detail: format!(
            "In Zeile {open} öffnet ein Anführungszeichen (\") ein Feld, das {until} \
             geschlossen wird; {lines} Zeilen würden so zu einem einzigen Feld. Bitte das \
             Anführungszeichen in Zeile {open} entfernen oder schließen",
            open = crate::fmt::number(f64::from(open_line), 0),
            lines = crate::fmt::number(f64::from(end_line - open_line + 1), 0),
        ),
        path: name.to_string(),
    }
}

/// The error for a record longer than [`MAX_RECORD_BYTES`].
fn overlong_record(name: &str, line: u32, bytes: usize) -> ImportError {
    ImportError::Unreadable {
        detail: format!(
            "Zeile {} ist {} MB lang (höchstens {} MB je Zeile); die Datei ist vermutlich keine \
             Tabelle oder ihre Zeilenumbrüche fehlen",
            crate::fmt::number(f64::from(line), 0),
            crate::fmt::number(bytes as f64 / 1_000_000.0, 1),
            MAX_RECORD_BYTES >> 20
        ),
        path: name.to_string(),
    }
}

/// How many non-blank lines [`sniff_separator`] looks at.
const SNIFF_LINES: usize = 50;
/// How much text [`sniff_separator`] looks at at most (an unterminated quote could otherwise
/// make one "line" of the whole file).
const SNIFF_BYTES: usize = 1 << 20;

/// Separator counts of one logical line (outside quotes).
#[derive(Debug, Default, Clone, Copy)]
struct LineCounts {
    semicolon: usize,
    comma: usize,
    tab: usize,
    /// Gaps between blank-separated tokens (tokens − 1).
    gaps: usize,
}

/// Guesses the field separator from the first 50 non-blank lines (quoted parts ignored; a
/// quote opens a quoted part only at the start of a field).
///
/// For each of `;`, tab and `,` the most frequent non-zero count per line is found; the
/// candidate whose most frequent count occurs on the most lines wins, ties in the order `;`,
/// tab, `,` (German Excel first). So a file that mixes separators is read with the majority
/// one, and decimal commas in a `;` file do not mislead. [`Separator::Whitespace`] wins only if
/// blank-separated tokens are strictly more consistent than every other candidate (a file
/// without `;`, `,` and tabs but with `"nm" "nmqm" "wfl"` columns). A file with one column
/// and no separator at all is [`Separator::Semicolon`].
pub fn sniff_separator(text: &str) -> Separator {
    let lines = sniff_lines(text);
    let score = |f: fn(&LineCounts) -> usize| consistency(lines.iter().map(f));
    let candidates = [
        (Separator::Semicolon, score(|c| c.semicolon)),
        (Separator::Tab, score(|c| c.tab)),
        (Separator::Comma, score(|c| c.comma)),
    ];
    let mut best = candidates[0];
    for cand in &candidates[1..] {
        if cand.1 > best.1 {
            best = *cand;
        }
    }
    let whitespace = score(|c| c.gaps);
    if whitespace > best.1 {
        return Separator::Whitespace;
    }
    if best.1 == 0 {
        return Separator::Semicolon;
    }
    best.0
}

/// The number of lines that share the most frequent non-zero count.
fn consistency(counts: impl Iterator<Item = usize>) -> usize {
    let mut freq: Vec<(usize, usize)> = Vec::new();
    for c in counts.filter(|&c| c > 0) {
        match freq.iter_mut().find(|(v, _)| *v == c) {
            Some((_, n)) => *n += 1,
            None => freq.push((c, 1)),
        }
    }
    freq.iter().map(|&(_, n)| n).max().unwrap_or(0)
}

fn sniff_lines(text: &str) -> Vec<LineCounts> {
    let mut lines = Vec::new();
    let mut counts = LineCounts::default();
    let mut has_content = false;
    let mut in_quote = false;
    let mut field_start = true;
    let mut in_token = false;
    let mut pending_gap = false;
    let mut chars = text.char_indices().peekable();
    while let Some((offset, c)) = chars.next() {
        if offset > SNIFF_BYTES || lines.len() >= SNIFF_LINES {
            break;
        }
        if in_quote {
            if c == '"' {
                if chars.peek().is_some_and(|&(_, n)| n == '"') {
                    chars.next();
                } else {
                    in_quote = false;
                }
            }
            continue;
        }
        let lone_cr = c == '\r' && chars.peek().is_none_or(|&(_, n)| n != '\n');
        match c {
            '\n' | '\r' if c == '\n' || lone_cr => {
                if has_content {
                    lines.push(counts);
                }
                counts = LineCounts::default();
                has_content = false;
                field_start = true;
                in_token = false;
                pending_gap = false;
            }
            '\r' => {}
            ' ' | '\t' => {
                if c == '\t' {
                    counts.tab += 1;
                }
                if in_token {
                    pending_gap = true;
                }
                field_start = true;
            }
            _ => {
                has_content = true;
                if pending_gap {
                    counts.gaps += 1;
                    pending_gap = false;
                }
                in_token = true;
                match c {
                    ';' => {
                        counts.semicolon += 1;
                        field_start = true;
                    }
                    ',' => {
                        counts.comma += 1;
                        field_start = true;
                    }
                    '"' if field_start => {
                        in_quote = true;
                        field_start = false;
                    }
                    _ => field_start = false,
                }
            }
        }
    }
    if has_content && lines.len() < SNIFF_LINES {
        lines.push(counts);
    }
    lines
}

/// A streaming reader of CSV/TXT files, see the module documentation.
#[derive(Debug)]
pub struct CsvReader {
    name: String,
    encoding: TextEncoding,
    separator: Separator,
    total: u64,
    source: Source,
    /// Line of the last character of the previous record (0 before the first).
    last_end_line: u32,
    /// Blank lines `from..to` still to be returned before `waiting` (a range, so a file of
    /// millions of blank lines takes no memory).
    blank: std::ops::Range<u32>,
    /// The record waiting behind the blank lines.
    waiting: Option<RawRow>,
    done: bool,
}

/// A record before blank-line bookkeeping: first line, last line, cells.
type Record = (u32, u32, Vec<RawCell>);

/// What the sources report about a record's raw text for the checks in
/// [`CsvReader::next_record`].
#[derive(Debug, Default, Clone, Copy)]
struct RecordCheck {
    /// Bytes of the record's text.
    bytes: usize,
    /// Line of the first quote that opens a field spanning lines, if any.
    quote_line: Option<u32>,
    /// Line of a quote still open at the end of the file.
    open_quote: Option<u32>,
}

/// Scans a record's raw text as the CSV parser reads it (a quote opens a quoted field only at
/// the start of a field, `""` inside is an escaped quote): the offset of the first quote whose
/// field spans a line break, and of a quote still open at the end.
fn scan_quotes(raw: &[u8], delimiter: u8) -> (Option<usize>, Option<usize>) {
    let mut in_quote = false;
    let mut field_start = true;
    let mut opened = 0;
    let mut spanning = None;
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        if in_quote {
            if b == b'"' {
                if raw.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    in_quote = false;
                }
            } else if matches!(b, b'\n' | b'\r') && spanning.is_none() {
                spanning = Some(opened);
            }
        } else if b == b'"' && field_start {
            in_quote = true;
            opened = i;
            field_start = false;
        } else {
            field_start = b == delimiter || matches!(b, b'\n' | b'\r');
        }
        i += 1;
    }
    (spanning, in_quote.then_some(opened))
}

#[derive(Debug)]
enum Source {
    Csv(CsvSource),
    Whitespace(WhitespaceSource),
}

impl CsvReader {
    /// Opens and decodes a file; the separator is sniffed.
    pub fn open(path: &Path) -> Result<CsvReader, ImportError> {
        let shown = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| ImportError::Unreadable {
            detail: io_detail(&e),
            path: shown.clone(),
        })?;
        CsvReader::from_bytes(bytes, &shown)
    }

    /// Reads from bytes already in memory; `display_name` appears in messages.
    pub fn from_bytes(bytes: Vec<u8>, display_name: &str) -> Result<CsvReader, ImportError> {
        CsvReader::from_bytes_with(bytes, display_name, None)
    }

    /// Like [`CsvReader::from_bytes`], with the separator given by the user (`None`: sniff).
    pub fn from_bytes_with(
        bytes: Vec<u8>,
        display_name: &str,
        separator: Option<Separator>,
    ) -> Result<CsvReader, ImportError> {
        if bytes.is_empty() {
            return Err(ImportError::Empty {
                detail: format!("Die Datei ist leer (0 Byte): {display_name}"),
            });
        }
        if let Some(kind) = binary_kind(&bytes) {
            return Err(ImportError::Unreadable {
                detail: format!("Die Datei ist keine Textdatei, sondern {kind}"),
                path: display_name.to_string(),
            });
        }
        // Plain UTF-8 (the common case) is taken over without a copy.
        let (text, encoding) = match String::from_utf8(bytes) {
            Ok(text) if !text.starts_with('\u{feff}') => (text, TextEncoding::Utf8),
            Ok(text) => decode(text.as_bytes()),
            Err(e) => decode(e.as_bytes()),
        };
        if text.trim().is_empty() {
            return Err(ImportError::Empty {
                detail: format!("Die Datei enthält nur Leerzeichen und Leerzeilen: {display_name}"),
            });
        }
        let separator = separator.unwrap_or_else(|| sniff_separator(&text));
        let total = text.len() as u64;
        let source = match separator.byte() {
            Some(delimiter) => Source::Csv(CsvSource::new(text, delimiter)),
            None => Source::Whitespace(WhitespaceSource::new(text)),
        };
        Ok(CsvReader {
            name: display_name.to_string(),
            encoding,
            separator,
            total,
            source,
            last_end_line: 0,
            blank: 0..0,
            waiting: None,
            done: false,
        })
    }

    /// The encoding the file was read with.
    pub fn encoding(&self) -> TextEncoding {
        self.encoding
    }

    /// The separator used.
    pub fn separator(&self) -> Separator {
        self.separator
    }

    fn next_record(&mut self) -> Result<Option<Record>, ImportError> {
        let (record, check) = match &mut self.source {
            Source::Csv(s) => s.next_record().map_err(|e| ImportError::Unreadable {
                detail: format!("Lesefehler nach Zeile {} ({e})", self.last_end_line),
                path: self.name.clone(),
            })?,
            Source::Whitespace(s) => s.next_record(),
        };
        if let Some((start, end, _)) = &record {
            // A quote left open on the last line swallows nothing: its field keeps the text.
            if let Some(open) = check.open_quote
                && *end > open
            {
                return Err(unclosed_quote(&self.name, open, *end, true));
            }
            if let Some(open) = check.quote_line
                && end.saturating_sub(*start) >= MAX_RECORD_LINES
            {
                return Err(unclosed_quote(&self.name, open, *end, false));
            }
            if check.bytes > MAX_RECORD_BYTES {
                return Err(overlong_record(&self.name, *start, check.bytes));
            }
        }
        Ok(record)
    }
}

impl RowReader for CsvReader {
    fn next_row(&mut self) -> Result<Option<RawRow>, ImportError> {
        if let Some(line) = self.blank.next() {
            return Ok(Some(RawRow {
                line,
                cells: vec![RawCell::Empty],
            }));
        }
        if let Some(row) = self.waiting.take() {
            return Ok(Some(row));
        }
        if self.done {
            return Ok(None);
        }
        let Some((start, end, cells)) = self.next_record()? else {
            self.done = true;
            return Ok(None);
        };
        // Blank lines between the previous record and this one become rows of one empty cell.
        let first_blank = self.last_end_line.saturating_add(1);
        self.last_end_line = end.max(start);
        let row = RawRow { line: start, cells };
        if first_blank < start {
            self.blank = first_blank + 1..start;
            self.waiting = Some(row);
            return Ok(Some(RawRow {
                line: first_blank,
                cells: vec![RawCell::Empty],
            }));
        }
        Ok(Some(row))
    }

    /// Bytes of the decoded text consumed so far, and its total size (for UTF-8 files the file
    /// size without BOM).
    fn progress(&self) -> Option<(u64, u64)> {
        let done = if self.done && self.blank.is_empty() && self.waiting.is_none() {
            self.total
        } else {
            match &self.source {
                Source::Csv(s) => s.reader.position().byte(),
                Source::Whitespace(s) => s.pos as u64,
            }
        };
        Some((done.min(self.total), self.total))
    }
}

/// German description of an I/O error.
fn io_detail(e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::NotFound => "Datei nicht gefunden".to_string(),
        ErrorKind::PermissionDenied => "Zugriff verweigert".to_string(),
        ErrorKind::IsADirectory => "Der Pfad ist ein Ordner, keine Datei".to_string(),
        ErrorKind::OutOfMemory => "Nicht genug Arbeitsspeicher für diese Datei".to_string(),
        ErrorKind::InvalidFilename => "Ungültiger Dateiname".to_string(),
        _ => format!("Lesefehler ({e})"),
    }
}

/// Recognises files that are clearly not text.
fn binary_kind(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"PK\x03\x04") {
        return Some(
            "ein ZIP-Archiv (z. B. eine xlsx- oder ods-Arbeitsmappe mit falscher Dateiendung)",
        );
    }
    if bytes.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        return Some("eine alte Excel-Arbeitsmappe (xls) mit falscher Dateiendung");
    }
    if bytes.starts_with(b"%PDF") {
        return Some("ein PDF-Dokument");
    }
    let utf16 = bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF");
    let head = &bytes[..bytes.len().min(64 * 1024)];
    if !utf16 && head.contains(&0) {
        return Some("eine Binärdatei (sie enthält Nullbytes; UTF-16 ohne BOM wird nicht erkannt)");
    }
    None
}

/// Converts one field to a cell: empty → [`RawCell::Empty`], else text as it is.
fn cell_from(field: &[u8]) -> RawCell {
    if field.is_empty() {
        RawCell::Empty
    } else {
        RawCell::Text(String::from_utf8_lossy(field).into_owned())
    }
}

fn to_line(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Counts line breaks incrementally: the 1-based line of a byte offset, for offsets that only
/// grow. `\r\n`, `\n` and a lone `\r` each end a line, as in editors.
#[derive(Debug, Default)]
struct LineCounter {
    offset: usize,
    breaks: usize,
}

impl LineCounter {
    fn line_at(&mut self, text: &[u8], offset: usize) -> u32 {
        let offset = offset.min(text.len());
        if offset < self.offset {
            self.offset = 0;
            self.breaks = 0;
        }
        for i in self.offset..offset {
            if is_line_break(text, i) {
                self.breaks += 1;
            }
        }
        self.offset = offset;
        to_line(self.breaks + 1)
    }
}

/// True if the byte at `i` ends a line: `\n`, or `\r` not followed by `\n`.
fn is_line_break(text: &[u8], i: usize) -> bool {
    match text.get(i) {
        Some(b'\n') => true,
        Some(b'\r') => text.get(i + 1) != Some(&b'\n'),
        _ => false,
    }
}

/// `;`, `,` and tab files through the `csv` crate.
#[derive(Debug)]
struct CsvSource {
    reader: csv::Reader<Cursor<Vec<u8>>>,
    record: csv::ByteRecord,
    lines: LineCounter,
    delimiter: u8,
}

impl CsvSource {
    fn new(text: String, delimiter: u8) -> CsvSource {
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .quote(b'"')
            .double_quote(true)
            .from_reader(Cursor::new(text.into_bytes()));
        CsvSource {
            reader,
            record: csv::ByteRecord::new(),
            lines: LineCounter::default(),
            delimiter,
        }
    }

    fn next_record(&mut self) -> Result<(Option<Record>, RecordCheck), csv::Error> {
        // With an in-memory reader, flexible records and byte records the csv crate reports no
        // errors; should one occur anyway, it is passed on, not swallowed.
        if !self.reader.read_byte_record(&mut self.record)? {
            return Ok((None, RecordCheck::default()));
        }
        let scan_from = self
            .record
            .position()
            .map_or(0, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX));
        let after = usize::try_from(self.reader.position().byte()).unwrap_or(usize::MAX);
        let text: &[u8] = self.reader.get_ref().get_ref();
        // The csv crate skips blank lines before a record: the record starts at the first byte
        // that is not a line break.
        let mut start = scan_from.min(text.len());
        while start < text.len() && matches!(text[start], b'\r' | b'\n') {
            start += 1;
        }
        let mut end = after.min(text.len());
        while end > start && matches!(text[end - 1], b'\r' | b'\n') {
            end -= 1;
        }
        let start_line = self.lines.line_at(text, start);
        let mut check = RecordCheck {
            bytes: end.saturating_sub(start),
            ..RecordCheck::default()
        };
        // Quotes matter only where the record spans lines; an overlong record is refused
        // without looking at its cells.
        let raw = &text[start..end.max(start)];
        if memchr::memchr(b'"', raw).is_some() {
            let (spanning, open) = scan_quotes(raw, self.delimiter);
            let mut lines = LineCounter::default();
            let mut line_of =
                |offset: usize| start_line.saturating_add(lines.line_at(raw, offset) - 1);
            check.quote_line = spanning.map(&mut line_of);
            let at_end = after >= text.len();
            check.open_quote = open.filter(|_| at_end).map(&mut line_of);
        }
        let end_line = if end > start {
            self.lines.line_at(text, end - 1)
        } else {
            start_line
        };
        if check.bytes > MAX_RECORD_BYTES || check.open_quote.is_some_and(|l| l < end_line) {
            return Ok((Some((start_line, end_line, Vec::new())), check));
        }
        let cells = if self.record.is_empty() {
            vec![RawCell::Empty]
        } else {
            self.record.iter().map(cell_from).collect()
        };
        Ok((Some((start_line, end_line, cells)), check))
    }
}

/// Blank-separated files: runs of spaces/tabs separate fields, double quotes group (with `""`
/// as an escaped quote), a line break outside quotes ends the record.
#[derive(Debug)]
struct WhitespaceSource {
    text: String,
    pos: usize,
    line: usize,
}

impl WhitespaceSource {
    fn new(text: String) -> WhitespaceSource {
        WhitespaceSource {
            text,
            pos: 0,
            line: 1,
        }
    }

    fn next_record(&mut self) -> (Option<Record>, RecordCheck) {
        let bytes = self.text.as_bytes();
        let mut check = RecordCheck::default();
        let n = bytes.len();
        // Blanks inside a line: spaces, tabs and the `\r` of a `\r\n`.
        let is_blank = |i: usize| match bytes[i] {
            b' ' | b'\t' => true,
            b'\r' => !is_line_break(bytes, i),
            _ => false,
        };
        let mut i = self.pos;
        // Skip blank lines (the caller turns the gap into blank rows).
        loop {
            while i < n && is_blank(i) {
                i += 1;
            }
            if i >= n {
                self.pos = n;
                return (None, check);
            }
            if is_line_break(bytes, i) {
                self.line += 1;
                i += 1;
                continue;
            }
            break;
        }
        let start_line = to_line(self.line);
        let record_start = i;
        let mut cells = Vec::new();
        loop {
            // One field.
            let mut field: Vec<u8> = Vec::new();
            if bytes[i] == b'"' {
                let open_line = to_line(self.line);
                let mut closed = false;
                i += 1;
                while i < n {
                    match bytes[i] {
                        b'"' if i + 1 < n && bytes[i + 1] == b'"' => {
                            field.push(b'"');
                            i += 2;
                        }
                        b'"' => {
                            i += 1;
                            closed = true;
                            break;
                        }
                        b => {
                            if is_line_break(bytes, i) {
                                self.line += 1;
                                check.quote_line.get_or_insert(open_line);
                            }
                            field.push(b);
                            i += 1;
                        }
                    }
                }
                if !closed {
                    check.open_quote = Some(open_line);
                }
            }
            while i < n && !is_blank(i) && !is_line_break(bytes, i) {
                field.push(bytes[i]);
                i += 1;
            }
            cells.push(cell_from(&field));
            while i < n && is_blank(i) {
                i += 1;
            }
            if i >= n {
                break;
            }
            if is_line_break(bytes, i) {
                let end_line = to_line(self.line);
                self.line += 1;
                self.pos = i + 1;
                check.bytes = i - record_start;
                return (Some((start_line, end_line, cells)), check);
            }
        }
        self.pos = n;
        check.bytes = n - record_start;
        // A final line break reached here lies inside a quoted field: the record ends on the
        // line before it, as an editor shows it.
        let end_line = if n > 0 && is_line_break(bytes, n - 1) {
            self.line.saturating_sub(1).max(1)
        } else {
            self.line
        };
        (Some((start_line, to_line(end_line), cells)), check)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(input: &str) -> Vec<(u32, Vec<String>)> {
        let mut r = CsvReader::from_bytes(input.as_bytes().to_vec(), "test.csv").unwrap();
        let mut out = Vec::new();
        while let Some(row) = r.next_row().unwrap() {
            out.push((row.line, row.cells.iter().map(RawCell::display).collect()));
        }
        out
    }

    fn r(line: u32, cells: &[&str]) -> (u32, Vec<String>) {
        (line, cells.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn sniffing() {
        assert_eq!(sniff_separator("a;b;c\n1;2,5;3\n"), Separator::Semicolon);
        assert_eq!(sniff_separator("a,b,c\n1,2.5,3\n"), Separator::Comma);
        assert_eq!(sniff_separator("a\tb c\n1\t2 x\n"), Separator::Tab);
        assert_eq!(
            sniff_separator("\"nm\" \"wfl\" \"bez\"\n608.4 48 \"Au, Haidhausen\"\n"),
            Separator::Whitespace
        );
        assert_eq!(sniff_separator("Name\nKöln\n"), Separator::Semicolon);
        assert_eq!(sniff_separator("a,b\r1,2\r3;4\r"), Separator::Comma);
        assert_eq!(
            sniff_separator("a,b\n\"x;y;z\",1\n\"u;v;w\",2\n"),
            Separator::Comma
        );
        assert_eq!(
            sniff_separator("a;b\n1;2\n3;4\n5,6\n"),
            Separator::Semicolon
        );
    }

    #[test]
    fn blank_lines_and_line_numbers() {
        assert_eq!(
            rows("a;b\n\n1;2\n\n\n"),
            vec![r(1, &["a", "b"]), r(2, &[""]), r(3, &["1", "2"])]
        );
        assert_eq!(
            rows("\r\na;b\r\n\r\n1;\"x\r\ny\"\r\n2;z\r\n"),
            vec![
                r(1, &[""]),
                r(2, &["a", "b"]),
                r(3, &[""]),
                r(4, &["1", "x\r\ny"]),
                r(6, &["2", "z"]),
            ]
        );
        assert_eq!(
            rows("a;b\r1;2\r"),
            vec![r(1, &["a", "b"]), r(2, &["1", "2"])]
        );
    }

    #[test]
    fn whitespace_files() {
        let input = "\"nm\" \"wfl\" \"bez\"\n608.4  48\t\"Au Haidhausen\"\n\n500 58 \"a\"\"b\"\n";
        let mut reader = CsvReader::from_bytes(input.as_bytes().to_vec(), "m.txt").unwrap();
        assert_eq!(reader.separator(), Separator::Whitespace);
        let mut got = Vec::new();
        while let Some(row) = reader.next_row().unwrap() {
            got.push((row.line, row.cells.iter().map(RawCell::display).collect()));
        }
        assert_eq!(
            got,
            vec![
                r(1, &["nm", "wfl", "bez"]),
                r(2, &["608.4", "48", "Au Haidhausen"]),
                r(3, &[""]),
                r(4, &["500", "58", "a\"b"]),
            ]
        );
        assert_eq!(
            reader.progress(),
            Some((input.len() as u64, input.len() as u64))
        );
    }

    #[test]
    fn encodings() {
        assert_eq!(decode(b"a;b").1, TextEncoding::Utf8);
        assert_eq!(
            decode(b"\xEF\xBB\xBFa;b"),
            ("a;b".to_string(), TextEncoding::Utf8Bom)
        );
        assert_eq!(
            decode(b"D\xFCren;Gr\xF6\xDFe"),
            ("Düren;Größe".to_string(), TextEncoding::Windows1252)
        );
        assert_eq!(
            decode(b"\xFF\xFEa\0;\0\xFC\0"),
            ("a;ü".to_string(), TextEncoding::Utf16Le)
        );
        assert_eq!(decode(b"\x80").0, "€");
    }

    #[test]
    fn errors() {
        assert!(matches!(
            CsvReader::from_bytes(Vec::new(), "x.csv"),
            Err(ImportError::Empty { .. })
        ));
        assert!(matches!(
            CsvReader::from_bytes(b"\n\r\n  \n".to_vec(), "x.csv"),
            Err(ImportError::Empty { .. })
        ));
        assert!(matches!(
            CsvReader::from_bytes(b"PK\x03\x04rest".to_vec(), "x.csv"),
            Err(ImportError::Unreadable { .. })
        ));
        match CsvReader::open(Path::new("/nonexistent/dir/x.csv")) {
            Err(ImportError::Unreadable { detail, .. }) => {
                assert_eq!(detail, "Datei nicht gefunden")
            }
            other => panic!("{other:?}"),
        }
    }
}
