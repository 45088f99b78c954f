//! Vergleichsräume screen: the Gemeinde table with coverage (K1) and the mapping to
//! Vergleichsräume, and the justification text per Vergleichsraum.

use crate::app::forms::Forms;
use crate::app::state::{AppState, Command};
use crate::app::widgets::{no_project, section};
use crate::fmt::number;
use egui::{RichText, Ui};

/// Draws the Vergleichsräume screen.
pub fn regions_ui(ui: &mut Ui, state: &AppState, forms: &mut Forms, cmds: &mut Vec<Command>) {
    let Some(doc) = &state.doc else {
        no_project(ui);
        return;
    };
    let project = doc.project();
    let coverage = &doc.prep.coverage;
    let vr_names = project.vergleichsraum_names();
    ui.heading("Vergleichsräume und Gemeinden");
    ui.label(
        "Die Datenerhebung muss den gesamten Vergleichsraum abdecken (BSG-Kriterium K1). Gemeinden ohne verwertbare Mietwerte sind rot markiert.",
    );

    section(ui, "Begründung je Vergleichsraum");
    if vr_names.is_empty() {
        ui.label(
            "Noch keine Vergleichsräume: Bitte die Gemeinden unten einem Vergleichsraum zuordnen.",
        );
    }
    for name in &vr_names {
        let n_gemeinden = project
            .gemeinden
            .iter()
            .filter(|g| &g.vergleichsraum == name)
            .count();
        let n_used = doc
            .analysis
            .vergleichsraeume
            .iter()
            .find(|v| &v.name == name)
            .map_or(0, |v| v.n_used);
        let current = project
            .vergleichsraeume
            .iter()
            .find(|v| &v.name == name)
            .map(|v| v.begruendung.clone())
            .unwrap_or_default();
        let fallback = project
            .vergleichsraeume
            .iter()
            .find(|v| &v.name == name)
            .is_some_and(|v| v.ohne_konzept);
        let mut text = current.clone();
        let label = ui
            .horizontal(|ui| {
                let label = ui.label(RichText::new(name).strong()).on_hover_text(
                    "Warum ist dieser Vergleichsraum ein homogener Lebens- und Wohnbereich?",
                );
                ui.weak(format!(
                    "{} Gemeinden, {} verwendete Mietwerte",
                    n_gemeinden,
                    number(n_used as f64, 0)
                ));
                label
            })
            .inner;
        let response = ui
            .add(
                egui::TextEdit::multiline(&mut text)
                    .id_salt(("vr_begruendung", name))
                    .desired_rows(2)
                    .desired_width(f32::INFINITY)
                    .hint_text(format!(
                        "Begründung für {name} (homogener Lebens- und Wohnbereich)"
                    )),
            )
            .labelled_by(label.id);
        let mut on = fallback;
        if ui
            .checkbox(
                &mut on,
                format!("{name}: kein schlüssiges Konzept – WoGG-Wert mit Sicherheitszuschlag anwenden"),
            )
            .on_hover_text(
                "Wenn für diesen Vergleichsraum kein schlüssiges Konzept erstellt werden kann, gelten die Werte der Wohngeldtabelle zuzüglich Sicherheitszuschlag (BSG B 4 AS 87/12 R).",
            )
            .changed()
        {
            cmds.push(Command::SetVrFallback {
                vr: name.clone(),
                on,
            });
        }
        if response.changed() && text != current {
            cmds.push(Command::SetVrJustification {
                vr: name.clone(),
                text,
            });
        }
    }

    section(ui, "Gemeinden");
    ui.horizontal(|ui| {
        let l = ui.label("Filter:");
        ui.add(
            egui::TextEdit::singleline(&mut forms.gemeinde_filter)
                .hint_text("Name, AGS oder Vergleichsraum")
                .desired_width(260.0),
        )
        .labelled_by(l.id);
        let zero = coverage.iter().filter(|c| c.n_reference == 0).count();
        if zero > 0 {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!("{zero} Gemeinde(n) ohne verwertbare Mietwerte"),
            );
        }
    });
    let filter = forms.gemeinde_filter.trim().to_lowercase();
    egui::ScrollArea::vertical()
        .id_salt("gemeinden_scroll")
        .max_height(480.0)
        .show(ui, |ui| {
            egui::Grid::new("gemeinden_grid")
                .striped(true)
                .spacing([16.0, 4.0])
                .show(ui, |ui| {
                    for h in [
                        "AGS",
                        "Gemeinde",
                        "Vergleichsraum",
                        "Einwohner",
                        "Mietwohnungen",
                        "Mietwerte verwendet",
                        "Datensätze gesamt",
                        "davon Angebote",
                    ] {
                        ui.label(RichText::new(h).strong());
                    }
                    ui.end_row();
                    for (i, g) in project.gemeinden.iter().enumerate() {
                        if !filter.is_empty()
                            && !g.name.to_lowercase().contains(&filter)
                            && !g.ags.contains(&filter)
                            && !g.vergleichsraum.to_lowercase().contains(&filter)
                        {
                            continue;
                        }
                        let cov = coverage.get(i).cloned().unwrap_or_default();
                        let red = cov.n_reference == 0;
                        let color = if red {
                            ui.visuals().error_fg_color
                        } else {
                            ui.visuals().text_color()
                        };
                        ui.colored_label(color, if g.ags.is_empty() { "–" } else { &g.ags });
                        let name_label = ui.colored_label(color, &g.name);
                        let mut vr = g.vergleichsraum.clone();
                        egui::ComboBox::from_id_salt(("gemeinde_vr", i))
                            .selected_text(if vr.is_empty() { "(keiner)" } else { &vr })
                            .show_ui(ui, |ui| {
                                ui.selectable_value(&mut vr, String::new(), "(keiner)");
                                for name in &vr_names {
                                    ui.selectable_value(&mut vr, name.clone(), name);
                                }
                            })
                            .response
                            .labelled_by(name_label.id)
                            .on_hover_text(format!("Vergleichsraum der Gemeinde {}", g.name));
                        if vr != g.vergleichsraum {
                            cmds.push(Command::AssignGemeinde { index: i, vr });
                        }
                        ui.label(g.einwohner.map_or("–".into(), |n| number(f64::from(n), 0)));
                        ui.label(
                            g.mietwohnungen
                                .map_or("–".into(), |n| number(f64::from(n), 0)),
                        );
                        ui.colored_label(color, number(cov.n_reference as f64, 0));
                        ui.label(number(cov.n_assigned as f64, 0));
                        ui.label(number(cov.n_offers as f64, 0));
                        ui.end_row();
                    }
                });
        });
}
