/* findings.c — concept matching: anchors pick candidate sentences, the
 * combined concept rules (exclusions first) find findings in them, and the
 * attribute rules of each concept fill their slots. */
#include "scan.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Concept rules run only in windows around the anchors' hits: a rule's
 * words start at most WIN_BEFORE bytes before its anchor stem and end at most
 * WIN_AFTER bytes after it.  Most report text holds no spine finding. */
#define WIN_BEFORE 80
#define WIN_AFTER 160

static void add_window(rachis_scanner *s, sentence *st, size_t a, size_t b, unsigned concepts)
{
    a = a > st->start + WIN_BEFORE ? a - WIN_BEFORE : st->start;
    b = b + WIN_AFTER < st->end ? b + WIN_AFTER : st->end;
    if (st->n_win && s->wins.v[s->wins.n - 1].end >= a) {
        window *w = &s->wins.v[s->wins.n - 1];
        if (b > w->end) w->end = b;
        w->concepts |= concepts;
        return;
    }
    if (!st->n_win) st->first_win = s->wins.n;
    window w = {a, b, concepts};
    VEC_PUSH(s->wins, w);
    st->n_win++;
}

static int cmp_span(const void *a, const void *b)
{
    const window *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

static void mark_candidates(rachis_scanner *s)
{
    const char *t = s->text;
    size_t n = s->len;
    if (!s->e->stems.n && !s->e->groups[G_ANCHOR].code) {
        for (size_t i = 0; i < s->sents.n; i++) {
            sentence *st = &s->sents.v[i];
            st->candidate = true;
            st->first_win = s->wins.n;
            st->n_win = 1;
            window w = {st->start, st->end, ~0u};
            VEC_PUSH(s->wins, w);
        }
        return;
    }
    /* stems: literal word beginnings, looked up at every word start; the
     * same pass marks the sentences holding a word of the primary gate */
    s->hits.n = 0;
    const stem_table *gate = &s->e->primarygates;
    size_t gs = 0;   /* the sentence a gate word may be in */
    if (s->e->stems.n) {
        s->gates_marked = true;
        const stem_table *st = &s->e->stems;
        for (size_t i = 0; i + 1 < n;) {   /* word by word */
            if (!rx_isalnum((unsigned char)t[i])) {
                if (st->any_single && st->single[(unsigned char)t[i]]) {
                    window h = {i, i + 1, st->single_concepts[(unsigned char)t[i]]};   /* "#": fracture */
                    VEC_PUSH(s->hits, h);
                }
                i++;
                continue;
            }
            size_t w = i;   /* a word starts here */
            while (i < n && rx_isalnum((unsigned char)t[i])) i++;
            if (gate->n && stem_maybe(gate, t + w) && engine_stem_at(gate, t, n, w, NULL)) {
                while (gs < s->sents.n && s->sents.v[gs].end <= w) gs++;
                if (gs < s->sents.n && s->sents.v[gs].start <= w) s->sents.v[gs].gate = true;
            }
            if (!stem_maybe(st, t + w)) continue;
            unsigned concepts = 0;
            size_t l = engine_stem_at(st, t, n, w, &concepts);
            if (!l) continue;
            window h = {w, w + l, concepts};
            VEC_PUSH(s->hits, h);
            if (w + l > i) i = w + l;   /* a stem may run past the word ("t-spine") */
        }
    }
    /* anchors: regexes, for what a stem cannot say */
    bool sorted = true;
    if (s->e->groups[G_ANCHOR].code) {
        size_t pos = 0, stems = s->hits.n;
        while (pos < n) {
            int rc = scan_match(s, G_ANCHOR, t, n, pos, 0, s->md);
            if (rc < 0) break;
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md);
            pos = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
            const rule *r = scan_rule(s, G_ANCHOR, s->md);
            window h = {ov[0], ov[1], r && r->concepts ? r->concepts : ~0u};
            VEC_PUSH(s->hits, h);
        }
        sorted = !stems || stems == s->hits.n;
    }
    if (!sorted) qsort(s->hits.v, s->hits.n, sizeof *s->hits.v, cmp_span);
    size_t si = 0;
    for (size_t k = 0; k < s->hits.n; k++) {
        const window *h = &s->hits.v[k];
        while (si < s->sents.n && s->sents.v[si].end <= h->start) si++;
        if (si == s->sents.n) break;
        sentence *st = &s->sents.v[si];
        if (st->start > h->start) continue;
        st->candidate = true;
        add_window(s, st, h->start, h->end, h->concepts);
    }
}

