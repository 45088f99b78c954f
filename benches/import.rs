//! Benchmark „Foundation“: importing a generated 100 000-row, 15-column xlsx (two title rows,
//! header in row 3, German headers) with `import_file` – SHA-256, header detection, automatic
//! mapping and validation into records – against
//! * the floor: a bare calamine parse of the same sheet (`open_workbook_auto` +
//!   `worksheet_range` + iterating every cell), target: ours ≤ 1.2 × floor;
//! * the peer: Python `polars.read_excel(engine="calamine")` (`scripts/bench_import_polars.py`),
//!   target: ours ≤ polars.
//!
//! Sub-steps of ours are timed too (hash, row stream without validation, validation alone), so a
//! missed target points at its cause. The verdicts use paired rounds (ours, the floor and polars
//! right after each other, `--runs` rounds) and the median of the per-round ratios, because on a
//! shared 2-core machine the background load drifts between separately timed blocks. Step keys
//! for `--only`: ours, hash, rowstream, fallback, validate, calamine-range, calamine-cells, polars, paired. Run with `scripts/bench_import.sh` (creates the Python venv) or
//! `cargo bench --bench import [-- --rows N --runs N --no-peer]`.

mod support;

use calamine::{Data, DataRef, Reader, Xlsx, open_workbook, open_workbook_auto};
use kdu_konzept::import::raw::{RawRow, RowReader};
use kdu_konzept::import::validate::RowContext;
use kdu_konzept::import::workbook::{XlsxReader, open_sheet_with};
use kdu_konzept::import::{ImportOptions, file_sha256, header, import_file, mapping, open_rows};
use kdu_konzept::model::SourceKind;
use std::hint::black_box;
use std::path::Path;
use support::{BenchResult, Config, Row, Stats};

