/* Keys, SM3, SM4-CTR + HMAC-SM3 field encryption, blind index. See crypto.h and docs/SECURITY-CRYPTO.md. */
#include "crypto/crypto.h"
#include <errno.h>
#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core/str.h"

#define IV_BYTES 16
#define MAC_BYTES 32
#define SM4_KEY_BYTES 16

typedef struct keyset {
  unsigned char enc[SM4_KEY_BYTES]; /* SM4 field encryption */
  unsigned char mac[32];            /* HMAC-SM3 over sealed values */
  unsigned char bidx[32];           /* HMAC-SM3 blind index */
  unsigned char audit[32];          /* reserved: keyed audit anchors */
} keyset_t;

/* Keys by version (sealed values carry theirs in their first byte). Version 1's master also roots the
 * blind-index and audit keys, which never rotate (blind indexes of one-way values cannot be recomputed). */
static keyset_t g_keys[NP_CRYPTO_MAX_VERSIONS + 1];
static bool g_have[NP_CRYPTO_MAX_VERSIONS + 1];
static int g_current; /* version new values are sealed with: the highest loaded */
static bool g_ready;
static EVP_MAC *g_hmac; /* fetched once; immutable and shareable between threads */

static const char KDF_SALT[] = "nineplus/kdf/v1";

void np_crypto_wipe(void *p, size_t n) {
  if (p && n) OPENSSL_cleanse(p, n);
}

bool np_crypto_equal(const void *a, const void *b, size_t n) { return CRYPTO_memcmp(a, b, n) == 0; }

void np_crypto_random(void *buf, size_t n) {
  if (sodium_init() < 0) abort(); /* thread-safe and idempotent; fails only without a random source */
  randombytes_buf(buf, n);
}

void np_crypto_sm3(const void *data, size_t n, unsigned char out[NP_CRYPTO_SM3_BYTES]) {
  unsigned int len = 0;
  static const unsigned char empty[1] = {0};
  if (!EVP_Digest(data ? data : empty, n, out, &len, EVP_sm3(), NULL) || len != NP_CRYPTO_SM3_BYTES)
    memset(out, 0, NP_CRYPTO_SM3_BYTES); /* cannot happen with a working libcrypto */
}

void np_crypto_sm3_hex(const void *data, size_t n, char out[NP_CRYPTO_SM3_HEXLEN]) {
  unsigned char d[NP_CRYPTO_SM3_BYTES];
  np_crypto_sm3(data, n, d);
  np_hex_encode(d, sizeof d, out, NP_CRYPTO_SM3_HEXLEN);
}

/* HKDF-SM3(master, salt, info=label) → out[n]. */
static np_err derive(const unsigned char *master_in, const char *label_in, unsigned char *out, size_t n) {
  np_err rc = NP_ERR_CRYPTO;
  unsigned char master[NP_CRYPTO_KEY_BYTES], salt[sizeof KDF_SALT];
  char label[64];
  memcpy(master, master_in, sizeof master); /* OSSL_PARAM wants non-const pointers */
  memcpy(salt, KDF_SALT, sizeof salt);
  np_strlcpy(label, label_in, sizeof label);
  char digest[] = "SM3";
  EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
  EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
  if (!ctx) goto out;
  OSSL_PARAM params[5];
  params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
  params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, master, sizeof master);
  params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, salt, sizeof salt - 1);
  params[3] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, label, strlen(label));
  params[4] = OSSL_PARAM_construct_end();
  if (EVP_KDF_derive(ctx, out, n, params) == 1) rc = NP_OK;
out:
  EVP_KDF_CTX_free(ctx);
  EVP_KDF_free(kdf);
  np_crypto_wipe(master, sizeof master);
  return rc;
}

static np_err derive_set(const unsigned char master[NP_CRYPTO_KEY_BYTES], keyset_t *k) {
  if (derive(master, "field-encryption/sm4", k->enc, sizeof k->enc) || derive(master, "field-mac/hmac-sm3", k->mac, sizeof k->mac) ||
      derive(master, "blind-index/hmac-sm3", k->bidx, sizeof k->bidx) || derive(master, "audit-chain/hmac-sm3", k->audit, sizeof k->audit))
    return NP_ERR_CRYPTO;
  return NP_OK;
}

