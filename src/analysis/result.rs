//! The output types of one run of the derivation: per cell, per Vergleichsraum, the funnel of
//! exclusions, warnings and the Fortschreibung. The steps in the sibling modules fill them.

use super::availability::AvailabilityResult;
pub use super::checks::CheckCode;
use super::stats::{QuantileCi, Summary};
use crate::model::{BsgCriterion, Reason};
use serde::Serialize;
use std::collections::BTreeMap;

/// The complete result of one run.
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    /// Cells in Vergleichsraum-major order (VR × household size 1…H).
    pub cells: Vec<CellResult>,
    /// Per Vergleichsraum: "je weitere Person" and BK.
    pub vergleichsraeume: Vec<VrResult>,
    /// Counts of the reference stage by reason.
    pub funnel: Funnel,
    /// Warnings in German.
    pub warnings: Vec<Warning>,
    /// Offers excluded from the availability check, by reason.
    pub offers_excluded: BTreeMap<Reason, usize>,
    /// Fortschreibung of old limits, when configured.
    pub fortschreibung: Option<FortschreibungResult>,
    /// The Schlüssigkeitsprüfung: one entry per reason courts give (`analysis::checks`).
    pub checks: Vec<Check>,
    /// Wirkungsanalyse totals, when the project has recipients' data (`analysis::impact`).
    pub impact: Option<ImpactSummary>,
}

impl Analysis {
    /// The checks with status `Fehler`: the concept is not schlüssig while any is open.
    pub fn open_errors(&self) -> impl Iterator<Item = &Check> {
        self.checks
            .iter()
            .filter(|c| c.status == CheckStatus::Fehler)
    }

    /// No check has the status `Fehler`.
    pub fn is_schluessig(&self) -> bool {
        self.open_errors().next().is_none()
    }
}

/// Old limits × index factors (docs/METHOD.md §2.14).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FortschreibungResult {
    /// Factor for the NKM part.
    pub factor_nkm: f64,
    /// Factor for the BK part.
    pub factor_bk: f64,
    /// Old → new per row.
    pub rows: Vec<FortschreibungRow>,
}

/// One updated limit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FortschreibungRow {
    /// Vergleichsraum.
    pub vergleichsraum: String,
    /// Household size.
    pub household_size: u32,
    /// Old NKM part.
    pub old_net_cold: f64,
    /// Old BK part.
    pub old_operating_costs: f64,
    /// Old Bruttokaltmiete.
    pub old_gross_cold: f64,
    /// New NKM part = old × factor (cents).
    pub new_net_cold: f64,
    /// New BK part.
    pub new_operating_costs: f64,
    /// New Bruttokaltmiete.
    pub new_gross_cold: f64,
}

/// Severity of a warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Information.
    Hinweis,
    /// Needs attention.
    Warnung,
    /// The concept is not schlüssig as it stands.
    Fehler,
}

impl Severity {
    /// German name.
    pub fn german(self) -> &'static str {
        match self {
            Severity::Hinweis => "Hinweis",
            Severity::Warnung => "Warnung",
            Severity::Fehler => "Fehler",
        }
    }
}

/// A finding of the Schlüssigkeitsprüfung, for the user and the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Warning {
    /// Severity.
    pub severity: Severity,
    /// The check it belongs to (which names the BSG criterion).
    pub check: CheckCode,
    /// The cells it concerns (empty: the whole concept or a Vergleichsraum).
    pub cells: Vec<CellRef>,
    /// German text.
    pub text: String,
}

impl Warning {
    /// The BSG criterion (K1–K8) of the finding's check.
    pub fn criterion(&self) -> BsgCriterion {
        self.check.criterion()
    }
}

/// A cell named by Vergleichsraum and household size.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct CellRef {
    /// Vergleichsraum name.
    pub vergleichsraum: String,
    /// Household size.
    pub household_size: u32,
}

impl CellRef {
    /// German label, e.g. "Nord, 2 Personen".
    pub fn german(&self) -> String {
        format!(
            "{}, {}",
            self.vergleichsraum,
            crate::fmt::count(self.household_size as usize, "Person", "Personen")
        )
    }
}

/// Status of one check of the Schlüssigkeitsprüfung.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    /// Nothing to object.
    Ok,
    /// Information only.
    Hinweis,
    /// The check cannot run: something it needs is missing.
    NichtPruefbar,
    /// Needs attention or a written justification.
    Warnung,
    /// The concept is not schlüssig as it stands.
    Fehler,
}

