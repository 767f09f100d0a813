/* test_levels.c — the level grammar against tests/data/levels.tsv: every
 * form normalises to its labels, every lookalike yields none. */
#include <criterion/criterion.h>
#include <string.h>

#include "testutil.h"

TestSuite(levels, .init = t_setup, .fini = t_teardown);

Test(levels, table)
{
    t_table t = t_read_table("tests/data/levels.tsv");
    int failed = 0;
    for (int i = 0; i < t.n; i++) {
        t_row *r = &t.rows[i];
        cr_assert_eq(r->n, 2, "levels.tsv:%d: expected PHRASE<TAB>LABELS", r->line);
        const rachis_record *rec = t_scan(r->f[0]);
        char got[1024] = "";
        for (size_t k = 0; k < rec->n_levels; k++) {
            if (got[0]) strcat(got, " ");
            strcat(got, rachis_level_label(rec->levels[k].level));
        }
        if (!got[0]) strcpy(got, "-");
        if (strcmp(got, r->f[1])) failed++;
        cr_expect_str_eq(got, r->f[1], "levels.tsv:%d: %s\n  got  %s\n  want %s", r->line, r->f[0], got, r->f[1]);
    }
    cr_log_info("%d level cases, %d failed", t.n, failed);
    t_free_table(&t);
}

Test(levels, spans_are_byte_offsets)
{
    const char *text = "Fracture of T12 and L4\xe2\x80\x93" "5 disc bulge.";
    const rachis_record *rec = t_scan(text);
    cr_assert_eq(rec->n_levels, 3);
    cr_expect_eq(rec->levels[0].span.start, 12);
    cr_expect_eq(rec->levels[0].span.end, 15);
    cr_expect_str_eq(rachis_level_label(rec->levels[1].level), "L4");
    cr_expect_eq(rec->levels[1].span.start, 20);
    cr_expect_eq(rec->levels[1].span.end, 26, "the en dash is three bytes");
    cr_expect_str_eq(rachis_level_label(rec->levels[2].level), "L5");
}

Test(levels, labels_round_trip)
{
    for (int l = 0; l < RACHIS_LEVEL_COUNT; l++)
        cr_expect_eq(rachis_level_from_label(rachis_level_label(l)), l);
    cr_expect_eq(rachis_level_from_label("C8"), -1);
    cr_expect_eq(rachis_level_from_label("S6"), -1);
    cr_expect_str_eq(rachis_level_label(31), "Co");
}
