/* cmd_timeline.c — rachis timeline: from the store of `rachis extract --db`
 * (opened read-only), per patient and per patient, level and concept, the
 * dates a finding was first and last reported, and per patient the primary
 * tumour its reports name, by SQL GROUP BY; CSV or JSON Lines.  The rules
 * (what counts, historical, thecal sac, primary ties) are docs/timeline.md. */
#define _GNU_SOURCE
#include "cli.h"
#include "csvout.h"
#include "outfile.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reports the timeline uses, and the findings that count: present, not historical. */
#define USABLE                                                                                                   \
    "usable AS (SELECT id, patient, date FROM reports WHERE status = 'ok' AND patient IS NOT NULL"              \
    " AND patient <> '' AND date IS NOT NULL AND date <> ''),"                                                   \
    " present AS (SELECT u.patient, u.date, f.report_id, f.n, f.concept, f.attributes FROM findings f"         \
    " JOIN usable u ON u.id = f.report_id WHERE f.assertion = 'present' AND f.historical = 0)"

static const char *const counts_sql =
    "SELECT COUNT(*), COALESCE(SUM(status <> 'ok'), 0),"
    " COALESCE(SUM(status = 'ok' AND (patient IS NULL OR patient = '')), 0),"
    " COALESCE(SUM(status = 'ok' AND patient IS NOT NULL AND patient <> '' AND (date IS NULL OR date = '')), 0)"
    " FROM reports";

/* The primary tumour site of each usable report that names one (record_json's
 * primary.site), numbered per patient in report order (date, then id); per
 * site, how many reports and the first and last of them; per patient, the
 * site named most often, a named site before "unknown" (ties: the one named
 * last), and every site in
 * first-seen order.  A window orders group_concat: SQLite before 3.44 has no
 * ORDER BY inside an aggregate. */
#define PRIMARIES                                                                                                \
    " named AS (SELECT patient, site, ROW_NUMBER() OVER (PARTITION BY patient ORDER BY date, id) AS k FROM"    \
    "  (SELECT u.patient, u.date, u.id, CASE WHEN json_valid(r.record_json)"                                    \
    "   THEN json_extract(r.record_json, '$.primary.site') END AS site FROM usable u JOIN reports r ON r.id = u.id)" \
    "  WHERE site IS NOT NULL AND site <> ''),"                                                                  \
    " per_site AS (SELECT patient, site, COUNT(*) AS n, MIN(k) AS first_k, MAX(k) AS last_k"                   \
    "  FROM named GROUP BY patient, site),"                                                                      \
    " primaries AS (SELECT patient, site,"                                                                       \
    "  ROW_NUMBER() OVER (PARTITION BY patient ORDER BY site = 'unknown', n DESC, last_k DESC) AS rank,"                          \
    "  group_concat(site, ';') OVER (PARTITION BY patient ORDER BY first_k"                                     \
    "   ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS sites FROM per_site)"

/* Cord compression mirrors the urgent flag: any structure but the thecal sac alone. */
static const char *const patients_sql =
    "WITH " USABLE ","
    " patients AS (SELECT patient, COUNT(*) AS n, MIN(date) AS first, MAX(date) AS last FROM usable GROUP BY patient),"
    " firsts AS (SELECT patient,"
    "  MIN(CASE WHEN concept = 'metastasis' THEN date END) AS met,"
    "  MIN(CASE WHEN concept = 'compression_fracture' AND json_extract(attributes, '$.etiology') = 'pathologic'"
    "   THEN date END) AS fracture,"
    "  MIN(CASE WHEN concept = 'cord_compression' AND COALESCE(json_extract(attributes, '$.structure'), '') <> 'thecal_sac'"
    "   THEN date END) AS cord"
    "  FROM present GROUP BY patient)," PRIMARIES
    " SELECT p.patient, p.n, p.first, p.last, f.met, f.fracture, f.cord, pr.site, pr.sites"
    " FROM patients p LEFT JOIN firsts f ON f.patient = p.patient"
    " LEFT JOIN primaries pr ON pr.patient = p.patient AND pr.rank = 1 ORDER BY p.patient";