impl CheckStatus {
    /// German name.
    pub fn german(self) -> &'static str {
        match self {
            CheckStatus::Ok => "erfüllt",
            CheckStatus::Hinweis => "Hinweis",
            CheckStatus::NichtPruefbar => "nicht prüfbar",
            CheckStatus::Warnung => "Warnung",
            CheckStatus::Fehler => "Fehler",
        }
    }
}

/// One check of the Schlüssigkeitsprüfung with its result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// Stable code, e.g. `verfuegbarkeit`.
    pub code: CheckCode,
    /// BSG criterion K1–K8.
    pub criterion: BsgCriterion,
    /// German title of the check.
    pub title: &'static str,
    /// Result.
    pub status: CheckStatus,
    /// Cells concerned by the findings.
    pub cells: Vec<CellRef>,
    /// German sentence: the result in one sentence.
    pub text: String,
    /// The findings in German (the warnings of this check).
    pub findings: Vec<String>,
    /// What is missing when the status is `nicht_pruefbar`.
    pub missing: Option<String>,
    /// The decision(s) the check rests on.
    pub decision: &'static str,
}

/// Why a cell has no valid concept limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InvalidReason {
    /// The Vergleichsraum is marked as without valid concept.
    OhneKonzept,
    /// No rents in the cell.
    NoData,
    /// Fewer rents than the minimum.
    NBelowMin,
    /// No kalte Betriebskosten value: no Bruttokaltmiete.
    NoOperatingCosts,
    /// No offer in the size class: availability not shown.
    NoOffers,
    /// The share of affordable offers is below the target.
    AvailabilityNotReached,
}

impl InvalidReason {
    /// German text.
    pub fn german(self) -> &'static str {
        match self {
            InvalidReason::OhneKonzept => "Vergleichsraum als „ohne gültiges Konzept“ markiert",
            InvalidReason::NoData => "keine Mietwerte",
            InvalidReason::NBelowMin => "Fallzahl unter der Mindestfallzahl",
            InvalidReason::NoOperatingCosts => "keine Betriebskostenwerte",
            InvalidReason::NoOffers => "keine Angebote: Verfügbarkeit nicht nachgewiesen",
            InvalidReason::AvailabilityNotReached => {
                "Zielanteil anmietbarer Angebote nicht erreicht: Verfügbarkeit nicht nachgewiesen"
            }
        }
    }
}

/// What the applied limit of a cell rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AppliedBasis {
    /// The concept limit.
    Konzept,
    /// The WoGG table value plus Sicherheitszuschlag (BSG B 4 AS 87/12 R).
    WoggFallback,
}

/// The fallback of one Gemeinde of a Vergleichsraum on the fallback.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GemeindeLimit {
    /// Gemeinde name.
    pub gemeinde: String,
    /// AGS (may be empty).
    pub ags: String,
    /// Mietstufe applied (None: unknown, no fallback).
    pub mietstufe: Option<u8>,
    /// WoGG fallback Bruttokaltmiete € (None: not computable).
    pub limit: Option<f64>,
    /// `karenzzeit.factor` × `limit`, rounded like the table (None without a factor).
    pub karenzzeit_limit: Option<f64>,
}

/// Counts of the reference stage.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Funnel {
    /// Data rows delivered by all sources.
    pub delivered: usize,
    /// Rows rejected at import, by reason.
    pub import_rejected: BTreeMap<Reason, usize>,
    /// Accepted records.
    pub records: usize,
    /// Records excluded from the reference stage, by reason.
    pub excluded: BTreeMap<Reason, usize>,
    /// Records in a cell before outlier removal.
    pub in_cells: usize,
    /// Removed as low outliers.
    pub outliers_low: usize,
    /// Removed as high outliers.
    pub outliers_high: usize,
    /// Used for the Referenzmiete.
    pub used: usize,
}

/// Cell flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// No data in the cell.
    NoData,
    /// n below the minimum.
    NBelowMin,
    /// The confidence interval could not be formed (n too small).
    NoConfidenceInterval,
    /// No BK value for the Vergleichsraum/cell.
    NoOperatingCosts,
    /// The iteration did not reach the target share of affordable offers.
    TargetNotReached,
    /// Share of records with Leistungsbezug above the threshold (Zirkelschluss).
    WelfareShareHigh,
}

impl Flag {
    /// German text.
    pub fn german(self) -> &'static str {
        match self {
            Flag::NoData => "keine Daten",
            Flag::NBelowMin => "Fallzahl unter Mindestwert",
            Flag::NoConfidenceInterval => "kein Konfidenzintervall (zu wenige Werte)",
            Flag::NoOperatingCosts => "keine Betriebskostenwerte",
            Flag::TargetNotReached => "Zielanteil verfügbarer Angebote nicht erreicht",
            Flag::WelfareShareHigh => "hoher Anteil Leistungsbezieher (Zirkelschluss prüfen)",
        }
    }
}

