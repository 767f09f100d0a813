/* outfile.h — output files that appear whole or not at all. */
#ifndef RACHIS_OUTFILE_H
#define RACHIS_OUTFILE_H

#include <stdbool.h>
#include <stdio.h>

/* Opens PATH for writing under a temporary name beside it (*TMP, to be
 * renamed into place by out_finish).  A PATH that exists and is not a
 * regular file (/dev/null, a FIFO, a terminal) is written directly and *TMP
 * is NULL: renaming over it would replace the device.  On failure prints
 * "rachis CMD: cannot write PATH: reason" and returns NULL. */
FILE *out_open(const char *path, char **tmp, const char *cmd);

/* Closes F; when OK and it closed cleanly, renames TMP to PATH, else removes
 * TMP.  Frees TMP.  Returns whether PATH now holds the whole output. */
bool out_finish(FILE *f, char *tmp, const char *path, bool ok);

#endif
