/* jsonv.h — a small JSON reader for the CLI (gold files, rachis output,
 * JSON Lines input): parses one value into a tree owned by the caller. */
#ifndef RACHIS_JSONV_H
#define RACHIS_JSONV_H

#include <stdbool.h>
#include <stddef.h>

typedef enum { JV_NULL, JV_BOOL, JV_NUMBER, JV_STRING, JV_ARRAY, JV_OBJECT } jv_type;

typedef struct jv {
    jv_type type;
    bool b;
    double n;
    char *s;            /* JV_STRING (NUL-terminated; may contain NULs: see len) */
    size_t len;
    struct jv *items;   /* JV_ARRAY and JV_OBJECT values */
    char **keys;        /* JV_OBJECT keys */
    size_t count;
} jv;

/* Parses TEXT[0..n) as one JSON value (surrounding whitespace allowed).
 * On error returns false and sets *ERR_OFFSET and *ERR (a static message). */
bool jv_parse(const char *text, size_t n, jv *out, size_t *err_offset, const char **err);
void jv_free(jv *v);
const jv *jv_get(const jv *obj, const char *key);      /* NULL when absent or not an object */
const char *jv_str(const jv *v);                       /* NULL unless a string */

#endif
