//! The limit table of the Ergebnisse screen: one row per cell, a "je weitere Person" row per
//! Vergleichsraum; clicking a household size selects the cell.

use crate::analysis::Flag;
use crate::app::screens::params::persons;
use crate::app::state::{AppState, Command, Document};
use crate::app::widgets::{euro_opt, flag_color, per_m2_opt};
use crate::fmt::{euro, number, percent};
use egui::{RichText, Ui};

fn flags_text(flags: &[Flag]) -> String {
    flags
        .iter()
        .map(|f| f.german())
        .collect::<Vec<_>>()
        .join("; ")
}

/// The limit table.
pub(super) fn limit_table(ui: &mut Ui, state: &AppState, doc: &Document, cmds: &mut Vec<Command>) {
    let analysis = doc.analysis();
    if analysis.cells.is_empty() {
        ui.label("Keine Ergebnisse: Es sind keine Vergleichsräume mit Daten vorhanden.");
        return;
    }
    let lift = analysis.cells.iter().any(|c| c.limits_lift.is_some());
    let wogg = analysis.cells.iter().any(|c| c.wogg.is_some());
    let avail = analysis.cells.iter().any(|c| c.availability.is_some());
    let heating = analysis.cells.iter().any(|c| c.heating_limit.is_some());
    let total = analysis.cells.iter().any(|c| c.total_limit.is_some());
    let karenzzeit = doc.project().parameters.karenzzeit.factor;
    let extra = Extra {
        lift,
        wogg,
        avail,
        heating,
        total,
        karenzzeit: karenzzeit.is_some(),
    };
    egui::ScrollArea::both()
        .id_salt("limits_scroll")
        .max_height(380.0)
        .auto_shrink([false, true])
        .show(ui, |ui| {
            egui::Grid::new("limits_grid")
                .striped(true)
                .spacing([14.0, 4.0])
                .show(ui, |ui| {
                    let mut headers = vec![
                        "Vergleichsraum",
                        "Haushalt",
                        "Wohnfläche",
                        "n",
                        "NKM €/m²",
                        "BK €/m²",
                        "NKM €",
                        "BK €",
                        "Bruttokaltmiete €",
                    ];
                    if lift {
                        headers.push("mit Aufzug €");
                    }
                    if heating {
                        headers.push("Heizkosten €");
                    }
                    if total {
                        headers.push("Gesamtgrenze €");
                    }
                    if karenzzeit.is_some() {
                        headers.push("Karenzzeit €");
                    }
                    if wogg {
                        headers.push("WoGG + Zuschlag €");
                    }
                    if avail {
                        headers.push("Angebote anmietbar");
                    }
                    headers.push("Hinweise");
                    for h in headers {
                        ui.label(RichText::new(h).strong());
                    }
                    ui.end_row();
                    let mut last_vr = None;
                    for c in &analysis.cells {
                        if last_vr.is_some() && last_vr != Some(c.vr) {
                            further_row(ui, doc, last_vr.unwrap_or(0), &extra);
                        }
                        if last_vr != Some(c.vr) {
                            ui.label(RichText::new(&c.vergleichsraum).strong());
                        } else {
                            ui.label("");
                        }
                        last_vr = Some(c.vr);
                        let selected = state.selected() == Some((c.vr, c.household_size));
                        if ui
                            .selectable_label(selected, persons(c.household_size))
                            .on_hover_text(format!(
                                "{}, {}: Verteilung und Abbildungen anzeigen",
                                c.vergleichsraum,
                                persons(c.household_size)
                            ))
                            .clicked()
                        {
                            cmds.push(Command::SelectCell {
                                vr: c.vr,
                                household_size: c.household_size,
                            });
                        }
                        ui.label(format!("{} m²", number(c.area_m2, 1)));
                        let n_color = if c.flags.contains(&Flag::NBelowMin) || c.n == 0 {
                            ui.visuals().warn_fg_color
                        } else {
                            ui.visuals().text_color()
                        };
                        ui.colored_label(n_color, number(c.n as f64, 0));
                        ui.label(per_m2_opt(c.net_rent_per_m2));
                        ui.label(per_m2_opt(c.operating_costs_per_m2));
                        ui.label(euro_opt(c.limits.map(|l| l.net_cold)));
                        ui.label(euro_opt(c.limits.map(|l| l.operating_costs)));
                        if !c.valid {
                            ui.colored_label(
                                ui.visuals().warn_fg_color,
                                RichText::new(c.applied_german()).strong(),
                            )
                            .on_hover_text(format!(
                                "Kein gültiger Konzeptwert ({}): Es gilt der WoGG-Höchstbetrag mit Sicherheitszuschlag. Rechnerischer Konzeptwert {}.",
                                c.invalid_german(),
                                euro_opt(c.limits.map(|l| l.gross_cold))
                            ));
                        } else {
                            ui.label(
                                RichText::new(euro_opt(c.limits.map(|l| l.gross_cold))).strong(),
                            );
                        }
                        if lift {
                            ui.label(euro_opt(c.limits_lift.map(|l| l.gross_cold)));
                        }
                        if heating {
                            ui.label(euro_opt(c.heating_limit));
                        }
                        if total {
                            ui.label(euro_opt(c.total_limit));
                        }
                        if let Some(k) = karenzzeit {
                            ui.label(c.karenzzeit_german()).on_hover_text(format!(
                                "Grenze in der Karenzzeit: {} × geltende Grenze, gerundet wie die Tabelle (geplante Begrenzung der Karenzzeit; Rechtsgrundlage vom Anwender zu bestätigen).",
                                number(k, 2)
                            ));
                        }
                        if wogg {
                            match &c.wogg {
                                Some(w) => {
                                    ui.label(euro(w.value.with_surcharge))
                                        .on_hover_text(wogg_text(w));
                                }
                                None => {
                                    ui.label("–");
                                }
                            }
                        }
                        if avail {
                            match &c.availability {
                                Some(a) => {
                                    let ok = a.share.is_some_and(|x| x >= a.target_share);
                                    let color = if ok {
                                        ui.visuals().text_color()
                                    } else {
                                        ui.visuals().error_fg_color
                                    };
                                    ui.colored_label(
                                        color,
                                        format!(
                                            "{} von {} ({})",
                                            a.n_affordable,
                                            a.n_offers,
                                            a.share.map_or("–".into(), percent)
                                        ),
                                    )
                                    .on_hover_text(format!(
                                        "Zielanteil {}",
                                        percent(a.target_share)
                                    ));
                                }
                                None => {
                                    ui.label("keine Angebote");
                                }
                            }
                        }
                        match c.flags.iter().max() {
                            Some(worst) => {
                                ui.colored_label(flag_color(ui, *worst), flags_text(&c.flags));
                            }
                            None => {
                                ui.label("");
                            }
                        }
                        ui.end_row();
                    }
                    if let Some(vr) = last_vr {
                        further_row(ui, doc, vr, &extra);
                    }
                });
        });
}

