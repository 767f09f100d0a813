/* fuzz_jsonl.c — libFuzzer target: the jsonl reader (read_jsonl) through
 * cli_walk_inputs --format jsonl; each report scanned and written as JSON and
 * CSV.  See fuzz_reader.h. */
#define FUZZ_FORMAT "jsonl"
#define FUZZ_EXT ".jsonl"
#include "fuzz_reader.h"
