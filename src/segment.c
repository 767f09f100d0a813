/* segment.c — splits a report into sections (header vocabulary from
 * patterns/), paragraphs and sentences: abbreviations, decimals, list items,
 * level headings, "Label:" template lines and hard-wrapped text. */
#include "scan.h"

#include <string.h>

#define MAX_SENTENCE 2000   /* bytes */

typedef struct span3 { size_t start, end; int tag; unsigned within; } span3;

/* The line-start group G matched at line start LS (its patterns begin with
 * ^), or false. */
static bool line_match(rachis_scanner *s, int g, size_t ls, span3 *out)
{
    if (scan_match_at(s, g, s->text, s->len, ls, s->md) < 0) return false;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md);
    const rule *r = scan_rule(s, g, s->md);
    out->start = ov[0];
    out->end = ov[1];
    out->tag = r ? r->section : -1;
    out->within = r ? r->sections_mask : 0;
    return true;
}

/* Cheap tests before the line-start patterns run: a section header line has
 * a colon or dash early, or is short; a list item starts with a digit, a
 * bracket or a bullet (or a letter and a bracket); a level heading has a
 * digit early. */
static bool may_be_header(const rachis_engine *e, const char *t, size_t fn, size_t lend)
{
    if (fn >= lend || !rx_isalpha((unsigned char)t[fn])) return false;
    if (e->sectionstems.n && !engine_stem_at(&e->sectionstems, t, lend, fn, NULL)) return false;
    if (lend - fn <= 64) return true;
    for (size_t i = fn; i < fn + 64; i++)
        if (t[i] == ':' || (t[i] == '-' && i > fn && t[i - 1] == ' ')) return true;
    return false;
}

static bool may_be_listmark(const char *t, size_t fn, size_t lend)
{
    if (fn >= lend) return false;
    unsigned char c = (unsigned char)t[fn];
    if (!rx_isalpha(c)) return true;
    return fn + 1 < lend && (t[fn + 1] == ')' || t[fn + 1] == ' ');
}

static bool may_be_heading(const char *t, size_t fn, size_t lend)
{
    for (size_t i = fn; i < lend && i < fn + 40; i++)
        if (rx_isdigit((unsigned char)t[i])) return true;
    return false;
}

typedef struct splitter {
    rachis_scanner *s;
    const rachis_input *in;
    long sent_start;        /* -1: no sentence open */
    size_t last_nonspace;   /* end of the last non-space byte seen in the open sentence */
    int section;
    int para;
    rachis_levelset heading;
    int heading_sents;      /* sentences under the current heading */
    bool heading_item;      /* the heading opens a list item ("- T10: ..."): the next item ends it */
    bool cells;             /* the heading opened a row of '|' cells: '|' ends a sentence */
    bool heading_line;      /* the open sentence started on a heading line */
    size_t heading_end;     /* where that heading ends */
    size_t sec_cursor;      /* for structured section maps */
} splitter;

static int section_at(splitter *sp, size_t pos)
{
    const rachis_input *in = sp->in;
    if (!in->n_sections) return sp->section;
    while (sp->sec_cursor + 1 < in->n_sections && in->section_starts[sp->sec_cursor + 1] <= pos) sp->sec_cursor++;
    return in->section_starts[sp->sec_cursor] <= pos ? (int)in->sections[sp->sec_cursor] : RACHIS_SEC_OTHER;
}

static void end_sentence(splitter *sp)
{
    if (sp->sent_start < 0) return;
    rachis_scanner *s = sp->s;
    size_t a = (size_t)sp->sent_start, b = sp->last_nonspace;
    sp->sent_start = -1;
    if (b <= a) return;
    sentence st;
    memset(&st, 0, sizeof st);
    st.start = a;
    st.end = b;
    st.section = section_at(sp, a);
    if (s->sents.n && s->sents.v[s->sents.n - 1].section != st.section) sp->para++;   /* structured sections */
    st.para = sp->para;
    st.heading = sp->heading;
    st.heading_line = sp->heading_line;
    st.heading_end = sp->heading_line ? sp->heading_end : 0;
    if (!sp->heading_line && sp->heading) sp->heading_sents++;
    sp->heading_line = false;
    VEC_PUSH(s->sents, st);
}

/* An abbreviation pattern matches from the word's start through its full stop. */
static bool is_abbrev(rachis_scanner *s, size_t word_start, size_t dot)
{
    if (dot <= word_start || dot - word_start > 12) return false;
    if (scan_match_at(s, G_ABBREV, s->text, s->len, word_start, s->md2) < 0) return false;
    return pcre2_get_ovector_pointer(s->md2)[1] == dot + 1;
}

/* "Label:" at the start of a template line: a few words and a colon. */
static bool label_line(const char *t, size_t a, size_t e)
{
    size_t i = a;
    if (i >= e || !rx_isalpha((unsigned char)t[i])) return false;
    for (; i < e && i - a < 48; i++) {
        unsigned char c = (unsigned char)t[i];
        if (c == ':') return i + 1 == e || t[i + 1] == ' ' || t[i + 1] == '\t';
        if (!(rx_isalnum(c) || c == ' ' || c == '/' || c == '-' || c == '&' || c == '(' || c == ')' || c == ',' ||
              c == '\'' || c == '.'))
            return false;
    }
    return false;
}