np_err np_crypto_init_versions(const np_crypto_key_t *keys, size_t n, np_errdetail_t *err) {
  keyset_t *k = calloc(NP_CRYPTO_MAX_VERSIONS + 1, sizeof *k);
  bool have[NP_CRYPTO_MAX_VERSIONS + 1] = {false};
  int current = 0;
  np_err rc = NP_OK;
  if (!k) return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  if (sodium_init() < 0) {
    rc = np_fail(err, NP_ERR_CRYPTO, "crypto_init", "", "libsodium failed to initialise");
    goto out;
  }
  if (!g_hmac) g_hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
  if (!g_hmac || !EVP_sm3() || !EVP_sm4_ctr()) {
    rc = np_fail(err, NP_ERR_CRYPTO, "crypto_unavailable", "", "SM3/SM4/HMAC are not available in libcrypto");
    goto out;
  }
  for (size_t i = 0; i < n; i++) {
    int v = keys[i].version;
    if (v < 1 || v > NP_CRYPTO_MAX_VERSIONS || have[v]) {
      rc = np_fail(err, NP_ERR_CRYPTO, "key_version", "", "key version %d is out of range 1..%d or given twice", v,
                   NP_CRYPTO_MAX_VERSIONS);
      goto out;
    }
    if (derive_set(keys[i].master, &k[v])) {
      rc = np_fail(err, NP_ERR_CRYPTO, "crypto_kdf", "", "key derivation (HKDF-SM3) failed");
      goto out;
    }
    have[v] = true;
    if (v > current) current = v;
  }
  if (!have[1]) {
    rc = np_fail(err, NP_ERR_CRYPTO, "key_version", "", "key version 1 is missing (it roots the blind indexes)");
    goto out;
  }
  (void)sodium_mlock(g_keys, sizeof g_keys); /* best effort: keep keys out of swap */
  memcpy(g_keys, k, sizeof g_keys);
  memcpy(g_have, have, sizeof have);
  g_current = current;
  g_ready = true;
out:
  np_crypto_wipe(k, (NP_CRYPTO_MAX_VERSIONS + 1) * sizeof *k);
  free(k);
  return rc;
}

np_err np_crypto_init_raw(const unsigned char master[NP_CRYPTO_KEY_BYTES], np_errdetail_t *err) {
  np_crypto_key_t k = {.version = 1};
  memcpy(k.master, master, sizeof k.master);
  np_err rc = np_crypto_init_versions(&k, 1, err);
  np_crypto_wipe(&k, sizeof k);
  return rc;
}

int np_crypto_key_version(void) { return g_ready ? g_current : 0; }

