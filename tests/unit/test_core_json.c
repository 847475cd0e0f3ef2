#include "testutil.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "core/json.h"
#include "core/str.h"

#define S(lit) (lit), (sizeof(lit) - 1)

static json_t *P(const char *text) {
  json_t *v = NULL;
  np_errdetail_t err;
  np_errdetail_clear(&err);
  np_err e = np_json_parse(text, strlen(text), NULL, &v, &err);
  if (e) fail_msg("parse failed: %s %s", err.code, err.message);
  return v;
}

static np_err parse_err(const char *text, size_t len, const np_json_limits_t *lim, np_errdetail_t *err) {
  json_t *v = (json_t *)1;
  np_errdetail_clear(err);
  np_err e = np_json_parse(text, len, lim, &v, err);
  if (e) assert_null(v);
  json_decref(v);
  return e;
}

static char *nested(int depth, char open, char close) {
  char *s = malloc((size_t)depth * 2 + 1);
  assert_non_null(s);
  memset(s, open, (size_t)depth);
  memset(s + depth, close, (size_t)depth);
  s[depth * 2] = '\0';
  return s;
}

static void test_parse_ok(void **state) {
  json_t *v = P("{\"a\":1,\"b\":[true,null,\"x\"],\"c\":{\"d\":\"\xe4\xb8\xad\"}}");
  assert_true(json_is_object(v));
  json_decref(v);
  v = P("  [1, 2]\n");
  assert_true(json_is_array(v));
  json_decref(v);
  /* explicit length: the trailing garbage is outside */
  np_errdetail_t err;
  assert_int_equal(np_json_parse("{}xxx", 2, NULL, &v, &err), NP_OK);
  json_decref(v);
}

