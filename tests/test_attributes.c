/* test_attributes.c — attribute slots of each concept, from
 * tests/data/attributes.tsv, and the report flags. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

TestSuite(attributes, .init = t_setup, .fini = t_teardown);

static void render(const rachis_attr_def *d, const rachis_attr_value *v, char *out, size_t n)
{
    if (d->kind == RACHIS_ATTR_SET) {
        snprintf(out, n, "[");
        int k = 0;
        for (int j = 0; d->values[j]; j++)
            if (v->set && (v->ivalue & (1 << j))) {
                if (k++) strncat(out, ",", n - strlen(out) - 1);
                strncat(out, d->values[j], n - strlen(out) - 1);
            }
        strncat(out, "]", n - strlen(out) - 1);
    } else if (!v->set) snprintf(out, n, "null");
    else if (d->kind == RACHIS_ATTR_NUMBER) snprintf(out, n, "%g", v->number);
    else if (d->kind == RACHIS_ATTR_BOOL) snprintf(out, n, "%s", v->ivalue ? "true" : "false");
    else snprintf(out, n, "%s", d->values[v->ivalue]);
}

Test(attributes, table)
{
    t_table t = t_read_table("tests/data/attributes.tsv");
    for (int i = 0; i < t.n; i++) {
        t_row *r = &t.rows[i];
        cr_assert_eq(r->n, 3, "attributes.tsv:%d", r->line);
        int c = rachis_concept_from_name(r->f[1]);
        cr_assert_geq(c, 0, "attributes.tsv:%d: concept", r->line);
        const rachis_record *rec = t_scan(r->f[0]);
        const rachis_finding *f = NULL;
        for (size_t k = 0; k < rec->n_findings && !f; k++)
            if ((int)rec->findings[k].concept == c) f = &rec->findings[k];
        cr_expect_not_null(f, "attributes.tsv:%d: no %s finding in: %s", r->line, r->f[1], r->f[0]);
        if (!f) continue;
        size_t n;
        const rachis_attr_def *defs = rachis_concept_attrs((rachis_concept)c, &n);
        char *copy = strdup(r->f[2]), *save = NULL;
        for (char *kv = strtok_r(copy, ";", &save); kv; kv = strtok_r(NULL, ";", &save)) {
            char *eq = strchr(kv, '=');
            cr_assert_not_null(eq, "attributes.tsv:%d: %s", r->line, kv);
            *eq = '\0';
            size_t slot = n;
            for (size_t k = 0; k < n; k++)
                if (!strcmp(defs[k].name, kv)) slot = k;
            cr_assert_lt(slot, n, "attributes.tsv:%d: no attribute %s", r->line, kv);
            char got[256];
            render(&defs[slot], &f->attrs[slot], got, sizeof got);
            cr_expect_str_eq(got, eq + 1, "attributes.tsv:%d: %s in: %s\n  got  %s\n  want %s", r->line, kv, r->f[0], got, eq + 1);
        }
        free(copy);
    }
    t_free_table(&t);
}

Test(attributes, flags_and_urgent)
{
    const rachis_record *r = t_scan("FINDINGS: Epidural tumour at T7 compresses the spinal cord. No fracture.");
    cr_expect(r->flags[RACHIS_CORD]);
    cr_expect(r->flags[RACHIS_EXTENSION]);
    cr_expect(!r->flags[RACHIS_FRACTURE]);
    cr_expect(r->urgent);
    r = t_scan("FINDINGS: Disc bulge at L4-5 effaces the thecal sac.");
    cr_expect(r->flags[RACHIS_CORD]);
    cr_expect(!r->urgent, "thecal sac alone is not urgent");
    r = t_scan("HISTORY: History of cord compression at T7 treated in 2019.");
    cr_expect(!r->flags[RACHIS_CORD], "historical findings raise no flag");
    cr_expect(!r->urgent);
    r = t_scan("INDICATION: Evaluate for cord compression.");
    cr_expect(!r->flags[RACHIS_CORD], "hypothetical findings raise no flag");
}
