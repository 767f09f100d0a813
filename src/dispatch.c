/* dispatch.c — first-byte dispatch of a rule group: the group's alternatives
 * (each rule's top-level branches) sorted by the bytes a match of them can
 * start with, and for each byte the few that can (narrowed inside their
 * leading group too), compiled anchored; plus the first two bytes branches
 * written as plain text can begin with.  A match tried at a position then
 * runs only the branches that can start there, with the result the whole
 * group would give.  The regex reading here is only what that needs. */
#include "engine.h"

#include <stdlib.h>
#include <string.h>

/* One top-level branch of a rule: rx[start, start + len), and the bytes its
 * match can begin with. */
typedef struct branch {
    size_t rule;        /* index in the group (its MARK) */
    size_t start, len;
    uint8_t first[32];
    bool opaque;        /* taken as written (see opaque()) */
} branch;
typedef VEC(branch) branch_vec;

/* End of the regex item that starts at RX[I] (a group, class, escape or
 * character), not counting a quantifier; sets *OPTS when the item is an
 * option setting such as (?i). */
static size_t item_end(const char *rx, size_t n, size_t i, bool *opts)
{
    if (rx[i] == '\\') {
        if (i + 1 < n && rx[i + 1] == 'Q') {   /* \Q...\E: literal */
            const char *e = rx_memfind(rx + i + 2, n - i - 2, "\\E", 2);
            return e ? (size_t)(e - rx) + 2 : n;
        }
        if (i + 1 < n && rx[i + 1] == 'c') return i + 3 < n ? i + 3 : n;   /* \cX: X may be | or ( */
        return i + 2 < n ? i + 2 : n;
    }
    if (rx[i] == '[') {                          /* a class: to its closing ] */
        i++;
        if (i < n && rx[i] == '^') i++;
        if (i < n && rx[i] == ']') i++;
        for (; i < n && rx[i] != ']'; i++) {
            if (rx[i] == '\\') i++;
            else if (rx[i] == '[' && i + 1 < n && (rx[i + 1] == ':' || rx[i + 1] == '.' || rx[i + 1] == '=')) {
                const char *e = strchr(rx + i + 2, rx[i + 1]);
                while (e && e[1] != ']') e = strchr(e + 1, rx[i + 1]);
                if (e) i = (size_t)(e - rx) + 1;
            }
        }
        return i < n ? i + 1 : n;
    }
    if (rx[i] == '(') {
        if (i + 2 < n && rx[i + 1] == '?' && rx[i + 2] == '#') {   /* comment */
            const char *e = memchr(rx + i, ')', n - i);
            return e ? (size_t)(e - rx) + 1 : n;
        }
        if (opts && i + 1 < n && rx[i + 1] == '?') {
            size_t j = i + 2;
            while (j < n && (rx_isalpha((unsigned char)rx[j]) || rx[j] == '-' || rx[j] == '^')) j++;
            if (j < n && rx[j] == ')' && j > i + 2) *opts = true;
        }
        size_t j = i + 1;
        while (j < n && rx[j] != ')') {
            if (rx[j] == '|') j++;
            else j = item_end(rx, n, j, NULL);
        }
        return j < n ? j + 1 : n;
    }
    return i + 1;
}

/* Starts of the top-level alternatives of RX[0..n): offsets into OUT (the
 * '|' before each, and n at the end); false when RX sets options at its top
 * level ("(?s)...": the setting reaches into the alternatives after it). */
typedef VEC(size_t) size_vec;
static bool split_alternatives(const char *rx, size_t n, size_vec *out)
{
    bool opts = false;
    out->n = 0;
    VEC_PUSH(*out, (size_t)0);
    for (size_t i = 0; i < n;) {
        if (rx[i] == '|') {
            VEC_PUSH(*out, i + 1);
            i++;
        } else {
            i = item_end(rx, n, i, &opts);
        }
    }
    VEC_PUSH(*out, n + 1);
    return !opts;
}

