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

use crate::model::Date;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};
use std::path::{Path, PathBuf};
use thiserror::Error;

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
/// The files are [`BESTAND_SHEET`], [`NEUVERTRAG_SHEET`], [`ANGEBOTE_SHEET`] and
/// [`GEMEINDEN_SHEET`]; each data file draws from its own stream derived from `seed`.
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
    };
    write_gemeinden(&files.gemeinden, seed)?;

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

// ------------------------------------------------------------------------------------------------
// Deterministic PRNG and maths
// ------------------------------------------------------------------------------------------------

/// A small deterministic PRNG: xoshiro256** seeded through SplitMix64, with uniform, normal
/// (Marsaglia polar method) and lognormal draws. Its output never changes with a crate update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleRng {
    s: [u64; 4],
}

impl SampleRng {
    /// A generator seeded from `seed` (SplitMix64 expands it into the 256-bit state).
    pub fn new(seed: u64) -> SampleRng {
        let mut sm = seed;
        let mut s = [0u64; 4];
        for slot in &mut s {
            *slot = splitmix64(&mut sm);
        }
        SampleRng { s }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform in `[0, 1)` with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in `[lo, hi)`.
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.uniform()
    }

    /// Uniform integer in `0..n` (0 for `n == 0`).
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.uniform() < p
    }

    /// Standard normal draw (Marsaglia polar method, spare value discarded).
    pub fn normal(&mut self) -> f64 {
        loop {
            let u = 2.0 * self.uniform() - 1.0;
            let v = 2.0 * self.uniform() - 1.0;
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                return u * (-2.0 * det_ln(s) / s).sqrt();
            }
        }
    }

    /// Lognormal draw `exp(mu + sigma·Z)`; its median is `exp(mu)`.
    pub fn lognormal(&mut self, mu: f64, sigma: f64) -> f64 {
        det_exp(mu + sigma * self.normal())
    }

    /// An index drawn with probability proportional to `weights` (0 for empty or all-zero weights).
    pub fn pick(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        if weights.is_empty() || total <= 0.0 {
            return 0;
        }
        let mut u = self.uniform() * total;
        for (i, w) in weights.iter().enumerate() {
            if u < *w {
                return i;
            }
            u -= w;
        }
        weights.len() - 1
    }

    /// Shuffles `items` in place (Fisher–Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// An independent stream seed for part `part` of the data.
fn derive_seed(seed: u64, part: u64) -> u64 {
    let mut s = seed ^ part.wrapping_mul(0xD1B5_4A32_D192_ED03);
    splitmix64(&mut s)
}

/// ln 2, upper part with trailing zero bits (fdlibm's `ln2_hi`), so `k·LN2_HI` is exact.
const LN2_HI: f64 = f64::from_bits(0x3FE6_2E42_FEE0_0000);
/// ln 2 − `LN2_HI` (fdlibm's `ln2_lo`).
const LN2_LO: f64 = f64::from_bits(0x3DEA_39EF_3579_3C76);

/// `2^k` for `k` in the normal exponent range.
fn pow2(k: i32) -> f64 {
    f64::from_bits(((k.clamp(-1022, 1023) + 1023) as u64) << 52)
}

/// `exp(x)` from basic IEEE operations only (platform-independent; relative error ≈ 1e-16).
fn det_exp(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    if x > 709.0 {
        return f64::INFINITY;
    }
    if x < -708.0 {
        return 0.0;
    }
    let k = (x / std::f64::consts::LN_2).round();
    let r = (x - k * LN2_HI) - k * LN2_LO;
    let mut sum = 1.0;
    let mut term = 1.0;
    for i in 1..=15 {
        term *= r / f64::from(i);
        sum += term;
    }
    sum * pow2(k as i32)
}

/// Natural logarithm from basic IEEE operations only (platform-independent); NaN for `x <= 0`.
fn det_ln(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return f64::NAN;
    }
    if x.is_infinite() {
        return x;
    }
    let (x, shift) = if x < f64::MIN_POSITIVE {
        (x * pow2(54), -54)
    } else {
        (x, 0)
    };
    let bits = x.to_bits();
    let mut e = ((bits >> 52) & 0x7ff) as i32 - 1023 + shift;
    let mut m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    if m > std::f64::consts::SQRT_2 {
        m *= 0.5;
        e += 1;
    }
    // ln(m) = 2·atanh(s), s = (m − 1)/(m + 1), |s| ≤ 0.172.
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let mut term = s;
    let mut sum = 0.0;
    for k in 0..14 {
        sum += term / f64::from(2 * k + 1);
        term *= s2;
    }
    let e = f64::from(e);
    e * LN2_HI + (e * LN2_LO + 2.0 * sum)
}

fn round_to(x: f64, step: f64) -> f64 {
    (x / step).round() * step
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// German number text with `.` thousands and `,` decimal separator.
fn german_number(value: f64, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, value.abs());
    let (int_part, frac) = text.split_once('.').unwrap_or((text.as_str(), ""));
    let mut out = String::new();
    if value < 0.0 {
        out.push('-');
    }
    for (i, ch) in int_part.chars().enumerate() {
        if i > 0 && (int_part.len() - i) % 3 == 0 {
            out.push('.');
        }
        out.push(ch);
    }
    if !frac.is_empty() {
        out.push(',');
        out.push_str(frac);
    }
    out
}

// ------------------------------------------------------------------------------------------------
// The fictional Kreis
// ------------------------------------------------------------------------------------------------

struct GemeindeDef {
    ags: &'static str,
    name: &'static str,
    vr: usize,
    einwohner: u32,
    mietwohnungen: u32,
    mietstufe: u8,
    plz: &'static [&'static str],
    ortsteile: &'static [&'static str],
    /// Local rent level relative to the Vergleichsraum level.
    rent_factor: f64,
    /// Survey intensity relative to the Kreis average (records per rental flat).
    survey_factor: f64,
    /// Fixed record counts (Bestand, Neuvertrag, Angebote originals) for the tiny village.
    fixed: Option<[usize; 3]>,
}

/// Index of Musterstadt in [`GEMEINDEN`].
const MUSTERSTADT: usize = 0;

