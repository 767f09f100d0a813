#!/bin/sh
# tests/dask.sh — the Dask driver on a two-worker LocalCluster: its output
# equals a single-process `rachis extract` record for record (the source
# position within a partition aside), the manifest reconciles with the input,
# and a rerun skips finished partitions.  usage: tests/dask.sh RACHIS
set -u
rachis=${1:?usage: tests/dask.sh RACHIS}
top=$(cd "$(dirname "$0")/.." && pwd)
py=/usr/bin/python3
if ! $py -c "import distributed" 2>/dev/null; then echo "dask: python3-distributed not installed; skipped"; exit 0; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
check() { if [ "$2" = "$3" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1: expected [$2] got [$3]"; fi; }

"$top/tools/gen-corpus" --count 1500 --format jsonl --out "$tmp/in.jsonl" --seed 7 2>/dev/null
printf 'this line is not JSON\n' >> "$tmp/in.jsonl"
"$rachis" extract -q -j 1 --format jsonl - < "$tmp/in.jsonl" > "$tmp/single.jsonl"
$py "$top/tools/dask/rachis_dask.py" "$tmp/in.jsonl" "$tmp/out" --rachis "$rachis" --partition-size 200 --workers 2 > "$tmp/log" 2>&1
check "driver exit" 0 $?
cat "$tmp"/out/part-*.jsonl > "$tmp/dask.jsonl"
strip() { sed -e 's/"source":{[^}]*},//' -e 's/stdin:[0-9]*/stdin/' -e 's/line [0-9]*, column/line N, column/' "$1"; }
check "records" "$(wc -l < "$tmp/single.jsonl")" "$(wc -l < "$tmp/dask.jsonl")"
check "same records as one process" "$(strip "$tmp/single.jsonl" | md5sum)" "$(strip "$tmp/dask.jsonl" | md5sum)"
check "manifest reconciles" "1501 1501" "$($py -c "import json,sys; m=json.load(open(sys.argv[1])); print(m['records_in'], m['records_out'])" "$tmp/out/manifest.json")"
$py "$top/tools/dask/rachis_dask.py" "$tmp/in.jsonl" "$tmp/out" --rachis "$rachis" --partition-size 200 --workers 2 > /dev/null 2>&1
check "rerun skips finished partitions" 8 "$($py -c "import json,sys; print(sum(p['skipped'] for p in json.load(open(sys.argv[1]))['partitions']))" "$tmp/out/manifest.json")"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
