/*
 * The engine-independent half of the store: URL dispatch to a backend (backend.h), the per-connection
 * statement cache, bind checks, transaction nesting, the change feed and the migrations runner.
 */
#include "store/store.h"
#include <inttypes.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/embed.h"
#include "core/log.h"
#include "core/str.h"
#include "store/memo.h"
#include "store/backend.h"

#define CACHE_MAX 256
#define CACHE_BUCKETS 512 /* power of two, about twice CACHE_MAX */

static const np_store_backend_t *const backends[] = {&np_store_backend_sqlite};

struct np_stmt {
  np_store_t *s;
  void *raw;
  char *sql;
  size_t len;
  uint64_t hash;
  np_stmt_t *hnext;            /* bucket chain (cached only) */
  np_stmt_t *prev, *next;      /* LRU list (cached) or the list of private statements */
  bool cached;
  bool in_use;
  np_err bind_err;             /* first failed bind since the last release */
  int bind_idx;
  int64_t spent_ns;            /* time spent in step since the last release (slow-statement log) */
};

struct np_store {
  const np_store_backend_t *be;
  void *conn;
  int depth; /* 0: no transaction; 1: transaction; n > 1: n-1 savepoints */
  np_stmt_t *buckets[CACHE_BUCKETS];
  np_stmt_t *lru_head, *lru_tail; /* most recently used first */
  size_t ncached;
  np_stmt_t *loose; /* private (uncached) statements handed out */
  np_memo_t *memo;  /* result memo: the pool's (shared) or this connection's own */
  bool own_memo;
};

/* ---- connections ---- */

np_err np_store_open(const char *url, np_store_t **out, np_errdetail_t *err) {
  *out = NULL;
  if (!url || !*url) return np_fail(err, NP_ERR_INVALID, "bad_url", "db", "empty database URL");
  const np_store_backend_t *be = NULL;
  for (size_t i = 0; i < sizeof backends / sizeof backends[0]; i++)
    if (strncmp(url, backends[i]->url_prefix, strlen(backends[i]->url_prefix)) == 0) be = backends[i];
  if (!be) {
    const char *colon = strchr(url, ':');
    int n = colon ? (int)(colon - url) : (int)strlen(url);
    if (n > 32) n = 32;
    return np_fail(err, NP_ERR_UNSUPPORTED, "bad_url", "db",
                   "unsupported database URL scheme '%.*s' (this build knows sqlite:PATH)", n, url);
  }
  np_store_t *s = calloc(1, sizeof *s);
  if (!s) return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  s->be = be;
  s->memo = np_memo_new(256);
  s->own_memo = true;
  np_err e = s->memo ? be->open(url, &s->conn, err) : np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  if (e) {
    np_memo_free(s->memo);
    free(s);
    return e;
  }
  *out = s;
  return NP_OK;
}

static void stmt_free(np_stmt_t *st) {
  st->s->be->finalize(st->raw);
  free(st->sql);
  free(st);
}

void np_store_close(np_store_t *s) {
  if (!s) return;
  while (s->depth > 0) np_store_rollback(s);
  for (np_stmt_t *st = s->lru_head, *nx; st; st = nx) {
    nx = st->next;
    stmt_free(st);
  }
  for (np_stmt_t *st = s->loose, *nx; st; st = nx) {
    nx = st->next;
    stmt_free(st);
  }
  s->be->close(s->conn);
  if (s->own_memo) np_memo_free(s->memo);
  free(s);
}

np_memo_t *np_store_memo(np_store_t *s) { return s->memo; }

