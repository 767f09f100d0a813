/* test_linking.c — finding-to-level linking and assertion on whole
 * sentences, from tests/data/linking.tsv (concept:levels:assertion sets). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

TestSuite(linking, .init = t_setup, .fini = t_teardown);

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Sorted, de-duplicated, ';'-joined. */
static void canon(char **items, int n, char *out, size_t cap)
{
    qsort(items, (size_t)n, sizeof *items, cmp);
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (i && !strcmp(items[i], items[i - 1])) continue;
        if (out[0]) strncat(out, ";", cap - strlen(out) - 1);
        strncat(out, items[i], cap - strlen(out) - 1);
    }
    if (!out[0]) snprintf(out, cap, "-");
}

Test(linking, table)
{
    t_table t = t_read_table("tests/data/linking.tsv");
    int failed = 0;
    for (int i = 0; i < t.n; i++) {
        t_row *r = &t.rows[i];
        cr_assert_eq(r->n, 2, "linking.tsv:%d: expected TEXT<TAB>FINDINGS", r->line);
        t_unescape(r->f[0]);
        const rachis_record *rec = t_scan(r->f[0]);
        char *items[256];
        int n = 0;
        for (size_t k = 0; k < rec->n_findings && n < 256; k++) {
            const rachis_finding *f = &rec->findings[k];
            char lv[256], buf[400];
            t_levels_str(f->levels, lv, sizeof lv);
            snprintf(buf, sizeof buf, "%s:%s:%s", rachis_concept_name(f->concept), lv,
                     rachis_assertion_name(f->assertion));
            items[n++] = strdup(buf);
        }
        char got[8192], want[8192];
        canon(items, n, got, sizeof got);
        for (int k = 0; k < n; k++) free(items[k]);
        n = 0;
        if (strcmp(r->f[1], "-")) {
            char *copy = strdup(r->f[1]), *save = NULL;
            for (char *p = strtok_r(copy, ";", &save); p && n < 256; p = strtok_r(NULL, ";", &save)) items[n++] = strdup(p);
            free(copy);
        }
        canon(items, n, want, sizeof want);
        for (int k = 0; k < n; k++) free(items[k]);
        if (strcmp(got, want)) failed++;
        cr_expect_str_eq(got, want, "linking.tsv:%d: %s\n  got  %s\n  want %s", r->line, r->f[0], got, want);
    }
    cr_log_info("%d linking cases, %d failed", t.n, failed);
    t_free_table(&t);
}
