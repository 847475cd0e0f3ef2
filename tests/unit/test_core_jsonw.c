/* Streaming JSON writer: exact output, escapes, micro-degree numbers, sticky errors, and agreement
 * with jansson on random strings (what the writer writes, jansson reads back unchanged). */
#include "testutil.h"
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include "core/buf.h"
#include "core/jsonw.h"

static void test_shapes(void **state) {
  (void)state;
  np_buf_t b;
  np_jw_t w;
  np_buf_init(&b, 0);
  np_jw_init(&w, &b);
  np_jw_obj(&w);
  np_jw_kstr(&w, "a", "x");
  np_jw_kint(&w, "n", -9223372036854775807LL - 1);
  np_jw_kint(&w, "z", 0);
  np_jw_kbool(&w, "t", true);
  np_jw_knull(&w, "u");
  np_jw_kstr_or_null(&w, "e", "");
  np_jw_key(&w, "l");
  np_jw_arr(&w);
  np_jw_int(&w, 1);
  np_jw_obj(&w);
  np_jw_obj_end(&w);
  np_jw_arr(&w);
  np_jw_arr_end(&w);
  np_jw_str(&w, NULL);
  np_jw_arr_end(&w);
  np_jw_key(&w, "r");
  np_jw_raw(&w, "{\"k\":1}", 7);
  np_jw_obj_end(&w);
  assert_int_equal(np_jw_finish(&w), NP_OK);
  assert_string_equal(b.data, "{\"a\":\"x\",\"n\":-9223372036854775808,\"z\":0,\"t\":true,\"u\":null,\"e\":null,"
                              "\"l\":[1,{},[],null],\"r\":{\"k\":1}}");
  np_buf_free(&b);
}

static void test_e6(void **state) {
  (void)state;
  static const struct {
    int64_t v;
    const char *want;
  } cases[] = {{36651234, "36.651234"}, {36650000, "36.65"}, {36000000, "36"}, {0, "0"}, {-500000, "-0.5"},
               {120000001, "120.000001"}, {-117123456, "-117.123456"}, {10, "0.00001"}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    np_buf_t b;
    np_jw_t w;
    np_buf_init(&b, 0);
    np_jw_init(&w, &b);
    np_jw_e6(&w, cases[i].v);
    assert_int_equal(np_jw_finish(&w), NP_OK);
    assert_string_equal(b.data, cases[i].want);
    np_buf_free(&b);
  }
}

static void test_errors(void **state) {
  (void)state;
  np_buf_t b;
  np_jw_t w;
  np_buf_init(&b, 0);
  np_jw_init(&w, &b);
  np_jw_obj(&w);
  assert_int_not_equal(np_jw_finish(&w), NP_OK); /* not closed */
  np_jw_key(&w, "k");
  np_jw_obj_end(&w); /* a key without a value */
  assert_int_not_equal(np_jw_finish(&w), NP_OK);
  np_buf_free(&b);
  np_buf_init(&b, 0);
  np_jw_init(&w, &b);
  np_jw_str(&w, "bad \xC3\x28 utf-8");
  assert_int_equal(np_jw_finish(&w), NP_ERR_ENCODING);
  np_buf_free(&b);
  np_buf_init(&b, 0);
  np_jw_init(&w, &b);
  np_jw_arr_end(&w); /* nothing open */
  assert_int_not_equal(np_jw_finish(&w), NP_OK);
  np_buf_free(&b);
}

/* random strings of ASCII, controls, quotes, CJK and U+2028: written by the writer, read by jansson */
static void test_roundtrip(void **state) {
  (void)state;
  static const char *const pieces[] = {"a", "\"", "\\", "\n", "\x01", "\x7f", "青岛", "\xE2\x80\xA8", "\xE2\x80\x94", " ", "/"};
  unsigned seed = 12345;
  for (int iter = 0; iter < 2000; iter++) {
    char s[256] = "";
    size_t len = 0;
    int k = (int)((seed = seed * 1103515245u + 12345u) >> 16) % 24;
    for (int j = 0; j < k; j++) {
      const char *p = pieces[((seed = seed * 1103515245u + 12345u) >> 16) % (sizeof pieces / sizeof pieces[0])];
      size_t n = strlen(p);
      if (len + n >= sizeof s) break;
      memcpy(s + len, p, n);
      len += n;
      s[len] = '\0';
    }
    np_buf_t b;
    np_jw_t w;
    np_buf_init(&b, 0);
    np_jw_init(&w, &b);
    np_jw_obj(&w);
    np_jw_kstr(&w, "s", s);
    np_jw_obj_end(&w);
    assert_int_equal(np_jw_finish(&w), NP_OK);
    json_error_t je;
    json_t *o = json_loadb(b.data, b.len, 0, &je);
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "s")), s);
    for (size_t i = 0; i < b.len; i++) assert_true((unsigned char)b.data[i] >= 0x20); /* no raw controls */
    json_decref(o);
    np_buf_free(&b);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_shapes),
    cmocka_unit_test(test_e6),
    cmocka_unit_test(test_errors),
    cmocka_unit_test(test_roundtrip),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
