/*
 * Second factor: TOTP (RFC 6238 over RFC 4226 HOTP, HMAC-SHA1, 30-second steps, 6 digits, one step
 * of clock drift either way), base32 secrets, otpauth:// URIs, recovery codes and the enrolment QR
 * code as SVG (libqrencode, ECC level M).
 */
#ifndef NP_AUTH_TOTP_H
#define NP_AUTH_TOTP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/err.h"

#define NP_TOTP_STEP 30
#define NP_TOTP_DIGITS 6
#define NP_TOTP_WINDOW 1
#define NP_TOTP_SECRET_BYTES 20
#define NP_TOTP_SECRET_B32 33 /* 32 base32 characters + NUL */
#define NP_RECOVERY_CODES 10
#define NP_RECOVERY_CODE_LEN 10 /* "xxxx-xxxx" + NUL */

/** RFC 4648 base32 without padding, upper-case. Returns the length needed without the NUL; writes
 *  nothing but out[0] = '\0' when cap is too small. */
size_t np_base32_encode(const uint8_t *data, size_t n, char *out, size_t cap);

/** Decodes base32 (either case; spaces and '=' padding ignored). NP_ERR_INVALID on a bad character,
 *  NP_ERR_TOO_LARGE when out is too small. */
np_err np_base32_decode(const char *s, uint8_t *out, size_t cap, size_t *out_len);

/** HOTP value (RFC 4226) for counter with `digits` (6..8) digits. */
uint32_t np_hotp(const uint8_t *key, size_t keylen, uint64_t counter, int digits);

/** TOTP value at unix time t (step 30 s, T0 = 0). */
uint32_t np_totp_at(const uint8_t *key, size_t keylen, int64_t t, int digits);

/**
 * Checks a 6-digit code against the steps now-1 … now+1. A step at or below last_step (the step of
 * the last accepted code) is refused, so a code works once. On success *step_out gets the matched
 * step (store it as the new last_step).
 */
bool np_totp_check(const uint8_t *key, size_t keylen, const char *code, int64_t now, int64_t last_step,
                   int64_t *step_out);

/** A new random 20-byte secret, base32 (32 characters). */
np_err np_totp_new_secret(char out[NP_TOTP_SECRET_B32]);

/**
 * otpauth://totp/nineplus:USER?secret=…&issuer=nineplus&algorithm=SHA1&digits=6&period=30, the
 * username percent-encoded. Returns the full length like snprintf.
 */
size_t np_totp_uri(const char *username, const char *secret_b32, char *out, size_t cap);

/** Ten fresh recovery codes "xxxx-xxxx" (lower-case letters and digits without look-alikes). */
np_err np_recovery_codes_new(char codes[NP_RECOVERY_CODES][NP_RECOVERY_CODE_LEN]);

/**
 * Normalises user input of a recovery code (drops spaces and dashes, lower-cases) into
 * "xxxx-xxxx"; false when it cannot be one.
 */
bool np_recovery_code_normalize(const char *in, char out[NP_RECOVERY_CODE_LEN]);

/** True when s is exactly six ASCII digits (a TOTP code rather than a recovery code). */
bool np_totp_looks_like_code(const char *s);

/** QR code (ECC level M, 4-module quiet zone) of text as a standalone SVG; malloc'd, NULL on failure. */
char *np_totp_qr_svg(const char *text);

#endif
