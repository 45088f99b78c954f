//! The Betriebskosten sheet: kalte Betriebskosten per m² per Vergleichsraum (and cell).

use crate::analysis::Analysis;
use crate::analysis::limits::round_cents;
use crate::dataset::LoadedProject;
use crate::export::Ctx;
use crate::export::layout;
use crate::export::style::{self};
use crate::export::wording::num;
use crate::export::wording::per_m2;
use crate::fmt::number;
use crate::model::params::{BkLevel, BkPlausibility, BkSource, BkStatistic, Parameters};
use rust_xlsxwriter::{Worksheet, XlsxError};

/// The source of a Vergleichsraum's BK in German: the statistic over the records, or the
/// external value with its source text and year.
pub fn source_german(p: &Parameters, vergleichsraum: &str) -> String {
    let oc = &p.operating_costs;
    let choice = oc.for_vergleichsraum(vergleichsraum);
    match choice.source {
        BkSource::Records => format!(
            "{} der Datensätze ({})",
            statistic_german(oc),
            match oc.level {
                BkLevel::Vergleichsraum => "je Vergleichsraum",
                BkLevel::Cell => "je Tabellenfeld",
            }
        ),
        BkSource::External => {
            let text = choice.source_text.trim();
            let year = choice.year.map(|y| format!(", {y}")).unwrap_or_default();
            if text.is_empty() {
                format!("externer Wert – Quelle fehlt{year}")
            } else {
                format!("externer Wert: {text}{year}")
            }
        }
    }
}

/// The statistic's name ("Median", "40-Perzentil").
fn statistic_german(oc: &crate::model::params::OperatingCostParams) -> String {
    match oc.statistic {
        BkStatistic::Percentile => {
            format!("{}-Perzentil", crate::fmt::number(oc.percentile * 100.0, 1))
        }
        other => other.german().to_string(),
    }
}

/// The plausibility rule in German.
fn plausibility_german(p: &Parameters) -> String {
    match p.plausibility.bk_rule {
        BkPlausibility::Window => format!(
            "plausibel nur {}–{} €/m² (Spanne wie im Bremer Konzept)",
            crate::fmt::number(p.plausibility.bk_per_m2_min, 2),
            crate::fmt::number(p.plausibility.bk_per_m2_max, 2)
        ),
        BkPlausibility::None => "ohne Plausibilitätsgrenzen".to_string(),
    }
}

