/* patterns.c — reads the pattern files of patterns/: the line format, shared
 * {NAME} sub-patterns, space rewriting, and validation of every rule with
 * file:line:col diagnostics (all of them, not the first). */
#include "engine.h"
#include "diag.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[K_KIND_COUNT] = {
    "define", "section", "abbrev", "listmark", "level", "value", "levelsep", "heading",
    "anaphor", "region", "levelbind", "anchor", "stem", "levelstem", "triggerstem", "sectionstem", "rule", "exclude", "veto", "attr", "trigger",
    "primary", "sins", "primarystem", "primarygate", "sinsstem", "levelnot",
};

const char *rule_kind_name(rule_kind k) { return (unsigned)k < K_KIND_COUNT ? kind_names[k] : "?"; }

static const char *const class_names[T_CLASS_COUNT] = {
    "negated", "possible", "hypothetical", "historical", "present", "pseudo", "terminator",
};

/* Where each byte of a regex came from, for diagnostics. */
typedef struct srcpos { int line, col; } srcpos;
typedef VEC(srcpos) srcpos_vec;

/* A rule while it is being read. */
typedef struct draft {
    rule r;
    char **lines;          /* the source lines the rule spans (for carets) */
    rachis_buf src;        /* regex source */
    srcpos_vec pos;        /* source position of each byte of src */
    size_t nlines;         /* length of lines[] */
    int state;             /* define expansion: 0 new, 1 in progress, 2 done */
    rachis_buf exp;        /* expansion (defines) */
    bool bad;
} draft;

typedef struct loader {
    rachis_diags *diags;
    VEC(draft) drafts;
    VEC(char *) all_lines;   /* owns every line read, for diagnostics */
    char *file;
    char *stem;
} loader;

static const char *line_text(loader *L, draft *d, int line)
{
    (void)d;
    if (line <= 0 || (size_t)line > L->all_lines.n) return NULL;
    return L->all_lines.v[line - 1];
}

/* ---------------------------------------------------------------- parsing */

static bool parse_concepts(const char *v, unsigned *mask)
{
    *mask = 0;
    char *copy = rx_strdup(v), *save = NULL;
    bool ok = true;
    for (char *t = strtok_r(copy, "+,", &save); t; t = strtok_r(NULL, "+,", &save)) {
        int c = rachis_concept_from_name(t);
        if (c < 0) { ok = false; break; }
        *mask |= 1u << c;
    }
    free(copy);
    return ok && *mask;
}

static bool parse_sections(const char *v, unsigned *mask)
{
    *mask = 0;
    char *copy = rx_strdup(v), *save = NULL;
    bool ok = true;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        int s = rachis_section_from_name(t);
        if (s < 0) { ok = false; break; }
        *mask |= 1u << s;
    }
    free(copy);
    return ok && *mask;
}

/* key=value of an attribute slot, for the concepts of the rule. */
static bool parse_attr(loader *L, draft *d, const char *key, const char *val, int line, int col)
{
    bool any = false;
    for (int c = 0; c < RACHIS_CONCEPT_COUNT; c++) {
        if (!(d->r.concepts & (1u << c))) continue;
        int slot = attr_slot((rachis_concept)c, key);
        if (slot < 0) continue;
        any = true;
        size_t n;
        const rachis_attr_def *def = &rachis_concept_attrs((rachis_concept)c, &n)[slot];
        if (d->r.n_sets == MAX_ATTR_SETS) {
            diag_add(L->diags, RACHIS_DIAG_ERROR, L->file, line, col, line_text(L, d, line),
                     "too many attribute assignments (at most %d)", MAX_ATTR_SETS);
            return false;
        }
        attr_set *s = &d->r.sets[d->r.n_sets];
        memset(s, 0, sizeof *s);
        s->concept = c;
        s->slot = slot;
        s->value.set = true;
        if (val[0] == '$' && def->kind == RACHIS_ATTR_NUMBER) {
            s->group = rx_strdup(val + 1);
        } else if (def->kind == RACHIS_ATTR_NUMBER) {
            char *end;
            s->value.number = strtod(val, &end);
            if (*end || end == val) {
                diag_add(L->diags, RACHIS_DIAG_ERROR, L->file, line, col, line_text(L, d, line),
                         "attribute '%s' takes a number or $group, not '%s'", key, val);
                return false;
            }
        } else if (def->kind == RACHIS_ATTR_BOOL) {
            if (!strcmp(val, "true")) s->value.ivalue = 1;
            else if (!strcmp(val, "false")) s->value.ivalue = 0;
            else {
                diag_add(L->diags, RACHIS_DIAG_ERROR, L->file, line, col, line_text(L, d, line),
                         "attribute '%s' takes true or false, not '%s'", key, val);
                return false;
            }
        } else {
            int idx = attr_value_index(def, val);
            if (idx < 0) {
                diag_add(L->diags, RACHIS_DIAG_ERROR, L->file, line, col, line_text(L, d, line),
                         "attribute '%s' has no value '%s'", key, val);
                return false;
            }
            s->value.ivalue = def->kind == RACHIS_ATTR_SET ? (1 << idx) : idx;
        }
        d->r.n_sets++;
    }
    if (!any)
        diag_add(L->diags, RACHIS_DIAG_ERROR, L->file, line, col, line_text(L, d, line),
                 "unknown key '%s' for %s", key, kind_names[d->r.kind]);
    return any;
}

