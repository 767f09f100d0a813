/* json.c — writes a record as one rachis/1 JSON line: exact key order of
 * DESIGN.md, byte offsets, and JSON escaping of any byte sequence (invalid
 * UTF-8 becomes U+FFFD, one per bad byte). */
#include "json.h"

#include <math.h>
#include <string.h>

size_t rachis_utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len;
    uint32_t cp;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) { len = 2; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { len = 4; cp = c & 0x07; }
    else return 0;
    if (len > n) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

void json_string(rachis_buf *b, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    buf_putc(b, '"');
    size_t i = 0;
    while (i < n) {
        unsigned char c = p[i];
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            size_t j = i;
            while (j < n && p[j] >= 0x20 && p[j] < 0x80 && p[j] != '"' && p[j] != '\\') j++;
            buf_append(b, p + i, j - i);
            i = j;
            continue;
        }
        switch (c) {
        case '"': buf_puts(b, "\\\""); i++; continue;
        case '\\': buf_puts(b, "\\\\"); i++; continue;
        case '\n': buf_puts(b, "\\n"); i++; continue;
        case '\r': buf_puts(b, "\\r"); i++; continue;
        case '\t': buf_puts(b, "\\t"); i++; continue;
        case '\b': buf_puts(b, "\\b"); i++; continue;
        case '\f': buf_puts(b, "\\f"); i++; continue;
        default: break;
        }
        if (c < 0x20) {
            buf_printf(b, "\\u%04x", c);
            i++;
            continue;
        }
        size_t l = rachis_utf8_len(p + i, n - i);
        if (l == 0) {
            buf_puts(b, "\\ufffd");
            i++;
        } else {
            buf_append(b, p + i, l);
            i += l;
        }
    }
    buf_putc(b, '"');
}

void json_cstr(rachis_buf *b, const char *s)
{
    if (!s) buf_puts(b, "null");
    else json_string(b, s, strlen(s));
}

static void span(rachis_buf *b, rachis_span sp)
{
    buf_putc(b, '[');
    buf_putu(b, sp.start);
    buf_putc(b, ',');
    buf_putu(b, sp.end);
    buf_putc(b, ']');
}

static void number(rachis_buf *b, double d)
{
    if (!isfinite(d)) buf_puts(b, "null");
    else if (fabs(d) < 1e15 && d == (double)(long long)d) buf_printf(b, "%lld", (long long)d);
    else buf_printf(b, "%.6g", d);
}

static void attributes(rachis_buf *b, const rachis_finding *f)
{
    size_t n;
    const rachis_attr_def *defs = rachis_concept_attrs(f->concept, &n);
    buf_putc(b, '{');
    for (size_t i = 0; i < n; i++) {
        const rachis_attr_def *d = &defs[i];
        const rachis_attr_value *v = &f->attrs[i];
        if (i) buf_putc(b, ',');
        json_cstr(b, d->name);
        buf_putc(b, ':');
        if (d->kind == RACHIS_ATTR_SET) {
            buf_putc(b, '[');
            int k = 0;
            for (int j = 0; d->values[j]; j++)
                if (v->set && (v->ivalue & (1 << j))) {
                    if (k++) buf_putc(b, ',');
                    json_cstr(b, d->values[j]);
                }
            buf_putc(b, ']');
        } else if (!v->set) {
            buf_puts(b, "null");
        } else if (d->kind == RACHIS_ATTR_NUMBER) {
            number(b, v->number);
        } else if (d->kind == RACHIS_ATTR_BOOL) {
            buf_puts(b, v->ivalue ? "true" : "false");
        } else if (d->json_number) {
            buf_puts(b, d->values[v->ivalue]);
        } else {
            json_cstr(b, d->values[v->ivalue]);
        }
    }
    buf_putc(b, '}');
}

void json_levelset(rachis_buf *b, rachis_levelset set)
{
    buf_putc(b, '[');
    int k = 0;
    for (int l = 0; l < RACHIS_LEVEL_COUNT; l++)
        if (set & ((rachis_levelset)1 << l)) {
            if (k++) buf_putc(b, ',');
            buf_putc(b, '"');
            buf_puts(b, rachis_level_label(l));
            buf_putc(b, '"');
        }
    buf_putc(b, ']');
}

void rachis_finding_attributes_json(const rachis_finding *f, rachis_buf *out)
{
    attributes(out, f);
    buf_cstr(out);
}

void rachis_json_string(rachis_buf *out, const char *s, size_t n)
{
    json_string(out, s, n);
    buf_cstr(out);
}

static void finding(rachis_buf *b, const rachis_record *r, const rachis_finding *f)
{
    buf_puts(b, "{\"concept\":");
    json_cstr(b, rachis_concept_name(f->concept));
    buf_puts(b, ",\"levels\":");
    json_levelset(b, f->levels);
    buf_puts(b, ",\"assertion\":");
    json_cstr(b, rachis_assertion_name(f->assertion));
    buf_puts(b, f->historical ? ",\"historical\":true,\"section\":" : ",\"historical\":false,\"section\":");
    json_cstr(b, rachis_section_name(f->section));
    buf_puts(b, ",\"span\":");
    span(b, f->span);
    buf_puts(b, ",\"sentence\":");
    span(b, f->sentence);
    buf_puts(b, ",\"text\":");
    json_string(b, r->text + f->span.start, f->span.end - f->span.start);
    buf_puts(b, ",\"rule\":");
    json_cstr(b, f->rule);
    buf_puts(b, ",\"attributes\":");
    attributes(b, f);
    buf_puts(b, ",\"assertion_trigger\":");
    if (f->trigger_rule) {
        buf_puts(b, "{\"rule\":");
        json_cstr(b, f->trigger_rule);
        buf_puts(b, ",\"span\":");
        span(b, f->trigger_span);
        buf_putc(b, '}');
    } else {
        buf_puts(b, "null");
    }
    buf_putc(b, '}');
}

