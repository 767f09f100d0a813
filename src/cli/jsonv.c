/* jsonv.c — a small recursive-descent JSON reader (RFC 8259), depth-bounded. */
#include "jsonv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64

typedef struct parser {
    const char *p, *end, *start;
    const char *err;
    size_t err_off;
} parser;

static bool fail(parser *ps, const char *msg)
{
    if (!ps->err) {
        ps->err = msg;
        ps->err_off = (size_t)(ps->p - ps->start);
    }
    return false;
}

static void ws(parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')) ps->p++;
}

static void put_utf8(char **o, uint32_t cp)
{
    unsigned char *q = (unsigned char *)*o;
    if (cp < 0x80) *q++ = (unsigned char)cp;
    else if (cp < 0x800) { *q++ = (unsigned char)(0xC0 | (cp >> 6)); *q++ = (unsigned char)(0x80 | (cp & 0x3F)); }
    else if (cp < 0x10000) {
        *q++ = (unsigned char)(0xE0 | (cp >> 12)); *q++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        *q++ = (unsigned char)(0x80 | (cp & 0x3F));
    } else {
        *q++ = (unsigned char)(0xF0 | (cp >> 18)); *q++ = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
        *q++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3F)); *q++ = (unsigned char)(0x80 | (cp & 0x3F));
    }
    *o = (char *)q;
}

static bool hex4(parser *ps, uint32_t *v)
{
    if (ps->end - ps->p < 4) return fail(ps, "truncated \\u escape");
    *v = 0;
    for (int i = 0; i < 4; i++) {
        char c = *ps->p++;
        *v <<= 4;
        if (c >= '0' && c <= '9') *v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f') *v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') *v |= (uint32_t)(c - 'A' + 10);
        else return fail(ps, "bad \\u escape");
    }
    return true;
}

static bool string(parser *ps, char **out, size_t *len)
{
    ps->p++;  /* opening quote */
    const char *s = ps->p;
    while (ps->p < ps->end && *ps->p != '"') {
        if (*ps->p == '\\') ps->p++;
        ps->p++;
    }
    if (ps->p >= ps->end) return fail(ps, "unterminated string");
    size_t raw = (size_t)(ps->p - s);
    char *buf = malloc(raw * 2 + 1), *o = buf;
    const char *q = s, *e = ps->p;
    ps->p++;
    while (q < e) {
        unsigned char c = (unsigned char)*q;
        if (c < 0x20) { free(buf); ps->p = q; return fail(ps, "control character in string"); }
        if (c != '\\') { *o++ = (char)c; q++; continue; }
        q++;
        switch (*q++) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '/': *o++ = '/'; break;
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        case 'u': {
            parser sub = {q, e, ps->start, NULL, 0};
            uint32_t cp;
            if (!hex4(&sub, &cp)) { free(buf); ps->p = q; return fail(ps, sub.err); }
            q = sub.p;
            if (cp >= 0xD800 && cp <= 0xDBFF && e - q >= 6 && q[0] == '\\' && q[1] == 'u') {
                uint32_t lo;
                sub.p = q + 2;
                if (hex4(&sub, &lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    q = sub.p;
                }
            }
            if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;
            put_utf8(&o, cp);
            break;
        }
        default: free(buf); ps->p = q - 1; return fail(ps, "bad escape in string");
        }
    }
    *o = '\0';
    *out = buf;
    *len = (size_t)(o - buf);
    return true;
}

static bool value(parser *ps, jv *v, int depth);

static bool push(jv *v, size_t *cap, jv *item, char *key)
{
    if (v->count == *cap) {
        *cap = *cap ? *cap * 2 : 4;
        v->items = realloc(v->items, *cap * sizeof *v->items);
        if (v->type == JV_OBJECT) v->keys = realloc(v->keys, *cap * sizeof *v->keys);
    }
    v->items[v->count] = *item;
    if (v->type == JV_OBJECT) v->keys[v->count] = key;
    v->count++;
    return true;
}

