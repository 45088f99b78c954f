//! Real public rent data from `../shared/realdata` (see its README for sources and terms).
//!
//! The folder is not part of the repository and is never copied into it; these tests FAIL (they
//! do not skip) when it is missing. Expected counts and row numbers were cross-checked with an
//! independent CSV parser (Python's `csv` module, `newline=''`, so `\r\n`, `\n` and `\r` each end
//! a line, as in editors).

// unwrap/expect are fine in tests (helpers outside #[test] are not covered by clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kdu_konzept::analysis::limits::limits;
use kdu_konzept::analysis::prepare::RecordStatus;
use kdu_konzept::analysis::{self, Analysis};
use kdu_konzept::dataset::{Dataset, LoadedProject, load_sources};
use kdu_konzept::import::{ImportOptions, ImportedSource, import_file};
use kdu_konzept::model::params::{RoundingMode, apply_override};
use kdu_konzept::model::{
    Date, Field, GemeindeRow, Project, Reason, SourceKind, SourceSpec, VergleichsraumSpec,
};
use kdu_konzept::sample::SampleRng;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The shared real-data folder; panics with a clear message when it is missing.
fn realdata() -> PathBuf {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/realdata"));
    assert!(
        dir.join("README.md").is_file(),
        "Real-data folder missing: {} must exist next to the repository (see TESTING.md). \
         These tests fail instead of skipping so that a missing folder is noticed.",
        dir.display()
    );
    dir
}

fn file(relative: &str) -> PathBuf {
    let path = realdata().join(relative);
    assert!(path.is_file(), "real-data file missing: {}", path.display());
    path
}

