/* csvout.h — findings as CSV rows (rachis extract --csv). */
#ifndef RACHIS_CSVOUT_H
#define RACHIS_CSVOUT_H

#include "rachis.h"

/* One CSV cell (S may be NULL: empty), quoted and neutralised; FIRST: no comma before it. */
void csv_cell(rachis_buf *b, const char *s, bool first);
void csv_header(rachis_buf *b);
void csv_record(rachis_buf *b, const rachis_record *r);

#endif
