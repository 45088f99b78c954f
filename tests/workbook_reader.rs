//! Workbook reader, header detection and automatic mapping on workbooks written with
//! rust_xlsxwriter (and on damaged, foreign and encrypted-looking files).

// Test helpers outside `#[test]` functions unwrap too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kdu_konzept::import::ImportError;
use kdu_konzept::import::header::{PEEK_ROWS, detect_header};
use kdu_konzept::import::mapping::auto_map;
use kdu_konzept::import::raw::{RawCell, RawRow, RowReader};
use kdu_konzept::import::workbook::{list_sheets, open_sheet};
use kdu_konzept::model::{Date, Field};
use proptest::prelude::*;
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Table, TableColumn, Workbook};
use std::path::{Path, PathBuf};

mod support;
use support::noise;

fn text(s: &str) -> RawCell {
    RawCell::Text(s.to_string())
}

fn read_all(path: &Path, sheet: Option<&str>) -> Vec<RawRow> {
    let mut reader = open_sheet(path, sheet).unwrap();
    let mut rows = Vec::new();
    while let Some(row) = reader.next_row().unwrap() {
        rows.push(row);
    }
    // After the end, the reader stays at the end.
    assert_eq!(reader.next_row().unwrap(), None);
    rows
}

/// The realistic survey sheet: title rows, data from column B, blank rows inside the data, dates
/// as date cells and as serials, numbers stored as text and a `#DIV/0!` formula.
fn survey_workbook(dir: &Path) -> PathBuf {
    let path = dir.join("erhebung.xlsx");
    let mut wb = Workbook::new();
    let date_format = Format::new().set_num_format("dd.mm.yyyy");
    let ws = wb.add_worksheet();
    ws.set_name("Mieten").unwrap();
    ws.write_string(0, 1, "Mietwerterhebung Landkreis X, Stand 01.01.2025")
        .unwrap();
    // Row 2 blank; row 3 a source note.
    ws.write_string(2, 1, "Quelle: Vermieterbefragung").unwrap();
    let header = [
        "lfd. Nr.",
        "Gemeinde",
        "Nettokaltmiete (€)",
        "Wohnfläche in m²",
        "kalte Betriebskosten (€/Monat)",
        "Mietbeginn (TT.MM.JJJJ)",
        "Angebotsdatum",
        "Warmmiete (€)",
        "",
        "Quote",
    ];
    for (i, h) in header.iter().enumerate() {
        if !h.is_empty() {
            ws.write_string(3, 1 + i as u16, *h).unwrap();
        }
    }
    // Row 5: dates as date cells, numbers as numbers.
    ws.write_number(4, 1, 1).unwrap();
    ws.write_string(4, 2, "Adorf").unwrap();
    ws.write_number(4, 3, 450.5).unwrap();
    ws.write_number(4, 4, 60).unwrap();
    ws.write_number(4, 5, 95).unwrap();
    ws.write_datetime_with_format(
        4,
        6,
        ExcelDateTime::from_ymd(2023, 4, 1).unwrap(),
        &date_format,
    )
    .unwrap();
    ws.write_datetime_with_format(
        4,
        7,
        ExcelDateTime::from_ymd(2024, 12, 31).unwrap(),
        &date_format,
    )
    .unwrap();
    ws.write_number(4, 8, 610).unwrap();
    ws.write_formula(4, 10, Formula::new("=D5/0").set_result("#DIV/0!"))
        .unwrap();
    // Row 6: numbers stored as text, a date as a bare serial number.
    ws.write_number(5, 1, 2).unwrap();
    ws.write_string(5, 2, "Bedorf").unwrap();
    ws.write_string(5, 3, "1.234,56").unwrap();
    ws.write_string(5, 4, "71,5").unwrap();
    ws.write_number(5, 6, 45017).unwrap();
    ws.write_string(5, 7, "15.03.2024").unwrap();
    // Rows 7 and 8 blank (row 8 only formatted), row 9 data again.
    ws.write_blank(7, 3, &date_format).unwrap();
    ws.write_number(8, 1, 3).unwrap();
    ws.write_string(8, 2, "Cedorf").unwrap();
    ws.write_number(8, 3, 380).unwrap();
    ws.write_number(8, 4, 48.25).unwrap();
    ws.write_formula(8, 10, Formula::new("=1/0").set_result("#DIV/0!"))
        .unwrap();
    // A trailing formatted blank cell far below: no trailing blank rows.
    ws.write_blank(20, 3, &date_format).unwrap();
    wb.add_worksheet().set_name("Info").unwrap();
    wb.save(&path).unwrap();
    path
}

