/* review_html.c — the review page: reads rachis/1 records (JSON Lines) and
 * writes one self-contained HTML page (inline CSS and script, no network, a
 * CSP that runs only our script).  Owns the HTML escaping of record bytes. */
#include "review_html.h"
#include "rachis.h"
#include "jsonv.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define N_CONCEPTS 4
#define N_ASSERTIONS 4
#define MAX_COMPLAINTS 20

enum { C_MET, C_FRAC, C_EXT, C_CORD };

/* Diagram order: data-state lists present concepts in this order. */
static const char *const CONCEPTS[N_CONCEPTS] = {"metastasis", "compression_fracture", "soft_tissue_extension",
                                                 "cord_compression"};
static const char *const CONCEPT_LABELS[N_CONCEPTS] = {"metastasis", "compression fracture", "soft tissue extension",
                                                       "cord compression"};
static const char *const ASSERTIONS[N_ASSERTIONS] = {"present", "absent", "possible", "hypothetical"};
static const char *const COMPARTMENTS[] = {"epidural", "paraspinal", "prevertebral", "foraminal", "intraspinal"};
static const char *const STRUCTURES[] = {"cord", "conus", "cauda_equina", "thecal_sac"};
#define N_COMPARTMENTS (sizeof COMPARTMENTS / sizeof *COMPARTMENTS)
#define N_STRUCTURES (sizeof STRUCTURES / sizeof *STRUCTURES)
#define THECAL_ONLY (1u << 3)

/* ---- the spine ------------------------------------------------------------ */

typedef struct vertebra {
    const char *label;
    int height;           /* drawn height in the diagram */
    bool transitional;    /* drawn only when the report uses it */
} vertebra;

static const vertebra SPINE[] = {
    {"C1", 12, false}, {"C2", 14, false}, {"C3", 12, false}, {"C4", 12, false}, {"C5", 12, false},
    {"C6", 12, false}, {"C7", 12, false}, {"T1", 14, false}, {"T2", 14, false}, {"T3", 14, false},
    {"T4", 14, false}, {"T5", 14, false}, {"T6", 15, false}, {"T7", 15, false}, {"T8", 15, false},
    {"T9", 15, false}, {"T10", 16, false}, {"T11", 16, false}, {"T12", 17, false}, {"T13", 17, true},
    {"L1", 18, false}, {"L2", 18, false}, {"L3", 19, false}, {"L4", 19, false}, {"L5", 19, false},
    {"L6", 19, true}, {"S1", 12, false}, {"S2", 11, false}, {"S3", 10, false}, {"S4", 9, false},
    {"S5", 8, false}, {"Co", 9, false},
};
#define N_SPINE (sizeof SPINE / sizeof *SPINE)

/* Diagram geometry (SVG user units). */
enum { GAP = 3, TOP = 4, LABEL_X = 24, BODY_X = 28, BODY_W = 44, EXT_X = 75, EXT_W = 7, CANAL_X = 86,
       CANAL_W = 12, SVG_W = 104, ZOOM_PCT = 125 };

typedef struct level_state {
    unsigned concepts;       /* bit per CONCEPTS index: present and not historical */
    double height_loss;      /* largest stated height_loss_pct of such a fracture, 0 when none */
    unsigned compartments;   /* bit per COMPARTMENTS index (extension) */
    unsigned structures;     /* bit per STRUCTURES index (cord compression) */
    bool mentioned, linked;  /* in "levels" / in some finding's levels */
} level_state;

/* ---- records -------------------------------------------------------------- */

typedef struct record {
    jv v;
    long line;
    int group;               /* 0 urgent, 1 a present non-historical finding, 2 the rest */
} record;

typedef struct record_list {
    record *items;
    size_t n, cap;
} record_list;

typedef struct finding {
    const jv *v;
    int concept, assertion;  /* index into CONCEPTS / ASSERTIONS, -1 when unknown */
    bool historical, has_span;
    size_t start, end;       /* byte offsets into the record's text, when has_span */
} finding;

static const char *const GROUP_NAMES[3] = {"urgent", "findings", "other"};
static const char *const GROUP_TITLES[3] = {"Urgent", "With present findings", "Other reports"};

static void *xrealloc(void *p, size_t size)
{
    p = realloc(p, size ? size : 1);
    if (!p) {
        fputs("rachis: out of memory\n", stderr);
        abort();
    }
    return p;
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p) {
        fputs("rachis: out of memory\n", stderr);
        abort();
    }
    return p;
}

static bool is_true(const jv *v) { return v && v->type == JV_BOOL && v->b; }

static bool str_is(const jv *v, const char *s) { return v && v->type == JV_STRING && !strcmp(v->s, s); }

static int name_index(const jv *v, const char *const *names, size_t n)
{
    for (size_t i = 0; v && v->type == JV_STRING && i < n; i++)
        if (!strcmp(v->s, names[i])) return (int)i;
    return -1;
}

static int spine_index(const jv *v)
{
    for (size_t i = 0; v && v->type == JV_STRING && i < N_SPINE; i++)
        if (!strcmp(v->s, SPINE[i].label)) return (int)i;
    return -1;
}

static size_t array_count(const jv *v) { return v && v->type == JV_ARRAY ? v->count : 0; }

/* A JSON number that is a whole byte offset in [0, MAX]. */
static bool offset_of(const jv *v, size_t max, size_t *out)
{
    if (!v || v->type != JV_NUMBER || !(v->n >= 0) || v->n > (double)max) return false;
    size_t k = (size_t)v->n;
    if ((double)k != v->n) return false;
    *out = k;
    return true;
}

static int group_of(const jv *rec)
{
    const jv *flags = jv_get(rec, "flags"), *fs = jv_get(rec, "findings");
    if (is_true(jv_get(flags, "urgent"))) return 0;
    for (size_t i = 0; i < array_count(fs); i++)
        if (str_is(jv_get(&fs->items[i], "assertion"), "present") && !is_true(jv_get(&fs->items[i], "historical")))
            return 1;
    for (size_t c = 0; c < N_CONCEPTS; c++)
        if (is_true(jv_get(flags, CONCEPTS[c]))) return 1;
    return 2;
}

static void records_free(record_list *l)
{
    for (size_t i = 0; i < l->n; i++) jv_free(&l->items[i].v);
    free(l->items);
    memset(l, 0, sizeof *l);
}

static void records_push(record_list *l, const jv *v, long line)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->items = xrealloc(l->items, l->cap * sizeof *l->items);
    }
    record *r = &l->items[l->n++];
    r->v = *v;
    r->line = line;
    r->group = group_of(v);
}

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t') return false;
    return true;
}

