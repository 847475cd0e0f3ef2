/*
 * One entity's facts (np_policy_facts_load_entity, the explain path) against all the facts (the run's
 * path), for every entity of every policy of the small demo (the demo's enterprises and policy_facts
 * steps, seed 2023): the single-entity evaluation on the slice gives the same decision as the column-wise
 * evaluation of the run and the same trace as on all the facts; np_policy_explain and its all-facts twin
 * give the same JSON; inputs_changed follows the change feed.
 */
#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "crypto/crypto.h"
#include "demo/steps.h"
#include "policy/demo.h"
#include "policy/run.h"
#include "ref/ref.h"
#include "store/store.h"

static np_store_t *g_store;
static const np_ref_t *g_ref;
static np_ppackage_t *g_pkg;

static int setup(void **state) {
  (void)state;
  np_errdetail_t err = {0};
  int applied = 0;
  np_ref_load_stats_t st;
  unsigned char key[NP_CRYPTO_KEY_BYTES];
  memset(key, 0x5a, sizeof key);
  if (np_crypto_init_raw(key, &err)) return -1; /* the demo's enterprises carry encrypted contacts */
  if (np_store_open(tu_tmp_db_url("policy_slice.db"), &g_store, &err) || np_store_migrate(g_store, &applied, &err) ||
      np_ref_load(g_store, &st, &err) || !(g_ref = np_ref_shared(g_store, &err)) ||
      np_policy_package_load_embedded("shandong-2023", &g_pkg, &err)) {
    print_error("setup: %s %s\n", err.code, err.message);
    return -1;
  }
  FILE *report = fopen("/dev/null", "w"); /* the steps print what they made */
  if (!report) return -1;
  np_demo_ctx_t ctx = {.store = g_store, .scale = NP_DEMO_SMALL, .seed = 2023, .report = report};
  np_rng_t rng;
  np_rng_seed(&rng, 2023, "enterprises");
  if (np_store_begin(g_store, &err) || np_demo_step_enterprises(&ctx, &rng, &err) || np_store_commit(g_store, &err)) {
    print_error("demo enterprises: %s\n", err.message);
    return -1;
  }
  np_rng_seed(&rng, 2023, "policy_facts");
  if (np_store_begin(g_store, &err) || np_demo_step_policy_facts(&ctx, &rng, &err) || np_store_commit(g_store, &err)) {
    print_error("demo policy_facts: %s\n", err.message);
    return -1;
  }
  fclose(report);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  np_policy_package_free(g_pkg);
  np_store_close(g_store);
  return 0;
}