np_err np_store_count_memo(np_store_t *s, const char *sql, const np_store_bindv_t *binds, int n, int64_t *out,
                           np_errdetail_t *err) {
  np_stmt_t *st = NULL;
  bool has = false;
  int64_t seq = 0;
  *out = 0;
  np_err rc = np_store_change_seq(s, &seq, err);
  if (rc) return rc;
  /* key: the SQL and its binds, unit-separated; a key that does not fit is simply not memoised */
  char key[4096];
  size_t klen = 0;
  int w = snprintf(key, sizeof key, "%s", sql);
  bool keyed = w > 0 && (size_t)w < sizeof key;
  klen = keyed ? (size_t)w : 0;
  for (int k = 0; keyed && k < n; k++) {
    w = binds[k].is_int ? snprintf(key + klen, sizeof key - klen, "\x1f%" PRId64, binds[k].i)
                        : snprintf(key + klen, sizeof key - klen, "\x1f%s", binds[k].t ? binds[k].t : "\x1e");
    keyed = w > 0 && (size_t)w < sizeof key - klen;
    if (keyed) klen += (size_t)w;
  }
  if (keyed && np_memo_get(s->memo, key, klen, seq, out)) return NP_OK;
  if ((rc = np_store_prepare(s, sql, &st, err))) return rc;
  for (int k = 0; !rc && k < n; k++)
    rc = binds[k].is_int ? np_store_bind_int64(st, k + 1, binds[k].i) : np_store_bind_text_or_null(st, k + 1, binds[k].t);
  if (!rc) rc = np_store_step(st, &has, err);
  if (!rc) {
    *out = has ? np_store_col_int64(st, 0) : 0;
    if (keyed) np_memo_put(s->memo, key, klen, seq, *out);
  }
  np_store_release(st);
  return rc;
}

void np_store_share_memo(np_store_t *s, np_memo_t *m) {
  if (s->own_memo) np_memo_free(s->memo);
  s->memo = m;
  s->own_memo = false;
}

const char *np_store_engine(const np_store_t *s) { return s->be->engine; }

/* ---- statement cache ---- */

static uint64_t sql_hash(const char *p, size_t n) { return np_hash_fnv1a(NP_FNV1A_INIT, p, n); }

static void lru_unlink(np_store_t *s, np_stmt_t *st) {
  if (st->prev) st->prev->next = st->next;
  else s->lru_head = st->next;
  if (st->next) st->next->prev = st->prev;
  else s->lru_tail = st->prev;
  st->prev = st->next = NULL;
}

static void lru_push_front(np_store_t *s, np_stmt_t *st) {
  st->prev = NULL;
  st->next = s->lru_head;
  if (s->lru_head) s->lru_head->prev = st;
  s->lru_head = st;
  if (!s->lru_tail) s->lru_tail = st;
}

static void bucket_unlink(np_store_t *s, np_stmt_t *st) {
  np_stmt_t **pp = &s->buckets[st->hash & (CACHE_BUCKETS - 1)];
  while (*pp && *pp != st) pp = &(*pp)->hnext;
  if (*pp) *pp = st->hnext;
  st->hnext = NULL;
}

/* Drops the least recently used idle statement; false when every cached statement is in use. */
static bool cache_evict_one(np_store_t *s) {
  for (np_stmt_t *st = s->lru_tail; st; st = st->prev) {
    if (st->in_use) continue;
    lru_unlink(s, st);
    bucket_unlink(s, st);
    s->ncached--;
    stmt_free(st);
    return true;
  }
  return false;
}

np_err np_store_prepare(np_store_t *s, const char *sql, np_stmt_t **out, np_errdetail_t *err) {
  *out = NULL;
  if (!s || !sql) return np_fail(err, NP_ERR_INTERNAL, "bad_call", "", "np_store_prepare: NULL argument");
  size_t len = strlen(sql);
  uint64_t h = sql_hash(sql, len);
  bool busy_twin = false;
  for (np_stmt_t *st = s->buckets[h & (CACHE_BUCKETS - 1)]; st; st = st->hnext) {
    if (st->hash != h || st->len != len || memcmp(st->sql, sql, len) != 0) continue;
    if (st->in_use) {
      busy_twin = true;
      break;
    }
    st->in_use = true;
    lru_unlink(s, st);
    lru_push_front(s, st);
    *out = st;
    return NP_OK;
  }
  np_stmt_t *st = calloc(1, sizeof *st);
  char *copy = malloc(len + 1);
  if (!st || !copy) {
    free(st);
    free(copy);
    return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  }
  memcpy(copy, sql, len + 1);
  np_err e = s->be->prepare(s->conn, sql, len, &st->raw, err);
  if (e) {
    free(copy);
    free(st);
    return e;
  }
  st->s = s;
  st->sql = copy;
  st->len = len;
  st->hash = h;
  st->in_use = true;
  if (!busy_twin && (s->ncached < CACHE_MAX || cache_evict_one(s))) {
    st->cached = true;
    st->hnext = s->buckets[h & (CACHE_BUCKETS - 1)];
    s->buckets[h & (CACHE_BUCKETS - 1)] = st;
    lru_push_front(s, st);
    s->ncached++;
  } else {
    st->next = s->loose;
    if (s->loose) s->loose->prev = st;
    s->loose = st;
  }
  *out = st;
  return NP_OK;
}

