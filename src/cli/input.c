#define _GNU_SOURCE
/* input.c — walks the inputs of a command (files, directories recursed in
 * sorted order, "-" for standard input), detects each file's format (by
 * --format, extension, then content) and hands it to its reader; plain text
 * is one report per file.  A file that cannot be read still yields a record. */
#include "readers.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define DEFAULT_MAX_REPORT (8ul << 20)

int emit_report(walker *w, cli_report *r) { return w->fn(w->ctx, r); }

int emit_error(walker *w, const char *path, const char *id, long record, rachis_format fmt, const char *code,
               long long offset, const char *fmt_msg, ...)
{
    cli_report r;
    memset(&r, 0, sizeof r);
    r.in.id = id;
    r.in.path = path;
    r.in.record = record;
    r.in.format = fmt;
    r.error_code = code;
    r.error_offset = offset;
    va_list ap;
    va_start(ap, fmt_msg);
    if (vasprintf(&r.error_message, fmt_msg, ap) < 0) r.error_message = NULL;
    va_end(ap);
    int rc = emit_report(w, &r);
    free(r.error_message);
    return rc;
}

int section_of_title(walker *w, const char *title, size_t n)
{
    return w->engine ? rachis_engine_section(w->engine, title, n) : -1;
}

int section_of_code(walker *w, const char *code)
{
    if (!w->engine || !code || !*code) return -1;
    const char *v = rachis_engine_value(w->engine, "section-code", code, strlen(code));
    return v ? rachis_section_from_name(v) : -1;
}

int read_text(walker *w, byte_reader *br, const char *path, const char *id)
{
    rachis_buf text = {0};
    bool too_big;
    int rc;
    if (!br_all(br, &text, w->max_bytes, &too_big))
        rc = emit_error(w, path, id, 1, RACHIS_FMT_TEXT, "io", br->offset, "%s: read error at byte %lld", path,
                        br->offset);
    else if (too_big)
        rc = emit_error(w, path, id, 1, RACHIS_FMT_TEXT, "too_large", (long long)w->max_bytes,
                        "%s: report larger than the limit of %zu bytes (--max-report-bytes)", path, w->max_bytes);
    else {
        cli_report r;
        memset(&r, 0, sizeof r);
        r.in.id = id;
        r.in.path = path;
        r.in.record = 1;
        r.in.format = RACHIS_FMT_TEXT;
        r.in.text = text.data;
        r.in.length = text.len;
        r.error_offset = -1;
        rc = emit_report(w, &r);
    }
    free(text.data);
    return rc;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcasecmp(s + a - b, suffix);
}

static int format_from_name(const char *name)
{
    static const struct { const char *name; rachis_format f; } names[] = {
        {"text", RACHIS_FMT_TEXT}, {"txt", RACHIS_FMT_TEXT}, {"cda", RACHIS_FMT_CDA}, {"xml", RACHIS_FMT_CDA},
        {"hl7", RACHIS_FMT_HL7V2}, {"hl7v2", RACHIS_FMT_HL7V2}, {"csv", RACHIS_FMT_CSV}, {"jsonl", RACHIS_FMT_JSONL},
        {"ndjson", RACHIS_FMT_JSONL},
    };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (!strcasecmp(name, names[i].name)) return (int)names[i].f;
    return -1;
}

bool cli_format_valid(const char *name) { return format_from_name(name) >= 0; }