/* Parses one line; false (after complaining, unless past the cap) when it is no rachis/1 record. */
static bool load_line(const char *path, long lineno, const char *line, size_t len, record_list *l, long *bad)
{
    jv v;
    size_t off;
    const char *err;
    if (!jv_parse(line, len, &v, &off, &err)) {
        if (++*bad <= MAX_COMPLAINTS) fprintf(stderr, "%s:%ld:%zu: error: %s\n", path, lineno, off + 1, err);
        return false;
    }
    if (!str_is(jv_get(&v, "schema"), "rachis/1")) {
        if (++*bad <= MAX_COMPLAINTS) fprintf(stderr, "%s:%ld: error: not a rachis/1 record\n", path, lineno);
        jv_free(&v);
        return false;
    }
    records_push(l, &v, lineno);
    return true;
}

/* Reads every record of PATH ("-": standard input); -1 after naming every bad line. */
static int load(const char *path, record_list *l)
{
    bool use_stdin = !strcmp(path, "-");
    FILE *f = use_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "rachis review: cannot read %s: %s\n", path, strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long lineno = 0, bad = 0;
    while ((n = getline(&line, &cap, f)) >= 0) {
        size_t len = (size_t)n;
        lineno++;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) len--;
        if (!blank(line, len)) load_line(path, lineno, line, len, l, &bad);
    }
    int rc = bad ? -1 : 0;
    if (bad > MAX_COMPLAINTS) fprintf(stderr, "%s: %ld more bad lines\n", path, bad - MAX_COMPLAINTS);
    if (ferror(f)) {
        fprintf(stderr, "rachis review: cannot read %s: %s\n", path, strerror(errno));
        rc = -1;
    }
    free(line);
    if (!use_stdin) fclose(f);
    return rc;
}

/* ---- escaping ------------------------------------------------------------- */

/* Writes S[0..n) as HTML text or attribute content: & < > " ' escaped; NUL,
 * other control bytes and invalid UTF-8 become U+FFFD, one per bad byte. */
static void esc(FILE *o, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run = 0;
    while (i < n) {
        unsigned char c = p[i];
        const char *rep = NULL;
        size_t step = 1;
        switch (c) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default:
            if (c >= 0x80) step = rachis_utf8_len(p + i, n - i);
            if (!step || (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) {
                rep = "&#xFFFD;";
                step = 1;
            }
        }
        if (rep) {
            fwrite(p + run, 1, i - run, o);
            fputs(rep, o);
            run = i + step;
        }
        i += step;
    }
    fwrite(p + run, 1, n - run, o);
}

static void esc_jv(FILE *o, const jv *v)
{
    if (v && v->type == JV_STRING) esc(o, v->s, v->len);
}

/* The string at KEY of OBJ, or DFLT (trusted) when absent or not a string. */
static void esc_field(FILE *o, const jv *obj, const char *key, const char *dflt)
{
    const jv *v = jv_get(obj, key);
    if (v && v->type == JV_STRING) esc(o, v->s, v->len);
    else fputs(dflt, o);
}

/* The labels of ARR (strings only), SEP between them; NONE when there are none. */
static void esc_list(FILE *o, const jv *arr, const char *sep, const char *none)
{
    size_t k = 0;
    for (size_t i = 0; i < array_count(arr); i++) {
        if (arr->items[i].type != JV_STRING) continue;
        if (k++) fputs(sep, o);
        esc_jv(o, &arr->items[i]);
    }
    if (!k) fputs(none, o);
}

/* A JSON value as reviewer text: strings bare, arrays "a, b", objects "{k: v}". */
static void value_text(FILE *o, const jv *v)
{
    switch (v->type) {
    case JV_NULL: fputs("null", o); break;
    case JV_BOOL: fputs(v->b ? "true" : "false", o); break;
    case JV_NUMBER: fprintf(o, "%.15g", v->n); break;
    case JV_STRING: esc(o, v->s, v->len); break;
    case JV_ARRAY:
        for (size_t i = 0; i < v->count; i++) {
            if (i) fputs(", ", o);
            value_text(o, &v->items[i]);
        }
        break;
    case JV_OBJECT:
        fputc('{', o);
        for (size_t i = 0; i < v->count; i++) {
            if (i) fputs(", ", o);
            esc(o, v->keys[i], strlen(v->keys[i]));
            fputs(": ", o);
            value_text(o, &v->items[i]);
        }
        fputc('}', o);
        break;
    }
}

/* ---- the page's own CSS and script (no record data in either) ------------ */

