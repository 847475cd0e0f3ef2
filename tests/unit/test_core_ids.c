#include "testutil.h"
#include <string.h>
#include "core/ids.h"

static void test_round_trip(void **state) {
  char buf[32];
  assert_string_equal(np_id_format(NP_ID_ENTERPRISE, 42, buf, sizeof buf), "ent_42");
  int64_t v = 0;
  assert_int_equal(np_id_parse(NP_ID_ENTERPRISE, "ent_42", &v), NP_OK);
  assert_int_equal(v, 42);
  assert_string_equal(np_id_format(NP_ID_USER, INT64_MAX, buf, sizeof buf), "u_9223372036854775807");
}

static void test_rejects(void **state) {
  int64_t v = 7;
  const char *bad[] = {"", "ent_", "ent_0", "ent_042", "ent_-1", "ent_1x", "u_42", "42", "ent_99999999999999999999",
                       "ENT_1", "ent_ 1"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    assert_int_equal(np_id_parse(NP_ID_ENTERPRISE, bad[i], &v), NP_ERR_NOT_FOUND);
  assert_int_equal(v, 7);
  assert_int_equal(np_id_parse(NP_ID_ENTERPRISE, NULL, &v), NP_ERR_NOT_FOUND);
  char small[4];
  assert_string_equal(np_id_format(NP_ID_ENTERPRISE, 12345, small, sizeof small), "");
  char buf[16];
  assert_string_equal(np_id_format(NP_ID_ENTERPRISE, 0, buf, sizeof buf), "");
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_round_trip), cmocka_unit_test(test_rejects)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
