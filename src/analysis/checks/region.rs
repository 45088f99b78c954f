//! K1: the Vergleichsraum (assignment, coverage of its area, homogeneity, contiguity, spread of
//! the affordable offers, one limit per cell).

use super::{Adjacency, Audit, CheckCode, Inputs, cell_ref};
use crate::analysis::result::Severity;
use crate::fmt::{number, percent};
use std::collections::{BTreeMap, HashSet};

pub(super) fn run(input: &Inputs, audit: &mut Audit) {
    assignment(input, audit);
    area_coverage(input, audit);
    homogeneity(input, audit);
    contiguity(input, audit);
    concentration(input, audit);
    one_limit(input, audit);
}

fn assignment(input: &Inputs, audit: &mut Audit) {
    let project = input.project;
    let c = CheckCode::Zuordnung;
    if project.gemeinden.is_empty() {
        audit.add(
            c,
            Severity::Fehler,
            "Die Gemeindetabelle ist leer: Datensätze können keinem Vergleichsraum zugeordnet werden.".to_string(),
        );
    }
    for g in project
        .gemeinden
        .iter()
        .filter(|g| g.vergleichsraum.is_empty())
    {
        audit.add(
            c,
            Severity::Fehler,
            format!(
                "Gemeinde „{}“ ist keinem Vergleichsraum zugeordnet.",
                g.name
            ),
        );
    }
    let mut by_ags: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for g in project.gemeinden.iter().filter(|g| !g.ags.is_empty()) {
        by_ags.entry(&g.ags).or_default().push(&g.vergleichsraum);
    }
    for (ags, vrs) in by_ags.iter().filter(|(_, v)| v.len() > 1) {
        audit.add(
            c,
            Severity::Fehler,
            format!(
                "Der Gemeindeschlüssel {ags} steht {}-mal in der Gemeindetabelle (Vergleichsräume: {}): Jede Gemeinde darf genau einem Vergleichsraum angehören.",
                vrs.len(),
                vrs.join(", ")
            ),
        );
    }
}

fn area_coverage(input: &Inputs, audit: &mut Audit) {
    for (g, cov) in input.project.gemeinden.iter().zip(&input.prep.coverage) {
        if !g.vergleichsraum.is_empty() && cov.n_reference == 0 {
            audit.add(
                CheckCode::Gebietsabdeckung,
                Severity::Warnung,
                format!(
                    "Gemeinde „{}“ (Vergleichsraum {}) hat keine verwertbaren Mietwerte: Die Datenerhebung muss den gesamten Vergleichsraum abdecken.",
                    g.name, g.vergleichsraum
                ),
            );
        }
    }
}

/// Median NKM/m² of each Gemeinde (with at least `min_n` rents) against its Vergleichsraum.
fn homogeneity(input: &Inputs, audit: &mut Audit) {
    let c = CheckCode::Homogenitaet;
    let p = &input.project.parameters;
    let tol = p.representativeness.homogeneity_gap;
    let levels = input.prep.rent_levels();
    for (vr, name) in input.prep.vr_names.iter().enumerate() {
        let Some(vr_median) = levels.vergleichsraum.get(vr).and_then(|l| l.median) else {
            continue;
        };
        let members: Vec<(usize, &str)> = input
            .project
            .gemeinden
            .iter()
            .enumerate()
            .filter(|(_, g)| &g.vergleichsraum == name)
            .map(|(i, g)| (i, g.name.as_str()))
            .collect();
        if members.len() < 2 {
            continue;
        }
        let measured: Vec<(&str, usize, f64)> = members
            .iter()
            .filter_map(|&(i, g)| {
                let l = levels.gemeinde.get(i)?;
                (l.n >= p.min_n).then_some((g, l.n, l.median?))
            })
            .collect();
        if measured.len() < 2 {
            audit.cannot(
                c,
                format!("{name}: Gemeinden mit mindestens {} Mietwerten", p.min_n),
                format!(
                    "{name}: Weniger als zwei Gemeinden haben mindestens {} Mietwerte – das Mietniveau der Gemeinden kann nicht verglichen werden.",
                    p.min_n
                ),
            );
            continue;
        }
        for (g, n, median) in measured {
            let gap = median / vr_median - 1.0;
            if gap.abs() > tol {
                audit.add(
                    c,
                    Severity::Warnung,
                    format!(
                        "{name}: In {g} liegt der Median der Nettokaltmiete ({} €/m², n = {}) {} {} als im Vergleichsraum ({} €/m²) – über der Toleranz von {}. Bitte die Homogenität des Vergleichsraums begründen oder ihn teilen.",
                        number(median, 2),
                        number(n as f64, 0),
                        percent(gap.abs()),
                        if gap > 0.0 { "höher" } else { "niedriger" },
                        number(vr_median, 2),
                        percent(tol)
                    ),
                );
            }
        }
    }
}

