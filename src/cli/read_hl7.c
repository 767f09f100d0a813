/* read_hl7.c — HL7 v2 ORU^R01 / MDM^T02 messages: many per file, segments
 * ended by \r, \n or \r\n, MLLP framing and FHS/BHS batch headers accepted;
 * the encoding characters of each MSH honoured and escapes decoded; OBX-5
 * text joined into the report, OBX-3 mapped to sections. */
#define _GNU_SOURCE
#include "readers.h"

#include <stdlib.h>
#include <string.h>

#define MAX_SEGMENTS 20000

typedef struct hl7_msg {
    rachis_buf raw;          /* segments, each ended by \r */
    int segments;
    long record;
    long long offset;        /* byte offset of the message in the file */
    bool mllp_open;          /* a 0x0B block not yet closed by 0x1C */
    bool truncated;          /* its MLLP block never closed */
} hl7_msg;

typedef struct enc { char field, comp, rep, esc, sub; } enc;

/* Field K (HL7 numbering) of segment SEG[0..n): [*a, *b). */
static bool field_of(const char *seg, size_t n, int k, const enc *e, bool msh, size_t *a, size_t *b)
{
    int idx = msh ? k - 1 : k;
    if (msh && k == 1) { *a = 3; *b = 4; return n >= 4; }
    size_t i = 0;
    for (int f = 0; f < idx; f++) {
        const char *p = memchr(seg + i, e->field, n - i);
        if (!p) return false;
        i = (size_t)(p - seg) + 1;
    }
    const char *q = memchr(seg + i, e->field, n - i);
    *a = i;
    *b = q ? (size_t)(q - seg) : n;
    return true;
}

/* Component C (1-based) of the first repetition of [a, b). */
static void component(const char *s, size_t a, size_t b, int c, const enc *e, size_t *ca, size_t *cb)
{
    const char *rep = memchr(s + a, e->rep, b - a);
    if (rep) b = (size_t)(rep - s);
    size_t i = a;
    for (int k = 1; k < c; k++) {
        const char *p = memchr(s + i, e->comp, b - i);
        if (!p) { *ca = *cb = b; return; }
        i = (size_t)(p - s) + 1;
    }
    const char *q = memchr(s + i, e->comp, b - i);
    *ca = i;
    *cb = q ? (size_t)(q - s) : b;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Appends S[0..n) to OUT with the escape sequences decoded. */
static void unescape(const char *s, size_t n, const enc *e, rachis_buf *out)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] != e->esc) {
            rachis_buf_append(out, s + i, 1);
            continue;
        }
        const char *end = memchr(s + i + 1, e->esc, n - i - 1);
        if (!end) { rachis_buf_append(out, s + i, n - i); return; }
        const char *q = s + i + 1;
        size_t len = (size_t)(end - q);
        char c;
        if (len == 1 && *q == 'F') rachis_buf_append(out, &e->field, 1);
        else if (len == 1 && *q == 'S') rachis_buf_append(out, &e->comp, 1);
        else if (len == 1 && *q == 'T') rachis_buf_append(out, &e->sub, 1);
        else if (len == 1 && *q == 'R') rachis_buf_append(out, &e->rep, 1);
        else if (len == 1 && *q == 'E') rachis_buf_append(out, &e->esc, 1);
        else if (len == 3 && !memcmp(q, ".br", 3)) rachis_buf_append(out, "\n", 1);
        else if (len >= 3 && *q == 'X') {
            for (size_t k = 1; k + 1 < len; k += 2) {
                int h = hexval(q[k]), l = hexval(q[k + 1]);
                if (h < 0 || l < 0) break;
                c = (char)(h * 16 + l);
                rachis_buf_append(out, &c, 1);
            }
        }
        /* \H\ \N\ (highlighting), \.sp\ and others: dropped */
        i = (size_t)(end - s);
    }
}

static int section_of_obx3(walker *w, const char *seg, size_t a, size_t b, const enc *e)
{
    size_t ca, cb;
    char buf[256];
    component(seg, a, b, 1, e, &ca, &cb);
    if (cb > ca && cb - ca < sizeof buf) {
        memcpy(buf, seg + ca, cb - ca);
        buf[cb - ca] = '\0';
        int s = section_of_code(w, buf);
        char *amp = strrchr(buf, '&');
        if (s < 0 && amp) s = section_of_code(w, amp + 1);     /* 18782-3&IMP */
        if (s < 0) s = section_of_title(w, buf, strlen(buf));
        if (s >= 0) return s;
    }
    component(seg, a, b, 2, e, &ca, &cb);
    return cb > ca ? section_of_title(w, seg + ca, cb - ca) : -1;
}

