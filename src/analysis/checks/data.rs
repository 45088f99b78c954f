//! K2–K6: what is observed, when, from which sources, how representative, how cleaned.

use super::{Audit, CheckCode, Inputs, cell_ref};
use crate::analysis::result::{Flag, InvalidReason, Severity};
use crate::fmt::{count, number, percent};
use crate::model::{Exclusion, Reason};

pub(super) fn run(input: &Inputs, audit: &mut Audit) {
    subject(input, audit);
    floor_areas(input, audit);
    contract_age(input, audit);
    data_age(input, audit);
    fortschreibung(input, audit);
    data_basis(input, audit);
    sources(input, audit);
    coverage(input, audit);
    cell_size(input, audit);
    landlord_mix(input, audit);
    size_structure(input, audit);
    circularity(input, audit);
    cleaning(input, audit);
}

/// K2: the kinds of flat that are not part of the market are excluded.
fn subject(input: &Inputs, audit: &mut Audit) {
    let scope = &input.project.parameters.scope;
    let kept: Vec<&str> = Exclusion::ALL
        .iter()
        .filter(|e| !e.is_excluded(scope))
        .map(|e| e.german())
        .collect();
    if !kept.is_empty() {
        audit.add(
            CheckCode::Gegenstand,
            Severity::Hinweis,
            format!(
                "Nicht ausgeschlossen: {}. Gehören sie nicht zum Marktsegment des einfachen Standards, verzerren sie die Referenzmiete; die Einbeziehung ist zu begründen.",
                kept.join(", ")
            ),
        );
    }
}

/// K2: the angemessene Wohnflächen follow the Land's rules, or the deviation is documented.
fn floor_areas(input: &Inputs, audit: &mut Audit) {
    let c = CheckCode::Wohnflaechen;
    let w = &input.project.parameters.wohnflaechen;
    let preset = crate::tables::wohnflaechen::wohnflaechen(&w.land);
    if !w.confirmed && preset.as_ref().is_none_or(|p| p.needs_confirmation()) {
        audit.add(
            c,
            Severity::Fehler,
            format!(
                "Die Wohnflächen für {} sind nicht belegt. Bitte Werte prüfen, Quelle angeben und bestätigen.",
                w.land
            ),
        );
        return;
    }
    let Some(preset) = preset else {
        return;
    };
    let differs = w.sizes.iter().enumerate().any(|(i, a)| {
        preset
            .sizes
            .get(i)
            .copied()
            .flatten()
            .is_some_and(|b| (a - b).abs() > 1e-9)
    }) || preset
        .per_further
        .is_some_and(|b| (w.per_further - b).abs() > 1e-9);
    if differs {
        let (severity, tail) = if w.source.trim().is_empty() {
            (
                Severity::Warnung,
                "ohne angegebene Quelle oder Begründung".to_string(),
            )
        } else {
            (
                Severity::Hinweis,
                format!("Quelle/Begründung: {}", w.source.trim()),
            )
        };
        audit.add(
            c,
            severity,
            format!(
                "Die Wohnflächen weichen von den Werten für {} ab ({}), {tail}.",
                w.land, preset.rule
            ),
        );
    }
}

/// K3: contract age of the Bestandsmieten.
fn contract_age(input: &Inputs, audit: &mut Audit) {
    let c = CheckCode::Vertragsalter;
    let p = &input.project.parameters;
    match p.scope.contract_window_years {
        None => audit.add(
            c,
            Severity::Warnung,
            "Das Vertragsalter der Bestandsmieten ist nicht begrenzt: Alte Verträge ohne Mietänderung bilden den aktuellen Markt nicht ab.".to_string(),
        ),
        Some(y) if y > 6 => audit.add(
            c,
            Severity::Warnung,
            format!(
                "Bestandsmieten bis zu {y} Jahre nach Vertragsbeginn oder letzter Mietänderung gehen ein – länger als der Betrachtungszeitraum eines Mietspiegels (6 Jahre, § 558 Abs. 2 BGB)."
            ),
        ),
        Some(_) => {}
    }
    undated(input, audit);
    let prep = input.prep;
    if prep.n_without_contract_date > 0 && p.scope.contract_window_years.is_some() {
        audit.add(
            c,
            Severity::Hinweis,
            format!(
                "{} von {} verwendeten Mietwerten haben weder Mietbeginn noch letzte Mietänderung; die Altersgrenze von {} Jahren konnte für sie nicht geprüft werden.",
                number(prep.n_without_contract_date as f64, 0),
                number(prep.n_in_cells as f64, 0),
                p.scope.contract_window_years.unwrap_or(0)
            ),
        );
    }
}

