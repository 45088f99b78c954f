//! The scope of the Konzept is the same for every kind of data (issue 12 B 7–10): one sheet
//! holding Bestand and Angebot rows with one date column, furnished flats of both kinds,
//! Nebenkosten that include heating and Bestand rows without any date, imported from a generated
//! xlsx file and followed through the analysis into the workbook.

use calamine::{Data, Reader, open_workbook_auto};
use kdu_konzept::analysis::prepare::RecordStatus;
use kdu_konzept::analysis::{self, Analysis, Prepared};
use kdu_konzept::dataset::LoadedProject;
use kdu_konzept::export::{ExportOptions, Variant, write_workbook};
use kdu_konzept::model::project::{GemeindeRow, SourceSpec, VergleichsraumSpec};
use kdu_konzept::model::{Date, Field, Project, Reason, SourceKind};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

/// One data row of the generated sheet.
struct Row {
    kind: &'static str,
    area: f64,
    per_m2: f64,
    /// Nebenkosten per m².
    nk_per_m2: f64,
    heating_included: bool,
    furnished: bool,
    /// Mietbeginn / letzte Mietänderung (offers: the date of the offer).
    date: Option<&'static str>,
}

const HEADERS: [&str; 8] = [
    "Gemeinde",
    "Datenart",
    "Nettokaltmiete",
    "Wohnfläche",
    "Nebenkosten",
    "NK inkl. Heizung",
    "Mietbeginn / letzte Mietänderung",
    "möbliert",
];

/// Excel row numbers (header in row 1) of the rows built by [`rows`].
struct Lines {
    furnished_bestand: Vec<u32>,
    undated_bestand: Vec<u32>,
    warm_bestand: Vec<u32>,
    furnished_offers: Vec<u32>,
    offer_outside_window: u32,
    offers: usize,
}

/// 24 dated Bestand rows (4 with heating in the Nebenkosten, 2 furnished), 3 undated Bestand
/// rows, 10 offers dated in the date column (2 furnished, 1 outside the 12-month window).
fn rows() -> (Vec<Row>, Lines) {
    let mut out = Vec::new();
    let mut lines = Lines {
        furnished_bestand: Vec::new(),
        undated_bestand: Vec::new(),
        warm_bestand: Vec::new(),
        furnished_offers: Vec::new(),
        offer_outside_window: 0,
        offers: 0,
    };
    let line = |out: &Vec<Row>| out.len() as u32 + 2;
    for i in 0..24u32 {
        let warm = i % 6 == 1;
        let furnished = i == 10 || i == 17;
        if warm {
            lines.warm_bestand.push(line(&out));
        }
        if furnished {
            lines.furnished_bestand.push(line(&out));
        }
        out.push(Row {
            kind: "Bestand",
            area: 30.0 + f64::from(i % 10) * 2.0,
            per_m2: 6.0 + f64::from(i % 8) * 0.25,
            // Warm Nebenkosten are plausible amounts too, and higher: in the statistic they
            // would raise the median.
            nk_per_m2: if warm { 3.4 } else { 2.0 },
            heating_included: warm,
            furnished,
            date: Some(if i % 2 == 0 {
                "01.05.2023"
            } else {
                "15.09.2022"
            }),
        });
    }
    for i in 0..3u32 {
        lines.undated_bestand.push(line(&out));
        out.push(Row {
            kind: "Bestand",
            area: 40.0 + f64::from(i),
            per_m2: 6.5,
            nk_per_m2: 2.0,
            heating_included: false,
            furnished: false,
            date: None,
        });
    }
    for i in 0..10u32 {
        let furnished = i == 2 || i == 7;
        let outside = i == 5;
        if furnished {
            lines.furnished_offers.push(line(&out));
        }
        if outside {
            lines.offer_outside_window = line(&out);
        }
        lines.offers += 1;
        out.push(Row {
            kind: "Angebot",
            area: 30.0 + f64::from(i) * 2.0,
            per_m2: 6.0 + f64::from(i) * 0.3,
            nk_per_m2: 2.1,
            heating_included: false,
            furnished,
            date: Some(if outside { "01.03.2023" } else { "01.06.2024" }),
        });
    }
    (out, lines)
}

