/* audit: chain, verify (edit, delete, re-order), purge rules, concurrent appends, failure rolls back. */
#include "testutil.h"
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "audit/audit.h"
#include "core/buf.h"
#include "core/date.h"
#include "crypto/crypto.h"
#include "store/store.h"

static char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *b = malloc((size_t)n + 1);
  assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
  b[n] = '\0';
  fclose(f);
  return b;
}

/* A fresh database with the audit tables (the migration file itself) and a business table. */
static np_store_t *fresh(const char *name, const char **url_out) {
  const char *url = tu_tmp_db_url(name);
  np_store_t *s = NULL;
  np_errdetail_t e = {0};
  assert_int_equal(np_store_open(url, &s, &e), NP_OK);
  char *sql = read_file(tu_src_path("src/audit/migrations/0004_audit_log.sql"));
  assert_int_equal(np_store_exec(s, sql, &e), NP_OK);
  free(sql);
  assert_int_equal(np_store_exec(s, "CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT NOT NULL)", &e), NP_OK);
  if (url_out) *url_out = url;
  return s;
}

static void add(np_store_t *s, int i) {
  char eid[16], after[64];
  snprintf(eid, sizeof eid, "%d", i);
  snprintf(after, sizeof after, "{\"name\":\"企业%d\",\"n\":%d}", i, i);
  np_audit_entry_t e = {.user_id = i % 3 ? 7 : 0, .username = i % 3 ? "county.lixia" : NULL, .role = "county_staff",
                        .ip = "127.0.0.1", .action = "enterprise.update", .entity = "enterprise", .entity_id = eid,
                        .before_json = i % 2 ? "{\"name\":\"旧\"}" : NULL, .after_json = after,
                        .outcome = i % 5 ? "success" : "failure", .request_id = "r123", .detail = NULL};
  np_errdetail_t err = {0};
  int64_t seq = 0;
  assert_int_equal(np_audit_record(s, &e, &seq, &err), NP_OK);
  assert_true(seq > 0);
}

static np_err verify(np_store_t *s, int64_t *rows, int64_t *broken, char reason[256]) {
  np_errdetail_t e = {0};
  return np_audit_verify(s, rows, broken, reason, &e);
}

static void test_chain_of_100(void **state) {
  (void)state;
  np_store_t *s = fresh("chain.db", NULL);
  for (int i = 1; i <= 100; i++) add(s, i);
  int64_t rows = -1, broken = -1;
  char reason[256];
  assert_int_equal(verify(s, &rows, &broken, reason), NP_OK);
  assert_int_equal(rows, 100);
  assert_int_equal(broken, 0);
  /* the first row links to 64 zeros, and its hash is SM3 of the documented canonical form */
  np_stmt_t *st = NULL;
  np_errdetail_t e = {0};
  bool has = false;
  assert_int_equal(np_store_prepare(s, "SELECT at, prev_hash, hash FROM audit_log WHERE seq = 1", &st, &e), NP_OK);
  assert_int_equal(np_store_step(st, &has, &e), NP_OK);
  assert_true(has);
  assert_string_equal(np_store_col_text(st, 1), NP_AUDIT_ZERO_HASH);
  char canon[1024], h[65];
  const char *at = np_store_col_text(st, 0);
  int n = snprintf(canon, sizeof canon,
                   "np-audit-v1\n1:1\n%zu:%s\n1:7\n12:county.lixia\n12:county_staff\n9:127.0.0.1\n17:enterprise.update\n"
                   "10:enterprise\n1:1\n%zu:{\"name\":\"旧\"}\n%zu:{\"name\":\"企业1\",\"n\":1}\n7:success\n4:r123\n-\n64:%s\n",
                   strlen(at), at, strlen("{\"name\":\"旧\"}"), strlen("{\"name\":\"企业1\",\"n\":1}"), NP_AUDIT_ZERO_HASH);
  np_crypto_sm3_hex(canon, (size_t)n, h);
  assert_string_equal(np_store_col_text(st, 2), h);
  np_store_release(st);
  /* NULL and "" are different in the canonical form */
  const char *a[15] = {"1", "t", NULL}, *b[15] = {"1", "t", ""};
  np_buf_t ba, bb;
  np_buf_init(&ba, 0);
  np_buf_init(&bb, 0);
  assert_int_equal(np_audit_canonical(a, &ba), NP_OK);
  assert_int_equal(np_audit_canonical(b, &bb), NP_OK);
  assert_string_not_equal(np_buf_cstr(&ba), np_buf_cstr(&bb));
  np_buf_free(&ba);
  np_buf_free(&bb);
  np_store_close(s);
}

