/* byteio.h — a buffered reader over plain or gzip-compressed files (zlib
 * reads both), with line reading for the record readers. */
#ifndef RACHIS_BYTEIO_H
#define RACHIS_BYTEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <zlib.h>

#include "rachis.h"

typedef struct byte_reader {
    gzFile gz;
    unsigned char buf[65536];
    size_t pos, len;
    bool eof, error;
    long long offset;        /* bytes consumed so far */
} byte_reader;

/* Opens PATH ("-" for standard input); false with errno set on failure. */
bool br_open(byte_reader *r, const char *path);
void br_close(byte_reader *r);
int br_getc(byte_reader *r);                 /* -1 at end */
int br_peek(byte_reader *r);
/* Reads one line (without its \n or \r\n) into OUT; false at end of input.
 * Lines longer than MAX are cut and *TOO_LONG set (the rest is skipped). */
bool br_line(byte_reader *r, rachis_buf *out, size_t max, bool *too_long);
/* Reads everything left, at most MAX bytes; *TOO_BIG when there was more. */
bool br_all(byte_reader *r, rachis_buf *out, size_t max, bool *too_big);

/* YYYY-MM-DD from the common date spellings (2024-03-17, 20240317,
 * 2024/03/17, 03/17/2024, 17.03.2024, with or without a time); false when
 * the text is not a date.  OUT holds 11 bytes. */
bool normalise_date(const char *s, size_t n, char out[11]);

#endif