int np_crypto_sealed_version(const char *sealed) {
  unsigned char b[3];
  size_t got = 0;
  if (!sealed || strlen(sealed) < 4 ||
      sodium_base642bin(b, sizeof b, sealed, 4, NULL, &got, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 || got < 1)
    return 0;
  return b[0];
}

static np_err parse_hex_key(const char *s, size_t n, unsigned char out[NP_CRYPTO_KEY_BYTES], np_errdetail_t *err,
                            const char *what) {
  size_t got = 0;
  if (n != 2 * NP_CRYPTO_KEY_BYTES || np_hex_decode(s, n, out, NP_CRYPTO_KEY_BYTES, &got) != NP_OK ||
      got != NP_CRYPTO_KEY_BYTES)
    return np_fail(err, NP_ERR_CRYPTO, "key_format", "", "%s must be 64 hex characters (32 bytes)", what);
  return NP_OK;
}

/* Creates path with a fresh key, atomically: write a private temporary file, then link() it into place,
 * which fails with EEXIST when another process won the race (its key is then used). */
static np_err create_key_file(const char *path, np_errdetail_t *err) {
  char tmp[4096];
  unsigned char raw[NP_CRYPTO_KEY_BYTES];
  char hex[2 * NP_CRYPTO_KEY_BYTES + 2];
  np_err rc = NP_OK;
  int n = snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
  if (n < 0 || (size_t)n >= sizeof tmp) return np_fail(err, NP_ERR_TOO_LARGE, "key_file", "", "key file path too long");
  /* Create the folder (one level, e.g. var/) when missing. */
  char dir[4096];
  np_strlcpy(dir, path, sizeof dir);
  char *slash = strrchr(dir, '/');
  if (slash && slash != dir) {
    *slash = '\0';
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
      return np_fail(err, NP_ERR_IO, "key_file", "", "cannot create the key folder %s: %s", dir, strerror(errno));
  }
  (void)unlink(tmp);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return np_fail(err, NP_ERR_IO, "key_file", "", "cannot create key file %s: %s", tmp, strerror(errno));
  np_crypto_random(raw, sizeof raw);
  np_hex_encode(raw, sizeof raw, hex, sizeof hex);
  hex[2 * NP_CRYPTO_KEY_BYTES] = '\n';
  hex[2 * NP_CRYPTO_KEY_BYTES + 1] = '\0';
  size_t len = 2 * NP_CRYPTO_KEY_BYTES + 1;
  if (fchmod(fd, 0600) != 0 || write(fd, hex, len) != (ssize_t)len || fsync(fd) != 0) {
    rc = np_fail(err, NP_ERR_IO, "key_file", "", "cannot write key file %s: %s", tmp, strerror(errno));
    close(fd);
    (void)unlink(tmp);
    goto out;
  }
  close(fd);
  if (link(tmp, path) != 0 && errno != EEXIST)
    rc = np_fail(err, NP_ERR_IO, "key_file", "", "cannot create key file %s: %s", path, strerror(errno));
  (void)unlink(tmp);
out:
  np_crypto_wipe(raw, sizeof raw);
  np_crypto_wipe(hex, sizeof hex);
  return rc;
}

np_err np_crypto_parse_keys(const char *text, size_t len, np_crypto_key_t *keys, size_t cap, size_t *n,
                            np_errdetail_t *err) {
  *n = 0;
  size_t i = 0, entry = 0;
  while (i < len) {
    size_t e = i;
    while (e < len && text[e] != '\n' && text[e] != ',') e++;
    size_t a = i, b = e;
    i = e + 1;
    entry++;
    while (a < b && (text[a] == ' ' || text[a] == '\t' || text[a] == '\r')) a++;
    while (b > a && (text[b - 1] == ' ' || text[b - 1] == '\t' || text[b - 1] == '\r')) b--;
    if (a == b || text[a] == '#') continue;
    int version = 1;
    size_t sep = a;
    while (sep < b && text[sep] != ' ' && text[sep] != ':') sep++;
    if (sep < b) { /* "N hex" or "N:hex" */
      int64_t v = 0;
      if (np_parse_int64(text + a, sep - a, 1, NP_CRYPTO_MAX_VERSIONS, &v) != NP_OK)
        return np_fail(err, NP_ERR_CRYPTO, "key_format", "", "key entry %zu: the version must be 1..%d", entry,
                       NP_CRYPTO_MAX_VERSIONS);
      version = (int)v;
      a = sep + 1;
      while (a < b && text[a] == ' ') a++;
    } else if (*n > 0) {
      return np_fail(err, NP_ERR_CRYPTO, "key_format", "", "key entry %zu has no version (only a lone key may omit it)",
                     entry);
    }
    if (*n >= cap) return np_fail(err, NP_ERR_CRYPTO, "key_format", "", "more than %zu keys", cap);
    for (size_t k = 0; k < *n; k++)
      if (keys[k].version == version)
        return np_fail(err, NP_ERR_CRYPTO, "key_format", "", "key version %d is given twice", version);
    np_err rc = parse_hex_key(text + a, b - a, keys[*n].master, err, "a key");
    if (rc) return rc;
    keys[*n].version = version;
    (*n)++;
  }
  if (*n == 0) return np_fail(err, NP_ERR_CRYPTO, "key_format", "", "no key found");
  return NP_OK;
}

/* Opens the key file (creating it with one fresh key when missing) and checks its owner and mode. */
static int open_key_file(const char *path, np_errdetail_t *err) {
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    if (create_key_file(path, err)) return -1;
    fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  }
  if (fd < 0) {
    np_fail(err, NP_ERR_CRYPTO, "key_file", "", "cannot open key file %s: %s", path, strerror(errno));
    return -1;
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    np_fail(err, NP_ERR_CRYPTO, "key_file_mode", "", "key file %s is not a regular file", path);
  } else if (st.st_mode & (S_IRWXG | S_IRWXO)) {
    np_fail(err, NP_ERR_CRYPTO, "key_file_mode", "", "key file %s has mode %03o: group/others must have no access (chmod 600)",
            path, (unsigned)(st.st_mode & 0777));
  } else if (st.st_uid != geteuid()) {
    np_fail(err, NP_ERR_CRYPTO, "key_file_mode", "", "key file %s is not owned by the current user", path);
  } else {
    return fd;
  }
  close(fd);
  return -1;
}

