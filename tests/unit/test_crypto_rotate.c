/*
 * Key rotation: versioned key text, a version added to the key file (mode kept, old versions kept),
 * re-sealing every value of an older version (resumable, audited, blind indexes unchanged), opening old
 * and new values, a value of an unknown version refused, and the registry of sealed columns equal to the
 * schema's (every *_sealed column and the TOTP secrets), so a new sealed column cannot be forgotten.
 */
#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "crypto/crypto.h"
#include "crypto/rotate.h"
#include "store/store.h"

static np_store_t *db;
static char key_path[512];

static int setup(void **state) {
  (void)state;
  np_errdetail_t err = {0};
  int applied = 0;
  unsetenv("NP_MASTER_KEY");
  snprintf(key_path, sizeof key_path, "%s/rotate.key", tu_tmpdir());
  remove(key_path);
  if (np_store_open(tu_tmp_db_url("crypto_rotate.db"), &db, &err) || np_store_migrate(db, &applied, &err) ||
      np_crypto_init(key_path, &err)) {
    fprintf(stderr, "setup: %s\n", err.message);
    return -1;
  }
  return 0;
}

static int teardown(void **state) {
  (void)state;
  np_store_close(db);
  np_crypto_shutdown();
  return 0;
}

static void test_key_text(void **state) {
  (void)state;
  np_crypto_key_t k[4];
  size_t n = 0;
  np_errdetail_t e = {0};
  const char *one = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n";
  assert_int_equal(np_crypto_parse_keys(one, strlen(one), k, 4, &n, &e), NP_OK);
  assert_int_equal(n, 1);
  assert_int_equal(k[0].version, 1);
  const char *many = "# comment\n1 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n"
                     "2 ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100\n";
  assert_int_equal(np_crypto_parse_keys(many, strlen(many), k, 4, &n, &e), NP_OK);
  assert_int_equal(n, 2);
  assert_int_equal(k[1].version, 2);
  const char *env = "1:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff,"
                    "3:ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";
  assert_int_equal(np_crypto_parse_keys(env, strlen(env), k, 4, &n, &e), NP_OK);
  assert_int_equal(k[1].version, 3);
  const char *dup = "1 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n"
                    "1 ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100\n";
  assert_int_equal(np_crypto_parse_keys(dup, strlen(dup), k, 4, &n, &e), NP_ERR_CRYPTO);
  assert_string_equal(e.code, "key_format");
  const char *bad = "99 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n";
  assert_int_equal(np_crypto_parse_keys(bad, strlen(bad), k, 4, &n, &e), NP_ERR_CRYPTO);
  /* version 1 roots the blind indexes: a set without it is refused */
  np_crypto_key_t two = {.version = 2};
  assert_int_equal(np_crypto_init_versions(&two, 1, &e), NP_ERR_CRYPTO);
  assert_string_equal(e.code, "key_version");
  assert_int_equal(np_crypto_init(key_path, &e), NP_OK);
}

/* every sealed column of the migrated schema is in the registry, and every registry entry exists */
static void test_registry_matches_schema(void **state) {
  (void)state;
  np_errdetail_t e = {0};
  np_stmt_t *st = NULL;
  bool has = false;
  assert_int_equal(np_store_prepare(db,
                                    "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p "
                                    "WHERE m.type = 'table' AND (p.name LIKE '%\\_sealed' ESCAPE '\\' OR p.name LIKE 'totp\\_%' ESCAPE '\\') "
                                    "AND p.name <> 'totp_last_step'",
                                    &st, &e),
                   NP_OK);
  size_t seen = 0;
  while (np_store_step(st, &has, &e) == NP_OK && has) {
    const char *t = np_store_col_text(st, 0), *c = np_store_col_text(st, 1);
    bool found = false;
    for (size_t i = 0; i < np_sealed_ncolumns; i++)
      if (strcmp(np_sealed_columns[i].table, t) == 0 && strcmp(np_sealed_columns[i].col, c) == 0) found = true;
    if (!found) fail_msg("sealed column %s.%s is not in np_sealed_columns (src/crypto/rotate.c)", t, c);
    seen++;
  }
  np_store_release(st);
  assert_int_equal(seen, np_sealed_ncolumns);
}

static void insert_contacts(int from, int to, char bidx[][NP_CRYPTO_SM3_HEXLEN]) {
  np_errdetail_t e = {0};
  assert_int_equal(np_store_begin(db, &e), NP_OK);
  for (int i = from; i < to; i++) {
    char phone[16], sql[512];
    snprintf(phone, sizeof phone, "138%08d", i);
    char *sealed = NULL;
    assert_int_equal(np_crypto_seal(phone, strlen(phone), &sealed, NULL, &e), NP_OK);
    assert_int_equal(np_crypto_blind_index("mobile", phone, bidx[i], &e), NP_OK);
    snprintf(sql, sizeof sql,
             "INSERT INTO enterprise_contacts (enterprise_id, position, name, phone_sealed, phone_bidx) VALUES (1, %d, 'c', '%s', '%s')",
             i, sealed, bidx[i]);
    assert_int_equal(np_store_exec(db, sql, &e), NP_OK);
    free(sealed);
  }
  assert_int_equal(np_store_commit(db, &e), NP_OK);
}

static int64_t count_version(size_t col, int v) {
  np_sealed_census_t c[32];
  np_errdetail_t e = {0};
  assert_int_equal(np_crypto_sealed_census(db, c, &e), NP_OK);
  return c[col].by_version[v];
}