fn main() -> BenchResult<()> {
    let cfg = Config::from_args("import", 100_000, 9)?;
    support::print_machine("import", &cfg);
    let (path, took) = support::bench_workbook(&cfg.dir, cfg.rows)?;
    let size_mb = std::fs::metadata(&path)?.len() as f64 / 1e6;
    println!(
        "data: {} ({size_mb:.1} MB, {} rows × 15 columns, header row 3), generated in {:.1} s",
        path.display(),
        cfg.rows,
        took.as_secs_f64()
    );

    // Ours: the full import as the app and the CLI run it (header detection, auto mapping).
    let opts = ImportOptions::new(SourceKind::Bestand);
    let ours = support::measure_if(&cfg, "ours", cfg.runs, || {
        let s = import_file(&path, &opts, &mut |_, _| true)?;
        Ok((s.records.len(), s.rejections.len(), s.header_line))
    })?;
    if let Some((_, (records, rejected, header_line))) = ours {
        println!(
            "ours: {records} records, {rejected} rejections, header detected in row {header_line}"
        );
        if records + rejected != cfg.rows {
            println!(
                "WARNING: {} rows expected, {} records + rejections",
                cfg.rows,
                records + rejected
            );
        }
    }
    let ours = ours.map(|o| o.0);

    // Sub-steps of ours.
    let hash = support::measure_if(&cfg, "hash", cfg.runs, || Ok(file_sha256(&path)?))?;
    let stream = support::measure_if(&cfg, "rowstream", cfg.runs, || {
        stream_rows(&path, XlsxReader::Fast)
    })?;
    let fallback = support::measure_if(&cfg, "fallback", cfg.runs, || {
        stream_rows(&path, XlsxReader::Calamine)
    })?;
    let validate = if cfg.wants("validate") {
        let (rows, header) = read_all_rows(&path)?;
        let headers = header::header_texts(&rows, header);
        let columns = mapping::auto_map(&headers);
        let ctx = RowContext {
            source: 0,
            kind: SourceKind::Bestand,
            columns: &columns,
            annual: &opts.annual,
            plausibility: &opts.plausibility,
        };
        let data = &rows[header + 1..];
        Some(support::measure(cfg.runs, || {
            Ok(data.iter().filter(|r| ctx.validate(r).is_ok()).count())
        })?)
    } else {
        None
    };

    // Floors: calamine alone.
    let floor = support::measure_if(&cfg, "calamine-range", cfg.runs, || calamine_range(&path))?;
    let floor_stream =
        support::measure_if(&cfg, "calamine-cells", cfg.runs, || calamine_stream(&path))?;
    if let (Some((_, a)), Some((_, b))) = (&floor, &stream) {
        println!("cells seen: calamine range {a}, our row stream {b}");
    }
    let floor = floor.map(|f| f.0);

    // Peer: polars.
    let polars = if cfg.wants("polars") {
        support::python_with(&["polars", "fastexcel"], &cfg).and_then(|py| {
            support::run_peer(
                &py,
                "bench_import_polars.py",
                &[
                    path.display().to_string(),
                    "--runs".to_string(),
                    cfg.runs.to_string(),
                ],
            )
        })
    } else {
        None
    };
    let polars_stats = polars.as_ref().and_then(Stats::from_json);
    if let Some(p) = &polars {
        println!(
            "polars: {} rows × {} columns read, polars {}, fastexcel {}, {} threads",
            p["rows"], p["columns"], p["polars"], p["fastexcel"], p["threads"]
        );
    }

    // Paired rounds: ours, the floor and (if available) polars right after each other in every
    // round, so all three see the same background load; the verdicts use the per-round ratios.
    let python = if cfg.wants("paired") {
        support::python_with(&["polars", "fastexcel"], &cfg)
    } else {
        None
    };
    let mut ratio_floor = Vec::new();
    let mut ratio_polars = Vec::new();
    if cfg.wants("paired") {
        for _ in 0..cfg.runs {
            let t = std::time::Instant::now();
            black_box(import_file(&path, &opts, &mut |_, _| true)?);
            let a = t.elapsed().as_secs_f64();
            let t = std::time::Instant::now();
            black_box(calamine_range(&path)?);
            let b = t.elapsed().as_secs_f64();
            ratio_floor.push(a / b);
            if let Some(py) = &python {
                let one = support::run_peer(
                    py,
                    "bench_import_polars.py",
                    &[
                        path.display().to_string(),
                        "--runs".to_string(),
                        "1".to_string(),
                    ],
                );
                if let Some(p) = one.as_ref().and_then(Stats::from_json) {
                    ratio_polars.push(a / p.median);
                }
            }
        }
    }

    let vs_floor = |s: &Stats| {
        floor.map_or(String::new(), |f| {
            format!("{:.2} × calamine range", s.median / f.median)
        })
    };
    let mut rows = Vec::new();
    let paired_floor = (!ratio_floor.is_empty()).then(|| Stats::of(ratio_floor.clone()));
    let paired_polars = (!ratio_polars.is_empty()).then(|| Stats::of(ratio_polars.clone()));
    if let Some(o) = ours {
        let note = match (floor, paired_floor) {
            (_, Some(r)) => format!(
                "{}; paired ratio {:.2}; {}",
                vs_floor(&o),
                r.median,
                cfg.verdict(r.median, 1.2, " × floor")
            ),
            (Some(f), None) => format!(
                "{}; {}",
                vs_floor(&o),
                cfg.verdict(o.median / f.median, 1.2, " × floor")
            ),
            (None, None) => String::new(),
        };
        rows.push(Row::new(
            "ours: `import_file` (hash + detect + map + validate)",
            o,
            note,
        ));
    }
    if let Some((h, _)) = hash {
        rows.push(Row::new("  ours, sub-step: SHA-256 of the file", h, ""));
    }
    if let Some((s, _)) = stream {
        rows.push(Row::new(
            "  ours, sub-step: `open_rows` stream, no validation",
            s,
            vs_floor(&s),
        ));
    }
    if let Some((s, _)) = fallback {
        rows.push(Row::new(
            "  ours, same stream with calamine's cell reader (the fallback)",
            s,
            vs_floor(&s),
        ));
    }
    if let Some((v, _)) = validate {
        rows.push(Row::new(
            "  ours, sub-step: `RowContext::validate` of all rows (in memory, 1 thread)",
            v,
            vs_floor(&v),
        ));
    }
    if let Some(f) = floor {
        rows.push(Row::new(
            "floor: calamine `open_workbook_auto` + `worksheet_range` + iterate",
            f,
            "",
        ));
    }
    if let Some((f, _)) = floor_stream {
        rows.push(Row::new(
            "floor': calamine `worksheet_cells_reader` (streaming)",
            f,
            vs_floor(&f),
        ));
    }
    if let Some(p) = polars_stats {
        let note = match (ours, paired_polars) {
            (Some(o), Some(r)) => format!(
                "ours/polars = {:.2}; paired ratio {:.2}; {}",
                o.median / p.median,
                r.median,
                cfg.verdict(r.median, 1.0, " × polars")
            ),
            (Some(o), None) => format!(
                "ours/polars = {:.2}; {}",
                o.median / p.median,
                cfg.verdict(o.median / p.median, 1.0, " × polars")
            ),
            _ => String::new(),
        };
        rows.push(Row::new(
            "peer: polars `read_excel(engine=\"calamine\")`",
            p,
            note,
        ));
    }
    support::print_table(
        &format!("Import, {} rows × 15 columns xlsx", cfg.rows),
        &rows,
    );
    for (what, r) in [
        ("ours / calamine range", paired_floor),
        ("ours / polars", paired_polars),
    ] {
        if let Some(r) = r {
            println!(
                "\npaired rounds, {what}: median {:.2}, p95 {:.2}, min {:.2} ({} rounds)",
                r.median, r.p95, r.min, r.runs
            );
        }
    }
    if let Some(mib) = support::peak_rss_mib() {
        println!("\npeak RSS of the bench process: {mib:.0} MiB");
    }
    Ok(())
}

