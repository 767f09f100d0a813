/* options.c — one option table drives both parsing and --help (as
 * pcre2grep's optionlist does). */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define C(x) (1u << (x))
#define ALL (C(CMD_EXTRACT) | C(CMD_CHECK) | C(CMD_ASSERT) | C(CMD_EVAL) | C(CMD_FLAG) | C(CMD_REVIEW))
#define READS (C(CMD_EXTRACT) | C(CMD_EVAL) | C(CMD_FLAG) | C(CMD_REVIEW))

typedef enum {
    O_PATTERNS, O_OUTPUT, O_WITH_TEXT, O_STRICT, O_QUIET, O_JOBS, O_FORMAT, O_MAX_REPORT, O_MATCH_LIMIT,
    O_DEPTH_LIMIT, O_GOLD, O_RESULTS, O_JSON, O_ERRORS, O_MIN_F1, O_SECTION, O_HELP, O_VERSION,
    O_ID_COL, O_TEXT_COL, O_PATIENT_COL, O_DATE_COL, O_DB, O_CSV, O_DUMP, O_MIN,
    O_FHIR
} opt_id;

typedef struct opt_def {
    opt_id id;
    const char *name;
    char short_name;
    const char *arg;     /* NULL: a switch */
    unsigned commands;
    const char *help;
} opt_def;

static const opt_def options[] = {
    {O_PATTERNS, "patterns", 'p', "DIR", ALL, "pattern directory (default: $RACHIS_PATTERNS, beside the binary, or the install prefix)"},
    {O_OUTPUT, "output", 'o', "FILE", C(CMD_EXTRACT) | C(CMD_ASSERT) | C(CMD_EVAL) | C(CMD_REVIEW) | C(CMD_TIMELINE), "write to FILE (written whole or not at all) instead of standard output"},
    {O_WITH_TEXT, "with-text", 0, NULL, C(CMD_EXTRACT), "include the analysed text in each record (\"text\")"},
    {O_DB, "db", 0, "FILE", C(CMD_EXTRACT) | C(CMD_REVIEW) | C(CMD_TIMELINE), "store reports, findings and levels in this SQLite file; a rerun skips what is stored (JSONL then only with -o); review, timeline: read it"},
    {O_CSV, "csv", 0, "FILE", C(CMD_EXTRACT), "also write one CSV row per finding to FILE"},
    {O_FHIR, "fhir", 0, "FILE", C(CMD_EXTRACT), "also write one FHIR R4 Bundle per report to FILE as NDJSON (docs/fhir.md; - for standard output when the JSON Lines go elsewhere)"},
    {O_FORMAT, "format", 'f', "FMT", READS, "input format: text, cda, hl7v2, csv, jsonl (default: by extension, then content; .gz read for all)"},
    {O_ID_COL, "id-col", 0, "NAME", READS, "CSV/JSONL field of the report id (default: id, accession, report_id)"},
    {O_TEXT_COL, "text-col", 0, "NAME", READS, "CSV/JSONL field of the report text (default: text, report, report_text, findings)"},
    {O_PATIENT_COL, "patient-col", 0, "NAME", READS, "CSV/JSONL field of the patient id (default: patient, patient_id, mrn)"},
    {O_DATE_COL, "date-col", 0, "NAME", READS, "CSV/JSONL field of the study date (default: date, study_date, exam_date)"},
    {O_JOBS, "jobs", 'j', "N", C(CMD_EXTRACT) | C(CMD_EVAL), "worker threads (default: the number of cores)"},
    {O_MAX_REPORT, "max-report-bytes", 0, "N", READS, "larger reports become error records (default 8388608)"},
    {O_MATCH_LIMIT, "match-limit", 0, "N", READS | C(CMD_ASSERT), "PCRE2 match limit per regex call (default 2000000)"},
    {O_DEPTH_LIMIT, "depth-limit", 0, "N", READS | C(CMD_ASSERT), "PCRE2 depth limit (default 20000)"},
    {O_STRICT, "strict", 0, NULL, ALL, "treat pattern warnings as errors"},
    {O_DUMP, "dump", 0, NULL, C(CMD_CHECK), "print every rule: kind, id and pattern after {NAME} expansion"},
    {O_QUIET, "quiet", 'q', NULL, ALL | C(CMD_TIMELINE), "no progress or summary on standard error"},
    {O_GOLD, "gold", 'g', "FILE", C(CMD_EVAL), "gold standard (JSON Lines: id, findings)"},
    {O_RESULTS, "results", 'r', "FILE", C(CMD_EVAL) | C(CMD_REVIEW), "score this rachis output instead of running rachis on INPUTS"},
    {O_JSON, "json", 0, NULL, C(CMD_EVAL) | C(CMD_FLAG) | C(CMD_TIMELINE), "write JSON (eval: the scores; flag: one object per flagged report; timeline: JSON Lines, one object a row)"},
    {O_MIN, "min", 0, "LEVEL", C(CMD_FLAG), "flag only reports at least this urgent: urgent (cord, conus, cauda equina), high (also pathologic fracture, epidural extension, thecal sac), any (default)"},
    {O_ERRORS, "errors", 'e', NULL, C(CMD_EVAL), "list false positives and negatives with their evidence"},
    {O_MIN_F1, "min-f1", 0, "F", C(CMD_EVAL), "exit 1 when the micro F1 of present tuples is below F"},
    {O_SECTION, "section", 's', "NAME", C(CMD_ASSERT), "section the sentences come from (default findings)"},
    {O_HELP, "help", 'h', NULL, ALL | C(CMD_HELP) | C(CMD_TIMELINE), "show this help"},
    {O_VERSION, "version", 'V', NULL, 0, "show the version"},
};
#define N_OPTIONS (sizeof options / sizeof *options)

