//! The query of the data explorer: dimensions, measure, statistics, filter, and the table it
//! answers with; German names, codes and the German errors.

use crate::analysis::quantile::{QuantileType, quantile_sorted};

/// A dimension to group by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dimension {
    /// The Gemeinde the record is assigned to.
    Gemeinde,
    /// The Vergleichsraum of that Gemeinde.
    Vergleichsraum,
    /// The size class (Wohnungsgrößenklasse) of the flat's area.
    SizeClass,
    /// The Baujahr class ([`YEAR_BUILT_CLASSES`]).
    YearBuilt,
    /// The landlord type.
    LandlordType,
    /// The Datenart (Bestand, Neuvertrag, Angebot, …).
    Kind,
    /// The source (imported file).
    Source,
}

impl Dimension {
    /// All dimensions in display order.
    pub const ALL: [Dimension; 7] = [
        Dimension::Gemeinde,
        Dimension::Vergleichsraum,
        Dimension::SizeClass,
        Dimension::YearBuilt,
        Dimension::LandlordType,
        Dimension::Kind,
        Dimension::Source,
    ];

    /// German column header.
    pub fn german(self) -> &'static str {
        match self {
            Dimension::Gemeinde => "Gemeinde",
            Dimension::Vergleichsraum => "Vergleichsraum",
            Dimension::SizeClass => "Größenklasse",
            Dimension::YearBuilt => "Baujahrklasse",
            Dimension::LandlordType => "Vermietertyp",
            Dimension::Kind => "Datenart",
            Dimension::Source => "Quelle",
        }
    }

    /// The stable code (command line, JSON, the key column's name).
    pub fn code(self) -> &'static str {
        match self {
            Dimension::Gemeinde => "gemeinde",
            Dimension::Vergleichsraum => "vergleichsraum",
            Dimension::SizeClass => "groesse",
            Dimension::YearBuilt => "baujahr",
            Dimension::LandlordType => "vermieter",
            Dimension::Kind => "datenart",
            Dimension::Source => "quelle",
        }
    }

    /// Reads a dimension from its code or a German or English alias (`vr`, `größe`, `size`,
    /// `art`, …), ignoring case.
    pub fn parse(text: &str) -> Result<Dimension, ExploreError> {
        let t = text.trim().to_lowercase();
        let d = match t.as_str() {
            "gemeinde" | "gemeinden" | "ags" => Dimension::Gemeinde,
            "vergleichsraum" | "vergleichsraeume" | "vergleichsräume" | "vr" => {
                Dimension::Vergleichsraum
            }
            "groesse" | "größe" | "size" | "groessenklasse" | "größenklasse" | "klasse" => {
                Dimension::SizeClass
            }
            "baujahr" | "baujahrklasse" | "baualter" => Dimension::YearBuilt,
            "vermieter" | "vermietertyp" | "landlord" => Dimension::LandlordType,
            "datenart" | "art" | "kind" => Dimension::Kind,
            "quelle" | "source" | "datei" => Dimension::Source,
            _ => return Err(ExploreError::UnknownDimension(text.trim().to_string())),
        };
        Ok(d)
    }

    pub(super) fn index(self) -> usize {
        self as usize
    }
}

/// The Baujahr classes of the explorer: (first year, last year), the usual Baualtersklassen of
/// Mietspiegeln (before 1919, interwar, post-war, …, from 2011).
pub const YEAR_BUILT_CLASSES: [(Option<i32>, Option<i32>); 8] = [
    (None, Some(1918)),
    (Some(1919), Some(1948)),
    (Some(1949), Some(1968)),
    (Some(1969), Some(1978)),
    (Some(1979), Some(1990)),
    (Some(1991), Some(2000)),
    (Some(2001), Some(2010)),
    (Some(2011), None),
];

/// The Baujahr class of a year (index into [`YEAR_BUILT_CLASSES`]).
pub fn year_built_class(year: i32) -> usize {
    YEAR_BUILT_CLASSES
        .iter()
        .position(|&(_, last)| last.is_none_or(|l| year <= l))
        .unwrap_or(YEAR_BUILT_CLASSES.len() - 1)
}

/// A Baujahr class as text: "bis 1918", "1919–1948", "ab 2011".
pub fn year_built_class_text(class: usize) -> String {
    match YEAR_BUILT_CLASSES.get(class) {
        Some((None, Some(l))) => format!("bis {l}"),
        Some((Some(f), Some(l))) => format!("{f}–{l}"),
        Some((Some(f), None)) => format!("ab {f}"),
        _ => MISSING.to_string(),
    }
}

/// The key text of a record without a value in the dimension.
pub(super) const MISSING: &str = "ohne Angabe";

