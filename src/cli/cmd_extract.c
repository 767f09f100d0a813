/* cmd_extract.c — rachis extract: every report of the inputs to one rachis/1
 * record, in input order whatever -j is.  The main thread reads reports into
 * a bounded ring of slots (memory does not grow with the archive); workers,
 * each with its own scanner over the one shared engine, analyse them; a
 * writer thread emits them in order to the JSONL output, the CSV export, the
 * FHIR Bundles and the SQLite store.  Files appear whole or not at all. */
#define _GNU_SOURCE
#include "cli.h"
#include "csvout.h"
#include "outfile.h"
#include "fhir.h"
#include "store.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { SLOT_EMPTY, SLOT_READY, SLOT_TAKEN, SLOT_DONE };

typedef struct slot {
    int state;
    bool skipped;                 /* already in the store */
    /* the report, copied out of the reader */
    char *id, *path, *patient, *date, *text, *error_message;
    const char *error_code;
    long record;
    long long error_offset;
    rachis_format format;
    size_t len, nsec;
    rachis_section *secs;
    size_t *starts;
    char hash[17];
    /* what the worker made of it */
    rachis_buf json, csv;
    rachis_buf fhir;
    bool error, urgent;
    unsigned findings[RACHIS_CONCEPT_COUNT];
} slot;

typedef struct extract {
    const cli_opts *o;
    const rachis_engine *e;
    rachis_limits limits;
    unsigned json_flags;
    slot *ring;
    size_t nring;
    uint64_t next_in, next_work, next_out;
    bool input_done;
    pthread_mutex_t mu;
    pthread_cond_t can_fill, can_work, can_write;
    rachis_scanner *inline_scanner;   /* -j 1: no threads */
    /* outputs */
    FILE *out, *csv;
    char *out_tmp, *csv_tmp;
    FILE *fhir;
    char *fhir_tmp;
    store *db;
    pthread_mutex_t db_mu;
    bool write_failed, db_failed;
    char *db_error;
    /* counts */
    unsigned long reports, errors, skipped, urgent, findings[RACHIS_CONCEPT_COUNT];
    unsigned long long bytes;
    unsigned long long total_bytes;   /* of the inputs, when known */
    struct timespec start, last_progress;
    bool progress;
    bool streaming;                   /* standard input to standard output: flush per batch */
    unsigned since_flush;
} extract;

