//! Interpreting one [`RawCell`]: numbers, dates, booleans, integers and text, with the German
//! conventions found in real rent data (decimal comma, `1.234,56 €`, `ca. 40 m²`, `k.A.`).
//!
//! Every parser returns [`Parsed`]: a value, "missing" (blank cell or a missing marker such as
//! `NA` or `k.A.`), or "invalid" together with the offending text as the user saw it, so that
//! the validator can report the cell instead of guessing.
//!
//! # Number rule (German first)
//!
//! [`parse_number_text`] looks for exactly **one** number in the text; words and units around it
//! are ignored (`Miete zzgl. NK 319 €` → 319, `Wohnfläche ca. 40 m²` → 40, `Zi. 2,5` → 2.5,
//! `ca. 55qm` → 55). A letter followed by digits is part of a word (`m2`, `A4`), so `40 m2` → 40.
//! Text with no number (`Preis auf Anfrage`) or with two numbers (`2 Zimmer, 40 m²`, `300-400`,
//! `01.07.2024`, `12:30`) is invalid, and so is a bound (`< 300`, `>= 40`). Percent signs are
//! ignored (`12,5 %` → 12.5, not 0.125). The separators inside the number are read like this:
//!
//! 1. Blanks (space, no-break space U+00A0, narrow no-break space U+202F, thin and figure space)
//!    and apostrophes are thousands separators only: `1 234,56` → 1234.56, `1'234.5` → 1234.5.
//! 2. Both `.` and `,` present: the **last** one is the decimal separator, the other one groups
//!    thousands: `1.234,56` → 1234.56, `1,234.56` → 1234.56.
//! 3. Only commas: one comma is a **decimal comma** (`6,50` → 6.5, `4,169` → 4.169); several
//!    commas group thousands (`1,234,567` → 1234567).
//! 4. Only dots: several dots group thousands (`1.234.567` → 1234567). A single dot is a
//!    **thousands dot** if it has 1–3 digits before it (not starting with `0`) and exactly
//!    3 digits after it (`1.234` → 1234, `12.500` → 12500); otherwise it is a decimal dot
//!    (`1234.5`, `6.50`, `0.125`, `1234.567`).
//! 5. Thousands groups must be well formed (1–3 digits not starting with `0`, then groups of
//!    exactly 3); otherwise the text is invalid (`1.23,45`, `12,34,5`).
//! 6. A trailing `,-` or `,--` (German price notation `319,-`) is allowed; exponents (`1,5E+03`)
//!    are read; a sign `-`, `−` (minus sign), `–` (en dash) or `+` directly before the number is
//!    kept (after a letter or digit it is a hyphen: `300-400` holds two numbers).
//!
//! Ambiguity: rule 3 reads the English thousands comma `4,169` as 4.169 and rule 4 reads the
//! English decimal `1.234` as 1234. Where the style of a column or file is known, use
//! [`parse_number_text_as`] with [`DecimalStyle::Comma`] or [`DecimalStyle::Dot`], which removes
//! the guesswork. NaN and infinity are never returned as a value.

use crate::import::raw::RawCell;
use crate::model::Date;

/// The result of interpreting a cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed<T> {
    /// The cell is blank or holds a missing marker (see [`is_missing_marker`]).
    Missing,
    /// The interpreted value.
    Value(T),
    /// The cell holds something that is not a valid value; the text as the user saw it.
    Invalid(String),
}

impl<T> Parsed<T> {
    /// The value, if there is one.
    pub fn value(self) -> Option<T> {
        match self {
            Parsed::Value(v) => Some(v),
            _ => None,
        }
    }

    /// True for [`Parsed::Missing`].
    pub fn is_missing(&self) -> bool {
        matches!(self, Parsed::Missing)
    }
}

/// Texts that mean "no value" (compared case-insensitively, after trimming):
/// the empty text, `NA`, `N/A`, `n.a.`, `n. a.`, `null`, `None`, `NaN`, `-`, `--`, `–` (en dash),
/// `—` (em dash), `k.A.`, `k. A.`, `keine Angabe`, `keine Angaben`, `#NV` and `#N/A` (Excel's
/// "not available" written as text), `/` and `.`.
///
/// Not missing: `0`, `?` and `x` (a cross means "yes" in boolean columns). Official statistics
/// use `–` for "exactly zero"; in record-level rent data a dash means "no entry", so it is
/// missing here.
pub fn is_missing_marker(text: &str) -> bool {
    const MARKERS: [&str; 20] = [
        "",
        "na",
        "n/a",
        "n.a.",
        "n. a.",
        "null",
        "none",
        "nan",
        "-",
        "--",
        "–",
        "—",
        "k.a.",
        "k. a.",
        "keine angabe",
        "keine angaben",
        "#nv",
        "#n/a",
        "/",
        ".",
    ];
    let t = text.trim();
    if t.is_ascii() {
        // ASCII lowercasing is Unicode lowercasing here: compare without allocating.
        return t.len() <= 13 && MARKERS.iter().any(|m| t.eq_ignore_ascii_case(m));
    }
    // Lowercasing shrinks a character to no less than a third of its bytes (e.g. the Kelvin
    // sign); no marker is longer than 13 bytes.
    if t.len() > 3 * 13 {
        return false;
    }
    let t = t.to_lowercase();
    MARKERS.contains(&t.as_str())
}

