#include "core/json.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/money.h"
#include "core/str.h"

/* ---- parsing ---------------------------------------------------------------------------------- */

/*
 * Counts the nesting of [ and { outside strings. Returns false (and the position) when it exceeds
 * max_depth. Malformed input is left for jansson to report.
 */
static bool depth_ok(const char *data, size_t len, int max_depth, int *line, int *col) {
  int depth = 0, ln = 1, cl = 0;
  bool in_str = false, esc = false;
  for (size_t i = 0; i < len; i++) {
    char c = data[i];
    if (c == '\n') {
      ln++;
      cl = 0;
    } else if (((unsigned char)c & 0xC0u) != 0x80u) {
      cl++;
    }
    if (in_str) {
      if (esc)
        esc = false;
      else if (c == '\\')
        esc = true;
      else if (c == '"')
        in_str = false;
      continue;
    }
    if (c == '"') {
      in_str = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) {
        *line = ln;
        *col = cl;
        return false;
      }
    } else if (c == ']' || c == '}') {
      if (depth > 0) depth--;
    }
  }
  return true;
}

static const char *jansson_reason(enum json_error_code c) {
  switch (c) {
  case json_error_invalid_utf8: return "invalid UTF-8";
  case json_error_premature_end_of_input: return "unexpected end of input";
  case json_error_end_of_input_expected: return "unexpected data after the value";
  case json_error_null_character: return "NUL character (\\u0000) not allowed";
  case json_error_null_byte_in_key: return "NUL character in an object key";
  case json_error_numeric_overflow: return "number out of range";
  case json_error_wrong_type: return "wrong top-level type";
  default: return "syntax error";
  }
}

np_err np_json_parse(const char *data, size_t len, const np_json_limits_t *lim, json_t **out,
                     np_errdetail_t *err) {
  *out = NULL;
  size_t max_bytes = lim && lim->max_bytes ? lim->max_bytes : NP_JSON_DEFAULT_MAX_BYTES;
  int max_depth = lim && lim->max_depth > 0 ? lim->max_depth : NP_JSON_DEFAULT_MAX_DEPTH;
  np_json_top top = lim ? lim->top : NP_JSON_TOP_ANY;
  if (len > max_bytes)
    return np_fail(err, NP_ERR_TOO_LARGE, "too_large", "", "JSON body of %zu bytes exceeds the limit of %zu",
                   len, max_bytes);
  if (len && !data) return np_fail(err, NP_ERR_INVALID, "invalid_json", "", "no data");
  int line = 0, col = 0;
  if (!depth_ok(data, len, max_depth, &line, &col))
    return np_fail(err, NP_ERR_INVALID, "too_deep", "", "JSON nested deeper than %d levels at line %d, column %d",
                   max_depth, line, col);
  json_error_t je;
  json_t *v = json_loadb(data ? data : "", len, JSON_REJECT_DUPLICATES, &je);
  if (!v) {
    enum json_error_code c = json_error_code(&je);
    if (c == json_error_out_of_memory) return np_fail(err, NP_ERR_NOMEM, "out_of_memory", "", "out of memory");
    if (c == json_error_duplicate_key)
      return np_fail(err, NP_ERR_INVALID, "duplicate_key", "", "duplicate object key at line %d, column %d",
                     je.line, je.column);
    if (c == json_error_stack_overflow)
      return np_fail(err, NP_ERR_INVALID, "too_deep", "", "JSON nested too deeply at line %d, column %d", je.line,
                     je.column);
    return np_fail(err, NP_ERR_INVALID, "invalid_json", "", "invalid JSON at line %d, column %d: %s", je.line,
                   je.column, jansson_reason(c));
  }
  if ((top == NP_JSON_TOP_OBJECT && !json_is_object(v)) || (top == NP_JSON_TOP_ARRAY && !json_is_array(v)) ||
      (!json_is_object(v) && !json_is_array(v))) {
    json_decref(v);
    return np_fail(err, NP_ERR_INVALID, "invalid_json", "", "the JSON body must be %s",
                   top == NP_JSON_TOP_OBJECT  ? "an object"
                   : top == NP_JSON_TOP_ARRAY ? "an array"
                                              : "an object or an array");
  }
  *out = v;
  return NP_OK;
}

