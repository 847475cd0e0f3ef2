/*
 * Demo step "policy_workflow": runs the seven policies as of 2023-12-31 on the demo facts, opens a batch
 * per policy and takes some through the 免申即享 workflow on a timeline that ends today, so the pages
 * show every state:
 *   - 失业保险稳岗返还 in 济南: an exclusion, every county reviewed, city approval within the budget,
 *     public notice with three objections (upheld, dismissed, still open), push, payments in 历下 with
 *     one failed payment (re-contacted, queued), other cities still candidates;
 *   - 社会保险补贴 in 济南 (confirmation required): pushed, one confirmed, one declined, the rest waiting;
 *   - 稳岗扩岗专项贷款白名单 in 济南: pushed to the partner bank (the bank account's whitelist);
 *   - 创业担保贷款 in 济南 (confirmation required): pushed, waiting for the enterprises to confirm
 *     before the bank sees them;
 *   - 一次性扩岗补助 and 就业见习补贴: reviewed in 历下 (the internship subsidy also approved), 技能提升补贴
 *     candidates;
 *   - one 历下 enterprise in the must-apply lane (labour dispatch, 谁用工谁受益).
 */
#include "policy/demo_workflow.h"
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "core/date.h"
#include "core/str.h"
#include "policy/runjob.h"
#include "policy/workflow.h"

#define DAY 86400

static np_pwf_ctx_t at(np_demo_ctx_t *ctx, const char *user, const char *region, int64_t t) {
  return (np_pwf_ctx_t){.s = ctx->store, .now = t, .user = user, .role = "demo", .region = region};
}

/* County codes of Jinan with items in the batch. */
static int jinan_counties(np_store_t *s, int64_t batch, char out[][8], int cap, np_errdetail_t *err) {
  np_stmt_t *st;
  if (np_store_prepare(s, "SELECT DISTINCT county_code FROM policy_items WHERE batch_id = ? AND city_code = '370100' AND "
                          "state = 'candidate' ORDER BY county_code", &st, err))
    return -1;
  np_store_bind_int64(st, 1, batch);
  bool has;
  int n = 0;
  while (n < cap && !np_store_step(st, &has, err) && has) np_strlcpy(out[n++], np_store_col_text(st, 0), 8);
  np_store_release(st);
  return n;
}

/* The n-th auto item of a batch in a county in a state (0 when none). */
static int64_t nth_item(np_store_t *s, int64_t batch, const char *county, const char *state, int nth) {
  np_errdetail_t err = {0};
  int64_t id = 0;
  np_store_queryf_int64(s, &id, NULL, &err, "SELECT id FROM policy_items WHERE batch_id = ? AND county_code = ? AND state = ? AND "
                        "lane = 'auto' ORDER BY id LIMIT 1 OFFSET ?", "itti", batch, county, state, (int64_t)nth);
  return id;
}

/* Opens a batch, reviews every Jinan county (excluding `exclude` first), approves, notices. */
static np_err through_notice(np_demo_ctx_t *ctx, int64_t run, const char *policy, int64_t t0, int64_t *batch, np_errdetail_t *err) {
  bool created;
  np_pwf_ctx_t prov = at(ctx, "province", "370000", t0);
  np_err r = np_pwf_batch_open(&prov, run, policy, batch, &created, err);
  if (r) return r;
  char counties[32][8];
  int n = jinan_counties(ctx->store, *batch, counties, 32, err);
  if (n < 0) return NP_ERR_STORE;
  if (n == 0) return NP_OK;
  int64_t moved;
  for (int i = 0; i < n && !r; i++) {
    np_pwf_ctx_t county = at(ctx, strcmp(counties[i], "370102") == 0 ? "lixia" : "county", counties[i], t0 + DAY / 2);
    if (strcmp(counties[i], "370102") == 0 && strcmp(policy, "ui_job_stabilisation_refund") == 0) {
      int64_t ex = nth_item(ctx->store, *batch, "370102", "candidate", 0);
      if (ex) r = np_pwf_exclude(&county, ex, "企业已于2023年11月注销（市场监管登记）", err);
    }
    if (!r) r = np_pwf_review(&county, *batch, &moved, err);
  }
  np_pwf_ctx_t city = at(ctx, "jinan", "370100", t0 + DAY);
  if (!r) r = np_pwf_approve(&city, *batch, &moved, err);
  if (!r) r = np_pwf_notice(&city, *batch, 5, &moved, err);
  return r;
}

