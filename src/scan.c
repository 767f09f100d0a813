/* scan.c — the per-thread scanner: its PCRE2 scratch and limits, and the
 * pipeline that turns one report into one record. */
#include "scan.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_MATCH_LIMIT 2000000u
#define DEFAULT_DEPTH_LIMIT 20000u
#define DEFAULT_JIT_STACK (1u << 20)
#define DEFAULT_MAX_REPORT (8u << 20)

rachis_status rachis_scanner_create(const rachis_engine *e, const rachis_limits *limits, rachis_scanner **out)
{
    rachis_scanner *s = rx_calloc(1, sizeof *s);
    s->e = e;
    if (limits) s->limits = *limits;
    if (!s->limits.match_limit) s->limits.match_limit = DEFAULT_MATCH_LIMIT;
    if (!s->limits.depth_limit) s->limits.depth_limit = DEFAULT_DEPTH_LIMIT;
    if (!s->limits.jit_stack_max) s->limits.jit_stack_max = DEFAULT_JIT_STACK;
    if (!s->limits.max_report_bytes) s->limits.max_report_bytes = DEFAULT_MAX_REPORT;
    s->md = pcre2_match_data_create(64, NULL);
    s->md2 = pcre2_match_data_create(64, NULL);
    s->mctx = pcre2_match_context_create(NULL);
    if (!s->md || !s->md2 || !s->mctx) {
        fprintf(stderr, "rachis: out of memory creating a scanner\n");
        abort();
    }
    pcre2_set_match_limit(s->mctx, s->limits.match_limit);
    pcre2_set_depth_limit(s->mctx, s->limits.depth_limit);
    s->jit = pcre2_jit_stack_create(32 * 1024, s->limits.jit_stack_max, NULL);
    if (s->jit) pcre2_jit_stack_assign(s->mctx, NULL, s->jit);
    *out = s;
    return RACHIS_OK;
}

static void record_clear(rachis_record *r)
{
    free(r->id); free(r->path); free(r->patient); free(r->date);
    free(r->error_code); free(r->error_message);
    memset(r, 0, sizeof *r);
}

void rachis_scanner_free(rachis_scanner *s)
{
    if (!s) return;
    pcre2_match_data_free(s->md);
    pcre2_match_data_free(s->md2);
    pcre2_match_context_free(s->mctx);
    if (s->jit) pcre2_jit_stack_free(s->jit);
    free(s->secs.v); free(s->sents.v); free(s->mentions.v); free(s->groups.v);
    free(s->trigs.v); free(s->wins.v); free(s->last.text); free(s->hits.v); free(s->findings.v); free(s->out_levels.v); free(s->finfo.v);
    free(s->sins.v);
    record_clear(&s->rec);
    free(s);
}

#ifdef RACHIS_PROFILE
/* -DRACHIS_PROFILE=ON: time spent in each rule group, printed at exit. */
#include <time.h>
static double prof_seconds[G_COUNT];
static unsigned long prof_calls[G_COUNT];
static void prof_dump(void)
{
    for (int g = 0; g < G_COUNT; g++)
        if (prof_calls[g]) fprintf(stderr, "rachis profile: group %2d %9lu calls %8.3f s\n", g, prof_calls[g], prof_seconds[g]);
}
#define PROF_START struct timespec t0_, t1_; clock_gettime(CLOCK_MONOTONIC, &t0_)
static int prof_registered;
#define PROF_END(g)                                                                                       \
    do {                                                                                                  \
        if (!prof_registered) { prof_registered = 1; atexit(prof_dump); }                                 \
        clock_gettime(CLOCK_MONOTONIC, &t1_);                                                             \
        prof_seconds[g] += (double)(t1_.tv_sec - t0_.tv_sec) + (double)(t1_.tv_nsec - t0_.tv_nsec) / 1e9; \
        prof_calls[g]++;                                                                                  \
    } while (0)
#else
#define PROF_START
#define PROF_END(g)
#endif

/* RC of a match, with a resource-limit failure recorded on S and turned into
 * "no match" (-1), so one runaway pattern costs the report a status, not a hang. */
static int limit_checked(rachis_scanner *s, int rc)
{
    if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT ||
        rc == PCRE2_ERROR_HEAPLIMIT) {
        s->limit_hit = true;
        return -1;
    }
    return rc;
}

