#!/usr/bin/env bash
# Starts the release binary on the sample project in a real X window (Xvfb), waits for the
# window, takes a screenshot and fails if the window does not come up. Then destroys the window
# from outside (as a window manager or xdotool may) and fails unless the app ends with exit
# code 1 and a German message instead of a panic (exit code 101).
set -euo pipefail
bin="$1"
shot="$2"
display="${SMOKE_DISPLAY:-:97}"
Xvfb "$display" -screen 0 1600x1000x24 >/dev/null 2>&1 &
xvfb_pid=$!
app_pid=""
data_home=""
cleanup() {
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null || true
  kill "$xvfb_pid" 2>/dev/null || true
  [ -n "$data_home" ] && rm -rf "$data_home"
  true
}
trap cleanup EXIT
# Wait until the X server answers (a fixed pause was too short on a busy machine).
ready=""
for _ in $(seq 1 60); do
  if DISPLAY="$display" xdotool getdisplaygeometry >/dev/null 2>&1; then
    ready=1
    break
  fi
  if ! kill -0 "$xvfb_pid" 2>/dev/null; then
    echo "Fehler: Xvfb auf $display hat sich beendet (Display belegt? SMOKE_DISPLAY setzen)." >&2
    exit 1
  fi
  sleep 0.5
done
if [ -z "$ready" ]; then
  echo "Fehler: Xvfb auf $display antwortet nach 30 s nicht." >&2
  exit 1
fi
data_home="$(mktemp -d)"
DISPLAY="$display" XDG_DATA_HOME="$data_home" RUST_BACKTRACE=0 "$bin" >"${shot%.png}.log" 2>&1 &
app_pid=$!
for _ in $(seq 1 60); do
  if DISPLAY="$display" xdotool search --name "KdU-Konzept" >/dev/null 2>&1; then
    sleep 3
    DISPLAY="$display" import -window root "$shot"
    echo "Fenster erschienen, Bildschirmfoto: $shot"
    window="$(DISPLAY="$display" xdotool search --name "KdU-Konzept" | head -1)"
    DISPLAY="$display" xdotool windowclose "$window"
    for _ in $(seq 1 30); do
      kill -0 "$app_pid" 2>/dev/null || break
      sleep 1
    done
    rc=0
    wait "$app_pid" || rc=$?
    app_pid=""
    if [ "$rc" -ne 1 ] || ! grep -q "Das Programmfenster wurde unerwartet beendet" "${shot%.png}.log"; then
      echo "Fehler: Nach dem Schließen des Fensters von außen Exit-Code $rc statt 1 mit deutscher Meldung:" >&2
      cat "${shot%.png}.log" >&2
      exit 1
    fi
    echo "Fenster von außen geschlossen: Exit-Code 1 mit deutscher Meldung."
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
