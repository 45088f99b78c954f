#!/usr/bin/env python3
"""Generate tests/fixtures/ward_scipy.json: Ward clustering computed by scipy.

Usage (from the repository root):

    python3 scripts/gen_ward_fixtures.py
    python3 scripts/gen_ward_fixtures.py --venv /tmp/kdu-scipy-venv --output tests/fixtures/ward_scipy.json

scipy is not assumed to be installed: the script creates a temporary virtual environment
(--venv, default /tmp/kdu-scipy-venv), installs numpy and scipy into it and re-runs itself
with that interpreter. Nothing is installed system-wide.

What is computed, for seeded random indicator tables (Gemeinden × indicators, some with
group structure, one with weights):
  - z = scipy.stats.zscore(x, axis=0) (population standard deviation), times sqrt(weight);
  - Z = scipy.cluster.hierarchy.linkage(z, method="ward") (Euclidean);
  - for k = 2 .. min(10, n - 1): labels = fcluster(Z, k, "maxclust") and the mean
    silhouette width (own numpy implementation of Rousseeuw's definition; a point alone in its
    cluster has width 0, as in scikit-learn).

File format: numbers as Python repr strings (shortest round trip), parsed by the Rust test
with str::parse::<f64>:

    {"generator": ..., "scipy_version": ..., "datasets": [{"name", "rows": [[..]], "weights": [..],
      "linkage": [[a, b, height, size], ...], "silhouette": {"2": "0.5", ...},
      "labels": {"2": [1, 1, 2, ...], ...}}]}
"""

import argparse
import json
import os
import random
import subprocess
import sys


def ensure_scipy(venv):
    try:
        import scipy  # noqa: F401
        import numpy  # noqa: F401
        return
    except ImportError:
        pass
    python = os.path.join(venv, "bin", "python")
    if not os.path.exists(python):
        subprocess.check_call([sys.executable, "-m", "venv", venv])
        subprocess.check_call([python, "-m", "pip", "install", "-q", "numpy", "scipy"])
    os.execv(python, [python] + sys.argv)


def silhouette(z, labels):
    import numpy as np

    n = len(labels)
    d = np.sqrt(((z[:, None, :] - z[None, :, :]) ** 2).sum(axis=2))
    total = 0.0
    for i in range(n):
        own = labels[i]
        same = [j for j in range(n) if j != i and labels[j] == own]
        if not same:
            continue
        a = d[i, same].mean()
        b = min(
            d[i, [j for j in range(n) if labels[j] == c]].mean()
            for c in set(labels)
            if c != own
        )
        m = max(a, b)
        if m > 0:
            total += (b - a) / m
    return total / n


def dataset(name, rng, n, cols, groups, weights=None):
    centres = [[rng.uniform(-5, 5) for _ in range(cols)] for _ in range(groups)]
    rows = []
    for i in range(n):
        c = centres[i % groups]
        rows.append([round(c[j] + rng.gauss(0, 1) * (1 + j), 3) for j in range(cols)])
    return {"name": name, "rows": rows, "weights": weights or [1.0] * cols}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--venv", default="/tmp/kdu-scipy-venv")
    ap.add_argument("--output", default="tests/fixtures/ward_scipy.json")
    args = ap.parse_args()
    ensure_scipy(args.venv)
    import numpy as np
    import scipy
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.stats import zscore

    rng = random.Random(20260514)
    sets = [
        dataset("zwei_indikatoren_n12", rng, 12, 2, 3),
        dataset("drei_indikatoren_n25", rng, 25, 3, 4),
        dataset("ein_indikator_n7", rng, 7, 1, 2),
        dataset("gewichtet_n18", rng, 18, 3, 3, [2.0, 0.5, 1.0]),
        dataset("vier_indikatoren_n40", rng, 40, 4, 5),
    ]
    out = []
    for s in sets:
        x = np.array(s["rows"], dtype=float)
        z = zscore(x, axis=0) * np.sqrt(np.array(s["weights"]))
        zl = linkage(z, method="ward")
        n = len(s["rows"])
        sil, labels = {}, {}
        for k in range(2, min(10, n - 1) + 1):
            lab = fcluster(zl, k, "maxclust")
            labels[str(k)] = [int(v) for v in lab]
            sil[str(k)] = repr(float(silhouette(z, list(lab))))
        out.append(
            {
                "name": s["name"],
                "rows": [[repr(v) for v in r] for r in s["rows"]],
                "weights": [repr(w) for w in s["weights"]],
                "linkage": [[int(r[0]), int(r[1]), repr(float(r[2])), int(r[3])] for r in zl],
                "silhouette": sil,
                "labels": labels,
            }
        )
    doc = {
        "generator": "scripts/gen_ward_fixtures.py",
        "scipy_version": scipy.__version__,
        "numpy_version": np.__version__,
        "datasets": out,
    }
    with open(args.output, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"{args.output}: {len(out)} Datensätze, scipy {scipy.__version__}")


if __name__ == "__main__":
    main()
