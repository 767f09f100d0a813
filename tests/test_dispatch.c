/* test_dispatch.c — the first-byte dispatch of rule groups (dispatch.c):
 * at every position of every test sentence, the part it picks matches
 * exactly as the whole group would (same rule, same span), for the real
 * trigger and concept groups and for rules written to trip up the splitter. */
#include <criterion/criterion.h>
#include <string.h>

#include "scan.h"
#include "testutil.h"

TestSuite(dispatch, .init = t_setup, .fini = t_teardown);

static const char *const prefixes[][2] = {
    {"(?!(?<=\\w)\\w)(?:", ")"},      /* as trigger groups */
    {"(?<![\\w])(?=\\w)(?:", ")"},    /* as concept groups */
};

/* The group as engine.c combines it, compiled anchored. */
static pcre2_code *whole(rule *const *rules, size_t n, int kind)
{
    rachis_buf rx = {0};
    buf_puts(&rx, prefixes[kind][0]);
    for (size_t i = 0; i < n; i++) buf_printf(&rx, "%s(?:%s)(*MARK:%zu)", i ? "|" : "", rules[i]->expanded, i);
    buf_puts(&rx, prefixes[kind][1]);
    int err;
    PCRE2_SIZE off;
    pcre2_code *code = rx_compile(rx.data, rx.len, PCRE2_ANCHORED, &err, &off);
    cr_assert_not_null(code, "the whole group does not compile: %s", rx.data);
    rachis_buf_free(&rx);
    return code;
}

/* Compares, at every position of TEXT, the part against the whole group. */
static int compare(const first_dispatch *d, const pcre2_code *full, const char *text, const char *what)
{
    size_t len = strlen(text);
    pcre2_match_data *m1 = pcre2_match_data_create(64, NULL), *m2 = pcre2_match_data_create(64, NULL);
    int bad = 0;
    for (size_t p = 0; p < len; p++) {
        int r1 = pcre2_match(full, (PCRE2_SPTR)text, len, p, 0, m1, NULL);
        unsigned k = d->part[(unsigned char)text[p]];
        int r2 = k ? pcre2_match(d->parts[k - 1], (PCRE2_SPTR)text, len, p, 0, m2, NULL) : PCRE2_ERROR_NOMATCH;
        if (k && r2 >= 0 && !d->any2[(unsigned char)text[p]]) {   /* the two-byte filter lets it through */
            unsigned char b = p + 1 < len ? rx_tolower((unsigned char)text[p + 1]) : 0;
            cr_expect(p + 1 < len && ((d->second[(unsigned char)text[p]][b >> 3] >> (b & 7)) & 1),
                      "%s: the two-byte filter drops a match at %zu of: %s", what, p, text);
        }
        bool same = (r1 >= 0) == (r2 >= 0);
        if (same && r1 >= 0) {
            PCRE2_SIZE *o1 = pcre2_get_ovector_pointer(m1), *o2 = pcre2_get_ovector_pointer(m2);
            same = o1[0] == o2[0] && o1[1] == o2[1] && !strcmp((const char *)pcre2_get_mark(m1), (const char *)pcre2_get_mark(m2));
        }
        if (!same) bad++;
        cr_expect(same, "%s: at %zu of \"%s\": whole %d, part %d", what, p, text, r1, r2);
    }
    pcre2_match_data_free(m1);
    pcre2_match_data_free(m2);
    return bad;
}

Test(dispatch, engine_groups_on_the_test_sentences)
{
    const rachis_engine *e = t_engine;
    t_table t = t_read_table("tests/data/assertion.tsv");
    int groups = 0;
    for (int g = G_CONCEPT0; g < G_COUNT; g++) {
        const rgroup *grp = &e->groups[g];
        bool is_trig = g >= G_TRIGGER0, is_concept = g < G_VETO0;
        if (!(is_trig || is_concept) || !grp->n || grp->shared) continue;
        cr_assert_not_null(grp->fd, "group %d has no dispatch", g);
        pcre2_code *full = whole(grp->rules, grp->n, is_trig ? 0 : 1);
        groups++;
        for (int i = 0; i < t.n; i++) compare(grp->fd, full, t.rows[i].f[2], grp->rules[0]->id);
        pcre2_code_free(full);
    }
    cr_expect_geq(groups, 5);
    t_free_table(&t);
}

