#!/usr/bin/env python3
"""Peer of `cargo bench --bench pipeline`: the core derivation in pandas on the same records.

Usage: bench_pipeline_pandas.py RECORDS.csv GEMEINDEN.csv --vr "A|B|C" --kinds bestand,neuvertrag
       --window-start 2021-01-01 --edges 0,50,65,80,95,110 --k 1.96 --p 0.33
       --bk-min 1 --bk-max 3.5 [--runs N]

The CSV files are written by the Rust bench (records after import, Gemeinde table of the project)
and read once, untimed. Two steps are timed (one warm-up each, then N runs):

* full: from the record frame in memory: Gemeinde -> Vergleichsraum by AGS (name as fallback),
  reference kinds, contract window (latest of Mietbeginn / letzte Mietänderung), size classes
  (lo, hi], NKM/m², per cell mean ± k·SD filter (sample SD), p-quantile (linear = Hyndman-Fan 7),
  kalte BK/m² median per Vergleichsraum over plausible values of the in-cell records;
* param_change: the same from a frame that already holds vr, class, NKM/m² and BK/m² of the
  in-cell records (what our `Prepared` holds): filter, quantile and BK median only.

Prints a JSON line with the run times (seconds) and the per-cell results for the equivalence
check in the Rust bench.
"""

import argparse
import json
import time

import numpy as np
import pandas as pd


def load(records_csv, gemeinden_csv):
    df = pd.read_csv(
        records_csv,
        dtype={"ags": "string", "gemeinde": "string", "kind": "string"},
        parse_dates=["contract_start", "last_rent_change"],
    )
    gem = pd.read_csv(gemeinden_csv, dtype={"ags": "string"})
    return df, gem


def prepare(df, gem, a):
    """Scope, assignment and size class: the pandas counterpart of `Prepared::new`."""
    by_ags = dict(zip(gem["ags"], gem["vergleichsraum"]))
    by_name = dict(zip(gem["name"].str.lower().str.strip(), gem["vergleichsraum"]))
    vr = df["ags"].map(by_ags)
    missing = vr.isna()
    if missing.any():
        vr = vr.where(~missing, df["gemeinde"].str.lower().str.strip().map(by_name))
    latest = df[["contract_start", "last_rent_change"]].max(axis=1)
    keep = (
        df["kind"].isin(a.kinds)
        & vr.isin(a.vr)
        & ~(latest < a.window_start)  # records without any date stay in
    )
    d = df.loc[keep, ["area", "net_rent", "operating_costs"]]
    cls = pd.cut(d["area"], bins=a.edges, right=True, labels=False)
    d = d.assign(vr=vr[keep], cls=cls).dropna(subset=["cls"])
    d["cls"] = d["cls"].astype(np.int64)
    d["nkm_m2"] = d["net_rent"] / d["area"]
    d["bk_m2"] = d["operating_costs"] / d["area"]
    return d[["vr", "cls", "nkm_m2", "bk_m2"]]


def derive(d, a):
    """Outliers, Referenzmiete and BK: the pandas counterpart of `compute`."""
    g = d.groupby(["vr", "cls"], sort=True)["nkm_m2"]
    mean = g.transform("mean")
    sd = g.transform("std")  # ddof=1 like ours; NaN for n = 1 -> kept
    lo, hi = mean - a.k * sd, mean + a.k * sd
    kept = d[((d["nkm_m2"] >= lo) & (d["nkm_m2"] <= hi)) | sd.isna()]
    gk = kept.groupby(["vr", "cls"], sort=True)["nkm_m2"]
    nkm = gk.quantile(a.p, interpolation="linear")
    n_kept = gk.size()
    n_in = g.size()
    bk = d["bk_m2"]
    plausible = d[(bk >= a.bk_min) & (bk <= a.bk_max)]
    bk_vr = plausible.groupby("vr", sort=True)["bk_m2"].median()
    return n_in, n_kept, nkm, bk_vr


def full(df, gem, a):
    return derive(prepare(df, gem, a), a)


def timed(runs, f):
    """One warm-up, then wall and process CPU seconds of `runs` calls."""
    f()
    wall, cpu = [], []
    for _ in range(max(1, runs)):
        t, c = time.perf_counter(), time.process_time()
        f()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return {"runs": wall, "cpu": cpu}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("records")
    ap.add_argument("gemeinden")
    ap.add_argument("--vr", required=True, help="Vergleichsräume separated by |")
    ap.add_argument("--kinds", default="bestand,neuvertrag")
    ap.add_argument("--window-start", default="")
    ap.add_argument("--edges", default="0,50,65,80,95,110")
    ap.add_argument("--k", type=float, default=1.96)
    ap.add_argument("--p", type=float, default=0.33)
    ap.add_argument("--bk-min", type=float, default=1.0)
    ap.add_argument("--bk-max", type=float, default=3.5)
    ap.add_argument("--runs", type=int, default=11)
    a = ap.parse_args()
    a.vr = a.vr.split("|")
    a.kinds = a.kinds.split(",")
    a.edges = [float(e) for e in a.edges.split(",")]
    a.window_start = pd.Timestamp(a.window_start) if a.window_start else pd.Timestamp.min

    df, gem = load(a.records, a.gemeinden)
    full_runs = timed(a.runs, lambda: full(df, gem, a))
    d = prepare(df, gem, a)
    step_runs = timed(a.runs * 3, lambda: derive(d, a))

    n_in, n_kept, nkm, bk_vr = derive(d, a)
    cells = []
    for (vr, cls), n in n_in.items():
        cells.append(
            {
                "vr": vr,
                "class": int(cls),
                "n_in_cell": int(n),
                "n_kept": int(n_kept.get((vr, cls), 0)),
                "nkm_raw": float(nkm[(vr, cls)]) if (vr, cls) in nkm.index else None,
                "bk_vr": float(bk_vr[vr]) if vr in bk_vr.index else None,
            }
        )
    print(
        json.dumps(
            {
                "full": full_runs,
                "param_change": step_runs,
                "rows": len(df),
                "in_cells": len(d),
                "cells": cells,
                "pandas": pd.__version__,
                "numpy": np.__version__,
            }
        )
    )


if __name__ == "__main__":
    main()