np_err np_crypto_load_key_file(const char *path, np_crypto_key_t *keys, size_t cap, size_t *n, np_errdetail_t *err) {
  np_err rc = NP_OK;
  char buf[NP_CRYPTO_MAX_VERSIONS * 80];
  *n = 0;
  int fd = open_key_file(path, err);
  if (fd < 0) return NP_ERR_CRYPTO;
  ssize_t got = read(fd, buf, sizeof buf);
  if (got < 0) {
    rc = np_fail(err, NP_ERR_IO, "key_file", "", "cannot read key file %s: %s", path, strerror(errno));
    goto out;
  }
  if ((size_t)got == sizeof buf) {
    rc = np_fail(err, NP_ERR_CRYPTO, "key_format", "", "key file %s is too large", path);
    goto out;
  }
  rc = np_crypto_parse_keys(buf, (size_t)got, keys, cap, n, err);
  if (rc && err) {
    char msg[sizeof err->message];
    np_strlcpy(msg, err->message, sizeof msg);
    snprintf(err->message, sizeof err->message, "key file %s: %.200s", path, msg);
  }
out:
  np_crypto_wipe(buf, sizeof buf);
  close(fd);
  return rc;
}

const char *np_crypto_key_file(const char *key_file_or_null) {
  const char *path = key_file_or_null;
  if (!path || !*path) path = getenv("NP_KEY_FILE");
  if (!path || !*path) path = NP_CRYPTO_DEFAULT_KEY_FILE;
  return path;
}

np_err np_crypto_init(const char *key_file_or_null, np_errdetail_t *err) {
  np_crypto_key_t keys[NP_CRYPTO_MAX_VERSIONS];
  size_t n = 0;
  np_err rc;
  const char *env = getenv("NP_MASTER_KEY");
  if (env && *env) {
    rc = np_crypto_parse_keys(env, strlen(env), keys, NP_CRYPTO_MAX_VERSIONS, &n, err);
    if (rc && err)
      np_strlcpy(err->message, "NP_MASTER_KEY must be 64 hex characters (32 bytes), or version:hex entries separated by commas",
                 sizeof err->message);
  } else {
    rc = np_crypto_load_key_file(np_crypto_key_file(key_file_or_null), keys, NP_CRYPTO_MAX_VERSIONS, &n, err);
  }
  if (rc == NP_OK) rc = np_crypto_init_versions(keys, n, err);
  np_crypto_wipe(keys, sizeof keys);
  return rc;
}

np_err np_crypto_key_path_for_db(const char *db_url, char *out, size_t cap) {
  const char *p = NULL;
  size_t dirlen = 0;
  if (db_url && strncmp(db_url, "sqlite:", 7) == 0) {
    p = db_url + 7;
    const char *slash = strrchr(p, '/');
    dirlen = slash ? (size_t)(slash - p) + 1 : 0;
  }
  int n = p ? snprintf(out, cap, "%.*snineplus.key", (int)dirlen, p) : snprintf(out, cap, "%s", NP_CRYPTO_DEFAULT_KEY_FILE);
  if (n < 0 || (size_t)n >= cap) {
    if (cap) out[0] = '\0';
    return NP_ERR_TOO_LARGE;
  }
  return NP_OK;
}

bool np_crypto_ready(void) { return g_ready; }