static bool parse_key(loader *L, draft *d, const char *key, const char *val, int line, int col)
{
    rule *r = &d->r;
    const char *lt = line_text(L, d, line);
    if (!strcmp(key, "concept") && (r->kind == K_RULE || r->kind == K_EXCLUDE || r->kind == K_ATTR ||
                                     r->kind == K_ANCHOR || r->kind == K_VETO || r->kind == K_STEM)) {
        if (!parse_concepts(val, &r->concepts)) {
            diag_add(L->diags, RACHIS_DIAG_ERROR, L->file, line, col, lt,
                     "unknown concept '%s' (compression_fracture, cord_compression, "
                     "soft_tissue_extension, metastasis)", val);
            return false;
        }
        return true;
    }
    if (!strcmp(key, "within") && r->kind == K_SECTION) {
        if (!parse_sections(val, &r->sections_mask)) {
            diag_add(L->diags, RACHIS_DIAG_ERROR, L->file, line, col, lt, "unknown section in '%s'", val);
            return false;
        }
        return true;
    }
    if (!strcmp(key, "to") && r->kind == K_SECTION) {
        r->section = rachis_section_from_name(val);
        if (r->section < 0) {
            diag_add(L->diags, RACHIS_DIAG_ERROR, L->file, line, col, lt, "unknown section '%s'", val);
            return false;
        }
        return true;
    }
    if (r->kind == K_VALUE && (!strcmp(key, "to") || !strcmp(key, "class"))) {
        char **slot = !strcmp(key, "to") ? &r->vto : &r->vclass;
        free(*slot);   /* a repeated key: the last one wins */
        *slot = rx_strdup(val);
        return true;
    }
    if (r->kind == K_PRIMARY && !strcmp(key, "site")) {
        if (strcmp(val, "none") && primary_site_index(val) < 0) {
            diag_add(L->diags, RACHIS_DIAG_ERROR, L->file, line, col, lt,
                     "unknown primary site '%s' (lung, breast, prostate, kidney, thyroid, colorectal, liver, "
                     "melanoma, myeloma, lymphoma, other, unknown, or none for words that name no primary)", val);
            return false;
        }
        free(r->vto);
        r->vto = rx_strdup(val);
        return true;
    }
    if (r->kind == K_SINS && !strcmp(key, "item")) {
        if (sins_statement_item(val) < 0) {
            diag_add(L->diags, RACHIS_DIAG_ERROR, L->file, line, col, lt,
                     "unknown SINS item '%s' (alignment, posterolateral, collapse, lesion)", val);
            return false;
        }
        free(r->vclass);
        r->vclass = rx_strdup(val);
        return true;
    }
    if (r->kind == K_SINS && !strcmp(key, "value")) {
        free(r->vto);
        r->vto = rx_strdup(val);
        return true;
    }
    if (r->kind == K_RULE && !strcmp(key, "weak")) {
        if (strcmp(val, "true") && strcmp(val, "false")) {
            diag_add(L->diags, RACHIS_DIAG_ERROR, L->file, line, col, lt, "weak takes true or false, not '%s'", val);
            return false;
        }
        r->weak = !strcmp(val, "true");
        return true;
    }
    if (r->kind == K_RULE && !strcmp(key, "negated")) {
        if (strcmp(val, "drop") && strcmp(val, "keep")) {
            diag_add(L->diags, RACHIS_DIAG_ERROR, L->file, line, col, lt, "negated takes 'drop' or 'keep', not '%s'", val);
            return false;
        }
        r->drop_negated = !strcmp(val, "drop");
        return true;
    }
    if (r->kind == K_RULE && !strcmp(key, "assertion")) {
        r->assertion = rachis_assertion_from_name(val);
        if (r->assertion < 0) {
            diag_add(L->diags, RACHIS_DIAG_ERROR, L->file, line, col, lt, "unknown assertion '%s'", val);
            return false;
        }
        return true;
    }
    if (r->kind == K_TRIGGER) {
        if (!strcmp(key, "class")) {
            for (int i = 0; i < T_CLASS_COUNT; i++)
                if (!strcmp(val, class_names[i])) { r->tclass = i; return true; }
            diag_add(L->diags, RACHIS_DIAG_ERROR, L->file, line, col, lt,
                     "unknown trigger class '%s' (negated, possible, hypothetical, historical, "
                     "present, pseudo, terminator)", val);
            return false;
        }
        if (!strcmp(key, "dir")) {
            if (!strcmp(val, "forward")) r->dir = DIR_FORWARD;
            else if (!strcmp(val, "backward")) r->dir = DIR_BACKWARD;
            else if (!strcmp(val, "both")) r->dir = DIR_BOTH;
            else {
                diag_add(L->diags, RACHIS_DIAG_ERROR, L->file, line, col, lt,
                         "unknown direction '%s' (forward, backward, both)", val);
                return false;
            }
            return true;
        }
        if (!strcmp(key, "scope")) {
            char *end;
            long v = strtol(val, &end, 10);
            if (*end || v < 0 || v > 100) {
                diag_add(L->diags, RACHIS_DIAG_ERROR, L->file, line, col, lt,
                         "scope must be a number of words from 0 to 100, not '%s'", val);
                return false;
            }
            r->scope = (int)v;
            return true;
        }
        if (!strcmp(key, "ends")) {   /* the classes whose scope this trigger also ends */
            char *copy = rx_strdup(val), *save = NULL;
            bool ok = true;
            for (char *c = strtok_r(copy, ",", &save); c && ok; c = strtok_r(NULL, ",", &save)) {
                int k = -1;
                for (int i = 0; i < T_PSEUDO; i++)
                    if (!strcmp(c, class_names[i])) k = i;
                if (k < 0) {
                    diag_add(L->diags, RACHIS_DIAG_ERROR, L->file, line, col, lt,
                             "ends takes classes (negated, possible, hypothetical, historical, present), not '%s'", c);
                    ok = false;
                } else {
                    r->ends_mask |= 1u << k;
                }
            }
            free(copy);
            return ok;
        }
        if (!strcmp(key, "stops")) {
            if (!strcmp(val, "assertion")) r->assertion_only = true;
            else if (!strcmp(val, "historical")) r->assertion_only = r->historical_only = true;
            else if (strcmp(val, "all")) {
                diag_add(L->diags, RACHIS_DIAG_ERROR, L->file, line, col, lt,
                         "stops takes 'all', 'assertion' or 'historical', not '%s'", val);
                return false;
            }
            return true;
        }
        if (!strcmp(key, "sections")) {
            if (!parse_sections(val, &r->sections_mask)) {
                diag_add(L->diags, RACHIS_DIAG_ERROR, L->file, line, col, lt, "unknown section in '%s'", val);
                return false;
            }
            return true;
        }
    }
    if ((r->kind == K_RULE || r->kind == K_ATTR) && r->concepts)
        return parse_attr(L, d, key, val, line, col);
    diag_add(L->diags, RACHIS_DIAG_ERROR, L->file, line, col, lt, "unknown key '%s' for %s", key,
             kind_names[r->kind]);
    return false;
}