/* ---- getters ---------------------------------------------------------------------------------- */

np_json_presence np_json_presence_of(const json_t *obj, const char *key) {
  if (!json_is_object(obj) || !key) return NP_JSON_ABSENT;
  json_t *v = json_object_get(obj, key);
  if (!v) return NP_JSON_ABSENT;
  return json_is_null(v) ? NP_JSON_NULL : NP_JSON_PRESENT;
}

/*
 * Looks key up. Returns NP_OK with *v set for a value, NP_OK with *v NULL for absent/null on an
 * optional field, or a "required" error.
 */
static np_err lookup(const json_t *obj, const char *key, unsigned flags, json_t **v, np_json_presence *presence,
                     np_errdetail_t *err) {
  np_json_presence p = np_json_presence_of(obj, key);
  if (presence) *presence = p;
  *v = p == NP_JSON_PRESENT ? json_object_get(obj, key) : NULL;
  if (p != NP_JSON_PRESENT && (flags & NP_JSON_REQUIRED))
    return np_fail(err, NP_ERR_INVALID, "required", key, "%s is required", key);
  return NP_OK;
}

static bool is_control(uint32_t cp, unsigned flags) {
  if ((flags & NP_JSON_ALLOW_NEWLINES) && (cp == '\n' || cp == '\r' || cp == '\t')) return false;
  return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F);
}

/* Validates a string value: UTF-8, no control characters, length in code points. */
static np_err check_text(const json_t *v, const char *field, unsigned flags, size_t min_chars, size_t max_chars,
                         np_errdetail_t *err) {
  const char *s = json_string_value(v);
  size_t n = json_string_length(v);
  size_t chars = 0;
  for (size_t i = 0; i < n;) {
    uint32_t cp;
    size_t k = np_utf8_decode(s + i, n - i, &cp);
    if (!k) return np_fail(err, NP_ERR_INVALID, "format", field, "%s is not valid UTF-8", field);
    if (is_control(cp, flags))
      return np_fail(err, NP_ERR_INVALID, "format", field, "%s contains a control character", field);
    i += k;
    chars++;
  }
  if (chars < min_chars)
    return np_fail(err, NP_ERR_INVALID, "length", field, "%s must have at least %zu characters", field, min_chars);
  if (max_chars && chars > max_chars)
    return np_fail(err, NP_ERR_INVALID, "length", field, "%s must have at most %zu characters", field, max_chars);
  return NP_OK;
}

np_err np_json_get_str(const json_t *obj, const char *key, unsigned flags, size_t min_chars, size_t max_chars,
                       const char **out, np_json_presence *presence, np_errdetail_t *err) {
  json_t *v;
  np_err e = lookup(obj, key, flags, &v, presence, err);
  if (e || !v) return e;
  if (!json_is_string(v)) return np_fail(err, NP_ERR_INVALID, "type", key, "%s must be a string", key);
  if ((e = check_text(v, key, flags, min_chars, max_chars, err))) return e;
  *out = json_string_value(v);
  return NP_OK;
}

np_err np_json_get_int(const json_t *obj, const char *key, unsigned flags, int64_t min, int64_t max,
                       int64_t *out, np_json_presence *presence, np_errdetail_t *err) {
  json_t *v;
  np_err e = lookup(obj, key, flags, &v, presence, err);
  if (e || !v) return e;
  if (!json_is_integer(v)) return np_fail(err, NP_ERR_INVALID, "type", key, "%s must be an integer", key);
  json_int_t i = json_integer_value(v);
  if ((long long)i < (long long)min || (long long)i > (long long)max)
    return np_fail(err, NP_ERR_INVALID, "range", key, "%s must be between %lld and %lld", key, (long long)min,
                   (long long)max);
  *out = (int64_t)i;
  return NP_OK;
}

