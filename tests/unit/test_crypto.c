/* crypto: SM3/SM4 known answers, seal/open, tampering, blind index, key file handling. */
#include "testutil.h"
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core/str.h"
#include "crypto/crypto.h"

static void init_test_key(void) {
  unsigned char k[NP_CRYPTO_KEY_BYTES];
  for (size_t i = 0; i < sizeof k; i++) k[i] = (unsigned char)(i * 7 + 1);
  np_errdetail_t e = {0};
  assert_int_equal(np_crypto_init_raw(k, &e), NP_OK);
}

static void test_sm3_vectors(void **state) {
  (void)state;
  char hex[NP_CRYPTO_SM3_HEXLEN];
  np_crypto_sm3_hex("abc", 3, hex);
  assert_string_equal(hex, "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
  /* GB/T 32905 example 2: "abcd" × 16 */
  char m[65];
  for (int i = 0; i < 16; i++) memcpy(m + 4 * i, "abcd", 4);
  np_crypto_sm3_hex(m, 64, hex);
  assert_string_equal(hex, "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732");
}

static void test_sm4_known_answer(void **state) {
  (void)state;
  uint8_t key[16], block[16], out[32], expect[16];
  size_t n;
  assert_int_equal(np_hex_decode("0123456789abcdeffedcba9876543210", 32, key, sizeof key, &n), NP_OK);
  memcpy(block, key, 16);
  assert_int_equal(np_hex_decode("681edf34d206965e86b3e94f536e4246", 32, expect, sizeof expect, &n), NP_OK);
  EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
  int l = 0, l2 = 0;
  assert_int_equal(EVP_EncryptInit_ex(c, EVP_sm4_ecb(), NULL, key, NULL), 1);
  EVP_CIPHER_CTX_set_padding(c, 0);
  assert_int_equal(EVP_EncryptUpdate(c, out, &l, block, 16), 1);
  assert_int_equal(EVP_EncryptFinal_ex(c, out + l, &l2), 1);
  assert_int_equal(l + l2, 16);
  assert_memory_equal(out, expect, 16);
  /* CTR: the first key-stream block is ECB(iv), so encrypting zeros with iv = the example block gives it. */
  uint8_t zeros[16] = {0};
  assert_int_equal(EVP_EncryptInit_ex(c, EVP_sm4_ctr(), NULL, key, block), 1);
  assert_int_equal(EVP_EncryptUpdate(c, out, &l, zeros, 16), 1);
  assert_memory_equal(out, expect, 16);
  EVP_CIPHER_CTX_free(c);
}

static void test_seal_open_round_trip(void **state) {
  (void)state;
  init_test_key();
  const char *vals[] = {"", "3", "370102199003071234", "13812345678", "山东省济南市历下区某某街道", NULL};
  np_errdetail_t e = {0};
  for (int i = 0; vals[i]; i++) {
    char *s = NULL, *s2 = NULL, *p = NULL;
    size_t sl = 0, pl = 0;
    assert_int_equal(np_crypto_seal(vals[i], strlen(vals[i]), &s, &sl, &e), NP_OK);
    assert_int_equal(strlen(s), sl);
    if (strlen(vals[i]) > 8) assert_null(strstr(s, vals[i]));
    assert_int_equal(np_crypto_seal(vals[i], strlen(vals[i]), &s2, NULL, &e), NP_OK);
    assert_string_not_equal(s, s2); /* fresh IV each time */
    assert_int_equal(np_crypto_open(s, sl, &p, &pl, &e), NP_OK);
    assert_int_equal(pl, strlen(vals[i]));
    assert_string_equal(p, vals[i]);
    free(p);
    free(s);
    free(s2);
  }
  /* a larger value */
  size_t big = 100000;
  char *b = malloc(big), *s = NULL, *p = NULL;
  for (size_t i = 0; i < big; i++) b[i] = (char)('a' + i % 26);
  size_t sl, pl;
  assert_int_equal(np_crypto_seal(b, big, &s, &sl, &e), NP_OK);
  assert_int_equal(np_crypto_open(s, sl, &p, &pl, &e), NP_OK);
  assert_int_equal(pl, big);
  assert_memory_equal(p, b, big);
  free(b);
  free(s);
  free(p);
}

/* Flips one bit at byte offset `at` (negative: from the end) of the decoded blob and re-encodes. */
static char *tamper(const char *sealed, long at) {
  size_t n = strlen(sealed);
  unsigned char *blob = malloc(n);
  int bl = EVP_DecodeBlock(blob, (const unsigned char *)sealed, (int)n);
  assert_true(bl > 0);
  /* EVP_DecodeBlock counts padding bytes as zeros: strip them. */
  if (n >= 2 && sealed[n - 1] == '=') bl--;
  if (n >= 2 && sealed[n - 2] == '=') bl--;
  long idx = at >= 0 ? at : bl + at;
  assert_true(idx >= 0 && idx < bl);
  blob[idx] ^= 0x01;
  char *out = malloc((size_t)bl * 2 + 8);
  EVP_EncodeBlock((unsigned char *)out, blob, bl);
  free(blob);
  return out;
}

static void test_tampering_rejected(void **state) {
  (void)state;
  init_test_key();
  np_errdetail_t e = {0};
  char *s = NULL, *p = NULL;
  size_t sl;
  assert_int_equal(np_crypto_seal("370102199003071234", 18, &s, &sl, &e), NP_OK);
  long offsets[] = {0 /* version */, 1 /* iv */, 16 /* iv end */, 17 /* ciphertext */, 34 /* last ct byte */,
                    -1 /* mac */, -32 /* mac start */};
  for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++) {
    char *t = tamper(s, offsets[i]);
    np_errdetail_clear(&e);
    assert_int_equal(np_crypto_open(t, strlen(t), &p, NULL, &e), NP_ERR_CRYPTO);
    assert_null(p);
    assert_true(strcmp(e.code, "mac_mismatch") == 0 || strcmp(e.code, "format") == 0 || strcmp(e.code, "key_version") == 0);
    if (offsets[i] != 0) assert_string_equal(e.code, "mac_mismatch");
    free(t);
  }
  /* truncated, garbage, empty */
  assert_int_equal(np_crypto_open(s, sl - 8, &p, NULL, &e), NP_ERR_CRYPTO);
  assert_int_equal(np_crypto_open("!!!!", 4, &p, NULL, &e), NP_ERR_CRYPTO);
  assert_int_equal(np_crypto_open("", 0, &p, NULL, &e), NP_ERR_CRYPTO);
  /* another key cannot open it */
  unsigned char k2[NP_CRYPTO_KEY_BYTES] = {9};
  assert_int_equal(np_crypto_init_raw(k2, &e), NP_OK);
  assert_int_equal(np_crypto_open(s, sl, &p, NULL, &e), NP_ERR_CRYPTO);
  assert_string_equal(e.code, "mac_mismatch");
  free(s);
}

