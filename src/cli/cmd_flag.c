/* cmd_flag.c — rachis flag: the reports that need attention, most urgent
 * first, for worklists and cron jobs.  Exit 0 when nothing is flagged, 3 when
 * something is. */
#define _GNU_SOURCE
#include "cli.h"

#include <stdlib.h>
#include <string.h>

/* Tiers: 1 cord, conus or cauda equina compression; 2 pathologic fracture or
 * epidural extension; 3 any other present finding. */
typedef struct flagged {
    int tier;
    unsigned long order;
    char *line;        /* the output line, without its newline */
} flagged;

typedef struct flag_ctx {
    rachis_scanner *scanner;
    const cli_opts *o;
    int min_tier;      /* 1 for --min urgent, 3 for any */
    flagged *items;
    size_t n, cap;
    unsigned long order, errors;
} flag_ctx;

static int tier_of(const rachis_finding *f)
{
    if (f->assertion != RACHIS_PRESENT || f->historical) return 0;
    size_t n;
    const rachis_attr_def *defs = rachis_concept_attrs(f->concept, &n);
    if (f->concept == RACHIS_CORD) {
        const rachis_attr_value *st = &f->attrs[0];
        bool thecal = st->set && !strcmp(defs[0].values[st->ivalue], "thecal_sac");
        return thecal ? 2 : 1;
    }
    if (f->concept == RACHIS_FRACTURE) {
        const rachis_attr_value *et = &f->attrs[1];
        return et->set && !strcmp(defs[1].values[et->ivalue], "pathologic") ? 2 : 3;
    }
    if (f->concept == RACHIS_EXTENSION) {
        const rachis_attr_value *c = &f->attrs[0];
        return c->set && (c->ivalue & 1) ? 2 : 3;   /* compartments: epidural is the first value */
    }
    return 3;
}

static void levels_text(rachis_levelset set, char *out, size_t n)
{
    out[0] = '\0';
    for (int l = 0; l < RACHIS_LEVEL_COUNT; l++)
        if (set & ((rachis_levelset)1 << l)) {
            if (out[0]) strncat(out, " ", n - strlen(out) - 1);
            strncat(out, rachis_level_label(l), n - strlen(out) - 1);
        }
    if (!out[0]) snprintf(out, n, "-");
}

static char *one_line(const char *s, size_t n)
{
    char *o = malloc(n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
        if (c == ' ' && k && o[k - 1] == ' ') continue;
        o[k++] = c;
    }
    o[k] = '\0';
    return o;
}

static int on_report(void *ctx, cli_report *r)
{
    flag_ctx *x = ctx;
    const rachis_record *rec;
    if (r->error_code) rachis_scan_error(x->scanner, &r->in, r->error_code, r->error_message, r->error_offset, &rec);
    else rachis_scan(x->scanner, &r->in, &rec);
    x->order++;
    if (rec->status != RACHIS_OK) {
        x->errors++;
        return 0;
    }
    const rachis_finding *best = NULL;
    int best_tier = 99;
    rachis_levelset levels = 0;
    for (size_t i = 0; i < rec->n_findings; i++) {
        int t = tier_of(&rec->findings[i]);
        if (!t) continue;
        levels |= rec->findings[i].levels;
        if (t < best_tier) {
            best_tier = t;
            best = &rec->findings[i];
        }
    }
    if (!best || best_tier > x->min_tier) return 0;
    char lv[256];
    (void)levels;
    levels_text(best->levels, lv, sizeof lv);
    char *sentence = one_line(rec->text + best->sentence.start, best->sentence.end - best->sentence.start);
    char *line = NULL;
    int rc;
    if (x->o->json) {
        rachis_buf b = {0};
        rachis_buf_append(&b, "{\"tier\":", 8);
        char num[16];
        snprintf(num, sizeof num, "%d", best_tier);
        rachis_buf_append(&b, num, strlen(num));
        const char *keys[] = {",\"id\":", ",\"patient\":", ",\"date\":", ",\"concept\":", ",\"levels\":", ",\"sentence\":"};
        const char *vals[] = {rec->id, rec->patient, rec->date, rachis_concept_name(best->concept), lv, sentence};
        for (int k = 0; k < 6; k++) {
            rachis_buf_append(&b, keys[k], strlen(keys[k]));
            if (vals[k]) rachis_json_string(&b, vals[k], strlen(vals[k]));
            else rachis_buf_append(&b, "null", 4);
        }
        rachis_buf_putc(&b, '}');
        rachis_buf_putc(&b, '\0');
        line = b.data;
        rc = 0;
    } else {
        rc = asprintf(&line, "%s\t%s\t%s\t%s\t%s\t%s", best_tier == 1 ? "urgent" : best_tier == 2 ? "high" : "review",
                      rec->id, rec->patient ? rec->patient : "-", lv, rachis_concept_name(best->concept), sentence);
        if (rc < 0) line = NULL;
    }
    free(sentence);
    if (!line) return 0;
    if (x->n == x->cap) {
        x->cap = x->cap ? x->cap * 2 : 64;
        x->items = realloc(x->items, x->cap * sizeof *x->items);
    }
    x->items[x->n++] = (flagged){best_tier, x->order, line};
    return 0;
}

static int cmp_flag(const void *a, const void *b)
{
    const flagged *x = a, *y = b;
    if (x->tier != y->tier) return x->tier - y->tier;
    return x->order < y->order ? -1 : x->order > y->order;
}

int cmd_flag(cli_opts *o, const char *argv0)
{
    if (o->n_args == 0) {
        fprintf(stderr, "rachis flag: no input (give files, directories, or - for standard input)\n");
        return EXIT_USAGE;
    }
    flag_ctx x;
    memset(&x, 0, sizeof x);
    x.o = o;
    x.min_tier = 3;
    if (o->min) {
        if (!strcmp(o->min, "urgent")) x.min_tier = 1;
        else if (!strcmp(o->min, "high")) x.min_tier = 2;
        else if (strcmp(o->min, "any")) {
            fprintf(stderr, "rachis flag: --min takes urgent, high or any, not '%s'\n", o->min);
            return EXIT_USAGE;
        }
    }
    rachis_engine *e = cli_load_engine(o, argv0);
    if (!e) return EXIT_USAGE;
    rachis_limits lim = {(uint32_t)o->match_limit, (uint32_t)o->depth_limit, 0, o->max_report_bytes};
    rachis_scanner_create(e, &lim, &x.scanner);
    cli_walk_inputs(o->args, o->n_args, o, e, on_report, &x);
    if (x.n) qsort(x.items, x.n, sizeof *x.items, cmp_flag);
    for (size_t i = 0; i < x.n; i++) {
        puts(x.items[i].line);
        free(x.items[i].line);
    }
    free(x.items);
    if (!o->quiet) fprintf(stderr, "rachis flag: %lu reports, %zu flagged, %lu unreadable\n", x.order, x.n, x.errors);
    rachis_scanner_free(x.scanner);
    rachis_engine_free(e);
    if (fflush(stdout) != 0) return EXIT_USAGE;
    return x.n ? EXIT_FLAGGED : EXIT_ALL_OK;
}
