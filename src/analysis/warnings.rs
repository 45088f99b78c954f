//! Plain-German warnings about the concept's weak points, tied to the BSG criteria.

use super::compute::{CellResult, Flag, Severity, Warning};
use super::prepare::Prepared;
use crate::dataset::Dataset;
use crate::model::{Project, SourceKind};

/// Collects the warnings of one run.
pub fn collect(
    prep: &Prepared,
    project: &Project,
    data: &Dataset,
    cells: &[CellResult],
) -> Vec<Warning> {
    let mut out = Vec::new();
    let mut warn = |severity, criterion, text: String| {
        out.push(Warning {
            severity,
            criterion,
            text,
        })
    };
    if !data.records.iter().any(|r| r.kind == SourceKind::Bestand) {
        warn(
            Severity::Fehler,
            Some("K4"),
            "Keine Bestandsmieten vorhanden. Angebotsmieten allein sind nach der Rechtsprechung nicht repräsentativ (z. B. LSG Niedersachsen-Bremen L 11 AS 1334/15).".to_string(),
        );
    }
    if project.gemeinden.is_empty() {
        warn(
            Severity::Fehler,
            Some("K1"),
            "Die Gemeindetabelle ist leer: Datensätze können keinem Vergleichsraum zugeordnet werden.".to_string(),
        );
    }
    for (g, cov) in project.gemeinden.iter().zip(&prep.coverage) {
        if g.vergleichsraum.is_empty() {
            warn(
                Severity::Fehler,
                Some("K1"),
                format!(
                    "Gemeinde „{}“ ist keinem Vergleichsraum zugeordnet.",
                    g.name
                ),
            );
        } else if cov.n_reference == 0 {
            warn(
                Severity::Warnung,
                Some("K1"),
                format!(
                    "Gemeinde „{}“ (Vergleichsraum {}) hat keine verwertbaren Mietwerte: Die Datenerhebung muss den gesamten Vergleichsraum abdecken.",
                    g.name, g.vergleichsraum
                ),
            );
        }
    }
    let p = &project.parameters;
    if !p.wohnflaechen.confirmed
        && crate::tables::wohnflaechen::wohnflaechen(&p.wohnflaechen.land)
            .is_none_or(|w| w.needs_confirmation())
    {
        warn(
            Severity::Fehler,
            None,
            format!(
                "Die Wohnflächen für {} sind nicht belegt. Bitte Werte prüfen, Quelle angeben und bestätigen.",
                p.wohnflaechen.land
            ),
        );
    }
    for c in cells {
        if c.flags.contains(&Flag::NoData) {
            warn(
                Severity::Fehler,
                Some("K5"),
                format!(
                    "{}, {} Person(en): keine Mietwerte – kein Richtwert ableitbar.",
                    c.vergleichsraum, c.household_size
                ),
            );
        } else if c.flags.contains(&Flag::NBelowMin) {
            warn(
                Severity::Warnung,
                Some("K5"),
                format!(
                    "{}, {} Person(en): nur {} Mietwerte (Mindestzahl {}).",
                    c.vergleichsraum, c.household_size, c.n, p.min_n
                ),
            );
        }
    }
    let in_cells = prep
        .status
        .iter()
        .filter(|s| matches!(s, super::prepare::RecordStatus::InCell { .. }))
        .count();
    if prep.n_without_contract_date > 0 && p.scope.contract_window_years.is_some() {
        warn(
            Severity::Hinweis,
            Some("K3"),
            format!(
                "{} von {} verwendeten Mietwerten haben weder Mietbeginn noch letzte Mietänderung; die Altersgrenze von {} Jahren konnte für sie nicht geprüft werden.",
                prep.n_without_contract_date,
                in_cells,
                p.scope.contract_window_years.unwrap_or(0)
            ),
        );
    }
    out
}
