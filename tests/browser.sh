#!/bin/sh
# tests/browser.sh — the review page in headless Chromium: every finding
# highlighted, present levels coloured on the spine, injected markup inert;
# a screenshot is left in the build directory.  usage: tests/browser.sh RACHIS OUTDIR
set -u
rachis=${1:?usage: tests/browser.sh RACHIS OUTDIR}
outdir=${2:-.}
top=$(cd "$(dirname "$0")/.." && pwd)
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then echo "browser: chromium not installed; skipped"; exit 0; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
check() { if [ "$2" = "$3" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1: expected [$2] got [$3]"; fi; }

# the sample corpus plus a report that tries to inject markup
mkdir "$tmp/in"
cp "$top"/corpora/sample/*.txt "$tmp/in/"
printf 'FINDINGS: <script>document.title="PWNED"</script> "><img src=x onerror="document.title=1"> </textarea> Pathologic compression fracture of T12 <b>bold</b>.\n' > "$tmp/in/zz-hostile.txt"
"$rachis" extract -q --with-text "$tmp/in" > "$tmp/records.jsonl"
"$rachis" review -q --results "$tmp/records.jsonl" -o "$tmp/review.html"
check "review exit" 0 $?
run() { timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --user-data-dir="$tmp/profile" "$@" 2>/dev/null; }
run --dump-dom "file://$tmp/review.html" > "$tmp/dom.html"
run --screenshot="$outdir/review.png" --window-size=1400,1800 "file://$tmp/review.html" > /dev/null
findings=$(python3 -c "
import json,sys
print(sum(1 for l in open(sys.argv[1]) for f in json.loads(l)['findings'] if f['span'][1] > f['span'][0]))" "$tmp/records.jsonl")
marks=$(python3 -c "
import re,sys
d=open(sys.argv[1]).read()
print(sum(len(set(re.findall(r'<mark[^>]*data-finding=\"([^\"]*)\"', a))) for a in d.split('<article')[1:]))" "$tmp/dom.html")
check "one highlight per finding" "$findings" "$marks"
check "T7 coloured for metastasis in sample-01" 1 "$(grep -o '<rect[^>]*id="v-0-T7"[^>]*>' "$tmp/dom.html" | grep -c 'data-state="[^"]*metastasis')"
check "cord compression marked at T7" 1 "$(grep -c 'id="cord-0-T7"' "$tmp/dom.html")"
check "injected script did not run" 0 "$(grep -c '<title>PWNED\|<title>1<' "$tmp/dom.html")"
check "injected img not in the DOM" 0 "$(grep -c '<img src="x"' "$tmp/dom.html")"
check "injected markup shown as text" 1 "$(grep -c '&lt;script&gt;document.title' "$tmp/dom.html")"
check "no network references" 0 "$(grep -c 'src="http\|href="http\|@import' "$tmp/review.html")"
check "screenshot written" 1 "$([ -s "$outdir/review.png" ] && echo 1 || echo 0)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
