//! The fast reader for the cells of one xlsx/xlsm worksheet.
//!
//! calamine's streaming reader spends about nine tenths of its time in a general XML parser. A
//! worksheet's `<sheetData>` uses a small, fixed part of XML, so this reader scans the inflated
//! stream with `memchr` and a few byte comparisons instead (about three times faster, see
//! `BENCHMARKS.md`). It reads the parts it needs itself: the package and workbook
//! relationships, the sheet list, the 1904 flag, the shared strings and the number formats of
//! the cell styles. Cell values follow calamine's rules (`tests/xlsx_engines.rs` compares both
//! readers on generated, hand-written and real workbooks). Where calamine refuses the sheet, this
//! reader reads on and keeps what is written: an unknown cell type, a boolean `2`, a non-numeric
//! `t="n"` value and error values calamine does not know (`#SPILL!`, `#CALC!`) keep their text,
//! unknown entities stay as written, an unknown child of a cell (`<extLst>`) is skipped, and an
//! unparsable `<dimension>` only leaves the progress total open. Where a `<v>` holds more than one
//! text node (CDATA, character references), this reader takes all of it as XML says; calamine
//! takes the first node only.
//!
//! [`Workbook::open`] returns `None` for anything unexpected in the package; the caller then
//! reads the file with calamine, which also gives the proper German message for damaged files.
//!
//! Memory stays bounded whatever the package holds: character data is handed on in pieces
//! (padding between elements never accumulates), a single tag may take at most [`MAX_TOKEN`],
//! a cell text [`MAX_TEXT`] and all shared strings [`MAX_STRINGS_BYTES`]. Beyond these the
//! reader fails with `too_large`, and the caller refuses the file instead of handing it to
//! calamine. (`workbook::check_package` has already refused parts that inflate beyond their
//! limits before this reader starts.)

use super::raw::RawCell;
use crate::model::Date;
use memchr::{memchr, memchr2, memmem};
use std::collections::HashMap;
use std::io::{Read, Seek};
use std::ops::Range;

/// A damaged part found while reading cells (technical detail for the message), or a part
/// that exceeds a size limit.
#[derive(Debug)]
pub(super) struct Malformed {
    /// What is wrong (German).
    pub(super) detail: String,
    /// A size limit was exceeded ([`MAX_TOKEN`], [`MAX_TEXT`], [`MAX_STRINGS_BYTES`]): the
    /// caller must refuse the file, not hand it to calamine, which would buffer even more.
    pub(super) too_large: bool,
}

impl From<std::io::Error> for Malformed {
    fn from(e: std::io::Error) -> Malformed {
        malformed(&format!("Lesefehler beim Entpacken ({e})"))
    }
}

fn malformed(detail: &str) -> Malformed {
    Malformed {
        detail: detail.to_string(),
        too_large: false,
    }
}

fn too_large(detail: String) -> Malformed {
    Malformed {
        detail,
        too_large: true,
    }
}

/// The largest single XML token (a start tag, a CDATA section, a comment) the scanner buffers.
/// Character data is handed on in pieces and never needs more.
const MAX_TOKEN: usize = 64 << 20;

/// The longest text of one cell or shared string, in bytes. Excel allows 32 767 characters.
const MAX_TEXT: usize = 4 << 20;

/// The memory all shared strings may take (text plus the bookkeeping of each string).
const MAX_STRINGS_BYTES: usize = 192 << 20;

// ---------------------------------------------------------------------------------------------
// The XML scanner

/// Size of the first read buffer; it grows when a single token is larger.
const CHUNK: usize = 1 << 17;

/// One XML token; ranges point into the scanner's buffer and are valid until the next call.
#[derive(Debug, Clone, PartialEq)]
enum Tok {
    /// `<name attrs>` or `<name attrs/>` (`empty`).
    Start {
        name: Range<usize>,
        attrs: Range<usize>,
        empty: bool,
    },
    /// `</name>`.
    End { name: Range<usize> },
    /// Character data as written (entities not yet resolved).
    Text(Range<usize>),
    /// The content of a CDATA section.
    CData(Range<usize>),
    /// The end of the input.
    Eof,
}

/// A pull scanner over an XML byte stream. It does not check well-formedness beyond what it
/// needs; comments, processing instructions and declarations are skipped.
struct Scanner<R> {
    src: R,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    eof: bool,
}

/// Result of looking at the bytes from `pos`: a token, something skipped, or more input needed.
enum Look {
    Tok(Tok),
    Skipped,
    Incomplete,
}

impl<R: Read> Scanner<R> {
    fn new(src: R) -> Scanner<R> {
        Scanner {
            src,
            buf: vec![0; CHUNK],
            pos: 0,
            end: 0,
            eof: false,
        }
    }

    /// The bytes of a range returned by [`Scanner::next`].
    fn bytes(&self, r: &Range<usize>) -> &[u8] {
        self.buf.get(r.clone()).unwrap_or_default()
    }

    /// Reads more input behind the unread bytes; false if nothing more came.
    fn more(&mut self) -> Result<bool, Malformed> {
        if self.eof {
            return Ok(false);
        }
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.pos = 0;
        }
        if self.end == self.buf.len() {
            if self.buf.len() >= MAX_TOKEN {
                return Err(too_large(format!(
                    "ein einzelnes XML-Element ist größer als {} MB",
                    MAX_TOKEN >> 20
                )));
            }
            let grown = self.buf.len() * 2;
            self.buf.resize(grown, 0);
        }
        let before = self.end;
        while self.end < self.buf.len() {
            match self.src.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(n) => self.end += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(self.end > before)
    }

    /// The next token.
    fn next(&mut self) -> Result<Tok, Malformed> {
        loop {
            let look = self.look();
            match look {
                Look::Tok(t) => return Ok(t),
                Look::Skipped => {}
                // At the end of the input, `look` has returned trailing text already.
                Look::Incomplete if self.eof => {
                    if self.pos == self.end {
                        return Ok(Tok::Eof);
                    }
                    return Err(malformed("XML-Datei endet mitten in einem Element"));
                }
                Look::Incomplete => {
                    self.more()?;
                }
            }
        }
    }

