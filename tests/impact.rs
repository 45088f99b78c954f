//! Wirkungsanalyse: the recipients' households against the applied limit per cell, the K8 check
//! `ueberschreitung`, and the recipients' table through `init --recipients` and `compute --json`.

use kdu_konzept::analysis::{self, CheckCode, CheckStatus};
use kdu_konzept::dataset::LoadedProject;
use kdu_konzept::import::recipients::RecipientRow;
use std::path::Path;
use std::process::Command;

fn sample() -> LoadedProject {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/musterland.kdu.toml");
    match LoadedProject::load(&path, &mut |_, _, _| true) {
        Ok(lp) => lp,
        Err(e) => panic!("sample project: {e:#}"),
    }
}

/// The sample with „VR 1 Musterstadt“ marked „ohne Konzept“: its cells are on the WoGG
/// fallback per Gemeinde (Mietstufen 4 and 3 differ).
fn musterstadt_without_concept() -> (LoadedProject, &'static str) {
    let mut lp = sample();
    let vr = "VR 1 Musterstadt";
    for v in lp
        .project
        .vergleichsraeume
        .iter_mut()
        .filter(|v| v.name == vr)
    {
        v.ohne_konzept = true;
    }
    (lp, vr)
}

fn row(line: u32, vr: &str, gemeinde: &str, hh: u32, gross_cold: f64, count: u32) -> RecipientRow {
    RecipientRow {
        line,
        vergleichsraum: vr.to_string(),
        gemeinde: gemeinde.to_string(),
        household_size: hh,
        gross_cold,
        hk: None,
        count,
    }
}

fn status(a: &analysis::Analysis) -> CheckStatus {
    a.checks
        .iter()
        .find(|c| c.code == CheckCode::Ueberschreitung)
        .map_or(CheckStatus::Ok, |c| c.status)
}

#[test]
fn households_above_the_applied_limit_are_counted_with_their_money() {
    let mut lp = sample();
    let (_, base) = analysis::run(&lp.project, &lp.data);
    assert_eq!(status(&base), CheckStatus::NichtPruefbar);
    assert!(base.impact.is_none() && base.cells.iter().all(|c| c.impact.is_none()));
    let cell = base
        .cells
        .iter()
        .find(|c| c.applied_limit.is_some())
        .expect("a cell with a limit");
    let limit = cell.applied_limit.unwrap();
    let vr = cell.vergleichsraum.clone();
    let hh = cell.household_size;
    lp.data.recipients = Some(vec![
        row(2, &vr, "", hh, limit - 10.0, 3),
        row(3, &vr, "", hh, limit, 1),
        row(4, &vr, "", hh, limit + 20.0, 2),
        row(5, "VR unbekannt", "", hh, 900.0, 1),
    ]);
    let (_, a) = analysis::run(&lp.project, &lp.data);
    let c = a
        .cells
        .iter()
        .find(|c| c.vergleichsraum == vr && c.household_size == hh)
        .unwrap();
    let imp = c.impact.as_ref().unwrap();
    assert_eq!((imp.households, imp.assessed, imp.above_limit), (6, 6, 2));
    assert!((imp.share_above.unwrap() - 2.0 / 6.0).abs() < 1e-12);
    assert_eq!(imp.monthly_sum_above, 40.0);
    assert_eq!(imp.yearly_sum_above, 480.0);
    let total = a.impact.as_ref().unwrap();
    assert_eq!((total.households, total.unmatched), (7, 1));
    assert_eq!(total.unmatched_lines, vec![5]);
    // Every cell has an impact (zero where no household lives).
    assert!(a.cells.iter().all(|c| c.impact.is_some()));
    // 33 % is below the default threshold of 40 %: only the hint about the unmatched row.
    assert_eq!(status(&a), CheckStatus::Hinweis);
    lp.project.parameters.availability.share_above_limit_max = 0.30;
    let (_, a) = analysis::run(&lp.project, &lp.data);
    assert_eq!(status(&a), CheckStatus::Warnung);
    let check = a
        .checks
        .iter()
        .find(|c| c.code == CheckCode::Ueberschreitung)
        .unwrap();
    assert!(
        check.text.contains("33 %") || check.text.contains("33,3 %"),
        "{}",
        check.text
    );
    assert_eq!(check.cells.len(), 1);
    // The method text says what was measured.
    let text = kdu_konzept::export::method_text(&lp, &a).join("\n");
    assert!(
        text.contains("Wirkung: Von 7 Bedarfsgemeinschaften")
            && text.contains("2 liegen darüber")
            && text.contains("1 Bedarfsgemeinschaft ließ sich"),
        "{text}"
    );
}