/// Outlier bounds and counts of one cell.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OutlierResult {
    /// Lower bound (values below are removed); −∞ when none.
    pub lower: f64,
    /// Upper bound (values above are removed); +∞ when none.
    pub upper: f64,
    /// Index range kept in the cell's sorted values.
    pub kept: (usize, usize),
    /// Removed below.
    pub n_low: usize,
    /// Removed above.
    pub n_high: usize,
}

/// Kalte Betriebskosten result (per VR or cell).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BkResult {
    /// Where the value comes from: the records' statistic or an external value (its source
    /// text is in the parameters, `OperatingCostParams::for_vergleichsraum`).
    pub source: crate::model::params::BkSource,
    /// n of plausible values (overall); with an external value only counted, not used.
    pub n: usize,
    /// n without / with lift.
    pub n_split: (usize, usize),
    /// Records without BK.
    pub n_missing: usize,
    /// Records with implausible BK/m².
    pub n_implausible: usize,
    /// Records whose Nebenkosten include heating: left out of the statistic.
    pub n_heating_included: usize,
    /// kBK €/m² (overall, or without lift when split).
    pub per_m2: Option<f64>,
    /// kBK €/m² with lift (only when split).
    pub per_m2_lift: Option<f64>,
}

impl BkResult {
    /// The value comes from outside the records (no statistic, no minimum n).
    pub fn is_external(&self) -> bool {
        self.source == crate::model::params::BkSource::External
    }

    /// All records of the cell or Vergleichsraum: with plausible, implausible, missing BK and
    /// BK including heating.
    pub fn n_records(&self) -> usize {
        self.n + self.n_missing + self.n_implausible + self.n_heating_included
    }
}

/// Result of one Vergleichsraum × household size.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CellResult {
    /// Vergleichsraum index.
    pub vr: usize,
    /// Vergleichsraum name.
    pub vergleichsraum: String,
    /// Household size (1-based).
    pub household_size: u32,
    /// Angemessene Wohnfläche.
    pub area_m2: f64,
    /// Size class lower bound (exclusive).
    pub class_lower: f64,
    /// Size class upper bound (inclusive), `None` when open.
    pub class_upper: Option<f64>,
    /// Records of this Vergleichsraum and size class excluded by scope rules, by reason.
    pub excluded: BTreeMap<Reason, usize>,
    /// Records in the cell before outliers.
    pub n_in_cell: usize,
    /// Bestandsmieten of the cell with neither Mietbeginn nor letzte Mietänderung (excluded by
    /// default, or included with a justification).
    pub n_undated: usize,
    /// Records used (after outliers).
    pub n: usize,
    /// Household sizes pooled into the Referenzmiete of this small cell (option
    /// `reference.pool_small_cells`); empty when the cell stands on its own.
    pub pooled_with: Vec<u32>,
    /// Values behind the Referenzmiete: `n`, or the pooled count.
    pub n_reference: usize,
    /// Outlier result.
    pub outliers: OutlierResult,
    /// Statistics after outliers.
    pub summary: Option<Summary>,
    /// Percentile used (None for the mean); for the iterative method the final p.
    pub p: Option<f64>,
    /// Post-stratification weights were applied.
    pub weighted: bool,
    /// Referenzmiete NKM €/m² unrounded.
    pub net_rent_per_m2_raw: Option<f64>,
    /// Referenzmiete NKM €/m² as used for the limit.
    pub net_rent_per_m2: Option<f64>,
    /// Confidence interval of the chosen percentile.
    pub ci: Option<QuantileCi>,
    /// BK result used for this cell.
    pub bk: BkResult,
    /// kBK €/m² as used (without lift when split).
    pub operating_costs_per_m2: Option<f64>,
    /// kBK €/m² with lift as used (when split).
    pub operating_costs_per_m2_lift: Option<f64>,
    /// NKM limit € = area × NKM/m² (also when no BK value exists).
    pub net_cold_limit: Option<f64>,
    /// Limits.
    pub limits: Option<Limits>,
    /// Limits with lift (when split).
    pub limits_lift: Option<Limits>,
    /// WoGG + Sicherheitszuschlag comparison (docs/METHOD.md §2.15, §4).
    pub wogg: Option<WoggComparison>,
    /// Verfügbarkeitsprüfung (None without offers in the cell).
    pub availability: Option<AvailabilityResult>,
    /// Share of used records with Leistungsbezug among those where it is known (Zirkelschluss
    /// check); `None` when it is known for none.
    pub welfare_share: Option<f64>,
    /// Share of used records whose Leistungsbezug is unknown.
    pub welfare_unknown_share: Option<f64>,
    /// Heating Prüfgrenze € per month of the configured Energieträger and building area
    /// (Heizspiegel boundary × Wohnfläche); the column of the Richtwerte table.
    pub heating_limit: Option<f64>,
    /// Gesamtangemessenheitsgrenze € (applied limit + `heating_limit`), when enabled.
    pub total_limit: Option<f64>,
    /// The heating Prüfgrenze of every Energieträger and band of the Heizspiegel table (empty
    /// when heating is off).
    pub heating_limits: Vec<HeatingLimit>,
    /// The concept limit is valid (no [`InvalidReason`]).
    pub valid: bool,
    /// Why the concept limit is not valid (empty when valid).
    pub invalid_reasons: Vec<InvalidReason>,
    /// What the applied limit rests on.
    pub applied_basis: AppliedBasis,
    /// The Bruttokaltmiete limit that applies: the concept's, or the WoGG fallback; `None` on
    /// the fallback when the Gemeinden of the Vergleichsraum differ (see `applied_by_gemeinde`)
    /// or no fallback can be computed.
    pub applied_limit: Option<f64>,
    /// On the fallback: the value of every Gemeinde of the Vergleichsraum (its own Mietstufe).
    pub applied_by_gemeinde: Vec<GemeindeLimit>,
    /// The limit in the Karenzzeit: `karenzzeit.factor` × `applied_limit`, rounded like the
    /// table; `None` without a factor, or where the applied limit differs per Gemeinde (then
    /// each entry of `applied_by_gemeinde` carries its own).
    pub karenzzeit_limit: Option<f64>,
    /// Flags.
    pub flags: Vec<Flag>,
    /// Wirkungsanalyse of the cell, when the project has recipients' data.
    pub impact: Option<CellImpact>,
}

