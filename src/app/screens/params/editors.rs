//! Table editors of the parameter screen: demand groups per household size, market shares per
//! Vergleichsraum, the Heizspiegel values and the Fortschreibung. Each edits a copy of the
//! parameters and pushes one `SetParameters` command (undoable) when something changed.

use super::{Rows, persons};
use crate::analysis::Analysis;
use crate::analysis::fortschreibung::fortschreibung;

use crate::app::widgets::{combo, date_full, date_live, drag_de, parsed_field};
use crate::fmt::{euro, number, percent};
use crate::model::Date;
use crate::model::params::{
    DemandRow, FortschreibungParams, IndexSeries, IterationStart, MarketShare, OldLimit,
    Parameters, ReferenceMethod,
};
use crate::tables::heizspiegel::{HeizspiegelTable, PeriodUnit, nienburg_2022_example};
use egui::{RichText, Ui};

/// Pushes the edited parameters as one undoable step.
fn commit(rows: &mut Rows<'_>, p: Parameters, key: &'static str) {
    rows.commit(p, key);
}

/// A bold table header cell.
fn head(ui: &mut Ui, text: &str) {
    ui.label(RichText::new(text).strong());
}

/// A band of beheizte Gebäudefläche as text: "bis 250 m²", "über 250 bis 500 m²".
fn band_text(lower: f64, upper: Option<f64>) -> String {
    let lo = number(lower, 0);
    match upper {
        Some(u) if lower <= 0.0 => format!("bis {} m²", number(u, 0)),
        Some(u) => format!("über {lo} bis {} m²", number(u, 0)),
        None => format!("über {lo} m²"),
    }
}

/// A single-line text field with an accessible name; returns true when changed.
fn text_field(ui: &mut Ui, value: &mut String, name: &str, width: f32) -> bool {
    // Inside a grid a text field only gets the column's previous width; the fixed size makes
    // the column as wide as asked.
    ui.add_sized(
        [width, ui.spacing().interact_size.y],
        egui::TextEdit::singleline(value)
            .id_salt(("param_text", name))
            .desired_width(width),
    )
    .accessible_name(name)
    .changed()
}

/// A date field (`TT.MM.JJJJ`) named by `label_id`: the typed text is kept while the field has
/// focus and taken whole when it loses the focus ([`parsed_field`]). Returns the value to
/// commit (`Some(None)`: emptied).
fn date_field(
    ui: &mut Ui,
    id_salt: &str,
    label_id: egui::Id,
    value: Option<Date>,
) -> Option<Option<Date>> {
    let id = ui.make_persistent_id(id_salt);
    let shown = value.map(Date::german).unwrap_or_default();
    let field = parsed_field(ui, id, &shown, 90.0, "TT.MM.JJJJ", date_live, date_full);
    field.response.labelled_by(label_id);
    if let Some(e) = &field.error {
        ui.colored_label(ui.visuals().error_fg_color, e);
    }
    field.value
}

