/* fhir.c — rachis extract --fhir: a record as one FHIR R4 Bundle (collection):
 * a DiagnosticReport, an Observation per finding, per primary tumour and per SINS
 * level, or an OperationOutcome.  External codes: patterns/fhir.rules (docs/fhir.md). */
#include "fhir.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* rachis's namespace: its code systems, identifier system and extension.
 * A reserved name (RFC 2606), as rachis has no web home: it names, it does
 * not resolve. */
#define BASE "https://rachis.example/fhir"
#define CS BASE "/CodeSystem/"
#define EVIDENCE_URL BASE "/StructureDefinition/evidence"
#define SINS_POINTS_URL BASE "/StructureDefinition/sins-points"
#define REPORT_ID_SYSTEM BASE "/report-id"
/* UUID v5 namespace of fullUrls: uuid5(NAMESPACE_URL, BASE) */
static const unsigned char uuid_ns[16] = {0xe1, 0x97, 0x7d, 0x69, 0x43, 0x65, 0x55, 0x2a,
                                          0xb4, 0x31, 0x1b, 0xdd, 0x94, 0xab, 0x72, 0x9e};

typedef struct fhir_out {
    rachis_buf *b;
    const rachis_record *r;
    const rachis_engine *e;
} fhir_out;

/* ------------------------------------------------------------ JSON pieces */

static void lit(rachis_buf *b, const char *s) { rachis_buf_append(b, s, strlen(s)); }

/* A comma before the next member or item, unless it is the first. */
static void sep(rachis_buf *b)
{
    char c = b->len ? b->data[b->len - 1] : '[';
    if (c != '[' && c != '{') rachis_buf_putc(b, ',');
}

static void key(rachis_buf *b, const char *name)
{
    sep(b);
    rachis_buf_putc(b, '"');
    lit(b, name);
    lit(b, "\":");
}

/* A FHIR string: control characters other than tab, CR and LF are not
 * allowed in one, so they become spaces (offsets still count the bytes). */
static void str(rachis_buf *b, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && ((unsigned char)s[i] >= 0x20 || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) i++;
    if (i == n) {
        rachis_json_string(b, s, n);
        return;
    }
    rachis_buf clean = {0};
    rachis_buf_append(&clean, s, n);
    for (size_t k = i; k < n; k++)
        if ((unsigned char)clean.data[k] < 0x20 && s[k] != '\t' && s[k] != '\n' && s[k] != '\r') clean.data[k] = ' ';
    rachis_json_string(b, clean.data, n);
    rachis_buf_free(&clean);
}

static void cstr(rachis_buf *b, const char *s) { str(b, s, strlen(s)); }

/* An offset as a FHIR integer (32-bit), or a decimal past that. */
static void offset_value(rachis_buf *b, size_t v)
{
    char tmp[48];
    snprintf(tmp, sizeof tmp, v <= INT32_MAX ? "\"valueInteger\":%zu" : "\"valueDecimal\":%zu", v);
    lit(b, tmp);
}

static void number(rachis_buf *b, double d)
{
    char tmp[48];
    if (fabs(d) < 1e15 && d == (double)(long long)d) snprintf(tmp, sizeof tmp, "%lld", (long long)d);
    else snprintf(tmp, sizeof tmp, "%.6g", d);
    lit(b, tmp);
}

/* NAME with '_' written as a space: "compression fracture". */
static void words(rachis_buf *b, const char *name)
{
    for (const char *c = name; *c; c++) rachis_buf_putc(b, *c == '_' ? ' ' : *c);
}

/* ---------------------------------------------------------------- fullUrl */

static uint32_t rol(uint32_t x, int k) { return x << k | x >> (32 - k); }

