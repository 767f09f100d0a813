/* fuzz_common.h — shared helpers of the libFuzzer targets in fuzz/: finding
 * the pattern directory, loading the engine once, a private temp directory,
 * and the invariants every record must satisfy (checked after each scan, so
 * a broken span or unparsable JSON line is reported as a crash too).
 *
 * Built by tools/fuzz (clang -fsanitize=fuzzer,address,undefined); each
 * target is one .c file that includes this header. */
#ifndef RACHIS_FUZZ_COMMON_H
#define RACHIS_FUZZ_COMMON_H

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rachis.h"

#ifdef FUZZ_WITH_JSONV
#include "jsonv.h"
#endif

#define FUZZ_DIE(...)                                                                              \
    do {                                                                                           \
        fprintf(stderr, "fuzz invariant violated: " __VA_ARGS__);                                  \
        fputc('\n', stderr);                                                                       \
        abort();                                                                                   \
    } while (0)

/* ---------------------------------------------------------------- patterns */

static int fuzz_has_rules(const char *dir)
{
    char probe[PATH_MAX];
    struct stat st;
    if (snprintf(probe, sizeof probe, "%s/levels.rules", dir) >= (int)sizeof probe) return 0;
    return stat(probe, &st) == 0;
}

/* $RACHIS_PATTERNS, else patterns/ next to the binary or one level up
 * (build-fuzz/TARGET -> ../patterns), else ./patterns. */
static const char *fuzz_patterns_dir(void)
{
    static char found[PATH_MAX];
    const char *env = getenv("RACHIS_PATTERNS");
    if (env && *env) return env;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            static const char *const rel[] = {"patterns", "../patterns", "../../patterns"};
            for (size_t i = 0; i < sizeof rel / sizeof *rel; i++) {
                snprintf(found, sizeof found, "%s/%s", exe, rel[i]);
                if (fuzz_has_rules(found)) return found;
            }
        }
    }
    return "patterns";
}

/* The engine of the project's own patterns, loaded once; aborts (a setup
 * error, not a finding) when they do not load. */
static rachis_engine *fuzz_engine(void)
{
    static rachis_engine *e;
    if (e) return e;
    const char *dir = fuzz_patterns_dir();
    rachis_diags diags;
    rachis_diags_init(&diags);
    rachis_status st = rachis_engine_load(dir, false, &e, &diags);
    if (st != RACHIS_OK) {
        for (size_t i = 0; i < diags.count; i++) rachis_diag_print(&diags.items[i], stderr);
        fprintf(stderr, "fuzz: cannot load the patterns of %s (set RACHIS_PATTERNS)\n", dir);
        exit(2);
    }
    rachis_diags_free(&diags);
    return e;
}

/* ------------------------------------------------------------ temp files */

static char fuzz_tmp[PATH_MAX];

static int fuzz_rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    return remove(p);
}

static void fuzz_tmp_cleanup(void)
{
    if (fuzz_tmp[0]) nftw(fuzz_tmp, fuzz_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

/* Removes the temp dirs of fuzz processes that are gone: libFuzzer's fork
 * mode kills its workers, so their atexit never runs.  Names hold the pid. */
static void fuzz_tmp_sweep(const char *base)
{
    DIR *d = opendir(base);
    if (!d) return;
    struct dirent *de;
    while ((de = readdir(d))) {
        long pid;
        char rest[64];
        if (sscanf(de->d_name, "rachis-fuzz-%ld-%63s", &pid, rest) != 2 || pid <= 0) continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue;   /* alive (or not ours to judge) */
        char p[PATH_MAX];
        snprintf(p, sizeof p, "%s/%s", base, de->d_name);
        nftw(p, fuzz_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
    }
    closedir(d);
}

/* A private directory for this process (removed at exit, or by the sweep of
 * a later run when the process was killed). */
static const char *fuzz_tmpdir(void)
{
    if (fuzz_tmp[0]) return fuzz_tmp;
    const char *base = getenv("TMPDIR");
    if (!base || !*base) base = "/tmp";
    fuzz_tmp_sweep(base);
    snprintf(fuzz_tmp, sizeof fuzz_tmp, "%s/rachis-fuzz-%ld-XXXXXX", base, (long)getpid());
    if (!mkdtemp(fuzz_tmp)) {
        fprintf(stderr, "fuzz: mkdtemp %s: %s\n", fuzz_tmp, strerror(errno));
        exit(2);
    }
    atexit(fuzz_tmp_cleanup);
    return fuzz_tmp;
}

static void fuzz_write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "fuzz: cannot write %s: %s\n", path, strerror(errno));
        exit(2);
    }
    if (n && fwrite(data, 1, n, f) != n) {
        fprintf(stderr, "fuzz: short write to %s\n", path);
        exit(2);
    }
    fclose(f);
}