/// K3: Bestandsmieten without any date are excluded by default (SG Magdeburg S 14 AS 720/19 WA);
/// including them needs a justification. The share per cell is reported.
fn undated(input: &Inputs, audit: &mut Audit) {
    let c = CheckCode::Vertragsalter;
    let p = &input.project.parameters;
    if p.scope.contract_window_years.is_none() {
        return;
    }
    let total: usize = input.an.cells.iter().map(|c| c.n_undated).sum();
    if total == 0 {
        return;
    }
    let shares: Vec<String> = input
        .an
        .cells
        .iter()
        .filter(|c| c.n_undated > 0)
        .map(|cell| {
            let base = if p.scope.include_undated {
                cell.n_in_cell
            } else {
                cell.n_in_cell + cell.n_undated
            };
            format!(
                "{} {}",
                cell_ref(cell).german(),
                percent(cell.n_undated as f64 / base.max(1) as f64)
            )
        })
        .collect();
    let key = "scope.include_undated";
    let head = format!(
        "{} ohne Mietbeginn und ohne letzte Mietänderung (Anteil je Tabellenfeld: {})",
        count(total, "Bestandsmiete", "Bestandsmieten"),
        shares.join(", ")
    );
    if !p.scope.include_undated {
        audit.add(
            c,
            Severity::Hinweis,
            format!("{head} sind ausgeschlossen, weil ihr Alter nicht geprüft werden kann."),
        );
    } else if let Some(reason) = input.project.justification(key) {
        audit.add(
            c,
            Severity::Hinweis,
            format!("{head} sind einbezogen. Begründung: {reason}"),
        );
    } else {
        audit.add(
            c,
            Severity::Warnung,
            format!(
                "{head} sind ohne schriftliche Begründung einbezogen (Begründungsfeld „{}“ auf dem Parameter-Bildschirm); die Rechtsprechung schließt sie aus.",
                crate::model::catalogue::label(key)
            ),
        );
    }
}

/// K3: the data are not too old when the limits take effect.
fn data_age(input: &Inputs, audit: &mut Audit) {
    let c = CheckCode::Datenalter;
    let meta = &input.project.project;
    let Some(valid) = meta.gueltig_ab else {
        audit.cannot(
            c,
            "Geltungsbeginn der Richtwerte („gültig ab“)".to_string(),
            "Der Geltungsbeginn der Richtwerte („gültig ab“) fehlt: Das Alter der Daten bei Inkrafttreten kann nicht geprüft werden.".to_string(),
        );
        return;
    };
    let stichtag = meta.stichtag;
    let text = |limit: &str| {
        format!(
            "Zwischen Datenstichtag ({}) und Geltungsbeginn ({}) liegen mehr als {limit}",
            stichtag.german(),
            valid.german()
        )
    };
    if stichtag < valid.minus_months(24) {
        audit.add(
            c,
            Severity::Fehler,
            text("zwei Jahre: Die Daten sind für diesen Zeitraum abgelaufen; eine Neuerhebung oder Fortschreibung ist erforderlich (§ 22c Abs. 2 SGB II)."),
        );
    } else if stichtag < valid.minus_months(18) {
        audit.add(
            c,
            Severity::Warnung,
            text("18 Monate: Die Werte verlieren mit zwei Jahren ihre Aussagekraft; die Fortschreibung ist vorzubereiten."),
        );
    } else {
        audit.ok(
            c,
            format!(
                "Datenstichtag {}, gültig ab {}: höchstens 18 Monate Abstand.",
                stichtag.german(),
                valid.german()
            ),
        );
    }
}

