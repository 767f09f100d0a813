/* link.c — links each finding to its vertebrae (ANNOTATION.md "Levels"):
 * the levels of its own phrase, else the nearest levels its sentence places
 * it at within the clause, else the level heading it sits under, else the
 * levels of the lesion a referring word points back to in its paragraph. */
#include "scan.h"

#include <stdlib.h>
#include <string.h>

#define LEFT_WORDS 3    /* "T12 vertebral body compression fracture" */
#define RIGHT_WORDS 6   /* "fracture involving the superior endplate of T12" */

void context_sentence_trigs(rachis_scanner *s, int si);

/* Is there a clause boundary (a terminator trigger, and ';' when SEMICOLON) in [a, b)? */
static bool boundary_between(rachis_scanner *s, const sentence *st, size_t a, size_t b, bool semicolon)
{
    if (b <= a) return false;
    if (semicolon && memchr(s->text + a, ';', b - a)) return true;
    for (size_t i = st->first_trig; i < st->first_trig + st->n_trig; i++) {
        const trig *t = &s->trigs.v[i];
        if (t->r->tclass == T_TERMINATOR && !t->r->assertion_only && !t->r->ends_mask && t->start >= a && t->end <= b)
            return true;
    }
    return false;
}

static bool finding_between(rachis_scanner *s, int si, size_t a, size_t b, const rachis_finding *self)
{
    for (size_t i = 0; i < s->findings.n; i++) {
        const rachis_finding *f = &s->findings.v[i];
        if (f == self || s->finfo.v[i].sent != si) continue;
        if (f->span.start >= a && f->span.end <= b) return true;
    }
    return false;
}

/* Does a `levelnot` rule match right after group G ("T8-T10 posterior
 * decompression")?  Such levels belong to the words after them, not to a
 * finding. */
static bool not_a_finding_level(rachis_scanner *s, const lgroup *g)
{
    return s->e->groups[G_LEVELNOT].code && scan_match(s, G_LEVELNOT, s->text, s->len, g->end, 0, s->md2) >= 0;
}

/* The group of the finding's own phrase ("T12 compression fracture",
 * "fracture of T12"), or -1. */
static int own_phrase(rachis_scanner *s, int si, const rachis_finding *f)
{
    const sentence *st = &s->sents.v[si];
    int best = -1, bestw = 1 << 30;
    for (size_t g = st->first_group; g < st->first_group + st->n_groups; g++) {
        const lgroup *lg = &s->groups.v[g];
        if (lg->end <= st->heading_end) continue;   /* the line's own heading comes last */
        if (not_a_finding_level(s, lg)) continue;
        size_t a, b;
        int limit;
        if (lg->end <= f->span.start) { a = lg->end; b = f->span.start; limit = LEFT_WORDS; }
        else if (lg->start >= f->span.end) {
            a = f->span.end;
            b = lg->start;
            limit = RIGHT_WORDS;
            if (memchr(s->text + a, ')', b - a)) continue;   /* "T10 (35% height loss) and L1" */
        }
        else return (int)g;    /* the level is inside the finding's words */
        int w = rx_count_words(s->text + a, b - a);
        /* on a tie the level after the finding wins: "causing cord compression at T7-8" */
        if (w > limit || w > bestw || (w == bestw && lg->end <= f->span.start)) continue;
        if (boundary_between(s, st, a, b, true) || finding_between(s, si, a, b, f)) continue;
        best = (int)g;
        bestw = w;
    }
    return best;
}

/* The nearest group the sentence places the finding at, within its clause.
 * A group after the finding that another finding holds as its own phrase
 * ("C6 metastasis with prevertebral mass and C7 wedge deformity") gives way
 * to one before it. */
static rachis_levelset in_clause_pass(rachis_scanner *s, int si, const rachis_finding *f, const int *claims, size_t self,
                                      bool semicolon);

/* First within the ';'-clause, then across semicolons ("Indeterminate C6
 * lesion; metastasis versus atypical hemangioma"). */
static rachis_levelset in_clause(rachis_scanner *s, int si, const rachis_finding *f, const int *claims, size_t self)
{
    rachis_levelset set = in_clause_pass(s, si, f, claims, self, true);
    return set ? set : in_clause_pass(s, si, f, claims, self, false);
}

static rachis_levelset in_clause_pass(rachis_scanner *s, int si, const rachis_finding *f, const int *claims, size_t self,
                                      bool semicolon)
{
    const sentence *st = &s->sents.v[si];
    int left = -1, right = -1, lw = 1 << 30, rw = 1 << 30;
    for (size_t g = st->first_group; g < st->first_group + st->n_groups; g++) {
        const lgroup *lg = &s->groups.v[g];
        if (lg->end <= st->heading_end || not_a_finding_level(s, lg)) continue;
        bool before = lg->end <= f->span.start;
        size_t a = before ? lg->end : f->span.end;
        size_t b = before ? f->span.start : lg->start;
        int w = rx_count_words(s->text + a, b > a ? b - a : 0);
        if (boundary_between(s, st, a, b, semicolon)) continue;
        if (before && w < lw) { left = (int)g; lw = w; }
        if (!before && w < rw) { right = (int)g; rw = w; }
    }
    bool right_claimed = false;
    for (size_t i = 0; right >= 0 && i < s->findings.n; i++)
        if (i != self && claims[i] == right) right_claimed = true;
    int best = right >= 0 && (rw < lw || left < 0) && !(right_claimed && left >= 0) ? right : left;
    if (best < 0) best = right;
    /* "T7: tumour replaces the body ... into the T7/8 foramen": a later finding's
     * level gives way to the heading the sentence stands under */
    if (best == right && right_claimed && st->heading) return 0;
    return best >= 0 ? s->groups.v[best].set : 0;
}