/// Demand groups per household size (`availability.demand`) with the computed share dₕ.
pub(super) fn demand_ui(ui: &mut Ui, rows: &mut Rows<'_>) {
    let key = "availability.demand";
    ui.add_space(6.0);
    ui.label(RichText::new("Nachfragegruppen je Haushaltsgröße").strong())
        .on_hover_text(
            "Haushalte im unteren Marktsegment (Bedarfsgemeinschaften SGB II, Haushalte nach SGB XII, Wohngeldhaushalte, sonstige Niedrigeinkommensbezieher) im Verhältnis zu allen Mieterhaushalten derselben Größe. Der Anteil ist der Startwert des iterativen Verfahrens, wenn es beim Nachfrageanteil beginnt.",
        );
    let mut p = rows.params.clone();
    let mut changed = false;
    let sizes = p.wohnflaechen.household_sizes().max(1);
    egui::Grid::new("demand_grid")
        .striped(true)
        .spacing([12.0, 4.0])
        .show(ui, |ui| {
            for h in [
                "Haushalt",
                "Bedarfsgemeinschaften SGB II",
                "Haushalte SGB XII",
                "Wohngeld",
                "Niedrigeinkommen",
                "Mieterhaushalte",
                "Nachfrageanteil",
            ] {
                head(ui, h);
            }
            ui.end_row();
            for size in 1..=sizes {
                let existing = p
                    .availability
                    .demand
                    .iter()
                    .position(|d| d.household_size == size);
                let mut row = existing
                    .and_then(|i| p.availability.demand.get(i).cloned())
                    .unwrap_or(DemandRow {
                        household_size: size,
                        ..DemandRow::default()
                    });
                ui.label(persons(size));
                let mut row_changed = false;
                for (name, value) in [
                    ("Bedarfsgemeinschaften", &mut row.bedarfsgemeinschaften),
                    ("SGB XII", &mut row.sgb12),
                    ("Wohngeld", &mut row.wohngeld),
                    ("Niedrigeinkommen", &mut row.niedrigeinkommen),
                    ("Mieterhaushalte", &mut row.mieterhaushalte),
                ] {
                    row_changed |= ui
                        .add(drag_de(value, 0).range(0.0..=10_000_000.0).speed(1.0))
                        .accessible_name(format!("{name}, {}", persons(size)))
                        .changed();
                }
                match row.share() {
                    Some(s) if s > 1.0 => {
                        ui.colored_label(ui.visuals().warn_fg_color, percent(s))
                            .on_hover_text("mehr Nachfrager als Mieterhaushalte: Angaben prüfen");
                    }
                    Some(s) => {
                        ui.label(percent(s));
                    }
                    None => {
                        ui.weak("–");
                    }
                }
                if row_changed {
                    match existing {
                        Some(i) => p.availability.demand[i] = row,
                        None => {
                            p.availability.demand.push(row);
                            p.availability.demand.sort_by_key(|d| d.household_size);
                        }
                    }
                    changed = true;
                }
                ui.end_row();
            }
        });
    ui.horizontal(|ui| {
        if !p.availability.demand.is_empty() && ui.button("Nachfragetabelle leeren").clicked() {
            p.availability.demand.clear();
            changed = true;
        }
        let active = p.reference.method == ReferenceMethod::Iterative
            && p.availability.start == IterationStart::DemandShare;
        if active {
            ui.weak(format!(
                "Start des iterativen Verfahrens: Nachfrageanteil, mindestens {}.",
                number(p.availability.p_floor, 2)
            ));
        } else {
            ui.weak("Wirkt beim iterativen Verfahren mit Start beim Nachfrageanteil (siehe oben).");
        }
    });
    if changed {
        commit(rows, p, key);
    }
}

