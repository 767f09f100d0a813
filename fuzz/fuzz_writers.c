/* fuzz_writers.c — libFuzzer target: the writers, rachis_record_to_json
 * (json.c), csv_record (cli/csvout.c) and fhir_bundle (cli/fhir.c), on records built from the input
 * within the contract of rachis.h: strings (id, path, patient, date, error
 * message, text) are taken from the input as arbitrary bytes, findings get
 * valid enum values, level sets, attributes and spans inside the text.
 *
 * Layout: the first 2 bytes pick the shape (status, number of findings), then
 * NUL-separated strings id, path, patient, date, message; 8 bytes per
 * finding follow; the rest is the report text.  Also: rachis_json_string
 * on the whole input, and error records through rachis_scan_error. */
#define FUZZ_WITH_JSONV 1
#include "fuzz_common.h"

#include "csvout.h"
#include "fhir.h"

typedef struct src { const uint8_t *p; size_t n; } src;

static uint8_t take_byte(src *s)
{
    if (!s->n) return 0;
    s->n--;
    return *s->p++;
}

static uint64_t take_u64(src *s)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = v << 8 | take_byte(s);
    return v;
}

/* A NUL-terminated copy of the input up to the next NUL (or NULL, 1 in 8). */
static char *take_str(src *s, bool nullable)
{
    const uint8_t *z = memchr(s->p, 0, s->n);
    size_t l = z ? (size_t)(z - s->p) : s->n;
    char *out = malloc(l + 1);
    memcpy(out, s->p, l);
    out[l] = '\0';
    s->p += l + (z ? 1 : 0);
    s->n -= l + (z ? 1 : 0);
    if (nullable && l == 1 && out[0] == '~') { free(out); return NULL; }
    return out;
}

static rachis_scanner *scanner;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    if (rachis_scanner_create(fuzz_engine(), NULL, &scanner) != RACHIS_OK) exit(2);
    return 0;
}