void np_crypto_shutdown(void) {
  g_ready = false;
  g_current = 0;
  memset(g_have, 0, sizeof g_have);
  np_crypto_wipe(g_keys, sizeof g_keys);
  (void)sodium_munlock(g_keys, sizeof g_keys); /* also zeroes */
  EVP_MAC_free(g_hmac);
  g_hmac = NULL;
}

/* HMAC-SM3 over up to three pieces. */
static np_err hmac_sm3(const unsigned char *key, size_t klen, const void *a, size_t an, const void *b, size_t bn,
                       const void *c, size_t cn, unsigned char out[MAC_BYTES]) {
  np_err rc = NP_ERR_CRYPTO;
  EVP_MAC_CTX *ctx = g_hmac ? EVP_MAC_CTX_new(g_hmac) : NULL;
  size_t outl = 0;
  OSSL_PARAM params[2] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SM3", 0),
                          OSSL_PARAM_construct_end()};
  if (!ctx || EVP_MAC_init(ctx, key, klen, params) != 1) goto out;
  if ((an && EVP_MAC_update(ctx, a, an) != 1) || (bn && EVP_MAC_update(ctx, b, bn) != 1) ||
      (cn && EVP_MAC_update(ctx, c, cn) != 1))
    goto out;
  if (EVP_MAC_final(ctx, out, &outl, MAC_BYTES) != 1 || outl != MAC_BYTES) goto out;
  rc = NP_OK;
out:
  EVP_MAC_CTX_free(ctx);
  return rc;
}

/* SM4-CTR (encryption and decryption are the same operation). */
static np_err sm4_ctr(const unsigned char key[SM4_KEY_BYTES], const unsigned char iv[IV_BYTES], const unsigned char *in,
                      size_t n, unsigned char *out) {
  np_err rc = NP_ERR_CRYPTO;
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
  int l1 = 0, l2 = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx, EVP_sm4_ctr(), NULL, key, iv) != 1) goto out;
  size_t done = 0;
  while (done < n) { /* EVP_EncryptUpdate takes an int length */
    size_t chunk = n - done > ((size_t)1 << 30) ? ((size_t)1 << 30) : n - done;
    if (EVP_EncryptUpdate(ctx, out + done, &l1, in + done, (int)chunk) != 1 || (size_t)l1 != chunk) goto out;
    done += chunk;
  }
  if (EVP_EncryptFinal_ex(ctx, out + done, &l2) != 1 || l2 != 0) goto out;
  rc = NP_OK;
out:
  EVP_CIPHER_CTX_free(ctx);
  return rc;
}

np_err np_crypto_seal(const void *plain, size_t n, char **out, size_t *out_len, np_errdetail_t *err) {
  *out = NULL;
  if (!g_ready) return np_fail(err, NP_ERR_CRYPTO, "crypto_not_ready", "", "keys are not loaded (np_crypto_init)");
  if (n > NP_CRYPTO_MAX_PLAIN || (n && !plain))
    return np_fail(err, NP_ERR_TOO_LARGE, "too_large", "", "value to encrypt is over %zu bytes", NP_CRYPTO_MAX_PLAIN);
  size_t blen = n + NP_CRYPTO_SEAL_OVERHEAD;
  unsigned char *blob = malloc(blen);
  size_t b64cap = sodium_base64_ENCODED_LEN(blen, sodium_base64_VARIANT_ORIGINAL);
  char *b64 = malloc(b64cap);
  np_err rc = NP_OK;
  if (!blob || !b64) {
    rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
    goto out;
  }
  const keyset_t *k = &g_keys[g_current];
  blob[0] = (unsigned char)g_current;
  np_crypto_random(blob + 1, IV_BYTES);
  if (sm4_ctr(k->enc, blob + 1, plain, n, blob + 1 + IV_BYTES) ||
      hmac_sm3(k->mac, sizeof k->mac, blob, 1 + IV_BYTES + n, NULL, 0, NULL, 0, blob + 1 + IV_BYTES + n)) {
    rc = np_fail(err, NP_ERR_CRYPTO, "crypto_failed", "", "encryption failed");
    goto out;
  }
  sodium_bin2base64(b64, b64cap, blob, blen, sodium_base64_VARIANT_ORIGINAL);
  if (out_len) *out_len = strlen(b64);
  *out = b64;
  b64 = NULL;
out:
  free(blob);
  free(b64);
  return rc;
}