static double elapsed(const struct timespec *a)
{
    struct timespec b;
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (double)(b.tv_sec - a->tv_sec) + (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}

static void hash_report(const rachis_input *in, const char *error_code, char out[17])
{
    uint64_t h = 1469598103934665603ull;
    const char *parts[] = {in->id, in->patient, in->date, error_code, rachis_format_name(in->format)};
    for (size_t p = 0; p < sizeof parts / sizeof *parts; p++) {
        for (const char *c = parts[p] ? parts[p] : ""; *c; c++) h = (h ^ (unsigned char)*c) * 1099511628211ull;
        h = (h ^ 0xff) * 1099511628211ull;
    }
    for (size_t i = 0; i < in->length; i++) h = (h ^ (unsigned char)in->text[i]) * 1099511628211ull;
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

static void slot_clear(slot *s)
{
    free(s->id); free(s->path); free(s->patient); free(s->date); free(s->text); free(s->error_message);
    free(s->secs); free(s->starts);
    s->id = s->path = s->patient = s->date = s->text = s->error_message = NULL;
    s->secs = NULL;
    s->starts = NULL;
    s->json.len = s->csv.len = 0;
    s->fhir.len = 0;
}

/* Analyses the slot's report with scanner SC (a worker's, or the inline one). */
static void process(extract *x, rachis_scanner *sc, slot *s)
{
    if (s->skipped) return;
    rachis_input in;
    memset(&in, 0, sizeof in);
    in.id = s->id;
    in.path = s->path;
    in.record = s->record;
    in.format = s->format;
    in.patient = s->patient;
    in.date = s->date;
    in.text = s->text;
    in.length = s->len;
    in.sections = s->secs;
    in.section_starts = s->starts;
    in.n_sections = s->nsec;
    const rachis_record *r;
    if (s->error_code) rachis_scan_error(sc, &in, s->error_code, s->error_message, s->error_offset, &r);
    else rachis_scan(sc, &in, &r);
    s->error = r->status != RACHIS_OK;
    s->urgent = r->urgent;
    memset(s->findings, 0, sizeof s->findings);
    for (size_t i = 0; i < r->n_findings; i++) s->findings[r->findings[i].concept]++;
    s->json.len = 0;
    rachis_record_to_json(r, x->json_flags, &s->json);
    if (x->csv) {
        s->csv.len = 0;
        csv_record(&s->csv, r);
    }
    if (x->fhir) {
        s->fhir.len = 0;
        fhir_bundle(&s->fhir, r, x->e);
    }
    if (x->db) {
        pthread_mutex_lock(&x->db_mu);
        char *err = NULL;
        if (!x->db_failed) {
            rachis_buf full = {0};
            if (!(x->json_flags & RACHIS_JSON_WITH_TEXT)) rachis_record_to_json(r, RACHIS_JSON_WITH_TEXT, &full);
            const rachis_buf *j = full.data ? &full : &s->json;
            if (!store_put(x->db, r, s->hash, j->data, j->len ? j->len - 1 : 0, &err)) {
                x->db_failed = true;
                x->db_error = err;
            }
            rachis_buf_free(&full);
        }
        pthread_mutex_unlock(&x->db_mu);
    }
}

static void progress_line(extract *x, bool final)
{
    double t = elapsed(&x->start);
    double mb = (double)x->bytes / 1e6;
    fprintf(stderr, "\r\033[Krachis: %lu reports, %.0f reports/s, %.1f MB/s, %lu errors", x->reports,
            t > 0 ? (double)x->reports / t : 0, t > 0 ? mb / t : 0, x->errors);
    if (x->total_bytes && x->bytes && !final) {
        double eta = t * ((double)x->total_bytes / (double)x->bytes - 1);
        fprintf(stderr, ", ETA %.0f s", eta > 0 ? eta : 0);
    }
    if (final) fputc('\n', stderr);
}

/* Emits one finished slot, in input order. */
static void write_slot(extract *x, slot *s)
{
    if (s->skipped) {
        x->skipped++;
    } else {
        if (x->out && s->json.len && fwrite(s->json.data, 1, s->json.len, x->out) != s->json.len) x->write_failed = true;
        if (x->csv && s->csv.len && fwrite(s->csv.data, 1, s->csv.len, x->csv) != s->csv.len) x->write_failed = true;
        if (x->fhir && s->fhir.len && fwrite(s->fhir.data, 1, s->fhir.len, x->fhir) != s->fhir.len) x->write_failed = true;
        x->reports++;
        x->errors += s->error;
        x->urgent += s->urgent;
        for (int c = 0; c < RACHIS_CONCEPT_COUNT; c++) x->findings[c] += s->findings[c];
    }
    x->bytes += s->len;
    if (x->progress) {
        double t = elapsed(&x->last_progress);
        if (t > 0.5) {
            progress_line(x, false);
            clock_gettime(CLOCK_MONOTONIC, &x->last_progress);
        }
    }
}

static void *worker(void *arg)
{
    extract *x = arg;
    rachis_scanner *sc;
    rachis_scanner_create(x->e, &x->limits, &sc);
    pthread_mutex_lock(&x->mu);
    for (;;) {
        while (x->next_work == x->next_in && !x->input_done) pthread_cond_wait(&x->can_work, &x->mu);
        if (x->next_work == x->next_in && x->input_done) break;
        slot *s = &x->ring[x->next_work % x->nring];
        x->next_work++;
        s->state = SLOT_TAKEN;
        pthread_mutex_unlock(&x->mu);
        process(x, sc, s);
        pthread_mutex_lock(&x->mu);
        s->state = SLOT_DONE;
        pthread_cond_broadcast(&x->can_write);
    }
    pthread_mutex_unlock(&x->mu);
    rachis_scanner_free(sc);
    return NULL;
}

static void *writer(void *arg)
{
    extract *x = arg;
    pthread_mutex_lock(&x->mu);
    for (;;) {
        slot *s = &x->ring[x->next_out % x->nring];
        while (!(x->next_out < x->next_in && s->state == SLOT_DONE) && !(x->input_done && x->next_out == x->next_in))
            pthread_cond_wait(&x->can_write, &x->mu);
        if (x->input_done && x->next_out == x->next_in) break;
        pthread_mutex_unlock(&x->mu);
        write_slot(x, s);
        slot_clear(s);
        pthread_mutex_lock(&x->mu);
        s->state = SLOT_EMPTY;
        x->next_out++;
        /* filter mode: flush whenever the workers have nothing more ready */
        if (x->streaming && x->ring[x->next_out % x->nring].state != SLOT_DONE) fflush(x->out);
        pthread_cond_broadcast(&x->can_fill);
    }
    pthread_mutex_unlock(&x->mu);
    return NULL;
}

/* The readers' callback: copy the report into the next free slot. */
static int on_report(void *ctx, cli_report *r)
{
    extract *x = ctx;
    slot *s;
    if (x->inline_scanner) {
        s = &x->ring[0];
    } else {
        pthread_mutex_lock(&x->mu);
        s = &x->ring[x->next_in % x->nring];
        while (s->state != SLOT_EMPTY) pthread_cond_wait(&x->can_fill, &x->mu);
        pthread_mutex_unlock(&x->mu);
    }
    s->id = dup_or_null(r->in.id);
    s->path = dup_or_null(r->in.path);
    s->patient = dup_or_null(r->in.patient);
    s->date = dup_or_null(r->in.date);
    s->record = r->in.record;
    s->format = r->in.format;
    s->error_code = r->error_code;
    s->error_message = dup_or_null(r->error_message);
    s->error_offset = r->error_offset;
    s->len = r->in.length;
    s->text = malloc(s->len + 1);
    if (s->len) memcpy(s->text, r->in.text, s->len);
    s->text[s->len] = '\0';
    s->nsec = r->in.n_sections;
    if (s->nsec) {
        s->secs = malloc(s->nsec * sizeof *s->secs);
        s->starts = malloc(s->nsec * sizeof *s->starts);
        memcpy(s->secs, r->in.sections, s->nsec * sizeof *s->secs);
        memcpy(s->starts, r->in.section_starts, s->nsec * sizeof *s->starts);
    }
    rachis_input in = r->in;
    hash_report(&in, r->error_code, s->hash);
    s->skipped = x->db && !x->out && !x->fhir && store_has(x->db, s->id, s->hash);
    if (x->inline_scanner) {
        process(x, x->inline_scanner, s);
        write_slot(x, s);
        slot_clear(s);
        if (x->streaming && ++x->since_flush >= 64) {   /* filter mode: a batch at a time */
            fflush(x->out);
            x->since_flush = 0;
        }
    } else {
        pthread_mutex_lock(&x->mu);
        s->state = SLOT_READY;
        x->next_in++;
        pthread_cond_signal(&x->can_work);
        pthread_mutex_unlock(&x->mu);
    }
    return x->write_failed || x->db_failed ? -1 : 0;
}

/* --fhir FILE, or - for standard output when the JSON Lines are not there. */
static bool open_fhir(extract *x)
{
    if (strcmp(x->o->fhir, "-")) return (x->fhir = out_open(x->o->fhir, &x->fhir_tmp, "extract")) != NULL;
    if (x->out == stdout) {
        fprintf(stderr, "rachis extract: --fhir - needs the JSON Lines elsewhere (-o FILE, or --db without -o)\n");
        return false;
    }
    x->fhir = stdout;
    return true;
}

static unsigned long long input_size(const cli_opts *o)
{
    unsigned long long total = 0;
    for (int i = 0; i < o->n_args; i++) {
        struct stat st;
        if (stat(o->args[i], &st) != 0 || !S_ISREG(st.st_mode)) return 0;   /* directories: unknown */
        total += (unsigned long long)st.st_size;
    }
    return total;
}

int cmd_extract(cli_opts *o, const char *argv0)
{
    if (o->n_args == 0) {
        fprintf(stderr, "rachis extract: no input (give files, directories, or - for standard input)\n");
        return EXIT_USAGE;
    }
    rachis_engine *e = cli_load_engine(o, argv0);
    if (!e) return EXIT_USAGE;
    extract x;
    memset(&x, 0, sizeof x);
    x.o = o;
    x.e = e;
    x.json_flags = o->with_text ? RACHIS_JSON_WITH_TEXT : 0;
    x.limits.match_limit = (uint32_t)o->match_limit;
    x.limits.depth_limit = (uint32_t)o->depth_limit;
    x.limits.max_report_bytes = o->max_report_bytes;
    int jobs = o->jobs ? o->jobs : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (jobs < 1) jobs = 1;
    pthread_mutex_init(&x.mu, NULL);
    pthread_mutex_init(&x.db_mu, NULL);
    pthread_cond_init(&x.can_fill, NULL);
    pthread_cond_init(&x.can_work, NULL);
    pthread_cond_init(&x.can_write, NULL);
    int status = EXIT_ALL_OK;
    bool opened = true;
    if (o->db) {
        char *err = NULL;
        x.db = store_open(o->db, &err);
        if (!x.db) {
            fprintf(stderr, "rachis extract: %s\n", err ? err : o->db);
            free(err);
            opened = false;
        }
    }
    /* JSON Lines go to -o, or to standard output unless the store is the output */
    if (opened && o->output && strcmp(o->output, "-")) opened = (x.out = out_open(o->output, &x.out_tmp, "extract")) != NULL;
    else if (opened && !o->db) x.out = stdout;
    else if (opened && o->output) x.out = stdout;
    if (opened && o->csv) {
        opened = (x.csv = out_open(o->csv, &x.csv_tmp, "extract")) != NULL;
        if (opened) {
            rachis_buf h = {0};
            csv_header(&h);
            if (fwrite(h.data, 1, h.len, x.csv) != h.len) x.write_failed = true;
            rachis_buf_free(&h);
        }
    }
    if (opened && o->fhir) opened = open_fhir(&x);
    if (!opened) {
        if (x.out && x.out != stdout) out_finish(x.out, x.out_tmp, o->output, false);
        if (x.csv) out_finish(x.csv, x.csv_tmp, o->csv, false);
        store_close(x.db);
        rachis_engine_free(e);
        return EXIT_USAGE;
    }
    x.progress = !o->quiet && isatty(2);
    for (int i = 0; i < o->n_args; i++)
        if (!strcmp(o->args[i], "-") && x.out == stdout) x.streaming = true;
    x.total_bytes = input_size(o);
    clock_gettime(CLOCK_MONOTONIC, &x.start);
    x.last_progress = x.start;
    pthread_t *threads = NULL, wthread;
    if (jobs == 1) {
        x.nring = 1;
        x.ring = calloc(1, sizeof *x.ring);
        rachis_scanner_create(e, &x.limits, &x.inline_scanner);
    } else {
        x.nring = (size_t)jobs * 8;
        x.ring = calloc(x.nring, sizeof *x.ring);
        threads = calloc((size_t)jobs, sizeof *threads);
        for (int i = 0; i < jobs; i++) pthread_create(&threads[i], NULL, worker, &x);
        pthread_create(&wthread, NULL, writer, &x);
    }
    int rc = cli_walk_inputs(o->args, o->n_args, o, e, on_report, &x);
    if (jobs > 1) {
        pthread_mutex_lock(&x.mu);
        x.input_done = true;
        pthread_cond_broadcast(&x.can_work);
        pthread_cond_broadcast(&x.can_write);
        pthread_mutex_unlock(&x.mu);
        for (int i = 0; i < jobs; i++) pthread_join(threads[i], NULL);
        pthread_join(wthread, NULL);
        free(threads);
    }
    if (x.db) {
        char *err = NULL;
        if (!x.db_failed && !store_commit(x.db, &err)) {
            x.db_failed = true;
            x.db_error = err;
        }
        store_close(x.db);
    }
    if ((x.out == stdout || x.fhir == stdout) && fflush(stdout) != 0) x.write_failed = true;
    bool complete = rc == 0 && !x.write_failed && !x.db_failed;
    if (x.out && x.out != stdout && !out_finish(x.out, x.out_tmp, o->output, complete)) x.write_failed = true;
    if (x.csv && !out_finish(x.csv, x.csv_tmp, o->csv, complete)) x.write_failed = true;
    if (x.fhir && x.fhir != stdout && !out_finish(x.fhir, x.fhir_tmp, o->fhir, complete)) x.write_failed = true;
    if (x.db_failed) fprintf(stderr, "rachis extract: %s\n", x.db_error ? x.db_error : "the store failed");
    if (x.write_failed) fprintf(stderr, "rachis extract: writing the output failed\n");
    if (x.progress) progress_line(&x, true);
    if (!o->quiet)
        fprintf(stderr,
                "rachis: %lu reports (%lu errors, %lu already stored), %lu urgent; findings: %lu compression_fracture, "
                "%lu cord_compression, %lu soft_tissue_extension, %lu metastasis; %.1f s\n",
                x.reports, x.errors, x.skipped, x.urgent, x.findings[0], x.findings[1], x.findings[2], x.findings[3],
                elapsed(&x.start));
    for (size_t i = 0; i < x.nring; i++) {
        slot_clear(&x.ring[i]);
        rachis_buf_free(&x.ring[i].json);
        rachis_buf_free(&x.ring[i].csv);
        rachis_buf_free(&x.ring[i].fhir);
    }
    free(x.ring);
    free(x.db_error);
    rachis_scanner_free(x.inline_scanner);
    rachis_engine_free(e);
    if (x.write_failed || x.db_failed) status = EXIT_USAGE;
    else if (x.errors) status = EXIT_SOME_ERRORS;
    return status;
}
