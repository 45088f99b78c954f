//! The sample-data generator: determinism, workbook shape, deliberate defects and market model,
//! checked by reading the written workbooks back with calamine.

// The helpers below are test code too, but outside `#[test]` functions clippy cannot tell.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use calamine::{Data, Reader, open_workbook_auto};
use kdu_konzept::model::Date;
use kdu_konzept::sample::{
    ANGEBOTE_EXACT_DUPLICATES, ANGEBOTE_NEAR_DUPLICATES, ANGEBOTE_SHEET, BENCH_HEADER_ROW,
    BENCH_HEADERS, BENCH_SHEET, BESTAND_SHEET, DefectPlan, GEMEINDEN_SHEET, NEUVERTRAG_SHEET,
    SAMPLE_SEED, SAMPLE_VERGLEICHSRAEUME, SampleError, SampleFiles, SampleSheet, sample_gemeinden,
    sample_stichtag, write_bench_workbook, write_sample_data,
};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

/// The sample data, generated once per test binary.
fn sample() -> &'static (tempfile::TempDir, SampleFiles) {
    static SAMPLE: OnceLock<(tempfile::TempDir, SampleFiles)> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let files = write_sample_data(dir.path(), SAMPLE_SEED).unwrap();
        (dir, files)
    })
}

/// A sheet as absolute rows (row 0 = Excel row 1) of cells from column A.
struct Sheet {
    rows: Vec<Vec<Data>>,
}

impl Sheet {
    fn open(path: &Path, name: &str) -> Sheet {
        let mut book = open_workbook_auto(path).unwrap();
        assert_eq!(
            book.sheet_names(),
            vec![name.to_string()],
            "{}",
            path.display()
        );
        let range = book.worksheet_range(name).unwrap();
        let (end_r, end_c) = range.end().unwrap();
        let rows = (0..=end_r)
            .map(|r| {
                (0..=end_c)
                    .map(|c| range.get_value((r, c)).cloned().unwrap_or(Data::Empty))
                    .collect()
            })
            .collect();
        Sheet { rows }
    }

    /// The cells of Excel row `excel_row` (1-based).
    fn row(&self, excel_row: u32) -> &[Data] {
        &self.rows[excel_row as usize - 1]
    }

    fn header(&self, header_row: u32) -> Vec<String> {
        self.row(header_row)
            .iter()
            .map(|d| match d {
                Data::String(s) => s.clone(),
                other => panic!("header cell is not text: {other:?}"),
            })
            .collect()
    }

    /// Data rows below the header (blank rows included, as `None`).
    fn data(&self, header_row: u32) -> Vec<Option<&[Data]>> {
        self.rows[header_row as usize..]
            .iter()
            .map(|r| {
                if r.iter().all(|c| matches!(c, Data::Empty)) {
                    None
                } else {
                    Some(r.as_slice())
                }
            })
            .collect()
    }
}

fn col(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("column {name} missing in {header:?}"))
}

fn try_col(header: &[String], name: &str) -> Option<usize> {
    header.iter().position(|h| h == name)
}

fn num(d: &Data) -> Option<f64> {
    match d {
        Data::Float(f) => Some(*f),
        Data::Int(i) => Some(*i as f64),
        _ => None,
    }
}

fn text(d: &Data) -> Option<&str> {
    match d {
        Data::String(s) => Some(s.as_str()),
        _ => None,
    }
}

/// A German text number such as `"1.234,56 €"`, `"55 m²"` or `"6,50"`.
fn parse_text_number(s: &str) -> Option<f64> {
    let t = s
        .replace('€', "")
        .replace("m²", "")
        .trim()
        .replace('.', "")
        .replace(',', ".");
    t.parse().ok()
}

fn date(d: &Data) -> Option<Date> {
    match d {
        Data::DateTime(dt) => Date::from_excel_serial(dt.as_f64()),
        Data::String(s) => Date::parse(s),
        _ => None,
    }
}

fn median(mut xs: Vec<f64>) -> f64 {
    assert!(!xs.is_empty());
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

fn sha256(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    format!("{:x}", Sha256::digest(bytes))
}

fn all_files(files: &SampleFiles) -> [&Path; 4] {
    [
        &files.bestand,
        &files.neuvertrag,
        &files.angebote,
        &files.gemeinden,
    ]
}

#[test]
fn generation_is_deterministic() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let fa = write_sample_data(&a.path().join("neu/unter"), SAMPLE_SEED).unwrap();
    let fb = write_sample_data(b.path(), SAMPLE_SEED).unwrap();
    for (pa, pb) in all_files(&fa).into_iter().zip(all_files(&fb)) {
        assert_eq!(sha256(pa), sha256(pb), "{}", pa.display());
    }
    let c = tempfile::tempdir().unwrap();
    let fc = write_sample_data(c.path(), SAMPLE_SEED + 1).unwrap();
    assert_ne!(sha256(&fa.bestand), sha256(&fc.bestand));
    assert_ne!(sha256(&fa.angebote), sha256(&fc.angebote));
}

