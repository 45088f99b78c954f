#!/usr/bin/env bash
# The three data benchmarks of BENCHMARKS.md in one go (import, core derivation, export; not
# gui_frames or startup). The output is also written to $KDU_BENCH_LOG (default: results.txt in
# the scratch folder, outside the repository).
set -euo pipefail
cd "$(dirname "$0")/.."
scratch="${KDU_BENCH_DIR:-${TMPDIR:-/tmp}/kdu-konzept-bench}"
mkdir -p "$scratch"
log="${KDU_BENCH_LOG:-$scratch/results.txt}"
{
  scripts/bench_import.sh "$@"
  scripts/bench_pipeline.sh "$@"
  scripts/bench_export.sh "$@"
} 2>&1 | tee "$log"