int scan_match(rachis_scanner *s, int g, const char *text, size_t len, size_t start, uint32_t opts,
               pcre2_match_data *md)
{
    const rgroup *grp = &s->e->groups[g];
    if (!grp->code || start > len) return -1;
    group_ready(s->e, g, false);
    PROF_START;
    int rc = pcre2_match(grp->code, (PCRE2_SPTR)text, len, start, opts, md, s->mctx);
    PROF_END(g);
    return limit_checked(s, rc);
}

/* A dispatch part at START: many calls a sentence, so straight into the JIT
 * code when the engine has it (pcre2_jit_match skips pcre2_match's checks,
 * which these calls pass by construction). */
static inline int fd_match(rachis_scanner *s, const first_dispatch *fd, size_t k, const char *text, size_t len,
                           size_t start, pcre2_match_data *md, const pcre2_code **used)
{
    bool jit;
    const pcre2_code *code = dispatch_part(fd, k, &jit);
    if (used) *used = code;
    if (jit) return pcre2_jit_match(code, (PCRE2_SPTR)text, len, start, 0, md, s->mctx);
    return pcre2_match(code, (PCRE2_SPTR)text, len, start, 0, md, s->mctx);
}

/* Can a match of dispatch FD begin with the two bytes at P? */
static inline bool fd_second(const first_dispatch *fd, const char *text, size_t len, size_t p)
{
    unsigned char c = (unsigned char)text[p];
    if (fd->any2[c]) return true;
    if (p + 1 >= len) return false;
    unsigned char b = rx_tolower((unsigned char)text[p + 1]);
    return (fd->second[c][b >> 3] >> (b & 7)) & 1;
}

static inline bool is_word(unsigned char c) { return rx_isalnum(c) || c == '_'; }   /* PCRE2's \w */

int scan_match_before(rachis_scanner *s, int g, const char *text, size_t len, size_t start, size_t last,
                      pcre2_match_data *md, const pcre2_code **code)
{
    const rgroup *grp = &s->e->groups[g];
    if (code) *code = grp->code;
    if (start >= len || start > last) return -1;
    if (!grp->fd) {
        int rc = scan_match(s, g, text, len, start, 0, md);
        return rc >= 0 && pcre2_get_ovector_pointer(md)[0] > last ? -1 : rc;
    }
    /* the group starts (?<![\w])(?=\w): try each word start in turn, as the
     * unanchored search would, with only the branches that can start there */
    if (last >= len) last = len - 1;
    for (size_t p = start; p <= last; p++) {
        unsigned char c = (unsigned char)text[p];
        if (!is_word(c) || (p > 0 && is_word((unsigned char)text[p - 1])) || !grp->fd->part[c] ||
            !fd_second(grp->fd, text, len, p))
            continue;
        const pcre2_code *part;
        PROF_START;
        int rc = fd_match(s, grp->fd, grp->fd->part[c] - 1u, text, len, p, md, &part);
        PROF_END(g);
        rc = limit_checked(s, rc);
        if (rc >= 0) {
            if (code) *code = part;
            return rc;
        }
    }
    return -1;
}

int scan_match_at(rachis_scanner *s, int g, const char *text, size_t len, size_t start, pcre2_match_data *md)
{
    const rgroup *grp = &s->e->groups[g];
    if (grp->fd) {   /* at the end only an empty match could begin, and callers skip those */
        unsigned part = start < len ? grp->fd->part[(unsigned char)text[start]] : 0;
        if (part && !fd_second(grp->fd, text, len, start)) part = 0;
        if (!part) return -1;
        PROF_START;
        int rc = fd_match(s, grp->fd, part - 1, text, len, start, md, NULL);
        PROF_END(g);
        return limit_checked(s, rc);
    }
    if (!grp->at || start > len) return -1;
    if (start < len && !(grp->first[(unsigned char)text[start] >> 3] & (1u << ((unsigned char)text[start] & 7))))
        return -1;   /* no match can start with this byte */
    bool jit = group_ready(s->e, g, true);
    PROF_START;   /* straight into the JIT code, as for dispatch parts: these groups run at every line start and full stop */
    int rc = jit ? pcre2_jit_match(grp->at, (PCRE2_SPTR)text, len, start, 0, md, s->mctx)
                 : pcre2_match(grp->at, (PCRE2_SPTR)text, len, start, 0, md, s->mctx);
    PROF_END(g);
    return limit_checked(s, rc);
}

