/* test_registry.c — the registry items of a record: the primary tumour
 * (tests/data/primary.tsv) and the SINS components per level
 * (tests/data/sins.tsv). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

TestSuite(registry, .init = t_setup, .fini = t_teardown);

Test(registry, primary)
{
    t_table t = t_read_table("tests/data/primary.tsv");
    cr_assert_gt(t.n, 40);
    for (int i = 0; i < t.n; i++) {
        t_row *r = &t.rows[i];
        cr_assert_eq(r->n, 2, "primary.tsv:%d", r->line);
        t_unescape(r->f[0]);
        const rachis_record *rec = t_scan(r->f[0]);
        const char *got = rec->primary.site ? rec->primary.site : "null";
        cr_expect_str_eq(got, r->f[1], "primary.tsv:%d: %s\n  got  %s\n  want %s", r->line, r->f[0], got, r->f[1]);
        if (rec->primary.site)
            cr_expect_lt(rec->primary.span.start, rec->primary.span.end, "primary.tsv:%d: empty span", r->line);
    }
    t_free_table(&t);
}

static void component_str(const rachis_sins_component *c, char *out, size_t n)
{
    snprintf(out, n, "%s", c->value ? c->value : "-");
}

/* Checks one "item=value" of WANT against the SINS of one level. */
static void expect_item(const t_row *r, const rachis_sins *v, const char *key, const char *want)
{
    char got[64];
    if (!strcmp(key, "total")) snprintf(got, sizeof got, "%d-%d", v->min, v->max);
    else if (!strcmp(key, "category")) snprintf(got, sizeof got, "%s", v->category ? v->category : "-");
    else {
        int k = -1;
        for (int i = 0; i < RACHIS_SINS_ITEM_COUNT; i++)
            if (!strcmp(rachis_sins_item_name((rachis_sins_item)i), key)) k = i;
        cr_assert_geq(k, 0, "sins.tsv:%d: no SINS item %s", r->line, key);
        component_str(&v->items[k], got, sizeof got);
    }
    cr_expect_str_eq(got, want, "sins.tsv:%d: %s in: %s\n  got  %s\n  want %s", r->line, key, r->f[0], got, want);
}

Test(registry, sins)
{
    t_table t = t_read_table("tests/data/sins.tsv");
    cr_assert_gt(t.n, 20);
    for (int i = 0; i < t.n; i++) {
        t_row *r = &t.rows[i];
        cr_assert_eq(r->n, 3, "sins.tsv:%d", r->line);
        t_unescape(r->f[0]);
        const rachis_record *rec = t_scan(r->f[0]);
        if (!strcmp(r->f[1], "-")) {
            cr_expect_eq(rec->n_sins, 0, "sins.tsv:%d: want no SINS level in: %s", r->line, r->f[0]);
            continue;
        }
        int level = rachis_level_from_label(r->f[1]);
        const rachis_sins *v = NULL;
        for (size_t k = 0; k < rec->n_sins; k++)
            if (rec->sins[k].level == level) v = &rec->sins[k];
        cr_expect_not_null(v, "sins.tsv:%d: no SINS at %s in: %s", r->line, r->f[1], r->f[0]);
        if (!v) continue;
        char *copy = strdup(r->f[2]), *save = NULL;
        for (char *kv = strtok_r(copy, ";", &save); kv; kv = strtok_r(NULL, ";", &save)) {
            char *eq = strchr(kv, '=');
            cr_assert_not_null(eq, "sins.tsv:%d: %s", r->line, kv);
            *eq = '\0';
            expect_item(r, v, kv, eq + 1);
        }
        free(copy);
    }
    t_free_table(&t);
}
