#include "testutil.h"
#include <stdio.h>
#include <string.h>
#include "core/embed.h"
#include "store/store.h"

/* A fresh database with the store's own migration (0001) applied. */
static np_store_t *fresh(const char *name) {
  np_store_t *s = NULL;
  np_errdetail_t err = {0};
  assert_int_equal(np_store_open(tu_tmp_db_url(name), &s, &err), NP_OK);
  const np_embed_entry_t *e = np_embed_find("migrations/0001_store_core.sql");
  assert_non_null(e);
  np_store_migration_t m = {"0001_store_core.sql", (const char *)e->data};
  int applied = 0;
  assert_int_equal(np_store_migrate_list(s, &m, 1, NULL, NULL, &applied, &err), NP_OK);
  assert_int_equal(applied, 1);
  assert_int_equal(np_store_exec(s,
                                 "CREATE TABLE t (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, n BIGINT "
                                 "CHECK (n >= 0), parent INTEGER REFERENCES t (id));",
                                 &err),
                   NP_OK);
  return s;
}

static int64_t count_t(np_store_t *s) {
  int64_t n = -1;
  bool found = false;
  np_errdetail_t err;
  assert_int_equal(np_store_query_int64(s, "SELECT COUNT(*) FROM t", &n, &found, &err), NP_OK);
  assert_true(found);
  return n;
}

static void test_open_close(void **state) {
  np_store_t *s = NULL;
  np_errdetail_t err = {0};
  assert_int_equal(np_store_open(tu_tmp_db_url("open.db"), &s, &err), NP_OK);
  assert_string_equal(np_store_engine(s), "sqlite");
  assert_false(np_store_in_tx(s));
  /* WAL and foreign keys are on */
  np_stmt_t *st = NULL;
  bool row = false;
  assert_int_equal(np_store_prepare(s, "PRAGMA journal_mode", &st, &err), NP_OK);
  assert_int_equal(np_store_step(st, &row, &err), NP_OK);
  assert_true(row);
  assert_string_equal(np_store_col_text(st, 0), "wal");
  np_store_release(st);
  int64_t fk = 0;
  assert_int_equal(np_store_query_int64(s, "PRAGMA foreign_keys", &fk, NULL, &err), NP_OK);
  assert_int_equal(fk, 1);
  np_store_close(s);
  np_store_close(NULL);

  assert_int_equal(np_store_open("postgres://x/y", &s, &err), NP_ERR_UNSUPPORTED);
  assert_null(s);
  assert_int_equal(np_store_open("sqlite:", &s, &err), NP_ERR_INVALID);
  char url[700];
  snprintf(url, sizeof url, "sqlite:%s/no/such/dir/x.db", tu_tmpdir());
  assert_int_equal(np_store_open(url, &s, &err), NP_ERR_IO);
  assert_string_equal(err.code, "no_directory");
  assert_non_null(strstr(err.message, "no/such/dir"));
}

