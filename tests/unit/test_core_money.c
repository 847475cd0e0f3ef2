#include "testutil.h"
#include <stdint.h>
#include <string.h>
#include "core/money.h"

#define S(lit) (lit), (sizeof(lit) - 1)

static void test_parse(void **state) {
  int64_t v = 0;
  struct { const char *s; int64_t fen; } ok[] = {
    {"1234.56", 123456}, {"1234", 123400}, {"1234.5", 123450}, {"-0.01", -1}, {"0", 0},
    {"-0", 0}, {"0.00", 0}, {"007.10", 710}, {"-1234.56", -123456},
    {"92233720368547758.07", INT64_MAX}, {"-92233720368547758.07", -INT64_MAX},
  };
  for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
    assert_int_equal(np_money_parse(ok[i].s, strlen(ok[i].s), &v), NP_OK);
    assert_true(v == ok[i].fen);
  }
  const char *bad[] = {"", "-", "abc", "1,234", "1.234", "1.", ".5", "+1", " 1", "1 ", "1.2.3", "--1",
                       "1e3", "0x10", "92233720368547758.08", "-92233720368547758.08",
                       "99999999999999999999", "12.3a", "1.-5", "\xef\xbc\x91"};
  v = 99;
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    assert_int_equal(np_money_parse(bad[i], strlen(bad[i]), &v), NP_ERR_INVALID);
  assert_int_equal(v, 99);
  assert_int_equal(np_money_parse("12.345", 5, &v), NP_OK); /* explicit length */
  assert_int_equal(v, 1234);
  assert_int_equal(np_money_parse(NULL, 0, &v), NP_ERR_INVALID);
}

static void test_format_and_round_trip(void **state) {
  char buf[NP_MONEY_STRLEN];
  assert_int_equal(np_money_format(123456, buf, sizeof buf), NP_OK);
  assert_string_equal(buf, "1234.56");
  np_money_format(-1, buf, sizeof buf);
  assert_string_equal(buf, "-0.01");
  np_money_format(0, buf, sizeof buf);
  assert_string_equal(buf, "0.00");
  np_money_format(5, buf, sizeof buf);
  assert_string_equal(buf, "0.05");
  np_money_format(-100, buf, sizeof buf);
  assert_string_equal(buf, "-1.00");
  np_money_format(INT64_MAX, buf, sizeof buf);
  assert_string_equal(buf, "92233720368547758.07");
  np_money_format(INT64_MIN, buf, sizeof buf);
  assert_string_equal(buf, "-92233720368547758.08");
  char tiny[4];
  assert_int_equal(np_money_format(123456, tiny, sizeof tiny), NP_ERR_TOO_LARGE);
  assert_string_equal(tiny, "");
  const int64_t vals[] = {0, 1, -1, 99, -99, 100, 101, 123456, -987654321, INT64_MAX, -INT64_MAX, 1000000000000};
  for (size_t i = 0; i < sizeof vals / sizeof *vals; i++) {
    int64_t back = 0;
    assert_int_equal(np_money_format(vals[i], buf, sizeof buf), NP_OK);
    assert_int_equal(np_money_parse(buf, strlen(buf), &back), NP_OK);
    assert_true(back == vals[i]);
  }
}

