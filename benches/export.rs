//! Benchmark „Begründungsmappe“: `export::workbook_bytes` for the Prüfmappe of a 100 000-record
//! project (target ≤ 2 s), against writers that produce the same number of cells:
//! * the floor: `rust_xlsxwriter` alone (the library our export uses) writing the counted
//!   numbers, strings, booleans and formulas (with cached results) of every sheet;
//! * the peer: Python `xlsxwriter` doing the same (`scripts/bench_export_xlsxwriter.py`).
//!
//! The cells are counted by reading our workbook back with calamine (values and formulas per
//! sheet); the shape (sheets, columns, cell kinds, distinct strings) is handed to both writers in
//! a JSON file. Cell formats, column widths, defined names and comments are not replicated.
//!
//! Run with `scripts/bench_export.sh` or `cargo bench --bench export [-- --rows N --runs N
//! --no-peer]`.

mod support;

use calamine::{Data, Reader, open_workbook_auto};
use kdu_konzept::export::{ExportOptions, Variant, workbook_bytes};
use rust_xlsxwriter::{Formula, Workbook};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::Path;
use support::{BenchResult, Config, Row, Stats};

/// The cell inventory of one sheet.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct SheetShape {
    name: String,
    rows: u32,
    cols: u32,
    numbers: u64,
    strings: u64,
    bools: u64,
    formulas: u64,
    unique_strings: u64,
    formula_chars: u64,
    string_chars: u64,
}

fn main() -> BenchResult<()> {
    let cfg = Config::from_args("export", 100_000, 5)?;
    support::print_machine("export", &cfg);
    let (workbook, took) = support::bench_workbook(&cfg.dir, cfg.rows)?;
    println!(
        "data: {} generated in {:.1} s",
        workbook.display(),
        took.as_secs_f64()
    );
    let project_file = support::bench_project(&cfg.dir, &workbook)?;
    let lp = support::load_project(&project_file)?;
    let (prep, analysis) = kdu_konzept::analysis::run(&lp.project, &lp.data);
    println!(
        "project: {} records, {} rejections, {} records in cells",
        lp.data.records.len(),
        lp.data.rejections.len(),
        analysis.funnel.in_cells
    );

    let opts = ExportOptions {
        variant: Variant::Pruefmappe,
        ..ExportOptions::default()
    };
    let (ours, bytes) = support::measure(cfg.runs, || {
        Ok(workbook_bytes(&lp, &prep, &analysis, &opts)?)
    })?;
    let out = cfg.dir.join("pruefmappe.xlsx");
    std::fs::write(&out, &bytes)?;
    println!(
        "ours: {} ({:.1} MB)",
        out.display(),
        bytes.len() as f64 / 1e6
    );

    let (count_time, shapes) = support::once(|| count_cells(&out))?;
    println!(
        "\ncell inventory (read back with calamine in {:.1} s):",
        count_time.as_secs_f64()
    );
    println!(
        "| sheet | rows × cols | numbers | strings (distinct) | booleans | formulas (Ø chars) |"
    );
    println!("|---|---|---:|---:|---:|---:|");
    for s in &shapes {
        println!(
            "| {} | {} × {} | {} | {} ({}) | {} | {} ({:.0}) |",
            s.name,
            s.rows,
            s.cols,
            s.numbers,
            s.strings,
            s.unique_strings,
            s.bools,
            s.formulas,
            s.formula_chars as f64 / s.formulas.max(1) as f64
        );
    }
    let total: u64 = shapes
        .iter()
        .map(|s| s.numbers + s.strings + s.bools + s.formulas)
        .sum();
    let formulas: u64 = shapes.iter().map(|s| s.formulas).sum();
    println!("total: {total} cells, of which {formulas} formulas");
    let shape_file = cfg.dir.join("pruefmappe-shape.json");
    std::fs::write(&shape_file, serde_json::to_string_pretty(&shapes)?)?;

    let (floor, floor_bytes) = support::measure(cfg.runs, || write_shape(&shapes))?;

    let peer = support::python_with(&["xlsxwriter"], &cfg).and_then(|py| {
        support::run_peer(
            &py,
            "bench_export_xlsxwriter.py",
            &[
                shape_file.display().to_string(),
                "--runs".to_string(),
                cfg.runs.to_string(),
            ],
        )
    });
    let peer_stats = peer.as_ref().and_then(Stats::from_json);

    let mut rows = vec![
        Row::new(
            "ours: `workbook_bytes` (Prüfmappe)",
            ours,
            cfg.verdict(ours.median, 2.0, " s"),
        ),
        Row::new(
            "floor: rust_xlsxwriter, same cells, no formats",
            floor,
            format!(
                "ours/floor = {:.2}; {:.1} MB",
                ours.median / floor.median,
                floor_bytes as f64 / 1e6
            ),
        ),
    ];
    if let (Some(p), Some(json)) = (peer_stats, &peer) {
        rows.push(Row::new(
            "peer: Python xlsxwriter, same cells, no formats",
            p,
            format!(
                "ours/xlsxwriter = {:.2}; {:.1} MB; xlsxwriter {}",
                ours.median / p.median,
                json["bytes"].as_f64().unwrap_or(0.0) / 1e6,
                json["xlsxwriter"]
            ),
        ));
    }
    support::print_table(
        &format!(
            "Export, Prüfmappe of {} records ({total} cells)",
            lp.data.records.len()
        ),
        &rows,
    );
    if let Some(mib) = support::peak_rss_mib() {
        println!("\npeak RSS of the bench process: {mib:.0} MiB");
    }
    Ok(())
}

