/* cmd_check.c — rachis check-patterns: validates a pattern directory and
 * reports every error as file:line:col with a caret. */
#include "cli.h"

int cmd_check(cli_opts *o, const char *argv0)
{
    if (o->n_args > 1) {
        fprintf(stderr, "rachis check-patterns: give at most one directory\n");
        return EXIT_USAGE;
    }
    if (o->n_args == 1) o->patterns = o->args[0];
    const char *dir = cli_patterns_dir(o, argv0);
    rachis_diags diags;
    rachis_diags_init(&diags);
    rachis_engine *e = NULL;
    rachis_status st = rachis_engine_load(dir, o->strict, &e, &diags);
    for (size_t i = 0; i < diags.count; i++) rachis_diag_print(&diags.items[i], stderr);
    if (st == RACHIS_OK && o->dump) {
        for (size_t i = 0; i < rachis_engine_rule_total(e); i++) {
            const char *kind, *id, *rx;
            rachis_engine_rule_info(e, i, &kind, &id, &rx);
            printf("%s\t%s\t%s\n", kind, id, rx);
        }
    } else if (st == RACHIS_OK) {
        if (!o->quiet)
            printf("%s: %zu rules, %zu warning(s), JIT %s\n", dir, rachis_engine_rule_count(e), diags.warnings,
                   rachis_engine_jit(e) ? "on" : "off");
    } else {
        fprintf(stderr, "%s: %zu error(s), %zu warning(s)\n", dir, diags.errors, diags.warnings);
    }
    rachis_diags_free(&diags);
    rachis_engine_free(e);
    return st == RACHIS_OK ? EXIT_ALL_OK : EXIT_USAGE;
}