static void sha1_block(uint32_t h[5], const unsigned char *p)
{
    uint32_t w[80], v[5];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 80; i++) w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    memcpy(v, h, sizeof v);
    for (int i = 0; i < 80; i++) {
        uint32_t f, k;
        if (i < 20) f = (v[1] & v[2]) | (~v[1] & v[3]), k = 0x5A827999u;
        else if (i < 40) f = v[1] ^ v[2] ^ v[3], k = 0x6ED9EBA1u;
        else if (i < 60) f = (v[1] & v[2]) | (v[1] & v[3]) | (v[2] & v[3]), k = 0x8F1BBCDCu;
        else f = v[1] ^ v[2] ^ v[3], k = 0xCA62C1D6u;
        uint32_t t = rol(v[0], 5) + f + v[4] + k + w[i];
        v[4] = v[3];
        v[3] = v[2];
        v[2] = rol(v[1], 30);
        v[1] = v[0];
        v[0] = t;
    }
    for (int i = 0; i < 5; i++) h[i] += v[i];
}

static void sha1(const unsigned char *data, size_t n, unsigned char out[20])
{
    uint32_t h[5] = {0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u};
    size_t i = 0;
    for (; i + 64 <= n; i += 64) sha1_block(h, data + i);
    unsigned char tail[128] = {0};
    size_t rest = n - i, tn = rest + 9 <= 64 ? 64 : 128;
    memcpy(tail, data + i, rest);
    tail[rest] = 0x80;
    for (int k = 0; k < 8; k++) tail[tn - 1 - (size_t)k] = (unsigned char)((uint64_t)n * 8 >> (8 * k));
    sha1_block(h, tail);
    if (tn == 128) sha1_block(h, tail + 64);
    for (int k = 0; k < 20; k++) out[k] = (unsigned char)(h[k / 4] >> (24 - 8 * (k % 4)));
}

/* "urn:uuid:" + UUID v5 of the record (id, path, record number) and the
 * entry index: the same record always gets the same fullUrls. */
static void entry_url(const fhir_out *o, unsigned index)
{
    const rachis_record *r = o->r;
    rachis_buf name = {0};
    char tail[64];
    rachis_buf_append(&name, uuid_ns, sizeof uuid_ns);
    rachis_buf_append(&name, r->id ? r->id : "", r->id ? strlen(r->id) + 1 : 1);
    rachis_buf_append(&name, r->path ? r->path : "", r->path ? strlen(r->path) + 1 : 1);
    int tn = snprintf(tail, sizeof tail, "%ld%c%u", r->record, 0, index);
    rachis_buf_append(&name, tail, (size_t)tn);
    unsigned char d[20];
    sha1((const unsigned char *)name.data, name.len, d);
    rachis_buf_free(&name);
    d[6] = (unsigned char)((d[6] & 0x0f) | 0x50);
    d[8] = (unsigned char)((d[8] & 0x3f) | 0x80);
    char u[48];
    snprintf(u, sizeof u, "\"urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x\"", d[0], d[1],
             d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11], d[12], d[13], d[14], d[15]);
    lit(o->b, u);
}

/* ------------------------------------------------------------ codings */

/* The SYSTEM|CODE the engine's VCLASS rules give NAME: false when none. */
static bool lookup(const rachis_engine *e, const char *vclass, const char *name, const char **sys, size_t *sn,
                   const char **code)
{
    const char *v = rachis_engine_value(e, vclass, name, strlen(name));
    const char *bar = v ? strchr(v, '|') : NULL;
    if (!bar || bar == v || !bar[1]) return false;
    *sys = v;
    *sn = (size_t)(bar - v);
    *code = bar + 1;
    return true;
}

static void coding(rachis_buf *b, const char *sys, size_t sn, const char *code)
{
    sep(b);
    lit(b, "{\"system\":");
    str(b, sys, sn);
    lit(b, ",\"code\":");
    cstr(b, code);
    rachis_buf_putc(b, '}');
}

/* The coding of VCLASS for NAME, if the rules have one. */
static void external_coding(const fhir_out *o, const char *vclass, const char *name)
{
    const char *sys, *code;
    size_t sn;
    if (vclass && lookup(o->e, vclass, name, &sys, &sn, &code)) coding(o->b, sys, sn, code);
}

/* {"coding":[rachis's SYSTEM#CODE, the rules' coding],"text":TEXT}; TEXT
 * NULL: CODE in words. */
