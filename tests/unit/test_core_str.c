#include "testutil.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "core/buf.h"
#include "core/str.h"

#define S(lit) (lit), (sizeof(lit) - 1)

static void test_slices(void **state) {
  np_slice_t a = np_slice_from_cstr("Hello");
  assert_int_equal(a.n, 5);
  assert_true(np_slice_eq(a, np_slice_make("Hello", 5)));
  assert_false(np_slice_eq(a, np_slice_make("Hell", 4)));
  assert_true(np_slice_eq_cstr(a, "Hello"));
  assert_false(np_slice_eq_cstr(a, "hello"));
  assert_true(np_slice_case_eq(a, np_slice_from_cstr("hELLO")));
  assert_false(np_slice_case_eq(a, np_slice_from_cstr("hELL0")));
  assert_true(np_slice_starts_with(a, np_slice_from_cstr("He")));
  assert_true(np_slice_starts_with(a, np_slice_from_cstr("")));
  assert_false(np_slice_starts_with(a, np_slice_from_cstr("Hello!")));
  np_slice_t e = np_slice_from_cstr(NULL);
  assert_int_equal(e.n, 0);
  assert_true(np_slice_eq(e, np_slice_make(NULL, 0)));
  np_slice_t t = np_slice_trim(np_slice_from_cstr(" \t\r\n abc d \n"));
  assert_true(np_slice_eq_cstr(t, "abc d"));
  assert_int_equal(np_slice_trim(np_slice_from_cstr("  \t ")).n, 0);
  assert_true(np_slice_eq_cstr(np_slice_trim(np_slice_from_cstr("x")), "x"));
  /* non-ASCII bytes are left alone, including a UTF-8 ideographic space */
  assert_int_equal(np_slice_trim(np_slice_from_cstr("\xe3\x80\x80x")).n, 4);
}

static void test_casecmp(void **state) {
  assert_int_equal(np_str_casecmp("abc", "ABC"), 0);
  assert_true(np_str_casecmp("abc", "abd") < 0);
  assert_true(np_str_casecmp("abd", "ABC") > 0);
  assert_true(np_str_casecmp("ab", "abc") < 0);
  assert_true(np_str_casecmp(NULL, "a") < 0);
  assert_true(np_str_casecmp("a", NULL) > 0);
  assert_int_equal(np_str_casecmp(NULL, NULL), 0);
  assert_true(np_str_casecmp("\xc3\xa9", "\xc3\x89") != 0); /* é vs É: ASCII only */
}

static void test_strlcpy(void **state) {
  char buf[6];
  assert_int_equal(np_strlcpy(buf, "hello", sizeof buf), 5);
  assert_string_equal(buf, "hello");
  assert_int_equal(np_strlcpy(buf, "hello world", sizeof buf), 11);
  assert_string_equal(buf, "hello");
  assert_int_equal(np_strlcpy(buf, "", sizeof buf), 0);
  assert_string_equal(buf, "");
  buf[0] = 'z';
  assert_int_equal(np_strlcpy(buf, "abc", 0), 3);
  assert_int_equal(buf[0], 'z');
  assert_int_equal(np_strlcpy(buf, "abc", 1), 3);
  assert_string_equal(buf, "");
}