/// How the separators of a number are to be read (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DecimalStyle {
    /// German first, with the guessing rules of the module documentation.
    #[default]
    Auto,
    /// German: `,` is the decimal separator, `.` groups thousands (`1.234` → 1234).
    Comma,
    /// English: `.` is the decimal separator, `,` groups thousands (`4,169` → 4169).
    Dot,
}

/// Interprets a cell as a number. Number cells are taken as they are (NaN/infinity are
/// invalid), text is read by [`parse_number_text`], blank cells are missing; booleans, dates
/// and Excel errors (`#DIV/0!`) are invalid.
pub fn parse_number(cell: &RawCell) -> Parsed<f64> {
    parse_number_as(cell, DecimalStyle::Auto)
}

/// Like [`parse_number`], reading text with the given [`DecimalStyle`].
pub fn parse_number_as(cell: &RawCell, style: DecimalStyle) -> Parsed<f64> {
    match cell {
        RawCell::Empty => Parsed::Missing,
        RawCell::Number(x) if x.is_finite() => Parsed::Value(*x + 0.0),
        RawCell::Text(t) => parse_number_text_as(t, style),
        other => Parsed::Invalid(other.display()),
    }
}

/// Reads a number from text with the German-first rule of the module documentation.
pub fn parse_number_text(text: &str) -> Parsed<f64> {
    parse_number_text_as(text, DecimalStyle::Auto)
}

/// Reads a number from text, with the separators read as `style` says.
pub fn parse_number_text_as(text: &str, style: DecimalStyle) -> Parsed<f64> {
    let trimmed = text.trim();
    if is_missing_marker(trimmed) {
        return Parsed::Missing;
    }
    match find_single_number(trimmed, style) {
        Some(v) => Parsed::Value(v),
        None => Parsed::Invalid(trimmed.to_string()),
    }
}

/// Interprets a cell as an integer: a number (see [`parse_number`]) that is whole (up to float
/// noise such as `7.0000000000000009`) and fits into `i64`. `2,5` is invalid.
pub fn parse_int(cell: &RawCell) -> Parsed<i64> {
    match parse_number(cell) {
        Parsed::Missing => Parsed::Missing,
        Parsed::Invalid(t) => Parsed::Invalid(t),
        Parsed::Value(x) => {
            // 2^63, exactly representable; anything at or beyond it does not fit into i64.
            const LIMIT: f64 = 9_223_372_036_854_775_808.0;
            let r = x.round();
            // Float noise only: a few units in the last place, at least 1e-9.
            let tolerance = (4.0 * f64::EPSILON * r.abs()).max(1e-9);
            if (x - r).abs() <= tolerance && (-LIMIT..LIMIT).contains(&r) {
                Parsed::Value(r as i64)
            } else {
                Parsed::Invalid(invalid_text(cell))
            }
        }
    }
}

/// Interprets a cell as text: trimmed; `None` if blank or a missing marker. Numbers are written
/// without a trailing `.0` (an AGS stored as number `5358008.0` → `"5358008"`; leading zeros are
/// lost in such cells and must be restored by the caller), other numbers in German form (`6,5`).
/// Dates become `dd.mm.yyyy`, booleans `WAHR`/`FALSCH`. An Excel error cell yields its error text
/// (`#BEZUG!`) so that it stays visible downstream.
pub fn parse_text(cell: &RawCell) -> Option<String> {
    match cell {
        RawCell::Empty => None,
        RawCell::Text(t) => {
            let t = t.trim();
            if is_missing_marker(t) {
                None
            } else {
                Some(t.to_string())
            }
        }
        RawCell::Number(x) => {
            if !x.is_finite() {
                None
            } else if *x == 0.0 {
                Some("0".to_string())
            } else {
                Some(crate::fmt::number_plain(*x))
            }
        }
        RawCell::Bool(_) | RawCell::Date(_) => Some(cell.display()),
        RawCell::Error(e) => {
            let e = e.trim();
            if e.is_empty() {
                None
            } else {
                Some(e.to_string())
            }
        }
    }
}

