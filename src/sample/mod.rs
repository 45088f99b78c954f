//! Seeded generator of the bundled sample data (the fictional „Landkreis Musterland“, NRW) and of
//! large benchmark workbooks.
//!
//! Everything here is fictional: the Kreis, the Gemeinden, the AGS (prefix `05999`, a Kreis that
//! does not exist in NRW), the PLZ and every rent. The generator uses its own PRNG
//! ([`SampleRng`], xoshiro256** seeded by SplitMix64) and its own `ln`/`exp` built from IEEE basic
//! operations only, so the same seed gives the same data on every platform and with every crate
//! update; [`write_sample_data`] additionally pins the workbook creation time, so the same seed
//! gives byte-identical files with the same `rust_xlsxwriter` version.
//!
//! # The data-generating model
//!
//! * **Flat size**: a mixture of five household-size components (means 36/54/71/88/108 m²), shifted
//!   towards small flats in the Kreisstadt and for benefit recipients, truncated to 25–140 m².
//! * **NKM/m²**: lognormal around a Vergleichsraum level (Musterstadt 7,20 €, Nordkreis 6,10 €,
//!   Südkreis 5,60 €) times a Gemeinde factor, falling with flat size (`(area/65)^-0.12`), rising
//!   with newer Baujahr, lower for Genossenschaft/kommunal landlords, a time factor of about
//!   −1,9 % per year since the last rent adjustment (so the 4-year rule matters), about +10 % for
//!   Neuvertrag and about +14 % for Angebote, −18 % for geförderte, +25 % for möblierte flats.
//! * **kalte BK**: lognormal around 1,90 €/m² (+15 % with Aufzug), mostly 1,60–2,60 €/m²; private
//!   landlords often ask round prepayments. **Heizkosten** by Baualter (0,65–1,35 €/m²).
//! * **Vermietertyp**: institutional landlords over-represented in the Bestand survey (≈ 64 %).
//! * **Leistungsbezug** ≈ 15 % in the Bestand, fewer among Neuverträge, none among offers.
//! * **Boundaries** (`gemeinden.geojson`): a deformed 4 × 3 grid with wiggled shared borders,
//!   laid out so every Vergleichsraum is contiguous (see `boundaries`).
//! * **Dates**: Bestand contracts over 20 years before the Stichtag 01.01.2025 with a last rent
//!   change for about 40 %; Neuverträge 2023–2024; offers within the 18 months before the
//!   Stichtag, with deliberate exact and near duplicates.
//!
//! # Deliberate defects (every file, counts in [`DefectPlan`])
//!
//! | defect | what the cell holds |
//! |---|---|
//! | `text_numbers` | rent as `"467,21 €"`, area as `"55 m²"`/`"55,3 m²"`, BK as `"123,40"` (cycled) |
//! | `text_dates` | every date cell of the row written as text `"01.07.2019"` |
//! | `missing_bk` | kalte BK (offers: Nebenkosten) empty |
//! | `missing_baujahr` | Baujahr empty |
//! | `missing_rent` | Nettokaltmiete/Kaltmiete empty |
//! | `keine_angabe` | `"k.A."` in the rent (even index) or the area (odd index) |
//! | `zero_area` | Wohnfläche `0` |
//! | `unknown_gemeinde` | Gemeinde `"Altenweiler"` (not in the table), AGS empty, PLZ `59950` |
//! | `nv_text` | the text `"#NV"` in the rent cell |
//! | `blank_rows` | one completely empty row inside the data |
//! | `annual_rent` | Nettokaltmiete per year instead of per month (NKM/m² > 30 €) |
//! | `bk_with_heating` | kalte BK includes heating (BK/m² > 3,50 €), Heizkosten empty |
//! | `stadt_prefix` | Gemeinde written `"Stadt Musterstadt"` (a name variant, not an error) |
//! | `lower_case_name` | Gemeinde name in lower case (a name variant) |
//! | `ags_only` | Gemeinde empty, only the AGS given (a name variant) |
//!
//! All defects and name variants sit on distinct rows, never in the tiny Gemeinde Kleinau and never
//! on duplicated offers, so a reader can count each of them exactly. Besides these, legitimately
//! empty cells exist: `letzte Mietänderung` (no change since Mietbeginn) and, in offers,
//! `Heizkosten` (included in the Nebenkosten or not stated).

