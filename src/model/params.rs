//! Every parameter of the derivation, with its default (docs/METHOD.md §2.16).
//!
//! All structs use `#[serde(default)]` so project files written by older versions still load.
//! Items listed as open in docs/METHOD.md §7 are parameters here and are named as unsure in the method text.

use super::QuantileType;
use super::record::SourceKind;
use serde::{Deserialize, Serialize};

mod costs;

pub use costs::{
    BkChoice, BkSource, ExternalBk, KarenzzeitParams, LimitLabel, RichtwerteParams, VrBk,
};

/// Serialises an optional value explicitly: the value, or `"aus"` when off. An omitted key
/// would load as the default, so "off" would be lost on saving. Reading also accepts
/// `keine`/`none`.
mod off_or {
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer, T: Serialize>(v: &Option<T>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(x) => x.serialize(s),
            None => s.serialize_str("aus"),
        }
    }

    pub fn deserialize<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de>,
    {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum OrOff<T> {
            Value(T),
            Text(String),
        }
        match OrOff::<T>::deserialize(d)? {
            OrOff::Value(x) => Ok(Some(x)),
            OrOff::Text(t) => match t.trim().to_lowercase().as_str() {
                "aus" | "keine" | "kein" | "none" | "off" => Ok(None),
                _ => Err(D::Error::custom(format!(
                    "„{t}“: erwartet eine Zahl oder „aus“"
                ))),
            },
        }
    }
}

/// All parameters of one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Parameters {
    /// Angemessene Wohnflächen per household size.
    pub wohnflaechen: WohnflaechenParams,
    /// Size classes (Tabellenfelder).
    pub size_classes: SizeClassParams,
    /// Scope filters.
    pub scope: ScopeParams,
    /// Hard plausibility bounds applied at import.
    pub plausibility: PlausibilityParams,
    /// Outlier rule (Extremwertkappung).
    pub outliers: OutlierParams,
    /// Hyndman–Fan quantile type used everywhere.
    pub quantile_type: QuantileType,
    /// Minimum n per cell (warning below).
    pub min_n: usize,
    /// Confidence level for the distribution-free interval of the chosen percentile.
    pub ci_level: f64,
    /// Referenzmiete derivation.
    pub reference: ReferenceParams,
    /// Kalte Betriebskosten.
    pub operating_costs: OperatingCostParams,
    /// Rounding of the limits.
    pub rounding: RoundingParams,
    /// WoGG comparison.
    pub wogg: WoggParams,
    /// Availability check (Verfügbarkeitsprüfung) and iterative procedure.
    pub availability: AvailabilityParams,
    /// Representativeness diagnostics and weighting.
    pub representativeness: RepresentativenessParams,
    /// Heating limits (Heizspiegel) and Gesamtangemessenheitsgrenze.
    pub heating: HeatingParams,
    /// Fortschreibung of old limits by index.
    pub fortschreibung: Option<FortschreibungParams>,
    /// The Karenzzeit column (factor × the applied limit).
    pub karenzzeit: KarenzzeitParams,
    /// The published table (Richtwerttabelle) and the name of the limit.
    pub richtwerte: RichtwerteParams,
}

impl Parameters {
    /// Renames the Vergleichsraum `from` to `to` wherever a parameter names it (BK source per
    /// Vergleichsraum, market shares, stock by size, old limits of the Fortschreibung).
    pub fn rename_vergleichsraum(&mut self, from: &str, to: &str) {
        let rename = |name: &mut String| {
            if name == from {
                *name = to.to_string();
            }
        };
        self.operating_costs
            .vergleichsraeume
            .iter_mut()
            .for_each(|v| rename(&mut v.vergleichsraum));
        let r = &mut self.representativeness;
        r.market_shares
            .iter_mut()
            .for_each(|m| rename(&mut m.vergleichsraum));
        r.stock_by_size
            .iter_mut()
            .for_each(|m| rename(&mut m.vergleichsraum));
        if let Some(f) = self.fortschreibung.as_mut() {
            f.old_limits
                .iter_mut()
                .for_each(|l| rename(&mut l.vergleichsraum));
        }
    }
}

