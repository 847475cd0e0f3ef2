#include "core/money.h"
#include <stdbool.h>
#include <stdio.h>

__extension__ typedef __int128 i128;

static bool fits(i128 v) {
  return v >= -(i128)INT64_MAX && v <= (i128)INT64_MAX;
}

/* num / den rounded with mode; den > 0. */
static i128 div_round(i128 num, i128 den, np_round_t mode) {
  bool neg = num < 0;
  i128 a = neg ? -num : num; /* |num| fits: inputs are products of int64 values, far from INT128_MIN */
  i128 q = a / den, r = a % den;
  if (r != 0) {
    switch (mode) {
    case NP_ROUND_HALF_UP:
      if (2 * r >= den) q++;
      break;
    case NP_ROUND_HALF_EVEN:
      if (2 * r > den || (2 * r == den && (q & 1))) q++;
      break;
    case NP_ROUND_DOWN: break;
    case NP_ROUND_UP: q++; break;
    }
  }
  return neg ? -q : q;
}

static bool mode_ok(np_round_t mode) {
  return mode == NP_ROUND_HALF_UP || mode == NP_ROUND_HALF_EVEN || mode == NP_ROUND_DOWN || mode == NP_ROUND_UP;
}

const char *np_round_name(np_round_t mode) {
  switch (mode) {
  case NP_ROUND_HALF_UP: return "half_up";
  case NP_ROUND_HALF_EVEN: return "half_even";
  case NP_ROUND_DOWN: return "down";
  case NP_ROUND_UP: return "up";
  }
  return NULL;
}

np_err np_money_parse(const char *s, size_t n, int64_t *fen) {
  if (!s || n == 0) return NP_ERR_INVALID;
  size_t i = 0;
  bool neg = false;
  if (s[0] == '-') {
    neg = true;
    i++;
  }
  size_t int_start = i;
  i128 v = 0;
  while (i < n && s[i] >= '0' && s[i] <= '9') {
    v = v * 10 + (s[i] - '0');
    if (v > (i128)INT64_MAX) return NP_ERR_INVALID;
    i++;
  }
  if (i == int_start) return NP_ERR_INVALID; /* no integer digits */
  int frac = 0, nfrac = 0;
  if (i < n) {
    if (s[i] != '.') return NP_ERR_INVALID;
    i++;
    while (i < n && s[i] >= '0' && s[i] <= '9' && nfrac < 3) {
      frac = frac * 10 + (s[i] - '0');
      nfrac++;
      i++;
    }
    if (nfrac == 0 || nfrac > 2 || i != n) return NP_ERR_INVALID;
  }
  if (nfrac == 1) frac *= 10;
  v = v * 100 + frac;
  if (neg) v = -v;
  if (!fits(v)) return NP_ERR_INVALID;
  if (fen) *fen = (int64_t)v;
  return NP_OK;
}

np_err np_money_format(int64_t fen, char *buf, size_t cap) {
  if (!buf || cap == 0) return NP_ERR_TOO_LARGE;
  buf[0] = '\0';
  i128 v = fen;
  bool neg = v < 0;
  if (neg) v = -v;
  unsigned long long yuan = (unsigned long long)(v / 100);
  unsigned cents = (unsigned)(v % 100);
  int w = snprintf(buf, cap, "%s%llu.%02u", neg ? "-" : "", yuan, cents);
  if (w < 0 || (size_t)w >= cap) {
    buf[0] = '\0';
    return NP_ERR_TOO_LARGE;
  }
  return NP_OK;
}

np_err np_money_from_yuan(int64_t yuan, int64_t *fen) {
  i128 v = (i128)yuan * 100;
  if (!fits(v)) return NP_ERR_INVALID;
  if (fen) *fen = (int64_t)v;
  return NP_OK;
}

np_err np_money_to_yuan(int64_t fen, np_round_t mode, int64_t *yuan) {
  if (!mode_ok(mode) || fen == INT64_MIN) return NP_ERR_INVALID;
  i128 v = div_round(fen, 100, mode);
  if (yuan) *yuan = (int64_t)v;
  return NP_OK;
}

np_err np_money_round_yuan(int64_t fen, np_round_t mode, int64_t *out_fen) {
  if (!mode_ok(mode) || fen == INT64_MIN) return NP_ERR_INVALID;
  i128 v = div_round(fen, 100, mode) * 100;
  if (!fits(v)) return NP_ERR_INVALID;
  if (out_fen) *out_fen = (int64_t)v;
  return NP_OK;
}

np_err np_money_mul_ratio(int64_t fen, int64_t num, int64_t den, np_round_t mode, int64_t *out) {
  if (!mode_ok(mode) || den == 0 || fen == INT64_MIN || num == INT64_MIN || den == INT64_MIN)
    return NP_ERR_INVALID;
  i128 p = (i128)fen * num, d = den;
  if (d < 0) {
    p = -p;
    d = -d;
  }
  i128 v = div_round(p, d, mode);
  if (!fits(v)) return NP_ERR_INVALID;
  if (out) *out = (int64_t)v;
  return NP_OK;
}

np_err np_money_mul_bp(int64_t fen, int64_t bp, np_round_t mode, int64_t *out) {
  return np_money_mul_ratio(fen, bp, 10000, mode, out);
}

np_err np_money_mul_ppm(int64_t fen, int64_t ppm, np_round_t mode, int64_t *out) {
  return np_money_mul_ratio(fen, ppm, 1000000, mode, out);
}

np_err np_money_add(int64_t a, int64_t b, int64_t *out) {
  i128 v = (i128)a + b;
  if (!fits(v)) return NP_ERR_INVALID;
  if (out) *out = (int64_t)v;
  return NP_OK;
}

np_err np_money_sub(int64_t a, int64_t b, int64_t *out) {
  i128 v = (i128)a - b;
  if (!fits(v)) return NP_ERR_INVALID;
  if (out) *out = (int64_t)v;
  return NP_OK;
}