/// The Gemeinden of each Vergleichsraum are connected through shared borders: from the
/// boundaries when the project has them, else from the neighbour list (a cluster type need not
/// be contiguous, a Vergleichsraum must be: docs/METHOD.md §2.3).
fn contiguity(input: &Inputs, audit: &mut Audit) {
    let c = CheckCode::Zusammenhang;
    let Some(adjacency) = &input.adjacency else {
        audit.cannot(
            c,
            "Gemeindegrenzen (GeoJSON) oder Nachbarschaftsliste der Gemeinden".to_string(),
            "Ohne Gemeindegrenzen oder Nachbarschaftsliste kann nicht geprüft werden, ob jeder Vergleichsraum ein zusammenhängendes Gebiet ist.".to_string(),
        );
        return;
    };
    let source = adjacency.source_german();
    let mapped: Option<HashSet<&str>> = match adjacency {
        Adjacency::Boundaries { data, .. } => Some(
            data.boundaries
                .shapes
                .iter()
                .map(|s| s.ags.as_str())
                .collect(),
        ),
        Adjacency::List(_) => None,
    };
    for name in input.project.vergleichsraum_names() {
        let members: Vec<&crate::model::GemeindeRow> = input
            .project
            .gemeinden
            .iter()
            .filter(|g| g.vergleichsraum == name)
            .collect();
        if members.len() < 2 {
            continue;
        }
        if let Some(g) = members.iter().find(|g| g.ags.is_empty()) {
            audit.cannot(
                c,
                format!("{name}: Gemeindeschlüssel von {}", g.name),
                format!(
                    "{name}: {} hat keinen Gemeindeschlüssel – der Zusammenhang kann nicht geprüft werden.",
                    g.name
                ),
            );
            continue;
        }
        let (members, missing): (Vec<_>, Vec<_>) = members
            .into_iter()
            .partition(|g| mapped.as_ref().is_none_or(|m| m.contains(g.ags.as_str())));
        if !missing.is_empty() {
            let names: Vec<String> = missing
                .iter()
                .map(|g| format!("{} ({})", g.name, g.ags))
                .collect();
            audit.cannot(
                c,
                format!("{name}: Grenzen von {}", names.join(", ")),
                format!(
                    "{name}: {} {} in den Gemeindegrenzen (GeoJSON) – für {} kann der Zusammenhang nicht geprüft werden.",
                    names.join(", "),
                    if missing.len() == 1 { "fehlt" } else { "fehlen" },
                    if missing.len() == 1 { "diese Gemeinde" } else { "diese Gemeinden" },
                ),
            );
        }
        let parts = components(&members, adjacency.pairs());
        if parts.len() > 1 {
            let text: Vec<String> = parts
                .iter()
                .map(|p| format!("{{{}}}", p.join(", ")))
                .collect();
            audit.add(
                c,
                Severity::Warnung,
                format!(
                    "{name} zerfällt in {} nicht verbundene Teile: {} ({source}). Ein Vergleichsraum muss ein zusammenhängender Lebens- und Wohnbereich sein; bitte die Zuordnung prüfen oder begründen.",
                    parts.len(),
                    text.join(" und ")
                ),
            );
        }
    }
    audit.ok(
        c,
        format!("Die Gemeinden jedes Vergleichsraums hängen über gemeinsame Grenzen zusammen ({source})."),
    );
}