/// Which optional columns the limit table shows.
struct Extra {
    lift: bool,
    wogg: bool,
    avail: bool,
    heating: bool,
    total: bool,
    karenzzeit: bool,
}

/// The "je weitere Person" row of a Vergleichsraum: the figures of
/// [`VrResult`](crate::analysis::VrResult), with the NKM €/m² they were computed
/// from (that of the Vergleichsraum's largest household size with a value, as in the workbook).
fn further_row(ui: &mut Ui, doc: &Document, vr: usize, extra: &Extra) {
    let analysis = doc.analysis();
    let Some(v) = analysis.vergleichsraeume.get(vr) else {
        return;
    };
    ui.label("");
    ui.label(RichText::new("je weitere Person").italics());
    ui.label(format!("+{} m²", number(v.further_area_m2, 1)));
    ui.label("");
    let nkm_m2 = v
        .further_net_rent_per_m2
        .filter(|_| v.further_person.is_some());
    ui.label(per_m2_opt(nkm_m2));
    ui.label("");
    ui.label(euro_opt(v.further_person.map(|l| l.net_cold)));
    ui.label(euro_opt(v.further_person.map(|l| l.operating_costs)));
    ui.label(RichText::new(euro_opt(v.further_person.map(|l| l.gross_cold))).italics());
    if extra.lift {
        ui.label(euro_opt(v.further_person_lift.map(|l| l.gross_cold)));
    }
    let blanks = [
        extra.heating,
        extra.total,
        extra.karenzzeit,
        extra.wogg,
        extra.avail,
    ]
    .iter()
    .filter(|x| **x)
    .count();
    for _ in 0..=blanks {
        ui.label("");
    }
    ui.end_row();
}

/// Hover text of the WoGG comparison.
pub(super) fn wogg_text(w: &crate::analysis::WoggComparison) -> String {
    let mut text = format!(
        "WoGG-Vergleich (Mietstufe {}): Höchstbetrag {}, Klimakomponente {}, mit Sicherheitszuschlag {}.",
        w.mietstufe,
        euro(w.value.table_value),
        euro(w.value.klima),
        euro(w.value.with_surcharge)
    );
    if let Some(r) = w.ratio {
        text.push_str(&format!(
            " Die Bruttokaltmiete des Konzepts beträgt {} dieses Werts.",
            percent(r)
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::limits::round_cents;
    use crate::dataset::{Dataset, LoadedProject};
    use crate::model::project::GemeindeRow;
    use crate::model::{Date, Project, Record, SourceKind};

    #[test]
    fn the_further_person_rent_is_the_one_the_limits_were_computed_from() {
        let mut project = Project::new("Test", Date::from_ymd(2025, 1, 1).unwrap());
        for (ags, name, vr) in [("05999001", "A", "Nord"), ("05999002", "B", "Süd")] {
            project.gemeinden.push(GemeindeRow {
                ags: ags.to_string(),
                name: name.to_string(),
                vergleichsraum: vr.to_string(),
                einwohner: None,
                mietwohnungen: None,
                mietstufe: None,
            });
        }
        let records = (0..400u32)
            .map(|i| {
                let area = 25.0 + f64::from(i % 100);
                let per_m2 = 5.0 + f64::from((i * 7) % 31) / 7.0;
                let mut r = Record::new(0, i + 2, SourceKind::Bestand, per_m2 * area, area);
                r.gemeinde = Some(if i % 2 == 0 { "A" } else { "B" }.to_string());
                r.operating_costs = Some(1.9 * area);
                r.contract_start = Date::from_ymd(2023, 6, 1);
                r
            })
            .collect();
        let doc = Document::new(LoadedProject {
            path: "test.kdu.toml".into(),
            project,
            data: Dataset {
                records,
                rejections: Vec::new(),
                sources: Vec::new(),
            },
            warnings: Vec::new(),
        });
        let analysis = doc.analysis();
        assert_eq!(analysis.vergleichsraeume.len(), 2);
        for v in &analysis.vergleichsraeume {
            let limits = v.further_person.unwrap();
            let nkm = v.further_net_rent_per_m2.unwrap();
            assert_eq!(round_cents(v.further_area_m2 * nkm), limits.net_cold);
        }
    }
}
