/* util.c — memory wrappers, growable buffers and small text helpers. */
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void out_of_memory(size_t n)
{
    fprintf(stderr, "rachis: out of memory (allocating %zu bytes)\n", n);
    abort();
}

void *rx_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) out_of_memory(n);
    return p;
}

void *rx_calloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) out_of_memory(n * size);
    return p;
}

void *rx_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) out_of_memory(n);
    return q;
}

char *rx_strndup(const char *s, size_t n)
{
    char *p = rx_malloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *rx_strdup(const char *s) { return s ? rx_strndup(s, strlen(s)) : NULL; }

char *rx_sprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *p = rx_malloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

static void buf_reserve(rachis_buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap) return;
    size_t nc = b->cap ? b->cap * 2 : 256;
    while (nc < b->len + extra + 1) nc *= 2;
    b->data = rx_realloc(b->data, nc);
    b->cap = nc;
}

void buf_append(rachis_buf *b, const void *data, size_t n)
{
    buf_reserve(b, n);
    if (n) memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';   /* always a C string too */
}

void buf_puts(rachis_buf *b, const char *s) { buf_append(b, s, strlen(s)); }

void buf_putc(rachis_buf *b, char c)
{
    buf_reserve(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}

void buf_putu(rachis_buf *b, unsigned long long v)
{
    char d[24];
    size_t i = sizeof d;
    do d[--i] = (char)('0' + v % 10); while ((v /= 10) != 0);
    buf_append(b, d + i, sizeof d - i);
}

void buf_printf(rachis_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    buf_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

const char *buf_cstr(rachis_buf *b)
{
    buf_reserve(b, 0);
    b->data[b->len] = '\0';
    return b->data;
}

void rachis_buf_free(rachis_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

int rx_count_words(const char *s, size_t n)
{
    int words = 0;
    bool in = false;
    for (size_t i = 0; i < n; i++) {
        bool a = rx_isalnum((unsigned char)s[i]);
        if (a && !in) words++;
        in = a;
    }
    return words;
}

void rachis_buf_append(rachis_buf *b, const void *data, size_t n) { buf_append(b, data, n); }
void rachis_buf_putc(rachis_buf *b, char c) { buf_putc(b, c); }

const char *rx_memfind(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
    if (nlen == 0) return hay;
    for (size_t i = 0; i + nlen <= hlen; i++)
        if (hay[i] == needle[0] && !memcmp(hay + i, needle, nlen)) return hay + i;
    return NULL;
}