/// The recipients' households of one cell measured against its applied limit
/// (docs/METHOD.md §2.17).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CellImpact {
    /// Households of the cell in the recipients' data.
    pub households: usize,
    /// Households measured against a limit (the others: `not_assessed`).
    pub assessed: usize,
    /// Households without a limit to measure against (fallback per Gemeinde without Gemeinde,
    /// or no limit computable).
    pub not_assessed: usize,
    /// Households whose Bruttokaltmiete is above the applied limit.
    pub above_limit: usize,
    /// `above_limit ÷ assessed`; `None` without assessed households.
    pub share_above: Option<f64>,
    /// Sum of the amounts above the limit, € per month.
    pub monthly_sum_above: f64,
    /// The same per year.
    pub yearly_sum_above: f64,
    /// Households with Heizkosten above the heating Grenzwert (where both are known).
    pub above_heating_limit: Option<usize>,
    /// Households with more persons than the largest size class, counted in this (the largest)
    /// cell and measured against its limit plus the amount "je weitere Person" (on the WoGG
    /// fallback: the WoGG value for their size).
    pub larger_households: usize,
}

/// Wirkungsanalyse totals over all cells.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImpactSummary {
    /// Households in the recipients' data.
    pub households: usize,
    /// Households measured against a limit.
    pub assessed: usize,
    /// Households in a cell but without a limit to measure against.
    pub not_assessed: usize,
    /// Households whose Vergleichsraum, Gemeinde or household size matches no cell.
    pub unmatched: usize,
    /// Lines of the rows that match no cell.
    pub unmatched_lines: Vec<u32>,
    /// Households larger than the largest size class, measured in the largest cell.
    pub larger_households: usize,
    /// Households above the applied limit.
    pub above_limit: usize,
    /// `above_limit ÷ assessed`.
    pub share_above: Option<f64>,
    /// € per month above the limits.
    pub monthly_sum_above: f64,
    /// € per year above the limits.
    pub yearly_sum_above: f64,
}

impl CellResult {
    /// The applied limit in German: the amount, "je Gemeinde: A 512,40 €, B 480,00 €" where the
    /// Gemeinden of the Vergleichsraum differ, or "–" when none can be computed.
    pub fn applied_german(&self) -> String {
        match self.applied_limit {
            Some(v) => crate::fmt::euro(v),
            None if !self.applied_by_gemeinde.is_empty() => {
                let parts: Vec<String> = self
                    .applied_by_gemeinde
                    .iter()
                    .map(|g| {
                        format!(
                            "{} {}",
                            g.gemeinde,
                            g.limit.map_or_else(|| "–".to_string(), crate::fmt::euro)
                        )
                    })
                    .collect();
                format!("je Gemeinde: {}", parts.join(", "))
            }
            None => "–".to_string(),
        }
    }