fn write_sheet(path: &Path, rows: &[Row]) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let result = (|| -> Result<(), rust_xlsxwriter::XlsxError> {
        let ws = wb.add_worksheet();
        ws.set_name("Mieten")?;
        for (c, h) in HEADERS.iter().enumerate() {
            ws.write_string(0, c as u16, *h)?;
        }
        for (i, r) in rows.iter().enumerate() {
            let line = i as u32 + 1;
            ws.write_string(line, 0, "Musterstadt")?;
            ws.write_string(line, 1, r.kind)?;
            ws.write_number(line, 2, (r.area * r.per_m2 * 100.0).round() / 100.0)?;
            ws.write_number(line, 3, r.area)?;
            ws.write_number(line, 4, (r.area * r.nk_per_m2 * 100.0).round() / 100.0)?;
            ws.write_string(line, 5, if r.heating_included { "ja" } else { "nein" })?;
            if let Some(d) = r.date {
                ws.write_string(line, 6, d)?;
            }
            ws.write_string(line, 7, if r.furnished { "ja" } else { "nein" })?;
        }
        wb.save(path)
    })();
    if let Err(e) = result {
        panic!("workbook {}: {e}", path.display());
    }
}

fn source(path: &str, kind: SourceKind) -> SourceSpec {
    SourceSpec {
        path: path.to_string(),
        sheet: None,
        header_row: None,
        kind,
        sha256: String::new(),
        lieferant: String::new(),
        methode: String::new(),
        stichtag: None,
        zeitraum_von: None,
        zeitraum_bis: None,
        mapping: BTreeMap::new(),
        annual: BTreeSet::new(),
    }
}

/// A project with one Gemeinde in one Vergleichsraum, Stichtag 01.01.2025, and `sources`.
fn project(dir: &Path, sources: Vec<SourceSpec>) -> LoadedProject {
    let Some(stichtag) = Date::from_ymd(2025, 1, 1) else {
        panic!("date");
    };
    let mut p = Project::new("Gericht", stichtag);
    p.vergleichsraeume.push(VergleichsraumSpec {
        name: "Nord".into(),
        begruendung: String::new(),
        ohne_konzept: false,
    });
    p.gemeinden.push(GemeindeRow {
        ags: "05999001".into(),
        name: "Musterstadt".into(),
        vergleichsraum: "Nord".into(),
        einwohner: Some(20_000),
        mietwohnungen: Some(4_000),
        mietstufe: Some(3),
    });
    p.sources = sources;
    let file = dir.join("gericht.kdu.toml");
    if let Err(e) = p.save(&file) {
        panic!("save: {e}");
    }
    match LoadedProject::load(&file, &mut |_, _, _| true) {
        Ok(lp) => lp,
        Err(e) => panic!("load: {e:#}"),
    }
}

/// The index of the record from Excel row `line`.
fn record(lp: &LoadedProject, line: u32) -> u32 {
    match lp.data.records.iter().position(|r| r.row == line) {
        Some(i) => i as u32,
        None => panic!("no record from row {line}"),
    }
}

/// (stage, reason text, row) of the excluded-rows list of the Bereinigung sheet.
fn bereinigung_rows(
    lp: &LoadedProject,
    prep: &Prepared,
    an: &Analysis,
) -> Vec<(String, String, u32)> {
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("tempdir: {e}"),
    };
    let path = dir.path().join("mappe.xlsx");
    let o = ExportOptions {
        variant: Variant::Pruefmappe,
        include_ids: false,
    };
    if let Err(e) = write_workbook(&path, lp, prep, an, &o) {
        panic!("export: {e}");
    }
    let mut wb = match open_workbook_auto(&path) {
        Ok(wb) => wb,
        Err(e) => panic!("open: {e}"),
    };
    let range = match wb.worksheet_range("Bereinigung") {
        Ok(r) => r,
        Err(e) => panic!("Bereinigung: {e}"),
    };
    let text = |d: Option<&Data>| d.map(|d| d.to_string()).unwrap_or_default();
    // The list of rows has a text code in column C and a row number in column D.
    let listed = range
        .rows()
        .skip_while(|r| !text(r.first()).starts_with("Ausgeschlossene Zeilen"))
        .filter_map(|r| match r.get(3) {
            Some(Data::Float(f)) => Some((text(r.first()), text(r.get(1)), *f as u32)),
            Some(Data::Int(i)) => Some((text(r.first()), text(r.get(1)), *i as u32)),
            _ => None,
        })
        .collect();
    let bk = match wb.worksheet_range("Betriebskosten") {
        Ok(r) => r,
        Err(e) => panic!("Betriebskosten: {e}"),
    };
    let header: Vec<String> = bk
        .rows()
        .find(|r| text(r.first()) == "Vergleichsraum")
        .map(|r| r.iter().map(|d| d.to_string()).collect())
        .unwrap_or_default();
    let col = header
        .iter()
        .position(|h| h == "BK inkl. Heizung (nicht verwendet)");
    let nord = bk.rows().find(|r| text(r.first()) == "Nord");
    let heating = match (col, nord) {
        (Some(c), Some(r)) => text(r.get(c)),
        _ => panic!("Betriebskosten sheet without the heating column: {header:?}"),
    };
    assert_eq!(heating, "4", "warm Nebenkosten on the Betriebskosten sheet");
    listed
}

