/* sins.c — the imaging components of the Spinal Instability Neoplastic Score
 * (SINS; Fisher et al., Spine 2010) at each level of a present metastasis
 * (a known or treated one too: it is still there), from what the report states:
 *   location        the level itself: junctional 3, mobile 2, semirigid 1, rigid 0
 *   lesion          the metastasis's appearance, or `sins` rules: lytic 2, mixed 1, blastic 0
 *   alignment       `sins` rules: subluxation/translation 4, de novo deformity 2, normal 0
 *   collapse        the compression fracture's height loss: >50% 3, <50% 2; no collapse with
 *                   >50% of the body involved 1; none 0 (`sins` rules and absent fractures)
 *   posterolateral  `sins` rules (bilateral 3, unilateral 1, none 0) or the metastasis's
 *                   posterior_elements attribute (involved, side unstated: 1-3)
 *   pain            clinical: never scored from text
 * An item the report does not state keeps the whole range it could score, so
 * each level gets a partial score as a range, and a category only when the
 * range lies within one (stable 0-6, indeterminate 7-12, unstable 13-18).
 * The rules are in docs/sins.md; the words in patterns/sins.rules. */
#include "scan.h"

#include <string.h>

static const char *const item_names[RACHIS_SINS_ITEM_COUNT] = {
    "location", "pain", "lesion", "alignment", "collapse", "posterolateral",
};
static const int item_max[RACHIS_SINS_ITEM_COUNT] = {3, 3, 2, 4, 3, 3};

const char *rachis_sins_item_name(rachis_sins_item i)
{
    return (unsigned)i < RACHIS_SINS_ITEM_COUNT ? item_names[i] : "?";
}

/* What a `sins` rule may state (patterns.c validates against these). */
enum { ST_ALIGNMENT, ST_POSTEROLATERAL, ST_COLLAPSE, ST_LESION, ST_COUNT };
const char *const sins_statement_items[] = {"alignment", "posterolateral", "collapse", "lesion", NULL};
static const char *const statement_values[ST_COUNT][6] = {
    {"normal", "deformity", "subluxation", NULL},
    {"none", "left", "right", "unilateral", "bilateral", NULL},
    {"none", "involved", "lt50", "gt50", NULL},
    {"lytic", "blastic", "mixed", NULL},
};

int sins_statement_item(const char *item)
{
    for (int i = 0; i < ST_COUNT; i++)
        if (!strcmp(sins_statement_items[i], item)) return i;
    return -1;
}

static int statement_value(int item, const char *value)
{
    for (int v = 0; statement_values[item][v]; v++)
        if (!strcmp(statement_values[item][v], value)) return v;
    return -1;
}

bool sins_statement_valid(int item, const char *value)
{
    return item >= 0 && item < ST_COUNT && statement_value(item, value) >= 0;
}

/* What the statements say of one level: a bit per value of each item. */
typedef struct statements {
    unsigned at[ST_COUNT];     /* statements linked to the level */
    unsigned wide[ST_COUNT];   /* statements naming no level ("Alignment is normal.") */
} statements;

static rachis_sins_component known(const char *value, int points)
{
    return (rachis_sins_component){value, points, points};
}

static rachis_sins_component unknown(int item)
{
    return (rachis_sins_component){NULL, 0, item_max[item]};
}

static rachis_sins_component location(int level)
{
    const char *l = rachis_level_label(level);
    static const char *const junctional[] = {"C1", "C2", "C7", "T1", "T2", "T11", "T12", "T13", "L1", "L5", "L6", "S1", NULL};
    static const char *const mobile[] = {"C3", "C4", "C5", "C6", "L2", "L3", "L4", NULL};
    for (int i = 0; junctional[i]; i++)
        if (!strcmp(l, junctional[i])) return known("junctional", 3);
    for (int i = 0; mobile[i]; i++)
        if (!strcmp(l, mobile[i])) return known("mobile", 2);
    if (l[0] == 'T') return known("semirigid", 1);
    return known("rigid", 0);   /* S2-S5 (and the coccyx) */
}

