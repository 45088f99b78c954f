//! K7–K8: the statistics (cleaning of the upper tail, weighting, Betriebskosten, the table,
//! heating) and the conclusions (percentile, availability, fallback, recipients above the limit).

use super::{Audit, CheckCode, Inputs, cell_ref};
use crate::analysis::result::{CellRef, InvalidReason, Severity};
use crate::fmt::{count, euro, number, percent};
use crate::model::Reason;
use crate::model::params::{BkPlausibility, BkSource, BkStatistic, KlimaMode, ReferenceMethod};

pub(super) fn run(input: &Inputs, audit: &mut Audit) {
    double_trimming(input, audit);
    weighting(input, audit);
    operating_costs(input, audit);
    monotone(input, audit);
    heating(input, audit);
    percentile(input, audit);
    availability(input, audit);
    fallback(input, audit);
    above_limit(input, audit);
}

/// K8: the share of the recipients' households above the applied limit (Wirkungsanalyse).
fn above_limit(input: &Inputs, audit: &mut Audit) {
    let c = CheckCode::Ueberschreitung;
    let Some(total) = &input.an.impact else {
        audit.cannot(
            c,
            "anonymisierte Bestandsfälle (Haushaltsgröße, Vergleichsraum, Bruttokaltmiete)".to_string(),
            "Die Bestandsfälle der Leistungsbezieher sind nicht erfasst: Der Anteil der Bedarfsgemeinschaften über dem Richtwert kann nicht geprüft werden. Liegt er hoch, passt der Richtwert nicht zum Markt.".to_string(),
        );
        return;
    };
    let max = input.project.parameters.availability.share_above_limit_max;
    for cell in &input.an.cells {
        let Some(imp) = &cell.impact else { continue };
        if let Some(share) = imp.share_above.filter(|s| *s > max) {
            audit.add_cells(
                c,
                Severity::Warnung,
                vec![cell_ref(cell)],
                format!(
                    "{}: {} der Bedarfsgemeinschaften ({} von {}) wohnen über dem geltenden Richtwert, zusammen {} im Monat ({} im Jahr); Schwelle {}. Ein Richtwert, den die meisten Leistungsbezieher überschreiten, passt womöglich nicht zum Markt.",
                    cell_ref(cell).german(),
                    percent(share),
                    imp.above_limit,
                    imp.assessed,
                    crate::fmt::euro(imp.monthly_sum_above),
                    crate::fmt::euro(imp.yearly_sum_above),
                    percent(max)
                ),
            );
        }
    }
    if total.unmatched > 0 {
        audit.add(
            c,
            Severity::Hinweis,
            format!(
                "{} der Leistungsbezieher-Tabelle passen zu keinem Tabellenfeld (Vergleichsraum, Gemeinde oder Haushaltsgröße unbekannt; Zeilen {}).",
                count(total.unmatched, "Bedarfsgemeinschaft", "Bedarfsgemeinschaften"),
                total
                    .unmatched_lines
                    .iter()
                    .take(10)
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    if total.not_assessed > 0 {
        audit.add(
            c,
            Severity::Hinweis,
            format!(
                "{} ohne anwendbaren Richtwert (Rückfall je Gemeinde ohne Angabe der Gemeinde, oder kein Wert berechenbar) sind nicht bewertet.",
                count(total.not_assessed, "Bedarfsgemeinschaft", "Bedarfsgemeinschaften")
            ),
        );
    }
    audit.ok(
        c,
        format!(
            "{} von {} Bedarfsgemeinschaften wohnen über dem geltenden Richtwert ({}), in keinem Tabellenfeld mehr als {}; zusammen {} im Jahr.",
            total.above_limit,
            total.assessed,
            total.share_above.map_or_else(|| "–".to_string(), percent),
            percent(max),
            crate::fmt::euro(total.yearly_sum_above)
        ),
    );
}

/// K7: the upper tail is not cut twice (hard plausibility bound and statistical Kappung).
fn double_trimming(input: &Inputs, audit: &mut Audit) {
    let fu = &input.an.funnel;
    let implausible = fu
        .import_rejected
        .get(&Reason::RentPerM2Implausible)
        .copied()
        .unwrap_or(0);
    if implausible > 0 && fu.outliers_high > 0 {
        let p = &input.project.parameters.plausibility;
        audit.add(
            CheckCode::DoppelteKappung,
            Severity::Warnung,
            format!(
                "Den oberen Rand kappen zwei Regeln: die Plausibilitätsgrenze ({} bis {} €/m², {} abgelehnt) und die Extremwertkappung ({} oben). Die Plausibilitätsgrenze darf nur Eingabefehler entfernen; bitte prüfen, dass sie keine Marktmieten abschneidet.",
                number(p.rent_per_m2_min, 2),
                number(p.rent_per_m2_max, 2),
                count(implausible, "Zeile", "Zeilen"),
                count(fu.outliers_high, "Wert", "Werte")
            ),
        );
    }
}

/// K7: post-stratification is applicable wherever it is switched on.
fn weighting(input: &Inputs, audit: &mut Audit) {
    let c = CheckCode::Gewichtung;
    let rep = &input.project.parameters.representativeness;
    if !rep.weighting {
        audit.ok(
            c,
            "Es wird nicht gewichtet; die Vermieterstruktur wird gesondert geprüft.".to_string(),
        );
        return;
    }
    for (vr, v) in input.an.vergleichsraeume.iter().enumerate() {
        if v.market_share_privat.is_none() {
            audit.add(
                c,
                Severity::Warnung,
                format!(
                    "{}: Die Gewichtung ist eingeschaltet, aber der Marktanteil privater Vermieter fehlt – es wird nicht gewichtet.",
                    v.name
                ),
            );
            continue;
        }
        let cells: Vec<CellRef> = input
            .an
            .cells
            .iter()
            .filter(|c| c.vr == vr && c.n > 0 && !c.weighted)
            .map(cell_ref)
            .collect();
        if !cells.is_empty() {
            let names: Vec<String> = cells.iter().map(CellRef::german).collect();
            audit.add_cells(
                c,
                Severity::Warnung,
                cells,
                format!(
                    "Die Gewichtung kann nicht angewendet werden (nur ein Vermietertyp oder keiner bekannt): {}.",
                    names.join("; ")
                ),
            );
        }
    }
}

/// K7: kalte Betriebskosten from a representative statistic or a stated external source, for
/// every cell.
fn operating_costs(input: &Inputs, audit: &mut Audit) {
    let c = CheckCode::Betriebskosten;
    let params = &input.project.parameters;
    let oc = &params.operating_costs;
    let names = &input.prep.vr_names;
    let records = oc.any_records(names.iter());
    external_operating_costs(input, audit);
    if records && params.plausibility.bk_rule == BkPlausibility::None {
        audit.add(
            c,
            Severity::Hinweis,
            "Die kalten Betriebskosten der Datensätze gehen ohne Plausibilitätsgrenzen in die Kennzahl ein: Eingabefehler (z. B. Jahres- statt Monatsbeträge) werden nicht ausgeschlossen.".to_string(),
        );
    }
    if records && oc.statistic == BkStatistic::Percentile && oc.percentile < 0.5 {
        audit.add(
            c,
            Severity::Fehler,
            format!(
                "Die kalten Betriebskosten werden mit dem {}-Perzentil bestimmt: Ein unterer Wert der Betriebskosten ist nicht zulässig; Mittelwert oder Median verwenden.",
                percent(oc.percentile)
            ),
        );
    }
    let cells: Vec<CellRef> = input
        .an
        .cells
        .iter()
        .filter(|c| c.invalid_reasons.contains(&InvalidReason::NoOperatingCosts))
        .map(cell_ref)
        .collect();
    if !cells.is_empty() {
        let names: Vec<String> = cells.iter().map(CellRef::german).collect();
        audit.add_cells(
            c,
            Severity::Fehler,
            cells,
            format!(
                "Ohne Betriebskostenwerte keine Bruttokaltmiete und kein gültiger Richtwert: {}.",
                names.join("; ")
            ),
        );
    }
}

/// K7: an external BK value names its source and year; per-Vergleichsraum entries name a
/// Vergleichsraum of the project.
fn external_operating_costs(input: &Inputs, audit: &mut Audit) {
    let c = CheckCode::Betriebskosten;
    let oc = &input.project.parameters.operating_costs;
    let names = &input.prep.vr_names;
    for v in &oc.vergleichsraeume {
        if !names.contains(&v.vergleichsraum) {
            audit.add(
                c,
                Severity::Warnung,
                format!(
                    "Für „{}“ sind eigene Betriebskosten eingetragen, einen solchen Vergleichsraum gibt es aber nicht: Die Angabe wirkt nicht.",
                    v.vergleichsraum
                ),
            );
        }
    }
    let mut used: Vec<String> = Vec::new();
    for name in names {
        let choice = oc.for_vergleichsraum(name);
        if choice.source != BkSource::External {
            continue;
        }
        let whose = if choice.own {
            format!("{name}: Der eigene Betriebskostenwert des Vergleichsraums")
        } else {
            format!("{name}: Der externe Betriebskostenwert")
        };
        if choice.source_text.trim().is_empty() {
            audit.add(
                c,
                Severity::Fehler,
                format!(
                    "{whose} hat keine Quellenangabe: Ohne Quelle (z. B. Betriebskostenspiegel, eigene Erhebung, Durchschnitt der Leistungsempfänger) ist er nicht nachvollziehbar."
                ),
            );
        }
        if choice.per_m2 <= 0.0 {
            audit.add(
                c,
                Severity::Fehler,
                format!("{whose} fehlt (0 €/m²): keine Bruttokaltmiete."),
            );
        }
        if choice.year.is_none() {
            audit.add(
                c,
                Severity::Warnung,
                format!(
                    "{whose} nennt kein Jahr: Es ist nicht erkennbar, ob er zum Stichtag aktuell ist."
                ),
            );
        }
        if oc.lift_split && choice.per_m2_lift.is_none() {
            audit.add(
                c,
                Severity::Warnung,
                format!(
                    "{whose} hat keinen Wert für Gebäude mit Aufzug, obwohl mit und ohne Aufzug getrennt ausgewiesen wird: Die Spalten mit Aufzug bleiben leer."
                ),
            );
        }
        if !choice.source_text.trim().is_empty() {
            let year = choice.year.map(|y| format!(", {y}")).unwrap_or_default();
            used.push(format!(
                "{name} {} ({}{year})",
                crate::fmt::number(choice.per_m2, 2) + " €/m²",
                choice.source_text.trim()
            ));
        }
    }
    if !used.is_empty() {
        audit.ok(
            c,
            format!(
                "Die kalten Betriebskosten beruhen auf einem Mittelwert oder Median der Datensätze oder auf einem externen Wert mit Quelle: {}.",
                used.join("; ")
            ),
        );
    }
}

/// K7: the applied Bruttokaltmiete rises with the household size.
fn monotone(input: &Inputs, audit: &mut Audit) {
    for v in 0..input.an.vergleichsraeume.len() {
        let cells: Vec<_> = input.an.cells.iter().filter(|c| c.vr == v).collect();
        for pair in cells.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            if let (Some(la), Some(lb)) = (a.applied_limit, b.applied_limit)
                && lb < la
            {
                audit.add_cells(
                    CheckCode::Monotonie,
                    Severity::Warnung,
                    vec![cell_ref(a), cell_ref(b)],
                    format!(
                        "{}: Die Grenze für {} ({}) liegt unter der für {} ({}).",
                        a.vergleichsraum,
                        crate::fmt::count(b.household_size as usize, "Person", "Personen"),
                        euro(lb),
                        crate::fmt::count(a.household_size as usize, "Person", "Personen"),
                        euro(la)
                    ),
                );
            }
        }
    }
}

/// K7: heating values from a current Heizspiegel; a Gesamtangemessenheitsgrenze needs them.
fn heating(input: &Inputs, audit: &mut Audit) {
    let h = &input.project.parameters.heating;
    if !h.enabled {
        let none = "Heizkosten sind nicht Gegenstand dieser Auswertung.".to_string();
        audit.ok(CheckCode::Heizkosten, none);
        audit.ok(
            CheckCode::Gesamtgrenze,
            "Es wird keine Gesamtangemessenheitsgrenze gebildet.".to_string(),
        );
        return;
    }
    let year = input.project.project.stichtag.ymd().0;
    let old = h.table.year < year - 1;
    if old {
        audit.add(
            CheckCode::Heizkosten,
            Severity::Warnung,
            format!(
                "Die Heizspiegel-Ausgabe {} ist älter als ein Jahr vor dem Stichtag: Heizkostenwerte sind jährlich zu überprüfen (§ 22c Abs. 2 SGB II).",
                h.table.year
            ),
        );
    }
    let example = h.table.counts_as_example();
    if example {
        audit.add(
            CheckCode::Heizkosten,
            Severity::Warnung,
            format!(
                "Die Heizkosten-Prüfgrenzen beruhen auf der Beispieltabelle „{}“{}; bitte die aktuelle Heizspiegel-Ausgabe eintragen.",
                h.table.edition,
                if h.table.is_example {
                    ""
                } else {
                    " (nur die Markierung „Beispiel“ wurde entfernt, Ausgabe und Werte sind unverändert)"
                }
            ),
        );
    }
    if h.hot_water_decentral {
        let reason = input
            .project
            .justification("heating.hot_water_share")
            .unwrap_or_default();
        let text = format!(
            "Bei dezentraler Warmwasserbereitung wird ein Warmwasseranteil von {} von den Heizspiegelwerten abgezogen",
            percent(h.hot_water_share)
        );
        if reason.is_empty() {
            audit.add(
                CheckCode::Heizkosten,
                Severity::Warnung,
                format!(
                    "{text}, ohne schriftliche Begründung (Begründungsfeld „{}“): Der Anteil ist anhand der verwendeten Heizspiegel-Ausgabe zu belegen.",
                    crate::model::catalogue::label("heating.hot_water_share")
                ),
            );
        } else {
            audit.add(
                CheckCode::Heizkosten,
                Severity::Hinweis,
                format!("{text}. Begründung: {reason}"),
            );
        }
    }
    if h.gesamtangemessenheitsgrenze && (old || example) {
        audit.add(
            CheckCode::Gesamtgrenze,
            Severity::Fehler,
            "Die Gesamtangemessenheitsgrenze beruht auf einer veralteten oder beispielhaften Heizkomponente: Ohne aktuelle Heizspiegeldaten ist sie nicht tragfähig.".to_string(),
        );
    }
}

/// K8: the percentile is derived from the availability or justified in writing.
fn percentile(input: &Inputs, audit: &mut Audit) {
    let c = CheckCode::Perzentil;
    let r = &input.project.parameters.reference;
    if r.method == ReferenceMethod::Iterative {
        audit.ok(
            c,
            "Das Perzentil wird im iterativen Verfahren aus dem Anteil anmietbarer Angebote abgeleitet.".to_string(),
        );
        return;
    }
    let rule = crate::analysis::reference::rule_german(&input.project.parameters);
    let key = match r.method {
        ReferenceMethod::Percentile => "reference.percentile",
        ReferenceMethod::Spannenoberwert => "reference.spanne",
        _ => "reference.method",
    };
    let reason = input.project.justification(key).unwrap_or_default();
    if reason.is_empty() {
        audit.add(
            c,
            Severity::Warnung,
            format!(
                "Die Referenzmiete ist {rule} – ohne schriftliche Begründung (Begründungsfeld „{}“ auf dem Parameter-Bildschirm). Gerichte verlangen, dass die Kappungsgrenze aus der Größe der Nachfragegruppe hergeleitet wird.",
                crate::model::catalogue::label(key)
            ),
        );
    } else {
        audit.ok(
            c,
            format!("Die Referenzmiete ist {rule}. Begründung: {reason}"),
        );
    }
}

/// K8: availability shown for every cell, under every method.
fn availability(input: &Inputs, audit: &mut Audit) {
    let c = CheckCode::Verfuegbarkeit;
    let an = input.an;
    let offers = &input.prep.offers;
    let n_offers: usize = offers.by_vr.iter().map(Vec::len).sum();
    if n_offers == 0 {
        let excluded = offers.excluded.len();
        let text = if excluded > 0 {
            let reasons: Vec<String> = an
                .offers_excluded
                .iter()
                .map(|(r, n)| format!("{} {}", number(*n as f64, 0), r.german()))
                .collect();
            format!(
                "Alle {} Angebote wurden von der Verfügbarkeitsprüfung ausgeschlossen ({}): Die Verfügbarkeit ist in keinem Tabellenfeld nachgewiesen.",
                number(excluded as f64, 0),
                reasons.join(", ")
            )
        } else {
            "Es liegen keine Angebote vor: Die Verfügbarkeit angemessenen Wohnraums ist in keinem Tabellenfeld nachgewiesen; es gelten die WoGG-Rückfallwerte.".to_string()
        };
        audit.add_cells(
            c,
            Severity::Fehler,
            an.cells.iter().map(cell_ref).collect(),
            text,
        );
        return;
    }
    let no_offers: Vec<CellRef> = an
        .cells
        .iter()
        .filter(|c| c.invalid_reasons.contains(&InvalidReason::NoOffers))
        .map(cell_ref)
        .collect();
    if !no_offers.is_empty() {
        let names: Vec<String> = no_offers.iter().map(CellRef::german).collect();
        audit.add_cells(
            c,
            Severity::Fehler,
            no_offers,
            format!(
                "Keine Angebote in der Größenklasse – Verfügbarkeit nicht nachgewiesen, kein gültiger Richtwert: {}.",
                names.join("; ")
            ),
        );
    }
    let iterative = input.project.parameters.reference.method == ReferenceMethod::Iterative;
    for cell in an.cells.iter().filter(|c| {
        c.invalid_reasons
            .contains(&InvalidReason::AvailabilityNotReached)
    }) {
        let Some(a) = &cell.availability else {
            continue;
        };
        let head = cell_ref(cell).german();
        let text = if iterative {
            format!(
                "{head}: Das iterative Verfahren erreicht den Zielanteil von {} anmietbaren Angeboten bis zum Höchstperzentil nicht ({} von {}) – kein gültiger Richtwert; es gilt der WoGG-Rückfallwert.",
                percent(a.target_share),
                number(a.n_affordable as f64, 0),
                number(a.n_offers as f64, 0)
            )
        } else {
            format!(
                "{head}: Nur {} der {} Angebote sind zum Richtwert anmietbar (Ziel {}) – kein gültiger Richtwert; es gilt der WoGG-Rückfallwert.",
                percent(a.share.unwrap_or(0.0)),
                number(a.n_offers as f64, 0),
                percent(a.target_share)
            )
        };
        audit.add_cells(c, Severity::Fehler, vec![cell_ref(cell)], text);
    }
}

/// K8: the WoGG fallback where the concept does not carry: per Gemeinde, with the
/// Klimakomponente, Mietstufen as in the WoGV Anlage.
fn fallback(input: &Inputs, audit: &mut Audit) {
    let c = CheckCode::Rueckfall;
    let (project, an) = (input.project, input.an);
    let w = &project.parameters.wogg;
    for v in project.vergleichsraeume.iter().filter(|v| v.ohne_konzept) {
        audit.add(
            c,
            Severity::Warnung,
            format!(
                "{}: als „ohne gültiges Konzept“ markiert – es gilt der WoGG-Tabellenwert zuzüglich {} Sicherheitszuschlag (BSG B 4 AS 87/12 R).",
                v.name,
                percent(w.surcharge)
            ),
        );
    }
    let on_fallback: Vec<_> = an.cells.iter().filter(|c| !c.valid).collect();
    if !on_fallback.is_empty() {
        let names: Vec<String> = on_fallback.iter().map(|c| cell_ref(c).german()).collect();
        audit.add_cells(
            c,
            Severity::Hinweis,
            on_fallback.iter().map(|c| cell_ref(c)).collect(),
            format!(
                "Ohne gültigen Konzeptwert gilt der WoGG-Höchstbetrag der Mietstufe jeder Gemeinde zuzüglich {} Sicherheitszuschlag{}: {}.",
                percent(w.surcharge),
                match w.klima {
                    KlimaMode::None => "",
                    _ => " und Klimakomponente",
                },
                names.join("; ")
            ),
        );
        if w.klima == KlimaMode::None {
            audit.add(
                c,
                Severity::Warnung,
                "Der WoGG-Rückfallwert wird ohne Klimakomponente (§ 12 Abs. 7 WoGG) berechnet; die Rechtsprechung rechnet sie hinzu.".to_string(),
            );
        }
    }
    let mut without: Vec<String> = on_fallback
        .iter()
        .flat_map(|c| c.applied_by_gemeinde.iter())
        .filter(|g| g.limit.is_none())
        .map(|g| g.gemeinde.clone())
        .collect();
    without.sort();
    without.dedup();
    if !without.is_empty() {
        audit.add(
            c,
            Severity::Fehler,
            format!(
                "Für {} ist keine Mietstufe bekannt (weder in der Anlage zur Wohngeldverordnung noch in der Gemeindetabelle) oder für den Geltungszeitraum keine WoGG-Tabelle hinterlegt: Dort gibt es keinen Rückfallwert.",
                without.join(", ")
            ),
        );
    }
    // The WoGV Anlage prevails over a differing value of the Gemeinde table.
    let anlage = input.prep.anlage_mietstufen();
    let differing: Vec<String> = project
        .gemeinden
        .iter()
        .zip(anlage)
        .filter_map(|(g, a)| {
            let (own, a) = (g.mietstufe?, (*a)?);
            (own != a).then(|| {
                format!(
                    "{} (Tabelle {}, Anlage {})",
                    g.name,
                    crate::tables::mietstufen::roman(own),
                    crate::tables::mietstufen::roman(a)
                )
            })
        })
        .collect();
    if !differing.is_empty() {
        audit.add(
            c,
            Severity::Warnung,
            format!(
                "Die Mietstufe der Gemeindetabelle weicht von der Anlage zur Wohngeldverordnung ab; es gilt die Anlage: {}.",
                differing.join(", ")
            ),
        );
    }
}