/// Names may coincide with real places elsewhere; the Kreis and the AGS (`05999…`) do not exist.
/// Kleinau is the tiny village with very few records (a realistic coverage warning); no Gemeinde
/// is without Bestand records.
const GEMEINDEN: [GemeindeDef; 11] = [
    GemeindeDef {
        ags: "05999004",
        name: "Musterstadt",
        vr: 0,
        einwohner: 52_400,
        mietwohnungen: 12_600,
        mietstufe: 4,
        plz: &["59901", "59902", "59903"],
        ortsteile: &[
            "Innenstadt",
            "Nordviertel",
            "Südstadt",
            "Am Schlossberg",
            "Weststadt",
        ],
        rent_factor: 1.0,
        survey_factor: 1.15,
        fixed: None,
    },
    GemeindeDef {
        ags: "05999008",
        name: "Lindenfeld",
        vr: 0,
        einwohner: 14_300,
        mietwohnungen: 2_650,
        mietstufe: 3,
        plz: &["59911"],
        ortsteile: &["Lindenfeld", "Oberlinden", "Unterlinden"],
        rent_factor: 0.95,
        survey_factor: 1.0,
        fixed: None,
    },
    GemeindeDef {
        ags: "05999012",
        name: "Bachhausen",
        vr: 0,
        einwohner: 9_800,
        mietwohnungen: 1_590,
        mietstufe: 3,
        plz: &["59913"],
        ortsteile: &["Bachhausen", "Mühlengrund"],
        rent_factor: 0.93,
        survey_factor: 0.95,
        fixed: None,
    },
    GemeindeDef {
        ags: "05999016",
        name: "Nordheim",
        vr: 1,
        einwohner: 21_700,
        mietwohnungen: 4_350,
        mietstufe: 3,
        plz: &["59921", "59922"],
        ortsteile: &["Nordheim-Mitte", "Heidkamp", "Osterfeld"],
        rent_factor: 1.03,
        survey_factor: 1.0,
        fixed: None,
    },
    GemeindeDef {
        ags: "05999020",
        name: "Wiesenbrück",
        vr: 1,
        einwohner: 11_200,
        mietwohnungen: 1_920,
        mietstufe: 3,
        plz: &["59924"],
        ortsteile: &["Wiesenbrück", "Brückhof"],
        rent_factor: 0.99,
        survey_factor: 1.0,
        fixed: None,
    },
    GemeindeDef {
        ags: "05999024",
        name: "Eichtal",
        vr: 1,
        einwohner: 7_400,
        mietwohnungen: 1_080,
        mietstufe: 2,
        plz: &["59926"],
        ortsteile: &["Eichtal", "Eichberg"],
        rent_factor: 0.95,
        survey_factor: 0.85,
        fixed: None,
    },
    GemeindeDef {
        ags: "05999028",
        name: "Kleinau",
        vr: 1,
        einwohner: 1_850,
        mietwohnungen: 190,
        mietstufe: 2,
        plz: &["59928"],
        ortsteile: &["Kleinau"],
        rent_factor: 0.92,
        survey_factor: 0.4,
        fixed: Some([6, 2, 3]),
    },
    GemeindeDef {
        ags: "05999032",
        name: "Hohenberg",
        vr: 2,
        einwohner: 17_900,
        mietwohnungen: 3_480,
        mietstufe: 3,
        plz: &["59941", "59942"],
        ortsteile: &["Hohenberg", "Bergheide", "Talblick"],
        rent_factor: 1.04,
        survey_factor: 1.0,
        fixed: None,
    },
    GemeindeDef {
        ags: "05999036",
        name: "Talstedt",
        vr: 2,
        einwohner: 12_600,
        mietwohnungen: 2_210,
        mietstufe: 3,
        plz: &["59946"],
        ortsteile: &["Talstedt", "Auenweg"],
        rent_factor: 1.0,
        survey_factor: 1.0,
        fixed: None,
    },
    GemeindeDef {
        ags: "05999040",
        name: "Sonnendorf",
        vr: 2,
        einwohner: 8_900,
        mietwohnungen: 1_360,
        mietstufe: 2,
        plz: &["59944"],
        ortsteile: &["Sonnendorf", "Sonnenhang"],
        rent_factor: 0.95,
        survey_factor: 0.95,
        fixed: None,
    },
    GemeindeDef {
        ags: "05999044",
        name: "Birkenau-West",
        vr: 2,
        einwohner: 5_300,
        mietwohnungen: 760,
        mietstufe: 2,
        plz: &["59948"],
        ortsteile: &["Birkenau-West", "Birkenhof"],
        rent_factor: 0.93,
        survey_factor: 0.9,
        fixed: None,
    },
];

/// NKM/m² level per Vergleichsraum (Bestand, typical flat, typical contract age).
const VR_LEVEL: [f64; 3] = [7.20, 6.10, 5.60];
/// Calibration so that the Bestand medians land near [`VR_LEVEL`] despite the other factors.
const LEVEL_CALIBRATION: f64 = 1.073;

// ------------------------------------------------------------------------------------------------
// The flat model
// ------------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Bestand,
    Neuvertrag,
    Angebot,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Landlord {
    Privat,
    Genossenschaft,
    Wohnungsunternehmen,
    Kommunal,
}

impl Landlord {
    const ALL: [Landlord; 4] = [
        Landlord::Privat,
        Landlord::Genossenschaft,
        Landlord::Wohnungsunternehmen,
        Landlord::Kommunal,
    ];

    fn text(self) -> &'static str {
        match self {
            Landlord::Privat => "privat",
            Landlord::Genossenschaft => "Genossenschaft",
            Landlord::Wohnungsunternehmen => "Wohnungsunternehmen",
            Landlord::Kommunal => "kommunal",
        }
    }

    fn rent_factor(self) -> f64 {
        match self {
            Landlord::Privat => 1.0,
            Landlord::Genossenschaft => 0.91,
            Landlord::Wohnungsunternehmen => 0.98,
            Landlord::Kommunal => 0.90,
        }
    }

    fn institutional(self) -> bool {
        self != Landlord::Privat
    }
}

const PORTALS: [&str; 5] = [
    "ImmoPortal Nord",
    "Wohnungsbörse Musterland",
    "Kreisanzeiger",
    "Website Vermieter",
    "Kleinanzeigen",
];
const PORTAL_WEIGHTS: [f64; 5] = [0.35, 0.25, 0.10, 0.15, 0.15];

/// Baualtersklassen: (first year, last year, NKM factor, Heizkosten €/m² median).
const ERAS: [(i32, i32, f64, f64); 8] = [
    (1890, 1918, 1.00, 1.30),
    (1919, 1948, 0.96, 1.35),
    (1949, 1968, 0.93, 1.30),
    (1969, 1978, 0.95, 1.25),
    (1979, 1990, 0.99, 1.10),
    (1991, 2000, 1.04, 0.95),
    (2001, 2010, 1.09, 0.85),
    (2011, 2024, 1.20, 0.65),
];

/// Household-size components of the area mixture: (mean m², sd m², rooms).
const AREA_COMPONENTS: [(f64, f64, f64); 5] = [
    (36.0, 6.0, 1.0),
    (54.0, 7.0, 2.0),
    (71.0, 8.0, 3.0),
    (88.0, 10.0, 4.0),
    (108.0, 13.0, 5.0),
];

#[derive(Debug, Clone)]
struct Flat {
    gemeinde: usize,
    plz: &'static str,
    ortsteil: &'static str,
    area: f64,
    area_decimals: usize,
    rooms: f64,
    rent: f64,
    bk: f64,
    hk: f64,
    baujahr: i32,
    start: Option<Date>,
    last_change: Option<Date>,
    offer_date: Option<Date>,
    landlord: Landlord,
    lift: bool,
    welfare: bool,
    furnished: bool,
    subsidised: bool,
    company: bool,
    portal: &'static str,
    nk_incl_heating: bool,
    nebenkosten: f64,
    hk_stated: bool,
}

fn days_to_date(days: i32) -> Date {
    Date::from_days_since_epoch(days)
}

fn first_of_month(d: Date) -> Date {
    let (y, m, _) = d.ymd();
    Date::from_ymd(y, m, 1).unwrap_or(d)
}