static void test_rotate_and_reseal(void **state) {
  (void)state;
  np_errdetail_t e = {0};
  size_t col = 0;
  while (strcmp(np_sealed_columns[col].table, "enterprise_contacts") != 0) col++;
  assert_int_equal(np_store_exec(db,
                                 "INSERT INTO enterprises (id, uscc, name, industry_code, industry_section, region_code, "
                                 "township_code, county_code, city_code, size_class, size_basis, created_at, updated_at) "
                                 "VALUES (1, '91370102MA00000001', 'e', '3411', 'C', '370102001', '370102001', '370102', "
                                 "'370100', 'small', 't', 'x', 'x')",
                                 &e),
                   NP_OK);
  static char bidx[60][NP_CRYPTO_SM3_HEXLEN];
  insert_contacts(0, 50, bidx);
  assert_int_equal(np_crypto_key_version(), 1);
  assert_int_equal(count_version(col, 1), 50);
  /* a version 1 value, kept to check it still opens after the rotation */
  char *v1 = NULL;
  assert_int_equal(np_crypto_seal("kept", 4, &v1, NULL, &e), NP_OK);
  assert_int_equal(np_crypto_sealed_version(v1), 1);

  int added = 0;
  assert_int_equal(np_crypto_key_file_add_version(key_path, &added, &e), NP_OK);
  assert_int_equal(added, 2);
  struct stat st;
  assert_int_equal(stat(key_path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
  assert_int_equal(np_crypto_init(key_path, &e), NP_OK);
  assert_int_equal(np_crypto_key_version(), 2);
  insert_contacts(50, 60, bidx); /* sealed with version 2 */
  assert_int_equal(count_version(col, 2), 10);

  np_audit_entry_t actor = {.username = "test"};
  int64_t n = 0;
  assert_int_equal(np_crypto_reseal(db, &actor, 7, &n, &e), NP_OK); /* small batches: several transactions */
  assert_int_equal(n, 50);
  assert_int_equal(count_version(col, 1), 0);
  assert_int_equal(count_version(col, 2), 60);
  assert_int_equal(np_crypto_reseal(db, &actor, 7, &n, &e), NP_OK); /* resumable: nothing left */
  assert_int_equal(n, 0);
  /* every value opens to its phone; blind indexes did not change */
  np_stmt_t *q = NULL;
  bool has = false;
  assert_int_equal(np_store_prepare(db, "SELECT position, phone_sealed, phone_bidx FROM enterprise_contacts ORDER BY position", &q, &e),
                   NP_OK);
  int rows = 0;
  while (np_store_step(q, &has, &e) == NP_OK && has) {
    int i = (int)np_store_col_int64(q, 0);
    char want[16], *plain = NULL, b[NP_CRYPTO_SM3_HEXLEN];
    snprintf(want, sizeof want, "138%08d", i);
    const char *sealed = np_store_col_text(q, 1);
    assert_int_equal(np_crypto_open(sealed, strlen(sealed), &plain, NULL, &e), NP_OK);
    assert_string_equal(plain, want);
    free(plain);
    assert_string_equal(np_store_col_text(q, 2), bidx[i]);
    assert_int_equal(np_crypto_blind_index("mobile", want, b, &e), NP_OK);
    assert_string_equal(b, bidx[i]);
    rows++;
  }
  np_store_release(q);
  assert_int_equal(rows, 60);
  /* audited and on the change feed */
  int64_t audits = 0, changes = 0;
  bool found = false;
  assert_int_equal(np_store_query_int64(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'keys.reseal'", &audits, &found, &e), NP_OK);
  assert_true(audits >= 7); /* 50 values in batches of 7 */
  assert_int_equal(np_store_query_int64(db, "SELECT COUNT(*) FROM changes WHERE entity = 'sealed'", &changes, &found, &e), NP_OK);
  assert_int_equal(changes, audits);
  /* the old version still opens values sealed with it; without version 2 loaded, v2 values are refused */
  char *plain = NULL;
  assert_int_equal(np_crypto_open(v1, strlen(v1), &plain, NULL, &e), NP_OK);
  assert_string_equal(plain, "kept");
  free(plain);
  char *v2 = NULL;
  assert_int_equal(np_crypto_seal("new", 3, &v2, NULL, &e), NP_OK);
  assert_int_equal(np_crypto_sealed_version(v2), 2);
  np_crypto_key_t keys[NP_CRYPTO_MAX_VERSIONS];
  size_t nk = 0;
  assert_int_equal(np_crypto_load_key_file(key_path, keys, NP_CRYPTO_MAX_VERSIONS, &nk, &e), NP_OK);
  assert_int_equal(nk, 2);
  assert_int_equal(np_crypto_init_versions(keys, 1, &e), NP_OK); /* version 1 only */
  assert_int_equal(np_crypto_open(v2, strlen(v2), &plain, NULL, &e), NP_ERR_CRYPTO);
  assert_string_equal(e.code, "key_version");
  assert_null(plain);
  np_crypto_wipe(keys, sizeof keys);
  assert_int_equal(np_crypto_init(key_path, &e), NP_OK);
  free(v1);
  free(v2);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_key_text),
    cmocka_unit_test(test_registry_matches_schema),
    cmocka_unit_test(test_rotate_and_reseal),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
