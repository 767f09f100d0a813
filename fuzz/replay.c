/* replay.c — a main() for the libFuzzer targets in fuzz/, so that the
 * inputs that once crashed them replay as ordinary tests without clang or
 * libFuzzer: `fuzz_replay_TARGET FILE|DIR...` calls LLVMFuzzerInitialize
 * (when the target has one) and then LLVMFuzzerTestOneInput on every file.
 * A bug shows as an abort, a sanitizer report (the ASan+UBSan CI build) or a
 * non-zero exit; a clean run prints how many inputs it replayed. */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); return 1; }
    size_t cap = 4096, len = 0;
    uint8_t *data = malloc(cap);
    size_t n;
    while (data && (n = fread(data + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) data = realloc(data, cap *= 2);
    }
    int err = ferror(f);
    fclose(f);
    if (!data || err) { fprintf(stderr, "%s: cannot read\n", path); free(data); return 1; }
    LLVMFuzzerTestOneInput(data, len);
    free(data);
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
    int failures = 0, replayed = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) { perror(argv[i]); failures++; continue; }
        if (!S_ISDIR(st.st_mode)) { failures += replay_file(argv[i]); replayed++; continue; }
        struct dirent **names;
        int n = scandir(argv[i], &names, NULL, NULL);
        if (n < 0) { perror(argv[i]); failures++; continue; }
        char **paths = calloc((size_t)n, sizeof *paths);
        int np = 0;
        for (int k = 0; k < n; k++) {
            if (names[k]->d_name[0] != '.' && paths &&
                asprintf(&paths[np], "%s/%s", argv[i], names[k]->d_name) >= 0) np++;
            free(names[k]);
        }
        free(names);
        if (paths) qsort(paths, (size_t)np, sizeof *paths, cmp_names);
        for (int k = 0; k < np; k++) {
            failures += replay_file(paths[k]);
            replayed++;
            free(paths[k]);
        }
        free(paths);
    }
    printf("replayed %d input%s, %d unreadable\n", replayed, replayed == 1 ? "" : "s", failures);
    return failures ? 1 : 0;
}