static void apply_set(rachis_scanner *s, rachis_finding *f, const attr_set *a, pcre2_match_data *md,
                      const pcre2_code *code)
{
    if (a->concept != (int)f->concept) return;
    rachis_attr_value *v = &f->attrs[a->slot];
    size_t n;
    const rachis_attr_def *def = &rachis_concept_attrs(f->concept, &n)[a->slot];
    if (def->kind == RACHIS_ATTR_SET) {
        v->set = true;
        v->ivalue |= a->value.ivalue;
        return;
    }
    if (v->set) return;            /* the first statement wins */
    if (a->group) {
        PCRE2_SPTR first, last;
        int size = pcre2_substring_nametable_scan(code, (PCRE2_SPTR)a->group, &first, &last);
        if (size < 0) return;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        uint32_t count = pcre2_get_ovector_count(md);
        for (PCRE2_SPTR e = first; e <= last; e += size) {
            uint32_t g = (uint32_t)((e[0] << 8) | e[1]);
            if (g < count && ov[2 * g] != PCRE2_UNSET && ov[2 * g + 1] - ov[2 * g] < 32) {
                char tmp[32];
                size_t len = ov[2 * g + 1] - ov[2 * g];
                memcpy(tmp, s->text + ov[2 * g], len);
                tmp[len] = '\0';
                for (char *c = tmp; *c; c++)
                    if (*c == ',') *c = '.';
                char *end;
                double d = strtod(tmp, &end);
                if (end != tmp && isfinite(d)) {
                    v->set = true;
                    v->number = d;
                }
                return;
            }
        }
        return;
    }
    *v = a->value;
}

/* A veto of concept C matched from the start of the sentence drops C there. */
static bool vetoed(rachis_scanner *s, int c, const sentence *st)
{
    return s->e->groups[G_VETO0 + c].code &&
           scan_match(s, G_VETO0 + c, s->text, st->end, st->start, 0, s->md2) >= 0;
}

static void add_findings(rachis_scanner *s, int si)
{
    sentence *st = &s->sents.v[si];
    int vetoes[RACHIS_CONCEPT_COUNT] = {-1, -1, -1, -1};   /* -1 not yet known */
    for (int g = G_CONCEPT0; g < G_CONCEPT0 + RACHIS_CONCEPT_COUNT; g++)
    for (size_t w = st->first_win; w < st->first_win + st->n_win; w++) {
        if (!(s->wins.v[w].concepts & (1u << (g - G_CONCEPT0)))) continue;   /* no stem of this concept near */
        size_t pos = s->wins.v[w].start, end = s->wins.v[w].end;
        while (pos < end) {
            const pcre2_code *code;   /* the regex that matched, for its group names */
            int rc = scan_match_before(s, g, s->text, end, pos, end - 1, s->md, &code);
            if (rc < 0) break;
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md);
            pos = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
            const rule *r = scan_rule(s, g, s->md);
            if (!r || r->kind == K_EXCLUDE || ov[1] == ov[0]) continue;
            for (int c = 0; c < RACHIS_CONCEPT_COUNT; c++) {
                if (!(r->concepts & (1u << c))) continue;
                if (vetoes[c] < 0) vetoes[c] = vetoed(s, c, st);
                if (vetoes[c]) continue;
                rachis_finding f;
                memset(&f, 0, sizeof f);
                f.concept = (rachis_concept)c;
                f.span.start = ov[0];
                f.span.end = ov[1];
                f.sentence.start = st->start;
                f.sentence.end = st->end;
                f.section = (rachis_section)st->section;
                f.rule = r->id;
                f.assertion = r->assertion >= 0 ? (rachis_assertion)r->assertion : RACHIS_PRESENT;
                for (int k = 0; k < r->n_sets; k++) apply_set(s, &f, &r->sets[k], s->md, code);
                finfo fi = {si, r->assertion >= 0, r->drop_negated, r->weak};
                VEC_PUSH(s->findings, f);
                VEC_PUSH(s->finfo, fi);
            }
        }
    }
}

/* The finding of concept C in sentence SI nearest to [a, b), or NULL. */
static rachis_finding *nearest(rachis_scanner *s, int c, int si, size_t a, size_t b)
{
    rachis_finding *best = NULL;
    size_t bestd = (size_t)-1;
    for (size_t i = 0; i < s->findings.n; i++) {
        rachis_finding *f = &s->findings.v[i];
        if ((int)f->concept != c || s->finfo.v[i].sent != si) continue;
        size_t d = f->span.end <= a ? a - f->span.end : f->span.start >= b ? f->span.start - b : 0;
        if (d < bestd) { bestd = d; best = f; }
    }
    return best;
}

