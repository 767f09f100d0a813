/* fuzz_cda.c — libFuzzer target: the cda reader (read_cda) through
 * cli_walk_inputs --format cda; each report scanned and written as JSON and
 * CSV.  See fuzz_reader.h. */
#define FUZZ_FORMAT "cda"
#define FUZZ_EXT ".xml"
#define FUZZ_EXPECT_RECORD 1
#include "fuzz_reader.h"