/* Is RX beyond what the splitter reads?  Backtracking verbs ((*THEN) and
 * the like act across alternatives), extended mode (# comments may hold
 * anything), and the rare items whose reading has corner cases (\Q..\E
 * within a class, comments, \cX): such a rule is kept whole, tried at every
 * byte. */
static bool opaque(const char *rx)
{
    if (strstr(rx, "(*") || strstr(rx, "\\Q") || strstr(rx, "(?#") || strstr(rx, "\\c")) return true;
    for (const char *p = strstr(rx, "(?"); p; p = strstr(p + 2, "(?")) {
        const char *q = p + 2;
        bool x = false;
        while (rx_isalpha((unsigned char)*q) || *q == '^' || *q == '-') x |= *q++ == 'x';
        if (x && (*q == ':' || *q == ')')) return true;
    }
    return false;
}

static void split_branches(const char *rx, size_t k, branch_vec *out)
{
    size_t n = strlen(rx);
    size_vec alt = {0};
    if (opaque(rx)) {
        branch w = {k, 0, n, {0}, true};
        memset(w.first, 0xff, sizeof w.first);
        VEC_PUSH(*out, w);
    } else if (!split_alternatives(rx, n, &alt)) {
        branch w = {k, 0, n, {0}, false};
        VEC_PUSH(*out, w);
    } else {
        for (size_t i = 0; i + 1 < alt.n; i++) {
            branch b = {k, alt.v[i], alt.v[i + 1] - 1 - alt.v[i], {0}, false};
            VEC_PUSH(*out, b);
        }
    }
    free(alt.v);
}

/* The bytes a match of RX can start with, by PCRE2's own analysis; false when
 * RX does not compile alone (it refers to a group of another branch). */
static bool first_bytes(const char *rx, size_t len, uint8_t first[32])
{
    int err;
    PCRE2_SIZE off;
    pcre2_code *code = rx_compile(rx, len, 0, &err, &off);
    if (!code) return false;
    uint32_t type = 0, unit = 0;
    const uint8_t *bits = NULL;
    memset(first, 0xff, 32);
    pcre2_pattern_info(code, PCRE2_INFO_FIRSTCODETYPE, &type);
    if (type == 1 && pcre2_pattern_info(code, PCRE2_INFO_FIRSTCODEUNIT, &unit) == 0 && unit < 256) {
        memset(first, 0, 32);
        unsigned char lo = rx_tolower((unsigned char)unit), up = rx_islower(lo) ? (unsigned char)(lo - 32) : lo;
        first[lo >> 3] |= (uint8_t)(1u << (lo & 7));
        first[up >> 3] |= (uint8_t)(1u << (up & 7));
        first[unit >> 3] |= (uint8_t)(1u << (unit & 7));
    } else if (type == 0 && pcre2_pattern_info(code, PCRE2_INFO_FIRSTBITMAP, &bits) == 0 && bits) {
        memcpy(first, bits, 32);
    }
    pcre2_code_free(code);
    return true;
}

/* First-byte sets of the alternatives met while narrowing, by position in
 * the rule text (every alternative is analysed once). */
#define FCACHE_SIZE 8192
typedef struct fcache_entry { const char *rx; size_t n; bool any; uint8_t first[32]; } fcache_entry;

/* Can RX[0..n) start with byte C?  A literal first character is read off;
 * anything else is PCRE2's analysis (yes when it cannot tell). */
static bool may_start(fcache_entry *cache, const char *rx, size_t n, unsigned char c)
{
    if (n && rx_isalnum((unsigned char)rx[0]) && (n == 1 || !strchr("?*{", rx[1])))
        return rx_tolower((unsigned char)rx[0]) == rx_tolower(c);
    size_t h = (((uintptr_t)rx * 31u) ^ n) % FCACHE_SIZE, probes = 0;
    while (cache[h].rx && (cache[h].rx != rx || cache[h].n != n) && ++probes < FCACHE_SIZE) h = (h + 1) % FCACHE_SIZE;
    fcache_entry tmp = {0}, *e = probes < FCACHE_SIZE ? &cache[h] : &tmp;   /* a full cache: not kept */
    if (!e->rx) {
        e->rx = rx;
        e->n = n;
        e->any = !first_bytes(rx, n, e->first);
    }
    return e->any || ((e->first[c >> 3] >> (c & 7)) & 1);
}