/// The texts of the first non-blank row, comma-separated: what a table without the expected
/// columns shows the user.
pub fn first_row_texts(rows: &[super::raw::RawRow]) -> String {
    rows.iter()
        .find(|r| !r.is_blank())
        .map(|r| {
            r.cells
                .iter()
                .filter_map(parse_text)
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

/// Interprets a cell as a yes/no value.
///
/// Yes: `ja`, `j`, `x`, `1`, `wahr`, `true`, `yes`, `y`, `vorhanden`, `mit`, `✓`, `✔`.
/// No: `nein`, `n`, `0`, `falsch`, `false`, `no`, `nicht vorhanden`, `ohne`, `kein`, `keine`.
/// Case is ignored. Number cells and numeric text count only if exactly 1 or 0. Blank cells and
/// missing markers (including `-`) are missing: in a column of crosses, an empty cell is
/// "unknown", not "no". Everything else is invalid.
pub fn parse_bool(cell: &RawCell) -> Parsed<bool> {
    match cell {
        RawCell::Empty => Parsed::Missing,
        RawCell::Bool(b) => Parsed::Value(*b),
        RawCell::Number(x) if *x == 1.0 => Parsed::Value(true),
        RawCell::Number(x) if *x == 0.0 => Parsed::Value(false),
        RawCell::Text(t) => parse_bool_text(t),
        other => Parsed::Invalid(other.display()),
    }
}

fn parse_bool_text(text: &str) -> Parsed<bool> {
    let t = text.trim();
    if is_missing_marker(t) {
        return Parsed::Missing;
    }
    const TRUE_WORDS: [&str; 12] = [
        "ja",
        "j",
        "x",
        "1",
        "wahr",
        "true",
        "yes",
        "y",
        "vorhanden",
        "mit",
        "✓",
        "✔",
    ];
    const FALSE_WORDS: [&str; 10] = [
        "nein",
        "n",
        "0",
        "falsch",
        "false",
        "no",
        "nicht vorhanden",
        "ohne",
        "kein",
        "keine",
    ];
    // ASCII text without blanks is compared case-insensitively as it is (no allocation); other
    // text is lowercased with inner runs of blanks collapsed ("nicht  vorhanden").
    let collapsed: String;
    let lower: &str = if t.is_ascii() && !t.contains(char::is_whitespace) {
        t
    } else {
        collapsed = t
            .to_lowercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        &collapsed
    };
    if TRUE_WORDS.iter().any(|w| lower.eq_ignore_ascii_case(w)) {
        return Parsed::Value(true);
    }
    if FALSE_WORDS.iter().any(|w| lower.eq_ignore_ascii_case(w)) {
        return Parsed::Value(false);
    }
    if lower
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        match parse_number_text(t) {
            Parsed::Value(1.0) => return Parsed::Value(true),
            Parsed::Value(0.0) => return Parsed::Value(false),
            _ => {}
        }
    }
    Parsed::Invalid(t.to_string())
}

/// Interprets a cell as a date.
///
/// - Date cells are taken as they are.
/// - Number cells are Excel serials of the 1900 system (45474 → 01.07.2024; the time of day is
///   ignored). A whole number from 1800 to 2200 is invalid: it is a year, not a serial (serials
///   in that range are dates in 1904–1906, which never occur in rent data).
/// - Text: `01.07.2024`, `1.7.24`, `2024-07-01`, `2024-07-01T00:00:00`, `01.07.2024 14:30`,
///   `2024/07/01`, `20240701`, `1. Juli 2024`, `01-Jul-2024`, `Jul 1, 2024`. Two-digit years
///   00–69 are 2000–2069, 70–99 are 1970–1999 (Excel's rule).
/// - Text with month and year only (`07/2024`, `07.2024`, `2024-07`, `Juli 2024`, `Sep18`) is
///   the **first day of that month**.
/// - Text `d/m/yyyy` is read day first unless that is impossible (`7/13/2024` → 13 July); when
///   both readings are possible and differ (`7/1/2024`), the text is invalid.
/// - Text of eight digits is `yyyymmdd` with a year 1900–2100. Other digit strings are invalid,
///   including serials written as text (`45474`: too easily a postcode or an id read in the
///   wrong column; the user sees the text and can reformat the column).
/// - A year alone (`2019`), an impossible date (`31.02.2024`) and anything else are invalid.
pub fn parse_date(cell: &RawCell) -> Parsed<Date> {
    match cell {
        RawCell::Empty => Parsed::Missing,
        RawCell::Date(d) => Parsed::Value(*d),
        RawCell::Number(x) => {
            let looks_like_year = x.fract() == 0.0 && (1800.0..=2200.0).contains(x);
            match Date::from_excel_serial(*x) {
                Some(d) if !looks_like_year => Parsed::Value(d),
                _ => Parsed::Invalid(cell.display()),
            }
        }
        RawCell::Text(t) => {
            let t = t.trim();
            if is_missing_marker(t) {
                Parsed::Missing
            } else {
                match parse_date_text(t) {
                    Some(d) => Parsed::Value(d),
                    None => Parsed::Invalid(t.to_string()),
                }
            }
        }
        other => Parsed::Invalid(other.display()),
    }
}

fn invalid_text(cell: &RawCell) -> String {
    match cell {
        RawCell::Text(t) => t.trim().to_string(),
        other => other.display(),
    }
}

// ---------------------------------------------------------------------------------------------
// Numbers

/// Blanks that may group thousands.
fn is_group_blank(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}' | '\u{2007}')
}

fn is_sign(c: char) -> bool {
    matches!(c, '-' | '+' | '−' | '–')
}

/// Finds exactly one number in `text`; `None` if there is none, more than one, or a malformed one.
fn find_single_number(text: &str, style: DecimalStyle) -> Option<f64> {
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len();
    let mut found: Option<f64> = None;
    let mut i = 0;
    while i < n {
        let c = chars[i];
        let prev = if i > 0 { Some(chars[i - 1]) } else { None };
        let next = chars.get(i + 1).copied();
        let prev_is_alnum = prev.is_some_and(char::is_alphanumeric);
        if matches!(c, '<' | '>' | '≤' | '≥') {
            return None;
        }
        if c.is_ascii_digit() {
            let (v, end) = scan_number(&chars, i, false, style)?;
            if found.is_some() {
                return None;
            }
            found = Some(v);
            i = end;
            continue;
        }
        if c.is_alphanumeric() {
            // A word: letters and the digits glued to them (`m2`, `A4`, `qm`).
            while i < n && chars[i].is_alphanumeric() {
                i += 1;
            }
            continue;
        }
        if matches!(c, '.' | ',') && !prev_is_alnum && next.is_some_and(|d| d.is_ascii_digit()) {
            // A leading decimal separator: `,5` or `.5`.
            let (v, end) = scan_number(&chars, i, false, style)?;
            if found.is_some() {
                return None;
            }
            found = Some(v);
            i = end;
            continue;
        }
        if is_sign(c) && !prev_is_alnum {
            // The sign may be followed by blanks only if it opens the text (`- 12,5`).
            let mut j = i + 1;
            if i == 0 {
                while j < n && chars[j].is_whitespace() {
                    j += 1;
                }
            }
            let starts_number = match chars.get(j) {
                Some(d) if d.is_ascii_digit() => true,
                Some('.' | ',') => chars.get(j + 1).is_some_and(|d| d.is_ascii_digit()),
                _ => false,
            };
            if starts_number {
                let (v, end) = scan_number(&chars, j, c != '+', style)?;
                if found.is_some() {
                    return None;
                }
                found = Some(v);
                i = end;
                continue;
            }
        }
        i += 1;
    }
    found
}

/// Scans the number starting at `start` (a digit or a separator followed by a digit).
/// Returns the value and the index after the number; `None` if the number is malformed.
fn scan_number(
    chars: &[char],
    start: usize,
    negative: bool,
    style: DecimalStyle,
) -> Option<(f64, usize)> {
    let n = chars.len();
    let mut i = start;
    let mut groups: Vec<String> = Vec::new();
    let mut seps: Vec<char> = Vec::new();
    let take_digits = |i: &mut usize| -> String {
        let mut g = String::new();
        while *i < n && chars[*i].is_ascii_digit() {
            g.push(chars[*i]);
            *i += 1;
        }
        g
    };
    groups.push(take_digits(&mut i));
    while i + 1 < n {
        let c = chars[i];
        let is_sep = matches!(c, '.' | ',' | '\'' | '’') || is_group_blank(c);
        if !is_sep || !chars[i + 1].is_ascii_digit() {
            break;
        }
        i += 1;
        seps.push(normalise_sep(c));
        groups.push(take_digits(&mut i));
    }
    // Exponent: e/E, optional sign, digits, and then no letter or digit.
    let mut exponent = String::new();
    if i < n && matches!(chars[i], 'e' | 'E') {
        let mut j = i + 1;
        let mut exp = String::from("e");
        if j < n && matches!(chars[j], '+' | '-') {
            exp.push(chars[j]);
            j += 1;
        }
        let digits_start = j;
        while j < n && chars[j].is_ascii_digit() {
            exp.push(chars[j]);
            j += 1;
        }
        let ends_cleanly = j >= n || !chars[j].is_alphanumeric();
        if j > digits_start && ends_cleanly {
            exponent = exp;
            i = j;
        }
    }
    let (int_digits, frac_digits) = interpret_groups(&groups, &seps, style)?;
    let mut literal = String::with_capacity(int_digits.len() + frac_digits.len() + 8);
    if negative {
        literal.push('-');
    }
    literal.push_str(if int_digits.is_empty() {
        "0"
    } else {
        &int_digits
    });
    if !frac_digits.is_empty() {
        literal.push('.');
        literal.push_str(&frac_digits);
    }
    literal.push_str(&exponent);
    let v: f64 = literal.parse().ok()?;
    if !v.is_finite() {
        return None;
    }
    Some((v + 0.0, i))
}

/// Blanks and apostrophes all become `' '` (thousands only).
fn normalise_sep(c: char) -> char {
    match c {
        '.' | ',' => c,
        _ => ' ',
    }
}

/// Applies the separator rule; returns (integer digits, fraction digits).
fn interpret_groups(
    groups: &[String],
    seps: &[char],
    style: DecimalStyle,
) -> Option<(String, String)> {
    if seps.is_empty() {
        return Some((groups[0].clone(), String::new()));
    }
    let dots = seps.iter().filter(|&&c| c == '.').count();
    let commas = seps.iter().filter(|&&c| c == ',').count();
    let blanks = seps.len() - dots - commas;
    let decimal: Option<char> = match style {
        DecimalStyle::Comma => (commas > 0).then_some(','),
        DecimalStyle::Dot => (dots > 0).then_some('.'),
        DecimalStyle::Auto => {
            if dots > 0 && commas > 0 {
                seps.iter().rev().find(|&&c| c == '.' || c == ',').copied()
            } else if commas == 1 {
                Some(',')
            } else if commas > 1 {
                None
            } else if dots == 1 {
                let k = seps.iter().position(|&c| c == '.').unwrap_or(0);
                let before = &groups[k];
                let after = &groups[k + 1];
                let thousands = blanks == 0
                    && k + 1 == seps.len()
                    && (1..=3).contains(&before.len())
                    && !before.starts_with('0')
                    && after.len() == 3;
                if thousands { None } else { Some('.') }
            } else {
                // Several dots, or only blanks: thousands separators.
                None
            }
        }
    };
    // The decimal separator must occur once, as the last separator.
    let (int_groups, int_seps, frac) = match decimal {
        Some(d) => {
            if seps.iter().filter(|&&c| c == d).count() != 1 || seps.last() != Some(&d) {
                return None;
            }
            (
                &groups[..groups.len() - 1],
                &seps[..seps.len() - 1],
                groups[groups.len() - 1].clone(),
            )
        }
        None => (groups, seps, String::new()),
    };
    // The rest are thousands separators of one kind, with well-formed groups.
    if let Some(&kind) = int_seps.first() {
        if int_seps.iter().any(|&c| c != kind) {
            return None;
        }
        if !(1..=3).contains(&int_groups[0].len()) || int_groups[0].starts_with('0') {
            return None;
        }
        if int_groups[1..].iter().any(|g| g.len() != 3) {
            return None;
        }
    }
    let int_digits: String = int_groups.concat();
    if int_digits.is_empty() && frac.is_empty() {
        return None;
    }
    Some((int_digits, frac))
}

// ---------------------------------------------------------------------------------------------
// Dates

fn parse_date_text(t: &str) -> Option<Date> {
    if t.chars().any(|c| c.is_alphabetic() && c != 'T' && c != 'Z') {
        if let Some(d) = parse_date_with_month_name(t) {
            return Some(d);
        }
        // "… Uhr" after a numeric date.
        let lower = t.to_lowercase();
        if let Some(stripped) = lower.strip_suffix("uhr") {
            return parse_numeric_date(stripped.trim_end());
        }
        return None;
    }
    parse_numeric_date(t)
}

fn parse_numeric_date(t: &str) -> Option<Date> {
    if t.is_empty() {
        return None;
    }
    // Serial numbers and yyyymmdd.
    if t.chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        let (int_part, frac) = match t.find(['.', ',']) {
            Some(k) => (&t[..k], &t[k + 1..]),
            None => (t, ""),
        };
        let only_digits = int_part.chars().all(|c| c.is_ascii_digit())
            && frac.chars().all(|c| c.is_ascii_digit());
        if only_digits && !int_part.is_empty() {
            // Long ids and numbers must not turn into dates: only plausible years count.
            if int_part.len() == 8 && frac.is_empty() {
                let year: i32 = int_part[..4].parse().ok()?;
                if !(1900..=2100).contains(&year) {
                    return None;
                }
                return Date::from_ymd(
                    year,
                    int_part[4..6].parse().ok()?,
                    int_part[6..].parse().ok()?,
                );
            }
        }
    }
    // Split off a time of day: after 'T' (ISO) or after the first blank.
    let (date_part, time_part) = match t.find(|c: char| c == 'T' || c.is_whitespace()) {
        Some(k) => {
            let sep_len = t[k..].chars().next().map_or(1, char::len_utf8);
            (&t[..k], Some(t[k + sep_len..].trim()))
        }
        None => (t, None),
    };
    if let Some(time) = time_part
        && !is_time_of_day(time)
    {
        return None;
    }
    parse_date_part(date_part)
}

