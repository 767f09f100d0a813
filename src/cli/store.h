/* store.h — the SQLite store of rachis extract --db (schema in README). */
#ifndef RACHIS_STORE_H
#define RACHIS_STORE_H

#include <stdbool.h>
#include "rachis.h"

typedef struct store store;

/* Opens or creates the store; NULL with *ERR (malloc'd) on failure. */
store *store_open(const char *path, char **err);
/* Is a report with this id and content hash already stored? */
bool store_has(store *s, const char *id, const char *hash);
/* Stores (or replaces) one record; commits every few thousand. */
bool store_put(store *s, const rachis_record *r, const char *hash, const char *json, size_t json_len, char **err);
bool store_commit(store *s, char **err);
void store_close(store *s);

#endif
