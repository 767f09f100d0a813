/* rachis.h — the one public header of librachis: spine imaging report text in,
 * structured findings about spinal metastases out (output contract "rachis/1").
 *
 * Ownership: every object returned by a *_create/_load call is freed by its
 * *_free call.  Out of memory is not reported: the library prints a message
 * and aborts, as a batch tool must not carry on with half a record.  An engine is immutable once loaded and may be shared by any
 * number of threads; a scanner belongs to one thread at a time.  A record
 * returned by rachis_scan() is owned by the scanner and stays valid until the
 * next rachis_scan() on that scanner or rachis_scanner_free(). */
#ifndef RACHIS_H
#define RACHIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RACHIS_SCHEMA "rachis/1"

typedef enum rachis_status {
    RACHIS_OK = 0,
    RACHIS_ERR_IO,          /* a file could not be read or written */
    RACHIS_ERR_PATTERN,     /* pattern files have errors: see the diagnostics */
    RACHIS_ERR_LIMIT,       /* a resource limit was hit (regex match/depth limit, size) */
    RACHIS_ERR_INPUT,       /* the input could not be understood */
    RACHIS_ERR_USAGE        /* the caller asked for something impossible */
} rachis_status;

const char *rachis_status_name(rachis_status st);

/* ---- diagnostics: errors and warnings as data --------------------------- */

typedef enum { RACHIS_DIAG_ERROR, RACHIS_DIAG_WARNING } rachis_diag_severity;

typedef struct rachis_diag {
    rachis_diag_severity severity;
    char *file;          /* path of the pattern file, or NULL */
    int line, col;       /* 1-based; 0 when unknown */
    char *message;
    char *source_line;   /* the offending line of the file, or NULL */
} rachis_diag;

typedef struct rachis_diags {
    rachis_diag *items;
    size_t count, cap;
    size_t errors, warnings;
} rachis_diags;

void rachis_diags_init(rachis_diags *d);
void rachis_diags_free(rachis_diags *d);
/* Prints "file:line:col: error: message", the source line and a caret. */
void rachis_diag_print(const rachis_diag *d, FILE *out);

/* ---- vocabulary of the output contract ---------------------------------- */

typedef enum {
    RACHIS_FRACTURE = 0,     /* compression_fracture */
    RACHIS_CORD,             /* cord_compression */
    RACHIS_EXTENSION,        /* soft_tissue_extension */
    RACHIS_METASTASIS,       /* metastasis */
    RACHIS_CONCEPT_COUNT
} rachis_concept;

typedef enum {
    RACHIS_PRESENT = 0, RACHIS_ABSENT, RACHIS_POSSIBLE, RACHIS_HYPOTHETICAL, RACHIS_ASSERTION_COUNT
} rachis_assertion;

typedef enum {
    RACHIS_SEC_INDICATION = 0, RACHIS_SEC_HISTORY, RACHIS_SEC_COMPARISON, RACHIS_SEC_TECHNIQUE,
    RACHIS_SEC_FINDINGS, RACHIS_SEC_IMPRESSION, RACHIS_SEC_ADDENDUM, RACHIS_SEC_OTHER,
    RACHIS_SECTION_COUNT
} rachis_section;

const char *rachis_concept_name(rachis_concept c);
const char *rachis_assertion_name(rachis_assertion a);
const char *rachis_section_name(rachis_section s);
int rachis_concept_from_name(const char *name);     /* -1 when unknown */
int rachis_assertion_from_name(const char *name);   /* -1 when unknown */
int rachis_section_from_name(const char *name);     /* -1 when unknown */

/* Vertebral levels are small integers in cranial-to-caudal order:
 * C1..C7, T1..T13, L1..L6, S1..S5, Co.  A set of levels is a bit mask. */
#define RACHIS_LEVEL_COUNT 32
typedef uint64_t rachis_levelset;
const char *rachis_level_label(int level);          /* "T12"; NULL when out of range */
int rachis_level_from_label(const char *label);     /* -1 when not a label */

typedef struct { size_t start, end; } rachis_span;   /* [start, end) byte offsets */

/* ---- attributes ---------------------------------------------------------- */

/* Each concept has a fixed list of attribute slots (DESIGN.md).  A slot holds
 * a value of its kind, or is unset (JSON null). */
typedef enum { RACHIS_ATTR_ENUM, RACHIS_ATTR_NUMBER, RACHIS_ATTR_BOOL, RACHIS_ATTR_SET } rachis_attr_kind;

#define RACHIS_MAX_ATTRS 6
typedef struct rachis_attr_def {
    const char *name;
    rachis_attr_kind kind;
    const char *const *values;  /* ENUM and SET: allowed value names, NULL-terminated */
    bool json_number;           /* ENUM whose values print as JSON numbers (genant_grade) */
} rachis_attr_def;