static const struct {
    const char *name, *args, *summary, *notes;   /* notes: printed after the options, or NULL */
} commands[CMD_COUNT] = {
    [CMD_EXTRACT] = {"extract", "[OPTIONS] INPUT...", "write one rachis/1 JSON record per report of INPUT (files, directories, - for stdin)"},
    [CMD_CHECK] = {"check-patterns", "[OPTIONS] [DIR]", "validate a pattern directory; every error as file:line:col"},
    [CMD_ASSERT] = {"assert", "[OPTIONS] [FILE]", "read target<TAB>sentence lines, write assertion<TAB>historical<TAB>trigger"},
    [CMD_EVAL] = {"eval", "[OPTIONS] --gold FILE [INPUT...]", "score rachis against a gold standard (precision, recall, F1)"},
    [CMD_FLAG] = {"flag", "[OPTIONS] INPUT...", "list reports needing attention, most urgent first (exit 3 when any)"},
    [CMD_REVIEW] = {"review", "-o PAGE.html [OPTIONS] [INPUT... | --results OUT.jsonl | --db STORE]", "one self-contained HTML review page: highlighted evidence, spine diagram, per-level table"},
    [CMD_TIMELINE] = {"timeline", "--db STORE [--json] [-o OUT]", "per patient, and per patient, level and concept: first and last dates seen (CSV; docs/timeline.md)",
                     "rows: kind \"patient\" (reports, first/last report, first metastasis, pathologic fracture, cord\n"
                     "compression, primary, primary_sites), then kind \"level\" per level (cranial to caudal, no level\n"
                     "last) and concept (first_seen, last_seen, reports_present, detail).  Counted: assertion present and\n"
                     "not historical; pathologic fracture: etiology pathologic; cord compression: cord, conus or cauda\n"
                     "equina, not the thecal sac alone.  primary: the primary tumour site most reports name (ties: the one\n"
                     "named last); primary_sites: every site named, first seen first, ';'-separated (a conflict to check).\n"
                     "Error records and reports without a patient id or date are not used (counted on stderr, exit 1).\n"},
    [CMD_HELP] = {"help", "[COMMAND]", "show help for a command"},
};

const char *cli_command_name(cli_command c) { return c < CMD_COUNT ? commands[c].name : "?"; }

int cli_command_from_name(const char *name)
{
    for (int i = 0; i < CMD_COUNT; i++)
        if (!strcmp(commands[i].name, name)) return i;
    return -1;
}

static void print_option(FILE *out, const opt_def *d)
{
    char left[64];
    if (d->short_name)
        snprintf(left, sizeof left, "-%c, --%s%s%s", d->short_name, d->name, d->arg ? " " : "", d->arg ? d->arg : "");
    else
        snprintf(left, sizeof left, "    --%s%s%s", d->name, d->arg ? " " : "", d->arg ? d->arg : "");
    fprintf(out, "  %-28s %s\n", left, d->help);
}

void cli_help(FILE *out, int cmd)
{
    if (cmd < 0) {
        fprintf(out, "rachis " RACHIS_VERSION " - structured findings about spinal metastases from spine imaging reports\n\n"
                     "usage: rachis COMMAND [OPTIONS] [ARGS]\n\ncommands:\n");
        for (int i = 0; i < CMD_COUNT; i++) fprintf(out, "  %-16s %s\n", commands[i].name, commands[i].summary);
        fprintf(out, "\n'rachis help COMMAND' lists a command's options.\n"
                     "exit status: 0 all records ok, 1 some records are errors (or below --min-f1),\n"
                     "             2 usage or pattern errors, 3 (flag) some report was flagged\n");
        return;
    }
    fprintf(out, "usage: rachis %s %s\n  %s\n\noptions:\n", commands[cmd].name, commands[cmd].args, commands[cmd].summary);
    for (size_t i = 0; i < N_OPTIONS; i++)
        if (options[i].commands & C(cmd)) print_option(out, &options[i]);
    if (commands[cmd].notes) fprintf(out, "\n%s", commands[cmd].notes);
}