impl Default for Parameters {
    fn default() -> Self {
        Parameters {
            wohnflaechen: WohnflaechenParams::default(),
            size_classes: SizeClassParams::default(),
            scope: ScopeParams::default(),
            plausibility: PlausibilityParams::default(),
            outliers: OutlierParams::default(),
            quantile_type: QuantileType::T7,
            min_n: 30,
            ci_level: 0.95,
            reference: ReferenceParams::default(),
            operating_costs: OperatingCostParams::default(),
            rounding: RoundingParams::default(),
            wogg: WoggParams::default(),
            availability: AvailabilityParams::default(),
            representativeness: RepresentativenessParams::default(),
            heating: HeatingParams::default(),
            fortschreibung: None,
            karenzzeit: KarenzzeitParams::default(),
            richtwerte: RichtwerteParams::default(),
        }
    }
}

/// Angemessene Wohnflächen (docs/METHOD.md §3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WohnflaechenParams {
    /// Land code (NW, BY, …) the preset came from.
    pub land: String,
    /// m² for 1, 2, … persons.
    pub sizes: Vec<f64>,
    /// m² for each further person.
    pub per_further: f64,
    /// Source of the values (rule, date).
    pub source: String,
    /// The user confirmed the values (required where the preset is unverified).
    pub confirmed: bool,
}

impl Default for WohnflaechenParams {
    fn default() -> Self {
        WohnflaechenParams {
            land: "NW".to_string(),
            sizes: vec![50.0, 65.0, 80.0, 95.0, 110.0],
            per_further: 15.0,
            source: "WNB NRW Nr. 8.2 (RdErl. 12.12.2009, MBl. NRW 2010 S. 1)".to_string(),
            confirmed: false,
        }
    }
}

impl WohnflaechenParams {
    /// Angemessene Wohnfläche for `persons` (≥ 1): the table, then + per_further per person.
    pub fn area_for(&self, persons: u32) -> f64 {
        let idx = persons.max(1) as usize;
        match self.sizes.get(idx - 1) {
            Some(a) => *a,
            None => {
                let last = self.sizes.last().copied().unwrap_or(0.0);
                last + (idx - self.sizes.len()) as f64 * self.per_further
            }
        }
    }

    /// Number of household sizes in the table (size classes).
    pub fn household_sizes(&self) -> u32 {
        self.sizes.len() as u32
    }
}

/// Size classes derived from the Wohnflächen steps (docs/METHOD.md §2.4).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SizeClassParams {
    /// Lower bound of class 1 in m² (exclusive); `None` = no lower bound.
    #[serde(with = "off_or")]
    pub lower_bound: Option<f64>,
    /// Open top class: flats larger than the largest size fall into the top class.
    pub open_top: bool,
}

/// Scope filters (docs/METHOD.md §2.5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScopeParams {
    /// Source kinds used for the Referenzmiete.
    pub reference_kinds: Vec<SourceKind>,
    /// Source kinds used for the availability check.
    pub availability_kinds: Vec<SourceKind>,
    /// Contract-age window in years (contract start or last rent change); `None` = off.
    #[serde(with = "off_or")]
    pub contract_window_years: Option<u32>,
    /// Keep Bestandsmieten with neither contract start nor last rent change while the window is
    /// on (default: excluded, SG Magdeburg S 14 AS 720/19 WA; including them needs the user's
    /// justification, `project.justifications["scope.include_undated"]`).
    pub include_undated: bool,
    /// Exclude furnished flats.
    pub exclude_furnished: bool,
    /// Exclude subsidised flats [U: practice varies].
    pub exclude_subsidised: bool,
    /// Exclude Werks-/Dienstwohnungen.
    pub exclude_company_flats: bool,
    /// Exclude Wohnheime.
    pub exclude_dormitories: bool,
    /// Exclude Gefälligkeitsmieten.
    pub exclude_favour_rents: bool,
    /// Exclude flats of the lowest standard.
    pub exclude_substandard: bool,
}

impl Default for ScopeParams {
    fn default() -> Self {
        ScopeParams {
            reference_kinds: vec![SourceKind::Bestand, SourceKind::Neuvertrag],
            availability_kinds: vec![SourceKind::Angebot],
            contract_window_years: Some(4),
            include_undated: false,
            exclude_furnished: true,
            exclude_subsidised: true,
            exclude_company_flats: true,
            exclude_dormitories: true,
            exclude_favour_rents: true,
            exclude_substandard: true,
        }
    }
}

/// Which kalte BK per m² enter the BK statistic (docs/METHOD.md §2.5 point 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BkPlausibility {
    /// Only values within `bk_per_m2_min..=bk_per_m2_max` (F+B Bremen: 1,00–3,50 €/m²).
    Window,
    /// Every value of a record with kalte BK.
    None,
}

