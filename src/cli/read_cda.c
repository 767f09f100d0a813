/* read_cda.c — HL7 CDA R2 documents (the only file that uses libxml2):
 * ClinicalDocument/id, patient, date; structuredBody sections mapped to
 * section names by code (LOINC, DICOM) then by title, nested sections and
 * captions; narrative flattened with paragraphs, list items, table cells and
 * <br/> as line breaks; nonXMLBody text/plain (base64 or not).  Parsed with
 * XML_PARSE_NONET, never substituting entities or loading DTDs: a document
 * that declares entities, nests too deep or is not well-formed becomes an
 * error record with its line and column. */
#define _GNU_SOURCE
#include "readers.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 200

typedef struct flat {
    walker *w;
    rachis_buf text;
    rachis_section *secs;
    size_t *starts;
    size_t nsec;
    int depth_exceeded;
} flat;

static void newline(rachis_buf *b)
{
    if (b->len && b->data[b->len - 1] != '\n') rachis_buf_append(b, "\n", 1);
}

static bool named(const xmlNode *n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

static xmlNode *child(const xmlNode *n, const char *name)
{
    for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
        if (named(c, name)) return c;
    return NULL;
}

static const char *attr(const xmlNode *n, const char *name)
{
    for (xmlAttr *a = n ? n->properties : NULL; a; a = a->next)
        if (!strcmp((const char *)a->name, name) && a->children && a->children->content)
            return (const char *)a->children->content;
    return NULL;
}

/* Text of a narrative block: block elements start lines, <br/> breaks them,
 * table cells are separated by tabs; entity references are never expanded. */
static void narrative(flat *f, const xmlNode *n, int depth)
{
    if (depth > MAX_DEPTH) { f->depth_exceeded = 1; return; }
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            const char *s = (const char *)c->content;
            if (!s) continue;
            /* collapse the markup's own whitespace runs to one space */
            for (const char *p = s; *p; p++) {
                if (*p == '\n' || *p == '\r' || *p == '\t' || *p == ' ') {
                    if (f->text.len && f->text.data[f->text.len - 1] != ' ' && f->text.data[f->text.len - 1] != '\n')
                        rachis_buf_append(&f->text, " ", 1);
                } else {
                    rachis_buf_append(&f->text, p, 1);
                }
            }
            continue;
        }
        if (c->type != XML_ELEMENT_NODE) continue;
        const char *name = (const char *)c->name;
        bool block = !strcmp(name, "paragraph") || !strcmp(name, "item") || !strcmp(name, "tr") ||
                     !strcmp(name, "caption") || !strcmp(name, "list") || !strcmp(name, "table") ||
                     !strcmp(name, "thead") || !strcmp(name, "tbody") || !strcmp(name, "tfoot");
        if (!strcmp(name, "br")) { rachis_buf_append(&f->text, "\n", 1); continue; }
        if (!strcmp(name, "renderMultiMedia") || !strcmp(name, "footnoteRef")) continue;
        if (block) newline(&f->text);
        if (!strcmp(name, "td") || !strcmp(name, "th")) {
            if (f->text.len && f->text.data[f->text.len - 1] != '\n') rachis_buf_append(&f->text, "\t", 1);
        }
        narrative(f, c, depth + 1);
        if (block) newline(&f->text);
    }
}

static void add_section(flat *f, int sec)
{
    if (sec < 0) return;
    if (f->nsec && f->secs[f->nsec - 1] == (rachis_section)sec) return;
    f->secs = realloc(f->secs, (f->nsec + 1) * sizeof *f->secs);
    f->starts = realloc(f->starts, (f->nsec + 1) * sizeof *f->starts);
    f->secs[f->nsec] = (rachis_section)sec;
    f->starts[f->nsec] = f->text.len;
    f->nsec++;
}

static char *node_text(const xmlNode *n)
{
    flat tmp;
    memset(&tmp, 0, sizeof tmp);
    if (n) narrative(&tmp, n, 0);
    return tmp.text.data;
}

