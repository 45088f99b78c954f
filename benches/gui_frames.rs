//! Frame times of the desktop app while the percentile slider is dragged, on a synthetic
//! 100,000-record project (`cargo bench --bench gui_frames`; results in `BENCHMARKS.md`).
//!
//! Runs the real `KduApp` (`eframe::App::logic` + `ui`) in an `egui_kittest::Harness`, i.e.
//! without a window and without GPU rendering. One measured frame is:
//!
//! - phase A ("command path"): `AppState::handle(Command::SetParameters { .. })` with the next
//!   percentile (the command the slider pushes; it clones the project, records/merges the undo
//!   step and recomputes the analysis), then one `Harness::step()` (logic + UI layout + the
//!   AccessKit tree kittest always builds), then `Context::tessellate` of the frame's shapes;
//! - phase B ("pointer drag"): the pointer is pressed on the slider rail and moved by a few
//!   pixels per frame; one `Harness::step()` (the slider's own `changed()` pushes
//!   `SetParameters`, handled at the end of the same frame) plus tessellation.
//!
//! Not included: GPU upload and drawing, swap-chain presentation, winit event handling.
//! Besides wall-clock time, the time each frame spent waiting for a CPU (run queue) is read from
//! `/proc/thread-self/schedstat` (Linux) and reported, with the wall time minus that wait,
//! because other processes on a busy build machine inflate the wall-clock figures.
//! Also timed on their own: the pure `analysis::compute` for the same percentiles, and
//! `Prepared::new` (runs only when the data scope changes, not while dragging).
//!
//! Without `--bench` (e.g. `cargo test --benches`) it only does a smoke run: 2 000 records,
//! 10 frames per phase, no verdict.
//!
//! Environment: `KDU_BENCH_RECORDS` (default 100000), `KDU_BENCH_FRAMES` (default 200),
//! `KDU_BENCH_WINDOW` (default `1400x900`, the app's start size; e.g. `1400x3000` puts the
//! whole results screen with all plots on screen).

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use kdu_konzept::analysis::{Prepared, compute};
use kdu_konzept::app::{Command, KduApp, Screen};
use kdu_konzept::dataset::{Dataset, LoadedProject};
use kdu_konzept::model::{Date, GemeindeRow, Project, Record, SourceKind, VergleichsraumSpec};
use std::error::Error;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Frame budget for 60 Hz.
const BUDGET_MS: f64 = 16.0;
/// Unmeasured frames before each phase.
const WARMUP_FRAMES: usize = 20;
/// Records and frames of a smoke run (started without `--bench`).
const SMOKE: (usize, usize) = (2_000, 10);

/// A small deterministic generator (LCG), so every run sees the same data.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.next() < p
    }

    /// Roughly normal (Irwin–Hall with three summands), mean 0, standard deviation 1.
    fn normalish(&mut self) -> f64 {
        (self.next() + self.next() + self.next() - 1.5) * 2.0
    }
}

/// Vergleichsraum name, justification, NKM level €/m².
const VRS: [(&str, &str, f64); 3] = [
    ("Kreisstadt", "Kreisstadt mit eigenem Wohnungsmarkt", 8.4),
    ("Umland", "verdichteter Raum um die Kreisstadt", 6.9),
    (
        "Ländlicher Raum",
        "ländlich geprägter Süden des Kreises",
        5.8,
    ),
];

/// AGS, name, Vergleichsraum index, inhabitants.
const GEMEINDEN: [(&str, &str, usize, u32); 10] = [
    ("05999001", "Musterstadt", 0, 92_000),
    ("05999002", "Neustadt", 0, 31_000),
    ("05999003", "Nordheim", 1, 18_000),
    ("05999004", "Ostdorf", 1, 14_000),
    ("05999005", "Westerfeld", 1, 12_500),
    ("05999006", "Brückenau", 1, 9_800),
    ("05999007", "Südhausen", 2, 7_200),
    ("05999008", "Talheim", 2, 5_600),
    ("05999009", "Bergdorf", 2, 4_100),
    ("05999010", "Kleinwald", 2, 2_300),
];

