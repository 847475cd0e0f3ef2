#include "testutil.h"
#include <string.h>
#include "core/valid.h"

#define TODAY 20240601

static bool known_region(const char code6[7], void *ctx) {
  static const char *const codes[] = {"110105", "440524", "370102", "370202", "371302", "371702"};
  int *calls = ctx;
  if (calls) (*calls)++;
  for (size_t i = 0; i < sizeof codes / sizeof *codes; i++)
    if (!strcmp(codes[i], code6)) return true;
  return false;
}

static np_err id(const char *s, np_id_info_t *info, np_errdetail_t *err) {
  return np_valid_id_number_on(s, strlen(s), known_region, NULL, TODAY, info, err);
}

static void expect_id_fail(const char *s, const char *code) {
  np_errdetail_t err;
  np_id_info_t info;
  np_errdetail_clear(&err);
  assert_int_equal(id(s, &info, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, code);
  assert_string_equal(err.field, "id_number");
  /* the message never carries the whole number */
  if (strlen(s) >= 6) assert_null(strstr(err.message, s));
}

static void test_id_reference_vectors(void **state) {
  const char *valid[] = {"11010519491231002X", "370102199003070024", "370202198506151230",
                         "371302197512014568", "371702200002290083"};
  for (size_t i = 0; i < sizeof valid / sizeof *valid; i++) {
    np_errdetail_t err;
    np_id_info_t info;
    np_err e = id(valid[i], &info, &err);
    if (e) fail_msg("%s: %s", valid[i], err.code);
    assert_string_equal(info.normalized, valid[i]);
    /* also with the default (real today) and no region callback */
    assert_int_equal(np_valid_id_number(valid[i], 18, NULL, NULL, NULL, NULL), NP_OK);
  }
  /* 440524188001010014 is the standard's own example (born 1880): valid; the floor is 1800 */
  assert_int_equal(np_valid_id_check_char("440524188001010014"), '4');
  assert_int_equal(np_valid_id_number("440524188001010014", 18, NULL, NULL, NULL, NULL), NP_OK);
  expect_id_fail("440524179912310013", "birth_date"); /* 1799: before the floor */
  assert_int_equal(np_valid_id_check_char("11010519491231002X"), 'X');
  expect_id_fail("370102199003070025", "check_char");
  expect_id_fail("11010519491231002Y", "charset");
}

static void test_id_info(void **state) {
  np_id_info_t info;
  np_errdetail_t err;
  assert_int_equal(id("370102199003070024", &info, &err), NP_OK);
  assert_string_equal(info.region, "370102");
  assert_int_equal(info.year, 1990);
  assert_int_equal(info.month, 3);
  assert_int_equal(info.day, 7);
  assert_false(info.male); /* 17th digit 2 */
  assert_int_equal(id("370202198506151230", &info, &err), NP_OK);
  assert_true(info.male); /* 17th digit 3 */
  assert_int_equal(id("11010519491231002X", &info, &err), NP_OK);
  assert_false(info.male);
  assert_int_equal(info.year, 1949);
  assert_int_equal(id("440524188001010014", &info, &err), NP_OK); /* the standard's example, born 1880 */
  assert_int_equal(info.year, 1880);
}

static void test_id_lower_x(void **state) {
  np_id_info_t info;
  assert_int_equal(id("11010519491231002x", &info, NULL), NP_OK);
  assert_string_equal(info.normalized, "11010519491231002X");
  assert_int_equal(info.day, 31);
}

static void test_id_invalid(void **state) {
  expect_id_fail("", "length");
  expect_id_fail("37010219900307002", "length");
  expect_id_fail("3701021990030700244", "length");
  expect_id_fail("37010219900307A024", "charset");
  expect_id_fail("370102199003070024 ", "length");
  /* 1990-02-29 does not exist: build a number with a correct check character */
  char buf[19] = "37010219900229002";
  buf[17] = np_valid_id_check_char(buf);
  buf[18] = '\0';
  expect_id_fail(buf, "birth_date");
  memcpy(buf, "37010219901301002", 17);
  buf[17] = np_valid_id_check_char(buf);
  expect_id_fail(buf, "birth_date");
  memcpy(buf, "37010217991231002", 17); /* before the 1800 floor */
  buf[17] = np_valid_id_check_char(buf);
  expect_id_fail(buf, "birth_date");
  /* 2000-02-29 is fine (leap year), see 371702200002290083 above */
  /* born after "today" */
  memcpy(buf, "37010220240602002", 17);
  buf[17] = np_valid_id_check_char(buf);
  expect_id_fail(buf, "future_birth_date");
  memcpy(buf, "37010220240601002", 17); /* born today: fine */
  buf[17] = np_valid_id_check_char(buf);
  assert_int_equal(id(buf, NULL, NULL), NP_OK);
  /* really in the future relative to the real clock */
  memcpy(buf, "37010221000101002", 17);
  buf[17] = np_valid_id_check_char(buf);
  np_errdetail_t err;
  assert_int_equal(np_valid_id_number(buf, 18, NULL, NULL, NULL, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "future_birth_date");
}

static void test_id_region(void **state) {
  /* 370103 is a real code but not in our callback's list: the callback decides */
  char buf[19] = "37010319900307002";
  buf[17] = np_valid_id_check_char(buf);
  buf[18] = '\0';
  int calls = 0;
  np_errdetail_t err;
  assert_int_equal(np_valid_id_number_on(buf, 18, known_region, &calls, TODAY, NULL, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "region");
  assert_int_equal(calls, 1);
  /* without a callback only the province is checked */
  assert_int_equal(np_valid_id_number_on(buf, 18, NULL, NULL, TODAY, NULL, &err), NP_OK);
  memcpy(buf, "99010319900307002", 17);
  buf[17] = np_valid_id_check_char(buf);
  assert_int_equal(np_valid_id_number_on(buf, 18, NULL, NULL, TODAY, NULL, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "region");
  memcpy(buf, "10010319900307002", 17);
  buf[17] = np_valid_id_check_char(buf);
  assert_int_equal(np_valid_id_number_on(buf, 18, NULL, NULL, TODAY, NULL, &err), NP_ERR_INVALID);
  memcpy(buf, "82010319900307002", 17);
  buf[17] = np_valid_id_check_char(buf);
  assert_int_equal(np_valid_id_number_on(buf, 18, NULL, NULL, TODAY, NULL, &err), NP_OK);
}

static void test_today(void **state) {
  int32_t t = np_valid_today_shanghai();
  assert_true(t >= 20240101 && t <= 29991231);
  assert_true(t % 100 >= 1 && t % 100 <= 31);
}

static void test_uscc_vectors(void **state) {
  const char *valid[] = {"91350100M000100Y43", "9144030071526726XG", "91370100MA3C00011J",
                         "913702001234567886", "52370000MJD000011X", "12370000000000019N"};
  for (size_t i = 0; i < sizeof valid / sizeof *valid; i++) {
    np_uscc_info_t info;
    np_errdetail_t err;
    np_err e = np_valid_uscc(valid[i], 18, 0, &info, &err);
    if (e) fail_msg("%s: %s", valid[i], err.code);
    assert_string_equal(info.normalized, valid[i]);
  }
  /* the made-up ones also pass the inner GB 11714 check */
  for (size_t i = 2; i < sizeof valid / sizeof *valid; i++) {
    np_uscc_info_t info;
    assert_int_equal(np_valid_uscc(valid[i], 18, NP_USCC_REQUIRE_ORG_CODE, &info, NULL), NP_OK);
    assert_true(info.org_code_ok);
  }
  np_uscc_info_t info;
  assert_int_equal(np_valid_uscc("91370100MA3C00011J", 18, 0, &info, NULL), NP_OK);
  assert_string_equal(info.region, "370100");
  assert_int_equal(info.authority, '9');
  assert_int_equal(info.org_type, '1');
  /* lower case accepted and normalised */
  assert_int_equal(np_valid_uscc("91370100ma3c00011j", 18, 0, &info, NULL), NP_OK);
  assert_string_equal(info.normalized, "91370100MA3C00011J");

  np_errdetail_t err;
  assert_int_equal(np_valid_uscc("91350100M000100Y44", 18, 0, NULL, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "check_char");
  assert_int_equal(np_valid_uscc("91350100M000100Y4I", 18, 0, NULL, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "charset");
  assert_int_equal(np_valid_uscc("91350100M000100Y4", 17, 0, NULL, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "length");
  assert_int_equal(np_valid_uscc(NULL, 0, 0, NULL, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "length");
}

static void test_uscc_org_code(void **state) {
  /* Change the organisation-code check (character 17) and recompute the outer check so only
   * the inner check fails. */
  static const char set[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  static const int w[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
  char c[19] = "91370100MA3C00012?";
  int sum = 0;
  for (int i = 0; i < 17; i++) sum += (int)(strchr(set, c[i]) - set) * w[i];
  int cv = (31 - sum % 31) % 31;
  c[17] = set[cv];
  np_uscc_info_t info;
  np_errdetail_t err;
  assert_int_equal(np_valid_uscc(c, 18, 0, &info, &err), NP_OK);
  assert_false(info.org_code_ok);
  assert_int_equal(np_valid_uscc(c, 18, NP_USCC_REQUIRE_ORG_CODE, &info, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "org_code");
  /* the public example 91350100M000100Y43 may or may not pass the inner check; it is reported */
  assert_int_equal(np_valid_uscc("91350100M000100Y43", 18, 0, &info, &err), NP_OK);
}

static void test_mobile(void **state) {
  char out[12];
  np_errdetail_t err;
  assert_int_equal(np_valid_mobile("13812341234", 11, out, &err), NP_OK);
  assert_string_equal(out, "13812341234");
  assert_int_equal(np_valid_mobile("+8613912345678", 14, out, &err), NP_OK);
  assert_string_equal(out, "13912345678");
  assert_int_equal(np_valid_mobile("8619912345678", 13, out, &err), NP_OK);
  assert_string_equal(out, "19912345678");
  assert_int_equal(np_valid_mobile("+86 13912345678", 15, out, &err), NP_OK);
  assert_int_equal(np_valid_mobile("86-13912345678", 14, out, &err), NP_OK);
  assert_string_equal(out, "13912345678");
  assert_int_equal(np_valid_mobile("12812341234", 11, out, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "prefix");
  assert_int_equal(np_valid_mobile("23812341234", 11, out, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "prefix");
  assert_int_equal(np_valid_mobile("1381234123", 10, out, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "length");
  assert_int_equal(np_valid_mobile("138-1234-1234", 13, out, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "charset");
  assert_int_equal(np_valid_mobile("", 0, out, &err), NP_ERR_INVALID);
  assert_int_equal(np_valid_mobile("86", 2, out, &err), NP_ERR_INVALID);
  assert_int_equal(np_valid_mobile("+86", 3, out, &err), NP_ERR_INVALID);
}

static void test_masks(void **state) {
  char out[64];
  assert_int_equal(np_mask_id_number("370102199003071234", 18, out, sizeof out), 18);
  assert_string_equal(out, "370***********1234");
  np_mask_mobile("13812341234", 11, out, sizeof out);
  assert_string_equal(out, "138****1234");
  np_mask_mobile("+8613812341234", 14, out, sizeof out);
  assert_string_equal(out, "138****1234");
  np_mask_bank_account("6222021234567890123", 19, out, sizeof out);
  assert_string_equal(out, "6222***********0123");
  np_mask_bank_account("6222 0212 3456 7890", 19, out, sizeof out);
  assert_string_equal(out, "6222********7890");
  /* too short or odd input: nothing kept */
  np_mask_id_number("1234567", 7, out, sizeof out);
  assert_string_equal(out, "****");
  np_mask_id_number("张三四五六七八九十", strlen("张三四五六七八九十"), out, sizeof out);
  assert_string_equal(out, "****");
  np_mask_id_number(NULL, 0, out, sizeof out);
  assert_string_equal(out, "****");
  /* truncation like snprintf */
  char small[5];
  assert_int_equal(np_mask_id_number("370102199003071234", 18, small, sizeof small), 18);
  assert_string_equal(small, "370*");
  assert_int_equal(np_mask_mobile("13812341234", 11, NULL, 0), 11);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_id_reference_vectors), cmocka_unit_test(test_id_info),
    cmocka_unit_test(test_id_lower_x),           cmocka_unit_test(test_id_invalid),
    cmocka_unit_test(test_id_region),            cmocka_unit_test(test_today),
    cmocka_unit_test(test_uscc_vectors),         cmocka_unit_test(test_uscc_org_code),
    cmocka_unit_test(test_mobile),               cmocka_unit_test(test_masks),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