static bool has_concept(rachis_scanner *s, int c, int si)
{
    for (size_t i = 0; i < s->findings.n; i++)
        if ((int)s->findings.v[i].concept == c && s->finfo.v[i].sent == si) return true;
    return false;
}

/* Attribute rules of concept C over sentence SI, applied to its findings of
 * C (TARGET_SI: the sentence whose findings receive them). */
static void attrs_over(rachis_scanner *s, int c, int si, int target_si)
{
    const sentence *st = &s->sents.v[si];
    int g = G_ATTR0 + c;
    size_t pos = st->start;
    while (pos < st->end) {
        int rc = scan_match(s, g, s->text, st->end, pos, 0, s->md);
        if (rc < 0) break;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md);
        pos = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
        const rule *r = scan_rule(s, g, s->md);
        if (!r) continue;
        rachis_finding *f = nearest(s, c, target_si, target_si == si ? ov[0] : (size_t)-1,
                                    target_si == si ? ov[1] : (size_t)-1);
        if (!f) continue;
        for (int k = 0; k < r->n_sets; k++) apply_set(s, f, &r->sets[k], s->md, s->e->groups[g].code);
    }
}

static void derive(rachis_finding *f)
{
    if (f->concept != RACHIS_FRACTURE) return;
    rachis_attr_value *pct = &f->attrs[2], *genant = &f->attrs[3], *retro = &f->attrs[4], *mm = &f->attrs[5];
    if (!genant->set && pct->set && pct->number >= 20) {
        genant->set = true;
        genant->ivalue = pct->number <= 25 ? 0 : pct->number <= 40 ? 1 : 2;   /* grades 1, 2, 3 */
    }
    if (mm->set && !retro->set) {
        retro->set = true;
        retro->ivalue = mm->number > 0;
    }
}

/* A weak finding ("lytic lesion") gives way to a stronger one of the same
 * concept in its sentence ("... suspicious for metastasis"). */
static void drop_weak(rachis_scanner *s)
{
    size_t k = 0;
    for (size_t i = 0; i < s->findings.n; i++) {
        bool drop = false;
        int si = s->finfo.v[i].sent;
        /* "Sclerotic lesions in L2 and L4. These are suspicious for metastases." */
        int next = -1;
        if (s->finfo.v[i].weak && (size_t)si + 1 < s->sents.n && s->sents.v[si + 1].para == s->sents.v[si].para &&
            s->sents.v[si + 1].n_groups == 0 &&
            scan_match(s, G_ANAPHOR, s->text, s->sents.v[si + 1].end, s->sents.v[si + 1].start, 0, s->md2) >= 0)
            next = si + 1;
        if (s->finfo.v[i].weak)
            for (size_t j = 0; j < s->findings.n && !drop; j++)
                drop = j != i && !s->finfo.v[j].weak &&
                       (s->finfo.v[j].sent == si || s->finfo.v[j].sent == next) &&
                       s->findings.v[j].concept == s->findings.v[i].concept;
        if (drop) continue;
        s->findings.v[k] = s->findings.v[i];
        s->finfo.v[k] = s->finfo.v[i];
        k++;
    }
    s->findings.n = s->finfo.n = k;
}

void findings_find(rachis_scanner *s)
{
    mark_candidates(s);
    for (size_t i = 0; i < s->sents.n; i++)
        if (s->sents.v[i].candidate) add_findings(s, (int)i);
    drop_weak(s);
    if (!s->findings.n) return;
    int last_si = -1;
    for (size_t i = 0; i < s->findings.n; i++) {
        int si = s->finfo.v[i].sent;
        if (si == last_si) continue;
        last_si = si;
        bool done[RACHIS_CONCEPT_COUNT] = {false};
        for (size_t j = i; j < s->findings.n && s->finfo.v[j].sent == si; j++) {
            int c = (int)s->findings.v[j].concept;
            if (done[c] || !s->e->groups[G_ATTR0 + c].code) continue;
            done[c] = true;
            attrs_over(s, c, si, si);
            /* "T12: pathological fracture. 50% height loss." — the next sentence of the
             * paragraph describes the same finding when it names no finding of its own */
            int nx = si + 1;
            if ((size_t)nx < s->sents.n && s->sents.v[nx].para == s->sents.v[si].para &&
                s->sents.v[nx].n_groups == 0 && !has_concept(s, c, nx))
                attrs_over(s, c, nx, si);
        }
    }
    for (size_t i = 0; i < s->findings.n; i++) derive(&s->findings.v[i]);
}
