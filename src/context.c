/* context.c — assertion in the manner of ConText: triggers from patterns/
 * (negated, possible, hypothetical, historical, present), each with a
 * direction and a scope in words, stopped by terminators; pseudo-triggers
 * take their words away from the triggers they look like. */
#include "scan.h"

#include <string.h>

void context_sentence_trigs(rachis_scanner *s, int si);

void context_sentence_trigs(rachis_scanner *s, int si)
{
    sentence *st = &s->sents.v[si];
    if (st->trig_done) return;
    st->trig_done = true;
    st->first_trig = s->trigs.n;
    st->n_trig = 0;
    int g = G_TRIGGER0 + st->section;
    const stem_table *ts = &s->e->triggerstems;
    const char *t = s->text;
    if (!ts->n && !ts->any_single) {   /* no trigger stems: one scan of the sentence */
        size_t pos = st->start;
        while (pos < st->end) {
            int rc = scan_match(s, g, t, st->end, pos, 0, s->md2);
            if (rc < 0) break;
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md2);
            pos = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
            const rule *r = scan_rule(s, g, s->md2);
            if (!r || ov[1] == ov[0]) continue;
            trig tr = {ov[0], ov[1], r};
            VEC_PUSH(s->trigs, tr);
            st->n_trig++;
        }
        return;
    }
    /* triggers begin only where a trigger stem does: try the anchored group there */
    for (size_t pos = st->start; pos < st->end; pos++) {
        unsigned char c = (unsigned char)t[pos];
        bool cand;
        if (rx_isalnum(c)) {
            if (pos > st->start && rx_isalnum((unsigned char)t[pos - 1])) continue;
            cand = ts->single[c] || (pos + 1 < st->end && stem_maybe(ts, t + pos) && engine_stem_at(ts, t, st->end, pos, NULL));
        } else {
            cand = ts->single[c];
        }
        if (!cand || scan_match_at(s, g, t, st->end, pos, s->md2) < 0) continue;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md2);
        const rule *r = scan_rule(s, g, s->md2);
        if (!r || ov[1] == ov[0]) continue;
        trig tr = {ov[0], ov[1], r};
        VEC_PUSH(s->trigs, tr);
        st->n_trig++;
        pos = ov[1] - 1;
    }
}

/* Does a terminator for trigger class CLS start in [a, b)? */
static bool terminated(rachis_scanner *s, const sentence *st, size_t a, size_t b, int cls)
{
    for (size_t i = st->first_trig; i < st->first_trig + st->n_trig; i++) {
        const trig *t = &s->trigs.v[i];
        bool ends = t->r->tclass == T_TERMINATOR && !t->r->ends_mask ? !(t->r->historical_only && cls != T_HISTORICAL)
                                                                   : (t->r->ends_mask >> cls) & 1;
        if (!ends) continue;
        if (t->start >= a && t->start < b) return true;
    }
    return memchr(s->text + a, ';', b > a ? b - a : 0) != NULL;
}

