/* fuzz_csv.c — libFuzzer target: the csv reader (read_csv) through
 * cli_walk_inputs --format csv; each report scanned and written as JSON and
 * CSV.  See fuzz_reader.h. */
#define FUZZ_FORMAT "csv"
#define FUZZ_EXT ".csv"
#define FUZZ_EXPECT_RECORD 1
#include "fuzz_reader.h"