/* Letters in a row from I (forward) or before I (backward). */
static size_t letters_from(const char *t, size_t i, size_t e)
{
    size_t j = i;
    while (j < e && rx_isalpha((unsigned char)t[j])) j++;
    return j - i;
}

static size_t letters_before(const char *t, long start, size_t i)
{
    size_t j = i;
    while ((long)j > start && rx_isalpha((unsigned char)t[j - 1])) j--;
    return i - j;
}

/* A full stop at K with no space after it still ends a sentence when two
 * sentences were glued by dictation or typing: "heights maintained.No
 * fracture", "T12.No retropulsion", "alignment normal.vertebral bodies ...".
 * Not: decimals ("3.5"), "e.g", file names of one letter words. */
static bool glued_sentence(const char *t, long start, size_t k, size_t e)
{
    if (k + 2 >= e || (long)k <= start) return false;
    unsigned char before = (unsigned char)t[k - 1], after = (unsigned char)t[k + 1];
    if (!rx_isalnum(before) || !rx_isalpha(after)) return false;
    if (rx_isupper(after) && rx_islower((unsigned char)t[k + 2])) return true;   /* ".No fracture" */
    return letters_before(t, start, k) >= 3 && letters_from(t, k + 1, e) >= 3;
}

/* Bytes that may end a sentence. */
static const bool terminal[256] = {['.'] = true, ['!'] = true, ['?'] = true};
static const bool terminal_cells[256] = {['.'] = true, ['!'] = true, ['?'] = true, ['|'] = true};   /* in table rows */

/* ... and '|' in a row that a level heading opens ("Level: T8 | Finding: ... |
 * Collapse: none"): each cell is a statement about the heading's level.  In a
 * columnar table ("| T12 | Lytic metastasis | Smaller |") the row stays whole. */
/* The first \n or \r at or after I in T[0..n), or n: memchr, which reads
 * many bytes a step, for the \n; then for a \r before it (rare but for CRLF). */
static size_t line_end(const char *t, size_t i, size_t n)
{
    const char *nl = memchr(t + i, '\n', n - i);
    size_t le = nl ? (size_t)(nl - t) : n;
    const char *cr = memchr(t + i, '\r', le - i);
    return cr ? (size_t)(cr - t) : le;
}

static bool ends_sentence(const splitter *sp, unsigned char c) { return (sp->cells ? terminal_cells : terminal)[c]; }

/* Scans [a, e) of one line for sentence ends; LEND is the line's last
 * non-space byte + 1. */
static void scan_line(splitter *sp, size_t a, size_t e)
{
    rachis_scanner *s = sp->s;
    const char *t = s->text;
    size_t j = a;
    while (j < e) {
        if (sp->sent_start < 0) {
            while (j < e && (rx_isspace((unsigned char)t[j]) || t[j] == '\0')) j++;
            if (j == e) break;
            sp->sent_start = (long)j;
        }
        /* to the next byte that may end the sentence */
        size_t k = j, cut = (size_t)sp->sent_start + MAX_SENTENCE + 1;
        const bool *stop = sp->cells ? terminal_cells : terminal;
        if (cut > e) cut = e;
        while (k < cut && !stop[(unsigned char)t[k]]) k++;
        /* a "sentence" of thousands of bytes is not one: cut it at a space */
        while (k < e && !stop[(unsigned char)t[k]] && !rx_isspace((unsigned char)t[k])) k++;
        if (k == e) break;
        if (!ends_sentence(sp, (unsigned char)t[k])) {   /* the length cut */
            size_t end = k;
            while (end > (size_t)sp->sent_start && rx_isspace((unsigned char)t[end - 1])) end--;
            sp->last_nonspace = end;
            end_sentence(sp);
            j = k;
            continue;
        }
        unsigned char c = (unsigned char)t[k];
        j = k + 1;
        if (k == (size_t)sp->sent_start) continue;
        size_t next = k + 1;
        while (next < e && (t[next] == ')' || t[next] == '"' || t[next] == '\'')) next++;
        if (next < e && !rx_isspace((unsigned char)t[next]) && !(c == '.' && next == k + 1 && glued_sentence(t, sp->sent_start, k, e)))
            continue;
        /* "new leg weakness, ? cauda equina syndrome": a question mark before its words */
        if (c == '?' && rx_isspace((unsigned char)t[k - 1])) continue;
        if (c == '?' && (t[k - 1] == ',' || t[k - 1] == '(')) continue;
        if (c == '.') {
            size_t ws = k;
            while (ws > (size_t)sp->sent_start && !rx_isspace((unsigned char)t[ws - 1]) && t[ws - 1] != '(') ws--;
            if (is_abbrev(s, ws, k)) continue;
        }
        sp->last_nonspace = next;
        end_sentence(sp);
        j = next;
    }
}

