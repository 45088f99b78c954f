//! Image snapshots of the desktop app's main screens, rendered with wgpu on Mesa's software
//! Vulkan driver (lavapipe). The app shows the bundled sample project "Landkreis Musterland".
//!
//! The reference images live in `tests/snapshots/`, the thresholds in `kittest.toml`. After an
//! intended change of the UI: `UPDATE_SNAPSHOTS=1 cargo test --test gui_snapshots`, then look
//! at the changed PNGs before committing them (see TESTING.md).

// The helpers below are test code too; clippy only exempts `#[test]` functions themselves.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use eframe::egui_wgpu::wgpu;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use egui_kittest::wgpu::{WgpuTestRenderer, create_render_state, default_wgpu_setup};
use kdu_konzept::app::state::Job;
use kdu_konzept::app::{Command, KduApp, Screen};
use std::time::Duration;

/// Window size of every snapshot (logical points = pixels, `pixels_per_point` 1).
const SIZE: egui::Vec2 = egui::vec2(1200.0, 800.0);

/// The temp folder's name changes in every run: the path fields show this fixed folder instead.
const SHOWN_FOLDER: &str = "/daten/kdu";

/// What to install when no software renderer is found.
const INSTALL_HINT: &str = "The snapshots are rendered by Mesa's software renderer: \
    `apt-get install mesa-vulkan-drivers` (lavapipe). If wgpu still picks another driver, set \
    VK_ICD_FILENAMES=/usr/share/vulkan/icd.d/lvp_icd.x86_64.json. See TESTING.md.";

/// A wgpu renderer on a software (CPU) adapter. Panics with instructions when there is none,
/// so the snapshots are never skipped and never silently come from a hardware GPU.
fn software_renderer() -> WgpuTestRenderer {
    // egui_kittest's setup prefers CPU adapters: lavapipe (Vulkan), else llvmpipe (GL).
    let state = std::panic::catch_unwind(|| {
        create_render_state(
            default_wgpu_setup(),
            eframe::egui_wgpu::RendererOptions::PREDICTABLE,
        )
    })
    .unwrap_or_else(|_| panic!("wgpu found no graphics adapter. {INSTALL_HINT}"));
    let info = state.adapter.get_info();
    eprintln!(
        "wgpu adapter: {} ({:?}, {})",
        info.name, info.backend, info.driver_info
    );
    assert_eq!(
        info.device_type,
        wgpu::DeviceType::Cpu,
        "wgpu chose a hardware adapter ({info:?}). {INSTALL_HINT}"
    );
    WgpuTestRenderer::from_render_state(state)
}

/// The app on the sample project (written to `dir`), rendered with wgpu in a window of `size`.
fn sample_harness(dir: &std::path::Path, size: egui::Vec2) -> Harness<'static, KduApp> {
    let path = kdu_konzept::sample_project::write_sample_project(dir).unwrap();
    // Headless: no recovery storage (no restore offer, no recent list), no file dialogs.
    let mut app = KduApp::open_blocking(&path).unwrap();
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let opened = app.state().doc().unwrap().lp().path.clone();
    let forms = app.forms_mut();
    forms.open_path = format!("{SHOWN_FOLDER}/{name}");
    forms.open_path_for = Some(opened);
    forms.export_path = format!("{SHOWN_FOLDER}/musterland-Pruefmappe.xlsx");
    forms.export_path_for = Some(path.clone());
    Harness::builder()
        .with_size(size)
        .with_pixels_per_point(1.0)
        .with_theme(egui::Theme::Dark)
        .with_render_cursor(false)
        .renderer(software_renderer())
        .build_eframe(move |_cc| app)
}

/// Shows `screen` (as a command: no pointer, so nothing is hovered) and lets the UI settle.
fn show(h: &mut Harness<'_, KduApp>, screen: Screen) {
    let state = h.state_mut().state_mut();
    state.handle(Command::Navigate(screen));
    // The measured computation time is part of the Ergebnisse screen.
    state.set_compute_time(Duration::from_micros(4_200));
    h.run();
    // Table columns and grids size themselves in the first frames.
    h.run_steps(2);
    h.run();
    assert_eq!(h.state().state().screen(), screen);
}

