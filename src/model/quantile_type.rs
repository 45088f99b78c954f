//! The Hyndman–Fan quantile types as a parameter choice; the computation is in
//! `analysis::quantile`.

/// Hyndman–Fan sample quantile definition (types 1–9). Stored as its number (1–9).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "u8", into = "u8")]
pub enum QuantileType {
    /// Inverse of the empirical distribution function (numpy `inverted_cdf`).
    T1 = 1,
    /// Inverse empirical distribution function, averaged at the jumps (`averaged_inverted_cdf`).
    T2,
    /// Nearest order statistic, even rank at ties (`closest_observation`).
    T3,
    /// Linear interpolation of the empirical distribution function (`interpolated_inverted_cdf`).
    T4,
    /// Piecewise linear with knots at (k − 0.5)/n, Hazen (`hazen`).
    T5,
    /// Linear with knots at k/(n + 1), Weibull; Excel `PERCENTILE.EXC` (`weibull`).
    T6,
    /// Linear with knots at (k − 1)/(n − 1); Excel `PERCENTILE.INC` (`linear`). The default.
    #[default]
    T7,
    /// Approximately median-unbiased, knots at (k − 1/3)/(n + 1/3) (`median_unbiased`).
    T8,
    /// Approximately unbiased for normal data, knots at (k − 3/8)/(n + 1/4) (`normal_unbiased`).
    T9,
}

impl QuantileType {
    /// All nine types in order.
    pub const ALL: [QuantileType; 9] = [
        QuantileType::T1,
        QuantileType::T2,
        QuantileType::T3,
        QuantileType::T4,
        QuantileType::T5,
        QuantileType::T6,
        QuantileType::T7,
        QuantileType::T8,
        QuantileType::T9,
    ];

    /// The Hyndman–Fan number, 1–9.
    pub fn number(self) -> u8 {
        self as u8
    }

    /// German one-line name for menus and the method text.
    pub fn german(self) -> &'static str {
        match self {
            QuantileType::T1 => {
                "Typ 1 – inverse empirische Verteilungsfunktion (ohne Interpolation)"
            }
            QuantileType::T2 => {
                "Typ 2 – inverse empirische Verteilungsfunktion, an Sprungstellen gemittelt"
            }
            QuantileType::T3 => "Typ 3 – nächstgelegener Messwert (bei Gleichstand gerader Rang)",
            QuantileType::T4 => "Typ 4 – lineare Interpolation der empirischen Verteilungsfunktion",
            QuantileType::T5 => {
                "Typ 5 – lineare Interpolation nach Hazen (Stützstellen (k − 0,5)/n)"
            }
            QuantileType::T6 => {
                "Typ 6 – lineare Interpolation nach Weibull (Excel QUANTIL.EXKL / PERCENTILE.EXC)"
            }
            QuantileType::T7 => {
                "Typ 7 – lineare Interpolation (Excel QUANTIL.INKL / PERCENTILE.INC)"
            }
            QuantileType::T8 => "Typ 8 – median-unverzerrt (Empfehlung von Hyndman und Fan)",
            QuantileType::T9 => "Typ 9 – unverzerrt bei Normalverteilung (Blom)",
        }
    }

    /// German statement of the rule, for the exported method text. `x_1 ≤ … ≤ x_n` are the
    /// sorted values of the cell and `p` the quantile level.
    pub fn german_definition(self) -> &'static str {
        match self {
            QuantileType::T1 => {
                "Q = x_k mit k = ⌈n·p⌉ (mindestens 1): kleinster Wert, bis zu dem der Anteil p erreicht ist."
            }
            QuantileType::T2 => {
                "Wie Typ 1, ist n·p = j jedoch ganzzahlig (1 ≤ j < n), so ist Q der Mittelwert von x_j und x_(j+1)."
            }
            QuantileType::T3 => {
                "Q = x_k mit k = n·p gerundet auf die nächste ganze Zahl (bei ,5 auf die gerade Zahl), mindestens 1."
            }
            QuantileType::T4 => {
                "Position h = n·p; Q = x_⌊h⌋ + (h − ⌊h⌋)·(x_(⌊h⌋+1) − x_⌊h⌋); für h ≤ 1 gilt Q = x_1, für h ≥ n gilt Q = x_n."
            }
            QuantileType::T5 => {
                "Position h = n·p + 0,5; Q = x_⌊h⌋ + (h − ⌊h⌋)·(x_(⌊h⌋+1) − x_⌊h⌋); für h ≤ 1 gilt Q = x_1, für h ≥ n gilt Q = x_n."
            }
            QuantileType::T6 => {
                "Position h = (n + 1)·p; Q = x_⌊h⌋ + (h − ⌊h⌋)·(x_(⌊h⌋+1) − x_⌊h⌋); für h ≤ 1 gilt Q = x_1, für h ≥ n gilt Q = x_n."
            }
            QuantileType::T7 => {
                "Position h = (n − 1)·p + 1; Q = x_⌊h⌋ + (h − ⌊h⌋)·(x_(⌊h⌋+1) − x_⌊h⌋)."
            }
            QuantileType::T8 => {
                "Position h = (n + 1/3)·p + 1/3; Q = x_⌊h⌋ + (h − ⌊h⌋)·(x_(⌊h⌋+1) − x_⌊h⌋); für h ≤ 1 gilt Q = x_1, für h ≥ n gilt Q = x_n."
            }
            QuantileType::T9 => {
                "Position h = (n + 1/4)·p + 3/8; Q = x_⌊h⌋ + (h − ⌊h⌋)·(x_(⌊h⌋+1) − x_⌊h⌋); für h ≤ 1 gilt Q = x_1, für h ≥ n gilt Q = x_n."
            }
        }
    }

    /// The `method=` name of this type in numpy (`np.quantile`, `np.percentile`).
    pub fn numpy_method(self) -> &'static str {
        match self {
            QuantileType::T1 => "inverted_cdf",
            QuantileType::T2 => "averaged_inverted_cdf",
            QuantileType::T3 => "closest_observation",
            QuantileType::T4 => "interpolated_inverted_cdf",
            QuantileType::T5 => "hazen",
            QuantileType::T6 => "weibull",
            QuantileType::T7 => "linear",
            QuantileType::T8 => "median_unbiased",
            QuantileType::T9 => "normal_unbiased",
        }
    }

    /// True for the discontinuous types 1–3, which return (averages of) data values.
    pub fn is_discrete(self) -> bool {
        matches!(self, QuantileType::T1 | QuantileType::T2 | QuantileType::T3)
    }

    /// The type with this numpy `method=` name, if any.
    pub fn from_numpy_method(name: &str) -> Option<QuantileType> {
        QuantileType::ALL
            .into_iter()
            .find(|t| t.numpy_method() == name)
    }
}

impl TryFrom<u8> for QuantileType {
    type Error = String;

    fn try_from(value: u8) -> Result<Self, Self::Error> {
        QuantileType::ALL
            .into_iter()
            .find(|t| t.number() == value)
            .ok_or_else(|| {
                format!("Unbekannter Quantiltyp {value}: erlaubt sind die Typen 1 bis 9 nach Hyndman und Fan.")
            })
    }
}

impl From<QuantileType> for u8 {
    fn from(t: QuantileType) -> u8 {
        t.number()
    }
}
