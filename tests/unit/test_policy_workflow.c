/* The 免申即享 workflow state machine: guards, idempotency, budget, notice arithmetic, confirmation deadline. */
#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/date.h"
#include "policy/workflow.h"
#include "store/store.h"

static np_store_t *g_s;
static int64_t g_ent[6];

#define POL "ui_job_stabilisation_refund"

static int64_t ts(const char *s) {
  int64_t t = 0;
  np_date_parse_ts_utc(s, strlen(s), &t);
  return t;
}

static void exec(const char *sql) {
  np_errdetail_t err = {0};
  if (np_store_exec(g_s, sql, &err)) fail_msg("%s: %s", sql, err.message);
}

static int64_t add_enterprise(const char *uscc, const char *region, const char *county, const char *industry) {
  np_errdetail_t err = {0};
  int64_t id = 0;
  if (np_store_queryf_int64(g_s, &id, NULL, &err,
                            "INSERT INTO enterprises (uscc, name, industry_code, industry_section, region_code, township_code, "
                            "county_code, city_code, size_class, size_basis, headcount, created_at, updated_at) "
                            "VALUES (?, ?, ?, 'C', ?, ?, ?, '370100', 'small', 'declared', 50, '2023-01-01T00:00:00Z', "
                            "'2023-01-01T00:00:00Z') RETURNING id",
                            "tttttt", uscc, uscc, industry, region, region, county))
    fail_msg("%s", err.message);
  return id;
}

/* A finished run with one decision per enterprise (amounts in fen; 0 = not eligible). */
static int64_t add_run(const char *policy, const int64_t *amounts) {
  np_errdetail_t err = {0};
  int64_t run = 0;
  if (np_store_queryf_int64(g_s, &run, NULL, &err,
                            "INSERT INTO policy_runs (policy, package, as_of, input_hash, ruleset_hash, engine_version, status, progress, "
                            "created_at) VALUES (?, 'shandong-2023', '2023-12-31', 'i', 'r', 'e', 'done', 100, '2023-12-31T00:00:00Z') "
                            "RETURNING id", "t", policy))
    fail_msg("%s", err.message);
  for (int i = 0; i < 5; i++)
    if (np_store_execf(g_s, NULL, &err,
                       "INSERT INTO policy_decisions (run_id, policy, entity_kind, entity_id, enterprise_id, eligible, amount_fen, reason) "
                       "VALUES (?, ?, 'enterprise', ?, ?, ?, ?, ?)", "itiiiit", run, policy, g_ent[i], g_ent[i], (int64_t)(amounts[i] > 0),
                       amounts[i], amounts[i] > 0 ? NULL : "layoff_rate"))
      fail_msg("%s", err.message);
  return run;
}

static np_pwf_ctx_t ctx(const char *user, const char *region, const char *now) {
  return (np_pwf_ctx_t){.s = g_s, .now = ts(now), .user_id = 1, .user = user, .role = "test", .region = region};
}

static int64_t item_of(int64_t batch, int64_t ent) {
  np_errdetail_t err = {0};
  int64_t id = 0;
  bool found = false;
  np_store_queryf_int64(g_s, &id, &found, &err, "SELECT id FROM policy_items WHERE batch_id = ? AND enterprise_id = ?", "ii", batch, ent);
  assert_true(found);
  return id;
}

static const char *state_of(int64_t item) {
  static char st[32];
  np_errdetail_t err = {0};
  if (np_pwf_item_state(g_s, item, st, sizeof st, &err)) fail_msg("%s", err.message);
  return st;
}