#[test]
fn main_screens_match_their_snapshots() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample_harness(dir.path(), SIZE);

    show(&mut h, Screen::Start);
    h.snapshot("start");

    show(&mut h, Screen::Daten);
    h.snapshot("daten");

    show(&mut h, Screen::Vergleichsraeume);
    h.snapshot("vergleichsraeume");

    show(&mut h, Screen::Parameter);
    h.snapshot("parameter");

    // Ergebnisse: the limit table with the selected cell (VR 1, 2 Personen) …
    h.state_mut().state_mut().handle(Command::SelectCell {
        vr: 0,
        household_size: 2,
    });
    show(&mut h, Screen::Ergebnisse);
    h.snapshot("ergebnisse");
    // … and, scrolled down, the cell's figures and plots.
    h.get_by_label("Ausschlüsse insgesamt (alle Tabellenfelder)")
        .scroll_to_me();
    h.run();
    assert!(h.query_by_label("Häufigkeitsverteilung NKM €/m²").is_some());
    h.snapshot("ergebnisse_zelle");

    show(&mut h, Screen::Export);
    h.snapshot("export");

    // Daten with the „Quelle hinzufügen“ dialog: preview of the sample Bestand workbook with
    // the detected header row, the column mapping, „jährlich“ for money columns and the
    // detected types.
    show(&mut h, Screen::Daten);
    let file = dir.path().join("bestandsmieten.xlsx");
    h.state_mut().forms_mut().source.open = true;
    h.state_mut().state_mut().handle(Command::PreviewSource {
        path: file,
        sheet: None,
    });
    for _ in 0..500 {
        h.step();
        let s = h.state().state();
        if s.source_preview().is_some() && s.job(Job::Preview).is_none() {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    h.state_mut().forms_mut().source.path = format!("{SHOWN_FOLDER}/bestandsmieten.xlsx");
    h.run();
    h.run_steps(2);
    h.run();
    // Scrolled to the money columns (Nettokaltmiete, Betriebskosten, Heizkosten).
    h.get_by_role_and_label(egui::Role::CheckBox, "I Heizkosten (€/Monat)")
        .scroll_to_me();
    h.run();
    assert!(h.query_by_label("erkannt: Zeile 4").is_some());
    h.snapshot("daten_quelle");
}

/// A small laptop screen: the Daten screen's source actions are visible without scrolling
/// sideways.
#[test]
fn daten_at_1366_by_768_matches_its_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample_harness(dir.path(), egui::vec2(1366.0, 768.0));
    show(&mut h, Screen::Daten);
    h.snapshot("daten_1366x768");
}

/// The Vergleichsräume screen at 1366×768 with the map of the sample Kreis coloured by
/// Vergleichsraum, its legend and the load row.
#[test]
fn vergleichsraeume_map_at_1366_by_768_matches_its_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample_harness(dir.path(), egui::vec2(1366.0, 768.0));
    show(&mut h, Screen::Vergleichsraeume);
    assert!(h.query_by_label("Legende").is_some());
    h.snapshot("vergleichsraeume_karte_1366x768");
}

/// The Schlüssigkeitsprüfung at 1366×768 with open errors (a minimum of 100 rents per cell
/// leaves small cells without a valid Richtwert), and the result table with those cells on the
/// WoGG fallback.
#[test]
fn pruefung_with_open_errors_matches_its_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample_harness(dir.path(), egui::vec2(1366.0, 768.0));
    let mut params = h.state().state().project().unwrap().parameters.clone();
    params.min_n = 100;
    h.state_mut().state_mut().handle(Command::SetParameters {
        params: Box::new(params),
        key: "min_n",
    });
    show(&mut h, Screen::Pruefung);
    assert!(
        h.query_all_by_label_contains("Nicht schlüssig")
            .next()
            .is_some()
    );
    h.snapshot("pruefung");
    show(&mut h, Screen::Ergebnisse);
    h.snapshot("ergebnisse_rueckfall");
}

/// The Datenexplorer at 1366×768 with its default query (Gemeinde × Größenklasse: n, Median,
/// P33) on the sample project.
#[test]
fn datenexplorer_at_1366_by_768_matches_its_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample_harness(dir.path(), egui::vec2(1366.0, 768.0));
    show(&mut h, Screen::Datenexplorer);
    h.snapshot("datenexplorer_1366x768");
}

/// The Vergleichsräume screen, tall enough for the whole page, with a cluster run on the data's
/// rent level: silhouette per k, dendrogram and the proposal beside the Vergleichsräume.
#[test]
fn vergleichsraeume_with_a_cluster_run_matches_its_snapshot() {
    use kdu_konzept::app::state::ClusterEdit;
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample_harness(dir.path(), egui::vec2(1366.0, 3000.0));
    h.state_mut()
        .state_mut()
        .handle(Command::EditCluster(ClusterEdit::RentLevel(true)));
    show(&mut h, Screen::Vergleichsraeume);
    assert!(h.query_by_label("Silhouette je Clusterzahl").is_some());
    h.snapshot("vergleichsraeume_cluster");
}
