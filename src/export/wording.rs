//! German wording shared by several sheets (rule descriptions, severities, exclusions).

use crate::model::params::Parameters;
use crate::model::{Exclusion, Project};

/// Scope exclusions switched on, in German.
pub fn excluded_segments(p: &Parameters) -> Vec<&'static str> {
    Exclusion::ALL
        .into_iter()
        .filter(|e| e.is_excluded(&p.scope))
        .map(Exclusion::german)
        .collect()
}

/// What happens to Bestandsmieten with neither Mietbeginn nor letzte Mietänderung, in German
/// (one or two sentences, docs/METHOD.md §2.5); `None` without a contract window (no age is
/// checked then). `n`: the number of such records, where known.
pub fn undated_rule(project: &Project, n: Option<usize>) -> Option<String> {
    let scope = &project.parameters.scope;
    scope.contract_window_years?;
    let count = n
        .map(|n| format!(" ({} Datensätze)", num(n)))
        .unwrap_or_default();
    Some(if scope.include_undated {
        format!(
            "Bestandsmieten ohne Mietbeginn und ohne letzte Mietänderung{count} sind auf Entscheidung des Trägers einbezogen, obwohl ihr Alter nicht geprüft werden kann (die Rechtsprechung schließt sie aus: SG Magdeburg, S 14 AS 720/19 WA). {}",
            match project.justification("scope.include_undated") {
                Some(j) if j.ends_with(['.', '!', '?']) => format!("Begründung: {j}"),
                Some(j) => format!("Begründung: {j}."),
                None => "Eine schriftliche Begründung liegt nicht vor.".to_string(),
            }
        )
    } else {
        format!(
            "Bestandsmieten ohne Mietbeginn und ohne letzte Mietänderung{count} sind ausgeschlossen, weil ihr Alter nicht geprüft werden kann (SG Magdeburg, S 14 AS 720/19 WA)."
        )
    })
}

/// A count in German format ("1.234").
pub fn num(n: usize) -> String {
    crate::fmt::number(n as f64, 0)
}

/// An amount per m² ("7,44 €/m²").
pub fn per_m2(v: f64) -> String {
    format!("{} €/m²", crate::fmt::number(v, 2))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Date;

    #[test]
    fn the_undated_rule_says_what_is_done() {
        let mut p = Project::new("t", Date::from_ymd(2025, 1, 1).unwrap());
        let excluded = undated_rule(&p, Some(1234)).unwrap();
        assert!(
            excluded.contains("(1.234 Datensätze) sind ausgeschlossen")
                && excluded.contains("S 14 AS 720/19 WA"),
            "{excluded}"
        );
        p.parameters.scope.include_undated = true;
        let included = undated_rule(&p, None).unwrap();
        assert!(included.contains("sind auf Entscheidung des Trägers einbezogen"));
        assert!(included.ends_with("Eine schriftliche Begründung liegt nicht vor."));
        p.justifications.insert(
            "scope.include_undated".into(),
            " Vollerhebung bei Großvermietern ohne Datumsfeld ".into(),
        );
        let justified = undated_rule(&p, Some(3)).unwrap();
        assert!(
            justified.ends_with("Begründung: Vollerhebung bei Großvermietern ohne Datumsfeld."),
            "{justified}"
        );
        p.parameters.scope.contract_window_years = None;
        assert_eq!(undated_rule(&p, Some(3)), None);
    }
}