static void concept(const fhir_out *o, const char *system, const char *code, const char *vclass, const char *text)
{
    rachis_buf *b = o->b;
    lit(b, "{\"coding\":[");
    coding(b, system, strlen(system), code);
    external_coding(o, vclass, code);
    lit(b, "],\"text\":");
    if (text) {
        cstr(b, text);
    } else {
        rachis_buf_putc(b, '"');
        words(b, code);
        rachis_buf_putc(b, '"');
    }
    rachis_buf_putc(b, '}');
}

/* "category":[{"coding":[...]}] when the rules give VCLASS a code for NAME. */
static void category(const fhir_out *o, const char *vclass, const char *name)
{
    const char *sys, *code;
    size_t sn;
    if (!lookup(o->e, vclass, name, &sys, &sn, &code)) return;
    key(o->b, "category");
    lit(o->b, "[{\"coding\":[");
    coding(o->b, sys, sn, code);
    lit(o->b, "]}]");
}

/* ------------------------------------------------------------ shared parts */

static bool valid_date(const char *d)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (!d || strlen(d) != 10 || d[4] != '-' || d[7] != '-') return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (d[i] < '0' || d[i] > '9')) return false;
    int y = (d[0] - '0') * 1000 + (d[1] - '0') * 100 + (d[2] - '0') * 10 + (d[3] - '0');
    int m = (d[5] - '0') * 10 + (d[6] - '0'), day = (d[8] - '0') * 10 + (d[9] - '0');
    if (y < 1 || m < 1 || m > 12 || day < 1 || day > mdays[m - 1]) return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return !(m == 2 && day == 29 && !leap);
}

/* subject (an identifier reference: any patient id is valid there) and
 * effectiveDateTime, as the record knows them. */
static void subject_and_date(const fhir_out *o)
{
    const rachis_record *r = o->r;
    if (r->patient && *r->patient) {
        key(o->b, "subject");
        lit(o->b, "{\"type\":\"Patient\",\"identifier\":{\"value\":");
        cstr(o->b, r->patient);
        lit(o->b, "}}");
    }
    if (valid_date(r->date)) {
        key(o->b, "effectiveDateTime");
        cstr(o->b, r->date);
    }
}

/* "T12, L1" */
static void level_list(rachis_buf *b, rachis_levelset s)
{
    bool first = true;
    for (int l = 0; l < RACHIS_LEVEL_COUNT; l++)
        if (s & ((rachis_levelset)1 << l)) {
            if (!first) lit(b, ", ");
            lit(b, rachis_level_label(l));
            first = false;
        }
}

/* "compression fracture T7 (pathologic, genant grade 3)": a present
 * finding for the conclusion. */
static void phrase(rachis_buf *p, const rachis_finding *f)
{
    words(p, rachis_concept_name(f->concept));
    if (f->levels) {
        rachis_buf_putc(p, ' ');
        level_list(p, f->levels);
    }
    size_t open = p->len, n;
    const rachis_attr_def *defs = rachis_concept_attrs(f->concept, &n);
    for (size_t i = 0; i < n; i++) {
        const rachis_attr_value *v = &f->attrs[i];
        if (!v->set || defs[i].kind == RACHIS_ATTR_NUMBER || defs[i].kind == RACHIS_ATTR_BOOL) continue;
        for (int j = 0; defs[i].values[j]; j++) {
            if (defs[i].kind == RACHIS_ATTR_SET ? !(v->ivalue & (1 << j)) : v->ivalue != j) continue;
            lit(p, p->len == open ? " (" : ", ");
            if (defs[i].values[j][0] >= '0' && defs[i].values[j][0] <= '9') {   /* a grade: name it */
                words(p, defs[i].name);
                rachis_buf_putc(p, ' ');
            }
            words(p, defs[i].values[j]);
        }
    }
    if (f->historical) lit(p, p->len == open ? " (historical" : ", historical");
    if (p->len > open) rachis_buf_putc(p, ')');
}

/* Does the "; "-separated list ALL hold ONE already? */
static bool listed(const rachis_buf *all, const rachis_buf *one)
{
    for (size_t i = 0; i + one->len <= all->len;) {
        const char *end = strstr(all->data + i, "; ");
        size_t n = end ? (size_t)(end - all->data) - i : all->len - i;
        if (n == one->len && !memcmp(all->data + i, one->data, n)) return true;
        if (!end) break;
        i += n + 2;
    }
    return false;
}