static void src_add(draft *d, const char *s, size_t n, int line, int col)
{
    buf_append(&d->src, s, n);
    for (size_t i = 0; i < n; i++) {
        srcpos p = {line, col + (int)i};
        VEC_PUSH(d->pos, p);
    }
}

/* Reads one directive line; returns false when it could not start a rule. */
static bool parse_directive(loader *L, char *text, int line)
{
    const char *lt = text;
    draft d;
    memset(&d, 0, sizeof d);
    d.r.line = line;
    d.r.assertion = -1;
    d.r.section = -1;
    d.r.tclass = -1;
    d.r.dir = 0;
    d.r.scope = -1;
    char *p = text;
    char *assign = strstr(text, ":=");
    char *head_end = assign ? assign : text + strlen(text);
    /* kind */
    while (p < head_end && !rx_isspace((unsigned char)*p)) p++;
    char *kind = rx_strndup(text, (size_t)(p - text));
    int k = -1;
    for (int i = 0; i < K_KIND_COUNT; i++)
        if (!strcmp(kind, kind_names[i])) k = i;
    if (k < 0) {
        diag_add(L->diags, RACHIS_DIAG_ERROR, L->file, line, 1, lt,
                 "unknown directive '%s' (define, section, abbrev, listmark, level, value, levelsep, "
                 "heading, anaphor, region, levelbind, anchor, stem, levelstem, triggerstem, sectionstem, rule, exclude, veto, attr, trigger, primary, sins, primarystem, primarygate, sinsstem, levelnot)", kind);
        free(kind);
        return false;
    }
    free(kind);
    d.r.kind = (rule_kind)k;
    /* name */
    while (p < head_end && rx_isspace((unsigned char)*p)) p++;
    char *nstart = p;
    while (p < head_end && !rx_isspace((unsigned char)*p)) p++;
    if (p == nstart) {
        diag_add(L->diags, RACHIS_DIAG_ERROR, L->file, line, (int)(nstart - text) + 1, lt,
                 "%s needs a name", kind_names[k]);
        return false;
    }
    d.r.name = rx_strndup(nstart, (size_t)(p - nstart));
    for (char *c = d.r.name; *c; c++) {
        if (!rx_isalnum((unsigned char)*c) && *c != '-' && *c != '_' && *c != '.') {
            diag_add(L->diags, RACHIS_DIAG_ERROR, L->file, line, (int)(nstart - text) + 1 + (int)(c - d.r.name),
                     lt, "a name may hold letters, digits, '-', '_' and '.' only");
            d.bad = true;
            break;
        }
    }
    if (d.r.kind == K_DEFINE)
        for (char *c = d.r.name; *c; c++)
            if (!(rx_isupper((unsigned char)*c) || rx_isdigit((unsigned char)*c) || *c == '_') && !d.bad) {
                diag_add(L->diags, RACHIS_DIAG_ERROR, L->file, line, (int)(nstart - text) + 1, lt,
                         "a define's name is written in capitals, digits and '_' (it is used as {NAME})");
                d.bad = true;
                break;
            }
    d.r.id = rx_sprintf("%s:%s", L->stem, d.r.name);
    /* keys */
    for (;;) {
        while (p < head_end && rx_isspace((unsigned char)*p)) p++;
        if (p >= head_end) break;
        char *ks = p;
        while (p < head_end && !rx_isspace((unsigned char)*p)) p++;
        char *tok = rx_strndup(ks, (size_t)(p - ks));
        char *eq = strchr(tok, '=');
        int col = (int)(ks - text) + 1;
        if (!eq || eq == tok) {
            diag_add(L->diags, RACHIS_DIAG_ERROR, L->file, line, col, lt, "expected key=value or ':=', found '%s'", tok);
            d.bad = true;
        } else {
            *eq = '\0';
            if (!parse_key(L, &d, tok, eq + 1, line, col)) d.bad = true;
        }
        free(tok);
    }
    if (!assign) {
        diag_add(L->diags, RACHIS_DIAG_ERROR, L->file, line, (int)strlen(text) + 1, lt,
                 "missing ':=' before the pattern");
        d.bad = true;
    } else {
        char *rx = assign + 2;
        while (*rx == ' ' || *rx == '\t') rx++;
        src_add(&d, rx, strlen(rx), line, (int)(rx - text) + 1);
    }
    VEC_PUSH(L->drafts, d);
    return true;
}

