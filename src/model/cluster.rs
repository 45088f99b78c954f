//! The `[cluster]` section of the project file: the stored cluster run that proposes
//! Vergleichsräume (docs/METHOD.md §2.3): which indicators (a table and/or the data's rent
//! level), their weights, the standardisation, k, the k-means refinement, and the proposal it
//! gave, so the workbook can show what was proposed even when the indicator file is gone.

use super::project::TableRef;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The stored cluster run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ClusterSpec {
    /// The data's rent level per Gemeinde (median NKM/m²) is an indicator.
    #[serde(default)]
    pub rent_level: bool,
    /// How the indicators are made comparable.
    #[serde(default)]
    pub standardisation: Standardisation,
    /// Number of clusters.
    #[serde(default)]
    pub k: ClusterK,
    /// Refine the Ward partition by k-means.
    #[serde(default)]
    pub kmeans: bool,
    /// The indicator table (AGS or Gemeinde and numeric columns), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indicators: Option<TableRef>,
    /// Weight per indicator name (1 where not named).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub weights: BTreeMap<String, f64>,
    /// The proposal of the last run: cluster per Gemeinde.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub proposal: Vec<ProposalEntry>,
}

impl ClusterSpec {
    /// The weight of an indicator (1 where not named).
    pub fn weight(&self, indicator: &str) -> f64 {
        self.weights.get(indicator).copied().unwrap_or(1.0)
    }

    /// The settings without the stored proposal (what a run depends on besides the data).
    pub fn settings(&self) -> ClusterSpec {
        ClusterSpec {
            proposal: Vec::new(),
            ..self.clone()
        }
    }
}

/// How the indicator columns are standardised before clustering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Standardisation {
    /// z-scores: mean 0, population standard deviation 1.
    #[default]
    #[serde(rename = "z")]
    ZScores,
}

impl Standardisation {
    /// German description.
    pub fn german(self) -> &'static str {
        match self {
            Standardisation::ZScores => {
                "z-Werte (Mittelwert 0, Standardabweichung 1 der Grundgesamtheit)"
            }
        }
    }
}

/// The number of clusters: chosen by the best silhouette, or fixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "KRepr", into = "KRepr")]
pub enum ClusterK {
    /// The k with the best mean silhouette width (`"auto"` in the file).
    #[default]
    Auto,
    /// A fixed k.
    Fixed(usize),
}

impl ClusterK {
    /// The fixed k, `None` for automatic.
    pub fn fixed(self) -> Option<usize> {
        match self {
            ClusterK::Auto => None,
            ClusterK::Fixed(k) => Some(k),
        }
    }
}

/// `k = "auto"` or `k = 3` in the file.
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum KRepr {
    Number(usize),
    Text(String),
}

impl TryFrom<KRepr> for ClusterK {
    type Error = String;

    fn try_from(r: KRepr) -> Result<ClusterK, String> {
        match r {
            KRepr::Number(k) => Ok(ClusterK::Fixed(k)),
            KRepr::Text(t) if t.trim().eq_ignore_ascii_case("auto") => Ok(ClusterK::Auto),
            KRepr::Text(t) => Err(format!(
                "k muss „auto“ oder eine Zahl sein (angegeben: „{t}“)"
            )),
        }
    }
}

impl From<ClusterK> for KRepr {
    fn from(k: ClusterK) -> KRepr {
        match k {
            ClusterK::Auto => KRepr::Text("auto".to_string()),
            ClusterK::Fixed(k) => KRepr::Number(k),
        }
    }
}

/// One Gemeinde of the proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProposalEntry {
    /// Gemeinde name.
    pub gemeinde: String,
    /// AGS (may be empty).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub ags: String,
    /// Proposed cluster 1…k.
    pub cluster: usize,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Date, Project};

    #[test]
    fn a_cluster_run_round_trips_through_the_project_file() {
        let mut p = Project::new("Test", Date::from_ymd(2025, 1, 1).unwrap());
        let mut weights = BTreeMap::new();
        weights.insert("Mietniveau (Median NKM €/m²)".to_string(), 2.0);
        weights.insert("SGB II-Quote".to_string(), 0.5);
        p.cluster = Some(ClusterSpec {
            rent_level: true,
            standardisation: Standardisation::ZScores,
            k: ClusterK::Fixed(3),
            kmeans: true,
            indicators: Some(TableRef {
                path: "indikatoren.csv".into(),
                sheet: None,
                sha256: "ab12".into(),
            }),
            weights,
            proposal: vec![
                ProposalEntry {
                    gemeinde: "Musterstadt".into(),
                    ags: "05999001".into(),
                    cluster: 1,
                },
                ProposalEntry {
                    gemeinde: "Dorf ohne AGS".into(),
                    ags: String::new(),
                    cluster: 2,
                },
            ],
        });
        let text = p.to_toml().unwrap();
        assert!(text.contains("[cluster]"), "{text}");
        assert!(text.contains("k = 3"), "{text}");
        assert!(text.contains("standardisation = \"z\""), "{text}");
        assert!(text.contains("# Clusteranalyse"), "{text}");
        assert_eq!(Project::from_toml(&text, "x").unwrap(), p);
        // "auto" and a wrong k.
        let auto = text.replace("k = 3", "k = \"auto\"");
        let q = Project::from_toml(&auto, "x").unwrap();
        assert_eq!(q.cluster.unwrap().k, ClusterK::Auto);
        let bad = text.replace("k = 3", "k = \"viele\"");
        assert!(Project::from_toml(&bad, "x").is_err());
        // No section, no key.
        let plain = Project::new("Test", Date::from_ymd(2025, 1, 1).unwrap());
        assert!(!plain.to_toml().unwrap().contains("cluster"));
    }
}