static void copy_component(const char *seg, size_t a, size_t b, int c, const enc *e, char *out, size_t n)
{
    size_t ca, cb;
    out[0] = '\0';
    if (b <= a) return;
    component(seg, a, b, c, e, &ca, &cb);
    rachis_buf t = {0};
    unescape(seg + ca, cb - ca, e, &t);
    snprintf(out, n, "%s", t.data ? t.data : "");
    free(t.data);
}

static int process(walker *w, hl7_msg *m, const char *path, const char *file_id)
{
    char id[256] = "", patient[256] = "", date[64] = "", msgid[256] = "", obr2[256] = "";
    const char *raw = m->raw.data;
    size_t n = m->raw.len;
    enc e = {'|', '^', '~', '\\', '&'};
    rachis_buf text = {0};

    rachis_section *secs = NULL;
    size_t *starts = NULL, nsec = 0;
    int current = -1, rc = 0, obx = 0;
    bool have_msh = false, have_obr = false;
    for (size_t i = 0; i < n;) {
        const char *end = memchr(raw + i, '\r', n - i);
        size_t sl = end ? (size_t)(end - raw) - i : n - i;
        const char *seg = raw + i;
        i += sl + 1;
        if (sl < 3) continue;
        if (!memcmp(seg, "MSH", 3)) {
            if (sl < 8) break;
            e.field = seg[3];
            e.comp = seg[4];
            e.rep = seg[5];
            e.esc = seg[6];
            e.sub = seg[7] == e.field ? '&' : seg[7];
            have_msh = true;
            size_t a, b;
            if (field_of(seg, sl, 10, &e, true, &a, &b)) copy_component(seg, a, b, 1, &e, msgid, sizeof msgid);
        } else if (!memcmp(seg, "PID", 3) && !patient[0]) {
            size_t a, b;
            if (field_of(seg, sl, 3, &e, false, &a, &b)) copy_component(seg, a, b, 1, &e, patient, sizeof patient);
        } else if (!memcmp(seg, "OBR", 3) || !memcmp(seg, "TXA", 3)) {
            size_t a, b;
            bool obr = seg[0] == 'O';
            have_obr = true;
            if (!id[0] && field_of(seg, sl, obr ? 3 : 12, &e, false, &a, &b)) copy_component(seg, a, b, 1, &e, id, sizeof id);
            if (!obr2[0] && obr && field_of(seg, sl, 2, &e, false, &a, &b)) copy_component(seg, a, b, 1, &e, obr2, sizeof obr2);
            if (!date[0] && field_of(seg, sl, obr ? 7 : 4, &e, false, &a, &b)) copy_component(seg, a, b, 1, &e, date, sizeof date);
        } else if (!memcmp(seg, "OBX", 3)) {
            size_t a, b, ta, tb;
            if (!field_of(seg, sl, 2, &e, false, &ta, &tb)) continue;
            char type[8] = "";
            if (tb - ta < sizeof type) memcpy(type, seg + ta, tb - ta), type[tb - ta] = '\0';
            bool ce = !strcmp(type, "CE") || !strcmp(type, "CWE");
            if (!(ce || !strcmp(type, "TX") || !strcmp(type, "FT") || !strcmp(type, "ST") || !strcmp(type, "TEXT") ||
                  !type[0]))
                continue;
            obx++;
            int sec = field_of(seg, sl, 3, &e, false, &a, &b) ? section_of_obx3(w, seg, a, b, &e) : -1;
            if (sec >= 0 && sec != current) {
                secs = realloc(secs, (nsec + 1) * sizeof *secs);
                starts = realloc(starts, (nsec + 1) * sizeof *starts);
                secs[nsec] = (rachis_section)sec;
                starts[nsec] = text.len;
                nsec++;
                current = sec;
            }
            if (!field_of(seg, sl, 5, &e, false, &a, &b)) continue;
            if (ce) {
                size_t ca, cb;
                component(seg, a, b, 2, &e, &ca, &cb);
                if (cb <= ca) component(seg, a, b, 1, &e, &ca, &cb);
                a = ca;
                b = cb;
            }
            /* repetitions are lines too */
            for (size_t k = a; k <= b;) {
                const char *r = memchr(seg + k, e.rep, b - k);
                size_t re = r ? (size_t)(r - seg) : b;
                unescape(seg + k, re - k, &e, &text);
                rachis_buf_append(&text, "\n", 1);
                k = re + 1;
            }
        }
    }
    if (!id[0]) snprintf(id, sizeof id, "%s", obr2[0] ? obr2 : msgid);
    char fallback[512];
    if (!id[0]) {
        snprintf(fallback, sizeof fallback, "%s:%ld", file_id, m->record);
    } else {
        snprintf(fallback, sizeof fallback, "%s", id);
    }
    if (!have_msh)
        rc = emit_error(w, path, fallback, m->record, RACHIS_FMT_HL7V2, "input", m->offset,
                        "%s: message %ld at byte %lld: no MSH segment", path, m->record, m->offset);
    else if (m->truncated)
        rc = emit_error(w, path, fallback, m->record, RACHIS_FMT_HL7V2, "input", m->offset,
                        "%s: message %ld at byte %lld: truncated MLLP block", path, m->record, m->offset);
    else if (m->segments > MAX_SEGMENTS)
        rc = emit_error(w, path, fallback, m->record, RACHIS_FMT_HL7V2, "too_large", m->offset,
                        "%s: message %ld at byte %lld: more than %d segments", path, m->record, m->offset, MAX_SEGMENTS);
    else if (!have_obr && !obx)
        rc = emit_error(w, path, fallback, m->record, RACHIS_FMT_HL7V2, "input", m->offset,
                        "%s: message %ld at byte %lld: no OBR and no OBX segment (truncated?)", path, m->record,
                        m->offset);
    else if (!obx)
        rc = emit_error(w, path, fallback, m->record, RACHIS_FMT_HL7V2, "input", m->offset,
                        "%s: message %ld at byte %lld: no OBX text segment", path, m->record, m->offset);
    else if (text.len > w->max_bytes)
        rc = emit_error(w, path, fallback, m->record, RACHIS_FMT_HL7V2, "too_large", m->offset,
                        "%s: message %ld: report larger than the limit of %zu bytes (--max-report-bytes)", path,
                        m->record, w->max_bytes);
    else {
        char datebuf[11];
        cli_report r;
        memset(&r, 0, sizeof r);
        r.in.id = fallback;
        r.in.path = path;
        r.in.record = m->record;
        r.in.format = RACHIS_FMT_HL7V2;
        r.in.patient = patient[0] ? patient : NULL;
        r.in.date = normalise_date(date, strlen(date), datebuf) ? datebuf : NULL;
        r.in.text = text.data ? text.data : "";
        r.in.length = text.len;
        r.in.sections = secs;
        r.in.section_starts = starts;
        r.in.n_sections = nsec;
        r.error_offset = -1;
        rc = emit_report(w, &r);
    }
    free(text.data);
    free(secs);
    free(starts);
    return rc;
}

