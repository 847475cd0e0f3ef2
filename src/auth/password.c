/* Password policy and argon2id hashing (see password.h). */
#include "auth/password.h"
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include "core/str.h"

static bool fast_mode(void) {
  const char *e = getenv("NP_ARGON2_FAST");
  return e && strcmp(e, "1") == 0;
}

static void limits(unsigned long long *ops, size_t *mem) {
  if (fast_mode()) {
    *ops = crypto_pwhash_OPSLIMIT_MIN;
    *mem = crypto_pwhash_MEMLIMIT_MIN;
  } else {
    *ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
    *mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
  }
}

static int sodium_rc = -1;
static pthread_once_t sodium_once = PTHREAD_ONCE_INIT;
static void sodium_start(void) { sodium_rc = sodium_init(); }

static bool sodium_ready(void) {
  pthread_once(&sodium_once, sodium_start);
  return sodium_rc >= 0;
}

/* ASCII case-insensitive substring search. */
static bool contains_ci(const char *hay, const char *needle) {
  size_t hn = strlen(hay), nn = strlen(needle);
  if (nn == 0 || nn > hn) return false;
  for (size_t i = 0; i + nn <= hn; i++) {
    size_t j = 0;
    for (; j < nn; j++) {
      unsigned char a = (unsigned char)hay[i + j], b = (unsigned char)needle[j];
      if (a >= 'A' && a <= 'Z') a = (unsigned char)(a + 32);
      if (b >= 'A' && b <= 'Z') b = (unsigned char)(b + 32);
      if (a != b) break;
    }
    if (j == nn) return true;
  }
  return false;
}

np_err np_password_check_policy(const char *username, const char *pw, np_errdetail_t *err) {
  if (!pw) return np_fail(err, NP_ERR_INVALID, "weak_password", "new", "a password is required");
  size_t n = strlen(pw);
  if (n > NP_PASSWORD_MAX_BYTES)
    return np_fail(err, NP_ERR_INVALID, "weak_password", "new", "the password is longer than %d bytes",
                   NP_PASSWORD_MAX_BYTES);
  size_t chars = np_utf8_count(pw, n);
  if (chars == SIZE_MAX) return np_fail(err, NP_ERR_INVALID, "weak_password", "new", "the password is not valid UTF-8");
  bool lower = false, upper = false, digit = false, other = false;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)pw[i];
    if (c < 0x20 || c == 0x7f)
      return np_fail(err, NP_ERR_INVALID, "weak_password", "new", "the password contains control characters");
    if (c >= 'a' && c <= 'z') lower = true;
    else if (c >= 'A' && c <= 'Z') upper = true;
    else if (c >= '0' && c <= '9') digit = true;
    else other = true;
  }
  if (chars < NP_PASSWORD_MIN_CHARS)
    return np_fail(err, NP_ERR_INVALID, "weak_password", "new", "the password must have at least %d characters",
                   NP_PASSWORD_MIN_CHARS);
  int classes = (int)lower + (int)upper + (int)digit + (int)other;
  if (classes < 3)
    return np_fail(err, NP_ERR_INVALID, "weak_password", "new",
                   "the password must mix at least three of: lower-case letters, upper-case letters, digits, "
                   "other characters");
  if (username && strlen(username) >= 3 && contains_ci(pw, username))
    return np_fail(err, NP_ERR_INVALID, "weak_password", "new", "the password must not contain the username");
  if (np_password_is_common(pw))
    return np_fail(err, NP_ERR_INVALID, "weak_password", "new", "the password is on the list of common passwords");
  return NP_OK;
}

np_err np_password_hash(const char *pw, char out[NP_PASSWORD_HASH_CAP]) {
  _Static_assert(NP_PASSWORD_HASH_CAP >= crypto_pwhash_STRBYTES, "hash buffer too small");
  if (!sodium_ready() || !pw) return NP_ERR_INTERNAL;
  unsigned long long ops;
  size_t mem;
  limits(&ops, &mem);
  memset(out, 0, NP_PASSWORD_HASH_CAP);
  if (crypto_pwhash_str(out, pw, strlen(pw), ops, mem) != 0) return NP_ERR_NOMEM;
  return NP_OK;
}

bool np_password_verify(const char *hash, const char *pw) {
  if (!sodium_ready() || !hash || !pw) return false;
  if (strlen(hash) >= crypto_pwhash_STRBYTES) return false;
  return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
}

/* One dummy hash per cost, made once with a random password nobody knows; copied into hash. */
static bool dummy_hash(char hash[NP_PASSWORD_HASH_CAP]) {
  static char dummy[2][NP_PASSWORD_HASH_CAP];
  static bool made[2];
  static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
  int k = fast_mode() ? 1 : 0;
  pthread_mutex_lock(&mu);
  if (!made[k]) {
    char rnd[NP_PASSWORD_GENERATED_LEN + 1];
    if (np_password_generate(rnd, sizeof rnd) == NP_OK && np_password_hash(rnd, dummy[k]) == NP_OK) made[k] = true;
    sodium_memzero(rnd, sizeof rnd);
  }
  bool ok = made[k];
  if (ok && hash) memcpy(hash, dummy[k], NP_PASSWORD_HASH_CAP);
  pthread_mutex_unlock(&mu);
  return ok;
}

np_err np_password_warm_up(void) {
  return dummy_hash(NULL) ? NP_OK : NP_ERR_INTERNAL;
}

void np_password_verify_dummy(const char *pw) {
  char hash[NP_PASSWORD_HASH_CAP] = "";
  (void)dummy_hash(hash);
  (void)np_password_verify(hash, pw ? pw : "");
}

np_err np_password_generate(char *out, size_t cap) {
  static const char lower[] = "abcdefghijkmnpqrstuvwxyz";
  static const char upper[] = "ABCDEFGHJKLMNPQRSTUVWXYZ";
  static const char digit[] = "23456789";
  static const char other[] = "#%+-=@";
  static const char all[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789#%+-=@";
  if (!sodium_ready() || cap < NP_PASSWORD_GENERATED_LEN + 1) return NP_ERR_INVALID;
  for (;;) {
    for (size_t i = 0; i < NP_PASSWORD_GENERATED_LEN; i++) {
      const char *set = all;
      size_t len = sizeof all - 1;
      /* the first four positions guarantee every class; then a shuffle below hides where they are */
      if (i == 0) set = lower, len = sizeof lower - 1;
      else if (i == 1) set = upper, len = sizeof upper - 1;
      else if (i == 2) set = digit, len = sizeof digit - 1;
      else if (i == 3) set = other, len = sizeof other - 1;
      out[i] = set[randombytes_uniform((uint32_t)len)];
    }
    for (size_t i = NP_PASSWORD_GENERATED_LEN - 1; i > 0; i--) {
      size_t j = randombytes_uniform((uint32_t)(i + 1));
      char t = out[i];
      out[i] = out[j];
      out[j] = t;
    }
    out[NP_PASSWORD_GENERATED_LEN] = '\0';
    if (np_password_check_policy(NULL, out, NULL) == NP_OK) return NP_OK;
  }
}

void np_password_wipe(char *pw) {
  if (pw) sodium_memzero(pw, strlen(pw));
}