    fn look(&mut self) -> Look {
        let avail = &self.buf[self.pos..self.end];
        let Some(&first) = avail.first() else {
            return Look::Incomplete;
        };
        if first != b'<' {
            let len = match memchr(b'<', avail) {
                Some(i) => i,
                None if self.eof => avail.len(),
                // Long character data (padding of a "zip bomb", a huge cell text) is handed on
                // in pieces, so the buffer does not grow with it.
                None if avail.len() >= CHUNK / 2 => match text_cut(avail) {
                    0 => return Look::Incomplete,
                    cut => cut,
                },
                None => return Look::Incomplete,
            };
            let r = self.pos..self.pos + len;
            self.pos += len;
            return Look::Tok(Tok::Text(r));
        }
        let Some(&second) = avail.get(1) else {
            return Look::Incomplete;
        };
        match second {
            b'/' => {
                let Some(close) = memchr(b'>', avail) else {
                    return Look::Incomplete;
                };
                let name = trim_range(avail, 2..close);
                let r = self.pos + name.start..self.pos + name.end;
                self.pos += close + 1;
                Look::Tok(Tok::End { name: r })
            }
            b'?' => self.skip_past(b"?>"),
            b'!' => {
                if avail.starts_with(b"<!--") {
                    self.skip_past(b"-->")
                } else if avail.starts_with(b"<![CDATA[") {
                    let body = &avail[9..];
                    let Some(close) = memmem::find(body, b"]]>") else {
                        return Look::Incomplete;
                    };
                    let r = self.pos + 9..self.pos + 9 + close;
                    self.pos += 9 + close + 3;
                    Look::Tok(Tok::CData(r))
                } else if avail.len() < 9
                    && (b"<![CDATA[".starts_with(avail) || b"<!--".starts_with(avail))
                {
                    Look::Incomplete
                } else {
                    self.skip_past(b">")
                }
            }
            _ => {
                // Find the closing '>' outside quoted attribute values.
                let mut quote = 0u8;
                let mut close = None;
                for (i, &b) in avail.iter().enumerate().skip(1) {
                    if quote != 0 {
                        if b == quote {
                            quote = 0;
                        }
                    } else if b == b'"' || b == b'\'' {
                        quote = b;
                    } else if b == b'>' {
                        close = Some(i);
                        break;
                    }
                }
                let Some(close) = close else {
                    return Look::Incomplete;
                };
                let empty = avail[close - 1] == b'/';
                let inner_end = if empty { close - 1 } else { close };
                let name_end = avail[1..inner_end]
                    .iter()
                    .position(|b| b.is_ascii_whitespace())
                    .map_or(inner_end, |i| i + 1);
                let tok = Tok::Start {
                    name: self.pos + 1..self.pos + name_end,
                    attrs: self.pos + name_end..self.pos + inner_end,
                    empty,
                };
                self.pos += close + 1;
                Look::Tok(tok)
            }
        }
    }

    /// Skips up to and including `pattern`.
    fn skip_past(&mut self, pattern: &[u8]) -> Look {
        let avail = &self.buf[self.pos..self.end];
        match memmem::find(avail, pattern) {
            Some(i) => {
                self.pos += i + pattern.len();
                Look::Skipped
            }
            None => Look::Incomplete,
        }
    }

    /// True if the unread input starts with an end tag (as far as it is buffered).
    fn at_end_tag(&self) -> bool {
        self.buf.get(self.pos..self.pos + 2) == Some(b"</")
    }

    /// Skips the content of an element whose start tag was just read, up to its end tag.
    fn skip_element(&mut self) -> Result<(), Malformed> {
        let mut depth = 1usize;
        loop {
            match self.next()? {
                Tok::Start { empty: false, .. } => depth += 1,
                Tok::End { .. } => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(());
                    }
                }
                Tok::Eof => return Err(malformed("XML-Element nicht abgeschlossen")),
                _ => {}
            }
        }
    }

    /// The text of an element whose start tag was just read (entities resolved, line ends
    /// normalised), up to its end tag; nested elements are skipped.
    fn element_text(&mut self, out: &mut String) -> Result<(), Malformed> {
        loop {
            match self.next()? {
                Tok::Text(r) => {
                    push_text(self.bytes(&r), out)?;
                    check_text(out)?;
                }
                Tok::CData(r) => {
                    push_cdata(self.bytes(&r), out)?;
                    check_text(out)?;
                }
                Tok::Start { empty: false, .. } => self.skip_element()?,
                Tok::End { .. } => return Ok(()),
                Tok::Eof => return Err(malformed("XML-Element nicht abgeschlossen")),
                Tok::Start { .. } => {}
            }
        }
    }

    /// A string item (`<si>` of the shared strings, `<is>` of an inline string cell) whose start
    /// tag was just read: the texts of its `<t>` elements outside phonetic runs (`<rPh>`),
    /// trimmed unless `xml:space="preserve"`, with `_xHHHH_` escapes resolved – as calamine
    /// and Excel read them.
    fn string_item(&mut self, out: &mut String) -> Result<(), Malformed> {
        let mut depth = 1usize;
        let mut phonetic_depth: Option<usize> = None;
        let mut text = String::new();
        loop {
            match self.next()? {
                Tok::Start { name, attrs, empty } => {
                    let local = local_name(self.bytes(&name));
                    if local == b"t" && phonetic_depth.is_none() {
                        let preserve = attr(self.bytes(&attrs), b"xml:space") == Some(b"preserve");
                        text.clear();
                        if !empty {
                            self.element_text(&mut text)?;
                        }
                        let kept = if preserve {
                            text.as_str()
                        } else {
                            text.trim_matches([' ', '\t', '\r', '\n'])
                        };
                        push_excel_unescaped(kept, out);
                        check_text(out)?;
                    } else if !empty {
                        depth += 1;
                        if local == b"rPh" && phonetic_depth.is_none() {
                            phonetic_depth = Some(depth);
                        }
                    }
                }
                Tok::End { .. } => {
                    if phonetic_depth == Some(depth) {
                        phonetic_depth = None;
                    }
                    depth -= 1;
                    if depth == 0 {
                        return Ok(());
                    }
                }
                Tok::Eof => return Err(malformed("Zeichenkette nicht abgeschlossen")),
                Tok::Text(_) | Tok::CData(_) => {}
            }
        }
    }
}

/// Refuses a cell text or shared string longer than [`MAX_TEXT`].
fn check_text(text: &str) -> Result<(), Malformed> {
    if text.len() > MAX_TEXT {
        return Err(too_large(format!(
            "eine Zelle enthält mehr als {} MB Text (Excel erlaubt 32.767 Zeichen je Zelle)",
            MAX_TEXT >> 20
        )));
    }
    Ok(())
}

/// Where character data without its end may be cut so both pieces decode as the whole would:
/// not inside a UTF-8 sequence, an entity reference or a `\r\n`. 0 if there is no such place.
fn text_cut(text: &[u8]) -> usize {
    // The bytes after `text` may continue a UTF-8 sequence: keep the last few back.
    let mut cut = text.len().saturating_sub(4);
    if let Some(amp) = memchr::memrchr(b'&', &text[..cut])
        && memchr(b';', &text[amp..cut]).is_none()
    {
        cut = amp;
    }
    while cut > 0 && (text[cut - 1] == b'\r' || (text[cut] & 0xC0) == 0x80) {
        cut -= 1;
    }
    cut
}