mod boundaries;
mod columns;
mod defects;
mod flats;
mod kreis;
mod rng;
mod tables;
mod write;

pub use rng::SampleRng;

use crate::model::Date;
use columns::{BENCH_COLUMNS, cell_value};
use flats::{Kind, gen_flat};
use kreis::GEMEINDEN;
use rng::derive_seed;
use rust_xlsxwriter::{Workbook, XlsxError};
use std::path::{Path, PathBuf};
use tables::{build_offers, build_survey};
use thiserror::Error;
use write::{doc_properties, save_table, write_cell, write_frame, write_gemeinden};

// ------------------------------------------------------------------------------------------------
// Public constants and tables
// ------------------------------------------------------------------------------------------------

/// The seed of the bundled sample data.
pub const SAMPLE_SEED: u64 = 20250101;

/// The Land of the fictional Kreis (Nordrhein-Westfalen: Wohnflächen 50/65/80/95/110 m²).
pub const SAMPLE_LAND: &str = "NW";

/// The name of the fictional Kreis.
pub const SAMPLE_KREIS: &str = "Landkreis Musterland";

/// The three Vergleichsräume of the fictional Kreis.
pub const SAMPLE_VERGLEICHSRAEUME: [&str; 3] =
    ["VR 1 Musterstadt", "VR 2 Nordkreis", "VR 3 Südkreis"];

/// The Stichtag of the sample data: 01.01.2025.
pub fn sample_stichtag() -> Date {
    // 20 089 days after 1970-01-01 is 2025-01-01 (checked in the unit tests).
    Date::from_ymd(2025, 1, 1).unwrap_or(Date::from_days_since_epoch(20_089))
}

/// One Gemeinde of the fictional Kreis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleGemeinde {
    /// Fictional 8-digit AGS (prefix `05999`, a Kreis that does not exist).
    pub ags: &'static str,
    /// Fictional name.
    pub name: &'static str,
    /// Name of the Vergleichsraum (one of [`SAMPLE_VERGLEICHSRAEUME`]).
    pub vergleichsraum: &'static str,
    /// Population.
    pub einwohner: u32,
    /// Number of rental flats (Mietwohnungsbestand).
    pub mietwohnungen: u32,
    /// WoGG Mietstufe (2–4 here).
    pub mietstufe: u8,
}

/// The Gemeinden of the fictional „Landkreis Musterland“, in AGS order.
pub fn sample_gemeinden() -> Vec<SampleGemeinde> {
    GEMEINDEN
        .iter()
        .map(|g| SampleGemeinde {
            ags: g.ags,
            name: g.name,
            vergleichsraum: SAMPLE_VERGLEICHSRAEUME[g.vr],
            einwohner: g.einwohner,
            mietwohnungen: g.mietwohnungen,
            mietstufe: g.mietstufe,
        })
        .collect()
}

/// Paths of the sample workbooks written by [`write_sample_data`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleFiles {
    /// Bestandsmieten.
    pub bestand: PathBuf,
    /// Neuvertragsmieten.
    pub neuvertrag: PathBuf,
    /// Angebotsmieten.
    pub angebote: PathBuf,
    /// The Gemeinde table.
    pub gemeinden: PathBuf,
    /// The Gemeinde boundaries (GeoJSON).
    pub boundaries: PathBuf,
}