/* "primary": the site and the words that name it, or null. */
static void primary(rachis_buf *b, const rachis_record *r)
{
    const rachis_primary *p = &r->primary;
    buf_puts(b, ",\"primary\":");
    if (!p->site) {
        buf_puts(b, "null");
        return;
    }
    buf_puts(b, "{\"site\":");
    json_cstr(b, p->site);
    buf_puts(b, ",\"span\":");
    span(b, p->span);
    buf_puts(b, ",\"text\":");
    json_string(b, r->text + p->span.start, p->span.end - p->span.start);
    buf_puts(b, ",\"rule\":");
    json_cstr(b, p->rule);
    buf_puts(b, ",\"section\":");
    json_cstr(b, rachis_section_name(p->section));
    buf_putc(b, '}');
}

/* "sins": per level, each component {"value", "min", "max"}, the total range
 * and the category it allows. */
static void sins(rachis_buf *b, const rachis_record *r)
{
    buf_puts(b, ",\"sins\":[");
    for (size_t i = 0; i < r->n_sins; i++) {
        const rachis_sins *v = &r->sins[i];
        if (i) buf_putc(b, ',');
        buf_printf(b, "{\"level\":\"%s\"", rachis_level_label(v->level));
        for (int k = 0; k < RACHIS_SINS_ITEM_COUNT; k++) {
            const rachis_sins_component *c = &v->items[k];
            buf_printf(b, ",\"%s\":{\"value\":", rachis_sins_item_name((rachis_sins_item)k));
            json_cstr(b, c->value);
            buf_printf(b, ",\"min\":%d,\"max\":%d}", c->min, c->max);
        }
        buf_printf(b, ",\"min\":%d,\"max\":%d,\"category\":", v->min, v->max);
        json_cstr(b, v->category);
        buf_putc(b, '}');
    }
    buf_putc(b, ']');
}

rachis_status rachis_record_to_json(const rachis_record *r, unsigned flags, rachis_buf *b)
{
    buf_puts(b, "{\"schema\":\"" RACHIS_SCHEMA "\",\"id\":");
    json_cstr(b, r->id ? r->id : "");
    buf_puts(b, ",\"source\":{\"path\":");
    json_cstr(b, r->path ? r->path : "");
    buf_printf(b, ",\"record\":%ld,\"format\":", r->record);
    json_cstr(b, rachis_format_name(r->format));
    buf_puts(b, "},\"status\":");
    if (r->status == RACHIS_OK) {
        buf_puts(b, "\"ok\"");
    } else {
        buf_puts(b, "\"error\",\"error\":{\"code\":");
        json_cstr(b, r->error_code ? r->error_code : rachis_status_name(r->status));
        buf_puts(b, ",\"message\":");
        json_cstr(b, r->error_message ? r->error_message : "");
        if (r->error_offset >= 0) buf_printf(b, ",\"offset\":%lld}", r->error_offset);
        else buf_puts(b, ",\"offset\":null}");
    }
    buf_puts(b, ",\"patient\":");
    json_cstr(b, r->patient);
    buf_puts(b, ",\"date\":");
    json_cstr(b, r->date);
    buf_puts(b, ",\"levels\":[");
    for (size_t i = 0; i < r->n_levels; i++) {
        if (i) buf_putc(b, ',');
        buf_puts(b, "{\"level\":\"");
        buf_puts(b, rachis_level_label(r->levels[i].level));
        buf_puts(b, "\",\"span\":");
        span(b, r->levels[i].span);
        buf_putc(b, '}');
    }
    buf_puts(b, "],\"findings\":[");
    for (size_t i = 0; i < r->n_findings; i++) {
        if (i) buf_putc(b, ',');
        finding(b, r, &r->findings[i]);
    }
    buf_printf(b, "],\"flags\":{\"compression_fracture\":%s,\"cord_compression\":%s,"
                  "\"soft_tissue_extension\":%s,\"metastasis\":%s,\"urgent\":%s}",
               r->flags[RACHIS_FRACTURE] ? "true" : "false", r->flags[RACHIS_CORD] ? "true" : "false",
               r->flags[RACHIS_EXTENSION] ? "true" : "false", r->flags[RACHIS_METASTASIS] ? "true" : "false",
               r->urgent ? "true" : "false");
    primary(b, r);
    sins(b, r);
    if ((flags & RACHIS_JSON_WITH_TEXT) && r->text) {
        buf_puts(b, ",\"text\":");
        json_string(b, r->text, r->length);
    }
    buf_puts(b, "}\n");
    buf_cstr(b);
    return RACHIS_OK;
}
