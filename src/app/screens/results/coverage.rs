//! Coverage of the Mietwohnungsbestand and the Vermietertyp per Vergleichsraum.

use crate::app::state::Document;
use crate::fmt::{number, percent};
use egui::{RichText, Ui};

/// Coverage of the Mietwohnungsbestand per Vergleichsraum and, with weighting, the share of
/// private landlords in the sample next to the market share.
pub(super) fn coverage_table(ui: &mut Ui, doc: &Document) {
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