/// Our row stream without header detection or validation: counts the cells.
fn stream_rows(path: &Path, xlsx: XlsxReader) -> BenchResult<usize> {
    let mut reader = open_sheet_with(path, None, xlsx)?;
    if reader.fast() != (xlsx == XlsxReader::Fast) {
        return Err("unerwarteter Leser".into());
    }
    let mut cells = 0;
    while let Some(row) = reader.next_row()? {
        cells += row.cells.len();
    }
    Ok(cells)
}

/// All rows of the sheet in memory and the index of the detected header row.
fn read_all_rows(path: &Path) -> BenchResult<(Vec<RawRow>, usize)> {
    let (mut reader, _) = open_rows(path, None)?;
    let mut rows = Vec::new();
    while let Some(row) = reader.next_row()? {
        rows.push(row);
    }
    let peek = rows.len().min(header::PEEK_ROWS);
    let guess = header::detect_header(&rows[..peek]).ok_or("keine Kopfzeile erkannt")?;
    Ok((rows, guess.index))
}

/// The floor named in the issue: whole sheet as a calamine `Range`, every cell visited.
fn calamine_range(path: &Path) -> BenchResult<usize> {
    let mut wb = open_workbook_auto(path)?;
    let sheet = wb.sheet_names().first().cloned().ok_or("keine Tabelle")?;
    let range = wb.worksheet_range(&sheet)?;
    let mut non_empty = 0;
    let mut sum = 0.0;
    for row in range.rows() {
        for cell in row {
            match cell {
                Data::Empty => {}
                Data::Float(f) => {
                    sum += f;
                    non_empty += 1;
                }
                Data::String(s) => {
                    sum += s.len() as f64;
                    non_empty += 1;
                }
                _ => non_empty += 1,
            }
        }
    }
    black_box(sum);
    Ok(non_empty)
}

/// calamine's streaming cell reader (what our xlsx reader is built on).
fn calamine_stream(path: &Path) -> BenchResult<usize> {
    let mut wb: Xlsx<_> = open_workbook(path)?;
    let sheet = wb.sheet_names().first().cloned().ok_or("keine Tabelle")?;
    let mut reader = wb.worksheet_cells_reader(&sheet)?;
    let mut non_empty = 0;
    let mut sum = 0.0;
    while let Some(cell) = reader.next_cell()? {
        match cell.get_value() {
            DataRef::Empty => {}
            DataRef::Float(f) => {
                sum += f;
                non_empty += 1;
            }
            DataRef::SharedString(s) => {
                sum += s.len() as f64;
                non_empty += 1;
            }
            _ => non_empty += 1,
        }
    }
    black_box(sum);
    Ok(non_empty)
}