static void test_types_roundtrip(void **state) {
  np_store_t *s = NULL;
  np_errdetail_t err = {0};
  assert_int_equal(np_store_open(tu_tmp_db_url("types.db"), &s, &err), NP_OK);
  assert_int_equal(np_store_exec(s, "CREATE TABLE v (i BIGINT, d REAL, t TEXT, b BLOB, z TEXT)", &err), NP_OK);
  np_stmt_t *st = NULL;
  assert_int_equal(np_store_prepare(s, "INSERT INTO v (i, d, t, b, z) VALUES (?, ?, ?, ?, ?)", &st, &err), NP_OK);
  const unsigned char blob[] = {0, 1, 2, 255};
  assert_int_equal(np_store_bind_int64(st, 1, INT64_MIN), NP_OK);
  assert_int_equal(np_store_bind_double(st, 2, 2.5), NP_OK);
  assert_int_equal(np_store_bind_text(st, 3, "济南市历下区xyz", strlen("济南市历下区")), NP_OK);
  assert_int_equal(np_store_bind_blob(st, 4, blob, sizeof blob), NP_OK);
  assert_int_equal(np_store_bind_null(st, 5), NP_OK);
  bool row = true;
  assert_int_equal(np_store_step(st, &row, &err), NP_OK);
  assert_false(row);
  np_store_release(st);
  assert_int_equal(np_store_changes(s), 1);
  /* second row through the format helper: text NULL, empty blob, 'n' */
  int64_t changed = 0;
  assert_int_equal(np_store_execf(s, &changed, &err, "INSERT INTO v (i, d, t, b, z) VALUES (?, ?, ?, ?, ?)", "idtbn",
                                  (int64_t)INT64_MAX, -0.25, (const char *)NULL, (const void *)blob, (size_t)0),
                   NP_OK);
  assert_int_equal(changed, 1);

  assert_int_equal(np_store_prepare(s, "SELECT i, d, t, b, z FROM v ORDER BY i", &st, &err), NP_OK);
  assert_int_equal(np_store_col_count(st), 5);
  assert_string_equal(np_store_col_name(st, 2), "t");
  assert_int_equal(np_store_step(st, &row, &err), NP_OK);
  assert_true(row);
  assert_true(np_store_col_int64(st, 0) == INT64_MIN);
  assert_true(np_store_col_double(st, 1) == 2.5);
  assert_string_equal(np_store_col_text(st, 2), "济南市历下区");
  assert_int_equal(np_store_col_bytes(st, 3), sizeof blob);
  assert_memory_equal(np_store_col_blob(st, 3), blob, sizeof blob);
  assert_true(np_store_col_is_null(st, 4));
  assert_null(np_store_col_text(st, 4));
  assert_false(np_store_col_is_null(st, 0));
  /* out-of-range columns are harmless */
  assert_true(np_store_col_is_null(st, 9));
  assert_null(np_store_col_text(st, -1));
  assert_int_equal(np_store_col_int64(st, 5), 0);
  assert_int_equal(np_store_step(st, &row, &err), NP_OK);
  assert_true(row);
  assert_true(np_store_col_int64(st, 0) == INT64_MAX);
  assert_true(np_store_col_double(st, 1) == -0.25);
  assert_true(np_store_col_is_null(st, 2));
  assert_false(np_store_col_is_null(st, 3)); /* empty blob, not NULL */
  assert_int_equal(np_store_col_bytes(st, 3), 0);
  assert_int_equal(np_store_step(st, &row, &err), NP_OK);
  assert_false(row);
  np_store_release(st);

  int64_t v = 0;
  bool found = true;
  assert_int_equal(np_store_queryf_int64(s, &v, &found, &err, "SELECT i FROM v WHERE i > ?", "i", (int64_t)0), NP_OK);
  assert_true(found);
  assert_true(v == INT64_MAX);
  assert_int_equal(np_store_queryf_int64(s, &v, &found, &err, "SELECT i FROM v WHERE i = ?", "i", (int64_t)7), NP_OK);
  assert_false(found);
  assert_int_equal(np_store_queryf_int64(s, &v, NULL, &err, "SELECT i FROM v WHERE i = ?", "i", (int64_t)7),
                   NP_ERR_NOT_FOUND);
  /* fmt must match the placeholders */
  assert_int_equal(np_store_execf(s, NULL, &err, "SELECT ?", ""), NP_ERR_INTERNAL);
  assert_int_equal(np_store_execf(s, NULL, &err, "SELECT ?", "x"), NP_ERR_INTERNAL);
  np_store_close(s);
}