/// The value per record that is summarised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Measure {
    /// Nettokaltmiete per m².
    #[default]
    NetRentPerM2,
    /// Kalte Betriebskosten per m² (records whose Nebenkosten include heating have none).
    BkPerM2,
}

impl Measure {
    /// Both measures.
    pub const ALL: [Measure; 2] = [Measure::NetRentPerM2, Measure::BkPerM2];

    /// German name.
    pub fn german(self) -> &'static str {
        match self {
            Measure::NetRentPerM2 => "Nettokaltmiete €/m²",
            Measure::BkPerM2 => "kalte Betriebskosten €/m²",
        }
    }

    /// Reads `nkm` or `bk`.
    pub fn parse(text: &str) -> Result<Measure, ExploreError> {
        match text.trim().to_lowercase().as_str() {
            "nkm" | "nettokaltmiete" | "miete" => Ok(Measure::NetRentPerM2),
            "bk" | "betriebskosten" | "kbk" => Ok(Measure::BkPerM2),
            _ => Err(ExploreError::UnknownMeasure(text.trim().to_string())),
        }
    }
}

/// A statistic of a group's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Statistic {
    /// Number of values.
    N,
    /// Median (the 50th percentile of the project's quantile type).
    Median,
    /// The `p`-th percentile, 1–99.
    Percentile(u8),
    /// Arithmetic mean.
    Mean,
    /// Smallest value.
    Min,
    /// Largest value.
    Max,
}

impl Statistic {
    /// The statistics offered as choices (app); any other percentile via [`Statistic::parse`].
    pub const CHOICES: [Statistic; 10] = [
        Statistic::N,
        Statistic::Median,
        Statistic::Percentile(20),
        Statistic::Percentile(25),
        Statistic::Percentile(33),
        Statistic::Percentile(40),
        Statistic::Percentile(75),
        Statistic::Mean,
        Statistic::Min,
        Statistic::Max,
    ];

    /// Reads `n`, `median`, `pNN` (1–99), `mittel`/`mean`, `min`, `max`, ignoring case.
    pub fn parse(text: &str) -> Result<Statistic, ExploreError> {
        let t = text.trim().to_lowercase();
        let s = match t.as_str() {
            "n" | "anzahl" => Statistic::N,
            "median" => Statistic::Median,
            "mittel" | "mittelwert" | "mean" => Statistic::Mean,
            "min" | "minimum" => Statistic::Min,
            "max" | "maximum" => Statistic::Max,
            _ => match t.strip_prefix('p').and_then(|p| p.parse::<u8>().ok()) {
                Some(p) if (1..=99).contains(&p) => Statistic::Percentile(p),
                _ => return Err(ExploreError::UnknownStatistic(text.trim().to_string())),
            },
        };
        Ok(s)
    }

    /// The stable code: `n`, `median`, `p33`, `mittel`, `min`, `max` (JSON keys).
    pub fn code(self) -> String {
        match self {
            Statistic::N => "n".to_string(),
            Statistic::Median => "median".to_string(),
            Statistic::Percentile(p) => format!("p{p}"),
            Statistic::Mean => "mittel".to_string(),
            Statistic::Min => "min".to_string(),
            Statistic::Max => "max".to_string(),
        }
    }

    /// German column header.
    pub fn german(self) -> String {
        match self {
            Statistic::N => "n".to_string(),
            Statistic::Median => "Median".to_string(),
            Statistic::Percentile(p) => format!("P{p}"),
            Statistic::Mean => "Mittelwert".to_string(),
            Statistic::Min => "Minimum".to_string(),
            Statistic::Max => "Maximum".to_string(),
        }
    }

    /// A value in German: counts without decimals, €/m² with two.
    pub fn format(self, value: f64) -> String {
        match self {
            Statistic::N => crate::fmt::number(value, 0),
            _ => crate::fmt::number(value, 2),
        }
    }

    /// The statistic of `sorted` (ascending, not empty) with quantile type `t`.
    pub(super) fn of(self, sorted: &[f64], t: QuantileType) -> Option<f64> {
        match self {
            Statistic::N => Some(sorted.len() as f64),
            Statistic::Median => quantile_sorted(sorted, 0.5, t),
            Statistic::Percentile(p) => quantile_sorted(sorted, f64::from(p) / 100.0, t),
            Statistic::Mean => crate::analysis::stats::mean(sorted),
            Statistic::Min => sorted.first().copied(),
            Statistic::Max => sorted.last().copied(),
        }
    }
}

/// Only the records with this key text in a dimension (e.g. one Gemeinde).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    /// The dimension.
    pub dimension: Dimension,
    /// Its key text as shown in the table (case, umlauts and "Stadt"/"Gemeinde" do not matter;
    /// a size class may be given by its household size, a Datenart by its code).
    pub value: String,
}