/// Three Vergleichsräume, ten Gemeinden, `n` records: ~72 % Bestand, ~18 % Neuvertrag,
/// ~10 % Angebote; areas 25–130 m², NKM/m² by Vergleichsraum, size, kind and noise; BK for all.
fn synthetic_project(n: usize) -> Result<LoadedProject, Box<dyn Error>> {
    let stichtag = Date::from_ymd(2025, 1, 1).ok_or("invalid Stichtag")?;
    let mut project = Project::new("Benchmarkkreis (synthetisch)", stichtag);
    project.parameters.wohnflaechen.confirmed = true;
    for (name, text, _) in VRS {
        project.vergleichsraeume.push(VergleichsraumSpec {
            name: name.to_string(),
            begruendung: text.to_string(),
            ohne_konzept: false,
        });
    }
    for (ags, name, vr, einwohner) in GEMEINDEN {
        project.gemeinden.push(GemeindeRow {
            ags: ags.to_string(),
            name: name.to_string(),
            vergleichsraum: VRS[vr].0.to_string(),
            einwohner: Some(einwohner),
            mietwohnungen: Some(einwohner * 55 / 200),
            mietstufe: Some([4, 3, 2][vr]),
        });
    }
    let total: u32 = GEMEINDEN.iter().map(|g| g.3).sum();
    let mut rng = Lcg(20_250_101);
    let mut records = Vec::with_capacity(n);
    for i in 0..n {
        // Gemeinde proportional to inhabitants.
        let mut pick = (rng.next() * f64::from(total)) as u32;
        let mut g = &GEMEINDEN[GEMEINDEN.len() - 1];
        for cand in &GEMEINDEN {
            if pick < cand.3 {
                g = cand;
                break;
            }
            pick -= cand.3;
        }
        let level = VRS[g.2].2 * (0.97 + 0.06 * rng.next());
        let u = rng.next();
        let (kind, source, kind_factor) = if u < 0.72 {
            (SourceKind::Bestand, 0u16, 1.0)
        } else if u < 0.90 {
            (SourceKind::Neuvertrag, 1, 1.08)
        } else {
            (SourceKind::Angebot, 2, 1.14)
        };
        let area = 25.0 + 105.0 * (rng.next() + rng.next()) / 2.0;
        let size_factor = 1.0 + 0.12 * (60.0 / area - 1.0);
        let per_m2 = (level * size_factor * kind_factor * (1.0 + 0.13 * rng.normalish())).max(2.5);
        let mut r = Record::new(
            source,
            u32::try_from(i)? + 2,
            kind,
            (per_m2 * area * 100.0).round() / 100.0,
            (area * 10.0).round() / 10.0,
        );
        r.gemeinde = Some(g.1.to_string());
        r.ags = Some(g.0.to_string());
        r.rooms = Some((area / 27.0).round().clamp(1.0, 5.0));
        r.operating_costs = Some(((1.5 + 1.1 * rng.next()) * area * 100.0).round() / 100.0);
        r.lift = Some(rng.chance(0.25));
        r.furnished = Some(rng.chance(0.01));
        r.subsidised = Some(rng.chance(0.05));
        match kind {
            SourceKind::Angebot => {
                let months = (rng.next() * 15.0) as i32;
                r.offer_date = Some(stichtag.minus_months(months + 1));
                r.heating_included = Some(rng.chance(0.1));
            }
            SourceKind::Neuvertrag => {
                let months = (rng.next() * 24.0) as i32;
                r.contract_start = Some(stichtag.minus_months(months + 1));
            }
            _ => {
                // About 70 % within the 4-year contract window.
                let months = (rng.next() * rng.next().sqrt() * 140.0) as i32;
                r.contract_start = Some(stichtag.minus_months(months + 1));
                r.welfare = Some(rng.chance(0.12));
            }
        }
        records.push(r);
    }
    Ok(LoadedProject {
        path: std::env::temp_dir().join("kdu-bench-100k.kdu.toml"),
        project,
        data: Dataset {
            records,
            rejections: Vec::new(),
            sources: Vec::new(),
            ..Dataset::default()
        },
        warnings: Vec::new(),
    })
}