/* A section: its code, else its title, names it; nested sections follow. */
static void section(flat *f, const xmlNode *s, int inherited, int depth)
{
    if (depth > MAX_DEPTH) { f->depth_exceeded = 1; return; }
    int sec = -1;
    const xmlNode *code = child(s, "code");
    if (code) sec = section_of_code(f->w, attr(code, "code"));
    char *title = node_text(child(s, "title"));
    if (sec < 0 && title) sec = section_of_title(f->w, title, strlen(title));
    if (sec < 0 && code && attr(code, "displayName"))
        sec = section_of_title(f->w, attr(code, "displayName"), strlen(attr(code, "displayName")));
    if (sec < 0) sec = inherited >= 0 ? inherited : RACHIS_SEC_OTHER;
    newline(&f->text);
    if (f->text.len) rachis_buf_append(&f->text, "\n", 1);
    add_section(f, sec);
    if (title && *title) {
        rachis_buf_append(&f->text, title, strlen(title));
        rachis_buf_append(&f->text, "\n", 1);
    }
    free(title);
    const xmlNode *text = child(s, "text");
    if (text) narrative(f, text, depth + 1);
    for (const xmlNode *c = s->children; c; c = c->next)
        if (named(c, "component"))
            for (const xmlNode *cc = c->children; cc; cc = cc->next)
                if (named(cc, "section")) section(f, cc, sec, depth + 1);
}

static void body(flat *f, const xmlNode *n, int depth)
{
    if (depth > MAX_DEPTH) { f->depth_exceeded = 1; return; }
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (named(c, "section")) section(f, c, -1, depth + 1);
        else if (c->type == XML_ELEMENT_NODE) body(f, c, depth + 1);
    }
}

static int b64(int c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
}

static void nonxml(flat *f, const xmlNode *nb)
{
    const xmlNode *t = child(nb, "text");
    if (!t) return;
    const char *media = attr(t, "mediaType"), *rep = attr(t, "representation");
    if (media && strncmp(media, "text/", 5)) return;
    xmlChar *content = NULL;
    rachis_buf raw = {0};
    for (const xmlNode *c = t->children; c; c = c->next)
        if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content)
            rachis_buf_append(&raw, (const char *)c->content, strlen((const char *)c->content));
    (void)content;
    add_section(f, RACHIS_SEC_OTHER);
    if (rep && !strcmp(rep, "B64")) {
        unsigned acc = 0;
        int bits = 0;
        for (size_t i = 0; i < raw.len; i++) {
            int v = b64((unsigned char)raw.data[i]);
            if (v < 0) continue;
            acc = (acc << 6) | (unsigned)v;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                char ch = (char)((acc >> bits) & 0xFF);
                rachis_buf_append(&f->text, &ch, 1);
            }
        }
    } else if (raw.len) {
        rachis_buf_append(&f->text, raw.data, raw.len);
    }
    free(raw.data);
}

/* The first error libxml2 reports, for the error record. */
typedef struct xml_err { int line, col; char msg[256]; bool set; } xml_err;

static void on_error(void *ctx, xmlErrorPtr e)
{
    xml_err *x = ctx;
    if (x->set || !e || e->level < XML_ERR_ERROR) return;
    x->set = true;
    x->line = e->line;
    x->col = e->int2;
    snprintf(x->msg, sizeof x->msg, "%s", e->message ? e->message : "malformed XML");
    size_t l = strlen(x->msg);
    while (l && (x->msg[l - 1] == '\n' || x->msg[l - 1] == ' ')) x->msg[--l] = '\0';
}

/* An II identifier: its extension (the accession or MRN the other formats
 * carry), else its root. */
static void ii(const xmlNode *id, char *out, size_t n)
{
    const char *root = attr(id, "root"), *ext = attr(id, "extension");
    snprintf(out, n, "%s", ext ? ext : root ? root : "");
}

