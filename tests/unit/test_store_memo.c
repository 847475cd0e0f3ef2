/* Result memo: a value is returned only for its key at its sequence; replaced slots; threads. */
#include "testutil.h"
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include "store/memo.h"
#include "store/store.h"

static void test_get_put(void **state) {
  (void)state;
  np_memo_t *m = np_memo_new(4);
  assert_non_null(m);
  int64_t v = -1;
  assert_false(np_memo_get(m, "k", 1, 7, &v));
  np_memo_put(m, "k", 1, 7, 42);
  assert_true(np_memo_get(m, "k", 1, 7, &v));
  assert_int_equal(v, 42);
  assert_false(np_memo_get(m, "k", 1, 8, &v)); /* the feed moved: retired */
  assert_false(np_memo_get(m, "K", 1, 7, &v));
  assert_false(np_memo_get(m, "k\0", 2, 7, &v)); /* lengths differ */
  np_memo_put(m, "k", 1, 8, 43);
  assert_true(np_memo_get(m, "k", 1, 8, &v));
  assert_int_equal(v, 43);
  assert_false(np_memo_get(m, "k", 1, 7, &v));
  /* many keys in 16 slots: whatever is returned is the right value */
  char key[32];
  for (int i = 0; i < 200; i++) {
    int n = snprintf(key, sizeof key, "key-%d", i);
    np_memo_put(m, key, (size_t)n, 1, i);
  }
  int found = 0;
  for (int i = 0; i < 200; i++) {
    int n = snprintf(key, sizeof key, "key-%d", i);
    if (np_memo_get(m, key, (size_t)n, 1, &v)) {
      assert_int_equal(v, i);
      found++;
    }
  }
  assert_true(found > 0 && found <= 16);
  uint64_t hits, misses;
  np_memo_stats(m, &hits, &misses);
  assert_true(hits >= 3 && misses >= 5);
  np_memo_free(m);
}

static void *hammer(void *arg) {
  np_memo_t *m = arg;
  char key[32];
  for (int i = 0; i < 20000; i++) {
    int n = snprintf(key, sizeof key, "k%d", i % 50);
    int64_t v;
    if (np_memo_get(m, key, (size_t)n, i / 1000, &v) && v != (i % 50) * 1000 + i / 1000) return (void *)1;
    np_memo_put(m, key, (size_t)n, i / 1000, (i % 50) * 1000 + i / 1000);
  }
  return NULL;
}

static void test_threads(void **state) {
  (void)state;
  np_memo_t *m = np_memo_new(64);
  pthread_t t[4];
  for (int i = 0; i < 4; i++) assert_int_equal(pthread_create(&t[i], NULL, hammer, m), 0);
  for (int i = 0; i < 4; i++) {
    void *r;
    pthread_join(t[i], &r);
    assert_null(r);
  }
  np_memo_free(m);
}

/* the connections of a pool share one memo; a connection opened alone has its own */
static void test_pool_shares(void **state) {
  (void)state;
  np_errdetail_t err = {0};
  const char *url = tu_tmp_db_url("memo_pool.db");
  np_store_pool_t *p = NULL;
  assert_int_equal(np_store_pool_open(url, 2, &p, &err), NP_OK);
  np_store_t *a = NULL, *b = NULL, *alone = NULL;
  assert_int_equal(np_store_pool_acquire(p, 1000, &a), NP_OK);
  assert_int_equal(np_store_pool_acquire(p, 1000, &b), NP_OK);
  assert_ptr_equal(np_store_memo(a), np_store_memo(b));
  assert_int_equal(np_store_open(url, &alone, &err), NP_OK);
  assert_ptr_not_equal(np_store_memo(alone), np_store_memo(a));
  np_store_close(alone);
  np_store_pool_release(p, a);
  np_store_pool_release(p, b);
  np_store_pool_close(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_get_put),
    cmocka_unit_test(test_threads),
    cmocka_unit_test(test_pool_shares),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
