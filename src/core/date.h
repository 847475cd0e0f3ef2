/*
 * Civil dates and time stamps.
 *
 * np_date_t counts days since 1970-01-01 in the proleptic Gregorian calendar (1970-01-01 = 0,
 * 1969-12-31 = -1). The supported range is 1900-01-01 .. 2999-12-31 (NP_DATE_MIN .. NP_DATE_MAX):
 * parsing, construction and arithmetic refuse results outside it. Compare dates by their `days`.
 *
 * Time stamps are int64 seconds since the Unix epoch (UTC). Asia/Shanghai is UTC+8 all year (China has
 * no DST since 1991); the Shanghai functions add 8 hours themselves and never consult TZ.
 */
#ifndef NP_CORE_DATE_H
#define NP_CORE_DATE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/err.h"

typedef struct np_date {
  int32_t days; /* days since 1970-01-01 */
} np_date_t;

#define NP_DATE_MIN_YEAR 1900
#define NP_DATE_MAX_YEAR 2999
#define NP_DATE_MIN_DAYS (-25567) /* 1900-01-01 */
#define NP_DATE_MAX_DAYS 376199   /* 2999-12-31 */
#define NP_DATE_STRLEN 11         /* "YYYY-MM-DD" + NUL */
#define NP_TS_STRLEN 21           /* "YYYY-MM-DDTHH:MM:SSZ" + NUL, also fits "YYYY-MM-DD HH:MM:SS" */
#define NP_SHANGHAI_OFFSET (8 * 3600)

/** True for Gregorian leap years. */
bool np_date_is_leap(int year);

/** Days in month m (1–12) of year y; 0 for a bad month. */
int np_date_days_in_month(int year, int month);

/** Builds a date from year/month/day; NP_ERR_INVALID unless it is a real date within 1900–2999. */
np_err np_date_from_ymd(int year, int month, int day, np_date_t *out);

/** Splits a date into year, month (1–12), day (1–31). Any pointer may be NULL. */
void np_date_to_ymd(np_date_t d, int *year, int *month, int *day);

/**
 * Parses exactly "YYYY-MM-DD" (10 bytes, ASCII digits, real date, year 1900–2999). Anything else
 * (other lengths, signs, spaces, "2023-2-1", "2023-02-29") → NP_ERR_INVALID.
 */
np_err np_date_parse(const char *s, size_t n, np_date_t *out);

/** Writes "YYYY-MM-DD" (needs cap >= NP_DATE_STRLEN, else NP_ERR_TOO_LARGE and buf = "" if cap > 0). */
np_err np_date_format(np_date_t d, char *buf, size_t cap);

/** d + n days; NP_ERR_INVALID when the result leaves the supported range. */
np_err np_date_add_days(np_date_t d, int64_t n, np_date_t *out);

/**
 * d + n months (n may be negative), clamping the day to the end of the target month:
 * 2023-01-31 + 1 = 2023-02-28, 2024-01-31 + 1 = 2024-02-29. Years: add 12n months.
 * NP_ERR_INVALID when the result leaves the supported range.
 */
np_err np_date_add_months(np_date_t d, int64_t n, np_date_t *out);

/** b - a in days (positive when b is later). */
int32_t np_date_days_between(np_date_t a, np_date_t b);

/** Calendar quarter of d: 1–4. */
int np_date_quarter(np_date_t d);

/** First day of d's quarter (1 Jan, 1 Apr, 1 Jul, 1 Oct). */
np_date_t np_date_quarter_start(np_date_t d);

/** Last day of d's quarter (31 Mar, 30 Jun, 30 Sep, 31 Dec). */
np_date_t np_date_quarter_end(np_date_t d);

/** First day of d's month. */
np_date_t np_date_month_start(np_date_t d);

/** Last day of d's month. */
np_date_t np_date_month_end(np_date_t d);

/** ISO day of week: 1 = Monday … 7 = Sunday. */
int np_date_weekday(np_date_t d);

/** The Asia/Shanghai civil date of UTC time stamp t (no range check; t from the clock is in range). */
np_date_t np_date_from_unix_shanghai(int64_t t);

/** Today in Asia/Shanghai, from time(). */
np_date_t np_date_today(void);

/** Seconds since the epoch of 00:00 UTC on d. */
int64_t np_date_to_unix_utc(np_date_t d);

/** Writes t as "YYYY-MM-DDTHH:MM:SSZ" (UTC). cap >= NP_TS_STRLEN; years outside 0–9999 → NP_ERR_INVALID. */
np_err np_date_format_ts_utc(int64_t t, char *buf, size_t cap);

/** Writes t as Asia/Shanghai wall time "YYYY-MM-DD HH:MM:SS" (for screens and exports). */
np_err np_date_format_ts_shanghai(int64_t t, char *buf, size_t cap);

/** Parses exactly "YYYY-MM-DDTHH:MM:SSZ" (real date in 1900–2999, 00:00:00–23:59:59) into *t. */
np_err np_date_parse_ts_utc(const char *s, size_t n, int64_t *t);

#endif