/* Checks the keys each kind requires, once the rule is read. */
static void check_required(loader *L, draft *d)
{
    rule *r = &d->r;
    const char *lt = line_text(L, d, r->line);
    const char *missing = NULL;
    if (d->bad) return;   /* its own error says enough */
    switch (r->kind) {
    case K_SECTION: if (r->section < 0) missing = "to=SECTION"; break;
    case K_VALUE: if (!r->vclass) missing = "class=CLASS"; else if (!r->vto) missing = "to=VALUE"; break;
    case K_PRIMARY: if (!r->vto) missing = "site=SITE"; break;
    case K_SINS:
        if (!r->vclass) missing = "item=ITEM";
        else if (!r->vto) missing = "value=VALUE";
        else if (!sins_statement_valid(sins_statement_item(r->vclass), r->vto)) {
            diag_add(L->diags, RACHIS_DIAG_ERROR, L->file, r->line, 1, lt, "sins %s: '%s' is not a value of %s",
                     r->name, r->vto, r->vclass);
            d->bad = true;
        }
        break;
    case K_RULE: case K_EXCLUDE: case K_ATTR: case K_VETO: if (!r->concepts) missing = "concept=CONCEPT"; break;
    case K_TRIGGER:
        if (r->tclass < 0) missing = "class=CLASS";
        else if (r->tclass != T_TERMINATOR && r->tclass != T_PSEUDO && !r->dir) missing = "dir=DIRECTION";
        else if (r->tclass != T_TERMINATOR && r->tclass != T_PSEUDO && r->scope < 0) missing = "scope=WORDS";
        break;
    default: break;
    }
    if (r->kind == K_ATTR && !missing && r->n_sets == 0) missing = "an attribute assignment (name=value)";
    if (missing) {
        diag_add(L->diags, RACHIS_DIAG_ERROR, L->file, r->line, 1, lt, "%s %s needs %s", kind_names[r->kind],
                 r->name, missing);
        d->bad = true;
    }
    if (d->src.len == 0 && !d->bad) {
        diag_add(L->diags, RACHIS_DIAG_ERROR, L->file, r->line, 1, lt, "%s %s has an empty pattern",
                 kind_names[r->kind], r->name);
        d->bad = true;
    }
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    rachis_buf b = {0};
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) buf_append(&b, tmp, n);
    fclose(f);
    buf_cstr(&b);
    *len = b.len;
    return b.data;
}

