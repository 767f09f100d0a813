/* primary.c — the primary tumour a report names ("known breast cancer",
 * "metastatic renal cell carcinoma", "unknown primary"), for registries.
 * The words are `primary` rules in patterns/ (site=none marks words that name
 * no patient's primary, such as a family history).  A mention counts when the
 * assertion engine finds it present (historical is fine: a history names the
 * primary; an unknown primary is taken as written, its negation being its
 * sense: "no known primary"); the record keeps one: a named site before "other" before
 * "unknown", then the history and indication before the impression before
 * the rest of the report, then the first in text. */
#include "scan.h"

#include <string.h>

static int site_rank(const char *site)
{
    if (!strcmp(site, "unknown")) return 2;
    if (!strcmp(site, "other")) return 1;
    return 0;
}

static int section_rank(int section)
{
    switch (section) {
    case RACHIS_SEC_HISTORY: case RACHIS_SEC_INDICATION: return 0;
    case RACHIS_SEC_IMPRESSION: return 1;
    case RACHIS_SEC_COMPARISON: case RACHIS_SEC_TECHNIQUE: return 3;
    default: return 2;
    }
}

typedef struct choice { int rank; } choice;

static void consider(rachis_scanner *s, const rule *r, size_t a, size_t b, int si, void *ctx)
{
    choice *c = ctx;
    const sentence *st = &s->sents.v[si];
    if (!strcmp(r->vto, "none")) return;
    int rank = site_rank(r->vto) * 16 + section_rank(st->section);
    if (rank >= c->rank) return;
    if (strcmp(r->vto, "unknown")) {   /* "no known primary" says the primary is unknown */
        rachis_finding f = {0};
        context_assert_span(s, si, a, b, &f);
        if (f.assertion != RACHIS_PRESENT) return;
    }
    c->rank = rank;
    rachis_primary *p = &s->rec.primary;
    p->site = r->vto;
    p->span.start = a;
    p->span.end = b;
    p->rule = r->id;
    p->section = (rachis_section)st->section;
}

void primary_find(rachis_scanner *s)
{
    choice c = {1 << 30};
    scan_each(s, G_PRIMARY, &s->e->primarystems, &s->e->primarygates, consider, &c);
}
