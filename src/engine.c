/* engine.c — the names of the output contract (concepts, assertions,
 * sections, levels, attribute slots) and the compiled engine: rules grouped
 * by what they feed, each group one regex with (*MARK) tags, JIT-compiled. */
#include "engine.h"
#include "diag.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ contract */

static const char *const concept_names[RACHIS_CONCEPT_COUNT] = {
    "compression_fracture", "cord_compression", "soft_tissue_extension", "metastasis",
};
static const char *const assertion_names[RACHIS_ASSERTION_COUNT] = {
    "present", "absent", "possible", "hypothetical",
};
static const char *const section_names[RACHIS_SECTION_COUNT] = {
    "indication", "history", "comparison", "technique", "findings", "impression", "addendum", "other",
};
static const char *const format_names[] = {"text", "cda", "hl7v2", "csv", "jsonl"};

static const char *const level_labels[RACHIS_LEVEL_COUNT] = {
    "C1", "C2", "C3", "C4", "C5", "C6", "C7",
    "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9", "T10", "T11", "T12", "T13",
    "L1", "L2", "L3", "L4", "L5", "L6",
    "S1", "S2", "S3", "S4", "S5", "Co",
};

static int name_index(const char *const *names, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(names[i], name)) return i;
    return -1;
}

const char *rachis_concept_name(rachis_concept c) { return (unsigned)c < RACHIS_CONCEPT_COUNT ? concept_names[c] : "?"; }
const char *rachis_assertion_name(rachis_assertion a) { return (unsigned)a < RACHIS_ASSERTION_COUNT ? assertion_names[a] : "?"; }
const char *rachis_section_name(rachis_section s) { return (unsigned)s < RACHIS_SECTION_COUNT ? section_names[s] : "other"; }
const char *rachis_format_name(rachis_format f) { return (unsigned)f <= RACHIS_FMT_JSONL ? format_names[f] : "text"; }
int rachis_concept_from_name(const char *n) { return name_index(concept_names, RACHIS_CONCEPT_COUNT, n); }
int rachis_assertion_from_name(const char *n) { return name_index(assertion_names, RACHIS_ASSERTION_COUNT, n); }
int rachis_section_from_name(const char *n) { return name_index(section_names, RACHIS_SECTION_COUNT, n); }
const char *rachis_level_label(int l) { return l >= 0 && l < RACHIS_LEVEL_COUNT ? level_labels[l] : NULL; }
int rachis_level_from_label(const char *s) { return name_index(level_labels, RACHIS_LEVEL_COUNT, s); }

const char *rachis_status_name(rachis_status st)
{
    switch (st) {
    case RACHIS_OK: return "ok";
    case RACHIS_ERR_IO: return "io";
    case RACHIS_ERR_PATTERN: return "pattern";
    case RACHIS_ERR_LIMIT: return "limit";
    case RACHIS_ERR_INPUT: return "input";
    case RACHIS_ERR_USAGE: return "usage";
    }
    return "unknown";
}

static const char *const chronicity_v[] = {"acute", "subacute", "chronic", NULL};
static const char *const etiology_v[] = {"pathologic", "benign", "indeterminate", NULL};
static const char *const genant_v[] = {"1", "2", "3", NULL};
static const char *const structure_v[] = {"cord", "conus", "cauda_equina", "thecal_sac", NULL};
static const char *const bilsky_v[] = {"0", "1a", "1b", "1c", "2", "3", NULL};
static const char *const compartments_v[] = {"epidural", "paraspinal", "prevertebral", "foraminal", "intraspinal", NULL};
static const char *const appearance_v[] = {"lytic", "sclerotic", "mixed", NULL};