/// Market share of private landlords per Vergleichsraum with the sample share of the last run.
pub(super) fn market_shares_ui(ui: &mut Ui, rows: &mut Rows<'_>, an: &Analysis) {
    let key = "representativeness.market_shares";
    ui.add_space(6.0);
    ui.label(RichText::new("Marktanteil privater Vermieter je Vergleichsraum").strong())
        .on_hover_text(
            "Anteil der Mietwohnungen privater Kleinvermieter am Mietwohnungsmarkt des Vergleichsraums (z. B. Zensus). Bei eingeschalteter Gewichtung werden die Mietwerte so nachgewichtet, dass der Anteil privater Vermieter diesem Marktanteil entspricht. Daneben: Anteil in der Stichprobe (letzte Berechnung).",
        );
    let mut p = rows.params.clone();
    let mut changed = false;
    let names = rows.project.vergleichsraum_names();
    egui::Grid::new("market_shares_grid")
        .striped(true)
        .spacing([12.0, 4.0])
        .show(ui, |ui| {
            for h in [
                "Vergleichsraum",
                "angegeben",
                "Marktanteil privat",
                "Stichprobe privat",
                "Gewichtung",
            ] {
                head(ui, h);
            }
            ui.end_row();
            for name in &names {
                let shares = &mut p.representativeness.market_shares;
                let idx = shares.iter().position(|m| &m.vergleichsraum == name);
                let vr_index = an.vergleichsraeume.iter().position(|v| &v.name == name);
                let sample = vr_index
                    .and_then(|i| an.vergleichsraeume.get(i))
                    .and_then(|v| v.sample_share_privat);
                ui.label(name);
                let mut on = idx.is_some();
                if ui
                    .checkbox(&mut on, "")
                    .accessible_name(format!("Marktanteil angeben, {name}"))
                    .changed()
                {
                    match idx {
                        Some(i) if !on => {
                            shares.remove(i);
                        }
                        None if on => shares.push(MarketShare {
                            vergleichsraum: name.clone(),
                            privat: sample.unwrap_or(0.5),
                        }),
                        _ => {}
                    }
                    changed = true;
                }
                let idx = shares.iter().position(|m| &m.vergleichsraum == name);
                let mut pct = idx
                    .and_then(|i| shares.get(i))
                    .map_or(sample.unwrap_or(0.5), |m| m.privat)
                    * 100.0;
                if ui
                    .add(
                        drag_de(&mut pct, 1)
                            .range(0.0..=100.0)
                            .speed(0.5)
                            .suffix(" %"),
                    )
                    .accessible_name(format!("Marktanteil privat, {name}"))
                    .changed()
                {
                    let privat = (pct / 100.0).clamp(0.0, 1.0);
                    match idx.and_then(|i| shares.get_mut(i)) {
                        Some(m) => m.privat = privat,
                        None => shares.push(MarketShare {
                            vergleichsraum: name.clone(),
                            privat,
                        }),
                    }
                    changed = true;
                }
                ui.label(sample.map_or_else(|| "–".to_string(), percent));
                let weighted =
                    vr_index.is_some_and(|i| an.cells.iter().any(|c| c.vr == i && c.weighted));
                let status = if weighted {
                    "gewichtet"
                } else if !p.representativeness.weighting {
                    "aus"
                } else if idx.is_none() {
                    "kein Marktanteil"
                } else {
                    "nicht möglich (nur ein Vermietertyp bekannt)"
                };
                ui.label(status);
                ui.end_row();
            }
        });
    if !p.representativeness.weighting {
        ui.weak("Die Marktanteile wirken nur bei eingeschalteter Gewichtung nach Vermietertyp.");
    }
    if changed {
        commit(rows, p, key);
    }
}

