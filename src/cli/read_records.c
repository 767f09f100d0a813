/* read_records.c — tabular archives: JSON Lines (one object per line) and
 * CSV (RFC 4180 with a header row).  Columns by --id-col/--text-col/
 * --patient-col/--date-col or the usual names; a bad line or row becomes an
 * error record naming its line, and the file goes on. */
#define _GNU_SOURCE
#include "jsonv.h"
#include "readers.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const id_names[] = {"id", "accession", "report_id", NULL};
static const char *const text_names[] = {"text", "report", "report_text", "findings", NULL};
static const char *const patient_names[] = {"patient", "patient_id", "mrn", NULL};
static const char *const date_names[] = {"date", "study_date", "exam_date", NULL};

/* Index of the column to use: the option's name, else the first default present. */
static int pick(char **cols, int n, const char *option, const char *const *defaults)
{
    if (option) {
        for (int i = 0; i < n; i++)
            if (!strcasecmp(cols[i], option)) return i;
        return -1;
    }
    for (int d = 0; defaults[d]; d++)
        for (int i = 0; i < n; i++)
            if (!strcasecmp(cols[i], defaults[d])) return i;
    return -1;
}

/* One report from its fields (NULL when absent). */
static int emit_fields(walker *w, const char *path, const char *file_id, long record, rachis_format fmt,
                       const char *id, const char *text, size_t text_len, const char *patient, const char *date)
{
    char *fallback = NULL, datebuf[11];
    if (!id || !*id) {
        if (asprintf(&fallback, "%s:%ld", file_id, record) < 0) fallback = NULL;
        id = fallback;
    }
    int rc;
    if (!text) {
        rc = emit_error(w, path, id, record, fmt, "input", -1, "%s: record %ld: no text field (--text-col)", path, record);
    } else if (text_len > w->max_bytes) {
        rc = emit_error(w, path, id, record, fmt, "too_large", (long long)w->max_bytes,
                        "%s: record %ld: report larger than the limit of %zu bytes (--max-report-bytes)", path, record,
                        w->max_bytes);
    } else {
        cli_report r;
        memset(&r, 0, sizeof r);
        r.in.id = id;
        r.in.path = path;
        r.in.record = record;
        r.in.format = fmt;
        r.in.patient = patient && *patient ? patient : NULL;
        r.in.date = date && normalise_date(date, strlen(date), datebuf) ? datebuf : NULL;
        r.in.text = text;
        r.in.length = text_len;
        r.error_offset = -1;
        rc = emit_report(w, &r);
    }
    free(fallback);
    return rc;
}

/* ------------------------------------------------------------ JSON Lines */

static const jv *field(const jv *obj, const char *option, const char *const *defaults)
{
    if (option) return jv_get(obj, option);
    for (int d = 0; defaults[d]; d++) {
        const jv *v = jv_get(obj, defaults[d]);
        if (v) return v;
    }
    return NULL;
}

/* A string or number field as text into BUF (numbers as written). */
static const char *as_text(const jv *v, char *buf, size_t n)
{
    if (!v) return NULL;
    if (v->type == JV_STRING) return v->s;
    if (v->type == JV_NUMBER) {
        snprintf(buf, n, "%.15g", v->n);
        return buf;
    }
    return NULL;
}

int read_jsonl(walker *w, byte_reader *br, const char *path, const char *file_id)
{
    rachis_buf line = {0};
    long lineno = 0, record = 0;
    int rc = 0;
    bool too_long;
    const cli_opts *o = w->o;
    while (!rc && br_line(br, &line, w->max_bytes + 4096, &too_long)) {
        lineno++;
        size_t k = 0;
        while (k < line.len && (line.data[k] == ' ' || line.data[k] == '\t')) k++;
        if (k == line.len) continue;
        record++;
        if (too_long) {
            char *id;
            if (asprintf(&id, "%s:%ld", file_id, record) < 0) id = NULL;
            rc = emit_error(w, path, id, record, RACHIS_FMT_JSONL, "too_large", -1,
                            "%s: line %ld: longer than the limit of %zu bytes (--max-report-bytes)", path, lineno,
                            w->max_bytes);
            free(id);
            continue;
        }
        jv v;
        size_t off = 0;
        const char *err = NULL;
        bool parsed = jv_parse(line.data, line.len, &v, &off, &err);
        if (!parsed || v.type != JV_OBJECT) {
            if (parsed) {
                err = "not a JSON object";
                off = 0;
                jv_free(&v);
            }
            char *id;
            if (asprintf(&id, "%s:%ld", file_id, record) < 0) id = NULL;
            rc = emit_error(w, path, id, record, RACHIS_FMT_JSONL, "input", (long long)off,
                            "%s: line %ld, column %zu: %s", path, lineno, off + 1, err);
            free(id);
            continue;
        }
        char idb[64], pb[64], db[64];
        const jv *t = field(&v, o->text_col, text_names);
        const char *text = t && t->type == JV_STRING ? t->s : NULL;
        rc = emit_fields(w, path, file_id, record, RACHIS_FMT_JSONL, as_text(field(&v, o->id_col, id_names), idb, sizeof idb),
                         text, text ? t->len : 0, as_text(field(&v, o->patient_col, patient_names), pb, sizeof pb),
                         as_text(field(&v, o->date_col, date_names), db, sizeof db));
        jv_free(&v);
    }
    if (!rc && br->error)
        rc = emit_error(w, path, file_id, record + 1, RACHIS_FMT_JSONL, "io", br->offset, "%s: read error at byte %lld",
                        path, br->offset);
    free(line.data);
    return rc;
}

