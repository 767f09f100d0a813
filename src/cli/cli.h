/* cli.h — the rachis command line: options, commands and the report readers
 * they share.  main.c only calls rachis_cli_main(). */
#ifndef RACHIS_CLI_H
#define RACHIS_CLI_H

#include <stdbool.h>
#include <stdio.h>
#include "rachis.h"

/* Exit codes (README "Exit status"). */
enum { EXIT_ALL_OK = 0, EXIT_SOME_ERRORS = 1, EXIT_USAGE = 2, EXIT_FLAGGED = 3 };

typedef enum { CMD_EXTRACT, CMD_CHECK, CMD_ASSERT, CMD_EVAL, CMD_FLAG, CMD_REVIEW, CMD_TIMELINE, CMD_HELP, CMD_COUNT } cli_command;

typedef struct cli_opts {
    cli_command cmd;
    const char *patterns;
    const char *output;
    const char *gold;
    const char *results;
    const char *format;
    const char *section;
    const char *id_col, *text_col, *patient_col, *date_col;
    const char *db, *csv, *min;
    const char *fhir;   /* --fhir FILE: FHIR R4 Bundles as NDJSON */
    bool with_text, strict, quiet, json, errors, dump;
    int jobs;
    double min_f1;
    unsigned long max_report_bytes, match_limit, depth_limit;
    char **args;
    int n_args;
} cli_opts;

int rachis_cli_main(int argc, char **argv);

/* options.c */
int cli_parse(int argc, char **argv, cli_opts *o);   /* EXIT_ALL_OK or EXIT_USAGE */
void cli_help(FILE *out, int cmd);                    /* cmd < 0: overview */
const char *cli_command_name(cli_command c);
int cli_command_from_name(const char *name);

/* paths.c: the patterns directory: --patterns, $RACHIS_PATTERNS, next to
 * the binary, or the install prefix. */
const char *cli_patterns_dir(const cli_opts *o, const char *argv0);
/* Loads the engine, printing diagnostics; NULL on error. */
rachis_engine *cli_load_engine(const cli_opts *o, const char *argv0);

/* input.c: walks the inputs and reads each report. */
typedef struct cli_report {
    rachis_input in;
    char *owned_text;          /* freed by the walker */
    const char *error_code;    /* set when the report could not be read */
    char *error_message;
    long long error_offset;
} cli_report;

typedef int (*cli_report_fn)(void *ctx, cli_report *r);
/* Calls FN for every report of ARGS (files, directories recursed in sorted
 * order, "-" for standard input), whatever their format (text, CDA, HL7 v2,
 * CSV, JSON Lines, each possibly gzip-compressed); returns the first non-zero
 * FN result.  ENGINE (may be NULL) maps CDA and HL7 section titles and codes. */
int cli_walk_inputs(char **args, int n, const cli_opts *o, const rachis_engine *engine, cli_report_fn fn, void *ctx);

bool cli_format_valid(const char *name);   /* text, cda, hl7v2, csv, jsonl */

int cmd_extract(cli_opts *o, const char *argv0);
int cmd_check(cli_opts *o, const char *argv0);
int cmd_assert(cli_opts *o, const char *argv0);
int cmd_eval(cli_opts *o, const char *argv0);
int cmd_flag(cli_opts *o, const char *argv0);
int cmd_review(cli_opts *o, const char *argv0);
int cmd_timeline(cli_opts *o, const char *argv0);

#endif