static const char CSS[] =
    ":root{--met:#a855f7;--met-bg:#f3e8ff;--frac:#d97706;--frac-bg:#fef3c7;--ext:#ea580c;--ext-bg:#ffedd5;"
    "--cord:#dc2626;--cord-bg:#fee2e2}\n"
    "*{box-sizing:border-box}[hidden]{display:none!important}\n"
    "body{margin:0;font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#111827;"
    "background:#f3f4f6}\n"
    "header.page{padding:10px 20px;background:#1f2937;color:#f9fafb}header.page h1{margin:0;font-size:20px}\n"
    "header.page p{margin:2px 0 0;font-size:13px;color:#d1d5db}\n"
    "#controls{position:sticky;top:0;z-index:5;display:flex;flex-wrap:wrap;gap:6px 18px;align-items:center;"
    "padding:8px 20px;background:#fff;border-bottom:1px solid #d1d5db;font-size:13px}\n"
    "#controls .group{display:flex;flex-wrap:wrap;gap:4px 10px;align-items:center}\n"
    "#controls .lbl{font-weight:600}#filter-count{color:#4b5563}.kbd-hint{color:#6b7280}\n"
    "main{padding:12px 20px}\n"
    ".group-heading{font-size:14px;text-transform:uppercase;letter-spacing:.05em;color:#4b5563;margin:16px 0 6px}\n"
    "article.report{background:#fff;border:1px solid #d1d5db;border-radius:6px;margin:0 0 16px;padding:12px 16px}\n"
    "article.report.urgent{border-left:6px solid var(--cord)}article.report.error{border-left:6px solid #6b7280}\n"
    "article.report.current{outline:3px solid #2563eb;outline-offset:2px}\n"
    ".report-id{margin:0;font-size:16px;overflow-wrap:anywhere}.meta{color:#4b5563;font-size:13px}\n"
    ".badge{display:inline-block;padding:0 7px;margin:4px 4px 0 0;border-radius:10px;font-size:12px;"
    "font-weight:600;border:1px solid #9ca3af}\n"
    ".b-urgent{background:var(--cord);border-color:var(--cord);color:#fff}.b-error{background:#374151;color:#fff}\n"
    ".b-metastasis{background:var(--met-bg);border-color:var(--met)}"
    ".b-compression_fracture{background:var(--frac-bg);border-color:var(--frac)}\n"
    ".b-soft_tissue_extension{background:var(--ext-bg);border-color:var(--ext)}"
    ".b-cord_compression{background:var(--cord-bg);border-color:var(--cord)}\n"
    ".error-box{margin:8px 0;padding:6px 8px;background:#f3f4f6;border:1px solid #9ca3af;border-radius:4px}\n"
    ".report-body{display:grid;grid-template-columns:150px minmax(0,1fr);gap:16px;margin-top:10px}\n"
    ".report-body.no-spine{grid-template-columns:minmax(0,1fr)}\n"
    "pre.report-text{margin:0;white-space:pre-wrap;overflow-wrap:anywhere;font:13px/1.55 ui-monospace,Menlo,"
    "Consolas,monospace;background:#fafafa;border:1px solid #e5e7eb;padding:8px;border-radius:4px}\n"
    ".no-text{color:#6b7280;font-style:italic}\n"
    "mark.f{color:inherit;border-radius:2px;padding:1px 0}\n"
    "mark.c-metastasis{background:var(--met-bg);box-shadow:inset 0 -2px 0 var(--met)}\n"
    "mark.c-compression_fracture{background:var(--frac-bg);box-shadow:inset 0 -2px 0 var(--frac)}\n"
    "mark.c-soft_tissue_extension{background:var(--ext-bg);box-shadow:inset 0 -2px 0 var(--ext)}\n"
    "mark.c-cord_compression{background:var(--cord-bg);box-shadow:inset 0 -2px 0 var(--cord)}\n"
    "mark.c-other{background:#e5e7eb}\n"
    "mark.a-absent{background:#f3f4f6;color:#6b7280;text-decoration:line-through;box-shadow:none}\n"
    "mark.a-possible{text-decoration:underline dashed 2px;text-underline-offset:3px;box-shadow:none}\n"
    "mark.a-hypothetical{outline:1px dotted #374151;font-style:italic;box-shadow:none}\n"
    "mark.hist{background-image:repeating-linear-gradient(135deg,transparent 0 4px,rgba(0,0,0,.09) 4px 6px)}\n"
    "body.hide-c-metastasis mark.c-metastasis,body.hide-c-compression_fracture mark.c-compression_fracture,"
    "body.hide-c-soft_tissue_extension mark.c-soft_tissue_extension,"
    "body.hide-c-cord_compression mark.c-cord_compression,body.hide-a-present mark.a-present,"
    "body.hide-a-absent mark.a-absent,body.hide-a-possible mark.a-possible,"
    "body.hide-a-hypothetical mark.a-hypothetical{background:none;box-shadow:none;text-decoration:none;"
    "outline:0;font-style:inherit;color:inherit}\n"
    "body.hide-c-metastasis tr.c-metastasis,body.hide-c-compression_fracture tr.c-compression_fracture,"
    "body.hide-c-soft_tissue_extension tr.c-soft_tissue_extension,"
    "body.hide-c-cord_compression tr.c-cord_compression,body.hide-a-present tr.a-present,"
    "body.hide-a-absent tr.a-absent,body.hide-a-possible tr.a-possible,"
    "body.hide-a-hypothetical tr.a-hypothetical{display:none}\n"
    "table.findings{border-collapse:collapse;width:100%;margin-top:10px;font-size:12.5px}\n"
    "table.findings th,table.findings td{border:1px solid #e5e7eb;padding:3px 6px;text-align:left;"
    "vertical-align:top}\n"
    "table.findings th{background:#f9fafb}td.ev,td.attrs{overflow-wrap:anywhere}\n"
    "td.rule{overflow-wrap:break-word}td.attrs{min-width:15em}\n"
    "tr.a-absent td{color:#6b7280}.attr.null{color:#9ca3af}.none{color:#6b7280;font-style:italic}\n"
    ".spine{margin:0}.spine svg{display:block}.spine text{font:9px system-ui,sans-serif;fill:#374151;"
    "text-anchor:end}\n"
    "rect.canal{fill:#eef2ff}rect.v{fill:#f3f4f6;stroke:#9ca3af;stroke-width:1}rect.v.mentioned{stroke:#111827}\n"
    "rect.v.met{fill:var(--met)}rect.v.frac{stroke:var(--frac);stroke-width:2}rect.v.frac:not(.met){fill:#fcd34d}\n"
    "rect.v.picked{stroke:#2563eb;stroke-width:3}rect.ext{fill:var(--ext)}rect.ext.other{fill:#fdba74}\n"
    "rect.cord{fill:var(--cord)}rect.cord.thecal{fill:#fca5a5}\n"
    ".legend{list-style:none;margin:6px 0 0;padding:0;font-size:11px;line-height:1.35}\n"
    ".legend li{display:flex;gap:5px;align-items:center}\n"
    ".sw{display:inline-block;flex:none;width:12px;height:10px;border:1px solid #9ca3af}"
    ".sw-met{background:var(--met)}.sw-frac{background:#fcd34d;border:2px solid var(--frac)}\n"
    ".sw-ext{background:var(--ext)}.sw-cord{background:var(--cord)}.sw-thecal{background:#fca5a5}\n"
    "@media print{#controls,.group-heading{display:none!important}body{background:#fff;font-size:10pt}"
    "header.page{background:#fff;color:#000;padding:0 0 6px}header.page p{color:#000}main{padding:0}"
    "article.report{border:0;border-radius:0;padding:0 0 0 8px;margin:0;outline:0!important}"
    "table.findings{font-size:8pt}td.ev,td.attrs{overflow-wrap:break-word}"
    "article.report~article.report{break-before:page}"
    ".spine,.report-head,tr{break-inside:avoid}"
    "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}\n";

