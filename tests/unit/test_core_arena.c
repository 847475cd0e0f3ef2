#include "testutil.h"
#include <stdint.h>
#include <string.h>
#include "core/arena.h"
#include "core/err.h"

static void test_alloc_aligned_and_distinct(void **state) {
  np_arena_t *a = np_arena_new(0);
  assert_non_null(a);
  char *p = np_arena_alloc(a, 3);
  char *q = np_arena_alloc(a, 5);
  assert_non_null(p);
  assert_non_null(q);
  assert_true(((uintptr_t)p % 16) == 0);
  assert_true(((uintptr_t)q % 16) == 0);
  assert_ptr_not_equal(p, q);
  assert_null(np_arena_alloc(a, 0));
  np_arena_free(a);
}

static void test_large_and_many(void **state) {
  np_arena_t *a = np_arena_new(0);
  for (int i = 0; i < 10000; i++) {
    char *p = np_arena_alloc(a, 100);
    assert_non_null(p);
    memset(p, 'x', 100);
  }
  char *big = np_arena_alloc(a, 1 << 20);
  assert_non_null(big);
  memset(big, 1, 1 << 20);
  np_arena_reset(a);
  assert_int_equal(np_arena_used(a), 0);
  assert_non_null(np_arena_alloc(a, 10));
  np_arena_free(a);
}

static void test_cap_and_overflow(void **state) {
  np_arena_t *a = np_arena_new(1024);
  assert_non_null(np_arena_alloc(a, 512));
  assert_null(np_arena_alloc(a, 1024));
  assert_null(np_arena_calloc(a, SIZE_MAX / 2, 4));
  assert_null(np_arena_alloc(a, SIZE_MAX));
  np_arena_free(a);
}

static void test_strings(void **state) {
  np_arena_t *a = np_arena_new(0);
  assert_string_equal(np_arena_strndup(a, "hello world", 5), "hello");
  assert_string_equal(np_arena_printf(a, "%d-%s", 42, "x"), "42-x");
  assert_string_equal(np_arena_strdup(a, ""), "");
  np_arena_free(a);
}

static void test_err_names(void **state) {
  assert_string_equal(np_err_name(NP_ERR_NOT_FOUND), "not_found");
  assert_string_equal(np_err_name((np_err)999), "internal");
  np_errdetail_t d;
  assert_int_equal(np_fail(&d, NP_ERR_INVALID, "bad_count", "count", "must be > %d", 0), NP_ERR_INVALID);
  assert_string_equal(d.field, "count");
  assert_string_equal(d.message, "must be > 0");
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_alloc_aligned_and_distinct), cmocka_unit_test(test_large_and_many),
    cmocka_unit_test(test_cap_and_overflow), cmocka_unit_test(test_strings), cmocka_unit_test(test_err_names),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
