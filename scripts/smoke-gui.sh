#!/usr/bin/env bash
# Starts the release binary on the sample project in a real X window (Xvfb), waits for the
# window, takes a screenshot and fails if the window does not come up.
set -euo pipefail
bin="$1"
shot="$2"
display=":97"
Xvfb "$display" -screen 0 1600x1000x24 >/dev/null 2>&1 &
xvfb_pid=$!
app_pid=""
cleanup() {
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null || true
  kill "$xvfb_pid" 2>/dev/null || true
}
trap cleanup EXIT
sleep 2
DISPLAY="$display" "$bin" >"${shot%.png}.log" 2>&1 &
app_pid=$!
for _ in $(seq 1 60); do
  if DISPLAY="$display" xdotool search --name "KdU-Konzept" >/dev/null 2>&1; then
    sleep 3
    DISPLAY="$display" import -window root "$shot"
    echo "Fenster erschienen, Bildschirmfoto: $shot"
    exit 0
  fi
  if ! kill -0 "$app_pid" 2>/dev/null; then
    echo "Fehler: Anwendung beendet, bevor ein Fenster erschien:" >&2
    cat "${shot%.png}.log" >&2
    exit 1
  fi
  sleep 1
done
echo "Fehler: Kein Fenster „KdU-Konzept“ nach 60 s." >&2
cat "${shot%.png}.log" >&2
exit 1
