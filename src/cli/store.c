#define _GNU_SOURCE
/* store.c — the SQLite store of `rachis extract --db`: reports, findings and
 * their levels, with a schema version, indices for the questions abstractors
 * ask, WAL mode, batched transactions and parameterised statements only.
 * A report already stored with the same id and content hash is skipped, so a
 * killed run is completed by running it again. */
#include "store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCHEMA_VERSION "1"
#define BATCH 2000

struct store {
    sqlite3 *db;
    sqlite3_stmt *find, *del_report, *del_findings, *del_levels, *ins_report, *ins_finding, *ins_level;
    int in_batch;
    char *path;
};

static const char *const schema =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "PRAGMA foreign_keys=ON;"
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS reports("
    " id TEXT PRIMARY KEY, path TEXT, record INTEGER, format TEXT, patient TEXT, date TEXT,"
    " status TEXT NOT NULL, error_code TEXT, error_message TEXT, hash TEXT NOT NULL,"
    " compression_fracture INTEGER, cord_compression INTEGER, soft_tissue_extension INTEGER,"
    " metastasis INTEGER, urgent INTEGER, record_json TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS findings("
    " report_id TEXT NOT NULL REFERENCES reports(id) ON DELETE CASCADE, n INTEGER NOT NULL,"
    " concept TEXT NOT NULL, assertion TEXT NOT NULL, historical INTEGER NOT NULL, section TEXT,"
    " span_start INTEGER, span_end INTEGER, text TEXT, rule TEXT, attributes TEXT,"
    " PRIMARY KEY(report_id, n));"
    "CREATE TABLE IF NOT EXISTS finding_levels("
    " report_id TEXT NOT NULL, n INTEGER NOT NULL, level TEXT NOT NULL, level_order INTEGER NOT NULL,"
    " PRIMARY KEY(report_id, n, level), FOREIGN KEY(report_id, n) REFERENCES findings(report_id, n) ON DELETE CASCADE);"
    "CREATE INDEX IF NOT EXISTS reports_patient ON reports(patient, date);"
    "CREATE INDEX IF NOT EXISTS reports_date ON reports(date);"
    "CREATE INDEX IF NOT EXISTS findings_concept ON findings(concept, assertion, historical);"
    "CREATE INDEX IF NOT EXISTS levels_level ON finding_levels(level, report_id);";

static bool fail(store *s, const char *what, char **err)
{
    if (err && asprintf(err, "%s: %s: %s", s->path, what, sqlite3_errmsg(s->db)) < 0) *err = NULL;
    return false;
}

static bool prep(store *s, const char *sql, sqlite3_stmt **st, char **err)
{
    return sqlite3_prepare_v2(s->db, sql, -1, st, NULL) == SQLITE_OK || fail(s, "preparing a statement", err);
}

store *store_open(const char *path, char **err)
{
    store *s = calloc(1, sizeof *s);
    s->path = strdup(path);
    *err = NULL;
    if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
        fail(s, "cannot open", err);
        store_close(s);
        return NULL;
    }
    sqlite3_busy_timeout(s->db, 10000);
    char *msg = NULL;
    if (sqlite3_exec(s->db, schema, NULL, NULL, &msg) != SQLITE_OK) {
        if (asprintf(err, "%s: creating the schema: %s", path, msg ? msg : "?") < 0) *err = NULL;
        sqlite3_free(msg);
        store_close(s);
        return NULL;
    }
    sqlite3_stmt *v;
    bool ok = prep(s, "SELECT value FROM meta WHERE key='schema_version'", &v, err);
    if (ok && sqlite3_step(v) == SQLITE_ROW) {
        const char *have = (const char *)sqlite3_column_text(v, 0);
        if (have && strcmp(have, SCHEMA_VERSION)) {
            if (asprintf(err, "%s: schema version %s, this rachis writes version %s", path, have, SCHEMA_VERSION) < 0)
                *err = NULL;
            ok = false;
        }
    } else if (ok) {
        ok = sqlite3_exec(s->db, "INSERT INTO meta VALUES('schema_version','" SCHEMA_VERSION "'),('contract','rachis/1')",
                          NULL, NULL, NULL) == SQLITE_OK ||
             fail(s, "writing the schema version", err);
    }
    sqlite3_finalize(v);
    ok = ok && prep(s, "SELECT hash FROM reports WHERE id=?1", &s->find, err) &&
         prep(s, "DELETE FROM finding_levels WHERE report_id=?1", &s->del_levels, err) &&
         prep(s, "DELETE FROM findings WHERE report_id=?1", &s->del_findings, err) &&
         prep(s, "DELETE FROM reports WHERE id=?1", &s->del_report, err) &&
         prep(s, "INSERT INTO reports VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16)", &s->ins_report, err) &&
         prep(s, "INSERT INTO findings VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)", &s->ins_finding, err) &&
         prep(s, "INSERT INTO finding_levels VALUES(?1,?2,?3,?4)", &s->ins_level, err);
    if (!ok) {
        store_close(s);
        return NULL;
    }
    return s;
}