impl BkPlausibility {
    /// German label.
    pub fn german(self) -> &'static str {
        match self {
            BkPlausibility::Window => "nur Werte innerhalb der Spanne",
            BkPlausibility::None => "keine Plausibilitätsgrenzen",
        }
    }
}

/// Hard bounds checked at import (rows outside are rejected with a reason).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PlausibilityParams {
    /// Minimum plausible NKM €/m².
    pub rent_per_m2_min: f64,
    /// Maximum plausible NKM €/m².
    pub rent_per_m2_max: f64,
    /// Which BK values enter the BK statistic: a window or all.
    pub bk_rule: BkPlausibility,
    /// Kalte BK plausibility range, €/m² per month (F+B Bremen).
    pub bk_per_m2_min: f64,
    /// Upper end of the BK range.
    pub bk_per_m2_max: f64,
}

impl Default for PlausibilityParams {
    fn default() -> Self {
        PlausibilityParams {
            rent_per_m2_min: 1.0,
            rent_per_m2_max: 50.0,
            bk_rule: BkPlausibility::Window,
            bk_per_m2_min: 1.0,
            bk_per_m2_max: 3.5,
        }
    }
}

impl PlausibilityParams {
    /// Whether a kalte BK value per m² enters the BK statistic under the chosen rule.
    pub fn bk_plausible(&self, bk_per_m2: f64) -> bool {
        match self.bk_rule {
            BkPlausibility::Window => {
                (self.bk_per_m2_min..=self.bk_per_m2_max).contains(&bk_per_m2)
            }
            BkPlausibility::None => bk_per_m2.is_finite(),
        }
    }
}

/// Outlier rule per cell on NKM/m² (docs/METHOD.md §2.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutlierMethod {
    /// No trimming.
    None,
    /// mean ± k·SD (one pass, sample SD).
    MeanSd,
    /// Trim a share per side.
    Trim,
    /// Outside Q1 − k·IQR … Q3 + k·IQR.
    Iqr,
    /// Absolute bounds in €/m².
    Absolute,
}

impl OutlierMethod {
    /// German label.
    pub fn german(self) -> &'static str {
        match self {
            OutlierMethod::None => "keine Kappung",
            OutlierMethod::MeanSd => "Mittelwert ± k · Standardabweichung",
            OutlierMethod::Trim => "Abschneiden eines Anteils je Seite",
            OutlierMethod::Iqr => "Interquartilsabstand (Q1 − k·IQR bis Q3 + k·IQR)",
            OutlierMethod::Absolute => "feste Grenzen in €/m²",
        }
    }
}

/// Outlier parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OutlierParams {
    /// The rule.
    pub method: OutlierMethod,
    /// k for mean ± k·SD (A&K: 1,96).
    pub k: f64,
    /// Share trimmed per side for `trim`.
    pub trim_share: f64,
    /// k for the IQR rule.
    pub iqr_k: f64,
    /// Lower bound €/m² for `absolute`.
    pub abs_min: f64,
    /// Upper bound €/m² for `absolute`.
    pub abs_max: f64,
}

impl Default for OutlierParams {
    fn default() -> Self {
        OutlierParams {
            method: OutlierMethod::MeanSd,
            k: 1.96,
            trim_share: 0.05,
            iqr_k: 1.5,
            abs_min: 3.0,
            abs_max: 20.0,
        }
    }
}

/// How the Referenzmiete (NKM/m²) is derived from the cell distribution (docs/METHOD.md §2.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferenceMethod {
    /// A fixed percentile p.
    Percentile,
    /// The median.
    Median,
    /// The arithmetic mean.
    Mean,
    /// Upper value of the central range (e.g. 2/3-Spanne).
    Spannenoberwert,
    /// Iterative procedure: raise p from a start value until enough offers are affordable.
    Iterative,
}

impl ReferenceMethod {
    /// German label.
    pub fn german(self) -> &'static str {
        match self {
            ReferenceMethod::Percentile => "Perzentil",
            ReferenceMethod::Median => "Median",
            ReferenceMethod::Mean => "Mittelwert",
            ReferenceMethod::Spannenoberwert => "Spannenoberwert",
            ReferenceMethod::Iterative => "Iteratives Verfahren",
        }
    }
}

