/*
 * Fuzzes np_json_parse with tight limits, then runs every typed getter and the dump helpers over the
 * result (top-level object, nested objects and array elements). Must never crash or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "core/arena.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/str.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const keys[] = {"a", "b", "name", "n", "amount", "date", "tags", "flag", "obj", "arr", "", NULL};

static void exercise(const json_t *o, np_arena_t *arena, int depth) {
  np_errdetail_t err;
  np_json_presence p;
  for (size_t i = 0; keys[i]; i++) {
    const char *k = keys[i];
    const char *s = NULL;
    int64_t v = 0;
    bool b = false;
    np_date_t d = {0};
    const char **items = NULL;
    size_t n = 0;
    json_t *sub = NULL;
    (void)np_json_presence_of(o, k);
    if (np_json_get_str(o, k, 0, 0, 64, &s, &p, &err) == NP_OK && s) (void)np_utf8_count(s, strlen(s));
    (void)np_json_get_str(o, k, NP_JSON_REQUIRED | NP_JSON_ALLOW_NEWLINES, 1, 0, &s, &p, &err);
    (void)np_json_get_int(o, k, 0, -1000, 1000, &v, &p, &err);
    (void)np_json_get_int(o, k, NP_JSON_REQUIRED, INT64_MIN, INT64_MAX, &v, &p, &err);
    (void)np_json_get_bool(o, k, 0, &b, &p, &err);
    (void)np_json_get_money(o, k, 0, -100000000, 100000000, &v, &p, &err);
    (void)np_json_get_money(o, k, NP_JSON_REQUIRED, INT64_MIN, INT64_MAX, &v, &p, &err);
    (void)np_json_get_date(o, k, 0, &d, &p, &err);
    if (np_json_get_str_array(o, k, 0, 8, 16, arena, &items, &n, &p, &err) == NP_OK)
      for (size_t j = 0; j < n; j++) (void)strlen(items[j]);
    if (np_json_get_object(o, k, 0, &sub, &p, &err) == NP_OK && sub && depth < 4) exercise(sub, arena, depth + 1);
    if (np_json_get_array(o, k, 0, 16, &sub, &p, &err) == NP_OK && sub && depth < 4) {
      for (size_t j = 0; j < json_array_size(sub); j++) exercise(json_array_get(sub, j), arena, depth + 1);
    }
  }
  static const char *const allowed[] = {"a", "b", "name", NULL};
  (void)np_json_check_keys(o, allowed, &err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  np_json_limits_t lim = {.max_bytes = 4096, .max_depth = 8, .top = NP_JSON_TOP_ANY};
  if (size > 0) lim.top = (np_json_top)(data[0] % 3);
  json_t *v = NULL;
  np_errdetail_t err;
  np_err e = np_json_parse((const char *)data, size, &lim, &v, &err);
  if (e) {
    if (v) abort();
    /* the error detail must be printable in a JSON error body */
    if (!np_utf8_valid(err.code, strlen(err.code)) || !np_utf8_valid(err.message, strlen(err.message)) ||
        !np_utf8_valid(err.field, strlen(err.field)))
      abort();
    return 0;
  }
  np_arena_t *arena = np_arena_new(1 << 20);
  if (!arena) {
    json_decref(v);
    return 0;
  }
  if (json_is_object(v)) {
    exercise(v, arena, 0);
  } else {
    for (size_t i = 0; i < json_array_size(v); i++) exercise(json_array_get(v, i), arena, 0);
  }
  /* output round trip: what we dump parses again to an equal value */
  np_buf_t b;
  np_buf_init(&b, 1 << 20);
  if (np_json_dump(v, &b) == NP_OK) {
    json_t *again = NULL;
    np_json_limits_t lim2 = {.max_bytes = 1 << 20, .max_depth = 8};
    if (np_json_parse(b.data, b.len, &lim2, &again, &err) != NP_OK || !json_equal(v, again)) abort();
    json_decref(again);
  }
  np_buf_free(&b);
  (void)np_json_dump_arena(v, arena, NULL);
  np_arena_free(arena);
  json_decref(v);
  return 0;
}
