/* review_html.h — the HTML review page: rachis/1 records (JSON Lines) in, one
 * self-contained page out (highlighted text, spine diagram, findings table). */
#ifndef RACHIS_REVIEW_HTML_H
#define RACHIS_REVIEW_HTML_H

#include <stdio.h>

/* Writes one self-contained HTML review page for the rachis/1 records in the
 * JSON Lines file JSONL_PATH (records written with --with-text) to OUT.
 * Returns 0, or -1 with a message on stderr naming the file and line
 * (never report text) when the input cannot be read. */
int review_write_html(const char *jsonl_path, FILE *out);

#endif