/// Referenzmiete parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReferenceParams {
    /// Method.
    pub method: ReferenceMethod,
    /// p for `percentile` (0..1).
    pub percentile: f64,
    /// Width of the central range for `spannenoberwert` (2/3 → upper value = P(1 − 1/6)).
    pub spanne: f64,
    /// Round the €/m² value to cents before multiplying with the area (as published tables do).
    pub round_per_m2: bool,
    /// A cell below the minimum number of rents takes its Referenzmiete from its values pooled
    /// with the nearest size classes (a justified option; off: the WoGG fallback applies).
    pub pool_small_cells: bool,
}

impl Default for ReferenceParams {
    fn default() -> Self {
        ReferenceParams {
            method: ReferenceMethod::Percentile,
            percentile: 0.33,
            spanne: 2.0 / 3.0,
            round_per_m2: true,
            pool_small_cells: false,
        }
    }
}

impl ReferenceParams {
    /// The percentile actually used (None for the mean).
    pub fn effective_p(&self) -> Option<f64> {
        match self.method {
            ReferenceMethod::Percentile => Some(self.percentile),
            ReferenceMethod::Median => Some(0.5),
            ReferenceMethod::Mean => None,
            ReferenceMethod::Spannenoberwert => Some(1.0 - (1.0 - self.spanne) / 2.0),
            ReferenceMethod::Iterative => Some(self.percentile),
        }
    }
}

/// Statistic of kalte BK per m².
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BkStatistic {
    /// Median.
    Median,
    /// Mean.
    Mean,
    /// Percentile p.
    Percentile,
}

impl BkStatistic {
    /// German label.
    pub fn german(self) -> &'static str {
        match self {
            BkStatistic::Median => "Median",
            BkStatistic::Mean => "Mittelwert",
            BkStatistic::Percentile => "Perzentil",
        }
    }
}

/// Level at which BK are aggregated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BkLevel {
    /// One value per Vergleichsraum.
    Vergleichsraum,
    /// One value per cell.
    Cell,
}

impl BkLevel {
    /// German label.
    pub fn german(self) -> &'static str {
        match self {
            BkLevel::Vergleichsraum => "je Vergleichsraum",
            BkLevel::Cell => "je Tabellenfeld",
        }
    }
}

/// Kalte Betriebskosten parameters (docs/METHOD.md §2.9).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OperatingCostParams {
    /// Where the BK come from (for every Vergleichsraum without its own entry).
    pub source: BkSource,
    /// Statistic.
    pub statistic: BkStatistic,
    /// p for the percentile statistic.
    pub percentile: f64,
    /// Aggregation level.
    pub level: BkLevel,
    /// Separate values for buildings with and without Aufzug (Kreis Düren).
    pub lift_split: bool,
    /// The external value (source `external`).
    pub external: ExternalBk,
    /// Vergleichsräume with their own source or value.
    pub vergleichsraeume: Vec<VrBk>,
}

impl Default for OperatingCostParams {
    fn default() -> Self {
        OperatingCostParams {
            source: BkSource::Records,
            statistic: BkStatistic::Median,
            percentile: 0.5,
            level: BkLevel::Vergleichsraum,
            lift_split: false,
            external: ExternalBk::default(),
            vergleichsraeume: Vec::new(),
        }
    }
}

impl OperatingCostParams {
    /// The BK source of a Vergleichsraum: its own entry, else the project's.
    pub fn for_vergleichsraum(&self, name: &str) -> BkChoice<'_> {
        match self
            .vergleichsraeume
            .iter()
            .find(|v| v.vergleichsraum == name)
        {
            Some(v) => BkChoice {
                source: v.source,
                per_m2: v.per_m2,
                per_m2_lift: v.per_m2_lift,
                source_text: &v.source_text,
                year: v.year,
                own: true,
            },
            None => BkChoice {
                source: self.source,
                per_m2: self.external.per_m2,
                per_m2_lift: self.external.per_m2_lift,
                source_text: &self.external.source_text,
                year: self.external.year,
                own: false,
            },
        }
    }

    /// Whether any Vergleichsraum of `names` takes its BK from the records.
    pub fn any_records<'a>(&self, mut names: impl Iterator<Item = &'a String>) -> bool {
        names.any(|n| self.for_vergleichsraum(n).source == BkSource::Records)
    }
}

