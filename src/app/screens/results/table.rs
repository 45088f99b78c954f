//! The limit table of the Ergebnisse screen: one row per cell, a "je weitere Person" row per
//! Vergleichsraum; a click anywhere in a cell's row selects the cell, the header stays put
//! while the rows scroll.

use crate::analysis::{CellResult, Flag};
use crate::app::screens::params::persons;
use crate::app::state::{AppState, Command, Document};
use crate::app::widgets::{euro_opt, flag_color, per_m2_opt};
use crate::fmt::{euro, number, percent};
use egui::{RichText, Sense, Ui};
use egui_extras::{Column, TableBuilder, TableRow};

fn flags_text(flags: &[Flag]) -> String {
    flags
        .iter()
        .map(|f| f.german())
        .collect::<Vec<_>>()
        .join("; ")
}

/// One row of the limit table.
enum Row<'a> {
    /// A cell; `first` = the first row of its Vergleichsraum (shows the name).
    Cell { cell: &'a CellResult, first: bool },
    /// The "je weitere Person" row of a Vergleichsraum.
    Further(usize),
}

/// The limit table: a click anywhere in a cell's row selects the cell; the header stays
/// visible while the rows scroll.
pub(super) fn limit_table(ui: &mut Ui, state: &AppState, doc: &Document, cmds: &mut Vec<Command>) {
    let analysis = doc.analysis();
    if analysis.cells.is_empty() {
        ui.label("Keine Ergebnisse: Es sind keine Vergleichsräume mit Daten vorhanden.");
        return;
    }
    let extra = Extra {
        lift: analysis.cells.iter().any(|c| c.limits_lift.is_some()),
        wogg: analysis.cells.iter().any(|c| c.wogg.is_some()),
        avail: analysis.cells.iter().any(|c| c.availability.is_some()),
        heating: analysis.cells.iter().any(|c| c.heating_limit.is_some()),
        total: analysis.cells.iter().any(|c| c.total_limit.is_some()),
        karenzzeit: doc.project().parameters.karenzzeit.factor,
        impact: analysis.impact.is_some(),
    };
    let mut rows = Vec::with_capacity(analysis.cells.len() + analysis.vergleichsraeume.len());
    let mut last_vr = None;
    for c in &analysis.cells {
        if let Some(vr) = last_vr
            && vr != c.vr
        {
            rows.push(Row::Further(vr));
        }
        rows.push(Row::Cell {
            cell: c,
            first: last_vr != Some(c.vr),
        });
        last_vr = Some(c.vr);
    }
    if let Some(vr) = last_vr {
        rows.push(Row::Further(vr));
    }
    let headers = extra.headers();
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
    egui::ScrollArea::horizontal()
        .id_salt("limits_hscroll")
        .show(ui, |ui| {
            // Labels would take the click for text selection; the row takes it instead.
            ui.style_mut().interaction.selectable_labels = false;
            let mut table = TableBuilder::new(ui)
                .id_salt("limits_table")
                .striped(true)
                .sense(Sense::click())
                .max_scroll_height(380.0)
                .cell_layout(egui::Layout::left_to_right(egui::Align::Center));
            for _ in &headers {
                table = table.column(Column::auto().at_least(40.0));
            }
            table
                .header(row_height, |mut h| {
                    for title in &headers {
                        h.col(|ui| {
                            ui.label(RichText::new(*title).strong());
                        });
                    }
                })
                .body(|mut body| {
                    for r in &rows {
                        match r {
                            Row::Cell { cell, first } => body.row(row_height, |mut row| {
                                let key = (cell.vr, cell.household_size);
                                row.set_selected(state.selected() == Some(key));
                                cell_row(&mut row, cell, *first, &extra);
                                let response = row.response().on_hover_text(format!(
                                    "{}, {}: Verteilung und Abbildungen anzeigen",
                                    cell.vergleichsraum,
                                    persons(cell.household_size)
                                ));
                                if response.clicked() {
                                    cmds.push(Command::SelectCell {
                                        vr: cell.vr,
                                        household_size: cell.household_size,
                                    });
                                }
                            }),
                            Row::Further(vr) => body.row(row_height, |mut row| {
                                further_row(&mut row, doc, *vr, &extra);
                            }),
                        }
                    }
                });
        });
}