static void conclusion(const fhir_out *o)
{
    rachis_buf all = {0}, one = {0};
    for (size_t i = 0; i < o->r->n_findings; i++) {
        if (o->r->findings[i].assertion != RACHIS_PRESENT) continue;
        one.len = 0;
        phrase(&one, &o->r->findings[i]);
        if (all.len && listed(&all, &one)) continue;
        if (all.len) lit(&all, "; ");
        rachis_buf_append(&all, one.data, one.len);
    }
    if (!all.len) {
        lit(&all, "No present finding of ");
        for (int c = 0; c < RACHIS_CONCEPT_COUNT; c++) {
            if (c) lit(&all, c + 1 < RACHIS_CONCEPT_COUNT ? ", " : " or ");
            words(&all, rachis_concept_name((rachis_concept)c));
        }
        rachis_buf_putc(&all, '.');
    }
    key(o->b, "conclusion");
    str(o->b, all.data, all.len);
    rachis_buf_free(&all);
    rachis_buf_free(&one);
}

/* ------------------------------------------------------- DiagnosticReport */

/* Observations of the registry items, after the findings': the primary
 * tumour when the report names one, then one per SINS level. */
static bool has_primary(const rachis_record *r) { return r->primary.site && *r->primary.site; }
static size_t registry_count(const rachis_record *r) { return (has_primary(r) ? 1 : 0) + r->n_sins; }

static void diagnostic_report(const fhir_out *o)
{
    rachis_buf *b = o->b;
    const rachis_record *r = o->r;
    bool ok = r->status == RACHIS_OK;
    lit(b, "{\"fullUrl\":");
    entry_url(o, 0);
    lit(b, ",\"resource\":{\"resourceType\":\"DiagnosticReport\"");
    if (r->id && *r->id) {
        key(b, "identifier");
        lit(b, "[{\"system\":\"" REPORT_ID_SYSTEM "\",\"value\":");
        cstr(b, r->id);
        lit(b, "}]");
    }
    key(b, "status");
    lit(b, ok ? "\"final\"" : "\"cancelled\"");   /* cancelled: the analysis did not complete */
    category(o, "fhir-report-category", "report");
    key(b, "code");
    rachis_buf_putc(b, '{');
    const char *sys, *code;
    size_t sn;
    if (lookup(o->e, "fhir-report-code", "report", &sys, &sn, &code)) {
        lit(b, "\"coding\":[");
        coding(b, sys, sn, code);
        lit(b, "]");
    }
    key(b, "text");
    lit(b, "\"Spine imaging report\"}");
    subject_and_date(o);
    size_t n_results = r->n_findings + registry_count(r);
    if (ok && n_results) {
        key(b, "result");
        rachis_buf_putc(b, '[');
        for (size_t i = 0; i < n_results; i++) {
            sep(b);
            lit(b, "{\"reference\":");
            entry_url(o, (unsigned)i + 1);
            rachis_buf_putc(b, '}');
        }
        rachis_buf_putc(b, ']');
    }
    if (ok) conclusion(o);
    lit(b, "}}");
}

/* ------------------------------------------------------------ Observation */

static void sub_offset(rachis_buf *b, const char *url, size_t v)
{
    sep(b);
    lit(b, "{\"url\":\"");
    lit(b, url);
    lit(b, "\",");
    offset_value(b, v);
    rachis_buf_putc(b, '}');
}

static void sub_string(rachis_buf *b, const char *url, const char *s, size_t n)
{
    if (!s || !n) return;   /* FHIR has no empty strings */
    sep(b);
    lit(b, "{\"url\":\"");
    lit(b, url);
    lit(b, "\",\"valueString\":");
    str(b, s, n);
    rachis_buf_putc(b, '}');
}

/* The words of SPAN, as the evidence's "text" part. */
static void span_text(const fhir_out *o, rachis_span s)
{
    if (o->r->text && s.start < s.end && s.end <= o->r->length)
        sub_string(o->b, "text", o->r->text + s.start, s.end - s.start);
}

static void sub_section(rachis_buf *b, rachis_section s)
{
    const char *section = rachis_section_name(s);
    sub_string(b, "section", section, strlen(section));
}