/// Rounding of the limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundingMode {
    /// To the cent (Kreis Düren).
    Cents,
    /// Bruttokaltmiete up to whole euros.
    EuroUp,
    /// Bruttokaltmiete to whole euros, commercial rounding (Bremen).
    EuroCommercial,
}

impl RoundingMode {
    /// German label.
    pub fn german(self) -> &'static str {
        match self {
            RoundingMode::Cents => "auf Cent",
            RoundingMode::EuroUp => "auf volle Euro aufgerundet",
            RoundingMode::EuroCommercial => "auf volle Euro kaufmännisch gerundet",
        }
    }
}

/// Rounding parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RoundingParams {
    /// Mode applied to the Bruttokaltmiete limit (parts stay in cents).
    pub mode: RoundingMode,
}

impl Default for RoundingParams {
    fn default() -> Self {
        RoundingParams {
            mode: RoundingMode::Cents,
        }
    }
}

/// WoGG comparison (docs/METHOD.md §4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WoggParams {
    /// Sicherheitszuschlag (BSG B 4 AS 87/12 R: 10 %).
    pub surcharge: f64,
    /// Klimakomponente mode.
    pub klima: KlimaMode,
    /// Mietstufe of the Kreis, used for Gemeinden without their own.
    #[serde(with = "off_or")]
    pub kreis_mietstufe: Option<u8>,
}

impl Default for WoggParams {
    fn default() -> Self {
        WoggParams {
            surcharge: 0.10,
            klima: KlimaMode::default(),
            kreis_mietstufe: None,
        }
    }
}

/// How offers whose Nebenkosten include heating are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HeatingIncludedOffers {
    /// Count the abstrakt angemessene kBK as Betriebskosten, the rest as heating (BSG B 4 AS 9/14 R).
    Split,
    /// Leave such offers out of the availability check.
    Exclude,
}

impl HeatingIncludedOffers {
    /// German label.
    pub fn german(self) -> &'static str {
        match self {
            HeatingIncludedOffers::Split => "aufteilen",
            HeatingIncludedOffers::Exclude => "ausschließen",
        }
    }
}

/// Where the iterative procedure starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IterationStart {
    /// At `reference.percentile`.
    Fixed,
    /// At the demand share dₕ of the household size (table `availability.demand`).
    DemandShare,
}

impl IterationStart {
    /// German label.
    pub fn german(self) -> &'static str {
        match self {
            IterationStart::Fixed => "festes Perzentil",
            IterationStart::DemandShare => "Nachfrageanteil",
        }
    }
}

/// Demand groups of one household size (docs/METHOD.md §2.8 G1; open point, see §7).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DemandRow {
    /// Household size.
    pub household_size: u32,
    /// Bedarfsgemeinschaften SGB II.
    pub bedarfsgemeinschaften: f64,
    /// Households SGB XII.
    pub sgb12: f64,
    /// Wohngeld households.
    pub wohngeld: f64,
    /// Other low-income households.
    pub niedrigeinkommen: f64,
    /// All tenant households of this size.
    pub mieterhaushalte: f64,
}

impl Default for DemandRow {
    fn default() -> Self {
        DemandRow {
            household_size: 1,
            bedarfsgemeinschaften: 0.0,
            sgb12: 0.0,
            wohngeld: 0.0,
            niedrigeinkommen: 0.0,
            mieterhaushalte: 0.0,
        }
    }
}

impl DemandRow {
    /// dₕ = (BG + SGB XII + Wohngeld + Niedrigeinkommen) / Mieterhaushalte.
    pub fn share(&self) -> Option<f64> {
        (self.mieterhaushalte > 0.0).then(|| {
            (self.bedarfsgemeinschaften + self.sgb12 + self.wohngeld + self.niedrigeinkommen)
                / self.mieterhaushalte
        })
    }
}