/// Generates one flat of `kind` in Gemeinde `g`.
fn gen_flat(rng: &mut SampleRng, kind: Kind, g: usize) -> Flat {
    let def = &GEMEINDEN[g];
    let stichtag = sample_stichtag();
    let st_days = stichtag.days_since_epoch();

    // Landlord: institutional landlords are over-represented in surveys, private ones in offers.
    let landlord_w: [f64; 4] = match kind {
        Kind::Bestand => [0.36, 0.20, 0.29, 0.15],
        Kind::Neuvertrag => [0.48, 0.15, 0.25, 0.12],
        Kind::Angebot => [0.62, 0.08, 0.22, 0.08],
    };
    let landlord = Landlord::ALL[rng.pick(&landlord_w)];

    // Leistungsbezug.
    let welfare = match kind {
        Kind::Angebot => false,
        _ => {
            let vr_f = [1.2, 1.0, 0.95][def.vr];
            let ll_f = match landlord {
                Landlord::Privat => 0.65,
                Landlord::Genossenschaft => 1.3,
                Landlord::Wohnungsunternehmen => 1.25,
                Landlord::Kommunal => 1.6,
            };
            let base = if kind == Kind::Bestand { 0.125 } else { 0.10 };
            rng.chance(base * vr_f * ll_f)
        }
    };

    // Area: household-size mixture, smaller in the Kreisstadt and for benefit recipients.
    let comp_w: [f64; 5] = if welfare {
        [0.30, 0.33, 0.20, 0.11, 0.06]
    } else if def.vr == 0 {
        [0.17, 0.33, 0.28, 0.14, 0.08]
    } else {
        [0.10, 0.28, 0.32, 0.19, 0.11]
    };
    let comp = rng.pick(&comp_w);
    let (mean, sd, rooms) = AREA_COMPONENTS[comp];
    let mut area = mean + sd * rng.normal();
    for _ in 0..20 {
        if (25.0..=140.0).contains(&area) {
            break;
        }
        area = mean + sd * rng.normal();
    }
    let area = area.clamp(25.0, 140.0);
    let (area, area_decimals) = match rng.pick(&[0.6, 0.25, 0.15]) {
        0 => (round1(area), 1),
        1 => (area.round(), 0),
        _ => (round2(area), 2),
    };
    let rooms = if comp < 4 && rng.chance(0.1) {
        rooms + 0.5
    } else {
        rooms
    };

    // Baujahr.
    let era_w: [f64; 8] = match kind {
        Kind::Bestand => [6.0, 7.0, 26.0, 18.0, 14.0, 12.0, 7.0, 10.0],
        _ => [5.0, 6.0, 22.0, 16.0, 13.0, 12.0, 9.0, 17.0],
    };
    let era = rng.pick(&era_w);
    let (from, to, era_factor, hk_median) = ERAS[era];
    let baujahr = from + rng.below((to - from + 1) as usize) as i32;

    // Aufzug: rare in old and rural buildings.
    let lift_p = match baujahr {
        ..=1968 => 0.05,
        1969..=1990 => 0.25,
        _ => 0.35,
    } * if def.vr == 0 { 1.2 } else { 0.6 }
        + if landlord.institutional() { 0.05 } else { 0.0 };
    let lift = rng.chance(lift_p);

    // Special flags.
    let subsidised = baujahr >= 1950
        && rng.chance(match (kind, landlord.institutional()) {
            (Kind::Angebot, _) => 0.04,
            (_, true) => 0.10,
            (_, false) => 0.02,
        });
    let furnished = rng.chance(match kind {
        Kind::Angebot => 0.015,
        _ if comp == 0 => 0.02,
        _ => 0.004,
    });
    let company = kind != Kind::Angebot && rng.chance(0.005);

    // Dates and the time factor (rent relative to a contract with a 5-year-old adjustment).
    let mut start = None;
    let mut last_change = None;
    let mut offer_date = None;
    let time_factor = match kind {
        Kind::Bestand => {
            let t = if rng.chance(0.55) {
                let mut t = -5.5 * det_ln(1.0 - rng.uniform());
                while t >= 20.0 {
                    t = -5.5 * det_ln(1.0 - rng.uniform());
                }
                t
            } else {
                rng.range(0.0, 20.0)
            };
            // No contract before the building existed.
            let built = Date::from_ymd(baujahr, 1, 1).unwrap_or(stichtag.minus_years(20));
            let max_t = f64::from(st_days - built.days_since_epoch()) / 365.25;
            let t = if t > max_t {
                rng.range(0.05, max_t.max(0.1))
            } else {
                t.max(0.05)
            };
            let mut s = days_to_date(st_days - (t * 365.25).round() as i32);
            if rng.chance(0.9) {
                s = first_of_month(s);
            }
            if s >= stichtag {
                s = days_to_date(st_days - 31);
            }
            start = Some(s);
            let change_p = if landlord.institutional() { 0.55 } else { 0.30 };
            let lag = if t > 1.5 && rng.chance(change_p) {
                let ct = rng.range(0.1, t - 1.0);
                let c = first_of_month(days_to_date(st_days - (ct * 365.25).round() as i32));
                last_change = Some(c);
                ct + 0.35 * (t - ct)
            } else {
                t
            };
            det_exp(-0.019 * (lag - 5.0))
        }
        Kind::Neuvertrag => {
            let window = Date::from_ymd(2023, 1, 1).unwrap_or(stichtag.minus_years(2));
            let built = Date::from_ymd(baujahr, 1, 1).unwrap_or(window);
            let from = window.max(built);
            let span = st_days - from.days_since_epoch();
            let mut s = days_to_date(from.days_since_epoch() + rng.below(span as usize) as i32);
            if rng.chance(0.85) {
                s = first_of_month(s);
            }
            start = Some(s);
            let lag = f64::from(st_days - s.days_since_epoch()) / 365.25;
            det_exp(-0.019 * (lag - 5.0))
        }
        Kind::Angebot => {
            let from = stichtag.minus_months(18);
            let span = st_days - from.days_since_epoch();
            let d = days_to_date(from.days_since_epoch() + rng.below(span as usize) as i32);
            offer_date = Some(d);
            let before = f64::from(st_days - d.days_since_epoch()) / 365.25;
            det_exp(0.019 * 5.0) * det_exp(-0.025 * before)
        }
    };

    // NKM/m².
    let flag_factor = (if subsidised { 0.82 } else { 1.0 })
        * (if furnished { 1.25 } else { 1.0 })
        * (if company { 0.85 } else { 1.0 })
        * (if welfare { 0.97 } else { 1.0 })
        * (if lift { 1.03 } else { 1.0 });
    let sigma = match kind {
        Kind::Bestand => 0.13,
        Kind::Neuvertrag => 0.12,
        Kind::Angebot => 0.14,
    };
    let size_factor = det_exp(-0.12 * det_ln(area / 65.0));
    let per_m2 = VR_LEVEL[def.vr]
        * LEVEL_CALIBRATION
        * def.rent_factor
        * size_factor
        * era_factor
        * landlord.rent_factor()
        * flag_factor
        * time_factor
        * rng.lognormal(0.0, sigma);
    let per_m2 = per_m2.clamp(3.2, 15.5);
    let rent = round2(per_m2 * area);

    // Kalte Betriebskosten: private landlords often ask round prepayments.
    let bk_m2 = (1.90
        * if lift { 1.15 } else { 1.0 }
        * if landlord.institutional() { 1.04 } else { 1.0 }
        * if def.vr == 0 { 1.04 } else { 0.98 }
        * rng.lognormal(0.0, 0.11))
    .clamp(1.25, 3.2);
    let bk = if !landlord.institutional() && rng.chance(0.35) {
        round_to(bk_m2 * area, 5.0)
    } else {
        round2(bk_m2 * area)
    };

    // Heizkosten by Baualter.
    let hk_m2 = (hk_median * rng.lognormal(0.0, 0.18)).clamp(0.4, 2.6);
    let hk = if rng.chance(0.4) {
        round_to(hk_m2 * area, 5.0)
    } else {
        round2(hk_m2 * area)
    };

    // Offer specifics.
    let (portal, nk_incl_heating, nebenkosten, hk_stated) = if kind == Kind::Angebot {
        let portal = PORTALS[rng.pick(&PORTAL_WEIGHTS)];
        let incl = rng.chance(0.18);
        let nk = if incl { round_to(bk + hk, 5.0) } else { bk };
        (portal, incl, nk, !incl && rng.chance(0.7))
    } else {
        ("", false, bk, true)
    };

    let plz = def.plz[rng.below(def.plz.len())];
    let ortsteil = def.ortsteile[rng.below(def.ortsteile.len())];
    Flat {
        gemeinde: g,
        plz,
        ortsteil,
        area,
        area_decimals,
        rooms,
        rent,
        bk,
        hk,
        baujahr,
        start,
        last_change,
        offer_date,
        landlord,
        lift,
        welfare,
        furnished,
        subsidised,
        company,
        portal,
        nk_incl_heating,
        nebenkosten,
        hk_stated,
    }
}