#[test]
fn one_mixed_sheet_passes_the_same_scope_for_every_kind() {
    let dir = tempfile::tempdir().unwrap();
    let (rows, lines) = rows();
    write_sheet(&dir.path().join("mieten.xlsx"), &rows);
    let lp = project(dir.path(), vec![source("mieten.xlsx", SourceKind::Bestand)]);
    let imported = &lp.data.sources[0].import;
    assert!(lp.data.rejections.is_empty(), "{:?}", lp.data.rejections);
    assert_eq!(lp.data.records.len(), rows.len());
    // The bare "Nebenkosten" is read because "NK inkl. Heizung" says per row what it holds.
    assert_eq!(imported.mapping[&Field::OperatingCosts], 4);
    assert_eq!(imported.mapping[&Field::HeatingIncluded], 5);
    assert_eq!(imported.mapping[&Field::Kind], 1);
    assert!(imported.column_notes().is_empty());

    let (prep, an) = analysis::run(&lp.project, &lp.data);

    // 8: the offers take the date column as their offer date and enter the availability check.
    let kept = lines.offers - lines.furnished_offers.len() - 1;
    assert_eq!(prep.offers.n_kept(), kept);
    assert_eq!(prep.offers.wholesale_excluded(), None);
    assert!(!an.offers_excluded.contains_key(&Reason::OfferDateMissing));
    let cell = &an.cells[0];
    assert_eq!(cell.availability.as_ref().map(|a| a.n_offers), Some(kept));
    // 7: furnished offers are excluded like furnished Bestand, with their reason.
    for &line in &lines.furnished_offers {
        assert!(
            prep.offers
                .excluded
                .contains(&(record(&lp, line), Reason::Furnished)),
            "row {line}"
        );
    }
    assert!(prep.offers.excluded.contains(&(
        record(&lp, lines.offer_outside_window),
        Reason::OfferOutsideWindow
    )));
    assert_eq!(an.offers_excluded[&Reason::Furnished], 2);
    assert_eq!(
        an.offers_excluded.values().sum::<usize>() + prep.offers.n_kept(),
        lines.offers,
        "every offer is used or excluded"
    );
    for &line in &lines.furnished_bestand {
        assert_eq!(
            prep.status[record(&lp, line) as usize],
            RecordStatus::Excluded(Reason::Furnished)
        );
    }

    // 10: undated Bestand rows are excluded with their reason, counted per cell.
    for &line in &lines.undated_bestand {
        assert_eq!(
            prep.status[record(&lp, line) as usize],
            RecordStatus::Excluded(Reason::ContractDateMissing)
        );
    }
    assert_eq!(prep.cell(0, 0).map(|c| c.n_undated), Some(3));
    assert_eq!(an.funnel.excluded[&Reason::ContractDateMissing], 3);
    assert_eq!(cell.excluded[&Reason::ContractDateMissing], 3);

    // 9: warm Nebenkosten stay out of the kalte-BK statistic.
    let in_cell_warm = lines
        .warm_bestand
        .iter()
        .filter(|&&l| {
            matches!(
                prep.status[record(&lp, l) as usize],
                RecordStatus::InCell { .. }
            )
        })
        .count();
    assert_eq!(in_cell_warm, 4);
    let bk = &an.vergleichsraeume[0].bk;
    assert_eq!(bk.n_heating_included, 4);
    assert_eq!(bk.n, 24 - 2 - 4, "dated, not furnished, cold");
    assert_eq!(bk.per_m2, Some(2.0));
    // The NKM analysis keeps them.
    assert_eq!(cell.n_in_cell, 24 - 2);

    // The workbook lists every exclusion with its reason and Excel row.
    let listed = bereinigung_rows(&lp, &prep, &an);
    for &line in &lines.furnished_offers {
        assert!(
            listed.contains(&(
                "Verfügbarkeitsprüfung".to_string(),
                Reason::Furnished.german().to_string(),
                line
            )),
            "offer row {line}: {listed:?}"
        );
    }
    for &line in &lines.undated_bestand {
        assert!(
            listed.contains(&(
                "Abgrenzung".to_string(),
                Reason::ContractDateMissing.german().to_string(),
                line
            )),
            "Bestand row {line}: {listed:?}"
        );
    }
}