static void test_statement_cache(void **state) {
  np_store_t *s = fresh("cache.db");
  np_errdetail_t err;
  np_stmt_t *a = NULL, *b = NULL, *c = NULL;
  const char *sql = "SELECT code FROM t WHERE id = ?";
  assert_int_equal(np_store_prepare(s, sql, &a, &err), NP_OK);
  assert_int_equal(np_store_bind_int64(a, 1, 5), NP_OK);
  /* while a is in use the same text gives a private statement */
  assert_int_equal(np_store_prepare(s, sql, &b, &err), NP_OK);
  assert_ptr_not_equal(a, b);
  np_store_release(b);
  np_store_release(a);
  assert_int_equal(np_store_prepare(s, sql, &c, &err), NP_OK);
  assert_ptr_equal(a, c);
  /* release cleared the binds: ?1 is NULL, so no row */
  assert_int_equal(np_store_execf(s, NULL, &err, "INSERT INTO t (id, code) VALUES (?, ?)", "it", (int64_t)5, "x"),
                   NP_OK);
  bool row = true;
  assert_int_equal(np_store_step(c, &row, &err), NP_OK);
  assert_false(row);
  np_store_release(c);
  /* many distinct statements: the cache stays bounded and still works */
  for (int i = 0; i < 600; i++) {
    char q[64];
    snprintf(q, sizeof q, "SELECT %d + id FROM t", i);
    int64_t v = 0;
    assert_int_equal(np_store_query_int64(s, q, &v, NULL, &err), NP_OK);
    assert_int_equal(v, i + 5);
  }
  /* two statements in one prepare are refused */
  assert_int_not_equal(np_store_prepare(s, "SELECT 1; SELECT 2", &a, &err), NP_OK);
  assert_null(a);
  assert_int_equal(np_store_prepare(s, "SELECT nonsense FROM nowhere", &a, &err), NP_ERR_STORE);
  np_store_close(s);
}

static void test_transaction_commit(void **state) {
  np_store_t *s = fresh("commit.db");
  np_errdetail_t err;
  assert_int_equal(np_store_begin(s, &err), NP_OK);
  assert_true(np_store_in_tx(s));
  assert_int_equal(np_store_execf(s, NULL, &err, "INSERT INTO t (code, n) VALUES (?, ?)", "ti", "a", (int64_t)1), NP_OK);
  assert_int_equal(np_store_commit(s, &err), NP_OK);
  assert_false(np_store_in_tx(s));
  assert_int_equal(count_t(s), 1);
  assert_int_equal(np_store_commit(s, &err), NP_ERR_INTERNAL);
  np_store_rollback(s); /* nothing open: harmless */
  np_store_close(s);
}

static void test_rollback_on_error(void **state) {
  np_store_t *s = fresh("rollback.db");
  np_errdetail_t err;
  assert_int_equal(np_store_begin(s, &err), NP_OK);
  assert_int_equal(np_store_execf(s, NULL, &err, "INSERT INTO t (code) VALUES (?)", "t", "dup"), NP_OK);
  np_err e = np_store_execf(s, NULL, &err, "INSERT INTO t (code) VALUES (?)", "t", "dup");
  assert_int_equal(e, NP_ERR_CONFLICT);
  assert_string_equal(err.code, "unique");
  assert_string_equal(err.field, "t.code");
  np_store_rollback(s);
  assert_false(np_store_in_tx(s));
  assert_int_equal(count_t(s), 0);
  np_store_close(s);
}

static void test_nested_savepoints(void **state) {
  np_store_t *s = fresh("nested.db");
  np_errdetail_t err;
  assert_int_equal(np_store_begin(s, &err), NP_OK);
  assert_int_equal(np_store_execf(s, NULL, &err, "INSERT INTO t (code) VALUES (?)", "t", "outer"), NP_OK);
  assert_int_equal(np_store_begin(s, &err), NP_OK);
  assert_int_equal(np_store_execf(s, NULL, &err, "INSERT INTO t (code) VALUES (?)", "t", "inner-kept"), NP_OK);
  assert_int_equal(np_store_commit(s, &err), NP_OK); /* releases the savepoint */
  assert_true(np_store_in_tx(s));
  assert_int_equal(np_store_begin(s, &err), NP_OK);
  assert_int_equal(np_store_execf(s, NULL, &err, "INSERT INTO t (code) VALUES (?)", "t", "inner-dropped"), NP_OK);
  assert_int_equal(np_store_begin(s, &err), NP_OK);
  assert_int_equal(np_store_execf(s, NULL, &err, "INSERT INTO t (code) VALUES (?)", "t", "deepest"), NP_OK);
  np_store_rollback(s);
  np_store_rollback(s);
  assert_true(np_store_in_tx(s));
  assert_int_equal(count_t(s), 2);
  assert_int_equal(np_store_commit(s, &err), NP_OK);
  assert_false(np_store_in_tx(s));
  assert_int_equal(count_t(s), 2);
  int64_t v = 0;
  assert_int_equal(np_store_queryf_int64(s, &v, NULL, &err, "SELECT COUNT(*) FROM t WHERE code = ?", "t", "inner-kept"),
                   NP_OK);
  assert_int_equal(v, 1);
  /* closing with an open transaction rolls it back */
  assert_int_equal(np_store_begin(s, &err), NP_OK);
  assert_int_equal(np_store_begin(s, &err), NP_OK);
  assert_int_equal(np_store_execf(s, NULL, &err, "INSERT INTO t (code) VALUES (?)", "t", "lost"), NP_OK);
  np_store_close(s);
  np_store_t *s2 = NULL;
  char url[700];
  snprintf(url, sizeof url, "sqlite:%s/nested.db", tu_tmpdir());
  assert_int_equal(np_store_open(url, &s2, &err), NP_OK);
  assert_int_equal(count_t(s2), 2);
  np_store_close(s2);
}