/// Splits `total` in proportion to `weights` (largest remainder; ties by index).
fn allocate(total: usize, weights: &[f64]) -> Vec<usize> {
    let sum: f64 = weights.iter().sum();
    if sum <= 0.0 {
        return vec![0; weights.len()];
    }
    let exact: Vec<f64> = weights.iter().map(|w| w / sum * total as f64).collect();
    let mut counts: Vec<usize> = exact.iter().map(|e| e.floor() as usize).collect();
    let assigned: usize = counts.iter().sum();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        let ra = exact[a] - exact[a].floor();
        let rb = exact[b] - exact[b].floor();
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    for &i in order.iter().take(total.saturating_sub(assigned)) {
        counts[i] += 1;
    }
    counts
}

/// Record counts per Gemeinde for `total` records; `slot` selects the fixed count of the tiny
/// village (0 Bestand, 1 Neuvertrag, 2 Angebote).
fn gemeinde_counts(total: usize, slot: usize) -> Vec<usize> {
    let fixed: usize = GEMEINDEN
        .iter()
        .filter_map(|g| g.fixed.map(|f| f[slot]))
        .sum();
    let weights: Vec<f64> = GEMEINDEN
        .iter()
        .map(|g| match g.fixed {
            Some(_) => 0.0,
            None => f64::from(g.mietwohnungen) * g.survey_factor,
        })
        .collect();
    let mut counts = allocate(total.saturating_sub(fixed), &weights);
    for (c, g) in counts.iter_mut().zip(GEMEINDEN.iter()) {
        if let Some(f) = g.fixed {
            *c = f[slot];
        }
    }
    counts
}

// ------------------------------------------------------------------------------------------------
// Sheet layout and cells
// ------------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    LfdNr,
    OfferDate,
    Portal,
    Gemeinde,
    Ags,
    Plz,
    Ortsteil,
    Area,
    Rooms,
    Rent,
    Bk,
    Nebenkosten,
    NkInclHeating,
    Hk,
    Baujahr,
    Start,
    LastChange,
    Landlord,
    Lift,
    Welfare,
    Furnished,
    Subsidised,
    Company,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ColFmt {
    General,
    Integer,
    Decimal,
    Money,
    Date,
}

#[derive(Debug, Clone, Copy)]
struct ColumnSpec {
    col: Col,
    header: &'static str,
    width: f64,
    fmt: ColFmt,
}

const fn spec(col: Col, header: &'static str, width: f64, fmt: ColFmt) -> ColumnSpec {
    ColumnSpec {
        col,
        header,
        width,
        fmt,
    }
}

const BESTAND_COLUMNS: [ColumnSpec; 18] = [
    spec(Col::LfdNr, "Lfd. Nr.", 8.0, ColFmt::Integer),
    spec(Col::Gemeinde, "Gemeinde", 20.0, ColFmt::General),
    spec(Col::Ags, "AGS", 10.0, ColFmt::General),
    spec(Col::Plz, "PLZ", 7.0, ColFmt::General),
    spec(Col::Area, "Wohnfläche (m²)", 15.0, ColFmt::Decimal),
    spec(Col::Rooms, "Zimmer", 8.0, ColFmt::General),
    spec(Col::Rent, "Nettokaltmiete (€)", 17.0, ColFmt::Money),
    spec(
        Col::Bk,
        "kalte Betriebskosten (€/Monat)",
        27.0,
        ColFmt::Money,
    ),
    spec(Col::Hk, "Heizkosten (€/Monat)", 19.0, ColFmt::Money),
    spec(Col::Baujahr, "Baujahr", 8.0, ColFmt::Integer),
    spec(Col::Start, "Mietbeginn", 12.0, ColFmt::Date),
    spec(Col::LastChange, "letzte Mietänderung", 18.0, ColFmt::Date),
    spec(Col::Landlord, "Vermietertyp", 20.0, ColFmt::General),
    spec(Col::Lift, "Aufzug", 7.0, ColFmt::General),
    spec(Col::Welfare, "Leistungsbezug", 14.0, ColFmt::General),
    spec(Col::Furnished, "möbliert", 9.0, ColFmt::General),
    spec(Col::Subsidised, "gefördert", 9.0, ColFmt::General),
    spec(Col::Company, "Werkswohnung", 13.0, ColFmt::General),
];

const NEUVERTRAG_COLUMNS: [ColumnSpec; 17] = [
    spec(Col::LfdNr, "Lfd. Nr.", 8.0, ColFmt::Integer),
    spec(Col::Gemeinde, "Gemeinde", 20.0, ColFmt::General),
    spec(Col::Ags, "AGS", 10.0, ColFmt::General),
    spec(Col::Plz, "PLZ", 7.0, ColFmt::General),
    spec(Col::Area, "Wohnfläche (m²)", 15.0, ColFmt::Decimal),
    spec(Col::Rooms, "Zimmer", 8.0, ColFmt::General),
    spec(Col::Rent, "Nettokaltmiete (€)", 17.0, ColFmt::Money),
    spec(
        Col::Bk,
        "kalte Betriebskosten (€/Monat)",
        27.0,
        ColFmt::Money,
    ),
    spec(Col::Hk, "Heizkosten (€/Monat)", 19.0, ColFmt::Money),
    spec(Col::Baujahr, "Baujahr", 8.0, ColFmt::Integer),
    spec(Col::Start, "Mietbeginn", 12.0, ColFmt::Date),
    spec(Col::Landlord, "Vermietertyp", 20.0, ColFmt::General),
    spec(Col::Lift, "Aufzug", 7.0, ColFmt::General),
    spec(Col::Welfare, "Leistungsbezug", 14.0, ColFmt::General),
    spec(Col::Furnished, "möbliert", 9.0, ColFmt::General),
    spec(Col::Subsidised, "gefördert", 9.0, ColFmt::General),
    spec(Col::Company, "Werkswohnung", 13.0, ColFmt::General),
];

const ANGEBOTE_COLUMNS: [ColumnSpec; 16] = [
    spec(Col::LfdNr, "Lfd. Nr.", 8.0, ColFmt::Integer),
    spec(Col::OfferDate, "Angebotsdatum", 14.0, ColFmt::Date),
    spec(Col::Portal, "Portal", 24.0, ColFmt::General),
    spec(Col::Gemeinde, "Gemeinde", 20.0, ColFmt::General),
    spec(Col::Ags, "AGS", 10.0, ColFmt::General),
    spec(Col::Plz, "PLZ", 7.0, ColFmt::General),
    spec(Col::Area, "Wohnfläche (m²)", 15.0, ColFmt::Decimal),
    spec(Col::Rooms, "Zimmer", 8.0, ColFmt::General),
    spec(Col::Rent, "Kaltmiete (€)", 13.0, ColFmt::Money),
    spec(Col::Nebenkosten, "Nebenkosten (€)", 15.0, ColFmt::Money),
    spec(
        Col::NkInclHeating,
        "NK inkl. Heizung",
        15.0,
        ColFmt::General,
    ),
    spec(Col::Hk, "Heizkosten (€)", 14.0, ColFmt::Money),
    spec(Col::Baujahr, "Baujahr", 8.0, ColFmt::Integer),
    spec(Col::Lift, "Aufzug", 7.0, ColFmt::General),
    spec(Col::Furnished, "möbliert", 9.0, ColFmt::General),
    spec(Col::Subsidised, "gefördert", 9.0, ColFmt::General),
];

