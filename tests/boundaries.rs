//! Gemeinde boundaries (GeoJSON): import with its list of unusable features, contiguity from
//! shared borders in metres and in degrees, the check `vr_zusammenhang` on boundaries, and the
//! map on the Vergleichsräume screen (legend with boundaries, hint without).

// The helpers below are test code too; clippy only exempts `#[test]` functions themselves.
#![allow(clippy::unwrap_used)]

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use kdu_konzept::analysis::{self, CheckCode, result::CheckStatus};
use kdu_konzept::app::{Command, KduApp, Screen};
use kdu_konzept::dataset::LoadedProject;
use kdu_konzept::import::boundaries::parse_boundaries;
use kdu_konzept::model::boundaries::CoordinateKind;
use std::sync::Arc;

/// A square ring from (x, y) with side `s`, optionally with an extra point in its top edge.
fn square(to: &dyn Fn(f64, f64) -> [f64; 2], x: f64, y: f64, top_mid: bool) -> Vec<[f64; 2]> {
    let mut r = vec![to(x, y), to(x + 1.0, y), to(x + 1.0, y + 1.0)];
    if top_mid {
        r.push(to(x + 0.5, y + 1.0));
    }
    r.push(to(x, y + 1.0));
    r.push(to(x, y));
    r
}

fn coords(ring: &[[f64; 2]]) -> String {
    let points: Vec<String> = ring
        .iter()
        .map(|p| format!("[{},{}]", p[0], p[1]))
        .collect();
    format!("[{}]", points.join(","))
}

