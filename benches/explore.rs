//! Benchmark „Data explorer“: the polars group-by of `analysis::explore` against the
//! derivation's own grouping and a plain `HashMap`, on the records of `benches/pipeline.rs`
//! (100 000 imported records and the 1 000 000-record set: ten jittered copies).
//!
//! Steps per set: (a) `Explorer::new` (key columns into a polars `DataFrame`, once per prepared
//! state), (b) `Explorer::query` Gemeinde × size class with n, median and P33 (polars
//! `group_by`, then per group gather, sort and `analysis::quantile`), (c) `Prepared::new` (the
//! derivation's grouping into sorted cells), (d) the same query as (b) with a `HashMap` keyed by
//! (Gemeinde, size class), sort and `analysis::quantile`. (b) and (d) must give the same table.
//!
//! Target: (b) ≤ 200 ms at 1 000 000 records.
//!
//! Run with `cargo bench --bench explore [-- --rows N --runs N]` (`--rows` is the small set; the
//! large set is always ten times it).

mod support;

use kdu_konzept::analysis::Prepared;
use kdu_konzept::analysis::explore::{Dimension, Explorer, Query, Statistic};
use kdu_konzept::analysis::prepare::RecordStatus;
use kdu_konzept::analysis::quantile::{QuantileType, quantile_sorted, sort_values};
use kdu_konzept::dataset::Dataset;
use kdu_konzept::model::Project;
use std::collections::HashMap;
use support::{BenchResult, Config, Row};

fn main() -> BenchResult<()> {
    let cfg = Config::from_args("explore", 100_000, 11)?;
    support::print_machine("explore", &cfg);
    let (workbook, _) = support::bench_workbook(&cfg.dir, cfg.rows)?;
    let project_file = support::bench_project(&cfg.dir, &workbook)?;
    let lp = support::load_project(&project_file)?;
    let project = lp.project;
    let small = lp.data;
    let large = support::replicate(&small, 10);
    let query = Query {
        dimensions: vec![Dimension::Gemeinde, Dimension::SizeClass],
        statistics: vec![Statistic::N, Statistic::Median, Statistic::Percentile(33)],
        ..Query::default()
    };
    for (data, runs) in [(&small, cfg.runs), (&large, cfg.runs.div_ceil(2))] {
        let n = data.records.len();
        let prep = Prepared::new(&data.records, &project);
        let mut rows = Vec::new();
        let (stats, explorer) =
            support::measure(runs, || Ok(Explorer::new(data, &project, &prep)?))?;
        rows.push(Row::new(
            "(a) `Explorer::new`: key columns → polars DataFrame",
            stats,
            "",
        ));
        let (stats, table) = support::measure(cfg.fast_runs(2), || Ok(explorer.query(&query)?))?;
        let target = if n >= 900_000 {
            cfg.verdict(stats.median * 1e3, 200.0, " ms")
        } else {
            String::new()
        };
        rows.push(Row::new(
            "(b) polars group-by Gemeinde × size class, n + median + P33",
            stats,
            target,
        ));
        let (stats, _) = support::measure(runs, || Ok(Prepared::new(&data.records, &project)))?;
        rows.push(Row::new(
            "(c) `Prepared::new` (the derivation's grouping, sorted cells)",
            stats,
            "",
        ));
        let qt = project.parameters.quantile_type;
        let (stats, peer) = support::measure(cfg.fast_runs(2), || {
            Ok(hashmap_query(data, &project, &prep, qt))
        })?;
        let ratio = rows[1].stats.median / stats.median;
        rows.push(Row::new(
            "(d) peer: `HashMap` group-by, same query",
            stats,
            format!("polars/HashMap = {ratio:.2}"),
        ));
        // Same groups, same figures.
        let ours: Vec<(String, String, Vec<f64>)> = table
            .rows
            .iter()
            .map(|r| (r.keys[0].clone(), r.keys[1].clone(), r.values.clone()))
            .collect();
        if ours != peer {
            println!(
                "WARNING: explorer and HashMap peer differ ({} vs {} groups)",
                ours.len(),
                peer.len()
            );
        } else {
            println!(
                "{n} records: explorer = HashMap peer ({} groups)",
                ours.len()
            );
        }
        support::print_table(&format!("Data explorer, {n} records"), &rows);
    }
    if let Some(mib) = support::peak_rss_mib() {
        println!("\npeak RSS of the bench process: {mib:.0} MiB");
    }
    Ok(())
}

/// Gemeinde × size class, n, median and P33 of the records in a cell with a `HashMap`; rows
/// labelled and sorted like the explorer's (Gemeinde alphabetically, classes in order).
fn hashmap_query(
    data: &Dataset,
    project: &Project,
    prep: &Prepared,
    qt: QuantileType,
) -> Vec<(String, String, Vec<f64>)> {
    let mut groups: HashMap<(u32, u8), Vec<f64>> = HashMap::new();
    for (i, r) in data.records.iter().enumerate() {
        if let (Some(RecordStatus::InCell { class, .. }), Some(Some(g))) =
            (prep.status.get(i), prep.gemeinde_of.get(i))
        {
            groups
                .entry((*g, *class))
                .or_default()
                .push(r.net_rent_per_m2());
        }
    }
    let mut rows: Vec<(String, u8, String, Vec<f64>)> = groups
        .into_iter()
        .map(|((g, class), mut values)| {
            sort_values(&mut values);
            let name = project
                .gemeinden
                .get(g as usize)
                .map(|g| g.name.clone())
                .unwrap_or_default();
            let (lo, hi) = prep.class_bounds[usize::from(class)];
            let label = format!(
                "{} ({})",
                kdu_konzept::fmt::persons(u32::from(class) + 1),
                kdu_konzept::fmt::class_text(lo, hi)
            );
            let q = |p| quantile_sorted(&values, p, qt).unwrap_or(f64::NAN);
            let figures = vec![values.len() as f64, q(0.5), q(0.33)];
            (name, class, label, figures)
        })
        .collect();
    rows.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    rows.into_iter()
        .map(|(name, _, label, figures)| (name, label, figures))
        .collect()
}