static const rachis_attr_def fracture_attrs[] = {
    {"chronicity", RACHIS_ATTR_ENUM, chronicity_v, false},
    {"etiology", RACHIS_ATTR_ENUM, etiology_v, false},
    {"height_loss_pct", RACHIS_ATTR_NUMBER, NULL, false},
    {"genant_grade", RACHIS_ATTR_ENUM, genant_v, true},
    {"retropulsion", RACHIS_ATTR_BOOL, NULL, false},
    {"retropulsion_mm", RACHIS_ATTR_NUMBER, NULL, false},
};
static const rachis_attr_def cord_attrs[] = {
    {"structure", RACHIS_ATTR_ENUM, structure_v, false},
    {"bilsky", RACHIS_ATTR_ENUM, bilsky_v, false},
    {"cord_signal", RACHIS_ATTR_BOOL, NULL, false},
};
static const rachis_attr_def extension_attrs[] = {
    {"compartments", RACHIS_ATTR_SET, compartments_v, false},
};
static const rachis_attr_def metastasis_attrs[] = {
    {"appearance", RACHIS_ATTR_ENUM, appearance_v, false},
    {"posterior_elements", RACHIS_ATTR_BOOL, NULL, false},
};

const rachis_attr_def *rachis_concept_attrs(rachis_concept c, size_t *count)
{
    switch (c) {
    case RACHIS_FRACTURE: *count = sizeof fracture_attrs / sizeof *fracture_attrs; return fracture_attrs;
    case RACHIS_CORD: *count = sizeof cord_attrs / sizeof *cord_attrs; return cord_attrs;
    case RACHIS_EXTENSION: *count = sizeof extension_attrs / sizeof *extension_attrs; return extension_attrs;
    case RACHIS_METASTASIS: *count = sizeof metastasis_attrs / sizeof *metastasis_attrs; return metastasis_attrs;
    default: *count = 0; return NULL;
    }
}

int attr_slot(rachis_concept c, const char *name)
{
    size_t n;
    const rachis_attr_def *defs = rachis_concept_attrs(c, &n);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(defs[i].name, name)) return (int)i;
    return -1;
}

const char *const rachis_primary_sites[] = {
    "lung", "breast", "prostate", "kidney", "thyroid", "colorectal", "liver", "melanoma", "myeloma", "lymphoma",
    "other", "unknown", NULL,
};

int primary_site_index(const char *site)
{
    for (int i = 0; rachis_primary_sites[i]; i++)
        if (!strcmp(rachis_primary_sites[i], site)) return i;
    return -1;
}

int attr_value_index(const rachis_attr_def *def, const char *value)
{
    if (!def->values) return -1;
    for (int i = 0; def->values[i]; i++)
        if (!strcmp(def->values[i], value)) return i;
    return -1;
}

/* -------------------------------------------------------------- engine */

pcre2_code *rx_compile(const char *pattern, size_t len, uint32_t extra, int *err, PCRE2_SIZE *off)
{
    pcre2_compile_context *cc = pcre2_compile_context_create(NULL);
    pcre2_set_newline(cc, PCRE2_NEWLINE_ANYCRLF);
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)pattern, len, RX_COMPILE_FLAGS | extra, err, off, cc);
    pcre2_compile_context_free(cc);
    return code;
}

/* Does rule R belong to group G? */
static bool in_group(const rule *r, int g)
{
    switch (r->kind) {
    case K_SECTION: return g == G_SECTION;
    case K_LISTMARK: return g == G_LISTMARK;
    case K_LEVEL: return g == G_LEVEL;
    case K_LEVELSEP: return g == G_LEVELSEP;
    case K_HEADING: return g == G_HEADING;
    case K_ANAPHOR: return g == G_ANAPHOR;
    case K_REGION: return g == G_REGION;
    case K_LEVELBIND: return g == G_LEVELBIND;
    case K_ANCHOR: return g == G_ANCHOR;
    case K_RULE: case K_EXCLUDE:   /* in the group of its first concept */
        return g >= G_CONCEPT0 && g < G_VETO0 && (r->concepts & ((1u << (g - G_CONCEPT0 + 1)) - 1)) == (1u << (g - G_CONCEPT0));
    case K_ABBREV: return g == G_ABBREV;
    case K_PRIMARY: return g == G_PRIMARY;
    case K_SINS: return g == G_SINS;
    case K_LEVELNOT: return g == G_LEVELNOT;
    case K_VETO: return g >= G_VETO0 && g < G_ATTR0 && (r->concepts & (1u << (g - G_VETO0)));
    case K_ATTR: return g >= G_ATTR0 && g < G_TRIGGER0 && (r->concepts & (1u << (g - G_ATTR0)));
    case K_TRIGGER:
        return g >= G_TRIGGER0 && g < G_COUNT &&
               (!r->sections_mask || (r->sections_mask & (1u << (g - G_TRIGGER0))));
    default: return false;
    }
}

