/* cmd_extract.c — rachis extract: every report of the inputs to one rachis/1
 * JSON line, written whole or not at all when the output is a file. */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct extract_ctx {
    rachis_scanner *scanner;
    rachis_buf out;
    FILE *fp;
    unsigned json_flags;
    unsigned long reports, errors, findings[RACHIS_CONCEPT_COUNT];
    bool write_failed;
} extract_ctx;

static void flush_out(extract_ctx *x)
{
    if (x->out.len && fwrite(x->out.data, 1, x->out.len, x->fp) != x->out.len) x->write_failed = true;
    x->out.len = 0;
}

static int on_report(void *ctx, cli_report *r)
{
    extract_ctx *x = ctx;
    const rachis_record *rec;
    if (r->error_code)
        rachis_scan_error(x->scanner, &r->in, r->error_code, r->error_message, r->error_offset, &rec);
    else
        rachis_scan(x->scanner, &r->in, &rec);
    x->reports++;
    if (rec->status != RACHIS_OK) x->errors++;
    for (size_t i = 0; i < rec->n_findings; i++) x->findings[rec->findings[i].concept]++;
    rachis_record_to_json(rec, x->json_flags, &x->out);
    if (x->out.len > (1u << 20)) flush_out(x);
    return x->write_failed ? -1 : 0;
}

int cmd_extract(cli_opts *o, const char *argv0)
{
    if (o->n_args == 0) {
        fprintf(stderr, "rachis extract: no input (give files, directories, or - for standard input)\n");
        return EXIT_USAGE;
    }
    if (o->format && !cli_format_valid(o->format)) {
        fprintf(stderr, "rachis extract: unknown format '%s'\n", o->format);
        return EXIT_USAGE;
    }
    rachis_engine *e = cli_load_engine(o, argv0);
    if (!e) return EXIT_USAGE;
    extract_ctx x;
    memset(&x, 0, sizeof x);
    x.json_flags = o->with_text ? RACHIS_JSON_WITH_TEXT : 0;
    rachis_limits lim = {(uint32_t)o->match_limit, (uint32_t)o->depth_limit, 0, o->max_report_bytes};
    rachis_scanner_create(e, &lim, &x.scanner);
    char *tmp = NULL;
    x.fp = stdout;
    if (o->output && strcmp(o->output, "-")) {
        tmp = malloc(strlen(o->output) + 32);
        sprintf(tmp, "%s.tmp.%ld", o->output, (long)getpid());
        x.fp = fopen(tmp, "wb");
        if (!x.fp) {
            fprintf(stderr, "rachis extract: cannot write %s: %s\n", tmp, strerror(errno));
            free(tmp);
            rachis_scanner_free(x.scanner);
            rachis_engine_free(e);
            return EXIT_USAGE;
        }
    }
    int rc = cli_walk_inputs(o->args, o->n_args, o, e, on_report, &x);
    flush_out(&x);
    if (fflush(x.fp) != 0) x.write_failed = true;
    if (tmp) {
        if (fclose(x.fp) != 0) x.write_failed = true;
        if (!x.write_failed && rc == 0 && rename(tmp, o->output) != 0) x.write_failed = true;
        if (x.write_failed || rc) unlink(tmp);
        free(tmp);
    }
    if (x.write_failed) fprintf(stderr, "rachis extract: writing the output failed: %s\n", strerror(errno));
    if (!o->quiet)
        fprintf(stderr, "rachis: %lu reports, %lu errors; findings: %lu compression_fracture, %lu cord_compression, "
                        "%lu soft_tissue_extension, %lu metastasis\n",
                x.reports, x.errors, x.findings[0], x.findings[1], x.findings[2], x.findings[3]);
    rachis_buf_free(&x.out);
    rachis_scanner_free(x.scanner);
    rachis_engine_free(e);
    if (x.write_failed) return EXIT_USAGE;
    return x.errors ? EXIT_SOME_ERRORS : EXIT_ALL_OK;
}
