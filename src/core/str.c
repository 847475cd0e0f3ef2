#include "core/str.h"
#include <string.h>

np_slice_t np_slice_make(const char *p, size_t n) {
  np_slice_t s = {p, p ? n : 0};
  return s;
}

np_slice_t np_slice_from_cstr(const char *s) {
  np_slice_t r = {s ? s : "", s ? strlen(s) : 0};
  return r;
}

bool np_slice_eq(np_slice_t a, np_slice_t b) {
  if (a.n != b.n) return false;
  return a.n == 0 || memcmp(a.p, b.p, a.n) == 0;
}

bool np_slice_eq_cstr(np_slice_t a, const char *s) {
  return np_slice_eq(a, np_slice_from_cstr(s));
}

static unsigned char ascii_lower(unsigned char c) {
  return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + ('a' - 'A')) : c;
}

bool np_slice_case_eq(np_slice_t a, np_slice_t b) {
  if (a.n != b.n) return false;
  for (size_t i = 0; i < a.n; i++)
    if (ascii_lower((unsigned char)a.p[i]) != ascii_lower((unsigned char)b.p[i])) return false;
  return true;
}

bool np_slice_starts_with(np_slice_t s, np_slice_t prefix) {
  if (prefix.n > s.n) return false;
  return prefix.n == 0 || memcmp(s.p, prefix.p, prefix.n) == 0;
}

static bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

np_slice_t np_slice_trim(np_slice_t s) {
  if (!s.p) return np_slice_make("", 0);
  while (s.n > 0 && is_space(s.p[0])) {
    s.p++;
    s.n--;
  }
  while (s.n > 0 && is_space(s.p[s.n - 1])) s.n--;
  return s;
}

int np_str_casecmp(const char *a, const char *b) {
  if (a == b) return 0;
  if (!a) return -1;
  if (!b) return 1;
  for (;; a++, b++) {
    unsigned char ca = ascii_lower((unsigned char)*a), cb = ascii_lower((unsigned char)*b);
    if (ca != cb) return ca < cb ? -1 : 1;
    if (!ca) return 0;
  }
}

size_t np_strlcpy(char *dst, const char *src, size_t cap) {
  size_t n = src ? strlen(src) : 0;
  if (cap == 0 || !dst) return n;
  size_t k = n < cap - 1 ? n : cap - 1;
  if (k) memcpy(dst, src, k);
  dst[k] = '\0';
  return n;
}

size_t np_utf8_decode(const char *s, size_t n, uint32_t *cp) {
  if (!s || n == 0) return 0;
  const unsigned char *u = (const unsigned char *)s;
  unsigned char c = u[0];
  uint32_t v;
  size_t len;
  uint32_t min;
  if (c < 0x80) {
    if (cp) *cp = c;
    return 1;
  } else if (c >= 0xC2 && c <= 0xDF) {
    len = 2, v = c & 0x1Fu, min = 0x80;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3, v = c & 0x0Fu, min = 0x800;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4, v = c & 0x07u, min = 0x10000;
  } else {
    return 0; /* continuation byte, C0/C1 (always overlong), F5..FF */
  }
  if (n < len) return 0;
  for (size_t i = 1; i < len; i++) {
    if ((u[i] & 0xC0u) != 0x80u) return 0;
    v = (v << 6) | (u[i] & 0x3Fu);
  }
  if (v < min || v > 0x10FFFFu || (v >= 0xD800u && v <= 0xDFFFu)) return 0;
  if (cp) *cp = v;
  return len;
}

size_t np_utf8_count(const char *s, size_t n) {
  size_t count = 0, i = 0;
  while (i < n) {
    /* ASCII fast path, eight bytes at a time */
    if (n - i >= 8) {
      uint64_t w;
      memcpy(&w, s + i, 8);
      if (!(w & 0x8080808080808080ull)) {
        i += 8;
        count += 8;
        continue;
      }
    }
    unsigned char c = (unsigned char)s[i];
    if (c < 0x80) {
      i++;
    } else {
      size_t k = np_utf8_decode(s + i, n - i, NULL);
      if (!k) return SIZE_MAX;
      i += k;
    }
    count++;
  }
  return count;
}

bool np_utf8_valid(const char *s, size_t n) {
  return np_utf8_count(s, n) != SIZE_MAX;
}

np_err np_parse_int64(const char *s, size_t n, int64_t min, int64_t max, int64_t *out) {
  if (!s || n == 0 || min > max) return NP_ERR_INVALID;
  size_t i = 0;
  bool neg = false;
  if (s[0] == '-') {
    neg = true;
    i = 1;
    if (n == 1) return NP_ERR_INVALID;
  }
  /* Accumulate as a negative number so INT64_MIN is representable. */
  int64_t v = 0;
  for (; i < n; i++) {
    char c = s[i];
    if (c < '0' || c > '9') return NP_ERR_INVALID;
    int d = c - '0';
    if (v < (INT64_MIN + d) / 10) return NP_ERR_INVALID;
    v = v * 10 - d;
  }
  if (!neg) {
    if (v == INT64_MIN) return NP_ERR_INVALID;
    v = -v;
  }
  if (v < min || v > max) return NP_ERR_INVALID;
  if (out) *out = v;
  return NP_OK;
}

size_t np_hex_encode(const void *data, size_t n, char *out, size_t cap) {
  static const char digits[] = "0123456789abcdef";
  if (n > (SIZE_MAX - 1) / 2) {
    if (out && cap) out[0] = '\0';
    return SIZE_MAX;
  }
  size_t need = 2 * n;
  if (!out || cap < need + 1) {
    if (out && cap) out[0] = '\0';
    return need;
  }
  const unsigned char *p = data;
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = digits[p[i] >> 4];
    out[2 * i + 1] = digits[p[i] & 15];
  }
  out[need] = '\0';
  return need;
}

static int hex_val(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

np_err np_hex_decode(const char *hex, size_t n, uint8_t *out, size_t cap, size_t *out_len) {
  if (n % 2 != 0 || (n && !hex)) return NP_ERR_INVALID;
  for (size_t i = 0; i < n; i++)
    if (hex_val(hex[i]) < 0) return NP_ERR_INVALID;
  if (cap < n / 2 || (n && !out)) return NP_ERR_TOO_LARGE;
  for (size_t i = 0; i < n / 2; i++) out[i] = (uint8_t)(hex_val(hex[2 * i]) << 4 | hex_val(hex[2 * i + 1]));
  if (out_len) *out_len = n / 2;
  return NP_OK;
}

bool np_str_ct_equal(const void *a, size_t an, const void *b, size_t bn) {
  if (an != bn) return false;
  const volatile unsigned char *pa = a, *pb = b;
  unsigned char diff = 0;
  for (size_t i = 0; i < an; i++) diff |= (unsigned char)(pa[i] ^ pb[i]);
  return diff == 0;
}