/* Order inside a group: alternatives are tried leftmost-first, so the rules
 * that must win at the same position come first: exclusions before concept
 * rules, pseudo-triggers before triggers. */
static int group_rank(const rule *r)
{
    if (r->kind == K_EXCLUDE) return 0;
    if (r->kind == K_TRIGGER && r->tclass == T_PSEUDO) return 0;
    if (r->kind == K_PRIMARY && !strcmp(r->vto, "none")) return 0;   /* words that name no primary */
    if (r->kind == K_TRIGGER && r->sections_mask) return 1;   /* a section's own reading first */
    return 2;
}

/* Groups always matched at a given position: compiled anchored there, and
 * whole (\z) where the match must cover the subject, so JIT serves them. */
static bool anchored_group(int g) { return g == G_ABBREV || g == G_LEVELSEP || g == G_LEVELBIND || g == G_LEVELNOT || (g >= G_VETO0 && g < G_ATTR0); }
static bool whole_group(int g) { return g == G_LEVELSEP || g == G_LEVELBIND; }
/* Concept and attribute rules start at the start of a word, and no other
 * rule starts inside a word: one check at every other position instead of
 * one per alternative. */
static bool word_group(int g)
{
    return (g >= G_CONCEPT0 && g < G_VETO0) || (g >= G_ATTR0 && g < G_TRIGGER0) || g == G_LEVEL || g == G_ANCHOR;
}

