#include "testutil.h"
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include "core/embed.h"
#include "store/store.h"

#define THREADS 4
#define PER_THREAD 50

static np_store_pool_t *pool;

static void *worker(void *arg) {
  int id = (int)(intptr_t)arg;
  int failures = 0;
  for (int i = 0; i < PER_THREAD; i++) {
    np_store_t *s = NULL;
    np_errdetail_t err;
    if (np_store_pool_acquire(pool, 10000, &s) != NP_OK) {
      failures++;
      continue;
    }
    char key[32];
    snprintf(key, sizeof key, "%d-%d", id, i);
    int64_t rowid = 0;
    np_err e = np_store_begin(s, &err);
    if (!e) e = np_store_queryf_int64(s, &rowid, NULL, &err, "INSERT INTO w (k) VALUES (?) RETURNING id", "t", key);
    if (!e) e = np_store_change(s, "w", key, "insert", NULL, &err);
    if (!e) e = np_store_commit(s, &err);
    if (e) {
      np_store_rollback(s);
      failures++;
    }
    np_store_pool_release(pool, s);
  }
  return (void *)(intptr_t)failures;
}

static void test_pool_threads(void **state) {
  const char *url = tu_tmp_db_url("pool.db");
  np_errdetail_t err;
  assert_int_equal(np_store_pool_open(url, 2, &pool, &err), NP_OK);
  np_store_t *s = NULL;
  assert_int_equal(np_store_pool_acquire(pool, 0, &s), NP_OK);
  const np_embed_entry_t *e = np_embed_find("migrations/0001_store_core.sql");
  np_store_migration_t m = {"0001_store_core.sql", (const char *)e->data};
  assert_int_equal(np_store_migrate_list(s, &m, 1, NULL, NULL, NULL, &err), NP_OK);
  assert_int_equal(np_store_exec(s, "CREATE TABLE w (id INTEGER PRIMARY KEY, k TEXT NOT NULL UNIQUE)", &err), NP_OK);
  np_store_pool_release(pool, s);

  pthread_t th[THREADS];
  for (int i = 0; i < THREADS; i++) assert_int_equal(pthread_create(&th[i], NULL, worker, (void *)(intptr_t)i), 0);
  for (int i = 0; i < THREADS; i++) {
    void *r = NULL;
    pthread_join(th[i], &r);
    assert_int_equal((intptr_t)r, 0);
  }
  assert_int_equal(np_store_pool_acquire(pool, 100, &s), NP_OK);
  int64_t n = 0, seq = 0;
  assert_int_equal(np_store_query_int64(s, "SELECT COUNT(*) FROM w", &n, NULL, &err), NP_OK);
  assert_int_equal(n, THREADS * PER_THREAD);
  assert_int_equal(np_store_change_seq(s, &seq, &err), NP_OK);
  assert_int_equal(seq, THREADS * PER_THREAD);
  np_store_pool_release(pool, s);
  np_store_pool_close(pool);
  pool = NULL;
}

static void test_pool_timeout_and_rollback(void **state) {
  const char *url = tu_tmp_db_url("pool2.db");
  np_errdetail_t err;
  np_store_pool_t *p = NULL;
  assert_int_equal(np_store_pool_open(url, 0, &p, &err), NP_ERR_INVALID);
  assert_int_equal(np_store_pool_open(url, 2, &p, &err), NP_OK);
  np_store_t *a = NULL, *b = NULL, *c = NULL;
  assert_int_equal(np_store_pool_acquire(p, 0, &a), NP_OK);
  assert_int_equal(np_store_pool_acquire(p, 0, &b), NP_OK);
  assert_ptr_not_equal(a, b);
  assert_int_equal(np_store_pool_acquire(p, 0, &c), NP_ERR_BUSY);
  assert_int_equal(np_store_pool_acquire(p, 50, &c), NP_ERR_BUSY);
  assert_null(c);
  assert_int_equal(np_store_exec(a, "CREATE TABLE x (v INTEGER)", &err), NP_OK);
  assert_int_equal(np_store_begin(a, &err), NP_OK);
  assert_int_equal(np_store_begin(a, &err), NP_OK);
  assert_int_equal(np_store_exec(a, "INSERT INTO x VALUES (1)", &err), NP_OK);
  np_store_pool_release(p, a); /* open transaction: rolled back */
  assert_false(np_store_in_tx(a));
  assert_int_equal(np_store_pool_acquire(p, 0, &c), NP_OK);
  assert_ptr_equal(c, a);
  int64_t n = -1;
  assert_int_equal(np_store_query_int64(c, "SELECT COUNT(*) FROM x", &n, NULL, &err), NP_OK);
  assert_int_equal(n, 0);
  /* b can write: the rolled-back transaction released the lock */
  assert_int_equal(np_store_begin(b, &err), NP_OK);
  assert_int_equal(np_store_exec(b, "INSERT INTO x VALUES (2)", &err), NP_OK);
  assert_int_equal(np_store_commit(b, &err), NP_OK);
  np_store_pool_release(p, b);
  np_store_pool_release(p, c);
  np_store_pool_close(p);
  np_store_pool_close(NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_pool_threads),
    cmocka_unit_test(test_pool_timeout_and_rollback),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