#[test]
fn files_have_expected_sheets_headers_and_rows() {
    let (_dir, files) = sample();
    let expected: [(&Path, &SampleSheet, &[&str]); 3] = [
        (
            &files.bestand,
            &BESTAND_SHEET,
            &[
                "Lfd. Nr.",
                "Gemeinde",
                "AGS",
                "PLZ",
                "Wohnfläche (m²)",
                "Zimmer",
                "Nettokaltmiete (€)",
                "kalte Betriebskosten (€/Monat)",
                "Heizkosten (€/Monat)",
                "Baujahr",
                "Mietbeginn",
                "letzte Mietänderung",
                "Vermietertyp",
                "Aufzug",
                "Leistungsbezug",
                "möbliert",
                "gefördert",
                "Werkswohnung",
            ],
        ),
        (
            &files.neuvertrag,
            &NEUVERTRAG_SHEET,
            &[
                "Lfd. Nr.",
                "Gemeinde",
                "AGS",
                "PLZ",
                "Wohnfläche (m²)",
                "Zimmer",
                "Nettokaltmiete (€)",
                "kalte Betriebskosten (€/Monat)",
                "Heizkosten (€/Monat)",
                "Baujahr",
                "Mietbeginn",
                "Vermietertyp",
                "Aufzug",
                "Leistungsbezug",
                "möbliert",
                "gefördert",
                "Werkswohnung",
            ],
        ),
        (
            &files.angebote,
            &ANGEBOTE_SHEET,
            &[
                "Lfd. Nr.",
                "Angebotsdatum",
                "Portal",
                "Gemeinde",
                "AGS",
                "PLZ",
                "Wohnfläche (m²)",
                "Zimmer",
                "Kaltmiete (€)",
                "Nebenkosten (€)",
                "NK inkl. Heizung",
                "Heizkosten (€)",
                "Baujahr",
                "Aufzug",
                "möbliert",
                "gefördert",
            ],
        ),
    ];
    for (path, spec, headers) in expected {
        assert_eq!(path.file_name().unwrap().to_str(), Some(spec.file_name));
        let sheet = Sheet::open(path, spec.sheet);
        assert!((3..=4).contains(&spec.header_row));
        assert_eq!(sheet.header(spec.header_row), headers, "{}", spec.sheet);
        // Title rows: the first holds the title, the rows in between at most one text cell each.
        let title = text(&sheet.row(1)[0]).unwrap();
        assert!(title.contains("Landkreis Musterland"), "{title}");
        for r in 1..spec.header_row {
            let filled = sheet
                .row(r)
                .iter()
                .filter(|c| !matches!(c, Data::Empty))
                .count();
            assert!(filled <= 1, "title row {r} of {}", spec.sheet);
        }
        let data = sheet.data(spec.header_row);
        assert_eq!(data.len(), spec.records + spec.defects.blank_rows);
        assert_eq!(data.iter().flatten().count(), spec.records);
        // The blank row sits inside the data, not at its end.
        assert!(data.first().unwrap().is_some() && data.last().unwrap().is_some());
        // Lfd. Nr. runs 1..=records across the blank row.
        let lfd: Vec<f64> = data.iter().flatten().map(|r| num(&r[0]).unwrap()).collect();
        assert!(lfd.iter().enumerate().all(|(i, &n)| n == (i + 1) as f64));
    }
}