np_err np_json_get_bool(const json_t *obj, const char *key, unsigned flags, bool *out, np_json_presence *presence,
                        np_errdetail_t *err) {
  json_t *v;
  np_err e = lookup(obj, key, flags, &v, presence, err);
  if (e || !v) return e;
  if (!json_is_boolean(v)) return np_fail(err, NP_ERR_INVALID, "type", key, "%s must be true or false", key);
  *out = json_is_true(v);
  return NP_OK;
}

np_err np_json_get_money(const json_t *obj, const char *key, unsigned flags, int64_t min, int64_t max,
                         int64_t *out, np_json_presence *presence, np_errdetail_t *err) {
  json_t *v;
  np_err e = lookup(obj, key, flags, &v, presence, err);
  if (e || !v) return e;
  int64_t fen;
  if (json_is_integer(v)) {
    fen = (int64_t)json_integer_value(v);
  } else if (json_is_string(v)) {
    if (np_money_parse(json_string_value(v), json_string_length(v), &fen))
      return np_fail(err, NP_ERR_INVALID, "format", key, "%s must be an amount like \"1234.56\"", key);
  } else {
    return np_fail(err, NP_ERR_INVALID, "type", key, "%s must be an integer number of fen or a \"1234.56\" string",
                   key);
  }
  if (fen < min || fen > max || fen == INT64_MIN) {
    char lo[NP_MONEY_STRLEN], hi[NP_MONEY_STRLEN];
    np_money_format(min, lo, sizeof lo);
    np_money_format(max, hi, sizeof hi);
    return np_fail(err, NP_ERR_INVALID, "range", key, "%s must be between %s and %s", key, lo, hi);
  }
  *out = fen;
  return NP_OK;
}

np_err np_json_get_date(const json_t *obj, const char *key, unsigned flags, np_date_t *out,
                        np_json_presence *presence, np_errdetail_t *err) {
  json_t *v;
  np_err e = lookup(obj, key, flags, &v, presence, err);
  if (e || !v) return e;
  if (!json_is_string(v)) return np_fail(err, NP_ERR_INVALID, "type", key, "%s must be a date string", key);
  if (np_date_parse(json_string_value(v), json_string_length(v), out))
    return np_fail(err, NP_ERR_INVALID, "format", key, "%s must be a real date YYYY-MM-DD between %d and %d", key,
                   NP_DATE_MIN_YEAR, NP_DATE_MAX_YEAR);
  return NP_OK;
}

np_err np_json_get_str_array(const json_t *obj, const char *key, unsigned flags, size_t max_items,
                             size_t max_chars, np_arena_t *arena, const char ***out, size_t *count,
                             np_json_presence *presence, np_errdetail_t *err) {
  json_t *v;
  np_err e = lookup(obj, key, flags, &v, presence, err);
  if (e || !v) return e;
  if (!json_is_array(v)) return np_fail(err, NP_ERR_INVALID, "type", key, "%s must be an array of strings", key);
  size_t n = json_array_size(v);
  if (max_items && n > max_items)
    return np_fail(err, NP_ERR_INVALID, "length", key, "%s must have at most %zu items", key, max_items);
  const char **items = NULL;
  if (n) {
    items = np_arena_calloc(arena, n, sizeof *items);
    if (!items) return np_fail(err, NP_ERR_NOMEM, "out_of_memory", key, "out of memory");
  }
  for (size_t i = 0; i < n; i++) {
    json_t *it = json_array_get(v, i);
    char field[96];
    snprintf(field, sizeof field, "%s[%zu]", key, i);
    if (!json_is_string(it)) return np_fail(err, NP_ERR_INVALID, "type", field, "%s must be a string", field);
    if ((e = check_text(it, field, flags, 1, max_chars, err))) return e;
    items[i] = json_string_value(it);
  }
  *out = items;
  *count = n;
  return NP_OK;
}