/* NP_SLOW_SQL_MS=N logs every statement whose steps took N ms or more (the SQL text, never values). */
static int64_t slow_sql_ns(void) {
  static _Atomic int64_t cached = -1;
  int64_t v = atomic_load(&cached);
  if (v >= 0) return v;
  const char *e = getenv("NP_SLOW_SQL_MS");
  int64_t ms = 0;
  if (e && np_parse_int64(e, strlen(e), 0, 3600000, &ms) != NP_OK) ms = 0;
  v = ms > 0 ? ms * 1000000 : 0;
  atomic_store(&cached, v);
  return v;
}

void np_store_release(np_stmt_t *st) {
  if (!st) return;
  np_store_t *s = st->s;
  if (st->spent_ns > 0 && st->spent_ns >= slow_sql_ns() && slow_sql_ns() > 0)
    np_log_warn("store.slow", "%.1f ms: %.*s", (double)st->spent_ns / 1e6, (int)(st->len > 600 ? 600 : st->len), st->sql);
  st->spent_ns = 0;
  s->be->reset(st->raw);
  st->bind_err = NP_OK;
  st->bind_idx = 0;
  st->in_use = false;
  if (st->cached) return;
  if (st->prev) st->prev->next = st->next;
  else s->loose = st->next;
  if (st->next) st->next->prev = st->prev;
  stmt_free(st);
}

/* ---- binds ---- */

static np_err bind_result(np_stmt_t *st, int idx, np_err e) {
  if (e && !st->bind_err) {
    st->bind_err = e;
    st->bind_idx = idx;
  }
  return e;
}

np_err np_store_bind_int64(np_stmt_t *st, int idx, int64_t v) {
  return bind_result(st, idx, st->s->be->bind_int64(st->raw, idx, v));
}

np_err np_store_bind_double(np_stmt_t *st, int idx, double v) {
  return bind_result(st, idx, st->s->be->bind_double(st->raw, idx, v));
}

np_err np_store_bind_text(np_stmt_t *st, int idx, const char *s, size_t len) {
  if (!s && len && len != NP_STORE_STRLEN) return bind_result(st, idx, NP_ERR_INVALID);
  if (!s) return np_store_bind_null(st, idx);
  if (len == NP_STORE_STRLEN) len = strlen(s);
  if (!np_utf8_valid(s, len) || memchr(s, '\0', len)) return bind_result(st, idx, NP_ERR_ENCODING);
  return bind_result(st, idx, st->s->be->bind_text(st->raw, idx, s, len));
}

np_err np_store_bind_blob(np_stmt_t *st, int idx, const void *p, size_t len) {
  if (!p && len) return bind_result(st, idx, NP_ERR_INVALID);
  return bind_result(st, idx, st->s->be->bind_blob(st->raw, idx, p, len));
}

np_err np_store_bind_null(np_stmt_t *st, int idx) { return bind_result(st, idx, st->s->be->bind_null(st->raw, idx)); }

np_err np_store_bind_text_or_null(np_stmt_t *st, int idx, const char *s) {
  if (!s) return np_store_bind_null(st, idx);
  return np_store_bind_text(st, idx, s, NP_STORE_STRLEN);
}

/* ---- stepping and columns ---- */