/// Counts every deliberate defect of a sheet the way an importer would see it.
fn count_defects(sheet: &Sheet, spec: &SampleSheet) -> DefectPlan {
    let header = sheet.header(spec.header_row);
    let rent_c =
        try_col(&header, "Nettokaltmiete (€)").unwrap_or_else(|| col(&header, "Kaltmiete (€)"));
    let area_c = col(&header, "Wohnfläche (m²)");
    let kalte_bk = try_col(&header, "kalte Betriebskosten (€/Monat)");
    let bk_c = kalte_bk.unwrap_or_else(|| col(&header, "Nebenkosten (€)"));
    let baujahr_c = col(&header, "Baujahr");
    let gemeinde_c = col(&header, "Gemeinde");
    let ags_c = col(&header, "AGS");
    let date_cs: Vec<usize> = ["Mietbeginn", "letzte Mietänderung", "Angebotsdatum"]
        .iter()
        .filter_map(|h| try_col(&header, h))
        .collect();
    let names: Vec<&str> = sample_gemeinden().iter().map(|g| g.name).collect();
    let mut p = DefectPlan::default();
    for row in sheet.data(spec.header_row) {
        let Some(row) = row else {
            p.blank_rows += 1;
            continue;
        };
        let area = num(&row[area_c]);
        match &row[rent_c] {
            Data::Empty => p.missing_rent += 1,
            Data::String(s) if s == "k.A." => p.keine_angabe += 1,
            Data::String(s) if s == "#NV" => p.nv_text += 1,
            Data::String(s) => {
                assert!(s.ends_with(" €"), "{s}");
                assert!(parse_text_number(s).is_some(), "{s}");
                p.text_numbers += 1;
            }
            Data::Float(rent) => {
                if let Some(a) = area.filter(|a| *a > 0.0)
                    && rent / a > 30.0
                {
                    p.annual_rent += 1;
                }
            }
            other => panic!("unexpected rent cell {other:?}"),
        }
        match &row[area_c] {
            Data::String(s) if s == "k.A." => p.keine_angabe += 1,
            Data::String(s) => {
                assert!(s.ends_with(" m²"), "{s}");
                assert!(parse_text_number(s).is_some(), "{s}");
                p.text_numbers += 1;
            }
            Data::Float(a) if *a == 0.0 => p.zero_area += 1,
            Data::Float(a) => assert!((25.0..=140.0).contains(a), "area {a}"),
            other => panic!("unexpected area cell {other:?}"),
        }
        match &row[bk_c] {
            Data::Empty => p.missing_bk += 1,
            Data::String(s) => {
                assert!(parse_text_number(s).is_some(), "{s}");
                p.text_numbers += 1;
            }
            Data::Float(bk) => {
                if kalte_bk.is_some()
                    && let Some(a) = area.filter(|a| *a > 0.0)
                    && bk / a > 3.5
                {
                    p.bk_with_heating += 1;
                }
            }
            other => panic!("unexpected BK cell {other:?}"),
        }
        if matches!(row[baujahr_c], Data::Empty) {
            p.missing_baujahr += 1;
        }
        let mut text_date = false;
        for &c in &date_cs {
            match &row[c] {
                Data::String(s) => {
                    assert!(Date::parse(s).is_some(), "{s}");
                    text_date = true;
                }
                Data::DateTime(_) | Data::Empty => {}
                other => panic!("unexpected date cell {other:?}"),
            }
        }
        if text_date {
            p.text_dates += 1;
        }
        let ags = text(&row[ags_c]);
        match text(&row[gemeinde_c]) {
            None => {
                assert!(ags.is_some());
                p.ags_only += 1;
            }
            Some(name) if names.contains(&name) => assert!(ags.is_some()),
            Some(name) if name.starts_with("Stadt ") => {
                assert!(names.contains(&&name[6..]));
                p.stadt_prefix += 1;
            }
            Some(name) if names.iter().any(|n| n.to_lowercase() == name) => {
                p.lower_case_name += 1;
            }
            Some(name) => {
                assert!(ags.is_none(), "unknown Gemeinde {name} has an AGS");
                p.unknown_gemeinde += 1;
            }
        }
    }
    p
}

#[test]
fn deliberate_defects_are_exactly_countable() {
    let (_dir, files) = sample();
    for (path, spec) in [
        (&files.bestand, &BESTAND_SHEET),
        (&files.neuvertrag, &NEUVERTRAG_SHEET),
        (&files.angebote, &ANGEBOTE_SHEET),
    ] {
        let sheet = Sheet::open(path, spec.sheet);
        assert_eq!(count_defects(&sheet, spec), spec.defects, "{}", spec.sheet);
    }
    // About 1 % text numbers and gaps, a handful of broken rows.
    let d = BESTAND_SHEET.defects;
    assert_eq!(d.text_numbers * 100, BESTAND_SHEET.records);
    assert_eq!(d.missing_bk * 100, BESTAND_SHEET.records);
}

