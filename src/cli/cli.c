/* cli.c — dispatches a rachis command line to its command. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static int run(cli_opts *o, const char *argv0)
{
    switch (o->cmd) {
    case CMD_EXTRACT: return cmd_extract(o, argv0);
    case CMD_CHECK: return cmd_check(o, argv0);
    case CMD_ASSERT: return cmd_assert(o, argv0);
    case CMD_EVAL: return cmd_eval(o, argv0);
    case CMD_FLAG: return cmd_flag(o, argv0);
    case CMD_REVIEW: return cmd_review(o, argv0);
    case CMD_TIMELINE: return cmd_timeline(o, argv0);
    case CMD_HELP: {
        int c = o->n_args ? cli_command_from_name(o->args[0]) : -1;
        if (o->n_args && c < 0) {
            fprintf(stderr, "rachis: no command '%s' (see 'rachis --help')\n", o->args[0]);
            return EXIT_USAGE;
        }
        cli_help(stdout, c);
        return EXIT_ALL_OK;
    }
    default: return EXIT_USAGE;
    }
}

int rachis_cli_main(int argc, char **argv)
{
    cli_opts o;
    int rc = cli_parse(argc, argv, &o);
    if (rc == EXIT_ALL_OK) rc = run(&o, argv[0]);
    free(o.args);
    return rc;
}
