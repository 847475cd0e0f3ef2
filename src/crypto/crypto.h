/*
 * Keys and the national algorithms (OpenSSL 3 default provider): SM3, SM4-CTR + HMAC-SM3 field
 * encryption (encrypt-then-MAC), the HMAC-SM3 blind index for look-ups. See docs/SECURITY-CRYPTO.md.
 *
 * 32-byte master keys live outside the database: $NP_MASTER_KEY or a key file (mode 0600, created at
 * first run with one key). A file or variable holds one key (64 hex characters) or several versions
 * ("N hex" lines, or "N:hex" entries separated by commas); new values are sealed with the highest
 * version, each sealed value names its version, and `nineplus keys rotate` adds a version and re-seals
 * (crypto/rotate.h). Separate subkeys are derived from each master with HKDF-SM3; the blind-index and
 * audit keys always come from version 1, which therefore stays in the file. np_crypto_init() must run once before np_crypto_seal/open/
 * blind_index (they fail with NP_ERR_CRYPTO otherwise); after it every function is thread-safe (no
 * shared mutable state: EVP contexts are created per call). np_crypto_sm3* need no key and no init.
 */
#ifndef NP_CRYPTO_CRYPTO_H
#define NP_CRYPTO_CRYPTO_H
#include <stdbool.h>
#include <stddef.h>
#include "core/err.h"

#define NP_CRYPTO_KEY_BYTES 32
#define NP_CRYPTO_SM3_BYTES 32
#define NP_CRYPTO_SM3_HEXLEN 65 /* 64 hex digits + NUL */
#define NP_CRYPTO_DEFAULT_KEY_FILE "var/nineplus.key"
/* Sealed value: key version(1) || iv(16) || ciphertext(n) || mac(32), then base64 (standard, padded). */
#define NP_CRYPTO_SEAL_VERSION 1 /* the first key version */
#define NP_CRYPTO_MAX_VERSIONS 32
#define NP_CRYPTO_SEAL_OVERHEAD 49 /* bytes added before base64 */
#define NP_CRYPTO_MAX_PLAIN ((size_t)16 << 20)

/**
 * Loads or creates the master key and derives the subkeys. Order: $NP_MASTER_KEY if set (must be 64
 * hex characters, else NP_ERR_CRYPTO); otherwise key_file (NULL = $NP_KEY_FILE, else
 * NP_CRYPTO_DEFAULT_KEY_FILE). A missing key file is created (O_EXCL, mode 0600, 32 random bytes as
 * hex); an existing one is refused (NP_ERR_CRYPTO, code "key_file_mode") when group or others may read
 * or write it, when it is not a regular file or not owned by the current user. Calling it again
 * replaces the keys (not while other threads use them).
 */
np_err np_crypto_init(const char *key_file_or_null, np_errdetail_t *err);

/** Initialises from a raw master key as version 1 (tests, tools). */
np_err np_crypto_init_raw(const unsigned char master[NP_CRYPTO_KEY_BYTES], np_errdetail_t *err);

/** One version of the master key. */
typedef struct np_crypto_key {
  int version; /* 1 .. NP_CRYPTO_MAX_VERSIONS */
  unsigned char master[NP_CRYPTO_KEY_BYTES];
} np_crypto_key_t;

/** Initialises from several versions (version 1 required; the highest seals new values). */
np_err np_crypto_init_versions(const np_crypto_key_t *keys, size_t n, np_errdetail_t *err);

/** Parses key text (a lone 64-hex key = version 1, or "N hex" lines / "N:hex" comma-separated entries, '#' comments). */
np_err np_crypto_parse_keys(const char *text, size_t len, np_crypto_key_t *keys, size_t cap, size_t *n,
                            np_errdetail_t *err);

/** Reads a key file (created with one fresh key when missing; owner and mode checked as np_crypto_init says). */
np_err np_crypto_load_key_file(const char *path, np_crypto_key_t *keys, size_t cap, size_t *n, np_errdetail_t *err);

/** The key file np_crypto_init reads: key_file_or_null, else $NP_KEY_FILE, else NP_CRYPTO_DEFAULT_KEY_FILE. */
const char *np_crypto_key_file(const char *key_file_or_null);

/** The version new values are sealed with (0 before init). */
int np_crypto_key_version(void);

/** The key version a sealed value names (0 when it is not a sealed value). No key needed. */
int np_crypto_sealed_version(const char *sealed);

/**
 * The default key file for a store URL: "sqlite:DIR/x.db" → "DIR/nineplus.key" ("nineplus.key" when
 * the path has no directory); other URLs → NP_CRYPTO_DEFAULT_KEY_FILE. NP_ERR_TOO_LARGE when cap is short.
 */
np_err np_crypto_key_path_for_db(const char *db_url, char *out, size_t cap);

/** True after a successful np_crypto_init and before np_crypto_shutdown. */
bool np_crypto_ready(void);

/** Wipes every key from memory (OPENSSL_cleanse). Afterwards seal/open/blind_index fail. */
void np_crypto_shutdown(void);

/** Fills buf with n cryptographically random bytes (libsodium randombytes_buf). */
void np_crypto_random(void *buf, size_t n);

/**
 * Encrypts plain[0..n) (n ≤ NP_CRYPTO_MAX_PLAIN; may be 0) with SM4-CTR under a fresh random 16-byte
 * IV and appends HMAC-SM3 over version||iv||ciphertext. *out is malloc'd NUL-terminated base64 text
 * (free() it); *out_len (may be NULL) its length.
 */
np_err np_crypto_seal(const void *plain, size_t n, char **out, size_t *out_len, np_errdetail_t *err);

/**
 * Reverses np_crypto_seal: decodes the base64 text sealed[0..n), checks version and length, verifies
 * the MAC in constant time before decrypting (NP_ERR_CRYPTO, code "mac_mismatch", on any tampering;
 * "format" for bad base64/length/version). *out is malloc'd and NUL-terminated (free() it, after
 * np_crypto_wipe when it held personal data); *out_len (may be NULL) the plaintext length.
 */
np_err np_crypto_open(const char *sealed, size_t n, char **out, size_t *out_len, np_errdetail_t *err);

/**
 * Keyed look-up hash: hex HMAC-SM3 under the blind-index subkey over
 * len32be(kind) || kind || normalised_value. `kind` ("id_number", "mobile", "bank_account") separates
 * domains, so equal values of different kinds give unrelated indexes. The caller normalises the
 * value (np_valid_* give canonical forms). Deterministic for one master key.
 */
np_err np_crypto_blind_index(const char *kind, const char *normalised_value, char out_hex[NP_CRYPTO_SM3_HEXLEN],
                             np_errdetail_t *err);

/** SM3 digest of data[0..n). Needs no key. */
void np_crypto_sm3(const void *data, size_t n, unsigned char out[NP_CRYPTO_SM3_BYTES]);

/** SM3 digest as 64 lower-case hex digits + NUL. */
void np_crypto_sm3_hex(const void *data, size_t n, char out[NP_CRYPTO_SM3_HEXLEN]);

/** Zeroes memory in a way the compiler cannot drop (for plaintexts and password buffers). */
void np_crypto_wipe(void *p, size_t n);

/** Constant-time equality of two equal-length buffers. */
bool np_crypto_equal(const void *a, const void *b, size_t n);

#endif
