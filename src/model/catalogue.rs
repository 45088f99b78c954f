//! The parameter catalogue: every scalar parameter described once — path, German label, help
//! text with its legal note, unit, valid range or choices — with typed access to its value.
//!
//! It drives the Parameter screen (one generic row per entry), the workbook's Parameter sheet,
//! `--set` parsing and validation, the validation of loaded project files and the comments of
//! the project file. Defaults come from `Parameters::default()`, never from text. Structured
//! parameters (Wohnflächen table, demand table, market shares, Heizspiegel, Fortschreibung) have
//! their own editors; their paths are listed in [`STRUCTURED`].

use super::QuantileType;
use super::params::{
    BkLevel, BkPlausibility, BkSource, BkStatistic, HeatingIncludedOffers, IterationStart,
    KlimaMode, LimitLabel, OutlierMethod, Parameters, ReferenceMethod, RoundingMode,
};
use super::record::SourceKind;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Sections of the Parameter screen and sheet, in the order of the derivation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Section {
    /// Untersuchungsgegenstand and plausibility.
    Scope,
    /// Referenzmiete.
    Reference,
    /// Extremwertkappung.
    Outliers,
    /// Kalte Betriebskosten and rounding.
    OperatingCosts,
    /// Verfügbarkeitsprüfung.
    Availability,
    /// Repräsentativität.
    Representativeness,
    /// WoGG fallback.
    Wogg,
    /// Heizkosten.
    Heating,
    /// Angemessene Wohnflächen.
    Wohnflaechen,
    /// The published table and the Karenzzeit column.
    Table,
}

impl Section {
    /// All sections in display order.
    pub const ALL: [Section; 10] = [
        Section::Reference,
        Section::Outliers,
        Section::OperatingCosts,
        Section::Scope,
        Section::Availability,
        Section::Representativeness,
        Section::Wogg,
        Section::Heating,
        Section::Table,
        Section::Wohnflaechen,
    ];

    /// German title.
    pub fn title(self) -> &'static str {
        match self {
            Section::Scope => "Untersuchungsgegenstand und Plausibilität",
            Section::Reference => "Referenzmiete (Nettokaltmiete je m²)",
            Section::Outliers => "Extremwertkappung",
            Section::OperatingCosts => "Kalte Betriebskosten und Rundung",
            Section::Availability => "Verfügbarkeitsprüfung (Angebotsmieten)",
            Section::Representativeness => "Repräsentativität",
            Section::Wogg => "Rückgriff auf das Wohngeldgesetz",
            Section::Heating => "Heizkosten",
            Section::Wohnflaechen => "Angemessene Wohnflächen",
            Section::Table => "Richtwerttabelle und Karenzzeit",
        }
    }
}

/// A closed or open interval of valid numbers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    /// Lower end.
    pub min: f64,
    /// Upper end.
    pub max: f64,
    /// The lower end itself is not allowed.
    pub min_open: bool,
    /// The upper end itself is not allowed.
    pub max_open: bool,
}

impl Bounds {
    /// `[min, max]`.
    pub const fn closed(min: f64, max: f64) -> Bounds {
        Bounds {
            min,
            max,
            min_open: false,
            max_open: false,
        }
    }

    /// `(min, max)`.
    pub const fn open(min: f64, max: f64) -> Bounds {
        Bounds {
            min,
            max,
            min_open: true,
            max_open: true,
        }
    }

    /// `(min, max]`.
    pub const fn open_closed(min: f64, max: f64) -> Bounds {
        Bounds {
            min,
            max,
            min_open: true,
            max_open: false,
        }
    }

    /// `[min, max)`.
    pub const fn closed_open(min: f64, max: f64) -> Bounds {
        Bounds {
            min,
            max,
            min_open: false,
            max_open: true,
        }
    }

    /// Whether `v` lies in the interval (NaN never does).
    pub fn contains(&self, v: f64) -> bool {
        let above = if self.min_open {
            v > self.min
        } else {
            v >= self.min
        };
        let below = if self.max_open {
            v < self.max
        } else {
            v <= self.max
        };
        above && below
    }

    /// The closed range of values with `decimals` decimals inside the bounds, and that step:
    /// an open end moves in by one step.
    pub fn inner_range(&self, decimals: usize) -> (f64, f64, f64) {
        let step = 10f64.powi(-(decimals as i32));
        let lo = if self.min_open {
            self.min + step
        } else {
            self.min
        };
        let hi = if self.max_open {
            self.max - step
        } else {
            self.max
        };
        (lo, hi, step)
    }

    /// German description, e.g. "größer als 0 und kleiner als 1".
    pub fn german(&self) -> String {
        let lo = crate::fmt::number_plain(self.min);
        let hi = crate::fmt::number_plain(self.max);
        let lower = if self.min_open {
            format!("größer als {lo}")
        } else {
            format!("mindestens {lo}")
        };
        let upper = if self.max_open {
            format!("kleiner als {hi}")
        } else {
            format!("höchstens {hi}")
        };
        format!("{lower} und {upper}")
    }
}

/// One option of a choice parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct ChoiceOption {
    /// Value as written in the project file and after `--set`.
    pub key: String,
    /// German label.
    pub label: &'static str,
}

/// An enum that is a parameter choice.
pub trait Choice: Copy + PartialEq + Serialize + DeserializeOwned + 'static {
    /// All values in display order.
    fn all() -> Vec<Self>;
    /// German label.
    fn label(self) -> &'static str;
}

/// The project-file key of a choice value (its serde name, or its number).
pub fn choice_key<T: Serialize>(value: T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

fn choice_options<T: Choice>() -> Vec<ChoiceOption> {
    T::all()
        .into_iter()
        .map(|v| ChoiceOption {
            key: choice_key(v),
            label: v.label(),
        })
        .collect()
}

/// The choice value for a key (its serde name or, for numbered choices, the number), or by its
/// German label.
fn choice_from_key<T: Choice>(key: &str) -> Option<T> {
    let key = key.trim();
    T::all()
        .into_iter()
        .find(|v| choice_key(*v).eq_ignore_ascii_case(key) || v.label().eq_ignore_ascii_case(key))
}

macro_rules! choice_enum {
    ($t:ty, [$($v:expr),+ $(,)?], $label:expr) => {
        impl Choice for $t {
            fn all() -> Vec<Self> {
                vec![$($v),+]
            }
            fn label(self) -> &'static str {
                let f: fn($t) -> &'static str = $label;
                f(self)
            }
        }
    };
}

choice_enum!(
    ReferenceMethod,
    [
        ReferenceMethod::Percentile,
        ReferenceMethod::Median,
        ReferenceMethod::Mean,
        ReferenceMethod::Spannenoberwert,
        ReferenceMethod::Iterative,
    ],
    ReferenceMethod::german
);
choice_enum!(
    OutlierMethod,
    [
        OutlierMethod::None,
        OutlierMethod::MeanSd,
        OutlierMethod::Trim,
        OutlierMethod::Iqr,
        OutlierMethod::Absolute,
    ],
    OutlierMethod::german
);
choice_enum!(
    BkStatistic,
    [
        BkStatistic::Median,
        BkStatistic::Mean,
        BkStatistic::Percentile
    ],
    BkStatistic::german
);
choice_enum!(
    BkLevel,
    [BkLevel::Vergleichsraum, BkLevel::Cell],
    BkLevel::german
);
choice_enum!(
    BkSource,
    [BkSource::Records, BkSource::External],
    BkSource::german
);
choice_enum!(
    BkPlausibility,
    [BkPlausibility::Window, BkPlausibility::None],
    BkPlausibility::german
);
choice_enum!(
    LimitLabel,
    [
        LimitLabel::Nichtpruefungsgrenze,
        LimitLabel::Angemessenheitsgrenze
    ],
    LimitLabel::german
);
choice_enum!(
    RoundingMode,
    [
        RoundingMode::Cents,
        RoundingMode::EuroUp,
        RoundingMode::EuroCommercial,
    ],
    RoundingMode::german
);
choice_enum!(
    HeatingIncludedOffers,
    [HeatingIncludedOffers::Split, HeatingIncludedOffers::Exclude],
    HeatingIncludedOffers::german
);
choice_enum!(
    IterationStart,
    [IterationStart::Fixed, IterationStart::DemandShare],
    IterationStart::german
);
choice_enum!(
    KlimaMode,
    [KlimaMode::None, KlimaMode::After, KlimaMode::Before],
    KlimaMode::label
);