#define REFUSED(call, want)                                                                                            \
  do {                                                                                                                 \
    np_errdetail_t e_ = {0};                                                                                           \
    np_err r_ = (call);                                                                                                \
    (void)e_;                                                                                                          \
    if (r_ == NP_OK) fail_msg("%s: accepted, want %s", #call, want);                                                 \
    if (strcmp(err.code, want) != 0) fail_msg("%s: got %s (%s), want %s", #call, err.code, err.message, want);      \
  } while (0)
#define OK(call)                                                                                                       \
  do {                                                                                                                 \
    if ((call) != NP_OK) fail_msg("%s: %s %s", #call, err.code, err.message);                                         \
  } while (0)

static int setup(void **state) {
  (void)state;
  np_errdetail_t err = {0};
  int applied = 0;
  if (np_store_open(tu_tmp_db_url("policy_workflow.db"), &g_s, &err) || np_store_migrate(g_s, &applied, &err)) {
    print_error("setup: %s %s\n", err.code, err.message);
    return -1;
  }
  g_ent[0] = add_enterprise("91370102MA3C4Y2X1K", "370102001001", "370102", "3311");
  g_ent[1] = add_enterprise("91370102MA3C4Y2X2K", "370102001002", "370102", "3311");
  g_ent[2] = add_enterprise("91370103MA3C4Y2X3K", "370103001001", "370103", "3311");
  g_ent[3] = add_enterprise("91370102MA3C4Y2X4K", "370102001003", "370102", "7263"); /* labour dispatch: must apply */
  g_ent[4] = add_enterprise("91370102MA3C4Y2X5K", "370102001004", "370102", "3311");
  return 0;
}

static int teardown(void **state) {
  (void)state;
  np_store_close(g_s);
  return 0;
}

static void test_period_end(void **state) {
  (void)state;
  /* 10:00 Shanghai on 12-20 + 5 days → 23:59:59 Shanghai on 12-25 */
  assert_int_equal(np_pwf_period_end(ts("2023-12-20T02:00:00Z"), 5), ts("2023-12-25T15:59:59Z"));
  /* 01:00 Shanghai on 12-21 (still 12-20 in UTC) → 12-26 */
  assert_int_equal(np_pwf_period_end(ts("2023-12-20T17:00:00Z"), 5), ts("2023-12-26T15:59:59Z"));
  /* across a month and a year end */
  assert_int_equal(np_pwf_period_end(ts("2023-12-29T00:00:00Z"), 5), ts("2024-01-03T15:59:59Z"));
  assert_int_equal(np_pwf_period_end(ts("2024-02-27T00:00:00Z"), 3), ts("2024-03-01T15:59:59Z")); /* leap day */
}

static void test_guards_and_payments(void **state) {
  (void)state;
  np_errdetail_t err = {0};
  const int64_t amounts[5] = {100000, 200000, 400000, 50000, 0};
  int64_t run = add_run(POL, amounts), batch = 0, again = 0, n = 0;
  bool created = false;
  np_pwf_ctx_t prov = ctx("province", "370000", "2024-01-02T02:00:00Z");
  np_pwf_ctx_t lixia = ctx("lixia", "370102", "2024-01-02T02:00:00Z");
  np_pwf_ctx_t shizhong = ctx("shizhong", "370103", "2024-01-02T02:00:00Z");
  np_pwf_ctx_t jinan = ctx("jinan", "370100", "2024-01-03T02:00:00Z");
  OK(np_pwf_batch_open(&prov, run, POL, &batch, &created, &err));
  assert_true(created);
  OK(np_pwf_batch_open(&prov, run, POL, &again, &created, &err));
  assert_false(created);
  assert_int_equal(batch, again);
  int64_t i1 = item_of(batch, g_ent[0]), i2 = item_of(batch, g_ent[1]), i3 = item_of(batch, g_ent[2]), i4 = item_of(batch, g_ent[3]);
  assert_string_equal(state_of(i1), "candidate");
  assert_string_equal(state_of(i4), "manual"); /* the must-apply lane */

  /* nothing approved before it is reviewed; roles in the wrong place are refused */
  REFUSED(np_pwf_approve(&jinan, batch, &n, &err), "not_reviewed");
  REFUSED(np_pwf_review(&jinan, batch, &n, &err), "county_only");
  REFUSED(np_pwf_approve(&lixia, batch, &n, &err), "city_only");
  REFUSED(np_pwf_notice(&jinan, batch, 5, &n, &err), "nothing_to_publish");
  REFUSED(np_pwf_pay(&lixia, batch, "2024-01-20", "X-", &n, &err), "nothing_to_pay");
  REFUSED(np_pwf_exclude(&lixia, i2, "", &err), "required");
  OK(np_pwf_exclude(&lixia, i2, "closed down in 2023-11", &err));
  assert_string_equal(state_of(i2), "excluded");
  REFUSED(np_pwf_exclude(&lixia, i2, "again", &err), "invalid_state");
  REFUSED(np_pwf_exclude(&shizhong, i1, "not mine", &err), "not_found"); /* another county's item */
  OK(np_pwf_review(&lixia, batch, &n, &err));
  assert_int_equal(n, 1);
  assert_string_equal(state_of(i1), "reviewed");
  assert_string_equal(state_of(i4), "manual");
  REFUSED(np_pwf_review(&lixia, batch, &n, &err), "already_reviewed");
  REFUSED(np_pwf_exclude(&lixia, i1, "too late", &err), "invalid_state");

  /* the fund budget: 100000 fen reviewed, 99999 left → refused; raised → approved */
  exec("INSERT INTO policy_budgets (policy, year, budget_fen, updated_by, updated_at) VALUES "
       "('" POL "', 2023, 99999, 't', '2024-01-01T00:00:00Z')");
  REFUSED(np_pwf_approve(&jinan, batch, &n, &err), "over_budget");
  assert_string_equal(state_of(i1), "reviewed"); /* unchanged */
  exec("UPDATE policy_budgets SET budget_fen = 100000 WHERE policy = '" POL "'");
  OK(np_pwf_approve(&jinan, batch, &n, &err));
  assert_int_equal(n, 1);
  assert_string_equal(state_of(i1), "approved");
  assert_string_equal(state_of(i3), "candidate"); /* 370103 has not reviewed */
  REFUSED(np_pwf_approve(&jinan, batch, &n, &err), "not_reviewed");
  OK(np_pwf_review(&shizhong, batch, &n, &err));
  REFUSED(np_pwf_approve(&jinan, batch, &n, &err), "over_budget"); /* 100000 used, 400000 more */
  exec("UPDATE policy_budgets SET budget_fen = 500000 WHERE policy = '" POL "'");
  OK(np_pwf_approve(&jinan, batch, &n, &err));
  REFUSED(np_pwf_approve(&jinan, batch, &n, &err), "nothing_to_approve");

  /* public notice: 5 days from 2024-01-03 10:00 Shanghai → ends 2024-01-08 23:59:59 Shanghai */
  OK(np_pwf_notice(&jinan, batch, 5, &n, &err));
  assert_int_equal(n, 2);
  REFUSED(np_pwf_notice(&jinan, batch, 5, &n, &err), "nothing_to_publish"); /* never published twice */
  int64_t obj = 0, obj2 = 0;
  np_pwf_ctx_t during = ctx("lixia", "370102", "2024-01-08T15:59:59Z"), after = ctx("lixia", "370102", "2024-01-08T16:00:00Z");
  OK(np_pwf_object(&during, i1, "the enterprise had layoffs in 2023", "anonymous", &obj, &err));
  REFUSED(np_pwf_object(&after, i1, "late", "anonymous", &obj2, &err), "notice_closed");
  np_pwf_ctx_t jinan_during = ctx("jinan", "370100", "2024-01-08T15:00:00Z"), jinan_after = ctx("jinan", "370100", "2024-01-09T01:00:00Z");
  REFUSED(np_pwf_push(&jinan_during, batch, &n, &err), "notice_running");
  OK(np_pwf_push(&jinan_after, batch, &n, &err)); /* i3 goes, i1 waits for its objection */
  assert_int_equal(n, 1);
  assert_string_equal(state_of(i1), "notice");
  assert_string_equal(state_of(i3), "pushed");
  REFUSED(np_pwf_handle(&after, obj, true, "", &err), "required");
  OK(np_pwf_handle(&after, obj, false, "layoffs were below the limit", &err));
  REFUSED(np_pwf_handle(&after, obj, true, "again", &err), "already_handled");
  OK(np_pwf_push(&jinan_after, batch, &n, &err));
  assert_string_equal(state_of(i1), "pushed");
  REFUSED(np_pwf_push(&jinan_after, batch, &n, &err), "nothing_to_push");

  /* payments: never twice */
  np_pwf_ctx_t pay = ctx("jinan", "370100", "2024-01-20T02:00:00Z");
  REFUSED(np_pwf_pay(&pay, batch, "2024-13-01", "X-", &n, &err), "format");
  OK(np_pwf_pay(&pay, batch, "2024-01-20", "SD2023-", &n, &err));
  assert_int_equal(n, 2);
  assert_string_equal(state_of(i1), "paid");
  REFUSED(np_pwf_pay(&pay, batch, "2024-01-20", "SD2023B-", &n, &err), "nothing_to_pay");
  {
    np_errdetail_t e2 = {0};
    char sql[256];
    snprintf(sql, sizeof sql, "INSERT INTO policy_payments (item_id, amount_fen, account_kind, status, paid_on, reference, created_by, "
             "created_at) VALUES (%lld, 1, 'enterprise', 'paid', '2024-01-21', 'dup', 't', 't')", (long long)i1);
    assert_int_not_equal(np_store_exec(g_s, sql, &e2), NP_OK); /* the unique index holds even without the guard */
  }
  int64_t pid = 0;
  np_store_queryf_int64(g_s, &pid, NULL, &err, "SELECT id FROM policy_payments WHERE item_id = ?", "i", i1);
  REFUSED(np_pwf_contact(&pay, pid, "called", &err), "invalid_state");
  REFUSED(np_pwf_repay(&pay, i1, "2024-01-25", "R1", NULL, &pid, &err), "invalid_state");
  OK(np_pwf_payment_fail(&pay, pid, "account closed", &err));
  assert_string_equal(state_of(i1), "payment_failed");
  REFUSED(np_pwf_payment_fail(&pay, pid, "again", &err), "invalid_state");
  OK(np_pwf_contact(&pay, pid, "HR gave a new account", &err));
  int64_t pid2 = 0;
  OK(np_pwf_repay(&pay, i1, "2024-01-25", "SD2023-R1", NULL, &pid2, &err));
  assert_true(pid2 != pid);
  assert_string_equal(state_of(i1), "paid");
  REFUSED(np_pwf_repay(&pay, i1, "2024-01-26", "SD2023-R2", NULL, &pid2, &err), "invalid_state");
  assert_string_equal(state_of(i4), "manual"); /* the exception lane never moved */

  /* every transition is recorded */
  int64_t events = 0, audits = 0;
  np_store_queryf_int64(g_s, &events, NULL, &err, "SELECT COUNT(*) FROM policy_item_events WHERE item_id = ?", "i", i1);
  assert_int_equal(events, 7); /* review, approve, notice, push, pay, fail, repay */
  np_store_query_int64(g_s, "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'policy.%'", &audits, NULL, &err);
  assert_true(audits >= 12);
}

static void test_objection_upheld_and_confirmation(void **state) {
  (void)state;
  np_errdetail_t err = {0};
  exec("UPDATE policy_settings SET confirm_required = 1, confirm_days = 3 WHERE policy = 'employment_internship_subsidy'");
  const int64_t amounts[5] = {1000, 2000, 0, 0, 3000};
  int64_t run = add_run("employment_internship_subsidy", amounts), batch = 0, n = 0, obj = 0;
  bool created;
  np_pwf_ctx_t lixia = ctx("lixia", "370102", "2024-02-01T02:00:00Z"), jinan = ctx("jinan", "370100", "2024-02-02T02:00:00Z");
  OK(np_pwf_batch_open(&lixia, run, "employment_internship_subsidy", &batch, &created, &err));
  OK(np_pwf_review(&lixia, batch, &n, &err));
  assert_int_equal(n, 3);
  OK(np_pwf_approve(&jinan, batch, &n, &err));
  OK(np_pwf_notice(&jinan, batch, 0, &n, &err)); /* the policy's setting: 5 days */
  int64_t i1 = item_of(batch, g_ent[0]), i2 = item_of(batch, g_ent[1]), i5 = item_of(batch, g_ent[4]);
  OK(np_pwf_object(&lixia, i2, "the intern never worked there", "a former intern", &obj, &err));
  np_pwf_ctx_t later = ctx("lixia", "370102", "2024-02-03T02:00:00Z");
  OK(np_pwf_handle(&later, obj, true, "confirmed by the social-insurance record", &err));
  assert_string_equal(state_of(i2), "excluded");
  np_pwf_ctx_t push = ctx("jinan", "370100", "2024-02-08T02:00:00Z"); /* notice ended 02-07 23:59:59 Shanghai */
  OK(np_pwf_push(&push, batch, &n, &err));
  assert_int_equal(n, 2);
  assert_string_equal(state_of(i1), "awaiting_confirmation");
  /* deadline: 3 days from 02-08 10:00 Shanghai → 02-11 23:59:59 Shanghai */
  np_pwf_ctx_t in_time = ctx("ent", NULL, "2024-02-11T15:59:59Z"), too_late = ctx("ent", NULL, "2024-02-11T16:00:00Z");
  OK(np_pwf_confirm(&in_time, i1, true, &err));
  assert_string_equal(state_of(i1), "confirmed");
  REFUSED(np_pwf_confirm(&in_time, i1, true, &err), "invalid_state");
  REFUSED(np_pwf_confirm(&too_late, i5, true, &err), "confirmation_expired");
  assert_string_equal(state_of(i5), "declined"); /* an unconfirmed push past its deadline counts as declined */
  np_pwf_ctx_t pay = ctx("lixia", "370102", "2024-02-20T02:00:00Z");
  OK(np_pwf_pay(&pay, batch, "2024-02-20", "IN-", &n, &err));
  assert_int_equal(n, 1); /* only the confirmed one */
}

static void test_idempotency(void **state) {
  (void)state;
  np_errdetail_t err = {0};
  bool found = true;
  int status = 0;
  char *body = NULL;
  OK(np_pwf_idem_get(g_s, 7, "k-1", "policy.review", &found, &status, &body, &err));
  assert_false(found);
  OK(np_pwf_idem_put(g_s, 7, "k-1", "policy.review", 200, "{\"first\":true}", 0, &err));
  OK(np_pwf_idem_put(g_s, 7, "k-1", "policy.review", 409, "{\"second\":true}", 0, &err)); /* the first stays */
  OK(np_pwf_idem_get(g_s, 7, "k-1", "policy.review", &found, &status, &body, &err));
  assert_true(found);
  assert_int_equal(status, 200);
  assert_string_equal(body, "{\"first\":true}");
  free(body);
  REFUSED(np_pwf_idem_get(g_s, 7, "k-1", "policy.approve", &found, &status, &body, &err), "idempotency_key_reused");
  OK(np_pwf_idem_get(g_s, 8, "k-1", "policy.review", &found, &status, &body, &err)); /* keys are per user */
  assert_false(found);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_period_end),
    cmocka_unit_test(test_guards_and_payments),
    cmocka_unit_test(test_objection_upheld_and_confirmation),
    cmocka_unit_test(test_idempotency),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