/// How many rows of each deliberate defect a sample sheet contains (see the module docs).
/// Each count is exact and every defect sits on its own row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DefectPlan {
    /// Numbers stored as text with German separators or units (`"467,21 €"`, `"55 m²"`, `"123,40"`).
    pub text_numbers: usize,
    /// Rows whose date cells are text (`"01.07.2019"`).
    pub text_dates: usize,
    /// Empty kalte Betriebskosten (offers: Nebenkosten).
    pub missing_bk: usize,
    /// Empty Baujahr.
    pub missing_baujahr: usize,
    /// Empty rent.
    pub missing_rent: usize,
    /// `"k.A."` in the rent or the area.
    pub keine_angabe: usize,
    /// Wohnfläche 0.
    pub zero_area: usize,
    /// A Gemeinde name that is not in the table, without AGS.
    pub unknown_gemeinde: usize,
    /// The text `"#NV"` in the rent.
    pub nv_text: usize,
    /// Completely empty rows inside the data.
    pub blank_rows: usize,
    /// Rent per year instead of per month.
    pub annual_rent: usize,
    /// Kalte BK including heating (implausibly high BK/m²), Heizkosten empty.
    pub bk_with_heating: usize,
    /// Name variant `"Stadt Musterstadt"`.
    pub stadt_prefix: usize,
    /// Name variant in lower case.
    pub lower_case_name: usize,
    /// Only the AGS, no Gemeinde name.
    pub ags_only: usize,
}

impl DefectPlan {
    /// No defects at all.
    pub const NONE: DefectPlan = DefectPlan {
        text_numbers: 0,
        text_dates: 0,
        missing_bk: 0,
        missing_baujahr: 0,
        missing_rent: 0,
        keine_angabe: 0,
        zero_area: 0,
        unknown_gemeinde: 0,
        nv_text: 0,
        blank_rows: 0,
        annual_rent: 0,
        bk_with_heating: 0,
        stadt_prefix: 0,
        lower_case_name: 0,
        ags_only: 0,
    };
}

/// Description of one generated sample sheet: where its header is and what it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SampleSheet {
    /// File name inside the sample directory.
    pub file_name: &'static str,
    /// Sheet name.
    pub sheet: &'static str,
    /// Excel row number (1-based) of the header row.
    pub header_row: u32,
    /// Number of non-blank data rows (records, including broken rows and duplicates).
    pub records: usize,
    /// The deliberate defects.
    pub defects: DefectPlan,
}

/// The Bestandsmieten sheet: three title rows (title, Stand, blank), header in row 4.
pub const BESTAND_SHEET: SampleSheet = SampleSheet {
    file_name: "bestandsmieten.xlsx",
    sheet: "Bestandsmieten",
    header_row: 4,
    records: 3000,
    defects: DefectPlan {
        text_numbers: 30,
        text_dates: 90,
        missing_bk: 30,
        missing_baujahr: 30,
        missing_rent: 2,
        keine_angabe: 2,
        zero_area: 1,
        unknown_gemeinde: 1,
        nv_text: 1,
        blank_rows: 1,
        annual_rent: 1,
        bk_with_heating: 5,
        stadt_prefix: 20,
        lower_case_name: 15,
        ags_only: 25,
    },
};

/// The Neuvertragsmieten sheet: two title rows, header in row 3.
pub const NEUVERTRAG_SHEET: SampleSheet = SampleSheet {
    file_name: "neuvertragsmieten.xlsx",
    sheet: "Neuvertragsmieten",
    header_row: 3,
    records: 600,
    defects: DefectPlan {
        text_numbers: 6,
        text_dates: 15,
        missing_bk: 6,
        missing_baujahr: 6,
        missing_rent: 1,
        keine_angabe: 1,
        zero_area: 1,
        unknown_gemeinde: 1,
        nv_text: 1,
        blank_rows: 1,
        annual_rent: 0,
        bk_with_heating: 2,
        stadt_prefix: 5,
        lower_case_name: 4,
        ags_only: 6,
    },
};

/// The Angebotsmieten sheet: three title rows (title, window, blank), header in row 4.
/// `records` includes [`ANGEBOTE_EXACT_DUPLICATES`] + [`ANGEBOTE_NEAR_DUPLICATES`] duplicate rows.
pub const ANGEBOTE_SHEET: SampleSheet = SampleSheet {
    file_name: "angebotsmieten.xlsx",
    sheet: "Angebote",
    header_row: 4,
    records: 1200,
    defects: DefectPlan {
        text_numbers: 12,
        text_dates: 30,
        missing_bk: 12,
        missing_baujahr: 12,
        missing_rent: 1,
        keine_angabe: 1,
        zero_area: 1,
        unknown_gemeinde: 1,
        nv_text: 1,
        blank_rows: 1,
        annual_rent: 0,
        bk_with_heating: 0,
        stadt_prefix: 8,
        lower_case_name: 6,
        ags_only: 10,
    },
};

