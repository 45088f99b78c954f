#!/usr/bin/env bash
# The whole test suite: installs missing system packages, then formatting, lints, all tests
# (unit, integration, real data, workbook recalculation with LibreOffice, GUI query tests) and a
# real-window smoke test of the release binary under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kdu-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

if [ ! -d ../shared/realdata ]; then
  echo "Fehler: ../shared/realdata fehlt (Realdaten-Tests brauchen den Ordner neben dem Repository)." >&2
  exit 1
fi

need=()
command -v Xvfb >/dev/null || need+=(xvfb xauth)
command -v xdotool >/dev/null || need+=(xdotool)
command -v import >/dev/null || need+=(imagemagick)
command -v soffice >/dev/null || need+=(libreoffice-calc-nogui)
[ -e /usr/share/vulkan/icd.d/lvp_icd.x86_64.json ] || need+=(mesa-vulkan-drivers)
dpkg -s libgl1-mesa-dri >/dev/null 2>&1 || need+=(libgl1-mesa-dri libegl1 libegl-mesa0 libxkbcommon-x11-0)
if [ ${#need[@]} -gt 0 ]; then
  echo "== Installiere Systempakete: ${need[*]}"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"
chmod 700 "$XDG_RUNTIME_DIR"

echo "== cargo fmt --check"
cargo fmt --check
echo "== cargo clippy"
cargo clippy --all-targets -- -D warnings
echo "== cargo test"
cargo test 2>&1 | tee "$CARGO_TARGET_DIR/test-output.txt"
echo "== GUI-Rauchtest (Release, Xvfb)"
cargo build --release
scripts/smoke-gui.sh "$CARGO_TARGET_DIR/release/kdu-konzept" "$CARGO_TARGET_DIR/smoke.png"
grep -E "^test result:" "$CARGO_TARGET_DIR/test-output.txt" | awk '{p+=$4; f+=$6} END {printf "Gesamt: %d passed, %d failed\n", p, f}'
