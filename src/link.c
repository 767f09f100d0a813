/* link.c — links each finding to its vertebrae (ANNOTATION.md "Levels"):
 * the levels of its own phrase, else the nearest levels its sentence places
 * it at within the clause, else the level heading it sits under, else the
 * levels of the lesion a referring word points back to in its paragraph. */
#include "scan.h"

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
        if (t->r->tclass == T_TERMINATOR && !t->r->assertion_only && t->start >= a && t->end <= b) return true;
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

static rachis_levelset own_phrase(rachis_scanner *s, int si, const rachis_finding *f)
{
    const sentence *st = &s->sents.v[si];
    int best = -1, bestw = 1 << 30;
    for (size_t g = st->first_group; g < st->first_group + st->n_groups; g++) {
        const lgroup *lg = &s->groups.v[g];
        size_t a, b;
        int limit;
        if (lg->end <= f->span.start) { a = lg->end; b = f->span.start; limit = LEFT_WORDS; }
        else if (lg->start >= f->span.end) { a = f->span.end; b = lg->start; limit = RIGHT_WORDS; }
        else return lg->set;   /* the level is inside the finding's words */
        int w = rx_count_words(s->text + a, b - a);
        /* on a tie the level after the finding wins: "causing cord compression at T7-8" */
        if (w > limit || w > bestw || (w == bestw && lg->end <= f->span.start)) continue;
        if (boundary_between(s, st, a, b, true) || finding_between(s, si, a, b, f)) continue;
        best = (int)g;
        bestw = w;
    }
    return best >= 0 ? s->groups.v[best].set : 0;
}

static rachis_levelset in_clause(rachis_scanner *s, int si, const rachis_finding *f)
{
    const sentence *st = &s->sents.v[si];
    int best = -1, bestw = 1 << 30;
    for (size_t g = st->first_group; g < st->first_group + st->n_groups; g++) {
        const lgroup *lg = &s->groups.v[g];
        size_t a = lg->end <= f->span.start ? lg->end : f->span.end;
        size_t b = lg->end <= f->span.start ? f->span.start : lg->start;
        int w = rx_count_words(s->text + a, b > a ? b - a : 0);
        if (w > bestw || (w == bestw && lg->end <= f->span.start) || boundary_between(s, st, a, b, false)) continue;
        best = (int)g;
        bestw = w;
    }
    return best >= 0 ? s->groups.v[best].set : 0;
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
    for (size_t i = 0; i < s->findings.n; i++) {
        rachis_finding *f = &s->findings.v[i];
        int si = s->finfo.v[i].sent;
        context_sentence_trigs(s, si);
        rachis_levelset set = own_phrase(s, si, f);
        if (!set) set = in_clause(s, si, f);
        if (!set) set = s->sents.v[si].heading;
        if (!set) set = referred(s, si);
        f->levels = set;
    }
}