/* Asserts span [a, b) of sentence ST into F. */
static void assert_span(rachis_scanner *s, const sentence *st, size_t a, size_t b, rachis_finding *f)
{
    const trig *best[T_CLASS_COUNT] = {NULL};
    int bestw[T_CLASS_COUNT];
    for (int c = 0; c < T_CLASS_COUNT; c++) bestw[c] = 1 << 30;
    for (size_t i = st->first_trig; i < st->first_trig + st->n_trig; i++) {
        const trig *t = &s->trigs.v[i];
        const rule *r = t->r;
        if (r->tclass == T_PSEUDO || r->tclass == T_TERMINATOR) continue;
        int w;
        if (t->end <= a && (r->dir & DIR_FORWARD)) {
            w = rx_count_words(s->text + t->end, a - t->end);
            if (w > r->scope || terminated(s, st, t->end, a, r->tclass)) continue;
        } else if (t->start >= b && (r->dir & DIR_BACKWARD)) {
            w = rx_count_words(s->text + b, t->start - b);
            if (w > r->scope || terminated(s, st, b, t->start, r->tclass)) continue;
        } else if ((t->start >= a && t->end <= b && t->end - t->start < b - a) || (t->start < a && t->end > a && (r->dir & DIR_FORWARD))) {
            /* inside the finding's words ("the thecal sac is not compressed"), or
             * running into them ("does not compress the conus") */
            w = 0;
        } else {
            continue;
        }
        if (w < bestw[r->tclass]) {
            bestw[r->tclass] = w;
            best[r->tclass] = t;
        }
    }
    /* Hypothetical wins; between negated and possible the nearer trigger wins,
     * except that a negation standing before a hedge negates it ("no lesion
     * suspicious for metastasis"). */
    const trig *neg = best[T_NEGATED], *pos = best[T_POSSIBLE], *win = NULL;
    rachis_assertion as = RACHIS_PRESENT;
    if (best[T_HYPOTHETICAL]) {
        win = best[T_HYPOTHETICAL];
        as = RACHIS_HYPOTHETICAL;
    } else if (neg && pos) {
        bool neg_first = neg->end <= pos->start && pos->start < b;   /* the hedge before or in the words */
        if (neg_first || bestw[T_NEGATED] <= bestw[T_POSSIBLE]) { win = neg; as = RACHIS_ABSENT; }
        else { win = pos; as = RACHIS_POSSIBLE; }
    } else if (neg) {
        win = neg;
        as = RACHIS_ABSENT;
    } else if (pos) {
        win = pos;
        as = RACHIS_POSSIBLE;
    } else if (best[T_PRESENT]) {
        win = best[T_PRESENT];
    }
    f->assertion = as;
    f->trigger_rule = win ? win->r->id : NULL;
    if (win) {
        f->trigger_span.start = win->start;
        f->trigger_span.end = win->end;
    }
    f->historical = best[T_HISTORICAL] != NULL;
    if (f->historical && !f->trigger_rule) {
        f->trigger_rule = best[T_HISTORICAL]->r->id;
        f->trigger_span.start = best[T_HISTORICAL]->start;
        f->trigger_span.end = best[T_HISTORICAL]->end;
    }
}

void context_assert_span(rachis_scanner *s, int si, size_t a, size_t b, rachis_finding *f)
{
    context_sentence_trigs(s, si);
    assert_span(s, &s->sents.v[si], a, b, f);
}

void context_assert_findings(rachis_scanner *s)
{
    for (size_t i = 0; i < s->findings.n; i++) {
        rachis_finding *f = &s->findings.v[i];
        int si = s->finfo.v[i].sent;
        context_sentence_trigs(s, si);
        rachis_assertion preset = f->assertion;
        assert_span(s, &s->sents.v[si], f->span.start, f->span.end, f);
        if (s->finfo.v[i].preset) {
            f->assertion = preset;
            f->trigger_rule = NULL;
        }
    }
    /* findings whose rule says a negated match is not a finding */
    size_t k = 0;
    for (size_t i = 0; i < s->findings.n; i++) {
        if (s->finfo.v[i].drop_negated && s->findings.v[i].assertion == RACHIS_ABSENT) continue;
        s->findings.v[k] = s->findings.v[i];
        s->finfo.v[k] = s->finfo.v[i];
        k++;
    }
    s->findings.n = s->finfo.n = k;
}

/* Finds TARGET in SENT ignoring case and collapsing whitespace. */
static bool find_target(const char *sent, size_t n, const char *target, size_t *a, size_t *b)
{
    size_t tl = strlen(target);
    while (tl && rx_isspace((unsigned char)target[tl - 1])) tl--;
    size_t t0 = 0;
    while (t0 < tl && rx_isspace((unsigned char)target[t0])) t0++;
    if (t0 >= tl) return false;
    unsigned char c0 = rx_tolower((unsigned char)target[t0]);   /* not a space */
    for (size_t i = 0; i < n; i++) {
        if (rx_tolower((unsigned char)sent[i]) != c0) continue;
        size_t j = i, k = t0;
        while (k < tl && j < n) {
            unsigned char tc = (unsigned char)target[k], sc = (unsigned char)sent[j];
            if (rx_isspace(tc)) {
                if (!rx_isspace(sc)) break;
                while (k < tl && rx_isspace((unsigned char)target[k])) k++;
                while (j < n && rx_isspace((unsigned char)sent[j])) j++;
                continue;
            }
            if (rx_tolower(tc) != rx_tolower(sc)) break;
            j++;
            k++;
        }
        if (k == tl) {
            *a = i;
            *b = j;
            return true;
        }
    }
    return false;
}

