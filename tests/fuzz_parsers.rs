//! Property tests ("fuzzing") for cell parsing and the CSV reader.
//!
//! By default every property runs proptest's 256 cases. For a long run, raise the count and
//! build optimised:
//!
//! ```text
//! PROPTEST_CASES=100000 cargo test --release --test fuzz_parsers
//! ```
//!
//! A failure prints the minimal input and stores its seed in
//! `proptest-regressions/fuzz_parsers.txt`; commit that file so the case is replayed forever.

use kdu_konzept::fmt;
use kdu_konzept::import::cell::{
    Parsed, is_missing_marker, parse_bool, parse_date, parse_int, parse_number, parse_number_text,
    parse_text,
};
use kdu_konzept::import::csv_reader::{CsvReader, Separator, decode, sniff_separator};
use kdu_konzept::import::raw::{RawCell, RowReader};
use proptest::prelude::*;

/// Characters that make number/date/bool parsing interesting.
fn numberish() -> impl Strategy<Value = String> {
    let alphabet: Vec<char> = "0123456789.,-+−'’ \u{a0}\u{202f}€eE%<>/:TZmqa²ÄäöüßjaNnx#\t"
        .chars()
        .collect();
    prop::collection::vec(prop::sample::select(alphabet), 0..24)
        .prop_map(|chars| chars.into_iter().collect())
}

/// Characters that make CSV parsing interesting.
fn csvish_bytes() -> impl Strategy<Value = Vec<u8>> {
    let alphabet: Vec<u8> = b"ab1;,\t \"\r\n\n\n\xE4\xC3\xB6\xEF\xBB\xBF".to_vec();
    prop::collection::vec(prop::sample::select(alphabet), 0..400)
}

/// Drains a reader and checks the invariants every reader must keep.
fn check_reader(bytes: Vec<u8>) -> Result<(), TestCaseError> {
    let Ok(mut reader) = CsvReader::from_bytes(bytes.clone(), "fuzz.csv") else {
        return Ok(());
    };
    let (text, _) = decode(&bytes);
    let max_line = 1 + text.matches('\n').count() + text.matches('\r').count();
    let mut previous = 0u32;
    let mut count = 0usize;
    loop {
        let row = match reader.next_row() {
            Ok(Some(row)) => row,
            Ok(None) => break,
            // A quote that swallows the lines below it is refused with the line it opened on.
            Err(e) => {
                let msg = e.to_string();
                prop_assert!(msg.contains("Anführungszeichen in Zeile"), "{}", msg);
                return Ok(());
            }
        };
        prop_assert!(row.line >= 1);
        prop_assert!(row.line >= previous, "line {} after {}", row.line, previous);
        prop_assert!(row.line > previous, "two rows on line {}", row.line);
        prop_assert!((row.line as usize) <= max_line);
        prop_assert!(!row.cells.is_empty());
        prop_assert!(
            row.cells
                .iter()
                .all(|c| matches!(c, RawCell::Text(_) | RawCell::Empty))
        );
        previous = row.line;
        count += 1;
        prop_assert!(count <= max_line, "more rows than lines");
    }
    let (done, total) = reader.progress().unwrap_or((0, 1));
    prop_assert_eq!(done, total);
    prop_assert_eq!(reader.next_row().ok().flatten(), None);
    Ok(())
}

/// The value `fmt::number(x, decimals)` shows, as f64.
fn rounded(x: f64, decimals: usize) -> f64 {
    format!("{x:.decimals$}").parse().unwrap_or(f64::NAN)
}

/// Writes one CSV field with `;` as separator, quoted when needed.
fn csv_field(cell: &str) -> String {
    if cell.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_string()
    }
}

/// Line breaks as an editor counts them.
fn line_breaks(text: &str) -> usize {
    // `\r\n` is one break: count `\n` and every `\r` not followed by `\n`.
    text.matches('\n').count() + text.matches('\r').count() - text.matches("\r\n").count()
}