/// The columns of one cell's row, in the order of [`Extra::headers`].
fn cell_row(row: &mut TableRow<'_, '_>, c: &CellResult, first: bool, extra: &Extra) {
    row.col(|ui| {
        if first {
            ui.label(RichText::new(&c.vergleichsraum).strong());
        }
    });
    row.col(|ui| {
        ui.label(persons(c.household_size));
    });
    row.col(|ui| {
        ui.label(format!("{} m²", number(c.area_m2, 1)));
    });
    row.col(|ui| {
        let n_color = if c.flags.contains(&Flag::NBelowMin) || c.n == 0 {
            ui.visuals().warn_fg_color
        } else {
            ui.visuals().text_color()
        };
        ui.colored_label(n_color, number(c.n as f64, 0))
            .on_hover_text(format!(
                "{} im Tabellenfeld, davon {} nach der Extremwertkappung verwendet",
                number(c.n_in_cell as f64, 0),
                number(c.n as f64, 0)
            ));
    });
    row.col(|ui| {
        ui.label(per_m2_opt(c.net_rent_per_m2));
    });
    row.col(|ui| {
        ui.label(per_m2_opt(c.operating_costs_per_m2));
    });
    row.col(|ui| {
        ui.label(euro_opt(c.limits.map(|l| l.net_cold)));
    });
    row.col(|ui| {
        ui.label(euro_opt(c.limits.map(|l| l.operating_costs)));
    });
    row.col(|ui| {
        if !c.valid {
            // No valid concept limit: the WoGG fallback applies (per Gemeinde where they differ).
            let text = match c.applied_limit {
                Some(v) => euro(v),
                None if !c.applied_by_gemeinde.is_empty() => "WoGG je Gemeinde".to_string(),
                None => "–".to_string(),
            };
            ui.colored_label(ui.visuals().warn_fg_color, RichText::new(text).strong())
                .on_hover_text(format!(
                    "Kein gültiger Richtwert ({}). Es gilt der WoGG-Höchstbetrag mit Sicherheitszuschlag: {}. Rechnerischer Konzeptwert {}.",
                    c.invalid_german(),
                    c.applied_german(),
                    euro_opt(c.limits.map(|l| l.gross_cold))
                ));
        } else {
            ui.label(RichText::new(euro_opt(c.limits.map(|l| l.gross_cold))).strong());
        }
    });
    if extra.lift {
        row.col(|ui| {
            ui.label(euro_opt(c.limits_lift.map(|l| l.gross_cold)));
        });
    }
    if extra.heating {
        row.col(|ui| {
            ui.label(euro_opt(c.heating_limit));
        });
    }
    if extra.total {
        row.col(|ui| {
            ui.label(euro_opt(c.total_limit));
        });
    }
    if let Some(k) = extra.karenzzeit {
        row.col(|ui| {
            ui.label(c.karenzzeit_german()).on_hover_text(format!(
                "Grenze in der Karenzzeit: {} × geltende Grenze, gerundet wie die Tabelle (geplante Begrenzung der Karenzzeit; Rechtsgrundlage vom Anwender zu bestätigen).",
                number(k, 2)
            ));
        });
    }
    if extra.wogg {
        row.col(|ui| match &c.wogg {
            Some(w) => {
                ui.label(euro(w.value.with_surcharge))
                    .on_hover_text(wogg_text(w));
            }
            None => {
                ui.label("–");
            }
        });
    }
    if extra.avail {
        row.col(|ui| match &c.availability {
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
                        number(a.n_affordable as f64, 0),
                        number(a.n_offers as f64, 0),
                        a.share.map_or("–".into(), percent)
                    ),
                )
                .on_hover_text(format!("Zielanteil {}", percent(a.target_share)));
            }
            None => {
                ui.label("keine Angebote");
            }
        });
    }
    if extra.impact {
        row.col(|ui| impact_label(ui, c));
    }
    row.col(|ui| {
        if let Some(worst) = c.flags.iter().max() {
            ui.colored_label(flag_color(ui, *worst), flags_text(&c.flags));
        }
    });
}