#[test]
fn survey_sheet_rows_lines_and_cells() {
    let dir = tempfile::tempdir().unwrap();
    let path = survey_workbook(dir.path());
    let rows = read_all(&path, None);
    let lines: Vec<u32> = rows.iter().map(|r| r.line).collect();
    assert_eq!(lines, (1..=9).collect::<Vec<u32>>());
    // Cells start at column A.
    assert_eq!(rows[0].cells[0], RawCell::Empty);
    assert_eq!(
        rows[0].cells[1],
        text("Mietwerterhebung Landkreis X, Stand 01.01.2025")
    );
    // Blank rows are there, without cells.
    assert!(rows[1].is_blank());
    assert!(rows[6].is_blank());
    assert!(rows[7].is_blank());
    assert!(!rows[8].is_blank());

    let r5 = &rows[4];
    assert_eq!(r5.cells[1], RawCell::Number(1.0));
    assert_eq!(r5.cells[2], text("Adorf"));
    assert_eq!(r5.cells[3], RawCell::Number(450.5));
    assert_eq!(
        r5.cells[6],
        RawCell::Date(Date::from_ymd(2023, 4, 1).unwrap())
    );
    assert_eq!(
        r5.cells[7],
        RawCell::Date(Date::from_ymd(2024, 12, 31).unwrap())
    );
    assert_eq!(r5.cells[9], RawCell::Empty);
    assert_eq!(r5.cells[10], RawCell::Error("#DIV/0!".to_string()));

    let r6 = &rows[5];
    assert_eq!(r6.cells[3], text("1.234,56"));
    assert_eq!(r6.cells[4], text("71,5"));
    // A serial without a date format stays a number (the cell parser may read it as a date).
    assert_eq!(r6.cells[6], RawCell::Number(45017.0));
    assert_eq!(Date::from_excel_serial(45017.0), Date::from_ymd(2023, 4, 1));
    assert_eq!(r6.cells[7], text("15.03.2024"));
    // Trailing empty cells are not padded.
    assert_eq!(r6.cells.len(), 8);

    assert_eq!(rows[8].cells[10], RawCell::Error("#DIV/0!".to_string()));
}

#[test]
fn survey_sheet_header_and_mapping() {
    let dir = tempfile::tempdir().unwrap();
    let path = survey_workbook(dir.path());
    let mut reader = open_sheet(&path, Some("Mieten")).unwrap();
    assert_eq!(reader.sheet_name(), "Mieten");
    let mut peek = Vec::new();
    while peek.len() < PEEK_ROWS {
        match reader.next_row().unwrap() {
            Some(r) => peek.push(r),
            None => break,
        }
    }
    let guess = detect_header(&peek).unwrap();
    assert_eq!(guess.line, 4);
    assert_eq!(guess.index, 3);
    assert_eq!(guess.headers[0], "Spalte A");
    assert_eq!(guess.headers[1], "lfd. Nr.");
    assert_eq!(guess.headers[9], "Spalte J");
    assert_eq!(guess.headers[10], "Quote");
    let map = auto_map(&guess.headers);
    assert_eq!(map[&Field::RecordId], 1);
    assert_eq!(map[&Field::Gemeinde], 2);
    assert_eq!(map[&Field::NetRent], 3);
    assert_eq!(map[&Field::Area], 4);
    assert_eq!(map[&Field::OperatingCosts], 5);
    assert_eq!(map[&Field::ContractStart], 6);
    assert_eq!(map[&Field::OfferDate], 7);
    assert!(!map.values().any(|&c| c == 8), "Warmmiete mapped: {map:?}");
}

#[test]
fn progress_counts_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gross.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "Kaltmiete").unwrap();
    ws.write_string(0, 1, "Fläche").unwrap();
    for r in 1..5000u32 {
        ws.write_number(r, 0, 400 + r % 300).unwrap();
        ws.write_number(r, 1, 40 + r % 50).unwrap();
    }
    wb.save(&path).unwrap();
    let mut reader = open_sheet(&path, None).unwrap();
    assert_eq!(reader.first_line(), 1);
    assert_eq!(reader.progress(), Some((0, 5000)));
    let mut n = 0u32;
    while let Some(row) = reader.next_row().unwrap() {
        n += 1;
        assert_eq!(row.line, n);
    }
    assert_eq!(n, 5000);
    assert_eq!(reader.progress(), Some((5000, 5000)));
}

