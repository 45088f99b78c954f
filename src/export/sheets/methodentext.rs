//! The generated German method text (docs/METHOD.md §5.1 chapters) with the actual numbers, and the
//! Methodentext sheet. Items listed as open in docs/METHOD.md §7 are named as configurable defaults.

use crate::analysis::{Analysis, Severity};
use crate::dataset::LoadedProject;
use crate::export::Ctx;
use crate::export::layout;
use crate::export::style;
use crate::export::wording::{excluded_segments, undated_rule};
use crate::fmt::{number, percent};
use crate::model::Reason;
use crate::model::params::BkLevel;
use rust_xlsxwriter::{Worksheet, XlsxError};

/// A heading with its paragraphs.
struct Section {
    heading: String,
    paragraphs: Vec<String>,
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
    let _fu = &an.funnel;
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
    let errors: Vec<&str> = an.open_errors().map(|c| c.title).collect();
    par.push(format!(
        "Die Angemessenheitsgrenzen für die Kosten der Unterkunft {traeger}{gebiet} wurden zum Stichtag {} {} im Sinne der Rechtsprechung des Bundessozialgerichts abgeleitet (BSG, Urteil vom 22.09.2009, B 4 AS 18/09 R).{}{}",
        meta.stichtag.german(),
        if errors.is_empty() {
            "nach einem schlüssigen Konzept"
        } else {
            "nach dem Verfahren eines schlüssigen Konzepts"
        },
        meta.gueltig_ab
            .map(|d| format!(" Die Werte gelten ab {}.", d.german()))
            .unwrap_or_default(),
        if errors.is_empty() {
            String::new()
        } else {
            format!(
                " Die Schlüssigkeitsprüfung (Blatt „BSG-Prüfkatalog“) meldet offene Fehler: {}. In diesem Stand ist das Konzept nicht schlüssig.",
                errors.join("; ")
            )
        }
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
        let excluded = an
            .funnel
            .excluded
            .get(&Reason::ContractDateMissing)
            .copied()
            .unwrap_or(0);
        par.push(format!(
            "Bestandsmieten gehen nur ein, wenn der Mietvertrag oder die letzte Mietänderung höchstens {years} Jahre vor dem Stichtag liegt (ab {}). Die Rechtsprechung nennt vier Jahre (SG Magdeburg, S 14 AS 720/19 WA), das BGB seit 2020 sechs Jahre; die Dauer ist ein einstellbarer Parameter. {}",
            start.german(),
            undated_rule(proj, (!p.scope.include_undated).then_some(excluded)).unwrap_or_default()
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
    out.push(Section {
        heading: "3. Vergleichsräume".to_string(),
        paragraphs: [
            super::vergleichsraeume::method_paragraphs(lp, an),
            super::clusteranalyse::method_paragraphs(lp),
        ]
        .concat(),
    });

    // 4. Data.
    out.push(Section {
        heading: "4. Datengrundlage und Beobachtungszeitraum".to_string(),
        paragraphs: super::datengrundlage::method_paragraphs(lp, an),
    });

    // 5. Cleaning.
    out.push(Section {
        heading: "5. Plausibilisierung und Bereinigung".to_string(),
        paragraphs: super::bereinigung::method_paragraphs(lp, an),
    });

    // 6. Outliers.
    out.push(Section {
        heading: "6. Extremwertkappung".to_string(),
        paragraphs: super::extremwerte::method_paragraphs(lp, an),
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
    out.push(Section {
        heading: "8. Referenzmiete und gezogene Schlüsse".to_string(),
        paragraphs: super::verteilungen::method_paragraphs(lp, an),
    });

    // 9. Operating costs.
    out.push(Section {
        heading: "9. Kalte Betriebskosten".to_string(),
        paragraphs: super::betriebskosten::method_paragraphs(lp, an),
    });

    // 10. Limits.
    let mut par = super::richtwerte::method_paragraphs(lp, an);
    par.extend(super::heizkosten::method_paragraphs(lp, an));
    par.extend(super::fortschreibung::method_paragraphs(lp, an));
    par.extend(super::wirkung::method_paragraphs(an));
    out.push(Section {
        heading: "10. Richtwerte nach der Produkttheorie".to_string(),
        paragraphs: par,
    });

    // 11. Open points.
    let o = &p.outliers;
    let oc = &p.operating_costs;
    out.push(Section {
        heading: "11. Einstellbare Voreinstellungen und offene Punkte".to_string(),
        paragraphs: vec![
            "Folgende Festlegungen schreiben Gesetz und Rechtsprechung nicht vor; sie sind Parameter dieser Auswertung, vom Anwender zu begründen, ihre Werte stehen im Blatt „Parameter“:".to_string(),
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
                oc.statistic.german(),
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