fn import(path: &Path, opts: &ImportOptions) -> ImportedSource {
    let imported = import_file(path, opts, &mut |_, _| true)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(
        imported.rows_total,
        imported.records.len() + imported.rejections.len(),
        "{}: every row must be a record or a rejection",
        path.display()
    );
    imported
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn header_of(imported: &ImportedSource, field: Field) -> Option<String> {
    imported.mapping_by_header().get(&field).cloned()
}

/// Rent, area and service charge come from the ImmoScout24 columns.
fn assert_immoscout_mapping(imported: &ImportedSource) {
    for (field, header) in [
        (Field::NetRent, "baseRent"),
        (Field::Area, "livingSpace"),
        (Field::OperatingCosts, "serviceCharge"),
    ] {
        assert_eq!(
            header_of(imported, field).as_deref(),
            Some(header),
            "{field:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// ImmoScout24 (Kaggle) subsets

#[test]
fn immoscout_landkreis_konstanz() {
    let path = file("immoscout24_kaggle_subsets/KN_Kreis.csv");
    let imported = import(&path, &ImportOptions::new(SourceKind::Angebot));
    assert!(imported.format.contains("Semikolon"), "{}", imported.format);
    assert_eq!(imported.header_line, 1);
    assert_eq!(imported.rows_total, 218);
    assert_eq!(imported.records.len(), 218);
    assert!(imported.rejections.is_empty(), "{:?}", imported.rejections);
    assert_immoscout_mapping(&imported);
    assert_eq!(
        header_of(&imported, Field::Gemeinde).as_deref(),
        Some("regio3")
    );
    let r = &imported.records;
    // Row numbers are file lines: descriptions contain line breaks.
    assert_eq!(
        r.iter().take(5).map(|r| r.row).collect::<Vec<_>>(),
        [2, 3, 27, 28, 31]
    );
    assert_eq!(r.last().unwrap().row, 1666);
    assert_eq!(r.iter().map(|r| u64::from(r.row)).sum::<u64>(), 180_268);
    assert!(r.windows(2).all(|w| w[0].row < w[1].row));
    // First row: Engen, 760 € for 88 m², 170 € service charge.
    assert_eq!(
        (r[0].net_rent, r[0].area, r[0].operating_costs),
        (760.0, 88.0, Some(170.0))
    );
    assert_eq!(r[0].gemeinde.as_deref(), Some("Engen"));
    assert_eq!(r[0].kind, SourceKind::Angebot);
    assert_eq!(r.last().unwrap().gemeinde.as_deref(), Some("Stockach"));
    // Decimal commas: line 28 has 70,62 m², line 65 530,18 € for 34,88 m².
    let at = |line: u32| r.iter().find(|x| x.row == line).unwrap();
    assert_eq!((at(28).net_rent, at(28).area), (530.0, 70.62));
    assert_eq!((at(65).net_rent, at(65).area), (530.18, 34.88));
    assert_eq!(at(65).lift, Some(true));
    assert_eq!(at(78).rooms, Some(3.5));
    // `NA` is missing, not an error: 11 rows without service charge.
    assert_eq!(r.iter().filter(|x| x.operating_costs.is_none()).count(), 11);
    let konstanz = r
        .iter()
        .filter(|x| x.gemeinde.as_deref() == Some("Konstanz"))
        .count();
    assert_eq!(konstanz, 85);
    // Median NKM/m² of Landkreis Konstanz (2018–2020 offers): 11,12 €/m².
    let m = median(r.iter().map(|x| x.net_rent_per_m2()).collect());
    assert!((m - 11.115_251_135_790_006).abs() < 1e-9, "median {m}");
    assert!((9.0..14.0).contains(&m));
}

#[test]
fn immoscout_koeln_multiline_fields() {
    let path = file("immoscout24_kaggle_subsets/cologneData.csv");
    let imported = import(&path, &ImportOptions::new(SourceKind::Angebot));
    assert!(imported.format.contains("Komma"), "{}", imported.format);
    assert_eq!(imported.rows_total, 2_708);
    assert_eq!(imported.records.len(), 2_701);
    assert_immoscout_mapping(&imported);
    // Rejections with the line on which the record starts in the file.
    let rejected: Vec<(u32, Reason)> = imported
        .rejections
        .iter()
        .map(|r| (r.line, r.reason))
        .collect();
    use Reason::{AreaNotPositive as Zero, RentPerM2Implausible as Implausible};
    assert_eq!(
        rejected,
        [
            (518, Implausible),
            (1719, Implausible),
            (3936, Zero),
            (5004, Implausible),
            (10350, Implausible),
            (15269, Implausible),
            (15517, Implausible),
        ]
    );
    assert_eq!(
        imported.rejections[0].detail,
        "51,88 €/m² (Grenzen 1,00 bis 50,00 €/m²)"
    );
    // Records start on the file lines where they begin (1,499 records span several lines).
    let rows: Vec<u32> = imported.records.iter().map(|r| r.row).collect();
    assert_eq!(rows[..5], [2, 3, 8, 9, 18]);
    assert_eq!(*rows.last().unwrap(), 15_931);
    assert_eq!(rows.iter().map(|&r| u64::from(r)).sum::<u64>(), 21_946_220);
    let all_lines: u64 = rows
        .iter()
        .chain(imported.rejections.iter().map(|r| &r.line))
        .map(|&r| u64::from(r))
        .sum();
    assert_eq!(all_lines, 21_998_533);
    let first = &imported.records[0];
    assert_eq!((first.net_rent, first.area), (1444.0, 58.0));
    assert_eq!(first.operating_costs, None);
    assert_eq!(first.gemeinde.as_deref(), Some("Altstadt_&_Neustadt_Nord"));
    let second = &imported.records[1];
    assert_eq!(
        (second.net_rent, second.area, second.operating_costs),
        (1300.0, 120.0, Some(200.0))
    );
    assert_eq!(second.gemeinde.as_deref(), Some("Dellbrück"));
    let m = median(
        imported
            .records
            .iter()
            .map(|r| r.net_rent_per_m2())
            .collect(),
    );
    assert!((m - 12.589_173_310_952_582).abs() < 1e-9, "median {m}");
}

// ---------------------------------------------------------------------------------------------
// immonet 2021 page exports

fn immonet(state: u32, page: u32) -> ImportedSource {
    let path = file(&format!(
        "immonet_2021/downloads/state_{state}/immo_data_state{state}_page{page}.csv"
    ));
    let imported = import(&path, &ImportOptions::new(SourceKind::Angebot));
    assert_eq!(
        header_of(&imported, Field::NetRent).as_deref(),
        Some("price")
    );
    assert_eq!(header_of(&imported, Field::Area).as_deref(), Some("area"));
    assert_eq!(
        header_of(&imported, Field::ObjectType).as_deref(),
        Some("bullets")
    );
    imported
}

#[test]
fn immonet_prices_areas_and_towns() {
    let page1 = immonet(5, 1);
    assert_eq!(page1.rows_total, 26);
    assert_eq!(page1.records.len(), 24);
    let r = &page1.records[0];
    assert_eq!((r.row, r.net_rent, r.area), (2, 640.0, 46.0));
    assert_eq!(r.gemeinde.as_deref(), Some("Münster"));
    assert_eq!(r.ortsteil.as_deref(), Some("Centrum"));
    assert_eq!(r.rooms, Some(2.0));
    assert_eq!(r.record_id.as_deref(), Some("selObject_45048134"));
    let wuppertal = &page1.records[1];
    assert_eq!(
        (wuppertal.gemeinde.as_deref(), wuppertal.ortsteil.as_deref()),
        (Some("Wuppertal"), Some("Barmen"))
    );
    // "Miete inkl. NK" is no Nettokaltmiete.
    let inkl: Vec<(u32, Reason, &str)> = page1
        .rejections
        .iter()
        .map(|r| (r.line, r.reason, r.detail.as_str()))
        .collect();
    assert_eq!(
        inkl,
        [
            (26, Reason::RentIncludesCosts, "Miete inkl. NK 390 €"),
            (27, Reason::RentIncludesCosts, "Miete inkl. NK 580 €"),
        ]
    );
    // "Miete zzgl. NK 319 €" → 319, Herten-Westerholt.
    let page10 = immonet(5, 10);
    let r = page10.records.iter().find(|r| r.row == 3).unwrap();
    assert_eq!((r.net_rent, r.area), (319.0, 52.0));
    assert_eq!(r.gemeinde.as_deref(), Some("Herten"));
    assert_eq!(r.ortsteil.as_deref(), Some("Westerholt"));
    // "Wohnfläche ca. 40 m²" → 40.
    let page144 = immonet(5, 144);
    let r = page144.records.iter().find(|r| r.row == 22).unwrap();
    assert_eq!((r.net_rent, r.area), (242.0, 40.0));
    assert_eq!(r.gemeinde.as_deref(), Some("Gelsenkirchen"));
    // A garage rent and "Preis Auf Anfrage".
    let page36 = immonet(5, 36);
    let garage = page36.rejections.iter().find(|r| r.line == 5).unwrap();
    assert_eq!(garage.reason, Reason::NotAFlat);
    assert_eq!(garage.detail, "Garagen-/Stellplatzmiete 50 €");
    let page68 = immonet(5, 68);
    assert!(
        page68
            .rejections
            .iter()
            .any(|r| r.reason == Reason::NotAFlat && r.detail == "Garagen-/Stellplatzmiete 15 €")
    );
    let page142 = immonet(5, 142);
    let anfrage: Vec<(u32, Reason, &str)> = page142
        .rejections
        .iter()
        .map(|r| (r.line, r.reason, r.detail.as_str()))
        .collect();
    assert_eq!(anfrage, [(20, Reason::RentNotNumeric, "Preis Auf Anfrage")]);
    let page208 = immonet(5, 208);
    assert_eq!(page208.rejections[0].line, 2);
    assert_eq!(page208.rejections[0].reason, Reason::RentIncludesCosts);
}

#[test]
fn immonet_nrw_pages_are_accounted_for() {
    let dir = realdata().join("immonet_2021/downloads/state_5");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 283);
    // Every 4th page (in name order) keeps the test fast in debug builds, where header detection
    // on these text-heavy pages costs tens of milliseconds per file.
    let sampled: Vec<&PathBuf> = files.iter().step_by(4).collect();
    assert_eq!(sampled.len(), 71);
    let mut total = 0;
    let mut records = 0;
    let mut by_reason: BTreeMap<Reason, usize> = BTreeMap::new();
    for f in sampled {
        let imported = import(f, &ImportOptions::new(SourceKind::Angebot));
        total += imported.rows_total;
        records += imported.records.len();
        for (reason, n) in imported.rejected_by_reason() {
            *by_reason.entry(reason).or_insert(0) += n;
        }
        assert!(
            imported.records.iter().all(|r| r.gemeinde.is_some()),
            "{}: every offer names its town",
            f.display()
        );
    }
    assert_eq!(total, records + by_reason.values().sum::<usize>());
    let allowed: BTreeSet<Reason> = [
        Reason::RentIncludesCosts,
        Reason::NotAFlat,
        Reason::RentNotNumeric,
        Reason::RentPerM2Implausible,
        Reason::MissingArea,
        Reason::AreaNotNumeric,
    ]
    .into();
    assert!(
        by_reason.keys().all(|r| allowed.contains(r)),
        "{by_reason:?}"
    );
    assert!(records * 100 >= total * 90, "{records} of {total}");
    eprintln!("NRW immonet: {total} rows, {records} records, {by_reason:?}");
}

// ---------------------------------------------------------------------------------------------
// Full pipeline: Munich Mietspiegel 2015 sample (Bestand) + immonet offers of München

const MIETSPIEGEL: &str = "munich_mietspiegel/mietspiegel2015.txt";

/// The 25 Stadtbezirke as spelled in the sample (some names shortened, "Fledmoching" sic), with
/// the Vergleichsraum chosen for this test:
/// - "Innenstadt": the districts inside and around the Altstadt (Bezirke 1–6, 8, 9);
/// - "Nord/Ost": the northern and eastern districts (10–15, 23, 24);
/// - "Süd/West": the southern and western districts (7, 16–22, 25).
///
/// The split follows the ring-shaped structure of Munich's rent levels; it is a test fixture,
/// not a recommendation.
const BEZIRKE: [(&str, &str); 25] = [
    ("Altstadt-Lehel", "Innenstadt"),
    ("Ludwigvorstadt-Isarvorstadt", "Innenstadt"),
    ("Maxvorstadt", "Innenstadt"),
    ("Schwabing West", "Innenstadt"),
    ("Au-Haidhausen", "Innenstadt"),
    ("Sendling", "Innenstadt"),
    ("Sendling-Westpark", "Süd/West"),
    ("Schwanthalerhoehe", "Innenstadt"),
    ("Neuhausen-Nymphenburg", "Innenstadt"),
    ("Moosach", "Nord/Ost"),
    ("Milbersthofen-Am Hart", "Nord/Ost"),
    ("Schwabing-Freimann", "Nord/Ost"),
    ("Bogenhausen", "Nord/Ost"),
    ("Berg am Laim", "Nord/Ost"),
    ("Trudering-Riem", "Nord/Ost"),
    ("Ramersdorf-Perlach", "Süd/West"),
    ("Obergiesing", "Süd/West"),
    ("Untergiesing", "Süd/West"),
    ("Thalkirchen", "Süd/West"),
    ("Hadern", "Süd/West"),
    ("Pasing-Obermenzing", "Süd/West"),
    ("Aubing", "Süd/West"),
    ("Allach-Untermenzing", "Nord/Ost"),
    ("Fledmoching-Hasenbergel", "Nord/Ost"),
    ("Laim", "Süd/West"),
];

const VR_NAMES: [&str; 3] = ["Innenstadt", "Nord/Ost", "Süd/West"];

fn mietspiegel_mapping() -> BTreeMap<Field, String> {
    [
        (Field::NetRent, "nm"),
        (Field::Area, "wfl"),
        (Field::Gemeinde, "bez"),
    ]
    .into_iter()
    .map(|(f, h)| (f, h.to_string()))
    .collect()
}

/// The immonet pages of Bayern (state 9) with at least one offer in the town München, sorted.
fn muenchen_offer_pages() -> Vec<PathBuf> {
    let dir = realdata().join("immonet_2021/downloads/state_9");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            std::fs::read_to_string(p)
                .unwrap()
                .contains("'•', 'München'")
        })
        .collect();
    files.sort();
    files
}

fn munich_project() -> Project {
    let stichtag = Date::from_ymd(2015, 1, 1).unwrap();
    let mut p = Project::new("München Mietspiegel 2015 (Test)", stichtag);
    // Bayern: 50/65/75/90/105 m², +15 m² per further person.
    p.parameters = apply_override(&p.parameters, "wohnflaechen.land=\"BY\"").unwrap();
    p.parameters =
        apply_override(&p.parameters, "wohnflaechen.sizes=[50, 65, 75, 90, 105]").unwrap();
    p.parameters = apply_override(&p.parameters, "wohnflaechen.per_further=15").unwrap();
    p.parameters.wohnflaechen.confirmed = true;
    // The Mietspiegel sample has no contract dates; by its definition (§ 558 Abs. 2 BGB) it
    // holds rents agreed or changed in the four years before its Stichtag only.
    p.parameters.scope.include_undated = true;
    p.justifications.insert(
        "scope.include_undated".to_string(),
        "Stichprobe des Mietspiegels: nur Mieten, die in den vier Jahren vor dem Stichtag vereinbart oder geändert wurden (§ 558 Abs. 2 BGB).".to_string(),
    );
    for vr in VR_NAMES {
        p.vergleichsraeume.push(VergleichsraumSpec {
            name: vr.to_string(),
            begruendung: format!("{vr} (Testeinteilung der Stadtbezirke)"),
            ohne_konzept: false,
        });
    }
    for (name, vr) in BEZIRKE {
        p.gemeinden.push(GemeindeRow {
            ags: String::new(),
            name: name.to_string(),
            vergleichsraum: vr.to_string(),
            einwohner: None,
            mietwohnungen: None,
            mietstufe: None,
        });
    }
    let spec = |path: &Path, kind, mapping: BTreeMap<Field, String>| SourceSpec {
        // Absolute: `Project::source_path` keeps an absolute path as it is.
        path: path.to_str().unwrap().to_string(),
        sheet: None,
        header_row: None,
        kind,
        sha256: String::new(),
        lieferant: String::new(),
        methode: String::new(),
        stichtag: None,
        zeitraum_von: None,
        zeitraum_bis: None,
        mapping,
        annual: BTreeSet::new(),
    };
    p.sources.push(spec(
        &file(MIETSPIEGEL),
        SourceKind::Bestand,
        mietspiegel_mapping(),
    ));
    for page in muenchen_offer_pages() {
        p.sources
            .push(spec(&page, SourceKind::Angebot, BTreeMap::new()));
    }
    p
}

struct Munich {
    dir: tempfile::TempDir,
    project: Project,
    data: Dataset,
    analysis: Analysis,
    prepared: analysis::Prepared,
}

fn munich() -> &'static Munich {
    static M: OnceLock<Munich> = OnceLock::new();
    M.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let project = munich_project();
        let project_file = dir.path().join("muenchen.kdu.toml");
        let (data, warnings) = load_sources(&project_file, &project, &mut |_, _, _| true).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        let (prepared, analysis) = analysis::run(&project, &data);
        Munich {
            dir,
            project,
            data,
            analysis,
            prepared,
        }
    })
}