#[test]
fn dropping_a_reader_midway_is_fine() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("drop.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for r in 0..3000u32 {
        ws.write_number(r, 0, r).unwrap();
    }
    wb.save(&path).unwrap();
    for _ in 0..3 {
        let mut reader = open_sheet(&path, None).unwrap();
        assert_eq!(reader.next_row().unwrap().unwrap().line, 1);
        drop(reader);
    }
}

#[test]
fn a_large_gap_becomes_blank_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("luecke.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "Kaltmiete").unwrap();
    ws.write_number(1_048_575, 0, 500).unwrap();
    wb.save(&path).unwrap();
    let mut reader = open_sheet(&path, None).unwrap();
    let mut n = 0u32;
    let mut last = None;
    while let Some(row) = reader.next_row().unwrap() {
        n += 1;
        assert_eq!(row.line, n);
        assert_eq!(row.is_blank(), n != 1 && n != 1_048_576);
        last = Some(row);
    }
    assert_eq!(n, 1_048_576);
    assert_eq!(last.unwrap().cells, [RawCell::Number(500.0)]);
}

#[test]
fn excel_tables_are_listed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tabellen.xlsx");
    let mut wb = Workbook::new();
    wb.add_worksheet().set_name("Deckblatt").unwrap();
    let ws = wb.add_worksheet();
    ws.set_name("Daten").unwrap();
    ws.write_string(0, 0, "Mieten 2024").unwrap();
    for r in 3..=7u32 {
        ws.write_number(r, 2, 500 + r).unwrap();
        ws.write_number(r, 3, 50 + r).unwrap();
        ws.write_string(r, 4, "Adorf").unwrap();
    }
    let table = Table::new().set_name("Mietdaten").set_columns(&[
        TableColumn::new().set_header("Nettokaltmiete"),
        TableColumn::new().set_header("Wohnfläche"),
        TableColumn::new().set_header("Gemeinde"),
    ]);
    ws.add_table(2, 2, 7, 4, &table).unwrap();
    wb.save(&path).unwrap();

    let sheets = list_sheets(&path).unwrap();
    assert_eq!(
        sheets.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
        ["Deckblatt", "Daten"]
    );
    assert!(sheets[0].tables.is_empty());
    assert_eq!(sheets[1].tables.len(), 1);
    let t = &sheets[1].tables[0];
    assert_eq!(t.name, "Mietdaten");
    assert_eq!(t.sheet, "Daten");
    assert_eq!(t.header_line, 3);
    assert_eq!(t.first_col, 2);
    assert_eq!(t.last_col, 4);
    assert_eq!(t.rows, 5);

    // The first sheet is empty: opening it says so; the data sheet reads from row 1.
    assert!(matches!(
        open_sheet(&path, None),
        Err(ImportError::Empty { .. })
    ));
    let rows = read_all(&path, Some("Daten"));
    assert_eq!(rows[0].line, 1);
    assert!(rows[1].is_blank());
    assert_eq!(rows[2].line, 3);
    assert_eq!(rows[2].cells[2], text("Nettokaltmiete"));
    assert_eq!(rows.last().unwrap().line, 8);
    let guess = detect_header(&rows).unwrap();
    assert_eq!(guess.line, 3);
}

#[test]
fn empty_workbook_is_empty() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("leer.xlsx");
    Workbook::new().save(&path).unwrap();
    let err = open_sheet(&path, None).unwrap_err();
    assert!(matches!(err, ImportError::Empty { .. }), "{err:?}");
    assert!(err.to_string().starts_with("Keine Daten gefunden"));
    // The sheet list still shows the (empty) sheet.
    assert_eq!(list_sheets(&path).unwrap().len(), 1);
}

#[test]
fn header_only_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kopf.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (i, h) in ["Nettokaltmiete", "Wohnfläche", "PLZ"].iter().enumerate() {
        ws.write_string(0, i as u16, *h).unwrap();
    }
    wb.save(&path).unwrap();
    let rows = read_all(&path, None);
    assert_eq!(rows.len(), 1);
    let guess = detect_header(&rows).unwrap();
    assert_eq!(guess.line, 1);
    assert_eq!(guess.headers, ["Nettokaltmiete", "Wohnfläche", "PLZ"]);
}

