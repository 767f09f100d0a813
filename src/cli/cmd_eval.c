/* cmd_eval.c — rachis eval: scores rachis against a gold standard exactly as
 * DESIGN.md says: tuples (id, concept, level, assertion); precision, recall
 * and F1 per concept and micro-averaged, for present tuples and all tuples;
 * assertion accuracy on the (id, concept, level) pairs found in both. */
#include "cli.h"
#include "jsonv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- a set of strings (open addressing) ---------------------------------- */

typedef struct strset {
    char **slots;
    char **vals;        /* per key: evidence (system) or NULL */
    size_t cap, n;
} strset;

static size_t hash(const char *s)
{
    size_t h = 1469598103934665603ull;
    while (*s) h = (h ^ (unsigned char)*s++) * 1099511628211ull;
    return h;
}

static bool set_add(strset *t, const char *key, const char *val);

static void set_grow(strset *t)
{
    strset n = {calloc(t->cap ? t->cap * 2 : 1024, sizeof(char *)), NULL, t->cap ? t->cap * 2 : 1024, 0};
    n.vals = calloc(n.cap, sizeof(char *));
    for (size_t i = 0; i < t->cap; i++)
        if (t->slots[i]) {
            size_t h = hash(t->slots[i]) & (n.cap - 1);
            while (n.slots[h]) h = (h + 1) & (n.cap - 1);
            n.slots[h] = t->slots[i];
            n.vals[h] = t->vals[i];
            n.n++;
        }
    free(t->slots);
    free(t->vals);
    *t = n;
}

static long set_find(const strset *t, const char *key)
{
    if (!t->cap) return -1;
    size_t h = hash(key) & (t->cap - 1);
    while (t->slots[h]) {
        if (!strcmp(t->slots[h], key)) return (long)h;
        h = (h + 1) & (t->cap - 1);
    }
    return -1;
}

static bool set_add(strset *t, const char *key, const char *val)
{
    if (set_find(t, key) >= 0) return false;
    if ((t->n + 1) * 2 > t->cap) set_grow(t);
    size_t h = hash(key) & (t->cap - 1);
    while (t->slots[h]) h = (h + 1) & (t->cap - 1);
    t->slots[h] = strdup(key);
    t->vals[h] = val ? strdup(val) : NULL;
    t->n++;
    return true;
}

static void set_free(strset *t)
{
    for (size_t i = 0; i < t->cap; i++) {
        free(t->slots[i]);
        free(t->vals[i]);
    }
    free(t->slots);
    free(t->vals);
    memset(t, 0, sizeof *t);
}

/* ---- tuples ------------------------------------------------------------------ */

typedef struct eval_ctx {
    strset gold, sys;       /* "id\tconcept\tlevel\tassertion" */
    strset gold_ids, sys_ids;
    rachis_scanner *scanner;
    unsigned long records, errors;
} eval_ctx;

static void add_tuple(strset *set, const char *id, const char *concept, const char *level, const char *assertion,
                      const char *evidence)
{
    size_t l = strlen(id) + strlen(concept) + strlen(level) + strlen(assertion) + 4;
    char *k = malloc(l);
    snprintf(k, l, "%s\t%s\t%s\t%s", id, concept, level, assertion);
    set_add(set, k, evidence);
    free(k);
}

static bool add_finding_json(strset *set, const char *id, const jv *f, const char *evidence)
{
    const char *concept = jv_str(jv_get(f, "concept")), *assertion = jv_str(jv_get(f, "assertion"));
    const jv *levels = jv_get(f, "levels");
    if (!concept || !assertion || rachis_concept_from_name(concept) < 0 || rachis_assertion_from_name(assertion) < 0)
        return false;
    if (!levels || levels->type != JV_ARRAY || levels->count == 0) {
        add_tuple(set, id, concept, "null", assertion, evidence);
        return true;
    }
    for (size_t i = 0; i < levels->count; i++) {
        const char *l = jv_str(&levels->items[i]);
        if (!l || rachis_level_from_label(l) < 0) return false;
        add_tuple(set, id, concept, l, assertion, evidence);
    }
    return true;
}