/// The Heizspiegel table: edition, source, unit, example flag and the values per Energieträger
/// and band of beheizte Gebäudefläche.
pub(super) fn heizspiegel_ui(ui: &mut Ui, rows: &mut Rows<'_>) {
    let key = "heating.table";
    let mut p = rows.params.clone();
    let mut changed = false;
    egui::CollapsingHeader::new("Heizspiegel-Tabelle bearbeiten")
        .id_salt("heizspiegel_editor")
        .default_open(p.heating.enabled)
        .show(ui, |ui| {
            let t = &mut p.heating.table;
            egui::Grid::new("heizspiegel_meta")
                .spacing([12.0, 4.0])
                .show(ui, |ui| {
                    ui.label("Ausgabe");
                    changed |= text_field(ui, &mut t.edition, "Heizspiegel: Ausgabe", 420.0);
                    ui.end_row();
                    let l = ui.label("Jahr");
                    changed |= ui
                        .add(egui::DragValue::new(&mut t.year).range(1990..=2100))
                        .labelled_by(l.id)
                        .changed();
                    ui.end_row();
                    ui.label("Quelle");
                    changed |= text_field(ui, &mut t.source, "Heizspiegel: Quelle", 420.0);
                    ui.end_row();
                    ui.label("Spalte (Grenze)");
                    changed |= text_field(ui, &mut t.column, "Heizspiegel: Spalte", 160.0);
                    ui.end_row();
                    let l = ui.label("Einheit");
                    changed |= combo(
                        ui,
                        "heizspiegel_unit",
                        l.id,
                        &mut t.unit,
                        &[
                            (PeriodUnit::PerMonth, PeriodUnit::PerMonth.label()),
                            (PeriodUnit::PerYear, PeriodUnit::PerYear.label()),
                        ],
                    );
                    ui.end_row();
                    ui.label("Beispieltabelle");
                    changed |= ui
                        .checkbox(&mut t.is_example, "nur Beispiel, nicht geprüft")
                        .changed();
                    ui.end_row();
                    if !t.is_example && t.counts_as_example() {
                        ui.label("");
                        ui.colored_label(
                            ui.visuals().warn_fg_color,
                            "Ausgabe und Werte sind noch die der Beispieltabelle: Sie gilt weiter als Beispiel, bis Ausgabe oder Werte aus der geltenden Quelle eingetragen sind.",
                        );
                        ui.end_row();
                    }
                });
            ui.add_space(4.0);
            changed |= heizspiegel_bands_ui(ui, t);
            let bands: Vec<String> = t
                .rows
                .first()
                .map(|r| {
                    r.bands
                        .iter()
                        .map(|b| band_text(b.lower_m2, b.upper_m2))
                        .collect()
                })
                .unwrap_or_default();
            let mut renamed: Option<(String, String)> = None;
            let mut remove: Option<usize> = None;
            let removable = t.rows.len() > 1;
            egui::Grid::new("heizspiegel_values")
                .striped(true)
                .spacing([12.0, 4.0])
                .show(ui, |ui| {
                    head(ui, "Energieträger");
                    for b in &bands {
                        head(ui, &format!("Gebäudefläche {b}"));
                    }
                    ui.end_row();
                    for (i, row) in t.rows.iter_mut().enumerate() {
                        let old = row.energietraeger.clone();
                        if text_field(
                            ui,
                            &mut row.energietraeger,
                            &format!("Energieträger {}", i + 1),
                            140.0,
                        ) {
                            changed = true;
                            renamed = Some((old, row.energietraeger.clone()));
                        }
                        for b in &mut row.bands {
                            let band = band_text(b.lower_m2, b.upper_m2);
                            changed |= ui
                                .add(drag_de(&mut b.value, 2).range(0.0..=1000.0).speed(0.01))
                                .accessible_name(format!("{}, {band}", row.energietraeger))
                                .on_hover_text(format!(
                                    "{}, beheizte Gebäudefläche {band}: Grenze in {}",
                                    row.energietraeger,
                                    t.unit.label()
                                ))
                                .changed();
                        }
                        if removable
                            && ui
                                .button("Entfernen")
                                .accessible_name(format!("{} entfernen", row.energietraeger))
                                .on_hover_text(format!("Zeile „{}“ löschen", row.energietraeger))
                                .clicked()
                        {
                            remove = Some(i);
                        }
                        ui.end_row();
                    }
                });
            if let Some(i) = remove {
                t.rows.remove(i);
                changed = true;
            }
            if ui
                .button("Energieträger hinzufügen")
                .on_hover_text(
                    "Neue Zeile mit den Flächenklassen der Tabelle; die Werte sind aus der Quelle einzutragen",
                )
                .clicked()
            {
                t.add_energietraeger();
                changed = true;
            }
            // The chosen Energieträger follows a renamed row.
            if let Some((old, new)) = renamed
                && p.heating.energietraeger == old
            {
                p.heating.energietraeger = new;
            }
            let t = &mut p.heating.table;
            if let Err(e) = t.validate() {
                ui.colored_label(ui.visuals().error_fg_color, e.to_string());
            }
            if *t != nienburg_2022_example()
                && ui
                    .button("Beispieltabelle wiederherstellen")
                    .on_hover_text("Die mitgelieferte Beispieltabelle (Nienburg 2022) einsetzen")
                    .clicked()
            {
                *t = nienburg_2022_example();
                changed = true;
            }
        });
    if changed {
        commit(rows, p, key);
    }
}

/// The bands of beheizte Gebäudefläche: upper bounds (shared by all rows), add and remove.
/// Returns true when changed.
fn heizspiegel_bands_ui(ui: &mut Ui, t: &mut HeizspiegelTable) -> bool {
    let mut changed = false;
    let uppers = t.band_uppers();
    ui.horizontal_wrapped(|ui| {
        ui.label("Flächenklassen, Obergrenzen:");
        for (j, upper) in uppers.iter().enumerate() {
            let mut value = *upper;
            let response = ui
                .add(
                    drag_de(&mut value, 0)
                        .range(1.0..=100_000.0)
                        .speed(1.0)
                        .suffix(" m²"),
                )
                .accessible_name(format!("Obergrenze Flächenklasse {}", j + 1))
                .on_hover_text("Obere Grenze der beheizten Gebäudefläche dieser Klasse (einschließlich); die nächste Klasse beginnt darüber");
            if response.changed() {
                t.set_band_upper(j, value);
                changed = true;
            }
        }
        if ui
            .button("Flächenklasse hinzufügen")
            .on_hover_text("Die oberste (offene) Klasse teilen; die neue Klasse übernimmt ihre Werte")
            .clicked()
        {
            t.split_top_band();
            changed = true;
        }
        if !uppers.is_empty()
            && ui
                .button("Oberste Flächenklasse entfernen")
                .on_hover_text("Die oberste Klasse löschen; die Klasse darunter wird nach oben offen")
                .clicked()
        {
            t.remove_top_band();
            changed = true;
        }
    });
    changed
}