static void test_conflict_mapping(void **state) {
  np_store_t *s = fresh("conflict.db");
  np_errdetail_t err;
  assert_int_equal(np_store_execf(s, NULL, &err, "INSERT INTO t (id, code) VALUES (?, ?)", "it", (int64_t)1, "a"), NP_OK);
  assert_int_equal(np_store_execf(s, NULL, &err, "INSERT INTO t (id, code) VALUES (?, ?)", "it", (int64_t)1, "b"),
                   NP_ERR_CONFLICT);
  assert_string_equal(err.code, "unique");
  assert_int_equal(np_store_execf(s, NULL, &err, "INSERT INTO t (code, parent) VALUES (?, ?)", "ti", "c", (int64_t)99),
                   NP_ERR_CONFLICT);
  assert_string_equal(err.code, "foreign_key");
  assert_int_equal(np_store_execf(s, NULL, &err, "INSERT INTO t (code, n) VALUES (?, ?)", "ti", "d", (int64_t)-1),
                   NP_ERR_CONFLICT);
  assert_string_equal(err.code, "check");
  assert_int_equal(np_store_execf(s, NULL, &err, "INSERT INTO t (code) VALUES (?)", "t", (const char *)NULL),
                   NP_ERR_CONFLICT);
  assert_string_equal(err.code, "not_null");
  assert_string_equal(err.field, "t.code");
  assert_int_equal(count_t(s), 1);
  /* a second connection holding the write lock: BEGIN IMMEDIATE reports busy (after the timeout) */
  np_store_t *o = NULL;
  char url[700];
  snprintf(url, sizeof url, "sqlite:%s/conflict.db", tu_tmpdir());
  assert_int_equal(np_store_open(url, &o, &err), NP_OK);
  assert_int_equal(np_store_exec(o, "PRAGMA busy_timeout = 50", &err), NP_OK);
  assert_int_equal(np_store_begin(s, &err), NP_OK);
  assert_int_equal(np_store_begin(o, &err), NP_ERR_BUSY);
  assert_string_equal(err.code, "busy");
  assert_false(np_store_in_tx(o));
  np_store_rollback(s);
  np_store_close(o);
  np_store_close(s);
}

static void test_bad_utf8_rejected(void **state) {
  np_store_t *s = fresh("utf8.db");
  np_errdetail_t err;
  np_stmt_t *st = NULL;
  assert_int_equal(np_store_prepare(s, "INSERT INTO t (code) VALUES (?)", &st, &err), NP_OK);
  assert_int_equal(np_store_bind_text(st, 1, "\xc3\x28", 2), NP_ERR_ENCODING);
  bool row = false;
  assert_int_equal(np_store_step(st, &row, &err), NP_ERR_ENCODING); /* the failed bind sticks */
  np_store_release(st);
  assert_int_equal(np_store_execf(s, NULL, &err, "INSERT INTO t (code) VALUES (?)", "t", "\xed\xa0\x80"),
                   NP_ERR_ENCODING); /* surrogate */
  assert_string_equal(err.code, "bad_utf8");
  assert_int_equal(np_store_prepare(s, "INSERT INTO t (code) VALUES (?)", &st, &err), NP_OK);
  assert_int_equal(np_store_bind_text(st, 1, "a\0b", 3), NP_ERR_ENCODING); /* embedded NUL */
  assert_int_equal(np_store_bind_text(st, 2, "ok", 2), NP_ERR_INVALID);  /* no such parameter */
  np_store_release(st);
  /* after release the statement is clean again */
  assert_int_equal(np_store_execf(s, NULL, &err, "INSERT INTO t (code) VALUES (?)", "t", "泰安"), NP_OK);
  assert_int_equal(count_t(s), 1);
  np_store_close(s);
}