/* ------------------------------------------------------------------ CSV */

typedef struct csv_row {
    rachis_buf *cells;
    int n, cap;
    long line;         /* where the row starts */
    bool too_big;
} csv_row;

/* Reads one RFC 4180 row; 0 at end of input, 1 for a row, -1 for an
 * unterminated quoted field (the rest of the file is consumed). */
static int csv_read_row(byte_reader *br, csv_row *row, long *line, size_t max_field)
{
    row->n = 0;
    row->too_big = false;
    row->line = *line;
    int c = br_peek(br);
    if (c < 0) return 0;
    for (;;) {
        if (row->n == row->cap) {
            row->cap = row->cap ? row->cap * 2 : 8;
            row->cells = realloc(row->cells, (size_t)row->cap * sizeof *row->cells);
            memset(row->cells + row->n, 0, (size_t)(row->cap - row->n) * sizeof *row->cells);
        }
        rachis_buf *cell = &row->cells[row->n++];
        cell->len = 0;
        bool quoted = br_peek(br) == '"';
        if (quoted) br_getc(br);
        for (;;) {
            c = br_getc(br);
            if (quoted) {
                if (c < 0) return -1;
                if (c == '"') {
                    if (br_peek(br) == '"') br_getc(br);
                    else { quoted = false; continue; }
                }
                if (c == '\n') (*line)++;
            } else {
                if (c < 0 || c == ',' || c == '\n') break;
                if (c == '\r' && br_peek(br) == '\n') continue;
            }
            if (cell->len < max_field) {
                char ch = (char)c;
                if (cell->len + 2 > cell->cap) {
                    cell->cap = cell->cap ? cell->cap * 2 : 64;
                    cell->data = realloc(cell->data, cell->cap);
                }
                cell->data[cell->len++] = ch;
            } else {
                row->too_big = true;
            }
        }
        if (!cell->data) cell->data = calloc(1, 64), cell->cap = 64;
        cell->data[cell->len] = '\0';
        if (c == ',') continue;
        if (c == '\n') (*line)++;
        return 1;
    }
}

static bool blank_row(const csv_row *row) { return row->n == 1 && row->cells[0].len == 0; }

int read_csv(walker *w, byte_reader *br, const char *path, const char *file_id)
{
    const cli_opts *o = w->o;
    csv_row row = {0};
    long line = 1, record = 0;
    int rc = 0, got;
    char **cols = NULL;
    int ncols = 0;
    while ((got = csv_read_row(br, &row, &line, 4096)) == 1 && blank_row(&row)) {}
    if (got != 1) {
        rc = emit_error(w, path, file_id, 1, RACHIS_FMT_CSV, "input", -1, "%s: %s", path,
                        got == 0 ? "no header row" : "unterminated quoted field in the header");
        goto done;
    }
    ncols = row.n;
    cols = calloc((size_t)ncols, sizeof *cols);
    for (int i = 0; i < ncols; i++) cols[i] = strdup(row.cells[i].data);
    int ci = pick(cols, ncols, o->id_col, id_names), ct = pick(cols, ncols, o->text_col, text_names);
    int cp = pick(cols, ncols, o->patient_col, patient_names), cd = pick(cols, ncols, o->date_col, date_names);
    if (ct < 0) {
        rc = emit_error(w, path, file_id, 1, RACHIS_FMT_CSV, "input", -1,
                        "%s: line 1: no text column (text, report, report_text, findings; or --text-col)", path);
        goto done;
    }
    while (!rc && (got = csv_read_row(br, &row, &line, w->max_bytes + 1)) != 0) {
        if (got == 1 && blank_row(&row)) continue;
        record++;
        char *id = NULL;
        if (got < 0 || row.n != ncols || row.too_big) {
            if (got == 1 && ci >= 0 && ci < row.n) id = strdup(row.cells[ci].data);
            else if (asprintf(&id, "%s:%ld", file_id, record) < 0) id = NULL;
            if (got < 0)
                rc = emit_error(w, path, id, record, RACHIS_FMT_CSV, "input", br->offset,
                                "%s: line %ld: unterminated quoted field", path, row.line);
            else if (row.too_big)
                rc = emit_error(w, path, id, record, RACHIS_FMT_CSV, "too_large", (long long)w->max_bytes,
                                "%s: line %ld: field larger than the limit of %zu bytes (--max-report-bytes)", path,
                                row.line, w->max_bytes);
            else
                rc = emit_error(w, path, id, record, RACHIS_FMT_CSV, "input", -1,
                                "%s: line %ld: %d fields where the header has %d", path, row.line, row.n, ncols);
            free(id);
            if (got < 0) break;
            continue;
        }
        rc = emit_fields(w, path, file_id, record, RACHIS_FMT_CSV, ci >= 0 ? row.cells[ci].data : NULL,
                         row.cells[ct].data, row.cells[ct].len, cp >= 0 ? row.cells[cp].data : NULL,
                         cd >= 0 ? row.cells[cd].data : NULL);
    }
done:
    for (int i = 0; i < row.cap; i++) free(row.cells[i].data);
    free(row.cells);
    for (int i = 0; i < ncols; i++) free(cols[i]);
    free(cols);
    return rc;
}
