#!/bin/sh
# tests/cli.sh — transcripts of rachis command lines: exit codes, error
# records for unreadable files, diagnostics, atomic output, no report text
# on stderr.  usage: tests/cli.sh RACHIS
set -u
rachis=${1:?usage: tests/cli.sh RACHIS}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
check() {  # check NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1: expected [$2] got [$3]"; fi
}

# an unreadable file in a directory still yields its record, and the run goes on
mkdir "$tmp/in"
printf 'FINDINGS: Compression fracture of T12.\n' > "$tmp/in/a.txt"
ln -s /nonexistent/rachis-report "$tmp/in/b.txt"
printf 'Secret patient text: no cord compression.\n' > "$tmp/in/c.txt"
"$rachis" extract "$tmp/in" > "$tmp/out.jsonl" 2> "$tmp/err.txt"
check "exit status with an unreadable file" 1 $?
check "one record per file" 3 "$(wc -l < "$tmp/out.jsonl")"
check "error record" '"status":"error","error":{"code":"io","message":"'"$tmp"'/in/b.txt: cannot read: No such file or directory","offset":null}' \
  "$(grep -o '"status":"error","error":{[^}]*}' "$tmp/out.jsonl")"
check "ids are relative to the argument" 'a.txt b.txt c.txt' "$(grep -o '"id":"[^"]*"' "$tmp/out.jsonl" | cut -d'"' -f4 | tr '\n' ' ' | sed 's/ $//')"
check "no report text on stderr" 0 "$(grep -c 'Secret' "$tmp/err.txt")"

# -o writes the whole file or nothing, and leaves no temporary behind
"$rachis" extract -q -o "$tmp/o.jsonl" "$tmp/in/a.txt"
check "-o exit status" 0 $?
check "-o record" 1 "$(wc -l < "$tmp/o.jsonl")"
check "-o temporary removed" 0 "$(ls "$tmp" | grep -c tmp)"

# standard input
check "stdin" '"id":"stdin"' "$(printf 'No fracture.\n' | "$rachis" extract -q - | grep -o '"id":"stdin"')"

# usage errors exit 2
"$rachis" extract --no-such-option "$tmp/in" 2>/dev/null
check "unknown option" 2 $?
"$rachis" frobnicate 2>/dev/null
check "unknown command" 2 $?
"$rachis" extract 2>/dev/null
check "no input" 2 $?
"$rachis" extract --jobs 0 x 2>/dev/null
check "bad --jobs" 2 $?

# help comes from the option table
check "help lists extract" 1 "$("$rachis" --help | grep -c '^  extract ')"
check "help extract lists --with-text" 1 "$("$rachis" help extract | grep -c -- '--with-text')"

# a broken pattern directory: file:line:col, caret, exit 2
mkdir "$tmp/pat"
printf 'level numeric := (?<r1>[ctls])(?<n1>\\d+)\nrule fx concept=compression_fracture := fracture(\n' > "$tmp/pat/levels.rules"
"$rachis" check-patterns "$tmp/pat" 2> "$tmp/perr.txt"
check "check-patterns exit" 2 $?
check "check-patterns message" "$tmp/pat/levels.rules:2:50: error: missing closing parenthesis" "$(head -1 "$tmp/perr.txt")"
"$rachis" extract --patterns "$tmp/pat" "$tmp/in/a.txt" > /dev/null 2>&1
check "extract with broken patterns" 2 $?
"$rachis" check-patterns > /dev/null
check "shipped patterns are valid" 0 $?
"$rachis" check-patterns --strict -q
check "shipped patterns pass --strict" 0 $?

# rachis assert: target<TAB>sentence in, assertion<TAB>historical<TAB>trigger out
printf 'cord compression\tNo evidence of cord compression.\nfracture\tHistory of T12 compression fracture.\nnotab\nmets\tNo fracture.\n' > "$tmp/a.tsv"
"$rachis" assert "$tmp/a.tsv" > "$tmp/a.out"
check "assert exit with a bad line" 1 $?
check "assert output" "absent	false	context:no-evidence|present	true	context:history-of|error	$tmp/a.tsv:3: expected target<TAB>sentence|error	$tmp/a.tsv:4: the target is not in the sentence" \
  "$(tr '\n' '|' < "$tmp/a.out" | sed 's/|$//')"

# rachis eval: scores and --min-f1
printf '{"id":"a.txt","findings":[{"concept":"compression_fracture","levels":["T12"],"assertion":"present","historical":false}]}\n{"id":"c.txt","findings":[{"concept":"metastasis","levels":[],"assertion":"present","historical":false}]}\n' > "$tmp/gold.jsonl"
"$rachis" eval -q --gold "$tmp/gold.jsonl" --json "$tmp/in" > "$tmp/eval.json" 2>/dev/null
check "eval exit" 0 $?
check "eval micro" '"micro":{"precision":0.5000,"recall":0.5000,"f1":0.5000,"tp":1,"fp":1,"fn":1}' \
  "$(grep -o '"all":{.*' "$tmp/eval.json" | grep -o '"micro":{[^}]*}')"
"$rachis" eval -q --gold "$tmp/gold.jsonl" --min-f1 0.9 "$tmp/in" > /dev/null 2>&1
check "eval below --min-f1" 1 $?
"$rachis" extract -q "$tmp/in" > "$tmp/res.jsonl"
"$rachis" eval --gold "$tmp/gold.jsonl" --results "$tmp/res.jsonl" --json > "$tmp/eval2.json"
check "eval of saved results equals eval of a run" "$(cat "$tmp/eval.json")" "$(cat "$tmp/eval2.json")"

# one report as CDA, HL7 v2, CSV and JSON Lines: same id, patient, date and findings
top=$(cd "$(dirname "$0")/.." && pwd)
for f in "$top"/tests/golden/formats/report.*; do
  "$rachis" extract -q "$f" | sed -e 's/"source":{[^}]*},//' -e 's/"span":\[[0-9,]*\]//g' -e 's/"sentence":\[[0-9,]*\]//g' \
    -e 's/"text":"[^"]*",//g' -e 's/"levels":\[{.*}\],"findings"/"findings"/' -e 's/"section":"[a-z]*",//g' \
    -e 's/,"assertion_trigger":[^}]*}//g' > "$tmp/fmt-$(basename "$f").out"
done
check "formats agree (cda, hl7)" "$(cat "$tmp/fmt-report.csv.out")" "$(cat "$tmp/fmt-report.hl7.out")"
check "formats agree (csv, jsonl)" "$(cat "$tmp/fmt-report.csv.out")" "$(cat "$tmp/fmt-report.jsonl.out")"
check "formats agree (csv, cda)" "$(cat "$tmp/fmt-report.csv.out")" "$(cat "$tmp/fmt-report.xml.out")"
check "formats carry the ids" 4 "$(cat "$tmp"/fmt-*.out | grep -c '"id":"ACC1001","status":"ok","patient":"MRN123","date":"2024-03-17"')"

# rachis flag: most urgent first, exit 3 when something is flagged, 0 when nothing is
mkdir "$tmp/fl"
printf 'FINDINGS: Lytic metastasis in L3.\n' > "$tmp/fl/a.txt"
printf 'FINDINGS: Epidural tumour at T7 compresses the spinal cord.\n' > "$tmp/fl/b.txt"
printf 'FINDINGS: Pathologic compression fracture of T12.\n' > "$tmp/fl/c.txt"
printf 'FINDINGS: Normal study. No cord compression.\n' > "$tmp/fl/d.txt"
printf 'HISTORY: Cord compression at T4 treated with radiotherapy in 2019.\n' > "$tmp/fl/e.txt"
"$rachis" flag -q "$tmp/fl" > "$tmp/flag.out"
check "flag exit" 3 $?
check "flag order" "urgent b.txt T7|high c.txt T12|review a.txt L3" "$(cut -f1,2,4 "$tmp/flag.out" | tr '\t' ' ' | tr '\n' '|' | sed 's/|$//')"
"$rachis" flag -q --min urgent --json "$tmp/fl" > "$tmp/flag.json"
check "flag --min urgent --json" '{"tier":1,"id":"b.txt","patient":null,"date":null,"concept":"cord_compression","levels":"T7","sentence":"Epidural tumour at T7 compresses the spinal cord."}' "$(cat "$tmp/flag.json")"
"$rachis" flag -q "$tmp/fl/d.txt" "$tmp/fl/e.txt" > /dev/null
check "flag exit when nothing" 0 $?

# an output that is not a regular file (a FIFO here, /dev/null in practice) is written, never replaced
for cmd in extract timeline review; do
  mkfifo "$tmp/fifo.$cmd"
  cat "$tmp/fifo.$cmd" > "$tmp/fifo.$cmd.got" &
  reader=$!
  case $cmd in
    extract) "$rachis" extract -q -o "$tmp/fifo.$cmd" "$tmp/in/a.txt" ;;
    timeline) printf '{"id":"t1","patient":"P1","date":"2024-01-02","text":"Lytic metastasis at T12."}\n' > "$tmp/fifo.jsonl"
              "$rachis" extract -q --db "$tmp/fifo.db" "$tmp/fifo.jsonl" -o /dev/null
              "$rachis" timeline -q --db "$tmp/fifo.db" -o "$tmp/fifo.$cmd" ;;
    review) "$rachis" review -q -o "$tmp/fifo.$cmd" "$tmp/in/a.txt" ;;
  esac
  check "$cmd -o FIFO exit status" 0 $?
  wait $reader
  check "$cmd -o FIFO is still a FIFO" yes "$([ -p "$tmp/fifo.$cmd" ] && echo yes)"
  check "$cmd -o FIFO got the output" yes "$([ -s "$tmp/fifo.$cmd.got" ] && echo yes)"
  check "$cmd -o FIFO left no temporary" 0 "$(ls "$tmp" | grep -c "fifo.$cmd.tmp")"
done
check "/dev/null is still a device" yes "$([ -c /dev/null ] && echo yes)"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