/// K3: a Fortschreibung inherits its base concept.
fn fortschreibung(input: &Inputs, audit: &mut Audit) {
    let c = CheckCode::Fortschreibung;
    let Some(f) = &input.project.parameters.fortschreibung else {
        return;
    };
    let stichtag = input.project.project.stichtag;
    let Some(old) = f.old_stichtag else {
        audit.cannot(
            c,
            "Stichtag des fortgeschriebenen Konzepts".to_string(),
            "Der Stichtag des fortgeschriebenen Konzepts fehlt: Sein Alter kann nicht geprüft werden.".to_string(),
        );
        return;
    };
    audit.add(
        c,
        Severity::Hinweis,
        format!(
            "Fortgeschrieben wird das Konzept mit Stichtag {}: Die Fortschreibung übernimmt seine Grundlagen, Mängel des Ausgangskonzepts setzen sich fort.",
            old.german()
        ),
    );
    if old < stichtag.minus_years(2) {
        audit.add(
            c,
            Severity::Hinweis,
            format!(
                "Das fortgeschriebene Konzept (Stichtag {}) ist älter als zwei Jahre. Eine Fortschreibung mit einem Index ist zulässig (§ 22c Abs. 2 SGB II, BSG B 4 AS 33/16 R), wenn der Index die Entwicklung des örtlichen Mietmarkts abbildet; das ist zu begründen.",
                old.german()
            ),
        );
    }
}

/// K4: Bestandsmieten (or Mietspiegel microdata) in the reference rent of every
/// Vergleichsraum; an offer-only basis needs a justification.
fn data_basis(input: &Inputs, audit: &mut Audit) {
    let c = CheckCode::Datengrundlage;
    let key = "scope.reference_kinds";
    let reason = input.project.justification(key).unwrap_or_default();
    for (vr, v) in input.an.vergleichsraeume.iter().enumerate() {
        let n_bestand = input.prep.n_bestand_vr.get(vr).copied().unwrap_or(0);
        if n_bestand > 0 || v.n_used == 0 {
            continue;
        }
        if reason.is_empty() {
            audit.add(
                c,
                Severity::Warnung,
                format!(
                    "{}: Die Referenzmiete beruht ohne Bestandsmieten allein auf Angebots- oder Neuvertragsmieten. Das ist zulässig, wenn die Daten repräsentativ sind, muss aber begründet werden (Begründungsfeld „{}“ auf dem Parameter-Bildschirm).",
                    v.name,
                    crate::model::catalogue::label(key)
                ),
            );
        } else {
            audit.add(
                c,
                Severity::Hinweis,
                format!(
                    "{}: Die Referenzmiete beruht ohne Bestandsmieten auf Angebots- oder Neuvertragsmieten. Begründung: {reason}",
                    v.name
                ),
            );
        }
    }
}

/// K4: every source documented.
fn sources(input: &Inputs, audit: &mut Audit) {
    for s in &input.project.sources {
        let mut missing = Vec::new();
        if s.lieferant.trim().is_empty() {
            missing.push("Lieferant");
        }
        if s.methode.trim().is_empty() {
            missing.push("Erhebungsmethode");
        }
        if s.zeitraum_von.is_none() && s.zeitraum_bis.is_none() && s.stichtag.is_none() {
            missing.push("Erhebungszeitraum oder Stichtag");
        }
        if s.sha256.trim().is_empty() {
            missing.push("Prüfsumme");
        }
        if !missing.is_empty() {
            audit.add(
                CheckCode::Quellen,
                Severity::Hinweis,
                format!(
                    "Datenquelle „{}“: Es fehlen {} im Quellenregister.",
                    s.path,
                    missing.join(", ")
                ),
            );
        }
    }
}

