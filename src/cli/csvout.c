/* csvout.c — rachis extract --csv: one row per finding, RFC 4180 quoting,
 * and cells a spreadsheet would run as a formula (=, +, -, @, tab, CR
 * first) neutralised with a leading apostrophe. */
#include "csvout.h"

#include <string.h>

static void cell(rachis_buf *b, const char *s, size_t n, bool first)
{
    if (!first) rachis_buf_putc(b, ',');
    rachis_buf_putc(b, '"');
    if (n && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r'))
        rachis_buf_putc(b, '\'');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"') rachis_buf_putc(b, '"');
        rachis_buf_putc(b, s[i]);
    }
    rachis_buf_putc(b, '"');
}

static void cstr(rachis_buf *b, const char *s, bool first) { cell(b, s ? s : "", s ? strlen(s) : 0, first); }

void csv_cell(rachis_buf *b, const char *s, bool first) { cstr(b, s, first); }

void csv_header(rachis_buf *b)
{
    static const char *const cols[] = {"report_id", "patient", "date", "concept", "levels", "assertion", "historical",
                                       "section", "text", "rule", "attributes", "status"};
    for (size_t i = 0; i < sizeof cols / sizeof *cols; i++) cstr(b, cols[i], i == 0);
    rachis_buf_putc(b, '\r');
    rachis_buf_putc(b, '\n');
}

void csv_record(rachis_buf *b, const rachis_record *r)
{
    rachis_buf attrs = {0};
    if (r->status != RACHIS_OK) {   /* an error record is a row too, so nothing is lost */
        cstr(b, r->id, true);
        cstr(b, r->patient, false);
        cstr(b, r->date, false);
        for (int i = 0; i < 7; i++) cstr(b, "", false);
        cstr(b, r->error_message, false);
        cstr(b, "error", false);
        rachis_buf_putc(b, '\r');
        rachis_buf_putc(b, '\n');
        return;
    }
    for (size_t i = 0; i < r->n_findings; i++) {
        const rachis_finding *f = &r->findings[i];
        char levels[256] = "";
        for (int l = 0; l < RACHIS_LEVEL_COUNT; l++)
            if (f->levels & ((rachis_levelset)1 << l)) {
                if (levels[0]) strcat(levels, " ");
                strcat(levels, rachis_level_label(l));
            }
        cstr(b, r->id, true);
        cstr(b, r->patient, false);
        cstr(b, r->date, false);
        cstr(b, rachis_concept_name(f->concept), false);
        cstr(b, levels, false);
        cstr(b, rachis_assertion_name(f->assertion), false);
        cstr(b, f->historical ? "true" : "false", false);
        cstr(b, rachis_section_name(f->section), false);
        cell(b, r->text + f->span.start, f->span.end - f->span.start, false);
        cstr(b, f->rule, false);
        attrs.len = 0;
        rachis_finding_attributes_json(f, &attrs);
        cell(b, attrs.data, attrs.len, false);
        cstr(b, "ok", false);
        rachis_buf_putc(b, '\r');
        rachis_buf_putc(b, '\n');
    }
    rachis_buf_free(&attrs);
}
