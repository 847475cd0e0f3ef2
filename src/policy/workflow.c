/* The 免申即享 workflow state machine (see workflow.h). */
#include "policy/workflow.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "audit/audit.h"
#include "core/date.h"
#include "core/ids.h"
#include "core/money.h"
#include "core/str.h"
#include "http/authz.h"

/* Item states an approval counts against the budget. */
#define LIVE_STATES "('approved','notice','pushed','awaiting_confirmation','confirmed','paid','payment_failed')"

static void ts(int64_t t, char out[NP_TS_STRLEN]) { np_date_format_ts_utc(t, out, NP_TS_STRLEN); }

int64_t np_pwf_period_end(int64_t start, int days) {
  int64_t local = start + NP_SHANGHAI_OFFSET;
  int64_t day = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
  return (day + days + 1) * 86400 - NP_SHANGHAI_OFFSET - 1;
}

/* LIKE pattern of the actor's jurisdiction ("3701%"; "%" for everything). */
static void scope_like(const np_pwf_ctx_t *c, char out[24]) {
  char p[16] = "";
  if (c->region && c->region[0]) np_authz_region_prefix(c->region, p);
  snprintf(out, 24, "%s%%", p);
}

static np_err audit(const np_pwf_ctx_t *c, const char *action, const char *entity, const char *prefix, int64_t id,
                    const char *detail, np_errdetail_t *err) {
  char eid[40];
  if (id > 0) np_id_format(prefix, id, eid, sizeof eid);
  else snprintf(eid, sizeof eid, "sweep"); /* system sweeps over many items */
  np_audit_entry_t e = {.user_id = c->user_id, .username = c->user, .role = c->role, .ip = c->ip, .action = action,
                        .entity = entity, .entity_id = eid, .request_id = c->request_id, .detail = detail};
  np_err r = np_audit_record(c->s, &e, NULL, err);
  if (!r) r = np_store_change(c->s, entity, eid, "update", NULL, err);
  return r;
}

np_err np_pwf_settings_get(np_store_t *s, const char *policy, np_pwf_settings_t *o, np_errdetail_t *err) {
  memset(o, 0, sizeof *o);
  o->notice_days = 5;
  o->confirm_days = 15;
  np_stmt_t *st;
  np_err r = np_store_prepare(s, "SELECT notice_days, confirm_required, confirm_days, kind, bank FROM policy_settings "
                                 "WHERE policy = ?", &st, err);
  if (r) return r;
  np_store_bind_text(st, 1, policy, NP_STORE_STRLEN);
  bool has;
  if (!(r = np_store_step(st, &has, err)) && has) {
    o->notice_days = (int)np_store_col_int64(st, 0);
    o->confirm_required = np_store_col_int64(st, 1) != 0;
    o->confirm_days = (int)np_store_col_int64(st, 2);
    const char *k = np_store_col_text(st, 3), *b = np_store_col_text(st, 4);
    o->whitelist = k && strcmp(k, "whitelist") == 0;
    if (b) np_strlcpy(o->bank, b, sizeof o->bank);
  }
  np_store_release(st);
  return r;
}

/* Batch row: policy, year, state. NP_ERR_NOT_FOUND when none. */
typedef struct batch {
  int64_t id, run_id, year;
  char policy[64], state[16];
} batch_t;

static np_err batch_get(np_store_t *s, int64_t id, batch_t *b, np_errdetail_t *err) {
  memset(b, 0, sizeof *b);
  np_stmt_t *st;
  np_err r = np_store_prepare(s, "SELECT run_id, policy, year, state FROM policy_batches WHERE id = ?", &st, err);
  if (r) return r;
  np_store_bind_int64(st, 1, id);
  bool has;
  if (!(r = np_store_step(st, &has, err)) && has) {
    b->id = id;
    b->run_id = np_store_col_int64(st, 0);
    np_strlcpy(b->policy, np_store_col_text(st, 1), sizeof b->policy);
    b->year = np_store_col_int64(st, 2);
    np_strlcpy(b->state, np_store_col_text(st, 3), sizeof b->state);
  }
  np_store_release(st);
  if (!r && !has) r = np_fail(err, NP_ERR_NOT_FOUND, "not_found", "batch", "no such batch");
  return r;
}

typedef struct item {
  int64_t id, batch_id, amount, enterprise_id;
  char state[24], region[16], policy[64], notice_end[NP_TS_STRLEN], deadline[NP_TS_STRLEN], lane[16];
} item_t;

static np_err item_get(const np_pwf_ctx_t *c, int64_t id, item_t *it, np_errdetail_t *err) {
  memset(it, 0, sizeof *it);
  char like[24];
  scope_like(c, like);
  np_stmt_t *st;
  np_err r = np_store_prepare(c->s, "SELECT batch_id, amount_fen, COALESCE(enterprise_id, 0), state, region_code, policy, "
                                    "COALESCE(notice_end, ''), COALESCE(confirm_deadline, ''), lane FROM policy_items "
                                    "WHERE id = ? AND region_code LIKE ?", &st, err);
  if (r) return r;
  np_store_bind_int64(st, 1, id);
  np_store_bind_text(st, 2, like, NP_STORE_STRLEN);
  bool has;
  if (!(r = np_store_step(st, &has, err)) && has) {
    it->id = id;
    it->batch_id = np_store_col_int64(st, 0);
    it->amount = np_store_col_int64(st, 1);
    it->enterprise_id = np_store_col_int64(st, 2);
    np_strlcpy(it->state, np_store_col_text(st, 3), sizeof it->state);
    np_strlcpy(it->region, np_store_col_text(st, 4), sizeof it->region);
    np_strlcpy(it->policy, np_store_col_text(st, 5), sizeof it->policy);
    np_strlcpy(it->notice_end, np_store_col_text(st, 6), sizeof it->notice_end);
    np_strlcpy(it->deadline, np_store_col_text(st, 7), sizeof it->deadline);
    np_strlcpy(it->lane, np_store_col_text(st, 8), sizeof it->lane);
  }
  np_store_release(st);
  if (!r && !has) r = np_fail(err, NP_ERR_NOT_FOUND, "not_found", "item", "no such item");
  return r;
}

