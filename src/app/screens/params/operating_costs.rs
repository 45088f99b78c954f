//! The table of kalte Betriebskosten per Vergleichsraum (`operating_costs.vergleichsraeume`):
//! a Vergleichsraum may take its BK from the records or from an external value with its source
//! and year, differing from the project's choice (docs/METHOD.md §2.9).

use super::Rows;
use crate::analysis::Analysis;
use crate::app::widgets::{combo, drag_de, per_m2_opt};
use crate::model::params::{BkSource, VrBk};
use egui::{RichText, Ui};

/// The per-Vergleichsraum BK table with the value the last run used.
pub(super) fn vr_bk_ui(ui: &mut Ui, rows: &mut Rows<'_>, an: &Analysis) {
    let key = "operating_costs.vergleichsraeume";
    ui.add_space(6.0);
    ui.label(RichText::new("Betriebskosten je Vergleichsraum").strong())
        .on_hover_text(
            "Ein Vergleichsraum kann eine eigene Quelle der kalten Betriebskosten erhalten, z. B. einen externen Wert, wo die Datensätze keine Betriebskosten enthalten. Ohne eigene Angabe gilt die Quelle des Projekts (oben). Ein externer Wert braucht eine Quellenangabe.",
        );
    let mut p = rows.params.clone();
    let mut changed = false;
    let names = rows.project.vergleichsraum_names();
    let lift = p.operating_costs.lift_split;
    egui::Grid::new("vr_bk_grid")
        .striped(true)
        .spacing([12.0, 4.0])
        .show(ui, |ui| {
            let mut headers = vec!["Vergleichsraum", "eigene Angabe", "Quelle", "€/m²"];
            if lift {
                headers.push("mit Aufzug €/m²");
            }
            headers.extend(["Quellenangabe", "Jahr", "verwendet"]);
            for h in headers {
                ui.label(RichText::new(h).strong());
            }
            ui.end_row();
            for name in &names {
                let list = &mut p.operating_costs.vergleichsraeume;
                let idx = list.iter().position(|v| &v.vergleichsraum == name);
                let l = ui.label(name);
                let mut on = idx.is_some();
                if ui
                    .checkbox(&mut on, "")
                    .accessible_name(format!("Eigene Betriebskosten, {name}"))
                    .changed()
                {
                    match idx {
                        Some(i) if !on => {
                            list.remove(i);
                        }
                        None if on => list.push(VrBk {
                            vergleichsraum: name.clone(),
                            ..VrBk::default()
                        }),
                        _ => {}
                    }
                    changed = true;
                }
                let idx = list.iter().position(|v| &v.vergleichsraum == name);
                match idx.and_then(|i| list.get_mut(i)) {
                    Some(v) => changed |= entry_ui(ui, l.id, name, v, lift),
                    None => {
                        let blanks = if lift { 5 } else { 4 };
                        for _ in 0..blanks {
                            ui.weak("–");
                        }
                    }
                }
                let vr = an.vergleichsraeume.iter().find(|v| &v.name == name);
                ui.label(per_m2_opt(vr.and_then(|v| v.bk.per_m2)));
                ui.end_row();
            }
        });
    if changed {
        rows.commit(p, key);
    }
}

/// The editable fields of one entry; true when changed.
fn entry_ui(ui: &mut Ui, label: egui::Id, name: &str, v: &mut VrBk, lift: bool) -> bool {
    let mut changed = combo(
        ui,
        &format!("vr_bk_source_{name}"),
        label,
        &mut v.source,
        &[
            (BkSource::Records, BkSource::Records.german()),
            (BkSource::External, BkSource::External.german()),
        ],
    );
    let external = v.source == BkSource::External;
    changed |= ui
        .add_enabled(
            external,
            drag_de(&mut v.per_m2, 2)
                .range(0.0..=20.0)
                .speed(0.01)
                .suffix(" €/m²"),
        )
        .accessible_name(format!("Betriebskosten je m², {name}"))
        .changed();
    if lift {
        let mut on = v.per_m2_lift.is_some();
        let mut value = v.per_m2_lift.unwrap_or(v.per_m2);
        ui.horizontal(|ui| {
            let a = ui
                .add_enabled(external, egui::Checkbox::without_text(&mut on))
                .accessible_name(format!("Wert mit Aufzug angeben, {name}"))
                .changed();
            let b = ui
                .add_enabled(
                    external && on,
                    drag_de(&mut value, 2)
                        .range(0.0..=20.0)
                        .speed(0.01)
                        .suffix(" €/m²"),
                )
                .accessible_name(format!("Betriebskosten je m² mit Aufzug, {name}"))
                .changed();
            if a || b {
                v.per_m2_lift = on.then_some(value);
                changed = true;
            }
        });
    }
    changed |= ui
        .add_enabled(
            external,
            egui::TextEdit::singleline(&mut v.source_text)
                .id_salt(("vr_bk_text", name))
                .hint_text("z. B. Betriebskostenspiegel, Jahr")
                .desired_width(260.0),
        )
        .accessible_name(format!("Quellenangabe der Betriebskosten, {name}"))
        .changed();
    let mut year_on = v.year.is_some();
    let mut year = v.year.unwrap_or(2024);
    ui.horizontal(|ui| {
        let a = ui
            .add_enabled(external, egui::Checkbox::without_text(&mut year_on))
            .accessible_name(format!("Jahr angeben, {name}"))
            .changed();
        let b = ui
            .add_enabled(
                external && year_on,
                egui::DragValue::new(&mut year).range(1990..=2100),
            )
            .accessible_name(format!("Jahr der Betriebskosten, {name}"))
            .changed();
        if a || b {
            v.year = year_on.then_some(year);
            changed = true;
        }
    });
    changed
}
