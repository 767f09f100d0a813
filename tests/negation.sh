#!/bin/sh
# negation.sh — rachis assert on the two negation sets of corpora/negation
# (target/sentence lines of many kinds of notes, labelled negated / affirmed /
# possible), against the classic NegEx run on the same lines (tools/negex).
# Checks that rachis's negation F1 reaches its bar and beats NegEx's on each.
set -eu
rachis=${1:?usage: negation.sh RACHIS}
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
f1() { awk '$1 == "negated" && $4 ~ /^F1=/ { sub("F1=", "", $4); print $4 }' "$1"; }
fail=0
for set_ in "$top/corpora/negation/sentences.tsv" "$top/corpora/negation/oncology.tsv"; do
    cut -f2,3 "$set_" >"$tmp/in.tsv"
    "$rachis" assert --patterns "$top/patterns" "$tmp/in.tsv" >"$tmp/rachis.txt"
    python3 "$top/tools/negex/score.py" "$set_" --lines "$tmp/rachis.txt" \
        --map absent=negated,present=affirmed,possible=possible,hypothetical=affirmed >"$tmp/rachis.score"
    python3 "$top/tools/negex/negex.py" "$set_" >"$tmp/negex.tsv"
    python3 "$top/tools/negex/score.py" "$set_" "$tmp/negex.tsv" >"$tmp/negex.score"
    r=$(f1 "$tmp/rachis.score")
    n=$(f1 "$tmp/negex.score")
    echo "$(basename "$set_"): negation F1 rachis $r, NegEx $n"
    awk -v r="$r" -v n="$n" 'BEGIN { exit !(r >= 0.95 && r > n) }' || {
        echo "negation.sh: $(basename "$set_"): rachis negation F1 $r is under 0.95 or not above NegEx's $n" >&2
        cat "$tmp/rachis.score" >&2
        fail=1
    }
done
exit $fail