/* Skips the zero-width items that begin RX[0..n) (\b, lookbehinds); returns
 * where the first consuming item starts.  When that item is a plain,
 * capturing or named group, *OPEN is the length of its opener and *CLOSE the
 * offset just after its ')', else *OPEN is 0. */
static size_t lead(const char *rx, size_t n, size_t *open, size_t *close)
{
    size_t i = 0;
    for (;;) {
        if (i + 1 < n && rx[i] == '\\' && (rx[i + 1] == 'b' || rx[i + 1] == 'B')) i += 2;
        else if (i + 3 < n && rx[i] == '(' && rx[i + 1] == '?' && rx[i + 2] == '<' && (rx[i + 3] == '=' || rx[i + 3] == '!'))
            i = item_end(rx, n, i, NULL);
        else break;
    }
    *open = 0;
    if (i + 1 < n && rx[i] == '(') {
        if (rx[i + 1] != '?' && rx[i + 1] != '*') *open = 1;
        else if (i + 2 < n && rx[i + 1] == '?' && rx[i + 2] == ':') *open = 3;
        else if (i + 3 < n && rx[i + 1] == '?' && rx[i + 2] == '<' && rx_isalpha((unsigned char)rx[i + 3])) {
            const char *gt = memchr(rx + i, '>', n - i);
            if (gt) *open = (size_t)(gt - rx) + 1 - i;
        }
    }
    *close = *open ? item_end(rx, n, i, NULL) : 0;
    if (*open && (*close > n || rx[*close - 1] != ')')) *open = 0;
    return i;
}

/* Appends to OUT the alternative RX[0..n) as it can match at a position
 * holding byte C: in its leading group (after \b and lookbehinds), the
 * alternatives that cannot start with C are left out, and so on inward.
 * Alternatives that cannot match there fail at once in the full regex, and
 * the order of the others is kept, so the match is the same. */
static void narrow(fcache_entry *cache, const char *rx, size_t n, unsigned char c, rachis_buf *out, int depth)
{
    size_t open, close, i = lead(rx, n, &open, &close);
    if (depth >= 8) open = 0;
    size_vec alt = {0};
    if (!open || (close < n && strchr("*+{", rx[close])) ||
        !split_alternatives(rx + i + open, close - 1 - i - open, &alt)) {
        buf_append(out, rx, n);
        free(alt.v);
        return;
    }
    buf_append(out, rx, i + open);
    const char *in = rx + i + open;
    bool kept = false;
    for (size_t a = 0; a + 1 < alt.n; a++) {
        const char *s = in + alt.v[a];
        size_t len = alt.v[a + 1] - 1 - alt.v[a];
        if (!may_start(cache, s, len, c)) continue;
        if (kept) buf_putc(out, '|');
        narrow(cache, s, len, c, out, depth + 1);
        kept = true;
    }
    if (!kept) buf_puts(out, "(*FAIL)");
    buf_append(out, rx + close - 1, n - (close - 1));
    free(alt.v);
}

/* The first two bytes (lower case) a match of a branch can begin with, when
 * its text says so plainly: a character (or \s, \d) then another, or a
 * group of such alternatives.  A word start whose two bytes no branch of its part
 * begins with is skipped without a match call. */
#define MAX_PAIRS 128
typedef struct pairs { uint16_t v[MAX_PAIRS]; size_t n; } pairs;

static bool literal(char c) { return rx_isalnum((unsigned char)c) || c == '-' || c == '/' || c == '\''; }
static bool quantified(const char *rx, size_t n, size_t i) { return i < n && strchr("?*+{", rx[i]); }
static bool optional(const char *rx, size_t n, size_t i) { return i < n && strchr("?*{", rx[i]); }

static bool add_pair(pairs *p, char a, char b)
{
    if (p->n == MAX_PAIRS) return false;
    p->v[p->n++] = (uint16_t)(rx_tolower((unsigned char)a) << 8 | rx_tolower((unsigned char)b));
    return true;
}