impl Choice for QuantileType {
    fn all() -> Vec<Self> {
        QuantileType::ALL.to_vec()
    }
    fn label(self) -> &'static str {
        self.german()
    }
}

/// The value of a parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A real number.
    Number(f64),
    /// A whole number.
    Count(u64),
    /// Yes/no.
    Bool(bool),
    /// The key of a choice.
    Choice(String),
    /// An optional limit: `None` = off.
    Optional(Option<f64>),
    /// Free text.
    Text(String),
    /// A set of data kinds.
    Kinds(Vec<SourceKind>),
}

/// What kind of value a parameter takes, with typed access.
#[derive(Clone, Copy)]
pub enum Kind {
    /// A real number within bounds.
    Number {
        /// Valid values.
        bounds: Bounds,
        /// Decimals shown.
        decimals: usize,
        /// Read.
        get: fn(&Parameters) -> f64,
        /// Write.
        set: fn(&mut Parameters, f64),
    },
    /// A whole number within bounds.
    Count {
        /// Smallest value.
        min: u64,
        /// Largest value.
        max: u64,
        /// Read.
        get: fn(&Parameters) -> u64,
        /// Write.
        set: fn(&mut Parameters, u64),
    },
    /// Yes/no.
    Bool {
        /// Read.
        get: fn(&Parameters) -> bool,
        /// Write.
        set: fn(&mut Parameters, bool),
    },
    /// One of a list.
    Choice {
        /// The options.
        options: fn() -> Vec<ChoiceOption>,
        /// Read the key.
        get: fn(&Parameters) -> String,
        /// Write by key; false if the key is unknown.
        set: fn(&mut Parameters, &str) -> bool,
    },
    /// An optional number ("aus" = off) within bounds.
    Optional {
        /// Valid values when on.
        bounds: Bounds,
        /// Decimals shown (0: whole numbers).
        decimals: usize,
        /// Read.
        get: fn(&Parameters) -> Option<f64>,
        /// Write.
        set: fn(&mut Parameters, Option<f64>),
    },
    /// Free text.
    Text {
        /// Read.
        get: fn(&Parameters) -> String,
        /// Write.
        set: fn(&mut Parameters, String),
    },
    /// A non-empty set of data kinds.
    Kinds {
        /// Read.
        get: fn(&Parameters) -> Vec<SourceKind>,
        /// Write.
        set: fn(&mut Parameters, Vec<SourceKind>),
    },
}

/// One parameter.
#[derive(Clone, Copy)]
pub struct Spec {
    /// Dotted path as in the project file and `--set` (e.g. `reference.percentile`).
    pub path: &'static str,
    /// Section.
    pub section: Section,
    /// German label.
    pub label: &'static str,
    /// German help text with its legal note.
    pub help: &'static str,
    /// Unit shown after the value ("" for none).
    pub unit: &'static str,
    /// Value kind and access.
    pub kind: Kind,
    /// Shown and used only when this holds (e.g. `outliers.k` only for mean ± k·SD).
    pub relevant: fn(&Parameters) -> bool,
    /// Defined name of the value cell in the workbook (formulas refer to it), if any.
    pub excel_name: Option<&'static str>,
}

fn always(_: &Parameters) -> bool {
    true
}

impl Spec {
    /// The current value.
    pub fn value(&self, p: &Parameters) -> Value {
        match self.kind {
            Kind::Number { get, .. } => Value::Number(get(p)),
            Kind::Count { get, .. } => Value::Count(get(p)),
            Kind::Bool { get, .. } => Value::Bool(get(p)),
            Kind::Choice { get, .. } => Value::Choice(get(p)),
            Kind::Optional { get, .. } => Value::Optional(get(p)),
            Kind::Text { get, .. } => Value::Text(get(p)),
            Kind::Kinds { get, .. } => Value::Kinds(get(p)),
        }
    }

    /// The value in `Parameters::default()`.
    pub fn default_value(&self) -> Value {
        self.value(&Parameters::default())
    }

    /// The value of `p` as German text (with its unit), for the screen, the workbook and comments.
    pub fn display(&self, p: &Parameters) -> String {
        self.display_value(&self.value(p))
    }

    /// The default as German text.
    pub fn display_default(&self) -> String {
        self.display(&Parameters::default())
    }

    /// A value as German text with the unit.
    pub fn display_value(&self, v: &Value) -> String {
        let unit = |s: String| {
            if self.unit.is_empty() {
                s
            } else {
                format!("{s} {}", self.unit)
            }
        };
        match (v, self.kind) {
            (Value::Number(x), Kind::Number { decimals, .. }) => {
                unit(crate::fmt::number(*x, decimals))
            }
            (Value::Optional(Some(x)), Kind::Optional { decimals, .. }) => {
                unit(crate::fmt::number(*x, decimals))
            }
            (Value::Optional(None), _) => "aus".to_string(),
            (Value::Count(n), _) => unit(crate::fmt::number(*n as f64, 0)),
            (Value::Bool(b), _) => if *b { "ja" } else { "nein" }.to_string(),
            (Value::Choice(key), Kind::Choice { options, .. }) => options()
                .into_iter()
                .find(|o| &o.key == key)
                .map_or_else(|| key.clone(), |o| o.label.to_string()),
            (Value::Kinds(kinds), _) => kinds
                .iter()
                .map(|k| k.german())
                .collect::<Vec<_>>()
                .join(", "),
            (Value::Text(t), _) => t.clone(),
            (other, _) => format!("{other:?}"),
        }
    }

    /// The valid values in German, for messages and the project-file comments.
    pub fn valid_german(&self) -> String {
        match self.kind {
            Kind::Number { bounds, .. } => bounds.german(),
            Kind::Count { min, max, .. } => format!("ganze Zahl von {min} bis {max}"),
            Kind::Bool { .. } => "true (ja) oder false (nein)".to_string(),
            Kind::Choice { options, .. } => {
                let keys: Vec<String> = options().into_iter().map(|o| o.key).collect();
                format!("eine von: {}", keys.join(", "))
            }
            Kind::Optional { bounds, .. } => format!("„aus“ oder {}", bounds.german()),
            Kind::Text { .. } => "Text".to_string(),
            Kind::Kinds { .. } => {
                let keys: Vec<String> = SourceKind::ALL.iter().map(|k| choice_key(*k)).collect();
                format!("Liste aus: {}", keys.join(", "))
            }
        }
    }

    /// Checks `v` against the kind's rules; German message on failure.
    pub fn check(&self, v: &Value) -> Result<(), String> {
        let bad = |what: String| {
            Err(format!(
                "{} („{}“): {what} ist ungültig, erlaubt ist {}.",
                self.label,
                self.path,
                self.valid_german()
            ))
        };
        match (v, self.kind) {
            (Value::Number(x), Kind::Number { bounds, .. })
            | (Value::Optional(Some(x)), Kind::Optional { bounds, .. }) => {
                if bounds.contains(*x) {
                    Ok(())
                } else {
                    bad(crate::fmt::number_plain(*x))
                }
            }
            (Value::Count(n), Kind::Count { min, max, .. }) => {
                if (min..=max).contains(n) {
                    Ok(())
                } else {
                    bad(n.to_string())
                }
            }
            (Value::Kinds(k), Kind::Kinds { .. }) if k.is_empty() => {
                bad("eine leere Liste".to_string())
            }
            (Value::Choice(key), Kind::Choice { options, .. }) => {
                if options().iter().any(|o| &o.key == key) {
                    Ok(())
                } else {
                    bad(format!("„{key}“"))
                }
            }
            _ => Ok(()),
        }
    }

