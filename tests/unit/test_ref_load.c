/* Reference data: loading into a fresh database, counts, idempotent reload, change feed. */
#include "testutil.h"
#include <string.h>
#include <time.h>
#include "ref/ref.h"
#include "store/store.h"

static np_store_t *open_db(const char *name) {
  np_store_t *s = NULL;
  np_errdetail_t err = {0};
  int applied = 0;
  assert_int_equal(np_store_open(tu_tmp_db_url(name), &s, &err), NP_OK);
  assert_int_equal(np_store_migrate(s, &applied, &err), NP_OK);
  return s;
}

static int64_t q(np_store_t *s, const char *sql) {
  int64_t v = -1;
  bool found = false;
  np_errdetail_t err = {0};
  if (np_store_query_int64(s, sql, &v, &found, &err)) fail_msg("%s: %s", sql, err.message);
  assert_true(found);
  return v;
}

static const np_ref_file_stats_t *file_stats(const np_ref_load_stats_t *st, const char *file) {
  for (size_t i = 0; i < st->nfiles; i++)
    if (strcmp(st->files[i].file, file) == 0) return &st->files[i];
  fail_msg("no stats for %s", file);
  return &st->files[0];
}

static void test_load_counts_and_reload(void **state) {
  np_store_t *s = open_db("ref_load.db");
  np_ref_load_stats_t st;
  np_errdetail_t err = {0};
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  np_err e = np_ref_load(s, &st, &err);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  if (e) fail_msg("load: %s %s %s", err.code, err.field, err.message);
  double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  print_message("reference load took %.2f s (sanitizer build)\n", secs);
  assert_int_equal(st.nfiles, 12);
  assert_int_equal(st.loaded, 12);
  assert_int_equal(st.skipped, 0);

  /* Rows in each file, as the reference README counts them. */
  struct { const char *file; int64_t rows; } want[] = {
    {"cities.csv", 16}, {"counties.csv", 151}, {"townships.csv", 1853}, {"villages.csv", 62074},
    {"economic_circles.csv", 16}, {"minimum_wage.csv", 12}, {"minimum_wage_by_county.csv", 187},
    {"industries_gbt4754_2017_full.csv", 1772}, {"industries.csv", 117}, {"occupations.csv", 2176},
    {"skill_levels.csv", 8}, {"policy_parameters.csv", 47},
  };
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
    const np_ref_file_stats_t *f = file_stats(&st, want[i].file);
    assert_false(f->skipped);
    if (f->rows != want[i].rows) fail_msg("%s: %lld rows, want %lld", want[i].file, (long long)f->rows, (long long)want[i].rows);
  }
  /* The full industry file repeats code 374 once (a source defect): the first row is kept. */
  assert_int_equal(file_stats(&st, "industries_gbt4754_2017_full.csv")->duplicates, 0);
  assert_int_equal(file_stats(&st, "industries_gbt4754_2017_full.csv")->stored, 1772);
  assert_int_equal(file_stats(&st, "industries.csv")->stored, 0); /* checked against the full list */
  assert_int_equal(file_stats(&st, "cities.csv")->stored, 17);    /* + the province */

  /* Table contents. */
  assert_int_equal(q(s, "SELECT COUNT(*) FROM ref_regions WHERE level = 'province'"), 1);
  assert_int_equal(q(s, "SELECT COUNT(*) FROM ref_regions WHERE level = 'city'"), 16);
  assert_int_equal(q(s, "SELECT COUNT(*) FROM ref_regions WHERE level = 'county'"), 151);
  assert_int_equal(q(s, "SELECT COUNT(*) FROM ref_regions WHERE type = 'functional_zone'"), 15);
  assert_int_equal(q(s, "SELECT COUNT(*) FROM ref_regions WHERE level = 'county' AND in_gbt2260 = 1"), 136);
  assert_int_equal(q(s, "SELECT COUNT(*) FROM ref_regions WHERE level = 'township'"), 1853);
  assert_int_equal(q(s, "SELECT COUNT(*) FROM ref_regions WHERE level = 'village'"), 62074);
  assert_int_equal(q(s, "SELECT COUNT(*) FROM ref_economic_circles"), 16);
  assert_int_equal(q(s, "SELECT COUNT(*) FROM ref_min_wage_standards"), 12);
  assert_int_equal(q(s, "SELECT COUNT(*) FROM ref_min_wage_county"), 187);
  assert_int_equal(q(s, "SELECT COUNT(*) FROM ref_industries"), 1772);
  assert_int_equal(q(s, "SELECT COUNT(*) FROM ref_occupations"), 2176);
  assert_int_equal(q(s, "SELECT COUNT(*) FROM ref_skill_levels"), 8);
  assert_int_equal(q(s, "SELECT COUNT(*) FROM ref_policy_parameters"), 47);
  assert_int_equal(q(s, "SELECT COUNT(*) FROM ref_meta"), 12);
  /* Money is exact fen: 19.1 yuan → 1910. */
  assert_int_equal(q(s, "SELECT hourly_fen FROM ref_min_wage_standards WHERE standard = '鲁政字〔2018〕80号' AND tier = 1"), 1910);
  assert_int_equal(q(s, "SELECT monthly_fen FROM ref_min_wage_standards WHERE standard = '鲁政字〔2023〕172号' AND tier = 2"), 201000);
  /* Centroids in micro-degrees: 历下区 36.65537, 117.09801. */
  assert_int_equal(q(s, "SELECT centroid_lat_e6 FROM ref_regions WHERE code = '370102'"), 36655370);
  assert_int_equal(q(s, "SELECT centroid_lon_e6 FROM ref_regions WHERE code = '370102'"), 117098010);
  assert_int_equal(q(s, "SELECT COUNT(*) FROM ref_regions WHERE code = '370176' AND centroid_lat_e6 IS NULL"), 1);

  /* One change row per loaded file (industries.csv is only checked, so it writes none). */
  int64_t seq1 = 0;
  assert_int_equal(np_store_change_seq(s, &seq1, &err), NP_OK);
  assert_int_equal(q(s, "SELECT COUNT(*) FROM changes WHERE entity LIKE 'ref_%'"), 11);
  assert_int_equal(q(s, "SELECT COUNT(*) FROM changes WHERE entity = 'ref_regions' AND entity_id = 'villages.csv' AND op = 'update'"), 1);

  /* Second load: every file skipped, nothing written. */
  np_ref_load_stats_t st2;
  e = np_ref_load(s, &st2, &err);
  if (e) fail_msg("reload: %s %s", err.code, err.message);
  assert_int_equal(st2.loaded, 0);
  assert_int_equal(st2.skipped, 12);
  assert_true(file_stats(&st2, "villages.csv")->skipped);
  assert_int_equal(file_stats(&st2, "villages.csv")->rows, 62074);
  assert_int_equal(file_stats(&st2, "villages.csv")->stored, 0);
  int64_t seq2 = 0;
  assert_int_equal(np_store_change_seq(s, &seq2, &err), NP_OK);
  assert_int_equal(seq1, seq2);
  assert_int_equal(q(s, "SELECT COUNT(*) FROM ref_regions"), 1 + 16 + 151 + 1853 + 62074);

  np_store_close(s);
}

