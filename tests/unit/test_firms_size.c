/* Size class (国统字〔2017〕213号, industry) boundaries and the above-scale threshold. */
#include "testutil.h"
#include <string.h>
#include "firms/size.h"

#define WAN(x) ((int64_t)(x) * INT64_C(1000000)) /* 万元 in fen */

static np_size_class cls(int64_t emp, int64_t rev) {
  return np_size_classify(true, emp, true, rev, NULL, 0);
}

static void employee_edges(void **state) {
  (void)state;
  assert_int_equal(cls(1000, WAN(40000)), NP_SIZE_LARGE);
  assert_int_equal(cls(999, WAN(40000)), NP_SIZE_MEDIUM);
  assert_int_equal(cls(300, WAN(2000)), NP_SIZE_MEDIUM);
  assert_int_equal(cls(299, WAN(2000)), NP_SIZE_SMALL);
  assert_int_equal(cls(20, WAN(300)), NP_SIZE_SMALL);
  assert_int_equal(cls(19, WAN(300)), NP_SIZE_MICRO);
  assert_int_equal(cls(0, WAN(100000)), NP_SIZE_MICRO);
}

static void revenue_edges(void **state) {
  (void)state;
  assert_int_equal(cls(5000, WAN(40000)), NP_SIZE_LARGE);
  assert_int_equal(cls(5000, WAN(40000) - 1), NP_SIZE_MEDIUM); /* one fen short */
  assert_int_equal(cls(5000, WAN(2000)), NP_SIZE_MEDIUM);
  assert_int_equal(cls(5000, WAN(2000) - 1), NP_SIZE_SMALL);
  assert_int_equal(cls(5000, WAN(300)), NP_SIZE_SMALL);
  assert_int_equal(cls(5000, WAN(300) - 1), NP_SIZE_MICRO);
  /* both lower limits: many people, little revenue falls down a class */
  assert_int_equal(cls(1500, WAN(10000)), NP_SIZE_MEDIUM);
  assert_int_equal(cls(50, WAN(100000)), NP_SIZE_SMALL);
}

static void missing_figures(void **state) {
  (void)state;
  assert_int_equal(np_size_classify(true, 10, false, 0, NULL, 0), NP_SIZE_MICRO);
  assert_int_equal(np_size_classify(true, 500, false, 0, NULL, 0), NP_SIZE_UNKNOWN);
  assert_int_equal(np_size_classify(false, 0, true, WAN(100), NULL, 0), NP_SIZE_MICRO);
  assert_int_equal(np_size_classify(false, 0, true, WAN(100000), NULL, 0), NP_SIZE_UNKNOWN);
  assert_int_equal(np_size_classify(false, 0, false, 0, NULL, 0), NP_SIZE_UNKNOWN);
  char basis[NP_SIZE_BASIS_CAP];
  assert_int_equal(np_size_classify(true, 350, true, WAN(2500), basis, sizeof basis), NP_SIZE_MEDIUM);
  assert_non_null(strstr(basis, "国统字〔2017〕213号"));
  assert_non_null(strstr(basis, "350"));
  assert_non_null(strstr(basis, "25000000.00"));
  assert_non_null(strstr(basis, "中型"));
}

static void above_scale_and_names(void **state) {
  (void)state;
  assert_true(np_size_above_scale(WAN(2000)));
  assert_false(np_size_above_scale(WAN(2000) - 1));
  assert_false(np_size_above_scale(0));
  assert_string_equal(np_size_class_name(NP_SIZE_LARGE), "large");
  assert_string_equal(np_size_class_name((np_size_class)42), "unknown");
  assert_int_equal(np_size_class_parse("medium"), NP_SIZE_MEDIUM);
  assert_int_equal(np_size_class_parse("小型"), NP_SIZE_SMALL);
  assert_int_equal(np_size_class_parse("huge"), NP_SIZE_UNKNOWN);
  assert_int_equal(np_size_class_parse(NULL), NP_SIZE_UNKNOWN);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(employee_edges),
    cmocka_unit_test(revenue_edges),
    cmocka_unit_test(missing_figures),
    cmocka_unit_test(above_scale_and_names),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
