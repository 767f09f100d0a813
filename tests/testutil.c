/* testutil.c — shared helpers for the Criterion tests. */
#include "testutil.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

rachis_engine *t_engine;
rachis_scanner *t_scanner;

void t_setup(void)
{
    rachis_diags d;
    rachis_diags_init(&d);
    rachis_status st = rachis_engine_load(TOP_SRCDIR "/patterns", false, &t_engine, &d);
    for (size_t i = 0; i < d.count; i++) rachis_diag_print(&d.items[i], stderr);
    rachis_diags_free(&d);
    cr_assert_eq(st, RACHIS_OK, "the project's patterns must load");
    rachis_scanner_create(t_engine, NULL, &t_scanner);
}

void t_teardown(void)
{
    rachis_scanner_free(t_scanner);
    rachis_engine_free(t_engine);
    t_scanner = NULL;
    t_engine = NULL;
}

const rachis_record *t_scan(const char *text)
{
    rachis_input in;
    memset(&in, 0, sizeof in);
    in.id = "t";
    in.path = "t";
    in.text = text;
    in.length = strlen(text);
    const rachis_record *r;
    rachis_scan(t_scanner, &in, &r);
    return r;
}

t_table t_read_table(const char *relpath)
{
    t_table t = {0};
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", TOP_SRCDIR, relpath);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "cannot open %s", path);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int lineno = 0;
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
        if (!len || line[0] == '#') continue;
        t.rows = realloc(t.rows, (size_t)(t.n + 1) * sizeof *t.rows);
        t_row *r = &t.rows[t.n++];
        r->line = lineno;
        r->n = 0;
        r->f = NULL;
        char *save = NULL, *copy = strdup(line);
        for (char *p = copy;; ) {
            char *tab = strchr(p, '\t');
            if (tab) *tab = '\0';
            r->f = realloc(r->f, (size_t)(r->n + 1) * sizeof *r->f);
            r->f[r->n++] = strdup(p);
            if (!tab) break;
            p = tab + 1;
        }
        (void)save;
        free(copy);
    }
    free(line);
    fclose(f);
    cr_assert_gt(t.n, 0, "empty table %s", path);
    return t;
}

void t_free_table(t_table *t)
{
    for (int i = 0; i < t->n; i++) {
        for (int j = 0; j < t->rows[i].n; j++) free(t->rows[i].f[j]);
        free(t->rows[i].f);
    }
    free(t->rows);
}

void t_unescape(char *s)
{
    char *o = s;
    for (; *s; s++) {
        if (s[0] == '\\' && s[1] == 'n') { *o++ = '\n'; s++; }
        else *o++ = *s;
    }
    *o = '\0';
}

void t_levels_str(rachis_levelset set, char *out, size_t n)
{
    out[0] = '\0';
    for (int l = 0; l < RACHIS_LEVEL_COUNT; l++)
        if (set & ((rachis_levelset)1 << l)) {
            if (out[0]) strncat(out, ",", n - strlen(out) - 1);
            strncat(out, rachis_level_label(l), n - strlen(out) - 1);
        }
    if (!out[0]) snprintf(out, n, "-");
}