#[test]
fn unknown_sheet_lists_the_sheets() {
    let dir = tempfile::tempdir().unwrap();
    let path = survey_workbook(dir.path());
    match open_sheet(&path, Some("Tabelle1")) {
        Err(ImportError::SheetNotFound { sheet, available }) => {
            assert_eq!(sheet, "Tabelle1");
            assert_eq!(available, "Mieten, Info");
        }
        other => panic!("{other:?}"),
    }
    let err = open_sheet(&path, Some("Tabelle1")).unwrap_err().to_string();
    assert!(
        err.contains("nicht gefunden") && err.contains("Mieten, Info"),
        "{err}"
    );
    // Case and blanks do not matter when the match is unique.
    assert_eq!(
        open_sheet(&path, Some(" mieten")).unwrap().sheet_name(),
        "Mieten"
    );
}

#[test]
fn random_bytes_are_unreadable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("zufall.xlsx");
    std::fs::write(&path, noise(4096, 0x9E37_79B9_7F4A_7C15)).unwrap();
    let err = open_sheet(&path, None).unwrap_err();
    assert!(matches!(err, ImportError::Unreadable { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains("keine gültige Excel-Datei (beschädigt oder abgeschnitten)"),
        "{msg}"
    );
    assert!(msg.starts_with("Die Datei kann nicht gelesen werden"));
    assert!(matches!(
        list_sheets(&path),
        Err(ImportError::Unreadable { .. })
    ));
}

#[test]
fn truncated_xlsx_is_unreadable() {
    let dir = tempfile::tempdir().unwrap();
    let good = survey_workbook(dir.path());
    let bytes = std::fs::read(&good).unwrap();
    let path = dir.path().join("halb.xlsx");
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let err = open_sheet(&path, None).unwrap_err();
    assert!(matches!(err, ImportError::Unreadable { .. }), "{err:?}");
    assert!(
        err.to_string().contains("beschädigt oder abgeschnitten"),
        "{err}"
    );
    assert!(matches!(
        list_sheets(&path),
        Err(ImportError::Unreadable { .. })
    ));
}

#[test]
fn foreign_files_and_extensions() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("export.xls");
    std::fs::write(
        &html,
        "<html><body><table><tr><td>Miete</td></tr></table></body></html>",
    )
    .unwrap();
    let err = open_sheet(&html, None).unwrap_err().to_string();
    assert!(err.contains("HTML"), "{err}");
    let csv = dir.path().join("daten.xlsx");
    std::fs::write(&csv, "Miete;Fläche\n500;60\n").unwrap();
    let err = open_sheet(&csv, None).unwrap_err().to_string();
    assert!(err.contains("CSV"), "{err}");
    let empty = dir.path().join("null.xlsx");
    std::fs::write(&empty, b"").unwrap();
    assert!(matches!(
        open_sheet(&empty, None),
        Err(ImportError::Unreadable { .. })
    ));
    let missing = dir.path().join("fehlt.xlsx");
    let err = open_sheet(&missing, None).unwrap_err().to_string();
    assert!(err.contains("Datei nicht gefunden"), "{err}");
    let pdf = dir.path().join("bericht.pdf");
    std::fs::write(&pdf, b"%PDF-1.4").unwrap();
    assert!(matches!(
        open_sheet(&pdf, None),
        Err(ImportError::UnsupportedFormat { .. })
    ));
    // A real xlsx named .xls is read by content.
    let good = survey_workbook(dir.path());
    let renamed = dir.path().join("umbenannt.xls");
    std::fs::copy(&good, &renamed).unwrap();
    assert_eq!(read_all(&renamed, None).len(), 9);
}