/// Counts the cells of every sheet: formulas from the formula layer, the rest by value type.
fn count_cells(path: &Path) -> BenchResult<Vec<SheetShape>> {
    let mut wb = open_workbook_auto(path)?;
    let mut shapes = Vec::new();
    for name in wb.sheet_names() {
        let values = wb.worksheet_range(&name)?;
        let formulas = wb.worksheet_formula(&name)?;
        let mut s = SheetShape {
            name: name.clone(),
            ..SheetShape::default()
        };
        let mut formula_at = HashSet::new();
        for (r, c, f) in formulas.used_cells() {
            if !f.is_empty() {
                let (r0, c0) = formulas.start().unwrap_or((0, 0));
                formula_at.insert((r0 + r as u32, c0 + c as u32));
                s.formulas += 1;
                s.formula_chars += f.len() as u64;
            }
        }
        let (r0, c0) = values.start().unwrap_or((0, 0));
        if let Some((r1, c1)) = values.end() {
            s.rows = r1 + 1;
            s.cols = c1 + 1;
        }
        let mut distinct = HashSet::new();
        for (r, c, v) in values.used_cells() {
            if formula_at.contains(&(r0 + r as u32, c0 + c as u32)) {
                continue;
            }
            match v {
                Data::Empty => {}
                Data::String(t) => {
                    s.strings += 1;
                    s.string_chars += t.chars().count() as u64;
                    distinct.insert(t.clone());
                }
                Data::Bool(_) => s.bools += 1,
                _ => s.numbers += 1,
            }
        }
        s.unique_strings = distinct.len() as u64;
        shapes.push(s);
    }
    Ok(shapes)
}

/// Writes the counted cells with rust_xlsxwriter alone; returns the size of the workbook.
/// Row-major with the sheet's width: numbers, then strings (cycling through as many distinct
/// texts of the average length), booleans, formulas with a cached result.
fn write_shape(shapes: &[SheetShape]) -> BenchResult<usize> {
    let mut wb = Workbook::new();
    for s in shapes {
        let ws = wb.add_worksheet();
        ws.set_name(&s.name)?;
        let cols = u64::from(s.cols.max(1));
        let avg_len = (s.string_chars / s.strings.max(1)) as usize;
        let texts: Vec<String> = (0..s.unique_strings.max(1))
            .map(|i| {
                let t = format!("Text {i} ");
                let pad = avg_len.saturating_sub(t.len());
                t + &"x".repeat(pad)
            })
            .collect();
        let pos = |i: u64| ((i / cols) as u32, (i % cols) as u16);
        let mut i = 0u64;
        for k in 0..s.numbers {
            let (r, c) = pos(i);
            ws.write_number(r, c, k as f64 * 0.37)?;
            i += 1;
        }
        for k in 0..s.strings {
            let (r, c) = pos(i);
            ws.write_string(r, c, &texts[(k % texts.len() as u64) as usize])?;
            i += 1;
        }
        for k in 0..s.bools {
            let (r, c) = pos(i);
            ws.write_boolean(r, c, k % 2 == 0)?;
            i += 1;
        }
        for k in 0..s.formulas {
            let (r, c) = pos(i);
            let f = Formula::new(format!("=ROUND(A{}*1.05,2)", k % 1000 + 1))
                .set_result((k as f64 * 0.37).to_string());
            ws.write_formula(r, c, f)?;
            i += 1;
        }
    }
    Ok(wb.save_to_buffer()?.len())
}