#[test]
fn on_the_fallback_per_gemeinde_each_household_meets_its_gemeindes_value() {
    let (mut lp, vr) = musterstadt_without_concept();
    let (_, base) = analysis::run(&lp.project, &lp.data);
    let cell = base
        .cells
        .iter()
        .find(|c| c.vergleichsraum == vr && c.household_size == 1)
        .unwrap();
    assert!(cell.applied_limit.is_none(), "Mietstufen 4 and 3 differ");
    let value = |name: &str| {
        cell.applied_by_gemeinde
            .iter()
            .find(|g| g.gemeinde == name)
            .and_then(|g| g.limit)
            .unwrap()
    };
    let (stadt, linden) = (value("Musterstadt"), value("Lindenfeld"));
    assert!(stadt > linden);
    // Between the two values: above in Lindenfeld only. By AGS, by name, and without Gemeinde.
    let between = linden + (stadt - linden) / 2.0;
    lp.data.recipients = Some(vec![
        row(2, "", "05999004", 1, between, 1),
        row(3, "", "Lindenfeld", 1, between, 1),
        row(4, vr, "", 1, between, 1),
    ]);
    let (_, a) = analysis::run(&lp.project, &lp.data);
    let imp = a
        .cells
        .iter()
        .find(|c| c.vergleichsraum == vr && c.household_size == 1)
        .and_then(|c| c.impact.clone())
        .unwrap();
    assert_eq!(
        (
            imp.households,
            imp.assessed,
            imp.not_assessed,
            imp.above_limit
        ),
        (3, 2, 1, 1)
    );
    let gap = ((between - linden) * 100.0).round() / 100.0;
    assert!((imp.monthly_sum_above - gap).abs() < 1e-9);
}

#[test]
fn households_larger_than_the_largest_size_class_meet_its_limit_plus_the_further_persons() {
    let mut lp = sample();
    let (_, base) = analysis::run(&lp.project, &lp.data);
    // The largest cell of a Vergleichsraum with a valid limit.
    let cell = base
        .cells
        .iter()
        .filter(|c| c.valid && c.applied_limit.is_some())
        .max_by_key(|c| c.household_size)
        .unwrap();
    let vr = cell.vergleichsraum.clone();
    let largest = base
        .cells
        .iter()
        .filter(|c| c.vergleichsraum == vr)
        .map(|c| c.household_size)
        .max()
        .unwrap();
    assert_eq!(cell.household_size, largest);
    let further = base
        .vergleichsraeume
        .iter()
        .find(|v| v.name == vr)
        .and_then(|v| v.further_person)
        .unwrap()
        .gross_cold;
    assert!(further > 0.0);
    // Two persons more: the limit is the largest cell's plus twice the amount per person.
    let limit = ((cell.applied_limit.unwrap() + 2.0 * further) * 100.0).round() / 100.0;
    lp.data.recipients = Some(vec![
        row(2, &vr, "", largest + 2, limit - 1.0, 2),
        row(3, &vr, "", largest + 2, limit + 5.0, 1),
        row(4, &vr, "", largest, cell.applied_limit.unwrap() + 5.0, 1),
    ]);
    let (_, a) = analysis::run(&lp.project, &lp.data);
    let c = a
        .cells
        .iter()
        .find(|c| c.vergleichsraum == vr && c.household_size == largest)
        .unwrap();
    let imp = c.impact.as_ref().unwrap();
    assert_eq!(
        (
            imp.households,
            imp.larger_households,
            imp.assessed,
            imp.above_limit
        ),
        (4, 3, 4, 2)
    );
    assert!((imp.monthly_sum_above - 10.0).abs() < 1e-9);
    let total = a.impact.as_ref().unwrap();
    assert_eq!((total.unmatched, total.larger_households), (0, 3));
    let text = kdu_konzept::export::method_text(&lp, &a).join("\n");
    assert!(
        text.contains("3 Bedarfsgemeinschaften mit mehr Personen als die größte Haushaltsgröße"),
        "{text}"
    );
}