np_err np_pwf_item_state(np_store_t *s, int64_t item_id, char *out, size_t cap, np_errdetail_t *err) {
  np_pwf_ctx_t c = {.s = s};
  item_t it;
  np_err r = item_get(&c, item_id, &it, err);
  if (!r) np_strlcpy(out, it.state, cap);
  return r;
}

/* One item: event + update (guarded by from state). */
static np_err move_one(const np_pwf_ctx_t *c, int64_t id, const char *from, const char *to, const char *action,
                       const char *note, np_errdetail_t *err) {
  char now[NP_TS_STRLEN];
  ts(c->now, now);
  int64_t n = 0;
  np_err r = np_store_execf(c->s, &n, err,
                            "UPDATE policy_items SET state = ?, updated_at = ?, version = version + 1 WHERE id = ? AND state = ?",
                            "ttit", to, now, id, from);
  if (!r && n != 1) r = np_fail(err, NP_ERR_CONFLICT, "invalid_state", "state", "the item is no longer %s", from);
  if (!r)
    r = np_store_execf(c->s, NULL, err,
                       "INSERT INTO policy_item_events (item_id, from_state, to_state, action, by_user, at, note) "
                       "VALUES (?,?,?,?,?,?,?)", "ittttt" "t", id, from, to, action, c->user ? c->user : "system", now, note);
  return r;
}

/*
 * Many items of a batch: events for every row matching `where` (binds: batch, from, like), then the update.
 * set_extra: more "col = ?" assignments with text binds x1, x2 (may be NULL).
 */
static np_err move_many(const np_pwf_ctx_t *c, int64_t batch_id, const char *from, const char *to, const char *action,
                        const char *extra_where, const char *set_extra, const char *x1, const char *x2, int64_t *moved,
                        np_errdetail_t *err) {
  char now[NP_TS_STRLEN], like[24], sql[768];
  ts(c->now, now);
  scope_like(c, like);
  const char *ew = extra_where ? extra_where : "";
  snprintf(sql, sizeof sql,
           "INSERT INTO policy_item_events (item_id, from_state, to_state, action, by_user, at) SELECT id, state, ?, ?, ?, ? "
           "FROM policy_items WHERE batch_id = ? AND state = ? AND lane = 'auto' AND region_code LIKE ?%s", ew);
  np_err r = np_store_execf(c->s, NULL, err, sql, "ttttitt", to, action, c->user ? c->user : "system", now, batch_id, from, like);
  if (r) return r;
  int64_t n = 0;
  if (set_extra && x2) {
    snprintf(sql, sizeof sql, "UPDATE policy_items SET state = ?, updated_at = ?, version = version + 1, %s WHERE batch_id = ? "
             "AND state = ? AND lane = 'auto' AND region_code LIKE ?%s", set_extra, ew);
    r = np_store_execf(c->s, &n, err, sql, "ttttitt", to, now, x1, x2, batch_id, from, like);
  } else if (set_extra) {
    snprintf(sql, sizeof sql, "UPDATE policy_items SET state = ?, updated_at = ?, version = version + 1, %s WHERE batch_id = ? "
             "AND state = ? AND lane = 'auto' AND region_code LIKE ?%s", set_extra, ew);
    r = np_store_execf(c->s, &n, err, sql, "tttitt", to, now, x1, batch_id, from, like);
  } else {
    snprintf(sql, sizeof sql, "UPDATE policy_items SET state = ?, updated_at = ?, version = version + 1 WHERE batch_id = ? "
             "AND state = ? AND lane = 'auto' AND region_code LIKE ?%s", ew);
    r = np_store_execf(c->s, &n, err, sql, "ttitt", to, now, batch_id, from, like);
  }
  if (moved) *moved = n;
  return r;
}

static np_err batch_state(const np_pwf_ctx_t *c, int64_t id, const char *state, np_errdetail_t *err) {
  char now[NP_TS_STRLEN];
  ts(c->now, now);
  return np_store_execf(c->s, NULL, err, "UPDATE policy_batches SET state = ?, updated_at = ? WHERE id = ?", "tti", state, now, id);
}

static np_err finish(const np_pwf_ctx_t *c, np_err r) {
  if (r) np_store_rollback(c->s);
  return r;
}

#define BEGIN()                                                                                                        \
  do {                                                                                                                 \
    np_err rb_ = np_store_begin(c->s, err);                                                                            \
    if (rb_) return rb_;                                                                                               \
  } while (0)
#define COMMIT(r) ((r) ? finish(c, (r)) : np_store_commit(c->s, err))

/* ------------------------------------------------------------------ batches */