fn is_time_of_day(t: &str) -> bool {
    t.starts_with(|c: char| c.is_ascii_digit())
        && t.contains(':')
        && t.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ':' | '.' | ',' | '+' | '-' | 'Z'))
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_digit())
}

fn year_from(s: &str) -> Option<i32> {
    if !all_digits(s) {
        return None;
    }
    let y: i32 = s.parse().ok()?;
    match s.len() {
        2 => Some(if y < 70 { 2000 + y } else { 1900 + y }),
        4 => Some(y),
        _ => None,
    }
}

fn small(s: &str) -> Option<u32> {
    if !all_digits(s) || s.len() > 2 {
        return None;
    }
    s.parse().ok()
}

fn parse_date_part(d: &str) -> Option<Date> {
    for sep in ['-', '.', '/'] {
        if !d.contains(sep) {
            continue;
        }
        let parts: Vec<&str> = d.split(sep).collect();
        if sep == '.' && parts.len() == 4 && parts[3].is_empty() {
            // "01.07.2024." is not a date; "1.7." has no year.
            return None;
        }
        if parts.len() == 3 && parts[2].is_empty() {
            return None;
        }
        return match parts.len() {
            3 => {
                let (a, b, c) = (parts[0], parts[1], parts[2]);
                if a.len() == 4 {
                    Date::from_ymd(year_from(a)?, small(b)?, small(c)?)
                } else if sep == '/' {
                    let (x, y, year) = (small(a)?, small(b)?, year_from(c)?);
                    let day_first = Date::from_ymd(year, y, x);
                    let month_first = Date::from_ymd(year, x, y);
                    match (day_first, month_first) {
                        (Some(p), Some(q)) if p == q => Some(p),
                        (Some(_), Some(_)) => None,
                        (Some(p), None) | (None, Some(p)) => Some(p),
                        (None, None) => None,
                    }
                } else {
                    Date::from_ymd(year_from(c)?, small(b)?, small(a)?)
                }
            }
            2 => {
                let (a, b) = (parts[0], parts[1]);
                // `2024-07` and `2024/07`, but `1957.5` is a number, not May 1957.
                if a.len() == 4 && sep != '.' {
                    Date::from_ymd(year_from(a)?, small(b)?, 1)
                } else if b.len() == 4 {
                    Date::from_ymd(year_from(b)?, small(a)?, 1)
                } else {
                    None
                }
            }
            _ => None,
        };
    }
    None
}

