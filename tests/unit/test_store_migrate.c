#include "testutil.h"
#include <string.h>
#include "core/embed.h"
#include "store/store.h"

static const char *core_sql(void) {
  const np_embed_entry_t *e = np_embed_find("migrations/0001_store_core.sql");
  assert_non_null(e);
  return (const char *)e->data;
}

static np_store_t *open_db(const char *name) {
  np_store_t *s = NULL;
  np_errdetail_t err;
  assert_int_equal(np_store_open(tu_tmp_db_url(name), &s, &err), NP_OK);
  return s;
}

static bool has_table(np_store_t *s, const char *name) {
  int64_t n = 0;
  np_errdetail_t err;
  assert_int_equal(np_store_queryf_int64(s, &n, NULL, &err, "SELECT COUNT(*) FROM sqlite_master WHERE name = ?", "t", name),
                   NP_OK);
  return n > 0;
}

static int calls;
static void on_applied(int version, const char *name, void *ctx) {
  calls++;
  assert_int_equal(version, calls);
  assert_non_null(name);
}

static void test_applied_once(void **state) {
  np_store_t *s = open_db("once.db");
  np_errdetail_t err;
  np_store_migration_t set[] = {
    {"0001_store_core.sql", core_sql()},
    {"0002_x_items.sql", "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"
                         "INSERT INTO items (name) VALUES ('a');"},
    {"0003_x_more.sql", "ALTER TABLE items ADD COLUMN note TEXT;"},
  };
  int applied = -1;
  calls = 0;
  assert_int_equal(np_store_migrate_list(s, set, 2, on_applied, NULL, &applied, &err), NP_OK);
  assert_int_equal(applied, 2);
  assert_int_equal(calls, 2);
  assert_int_equal(np_store_migrate_list(s, set, 2, on_applied, NULL, &applied, &err), NP_OK);
  assert_int_equal(applied, 0);
  assert_int_equal(calls, 2);
  assert_int_equal(np_store_migrate_list(s, set, 3, on_applied, NULL, &applied, &err), NP_OK);
  assert_int_equal(applied, 1);
  assert_int_equal(calls, 3);
  int64_t n = 0;
  assert_int_equal(np_store_query_int64(s, "SELECT COUNT(*) FROM items", &n, NULL, &err), NP_OK);
  assert_int_equal(n, 1);
  assert_int_equal(np_store_query_int64(s, "SELECT COUNT(*) FROM schema_migrations", &n, NULL, &err), NP_OK);
  assert_int_equal(n, 3);
  /* a renamed migration is a different history */
  np_store_migration_t renamed[] = {set[0], {"0002_x_things.sql", set[1].sql}, set[2]};
  assert_int_equal(np_store_migrate_list(s, renamed, 3, NULL, NULL, &applied, &err), NP_ERR_SCHEMA);
  assert_string_equal(err.code, "migration_mismatch");
  /* not inside a transaction */
  assert_int_equal(np_store_begin(s, &err), NP_OK);
  assert_int_equal(np_store_migrate_list(s, set, 3, NULL, NULL, &applied, &err), NP_ERR_INTERNAL);
  np_store_rollback(s);
  np_store_close(s);
}

static void test_failed_migration_rolls_back(void **state) {
  np_store_t *s = open_db("failed.db");
  np_errdetail_t err;
  np_store_migration_t set[] = {
    {"0001_store_core.sql", core_sql()},
    {"0002_x_broken.sql", "CREATE TABLE half (id INTEGER PRIMARY KEY); INSERT INTO no_such_table VALUES (1);"},
  };
  int applied = -1;
  assert_int_equal(np_store_migrate_list(s, set, 2, NULL, NULL, &applied, &err), NP_ERR_STORE);
  assert_int_equal(applied, 1);
  assert_non_null(strstr(err.message, "0002_x_broken.sql"));
  assert_false(has_table(s, "half"));
  assert_false(np_store_in_tx(s));
  assert_int_equal(np_store_migrate_list(s, set, 1, NULL, NULL, &applied, &err), NP_OK);
  int64_t v = 0;
  assert_int_equal(np_store_query_int64(s, "SELECT MAX(version) FROM schema_migrations", &v, NULL, &err), NP_OK);
  assert_int_equal(v, 1);
  np_store_close(s);
}