static void test_edit_detected(void **state) {
  (void)state;
  np_store_t *s = fresh("edit.db", NULL);
  for (int i = 1; i <= 100; i++) add(s, i);
  np_errdetail_t e = {0};
  assert_int_equal(np_store_exec(s, "UPDATE audit_log SET after_json = '{\"name\":\"x\"}' WHERE seq = 37", &e), NP_OK);
  int64_t rows = 0, broken = 0;
  char reason[256];
  assert_int_equal(verify(s, &rows, &broken, reason), NP_ERR_CONFLICT);
  assert_int_equal(broken, 37);
  assert_non_null(strstr(reason, "edited"));
  assert_int_equal(rows, 36);
  /* an edit that also recomputes the row's own hash is caught at the next row */
  np_store_close(s);
  s = fresh("edit2.db", NULL);
  for (int i = 1; i <= 10; i++) add(s, i);
  assert_int_equal(np_store_exec(s, "UPDATE audit_log SET hash = '" NP_AUDIT_ZERO_HASH "' WHERE seq = 5", &e), NP_OK);
  assert_int_equal(verify(s, &rows, &broken, reason), NP_ERR_CONFLICT);
  assert_int_equal(broken, 5);
  np_store_close(s);
}

static void test_delete_detected(void **state) {
  (void)state;
  np_store_t *s = fresh("delete.db", NULL);
  for (int i = 1; i <= 100; i++) add(s, i);
  np_errdetail_t e = {0};
  assert_int_equal(np_store_exec(s, "DELETE FROM audit_log WHERE seq = 50", &e), NP_OK);
  int64_t rows = 0, broken = 0;
  char reason[256];
  assert_int_equal(verify(s, &rows, &broken, reason), NP_ERR_CONFLICT);
  assert_int_equal(broken, 51);
  assert_non_null(strstr(reason, "50..50"));
  /* removing the first row (not a purge: no anchor) is found too */
  assert_int_equal(np_store_exec(s, "DELETE FROM audit_log WHERE seq = 1", &e), NP_OK);
  assert_int_equal(verify(s, &rows, &broken, reason), NP_ERR_CONFLICT);
  assert_int_equal(broken, 2);
  np_store_close(s);
}

static void test_reorder_detected(void **state) {
  (void)state;
  np_store_t *s = fresh("reorder.db", NULL);
  for (int i = 1; i <= 30; i++) add(s, i);
  np_errdetail_t e = {0};
  /* swap rows 20 and 21 */
  assert_int_equal(np_store_exec(s, "UPDATE audit_log SET seq = 1000 WHERE seq = 20;"
                                    "UPDATE audit_log SET seq = 20 WHERE seq = 21;"
                                    "UPDATE audit_log SET seq = 21 WHERE seq = 1000;",
                                 &e),
                   NP_OK);
  int64_t rows = 0, broken = 0;
  char reason[256];
  assert_int_equal(verify(s, &rows, &broken, reason), NP_ERR_CONFLICT);
  assert_int_equal(broken, 20);
  np_store_close(s);
}

static int64_t g_now;
static int64_t fake_clock(void) { return g_now; }

