/* scan.h — the per-thread scanner and the per-report working state shared by
 * the pipeline stages (segment, levels, findings, link, context). */
#ifndef RACHIS_SCAN_H
#define RACHIS_SCAN_H

#include "engine.h"

typedef struct sec_span { size_t start, end; int section; } sec_span;

typedef struct sentence {
    size_t start, end;
    int section;
    int para;                  /* paragraph number: blank lines, list items, headings, sections */
    rachis_levelset heading;   /* levels of the level heading it sits under */
    bool heading_line;         /* the sentence is itself a level heading */
    size_t heading_end;        /* ... whose heading ends here */
    bool candidate;            /* holds an anchor: concept rules run on it */
    size_t first_win, n_win;   /* windows around its anchors, where the concept rules run */
    size_t first_group, n_groups;   /* its level groups */
    size_t first_trig, n_trig;      /* its trigger matches (once computed) */
    bool trig_done;
    bool gate;                 /* holds a word of the primary gate (once gates_marked) */
} sentence;

/* One level expression as written ("T10-L2", "twelfth thoracic vertebra"). */
typedef struct mention {
    size_t start, end;
    int first, last;           /* levels, first <= last; a range expands between them */
    rachis_levelset set;
} mention;

/* Mentions joined by list separators ("T4, T6 and T9"). */
typedef struct lgroup {
    size_t start, end;
    rachis_levelset set;
    int sentence;
} lgroup;

/* A stretch of a sentence where concept rules run, and the concepts whose
 * stems were seen there. */
typedef struct window {
    size_t start, end;
    unsigned concepts;
} window;

typedef struct trig {
    size_t start, end;
    const rule *r;
} trig;

/* What the pipeline knows of a finding beyond the record (parallel to findings). */
typedef struct finfo {
    int sent;          /* sentence index */
    bool preset;       /* the rule fixed its assertion */
    bool drop_negated; /* not reported when negated */
    bool weak;         /* dropped when the sentence has a stronger finding of its concept */
} finfo;

typedef VEC(sec_span) sec_vec;
typedef VEC(finfo) finfo_vec;
typedef VEC(sentence) sent_vec;
typedef VEC(mention) mention_vec;
typedef VEC(lgroup) lgroup_vec;
typedef VEC(trig) trig_vec;
typedef VEC(rachis_finding) finding_vec;
typedef VEC(rachis_level_mention) lmention_vec;

struct rachis_scanner {
    const rachis_engine *e;
    rachis_limits limits;
    pcre2_match_data *md;
    pcre2_match_data *md2;       /* for nested matches (values, abbreviations) */
    pcre2_match_context *mctx;
    pcre2_jit_stack *jit;
    bool limit_hit;              /* a regex hit its match/depth limit */
    bool gates_marked;           /* the candidate pass set each sentence's `gate` */
    /* per report */
    const char *text;
    size_t len;
    sec_vec secs;
    sent_vec sents;
    mention_vec mentions;
    lgroup_vec groups;
    trig_vec trigs;
    VEC(window) wins;
    VEC(window) hits;           /* stem and anchor hits, in text order */
    finding_vec findings;
    finfo_vec finfo;
    lmention_vec out_levels;
    VEC(rachis_sins) sins;
    rachis_record rec;
    /* rachis_assert_target: the sentence whose triggers are in trigs, so that
     * the next target in the same sentence reuses them */
    struct {
        char *text;
        size_t len, cap;
        int section;
        bool valid, limit_hit;
    } last;
};

/* Runs group G's regex on text[0..len) from START; returns pcre2_match's
 * result.  Limit errors set s->limit_hit and return -1 (no match). */
int scan_match(rachis_scanner *s, int g, const char *text, size_t len, size_t start, uint32_t opts,
               pcre2_match_data *md);
/* The same for a concept group G, for a match that starts at or before LAST;
 * *CODE (when given) is the regex that matched, for its group names. */
int scan_match_before(rachis_scanner *s, int g, const char *text, size_t len, size_t start, size_t last,
                      pcre2_match_data *md, const pcre2_code **code);
/* The same, with group G's anchored copy, at START exactly. */
int scan_match_at(rachis_scanner *s, int g, const char *text, size_t len, size_t start, pcre2_match_data *md);
/* Tries group G (anchored) at each word that begins with a stem of STEMS,
 * in the sentences that hold a word of GATE (all when GATE is NULL or
 * empty), and calls FN for each non-empty match with its rule, span and
 * sentence index; a match's words are not tried again. */
typedef void (*scan_each_fn)(rachis_scanner *s, const rule *r, size_t a, size_t b, int si, void *ctx);
void scan_each(rachis_scanner *s, int g, const stem_table *stems, const stem_table *gate, scan_each_fn fn,
               void *ctx);
/* The rule whose alternative matched last in group G. */
const rule *scan_rule(rachis_scanner *s, int g, pcre2_match_data *md);

/* The pipeline stages, in order. */
void levels_find(rachis_scanner *s);                         /* mentions over the whole text */
void segment_text(rachis_scanner *s, const rachis_input *in); /* sections, sentences, headings */
void levels_group(rachis_scanner *s);                        /* groups per sentence */
void findings_find(rachis_scanner *s);                       /* concept matches and attributes */
void link_levels(rachis_scanner *s);                         /* levels of each finding */
void context_assert_findings(rachis_scanner *s);             /* assertion and historical */

/* The levels the words [a, b) of sentence SI are placed at, by the rules
 * that link findings (link.c): their own phrase, the clause, the heading,
 * a referring word. */
rachis_levelset link_span(rachis_scanner *s, int si, size_t a, size_t b);
/* Levels named in [start, end) (heading spans). */
rachis_levelset levels_in(rachis_scanner *s, size_t start, size_t end);
/* Assertion of the span [a, b) of sentence SI, into F's assertion,
 * historical and trigger. */
void context_assert_span(rachis_scanner *s, int si, size_t a, size_t b, rachis_finding *f);

/* Registry items, once findings are final. */
void primary_find(rachis_scanner *s);                        /* record.primary */
void sins_score(rachis_scanner *s);                          /* record.sins */

#endif
