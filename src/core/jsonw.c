/* Streaming JSON writer (see jsonw.h). */
#include "core/jsonw.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void np_jw_init(np_jw_t *w, np_buf_t *b) {
  memset(w, 0, sizeof *w);
  w->b = b;
}

np_err np_jw_finish(const np_jw_t *w) {
  if (w->e) return w->e;
  return w->depth == 0 && !w->after_key ? NP_OK : NP_ERR_INVALID;
}

static void put(np_jw_t *w, const char *s, size_t n) {
  if (!w->e) w->e = np_buf_append(w->b, s, n);
}

/* the separator before a value (or a key) at the current depth */
static void sep(np_jw_t *w) {
  if (w->after_key) {
    w->after_key = false;
    return;
  }
  if (w->need_comma[w->depth]) put(w, ",", 1);
  w->need_comma[w->depth] = true;
}

static void open(np_jw_t *w, char c) {
  sep(w);
  if (w->depth >= NP_JW_MAX_DEPTH) {
    if (!w->e) w->e = NP_ERR_INVALID;
    return;
  }
  put(w, &c, 1);
  w->need_comma[++w->depth] = false;
}

static void close_(np_jw_t *w, char c) {
  if (w->depth <= 0 || w->after_key) {
    if (!w->e) w->e = NP_ERR_INVALID;
    return;
  }
  w->depth--;
  put(w, &c, 1);
}

void np_jw_obj(np_jw_t *w) { open(w, '{'); }
void np_jw_obj_end(np_jw_t *w) { close_(w, '}'); }
void np_jw_arr(np_jw_t *w) { open(w, '['); }
void np_jw_arr_end(np_jw_t *w) { close_(w, ']'); }

void np_jw_key(np_jw_t *w, const char *k) {
  sep(w);
  if (!w->e) w->e = np_buf_append_json_string(w->b, k, strlen(k));
  put(w, ":", 1);
  w->after_key = true;
}

void np_jw_str(np_jw_t *w, const char *s) {
  if (!s) {
    np_jw_null(w);
    return;
  }
  sep(w);
  if (!w->e) w->e = np_buf_append_json_string(w->b, s, strlen(s));
}

void np_jw_str_or_null(np_jw_t *w, const char *s) { np_jw_str(w, s && *s ? s : NULL); }

/* decimal digits of v, right-aligned in t[24]; returns the first character */
static char *fmt_i64(int64_t v, char t[24]) {
  char *p = t + 24;
  uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  do {
    *--p = (char)('0' + a % 10);
    a /= 10;
  } while (a);
  if (v < 0) *--p = '-';
  return p;
}

void np_jw_int(np_jw_t *w, int64_t v) {
  char t[24];
  char *p = fmt_i64(v, t);
  sep(w);
  put(w, p, (size_t)(t + 24 - p));
}

void np_jw_bool(np_jw_t *w, bool v) {
  sep(w);
  if (v) put(w, "true", 4);
  else put(w, "false", 5);
}

void np_jw_null(np_jw_t *w) {
  sep(w);
  put(w, "null", 4);
}

void np_jw_e6(np_jw_t *w, int64_t v) {
  char t[32];
  uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  int n = snprintf(t, sizeof t, "%s%" PRIu64 ".%06" PRIu64, v < 0 ? "-" : "", a / 1000000u, a % 1000000u);
  while (n > 0 && t[n - 1] == '0') n--; /* 36.650000 → 36.65, 36.000000 → 36. */
  if (n > 0 && t[n - 1] == '.') n--;
  sep(w);
  put(w, t, (size_t)n);
}

void np_jw_raw(np_jw_t *w, const char *json, size_t n) {
  sep(w);
  put(w, json, n);
}

void np_jw_kstr(np_jw_t *w, const char *k, const char *s) {
  np_jw_key(w, k);
  np_jw_str(w, s);
}
void np_jw_kstr_or_null(np_jw_t *w, const char *k, const char *s) {
  np_jw_key(w, k);
  np_jw_str_or_null(w, s);
}
void np_jw_kint(np_jw_t *w, const char *k, int64_t v) {
  np_jw_key(w, k);
  np_jw_int(w, v);
}
void np_jw_kbool(np_jw_t *w, const char *k, bool v) {
  np_jw_key(w, k);
  np_jw_bool(w, v);
}
void np_jw_knull(np_jw_t *w, const char *k) {
  np_jw_key(w, k);
  np_jw_null(w);
}
