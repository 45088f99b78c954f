#!/usr/bin/env python3
"""Peer of `cargo bench --bench export`: Python xlsxwriter writing the same cells as the Prüfmappe.

Usage: bench_export_xlsxwriter.py SHAPE.json [--runs N]

SHAPE.json is written by the Rust bench: per sheet the number of numbers, strings (with the count
of distinct texts and their total length), booleans and formulas of our workbook. The cells are
written row-major with the sheet's width, exactly like the Rust floor (`write_shape` in
benches/export.rs): numbers, strings, booleans, formulas with a cached result; no formats.
The workbook is built in memory (like `workbook_bytes`). One warm-up, then N timed runs.
Prints a JSON line {"runs": [wall seconds, ...], "cpu": [CPU seconds, ...], "bytes": ...}.
"""

import argparse
import io
import json
import time

import xlsxwriter


def build(shapes):
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    for s in shapes:
        ws = wb.add_worksheet(s["name"])
        cols = max(1, s["cols"])
        avg_len = s["string_chars"] // max(1, s["strings"])
        texts = []
        for i in range(max(1, s["unique_strings"])):
            t = f"Text {i} "
            texts.append(t + "x" * max(0, avg_len - len(t)))
        i = 0
        for k in range(s["numbers"]):
            ws.write_number(i // cols, i % cols, k * 0.37)
            i += 1
        n_texts = len(texts)
        for k in range(s["strings"]):
            ws.write_string(i // cols, i % cols, texts[k % n_texts])
            i += 1
        for k in range(s["bools"]):
            ws.write_boolean(i // cols, i % cols, k % 2 == 0)
            i += 1
        for k in range(s["formulas"]):
            ws.write_formula(i // cols, i % cols, f"=ROUND(A{k % 1000 + 1}*1.05,2)", None, k * 0.37)
            i += 1
    wb.close()
    return buf.getbuffer().nbytes


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("shape")
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    with open(a.shape, encoding="utf-8") as f:
        shapes = json.load(f)
    size = build(shapes)  # warm-up
    runs, cpu = [], []
    for _ in range(max(1, a.runs)):
        t, c = time.perf_counter(), time.process_time()
        size = build(shapes)
        runs.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    print(
        json.dumps(
            {"runs": runs, "cpu": cpu, "bytes": size, "xlsxwriter": xlsxwriter.__version__}
        )
    )


if __name__ == "__main__":
    main()