/// The connected parts of `members` (names, in table order) under the neighbour pairs.
fn components(
    members: &[&crate::model::GemeindeRow],
    pairs: &[(String, String)],
) -> Vec<Vec<String>> {
    let index = |ags: &str| members.iter().position(|g| g.ags == ags);
    let mut part: Vec<usize> = (0..members.len()).collect();
    fn root(part: &mut [usize], mut x: usize) -> usize {
        while part[x] != x {
            part[x] = part[part[x]];
            x = part[x];
        }
        x
    }
    for (a, b) in pairs {
        if let (Some(i), Some(j)) = (index(a), index(b)) {
            let (ri, rj) = (root(&mut part, i), root(&mut part, j));
            part[ri.max(rj)] = ri.min(rj);
        }
    }
    let mut out: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for (i, g) in members.iter().enumerate() {
        let r = root(&mut part, i);
        out.entry(r).or_default().push(g.name.clone());
    }
    out.into_values().collect()
}

/// Affordable offers spread over the Vergleichsraum (no ghettoisation).
fn concentration(input: &Inputs, audit: &mut Audit) {
    let c = CheckCode::Konzentration;
    let max_share = input.project.parameters.availability.max_gemeinde_share;
    for cell in &input.an.cells {
        let Some(a) = &cell.availability else {
            continue;
        };
        let head = cell_ref(cell).german();
        // One Gemeinde holds most affordable offers, clearly more than its share of all offers
        // (a central town with most of the stock is no concentration).
        if a.n_affordable >= 5
            && let Some((g, n)) = a.by_gemeinde.iter().max_by_key(|(_, n)| **n)
        {
            let share_affordable = *n as f64 / a.n_affordable as f64;
            let share_all =
                a.offers_by_gemeinde.get(g).copied().unwrap_or(0) as f64 / a.n_offers.max(1) as f64;
            if share_affordable > max_share && share_affordable > share_all + 0.15 {
                audit.add_cells(
                    c,
                    Severity::Warnung,
                    vec![cell_ref(cell)],
                    format!(
                        "{head}: {} der anmietbaren Angebote liegen in {g}, aber nur {} aller Angebote – Konzentration auf wenige Orte.",
                        percent(share_affordable),
                        percent(share_all)
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
            audit.add_cells(
                c,
                Severity::Hinweis,
                vec![cell_ref(cell)],
                format!(
                    "{head}: In {} gibt es Angebote, aber keines zum Richtwert.",
                    without.join(", ")
                ),
            );
        }
    }
}

/// Exactly one limit per Vergleichsraum and household size: Vergleichsraum names are unique.
fn one_limit(input: &Inputs, audit: &mut Audit) {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for v in &input.project.vergleichsraeume {
        *seen.entry(v.name.as_str()).or_insert(0) += 1;
    }
    for (name, n) in seen.iter().filter(|(_, n)| **n > 1) {
        audit.add(
            CheckCode::EinRichtwert,
            Severity::Fehler,
            format!("Der Vergleichsraum „{name}“ ist {n}-mal angelegt: Je Vergleichsraum und Haushaltsgröße darf es nur einen Richtwert geben."),
        );
    }
    let split: Vec<String> = input
        .an
        .cells
        .iter()
        .filter(|c| c.applied_limit.is_none() && !c.applied_by_gemeinde.is_empty())
        .map(|c| cell_ref(c).german())
        .collect();
    if !split.is_empty() {
        audit.ok(
            CheckCode::EinRichtwert,
            format!(
                "Je Vergleichsraum und Haushaltsgröße gibt es genau einen Richtwert. Wo das Konzept nicht trägt ({}), gilt je Gemeinde der WoGG-Wert ihrer Mietstufe, wie ihn das Wohngeldrecht zuordnet.",
                split.join("; ")
            ),
        );
    }
}