impl Filter {
    /// Reads `DIMENSION=WERT`.
    pub fn parse(text: &str) -> Result<Filter, ExploreError> {
        let (d, v) = text
            .split_once('=')
            .ok_or_else(|| ExploreError::BadFilter(text.to_string()))?;
        if v.trim().is_empty() {
            return Err(ExploreError::BadFilter(text.to_string()));
        }
        Ok(Filter {
            dimension: Dimension::parse(d)?,
            value: v.trim().to_string(),
        })
    }
}

/// What the explorer shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// Dimensions to group by, in column order (none: one row over all records).
    pub dimensions: Vec<Dimension>,
    /// Statistics, in column order.
    pub statistics: Vec<Statistic>,
    /// The value summarised.
    pub measure: Measure,
    /// Only records with this key.
    pub filter: Option<Filter>,
    /// Every imported record instead of those the analysis uses.
    pub all_records: bool,
}

impl Default for Query {
    /// Gemeinde × size class, n, median and P33 of NKM €/m² of the records the analysis uses.
    fn default() -> Self {
        Query {
            dimensions: vec![Dimension::Gemeinde, Dimension::SizeClass],
            statistics: vec![Statistic::N, Statistic::Median, Statistic::Percentile(33)],
            measure: Measure::NetRentPerM2,
            filter: None,
            all_records: false,
        }
    }
}

/// One row of the result: the key texts and one value per statistic.
#[derive(Debug, Clone, PartialEq)]
pub struct ExploreRow {
    /// Key text per dimension of the query.
    pub keys: Vec<String>,
    /// Value per statistic of the query (n as a number).
    pub values: Vec<f64>,
}

/// The result of a query.
#[derive(Debug, Clone, PartialEq)]
pub struct ExploreTable {
    /// What the table shows, in German (value, records, filter, quantile type).
    pub description: String,
    /// The dimensions of the query (key columns).
    pub dimensions: Vec<Dimension>,
    /// The statistics of the query (value columns).
    pub statistics: Vec<Statistic>,
    /// The rows: size and Baujahr classes in numeric order, other keys alphabetical.
    pub rows: Vec<ExploreRow>,
    /// Records summarised (sum of the groups' n).
    pub n_records: usize,
}

impl ExploreTable {
    /// The German column headers: dimensions, then statistics.
    pub fn headers(&self) -> Vec<String> {
        self.dimensions
            .iter()
            .map(|d| d.german().to_string())
            .chain(self.statistics.iter().map(|s| s.german()))
            .collect()
    }

    /// A row's cells as German texts (keys, then formatted values).
    pub fn row_texts(&self, row: &ExploreRow) -> Vec<String> {
        row.keys
            .iter()
            .cloned()
            .chain(
                self.statistics
                    .iter()
                    .zip(&row.values)
                    .map(|(s, v)| s.format(*v)),
            )
            .collect()
    }
}

/// Why a query cannot be answered.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ExploreError {
    /// An unknown dimension name.
    #[error(
        "Unbekannte Dimension „{0}“; möglich: gemeinde, vergleichsraum (vr), groesse (größe, size), baujahr, vermieter, datenart (art), quelle."
    )]
    UnknownDimension(String),
    /// An unknown statistic.
    #[error(
        "Unbekannte Kennzahl „{0}“; möglich: n, median, p1 bis p99 (z. B. p33), mittel, min, max."
    )]
    UnknownStatistic(String),
    /// An unknown measure.
    #[error(
        "Unbekannter Wert „{0}“; möglich: nkm (Nettokaltmiete €/m²), bk (kalte Betriebskosten €/m²)."
    )]
    UnknownMeasure(String),
    /// A filter without `=` or value.
    #[error("Filter „{0}“ ist keine Angabe DIMENSION=WERT (z. B. gemeinde=Musterstadt).")]
    BadFilter(String),
    /// A filter value that no record has.
    #[error("„{value}“ kommt als {dimension} nicht vor; vorhanden: {known}.")]
    UnknownFilterValue {
        /// German name of the dimension.
        dimension: &'static str,
        /// The value given.
        value: String,
        /// The first few key texts that exist.
        known: String,
    },
    /// The group-by engine failed.
    #[error("Die Gruppierung ist fehlgeschlagen: {0}")]
    Engine(String),
    /// The table could not be written.
    #[error("Die Tabelle kann nicht geschrieben werden: {reason} ({path})")]
    Write {
        /// German reason.
        reason: String,
        /// Target file.
        path: String,
    },
}

impl From<polars::error::PolarsError> for ExploreError {
    fn from(e: polars::error::PolarsError) -> Self {
        ExploreError::Engine(e.to_string())
    }
}
