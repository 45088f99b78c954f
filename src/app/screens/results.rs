//! Ergebnisse screen: the limit table (Vergleichsraum × household size), "je weitere Person",
//! warnings, and for the selected cell its figures and plots. Percentile and outlier factor
//! can be changed right here; every change recomputes at once.

use super::params::persons;
use crate::analysis::compute::{CellResult, Flag};
use crate::app::forms::Forms;
use crate::app::plots;
use crate::app::state::{AppState, Command, Document};
use crate::app::widgets::{
    drag_de, euro_opt, flag_color, no_project, parse_german, per_m2_opt, section, severity_color,
    severity_german,
};
use crate::fmt::{euro, number, percent};
use crate::model::params::{OutlierMethod, ReferenceMethod};
use egui::{RichText, Ui};

/// Draws the results screen.
pub fn results_ui(ui: &mut Ui, state: &AppState, _forms: &mut Forms, cmds: &mut Vec<Command>) {
    let Some(doc) = state.doc() else {
        no_project(ui);
        return;
    };
    let project = doc.project();
    ui.heading(format!(
        "Angemessenheitsgrenzen – Stichtag {}",
        project.project.stichtag.german()
    ));
    controls(ui, doc, cmds);
    ui.add_space(4.0);
    limit_table(ui, state, doc, cmds);
    coverage_table(ui, doc);
    fortschreibung_table(ui, doc);
    warnings(ui, doc);
    if let Some((vr, h)) = state.selected()
        && let Some(cell) = doc
            .analysis
            .cells
            .iter()
            .find(|c| c.vr == vr && c.household_size == h)
    {
        cell_detail(ui, doc, cell);
    }
}

/// Percentile slider, outlier parameter and target share, recomputed live.
fn controls(ui: &mut Ui, doc: &Document, cmds: &mut Vec<Command>) {
    let params = &doc.project().parameters;
    ui.horizontal_wrapped(|ui| {
        let mut p = params.clone();
        if matches!(
            params.reference.method,
            ReferenceMethod::Percentile | ReferenceMethod::Iterative
        ) {
            let r = ui
                .add(
                    egui::Slider::new(&mut p.reference.percentile, 0.10..=0.90)
                        .text("Perzentil")
                        .step_by(0.01)
                        .custom_formatter(|v, _| number(v, 2))
                        .custom_parser(parse_german),
                )
                .on_hover_text(
                    "Anteil der Wohnungen des Tabellenfelds, die höchstens die Referenzmiete kosten (Voreinstellung 0,33).",
                );
            if r.changed() {
                cmds.push(Command::SetParameters {
                    params: Box::new(p.clone()),
                    key: "reference.percentile",
                });
            }
        } else {
            ui.label(format!(
                "Ableitung: {}",
                params.reference.method.german()
            ));
        }
        ui.separator();
        let outlier = match params.outliers.method {
            OutlierMethod::MeanSd => Some(("outliers.k", "Kappungsfaktor k", &mut p.outliers.k, 2, 0.5..=5.0)),
            OutlierMethod::Iqr => Some(("outliers.iqr_k", "Kappungsfaktor k (IQR)", &mut p.outliers.iqr_k, 2, 0.5..=5.0)),
            OutlierMethod::Trim => Some(("outliers.trim_share", "Abschnitt je Seite", &mut p.outliers.trim_share, 3, 0.0..=0.25)),
            _ => None,
        };
        let mut changed_key = None;
        match outlier {
            Some((key, label, value, decimals, range)) => {
                let l = ui.label(label).on_hover_text(params.outliers.method.german());
                let speed = if decimals == 3 { 0.001 } else { 0.01 };
                if ui
                    .add(drag_de(value, decimals).range(range).speed(speed))
                    .labelled_by(l.id)
                    .changed()
                {
                    changed_key = Some(key);
                }
            }
            None => {
                ui.label(format!("Extremwerte: {}", params.outliers.method.german()));
            }
        }
        if let Some(key) = changed_key {
            cmds.push(Command::SetParameters {
                params: Box::new(p.clone()),
                key,
            });
        }
        ui.separator();
        let mut p = params.clone();
        let l = ui.label("Zielanteil").on_hover_text(
            "Mindestanteil der Angebote im Tabellenfeld, die zur Grenze anmietbar sein müssen (Voreinstellung 0,20).",
        );
        if ui
            .add(
                drag_de(&mut p.availability.target_share, 2)
                    .range(0.0..=1.0)
                    .speed(0.005),
            )
            .labelled_by(l.id)
            .changed()
        {
            cmds.push(Command::SetParameters {
                params: Box::new(p),
                key: "availability.target_share",
            });
        }
        ui.separator();
        ui.weak(format!("Quantil {}", params.quantile_type.german()));
        ui.weak(format!(
            "berechnet in {} ms",
            number(doc.compute_time().as_secs_f64() * 1000.0, 1)
        ));
    });
}