static void load_file(loader *L, const char *path, const char *stem)
{
    size_t len;
    char *data = read_file(path, &len);
    if (!data) {
        diag_add(L->diags, RACHIS_DIAG_ERROR, path, 0, 0, NULL, "cannot read: %s", strerror(errno));
        return;
    }
    L->file = rx_strdup(path);
    L->stem = rx_strdup(stem);
    for (size_t i = 0; i < L->all_lines.n; i++) free(L->all_lines.v[i]);
    L->all_lines.n = 0;
    char *s = data;
    while (s < data + len) {
        char *e = memchr(s, '\n', (size_t)(data + len - s));
        if (!e) e = data + len;
        size_t n = (size_t)(e - s);
        if (n && s[n - 1] == '\r') n--;
        char *l = rx_strndup(s, n);
        VEC_PUSH(L->all_lines, l);
        s = e + 1;
    }
    free(data);
    size_t first = L->drafts.n;
    draft *cur = NULL;
    for (size_t i = 0; i < L->all_lines.n; i++) {
        char *l = L->all_lines.v[i];
        int line = (int)i + 1;
        size_t n = strlen(l);
        while (n && (l[n - 1] == ' ' || l[n - 1] == '\t')) l[--n] = '\0';
        char *t = l;
        while (*t == ' ' || *t == '\t') t++;
        if (!*t) continue;
        if (*t == '#') continue;
        if (t != l) {
            if (!cur) {
                diag_add(L->diags, RACHIS_DIAG_ERROR, L->file, line, (int)(t - l) + 1, l,
                         "continuation line without a rule before it");
                continue;
            }
            src_add(cur, t, strlen(t), line, (int)(t - l) + 1);
            continue;
        }
        if (cur) check_required(L, cur);
        cur = parse_directive(L, l, line) ? &L->drafts.v[L->drafts.n - 1] : NULL;
        if (cur) cur->r.file = rx_strdup(L->file);
    }
    if (cur) check_required(L, cur);
    /* duplicate ids within the file */
    for (size_t i = first; i < L->drafts.n; i++)
        for (size_t j = first; j < i; j++)
            if (!strcmp(L->drafts.v[i].r.name, L->drafts.v[j].r.name) &&
                L->drafts.v[i].r.kind != K_VALUE) {
                diag_add(L->diags, RACHIS_DIAG_ERROR, L->file, L->drafts.v[i].r.line, 1,
                         line_text(L, &L->drafts.v[i], L->drafts.v[i].r.line),
                         "duplicate name '%s' (first at line %d)", L->drafts.v[i].r.name, L->drafts.v[j].r.line);
                L->drafts.v[i].bad = true;
                break;
            }
    /* keep the caret text: copy source lines into the drafts */
    for (size_t i = first; i < L->drafts.n; i++) {
        draft *d = &L->drafts.v[i];
        d->nlines = L->all_lines.n;
        d->lines = rx_calloc(d->nlines + 1, sizeof(char *));
        for (size_t j = 0; j < d->pos.n; j++) {
            int ln = d->pos.v[j].line;
            if (!d->lines[ln - 1]) d->lines[ln - 1] = rx_strdup(L->all_lines.v[ln - 1]);
        }
        if (!d->lines[d->r.line - 1]) d->lines[d->r.line - 1] = rx_strdup(L->all_lines.v[d->r.line - 1]);
    }
    free(L->file);
    free(L->stem);
    L->file = L->stem = NULL;
}