const BENCH_COLUMNS: [ColumnSpec; 15] = [
    spec(Col::LfdNr, BENCH_HEADERS[0], 8.0, ColFmt::Integer),
    spec(Col::Gemeinde, BENCH_HEADERS[1], 20.0, ColFmt::General),
    spec(Col::Ags, BENCH_HEADERS[2], 10.0, ColFmt::General),
    spec(Col::Plz, BENCH_HEADERS[3], 7.0, ColFmt::General),
    spec(Col::Ortsteil, BENCH_HEADERS[4], 16.0, ColFmt::General),
    spec(Col::Area, BENCH_HEADERS[5], 15.0, ColFmt::Decimal),
    spec(Col::Rooms, BENCH_HEADERS[6], 8.0, ColFmt::General),
    spec(Col::Rent, BENCH_HEADERS[7], 17.0, ColFmt::Money),
    spec(Col::Bk, BENCH_HEADERS[8], 22.0, ColFmt::Money),
    spec(Col::Hk, BENCH_HEADERS[9], 14.0, ColFmt::Money),
    spec(Col::Baujahr, BENCH_HEADERS[10], 8.0, ColFmt::Integer),
    spec(Col::Start, BENCH_HEADERS[11], 12.0, ColFmt::Date),
    spec(Col::Landlord, BENCH_HEADERS[12], 20.0, ColFmt::General),
    spec(Col::Lift, BENCH_HEADERS[13], 7.0, ColFmt::General),
    spec(Col::Welfare, BENCH_HEADERS[14], 14.0, ColFmt::General),
];

#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Empty,
    Num(f64),
    Text(String),
    Static(&'static str),
    Date(Date),
}

fn flag_x(b: bool) -> Cell {
    if b { Cell::Static("x") } else { Cell::Empty }
}

fn flag_ja(b: bool) -> Cell {
    Cell::Static(if b { "ja" } else { "nein" })
}

/// The clean cell of column `col` for `flat`, the row numbered `lfd_nr`.
fn cell_value(col: Col, flat: &Flat, lfd_nr: usize) -> Cell {
    let def = &GEMEINDEN[flat.gemeinde];
    match col {
        Col::LfdNr => Cell::Num(lfd_nr as f64),
        Col::OfferDate => flat.offer_date.map_or(Cell::Empty, Cell::Date),
        Col::Portal => Cell::Static(flat.portal),
        Col::Gemeinde => Cell::Static(def.name),
        Col::Ags => Cell::Static(def.ags),
        Col::Plz => Cell::Static(flat.plz),
        Col::Ortsteil => Cell::Static(flat.ortsteil),
        Col::Area => Cell::Num(flat.area),
        Col::Rooms => Cell::Num(flat.rooms),
        Col::Rent => Cell::Num(flat.rent),
        Col::Bk => Cell::Num(flat.bk),
        Col::Nebenkosten => Cell::Num(flat.nebenkosten),
        Col::NkInclHeating => flag_ja(flat.nk_incl_heating),
        Col::Hk => {
            if flat.hk_stated {
                Cell::Num(flat.hk)
            } else {
                Cell::Empty
            }
        }
        Col::Baujahr => Cell::Num(f64::from(flat.baujahr)),
        Col::Start => flat.start.map_or(Cell::Empty, Cell::Date),
        Col::LastChange => flat.last_change.map_or(Cell::Empty, Cell::Date),
        Col::Landlord => Cell::Static(flat.landlord.text()),
        Col::Lift => flag_ja(flat.lift),
        Col::Welfare => flag_x(flat.welfare),
        Col::Furnished => flag_x(flat.furnished),
        Col::Subsidised => flag_x(flat.subsidised),
        Col::Company => flag_x(flat.company),
    }
}

/// One generated table: titles, columns and rows (`None` = the blank row inside the data).
struct Table {
    sheet: &'static str,
    title: String,
    titles: Vec<String>,
    header_row: u32,
    columns: &'static [ColumnSpec],
    rows: Vec<Option<Vec<Cell>>>,
}

// ------------------------------------------------------------------------------------------------
// Defects
// ------------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Defect {
    TextNumber(usize),
    TextDate,
    MissingBk,
    MissingBaujahr,
    MissingRent,
    KeineAngabe(usize),
    ZeroArea,
    UnknownGemeinde,
    NvText,
    AnnualRent,
    BkWithHeating,
    StadtPrefix,
    LowerCase,
    AgsOnly,
}

/// Picks distinct rows for every defect of `plan` among the rows `eligible` allows.
fn plan_defects(
    rng: &mut SampleRng,
    flats: &[Flat],
    plan: &DefectPlan,
    eligible: &dyn Fn(usize) -> bool,
) -> Vec<Option<Defect>> {
    let mut assigned: Vec<Option<Defect>> = vec![None; flats.len()];
    let take = |rng: &mut SampleRng,
                assigned: &mut Vec<Option<Defect>>,
                n: usize,
                extra: &dyn Fn(&Flat) -> bool,
                make: &dyn Fn(usize) -> Defect| {
        let mut pool: Vec<usize> = (0..flats.len())
            .filter(|&i| assigned[i].is_none() && eligible(i) && extra(&flats[i]))
            .collect();
        for k in 0..n.min(pool.len()) {
            let j = k + rng.below(pool.len() - k);
            pool.swap(k, j);
            assigned[pool[k]] = Some(make(k));
        }
    };
    let any = |_: &Flat| true;
    // The rarest, most constrained defects first.
    take(
        rng,
        &mut assigned,
        plan.bk_with_heating,
        &|f: &Flat| (f.bk + f.hk) / f.area >= 3.6,
        &|_| Defect::BkWithHeating,
    );
    take(
        rng,
        &mut assigned,
        plan.stadt_prefix,
        &|f: &Flat| f.gemeinde == MUSTERSTADT,
        &|_| Defect::StadtPrefix,
    );
    take(rng, &mut assigned, plan.missing_rent, &any, &|_| {
        Defect::MissingRent
    });
    take(
        rng,
        &mut assigned,
        plan.keine_angabe,
        &any,
        &Defect::KeineAngabe,
    );
    take(rng, &mut assigned, plan.zero_area, &any, &|_| {
        Defect::ZeroArea
    });
    take(rng, &mut assigned, plan.unknown_gemeinde, &any, &|_| {
        Defect::UnknownGemeinde
    });
    take(rng, &mut assigned, plan.nv_text, &any, &|_| Defect::NvText);
    take(rng, &mut assigned, plan.annual_rent, &any, &|_| {
        Defect::AnnualRent
    });
    take(
        rng,
        &mut assigned,
        plan.text_numbers,
        &any,
        &Defect::TextNumber,
    );
    take(rng, &mut assigned, plan.text_dates, &any, &|_| {
        Defect::TextDate
    });
    take(rng, &mut assigned, plan.missing_bk, &any, &|_| {
        Defect::MissingBk
    });
    take(rng, &mut assigned, plan.missing_baujahr, &any, &|_| {
        Defect::MissingBaujahr
    });
    take(rng, &mut assigned, plan.lower_case_name, &any, &|_| {
        Defect::LowerCase
    });
    take(rng, &mut assigned, plan.ags_only, &any, &|_| {
        Defect::AgsOnly
    });
    assigned
}