/* Is group G bound to finding F before it by a preposition ("at", "of")? */
static bool bound(rachis_scanner *s, const lgroup *g, const rachis_finding *f)
{
    if (g->start < f->span.end || !s->e->groups[G_LEVELBIND].code) return false;
    return scan_match(s, G_LEVELBIND, s->text, g->start, f->span.end, 0, s->md2) >= 0;
}

static size_t gap_words(rachis_scanner *s, const lgroup *g, const rachis_finding *f)
{
    if (g->end <= f->span.start) return (size_t)rx_count_words(s->text + g->end, f->span.start - g->end);
    if (g->start >= f->span.end) return (size_t)rx_count_words(s->text + f->span.end, g->start - f->span.end);
    return 0;
}

/* Is the finding placed by a region phrase near it ("in the lower lumbar spine")? */
static bool by_region(rachis_scanner *s, const sentence *st, const rachis_finding *f)
{
    size_t pos = st->start;
    while (pos < st->end) {
        if (scan_match(s, G_REGION, s->text, st->end, pos, 0, s->md) < 0) return false;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md);
        pos = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
        if (ov[1] <= f->span.start) {
            if (rx_count_words(s->text + ov[1], f->span.start - ov[1]) <= 3 &&
                !boundary_between(s, st, ov[1], f->span.start, true))
                return true;
        } else if (ov[0] >= f->span.end) {
            if (rx_count_words(s->text + f->span.end, ov[0] - f->span.end) <= 4 &&
                !boundary_between(s, st, f->span.end, ov[0], true))
                return true;
        } else {
            return true;
        }
    }
    return false;
}

static rachis_levelset referred(rachis_scanner *s, int si)
{
    const sentence *st = &s->sents.v[si];
    if (scan_match(s, G_ANAPHOR, s->text, st->end, st->start, 0, s->md) < 0) return 0;
    for (int k = si - 1; k >= 0 && s->sents.v[k].para == st->para; k--) {
        const sentence *p = &s->sents.v[k];
        rachis_levelset set = 0;
        for (size_t g = p->first_group; g < p->first_group + p->n_groups; g++) set |= s->groups.v[g].set;
        if (!set) set = p->heading;
        if (set) return set;
    }
    return 0;
}

void link_levels(rachis_scanner *s)
{
    int *claims = rx_malloc((s->findings.n + 1) * sizeof *claims);
    for (size_t i = 0; i < s->findings.n; i++) {
        int si = s->finfo.v[i].sent;
        context_sentence_trigs(s, si);
        claims[i] = own_phrase(s, si, &s->findings.v[i]);
    }
    /* a group two findings reach as their own phrase belongs to the nearer one:
     * "C6 metastasis with prevertebral mass and C7 wedge deformity" */
    for (size_t i = 0; i < s->findings.n; i++)
        for (size_t j = 0; j < s->findings.n && claims[i] >= 0; j++) {
            if (j == i || claims[j] != claims[i] || s->findings.v[j].concept == s->findings.v[i].concept) continue;
            const lgroup *g = &s->groups.v[claims[i]];
            size_t wi = gap_words(s, g, &s->findings.v[i]);
            size_t wj = gap_words(s, g, &s->findings.v[j]);
            if (wi > wj && !(bound(s, g, &s->findings.v[i]) && !bound(s, g, &s->findings.v[j]))) claims[i] = -1;
        }
    for (size_t i = 0; i < s->findings.n; i++) {
        rachis_finding *f = &s->findings.v[i];
        int si = s->finfo.v[i].sent;
        const sentence *st = &s->sents.v[si];
        rachis_levelset set = claims[i] >= 0 ? s->groups.v[claims[i]].set : 0;
        if (!set && s->e->groups[G_REGION].code && by_region(s, st, f)) {
            /* spread over a region, unless the line's own level heading bounds it
             * ("T8-T10: Diffuse metastatic infiltration") */
            f->levels = st->heading_line ? st->heading : 0;
            continue;
        }
        if (!set) set = in_clause(s, si, f, claims, i);
        if (!set) set = st->heading;
        if (!set) set = referred(s, si);
        f->levels = set;
    }
    free(claims);
}

rachis_levelset link_span(rachis_scanner *s, int si, size_t a, size_t b)
{
    rachis_finding f = {0};
    f.span.start = a;
    f.span.end = b;
    context_sentence_trigs(s, si);
    int g = own_phrase(s, si, &f);
    if (g >= 0) return s->groups.v[g].set;
    int *claims = rx_malloc((s->findings.n + 1) * sizeof *claims);
    for (size_t i = 0; i < s->findings.n; i++) claims[i] = -1;   /* no finding's own phrase is at stake */
    rachis_levelset set = in_clause(s, si, &f, claims, s->findings.n);
    free(claims);
    if (!set) set = s->sents.v[si].heading;
    if (!set) set = referred(s, si);
    return set;
}
