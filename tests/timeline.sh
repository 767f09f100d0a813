#!/bin/sh
# tests/timeline.sh — rachis timeline over the store of corpora/patients
# against a timeline derived by hand from the corpus gold (rows listed in
# tests/data/timeline/divergent.txt excepted) and the primary tumour of every
# patient, plus primary ties and conflicts, skipped records, an empty store, a
# missing or foreign store, CSV formulas.  usage: tests/timeline.sh RACHIS
set -u
rachis=${1:?usage: tests/timeline.sh RACHIS}
top=$(cd "$(dirname "$0")/.." && pwd)
data=$top/tests/data/timeline
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
check() { if [ "$2" = "$3" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1: expected [$2] got [$3]"; fi; }

# line prefixes of the divergent rows, as CSV and as JSON
grep -v '^#' "$data/divergent.txt" | while read -r kind patient level concept _; do
  if [ "$kind" = patient ]; then
    printf '"patient","%s",\n' "$patient" >> "$tmp/div.csv"
    printf '{"kind":"patient","patient":"%s",\n' "$patient" >> "$tmp/div.json"
  else
    if [ "$level" = - ]; then lc='""'; lj=null; else lc="\"$level\""; lj="\"$level\""; fi
    printf '"level","%s",%s,"%s",\n' "$patient" "$lc" "$concept" >> "$tmp/div.csv"
    printf '{"kind":"level","patient":"%s","level":%s,"concept":"%s",\n' "$patient" "$lj" "$concept" >> "$tmp/div.json"
  fi
done

"$rachis" extract -q --db "$tmp/p.db" "$top/corpora/patients/reports.jsonl"
check "extract --db" 0 $?
sum=$(md5sum < "$tmp/p.db")
for fmt in csv json; do
  if [ $fmt = csv ]; then opt=; else opt=--json; fi
  "$rachis" timeline $opt --db "$tmp/p.db" > "$tmp/out.$fmt" 2> "$tmp/err.$fmt"
  check "$fmt: exit status" 0 $?
  check "$fmt: summary" "rachis timeline: 30 reports of 8 patients" "$(cat "$tmp/err.$fmt")"
  check "$fmt: rows as expected, divergent rows aside" "$(grep -v -F -f "$tmp/div.$fmt" "$data/expected.$fmt" | md5sum)" \
    "$(grep -v -F -f "$tmp/div.$fmt" "$tmp/out.$fmt" | md5sum)"
  grep -v -F -f "$tmp/div.$fmt" "$data/expected.$fmt" > "$tmp/e" && grep -v -F -f "$tmp/div.$fmt" "$tmp/out.$fmt" | diff "$tmp/e" - | sed 's/^/  /'
  check "$fmt: every divergent key is a row of the expected file or of the output" 0 \
    "$(while read -r p; do cat "$data/expected.$fmt" "$tmp/out.$fmt" | grep -q -F "$p" || echo "$p"; done < "$tmp/div.$fmt" | wc -l)"
  while read -r p; do   # a divergent row that has become right: say so (it can leave divergent.txt)
    [ "$(grep -F "$p" "$data/expected.$fmt")" = "$(grep -F "$p" "$tmp/out.$fmt")" ] && echo "NOTE: $fmt row now as expected, remove it from divergent.txt: $p"
  done < "$tmp/div.$fmt"
done
check "store not modified" "$sum" "$(md5sum < "$tmp/p.db")"
# the primary of every patient, divergent rows included (P006 names none; P007 only in its last report)
check "primary and primary_sites of each patient" "P001 breast breast
P002 prostate prostate
P003 myeloma myeloma
P004 kidney kidney
P005 lung lung
P006  
P007 unknown unknown
P008 breast breast" "$(grep '^"patient"' "$tmp/out.csv" | tr -d '\r"' | awk -F, '{print $2, $15, $16}')"
check "primary in JSON" 'P001 "breast" ["breast"]|P006 null []|P007 "unknown" ["unknown"]' \
  "$(grep '"kind":"patient"' "$tmp/out.json" | grep -E 'P00[167]' | sed 's/.*"patient":"\([^"]*\)".*"primary":\(.*\),"primary_sites":\(.*\)}$/\1 \2 \3/' | paste -sd'|')"
check "CSV and JSON have the same rows" "$(wc -l < "$tmp/out.json")" "$(($(wc -l < "$tmp/out.csv") - 1))"

# -o writes the file whole, like standard output
"$rachis" timeline -q --db "$tmp/p.db" -o "$tmp/o.csv"
check "-o exit status" 0 $?
check "-o = stdout" "$(md5sum < "$tmp/out.csv")" "$(md5sum < "$tmp/o.csv")"
check "-o temporary removed" 0 "$(ls "$tmp" | grep -c 'tmp\.')"

# records without a patient or a date, and error records, are counted and not used
{
  printf '{"id":"a1","patient":"A","date":"2024-01-02","text":"Lytic metastasis at T4."}\n'
  printf '{"id":"a2","patient":"A","date":"2024-03-04","text":"Stable T4 metastasis. Cord compression at T4."}\n'
  printf '{"id":"n1","date":"2024-01-01","text":"Metastasis at L1."}\n'
  printf '{"id":"n2","patient":"","date":"2024-01-01","text":"Metastasis at L1."}\n'
  printf '{"id":"d1","patient":"A","text":"Metastasis at C2."}\n'
  printf '{"id":"e1","patient":"A","date":"2023-01-01"}\n'
  printf '{"id":"f1","patient":"=HYPERLINK(\\"x\\")","date":"2024-05-06","text":"Compression fracture of T12."}\n'
} > "$tmp/s.jsonl"
"$rachis" extract -q --db "$tmp/s.db" "$tmp/s.jsonl"
"$rachis" timeline --db "$tmp/s.db" > "$tmp/s.csv" 2> "$tmp/s.err"
check "skipped records: exit status" 1 $?
check "skipped records: counted on stderr" \
  "rachis timeline: 4 of 7 reports not used: 1 error records, 2 without a patient id, 1 without a date
rachis timeline: 3 reports of 2 patients" "$(cat "$tmp/s.err")"
"$rachis" timeline -q --db "$tmp/s.db" > /dev/null 2> "$tmp/q.err"
check "skipped records: said even with -q" 1 "$(wc -l < "$tmp/q.err")"
check "skipped records: rows" \
  '"kind","patient","level","concept","first_seen","last_seen","reports_present","detail","reports","first_report","last_report","first_metastasis","first_pathologic_fracture","first_cord_compression","primary","primary_sites"
"patient","'"'"'=HYPERLINK(""x"")","","","","","","","1","2024-05-06","2024-05-06","","","","",""
"level","'"'"'=HYPERLINK(""x"")","T12","compression_fracture","2024-05-06","2024-05-06","1","","","","","","","","",""
"patient","A","","","","","","","2","2024-01-02","2024-03-04","2024-01-02","","2024-03-04","",""
"level","A","T4","cord_compression","2024-03-04","2024-03-04","1","cord","","","","","","","",""
"level","A","T4","metastasis","2024-01-02","2024-03-04","2","","","","","","","","",""' "$(tr -d '\r' < "$tmp/s.csv")"
check "skipped records: JSON strings escaped" '{"kind":"patient","patient":"=HYPERLINK(\"x\")","reports":1,' \
  "$("$rachis" timeline -q --json --db "$tmp/s.db" 2>/dev/null | head -1 | cut -d, -f1-3),"

# the primary: the site most reports name, ties to the site named last (date,
# then report id), every site in first-seen order; CSV and JSON escaped
{
  printf '{"id":"b1","patient":"B","date":"2024-01-01","text":"History of lung cancer. Lytic metastasis at T4."}\n'
  printf '{"id":"b2","patient":"B","date":"2024-02-01","text":"Known breast cancer. Metastasis at T4."}\n'
  printf '{"id":"b3","patient":"B","date":"2024-03-01","text":"Breast carcinoma. Metastasis at T5."}\n'
  printf '{"id":"b4","patient":"B","date":"2024-04-01","text":"Prostate adenocarcinoma. Metastasis at T5."}\n'
  printf '{"id":"c1","patient":"C","date":"2024-01-01","text":"Known breast cancer."}\n'
  printf '{"id":"c2","patient":"C","date":"2024-02-01","text":"History of lung cancer."}\n'
  printf '{"id":"c3","patient":"C","date":"2024-03-01","text":"No metastasis."}\n'
  printf '{"id":"d2","patient":"D","date":"2024-01-01","text":"Prostate adenocarcinoma."}\n'
  printf '{"id":"d1","patient":"D","date":"2024-01-01","text":"Renal cell carcinoma."}\n'
  printf '{"id":"e1","patient":"E","date":"2024-01-01","text":"Carcinoma of unknown primary."}\n'
  printf '{"id":"e2","patient":"E","date":"2024-06-01","text":"Lung adenocarcinoma."}\n'
  printf '{"id":"e3","patient":"E","date":"2024-07-01","text":"Metastatic carcinoma of unknown primary."}\n'
  printf '{"id":"f1","patient":"F","date":"2024-01-01","text":"Metastasis at L1."}\n'
} > "$tmp/pr.jsonl"
"$rachis" extract -q --db "$tmp/pr.db" "$tmp/pr.jsonl"
check "primary: majority, ties, first-seen order" "B breast lung;breast;prostate
C lung breast;lung
D prostate kidney;prostate
E lung unknown;lung
F  " "$("$rachis" timeline -q --db "$tmp/pr.db" | grep '^"patient"' | tr -d '\r"' | awk -F, '{print $2, $15, $16}')"
check "primary: JSON" '"primary":"lung","primary_sites":["unknown","lung"]}|"primary":null,"primary_sites":[]}' \
  "$("$rachis" timeline -q --json --db "$tmp/pr.db" | grep -E '"patient":"[EF]"' | grep -o '"primary":.*' | paste -sd'|')"
python3 - "$tmp/pr.db" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])   # a hostile site, as a foreign or edited store could hold
db.execute("""UPDATE reports SET record_json = json_set(record_json, '$.primary.site', '=x"y') WHERE id = 'e2'""")
db.execute("UPDATE reports SET record_json = 'not json' WHERE id = 'c2'")
db.commit()
EOF
check "primary: a hostile site escaped in CSV" '"patient","E","","","","","","","3","2024-01-01","2024-07-01","","","","'"'"'=x""y","unknown;=x""y"' \
  "$("$rachis" timeline -q --db "$tmp/pr.db" | grep '^"patient","E"' | tr -d '\r')"
check "primary: a hostile site escaped in JSON" '"primary":"=x\"y","primary_sites":["unknown","=x\"y"]}' \
  "$("$rachis" timeline -q --json --db "$tmp/pr.db" | grep '"patient":"E"' | grep -o '"primary":.*')"
check "primary: a record_json that is not JSON names no site" "C breast breast" \
  "$("$rachis" timeline -q --db "$tmp/pr.db" | grep '^"patient","C"' | tr -d '\r"' | awk -F, '{print $2, $15, $16}')"

# an empty store: the header alone (CSV), nothing (JSON)
: > "$tmp/empty.jsonl"
"$rachis" extract -q --db "$tmp/empty.db" "$tmp/empty.jsonl"
"$rachis" timeline --db "$tmp/empty.db" > "$tmp/e.csv" 2> "$tmp/e.err"
check "empty store: exit status" 0 $?
check "empty store: header only" 1 "$(wc -l < "$tmp/e.csv")"
check "empty store: summary" "rachis timeline: 0 reports of 0 patients" "$(cat "$tmp/e.err")"
check "empty store: JSON" 0 "$("$rachis" timeline -q --json --db "$tmp/empty.db" | wc -c)"

# a missing store, something that is not a store, no --db: exit 2 with a clear message
"$rachis" timeline --db "$tmp/missing.db" > "$tmp/m.out" 2> "$tmp/m.err"
check "missing store: exit status" 2 $?
check "missing store: message" "rachis timeline: cannot open $tmp/missing.db: No such file or directory" "$(cat "$tmp/m.err")"
check "missing store: no output, not created" "0 no" "$(wc -c < "$tmp/m.out") $([ -e "$tmp/missing.db" ] && echo yes || echo no)"
printf 'not a database\n' > "$tmp/text.db"
"$rachis" timeline --db "$tmp/text.db" 2> "$tmp/t.err"
check "not a store: exit status" 2 $?
check "not a store: message" "rachis timeline: $tmp/text.db: not a rachis store (no schema version; write one with rachis extract --db)" "$(cat "$tmp/t.err")"
"$rachis" timeline 2> /dev/null
check "no --db: exit status" 2 $?
"$rachis" timeline --db "$tmp/p.db" "$top/corpora/patients/reports.jsonl" 2> /dev/null
check "inputs given: exit status" 2 $?
"$rachis" timeline --db "$tmp/p.db" -o "$tmp/no/such/dir/out.csv" 2> /dev/null
check "unwritable -o: exit status" 2 $?

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
