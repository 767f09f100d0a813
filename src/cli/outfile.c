/* outfile.c — output files that appear whole or not at all: written under a
 * temporary name beside the target and renamed into place when complete, so
 * a reader never sees half a file and a failed run leaves the old one.  A
 * target that is not a regular file (a device such as /dev/null, a FIFO) is
 * written directly: renaming over it would replace the device itself. */
#define _GNU_SOURCE
#include "outfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

FILE *out_open(const char *path, char **tmp, const char *cmd)
{
    struct stat st;
    *tmp = NULL;
    bool special = stat(path, &st) == 0 && !S_ISREG(st.st_mode);
    if (!special && asprintf(tmp, "%s.tmp.%ld", path, (long)getpid()) < 0) {
        *tmp = NULL;
        errno = ENOMEM;
        fprintf(stderr, "rachis %s: cannot write %s: %s\n", cmd, path, strerror(errno));
        return NULL;
    }
    FILE *f = fopen(special ? path : *tmp, "wb");
    if (!f) {
        fprintf(stderr, "rachis %s: cannot write %s: %s\n", cmd, special ? path : *tmp, strerror(errno));
        free(*tmp);
        *tmp = NULL;
    }
    return f;
}

bool out_finish(FILE *f, char *tmp, const char *path, bool ok)
{
    bool closed = fclose(f) == 0;
    if (!tmp) return ok && closed;
    if (ok && closed && rename(tmp, path) == 0) {
        free(tmp);
        return true;
    }
    unlink(tmp);
    free(tmp);
    return false;
}