static void test_yuan(void **state) {
  int64_t v = 0;
  assert_int_equal(np_money_from_yuan(12, &v), NP_OK);
  assert_int_equal(v, 1200);
  assert_int_equal(np_money_from_yuan(-3, &v), NP_OK);
  assert_int_equal(v, -300);
  assert_int_equal(np_money_from_yuan(INT64_MAX / 100 + 1, &v), NP_ERR_INVALID);
  assert_int_equal(np_money_from_yuan(INT64_MIN / 100 - 1, &v), NP_ERR_INVALID);
  /* to whole yuan */
  assert_int_equal(np_money_to_yuan(150, NP_ROUND_HALF_UP, &v), NP_OK);
  assert_int_equal(v, 2);
  assert_int_equal(np_money_to_yuan(149, NP_ROUND_HALF_UP, &v), NP_OK);
  assert_int_equal(v, 1);
  assert_int_equal(np_money_to_yuan(-150, NP_ROUND_HALF_UP, &v), NP_OK);
  assert_int_equal(v, -2);
  assert_int_equal(np_money_to_yuan(250, NP_ROUND_HALF_EVEN, &v), NP_OK);
  assert_int_equal(v, 2);
  assert_int_equal(np_money_to_yuan(350, NP_ROUND_HALF_EVEN, &v), NP_OK);
  assert_int_equal(v, 4);
  assert_int_equal(np_money_to_yuan(-250, NP_ROUND_HALF_EVEN, &v), NP_OK);
  assert_int_equal(v, -2);
  assert_int_equal(np_money_to_yuan(199, NP_ROUND_DOWN, &v), NP_OK);
  assert_int_equal(v, 1);
  assert_int_equal(np_money_to_yuan(-199, NP_ROUND_DOWN, &v), NP_OK);
  assert_int_equal(v, -1);
  assert_int_equal(np_money_to_yuan(101, NP_ROUND_UP, &v), NP_OK);
  assert_int_equal(v, 2);
  assert_int_equal(np_money_to_yuan(-101, NP_ROUND_UP, &v), NP_OK);
  assert_int_equal(v, -2);
  assert_int_equal(np_money_to_yuan(100, NP_ROUND_UP, &v), NP_OK);
  assert_int_equal(v, 1);
  assert_int_equal(np_money_to_yuan(1, (np_round_t)42, &v), NP_ERR_INVALID);
  /* round to whole yuan, in fen */
  assert_int_equal(np_money_round_yuan(12345, NP_ROUND_HALF_UP, &v), NP_OK);
  assert_int_equal(v, 12300);
  assert_int_equal(np_money_round_yuan(12350, NP_ROUND_HALF_UP, &v), NP_OK);
  assert_int_equal(v, 12400);
  assert_int_equal(np_money_round_yuan(-12350, NP_ROUND_HALF_UP, &v), NP_OK);
  assert_int_equal(v, -12400);
  assert_int_equal(np_money_round_yuan(12250, NP_ROUND_HALF_EVEN, &v), NP_OK);
  assert_int_equal(v, 12200);
  assert_int_equal(np_money_round_yuan(12399, NP_ROUND_DOWN, &v), NP_OK);
  assert_int_equal(v, 12300);
  assert_int_equal(np_money_round_yuan(12301, NP_ROUND_UP, &v), NP_OK);
  assert_int_equal(v, 12400);
  assert_int_equal(np_money_round_yuan(INT64_MAX, NP_ROUND_UP, &v), NP_ERR_INVALID);
  assert_int_equal(np_money_round_yuan(INT64_MAX, NP_ROUND_DOWN, &v), NP_OK);
  assert_true(v == INT64_MAX / 100 * 100);
}

