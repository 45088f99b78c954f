//! The selected cell of the Ergebnisse screen: its figures, the heating and availability
//! checks, and the plots.

use super::table::wogg_text;
use crate::analysis::CellResult;
use crate::app::plots;
use crate::app::screens::params::persons;
use crate::app::state::Document;
use crate::app::widgets::{euro_opt, per_m2_opt, section};
use crate::fmt::{count, euro, number, percent};
use egui::{RichText, Ui};

/// Figures and plots of the selected cell, kept clear of the screen's scroll bar on the right
/// (a plot under the bar could not be dragged or hovered there).
pub(super) fn cell_detail(ui: &mut Ui, doc: &Document, cell: &CellResult) {
    let bar = {
        let s = &ui.spacing().scroll;
        s.bar_inner_margin + s.bar_width.max(s.floating_width) + s.bar_outer_margin
    };
    ui.scope(|ui| {
        let width = (ui.available_width() - bar).max(0.0);
        ui.set_max_width(width);
        cell_detail_body(ui, doc, cell, width);
    });
}

/// Two columns within `width`, the width the detail started with: a plot whose axis labels
/// need a few points more must not widen the rows below it (egui widens a `Ui` whose content
/// overflows it).
fn two_columns(ui: &mut Ui, width: f32, add: impl FnOnce(&mut [Ui])) {
    ui.scope(|ui| {
        ui.set_max_width(width);
        ui.columns(2, add);
    });
}