rachis_status rachis_assert_target(rachis_scanner *s, rachis_section section, const char *target,
                                   const char *text, size_t length, rachis_assert_result *out)
{
    size_t a, b;
    memset(out, 0, sizeof *out);
    if (!find_target(text, length, target, &a, &b)) return RACHIS_ERR_INPUT;
    s->text = text;
    s->len = length;
    s->sents.n = 0;
    s->limit_hit = false;
    sentence st;
    memset(&st, 0, sizeof st);
    st.start = 0;
    st.end = length;
    st.section = (int)section;
    /* several targets of one sentence come one after the other: its
     * triggers are found once */
    bool same = s->last.valid && s->last.section == (int)section && s->last.len == length &&
                !memcmp(s->last.text, text, length);
    if (same) {
        st.trig_done = true;
        st.n_trig = s->trigs.n;
        s->limit_hit = s->last.limit_hit;
    }
    VEC_PUSH(s->sents, st);
    if (!same) {
        s->trigs.n = 0;
        context_sentence_trigs(s, 0);
        if (length + 1 > s->last.cap) {
            s->last.cap = length + 1;
            s->last.text = rx_realloc(s->last.text, s->last.cap);
        }
        memcpy(s->last.text, text, length);
        s->last.len = length;
        s->last.section = (int)section;
        s->last.limit_hit = s->limit_hit;
        s->last.valid = true;
    }
    /* the concept rule that covers the target gives the finding's words
     * ("the conus is not compressed") and any assertion the rule fixes */
    int preset = -1;
    size_t ta = a, tb = b;
    /* only the concepts whose stems are in the target, near the target */
    unsigned mask = s->e->stems.n ? 0 : ~0u;
    for (size_t i = a; i + 1 < b && s->e->stems.n; i++) {
        unsigned c = 0;
        if (rx_isalnum((unsigned char)text[i]) && (i == a || !rx_isalnum((unsigned char)text[i - 1])) &&
            stem_maybe(&s->e->stems, text + i) && engine_stem_at(&s->e->stems, text, b, i, &c))
            mask |= c;
    }
    size_t wa = a > 80 ? a - 80 : 0, wb = b + 160 < length ? b + 160 : length;
    for (int g = G_CONCEPT0; g < G_CONCEPT0 + RACHIS_CONCEPT_COUNT; g++) {
        if (!(mask & (1u << (g - G_CONCEPT0)))) continue;
        size_t pos = wa;
        /* a match that starts at tb or later cannot cover the target */
        while (pos < tb) {
            if (scan_match_before(s, g, text, wb, pos, tb - 1, s->md, NULL) < 0) break;
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md);
            const rule *r = scan_rule(s, g, s->md);
            pos = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
            if (!r || r->kind != K_RULE || ov[1] <= ta) continue;
            if (ov[0] < a) a = ov[0];
            if (ov[1] > b) b = ov[1];
            if (r->assertion >= 0) preset = r->assertion;
        }
    }
    rachis_finding f;
    memset(&f, 0, sizeof f);
    assert_span(s, &s->sents.v[0], a, b, &f);
    if (preset >= 0) {
        f.assertion = (rachis_assertion)preset;
        f.trigger_rule = NULL;
    }
    if (s->limit_hit) return RACHIS_ERR_LIMIT;
    out->assertion = f.assertion;
    out->historical = f.historical;
    out->trigger_rule = f.trigger_rule;
    return RACHIS_OK;
}