/* The attribute slots of a concept, and their count. */
const rachis_attr_def *rachis_concept_attrs(rachis_concept c, size_t *count);

typedef struct rachis_attr_value {
    bool set;
    int ivalue;      /* ENUM: index into values; BOOL: 0/1; SET: bit mask */
    double number;   /* NUMBER */
} rachis_attr_value;

/* ---- records -------------------------------------------------------------- */

typedef struct rachis_level_mention {
    int level;
    rachis_span span;
} rachis_level_mention;

typedef struct rachis_finding {
    rachis_concept concept;
    rachis_levelset levels;
    rachis_assertion assertion;
    bool historical;
    rachis_section section;
    rachis_span span;
    rachis_span sentence;
    const char *rule;              /* "file:rule-name"; owned by the engine */
    const char *trigger_rule;      /* the trigger that set the assertion, or NULL */
    rachis_span trigger_span;
    rachis_attr_value attrs[RACHIS_MAX_ATTRS];
} rachis_finding;

typedef enum { RACHIS_FMT_TEXT = 0, RACHIS_FMT_CDA, RACHIS_FMT_HL7V2, RACHIS_FMT_CSV, RACHIS_FMT_JSONL } rachis_format;
const char *rachis_format_name(rachis_format f);

/* What the caller knows about one report. Strings are borrowed for the call. */
typedef struct rachis_input {
    const char *id;
    const char *path;        /* source.path */
    long record;             /* source.record, 1-based */
    rachis_format format;
    const char *patient;     /* may be NULL */
    const char *date;        /* YYYY-MM-DD or NULL */
    const char *text;        /* the report text to analyse (need not be NUL-terminated) */
    size_t length;
    /* Optional section map from a structured reader: sections[i] applies from
     * byte section_starts[i] up to the next start.  n_sections == 0 lets the
     * text's own headers decide. */
    const rachis_section *sections;
    const size_t *section_starts;
    size_t n_sections;
} rachis_input;

/* ---- registry items: primary tumour and SINS ------------------------------ */

/* The primary tumour the report names (history, indication, impression...),
 * normalised to one of RACHIS_PRIMARY_SITES; NULL site when none is named. */
typedef struct rachis_primary {
    const char *site;              /* "breast", ..., "other", "unknown"; NULL: not stated */
    rachis_span span;              /* the words that name it */
    const char *rule;              /* "primary:breast-cancer"; owned by the engine */
    rachis_section section;
} rachis_primary;

/* The sites a primary is normalised to, NULL-terminated. */
extern const char *const rachis_primary_sites[];

/* Spinal Instability Neoplastic Score (Fisher et al. 2010): the imaging
 * components a report can state, per level with a present metastasis
 * (historical ones too).  Pain
 * is clinical: it is never scored from text (always unknown, 0-3). */
typedef enum {
    RACHIS_SINS_LOCATION = 0, RACHIS_SINS_PAIN, RACHIS_SINS_LESION, RACHIS_SINS_ALIGNMENT,
    RACHIS_SINS_COLLAPSE, RACHIS_SINS_POSTEROLATERAL, RACHIS_SINS_ITEM_COUNT
} rachis_sins_item;
const char *rachis_sins_item_name(rachis_sins_item i);   /* "location", ... */

typedef struct rachis_sins_component {
    const char *value;             /* e.g. "lytic", "gt50", "bilateral"; NULL when not stated */
    int min, max;                  /* the points it gives, or the range it may give when unknown */
} rachis_sins_component;

typedef struct rachis_sins {
    int level;
    rachis_sins_component items[RACHIS_SINS_ITEM_COUNT];
    int min, max;                  /* total: sum of the items' ranges (0-18) */
    const char *category;          /* "stable" (0-6), "indeterminate" (7-12), "unstable" (13-18),
                                      or NULL when the range spans categories */
} rachis_sins;

typedef struct rachis_record {
    char *id, *path, *patient, *date;
    long record;
    rachis_format format;
    rachis_status status;          /* RACHIS_OK, or the error */
    char *error_code;              /* e.g. "io", "limit", "input"; NULL when ok */
    char *error_message;           /* names file and position, never report text */
    long long error_offset;        /* -1 when not applicable */
    const char *text;              /* the analysed text (borrowed from the input) */
    size_t length;
    rachis_level_mention *levels;
    size_t n_levels;
    rachis_finding *findings;
    size_t n_findings;
    bool flags[RACHIS_CONCEPT_COUNT];
    bool urgent;
    rachis_primary primary;
    rachis_sins *sins;             /* one per level of a present metastasis, cranial first */
    size_t n_sins;
} rachis_record;