/// A minimal but well-formed compound file (CFB v3, 512-byte sectors) with the given stream names
/// in its directory: sector 0 = FAT, sector 1 = directory.
fn cfb_file(streams: &[&str]) -> Vec<u8> {
    const FREE: u32 = 0xFFFF_FFFF;
    const END: u32 = 0xFFFF_FFFE;
    const FATSECT: u32 = 0xFFFF_FFFD;
    let mut f = vec![0u8; 512];
    f[..8].copy_from_slice(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    f[0x18..0x1A].copy_from_slice(&0x003Eu16.to_le_bytes()); // minor version
    f[0x1A..0x1C].copy_from_slice(&3u16.to_le_bytes()); // major version
    f[0x1C..0x1E].copy_from_slice(&0xFFFEu16.to_le_bytes()); // byte order
    f[0x1E..0x20].copy_from_slice(&9u16.to_le_bytes()); // sector shift
    f[0x20..0x22].copy_from_slice(&6u16.to_le_bytes()); // mini sector shift
    f[0x2C..0x30].copy_from_slice(&1u32.to_le_bytes()); // FAT sectors
    f[0x30..0x34].copy_from_slice(&1u32.to_le_bytes()); // first directory sector
    f[0x38..0x3C].copy_from_slice(&4096u32.to_le_bytes()); // mini stream cutoff
    f[0x3C..0x40].copy_from_slice(&END.to_le_bytes()); // first mini FAT sector
    f[0x44..0x48].copy_from_slice(&END.to_le_bytes()); // first DIFAT sector
    for i in 0..109 {
        let at = 0x4C + 4 * i;
        let v = if i == 0 { 0 } else { FREE };
        f[at..at + 4].copy_from_slice(&v.to_le_bytes());
    }
    // FAT sector.
    let mut fat = vec![0u8; 512];
    for i in 0..128 {
        let v = match i {
            0 => FATSECT,
            1 => END,
            _ => FREE,
        };
        fat[4 * i..4 * i + 4].copy_from_slice(&v.to_le_bytes());
    }
    f.extend_from_slice(&fat);
    // Directory sector: root entry plus the streams (all empty).
    let mut dir = vec![0u8; 512];
    let names: Vec<&str> = std::iter::once("Root Entry")
        .chain(streams.iter().copied())
        .collect();
    for (i, name) in names.iter().enumerate().take(4) {
        let e = &mut dir[128 * i..128 * (i + 1)];
        let utf16: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
        e[..utf16.len()].copy_from_slice(&utf16);
        e[64..66].copy_from_slice(&((utf16.len() + 2) as u16).to_le_bytes());
        e[66] = if i == 0 { 5 } else { 2 }; // root storage / stream
        e[67] = 1; // black
        let sibling = if i + 1 < names.len() && i > 0 {
            (i + 1) as u32
        } else {
            FREE
        };
        e[68..72].copy_from_slice(&FREE.to_le_bytes()); // left
        e[72..76].copy_from_slice(&sibling.to_le_bytes()); // right
        let child = if i == 0 && names.len() > 1 { 1 } else { FREE };
        e[76..80].copy_from_slice(&child.to_le_bytes());
        e[116..120].copy_from_slice(&END.to_le_bytes()); // start sector
    }
    for i in names.len()..4 {
        let e = &mut dir[128 * i..128 * (i + 1)];
        e[68..80].copy_from_slice(&[0xFF; 12]);
    }
    f.extend_from_slice(&dir);
    f
}

#[test]
fn encrypted_ooxml_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = cfb_file(&["EncryptionInfo", "EncryptedPackage"]);
    for name in ["geschuetzt.xlsx", "geschuetzt.xlsm", "geschuetzt.xls"] {
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        let err = open_sheet(&path, None).unwrap_err();
        assert!(
            matches!(err, ImportError::Encrypted { .. }),
            "{name}: {err:?}"
        );
        assert!(err.to_string().contains("kennwortgeschützt"));
        assert!(matches!(
            list_sheets(&path),
            Err(ImportError::Encrypted { .. })
        ));
    }
    // A compound file without those streams is no encrypted package: it is tried as xls and,
    // holding no workbook stream, reported as unreadable.
    let plain = dir.path().join("ole.xlsx");
    std::fs::write(&plain, cfb_file(&["Something"])).unwrap();
    let err = open_sheet(&plain, None).unwrap_err();
    assert!(matches!(err, ImportError::Unreadable { .. }), "{err:?}");
}