static void test_purge(void **state) {
  (void)state;
  np_store_t *s = fresh("purge.db", NULL);
  int64_t real_now = (int64_t)time(NULL);
  np_audit_set_clock(fake_clock);
  g_now = real_now - 800 * 86400; /* 10 rows from ~2 years ago */
  for (int i = 1; i <= 10; i++) add(s, i);
  g_now = real_now - 400 * 86400; /* 5 rows from 400 days ago */
  for (int i = 11; i <= 15; i++) add(s, i);
  g_now = real_now; /* 5 fresh rows */
  for (int i = 16; i <= 20; i++) add(s, i);

  np_errdetail_t e = {0};
  np_date_t today = np_date_from_unix_shanghai(real_now), d;
  int64_t removed = -1, rows = 0, broken = 0, n = 0;
  char reason[256];
  np_audit_entry_t actor = {.username = "cli", .request_id = NULL};
  /* younger than a year: refused, nothing removed */
  assert_int_equal(np_audit_purge(s, today, &actor, &removed, &e), NP_ERR_INVALID);
  assert_string_equal(e.code, "retention");
  assert_int_equal(np_date_add_days(today, -365, &d), NP_OK);
  assert_int_equal(np_audit_purge(s, d, &actor, &removed, &e), NP_ERR_INVALID);
  bool found;
  assert_int_equal(np_store_query_int64(s, "SELECT COUNT(*) FROM audit_log", &n, &found, &e), NP_OK);
  assert_int_equal(n, 20);
  /* older than 450 days: the first 10 go */
  assert_int_equal(np_date_add_days(today, -450, &d), NP_OK);
  assert_int_equal(np_audit_purge(s, d, &actor, &removed, &e), NP_OK);
  assert_int_equal(removed, 10);
  assert_int_equal(np_store_query_int64(s, "SELECT MIN(seq) FROM audit_log", &n, &found, &e), NP_OK);
  assert_int_equal(n, 11);
  assert_int_equal(np_store_query_int64(s, "SELECT COUNT(*) FROM audit_log WHERE action = 'audit.purge'", &n, &found, &e),
                   NP_OK);
  assert_int_equal(n, 1);
  assert_int_equal(verify(s, &rows, &broken, reason), NP_OK);
  assert_int_equal(rows, 11);
  add(s, 21);
  assert_int_equal(verify(s, &rows, &broken, reason), NP_OK);
  assert_int_equal(rows, 12);
  /* exactly 366 days is allowed: the 400-day-old rows go */
  assert_int_equal(np_date_add_days(today, -366, &d), NP_OK);
  assert_int_equal(np_audit_purge(s, d, &actor, &removed, &e), NP_OK);
  assert_int_equal(removed, 5);
  assert_int_equal(verify(s, &rows, &broken, reason), NP_OK);
  assert_int_equal(rows, 8);
  /* removing the first retained row after a purge is found (it no longer matches the anchor) */
  assert_int_equal(np_store_exec(s, "DELETE FROM audit_log WHERE seq = 16", &e), NP_OK);
  assert_int_equal(verify(s, &rows, &broken, reason), NP_ERR_CONFLICT);
  assert_int_equal(broken, 17);
  /* and a broken chain refuses a purge */
  assert_int_equal(np_audit_purge(s, d, &actor, &removed, &e), NP_ERR_CONFLICT);
  np_audit_set_clock(NULL);
  np_store_close(s);
}

static void test_purge_everything_old(void **state) {
  (void)state;
  np_store_t *s = fresh("purge_all.db", NULL);
  int64_t real_now = (int64_t)time(NULL);
  np_audit_set_clock(fake_clock);
  g_now = real_now - 800 * 86400;
  for (int i = 1; i <= 5; i++) add(s, i);
  g_now = real_now;
  np_errdetail_t e = {0};
  np_date_t d;
  assert_int_equal(np_date_add_days(np_date_from_unix_shanghai(real_now), -400, &d), NP_OK);
  int64_t removed = 0, rows = 0, broken = 0;
  char reason[256];
  assert_int_equal(np_audit_purge(s, d, NULL, &removed, &e), NP_OK);
  assert_int_equal(removed, 5);
  assert_int_equal(verify(s, &rows, &broken, reason), NP_OK);
  assert_int_equal(rows, 1); /* the purge row, seq 6, linked to the anchor */
  bool found;
  int64_t seq;
  assert_int_equal(np_store_query_int64(s, "SELECT seq FROM audit_log", &seq, &found, &e), NP_OK);
  assert_int_equal(seq, 6);
  /* deleting everything after a purge is found */
  assert_int_equal(np_store_exec(s, "DELETE FROM audit_log", &e), NP_OK);
  assert_int_equal(verify(s, &rows, &broken, reason), NP_ERR_CONFLICT);
  assert_int_equal(broken, 6);
  np_audit_set_clock(NULL);
  np_store_close(s);
}

