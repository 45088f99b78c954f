# shellcheck shell=bash
# Sourced by scripts/bench_*.sh: provides a Python venv with the peer packages and exports
# KDU_BENCH_PYTHON for the Rust benches. Usage: kdu_bench_venv PACKAGE==VERSION ...
#
# The venv lives in ${KDU_BENCH_VENV:-/tmp/kdu-bench-venv} (temporary, outside the repository) and
# is reused when it already holds the packages. Without python3/venv/pip (or offline) nothing fails:
# a note is printed and the benches skip their Python peer.

kdu_bench_venv() {
  local venv="${KDU_BENCH_VENV:-/tmp/kdu-bench-venv}"
  if ! command -v python3 >/dev/null; then
    echo "Hinweis: python3 fehlt – Vergleichsmessungen mit Python werden übersprungen." >&2
    return 0
  fi
  if [ ! -x "$venv/bin/python" ]; then
    echo "== Python-venv anlegen: $venv" >&2
    if ! python3 -m venv "$venv" >&2; then
      echo "Hinweis: python3 -m venv fehlgeschlagen (Paket python3-venv?) – Python-Vergleich entfällt." >&2
      return 0
    fi
  fi
  local missing=()
  local spec name
  for spec in "$@"; do
    name="${spec%%[=<>]*}"
    "$venv/bin/python" -m pip show -q "$name" >/dev/null 2>&1 || missing+=("$spec")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "== pip install ${missing[*]}" >&2
    if ! "$venv/bin/python" -m pip install -q "${missing[@]}" >&2; then
      echo "Hinweis: pip install fehlgeschlagen (offline?) – Python-Vergleich entfällt ggf." >&2
    fi
  fi
  export KDU_BENCH_PYTHON="$venv/bin/python"
}

# The versions the figures in BENCHMARKS.md were measured with (override via the variables).
KDU_BENCH_POLARS="${KDU_BENCH_POLARS:-polars==2.1.0}"
KDU_BENCH_FASTEXCEL="${KDU_BENCH_FASTEXCEL:-fastexcel==0.21.0}"
KDU_BENCH_PANDAS="${KDU_BENCH_PANDAS:-pandas==3.1.1}"
KDU_BENCH_NUMPY="${KDU_BENCH_NUMPY:-numpy==2.4.6}"
KDU_BENCH_XLSXWRITER="${KDU_BENCH_XLSXWRITER:-xlsxwriter==3.3.1}"