#[test]
fn realistic_pipeline_with_immoscout_layout() {
    // English camelCase headers as in the ImmoScout24 exports, written into a workbook.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("immoscout.xlsx");
    let headers = [
        "scoutId",
        "serviceCharge",
        "totalRent",
        "baseRent",
        "livingSpace",
        "geo_plz",
        "regio3",
        "noRooms",
        "heatingCosts",
        "yearConstructed",
        "baseRentRange",
    ];
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (i, h) in headers.iter().enumerate() {
        ws.write_string(0, i as u16, *h).unwrap();
    }
    ws.write_row(
        1,
        0,
        [
            1.0, 200.0, 1500.0, 1300.0, 120.0, 51069.0, 0.0, 3.0, 0.0, 2019.0, 9.0,
        ],
    )
    .unwrap();
    ws.write_string(1, 6, "Dellbrück").unwrap();
    wb.save(&path).unwrap();
    let rows = read_all(&path, None);
    let guess = detect_header(&rows).unwrap();
    assert_eq!(guess.line, 1);
    let map = auto_map(&guess.headers);
    assert_eq!(map[&Field::RecordId], 0);
    assert_eq!(map[&Field::OperatingCosts], 1);
    assert_eq!(map[&Field::NetRent], 3);
    assert_eq!(map[&Field::Area], 4);
    assert_eq!(map[&Field::Plz], 5);
    assert_eq!(map[&Field::Gemeinde], 6);
    assert_eq!(map[&Field::Rooms], 7);
    assert_eq!(map[&Field::HeatingCosts], 8);
    assert_eq!(map[&Field::YearBuilt], 9);
    assert!(!map.values().any(|&c| c == 2 || c == 10), "{map:?}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Damaged workbooks: never a panic, and either rows or a file-level error.
    #[test]
    fn damaged_workbooks_never_panic(cuts in proptest::collection::vec((0usize..100_000, any::<u8>()), 1..8)) {
        let dir = tempfile::tempdir().unwrap();
        let good = survey_workbook(dir.path());
        let mut bytes = std::fs::read(&good).unwrap();
        for (at, value) in cuts {
            let i = at % bytes.len();
            bytes[i] = value;
        }
        let path = dir.path().join("kaputt.xlsx");
        std::fs::write(&path, &bytes).unwrap();
        let _ = list_sheets(&path);
        if let Ok(mut reader) = open_sheet(&path, None) {
            // Bounded: a damaged row number may legitimately announce many blank rows.
            let mut n = 0;
            while let Ok(Some(_)) = reader.next_row() {
                n += 1;
                if n > 2_000_000 {
                    break;
                }
            }
        }
    }

    /// Arbitrary bytes with any workbook extension: an error, never a panic.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048), ext in "(xlsx|xlsm|xlsb|xls|ods)") {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(format!("x.{ext}"));
        std::fs::write(&path, &bytes).unwrap();
        prop_assert!(open_sheet(&path, None).is_err());
        prop_assert!(list_sheets(&path).is_err());
    }

    /// Header matching and mapping accept any text.
    #[test]
    fn mapping_accepts_any_text(headers in proptest::collection::vec(".{0,40}", 0..30)) {
        let map = auto_map(&headers);
        let mut cols: Vec<usize> = map.values().copied().collect();
        cols.sort_unstable();
        cols.dedup();
        prop_assert_eq!(cols.len(), map.len());
        prop_assert!(cols.iter().all(|&c| c < headers.len()));
        let rows: Vec<RawRow> = headers
            .iter()
            .enumerate()
            .map(|(i, h)| RawRow { line: i as u32 + 1, cells: vec![RawCell::Text(h.clone())] })
            .collect();
        let _ = detect_header(&rows);
    }
}

/// The survey workbook converted by LibreOffice to xls (BIFF8) and ods reads exactly like the xlsx
/// (dates, blank rows, text numbers, `#DIV/0!`). Skipped without LibreOffice unless `CI` is set.
#[test]
fn xls_and_ods_read_like_xlsx() {
    let Some(soffice) = support::soffice_or_skip("xls_and_ods_read_like_xlsx") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let xlsx = survey_workbook(dir.path());
    let expected = read_all(&xlsx, None);
    for format in ["xls", "ods"] {
        let out = dir.path().join(format!("out-{format}"));
        let path = support::libreoffice_convert(
            &soffice,
            dir.path(),
            std::slice::from_ref(&xlsx),
            format,
            &out,
            false,
        )
        .remove(0);
        let rows = read_all(&path, None);
        assert_eq!(rows, expected, "{format}");
        let sheets = list_sheets(&path).unwrap();
        assert_eq!(
            sheets.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
            ["Mieten", "Info"],
            "{format}"
        );
        assert!(matches!(
            open_sheet(&path, Some("Fehlt")),
            Err(ImportError::SheetNotFound { .. })
        ));
    }
}