#[test]
fn mietspiegel_explicit_mapping() {
    let mut opts = ImportOptions::new(SourceKind::Bestand);
    opts.mapping = Some(mietspiegel_mapping());
    let imported = import(&file(MIETSPIEGEL), &opts);
    assert!(
        imported.format.contains("Leerzeichen"),
        "{}",
        imported.format
    );
    assert_eq!(imported.header_line, 1);
    assert_eq!(imported.rows_total, 3_065);
    assert_eq!(imported.records.len(), 3_065);
    assert_eq!(imported.mapping_by_header(), mietspiegel_mapping());
    let r = &imported.records[0];
    assert_eq!((r.row, r.net_rent, r.area), (2, 608.4, 48.0));
    assert_eq!(r.gemeinde.as_deref(), Some("Untergiesing"));
    // Quoted names with blanks stay whole.
    let mut per_bezirk: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &imported.records {
        *per_bezirk
            .entry(r.gemeinde.as_deref().unwrap())
            .or_insert(0) += 1;
    }
    assert_eq!(per_bezirk.len(), 25);
    assert_eq!(per_bezirk["Berg am Laim"], 101);
    assert_eq!(per_bezirk["Milbersthofen-Am Hart"], 134);
    assert_eq!(per_bezirk["Schwabing West"], 165);
    assert_eq!(per_bezirk["Neuhausen-Nymphenburg"], 234);
    assert!(BEZIRKE.iter().all(|(b, _)| per_bezirk.contains_key(b)));
    let m = median(
        imported
            .records
            .iter()
            .map(|r| r.net_rent_per_m2())
            .collect(),
    );
    assert!((m - 10.8398).abs() < 1e-4, "median {m}");
}

