/* fuzz_patterns.c — libFuzzer target: the pattern loader (patterns.c and
 * the engine build of engine.c).  The input is the content of one .rules
 * file, written as fuzz.rules into a private directory beside a minimal
 * levels.rules (the shared defines of common.rules, one level rule, the
 * region values and one concept rule, so that any file can load), then
 * rachis_engine_load (lenient; strict when the last byte ends in 0b111) and
 * rachis_engine_free; the diagnostics are printed to a memory stream
 * (rachis_diag_print) and freed.  When the patterns load, the engine also
 * scans one short report, so the rules a file defines run once. */
#define FUZZ_WITH_JSONV 1
#include "fuzz_common.h"

static char dir[PATH_MAX], rules_path[PATH_MAX];

static const char levels_rules[] =
    "# minimal levels.rules for fuzz_patterns\n"
    "define DASH := (?:-|\\xe2\\x80[\\x90-\\x95])\n"
    "define W1 := (?:(?!(?:and|or|but|with|without|no)\\b)[\\w'/-]+ )?\n"
    "define W2 := (?:(?!(?:and|or|but|with|without|no)\\b)[\\w'/-]+ ){0,2}?\n"
    "define W3 := (?:(?!(?:and|or|but|with|without|no)\\b)[\\w'/-]+ ){0,3}?\n"
    "define W4 := (?:(?!(?:and|or|but|with|without|no)\\b)[\\w'/-]+ ){0,4}?\n"
    "define SPINEWORD := (?:vertebra\\w*|spine|spinal|sacrum|[CTLS]-?\\d\\d?)\n"
    "define LV_NUM := (?:1[0-3]|[1-9])\n"
    "level numeric := (?<![\\w])(?<r1>[ctls])-?(?<n1>{LV_NUM})(?:{DASH}(?<n2>{LV_NUM}))?(?![0-9a-z])\n"
    "value region-c class=region to=C := c|cervical\n"
    "value region-t class=region to=T := t|thoracic\n"
    "value region-l class=region to=L := l|lumbar\n"
    "value region-s class=region to=S := s|sacral\n"
    "rule fuzz-fracture concept=compression_fracture := \\bfractur(?:e|es|ed)\\b\n";

static const char report[] =
    "FINDINGS: Compression fracture of T12 with 40% height loss. No cord compression.\n"
    "Metastatic lesions at L2-3 and possible epidural extension at C5.\n"
    "IMPRESSION: Pathologic fracture T12. History of prostate cancer.\n";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    snprintf(dir, sizeof dir, "%s/patterns", fuzz_tmpdir());
    if (mkdir(dir, 0700) != 0) {
        perror(dir);
        exit(2);
    }
    char lv[PATH_MAX];
    snprintf(lv, sizeof lv, "%s/levels.rules", dir);
    fuzz_write_file(lv, levels_rules, sizeof levels_rules - 1);
    snprintf(rules_path, sizeof rules_path, "%s/fuzz.rules", dir);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_write_file(rules_path, data, size);
    bool strict = size && (data[size - 1] & 7) == 7;
    rachis_diags diags;
    rachis_diags_init(&diags);
    rachis_engine *e = NULL;
    rachis_status st = rachis_engine_load(dir, strict, &e, &diags);
    if (st == RACHIS_OK && !e) FUZZ_DIE("rachis_engine_load: OK without an engine");
    if (st != RACHIS_OK && e) FUZZ_DIE("rachis_engine_load: error %d with an engine", (int)st);
    if (st != RACHIS_OK && diags.errors == 0 && !(strict && diags.warnings))
        FUZZ_DIE("rachis_engine_load failed (%s) without an error diagnostic", rachis_status_name(st));

    /* every diagnostic prints (file:line:col, the line and a caret) */
    char *mem = NULL;
    size_t memlen = 0;
    FILE *out = open_memstream(&mem, &memlen);
    for (size_t i = 0; i < diags.count; i++) rachis_diag_print(&diags.items[i], out);
    fclose(out);
    free(mem);
    rachis_diags_free(&diags);

    if (e) {
        size_t n = rachis_engine_rule_total(e);
        for (size_t i = 0; i < n; i++) {
            const char *kind, *id, *exp;
            rachis_engine_rule_info(e, i, &kind, &id, &exp);
            if (!kind || !id) FUZZ_DIE("rule %zu has no kind or id", i);
        }
        (void)rachis_engine_rule_count(e);
        (void)rachis_engine_section(e, "Impression", 10);
        (void)rachis_engine_value(e, "region", "lumbar", 6);
        rachis_scanner *sc = NULL;
        rachis_scanner_create(e, NULL, &sc);
        const rachis_record *r = NULL;
        rachis_input in;
        memset(&in, 0, sizeof in);
        in.id = "fuzz";
        in.path = "fuzz.txt";
        in.record = 1;
        in.text = report;
        in.length = sizeof report - 1;
        rachis_scan(sc, &in, &r);
        fuzz_check_record(r);
        fuzz_render_json(r);
        rachis_scanner_free(sc);
        rachis_engine_free(e);
    }
    return 0;
}
