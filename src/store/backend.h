/*
 * Private to src/store: the table of functions one database engine provides. store.c does
 * everything that does not depend on the engine (URL dispatch, statement cache, transaction
 * nesting, UTF-8 checks, change feed, migrations) and calls the engine only through this table.
 * A PostgreSQL backend is one more file (src/store/postgres.c) defining one more table and one
 * line in store.c's list of backends; nothing above src/store changes.
 *
 * Conventions for every engine:
 * - `conn` and `stmt` are the engine's own handles, opaque to store.c.
 * - Text handed to bind_text is already checked (valid UTF-8, no NUL, length fits).
 * - Errors are mapped to np_err the same way on every engine: constraint violations →
 *   NP_ERR_CONFLICT with detail code "unique", "foreign_key", "check", "not_null" or "constraint"
 *   and the constraint (or column) in the detail's field; lock/serialization failures →
 *   NP_ERR_BUSY; anything else → NP_ERR_STORE.
 */
#ifndef NP_STORE_BACKEND_H
#define NP_STORE_BACKEND_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/err.h"

typedef struct np_store_backend {
  const char *engine;     /* "sqlite", "postgres": what np_store_engine() reports */
  const char *url_prefix; /* "sqlite:" — np_store_open picks the backend whose prefix matches */
  const char *begin_sql;  /* outermost transaction: "BEGIN IMMEDIATE" (SQLite), "BEGIN" (PostgreSQL) */

  /** Opens a connection to url (the whole URL, prefix included: each backend parses its own). */
  np_err (*open)(const char *url, void **conn, np_errdetail_t *err);
  /** Closes the connection; every statement has been finalized before. */
  void (*close)(void *conn);
  /** Runs a script of one or more statements without parameters or results. */
  np_err (*exec)(void *conn, const char *sql, np_errdetail_t *err);
  /** Rows changed by the last INSERT/UPDATE/DELETE. */
  int64_t (*changes)(void *conn);
  /** The engine's own view of "a transaction is open" (false after an automatic rollback). */
  bool (*in_tx)(void *conn);
  /** Whether a table of that name exists (used before schema_migrations exists). */
  np_err (*has_table)(void *conn, const char *name, bool *out, np_errdetail_t *err);

  /** Prepares one statement with `?` placeholders. */
  np_err (*prepare)(void *conn, const char *sql, size_t len, void **stmt, np_errdetail_t *err);
  /** Frees a statement. */
  void (*finalize)(void *stmt);
  /** Resets a statement for another run and clears its binds. */
  void (*reset)(void *stmt);
  /** Number of placeholders. */
  int (*param_count)(void *stmt);

  /* Binds (1-based). Return NP_ERR_INVALID for a bad index, NP_ERR_TOO_LARGE, NP_ERR_NOMEM. */
  np_err (*bind_int64)(void *stmt, int idx, int64_t v);
  np_err (*bind_double)(void *stmt, int idx, double v);
  np_err (*bind_text)(void *stmt, int idx, const char *s, size_t len);
  np_err (*bind_blob)(void *stmt, int idx, const void *p, size_t len);
  np_err (*bind_null)(void *stmt, int idx);

  /** Advances; *has_row true when a row is available. */
  np_err (*step)(void *conn, void *stmt, bool *has_row, np_errdetail_t *err);

  /* Columns of the current row (0-based; store.c checks the index). */
  int (*col_count)(void *stmt);
  bool (*col_is_null)(void *stmt, int col);
  int64_t (*col_int64)(void *stmt, int col);
  double (*col_double)(void *stmt, int col);
  const char *(*col_text)(void *stmt, int col);
  const void *(*col_blob)(void *stmt, int col);
  size_t (*col_bytes)(void *stmt, int col);
  const char *(*col_name)(void *stmt, int col);
} np_store_backend_t;

/** The SQLite backend (src/store/sqlite.c). */
extern const np_store_backend_t np_store_backend_sqlite;

#endif