#[test]
fn munich_sources_are_accounted_for() {
    let m = munich();
    let pages = muenchen_offer_pages();
    assert_eq!(pages.len(), 202);
    assert_eq!(m.data.sources.len(), 1 + pages.len());
    let delivered: usize = m.data.sources.iter().map(|s| s.import.rows_total).sum();
    assert_eq!(delivered, m.data.records.len() + m.data.rejections.len());
    assert_eq!(m.analysis.funnel.delivered, delivered);
    assert_eq!(m.data.sources[0].accepted, 3_065);
    let offers: Vec<_> = m
        .data
        .records
        .iter()
        .filter(|r| r.kind == SourceKind::Angebot)
        .collect();
    let in_muenchen = offers
        .iter()
        .filter(|r| r.gemeinde.as_deref() == Some("München"))
        .count();
    assert!(in_muenchen > 900, "{in_muenchen} offers in München");
    // Every record has a status; offers are not used for the Referenzmiete.
    assert_eq!(m.prepared.status.len(), m.data.records.len());
    for (r, s) in m.data.records.iter().zip(&m.prepared.status) {
        match r.kind {
            SourceKind::Angebot => assert_eq!(*s, RecordStatus::Excluded(Reason::KindNotUsed)),
            _ => assert!(
                matches!(
                    s,
                    RecordStatus::InCell { .. }
                        | RecordStatus::Excluded(Reason::OutsideSizeClasses)
                ),
                "{r:?}: {s:?}"
            ),
        }
    }
    // Only flats above 105 m² fall out of the Bavarian size classes.
    let outside = m.analysis.funnel.excluded[&Reason::OutsideSizeClasses];
    let large = m
        .data
        .records
        .iter()
        .filter(|r| r.kind == SourceKind::Bestand && r.area > 105.0)
        .count();
    assert_eq!(outside, large);
    assert_eq!(m.analysis.funnel.in_cells, 3_065 - large);
    // The project file round trip gives the same data.
    let project_file = m.dir.path().join("muenchen.kdu.toml");
    m.project.save(&project_file).unwrap();
    let lp = LoadedProject::load(&project_file, &mut |_, _, _| true).unwrap();
    assert_eq!(lp.project, m.project);
    assert_eq!(lp.data.records, m.data.records);
}

