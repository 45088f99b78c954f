//! Plain-German warnings about the concept's weak points, tied to the BSG criteria.

use super::prepare::Prepared;
use super::result::{CellResult, Flag, Severity, Warning};
use crate::dataset::Dataset;
use crate::model::BsgCriterion;
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
            Some(BsgCriterion::K4),
            "Keine Bestandsmieten vorhanden. Angebotsmieten allein sind nach der Rechtsprechung nicht repräsentativ (z. B. LSG Niedersachsen-Bremen L 11 AS 1334/15).".to_string(),
        );
    }
    if project.gemeinden.is_empty() {
        warn(
            Severity::Fehler,
            Some(BsgCriterion::K1),
            "Die Gemeindetabelle ist leer: Datensätze können keinem Vergleichsraum zugeordnet werden.".to_string(),
        );
    }
    for (g, cov) in project.gemeinden.iter().zip(&prep.coverage) {
        if g.vergleichsraum.is_empty() {
            warn(
                Severity::Fehler,
                Some(BsgCriterion::K1),
                format!(
                    "Gemeinde „{}“ ist keinem Vergleichsraum zugeordnet.",
                    g.name
                ),
            );
        } else if cov.n_reference == 0 {
            warn(
                Severity::Warnung,
                Some(BsgCriterion::K1),
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
                Some(BsgCriterion::K5),
                format!(
                    "{}, {} Person(en): keine Mietwerte – kein Richtwert ableitbar.",
                    c.vergleichsraum, c.household_size
                ),
            );
        } else if c.flags.contains(&Flag::NBelowMin) {
            warn(
                Severity::Warnung,
                Some(BsgCriterion::K5),
                format!(
                    "{}, {} Person(en): nur {} Mietwerte (Mindestzahl {}).",
                    c.vergleichsraum, c.household_size, c.n, p.min_n
                ),
            );
        }
    }
    let rep = &p.representativeness;
    for (vr, name) in prep.vr_names.iter().enumerate() {
        let stock: u32 = project
            .gemeinden
            .iter()
            .filter(|g| &g.vergleichsraum == name)
            .filter_map(|g| g.mietwohnungen)
            .sum();
        let missing: Vec<&str> = project
            .gemeinden
            .iter()
            .filter(|g| &g.vergleichsraum == name && g.mietwohnungen.is_none())
            .map(|g| g.name.as_str())
            .collect();
        if stock == 0 || !missing.is_empty() {
            // The check cannot run: say so where its result would be.
            warn(
                Severity::Hinweis,
                Some(BsgCriterion::K5),
                format!(
                    "{name}: Der Mietwohnungsbestand fehlt für {} – die Abdeckung des Bestands durch die Erhebung (Repräsentativität) kann nicht geprüft werden. Bitte den Bestand in der Gemeindetabelle ergänzen (z. B. aus dem Zensus).",
                    if stock == 0 {
                        "alle Gemeinden".to_string()
                    } else {
                        missing.join(", ")
                    }
                ),
            );
            if stock == 0 {
                continue;
            }
        }
        let n = prep.n_bestand_vr.get(vr).copied().unwrap_or(0);
        let coverage = n as f64 / f64::from(stock);
        let text = format!(
            "{name}: {} verwertbare Bestandsmieten bei {} Mietwohnungen = {} des Bestands",
            crate::fmt::number(n as f64, 0),
            crate::fmt::number(f64::from(stock), 0),
            crate::fmt::percent(coverage)
        );
        if coverage < rep.coverage_error {
            warn(
                Severity::Fehler,
                Some(BsgCriterion::K5),
                format!(
                    "{text} – unter {} (LSG Baden-Württemberg L 2 AS 3878/11).",
                    crate::fmt::percent(rep.coverage_error)
                ),
            );
        } else if coverage < rep.coverage_warn {
            warn(
                Severity::Warnung,
                Some(BsgCriterion::K5),
                format!(
                    "{text} – unter {} (Bayerisches LSG L 11 AS 52/16).",
                    crate::fmt::percent(rep.coverage_warn)
                ),
            );
        }
    }
    for c in cells {
        let Some(a) = &c.availability else {
            continue;
        };
        let head = format!("{}, {} Person(en)", c.vergleichsraum, c.household_size);
        if c.flags.contains(&Flag::TargetNotReached) {
            warn(
                Severity::Fehler,
                Some(BsgCriterion::K8),
                format!(
                    "{head}: Das iterative Verfahren erreicht den Zielanteil von {} verfügbaren Angeboten bis zum Höchstperzentil nicht.",
                    crate::fmt::percent(a.target_share)
                ),
            );
        } else if a.share.is_some_and(|s| s < a.target_share) {
            warn(
                Severity::Warnung,
                Some(BsgCriterion::K8),
                format!(
                    "{head}: nur {} der {} Angebote sind zum Richtwert anmietbar (Ziel {}).",
                    crate::fmt::percent(a.share.unwrap_or(0.0)),
                    a.n_offers,
                    crate::fmt::percent(a.target_share)
                ),
            );
        }
        // Concentration: one Gemeinde holds most affordable offers, clearly more than its
        // share of all offers (a central town with most of the stock is no concentration).
        if a.n_affordable >= 5
            && let Some((g, n)) = a.by_gemeinde.iter().max_by_key(|(_, n)| **n)
        {
            let share_affordable = *n as f64 / a.n_affordable as f64;
            let share_all =
                a.offers_by_gemeinde.get(g).copied().unwrap_or(0) as f64 / a.n_offers.max(1) as f64;
            if share_affordable > p.availability.max_gemeinde_share
                && share_affordable > share_all + 0.15
            {
                warn(
                    Severity::Warnung,
                    Some(BsgCriterion::K1),
                    format!(
                        "{head}: {} der anmietbaren Angebote liegen in {g}, aber nur {} aller Angebote – Konzentration auf wenige Orte (Bayerisches LSG L 11 AS 52/16).",
                        crate::fmt::percent(share_affordable),
                        crate::fmt::percent(share_all)
                    ),
                );
            }
        }
        let without: Vec<&str> = a
            .offers_by_gemeinde
            .iter()
            .filter(|(g, n)| **n >= 3 && !a.by_gemeinde.contains_key(*g))
            .map(|(g, _)| g.as_str())
            .collect();
        if !without.is_empty() {
            warn(
                Severity::Hinweis,
                Some(BsgCriterion::K1),
                format!(
                    "{head}: in {} gibt es Angebote, aber keines zum Richtwert.",
                    without.join(", ")
                ),
            );
        }
        if c.flags.contains(&Flag::WelfareShareHigh) {
            warn(
                Severity::Warnung,
                Some(BsgCriterion::K5),
                format!(
                    "{head}: {} der verwendeten Mieten stammen von Leistungsbeziehern (Zirkelschluss, SG Magdeburg S 14 AS 720/19 WA).",
                    crate::fmt::percent(c.welfare_share.unwrap_or(0.0))
                ),
            );
        }
    }
    if p.heating.enabled && p.heating.table.year < project.project.stichtag.ymd().0 - 1 {
        warn(
            Severity::Warnung,
            None,
            format!(
                "Die Heizspiegel-Ausgabe {} ist älter als ein Jahr vor dem Stichtag: Heizkostenwerte sind jährlich zu überprüfen (§ 22c Abs. 2 SGB II).",
                p.heating.table.year
            ),
        );
    }
    if p.heating.enabled && p.heating.table.is_example {
        warn(
            Severity::Warnung,
            None,
            format!(
                "Die Heizkostengrenzwerte beruhen auf der Beispieltabelle „{}“; bitte die aktuelle Heizspiegel-Ausgabe eintragen (jährliche Überprüfung, § 22c Abs. 2 SGB II).",
                p.heating.table.edition
            ),
        );
    }
    if let Some(f) = &p.fortschreibung
        && let Some(old) = f.old_stichtag
        && old < project.project.stichtag.minus_years(2)
    {
        warn(
            Severity::Warnung,
            Some(BsgCriterion::K3),
            format!(
                "Das fortgeschriebene Konzept (Stichtag {}) ist älter als zwei Jahre: eine Neuerhebung ist fällig (§ 22c Abs. 2 SGB II, BSG B 4 AS 33/16 R).",
                old.german()
            ),
        );
    }
    for v in project.vergleichsraeume.iter().filter(|v| v.ohne_konzept) {
        warn(
            Severity::Warnung,
            None,
            format!(
                "{}: als „ohne gültiges Konzept“ markiert – es gilt der WoGG-Tabellenwert zuzüglich {} Sicherheitszuschlag (BSG B 4 AS 87/12 R).",
                v.name,
                crate::fmt::percent(p.wogg.surcharge)
            ),
        );
    }
    let in_cells = prep.n_in_cells;
    if prep.n_without_contract_date > 0 && p.scope.contract_window_years.is_some() {
        warn(
            Severity::Hinweis,
            Some(BsgCriterion::K3),
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

/// Warns where the sample's size structure deviates from the stock's (K5).
pub fn size_structure(project: &Project, vrs: &[super::result::VrResult], out: &mut Vec<Warning>) {
    let tol = project.parameters.representativeness.size_share_tolerance;
    for v in vrs {
        for (class, (sample, stock)) in v.size_structure.iter().enumerate() {
            if let Some(stock) = stock
                && (sample - stock).abs() > tol
            {
                out.push(Warning {
                    severity: Severity::Warnung,
                    criterion: Some(BsgCriterion::K5),
                    text: format!(
                        "{}, Größenklasse {}: Anteil in der Stichprobe {} gegenüber {} im Mietwohnungsbestand (Abweichung über {}).",
                        v.name,
                        class + 1,
                        crate::fmt::percent(*sample),
                        crate::fmt::percent(*stock),
                        crate::fmt::percent(tol)
                    ),
                });
            }
        }
    }
}
