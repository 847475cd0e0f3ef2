#include "core/date.h"
#include <stdio.h>
#include <time.h>

bool np_date_is_leap(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int np_date_days_in_month(int y, int m) {
  static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12) return 0;
  return m == 2 && np_date_is_leap(y) ? 29 : dim[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

static bool in_range(int64_t days) {
  return days >= NP_DATE_MIN_DAYS && days <= NP_DATE_MAX_DAYS;
}

np_err np_date_from_ymd(int y, int m, int d, np_date_t *out) {
  if (y < NP_DATE_MIN_YEAR || y > NP_DATE_MAX_YEAR || m < 1 || m > 12 || d < 1 ||
      d > np_date_days_in_month(y, m))
    return NP_ERR_INVALID;
  if (out) out->days = (int32_t)days_from_civil(y, m, d);
  return NP_OK;
}

void np_date_to_ymd(np_date_t dt, int *y, int *m, int *d) {
  int64_t yy;
  int mm, dd;
  civil_from_days(dt.days, &yy, &mm, &dd);
  if (y) *y = (int)yy;
  if (m) *m = mm;
  if (d) *d = dd;
}

static int digits(const char *s, size_t n) {
  int v = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

np_err np_date_parse(const char *s, size_t n, np_date_t *out) {
  if (!s || n != 10 || s[4] != '-' || s[7] != '-') return NP_ERR_INVALID;
  int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
  if (y < 0 || m < 0 || d < 0) return NP_ERR_INVALID;
  return np_date_from_ymd(y, m, d, out);
}

np_err np_date_format(np_date_t dt, char *buf, size_t cap) {
  if (!buf || cap < NP_DATE_STRLEN) {
    if (buf && cap) buf[0] = '\0';
    return NP_ERR_TOO_LARGE;
  }
  int64_t y;
  int m, d;
  civil_from_days(dt.days, &y, &m, &d);
  if (y < 0 || y > 9999) {
    buf[0] = '\0';
    return NP_ERR_INVALID;
  }
  snprintf(buf, cap, "%04d-%02d-%02d", (int)y, m, d);
  return NP_OK;
}

np_err np_date_add_days(np_date_t d, int64_t n, np_date_t *out) {
  if (n > (int64_t)NP_DATE_MAX_DAYS - NP_DATE_MIN_DAYS || n < (int64_t)NP_DATE_MIN_DAYS - NP_DATE_MAX_DAYS)
    return NP_ERR_INVALID;
  int64_t r = (int64_t)d.days + n;
  if (!in_range(r)) return NP_ERR_INVALID;
  if (out) out->days = (int32_t)r;
  return NP_OK;
}

np_err np_date_add_months(np_date_t dt, int64_t n, np_date_t *out) {
  if (n > 12 * 2000 || n < -12 * 2000) return NP_ERR_INVALID;
  int64_t y;
  int m, d;
  civil_from_days(dt.days, &y, &m, &d);
  int64_t total = y * 12 + (m - 1) + n;
  int64_t ny = total >= 0 ? total / 12 : (total - 11) / 12;
  int nm = (int)(total - ny * 12) + 1;
  if (ny < NP_DATE_MIN_YEAR || ny > NP_DATE_MAX_YEAR) return NP_ERR_INVALID;
  int dim = np_date_days_in_month((int)ny, nm);
  if (d > dim) d = dim;
  return np_date_from_ymd((int)ny, nm, d, out);
}

int32_t np_date_days_between(np_date_t a, np_date_t b) {
  return (int32_t)((int64_t)b.days - a.days);
}

int np_date_quarter(np_date_t d) {
  int m;
  np_date_to_ymd(d, NULL, &m, NULL);
  return (m - 1) / 3 + 1;
}

np_date_t np_date_quarter_start(np_date_t d) {
  int y, m;
  np_date_to_ymd(d, &y, &m, NULL);
  np_date_t r = {(int32_t)days_from_civil(y, (m - 1) / 3 * 3 + 1, 1)};
  return r;
}

np_date_t np_date_quarter_end(np_date_t d) {
  int y, m;
  np_date_to_ymd(d, &y, &m, NULL);
  int em = (m - 1) / 3 * 3 + 3;
  np_date_t r = {(int32_t)days_from_civil(y, em, np_date_days_in_month(y, em))};
  return r;
}

np_date_t np_date_month_start(np_date_t d) {
  int y, m;
  np_date_to_ymd(d, &y, &m, NULL);
  np_date_t r = {(int32_t)days_from_civil(y, m, 1)};
  return r;
}

np_date_t np_date_month_end(np_date_t d) {
  int y, m;
  np_date_to_ymd(d, &y, &m, NULL);
  np_date_t r = {(int32_t)days_from_civil(y, m, np_date_days_in_month(y, m))};
  return r;
}

int np_date_weekday(np_date_t d) {
  /* 1970-01-01 was a Thursday (ISO 4). */
  int64_t w = ((int64_t)d.days + 3) % 7;
  if (w < 0) w += 7;
  return (int)w + 1;
}

static int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
  return q;
}

np_date_t np_date_from_unix_shanghai(int64_t t) {
  if (t > INT64_MAX - NP_SHANGHAI_OFFSET) t = INT64_MAX - NP_SHANGHAI_OFFSET;
  int64_t days = floor_div(t + NP_SHANGHAI_OFFSET, 86400);
  if (days > INT32_MAX) days = INT32_MAX;
  if (days < INT32_MIN) days = INT32_MIN;
  np_date_t r = {(int32_t)days};
  return r;
}

np_date_t np_date_today(void) {
  return np_date_from_unix_shanghai((int64_t)time(NULL));
}

int64_t np_date_to_unix_utc(np_date_t d) {
  return (int64_t)d.days * 86400;
}

static np_err format_ts(int64_t t, char *buf, size_t cap, bool utc) {
  if (!buf || cap < NP_TS_STRLEN) {
    if (buf && cap) buf[0] = '\0';
    return NP_ERR_TOO_LARGE;
  }
  buf[0] = '\0';
  /* Years 0..9999 only: keeps every intermediate far from overflow. */
  if (t < -62167219200LL || t > 253402300799LL) return NP_ERR_INVALID;
  if (!utc) t += NP_SHANGHAI_OFFSET;
  int64_t days = floor_div(t, 86400), secs = t - days * 86400;
  int64_t y;
  int m, d;
  civil_from_days(days, &y, &m, &d);
  if (y < 0 || y > 9999) return NP_ERR_INVALID;
  int hh = (int)(secs / 3600), mi = (int)(secs / 60 % 60), ss = (int)(secs % 60);
  if (utc)
    snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02dZ", (int)y, m, d, hh, mi, ss);
  else
    snprintf(buf, cap, "%04d-%02d-%02d %02d:%02d:%02d", (int)y, m, d, hh, mi, ss);
  return NP_OK;
}

np_err np_date_format_ts_utc(int64_t t, char *buf, size_t cap) {
  return format_ts(t, buf, cap, true);
}

np_err np_date_format_ts_shanghai(int64_t t, char *buf, size_t cap) {
  return format_ts(t, buf, cap, false);
}

np_err np_date_parse_ts_utc(const char *s, size_t n, int64_t *t) {
  if (!s || n != 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z') return NP_ERR_INVALID;
  np_date_t d;
  if (np_date_parse(s, 10, &d)) return NP_ERR_INVALID;
  int hh = digits(s + 11, 2), mi = digits(s + 14, 2), ss = digits(s + 17, 2);
  if (hh < 0 || hh > 23 || mi < 0 || mi > 59 || ss < 0 || ss > 59) return NP_ERR_INVALID;
  if (t) *t = np_date_to_unix_utc(d) + hh * 3600 + mi * 60 + ss;
  return NP_OK;
}