const rule *scan_rule(rachis_scanner *s, int g, pcre2_match_data *md)
{
    PCRE2_SPTR mark = pcre2_get_mark(md);
    if (!mark) return NULL;
    size_t i = 0;   /* the MARKs are the group's own decimal numbers */
    for (; *mark >= '0' && *mark <= '9'; mark++) i = i * 10 + (size_t)(*mark - '0');
    const rgroup *grp = &s->e->groups[g];
    return i < grp->n ? grp->rules[i] : NULL;
}

/* Does a word of [a, b) begin with a stem of T? */
static bool has_stem(const rachis_scanner *s, const stem_table *t, size_t a, size_t b)
{
    const char *x = s->text;
    for (size_t i = a; i + 1 < b; i++)
        if (rx_isalnum((unsigned char)x[i]) && (i == a || !rx_isalnum((unsigned char)x[i - 1])) &&
            stem_maybe(t, x + i) && engine_stem_at(t, x, b, i, NULL))
            return true;
    return false;
}

void scan_each(rachis_scanner *s, int g, const stem_table *stems, const stem_table *gate, scan_each_fn fn,
               void *ctx)
{
    if (!s->e->groups[g].at || !stems->n) return;
    const char *x = s->text;
    for (size_t si = 0; si < s->sents.n; si++) {
        const sentence *st = &s->sents.v[si];
        if (gate && gate->n && !(s->gates_marked ? st->gate : has_stem(s, gate, st->start, st->end))) continue;
        for (size_t pos = st->start; pos + 1 < st->end; pos++) {
            if (!rx_isalnum((unsigned char)x[pos]) || (pos > st->start && rx_isalnum((unsigned char)x[pos - 1])) ||
                !stem_maybe(stems, x + pos) || !engine_stem_at(stems, x, st->end, pos, NULL) ||
                scan_match_at(s, g, x, st->end, pos, s->md) < 0)
                continue;
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md);
            const rule *r = scan_rule(s, g, s->md);
            if (!r || ov[1] <= ov[0]) continue;
            size_t a = ov[0], b = ov[1];
            fn(s, r, a, b, (int)si, ctx);
            pos = b - 1;
        }
    }
}

static void reset(rachis_scanner *s, const rachis_input *in)
{
    s->secs.n = s->sents.n = s->mentions.n = s->groups.n = s->trigs.n = s->wins.n = s->hits.n = 0;
    s->findings.n = s->out_levels.n = s->finfo.n = s->sins.n = 0;
    s->limit_hit = false;
    s->gates_marked = false;
    s->last.valid = false;   /* trigs now belong to this report */
    record_clear(&s->rec);
    rachis_record *r = &s->rec;
    r->id = rx_strdup(in->id ? in->id : "");
    r->path = rx_strdup(in->path ? in->path : "");
    r->patient = rx_strdup(in->patient);
    r->date = rx_strdup(in->date);
    r->record = in->record > 0 ? in->record : 1;
    r->format = in->format;
    r->status = RACHIS_OK;
    r->error_offset = -1;
    r->text = in->text;
    r->length = in->length;
    s->text = in->text ? in->text : "";
    s->len = in->text ? in->length : 0;
}

static void set_error(rachis_scanner *s, rachis_status st, const char *code, char *message, long long offset)
{
    rachis_record *r = &s->rec;
    r->status = st;
    free(r->error_code);
    free(r->error_message);
    r->error_code = rx_strdup(code);
    r->error_message = message;
    r->error_offset = offset;
    r->levels = NULL;
    r->n_levels = 0;
    r->findings = NULL;
    r->n_findings = 0;
    memset(r->flags, 0, sizeof r->flags);
    r->urgent = false;
    memset(&r->primary, 0, sizeof r->primary);
    r->sins = NULL;
    r->n_sins = 0;
}

rachis_status rachis_scan_error(rachis_scanner *s, const rachis_input *in, const char *code, const char *message,
                                long long offset, const rachis_record **out)
{
    reset(s, in);
    s->rec.text = NULL;
    s->rec.length = 0;
    set_error(s, RACHIS_ERR_INPUT, code, rx_strdup(message), offset);
    *out = &s->rec;
    return RACHIS_OK;
}

/* Mentions of one finding in one paragraph ("compression fracture of T12 with
 * 40% height loss") become one finding: same concept, levels, assertion and
 * history.  The first mention keeps its words; attributes are combined. */
