#!/usr/bin/env bash
# Export: workbook_bytes (Prüfmappe, 100 000 records) vs. rust_xlsxwriter alone vs. Python xlsxwriter writing the same cells.
# Creates a temporary Python venv if needed (scripts/bench_venv.sh), then runs
#   cargo bench --bench export -- [--rows N] [--runs N] [--no-peer] [--only WORD]
# The result table (Markdown) goes to stdout; scratch files to ${KDU_BENCH_DIR:-$TMPDIR/kdu-konzept-bench}.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/bench_venv.sh
. scripts/bench_venv.sh
kdu_bench_venv "$KDU_BENCH_XLSXWRITER"
echo "== nproc: $(nproc), $(date -u +%Y-%m-%dT%H:%MZ), load: $(cut -d' ' -f1-3 /proc/loadavg)"
cargo bench --bench export -- "$@"