/// The range without leading and trailing ASCII whitespace.
fn trim_range(bytes: &[u8], r: Range<usize>) -> Range<usize> {
    let mut start = r.start;
    let mut end = r.end.min(bytes.len());
    while start < end && bytes[start].is_ascii_whitespace() {
        start += 1;
    }
    while end > start && bytes[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    start..end
}

/// The local part of a qualified name (`x:c` → `c`).
fn local_name(name: &[u8]) -> &[u8] {
    match memchr::memrchr(b':', name) {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

/// Iterates over the attributes of a start tag as (qualified name, raw value).
fn attributes(mut s: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    std::iter::from_fn(move || {
        let start = s.iter().position(|b| !b.is_ascii_whitespace())?;
        s = &s[start..];
        let eq = memchr(b'=', s)?;
        let name = &s[..trim_range(s, 0..eq).end];
        let rest = &s[eq + 1..];
        let q = rest.iter().position(|b| !b.is_ascii_whitespace())?;
        let quote = *rest.get(q)?;
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        let value_start = q + 1;
        let len = memchr(quote, &rest[value_start..])?;
        let value = &rest[value_start..value_start + len];
        s = &rest[value_start + len + 1..];
        Some((name, value))
    })
}

/// The raw value of the attribute with this qualified name (or, for unprefixed `name`s, local
/// name).
fn attr<'a>(attrs: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    attributes(attrs)
        .find(|(n, _)| *n == name || (!name.contains(&b':') && local_name(n) == name))
        .map(|(_, v)| v)
}

/// An attribute value as text (entities resolved).
fn attr_text(attrs: &[u8], name: &[u8]) -> Result<Option<String>, Malformed> {
    attr(attrs, name)
        .map(|v| {
            let mut s = String::new();
            push_text(v, &mut s).map(|()| s)
        })
        .transpose()
}

fn utf8(bytes: &[u8]) -> Result<&str, Malformed> {
    std::str::from_utf8(bytes).map_err(|_| malformed("ungültige UTF-8-Zeichen"))
}

/// Appends character data: entities resolved, line ends normalised to `\n` (XML 1.0 §2.11).
fn push_text(raw: &[u8], out: &mut String) -> Result<(), Malformed> {
    if memchr2(b'&', b'\r', raw).is_none() {
        out.push_str(utf8(raw)?);
        return Ok(());
    }
    let text = utf8(raw)?;
    let mut rest = text;
    while let Some(i) = rest.find(['&', '\r']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if let Some(after) = tail.strip_prefix('\r') {
            out.push('\n');
            rest = after.strip_prefix('\n').unwrap_or(after);
            continue;
        }
        let Some(semi) = tail.find(';') else {
            out.push('&');
            rest = &tail[1..];
            continue;
        };
        let entity = &tail[1..semi];
        let resolved = match entity {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .map(|h| u32::from_str_radix(h, 16))
                .or_else(|| entity.strip_prefix('#').map(str::parse::<u32>))
                .and_then(Result::ok)
                .and_then(char::from_u32),
        };
        match resolved {
            Some(c) => {
                out.push(c);
                rest = &tail[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    Ok(())
}

/// Appends the content of a CDATA section (line ends normalised).
fn push_cdata(raw: &[u8], out: &mut String) -> Result<(), Malformed> {
    let text = utf8(raw)?;
    if !text.contains('\r') {
        out.push_str(text);
    } else {
        out.push_str(&text.replace("\r\n", "\n").replace('\r', "\n"));
    }
    Ok(())
}

/// Appends text with Excel's `_xHHHH_` escapes (UTF-16 code units) resolved.
fn push_excel_unescaped(text: &str, out: &mut String) {
    fn unit_at(s: &str, i: usize) -> Option<u16> {
        let b = s.as_bytes().get(i..i + 7)?;
        if b[0] != b'_'
            || b[1] != b'x'
            || b[6] != b'_'
            || !b[2..6].iter().all(u8::is_ascii_hexdigit)
        {
            return None;
        }
        u16::from_str_radix(s.get(i + 2..i + 6)?, 16).ok()
    }
    let mut copied = 0;
    let mut search = 0;
    while let Some(off) = text[search..].find('_') {
        let i = search + off;
        let Some(unit) = unit_at(text, i) else {
            search = i + 1;
            continue;
        };
        out.push_str(&text[copied..i]);
        let mut next = i + 7;
        let c = match unit {
            0xD800..=0xDBFF => match unit_at(text, next) {
                Some(low @ 0xDC00..=0xDFFF) => {
                    next += 7;
                    char::from_u32(
                        0x10000 + ((u32::from(unit) - 0xD800) << 10) + (u32::from(low) - 0xDC00),
                    )
                }
                _ => None,
            },
            0xDC00..=0xDFFF => None,
            _ => char::from_u32(u32::from(unit)),
        };
        out.push(c.unwrap_or(char::REPLACEMENT_CHARACTER));
        copied = next;
        search = next;
    }
    out.push_str(&text[copied..]);
}

// ---------------------------------------------------------------------------------------------
// Cell references and number formats

/// Parses a cell reference (`B12`) or a row number (`12`) into 0-based (row, column); the
/// column is `None` for a bare row number.
fn parse_ref(r: &[u8]) -> Option<(u32, Option<u32>)> {
    let letters = r.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let mut col: u32 = 0;
    for &b in &r[..letters] {
        col = col
            .checked_mul(26)?
            .checked_add(u32::from(b.to_ascii_uppercase() - b'A') + 1)?;
    }
    let digits = &r[letters..];
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let row: u32 = std::str::from_utf8(digits).ok()?.parse().ok()?;
    Some((row.checked_sub(1)?, col.checked_sub(1)))
}

/// What a cell style's number format makes of a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NumberKind {
    Plain,
    DateTime,
    Duration,
}

/// The built-in number formats that are dates or times (ECMA-376 §18.8.30, as calamine).
fn builtin_kind(id: &[u8]) -> NumberKind {
    match id {
        b"14" | b"15" | b"16" | b"17" | b"18" | b"19" | b"20" | b"21" | b"22" | b"45" | b"47"
        | b"27" | b"28" | b"29" | b"30" | b"31" | b"32" | b"33" | b"34" | b"35" | b"36" | b"50"
        | b"51" | b"52" | b"53" | b"54" | b"55" | b"56" | b"57" | b"58" => NumberKind::DateTime,
        b"46" => NumberKind::Duration,
        _ => NumberKind::Plain,
    }
}

/// Whether a custom number format code shows a date, a duration (`[h]:mm`) or a number; the
/// same rules as calamine (first section only, quoted and escaped text ignored).
fn custom_kind(code: &str) -> NumberKind {
    let mut escaped = false;
    let mut quoted = false;
    let mut brackets = 0u8;
    let mut prev = ' ';
    let mut hms = false;
    let mut ap = false;
    for c in code.chars() {
        if escaped {
            escaped = false;
        } else if matches!(c, '_' | '\\' | '*') {
            escaped = true;
        } else if quoted {
            if c == '"' {
                quoted = false;
            }
        } else if c == '"' {
            quoted = true;
        } else if c == ';' {
            return NumberKind::Plain;
        } else if c == '[' {
            brackets = brackets.saturating_add(1);
        } else if c == ']' && brackets == 1 && hms {
            return NumberKind::Duration;
        } else if c == ']' {
            brackets = brackets.saturating_sub(1);
        } else if brackets == 0 && !ap && matches!(c, 'a' | 'A') {
            ap = true;
        } else if brackets == 0
            && if ap {
                matches!(c, 'p' | 'm' | '/' | 'P' | 'M')
            } else {
                matches!(c, 'd' | 'm' | 'h' | 'y' | 's' | 'D' | 'M' | 'H' | 'Y' | 'S')
            }
        {
            return NumberKind::DateTime;
        } else if !(hms && c.eq_ignore_ascii_case(&prev)) {
            hms = prev == '[' && matches!(c, 'm' | 'h' | 's' | 'M' | 'H' | 'S');
        }
        prev = c;
    }
    NumberKind::Plain
}

/// A number as a cell: dates become [`RawCell::Date`] (1900 or 1904 system), durations and
/// serials outside the calendar stay numbers.
fn number_cell(value: f64, kind: NumberKind, is_1904: bool) -> RawCell {
    if kind == NumberKind::DateTime {
        RawCell::from_date_serial(value, is_1904)
    } else {
        RawCell::Number(value)
    }
}

// ---------------------------------------------------------------------------------------------
// The workbook

/// A relationships part: Id → (Target, Type).
type Relationships = HashMap<String, (String, String)>;

/// A cell: 0-based (row, column) and value.
pub(super) type PlacedCell = ((u32, u32), RawCell);

/// An opened xlsx/xlsm package with what reading cells needs.
pub(super) struct Workbook<R: Read + Seek> {
    zip: zip::ZipArchive<R>,
    /// Lower-cased entry names → entry names (Excel treats part names case-insensitively).
    entries: HashMap<String, String>,
    /// Worksheets in workbook order: (name, part path).
    sheets: Vec<(String, String)>,
    strings: Vec<String>,
    /// Number kind per cell style (`cellXfs` index).
    kinds: Vec<NumberKind>,
    is_1904: bool,
}

impl<R: Read + Seek> Workbook<R> {
    /// Opens the package; `Ok(None)` if anything is not as expected (the caller uses
    /// calamine), an error only for a part beyond a size limit.
    pub(super) fn open(reader: R) -> Result<Option<Workbook<R>>, Malformed> {
        let Ok(zip) = zip::ZipArchive::new(reader) else {
            return Ok(None);
        };
        let mut entries = HashMap::with_capacity(zip.len());
        for name in zip.file_names() {
            let Ok(name) = name else {
                return Ok(None);
            };
            entries.insert(
                name.replace('\\', "/").to_ascii_lowercase(),
                name.into_owned(),
            );
        }
        let mut book = Workbook {
            zip,
            entries,
            sheets: Vec::new(),
            strings: Vec::new(),
            kinds: Vec::new(),
            is_1904: false,
        };
        match book.read_structure() {
            Ok(Some(())) => Ok(Some(book)),
            Err(e) if e.too_large => Err(e),
            Ok(None) | Err(_) => Ok(None),
        }
    }

    /// The worksheet names in workbook order.
    pub(super) fn sheet_names(&self) -> Vec<String> {
        self.sheets.iter().map(|(n, _)| n.clone()).collect()
    }

    /// A scanner over a part, `None` if the package has no such part.
    fn part(
        &mut self,
        path: &str,
    ) -> Result<Option<Scanner<zip::read::ZipFile<'_, R>>>, Malformed> {
        open_part(&mut self.zip, &self.entries, path)
    }

    /// Reads relationships, sheet list, 1904 flag, shared strings and number formats.
    /// `Ok(None)` where a required part is missing.
    fn read_structure(&mut self) -> Result<Option<()>, Malformed> {
        // The package relationships name the workbook part.
        let Some(rels) = self.relationships("_rels/.rels")? else {
            return Ok(None);
        };
        let Some((target, _)) = rels
            .values()
            .find(|(_, typ)| typ.ends_with("/relationships/officeDocument"))
        else {
            return Ok(None);
        };
        let target = target.trim_start_matches('/').to_string();
        let (dir, file) = target.rsplit_once('/').unwrap_or(("", target.as_str()));
        let dir = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let Some(rels) = self.relationships(&format!("{dir}_rels/{file}.rels"))? else {
            return Ok(None);
        };
        let Some(mut xml) = self.part(&target)? else {
            return Ok(None);
        };
        let mut sheets = Vec::new();
        let mut is_1904 = false;
        loop {
            match xml.next()? {
                Tok::Start { name, attrs, .. } => {
                    let a = xml.bytes(&attrs);
                    match local_name(xml.bytes(&name)) {
                        b"sheet" => {
                            let Some(sheet_name) = attr_text(a, b"name")? else {
                                return Ok(None);
                            };
                            let Some(id) = attr(a, b"id") else {
                                return Ok(None);
                            };
                            let Some((target, typ)) = rels.get(utf8(id)?) else {
                                return Ok(None);
                            };
                            if typ.rsplit('/').next() == Some("worksheet") {
                                sheets.push((sheet_name, part_path(&dir, target)));
                            }
                        }
                        b"workbookPr" => {
                            if let Some(v) = attr(a, b"date1904") {
                                is_1904 = v == b"1" || v == b"true";
                            }
                        }
                        _ => {}
                    }
                }
                Tok::Eof => break,
                _ => {}
            }
        }
        drop(xml);
        self.sheets = sheets;
        self.is_1904 = is_1904;
        // Shared strings and styles as the workbook's relationships name them (Excel's usual
        // names otherwise).
        let part_of = |kind: &str, usual: &str| {
            rels.values()
                .find(|(_, typ)| typ.rsplit('/').next() == Some(kind))
                .map_or_else(
                    || format!("{dir}{usual}"),
                    |(target, _)| part_path(&dir, target),
                )
        };
        let (strings, styles) = (
            part_of("sharedStrings", "sharedStrings.xml"),
            part_of("styles", "styles.xml"),
        );
        self.read_strings(&strings)?;
        self.read_kinds(&styles)?;
        Ok(Some(()))
    }

    /// A relationships part: Id → (Target, Type).
    fn relationships(&mut self, path: &str) -> Result<Option<Relationships>, Malformed> {
        let Some(mut xml) = self.part(path)? else {
            return Ok(None);
        };
        let mut map = HashMap::new();
        loop {
            match xml.next()? {
                Tok::Start { name, attrs, .. }
                    if local_name(xml.bytes(&name)) == b"Relationship" =>
                {
                    let a = xml.bytes(&attrs);
                    if let Some(id) = attr_text(a, b"Id")? {
                        let target = attr_text(a, b"Target")?.unwrap_or_default();
                        let typ = attr_text(a, b"Type")?.unwrap_or_default();
                        map.insert(id, (target, typ));
                    }
                }
                Tok::Eof => return Ok(Some(map)),
                _ => {}
            }
        }
    }

    /// The shared strings (none if the part is missing).
    fn read_strings(&mut self, path: &str) -> Result<(), Malformed> {
        let Some(mut xml) = self.part(path)? else {
            return Ok(());
        };
        let mut strings = Vec::new();
        let mut used = 0usize;
        loop {
            match xml.next()? {
                Tok::Start { name, attrs, empty } => match local_name(xml.bytes(&name)) {
                    b"sst" => {
                        let count = attr(xml.bytes(&attrs), b"uniqueCount")
                            .and_then(|c| std::str::from_utf8(c).ok()?.parse::<usize>().ok());
                        // A damaged count must not reserve gigabytes.
                        strings.reserve(count.unwrap_or(0).min(1 << 20));
                    }
                    b"si" => {
                        let mut s = String::new();
                        if !empty {
                            xml.string_item(&mut s)?;
                        }
                        s.shrink_to_fit();
                        used = used.saturating_add(s.len() + std::mem::size_of::<String>());
                        if used > MAX_STRINGS_BYTES {
                            return Err(too_large(format!(
                                "die gemeinsamen Zeichenketten (sharedStrings.xml) brauchen mehr \
                                 als {} MB Arbeitsspeicher",
                                MAX_STRINGS_BYTES >> 20
                            )));
                        }
                        strings.push(s);
                    }
                    _ => {}
                },
                Tok::Eof => break,
                _ => {}
            }
        }
        drop(xml);
        self.strings = strings;
        Ok(())
    }

    /// The number kind of every cell style (none if the part is missing).
    fn read_kinds(&mut self, path: &str) -> Result<(), Malformed> {
        let Some(mut xml) = self.part(path)? else {
            return Ok(());
        };
        let mut custom: HashMap<Vec<u8>, String> = HashMap::new();
        let mut kinds = Vec::new();
        let mut in_cell_xfs = false;
        loop {
            match xml.next()? {
                Tok::Start { name, attrs, .. } => {
                    let a = xml.bytes(&attrs);
                    match local_name(xml.bytes(&name)) {
                        b"numFmt" => {
                            if let (Some(id), Some(code)) =
                                (attr(a, b"numFmtId"), attr_text(a, b"formatCode")?)
                            {
                                custom.insert(id.to_vec(), code);
                            }
                        }
                        b"cellXfs" => in_cell_xfs = true,
                        b"xf" if in_cell_xfs => {
                            kinds.push(attr(a, b"numFmtId").map_or(NumberKind::Plain, |id| {
                                custom
                                    .get(id)
                                    .map_or_else(|| builtin_kind(id), |code| custom_kind(code))
                            }));
                        }
                        _ => {}
                    }
                }
                Tok::End { name } if local_name(xml.bytes(&name)) == b"cellXfs" => {
                    in_cell_xfs = false;
                }
                Tok::Eof => break,
                _ => {}
            }
        }
        drop(xml);
        self.kinds = kinds;
        Ok(())
    }

    /// Opens a worksheet's cells; `Ok(None)` if the sheet is unknown or its part is missing.
    pub(super) fn cells(&mut self, sheet: &str) -> Result<Option<SheetCells<'_, R>>, Malformed> {
        let Some(path) = self
            .sheets
            .iter()
            .find(|(n, _)| n == sheet)
            .map(|(_, p)| p.clone())
        else {
            return Ok(None);
        };
        // Only the zip is borrowed here: the cells also borrow the strings and styles.
        let Some(mut xml) = open_part(&mut self.zip, &self.entries, &path)? else {
            return Ok(None);
        };
        let mut last_line = None;
        loop {
            match xml.next()? {
                Tok::Start { name, attrs, empty } => match local_name(xml.bytes(&name)) {
                    b"dimension" => {
                        last_line = attr(xml.bytes(&attrs), b"ref").and_then(declared_last_line);
                    }
                    b"sheetData" if empty => {
                        return Ok(Some(SheetCells::done(
                            xml,
                            &self.strings,
                            &self.kinds,
                            last_line,
                        )));
                    }
                    b"sheetData" => break,
                    _ => {}
                },
                // Not a worksheet with cells: let calamine explain.
                Tok::Eof => return Ok(None),
                _ => {}
            }
        }
        Ok(Some(SheetCells {
            xml,
            strings: &self.strings,
            kinds: &self.kinds,
            is_1904: self.is_1904,
            last_line,
            row: 0,
            col: 0,
            finished: false,
            text: String::new(),
        }))
    }
}

/// A scanner over the part at `path` (case-insensitive, as Excel treats part names), `None` if
/// the package has no such part.
fn open_part<'z, R: Read + Seek>(
    zip: &'z mut zip::ZipArchive<R>,
    entries: &HashMap<String, String>,
    path: &str,
) -> Result<Option<Scanner<zip::read::ZipFile<'z, R>>>, Malformed> {
    let key = path.trim_start_matches('/').to_ascii_lowercase();
    let Some(name) = entries.get(&key) else {
        return Ok(None);
    };
    let file = zip
        .by_name(name)
        .map_err(|e| malformed(&format!("Teil {path} nicht lesbar ({e})")))?;
    Ok(Some(Scanner::new(file)))
}

/// A relationship target as a part path: absolute (`/xl/…`) or relative to the workbook's folder
/// `dir` (with its trailing slash).
fn part_path(dir: &str, target: &str) -> String {
    match target.strip_prefix('/') {
        Some(abs) => abs.to_string(),
        None => format!("{dir}{target}"),
    }
}

/// The last row (1-based) of a `<dimension ref="A1:O100003">`; unknown for a single cell.
fn declared_last_line(r: &[u8]) -> Option<u32> {
    let text = std::str::from_utf8(r).ok()?;
    let (start, end) = text.split_once(':')?;
    let (start, end) = (parse_ref(start.as_bytes())?, parse_ref(end.as_bytes())?);
    (start != end).then(|| end.0.saturating_add(1))
}

/// The `t` attribute of a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CellType {
    Number,
    Shared,
    Bool,
    Error,
    Iso,
    Str,
    Inline,
}

