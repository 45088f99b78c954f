//! Szenarien screen: save the current parameters under a name, take a scenario over, compare
//! two scenarios side by side (limits, differences, differing parameters).

use super::params::persons;
use crate::app::forms::Forms;
use crate::app::state::{AppState, Command, ScenarioRef};
use crate::app::widgets::{euro_opt, no_project, per_m2_opt, section};
use crate::fmt::{euro, number};
use crate::model::params::Parameters;
use egui::{RichText, Ui};

/// Draws the scenarios screen.
pub fn scenarios_ui(ui: &mut Ui, state: &AppState, forms: &mut Forms, cmds: &mut Vec<Command>) {
    let Some(doc) = state.doc() else {
        no_project(ui);
        return;
    };
    ui.heading("Szenarien");
    ui.label(
        "Szenarien halten Parametersätze für den Vergleich fest. Sie gehören zum Projekt und werden mit ihm gespeichert, gehen aber nicht in die Exporte ein; maßgeblich sind die aktuellen Parameter.",
    );

    section(ui, "Aktuelle Parameter als Szenario speichern");
    ui.horizontal(|ui| {
        let l = ui.label("Name:");
        let r = ui
            .add(
                egui::TextEdit::singleline(&mut forms.scenario_name)
                    .hint_text("z. B. P40 mit Trimmen")
                    .desired_width(300.0),
            )
            .labelled_by(l.id);
        let enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if ui.button("Als Szenario speichern").clicked() || enter {
            cmds.push(Command::SaveScenario(forms.scenario_name.clone()));
        }
    });

    section(ui, "Gespeicherte Szenarien");
    if state.scenarios().is_empty() {
        ui.label("Noch keine Szenarien gespeichert.");
    } else {
        egui::Grid::new("scenario_list")
            .striped(true)
            .spacing([14.0, 4.0])
            .show(ui, |ui| {
                for h in ["Name", "Parameter", "", ""] {
                    ui.label(RichText::new(h).strong());
                }
                ui.end_row();
                for (i, s) in state.scenarios().iter().enumerate() {
                    ui.label(&s.name);
                    ui.label(short_description(&s.parameters));
                    if ui
                        .button("Übernehmen")
                        .on_hover_text(format!(
                            "Die Parameter von „{}“ in das Projekt übernehmen (mit Strg+Z rückgängig)",
                            s.name
                        ))
                        .clicked()
                    {
                        cmds.push(Command::ApplyScenario(i));
                    }
                    if ui
                        .button("Löschen")
                        .on_hover_text(format!("Szenario „{}“ löschen", s.name))
                        .clicked()
                    {
                        cmds.push(Command::DeleteScenario(i));
                    }
                    ui.end_row();
                }
            });
    }

    section(ui, "Vergleich");
    let name_of = |r: ScenarioRef| match r {
        ScenarioRef::Current => "Aktueller Stand".to_string(),
        ScenarioRef::Saved(i) => state
            .scenarios()
            .get(i)
            .map_or_else(|| "–".to_string(), |s| s.name.clone()),
    };
    let mut options = vec![ScenarioRef::Current];
    options.extend((0..state.scenarios().len()).map(ScenarioRef::Saved));
    let before = (forms.compare_a, forms.compare_b);
    ui.horizontal(|ui| {
        for (label, value, salt) in [
            ("A:", &mut forms.compare_a, "compare_a"),
            ("B:", &mut forms.compare_b, "compare_b"),
        ] {
            let l = ui.label(label);
            egui::ComboBox::from_id_salt(salt)
                .selected_text(name_of(*value))
                .show_ui(ui, |ui| {
                    for o in &options {
                        ui.selectable_value(value, *o, name_of(*o));
                    }
                })
                .response
                .labelled_by(l.id);
        }
        if ui.button("Vergleichen").clicked() {
            cmds.push(Command::Compare {
                a: forms.compare_a,
                b: forms.compare_b,
            });
        }
    });
    if (forms.compare_a, forms.compare_b) != before {
        cmds.push(Command::Compare {
            a: forms.compare_a,
            b: forms.compare_b,
        });
    }
    let Some(c) = state.comparison() else {
        ui.label("Zwei Szenarien wählen, um ihre Grenzen nebeneinander zu sehen.");
        return;
    };
    let params_of = |r: ScenarioRef| -> Option<Parameters> {
        match r {
            ScenarioRef::Current => Some(doc.project().parameters.clone()),
            ScenarioRef::Saved(i) => state.scenarios().get(i).map(|s| s.parameters.clone()),
        }
    };
    if let (Some(pa), Some(pb)) = (params_of(c.a), params_of(c.b)) {
        let diffs = parameter_differences(&pa, &pb);
        if diffs.is_empty() {
            ui.label("Die Parameter beider Szenarien sind gleich.");
        } else {
            ui.label(RichText::new("Unterschiedliche Parameter:").strong());
            for (key, a, b) in diffs {
                ui.label(format!("{key}: A = {a}, B = {b}"));
            }
        }
    }
    ui.add_space(6.0);
    if let Some((ia, ib)) = &c.impact {
        ui.label(RichText::new("Wirkung auf die Bedarfsgemeinschaften:").strong());
        for (name, i) in [(&c.a_name, ia), (&c.b_name, ib)] {
            ui.label(format!(
                "{name}: {} von {} über dem geltenden Richtwert, zusammen {} im Jahr",
                number(i.above_limit as f64, 0),
                number(i.assessed as f64, 0),
                euro(i.yearly_sum_above)
            ));
        }
        let households = ib.above_limit as f64 - ia.above_limit as f64;
        let money = ib.yearly_sum_above - ia.yearly_sum_above;
        ui.label(format!(
            "B gegenüber A: {}{} Bedarfsgemeinschaften über dem Richtwert, {}{} im Jahr",
            if households > 0.0 { "+" } else { "" },
            number(households, 0),
            if money > 0.005 { "+" } else { "" },
            euro(money)
        ));
        ui.add_space(6.0);
    }
    let with_impact = c.impact.is_some();
    egui::ScrollArea::both()
        .id_salt("comparison_scroll")
        .max_height(460.0)
        .show(ui, |ui| {
            egui::Grid::new("comparison_grid")
                .striped(true)
                .spacing([14.0, 4.0])
                .show(ui, |ui| {
                    let a = &c.a_name;
                    let b = &c.b_name;
                    for h in [
                        "Vergleichsraum".to_string(),
                        "Haushalt".to_string(),
                        format!("verwendet ({a})"),
                        format!("NKM €/m² ({a})"),
                        format!("Bruttokaltmiete ({a})"),
                        format!("verwendet ({b})"),
                        format!("NKM €/m² ({b})"),
                        format!("Bruttokaltmiete ({b})"),
                        "Differenz".to_string(),
                        "Differenz %".to_string(),
                    ] {
                        ui.label(RichText::new(h).strong());
                    }
                    if with_impact {
                        for h in [
                            format!("über Richtwert ({a})"),
                            format!("€/Jahr darüber ({a})"),
                            format!("über Richtwert ({b})"),
                            format!("€/Jahr darüber ({b})"),
                        ] {
                            ui.label(RichText::new(h).strong());
                        }
                    }
                    ui.end_row();
                    for row in &c.rows {
                        ui.label(&row.vergleichsraum);
                        ui.label(persons(row.household_size));
                        for side in [row.a, row.b] {
                            ui.label(side.map_or("–".into(), |f| number(f.n as f64, 0)));
                            ui.label(per_m2_opt(side.and_then(|f| f.net_rent_per_m2)));
                            ui.label(euro_opt(side.and_then(|f| f.gross_cold)));
                        }
                        let ga = row.a.and_then(|f| f.gross_cold);
                        let gb = row.b.and_then(|f| f.gross_cold);
                        match ga.zip(gb) {
                            Some((x, y)) => {
                                let d = y - x;
                                let color = if d > 0.005 {
                                    ui.visuals().warn_fg_color
                                } else if d < -0.005 {
                                    crate::app::widgets::success_color(ui)
                                } else {
                                    ui.visuals().text_color()
                                };
                                let sign = if d > 0.005 { "+" } else { "" };
                                ui.colored_label(color, format!("{sign}{}", euro(d)));
                                if x.abs() > 0.0 {
                                    ui.colored_label(
                                        color,
                                        format!("{sign}{} %", number(d / x * 100.0, 1)),
                                    );
                                } else {
                                    ui.label("–");
                                }
                            }
                            None => {
                                ui.label("–");
                                ui.label("–");
                            }
                        }
                        if with_impact {
                            for side in [row.a, row.b] {
                                let above = side.and_then(|f| f.above);
                                ui.label(above.map_or("–".into(), |x| number(x.0 as f64, 0)));
                                ui.label(euro_opt(above.map(|x| x.1)));
                            }
                        }
                        ui.end_row();
                    }
                });
        });
}