np_err np_json_get_object(const json_t *obj, const char *key, unsigned flags, json_t **out,
                          np_json_presence *presence, np_errdetail_t *err) {
  json_t *v;
  np_err e = lookup(obj, key, flags, &v, presence, err);
  if (e || !v) return e;
  if (!json_is_object(v)) return np_fail(err, NP_ERR_INVALID, "type", key, "%s must be an object", key);
  *out = v;
  return NP_OK;
}

np_err np_json_get_array(const json_t *obj, const char *key, unsigned flags, size_t max_items, json_t **out,
                         np_json_presence *presence, np_errdetail_t *err) {
  json_t *v;
  np_err e = lookup(obj, key, flags, &v, presence, err);
  if (e || !v) return e;
  if (!json_is_array(v)) return np_fail(err, NP_ERR_INVALID, "type", key, "%s must be an array", key);
  if (max_items && json_array_size(v) > max_items)
    return np_fail(err, NP_ERR_INVALID, "length", key, "%s must have at most %zu items", key, max_items);
  *out = v;
  return NP_OK;
}

/* Copies a UTF-8 key into dst, cutting at a code-point boundary and replacing control characters. */
static void safe_key(char *dst, size_t cap, const char *key) {
  size_t n = strlen(key), o = 0;
  for (size_t i = 0; i < n;) {
    uint32_t cp;
    size_t k = np_utf8_decode(key + i, n - i, &cp);
    if (!k) break;
    if (o + k + 1 > cap) break;
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) {
      dst[o++] = '?';
    } else {
      memcpy(dst + o, key + i, k);
      o += k;
    }
    i += k;
  }
  dst[o] = '\0';
}

np_err np_json_check_keys(const json_t *obj, const char *const allowed[], np_errdetail_t *err) {
  if (!json_is_object(obj)) return np_fail(err, NP_ERR_INVALID, "type", "", "expected a JSON object");
  const char *key;
  json_t *val;
  json_object_foreach((json_t *)(uintptr_t)obj, key, val) {
    (void)val;
    bool ok = false;
    for (size_t i = 0; allowed && allowed[i]; i++)
      if (strcmp(allowed[i], key) == 0) {
        ok = true;
        break;
      }
    if (!ok) {
      char k[64];
      safe_key(k, sizeof k, key);
      return np_fail(err, NP_ERR_INVALID, "unknown_field", k, "unknown field \"%s\"", k);
    }
  }
  return NP_OK;
}

/* ---- output ----------------------------------------------------------------------------------- */

typedef struct dump_ctx {
  np_buf_t *b;
  np_err e;
} dump_ctx_t;

static int dump_cb(const char *buffer, size_t size, void *data) {
  dump_ctx_t *c = data;
  if (c->e) return -1;
  c->e = np_buf_append(c->b, buffer, size);
  return c->e ? -1 : 0;
}

np_err np_json_dump(const json_t *v, np_buf_t *b) {
  if (!v) return NP_ERR_INVALID;
  size_t start = b->len;
  dump_ctx_t c = {b, NP_OK};
  int r = json_dump_callback(v, dump_cb, &c, NP_JSON_DUMP_FLAGS);
  if (r != 0 || c.e) {
    np_buf_truncate(b, start);
    return c.e ? c.e : NP_ERR_INTERNAL;
  }
  return NP_OK;
}

char *np_json_dump_arena(const json_t *v, np_arena_t *a, size_t *len) {
  np_buf_t b;
  np_buf_init(&b, 0);
  char *r = NULL;
  if (np_json_dump(v, &b)) goto out;
  r = np_arena_strndup(a, np_buf_cstr(&b), b.len);
  if (r && len) *len = b.len;
out:
  np_buf_free(&b);
  return r;
}
