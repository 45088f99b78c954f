//! Parameter screen: every parameter with a German tooltip (legal meaning and default), its
//! default value and a justification field stored in `project.justifications` under the
//! parameter key.

use crate::analysis::quantile::QuantileType;
use crate::app::forms::Forms;
use crate::app::state::{AppState, Command};
use crate::app::widgets::{combo, drag_de, no_project, section};
use crate::fmt::number;
use crate::model::params::{
    BkLevel, BkStatistic, HeatingIncludedOffers, IterationStart, OutlierMethod, Parameters,
    ReferenceMethod, RoundingMode,
};
use crate::model::{Project, SourceKind};
use egui::{RichText, Ui};

mod editors;

/// Shared context of the parameter rows.
struct Rows<'a> {
    /// Parameters as edited this frame.
    params: Parameters,
    project: &'a Project,
    cmds: &'a mut Vec<Command>,
    show_justifications: bool,
}

impl Rows<'_> {
    /// One grid row: label (with tooltip), widget, default, justification.
    fn row(
        &mut self,
        ui: &mut Ui,
        key: &'static str,
        label: &str,
        tooltip: &str,
        default: &str,
        add: impl FnOnce(&mut Ui, egui::Id, &mut Parameters) -> bool,
    ) {
        let l = ui.label(label).on_hover_text(tooltip);
        let changed = ui.horizontal(|ui| add(ui, l.id, &mut self.params)).inner;
        if changed {
            self.cmds.push(Command::SetParameters {
                params: Box::new(self.params.clone()),
                key,
            });
        }
        ui.weak(default).on_hover_text("Voreinstellung");
        if self.show_justifications {
            justification_field(ui, self.project, key, label, self.cmds);
        }
        ui.end_row();
    }
}

impl Rows<'_> {
    /// A parameter laid out as a block (for lists of checkboxes that do not fit a grid cell):
    /// label and default on one line, the widgets wrapped below, then the justification.
    fn block(
        &mut self,
        ui: &mut Ui,
        key: &'static str,
        label: &str,
        tooltip: &str,
        default: &str,
        add: impl FnOnce(&mut Ui, egui::Id, &mut Parameters) -> bool,
    ) {
        let l = ui
            .horizontal(|ui| {
                let l = ui
                    .label(RichText::new(label).strong())
                    .on_hover_text(tooltip);
                ui.weak(format!("Voreinstellung: {default}"));
                l
            })
            .inner;
        let changed = ui
            .indent(("block", key), |ui| {
                let changed = ui
                    .horizontal_wrapped(|ui| add(ui, l.id, &mut self.params))
                    .inner;
                if self.show_justifications {
                    justification_field(ui, self.project, key, label, self.cmds);
                }
                changed
            })
            .inner;
        if changed {
            self.cmds.push(Command::SetParameters {
                params: Box::new(self.params.clone()),
                key,
            });
        }
        ui.add_space(6.0);
    }
}

/// A single-line justification field for a parameter key.
fn justification_field(
    ui: &mut Ui,
    project: &Project,
    key: &str,
    label: &str,
    cmds: &mut Vec<Command>,
) {
    let current = project.justifications.get(key).cloned().unwrap_or_default();
    let mut text = current.clone();
    let r = ui.add(
        egui::TextEdit::singleline(&mut text)
            .id_salt(("begruendung", key))
            .hint_text(format!("Begründung: {label}"))
            .desired_width(320.0),
    );
    if r.changed() && text != current {
        cmds.push(Command::SetJustification {
            key: key.to_string(),
            text,
        });
    }
}

fn bk_statistic_german(s: BkStatistic) -> &'static str {
    match s {
        BkStatistic::Median => "Median",
        BkStatistic::Mean => "Mittelwert",
        BkStatistic::Percentile => "Perzentil",
    }
}

fn bk_level_german(l: BkLevel) -> &'static str {
    match l {
        BkLevel::Vergleichsraum => "je Vergleichsraum",
        BkLevel::Cell => "je Tabellenfeld",
    }
}

