/* diag.h — adding diagnostics (internal). */
#ifndef RACHIS_DIAG_H
#define RACHIS_DIAG_H
#include "util.h"

void diag_add(rachis_diags *d, rachis_diag_severity sev, const char *file, int line, int col,
              const char *source_line, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
#endif