/// K5: Bestandsmieten in cells against the Mietwohnungsbestand.
fn coverage(input: &Inputs, audit: &mut Audit) {
    let c = CheckCode::Abdeckung;
    let (prep, project) = (input.prep, input.project);
    let rep = &project.parameters.representativeness;
    for (vr, name) in prep.vr_names.iter().enumerate() {
        let members = || {
            project
                .gemeinden
                .iter()
                .filter(|g| &g.vergleichsraum == name)
        };
        let stock: u32 = members().filter_map(|g| g.mietwohnungen).sum();
        let missing: Vec<&str> = members()
            .filter(|g| g.mietwohnungen.is_none())
            .map(|g| g.name.as_str())
            .collect();
        if stock == 0 || !missing.is_empty() {
            let whom = if stock == 0 {
                "alle Gemeinden".to_string()
            } else {
                missing.join(", ")
            };
            audit.cannot(
                c,
                format!("{name}: Mietwohnungsbestand für {whom}"),
                format!(
                    "{name}: Der Mietwohnungsbestand fehlt für {whom} – die Abdeckung des Bestands durch die Erhebung (Repräsentativität) kann nicht geprüft werden. Bitte den Bestand in der Gemeindetabelle ergänzen (z. B. aus dem Zensus)."
                ),
            );
            if stock == 0 {
                continue;
            }
        }
        let n = prep.n_bestand_vr.get(vr).copied().unwrap_or(0);
        let share = n as f64 / f64::from(stock);
        let text = format!(
            "{name}: {} verwertbare Bestandsmieten bei {} Mietwohnungen = {} des Bestands",
            number(n as f64, 0),
            number(f64::from(stock), 0),
            percent(share)
        );
        if share < rep.coverage_error {
            audit.add(
                c,
                Severity::Fehler,
                format!(
                    "{text} – unter {} (LSG Baden-Württemberg L 2 AS 3878/11).",
                    percent(rep.coverage_error)
                ),
            );
        } else if share < rep.coverage_warn {
            audit.add(
                c,
                Severity::Warnung,
                format!(
                    "{text} – unter {} (Bayerisches LSG L 11 AS 52/16).",
                    percent(rep.coverage_warn)
                ),
            );
        }
    }
}

/// K5: enough rents per cell; a small cell has no valid concept limit.
fn cell_size(input: &Inputs, audit: &mut Audit) {
    let c = CheckCode::Fallzahl;
    let min_n = input.project.parameters.min_n;
    for cell in &input.an.cells {
        let head = cell_ref(cell).german();
        if cell.invalid_reasons.contains(&InvalidReason::NoData) {
            audit.add_cells(
                c,
                Severity::Fehler,
                vec![cell_ref(cell)],
                format!("{head}: keine Mietwerte – kein Richtwert ableitbar; es gilt der WoGG-Rückfallwert."),
            );
        } else if !cell.pooled_with.is_empty() {
            let sizes: Vec<String> = cell
                .pooled_with
                .iter()
                .map(|h| count(*h as usize, "Person", "Personen"))
                .collect();
            let key = "reference.pool_small_cells";
            let head = format!(
                "{head}: nur {} (Mindestfallzahl {}); die Referenzmiete stammt aus der gepoolten Stichprobe mit den Größenklassen für {} (n = {})",
                count(cell.n, "Mietwert", "Mietwerte"),
                min_n,
                sizes.join(", "),
                number(cell.n_reference as f64, 0)
            );
            match input.project.justification(key) {
                Some(reason) => audit.add_cells(
                    c,
                    Severity::Hinweis,
                    vec![cell_ref(cell)],
                    format!("{head}. Begründung: {reason}"),
                ),
                None => audit.add_cells(
                    c,
                    Severity::Warnung,
                    vec![cell_ref(cell)],
                    format!(
                        "{head} – ohne schriftliche Begründung (Begründungsfeld „{}“).",
                        crate::model::catalogue::label(key)
                    ),
                ),
            }
        } else if cell.invalid_reasons.contains(&InvalidReason::NBelowMin) {
            audit.add_cells(
                c,
                Severity::Fehler,
                vec![cell_ref(cell)],
                format!(
                    "{head}: nur {} (Mindestfallzahl {}) – kein gültiger Richtwert; es gilt der WoGG-Rückfallwert.",
                    count(cell.n, "Mietwert", "Mietwerte"),
                    min_n
                ),
            );
        }
    }
}