    /// The Karenzzeit limit in German, like [`CellResult::applied_german`]: the amount, "je
    /// Gemeinde: …", or "–".
    pub fn karenzzeit_german(&self) -> String {
        match self.karenzzeit_limit {
            Some(v) => crate::fmt::euro(v),
            None if self.applied_limit.is_none()
                && self
                    .applied_by_gemeinde
                    .iter()
                    .any(|g| g.karenzzeit_limit.is_some()) =>
            {
                let parts: Vec<String> = self
                    .applied_by_gemeinde
                    .iter()
                    .map(|g| {
                        format!(
                            "{} {}",
                            g.gemeinde,
                            g.karenzzeit_limit
                                .map_or_else(|| "–".to_string(), crate::fmt::euro)
                        )
                    })
                    .collect();
                format!("je Gemeinde: {}", parts.join(", "))
            }
            None => "–".to_string(),
        }
    }

    /// Why the concept limit is not valid, in German ("" when valid).
    pub fn invalid_german(&self) -> String {
        let reasons: Vec<&str> = self.invalid_reasons.iter().map(|r| r.german()).collect();
        reasons.join("; ")
    }
}

/// The heating Prüfgrenze of one Energieträger and band of beheizte Gebäudefläche for a
/// cell's abstract Wohnfläche (docs/METHOD.md §2.12): an indication, not a cap.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeatingLimit {
    /// Energieträger as named in the table.
    pub energietraeger: String,
    /// Index of the band in the table's row (0-based).
    pub band: usize,
    /// Lower bound of the band, exclusive, m² of beheizte Gebäudefläche.
    pub band_lower_m2: f64,
    /// Upper bound of the band, inclusive (`None` = open).
    pub band_upper_m2: Option<f64>,
    /// The table's boundary €/m² in its unit (per month or per year).
    pub boundary: f64,
    /// Prüfgrenze € per month (less the warm-water share where warm water is decentral).
    pub limit: f64,
    /// Applied limit + `limit`, when the Gesamtangemessenheitsgrenze is enabled.
    pub total_limit: Option<f64>,
}

/// The concept limit next to the WoGG fallback for the Vergleichsraum's Mietstufe.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WoggComparison {
    /// Mietstufe compared with (the highest of the Vergleichsraum's Gemeinden).
    pub mietstufe: u8,
    /// Table value, Klimakomponente and fallback limit.
    pub value: crate::tables::wogg::WoggValue,
    /// Concept Bruttokaltmiete limit ÷ WoGG fallback limit.
    pub ratio: Option<f64>,
}

/// Limits by Produkttheorie.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Limits {
    /// NKM limit € = area × NKM/m².
    pub net_cold: f64,
    /// BK limit € = area × BK/m².
    pub operating_costs: f64,
    /// Bruttokaltmiete limit €.
    pub gross_cold: f64,
}

/// Per Vergleichsraum results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VrResult {
    /// Name.
    pub name: String,
    /// BK at VR level.
    pub bk: BkResult,
    /// Additional m² per further person.
    pub further_area_m2: f64,
    /// NKM €/m² the "je weitere Person" limits are computed from: that of the largest
    /// household size (else the largest size with a value).
    pub further_net_rent_per_m2: Option<f64>,
    /// "Je weitere Person" limits (NKM/m² of the largest household size).
    pub further_person: Option<Limits>,
    /// With lift.
    pub further_person_lift: Option<Limits>,
    /// Records used in all cells of the VR.
    pub n_used: usize,
    /// Coverage: Bestand records in cells ÷ Mietwohnungsbestand (K5).
    pub coverage: Coverage,
    /// Market share of private landlords used for weighting (None: unweighted).
    pub market_share_privat: Option<f64>,
    /// Share of private landlords among the VR's used records with known Vermietertyp.
    pub sample_share_privat: Option<f64>,
    /// Size structure: per size class (sample share before outliers, stock share if entered).
    pub size_structure: Vec<(f64, Option<f64>)>,
}

/// Coverage of a Vergleichsraum.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Coverage {
    /// Bestand records in cells (before outliers).
    pub n_bestand: usize,
    /// Mietwohnungsbestand from the Gemeinde table (0 if unknown).
    pub mietwohnungen: u32,
    /// n_bestand ÷ mietwohnungen.
    pub share: Option<f64>,
}