typedef struct seen {
  int n;
  int64_t seqs[8];
  char entity[8][32];
  char op[8][16];
} seen_t;

static int collect(const np_store_change_row_t *c, void *ctx) {
  seen_t *sn = ctx;
  sn->seqs[sn->n] = c->seq;
  snprintf(sn->entity[sn->n], sizeof sn->entity[0], "%s/%s", c->entity, c->entity_id);
  snprintf(sn->op[sn->n], sizeof sn->op[0], "%s", c->op);
  assert_int_equal(strlen(c->at), 20);
  return ++sn->n >= 8;
}

static void test_change_feed(void **state) {
  np_store_t *s = fresh("changes.db");
  np_errdetail_t err;
  int64_t seq = -1, s1 = 0, s2 = 0;
  assert_int_equal(np_store_change_seq(s, &seq, &err), NP_OK);
  assert_int_equal(seq, 0);
  assert_int_equal(np_store_change(s, "firm", "1", "insert", &s1, &err), NP_ERR_INTERNAL);
  assert_string_equal(err.code, "no_transaction");

  assert_int_equal(np_store_begin(s, &err), NP_OK);
  assert_int_equal(np_store_execf(s, NULL, &err, "INSERT INTO t (id, code) VALUES (?, ?)", "it", (int64_t)1, "a"), NP_OK);
  assert_int_equal(np_store_change(s, "t", "1", "insert", &s1, &err), NP_OK);
  assert_int_equal(np_store_change(s, "t", "1", "upsert", NULL, &err), NP_ERR_INTERNAL);
  assert_int_equal(np_store_change(s, "t", "1", "update", &s2, &err), NP_OK);
  assert_true(s2 > s1);
  assert_int_equal(np_store_commit(s, &err), NP_OK);

  /* a rolled-back change leaves no trace */
  assert_int_equal(np_store_begin(s, &err), NP_OK);
  assert_int_equal(np_store_change(s, "t", "2", "insert", NULL, &err), NP_OK);
  np_store_rollback(s);

  assert_int_equal(np_store_begin(s, &err), NP_OK);
  int64_t s3 = 0;
  assert_int_equal(np_store_change(s, "t", "1", "delete", &s3, &err), NP_OK);
  assert_int_equal(np_store_commit(s, &err), NP_OK);
  assert_true(s3 > s2);

  assert_int_equal(np_store_change_seq(s, &seq, &err), NP_OK);
  assert_int_equal(seq, s3);
  seen_t sn = {0};
  int64_t last = 0;
  assert_int_equal(np_store_change_each(s, 0, 0, collect, &sn, &last, &err), NP_OK);
  assert_int_equal(sn.n, 3);
  assert_int_equal(last, s3);
  assert_string_equal(sn.entity[0], "t/1");
  assert_string_equal(sn.op[0], "insert");
  assert_string_equal(sn.op[1], "update");
  assert_string_equal(sn.op[2], "delete");
  memset(&sn, 0, sizeof sn);
  assert_int_equal(np_store_change_each(s, s1, 1, collect, &sn, &last, &err), NP_OK);
  assert_int_equal(sn.n, 1);
  assert_int_equal(last, s2);
  np_store_close(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_open_close),         cmocka_unit_test(test_types_roundtrip),
    cmocka_unit_test(test_statement_cache),    cmocka_unit_test(test_transaction_commit),
    cmocka_unit_test(test_rollback_on_error),  cmocka_unit_test(test_nested_savepoints),
    cmocka_unit_test(test_conflict_mapping),   cmocka_unit_test(test_bad_utf8_rejected),
    cmocka_unit_test(test_change_feed),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
