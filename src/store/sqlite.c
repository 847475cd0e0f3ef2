/*
 * The SQLite backend of the store (see backend.h): "sqlite:PATH" opens PATH (created when missing;
 * its directory must exist) in WAL mode with foreign keys on, synchronous=NORMAL, a 5 s busy
 * timeout, extended result codes, and double-quoted string literals disabled so that SQL which
 * would fail on PostgreSQL fails here too.
 */
#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "store/backend.h"

#define SQLITE_PREFIX "sqlite:"
#define BUSY_TIMEOUT_MS 5000

/* Fills err from an SQLite result code, the same mapping for step, exec and commit. */
static np_err map_error(sqlite3 *db, int rc, np_errdetail_t *err) {
  const char *msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  if (!msg) msg = sqlite3_errstr(rc);
  switch (rc & 0xff) {
  case SQLITE_CONSTRAINT: {
    const char *code = "constraint";
    switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
    case SQLITE_CONSTRAINT_ROWID: code = "unique"; break;
    case SQLITE_CONSTRAINT_FOREIGNKEY: code = "foreign_key"; break;
    case SQLITE_CONSTRAINT_CHECK: code = "check"; break;
    case SQLITE_CONSTRAINT_NOTNULL: code = "not_null"; break;
    default: break;
    }
    /* "UNIQUE constraint failed: t.a, t.b" → field "t.a, t.b" (names only, never values) */
    const char *what = "";
    const char *colon = strstr(msg, "failed: ");
    if (colon) what = colon + strlen("failed: ");
    return np_fail(err, NP_ERR_CONFLICT, code, what, "%s constraint failed%s%s", code, *what ? ": " : "", what);
  }
  case SQLITE_BUSY:
  case SQLITE_LOCKED: return np_fail(err, NP_ERR_BUSY, "busy", "", "database is busy (%s); try again", msg);
  case SQLITE_NOMEM: return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory in SQLite");
  case SQLITE_TOOBIG: return np_fail(err, NP_ERR_TOO_LARGE, "too_large", "", "value too large for SQLite");
  default: return np_fail(err, NP_ERR_STORE, "store", "", "sqlite: %s", msg);
  }
}

/* The directory part of path must exist: a typo in --db should not scatter databases around. */
static np_err check_directory(const char *path, np_errdetail_t *err) {
  const char *slash = strrchr(path, '/');
  if (!slash || slash == path) return NP_OK;
  size_t n = (size_t)(slash - path);
  char dir[4096];
  if (n >= sizeof dir) return np_fail(err, NP_ERR_INVALID, "bad_url", "db", "database path is too long");
  memcpy(dir, path, n);
  dir[n] = '\0';
  struct stat st;
  if (stat(dir, &st) != 0)
    return np_fail(err, NP_ERR_IO, "no_directory", "db", "cannot open database %s: directory %s: %s", path, dir,
                   strerror(errno));
  if (!S_ISDIR(st.st_mode))
    return np_fail(err, NP_ERR_IO, "no_directory", "db", "cannot open database %s: %s is not a directory", path, dir);
  return NP_OK;
}