fn text_area(flat: &Flat) -> String {
    format!("{} m²", german_number(flat.area, flat.area_decimals))
}

/// Applies `defect` to the clean `cells` of `flat`.
fn apply_defect(cells: &mut [Cell], columns: &[ColumnSpec], flat: &Flat, defect: Defect) {
    let pos = |col: Col| columns.iter().position(|c| c.col == col);
    let mut set = |col: Col, value: Cell| {
        if let Some(i) = pos(col) {
            cells[i] = value;
        }
    };
    let bk_col = if pos(Col::Bk).is_some() {
        Col::Bk
    } else {
        Col::Nebenkosten
    };
    let def = &GEMEINDEN[flat.gemeinde];
    match defect {
        Defect::TextNumber(k) => match k % 3 {
            0 => set(
                Col::Rent,
                Cell::Text(format!("{} €", german_number(flat.rent, 2))),
            ),
            1 => set(Col::Area, Cell::Text(text_area(flat))),
            _ => {
                let v = if bk_col == Col::Bk {
                    flat.bk
                } else {
                    flat.nebenkosten
                };
                set(bk_col, Cell::Text(german_number(v, 2)));
            }
        },
        Defect::TextDate => {
            for col in [Col::Start, Col::LastChange, Col::OfferDate] {
                if let Some(i) = pos(col)
                    && let Cell::Date(d) = cells[i]
                {
                    cells[i] = Cell::Text(d.german());
                }
            }
        }
        Defect::MissingBk => set(bk_col, Cell::Empty),
        Defect::MissingBaujahr => set(Col::Baujahr, Cell::Empty),
        Defect::MissingRent => set(Col::Rent, Cell::Empty),
        Defect::KeineAngabe(k) => {
            let col = if k % 2 == 0 { Col::Rent } else { Col::Area };
            set(col, Cell::Static("k.A."));
        }
        Defect::ZeroArea => set(Col::Area, Cell::Num(0.0)),
        Defect::UnknownGemeinde => {
            set(Col::Gemeinde, Cell::Static("Altenweiler"));
            set(Col::Ags, Cell::Empty);
            set(Col::Plz, Cell::Static("59950"));
        }
        Defect::NvText => set(Col::Rent, Cell::Static("#NV")),
        Defect::AnnualRent => set(Col::Rent, Cell::Num(round2(flat.rent * 12.0))),
        Defect::BkWithHeating => {
            set(Col::Bk, Cell::Num(round2(flat.bk + flat.hk)));
            set(Col::Hk, Cell::Empty);
        }
        Defect::StadtPrefix => set(Col::Gemeinde, Cell::Text(format!("Stadt {}", def.name))),
        Defect::LowerCase => set(Col::Gemeinde, Cell::Text(def.name.to_lowercase())),
        Defect::AgsOnly => set(Col::Gemeinde, Cell::Empty),
    }
}

/// Builds the rows of a table from flats in their final order, applies the defects and inserts
/// `blank_rows` blank rows in the middle half of the data.
fn build_rows(
    rng: &mut SampleRng,
    flats: &[Flat],
    defects: &[Option<Defect>],
    columns: &[ColumnSpec],
    blank_rows: usize,
) -> Vec<Option<Vec<Cell>>> {
    let mut rows: Vec<Option<Vec<Cell>>> = flats
        .iter()
        .zip(defects)
        .enumerate()
        .map(|(i, (flat, defect))| {
            let mut cells: Vec<Cell> = columns
                .iter()
                .map(|c| cell_value(c.col, flat, i + 1))
                .collect();
            if let Some(d) = defect {
                apply_defect(&mut cells, columns, flat, *d);
            }
            Some(cells)
        })
        .collect();
    for _ in 0..blank_rows {
        let n = rows.len();
        let at = n / 4 + rng.below(n / 2 + 1);
        rows.insert(at, None);
    }
    rows
}

// ------------------------------------------------------------------------------------------------
// The three data files
// ------------------------------------------------------------------------------------------------

