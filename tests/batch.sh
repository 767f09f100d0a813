#!/bin/sh
# tests/batch.sh — rachis extract at scale: -j 1 and -j 4 byte-identical,
# the SQLite store holds what the JSONL says, a killed run resumed equals an
# uninterrupted one, CSV cells cannot run as formulas.  usage: tests/batch.sh RACHIS
set -u
rachis=${1:?usage: tests/batch.sh RACHIS}
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
check() { if [ "$2" = "$3" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1: expected [$2] got [$3]"; fi; }

# an archive: the dev corpus copied a few times, with an unreadable file in it
mkdir "$tmp/in"
for k in 1 2 3 4; do mkdir "$tmp/in/$k"; cp "$top"/corpora/dev/reports/*.txt "$tmp/in/$k/"; done
ln -s /nonexistent "$tmp/in/2/zz-missing.txt"
n=$(find "$tmp/in" -name '*.txt' | wc -l)

"$rachis" extract -q -j 1 "$tmp/in" > "$tmp/j1.jsonl"
check "exit with one error record" 1 $?
"$rachis" extract -q -j 4 "$tmp/in" > "$tmp/j4.jsonl"
check "-j 1 and -j 4 byte-identical" "$(md5sum < "$tmp/j1.jsonl")" "$(md5sum < "$tmp/j4.jsonl")"
check "one record per input" "$n" "$(wc -l < "$tmp/j1.jsonl")"

# the store holds exactly what the JSONL says
"$rachis" extract -q -j 2 --db "$tmp/full.db" --with-text -o "$tmp/full.jsonl" "$tmp/in"
check "store reports" "$n" "$(sqlite3 "$tmp/full.db" 'select count(*) from reports')"
check "store findings = JSONL findings" "$(grep -o '"concept":' "$tmp/full.jsonl" | wc -l)" "$(sqlite3 "$tmp/full.db" 'select count(*) from findings')"
check "store error records" 1 "$(sqlite3 "$tmp/full.db" "select count(*) from reports where status='error'")"
check "store records = JSONL records" "$(sort "$tmp/full.jsonl" | md5sum)" "$(sqlite3 "$tmp/full.db" 'select record_json from reports' | sort | md5sum)"
check "schema version" 1 "$(sqlite3 "$tmp/full.db" "select value from meta where key='schema_version'")"

# a run killed half-way, then resumed, gives the same store as one uninterrupted run
"$rachis" extract -q -j 2 --db "$tmp/ref.db" "$tmp/in"
( "$rachis" extract -q -j 2 --db "$tmp/resumed.db" "$tmp/in" & pid=$!; sleep 0.15; kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null ) 2>/dev/null
"$rachis" extract --db "$tmp/resumed.db" "$tmp/in" 2> "$tmp/resume.err"
dump() { sqlite3 "$1" "select id, hash, record_json from reports order by id; select * from findings order by report_id, n; select * from finding_levels order by report_id, n, level;" | md5sum; }
check "killed and resumed = uninterrupted" "$(dump "$tmp/ref.db")" "$(dump "$tmp/resumed.db")"
check "integrity" ok "$(sqlite3 "$tmp/resumed.db" 'pragma integrity_check')"
"$rachis" extract --db "$tmp/ref.db" "$tmp/in" 2> "$tmp/rerun.err"
check "a complete store reruns as all skipped" "rachis: 0 reports (0 errors, $n already stored)" "$(sed 's/, [0-9]* urgent.*//' "$tmp/rerun.err")"

# CSV export: RFC 4180 and no formulas
printf '{"id":"=HYPERLINK(\\"http://x\\")","patient":"+1","date":"2024-01-01","text":"Compression fracture of T12, \\"quoted\\"."}\n' > "$tmp/f.jsonl"
"$rachis" extract -q --csv "$tmp/f.csv" "$tmp/f.jsonl" > /dev/null
check "csv formula cells" '"'"'"'=HYPERLINK(""http://x"")","'"'"'+1","2024-01-01","compression_fracture","T12","present","false","other","Compression fracture","fracture:compression-fracture"' \
  "$(sed -n 2p "$tmp/f.csv" | cut -d, -f1-10)"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
