//! The generated German method text (DOMAIN §5.1 chapters) with the actual numbers, and the
//! Methodentext sheet. Items marked [U] in DOMAIN.md are named as configurable defaults.

use crate::analysis::compute::{Analysis, Severity};
use crate::dataset::LoadedProject;
use crate::export::Ctx;
use crate::export::layout;
use crate::export::style;
use crate::export::wording::{bk_statistic_german, excluded_segments, reference_rule_german};
use crate::fmt::{euro, number, percent};
use crate::model::Reason;
use crate::model::params::{BkLevel, BkStatistic, OutlierMethod, ReferenceMethod};
use rust_xlsxwriter::{Worksheet, XlsxError};

/// A heading with its paragraphs.
struct Section {
    heading: String,
    paragraphs: Vec<String>,
}

fn n0(n: usize) -> String {
    number(n as f64, 0)
}

fn m2(v: f64) -> String {
    format!("{} €/m²", number(v, 2))
}

/// Generated German method text (paragraphs), also used by the app and the CLI. Headings
/// are paragraphs of their own ("1. …").
pub fn method_text(lp: &LoadedProject, analysis: &Analysis) -> Vec<String> {
    sections(lp, analysis)
        .into_iter()
        .flat_map(|s| std::iter::once(s.heading).chain(s.paragraphs))
        .collect()
}