static np_err sq_open(const char *url, void **conn, np_errdetail_t *err) {
  *conn = NULL;
  size_t plen = strlen(SQLITE_PREFIX);
  if (strncmp(url, SQLITE_PREFIX, plen) != 0)
    return np_fail(err, NP_ERR_INVALID, "bad_url", "db", "not an sqlite: URL");
  const char *path = url + plen;
  if (!*path) return np_fail(err, NP_ERR_INVALID, "bad_url", "db", "sqlite: URL without a file path");
  bool memory = strcmp(path, ":memory:") == 0;
  np_err e = memory ? NP_OK : check_directory(path, err);
  if (e) return e;

  sqlite3 *db = NULL;
  int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK) {
    e = np_fail(err, NP_ERR_STORE, "open_failed", "db", "cannot open database %s: %s", path,
                db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    goto fail;
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
  sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DML, 0, (int *)NULL);
  sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DDL, 0, (int *)NULL);
  sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
  sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_FKEY, 1, (int *)NULL);

  /* journal_mode answers with the mode in force: insist on WAL for files. */
  sqlite3_stmt *st = NULL;
  rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &st, NULL);
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  if (rc != SQLITE_ROW) {
    sqlite3_finalize(st);
    e = map_error(db, rc, err);
    goto fail;
  }
  const char *mode = (const char *)sqlite3_column_text(st, 0);
  bool wal = mode && strcmp(mode, "wal") == 0;
  sqlite3_finalize(st);
  if (!wal && !memory) {
    e = np_fail(err, NP_ERR_STORE, "no_wal", "db", "database %s cannot use WAL mode (journal mode %s)", path,
                mode ? mode : "?");
    goto fail;
  }
  /* Reads go through a memory map (no pread copy per page) and a 32 MiB page cache per
   * connection: list pages touch thousands of rows at province scale. */
  rc = sqlite3_exec(db, "PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL; PRAGMA mmap_size=1073741824; "
                        "PRAGMA cache_size=-32768;", NULL, NULL, NULL);
  if (rc != SQLITE_OK) {
    e = map_error(db, rc, err);
    goto fail;
  }
  *conn = db;
  return NP_OK;
fail:
  sqlite3_close_v2(db);
  return e;
}

static void sq_close(void *conn) {
  if (conn) sqlite3_close_v2(conn);
}

static np_err sq_exec(void *conn, const char *sql, np_errdetail_t *err) {
  int rc = sqlite3_exec(conn, sql, NULL, NULL, NULL);
  if (rc == SQLITE_OK) return NP_OK;
  return map_error(conn, sqlite3_extended_errcode(conn), err);
}

static int64_t sq_changes(void *conn) { return sqlite3_changes64(conn); }

static bool sq_in_tx(void *conn) { return sqlite3_get_autocommit(conn) == 0; }

