#!/usr/bin/env bash
# Core derivation: Prepared::new + compute vs. an equivalent pandas pipeline (100 000 and 1 000 000 records).
# Creates a temporary Python venv if needed (scripts/bench_venv.sh), then runs
#   cargo bench --bench pipeline -- [--rows N] [--runs N] [--no-peer] [--only WORD]
# The result table (Markdown) goes to stdout; scratch files to ${KDU_BENCH_DIR:-$TMPDIR/kdu-konzept-bench}.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/bench_venv.sh
. scripts/bench_venv.sh
kdu_bench_venv "$KDU_BENCH_PANDAS" "$KDU_BENCH_NUMPY"
echo "== nproc: $(nproc), $(date -u +%Y-%m-%dT%H:%MZ), load: $(cut -d' ' -f1-3 /proc/loadavg)"
cargo bench --bench pipeline -- "$@"