static void render(const rachis_record *r)
{
    fuzz_render_json(r);
    rachis_buf csv = {0};
    csv_header(&csv);
    csv_record(&csv, r);
    rachis_buf_free(&csv);
    rachis_buf fhir = {0};
    fhir_bundle(&fhir, r, fuzz_engine());
    fuzz_check_json_line(&fhir, 0);
    rachis_buf_free(&fhir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* any bytes as a JSON string */
    {
        rachis_buf b = {0};
        rachis_json_string(&b, (const char *)data, size);
        if (!b.data || b.data[b.len] != '\0') FUZZ_DIE("rachis_json_string left the buffer unterminated");
        fuzz_check_json(b.data, b.len, JV_STRING, "rachis_json_string");
        rachis_buf_free(&b);
    }

    src s = {data, size};
    uint8_t shape = take_byte(&s), nf = take_byte(&s) % 17;
    rachis_record r;
    memset(&r, 0, sizeof r);
    r.id = take_str(&s, true);
    r.path = take_str(&s, true);
    r.patient = take_str(&s, true);
    r.date = take_str(&s, true);
    char *message = take_str(&s, true);
    r.record = (long)(shape >> 4) - 3;
    r.format = (rachis_format)(shape % 5);
    r.status = RACHIS_OK;

    rachis_finding findings[16];
    uint64_t fb[16];
    for (int i = 0; i < nf && i < 16; i++) fb[i] = take_u64(&s);
    /* the rest is the text, in a buffer of its exact size */
    size_t tlen = s.n;
    char *text = malloc(tlen ? tlen : 1);
    if (tlen) memcpy(text, s.p, tlen);
    r.text = text;
    r.length = tlen;

    rachis_level_mention mentions[4];
    size_t nm = 0;
    for (int i = 0; i < nf && i < 16; i++) {
        uint64_t v = fb[i];
        rachis_finding *f = &findings[i];
        memset(f, 0, sizeof *f);
        f->concept = (rachis_concept)(v % RACHIS_CONCEPT_COUNT);
        v /= RACHIS_CONCEPT_COUNT;
        f->assertion = (rachis_assertion)(v % RACHIS_ASSERTION_COUNT);
        v /= RACHIS_ASSERTION_COUNT;
        f->section = (rachis_section)(v % RACHIS_SECTION_COUNT);
        v /= RACHIS_SECTION_COUNT;
        f->historical = v & 1;
        v >>= 1;
        size_t a = tlen ? (size_t)(v % (tlen + 1)) : 0;
        v >>= 16;
        size_t b = tlen ? (size_t)(v % (tlen + 1)) : 0;
        v >>= 16;
        if (a > b) { size_t t = a; a = b; b = t; }
        f->span = (rachis_span){a, b};
        f->sentence = (rachis_span){0, tlen};
        f->levels = (rachis_levelset)(fb[i] * 0x9E3779B97F4A7C15ull) & ((1ull << RACHIS_LEVEL_COUNT) - 1);
        f->rule = (v & 1) ? "fuzz:rule" : "fuzz:\"odd\\rule\"";
        f->trigger_rule = (v & 2) ? "context:trigger" : NULL;
        f->trigger_span = (rachis_span){a, b};
        size_t na;
        const rachis_attr_def *defs = rachis_concept_attrs(f->concept, &na);
        uint64_t av = fb[i] ^ (fb[i] >> 29);
        for (size_t k = 0; k < na && k < RACHIS_MAX_ATTRS; k++) {
            rachis_attr_value *x = &f->attrs[k];
            x->set = av & 1;
            av >>= 1;
            int nv = 0;
            if (defs[k].values)
                while (defs[k].values[nv]) nv++;
            switch (defs[k].kind) {
            case RACHIS_ATTR_ENUM: x->ivalue = nv ? (int)(av % (unsigned)nv) : 0; if (!nv) x->set = false; break;
            case RACHIS_ATTR_SET: x->ivalue = nv ? (int)(av & ((1u << nv) - 1)) : 0; break;
            case RACHIS_ATTR_BOOL: x->ivalue = (int)(av & 1); break;
            case RACHIS_ATTR_NUMBER: {
                static const double nums[] = {0, 1, -1, 0.5, 1e15, -1e300, 1e300, 123456789.125, 3.0e-7, 42};
                x->number = nums[av % 10];
                if ((av & 0xF0) == 0xF0) x->number = (double)(int64_t)av / 7.0;
                break;
            }
            }
            av >>= 5;
        }
        if (nm < 4 && (fb[i] & 0x100)) {
            mentions[nm].level = (int)(fb[i] % RACHIS_LEVEL_COUNT);
            mentions[nm].span = f->span;
            nm++;
        }
    }
    r.findings = nf ? findings : NULL;
    r.n_findings = nf;
    r.levels = nm ? mentions : NULL;
    r.n_levels = nm;
    for (int c = 0; c < RACHIS_CONCEPT_COUNT; c++) r.flags[c] = (shape >> c) & 1;
    r.urgent = shape & 0x80;
    fuzz_check_record(&r);
    render(&r);

    /* the same as an error record, built by hand ... */
    rachis_record e = r;
    e.status = (rachis_status)(1 + shape % 5);
    e.error_code = (shape & 8) ? NULL : "input";
    e.error_message = message;
    e.error_offset = (shape & 4) ? -1 : (long long)tlen;
    e.findings = NULL;
    e.n_findings = 0;
    e.levels = NULL;
    e.n_levels = 0;
    render(&e);

    /* ... and by the library */
    rachis_input in;
    memset(&in, 0, sizeof in);
    in.id = r.id;
    in.path = r.path;
    in.patient = r.patient;
    in.date = r.date;
    in.record = r.record;
    in.format = r.format;
    const rachis_record *le = NULL;
    rachis_scan_error(scanner, &in, (shape & 1) ? "io" : "too_large", message ? message : "", e.error_offset, &le);
    fuzz_check_record(le);
    render(le);

    free(r.id); free(r.path); free(r.patient); free(r.date); free(message);
    free(text);
    return 0;
}