static bool build_group(rachis_engine *e, int g, rachis_diags *diags)
{
    rgroup *grp = &e->groups[g];
    grp->owner = g;
    rachis_buf rx = {0};
    if (anchored_group(g)) buf_puts(&rx, "(?:");
    else if (word_group(g)) buf_puts(&rx, "(?<![\\w])(?=\\w)(?:");
    else if (g != G_SECTION && g != G_LISTMARK && g != G_HEADING) buf_puts(&rx, "(?!(?<=\\w)\\w)(?:");
    for (int rank = 0; rank < 3; rank++)
        for (size_t i = 0; i < e->n_rules; i++) {
            rule *r = &e->rules[i];
            if (!in_group(r, g) || group_rank(r) != rank) continue;
            grp->rules = rx_realloc(grp->rules, (grp->n + 1) * sizeof *grp->rules);
            if (grp->n) buf_putc(&rx, '|');
            buf_printf(&rx, "(?:%s)(*MARK:%zu)", r->expanded, grp->n);
            grp->rules[grp->n++] = r;
        }
    if (grp->n == 0) {
        rachis_buf_free(&rx);
        return true;
    }
    /* sections whose triggers are the same rules share one compiled group
     * (most sections differ from the findings only by a rule or two, if at all) */
    for (int h = G_TRIGGER0; g >= G_TRIGGER0 && h < g; h++) {
        const rgroup *o = &e->groups[h];
        if (o->n != grp->n || memcmp(o->rules, grp->rules, grp->n * sizeof *grp->rules) || (!o->code && !o->at && !o->fd))
            continue;
        grp->code = o->code;
        grp->at = o->at;
        memcpy(grp->first, o->first, sizeof grp->first);
        grp->fd = o->fd;
        grp->shared = true;
        grp->owner = h;
        rachis_buf_free(&rx);
        return true;
    }
    if (anchored_group(g)) buf_puts(&rx, whole_group(g) ? ")\\z" : ")");
    else if (g != G_SECTION && g != G_LISTMARK && g != G_HEADING) buf_puts(&rx, ")");
    int err;
    PCRE2_SIZE off;
    /* triggers are tried only where a trigger stem begins, anchored (`at`
     * below): the unanchored regex is compiled only when there are no stems */
    bool need_code = !(g >= G_TRIGGER0 && g < G_COUNT) || (!e->triggerstems.n && !e->triggerstems.any_single);
    grp->code = rx_compile(rx.data, rx.len, anchored_group(g) || !need_code ? PCRE2_ANCHORED : 0, &err, &off);
    if (!grp->code) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(err, msg, sizeof msg);
        diag_add(diags, RACHIS_DIAG_ERROR, NULL, 0, 0, NULL, "combining the rules of %s: %s",
                 grp->rules[0]->id, (char *)msg);
        rachis_buf_free(&rx);
        return false;
    }
    /* triggers (tried at trigger stems) and concepts (tried at word starts
     * around an assertion target) run only the branches that can start at
     * the byte they are tried at */
    if (g >= G_TRIGGER0 && g < G_COUNT)
        grp->fd = dispatch_build(grp->rules, grp->n, "(?!(?<=\\w)\\w)(?:", ")");
    else if (g >= G_CONCEPT0 && g < G_VETO0)
        grp->fd = dispatch_build(grp->rules, grp->n, "(?<![\\w])(?=\\w)(?:", ")");
    memset(grp->first, 0xff, sizeof grp->first);
    if (!need_code) {   /* the anchored compile serves as `at`, unless the dispatch does */
        if (grp->fd) pcre2_code_free(grp->code);
        else grp->at = grp->code;
        grp->code = NULL;
    } else if (g == G_LEVEL || g == G_SECTION || g == G_LISTMARK || g == G_HEADING || g == G_ABBREV || g == G_PRIMARY || g == G_SINS ||
        (g >= G_TRIGGER0 && g < G_COUNT && !grp->fd)) {
        grp->at = rx_compile(rx.data, rx.len, PCRE2_ANCHORED, &err, &off);
    }
    /* a concept group with a dispatch is matched only through it: its regex
     * stays for its group names and is not JIT-compiled */
    bool dispatched = grp->fd && g >= G_CONCEPT0 && g < G_VETO0;
    if (dispatched) grp->code_state = PART_INTERPRETED;   /* JIT-compiled when first used, if ever */
    const uint8_t *bits = NULL;
    if (grp->at && pcre2_pattern_info(grp->at, PCRE2_INFO_FIRSTBITMAP, &bits) == 0 && bits)
        memcpy(grp->first, bits, sizeof grp->first);
    rachis_buf_free(&rx);
    return true;
}

static int cmp_len_desc(const void *a, const void *b)
{
    const char *x = *(char *const *)a, *y = *(char *const *)b;   /* entries start with their string */
    size_t la = strlen(x), lb = strlen(y);
    return la < lb ? 1 : la > lb ? -1 : strcmp(x, y);
}

static uint32_t stem_key(const unsigned char *s) { return (uint32_t)(rx_tolower(s[0]) << 8 | rx_tolower(s[1])); }

/* A stem written with a final \b matches a whole word only ("ca\b": "breast ca",
 * not "canal"); the flag rides on the stem's concept bits. */
#define STEM_WHOLE (1u << 31)