/* -------------------------------------------------------------- expansion */

static draft *find_define(loader *L, const char *name, size_t n)
{
    for (size_t i = 0; i < L->drafts.n; i++) {
        draft *d = &L->drafts.v[i];
        if (d->r.kind == K_DEFINE && strlen(d->r.name) == n && !memcmp(d->r.name, name, n)) return d;
    }
    return NULL;
}

static const char *draft_line(draft *d, int line)
{
    return d->lines && line > 0 && (size_t)line <= d->nlines ? d->lines[line - 1] : NULL;
}

/* Expands D's source into OUT (with the source position of every byte into
 * POS when given).  A space outside a character class becomes (?:\s+) (one
 * inside a class stays a space); {NAME} becomes (?:the define's expansion). */
static bool expand(loader *L, draft *d, rachis_buf *out, srcpos_vec *pos)
{
    const char *s = d->src.data ? d->src.data : "";
    size_t n = d->src.len;
    bool in_class = false, ok = true;
    size_t class_start = 0;
#define EMIT(str, len, at)                                                     \
    do {                                                                       \
        buf_append(out, (str), (len));                                         \
        if (pos) for (size_t e_ = 0; e_ < (size_t)(len); e_++) VEC_PUSH(*pos, d->pos.v[(at)]); \
    } while (0)
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\\' && i + 1 < n) {
            if (s[i + 1] == 'Q') {   /* \Q...\E copied verbatim */
                size_t end = n;   /* bounded search: the source may hold NUL bytes */
                for (size_t k = i + 2; k + 1 < n; k++)
                    if (s[k] == '\\' && s[k + 1] == 'E') { end = k + 2; break; }
                EMIT(s + i, end - i, i);
                i = end - 1;
                continue;
            }
            EMIT(s + i, 2, i);
            i++;
            continue;
        }
        if (in_class) {
            if (c == ']' && i > class_start) in_class = false;
            EMIT(&c, 1, i);
            continue;
        }
        if (c == '[') {
            in_class = true;
            EMIT(&c, 1, i);
            class_start = i + 1;
            if (class_start < n && s[class_start] == '^') { EMIT("^", 1, class_start); i++; class_start++; }
            if (class_start < n && s[class_start] == ']') { EMIT("]", 1, class_start); i++; class_start++; }
            continue;
        }
        if (c == ' ') {
            size_t j = i;
            while (j + 1 < n && s[j + 1] == ' ') j++;
            EMIT("(?:\\s+)", 7, i);
            i = j;
            continue;
        }
        if (c == '{' && i + 1 < n && rx_isupper((unsigned char)s[i + 1])) {
            size_t j = i + 1;
            while (j < n && (rx_isupper((unsigned char)s[j]) || rx_isdigit((unsigned char)s[j]) || s[j] == '_')) j++;
            if (j < n && s[j] == '}') {
                draft *def = find_define(L, s + i + 1, j - i - 1);
                if (!def) {
                    diag_add(L->diags, RACHIS_DIAG_ERROR, d->r.file, d->pos.v[i].line, d->pos.v[i].col,
                             draft_line(d, d->pos.v[i].line), "undefined sub-pattern {%.*s}", (int)(j - i - 1),
                             s + i + 1);
                    ok = false;
                } else if (def->state == 1) {
                    diag_add(L->diags, RACHIS_DIAG_ERROR, d->r.file, d->pos.v[i].line, d->pos.v[i].col,
                             draft_line(d, d->pos.v[i].line), "sub-pattern {%s} refers to itself",
                             def->r.name);
                    ok = false;
                } else {
                    if (def->state == 0) {
                        def->state = 1;
                        if (!expand(L, def, &def->exp, NULL)) def->bad = true;
                        def->state = 2;
                    }
                    if (def->bad) ok = false;
                    EMIT("(?:", 3, i);
                    EMIT(def->exp.data ? def->exp.data : "", def->exp.len, i);
                    EMIT(")", 1, i);
                }
                i = j;
                continue;
            }
        }
        EMIT(&c, 1, i);
    }
    if (in_class) {
        diag_add(L->diags, RACHIS_DIAG_ERROR, d->r.file, d->pos.v[class_start - 1].line,
                 d->pos.v[class_start - 1].col, draft_line(d, d->pos.v[class_start - 1].line),
                 "missing terminating ] for character class");
        ok = false;
    }