#[test]
fn undated_bestand_included_with_a_justification_enters_the_cells() {
    let dir = tempfile::tempdir().unwrap();
    let (rows, lines) = rows();
    write_sheet(&dir.path().join("mieten.xlsx"), &rows);
    let mut lp = project(dir.path(), vec![source("mieten.xlsx", SourceKind::Bestand)]);
    lp.project.parameters.scope.include_undated = true;
    lp.project.justifications.insert(
        "scope.include_undated".into(),
        "Vollerhebung 2024 ohne Datumsfeld".into(),
    );
    let (prep, an) = analysis::run(&lp.project, &lp.data);
    for &line in &lines.undated_bestand {
        assert!(matches!(
            prep.status[record(&lp, line) as usize],
            RecordStatus::InCell { .. }
        ));
    }
    assert_eq!(prep.cell(0, 0).map(|c| c.n_undated), Some(3));
    assert_eq!(an.cells[0].n_in_cell, 24 - 2 + 3);
    assert!(
        !an.funnel
            .excluded
            .contains_key(&Reason::ContractDateMissing)
    );
    let text = kdu_konzept::export::method_text(&lp, &an).join("\n");
    assert!(
        text.contains("auf Entscheidung des Trägers einbezogen")
            && text.contains("Begründung: Vollerhebung 2024 ohne Datumsfeld."),
        "{text}"
    );
}

/// A CSV of offers (no Datenart column) whose only date is a "Mietbeginn".
fn write_offers_csv(path: &Path) {
    let mut text = String::from("Gemeinde;Nettokaltmiete;Wohnfläche;Mietbeginn\n");
    for i in 0..6 {
        text.push_str(&format!("Musterstadt;{};{};\n", 300 + 10 * i, 40 + 2 * i));
    }
    if let Err(e) = std::fs::write(path, text) {
        panic!("{}: {e}", path.display());
    }
}

#[test]
fn offers_excluded_wholesale_are_a_fact_with_their_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let (rows, _) = rows();
    write_sheet(&dir.path().join("mieten.xlsx"), &rows);
    write_offers_csv(&dir.path().join("angebote.csv"));
    let lp = project(
        dir.path(),
        vec![
            source("mieten.xlsx", SourceKind::Bestand),
            source("angebote.csv", SourceKind::Angebot),
        ],
    );
    let (prep, an) = analysis::run(&lp.project, &lp.data);
    // The mixed sheet's offers are used, so there is no wholesale exclusion.
    assert_eq!(prep.offers.wholesale_excluded(), None);
    // Without the mixed sheet every offer lacks a date.
    let only_offers = project(
        dir.path(),
        vec![source("angebote.csv", SourceKind::Angebot)],
    );
    let (prep, an_offers) = analysis::run(&only_offers.project, &only_offers.data);
    let wholesale = prep.offers.wholesale_excluded().unwrap();
    assert_eq!(wholesale, BTreeMap::from([(Reason::OfferDateMissing, 6)]));
    assert_eq!(an_offers.offers_excluded, wholesale);
    assert!(an_offers.cells.iter().all(|c| c.availability.is_none()));
    assert_eq!(an.offers_excluded[&Reason::OfferDateMissing], 6);
}

fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_kdu-konzept"))
}

#[test]
fn import_names_a_bare_nebenkosten_column_it_did_not_assign() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bestand.csv");
    std::fs::write(
        &file,
        "Gemeinde;Nettokaltmiete;Wohnfläche;Nebenkosten\nMusterstadt;300;50;120\n",
    )
    .unwrap();
    let out = Command::new(bin())
        .args(["import", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Hinweis:      Spalte „Nebenkosten“ gefunden, aber nicht zugeordnet: Es ist unklar, ob diese Nebenkosten Heizkosten enthalten."),
        "{text}"
    );
    assert!(!text.contains("← Nebenkosten"), "{text}");
    let out = Command::new(bin())
        .args(["import", file.to_str().unwrap(), "--json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["notes"].as_array().map(Vec::len), Some(1));
    assert!(json["mapping"].get("operating_costs").is_none());
}