static const char SCRIPT[] =
    "(function () {\n"
    "'use strict';\n"
    "var reports = Array.prototype.slice.call(document.querySelectorAll('article.report'));\n"
    "var headings = Array.prototype.slice.call(document.querySelectorAll('.group-heading'));\n"
    "var controls = document.getElementById('controls');\n"
    "var current = null;\n"
    "function boxes(kind) {\n"
    "  var out = {};\n"
    "  document.querySelectorAll('input[data-filter=\"' + kind + '\"]').forEach(function (b) {\n"
    "    out[b.value] = b.checked;\n"
    "  });\n"
    "  return out;\n"
    "}\n"
    "function words(s) { return s.split(/[\\s,;]+/).filter(function (w) { return w.length > 0; }); }\n"
    "function setCurrent(r, scroll) {\n"
    "  if (current) current.classList.remove('current');\n"
    "  current = r;\n"
    "  if (!r) return;\n"
    "  r.classList.add('current');\n"
    "  if (!scroll) return;\n"
    "  window.scrollTo(0, r.getBoundingClientRect().top + window.pageYOffset - controls.offsetHeight - 8);\n"
    "  r.focus({preventScroll: true});\n"
    "}\n"
    "function matches(r, levels, q, only, concepts, assertions) {\n"
    "  if (levels.length) {\n"
    "    var have = words(r.getAttribute('data-levels') || '');\n"
    "    if (!levels.some(function (l) { return have.indexOf(l) >= 0; })) return false;\n"
    "  }\n"
    "  if (q) {\n"
    "    var t = r.querySelector('.report-text');\n"
    "    var hay = (r.getAttribute('data-id') || '') + '\\n' + (t ? t.textContent : '');\n"
    "    if (hay.toLowerCase().indexOf(q) < 0) return false;\n"
    "  }\n"
    "  if (!only) return true;\n"
    "  return Array.prototype.some.call(r.querySelectorAll('tr.finding'), function (tr) {\n"
    "    return concepts[tr.getAttribute('data-concept')] === true &&\n"
    "      assertions[tr.getAttribute('data-assertion')] === true;\n"
    "  });\n"
    "}\n"
    "function apply() {\n"
    "  var concepts = boxes('concept'), assertions = boxes('assertion'), body = document.body;\n"
    "  Object.keys(concepts).forEach(function (c) { body.classList.toggle('hide-c-' + c, !concepts[c]); });\n"
    "  Object.keys(assertions).forEach(function (a) { body.classList.toggle('hide-a-' + a, !assertions[a]); });\n"
    "  var levels = words(document.getElementById('filter-level').value.toUpperCase());\n"
    "  var q = document.getElementById('filter-search').value.trim().toLowerCase();\n"
    "  var only = document.getElementById('filter-only-matching').checked;\n"
    "  var shown = 0;\n"
    "  reports.forEach(function (r) {\n"
    "    r.hidden = !matches(r, levels, q, only, concepts, assertions);\n"
    "    if (!r.hidden) shown++;\n"
    "  });\n"
    "  document.querySelectorAll('rect.v').forEach(function (v) {\n"
    "    v.classList.toggle('picked', levels.indexOf(v.getAttribute('data-level')) >= 0);\n"
    "  });\n"
    "  headings.forEach(function (h) {\n"
    "    var g = h.getAttribute('data-group');\n"
    "    h.hidden = !reports.some(function (r) { return !r.hidden && r.getAttribute('data-group') === g; });\n"
    "  });\n"
    "  document.getElementById('filter-count').textContent = shown + ' of ' + reports.length + ' reports shown';\n"
    "  if (current && current.hidden) setCurrent(null, false);\n"
    "}\n"
    "function move(step) {\n"
    "  var vis = reports.filter(function (r) { return !r.hidden; });\n"
    "  if (!vis.length) return;\n"
    "  var i = current ? vis.indexOf(current) : -1;\n"
    "  i = i < 0 ? (step > 0 ? 0 : vis.length - 1) : Math.max(0, Math.min(vis.length - 1, i + step));\n"
    "  setCurrent(vis[i], true);\n"
    "}\n"
    "controls.addEventListener('input', apply);\n"
    "controls.addEventListener('change', apply);\n"
    "document.addEventListener('keydown', function (e) {\n"
    "  if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;\n"
    "  var t = e.target;\n"
    "  if (t && (t.isContentEditable || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' ||\n"
    "            (t.tagName === 'INPUT' && t.type !== 'checkbox'))) {\n"
    "    if (e.key === 'Escape') t.blur();\n"
    "    return;\n"
    "  }\n"
    "  if (e.key === 'j' || e.key === 'ArrowDown') { e.preventDefault(); move(1); }\n"
    "  else if (e.key === 'k' || e.key === 'ArrowUp') { e.preventDefault(); move(-1); }\n"
    "});\n"
    "document.addEventListener('click', function (e) {\n"
    "  var r = e.target && e.target.closest ? e.target.closest('article.report') : null;\n"
    "  if (r) setCurrent(r, false);\n"
    "});\n"
    "apply();\n"
    "})();\n";

/* ---- SHA-256, for the CSP hash of SCRIPT (FIPS 180-4) --------------------- */

static const uint32_t SHA_K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t ror(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

static void sha256_block(uint32_t h[8], const unsigned char *p)
{
    uint32_t w[64], s[8];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++)
        w[i] = w[i - 16] + (ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3)) + w[i - 7] +
               (ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10));
    memcpy(s, h, sizeof s);
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = s[7] + (ror(s[4], 6) ^ ror(s[4], 11) ^ ror(s[4], 25)) + ((s[4] & s[5]) ^ (~s[4] & s[6])) +
                      SHA_K[i] + w[i];
        uint32_t t2 = (ror(s[0], 2) ^ ror(s[0], 13) ^ ror(s[0], 22)) + ((s[0] & s[1]) ^ (s[0] & s[2]) ^ (s[1] & s[2]));
        memmove(s + 1, s, 7 * sizeof *s);
        s[4] += t1;
        s[0] = t1 + t2;
    }
    for (int i = 0; i < 8; i++) h[i] += s[i];
}

/* Writes the base64 SHA-256 of MSG[0..n) (44 characters). */
static void sha256_base64(FILE *o, const char *msg, size_t n)
{
    static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    unsigned char tail[128] = {0}, d[33] = {0};
    size_t i = 0;
    for (; i + 64 <= n; i += 64) sha256_block(h, (const unsigned char *)msg + i);
    memcpy(tail, msg + i, n - i);
    tail[n - i] = 0x80;
    size_t tl = n - i + 9 <= 64 ? 64 : 128;
    for (int k = 0; k < 8; k++) tail[tl - 1 - (size_t)k] = (unsigned char)((uint64_t)n * 8 >> (8 * k));
    for (size_t k = 0; k < tl; k += 64) sha256_block(h, tail + k);
    for (int k = 0; k < 32; k++) d[k] = (unsigned char)(h[k / 4] >> (24 - 8 * (k % 4)));
    for (int k = 0; k < 33; k += 3) {
        uint32_t v = (uint32_t)d[k] << 16 | (uint32_t)d[k + 1] << 8 | d[k + 2];
        fputc(B64[v >> 18], o);
        fputc(B64[(v >> 12) & 63], o);
        fputc(B64[(v >> 6) & 63], o);
        fputc(k + 2 < 32 ? B64[v & 63] : '=', o);
    }
}