np_err np_store_step(np_stmt_t *st, bool *has_row, np_errdetail_t *err) {
  *has_row = false;
  if (!st || !st->in_use) return np_fail(err, NP_ERR_INTERNAL, "bad_call", "", "step on a released statement");
  if (st->bind_err) {
    if (st->bind_err == NP_ERR_ENCODING)
      return np_fail(err, NP_ERR_ENCODING, "bad_utf8", "", "parameter %d is not valid UTF-8 text", st->bind_idx);
    return np_fail(err, st->bind_err, "bind_failed", "", "binding parameter %d failed (%s)", st->bind_idx,
                   np_err_name(st->bind_err));
  }
  np_store_t *s = st->s;
  /* after an engine-side rollback (I/O error, full disk) nothing may run outside the caller's transaction */
  if (s->depth > 0 && !s->be->in_tx(s->conn))
    return np_fail(err, NP_ERR_STORE, "tx_aborted", "", "the database rolled the transaction back; roll back and retry");
  if (slow_sql_ns() == 0) return s->be->step(s->conn, st->raw, has_row, err);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  np_err e = s->be->step(s->conn, st->raw, has_row, err);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  st->spent_ns += (int64_t)(t1.tv_sec - t0.tv_sec) * 1000000000 + (t1.tv_nsec - t0.tv_nsec);
  return e;
}

static bool col_ok(np_stmt_t *st, int col) { return st && col >= 0 && col < st->s->be->col_count(st->raw); }

int np_store_col_count(np_stmt_t *st) { return st->s->be->col_count(st->raw); }

bool np_store_col_is_null(np_stmt_t *st, int col) { return !col_ok(st, col) || st->s->be->col_is_null(st->raw, col); }

int64_t np_store_col_int64(np_stmt_t *st, int col) { return col_ok(st, col) ? st->s->be->col_int64(st->raw, col) : 0; }

double np_store_col_double(np_stmt_t *st, int col) { return col_ok(st, col) ? st->s->be->col_double(st->raw, col) : 0.0; }

const char *np_store_col_text(np_stmt_t *st, int col) {
  return col_ok(st, col) ? st->s->be->col_text(st->raw, col) : NULL;
}

const void *np_store_col_blob(np_stmt_t *st, int col) {
  return col_ok(st, col) ? st->s->be->col_blob(st->raw, col) : NULL;
}

size_t np_store_col_bytes(np_stmt_t *st, int col) { return col_ok(st, col) ? st->s->be->col_bytes(st->raw, col) : 0; }

const char *np_store_col_name(np_stmt_t *st, int col) {
  return col_ok(st, col) ? st->s->be->col_name(st->raw, col) : NULL;
}

/* ---- helpers ---- */

np_err np_store_exec(np_store_t *s, const char *sql, np_errdetail_t *err) { return s->be->exec(s->conn, sql, err); }

int64_t np_store_changes(np_store_t *s) { return s->be->changes(s->conn); }

/* Binds args described by fmt (see np_store_execf). */
static np_err bind_fmt(np_stmt_t *st, const char *fmt, va_list ap, np_errdetail_t *err) {
  size_t n = strlen(fmt);
  int want = st->s->be->param_count(st->raw);
  if ((size_t)want != n)
    return np_fail(err, NP_ERR_INTERNAL, "bad_call", "", "%zu values for %d placeholders in: %.200s", n, want,
                   st->sql);
  for (size_t i = 0; i < n; i++) {
    int idx = (int)i + 1;
    np_err e;
    switch (fmt[i]) {
    case 'i': e = np_store_bind_int64(st, idx, va_arg(ap, int64_t)); break;
    case 'd': e = np_store_bind_double(st, idx, va_arg(ap, double)); break;
    case 't': e = np_store_bind_text_or_null(st, idx, va_arg(ap, const char *)); break;
    case 'n': e = np_store_bind_null(st, idx); break;
    case 'b': {
      const void *p = va_arg(ap, const void *);
      size_t len = va_arg(ap, size_t);
      e = np_store_bind_blob(st, idx, p, len);
      break;
    }
    default: return np_fail(err, NP_ERR_INTERNAL, "bad_call", "", "unknown bind format character '%c'", fmt[i]);
    }
    if (e == NP_ERR_ENCODING) return np_fail(err, e, "bad_utf8", "", "parameter %d is not valid UTF-8 text", idx);
    if (e) return np_fail(err, e, "bind_failed", "", "binding parameter %d failed (%s)", idx, np_err_name(e));
  }
  return NP_OK;
}

