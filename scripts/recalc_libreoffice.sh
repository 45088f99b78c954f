#!/usr/bin/env bash
# Recalculates xlsx files with LibreOffice headless (throw-away profile that forces
# recalculation on load, ENGINEERING.md §2) and writes the results into OUTDIR.
#
#   scripts/recalc_libreoffice.sh OUTDIR FILE.xlsx [FILE.xlsx …]
#
# Compare the recalculated values with the cached ones, e.g. with
# `cargo test --test workbook_recalc` (which does the same for the exported Prüfmappe).
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "Aufruf: $0 AUSGABEORDNER DATEI.xlsx [DATEI.xlsx …]" >&2
  exit 2
fi
out=$1; shift
command -v soffice >/dev/null || { echo "soffice fehlt: apt-get install -y libreoffice-calc-nogui" >&2; exit 1; }
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
mkdir -p "$profile/user" "$out"
cat > "$profile/user/registrymodifications.xcu" <<'XCU'
<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
XCU
HOME="$profile" soffice -env:UserInstallation="file://$profile" --headless --norestore \
  --convert-to xlsx --outdir "$out" "$@"