static void test_utf8_valid(void **state) {
  assert_true(np_utf8_valid(NULL, 0));
  assert_true(np_utf8_valid(S("plain ascii")));
  assert_true(np_utf8_valid(S("\xe4\xb8\xad\xe6\x96\x87")));          /* 中文 */
  assert_true(np_utf8_valid(S("\xc2\x80")));                          /* U+0080 */
  assert_true(np_utf8_valid(S("\xdf\xbf")));                          /* U+07FF */
  assert_true(np_utf8_valid(S("\xe0\xa0\x80")));                      /* U+0800 */
  assert_true(np_utf8_valid(S("\xed\x9f\xbf")));                      /* U+D7FF */
  assert_true(np_utf8_valid(S("\xee\x80\x80")));                      /* U+E000 */
  assert_true(np_utf8_valid(S("\xef\xbf\xbf")));                      /* U+FFFF */
  assert_true(np_utf8_valid(S("\xf0\x90\x80\x80")));                  /* U+10000 */
  assert_true(np_utf8_valid(S("\xf4\x8f\xbf\xbf")));                  /* U+10FFFF */
  assert_true(np_utf8_valid("a\0b", 3));                              /* NUL is valid UTF-8 */
  assert_false(np_utf8_valid(S("\x80")));                             /* lone continuation */
  assert_false(np_utf8_valid(S("\xc0\xaf")));                         /* overlong '/' */
  assert_false(np_utf8_valid(S("\xc1\xbf")));                         /* overlong */
  assert_false(np_utf8_valid(S("\xe0\x80\xaf")));                     /* overlong 3-byte */
  assert_false(np_utf8_valid(S("\xe0\x9f\xbf")));                     /* overlong U+07FF */
  assert_false(np_utf8_valid(S("\xf0\x8f\xbf\xbf")));                 /* overlong U+FFFF */
  assert_false(np_utf8_valid(S("\xed\xa0\x80")));                     /* U+D800 surrogate */
  assert_false(np_utf8_valid(S("\xed\xbf\xbf")));                     /* U+DFFF surrogate */
  assert_false(np_utf8_valid(S("\xf4\x90\x80\x80")));                 /* U+110000 */
  assert_false(np_utf8_valid(S("\xf5\x80\x80\x80")));
  assert_false(np_utf8_valid(S("\xff")));
  assert_false(np_utf8_valid(S("\xe4\xb8")));                         /* truncated */
  assert_false(np_utf8_valid(S("\xe4\x41\xad")));                     /* bad continuation */
  assert_false(np_utf8_valid(S("ok\xf0\x9f\x98")));                   /* truncated emoji at end */
}

static void test_utf8_count_decode(void **state) {
  assert_int_equal(np_utf8_count(S("")), 0);
  assert_int_equal(np_utf8_count(S("abc")), 3);
  assert_int_equal(np_utf8_count(S("\xe4\xb8\xad\xe6\x96\x87")), 2);
  assert_int_equal(np_utf8_count(S("a\xf0\x9f\x98\x80z")), 3);
  assert_int_equal(np_utf8_count(S("a\xc0\x80")), SIZE_MAX);
  uint32_t cp = 0;
  assert_int_equal(np_utf8_decode(S("\xe4\xb8\xad"), &cp), 3);
  assert_int_equal(cp, 0x4E2D);
  assert_int_equal(np_utf8_decode(S("\xf0\x9f\x98\x80"), &cp), 4);
  assert_int_equal(cp, 0x1F600);
  assert_int_equal(np_utf8_decode(S("A"), &cp), 1);
  assert_int_equal(cp, 'A');
  assert_int_equal(np_utf8_decode("", 0, &cp), 0);
  assert_int_equal(np_utf8_decode(S("\xed\xa0\x80"), &cp), 0);
}

