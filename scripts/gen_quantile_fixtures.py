#!/usr/bin/env python3
"""Generate tests/fixtures/quantile_numpy.json: reference quantiles computed by numpy.

Usage (from the repository root):

    python3 scripts/gen_quantile_fixtures.py
    python3 scripts/gen_quantile_fixtures.py --numpy-target /tmp/kdu-numpy --output tests/fixtures/quantile_numpy.json

numpy is not assumed to be installed: if `import numpy` fails, the script runs
`python3 -m pip install --target DIR "numpy>=1.22"` (DIR = --numpy-target, default
/tmp/kdu-numpy) and imports it from there. Nothing is installed system-wide.

What is computed: for every data set and every p in P_VALUES, and for each of the nine
Hyndman-Fan methods, `np.quantile(x, p, method=m)`. This is the definition behind
`np.percentile(x, 100 * p, method=m)`; np.quantile is used because np.percentile first
divides 100 * p by 100, which moves some p by one ulp (e.g. 1/3 becomes
0.33333333333333326) and can then flip the discrete methods at an exact jump
(n = 3, p = 1/3, averaged_inverted_cdf). The script prints every case where the two
calls disagree, so this stays visible.

File format: every number is a string holding Python's repr (shortest round-trip form),
so that the Rust test parses it with the correctly rounded `str::parse::<f64>` and sees
bit-exactly what numpy saw and returned (serde_json's default float parser may be one ulp
off):

    {"generator": ..., "numpy_version": ..., "methods": [9 names], "p": ["0.0", ...],
     "datasets": [{"name": ..., "values": ["5.9", ...],
                   "expected": {"linear": ["6.197", ... one per p], ...}}]}

The values are given unsorted on purpose: the Rust test sorts them itself.
"""

import argparse
import json
import os
import random
import subprocess
import sys

METHODS = [
    "inverted_cdf",
    "averaged_inverted_cdf",
    "closest_observation",
    "interpolated_inverted_cdf",
    "hazen",
    "weibull",
    "linear",
    "median_unbiased",
    "normal_unbiased",
]

P_VALUES = [
    0.0, 0.01, 0.05, 0.1, 0.2, 0.25, 1.0 / 3.0, 0.33, 0.4, 0.5,
    0.6, 0.66, 0.75, 0.9, 0.95, 0.99, 1.0,
]


def import_numpy(target):
    try:
        import numpy  # noqa: F401
    except ImportError:
        if not os.path.isdir(os.path.join(target, "numpy")):
            subprocess.check_call(
                [sys.executable, "-m", "pip", "install", "--quiet",
                 "--target", target, "numpy>=1.22"])
        sys.path.insert(0, target)
    import numpy
    return numpy


def datasets():
    rng = random.Random(20240601)

    def rent(lo, spread):
        u = rng.random()
        return round(lo + spread * u + 0.6 * spread * u ** 4, 2)

    sets = [
        ("n1", [6.5]),
        ("n2", [7.5, 5.0]),
        ("n3", [9.9, 4.2, 6.1]),
        ("rents4", [5.9, 6.2, 6.5, 7.1]),
        ("n5_ties", [3.0, 1.0, 4.0, 1.0, 5.0]),
        ("rents6_ties", [6.2, 6.0, 7.4, 6.2, 6.5, 7.1]),
        ("rents7", [6.85, 7.2, 5.95, 8.1, 6.4, 7.75, 9.3]),
        ("negative8", [-3.5, -1.25, 0.0, 2.75, -8.0, 4.5, -0.5, 1.0]),
        ("n10", [8.31, 6.02, 7.77, 5.49, 9.15, 6.6, 7.04, 6.6, 10.2, 5.88]),
        ("ties10", [5.0, 7.0, 5.0, 6.0, 7.0, 8.0, 5.0, 7.0, 6.0, 7.0]),
        ("constant6", [7.25] * 6),
        ("grid20", [float(v) for v in range(20, 0, -1)]),
        ("rents33", [rent(5.0, 4.0) for _ in range(33)]),
        ("bkm_euro7", [489.9, 412.5, 612.75, 455.0, 530.0, 501.2, 700.0]),
        ("grid100", [float((37 * k) % 100 + 1) for k in range(100)]),
        ("rents100", [rent(4.5, 6.0) for _ in range(100)]),
    ]
    return sets


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default_out = os.path.join(here, "..", "tests", "fixtures", "quantile_numpy.json")
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--numpy-target", default="/tmp/kdu-numpy")
    ap.add_argument("--output", default=default_out)
    args = ap.parse_args()

    np = import_numpy(args.numpy_target)

    out_sets = []
    disagreements = 0
    for name, values in datasets():
        arr = np.array(values, dtype=np.float64)
        expected = {}
        for m in METHODS:
            row = []
            for p in P_VALUES:
                q = float(np.quantile(arr, p, method=m))
                pc = float(np.percentile(arr, 100.0 * p, method=m))
                if abs(q - pc) > 1e-12 * max(1.0, abs(q)):
                    disagreements += 1
                    print(f"note: {name} {m} p={p!r}: quantile {q!r} vs "
                          f"percentile(100p) {pc!r} (p*100/100 = {(100.0 * p) / 100.0!r})")
                row.append(repr(q))
            expected[m] = row
        out_sets.append({
            "name": name,
            "values": [repr(float(v)) for v in values],
            "expected": expected,
        })

    doc = {
        "generator": "scripts/gen_quantile_fixtures.py",
        "numpy_version": np.__version__,
        "definition": "np.quantile(x, p, method=m) == np.percentile(x, 100*p, method=m) up to p*100/100 rounding",
        "methods": METHODS,
        "p": [repr(p) for p in P_VALUES],
        "datasets": out_sets,
    }
    out = os.path.normpath(args.output)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=1)
        fh.write("\n")
    cases = len(out_sets) * len(METHODS) * len(P_VALUES)
    print(f"wrote {out}: {len(out_sets)} data sets, {cases} cases, numpy {np.__version__}, "
          f"{disagreements} quantile/percentile disagreements")


if __name__ == "__main__":
    main()