/* Steps to the end; the first column of the first row goes to *first (when asked). */
static np_err run_to_end(np_stmt_t *st, int64_t *first, bool *found, np_errdetail_t *err) {
  bool row = false, seen = false;
  np_err e;
  while ((e = np_store_step(st, &row, err)) == NP_OK && row) {
    if (!seen && first && !np_store_col_is_null(st, 0)) {
      *first = np_store_col_int64(st, 0);
      if (found) *found = true;
    }
    seen = true;
  }
  return e;
}

np_err np_store_execf(np_store_t *s, int64_t *changed, np_errdetail_t *err, const char *sql, const char *fmt, ...) {
  if (changed) *changed = 0;
  np_stmt_t *st = NULL;
  np_err e = np_store_prepare(s, sql, &st, err);
  if (e) return e;
  va_list ap;
  va_start(ap, fmt);
  e = bind_fmt(st, fmt ? fmt : "", ap, err);
  va_end(ap);
  if (!e) e = run_to_end(st, NULL, NULL, err);
  if (!e && changed) *changed = np_store_changes(s);
  np_store_release(st);
  return e;
}

np_err np_store_queryf_int64(np_store_t *s, int64_t *out, bool *found, np_errdetail_t *err, const char *sql,
                             const char *fmt, ...) {
  bool got = false;
  *out = 0;
  if (found) *found = false;
  np_stmt_t *st = NULL;
  np_err e = np_store_prepare(s, sql, &st, err);
  if (e) return e;
  va_list ap;
  va_start(ap, fmt);
  e = bind_fmt(st, fmt ? fmt : "", ap, err);
  va_end(ap);
  if (!e) e = run_to_end(st, out, &got, err);
  np_store_release(st);
  if (e) return e;
  if (found) *found = got;
  else if (!got) return np_fail(err, NP_ERR_NOT_FOUND, "not_found", "", "query returned no value");
  return NP_OK;
}

np_err np_store_query_int64(np_store_t *s, const char *sql, int64_t *out, bool *found, np_errdetail_t *err) {
  bool got = false;
  np_err e = np_store_queryf_int64(s, out, &got, err, sql, "");
  if (found) *found = got;
  return e;
}

/* ---- transactions ---- */

np_err np_store_begin(np_store_t *s, np_errdetail_t *err) {
  if (s->depth == 0) {
    np_err e = s->be->exec(s->conn, s->be->begin_sql, err);
    if (e) return e;
    s->depth = 1;
    return NP_OK;
  }
  char sql[48];
  snprintf(sql, sizeof sql, "SAVEPOINT s%d", s->depth);
  np_err e = s->be->exec(s->conn, sql, err);
  if (e) return e;
  s->depth++;
  return NP_OK;
}

np_err np_store_commit(np_store_t *s, np_errdetail_t *err) {
  if (s->depth == 0) return np_fail(err, NP_ERR_INTERNAL, "no_transaction", "", "commit without a transaction");
  if (s->depth == 1) {
    np_err e = s->be->exec(s->conn, "COMMIT", err);
    /* a failed COMMIT may leave the transaction open (the caller rolls back) or gone */
    if (e && s->be->in_tx(s->conn)) return e;
    s->depth = 0;
    return e;
  }
  char sql[48];
  snprintf(sql, sizeof sql, "RELEASE SAVEPOINT s%d", s->depth - 1);
  np_err e = s->be->exec(s->conn, sql, err);
  if (e) return e;
  s->depth--;
  return NP_OK;
}