/* Buckets every stem of KIND by its first two bytes, for the candidate scans. */
static void build_stems(rachis_engine *e, rule_kind kind, stem_table *t)
{
    typedef struct { char *s; unsigned c; } entry;
    entry *all = NULL;
    size_t n = 0;
    for (size_t i = 0; i < e->n_rules; i++) {
        const rule *r = &e->rules[i];
        if (r->kind != kind) continue;
        char *copy = rx_strdup(r->expanded), *save = NULL;
        for (char *w = strtok_r(copy, "|", &save); w; w = strtok_r(NULL, "|", &save)) {
            size_t wl = strlen(w);
            bool whole = wl > 2 && w[wl - 2] == '\\' && w[wl - 1] == 'b';
            if (whole) w[wl - 2] = '\0';
            if (strlen(w) == 1) {
                t->single[(unsigned char)w[0]] = t->single[rx_tolower((unsigned char)w[0])] = true;
                t->single_concepts[(unsigned char)w[0]] |= r->concepts ? r->concepts : (1u << RACHIS_CONCEPT_COUNT) - 1;
                t->single[rx_isalpha((unsigned char)w[0]) ? (unsigned char)(w[0] & ~32) : (unsigned char)w[0]] = true;
                t->any_single = true;
                continue;
            }
            for (char *c = w; *c; c++) *c = (char)rx_tolower((unsigned char)*c);
            all = rx_realloc(all, (n + 1) * sizeof *all);
            all[n].s = rx_strdup(w);
            all[n].c = (r->concepts ? r->concepts : (1u << RACHIS_CONCEPT_COUNT) - 1) | (whole ? STEM_WHOLE : 0);
            n++;
        }
        free(copy);
    }
    if (!n) return;
    qsort(all, n, sizeof *all, cmp_len_desc);   /* longest first within a bucket */
    size_t u = 0;                               /* one entry per stem: concepts merged */
    for (size_t i = 0; i < n; i++) {
        if (u && !strcmp(all[u - 1].s, all[i].s)) {   /* whole only when both are */
            all[u - 1].c = ((all[u - 1].c | all[i].c) & ~STEM_WHOLE) | (all[u - 1].c & all[i].c & STEM_WHOLE);
            free(all[i].s);
        } else {
            all[u++] = all[i];
        }
    }
    n = u;
    t->n = n;
    t->stems = rx_malloc(n * sizeof *t->stems);
    t->lens = rx_malloc(n * sizeof *t->lens);
    t->concepts = rx_malloc(n * sizeof *t->concepts);
    for (size_t i = 0; i < n; i++) {
        t->stems[i] = all[i].s;
        t->lens[i] = strlen(all[i].s);
        t->concepts[i] = all[i].c;
    }
    free(all);
    t->bucket = rx_calloc(65537, sizeof *t->bucket);
    t->order = rx_malloc(n * sizeof *t->order);
    for (size_t i = 0; i < n; i++) {
        uint32_t k = stem_key((const unsigned char *)t->stems[i]);
        t->bucket[k + 1]++;
        t->maybe[k >> 3] |= (uint8_t)(1u << (k & 7));
    }
    for (size_t k = 1; k <= 65536; k++) t->bucket[k] += t->bucket[k - 1];
    uint32_t *fill = rx_calloc(65536, sizeof *fill);
    for (size_t i = 0; i < n; i++) {
        uint32_t k = stem_key((const unsigned char *)t->stems[i]);
        t->order[t->bucket[k] + fill[k]++] = (uint32_t)i;
    }
    free(fill);
}

static void free_stems(stem_table *t)
{
    for (size_t i = 0; i < t->n; i++) free(t->stems[i]);
    free(t->stems);
    free(t->lens);
    free(t->concepts);
    free(t->bucket);
    free(t->order);
}