typedef struct worker {
  const char *url;
  int n;
  int failures;
} worker_t;

static void *append_worker(void *arg) {
  worker_t *w = arg;
  np_store_t *s = NULL;
  np_errdetail_t e = {0};
  if (np_store_open(w->url, &s, &e) != NP_OK) {
    w->failures = w->n;
    return NULL;
  }
  for (int i = 0; i < w->n; i++) {
    np_audit_entry_t a = {.action = "test.concurrent", .detail = "x", .user_id = i + 1};
    if (np_audit_record(s, &a, NULL, &e) != NP_OK) w->failures++;
  }
  np_store_close(s);
  return NULL;
}

static void test_concurrent_appends(void **state) {
  (void)state;
  const char *url = NULL;
  np_store_t *s = fresh("concurrent.db", &url);
  char url_copy[700];
  snprintf(url_copy, sizeof url_copy, "%s", url);
  pthread_t t[4];
  worker_t w[4];
  for (int i = 0; i < 4; i++) {
    w[i] = (worker_t){.url = url_copy, .n = 50};
    assert_int_equal(pthread_create(&t[i], NULL, append_worker, &w[i]), 0);
  }
  for (int i = 0; i < 4; i++) {
    pthread_join(t[i], NULL);
    assert_int_equal(w[i].failures, 0);
  }
  int64_t rows = 0, broken = 0;
  char reason[256];
  assert_int_equal(verify(s, &rows, &broken, reason), NP_OK);
  assert_int_equal(rows, 200);
  np_store_close(s);
}

static void test_failure_rolls_back_caller(void **state) {
  (void)state;
  np_store_t *s = fresh("rollback.db", NULL);
  np_errdetail_t e = {0};
  add(s, 1);
  /* a CHECK violation inside the audit insert (outcome checked by the table, bypassing the C check
   * by making the table refuse every row) */
  assert_int_equal(np_store_exec(s, "DROP TABLE audit_log", &e), NP_OK);
  assert_int_equal(np_store_begin(s, &e), NP_OK);
  assert_int_equal(np_store_execf(s, NULL, &e, "INSERT INTO things (name) VALUES (?)", "t", "created"), NP_OK);
  np_audit_entry_t a = {.action = "thing.create", .entity = "thing", .entity_id = "1"};
  np_errdetail_clear(&e);
  np_err rc = np_audit_record(s, &a, NULL, &e);
  assert_int_not_equal(rc, NP_OK);
  assert_non_null(strstr(e.message, "audit"));
  np_store_rollback(s); /* the caller's rule: audit failed → the operation fails */
  int64_t n = -1;
  bool found;
  assert_int_equal(np_store_query_int64(s, "SELECT COUNT(*) FROM things", &n, &found, &e), NP_OK);
  assert_int_equal(n, 0);
  assert_false(np_store_in_tx(s));
  np_store_close(s);

  /* a row the table refuses (CHECK) inside an open transaction: the savepoint goes, the caller rolls back */
  s = fresh("rollback2.db", NULL);
  assert_int_equal(np_store_exec(s, "DROP TABLE audit_log;"
                                    "CREATE TABLE audit_log (seq INTEGER PRIMARY KEY, at TEXT, user_id INTEGER, "
                                    "username TEXT, role TEXT, ip TEXT, action TEXT CHECK (action <> 'thing.create'), "
                                    "entity TEXT, entity_id TEXT, before_json TEXT, after_json TEXT, outcome TEXT, "
                                    "request_id TEXT, detail TEXT, prev_hash TEXT, hash TEXT)",
                                 &e),
                   NP_OK);
  assert_int_equal(np_store_begin(s, &e), NP_OK);
  assert_int_equal(np_store_execf(s, NULL, &e, "INSERT INTO things (name) VALUES (?)", "t", "created"), NP_OK);
  assert_int_equal(np_audit_record(s, &a, NULL, &e), NP_ERR_CONFLICT);
  assert_true(np_store_in_tx(s));
  np_store_rollback(s);
  assert_int_equal(np_store_query_int64(s, "SELECT COUNT(*) FROM things", &n, &found, &e), NP_OK);
  assert_int_equal(n, 0);
  /* bad action / outcome are refused before touching the database */
  np_audit_entry_t bad = {.action = "Login Success"};
  assert_int_equal(np_audit_record(s, &bad, NULL, &e), NP_ERR_INVALID);
  bad.action = "login.success";
  bad.outcome = "ok";
  assert_int_equal(np_audit_record(s, &bad, NULL, &e), NP_ERR_INVALID);
  np_store_close(s);
}

