/* TOTP (RFC 6238 vectors), base32, URIs, recovery codes, QR SVG. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "auth/totp.h"

static const uint8_t rfc_key[] = "12345678901234567890";

static void test_rfc6238_vectors(void **state) {
  (void)state;
  const size_t kl = 20;
  /* RFC 6238 appendix B, SHA1 */
  assert_int_equal(np_totp_at(rfc_key, kl, 59, 8), 94287082u);
  assert_int_equal(np_totp_at(rfc_key, kl, 1111111109, 8), 7081804u);
  assert_int_equal(np_totp_at(rfc_key, kl, 1111111111, 8), 14050471u);
  assert_int_equal(np_totp_at(rfc_key, kl, 1234567890, 8), 89005924u);
  assert_int_equal(np_totp_at(rfc_key, kl, 2000000000, 8), 69279037u);
  assert_int_equal(np_totp_at(rfc_key, kl, 20000000000LL, 8), 65353130u);
  assert_int_equal(np_totp_at(rfc_key, kl, 59, 6), 287082u);
  /* RFC 4226 appendix D */
  assert_int_equal(np_hotp(rfc_key, kl, 0, 6), 755224u);
  assert_int_equal(np_hotp(rfc_key, kl, 9, 6), 520489u);
}

static void test_check_window_and_reuse(void **state) {
  (void)state;
  const size_t kl = 20;
  int64_t step = 0;
  assert_true(np_totp_check(rfc_key, kl, "287082", 59, 0, &step));
  assert_int_equal(step, 1);
  assert_false(np_totp_check(rfc_key, kl, "287082", 59, step, &step)); /* used once */
  /* one step of drift either way */
  char code[8];
  snprintf(code, sizeof code, "%06u", np_totp_at(rfc_key, kl, 1000 - 30, 6));
  assert_true(np_totp_check(rfc_key, kl, code, 1000, 0, NULL));
  snprintf(code, sizeof code, "%06u", np_totp_at(rfc_key, kl, 1000 + 30, 6));
  assert_true(np_totp_check(rfc_key, kl, code, 1000, 0, NULL));
  snprintf(code, sizeof code, "%06u", np_totp_at(rfc_key, kl, 1000 + 90, 6));
  assert_false(np_totp_check(rfc_key, kl, code, 1000, 0, NULL));
  /* an older code after a newer one was used is refused too */
  snprintf(code, sizeof code, "%06u", np_totp_at(rfc_key, kl, 1000 - 30, 6));
  assert_false(np_totp_check(rfc_key, kl, code, 1000, 1000 / 30, NULL));
  assert_false(np_totp_check(rfc_key, kl, "28708", 59, 0, NULL));
  assert_false(np_totp_check(rfc_key, kl, "28708x", 59, 0, NULL));
  assert_false(np_totp_check(rfc_key, kl, NULL, 59, 0, NULL));
}

static void test_base32(void **state) {
  (void)state;
  char out[64];
  assert_int_equal(np_base32_encode((const uint8_t *)"foobar", 6, out, sizeof out), 10);
  assert_string_equal(out, "MZXW6YTBOI");
  uint8_t raw[32];
  size_t n = 0;
  assert_int_equal(np_base32_decode("mzxw6ytboi", raw, sizeof raw, &n), NP_OK);
  assert_int_equal(n, 6);
  assert_memory_equal(raw, "foobar", 6);
  assert_int_equal(np_base32_decode("MZXW 6YTB OI==", raw, sizeof raw, &n), NP_OK);
  assert_int_equal(np_base32_decode("MZXW1", raw, sizeof raw, &n), NP_ERR_INVALID);
  assert_int_equal(np_base32_decode("MZXW6YTBOI", raw, 2, &n), NP_ERR_TOO_LARGE);
  char secret[NP_TOTP_SECRET_B32];
  assert_int_equal(np_totp_new_secret(secret), NP_OK);
  assert_int_equal(strlen(secret), 32);
  assert_int_equal(np_base32_decode(secret, raw, sizeof raw, &n), NP_OK);
  assert_int_equal(n, 20);
}

static void test_uri_and_qr(void **state) {
  (void)state;
  char uri[512];
  np_totp_uri("county.lixia", "JBSWY3DPEHPK3PXP", uri, sizeof uri);
  assert_string_equal(uri, "otpauth://totp/nineplus:county.lixia?secret=JBSWY3DPEHPK3PXP&issuer=nineplus"
                           "&algorithm=SHA1&digits=6&period=30");
  np_totp_uri("a b@c", "X", uri, sizeof uri);
  assert_non_null(strstr(uri, "nineplus:a%20b%40c?"));
  char *svg = np_totp_qr_svg("otpauth://totp/nineplus:county.lixia?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=nineplus");
  assert_non_null(svg);
  assert_true(strncmp(svg, "<svg ", 5) == 0);
  assert_non_null(strstr(svg, "</svg>"));
  free(svg);
}

static void test_recovery_codes(void **state) {
  (void)state;
  char codes[NP_RECOVERY_CODES][NP_RECOVERY_CODE_LEN];
  assert_int_equal(np_recovery_codes_new(codes), NP_OK);
  for (int i = 0; i < NP_RECOVERY_CODES; i++) {
    assert_int_equal(strlen(codes[i]), 9);
    assert_int_equal(codes[i][4], '-');
    char norm[NP_RECOVERY_CODE_LEN];
    assert_true(np_recovery_code_normalize(codes[i], norm));
    assert_string_equal(norm, codes[i]);
  }
  char norm[NP_RECOVERY_CODE_LEN];
  assert_true(np_recovery_code_normalize("ABCD EFGH", norm));
  assert_string_equal(norm, "abcd-efgh");
  assert_false(np_recovery_code_normalize("abcd-efg", norm));
  assert_false(np_recovery_code_normalize("abcd-efghj", norm));
  assert_false(np_recovery_code_normalize("abc0-efgh", norm)); /* 0 is not in the alphabet */
  assert_true(np_totp_looks_like_code("012345"));
  assert_false(np_totp_looks_like_code("abcd-efgh"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_rfc6238_vectors), cmocka_unit_test(test_check_window_and_reuse),
    cmocka_unit_test(test_base32),          cmocka_unit_test(test_uri_and_qr),
    cmocka_unit_test(test_recovery_codes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
