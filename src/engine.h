/* engine.h — the compiled, immutable pattern engine (internal): rules loaded
 * from patterns/, grouped by what they feed, compiled into combined regexes. */
#ifndef RACHIS_ENGINE_H
#define RACHIS_ENGINE_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pthread.h>
#include <stdatomic.h>

#include "util.h"

/* What a rule feeds.  Each kind is documented in README ("Pattern files"). */
typedef enum {
    K_DEFINE, K_SECTION, K_ABBREV, K_LISTMARK, K_LEVEL, K_VALUE, K_LEVELSEP, K_HEADING,
    K_ANAPHOR, K_REGION, K_LEVELBIND, K_ANCHOR, K_STEM, K_LEVELSTEM, K_TRIGGERSTEM, K_SECTIONSTEM, K_RULE, K_EXCLUDE, K_VETO, K_ATTR, K_TRIGGER,
    K_PRIMARY, K_SINS, K_PRIMARYSTEM, K_PRIMARYGATE, K_SINSSTEM, K_LEVELNOT, K_KIND_COUNT
} rule_kind;

/* Assertion trigger classes. */
typedef enum {
    T_NEGATED, T_POSSIBLE, T_HYPOTHETICAL, T_HISTORICAL, T_PRESENT, T_PSEUDO, T_TERMINATOR, T_CLASS_COUNT
} trigger_class;

enum { DIR_FORWARD = 1, DIR_BACKWARD = 2, DIR_BOTH = 3 };

/* One attribute assignment a rule makes: concept's slot := value, or the
 * number captured by a named group. */
typedef struct attr_set {
    int concept;
    int slot;
    rachis_attr_value value;
    char *group;           /* numeric value from this named group, or NULL */
} attr_set;

#define MAX_ATTR_SETS 6

typedef struct rule {
    rule_kind kind;
    char *id;              /* "file:name" */
    char *name;
    char *file;
    int line;
    char *source;          /* the regex as written (continuations joined) */
    char *expanded;        /* after {NAME} expansion and space rewriting */
    unsigned concepts;     /* bit mask of concepts (rule, exclude, attr, anchor) */
    int section;           /* K_SECTION */
    int assertion;         /* K_RULE: preset assertion, -1 none */
    bool drop_negated;     /* K_RULE: a negated match is not reported (negated=drop) */
    bool weak;             /* K_RULE: dropped when its sentence has a stronger finding of the concept */
    attr_set sets[MAX_ATTR_SETS];
    int n_sets;
    int tclass, dir, scope;     /* K_TRIGGER */
    unsigned sections_mask;     /* K_TRIGGER: sections it applies in; K_SECTION: sections it is a header in (0: all) */
    bool assertion_only;        /* K_TRIGGER terminator: ends assertion scope, not level linking */
    bool historical_only;       /* K_TRIGGER terminator: ends only historical triggers' scope */
    unsigned ends_mask;         /* K_TRIGGER: also ends the scope of triggers of these classes (1 << T_*);
                                 * a terminator with ends= ends only theirs (and not level linking) */
    char *vclass, *vto;         /* K_VALUE; K_PRIMARY: vto = site; K_SINS: vclass = item, vto = value */
    pcre2_code *code;           /* compiled alone (K_VALUE, K_ABBREV) */
} rule;

/* dispatch.c: a group's branches split by the byte a match can start with;
 * part[c] is 0 when no match starts with byte c, else 1 + the index of the
 * anchored regex to try there (its MARKs are the group's).  The parts are
 * compiled when the engine loads, and JIT-compiled when first used (a run
 * over a few sentences meets only some of them): `ready` is the one thing
 * that changes in a loaded engine, set once per part under `lock`. */
enum { PART_UNUSED, PART_JIT, PART_INTERPRETED };
typedef struct first_dispatch {
    uint16_t part[256];
    uint8_t second[256][32];   /* after first byte c, the (lower case) second bytes a match can have ... */
    bool any2[256];            /* ... unless any can follow c */
    pcre2_code **parts;
    size_t n_parts;
    _Atomic unsigned char *ready;   /* per part: PART_* */
    pthread_mutex_t *lock;
} first_dispatch;

/* A set of rules compiled into one regex: alternatives tagged (*MARK:i). */
typedef struct rgroup {
    pcre2_code *code;
    pcre2_code *at;         /* the same, compiled anchored (G_LEVEL): JIT at a chosen position */
    uint8_t first[32];      /* bytes a match of `at` can start with (all, when unknown) */
    rule **rules;
    size_t n;
    first_dispatch *fd;     /* per first byte, for matches at a chosen position (or NULL) */
    bool shared;            /* code, at and fd belong to an earlier group with the same rules */
    int owner;              /* the group whose code, at and fd these are (itself unless shared) */
    _Atomic unsigned char code_state, at_state;   /* PART_*: JIT-compiled on first use, as dispatch parts */
} rgroup;

enum {
    G_SECTION, G_LISTMARK, G_LEVEL, G_LEVELSEP, G_HEADING, G_ANAPHOR, G_REGION, G_LEVELBIND, G_ANCHOR, G_ABBREV,
    G_PRIMARY, G_SINS, G_LEVELNOT,
    G_CONCEPT0,                                 /* + concept: its rules and exclusions */
    G_VETO0 = G_CONCEPT0 + RACHIS_CONCEPT_COUNT, /* + concept */
    G_ATTR0 = G_VETO0 + RACHIS_CONCEPT_COUNT,   /* + concept */
    G_TRIGGER0 = G_ATTR0 + RACHIS_CONCEPT_COUNT, /* + section: the triggers that apply there */
    G_COUNT = G_TRIGGER0 + RACHIS_SECTION_COUNT
};