fn flags_text(flags: &[Flag]) -> String {
    flags
        .iter()
        .map(|f| f.german())
        .collect::<Vec<_>>()
        .join("; ")
}

/// The limit table.
fn limit_table(ui: &mut Ui, state: &AppState, doc: &Document, cmds: &mut Vec<Command>) {
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
    let extra = Extra {
        lift,
        wogg,
        avail,
        heating,
        total,
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
                        if c.fallback_applied {
                            ui.colored_label(
                                ui.visuals().warn_fg_color,
                                RichText::new(euro_opt(c.applied_gross_cold)).strong(),
                            )
                            .on_hover_text(format!(
                                "WoGG-Rückfall: Für diesen Vergleichsraum gilt der WoGG-Wert mit Sicherheitszuschlag; Konzeptwert {}.",
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

/// The "je weitere Person" row of a Vergleichsraum.
/// Which optional columns the limit table shows.
struct Extra {
    lift: bool,
    wogg: bool,
    avail: bool,
    heating: bool,
    total: bool,
}

fn further_row(ui: &mut Ui, doc: &Document, vr: usize, extra: &Extra) {
    let Some(v) = doc.analysis().vergleichsraeume.get(vr) else {
        return;
    };
    ui.label("");
    ui.label(RichText::new("je weitere Person").italics());
    ui.label(format!("+{} m²", number(v.further_area_m2, 1)));
    ui.label("");
    let nkm_m2 = v
        .further_person
        .filter(|_| v.further_area_m2 > 0.0)
        .map(|l| l.net_cold / v.further_area_m2);
    ui.label(per_m2_opt(nkm_m2));
    ui.label("");
    ui.label(euro_opt(v.further_person.map(|l| l.net_cold)));
    ui.label(euro_opt(v.further_person.map(|l| l.operating_costs)));
    ui.label(RichText::new(euro_opt(v.further_person.map(|l| l.gross_cold))).italics());
    if extra.lift {
        ui.label(euro_opt(v.further_person_lift.map(|l| l.gross_cold)));
    }
    let blanks = [extra.heating, extra.total, extra.wogg, extra.avail]
        .iter()
        .filter(|x| **x)
        .count();
    for _ in 0..=blanks {
        ui.label("");
    }
    ui.end_row();
}

/// Coverage of the Mietwohnungsbestand per Vergleichsraum and, with weighting, the share of
/// private landlords in the sample next to the market share.
fn coverage_table(ui: &mut Ui, doc: &Document) {
    let analysis = doc.analysis();
    if analysis.vergleichsraeume.is_empty() {
        return;
    }
    let r = &doc.project().parameters.representativeness;
    let weighting = r.weighting;
    egui::CollapsingHeader::new("Abdeckung und Vermietertyp je Vergleichsraum")
        .id_salt("coverage_header")
        .default_open(true)
        .show(ui, |ui| {
            egui::Grid::new("coverage_grid")
                .striped(true)
                .spacing([14.0, 2.0])
                .show(ui, |ui| {
                    let mut headers = vec![
                        "Vergleichsraum",
                        "Abdeckung (Bestandsmieten / Mietwohnungen)",
                        "privat in der Stichprobe",
                    ];
                    if weighting {
                        headers.extend(["privat am Markt", "Gewichtung"]);
                    }
                    for h in headers {
                        ui.label(RichText::new(h).strong());
                    }
                    ui.end_row();
                    for (i, v) in analysis.vergleichsraeume.iter().enumerate() {
                        ui.label(&v.name);
                        let cov = &v.coverage;
                        match cov.share {
                            Some(share) => {
                                let color = if share < r.coverage_error {
                                    ui.visuals().error_fg_color
                                } else if share < r.coverage_warn {
                                    ui.visuals().warn_fg_color
                                } else {
                                    ui.visuals().text_color()
                                };
                                ui.colored_label(
                                    color,
                                    format!(
                                        "{} / {} = {}",
                                        number(cov.n_bestand as f64, 0),
                                        number(f64::from(cov.mietwohnungen), 0),
                                        percent(share)
                                    ),
                                )
                                .on_hover_text(format!(
                                    "Warnung unter {}, Fehler unter {} des Mietwohnungsbestands",
                                    percent(r.coverage_warn),
                                    percent(r.coverage_error)
                                ));
                            }
                            None => {
                                ui.label(format!(
                                    "{} Bestandsmieten; Mietwohnungsbestand nicht angegeben",
                                    number(cov.n_bestand as f64, 0)
                                ));
                            }
                        }
                        ui.label(
                            v.sample_share_privat
                                .map_or_else(|| "–".to_string(), percent),
                        );
                        if weighting {
                            ui.label(
                                v.market_share_privat
                                    .map_or_else(|| "nicht angegeben".to_string(), percent),
                            );
                            let weighted = analysis.cells.iter().any(|c| c.vr == i && c.weighted);
                            ui.label(if weighted {
                                "nachgewichtet"
                            } else if v.market_share_privat.is_none() {
                                "ohne (kein Marktanteil)"
                            } else {
                                "ohne (nur ein Vermietertyp bekannt)"
                            });
                        }
                        ui.end_row();
                    }
                });
        });
}

/// The Fortschreibung of old limits (old → new), when configured.
fn fortschreibung_table(ui: &mut Ui, doc: &Document) {
    let Some(f) = &doc.project().parameters.fortschreibung else {
        return;
    };
    let result = doc.analysis().fortschreibung.as_ref();
    egui::CollapsingHeader::new("Fortschreibung alter Richtwerte: alt und neu")
        .id_salt("fortschreibung_header")
        .default_open(true)
        .show(ui, |ui| {
            let Some(res) = result else {
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    "Keine Fortschreibung möglich: Die alten Indexwerte müssen größer als null sein.",
                );
                return;
            };
            ui.horizontal_wrapped(|ui| {
                ui.label(format!(
                    "Faktor Nettokaltmiete {} ({}), Faktor Betriebskosten {} ({})",
                    number(res.factor_nkm, 4),
                    if f.index_nkm.series.is_empty() {
                        "–"
                    } else {
                        f.index_nkm.series.as_str()
                    },
                    number(res.factor_bk, 4),
                    if f.index_bk.series.is_empty() {
                        "–"
                    } else {
                        f.index_bk.series.as_str()
                    },
                ));
                if let Some(old) = f.old_stichtag {
                    ui.separator();
                    let stichtag = doc.project().project.stichtag;
                    if old < stichtag.minus_years(2) {
                        ui.colored_label(
                            ui.visuals().warn_fg_color,
                            format!(
                                "Konzept vom {}: älter als zwei Jahre, Neuerhebung fällig",
                                old.german()
                            ),
                        );
                    } else {
                        ui.label(format!("Konzept vom {}", old.german()));
                    }
                }
            });
            if res.rows.is_empty() {
                ui.label("Keine alten Richtwerte erfasst (Parameter, Abschnitt Fortschreibung).");
                return;
            }
            egui::Grid::new("fortschreibung_grid")
                .striped(true)
                .spacing([14.0, 2.0])
                .show(ui, |ui| {
                    for h in [
                        "Vergleichsraum",
                        "Haushalt",
                        "NKM alt",
                        "BK alt",
                        "Bruttokaltmiete alt",
                        "NKM neu",
                        "BK neu",
                        "Bruttokaltmiete neu",
                        "neu berechnet",
                    ] {
                        ui.label(RichText::new(h).strong());
                    }
                    ui.end_row();
                    for row in &res.rows {
                        ui.label(&row.vergleichsraum);
                        ui.label(persons(row.household_size));
                        ui.label(euro(row.old_net_cold));
                        ui.label(euro(row.old_operating_costs));
                        ui.label(euro(row.old_gross_cold));
                        ui.label(euro(row.new_net_cold));
                        ui.label(euro(row.new_operating_costs));
                        ui.label(RichText::new(euro(row.new_gross_cold)).strong());
                        let current = doc
                            .analysis
                            .cells
                            .iter()
                            .find(|c| {
                                c.vergleichsraum == row.vergleichsraum
                                    && c.household_size == row.household_size
                            })
                            .and_then(|c| c.limits.map(|l| l.gross_cold));
                        ui.label(euro_opt(current))
                            .on_hover_text("Richtwert dieser Auswertung für dasselbe Tabellenfeld");
                        ui.end_row();
                    }
                });
        });
}

/// Warnings of the current analysis.
fn warnings(ui: &mut Ui, doc: &Document) {
    let list = &doc.analysis().warnings;
    let title = if list.is_empty() {
        "Hinweise und Warnungen (keine)".to_string()
    } else {
        format!("Hinweise und Warnungen ({})", list.len())
    };
    egui::CollapsingHeader::new(title)
        .id_salt("warnings_header")
        .default_open(true)
        .show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt("warnings_scroll")
                .max_height(150.0)
                .show(ui, |ui| {
                    let mut sorted: Vec<_> = list.iter().collect();
                    sorted.sort_by_key(|w| std::cmp::Reverse(w.severity));
                    for w in sorted {
                        let prefix = match w.criterion {
                            Some(k) => format!("{} ({k})", severity_german(w.severity)),
                            None => severity_german(w.severity).to_string(),
                        };
                        ui.horizontal_wrapped(|ui| {
                            ui.colored_label(
                                severity_color(ui, w.severity),
                                RichText::new(prefix).strong(),
                            );
                            ui.label(&w.text);
                        });
                    }
                });
        });
}

/// Figures and plots of the selected cell.
fn cell_detail(ui: &mut Ui, doc: &Document, cell: &CellResult) {
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
            "Referenzmiete: {} ({}, n = {})",
            per_m2_opt(cell.net_rent_per_m2),
            p_text,
            number(cell.n as f64, 0)
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
            "Extremwerte: {} unten, {} oben",
            cell.outliers.n_low, cell.outliers.n_high
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
            ui.label(format!(
                "Konfidenzintervall ({}): {} bis {} €/m²",
                percent(ci.coverage),
                number(ci.lower, 2),
                number(ci.upper, 2)
            ));
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
                "Heizkosten-Grenzwert: {} monatlich{}",
                euro(h),
                boundary.map_or_else(String::new, |b| format!(
                    " ({} × {} m²{}; {}, {})",
                    per_m2_opt(Some(b)),
                    number(cell.area_m2, 1),
                    match heating.table.unit {
                        crate::tables::heizspiegel::PeriodUnit::PerMonth => "",
                        crate::tables::heizspiegel::PeriodUnit::PerYear => " ÷ 12",
                    },
                    heating.energietraeger,
                    heating.table.edition
                ))
            ));
            if let Some(t) = cell.total_limit {
                ui.separator();
                ui.label(
                    RichText::new(format!(
                        "Gesamtangemessenheitsgrenze: {} (Bruttokaltmiete {} + Heizkosten {})",
                        euro(t),
                        euro_opt(cell.limits.map(|l| l.gross_cold)),
                        euro(h)
                    ))
                    .strong(),
                );
            }
        });
    }
    if let Some(w) = cell.welfare_share {
        ui.label(format!(
            "Anteil Mietwerte mit Leistungsbezug: {}",
            percent(w)
        ));
    }
    if let Some(a) = &cell.availability {
        availability_detail(ui, cell, a);
    }

    let Some(prepared) = doc.prep().cell(cell.vr, cell.household_size as usize - 1) else {
        return;
    };
    let values = &prepared.values;
    let (lo, hi) = cell.outliers.kept;
    let kept = values.get(lo..hi).unwrap_or(&[]);
    let height = 220.0;
    ui.add_space(6.0);
    ui.columns(2, |cols| {
        cols[0].label(RichText::new("Häufigkeitsverteilung NKM €/m²").strong());
        plots::histogram_plot(&mut cols[0], values, cell, height);
        cols[1].label(RichText::new("Empirische Verteilungsfunktion").strong());
        plots::ecdf_plot(&mut cols[1], kept, cell, height);
    });
    ui.add_space(6.0);
    ui.columns(2, |cols| {
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
        plots::funnel_plot(&mut cols[1], "plot_funnel_cell", &stages, height);
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
                });
        });
}

/// Availability check of the selected cell: figures, curve, offers per Gemeinde, iteration log.
fn availability_detail(
    ui: &mut Ui,
    cell: &CellResult,
    a: &crate::analysis::availability::AvailabilityResult,
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
            "Verfügbarkeit: {} von {} Angeboten zur Grenze anmietbar ({}; Zielanteil {}){}",
            a.n_affordable,
            a.n_offers,
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
    ui.columns(2, |cols| {
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
            "Iterationsprotokoll ({} Schritte)",
            a.iteration.len()
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

/// Hover text of the WoGG comparison.
fn wogg_text(w: &crate::analysis::compute::WoggComparison) -> String {
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

fn bound_text(v: f64) -> String {
    if v.is_finite() {
        format!("{} €/m²", number(v, 2))
    } else {
        "–".to_string()
    }
}
