/* levels.c — vertebral level mentions: the level grammar's matches turned
 * into labels (ranges expanded across regions), and mentions joined into
 * groups by list separators ("T4, T6 and T9"). */
#include "scan.h"

#include <stdlib.h>
#include <string.h>

static bool group_text(pcre2_match_data *md, const rgroup *grp, const char *name, const char *text,
                       size_t *a, size_t *b)
{
    PCRE2_SPTR first, last;
    int size = pcre2_substring_nametable_scan(grp->code, (PCRE2_SPTR)name, &first, &last);
    if (size < 0) return false;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
    uint32_t count = pcre2_get_ovector_count(md);
    for (PCRE2_SPTR e = first; e <= last; e += size) {
        uint32_t n = (uint32_t)((e[0] << 8) | e[1]);
        if (n < count && ov[2 * n] != PCRE2_UNSET) {
            *a = ov[2 * n];
            *b = ov[2 * n + 1];
            (void)text;
            return true;
        }
    }
    return false;
}

/* Level index of region letter REG and number NUM, or -1. */
static int level_of(const char *reg, int num)
{
    char label[8];
    size_t rl = reg ? strlen(reg) : 0;
    if (!reg || rl > 4 || num <= 0 || num > 13) return -1;
    memcpy(label, reg, rl);   /* reg and num, without snprintf */
    if (num >= 10) label[rl++] = '1';
    label[rl++] = (char)('0' + num % 10);
    label[rl] = '\0';
    return rachis_level_from_label(label);
}

static int number_of(rachis_scanner *s, const char *t, size_t a, size_t b)
{
    if (b <= a || b - a > 40) return -1;
    bool digits = true;
    int v = 0;
    for (size_t i = a; i < b; i++) {
        if (!rx_isdigit((unsigned char)t[i])) digits = false;
        else v = v * 10 + (t[i] - '0');
    }
    if (digits) return b - a <= 2 ? v : -1;
    const char *o = engine_value(s->e, "ordinal", t + a, b - a, s->md2);
    return o ? atoi(o) : -1;
}

static const char *region_of(rachis_scanner *s, const char *t, size_t a, size_t b)
{
    if (b <= a || b - a > 40) return NULL;
    return engine_value(s->e, "region", t + a, b - a, s->md2);
}

/* The name of the level grammar's group PREFIX K ("v1", "a3"), K from 1 to 9,
 * without snprintf (it ran several times a level). */
static const char *group_name(char prefix, int k, char name[3])
{
    name[0] = prefix;
    name[1] = (char)('0' + k);
    name[2] = '\0';
    return name;
}

/* One endpoint: a named vertebra (group vK), or region rK + number nK (the
 * region defaults to DEFREG). */
static int endpoint(rachis_scanner *s, pcre2_match_data *md, int k, const char *defreg, const char **reg_out,
                    size_t *end_out)
{
    const rgroup *grp = &s->e->groups[G_LEVEL];
    const char *t = s->text;
    char name[3];
    size_t a, b;
    if (group_text(md, grp, group_name('v', k, name), t, &a, &b)) {
        const char *v = b - a <= 40 ? engine_value(s->e, "vertebra", t + a, b - a, s->md2) : NULL;
        *end_out = b;
        if (!v) return -1;
        int l = rachis_level_from_label(v);
        *reg_out = NULL;
        return l;
    }
    const char *reg = defreg;
    if (group_text(md, grp, group_name('r', k, name), t, &a, &b)) {
        reg = region_of(s, t, a, b);
        *end_out = b;
    }
    if (!group_text(md, grp, group_name('n', k, name), t, &a, &b)) return -1;
    *end_out = b;
    *reg_out = reg;
    return level_of(reg, number_of(s, t, a, b));
}

static rachis_levelset expand_range(int first, int last)
{
    if (first > last) { int t = first; first = last; last = t; }
    rachis_levelset set = 0;
    int t13 = rachis_level_from_label("T13"), l6 = rachis_level_from_label("L6");
    for (int l = first; l <= last; l++) {
        if ((l == t13 || l == l6) && l != first && l != last) continue;
        set |= (rachis_levelset)1 << l;
    }
    return set;
}

static void push_mention(rachis_scanner *s, size_t a, size_t b, int first, int last)
{
    mention m = {a, b, first < last ? first : last, first < last ? last : first, expand_range(first, last)};
    VEC_PUSH(s->mentions, m);
}