/* ------------------------------------------------------------ invariants */

static void fuzz_check_span(const char *what, rachis_span sp, size_t length)
{
    if (sp.start > sp.end || sp.end > length)
        FUZZ_DIE("%s span [%zu,%zu) outside the text of %zu bytes", what, sp.start, sp.end, length);
}

/* What the public header promises about a record. */
static void fuzz_check_record(const rachis_record *r)
{
    if (!r) FUZZ_DIE("rachis_scan returned no record");
    if (r->status == RACHIS_OK && r->n_findings && !r->text) FUZZ_DIE("findings without text");
    for (size_t i = 0; i < r->n_levels; i++) {
        if (r->levels[i].level < 0 || r->levels[i].level >= RACHIS_LEVEL_COUNT ||
            !rachis_level_label(r->levels[i].level))
            FUZZ_DIE("level mention %zu has level %d", i, r->levels[i].level);
        fuzz_check_span("level mention", r->levels[i].span, r->length);
    }
    for (size_t i = 0; i < r->n_findings; i++) {
        const rachis_finding *f = &r->findings[i];
        if ((unsigned)f->concept >= RACHIS_CONCEPT_COUNT) FUZZ_DIE("finding %zu: concept %d", i, (int)f->concept);
        if ((unsigned)f->assertion >= RACHIS_ASSERTION_COUNT) FUZZ_DIE("finding %zu: assertion %d", i, (int)f->assertion);
        if ((unsigned)f->section >= RACHIS_SECTION_COUNT) FUZZ_DIE("finding %zu: section %d", i, (int)f->section);
        if (RACHIS_LEVEL_COUNT < 64 && (f->levels >> RACHIS_LEVEL_COUNT))
            FUZZ_DIE("finding %zu: level bits beyond the %d levels", i, RACHIS_LEVEL_COUNT);
        fuzz_check_span("finding", f->span, r->length);
        fuzz_check_span("finding sentence", f->sentence, r->length);
        if (f->trigger_rule) fuzz_check_span("assertion trigger", f->trigger_span, r->length);
        if (!f->rule) FUZZ_DIE("finding %zu without a rule", i);
    }
}

#ifdef FUZZ_WITH_JSONV
/* S[0..n) parses as one JSON value of type WANT. */
static void fuzz_check_json(const char *s, size_t n, jv_type want, const char *who)
{
    jv v;
    size_t off = 0;
    const char *err = NULL;
    if (!jv_parse(s, n, &v, &off, &err))
        FUZZ_DIE("%s wrote invalid JSON at byte %zu: %s: %.*s", who, off, err ? err : "?", (int)(n > 400 ? 400 : n), s);
    if (v.type != want) FUZZ_DIE("%s wrote JSON of type %d, not %d", who, (int)v.type, (int)want);
    jv_free(&v);
}

/* One JSON line from B->data[FROM]: ends with its only newline, the buffer
 * stays NUL-terminated, and it parses as one object. */
static void fuzz_check_json_line(const rachis_buf *b, size_t from)
{
    const char *s = b->data + from;
    size_t n = b->len - from;
    if (!n || s[n - 1] != '\n') FUZZ_DIE("JSON line does not end with a newline");
    if (memchr(s, '\n', n - 1)) FUZZ_DIE("JSON line holds a raw newline");
    if (b->data[b->len] != '\0') FUZZ_DIE("JSON buffer not NUL-terminated");
    fuzz_check_json(s, n - 1, JV_OBJECT, "rachis_record_to_json");
}
#endif

/* Renders R as JSON (with and without text), checking each line. */
static void fuzz_render_json(const rachis_record *r)
{
    rachis_buf b = {0};
    rachis_record_to_json(r, 0, &b);
#ifdef FUZZ_WITH_JSONV
    fuzz_check_json_line(&b, 0);
#endif
    size_t mid = b.len;
    rachis_record_to_json(r, RACHIS_JSON_WITH_TEXT, &b);
#ifdef FUZZ_WITH_JSONV
    fuzz_check_json_line(&b, mid);
#else
    (void)mid;
#endif
    rachis_buf_free(&b);
}

#endif
