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

/**
 * Opens a connection by URL: "sqlite:PATH" (the file is created if missing, its directory must exist;
 * WAL, foreign keys, synchronous=NORMAL, 5 s busy timeout). Unknown schemes → NP_ERR_UNSUPPORTED.
 */
np_err np_store_open(const char *url, np_store_t **out, np_errdetail_t *err);

/** Closes a connection (finalizes cached statements; rolls back an open transaction). NULL allowed. */
void np_store_close(np_store_t *s);

typedef struct np_memo np_memo_t;

/**
 * The result memo (store/memo.h) of this connection's pool, or of this connection when it was opened
 * alone: cached small results such as list totals, valid for one change-feed sequence.
 */
np_memo_t *np_store_memo(np_store_t *s);

/** Makes s use m (owned by the caller, e.g. its pool) instead of its own memo. */
void np_store_share_memo(np_store_t *s, np_memo_t *m);

/** One positional bind value of np_store_count_memo. */
typedef struct np_store_bindv {
  bool is_int;
  int64_t i;
  const char *t;
} np_store_bindv_t;

/**
 * Runs a query answering one integer (a list's COUNT(*)) with its n binds, through the memo: the same
 * SQL and binds at the same change-feed sequence are answered without running it (the sequence is read
 * first, so a value is never keyed newer than what it counted). Paging through a filter asks its total
 * again on every page; any committed write makes the next ask count again.
 */
np_err np_store_count_memo(np_store_t *s, const char *sql, const np_store_bindv_t *binds, int n, int64_t *out,
                           np_errdetail_t *err);

/** "sqlite" or "postgres". */
const char *np_store_engine(const np_store_t *s);

/**
 * Returns a prepared statement for sql (exactly one statement), from the connection's cache when the
 * same SQL text was prepared before (at most 256 cached, least recently used evicted). When the cached
 * one is still in use (a nested query with the same text) a private statement is prepared.
 * Give it back with np_store_release() (which resets it and clears its binds).
 */
np_err np_store_prepare(np_store_t *s, const char *sql, np_stmt_t **out, np_errdetail_t *err);

/** Resets and returns a statement to the cache. NULL allowed. */
void np_store_release(np_stmt_t *st);

/*
 * Positional binds, 1-based. Text must be valid UTF-8 without NUL bytes (else NP_ERR_ENCODING);
 * len may be NP_STORE_STRLEN. A failed bind also makes the next np_store_step fail with that error
 * (sticky until release), so a chain of binds may be checked once at the step.
 */
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
 * Convenience: prepare, bind from a format, step to the end, release. fmt characters: 'i' int64_t
 * (cast literals and ints: (int64_t)n — varargs are not converted),
 * 't' text (const char*, NULL binds NULL), 'd' double, 'b' blob (const void*, size_t), 'n' NULL
 * (no argument). The number of fmt characters must equal the number of placeholders.
 * Returns rows changed in *changed (may be NULL).
 */
np_err np_store_execf(np_store_t *s, int64_t *changed, np_errdetail_t *err, const char *sql, const char *fmt, ...);

/** Runs a query expected to return one integer (COUNT(*) …); *found false when no row or NULL. */
np_err np_store_query_int64(np_store_t *s, const char *sql, int64_t *out, bool *found, np_errdetail_t *err);

/**
 * np_store_query_int64 with binds as in np_store_execf: "SELECT id FROM t WHERE code = ?", or
 * "INSERT … RETURNING id". Reads the first column of the first row; the statement runs to the end.
 * found may be NULL (then no row is NP_ERR_NOT_FOUND).
 */
np_err np_store_queryf_int64(np_store_t *s, int64_t *out, bool *found, np_errdetail_t *err, const char *sql,
                             const char *fmt, ...);

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

/** One row of the change feed, valid during the callback only. */
typedef struct np_store_change_row {
  int64_t seq;
  const char *at; /* "YYYY-MM-DDTHH:MM:SSZ" (UTC) */
  const char *entity;
  const char *entity_id;
  const char *op; /* "insert", "update", "delete" */
} np_store_change_row_t;

/**
 * Follows the feed: calls fn for each change with seq > after, in seq order, at most limit rows
 * (limit <= 0: 1000). fn returns 0 to go on, non-zero to stop. *last (may be NULL) receives the seq
 * of the last row handed to fn, or after when none: pass it as `after` next time.
 */
np_err np_store_change_each(np_store_t *s, int64_t after, int limit, int (*fn)(const np_store_change_row_t *c, void *ctx),
                            void *ctx, int64_t *last, np_errdetail_t *err);

/*
 * Migrations: numbered files "migrations/NNNN_<module>_<what>.sql" embedded in the binary.
 * np_store_migrate applies those not applied yet, each in its own transaction, and refuses
 * (NP_ERR_SCHEMA) when the database has a version newer than the binary knows.
 */
np_err np_store_migrate(np_store_t *s, int *applied, np_errdetail_t *err);
/**
 * Schema version of the database (0 when empty) and the newest this binary knows. NP_ERR_SCHEMA when
 * the embedded set is broken (a gap, a duplicate number, a badly named file).
 */
np_err np_store_schema_version(np_store_t *s, int *db_version, int *binary_version, np_errdetail_t *err);

/** One migration: name "NNNN_<module>_<what>.sql" (the number is the version) and its SQL script. */
typedef struct np_store_migration {
  const char *name;
  const char *sql;
} np_store_migration_t;

/** Called after each migration applied (version, file name). */
typedef void (*np_store_migrate_fn)(int version, const char *name, void *ctx);

/** np_store_migrate, calling fn (may be NULL) after each migration it applies. */
np_err np_store_migrate_cb(np_store_t *s, np_store_migrate_fn fn, void *ctx, int *applied, np_errdetail_t *err);

/**
 * Migrates from an explicit list instead of the embedded files (tests, tools): list[0..n) in name
 * order, numbered 1..n without gaps or duplicates (else NP_ERR_SCHEMA).
 */
np_err np_store_migrate_list(np_store_t *s, const np_store_migration_t *list, size_t n, np_store_migrate_fn fn,
                             void *ctx, int *applied, np_errdetail_t *err);

/* A fixed-size pool of connections for multi-threaded servers. */
np_err np_store_pool_open(const char *url, int size, np_store_pool_t **out, np_errdetail_t *err);
/** Blocks until a connection is free (at most timeout_ms, 0 = don't wait, < 0 = no limit; NP_ERR_BUSY after). */
np_err np_store_pool_acquire(np_store_pool_t *p, int timeout_ms, np_store_t **out);
/** Returns a connection; an open transaction is rolled back. */
void np_store_pool_release(np_store_pool_t *p, np_store_t *s);
/** Closes every connection (all must have been released). NULL allowed. */
void np_store_pool_close(np_store_pool_t *p);

#endif