np_err np_demo_step_policy_workflow(np_demo_ctx_t *ctx, np_rng_t *rng, np_errdetail_t *err) {
  (void)rng;
  np_store_t *s = ctx->store;
  int64_t now = (int64_t)time(NULL), t0 = now - 12 * DAY;
  /* the must-apply lane: one 历下 enterprise is a labour-dispatch firm */
  int64_t dispatch = 0;
  bool found = false;
  np_err r;
  int64_t run = 0;
  if ((r = np_policy_job_create(s, "all", 19722 /* 2023-12-31 */, "demo", &run, err))) return r;
  if ((r = np_policy_job_execute(s, run, 2, err))) return r;
  r = np_store_queryf_int64(s, &dispatch, &found, err,
                            "SELECT d.enterprise_id FROM policy_decisions d JOIN enterprises e ON e.id = d.enterprise_id WHERE d.run_id = ? "
                            "AND d.policy = 'ui_job_stabilisation_refund' AND d.eligible = 1 AND e.county_code = '370102' "
                            "ORDER BY d.enterprise_id DESC LIMIT 1", "i", run);
  if (!r && found)
    r = np_store_execf(s, NULL, err, "INSERT INTO policy_must_apply (enterprise_id, policy, reason) VALUES (?, '*', ?)", "it", dispatch,
                       "劳务派遣单位：按“谁用工谁受益”由实际用工单位申请");
  /* budgets for 2023: the small demo's round figures, or at any scale 125 % of what the run found
   * eligible (rounded up to 10,000 yuan), so the city approvals fit at every scale */
  if (!r)
    r = np_store_execf(s, NULL, err,
                       "INSERT INTO policy_budgets (policy, year, budget_fen, updated_by, updated_at) "
                       "SELECT policy, 2023, CASE WHEN need > fen THEN need ELSE fen END, 'demo', '2024-01-01T00:00:00Z' FROM "
                       "(SELECT b.policy, b.fen, COALESCE((SELECT (SUM(d.amount_fen) * 5 / 4 / 1000000 + 1) * 1000000 FROM "
                       "policy_decisions d WHERE d.run_id = ? AND d.policy = b.policy AND d.eligible = 1), 0) AS need FROM "
                       "(SELECT 'ui_job_stabilisation_refund' AS policy, 5000000000 AS fen UNION ALL SELECT "
                       "'one_time_job_expansion_subsidy', 300000000 UNION ALL SELECT 'social_insurance_subsidy', 800000000 "
                       "UNION ALL SELECT 'employment_internship_subsidy', 100000000 UNION ALL SELECT 'skill_upgrade_subsidy', "
                       "100000000) b) x",
                       "i", run);
  if (r) return r;
  /* a batch per policy (the others stay candidates) */
  int64_t b_refund = 0, b_si = 0, b_wl = 0, b_startup = 0, b;
  bool created;
  np_pwf_ctx_t prov = at(ctx, "province", "370000", t0);
  static const char *const others[] = {"one_time_job_expansion_subsidy", "employment_internship_subsidy", "skill_upgrade_subsidy"};
  for (size_t i = 0; i < sizeof others / sizeof others[0] && !r; i++) {
    r = np_pwf_batch_open(&prov, run, others[i], &b, &created, err);
    int64_t moved = 0;
    np_pwf_ctx_t lx = at(ctx, "lixia", "370102", t0 + DAY);
    /* 一次性扩岗补助: 历下 reviewed, waiting for the city; 见习补贴: 历下 reviewed and approved, not yet on notice */
    if (!r && i <= 1 && nth_item(s, b, "370102", "candidate", 0)) r = np_pwf_review(&lx, b, &moved, err);
    np_pwf_ctx_t jn = at(ctx, "jinan", "370100", t0 + 2 * DAY);
    if (!r && i == 1 && moved) r = np_pwf_approve(&jn, b, &moved, err);
  }
  if (!r) r = through_notice(ctx, run, "ui_job_stabilisation_refund", t0, &b_refund, err);
  if (!r) r = through_notice(ctx, run, "social_insurance_subsidy", t0, &b_si, err);
  if (!r) r = through_notice(ctx, run, "special_loan_whitelist", t0, &b_wl, err);
  if (!r) r = through_notice(ctx, run, "startup_guarantee_loan", t0, &b_startup, err);
  if (r) return r;
  /* objections during the notice (two 历下 items): upheld, dismissed; a third stays open */
  np_pwf_ctx_t lixia = at(ctx, "lixia", "370102", t0 + 2 * DAY);
  int64_t o1 = 0, o2 = 0, o3 = 0;
  int64_t i1 = nth_item(s, b_refund, "370102", "notice", 0), i2 = nth_item(s, b_refund, "370102", "notice", 1),
          i3 = nth_item(s, b_refund, "370102", "notice", 2);
  if (i1) r = np_pwf_object(&lixia, i1, "举报：该企业2023年存在未申报的裁员", "实名举报人（职工）", &o1, err);
  if (!r && i2) r = np_pwf_object(&lixia, i2, "该企业与关联企业重复享受", "匿名", &o2, err);
  if (!r && i3) r = np_pwf_object(&lixia, i3, "企业地址与实际经营地不符", "街道网格员", &o3, err);
  np_pwf_ctx_t lixia3 = at(ctx, "lixia", "370102", t0 + 3 * DAY);
  if (!r && o1) r = np_pwf_handle(&lixia3, o1, true, "经核查社保记录，2023年9月裁员12人未申报，裁员率超标", err);
  if (!r && o2) r = np_pwf_handle(&lixia3, o2, false, "关联企业为独立法人，分别参保，不属重复享受", err);
  /* push after the notice (ends t0 + 1 day + 5 days) */
  np_pwf_ctx_t city = at(ctx, "jinan", "370100", t0 + 7 * DAY);
  int64_t moved;
  if (!r && b_refund) r = np_pwf_push(&city, b_refund, &moved, err);
  if (!r && b_si) r = np_pwf_push(&city, b_si, &moved, err);
  if (!r && b_wl) r = np_pwf_push(&city, b_wl, &moved, err);
  if (!r && b_startup) r = np_pwf_push(&city, b_startup, &moved, err);
  if (r) return r;
  /* confirmations (social-insurance subsidy): one confirmed, one declined */
  np_pwf_ctx_t ent = at(ctx, "enterprise", NULL, t0 + 8 * DAY);
  int64_t c1 = nth_item(s, b_si, "370102", "awaiting_confirmation", 0);
  if (c1) r = np_pwf_confirm(&ent, c1, true, err);
  int64_t c2 = nth_item(s, b_si, "370102", "awaiting_confirmation", 0);
  if (!r && c2) r = np_pwf_confirm(&ent, c2, false, err);
  /* payments in 历下, one comes back failed and is queued after a call */
  np_pwf_ctx_t pay = at(ctx, "lixia", "370102", t0 + 10 * DAY);
  char paid_on[NP_DATE_STRLEN];
  np_date_format((np_date_t){(int32_t)((t0 + 10 * DAY + 8 * 3600) / DAY)}, paid_on, sizeof paid_on);
  int64_t created_n = 0;
  if (!r && b_refund && nth_item(s, b_refund, "370102", "pushed", 0)) r = np_pwf_pay(&pay, b_refund, paid_on, "LX2023-WG-", &created_n, err);
  if (!r && created_n) {
    int64_t pid = 0;
    r = np_store_queryf_int64(s, &pid, NULL, err, "SELECT MIN(p.id) FROM policy_payments p JOIN policy_items i ON i.id = p.item_id "
                              "WHERE i.batch_id = ?", "i", b_refund);
    np_pwf_ctx_t back = at(ctx, "lixia", "370102", t0 + 11 * DAY);
    if (!r && pid) r = np_pwf_payment_fail(&back, pid, "收款账户已销户（银行退票）", err);
    if (!r && pid) r = np_pwf_contact(&back, pid, "已电话联系企业财务，待提供新的基本存款账户", err);
  }
  if (r) return r;
  if (ctx->report)
    fprintf(ctx->report, "policy_workflow: run prun_%" PRId64 " (7 policies as of 2023-12-31); 稳岗返还 in 济南 reviewed → approved → "
            "notice with objections → pushed → paid in 历下 (one failed, queued); 社保补贴 awaiting confirmation; loan whitelist "
            "pushed to the bank; 创业担保贷款 awaiting the enterprises' confirmation; %d payments\n", run, (int)created_n);
  return NP_OK;
}
