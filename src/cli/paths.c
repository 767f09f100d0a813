/* paths.c — finds the pattern directory and loads the engine for a command. */
#include "cli.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char found[PATH_MAX];

static bool has_rules(const char *dir)
{
    char probe[PATH_MAX];
    struct stat st;
    if (snprintf(probe, sizeof probe, "%s/levels.rules", dir) >= (int)sizeof probe) return false;
    return stat(probe, &st) == 0;
}

const char *cli_patterns_dir(const cli_opts *o, const char *argv0)
{
    if (o->patterns) return o->patterns;
    const char *env = getenv("RACHIS_PATTERNS");
    if (env && *env) return env;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        if (!realpath(argv0, exe)) exe[0] = '\0';
    } else {
        exe[n] = '\0';
    }
    char *slash = strrchr(exe, '/');
    if (slash) {
        *slash = '\0';
        static const char *const rel[] = {"patterns", "../patterns", "../share/rachis/patterns"};
        for (size_t i = 0; i < sizeof rel / sizeof *rel; i++) {
            if (strlen(exe) + strlen(rel[i]) + 2 > sizeof found) continue;
            memcpy(found, exe, strlen(exe));
            found[strlen(exe)] = '/';
            strcpy(found + strlen(exe) + 1, rel[i]);
            if (has_rules(found)) return found;
        }
    }
    return RACHIS_PATTERN_INSTALL_DIR;
}

rachis_engine *cli_load_engine(const cli_opts *o, const char *argv0)
{
    const char *dir = cli_patterns_dir(o, argv0);
    rachis_diags diags;
    rachis_diags_init(&diags);
    rachis_engine *e = NULL;
    rachis_status st = rachis_engine_load(dir, o->strict, &e, &diags);
    for (size_t i = 0; i < diags.count; i++)
        if (st != RACHIS_OK || !o->quiet) rachis_diag_print(&diags.items[i], stderr);
    if (st != RACHIS_OK)
        fprintf(stderr, "rachis: %zu error(s) in the patterns of %s\n", diags.errors ? diags.errors : 1, dir);
    rachis_diags_free(&diags);
    return e;
}