np_err np_pwf_batch_open(const np_pwf_ctx_t *c, int64_t run_id, const char *policy, int64_t *batch_id, bool *created,
                         np_errdetail_t *err) {
  *created = false;
  BEGIN();
  bool found = false;
  np_err r = np_store_queryf_int64(c->s, batch_id, &found, err, "SELECT id FROM policy_batches WHERE run_id = ? AND policy = ?",
                                   "it", run_id, policy);
  if (r || found) return COMMIT(r);
  /* the run must be done and cover the policy */
  np_stmt_t *st;
  if ((r = np_store_prepare(c->s, "SELECT status, policy, as_of FROM policy_runs WHERE id = ?", &st, err))) return finish(c, r);
  np_store_bind_int64(st, 1, run_id);
  bool has;
  char status[16] = "", rpol[64] = "", as_of[16] = "";
  if (!(r = np_store_step(st, &has, err)) && has) {
    np_strlcpy(status, np_store_col_text(st, 0), sizeof status);
    np_strlcpy(rpol, np_store_col_text(st, 1), sizeof rpol);
    np_strlcpy(as_of, np_store_col_text(st, 2), sizeof as_of);
  }
  np_store_release(st);
  if (!r && !has) r = np_fail(err, NP_ERR_NOT_FOUND, "not_found", "run", "no such run");
  if (!r && strcmp(status, "done") != 0) r = np_fail(err, NP_ERR_CONFLICT, "run_not_done", "run", "the run is %s", status);
  if (!r && strcmp(rpol, "all") != 0 && strcmp(rpol, policy) != 0)
    r = np_fail(err, NP_ERR_INVALID, "unknown_policy", "policy", "the run did not evaluate %s", policy);
  if (r) return finish(c, r);
  np_pwf_settings_t set;
  if ((r = np_pwf_settings_get(c->s, policy, &set, err))) return finish(c, r);
  int64_t year = 0;
  np_parse_int64(as_of, 4, 1900, 2999, &year);
  char now[NP_TS_STRLEN];
  ts(c->now, now);
  r = np_store_queryf_int64(c->s, batch_id, NULL, err,
                            "INSERT INTO policy_batches (run_id, policy, year, state, notice_days, created_by, created_at, updated_at) "
                            "VALUES (?,?,?,'review',?,?,?,?) RETURNING id",
                            "itiittt", run_id, policy, year, (int64_t)set.notice_days, c->user ? c->user : "system", now, now);
  if (!r)
    r = np_store_execf(
        c->s, NULL, err,
        "INSERT INTO policy_items (batch_id, policy, entity_kind, entity_id, enterprise_id, region_code, county_code, city_code, "
        "amount_fen, year, lane, state, bank, updated_at) "
        "SELECT ?, d.policy, d.entity_kind, d.entity_id, d.enterprise_id, COALESCE(e.region_code, ''), COALESCE(e.county_code, ''), "
        "COALESCE(e.city_code, ''), d.amount_fen, ?, "
        "CASE WHEN e.industry_code = '7263' OR EXISTS (SELECT 1 FROM policy_must_apply m WHERE m.enterprise_id = d.enterprise_id "
        "AND (m.policy = '*' OR m.policy = d.policy)) THEN 'must_apply' ELSE 'auto' END, "
        "CASE WHEN e.industry_code = '7263' OR EXISTS (SELECT 1 FROM policy_must_apply m WHERE m.enterprise_id = d.enterprise_id "
        "AND (m.policy = '*' OR m.policy = d.policy)) THEN 'manual' ELSE 'candidate' END, ?, ? "
        "FROM policy_decisions d LEFT JOIN enterprises e ON e.id = COALESCE(d.enterprise_id, "
        "(SELECT s.enterprise_id FROM policy_certificates pc JOIN policy_spells s ON s.person_id = pc.person_id "
        "WHERE d.entity_kind = 'certificate' AND pc.id = d.entity_id ORDER BY s.start_date DESC, s.id DESC LIMIT 1)) "
        "WHERE d.run_id = ? AND d.policy = ? AND d.eligible = 1 ORDER BY d.entity_kind, d.entity_id",
        "iittit", *batch_id, year, set.whitelist && set.bank[0] ? set.bank : NULL, now, run_id, policy);
  if (!r) r = audit(c, "policy.batch.open", "policy_batch", NP_ID_PBATCH, *batch_id, policy, err);
  if (!r) *created = true;
  return COMMIT(r);
}

/* ------------------------------------------------------------------ review, approval */

np_err np_pwf_exclude(const np_pwf_ctx_t *c, int64_t item_id, const char *reason, np_errdetail_t *err) {
  if (!reason || !*reason || strlen(reason) > 500)
    return np_fail(err, NP_ERR_INVALID, "required", "reason", "give a reason (1–500 characters)");
  BEGIN();
  item_t it;
  np_err r = item_get(c, item_id, &it, err);
  if (!r && strcmp(it.state, "candidate") != 0)
    r = np_fail(err, NP_ERR_CONFLICT, "invalid_state", "state", "only candidates can be excluded (the item is %s)", it.state);
  if (r) return finish(c, r);
  char now[NP_TS_STRLEN];
  ts(c->now, now);
  r = move_one(c, item_id, "candidate", "excluded", "exclude", reason, err);
  if (!r) r = np_store_execf(c->s, NULL, err, "UPDATE policy_items SET exclude_reason = ? WHERE id = ?", "ti", reason, item_id);
  if (!r) r = audit(c, "policy.exclude", "policy_item", NP_ID_PITEM, item_id, reason, err);
  return COMMIT(r);
}