static bool at_level(const rachis_finding *f, int level) { return f->levels & ((rachis_levelset)1 << level); }

static rachis_sins_component lesion(const rachis_scanner *s, int level, const statements *w)
{
    unsigned seen = w->at[ST_LESION];   /* bit per value: lytic, sclerotic (blastic), mixed */
    for (size_t i = 0; i < s->findings.n; i++) {
        const rachis_finding *f = &s->findings.v[i];
        if (f->concept == RACHIS_METASTASIS && f->assertion == RACHIS_PRESENT && at_level(f, level) &&
            f->attrs[0].set)
            seen |= 1u << f->attrs[0].ivalue;
    }
    if ((seen & 4) || (seen & 3) == 3) return known("mixed", 1);
    if (seen & 1) return known("lytic", 2);
    if (seen & 2) return known("blastic", 0);
    return unknown(RACHIS_SINS_LESION);
}

static rachis_sins_component collapse(const rachis_scanner *s, int level, const statements *w)
{
    bool fracture = false, absent = false;
    double pct = -1;
    int genant = -1;
    for (size_t i = 0; i < s->findings.n; i++) {
        const rachis_finding *f = &s->findings.v[i];
        if (f->concept != RACHIS_FRACTURE) continue;
        if (f->assertion == RACHIS_ABSENT && (!f->levels || at_level(f, level))) absent = true;
        if (f->assertion != RACHIS_PRESENT || !at_level(f, level)) continue;
        fracture = true;
        if (f->attrs[2].set && f->attrs[2].number > pct) pct = f->attrs[2].number;      /* height_loss_pct */
        if (f->attrs[3].set && f->attrs[3].ivalue > genant) genant = f->attrs[3].ivalue; /* genant 1..3 as 0..2 */
    }
    unsigned st = w->at[ST_COLLAPSE] ? w->at[ST_COLLAPSE] : w->wide[ST_COLLAPSE];
    if (fracture || (st & 12)) {
        /* "more than 50%" is said in words the percentage alone loses */
        if ((w->at[ST_COLLAPSE] & 8) || pct > 50) return known("gt50", 3);
        if ((w->at[ST_COLLAPSE] & 4) || (pct >= 0 && pct < 50) || (pct < 0 && genant >= 0 && genant < 2))
            return known("lt50", 2);
        return (rachis_sins_component){NULL, 2, 3};   /* collapse of unstated degree, or exactly half */
    }
    bool none = (st & 1) || absent, involved = st & 2;
    if (none && involved) return known("none_gt50_involved", 1);
    if (none) return known("none", 0);
    if (involved) return (rachis_sins_component){NULL, 1, 3};
    return unknown(RACHIS_SINS_COLLAPSE);
}

static rachis_sins_component alignment(const statements *w)
{
    unsigned st = w->at[ST_ALIGNMENT];
    if (st & 4) return known("subluxation", 4);
    if (st & 2) return known("deformity", 2);
    if ((st | w->wide[ST_ALIGNMENT]) & 1) return known("normal", 0);
    return unknown(RACHIS_SINS_ALIGNMENT);
}

static rachis_sins_component posterolateral(const rachis_scanner *s, int level, const statements *w)
{
    unsigned st = w->at[ST_POSTEROLATERAL];   /* none, left, right, unilateral, bilateral */
    if ((st & 16) || (st & 6) == 6) return known("bilateral", 3);
    if (st & 14) return known("unilateral", 1);
    int posterior = -1;   /* the metastasis's posterior_elements attribute */
    for (size_t i = 0; i < s->findings.n; i++) {
        const rachis_finding *f = &s->findings.v[i];
        if (f->concept == RACHIS_METASTASIS && f->assertion == RACHIS_PRESENT &&
            f->levels == (rachis_levelset)1 << level &&   /* of this level alone */
            f->attrs[1].set && f->attrs[1].ivalue > posterior)
            posterior = f->attrs[1].ivalue;
    }
    if (posterior == 1) return (rachis_sins_component){NULL, 1, 3};   /* involved, side not stated */
    if (posterior == 0 || ((st | w->wide[ST_POSTEROLATERAL]) & 1)) return known("none", 0);
    return unknown(RACHIS_SINS_POSTEROLATERAL);
}