/* The evidence extension: where in the text, which rule, which trigger. */
static void evidence(const fhir_out *o, const rachis_finding *f)
{
    rachis_buf *b = o->b;
    key(b, "extension");
    lit(b, "[{\"url\":\"" EVIDENCE_URL "\",\"extension\":[");
    sub_offset(b, "spanStart", f->span.start);
    sub_offset(b, "spanEnd", f->span.end);
    sub_offset(b, "sentenceStart", f->sentence.start);
    sub_offset(b, "sentenceEnd", f->sentence.end);
    span_text(o, f->span);
    sub_string(b, "rule", f->rule, f->rule ? strlen(f->rule) : 0);
    sub_section(b, f->section);
    sep(b);
    lit(b, f->historical ? "{\"url\":\"historical\",\"valueBoolean\":true}" : "{\"url\":\"historical\",\"valueBoolean\":false}");
    if (f->trigger_rule) {
        sub_string(b, "triggerRule", f->trigger_rule, strlen(f->trigger_rule));
        sub_offset(b, "triggerStart", f->trigger_span.start);
        sub_offset(b, "triggerEnd", f->trigger_span.end);
    }
    lit(b, "]}]");
}

static int level_count(rachis_levelset s)
{
    int n = 0;
    for (int l = 0; l < RACHIS_LEVEL_COUNT; l++) n += (s >> l) & 1;
    return n;
}

static void level_concept(const fhir_out *o, int level)
{
    const char *label = rachis_level_label(level);
    concept(o, CS "level", label, "fhir-level", label);
}

/* bodySite is one CodeableConcept in R4: the vertebra when there is one,
 * else the list as text (each vertebra is then coded in a component). */
static void body_site(const fhir_out *o, rachis_levelset s)
{
    int n = level_count(s);
    if (!n) return;
    key(o->b, "bodySite");
    if (n == 1) {
        for (int l = 0; l < RACHIS_LEVEL_COUNT; l++)
            if (s & ((rachis_levelset)1 << l)) level_concept(o, l);
        return;
    }
    lit(o->b, "{\"text\":\"");
    level_list(o->b, s);
    lit(o->b, "\"}");
}

/* Opens a component: its code is a name in rachis's component code system. */
static void component_open(const fhir_out *o, const char *name)
{
    sep(o->b);
    lit(o->b, "{\"code\":");
    concept(o, CS "component", name, NULL, name);
}

static void component_coded(const fhir_out *o, const char *name, const char *value)
{
    char system[96];
    snprintf(system, sizeof system, CS "%s", name);
    component_open(o, name);
    key(o->b, "valueCodeableConcept");
    concept(o, system, value, NULL, value);
    rachis_buf_putc(o->b, '}');
}

static void component_number(const fhir_out *o, const rachis_attr_def *d, double v)
{
    const char *sys, *code;
    size_t sn;
    if (!isfinite(v)) return;
    component_open(o, d->name);
    key(o->b, "valueQuantity");
    lit(o->b, "{\"value\":");
    number(o->b, v);
    if (lookup(o->e, "fhir-unit", d->name, &sys, &sn, &code)) {
        key(o->b, "unit");
        cstr(o->b, code);
        key(o->b, "system");
        str(o->b, sys, sn);
        key(o->b, "code");
        cstr(o->b, code);
    }
    lit(o->b, "}}");
}

static void component_attr(const fhir_out *o, const rachis_attr_def *d, const rachis_attr_value *v)
{
    if (!v->set) return;
    switch (d->kind) {
    case RACHIS_ATTR_ENUM: component_coded(o, d->name, d->values[v->ivalue]); break;
    case RACHIS_ATTR_NUMBER: component_number(o, d, v->number); break;
    case RACHIS_ATTR_BOOL:
        component_open(o, d->name);
        lit(o->b, v->ivalue ? ",\"valueBoolean\":true}" : ",\"valueBoolean\":false}");
        break;
    case RACHIS_ATTR_SET:
        for (int j = 0; d->values[j]; j++)
            if (v->ivalue & (1 << j)) component_coded(o, d->name, d->values[j]);
        break;
    }
}

/* "component": one per vertebra (code "level"), then one per attribute
 * value the report states (a set: one per member); omitted when empty. */