#[test]
fn munich_results_are_plausible() {
    let m = munich();
    let a = &m.analysis;
    assert_eq!(a.cells.len(), 15);
    let areas = [50.0, 65.0, 75.0, 90.0, 105.0];
    for c in &a.cells {
        let what = format!("{} {} P.", c.vergleichsraum, c.household_size);
        assert_eq!(c.area_m2, areas[c.household_size as usize - 1], "{what}");
        if c.household_size <= 4 {
            assert!(c.n > 0, "{what}: n = 0");
            assert!(c.n >= 30, "{what}: n = {}", c.n);
        }
        let nkm = c.net_rent_per_m2.unwrap();
        assert!((8.0..=20.0).contains(&nkm), "{what}: {nkm} €/m²");
        // Outliers (mean ± 1,96 SD): a small share of the cell.
        let removed = c.outliers.n_low + c.outliers.n_high;
        assert!(
            removed * 10 <= c.n_in_cell,
            "{what}: {removed} of {}",
            c.n_in_cell
        );
        assert_eq!(c.n + removed, c.n_in_cell);
        // The Referenzmiete lies within the used values.
        let s = c.summary.unwrap();
        assert!(s.min <= nkm && nkm <= s.max, "{what}");
        // No Betriebskosten in the Mietspiegel sample: no Bruttokaltmiete limit.
        assert!(
            c.flags
                .contains(&kdu_konzept::analysis::Flag::NoOperatingCosts)
        );
        assert!(c.limits.is_none());
    }
    let f = &a.funnel;
    let removed = f.outliers_low + f.outliers_high;
    assert!(
        removed * 100 <= f.in_cells * 6,
        "{removed} of {}",
        f.in_cells
    );
    assert_eq!(f.used + removed, f.in_cells);
    // Produkttheorie NKM limit (area × NKM/m²) is monotone in the household size per VR.
    for vr in VR_NAMES {
        let nkm_limits: Vec<f64> = a
            .cells
            .iter()
            .filter(|c| c.vergleichsraum == vr)
            .map(|c| {
                limits(
                    c.area_m2,
                    c.net_rent_per_m2.unwrap(),
                    0.0,
                    RoundingMode::Cents,
                )
                .net_cold
            })
            .collect();
        assert_eq!(nkm_limits.len(), 5);
        assert!(
            nkm_limits.windows(2).all(|w| w[0] < w[1]),
            "{vr}: {nkm_limits:?}"
        );
    }
    // The inner city is the most expensive Vergleichsraum for small flats.
    let one = |vr: &str| {
        a.cells
            .iter()
            .find(|c| c.vergleichsraum == vr && c.household_size == 1)
            .unwrap()
    };
    assert!(one("Innenstadt").net_rent_per_m2 > one("Nord/Ost").net_rent_per_m2);
}

/// Pinned results so that regressions show. Update only for an intended change of the method.
#[test]
fn munich_pinned_numbers() {
    let a = &munich().analysis;
    let got: Vec<(String, u32, usize, usize, f64)> = a
        .cells
        .iter()
        .map(|c| {
            (
                c.vergleichsraum.clone(),
                c.household_size,
                c.n_in_cell,
                c.n,
                c.net_rent_per_m2.unwrap(),
            )
        })
        .collect();
    let expected: [(&str, u32, usize, usize, f64); 15] = PINNED;
    assert_eq!(got.len(), expected.len());
    for (g, e) in got.iter().zip(expected) {
        assert_eq!((g.0.as_str(), g.1, g.2, g.3, g.4), e, "pinned cell changed");
    }
}

/// (Vergleichsraum, household size, n in cell, n after outliers, Referenzmiete €/m² at P33).
/// Cross-checked with an independent Python computation (size classes (0,50], (50,65], (65,75],
/// (75,90], (90,105]; mean ± 1,96 sample SD; quantile type 7; rounded to cents).
const PINNED: [(&str, u32, usize, usize, f64); 15] = [
    ("Innenstadt", 1, 218, 205, 11.80),
    ("Innenstadt", 2, 268, 245, 10.78),
    ("Innenstadt", 3, 190, 183, 9.81),
    ("Innenstadt", 4, 229, 218, 9.72),
    ("Innenstadt", 5, 111, 106, 10.14),
    ("Nord/Ost", 1, 132, 127, 10.32),
    ("Nord/Ost", 2, 226, 212, 10.22),
    ("Nord/Ost", 3, 143, 136, 9.37),
    ("Nord/Ost", 4, 178, 166, 9.57),
    ("Nord/Ost", 5, 78, 74, 8.67),
    ("Süd/West", 1, 206, 196, 10.99),
    ("Süd/West", 2, 287, 270, 9.83),
    ("Süd/West", 3, 181, 173, 9.19),
    ("Süd/West", 4, 251, 240, 8.86),
    ("Süd/West", 5, 113, 107, 9.63),
];