/// NKM/m² per Vergleichsraum of the numeric, plausible rows of a sheet.
fn per_m2_by_vr(sheet: &Sheet, spec: &SampleSheet) -> HashMap<&'static str, Vec<f64>> {
    let header = sheet.header(spec.header_row);
    let rent_c =
        try_col(&header, "Nettokaltmiete (€)").unwrap_or_else(|| col(&header, "Kaltmiete (€)"));
    let area_c = col(&header, "Wohnfläche (m²)");
    let ags_c = col(&header, "AGS");
    let vr_of: HashMap<&str, &str> = sample_gemeinden()
        .iter()
        .map(|g| (g.ags, g.vergleichsraum))
        .collect();
    let mut out: HashMap<&'static str, Vec<f64>> = HashMap::new();
    for row in sheet.data(spec.header_row).into_iter().flatten() {
        let (Some(rent), Some(area), Some(ags)) =
            (num(&row[rent_c]), num(&row[area_c]), text(&row[ags_c]))
        else {
            continue;
        };
        if area > 0.0 && rent / area < 30.0 {
            let vr = vr_of[ags];
            out.entry(vr).or_default().push(rent / area);
        }
    }
    out
}

#[test]
fn nkm_per_m2_medians_follow_the_model() {
    let (_dir, files) = sample();
    let mut medians = Vec::new();
    for (path, spec) in [
        (&files.bestand, &BESTAND_SHEET),
        (&files.neuvertrag, &NEUVERTRAG_SHEET),
        (&files.angebote, &ANGEBOTE_SHEET),
    ] {
        let by_vr = per_m2_by_vr(&Sheet::open(path, spec.sheet), spec);
        let m: Vec<f64> = SAMPLE_VERGLEICHSRAEUME
            .iter()
            .map(|vr| median(by_vr[vr].clone()))
            .collect();
        eprintln!("{}: NKM/m² medians per VR {m:?}", spec.sheet);
        assert!(m[0] > m[1] && m[1] > m[2], "{}: {m:?}", spec.sheet);
        medians.push(m);
    }
    // Bestand near the intended levels 7,20 / 6,10 / 5,60 €/m².
    for (got, want) in medians[0].iter().zip([7.20, 6.10, 5.60]) {
        assert!(
            (got / want - 1.0).abs() < 0.06,
            "Bestand median {got} vs {want}"
        );
    }
    // Neuvertrag and Angebote above the Bestand (+8–15 % intended; wider bounds for sampling).
    for ((bestand, neuvertrag), angebot) in medians[0].iter().zip(&medians[1]).zip(&medians[2]) {
        let nv = neuvertrag / bestand;
        let an = angebot / bestand;
        assert!((1.03..1.22).contains(&nv), "Neuvertrag/Bestand {nv}");
        assert!((1.05..1.25).contains(&an), "Angebote/Bestand {an}");
    }
}