static void merge_duplicates(rachis_scanner *s)
{
    size_t k = 0;
    for (size_t i = 0; i < s->findings.n; i++) {
        rachis_finding *f = &s->findings.v[i];
        rachis_finding *into = NULL;
        for (size_t j = 0; j < k && !into; j++) {
            rachis_finding *g = &s->findings.v[j];
            if (s->sents.v[s->finfo.v[j].sent].para == s->sents.v[s->finfo.v[i].sent].para &&
                g->concept == f->concept && g->levels == f->levels &&
                g->assertion == f->assertion && g->historical == f->historical)
                into = g;
        }
        if (!into) {
            s->findings.v[k] = *f;
            s->finfo.v[k] = s->finfo.v[i];
            k++;
            continue;
        }
        if (f->span.start < into->span.start) {   /* keep the earlier words */
            into->span = f->span;
            into->rule = f->rule;
        }
        size_t n;
        const rachis_attr_def *defs = rachis_concept_attrs(f->concept, &n);
        for (size_t a = 0; a < n; a++) {
            if (!f->attrs[a].set) continue;
            if (defs[a].kind == RACHIS_ATTR_SET && into->attrs[a].set) into->attrs[a].ivalue |= f->attrs[a].ivalue;
            else if (!into->attrs[a].set) into->attrs[a] = f->attrs[a];
        }
    }
    s->findings.n = s->finfo.n = k;
}

static int cmp_finding(const void *a, const void *b)
{
    const rachis_finding *x = a, *y = b;
    if (x->span.start != y->span.start) return x->span.start < y->span.start ? -1 : 1;
    if (x->span.end != y->span.end) return x->span.end < y->span.end ? -1 : 1;
    return (int)x->concept - (int)y->concept;
}

/* The record's level list, findings in text order, and the report flags. */
static void finish(rachis_scanner *s)
{
    rachis_record *r = &s->rec;
    for (size_t i = 0; i < s->mentions.n; i++) {
        const mention *m = &s->mentions.v[i];
        for (int l = 0; l < RACHIS_LEVEL_COUNT; l++)
            if (m->set & ((rachis_levelset)1 << l)) {
                rachis_level_mention lm = {l, {m->start, m->end}};
                VEC_PUSH(s->out_levels, lm);
            }
    }
    if (s->findings.n) qsort(s->findings.v, s->findings.n, sizeof *s->findings.v, cmp_finding);
    r->levels = s->out_levels.v;
    r->n_levels = s->out_levels.n;
    r->findings = s->findings.v;
    r->n_findings = s->findings.n;
    r->sins = s->sins.v;
    r->n_sins = s->sins.n;
    for (size_t i = 0; i < s->findings.n; i++) {
        const rachis_finding *f = &s->findings.v[i];
        if (f->assertion != RACHIS_PRESENT || f->historical) continue;
        r->flags[f->concept] = true;
        if (f->concept == RACHIS_CORD) {
            const rachis_attr_value *st = &f->attrs[0];   /* structure */
            if (!st->set || st->ivalue != 3 /* thecal_sac */) r->urgent = true;
        }
    }
}

rachis_status rachis_scan(rachis_scanner *s, const rachis_input *in, const rachis_record **out)
{
    reset(s, in);
    *out = &s->rec;
    if (s->len > s->limits.max_report_bytes) {
        set_error(s, RACHIS_ERR_LIMIT, "too_large",
                  rx_sprintf("%s: record %ld: report of %zu bytes exceeds the limit of %zu bytes "
                             "(--max-report-bytes)", in->path ? in->path : "-", s->rec.record, s->len,
                             s->limits.max_report_bytes),
                  (long long)s->limits.max_report_bytes);
        return RACHIS_OK;
    }
    levels_find(s);
    segment_text(s, in);
    levels_group(s);
    findings_find(s);
    link_levels(s);
    context_assert_findings(s);
    merge_duplicates(s);
    primary_find(s);
    sins_score(s);
    if (s->limit_hit) {
        set_error(s, RACHIS_ERR_LIMIT, "regex_limit",
                  rx_sprintf("%s: record %ld: a pattern hit the PCRE2 match or depth limit "
                             "(--match-limit, --depth-limit)", in->path ? in->path : "-", s->rec.record),
                  -1);
        return RACHIS_OK;
    }
    finish(s);
    return RACHIS_OK;
}