/// Availability check and iterative procedure (docs/METHOD.md §2.8 G1, §2.11).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AvailabilityParams {
    /// Offer window before the Stichtag in months [U: 12 default]; `None` = all offers.
    #[serde(with = "off_or")]
    pub window_months: Option<u32>,
    /// Drop duplicate offers.
    pub dedup: bool,
    /// Duplicate tolerance for the area, m².
    pub dedup_area_m2: f64,
    /// Duplicate tolerance for the rent, share (0,01 = 1 %).
    pub dedup_rent_share: f64,
    /// Offers with heating in the Nebenkosten.
    pub heating_included: HeatingIncludedOffers,
    /// Count offers of any size with Bruttokaltmiete ≤ limit (Produkttheorie at this stage) [U].
    pub produkttheorie: bool,
    /// Target share of affordable offers [U: 20 %].
    pub target_share: f64,
    /// Start of the iteration.
    pub start: IterationStart,
    /// Lowest start percentile when starting at the demand share.
    pub p_floor: f64,
    /// Step of the iteration (percentage points as share, 0,01 = 1 pp).
    pub p_step: f64,
    /// Highest percentile the iteration may reach.
    pub p_max: f64,
    /// Demand groups per household size.
    pub demand: Vec<DemandRow>,
    /// Warn when one Gemeinde holds more than this share of the affordable offers.
    pub max_gemeinde_share: f64,
    /// Warn when more than this share of the recipients' households lives above the applied
    /// limit (Bayerisches LSG L 11 AS 52/16: 59,6 %).
    pub share_above_limit_max: f64,
}

impl Default for AvailabilityParams {
    fn default() -> Self {
        AvailabilityParams {
            window_months: Some(12),
            dedup: true,
            dedup_area_m2: 1.0,
            dedup_rent_share: 0.01,
            heating_included: HeatingIncludedOffers::Split,
            produkttheorie: false,
            target_share: 0.20,
            start: IterationStart::Fixed,
            p_floor: 0.20,
            p_step: 0.01,
            p_max: 0.80,
            demand: Vec::new(),
            max_gemeinde_share: 0.5,
            share_above_limit_max: 0.40,
        }
    }
}

/// Landlord market share of one Vergleichsraum (for post-stratification).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MarketShare {
    /// Vergleichsraum name.
    pub vergleichsraum: String,
    /// Share of flats let by private small landlords in the market (0..1).
    pub privat: f64,
}

impl Default for MarketShare {
    fn default() -> Self {
        MarketShare {
            vergleichsraum: String::new(),
            privat: 0.5,
        }
    }
}

/// Representativeness diagnostics and weighting (docs/METHOD.md §2.7).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RepresentativenessParams {
    /// Warning below this coverage of the Mietwohnungsbestand (Bay. LSG: 10 %).
    pub coverage_warn: f64,
    /// Error below this coverage (LSG BW: 4 %).
    pub coverage_error: f64,
    /// Post-stratify by Vermietertyp (NKM and BK separately).
    pub weighting: bool,
    /// Market shares per Vergleichsraum.
    pub market_shares: Vec<MarketShare>,
    /// Flag cells whose share of records with Leistungsbezug exceeds this (Zirkelschluss).
    pub welfare_share_max: f64,
    /// Tolerated relative gap between a Gemeinde's median NKM/m² and its Vergleichsraum's.
    pub homogeneity_gap: f64,
    /// Tolerated gap between the private landlords' share in the sample and in the market.
    pub landlord_share_tolerance: f64,
    /// Size structure of the rented stock per Vergleichsraum (share per size class), where known.
    pub stock_by_size: Vec<SizeStructure>,
    /// Warn when a size class's sample share deviates from its stock share by more than this.
    pub size_share_tolerance: f64,
}

/// Shares of the rented stock per size class in one Vergleichsraum (e.g. from the Zensus).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct SizeStructure {
    /// Vergleichsraum name.
    pub vergleichsraum: String,
    /// Share of the stock per size class (class 1 first), summing to about 1.
    pub shares: Vec<f64>,
}

impl Default for RepresentativenessParams {
    fn default() -> Self {
        RepresentativenessParams {
            coverage_warn: 0.10,
            coverage_error: 0.04,
            weighting: false,
            market_shares: Vec::new(),
            welfare_share_max: 0.30,
            homogeneity_gap: 0.25,
            landlord_share_tolerance: 0.15,
            stock_by_size: Vec::new(),
            size_share_tolerance: 0.10,
        }
    }
}

/// Heating limits by Heizspiegel (docs/METHOD.md §2.12–2.13).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HeatingParams {
    /// Compute heating Grenzwerte.
    pub enabled: bool,
    /// The Heizspiegel table (default: the Nienburg 2022 example, marked as example).
    pub table: super::heizspiegel::HeizspiegelTable,
    /// Energieträger used for the Grenzwert.
    pub energietraeger: String,
    /// Beheizte Gebäudefläche, m² (selects the band).
    pub building_area_m2: f64,
    /// Add the heating Grenzwert to the Bruttokaltmiete limit (§ 22 Abs. 10 SGB II).
    pub gesamtangemessenheitsgrenze: bool,
    /// Warm water is produced in the flat (Durchlauferhitzer, Boiler): the Heizspiegel values,
    /// which include warm water, are reduced by `hot_water_share` (docs/METHOD.md §2.12).
    pub hot_water_decentral: bool,
    /// Share of warm water in the Heizspiegel values, deducted when it is produced in the flat.
    pub hot_water_share: f64,
}

