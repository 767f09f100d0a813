/* test_patterns.c — the pattern-file loader: the exact text of every
 * diagnostic (file:line:col, source line, caret), all errors not just the
 * first, warnings and --strict, and the format's features. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rachis.h"

/* a minimal valid set of rules the cases add to */
static const char *const base_levels =
    "level numeric := (?<r1>[ctls])(?<n1>\\d{1,2})\n"
    "value t class=region to=T := t\n";
static const char *const base_concept = "rule fx concept=compression_fracture := fracture\n";

static char dir[64];

static void write_file(const char *name, const char *content)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(content, f);
    fclose(f);
}

static void setup(void)
{
    strcpy(dir, "/tmp/rachis-test-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    write_file("levels.rules", base_levels);
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(patterns, .init = setup, .fini = teardown);

/* Loads DIR and returns every diagnostic as printed, with DIR replaced by "P". */
static char *load(bool strict, rachis_status *st)
{
    rachis_diags d;
    rachis_diags_init(&d);
    rachis_engine *e = NULL;
    *st = rachis_engine_load(dir, strict, &e, &d);
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    for (size_t i = 0; i < d.count; i++) rachis_diag_print(&d.items[i], m);
    fclose(m);
    rachis_diags_free(&d);
    rachis_engine_free(e);
    char *out = malloc(len + 1), *o = out;
    size_t dl = strlen(dir);
    for (char *p = buf; *p;) {
        if (!strncmp(p, dir, dl)) { *o++ = 'P'; p += dl; }
        else *o++ = *p++;
    }
    *o = '\0';
    free(buf);
    return out;
}

Test(patterns, valid_set_loads)
{
    write_file("fracture.rules", base_concept);
    rachis_status st;
    char *out = load(false, &st);
    cr_expect_eq(st, RACHIS_OK);
    cr_expect_str_eq(out, "");
    free(out);
}

Test(patterns, regex_error_points_at_its_column)
{
    write_file("fracture.rules", "# comment\nrule fx concept=compression_fracture := compression (fracture\n");
    rachis_status st;
    char *out = load(false, &st);
    cr_expect_eq(st, RACHIS_ERR_PATTERN);
    cr_expect_str_eq(out, "P/fracture.rules:2:62: error: missing closing parenthesis\n"
                          "  rule fx concept=compression_fracture := compression (fracture\n"
                          "                                                               ^\n");
    free(out);
}

Test(patterns, every_error_is_reported)
{
    write_file("fracture.rules",
               "rule fx concept=compression_fracture := fracture\n"
               "rulez bad := x\n"
               "rule fy concept=fractures := y\n"
               "rule fz concept=compression_fracture chronicity=ancient := z\n"
               "rule fw concept=compression_fracture := a{NOPE}b\n"
               "rule fx concept=compression_fracture := again\n"
               "attr at concept=compression_fracture := q\n"
               "trigger t1 class=negated dir=sideways scope=5 := no\n"
               "trigger t2 class=possible dir=forward scope=5 ends=negated,pseudo := cannot exclude\n"
               "rule noassign concept=compression_fracture\n"
               "  continued(\n");
    rachis_status st;
    char *out = load(false, &st);
    cr_expect_eq(st, RACHIS_ERR_PATTERN);
    cr_expect_str_eq(out,
        "P/fracture.rules:2:1: error: unknown directive 'rulez' (define, section, abbrev, listmark, level, value, levelsep, heading, anaphor, region, levelbind, anchor, stem, levelstem, triggerstem, sectionstem, rule, exclude, veto, attr, trigger, primary, sins, primarystem, primarygate, sinsstem, levelnot)\n"
        "  rulez bad := x\n"
        "  ^\n"
        "P/fracture.rules:3:9: error: unknown concept 'fractures' (compression_fracture, cord_compression, soft_tissue_extension, metastasis)\n"
        "  rule fy concept=fractures := y\n"
        "          ^\n"
        "P/fracture.rules:4:38: error: attribute 'chronicity' has no value 'ancient'\n"
        "  rule fz concept=compression_fracture chronicity=ancient := z\n"
        "                                       ^\n"
        "P/fracture.rules:7:1: error: attr at needs an attribute assignment (name=value)\n"
        "  attr at concept=compression_fracture := q\n"
        "  ^\n"
        "P/fracture.rules:8:26: error: unknown direction 'sideways' (forward, backward, both)\n"
        "  trigger t1 class=negated dir=sideways scope=5 := no\n"
        "                           ^\n"
        "P/fracture.rules:9:47: error: ends takes classes (negated, possible, hypothetical, historical, present), not 'pseudo'\n"
        "  trigger t2 class=possible dir=forward scope=5 ends=negated,pseudo := cannot exclude\n"
        "                                                ^\n"
        "P/fracture.rules:10:43: error: missing ':=' before the pattern\n"
        "  rule noassign concept=compression_fracture\n"
        "                                            ^\n"
        "P/fracture.rules:6:1: error: duplicate name 'fx' (first at line 1)\n"
        "  rule fx concept=compression_fracture := again\n"
        "  ^\n"
        "P/fracture.rules:5:42: error: undefined sub-pattern {NOPE}\n"
        "  rule fw concept=compression_fracture := a{NOPE}b\n"
        "                                           ^\n");
    free(out);
}

Test(patterns, registry_rules_are_checked)
{
    write_file("registry.rules",
               "primary p1 site=pancreas := pancreatic\\s+cancer\n"
               "primary p2 := breast\\s+cancer\n"
               "sins s1 item=stability value=high := unstable\n"
               "sins s2 item=alignment value=bilateral := both\n"
               "sins s3 item=collapse value=involved := entire\\s+body\n");
    rachis_status st;
    char *out = load(false, &st);
    cr_expect_eq(st, RACHIS_ERR_PATTERN);
    cr_expect_str_eq(out,
        "P/registry.rules:1:12: error: unknown primary site 'pancreas' (lung, breast, prostate, kidney, thyroid, "
        "colorectal, liver, melanoma, myeloma, lymphoma, other, unknown, or none for words that name no primary)\n"
        "  primary p1 site=pancreas := pancreatic\\s+cancer\n"
        "             ^\n"
        "P/registry.rules:2:1: error: primary p2 needs site=SITE\n"
        "  primary p2 := breast\\s+cancer\n"
        "  ^\n"
        "P/registry.rules:3:9: error: unknown SINS item 'stability' (alignment, posterolateral, collapse, lesion)\n"
        "  sins s1 item=stability value=high := unstable\n"
        "          ^\n"
        "P/registry.rules:4:1: error: sins s2: 'bilateral' is not a value of alignment\n"
        "  sins s2 item=alignment value=bilateral := both\n"
        "  ^\n");
    free(out);
}

Test(patterns, error_inside_a_continuation_line)
{
    write_file("fracture.rules", "rule fx concept=compression_fracture :=\n    compression\n    fracture[\n");
    rachis_status st;
    char *out = load(false, &st);
    cr_expect_eq(st, RACHIS_ERR_PATTERN);
    cr_expect_str_eq(out, "P/fracture.rules:3:13: error: missing terminating ] for character class\n"
                          "      fracture[\n"
                          "              ^\n");
    free(out);
}

Test(patterns, empty_match_is_a_warning_and_strict_makes_it_fatal)
{
    write_file("fracture.rules", "rule fx concept=compression_fracture := (?:fracture)?\n");
    rachis_status st;
    char *out = load(false, &st);
    cr_expect_eq(st, RACHIS_OK);
    cr_expect_str_eq(out, "P/fracture.rules:1:1: warning: rule fx matches the empty string\n"
                          "  rule fx concept=compression_fracture := (?:fracture)?\n"
                          "  ^\n");
    free(out);
    out = load(true, &st);
    cr_expect_eq(st, RACHIS_ERR_PATTERN);
    cr_expect_str_eq(out, "P/fracture.rules:1:1: error: rule fx matches the empty string\n"
                          "  rule fx concept=compression_fracture := (?:fracture)?\n"
                          "  ^\n");
    free(out);
}

Test(patterns, self_reference_and_missing_directory)
{
    write_file("fracture.rules", "define LOOP := a{LOOP}\nrule fx concept=compression_fracture := {LOOP}\n");
    rachis_status st;
    char *out = load(false, &st);
    cr_expect_eq(st, RACHIS_ERR_PATTERN);
    cr_expect(strstr(out, "P/fracture.rules:1:17: error: sub-pattern {LOOP} refers to itself\n") != NULL, "%s", out);
    free(out);
    rachis_diags d;
    rachis_diags_init(&d);
    rachis_engine *e;
    cr_expect_eq(rachis_engine_load("/nonexistent-rachis-dir", false, &e, &d), RACHIS_ERR_PATTERN);
    cr_assert_eq(d.count, 1);
    cr_expect_str_eq(d.items[0].message, "cannot open pattern directory: No such file or directory");
    rachis_diags_free(&d);
}

Test(patterns, spaces_match_line_breaks_and_defines_expand)
{
    write_file("fracture.rules", "define KIND := (?:compression|burst)\nrule fx concept=compression_fracture := {KIND} fracture\n");
    rachis_status st;
    char *out = load(false, &st);
    cr_assert_eq(st, RACHIS_OK, "%s", out);
    free(out);
    rachis_engine *e;
    cr_assert_eq(rachis_engine_load(dir, false, &e, NULL), RACHIS_OK);
    rachis_scanner *s;
    rachis_scanner_create(e, NULL, &s);
    const char *text = "There is a BURST\n  fracture of t12.";
    rachis_input in = {0};
    in.text = text;
    in.length = strlen(text);
    const rachis_record *r;
    rachis_scan(s, &in, &r);
    cr_assert_eq(r->n_findings, 1);
    cr_expect_eq(r->findings[0].span.start, 11);
    cr_expect_eq(r->findings[0].span.end, 27);
    cr_expect_str_eq(r->findings[0].rule, "fracture:fx");
    rachis_scanner_free(s);
    rachis_engine_free(e);
}

/* Number of findings the engine of DIR gives TEXT. */
static size_t count_findings(const char *text)
{
    rachis_engine *e = NULL;
    cr_assert_eq(rachis_engine_load(dir, false, &e, NULL), RACHIS_OK);
    rachis_scanner *s = NULL;
    cr_assert_eq(rachis_scanner_create(e, NULL, &s), RACHIS_OK);
    rachis_input in = {.id = "t", .path = "t", .text = text, .length = strlen(text)};
    const rachis_record *r = NULL;
    cr_assert_eq(rachis_scan(s, &in, &r), RACHIS_OK);
    size_t n = r->n_findings;
    rachis_scanner_free(s);
    rachis_engine_free(e);
    return n;
}

Test(patterns, a_stem_ending_in_word_boundary_is_a_whole_word)
{
    write_file("fracture.rules", "stem fs concept=compression_fracture := ca\\b\n"
                                 "rule fx concept=compression_fracture := \\w+\\s+fracture\n");
    cr_expect_eq(count_findings("Known ca fracture."), 1);
    cr_expect_eq(count_findings("The canal fracture."), 0);   /* "canal" does not begin with the word "ca" */
    write_file("fracture.rules", "stem fs concept=compression_fracture := ca\n"
                                 "rule fx concept=compression_fracture := \\w+\\s+fracture\n");
    cr_expect_eq(count_findings("The canal fracture."), 1);   /* a plain stem is a word beginning */
}