/* Literal word stems, bucketed by their first two bytes (lower case). */
typedef struct stem_table {
    char **stems;          /* lower case */
    size_t *lens;
    unsigned *concepts;    /* the concepts each stem announces (all when its rule names none) */
    size_t n;
    uint32_t *bucket;      /* 65536 + 1 offsets into order[] */
    uint32_t *order;
    uint8_t maybe[8192];   /* bit per first two bytes (lower case) some stem begins with: the quick
                            * test reads 8 KB, which stay in cache, not the 256 KB of bucket[] */
    bool single[256];      /* one-character stems (a digit, '?', ':', '#') */
    unsigned single_concepts[256];   /* the concepts each one announces */
    bool any_single;
} stem_table;

struct rachis_engine {
    rule *rules;
    size_t n_rules;
    stem_table stems;       /* candidate windows for the concept rules */
    stem_table levelstems;  /* where a level without digits may start ("twelfth", "atlas") */
    stem_table triggerstems; /* where an assertion trigger may start */
    stem_table sectionstems; /* first words of section headers */
    stem_table primarystems; /* where a primary rule may start */
    stem_table primarygates; /* sentences where a primary rule may match */
    stem_table sinsstems;    /* where a sins rule may start */
    rgroup groups[G_COUNT];
    bool jit;
    pthread_mutex_t jit_lock;   /* taken only to JIT-compile a group's code on its first use */
};

/* Group G's code (AT: its anchored code) ready to match: JIT-compiled by the
 * first thread that needs it.  Call before matching with it; true when it
 * is JIT-compiled (pcre2_jit_match may run it). */
unsigned char engine_group_first_use(const rachis_engine *e, const rgroup *owner, bool at);
static inline bool group_ready(const rachis_engine *e, int g, bool at)
{
    const rgroup *o = &e->groups[e->groups[g].owner];
    unsigned char st = atomic_load_explicit(at ? &o->at_state : &o->code_state, memory_order_acquire);
    if (st == PART_UNUSED) st = engine_group_first_use(e, o, at);
    return st == PART_JIT;
}

/* patterns.c: parse every *.rules file of DIR into RULES (expanded, checked). */
rachis_status patterns_load(const char *dir, bool strict, rule **rules, size_t *n, rachis_diags *diags);
void rules_free(rule *rules, size_t n);
const char *rule_kind_name(rule_kind k);
/* Could a stem of T begin with the two bytes at S?  (The quick test.) */
static inline bool stem_maybe(const stem_table *t, const char *s)
{
    uint32_t k = (uint32_t)(rx_tolower((unsigned char)s[0]) << 8 | rx_tolower((unsigned char)s[1]));
    return (t->maybe[k >> 3] >> (k & 7)) & 1;
}

/* Length of the stem of table T that begins at TEXT[POS], or 0; its
 * concepts into *CONCEPTS when given. */
size_t engine_stem_at(const stem_table *t, const char *text, size_t len, size_t pos, unsigned *concepts);

/* The dispatch of the group of RULES[0..n) whose regex is PREFIX, the rules'
 * alternatives tagged (*MARK:i), then SUFFIX; NULL when a part does not compile.
 * Clears *JIT when a part is not JIT-compiled. */
/* CODE JIT-compiled by the first caller that finds *STATE PART_UNUSED (under
 * LOCK, then published); returns the state, PART_JIT or PART_INTERPRETED. */
unsigned char jit_on_first_use(pthread_mutex_t *lock, _Atomic unsigned char *state, pcre2_code *code);

/* Part K of FD, JIT-compiled on its first use; *JIT tells whether it was. */
unsigned char dispatch_ready(const first_dispatch *fd, size_t k);
static inline const pcre2_code *dispatch_part(const first_dispatch *fd, size_t k, bool *jit)
{
    unsigned char st = atomic_load_explicit(&fd->ready[k], memory_order_acquire);
    if (st == PART_UNUSED) st = dispatch_ready(fd, k);
    *jit = st == PART_JIT;
    return fd->parts[k];
}

first_dispatch *dispatch_build(rule *const *rules, size_t n, const char *prefix, const char *suffix);
void dispatch_destroy(first_dispatch *d);

/* Compile options shared by every rule; ^ and $ see \r, \n and \r\n line ends. */
#define RX_COMPILE_FLAGS (PCRE2_CASELESS | PCRE2_DUPNAMES | PCRE2_MULTILINE)
pcre2_code *rx_compile(const char *pattern, size_t len, uint32_t extra, int *err, PCRE2_SIZE *off);

/* engine.c: schema of the output contract */
int attr_slot(rachis_concept c, const char *name);
int primary_site_index(const char *site);     /* -1 when not a site */
/* sins.c: the SINS statements a `sins` rule may make: item index, or -1. */
int sins_statement_item(const char *item);
bool sins_statement_valid(int item, const char *value);
extern const char *const sins_statement_items[];   /* "alignment", ... for messages */
int attr_value_index(const rachis_attr_def *def, const char *value);

/* Resolves TEXT against the K_VALUE rules of VCLASS; returns the rule's "to"
 * or NULL. */
const char *engine_value(const rachis_engine *e, const char *vclass, const char *text, size_t n,
                         pcre2_match_data *md);

#endif