/* The bytes the one-byte item at RX[I] matches, when it is one: a plain
 * character, an escaped punctuation mark, \s or \d; *NEXT is past it. */
static bool one_byte(const char *rx, size_t n, size_t i, char set[16], size_t *next)
{
    if (i >= n) return false;
    if (literal(rx[i])) {
        set[0] = rx[i];
        set[1] = '\0';
        *next = i + 1;
        return true;
    }
    if (rx[i] != '\\' || i + 1 >= n) return false;
    char e = rx[i + 1];
    if (e == 's') strcpy(set, " \t\n\v\f\r");
    else if (e == 'd') strcpy(set, "0123456789");
    else if (e && (unsigned char)e < 128 && !rx_isalnum((unsigned char)e)) set[0] = e, set[1] = '\0';
    else return false;
    *next = i + 2;
    return true;
}

static bool lead_pairs(const char *rx, size_t n, pairs *out, int depth)
{
    size_t open, close, i = lead(rx, n, &open, &close);
    size_vec alt = {0};
    bool ok = false;
    char xs[16], ys[16];
    if (open) {   /* (?:a|b|c) at the start: the pairs of its alternatives */
        bool optional = close < n && rx[close] == '?';
        if (depth < 8 && (optional || !quantified(rx, n, close)) &&
            split_alternatives(rx + i + open, close - 1 - i - open, &alt)) {
            ok = true;
            for (size_t a = 0; a + 1 < alt.n && ok; a++)
                ok = lead_pairs(rx + i + open + alt.v[a], alt.v[a + 1] - 1 - alt.v[a], out, depth + 1);
            if (ok && optional) {   /* (?:a|b)?rest: and the pairs of rest */
                size_t r = close + 1;
                if (r < n && (rx[r] == '?' || rx[r] == '+')) r++;
                ok = lead_pairs(rx + r, n - r, out, depth + 1);
            }
        }
    } else if (one_byte(rx, n, i, xs, &i) && !quantified(rx, n, i) && i < n) {
        size_t j;
        if (one_byte(rx, n, i, ys, &j) && !optional(rx, n, j)) {   /* x then y, \. then \s+ */
            ok = true;
            for (const char *x = xs; *x && ok; x++)
                for (const char *y = ys; *y && ok; y++) ok = add_pair(out, *x, *y);
        } else if (rx[i] == '(' && lead(rx + i, n - i, &open, &close) == 0 && open && !quantified(rx, n, i + close) &&
                   split_alternatives(rx + i + open, close - 1 - open, &alt)) {
            ok = true;   /* x(?:ab|cd): x then the first letter of each */
            for (size_t a = 0; a + 1 < alt.n && ok; a++) {
                const char *s = rx + i + open + alt.v[a];
                size_t len = alt.v[a + 1] - 1 - alt.v[a];
                ok = len && literal(s[0]) && !quantified(s, len, 1);
                for (const char *x = xs; *x && ok; x++) ok = add_pair(out, *x, s[0]);
            }
        }
    }
    free(alt.v);
    return ok;
}

static void dispatch_free(first_dispatch *d)
{
    if (!d) return;
    for (size_t i = 0; i < d->n_parts; i++) pcre2_code_free(d->parts[i]);
    free(d->parts);
    free((void *)d->ready);
    if (d->lock) {
        pthread_mutex_destroy(d->lock);
        free(d->lock);
    }
    free(d);
}