#undef EMIT
    return ok;
}

/* Compiles the expanded pattern of D to check it; reports errors at their
 * source position. */
static pcre2_code *compile_checked(loader *L, draft *d, const char *rx, size_t len, srcpos_vec *pos)
{
    int err;
    PCRE2_SIZE off;
    pcre2_code *code = rx_compile(rx, len, 0, &err, &off);
    if (!code) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(err, msg, sizeof msg);
        srcpos p = {d->r.line, 1};
        if (pos->n) p = pos->v[off < pos->n ? off : pos->n - 1];
        if (off >= pos->n && pos->n) p.col++;
        diag_add(L->diags, RACHIS_DIAG_ERROR, d->r.file, p.line, p.col, draft_line(d, p.line), "%s", (char *)msg);
    }
    return code;
}

/* A stem rule is a '|'-separated list of literal word beginnings (and, for
 * trigger stems, single punctuation characters). */
static void check_stems(loader *L, draft *d)
{
    const char *s = d->src.data ? d->src.data : "";
    for (size_t i = 0; i < d->src.len; i++) {
        unsigned char c = (unsigned char)s[i];
        bool lone = (i == 0 || s[i - 1] == '|') && (i + 1 == d->src.len || s[i + 1] == '|');
        bool punct = (d->r.kind == K_TRIGGERSTEM && lone && strchr("?:,(.;'+", c)) || (d->r.kind == K_STEM && lone && c == '#');
        if (c == '\\' && i > 0 && s[i - 1] != '|' && i + 1 < d->src.len && s[i + 1] == 'b' &&
            (i + 2 == d->src.len || s[i + 2] == '|')) {   /* a final \b: the stem is a whole word */
            i++;
            continue;
        }
        if (!(rx_isalnum(c) || c == '|' || c == '-' || c == '/' || c == '\'' || c >= 0x80 || punct) ||
            (c == '|' && (i == 0 || i + 1 == d->src.len || s[i + 1] == '|'))) {
            diag_add(L->diags, RACHIS_DIAG_ERROR, d->r.file, d->pos.v[i].line, d->pos.v[i].col,
                     draft_line(d, d->pos.v[i].line),
                     "a stem is a literal word beginning: letters, digits, '-' or '/', separated by '|' "
                     "(a final \\b: a whole word)");
            d->bad = true;
            return;
        }
    }
    d->r.expanded = rx_strndup(s, d->src.len);
}

static void check_rule(loader *L, draft *d, bool strict)
{
    if (d->r.kind == K_STEM || d->r.kind == K_LEVELSTEM || d->r.kind == K_TRIGGERSTEM || d->r.kind == K_SECTIONSTEM ||
        d->r.kind == K_PRIMARYSTEM || d->r.kind == K_PRIMARYGATE || d->r.kind == K_SINSSTEM) {
        check_stems(L, d);
        return;
    }
    srcpos_vec pos = {0};
    rachis_buf out = {0};
    if (!expand(L, d, &out, &pos)) {
        d->bad = true;
        goto done;
    }
    if (rx_memfind(out.data, out.len, "(*MARK", 6) || rx_memfind(out.data, out.len, "(*:", 3)) {
        diag_add(L->diags, RACHIS_DIAG_ERROR, d->r.file, d->r.line, 1, draft_line(d, d->r.line),
                 "(*MARK) is reserved for rachis");
        d->bad = true;
        goto done;
    }
    pcre2_code *code = compile_checked(L, d, out.data, out.len, &pos);
    if (!code) { d->bad = true; goto done; }
    d->r.expanded = rx_strndup(out.data, out.len);
    for (int i = 0; i < d->r.n_sets; i++)
        if (d->r.sets[i].group &&
            pcre2_substring_number_from_name(code, (PCRE2_SPTR)d->r.sets[i].group) == PCRE2_ERROR_NOSUBSTRING) {
            diag_add(L->diags, RACHIS_DIAG_ERROR, d->r.file, d->r.line, 1, draft_line(d, d->r.line),
                     "the pattern has no group named '%s'", d->r.sets[i].group);
            d->bad = true;
        }
    if (d->r.kind != K_DEFINE) {
        pcre2_match_data *md = pcre2_match_data_create_from_pattern(code, NULL);
        if (pcre2_match(code, (PCRE2_SPTR) "", 0, 0, 0, md, NULL) >= 0)
            diag_add(L->diags, strict ? RACHIS_DIAG_ERROR : RACHIS_DIAG_WARNING, d->r.file, d->r.line, 1,
                     draft_line(d, d->r.line), "%s %s matches the empty string", kind_names[d->r.kind],
                     d->r.name);
        pcre2_match_data_free(md);
    }
    if (d->r.kind == K_VALUE || d->r.kind == K_ABBREV) d->r.code = code;
    else pcre2_code_free(code);
done:
    free(pos.v);
    rachis_buf_free(&out);
}