    /// Sets a value after checking it.
    pub fn set(&self, p: &mut Parameters, v: Value) -> Result<(), String> {
        self.check(&v)?;
        match (v, self.kind) {
            (Value::Number(x), Kind::Number { set, .. }) => set(p, x),
            (Value::Count(n), Kind::Count { set, .. }) => set(p, n),
            (Value::Bool(b), Kind::Bool { set, .. }) => set(p, b),
            (Value::Choice(key), Kind::Choice { set, .. }) => {
                if !set(p, &key) {
                    return Err(format!("{}: unbekannte Auswahl „{key}“", self.label));
                }
            }
            (Value::Optional(x), Kind::Optional { set, .. }) => set(p, x),
            (Value::Text(t), Kind::Text { set, .. }) => set(p, t),
            (Value::Kinds(k), Kind::Kinds { set, .. }) => set(p, k),
            (v, _) => {
                return Err(format!(
                    "{} („{}“): Wert {v:?} passt nicht zur Art des Parameters.",
                    self.label, self.path
                ));
            }
        }
        Ok(())
    }

    /// Parses text as typed after `--set KEY=` or by `kdu-konzept set`: numbers with `.` or `,`,
    /// `ja`/`nein`/`true`/`false`, `aus`/`keine` for an optional limit, a choice key or label,
    /// data kinds separated by commas.
    pub fn parse(&self, text: &str) -> Result<Value, String> {
        let t = text.trim().trim_matches('"').trim();
        let invalid = || {
            format!(
                "{} („{}“): „{t}“ ist ungültig, erlaubt ist {}.",
                self.label,
                self.path,
                self.valid_german()
            )
        };
        let number = |s: &str| -> Option<f64> {
            s.replace(',', ".")
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
        };
        match self.kind {
            Kind::Number { .. } => number(t).map(Value::Number).ok_or_else(invalid),
            Kind::Count { .. } => t.parse::<u64>().map(Value::Count).map_err(|_| invalid()),
            Kind::Bool { .. } => match t.to_lowercase().as_str() {
                "true" | "ja" | "an" | "1" => Ok(Value::Bool(true)),
                "false" | "nein" | "aus" | "0" => Ok(Value::Bool(false)),
                _ => Err(invalid()),
            },
            Kind::Choice { options, .. } => options()
                .into_iter()
                .find(|o| o.key.eq_ignore_ascii_case(t) || o.label.eq_ignore_ascii_case(t))
                .map(|o| Value::Choice(o.key))
                .ok_or_else(invalid),
            Kind::Optional { .. } => match t.to_lowercase().as_str() {
                "aus" | "keine" | "kein" | "none" | "false" | "off" => Ok(Value::Optional(None)),
                _ => number(t)
                    .map(|x| Value::Optional(Some(x)))
                    .ok_or_else(invalid),
            },
            Kind::Text { .. } => Ok(Value::Text(t.to_string())),
            Kind::Kinds { .. } => {
                let inner = t.trim_start_matches('[').trim_end_matches(']');
                inner
                    .split(',')
                    .map(|s| s.trim().trim_matches('"'))
                    .filter(|s| !s.is_empty())
                    .map(|s| {
                        SourceKind::ALL
                            .into_iter()
                            .find(|k| choice_key(*k) == s || k.german() == s)
                            .ok_or_else(invalid)
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map(Value::Kinds)
            }
        }
    }
}

macro_rules! number {
    ($($f:ident).+, $bounds:expr, $dec:expr) => {
        Kind::Number {
            bounds: $bounds,
            decimals: $dec,
            get: |p| p.$($f).+,
            set: |p, v| p.$($f).+ = v,
        }
    };
}

macro_rules! flag {
    ($($f:ident).+) => {
        Kind::Bool {
            get: |p| p.$($f).+,
            set: |p, v| p.$($f).+ = v,
        }
    };
}

macro_rules! choice {
    ($t:ty, $($f:ident).+) => {
        Kind::Choice {
            options: choice_options::<$t>,
            get: |p| choice_key(p.$($f).+),
            set: |p, key| match choice_from_key::<$t>(key) {
                Some(v) => {
                    p.$($f).+ = v;
                    true
                }
                None => false,
            },
        }
    };
}

macro_rules! spec {
    ($path:literal, $section:ident, $label:literal, $unit:literal, $kind:expr, $help:literal) => {
        spec!($path, $section, $label, $unit, $kind, $help, always)
    };
    ($path:literal, $section:ident, $label:literal, $unit:literal, $kind:expr, $help:literal, $relevant:expr) => {
        spec!(
            $path, $section, $label, $unit, $kind, $help, $relevant, None
        )
    };
    ($path:literal, $section:ident, $label:literal, $unit:literal, $kind:expr, $help:literal, $relevant:expr, $excel:expr) => {
        Spec {
            path: $path,
            section: Section::$section,
            label: $label,
            help: $help,
            unit: $unit,
            kind: $kind,
            relevant: $relevant,
            excel_name: $excel,
        }
    };
}

fn uses_percentile(p: &Parameters) -> bool {
    matches!(
        p.reference.method,
        ReferenceMethod::Percentile | ReferenceMethod::Iterative
    )
}

fn is_iterative(p: &Parameters) -> bool {
    p.reference.method == ReferenceMethod::Iterative
}

/// Defined names of parameter value cells in the workbook; the formulas use them.
pub mod names {
    /// Percentile p of the Referenzmiete.
    pub const PERCENTILE: &str = "KdU_Perzentil";
    /// Width of the central range (Spannenoberwert).
    pub const SPANNE: &str = "KdU_Spanne";
    /// k of the rule mean ± k·SD.
    pub const OUTLIER_K: &str = "KdU_Ausreisser_k";
    /// Share trimmed per side.
    pub const TRIM_SHARE: &str = "KdU_Trimmanteil";
    /// k of the IQR rule.
    pub const IQR_K: &str = "KdU_IQR_k";
    /// Absolute lower outlier bound.
    pub const BOUND_MIN: &str = "KdU_Grenze_min";
    /// Absolute upper outlier bound.
    pub const BOUND_MAX: &str = "KdU_Grenze_max";
    /// Quantile type.
    pub const QUANTILE_TYPE: &str = "KdU_Quantiltyp";
    /// Minimum n per cell.
    pub const MIN_N: &str = "KdU_Mindestfallzahl";
    /// Confidence level.
    pub const CI_LEVEL: &str = "KdU_Konfidenzniveau";
    /// BK percentile.
    pub const BK_PERCENTILE: &str = "KdU_BK_Perzentil";
    /// Plausible BK per m², lower end.
    pub const BK_MIN: &str = "KdU_BK_min";
    /// Plausible BK per m², upper end.
    pub const BK_MAX: &str = "KdU_BK_max";
    /// Plausible NKM per m², lower end.
    pub const NKM_MIN: &str = "KdU_NKM_min";
    /// Plausible NKM per m², upper end.
    pub const NKM_MAX: &str = "KdU_NKM_max";
    /// Area per further person.
    pub const AREA_FURTHER: &str = "KdU_Wfl_weitere";
    /// External kalte BK per m² (without Aufzug where split).
    pub const BK_EXTERNAL: &str = "KdU_BK_extern";
    /// External kalte BK per m² with Aufzug.
    pub const BK_EXTERNAL_LIFT: &str = "KdU_BK_extern_Aufzug";
    /// Share of warm water deducted from the Heizspiegel values.
    pub const HOT_WATER_SHARE: &str = "KdU_Warmwasser_Anteil";
    /// Factor of the Karenzzeit column.
    pub const KARENZZEIT_FACTOR: &str = "KdU_Karenzzeit_Faktor";
}

fn bk_external(p: &Parameters) -> bool {
    p.operating_costs.source == BkSource::External
}

fn bk_records(p: &Parameters) -> bool {
    p.operating_costs.source == BkSource::Records || !p.operating_costs.vergleichsraeume.is_empty()
}

/// Every scalar parameter, in display order within its section.
pub static CATALOGUE: &[Spec] = &[
    // Referenzmiete
    spec!(
        "reference.method",
        Reference,
        "Ableitungsmethode",
        "",
        choice!(ReferenceMethod, reference.method),
        "Wie aus der Verteilung der Nettokaltmieten je m² eines Tabellenfelds die Referenzmiete geschlossen wird (BSG-Kriterium: nachvollziehbare Schlussfolgerung)."
    ),
    spec!(
        "reference.percentile",
        Reference,
        "Perzentil p",
        "",
        number!(reference.percentile, Bounds::open(0.0, 1.0), 2),
        "Anteil der Wohnungen des Tabellenfelds, die höchstens die Referenzmiete kosten; das so bestimmte untere Marktsegment muss Leistungsberechtigten tatsächlich zugänglich sein. Beim iterativen Verfahren der Startwert.",
        uses_percentile,
        Some(names::PERCENTILE)
    ),
    spec!(
        "reference.spanne",
        Reference,
        "Breite der Spanne",
        "",
        number!(reference.spanne, Bounds::open(0.0, 1.0), 2),
        "Anteil der mittleren Mietwerte, deren Oberwert die Referenzmiete bildet (z. B. 2/3-Spanne wie im Mietspiegel).",
        |p| p.reference.method == ReferenceMethod::Spannenoberwert,
        Some(names::SPANNE)
    ),
    spec!(
        "quantile_type",
        Reference,
        "Quantildefinition",
        "",
        choice!(QuantileType, quantile_type),
        "Rechenvorschrift für Perzentile nach Hyndman und Fan; Typ 7 entspricht Excel QUANTIL.INKL, sodass die Prüfmappe jeden Wert mit Formeln nachrechnet.",
        always,
        Some(names::QUANTILE_TYPE)
    ),
    spec!(
        "reference.round_per_m2",
        Reference,
        "€/m² auf Cent runden",
        "",
        flag!(reference.round_per_m2),
        "Die Referenzmiete je m² wird vor der Multiplikation mit der Wohnfläche auf Cent gerundet, wie in veröffentlichten Tabellen üblich."
    ),
    spec!(
        "reference.pool_small_cells",
        Reference,
        "Kleine Tabellenfelder mit Nachbarklassen poolen",
        "",
        flag!(reference.pool_small_cells),
        "Aus: Ein Tabellenfeld unter der Mindestfallzahl hat keinen gültigen Richtwert; es gilt der WoGG-Rückfallwert. Ein: Seine Referenzmiete wird aus den eigenen Mietwerten zusammen mit denen der nächsten Größenklassen desselben Vergleichsraums abgeleitet (zuerst die nächstkleinere, dann die nächstgrößere), bis die Mindestfallzahl erreicht ist. Das ist schriftlich zu begründen (Begründungsfeld), weil Wohnungen anderer Größe eingehen."
    ),
    spec!(
        "min_n",
        Reference,
        "Mindestfallzahl je Tabellenfeld",
        "",
        Kind::Count {
            min: 1,
            max: 100_000,
            get: |p| p.min_n as u64,
            set: |p, v| p.min_n = usize::try_from(v).unwrap_or(usize::MAX),
        },
        "Unterhalb dieser Zahl verwendeter Mietwerte gilt ein Tabellenfeld als nicht repräsentativ (BSG-Kriterium K5) und es wird gewarnt.",
        always,
        Some(names::MIN_N)
    ),
    spec!(
        "ci_level",
        Reference,
        "Konfidenzniveau",
        "",
        number!(ci_level, Bounds::open(0.0, 1.0), 2),
        "Niveau des verteilungsfreien Konfidenzintervalls, das die statistische Unsicherheit des Perzentils zeigt.",
        always,
        Some(names::CI_LEVEL)
    ),
    // Extremwertkappung
    spec!(
        "outliers.method",
        Outliers,
        "Regel",
        "",
        choice!(OutlierMethod, outliers.method),
        "Ausreißer je Tabellenfeld werden nach einer festen, dokumentierten Regel ausgeschlossen, damit Einzelwerte die Referenzmiete nicht verzerren."
    ),
    spec!(
        "outliers.k",
        Outliers,
        "Faktor k",
        "",
        number!(outliers.k, Bounds::open_closed(0.0, 10.0), 2),
        "Werte außerhalb Mittelwert ± k · Standardabweichung werden ausgeschlossen; k = 1,96 entfernt bei Normalverteilung je 2,5 % an beiden Rändern.",
        |p| p.outliers.method == OutlierMethod::MeanSd,
        Some(names::OUTLIER_K)
    ),
    spec!(
        "outliers.trim_share",
        Outliers,
        "Anteil je Seite",
        "",
        number!(outliers.trim_share, Bounds::closed_open(0.0, 0.5), 3),
        "Dieser Anteil der niedrigsten und der höchsten Werte jedes Tabellenfelds wird abgeschnitten.",
        |p| p.outliers.method == OutlierMethod::Trim,
        Some(names::TRIM_SHARE)
    ),
    spec!(
        "outliers.iqr_k",
        Outliers,
        "Faktor k (IQR)",
        "",
        number!(outliers.iqr_k, Bounds::open_closed(0.0, 10.0), 2),
        "Werte unter Q1 − k · IQR oder über Q3 + k · IQR werden ausgeschlossen (Tukey).",
        |p| p.outliers.method == OutlierMethod::Iqr,
        Some(names::IQR_K)
    ),
    spec!(
        "outliers.abs_min",
        Outliers,
        "Untergrenze",
        "€/m²",
        number!(outliers.abs_min, Bounds::closed(0.0, 1000.0), 2),
        "Mietwerte je m² unter dieser festen Grenze werden ausgeschlossen.",
        |p| p.outliers.method == OutlierMethod::Absolute,
        Some(names::BOUND_MIN)
    ),
    spec!(
        "outliers.abs_max",
        Outliers,
        "Obergrenze",
        "€/m²",
        number!(outliers.abs_max, Bounds::closed(0.0, 1000.0), 2),
        "Mietwerte je m² über dieser festen Grenze werden ausgeschlossen.",
        |p| p.outliers.method == OutlierMethod::Absolute,
        Some(names::BOUND_MAX)
    ),
    // Betriebskosten und Rundung
    spec!(
        "operating_costs.source",
        OperatingCosts,
        "Quelle der Betriebskosten",
        "",
        choice!(BkSource, operating_costs.source),
        "Aus den Datensätzen (Kennzahl über dieselben Mietwerte) oder ein externer Wert je m², etwa aus dem Betriebskostenspiegel des Deutschen Mieterbunds, einer eigenen Erhebung der Kommune oder dem Durchschnitt der Betriebskosten der Leistungsempfänger (von SG Nürnberg, S 8 AS 467/20, als gut vertretbar angesehen). Angebotsdaten enthalten meist keine kalten Betriebskosten. Einzelne Vergleichsräume können eine eigene Quelle erhalten (Tabelle unten)."
    ),
    spec!(
        "operating_costs.statistic",
        OperatingCosts,
        "Kennzahl Betriebskosten",
        "",
        choice!(BkStatistic, operating_costs.statistic),
        "Kennzahl der kalten Betriebskosten je m², die zur Nettokaltmiete addiert wird (Bruttokaltmiete nach Produkttheorie).",
        bk_records
    ),
    spec!(
        "operating_costs.percentile",
        OperatingCosts,
        "Perzentil Betriebskosten",
        "",
        number!(operating_costs.percentile, Bounds::open(0.0, 1.0), 2),
        "Perzentil der kalten Betriebskosten je m².",
        |p| bk_records(p) && p.operating_costs.statistic == BkStatistic::Percentile,
        Some(names::BK_PERCENTILE)
    ),
    spec!(
        "operating_costs.level",
        OperatingCosts,
        "Ebene Betriebskosten",
        "",
        choice!(BkLevel, operating_costs.level),
        "Ob die Betriebskosten je Vergleichsraum (stabiler) oder je Tabellenfeld (genauer, aber kleinere Fallzahlen) ermittelt werden.",
        bk_records
    ),
    spec!(
        "operating_costs.lift_split",
        OperatingCosts,
        "Aufzug getrennt",
        "",
        flag!(operating_costs.lift_split),
        "Getrennte Betriebskostenwerte für Gebäude mit und ohne Aufzug, wie z. B. im Kreis Düren."
    ),
    spec!(
        "operating_costs.external.per_m2",
        OperatingCosts,
        "Externer Wert Betriebskosten",
        "€/m²",
        number!(
            operating_costs.external.per_m2,
            Bounds::closed(0.0, 20.0),
            2
        ),
        "Kalte Betriebskosten je m² und Monat aus der genannten Quelle (bei getrennter Ausweisung: ohne Aufzug); gilt für jedes Tabellenfeld der Vergleichsräume ohne eigene Angabe.",
        bk_external,
        Some(names::BK_EXTERNAL)
    ),
    spec!(
        "operating_costs.external.per_m2_lift",
        OperatingCosts,
        "Externer Wert mit Aufzug",
        "€/m²",
        Kind::Optional {
            bounds: Bounds::closed(0.0, 20.0),
            decimals: 2,
            get: |p| p.operating_costs.external.per_m2_lift,
            set: |p, v| p.operating_costs.external.per_m2_lift = v,
        },
        "Kalte Betriebskosten je m² für Gebäude mit Aufzug, wenn mit und ohne Aufzug getrennt ausgewiesen wird.",
        |p| bk_external(p) && p.operating_costs.lift_split,
        Some(names::BK_EXTERNAL_LIFT)
    ),
    spec!(
        "operating_costs.external.source_text",
        OperatingCosts,
        "Quelle des externen Werts",
        "",
        Kind::Text {
            get: |p| p.operating_costs.external.source_text.clone(),
            set: |p, v| p.operating_costs.external.source_text = v,
        },
        "Woher der Wert stammt, z. B. „Betriebskostenspiegel für Sachsen, Deutscher Mieterbund, Abrechnungsjahr 2022“ oder „Durchschnitt der kalten Betriebskosten der Bedarfsgemeinschaften, Stand 31.12.2024“. Ohne Quellenangabe ist der Wert nicht nachvollziehbar (Fehler in der Schlüssigkeitsprüfung).",
        bk_external
    ),
    spec!(
        "operating_costs.external.year",
        OperatingCosts,
        "Jahr des externen Werts",
        "",
        Kind::Optional {
            bounds: Bounds::closed(1990.0, 2100.0),
            decimals: 0,
            get: |p| p.operating_costs.external.year.map(f64::from),
            set: |p, v| p.operating_costs.external.year = v.map(|x| x.round() as u32),
        },
        "Abrechnungs- oder Erhebungsjahr, auf das sich der externe Wert bezieht.",
        bk_external
    ),
    spec!(
        "rounding.mode",
        OperatingCosts,
        "Rundung Bruttokaltmiete",
        "",
        choice!(RoundingMode, rounding.mode),
        "Rundung der Angemessenheitsgrenze (Bruttokaltmiete); Teilbeträge bleiben centgenau."
    ),
    // Untersuchungsgegenstand
    spec!(
        "scope.reference_kinds",
        Scope,
        "Datenarten für die Referenzmiete",
        "",
        Kind::Kinds {
            get: |p| p.scope.reference_kinds.clone(),
            set: |p, v| p.scope.reference_kinds = v,
        },
        "Welche Mietwerte in die Referenzmiete eingehen; Bestandsmieten sind unverzichtbar, Neuvertragsmieten sind nach § 22c SGB II zu berücksichtigen."
    ),
    spec!(
        "scope.availability_kinds",
        Scope,
        "Datenarten für die Verfügbarkeitsprüfung",
        "",
        Kind::Kinds {
            get: |p| p.scope.availability_kinds.clone(),
            set: |p, v| p.scope.availability_kinds = v,
        },
        "Welche Mietwerte als Angebote in die Verfügbarkeitsprüfung eingehen (in der Regel Angebotsmieten)."
    ),
    spec!(
        "scope.contract_window_years",
        Scope,
        "Vertragsalter höchstens",
        "Jahre",
        Kind::Optional {
            bounds: Bounds::closed(1.0, 30.0),
            decimals: 0,
            get: |p| p.scope.contract_window_years.map(f64::from),
            set: |p, v| p.scope.contract_window_years = v.map(|x| x.round() as u32),
        },
        "Nur Mietverträge, die in diesem Zeitraum vor dem Stichtag geschlossen oder in der Miete geändert wurden, bilden den aktuellen Markt ab (vgl. § 558 Abs. 2 BGB)."
    ),
    spec!(
        "scope.include_undated",
        Scope,
        "Bestandsmieten ohne Datum einbeziehen",
        "",
        flag!(scope.include_undated),
        "Bestandsmieten ohne Mietbeginn und ohne letzte Mietänderung lassen nicht erkennen, ob sie innerhalb der Altersgrenze liegen; sie werden daher ausgeschlossen (SG Magdeburg, S 14 AS 720/19 WA). Wer sie einbezieht, muss das schriftlich begründen (Begründungsfeld dieses Parameters). Gilt nur bei begrenztem Vertragsalter.",
        |p| p.scope.contract_window_years.is_some()
    ),
    spec!(
        "scope.exclude_furnished",
        Scope,
        "möblierte Wohnungen ausschließen",
        "",
        flag!(scope.exclude_furnished),
        "Möblierte Wohnungen und Wohnen auf Zeit gehören nicht zum allgemeinen Mietwohnungsmarkt (Gegenstand der Beobachtung, BSG-Kriterium K2)."
    ),
    spec!(
        "scope.exclude_subsidised",
        Scope,
        "öffentlich geförderte Wohnungen ausschließen",
        "",
        flag!(scope.exclude_subsidised),
        "Preisgebundene Wohnungen (Wohnberechtigungsschein) sind nicht allgemein zugänglich; die Praxis der Gerichte ist uneinheitlich, die Wahl ist zu begründen (BSG-Kriterium K2)."
    ),
    spec!(
        "scope.exclude_company_flats",
        Scope,
        "Werks- und Dienstwohnungen ausschließen",
        "",
        flag!(scope.exclude_company_flats),
        "Werks- und Dienstwohnungen werden nicht am allgemeinen Markt vermietet (BSG-Kriterium K2)."
    ),
    spec!(
        "scope.exclude_dormitories",
        Scope,
        "Wohnheime ausschließen",
        "",
        flag!(scope.exclude_dormitories),
        "Wohnheimplätze sind keine Wohnungen des allgemeinen Mietwohnungsmarkts (BSG-Kriterium K2)."
    ),
    spec!(
        "scope.exclude_favour_rents",
        Scope,
        "Gefälligkeitsmieten ausschließen",
        "",
        flag!(scope.exclude_favour_rents),
        "Mieten unter Verwandten oder aus Gefälligkeit bilden den Markt nicht ab (BSG-Kriterium K2)."
    ),
    spec!(
        "scope.exclude_substandard",
        Scope,
        "Substandard-Wohnungen ausschließen",
        "",
        flag!(scope.exclude_substandard),
        "Wohnungen ohne Bad oder Sammelheizung gehören nicht zum einfachen Standard, der angemessen ist (BSG-Kriterium K2)."
    ),
    spec!(
        "size_classes.lower_bound",
        Scope,
        "Untergrenze der kleinsten Größenklasse",
        "m²",
        Kind::Optional {
            bounds: Bounds::closed_open(0.0, 200.0),
            decimals: 1,
            get: |p| p.size_classes.lower_bound,
            set: |p, v| p.size_classes.lower_bound = v,
        },
        "Wohnungen bis zu dieser Fläche zählen zu keiner Größenklasse (z. B. Kleinstwohnungen); „aus“: keine Untergrenze."
    ),
    spec!(
        "size_classes.open_top",
        Scope,
        "Oberste Größenklasse offen",
        "",
        flag!(size_classes.open_top),
        "Wohnungen, die größer sind als die größte angemessene Wohnfläche, zählen zur obersten Größenklasse."
    ),
    spec!(
        "plausibility.rent_per_m2_min",
        Scope,
        "Nettokaltmiete je m² mindestens",
        "€/m²",
        number!(plausibility.rent_per_m2_min, Bounds::closed(0.0, 1000.0), 2),
        "Mietwerte darunter werden beim Einlesen als unplausibel ausgeschlossen (mit Grund und Zeilennummer).",
        always,
        Some(names::NKM_MIN)
    ),
    spec!(
        "plausibility.rent_per_m2_max",
        Scope,
        "Nettokaltmiete je m² höchstens",
        "€/m²",
        number!(plausibility.rent_per_m2_max, Bounds::closed(0.0, 1000.0), 2),
        "Mietwerte darüber werden beim Einlesen als unplausibel ausgeschlossen (mit Grund und Zeilennummer).",
        always,
        Some(names::NKM_MAX)
    ),
    spec!(
        "plausibility.bk_rule",
        Scope,
        "Plausibilitätsprüfung Betriebskosten",
        "",
        choice!(BkPlausibility, plausibility.bk_rule),
        "Welche kalten Betriebskosten je m² in die Betriebskosten-Kennzahl eingehen: nur Werte innerhalb einer Spanne (Voreinstellung 1,00–3,50 €/m² wie im Bremer Konzept; unplausible Werte werden gezählt) oder alle Werte."
    ),
    spec!(
        "plausibility.bk_per_m2_min",
        Scope,
        "Kalte Betriebskosten je m² mindestens",
        "€/m²",
        number!(plausibility.bk_per_m2_min, Bounds::closed(0.0, 100.0), 2),
        "Betriebskostenwerte darunter gehen nicht in die Betriebskosten-Kennzahl ein.",
        |p| p.plausibility.bk_rule == BkPlausibility::Window,
        Some(names::BK_MIN)
    ),
    spec!(
        "plausibility.bk_per_m2_max",
        Scope,
        "Kalte Betriebskosten je m² höchstens",
        "€/m²",
        number!(plausibility.bk_per_m2_max, Bounds::closed(0.0, 100.0), 2),
        "Betriebskostenwerte darüber gehen nicht in die Betriebskosten-Kennzahl ein.",
        |p| p.plausibility.bk_rule == BkPlausibility::Window,
        Some(names::BK_MAX)
    ),
    // Verfügbarkeitsprüfung
    spec!(
        "availability.target_share",
        Availability,
        "Zielanteil anmietbarer Angebote",
        "",
        number!(availability.target_share, Bounds::open_closed(0.0, 1.0), 2),
        "Mindestanteil der Angebote im Tabellenfeld, die zur Grenze anmietbar sein müssen; sonst ist Wohnraum zu diesem Preis nicht tatsächlich verfügbar (BSG-Kriterium K8)."
    ),
    spec!(
        "availability.window_months",
        Availability,
        "Angebotszeitraum",
        "Monate",
        Kind::Optional {
            bounds: Bounds::closed(1.0, 120.0),
            decimals: 0,
            get: |p| p.availability.window_months.map(f64::from),
            set: |p, v| p.availability.window_months = v.map(|x| x.round() as u32),
        },
        "Nur Angebote aus diesem Zeitraum vor dem Stichtag zeigen die aktuelle Marktlage."
    ),
    spec!(
        "availability.start",
        Availability,
        "Start der Iteration",
        "",
        choice!(IterationStart, availability.start),
        "Beim iterativen Verfahren beginnt die Suche beim festen Perzentil oder beim Anteil der Nachfragegruppen an den Mieterhaushalten.",
        is_iterative
    ),
    spec!(
        "availability.p_floor",
        Availability,
        "Mindest-Startperzentil",
        "",
        number!(availability.p_floor, Bounds::open(0.0, 1.0), 2),
        "Beginnt die Iteration beim Nachfrageanteil, dann mindestens bei diesem Perzentil: ein sehr kleiner Nachfrageanteil ergäbe sonst eine unplausibel niedrige Grenze.",
        |p| is_iterative(p) && p.availability.start == IterationStart::DemandShare
    ),
    spec!(
        "availability.p_step",
        Availability,
        "Schrittweite der Iteration",
        "",
        number!(availability.p_step, Bounds::closed(0.001, 0.2), 3),
        "Um diese Schrittweite wird das Perzentil erhöht, bis der Zielanteil erreicht ist.",
        is_iterative
    ),
    spec!(
        "availability.p_max",
        Availability,
        "Höchstes Perzentil der Iteration",
        "",
        number!(availability.p_max, Bounds::open_closed(0.0, 1.0), 2),
        "Bis zu diesem Perzentil wird höchstens erhöht; wird der Zielanteil auch dort nicht erreicht, ist die Verfügbarkeit nicht belegt.",
        is_iterative
    ),
    spec!(
        "availability.produkttheorie",
        Availability,
        "Produkttheorie bei Angeboten",
        "",
        flag!(availability.produkttheorie),
        "Angebote jeder Größe zählen als anmietbar, wenn ihre Bruttokaltmiete die Grenze nicht übersteigt (Produkttheorie auch bei der Verfügbarkeit)."
    ),
    spec!(
        "availability.dedup",
        Availability,
        "Doppelte Angebote entfernen",
        "",
        flag!(availability.dedup),
        "Mehrfach inserierte Wohnungen werden nur einmal gezählt."
    ),
    spec!(
        "availability.dedup_area_m2",
        Availability,
        "Dubletten: Flächentoleranz",
        "m²",
        number!(availability.dedup_area_m2, Bounds::closed(0.0, 20.0), 1),
        "Angebote derselben Gemeinde, deren Flächen höchstens so weit auseinander liegen, gelten als dieselbe Wohnung.",
        |p| p.availability.dedup
    ),
    spec!(
        "availability.dedup_rent_share",
        Availability,
        "Dubletten: Mietentoleranz",
        "",
        number!(availability.dedup_rent_share, Bounds::closed(0.0, 0.5), 3),
        "Angebote, deren Mieten höchstens um diesen Anteil voneinander abweichen, gelten als dieselbe Wohnung (0,01 = 1 %).",
        |p| p.availability.dedup
    ),
    spec!(
        "availability.heating_included",
        Availability,
        "Angebote mit Heizkosten in den Nebenkosten",
        "",
        choice!(HeatingIncludedOffers, availability.heating_included),
        "Aufteilung in abstrakt angemessene kalte Betriebskosten und Heizkosten (BSG B 4 AS 9/14 R) oder Ausschluss solcher Angebote."
    ),
    spec!(
        "availability.max_gemeinde_share",
        Availability,
        "Höchstanteil einer Gemeinde",
        "",
        number!(
            availability.max_gemeinde_share,
            Bounds::open_closed(0.0, 1.0),
            2
        ),
        "Warnung, wenn mehr als dieser Anteil der anmietbaren Angebote in einer Gemeinde liegt (keine Konzentration auf einzelne Orte)."
    ),
    spec!(
        "availability.share_above_limit_max",
        Availability,
        "Höchstanteil der Haushalte über dem Richtwert",
        "",
        number!(
            availability.share_above_limit_max,
            Bounds::open_closed(0.0, 1.0),
            2
        ),
        "Warnung, wenn in einem Tabellenfeld mehr als dieser Anteil der Bedarfsgemeinschaften (Wirkungsanalyse) über dem geltenden Richtwert wohnt: Der Richtwert passt dann womöglich nicht zum Markt (Bayerisches LSG, 28.03.2018, L 11 AS 52/16: 59,6 %)."
    ),
    // Repräsentativität
    spec!(
        "representativeness.coverage_warn",
        Representativeness,
        "Mindestabdeckung (Warnung)",
        "",
        number!(
            representativeness.coverage_warn,
            Bounds::closed(0.0, 1.0),
            3
        ),
        "Anteil der erhobenen Mietwerte am Mietwohnungsbestand, unterhalb dessen gewarnt wird (Bay. LSG: 10 %)."
    ),
    spec!(
        "representativeness.coverage_error",
        Representativeness,
        "Mindestabdeckung (Fehler)",
        "",
        number!(
            representativeness.coverage_error,
            Bounds::closed(0.0, 1.0),
            3
        ),
        "Anteil der erhobenen Mietwerte am Mietwohnungsbestand, unterhalb dessen die Datengrundlage als unzureichend gemeldet wird (LSG Baden-Württemberg: 4 %)."
    ),
    spec!(
        "representativeness.weighting",
        Representativeness,
        "Gewichtung nach Vermietertyp",
        "",
        flag!(representativeness.weighting),
        "Nachgewichtung der Mietwerte nach den Marktanteilen privater und institutioneller Vermieter, getrennt für Nettokaltmiete und Betriebskosten (LSG Sachsen-Anhalt)."
    ),
    spec!(
        "representativeness.welfare_share_max",
        Representativeness,
        "Höchstanteil Leistungsbezieher",
        "",
        number!(
            representativeness.welfare_share_max,
            Bounds::closed(0.0, 1.0),
            2
        ),
        "Tabellenfelder mit einem höheren Anteil an Mietwerten von Leistungsbeziehern werden markiert, weil sonst ein Zirkelschluss droht."
    ),
    spec!(
        "representativeness.homogeneity_gap",
        Representativeness,
        "Toleranz des Mietniveaus je Gemeinde",
        "",
        number!(
            representativeness.homogeneity_gap,
            Bounds::closed(0.0, 1.0),
            2
        ),
        "Warnung, wenn der Median der Nettokaltmiete je m² einer Gemeinde (mit mindestens der Mindestfallzahl an Mietwerten) um mehr als diesen Anteil vom Median ihres Vergleichsraums abweicht: Der Vergleichsraum ist dann womöglich nicht homogen."
    ),
    spec!(
        "representativeness.landlord_share_tolerance",
        Representativeness,
        "Toleranz der Vermieterstruktur",
        "",
        number!(
            representativeness.landlord_share_tolerance,
            Bounds::closed(0.0, 1.0),
            2
        ),
        "Warnung, wenn der Anteil privater Vermieter in der Stichprobe um mehr als diesen Anteil von ihrem eingetragenen Marktanteil abweicht und nicht gewichtet wird."
    ),
    spec!(
        "representativeness.size_share_tolerance",
        Representativeness,
        "Toleranz der Größenstruktur",
        "",
        number!(
            representativeness.size_share_tolerance,
            Bounds::closed(0.0, 1.0),
            2
        ),
        "Warnung, wenn der Stichprobenanteil einer Größenklasse um mehr als diesen Anteil von ihrem Anteil am Mietwohnungsbestand abweicht."
    ),
    // WoGG
    spec!(
        "wogg.surcharge",
        Wogg,
        "Sicherheitszuschlag",
        "",
        number!(wogg.surcharge, Bounds::closed(0.0, 1.0), 2),
        "Zuschlag auf den Höchstbetrag nach § 12 WoGG, wenn kein schlüssiges Konzept vorliegt (BSG B 4 AS 87/12 R: 10 %)."
    ),
    spec!(
        "wogg.klima",
        Wogg,
        "Klimakomponente",
        "",
        choice!(KlimaMode, wogg.klima),
        "Wie die Klimakomponente nach § 12 Abs. 7 WoGG in den Rückgriffswert eingeht; in der Rechtsprechung umstritten, die Wahl ist zu begründen."
    ),
    spec!(
        "wogg.kreis_mietstufe",
        Wogg,
        "Mietstufe des Kreises",
        "",
        Kind::Optional {
            bounds: Bounds::closed(1.0, 7.0),
            decimals: 0,
            get: |p| p.wogg.kreis_mietstufe.map(f64::from),
            set: |p, v| p.wogg.kreis_mietstufe = v.map(|x| x.round() as u8),
        },
        "Mietstufe nach der Anlage zur Wohngeldverordnung für Gemeinden ohne eigene Mietstufe in der Gemeindetabelle."
    ),
    // Heizkosten
    spec!(
        "heating.enabled",
        Heating,
        "Heizkostengrenzen",
        "",
        flag!(heating.enabled),
        "Grenzwerte für Heizkosten nach dem Heizspiegel (Grenze zu „zu hoch“), getrennt von der Bruttokaltmiete geprüft (BSG B 14 AS 36/08 R)."
    ),
    spec!(
        "heating.energietraeger",
        Heating,
        "Energieträger",
        "",
        Kind::Text {
            get: |p| p.heating.energietraeger.clone(),
            set: |p, v| p.heating.energietraeger = v,
        },
        "Der Energieträger wählt die Zeile des Heizspiegels.",
        |p| p.heating.enabled
    ),
    spec!(
        "heating.building_area_m2",
        Heating,
        "Beheizte Gebäudefläche",
        "m²",
        number!(
            heating.building_area_m2,
            Bounds::open_closed(0.0, 100_000.0),
            0
        ),
        "Die beheizte Gebäudefläche wählt die Spalte (Flächenklasse) des Heizspiegels.",
        |p| p.heating.enabled
    ),
    spec!(
        "heating.gesamtangemessenheitsgrenze",
        Heating,
        "Gesamtangemessenheitsgrenze",
        "",
        flag!(heating.gesamtangemessenheitsgrenze),
        "Bruttokaltmiete und Heizkostengrenze werden zu einer Grenze für Unterkunft und Heizung zusammengefasst (§ 22 Abs. 10 SGB II).",
        |p| p.heating.enabled
    ),
    spec!(
        "heating.hot_water_decentral",
        Heating,
        "Dezentrale Warmwasserbereitung",
        "",
        flag!(heating.hot_water_decentral),
        "Die Werte des Heizspiegels enthalten die Kosten der Warmwasserbereitung. Wird das Warmwasser in der Wohnung erzeugt (Durchlauferhitzer, Boiler), wird der Warmwasseranteil abgezogen; die Kosten der dezentralen Warmwassererzeugung werden als Mehrbedarf nach § 21 Abs. 7 SGB II gesondert anerkannt.",
        |p| p.heating.enabled
    ),
    spec!(
        "heating.hot_water_share",
        Heating,
        "Warmwasseranteil",
        "",
        number!(heating.hot_water_share, Bounds::closed_open(0.0, 1.0), 2),
        "Anteil der Warmwasserbereitung an den Heizspiegelwerten, der bei dezentraler Warmwasserbereitung abgezogen wird. Die Voreinstellung 18 % ist der pauschale Warmwasseranteil verbundener Anlagen nach der früheren Fassung der Heizkostenverordnung; der Wert ist eine Wahl des Trägers und vom Anwender anhand der verwendeten Heizspiegel-Ausgabe zu bestätigen und zu begründen.",
        |p| p.heating.enabled && p.heating.hot_water_decentral,
        Some(names::HOT_WATER_SHARE)
    ),
    // Richtwerttabelle und Karenzzeit
    spec!(
        "richtwerte.label",
        Table,
        "Bezeichnung der Grenze",
        "",
        choice!(LimitLabel, richtwerte.label),
        "Wie die Bruttokaltmiete in den Tabellen heißt: Nichtprüfungsgrenze (bis zu diesem Betrag findet keine Einzelfallprüfung statt; darüber wird geprüft, nicht automatisch gekürzt) oder Angemessenheitsgrenze."
    ),
    spec!(
        "richtwerte.published_table",
        Table,
        "Richtwerttabelle zur Veröffentlichung",
        "",
        flag!(richtwerte.published_table),
        "Zusätzliches Blatt „Richtwerttabelle“ in der Arbeitsmappe, wie Jobcenter es veröffentlichen: nummerierte Spalten mit ausgeschriebener Rechenregel („Produkt aus Spalte 2 und 3“, „Summe aus Spalte 4 und 6“), Betriebskosten ohne und mit Aufzug. Vor dem Export wird jedes Produkt und jede Summe auf den Cent nachgerechnet; eine Abweichung verhindert den Export."
    ),
    spec!(
        "karenzzeit.factor",
        Table,
        "Faktor Karenzzeit",
        "",
        Kind::Optional {
            bounds: Bounds::open_closed(1.0, 5.0),
            decimals: 2,
            get: |p| p.karenzzeit.factor,
            set: |p, v| p.karenzzeit.factor = v,
        },
        "Zusätzliche Spalte „Grenze in der Karenzzeit“ = Faktor × geltende Grenze, gerundet wie die Tabelle. Die geplante Reform der Grundsicherung soll die Übernahme der tatsächlichen Kosten der Unterkunft im ersten Jahr des Leistungsbezugs (Karenzzeit, § 22 Abs. 1 SGB II) nach Berichten auf das 1,5-Fache der Angemessenheitsgrenze begrenzen. Der Gesetzestext, der Faktor und der Tag des Inkrafttretens sind vom Anwender anhand der verkündeten Fassung zu bestätigen; „aus“: keine Spalte.",
        always,
        Some(names::KARENZZEIT_FACTOR)
    ),
    // Wohnflächen (the table itself has its own editor)
    spec!(
        "wohnflaechen.per_further",
        Wohnflaechen,
        "Wohnfläche je weitere Person",
        "m²",
        number!(wohnflaechen.per_further, Bounds::closed(0.0, 50.0), 1),
        "Zusätzliche angemessene Wohnfläche für jede Person über die Tabelle hinaus (Landesbestimmungen zur sozialen Wohnraumförderung).",
        always,
        Some(names::AREA_FURTHER)
    ),
];

/// Paths of structured parameters with their own editor (not in [`CATALOGUE`]).
pub const STRUCTURED: [(&str, &str); 6] = [
    ("wohnflaechen", "Angemessene Wohnflächen je Haushaltsgröße"),
    (
        "operating_costs.vergleichsraeume",
        "Betriebskosten je Vergleichsraum",
    ),
    ("availability.demand", "Nachfragegruppen je Haushaltsgröße"),
    (
        "representativeness.market_shares",
        "Marktanteile privater Vermieter",
    ),
    ("heating.table", "Heizspiegel"),
    ("fortschreibung", "Fortschreibung"),
];

/// Labels of values that are not set on their own: parts of the Wohnflächen editor and numbers
/// derived from parameters (shown on the workbook's Parameter sheet).
pub const OTHER_LABELS: [(&str, &str); 6] = [
    ("wohnflaechen.land", "Land der Wohnflächenregelung"),
    (
        "wohnflaechen.sizes",
        "Angemessene Wohnflächen je Haushaltsgröße",
    ),
    (
        "wohnflaechen.source",
        "Rechtsgrundlage/Quelle der Wohnflächen",
    ),
    (
        "wohnflaechen.confirmed",
        "Wohnflächen vom Anwender als belegt bestätigt",
    ),
    (
        "reference.effective_p",
        "Wirksames Perzentil der Referenzmiete (abgeleitet)",
    ),
    (
        "operating_costs.effective_p",
        "Wirksames Perzentil der Betriebskosten (abgeleitet)",
    ),
];

/// The entry for a path (also the short forms `percentile`/`p` and `k`).
pub fn find(path: &str) -> Option<&'static Spec> {
    let path = match path.trim() {
        "percentile" | "p" => "reference.percentile",
        "k" => "outliers.k",
        other => other,
    };
    CATALOGUE.iter().find(|s| s.path == path)
}

/// The German label of a path: the catalogue's, a structured parameter's, or the path itself.
pub fn label(path: &str) -> &str {
    find(path).map(|s| s.label).unwrap_or_else(|| {
        STRUCTURED
            .iter()
            .chain(OTHER_LABELS.iter())
            .find(|(p, _)| *p == path)
            .map_or(path, |(_, l)| *l)
    })
}

/// Checks every parameter against its rules and the rules between parameters. Returns the
/// German messages of all violations (empty when valid).
pub fn validate(p: &Parameters) -> Vec<String> {
    let mut errors: Vec<String> = CATALOGUE
        .iter()
        .filter_map(|s| s.check(&s.value(p)).err())
        .collect();
    let mut pair = |ok: bool, text: &str| {
        if !ok {
            errors.push(text.to_string());
        }
    };
    pair(
        p.outliers.abs_min < p.outliers.abs_max,
        "Extremwertkappung: Die Untergrenze muss kleiner als die Obergrenze sein.",
    );
    pair(
        p.plausibility.rent_per_m2_min < p.plausibility.rent_per_m2_max,
        "Plausibilität: Die Untergrenze der Nettokaltmiete je m² muss kleiner als die Obergrenze sein.",
    );
    pair(
        p.plausibility.bk_per_m2_min < p.plausibility.bk_per_m2_max,
        "Plausibilität: Die Untergrenze der Betriebskosten je m² muss kleiner als die Obergrenze sein.",
    );
    pair(
        p.representativeness.coverage_error <= p.representativeness.coverage_warn,
        "Repräsentativität: Die Fehlergrenze der Abdeckung darf nicht über der Warngrenze liegen.",
    );
    pair(
        p.availability.p_floor <= p.availability.p_max,
        "Verfügbarkeitsprüfung: Das Mindest-Startperzentil darf nicht über dem höchsten Perzentil liegen.",
    );
    pair(
        !p.wohnflaechen.sizes.is_empty()
            && p.wohnflaechen
                .sizes
                .iter()
                .all(|a| a.is_finite() && *a > 0.0 && *a <= 1000.0),
        "Wohnflächen: Jede Haushaltsgröße braucht eine Wohnfläche größer als 0 und höchstens 1.000 m².",
    );
    pair(
        p.operating_costs.vergleichsraeume.iter().all(|v| {
            (0.0..=20.0).contains(&v.per_m2)
                && v.per_m2_lift.is_none_or(|l| (0.0..=20.0).contains(&l))
        }),
        "Betriebskosten je Vergleichsraum: Jeder Wert muss zwischen 0 und 20 €/m² liegen.",
    );
    errors
}

/// Sets one parameter from text (`--set`, `kdu-konzept set`) and validates the result as a
/// whole. Keys not in the catalogue fall back to the structured TOML path of the project file.
pub fn set_from_text(params: &Parameters, key: &str, text: &str) -> Result<Parameters, String> {
    let mut p = params.clone();
    match find(key) {
        Some(spec) => {
            let v = spec.parse(text)?;
            spec.set(&mut p, v)?;
        }
        None => p = super::params::set_toml_path(params, key.trim(), text)?,
    }
    match validate(&p).first() {
        Some(e) => Err(e.clone()),
        None => Ok(p),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_path_is_unique_and_reads_the_default() {
        let mut paths: Vec<&str> = CATALOGUE.iter().map(|s| s.path).collect();
        paths.sort_unstable();
        let n = paths.len();
        paths.dedup();
        assert_eq!(paths.len(), n, "duplicate path");
        let d = Parameters::default();
        assert!(validate(&d).is_empty(), "{:?}", validate(&d));
        for s in CATALOGUE {
            // Setting the default back leaves the parameters unchanged.
            let mut p = d.clone();
            s.set(&mut p, s.default_value()).unwrap();
            assert_eq!(p, d, "{}", s.path);
            // The display text parses back to the value (up to the decimals shown).
            if !matches!(s.kind, Kind::Choice { .. } | Kind::Kinds { .. }) {
                let text = s.display(&d);
                let text = text.trim_end_matches(s.unit).trim().replace('.', "");
                match (s.parse(&text).unwrap(), s.default_value(), s.kind) {
                    (Value::Number(a), Value::Number(b), Kind::Number { decimals, .. }) => {
                        assert!(
                            (a - b).abs() <= 0.5 * 10f64.powi(-(decimals as i32)),
                            "{}",
                            s.path
                        )
                    }
                    (a, b, _) => assert_eq!(a, b, "{}", s.path),
                }
            }
            assert!(!s.label.is_empty() && !s.help.is_empty());
            assert!(!s.help.contains("[U") && !s.help.contains("DOMAIN"));
        }
    }

    #[test]
    fn serialised_paths_exist_in_the_project_file() {
        let root = toml::Value::try_from(Parameters::default()).unwrap();
        for s in CATALOGUE {
            let mut node = &root;
            for part in s.path.split('.') {
                node = node
                    .get(part)
                    .unwrap_or_else(|| panic!("{} not serialised", s.path));
            }
        }
    }

    #[test]
    fn invalid_values_are_refused_with_german_messages() {
        let p = Parameters::default();
        for (key, value) in [
            ("percentile", "1.5"),
            ("percentile", "0"),
            ("outliers.k", "-1"),
            ("min_n", "0"),
            ("quantile_type", "12"),
            ("availability.target_share", "0"),
            ("availability.target_share", "1.2"),
            ("outliers.method", "gibtsnicht"),
            ("scope.reference_kinds", "[]"),
            ("outliers.abs_min", "30"),
        ] {
            let e = set_from_text(&p, key, value).unwrap_err();
            assert!(
                e.contains("ungültig") || e.contains("kein gültiger") || e.contains("muss"),
                "{key}={value}: {e}"
            );
        }
        let q = set_from_text(&p, "percentile", "0,4").unwrap();
        assert_eq!(q.reference.percentile, 0.4);
        let q = set_from_text(&p, "availability.target_share", "1").unwrap();
        assert_eq!(q.availability.target_share, 1.0);
        let q = set_from_text(&p, "scope.contract_window_years", "aus").unwrap();
        assert_eq!(q.scope.contract_window_years, None);
        let q = set_from_text(&p, "quantile_type", "6").unwrap();
        assert_eq!(q.quantile_type, QuantileType::T6);
        let q = set_from_text(&p, "outliers.method", "trim").unwrap();
        assert_eq!(q.outliers.method, OutlierMethod::Trim);
        let q = set_from_text(&p, "scope.reference_kinds", "bestand").unwrap();
        assert_eq!(q.scope.reference_kinds, vec![SourceKind::Bestand]);
        assert!(set_from_text(&p, "nonsense", "1").is_err());
    }
}