fn sections(lp: &LoadedProject, an: &Analysis) -> Vec<Section> {
    let proj = &lp.project;
    let meta = &proj.project;
    let p = &proj.parameters;
    let fu = &an.funnel;
    let mut out = Vec::new();

    // 1. Subject.
    let mut par = Vec::new();
    let traeger = if meta.traeger.trim().is_empty() {
        "des Trägers".to_string()
    } else {
        format!("für {}", meta.traeger)
    };
    let gebiet = if meta.gebiet.trim().is_empty() {
        String::new()
    } else {
        format!(" im Gebiet {}", meta.gebiet)
    };
    par.push(format!(
        "Die Angemessenheitsgrenzen für die Kosten der Unterkunft {traeger}{gebiet} wurden zum Stichtag {} nach einem schlüssigen Konzept im Sinne der Rechtsprechung des Bundessozialgerichts abgeleitet (BSG, Urteil vom 22.09.2009, B 4 AS 18/09 R).{}",
        meta.stichtag.german(),
        meta.gueltig_ab
            .map(|d| format!(" Die Werte gelten ab {}.", d.german()))
            .unwrap_or_default()
    ));
    let kinds: Vec<&str> = p.scope.reference_kinds.iter().map(|k| k.german()).collect();
    let segs = excluded_segments(p);
    par.push(format!(
        "Gegenstand der Beobachtung ist die monatliche Nettokaltmiete je Quadratmeter Wohnfläche. Für die Referenzmiete ausgewertet werden {}.{}",
        if kinds.is_empty() {
            "keine Datenarten".to_string()
        } else {
            kinds.join(", ")
        },
        if segs.is_empty() {
            String::new()
        } else {
            format!(" Nicht zum Untersuchungsgegenstand gehören {}.", segs.join(", "))
        }
    ));
    if let Some(years) = p.scope.contract_window_years {
        let start = meta.stichtag.minus_years(years as i32);
        par.push(format!(
            "Bestandsmieten gehen nur ein, wenn der Mietvertrag oder die letzte Mietänderung höchstens {years} Jahre vor dem Stichtag liegt (ab {}); Mietwerte ohne diese Angaben bleiben einbezogen. Die Rechtsprechung nennt vier Jahre (SG Magdeburg, S 14 AS 720/19 WA), das BGB seit 2020 sechs Jahre; die Dauer ist ein einstellbarer Parameter.",
            start.german()
        ));
    }
    out.push(Section {
        heading: "1. Gegenstand und Untersuchungsgebiet".to_string(),
        paragraphs: par,
    });

    // 2. Areas and cells.
    let w = &p.wohnflaechen;
    let sizes: Vec<String> = w
        .sizes
        .iter()
        .enumerate()
        .map(|(i, a)| format!("{} {} m²", style::persons(i as u32 + 1), number(*a, 0)))
        .collect();
    let mut par = vec![format!(
        "Die abstrakt angemessenen Wohnflächen folgen den Bestimmungen der sozialen Wohnraumförderung des Landes ({}; {}): {}; für jede weitere Person {} m² mehr. Maßgeblich ist allein die Fläche, nicht die Zahl der Räume.{}",
        w.land,
        if w.source.trim().is_empty() {
            "Quelle nicht angegeben"
        } else {
            w.source.as_str()
        },
        sizes.join(", "),
        number(w.per_further, 0),
        if w.confirmed {
            ""
        } else {
            " Die Werte sind vom Anwender noch nicht als belegt bestätigt."
        }
    )];
    let bounds = crate::analysis::prepare::class_bounds(&w.sizes, &p.size_classes);
    let classes: Vec<String> = bounds
        .iter()
        .enumerate()
        .map(|(i, (lo, hi))| {
            format!(
                "{} ({})",
                style::class_text(*lo, *hi),
                style::persons(i as u32 + 1)
            )
        })
        .collect();
    par.push(format!(
        "Die Tabellenfelder bilden die Vergleichsräume gekreuzt mit den Wohnungsgrößenklassen {}.{}",
        classes.join(", "),
        if p.size_classes.lower_bound.is_none() {
            " Eine Untergrenze der ersten Größenklasse (zum Ausschluss von Kleinstwohnungen) ist nicht gesetzt; sie ist ein einstellbarer Parameter."
        } else {
            ""
        }
    ));
    out.push(Section {
        heading: "2. Angemessene Wohnflächen und Tabellenfelder".to_string(),
        paragraphs: par,
    });

    // 3. Vergleichsräume.
    let vr_names = proj.vergleichsraum_names();
    let vr_desc: Vec<String> = vr_names
        .iter()
        .map(|n| {
            let k = proj
                .gemeinden
                .iter()
                .filter(|g| &g.vergleichsraum == n)
                .count();
            format!("{n} ({k} Gemeinde{})", if k == 1 { "" } else { "n" })
        })
        .collect();
    let unassigned: Vec<&str> = proj
        .gemeinden
        .iter()
        .filter(|g| g.vergleichsraum.is_empty())
        .map(|g| g.name.as_str())
        .collect();
    let mut par = vec![format!(
        "Das Gebiet ist in {} Vergleichsr{} gegliedert: {}. Für jeden Vergleichsraum wird je Haushaltsgröße genau ein Richtwert abgeleitet; eine Unterteilung eines Vergleichsraums in Wohnungsmarkttypen mit eigenen Grenzen findet nicht statt (BSG, 30.01.2019, B 14 AS 24/18 R). Zuordnung der Gemeinden und Begründung der Homogenität stehen im Blatt „Vergleichsräume“.",
        vr_names.len(),
        if vr_names.len() == 1 { "aum" } else { "äume" },
        vr_desc.join(", ")
    )];
    if !unassigned.is_empty() {
        par.push(format!(
            "Keinem Vergleichsraum zugeordnet sind: {}.",
            unassigned.join(", ")
        ));
    }
    out.push(Section {
        heading: "3. Vergleichsräume".to_string(),
        paragraphs: par,
    });

    // 4. Data.
    let mut par = Vec::new();
    let n_sources = proj.sources.len().max(lp.data.sources.len());
    let src: Vec<String> = lp
        .data
        .sources
        .iter()
        .enumerate()
        .map(|(i, s)| {
            format!(
                "{} ({}{}; {}; {} Zeilen, {} übernommen)",
                crate::export::source_name(lp, i),
                s.import.kind.german(),
                if s.lieferant.is_empty() {
                    String::new()
                } else {
                    format!(", {}", s.lieferant)
                },
                s.zeitraum,
                n0(s.import.rows_total),
                n0(s.accepted)
            )
        })
        .collect();
    par.push(format!(
        "Die Auswertung beruht auf {} Datenquelle{}{}. Insgesamt wurden {} Zeilen geliefert und {} Datensätze übernommen; {} Mietwerte liegen in einem Tabellenfeld, {} gehen nach der Extremwertkappung in die Referenzmieten ein. Jede Quelle ist mit ihrer SHA-256-Prüfsumme im Blatt „Datengrundlage“ verzeichnet.",
        n_sources,
        if n_sources == 1 { "" } else { "n" },
        if src.is_empty() {
            String::new()
        } else {
            format!(": {}", src.join("; "))
        },
        n0(fu.delivered),
        n0(fu.records),
        n0(fu.in_cells),
        n0(fu.used)
    ));
    let cover: Vec<String> = an
        .vergleichsraeume
        .iter()
        .filter_map(|v| {
            v.coverage
                .share
                .map(|sh| format!("{} {}", v.name, percent(sh)))
        })
        .collect();
    if !cover.is_empty() {
        par.push(format!(
            "Verhältnis der Bestandsmieten in Tabellenfeldern zum Mietwohnungsbestand: {}. Die Rechtsprechung hält ohne Mietspiegel eine Abdeckung von mindestens 10 % für erforderlich (Bayerisches LSG, L 11 AS 52/16); unter 4 % gilt die Datengrundlage als unzureichend (LSG Baden-Württemberg, L 2 AS 3878/11).",
            cover.join(", ")
        ));
    }
    out.push(Section {
        heading: "4. Datengrundlage und Beobachtungszeitraum".to_string(),
        paragraphs: par,
    });

    // 5. Cleaning.
    let rejected: usize = fu.import_rejected.values().sum();
    let top = |m: &std::collections::BTreeMap<Reason, usize>| {
        let mut v: Vec<(&Reason, &usize)> = m
            .iter()
            .filter(|(r, _)| **r != Reason::KindNotUsed)
            .collect();
        v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        v.iter()
            .take(6)
            .map(|(r, n)| format!("{} ({})", r.german(), n0(**n)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let excluded: usize = fu
        .excluded
        .iter()
        .filter(|(r, _)| **r != Reason::KindNotUsed)
        .map(|(_, n)| n)
        .sum();
    let mut par = vec![format!(
        "Beim Einlesen werden Zeilen ohne verwertbare Nettokaltmiete oder Wohnfläche und Zeilen außerhalb der Plausibilitätsgrenzen ({} bis {} je m²) abgelehnt: {} Zeilen{}.",
        euro(p.plausibility.rent_per_m2_min),
        euro(p.plausibility.rent_per_m2_max),
        n0(rejected),
        if rejected > 0 {
            format!(", darunter {}", top(&fu.import_rejected))
        } else {
            String::new()
        }
    )];
    par.push(format!(
        "Bei der Abgrenzung des Untersuchungsgegenstands wurden {} Datensätze ausgeschlossen{}.{} Rohdaten werden nicht verändert; jeder Ausschluss ist mit einem Grund im Blatt „Bereinigung“ dokumentiert.",
        n0(excluded),
        if excluded > 0 {
            format!(": {}", top(&fu.excluded))
        } else {
            String::new()
        },
        match fu.excluded.get(&Reason::KindNotUsed) {
            Some(n) if *n > 0 => format!(
                " {} Datensätze anderer Datenarten (z. B. Angebotsmieten) gehen nicht in die Referenzmiete ein.",
                n0(*n)
            ),
            _ => String::new(),
        }
    ));
    out.push(Section {
        heading: "5. Plausibilisierung und Bereinigung".to_string(),
        paragraphs: par,
    });

    // 6. Outliers.
    let o = &p.outliers;
    let rule = match o.method {
        OutlierMethod::None => "Eine Extremwertkappung findet nicht statt.".to_string(),
        OutlierMethod::MeanSd => format!(
            "Je Tabellenfeld werden Nettokaltmieten je m² außerhalb von Mittelwert ± {} × Standardabweichung (Stichprobenstandardabweichung) als Extremwerte entfernt, in einem einzigen Durchgang. Das entspricht dem 95-%-Intervall einer Normalverteilung, wie es Analyse & Konzepte verwendet.",
            number(o.k, 2)
        ),
        OutlierMethod::Trim => format!(
            "Je Tabellenfeld werden an beiden Enden jeweils {} der Werte abgeschnitten.",
            percent(o.trim_share)
        ),
        OutlierMethod::Iqr => format!(
            "Je Tabellenfeld werden Werte außerhalb von Q1 − {k} × IQR bis Q3 + {k} × IQR entfernt (allgemeine statistische Regel, in KdU-Konzepten nicht belegt).",
            k = number(o.iqr_k, 2)
        ),
        OutlierMethod::Absolute => format!(
            "Werte unter {} oder über {} werden als Extremwerte entfernt.",
            m2(o.abs_min),
            m2(o.abs_max)
        ),
    };
    out.push(Section {
        heading: "6. Extremwertkappung".to_string(),
        paragraphs: vec![
            format!(
                "{rule} Entfernt wurden {} Werte unterhalb und {} Werte oberhalb der Grenzen (Blatt „Extremwerte“).",
                n0(fu.outliers_low),
                n0(fu.outliers_high)
            ),
            "Ob die Kappung auf die Nettokaltmiete je m² oder auf die absolute Miete angewandt wird und ob einmalig oder wiederholt, ist in den ausgewerteten Quellen nicht belegt. Die hier gewählte Regel ist eine einstellbare Voreinstellung, keine rechtlich vorgegebene Festlegung."
                .to_string(),
        ],
    });

    // 7. Quantile definition.
    let qt = p.quantile_type;
    out.push(Section {
        heading: "7. Quantildefinition".to_string(),
        paragraphs: vec![format!(
            "Perzentile werden nach {} berechnet: {} Dabei sind x_1 ≤ … ≤ x_n die sortierten Werte des Tabellenfelds und p der Anteil. Die Rechtsprechung schreibt keine Quantildefinition vor; die Wahl ist eine einstellbare, dokumentierte Voreinstellung. {}",
            qt.german(),
            qt.german_definition(),
            if qt == crate::analysis::quantile::QuantileType::T7 {
                "Typ 7 entspricht der Excel-Funktion QUANTIL.INKL, sodass die Prüfmappe jede Referenzmiete mit einer Formel nachrechnet."
            } else {
                "Die Prüfmappe rechnet die Definition mit den Excel-Funktionen KKLEINSTE, MIN und MAX nach."
            }
        )],
    });

    // 8. Reference rent and conclusion.
    let refs: Vec<f64> = an.cells.iter().filter_map(|c| c.net_rent_per_m2).collect();
    let range = match (
        refs.iter().copied().reduce(f64::min),
        refs.iter().copied().reduce(f64::max),
    ) {
        (Some(a), Some(b)) => format!(
            " Die Referenzmieten liegen zwischen {} und {}.",
            m2(a),
            m2(b)
        ),
        _ => String::new(),
    };
    let mut par = vec![format!(
        "Als angemessener Quadratmeterpreis (Referenzmiete) gilt je Tabellenfeld {} nach der Extremwertkappung.{}{}",
        reference_rule_german(p),
        if p.reference.round_per_m2 {
            " Der Wert wird auf volle Cent gerundet, bevor er mit der Wohnfläche multipliziert wird."
        } else {
            ""
        },
        range
    )];
    if p.reference.method != ReferenceMethod::Mean {
        par.push(format!(
            "Für das gewählte Perzentil wird je Tabellenfeld ein verteilungsfreies Konfidenzintervall aus Ordnungsstatistiken mit mindestens {} Überdeckung ausgewiesen (Blatt „Verteilungen“).",
            percent(p.ci_level)
        ));
    }
    if let Some(j) = proj
        .justifications
        .get("reference.percentile")
        .or_else(|| proj.justifications.get("reference"))
        .filter(|t| !t.trim().is_empty())
    {
        par.push(format!("Begründung der Wahl: {}", j.trim()));
    }
    let below: Vec<String> = an
        .cells
        .iter()
        .filter(|c| c.n < p.min_n)
        .map(|c| {
            format!(
                "{} {} (n = {})",
                c.vergleichsraum,
                style::persons(c.household_size),
                c.n
            )
        })
        .collect();
    if !below.is_empty() {
        par.push(format!(
            "Unter der Mindestfallzahl von {} Mietwerten liegen: {}.",
            p.min_n,
            below.join(", ")
        ));
    }
    par.extend(availability_paragraphs(lp, an));
    out.push(Section {
        heading: "8. Referenzmiete und gezogene Schlüsse".to_string(),
        paragraphs: par,
    });

    // 9. Operating costs.
    let oc = &p.operating_costs;
    let stat = match oc.statistic {
        BkStatistic::Percentile => format!("das {}-Perzentil", number(oc.percentile * 100.0, 1)),
        BkStatistic::Median => "der Median".to_string(),
        BkStatistic::Mean => "der Mittelwert".to_string(),
    };
    let results: Vec<String> = an
        .vergleichsraeume
        .iter()
        .filter_map(|v| {
            let round = |x: f64| {
                if p.reference.round_per_m2 {
                    crate::model::params::round_cents(x)
                } else {
                    x
                }
            };
            v.bk.per_m2.map(|b| {
                let lift =
                    v.bk.per_m2_lift
                        .map(|l| format!(", mit Aufzug {}", m2(round(l))))
                        .unwrap_or_default();
                format!("{} {}{} (n = {})", v.name, m2(round(b)), lift, n0(v.bk.n))
            })
        })
        .collect();
    out.push(Section {
        heading: "9. Kalte Betriebskosten".to_string(),
        paragraphs: vec![format!(
            "Angemessen sind die kalten Betriebskosten je m², die sich als {} ({}) {} aus denselben Datensätzen ergeben. Berücksichtigt werden nur Werte zwischen {} und {} (Plausibilitätsgrenzen nach F+B Bremen).{}{} Die Wahl der Statistik ist eine einstellbare Voreinstellung.",
            stat,
            bk_statistic_german(oc.statistic),
            match oc.level {
                BkLevel::Vergleichsraum => "je Vergleichsraum",
                BkLevel::Cell => "je Tabellenfeld",
            },
            m2(p.plausibility.bk_per_m2_min),
            m2(p.plausibility.bk_per_m2_max),
            if oc.lift_split {
                " Wie im Kreis Düren werden Werte für Gebäude ohne und mit Aufzug getrennt ausgewiesen."
            } else {
                ""
            },
            if results.is_empty() {
                String::new()
            } else {
                format!(" Ergebnisse: {}.", results.join("; "))
            }
        )],
    });

    // 10. Limits.
    let mut par = vec![format!(
        "Nach der Produkttheorie ist der Richtwert (Nichtprüfungsgrenze) die Bruttokaltmiete: angemessene Wohnfläche × Referenzmiete je m² plus angemessene Wohnfläche × kalte Betriebskosten je m². Beträge werden auf Cent gerundet, die Bruttokaltmiete {}. Für jede weitere Person erhöht sich die Grenze um {} m² × die Referenzmiete der größten Haushaltsgröße zuzüglich der Betriebskosten.",
        p.rounding.mode.german(),
        number(p.wohnflaechen.per_further, 0)
    )];
    if let Some(c) = an.cells.iter().find(|c| c.limits.is_some())
        && let (Some(l), Some(nkm), Some(bk)) =
            (c.limits, c.net_rent_per_m2, c.operating_costs_per_m2)
    {
        par.push(format!(
            "Beispiel {}, {}: {} m² × {} = {}; {} m² × {} = {}; Bruttokaltmiete {}.",
            c.vergleichsraum,
            style::persons(c.household_size),
            number(c.area_m2, 0),
            m2(nkm),
            euro(l.net_cold),
            number(c.area_m2, 0),
            m2(bk),
            euro(l.operating_costs),
            euro(l.gross_cold)
        ));
    }
    par.extend(super::heizkosten::method_paragraphs(lp, an));
    par.extend(super::fortschreibung::method_paragraphs(lp, an));
    out.push(Section {
        heading: "10. Richtwerte nach der Produkttheorie".to_string(),
        paragraphs: par,
    });

    // 11. Open points.
    out.push(Section {
        heading: "11. Einstellbare Voreinstellungen und offene Punkte".to_string(),
        paragraphs: vec![
            "Folgende Festlegungen sind nicht durch Primärquellen vorgegeben; sie sind Parameter dieser Auswertung, ihre Werte stehen im Blatt „Parameter“:".to_string(),
            format!("• Quantildefinition: {}.", qt.german()),
            format!(
                "• Extremwertregel: {} (Variable Nettokaltmiete je m², ein Durchgang).",
                o.method.german()
            ),
            format!(
                "• Zielanteil verfügbarer Angebote ({}) und Zeitfenster der Angebotsmieten ({}); Schrittweite des iterativen Verfahrens ({} Prozentpunkt(e)).",
                percent(p.availability.target_share),
                p.availability
                    .window_months
                    .map_or_else(|| "ohne Begrenzung".to_string(), |m| format!("{m} Monate")),
                number(p.availability.p_step * 100.0, 0)
            ),
            format!(
                "• Statistik der kalten Betriebskosten: {} {}.",
                bk_statistic_german(oc.statistic),
                match oc.level {
                    BkLevel::Vergleichsraum => "je Vergleichsraum",
                    BkLevel::Cell => "je Tabellenfeld",
                }
            ),
            format!(
                "• Behandlung öffentlich geförderter Wohnungen: {}.",
                if p.scope.exclude_subsidised {
                    "ausgeschlossen"
                } else {
                    "einbezogen"
                }
            ),
            format!("• Mindestfallzahl je Tabellenfeld: {}.", p.min_n),
        ],
    });

    // 12. Warnings.
    let count = |s: Severity| an.warnings.iter().filter(|w| w.severity == s).count();
    let mut par = vec![format!(
        "Die Auswertung meldet {} Fehler, {} Warnungen und {} Hinweise (Blatt „BSG-Prüfkatalog“).",
        count(Severity::Fehler),
        count(Severity::Warnung),
        count(Severity::Hinweis)
    )];
    par.extend(
        an.warnings
            .iter()
            .filter(|w| w.severity == Severity::Fehler)
            .map(|w| format!("Fehler: {}", w.text)),
    );
    out.push(Section {
        heading: "12. Hinweise der Auswertung".to_string(),
        paragraphs: par,
    });
    out
}

/// The paragraphs on the availability check and the iterative procedure (K8).
fn availability_paragraphs(lp: &LoadedProject, an: &Analysis) -> Vec<String> {
    let p = &lp.project.parameters;
    let a = &p.availability;
    let with: Vec<_> = an
        .cells
        .iter()
        .filter_map(|c| c.availability.as_ref().map(|av| (c, av)))
        .collect();
    let window = a.window_months.map_or_else(
        || "ohne zeitliche Begrenzung".to_string(),
        |m| format!("aus den {m} Monaten vor dem Stichtag"),
    );
    let unsure = format!(
        "Zielanteil ({}) und Zeitfenster der Angebotsmieten sind in den ausgewerteten Quellen nicht belegt; sie sind einstellbare Voreinstellungen (Anhaltspunkte: mindestens ein Fünftel der Wohnungen, Bayerisches LSG L 16 AS 127/10; empirica: unter 20 % verfügbarer Angebote als Warnsignal).",
        percent(a.target_share)
    );
    if with.is_empty() {
        return vec![format!(
            "Für die Verfügbarkeitsprüfung liegen keine Angebotsmieten {window} vor; ausreichende Angebote zum Richtwert sind damit nicht nachgewiesen. Die Rechtsprechung verlangt bei einer Perzentilgrenze diesen Nachweis (SG Hannover, S 70 AS 3823/14). {unsure}"
        )];
    }
    let offers: usize = with.iter().map(|(_, av)| av.n_offers).sum();
    let reached = with
        .iter()
        .filter(|(_, av)| av.share.is_some_and(|s| s >= av.target_share))
        .count();
    let shares: Vec<f64> = with.iter().filter_map(|(_, av)| av.share).collect();
    let range = match (
        shares.iter().copied().reduce(f64::min),
        shares.iter().copied().reduce(f64::max),
    ) {
        (Some(lo), Some(hi)) => format!(
            " Der Anteil angemessener Angebote liegt zwischen {} und {}.",
            percent(lo),
            percent(hi)
        ),
        _ => String::new(),
    };
    let mut out = vec![format!(
        "Verfügbarkeitsprüfung: {} Angebote {window}{} wurden je Tabellenfeld daraufhin geprüft, ob ihre Bruttokaltmiete den Richtwert nicht übersteigt (ohne Angabe der Betriebskosten: die Nettokaltmiete die Nettokaltmiete-Grenze). In {} von {} Tabellenfeldern mit Angeboten ist mindestens der Zielanteil von {} erreicht.{range} Die Verteilung der angemessenen Angebote auf die Gemeinden steht im Blatt „Verfügbarkeit“.",
        n0(offers),
        if a.dedup {
            " nach Entfernen von Dubletten"
        } else {
            ""
        },
        reached,
        with.len(),
        percent(a.target_share)
    )];
    if p.reference.method == ReferenceMethod::Iterative {
        let ps: Vec<f64> = with.iter().filter_map(|(c, _)| c.p).collect();
        let p_range = match (
            ps.iter().copied().reduce(f64::min),
            ps.iter().copied().reduce(f64::max),
        ) {
            (Some(lo), Some(hi)) => format!(
                " Die festgelegten Perzentile liegen zwischen {} und {}.",
                percent(lo),
                percent(hi)
            ),
            _ => String::new(),
        };
        out.push(format!(
            "Iteratives Verfahren: Ausgehend von p = {} wird das Perzentil in Schritten von {} Prozentpunkt(en) bis höchstens {} erhöht, bis der Zielanteil angemessener Angebote erreicht ist; jeder Schritt ist im Blatt „Verfügbarkeit“ protokolliert.{p_range}",
            percent(p.reference.percentile),
            number(a.p_step * 100.0, 0),
            percent(a.p_max)
        ));
    }
    out.push(unsure);
    out
}

/// The Methodentext sheet.
pub fn methodentext(ctx: &Ctx) -> Result<Worksheet, XlsxError> {
    let mut ws = style::new_sheet(
        ctx,
        layout::METHODENTEXT,
        "Methodentext (automatisch erzeugt aus Parametern und Ergebnissen)",
    )?;
    let f = &ctx.fmt;
    ws.set_column_width(0, 120)?;
    ws.set_landscape();
    let mut r = 2u32;
    for s in sections(ctx.lp, ctx.an) {
        r += 1;
        ws.write_string_with_format(r, 0, &s.heading, &f.heading)?;
        r += 1;
        for par in s.paragraphs {
            ws.write_string_with_format(r, 0, &par, &f.wrap)?;
            ws.set_row_height(r, style::wrapped_height(&par, 120.0))?;
            r += 1;
        }
    }
    Ok(ws)
}