void np_store_rollback(np_store_t *s) {
  if (!s || s->depth == 0) return;
  if (!s->be->in_tx(s->conn)) { /* the engine already rolled everything back (e.g. after an I/O error) */
    s->depth = 0;
    return;
  }
  np_errdetail_t d = {0};
  if (s->depth == 1) {
    if (s->be->exec(s->conn, "ROLLBACK", &d) != NP_OK) np_log_error("store.rollback", "%s", d.message);
    s->depth = 0;
    return;
  }
  char sql[96];
  snprintf(sql, sizeof sql, "ROLLBACK TO SAVEPOINT s%d; RELEASE SAVEPOINT s%d", s->depth - 1, s->depth - 1);
  if (s->be->exec(s->conn, sql, &d) != NP_OK) np_log_error("store.rollback", "savepoint: %s", d.message);
  s->depth--;
}

bool np_store_in_tx(const np_store_t *s) { return s->depth > 0; }

/* ---- change feed ---- */

static void now_utc(char buf[32]) {
  time_t t = time(NULL);
  struct tm tm;
  if (!gmtime_r(&t, &tm) || strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) snprintf(buf, 32, "1970-01-01T00:00:00Z");
}

np_err np_store_change(np_store_t *s, const char *entity, const char *id, const char *op, int64_t *seq_out,
                       np_errdetail_t *err) {
  if (seq_out) *seq_out = 0;
  if (s->depth == 0)
    return np_fail(err, NP_ERR_INTERNAL, "no_transaction", "", "change feed written outside a transaction");
  if (!op || (strcmp(op, "insert") != 0 && strcmp(op, "update") != 0 && strcmp(op, "delete") != 0))
    return np_fail(err, NP_ERR_INTERNAL, "bad_op", "op", "change op must be insert, update or delete");
  if (!entity || !*entity || !id || !*id)
    return np_fail(err, NP_ERR_INTERNAL, "bad_change", "entity", "change needs an entity and an id");
  char at[32];
  now_utc(at);
  int64_t seq = 0;
  bool found = false;
  np_err e = np_store_queryf_int64(s, &seq, &found, err,
                                   "INSERT INTO changes (at, entity, entity_id, op) VALUES (?, ?, ?, ?) RETURNING seq",
                                   "tttt", at, entity, id, op);
  if (e) return e;
  if (!found) return np_fail(err, NP_ERR_STORE, "store", "", "change feed insert returned no sequence number");
  if (seq_out) *seq_out = seq;
  return NP_OK;
}

np_err np_store_change_seq(np_store_t *s, int64_t *seq, np_errdetail_t *err) {
  bool found = false;
  *seq = 0;
  np_err e = np_store_query_int64(s, "SELECT MAX(seq) FROM changes", seq, &found, err);
  if (!e && !found) *seq = 0;
  return e;
}

np_err np_store_change_each(np_store_t *s, int64_t after, int limit, int (*fn)(const np_store_change_row_t *c, void *ctx),
                            void *ctx, int64_t *last, np_errdetail_t *err) {
  if (last) *last = after;
  if (limit <= 0) limit = 1000;
  np_stmt_t *st = NULL;
  np_err e = np_store_prepare(s, "SELECT seq, at, entity, entity_id, op FROM changes WHERE seq > ? ORDER BY seq LIMIT ?",
                              &st, err);
  if (e) return e;
  np_store_bind_int64(st, 1, after);
  np_store_bind_int64(st, 2, limit);
  bool row = false;
  while ((e = np_store_step(st, &row, err)) == NP_OK && row) {
    np_store_change_row_t c = {
      .seq = np_store_col_int64(st, 0),
      .at = np_store_col_text(st, 1),
      .entity = np_store_col_text(st, 2),
      .entity_id = np_store_col_text(st, 3),
      .op = np_store_col_text(st, 4),
    };
    if (last) *last = c.seq;
    if (fn(&c, ctx) != 0) break;
  }
  np_store_release(st);
  return e;
}

/* ---- migrations ---- */

#define MIGRATION_DIR "migrations/"

