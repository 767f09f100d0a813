/* util.h — memory wrappers (abort on out-of-memory), growable arrays and
 * byte buffers shared by every module of librachis. */
#ifndef RACHIS_UTIL_H
#define RACHIS_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include "rachis.h"

void *rx_malloc(size_t n);
void *rx_calloc(size_t n, size_t size);
void *rx_realloc(void *p, size_t n);
char *rx_strdup(const char *s);
char *rx_strndup(const char *s, size_t n);
/* The first occurrence of NEEDLE (NLEN bytes) in HAY (HLEN bytes), or NULL;
 * unlike strstr it is bounded and sees past NUL bytes. */
const char *rx_memfind(const char *hay, size_t hlen, const char *needle, size_t nlen);
char *rx_sprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable array: VEC(int) v = {0}; VEC_PUSH(v, 3); free(v.v); */
#define VEC(T) struct { T *v; size_t n, cap; }
#define VEC_GROW(vec, need)                                                   \
    do {                                                                       \
        if ((need) > (vec).cap) {                                              \
            size_t nc_ = (vec).cap ? (vec).cap * 2 : 8;                        \
            while (nc_ < (need)) nc_ *= 2;                                     \
            (vec).v = rx_realloc((vec).v, nc_ * sizeof *(vec).v);              \
            (vec).cap = nc_;                                                   \
        }                                                                      \
    } while (0)
#define VEC_PUSH(vec, x)                                                      \
    do { VEC_GROW(vec, (vec).n + 1); (vec).v[(vec).n++] = (x); } while (0)

void buf_append(rachis_buf *b, const void *data, size_t n);
void buf_puts(rachis_buf *b, const char *s);
void buf_putc(rachis_buf *b, char c);
void buf_putu(rachis_buf *b, unsigned long long v);   /* decimal, without printf (JSON writing is hot) */
void buf_printf(rachis_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *buf_cstr(rachis_buf *b);   /* NUL-terminates (not counted in len) */

static inline bool rx_isspace(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
static inline bool rx_isdigit(unsigned char c) { return c >= '0' && c <= '9'; }
static inline bool rx_isalpha(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static inline bool rx_isalnum(unsigned char c) { return rx_isalpha(c) || rx_isdigit(c); }
static inline bool rx_isupper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
static inline bool rx_islower(unsigned char c) { return c >= 'a' && c <= 'z'; }
static inline unsigned char rx_tolower(unsigned char c) { return rx_isupper(c) ? (unsigned char)(c + 32) : c; }

/* Number of words (runs of letters and digits) in [s, s+n). */
int rx_count_words(const char *s, size_t n);

#endif