static size_t first_word_len(const char *t, size_t a, size_t e)
{
    size_t i = a;
    while (i < e && !rx_isspace((unsigned char)t[i])) i++;
    return i - a;
}

void segment_text(rachis_scanner *s, const rachis_input *in)
{
    const char *t = s->text;
    size_t n = s->len;
    /* the text's wrap width: its longest line */
    size_t width = 0;
    for (const char *p = t, *end = t + n; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t l = (size_t)((nl ? nl : end) - p);
        if (l && p[l - 1] == '\r') l--;
        if (l > width) width = l;
        p = nl ? nl + 1 : end;
    }

    splitter sp;
    memset(&sp, 0, sizeof sp);
    sp.s = s;
    sp.in = in;
    sp.sent_start = -1;
    sp.section = RACHIS_SEC_OTHER;
    size_t prev_len = 0;            /* length of the previous non-blank line */
    char prev_last = 0;             /* its last non-space character */
    bool prev_blank = true;
    size_t ls = 0;
    while (ls < n) {
        size_t le = line_end(t, ls, n);
        size_t next = le + 1;            /* \n, \r, or \r\n end a line */
        if (le + 1 < n && t[le] == '\r' && t[le + 1] == '\n') next = le + 2;
        size_t fn = ls;
        while (fn < le && (t[fn] == ' ' || t[fn] == '\t' || t[fn] == '\0')) fn++;
        size_t lend = le;
        while (lend > fn && rx_isspace((unsigned char)t[lend - 1])) lend--;
        if (fn >= le) {                  /* blank line: paragraph break */
            end_sentence(&sp);
            if (!prev_blank) sp.para++;
            if (sp.heading && sp.heading_sents) sp.heading = 0;
            sp.cells = false;
            prev_blank = true;
            ls = next;
            continue;
        }
        size_t body = fn;
        span3 hb, lb, db;
        const span3 *h = !in->n_sections && may_be_header(s->e, t, fn, lend) && line_match(s, G_SECTION, ls, &hb) ? &hb : NULL;
        if (h && h->within && !(h->within & (1u << sp.section))) h = NULL;   /* a header only inside some sections */
        const span3 *lm = may_be_listmark(t, fn, lend) && line_match(s, G_LISTMARK, ls, &lb) ? &lb : NULL;
        const span3 *hd = may_be_heading(t, fn, lend) && line_match(s, G_HEADING, ls, &db) ? &db : NULL;
        /* does the open sentence run on from the previous line (hard wrap)? */
        /* a line that ends well short of the text's width was not wrapped: in a
         * terse report ("no pathological #" / "no epidural disease") each line
         * is a statement, whatever case its next line starts with */
        bool open = sp.sent_start >= 0 && !prev_blank;
        size_t fill = prev_len + 1 + first_word_len(t, fn, lend);
        bool near_width = fill > width * 3 / 4;
        bool cont = open && prev_last != ':' &&
                    (((rx_islower((unsigned char)t[fn]) || prev_len >= 60) && near_width) ||
                     rx_isdigit((unsigned char)t[fn]) || prev_last == ',' || (prev_len >= 35 && fill > width));
        if (hd && cont) hd = NULL;   /* "...enhancement from\nL1 to S1, without..." is no heading */
        if (h) {
            end_sentence(&sp);
            sp.section = h->tag;
            sp.para++;
            sp.heading = 0;
            body = h->end;
            while (body < lend && (t[body] == ' ' || t[body] == '\t')) body++;
        } else if (lm || hd || (label_line(t, fn, lend) && !(cont && rx_islower((unsigned char)t[fn])))) {
            end_sentence(&sp);
            sp.para++;
            if (lm && !hd) body = lm->end;   /* the "1." or "-" is not part of the sentence */
            if (lm && !hd && sp.heading_item) sp.heading = 0;   /* "- Other levels: ..." after "- T10: ..." */
        } else if (open && !cont) {
            end_sentence(&sp);
        }
        if (hd && !h) {
            sp.heading = levels_in(s, hd->start, hd->end);
            sp.heading_sents = 0;
            sp.heading_line = sp.heading != 0;
            sp.heading_end = hd->end;
            sp.heading_item = lm != NULL;
            sp.cells = memchr(t + hd->end, '|', lend - hd->end) != NULL || (hd->end < lend && t[hd->end] == '|');
            if (!sp.heading_line) sp.heading = 0;
        }
        if (body < lend) {
            scan_line(&sp, body, lend);
            if (sp.sent_start >= 0) sp.last_nonspace = lend;   /* the sentence runs to the line's end */
        }
        if (hd && !h && sp.sent_start >= 0 && lend > 0 && t[lend - 1] == ':') end_sentence(&sp);
        prev_len = lend - ls;
        prev_last = lend > fn ? t[lend - 1] : 0;
        prev_blank = false;
        ls = next;
    }
    end_sentence(&sp);
}