np_err np_pwf_review(const np_pwf_ctx_t *c, int64_t batch_id, int64_t *moved, np_errdetail_t *err) {
  char county[16] = "";
  if (!c->region || strlen(c->region) != 6 || memcmp(c->region + 4, "00", 2) == 0)
    return np_fail(err, NP_ERR_FORBIDDEN, "county_only", "", "the review is done by a county bureau");
  np_strlcpy(county, c->region, sizeof county);
  BEGIN();
  batch_t b;
  np_err r = batch_get(c->s, batch_id, &b, err);
  bool done = false;
  int64_t x;
  if (!r)
    r = np_store_queryf_int64(c->s, &x, &done, err, "SELECT 1 FROM policy_batch_reviews WHERE batch_id = ? AND county_code = ?",
                              "it", batch_id, county);
  if (!r && done) r = np_fail(err, NP_ERR_CONFLICT, "already_reviewed", "", "county %s has already finished its review", county);
  if (r) return finish(c, r);
  int64_t n = 0;
  r = move_many(c, batch_id, "candidate", "reviewed", "review", NULL, NULL, NULL, NULL, &n, err);
  char now[NP_TS_STRLEN];
  ts(c->now, now);
  if (!r)
    r = np_store_execf(c->s, NULL, err, "INSERT INTO policy_batch_reviews (batch_id, county_code, by_user, at) VALUES (?,?,?,?)",
                       "itt" "t", batch_id, county, c->user ? c->user : "system", now);
  char detail[96];
  snprintf(detail, sizeof detail, "county %s reviewed, %" PRId64 " items", county, n);
  if (!r) r = audit(c, "policy.review", "policy_batch", NP_ID_PBATCH, batch_id, detail, err);
  if (moved) *moved = n;
  return COMMIT(r);
}

np_err np_pwf_approve(const np_pwf_ctx_t *c, int64_t batch_id, int64_t *moved, np_errdetail_t *err) {
  char prefix[16] = "", city[24] = "";
  if (!c->region || !np_authz_region_prefix(c->region, prefix) || strlen(prefix) != 4)
    return np_fail(err, NP_ERR_FORBIDDEN, "city_only", "", "the approval is given by a city bureau");
  snprintf(city, sizeof city, "%s00", prefix);
  BEGIN();
  batch_t b;
  np_err r = batch_get(c->s, batch_id, &b, err);
  if (r) return finish(c, r);
  /* nothing approved before its review: only reviewed items move; with none, say which county is pending */
  np_stmt_t *st;
  char like[24];
  scope_like(c, like);
  int64_t amount = 0, count = 0;
  if (!r)
    r = np_store_queryf_int64(c->s, &amount, NULL, err, "SELECT COALESCE(SUM(amount_fen), 0) FROM policy_items WHERE batch_id = ? "
                              "AND state = 'reviewed' AND lane = 'auto' AND region_code LIKE ?", "it", batch_id, like);
  if (!r)
    r = np_store_queryf_int64(c->s, &count, NULL, err, "SELECT COUNT(*) FROM policy_items WHERE batch_id = ? "
                              "AND state = 'reviewed' AND lane = 'auto' AND region_code LIKE ?", "it", batch_id, like);
  if (!r && count == 0) {
    r = np_store_prepare(c->s, "SELECT county_code FROM policy_items WHERE batch_id = ? AND lane = 'auto' AND state = 'candidate' "
                               "AND region_code LIKE ? ORDER BY county_code LIMIT 1", &st, err);
    if (r) return finish(c, r);
    np_store_bind_int64(st, 1, batch_id);
    np_store_bind_text(st, 2, like, NP_STORE_STRLEN);
    bool has;
    char pending[16] = "";
    if (!(r = np_store_step(st, &has, err)) && has) np_strlcpy(pending, np_store_col_text(st, 0), sizeof pending);
    np_store_release(st);
    if (!r && pending[0])
      r = np_fail(err, NP_ERR_CONFLICT, "not_reviewed", "county", "county %s has not finished its review: nothing can be approved before it",
                  pending);
    else if (!r)
      r = np_fail(err, NP_ERR_CONFLICT, "nothing_to_approve", "", "no reviewed items waiting for approval in %s", city);
  }
  if (r) return finish(c, r);
  /* fund budget of the policy for the year */
  int64_t budget = 0, used = 0;
  bool has_budget = false;
  r = np_store_queryf_int64(c->s, &budget, &has_budget, err, "SELECT budget_fen FROM policy_budgets WHERE policy = ? AND year = ?",
                            "ti", b.policy, b.year);
  if (!r && has_budget) {
    r = np_store_queryf_int64(c->s, &used, NULL, err, "SELECT COALESCE(SUM(amount_fen), 0) FROM policy_items WHERE policy = ? "
                              "AND year = ? AND state IN " LIVE_STATES, "ti", b.policy, b.year);
    if (!r && used + amount > budget) {
      char a[NP_MONEY_STRLEN], u[NP_MONEY_STRLEN], bb[NP_MONEY_STRLEN];
      np_money_format(amount, a, sizeof a);
      np_money_format(used, u, sizeof u);
      np_money_format(budget, bb, sizeof bb);
      r = np_fail(err, NP_ERR_CONFLICT, "over_budget", "", "approving %s yuan would exceed the %" PRId64 " budget of %s yuan "
                  "(%s yuan already approved)", a, b.year, bb, u);
    }
  }
  if (r) return finish(c, r);
  int64_t n = 0;
  r = move_many(c, batch_id, "reviewed", "approved", "approve", NULL, NULL, NULL, NULL, &n, err);
  char now[NP_TS_STRLEN];
  ts(c->now, now);
  if (!r)
    r = np_store_execf(c->s, NULL, err, "INSERT INTO policy_batch_approvals (batch_id, city_code, amount_fen, items, by_user, at) "
                       "VALUES (?,?,?,?,?,?)", "itii" "tt", batch_id, city, amount, n, c->user ? c->user : "system", now);
  if (!r && strcmp(b.state, "review") == 0) r = batch_state(c, batch_id, "approved", err);
  char detail[128], a[NP_MONEY_STRLEN];
  np_money_format(amount, a, sizeof a);
  snprintf(detail, sizeof detail, "city %s approved %" PRId64 " items, %s yuan", city, n, a);
  if (!r) r = audit(c, "policy.approve", "policy_batch", NP_ID_PBATCH, batch_id, detail, err);
  if (moved) *moved = n;
  return COMMIT(r);
}