#[test]
fn munich_results_do_not_depend_on_record_order() {
    let m = munich();
    let reference =
        serde_json::to_string(&(&m.analysis.cells, &m.analysis.vergleichsraeume)).unwrap();
    for seed in [1u64, 2, 3] {
        let mut data = m.data.clone();
        SampleRng::new(seed).shuffle(&mut data.records);
        assert_ne!(data.records, m.data.records);
        let (_, a) = analysis::run(&m.project, &data);
        // Bitwise: JSON writes every f64 exactly (shortest round-trip representation).
        let shuffled = serde_json::to_string(&(&a.cells, &a.vergleichsraeume)).unwrap();
        assert_eq!(shuffled, reference, "seed {seed}");
        for (x, y) in a.cells.iter().zip(&m.analysis.cells) {
            assert_eq!(
                x.net_rent_per_m2_raw.map(f64::to_bits),
                y.net_rent_per_m2_raw.map(f64::to_bits)
            );
        }
        assert_eq!(a.funnel, m.analysis.funnel);
    }
}

#[test]
fn munich_cli_matches_library() {
    let m = munich();
    let project_file = m.dir.path().join("muenchen_cli.kdu.toml");
    m.project.save(&project_file).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kdu-konzept"))
        .args(["compute", project_file.to_str().unwrap(), "--json", "-"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let cells = json["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 15);
    for (j, c) in cells.iter().zip(&m.analysis.cells) {
        assert_eq!(j["vergleichsraum"], c.vergleichsraum.as_str());
        assert_eq!(j["household_size"], c.household_size);
        assert_eq!(j["n"], c.n);
        assert_eq!(j["net_rent_per_m2"].as_f64(), c.net_rent_per_m2);
        assert_eq!(j["limit_gross_cold"], serde_json::Value::Null);
    }
}

/// The iterative procedure on a real city: Munich Bestand (Mietspiegel 2015 sample) against
/// immonet offers of München. The offers carry no date, so the offer window is switched off;
/// without Betriebskosten in either source, offers are compared by their Nettokaltmiete.
#[test]
fn munich_iterative_procedure_against_immonet_offers() {
    use kdu_konzept::model::params::ReferenceMethod;
    let m = munich();
    let mut project = m.project.clone();
    project.parameters.availability.window_months = None;
    project.parameters.reference.method = ReferenceMethod::Iterative;
    project.parameters.reference.percentile = 0.20;
    project.parameters.availability.target_share = 0.20;
    let (prep, a) = analysis::run(&project, &m.data);
    let offers: usize = prep.offers.by_vr.iter().map(Vec::len).sum();
    assert!(offers > 100, "München offers in scope: {offers}");
    let mut with_offers = 0;
    let mut raised = 0;
    for c in a.cells.iter().filter(|c| c.household_size <= 3) {
        let Some(av) = &c.availability else { continue };
        with_offers += 1;
        assert!(
            !av.iteration.is_empty(),
            "{} {}",
            c.vergleichsraum,
            c.household_size
        );
        assert!((av.iteration[0].p - 0.20).abs() < 1e-9);
        for w in av.iteration.windows(2) {
            assert!(w[1].p > w[0].p && w[1].share >= w[0].share);
            assert!(
                w[1].limit_gross_cold.is_none(),
                "no BK values in the Munich data"
            );
        }
        let last = av.iteration.last().unwrap();
        assert_eq!(c.p, Some(last.p));
        assert_eq!(av.target_reached, last.share >= 0.20);
        eprintln!(
            "{} {}: {} Angebote, p {} -> {}, Anteil {:.3}",
            c.vergleichsraum, c.household_size, av.n_offers, av.iteration[0].p, last.p, last.share
        );
        if last.p > 0.20 {
            raised += 1;
        }
    }
    assert!(with_offers >= 6, "{with_offers}");
    // Offers of 2021 are dearer than the 2015 Bestand: in some cells p must rise.
    assert!(raised >= 1, "the iteration never raised p");

    // No limit without evidence. The Mietspiegel sample has no Betriebskosten: no
    // Bruttokaltmiete, so no cell has a valid concept limit; where the iteration ends below the
    // target, availability is not shown either.
    use kdu_konzept::analysis::{AppliedBasis, CheckCode, CheckStatus, InvalidReason};
    for c in &a.cells {
        assert!(!c.valid);
        assert_eq!(c.applied_basis, AppliedBasis::WoggFallback);
        assert!(c.invalid_reasons.contains(&InvalidReason::NoOperatingCosts));
        if let Some(av) = &c.availability
            && !av.target_reached
        {
            assert!(
                c.invalid_reasons
                    .contains(&InvalidReason::AvailabilityNotReached)
            );
        }
    }
    let status = |a: &analysis::Analysis, code: CheckCode| {
        a.checks
            .iter()
            .find(|c| c.code == code)
            .map(|c| c.status)
            .unwrap()
    };
    assert_eq!(status(&a, CheckCode::Betriebskosten), CheckStatus::Fehler);
    // The Stadtbezirke have neither AGS nor Mietstufe: no fallback either, said as an error.
    assert_eq!(status(&a, CheckCode::Rueckfall), CheckStatus::Fehler);
    assert!(a.cells.iter().all(|c| c.applied_limit.is_none()));
    assert!(!a.is_schluessig());
    // With München's Mietstufe (VII) and limits valid from 2025 (the WoGG table follows the
    // validity date, not the 2015 Stichtag, before which no table exists) every Stadtbezirk gets
    // the WoGG fallback of that Stufe.
    project.parameters.wogg.kreis_mietstufe = Some(7);
    project.project.gueltig_ab = kdu_konzept::model::Date::from_ymd(2025, 1, 1);
    let (_, a) = analysis::run(&project, &m.data);
    let w = &project.parameters.wogg;
    for c in &a.cells {
        let expected = analysis::wogg::fallback(
            analysis::wogg::table_date(&project),
            c.household_size,
            7,
            w.surcharge,
            w.klima,
        )
        .map(|v| v.with_surcharge);
        assert!(expected.is_some());
        assert_eq!(
            c.applied_limit, expected,
            "{} {}",
            c.vergleichsraum, c.household_size
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Offer-only data with external kalte Betriebskosten: immonet offers of Chemnitz and Dresden

/// The immonet pages of Sachsen (state 14) with an offer in Chemnitz or Dresden, every second
/// one (in name order) to keep the debug build fast.
fn sachsen_offer_pages() -> Vec<PathBuf> {
    let dir = realdata().join("immonet_2021/downloads/state_14");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let text = std::fs::read_to_string(p).unwrap();
            text.contains("'•', 'Chemnitz'") || text.contains("'•', 'Dresden'")
        })
        .collect();
    files.sort();
    files.into_iter().step_by(2).collect()
}

/// Offers only (Angebotsmieten as the data basis, BSG B 4 AS 22/20 R): two Vergleichsräume,
/// Sachsen's Wohnflächen, offers undated (no window).
fn sachsen_offer_project() -> Project {
    let stichtag = Date::from_ymd(2021, 8, 1).unwrap();
    let mut p = Project::new("Sachsen Angebotsmieten 2021 (Test)", stichtag);
    for (key, value) in [
        ("wohnflaechen.land", "\"SN\""),
        ("wohnflaechen.sizes", "[45, 60, 75, 85, 95]"),
        ("wohnflaechen.per_further", "10"),
        ("scope.reference_kinds", "angebot"),
        ("availability.window_months", "aus"),
    ] {
        p.parameters = apply_override(&p.parameters, &format!("{key}={value}")).unwrap();
    }
    p.parameters.wohnflaechen.confirmed = true;
    for name in ["Chemnitz", "Dresden"] {
        p.vergleichsraeume.push(VergleichsraumSpec {
            name: name.to_string(),
            begruendung: format!("Stadt {name} (Testeinteilung)"),
            ohne_konzept: false,
        });
        p.gemeinden.push(GemeindeRow {
            ags: String::new(),
            name: name.to_string(),
            vergleichsraum: name.to_string(),
            einwohner: None,
            mietwohnungen: None,
            mietstufe: None,
        });
    }
    for page in sachsen_offer_pages() {
        p.sources.push(SourceSpec {
            path: page.to_str().unwrap().to_string(),
            sheet: None,
            header_row: None,
            kind: SourceKind::Angebot,
            sha256: String::new(),
            lieferant: "immonet.de".to_string(),
            methode: "Angebotsmieten".to_string(),
            stichtag: None,
            zeitraum_von: None,
            zeitraum_bis: None,
            mapping: BTreeMap::new(),
            annual: BTreeSet::new(),
        });
    }
    p
}

/// Offer portals carry no kalte Betriebskosten: from the records no Bruttokaltmiete can be
/// derived. An external value (project-wide, and per Vergleichsraum) gives every cell its BK,
/// and the limits follow the Produkttheorie with it.
#[test]
fn sachsen_offers_with_external_operating_costs() {
    let dir = tempfile::tempdir().unwrap();
    let mut project = sachsen_offer_project();
    let (data, _) = load_sources(
        &dir.path().join("sachsen.kdu.toml"),
        &project,
        &mut |_, _, _| true,
    )
    .unwrap();
    assert!(data.records.len() > 2_000, "{}", data.records.len());
    assert!(data.records.iter().all(|r| r.operating_costs.is_none()));

    // From the records: no BK, no Bruttokaltmiete, every cell invalid for it.
    let (_, a) = analysis::run(&project, &data);
    assert_eq!(a.cells.len(), 10);
    for c in &a.cells {
        assert_eq!(c.operating_costs_per_m2, None);
        assert!(c.limits.is_none());
        assert!(
            c.invalid_reasons
                .contains(&kdu_konzept::analysis::InvalidReason::NoOperatingCosts)
        );
    }

    // External value for the project, as `--set` gives it; Dresden gets its own.
    for set in [
        "operating_costs.source=external",
        "operating_costs.external.per_m2=1.85",
        "operating_costs.external.source_text=Betriebskostenspiegel für Sachsen (Deutscher Mieterbund)",
        "operating_costs.external.year=2019",
        "operating_costs.vergleichsraeume=[{vergleichsraum = \"Dresden\", source = \"external\", per_m2 = 2.1, source_text = \"Eigene Erhebung der Stadt\", year = 2020}]",
    ] {
        project.parameters =
            apply_override(&project.parameters, set).unwrap_or_else(|e| panic!("--set {set}: {e}"));
    }
    let (_, a) = analysis::run(&project, &data);
    let mut valid = 0;
    for c in &a.cells {
        let what = format!("{} {}", c.vergleichsraum, c.household_size);
        let bk = if c.vergleichsraum == "Dresden" {
            2.1
        } else {
            1.85
        };
        assert_eq!(c.operating_costs_per_m2, Some(bk), "{what}");
        assert!(c.bk.is_external(), "{what}");
        assert_eq!(c.bk.n, 0, "{what}: no BK in the offers");
        let nkm = c.net_rent_per_m2.unwrap();
        let l = c.limits.unwrap();
        let expect = limits(c.area_m2, nkm, bk, RoundingMode::Cents);
        assert_eq!(l, expect, "{what}");
        assert!(
            !c.invalid_reasons
                .contains(&kdu_konzept::analysis::InvalidReason::NoOperatingCosts),
            "{what}"
        );
        if c.valid {
            valid += 1;
            assert_eq!(c.applied_limit, Some(l.gross_cold), "{what}");
        }
    }
    // Chemnitz and Dresden have hundreds of offers per size class: the limits carry.
    assert!(valid >= 6, "{valid} valid cells");
    let check = a
        .checks
        .iter()
        .find(|c| c.code.code() == "betriebskosten")
        .unwrap();
    assert_eq!(
        check.status,
        kdu_konzept::analysis::CheckStatus::Ok,
        "{:?}",
        check.findings
    );
    assert!(
        check.text.contains("Eigene Erhebung der Stadt"),
        "{}",
        check.text
    );
    let json = kdu_konzept::cli::cells_json(&a);
    let v = serde_json::to_value(&json).unwrap();
    assert_eq!(v[0]["operating_costs_source"], "external");
    assert_eq!(v[0]["operating_costs_per_m2"], 1.85);

    // Without a source text the external value is an error of the Schlüssigkeitsprüfung.
    project.parameters =
        apply_override(&project.parameters, "operating_costs.external.source_text=").unwrap();
    let (_, a) = analysis::run(&project, &data);
    let check = a
        .checks
        .iter()
        .find(|c| c.code.code() == "betriebskosten")
        .unwrap();
    assert_eq!(check.status, kdu_konzept::analysis::CheckStatus::Fehler);
    assert!(
        check
            .findings
            .iter()
            .any(|f| f.starts_with("Chemnitz") && f.contains("keine Quellenangabe")),
        "{:?}",
        check.findings
    );
    assert!(!a.is_schluessig());
}

// ---------------------------------------------------------------------------------------------
// Vergleichsraum proposal on real data: the towns of Schleswig-Holstein (immonet 2021 offers)
// clustered on their median offer rent per m² and their number of offers.

#[test]
fn cluster_towns_of_schleswig_holstein_on_their_offer_rents() {
    let dir = realdata().join("immonet_2021/downloads/state_1");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 39);
    let mut by_town: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for f in &files {
        for r in import(f, &ImportOptions::new(SourceKind::Angebot)).records {
            if let (Some(town), true) = (r.gemeinde.clone(), r.area > 0.0) {
                by_town.entry(town).or_default().push(r.net_rent / r.area);
            }
        }
    }
    let towns: Vec<(String, f64, usize)> = by_town
        .into_iter()
        .filter(|(_, v)| v.len() >= 8)
        .map(|(t, v)| (t, median(v.clone()), v.len()))
        .collect();
    assert!(towns.len() >= 8, "{towns:?}");
    // The indicator table as a planner would keep it (never written into the repository).
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("indikatoren.csv");
    let mut text = String::from("Ort;Median NKM je m²;Angebote\n");
    for (t, m, n) in &towns {
        text.push_str(&format!(
            "{t};{};{n}\n",
            format!("{m:.4}").replace('.', ",")
        ));
    }
    std::fs::write(&csv, text).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kdu-konzept"))
        .args([
            "cluster",
            csv.to_str().unwrap(),
            "--json",
            "--weights",
            "Angebote=0,25",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let n = towns.len();
    let merges = v["merges"].as_array().unwrap();
    assert_eq!(merges.len(), n - 1);
    let heights: Vec<f64> = merges
        .iter()
        .map(|m| m["height"].as_f64().unwrap())
        .collect();
    assert!(
        heights.windows(2).all(|w| w[0] <= w[1]),
        "Ward heights grow"
    );
    assert_eq!(merges.last().unwrap()["size"], n);
    let sil = v["silhouette"].as_array().unwrap();
    assert_eq!(sil.len(), (n - 1).min(10) - 1);
    let k = v["k"].as_u64().unwrap() as usize;
    let best = sil
        .iter()
        .map(|s| s["silhouette"].as_f64().unwrap())
        .fold(f64::NEG_INFINITY, f64::max);
    assert!(best > 0.3, "some structure in the rent levels: {sil:?}");
    let assignment = v["assignment"].as_array().unwrap();
    assert_eq!(assignment.len(), n);
    // The towns with the lowest and the highest median rent land in different clusters.
    let cluster_of = |town: &str| {
        assignment
            .iter()
            .find(|a| a["key"] == town)
            .map(|a| a["cluster"].as_u64().unwrap())
            .unwrap()
    };
    let lowest = towns.iter().min_by(|a, b| a.1.total_cmp(&b.1)).unwrap();
    let highest = towns.iter().max_by(|a, b| a.1.total_cmp(&b.1)).unwrap();
    assert_ne!(cluster_of(&lowest.0), cluster_of(&highest.0));
    eprintln!(
        "Schleswig-Holstein: {n} towns, k = {k}, lowest {} ({:.2} €/m²), highest {} ({:.2} €/m²)",
        lowest.0, lowest.1, highest.0, highest.1
    );
}
