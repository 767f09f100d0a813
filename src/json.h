/* json.h — JSON string escaping shared by the record writer and the CLI. */
#ifndef RACHIS_JSON_H
#define RACHIS_JSON_H
#include "util.h"

void json_string(rachis_buf *b, const char *s, size_t n);
void json_cstr(rachis_buf *b, const char *s);     /* null for NULL */
void json_levelset(rachis_buf *b, rachis_levelset set);
#endif
