#include "testutil.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/date.h"

#define S(lit) (lit), (sizeof(lit) - 1)

static np_date_t D(const char *s) {
  np_date_t d = {0};
  assert_int_equal(np_date_parse(s, strlen(s), &d), NP_OK);
  return d;
}

static void assert_date(np_date_t d, const char *want) {
  char buf[NP_DATE_STRLEN];
  assert_int_equal(np_date_format(d, buf, sizeof buf), NP_OK);
  assert_string_equal(buf, want);
}

static void test_leap_and_month_len(void **state) {
  assert_false(np_date_is_leap(1900));
  assert_true(np_date_is_leap(2000));
  assert_true(np_date_is_leap(2024));
  assert_false(np_date_is_leap(2023));
  assert_false(np_date_is_leap(2100));
  assert_int_equal(np_date_days_in_month(1900, 2), 28);
  assert_int_equal(np_date_days_in_month(2000, 2), 29);
  assert_int_equal(np_date_days_in_month(2024, 2), 29);
  assert_int_equal(np_date_days_in_month(2023, 2), 28);
  assert_int_equal(np_date_days_in_month(2023, 4), 30);
  assert_int_equal(np_date_days_in_month(2023, 12), 31);
  assert_int_equal(np_date_days_in_month(2023, 13), 0);
  assert_int_equal(np_date_days_in_month(2023, 0), 0);
}

static void test_parse_format(void **state) {
  assert_int_equal(D("1970-01-01").days, 0);
  assert_int_equal(D("1970-01-02").days, 1);
  assert_int_equal(D("1969-12-31").days, -1);
  assert_int_equal(D("2000-03-01").days, 11017);
  assert_int_equal(D("1900-01-01").days, NP_DATE_MIN_DAYS);
  assert_int_equal(D("2999-12-31").days, NP_DATE_MAX_DAYS);
  assert_int_equal(D("2024-02-29").days, 19782);
  assert_date(D("2000-02-29"), "2000-02-29");
  assert_date(D("1900-02-28"), "1900-02-28");
  np_date_t d = {12345};
  const char *bad[] = {"2023-02-29", "1900-02-29", "2100-02-29", "2023-04-31", "2023-13-01", "2023-00-10",
                       "2023-01-00", "2023-01-32", "1899-12-31", "3000-01-01", "2023-2-01", "2023-02-1",
                       "2023/02/01", "20230201", " 2023-02-01", "2023-02-01 ", "2023-02-01T00", "+023-02-01",
                       "-023-02-01", "2023-+2-01", "abcd-ef-gh", "", "2023-02-0\xef"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    assert_int_equal(np_date_parse(bad[i], strlen(bad[i]), &d), NP_ERR_INVALID);
  }
  assert_int_equal(d.days, 12345);
  assert_int_equal(np_date_parse(NULL, 10, &d), NP_ERR_INVALID);
  /* explicit length */
  assert_int_equal(np_date_parse("2024-05-06xyz", 10, &d), NP_OK);
  assert_date(d, "2024-05-06");
  char small[10];
  assert_int_equal(np_date_format(d, small, sizeof small), NP_ERR_TOO_LARGE);
  assert_string_equal(small, "");
  /* every day of the range round-trips through text and y/m/d */
  for (int32_t x = NP_DATE_MIN_DAYS; x <= NP_DATE_MAX_DAYS; x++) {
    np_date_t a = {x}, b;
    char buf[NP_DATE_STRLEN];
    assert_int_equal(np_date_format(a, buf, sizeof buf), NP_OK);
    assert_int_equal(np_date_parse(buf, 10, &b), NP_OK);
    assert_int_equal(a.days, b.days);
    int y, m, dd;
    np_date_to_ymd(a, &y, &m, &dd);
    assert_int_equal(np_date_from_ymd(y, m, dd, &b), NP_OK);
    assert_int_equal(a.days, b.days);
    if (x > NP_DATE_MIN_DAYS) assert_int_equal(np_date_weekday(a), np_date_weekday((np_date_t){x - 1}) % 7 + 1);
  }
}

static void test_ymd(void **state) {
  np_date_t d;
  assert_int_equal(np_date_from_ymd(2024, 2, 29, &d), NP_OK);
  int y = 0, m = 0, dd = 0;
  np_date_to_ymd(d, &y, &m, &dd);
  assert_int_equal(y, 2024);
  assert_int_equal(m, 2);
  assert_int_equal(dd, 29);
  np_date_to_ymd(d, NULL, NULL, &dd);
  assert_int_equal(dd, 29);
  assert_int_equal(np_date_from_ymd(2023, 2, 29, &d), NP_ERR_INVALID);
  assert_int_equal(np_date_from_ymd(1899, 12, 31, &d), NP_ERR_INVALID);
  assert_int_equal(np_date_from_ymd(3000, 1, 1, &d), NP_ERR_INVALID);
  assert_int_equal(np_date_from_ymd(2023, 6, -1, &d), NP_ERR_INVALID);
}