/// Draws the parameter screen.
pub fn params_ui(ui: &mut Ui, state: &AppState, forms: &mut Forms, cmds: &mut Vec<Command>) {
    let Some(doc) = &state.doc else {
        no_project(ui);
        return;
    };
    let project = doc.project();
    let defaults = Parameters::default();
    ui.heading("Parameter der Ableitung");
    ui.horizontal(|ui| {
        ui.label("Jede Änderung wird sofort neu berechnet und kann mit Strg+Z rückgängig gemacht werden.");
        ui.checkbox(&mut forms.show_justifications, "Begründungsfelder anzeigen");
    });
    let mut rows = Rows {
        params: project.parameters.clone(),
        project,
        cmds,
        show_justifications: forms.show_justifications,
    };
    let columns = if rows.show_justifications { 4 } else { 3 };

    section(ui, "Referenzmiete (Nettokaltmiete je m²)");
    egui::Grid::new("params_reference")
        .num_columns(columns)
        .spacing([18.0, 6.0])
        .striped(true)
        .show(ui, |ui| {
            header(ui, rows.show_justifications);
            rows.row(
                ui,
                "reference.method",
                "Ableitungsmethode",
                "Wie aus der Verteilung der Nettokaltmieten je m² eines Tabellenfelds die Referenzmiete geschlossen wird (BSG-Kriterium: nachvollziehbare Schlussfolgerung). Voreinstellung: Perzentil.",
                "Perzentil",
                |ui, id, p| {
                    combo(
                        ui,
                        "p_reference_method",
                        id,
                        &mut p.reference.method,
                        &[
                            (ReferenceMethod::Percentile, ReferenceMethod::Percentile.german()),
                            (ReferenceMethod::Median, ReferenceMethod::Median.german()),
                            (ReferenceMethod::Mean, ReferenceMethod::Mean.german()),
                            (
                                ReferenceMethod::Spannenoberwert,
                                ReferenceMethod::Spannenoberwert.german(),
                            ),
                            (
                                ReferenceMethod::Iterative,
                                ReferenceMethod::Iterative.german(),
                            ),
                        ],
                    )
                },
            );
            let is_percentile = matches!(
                rows.params.reference.method,
                ReferenceMethod::Percentile | ReferenceMethod::Iterative
            );
            rows.row(
                ui,
                "reference.percentile",
                "Perzentil p",
                "Anteil der Wohnungen des Tabellenfelds, die höchstens die Referenzmiete kosten; das so bestimmte untere Marktsegment muss Leistungsberechtigten tatsächlich zugänglich sein. Voreinstellung: 0,33.",
                &number(defaults.reference.percentile, 2),
                |ui, _id, p| {
                    ui.add_enabled(
                        is_percentile,
                        egui::Slider::new(&mut p.reference.percentile, 0.10..=0.90)
                            .text("Perzentil")
                            .step_by(0.01)
                            .custom_formatter(|v, _| number(v, 2))
                            .custom_parser(crate::app::widgets::parse_german),
                    )
                    .changed()
                },
            );
            if rows.params.reference.method == ReferenceMethod::Spannenoberwert {
                rows.row(
                    ui,
                    "reference.spanne",
                    "Breite der Spanne",
                    "Anteil der mittleren Mietwerte, deren Oberwert die Referenzmiete bildet (z. B. 2/3-Spanne wie im Mietspiegel). Voreinstellung: 0,67.",
                    &number(defaults.reference.spanne, 2),
                    |ui, id, p| {
                        ui.add(
                            drag_de(&mut p.reference.spanne, 2)
                                .range(0.5..=0.95)
                                .speed(0.005),
                        )
                        .labelled_by(id)
                        .changed()
                    },
                );
            }
            rows.row(
                ui,
                "quantile_type",
                "Quantildefinition",
                "Rechenvorschrift für Perzentile nach Hyndman und Fan; Typ 7 entspricht Excel QUANTIL.INKL, sodass die Prüfmappe jeden Wert mit Formeln nachrechnet. Voreinstellung: Typ 7.",
                "Typ 7",
                |ui, id, p| {
                    let options: Vec<(QuantileType, &str)> =
                        QuantileType::ALL.iter().map(|t| (*t, t.german())).collect();
                    combo(ui, "p_quantile_type", id, &mut p.quantile_type, &options)
                },
            );
            rows.row(
                ui,
                "reference.round_per_m2",
                "€/m² auf Cent runden",
                "Die Referenzmiete je m² wird vor der Multiplikation mit der Wohnfläche auf Cent gerundet, wie in veröffentlichten Tabellen üblich. Voreinstellung: ja.",
                "ja",
                |ui, _id, p| {
                    ui.checkbox(&mut p.reference.round_per_m2, "auf Cent runden")
                        .changed()
                },
            );
            rows.row(
                ui,
                "min_n",
                "Mindestfallzahl je Tabellenfeld",
                "Unterhalb dieser Zahl verwendeter Mietwerte gilt ein Tabellenfeld als nicht repräsentativ (BSG-Kriterium K5) und es wird gewarnt. Voreinstellung: 30.",
                &defaults.min_n.to_string(),
                |ui, id, p| {
                    ui.add(egui::DragValue::new(&mut p.min_n).range(1..=10_000))
                        .labelled_by(id)
                        .changed()
                },
            );
            rows.row(
                ui,
                "ci_level",
                "Konfidenzniveau",
                "Niveau des verteilungsfreien Konfidenzintervalls, das die statistische Unsicherheit des Perzentils zeigt. Voreinstellung: 0,95.",
                &number(defaults.ci_level, 2),
                |ui, id, p| {
                    ui.add(drag_de(&mut p.ci_level, 2).range(0.5..=0.99).speed(0.005))
                        .labelled_by(id)
                        .changed()
                },
            );
        });

    section(ui, "Extremwertkappung");
    egui::Grid::new("params_outliers")
        .num_columns(columns)
        .spacing([18.0, 6.0])
        .striped(true)
        .show(ui, |ui| {
            header(ui, rows.show_justifications);
            rows.row(
                ui,
                "outliers.method",
                "Regel",
                "Ausreißer je Tabellenfeld werden nach einer festen, dokumentierten Regel ausgeschlossen, damit Einzelwerte die Referenzmiete nicht verzerren. Voreinstellung: Mittelwert ± 1,96 · Standardabweichung.",
                OutlierMethod::MeanSd.german(),
                |ui, id, p| {
                    let options: Vec<(OutlierMethod, &str)> = [
                        OutlierMethod::None,
                        OutlierMethod::MeanSd,
                        OutlierMethod::Trim,
                        OutlierMethod::Iqr,
                        OutlierMethod::Absolute,
                    ]
                    .iter()
                    .map(|m| (*m, m.german()))
                    .collect();
                    combo(ui, "p_outlier_method", id, &mut p.outliers.method, &options)
                },
            );
            match rows.params.outliers.method {
                OutlierMethod::MeanSd => rows.row(
                    ui,
                    "outliers.k",
                    "Faktor k",
                    "Werte außerhalb Mittelwert ± k · Standardabweichung werden ausgeschlossen; k = 1,96 entfernt bei Normalverteilung je 2,5 % an beiden Rändern. Voreinstellung: 1,96.",
                    &number(defaults.outliers.k, 2),
                    |ui, id, p| {
                        ui.add(drag_de(&mut p.outliers.k, 2).range(0.5..=5.0).speed(0.01))
                            .labelled_by(id)
                            .changed()
                    },
                ),
                OutlierMethod::Trim => rows.row(
                    ui,
                    "outliers.trim_share",
                    "Anteil je Seite",
                    "Dieser Anteil der niedrigsten und der höchsten Werte jedes Tabellenfelds wird abgeschnitten. Voreinstellung: 0,05.",
                    &number(defaults.outliers.trim_share, 2),
                    |ui, id, p| {
                        ui.add(
                            drag_de(&mut p.outliers.trim_share, 3)
                                .range(0.0..=0.25)
                                .speed(0.001),
                        )
                        .labelled_by(id)
                        .changed()
                    },
                ),
                OutlierMethod::Iqr => rows.row(
                    ui,
                    "outliers.iqr_k",
                    "Faktor k (IQR)",
                    "Werte unter Q1 − k · IQR oder über Q3 + k · IQR werden ausgeschlossen (Tukey). Voreinstellung: 1,5.",
                    &number(defaults.outliers.iqr_k, 1),
                    |ui, id, p| {
                        ui.add(drag_de(&mut p.outliers.iqr_k, 2).range(0.5..=5.0).speed(0.01))
                            .labelled_by(id)
                            .changed()
                    },
                ),
                OutlierMethod::Absolute => rows.row(
                    ui,
                    "outliers.abs",
                    "Grenzen €/m²",
                    "Mietwerte je m² außerhalb dieser festen Grenzen werden ausgeschlossen. Voreinstellung: 3,00 bis 20,00 €/m².",
                    "3,00 – 20,00",
                    |ui, id, p| {
                        let a = ui
                            .add(drag_de(&mut p.outliers.abs_min, 2).range(0.0..=100.0).speed(0.05))
                            .labelled_by(id)
                            .on_hover_text("Untergrenze")
                            .changed();
                        ui.label("bis");
                        let b = ui
                            .add(drag_de(&mut p.outliers.abs_max, 2).range(0.0..=100.0).speed(0.05))
                            .labelled_by(id)
                            .on_hover_text("Obergrenze")
                            .changed();
                        a || b
                    },
                ),
                OutlierMethod::None => {}
            }
        });

    section(ui, "Kalte Betriebskosten und Rundung");
    egui::Grid::new("params_bk")
        .num_columns(columns)
        .spacing([18.0, 6.0])
        .striped(true)
        .show(ui, |ui| {
            header(ui, rows.show_justifications);
            rows.row(
                ui,
                "operating_costs.statistic",
                "Kennzahl Betriebskosten",
                "Kennzahl der kalten Betriebskosten je m², die zur Nettokaltmiete addiert wird (Bruttokaltmiete nach Produkttheorie). Voreinstellung: Median.",
                "Median",
                |ui, id, p| {
                    combo(
                        ui,
                        "p_bk_statistic",
                        id,
                        &mut p.operating_costs.statistic,
                        &[
                            (BkStatistic::Median, bk_statistic_german(BkStatistic::Median)),
                            (BkStatistic::Mean, bk_statistic_german(BkStatistic::Mean)),
                            (
                                BkStatistic::Percentile,
                                bk_statistic_german(BkStatistic::Percentile),
                            ),
                        ],
                    )
                },
            );
            if rows.params.operating_costs.statistic == BkStatistic::Percentile {
                rows.row(
                    ui,
                    "operating_costs.percentile",
                    "Perzentil Betriebskosten",
                    "Perzentil der kalten Betriebskosten je m². Voreinstellung: 0,50.",
                    "0,50",
                    |ui, id, p| {
                        ui.add(
                            drag_de(&mut p.operating_costs.percentile, 2)
                                .range(0.05..=0.95)
                                .speed(0.005),
                        )
                        .labelled_by(id)
                        .changed()
                    },
                );
            }
            rows.row(
                ui,
                "operating_costs.level",
                "Ebene Betriebskosten",
                "Ob die Betriebskosten je Vergleichsraum (stabiler) oder je Tabellenfeld (genauer, aber kleinere Fallzahlen) ermittelt werden. Voreinstellung: je Vergleichsraum.",
                "je Vergleichsraum",
                |ui, id, p| {
                    combo(
                        ui,
                        "p_bk_level",
                        id,
                        &mut p.operating_costs.level,
                        &[
                            (BkLevel::Vergleichsraum, bk_level_german(BkLevel::Vergleichsraum)),
                            (BkLevel::Cell, bk_level_german(BkLevel::Cell)),
                        ],
                    )
                },
            );
            rows.row(
                ui,
                "operating_costs.lift_split",
                "Aufzug getrennt",
                "Getrennte Betriebskostenwerte für Gebäude mit und ohne Aufzug, wie z. B. im Kreis Düren. Voreinstellung: nein.",
                "nein",
                |ui, _id, p| {
                    ui.checkbox(&mut p.operating_costs.lift_split, "mit/ohne Aufzug getrennt")
                        .changed()
                },
            );
            rows.row(
                ui,
                "rounding.mode",
                "Rundung Bruttokaltmiete",
                "Rundung der Angemessenheitsgrenze (Bruttokaltmiete); Teilbeträge bleiben centgenau. Voreinstellung: auf Cent.",
                RoundingMode::Cents.german(),
                |ui, id, p| {
                    combo(
                        ui,
                        "p_rounding",
                        id,
                        &mut p.rounding.mode,
                        &[
                            (RoundingMode::Cents, RoundingMode::Cents.german()),
                            (RoundingMode::EuroUp, RoundingMode::EuroUp.german()),
                            (
                                RoundingMode::EuroCommercial,
                                RoundingMode::EuroCommercial.german(),
                            ),
                        ],
                    )
                },
            );
        });

    section(ui, "Untersuchungsgegenstand");
    rows.block(
        ui,
        "scope.reference_kinds",
        "Datenarten für die Referenzmiete",
        "Welche Mietwerte in die Referenzmiete eingehen; Bestandsmieten sind unverzichtbar, Neuvertragsmieten sind nach § 22c SGB II zu berücksichtigen. Voreinstellung: Bestands- und Neuvertragsmieten.",
        "Bestands- und Neuvertragsmieten",
        |ui, _id, p| {
            let mut changed = false;
            for kind in SourceKind::ALL {
                let mut on = p.scope.reference_kinds.contains(&kind);
                if ui.checkbox(&mut on, kind.german()).changed() {
                    changed = true;
                    if on {
                        p.scope.reference_kinds.push(kind);
                    } else {
                        p.scope.reference_kinds.retain(|k| *k != kind);
                    }
                }
            }
            changed
        },
    );
    rows.block(
        ui,
        "scope.contract_window_years",
        "Vertragsalter höchstens",
        "Nur Mietverträge, die in diesem Zeitraum vor dem Stichtag geschlossen oder in der Miete geändert wurden, bilden den aktuellen Markt ab (vgl. § 558 Abs. 2 BGB). Voreinstellung: 4 Jahre.",
        "4 Jahre",
        |ui, id, p| optional_limit(ui, id, &mut p.scope.contract_window_years, 4, 30, " Jahre"),
    );
    rows.block(
        ui,
        "scope.exclusions",
        "Ausgeschlossene Wohnungen",
        "Wohnungen, die nicht zum allgemeinen Mietwohnungsmarkt des einfachen Standards gehören, werden nicht berücksichtigt (Gegenstand der Beobachtung, BSG-Kriterium K2). Voreinstellung: alle ausgeschlossen.",
        "alle ausgeschlossen",
        |ui, _id, p| {
            let s = &mut p.scope;
            let mut changed = false;
            for (value, text) in [
                (&mut s.exclude_furnished, "möblierte Wohnungen"),
                (&mut s.exclude_subsidised, "öffentlich geförderte Wohnungen"),
                (&mut s.exclude_company_flats, "Werks- und Dienstwohnungen"),
                (&mut s.exclude_dormitories, "Wohnheime"),
                (&mut s.exclude_favour_rents, "Gefälligkeitsmieten"),
                (&mut s.exclude_substandard, "Substandard-Wohnungen"),
            ] {
                changed |= ui.checkbox(value, text).changed();
            }
            changed
        },
    );

    section(ui, "Verfügbarkeitsprüfung (Angebotsmieten)");
    egui::Grid::new("params_availability")
        .num_columns(columns)
        .spacing([18.0, 6.0])
        .striped(true)
        .show(ui, |ui| {
            header(ui, rows.show_justifications);
            rows.row(
                ui,
                "availability.target_share",
                "Zielanteil anmietbarer Angebote",
                "Mindestanteil der Angebote im Tabellenfeld, die zur Grenze anmietbar sein müssen; sonst ist Wohnraum zu diesem Preis nicht tatsächlich verfügbar. Voreinstellung: 0,20 (20 %).",
                &number(defaults.availability.target_share, 2),
                |ui, id, p| {
                    ui.add(
                        drag_de(&mut p.availability.target_share, 2)
                            .range(0.0..=1.0)
                            .speed(0.005),
                    )
                    .labelled_by(id)
                    .changed()
                },
            );
            rows.row(
                ui,
                "availability.window_months",
                "Angebotszeitraum",
                "Nur Angebote aus diesem Zeitraum vor dem Stichtag zeigen die aktuelle Marktlage. Voreinstellung: 12 Monate.",
                "12 Monate",
                |ui, id, p| {
                    optional_limit(ui, id, &mut p.availability.window_months, 12, 60, " Monate")
                },
            );
            rows.row(
                ui,
                "availability.start",
                "Start der Iteration",
                "Beim iterativen Verfahren beginnt die Suche beim festen Perzentil oder beim Anteil der Nachfragegruppen an den Mieterhaushalten. Voreinstellung: festes Perzentil.",
                "festes Perzentil",
                |ui, id, p| {
                    combo(
                        ui,
                        "p_iteration_start",
                        id,
                        &mut p.availability.start,
                        &[
                            (IterationStart::Fixed, "festes Perzentil"),
                            (IterationStart::DemandShare, "Nachfrageanteil"),
                        ],
                    )
                },
            );
            rows.row(
                ui,
                "availability.p_floor",
                "Mindest-Startperzentil",
                "Beginnt die Iteration beim Nachfrageanteil, dann mindestens bei diesem Perzentil: ein sehr kleiner Nachfrageanteil ergäbe sonst eine unplausibel niedrige Grenze. Wirkt nur beim Start „Nachfrageanteil“. Voreinstellung: 0,20.",
                "0,20",
                |ui, id, p| {
                    ui.add(
                        drag_de(&mut p.availability.p_floor, 2)
                            .range(0.0..=0.80)
                            .speed(0.005),
                    )
                    .labelled_by(id)
                    .changed()
                },
            );
            rows.row(
                ui,
                "availability.p_step",
                "Schrittweite / Höchstwert",
                "Um diese Schrittweite wird das Perzentil erhöht, bis der Zielanteil erreicht ist, höchstens bis zum Höchstwert. Voreinstellung: 0,01 bis 0,80.",
                "0,01 / 0,80",
                |ui, id, p| {
                    let a = ui
                        .add(
                            drag_de(&mut p.availability.p_step, 3)
                                .range(0.001..=0.10)
                                .speed(0.001),
                        )
                        .labelled_by(id)
                        .on_hover_text("Schrittweite")
                        .changed();
                    ui.label("bis");
                    let b = ui
                        .add(
                            drag_de(&mut p.availability.p_max, 2)
                                .range(0.10..=0.99)
                                .speed(0.005),
                        )
                        .labelled_by(id)
                        .on_hover_text("Höchstwert")
                        .changed();
                    a || b
                },
            );
            rows.row(
                ui,
                "availability.produkttheorie",
                "Produkttheorie bei Angeboten",
                "Angebote jeder Größe zählen als anmietbar, wenn ihre Bruttokaltmiete die Grenze nicht übersteigt (Produkttheorie auch bei der Verfügbarkeit). Voreinstellung: nein.",
                "nein",
                |ui, _id, p| {
                    ui.checkbox(&mut p.availability.produkttheorie, "alle Größen zählen")
                        .changed()
                },
            );
            rows.row(
                ui,
                "availability.dedup",
                "Doppelte Angebote",
                "Mehrfach inserierte Wohnungen werden nur einmal gezählt. Voreinstellung: ja.",
                "entfernen",
                |ui, _id, p| ui.checkbox(&mut p.availability.dedup, "entfernen").changed(),
            );
            rows.row(
                ui,
                "availability.heating_included",
                "Angebote mit Heizkosten in den Nebenkosten",
                "Aufteilung in abstrakt angemessene kalte Betriebskosten und Heizkosten (BSG B 4 AS 9/14 R) oder Ausschluss solcher Angebote. Voreinstellung: aufteilen.",
                "aufteilen",
                |ui, id, p| {
                    combo(
                        ui,
                        "p_heating_included",
                        id,
                        &mut p.availability.heating_included,
                        &[
                            (HeatingIncludedOffers::Split, "aufteilen"),
                            (HeatingIncludedOffers::Exclude, "ausschließen"),
                        ],
                    )
                },
            );
            rows.row(
                ui,
                "availability.max_gemeinde_share",
                "Höchstanteil einer Gemeinde",
                "Warnung, wenn mehr als dieser Anteil der anmietbaren Angebote in einer Gemeinde liegt (keine Konzentration auf einzelne Orte). Voreinstellung: 0,50.",
                &number(defaults.availability.max_gemeinde_share, 2),
                |ui, id, p| {
                    ui.add(
                        drag_de(&mut p.availability.max_gemeinde_share, 2)
                            .range(0.05..=1.0)
                            .speed(0.005),
                    )
                    .labelled_by(id)
                    .changed()
                },
            );
        });

    editors::demand_ui(ui, &mut rows);

    section(ui, "Repräsentativität");
    egui::Grid::new("params_representativeness")
        .num_columns(columns)
        .spacing([18.0, 6.0])
        .striped(true)
        .show(ui, |ui| {
            header(ui, rows.show_justifications);
            rows.row(
                ui,
                "representativeness.coverage",
                "Mindestabdeckung Warnung / Fehler",
                "Anteil der erhobenen Mietwerte am Mietwohnungsbestand, unterhalb dessen gewarnt bzw. die Datengrundlage als unzureichend gemeldet wird (Bay. LSG 10 %, LSG BW 4 %). Voreinstellung: 0,10 / 0,04.",
                "0,10 / 0,04",
                |ui, id, p| {
                    let r = &mut p.representativeness;
                    let a = ui
                        .add(drag_de(&mut r.coverage_warn, 3).range(0.0..=1.0).speed(0.001))
                        .labelled_by(id)
                        .on_hover_text("Warnung unterhalb")
                        .changed();
                    ui.label("/");
                    let b = ui
                        .add(drag_de(&mut r.coverage_error, 3).range(0.0..=1.0).speed(0.001))
                        .labelled_by(id)
                        .on_hover_text("Fehler unterhalb")
                        .changed();
                    a || b
                },
            );
            rows.row(
                ui,
                "representativeness.weighting",
                "Gewichtung nach Vermietertyp",
                "Nachgewichtung der Mietwerte nach den Marktanteilen privater und institutioneller Vermieter, getrennt für Nettokaltmiete und Betriebskosten (LSG Sachsen-Anhalt). Voreinstellung: nein.",
                "nein",
                |ui, _id, p| {
                    ui.checkbox(&mut p.representativeness.weighting, "gewichten")
                        .changed()
                },
            );
            rows.row(
                ui,
                "representativeness.welfare_share_max",
                "Höchstanteil Leistungsbezieher",
                "Tabellenfelder mit einem höheren Anteil an Mietwerten von Leistungsbeziehern werden markiert, weil sonst ein Zirkelschluss droht. Voreinstellung: 0,30.",
                &number(defaults.representativeness.welfare_share_max, 2),
                |ui, id, p| {
                    ui.add(
                        drag_de(&mut p.representativeness.welfare_share_max, 2)
                            .range(0.0..=1.0)
                            .speed(0.005),
                    )
                    .labelled_by(id)
                    .changed()
                },
            );
        });

    editors::market_shares_ui(ui, &mut rows, &doc.analysis);

    section(ui, "Heizkosten");
    let energietraeger: Vec<String> = rows
        .params
        .heating
        .table
        .energietraeger()
        .iter()
        .map(|s| (*s).to_string())
        .collect();
    egui::Grid::new("params_heating")
        .num_columns(columns)
        .spacing([18.0, 6.0])
        .striped(true)
        .show(ui, |ui| {
            header(ui, rows.show_justifications);
            rows.row(
                ui,
                "heating.enabled",
                "Heizkostengrenzen",
                "Grenzwerte für Heizkosten nach dem Heizspiegel (Grenze zu „zu hoch“), getrennt von der Bruttokaltmiete geprüft (BSG B 14 AS 36/08 R). Voreinstellung: nein.",
                "nein",
                |ui, _id, p| ui.checkbox(&mut p.heating.enabled, "berechnen").changed(),
            );
            rows.row(
                ui,
                "heating.energietraeger",
                "Energieträger / Gebäudefläche",
                "Energieträger und beheizte Gebäudefläche wählen die Zeile und Spalte des Heizspiegels. Voreinstellung: Erdgas, 300 m².",
                "Erdgas, 300 m²",
                |ui, id, p| {
                    let before = p.heating.energietraeger.clone();
                    egui::ComboBox::from_id_salt("p_energietraeger")
                        .selected_text(p.heating.energietraeger.clone())
                        .show_ui(ui, |ui| {
                            for e in &energietraeger {
                                ui.selectable_value(&mut p.heating.energietraeger, e.clone(), e);
                            }
                        })
                        .response
                        .labelled_by(id);
                    let b = ui
                        .add(
                            drag_de(&mut p.heating.building_area_m2, 0)
                                .range(10.0..=100_000.0)
                                .speed(5.0)
                                .suffix(" m²"),
                        )
                        .labelled_by(id)
                        .on_hover_text("beheizte Gebäudefläche")
                        .changed();
                    before != p.heating.energietraeger || b
                },
            );
            rows.row(
                ui,
                "heating.gesamtangemessenheitsgrenze",
                "Gesamtangemessenheitsgrenze",
                "Bruttokaltmiete und Heizkostengrenze werden zu einer Grenze für Unterkunft und Heizung zusammengefasst (§ 22 Abs. 10 SGB II). Voreinstellung: nein.",
                "nein",
                |ui, _id, p| {
                    ui.checkbox(&mut p.heating.gesamtangemessenheitsgrenze, "zusammenfassen")
                        .changed()
                },
            );
        });
    if rows.params.heating.table.is_example {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            format!(
                "Heizspiegel: {} – Beispieltabelle, vor Verwendung durch die örtlich gültige Tabelle ersetzen.",
                rows.params.heating.table.edition
            ),
        );
    }

    editors::heizspiegel_ui(ui, &mut rows);

    section(ui, "Angemessene Wohnflächen");
    wohnflaechen_ui(ui, &mut rows);

    section(ui, "Fortschreibung");
    editors::fortschreibung_ui(ui, &mut rows, &doc.analysis);
}