/* ------------------------------------------------------------------ notice, objections, push */

np_err np_pwf_notice(const np_pwf_ctx_t *c, int64_t batch_id, int days, int64_t *moved, np_errdetail_t *err) {
  if (days < 0 || days > 30) return np_fail(err, NP_ERR_INVALID, "range", "days", "notice days must be 1–30");
  BEGIN();
  batch_t b;
  np_err r = batch_get(c->s, batch_id, &b, err);
  np_pwf_settings_t set;
  if (!r) r = np_pwf_settings_get(c->s, b.policy, &set, err);
  if (r) return finish(c, r);
  if (days == 0) days = set.notice_days;
  char start[NP_TS_STRLEN], end[NP_TS_STRLEN];
  ts(c->now, start);
  ts(np_pwf_period_end(c->now, days), end);
  int64_t n = 0;
  r = move_many(c, batch_id, "approved", "notice", "notice", NULL, "notice_start = ?, notice_end = ?", start, end, &n, err);
  if (!r && n == 0) r = np_fail(err, NP_ERR_CONFLICT, "nothing_to_publish", "", "no approved items to publish in your jurisdiction");
  if (!r)
    r = np_store_execf(c->s, NULL, err, "UPDATE policy_batches SET notice_start = COALESCE(notice_start, ?), notice_end = ?, "
                       "notice_days = ? WHERE id = ?", "ttii", start, end, (int64_t)days, batch_id);
  if (!r) r = batch_state(c, batch_id, "notice", err);
  char detail[128];
  snprintf(detail, sizeof detail, "%" PRId64 " items on public notice for %d days until %s", n, days, end);
  if (!r) r = audit(c, "policy.notice", "policy_batch", NP_ID_PBATCH, batch_id, detail, err);
  if (moved) *moved = n;
  return COMMIT(r);
}

static int64_t parse_ts(const char *s) {
  int64_t t = 0;
  if (!s || !*s || np_date_parse_ts_utc(s, strlen(s), &t)) return 0;
  return t;
}

np_err np_pwf_object(const np_pwf_ctx_t *c, int64_t item_id, const char *text, const char *objector, int64_t *obj_id,
                     np_errdetail_t *err) {
  if (!text || !*text || strlen(text) > 2000) return np_fail(err, NP_ERR_INVALID, "required", "text", "the objection's text (1–2000 characters)");
  if (!objector || !*objector || strlen(objector) > 200)
    return np_fail(err, NP_ERR_INVALID, "required", "by", "who objects (1–200 characters)");
  BEGIN();
  item_t it;
  np_err r = item_get(c, item_id, &it, err);
  if (!r && strcmp(it.state, "notice") != 0)
    r = np_fail(err, NP_ERR_CONFLICT, "invalid_state", "state", "objections are taken during the public notice (the item is %s)", it.state);
  if (!r && c->now > parse_ts(it.notice_end))
    r = np_fail(err, NP_ERR_CONFLICT, "notice_closed", "", "the public notice ended at %s", it.notice_end);
  if (r) return finish(c, r);
  char now[NP_TS_STRLEN];
  ts(c->now, now);
  r = np_store_queryf_int64(c->s, obj_id, NULL, err,
                            "INSERT INTO policy_objections (item_id, text, objector, status, recorded_by, recorded_at) "
                            "VALUES (?,?,?,'open',?,?) RETURNING id", "itttt", item_id, text, objector,
                            c->user ? c->user : "system", now);
  if (!r) r = audit(c, "policy.objection", "policy_item", NP_ID_PITEM, item_id, "objection recorded", err);
  return COMMIT(r);
}

np_err np_pwf_handle(const np_pwf_ctx_t *c, int64_t obj_id, bool upheld, const char *note, np_errdetail_t *err) {
  if (!note || !*note || strlen(note) > 2000) return np_fail(err, NP_ERR_INVALID, "required", "note", "a note on the decision (1–2000 characters)");
  BEGIN();
  int64_t item_id = 0;
  bool found = false;
  np_stmt_t *st;
  np_err r = np_store_prepare(c->s, "SELECT item_id, status FROM policy_objections WHERE id = ?", &st, err);
  if (r) return finish(c, r);
  np_store_bind_int64(st, 1, obj_id);
  char status[16] = "";
  if (!(r = np_store_step(st, &found, err)) && found) {
    item_id = np_store_col_int64(st, 0);
    np_strlcpy(status, np_store_col_text(st, 1), sizeof status);
  }
  np_store_release(st);
  if (!r && !found) r = np_fail(err, NP_ERR_NOT_FOUND, "not_found", "objection", "no such objection");
  item_t it;
  if (!r) r = item_get(c, item_id, &it, err); /* scope */
  if (!r && strcmp(status, "open") != 0) r = np_fail(err, NP_ERR_CONFLICT, "already_handled", "", "the objection was %s", status);
  if (r) return finish(c, r);
  char now[NP_TS_STRLEN];
  ts(c->now, now);
  r = np_store_execf(c->s, NULL, err, "UPDATE policy_objections SET status = ?, note = ?, handled_by = ?, handled_at = ? WHERE id = ?",
                     "ttt" "ti", upheld ? "upheld" : "dismissed", note, c->user ? c->user : "system", now, obj_id);
  if (!r && upheld) {
    if (strcmp(it.state, "notice") != 0)
      r = np_fail(err, NP_ERR_CONFLICT, "invalid_state", "state", "the item is %s", it.state);
    char reason[600];
    snprintf(reason, sizeof reason, "objection upheld: %s", note);
    if (!r) r = move_one(c, item_id, "notice", "excluded", "objection_upheld", note, err);
    if (!r) r = np_store_execf(c->s, NULL, err, "UPDATE policy_items SET exclude_reason = ? WHERE id = ?", "ti", reason, item_id);
  }
  if (!r) r = audit(c, upheld ? "policy.objection.uphold" : "policy.objection.dismiss", "policy_item", NP_ID_PITEM, item_id, note, err);
  return COMMIT(r);
}