static void test_add_days(void **state) {
  np_date_t d;
  assert_int_equal(np_date_add_days(D("2023-12-31"), 1, &d), NP_OK);
  assert_date(d, "2024-01-01");
  assert_int_equal(np_date_add_days(D("2024-02-28"), 1, &d), NP_OK);
  assert_date(d, "2024-02-29");
  assert_int_equal(np_date_add_days(D("2023-02-28"), 1, &d), NP_OK);
  assert_date(d, "2023-03-01");
  assert_int_equal(np_date_add_days(D("2024-03-01"), -1, &d), NP_OK);
  assert_date(d, "2024-02-29");
  assert_int_equal(np_date_add_days(D("2024-01-01"), 366, &d), NP_OK);
  assert_date(d, "2025-01-01");
  assert_int_equal(np_date_add_days(D("2999-12-31"), 1, &d), NP_ERR_INVALID);
  assert_int_equal(np_date_add_days(D("1900-01-01"), -1, &d), NP_ERR_INVALID);
  assert_int_equal(np_date_add_days(D("2000-01-01"), INT64_MAX, &d), NP_ERR_INVALID);
  assert_int_equal(np_date_add_days(D("2000-01-01"), INT64_MIN, &d), NP_ERR_INVALID);
  assert_int_equal(np_date_days_between(D("2024-01-01"), D("2024-12-31")), 365);
  assert_int_equal(np_date_days_between(D("2023-01-01"), D("2023-12-31")), 364);
  assert_int_equal(np_date_days_between(D("2024-03-01"), D("2024-02-28")), -2);
  assert_int_equal(np_date_days_between(D("1900-01-01"), D("2999-12-31")), NP_DATE_MAX_DAYS - NP_DATE_MIN_DAYS);
}