/// Time the calling thread has spent waiting in the run queue so far (Linux `schedstat`,
/// second field, recorded when the thread gets a CPU again); `None` where unavailable.
/// Separates the work of a frame from time lost to other processes on a busy machine.
/// (The first field, on-CPU time, is only updated at scheduler ticks and is too coarse.)
fn run_queue_wait() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let wait = text.split_whitespace().nth(1)?.parse::<u64>().ok()?;
    Some(Duration::from_nanos(wait))
}

/// Per-frame run-queue wait and wall time minus that wait.
#[derive(Default)]
struct WaitSamples {
    wait: Vec<Duration>,
    net: Vec<Duration>,
}

impl WaitSamples {
    fn push(&mut self, wall: Duration, before: Option<Duration>, after: Option<Duration>) {
        if let (Some(b), Some(a)) = (before, after) {
            let wait = a.saturating_sub(b);
            self.wait.push(wait);
            self.net.push(wall.saturating_sub(wait));
        }
    }

    /// Prints both rows; returns the statistics of the net time.
    fn rows(&self, what: &str) -> Option<Stats> {
        if self.wait.is_empty() {
            println!("  ({what}: no /proc/thread-self/schedstat, run-queue wait not available)");
            return None;
        }
        Stats::of(&self.wait).row(&format!("  {what}: waiting for a CPU"));
        let net = Stats::of(&self.net);
        net.row(&format!("  {what} minus waiting for a CPU"));
        Some(net)
    }
}

/// Median, 95th percentile (nearest rank), max and mean of durations, in ms.
struct Stats {
    n: usize,
    median: f64,
    p95: f64,
    max: f64,
    mean: f64,
}

impl Stats {
    fn of(samples: &[Duration]) -> Stats {
        let mut ms: Vec<f64> = samples.iter().map(|d| d.as_secs_f64() * 1e3).collect();
        ms.sort_by(f64::total_cmp);
        let n = ms.len();
        let rank = |q: f64| ms[((q * n as f64).ceil() as usize).clamp(1, n) - 1];
        Stats {
            n,
            median: if n % 2 == 1 {
                ms[n / 2]
            } else {
                (ms[n / 2 - 1] + ms[n / 2]) / 2.0
            },
            p95: rank(0.95),
            max: ms[n - 1],
            mean: ms.iter().sum::<f64>() / n as f64,
        }
    }

    fn row(&self, label: &str) {
        println!(
            "{label:<46} {:>5} {:>9.2} {:>9.2} {:>9.2} {:>9.2}",
            self.n, self.median, self.p95, self.max, self.mean
        );
    }
}

fn header() {
    println!(
        "{:<46} {:>5} {:>9} {:>9} {:>9} {:>9}",
        "ms", "n", "median", "p95", "max", "mean"
    );
}

/// The percentile of drag frame `i`: a triangle wave 0.20 → 0.60 → 0.20 in steps of 0.01.
/// Computed like the slider snaps (`0.10 + j · 0.01`), so the slider does not re-round the
/// value and push a second `SetParameters` in the frame.
fn percentile_at(i: usize) -> f64 {
    let k = (i % 80) as u32;
    let j = 10 + if k < 40 { k } else { 80 - k };
    0.10 + f64::from(j) * 0.01
}

fn percentile(h: &Harness<'_, KduApp>) -> f64 {
    h.state()
        .state()
        .project()
        .map_or(f64::NAN, |p| p.parameters.reference.percentile)
}

fn last_compute(h: &Harness<'_, KduApp>) -> Duration {
    h.state()
        .state()
        .doc()
        .map_or(Duration::ZERO, |d| d.compute_time())
}

/// Tessellates the shapes of the last frame (what eframe does before painting); returns the
/// time taken. The clone of the shape list is not timed.
fn tessellate(h: &Harness<'_, KduApp>) -> Duration {
    let shapes = h.output().shapes.clone();
    let ppp = h.output().pixels_per_point;
    let start = Instant::now();
    let primitives = h.ctx.tessellate(shapes, ppp);
    let took = start.elapsed();
    black_box(primitives);
    took
}

fn env_usize(name: &str, default: usize) -> Result<usize, Box<dyn Error>> {
    match std::env::var(name) {
        Ok(v) => Ok(v.parse()?),
        Err(_) => Ok(default),
    }
}