static void test_newer_schema_refused(void **state) {
  np_store_t *s = open_db("newer.db");
  np_errdetail_t err;
  np_store_migration_t set[] = {{"0001_store_core.sql", core_sql()}};
  int applied = 0;
  assert_int_equal(np_store_migrate_list(s, set, 1, NULL, NULL, &applied, &err), NP_OK);
  assert_int_equal(np_store_execf(s, NULL, &err, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                                  "itt", (int64_t)7, "0007_future_thing.sql", "2030-01-01T00:00:00Z"),
                   NP_OK);
  assert_int_equal(np_store_migrate_list(s, set, 1, NULL, NULL, &applied, &err), NP_ERR_SCHEMA);
  assert_string_equal(err.message, "database schema 7 is newer than this binary (1); upgrade nineplus");
  /* the embedded set is refused the same way when the database is ahead of it */
  assert_int_equal(np_store_execf(s, NULL, &err, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                                  "itt", (int64_t)9999, "9999_future_thing.sql", "2030-01-01T00:00:00Z"),
                   NP_OK);
  assert_int_equal(np_store_migrate(s, &applied, &err), NP_ERR_SCHEMA);
  assert_int_equal(applied, 0);
  np_store_close(s);
}

static void test_broken_sets(void **state) {
  np_store_t *s = open_db("broken.db");
  np_errdetail_t err;
  int applied = 0;
  np_store_migration_t gap[] = {{"0001_a_b.sql", "SELECT 1"}, {"0003_a_c.sql", "SELECT 1"}};
  assert_int_equal(np_store_migrate_list(s, gap, 2, NULL, NULL, &applied, &err), NP_ERR_SCHEMA);
  assert_string_equal(err.code, "migration_gap");
  np_store_migration_t dup[] = {{"0001_a_b.sql", "SELECT 1"}, {"0001_a_c.sql", "SELECT 1"}};
  assert_int_equal(np_store_migrate_list(s, dup, 2, NULL, NULL, &applied, &err), NP_ERR_SCHEMA);
  assert_string_equal(err.code, "duplicate_migration");
  np_store_migration_t start[] = {{"0002_a_b.sql", "SELECT 1"}};
  assert_int_equal(np_store_migrate_list(s, start, 1, NULL, NULL, &applied, &err), NP_ERR_SCHEMA);
  const char *bad[] = {"1_a.sql", "0001-a.sql", "0001_A.sql", "0001_.sql", "0001_a.txt", "00a1_a.sql", "0000_a.sql"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    np_store_migration_t one[] = {{bad[i], "SELECT 1"}};
    assert_int_equal(np_store_migrate_list(s, one, 1, NULL, NULL, &applied, &err), NP_ERR_SCHEMA);
  }
  assert_false(has_table(s, "schema_migrations"));
  np_store_close(s);
}

static void test_embedded_set(void **state) {
  np_store_t *s = open_db("embedded.db");
  np_errdetail_t err = {0};
  int dbv = -1, binv = -1, applied = 0;
  np_err e = np_store_schema_version(s, &dbv, &binv, &err);
  if (e) fail_msg("embedded migrations: %s", err.message);
  assert_int_equal(dbv, 0);
  assert_true(binv >= 1);
  e = np_store_migrate(s, &applied, &err);
  if (e) fail_msg("migrate: %s", err.message);
  assert_int_equal(applied, binv);
  assert_int_equal(np_store_migrate(s, &applied, &err), NP_OK);
  assert_int_equal(applied, 0);
  assert_int_equal(np_store_schema_version(s, &dbv, &binv, &err), NP_OK);
  assert_int_equal(dbv, binv);
  assert_true(has_table(s, "changes"));
  np_store_close(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_applied_once),         cmocka_unit_test(test_failed_migration_rolls_back),
    cmocka_unit_test(test_newer_schema_refused), cmocka_unit_test(test_broken_sets),
    cmocka_unit_test(test_embedded_set),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
