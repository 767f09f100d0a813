/* fuzz_reader.h — the body of the reader targets (fuzz_cda, fuzz_hl7,
 * fuzz_csv, fuzz_jsonl): the input is written to a temp file, which the
 * readers take by path through byte_reader (zlib), and cli_walk_inputs runs
 * it with an explicit --format.  Each report is scanned and rendered as JSON
 * and CSV, as `rachis extract --csv` would.  Every input is read twice: with
 * the default --max-report-bytes and with a small one (derived from the
 * input size) so the too_large paths run as well.
 *
 * Define FUZZ_FORMAT ("cda", "hl7v2", "csv", "jsonl") and FUZZ_EXT before
 * including this header, and FUZZ_EXPECT_RECORD for the readers that turn
 * every file into at least one record (a JSON Lines file of blank lines has
 * none). */
#ifndef RACHIS_FUZZ_READER_H
#define RACHIS_FUZZ_READER_H

#define FUZZ_WITH_JSONV 1
#include "fuzz_common.h"

#include "cli.h"
#include "csvout.h"

static rachis_scanner *fz_scanner;
static char fz_path[PATH_MAX];

typedef struct fz_ctx { unsigned long reports; } fz_ctx;

static int fz_on_report(void *vctx, cli_report *rep)
{
    fz_ctx *ctx = vctx;
    ctx->reports++;
    const rachis_record *r = NULL;
    if (rep->error_code) {
        rachis_scan_error(fz_scanner, &rep->in, rep->error_code, rep->error_message, rep->error_offset, &r);
    } else {
        /* the section map a structured reader hands over must be sane */
        for (size_t i = 0; i < rep->in.n_sections; i++) {
            if ((unsigned)rep->in.sections[i] >= RACHIS_SECTION_COUNT)
                FUZZ_DIE("reader section %zu is %d", i, (int)rep->in.sections[i]);
            if (rep->in.section_starts[i] > rep->in.length)
                FUZZ_DIE("reader section %zu starts at %zu past the text of %zu bytes", i,
                         rep->in.section_starts[i], rep->in.length);
        }
        rachis_scan(fz_scanner, &rep->in, &r);
    }
    fuzz_check_record(r);
    fuzz_render_json(r);
    rachis_buf csv = {0};
    csv_header(&csv);
    csv_record(&csv, r);
    rachis_buf_free(&csv);
    return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    rachis_engine *e = fuzz_engine();
    if (rachis_scanner_create(e, NULL, &fz_scanner) != RACHIS_OK) {
        fprintf(stderr, "fuzz: cannot create a scanner\n");
        exit(2);
    }
    snprintf(fz_path, sizeof fz_path, "%s/input%s", fuzz_tmpdir(), FUZZ_EXT);
    return 0;
}

static void fz_run(unsigned long max_report)
{
    cli_opts o;
    memset(&o, 0, sizeof o);
    o.cmd = CMD_EXTRACT;
    o.format = FUZZ_FORMAT;
    o.max_report_bytes = max_report;
    o.jobs = 1;
    char *args[1] = {fz_path};
    fz_ctx ctx = {0};
    int rc = cli_walk_inputs(args, 1, &o, fuzz_engine(), fz_on_report, &ctx);
    if (rc) FUZZ_DIE("cli_walk_inputs returned %d", rc);
#ifdef FUZZ_EXPECT_RECORD   /* CDA, HL7, CSV: every file yields a record or an error record */
    if (!ctx.reports) FUZZ_DIE("the reader produced no record at all (a file must yield one)");
#endif
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_write_file(fz_path, data, size);
    fz_run(0);                        /* default limit (8 MiB) */
    fz_run(size / 3 + 1);             /* a limit the input may exceed */
    return 0;
}

#endif
