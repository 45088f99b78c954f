//! Checks of the concept that cannot run must say so (no silent green light).

use kdu_konzept::analysis::{self, Severity};
use kdu_konzept::dataset::LoadedProject;
use std::path::Path;

fn sample() -> LoadedProject {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/musterland.kdu.toml");
    match LoadedProject::load(&path, &mut |_, _, _| true) {
        Ok(lp) => lp,
        Err(e) => panic!("sample project: {e:#}"),
    }
}

#[test]
fn missing_rented_stock_is_a_hint_that_coverage_cannot_be_checked() {
    let mut lp = sample();
    let (_, a) = analysis::run(&lp.project, &lp.data);
    assert!(
        !a.warnings
            .iter()
            .any(|w| w.text.contains("Mietwohnungsbestand fehlt")),
        "the sample has its stock"
    );
    let g = &mut lp.project.gemeinden[0];
    g.mietwohnungen = None;
    let (name, vr) = (g.name.clone(), g.vergleichsraum.clone());
    let (_, a) = analysis::run(&lp.project, &lp.data);
    let hint = a
        .warnings
        .iter()
        .find(|w| w.text.contains("Mietwohnungsbestand fehlt"))
        .expect("hint");
    assert_eq!(hint.severity, Severity::Hinweis);
    assert_eq!(hint.criterion(), kdu_konzept::model::BsgCriterion::K5);
    let check = a
        .checks
        .iter()
        .find(|c| c.code == analysis::CheckCode::Abdeckung)
        .expect("coverage check");
    assert_ne!(check.status, analysis::CheckStatus::Ok);
    assert!(check.missing.as_deref().is_some_and(|m| m.contains(&name)));
    assert!(
        hint.text.contains(&name) && hint.text.starts_with(&vr),
        "{}",
        hint.text
    );
    // Without any stock in the Vergleichsraum the coverage figure itself is not computed.
    for g in lp
        .project
        .gemeinden
        .iter_mut()
        .filter(|g| g.vergleichsraum == vr)
    {
        g.mietwohnungen = None;
    }
    let (_, a) = analysis::run(&lp.project, &lp.data);
    assert!(a.warnings.iter().any(|w| w.severity == Severity::Hinweis
        && w.text.starts_with(&vr)
        && w.text.contains("alle Gemeinden")));
}

#[test]
fn blank_rows_between_data_rows_are_counted_not_dropped_silently() {
    let lp = sample();
    let blank: usize = lp.data.sources.iter().map(|s| s.import.blank_rows).sum();
    // The generator writes three blank rows into the sample sheets (they used to be rejections).
    assert_eq!(blank, 3);
    let delivered: usize = lp.data.sources.iter().map(|s| s.import.rows_total).sum();
    assert_eq!(delivered, lp.data.records.len() + lp.data.rejections.len());
}

#[test]
fn offers_left_out_of_the_availability_check_are_in_the_bereinigung_sheet() {
    use calamine::{Data, DataType, Reader, open_workbook_auto};
    use kdu_konzept::export::{ExportOptions, Variant, write_workbook};
    let lp = sample();
    let (prep, an) = analysis::run(&lp.project, &lp.data);
    let total: usize = an.offers_excluded.values().sum();
    assert!(total > 0, "the sample has offers outside the window");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mappe.xlsx");
    let o = ExportOptions {
        variant: Variant::Pruefmappe,
        include_ids: false,
    };
    write_workbook(&path, &lp, &prep, &an, &o).unwrap();
    let mut wb = open_workbook_auto(&path).unwrap();
    let ber = wb.worksheet_range("Bereinigung").unwrap();
    let stage = |r: &[Data]| r.first().map(|d| d.to_string()).unwrap_or_default();
    // One row per excluded offer with its row number, plus the totals by reason.
    let listed = ber
        .rows()
        .filter(|r| {
            stage(r) == "Verfügbarkeitsprüfung" && r.get(3).is_some_and(|d| d.as_f64().is_some())
        })
        .count();
    let by_reason = an.offers_excluded.len();
    assert_eq!(
        listed,
        total + by_reason,
        "rows and totals of the offer stage"
    );
}

#[test]
fn no_working_notes_reach_a_court_document() {
    use calamine::{Reader, open_workbook_auto};
    use kdu_konzept::export::{ExportOptions, Variant, write_workbook};
    let mut lp = sample();
    lp.project.parameters.heating.enabled = true;
    lp.project.parameters.heating.gesamtangemessenheitsgrenze = true;
    let (prep, an) = analysis::run(&lp.project, &lp.data);
    let dir = tempfile::tempdir().unwrap();
    for variant in [Variant::Pruefmappe, Variant::Veroeffentlichung] {
        let path = dir.path().join("mappe.xlsx");
        let o = ExportOptions {
            variant,
            include_ids: false,
        };
        write_workbook(&path, &lp, &prep, &an, &o).unwrap();
        let mut wb = open_workbook_auto(&path).unwrap();
        for name in wb.sheet_names() {
            let range = wb.worksheet_range(&name).unwrap();
            for (r, c, cell) in range.cells() {
                let text = cell.to_string();
                for mark in [
                    "[U",
                    "[S]",
                    "[V]",
                    "[F]",
                    "DOMAIN",
                    "ttsim",
                    "Primärquellen",
                    "in den ausgewerteten Quellen nicht belegt",
                    ".md",
                ] {
                    assert!(
                        !text.contains(mark),
                        "{name} ({r}, {c}) contains „{mark}“: {text}"
                    );
                }
            }
        }
    }
}

#[test]
fn gemeinde_table_is_found_on_any_sheet_and_errors_name_the_sheets() {
    use kdu_konzept::import::gemeinden::read_gemeinden;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gemeinden.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let notes = wb.add_worksheet().set_name("Hinweise").unwrap();
    notes.write_string(0, 0, "Stand: 2025").unwrap();
    let g = wb.add_worksheet().set_name("Gemeinden").unwrap();
    for (c, h) in ["AGS", "Gemeinde", "Vergleichsraum"].iter().enumerate() {
        g.write_string(0, c as u16, *h).unwrap();
    }
    g.write_string(1, 0, "05358008").unwrap();
    g.write_string(1, 1, "Düren").unwrap();
    g.write_string(1, 2, "Stadt").unwrap();
    wb.save(&path).unwrap();
    let rows = read_gemeinden(&path, None).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].vergleichsraum, "Stadt");
    // The sheet given explicitly is read; its name is in the error.
    let e = read_gemeinden(&path, Some("Hinweise"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("„Hinweise“") && e.contains("Vergleichsraum"),
        "{e}"
    );
    // Without any Gemeinde table the message lists the sheets it looked at.
    let path2 = dir.path().join("leer.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    wb.add_worksheet()
        .set_name("A")
        .unwrap()
        .write_string(0, 0, "x")
        .unwrap();
    wb.add_worksheet()
        .set_name("B")
        .unwrap()
        .write_string(0, 0, "y")
        .unwrap();
    wb.save(&path2).unwrap();
    let e = read_gemeinden(&path2, None).unwrap_err().to_string();
    assert!(e.contains("„A“") && e.contains("„B“"), "{e}");
}