/* Levels of the nearest earlier sentence of the paragraph that names some:
 * "Lytic lesion in T9. No collapse." */
static rachis_levelset previous_levels(rachis_scanner *s, int si)
{
    for (int k = si - 1; k >= 0 && s->sents.v[k].para == s->sents.v[si].para; k--) {
        const sentence *p = &s->sents.v[k];
        rachis_levelset set = levels_in(s, p->start, p->end);
        if (set) return set;
    }
    return 0;
}

typedef struct reading {
    rachis_levelset levels;     /* levels of the present metastases */
    statements *said;           /* per level */
} reading;

/* One `sins` statement: recorded for the levels its sentence speaks of. */
static void statement(rachis_scanner *s, const rule *r, size_t a, size_t b, int si, void *ctx)
{
    reading *rd = ctx;
    int item = sins_statement_item(r->vclass), value = statement_value(item, r->vto);
    bool negative = value == 0 && item != ST_LESION;   /* normal / none: the words carry their own negation */
    if (!negative) {
        rachis_finding f = {0};
        context_assert_span(s, si, a, b, &f);
        if (f.assertion != RACHIS_PRESENT || f.historical) return;
    }
    rachis_levelset named = link_span(s, si, a, b);
    if (!named && (item == ST_COLLAPSE || item == ST_POSTEROLATERAL)) named = previous_levels(s, si);
    if (!named && !negative) return;   /* a deformity of no stated level scores nowhere */
    for (int l = 0; l < RACHIS_LEVEL_COUNT; l++) {
        rachis_levelset bit = (rachis_levelset)1 << l;
        if (!(rd->levels & bit)) continue;
        if (!named) rd->said[l].wide[item] |= 1u << value;
        else if (named & bit) rd->said[l].at[item] |= 1u << value;
    }
}

void sins_score(rachis_scanner *s)
{
    rachis_levelset levels = 0;
    for (size_t i = 0; i < s->findings.n; i++) {
        const rachis_finding *f = &s->findings.v[i];
        if (f->concept == RACHIS_METASTASIS && f->assertion == RACHIS_PRESENT) levels |= f->levels;
    }
    if (!levels) return;
    statements said[RACHIS_LEVEL_COUNT];
    memset(said, 0, sizeof said);
    reading rd = {levels, said};
    scan_each(s, G_SINS, &s->e->sinsstems, NULL, statement, &rd);
    for (int l = 0; l < RACHIS_LEVEL_COUNT; l++) {
        if (!(levels & ((rachis_levelset)1 << l))) continue;
        rachis_sins v = {.level = l};
        v.items[RACHIS_SINS_LOCATION] = location(l);
        v.items[RACHIS_SINS_PAIN] = unknown(RACHIS_SINS_PAIN);
        v.items[RACHIS_SINS_LESION] = lesion(s, l, &said[l]);
        v.items[RACHIS_SINS_ALIGNMENT] = alignment(&said[l]);
        v.items[RACHIS_SINS_COLLAPSE] = collapse(s, l, &said[l]);
        v.items[RACHIS_SINS_POSTEROLATERAL] = posterolateral(s, l, &said[l]);
        for (int i = 0; i < RACHIS_SINS_ITEM_COUNT; i++) {
            v.min += v.items[i].min;
            v.max += v.items[i].max;
        }
        v.category = v.max <= 6 ? "stable" : v.min >= 13 ? "unstable" : v.min >= 7 && v.max <= 12 ? "indeterminate" : NULL;
        VEC_PUSH(s->sins, v);
    }
}
