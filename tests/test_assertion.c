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

/* The scanner keeps the last sentence's triggers for the next target in it:
 * the answers are those of a fresh scanner, whatever ran in between. */
Test(assertion, consecutive_targets_of_one_sentence)
{
    const char *s = "No epidural tumor; possible compression fracture of T12, treated in 2019.";
    const char *targets[] = {"epidural tumor", "compression fracture", "epidural tumor", "fracture"};
    rachis_section secs[] = {RACHIS_SEC_FINDINGS, RACHIS_SEC_FINDINGS, RACHIS_SEC_INDICATION, RACHIS_SEC_INDICATION};
    for (int i = 0; i < 4; i++) {
        rachis_scanner *fresh;
        rachis_scanner_create(t_engine, NULL, &fresh);
        rachis_assert_result want, got;
        cr_assert_eq(rachis_assert_target(fresh, secs[i], targets[i], s, strlen(s), &want), RACHIS_OK);
        rachis_scanner_free(fresh);
        if (i == 3) t_scan("There is no cord compression. Possible metastasis at L1.");   /* another use between */
        cr_assert_eq(rachis_assert_target(t_scanner, secs[i], targets[i], s, strlen(s), &got), RACHIS_OK);
        cr_expect_eq(got.assertion, want.assertion, "target %d", i);
        cr_expect_eq(got.historical, want.historical, "target %d", i);
        cr_expect_str_eq(got.trigger_rule ? got.trigger_rule : "-", want.trigger_rule ? want.trigger_rule : "-", "target %d", i);
    }
}