bool store_has(store *s, const char *id, const char *hash)
{
    sqlite3_reset(s->find);
    sqlite3_bind_text(s->find, 1, id, -1, SQLITE_TRANSIENT);
    bool same = false;
    if (sqlite3_step(s->find) == SQLITE_ROW) {
        const char *h = (const char *)sqlite3_column_text(s->find, 0);
        same = h && !strcmp(h, hash);
    }
    sqlite3_reset(s->find);
    return same;
}

static bool step(store *s, sqlite3_stmt *st, char **err)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE || fail(s, "writing", err);
}

static void text_or_null(sqlite3_stmt *st, int i, const char *v)
{
    if (v) sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
    else sqlite3_bind_null(st, i);
}

bool store_put(store *s, const rachis_record *r, const char *hash, const char *json, size_t json_len, char **err)
{
    *err = NULL;
    if (!s->in_batch && sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) return fail(s, "BEGIN", err);
    s->in_batch++;
    sqlite3_stmt *dels[] = {s->del_levels, s->del_findings, s->del_report};
    for (int i = 0; i < 3; i++) {
        sqlite3_bind_text(dels[i], 1, r->id, -1, SQLITE_TRANSIENT);
        if (!step(s, dels[i], err)) return false;
    }
    sqlite3_stmt *st = s->ins_report;
    text_or_null(st, 1, r->id);
    text_or_null(st, 2, r->path);
    sqlite3_bind_int64(st, 3, r->record);
    text_or_null(st, 4, rachis_format_name(r->format));
    text_or_null(st, 5, r->patient);
    text_or_null(st, 6, r->date);
    text_or_null(st, 7, r->status == RACHIS_OK ? "ok" : "error");
    text_or_null(st, 8, r->error_code);
    text_or_null(st, 9, r->error_message);
    text_or_null(st, 10, hash);
    for (int c = 0; c < RACHIS_CONCEPT_COUNT; c++) sqlite3_bind_int(st, 11 + c, r->flags[c]);
    sqlite3_bind_int(st, 15, r->urgent);
    sqlite3_bind_text(st, 16, json, (int)json_len, SQLITE_TRANSIENT);
    if (!step(s, st, err)) return false;
    rachis_buf attrs = {0};
    for (size_t i = 0; i < r->n_findings; i++) {
        const rachis_finding *f = &r->findings[i];
        st = s->ins_finding;
        sqlite3_bind_text(st, 1, r->id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)i + 1);
        sqlite3_bind_text(st, 3, rachis_concept_name(f->concept), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, rachis_assertion_name(f->assertion), -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 5, f->historical);
        sqlite3_bind_text(st, 6, rachis_section_name(f->section), -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 7, (sqlite3_int64)f->span.start);
        sqlite3_bind_int64(st, 8, (sqlite3_int64)f->span.end);
        sqlite3_bind_text(st, 9, r->text + f->span.start, (int)(f->span.end - f->span.start), SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 10, f->rule, -1, SQLITE_TRANSIENT);
        attrs.len = 0;
        rachis_finding_attributes_json(f, &attrs);
        sqlite3_bind_text(st, 11, attrs.data, (int)attrs.len, SQLITE_TRANSIENT);
        if (!step(s, st, err)) { rachis_buf_free(&attrs); return false; }
        for (int l = 0; l < RACHIS_LEVEL_COUNT; l++) {
            if (!(f->levels & ((rachis_levelset)1 << l))) continue;
            st = s->ins_level;
            sqlite3_bind_text(st, 1, r->id, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(st, 2, (sqlite3_int64)i + 1);
            sqlite3_bind_text(st, 3, rachis_level_label(l), -1, SQLITE_STATIC);
            sqlite3_bind_int(st, 4, l);
            if (!step(s, st, err)) { rachis_buf_free(&attrs); return false; }
        }
    }
    rachis_buf_free(&attrs);
    if (s->in_batch >= BATCH) return store_commit(s, err);
    return true;
}

bool store_commit(store *s, char **err)
{
    if (!s->in_batch) return true;
    s->in_batch = 0;
    return sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK || fail(s, "COMMIT", err);
}

void store_close(store *s)
{
    if (!s) return;
    sqlite3_stmt *all[] = {s->find, s->del_report, s->del_findings, s->del_levels, s->ins_report, s->ins_finding, s->ins_level};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) sqlite3_finalize(all[i]);
    if (s->db) sqlite3_close(s->db);
    free(s->path);
    free(s);
}