first_dispatch *dispatch_build(rule *const *rules, size_t n, const char *prefix, const char *suffix)
{
    branch_vec br = {0};
    for (size_t k = 0; k < n; k++) {
        size_t from = br.n;
        split_branches(rules[k]->expanded, k, &br);
        bool ok = true;
        for (size_t i = from; i < br.n && ok; i++)
            ok = br.v[i].opaque || first_bytes(rules[k]->expanded + br.v[i].start, br.v[i].len, br.v[i].first);
        if (!ok) {   /* the rule's branches do not stand alone: keep it whole */
            br.n = from;
            branch w = {k, 0, strlen(rules[k]->expanded), {0}, true};
            memset(w.first, 0xff, sizeof w.first);
            VEC_PUSH(br, w);
        }
    }
    pairs *bp = rx_calloc(br.n ? br.n : 1, sizeof *bp);
    bool *bp_ok = rx_calloc(br.n ? br.n : 1, sizeof *bp_ok);
    for (size_t i = 0; i < br.n; i++) {
        const char *t = rules[br.v[i].rule]->expanded + br.v[i].start;
        size_vec alt = {0};
        bp_ok[i] = !br.v[i].opaque && split_alternatives(t, br.v[i].len, &alt) && alt.n == 2 &&
                   lead_pairs(t, br.v[i].len, &bp[i], 0);
        free(alt.v);
    }
    first_dispatch *d = rx_calloc(1, sizeof *d);
    fcache_entry *cache = rx_calloc(FCACHE_SIZE, sizeof *cache);
    char **texts = rx_calloc(256, sizeof *texts);   /* of each part, to share equal ones */
    bool ok = true;
    for (int c = 0; c < 256 && ok; c++) {
        rachis_buf rx = {0};
        buf_puts(&rx, prefix);
        size_t prev = (size_t)-1;
        for (size_t i = 0; i < br.n; i++) {
            const branch *b = &br.v[i];
            if (!((b->first[c >> 3] >> (c & 7)) & 1)) continue;
            if (!bp_ok[i]) d->any2[c] = true;
            for (size_t k = 0; k < bp[i].n; k++)
                if (bp[i].v[k] >> 8 == rx_tolower((unsigned char)c)) {
                    unsigned char b2 = (unsigned char)(bp[i].v[k] & 0xff);
                    d->second[c][b2 >> 3] |= (uint8_t)(1u << (b2 & 7));
                }
            if (b->rule != prev) {
                if (prev != (size_t)-1) buf_printf(&rx, ")(*MARK:%zu)|", prev);
                buf_puts(&rx, "(?:");
                prev = b->rule;
            } else {
                buf_putc(&rx, '|');
            }
            if (b->opaque) buf_append(&rx, rules[b->rule]->expanded + b->start, b->len);
            else narrow(cache, rules[b->rule]->expanded + b->start, b->len, (unsigned char)c, &rx, 0);
        }
        if (prev == (size_t)-1) {   /* no match starts with this byte */
            rachis_buf_free(&rx);
            continue;
        }
        buf_printf(&rx, ")(*MARK:%zu)", prev);
        buf_puts(&rx, suffix);
        buf_cstr(&rx);
        for (size_t k = 0; k < d->n_parts && !d->part[c]; k++)
            if (!strcmp(texts[k], rx.data)) d->part[c] = (uint16_t)(k + 1);
        if (d->part[c]) {
            rachis_buf_free(&rx);
            continue;
        }
        int err;
        PCRE2_SIZE off;
        pcre2_code *code = rx_compile(rx.data, rx.len, PCRE2_ANCHORED, &err, &off);
        if (!code) {
            rachis_buf_free(&rx);
            ok = false;
            break;
        }
        d->parts = rx_realloc(d->parts, (d->n_parts + 1) * sizeof *d->parts);
        texts[d->n_parts] = rx.data;
        d->parts[d->n_parts++] = code;
        d->part[c] = (uint16_t)d->n_parts;
    }
    free(bp);
    free(bp_ok);
    for (size_t k = 0; k < d->n_parts; k++) free(texts[k]);
    free(texts);
    free(cache);
    free(br.v);
    if (!ok) {
        dispatch_free(d);
        return NULL;
    }
    d->ready = rx_calloc(d->n_parts ? d->n_parts : 1, sizeof *d->ready);
    d->lock = rx_malloc(sizeof *d->lock);
    pthread_mutex_init(d->lock, NULL);
    return d;
}

unsigned char dispatch_ready(const first_dispatch *fd, size_t k)
{
    return jit_on_first_use(fd->lock, &fd->ready[k], fd->parts[k]);
}

void dispatch_destroy(first_dispatch *d) { dispatch_free(d); }