/* ---- findings ------------------------------------------------------------- */

/* A view of REC's findings; spans checked against the text length LEN. */
static size_t findings_of(const jv *rec, size_t len, bool has_text, finding **out)
{
    const jv *fs = jv_get(rec, "findings");
    size_t n = array_count(fs);
    finding *v = xcalloc(n, sizeof *v);
    for (size_t i = 0; i < n; i++) {
        const jv *f = &fs->items[i], *sp = jv_get(f, "span");
        v[i].v = f;
        v[i].concept = name_index(jv_get(f, "concept"), CONCEPTS, N_CONCEPTS);
        v[i].assertion = name_index(jv_get(f, "assertion"), ASSERTIONS, N_ASSERTIONS);
        v[i].historical = is_true(jv_get(f, "historical"));
        v[i].has_span = has_text && array_count(sp) == 2 && offset_of(&sp->items[0], len, &v[i].start) &&
                        offset_of(&sp->items[1], len, &v[i].end) && v[i].start <= v[i].end;
    }
    *out = v;
    return n;
}

static const char *concept_class(const finding *f) { return f->concept >= 0 ? CONCEPTS[f->concept] : "other"; }

static const char *assertion_class(const finding *f)
{
    return f->assertion >= 0 ? ASSERTIONS[f->assertion] : "other";
}

static bool counts(const finding *f) { return f->assertion == 0 && !f->historical; }

/* Concept, levels, assertion, historical, rule and trigger rule, for a title attribute. */
static void describe(FILE *o, const finding *f)
{
    esc_field(o, f->v, "concept", "?");
    fputs(" (", o);
    esc_field(o, f->v, "assertion", "?");
    fputs(")&#10;levels: ", o);
    esc_list(o, jv_get(f->v, "levels"), " ", "none");
    fprintf(o, "&#10;historical: %s&#10;rule: ", f->historical ? "yes" : "no");
    esc_field(o, f->v, "rule", "none");
    fputs("&#10;assertion trigger: ", o);
    esc_field(o, jv_get(f->v, "assertion_trigger"), "rule", "none");
}

/* The class list (BASE first) and data attributes shared by highlights and table rows. */
static void finding_attrs(FILE *o, const char *base, const finding *fs, size_t i)
{
    const finding *f = &fs[i];
    fprintf(o, " class=\"%s c-%s a-%s%s\" data-finding=\"%zu\" data-concept=\"", base, concept_class(f),
            assertion_class(f), f->historical ? " hist" : "", i);
    esc_field(o, f->v, "concept", "");
    fputs("\" data-assertion=\"", o);
    esc_field(o, f->v, "assertion", "");
    fputs("\" data-levels=\"", o);
    esc_list(o, jv_get(f->v, "levels"), " ", "");
    fprintf(o, "\" data-historical=\"%s\"", f->historical ? "true" : "false");
}

/* ---- the highlighted text ------------------------------------------------- */

static size_t span_len(const finding *f) { return f->end - f->start; }