/* Turns the level match in MD into mentions; returns where it ends. */
static size_t take_match(rachis_scanner *s, pcre2_match_data *md)
{
    const char *t = s->text;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
    size_t ms = ov[0], me = ov[1];
    const char *reg1 = NULL, *reg2 = NULL;
    size_t end1 = ms, end2 = 0;
    int first = endpoint(s, md, 1, NULL, &reg1, &end1);
    if (first < 0) return me;
    int last = endpoint(s, md, 2, reg1, &reg2, &end2);
    const char *slash = last >= 0 && end2 > end1 ? memchr(t + end1, '/', end2 - end1) : NULL;
    if (slash && (last - first > 1 || first - last > 1)) {
        /* "T4/T9" names two vertebrae; only "T11/12" (adjacent) is a segment */
        size_t b = (size_t)(slash - t) + 1;
        while (b < end2 && rx_isspace((unsigned char)t[b])) b++;
        push_mention(s, ms, end1, first, first);
        push_mention(s, b, end2, last, last);
    } else if (last >= 0) {
        push_mention(s, ms, end2, first, last);
    } else {
        push_mention(s, ms, end1, first, first);
    }
    /* bare list numbers after it: "T11 and 12" */
    const char *reg = last >= 0 && reg2 ? reg2 : reg1;
    const rgroup *grp = &s->e->groups[G_LEVEL];
    for (int k = 1; k <= 4; k++) {
        char name[3];
        size_t a, b;
        if (!group_text(md, grp, group_name('a', k, name), t, &a, &b)) continue;
        int l = level_of(reg, number_of(s, t, a, b));
        if (l >= 0) push_mention(s, a, b, l, l);
    }
    return me;
}

/* Level mentions: the level rules are tried, anchored, only where a level
 * can begin — a word of one or two letters and then digits ("T12", "Th12"),
 * such a word before one of digits ("T 12", "T-12"), or a level stem
 * ("twelfth", "12th", "atlas"). */
void levels_find(rachis_scanner *s)
{
    const char *t = s->text;
    size_t n = s->len, next = 0, i = 0, prev_ws = 0, prev_we = 0;
    bool have_prev = false;
    pcre2_match_data *md = s->md;
    const stem_table *ls = &s->e->levelstems;
    while (i < n) {
        while (i < n && !rx_isalnum((unsigned char)t[i])) i++;
        if (i >= n) break;
        size_t ws = i, fd = 0;
        bool digit = false;
        for (; i < n && rx_isalnum((unsigned char)t[i]); i++)
            if (!digit && rx_isdigit((unsigned char)t[i])) {
                digit = true;
                fd = i;
            }
        size_t we = i;
        if (ws >= next) {
            size_t cand = (size_t)-1;
            if (digit && fd > ws && fd - ws <= 2 && rx_isalpha((unsigned char)t[ws])) {
                cand = ws;                                  /* T12, Th12 */
            } else if (digit && fd == ws && have_prev && prev_we - prev_ws <= 2 && ws - prev_we <= 2 &&
                       rx_isalpha((unsigned char)t[prev_ws]) && prev_ws >= next) {
                bool gap = true;                            /* T 12, T-12, Th-12 */
                for (size_t k = prev_we; k < ws; k++) gap &= t[k] == ' ' || t[k] == '-';
                if (gap) cand = prev_ws;
            }
            if (cand == (size_t)-1 && ws + 1 < n && ls->n && stem_maybe(ls, t + ws) &&
                engine_stem_at(ls, t, n, ws, NULL))
                cand = ws;                                  /* twelfth, 12th, atlas */
            if (cand != (size_t)-1 && scan_match_at(s, G_LEVEL, t, n, cand, md) >= 0) {
                next = take_match(s, md);
                if (next > i) i = next;
                have_prev = false;
                continue;
            }
        }
        prev_ws = ws;
        prev_we = we;
        have_prev = true;
    }
}

rachis_levelset levels_in(rachis_scanner *s, size_t start, size_t end)
{
    rachis_levelset set = 0;
    for (size_t i = 0; i < s->mentions.n; i++) {
        const mention *m = &s->mentions.v[i];
        if (m->start >= start && m->end <= end) set |= m->set;
        if (m->start >= end) break;
    }
    return set;
}

void levels_group(rachis_scanner *s)
{
    const char *t = s->text;
    size_t mi = 0;
    for (size_t si = 0; si < s->sents.n; si++) {
        sentence *st = &s->sents.v[si];
        st->first_group = s->groups.n;
        st->n_groups = 0;
        while (mi < s->mentions.n && s->mentions.v[mi].start < st->start) mi++;
        while (mi < s->mentions.n && s->mentions.v[mi].end <= st->end) {
            const mention *m = &s->mentions.v[mi];
            lgroup *prev = st->n_groups ? &s->groups.v[s->groups.n - 1] : NULL;
            bool join = false;
            if (prev && m->start >= prev->end) {
                size_t gap = m->start - prev->end;
                join = gap == 0 ||
                       (gap < 40 && scan_match(s, G_LEVELSEP, t, m->start, prev->end, 0, s->md2) >= 0);
            }
            if (join) {
                prev->end = m->end;
                prev->set |= m->set;
            } else {
                lgroup g = {m->start, m->end, m->set, (int)si};
                VEC_PUSH(s->groups, g);
                st->n_groups++;
            }
            mi++;
        }
    }
}
