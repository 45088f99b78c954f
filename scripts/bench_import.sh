#!/usr/bin/env bash
# Import: import_file vs. a bare calamine parse vs. polars.read_excel(engine="calamine") (100 000 rows x 15 columns).
# Creates a temporary Python venv if needed (scripts/bench_venv.sh), then runs
#   cargo bench --bench import -- [--rows N] [--runs N] [--no-peer] [--only WORD]
# The result table (Markdown) goes to stdout; scratch files to ${KDU_BENCH_DIR:-$TMPDIR/kdu-konzept-bench}.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/bench_venv.sh
. scripts/bench_venv.sh
kdu_bench_venv "$KDU_BENCH_POLARS" "$KDU_BENCH_FASTEXCEL"
echo "== nproc: $(nproc), $(date -u +%Y-%m-%dT%H:%MZ), load: $(cut -d' ' -f1-3 /proc/loadavg)"
cargo bench --bench import -- "$@"
