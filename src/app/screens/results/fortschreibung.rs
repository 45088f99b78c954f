//! The Fortschreibung of old limits on the Ergebnisse screen.

use crate::app::screens::params::persons;
use crate::app::state::Document;
use crate::app::widgets::euro_opt;
use crate::fmt::{euro, number};
use egui::{RichText, Ui};

/// The Fortschreibung of old limits (old → new), when configured.
pub(super) fn fortschreibung_table(ui: &mut Ui, doc: &Document) {
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
                            .analysis()
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
