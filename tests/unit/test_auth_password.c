/* Password policy, argon2id hashing, generated passwords. */
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "auth/password.h"

static void expect_weak(const char *user, const char *pw) {
  np_errdetail_t d;
  np_errdetail_clear(&d);
  np_err e = np_password_check_policy(user, pw, &d);
  if (e != NP_ERR_INVALID) fail_msg("'%s' should be refused", pw);
  assert_string_equal(d.code, "weak_password");
  assert_string_equal(d.field, "new");
  assert_true(strlen(d.message) > 0);
}

static void test_policy(void **state) {
  (void)state;
  expect_weak("bob", "short1A!");             /* length */
  expect_weak("bob", "Abc1!xyz9");            /* 9 characters */
  expect_weak("bob", "alllowercaseletters");  /* one class */
  expect_weak("bob", "lowercase123456");      /* two classes */
  expect_weak("seek3", "seek3Seek3#99");      /* contains the username */
  expect_weak("Jinan.Staff", "xxJINAN.STAFFx9#"); /* case-insensitive */
  expect_weak("bob", "Aa123456789");          /* common (Chinese favourite) */
  expect_weak("bob", "1qaz2wsx3EDC");         /* common, case-insensitive */
  expect_weak("bob", "P@ssw0rd123");
  expect_weak("bob", "Woaini1314520");
  expect_weak("bob", "Tab\there12345");       /* control character */
  expect_weak("bob", NULL);
  char longpw[300];
  memset(longpw, 'a', sizeof longpw - 1);
  longpw[0] = 'A', longpw[1] = '1', longpw[sizeof longpw - 1] = '\0';
  expect_weak("bob", longpw);
  assert_int_equal(np_password_check_policy("bob", "Kx9#mQ2vLp7w", NULL), NP_OK);
  assert_int_equal(np_password_check_policy("bob", "correcthorse7BATTERY", NULL), NP_OK); /* 3 classes */
  assert_int_equal(np_password_check_policy("bob", "Shandong@2023", NULL), NP_OK);
  assert_int_equal(np_password_check_policy("ab", "abAbcdef12345", NULL), NP_OK); /* short names not searched */
  assert_int_equal(np_password_check_policy("bob", "密码很长的中文口令Ab1", NULL), NP_OK); /* 12 code points */
  expect_weak("bob", "中文口令Ab1");                                                  /* 7 code points */
  assert_true(np_password_common_count() >= 300);
  assert_true(np_password_is_common("1QAZ2WSX"));
  assert_true(np_password_is_common("woaini1314"));
  assert_false(np_password_is_common("Kx9#mQ2vLp7w"));
}

static void test_hash_verify(void **state) {
  (void)state;
  char h[NP_PASSWORD_HASH_CAP], h2[NP_PASSWORD_HASH_CAP];
  assert_int_equal(np_password_hash("Kx9#mQ2vLp7w", h), NP_OK);
  assert_non_null(strstr(h, "$argon2id$"));
  assert_true(np_password_verify(h, "Kx9#mQ2vLp7w"));
  assert_false(np_password_verify(h, "Kx9#mQ2vLp7W"));
  assert_false(np_password_verify("garbage", "Kx9#mQ2vLp7w"));
  assert_int_equal(np_password_hash("Kx9#mQ2vLp7w", h2), NP_OK);
  assert_string_not_equal(h, h2); /* salted */
  np_password_verify_dummy("whatever");
  np_password_verify_dummy(NULL);
  /* warm-up makes the dummy hash ahead of the first unknown-user sign-in; idempotent */
  assert_int_equal(np_password_warm_up(), NP_OK);
  assert_int_equal(np_password_warm_up(), NP_OK);
}

static void test_generate(void **state) {
  (void)state;
  for (int i = 0; i < 50; i++) {
    char pw[NP_PASSWORD_GENERATED_LEN + 1];
    assert_int_equal(np_password_generate(pw, sizeof pw), NP_OK);
    assert_int_equal(strlen(pw), NP_PASSWORD_GENERATED_LEN);
    assert_int_equal(np_password_check_policy("someone", pw, NULL), NP_OK);
    np_password_wipe(pw);
    assert_int_equal(pw[0], 0);
  }
  char small[4];
  assert_int_not_equal(np_password_generate(small, sizeof small), NP_OK);
}

int main(void) {
  setenv("NP_ARGON2_FAST", "1", 1);
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_policy),
    cmocka_unit_test(test_hash_verify),
    cmocka_unit_test(test_generate),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
