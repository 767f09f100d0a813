/* input.c — walks the inputs of a command (files, directories recursed in
 * sorted order, "-" for standard input) and reads each plain-text report;
 * a file that cannot be read still yields a report, carrying its error. */
#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DEFAULT_MAX_REPORT (8ul << 20)

typedef struct walker {
    const cli_opts *o;
    cli_report_fn fn;
    void *ctx;
} walker;

/* Reads at most LIMIT bytes of F; *TOO_BIG when there was more. */
static char *slurp(FILE *f, size_t limit, size_t *len, bool *too_big)
{
    size_t cap = 65536, n = 0;
    char *data = malloc(cap);
    *too_big = false;
    if (!data) return NULL;
    for (;;) {
        if (n == cap) {
            cap *= 2;
            char *d = realloc(data, cap);
            if (!d) { free(data); return NULL; }
            data = d;
        }
        size_t want = cap - n;
        if (n + want > limit + 1) want = limit + 1 - n;
        size_t got = fread(data + n, 1, want, f);
        n += got;
        if (n > limit) { *too_big = true; n = limit; break; }
        if (got < want) break;
    }
    *len = n;
    return data;
}

static int emit_text(walker *w, const char *path, const char *id)
{
    cli_report r;
    memset(&r, 0, sizeof r);
    r.in.id = id;
    r.in.path = path;
    r.in.record = 1;
    r.in.format = RACHIS_FMT_TEXT;
    r.error_offset = -1;
    size_t limit = w->o->max_report_bytes ? w->o->max_report_bytes : DEFAULT_MAX_REPORT;
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f) {
        r.error_code = "io";
        r.error_message = malloc(strlen(path) + 128);
        sprintf(r.error_message, "%s: cannot read: %s", path, strerror(errno));
    } else {
        bool too_big;
        size_t len = 0;
        errno = 0;
        char *data = slurp(f, limit, &len, &too_big);
        int err = ferror(f) ? errno : 0;
        if (f != stdin) fclose(f);
        if (err || !data) {
            r.error_code = "io";
            r.error_message = malloc(strlen(path) + 128);
            sprintf(r.error_message, "%s: cannot read: %s", path, strerror(err ? err : ENOMEM));
            free(data);
        } else if (too_big) {
            r.error_code = "too_large";
            r.error_message = malloc(strlen(path) + 160);
            sprintf(r.error_message, "%s: report larger than the limit of %zu bytes (--max-report-bytes)", path, limit);
            r.error_offset = (long long)limit;
            free(data);
        } else {
            r.owned_text = data;
            r.in.text = data;
            r.in.length = len;
        }
    }
    int rc = w->fn(w->ctx, &r);
    free(r.owned_text);
    free(r.error_message);
    return rc;
}

static int cmp_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Walks directory PATH; ids are relative to ROOT_LEN bytes of the path. */
static int walk_dir(walker *w, const char *path, size_t root_len, int depth)
{
    DIR *d = opendir(path);
    if (!d || depth > 64) {
        if (d) closedir(d);
        return emit_text(w, path, path + root_len);
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
            else rc = emit_text(w, child, child + root_len);
            free(child);
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int cli_walk_inputs(char **args, int n, const cli_opts *o, cli_report_fn fn, void *ctx)
{
    walker w = {o, fn, ctx};
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
            rc = emit_text(&w, a, strcmp(a, "-") ? a : "stdin");
        }
        if (rc) return rc;
    }
    return 0;
}
