//! Shared helpers of the benchmark mains (`harness = false`): argument parsing, a timing loop
//! with median/p95, the machine note, the Python peers and the benchmark data.
//!
//! Every bench runs in two modes:
//! * `cargo bench --bench NAME [-- OPTIONS]`: cargo passes `--bench`, the full measurement runs;
//! * without `--bench` (`cargo test --benches`, `cargo test --all-targets`): a smoke run with tiny
//!   inputs, one repetition and no Python peer, so the test suite stays fast.
//!
//! Options: `--rows N` (data rows), `--runs N` (timed repetitions), `--no-peer` (skip Python),
//! `--only WORD` (only the steps whose key contains WORD, e.g. for `perf record`).
//! Environment: `KDU_BENCH_PYTHON` (interpreter with the peer packages, default `python3`),
//! `KDU_BENCH_DIR` (scratch folder, default `$TMPDIR/kdu-konzept-bench`).

#![allow(dead_code)] // each bench main uses a different subset of the helpers

use kdu_konzept::dataset::{Dataset, LoadedProject};
use kdu_konzept::model::{Date, Project, SourceKind, SourceSpec};
use std::error::Error;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The seed of every generated benchmark workbook.
pub const SEED: u64 = 4711;

/// Result type of the bench mains.
pub type BenchResult<T> = Result<T, Box<dyn Error>>;

/// Parsed command line.
#[derive(Debug, Clone)]
pub struct Config {
    /// Full measurement (`--bench` given by `cargo bench`) or smoke run.
    pub full: bool,
    /// Data rows (records).
    pub rows: usize,
    /// Timed repetitions of the slow steps.
    pub runs: usize,
    /// Run the Python peers.
    pub peer: bool,
    /// Scratch folder of this bench.
    pub dir: PathBuf,
    /// `--only WORD`: run only the steps whose key contains WORD (for profiling).
    pub only: Option<String>,
    /// Whether the targets apply: full mode with the default number of rows.
    pub judge: bool,
}

impl Config {
    /// Parses `std::env::args`; `rows`/`runs` are the defaults of the full mode.
    pub fn from_args(name: &str, rows: usize, runs: usize) -> BenchResult<Config> {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let full = args.iter().any(|a| a == "--bench");
        let mut cfg = Config {
            full,
            rows: if full { rows } else { 2_000 },
            runs: if full { runs } else { 1 },
            peer: full,
            dir: std::env::var_os("KDU_BENCH_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| std::env::temp_dir().join("kdu-konzept-bench"))
                .join(if full {
                    name.to_string()
                } else {
                    format!("{name}-smoke")
                }),
            only: None,
            judge: false,
        };
        let mut it = args.iter();
        while let Some(a) = it.next() {
            match a.as_str() {
                "--rows" => cfg.rows = parse_next(&mut it, "--rows")?,
                "--runs" => cfg.runs = parse_next::<usize>(&mut it, "--runs")?.max(1),
                "--no-peer" => cfg.peer = false,
                "--only" => cfg.only = it.next().cloned(),
                _ => {} // `--bench` and libtest filters are ignored
            }
        }
        cfg.judge = cfg.full && cfg.rows == rows;
        std::fs::create_dir_all(&cfg.dir)?;
        Ok(cfg)
    }

    /// Whether the step with this key runs (see `--only`).
    pub fn wants(&self, key: &str) -> bool {
        self.only.as_deref().is_none_or(|w| key.contains(w))
    }

    /// [`verdict`] where the targets apply, else a note that they do not.
    pub fn verdict(&self, value: f64, target: f64, unit: &str) -> String {
        if self.judge {
            verdict(value, target, unit)
        } else {
            "(target not judged: not the target size or smoke run)".to_string()
        }
    }

    /// Runs for fast steps: `factor` times the slow-step runs (at least 1).
    pub fn fast_runs(&self, factor: usize) -> usize {
        if self.full { self.runs * factor } else { 1 }
    }
}

fn parse_next<T: std::str::FromStr>(
    it: &mut std::slice::Iter<'_, String>,
    flag: &str,
) -> BenchResult<T> {
    it.next()
        .and_then(|v| v.replace('_', "").parse().ok())
        .ok_or_else(|| format!("{flag} erwartet eine Zahl").into())
}

/// Timing statistics of one measured step, in seconds.
#[derive(Debug, Clone, Copy)]
pub struct Stats {
    /// Number of timed runs.
    pub runs: usize,
    /// Median.
    pub median: f64,
    /// 95th percentile (nearest rank).
    pub p95: f64,
    /// Fastest run.
    pub min: f64,
    /// Median CPU time of the whole process (all threads), if measured; `/proc/self/stat` has a
    /// resolution of 10 ms, so it is shown only for steps of 200 ms and more.
    pub cpu: Option<f64>,
}

impl Stats {
    /// Statistics of the given durations (seconds); empty input gives zeros.
    pub fn of(mut secs: Vec<f64>) -> Stats {
        secs.sort_by(f64::total_cmp);
        let n = secs.len();
        if n == 0 {
            return Stats {
                runs: 0,
                median: 0.0,
                p95: 0.0,
                min: 0.0,
                cpu: None,
            };
        }
        let median = if n % 2 == 1 {
            secs[n / 2]
        } else {
            (secs[n / 2 - 1] + secs[n / 2]) / 2.0
        };
        // nearest-rank p95: the smallest value with at least 95 % of the runs at or below it
        let rank = ((0.95 * n as f64).ceil() as usize).clamp(1, n);
        Stats {
            runs: n,
            median,
            p95: secs[rank - 1],
            min: secs[0],
            cpu: None,
        }
    }

