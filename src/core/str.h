/*
 * String slices, strict UTF-8, bounded copies, strict integer parsing, hex and constant-time compare.
 * Nothing here allocates.
 */
#ifndef NP_CORE_STR_H
#define NP_CORE_STR_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/err.h"

/** A borrowed run of bytes (not necessarily NUL-terminated). */
typedef struct np_slice {
  const char *p;
  size_t n;
} np_slice_t;

/** Slice over p[0..n). */
np_slice_t np_slice_make(const char *p, size_t n);

/** Slice over a NUL-terminated string (NULL gives the empty slice). */
np_slice_t np_slice_from_cstr(const char *s);

/** Byte-wise equality. */
bool np_slice_eq(np_slice_t a, np_slice_t b);

/** Byte-wise equality with a NUL-terminated string. */
bool np_slice_eq_cstr(np_slice_t a, const char *s);

/** ASCII case-insensitive equality (bytes >= 0x80 compare exactly). */
bool np_slice_case_eq(np_slice_t a, np_slice_t b);

/** True when s begins with prefix. */
bool np_slice_starts_with(np_slice_t s, np_slice_t prefix);

/** Slice without leading and trailing ASCII white space (space, \t, \n, \v, \f, \r). */
np_slice_t np_slice_trim(np_slice_t s);

/** ASCII case-insensitive compare of NUL-terminated strings: <0, 0, >0 like strcmp. NULL sorts first. */
int np_str_casecmp(const char *a, const char *b);

/**
 * strlcpy: copies at most cap-1 bytes of src into dst and NUL-terminates (when cap > 0).
 * Returns strlen(src); truncation happened when the result is >= cap.
 */
size_t np_strlcpy(char *dst, const char *src, size_t cap);

/**
 * Strict UTF-8 check of s[0..n): rejects overlong forms, surrogates (U+D800–U+DFFF), code points
 * above U+10FFFF and truncated sequences. NUL bytes are valid UTF-8 (U+0000); callers that need
 * C strings check for them separately. s may be NULL when n is 0.
 */
bool np_utf8_valid(const char *s, size_t n);

/** Number of code points in s[0..n), or SIZE_MAX when s is not strictly valid UTF-8. */
size_t np_utf8_count(const char *s, size_t n);

/**
 * Decodes one code point at s[0..n) into *cp. Returns the bytes used (1–4), or 0 when the sequence
 * is invalid (same strict rules as np_utf8_valid) or n is 0.
 */
size_t np_utf8_decode(const char *s, size_t n, uint32_t *cp);

/**
 * Parses a base-10 int64 from s[0..n) strictly: optional '-', then 1–19 digits, nothing else (no
 * spaces, no '+', no trailing bytes). Value outside [min, max] or int64 overflow → NP_ERR_INVALID.
 * *out is written only on success.
 */
np_err np_parse_int64(const char *s, size_t n, int64_t min, int64_t max, int64_t *out);

/**
 * Lower-case hex of data[0..n) into out, NUL-terminated. Needs cap >= 2n+1; returns 2n (the length
 * needed without the NUL). When cap is too small nothing is written except out[0] = '\0' (if cap > 0).
 */
size_t np_hex_encode(const void *data, size_t n, char *out, size_t cap);

/**
 * Decodes hex (either case) of even length n into out (cap bytes). *out_len = n/2 on success.
 * Odd length or a non-hex digit → NP_ERR_INVALID; cap < n/2 → NP_ERR_TOO_LARGE.
 */
np_err np_hex_decode(const char *hex, size_t n, uint8_t *out, size_t cap, size_t *out_len);

/**
 * Constant-time equality of a[0..an) and b[0..bn): the time depends only on the lengths, never on
 * where the contents differ. Different lengths are unequal.
 */
bool np_str_ct_equal(const void *a, size_t an, const void *b, size_t bn);

#define NP_FNV1A_INIT 1469598103934665603ull

/**
 * FNV-1a of p[0..n), continuing from h (NP_FNV1A_INIT to start): a fast non-cryptographic hash for
 * tables and seeds. Not for keys an attacker chooses (use a keyed hash: crypto_shorthash).
 */
static inline uint64_t np_hash_fnv1a(uint64_t h, const void *p, size_t n) {
  const unsigned char *b = p;
  for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 1099511628211ull;
  return h;
}

#endif
