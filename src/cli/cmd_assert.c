/* cmd_assert.c — rachis assert: lines "target<TAB>sentence" in, lines
 * "assertion<TAB>historical<TAB>trigger-rule" out, so the assertion engine
 * can be checked against any external assertion set. */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int cmd_assert(cli_opts *o, const char *argv0)
{
    if (o->n_args > 1) {
        fprintf(stderr, "rachis assert: give at most one input file\n");
        return EXIT_USAGE;
    }
    int section = o->section ? rachis_section_from_name(o->section) : RACHIS_SEC_FINDINGS;
    if (section < 0) {
        fprintf(stderr, "rachis assert: unknown section '%s'\n", o->section);
        return EXIT_USAGE;
    }
    FILE *in = stdin;
    const char *name = "stdin";
    if (o->n_args == 1 && strcmp(o->args[0], "-")) {
        name = o->args[0];
        in = fopen(name, "rb");
        if (!in) {
            fprintf(stderr, "rachis assert: cannot read %s: %s\n", name, strerror(errno));
            return EXIT_USAGE;
        }
    }
    FILE *out = stdout;
    if (o->output && strcmp(o->output, "-")) {
        out = fopen(o->output, "wb");
        if (!out) {
            fprintf(stderr, "rachis assert: cannot write %s: %s\n", o->output, strerror(errno));
            if (in != stdin) fclose(in);
            return EXIT_USAGE;
        }
    }
    rachis_engine *e = cli_load_engine(o, argv0);
    if (!e) {
        if (in != stdin) fclose(in);
        if (out != stdout) fclose(out);
        return EXIT_USAGE;
    }
    rachis_limits lim = {(uint32_t)o->match_limit, (uint32_t)o->depth_limit, 0, 0};
    rachis_scanner *s;
    rachis_scanner_create(e, &lim, &s);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long lineno = 0, bad = 0;
    while ((n = getline(&line, &cap, in)) >= 0) {
        lineno++;
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
        char *tab = memchr(line, '\t', (size_t)n);
        rachis_assert_result res;
        const char *why = NULL;
        if (!tab) why = "expected target<TAB>sentence";
        else {
            *tab = '\0';
            const char *sent = tab + 1;
            rachis_status st = rachis_assert_target(s, (rachis_section)section, line, sent, strlen(sent), &res);
            if (st == RACHIS_ERR_INPUT) why = "the target is not in the sentence";
            else if (st != RACHIS_OK) why = "a pattern hit its match limit";
        }
        if (why) {
            fprintf(out, "error\t%s:%ld: %s\n", name, lineno, why);
            bad++;
            continue;
        }
        /* three fputs, not one fprintf: formatting cost as much as a tenth of the assertion */
        fputs(rachis_assertion_name(res.assertion), out);
        fputs(res.historical ? "\ttrue\t" : "\tfalse\t", out);
        fputs(res.trigger_rule ? res.trigger_rule : "-", out);
        putc('\n', out);
    }
    free(line);
    if (in != stdin) fclose(in);
    int wfail = out != stdout ? fclose(out) : fflush(out);
    rachis_scanner_free(s);
    rachis_engine_free(e);
    if (wfail) return EXIT_USAGE;
    return bad ? EXIT_SOME_ERRORS : EXIT_ALL_OK;
}