/* By extension (under .gz), then by the first bytes. */
static rachis_format detect(const walker *w, const char *path, byte_reader *br)
{
    if (w->o->format) return (rachis_format)format_from_name(w->o->format);
    char base[4096];
    snprintf(base, sizeof base, "%s", path);
    if (ends_with(base, ".gz")) base[strlen(base) - 3] = '\0';
    static const struct { const char *ext; rachis_format f; } exts[] = {
        {".xml", RACHIS_FMT_CDA}, {".cda", RACHIS_FMT_CDA}, {".hl7", RACHIS_FMT_HL7V2}, {".oru", RACHIS_FMT_HL7V2},
        {".csv", RACHIS_FMT_CSV}, {".jsonl", RACHIS_FMT_JSONL}, {".ndjson", RACHIS_FMT_JSONL},
        {".txt", RACHIS_FMT_TEXT},
    };
    for (size_t i = 0; i < sizeof exts / sizeof *exts; i++)
        if (ends_with(base, exts[i].ext)) return exts[i].f;
    int c = br_peek(br);
    if (c < 0) return RACHIS_FMT_TEXT;
    const unsigned char *p = br->buf + br->pos;
    size_t n = br->len - br->pos;
    while (n && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) { p++; n--; }
    if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) { p += 3; n -= 3; }
    if (n && p[0] == 0x0B) return RACHIS_FMT_HL7V2;
    if (n >= 4 && (!memcmp(p, "MSH", 3) || !memcmp(p, "FHS", 3) || !memcmp(p, "BHS", 3)) && p[3] == '|')
        return RACHIS_FMT_HL7V2;
    if (n && p[0] == '<' && memmem(p, n, "ClinicalDocument", 16)) return RACHIS_FMT_CDA;
    if (n && p[0] == '{') return RACHIS_FMT_JSONL;
    return RACHIS_FMT_TEXT;
}

static int read_one(walker *w, const char *path, const char *id)
{
    byte_reader br;
    if (!br_open(&br, path))
        return emit_error(w, path, id, 1, RACHIS_FMT_TEXT, "io", -1, "%s: cannot read: %s", path, strerror(errno));
    rachis_format f = detect(w, path, &br);
    int rc;
    switch (f) {
    case RACHIS_FMT_CDA: rc = read_cda(w, &br, path, id); break;
    case RACHIS_FMT_HL7V2: rc = read_hl7(w, &br, path, id); break;
    case RACHIS_FMT_CSV: rc = read_csv(w, &br, path, id); break;
    case RACHIS_FMT_JSONL: rc = read_jsonl(w, &br, path, id); break;
    default: rc = read_text(w, &br, path, id); break;
    }
    br_close(&br);
    return rc;
}

static int cmp_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Walks directory PATH; ids are relative to ROOT_LEN bytes of the path. */
static int walk_dir(walker *w, const char *path, size_t root_len, int depth)
{
    DIR *d = opendir(path);
    if (!d || depth > 64) {
        if (d) closedir(d);
        return emit_error(w, path, path + root_len, 1, RACHIS_FMT_TEXT, "io", -1, "%s: cannot read directory: %s",
                          path, d ? "too deep" : strerror(errno));
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.') continue;   /* ., .., and hidden files */
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            names = realloc(names, cap * sizeof *names);
        }
        names[n++] = strdup(de->d_name);
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, cmp_name);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (!rc) {
            size_t l = strlen(path) + strlen(names[i]) + 2;
            char *child = malloc(l);
            snprintf(child, l, "%s/%s", path, names[i]);
            struct stat st;
            if (stat(child, &st) == 0 && S_ISDIR(st.st_mode)) rc = walk_dir(w, child, root_len, depth + 1);
            else rc = read_one(w, child, child + root_len);
            free(child);
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int cli_walk_inputs(char **args, int n, const cli_opts *o, const rachis_engine *engine, cli_report_fn fn, void *ctx)
{
    walker w = {o, fn, ctx, engine, o->max_report_bytes ? o->max_report_bytes : DEFAULT_MAX_REPORT};
    for (int i = 0; i < n; i++) {
        const char *a = args[i];
        struct stat st;
        int rc;
        if (strcmp(a, "-") && stat(a, &st) == 0 && S_ISDIR(st.st_mode)) {
            size_t l = strlen(a);
            char *root = strdup(a);
            while (l > 1 && root[l - 1] == '/') root[--l] = '\0';
            rc = walk_dir(&w, root, l + 1, 0);
            free(root);
        } else {
            rc = read_one(&w, a, strcmp(a, "-") ? a : "stdin");
        }
        if (rc) return rc;
    }
    return 0;
}