size_t engine_stem_at(const stem_table *t, const char *text, size_t len, size_t pos, unsigned *concepts)
{
    if (pos + 1 >= len || !t->n) return 0;
    uint32_t k = stem_key((const unsigned char *)text + pos);
    for (uint32_t j = t->bucket[k]; j < t->bucket[k + 1]; j++) {
        size_t i = t->order[j], l = t->lens[i];
        if (pos + l > len) continue;
        size_t m = 2;
        while (m < l && rx_tolower((unsigned char)text[pos + m]) == (unsigned char)t->stems[i][m]) m++;
        if (m == l) {
            if ((t->concepts[i] & STEM_WHOLE) && pos + l < len && rx_isalnum((unsigned char)text[pos + l])) continue;
            if (concepts) *concepts = t->concepts[i] & ~STEM_WHOLE;
            return l;
        }
    }
    return 0;
}

rachis_status rachis_engine_load(const char *dir, bool strict, rachis_engine **out, rachis_diags *diags)
{
    *out = NULL;
    rachis_engine *e = rx_calloc(1, sizeof *e);
    rachis_status st = patterns_load(dir, strict, &e->rules, &e->n_rules, diags);
    if (st != RACHIS_OK) {
        free(e);
        return st;
    }
    uint32_t have_jit = 0;
    e->jit = pcre2_config(PCRE2_CONFIG_JIT, &have_jit) >= 0 && have_jit;
    pthread_mutex_init(&e->jit_lock, NULL);
    build_stems(e, K_STEM, &e->stems);
    build_stems(e, K_LEVELSTEM, &e->levelstems);
    build_stems(e, K_TRIGGERSTEM, &e->triggerstems);
    build_stems(e, K_SECTIONSTEM, &e->sectionstems);
    build_stems(e, K_PRIMARYSTEM, &e->primarystems);
    build_stems(e, K_PRIMARYGATE, &e->primarygates);
    build_stems(e, K_SINSSTEM, &e->sinsstems);
    /* value rules match a whole word: compiled anchored at both ends so that
     * JIT serves them (match-time anchoring would fall back to the interpreter) */
    for (size_t i = 0; i < e->n_rules; i++) {
        rule *r = &e->rules[i];
        if (r->kind == K_VALUE && r->code) {
            char *rx = rx_sprintf("(?:%s)\\z", r->expanded);
            int err;
            PCRE2_SIZE off;
            pcre2_code *c = rx_compile(rx, strlen(rx), PCRE2_ANCHORED, &err, &off);
            free(rx);
            if (c) {
                pcre2_code_free(r->code);
                r->code = c;
            }
        }
        if (r->code) (void)pcre2_jit_compile(r->code, PCRE2_JIT_COMPLETE);
    }
    for (int g = 0; g < G_COUNT; g++)
        if (!build_group(e, g, diags)) st = RACHIS_ERR_PATTERN;
    bool any_concept = false;
    for (int c = 0; c < RACHIS_CONCEPT_COUNT; c++) any_concept |= e->groups[G_CONCEPT0 + c].code != NULL;
    if (st == RACHIS_OK && (!e->groups[G_LEVEL].code || !any_concept)) {
        diag_add(diags, RACHIS_DIAG_ERROR, dir, 0, 0, NULL,
                 "the patterns define no %s rules", e->groups[G_LEVEL].code ? "concept" : "level");
        st = RACHIS_ERR_PATTERN;
    }
    if (st != RACHIS_OK) {
        rachis_engine_free(e);
        return st;
    }
    *out = e;
    return RACHIS_OK;
}

void rachis_engine_free(rachis_engine *e)
{
    if (!e) return;
    for (int g = 0; g < G_COUNT; g++) {
        if (e->groups[g].code && !e->groups[g].shared) pcre2_code_free(e->groups[g].code);
        if (e->groups[g].at && !e->groups[g].shared) pcre2_code_free(e->groups[g].at);
        if (!e->groups[g].shared) dispatch_destroy(e->groups[g].fd);
        free(e->groups[g].rules);
    }
    rules_free(e->rules, e->n_rules);
    free_stems(&e->stems);
    free_stems(&e->levelstems);
    free_stems(&e->triggerstems);
    free_stems(&e->sectionstems);
    free_stems(&e->primarystems);
    free_stems(&e->primarygates);
    free_stems(&e->sinsstems);
    pthread_mutex_destroy(&e->jit_lock);
    free(e);
}

