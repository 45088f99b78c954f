//! Parameters of the cost components (docs/METHOD.md §2.9, §2.17, §5.4): the source of the
//! kalte Betriebskosten per project and per Vergleichsraum, the Karenzzeit column and the
//! published table.

use super::off_or;
use serde::{Deserialize, Serialize};

/// Where the kalte Betriebskosten of a Vergleichsraum come from (docs/METHOD.md §2.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BkSource {
    /// The statistic over the records of the Vergleichsraum (or cell).
    #[default]
    Records,
    /// A value in €/m² from another source (Betriebskostenspiegel, own survey, the average of
    /// the Leistungsempfänger), used for every cell.
    External,
}

impl BkSource {
    /// German label.
    pub fn german(self) -> &'static str {
        match self {
            BkSource::Records => "aus den Datensätzen",
            BkSource::External => "externer Wert",
        }
    }
}

/// An external kalte BK value with its source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExternalBk {
    /// kalte BK €/m² per month (without Aufzug where split).
    pub per_m2: f64,
    /// kalte BK €/m² per month with Aufzug (used when `lift_split`); `None` = not given.
    #[serde(with = "off_or")]
    pub per_m2_lift: Option<f64>,
    /// Source of the value in plain German (e.g. „Betriebskostenspiegel Sachsen 2023“).
    pub source_text: String,
    /// Year the value refers to.
    #[serde(with = "off_or")]
    pub year: Option<u32>,
}

impl Default for ExternalBk {
    fn default() -> Self {
        ExternalBk {
            per_m2: 0.0,
            per_m2_lift: None,
            source_text: String::new(),
            year: None,
        }
    }
}

/// The BK source of one Vergleichsraum, where it differs from the project's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VrBk {
    /// Vergleichsraum name.
    pub vergleichsraum: String,
    /// Source for this Vergleichsraum.
    pub source: BkSource,
    /// kalte BK €/m² (external).
    pub per_m2: f64,
    /// kalte BK €/m² with Aufzug (external, when split); `None` = not given.
    pub per_m2_lift: Option<f64>,
    /// Source of the external value in plain German.
    pub source_text: String,
    /// Year the external value refers to.
    pub year: Option<u32>,
}

impl Default for VrBk {
    fn default() -> Self {
        VrBk {
            vergleichsraum: String::new(),
            source: BkSource::External,
            per_m2: 0.0,
            per_m2_lift: None,
            source_text: String::new(),
            year: None,
        }
    }
}

/// The BK source that applies to one Vergleichsraum: the project's or its own.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BkChoice<'a> {
    /// Records or external.
    pub source: BkSource,
    /// External €/m².
    pub per_m2: f64,
    /// External €/m² with Aufzug.
    pub per_m2_lift: Option<f64>,
    /// Source text of the external value.
    pub source_text: &'a str,
    /// Year of the external value.
    pub year: Option<u32>,
    /// Set for this Vergleichsraum (`operating_costs.vergleichsraeume`), not for the project.
    pub own: bool,
}

/// The Karenzzeit column (docs/METHOD.md §2.17).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KarenzzeitParams {
    /// Factor on the applied limit (reported: 1,5); `None` = no column.
    #[serde(with = "off_or")]
    pub factor: Option<f64>,
}

/// What the limit is called in the published tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitLabel {
    /// Below it no individual check takes place (Kreis Düren).
    #[default]
    Nichtpruefungsgrenze,
    /// The limit of what is angemessen.
    Angemessenheitsgrenze,
}

impl LimitLabel {
    /// The German word.
    pub fn german(self) -> &'static str {
        match self {
            LimitLabel::Nichtpruefungsgrenze => "Nichtprüfungsgrenze",
            LimitLabel::Angemessenheitsgrenze => "Angemessenheitsgrenze",
        }
    }
}

/// The table a jobcenter publishes (docs/METHOD.md §5.4).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RichtwerteParams {
    /// Add the sheet „Richtwerttabelle“ with numbered columns and the rules written out.
    pub published_table: bool,
    /// The word for the limit.
    pub label: LimitLabel,
}