#[test]
fn bestand_looks_like_a_market() {
    let (_dir, files) = sample();
    let sheet = Sheet::open(&files.bestand, BESTAND_SHEET.sheet);
    let header = sheet.header(BESTAND_SHEET.header_row);
    let rows: Vec<&[Data]> = sheet
        .data(BESTAND_SHEET.header_row)
        .into_iter()
        .flatten()
        .collect();
    let n = rows.len() as f64;
    let share =
        |c: usize, f: &dyn Fn(&Data) -> bool| rows.iter().filter(|r| f(&r[c])).count() as f64 / n;

    let welfare = share(col(&header, "Leistungsbezug"), &|d| text(d) == Some("x"));
    assert!((0.12..0.18).contains(&welfare), "Leistungsbezug {welfare}");
    let landlord_c = col(&header, "Vermietertyp");
    let institutional = share(landlord_c, &|d| {
        matches!(
            text(d),
            Some("Genossenschaft" | "Wohnungsunternehmen" | "kommunal")
        )
    });
    assert!(institutional > 0.55, "institutionell {institutional}");
    assert_eq!(
        share(landlord_c, &|d| matches!(
            text(d),
            Some("privat" | "Genossenschaft" | "Wohnungsunternehmen" | "kommunal")
        )),
        1.0
    );
    for (flag, lo, hi) in [
        ("möbliert", 0.001, 0.02),
        ("gefördert", 0.02, 0.12),
        ("Werkswohnung", 0.001, 0.02),
    ] {
        let s = share(col(&header, flag), &|d| text(d) == Some("x"));
        assert!((lo..hi).contains(&s), "{flag} {s}");
    }
    let lift = share(col(&header, "Aufzug"), &|d| text(d) == Some("ja"));
    assert!((0.08..0.35).contains(&lift), "Aufzug {lift}");
    assert_eq!(
        share(col(&header, "Aufzug"), &|d| matches!(
            text(d),
            Some("ja" | "nein")
        )),
        1.0
    );

    // Contract dates over 20 years; the 4-year rule keeps some but not all contracts.
    let stichtag = sample_stichtag();
    let start_c = col(&header, "Mietbeginn");
    let change_c = col(&header, "letzte Mietänderung");
    let baujahr_c = col(&header, "Baujahr");
    let mut recent = 0;
    let mut changed = 0;
    let mut oldest = stichtag;
    for r in &rows {
        let start = date(&r[start_c]).unwrap();
        assert!(start < stichtag && start >= stichtag.minus_years(20));
        if let Some(built) = num(&r[baujahr_c]) {
            assert!(
                f64::from(start.ymd().0) >= built,
                "Mietbeginn {start} vor Baujahr {built}"
            );
        }
        oldest = oldest.min(start);
        let last = match date(&r[change_c]) {
            Some(c) => {
                assert!(c > start && c < stichtag);
                changed += 1;
                c
            }
            None => start,
        };
        if last >= stichtag.minus_years(4) {
            recent += 1;
        }
    }
    assert!(oldest < stichtag.minus_years(18));
    let recent = f64::from(recent) / n;
    let changed = f64::from(changed) / n;
    eprintln!(
        "Bestand: Leistungsbezug {welfare:.3}, institutionell {institutional:.3}, Aufzug {lift:.3}, \
         Vertrag/Änderung ≤ 4 Jahre {recent:.3}, mit Mietänderung {changed:.3}"
    );
    assert!((0.3..0.75).contains(&recent), "within 4 years {recent}");
    assert!((0.2..0.55).contains(&changed), "with rent change {changed}");

    // kalte BK mostly 1,60–2,60 €/m².
    let area_c = col(&header, "Wohnfläche (m²)");
    let bk_c = col(&header, "kalte Betriebskosten (€/Monat)");
    let bk: Vec<f64> = rows
        .iter()
        .filter_map(|r| Some(num(&r[bk_c])? / num(&r[area_c]).filter(|a| *a > 0.0)?))
        .collect();
    let typical = bk.iter().filter(|b| (1.6..=2.6).contains(*b)).count() as f64 / bk.len() as f64;
    assert!(typical > 0.8, "BK 1,60–2,60 share {typical}");

    // Every Gemeinde has Bestand records; Kleinau only a few (coverage warning).
    let ags_c = col(&header, "AGS");
    for g in sample_gemeinden() {
        let count = rows
            .iter()
            .filter(|r| text(&r[ags_c]) == Some(g.ags))
            .count();
        if g.name == "Kleinau" {
            assert!((1..=10).contains(&count), "Kleinau {count}");
        } else {
            assert!(count >= 40, "{} {count}", g.name);
        }
    }
}

#[test]
fn offers_have_window_heating_flag_and_duplicates() {
    let (_dir, files) = sample();
    let sheet = Sheet::open(&files.angebote, ANGEBOTE_SHEET.sheet);
    let header = sheet.header(ANGEBOTE_SHEET.header_row);
    let rows: Vec<&[Data]> = sheet
        .data(ANGEBOTE_SHEET.header_row)
        .into_iter()
        .flatten()
        .collect();
    let stichtag = sample_stichtag();
    let date_c = col(&header, "Angebotsdatum");
    let incl_c = col(&header, "NK inkl. Heizung");
    let hk_c = col(&header, "Heizkosten (€)");
    let mut incl = 0;
    for r in &rows {
        let d = date(&r[date_c]).unwrap();
        assert!(d < stichtag && d >= stichtag.minus_months(18), "{d}");
        match text(&r[incl_c]) {
            Some("ja") => {
                incl += 1;
                assert!(matches!(r[hk_c], Data::Empty));
            }
            Some("nein") => {}
            other => panic!("NK inkl. Heizung {other:?}"),
        }
    }
    let incl = f64::from(incl) / rows.len() as f64;
    assert!((0.1..0.3).contains(&incl), "NK inkl. Heizung {incl}");

    // Duplicates: same PLZ, area ± 0,5 m², rent ± 0,5 %.
    let plz_c = col(&header, "PLZ");
    let area_c = col(&header, "Wohnfläche (m²)");
    let rent_c = col(&header, "Kaltmiete (€)");
    let offers: Vec<(&str, f64, f64)> = rows
        .iter()
        .filter_map(|r| Some((text(&r[plz_c])?, num(&r[area_c])?, num(&r[rent_c])?)))
        .filter(|o| o.1 > 0.0)
        .collect();
    let (mut exact, mut near) = (0, 0);
    for (i, a) in offers.iter().enumerate() {
        for b in &offers[i + 1..] {
            if a.0 != b.0 {
                continue;
            }
            if a.1 == b.1 && a.2 == b.2 {
                exact += 1;
            } else if (a.1 - b.1).abs() <= 0.5 && (a.2 - b.2).abs() <= 0.005 * a.2.max(b.2) {
                near += 1;
            }
        }
    }
    assert_eq!(exact, ANGEBOTE_EXACT_DUPLICATES);
    assert_eq!(near, ANGEBOTE_NEAR_DUPLICATES);
}