/* A finding without a level gives the row with level NULL, sorted last. */
static const char *const levels_sql =
    "WITH " USABLE ","
    " lv AS (SELECT p.patient, l.level, l.level_order, p.concept, p.report_id, p.date,"
    "  CASE p.concept WHEN 'cord_compression' THEN json_extract(p.attributes, '$.structure')"
    "   WHEN 'compression_fracture' THEN json_extract(p.attributes, '$.etiology') END AS detail"
    "  FROM present p LEFT JOIN finding_levels l ON l.report_id = p.report_id AND l.n = p.n),"
    " agg AS (SELECT patient, level, MIN(level_order) AS lo, concept, MIN(date) AS first, MAX(date) AS last,"
    "  COUNT(DISTINCT report_id) AS n FROM lv GROUP BY patient, level, concept),"
    " det AS (SELECT patient, level, concept, group_concat(detail, ' ') AS ds FROM"
    "  (SELECT DISTINCT patient, level, concept, detail FROM lv WHERE detail IS NOT NULL"
    "   ORDER BY patient, level, concept, detail) GROUP BY patient, level, concept)"
    " SELECT a.patient, a.level, a.concept, a.first, a.last, a.n, d.ds FROM agg a"
    " LEFT JOIN det d ON d.patient = a.patient AND d.level IS a.level AND d.concept = a.concept"
    " ORDER BY a.patient, a.lo IS NULL, a.lo, a.concept";

static const char *const columns[] = {"kind", "patient", "level", "concept", "first_seen", "last_seen",
                                      "reports_present", "detail", "reports", "first_report", "last_report",
                                      "first_metastasis", "first_pathologic_fracture", "first_cord_compression",
                                      "primary", "primary_sites"};
#define N_COLUMNS (sizeof columns / sizeof *columns)

static const char *col(sqlite3_stmt *st, int i) { return (const char *)sqlite3_column_text(st, i); }

static void csv_row(rachis_buf *b, const char *const *cells)
{
    for (size_t i = 0; i < N_COLUMNS; i++) csv_cell(b, cells[i], i == 0);
    rachis_buf_append(b, "\r\n", 2);
}

static void json_key(rachis_buf *b, const char *key, const char *value)
{
    rachis_buf_putc(b, ',');
    rachis_json_string(b, key, strlen(key));
    rachis_buf_putc(b, ':');
    if (value) rachis_json_string(b, value, strlen(value));
    else rachis_buf_append(b, "null", 4);
}

static void json_int(rachis_buf *b, const char *key, long long v)
{
    char num[32];
    int n = snprintf(num, sizeof num, "%lld", v);
    rachis_buf_putc(b, ',');
    rachis_json_string(b, key, strlen(key));
    rachis_buf_putc(b, ':');
    rachis_buf_append(b, num, (size_t)n);
}

/* "KEY":[...] of the words of LIST separated by SEP (none: []). */
static void json_list(rachis_buf *b, const char *key, const char *list, const char *sep)
{
    rachis_buf_putc(b, ',');
    rachis_json_string(b, key, strlen(key));
    rachis_buf_append(b, ":[", 2);
    for (const char *p = list; p && *p;) {
        size_t len = strcspn(p, sep);
        if (p != list) rachis_buf_putc(b, ',');
        rachis_json_string(b, p, len);
        p += len;
        p += strspn(p, sep);
    }
    rachis_buf_putc(b, ']');
}