/// A one-line description of the main parameters.
pub fn short_description(p: &Parameters) -> String {
    let method = match p.reference.effective_p() {
        Some(x) if p.reference.method == crate::model::params::ReferenceMethod::Percentile => {
            format!("P{}", number(x * 100.0, 0))
        }
        _ => p.reference.method.german().to_string(),
    };
    format!(
        "{method} · Typ {} · {} · k {}",
        p.quantile_type.number(),
        p.outliers.method.german(),
        number(p.outliers.k, 2)
    )
}

/// The parameters that differ between `a` and `b`: (dotted key, value in a, value in b).
pub fn parameter_differences(a: &Parameters, b: &Parameters) -> Vec<(String, String, String)> {
    let (Ok(ta), Ok(tb)) = (toml::Value::try_from(a), toml::Value::try_from(b)) else {
        return Vec::new();
    };
    let mut fa = Vec::new();
    let mut fb = Vec::new();
    flatten("", &ta, &mut fa);
    flatten("", &tb, &mut fb);
    let mut keys: Vec<&String> = fa
        .iter()
        .map(|x| &x.0)
        .chain(fb.iter().map(|x| &x.0))
        .collect();
    keys.sort();
    keys.dedup();
    let get = |list: &[(String, String)], k: &str| {
        list.iter()
            .find(|(key, _)| key == k)
            .map_or_else(|| "–".to_string(), |(_, v)| v.clone())
    };
    keys.into_iter()
        .filter_map(|k| {
            let (va, vb) = (get(&fa, k), get(&fb, k));
            (va != vb).then(|| (k.clone(), va, vb))
        })
        .collect()
}

fn flatten(prefix: &str, v: &toml::Value, out: &mut Vec<(String, String)>) {
    match v {
        toml::Value::Table(t) => {
            for (k, v) in t {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        toml::Value::Float(f) => out.push((prefix.to_string(), number(*f, 3))),
        other => out.push((prefix.to_string(), other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences() {
        let a = Parameters::default();
        let mut b = a.clone();
        assert!(parameter_differences(&a, &b).is_empty());
        b.reference.percentile = 0.4;
        let d = parameter_differences(&a, &b);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].0, "reference.percentile");
        assert_eq!(d[0].1, "0,330");
        assert_eq!(d[0].2, "0,400");
    }
}