/// K5: the landlord mix of the sample against the market.
fn landlord_mix(input: &Inputs, audit: &mut Audit) {
    let c = CheckCode::Vermieterstruktur;
    let rep = &input.project.parameters.representativeness;
    for v in &input.an.vergleichsraeume {
        if v.n_used == 0 {
            continue;
        }
        let Some(sample) = v.sample_share_privat else {
            audit.cannot(
                c,
                format!("{}: Vermietertyp der Datensätze", v.name),
                format!(
                    "{}: Kein Datensatz nennt den Vermietertyp – die Vermieterstruktur kann nicht geprüft werden.",
                    v.name
                ),
            );
            continue;
        };
        let Some(market) = rep
            .market_shares
            .iter()
            .find(|m| m.vergleichsraum == v.name)
            .map(|m| m.privat)
        else {
            audit.cannot(
                c,
                format!("{}: Marktanteil privater Vermieter", v.name),
                format!(
                    "{}: Private Vermieter stellen {} der Stichprobe; ihr Marktanteil ist nicht eingetragen – die Vermieterstruktur kann nicht geprüft werden.",
                    v.name,
                    percent(sample)
                ),
            );
            continue;
        };
        if (sample - market).abs() > rep.landlord_share_tolerance {
            let text = format!(
                "{}: Private Vermieter stellen {} der Stichprobe, aber {} des Marktes",
                v.name,
                percent(sample),
                percent(market)
            );
            if v.market_share_privat.is_some() {
                audit.add(
                    c,
                    Severity::Hinweis,
                    format!("{text}; die Gewichtung gleicht das aus."),
                );
            } else {
                audit.add(
                    c,
                    Severity::Warnung,
                    format!(
                        "{text} (Abweichung über {}). Bitte gewichten oder zeigen, dass sich die Mieten der Vermietergruppen nicht wesentlich unterscheiden.",
                        percent(rep.landlord_share_tolerance)
                    ),
                );
            }
        }
    }
}

/// K5: the size structure of the sample against the stock.
fn size_structure(input: &Inputs, audit: &mut Audit) {
    let c = CheckCode::Groessenstruktur;
    let tol = input
        .project
        .parameters
        .representativeness
        .size_share_tolerance;
    for v in &input.an.vergleichsraeume {
        if v.size_structure.iter().all(|(_, stock)| stock.is_none()) {
            audit.cannot(
                c,
                format!("{}: Wohnungsbestand nach Größenklassen", v.name),
                format!(
                    "{}: Der Mietwohnungsbestand nach Größenklassen ist nicht eingetragen – die Größenstruktur der Stichprobe kann nicht geprüft werden.",
                    v.name
                ),
            );
            continue;
        }
        for (class, (sample, stock)) in v.size_structure.iter().enumerate() {
            if let Some(stock) = stock
                && (sample - stock).abs() > tol
            {
                audit.add(
                    c,
                    Severity::Warnung,
                    format!(
                        "{}, Größenklasse {}: Anteil in der Stichprobe {} gegenüber {} im Mietwohnungsbestand (Abweichung über {}).",
                        v.name,
                        class + 1,
                        percent(*sample),
                        percent(*stock),
                        percent(tol)
                    ),
                );
            }
        }
    }
}