/* One patient row of the patients query. */
static void patient_row(rachis_buf *b, sqlite3_stmt *st, bool json)
{
    char n[32];
    snprintf(n, sizeof n, "%lld", (long long)sqlite3_column_int64(st, 1));
    if (!json) {
        const char *cells[N_COLUMNS] = {"patient", col(st, 0), NULL, NULL, NULL, NULL, NULL, NULL,
                                        n, col(st, 2), col(st, 3), col(st, 4), col(st, 5), col(st, 6),
                                        col(st, 7), col(st, 8)};
        csv_row(b, cells);
        return;
    }
    rachis_buf_append(b, "{\"kind\":\"patient\"", 17);
    json_key(b, "patient", col(st, 0));
    json_int(b, "reports", sqlite3_column_int64(st, 1));
    json_key(b, "first_report", col(st, 2));
    json_key(b, "last_report", col(st, 3));
    json_key(b, "first_metastasis", col(st, 4));
    json_key(b, "first_pathologic_fracture", col(st, 5));
    json_key(b, "first_cord_compression", col(st, 6));
    json_key(b, "primary", col(st, 7));
    json_list(b, "primary_sites", col(st, 8), ";");
    rachis_buf_append(b, "}\n", 2);
}

/* One level row of the levels query. */
static void level_row(rachis_buf *b, sqlite3_stmt *st, bool json)
{
    char n[32];
    snprintf(n, sizeof n, "%lld", (long long)sqlite3_column_int64(st, 5));
    const char *detail = col(st, 6);
    if (!json) {
        const char *cells[N_COLUMNS] = {"level", col(st, 0), col(st, 1), col(st, 2), col(st, 3), col(st, 4), n,
                                        detail, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
        csv_row(b, cells);
        return;
    }
    rachis_buf_append(b, "{\"kind\":\"level\"", 15);
    json_key(b, "patient", col(st, 0));
    json_key(b, "level", col(st, 1));
    json_key(b, "concept", col(st, 2));
    json_key(b, "first_seen", col(st, 3));
    json_key(b, "last_seen", col(st, 4));
    json_int(b, "reports_present", sqlite3_column_int64(st, 5));
    json_list(b, "detail", detail, " ");   /* space-separated words from the query */
    rachis_buf_append(b, "}\n", 2);
}

static int fail_db(sqlite3 *db, const char *path, const char *what)
{
    fprintf(stderr, "rachis timeline: %s: %s: %s\n", path, what, sqlite3_errmsg(db));
    return EXIT_USAGE;
}

/* Is this a store of `rachis extract --db` that this rachis reads? */
static bool is_store(sqlite3 *db, const char *path)
{
    sqlite3_stmt *st;
    const char *have = NULL;
    bool ok = false;
    if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'schema_version'", -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW) have = col(st, 0);
        ok = have && !strcmp(have, "1");
        if (have && !ok) fprintf(stderr, "rachis timeline: %s: store schema version %s, this rachis reads version 1\n", path, have);
    }
    if (!have) fprintf(stderr, "rachis timeline: %s: not a rachis store (no schema version; write one with rachis extract --db)\n", path);
    sqlite3_finalize(st);
    return ok;
}

/* The timeline into B; EXIT_ALL_OK, or EXIT_USAGE after a message. */
static int build(sqlite3 *db, const char *path, bool json, rachis_buf *b, long long *n_patients)
{
    sqlite3_stmt *pat = NULL, *lev = NULL;
    int rc = EXIT_ALL_OK;
    if (sqlite3_prepare_v2(db, patients_sql, -1, &pat, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, levels_sql, -1, &lev, NULL) != SQLITE_OK) {
        rc = fail_db(db, path, "reading the store");
        goto done;
    }
    if (!json) {
        for (size_t i = 0; i < N_COLUMNS; i++) csv_cell(b, columns[i], i == 0);
        rachis_buf_append(b, "\r\n", 2);
    }
    /* Both queries are ordered by patient (BINARY): each patient row, then its level rows. */
    int lrc = sqlite3_step(lev), prc;
    while ((prc = sqlite3_step(pat)) == SQLITE_ROW) {
        ++*n_patients;
        patient_row(b, pat, json);
        const char *p = col(pat, 0);
        while (lrc == SQLITE_ROW && p && col(lev, 0) && !strcmp(col(lev, 0), p)) {
            level_row(b, lev, json);
            lrc = sqlite3_step(lev);
        }
    }
    if (prc != SQLITE_DONE || (lrc != SQLITE_DONE && lrc != SQLITE_ROW)) rc = fail_db(db, path, "reading the store");
    else if (lrc == SQLITE_ROW) {   /* cannot happen: every level row's patient has a patient row */
        fprintf(stderr, "rachis timeline: %s: internal error: level rows out of order\n", path);
        rc = EXIT_USAGE;
    }
done:
    sqlite3_finalize(pat);
    sqlite3_finalize(lev);
    return rc;
}