static void test_changed_file_replaces_rows(void **state) {
  np_store_t *s = open_db("ref_reload.db");
  np_errdetail_t err = {0};
  np_ref_load_stats_t st;
  assert_int_equal(np_ref_load(s, &st, &err), NP_OK);
  /* Simulate an older data release: a stale row, a wrong name and another hash. */
  assert_int_equal(np_store_execf(s, NULL, &err, "INSERT INTO ref_regions (code, name, level, parent_code, type, in_gbt2260) VALUES (?, ?, 'village', ?, 'village', 1)", "ttt", "370102001999", "旧村", "370102001"), NP_OK);
  assert_int_equal(np_store_execf(s, NULL, &err, "UPDATE ref_regions SET name = ? WHERE code = ?", "tt", "改名", "370102001002"), NP_OK);
  assert_int_equal(np_store_execf(s, NULL, &err, "UPDATE ref_meta SET sha256 = ? WHERE file = ?", "tt", "0000000000000000000000000000000000000000000000000000000000000000", "villages.csv"), NP_OK);
  assert_int_equal(np_ref_load(s, &st, &err), NP_OK);
  assert_int_equal(st.loaded, 1);
  assert_int_equal(st.skipped, 11);
  assert_false(file_stats(&st, "villages.csv")->skipped);
  assert_int_equal(q(s, "SELECT COUNT(*) FROM ref_regions WHERE code = '370102001999'"), 0);
  assert_int_equal(q(s, "SELECT COUNT(*) FROM ref_regions WHERE code = '370102001002' AND name = '解放桥社区居民委员会'"), 1);
  assert_int_equal(q(s, "SELECT COUNT(*) FROM ref_regions WHERE level = 'village'"), 62074);
  assert_int_equal(q(s, "SELECT COUNT(*) FROM changes WHERE entity = 'ref_regions' AND entity_id = 'villages.csv'"), 2);
  np_store_close(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_load_counts_and_reload),
    cmocka_unit_test(test_changed_file_replaces_rows),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