/// K5: the share of rents of benefit recipients per cell.
fn circularity(input: &Inputs, audit: &mut Audit) {
    let c = CheckCode::Zirkelschluss;
    let max = input
        .project
        .parameters
        .representativeness
        .welfare_share_max;
    let cells = &input.an.cells;
    if cells.iter().all(|c| c.welfare_share.is_none()) {
        audit.cannot(
            c,
            "Angabe zum Leistungsbezug je Datensatz".to_string(),
            "Kein verwendeter Datensatz gibt an, ob die Miete von einem Leistungsbezieher stammt – der Anteil (Zirkelschluss) ist unbekannt.".to_string(),
        );
        return;
    }
    // Unknown is reported as unknown, not counted as "no".
    let unknown: Vec<&crate::analysis::CellResult> = cells
        .iter()
        .filter(|c| c.welfare_unknown_share.is_some_and(|u| u > 0.0))
        .collect();
    if !unknown.is_empty() {
        let list: Vec<String> = unknown
            .iter()
            .map(|cell| {
                format!(
                    "{} {}",
                    cell_ref(cell).german(),
                    percent(cell.welfare_unknown_share.unwrap_or(0.0))
                )
            })
            .collect();
        audit.add_cells(
            c,
            Severity::Hinweis,
            unknown.iter().map(|c| cell_ref(c)).collect(),
            format!(
                "Leistungsbezug unbekannt (Anteil der verwendeten Mieten; der Anteil der Leistungsbezieher bezieht sich nur auf die bekannten Angaben): {}.",
                list.join(", ")
            ),
        );
    }
    for cell in input
        .an
        .cells
        .iter()
        .filter(|c| c.flags.contains(&Flag::WelfareShareHigh))
    {
        audit.add_cells(
            c,
            Severity::Warnung,
            vec![cell_ref(cell)],
            format!(
                "{}: {} der verwendeten Mieten stammen von Leistungsbeziehern (Grenzwert {}).",
                cell_ref(cell).german(),
                percent(cell.welfare_share.unwrap_or(0.0)),
                percent(max)
            ),
        );
    }
}

/// K6: every row is accounted for.
fn cleaning(input: &Inputs, audit: &mut Audit) {
    let c = CheckCode::Bereinigung;
    let fu = &input.an.funnel;
    let rejected: usize = fu.import_rejected.values().sum();
    let excluded: usize = fu.excluded.values().sum();
    let mut gaps = Vec::new();
    if fu.delivered != fu.records + rejected {
        gaps.push(format!(
            "{} gelieferte Zeilen, aber {} Datensätze und {} abgelehnte Zeilen",
            number(fu.delivered as f64, 0),
            number(fu.records as f64, 0),
            number(rejected as f64, 0)
        ));
    }
    if fu.records != excluded + fu.in_cells {
        gaps.push(format!(
            "{} Datensätze, aber {} ausgeschlossen und {} in Tabellenfeldern",
            number(fu.records as f64, 0),
            number(excluded as f64, 0),
            number(fu.in_cells as f64, 0)
        ));
    }
    if fu.in_cells != fu.outliers_low + fu.outliers_high + fu.used {
        gaps.push(format!(
            "{} in Tabellenfeldern, aber {} Extremwerte und {} verwendet",
            number(fu.in_cells as f64, 0),
            number((fu.outliers_low + fu.outliers_high) as f64, 0),
            number(fu.used as f64, 0)
        ));
    }
    if gaps.is_empty() {
        let offers: usize = input.an.offers_excluded.values().sum();
        audit.ok(
            c,
            format!(
                "{} gelieferte Zeilen: {} beim Einlesen abgelehnt, {} bei der Abgrenzung ausgeschlossen, {} als Extremwerte gekappt, {} verwendet; {} Angebote von der Verfügbarkeitsprüfung ausgeschlossen – jeweils mit Grund, Quelle und Zeile.",
                number(fu.delivered as f64, 0),
                number(rejected as f64, 0),
                number(
                    fu.excluded
                        .iter()
                        .filter(|(r, _)| **r != Reason::KindNotUsed)
                        .map(|(_, n)| n)
                        .sum::<usize>() as f64,
                    0
                ),
                number((fu.outliers_low + fu.outliers_high) as f64, 0),
                number(fu.used as f64, 0),
                number(offers as f64, 0)
            ),
        );
    } else {
        audit.add(
            c,
            Severity::Fehler,
            format!(
                "Die Zählungen der Bereinigung gehen nicht auf: {}.",
                gaps.join("; ")
            ),
        );
    }
}