fn cell_type(t: Option<&[u8]>) -> CellType {
    match t {
        None | Some(b"n") => CellType::Number,
        Some(b"s") => CellType::Shared,
        Some(b"b") => CellType::Bool,
        Some(b"e") => CellType::Error,
        Some(b"d") => CellType::Iso,
        Some(b"inlineStr" | b"is") => CellType::Inline,
        Some(_) => CellType::Str,
    }
}

/// A cell found by [`scan_quick_cell`]; ranges are relative to the scanned slice.
#[derive(Debug, Clone, PartialEq)]
struct QuickCell {
    pos: Option<(u32, u32)>,
    style: Option<usize>,
    typ: CellType,
    value: Option<Range<usize>>,
    len: usize,
}

/// Recognises `<c r=".." s=".." t=".."><v>text</v></c>`, `<c .../>` and `<c ...></c>` at the
/// start of `a` (attributes in any order, double quotes, a value without entities or carriage
/// returns, a known cell type other than inline strings). `None` for anything else, including
/// a cell cut off at the end of `a`.
fn scan_quick_cell(a: &[u8]) -> Option<QuickCell> {
    if a.first() != Some(&b'<') || a.get(1) != Some(&b'c') {
        return None;
    }
    if !matches!(a.get(2)?, b' ' | b'\t' | b'\n' | b'\r' | b'>' | b'/') {
        return None;
    }
    let mut cell = QuickCell {
        pos: None,
        style: None,
        typ: CellType::Number,
        value: None,
        len: 0,
    };
    let mut i = 2;
    loop {
        while matches!(a.get(i)?, b' ' | b'\t' | b'\n' | b'\r') {
            i += 1;
        }
        match *a.get(i)? {
            b'>' => {
                i += 1;
                break;
            }
            b'/' => {
                if *a.get(i + 1)? != b'>' {
                    return None;
                }
                cell.len = i + 2;
                return Some(cell);
            }
            _ => {
                let name_start = i;
                while *a.get(i)? != b'=' {
                    i += 1;
                }
                let name = &a[name_start..i];
                if *a.get(i + 1)? != b'"' {
                    return None;
                }
                let value_start = i + 2;
                let mut j = value_start;
                while *a.get(j)? != b'"' {
                    j += 1;
                }
                let value = &a[value_start..j];
                i = j + 1;
                match name {
                    b"r" => {
                        let (row, col) = parse_ref(value)?;
                        cell.pos = Some((row, col?));
                    }
                    b"s" => cell.style = Some(parse_index(value).unwrap_or(0)),
                    b"t" => {
                        cell.typ = match value {
                            b"n" => CellType::Number,
                            b"s" => CellType::Shared,
                            b"b" => CellType::Bool,
                            b"e" => CellType::Error,
                            b"str" => CellType::Str,
                            b"d" => CellType::Iso,
                            _ => return None,
                        };
                    }
                    _ if name
                        .iter()
                        .any(|b| !b.is_ascii_alphanumeric() && *b != b':') =>
                    {
                        return None;
                    }
                    _ => {}
                }
            }
        }
    }
    let rest = &a[i..];
    if rest.starts_with(b"</c>") {
        cell.len = i + 4;
        return Some(cell);
    }
    if !rest.starts_with(b"<v>") {
        return None;
    }
    let value_start = i + 3;
    let mut j = value_start;
    loop {
        match *a.get(j)? {
            b'<' => break,
            b'&' | b'\r' => return None,
            _ => j += 1,
        }
    }
    if a.get(j..j + 8)? != b"</v></c>" {
        return None;
    }
    cell.value = Some(value_start..j);
    cell.len = j + 8;
    Some(cell)
}