/* ------------------------------------------------------------------ API */

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void draft_free_aux(draft *d)
{
    if (d->lines) {
        for (size_t i = 0; i < d->nlines; i++) free(d->lines[i]);
        free(d->lines);
    }
    rachis_buf_free(&d->src);
    rachis_buf_free(&d->exp);
    free(d->pos.v);
}

void rules_free(rule *rules, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        rule *r = &rules[i];
        free(r->id); free(r->name); free(r->file); free(r->source); free(r->expanded);
        free(r->vclass); free(r->vto);
        for (int j = 0; j < r->n_sets; j++) free(r->sets[j].group);
        if (r->code) pcre2_code_free(r->code);
    }
    free(rules);
}

rachis_status patterns_load(const char *dir, bool strict, rule **rules_out, size_t *n_out, rachis_diags *diags)
{
    *rules_out = NULL;
    *n_out = 0;
    rachis_diags local;
    rachis_diags_init(&local);
    if (!diags) diags = &local;
    size_t errors_before = diags->errors;
    loader L;
    memset(&L, 0, sizeof L);
    L.diags = diags;
    DIR *dh = opendir(dir);
    if (!dh) {
        diag_add(diags, RACHIS_DIAG_ERROR, dir, 0, 0, NULL, "cannot open pattern directory: %s", strerror(errno));
        rachis_diags_free(&local);
        return RACHIS_ERR_PATTERN;
    }
    VEC(char *) names = {0};
    struct dirent *de;
    while ((de = readdir(dh))) {
        size_t l = strlen(de->d_name);
        if (l > 6 && !strcmp(de->d_name + l - 6, ".rules") && de->d_name[0] != '.')
            VEC_PUSH(names, rx_strdup(de->d_name));
    }
    closedir(dh);
    if (names.n == 0)
        diag_add(diags, RACHIS_DIAG_ERROR, dir, 0, 0, NULL, "no *.rules files in the pattern directory");
    if (names.n) qsort(names.v, names.n, sizeof *names.v, cmp_str);
    for (size_t i = 0; i < names.n; i++) {
        char *path = rx_sprintf("%s/%s", dir, names.v[i]);
        char *stem = rx_strndup(names.v[i], strlen(names.v[i]) - 6);
        load_file(&L, path, stem);
        free(path);
        free(stem);
        free(names.v[i]);
    }
    free(names.v);
    for (size_t i = 0; i < L.drafts.n; i++) {
        draft *d = &L.drafts.v[i];
        d->r.source = rx_strndup(d->src.data ? d->src.data : "", d->src.len);
        if (d->bad) continue;
        if (d->r.kind == K_DEFINE) {
            if (d->state == 0) {
                d->state = 1;
                if (!expand(&L, d, &d->exp, NULL)) d->bad = true;
                d->state = 2;
            }
        }
    }
    for (size_t i = 0; i < L.drafts.n; i++) {
        draft *d = &L.drafts.v[i];
        if (!d->bad) check_rule(&L, d, strict);
    }
    /* values of one class must not repeat a name; nothing else to check */
    rule *rules = rx_calloc(L.drafts.n, sizeof *rules);
    size_t n = 0;
    for (size_t i = 0; i < L.drafts.n; i++) {
        draft *d = &L.drafts.v[i];
        rules[n++] = d->r;
        draft_free_aux(d);
    }
    for (size_t i = 0; i < L.all_lines.n; i++) free(L.all_lines.v[i]);
    free(L.all_lines.v);
    free(L.drafts.v);
    bool failed = diags->errors > errors_before || (strict && diags->warnings);
    rachis_diags_free(&local);
    if (failed) {
        rules_free(rules, n);
        return RACHIS_ERR_PATTERN;
    }
    *rules_out = rules;
    *n_out = n;
    return RACHIS_OK;
}