int read_hl7(walker *w, byte_reader *br, const char *path, const char *file_id)
{
    hl7_msg m;
    memset(&m, 0, sizeof m);
    rachis_buf seg = {0};
    long record = 0;
    int rc = 0;
    bool started = false;
    for (;;) {
        /* one segment: up to \r, \n, or an MLLP framing byte */
        seg.len = 0;
        long long seg_at = br->offset;
        int c;
        bool block_start = false, block_end = false;
        while ((c = br_getc(br)) >= 0 && c != '\r' && c != '\n' && c != 0x0B && c != 0x1C) {
            char ch = (char)c;
            if (seg.len <= w->max_bytes) rachis_buf_append(&seg, &ch, 1);
        }
        if (c == 0x0B) block_start = true;
        if (c == 0x1C) block_end = true;
        bool eof = c < 0;
        if (seg.len >= 3 && !memcmp(seg.data, "MSH", 3)) {
            if (started) {
                rc = process(w, &m, path, file_id);
                if (rc) break;
            }
            m.raw.len = 0;
            m.segments = 0;
            m.truncated = false;
            m.record = ++record;
            m.offset = seg_at;
            started = true;
        }
        bool batch = seg.len >= 3 && (!memcmp(seg.data, "FHS", 3) || !memcmp(seg.data, "BHS", 3) ||
                                      !memcmp(seg.data, "BTS", 3) || !memcmp(seg.data, "FTS", 3));
        if (seg.len && !batch) {
            if (!started) {   /* text before any MSH: one error record for it */
                m.record = ++record;
                m.offset = seg_at;
                started = true;
            }
            if (++m.segments <= MAX_SEGMENTS) {
                rachis_buf_append(&m.raw, seg.data, seg.len);
                rachis_buf_append(&m.raw, "\r", 1);
            }
        }
        if (block_start) {
            if (m.mllp_open) m.truncated = true;
            m.mllp_open = true;
        }
        if (block_end) m.mllp_open = false;
        if (eof) {
            if (m.mllp_open) m.truncated = true;
            break;
        }
    }
    if (!rc && started) rc = process(w, &m, path, file_id);
    if (!rc && !started)
        rc = emit_error(w, path, file_id, 1, RACHIS_FMT_HL7V2, "input", 0, "%s: no HL7 message in the file", path);
    free(seg.data);
    free(m.raw.data);
    return rc;
}
