//! The Schlüssigkeitsprüfung as a list to work through: one entry per reason courts give, with
//! its status, the sentence, the decision it rests on, what is missing, and the cells concerned
//! (a click shows the cell on the Ergebnisse screen).

use crate::analysis::{Analysis, Check, CheckStatus};
use crate::app::forms::Forms;
use crate::app::state::{AppState, Command, Screen};
use crate::app::widgets::{check_color, no_project, section};
use crate::fmt::count;
use egui::{RichText, Ui};

/// The verdict in one German line and whether the concept is schlüssig.
pub fn verdict(a: &Analysis) -> (String, bool) {
    let errors = a.open_errors().count();
    let warnings = a
        .checks
        .iter()
        .filter(|c| c.status == CheckStatus::Warnung)
        .count();
    if errors > 0 {
        (
            format!(
                "Nicht schlüssig: {}, {}",
                count(errors, "offener Fehler", "offene Fehler"),
                count(warnings, "Warnung", "Warnungen")
            ),
            false,
        )
    } else {
        (
            format!(
                "Keine offenen Fehler, {}",
                count(warnings, "Warnung", "Warnungen")
            ),
            true,
        )
    }
}

/// The Prüfung screen.
pub fn pruefung_ui(ui: &mut Ui, state: &AppState, forms: &mut Forms, cmds: &mut Vec<Command>) {
    let Some(doc) = state.doc() else {
        no_project(ui);
        return;
    };
    let a = doc.analysis();
    ui.heading("Schlüssigkeitsprüfung");
    ui.label(
        "Geprüft wird gegen die Gründe, aus denen Sozialgerichte Konzepte verworfen haben, je mit dem BSG-Kriterium (K1–K8) und der Entscheidung. Jede Parameteränderung prüft sofort neu.",
    );
    let (text, ok) = verdict(a);
    ui.add_space(4.0);
    let color = if ok {
        check_color(ui, CheckStatus::Ok)
    } else {
        check_color(ui, CheckStatus::Fehler)
    };
    ui.label(RichText::new(text).strong().size(16.0).color(color));
    ui.checkbox(
        &mut forms.checks_open_only,
        "Nur offene Punkte zeigen (Fehler, Warnungen, nicht prüfbar)",
    );
    egui::ScrollArea::vertical()
        .id_salt(("pruefung_scroll", state.load_generation()))
        .auto_shrink([false, false])
        .show(ui, |ui| {
            let mut last = None;
            for c in &a.checks {
                let open = matches!(
                    c.status,
                    CheckStatus::Fehler | CheckStatus::Warnung | CheckStatus::NichtPruefbar
                );
                if forms.checks_open_only && !open {
                    continue;
                }
                if last != Some(c.criterion) {
                    section(ui, &format!("{} – {}", c.criterion, c.criterion.german()));
                    last = Some(c.criterion);
                }
                check_entry(ui, a, c, cmds);
            }
        });
}

fn check_entry(ui: &mut Ui, a: &Analysis, c: &Check, cmds: &mut Vec<Command>) {
    ui.horizontal_wrapped(|ui| {
        ui.label(
            RichText::new(c.status.german())
                .strong()
                .color(check_color(ui, c.status)),
        );
        ui.label(RichText::new(c.title).strong());
    });
    ui.indent(("check", c.code.code()), |ui| {
        ui.label(&c.text);
        if let Some(m) = &c.missing {
            ui.label(
                RichText::new(format!("Es fehlt: {m}"))
                    .color(check_color(ui, CheckStatus::NichtPruefbar)),
            );
        }
        if c.findings.len() > 1 {
            egui::CollapsingHeader::new(count(c.findings.len(), "Befund", "Befunde"))
                .id_salt(("findings", c.code.code()))
                .show(ui, |ui| {
                    for f in &c.findings {
                        ui.label(format!("– {f}"));
                    }
                });
        }
        if !c.cells.is_empty() {
            ui.horizontal_wrapped(|ui| {
                ui.label("Tabellenfelder:");
                for r in c.cells.iter().take(24) {
                    let vr = a
                        .cells
                        .iter()
                        .find(|x| x.vergleichsraum == r.vergleichsraum)
                        .map(|x| x.vr);
                    if let Some(vr) = vr
                        && ui
                            .link(r.german())
                            .on_hover_text("Tabellenfeld auf dem Bildschirm „Ergebnisse“ zeigen")
                            .clicked()
                    {
                        cmds.push(Command::SelectCell {
                            vr,
                            household_size: r.household_size,
                        });
                        cmds.push(Command::Navigate(Screen::Ergebnisse));
                    }
                }
                if c.cells.len() > 24 {
                    ui.label(format!("… und {} weitere", c.cells.len() - 24));
                }
            });
        }
        ui.label(
            RichText::new(format!("Rechtsprechung: {}", c.decision))
                .small()
                .weak(),
        );
    });
    ui.add_space(4.0);
}