/* Rules the splitter and the narrowing must read right: classes and
 * escapes holding | and parentheses, \Q..\E, comments, top-level options,
 * optional and repeated leading groups, lookbehinds, named groups,
 * alternatives that begin alike or can be empty. */
static const char *const tricky[] = {
    "\\b(?:no|not|nor)\\b",
    "(?:anterior\\s+)?wedg(?:ing|ed)\\b",
    "(?s)a.b|c",
    "[|)(]x|y\\|z|w[]|]",
    "\\Qa|b\\E|q(?#c|d)r",
    "(?<n>dis[ck])\\s+(?<m>x)?h|(?<n>disk)s",
    "(?:(?:breast|lung)\\s+)?(?:cancer|mets?)",
    "(?:ab|c)*d|(?:ab|c)+e",
    "(?<!age )\\bindeterminate\\b|(?<=x)y",
    ",\\s*(?:most\\s+)?likely|\\(\\d{4}\\)",
    "\\d+\\s*mm|one[- ]third",
    "(?:ribs?|t(?:ps?)?)\\s+fx|(?:rib|tp)?s",
    "x?y|(?:q|)r|(?:)s",
    "(?i:Tumou?r)|[[:alpha:]]{2}z",
    "a\\c|b|c(*THEN)d|ce",
    "(?x: n o # | ( \n )|q",
    "\\.\\s|\\d\\d%|\\?$|x\\s*y|\\.\\s+(?:the|a)\\b",
};

static const char *const subjects[] = {
    "No cord compression, not seen nor excluded; anterior wedging of T12 (2019) was wedged.",
    "a\nb c [x |x )x y|z w] w| a|b qr q(r disk x h disks dis h age indeterminate indeterminate xy",
    "Breast cancer with lung mets; ababd cce ce d e, most likely , likely 12 mm one-third one third",
    "ribs fx tp fx t fx tps fx s rib ts y xy r qr s TUMOR tumour abz a1z",
    "a<b a< b ce cd c no q n o nq",
    "Seen. The 12% x y xy.\tthe a. a 1%? ?. x\ny.",
};

Test(dispatch, tricky_rules)
{
    rule rules[sizeof tricky / sizeof *tricky];
    rule *ptrs[sizeof tricky / sizeof *tricky];
    memset(rules, 0, sizeof rules);
    /* all of them; then without the rules kept whole, which make every byte
     * a candidate and so would hide a wrong two-byte filter */
    for (int pass = 0; pass < 2; pass++)
    for (int kind = 0; kind < 2; kind++) {
        size_t n = 0;
        for (size_t i = 0; i < sizeof tricky / sizeof *tricky; i++) {
            if (pass && (strstr(tricky[i], "(*") || strstr(tricky[i], "(?x") || strstr(tricky[i], "\\Q") ||
                         strstr(tricky[i], "(?#") || strstr(tricky[i], "\\c")))
                continue;
            rules[n].expanded = (char *)tricky[i];
            rules[n].id = (char *)tricky[i];
            ptrs[n] = &rules[n];
            n++;
        }
        first_dispatch *d = dispatch_build(ptrs, n, prefixes[kind][0], prefixes[kind][1]);
        cr_assert_not_null(d);
        pcre2_code *full = whole(ptrs, n, kind);
        for (size_t i = 0; i < sizeof subjects / sizeof *subjects; i++) compare(d, full, subjects[i], "tricky");
        pcre2_code_free(full);
        dispatch_destroy(d);
    }
}