static np_err sq_has_table(void *conn, const char *name, bool *out, np_errdetail_t *err) {
  sqlite3_stmt *st = NULL;
  *out = false;
  int rc = sqlite3_prepare_v2(conn, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", -1, &st, NULL);
  if (rc == SQLITE_OK) rc = sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  np_err e = NP_OK;
  if (rc == SQLITE_ROW)
    *out = true;
  else if (rc != SQLITE_DONE)
    e = map_error(conn, rc, err);
  sqlite3_finalize(st);
  return e;
}

static np_err sq_prepare(void *conn, const char *sql, size_t len, void **stmt, np_errdetail_t *err) {
  *stmt = NULL;
  if (len >= INT_MAX) return np_fail(err, NP_ERR_TOO_LARGE, "too_large", "", "SQL text too long");
  sqlite3_stmt *st = NULL;
  const char *tail = NULL;
  /* sql is NUL-terminated: passing the length with the NUL spares SQLite a copy */
  int rc = sqlite3_prepare_v3(conn, sql, (int)len + 1, SQLITE_PREPARE_PERSISTENT, &st, &tail);
  if (rc != SQLITE_OK) {
    int prim = rc & 0xff;
    if (prim == SQLITE_BUSY || prim == SQLITE_LOCKED || prim == SQLITE_NOMEM) return map_error(conn, rc, err);
    return np_fail(err, NP_ERR_STORE, "bad_sql", "", "sqlite: %s", sqlite3_errmsg(conn));
  }
  if (!st) return np_fail(err, NP_ERR_INTERNAL, "bad_sql", "", "empty SQL statement");
  while (tail && (*tail == ' ' || *tail == '\n' || *tail == '\t' || *tail == '\r' || *tail == ';')) tail++;
  if (tail && *tail) {
    sqlite3_finalize(st);
    return np_fail(err, NP_ERR_INTERNAL, "bad_sql", "", "one statement per prepare (use np_store_exec for scripts)");
  }
  *stmt = st;
  return NP_OK;
}

static void sq_finalize(void *stmt) { sqlite3_finalize(stmt); }

static void sq_reset(void *stmt) {
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
}

static int sq_param_count(void *stmt) { return sqlite3_bind_parameter_count(stmt); }

static np_err bind_rc(int rc) {
  switch (rc) {
  case SQLITE_OK: return NP_OK;
  case SQLITE_RANGE: return NP_ERR_INVALID;
  case SQLITE_TOOBIG: return NP_ERR_TOO_LARGE;
  case SQLITE_NOMEM: return NP_ERR_NOMEM;
  case SQLITE_MISUSE: return NP_ERR_INTERNAL;
  default: return NP_ERR_STORE;
  }
}

static np_err sq_bind_int64(void *stmt, int idx, int64_t v) { return bind_rc(sqlite3_bind_int64(stmt, idx, v)); }

static np_err sq_bind_double(void *stmt, int idx, double v) { return bind_rc(sqlite3_bind_double(stmt, idx, v)); }

static np_err sq_bind_text(void *stmt, int idx, const char *s, size_t len) {
  return bind_rc(sqlite3_bind_text64(stmt, idx, len ? s : "", len, SQLITE_TRANSIENT, SQLITE_UTF8));
}

static np_err sq_bind_blob(void *stmt, int idx, const void *p, size_t len) {
  if (len == 0) return bind_rc(sqlite3_bind_zeroblob(stmt, idx, 0)); /* empty, not NULL */
  return bind_rc(sqlite3_bind_blob64(stmt, idx, p, len, SQLITE_TRANSIENT));
}

static np_err sq_bind_null(void *stmt, int idx) { return bind_rc(sqlite3_bind_null(stmt, idx)); }

static np_err sq_step(void *conn, void *stmt, bool *has_row, np_errdetail_t *err) {
  int rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) {
    *has_row = true;
    return NP_OK;
  }
  *has_row = false;
  if (rc == SQLITE_DONE) return NP_OK;
  return map_error(conn, rc, err);
}

static int sq_col_count(void *stmt) { return sqlite3_column_count(stmt); }
static bool sq_col_is_null(void *stmt, int col) { return sqlite3_column_type(stmt, col) == SQLITE_NULL; }
static int64_t sq_col_int64(void *stmt, int col) { return sqlite3_column_int64(stmt, col); }
static double sq_col_double(void *stmt, int col) { return sqlite3_column_double(stmt, col); }
static const char *sq_col_text(void *stmt, int col) { return (const char *)sqlite3_column_text(stmt, col); }
static const void *sq_col_blob(void *stmt, int col) { return sqlite3_column_blob(stmt, col); }
static size_t sq_col_bytes(void *stmt, int col) { return (size_t)sqlite3_column_bytes(stmt, col); }
static const char *sq_col_name(void *stmt, int col) { return sqlite3_column_name(stmt, col); }

const np_store_backend_t np_store_backend_sqlite = {
  .engine = "sqlite",
  .url_prefix = SQLITE_PREFIX,
  .begin_sql = "BEGIN IMMEDIATE",
  .open = sq_open,
  .close = sq_close,
  .exec = sq_exec,
  .changes = sq_changes,
  .in_tx = sq_in_tx,
  .has_table = sq_has_table,
  .prepare = sq_prepare,
  .finalize = sq_finalize,
  .reset = sq_reset,
  .param_count = sq_param_count,
  .bind_int64 = sq_bind_int64,
  .bind_double = sq_bind_double,
  .bind_text = sq_bind_text,
  .bind_blob = sq_bind_blob,
  .bind_null = sq_bind_null,
  .step = sq_step,
  .col_count = sq_col_count,
  .col_is_null = sq_col_is_null,
  .col_int64 = sq_col_int64,
  .col_double = sq_col_double,
  .col_text = sq_col_text,
  .col_blob = sq_col_blob,
  .col_bytes = sq_col_bytes,
  .col_name = sq_col_name,
};