/// The Betriebskosten sheet.
pub fn betriebskosten(ctx: &Ctx) -> Result<Worksheet, XlsxError> {
    let p = ctx.p();
    let oc = &p.operating_costs;
    let mut ws = style::new_sheet(ctx, layout::BETRIEBSKOSTEN, "Kalte Betriebskosten je m²")?;
    let f = &ctx.fmt;
    let records = oc.any_records(ctx.prep.vr_names.iter());
    let external = ctx
        .prep
        .vr_names
        .iter()
        .any(|n| oc.for_vergleichsraum(n).source == BkSource::External);
    let mut intro = Vec::new();
    if records {
        intro.push(format!(
            "Aus den Datensätzen: {} {} aus denselben Datensätzen wie die Nettokaltmieten (in Tabellenfeldern, vor der Extremwertkappung), {}. Datensätze ohne kalte Betriebskosten bleiben in der Nettokaltmiete und gehen nur hier nicht ein (Spalte „BK fehlen“); die Kennzahl beruht auf „n plausibel“ von „Datensätze“. Nebenkosten, die Heizkosten enthalten, sind keine kalten Betriebskosten und gehen nicht ein (Spalte „BK inkl. Heizung“).",
            statistic_german(oc),
            match oc.level {
                BkLevel::Vergleichsraum => "je Vergleichsraum",
                BkLevel::Cell => "je Tabellenfeld",
            },
            plausibility_german(p)
        ));
    }
    if external {
        intro.push(
            "Externer Wert: kalte Betriebskosten je m² aus der genannten Quelle (Spalte „Quelle“), für jedes Tabellenfeld des Vergleichsraums; die Zählungen der Datensätze sind nur nachrichtlich."
                .to_string(),
        );
    }
    if oc.lift_split {
        intro.push(
            "Getrennt nach Gebäuden ohne und mit Aufzug (Kreis Düren); „ohne“ umfasst auch unbekannt."
                .to_string(),
        );
    }
    intro.push("Je weitere Person: der Wert, der für die größte Haushaltsgröße gilt.".to_string());
    ws.write_string_with_format(1, 0, intro.join(" "), &f.note)?;
    style::header_row(
        &mut ws,
        ctx,
        2,
        &[
            "Vergleichsraum",
            "Ebene",
            "Quelle",
            "Datensätze",
            "n plausibel",
            "davon ohne Aufzug",
            "davon mit Aufzug",
            "BK fehlen",
            "BK unplausibel",
            "BK inkl. Heizung (nicht verwendet)",
            "BK €/m² (ungerundet)",
            "BK €/m² (verwendet)",
            "mit Aufzug €/m² (ungerundet)",
            "mit Aufzug €/m² (verwendet)",
            "Hinweis",
        ],
    )?;
    style::widths(
        &mut ws,
        &[
            22.0, 16.0, 34.0, 11.0, 11.0, 11.0, 11.0, 10.0, 11.0, 13.0, 13.0, 13.0, 13.0, 13.0,
            30.0,
        ],
    )?;
    ws.set_row_height(2, 30)?;
    let round = p.reference.round_per_m2;
    let used = |v: Option<f64>| v.map(|x| if round { round_cents(x) } else { x });
    let mut r = 3u32;
    let mut rows: Vec<(String, String, &crate::analysis::BkResult)> = ctx
        .an
        .vergleichsraeume
        .iter()
        .map(|v| (v.name.clone(), "Vergleichsraum".to_string(), &v.bk))
        .collect();
    if oc.level == BkLevel::Cell {
        rows.extend(ctx.an.cells.iter().map(|c| {
            (
                c.vergleichsraum.clone(),
                style::persons(c.household_size),
                &c.bk,
            )
        }));
    }
    let mut any_suppressed = false;
    for (name, level, bk) in rows {
        let suppressed = ctx.bk_suppressed(bk);
        any_suppressed |= suppressed;
        let hide = |v: Option<f64>| if suppressed { None } else { v };
        ws.write_string_with_format(r, 0, &name, &f.text)?;
        ws.write_string_with_format(r, 1, &level, &f.text)?;
        ws.write_string_with_format(r, 2, source_german(p, &name), &f.wrap)?;
        style::int(&mut ws, ctx, r, 3, bk.n_records())?;
        style::int(&mut ws, ctx, r, 4, bk.n)?;
        style::int(&mut ws, ctx, r, 5, bk.n_split.0)?;
        style::int(&mut ws, ctx, r, 6, bk.n_split.1)?;
        style::int(&mut ws, ctx, r, 7, bk.n_missing)?;
        style::int(&mut ws, ctx, r, 8, bk.n_implausible)?;
        style::int(&mut ws, ctx, r, 9, bk.n_heating_included)?;
        style::opt_num(&mut ws, ctx, r, 10, hide(bk.per_m2), &f.dec4)?;
        style::opt_num(&mut ws, ctx, r, 11, hide(used(bk.per_m2)), &f.eur_m2)?;
        if oc.lift_split {
            style::opt_num(&mut ws, ctx, r, 12, hide(bk.per_m2_lift), &f.dec4)?;
            style::opt_num(&mut ws, ctx, r, 13, hide(used(bk.per_m2_lift)), &f.eur_m2)?;
        } else {
            ws.write_string_with_format(r, 12, "", &f.text)?;
            ws.write_string_with_format(r, 13, "", &f.text)?;
        }
        let note = if suppressed {
            format!("nicht ausgewiesen (n < {})", p.min_n)
        } else if bk.per_m2.is_none() {
            "keine Betriebskostenwerte".to_string()
        } else if !bk.is_external() && bk.n < bk.n_records() {
            format!(
                "Kennzahl aus {} von {} Datensätzen",
                num(bk.n),
                num(bk.n_records())
            )
        } else {
            String::new()
        };
        ws.write_string_with_format(r, 14, note, &f.text)?;
        r += 1;
    }
    if any_suppressed {
        ws.write_string_with_format(r + 1, 0, ctx.suppression_note(), &f.note)?;
    }
    Ok(ws)
}