/// The Wirkungsanalyse of a cell: households above the applied limit, with the money.
fn impact_label(ui: &mut Ui, c: &CellResult) {
    let Some(i) = &c.impact else {
        ui.label("–");
        return;
    };
    if i.households == 0 {
        ui.label("keine");
        return;
    }
    ui.label(format!(
        "{} von {} ({})",
        number(i.above_limit as f64, 0),
        number(i.assessed as f64, 0),
        i.share_above.map_or_else(|| "–".to_string(), percent)
    ))
    .on_hover_text(format!(
        "Bedarfsgemeinschaften über dem geltenden Richtwert: zusammen {} im Monat, {} im Jahr.{}{}",
        euro(i.monthly_sum_above),
        euro(i.yearly_sum_above),
        if i.not_assessed > 0 {
            format!(" {} ohne anwendbaren Richtwert.", number(i.not_assessed as f64, 0))
        } else {
            String::new()
        },
        if i.larger_households > 0 {
            format!(
                " Darunter {} mit mehr Personen als die größte Haushaltsgröße (Richtwert zuzüglich je weitere Person).",
                number(i.larger_households as f64, 0)
            )
        } else {
            String::new()
        }
    ));
}

/// Which optional columns the limit table shows.
struct Extra {
    lift: bool,
    wogg: bool,
    avail: bool,
    heating: bool,
    total: bool,
    /// The Karenzzeit factor, when the column is on.
    karenzzeit: Option<f64>,
    /// Recipients' data: households above the applied limit (Wirkungsanalyse).
    impact: bool,
}

impl Extra {
    /// The column titles, in the order the rows fill them.
    fn headers(&self) -> Vec<&'static str> {
        let mut headers = vec![
            "Vergleichsraum",
            "Haushalt",
            "Wohnfläche",
            "verwendet",
            "NKM €/m²",
            "BK €/m²",
            "NKM €",
            "BK €",
            "Bruttokaltmiete €",
        ];
        for (on, title) in [
            (self.lift, "mit Aufzug €"),
            (self.heating, "Heizkosten €"),
            (self.total, "Gesamtgrenze €"),
            (self.karenzzeit.is_some(), "Karenzzeit €"),
            (self.wogg, "WoGG + Zuschlag €"),
            (self.avail, "Angebote anmietbar"),
            (self.impact, "Bedarfsgemeinschaften darüber"),
        ] {
            if on {
                headers.push(title);
            }
        }
        headers.push("Hinweise");
        headers
    }
}

/// The "je weitere Person" row of a Vergleichsraum: the figures of
/// [`VrResult`](crate::analysis::VrResult), with the NKM €/m² they were computed
/// from (that of the Vergleichsraum's largest household size with a value, as in the workbook).
fn further_row(row: &mut TableRow<'_, '_>, doc: &Document, vr: usize, extra: &Extra) {
    let analysis = doc.analysis();
    let Some(v) = analysis.vergleichsraeume.get(vr) else {
        return;
    };
    let nkm_m2 = v
        .further_net_rent_per_m2
        .filter(|_| v.further_person.is_some());
    let texts = [
        RichText::new(""),
        RichText::new("je weitere Person").italics(),
        RichText::new(format!("+{} m²", number(v.further_area_m2, 1))),
        RichText::new(""),
        RichText::new(per_m2_opt(nkm_m2)),
        RichText::new(""),
        RichText::new(euro_opt(v.further_person.map(|l| l.net_cold))),
        RichText::new(euro_opt(v.further_person.map(|l| l.operating_costs))),
        RichText::new(euro_opt(v.further_person.map(|l| l.gross_cold))).italics(),
    ];
    for text in texts {
        row.col(|ui| {
            ui.label(text);
        });
    }
    if extra.lift {
        row.col(|ui| {
            ui.label(euro_opt(v.further_person_lift.map(|l| l.gross_cold)));
        });
    }
    let blanks = [
        extra.heating,
        extra.total,
        extra.karenzzeit.is_some(),
        extra.wogg,
        extra.avail,
        extra.impact,
    ]
    .iter()
    .filter(|x| **x)
    .count();
    for _ in 0..=blanks {
        row.col(|_| {});
    }
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
                ..Dataset::default()
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