np_err np_pwf_push(const np_pwf_ctx_t *c, int64_t batch_id, int64_t *moved, np_errdetail_t *err) {
  BEGIN();
  batch_t b;
  np_err r = batch_get(c->s, batch_id, &b, err);
  np_pwf_settings_t set;
  if (!r) r = np_pwf_settings_get(c->s, b.policy, &set, err);
  if (r) return finish(c, r);
  char now[NP_TS_STRLEN], deadline[NP_TS_STRLEN];
  ts(c->now, now);
  ts(np_pwf_period_end(c->now, set.confirm_days), deadline);
  static const char ready[] = " AND notice_end < ? AND NOT EXISTS (SELECT 1 FROM policy_objections o WHERE o.item_id = "
                              "policy_items.id AND o.status = 'open')";
  /* the notice end bind comes after the LIKE: build the statements by hand */
  char like[24];
  scope_like(c, like);
  const char *to = set.confirm_required ? "awaiting_confirmation" : "pushed";
  char sql[1024];
  snprintf(sql, sizeof sql, "INSERT INTO policy_item_events (item_id, from_state, to_state, action, by_user, at) SELECT id, state, "
           "?, 'push', ?, ? FROM policy_items WHERE batch_id = ? AND state = 'notice' AND lane = 'auto' AND region_code LIKE ?%s", ready);
  r = np_store_execf(c->s, NULL, err, sql, "tttitt", to, c->user ? c->user : "system", now, batch_id, like, now);
  int64_t n = 0;
  if (!r) {
    snprintf(sql, sizeof sql, "UPDATE policy_items SET state = ?, updated_at = ?, version = version + 1, pushed_at = ?, "
             "confirm_deadline = ? WHERE batch_id = ? AND state = 'notice' AND lane = 'auto' AND region_code LIKE ?%s", ready);
    r = np_store_execf(c->s, &n, err, sql, "tttt" "itt", to, now, now, set.confirm_required ? deadline : NULL, batch_id, like, now);
  }
  if (!r && n == 0) {
    int64_t running = 0;
    r = np_store_queryf_int64(c->s, &running, NULL, err, "SELECT COUNT(*) FROM policy_items WHERE batch_id = ? AND state = 'notice' "
                              "AND region_code LIKE ? AND notice_end >= ?", "itt", batch_id, like, now);
    if (!r && running)
      r = np_fail(err, NP_ERR_CONFLICT, "notice_running", "", "the public notice has not ended yet (%" PRId64 " items)", running);
    else if (!r)
      r = np_fail(err, NP_ERR_CONFLICT, "nothing_to_push", "", "no items whose notice ended without an open objection");
  }
  if (!r) r = batch_state(c, batch_id, "pushed", err);
  char detail[96];
  snprintf(detail, sizeof detail, "%" PRId64 " items pushed (%s)", n, to);
  if (!r) r = audit(c, "policy.push", "policy_batch", NP_ID_PBATCH, batch_id, detail, err);
  if (moved) *moved = n;
  return COMMIT(r);
}

np_err np_pwf_expire(const np_pwf_ctx_t *c, int64_t *moved, np_errdetail_t *err) {
  BEGIN();
  char now[NP_TS_STRLEN];
  ts(c->now, now);
  np_err r = np_store_execf(c->s, NULL, err,
                            "INSERT INTO policy_item_events (item_id, from_state, to_state, action, by_user, at, note) SELECT id, state, "
                            "'declined', 'confirmation_expired', 'system', ?, 'no confirmation before the deadline' FROM policy_items "
                            "WHERE state = 'awaiting_confirmation' AND confirm_deadline < ?", "tt", now, now);
  int64_t n = 0;
  if (!r)
    r = np_store_execf(c->s, &n, err, "UPDATE policy_items SET state = 'declined', updated_at = ?, version = version + 1 "
                       "WHERE state = 'awaiting_confirmation' AND confirm_deadline < ?", "tt", now, now);
  if (!r && n) {
    np_pwf_ctx_t sys = *c;
    sys.user = "system";
    sys.user_id = 0;
    char detail[64];
    snprintf(detail, sizeof detail, "%" PRId64 " unconfirmed pushes declined", n);
    r = audit(&sys, "policy.confirmation.expire", "policy_item", NP_ID_PITEM, 0, detail, err);
  }
  if (moved) *moved = n;
  return COMMIT(r);
}

np_err np_pwf_confirm(const np_pwf_ctx_t *c, int64_t item_id, bool accept, np_errdetail_t *err) {
  np_err r = np_pwf_expire(c, NULL, err);
  if (r) return r;
  BEGIN();
  item_t it;
  r = item_get(c, item_id, &it, err);
  if (!r && strcmp(it.state, "declined") == 0 && it.deadline[0] && c->now > parse_ts(it.deadline))
    r = np_fail(err, NP_ERR_CONFLICT, "confirmation_expired", "", "the confirmation deadline %s has passed: counted as declined", it.deadline);
  else if (!r && strcmp(it.state, "awaiting_confirmation") != 0)
    r = np_fail(err, NP_ERR_CONFLICT, "invalid_state", "state", "nothing to confirm (the item is %s)", it.state);
  if (!r) r = move_one(c, item_id, "awaiting_confirmation", accept ? "confirmed" : "declined", accept ? "confirm" : "decline", NULL, err);
  if (!r) r = audit(c, accept ? "policy.confirm" : "policy.decline", "policy_item", NP_ID_PITEM, item_id, NULL, err);
  return COMMIT(r);
}