static void test_rates(void **state) {
  int64_t v = 0;
  /* 5 % of 1234.56 yuan = 61.728 */
  assert_int_equal(np_money_mul_bp(123456, 500, NP_ROUND_HALF_UP, &v), NP_OK);
  assert_int_equal(v, 6173);
  assert_int_equal(np_money_mul_bp(123456, 500, NP_ROUND_DOWN, &v), NP_OK);
  assert_int_equal(v, 6172);
  assert_int_equal(np_money_mul_bp(123456, 500, NP_ROUND_UP, &v), NP_OK);
  assert_int_equal(v, 6173);
  assert_int_equal(np_money_mul_bp(123456, 500, NP_ROUND_HALF_EVEN, &v), NP_OK);
  assert_int_equal(v, 6173);
  /* exact ties: 50 % of 1, 3, 5 fen */
  assert_int_equal(np_money_mul_bp(1, 5000, NP_ROUND_HALF_UP, &v), NP_OK);
  assert_int_equal(v, 1);
  assert_int_equal(np_money_mul_bp(1, 5000, NP_ROUND_HALF_EVEN, &v), NP_OK);
  assert_int_equal(v, 0);
  assert_int_equal(np_money_mul_bp(3, 5000, NP_ROUND_HALF_EVEN, &v), NP_OK);
  assert_int_equal(v, 2);
  assert_int_equal(np_money_mul_bp(5, 5000, NP_ROUND_HALF_EVEN, &v), NP_OK);
  assert_int_equal(v, 2);
  assert_int_equal(np_money_mul_bp(5, 5000, NP_ROUND_DOWN, &v), NP_OK);
  assert_int_equal(v, 2);
  /* negative values round symmetrically */
  assert_int_equal(np_money_mul_bp(-5, 5000, NP_ROUND_HALF_UP, &v), NP_OK);
  assert_int_equal(v, -3);
  assert_int_equal(np_money_mul_bp(-5, 5000, NP_ROUND_HALF_EVEN, &v), NP_OK);
  assert_int_equal(v, -2);
  assert_int_equal(np_money_mul_bp(-7, 5000, NP_ROUND_HALF_EVEN, &v), NP_OK);
  assert_int_equal(v, -4);
  assert_int_equal(np_money_mul_bp(-5, 5000, NP_ROUND_DOWN, &v), NP_OK);
  assert_int_equal(v, -2);
  assert_int_equal(np_money_mul_bp(-5, 5000, NP_ROUND_UP, &v), NP_OK);
  assert_int_equal(v, -3);
  assert_int_equal(np_money_mul_bp(5, -5000, NP_ROUND_HALF_UP, &v), NP_OK);
  assert_int_equal(v, -3);
  /* ppm: 1 yuan × 0.0001 % → 0.0001 fen */
  assert_int_equal(np_money_mul_ppm(100, 1, NP_ROUND_UP, &v), NP_OK);
  assert_int_equal(v, 1);
  assert_int_equal(np_money_mul_ppm(100, 1, NP_ROUND_HALF_UP, &v), NP_OK);
  assert_int_equal(v, 0);
  assert_int_equal(np_money_mul_ppm(250000, 333333, NP_ROUND_HALF_UP, &v), NP_OK);
  assert_int_equal(v, 83333); /* 83333.25 */
  assert_int_equal(np_money_mul_ppm(INT64_MAX, 1000000, NP_ROUND_DOWN, &v), NP_OK);
  assert_true(v == INT64_MAX);
  /* overflow: intermediate fits int128, result does not fit int64 */
  assert_int_equal(np_money_mul_bp(INT64_MAX, 20000, NP_ROUND_DOWN, &v), NP_ERR_INVALID);
  assert_int_equal(np_money_mul_ppm(INT64_MAX, INT64_MAX, NP_ROUND_DOWN, &v), NP_ERR_INVALID);
  assert_int_equal(np_money_mul_bp(INT64_MIN, 1, NP_ROUND_DOWN, &v), NP_ERR_INVALID);
  /* general ratio */
  assert_int_equal(np_money_mul_ratio(100, 1, 3, NP_ROUND_HALF_UP, &v), NP_OK);
  assert_int_equal(v, 33);
  assert_int_equal(np_money_mul_ratio(100, 2, 3, NP_ROUND_HALF_UP, &v), NP_OK);
  assert_int_equal(v, 67);
  assert_int_equal(np_money_mul_ratio(100, 1, -3, NP_ROUND_UP, &v), NP_OK);
  assert_int_equal(v, -34);
  assert_int_equal(np_money_mul_ratio(100, 1, 0, NP_ROUND_UP, &v), NP_ERR_INVALID);
  assert_int_equal(np_money_mul_ratio(100, 1, 2, (np_round_t)-1, &v), NP_ERR_INVALID);
}

static void test_add_sub(void **state) {
  int64_t v = 0;
  assert_int_equal(np_money_add(1, 2, &v), NP_OK);
  assert_int_equal(v, 3);
  assert_int_equal(np_money_add(INT64_MAX, 1, &v), NP_ERR_INVALID);
  assert_int_equal(np_money_sub(-INT64_MAX, 1, &v), NP_ERR_INVALID);
  assert_int_equal(np_money_sub(5, 7, &v), NP_OK);
  assert_int_equal(v, -2);
  assert_string_equal(np_round_name(NP_ROUND_HALF_EVEN), "half_even");
  assert_null(np_round_name((np_round_t)9));
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_parse), cmocka_unit_test(test_format_and_round_trip), cmocka_unit_test(test_yuan),
    cmocka_unit_test(test_rates), cmocka_unit_test(test_add_sub),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
