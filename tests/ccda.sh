#!/bin/sh
# tests/ccda.sh — the official HL7 C-CDA example set (../shared/data, CC0)
# in one run: one record per file, every complete ClinicalDocument ok with
# its id and sections, every fragment an error record, no crash.
# usage: tests/ccda.sh RACHIS
set -u
rachis=${1:?usage: tests/ccda.sh RACHIS}
top=$(cd "$(dirname "$0")/.." && pwd)
set_dir="$top/../shared/data/hl7-ccda-examples"
if [ ! -d "$set_dir" ]; then echo "ccda: $set_dir not present; skipped"; exit 0; fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$rachis" extract -q --format cda "$set_dir" > "$out"
rc=$?
files=$(find "$set_dir" -type f ! -name '.*' | wc -l)
records=$(wc -l < "$out")
docs=$(grep -rl --include='*.xml' --include='*.XML' '<ClinicalDocument' "$set_dir" | wc -l)
ok=$(grep -c '"status":"ok"' "$out")
imaging=$(grep '"id":"20060828170821659"' "$out" | grep -c '"status":"ok"')
echo "ccda: $files files, $records records, $ok ok, $docs complete documents, exit $rc"
[ "$rc" -eq 1 ] && [ "$records" -eq "$files" ] && [ "$ok" -eq "$docs" ] && [ "$imaging" -eq 1 ] && echo "1 passed, 0 failed" && exit 0
echo "0 passed, 1 failed"
exit 1
