//! Benchmark „Core derivation“: `Prepared::new` (assignment, scope, size classes, sorted cells)
//! and `compute` (outliers, Referenzmiete, BK, limits, warnings) on 100 000 and 1 000 000
//! records, against an equivalent pandas pipeline (`scripts/bench_pipeline_pandas.py`) on the
//! same records.
//!
//! Data: the generated benchmark workbook (Bestand model of the fictional Landkreis Musterland:
//! 3 Vergleichsräume, 11 Gemeinden) imported through a project with the sample project's
//! Gemeinde table and default parameters. The 1 000 000-record set is the 100 000 imported
//! records ten times, copies 2–10 with NKM and BK jittered by ±1 % (deterministic), so the cells
//! hold distinct values. Both sets are written to CSV once; pandas reads that (untimed).
//!
//! Targets: full recompute (`Prepared::new` + `compute`) ≤ 50 ms at 100k; a parameter change
//! (`compute` only: percentile 0.33 → 0.34, outlier k, rounding) ≤ 5 ms median at 100k and
//! ≤ 50 ms at 1M; a scope change (a new `Prepared` for another contract window, exclusion or
//! size-class rule through `Prepared::rescope`, which reuses the record index; issue 11)
//! ≤ 10 ms at 100k and ≤ 100 ms at 1M.
//!
//! Run with `scripts/bench_pipeline.sh` or `cargo bench --bench pipeline [-- --rows N --runs N
//! --no-peer]` (`--rows` is the small set; the large set is always ten times it).

mod support;

use kdu_konzept::analysis::{Analysis, Prepared, compute};
use kdu_konzept::dataset::Dataset;
use kdu_konzept::model::params::RoundingMode;
use kdu_konzept::model::{Project, Record};
use std::path::Path;
use support::{BenchResult, Config, Row, Stats};

