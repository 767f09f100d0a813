/* fuzz_hl7.c — libFuzzer target: the hl7v2 reader (read_hl7) through
 * cli_walk_inputs --format hl7v2; each report scanned and written as JSON and
 * CSV.  See fuzz_reader.h. */
#define FUZZ_FORMAT "hl7v2"
#define FUZZ_EXT ".hl7"
#define FUZZ_EXPECT_RECORD 1
#include "fuzz_reader.h"