static void test_add_months(void **state) {
  np_date_t d;
  struct { const char *from; int64_t n; const char *want; } cases[] = {
    {"2023-01-31", 1, "2023-02-28"}, {"2024-01-31", 1, "2024-02-29"}, {"2023-01-31", 3, "2023-04-30"},
    {"2023-03-31", -1, "2023-02-28"}, {"2024-02-29", 12, "2025-02-28"}, {"2024-02-29", 48, "2028-02-29"},
    {"2023-12-15", 1, "2024-01-15"}, {"2024-01-15", -1, "2023-12-15"}, {"2023-05-31", 0, "2023-05-31"},
    {"2000-02-29", -1200, "1900-02-28"}, {"2023-10-31", -13, "2022-09-30"}, {"2023-01-01", -25, "2020-12-01"},
    {"1900-01-31", 1, "1900-02-28"}, {"2999-11-30", 1, "2999-12-30"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    assert_int_equal(np_date_add_months(D(cases[i].from), cases[i].n, &d), NP_OK);
    assert_date(d, cases[i].want);
  }
  assert_int_equal(np_date_add_months(D("2999-12-01"), 1, &d), NP_ERR_INVALID);
  assert_int_equal(np_date_add_months(D("1900-01-31"), -1, &d), NP_ERR_INVALID);
  assert_int_equal(np_date_add_months(D("2000-01-01"), INT64_MAX, &d), NP_ERR_INVALID);
  assert_int_equal(np_date_add_months(D("2000-01-01"), INT64_MIN, &d), NP_ERR_INVALID);
}

static void test_quarters_months_weekdays(void **state) {
  assert_int_equal(np_date_quarter(D("2024-01-01")), 1);
  assert_int_equal(np_date_quarter(D("2024-03-31")), 1);
  assert_int_equal(np_date_quarter(D("2024-04-01")), 2);
  assert_int_equal(np_date_quarter(D("2024-09-30")), 3);
  assert_int_equal(np_date_quarter(D("2024-12-31")), 4);
  assert_date(np_date_quarter_start(D("2024-02-29")), "2024-01-01");
  assert_date(np_date_quarter_end(D("2024-02-29")), "2024-03-31");
  assert_date(np_date_quarter_start(D("2024-05-17")), "2024-04-01");
  assert_date(np_date_quarter_end(D("2024-05-17")), "2024-06-30");
  assert_date(np_date_quarter_start(D("2024-09-30")), "2024-07-01");
  assert_date(np_date_quarter_end(D("2024-08-01")), "2024-09-30");
  assert_date(np_date_quarter_start(D("2024-10-01")), "2024-10-01");
  assert_date(np_date_quarter_end(D("2024-11-11")), "2024-12-31");
  assert_date(np_date_month_start(D("2024-02-17")), "2024-02-01");
  assert_date(np_date_month_end(D("2024-02-17")), "2024-02-29");
  assert_date(np_date_month_end(D("1900-02-01")), "1900-02-28");
  assert_int_equal(np_date_weekday(D("1970-01-01")), 4); /* Thursday */
  assert_int_equal(np_date_weekday(D("2024-01-01")), 1); /* Monday */
  assert_int_equal(np_date_weekday(D("2024-06-16")), 7); /* Sunday */
  assert_int_equal(np_date_weekday(D("1900-01-01")), 1); /* Monday */
  assert_int_equal(np_date_weekday(D("1969-12-31")), 3); /* Wednesday */
}

static void test_shanghai_and_timestamps(void **state) {
  char buf[NP_TS_STRLEN];
  assert_int_equal(np_date_format_ts_utc(0, buf, sizeof buf), NP_OK);
  assert_string_equal(buf, "1970-01-01T00:00:00Z");
  assert_int_equal(np_date_format_ts_utc(1709251199, buf, sizeof buf), NP_OK);
  assert_string_equal(buf, "2024-02-29T23:59:59Z");
  assert_int_equal(np_date_format_ts_shanghai(1709251199, buf, sizeof buf), NP_OK);
  assert_string_equal(buf, "2024-03-01 07:59:59");
  assert_int_equal(np_date_format_ts_utc(-1, buf, sizeof buf), NP_OK);
  assert_string_equal(buf, "1969-12-31T23:59:59Z");
  assert_int_equal(np_date_format_ts_utc(INT64_MAX, buf, sizeof buf), NP_ERR_INVALID);
  assert_int_equal(np_date_format_ts_shanghai(INT64_MIN, buf, sizeof buf), NP_ERR_INVALID);
  char small[20];
  assert_int_equal(np_date_format_ts_utc(0, small, sizeof small), NP_ERR_TOO_LARGE);
  /* 16:00 UTC is midnight in Shanghai */
  assert_date(np_date_from_unix_shanghai(1709222399), "2024-02-29"); /* 15:59:59Z */
  assert_date(np_date_from_unix_shanghai(1709222400), "2024-03-01"); /* 16:00:00Z */
  assert_date(np_date_from_unix_shanghai(-28800), "1970-01-01");
  assert_date(np_date_from_unix_shanghai(-28801), "1969-12-31");
  assert_int_equal(np_date_to_unix_utc(D("2024-03-01")), 1709251200);
  /* today does not depend on TZ */
  setenv("TZ", "America/Los_Angeles", 1);
  tzset();
  np_date_t t1 = np_date_today();
  np_date_t want = np_date_from_unix_shanghai((int64_t)time(NULL));
  assert_true(t1.days == want.days || t1.days + 1 == want.days);
  unsetenv("TZ");
  tzset();
  assert_true(t1.days > D("2024-01-01").days);
  /* parse */
  int64_t ts = 0;
  assert_int_equal(np_date_parse_ts_utc(S("2024-02-29T23:59:59Z"), &ts), NP_OK);
  assert_int_equal(ts, 1709251199);
  assert_int_equal(np_date_parse_ts_utc(S("1969-12-31T23:59:59Z"), &ts), NP_OK);
  assert_int_equal(ts, -1);
  const char *bad[] = {"2024-02-29T24:00:00Z", "2024-02-29T23:60:00Z", "2024-02-29T23:59:60Z",
                       "2023-02-29T00:00:00Z", "2024-02-29 23:59:59Z", "2024-02-29T23:59:59",
                       "2024-02-29T23:59:59+08:00", "2024-02-29T3:59:59Z", ""};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    assert_int_equal(np_date_parse_ts_utc(bad[i], strlen(bad[i]), &ts), NP_ERR_INVALID);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_leap_and_month_len), cmocka_unit_test(test_parse_format),
    cmocka_unit_test(test_ymd),                cmocka_unit_test(test_add_days),
    cmocka_unit_test(test_add_months),         cmocka_unit_test(test_quarters_months_weekdays),
    cmocka_unit_test(test_shanghai_and_timestamps),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
