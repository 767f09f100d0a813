/* test_assertion.c — the ConText engine against tests/data/assertion.tsv
 * (section, target, sentence, assertion, historical). */
#include <criterion/criterion.h>
#include <string.h>

#include "testutil.h"

TestSuite(assertion, .init = t_setup, .fini = t_teardown);

Test(assertion, table)
{
    t_table t = t_read_table("tests/data/assertion.tsv");
    int failed = 0;
    for (int i = 0; i < t.n; i++) {
        t_row *r = &t.rows[i];
        cr_assert_eq(r->n, 5, "assertion.tsv:%d: expected 5 fields", r->line);
        int sec = rachis_section_from_name(r->f[0]);
        cr_assert_geq(sec, 0, "assertion.tsv:%d: bad section %s", r->line, r->f[0]);
        rachis_assert_result res;
        rachis_status st = rachis_assert_target(t_scanner, (rachis_section)sec, r->f[1], r->f[2], strlen(r->f[2]), &res);
        cr_assert_eq(st, RACHIS_OK, "assertion.tsv:%d: target not found", r->line);
        const char *got = rachis_assertion_name(res.assertion), *hist = res.historical ? "true" : "false";
        if (strcmp(got, r->f[3]) || strcmp(hist, r->f[4])) failed++;
        cr_expect_str_eq(got, r->f[3], "assertion.tsv:%d: [%s] %s | %s (trigger %s)", r->line, r->f[0], r->f[1],
                         r->f[2], res.trigger_rule ? res.trigger_rule : "-");
        cr_expect_str_eq(hist, r->f[4], "assertion.tsv:%d: historical of %s in: %s", r->line, r->f[1], r->f[2]);
    }
    cr_log_info("%d assertion cases, %d failed", t.n, failed);
    t_free_table(&t);
}

Test(assertion, target_not_in_sentence)
{
    rachis_assert_result res;
    const char *s = "No cord compression.";
    cr_expect_eq(rachis_assert_target(t_scanner, RACHIS_SEC_FINDINGS, "fracture", s, strlen(s), &res), RACHIS_ERR_INPUT);
}

Test(assertion, reports_the_trigger)
{
    rachis_assert_result res;
    const char *s = "There is no evidence of cord compression.";
    cr_assert_eq(rachis_assert_target(t_scanner, RACHIS_SEC_FINDINGS, "cord  compression", s, strlen(s), &res), RACHIS_OK);
    cr_expect_eq(res.assertion, RACHIS_ABSENT);
    cr_expect_str_eq(res.trigger_rule, "context:no-evidence");
}
