/* testutil.h — shared helpers for the Criterion tests: the engine over the
 * project's patterns, scanning a string, and reading TSV test tables. */
#ifndef RACHIS_TESTUTIL_H
#define RACHIS_TESTUTIL_H

#include "rachis.h"

extern rachis_engine *t_engine;
extern rachis_scanner *t_scanner;

void t_setup(void);      /* loads TOP_SRCDIR/patterns once per test binary */
void t_teardown(void);
const rachis_record *t_scan(const char *text);

/* A TSV table: rows of fields; comment (#) and blank lines skipped. */
typedef struct t_row { char **f; int n; int line; } t_row;
typedef struct t_table { t_row *rows; int n; } t_table;
t_table t_read_table(const char *relpath);
void t_free_table(t_table *t);

/* Replaces the two characters \n with a line break, in place. */
void t_unescape(char *s);
/* "T11,T12" style list of a level set, "-" for none, into OUT. */
void t_levels_str(rachis_levelset set, char *out, size_t n);

#endif