static void components(const fhir_out *o, const rachis_finding *f)
{
    rachis_buf *b = o->b;
    size_t n, mark = b->len;
    const rachis_attr_def *defs = rachis_concept_attrs(f->concept, &n);
    key(b, "component");
    rachis_buf_putc(b, '[');
    size_t open = b->len;
    for (int l = 0; l < RACHIS_LEVEL_COUNT; l++)
        if (f->levels & ((rachis_levelset)1 << l)) {
            component_open(o, "level");
            key(b, "valueCodeableConcept");
            level_concept(o, l);
            rachis_buf_putc(b, '}');
        }
    for (size_t i = 0; i < n; i++) component_attr(o, &defs[i], &f->attrs[i]);
    if (b->len == open) {   /* nothing to say */
        b->len = mark;
        b->data[mark] = '\0';
        return;
    }
    rachis_buf_putc(b, ']');
}

/* Opens entry INDEX, an Observation; closed by "}}". */
static void observation_open(const fhir_out *o, size_t index)
{
    sep(o->b);
    lit(o->b, "{\"fullUrl\":");
    entry_url(o, (unsigned)index);
    lit(o->b, ",\"resource\":{\"resourceType\":\"Observation\"");
}

/* The part every Observation shares after its extensions: status, the
 * category of CAT_KEY, the code (SYSTEM, CODE; coded by VCLASS rules; TEXT),
 * subject and date. */
static void observation_head(const fhir_out *o, const char *cat_key, const char *system, const char *code,
                             const char *vclass, const char *text)
{
    key(o->b, "status");
    lit(o->b, "\"final\"");
    category(o, "fhir-observation-category", cat_key);
    key(o->b, "code");
    concept(o, system, code, vclass, text);
    subject_and_date(o);
}

static void observation(const fhir_out *o, size_t i)
{
    rachis_buf *b = o->b;
    const rachis_finding *f = &o->r->findings[i];
    observation_open(o, i + 1);
    evidence(o, f);
    observation_head(o, "observation", CS "concept", rachis_concept_name(f->concept), "fhir-concept", NULL);
    key(b, "valueCodeableConcept");
    const char *a = rachis_assertion_name(f->assertion);
    concept(o, CS "assertion", a, "fhir-assertion", a);
    body_site(o, f->levels);
    components(o, f);
    lit(b, "}}");
}

/* ----------------------------------------------- registry: primary tumour */

/* The primary's evidence: its words, rule and section (the record gives it
 * no sentence, trigger or historical flag). */
static void primary_evidence(const fhir_out *o, const rachis_primary *p)
{
    rachis_buf *b = o->b;
    key(b, "extension");
    lit(b, "[{\"url\":\"" EVIDENCE_URL "\",\"extension\":[");
    sub_offset(b, "spanStart", p->span.start);
    sub_offset(b, "spanEnd", p->span.end);
    span_text(o, p->span);
    sub_string(b, "rule", p->rule, p->rule ? strlen(p->rule) : 0);
    sub_section(b, p->section);
    lit(b, "]}]");
}

/* The primary tumour site the report states: an Observation derived from
 * the report, not a Condition (the report only repeats it; docs/fhir.md). */
static void primary_observation(const fhir_out *o, size_t index)
{
    rachis_buf *b = o->b;
    const rachis_primary *p = &o->r->primary;
    observation_open(o, index);
    primary_evidence(o, p);
    observation_head(o, "primary", CS "registry", "primary", "fhir-registry-code", "primary tumour site");
    key(b, "valueCodeableConcept");
    concept(o, CS "primary-site", p->site, "fhir-primary-site", p->site);
    lit(b, "}}");
}

/* ------------------------------------------------------ registry: SINS */

/* A Range of SINS points, unitless. */
static void points(rachis_buf *b, int min, int max)
{
    char tmp[96];
    snprintf(tmp, sizeof tmp, "{\"low\":{\"value\":%d},\"high\":{\"value\":%d}}", min, max);
    lit(b, tmp);
}

/* An item the report does not state: pain never is (it is clinical), the
 * others may be unstated; the rules' data-absent-reason coding for "pain" or
 * "unstated", and words. */
