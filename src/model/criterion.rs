//! The eight criteria of a schlüssiges Konzept (BSG, 22.09.2009, B 4 AS 18/09 R), K1–K8.

use serde::{Deserialize, Serialize};

/// A BSG criterion of a schlüssiges Konzept; written as `K1` … `K8`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum BsgCriterion {
    /// Data collected only in, and across the whole of, the defined Vergleichsraum.
    K1,
    /// A traceable definition of what is observed.
    K2,
    /// The observation period.
    K3,
    /// How the data were collected (sources).
    K4,
    /// Representative size of the data.
    K5,
    /// Validity of the data collection.
    K6,
    /// Recognised statistical principles of the evaluation.
    K7,
    /// The conclusions drawn.
    K8,
}

impl BsgCriterion {
    /// All criteria in order.
    pub const ALL: [BsgCriterion; 8] = [
        BsgCriterion::K1,
        BsgCriterion::K2,
        BsgCriterion::K3,
        BsgCriterion::K4,
        BsgCriterion::K5,
        BsgCriterion::K6,
        BsgCriterion::K7,
        BsgCriterion::K8,
    ];

    /// The code, `K1` … `K8`.
    pub fn code(self) -> &'static str {
        match self {
            BsgCriterion::K1 => "K1",
            BsgCriterion::K2 => "K2",
            BsgCriterion::K3 => "K3",
            BsgCriterion::K4 => "K4",
            BsgCriterion::K5 => "K5",
            BsgCriterion::K6 => "K6",
            BsgCriterion::K7 => "K7",
            BsgCriterion::K8 => "K8",
        }
    }

    /// The criterion in the words of the BSG.
    pub fn german(self) -> &'static str {
        match self {
            BsgCriterion::K1 => {
                "Datenerhebung ausschließlich im genau eingegrenzten Vergleichsraum und über den gesamten Vergleichsraum"
            }
            BsgCriterion::K2 => "Nachvollziehbare Definition des Gegenstands der Beobachtung",
            BsgCriterion::K3 => "Angaben über den Beobachtungszeitraum",
            BsgCriterion::K4 => "Art und Weise der Datenerhebung (Erkenntnisquellen)",
            BsgCriterion::K5 => "Repräsentativität des Umfangs der eingezogenen Daten",
            BsgCriterion::K6 => "Validität der Datenerhebung",
            BsgCriterion::K7 => {
                "Einhaltung anerkannter mathematisch-statistischer Grundsätze der Datenauswertung"
            }
            BsgCriterion::K8 => {
                "Angaben über die gezogenen Schlüsse (z. B. Spannenoberwert oder Kappungsgrenze)"
            }
        }
    }
}

impl std::fmt::Display for BsgCriterion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialise_as_written() {
        for c in BsgCriterion::ALL {
            assert_eq!(serde_json::to_value(c).unwrap(), c.code());
            assert_eq!(c.to_string(), c.code());
        }
    }
}
