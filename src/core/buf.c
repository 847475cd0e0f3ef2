#include "core/buf.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/str.h"

void np_buf_init(np_buf_t *b, size_t max) {
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
  b->max = max ? max : NP_BUF_DEFAULT_MAX;
}

np_err np_buf_reserve(np_buf_t *b, size_t extra) {
  if (extra > SIZE_MAX - b->len - 1) return NP_ERR_TOO_LARGE; /* cannot be within max either */
  size_t need = b->len + extra; /* content bytes */
  if (need > b->max) return NP_ERR_TOO_LARGE;
  if (need + 1 <= b->cap) return NP_OK;
  size_t ncap = b->cap ? b->cap : 64;
  while (ncap < need + 1) {
    if (ncap > SIZE_MAX / 2) {
      ncap = need + 1;
      break;
    }
    ncap *= 2;
  }
  if (b->max < SIZE_MAX && ncap > b->max + 1) ncap = b->max + 1;
  char *p = realloc(b->data, ncap);
  if (!p) return NP_ERR_NOMEM;
  if (!b->data) p[0] = '\0';
  b->data = p;
  b->cap = ncap;
  return NP_OK;
}

np_err np_buf_append(np_buf_t *b, const void *p, size_t n) {
  np_err e = np_buf_reserve(b, n);
  if (e) return e;
  if (n) memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = '\0';
  return NP_OK;
}

np_err np_buf_append_str(np_buf_t *b, const char *s) {
  return np_buf_append(b, s ? s : "", s ? strlen(s) : 0);
}

np_err np_buf_append_char(np_buf_t *b, char c) {
  return np_buf_append(b, &c, 1);
}

np_err np_buf_vappendf(np_buf_t *b, const char *fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  char small[256];
  int n = vsnprintf(small, sizeof small, fmt, ap2);
  va_end(ap2);
  if (n < 0) return NP_ERR_INTERNAL;
  if ((size_t)n < sizeof small) return np_buf_append(b, small, (size_t)n);
  np_err e = np_buf_reserve(b, (size_t)n);
  if (e) return e;
  int m = vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  if (m != n) {
    b->data[b->len] = '\0';
    return NP_ERR_INTERNAL;
  }
  b->len += (size_t)n;
  return NP_OK;
}

np_err np_buf_appendf(np_buf_t *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  np_err e = np_buf_vappendf(b, fmt, ap);
  va_end(ap);
  return e;
}

/* bytes that may need an escape: '"', '\\', C0 controls, DEL, and 0xE2 (the lead byte of U+2028/2029) */
static inline bool json_special(unsigned char c) { return c < 0x20 || c == '"' || c == '\\' || c == 0x7F || c == 0xE2; }

np_err np_buf_append_json_escaped(np_buf_t *b, const char *s, size_t n) {
  if (n && !s) return NP_ERR_INVALID;
  if (!np_utf8_valid(s, n)) return NP_ERR_ENCODING;
  size_t start = b->len;
  np_err e = np_buf_reserve(b, n);
  if (e) return e;
  const unsigned char *u = (const unsigned char *)s;
  size_t run = 0; /* start of the pending run of bytes that need no escaping */
  for (size_t i = 0; i < n; i++) {
    while (i < n && !json_special(u[i])) i++;
    if (i == n) break;
    unsigned char c = u[i];
    const char *esc = NULL;
    char tmp[8];
    size_t skip = 1;
    switch (c) {
    case '"': esc = "\\\""; break;
    case '\\': esc = "\\\\"; break;
    case '\n': esc = "\\n"; break;
    case '\r': esc = "\\r"; break;
    case '\t': esc = "\\t"; break;
    case '\b': esc = "\\b"; break;
    case '\f': esc = "\\f"; break;
    default:
      if (c < 0x20 || c == 0x7F) {
        snprintf(tmp, sizeof tmp, "\\u%04x", c);
        esc = tmp;
      } else if (c == 0xE2 && i + 2 < n && u[i + 1] == 0x80 && (u[i + 2] == 0xA8 || u[i + 2] == 0xA9)) {
        esc = u[i + 2] == 0xA8 ? "\\u2028" : "\\u2029";
        skip = 3;
      }
    }
    if (!esc) continue;
    if (i > run && (e = np_buf_append(b, s + run, i - run))) goto out;
    if ((e = np_buf_append_str(b, esc))) goto out;
    i += skip - 1;
    run = i + 1;
  }
  if (n > run) e = np_buf_append(b, s + run, n - run);
out:
  if (e) np_buf_truncate(b, start);
  return e;
}

np_err np_buf_append_json_string(np_buf_t *b, const char *s, size_t n) {
  size_t start = b->len;
  np_err e = np_buf_append_char(b, '"');
  if (!e) e = np_buf_append_json_escaped(b, s, n);
  if (!e) e = np_buf_append_char(b, '"');
  if (e) np_buf_truncate(b, start);
  return e;
}

const char *np_buf_cstr(const np_buf_t *b) {
  return b->data ? b->data : "";
}

void np_buf_reset(np_buf_t *b) {
  np_buf_truncate(b, 0);
}

void np_buf_truncate(np_buf_t *b, size_t len) {
  if (len >= b->len) return;
  b->len = len;
  if (b->data) b->data[len] = '\0';
}

char *np_buf_steal(np_buf_t *b, size_t *len) {
  char *p = b->data;
  if (!p) {
    p = malloc(1);
    if (p) p[0] = '\0';
  }
  if (len) *len = b->len;
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
  return p;
}

void np_buf_free(np_buf_t *b) {
  free(b->data);
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
}
