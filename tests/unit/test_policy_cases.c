/* Policy test cases (tests/policy, both paths), CSV import with row errors, reproducible runs, explain. */
#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "policy/cases.h"
#include "policy/run.h"
#include "ref/ref.h"
#include "store/store.h"

static np_store_t *g_store;
static const np_ref_t *g_ref;
static np_ppackage_t *g_pkg;

static int setup(void **state) {
  np_errdetail_t err = {0};
  int applied = 0;
  np_ref_load_stats_t st;
  if (np_store_open(tu_tmp_db_url("policy_cases.db"), &g_store, &err) || np_store_migrate(g_store, &applied, &err) ||
      np_ref_load(g_store, &st, &err) || !(g_ref = np_ref_shared(g_store, &err)) ||
      np_policy_package_load_embedded("shandong-2023", &g_pkg, &err)) {
    print_error("setup: %s %s\n", err.code, err.message);
    return -1;
  }
  return 0;
}

static int teardown(void **state) {
  np_policy_package_free(g_pkg);
  np_store_close(g_store);
  return 0;
}

static void test_yaml_cases(void **state) {
  np_pcase_stats_t st = {0};
  np_errdetail_t err = {0};
  if (np_policy_cases_run_dir(g_pkg, g_ref, tu_src_path("tests/policy"), stderr, &st, &err)) fail_msg("%s", err.message);
  print_message("%d cases, %d expectations\n", st.cases, st.checks);
  assert_true(st.cases >= 20);
  assert_int_equal(st.failed, 0);
}

/* money caps across entities (per enterprise and year, per person) with a count limit: a test package */
static void test_caps_package(void **state) {
  np_ppackage_t *pkg = NULL;
  np_errdetail_t err = {0};
  if (np_policy_package_load_dir(tu_src_path("tests/policy/packages/caps"), &pkg, &err)) fail_msg("%s", err.message);
  np_pcase_stats_t st = {0};
  if (np_policy_cases_run_dir(pkg, g_ref, tu_src_path("tests/policy/packages/caps/cases"), stderr, &st, &err)) fail_msg("%s", err.message);
  np_policy_package_free(pkg);
  assert_true(st.cases >= 2);
  assert_true(st.checks >= 40);
  assert_int_equal(st.failed, 0);
}

static void add_enterprise(const char *uscc, const char *county, const char *size) {
  np_errdetail_t err = {0};
  if (np_store_execf(g_store, NULL, &err,
                     "INSERT INTO enterprises (uscc, name, industry_code, industry_section, region_code, township_code, "
                     "county_code, city_code, size_class, size_basis, headcount, created_at, updated_at) "
                     "VALUES (?, ?, '3311', 'C', ?, ?, ?, ?, ?, 'declared', 120, '2023-01-01T00:00:00Z', '2023-01-01T00:00:00Z')",
                     "ttttttt", uscc, uscc, county, county, county, "370100", size))
    fail_msg("%s", err.message);
}

static void import_ok(const char *kind, const char *file) {
  np_pimport_stats_t st;
  np_errdetail_t err = {0};
  if (np_policy_import(g_store, kind, tu_src_path(file), true, stderr, &st, &err)) fail_msg("%s: %s", file, err.message);
  assert_int_equal(st.rejected, 0);
  assert_true(st.imported > 0);
}