fn month_from_name(name: &str) -> Option<u32> {
    let m = match name {
        "januar" | "jan" | "jänner" | "january" => 1,
        "februar" | "feb" | "february" => 2,
        "märz" | "maerz" | "mär" | "mrz" | "march" | "mar" => 3,
        "april" | "apr" => 4,
        "mai" | "may" => 5,
        "juni" | "jun" | "june" => 6,
        "juli" | "jul" | "july" => 7,
        "august" | "aug" => 8,
        "september" | "sep" | "sept" => 9,
        "oktober" | "okt" | "october" | "oct" => 10,
        "november" | "nov" => 11,
        "dezember" | "dez" | "december" | "dec" => 12,
        _ => return None,
    };
    Some(m)
}

/// `1. Juli 2024`, `Juli 2024`, `Sep18`, `01-Jul-2024`, `Jul 1, 2024`.
fn parse_date_with_month_name(t: &str) -> Option<Date> {
    let lower = t.to_lowercase();
    // Tokens: runs of letters and runs of digits; everything else separates.
    let mut tokens: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut current_alpha = false;
    for c in lower.chars() {
        let alpha = c.is_alphabetic();
        let digit = c.is_ascii_digit();
        if !(alpha || digit) {
            if !current.is_empty() {
                tokens.push(std::mem::take(&mut current));
            }
            if !matches!(c, ' ' | '.' | '-' | '/' | ',') && !c.is_whitespace() {
                return None;
            }
            continue;
        }
        if !current.is_empty() && alpha != current_alpha {
            tokens.push(std::mem::take(&mut current));
        }
        current_alpha = alpha;
        current.push(c);
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    let month_at = tokens
        .iter()
        .position(|tok| month_from_name(tok).is_some())?;
    let month = month_from_name(&tokens[month_at])?;
    if tokens
        .iter()
        .enumerate()
        .any(|(k, tok)| k != month_at && !all_digits(tok))
    {
        return None;
    }
    match (month_at, tokens.len()) {
        (0, 2) => Date::from_ymd(year_from(&tokens[1])?, month, 1),
        (1, 3) => Date::from_ymd(year_from(&tokens[2])?, month, small(&tokens[0])?),
        (0, 3) => Date::from_ymd(year_from(&tokens[2])?, month, small(&tokens[1])?),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(t: &str) -> Parsed<f64> {
        parse_number_text(t)
    }

    fn v(t: &str) -> f64 {
        match num(t) {
            Parsed::Value(x) => x,
            other => panic!("{t:?} → {other:?}"),
        }
    }

    fn invalid(t: &str) -> bool {
        matches!(num(t), Parsed::Invalid(_))
    }

    #[test]
    fn numbers_from_the_brief() {
        assert_eq!(v("6,50"), 6.5);
        assert_eq!(v("1.234,56 €"), 1234.56);
        assert_eq!(v("467,21 €"), 467.21);
        assert_eq!(v("1234.5"), 1234.5);
        assert_eq!(v("1 234,56"), 1234.56);
        assert_eq!(v("1\u{a0}234,56"), 1234.56);
        assert_eq!(v("1\u{202f}234,56"), 1234.56);
        assert_eq!(v("€ 319"), 319.0);
        assert_eq!(v("EUR 319,00"), 319.0);
        assert_eq!(v("Miete zzgl. NK 319 €"), 319.0);
        assert_eq!(v("Miete zzgl. NK 279,18 €"), 279.18);
        assert_eq!(v("Wohnfläche ca. 40 m²"), 40.0);
        assert_eq!(v("ca. 55qm"), 55.0);
        assert_eq!(v("Zi. 2,5"), 2.5);
        assert_eq!(v("-12,5"), -12.5);
        assert_eq!(v("+3"), 3.0);
        assert_eq!(v("1.234.567"), 1_234_567.0);
        assert_eq!(v("1,234.56"), 1234.56);
        assert_eq!(v("4,169"), 4.169);
        assert!(invalid("2 Zimmer, 40 m²"));
        assert!(invalid("Preis auf Anfrage"));
    }

    #[test]
    fn more_numbers() {
        assert_eq!(v("1.234"), 1234.0);
        assert_eq!(v("12.500"), 12500.0);
        assert_eq!(v("0.500"), 0.5);
        assert_eq!(v("1234.567"), 1234.567);
        assert_eq!(v("6.50"), 6.5);
        assert_eq!(v("608.4"), 608.4);
        assert_eq!(v("1,234,567"), 1_234_567.0);
        assert_eq!(v("1'234.50"), 1234.5);
        assert_eq!(v("319,- €"), 319.0);
        assert_eq!(v("1.234,-"), 1234.0);
        assert_eq!(v("40 m2"), 40.0);
        assert_eq!(v("6,50 €/m²"), 6.5);
        assert_eq!(v(",5"), 0.5);
        assert_eq!(v("-,5"), -0.5);
        assert_eq!(v("- 12,5"), -12.5);
        assert_eq!(v("−3"), -3.0);
        assert_eq!(v("–3"), -3.0);
        assert_eq!(v("1,5E+03"), 1500.0);
        assert_eq!(v("1.23e5"), 123_000.0);
        assert_eq!(v("12,5 %"), 12.5);
        assert_eq!(v("2 400 m²"), 2400.0);
        assert_eq!(v("  7  "), 7.0);
        assert_eq!(v("-0"), 0.0);
        assert!(v("-0").is_sign_positive());
        assert!(invalid("300-400"));
        assert!(invalid("01.07.2024"));
        assert!(invalid("12:30"));
        assert!(invalid("1.23,45"));
        assert!(invalid("12,34,5"));
        assert!(invalid("1 2"));
        assert!(invalid("1970 123"));
        assert!(invalid("< 300"));
        assert!(invalid("abc"));
        assert!(invalid("1e999"));
        assert!(invalid(&"9".repeat(400)));
        assert!(invalid("2-Zimmer-Wohnung 45 m²"));
        assert_eq!(num("NA"), Parsed::Missing);
        assert_eq!(num(" k.A. "), Parsed::Missing);
        assert_eq!(num("–"), Parsed::Missing);
        assert_eq!(num(""), Parsed::Missing);
        assert_eq!(num("NaN"), Parsed::Missing);
        assert_eq!(num("#NV"), Parsed::Missing);
        assert_eq!(
            num("Preis auf Anfrage"),
            Parsed::Invalid("Preis auf Anfrage".into())
        );
    }

    #[test]
    fn explicit_styles() {
        let p = |t, s| parse_number_text_as(t, s).value();
        assert_eq!(p("4,169", DecimalStyle::Dot), Some(4169.0));
        assert_eq!(p("1.234", DecimalStyle::Dot), Some(1.234));
        assert_eq!(p("1.234", DecimalStyle::Comma), Some(1234.0));
        assert_eq!(p("1.234,5", DecimalStyle::Comma), Some(1234.5));
        assert_eq!(p("1,234.5", DecimalStyle::Comma), None);
        assert_eq!(p("0.125", DecimalStyle::Comma), None);
        assert_eq!(p("6,5", DecimalStyle::Comma), Some(6.5));
    }

    #[test]
    fn number_cells() {
        assert_eq!(parse_number(&RawCell::Number(6.5)), Parsed::Value(6.5));
        assert_eq!(parse_number(&RawCell::Empty), Parsed::Missing);
        assert_eq!(
            parse_number(&RawCell::Error("#DIV/0!".into())),
            Parsed::Invalid("#DIV/0!".into())
        );
        assert_eq!(
            parse_number(&RawCell::Bool(true)),
            Parsed::Invalid("WAHR".into())
        );
        assert!(matches!(
            parse_number(&RawCell::Number(f64::NAN)),
            Parsed::Invalid(_)
        ));
        assert!(matches!(
            parse_number(&RawCell::Number(f64::INFINITY)),
            Parsed::Invalid(_)
        ));
    }

    #[test]
    fn integers() {
        assert_eq!(
            parse_int(&RawCell::Number(5358008.0)),
            Parsed::Value(5358008)
        );
        assert_eq!(
            parse_int(&RawCell::Number(7.000_000_000_000_001)),
            Parsed::Value(7)
        );
        assert_eq!(
            parse_int(&RawCell::Text("1.970".into())),
            Parsed::Value(1970)
        );
        assert_eq!(
            parse_int(&RawCell::Text("2,5".into())),
            Parsed::Invalid("2,5".into())
        );
        assert_eq!(parse_int(&RawCell::Text("NA".into())), Parsed::Missing);
        assert!(matches!(
            parse_int(&RawCell::Number(1e19)),
            Parsed::Invalid(_)
        ));
        assert!(matches!(
            parse_int(&RawCell::Number(-1e19)),
            Parsed::Invalid(_)
        ));
        assert_eq!(parse_int(&RawCell::Number(-3.0)), Parsed::Value(-3));
        assert!(matches!(
            parse_int(&RawCell::Number(1e12 + 0.5)),
            Parsed::Invalid(_)
        ));
        assert_eq!(
            parse_int(&RawCell::Number(-9_223_372_036_854_775_808.0)),
            Parsed::Value(i64::MIN)
        );
    }

    #[test]
    fn texts() {
        assert_eq!(
            parse_text(&RawCell::Number(5358008.0)).as_deref(),
            Some("5358008")
        );
        assert_eq!(parse_text(&RawCell::Number(-0.0)).as_deref(), Some("0"));
        assert_eq!(parse_text(&RawCell::Number(6.5)).as_deref(), Some("6,5"));
        assert_eq!(
            parse_text(&RawCell::Text("  Köln ".into())).as_deref(),
            Some("Köln")
        );
        assert_eq!(parse_text(&RawCell::Text("NA".into())), None);
        assert_eq!(parse_text(&RawCell::Text(" \u{a0} ".into())), None);
        assert_eq!(parse_text(&RawCell::Empty), None);
        assert_eq!(
            parse_text(&RawCell::Error("#BEZUG!".into())).as_deref(),
            Some("#BEZUG!")
        );
        let d = Date::from_ymd(2024, 7, 1).unwrap();
        assert_eq!(parse_text(&RawCell::Date(d)).as_deref(), Some("01.07.2024"));
    }

    #[test]
    fn booleans() {
        let b = |t: &str| parse_bool(&RawCell::Text(t.into()));
        for t in [
            "ja",
            "Ja",
            "J",
            "x",
            "X",
            "1",
            "wahr",
            "WAHR",
            "true",
            "True",
            "yes",
            "vorhanden",
            "mit",
            "1,0",
            "1.0",
        ] {
            assert_eq!(b(t), Parsed::Value(true), "{t}");
        }
        for t in [
            "nein",
            "n",
            "0",
            "falsch",
            "FALSE",
            "no",
            "nicht vorhanden",
            "ohne",
            "keine",
            "0,0",
        ] {
            assert_eq!(b(t), Parsed::Value(false), "{t}");
        }
        for t in ["", " ", "NA", "-", "k.A."] {
            assert_eq!(b(t), Parsed::Missing, "{t}");
        }
        assert_eq!(b("vielleicht"), Parsed::Invalid("vielleicht".into()));
        assert_eq!(b("2"), Parsed::Invalid("2".into()));
        assert_eq!(parse_bool(&RawCell::Empty), Parsed::Missing);
        assert_eq!(parse_bool(&RawCell::Bool(false)), Parsed::Value(false));
        assert_eq!(parse_bool(&RawCell::Number(1.0)), Parsed::Value(true));
        assert_eq!(
            parse_bool(&RawCell::Number(2.0)),
            Parsed::Invalid("2".into())
        );
        assert!(matches!(
            parse_bool(&RawCell::Error("#WERT!".into())),
            Parsed::Invalid(_)
        ));
    }

    #[test]
    fn dates() {
        let iso = |t: &str| match parse_date(&RawCell::Text(t.into())) {
            Parsed::Value(d) => d.iso(),
            other => format!("{other:?}"),
        };
        assert_eq!(iso("01.07.2024"), "2024-07-01");
        assert_eq!(iso("1.7.24"), "2024-07-01");
        assert_eq!(iso("1.7.85"), "1985-07-01");
        assert_eq!(iso("2024-07-01"), "2024-07-01");
        assert_eq!(iso("2024-07-01T00:00:00"), "2024-07-01");
        assert_eq!(iso("2024-07-01T13:45:00.000Z"), "2024-07-01");
        assert_eq!(iso("2024-07-01 13:45:00+02:00"), "2024-07-01");
        assert_eq!(iso("01.07.2024 14:30"), "2024-07-01");
        assert_eq!(iso("01.07.2024 14:30 Uhr"), "2024-07-01");
        assert_eq!(iso("07/2024"), "2024-07-01");
        assert_eq!(iso("7/2024"), "2024-07-01");
        assert_eq!(iso("07.2024"), "2024-07-01");
        assert_eq!(iso("2024-07"), "2024-07-01");
        assert_eq!(iso("2024/07/15"), "2024-07-15");
        assert_eq!(iso("15/07/2024"), "2024-07-15");
        assert_eq!(iso("7/13/2024"), "2024-07-13");
        assert_eq!(iso("1/1/2024"), "2024-01-01");
        assert_eq!(iso("20240701"), "2024-07-01");
        assert_eq!(iso("1. Juli 2024"), "2024-07-01");
        assert_eq!(iso("Juli 2024"), "2024-07-01");
        assert_eq!(iso("März 2023"), "2023-03-01");
        assert_eq!(iso("Sep18"), "2018-09-01");
        assert_eq!(iso("Feb20"), "2020-02-01");
        assert_eq!(iso("01-Jul-2024"), "2024-07-01");
        assert_eq!(iso("Jul 1, 2024"), "2024-07-01");
        for bad in [
            "7/1/2024",
            "2019",
            "31.02.2024",
            "abc",
            "01.07.",
            "1.7.",
            "01.07.2024 bis 31.12.2024",
            "Juli",
            "32.1.2024",
            "2024-13-01",
            "1.7.2024.",
            "1957.5",
            "1234.5",
            "78462",
            "45474",
            "12345678",
            "2024.07",
        ] {
            assert!(
                matches!(parse_date(&RawCell::Text(bad.into())), Parsed::Invalid(_)),
                "{bad} → {}",
                iso(bad)
            );
        }
        assert_eq!(parse_date(&RawCell::Text("NA".into())), Parsed::Missing);
        assert_eq!(parse_date(&RawCell::Empty), Parsed::Missing);
        assert_eq!(
            parse_date(&RawCell::Number(45474.0)).value().map(Date::iso),
            Some("2024-07-01".to_string())
        );
        assert_eq!(
            parse_date(&RawCell::Number(45474.5)).value().map(Date::iso),
            Some("2024-07-01".to_string())
        );
        assert_eq!(
            parse_date(&RawCell::Number(2019.0)),
            Parsed::Invalid("2019".into())
        );
        assert!(matches!(
            parse_date(&RawCell::Number(-5.0)),
            Parsed::Invalid(_)
        ));
        assert!(matches!(
            parse_date(&RawCell::Bool(true)),
            Parsed::Invalid(_)
        ));
        let d = Date::from_ymd(2024, 7, 1).unwrap();
        assert_eq!(parse_date(&RawCell::Date(d)), Parsed::Value(d));
    }

    #[test]
    fn missing_markers() {
        for t in [
            "",
            "NA",
            "N/A",
            "n.a.",
            "null",
            "NULL",
            "-",
            "–",
            "—",
            "k.A.",
            "keine Angabe",
            "NaN",
            "#NV",
            " na ",
        ] {
            assert!(is_missing_marker(t), "{t}");
        }
        for t in ["0", "x", "?", "Köln", "nan1"] {
            assert!(!is_missing_marker(t), "{t}");
        }
    }
}
