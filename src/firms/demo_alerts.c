/*
 * Demo step "alerts": evaluates the shortage rules over the demo enterprises. A few alerts are
 * raised back in time so the board shows every state: in 历下区 (370102, the "lixia" account) one
 * alert already escalated to the city, one acknowledged late (missed), one acknowledged in time
 * (met), one closed by staff; elsewhere one that went up to the province. Then one sweep at the
 * real time raises the rest and escalates the back-dated ones. A green-channel alert is ensured
 * (an enterprise with a major project, or one flagged green_channel when there is none).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/ids.h"
#include "demo/steps.h"
#include "firms/alerts.h"

#define H (INT64_C(3600))

typedef struct pick {
  int64_t id;
  char county[8];
} pick_t;

/* Enterprises that match an active rule and have no live alert yet, lixia's county first. */
static np_err candidates(np_store_t *s, pick_t **out, size_t *n, np_errdetail_t *err) {
  np_alert_rule_t rules[NP_ALERT_MAX_RULES];
  size_t nr = 0, cap = 0;
  *out = NULL;
  *n = 0;
  np_err rc = np_alert_rules_load(s, rules, NP_ALERT_MAX_RULES, &nr, err);
  if (rc) return rc;
  np_stmt_t *st = NULL;
  rc = np_store_prepare(s,
                        "SELECT e.id, e.county_code, e.open_openings, e.headcount, CASE WHEN EXISTS (SELECT 1 FROM "
                        "projects p WHERE p.enterprise_id = e.id AND p.is_major = 1 AND p.stage <> 'suspended') THEN 1 "
                        "ELSE 0 END FROM enterprises e WHERE e.open_openings > 0 AND NOT EXISTS (SELECT 1 FROM alerts a "
                        "WHERE a.enterprise_id = e.id AND a.live = 1) ORDER BY CASE WHEN e.county_code = '370102' "
                        "THEN 0 ELSE 1 END, e.id LIMIT 2000",
                        &st, err);
  if (rc) return rc;
  for (;;) {
    bool has = false;
    if ((rc = np_store_step(st, &has, err)) || !has) break;
    int64_t openings = np_store_col_int64(st, 2), headcount = np_store_col_int64(st, 3);
    bool major = np_store_col_int64(st, 4) != 0, match = false;
    for (size_t i = 0; i < nr && !match; i++)
      match = rules[i].active && np_alert_rule_matches(&rules[i], openings, headcount, major);
    if (!match) continue;
    if (*n == cap) {
      size_t nc = cap ? cap * 2 : 64;
      pick_t *p = realloc(*out, nc * sizeof *p);
      if (!p) {
        rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
        break;
      }
      *out = p, cap = nc;
    }
    pick_t *p = &(*out)[(*n)++];
    p->id = np_store_col_int64(st, 0);
    const char *c = np_store_col_text(st, 1);
    snprintf(p->county, sizeof p->county, "%s", c ? c : "");
  }
  np_store_release(st);
  return rc;
}

static int64_t live_alert(np_store_t *s, int64_t ent) {
  int64_t id = 0;
  bool found = false;
  if (np_store_queryf_int64(s, &id, &found, NULL,
                            "SELECT id FROM alerts WHERE enterprise_id = ? AND live = 1 ORDER BY id LIMIT 1", "i",
                            ent) != NP_OK || !found)
    return 0;
  return id;
}