/* ---- engine and scanner ----------------------------------------------------- */

typedef struct rachis_engine rachis_engine;
typedef struct rachis_scanner rachis_scanner;

typedef struct rachis_limits {
    uint32_t match_limit;     /* PCRE2 match limit per regex call (0: default) */
    uint32_t depth_limit;     /* PCRE2 depth limit (0: default) */
    size_t jit_stack_max;     /* bytes (0: default) */
    size_t max_report_bytes;  /* larger reports become error records (0: default) */
} rachis_limits;

/* Loads every *.rules file of DIR (sorted by name), validates them all and
 * compiles them once.  Every error and warning goes into DIAGS (which may be
 * NULL).  With STRICT, warnings are errors.  On error *OUT is NULL. */
rachis_status rachis_engine_load(const char *dir, bool strict, rachis_engine **out, rachis_diags *diags);
void rachis_engine_free(rachis_engine *e);
/* Number of rules of each kind, for check-patterns' summary. */
size_t rachis_engine_rule_count(const rachis_engine *e);
bool rachis_engine_jit(const rachis_engine *e);
/* Rule I of the engine (0 <= I < rachis_engine_rule_total): its kind
 * ("rule", "trigger", ...), id ("fracture:compression-fracture") and the
 * pattern after {NAME} expansion — for pattern authors and benchmarks. */
size_t rachis_engine_rule_total(const rachis_engine *e);
void rachis_engine_rule_info(const rachis_engine *e, size_t i, const char **kind, const char **id, const char **expanded);

/* The section a header title names ("Impression", "REASON FOR STUDY"), by
 * the engine's section patterns; -1 when none.  For readers of structured
 * documents (CDA, HL7 v2). */
int rachis_engine_section(const rachis_engine *e, const char *title, size_t n);
/* The value the engine's `value` rules of class VCLASS give TEXT (whole), or
 * NULL: e.g. class "section-code" maps LOINC and DICOM codes to sections. */
const char *rachis_engine_value(const rachis_engine *e, const char *vclass, const char *text, size_t n);

rachis_status rachis_scanner_create(const rachis_engine *e, const rachis_limits *limits, rachis_scanner **out);
void rachis_scanner_free(rachis_scanner *s);

/* Turns one report into one record.  Never fails for reasons of the text:
 * a report that hits a limit yields a record with status error. */
rachis_status rachis_scan(rachis_scanner *s, const rachis_input *in, const rachis_record **out);

/* A record for a report that could not be read at all (the readers' errors). */
rachis_status rachis_scan_error(rachis_scanner *s, const rachis_input *in, const char *code,
                                const char *message, long long offset, const rachis_record **out);

/* ---- assertion of a target phrase (rachis assert) ------------------------ */

typedef struct rachis_assert_result {
    rachis_assertion assertion;
    bool historical;
    const char *trigger_rule;     /* NULL when no trigger applied */
} rachis_assert_result;

/* Finds TARGET in SENTENCE (case-insensitive, whitespace-normalised) and
 * asserts it as the engine asserts findings.  Returns RACHIS_ERR_INPUT when
 * the target is not in the sentence. */
rachis_status rachis_assert_target(rachis_scanner *s, rachis_section section, const char *target,
                                   const char *sentence, size_t length, rachis_assert_result *out);

/* ---- JSON output ------------------------------------------------------------- */

enum { RACHIS_JSON_WITH_TEXT = 1 };

/* Appends the record as one JSON line (with the trailing newline) to OUT,
 * keeping OUT->data NUL-terminated.  Invalid UTF-8 in strings is written as
 * U+FFFD per bad byte; control characters as \uXXXX escapes. */
typedef struct rachis_buf { char *data; size_t len, cap; } rachis_buf;
rachis_status rachis_record_to_json(const rachis_record *r, unsigned flags, rachis_buf *out);
void rachis_buf_free(rachis_buf *b);
/* Append to B; B->data stays NUL-terminated (the NUL is not counted in len). */
void rachis_buf_append(rachis_buf *b, const void *data, size_t n);
void rachis_buf_putc(rachis_buf *b, char c);
/* Appends the finding's "attributes" object, as in the record, to OUT. */
void rachis_finding_attributes_json(const rachis_finding *f, rachis_buf *out);
/* Length of the valid UTF-8 sequence at S (at most N > 0 bytes), or 0 when
 * the bytes there are not valid UTF-8 (overlong, surrogate, truncated). */
size_t rachis_utf8_len(const unsigned char *s, size_t n);
/* Appends S[0..n) as a JSON string (quotes included), escaped as in records. */
void rachis_json_string(rachis_buf *out, const char *s, size_t n);

#ifdef __cplusplus
}
#endif
#endif