fn header(ui: &mut Ui, justifications: bool) {
    ui.label(RichText::new("Parameter").strong());
    ui.label(RichText::new("Wert").strong());
    ui.label(RichText::new("Voreinstellung").strong());
    if justifications {
        ui.label(RichText::new("Begründung").strong());
    }
    ui.end_row();
}

/// The editable Wohnflächen table with its source and the confirmation checkbox.
fn wohnflaechen_ui(ui: &mut Ui, rows: &mut Rows<'_>) {
    let key = "wohnflaechen";
    ui.label(
        "Angemessene Wohnfläche nach den Bestimmungen des Landes zur sozialen Wohnraumförderung (BSG); es zählt nur die Fläche, nicht die Zimmerzahl.",
    );
    let mut p = rows.params.clone();
    let mut changed = false;
    egui::Grid::new("wohnflaechen_grid")
        .spacing([18.0, 4.0])
        .striped(true)
        .show(ui, |ui| {
            ui.label(RichText::new("Haushaltsgröße").strong());
            ui.label(RichText::new("Wohnfläche").strong());
            ui.end_row();
            let len = p.wohnflaechen.sizes.len();
            for (i, size) in p.wohnflaechen.sizes.iter_mut().enumerate() {
                let l = ui.label(persons(i as u32 + 1));
                changed |= ui
                    .add(
                        drag_de(size, 1)
                            .range(10.0..=300.0)
                            .speed(0.5)
                            .suffix(" m²"),
                    )
                    .labelled_by(l.id)
                    .changed();
                ui.end_row();
            }
            let l = ui.label("je weitere Person");
            changed |= ui
                .add(
                    drag_de(&mut p.wohnflaechen.per_further, 1)
                        .range(0.0..=50.0)
                        .speed(0.5)
                        .suffix(" m²"),
                )
                .labelled_by(l.id)
                .changed();
            ui.end_row();
            let _ = len;
        });
    ui.horizontal(|ui| {
        if ui
            .button("Haushaltsgröße hinzufügen")
            .on_hover_text("Eine weitere Zeile (Fläche der letzten + weitere Person)")
            .clicked()
        {
            let next = p
                .wohnflaechen
                .area_for(p.wohnflaechen.household_sizes() + 1);
            p.wohnflaechen.sizes.push(next);
            changed = true;
        }
        if p.wohnflaechen.sizes.len() > 1
            && ui
                .button("Letzte Haushaltsgröße entfernen")
                .on_hover_text("Die größte Haushaltsgröße entfernen")
                .clicked()
        {
            p.wohnflaechen.sizes.pop();
            changed = true;
        }
    });
    ui.horizontal(|ui| {
        let l = ui.label("Quelle:");
        let mut source = p.wohnflaechen.source.clone();
        if ui
            .add(
                egui::TextEdit::singleline(&mut source)
                    .id_salt("wohnflaechen_source")
                    .desired_width(520.0),
            )
            .labelled_by(l.id)
            .changed()
        {
            p.wohnflaechen.source = source;
            changed = true;
        }
        ui.weak(format!("Land: {}", p.wohnflaechen.land));
    });
    let confirm = ui
        .checkbox(&mut p.wohnflaechen.confirmed, "bestätigt")
        .on_hover_text(
            "Die Werte wurden anhand der geltenden Landesbestimmungen geprüft; ohne Bestätigung wird im Bericht gewarnt.",
        );
    changed |= confirm.changed();
    if !p.wohnflaechen.confirmed {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            "Die Wohnflächen sind noch nicht bestätigt.",
        );
    }
    if changed {
        rows.params = p;
        rows.cmds.push(Command::SetParameters {
            params: Box::new(rows.params.clone()),
            key,
        });
    }
    if rows.show_justifications {
        ui.horizontal(|ui| {
            ui.label("Begründung:");
            justification_field(ui, rows.project, key, "Wohnflächen", rows.cmds);
        });
    }
}

/// "1 Person", "2 Personen".
pub fn persons(n: u32) -> String {
    if n == 1 {
        "1 Person".to_string()
    } else {
        format!("{n} Personen")
    }
}

/// An optional limit: a "begrenzen" checkbox and a whole-number drag value (1..=max) with a unit.
fn optional_limit(
    ui: &mut egui::Ui,
    id: egui::Id,
    value: &mut Option<u32>,
    default: u32,
    max: u32,
    suffix: &str,
) -> bool {
    let mut on = value.is_some();
    let mut n = value.unwrap_or(default);
    let a = ui.checkbox(&mut on, "begrenzen").changed();
    let b = ui
        .add_enabled(
            on,
            egui::DragValue::new(&mut n).range(1..=max).suffix(suffix),
        )
        .labelled_by(id)
        .changed();
    *value = on.then_some(n);
    a || b
}