/* Writes B to PATH ("-" or NULL: standard output), whole or not at all. */
static int write_out(const char *path, const rachis_buf *b)
{
    if (!path || !strcmp(path, "-")) {
        if (fwrite(b->data, 1, b->len, stdout) != b->len || fflush(stdout) != 0) {
            fprintf(stderr, "rachis timeline: writing standard output: %s\n", strerror(errno));
            return EXIT_USAGE;
        }
        return EXIT_ALL_OK;
    }
    char *tmp = NULL;
    FILE *f = out_open(path, &tmp, "timeline");
    if (!f) return EXIT_USAGE;
    bool ok = fwrite(b->data, 1, b->len, f) == b->len;
    if (!out_finish(f, tmp, path, ok)) {
        fprintf(stderr, "rachis timeline: cannot write %s: %s\n", path, strerror(errno));
        return EXIT_USAGE;
    }
    return EXIT_ALL_OK;
}

int cmd_timeline(cli_opts *o, const char *argv0)
{
    (void)argv0;
    if (!o->db || o->n_args) {
        fprintf(stderr, "rachis timeline: give the store with --db STORE (written by rachis extract --db), and no inputs\n");
        return EXIT_USAGE;
    }
    struct stat sb;
    if (stat(o->db, &sb) != 0) {
        fprintf(stderr, "rachis timeline: cannot open %s: %s\n", o->db, strerror(errno));
        return EXIT_USAGE;
    }
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(o->db, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        int rc = fail_db(db, o->db, "cannot open");
        sqlite3_close(db);
        return rc;
    }
    sqlite3_busy_timeout(db, 10000);
    int rc = EXIT_ALL_OK;
    long long total = 0, errors = 0, no_patient = 0, no_date = 0, n_patients = 0;
    rachis_buf b = {0};
    sqlite3_stmt *st = NULL;
    if (!is_store(db, o->db)) {
        rc = EXIT_USAGE;
    } else if (sqlite3_prepare_v2(db, counts_sql, -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
        rc = fail_db(db, o->db, "reading the store");
    } else {
        total = sqlite3_column_int64(st, 0);
        errors = sqlite3_column_int64(st, 1);
        no_patient = sqlite3_column_int64(st, 2);
        no_date = sqlite3_column_int64(st, 3);
        rc = build(db, o->db, o->json, &b, &n_patients);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    if (rc == EXIT_ALL_OK) rc = write_out(o->output, &b);
    rachis_buf_free(&b);
    if (rc != EXIT_ALL_OK) return rc;
    long long skipped = errors + no_patient + no_date;
    if (skipped)   /* never silent, even with -q */
        fprintf(stderr, "rachis timeline: %lld of %lld reports not used: %lld error records, %lld without a patient id, %lld without a date\n",
                skipped, total, errors, no_patient, no_date);
    if (!o->quiet)
        fprintf(stderr, "rachis timeline: %lld reports of %lld patients\n", total - skipped, n_patients);
    return skipped ? EXIT_SOME_ERRORS : EXIT_ALL_OK;
}
