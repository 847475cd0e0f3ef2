/* Policy language and package loader: every load-time check rejects with a file:line message. */
#include "testutil.h"
#include <stdio.h>
#include <string.h>
#include "policy/eval.h"
#include "policy/package.h"

static const char *PARAMS =
    "parameters:\n"                                   /* 1 */
    "  rate_a:\n"                                     /* 2 */
    "    type: rate\n"                                /* 3 */
    "    mode: at_date\n"                             /* 4 */
    "    values:\n"                                   /* 5 */
    "      - from: 2023-01-01\n"                      /* 6 */
    "        to: open\n"                              /* 7 */
    "        value: 60%\n"                            /* 8 */
    "        reference: test notice\n";               /* 9 */

/* a policy file with one version whose let/criterion/amount lines are supplied */
static np_err load_policy(const char *lets, const char *crit, const char *amount, np_ppackage_t **out, np_errdetail_t *err) {
  static char pol[4096];
  snprintf(pol, sizeof pol,
           "policy:\n"                                /* 1 */
           "  code: p\n"                              /* 2 */
           "  zh: 测试\n"                             /* 3 */
           "  en: test\n"                             /* 4 */
           "  entity: enterprise\n"                   /* 5 */
           "  reference: test notice\n"               /* 6 */
           "  versions:\n"                            /* 7 */
           "    - from: 2023-01-01\n"                 /* 8 */
           "      to: open\n"                         /* 9 */
           "      let:\n"                             /* 10 */
           "        %s\n"                             /* 11 */
           "      criteria:\n"                        /* 12 */
           "        - code: c1\n"                     /* 13 */
           "          zh: 甲\n"                       /* 14 */
           "          en: a\n"                        /* 15 */
           "          when: %s\n"                     /* 16 */
           "      amount:\n"                          /* 17 */
           "        hit: first\n"                     /* 18 */
           "        rules:\n"                         /* 19 */
           "          - value: %s\n",                 /* 20 */
           lets, crit, amount);
  np_psource_t files[2] = {{"params.yaml", PARAMS, strlen(PARAMS)}, {"p.yaml", pol, strlen(pol)}};
  return np_policy_package_load_mem("t", files, 2, out, err);
}

static void expect_fail(const char *lets, const char *crit, const char *amount, const char *code, const char *prefix) {
  np_ppackage_t *pkg = NULL;
  np_errdetail_t err = {0};
  np_err r = load_policy(lets, crit, amount, &pkg, &err);
  if (r == NP_OK) fail_msg("expected %s, loaded", code);
  if (strcmp(err.code, code) != 0 || strncmp(err.message, prefix, strlen(prefix)) != 0)
    fail_msg("expected %s at %s, got %s: %s", code, prefix, err.code, err.message);
  np_policy_package_free(pkg);
}

static void test_valid(void **state) {
  np_ppackage_t *pkg = NULL;
  np_errdetail_t err = {0};
  np_err r = load_policy("x: enterprise.headcount * 2", "x >= 10", "round_half_up(yuan(100) * param(rate_a))", &pkg, &err);
  if (r) fail_msg("%s", err.message);
  assert_int_equal(pkg->npolicies, 1);
  assert_int_equal(pkg->policies[0].versions[0].nparams_used, 1);
  np_policy_package_free(pkg);
}

static void test_type_errors(void **state) {
  /* a criterion must be bool */
  expect_fail("x: 1", "enterprise.headcount + 1", "yuan(1)", "type", "p.yaml:16:");
  /* money × rate needs explicit rounding */
  expect_fail("x: 1", "true", "yuan(100) * param(rate_a)", "type", "p.yaml:20:");
  /* comparing money with a date */
  expect_fail("x: 1", "yuan(1) < as_of", "yuan(1)", "type", "p.yaml:16:");
  /* money × money */
  expect_fail("x: yuan(1) * yuan(2)", "true", "yuan(1)", "type", "p.yaml:11:");
  /* text literal too long */
  expect_fail("x: 1", "enterprise.size_class = 'abcdefghij'", "yuan(1)", "type", "p.yaml:16:");
}

static void test_unknown_names(void **state) {
  expect_fail("x: 1", "enterprise.nosuch > 1", "yuan(1)", "unknown_name", "p.yaml:16:");
  expect_fail("x: 1", "true", "param(nosuch)", "unknown_name", "p.yaml:20:");
  expect_fail("x: y + 1", "true", "yuan(1)", "unknown_name", "p.yaml:11:");
  expect_fail("x: 1", "frobnicate(1) > 0", "yuan(1)", "unknown_name", "p.yaml:16:");
  expect_fail("x: count(s in nosuch)", "true", "yuan(1)", "unknown_name", "p.yaml:11:");
}