static void test_parse_int64(void **state) {
  int64_t v = 7;
  assert_int_equal(np_parse_int64(S("0"), INT64_MIN, INT64_MAX, &v), NP_OK);
  assert_int_equal(v, 0);
  assert_int_equal(np_parse_int64(S("-42"), -100, 100, &v), NP_OK);
  assert_int_equal(v, -42);
  assert_int_equal(np_parse_int64(S("9223372036854775807"), INT64_MIN, INT64_MAX, &v), NP_OK);
  assert_true(v == INT64_MAX);
  assert_int_equal(np_parse_int64(S("-9223372036854775808"), INT64_MIN, INT64_MAX, &v), NP_OK);
  assert_true(v == INT64_MIN);
  v = 7;
  assert_int_equal(np_parse_int64(S("9223372036854775808"), INT64_MIN, INT64_MAX, &v), NP_ERR_INVALID);
  assert_int_equal(np_parse_int64(S("-9223372036854775809"), INT64_MIN, INT64_MAX, &v), NP_ERR_INVALID);
  assert_int_equal(np_parse_int64(S("99999999999999999999999"), INT64_MIN, INT64_MAX, &v), NP_ERR_INVALID);
  assert_int_equal(v, 7); /* untouched on error */
  const char *bad[] = {"", "-", "+1", " 1", "1 ", "1a", "0x10", "1.0", "1e3", "--1", "\xef\xbc\x91" /* fullwidth 1 */};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    assert_int_equal(np_parse_int64(bad[i], strlen(bad[i]), INT64_MIN, INT64_MAX, &v), NP_ERR_INVALID);
  assert_int_equal(np_parse_int64("12", 1, 0, 100, &v), NP_OK); /* explicit length */
  assert_int_equal(v, 1);
  assert_int_equal(np_parse_int64(S("101"), 0, 100, &v), NP_ERR_INVALID);
  assert_int_equal(np_parse_int64(S("-1"), 0, 100, &v), NP_ERR_INVALID);
  assert_int_equal(np_parse_int64(S("007"), 0, 100, &v), NP_OK);
  assert_int_equal(v, 7);
  assert_int_equal(np_parse_int64(NULL, 0, 0, 1, &v), NP_ERR_INVALID);
}

static void test_hex(void **state) {
  const uint8_t data[] = {0x00, 0x01, 0xab, 0xff};
  char out[9];
  assert_int_equal(np_hex_encode(data, 4, out, sizeof out), 8);
  assert_string_equal(out, "0001abff");
  char small[8];
  assert_int_equal(np_hex_encode(data, 4, small, sizeof small), 8);
  assert_string_equal(small, "");
  assert_int_equal(np_hex_encode(data, 0, out, sizeof out), 0);
  assert_string_equal(out, "");
  uint8_t back[4];
  size_t n = 0;
  assert_int_equal(np_hex_decode(S("0001ABff"), back, sizeof back, &n), NP_OK);
  assert_int_equal(n, 4);
  assert_memory_equal(back, data, 4);
  assert_int_equal(np_hex_decode(S("abc"), back, sizeof back, &n), NP_ERR_INVALID);
  assert_int_equal(np_hex_decode(S("zz"), back, sizeof back, &n), NP_ERR_INVALID);
  assert_int_equal(np_hex_decode(S("0011223344"), back, sizeof back, &n), NP_ERR_TOO_LARGE);
  assert_int_equal(np_hex_decode("", 0, back, sizeof back, &n), NP_OK);
  assert_int_equal(n, 0);
}

static void test_ct_equal(void **state) {
  assert_true(np_str_ct_equal("secret", 6, "secret", 6));
  assert_false(np_str_ct_equal("secret", 6, "secreT", 6));
  assert_false(np_str_ct_equal("secret", 6, "secrets", 7));
  assert_true(np_str_ct_equal("", 0, "", 0));
  assert_false(np_str_ct_equal("a\0b", 3, "a\0c", 3));
}

/* ---- np_buf ---- */

