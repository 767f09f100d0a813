/* fuzz_pipeline.c — libFuzzer target: the input is the text of one report.
 * One engine (the project's patterns) and one scanner are made at start;
 * each input goes through rachis_scan, the record's invariants are checked
 * and it is written with rachis_record_to_json (with and without text).
 * The first line of the input (up to 64 bytes) is also asserted against the
 * whole input with rachis_assert_target.
 *
 * The text is copied into a buffer of exactly its size with no NUL after it
 * (rachis_input.text "need not be NUL-terminated"), so any read past the end
 * is caught by AddressSanitizer. */
#define FUZZ_WITH_JSONV 1
#include "fuzz_common.h"

static rachis_scanner *scanner;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    if (rachis_scanner_create(fuzz_engine(), NULL, &scanner) != RACHIS_OK) {
        fprintf(stderr, "fuzz: cannot create a scanner\n");
        exit(2);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size ? size : 1);
    if (size) memcpy(text, data, size);
    rachis_input in;
    memset(&in, 0, sizeof in);
    in.id = "fuzz";
    in.path = "fuzz.txt";
    in.record = 1;
    in.format = RACHIS_FMT_TEXT;
    in.text = text;
    in.length = size;
    const rachis_record *r = NULL;
    rachis_scan(scanner, &in, &r);
    fuzz_check_record(r);
    if (r->text != text || r->length != size) FUZZ_DIE("record text is not the input");
    fuzz_render_json(r);

    /* rachis assert: target = first line (NUL-terminated), sentence = the input */
    size_t tl = 0;
    while (tl < size && tl < 64 && data[tl] != '\n' && data[tl] != '\0') tl++;
    if (tl) {
        char target[65];
        memcpy(target, data, tl);
        target[tl] = '\0';
        rachis_assert_result ar;
        memset(&ar, 0, sizeof ar);
        rachis_status st = rachis_assert_target(scanner, RACHIS_SEC_FINDINGS, target, text, size, &ar);
        if (st == RACHIS_OK && (unsigned)ar.assertion >= RACHIS_ASSERTION_COUNT)
            FUZZ_DIE("rachis_assert_target gave assertion %d", (int)ar.assertion);
    }
    free(text);
    return 0;
}