/* Reads a JSON Lines file of records {id, findings:[...]} (gold or rachis output). */
static int read_jsonl(const char *path, strset *tuples, strset *ids)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "rachis eval: cannot read %s: %s\n", path, strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long lineno = 0;
    int rc = 0;
    while ((n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        size_t len = (size_t)n;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) len--;
        if (!len) continue;
        jv v;
        size_t off;
        const char *err;
        if (!jv_parse(line, len, &v, &off, &err)) {
            fprintf(stderr, "%s:%ld:%zu: error: %s\n", path, lineno, off + 1, err);
            rc = -1;
            continue;
        }
        const char *id = jv_str(jv_get(&v, "id"));
        const jv *fs = jv_get(&v, "findings");
        if (!id || !fs || fs->type != JV_ARRAY) {
            fprintf(stderr, "%s:%ld: error: a record needs \"id\" and \"findings\"\n", path, lineno);
            rc = -1;
        } else {
            set_add(ids, id, NULL);
            const jv *text = jv_get(&v, "text");
            for (size_t i = 0; i < fs->count; i++) {
                const jv *fd = &fs->items[i];
                const char *ev = jv_str(jv_get(fd, "text"));
                (void)text;
                if (!add_finding_json(tuples, id, fd, ev)) {
                    fprintf(stderr, "%s:%ld: error: finding %zu has a bad concept, level or assertion\n", path,
                            lineno, i + 1);
                    rc = -1;
                }
            }
        }
        jv_free(&v);
    }
    free(line);
    fclose(f);
    return rc;
}

