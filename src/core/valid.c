#include "core/valid.h"
#include <string.h>
#include <time.h>

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int days_in_month(int y, int m) {
  static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && is_leap(y)) return 29;
  return dm[m - 1];
}

/* Real GB/T 2260 province-level codes (incl. 71 Taiwan, 81 Hong Kong, 82 Macao). */
static bool province_plausible(int p) {
  switch (p) {
  case 11: case 12: case 13: case 14: case 15:
  case 21: case 22: case 23:
  case 31: case 32: case 33: case 34: case 35: case 36: case 37:
  case 41: case 42: case 43: case 44: case 45: case 46:
  case 50: case 51: case 52: case 53: case 54:
  case 61: case 62: case 63: case 64: case 65:
  case 71: case 81: case 82:
    return true;
  default:
    return false;
  }
}

int32_t np_valid_today_shanghai(void) {
  time_t now = time(NULL) + 8 * 3600;
  struct tm tm;
  if (!gmtime_r(&now, &tm)) return 0;
  return (int32_t)((tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday);
}

char np_valid_id_check_char(const char first17[17]) {
  static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static const char map[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};
  int sum = 0;
  for (int i = 0; i < 17; i++) {
    if (!is_digit(first17[i])) return 0;
    sum += (first17[i] - '0') * w[i];
  }
  return map[sum % 11];
}

np_err np_valid_id_number(const char *s, size_t n, np_region_known_fn known, void *ctx, np_id_info_t *info,
                          np_errdetail_t *err) {
  return np_valid_id_number_on(s, n, known, ctx, 0, info, err);
}

np_err np_valid_id_number_on(const char *s, size_t n, np_region_known_fn known, void *ctx, int32_t today_ymd,
                             np_id_info_t *info, np_errdetail_t *err) {
  if (!s || n != 18)
    return np_fail(err, NP_ERR_INVALID, "length", "id_number", "ID number must have 18 characters, got %zu",
                   s ? n : 0);
  char id[19];
  memcpy(id, s, 18);
  id[18] = '\0';
  for (int i = 0; i < 17; i++)
    if (!is_digit(id[i]))
      return np_fail(err, NP_ERR_INVALID, "charset", "id_number", "ID number character %d must be a digit", i + 1);
  if (id[17] == 'x') id[17] = 'X';
  if (!is_digit(id[17]) && id[17] != 'X')
    return np_fail(err, NP_ERR_INVALID, "charset", "id_number", "ID number character 18 must be a digit or X");

  char region[7];
  memcpy(region, id, 6);
  region[6] = '\0';
  if (known) {
    if (!known(region, ctx))
      return np_fail(err, NP_ERR_INVALID, "region", "id_number", "unknown region code %s", region);
  } else if (!province_plausible((id[0] - '0') * 10 + (id[1] - '0'))) {
    return np_fail(err, NP_ERR_INVALID, "region", "id_number", "unknown province code %.2s", region);
  }

  int y = 0, m = 0, d = 0;
  for (int i = 6; i < 10; i++) y = y * 10 + (id[i] - '0');
  m = (id[10] - '0') * 10 + (id[11] - '0');
  d = (id[12] - '0') * 10 + (id[13] - '0');
  if (y < 1800 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
    return np_fail(err, NP_ERR_INVALID, "birth_date", "id_number", "birth date %.8s is not a real date after 1800",
                   id + 6);
  int32_t today = today_ymd > 0 ? today_ymd : np_valid_today_shanghai();
  if ((int32_t)(y * 10000 + m * 100 + d) > today)
    return np_fail(err, NP_ERR_INVALID, "future_birth_date", "id_number", "birth date %.8s is in the future",
                   id + 6);

  char want = np_valid_id_check_char(id);
  if (want != id[17])
    return np_fail(err, NP_ERR_INVALID, "check_char", "id_number", "check character does not match");

  if (info) {
    memcpy(info->normalized, id, sizeof info->normalized);
    memcpy(info->region, region, sizeof info->region);
    info->year = y;
    info->month = m;
    info->day = d;
    info->male = ((id[16] - '0') % 2) == 1;
  }
  return NP_OK;
}

/* GB 32100 symbol value, or -1. */
static int uscc_value(char c) {
  static const char set[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  const char *p = c ? strchr(set, c) : NULL;
  return p ? (int)(p - set) : -1;
}

/* GB 11714 organisation code check over 9 characters (8 body + check). */
static bool org_code_ok(const char *c9) {
  static const int w[8] = {3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (int i = 0; i < 8; i++) {
    int v;
    char c = c9[i];
    if (is_digit(c)) v = c - '0';
    else if (c >= 'A' && c <= 'Z') v = c - 'A' + 10;
    else return false;
    sum += v * w[i];
  }
  int cc = 11 - sum % 11;
  char want = cc == 10 ? 'X' : cc == 11 ? '0' : (char)('0' + cc);
  return c9[8] == want;
}

np_err np_valid_uscc(const char *s, size_t n, unsigned flags, np_uscc_info_t *info, np_errdetail_t *err) {
  static const int w[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
  static const char set[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  if (!s || n != 18)
    return np_fail(err, NP_ERR_INVALID, "length", "credit_code", "credit code must have 18 characters, got %zu",
                   s ? n : 0);
  char c[19];
  memcpy(c, s, 18);
  c[18] = '\0';
  int sum = 0;
  for (int i = 0; i < 18; i++) {
    if (c[i] >= 'a' && c[i] <= 'z') c[i] = (char)(c[i] - 'a' + 'A');
    int v = uscc_value(c[i]);
    if (v < 0)
      return np_fail(err, NP_ERR_INVALID, "charset", "credit_code",
                     "credit code character %d is not one of 0-9 A-H J-N P-R T U W-Y", i + 1);
    if (i < 17) sum += v * w[i];
  }
  int cv = 31 - sum % 31;
  if (cv == 31) cv = 0;
  if (set[cv] != c[17])
    return np_fail(err, NP_ERR_INVALID, "check_char", "credit_code", "check character does not match");
  bool org_ok = org_code_ok(c + 8);
  if (!org_ok && (flags & NP_USCC_REQUIRE_ORG_CODE))
    return np_fail(err, NP_ERR_INVALID, "org_code", "credit_code",
                   "organisation code (characters 9-17) fails the GB 11714 check");
  if (info) {
    memcpy(info->normalized, c, sizeof info->normalized);
    memcpy(info->region, c + 2, 6);
    info->region[6] = '\0';
    info->authority = c[0];
    info->org_type = c[1];
    info->org_code_ok = org_ok;
  }
  return NP_OK;
}

/* Drops a leading "+86"/"86" (and one following ' ' or '-') when what remains could be a mobile. */
static void strip_cn_prefix(const char **s, size_t *n) {
  const char *p = *s;
  size_t len = *n;
  if (len >= 3 && p[0] == '+' && p[1] == '8' && p[2] == '6') {
    p += 3;
    len -= 3;
  } else if (len == 13 && p[0] == '8' && p[1] == '6') {
    p += 2;
    len -= 2;
  } else if (len == 14 && p[0] == '8' && p[1] == '6' && (p[2] == ' ' || p[2] == '-')) {
    p += 2;
    len -= 2;
  } else {
    return;
  }
  if (len > 0 && (p[0] == ' ' || p[0] == '-')) {
    p++;
    len--;
  }
  *s = p;
  *n = len;
}

np_err np_valid_mobile(const char *s, size_t n, char out[12], np_errdetail_t *err) {
  if (!s) return np_fail(err, NP_ERR_INVALID, "length", "mobile", "mobile number is empty");
  strip_cn_prefix(&s, &n);
  for (size_t i = 0; i < n; i++)
    if (!is_digit(s[i]))
      return np_fail(err, NP_ERR_INVALID, "charset", "mobile", "mobile number may contain digits only");
  if (n != 11) return np_fail(err, NP_ERR_INVALID, "length", "mobile", "mobile number must have 11 digits");
  if (s[0] != '1' || s[1] < '3')
    return np_fail(err, NP_ERR_INVALID, "prefix", "mobile", "mobile number must start with 13-19");
  if (out) {
    memcpy(out, s, 11);
    out[11] = '\0';
  }
  return NP_OK;
}

/* Writes keep_head chars, '*' for the middle, keep_tail chars of the ASCII string s[n]. */
static size_t mask_keep(const char *s, size_t n, size_t head, size_t tail, char *out, size_t cap) {
  bool ascii = s != NULL;
  for (size_t i = 0; ascii && i < n; i++)
    if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e) ascii = false;
  size_t o = 0;
#define PUT(ch)                                                                                                   \
  do {                                                                                                            \
    if (cap > 0 && o + 1 < cap) out[o] = (ch);                                                                    \
    o++;                                                                                                          \
  } while (0)
  if (!ascii || n <= head + tail) {
    for (int i = 0; i < 4; i++) PUT('*');
  } else {
    for (size_t i = 0; i < n; i++) PUT(i < head || i >= n - tail ? s[i] : '*');
  }
#undef PUT
  if (cap > 0) out[o < cap ? o : cap - 1] = '\0';
  return o;
}

size_t np_mask_id_number(const char *s, size_t n, char *out, size_t cap) {
  return mask_keep(s, n, 3, 4, out, cap);
}

size_t np_mask_mobile(const char *s, size_t n, char *out, size_t cap) {
  if (s) strip_cn_prefix(&s, &n);
  return mask_keep(s, n, 3, 4, out, cap);
}

size_t np_mask_bank_account(const char *s, size_t n, char *out, size_t cap) {
  char buf[64];
  size_t m = 0;
  if (!s || n > 64) return mask_keep(NULL, 0, 4, 4, out, cap);
  for (size_t i = 0; i < n; i++)
    if (s[i] != ' ' && s[i] != '-') buf[m++] = s[i];
  return mask_keep(buf, m, 4, 4, out, cap);
}