fn cell_detail_body(ui: &mut Ui, doc: &Document, cell: &CellResult, width: f32) {
    let params = &doc.project().parameters;
    section(
        ui,
        &format!(
            "{}, {} (Wohnfläche bis {} m²)",
            cell.vergleichsraum,
            persons(cell.household_size),
            number(cell.area_m2, 1)
        ),
    );
    let p_text = match cell.p {
        Some(p) => format!("P{}", number(p * 100.0, 0)),
        None => "Mittelwert".to_string(),
    };
    ui.label(
        RichText::new(format!(
            "Referenzmiete: {} ({}, {} nach der Extremwertkappung verwendet)",
            per_m2_opt(cell.net_rent_per_m2),
            p_text,
            count(cell.n, "Mietwert", "Mietwerte")
        ))
        .strong()
        .size(15.0),
    );
    ui.horizontal_wrapped(|ui| {
        ui.label(format!(
            "Werte im Tabellenfeld: {}",
            number(cell.n_in_cell as f64, 0)
        ));
        ui.separator();
        ui.label(format!(
            "Extremwerte: {} unten, {} oben gekappt",
            number(cell.outliers.n_low as f64, 0),
            number(cell.outliers.n_high as f64, 0)
        ));
        if cell.outliers.lower.is_finite() || cell.outliers.upper.is_finite() {
            ui.separator();
            ui.label(format!(
                "Kappungsgrenzen: {} bis {}",
                bound_text(cell.outliers.lower),
                bound_text(cell.outliers.upper)
            ));
        }
        if let Some(s) = &cell.summary {
            ui.separator();
            ui.label(format!(
                "Mittelwert {} · Standardabweichung {} · Minimum {} · Maximum {}",
                number(s.mean, 2),
                number(s.sd, 2),
                number(s.min, 2),
                number(s.max, 2)
            ));
        }
        if let Some(ci) = &cell.ci {
            ui.separator();
            // The chosen level and the one the order statistics achieve (at least the chosen).
            ui.label(format!(
                "Konfidenzintervall {} (erreicht {}): {} bis {} €/m²",
                percent(doc.project().parameters.ci_level),
                percent(ci.coverage),
                number(ci.lower, 2),
                number(ci.upper, 2)
            ))
            .on_hover_text(crate::analysis::stats::QUANTILE_CI_DEFINITION_DE);
        }
        if let Some(w) = &cell.wogg {
            ui.separator();
            ui.label(format!("WoGG + Zuschlag: {}", euro(w.value.with_surcharge)))
                .on_hover_text(wogg_text(w));
        }
        if let Some(l) = cell.limits {
            ui.separator();
            ui.label(format!(
                "Bruttokaltmiete: {} = {} m² × ({} + {}) €/m²",
                euro(l.gross_cold),
                number(cell.area_m2, 1),
                cell.net_rent_per_m2.map_or("–".into(), |v| number(v, 2)),
                cell.operating_costs_per_m2
                    .map_or("–".into(), |v| number(v, 2)),
            ));
        }
    });

    if let Some(h) = cell.heating_limit {
        let heating = &params.heating;
        let boundary = heating
            .table
            .boundary(&heating.energietraeger, heating.building_area_m2);
        ui.horizontal_wrapped(|ui| {
            ui.label(format!(
                "Heizkosten-Prüfgrenze: {} monatlich{}",
                euro(h),
                boundary.map_or_else(String::new, |b| format!(
                    " ({} × {} m²{}{}; {}, {})",
                    per_m2_opt(Some(b)),
                    number(cell.area_m2, 1),
                    match heating.table.unit {
                        crate::tables::heizspiegel::PeriodUnit::PerMonth => "",
                        crate::tables::heizspiegel::PeriodUnit::PerYear => " ÷ 12",
                    },
                    if heating.hot_water_decentral {
                        format!(" × (1 − {} Warmwasser)", percent(heating.hot_water_share))
                    } else {
                        String::new()
                    },
                    heating.energietraeger,
                    heating.table.edition
                ))
            ))
            .on_hover_text(
                "Ein Indiz für unangemessenes Heizen, keine Kappungsgrenze (BSG, B 14 AS 57/19 R).",
            );
            if let Some(t) = cell.total_limit {
                ui.separator();
                ui.label(
                    RichText::new(format!(
                        "Gesamtangemessenheitsgrenze: {} (geltende Grenze {} + Heizkosten {})",
                        euro(t),
                        euro_opt(cell.applied_limit),
                        euro(h)
                    ))
                    .strong(),
                );
            }
        });
    }
    if !cell.heating_limits.is_empty() {
        heating_matrix(ui, cell);
    }
    if let Some(i) = &cell.impact {
        ui.label(format!(
            "Wirkung: {} von {} Bedarfsgemeinschaften über dem geltenden Richtwert ({}), zusammen {} im Monat, {} im Jahr{}{}",
            number(i.above_limit as f64, 0),
            number(i.assessed as f64, 0),
            i.share_above.map_or_else(|| "–".to_string(), percent),
            euro(i.monthly_sum_above),
            euro(i.yearly_sum_above),
            if i.not_assessed > 0 {
                format!("; {} ohne anwendbaren Richtwert", number(i.not_assessed as f64, 0))
            } else {
                String::new()
            },
            if i.larger_households > 0 {
                format!(
                    "; darunter {} mit mehr Personen (Richtwert zuzüglich je weitere Person)",
                    number(i.larger_households as f64, 0)
                )
            } else {
                String::new()
            }
        ));
    }
    if let Some(w) = cell.welfare_share {
        ui.label(format!(
            "Anteil Mietwerte mit Leistungsbezug: {}",
            percent(w)
        ));
    }
    if let Some(a) = &cell.availability {
        availability_detail(ui, cell, a, width);
    }

    let Some(prepared) = doc.prep().cell(cell.vr, cell.household_size as usize - 1) else {
        return;
    };
    let values = &prepared.values;
    let (lo, hi) = cell.outliers.kept;
    let kept = values.get(lo..hi).unwrap_or(&[]);
    let height = 220.0;
    ui.add_space(6.0);
    two_columns(ui, width, |cols| {
        cols[0].label(RichText::new("Häufigkeitsverteilung NKM €/m²").strong());
        plots::histogram_plot(&mut cols[0], values, cell, height);
        cols[1].label(RichText::new("Empirische Verteilungsfunktion").strong());
        plots::ecdf_plot(&mut cols[1], kept, cell, height);
    });
    ui.add_space(6.0);
    two_columns(ui, width, |cols| {
        cols[0].label(
            RichText::new(format!(
                "Vergleichsräume im Vergleich ({})",
                persons(cell.household_size)
            ))
            .strong(),
        );
        plots::box_plot(
            &mut cols[0],
            doc.prep(),
            doc.analysis(),
            cell.household_size,
            params.quantile_type,
            height,
        );
        cols[1].label(RichText::new("Ausschlüsse in diesem Tabellenfeld").strong());
        let stages = plots::cell_stages(cell);
        plots::funnel_bars(&mut cols[1], &stages);
    });
    ui.add_space(6.0);
    egui::CollapsingHeader::new("Ausschlüsse insgesamt (alle Tabellenfelder)")
        .id_salt("funnel_total")
        .default_open(false)
        .show(ui, |ui| {
            egui::Grid::new("funnel_counts")
                .striped(true)
                .spacing([16.0, 2.0])
                .show(ui, |ui| {
                    let funnel = &doc.analysis().funnel;
                    for (i, (name, count)) in plots::funnel_stages(funnel).into_iter().enumerate() {
                        ui.label(name);
                        ui.label(number(count as f64, 0));
                        ui.end_row();
                        let details = match i {
                            1 => &funnel.import_rejected,
                            3 => &funnel.excluded,
                            _ => continue,
                        };
                        for (reason, n) in details {
                            ui.weak(format!("    davon {}", reason.german()));
                            ui.weak(number(*n as f64, 0));
                            ui.end_row();
                        }
                    }
                    let offers = &doc.analysis().offers_excluded;
                    if !offers.is_empty() {
                        ui.label("Angebote nicht in der Verfügbarkeitsprüfung");
                        ui.label(number(offers.values().sum::<usize>() as f64, 0));
                        ui.end_row();
                        for (reason, n) in offers {
                            ui.weak(format!("    davon {}", reason.german()));
                            ui.weak(number(*n as f64, 0));
                            ui.end_row();
                        }
                    }
                });
        });
}