impl Default for HeatingParams {
    fn default() -> Self {
        HeatingParams {
            enabled: false,
            table: super::heizspiegel::nienburg_2022_example(),
            energietraeger: "Erdgas".to_string(),
            building_area_m2: 300.0,
            gesamtangemessenheitsgrenze: false,
            hot_water_decentral: false,
            hot_water_share: 0.18,
        }
    }
}

impl HeatingParams {
    /// The factor applied to the Heizspiegel values: 1, or 1 − the warm-water share when warm
    /// water is produced in the flat.
    pub fn hot_water_factor(&self) -> f64 {
        if self.hot_water_decentral {
            1.0 - self.hot_water_share
        } else {
            1.0
        }
    }
}

/// One index value of a series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IndexSeries {
    /// Series name (e.g. "VPI Nettokaltmiete").
    pub series: String,
    /// Base period label.
    pub period_old: String,
    /// Index value at the base period.
    pub value_old: f64,
    /// New period label.
    pub period_new: String,
    /// Index value at the new period.
    pub value_new: f64,
    /// Source.
    pub source: String,
}

impl Default for IndexSeries {
    fn default() -> Self {
        IndexSeries {
            series: String::new(),
            period_old: String::new(),
            value_old: 100.0,
            period_new: String::new(),
            value_new: 100.0,
            source: String::new(),
        }
    }
}

impl IndexSeries {
    /// value_new / value_old.
    pub fn factor(&self) -> Option<f64> {
        (self.value_old > 0.0).then(|| self.value_new / self.value_old)
    }
}

/// An old limit to update.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OldLimit {
    /// Vergleichsraum.
    pub vergleichsraum: String,
    /// Household size.
    pub household_size: u32,
    /// Old NKM part €.
    pub net_cold: f64,
    /// Old BK part €.
    pub operating_costs: f64,
}

impl Default for OldLimit {
    fn default() -> Self {
        OldLimit {
            vergleichsraum: String::new(),
            household_size: 1,
            net_cold: 0.0,
            operating_costs: 0.0,
        }
    }
}

/// Fortschreibung (docs/METHOD.md §2.14): old limits × index ratios, NKM and BK separately.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct FortschreibungParams {
    /// Stichtag of the old concept.
    pub old_stichtag: Option<super::Date>,
    /// Index for the Nettokaltmiete part.
    pub index_nkm: IndexSeries,
    /// Index for the Betriebskosten part.
    pub index_bk: IndexSeries,
    /// The old limits.
    pub old_limits: Vec<OldLimit>,
}

/// How the Klimakomponente enters the WoGG fallback (docs/METHOD.md §4.2); contested in case law.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KlimaMode {
    /// Höchstbetrag × (1 + Zuschlag), without Klimakomponente.
    None,
    /// Höchstbetrag × (1 + Zuschlag) + Klimakomponente (LSG Berlin-Brandenburg L 32 AS 1179/23 B ER).
    #[default]
    After,
    /// (Höchstbetrag + Klimakomponente) × (1 + Zuschlag) (disputed alternative).
    Before,
}

impl KlimaMode {
    /// All modes in display order.
    pub const ALL: [KlimaMode; 3] = [KlimaMode::None, KlimaMode::After, KlimaMode::Before];

    /// German label for the UI and the report.
    pub fn label(self) -> &'static str {
        match self {
            KlimaMode::None => "ohne Klimakomponente",
            KlimaMode::After => "Klimakomponente nach dem Sicherheitszuschlag addiert",
            KlimaMode::Before => "Klimakomponente vor dem Sicherheitszuschlag addiert",
        }
    }

    /// The formula in German, for the method text of the report.
    pub fn formula(self) -> &'static str {
        match self {
            KlimaMode::None => "Höchstbetrag × (1 + Zuschlag)",
            KlimaMode::After => "Höchstbetrag × (1 + Zuschlag) + Klimakomponente",
            KlimaMode::Before => "(Höchstbetrag + Klimakomponente) × (1 + Zuschlag)",
        }
    }
}