#[test]
fn larger_households_on_the_fallback_meet_the_wogg_value_of_their_size() {
    use kdu_konzept::analysis::wogg;
    let (mut lp, vr) = musterstadt_without_concept();
    let (_, base) = analysis::run(&lp.project, &lp.data);
    let largest = base
        .cells
        .iter()
        .filter(|c| c.vergleichsraum == vr)
        .max_by_key(|c| c.household_size)
        .unwrap();
    let stufe = largest
        .applied_by_gemeinde
        .iter()
        .find(|g| g.gemeinde == "Musterstadt")
        .and_then(|g| g.mietstufe)
        .unwrap();
    let size = largest.household_size + 2;
    let w = &lp.project.parameters.wogg;
    let value = wogg::fallback(
        wogg::table_date(&lp.project),
        size,
        stufe,
        w.surcharge,
        w.klima,
    )
    .unwrap()
    .with_surcharge;
    // The WoGG value for seven persons is larger than the one of the largest class.
    let largest_value = largest
        .applied_by_gemeinde
        .iter()
        .find(|g| g.gemeinde == "Musterstadt")
        .and_then(|g| g.limit)
        .unwrap();
    assert!(value > largest_value);
    lp.data.recipients = Some(vec![
        row(2, "", "Musterstadt", size, value, 1),
        row(3, "", "Musterstadt", size, value + 1.0, 1),
    ]);
    let (_, a) = analysis::run(&lp.project, &lp.data);
    let imp = a
        .cells
        .iter()
        .find(|c| c.vergleichsraum == vr && c.household_size == largest.household_size)
        .and_then(|c| c.impact.clone())
        .unwrap();
    assert_eq!(
        (imp.larger_households, imp.assessed, imp.above_limit),
        (2, 2, 1)
    );
    assert!((imp.monthly_sum_above - 1.0).abs() < 1e-9);
}