fn main() -> BenchResult<()> {
    let cfg = Config::from_args("pipeline", 100_000, 21)?;
    support::print_machine("pipeline", &cfg);
    let (workbook, took) = support::bench_workbook(&cfg.dir, cfg.rows)?;
    println!(
        "data: {} generated in {:.1} s",
        workbook.display(),
        took.as_secs_f64()
    );
    let project_file = support::bench_project(&cfg.dir, &workbook)?;
    let (took, lp) = support::once(|| support::load_project(&project_file))?;
    println!(
        "project {} loaded in {:.1} s: {} records, {} rejections",
        project_file.display(),
        took.as_secs_f64(),
        lp.data.records.len(),
        lp.data.rejections.len()
    );
    let project = lp.project;
    let small = lp.data;
    let large = support::replicate(&small, 10);

    let python = support::python_with(&["pandas", "numpy"], &cfg);
    let gemeinden_csv = cfg.dir.join("gemeinden.csv");
    write_gemeinden_csv(&project, &gemeinden_csv)?;

    for (label, data, slow_runs, fast_factor) in [
        ("x1", &small, cfg.runs, 10),
        ("x10", &large, cfg.runs.div_ceil(3), 3),
    ] {
        let n = data.records.len();
        let records_csv = cfg.dir.join(format!("records-{label}.csv"));
        if python.is_some() {
            write_records_csv(&data.records, &records_csv)?;
        }
        let mut rows = measure_ours(&project, data, slow_runs, cfg.fast_runs(fast_factor))?;
        // Issue „Market evidence“: the live-tuning budget with all of it switched on.
        let (mp, md) = with_market_evidence(&project, data);
        let market = measure_ours(&mp, &md, slow_runs, cfg.fast_runs(fast_factor))?;
        let (prep, analysis) = kdu_konzept::analysis::run(&project, data);
        print_cells(&prep, &analysis, label, n);

        if let Some(py) = &python {
            let args = pandas_args(&project, &records_csv, &gemeinden_csv, slow_runs);
            if let Some(out) = support::run_peer(py, "bench_pipeline_pandas.py", &args) {
                compare_cells(&analysis, &out);
                let full = out.get("full").and_then(Stats::from_json);
                let step = out.get("param_change").and_then(Stats::from_json);
                if let (Some(full), Some(step)) = (full, step) {
                    let ours_full = rows[1].stats.median;
                    let ours_step = rows[2].stats.median;
                    rows.push(Row::new(
                        "peer: pandas full pipeline (frame in memory → cells)",
                        full,
                        format!("ours/pandas = {:.3}", ours_full / full.median),
                    ));
                    rows.push(Row::new(
                        "peer: pandas parameter step (pre-grouped frame → cells)",
                        step,
                        format!("ours/pandas = {:.3}", ours_step / step.median),
                    ));
                    println!(
                        "pandas {} / numpy {} on {} records",
                        out["pandas"], out["numpy"], out["rows"]
                    );
                }
            }
        }
        // Targets.
        let full_target = if n <= 150_000 { Some(0.050) } else { None };
        let step_target = if n <= 150_000 { 0.005 } else { 0.050 };
        if let Some(t) = full_target {
            rows[1].note = cfg.verdict(rows[1].stats.median * 1e3, t * 1e3, " ms");
        }
        for r in rows.iter_mut().skip(2).take(3) {
            r.note = cfg.verdict(r.stats.median * 1e3, step_target * 1e3, " ms");
        }
        let scope_target = if n <= 150_000 { 0.010 } else { 0.100 };
        for r in rows.iter_mut().skip(5).take(3) {
            r.note = cfg.verdict(r.stats.median * 1e3, scope_target * 1e3, " ms");
        }
        support::print_table(&format!("Core derivation, {n} records"), &rows);
        let mut market = market;
        if let Some(t) = full_target {
            market[1].note = cfg.verdict(market[1].stats.median * 1e3, t * 1e3, " ms");
        }
        for r in market.iter_mut().skip(2).take(3) {
            r.note = cfg.verdict(r.stats.median * 1e3, step_target * 1e3, " ms");
        }
        for r in market.iter_mut().skip(5).take(3) {
            r.note = cfg.verdict(r.stats.median * 1e3, scope_target * 1e3, " ms");
        }
        support::print_table(
            &format!(
                "Core derivation with market evidence on (iterative procedure, availability, weighting, heating), {n} records, {} offers",
                md.records
                    .iter()
                    .filter(|r| r.kind == kdu_konzept::model::SourceKind::Angebot)
                    .count()
            ),
            &market,
        );
    }
    if let Some(mib) = support::peak_rss_mib() {
        println!("\npeak RSS of the bench process: {mib:.0} MiB");
    }
    Ok(())
}

/// Every 8th record becomes an offer dated within the 12 months before the Stichtag; the
/// iterative procedure (target 30 %), post-stratification, heating limits and the
/// Gesamtangemessenheitsgrenze are switched on.
fn with_market_evidence(project: &Project, data: &Dataset) -> (Project, Dataset) {
    use kdu_konzept::model::params::{MarketShare, ReferenceMethod};
    let mut p = project.clone();
    let q = &mut p.parameters;
    q.reference.method = ReferenceMethod::Iterative;
    q.reference.percentile = 0.20;
    q.availability.target_share = 0.30;
    q.representativeness.weighting = true;
    for name in p.vergleichsraum_names() {
        p.parameters
            .representativeness
            .market_shares
            .push(MarketShare {
                vergleichsraum: name,
                privat: 0.6,
            });
    }
    p.parameters.heating.enabled = true;
    p.parameters.heating.gesamtangemessenheitsgrenze = true;
    let stichtag = p.project.stichtag;
    let mut d = data.clone();
    for (i, r) in d.records.iter_mut().enumerate() {
        if i % 8 == 0 {
            r.kind = kdu_konzept::model::SourceKind::Angebot;
            r.offer_date = Some(kdu_konzept::model::Date::from_days_since_epoch(
                stichtag.days_since_epoch() - (i % 360) as i32,
            ));
        }
    }
    (p, d)
}