static void test_within_caller_tx_and_cleaning(void **state) {
  (void)state;
  np_store_t *s = fresh("caller_tx.db", NULL);
  np_errdetail_t e = {0};
  assert_int_equal(np_store_begin(s, &e), NP_OK);
  assert_int_equal(np_store_execf(s, NULL, &e, "INSERT INTO things (name) VALUES (?)", "t", "a"), NP_OK);
  np_audit_entry_t a = {.action = "thing.create", .username = "bad\xff\xfeutf8", .after_json = "{\"a\":\"\xff\"}"};
  assert_int_equal(np_audit_record(s, &a, NULL, &e), NP_OK);
  np_store_rollback(s); /* the caller changes its mind: the audit row goes with it */
  int64_t n = -1;
  bool found;
  assert_int_equal(np_store_query_int64(s, "SELECT COUNT(*) FROM audit_log", &n, &found, &e), NP_OK);
  assert_int_equal(n, 0);
  assert_int_equal(np_audit_record(s, &a, NULL, &e), NP_OK);
  np_stmt_t *st;
  bool has;
  assert_int_equal(np_store_prepare(s, "SELECT username, after_json FROM audit_log", &st, &e), NP_OK);
  assert_int_equal(np_store_step(st, &has, &e), NP_OK);
  assert_string_equal(np_store_col_text(st, 0), "bad??utf8");
  assert_non_null(strstr(np_store_col_text(st, 1), "\"truncated\":true"));
  np_store_release(st);
  int64_t rows, broken;
  char reason[256];
  assert_int_equal(verify(s, &rows, &broken, reason), NP_OK);
  assert_int_equal(rows, 1);
  np_store_close(s);
}

static void test_mask_json(void **state) {
  (void)state;
  json_error_t je;
  json_t *v = json_loads("{\"name\":\"张三\",\"id_number\":\"370102199003071234\",\"mobile\":\"13812345678\","
                         "\"contacts\":[{\"phone\":\"+86 13912345678\",\"bank_account\":\"6222 0212 3456 7890 123\"}],"
                         "\"note\":{\"id_no\":370102199003071234}}",
                         0, &je);
  assert_non_null(v);
  np_audit_mask_json(v, NULL);
  char *s = json_dumps(v, JSON_COMPACT);
  assert_null(strstr(s, "199003071"));
  assert_null(strstr(s, "12345678\""));
  assert_non_null(strstr(s, "\"370***********1234\""));
  assert_non_null(strstr(s, "\"138****5678\""));
  assert_non_null(strstr(s, "\"139****5678\""));
  assert_non_null(strstr(s, "\"name\":\"张三\""));
  free(s);
  json_decref(v);
  /* a custom list */
  v = json_loads("{\"secret\":\"abc\",\"mobile\":\"13812345678\"}", 0, &je);
  const char *keys[] = {"secret", NULL};
  np_audit_mask_json(v, keys);
  assert_string_equal(json_string_value(json_object_get(v, "secret")), "****");
  assert_string_equal(json_string_value(json_object_get(v, "mobile")), "13812345678");
  json_decref(v);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_chain_of_100),          cmocka_unit_test(test_edit_detected),
    cmocka_unit_test(test_delete_detected),       cmocka_unit_test(test_reorder_detected),
    cmocka_unit_test(test_purge),                 cmocka_unit_test(test_purge_everything_old),
    cmocka_unit_test(test_concurrent_appends),    cmocka_unit_test(test_failure_rolls_back_caller),
    cmocka_unit_test(test_within_caller_tx_and_cleaning), cmocka_unit_test(test_mask_json),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
