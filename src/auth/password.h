/*
 * Passwords: the policy (length, character classes, username, common passwords) and argon2id
 * hashing through libsodium's crypto_pwhash_str.
 *
 * Cost: OPSLIMIT_INTERACTIVE / MEMLIMIT_INTERACTIVE. The environment variable NP_ARGON2_FAST=1
 * selects OPSLIMIT_MIN / MEMLIMIT_MIN instead; it exists only so that the test suites run fast
 * under AddressSanitizer and must never be set in production. Verification reads the cost from
 * the stored hash, so hashes made either way verify either way.
 */
#ifndef NP_AUTH_PASSWORD_H
#define NP_AUTH_PASSWORD_H
#include <stdbool.h>
#include <stddef.h>
#include "core/err.h"

#define NP_PASSWORD_MIN_CHARS 10
#define NP_PASSWORD_MAX_BYTES 256 /* longer input is refused before hashing */
#define NP_PASSWORD_HASH_CAP 128  /* >= crypto_pwhash_STRBYTES */
#define NP_PASSWORD_GENERATED_LEN 16

/**
 * Checks pw against the policy: at least 10 characters (code points), at most 256 bytes, valid
 * UTF-8 without control characters, at least three of the four classes lower / upper / digit /
 * other, not containing the username (ASCII case-insensitive; usernames shorter than 3 are not
 * searched), not in the list of common passwords (case-insensitive). On failure NP_ERR_INVALID with
 * code "weak_password", field "new" and a message saying why.
 */
np_err np_password_check_policy(const char *username, const char *pw, np_errdetail_t *err);

/** True when pw (ASCII case-insensitive) is in the embedded list of common passwords. */
bool np_password_is_common(const char *pw);

/** Number of entries in the common password list (for tests). */
size_t np_password_common_count(void);

/** argon2id hash of pw into out (NUL-terminated encoded string). NP_ERR_NOMEM when libsodium fails. */
np_err np_password_hash(const char *pw, char out[NP_PASSWORD_HASH_CAP]);

/** True when pw matches the encoded hash (false for a malformed hash). */
bool np_password_verify(const char *hash, const char *pw);

/**
 * Verifies pw against a fixed dummy hash of the current cost and returns false: used for unknown
 * usernames so that they take as long as a wrong password for a real one.
 */
void np_password_verify_dummy(const char *pw);
/**
 * Makes the dummy hash now (at server start), so the first unknown-user sign-in does not take one
 * hash longer than the others (which would tell that the name is unknown). Idempotent.
 */
np_err np_password_warm_up(void);

/**
 * A random password that satisfies the policy (16 characters from an unambiguous alphabet with
 * all four classes), NUL-terminated. cap >= NP_PASSWORD_GENERATED_LEN + 1.
 */
np_err np_password_generate(char *out, size_t cap);

/** Wipes a NUL-terminated buffer (sodium_memzero over its length). NULL allowed. */
void np_password_wipe(char *pw);

#endif