#[test]
fn init_with_recipients_stores_the_table_and_compute_json_reports_the_impact() {
    let dir = tempfile::tempdir().unwrap();
    let sample_project = kdu_konzept::sample_project::write_sample_project(dir.path()).unwrap();
    let data = sample_project.parent().unwrap();
    let bg = dir.path().join("bedarfsgemeinschaften.csv");
    std::fs::write(
        &bg,
        "Gemeinde;Haushaltsgröße;Bruttokaltmiete;Anzahl\nMusterstadt;1;2000;4\nNordheim;2;100;6\n",
    )
    .unwrap();
    let project = dir.path().join("wirkung.kdu.toml");
    let s = |p: &Path| p.to_str().unwrap().to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_kdu-konzept"))
        .args([
            "init",
            &s(&project),
            "--source",
            &s(&data.join("bestandsmieten.xlsx")),
            "--source",
            &s(&data.join("angebotsmieten.xlsx")),
            "--kind",
            "bestand",
            "--kind",
            "angebot",
            "--gemeinden",
            &s(&data.join("gemeinden.xlsx")),
            "--recipients",
            &s(&bg),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let toml = std::fs::read_to_string(&project).unwrap();
    assert!(
        toml.contains("[recipients]") && toml.contains("bedarfsgemeinschaften.csv"),
        "{toml}"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_kdu-konzept"))
        .args(["compute", &s(&project), "--json", "-"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["impact"]["households"], 10);
    let cells = v["cells"].as_array().unwrap();
    let c = cells
        .iter()
        .find(|c| c["vergleichsraum"] == "VR 1 Musterstadt" && c["household_size"] == 1)
        .unwrap();
    for key in [
        "households",
        "above_limit",
        "share_above",
        "monthly_sum_above",
        "yearly_sum_above",
    ] {
        assert!(c["impact"].get(key).is_some(), "{key}");
    }
    assert_eq!(c["impact"]["households"], 4);
    assert_eq!(c["impact"]["above_limit"], 4);
    let ueb = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "ueberschreitung")
        .unwrap();
    assert_eq!(ueb["status"], "warnung", "{ueb}");
}

#[test]
fn a_vergleichsraum_that_falls_apart_under_the_neighbour_list_is_a_warning() {
    let mut lp = sample();
    // The neighbour list alone (boundaries take precedence: tests/boundaries.rs).
    lp.data.boundaries = None;
    let zusammenhang = |a: &analysis::Analysis| {
        a.checks
            .iter()
            .find(|c| c.code == CheckCode::Zusammenhang)
            .cloned()
            .unwrap()
    };
    let (_, a) = analysis::run(&lp.project, &lp.data);
    assert_eq!(zusammenhang(&a).status, CheckStatus::NichtPruefbar);
    // VR 2 and VR 3 are chains; VR 1: Musterstadt–Lindenfeld, Bachhausen only borders VR 2.
    let pair = |a: u32, b: u32| (format!("059990{a:02}"), format!("059990{b:02}"));
    let chains = [
        (16, 20),
        (20, 24),
        (24, 28),
        (32, 36),
        (36, 40),
        (40, 44),
        (28, 32),
    ];
    let mut list: Vec<(String, String)> = chains.iter().map(|&(a, b)| pair(a, b)).collect();
    list.push(pair(4, 8));
    list.push(pair(12, 16));
    lp.data.neighbours = Some(list.clone());
    let (_, a) = analysis::run(&lp.project, &lp.data);
    let check = zusammenhang(&a);
    assert_eq!(check.status, CheckStatus::Warnung);
    assert!(
        check.text.contains("VR 1 Musterstadt") && check.text.contains("{Bachhausen}"),
        "{}",
        check.text
    );
    list.push(pair(8, 12));
    lp.data.neighbours = Some(list);
    let (_, a) = analysis::run(&lp.project, &lp.data);
    assert_eq!(zusammenhang(&a).status, CheckStatus::Ok);
}

#[test]
fn the_workbook_has_a_wirkung_sheet_and_the_homogeneity_report() {
    use calamine::{Reader, open_workbook_auto};
    use kdu_konzept::export::{ExportOptions, Variant, write_workbook};
    let mut lp = sample();
    let dir = tempfile::tempdir().unwrap();
    let write = |lp: &LoadedProject, name: &str| {
        let (prep, an) = analysis::run(&lp.project, &lp.data);
        let path = dir.path().join(name);
        let opts = ExportOptions {
            variant: Variant::Pruefmappe,
            include_ids: false,
        };
        write_workbook(&path, lp, &prep, &an, &opts).unwrap();
        open_workbook_auto(&path).unwrap()
    };
    let wb = write(&lp, "ohne.xlsx");
    assert!(!wb.sheet_names().iter().any(|s| s == "Wirkung"));
    lp.data.recipients = Some(vec![
        row(2, "VR 2 Nordkreis", "", 1, 5000.0, 2),
        row(3, "VR 2 Nordkreis", "", 1, 10.0, 2),
    ]);
    let mut wb = write(&lp, "mit.xlsx");
    let sheet = wb.worksheet_range("Wirkung").unwrap();
    let text: Vec<String> = sheet.rows().flatten().map(|c| c.to_string()).collect();
    assert!(text.iter().any(|t| t == "VR 2 Nordkreis"));
    assert!(text.iter().any(|t| t == "Zusammen"));
    let deck = wb.worksheet_range("Deckblatt").unwrap();
    assert!(deck.rows().flatten().any(|c| *c == "Wirkung"));
    let vr = wb.worksheet_range("Vergleichsräume").unwrap();
    let text: Vec<String> = vr.rows().flatten().map(|c| c.to_string()).collect();
    assert!(
        text.iter()
            .any(|t| t == "Homogenität: Mietniveau der Gemeinden")
    );
    assert!(text.iter().any(|t| t == "Verhältnis innerhalb ÷ zwischen"));
}

#[test]
fn the_homogeneity_report_names_a_gemeinde_closer_to_another_vergleichsraum() {
    let mut lp = sample();
    let (prep, _) = analysis::run(&lp.project, &lp.data);
    let rep = analysis::homogeneity::report(&prep, &lp.project);
    assert_eq!(rep.gemeinden.len(), lp.project.gemeinden.len());
    assert_eq!(rep.vergleichsraeume.len(), 3);
    assert!(rep.sd_between.is_some());
    assert!(rep.vergleichsraeume.iter().all(|v| v.n_measured >= 2));
    // Move the city (highest level) into the Südkreis: it is now far from its new VR's median
    // and closer to VR 1's.
    let city = lp
        .project
        .gemeinden
        .iter()
        .position(|g| g.name == "Musterstadt")
        .unwrap();
    lp.project.gemeinden[city].vergleichsraum = "VR 3 Südkreis".to_string();
    lp.project.parameters.representativeness.homogeneity_gap = 0.05;
    let (prep, _) = analysis::run(&lp.project, &lp.data);
    let rep = analysis::homogeneity::report(&prep, &lp.project);
    let l = &rep.gemeinden[city];
    assert!(l.measured);
    assert_eq!(l.closer_to.as_deref(), Some("VR 1 Musterstadt"), "{rep:?}");
}