static void test_blind_index(void **state) {
  (void)state;
  init_test_key();
  np_errdetail_t e = {0};
  char a[65], b[65], c[65], d[65];
  assert_int_equal(np_crypto_blind_index("id_number", "370102199003071234", a, &e), NP_OK);
  assert_int_equal(np_crypto_blind_index("id_number", "370102199003071234", b, &e), NP_OK);
  assert_string_equal(a, b);
  assert_int_equal(strlen(a), 64);
  assert_int_equal(np_crypto_blind_index("mobile", "370102199003071234", c, &e), NP_OK);
  assert_string_not_equal(a, c);
  assert_int_equal(np_crypto_blind_index("id_number", "370102199003071235", d, &e), NP_OK);
  assert_string_not_equal(a, d);
  /* not a plain SM3 of the value */
  char h[65];
  np_crypto_sm3_hex("370102199003071234", 18, h);
  assert_string_not_equal(a, h);
  /* kind/value boundary is unambiguous: ("ab","c") differs from ("a","bc") */
  assert_int_equal(np_crypto_blind_index("ab", "c", c, &e), NP_OK);
  assert_int_equal(np_crypto_blind_index("a", "bc", d, &e), NP_OK);
  assert_string_not_equal(c, d);
  /* another master key gives another index */
  unsigned char k2[NP_CRYPTO_KEY_BYTES] = {1, 2, 3};
  assert_int_equal(np_crypto_init_raw(k2, &e), NP_OK);
  assert_int_equal(np_crypto_blind_index("id_number", "370102199003071234", b, &e), NP_OK);
  assert_string_not_equal(a, b);
  assert_int_equal(np_crypto_blind_index("", "x", b, &e), NP_ERR_INVALID);
}

