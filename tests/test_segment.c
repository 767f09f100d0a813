/* test_segment.c — sections and sentences (tests/data/sentences.tsv), and
 * hostile text: NUL bytes, invalid UTF-8, huge lines, CR-only files. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "scan.h"
#include "testutil.h"

TestSuite(segment, .init = t_setup, .fini = t_teardown);

static void collapse(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    bool space = false;
    for (size_t i = 0; i < n && o + 2 < cap; i++) {
        char c = s[i];
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') { space = true; continue; }
        if (space && o) out[o++] = ' ';
        space = false;
        out[o++] = c;
    }
    out[o] = '\0';
}

Test(segment, table)
{
    t_table t = t_read_table("tests/data/sentences.tsv");
    for (int i = 0; i < t.n; i++) {
        t_row *r = &t.rows[i];
        cr_assert_eq(r->n, 2, "sentences.tsv:%d", r->line);
        /* \r and \n escapes */
        char *o = r->f[0];
        for (char *p = r->f[0]; *p; p++) {
            if (p[0] == '\\' && (p[1] == 'n' || p[1] == 'r')) { *o++ = p[1] == 'n' ? '\n' : '\r'; p++; }
            else *o++ = *p;
        }
        *o = '\0';
        t_scan(r->f[0]);
        char got[8192] = "";
        for (size_t k = 0; k < t_scanner->sents.n; k++) {
            const sentence *st = &t_scanner->sents.v[k];
            char buf[2048];
            collapse(r->f[0] + st->start, st->end - st->start, buf, sizeof buf);
            if (k) strcat(got, " | ");
            strcat(got, rachis_section_name((rachis_section)st->section));
            strcat(got, ":");
            strcat(got, buf);
        }
        cr_expect_str_eq(got, r->f[1], "sentences.tsv:%d:\n  got  %s\n  want %s", r->line, got, r->f[1]);
    }
    t_free_table(&t);
}

Test(segment, nul_bytes_and_invalid_utf8)
{
    static const char text[] = "FINDINGS: Compression fracture of T12.\0\xff\xfe junk \x80\nNo cord compression at T12.";
    rachis_input in;
    memset(&in, 0, sizeof in);
    in.id = "nul";
    in.text = text;
    in.length = sizeof text - 1;
    const rachis_record *r;
    rachis_scan(t_scanner, &in, &r);
    cr_assert_eq(r->status, RACHIS_OK);
    cr_assert_eq(r->n_findings, 2);
    cr_expect_eq(r->findings[0].concept, RACHIS_FRACTURE);
    cr_expect_eq(r->findings[1].assertion, RACHIS_ABSENT);
    cr_expect_eq(r->findings[1].span.start, 52, "offsets count the NUL and the bad bytes (got %zu)", r->findings[1].span.start);
}

Test(segment, huge_line)
{
    size_t n = 4u << 20;
    char *text = malloc(n + 64);
    for (size_t i = 0; i < n; i++) text[i] = "word "[i % 5];
    strcpy(text + n, " compression fracture of T12");
    const rachis_record *r = t_scan(text);
    cr_assert_eq(r->status, RACHIS_OK);
    cr_assert_eq(r->n_findings, 1);
    cr_expect_eq(r->findings[0].levels, (rachis_levelset)1 << rachis_level_from_label("T12"));
    free(text);
}

Test(segment, too_large_is_an_error_record)
{
    rachis_scanner *small;
    rachis_limits lim = {0, 0, 0, 100};
    rachis_scanner_create(t_engine, &lim, &small);
    char text[200];
    memset(text, 'a', sizeof text);
    rachis_input in;
    memset(&in, 0, sizeof in);
    in.id = "big";
    in.path = "big.txt";
    in.text = text;
    in.length = sizeof text;
    const rachis_record *r;
    rachis_scan(small, &in, &r);
    cr_expect_eq(r->status, RACHIS_ERR_LIMIT);
    cr_expect_str_eq(r->error_code, "too_large");
    cr_expect_str_eq(r->error_message, "big.txt: record 1: report of 200 bytes exceeds the limit of 100 bytes (--max-report-bytes)");
    cr_expect_eq(r->n_findings, 0);
    rachis_scanner_free(small);
}

Test(segment, empty_report)
{
    const rachis_record *r = t_scan("");
    cr_expect_eq(r->status, RACHIS_OK);
    cr_expect_eq(r->n_findings, 0);
    cr_expect_eq(r->n_levels, 0);
}