np_err np_demo_step_alerts(np_demo_ctx_t *ctx, np_rng_t *rng, np_errdetail_t *err) {
  (void)rng;
  np_store_t *s = ctx->store;
  int64_t now = (int64_t)time(NULL);
  pick_t *picks = NULL;
  size_t n = 0;
  np_err rc = candidates(s, &picks, &n, err);
  if (rc) goto out;

  /* the county account that acknowledges in the demo */
  np_audit_entry_t lixia = {.username = "lixia", .role = "county_staff"};
  bool found = false;
  np_store_queryf_int64(s, &lixia.user_id, &found, NULL, "SELECT id FROM users WHERE username = ?", "t", "lixia");
  np_scope_t all = {.kind = NP_SCOPE_ALL};

  /* back-dated alerts: offsets in hours before now, and what happens to them */
  enum { ESCALATE, LATE_ACK, IN_TIME_ACK, CLOSED, TO_PROVINCE };
  static const int64_t ago[] = {30, 40, 20, 10, 80};
  size_t next = 0, other = n; /* picks are ordered lixia's county first; other = the first elsewhere */
  for (size_t i = 0; i < n && other == n; i++)
    if (strcmp(picks[i].county, "370102") != 0) other = i;
  for (int k = ESCALATE; rc == NP_OK && k <= TO_PROVINCE; k++) {
    size_t i = k == TO_PROVINCE && other < n && other >= next ? other : next++;
    if (i >= n) continue;
    rc = np_firms_alerts_check_enterprise(s, picks[i].id, now - ago[k] * H, err);
    int64_t id = rc == NP_OK ? live_alert(s, picks[i].id) : 0;
    if (rc || !id) continue;
    if (k == LATE_ACK)
      rc = np_firms_alert_ack(s, &lixia, &all, id, "已联系企业核实缺工情况", "组织专场招聘会并对接劳务协作基地",
                              now - 10 * H, NULL, err);
    else if (k == IN_TIME_ACK)
      rc = np_firms_alert_ack(s, &lixia, &all, id, "专员已上门走访", "一周内举办重点企业招聘专场", now - 19 * H,
                              NULL, err);
    else if (k == CLOSED)
      rc = np_firms_alert_resolve(s, &lixia, &all, id, "企业通过校企合作订单班补齐用工缺口", now - 5 * H, NULL, err);
  }
  if (rc) goto out;

  /* everything else at the real time; the back-dated ones escalate */
  np_alert_sweep_stats_t st = {0};
  if ((rc = np_firms_alerts_sweep(s, now, &st, err))) goto out;

  /* a green-channel alert on the board */
  int64_t green = 0;
  char expr[512];
  np_firms_green_expr("a.enterprise_id", expr, sizeof expr);
  char sql[768];
  snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM alerts a WHERE a.live = 1 AND %s = 1", expr);
  if ((rc = np_store_query_int64(s, sql, &green, NULL, err))) goto out;
  if (green == 0) {
    int64_t ent = 0;
    bool f = false;
    rc = np_store_queryf_int64(s, &ent, &f, err,
                               "SELECT a.enterprise_id FROM alerts a WHERE a.status = 'open' AND a.county_code = ? "
                               "ORDER BY a.id LIMIT 1",
                               "t", "370102");
    if (rc == NP_OK && f) {
      char eid[32];
      np_id_format(NP_ID_ENTERPRISE, ent, eid, sizeof eid);
      rc = np_store_execf(s, NULL, err, "UPDATE enterprises SET green_channel = 1, version = version + 1 WHERE id = ?",
                          "i", ent);
      if (rc == NP_OK) rc = np_store_change(s, "enterprise", eid, "update", NULL, err);
      if (rc == NP_OK) green = 1;
    }
    if (rc) goto out;
  }

  int64_t open = 0, city = 0, province = 0, missed = 0, met = 0;
  np_store_query_int64(s, "SELECT COUNT(*) FROM alerts WHERE status <> 'resolved'", &open, NULL, NULL);
  np_store_query_int64(s, "SELECT COUNT(*) FROM alerts WHERE status = 'open' AND level = 'city'", &city, NULL, NULL);
  np_store_query_int64(s, "SELECT COUNT(*) FROM alerts WHERE status = 'open' AND level = 'province'", &province, NULL,
                       NULL);
  np_store_query_int64(s, "SELECT COUNT(*) FROM alerts WHERE deadline = 'missed'", &missed, NULL, NULL);
  np_store_query_int64(s, "SELECT COUNT(*) FROM alerts WHERE deadline = 'met'", &met, NULL, NULL);
  if (ctx->report)
    fprintf(ctx->report,
            "alerts: %" PRId64 " unresolved (%" PRId64 " green channel, %" PRId64 " escalated to the city, %" PRId64
            " to the province); deadlines met %" PRId64 ", missed %" PRId64 "\n",
            open, green, city, province, met, missed);
out:
  free(picks);
  return rc;
}