    /// With the median of the given CPU times.
    pub fn with_cpu(mut self, cpu: Vec<f64>) -> Stats {
        if !cpu.is_empty() {
            self.cpu = Some(Stats::of(cpu).median);
        }
        self
    }

    /// Statistics from a peer's JSON object (`{"runs":[seconds, …]}`).
    pub fn from_json(v: &serde_json::Value) -> Option<Stats> {
        let secs = |key: &str| -> Vec<f64> {
            v.get(key)
                .and_then(|r| r.as_array())
                .map(|r| r.iter().filter_map(|x| x.as_f64()).collect())
                .unwrap_or_default()
        };
        let runs = secs("runs");
        if runs.is_empty() {
            return None;
        }
        Some(Stats::of(runs).with_cpu(secs("cpu")))
    }
}

/// Times `f` once untimed (warm-up: page cache, allocator) and then `runs` times.
/// The value of the last run is returned next to the statistics.
pub fn measure<T>(runs: usize, mut f: impl FnMut() -> BenchResult<T>) -> BenchResult<(Stats, T)> {
    black_box(f()?);
    let mut secs = Vec::with_capacity(runs);
    let mut cpu = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs.max(1) {
        let c = process_cpu_secs();
        let t = Instant::now();
        let v = black_box(f()?);
        secs.push(t.elapsed().as_secs_f64());
        if let (Some(a), Some(b)) = (c, process_cpu_secs()) {
            cpu.push(b - a);
        }
        last = Some(v);
    }
    let last = last.ok_or("keine Messung")?;
    Ok((Stats::of(secs).with_cpu(cpu), last))
}

/// [`measure`] if the step `key` is wanted (see [`Config::wants`]), else `None`.
pub fn measure_if<T>(
    cfg: &Config,
    key: &str,
    runs: usize,
    f: impl FnMut() -> BenchResult<T>,
) -> BenchResult<Option<(Stats, T)>> {
    if cfg.wants(key) {
        measure(runs, f).map(Some)
    } else {
        Ok(None)
    }
}

/// Times `f` once (no warm-up).
pub fn once<T>(f: impl FnOnce() -> BenchResult<T>) -> BenchResult<(Duration, T)> {
    let t = Instant::now();
    let v = f()?;
    Ok((t.elapsed(), v))
}

/// CPU time (user + system) of this process so far, all threads, from `/proc/self/stat`
/// (clock ticks of 10 ms).
pub fn process_cpu_secs() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = stat.get(stat.rfind(')')? + 2..)?;
    let mut fields = rest.split_whitespace().skip(11);
    let utime: f64 = fields.next()?.parse().ok()?;
    let stime: f64 = fields.next()?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// A duration for tables: ms with sensible precision.
pub fn ms(secs: f64) -> String {
    let m = secs * 1e3;
    if m >= 100.0 {
        format!("{m:.0} ms")
    } else if m >= 10.0 {
        format!("{m:.1} ms")
    } else {
        format!("{m:.2} ms")
    }
}

/// One row of a result table.
pub struct Row {
    /// What was measured.
    pub what: String,
    /// Timing.
    pub stats: Stats,
    /// Free-text note (ratio, target).
    pub note: String,
}

impl Row {
    /// A row.
    pub fn new(what: impl Into<String>, stats: Stats, note: impl Into<String>) -> Row {
        Row {
            what: what.into(),
            stats,
            note: note.into(),
        }
    }
}

/// Prints a Markdown table (pasteable into BENCHMARKS.md).
pub fn print_table(title: &str, rows: &[Row]) {
    println!("\n### {title}\n");
    println!("| step | runs | median | p95 | min | CPU median | note |");
    println!("|---|---:|---:|---:|---:|---:|---|");
    for r in rows {
        let cpu = match r.stats.cpu {
            Some(c) if r.stats.median >= 0.2 => ms(c),
            _ => "–".to_string(),
        };
        println!(
            "| {} | {} | {} | {} | {} | {} | {} |",
            r.what,
            r.stats.runs,
            ms(r.stats.median),
            ms(r.stats.p95),
            ms(r.stats.min),
            cpu,
            r.note
        );
    }
}

/// `met`/`MISSED` with the ratio against the target.
pub fn verdict(value: f64, target: f64, unit: &str) -> String {
    if value <= target {
        format!("target ≤ {target}{unit}: met")
    } else {
        format!(
            "target ≤ {target}{unit}: MISSED by {:.0} %",
            (value / target - 1.0) * 100.0
        )
    }
}

/// Prints the machine note: CPUs, CPU model, load, date, rustc.
pub fn print_machine(bench: &str, cfg: &Config) {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unbekannt".to_string());
    let load = std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default();
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400);
    let today = Date::from_days_since_epoch(i32::try_from(days).unwrap_or(0)).iso();
    let rustc = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string()))
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    println!("## bench `{bench}`");
    println!(
        "machine: {cpus} CPUs (available_parallelism), {model}; load average {load}; date {today}; {rustc}"
    );
    println!(
        "mode: {} ({} rows, {} runs, peers {}), scratch {}",
        if cfg.full {
            "full (cargo bench)"
        } else {
            "smoke (no --bench)"
        },
        cfg.rows,
        cfg.runs,
        if cfg.peer { "on" } else { "off" },
        cfg.dir.display()
    );
    if !cfg!(debug_assertions) {
        return;
    }
    println!("note: debug build – figures are not representative");
}