/// The Fortschreibung: switch, old Stichtag, both index series and the old limits.
pub(super) fn fortschreibung_ui(ui: &mut Ui, rows: &mut Rows<'_>, an: &Analysis) {
    let key = "fortschreibung";
    let stichtag = rows.project.project.stichtag;
    let mut p = rows.params.clone();
    let mut changed = false;
    ui.label(
        "Alte Richtwerte werden getrennt für Nettokaltmiete und kalte Betriebskosten mit der Veränderung je eines Preisindex fortgeschrieben (§ 22c Abs. 2 SGB II). Nach mehr als zwei Jahren ist eine Neuerhebung fällig.",
    );
    let mut on = p.fortschreibung.is_some();
    if ui
        .checkbox(&mut on, "Fortschreibung alter Richtwerte")
        .changed()
    {
        p.fortschreibung = on.then(|| FortschreibungParams {
            index_nkm: IndexSeries {
                series: "VPI Nettokaltmiete".to_string(),
                ..IndexSeries::default()
            },
            index_bk: IndexSeries {
                series: "VPI Wohnungsnebenkosten".to_string(),
                ..IndexSeries::default()
            },
            ..FortschreibungParams::default()
        });
        changed = true;
    }
    if let Some(f) = p.fortschreibung.as_mut() {
        ui.horizontal(|ui| {
            let l = ui.label("Stichtag des alten Konzepts:");
            if let Some(d) = date_field(ui, "fs_old_stichtag", l.id, f.old_stichtag) {
                f.old_stichtag = d;
                changed = true;
            }
            if let Some(old) = f.old_stichtag {
                if old < stichtag.minus_years(2) {
                    ui.colored_label(
                        ui.visuals().warn_fg_color,
                        "älter als zwei Jahre: Neuerhebung fällig",
                    );
                } else {
                    ui.weak("höchstens zwei Jahre alt");
                }
            }
        });
        ui.add_space(4.0);
        egui::Grid::new("fs_index_grid")
            .striped(true)
            .spacing([12.0, 4.0])
            .show(ui, |ui| {
                for h in [
                    "Anteil",
                    "Indexreihe",
                    "Zeitraum alt",
                    "Indexwert alt",
                    "Zeitraum neu",
                    "Indexwert neu",
                    "Quelle",
                    "Faktor",
                ] {
                    head(ui, h);
                }
                ui.end_row();
                for (part, s) in [
                    ("Nettokaltmiete", &mut f.index_nkm),
                    ("Betriebskosten", &mut f.index_bk),
                ] {
                    ui.label(part);
                    changed |= text_field(ui, &mut s.series, &format!("Indexreihe, {part}"), 180.0);
                    changed |= text_field(
                        ui,
                        &mut s.period_old,
                        &format!("Zeitraum alt, {part}"),
                        80.0,
                    );
                    changed |= ui
                        .add(
                            drag_de(&mut s.value_old, 1)
                                .range(0.0..=10_000.0)
                                .speed(0.1),
                        )
                        .accessible_name(format!("Indexwert alt, {part}"))
                        .changed();
                    changed |= text_field(
                        ui,
                        &mut s.period_new,
                        &format!("Zeitraum neu, {part}"),
                        80.0,
                    );
                    changed |= ui
                        .add(
                            drag_de(&mut s.value_new, 1)
                                .range(0.0..=10_000.0)
                                .speed(0.1),
                        )
                        .accessible_name(format!("Indexwert neu, {part}"))
                        .changed();
                    changed |= text_field(ui, &mut s.source, &format!("Quelle, {part}"), 180.0);
                    ui.label(s.factor().map_or_else(|| "–".to_string(), |v| number(v, 4)));
                    ui.end_row();
                }
            });
        ui.add_space(4.0);
        let preview = fortschreibung(f);
        let mut remove = None;
        egui::Grid::new("fs_limits_grid")
            .striped(true)
            .spacing([12.0, 4.0])
            .show(ui, |ui| {
                for h in [
                    "Vergleichsraum",
                    "Haushalt",
                    "Nettokaltmiete alt",
                    "Betriebskosten alt",
                    "Bruttokaltmiete alt",
                    "Nettokaltmiete neu",
                    "Betriebskosten neu",
                    "Bruttokaltmiete neu",
                    "",
                ] {
                    head(ui, h);
                }
                ui.end_row();
                for (i, o) in f.old_limits.iter_mut().enumerate() {
                    let n = i + 1;
                    changed |= text_field(
                        ui,
                        &mut o.vergleichsraum,
                        &format!("Vergleichsraum, alte Grenze {n}"),
                        140.0,
                    );
                    changed |= ui
                        .add(
                            egui::DragValue::new(&mut o.household_size)
                                .range(1..=20)
                                .suffix(" P."),
                        )
                        .accessible_name(format!("Haushaltsgröße, alte Grenze {n}"))
                        .changed();
                    changed |= ui
                        .add(
                            drag_de(&mut o.net_cold, 2)
                                .range(0.0..=100_000.0)
                                .speed(0.5),
                        )
                        .accessible_name(format!("Nettokaltmiete alt, alte Grenze {n}"))
                        .changed();
                    changed |= ui
                        .add(
                            drag_de(&mut o.operating_costs, 2)
                                .range(0.0..=100_000.0)
                                .speed(0.5),
                        )
                        .accessible_name(format!("Betriebskosten alt, alte Grenze {n}"))
                        .changed();
                    let new = preview.as_ref().and_then(|r| r.rows.get(i));
                    ui.label(euro(o.net_cold + o.operating_costs));
                    for v in [
                        new.map(|r| r.new_net_cold),
                        new.map(|r| r.new_operating_costs),
                        new.map(|r| r.new_gross_cold),
                    ] {
                        ui.label(v.map_or_else(|| "–".to_string(), euro));
                    }
                    if ui
                        .button("entfernen")
                        .on_hover_text(format!("Alte Grenze {n} entfernen"))
                        .clicked()
                    {
                        remove = Some(i);
                    }
                    ui.end_row();
                }
            });
        if let Some(i) = remove {
            f.old_limits.remove(i);
            changed = true;
        }
        ui.horizontal(|ui| {
            if ui.button("Zeile hinzufügen").clicked() {
                f.old_limits.push(OldLimit::default());
                changed = true;
            }
            if ui
                .button("Aus den aktuellen Richtwerten übernehmen")
                .on_hover_text(
                    "Die Nettokaltmiete- und Betriebskostengrenzen der aktuellen Berechnung als alte Richtwerte eintragen (ersetzt die Tabelle); ohne Stichtag wird der Stichtag dieses Projekts übernommen.",
                )
                .clicked()
            {
                f.old_limits = an
                    .cells
                    .iter()
                    .filter_map(|c| {
                        c.limits.map(|l| OldLimit {
                            vergleichsraum: c.vergleichsraum.clone(),
                            household_size: c.household_size,
                            net_cold: l.net_cold,
                            operating_costs: l.operating_costs,
                        })
                    })
                    .collect();
                if f.old_stichtag.is_none() {
                    f.old_stichtag = Some(stichtag);
                }
                changed = true;
            }
            if !f.old_limits.is_empty() && ui.button("Alle Zeilen entfernen").clicked() {
                f.old_limits.clear();
                changed = true;
            }
        });
        if preview.is_none() {
            ui.colored_label(
                ui.visuals().error_fg_color,
                "Kein Faktor berechenbar: Die alten Indexwerte müssen größer als null sein.",
            );
        }
    }
    if changed {
        commit(rows, p, key);
    }
}