static int bad(const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "rachis: ");
    fprintf(stderr, fmt, a, b);
    fprintf(stderr, " (see 'rachis --help')\n");
    return EXIT_USAGE;
}

static bool parse_ulong(const char *s, unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end || end == s || s[0] == '-') return false;
    *out = v;
    return true;
}

static int apply(cli_opts *o, const opt_def *d, const char *val)
{
    unsigned long u;
    switch (d->id) {
    case O_PATTERNS: o->patterns = val; break;
    case O_OUTPUT: o->output = val; break;
    case O_WITH_TEXT: o->with_text = true; break;
    case O_STRICT: o->strict = true; break;
    case O_QUIET: o->quiet = true; break;
    case O_FORMAT:
        if (!cli_format_valid(val)) return bad("unknown --format '%s' (text, cda, hl7v2, csv, jsonl)%s", val, "");
        o->format = val;
        break;
    case O_GOLD: o->gold = val; break;
    case O_RESULTS: o->results = val; break;
    case O_JSON: o->json = true; break;
    case O_ERRORS: o->errors = true; break;
    case O_SECTION: o->section = val; break;
    case O_ID_COL: o->id_col = val; break;
    case O_DB: o->db = val; break;
    case O_DUMP: o->dump = true; break;
    case O_MIN: o->min = val; break;
    case O_CSV: o->csv = val; break;
    case O_FHIR: o->fhir = val; break;
    case O_TEXT_COL: o->text_col = val; break;
    case O_PATIENT_COL: o->patient_col = val; break;
    case O_DATE_COL: o->date_col = val; break;
    case O_JOBS:
        if (!parse_ulong(val, &u) || u < 1 || u > 256) return bad("--jobs takes a number from 1 to 256, not '%s'%s", val, "");
        o->jobs = (int)u;
        break;
    case O_MAX_REPORT:
    case O_MATCH_LIMIT:
    case O_DEPTH_LIMIT:
        if (!parse_ulong(val, &u) || u == 0) return bad("--%s takes a positive number, not '%s'", d->name, val);
        if (d->id == O_MAX_REPORT) o->max_report_bytes = u;
        else if (d->id == O_MATCH_LIMIT) o->match_limit = u;
        else o->depth_limit = u;
        break;
    case O_MIN_F1: {
        char *end;
        o->min_f1 = strtod(val, &end);
        if (*end || end == val || o->min_f1 < 0 || o->min_f1 > 1) return bad("--min-f1 takes a number from 0 to 1, not '%s'%s", val, "");
        break;
    }
    case O_HELP: cli_help(stdout, o->cmd == CMD_HELP ? -1 : (int)o->cmd); exit(EXIT_ALL_OK);
    case O_VERSION: printf("rachis " RACHIS_VERSION "\n"); exit(EXIT_ALL_OK);
    }
    return EXIT_ALL_OK;
}

int cli_parse(int argc, char **argv, cli_opts *o)
{
    memset(o, 0, sizeof *o);
    o->min_f1 = -1;
    o->args = calloc((size_t)argc + 1, sizeof(char *));
    if (argc < 2) {
        cli_help(stderr, -1);
        return EXIT_USAGE;
    }
    int i = 1;
    const char *first = argv[1];
    if (!strcmp(first, "--help") || !strcmp(first, "-h")) { cli_help(stdout, -1); exit(EXIT_ALL_OK); }
    if (!strcmp(first, "--version") || !strcmp(first, "-V")) { printf("rachis " RACHIS_VERSION "\n"); exit(EXIT_ALL_OK); }
    int c = cli_command_from_name(first);
    if (c < 0) return bad("unknown command '%s'%s", first, "");
    o->cmd = (cli_command)c;
    bool only_args = false;
    for (i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (only_args || a[0] != '-' || !strcmp(a, "-")) {
            o->args[o->n_args++] = argv[i];
            continue;
        }
        if (!strcmp(a, "--")) { only_args = true; continue; }
        const opt_def *d = NULL;
        const char *val = NULL;
        if (a[1] == '-') {
            const char *name = a + 2, *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            for (size_t k = 0; k < N_OPTIONS; k++)
                if (strlen(options[k].name) == len && !strncmp(options[k].name, name, len)) d = &options[k];
            if (d && eq) val = eq + 1;
        } else {
            for (size_t k = 0; k < N_OPTIONS; k++)
                if (options[k].short_name == a[1]) d = &options[k];
            if (d && a[2]) val = a + 2;
        }
        if (!d || !(d->commands & C(o->cmd))) return bad("unknown option '%s' for %s", a, commands[o->cmd].name);
        if (d->arg && !val) {
            if (i + 1 >= argc) return bad("option '%s' needs %s", a, d->arg);
            val = argv[++i];
        } else if (!d->arg && val) {
            return bad("option '%s' takes no value%s", a, "");
        }
        int rc = apply(o, d, val);
        if (rc != EXIT_ALL_OK) return rc;
    }
    return EXIT_ALL_OK;
}
