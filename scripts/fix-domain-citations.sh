#!/usr/bin/env bash
# Rewrites citations of the external domain reference ("DOMAIN.md §x", "DOMAIN §x") into
# citations of the repository's own docs/METHOD.md ("docs/METHOD.md §y").
#
# Usage: scripts/fix-domain-citations.sh PATH...
#   Each PATH is a file or a folder (searched recursively for *.rs, *.md, *.toml, *.csv files).
#   Files are changed in place. The script fails (exit 1) if a cited section has no counterpart
#   in docs/METHOD.md, or if a mention of "DOMAIN" is left afterwards; it lists those lines.
#
# Section map (DOMAIN → METHOD): the numbering of docs/METHOD.md follows the old reference, so
# most sections keep their number; only the reading guide, the glossary and the consultancy
# overview moved:
#   §0 → §1.6, §0.1 → §1.7, §2.0 → §2; §1–§1.5, §2–§2.16, §3, §4–§4.3, §5–§5.3, §6, §7, §8 keep
#   their number. Letters and labels after a number ("§1.4 f", "§2.8 G1") are kept as they are.
set -euo pipefail

if [ "$#" -eq 0 ]; then
    echo "Aufruf: $0 DATEI_ODER_ORDNER..." >&2
    exit 2
fi

files=()
for arg in "$@"; do
    if [ -d "$arg" ]; then
        while IFS= read -r -d '' f; do files+=("$f"); done < <(
            find "$arg" -type f \( -name '*.rs' -o -name '*.md' -o -name '*.toml' -o -name '*.csv' \) -print0 | sort -z
        )
    elif [ -f "$arg" ]; then
        files+=("$arg")
    else
        echo "Nicht gefunden: $arg" >&2
        exit 2
    fi
done

# Only files that mention the old reference are touched (keeps mtimes of the others).
targets=()
for f in "${files[@]}"; do
    if grep -q 'DOMAIN' "$f"; then targets+=("$f"); fi
done
if [ "${#targets[@]}" -eq 0 ]; then
    exit 0
fi

status=0
perl -CSD -Mutf8 -i -pe '
    BEGIN {
        %map = map { $_ => $_ } qw(
            1 1.1 1.2 1.3 1.4 1.5
            2 2.1 2.2 2.3 2.4 2.5 2.6 2.7 2.8 2.9 2.10 2.11 2.12 2.13 2.14 2.15 2.16
            3 4 4.1 4.2 4.3 5 5.1 5.2 5.3 6 7 8
        );
        $map{"0"} = "1.6";
        $map{"0.1"} = "1.7";
        $map{"2.0"} = "2";
        $bad = 0;
    }
    sub sect {
        my ($n) = @_;
        return $map{$n} if exists $map{$n};
        print STDERR "$ARGV:$.: Abschnitt §$n hat keine Entsprechung in docs/METHOD.md\n";
        $bad = 1;
        return $n;
    }
    # A chain of sections after one citation: "§2.8 G1, §2.11", "§0 / §3", "§2.12–2.13".
    sub chain {
        my ($c) = @_;
        $c =~ s/(§|–|-)(\d+(?:\.\d+)?)/$1 . sect($2)/ge;
        return $c;
    }
    s/Items marked \[U\] in DOMAIN(?:\.md)?/Items listed as open in docs\/METHOD.md §7/g;
    s/DOMAIN(?:\.md)? (§\d+(?:\.\d+)?(?:(?:–|-)\d+(?:\.\d+)?)?(?:(?: [A-Z]\d+| [a-h](?![a-z]))?(?:,| \/| and) §\d+(?:\.\d+)?(?:(?:–|-)\d+(?:\.\d+)?)?)*)/"docs\/METHOD.md " . chain($1)/ge;
    # An unsure-mark right after a citation becomes words (docs/METHOD.md §7 lists open points).
    s/(\(docs\/METHOD\.md §[^)]*)\) \[U\]/$1; open point, see §7)/g;
    close ARGV if eof;
    END { exit 1 if $bad }
' "${targets[@]}" || status=1

if grep -Hn 'DOMAIN' "${targets[@]}" >&2; then
    echo "Nicht umgeschrieben (siehe oben): bitte von Hand auf docs/METHOD.md umstellen." >&2
    status=1
fi
exit "$status"