/* "NNNN_module_what.sql" → version NNNN (1..9999); 0 when the name does not have that form. */
static int migration_version(const char *name) {
  for (int i = 0; i < 4; i++)
    if (name[i] < '0' || name[i] > '9') return 0;
  if (name[4] != '_') return 0;
  size_t n = strlen(name);
  if (n < 5 + 1 + 4 || strcmp(name + n - 4, ".sql") != 0) return 0;
  for (size_t i = 5; i < n - 4; i++) {
    char c = name[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return 0;
  }
  return (name[0] - '0') * 1000 + (name[1] - '0') * 100 + (name[2] - '0') * 10 + (name[3] - '0');
}

/* Checks the set: well-named, in name order, numbered 1..n. */
static np_err check_set(const np_store_migration_t *list, size_t n, np_errdetail_t *err) {
  for (size_t i = 0; i < n; i++) {
    int v = migration_version(list[i].name);
    if (v == 0)
      return np_fail(err, NP_ERR_SCHEMA, "bad_migration", list[i].name,
                     "migration file '%s' is not named NNNN_<module>_<what>.sql", list[i].name);
    if (i > 0 && strcmp(list[i - 1].name, list[i].name) >= 0)
      return np_fail(err, NP_ERR_SCHEMA, "bad_migration", list[i].name, "migrations are not in name order at '%s'",
                     list[i].name);
    if (i > 0 && v == migration_version(list[i - 1].name))
      return np_fail(err, NP_ERR_SCHEMA, "duplicate_migration", list[i].name,
                     "migrations '%s' and '%s' have the same number %04d", list[i - 1].name, list[i].name, v);
    if ((size_t)v != i + 1)
      return np_fail(err, NP_ERR_SCHEMA, "migration_gap", list[i].name,
                     "migration %04zu is missing (next is '%s'); migrations are numbered without gaps", i + 1,
                     list[i].name);
  }
  return NP_OK;
}

typedef struct embedded_set {
  np_store_migration_t *list;
  size_t n, cap;
  bool nomem;
} embedded_set_t;

static void collect_one(const np_embed_entry_t *e, void *ctx) {
  embedded_set_t *set = ctx;
  if (set->nomem) return;
  if (set->n == set->cap) {
    size_t cap = set->cap ? set->cap * 2 : 32;
    np_store_migration_t *p = realloc(set->list, cap * sizeof *p);
    if (!p) {
      set->nomem = true;
      return;
    }
    set->list = p;
    set->cap = cap;
  }
  set->list[set->n].name = e->name + strlen(MIGRATION_DIR);
  set->list[set->n].sql = (const char *)e->data;
  set->n++;
}

static np_err embedded(embedded_set_t *set, np_errdetail_t *err) {
  memset(set, 0, sizeof *set);
  np_embed_each(MIGRATION_DIR, collect_one, set);
  if (set->nomem) {
    free(set->list);
    set->list = NULL;
    return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  }
  return check_set(set->list, set->n, err);
}

static np_err db_version(np_store_t *s, int *out, np_errdetail_t *err) {
  *out = 0;
  bool exists = false;
  np_err e = s->be->has_table(s->conn, "schema_migrations", &exists, err);
  if (e || !exists) return e;
  int64_t v = 0;
  bool found = false;
  e = np_store_query_int64(s, "SELECT MAX(version) FROM schema_migrations", &v, &found, err);
  if (e) return e;
  if (found && (v < 0 || v > 9999))
    return np_fail(err, NP_ERR_SCHEMA, "bad_schema", "", "schema_migrations holds an impossible version %lld",
                   (long long)v);
  *out = found ? (int)v : 0;
  return NP_OK;
}

static np_err newer_check(int dbv, int binv, np_errdetail_t *err) {
  if (dbv > binv)
    return np_fail(err, NP_ERR_SCHEMA, "schema_newer", "",
                   "database schema %d is newer than this binary (%d); upgrade nineplus", dbv, binv);
  return NP_OK;
}

np_err np_store_schema_version(np_store_t *s, int *db_v, int *bin_v, np_errdetail_t *err) {
  embedded_set_t set;
  *db_v = 0;
  *bin_v = 0;
  np_err e = embedded(&set, err);
  free(set.list);
  if (e) return e;
  *bin_v = (int)set.n;
  return db_version(s, db_v, err);
}

/*
 * Name recorded for version v, copied into name (empty when v is not applied). Reading inside the
 * migration's own transaction makes two processes migrating at once safe: the second one waits for
 * the write lock, then sees the first one's row.
 */
static np_err applied_name(np_store_t *s, int v, char *name, size_t cap, np_errdetail_t *err) {
  name[0] = '\0';
  bool exists = false;
  np_err e = s->be->has_table(s->conn, "schema_migrations", &exists, err);
  if (e || !exists) return e;
  np_stmt_t *st = NULL;
  e = np_store_prepare(s, "SELECT name FROM schema_migrations WHERE version = ?", &st, err);
  if (e) return e;
  np_store_bind_int64(st, 1, v);
  bool row = false;
  e = np_store_step(st, &row, err);
  if (!e && row) {
    const char *t = np_store_col_text(st, 0);
    np_strlcpy(name, t ? t : "?", cap);
  }
  np_store_release(st);
  return e;
}

/* Applies migration i (version i+1) unless a concurrent run did; *done tells whether it ran here. */
static np_err apply_one(np_store_t *s, const np_store_migration_t *m, int v, bool *done, np_errdetail_t *err) {
  *done = false;
  char have[256];
  np_err e = np_store_begin(s, err);
  if (e) return e;
  e = applied_name(s, v, have, sizeof have, err);
  if (e) goto out;
  if (have[0]) {
    if (strcmp(have, m->name) != 0)
      e = np_fail(err, NP_ERR_SCHEMA, "migration_mismatch", m->name,
                  "database migration %04d is '%s' but this binary has '%s'", v, have, m->name);
    goto out;
  }
  e = np_store_exec(s, m->sql, err);
  if (e) {
    char msg[sizeof err->message], code[sizeof err->code];
    np_strlcpy(msg, err ? err->message : "", sizeof msg);
    np_strlcpy(code, err ? err->code : "store", sizeof code);
    np_fail(err, e, code, m->name, "migration %s failed: %s", m->name, msg);
    goto out;
  }
  char at[32];
  now_utc(at);
  e = np_store_execf(s, NULL, err, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", "itt",
                     (int64_t)v, m->name, at);
  if (e) goto out;
  e = np_store_commit(s, err);
  if (!e) *done = true;
out:
  if (np_store_in_tx(s)) np_store_rollback(s);
  return e;
}

np_err np_store_migrate_list(np_store_t *s, const np_store_migration_t *list, size_t n, np_store_migrate_fn fn,
                             void *ctx, int *applied, np_errdetail_t *err) {
  if (applied) *applied = 0;
  if (np_store_in_tx(s))
    return np_fail(err, NP_ERR_INTERNAL, "in_transaction", "", "migrations cannot run inside a transaction");
  np_err e = check_set(list, n, err);
  if (e) return e;
  int dbv = 0;
  e = db_version(s, &dbv, err);
  if (e) return e;
  e = newer_check(dbv, (int)n, err);
  if (e) return e;
  for (size_t i = 0; i < n; i++) {
    int v = (int)i + 1;
    char have[256];
    e = applied_name(s, v, have, sizeof have, err);
    if (e) return e;
    if (have[0] && strcmp(have, list[i].name) != 0)
      return np_fail(err, NP_ERR_SCHEMA, "migration_mismatch", list[i].name,
                     "database migration %04d is '%s' but this binary has '%s'", v, have, list[i].name);
    if (have[0]) continue;
    bool done = false;
    e = apply_one(s, &list[i], v, &done, err);
    if (e) return e;
    if (!done) continue;
    if (applied) (*applied)++;
    np_log_info("store.migrate", "applied %s", list[i].name);
    if (fn) fn(v, list[i].name, ctx);
  }
  return NP_OK;
}

np_err np_store_migrate_cb(np_store_t *s, np_store_migrate_fn fn, void *ctx, int *applied, np_errdetail_t *err) {
  if (applied) *applied = 0;
  embedded_set_t set;
  np_err e = embedded(&set, err);
  if (!e) e = np_store_migrate_list(s, set.list, set.n, fn, ctx, applied, err);
  free(set.list);
  return e;
}

np_err np_store_migrate(np_store_t *s, int *applied, np_errdetail_t *err) {
  return np_store_migrate_cb(s, NULL, NULL, applied, err);
}