static void data_absent(const fhir_out *o, rachis_sins_item item)
{
    rachis_buf *b = o->b;
    bool pain = item == RACHIS_SINS_PAIN;
    const char *sys, *code;
    size_t sn;
    key(b, "dataAbsentReason");
    rachis_buf_putc(b, '{');
    if (lookup(o->e, "fhir-data-absent", pain ? "pain" : "unstated", &sys, &sn, &code)) {
        key(b, "coding");
        rachis_buf_putc(b, '[');
        coding(b, sys, sn, code);
        rachis_buf_putc(b, ']');
    }
    key(b, "text");
    lit(b, pain ? "\"pain is clinical: never scored from report text\"" : "\"not stated in the report\"");
    rachis_buf_putc(b, '}');
}

/* One SINS item: its points (a range) in the sins-points extension, the
 * stated value as valueCodeableConcept, or dataAbsentReason. */
static void sins_component(const fhir_out *o, rachis_sins_item item, const rachis_sins_component *c)
{
    rachis_buf *b = o->b;
    const char *name = rachis_sins_item_name(item);
    sep(b);
    lit(b, "{\"extension\":[{\"url\":\"" SINS_POINTS_URL "\",\"valueRange\":");
    points(b, c->min, c->max);
    lit(b, "}],\"code\":");
    concept(o, CS "sins-item", name, NULL, name);
    if (c->value) {
        char system[96];
        snprintf(system, sizeof system, CS "sins-%s", name);
        key(b, "valueCodeableConcept");
        concept(o, system, c->value, NULL, c->value);
    } else {
        data_absent(o, item);
    }
    rachis_buf_putc(b, '}');
}

/* One SINS level: the total's range as valueRange, the level as bodySite,
 * the category as interpretation when the range lies in one, six components. */
static void sins_observation(const fhir_out *o, size_t index, const rachis_sins *s)
{
    rachis_buf *b = o->b;
    observation_open(o, index);
    observation_head(o, "sins", CS "registry", "sins", "fhir-registry-code", "spinal instability neoplastic score (SINS)");
    key(b, "valueRange");
    points(b, s->min, s->max);
    if (s->category) {
        key(b, "interpretation");
        rachis_buf_putc(b, '[');
        concept(o, CS "sins-category", s->category, "fhir-sins-category", s->category);
        rachis_buf_putc(b, ']');
    }
    if (rachis_level_label(s->level)) {
        key(b, "bodySite");
        level_concept(o, s->level);
    }
    key(b, "component");
    rachis_buf_putc(b, '[');
    for (int i = 0; i < RACHIS_SINS_ITEM_COUNT; i++) sins_component(o, (rachis_sins_item)i, &s->items[i]);
    lit(b, "]}}");
}

static void registry(const fhir_out *o)
{
    size_t index = o->r->n_findings + 1;
    if (has_primary(o->r)) primary_observation(o, index++);
    for (size_t i = 0; i < o->r->n_sins; i++) sins_observation(o, index++, &o->r->sins[i]);
}

/* ------------------------------------------------------- OperationOutcome */

static void outcome(const fhir_out *o)
{
    rachis_buf *b = o->b;
    const char *code = o->r->error_code && *o->r->error_code ? o->r->error_code : "error";
    sep(b);
    lit(b, "{\"fullUrl\":");
    entry_url(o, 1);
    lit(b, ",\"resource\":{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\",\"code\":\"processing\"");
    key(b, "details");
    concept(o, CS "error", code, NULL, code);
    if (o->r->error_message && *o->r->error_message) {
        key(b, "diagnostics");
        cstr(b, o->r->error_message);
    }
    lit(b, "}]}}");
}

/* ------------------------------------------------------------------ API */

void fhir_bundle(rachis_buf *out, const rachis_record *r, const rachis_engine *e)
{
    fhir_out o = {out, r, e};
    lit(out, "{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"entry\":[");
    diagnostic_report(&o);
    if (r->status == RACHIS_OK) {
        for (size_t i = 0; i < r->n_findings; i++) observation(&o, i);
        registry(&o);
    } else {
        outcome(&o);
    }
    lit(out, "]}\n");
}
