#!/usr/bin/env python3
"""Peer of `cargo bench --bench import`: polars.read_excel(engine="calamine") on the same xlsx.

Usage: bench_import_polars.py FILE.xlsx [--runs N] [--sheet NAME] [--header-row N]

One untimed warm-up, then N timed runs of reading the sheet into a DataFrame (header in Excel
row 3 -> fastexcel header_row=2). Prints a JSON line {"runs": [wall seconds, ...],
"cpu": [process CPU seconds, all threads, ...], "rows": ...}.
"""

import argparse
import json
import time

import fastexcel
import polars as pl


def read(path, sheet, header_row):
    return pl.read_excel(
        path,
        sheet_name=sheet,
        engine="calamine",
        read_options={"header_row": header_row},
    )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--sheet", default="Mietwerte")
    ap.add_argument("--header-row", type=int, default=2, help="0-based row of the header")
    a = ap.parse_args()

    df = read(a.file, a.sheet, a.header_row)  # warm-up
    runs, cpu = [], []
    for _ in range(max(1, a.runs)):
        t, c = time.perf_counter(), time.process_time()
        df = read(a.file, a.sheet, a.header_row)
        runs.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    print(
        json.dumps(
            {
                "runs": runs,
                "cpu": cpu,
                "rows": df.height,
                "columns": df.width,
                "polars": pl.__version__,
                "fastexcel": fastexcel.__version__,
                "threads": pl.thread_pool_size(),
            }
        )
    )


if __name__ == "__main__":
    main()