/// `KDU_BENCH_WINDOW` as `WIDTHxHEIGHT` in points.
fn window_size() -> Result<egui::Vec2, Box<dyn Error>> {
    let text = std::env::var("KDU_BENCH_WINDOW").unwrap_or_else(|_| "1400x900".to_string());
    let (w, h) = text
        .split_once('x')
        .ok_or("KDU_BENCH_WINDOW must look like 1400x900")?;
    Ok(egui::vec2(w.trim().parse()?, h.trim().parse()?))
}

fn main() -> Result<(), Box<dyn Error>> {
    let full = std::env::args().any(|a| a == "--bench");
    let (n_records, frames) = if full {
        (
            env_usize("KDU_BENCH_RECORDS", 100_000)?,
            env_usize("KDU_BENCH_FRAMES", 200)?,
        )
    } else {
        SMOKE
    };
    if frames == 0 {
        return Err("KDU_BENCH_FRAMES must be at least 1".into());
    }
    let window = window_size()?;
    let warmup = if full { WARMUP_FRAMES } else { 2 };
    let profile = if cfg!(debug_assertions) {
        "debug (numbers not meaningful)"
    } else {
        "optimized"
    };
    println!(
        "gui_frames: {n_records} records, {frames} frames per phase, window {}x{}, {profile} build{}",
        window.x,
        window.y,
        if full {
            ""
        } else {
            " (smoke run without --bench)"
        }
    );
    println!(
        "load average: {}",
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );

    let start = Instant::now();
    let lp = synthetic_project(n_records)?;
    println!(
        "data generation:                 {:>8.1} ms",
        start.elapsed().as_secs_f64() * 1e3
    );

    // Pure compute (and Prepared::new) on the same data, outside the app.
    let start = Instant::now();
    let prep = Prepared::new(&lp.data.records, &lp.project);
    let prepare_time = start.elapsed();
    let mut project = lp.project.clone();
    let mut compute_times = Vec::with_capacity(frames);
    let mut compute_wait = WaitSamples::default();
    for i in 0..warmup + frames {
        project.parameters.reference.percentile = percentile_at(i);
        let w0 = run_queue_wait();
        let start = Instant::now();
        let analysis = compute(&prep, &project, &lp.data);
        let took = start.elapsed();
        let w1 = run_queue_wait();
        black_box(analysis);
        if i >= warmup {
            compute_times.push(took);
            compute_wait.push(took, w0, w1);
        }
    }
    drop(prep);

    let start = Instant::now();
    let app = KduApp::with_loaded(lp);
    let load_time = start.elapsed();
    let (cells, used) = app.state().doc().map_or((0, 0), |d| {
        (d.analysis().cells.len(), d.analysis().funnel.used)
    });
    println!(
        "KduApp::with_loaded (Prepared::new + compute): {:.1} ms; {cells} cells, {used} records used",
        load_time.as_secs_f64() * 1e3
    );

    let mut h = Harness::builder()
        .with_size(window)
        .build_eframe(move |_cc| app);
    // Navigate to the results screen like a user: via the navigation entry.
    h.state_mut()
        .state_mut()
        .handle(Command::Navigate(Screen::Start));
    h.run();
    h.get_by_label("Ergebnisse").click();
    h.run();
    if h.state().state().screen() != Screen::Ergebnisse {
        return Err("the results screen did not open".into());
    }

    // Phase A: the SetParameters command the slider sends, one frame each.
    let mut frame_a = Vec::with_capacity(frames);
    let mut handle_a = Vec::with_capacity(frames);
    let mut step_a = Vec::with_capacity(frames);
    let mut tess_a = Vec::with_capacity(frames);
    let mut recompute_a = Vec::with_capacity(frames);
    let mut extra_a = 0usize;
    let mut wait_a = WaitSamples::default();
    for i in 0..warmup + frames {
        let mut params = h
            .state()
            .state()
            .project()
            .ok_or("no project")?
            .parameters
            .clone();
        params.reference.percentile = percentile_at(i + 1);
        let cmd = Command::SetParameters {
            params: Box::new(params),
            key: "reference.percentile",
        };
        let w0 = run_queue_wait();
        let t0 = Instant::now();
        h.state_mut().state_mut().handle(cmd);
        let t1 = Instant::now();
        let generation = h.state().state().generation();
        h.step();
        let t2 = Instant::now();
        let tess = tessellate(&h);
        let w1 = run_queue_wait();
        if h.state().state().generation() != generation {
            extra_a += 1;
        }
        if i >= warmup {
            handle_a.push(t1 - t0);
            step_a.push(t2 - t1);
            tess_a.push(tess);
            frame_a.push(t2 - t0 + tess);
            recompute_a.push(last_compute(&h));
            wait_a.push(t2 - t0 + tess, w0, w1);
        }
    }
    if (percentile(&h) - percentile_at(warmup + frames)).abs() > 1e-9 {
        return Err("the percentile did not follow the commands".into());
    }

    // Phase B: a real pointer drag on the slider rail.
    h.run();
    let rail = h
        .get_by_role_and_label(egui::Role::Slider, "Perzentil")
        .rect();
    let y = rail.center().y;
    let x_at = |i: usize| {
        // Triangle wave over 20 %…80 % of the rail, 2 px per frame.
        let span = (rail.width() * 0.6 / 2.0).floor().max(1.0) as usize;
        let k = i % (2 * span);
        let s = if k < span { k } else { 2 * span - k };
        rail.left() + rail.width() * 0.2 + 2.0 * s as f32
    };
    h.hover_at(egui::pos2(x_at(0), y));
    h.step();
    h.drag_at(egui::pos2(x_at(0), y));
    h.step();
    let mut frame_b = Vec::with_capacity(frames);
    let mut step_b = Vec::with_capacity(frames);
    let mut changed_b = 0usize;
    let mut wait_b = WaitSamples::default();
    for i in 0..warmup + frames {
        let before = percentile(&h);
        h.hover_at(egui::pos2(x_at(i + 1), y));
        let w0 = run_queue_wait();
        let t0 = Instant::now();
        h.step();
        let t1 = Instant::now();
        let tess = tessellate(&h);
        let w1 = run_queue_wait();
        if i >= warmup {
            wait_b.push(t1 - t0 + tess, w0, w1);
            step_b.push(t1 - t0);
            frame_b.push(t1 - t0 + tess);
            if (percentile(&h) - before).abs() > 1e-12 {
                changed_b += 1;
            }
        }
    }
    h.drop_at(egui::pos2(x_at(warmup + frames), y));
    h.step();
    let (undo, _) = h.state().state().undo_redo_len();

    println!();
    println!("Prepared::new (scope change only): {:.1} ms", {
        prepare_time.as_secs_f64() * 1e3
    });
    header();
    Stats::of(&compute_times).row("pure analysis::compute");
    compute_wait.rows("compute");
    println!("phase A: SetParameters + 1 frame");
    Stats::of(&handle_a).row("  handle(SetParameters) incl. recompute");
    Stats::of(&recompute_a).row("    of which Document::recompute");
    Stats::of(&step_a).row("  Harness::step (logic + ui + accesskit)");
    Stats::of(&tess_a).row("  tessellate");
    let a = Stats::of(&frame_a);
    a.row("  frame total");
    let a_net = wait_a.rows("frame");
    println!("  frames in which the UI pushed another change itself: {extra_a}");
    println!("phase B: pointer drag on the slider, 1 frame per move");
    Stats::of(&step_b).row("  Harness::step (incl. recompute)");
    let b = Stats::of(&frame_b);
    b.row("  frame total (step + tessellate)");
    let b_net = wait_b.rows("frame");
    println!(
        "  frames in which the percentile changed: {changed_b} of {frames}; undo steps after both drags: {undo}"
    );
    if !full {
        return Ok(());
    }
    println!();
    let verdict = |p95: f64| if p95 <= BUDGET_MS { "met" } else { "NOT met" };
    for (name, wall, net) in [("phase A", &a, &a_net), ("phase B", &b, &b_net)] {
        print!(
            "{name}: p95 wall {:.2} ms vs. target {BUDGET_MS} ms: {}",
            wall.p95,
            verdict(wall.p95)
        );
        match net {
            Some(n) => println!(
                "; p95 without run-queue wait {:.2} ms: {}",
                n.p95,
                verdict(n.p95)
            ),
            None => println!(),
        }
    }
    println!(
        "load average: {}",
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
    Ok(())
}