static void test_key_file(void **state) {
  (void)state;
  unsetenv("NP_MASTER_KEY");
  unsetenv("NP_KEY_FILE");
  char path[800], sub[700];
  snprintf(sub, sizeof sub, "%s/keys", tu_tmpdir());
  snprintf(path, sizeof path, "%s/nineplus.key", sub);
  unlink(path);
  rmdir(sub);
  np_errdetail_t e = {0};
  assert_int_equal(np_crypto_init(path, &e), NP_OK);
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
  assert_int_equal(st.st_size, 65);
  char a[65], b[65];
  assert_int_equal(np_crypto_blind_index("id_number", "x", a, &e), NP_OK);
  /* the same file gives the same keys */
  np_crypto_shutdown();
  assert_false(np_crypto_ready());
  assert_int_equal(np_crypto_blind_index("id_number", "x", b, &e), NP_ERR_CRYPTO);
  assert_int_equal(np_crypto_init(path, &e), NP_OK);
  assert_int_equal(np_crypto_blind_index("id_number", "x", b, &e), NP_OK);
  assert_string_equal(a, b);
  /* a readable-by-others key file is refused */
  assert_int_equal(chmod(path, 0644), 0);
  np_errdetail_clear(&e);
  assert_int_equal(np_crypto_init(path, &e), NP_ERR_CRYPTO);
  assert_string_equal(e.code, "key_file_mode");
  assert_int_equal(chmod(path, 0640), 0);
  assert_int_equal(np_crypto_init(path, &e), NP_ERR_CRYPTO);
  assert_int_equal(chmod(path, 0600), 0);
  assert_int_equal(np_crypto_init(path, &e), NP_OK);
  /* a malformed key file */
  FILE *f = fopen(path, "w");
  fputs("not hex\n", f);
  fclose(f);
  chmod(path, 0600);
  assert_int_equal(np_crypto_init(path, &e), NP_ERR_CRYPTO);
  assert_string_equal(e.code, "key_format");
  /* the environment wins over the file */
  setenv("NP_MASTER_KEY", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", 1);
  assert_int_equal(np_crypto_init(path, &e), NP_OK);
  setenv("NP_MASTER_KEY", "0011", 1);
  assert_int_equal(np_crypto_init(path, &e), NP_ERR_CRYPTO);
  unsetenv("NP_MASTER_KEY");
  /* default key path next to the database */
  char kp[256];
  assert_int_equal(np_crypto_key_path_for_db("sqlite:var/nineplus.db", kp, sizeof kp), NP_OK);
  assert_string_equal(kp, "var/nineplus.key");
  assert_int_equal(np_crypto_key_path_for_db("sqlite:x.db", kp, sizeof kp), NP_OK);
  assert_string_equal(kp, "nineplus.key");
  assert_int_equal(np_crypto_key_path_for_db("postgres://h/db", kp, sizeof kp), NP_OK);
  assert_string_equal(kp, NP_CRYPTO_DEFAULT_KEY_FILE);
  np_crypto_shutdown();
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_sm3_vectors),     cmocka_unit_test(test_sm4_known_answer),
    cmocka_unit_test(test_seal_open_round_trip), cmocka_unit_test(test_tampering_rejected),
    cmocka_unit_test(test_blind_index),     cmocka_unit_test(test_key_file),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