/// The Gemeinde table: title row, blank row, header in row 3, one row per Gemeinde, no defects.
pub const GEMEINDEN_SHEET: SampleSheet = SampleSheet {
    file_name: "gemeinden.xlsx",
    sheet: "Gemeinden",
    header_row: 3,
    records: GEMEINDEN.len(),
    defects: DefectPlan::NONE,
};

/// File name of the generated Gemeinde boundaries (GeoJSON, WGS84 longitude/latitude).
pub const BOUNDARIES_FILE: &str = "gemeinden.geojson";

/// Offers that repeat another offer exactly (same PLZ, area and rent; date within two weeks,
/// often on another portal).
pub const ANGEBOTE_EXACT_DUPLICATES: usize = 20;

/// Offers that repeat another offer nearly (same PLZ, area ± 0,45 m², rent ± 0,45 %, date within
/// 45 days). No other pair of offers comes that close (area ± 1,2 m² and rent ± 1,2 %).
pub const ANGEBOTE_NEAR_DUPLICATES: usize = 30;

/// Excel row number (1-based) of the header of a benchmark workbook (titles in rows 1–2).
pub const BENCH_HEADER_ROW: u32 = 3;

/// Sheet name of a benchmark workbook.
pub const BENCH_SHEET: &str = "Mietwerte";

/// The 15 column headers of a benchmark workbook.
pub const BENCH_HEADERS: [&str; 15] = [
    "Lfd. Nr.",
    "Gemeinde",
    "AGS",
    "PLZ",
    "Ortsteil",
    "Wohnfläche (m²)",
    "Zimmer",
    "Nettokaltmiete (€)",
    "kalte Betriebskosten (€)",
    "Heizkosten (€)",
    "Baujahr",
    "Mietbeginn",
    "Vermietertyp",
    "Aufzug",
    "Leistungsbezug",
];

/// The most data rows a benchmark workbook can hold (Excel's 1 048 576 rows minus titles and header).
pub const BENCH_MAX_ROWS: usize = 1_048_576 - BENCH_HEADER_ROW as usize;

/// Writing the sample or benchmark data failed. Messages are German, the path comes last.
#[derive(Debug, Error)]
pub enum SampleError {
    /// The target directory could not be created.
    #[error("Das Verzeichnis für die Beispieldaten kann nicht angelegt werden: {source} ({path})")]
    CreateDir {
        /// The directory.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The workbook could not be built or saved.
    #[error("Die Arbeitsmappe kann nicht geschrieben werden: {source} ({path})")]
    Write {
        /// The workbook file.
        path: String,
        /// The writer's error.
        source: XlsxError,
    },
    /// A text file could not be written.
    #[error("Die Datei kann nicht geschrieben werden: {detail} ({path})")]
    File {
        /// The file.
        path: String,
        /// What went wrong, in German.
        detail: String,
    },
    /// More rows were requested than an Excel sheet can hold.
    #[error(
        "Zu viele Zeilen: {rows} angefordert, höchstens {max} passen in ein Excel-Tabellenblatt"
    )]
    TooManyRows {
        /// Requested rows.
        rows: usize,
        /// The maximum.
        max: usize,
    },
}

// ------------------------------------------------------------------------------------------------
// Public entry points
// ------------------------------------------------------------------------------------------------