/// Times `Prepared::new`, full recompute and three parameter changes (compute only).
fn measure_ours(
    project: &Project,
    data: &Dataset,
    slow_runs: usize,
    fast_runs: usize,
) -> BenchResult<Vec<Row>> {
    let records = &data.records;
    let (prep_stats, prep) = support::measure(slow_runs, || Ok(Prepared::new(records, project)))?;
    let (full_stats, _) = support::measure(slow_runs, || {
        let prep = Prepared::new(records, project);
        Ok(compute(&prep, project, data))
    })?;
    let mut p34 = project.clone();
    p34.parameters.reference.percentile = 0.34;
    let mut k25 = project.clone();
    k25.parameters.outliers.k = 2.5;
    let mut euro = project.clone();
    euro.parameters.rounding.mode = RoundingMode::EuroUp;
    let mut rows = vec![
        Row::new("ours: `Prepared::new`", prep_stats, ""),
        Row::new(
            "ours: full recompute (`Prepared::new` + `compute`)",
            full_stats,
            "",
        ),
    ];
    for (what, changed) in [
        ("ours: parameter change p 0.33 → 0.34 (`compute`)", &p34),
        ("ours: parameter change k 1.96 → 2.5 (`compute`)", &k25),
        (
            "ours: parameter change rounding → euro_up (`compute`)",
            &euro,
        ),
    ] {
        if prep.is_stale(changed) {
            println!("WARNING: {what}: Prepared is stale, the change would need a new Prepared");
        }
        let (stats, _) = support::measure(fast_runs, || Ok(compute(&prep, changed, data)))?;
        rows.push(Row::new(what, stats, ""));
    }
    // Scope changes (issue 11: fast enough for a slider): each needs a new `Prepared`.
    let mut window = project.clone();
    let years = &mut window.parameters.scope.contract_window_years;
    *years = Some(years.map_or(4, |y| y.saturating_sub(1).max(1)));
    let mut furnished = project.clone();
    furnished.parameters.scope.exclude_furnished ^= true;
    let mut classes = project.clone();
    classes.parameters.size_classes.open_top ^= true;
    for (what, changed) in [
        (
            "ours: scope change contract window −1 year (`rescope`)",
            &window,
        ),
        (
            "ours: scope change exclusion möbliert toggled (`rescope`)",
            &furnished,
        ),
        (
            "ours: scope change size classes open top toggled (`rescope`)",
            &classes,
        ),
    ] {
        if !prep.is_stale(changed) {
            println!("WARNING: {what}: Prepared is not stale, the change is no scope change");
        }
        let (stats, _) = support::measure(slow_runs, || Ok(prep.rescope(records, changed)))?;
        rows.push(Row::new(what, stats, ""));
    }
    Ok(rows)
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

/// The record columns the pandas pipeline needs (what our `Prepared::new` reads).
fn write_records_csv(records: &[Record], path: &Path) -> BenchResult<()> {
    let mut w = csv::Writer::from_path(path)?;
    w.write_record([
        "source",
        "row",
        "kind",
        "ags",
        "gemeinde",
        "net_rent",
        "area",
        "operating_costs",
        "lift",
        "contract_start",
        "last_rent_change",
    ])?;
    for r in records {
        w.write_record([
            r.source.to_string(),
            r.row.to_string(),
            r.kind.code().to_string(),
            opt(&r.ags),
            opt(&r.gemeinde),
            r.net_rent.to_string(),
            r.area.to_string(),
            opt(&r.operating_costs),
            opt(&r.lift),
            r.contract_start.map(|d| d.iso()).unwrap_or_default(),
            r.last_rent_change.map(|d| d.iso()).unwrap_or_default(),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// The Gemeinde table (normalised AGS, name, Vergleichsraum).
fn write_gemeinden_csv(project: &Project, path: &Path) -> BenchResult<()> {
    let mut w = csv::Writer::from_path(path)?;
    w.write_record(["ags", "name", "vergleichsraum"])?;
    for g in &project.gemeinden {
        w.write_record([
            kdu_konzept::model::Ags::normalise_text(&g.ags),
            g.name.clone(),
            g.vergleichsraum.clone(),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// Command line of the pandas peer: the same scope and parameters as the project.
fn pandas_args(project: &Project, records: &Path, gemeinden: &Path, runs: usize) -> Vec<String> {
    let p = &project.parameters;
    let window_start = p
        .scope
        .contract_window_years
        .map(|y| project.project.stichtag.minus_years(y as i32).iso())
        .unwrap_or_default();
    let bounds =
        kdu_konzept::analysis::prepare::class_bounds(&p.wohnflaechen.sizes, &p.size_classes);
    let mut edges: Vec<String> = bounds.iter().take(1).map(|b| b.0.to_string()).collect();
    edges.extend(
        bounds
            .iter()
            .map(|b| b.1.map_or("inf".to_string(), |h| h.to_string())),
    );
    vec![
        records.display().to_string(),
        gemeinden.display().to_string(),
        "--vr".to_string(),
        project.vergleichsraum_names().join("|"),
        "--kinds".to_string(),
        p.scope
            .reference_kinds
            .iter()
            .map(|k| k.code())
            .collect::<Vec<_>>()
            .join(","),
        "--window-start".to_string(),
        window_start,
        "--edges".to_string(),
        edges.join(","),
        "--k".to_string(),
        p.outliers.k.to_string(),
        "--p".to_string(),
        p.reference.percentile.to_string(),
        "--bk-min".to_string(),
        p.plausibility.bk_per_m2_min.to_string(),
        "--bk-max".to_string(),
        p.plausibility.bk_per_m2_max.to_string(),
        "--runs".to_string(),
        runs.to_string(),
    ]
}

/// A short excerpt of the results so a reader sees the data are realistic.
fn print_cells(prep: &Prepared, analysis: &Analysis, label: &str, n: usize) {
    println!(
        "\n{label} ({} records): {} cells ({} VR × {} classes), {} records in cells, {} used after outliers",
        n,
        analysis.cells.len(),
        prep.vr_names.len(),
        prep.classes,
        analysis.funnel.in_cells,
        analysis.funnel.used
    );
    for c in analysis.cells.iter().filter(|c| c.household_size <= 2) {
        println!(
            "  {} / {} P.: n {} of {}, NKM/m² {:?}, BK/m² {:?}, BKM {:?}",
            c.vergleichsraum,
            c.household_size,
            c.n,
            c.n_in_cell,
            c.net_rent_per_m2,
            c.operating_costs_per_m2,
            c.limits.map(|l| l.gross_cold)
        );
    }
}

/// Compares pandas' per-cell results with ours (equivalence check of the two pipelines).
fn compare_cells(analysis: &Analysis, out: &serde_json::Value) {
    let Some(cells) = out.get("cells").and_then(|c| c.as_array()) else {
        println!("note: pandas gave no cells to compare");
        return;
    };
    let mut max_nkm: f64 = 0.0;
    let mut max_bk: f64 = 0.0;
    let mut count_diff = 0;
    let mut matched = 0;
    for pc in cells {
        let (Some(vr), Some(class)) = (pc["vr"].as_str(), pc["class"].as_u64()) else {
            continue;
        };
        let Some(c) = analysis
            .cells
            .iter()
            .find(|c| c.vergleichsraum == vr && u64::from(c.household_size) == class + 1)
        else {
            continue;
        };
        matched += 1;
        if pc["n_in_cell"].as_u64() != Some(c.n_in_cell as u64)
            || pc["n_kept"].as_u64() != Some(c.n as u64)
        {
            count_diff += 1;
        }
        if let (Some(a), Some(b)) = (pc["nkm_raw"].as_f64(), c.net_rent_per_m2_raw) {
            max_nkm = max_nkm.max((a - b).abs());
        }
        if let (Some(a), Some(b)) = (pc["bk_vr"].as_f64(), c.bk.per_m2) {
            max_bk = max_bk.max((a - b).abs());
        }
    }
    println!(
        "equivalence check pandas vs ours: {matched}/{} cells matched, {count_diff} with different n, max |ΔNKM/m²| {max_nkm:.2e}, max |ΔBK/m²| {max_bk:.2e}",
        analysis.cells.len()
    );
}
