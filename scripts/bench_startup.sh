#!/usr/bin/env bash
# Startup benchmark of the desktop app (BENCHMARKS.md, section "Desktop-App").
#
# Starts the release binary RUNS times (default 10) without arguments, i.e. on the bundled
# sample project, in a virtual X server (Xvfb, software rendering via Mesa) and reports per run
# and as median/max:
#   first_ms    – printed by the app (KDU_TIMING=1): start of app::run → end of the UI pass of
#                 the first frame (the project may still be loading in the background);
#   project_ms  – likewise, to the end of the UI pass of the first frame showing the project;
#   window_ms   – wall time from launching the process until its window is mapped (eframe
#                 shows the window only after the first frame has been painted);
#   title_ms    – wall time until the window title names the project (set in the first frame
#                 that has the project, i.e. the project is on screen one paint later).
# window_ms/title_ms are polled with xdotool about every 10 ms (resolution ± one poll).
# Xvfb runs with -noreset: otherwise it resets whenever its last client (an xdotool poll or the
# previous app) disconnects, and a launch during the reset fails to connect.
#
# Usage: scripts/bench_startup.sh [RUNS]
#   KDU_BIN=path       use this binary instead of building the release binary
#   KDU_DISPLAY=:95    X display for Xvfb
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-10}"
display="${KDU_DISPLAY:-:95}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kdu-target}"

for tool in Xvfb xdotool; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "Fehler: $tool fehlt (apt-get install xvfb xdotool)." >&2
    exit 1
  fi
done

bin="${KDU_BIN:-}"
if [ -z "$bin" ]; then
  cargo build --release --quiet
  bin="$CARGO_TARGET_DIR/release/kdu-konzept"
fi
if [ ! -x "$bin" ]; then
  echo "Fehler: Programm nicht gefunden: $bin" >&2
  exit 1
fi

tmp="$(mktemp -d)"
xvfb_pid=""
app_pid=""
cleanup() {
  if [ -n "$app_pid" ]; then
    kill "$app_pid" 2>/dev/null || true
    wait "$app_pid" 2>/dev/null || true
  fi
  if [ -n "$xvfb_pid" ]; then
    kill "$xvfb_pid" 2>/dev/null || true
    wait "$xvfb_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

Xvfb "$display" -screen 0 1600x1000x24 -nolisten tcp -noreset >"$tmp/xvfb.log" 2>&1 &
xvfb_pid=$!
for _ in $(seq 1 100); do
  if DISPLAY="$display" xdotool getdisplaygeometry >/dev/null 2>&1; then
    break
  fi
  if ! kill -0 "$xvfb_pid" 2>/dev/null; then
    echo "Fehler: Xvfb auf $display ließ sich nicht starten (Anzeige belegt?):" >&2
    cat "$tmp/xvfb.log" >&2
    xvfb_pid=""
    exit 1
  fi
  sleep 0.05
done

now_ns() { date +%s%N; }
ms_since() { echo $((($(now_ns) - $1) / 1000000)); }

echo "bench_startup: $bin, $runs runs, Xvfb $display, $(nproc) CPUs, $(date -Iseconds)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%4s %10s %11s %10s %9s\n' run first_ms project_ms window_ms title_ms
: >"$tmp/results"
for run in $(seq 1 "$runs"); do
  log="$tmp/run$run.log"
  # A fresh data folder: no recovery copy, no recent list from earlier runs or from the user.
  mkdir -p "$tmp/data$run"
  t0=$(now_ns)
  DISPLAY="$display" XDG_DATA_HOME="$tmp/data$run" KDU_TIMING=1 "$bin" >/dev/null 2>"$log" &
  app_pid=$!
  window_ms=""
  title_ms=""
  while [ -z "$title_ms" ] || ! grep -q '^KDU_TIMING project_frame_ms=' "$log"; do
    if [ -z "$window_ms" ] &&
      DISPLAY="$display" xdotool search --onlyvisible --name '^KdU-Konzept' >/dev/null 2>&1; then
      window_ms=$(ms_since "$t0")
    fi
    if [ -n "$window_ms" ] && [ -z "$title_ms" ] &&
      DISPLAY="$display" xdotool search --onlyvisible --name 'Musterland' >/dev/null 2>&1; then
      title_ms=$(ms_since "$t0")
    fi
    if ! kill -0 "$app_pid" 2>/dev/null; then
      echo "Fehler: Anwendung beendet, bevor das Projekt angezeigt wurde (Lauf $run):" >&2
      cat "$log" >&2
      if ! kill -0 "$xvfb_pid" 2>/dev/null; then
        wait "$xvfb_pid" 2>/dev/null && status=0 || status=$?
        echo "Xvfb $display ist nicht mehr aktiv (Status $status):" >&2
        cat "$tmp/xvfb.log" >&2
        xvfb_pid=""
      fi
      app_pid=""
      exit 1
    fi
    if [ "$(ms_since "$t0")" -gt 60000 ]; then
      echo "Fehler: Projekt nach 60 s nicht angezeigt (Lauf $run):" >&2
      cat "$log" >&2
      exit 1
    fi
    sleep 0.01
  done
  kill "$app_pid" 2>/dev/null || true
  wait "$app_pid" 2>/dev/null || true
  app_pid=""
  first_ms=$(sed -n 's/^KDU_TIMING first_frame_ms=//p' "$log")
  project_ms=$(sed -n 's/^KDU_TIMING project_frame_ms=//p' "$log")
  printf '%4s %10s %11s %10s %9s\n' "$run" "$first_ms" "$project_ms" "$window_ms" "$title_ms"
  echo "$first_ms $project_ms $window_ms $title_ms" >>"$tmp/results"
done

# Median and max per column.
stat() {
  cut -d' ' -f"$1" "$tmp/results" | sort -g | awk '
    { v[NR] = $1 }
    END {
      m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      printf "%s %s", m, v[NR]
    }'
}
read -r m1 x1 <<<"$(stat 1)"
read -r m2 x2 <<<"$(stat 2)"
read -r m3 x3 <<<"$(stat 3)"
read -r m4 x4 <<<"$(stat 4)"
printf '%4s %10s %11s %10s %9s\n' median "$m1" "$m2" "$m3" "$m4"
printf '%4s %10s %11s %10s %9s\n' max "$x1" "$x2" "$x3" "$x4"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