static void test_buf_basic(void **state) {
  np_buf_t b;
  np_buf_init(&b, 0);
  assert_string_equal(np_buf_cstr(&b), "");
  assert_int_equal(np_buf_append_str(&b, "abc"), NP_OK);
  assert_int_equal(np_buf_append_char(&b, '-'), NP_OK);
  assert_int_equal(np_buf_appendf(&b, "%d/%s", 42, "x"), NP_OK);
  assert_string_equal(np_buf_cstr(&b), "abc-42/x");
  assert_int_equal(b.len, 8);
  /* appendf longer than the internal scratch buffer */
  char big[1000];
  memset(big, 'q', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  assert_int_equal(np_buf_appendf(&b, "[%s]", big), NP_OK);
  assert_int_equal(b.len, 8 + 1001);
  assert_int_equal(b.data[b.len - 1], ']');
  np_buf_truncate(&b, 3);
  assert_string_equal(np_buf_cstr(&b), "abc");
  np_buf_reset(&b);
  assert_string_equal(np_buf_cstr(&b), "");
  for (int i = 0; i < 10000; i++) assert_int_equal(np_buf_append(&b, "0123456789", 10), NP_OK);
  assert_int_equal(b.len, 100000);
  size_t len = 0;
  char *s = np_buf_steal(&b, &len);
  assert_int_equal(len, 100000);
  assert_int_equal(strlen(s), 100000);
  free(s);
  assert_null(b.data);
  s = np_buf_steal(&b, &len); /* empty steal gives "" */
  assert_string_equal(s, "");
  free(s);
  np_buf_free(&b);
  np_buf_free(&b); /* idempotent */
}

static void test_buf_max(void **state) {
  np_buf_t b;
  np_buf_init(&b, 10);
  assert_int_equal(np_buf_append_str(&b, "0123456789"), NP_OK);
  assert_int_equal(np_buf_append_char(&b, 'x'), NP_ERR_TOO_LARGE);
  assert_string_equal(np_buf_cstr(&b), "0123456789"); /* unchanged */
  np_buf_reset(&b);
  assert_int_equal(np_buf_appendf(&b, "%s", "01234567890"), NP_ERR_TOO_LARGE);
  assert_int_equal(b.len, 0);
  assert_int_equal(np_buf_reserve(&b, SIZE_MAX), NP_ERR_TOO_LARGE);
  assert_int_equal(np_buf_append_str(&b, "abc"), NP_OK);
  assert_int_equal(np_buf_reserve(&b, SIZE_MAX - 2), NP_ERR_TOO_LARGE); /* len + extra overflows */
  assert_int_equal(np_buf_reserve(&b, 7), NP_OK);
  np_buf_reset(&b);
  assert_int_equal(np_buf_reserve(&b, 11), NP_ERR_TOO_LARGE);
  assert_int_equal(np_buf_append_json_string(&b, "0123456789", 10), NP_ERR_TOO_LARGE);
  assert_int_equal(b.len, 0);
  np_buf_free(&b);
}

static void test_buf_json_escape(void **state) {
  np_buf_t b;
  np_buf_init(&b, 0);
  assert_int_equal(np_buf_append_json_string(&b, S("a\"b\\c\n\r\t\b\f\x01\x1f\x7f/")), NP_OK);
  assert_string_equal(np_buf_cstr(&b), "\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\\u001f\\u007f/\"");
  np_buf_reset(&b);
  assert_int_equal(np_buf_append_json_escaped(&b, S("\xe4\xb8\xad\xe2\x80\xa8x\xe2\x80\xa9")), NP_OK);
  assert_string_equal(np_buf_cstr(&b), "\xe4\xb8\xad\\u2028x\\u2029");
  np_buf_reset(&b);
  assert_int_equal(np_buf_append_json_escaped(&b, "a\0b", 3), NP_OK);
  assert_string_equal(np_buf_cstr(&b), "a\\u0000b");
  np_buf_reset(&b);
  assert_int_equal(np_buf_append_str(&b, "keep"), NP_OK);
  assert_int_equal(np_buf_append_json_string(&b, S("bad\xc0\xaf")), NP_ERR_ENCODING);
  assert_string_equal(np_buf_cstr(&b), "keep");
  assert_int_equal(np_buf_append_json_escaped(&b, "", 0), NP_OK);
  np_buf_free(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_slices),         cmocka_unit_test(test_casecmp),
    cmocka_unit_test(test_strlcpy),        cmocka_unit_test(test_utf8_valid),
    cmocka_unit_test(test_utf8_count_decode), cmocka_unit_test(test_parse_int64),
    cmocka_unit_test(test_hex),            cmocka_unit_test(test_ct_equal),
    cmocka_unit_test(test_buf_basic),      cmocka_unit_test(test_buf_max),
    cmocka_unit_test(test_buf_json_escape),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
