/*
 * Validators for identifiers that come from outside: resident ID number (GB 11643-1999), unified
 * social credit code (GB 32100-2015, with the optional GB 11714 inner check), mainland mobile
 * number; and the masking helpers used wherever personal data is shown (JSON, exports, logs,
 * error messages).
 *
 * Error codes (err->code) are stable and meant for the API and import error files:
 *   ID number: "length", "charset", "region", "birth_date", "future_birth_date", "check_char"
 *   credit code: "length", "charset", "check_char", "org_code"
 *   mobile: "length", "charset", "prefix"
 * Messages never echo the full input (they may end up in logs).
 */
#ifndef NP_CORE_VALID_H
#define NP_CORE_VALID_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/err.h"

/** Asks whether a 6-digit GB/T 2260 code (NUL-terminated) is a known division. */
typedef bool (*np_region_known_fn)(const char code6[7], void *ctx);

typedef struct np_id_info {
  char normalized[19]; /* 18 characters, check character upper-case */
  char region[7];      /* first 6 digits */
  int year, month, day;
  bool male;           /* odd 17th digit */
} np_id_info_t;

/**
 * Validates an 18-character resident ID number: length, charset (17 digits + digit/X/x),
 * region (through `known`; NULL = the first two digits must be a real province code 11..82),
 * a real birth date between 1800-01-01 and today in Asia/Shanghai, and the ISO 7064 MOD 11-2
 * check character. Lower-case x is accepted and normalised to X. `info` and `err` may be NULL.
 */
np_err np_valid_id_number(const char *s, size_t n, np_region_known_fn known, void *ctx, np_id_info_t *info,
                          np_errdetail_t *err);

/**
 * As np_valid_id_number, with "today" given as YYYYMMDD (e.g. 20240315) for the future-date
 * check; 0 means today's date in Asia/Shanghai. For tests and for re-validating historic data.
 */
np_err np_valid_id_number_on(const char *s, size_t n, np_region_known_fn known, void *ctx, int32_t today_ymd,
                             np_id_info_t *info, np_errdetail_t *err);

/** Today's civil date in Asia/Shanghai (UTC+8, no daylight saving) as YYYYMMDD. */
int32_t np_valid_today_shanghai(void);

/** The ID check character ('0'..'9' or 'X') for 17 leading digits; 0 if they are not all digits. */
char np_valid_id_check_char(const char first17[17]);

enum {
  NP_USCC_REQUIRE_ORG_CODE = 1u << 0, /* fail with "org_code" when the GB 11714 inner check fails */
};

typedef struct np_uscc_info {
  char normalized[19]; /* upper-case */
  char region[7];      /* characters 3..8 (administrative division) */
  char authority;      /* character 1: registration authority ('9' = market regulation …) */
  char org_type;       /* character 2 */
  bool org_code_ok;    /* characters 9..17 pass the GB 11714 check */
} np_uscc_info_t;

/**
 * Validates an 18-character unified social credit code: length, charset (the 31 symbols
 * 0-9 A-H J-N P-R T U W-Y; lower-case letters are accepted and normalised), GB 32100 check
 * character. The GB 11714 check of characters 9..17 is reported in info->org_code_ok and only
 * fails the call with flag NP_USCC_REQUIRE_ORG_CODE.
 */
np_err np_valid_uscc(const char *s, size_t n, unsigned flags, np_uscc_info_t *info, np_errdetail_t *err);

/**
 * Validates a mainland mobile number 1[3-9]xxxxxxxxx, optionally prefixed by "+86" or "86"
 * (and then optionally one space or '-'). On success `out` (may be NULL) gets the 11 digits.
 */
np_err np_valid_mobile(const char *s, size_t n, char out[12], np_errdetail_t *err);

/*
 * Masking: each writes a NUL-terminated result into out[cap] (truncating when cap is too small)
 * and returns the length of the full result, like snprintf. Input too short to keep anything, or
 * not plain ASCII, is masked completely ("****").
 */
/** ID number: first 3 and last 4 kept, "370***********1234". */
size_t np_mask_id_number(const char *s, size_t n, char *out, size_t cap);
/** Mobile: first 3 and last 4 kept, "138****1234" (a +86/86 prefix is dropped first). */
size_t np_mask_mobile(const char *s, size_t n, char *out, size_t cap);
/** Bank account: first 4 and last 4 kept, the rest '*' (spaces inside are dropped first). */
size_t np_mask_bank_account(const char *s, size_t n, char *out, size_t cap);

#endif
