#!/bin/sh
# tests/registry.sh — the registry items (primary tumour, SINS components) of
# the multi-report patients of corpora/patients/ are exactly those of
# tests/data/registry-patients.tsv, which was checked by hand against the text.
# usage: tests/registry.sh RACHIS
set -eu
rachis=${1:?usage: tests/registry.sh RACHIS}
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export RACHIS_PATTERNS="$top/patterns"

"$rachis" extract -q "$top/corpora/patients/reports.jsonl" -o "$work/out.jsonl"
python3 - "$work/out.jsonl" "$top/tests/data/registry-patients.tsv" <<'PY'
import json, sys
got = []
for line in open(sys.argv[1]):
    r = json.loads(line)
    got.append("PRIMARY\t%s\t%s" % (r["id"], r["primary"]["site"] if r["primary"] else "-"))
    for v in r["sins"]:
        val = lambda k: v[k]["value"] or "-"
        got.append("\t".join(["SINS", r["id"], v["level"], val("location"), val("lesion"), val("alignment"),
                              val("collapse"), val("posterolateral"), "%d-%d" % (v["min"], v["max"]),
                              v["category"] or "-"]))
want = [l.rstrip("\n") for l in open(sys.argv[2]) if l.strip() and not l.startswith("#")]
if len([w for w in want if w.startswith("SINS")]) < 30:
    sys.exit("registry: the expected file lost its SINS rows")
missing = [w for w in want if w not in got]
extra = [g for g in got if g not in want]
for w in missing: print("registry: want " + w.replace("\t", " | "))
for g in extra: print("registry: got  " + g.replace("\t", " | "))
if missing or extra:
    sys.exit(1)
print("registry: %d primary and %d SINS rows as expected" % (len([w for w in want if w.startswith("PRIMARY")]),
                                                            len([w for w in want if w.startswith("SINS")])))
PY