static void test_import_run_explain(void **state) {
  add_enterprise("91370102MA3C4Y2X1K", "370102", "medium");
  add_enterprise("91371302MA3D8P7Q5N", "371302", "micro");
  import_ok("facts", "data/samples/policy_facts.csv");
  import_ok("persons", "data/samples/policy_persons.csv");
  import_ok("spells", "data/samples/policy_spells.csv");
  import_ok("internships", "data/samples/policy_internships.csv");
  import_ok("certificates", "data/samples/policy_certificates.csv");

  /* row errors: all-or-nothing imports nothing, --valid-only imports the good rows */
  char path[512];
  snprintf(path, sizeof path, "%s/bad_facts.csv", tu_tmpdir());
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs("uscc,month,insured,ui_due_yuan,ui_paid_yuan\n"
        "91370102MA3C4Y2X1K,2021-01,100,10.00,10.00\n"
        "NOSUCHUSCC,2021-02,100,10.00,10.00\n"
        "91370102MA3C4Y2X1K,2021-13,100,10.00,10.00\n"
        "91370102MA3C4Y2X1K,2021-03,-5,10.00,10.00\n",
        f);
  fclose(f);
  char errs[4096] = {0};
  FILE *ef = fmemopen(errs, sizeof errs - 1, "w");
  np_pimport_stats_t st;
  np_errdetail_t err = {0};
  assert_int_equal(np_policy_import(g_store, "facts", path, true, ef, &st, &err), NP_ERR_INVALID);
  fclose(ef);
  assert_int_equal(st.rejected, 3);
  assert_int_equal(st.imported, 0);
  assert_non_null(strstr(errs, "row 3 – column 1 – uscc – unknown enterprise"));
  assert_non_null(strstr(errs, "row 4 – column 2 – month – not a month"));
  assert_non_null(strstr(errs, "row 5 – column 3 – insured"));
  int64_t n;
  bool found;
  np_store_query_int64(g_store, "SELECT COUNT(*) FROM policy_enterprise_facts WHERE month < '2022-01-01'", &n, &found, &err);
  assert_int_equal(n, 0);
  assert_int_equal(np_policy_import(g_store, "facts", path, false, NULL, &st, &err), NP_OK);
  assert_int_equal(st.imported, 1);

  /* two runs over the same inputs: one result hash */
  np_prun_summary_t a, b;
  if (np_policy_run(g_store, g_pkg, "all", 19722 /* 2023-12-31 */, 2, true, &a, &err)) fail_msg("%s", err.message);
  if (np_policy_run(g_store, g_pkg, "all", 19722, 1, true, &b, &err)) fail_msg("%s", err.message);
  assert_string_equal(a.result_hash, b.result_hash);
  assert_string_equal(a.input_hash, b.input_hash);
  assert_true(a.decisions > 0);
  assert_true(a.eligible > 0);
  /* the expansion subsidy of the hire with the city's absorption subsidy names the competing grant */
  np_stmt_t *q;
  assert_int_equal(np_store_prepare(g_store, "SELECT reason, competing FROM policy_decisions WHERE run_id = ? AND "
                                              "policy = 'one_time_job_expansion_subsidy' AND eligible = 0 AND competing IS NOT NULL",
                                    &q, &err), NP_OK);
  np_store_bind_int64(q, 1, a.run_id);
  bool has;
  assert_int_equal(np_store_step(q, &has, &err), NP_OK);
  assert_true(has);
  assert_string_equal(np_store_col_text(q, 0), "competing_absorption_subsidy");
  assert_string_equal(np_store_col_text(q, 1), "one_time_absorption_subsidy");
  np_store_release(q);
  /* a different date gives another hash */
  np_prun_summary_t c;
  if (np_policy_run(g_store, g_pkg, "all", 19600, 2, false, &c, &err)) fail_msg("%s", err.message);
  assert_string_not_equal(a.result_hash, c.result_hash);

  /* explain rebuilds the trace of one stored decision */
  np_buf_t tr;
  np_buf_init(&tr, 0);
  int64_t ent = 0;
  np_store_query_int64(g_store, "SELECT id FROM enterprises WHERE uscc = '91370102MA3C4Y2X1K'", &ent, &found, &err);
  if (np_policy_explain(g_store, g_pkg, "ui_job_stabilisation_refund", ent, a.run_id, &tr, &err)) fail_msg("%s", err.message);
  const char *t = np_buf_cstr(&tr);
  assert_non_null(strstr(t, "\"inputs_changed\":false"));
  assert_non_null(strstr(t, "\"code\":\"layoff_rate\""));
  assert_non_null(strstr(t, "refund_rate_sme"));
  assert_non_null(strstr(t, "国办发〔2023〕11号"));
  assert_non_null(strstr(t, "\"stored_decision\""));
  np_buf_free(&tr);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_yaml_cases),
    cmocka_unit_test(test_caps_package),
    cmocka_unit_test(test_import_run_explain),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