/* ------------------------------------------------------------------ payments */

static bool date_ok(const char *d) {
  np_date_t x;
  return d && strlen(d) == 10 && np_date_parse(d, 10, &x) == NP_OK;
}

np_err np_pwf_pay(const np_pwf_ctx_t *c, int64_t batch_id, const char *paid_on, const char *ref_prefix, int64_t *created,
                  np_errdetail_t *err) {
  if (!date_ok(paid_on)) return np_fail(err, NP_ERR_INVALID, "format", "paid_on", "a date YYYY-MM-DD");
  if (!ref_prefix || strlen(ref_prefix) > 40) return np_fail(err, NP_ERR_INVALID, "format", "reference_prefix", "at most 40 characters");
  np_err r = np_pwf_expire(c, NULL, err);
  if (r) return r;
  BEGIN();
  batch_t b;
  r = batch_get(c->s, batch_id, &b, err);
  np_pwf_settings_t set;
  if (!r) r = np_pwf_settings_get(c->s, b.policy, &set, err);
  if (!r && set.whitelist) r = np_fail(err, NP_ERR_CONFLICT, "not_payable", "", "%s is a loan whitelist: nothing is paid", b.policy);
  if (r) return finish(c, r);
  char now[NP_TS_STRLEN], like[24];
  ts(c->now, now);
  scope_like(c, like);
  const char *si = strcmp(b.policy, "social_insurance_subsidy") == 0 ? "'social_insurance'" : NULL;
  char sql[900];
  snprintf(sql, sizeof sql,
           "INSERT INTO policy_payments (item_id, amount_fen, account_kind, status, paid_on, reference, created_by, created_at) "
           "SELECT id, amount_fen, %s, 'paid', ?, ? || CAST(id AS TEXT), ?, ? FROM policy_items WHERE batch_id = ? "
           "AND state IN ('pushed', 'confirmed') AND lane = 'auto' AND amount_fen > 0 AND region_code LIKE ?",
           si ? si : "CASE WHEN enterprise_id IS NULL THEN 'social_insurance' ELSE 'enterprise' END");
  int64_t n = 0;
  r = np_store_execf(c->s, &n, err, sql, "tttt" "it", paid_on, ref_prefix, c->user ? c->user : "system", now, batch_id, like);
  int64_t m1 = 0, m2 = 0;
  if (!r) r = move_many(c, batch_id, "pushed", "paid", "pay", " AND amount_fen > 0", NULL, NULL, NULL, &m1, err);
  if (!r) r = move_many(c, batch_id, "confirmed", "paid", "pay", " AND amount_fen > 0", NULL, NULL, NULL, &m2, err);
  if (!r && n == 0) r = np_fail(err, NP_ERR_CONFLICT, "nothing_to_pay", "", "no pushed or confirmed items to pay in your jurisdiction");
  if (!r && n != m1 + m2) r = np_fail(err, NP_ERR_INTERNAL, "internal", "", "payments and items disagree");
  if (!r) {
    int64_t open = 0;
    r = np_store_queryf_int64(c->s, &open, NULL, err, "SELECT COUNT(*) FROM policy_items WHERE batch_id = ? AND state IN "
                              "('candidate','reviewed','approved','notice','pushed','awaiting_confirmation','confirmed','payment_failed')",
                              "i", batch_id);
    if (!r) r = batch_state(c, batch_id, open ? "paying" : "done", err);
  }
  char detail[96];
  snprintf(detail, sizeof detail, "%" PRId64 " payments recorded, paid on %s", n, paid_on);
  if (!r) r = audit(c, "policy.pay", "policy_batch", NP_ID_PBATCH, batch_id, detail, err);
  if (created) *created = n;
  return COMMIT(r);
}

/* Payment row with its item, in scope. */
static np_err payment_get(const np_pwf_ctx_t *c, int64_t id, int64_t *item_id, char status[16], np_errdetail_t *err) {
  np_stmt_t *st;
  np_err r = np_store_prepare(c->s, "SELECT item_id, status FROM policy_payments WHERE id = ?", &st, err);
  if (r) return r;
  np_store_bind_int64(st, 1, id);
  bool has;
  if (!(r = np_store_step(st, &has, err)) && has) {
    *item_id = np_store_col_int64(st, 0);
    np_strlcpy(status, np_store_col_text(st, 1), 16);
  }
  np_store_release(st);
  if (!r && !has) r = np_fail(err, NP_ERR_NOT_FOUND, "not_found", "payment", "no such payment");
  item_t it;
  if (!r) r = item_get(c, *item_id, &it, err);
  return r;
}

np_err np_pwf_payment_fail(const np_pwf_ctx_t *c, int64_t payment_id, const char *reason, np_errdetail_t *err) {
  if (!reason || !*reason || strlen(reason) > 500) return np_fail(err, NP_ERR_INVALID, "required", "reason", "why it failed (1–500 characters)");
  BEGIN();
  int64_t item_id = 0;
  char status[16] = "";
  np_err r = payment_get(c, payment_id, &item_id, status, err);
  if (!r && strcmp(status, "paid") != 0) r = np_fail(err, NP_ERR_CONFLICT, "invalid_state", "status", "the payment is %s", status);
  int64_t n = 0;
  if (!r)
    r = np_store_execf(c->s, &n, err, "UPDATE policy_payments SET status = 'failed', failure = ? WHERE id = ? AND status = 'paid'",
                       "ti", reason, payment_id);
  if (!r) r = move_one(c, item_id, "paid", "payment_failed", "payment_failed", reason, err);
  if (!r)
    r = np_store_execf(c->s, NULL, err, "UPDATE policy_batches SET state = 'paying' WHERE id = (SELECT batch_id FROM policy_items "
                       "WHERE id = ?)", "i", item_id);
  if (!r) r = audit(c, "policy.payment.fail", "policy_payment", NP_ID_PPAY, payment_id, reason, err);
  return COMMIT(r);
}