static int by_offset(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

/* The findings whose span covers [A, B), longest first (then input order), into COVER. */
static size_t covering(const finding *fs, size_t nf, size_t a, size_t b, size_t *cover)
{
    size_t n = 0;
    for (size_t i = 0; i < nf; i++) {
        const finding *f = &fs[i];
        if (!f->has_span || f->start >= f->end || f->start > a || f->end < b) continue;
        size_t j = n++;
        while (j > 0 && span_len(&fs[cover[j - 1]]) < span_len(f)) {
            cover[j] = cover[j - 1];
            j--;
        }
        cover[j] = i;
    }
    return n;
}

/* Opens the highlight of finding I; the innermost one's title also names OUTER[0..n_outer). */
static void mark_open(FILE *o, const finding *fs, size_t i, const size_t *outer, size_t n_outer)
{
    fputs("<mark", o);
    finding_attrs(o, "f", fs, i);
    fputs(" title=\"", o);
    describe(o, &fs[i]);
    for (size_t k = n_outer; k-- > 0;) {
        fputs("&#10;&#10;also: ", o);
        describe(o, &fs[outer[k]]);
    }
    fputs("\">", o);
}

/* TEXT cut at every span boundary; each piece nested in the highlights covering it, outermost first. */
static void text_html(FILE *o, const char *text, size_t len, const finding *fs, size_t nf)
{
    size_t *cut = xcalloc(2 * nf + 2, sizeof *cut), *cover = xcalloc(nf, sizeof *cover), nc = 0;
    cut[nc++] = 0;
    cut[nc++] = len;
    for (size_t i = 0; i < nf; i++)
        if (fs[i].has_span && fs[i].start < fs[i].end) {
            cut[nc++] = fs[i].start;
            cut[nc++] = fs[i].end;
        }
    qsort(cut, nc, sizeof *cut, by_offset);
    for (size_t k = 0; k + 1 < nc; k++) {
        size_t a = cut[k], b = cut[k + 1];
        if (a == b) continue;
        size_t n = covering(fs, nf, a, b, cover);
        for (size_t j = 0; j < n; j++) mark_open(o, fs, cover[j], cover, j + 1 == n ? j : 0);
        esc(o, text + a, b - a);
        for (size_t j = 0; j < n; j++) fputs("</mark>", o);
    }
    free(cut);
    free(cover);
}

/* ---- the spine diagram ---------------------------------------------------- */

static void note_finding(level_state *s, const finding *f)
{
    const jv *attrs = jv_get(f->v, "attributes");
    s->concepts |= 1u << f->concept;
    if (f->concept == C_FRAC) {
        const jv *loss = jv_get(attrs, "height_loss_pct");
        if (loss && loss->type == JV_NUMBER && loss->n > s->height_loss) s->height_loss = loss->n > 100 ? 100 : loss->n;
    } else if (f->concept == C_EXT) {
        const jv *cs = jv_get(attrs, "compartments");
        for (size_t i = 0; i < array_count(cs); i++) {
            int k = name_index(&cs->items[i], COMPARTMENTS, N_COMPARTMENTS);
            if (k >= 0) s->compartments |= 1u << k;
        }
    } else if (f->concept == C_CORD) {
        int k = name_index(jv_get(attrs, "structure"), STRUCTURES, N_STRUCTURES);
        if (k >= 0) s->structures |= 1u << k;
    }
}

static void spine_state(const jv *rec, const finding *fs, size_t nf, level_state st[N_SPINE])
{
    const jv *mentions = jv_get(rec, "levels");
    memset(st, 0, N_SPINE * sizeof *st);
    for (size_t i = 0; i < array_count(mentions); i++) {
        int k = spine_index(jv_get(&mentions->items[i], "level"));
        if (k >= 0) st[k].mentioned = true;
    }
    for (size_t i = 0; i < nf; i++) {
        const jv *ls = jv_get(fs[i].v, "levels");
        for (size_t j = 0; j < array_count(ls); j++) {
            int k = spine_index(&ls->items[j]);
            if (k < 0) continue;
            st[k].linked = true;
            if (counts(&fs[i]) && fs[i].concept >= 0) note_finding(&st[k], &fs[i]);
        }
    }
}

static bool drawn(size_t i, const level_state *s) { return !SPINE[i].transitional || s->mentioned || s->linked; }

/* Space-separated names of the bits of MASK. */
static void bit_names(FILE *o, unsigned mask, const char *const *names, size_t n)
{
    const char *sep = "";
    for (size_t i = 0; i < n; i++)
        if (mask & (1u << i)) {
            fprintf(o, "%s%s", sep, names[i]);
            sep = " ";
        }
}

static void vertebra_body(FILE *o, size_t ri, size_t i, const level_state *s, int y)
{
    const char *lab = SPINE[i].label;
    double h = SPINE[i].height, top = y;
    bool frac = s->concepts & (1u << C_FRAC);
    if (frac && s->height_loss > 0) {
        double k = 1 - s->height_loss / 100;
        h *= k < 0.35 ? 0.35 : k;
        top += (SPINE[i].height - h) / 2;
    }
    fprintf(o, "<rect id=\"v-%zu-%s\" data-level=\"%s\" class=\"v%s%s%s\" data-state=\"", ri, lab, lab,
            s->concepts & (1u << C_MET) ? " met" : "", frac ? " frac" : "", s->mentioned ? " mentioned" : "");
    bit_names(o, s->concepts, CONCEPTS, N_CONCEPTS);
    fputc('"', o);
    if (frac && s->height_loss > 0) fprintf(o, " data-height-loss=\"%g\"", s->height_loss);
    fprintf(o, " x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" rx=\"2\"><title>%s: ", BODY_X, top, BODY_W, h, lab);
    if (!s->concepts) fputs(s->mentioned ? "mentioned, no present finding" : "no finding", o);
    for (size_t c = 0, k = 0; c < N_CONCEPTS; c++)
        if (s->concepts & (1u << c)) fprintf(o, "%s%s", k++ ? ", " : "", CONCEPT_LABELS[c]);
    if (frac && s->height_loss > 0) fprintf(o, " (%g%% height loss)", s->height_loss);
    fputs("</title></rect>", o);
}

static void vertebra_svg(FILE *o, size_t ri, size_t i, const level_state *s, int y)
{
    const char *lab = SPINE[i].label;
    int h = SPINE[i].height;
    fprintf(o, "<g class=\"vert\" data-level=\"%s\"><text x=\"%d\" y=\"%d\">%s</text>", lab, LABEL_X, y + h / 2 + 3,
            lab);
    vertebra_body(o, ri, i, s, y);
    if (s->concepts & (1u << C_EXT)) {
        fprintf(o, "<rect id=\"ext-%zu-%s\" data-level=\"%s\" class=\"ext%s\" data-compartments=\"", ri, lab, lab,
                s->compartments & 1u ? "" : " other");
        bit_names(o, s->compartments, COMPARTMENTS, N_COMPARTMENTS);
        fprintf(o, "\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"><title>%s: soft tissue extension (", EXT_X, y,
                EXT_W, h, lab);
        bit_names(o, s->compartments, COMPARTMENTS, N_COMPARTMENTS);
        fputs(")</title></rect>", o);
    }
    if (s->concepts & (1u << C_CORD)) {
        fprintf(o, "<rect id=\"cord-%zu-%s\" data-level=\"%s\" class=\"cord%s\" data-structure=\"", ri, lab, lab,
                s->structures == THECAL_ONLY ? " thecal" : "");
        bit_names(o, s->structures, STRUCTURES, N_STRUCTURES);
        fprintf(o, "\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"><title>%s: cord compression (", CANAL_X, y - 1,
                CANAL_W, h + 2, lab);
        bit_names(o, s->structures, STRUCTURES, N_STRUCTURES);
        fputs(")</title></rect>", o);
    }
    fputs("</g>", o);
}

static const char LEGEND[] =
    "<ul class=\"legend\"><li><span class=\"sw sw-met\"></span>metastasis</li>"
    "<li><span class=\"sw sw-frac\"></span>compression fracture (shorter: height loss)</li>"
    "<li><span class=\"sw sw-ext\"></span>epidural / paraspinal extension</li>"
    "<li><span class=\"sw sw-cord\"></span>cord, conus or cauda compression</li>"
    "<li><span class=\"sw sw-thecal\"></span>thecal sac compression</li></ul>"
    "<figcaption class=\"none\">present, non-historical findings</figcaption>";

static void spine_svg(FILE *o, size_t ri, const level_state *st)
{
    int height = 2 * TOP;
    for (size_t i = 0; i < N_SPINE; i++)
        if (drawn(i, &st[i])) height += SPINE[i].height + GAP;
    fprintf(o, "<figure class=\"spine\"><svg class=\"spine-svg\" id=\"spine-%zu\" xmlns=\"http://www.w3.org/2000/svg\" "
               "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"Sagittal spine diagram\">"
               "<rect class=\"canal\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"3\"/>",
            ri, SVG_W * ZOOM_PCT / 100, height * ZOOM_PCT / 100, SVG_W, height, CANAL_X, TOP, CANAL_W,
            height - 2 * TOP);
    int y = TOP;
    for (size_t i = 0; i < N_SPINE; i++)
        if (drawn(i, &st[i])) {
            vertebra_svg(o, ri, i, &st[i], y);
            y += SPINE[i].height + GAP;
        }
    fprintf(o, "</svg>%s</figure>", LEGEND);
}

/* ---- the findings table --------------------------------------------------- */

typedef struct row {
    int rank;              /* spine position; unknown labels, then no level, last */
    size_t finding, pos;
    const jv *level;
} row;

static int by_row(const void *a, const void *b)
{
    const row *x = a, *y = b;
    if (x->rank != y->rank) return x->rank < y->rank ? -1 : 1;
    if (x->finding != y->finding) return x->finding < y->finding ? -1 : 1;
    return (x->pos > y->pos) - (x->pos < y->pos);
}

static void attributes_html(FILE *o, const jv *attrs)
{
    if (!attrs || attrs->type != JV_OBJECT || !attrs->count) {
        fputs("<span class=\"none\">none</span>", o);
        return;
    }
    for (size_t i = 0; i < attrs->count; i++) {
        fprintf(o, "%s<span class=\"attr%s\">", i ? "; " : "", attrs->items[i].type == JV_NULL ? " null" : "");
        esc(o, attrs->keys[i], strlen(attrs->keys[i]));
        fputs(": ", o);
        value_text(o, &attrs->items[i]);
        fputs("</span>", o);
    }
}

static void row_html(FILE *o, const row *r, const finding *fs, const jv *text)
{
    const finding *f = &fs[r->finding];
    const jv *ev = jv_get(f->v, "text");
    fputs("<tr", o);
    finding_attrs(o, "finding", fs, r->finding);
    fputs(" data-level=\"", o);
    esc_jv(o, r->level);
    fputs("\"><td class=\"lvl\">", o);
    if (r->level) esc_jv(o, r->level);
    else fputs("\xe2\x80\x94", o);
    fputs("</td><td>", o);
    esc_field(o, f->v, "concept", "");
    fputs("</td><td>", o);
    esc_field(o, f->v, "assertion", "");
    fprintf(o, "</td><td>%s</td><td>", f->historical ? "yes" : "no");
    esc_field(o, f->v, "section", "");
    fputs("</td><td class=\"ev\">", o);
    if (ev && ev->type == JV_STRING) esc_jv(o, ev);
    else if (f->has_span) esc(o, text->s + f->start, f->end - f->start);
    fputs("</td><td class=\"attrs\">", o);
    attributes_html(o, jv_get(f->v, "attributes"));
    fputs("</td><td class=\"rule\">", o);
    esc_field(o, f->v, "rule", "");
    fputs("</td><td class=\"rule\">", o);
    esc_field(o, jv_get(f->v, "assertion_trigger"), "rule", "");
    fputs("</td></tr>\n", o);
}

/* One row per (finding, level) — a finding without levels gives one — in spine order. */
static void table_html(FILE *o, size_t ri, const jv *text, const finding *fs, size_t nf)
{
    if (!nf) {
        fputs("<p class=\"none\">No findings.</p>\n", o);
        return;
    }
    size_t n = 0;
    for (size_t i = 0; i < nf; i++) {
        size_t k = array_count(jv_get(fs[i].v, "levels"));
        n += k ? k : 1;
    }
    row *rows = xcalloc(n, sizeof *rows), *r = rows;
    for (size_t i = 0; i < nf; i++) {
        const jv *ls = jv_get(fs[i].v, "levels");
        for (size_t j = 0; j < array_count(ls); j++, r++) {
            int k = spine_index(&ls->items[j]);
            *r = (row){k >= 0 ? k : (int)N_SPINE, i, j, &ls->items[j]};
        }
        if (!array_count(ls)) *r++ = (row){(int)N_SPINE + 1, i, 0, NULL};
    }
    qsort(rows, n, sizeof *rows, by_row);
    fprintf(o, "<table class=\"findings\" id=\"findings-%zu\"><thead><tr><th>Level</th><th>Concept</th>"
               "<th>Assertion</th><th>Historical</th><th>Section</th><th>Evidence</th><th>Attributes</th>"
               "<th>Rule</th><th>Assertion trigger</th></tr></thead><tbody>\n", ri);
    for (size_t i = 0; i < n; i++) row_html(o, &rows[i], fs, text);
    fputs("</tbody></table>\n", o);
    free(rows);
}

/* ---- one report ----------------------------------------------------------- */

static void header_html(FILE *o, const record *r, bool error)
{
    const jv *v = &r->v, *flags = jv_get(v, "flags"), *src = jv_get(v, "source");
    const jv *rec_no = jv_get(src, "record");
    fputs("<header class=\"report-head\"><h3 class=\"report-id\">", o);
    esc_field(o, v, "id", "(no id)");
    fputs("</h3><div class=\"meta\">patient <span class=\"patient\">", o);
    esc_field(o, v, "patient", "\xe2\x80\x94");
    fputs("</span> \xc2\xb7 date <span class=\"date\">", o);
    esc_field(o, v, "date", "\xe2\x80\x94");
    fputs("</span> \xc2\xb7 <span class=\"source\">", o);
    esc_field(o, src, "path", "?");
    fputs(" (", o);
    esc_field(o, src, "format", "?");
    if (rec_no && rec_no->type == JV_NUMBER) fprintf(o, ", record %.15g", rec_no->n);
    fprintf(o, ")</span> \xc2\xb7 input line %ld</div><div class=\"badges\">", r->line);
    if (error) fputs("<span class=\"badge b-error\" data-flag=\"error\">error</span>", o);
    if (is_true(jv_get(flags, "urgent"))) fputs("<span class=\"badge b-urgent\" data-flag=\"urgent\">urgent</span>", o);
    for (size_t c = 0; c < N_CONCEPTS; c++)
        if (is_true(jv_get(flags, CONCEPTS[c])))
            fprintf(o, "<span class=\"badge b-%s\" data-flag=\"%s\">%s</span>", CONCEPTS[c], CONCEPTS[c],
                    CONCEPT_LABELS[c]);
    fputs("</div></header>\n", o);
}

static void error_html(FILE *o, const jv *rec)
{
    const jv *e = jv_get(rec, "error"), *off = jv_get(e, "offset");
    fputs("<div class=\"error-box\"><strong>error <span class=\"error-code\">", o);
    esc_field(o, e, "code", "?");
    fputs("</span></strong>: <span class=\"error-message\">", o);
    esc_field(o, e, "message", "(no message)");
    fputs("</span>", o);
    if (off && off->type == JV_NUMBER) fprintf(o, " (offset %.15g)", off->n);
    fputs("</div>\n", o);
}

/* data-levels: every level the report mentions or links a finding to; data-concepts: present, non-historical. */
static void article_open(FILE *o, const record *r, size_t ri, const level_state *st, bool error)
{
    unsigned concepts = 0;
    for (size_t i = 0; i < N_SPINE; i++) concepts |= st[i].concepts;
    fprintf(o, "<article class=\"report%s%s\" id=\"report-%zu\" tabindex=\"-1\" data-index=\"%zu\" data-line=\"%ld\" "
               "data-group=\"%s\" data-status=\"%s\" data-urgent=\"%s\" data-id=\"",
            r->group == 0 ? " urgent" : "", error ? " error" : "", ri, ri, r->line, GROUP_NAMES[r->group],
            error ? "error" : "ok", r->group == 0 ? "true" : "false");
    esc_field(o, &r->v, "id", "");
    fputs("\" data-patient=\"", o);
    esc_field(o, &r->v, "patient", "");
    fputs("\" data-levels=\"", o);
    const char *sep = "";
    for (size_t i = 0; i < N_SPINE; i++)
        if (st[i].mentioned || st[i].linked) {
            fprintf(o, "%s%s", sep, SPINE[i].label);
            sep = " ";
        }
    fputs("\" data-concepts=\"", o);
    bit_names(o, concepts, CONCEPTS, N_CONCEPTS);
    fputs("\">\n", o);
}

static void report_html(FILE *o, const record *r, size_t ri)
{
    const jv *v = &r->v, *text = jv_get(v, "text");
    bool has_text = text && text->type == JV_STRING, error = str_is(jv_get(v, "status"), "error");
    finding *fs;
    size_t nf = findings_of(v, has_text ? text->len : 0, has_text, &fs);
    level_state st[N_SPINE];
    spine_state(v, fs, nf, st);
    article_open(o, r, ri, st, error);
    header_html(o, r, error);
    if (error) error_html(o, v);
    fprintf(o, "<div class=\"report-body%s\">", error ? " no-spine" : "");
    if (!error) spine_svg(o, ri, st);
    fputs("<div class=\"text-col\">", o);
    if (has_text) {
        fprintf(o, "<pre class=\"report-text\" id=\"text-%zu\">", ri);
        text_html(o, text->s, text->len, fs, nf);
        fputs("</pre>", o);
    } else {
        fputs("<p class=\"no-text\">No report text in this record (write records with --with-text).</p>", o);
    }
    fputs("</div></div>\n", o);
    if (!error || nf) table_html(o, ri, text, fs, nf);
    fputs("</article>\n", o);
    free(fs);
}

/* ---- the page ------------------------------------------------------------- */

static void page_head(FILE *o, const char *path, const record_list *l)
{
    size_t groups[3] = {0}, errors = 0;
    for (size_t i = 0; i < l->n; i++) {
        groups[l->items[i].group]++;
        errors += str_is(jv_get(&l->items[i].v, "status"), "error");
    }
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
          "img-src 'none'; base-uri 'none'; form-action 'none'; script-src 'sha256-", o);
    sha256_base64(o, SCRIPT, sizeof SCRIPT - 1);
    fprintf(o, "'\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
               "<meta name=\"referrer\" content=\"no-referrer\">\n<title>rachis review</title>\n<style>\n%s</style>\n"
               "</head>\n<body>\n<header class=\"page\"><h1>rachis review</h1><p><span id=\"count-reports\">%zu</span> "
               "reports from <code class=\"input-path\">",
            CSS, l->n);
    esc(o, path, strlen(path));
    fprintf(o, "</code>: <span id=\"count-urgent\">%zu</span> urgent, <span id=\"count-findings\">%zu</span> with "
               "present findings, <span id=\"count-other\">%zu</span> other, <span id=\"count-errors\">%zu</span> "
               "errors</p></header>\n",
            groups[0], groups[1], groups[2], errors);
}

static void controls_html(FILE *o)
{
    fputs("<nav id=\"controls\" aria-label=\"Filters\"><div class=\"group\" id=\"filter-concepts\">"
          "<span class=\"lbl\">Concept</span>", o);
    for (size_t c = 0; c < N_CONCEPTS; c++)
        fprintf(o, "<label><input type=\"checkbox\" id=\"filter-concept-%s\" data-filter=\"concept\" value=\"%s\" "
                   "checked> %s</label>", CONCEPTS[c], CONCEPTS[c], CONCEPT_LABELS[c]);
    fputs("</div><div class=\"group\" id=\"filter-assertions\"><span class=\"lbl\">Assertion</span>", o);
    for (size_t a = 0; a < N_ASSERTIONS; a++)
        fprintf(o, "<label><input type=\"checkbox\" id=\"filter-assertion-%s\" data-filter=\"assertion\" value=\"%s\" "
                   "checked> %s</label>", ASSERTIONS[a], ASSERTIONS[a], ASSERTIONS[a]);
    fputs("</div><div class=\"group\"><label><span class=\"lbl\">Level</span> <input type=\"text\" id=\"filter-level\" "
          "size=\"8\" placeholder=\"e.g. T12\" autocomplete=\"off\"></label>"
          "<label><span class=\"lbl\">Search</span> <input type=\"search\" id=\"filter-search\" size=\"24\" "
          "placeholder=\"report text or id\" autocomplete=\"off\"></label>"
          "<label><input type=\"checkbox\" id=\"filter-only-matching\"> only reports with a checked finding</label>"
          "</div><span id=\"filter-count\"></span><span class=\"kbd-hint\">j / k or \xe2\x86\x93 / \xe2\x86\x91: "
          "next / previous report</span></nav>\n", o);
}

int review_write_html(const char *jsonl_path, FILE *out)
{
    record_list l = {0};
    if (load(jsonl_path, &l) < 0) {
        records_free(&l);
        return -1;
    }
    page_head(out, jsonl_path, &l);
    controls_html(out);
    fputs("<main id=\"reports\">\n", out);
    if (!l.n) fputs("<p class=\"none\">No records.</p>\n", out);
    for (int g = 0; g < 3; g++) {
        size_t n = 0;
        for (size_t i = 0; i < l.n; i++) n += l.items[i].group == g;
        if (n) fprintf(out, "<h2 class=\"group-heading\" data-group=\"%s\">%s (%zu)</h2>\n", GROUP_NAMES[g],
                       GROUP_TITLES[g], n);
        for (size_t i = 0; i < l.n; i++)
            if (l.items[i].group == g) report_html(out, &l.items[i], i);
    }
    fprintf(out, "</main>\n<script>%s</script>\n</body></html>\n", SCRIPT);
    records_free(&l);
    if (fflush(out) || ferror(out)) {
        fprintf(stderr, "rachis review: cannot write the page: %s\n", strerror(errno));
        return -1;
    }
    return 0;
}
