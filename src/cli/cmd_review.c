/* cmd_review.c — rachis review: one self-contained HTML page from reports
 * (analysed on the fly), from saved rachis output (--results) or from a
 * SQLite store (--db).  The page itself is built by review_html.c. */
#define _GNU_SOURCE
#include "cli.h"
#include "outfile.h"
#include "review_html.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct review_ctx {
    rachis_scanner *scanner;
    FILE *out;
    rachis_buf buf;
    bool failed;
} review_ctx;

static int on_report(void *ctx, cli_report *r)
{
    review_ctx *x = ctx;
    const rachis_record *rec;
    if (r->error_code) rachis_scan_error(x->scanner, &r->in, r->error_code, r->error_message, r->error_offset, &rec);
    else rachis_scan(x->scanner, &r->in, &rec);
    x->buf.len = 0;
    rachis_record_to_json(rec, RACHIS_JSON_WITH_TEXT, &x->buf);
    if (fwrite(x->buf.data, 1, x->buf.len, x->out) != x->buf.len) x->failed = true;
    return x->failed ? -1 : 0;
}

/* The records of a store, as JSON Lines, into F. */
static bool dump_store(const char *path, FILE *f)
{
    sqlite3 *db;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "rachis review: cannot open %s: %s\n", path, sqlite3_errmsg(db));
        sqlite3_close(db);
        return false;
    }
    sqlite3_stmt *st;
    bool ok = sqlite3_prepare_v2(db, "SELECT record_json FROM reports ORDER BY rowid", -1, &st, NULL) == SQLITE_OK;
    while (ok && sqlite3_step(st) == SQLITE_ROW) {
        const void *j = sqlite3_column_blob(st, 0);
        int n = sqlite3_column_bytes(st, 0);
        if (fwrite(j, 1, (size_t)n, f) != (size_t)n || fputc('\n', f) == EOF) ok = false;
    }
    if (!ok) fprintf(stderr, "rachis review: reading %s: %s\n", path, sqlite3_errmsg(db));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return ok;
}

int cmd_review(cli_opts *o, const char *argv0)
{
    if (!o->output || !strcmp(o->output, "-")) {
        if (!o->output) {
            fprintf(stderr, "rachis review: give the page's file with -o review.html\n");
            return EXIT_USAGE;
        }
    }
    if (!o->results && !o->db && o->n_args == 0) {
        fprintf(stderr, "rachis review: give INPUTS, --results OUT.jsonl or --db STORE\n");
        return EXIT_USAGE;
    }
    char records[] = "/tmp/rachis-review-XXXXXX";
    const char *jsonl = o->results;
    int status = EXIT_ALL_OK;
    if (!jsonl) {
        int fd = mkstemp(records);
        FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
        if (!f) {
            fprintf(stderr, "rachis review: cannot create a temporary file: %s\n", strerror(errno));
            return EXIT_USAGE;
        }
        bool ok = true;
        if (o->db) {
            ok = dump_store(o->db, f);
        } else {
            rachis_engine *e = cli_load_engine(o, argv0);
            if (!e) ok = false;
            else {
                review_ctx x = {0};
                x.out = f;
                rachis_limits lim = {(uint32_t)o->match_limit, (uint32_t)o->depth_limit, 0, o->max_report_bytes};
                rachis_scanner_create(e, &lim, &x.scanner);
                cli_walk_inputs(o->args, o->n_args, o, e, on_report, &x);
                ok = !x.failed;
                rachis_buf_free(&x.buf);
                rachis_scanner_free(x.scanner);
                rachis_engine_free(e);
            }
        }
        if (fclose(f) != 0) ok = false;
        if (!ok) {
            unlink(records);
            return EXIT_USAGE;
        }
        jsonl = records;
    }
    char *tmp = NULL;
    FILE *out = NULL;
    if (strcmp(o->output, "-")) {
        out = out_open(o->output, &tmp, "review");
    } else {
        out = stdout;
    }
    if (!out || review_write_html(jsonl, out) != 0) status = EXIT_USAGE;
    if (out && out != stdout && !out_finish(out, tmp, o->output, status == EXIT_ALL_OK)) status = EXIT_USAGE;
    if (!o->results) unlink(records);
    if (status == EXIT_ALL_OK && !o->quiet) fprintf(stderr, "rachis review: wrote %s\n", o->output);
    return status;
}