static void test_cycle(void **state) {
  expect_fail("{a: b + 1, b: a + 1}", "a > 0", "yuan(1)", "cycle", "p.yaml:11:");
}

static void test_syntax(void **state) {
  expect_fail("x: 1", "(1 + ", "yuan(1)", "syntax", "p.yaml:16:");
  expect_fail("x: 1.5", "true", "yuan(1)", "syntax", "p.yaml:11:");
}

static np_err load2(const char *a, const char *b, np_ppackage_t **out, np_errdetail_t *err) {
  np_psource_t files[2] = {{"a.yaml", a, strlen(a)}, {"b.yaml", b ? b : "", b ? strlen(b) : 0}};
  return np_policy_package_load_mem("t", files, b ? 2 : 1, out, err);
}

static void expect_pkg_fail(const char *a, const char *b, const char *code, const char *prefix) {
  np_ppackage_t *pkg = NULL;
  np_errdetail_t err = {0};
  if (load2(a, b, &pkg, &err) == NP_OK) fail_msg("expected %s, loaded", code);
  if (strcmp(err.code, code) != 0 || strncmp(err.message, prefix, strlen(prefix)) != 0)
    fail_msg("expected %s at %s, got %s: %s", code, prefix, err.code, err.message);
  np_policy_package_free(pkg);
}

#define POLICY_2V \
    "policy:\n" \
    "  code: p\n" \
    "  zh: 测试\n" \
    "  en: test\n" \
    "  entity: enterprise\n" \
    "  reference: test notice\n" \
    "  versions:\n" \
    "    - from: 2023-01-01\n"            /* 8 */ \
    "      to: 2023-12-31\n" \
    "      criteria: [{code: c, zh: 甲, en: a, when: 'true'}]\n" \
    "      amount: {hit: first, rules: [{value: yuan(1)}]}\n" \
    "    - from: %s\n"                    /* 12 */ \
    "      to: open\n" \
    "      criteria: [{code: c, zh: 甲, en: a, when: 'true'}]\n" \
    "      amount: {hit: first, rules: [{value: yuan(2)}]}\n"

static void test_versions(void **state) {
  char buf[2048];
  snprintf(buf, sizeof buf, POLICY_2V, "2023-12-01");
  expect_pkg_fail(PARAMS, buf, "overlap", "b.yaml:12:");
  snprintf(buf, sizeof buf, POLICY_2V, "2024-01-02");
  expect_pkg_fail(PARAMS, buf, "gap", "b.yaml:12:");
  snprintf(buf, sizeof buf, POLICY_2V, "2024-01-01");
  np_ppackage_t *pkg = NULL;
  np_errdetail_t err = {0};
  if (load2(PARAMS, buf, &pkg, &err)) fail_msg("%s", err.message);
  assert_non_null(np_policy_version_at(&pkg->policies[0], 19722)); /* 2023-12-31 */
  np_policy_package_free(pkg);
}

static void test_params(void **state) {
  /* no legal reference */
  expect_pkg_fail("parameters:\n  x:\n    type: int\n    mode: at_date\n    values:\n      - {from: 2023-01-01, to: open, value: '1'}\n",
                  NULL, "no_reference", "a.yaml:6:");
  /* gap between dated values */
  expect_pkg_fail("parameters:\n  x:\n    type: int\n    mode: at_date\n    values:\n"
                  "      - {from: 2023-01-01, to: 2023-06-30, value: '1', reference: r}\n"
                  "      - {from: 2023-07-02, to: open, value: '2', reference: r}\n",
                  NULL, "gap", "a.yaml:7:");
  /* overlapping values */
  expect_pkg_fail("parameters:\n  x:\n    type: int\n    mode: at_date\n    values:\n"
                  "      - {from: 2023-01-01, to: 2023-06-30, value: '1', reference: r}\n"
                  "      - {from: 2023-06-30, to: open, value: '2', reference: r}\n",
                  NULL, "overlap", "a.yaml:7:");
  /* no explicit end */
  expect_pkg_fail("parameters:\n  x:\n    type: int\n    mode: at_date\n    values:\n"
                  "      - {from: 2023-01-01, value: '1', reference: r}\n",
                  NULL, "no_end", "a.yaml:6:");
  /* bad value for the type */
  expect_pkg_fail("parameters:\n  x:\n    type: rate\n    mode: at_date\n    values:\n"
                  "      - {from: 2023-01-01, to: open, value: '0.6', reference: r}\n",
                  NULL, "value", "a.yaml:6:");
  /* unknown key (typo) */
  expect_pkg_fail("parameters:\n  x:\n    type: int\n    mdoe: at_date\n", NULL, "unknown_key", "a.yaml:4:");
}