np_err np_crypto_open(const char *sealed, size_t n, char **out, size_t *out_len, np_errdetail_t *err) {
  *out = NULL;
  if (!g_ready) return np_fail(err, NP_ERR_CRYPTO, "crypto_not_ready", "", "keys are not loaded (np_crypto_init)");
  if (!sealed || n < 4 || n > (NP_CRYPTO_MAX_PLAIN + NP_CRYPTO_SEAL_OVERHEAD) / 3 * 4 + 4)
    return np_fail(err, NP_ERR_CRYPTO, "format", "", "sealed value has a bad length");
  size_t cap = n / 4 * 3;
  unsigned char *blob = malloc(cap);
  char *plain = NULL;
  size_t blen = 0, ctlen = 0;
  np_err rc = NP_OK;
  if (!blob) return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  if (sodium_base642bin(blob, cap, sealed, n, NULL, &blen, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      blen < NP_CRYPTO_SEAL_OVERHEAD || blob[0] < 1 || blob[0] > NP_CRYPTO_MAX_VERSIONS) {
    rc = np_fail(err, NP_ERR_CRYPTO, "format", "", "sealed value is not in the expected format");
    goto out;
  }
  if (!g_have[blob[0]]) {
    rc = np_fail(err, NP_ERR_CRYPTO, "key_version", "", "sealed with key version %d, which is not loaded", blob[0]);
    goto out;
  }
  const keyset_t *k = &g_keys[blob[0]];
  ctlen = blen - NP_CRYPTO_SEAL_OVERHEAD;
  unsigned char mac[MAC_BYTES];
  if (hmac_sm3(k->mac, sizeof k->mac, blob, 1 + IV_BYTES + ctlen, NULL, 0, NULL, 0, mac)) {
    rc = np_fail(err, NP_ERR_CRYPTO, "crypto_failed", "", "MAC computation failed");
    goto out;
  }
  if (!np_crypto_equal(mac, blob + 1 + IV_BYTES + ctlen, MAC_BYTES)) {
    rc = np_fail(err, NP_ERR_CRYPTO, "mac_mismatch", "", "sealed value failed authentication");
    goto out;
  }
  plain = malloc(ctlen + 1);
  if (!plain) {
    rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
    goto out;
  }
  if (sm4_ctr(k->enc, blob + 1, blob + 1 + IV_BYTES, ctlen, (unsigned char *)plain)) {
    rc = np_fail(err, NP_ERR_CRYPTO, "crypto_failed", "", "decryption failed");
    goto out;
  }
  plain[ctlen] = '\0';
  if (out_len) *out_len = ctlen;
  *out = plain;
  plain = NULL;
out:
  if (plain) {
    np_crypto_wipe(plain, ctlen + 1);
    free(plain);
  }
  free(blob);
  return rc;
}

np_err np_crypto_blind_index(const char *kind, const char *normalised_value, char out_hex[NP_CRYPTO_SM3_HEXLEN],
                             np_errdetail_t *err) {
  out_hex[0] = '\0';
  if (!g_ready) return np_fail(err, NP_ERR_CRYPTO, "crypto_not_ready", "", "keys are not loaded (np_crypto_init)");
  if (!kind || !*kind || !normalised_value)
    return np_fail(err, NP_ERR_INVALID, "blind_index", "", "blind index needs a kind and a value");
  size_t kl = strlen(kind);
  if (kl > 255) return np_fail(err, NP_ERR_INVALID, "blind_index", "", "blind index kind too long");
  unsigned char len4[4] = {0, 0, 0, (unsigned char)kl};
  unsigned char mac[MAC_BYTES];
  if (hmac_sm3(g_keys[1].bidx, sizeof g_keys[1].bidx, len4, 4, kind, kl, normalised_value, strlen(normalised_value), mac))
    return np_fail(err, NP_ERR_CRYPTO, "crypto_failed", "", "blind index computation failed");
  np_hex_encode(mac, sizeof mac, out_hex, NP_CRYPTO_SM3_HEXLEN);
  return NP_OK;
}