static void test_slice_equals_run(void **state) {
  (void)state;
  np_errdetail_t err = {0};
  np_prun_summary_t sum;
  if (np_policy_run(g_store, g_pkg, "all", 19722 /* 2023-12-31 */, 2, true, &sum, &err)) fail_msg("%s", err.message);
  np_policy_facts_t *F = NULL;
  if (np_policy_facts_load(g_store, &F, &err)) fail_msg("%s", err.message);
  np_peval_t E = {g_pkg, F, g_ref, 19722, 2};
  int64_t compared = 0, eligible = 0, explained = 0;
  for (int p = 0; p < g_pkg->npolicies; p++) {
    const np_ppolicy_t *pol = &g_pkg->policies[p];
    np_pdecisions_t all, one;
    if (np_policy_eval_all(&E, pol, &all, &err)) fail_msg("%s", err.message);
    if (np_policy_decisions_alloc(&E, pol, &one)) fail_msg("nomem");
    assert_true(all.n > 0);
    int64_t pol_eligible = 0;
    for (size_t row = 0; row < all.n; row++) {
      int64_t id = np_policy_facts_get(F, pol->entity, 0, row);
      /* the trace on all the facts */
      np_buf_t tf, ts;
      np_buf_init(&tf, 0);
      np_buf_init(&ts, 0);
      if (np_policy_eval_one(&E, pol, row, &one, &tf, &err)) fail_msg("%s", err.message);
      /* the trace on the entity's slice */
      np_policy_facts_t *S = NULL;
      if (np_policy_facts_load_entity(g_store, pol, id, &S, &err)) fail_msg("%s %lld: %s", pol->code, (long long)id, err.message);
      np_peval_t ES = {g_pkg, S, g_ref, 19722, 1};
      np_pdecisions_t sd;
      if (np_policy_decisions_alloc(&ES, pol, &sd)) fail_msg("nomem");
      int64_t srow = np_policy_facts_find(S, pol->entity, id);
      assert_true(srow >= 0);
      if (np_policy_eval_one(&ES, pol, (size_t)srow, &sd, &ts, &err)) fail_msg("%s", err.message);
      if (strcmp(np_buf_cstr(&tf), np_buf_cstr(&ts)) != 0)
        fail_msg("%s %lld: traces differ\nall:   %s\nslice: %s", pol->code, (long long)id, np_buf_cstr(&tf), np_buf_cstr(&ts));
      /* the slice's decision is the column-wise decision (before limits, which compare entities) */
      size_t s = (size_t)srow;
      if (sd.eligible[s] != all.eligible[row] || sd.amount[s] != all.amount[row] || sd.reason[s] != all.reason[row] ||
          sd.obs_v[s] != all.obs_v[row] || sd.obs_d[s] != all.obs_d[row] || sd.thr_v[s] != all.thr_v[row] ||
          sd.thr_d[s] != all.thr_d[row])
        fail_msg("%s %lld: slice decision differs from the run's", pol->code, (long long)id);
      pol_eligible += all.eligible[row];
      compared++;
      /* explain (slice) and explain on all the facts: the same JSON, stored decision included */
      if (row % 7 == 0) {
        np_buf_t a, b;
        np_buf_init(&a, 0);
        np_buf_init(&b, 0);
        if (np_policy_explain(g_store, g_pkg, pol->code, id, sum.run_id, &a, &err)) fail_msg("%s", err.message);
        if (np_policy_explain_all_facts(g_store, g_pkg, pol->code, id, sum.run_id, &b, &err)) fail_msg("%s", err.message);
        assert_string_equal(np_buf_cstr(&a), np_buf_cstr(&b));
        assert_non_null(strstr(np_buf_cstr(&a), "\"inputs_changed\":false"));
        assert_non_null(strstr(np_buf_cstr(&a), "\"stored_decision\""));
        explained++;
        np_buf_free(&a);
        np_buf_free(&b);
      }
      np_policy_decisions_free(&sd);
      np_policy_facts_free(S);
      np_buf_free(&tf);
      np_buf_free(&ts);
    }
    /* the demo has eligible and ineligible entities for every policy */
    if (pol_eligible == 0 || pol_eligible == (int64_t)all.n) fail_msg("%s: %lld of %zu eligible", pol->code, (long long)pol_eligible, all.n);
    eligible += pol_eligible;
    np_policy_decisions_free(&all);
    np_policy_decisions_free(&one);
  }
  print_message("%lld decisions compared (%lld eligible), %lld explanations\n", (long long)compared, (long long)eligible,
                (long long)explained);
  assert_true(compared > 1000);

  /* no such entity */
  np_policy_facts_t *S = NULL;
  assert_int_equal(np_policy_facts_load_entity(g_store, np_policy_find(g_pkg, "ui_job_stabilisation_refund"), 999999999, &S, &err),
                   NP_ERR_NOT_FOUND);
  /* a change on the feed after the run: inputs_changed */
  int64_t ent = np_policy_facts_get(F, NP_PK_ENTERPRISE, 0, 0);
  if (np_store_begin(g_store, &err) || np_store_change(g_store, "policy_facts", "test", "update", NULL, &err) ||
      np_store_commit(g_store, &err))
    fail_msg("%s", err.message);
  np_buf_t c;
  np_buf_init(&c, 0);
  if (np_policy_explain(g_store, g_pkg, "ui_job_stabilisation_refund", ent, sum.run_id, &c, &err)) fail_msg("%s", err.message);
  assert_non_null(strstr(np_buf_cstr(&c), "\"inputs_changed\":true"));
  np_buf_free(&c);
  np_policy_facts_free(F);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_slice_equals_run),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