static void test_parse_errors(void **state) {
  np_errdetail_t err;
  assert_int_equal(parse_err(S("{\"a\":1,}"), NULL, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "invalid_json");
  assert_non_null(strstr(err.message, "line 1"));
  assert_non_null(strstr(err.message, "column"));
  assert_int_equal(parse_err(S("{\n\"a\":\n  tru}"), NULL, &err), NP_ERR_INVALID);
  assert_non_null(strstr(err.message, "line 3"));
  assert_int_equal(parse_err("", 0, NULL, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "invalid_json");
  assert_int_equal(parse_err(NULL, 0, NULL, &err), NP_ERR_INVALID);
  assert_int_equal(parse_err(S("{} {}"), NULL, &err), NP_ERR_INVALID);
  assert_int_equal(parse_err(S("{\"a\":1e99999}"), NULL, &err), NP_ERR_INVALID);
  assert_int_equal(parse_err(S("{\"a\":99999999999999999999}"), NULL, &err), NP_ERR_INVALID);
  assert_non_null(strstr(err.message, "out of range"));
  assert_int_equal(parse_err(S("{\"a\":NaN}"), NULL, &err), NP_ERR_INVALID);
  /* messages never echo the input */
  assert_int_equal(parse_err(S("{\"id\":370102199001011234x}"), NULL, &err), NP_ERR_INVALID);
  assert_null(strstr(err.message, "3701"));
  /* duplicates, also nested */
  assert_int_equal(parse_err(S("{\"a\":1,\"a\":2}"), NULL, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "duplicate_key");
  assert_int_equal(parse_err(S("[{\"x\":{\"k\":1,\"k\":1}}]"), NULL, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "duplicate_key");
  /* NUL characters */
  assert_int_equal(parse_err(S("{\"a\":\"x\\u0000y\"}"), NULL, &err), NP_ERR_INVALID);
  assert_int_equal(parse_err("{\"a\":\"x\0y\"}", 11, NULL, &err), NP_ERR_INVALID);
  /* invalid UTF-8 in strings and keys, lone surrogate escapes */
  assert_int_equal(parse_err(S("{\"a\":\"\xc0\xaf\"}"), NULL, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "invalid_json");
  assert_non_null(strstr(err.message, "UTF-8"));
  assert_int_equal(parse_err(S("{\"\xed\xa0\x80\":1}"), NULL, &err), NP_ERR_INVALID);
  assert_int_equal(parse_err(S("{\"a\":\"\xf4\x90\x80\x80\"}"), NULL, &err), NP_ERR_INVALID);
  assert_int_equal(parse_err(S("{\"a\":\"\\ud800\"}"), NULL, &err), NP_ERR_INVALID);
}

static void test_limits(void **state) {
  np_errdetail_t err;
  np_json_limits_t lim = {.max_bytes = 10};
  assert_int_equal(parse_err(S("{\"a\":12345}"), &lim, &err), NP_ERR_TOO_LARGE);
  assert_string_equal(err.code, "too_large");
  assert_int_equal(parse_err(S("{\"a\":1234}"), &lim, &err), NP_OK);
  /* depth: 32 is the default and allowed; 33 is rejected */
  char *s = nested(32, '[', ']');
  assert_int_equal(parse_err(s, strlen(s), NULL, &err), NP_OK);
  free(s);
  s = nested(33, '[', ']');
  assert_int_equal(parse_err(s, strlen(s), NULL, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "too_deep");
  assert_non_null(strstr(err.message, "column 33"));
  free(s);
  /* mixed objects and arrays */
  np_buf_t b;
  np_buf_init(&b, 0);
  for (int i = 0; i < 33; i++) np_buf_append_str(&b, i % 2 ? "[" : "{\"k\":");
  np_buf_append_str(&b, "1");
  for (int i = 32; i >= 0; i--) np_buf_append_str(&b, i % 2 ? "]" : "}");
  assert_int_equal(parse_err(b.data, b.len, NULL, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "too_deep");
  np_buf_free(&b);
  /* brackets inside strings (with escaped quotes) do not count */
  const char *str = "{\"a\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\"[[[[\"}";
  lim = (np_json_limits_t){.max_depth = 2};
  assert_int_equal(parse_err(str, strlen(str), &lim, &err), NP_OK);
  assert_int_equal(parse_err(S("[[[]]]"), &lim, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "too_deep");
  assert_int_equal(parse_err(S("[[],[]]"), &lim, &err), NP_OK);
  /* far beyond jansson's own limit, with a caller limit above it */
  s = nested(5000, '[', ']');
  lim = (np_json_limits_t){.max_depth = 10000};
  assert_int_equal(parse_err(s, strlen(s), &lim, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "too_deep");
  free(s);
  /* top-level type */
  lim = (np_json_limits_t){.top = NP_JSON_TOP_OBJECT};
  assert_int_equal(parse_err(S("[1]"), &lim, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "invalid_json");
  assert_int_equal(parse_err(S("{}"), &lim, &err), NP_OK);
  lim.top = NP_JSON_TOP_ARRAY;
  assert_int_equal(parse_err(S("{}"), &lim, &err), NP_ERR_INVALID);
  assert_int_equal(parse_err(S("[]"), &lim, &err), NP_OK);
  lim.top = NP_JSON_TOP_ANY;
  assert_int_equal(parse_err(S("1"), &lim, &err), NP_ERR_INVALID);
  assert_int_equal(parse_err(S("\"x\""), &lim, &err), NP_ERR_INVALID);
}

static void test_get_str(void **state) {
  json_t *o = P("{\"name\":\"\xe5\xbc\xa0\xe4\xb8\x89\",\"empty\":\"\",\"nul\":null,\"num\":5,"
                "\"nl\":\"a\\nb\",\"tab\":\"a\\tb\",\"bell\":\"a\\u0007\",\"del\":\"a\\u007f\",\"c1\":\"a\\u0085\"}");
  np_errdetail_t err;
  const char *s = NULL;
  np_json_presence p;
  assert_int_equal(np_json_get_str(o, "name", NP_JSON_REQUIRED, 1, 2, &s, &p, &err), NP_OK);
  assert_string_equal(s, "\xe5\xbc\xa0\xe4\xb8\x89");
  assert_int_equal(p, NP_JSON_PRESENT);
  /* lengths count code points, not bytes */
  assert_int_equal(np_json_get_str(o, "name", true, 3, 10, &s, NULL, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "length");
  assert_string_equal(err.field, "name");
  assert_int_equal(np_json_get_str(o, "name", true, 0, 1, &s, NULL, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "length");
  assert_int_equal(np_json_get_str(o, "empty", true, 0, 0, &s, NULL, &err), NP_OK);
  assert_string_equal(s, "");
  assert_int_equal(np_json_get_str(o, "empty", true, 1, 0, &s, NULL, &err), NP_ERR_INVALID);
  /* absent vs null */
  s = "untouched";
  assert_int_equal(np_json_get_str(o, "missing", 0, 0, 10, &s, &p, &err), NP_OK);
  assert_int_equal(p, NP_JSON_ABSENT);
  assert_string_equal(s, "untouched");
  assert_int_equal(np_json_get_str(o, "nul", 0, 0, 10, &s, &p, &err), NP_OK);
  assert_int_equal(p, NP_JSON_NULL);
  assert_string_equal(s, "untouched");
  assert_int_equal(np_json_get_str(o, "missing", NP_JSON_REQUIRED, 0, 10, &s, &p, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "required");
  assert_string_equal(err.field, "missing");
  assert_int_equal(np_json_get_str(o, "nul", NP_JSON_REQUIRED, 0, 10, &s, NULL, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "required");
  assert_int_equal(np_json_presence_of(o, "nul"), NP_JSON_NULL);
  assert_int_equal(np_json_presence_of(o, "num"), NP_JSON_PRESENT);
  assert_int_equal(np_json_presence_of(o, "zzz"), NP_JSON_ABSENT);
  assert_int_equal(np_json_presence_of(NULL, "zzz"), NP_JSON_ABSENT);
  /* type and control characters */
  assert_int_equal(np_json_get_str(o, "num", 0, 0, 10, &s, NULL, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "type");
  assert_string_equal(err.field, "num");
  assert_int_equal(np_json_get_str(o, "nl", 0, 0, 10, &s, NULL, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "format");
  assert_int_equal(np_json_get_str(o, "nl", NP_JSON_ALLOW_NEWLINES, 0, 10, &s, NULL, &err), NP_OK);
  assert_string_equal(s, "a\nb");
  assert_int_equal(np_json_get_str(o, "tab", NP_JSON_ALLOW_NEWLINES, 0, 10, &s, NULL, &err), NP_OK);
  const char *ctl[] = {"bell", "del", "c1"};
  for (size_t i = 0; i < 3; i++) {
    assert_int_equal(np_json_get_str(o, ctl[i], NP_JSON_ALLOW_NEWLINES, 0, 10, &s, NULL, &err), NP_ERR_INVALID);
    assert_string_equal(err.code, "format");
  }
  /* not an object */
  json_t *arr = P("[1]");
  assert_int_equal(np_json_get_str(arr, "x", NP_JSON_REQUIRED, 0, 10, &s, NULL, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "required");
  json_decref(arr);
  json_decref(o);
}

static void test_get_int_bool(void **state) {
  json_t *o = P("{\"n\":42,\"neg\":-7,\"real\":1.0,\"exp\":1e2,\"str\":\"42\",\"t\":true,\"f\":false,"
                "\"big\":9223372036854775807,\"small\":-9223372036854775808,\"zero\":0,\"nul\":null}");
  np_errdetail_t err;
  int64_t v = 99;
  np_json_presence p;
  assert_int_equal(np_json_get_int(o, "n", true, 0, 100, &v, &p, &err), NP_OK);
  assert_int_equal(v, 42);
  assert_int_equal(p, NP_JSON_PRESENT);
  assert_int_equal(np_json_get_int(o, "neg", true, -10, 10, &v, NULL, &err), NP_OK);
  assert_int_equal(v, -7);
  assert_int_equal(np_json_get_int(o, "n", true, 0, 41, &v, NULL, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "range");
  assert_string_equal(err.field, "n");
  assert_int_equal(np_json_get_int(o, "neg", true, 0, 41, &v, NULL, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "range");
  v = 99;
  const char *not_int[] = {"real", "exp", "str", "t"};
  for (size_t i = 0; i < 4; i++) {
    assert_int_equal(np_json_get_int(o, not_int[i], true, INT64_MIN, INT64_MAX, &v, NULL, &err), NP_ERR_INVALID);
    assert_string_equal(err.code, "type");
  }
  assert_int_equal(v, 99);
  assert_int_equal(np_json_get_int(o, "big", true, INT64_MIN, INT64_MAX, &v, NULL, &err), NP_OK);
  assert_true(v == INT64_MAX);
  assert_int_equal(np_json_get_int(o, "small", true, INT64_MIN, INT64_MAX, &v, NULL, &err), NP_OK);
  assert_true(v == INT64_MIN);
  assert_int_equal(np_json_get_int(o, "big", true, 0, 1000000, &v, NULL, &err), NP_ERR_INVALID);
  assert_int_equal(np_json_get_int(o, "missing", 0, 0, 1, &v, &p, &err), NP_OK);
  assert_int_equal(p, NP_JSON_ABSENT);
  assert_int_equal(np_json_get_int(o, "nul", true, 0, 1, &v, &p, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "required");
  bool b = false;
  assert_int_equal(np_json_get_bool(o, "t", true, &b, NULL, &err), NP_OK);
  assert_true(b);
  assert_int_equal(np_json_get_bool(o, "f", true, &b, NULL, &err), NP_OK);
  assert_false(b);
  assert_int_equal(np_json_get_bool(o, "zero", true, &b, NULL, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "type");
  assert_int_equal(np_json_get_bool(o, "str", true, &b, NULL, &err), NP_ERR_INVALID);
  assert_int_equal(np_json_get_bool(o, "nope", true, &b, &p, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "required");
  assert_int_equal(np_json_get_bool(o, "nul", 0, &b, &p, &err), NP_OK);
  assert_int_equal(p, NP_JSON_NULL);
  json_decref(o);
}

static void test_get_money_date(void **state) {
  json_t *o = P("{\"i\":123456,\"s\":\"1234.56\",\"s1\":\"-0.5\",\"r\":12.5,\"bad\":\"1,234\",\"b3\":\"1.234\","
                "\"d\":\"2024-02-29\",\"d2\":\"2023-02-29\",\"dn\":20240229,\"neg\":-1}");
  np_errdetail_t err;
  int64_t v = 0;
  assert_int_equal(np_json_get_money(o, "i", true, 0, INT64_MAX, &v, NULL, &err), NP_OK);
  assert_int_equal(v, 123456);
  assert_int_equal(np_json_get_money(o, "s", true, 0, INT64_MAX, &v, NULL, &err), NP_OK);
  assert_int_equal(v, 123456);
  assert_int_equal(np_json_get_money(o, "s1", true, -100, 100, &v, NULL, &err), NP_OK);
  assert_int_equal(v, -50);
  assert_int_equal(np_json_get_money(o, "r", true, 0, INT64_MAX, &v, NULL, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "type");
  assert_int_equal(np_json_get_money(o, "bad", true, 0, INT64_MAX, &v, NULL, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "format");
  assert_string_equal(err.field, "bad");
  assert_int_equal(np_json_get_money(o, "b3", true, 0, INT64_MAX, &v, NULL, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "format");
  assert_int_equal(np_json_get_money(o, "neg", true, 0, INT64_MAX, &v, NULL, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "range");
  assert_non_null(strstr(err.message, "0.00"));
  json_t *m = P("{\"min\":-9223372036854775808}");
  assert_int_equal(np_json_get_money(m, "min", true, INT64_MIN, INT64_MAX, &v, NULL, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "range");
  json_decref(m);
  np_json_presence p;
  assert_int_equal(np_json_get_money(o, "none", 0, 0, 1, &v, &p, &err), NP_OK);
  assert_int_equal(p, NP_JSON_ABSENT);
  np_date_t d = {0};
  assert_int_equal(np_json_get_date(o, "d", true, &d, NULL, &err), NP_OK);
  assert_int_equal(d.days, 19782);
  assert_int_equal(np_json_get_date(o, "d2", true, &d, NULL, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "format");
  assert_string_equal(err.field, "d2");
  assert_int_equal(np_json_get_date(o, "dn", true, &d, NULL, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "type");
  assert_int_equal(np_json_get_date(o, "none", true, &d, NULL, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "required");
  json_decref(o);
}

static void test_get_arrays_objects(void **state) {
  json_t *o = P("{\"tags\":[\"a\",\"\xe4\xb8\xad\xe6\x96\x87\"],\"empty\":[],\"mixed\":[\"a\",1],"
                "\"blank\":[\"a\",\"\"],\"long\":[\"abcdef\"],\"ctl\":[\"a\\u0001\"],\"obj\":{\"x\":1},\"s\":\"x\"}");
  np_arena_t *a = np_arena_new(0);
  np_errdetail_t err;
  const char **items = NULL;
  size_t n = 99;
  np_json_presence p;
  assert_int_equal(np_json_get_str_array(o, "tags", true, 5, 2, a, &items, &n, &p, &err), NP_OK);
  assert_int_equal(n, 2);
  assert_string_equal(items[1], "\xe4\xb8\xad\xe6\x96\x87");
  assert_int_equal(np_json_get_str_array(o, "tags", true, 1, 10, a, &items, &n, NULL, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "length");
  assert_string_equal(err.field, "tags");
  assert_int_equal(np_json_get_str_array(o, "empty", true, 5, 10, a, &items, &n, NULL, &err), NP_OK);
  assert_int_equal(n, 0);
  assert_null(items);
  assert_int_equal(np_json_get_str_array(o, "mixed", true, 5, 10, a, &items, &n, NULL, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "type");
  assert_string_equal(err.field, "mixed[1]");
  assert_int_equal(np_json_get_str_array(o, "blank", true, 5, 10, a, &items, &n, NULL, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "length");
  assert_string_equal(err.field, "blank[1]");
  assert_int_equal(np_json_get_str_array(o, "long", true, 5, 5, a, &items, &n, NULL, &err), NP_ERR_INVALID);
  assert_string_equal(err.field, "long[0]");
  assert_int_equal(np_json_get_str_array(o, "ctl", true, 5, 5, a, &items, &n, NULL, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "format");
  assert_int_equal(np_json_get_str_array(o, "s", true, 5, 5, a, &items, &n, NULL, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "type");
  assert_int_equal(np_json_get_str_array(o, "none", 0, 5, 5, a, &items, &n, &p, &err), NP_OK);
  assert_int_equal(p, NP_JSON_ABSENT);
  json_t *sub = NULL;
  assert_int_equal(np_json_get_object(o, "obj", true, &sub, NULL, &err), NP_OK);
  assert_true(json_is_object(sub));
  assert_int_equal(np_json_get_object(o, "tags", true, &sub, NULL, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "type");
  assert_int_equal(np_json_get_array(o, "tags", true, 2, &sub, NULL, &err), NP_OK);
  assert_int_equal(json_array_size(sub), 2);
  assert_int_equal(np_json_get_array(o, "tags", true, 1, &sub, NULL, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "length");
  assert_int_equal(np_json_get_array(o, "obj", true, 0, &sub, NULL, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "type");
  np_arena_free(a);
  json_decref(o);
}

static void test_check_keys(void **state) {
  static const char *const allowed[] = {"name", "age", NULL};
  np_errdetail_t err;
  json_t *o = P("{\"name\":\"x\",\"age\":3}");
  assert_int_equal(np_json_check_keys(o, allowed, &err), NP_OK);
  json_decref(o);
  o = P("{\"name\":\"x\",\"admin\":true}");
  assert_int_equal(np_json_check_keys(o, allowed, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "unknown_field");
  assert_string_equal(err.field, "admin");
  json_decref(o);
  /* a long multi-byte key is cut on a character boundary and stays valid UTF-8 */
  np_buf_t b;
  np_buf_init(&b, 0);
  np_buf_append_str(&b, "{\"");
  for (int i = 0; i < 100; i++) np_buf_append_str(&b, "\xe4\xb8\xad");
  np_buf_append_str(&b, "\\u0001\":1}");
  o = P(np_buf_cstr(&b));
  assert_int_equal(np_json_check_keys(o, allowed, &err), NP_ERR_INVALID);
  assert_true(np_utf8_valid(err.field, strlen(err.field)));
  assert_true(np_utf8_valid(err.message, strlen(err.message)));
  assert_true(strlen(err.field) > 0);
  json_decref(o);
  o = P("{\"k\\u0001\":1}");
  assert_int_equal(np_json_check_keys(o, allowed, &err), NP_ERR_INVALID);
  assert_string_equal(err.field, "k?");
  json_decref(o);
  np_buf_free(&b);
  o = P("[]");
  assert_int_equal(np_json_check_keys(o, allowed, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "type");
  json_decref(o);
  o = P("{}");
  assert_int_equal(np_json_check_keys(o, allowed, &err), NP_OK);
  json_decref(o);
}

static void test_dump(void **state) {
  json_t *o = P("{\"b\":1,\"a\":[\"\xe4\xb8\xad\",null,true],\"q\":\"x\\\"y\"}");
  np_buf_t b;
  np_buf_init(&b, 0);
  assert_int_equal(np_json_dump(o, &b), NP_OK);
  assert_string_equal(np_buf_cstr(&b), "{\"b\":1,\"a\":[\"\xe4\xb8\xad\",null,true],\"q\":\"x\\\"y\"}");
  np_buf_free(&b);
  np_buf_init(&b, 8);
  assert_int_equal(np_buf_append_str(&b, "ab"), NP_OK);
  assert_int_equal(np_json_dump(o, &b), NP_ERR_TOO_LARGE);
  assert_string_equal(np_buf_cstr(&b), "ab");
  np_buf_free(&b);
  np_arena_t *a = np_arena_new(0);
  size_t len = 0;
  char *s = np_json_dump_arena(o, a, &len);
  assert_non_null(s);
  assert_int_equal(len, strlen(s));
  assert_int_equal(s[0], '{');
  json_t *i = json_integer(5);
  assert_string_equal(np_json_dump_arena(i, a, NULL), "5");
  json_decref(i);
  np_arena_free(a);
  json_decref(o);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_parse_ok),      cmocka_unit_test(test_parse_errors),
    cmocka_unit_test(test_limits),        cmocka_unit_test(test_get_str),
    cmocka_unit_test(test_get_int_bool),  cmocka_unit_test(test_get_money_date),
    cmocka_unit_test(test_get_arrays_objects), cmocka_unit_test(test_check_keys),
    cmocka_unit_test(test_dump),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