/// Applies a parameter override `key=value` (dotted path, e.g. `outliers.k=2.0`; `percentile`
/// is short for `reference.percentile`). Catalogued parameters are parsed and checked by
/// [`super::catalogue`]; other keys are set as TOML at their path. The result is validated as a
/// whole; the error is a German message.
pub fn apply_override(params: &Parameters, assignment: &str) -> Result<Parameters, String> {
    let (key, value) = assignment
        .split_once('=')
        .ok_or_else(|| format!("„{assignment}“: erwartet SCHLÜSSEL=WERT"))?;
    super::catalogue::set_from_text(params, key, value)
}

/// Sets a structured parameter (a list or table, e.g. `availability.demand`) from TOML text at
/// its dotted path.
pub(crate) fn set_toml_path(
    params: &Parameters,
    key: &str,
    value: &str,
) -> Result<Parameters, String> {
    let value_text = value.trim();
    let parsed: toml::Value = toml::from_str::<toml::Table>(&format!("v = {value_text}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(value_text.to_string()));
    let mut root = toml::Value::try_from(params).map_err(|e| e.to_string())?;
    let parts: Vec<&str> = key.split('.').collect();
    set_path(&mut root, &parts, parsed, is_optional_key(key))
        .ok_or_else(|| format!("Parameter „{key}“ unbekannt"))?;
    root.try_into()
        .map_err(|e: toml::de::Error| format!("Wert für „{key}“ ungültig: {}", e.message()))
}

fn set_path(
    node: &mut toml::Value,
    parts: &[&str],
    value: toml::Value,
    optional: bool,
) -> Option<()> {
    let table = node.as_table_mut()?;
    match parts {
        [last] => {
            if !table.contains_key(*last) && !optional {
                return None;
            }
            table.insert((*last).to_string(), value);
            Some(())
        }
        [first, rest @ ..] => set_path(table.get_mut(*first)?, rest, value, optional),
        [] => None,
    }
}

/// Keys whose default is `None` (absent in the serialised form) but may be set.
fn is_optional_key(key: &str) -> bool {
    matches!(
        key,
        "size_classes.lower_bound"
            | "scope.contract_window_years"
            | "wogg.kreis_mietstufe"
            | "operating_costs.external.per_m2_lift"
            | "operating_costs.external.year"
            | "karenzzeit.factor"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides() {
        let p = Parameters::default();
        let q = apply_override(&p, "percentile=0.40").unwrap();
        assert_eq!(q.reference.percentile, 0.40);
        let q = apply_override(&q, "outliers.k=2.0").unwrap();
        assert_eq!(q.outliers.k, 2.0);
        let q = apply_override(&q, "outliers.method=trim").unwrap();
        assert_eq!(q.outliers.method, OutlierMethod::Trim);
        let q = apply_override(&q, "quantile_type=6").unwrap();
        assert_eq!(q.quantile_type, QuantileType::T6);
        let q = apply_override(&q, "size_classes.lower_bound=25").unwrap();
        assert_eq!(q.size_classes.lower_bound, Some(25.0));
        assert!(apply_override(&q, "nonsense=1").is_err());
        assert!(apply_override(&q, "outliers.k=abc").is_err());
        assert!(apply_override(&q, "quantile_type=12").is_err());
    }

    #[test]
    fn areas() {
        let w = WohnflaechenParams::default();
        assert_eq!(w.area_for(1), 50.0);
        assert_eq!(w.area_for(5), 110.0);
        assert_eq!(w.area_for(6), 125.0);
    }

    #[test]
    fn off_survives_saving() {
        let mut p = Parameters::default();
        p.scope.contract_window_years = None;
        p.availability.window_months = None;
        p.size_classes.lower_bound = Some(25.0);
        let text = toml::to_string_pretty(&p).unwrap();
        assert!(text.contains("contract_window_years = \"aus\""), "{text}");
        let dt = toml::to_string_pretty(&Parameters::default()).unwrap();
        assert!(dt.contains("kreis_mietstufe = \"aus\""), "{dt}");
        let back: Parameters = toml::from_str(&text).unwrap();
        assert_eq!(back, p);
        let d = Parameters::default();
        let back: Parameters = toml::from_str(&toml::to_string_pretty(&d).unwrap()).unwrap();
        assert_eq!(back, d);
    }
}