/// Writes the sample workbooks into `dir` (created if missing). Same seed → byte-identical files.
///
/// The files are [`BESTAND_SHEET`], [`NEUVERTRAG_SHEET`], [`ANGEBOTE_SHEET`],
/// [`GEMEINDEN_SHEET`] and the boundaries [`BOUNDARIES_FILE`]; each file draws from its own
/// stream derived from `seed`.
pub fn write_sample_data(dir: &Path, seed: u64) -> Result<SampleFiles, SampleError> {
    std::fs::create_dir_all(dir).map_err(|source| SampleError::CreateDir {
        path: dir.display().to_string(),
        source,
    })?;
    let files = SampleFiles {
        bestand: dir.join(BESTAND_SHEET.file_name),
        neuvertrag: dir.join(NEUVERTRAG_SHEET.file_name),
        angebote: dir.join(ANGEBOTE_SHEET.file_name),
        gemeinden: dir.join(GEMEINDEN_SHEET.file_name),
        boundaries: dir.join(BOUNDARIES_FILE),
    };
    write_gemeinden(&files.gemeinden, seed)?;
    boundaries::write_boundaries(&files.boundaries, seed)?;

    let bestand = build_survey(Kind::Bestand, &BESTAND_SHEET, derive_seed(seed, 1));
    save_table(&files.bestand, &bestand, seed)?;
    let neuvertrag = build_survey(Kind::Neuvertrag, &NEUVERTRAG_SHEET, derive_seed(seed, 2));
    save_table(&files.neuvertrag, &neuvertrag, seed)?;
    let angebote = build_offers(derive_seed(seed, 3));
    save_table(&files.angebote, &angebote, seed)?;
    Ok(files)
}

/// A large benchmark workbook: `rows` data rows, 15 columns ([`BENCH_HEADERS`]), 2 title rows +
/// header in Excel row 3, German headers. The data follow the Bestand model without defects.
/// The parent directory is created if missing.
pub fn write_bench_workbook(path: &Path, rows: usize, seed: u64) -> Result<(), SampleError> {
    if rows > BENCH_MAX_ROWS {
        return Err(SampleError::TooManyRows {
            rows,
            max: BENCH_MAX_ROWS,
        });
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|source| SampleError::CreateDir {
            path: parent.display().to_string(),
            source,
        })?;
    }
    let wrap = |source: XlsxError| SampleError::Write {
        path: path.display().to_string(),
        source,
    };
    let mut workbook = Workbook::new();
    workbook.set_properties(&doc_properties("Benchmark-Mietwerte (fiktiv)", seed).map_err(wrap)?);
    let ws = workbook.add_worksheet();
    ws.set_name(BENCH_SHEET).map_err(wrap)?;
    let titles = [
        format!("Mietwerterhebung {SAMPLE_KREIS} – Benchmark-Datei (fiktive Daten)"),
        format!(
            "Stand: {} – {} Datensätze, Seed {seed}",
            sample_stichtag().german(),
            rows
        ),
    ];
    write_frame(ws, &titles, &BENCH_COLUMNS, BENCH_HEADER_ROW).map_err(wrap)?;

    let mut rng = SampleRng::new(derive_seed(seed, 4));
    let weights: Vec<f64> = GEMEINDEN
        .iter()
        .map(|g| f64::from(g.mietwohnungen) * g.survey_factor)
        .collect();
    let first = BENCH_HEADER_ROW; // 0-based index of the first data row
    for i in 0..rows {
        let g = rng.pick(&weights);
        let flat = gen_flat(&mut rng, Kind::Bestand, g);
        let r = first + i as u32;
        for (c, spec) in BENCH_COLUMNS.iter().enumerate() {
            let cell = cell_value(spec.col, &flat, i + 1);
            write_cell(ws, r, c as u16, &cell).map_err(wrap)?;
        }
    }
    workbook.save(path).map_err(wrap)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stichtag_is_2025_01_01() {
        assert_eq!(sample_stichtag().iso(), "2025-01-01");
        assert_eq!(
            Date::from_days_since_epoch(20_089),
            Date::from_ymd(2025, 1, 1).unwrap()
        );
    }

    #[test]
    fn gemeinden_table() {
        let gs = sample_gemeinden();
        assert!(gs.len() >= 10);
        let mut ags: Vec<&str> = gs.iter().map(|g| g.ags).collect();
        ags.sort_unstable();
        ags.dedup();
        assert_eq!(ags.len(), gs.len());
        for g in &gs {
            assert_eq!(g.ags.len(), 8);
            assert!(g.ags.starts_with("05999"));
            assert!((2..=4).contains(&g.mietstufe));
            assert!(SAMPLE_VERGLEICHSRAEUME.contains(&g.vergleichsraum));
        }
        for vr in SAMPLE_VERGLEICHSRAEUME {
            assert!(gs.iter().any(|g| g.vergleichsraum == vr));
        }
    }
}