static int on_report(void *ctx, cli_report *r)
{
    eval_ctx *x = ctx;
    const rachis_record *rec;
    if (r->error_code)
        rachis_scan_error(x->scanner, &r->in, r->error_code, r->error_message, r->error_offset, &rec);
    else
        rachis_scan(x->scanner, &r->in, &rec);
    x->records++;
    if (rec->status != RACHIS_OK) x->errors++;
    set_add(&x->sys_ids, rec->id, NULL);
    for (size_t i = 0; i < rec->n_findings; i++) {
        const rachis_finding *f = &rec->findings[i];
        size_t sl = f->sentence.end - f->sentence.start;
        char *ev = malloc(sl + 1);
        for (size_t k = 0; k < sl; k++) {
            char c = rec->text[f->sentence.start + k];
            ev[k] = (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
        }
        ev[sl] = '\0';
        const char *concept = rachis_concept_name(f->concept), *as = rachis_assertion_name(f->assertion);
        if (!f->levels) add_tuple(&x->sys, rec->id, concept, "null", as, ev);
        for (int l = 0; l < RACHIS_LEVEL_COUNT; l++)
            if (f->levels & ((rachis_levelset)1 << l)) add_tuple(&x->sys, rec->id, concept, rachis_level_label(l), as, ev);
        free(ev);
    }
    return 0;
}

/* ---- scoring ------------------------------------------------------------------ */

typedef struct counts { unsigned long tp, fp, fn; } counts;

static double prec(counts c) { return c.tp + c.fp ? (double)c.tp / (double)(c.tp + c.fp) : 1.0; }
static double rec_(counts c) { return c.tp + c.fn ? (double)c.tp / (double)(c.tp + c.fn) : 1.0; }
static double f1(counts c)
{
    double p = prec(c), r = rec_(c);
    return p + r > 0 ? 2 * p * r / (p + r) : 0.0;
}

/* Splits "id\tconcept\tlevel\tassertion" in place. */
static void split4(char *k, char **f)
{
    for (int i = 0; i < 4; i++) {
        f[i] = k;
        char *t = strchr(k, '\t');
        if (t) { *t = '\0'; k = t + 1; }
    }
}

static int concept_of(const char *key)
{
    char tmp[512];
    snprintf(tmp, sizeof tmp, "%s", key);
    char *f[4];
    split4(tmp, f);
    return rachis_concept_from_name(f[1]);
}

static bool is_present(const char *key)
{
    size_t l = strlen(key);
    return l > 8 && !strcmp(key + l - 8, "\tpresent");
}

static void score(const strset *gold, const strset *sys, const strset *ids, bool present_only, counts *per, counts *micro)
{
    memset(per, 0, sizeof(counts) * RACHIS_CONCEPT_COUNT);
    memset(micro, 0, sizeof *micro);
    for (size_t i = 0; i < sys->cap; i++) {
        const char *k = sys->slots[i];
        if (!k || (present_only && !is_present(k))) continue;
        char id[512];
        snprintf(id, sizeof id, "%s", k);
        *strchr(id, '\t') = '\0';
        if (set_find(ids, id) < 0) continue;      /* only reports the gold annotates */
        int c = concept_of(k);
        if (set_find(gold, k) >= 0) per[c].tp++;
        else per[c].fp++;
    }
    for (size_t i = 0; i < gold->cap; i++) {
        const char *k = gold->slots[i];
        if (!k || (present_only && !is_present(k))) continue;
        if (set_find(sys, k) < 0) per[concept_of(k)].fn++;
    }
    for (int c = 0; c < RACHIS_CONCEPT_COUNT; c++) {
        micro->tp += per[c].tp;
        micro->fp += per[c].fp;
        micro->fn += per[c].fn;
    }
}

/* Pairs (id, concept, level) -> the set of assertions, as a bit mask. */
static void pairs(const strset *tuples, const strset *ids, strset *out_keys, unsigned **masks)
{
    for (size_t i = 0; i < tuples->cap; i++) {
        if (!tuples->slots[i]) continue;
        char tmp[1024];
        snprintf(tmp, sizeof tmp, "%s", tuples->slots[i]);
        char *f[4];
        split4(tmp, f);
        if (set_find(ids, f[0]) < 0) continue;
        char key[3200];
        snprintf(key, sizeof key, "%s\t%s\t%s", f[0], f[1], f[2]);
        set_add(out_keys, key, NULL);
    }
    *masks = calloc(out_keys->cap, sizeof(unsigned));
    for (size_t i = 0; i < tuples->cap; i++) {
        if (!tuples->slots[i]) continue;
        char tmp[1024];
        snprintf(tmp, sizeof tmp, "%s", tuples->slots[i]);
        char *f[4];
        split4(tmp, f);
        char key[3200];
        snprintf(key, sizeof key, "%s\t%s\t%s", f[0], f[1], f[2]);
        long at = set_find(out_keys, key);
        if (at >= 0) (*masks)[at] |= 1u << rachis_assertion_from_name(f[3]);
    }
}

static void assertion_accuracy(const strset *gold, const strset *sys, const strset *ids, unsigned long *agree,
                               unsigned long *total)
{
    strset gk = {0}, sk = {0};
    unsigned *gm, *sm;
    pairs(gold, ids, &gk, &gm);
    pairs(sys, ids, &sk, &sm);
    *agree = *total = 0;
    for (size_t i = 0; i < gk.cap; i++) {
        if (!gk.slots[i]) continue;
        long j = set_find(&sk, gk.slots[i]);
        if (j < 0) continue;
        (*total)++;
        if (gm[i] == sm[j]) (*agree)++;
    }
    free(gm);
    free(sm);
    set_free(&gk);
    set_free(&sk);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void list_errors(FILE *out, const strset *gold, const strset *sys, const strset *ids)
{
    char **rows = NULL;
    size_t n = 0, cap = 0;
    for (int pass = 0; pass < 2; pass++) {
        const strset *a = pass ? gold : sys, *b = pass ? sys : gold;
        for (size_t i = 0; i < a->cap; i++) {
            const char *k = a->slots[i];
            if (!k || set_find(b, k) >= 0) continue;
            char id[512];
            snprintf(id, sizeof id, "%s", k);
            *strchr(id, '\t') = '\0';
            if (set_find(ids, id) < 0) continue;
            const char *ev = a->vals[i] ? a->vals[i] : "";
            size_t l = strlen(k) + strlen(ev) + 16;
            char *row = malloc(l);
            snprintf(row, l, "%s\t%s\t%s", k, pass ? "FN" : "FP", ev);
            if (n == cap) {
                cap = cap ? cap * 2 : 64;
                rows = realloc(rows, cap * sizeof *rows);
            }
            rows[n++] = row;
        }
    }
    if (n) qsort(rows, n, sizeof *rows, cmp_str);
    fprintf(out, "\nerrors (id, concept, level, assertion, FP/FN, evidence sentence):\n");
    for (size_t i = 0; i < n; i++) {
        fprintf(out, "%s\n", rows[i]);
        free(rows[i]);
    }
    free(rows);
}

int cmd_eval(cli_opts *o, const char *argv0)
{
    if (!o->gold) {
        fprintf(stderr, "rachis eval: --gold FILE is required\n");
        return EXIT_USAGE;
    }
    if (!o->results && o->n_args == 0) {
        fprintf(stderr, "rachis eval: give INPUTS to run rachis on, or --results FILE\n");
        return EXIT_USAGE;
    }
    eval_ctx x;
    memset(&x, 0, sizeof x);
    if (read_jsonl(o->gold, &x.gold, &x.gold_ids) != 0) {
        set_free(&x.gold);
        set_free(&x.gold_ids);
        return EXIT_USAGE;
    }
    int status = EXIT_ALL_OK;
    if (o->results) {
        if (read_jsonl(o->results, &x.sys, &x.sys_ids) != 0) status = EXIT_USAGE;
    } else {
        rachis_engine *e = cli_load_engine(o, argv0);
        if (!e) status = EXIT_USAGE;
        else {
            rachis_limits lim = {(uint32_t)o->match_limit, (uint32_t)o->depth_limit, 0, o->max_report_bytes};
            rachis_scanner_create(e, &lim, &x.scanner);
            cli_walk_inputs(o->args, o->n_args, o, e, on_report, &x);
            rachis_scanner_free(x.scanner);
            rachis_engine_free(e);
        }
    }
    if (status != EXIT_ALL_OK) goto done;
    unsigned long missing = 0;
    for (size_t i = 0; i < x.gold_ids.cap; i++)
        if (x.gold_ids.slots[i] && set_find(&x.sys_ids, x.gold_ids.slots[i]) < 0) {
            if (missing++ < 5) fprintf(stderr, "rachis eval: no rachis record for gold id '%s'\n", x.gold_ids.slots[i]);
        }
    counts per_p[RACHIS_CONCEPT_COUNT], per_a[RACHIS_CONCEPT_COUNT], mp, ma;
    score(&x.gold, &x.sys, &x.gold_ids, true, per_p, &mp);
    score(&x.gold, &x.sys, &x.gold_ids, false, per_a, &ma);
    unsigned long agree, total;
    assertion_accuracy(&x.gold, &x.sys, &x.gold_ids, &agree, &total);
    double acc = total ? (double)agree / (double)total : 1.0;
    FILE *out = stdout;
    if (o->output && strcmp(o->output, "-")) {
        out = fopen(o->output, "wb");
        if (!out) {
            fprintf(stderr, "rachis eval: cannot write %s: %s\n", o->output, strerror(errno));
            status = EXIT_USAGE;
            goto done;
        }
    }
    if (o->json) {
        fprintf(out, "{\"reports\":%zu,\"missing\":%lu,\"present\":{", x.gold_ids.n, missing);
        for (int pass = 0; pass < 2; pass++) {
            counts *per = pass ? per_a : per_p, m = pass ? ma : mp;
            if (pass) fprintf(out, "},\"all\":{");
            for (int c = 0; c < RACHIS_CONCEPT_COUNT; c++)
                fprintf(out, "\"%s\":{\"precision\":%.4f,\"recall\":%.4f,\"f1\":%.4f,\"tp\":%lu,\"fp\":%lu,\"fn\":%lu},",
                        rachis_concept_name((rachis_concept)c), prec(per[c]), rec_(per[c]), f1(per[c]), per[c].tp,
                        per[c].fp, per[c].fn);
            fprintf(out, "\"micro\":{\"precision\":%.4f,\"recall\":%.4f,\"f1\":%.4f,\"tp\":%lu,\"fp\":%lu,\"fn\":%lu}",
                    prec(m), rec_(m), f1(m), m.tp, m.fp, m.fn);
        }
        fprintf(out, "},\"assertion_accuracy\":%.4f,\"assertion_pairs\":%lu}\n", acc, total);
    } else {
        fprintf(out, "%zu gold reports%s\n\n", x.gold_ids.n, missing ? " (some without a rachis record)" : "");
        fprintf(out, "%-22s | %-36s | %-36s\n", "", "present tuples", "all tuples");
        fprintf(out, "%-22s | %6s %6s %6s %5s %4s %4s | %6s %6s %6s %5s %4s %4s\n", "concept", "P", "R", "F1", "tp",
                "fp", "fn", "P", "R", "F1", "tp", "fp", "fn");
        for (int c = 0; c <= RACHIS_CONCEPT_COUNT; c++) {
            counts p = c < RACHIS_CONCEPT_COUNT ? per_p[c] : mp, a = c < RACHIS_CONCEPT_COUNT ? per_a[c] : ma;
            fprintf(out, "%-22s | %6.3f %6.3f %6.3f %5lu %4lu %4lu | %6.3f %6.3f %6.3f %5lu %4lu %4lu\n",
                    c < RACHIS_CONCEPT_COUNT ? rachis_concept_name((rachis_concept)c) : "micro", prec(p), rec_(p),
                    f1(p), p.tp, p.fp, p.fn, prec(a), rec_(a), f1(a), a.tp, a.fp, a.fn);
        }
        fprintf(out, "\nassertion accuracy: %.3f (%lu of %lu (id, concept, level) pairs found in both)\n", acc, agree,
                total);
    }
    if (o->errors) list_errors(out, &x.gold, &x.sys, &x.gold_ids);
    if (out != stdout) fclose(out);
    if (o->min_f1 >= 0 && f1(mp) < o->min_f1) {
        fprintf(stderr, "rachis eval: present-tuple micro F1 %.3f is below --min-f1 %.3f\n", f1(mp), o->min_f1);
        status = EXIT_SOME_ERRORS;
    }
done:
    set_free(&x.gold);
    set_free(&x.sys);
    set_free(&x.gold_ids);
    set_free(&x.sys_ids);
    return status;
}