/// The repository root (where `Cargo.toml` lives).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The Python interpreter for the peers if it can import `modules`; otherwise prints why the peer
/// is skipped and returns `None`.
pub fn python_with(modules: &[&str], cfg: &Config) -> Option<String> {
    if !cfg.peer {
        return None;
    }
    let python = std::env::var("KDU_BENCH_PYTHON").unwrap_or_else(|_| "python3".to_string());
    let probe = format!("import {}", modules.join(", "));
    match Command::new(&python).args(["-c", &probe]).output() {
        Ok(o) if o.status.success() => Some(python),
        Ok(_) => {
            println!(
                "note: Python peer skipped – `{python}` cannot import {} (run the scripts/bench_*.sh wrapper, which creates a venv)",
                modules.join(", ")
            );
            None
        }
        Err(e) => {
            println!("note: Python peer skipped – `{python}` not runnable ({e})");
            None
        }
    }
}

/// Runs a peer script and parses the JSON object on the last line of its stdout. A failing peer
/// is reported and gives `None` (the bench goes on).
pub fn run_peer(python: &str, script: &str, args: &[String]) -> Option<serde_json::Value> {
    let path = repo_root().join("scripts").join(script);
    let out = match Command::new(python).arg(&path).args(args).output() {
        Ok(o) => o,
        Err(e) => {
            println!("note: peer {script} not started: {e}");
            return None;
        }
    };
    if !out.status.success() {
        println!(
            "note: peer {script} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
        return None;
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let parsed = stdout
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with('{'))
        .and_then(|l| serde_json::from_str(l).ok());
    if parsed.is_none() {
        println!("note: peer {script} gave no JSON result: {}", stdout.trim());
    }
    parsed
}

/// Writes the benchmark workbook (`rows` rows, [`SEED`]) into `dir` and returns its path and
/// the time it took. Always regenerated, so a changed generator never leaves a stale file.
pub fn bench_workbook(dir: &Path, rows: usize) -> BenchResult<(PathBuf, Duration)> {
    let path = dir.join(format!("mietwerte-{rows}.xlsx"));
    let (took, ()) = once(|| {
        kdu_konzept::sample::write_bench_workbook(&path, rows, SEED)?;
        Ok(())
    })?;
    Ok((path, took))
}

/// A project around a benchmark workbook: Gemeinden, Vergleichsräume and parameters of the
/// bundled sample project, the workbook as its only (Bestand) source. Returns the project file.
pub fn bench_project(dir: &Path, workbook: &Path) -> BenchResult<PathBuf> {
    let sample_dir = dir.join("musterland");
    let sample_file = kdu_konzept::sample_project::write_sample_project(&sample_dir)
        .map_err(|e| format!("{e:#}"))?;
    let mut project = Project::load(&sample_file)?;
    let template = project
        .sources
        .first()
        .cloned()
        .ok_or("Beispielprojekt ohne Quelle")?;
    let file_name = workbook
        .file_name()
        .ok_or("Arbeitsmappe ohne Dateinamen")?
        .to_string_lossy()
        .to_string();
    project.sources = vec![SourceSpec {
        path: file_name,
        sheet: None,
        header_row: None,
        kind: SourceKind::Bestand,
        sha256: String::new(),
        mapping: Default::default(),
        ..template
    }];
    project.project.name = "Benchmark (fiktiv)".to_string();
    // The project file lives beside the workbook, not in the sample folder: no boundaries
    // (the map is not part of any benchmark).
    project.boundaries = None;
    let project_file = workbook.with_file_name("bench.kdu.toml");
    project.save(&project_file)?;
    Ok(project_file)
}

/// Loads a project file with all its sources.
pub fn load_project(project_file: &Path) -> BenchResult<LoadedProject> {
    Ok(LoadedProject::load(project_file, &mut |_, _, _| true)?)
}

/// Peak resident memory of this process (VmHWM) in MiB, if known.
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// The records `times` times; copies 2.. with NKM and BK jittered by ±1 % and their own rows.
pub fn replicate(data: &Dataset, times: u32) -> Dataset {
    let n = data.records.len();
    let mut records = Vec::with_capacity(n * times as usize);
    let row_stride = data.records.iter().map(|r| r.row).max().unwrap_or(0) + 1;
    for copy in 0..times {
        for (i, r) in data.records.iter().enumerate() {
            let mut r = r.clone();
            if copy > 0 {
                let h = splitmix(u64::from(copy) << 32 | i as u64);
                let u1 = (h >> 11) as f64 / (1u64 << 53) as f64;
                let u2 = (splitmix(h) >> 11) as f64 / (1u64 << 53) as f64;
                r.net_rent = (r.net_rent * (0.99 + 0.02 * u1) * 100.0).round() / 100.0;
                r.operating_costs = r
                    .operating_costs
                    .map(|b| (b * (0.99 + 0.02 * u2) * 100.0).round() / 100.0);
                r.row += copy * row_stride;
            }
            records.push(r);
        }
    }
    Dataset {
        records,
        rejections: data.rejections.clone(),
        sources: data.sources.clone(),
        ..Dataset::default()
    }
}

/// The splitmix64 mixing function (deterministic jitter).
pub fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}
