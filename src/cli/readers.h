/* readers.h — the record readers behind cli_walk_inputs: each turns one
 * opened input into reports and calls the walker's function for each. */
#ifndef RACHIS_READERS_H
#define RACHIS_READERS_H

#include "byteio.h"
#include "cli.h"

typedef struct walker {
    const cli_opts *o;
    cli_report_fn fn;
    void *ctx;
    const rachis_engine *engine;   /* for section names and codes (may be NULL) */
    size_t max_bytes;
} walker;

/* Calls the walker for one report; frees nothing it is given. */
int emit_report(walker *w, cli_report *r);
/* An error record for record RECORD of PATH. */
int emit_error(walker *w, const char *path, const char *id, long record, rachis_format fmt, const char *code,
               long long offset, const char *fmt_msg, ...) __attribute__((format(printf, 8, 9)));

int read_text(walker *w, byte_reader *br, const char *path, const char *id);
int read_jsonl(walker *w, byte_reader *br, const char *path, const char *id);
int read_csv(walker *w, byte_reader *br, const char *path, const char *id);
int read_hl7(walker *w, byte_reader *br, const char *path, const char *id);
int read_cda(walker *w, byte_reader *br, const char *path, const char *id);

/* Section of a title or code per the engine's patterns, or -1. */
int section_of_title(walker *w, const char *title, size_t n);
int section_of_code(walker *w, const char *code);

#endif
