//! `explore`: the data explorer on the command line: a table of statistics per group on stdout
//! (German numbers), as JSON (plain numbers) or written as Excel or CSV file.

use super::{InvalidArgument, load_with_overrides};
use crate::analysis::Prepared;
use crate::analysis::explore::write::{TableFormat, write_table};
use crate::analysis::explore::{
    Dimension, ExploreError, ExploreTable, Explorer, Filter, Measure, Query, Statistic,
};
use anyhow::{Context, Result};
use std::io::Write;
use std::path::PathBuf;

/// The arguments of `explore`.
pub(super) struct ExploreArgs {
    pub project: PathBuf,
    pub by: String,
    pub stat: String,
    pub wert: String,
    pub filter: Option<String>,
    pub all_records: bool,
    pub json: bool,
    pub xlsx: Option<PathBuf>,
    pub csv: Option<PathBuf>,
    pub overrides: Vec<String>,
}

/// A wrong name on the command line exits with code 2; other failures with 1.
fn usage_error(e: ExploreError) -> anyhow::Error {
    match e {
        ExploreError::Engine(_) | ExploreError::Write { .. } => anyhow::Error::new(e),
        e => anyhow::Error::new(InvalidArgument(e.to_string())),
    }
}

/// The comma-separated items of a list argument (blanks ignored).
fn items(list: &str) -> impl Iterator<Item = &str> {
    list.split(',').map(str::trim).filter(|s| !s.is_empty())
}

/// The query the arguments describe.
fn query(a: &ExploreArgs) -> Result<Query, ExploreError> {
    let mut dimensions = Vec::new();
    for d in items(&a.by) {
        let d = Dimension::parse(d)?;
        if !dimensions.contains(&d) {
            dimensions.push(d);
        }
    }
    let statistics = items(&a.stat)
        .map(Statistic::parse)
        .collect::<Result<Vec<_>, _>>()?;
    if statistics.is_empty() {
        return Err(ExploreError::UnknownStatistic(a.stat.clone()));
    }
    Ok(Query {
        dimensions,
        statistics,
        measure: Measure::parse(&a.wert)?,
        filter: a.filter.as_deref().map(Filter::parse).transpose()?,
        all_records: a.all_records,
    })
}

pub(super) fn cmd_explore(a: &ExploreArgs) -> Result<()> {
    let q = query(a).map_err(usage_error)?;
    let lp = load_with_overrides(&a.project, &a.overrides)?;
    let prep = Prepared::new(&lp.data.records, &lp.project);
    let explorer = Explorer::new(&lp.data, &lp.project, &prep)?;
    let table = explorer.query(&q).map_err(usage_error)?;
    for (path, format) in [(&a.xlsx, TableFormat::Xlsx), (&a.csv, TableFormat::Csv)] {
        if let Some(path) = path {
            write_table(&table, path, format)?;
            eprintln!("Tabelle geschrieben: {}", path.display());
        }
    }
    if a.json {
        let text = serde_json::to_string_pretty(&json(&table))
            .context("JSON kann nicht erzeugt werden")?;
        outln!("{text}")?;
    } else if a.xlsx.is_none() && a.csv.is_none() {
        print_table(&table)?;
    }
    Ok(())
}

/// The table as JSON: the description, the columns, one object per row (dimension and
/// statistic codes as keys, plain numbers).
fn json(t: &ExploreTable) -> serde_json::Value {
    let rows: Vec<serde_json::Value> = t
        .rows
        .iter()
        .map(|r| {
            let mut row = serde_json::Map::new();
            for (d, k) in t.dimensions.iter().zip(&r.keys) {
                row.insert(d.code().to_string(), k.clone().into());
            }
            for (s, v) in t.statistics.iter().zip(&r.values) {
                let value = match s {
                    Statistic::N => serde_json::Value::from(*v as u64),
                    _ => serde_json::Value::from(*v),
                };
                row.insert(s.code(), value);
            }
            serde_json::Value::Object(row)
        })
        .collect();
    serde_json::json!({
        "description": t.description,
        "columns": t.headers(),
        "n_records": t.n_records,
        "rows": rows,
    })
}

/// The table with aligned columns: keys left, numbers right.
fn print_table(t: &ExploreTable) -> std::io::Result<()> {
    let headers = t.headers();
    let lines: Vec<Vec<String>> = t.rows.iter().map(|r| t.row_texts(r)).collect();
    let width = |c: usize| {
        lines
            .iter()
            .filter_map(|l| l.get(c))
            .chain(headers.get(c))
            .map(|s| s.chars().count())
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..headers.len()).map(width).collect();
    let n_keys = t.dimensions.len();
    let line = |cells: &[String]| -> String {
        cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (s, w))| {
                if c < n_keys {
                    format!("{s:<w$}")
                } else {
                    format!("{s:>w$}")
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    outln!("{}", t.description)?;
    outln!("{}", line(&headers))?;
    for l in &lines {
        outln!("{}", line(l))?;
    }
    outln!(
        "{} in {}",
        crate::fmt::count(t.n_records, "Datensatz", "Datensätze"),
        crate::fmt::count(t.rows.len(), "Gruppe", "Gruppen")
    )?;
    Ok(())
}