/// Bestand or Neuvertrag: flats per Gemeinde, shuffled, with defects.
fn build_survey(kind: Kind, sheet: &SampleSheet, seed: u64) -> Table {
    let mut rng = SampleRng::new(seed);
    let slot = if kind == Kind::Bestand { 0 } else { 1 };
    let counts = gemeinde_counts(sheet.records, slot);
    let mut flats = Vec::with_capacity(sheet.records);
    for (g, &n) in counts.iter().enumerate() {
        for _ in 0..n {
            flats.push(gen_flat(&mut rng, kind, g));
        }
    }
    rng.shuffle(&mut flats);
    let eligible = |i: usize| GEMEINDEN[flats[i].gemeinde].fixed.is_none();
    let defects = plan_defects(&mut rng, &flats, &sheet.defects, &eligible);
    let (columns, title, titles): (&'static [ColumnSpec], String, Vec<String>) =
        if kind == Kind::Bestand {
            let title = format!("Mietwerterhebung {SAMPLE_KREIS} – Bestandsmieten");
            (
                &BESTAND_COLUMNS,
                title.clone(),
                vec![
                    format!("{title} (fiktive Beispieldaten)"),
                    format!("Stand: {}", sample_stichtag().german()),
                    String::new(),
                ],
            )
        } else {
            let title = format!("Mietwerterhebung {SAMPLE_KREIS} – Neuvertragsmieten");
            (
                &NEUVERTRAG_COLUMNS,
                title.clone(),
                vec![
                    format!("{title} (fiktive Beispieldaten)"),
                    format!(
                        "Vertragsabschlüsse 01.01.2023 bis 31.12.2024, Stand: {}",
                        sample_stichtag().german()
                    ),
                ],
            )
        };
    let rows = build_rows(
        &mut rng,
        &flats,
        &defects,
        columns,
        sheet.defects.blank_rows,
    );
    Table {
        sheet: sheet.sheet,
        title,
        titles,
        header_row: sheet.header_row,
        columns,
        rows,
    }
}

/// True if offers `a` and `b` would look like duplicates to a generous dedup rule.
fn offers_close(a: &Flat, b: &Flat) -> bool {
    a.plz == b.plz
        && (a.area - b.area).abs() <= 1.2
        && (a.rent - b.rent).abs() <= 0.012 * a.rent.max(b.rent)
}

/// Angebote: originals without accidental near-duplicates, then deliberate exact and near
/// duplicates, shuffled, with defects on other rows.
fn build_offers(seed: u64) -> Table {
    let mut rng = SampleRng::new(seed);
    let sheet = &ANGEBOTE_SHEET;
    let dups = ANGEBOTE_EXACT_DUPLICATES + ANGEBOTE_NEAR_DUPLICATES;
    let originals = sheet.records - dups;
    let counts = gemeinde_counts(originals, 2);
    let mut flats: Vec<Flat> = Vec::with_capacity(sheet.records);
    for (g, &n) in counts.iter().enumerate() {
        for _ in 0..n {
            let mut flat = gen_flat(&mut rng, Kind::Angebot, g);
            for _ in 0..50 {
                if !flats.iter().any(|o| offers_close(o, &flat)) {
                    break;
                }
                flat = gen_flat(&mut rng, Kind::Angebot, g);
            }
            flats.push(flat);
        }
    }
    // Originals of duplicates: distinct, clean, never in the tiny village.
    let mut candidates: Vec<usize> = (0..flats.len())
        .filter(|&i| GEMEINDEN[flats[i].gemeinde].fixed.is_none())
        .collect();
    rng.shuffle(&mut candidates);
    let st_days = sample_stichtag().days_since_epoch();
    let window_start = sample_stichtag().minus_months(18).days_since_epoch();
    let mut involved = vec![false; sheet.records];
    let mut copies = Vec::with_capacity(dups);
    for (k, &orig) in candidates.iter().take(dups).enumerate() {
        involved[orig] = true;
        let mut copy = flats[orig].clone();
        let exact = k < ANGEBOTE_EXACT_DUPLICATES;
        let max_shift = if exact { 14 } else { 45 };
        let shift = 1 + rng.below(max_shift) as i32;
        if let Some(d) = copy.offer_date {
            let mut day = d.days_since_epoch() + shift;
            if day >= st_days {
                day = (d.days_since_epoch() - shift).max(window_start);
            }
            copy.offer_date = Some(days_to_date(day));
        }
        if !exact || rng.chance(0.5) {
            copy.portal = PORTALS[rng.pick(&PORTAL_WEIGHTS)];
        }
        if !exact {
            let frac = rng.range(0.001, 0.0045);
            let sign = if rng.chance(0.5) { 1.0 } else { -1.0 };
            copy.rent = round2(copy.rent * (1.0 + sign * frac));
            if rng.chance(0.5) {
                let d = rng.range(0.1, 0.45) * if rng.chance(0.5) { 1.0 } else { -1.0 };
                copy.area = round2(copy.area + d);
                copy.area_decimals = 2;
            }
        }
        copies.push(copy);
    }
    flats.extend(copies);
    for flag in involved.iter_mut().skip(originals) {
        *flag = true;
    }
    // Shuffle flats together with their "involved in a duplicate" flag.
    let mut order: Vec<usize> = (0..flats.len()).collect();
    rng.shuffle(&mut order);
    let flats: Vec<Flat> = order.iter().map(|&i| flats[i].clone()).collect();
    let involved: Vec<bool> = order.iter().map(|&i| involved[i]).collect();
    let eligible = |i: usize| !involved[i] && GEMEINDEN[flats[i].gemeinde].fixed.is_none();
    let defects = plan_defects(&mut rng, &flats, &sheet.defects, &eligible);
    let rows = build_rows(
        &mut rng,
        &flats,
        &defects,
        &ANGEBOTE_COLUMNS,
        sheet.defects.blank_rows,
    );
    let title = format!("Angebotsmieten {SAMPLE_KREIS}");
    let window_from = sample_stichtag().minus_months(18);
    Table {
        sheet: sheet.sheet,
        title: title.clone(),
        titles: vec![
            format!("{title} (fiktive Beispieldaten)"),
            format!(
                "Inserate {} bis 31.12.2024, Stand: {}",
                window_from.german(),
                sample_stichtag().german()
            ),
            String::new(),
        ],
        header_row: sheet.header_row,
        columns: &ANGEBOTE_COLUMNS,
        rows,
    }
}

// ------------------------------------------------------------------------------------------------
// Writing
// ------------------------------------------------------------------------------------------------

/// Fixed document properties, so the same data give byte-identical files.
fn doc_properties(title: &str, seed: u64) -> Result<DocProperties, XlsxError> {
    let created = ExcelDateTime::from_ymd(2025, 1, 1)?.and_hms(0, 0, 0)?;
    Ok(DocProperties::new()
        .set_title(title)
        .set_author("KdU-Konzept Beispieldaten-Generator")
        .set_company(format!("{SAMPLE_KREIS} (fiktiv)"))
        .set_comment(format!(
            "Fiktive Beispieldaten, keine echten Mieten. Seed {seed}."
        ))
        .set_creation_datetime(&created))
}

fn column_format(fmt: ColFmt) -> Option<Format> {
    match fmt {
        ColFmt::General => None,
        ColFmt::Integer => Some(Format::new().set_num_format("0")),
        ColFmt::Decimal => Some(Format::new().set_num_format("#,##0.00")),
        ColFmt::Money => Some(Format::new().set_num_format("#,##0.00 \"€\"")),
        ColFmt::Date => Some(Format::new().set_num_format("DD.MM.YYYY")),
    }
}

/// Writes the title rows, column widths and formats and the header row (1-based `header_row`).
fn write_frame(
    ws: &mut Worksheet,
    titles: &[String],
    columns: &[ColumnSpec],
    header_row: u32,
) -> Result<(), XlsxError> {
    let title_fmt = Format::new().set_bold().set_font_size(13);
    let header_fmt = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_border_bottom(rust_xlsxwriter::FormatBorder::Thin);
    for (c, spec) in columns.iter().enumerate() {
        let c = c as u16;
        ws.set_column_width(c, spec.width)?;
        if let Some(f) = column_format(spec.fmt) {
            ws.set_column_format(c, &f)?;
        }
    }
    for (r, title) in titles.iter().enumerate() {
        if title.is_empty() {
            continue;
        }
        if r == 0 {
            ws.write_string_with_format(0, 0, title, &title_fmt)?;
        } else {
            ws.write_string(r as u32, 0, title)?;
        }
    }
    for (c, spec) in columns.iter().enumerate() {
        ws.write_string_with_format(header_row - 1, c as u16, spec.header, &header_fmt)?;
    }
    Ok(())
}

/// Writes one cell; unformatted writes inherit the column's number format (fast path).
fn write_cell(ws: &mut Worksheet, r: u32, c: u16, cell: &Cell) -> Result<(), XlsxError> {
    match cell {
        Cell::Empty => {}
        Cell::Num(v) => {
            ws.write_number(r, c, *v)?;
        }
        Cell::Text(t) => {
            ws.write_string(r, c, t.as_str())?;
        }
        Cell::Static(t) => {
            if !t.is_empty() {
                ws.write_string(r, c, *t)?;
            }
        }
        Cell::Date(d) => {
            ws.write_number(r, c, d.to_excel_serial())?;
        }
    }
    Ok(())
}

fn save_table(path: &Path, table: &Table, seed: u64) -> Result<(), SampleError> {
    let wrap = |source: XlsxError| SampleError::Write {
        path: path.display().to_string(),
        source,
    };
    let mut workbook = Workbook::new();
    workbook.set_properties(&doc_properties(&table.title, seed).map_err(wrap)?);
    let ws = workbook.add_worksheet();
    ws.set_name(table.sheet).map_err(wrap)?;
    write_frame(ws, &table.titles, table.columns, table.header_row).map_err(wrap)?;
    for (i, row) in table.rows.iter().enumerate() {
        let r = table.header_row + i as u32;
        if let Some(cells) = row {
            for (c, cell) in cells.iter().enumerate() {
                write_cell(ws, r, c as u16, cell).map_err(wrap)?;
            }
        }
    }
    workbook.save(path).map_err(wrap)?;
    Ok(())
}

const GEMEINDEN_COLUMNS: [(&str, f64); 6] = [
    ("AGS", 10.0),
    ("Gemeinde", 20.0),
    ("Vergleichsraum", 20.0),
    ("Einwohner", 11.0),
    ("Mietwohnungsbestand", 20.0),
    ("Mietstufe", 10.0),
];

fn write_gemeinden(path: &Path, seed: u64) -> Result<(), SampleError> {
    let wrap = |source: XlsxError| SampleError::Write {
        path: path.display().to_string(),
        source,
    };
    let title = format!("Gemeinden {SAMPLE_KREIS}");
    let mut workbook = Workbook::new();
    workbook.set_properties(&doc_properties(&title, seed).map_err(wrap)?);
    let ws = workbook.add_worksheet();
    ws.set_name(GEMEINDEN_SHEET.sheet).map_err(wrap)?;
    let title_fmt = Format::new().set_bold().set_font_size(13);
    let header_fmt = Format::new()
        .set_bold()
        .set_border_bottom(rust_xlsxwriter::FormatBorder::Thin);
    let thousands = Format::new().set_num_format("#,##0");
    let header = GEMEINDEN_SHEET.header_row - 1;
    let result = (|| -> Result<(), XlsxError> {
        ws.write_string_with_format(
            0,
            0,
            format!(
                "{title} (fiktiv), Land Nordrhein-Westfalen, Stand: {}",
                sample_stichtag().german()
            ),
            &title_fmt,
        )?;
        for (c, (name, width)) in GEMEINDEN_COLUMNS.iter().enumerate() {
            ws.set_column_width(c as u16, *width)?;
            ws.write_string_with_format(header, c as u16, *name, &header_fmt)?;
        }
        for (i, g) in sample_gemeinden().iter().enumerate() {
            let r = header + 1 + i as u32;
            ws.write_string(r, 0, g.ags)?;
            ws.write_string(r, 1, g.name)?;
            ws.write_string(r, 2, g.vergleichsraum)?;
            ws.write_number_with_format(r, 3, g.einwohner, &thousands)?;
            ws.write_number_with_format(r, 4, g.mietwohnungen, &thousands)?;
            ws.write_number(r, 5, g.mietstufe)?;
        }
        Ok(())
    })();
    result.map_err(wrap)?;
    workbook.save(path).map_err(wrap)?;
    Ok(())
}

// ------------------------------------------------------------------------------------------------
// Unit tests
// ------------------------------------------------------------------------------------------------

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
    fn splitmix_and_xoshiro_reference_vectors() {
        // SplitMix64 from state 0 (reference values of Vigna's splitmix64.c).
        let mut s = 0u64;
        assert_eq!(splitmix64(&mut s), 0xE220_A839_7B1D_CDAF);
        assert_eq!(splitmix64(&mut s), 0x6E78_9E6A_A1B9_65F4);
        // xoshiro256** from state [1, 2, 3, 4].
        let mut rng = SampleRng { s: [1, 2, 3, 4] };
        assert_eq!(rng.next_u64(), 11_520);
        assert_eq!(rng.next_u64(), 0);
        assert_eq!(rng.next_u64(), 1_509_978_240);
        assert_eq!(rng.next_u64(), 1_215_971_899_390_074_240);
    }

    #[test]
    fn same_seed_same_stream() {
        let mut a = SampleRng::new(SAMPLE_SEED);
        let mut b = SampleRng::new(SAMPLE_SEED);
        for _ in 0..1000 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        assert_ne!(SampleRng::new(1).next_u64(), SampleRng::new(2).next_u64());
    }

    #[test]
    fn deterministic_ln_exp_match_std() {
        for &x in &[
            1e-300, 1e-10, 0.001, 0.3, 0.5, 0.999, 1.0, 1.5, 2.0, 7.2, 65.0, 1e6, 1e300,
        ] {
            let got = det_ln(x);
            let want = x.ln();
            assert!((got - want).abs() <= 2e-15 * want.abs().max(1.0), "ln({x})");
        }
        for &x in &[
            -700.0, -20.0, -1.0, -0.1, 0.0, 0.05, 0.5, 1.0, 3.3, 20.0, 700.0,
        ] {
            let got = det_exp(x);
            let want = x.exp();
            assert!((got - want).abs() <= 2e-15 * want, "exp({x})");
        }
        assert!(det_ln(0.0).is_nan());
        assert!(det_ln(-1.0).is_nan());
    }

    #[test]
    fn draws_have_the_intended_moments() {
        let mut rng = SampleRng::new(7);
        let n = 100_000;
        let xs: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        assert!(mean.abs() < 0.02, "mean {mean}");
        assert!((var - 1.0).abs() < 0.02, "var {var}");
        let mut ls: Vec<f64> = (0..n).map(|_| rng.lognormal(2.0, 0.3)).collect();
        ls.sort_by(f64::total_cmp);
        let median = ls[n / 2];
        assert!(
            (median / 2.0f64.exp() - 1.0).abs() < 0.01,
            "median {median}"
        );
        let us: Vec<f64> = (0..n).map(|_| rng.uniform()).collect();
        assert!(us.iter().all(|u| (0.0..1.0).contains(u)));
        let below: Vec<usize> = (0..n).map(|_| rng.below(10)).collect();
        assert!(below.iter().all(|&b| b < 10));
        for k in 0..10 {
            let share = below.iter().filter(|&&b| b == k).count() as f64 / n as f64;
            assert!((share - 0.1).abs() < 0.01);
        }
    }

    #[test]
    fn allocation_is_exact() {
        let counts = allocate(10, &[1.0, 1.0, 1.0]);
        assert_eq!(counts.iter().sum::<usize>(), 10);
        assert_eq!(counts, vec![4, 3, 3]);
        let bestand = gemeinde_counts(BESTAND_SHEET.records, 0);
        assert_eq!(bestand.iter().sum::<usize>(), BESTAND_SHEET.records);
        assert!(bestand.iter().all(|&c| c > 0));
        let offers = gemeinde_counts(1150, 2);
        assert_eq!(offers.iter().sum::<usize>(), 1150);
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

    #[test]
    fn german_numbers() {
        assert_eq!(german_number(467.21, 2), "467,21");
        assert_eq!(german_number(1234.5, 2), "1.234,50");
        assert_eq!(german_number(55.0, 0), "55");
        assert_eq!(german_number(-3.25, 1), "-3,2");
    }

    #[test]
    fn flats_are_plausible() {
        let mut rng = SampleRng::new(SAMPLE_SEED);
        for i in 0..3000 {
            let kind = [Kind::Bestand, Kind::Neuvertrag, Kind::Angebot][i % 3];
            let f = gen_flat(&mut rng, kind, i % GEMEINDEN.len());
            assert!((25.0..=140.0).contains(&f.area));
            let p = f.rent / f.area;
            assert!((3.1..=15.6).contains(&p), "NKM/m² {p}");
            assert!(f.bk / f.area < 3.5 && f.bk / f.area > 1.0);
            assert!((1890..=2024).contains(&f.baujahr));
            match kind {
                Kind::Angebot => {
                    let d = f.offer_date.unwrap();
                    assert!(d < sample_stichtag());
                    assert!(d >= sample_stichtag().minus_months(18));
                }
                _ => {
                    let s = f.start.unwrap();
                    assert!(s < sample_stichtag());
                    assert!(s >= sample_stichtag().minus_years(20));
                    assert!(
                        s.ymd().0 >= f.baujahr,
                        "Mietbeginn {s} vor Baujahr {}",
                        f.baujahr
                    );
                    if let Some(c) = f.last_change {
                        assert!(c > s && c < sample_stichtag());
                    }
                }
            }
        }
    }

    /// Pins the generated values (not the bytes), so an accidental model change is noticed.
    /// After a deliberate change, update the expected fingerprint.
    #[test]
    fn bestand_fingerprint_is_stable() {
        let table = build_survey(Kind::Bestand, &BESTAND_SHEET, derive_seed(SAMPLE_SEED, 1));
        let mut text = String::new();
        for row in table.rows.iter().take(50) {
            match row {
                None => text.push_str("<leer>\n"),
                Some(cells) => {
                    for c in cells {
                        match c {
                            Cell::Empty => {}
                            Cell::Num(v) => text.push_str(&format!("{v}")),
                            Cell::Text(t) => text.push_str(t),
                            Cell::Static(t) => text.push_str(t),
                            Cell::Date(d) => text.push_str(&d.iso()),
                        }
                        text.push(';');
                    }
                    text.push('\n');
                }
            }
        }
        let fingerprint = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        assert_eq!(fingerprint, 8_517_591_429_843_931_716, "{text}");
    }
}