#[test]
fn gemeinden_workbook_matches_the_table() {
    let (_dir, files) = sample();
    let sheet = Sheet::open(&files.gemeinden, GEMEINDEN_SHEET.sheet);
    assert_eq!(GEMEINDEN_SHEET.header_row, 3);
    assert!(
        text(&sheet.row(1)[0])
            .unwrap()
            .contains("Landkreis Musterland")
    );
    assert_eq!(
        sheet.header(GEMEINDEN_SHEET.header_row),
        [
            "AGS",
            "Gemeinde",
            "Vergleichsraum",
            "Einwohner",
            "Mietwohnungsbestand",
            "Mietstufe"
        ]
    );
    let rows: Vec<&[Data]> = sheet
        .data(GEMEINDEN_SHEET.header_row)
        .into_iter()
        .flatten()
        .collect();
    let gemeinden = sample_gemeinden();
    assert!(gemeinden.len() >= 10);
    assert_eq!(rows.len(), gemeinden.len());
    assert_eq!(rows.len(), GEMEINDEN_SHEET.records);
    for (r, g) in rows.iter().zip(&gemeinden) {
        assert_eq!(text(&r[0]), Some(g.ags));
        assert_eq!(text(&r[1]), Some(g.name));
        assert_eq!(text(&r[2]), Some(g.vergleichsraum));
        assert_eq!(num(&r[3]), Some(f64::from(g.einwohner)));
        assert_eq!(num(&r[4]), Some(f64::from(g.mietwohnungen)));
        assert_eq!(num(&r[5]), Some(f64::from(g.mietstufe)));
    }
}

#[test]
fn bench_workbook_has_header_in_row_3_and_15_columns() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench/mietwerte_1000.xlsx");
    write_bench_workbook(&path, 1000, 7).unwrap();
    let sheet = Sheet::open(&path, BENCH_SHEET);
    assert_eq!(BENCH_HEADER_ROW, 3);
    assert!(
        text(&sheet.row(1)[0])
            .unwrap()
            .contains("Landkreis Musterland")
    );
    assert!(
        text(&sheet.row(2)[0])
            .unwrap()
            .starts_with("Stand: 01.01.2025")
    );
    let header = sheet.header(BENCH_HEADER_ROW);
    assert_eq!(header.len(), 15);
    assert_eq!(header, BENCH_HEADERS);
    let data = sheet.data(BENCH_HEADER_ROW);
    assert_eq!(data.len(), 1000);
    let start_c = col(&header, "Mietbeginn");
    for (i, row) in data.iter().enumerate() {
        let row = row.unwrap();
        assert_eq!(row.len(), 15);
        assert_eq!(num(&row[0]), Some((i + 1) as f64));
        let area = num(&row[5]).unwrap();
        let rent = num(&row[7]).unwrap();
        assert!((25.0..=140.0).contains(&area));
        assert!((3.0..16.0).contains(&(rent / area)));
        assert!(matches!(row[start_c], Data::DateTime(_)));
        assert!(text(&row[2]).unwrap().starts_with("05999"));
        assert!(text(&row[4]).is_some());
    }
    // Deterministic too.
    let again = dir.path().join("again.xlsx");
    write_bench_workbook(&again, 1000, 7).unwrap();
    assert_eq!(sha256(&path), sha256(&again));
}

#[test]
fn bench_workbook_refuses_more_rows_than_excel_holds() {
    let dir = tempfile::tempdir().unwrap();
    let err = write_bench_workbook(&dir.path().join("x.xlsx"), 2_000_000, 1).unwrap_err();
    assert!(matches!(err, SampleError::TooManyRows { .. }));
    assert!(err.to_string().starts_with("Zu viele Zeilen"), "{err}");
}