/// A non-negative decimal integer (style and shared-string indices).
fn parse_index(digits: &[u8]) -> Option<usize> {
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    let mut n = 0usize;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(usize::from(d - b'0'))?;
    }
    Some(n)
}

/// The cells of one worksheet in sheet order.
pub(super) struct SheetCells<'a, R: Read + Seek> {
    xml: Scanner<zip::read::ZipFile<'a, R>>,
    strings: &'a [String],
    kinds: &'a [NumberKind],
    is_1904: bool,
    /// The last row declared by `<dimension>`, if any.
    pub(super) last_line: Option<u32>,
    row: u32,
    col: u32,
    finished: bool,
    text: String,
}

impl<'a, R: Read + Seek> SheetCells<'a, R> {
    fn done(
        xml: Scanner<zip::read::ZipFile<'a, R>>,
        strings: &'a [String],
        kinds: &'a [NumberKind],
        last_line: Option<u32>,
    ) -> SheetCells<'a, R> {
        SheetCells {
            xml,
            strings,
            kinds,
            is_1904: false,
            last_line,
            row: 0,
            col: 0,
            finished: true,
            text: String::new(),
        }
    }

    /// The next cell: 0-based (row, column) and value; `None` after `</sheetData>`.
    pub(super) fn next_cell(&mut self) -> Result<Option<PlacedCell>, Malformed> {
        if self.finished {
            return Ok(None);
        }
        loop {
            if let Some(cell) = self.quick_cell()? {
                return Ok(Some(cell));
            }
            match self.xml.next()? {
                Tok::Start { name, attrs, empty } => {
                    let local = local_name(self.xml.bytes(&name));
                    if local == b"c" {
                        let mut pos = (self.row, self.col);
                        let mut style: Option<usize> = None;
                        let mut t = None;
                        for (key, value) in attributes(self.xml.bytes(&attrs)) {
                            match local_name(key) {
                                b"r" => {
                                    let Some((row, Some(col))) = parse_ref(value) else {
                                        return Err(malformed("ungültiger Zellbezug"));
                                    };
                                    pos = (row, col);
                                }
                                b"s" => {
                                    style = Some(parse_index(value).unwrap_or(0));
                                }
                                b"t" => t = Some(value),
                                _ => {}
                            }
                        }
                        let typ = cell_type(t);
                        let kind = match style {
                            None => Some(NumberKind::Plain),
                            Some(i) => self.kinds.get(i).copied(),
                        };
                        self.col = pos.1;
                        let value = if empty {
                            RawCell::Empty
                        } else {
                            self.cell_value(typ, kind)?
                        };
                        self.col = pos.1.saturating_add(1);
                        return Ok(Some((pos, value)));
                    } else if local == b"row" {
                        if let Some(r) = attr(self.xml.bytes(&attrs), b"r") {
                            let Some((row, _)) = parse_ref(r) else {
                                return Err(malformed("ungültige Zeilennummer"));
                            };
                            self.row = row;
                        }
                        if empty {
                            self.row = self.row.saturating_add(1);
                            self.col = 0;
                        }
                    }
                }
                Tok::End { name } => match local_name(self.xml.bytes(&name)) {
                    b"row" => {
                        self.row = self.row.saturating_add(1);
                        self.col = 0;
                    }
                    b"sheetData" => {
                        self.finished = true;
                        return Ok(None);
                    }
                    _ => {}
                },
                Tok::Eof => return Err(malformed("Tabellendaten nicht abgeschlossen")),
                Tok::Text(_) | Tok::CData(_) => {}
            }
        }
    }

    /// A cell in one of the forms Excel and most writers use for nearly every cell, read straight
    /// from the buffer; `None` for anything else and for cells not completely buffered, which
    /// the general path then reads.
    fn quick_cell(&mut self) -> Result<Option<PlacedCell>, Malformed> {
        let start = self.xml.pos;
        let Some(q) = scan_quick_cell(&self.xml.buf[start..self.xml.end]) else {
            return Ok(None);
        };
        let pos = q.pos.unwrap_or((self.row, self.col));
        let kind = match q.style {
            None => Some(NumberKind::Plain),
            Some(i) => self.kinds.get(i).copied(),
        };
        let value = match q.value {
            None => RawCell::Empty,
            Some(r) => {
                let raw = utf8(&self.xml.buf[start + r.start..start + r.end])?;
                self.convert(raw, q.typ, kind)?
            }
        };
        self.xml.pos = start + q.len;
        self.col = pos.1.saturating_add(1);
        Ok(Some((pos, value)))
    }

    /// The value of a cell whose start tag was just read, up to `</c>`. As in calamine, the
    /// last child decides (`<f>` before `<v>` as Excel writes them).
    fn cell_value(
        &mut self,
        typ: CellType,
        kind: Option<NumberKind>,
    ) -> Result<RawCell, Malformed> {
        let mut value = RawCell::Empty;
        loop {
            match self.xml.next()? {
                Tok::Start { name, empty, .. } => match local_name(self.xml.bytes(&name)) {
                    b"v" if typ == CellType::Inline => {
                        if !empty {
                            self.xml.skip_element()?;
                        }
                        value = RawCell::Empty;
                    }
                    b"v" => {
                        value = if empty {
                            self.convert("", typ, kind)?
                        } else {
                            self.v_value(typ, kind)?
                        };
                    }
                    b"is" => {
                        let mut s = String::new();
                        if !empty {
                            self.xml.string_item(&mut s)?;
                        }
                        value = RawCell::Text(s);
                    }
                    b"f" => {
                        if !empty {
                            self.xml.skip_element()?;
                        }
                        value = RawCell::Empty;
                    }
                    // `<extLst>` and the like (calamine refuses the sheet): the value stays.
                    _ => {
                        if !empty {
                            self.xml.skip_element()?;
                        }
                    }
                },
                Tok::End { .. } => return Ok(value),
                Tok::Eof => return Err(malformed("Zelle nicht abgeschlossen")),
                Tok::Text(_) | Tok::CData(_) => {}
            }
        }
    }

    /// The value of a `<v>` element whose start tag was just read, up to `</v>`.
    fn v_value(&mut self, typ: CellType, kind: Option<NumberKind>) -> Result<RawCell, Malformed> {
        let first = self.xml.next()?;
        // The common case: plain text directly followed by the end tag, converted in place.
        if let Tok::Text(r) = &first
            && self.xml.at_end_tag()
            && memchr2(b'&', b'\r', self.xml.bytes(r)).is_none()
        {
            let raw = utf8(self.xml.bytes(r))?;
            let cell = self.convert(raw, typ, kind)?;
            match self.xml.next()? {
                Tok::End { .. } => return Ok(cell),
                _ => return Err(malformed("Wert nicht abgeschlossen")),
            }
        }
        let mut text = std::mem::take(&mut self.text);
        text.clear();
        let mut tok = first;
        loop {
            match tok {
                Tok::Text(r) => {
                    push_text(self.xml.bytes(&r), &mut text)?;
                    check_text(&text)?;
                }
                Tok::CData(r) => {
                    push_cdata(self.xml.bytes(&r), &mut text)?;
                    check_text(&text)?;
                }
                Tok::Start { empty: false, .. } => self.xml.skip_element()?,
                Tok::Start { .. } => {}
                Tok::End { .. } => break,
                Tok::Eof => return Err(malformed("Wert nicht abgeschlossen")),
            }
            tok = self.xml.next()?;
        }
        let cell = self.convert(&text, typ, kind);
        self.text = text;
        cell
    }

    /// Converts the text of `<v>` by the cell type and the style's number kind.
    fn convert(
        &self,
        v: &str,
        typ: CellType,
        kind: Option<NumberKind>,
    ) -> Result<RawCell, Malformed> {
        Ok(match typ {
            CellType::Shared => {
                if v.is_empty() {
                    return Ok(RawCell::Empty);
                }
                let idx = parse_index(v.as_bytes()).unwrap_or(0);
                let s = self.strings.get(idx).ok_or_else(|| {
                    malformed("Verweis auf eine fehlende gemeinsame Zeichenkette")
                })?;
                RawCell::Text(s.clone())
            }
            CellType::Bool => match v.trim() {
                "" => RawCell::Empty,
                "0" => RawCell::Bool(false),
                "1" => RawCell::Bool(true),
                t if t.eq_ignore_ascii_case("false") => RawCell::Bool(false),
                t if t.eq_ignore_ascii_case("true") => RawCell::Bool(true),
                _ => RawCell::Text(v.to_string()),
            },
            CellType::Error if v.is_empty() => RawCell::Empty,
            CellType::Error => RawCell::Error(v.to_string()),
            CellType::Iso => {
                Date::parse(v).map_or_else(|| RawCell::Text(v.to_string()), RawCell::Date)
            }
            CellType::Str | CellType::Inline => {
                let mut s = String::with_capacity(v.len());
                push_excel_unescaped(v, &mut s);
                RawCell::Text(s)
            }
            CellType::Number => {
                if v.is_empty() {
                    return Ok(RawCell::Empty);
                }
                match v.parse::<f64>() {
                    Ok(n) => number_cell(n, kind.unwrap_or(NumberKind::Plain), self.is_1904),
                    // calamine keeps such text for untyped cells and refuses it for `t="n"`.
                    Err(_) => RawCell::Text(v.to_string()),
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn tokens(xml: &str, chunk: usize) -> Vec<(String, String)> {
        // A reader that returns at most `chunk` bytes per read, to exercise refills.
        struct Slow<'a>(&'a [u8], usize);
        impl Read for Slow<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = self.0.len().min(self.1).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut s = Scanner::new(Slow(xml.as_bytes(), chunk));
        s.buf = vec![0; 8];
        let mut out = Vec::new();
        loop {
            let t = s.next().unwrap();
            let text = |r: &Range<usize>| String::from_utf8(s.bytes(r).to_vec()).unwrap();
            match &t {
                Tok::Start { name, attrs, empty } => out.push((
                    if *empty { "empty" } else { "start" }.to_string(),
                    format!("{}|{}", text(name), text(attrs)),
                )),
                Tok::End { name } => out.push(("end".into(), text(name))),
                Tok::Text(r) => out.push(("text".into(), text(r))),
                Tok::CData(r) => out.push(("cdata".into(), text(r))),
                Tok::Eof => break,
            }
        }
        out
    }

    #[test]
    fn scanner_tokens_survive_small_reads() {
        let xml = "<?xml version=\"1.0\"?><!-- c --><x:a k=\"v>w\" j='1'>t&amp;u<![CDATA[<z>]]><b/></x:a >";
        let expected = tokens(xml, 1 << 20);
        assert_eq!(
            expected,
            vec![
                ("start".into(), "x:a| k=\"v>w\" j='1'".into()),
                ("text".into(), "t&amp;u".into()),
                ("cdata".into(), "<z>".into()),
                ("empty".into(), "b|".into()),
                ("end".into(), "x:a".into()),
            ]
        );
        for chunk in 1..8 {
            assert_eq!(tokens(xml, chunk), expected, "chunk {chunk}");
        }
    }

    #[test]
    fn long_character_data_streams_in_pieces() {
        // 8 MB of padding with multi-byte characters, entities and CR LF: the buffer stays at
        // its first size, and the pieces joined give the text as one piece would.
        let unit = "  \t\r\nä&amp;€ x";
        let body = unit.repeat((8 << 20) / unit.len());
        let xml = format!("<v>{body}</v><a/>");
        let mut s = Scanner::new(xml.as_bytes());
        assert!(matches!(s.next().unwrap(), Tok::Start { .. }));
        let mut text = String::new();
        let mut pieces = 0;
        loop {
            match s.next().unwrap() {
                Tok::Text(r) => {
                    push_text(s.bytes(&r), &mut text).unwrap();
                    pieces += 1;
                }
                Tok::End { .. } => break,
                other => panic!("{other:?}"),
            }
        }
        assert!(pieces > 10, "{pieces} pieces");
        assert_eq!(s.buf.len(), CHUNK, "the buffer did not grow");
        let mut whole = String::new();
        push_text(body.as_bytes(), &mut whole).unwrap();
        assert!(text == whole, "pieces differ from the whole");
        assert!(matches!(s.next().unwrap(), Tok::Start { empty: true, .. }));
        // A cell text beyond the limit is refused as too large.
        let xml = format!("<v>{}</v>", "x".repeat(MAX_TEXT + 1));
        let mut s = Scanner::new(xml.as_bytes());
        s.next().unwrap();
        let err = s.element_text(&mut String::new()).unwrap_err();
        assert!(err.too_large, "{err:?}");
        // So is a single tag beyond the token limit.
        let xml = format!("<c r=\"{}\"/>", "1".repeat(MAX_TOKEN + 1));
        let err = Scanner::new(xml.as_bytes()).next().unwrap_err();
        assert!(err.too_large && err.detail.contains("64 MB"), "{err:?}");
    }

    #[test]
    fn text_and_attributes() {
        let mut s = String::new();
        push_text(b"a&lt;b&#252;&#xE4;\r\nc&unknown;&", &mut s).unwrap();
        assert_eq!(s, "a<büä\nc&unknown;&");
        let a: Vec<_> = attributes(b" r=\"A1\"  s = '3' t=\"s\"").collect();
        assert_eq!(
            a,
            vec![
                (&b"r"[..], &b"A1"[..]),
                (&b"s"[..], &b"3"[..]),
                (&b"t"[..], &b"s"[..])
            ]
        );
        assert_eq!(attr(b" r:id=\"rId1\"", b"id"), Some(&b"rId1"[..]));
        assert_eq!(
            attr(b" xml:space=\"preserve\"", b"xml:space"),
            Some(&b"preserve"[..])
        );
        let mut e = String::new();
        push_excel_unescaped("a_x000D_b_xD83D__xDE00_c_x00", &mut e);
        assert_eq!(e, "a\rb😀c_x00");
    }

    #[test]
    fn quick_cells() {
        let q = scan_quick_cell(b"<c r=\"B3\" s=\"2\" t=\"s\"><v>12</v></c><c").unwrap();
        assert_eq!(
            q,
            QuickCell {
                pos: Some((2, 1)),
                style: Some(2),
                typ: CellType::Shared,
                value: Some(25..27),
                len: 35
            }
        );
        let q = scan_quick_cell(b"<c r=\"A1\" s=\"1\"/>").unwrap();
        assert_eq!((q.value, q.len), (None, 17));
        assert_eq!(scan_quick_cell(b"<c><v>1.5</v></c>").unwrap().pos, None);
        // Left to the general path: cut off, entities, formulas, inline strings, other tags.
        for xml in [
            &b"<c r=\"A1\"><v>1</v></"[..],
            b"<c r=\"A1\" t=\"str\"><v>a&amp;b</v></c>",
            b"<c r=\"A1\"><f>1+1</f><v>2</v></c>",
            b"<c r=\"A1\" t=\"inlineStr\"><is><t>x</t></is></c>",
            b"<col min=\"1\"/>",
            b"<c r='A1'><v>1</v></c>",
            b"<c r=\"1A\"><v>1</v></c>",
        ] {
            assert_eq!(
                scan_quick_cell(xml),
                None,
                "{}",
                String::from_utf8_lossy(xml)
            );
        }
        assert_eq!(parse_index(b"0042"), Some(42));
        assert_eq!(parse_index(b"4x"), None);
        assert_eq!(parse_index(b""), None);
    }

    /// An in-memory package with one sheet "Daten" (stored, not deflated).
    fn package(sheet_xml: &str, shared: &str) -> Vec<u8> {
        package_with(sheet_xml, shared, "", "xl/sharedStrings.xml")
    }

    /// [`package`] with more workbook relationships and the shared strings at `shared_path`.
    fn package_with(sheet_xml: &str, shared: &str, more_rels: &str, shared_path: &str) -> Vec<u8> {
        use std::io::Write;
        let parts = [
            (
                "_rels/.rels",
                r#"<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_string(),
            ),
            (
                "xl/_rels/workbook.xml.rels",
                format!(
                    r#"<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>{more_rels}</Relationships>"#
                ),
            ),
            (
                "xl/workbook.xml",
                r#"<workbook><sheets><sheet name="Daten" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_string(),
            ),
            (shared_path, shared.to_string()),
            (
                "xl/styles.xml",
                r#"<styleSheet><numFmts><numFmt numFmtId="164" formatCode="dd.mm.yyyy"/></numFmts><cellXfs><xf numFmtId="0"/><xf numFmtId="164"/></cellXfs></styleSheet>"#.to_string(),
            ),
            ("xl/worksheets/sheet1.xml", sheet_xml.to_string()),
        ];
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for (name, content) in parts {
            zip.start_file(name, options).unwrap();
            zip.write_all(content.as_bytes()).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    /// All cells of the package's sheet, or the error.
    fn read_all(bytes: Vec<u8>) -> Option<Result<Vec<PlacedCell>, String>> {
        let mut book = match Workbook::open(std::io::Cursor::new(bytes)) {
            Ok(book) => book?,
            Err(e) => return Some(Err(e.detail)),
        };
        let mut cells = match book.cells("Daten") {
            Ok(Some(c)) => c,
            Ok(None) => return None,
            Err(e) => return Some(Err(e.detail)),
        };
        let mut out = Vec::new();
        loop {
            match cells.next_cell() {
                Ok(Some(c)) => out.push(c),
                Ok(None) => return Some(Ok(out)),
                Err(e) => return Some(Err(e.detail)),
            }
        }
    }

    const SHEET: &str = r#"<?xml version="1.0"?><worksheet><dimension ref="A1:C3"/><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><r><t xml:space="preserve"> a&amp;b </t></r><rPh><t>x</t></rPh></is></c></row><row r="2"><c r="A2" s="1"><v>45000</v></c><c r="B2" t="str"><f>A1</f><v>t&#252;</v></c><c r="C2" t="b"><v>1</v></c></row><row r="3"><c r="A3" t="e"><v>#DIV/0!</v></c><c r="B3"><v><![CDATA[7]]></v></c><c r="C3"/></row></sheetData></worksheet>"#;
    const SHARED: &str = r#"<sst uniqueCount="1"><si><t>Köln</t></si></sst>"#;

    #[test]
    fn a_small_package_reads_as_written() {
        let cells = read_all(package(SHEET, SHARED)).unwrap().unwrap();
        let date = Date::from_excel_serial(45000.0).map_or(RawCell::Number(45000.0), RawCell::Date);
        assert_eq!(
            cells,
            vec![
                ((0, 0), RawCell::Text("Köln".into())),
                ((0, 1), RawCell::Text(" a&b ".into())),
                ((1, 0), date),
                ((1, 1), RawCell::Text("tü".into())),
                ((1, 2), RawCell::Bool(true)),
                ((2, 0), RawCell::Error("#DIV/0!".into())),
                ((2, 1), RawCell::Number(7.0)),
                ((2, 2), RawCell::Empty),
            ]
        );
    }

    #[test]
    fn shared_strings_where_the_relationships_say() {
        let sheet = r#"<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>"#;
        let rel = r#"<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="/xl/strings/sst.xml"/>"#;
        let cells = read_all(package_with(sheet, SHARED, rel, "xl/strings/sst.xml"))
            .unwrap()
            .unwrap();
        assert_eq!(cells, vec![((0, 0), RawCell::Text("Köln".into()))]);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(256),
            failure_persistence: None,
            ..proptest::prelude::ProptestConfig::default()
        })]

        /// Damaged XML (characters inserted, removed or replaced anywhere) never panics: the
        /// reader returns cells or an error.
        #[test]
        fn damaged_xml_never_panics(
            edits in proptest::collection::vec(
                (0usize..2000, 0u8..3, proptest::sample::select(b"<>/\"'=&;!?[]-cvrsti0123456789 x:#".to_vec())),
                1..12,
            ),
            in_shared in proptest::bool::ANY,
        ) {
            let mut target = if in_shared { SHARED.as_bytes().to_vec() } else { SHEET.as_bytes().to_vec() };
            for (at, op, byte) in edits {
                let at = at % (target.len() + 1);
                match op {
                    0 => target.insert(at, byte),
                    1 if at < target.len() => { target.remove(at); }
                    _ if at < target.len() => target[at] = byte,
                    _ => {}
                }
            }
            let text = String::from_utf8_lossy(&target).into_owned();
            let bytes = if in_shared { package(SHEET, &text) } else { package(&text, SHARED) };
            let _ = read_all(bytes);
        }
    }

    #[test]
    fn references_and_formats() {
        assert_eq!(parse_ref(b"A1"), Some((0, Some(0))));
        assert_eq!(parse_ref(b"xfd1048576"), Some((1_048_575, Some(16_383))));
        assert_eq!(parse_ref(b"12"), Some((11, None)));
        assert_eq!(parse_ref(b"A"), None);
        assert_eq!(parse_ref(b"A0"), None);
        assert_eq!(declared_last_line(b"A1:O100003"), Some(100_003));
        assert_eq!(declared_last_line(b"A1"), None);
        assert_eq!(custom_kind("dd.mm.yyyy"), NumberKind::DateTime);
        assert_eq!(custom_kind("[h]:mm:ss"), NumberKind::Duration);
        assert_eq!(custom_kind("#,##0.00 \"€\""), NumberKind::Plain);
        assert_eq!(custom_kind("0.00;[Red]-0.00"), NumberKind::Plain);
        assert_eq!(custom_kind("AM/PM h"), NumberKind::DateTime);
        assert_eq!(builtin_kind(b"14"), NumberKind::DateTime);
        assert_eq!(builtin_kind(b"4"), NumberKind::Plain);
    }
}