static bool value(parser *ps, jv *v, int depth)
{
    memset(v, 0, sizeof *v);
    ws(ps);
    if (ps->p >= ps->end) return fail(ps, "unexpected end of input");
    if (depth > MAX_DEPTH) return fail(ps, "nesting too deep");
    char c = *ps->p;
    if (c == '"') { v->type = JV_STRING; return string(ps, &v->s, &v->len); }
    if (c == '{' || c == '[') {
        v->type = c == '{' ? JV_OBJECT : JV_ARRAY;
        char close = c == '{' ? '}' : ']';
        size_t cap = 0;
        ps->p++;
        ws(ps);
        if (ps->p < ps->end && *ps->p == close) { ps->p++; return true; }
        for (;;) {
            char *key = NULL;
            size_t klen;
            ws(ps);
            if (v->type == JV_OBJECT) {
                if (ps->p >= ps->end || *ps->p != '"') return fail(ps, "expected a string key");
                if (!string(ps, &key, &klen)) return false;
                ws(ps);
                if (ps->p >= ps->end || *ps->p != ':') { free(key); return fail(ps, "expected ':'"); }
                ps->p++;
            }
            jv item;
            if (!value(ps, &item, depth + 1)) { free(key); jv_free(&item); return false; }
            push(v, &cap, &item, key);
            ws(ps);
            if (ps->p < ps->end && *ps->p == ',') { ps->p++; continue; }
            if (ps->p < ps->end && *ps->p == close) { ps->p++; return true; }
            return fail(ps, v->type == JV_OBJECT ? "expected ',' or '}'" : "expected ',' or ']'");
        }
    }
    if (ps->end - ps->p >= 4 && !strncmp(ps->p, "true", 4)) { v->type = JV_BOOL; v->b = true; ps->p += 4; return true; }
    if (ps->end - ps->p >= 5 && !strncmp(ps->p, "false", 5)) { v->type = JV_BOOL; ps->p += 5; return true; }
    if (ps->end - ps->p >= 4 && !strncmp(ps->p, "null", 4)) { v->type = JV_NULL; ps->p += 4; return true; }
    if (c == '-' || (c >= '0' && c <= '9')) {
        char tmp[64];
        size_t n = 0;
        while (ps->p + n < ps->end && n < sizeof tmp - 1 && strchr("+-0123456789.eE", ps->p[n])) n++;
        memcpy(tmp, ps->p, n);
        tmp[n] = '\0';
        char *endp;
        v->type = JV_NUMBER;
        v->n = strtod(tmp, &endp);
        if (endp == tmp) return fail(ps, "bad number");
        ps->p += endp - tmp;
        return true;
    }
    return fail(ps, "unexpected character");
}

bool jv_parse(const char *text, size_t n, jv *out, size_t *err_offset, const char **err)
{
    parser ps = {text, text + n, text, NULL, 0};
    bool ok = value(&ps, out, 0);
    if (ok) {
        ws(&ps);
        if (ps.p != ps.end) ok = fail(&ps, "trailing characters after the value");
    }
    if (!ok) {
        jv_free(out);
        *err_offset = ps.err_off;
        *err = ps.err;
    }
    return ok;
}

void jv_free(jv *v)
{
    if (!v) return;
    free(v->s);
    for (size_t i = 0; i < v->count; i++) {
        jv_free(&v->items[i]);
        if (v->keys) free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    memset(v, 0, sizeof *v);
}

const jv *jv_get(const jv *obj, const char *key)
{
    if (!obj || obj->type != JV_OBJECT) return NULL;
    for (size_t i = 0; i < obj->count; i++)
        if (!strcmp(obj->keys[i], key)) return &obj->items[i];
    return NULL;
}

const char *jv_str(const jv *v) { return v && v->type == JV_STRING ? v->s : NULL; }
