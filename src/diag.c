/* diag.c — diagnostics as data: collecting pattern-file errors and warnings
 * and printing them as "file:line:col: error: message" with a caret. */
#include "diag.h"

#include <stdlib.h>
#include <string.h>

void rachis_diags_init(rachis_diags *d) { memset(d, 0, sizeof *d); }

void rachis_diags_free(rachis_diags *d)
{
    if (!d) return;
    for (size_t i = 0; i < d->count; i++) {
        free(d->items[i].file);
        free(d->items[i].message);
        free(d->items[i].source_line);
    }
    free(d->items);
    memset(d, 0, sizeof *d);
}

void diag_add(rachis_diags *d, rachis_diag_severity sev, const char *file, int line, int col,
              const char *source_line, const char *fmt, ...)
{
    if (!d) return;
    if (d->count == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 16;
        d->items = rx_realloc(d->items, d->cap * sizeof *d->items);
    }
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *msg = rx_malloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(msg, (size_t)n + 1, fmt, ap);
    va_end(ap);
    rachis_diag *g = &d->items[d->count++];
    g->severity = sev;
    g->file = rx_strdup(file);
    g->line = line;
    g->col = col;
    g->message = msg;
    g->source_line = rx_strdup(source_line);
    if (sev == RACHIS_DIAG_ERROR) d->errors++;
    else d->warnings++;
}

void rachis_diag_print(const rachis_diag *g, FILE *out)
{
    const char *sev = g->severity == RACHIS_DIAG_ERROR ? "error" : "warning";
    if (g->file && g->line > 0)
        fprintf(out, "%s:%d:%d: %s: %s\n", g->file, g->line, g->col > 0 ? g->col : 1, sev, g->message);
    else if (g->file)
        fprintf(out, "%s: %s: %s\n", g->file, sev, g->message);
    else
        fprintf(out, "rachis: %s: %s\n", sev, g->message);
    if (g->source_line) {
        fprintf(out, "  %s\n  ", g->source_line);
        for (int i = 1; i < g->col; i++) fputc(g->source_line[i - 1] == '\t' ? '\t' : ' ', out);
        fputs("^\n", out);
    }
}