unsigned char jit_on_first_use(pthread_mutex_t *lock, _Atomic unsigned char *state, pcre2_code *code)
{
    pthread_mutex_lock(lock);
    unsigned char st = atomic_load_explicit(state, memory_order_relaxed);
    if (st == PART_UNUSED) {   /* no thread has matched with it yet: JIT may change it */
        st = code && pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0 ? PART_JIT : PART_INTERPRETED;
        atomic_store_explicit(state, st, memory_order_release);
    }
    pthread_mutex_unlock(lock);
    return st;
}

unsigned char engine_group_first_use(const rachis_engine *e, const rgroup *owner, bool at)
{
    /* the lock and the states are the only things a loaded engine changes */
    return jit_on_first_use((pthread_mutex_t *)&e->jit_lock,
                            (_Atomic unsigned char *)(at ? &owner->at_state : &owner->code_state),
                            at ? owner->at : owner->code);
}

size_t rachis_engine_rule_count(const rachis_engine *e)
{
    size_t n = 0;
    for (size_t i = 0; i < e->n_rules; i++)
        if (e->rules[i].kind != K_DEFINE) n++;
    return n;
}

bool rachis_engine_jit(const rachis_engine *e) { return e->jit; }

size_t rachis_engine_rule_total(const rachis_engine *e) { return e->n_rules; }

void rachis_engine_rule_info(const rachis_engine *e, size_t i, const char **kind, const char **id, const char **expanded)
{
    const rule *r = &e->rules[i];
    *kind = rule_kind_name(r->kind);
    *id = r->id;
    *expanded = r->expanded ? r->expanded : "";
}

const char *engine_value(const rachis_engine *e, const char *vclass, const char *text, size_t n,
                         pcre2_match_data *md)
{
    for (size_t i = 0; i < e->n_rules; i++) {
        const rule *r = &e->rules[i];
        if (r->kind != K_VALUE || strcmp(r->vclass, vclass)) continue;
        if (pcre2_match(r->code, (PCRE2_SPTR)text, n, 0, 0, md, NULL) >= 0)
            return r->vto;
    }
    return NULL;
}

const char *rachis_engine_value(const rachis_engine *e, const char *vclass, const char *text, size_t n)
{
    pcre2_match_data *md = pcre2_match_data_create(16, NULL);
    const char *v = md ? engine_value(e, vclass, text, n, md) : NULL;
    pcre2_match_data_free(md);
    return v;
}

int rachis_engine_section(const rachis_engine *e, const char *title, size_t n)
{
    const rgroup *grp = &e->groups[G_SECTION];
    if (!grp->code || n > 200) return -1;
    char line[256];
    size_t k = 0;
    for (size_t i = 0; i < n && k < sizeof line - 2; i++) {   /* one line, trimmed */
        char c = title[i];
        line[k++] = (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
    }
    while (k && line[k - 1] == ' ') k--;
    size_t start = 0;
    while (start < k && line[start] == ' ') start++;
    line[k++] = ':';
    line[k] = '\0';
    pcre2_match_data *md = pcre2_match_data_create(16, NULL);
    int sec = -1;
    if (grp->code) group_ready(e, G_SECTION, false);
    if (md && pcre2_match(grp->code, (PCRE2_SPTR)line + start, k - start, 0, 0, md, NULL) >= 0 &&
        pcre2_get_ovector_pointer(md)[0] == 0) {
        PCRE2_SPTR mark = pcre2_get_mark(md);
        size_t i = mark ? strtoul((const char *)mark, NULL, 10) : grp->n;
        if (i < grp->n) sec = grp->rules[i]->section;
    }
    pcre2_match_data_free(md);
    return sec;
}