/// Availability check of the selected cell: figures, curve, offers per Gemeinde, iteration log.
fn availability_detail(
    ui: &mut Ui,
    cell: &CellResult,
    a: &crate::analysis::availability::AvailabilityResult,
    width: f32,
) {
    let ok = a.share.is_some_and(|x| x >= a.target_share);
    let color = if ok {
        crate::app::widgets::success_color(ui)
    } else {
        ui.visuals().error_fg_color
    };
    ui.colored_label(
        color,
        format!(
            "Verfügbarkeit: {} von {} zur Grenze anmietbar ({}; Zielanteil {}){}",
            number(a.n_affordable as f64, 0),
            count(a.n_offers, "Angebot", "Angeboten"),
            a.share.map_or("–".into(), percent),
            percent(a.target_share),
            if a.iteration.is_empty() {
                String::new()
            } else if a.target_reached {
                " – Ziel im iterativen Verfahren erreicht".to_string()
            } else {
                " – Ziel im iterativen Verfahren nicht erreicht".to_string()
            }
        ),
    );
    two_columns(ui, width, |cols| {
        cols[0].label(
            RichText::new("Verfügbarkeitskurve (Anteil anmietbarer Angebote je Perzentil)")
                .strong(),
        );
        plots::availability_plot(&mut cols[0], a, cell.p, 180.0);
        cols[1].label(RichText::new("Angebote je Gemeinde").strong());
        egui::Grid::new("offers_by_gemeinde")
            .striped(true)
            .spacing([16.0, 2.0])
            .show(&mut cols[1], |ui| {
                ui.strong("Gemeinde");
                ui.strong("Angebote");
                ui.strong("anmietbar");
                ui.end_row();
                for (g, n) in &a.offers_by_gemeinde {
                    ui.label(g);
                    ui.label(number(*n as f64, 0));
                    ui.label(number(a.by_gemeinde.get(g).copied().unwrap_or(0) as f64, 0));
                    ui.end_row();
                }
            });
    });
    if !a.iteration.is_empty() {
        egui::CollapsingHeader::new(format!(
            "Iterationsprotokoll ({})",
            count(a.iteration.len(), "Schritt", "Schritte")
        ))
        .id_salt("iteration_log")
        .show(ui, |ui| {
            egui::Grid::new("iteration_grid")
                .striped(true)
                .spacing([16.0, 2.0])
                .show(ui, |ui| {
                    for h in [
                        "Perzentil",
                        "NKM €/m²",
                        "Bruttokaltmiete",
                        "anmietbar",
                        "Anteil",
                    ] {
                        ui.strong(h);
                    }
                    ui.end_row();
                    for step in &a.iteration {
                        ui.label(number(step.p, 2));
                        ui.label(number(step.net_rent_per_m2, 2));
                        ui.label(
                            step.limit_gross_cold
                                .map(euro)
                                .unwrap_or_else(|| format!("NKM {}", euro(step.limit_net_cold))),
                        );
                        ui.label(number(step.n_affordable as f64, 0));
                        ui.label(percent(step.share));
                        ui.end_row();
                    }
                });
        });
    }
}

fn bound_text(v: f64) -> String {
    if v.is_finite() {
        format!("{} €/m²", number(v, 2))
    } else {
        "–".to_string()
    }
}

/// The Prüfgrenzen (and Gesamtgrenzen) of every Energieträger and band of the cell.
fn heating_matrix(ui: &mut Ui, cell: &crate::analysis::CellResult) {
    egui::CollapsingHeader::new("Prüfgrenzen aller Energieträger und Gebäudeflächen")
        .id_salt(("heating_matrix", cell.vr, cell.household_size))
        .show(ui, |ui| {
            egui::Grid::new(("heating_matrix_grid", cell.vr, cell.household_size))
                .striped(true)
                .spacing([12.0, 4.0])
                .show(ui, |ui| {
                    ui.label(RichText::new("Energieträger").strong());
                    ui.label(RichText::new("Gebäudefläche").strong());
                    ui.label(RichText::new("Prüfgrenze").strong());
                    ui.label(RichText::new("Gesamtgrenze").strong());
                    ui.end_row();
                    for l in &cell.heating_limits {
                        ui.label(&l.energietraeger);
                        ui.label(match l.band_upper_m2 {
                            Some(u) if l.band_lower_m2 <= 0.0 => {
                                format!("bis {} m²", number(u, 0))
                            }
                            Some(u) => format!(
                                "über {} bis {} m²",
                                number(l.band_lower_m2, 0),
                                number(u, 0)
                            ),
                            None => format!("über {} m²", number(l.band_lower_m2, 0)),
                        });
                        ui.label(euro(l.limit));
                        ui.label(euro_opt(l.total_limit));
                        ui.end_row();
                    }
                });
        });
}