int read_cda(walker *w, byte_reader *br, const char *path, const char *file_id)
{
    rachis_buf raw = {0};
    bool too_big;
    if (!br_all(br, &raw, w->max_bytes, &too_big) || too_big) {
        int rc = too_big ? emit_error(w, path, file_id, 1, RACHIS_FMT_CDA, "too_large", (long long)w->max_bytes,
                                      "%s: document larger than the limit of %zu bytes (--max-report-bytes)", path,
                                      w->max_bytes)
                         : emit_error(w, path, file_id, 1, RACHIS_FMT_CDA, "io", br->offset,
                                      "%s: read error at byte %lld", path, br->offset);
        free(raw.data);
        return rc;
    }
    xml_err err;
    memset(&err, 0, sizeof err);
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (!ctxt) {
        free(raw.data);
        return emit_error(w, path, file_id, 1, RACHIS_FMT_CDA, "input", -1, "%s: out of memory for the XML parser", path);
    }
    xmlSetStructuredErrorFunc(&err, on_error);
    xmlDocPtr doc = xmlCtxtReadMemory(ctxt, raw.data, (int)raw.len, path, NULL,
                                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
    xmlSetStructuredErrorFunc(NULL, NULL);
    int rc = 0;
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (!doc || (err.set && !root)) {
        rc = emit_error(w, path, file_id, 1, RACHIS_FMT_CDA, "xml", -1, "%s: XML error at line %d, column %d: %s", path,
                        err.line, err.col, err.set ? err.msg : "malformed document");
    } else if (doc->intSubset && (doc->intSubset->entities || doc->intSubset->pentities)) {
        rc = emit_error(w, path, file_id, 1, RACHIS_FMT_CDA, "xml", -1,
                        "%s: the document declares entities (DOCTYPE); rachis does not read such documents", path);
    } else if (!named(root, "ClinicalDocument")) {
        rc = emit_error(w, path, file_id, 1, RACHIS_FMT_CDA, "input", -1,
                        "%s: not a CDA document (root element <%s>, expected <ClinicalDocument>)", path,
                        root ? (const char *)root->name : "?");
    } else {
        char id[512] = "", patient[256] = "", date[11] = "";
        ii(child(root, "id"), id, sizeof id);
        const xmlNode *pr = child(child(root, "recordTarget"), "patientRole");
        ii(child(pr, "id"), patient, sizeof patient);
        const char *eff = attr(child(root, "effectiveTime"), "value");
        if (!eff) {
            const xmlNode *se = child(child(root, "documentationOf"), "serviceEvent");
            const xmlNode *et = child(se, "effectiveTime");
            eff = attr(et, "value") ? attr(et, "value") : attr(child(et, "low"), "value");
        }
        bool have_date = eff && normalise_date(eff, strlen(eff), date);
        flat f;
        memset(&f, 0, sizeof f);
        f.w = w;
        const xmlNode *comp = child(root, "component");
        const xmlNode *sb = child(comp, "structuredBody"), *nb = child(comp, "nonXMLBody");
        if (sb) body(&f, sb, 0);
        if (nb) nonxml(&f, nb);
        if (f.depth_exceeded)
            rc = emit_error(w, path, id[0] ? id : file_id, 1, RACHIS_FMT_CDA, "too_large", -1,
                            "%s: document nested deeper than %d levels", path, MAX_DEPTH);
        else if (f.text.len > w->max_bytes)
            rc = emit_error(w, path, id[0] ? id : file_id, 1, RACHIS_FMT_CDA, "too_large", -1,
                            "%s: report text larger than the limit of %zu bytes (--max-report-bytes)", path, w->max_bytes);
        else {
            cli_report r;
            memset(&r, 0, sizeof r);
            r.in.id = id[0] ? id : file_id;
            r.in.path = path;
            r.in.record = 1;
            r.in.format = RACHIS_FMT_CDA;
            r.in.patient = patient[0] ? patient : NULL;
            r.in.date = have_date ? date : NULL;
            r.in.text = f.text.data ? f.text.data : "";
            r.in.length = f.text.len;
            r.in.sections = f.secs;
            r.in.section_starts = f.starts;
            r.in.n_sections = f.nsec;
            r.error_offset = -1;
            rc = emit_report(w, &r);
        }
        free(f.text.data);
        free(f.secs);
        free(f.starts);
    }
    if (doc) xmlFreeDoc(doc);
    xmlFreeParserCtxt(ctxt);
    free(raw.data);
    return rc;
}