proptest! {
    #[test]
    fn cell_parsers_never_panic_on_any_text(text in any::<String>()) {
        let cell = RawCell::Text(text.clone());
        if let Parsed::Value(v) = parse_number_text(&text) {
            prop_assert!(v.is_finite());
        }
        let _ = parse_date(&cell);
        let _ = parse_bool(&cell);
        let _ = parse_int(&cell);
        let _ = parse_text(&cell);
        let _ = is_missing_marker(&text);
    }

    #[test]
    fn cell_parsers_never_panic_on_numberish_text(text in numberish()) {
        let cell = RawCell::Text(text.clone());
        match parse_number(&cell) {
            Parsed::Value(v) => prop_assert!(v.is_finite()),
            Parsed::Invalid(shown) => prop_assert_eq!(shown, text.trim()),
            Parsed::Missing => prop_assert!(is_missing_marker(&text)),
        }
        let _ = parse_date(&cell);
        let _ = parse_bool(&cell);
        let _ = parse_int(&cell);
    }

    #[test]
    fn number_cells_never_panic(x in any::<f64>()) {
        let cell = RawCell::Number(x);
        match parse_number(&cell) {
            Parsed::Value(v) => prop_assert!(v.is_finite()),
            Parsed::Invalid(_) => prop_assert!(!x.is_finite()),
            Parsed::Missing => prop_assert!(false, "a number cell is never missing"),
        }
        let _ = parse_date(&cell);
        let _ = parse_bool(&cell);
        let _ = parse_int(&cell);
        let _ = parse_text(&cell);
    }

    #[test]
    fn german_format_parses_back(x in -1e12f64..1e12, decimals in 0usize..=4) {
        let shown = fmt::number(x, decimals);
        let expected = rounded(x, decimals);
        prop_assert_eq!(parse_number_text(&shown), Parsed::Value(expected), "{}", shown);
        let noisy = format!("ca. {} €", shown);
        prop_assert_eq!(parse_number_text(&noisy), Parsed::Value(expected), "{}", noisy);
    }

    #[test]
    fn german_euro_parses_back(x in -1e12f64..1e12) {
        let shown = fmt::euro(x);
        prop_assert_eq!(parse_number_text(&shown), Parsed::Value(rounded(x, 2)), "{}", shown);
    }

    #[test]
    fn whole_numbers_parse_as_integers(n in -1_000_000_000i64..1_000_000_000) {
        let shown = fmt::number(n as f64, 0);
        prop_assert_eq!(parse_int(&RawCell::Text(shown)), Parsed::Value(n));
        prop_assert_eq!(parse_int(&RawCell::Number(n as f64)), Parsed::Value(n));
    }

    #[test]
    fn csv_reader_never_panics_on_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2000)) {
        check_reader(bytes)?;
    }

    #[test]
    fn csv_reader_never_panics_on_csvish_bytes(bytes in csvish_bytes()) {
        check_reader(bytes)?;
    }

    #[test]
    fn sniffer_never_panics(text in any::<String>()) {
        let _ = sniff_separator(&text);
    }

    #[test]
    fn written_tables_read_back(
        table in prop::collection::vec(
            prop::collection::vec("[a-zäö0-9 ,;\"\r\n]{0,8}", 3),
            1..12,
        ),
    ) {
        let mut text = String::new();
        let mut expected_lines = Vec::new();
        let mut line = 1usize;
        for row in &table {
            expected_lines.push(line as u32);
            let record: Vec<String> = row.iter().map(|c| csv_field(c)).collect();
            let record = record.join(";") + "\n";
            line += line_breaks(&record);
            text.push_str(&record);
        }
        let mut reader = CsvReader::from_bytes(text.clone().into_bytes(), "t.csv")
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(reader.separator(), Separator::Semicolon, "{:?}", text);
        let mut got = Vec::new();
        while let Some(row) = reader.next_row().map_err(|e| TestCaseError::fail(e.to_string()))? {
            got.push(row);
        }
        prop_assert_eq!(got.len(), table.len(), "{:?}", text);
        for ((row, cells), line) in got.iter().zip(&table).zip(&expected_lines) {
            prop_assert_eq!(row.line, *line, "{:?}", text);
            let want: Vec<RawCell> = cells
                .iter()
                .map(|c| if c.is_empty() { RawCell::Empty } else { RawCell::Text(c.clone()) })
                .collect();
            prop_assert_eq!(&row.cells, &want, "{:?}", text);
        }
    }
}
