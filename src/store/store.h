/*
 * The store: one small interface over SQLite (embedded default) and PostgreSQL (later).
 * Nothing above this header may assume SQLite. SQL handed to it uses the portable subset both
 * engines understand, with `?` positional placeholders (the PostgreSQL backend rewrites them to $n),
 * `RETURNING` for generated ids, and no engine-specific functions.
 *
 * A np_store_t is one connection and is used by one thread at a time. Servers take connections
 * from a np_store_pool_t.
 */
#ifndef NP_STORE_STORE_H
#define NP_STORE_STORE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/err.h"

typedef struct np_store np_store_t;
typedef struct np_stmt np_stmt_t;
typedef struct np_store_pool np_store_pool_t;

/** Opens a connection by URL: "sqlite:PATH" (created if missing; WAL, foreign keys, busy timeout). */
np_err np_store_open(const char *url, np_store_t **out, np_errdetail_t *err);

/** Closes a connection (finalizes cached statements; rolls back an open transaction). NULL allowed. */
void np_store_close(np_store_t *s);

/** "sqlite" or "postgres". */
const char *np_store_engine(const np_store_t *s);

/**
 * Returns a prepared statement for sql, from the connection's cache when it was prepared before.
 * Give it back with np_store_release() (which resets it and clears its binds).
 */
np_err np_store_prepare(np_store_t *s, const char *sql, np_stmt_t **out, np_errdetail_t *err);

/** Resets and returns a statement to the cache. NULL allowed. */
void np_store_release(np_stmt_t *st);

/* Positional binds, 1-based. Text must be valid UTF-8; len may be NP_STORE_STRLEN. */
#define NP_STORE_STRLEN ((size_t)-1)
np_err np_store_bind_int64(np_stmt_t *st, int idx, int64_t v);
np_err np_store_bind_double(np_stmt_t *st, int idx, double v);
np_err np_store_bind_text(np_stmt_t *st, int idx, const char *s, size_t len);
np_err np_store_bind_blob(np_stmt_t *st, int idx, const void *p, size_t len);
np_err np_store_bind_null(np_stmt_t *st, int idx);
/** Binds text, or NULL when s is NULL. */
np_err np_store_bind_text_or_null(np_stmt_t *st, int idx, const char *s);

/**
 * Advances: *has_row is true when a row is available, false when done.
 * Returns NP_ERR_CONFLICT for unique/foreign-key/check violations, NP_ERR_BUSY when locked.
 */
np_err np_store_step(np_stmt_t *st, bool *has_row, np_errdetail_t *err);

/* Column getters for the current row, 0-based. Text is valid until the next step/release. */
int np_store_col_count(np_stmt_t *st);
bool np_store_col_is_null(np_stmt_t *st, int col);
int64_t np_store_col_int64(np_stmt_t *st, int col);
double np_store_col_double(np_stmt_t *st, int col);
const char *np_store_col_text(np_stmt_t *st, int col); /* NULL when NULL */
const void *np_store_col_blob(np_stmt_t *st, int col);
size_t np_store_col_bytes(np_stmt_t *st, int col);
const char *np_store_col_name(np_stmt_t *st, int col);

/** Runs one or more statements without parameters or results (DDL, pragmas). */
np_err np_store_exec(np_store_t *s, const char *sql, np_errdetail_t *err);

/**
 * Convenience: prepare, bind from a format, step once, release. fmt characters: 'i' int64,
 * 't' text (const char*, NULL binds NULL), 'd' double. Returns rows changed in *changed (may be NULL).
 */
np_err np_store_execf(np_store_t *s, int64_t *changed, np_errdetail_t *err, const char *sql, const char *fmt, ...);

/** Runs a query expected to return one integer (COUNT(*) …); *found false when no row. */
np_err np_store_query_int64(np_store_t *s, const char *sql, int64_t *out, bool *found, np_errdetail_t *err);

/** Rows changed by the last INSERT/UPDATE/DELETE on this connection. */
int64_t np_store_changes(np_store_t *s);

/*
 * Transactions nest: the outermost begin opens a transaction (BEGIN IMMEDIATE on SQLite), inner
 * ones make savepoints. Every write of the application is one transaction.
 */
np_err np_store_begin(np_store_t *s, np_errdetail_t *err);
np_err np_store_commit(np_store_t *s, np_errdetail_t *err);
/** Rolls back the innermost level. Safe to call when nothing is open. */
void np_store_rollback(np_store_t *s);
bool np_store_in_tx(const np_store_t *s);

/**
 * Appends to the change feed: (seq, at, entity, id, op) in the current transaction.
 * op is "insert", "update" or "delete". Fails with NP_ERR_INTERNAL when no transaction is open.
 * *seq_out (may be NULL) receives the new sequence number.
 */
np_err np_store_change(np_store_t *s, const char *entity, const char *id, const char *op, int64_t *seq_out,
                       np_errdetail_t *err);

/** Highest change sequence number (0 when empty). */
np_err np_store_change_seq(np_store_t *s, int64_t *seq, np_errdetail_t *err);

/*
 * Migrations: numbered files "migrations/NNNN_<module>_<what>.sql" embedded in the binary.
 * np_store_migrate applies those not applied yet, each in its own transaction, and refuses
 * (NP_ERR_SCHEMA) when the database has a version newer than the binary knows.
 */
np_err np_store_migrate(np_store_t *s, int *applied, np_errdetail_t *err);
/** Schema version of the database (0 when empty) and the newest this binary knows. */
np_err np_store_schema_version(np_store_t *s, int *db_version, int *binary_version, np_errdetail_t *err);

/* A fixed-size pool of connections for multi-threaded servers. */
np_err np_store_pool_open(const char *url, int size, np_store_pool_t **out, np_errdetail_t *err);
/** Blocks until a connection is free (at most timeout_ms; NP_ERR_BUSY after). */
np_err np_store_pool_acquire(np_store_pool_t *p, int timeout_ms, np_store_t **out);
/** Returns a connection; an open transaction is rolled back. */
void np_store_pool_release(np_store_pool_t *p, np_store_t *s);
void np_store_pool_close(np_store_pool_t *p);

#endif