fn feature(properties: &str, geometry: &str) -> String {
    format!(r#"{{"type":"Feature","properties":{{{properties}}},"geometry":{geometry}}}"#)
}

/// Grid units → file coordinates; `noise` is added to the x of the middle square's points.
///
/// Layout (x to the right, y up), AGS 059990NN:
/// ```text
///  07 08 09
///  04 05 06          11 (touches 10 only at its corner)
///  01 02 03 10 (10 has an island far away)
///  12 (extra vertex in its top edge, shared with 01)
/// ```
/// Feature 13 has no key.
fn test_geojson(to: &dyn Fn(f64, f64) -> [f64; 2], noise: f64) -> String {
    let mut features = Vec::new();
    for r in 0..3 {
        for c in 0..3 {
            let n = r * 3 + c + 1;
            let shifted = |x: f64, y: f64| {
                let p = to(x, y);
                if n == 5 { [p[0] + noise, p[1]] } else { p }
            };
            let ring = square(&shifted, f64::from(c), f64::from(r), false);
            features.push(feature(
                &format!(r#""AGS":"059990{n:02}","GEN":"G{n}""#),
                &format!(r#"{{"type":"Polygon","coordinates":[{}]}}"#, coords(&ring)),
            ));
        }
    }
    let main = square(to, 3.0, 0.0, false);
    let island = square(to, 10.0, 10.0, false);
    features.push(feature(
        r#""ags":5999010,"name":"Mit Insel""#,
        &format!(
            r#"{{"type":"MultiPolygon","coordinates":[[{}],[{}]]}}"#,
            coords(&main),
            coords(&island)
        ),
    ));
    features.push(feature(
        r#""RS":"059990000011","GEN":"Ecke""#,
        &format!(
            r#"{{"type":"Polygon","coordinates":[{}]}}"#,
            coords(&square(to, 4.0, 1.0, false))
        ),
    ));
    // Below 01: its top edge (0,0)–(1,0) has an extra point at (0.5, 0).
    let below = square(to, 0.0, -1.0, true);
    features.push(feature(
        r#""GKZ":"05999012","GEN":"Extrapunkt""#,
        &format!(r#"{{"type":"Polygon","coordinates":[{}]}}"#, coords(&below)),
    ));
    features.push(feature(
        r#""GEN":"ohne Schlüssel""#,
        &format!(
            r#"{{"type":"Polygon","coordinates":[{}]}}"#,
            coords(&square(to, 20.0, 0.0, false))
        ),
    ));
    format!(
        r#"{{"type":"FeatureCollection","features":[{}]}}"#,
        features.join(",\n")
    )
}

/// The expected pairs, listed by hand.
fn expected_pairs() -> Vec<(String, String)> {
    let pairs = [
        // rows
        (1, 2),
        (2, 3),
        (4, 5),
        (5, 6),
        (7, 8),
        (8, 9),
        // columns
        (1, 4),
        (4, 7),
        (2, 5),
        (5, 8),
        (3, 6),
        (6, 9),
        // 10 right of 03; 12 below 01 (extra vertex on one side)
        (3, 10),
        (1, 12),
    ];
    let mut out: Vec<(String, String)> = pairs
        .iter()
        .map(|(a, b)| (format!("059990{a:02}"), format!("059990{b:02}")))
        .collect();
    out.sort();
    out
}

fn neighbours_of(
    text: &str,
) -> (
    Vec<(String, String)>,
    kdu_konzept::model::boundaries::Boundaries,
) {
    let b = parse_boundaries(text.as_bytes()).unwrap();
    let pairs =
        kdu_konzept::analysis::contiguity::rook_neighbours(&b.shapes, b.default_tolerance());
    (pairs, b)
}

#[test]
fn shared_borders_in_metres_give_the_hand_listed_neighbours() {
    // UTM 32N (EPSG:25832), 1 km cells, the middle square 3 cm off (below the 0,1 m tolerance).
    let utm = |x: f64, y: f64| [400_000.0 + 1000.0 * x, 5_700_000.0 + 1000.0 * y];
    let (pairs, b) = neighbours_of(&test_geojson(&utm, 0.03));
    assert_eq!(b.kind(), CoordinateKind::Metres);
    assert_eq!(b.x_scale(), 1.0);
    assert_eq!(pairs, expected_pairs());
    assert_eq!(b.shapes.len(), 12);
    let island = b.shape("05999010").unwrap();
    assert_eq!(
        (island.name.as_str(), island.polygons.len()),
        ("Mit Insel", 2)
    );
    // RS 05999 0000 011 → AGS 05999011.
    assert_eq!(b.shape("05999011").unwrap().name, "Ecke");
    assert_eq!(b.unusable.len(), 1);
    assert_eq!(b.unusable[0].feature, 13);
    let msg = b.unusable_message().unwrap();
    assert!(
        msg.starts_with("1 Objekt der Datei ist nicht verwendbar: Nr. 13 (kein Gemeindeschlüssel"),
        "{msg}"
    );
}

#[test]
fn shared_borders_in_degrees_give_the_same_neighbours() {
    // About 700 m × 1,1 km cells near 51° N; the middle square 0,00000005° off.
    let lonlat = |x: f64, y: f64| [7.0 + 0.01 * x, 51.0 + 0.01 * y];
    let (pairs, b) = neighbours_of(&test_geojson(&lonlat, 5e-8));
    assert_eq!(b.kind(), CoordinateKind::Degrees);
    // cos(mean latitude): the y range is 50,99° … 51,11°, mean 51,05°.
    let expected = 51.05_f64.to_radians().cos();
    assert!((b.x_scale() - expected).abs() < 1e-9, "{}", b.x_scale());
    assert_eq!(pairs, expected_pairs());
    // Noise far above the tolerance separates the middle square from its four neighbours.
    let (pairs, _) = neighbours_of(&test_geojson(&lonlat, 1e-4));
    assert_eq!(pairs.len(), expected_pairs().len() - 4);
}

fn sample(dir: &std::path::Path) -> LoadedProject {
    let path = kdu_konzept::sample_project::write_sample_project(dir).unwrap();
    LoadedProject::load(&path, &mut |_, _, _| true).unwrap()
}

fn zusammenhang(lp: &LoadedProject) -> analysis::result::Check {
    let (_, a) = analysis::run(&lp.project, &lp.data);
    a.checks
        .iter()
        .find(|c| c.code == CheckCode::Zusammenhang)
        .cloned()
        .unwrap()
}

#[test]
fn a_vergleichsraum_that_falls_apart_on_the_boundaries_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let mut lp = sample(dir.path());
    assert!(lp.data.boundaries.is_some());
    let check = zusammenhang(&lp);
    assert_eq!(check.status, CheckStatus::Ok, "{}", check.text);
    assert!(
        check.text.contains("Gemeindegrenzen (GeoJSON)"),
        "{}",
        check.text
    );

    // Birkenau-West (south-east corner, borders Bachhausen and Sonnendorf) into the Nordkreis.
    let i = lp
        .project
        .gemeinden
        .iter()
        .position(|g| g.name == "Birkenau-West")
        .unwrap();
    lp.project.gemeinden[i].vergleichsraum = "VR 2 Nordkreis".to_string();
    let check = zusammenhang(&lp);
    assert_eq!(check.status, CheckStatus::Warnung);
    assert!(
        check
            .text
            .contains("VR 2 Nordkreis zerfällt in 2 nicht verbundene Teile")
            && check.text.contains("{Birkenau-West}")
            && check.text.contains("Gemeindegrenzen"),
        "{}",
        check.text
    );

    // A neighbour list that connects everything does not count while boundaries exist.
    let ags: Vec<String> = lp.project.gemeinden.iter().map(|g| g.ags.clone()).collect();
    let all: Vec<(String, String)> = ags
        .iter()
        .flat_map(|a| {
            ags.iter()
                .filter(move |b| a < *b)
                .map(move |b| (a.clone(), b.clone()))
        })
        .collect();
    lp.data.neighbours = Some(all);
    let check = zusammenhang(&lp);
    assert_eq!(check.status, CheckStatus::Warnung);
    assert!(
        check.text.contains("gehen der Nachbarschaftsliste vor"),
        "{}",
        check.text
    );
    // Without boundaries the list decides.
    let boundaries = lp.data.boundaries.take();
    let check = zusammenhang(&lp);
    assert_eq!(check.status, CheckStatus::Ok, "{}", check.text);
    assert!(
        check.text.contains("laut Nachbarschaftsliste"),
        "{}",
        check.text
    );

    // A Gemeinde of the table missing from the boundaries is named.
    lp.project.gemeinden[i].vergleichsraum = "VR 3 Südkreis".to_string();
    lp.data.neighbours = None;
    let mut data = (*boundaries.unwrap()).clone();
    data.boundaries.shapes.retain(|s| s.ags != "05999028");
    lp.data.boundaries = Some(Arc::new(data));
    let check = zusammenhang(&lp);
    assert_eq!(check.status, CheckStatus::NichtPruefbar);
    assert!(
        check
            .findings
            .iter()
            .any(|f| f.contains("Kleinau (05999028) fehlt in den Gemeindegrenzen")),
        "{:?}",
        check.findings
    );
}

#[test]
fn the_vergleichsraeume_screen_shows_the_map_legend_and_without_boundaries_the_hint() {
    let dir = tempfile::tempdir().unwrap();
    let path = kdu_konzept::sample_project::write_sample_project(dir.path()).unwrap();
    let app = KduApp::open_blocking(&path).unwrap();
    let mut h = Harness::builder()
        .with_size(egui::vec2(1366.0, 768.0))
        .build_eframe(move |_cc| app);
    h.state_mut()
        .state_mut()
        .handle(Command::Navigate(Screen::Vergleichsraeume));
    h.run();
    assert!(h.query_by_label("Legende").is_some());
    assert!(h.query_by_label("keine Daten").is_some());
    assert!(
        h.query_by_label_contains("Keine Gemeindegrenzen geladen")
            .is_none()
    );
    // The rent level: the legend shows German numbers.
    h.get_by_label("Median Nettokaltmiete €/m²").click();
    h.run();
    // Five steps of the scale (German numbers) and the button itself.
    assert!(h.query_all_by_label_contains(" €/m²").count() >= 6);
    assert!(h.query_all_by_label_contains(",").count() >= 5);

    // The same project without boundaries: the hint and the load button.
    let other = tempfile::tempdir().unwrap();
    let mut lp = sample(other.path());
    lp.project.boundaries = None;
    lp.data.boundaries = None;
    let mut h = Harness::builder()
        .with_size(egui::vec2(1366.0, 768.0))
        .build_eframe(move |_cc| KduApp::with_loaded(lp));
    h.state_mut()
        .state_mut()
        .handle(Command::Navigate(Screen::Vergleichsraeume));
    h.run();
    assert!(
        h.query_by_label_contains("Keine Gemeindegrenzen geladen")
            .is_some()
    );
    assert!(h.query_by_label("Legende").is_none());
    // Loading the file through the button's command brings the map.
    let file = dir.path().join("gemeinden.geojson");
    h.state_mut().forms_mut().boundaries_path = file.display().to_string();
    h.get_by_label("Gemeindegrenzen (GeoJSON) laden…").click();
    h.run();
    h.run();
    assert!(h.query_by_label("Legende").is_some());
    assert!(h.state().state().project().unwrap().boundaries.is_some());
}