static void test_prorated_arity(void **state) {
  const char *p = "parameters:\n  w:\n    type: money\n    mode: prorated\n    values:\n"
                  "      - {from: 2023-01-01, to: 2023-09-30, value: '1900', reference: r1}\n"
                  "      - {from: 2023-10-01, to: open, value: '2010', reference: r2}\n";
  const char *bad = "policy:\n  code: p\n  zh: 测\n  en: t\n  entity: enterprise\n  reference: r\n  versions:\n"
                    "    - from: 2023-01-01\n      to: open\n"
                    "      criteria: [{code: c, zh: 甲, en: a, when: 'param(w) > yuan(1)'}]\n"
                    "      amount: {hit: first, rules: [{value: yuan(2)}]}\n";
  expect_pkg_fail(p, bad, "arity", "b.yaml:10:");
  /* prorated by days across the change: (30 × 1900 + 31 × 2010) / 61 per month, for two months, 60 % */
  const char *good = "policy:\n  code: p\n  zh: 测\n  en: t\n  entity: enterprise\n  reference: r\n  versions:\n"
                     "    - from: 2023-01-01\n      to: open\n"
                     "      criteria: [{code: c, zh: 甲, en: a, when: 'true'}]\n"
                     "      amount: {hit: first, rules: [{value: 'round_half_up(param(w, 2023-09-01, 2023-10-31) * 2 * 60%)'}]}\n";
  np_ppackage_t *pkg = NULL;
  np_errdetail_t err = {0};
  if (load2(p, good, &pkg, &err)) fail_msg("%s", err.message);
  np_policy_facts_t *F = np_policy_facts_new();
  int64_t row[6] = {1, 0, 0, 0, 0, 10};
  np_policy_text_pack("small", 5, &row[1]);
  assert_int_equal(np_policy_facts_append(F, NP_PK_ENTERPRISE, row, &err), NP_OK);
  assert_int_equal(np_policy_facts_finish(F, false, &err), NP_OK);
  np_peval_t E = {pkg, F, NULL, 19722, 2};
  np_pdecisions_t d;
  assert_int_equal(np_policy_eval_all(&E, &pkg->policies[0], &d, &err), NP_OK);
  assert_int_equal(d.eligible[0], 1);
  assert_int_equal(d.amount[0], 234708); /* 2347.08 yuan */
  np_pdecisions_t s;
  assert_int_equal(np_policy_decisions_alloc(&E, &pkg->policies[0], &s), NP_OK);
  np_buf_t tr;
  np_buf_init(&tr, 0);
  assert_int_equal(np_policy_eval_one(&E, &pkg->policies[0], 0, &s, &tr, &err), NP_OK);
  assert_int_equal(s.amount[0], 234708);
  assert_non_null(strstr(np_buf_cstr(&tr), "\"prorated\":{\"from\":\"2023-09-01\""));
  np_buf_free(&tr);
  np_policy_decisions_free(&d);
  np_policy_decisions_free(&s);
  np_policy_facts_free(F);
  np_policy_package_free(pkg);
}

static void test_embedded_package(void **state) {
  np_ppackage_t *pkg = NULL;
  np_errdetail_t err = {0};
  if (np_policy_package_load_embedded("shandong-2023", &pkg, &err)) fail_msg("%s", err.message);
  assert_int_equal(pkg->npolicies, 7);
  for (int i = 0; i < pkg->nparams; i++) {
    const np_pparam_t *p = &pkg->params[i];
    if (p->table_min_wage) assert_non_null(p->reference);
    for (int k = 0; k < p->nvalues; k++) assert_true(strlen(p->values[k].reference) > 0);
  }
  assert_non_null(np_policy_find(pkg, "ui_job_stabilisation_refund"));
  assert_non_null(np_policy_find(pkg, "special_loan_whitelist"));
  np_policy_package_free(pkg);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_valid),          cmocka_unit_test(test_type_errors), cmocka_unit_test(test_unknown_names),
    cmocka_unit_test(test_cycle),          cmocka_unit_test(test_syntax),      cmocka_unit_test(test_versions),
    cmocka_unit_test(test_params),         cmocka_unit_test(test_prorated_arity), cmocka_unit_test(test_embedded_package),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