/// Methodentext, section 9: the BK source and statistic and the results per Vergleichsraum.
pub fn method_paragraphs(lp: &LoadedProject, an: &Analysis) -> Vec<String> {
    let p = &lp.project.parameters;
    let oc = &p.operating_costs;
    let stat = match oc.statistic {
        BkStatistic::Percentile => format!("das {}-Perzentil", number(oc.percentile * 100.0, 1)),
        BkStatistic::Median => "der Median".to_string(),
        BkStatistic::Mean => "der Mittelwert".to_string(),
    };
    let round = |x: f64| {
        if p.reference.round_per_m2 {
            crate::analysis::limits::round_cents(x)
        } else {
            x
        }
    };
    let value = |v: &crate::analysis::VrResult| {
        v.bk.per_m2.map(|b| {
            let lift =
                v.bk.per_m2_lift
                    .map(|l| format!(", mit Aufzug {}", per_m2(round(l))))
                    .unwrap_or_default();
            format!("{}{}", per_m2(round(b)), lift)
        })
    };
    let (external, records): (
        Vec<&crate::analysis::VrResult>,
        Vec<&crate::analysis::VrResult>,
    ) = an.vergleichsraeume.iter().partition(|v| v.bk.is_external());
    let mut par = Vec::new();
    if !records.is_empty() {
        let results: Vec<String> = records
            .iter()
            .filter_map(|v| {
                value(v).map(|text| {
                    format!(
                        "{} {text} (n = {} von {})",
                        v.name,
                        num(v.bk.n),
                        num(v.bk.n_records())
                    )
                })
            })
            .collect();
        let heating_included: usize = records.iter().map(|v| v.bk.n_heating_included).sum();
        let missing: usize = records.iter().map(|v| v.bk.n_missing).sum();
        par.push(format!(
            "Angemessen sind die kalten Betriebskosten je m², die sich als {} ({}) {} aus denselben Datensätzen ergeben. {}{}{}{}{} Die Wahl der Statistik ist eine einstellbare Voreinstellung.",
            stat,
            oc.statistic.german(),
            match oc.level {
                BkLevel::Vergleichsraum => "je Vergleichsraum",
                BkLevel::Cell => "je Tabellenfeld",
            },
            match p.plausibility.bk_rule {
                BkPlausibility::Window => format!(
                    "Berücksichtigt werden nur Werte zwischen {} und {} (Plausibilitätsgrenzen wie im Bremer Konzept).",
                    per_m2(p.plausibility.bk_per_m2_min),
                    per_m2(p.plausibility.bk_per_m2_max)
                ),
                BkPlausibility::None => {
                    "Alle angegebenen Werte werden berücksichtigt (keine Plausibilitätsgrenzen).".to_string()
                }
            },
            if missing > 0 {
                format!(
                    " {} Datensätze ohne Angabe der kalten Betriebskosten gehen in die Nettokaltmiete, nicht aber in die Betriebskosten ein.",
                    num(missing)
                )
            } else {
                String::new()
            },
            if heating_included > 0 {
                format!(
                    " {} Datensätze, deren Nebenkosten die Heizkosten enthalten, bleiben in der Betriebskostenauswertung unberücksichtigt, weil ihr Betrag keine kalten Betriebskosten wiedergibt.",
                    num(heating_included)
                )
            } else {
                String::new()
            },
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
        ));
    }
    for v in external {
        let choice = oc.for_vergleichsraum(&v.name);
        par.push(format!(
            "{}: Die kalten Betriebskosten werden nicht aus den Datensätzen ermittelt, sondern als externer Wert übernommen: {} (Quelle: {}{}). Der Wert gilt für jedes Tabellenfeld des Vergleichsraums. Als Quelle kommen der Betriebskostenspiegel des Deutschen Mieterbunds, eine eigene Erhebung der Kommune oder der Durchschnitt der Betriebskosten der Leistungsempfänger in Betracht (SG Nürnberg, S 8 AS 467/20: „gut vertretbar“).",
            v.name,
            value(v).unwrap_or_else(|| "kein Wert eingetragen".to_string()),
            if choice.source_text.trim().is_empty() {
                "nicht angegeben"
            } else {
                choice.source_text.trim()
            },
            choice.year.map(|y| format!(", {y}")).unwrap_or_default()
        ));
    }
    par
}