np_err np_pwf_contact(const np_pwf_ctx_t *c, int64_t payment_id, const char *note, np_errdetail_t *err) {
  if (!note || !*note || strlen(note) > 1000) return np_fail(err, NP_ERR_INVALID, "required", "note", "what was said (1–1000 characters)");
  BEGIN();
  int64_t item_id = 0;
  char status[16] = "", now[NP_TS_STRLEN];
  ts(c->now, now);
  np_err r = payment_get(c, payment_id, &item_id, status, err);
  if (!r && strcmp(status, "failed") != 0) r = np_fail(err, NP_ERR_CONFLICT, "invalid_state", "status", "only failed payments are followed up");
  if (!r)
    r = np_store_execf(c->s, NULL, err, "INSERT INTO policy_payment_contacts (payment_id, note, by_user, at) VALUES (?,?,?,?)", "itt" "t",
                       payment_id, note, c->user ? c->user : "system", now);
  if (!r) r = audit(c, "policy.payment.contact", "policy_payment", NP_ID_PPAY, payment_id, note, err);
  return COMMIT(r);
}

np_err np_pwf_repay(const np_pwf_ctx_t *c, int64_t item_id, const char *paid_on, const char *reference,
                    const char *account_kind, int64_t *payment_id, np_errdetail_t *err) {
  if (!date_ok(paid_on)) return np_fail(err, NP_ERR_INVALID, "format", "paid_on", "a date YYYY-MM-DD");
  if (!reference || !*reference || strlen(reference) > 64) return np_fail(err, NP_ERR_INVALID, "required", "reference", "1–64 characters");
  if (account_kind && strcmp(account_kind, "enterprise") != 0 && strcmp(account_kind, "social_insurance") != 0)
    return np_fail(err, NP_ERR_INVALID, "enum", "account_kind", "enterprise or social_insurance");
  BEGIN();
  item_t it;
  np_err r = item_get(c, item_id, &it, err);
  if (!r && strcmp(it.state, "payment_failed") != 0)
    r = np_fail(err, NP_ERR_CONFLICT, "invalid_state", "state", "only items whose payment failed are paid again (the item is %s)", it.state);
  if (r) return finish(c, r);
  char kind[24] = "enterprise", now[NP_TS_STRLEN];
  ts(c->now, now);
  if (account_kind) np_strlcpy(kind, account_kind, sizeof kind);
  else {
    np_stmt_t *st;
    if (!(r = np_store_prepare(c->s, "SELECT account_kind FROM policy_payments WHERE item_id = ? ORDER BY id DESC LIMIT 1", &st, err))) {
      np_store_bind_int64(st, 1, item_id);
      bool has;
      if (!(r = np_store_step(st, &has, err)) && has) np_strlcpy(kind, np_store_col_text(st, 0), sizeof kind);
      np_store_release(st);
    }
  }
  if (!r)
    r = np_store_queryf_int64(c->s, payment_id, NULL, err,
                              "INSERT INTO policy_payments (item_id, amount_fen, account_kind, status, paid_on, reference, created_by, "
                              "created_at) VALUES (?,?,?,'paid',?,?,?,?) RETURNING id", "iitt" "ttt", item_id, it.amount, kind,
                              paid_on, reference, c->user ? c->user : "system", now);
  if (r && strcmp(err->code, "unique") == 0) r = np_fail(err, NP_ERR_CONFLICT, "duplicate_reference", "reference", "reference already used");
  if (!r) r = move_one(c, item_id, "payment_failed", "paid", "repay", reference, err);
  if (!r) r = audit(c, "policy.repay", "policy_item", NP_ID_PITEM, item_id, reference, err);
  return COMMIT(r);
}

/* ------------------------------------------------------------------ idempotency */

np_err np_pwf_idem_get(np_store_t *s, int64_t user_id, const char *key, const char *action, bool *found, int *status,
                       char **body, np_errdetail_t *err) {
  *found = false;
  *body = NULL;
  np_stmt_t *st;
  np_err r = np_store_prepare(s, "SELECT action, status, body FROM policy_idempotency WHERE user_id = ? AND idem_key = ?", &st, err);
  if (r) return r;
  np_store_bind_int64(st, 1, user_id);
  np_store_bind_text(st, 2, key, NP_STORE_STRLEN);
  bool has;
  if (!(r = np_store_step(st, &has, err)) && has) {
    if (strcmp(np_store_col_text(st, 0), action) != 0) {
      r = np_fail(err, NP_ERR_CONFLICT, "idempotency_key_reused", "Idempotency-Key", "this key was used for another action");
    } else {
      *found = true;
      *status = (int)np_store_col_int64(st, 1);
      *body = strdup(np_store_col_text(st, 2));
      if (!*body) r = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
    }
  }
  np_store_release(st);
  return r;
}

np_err np_pwf_idem_put(np_store_t *s, int64_t user_id, const char *key, const char *action, int status, const char *body,
                       int64_t now, np_errdetail_t *err) {
  char t[NP_TS_STRLEN];
  ts(now, t);
  np_errdetail_t ignore = {0};
  np_err r = np_store_execf(s, NULL, &ignore, "INSERT INTO policy_idempotency (user_id, idem_key, action, status, body, created_at) "
                            "VALUES (?,?,?,?,?,?)", "itti" "tt", user_id, key, action, (int64_t)status, body, t);
  (void)err;
  return r == NP_ERR_CONFLICT ? NP_OK : r;
}
