/*
 * Demo step "sharing": a dozen surplus and shortage posts (用工余缺调剂) among the demo enterprises —
 * pairs inside 济南 (历下, 历城) and 青岛 (黄岛, 胶州), a 鲁南 pair in 临沂 and one pair across circles
 * (a 黄岛 surplus for a 兰山 shortage, the two enterprises chosen as close as the data allows) — and
 * two agreements (one in progress in 历下, one agreed in 青岛). Periods are relative to today, so the
 * board is live whenever the demo is loaded. Posts are made by staff on the enterprises' behalf
 * through the sharing unit (validated, audited). At other scales the same posts fall back to any
 * enterprise of the city, and are skipped when the city has none.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "core/date.h"
#include "core/ids.h"
#include "demo/steps.h"
#include "match/sharing.h"

typedef struct plan {
  const char *county;
  int offset; /* the n-th enterprise of the county (by id) */
  const char *kind, *occupation;
  int count, from, to; /* days from today */
  const char *notes;
} plan_t;

static const plan_t plans[] = {
  /* 济南: same county, exact occupation */
  {"370102", 0, "surplus", "6-20-01-01", 15, 0, 60, "订单淡季，装配线富余钳工可外借"},
  {"370102", 1, "shortage", "6-20-01-01", 10, 5, 45, "新增订单，临时缺装配钳工"},
  /* 济南: same city, same minor group */
  {"370112", 0, "surplus", "6-18-01-01", 8, 0, 30, "设备检修停线期间车工富余"},
  {"370102", 2, "shortage", "6-18-01-02", 6, 3, 40, NULL},
  {"370112", 1, "shortage", "6-04-02-01", 20, 0, 90, "旺季临时用工"},
  {"370102", 3, "surplus", "6-04-02-01", 12, 10, 70, NULL},
  /* 青岛 */
  {"370211", 0, "surplus", "6-25-01-01", 30, 0, 60, "产线调整，电容器制造工可共享"},
  {"370281", 0, "shortage", "6-25-01-01", 25, 7, 50, "出口订单激增"},
  {"370281", 1, "surplus", "4-02-02-02", 5, 0, 30, NULL},
  {"370211", 1, "shortage", "4-02-02-02", 4, 0, 20, "物流旺季缺货车司机"},
  /* 临沂 (鲁南) */
  {"371311", 0, "surplus", "6-20-01-02", 6, 0, 30, NULL},
  {"371302", 0, "shortage", "6-20-01-02", 10, 0, 60, "轴承扩产，缺轴承制造工"},
};
#define CROSS_SURPLUS_COUNTY "370211" /* the cross-circle surplus: 黄岛 → 兰山's shortage (plans[11]) */

typedef struct ent {
  int64_t id;
  bool has_loc;
  int32_t lat, lon;
} ent_t;

/* Up to cap enterprises of a county (or of its city when the county has none), by id. */
static np_err ents_of(np_store_t *s, const char *county, ent_t *out, size_t cap, size_t *n, np_errdetail_t *err) {
  *n = 0;
  for (int pass = 0; pass < 2 && *n == 0; pass++) {
    np_stmt_t *st = NULL;
    np_err rc = np_store_prepare(s,
                                 pass == 0 ? "SELECT id, lat_e6, lon_e6 FROM enterprises WHERE county_code = ? ORDER "
                                             "BY id LIMIT ?"
                                           : "SELECT id, lat_e6, lon_e6 FROM enterprises WHERE city_code = ? ORDER BY "
                                             "id LIMIT ?",
                                 &st, err);
    if (rc) return rc;
    char city[8];
    snprintf(city, sizeof city, "%.4s00", county);
    np_store_bind_text(st, 1, pass == 0 ? county : city, NP_STORE_STRLEN);
    np_store_bind_int64(st, 2, (int64_t)cap);
    for (;;) {
      bool has = false;
      if ((rc = np_store_step(st, &has, err)) || !has) break;
      ent_t *e = &out[(*n)++];
      e->id = np_store_col_int64(st, 0);
      e->has_loc = !np_store_col_is_null(st, 1) && !np_store_col_is_null(st, 2);
      e->lat = (int32_t)np_store_col_int64(st, 1);
      e->lon = (int32_t)np_store_col_int64(st, 2);
    }
    np_store_release(st);
    if (rc) return rc;
  }
  return NP_OK;
}

static np_audit_entry_t account(np_store_t *s, const char *username, const char *role) {
  np_audit_entry_t a = {.username = username, .role = role, .detail = "demo"};
  bool found = false;
  np_store_queryf_int64(s, &a.user_id, &found, NULL, "SELECT id FROM users WHERE username = ?", "t", username);
  return a;
}

static np_err make_post(np_store_t *s, const np_ref_t *ref, const np_audit_entry_t *actor, int64_t ent,
                        const plan_t *p, np_date_t today, int64_t *id, np_errdetail_t *err) {
  np_scope_t all = {.kind = NP_SCOPE_ALL};
  char eid[32], d1[NP_DATE_STRLEN], d2[NP_DATE_STRLEN];
  np_date_t a, b;
  np_date_add_days(today, p->from, &a);
  np_date_add_days(today, p->to, &b);
  np_date_format(a, d1, sizeof d1);
  np_date_format(b, d2, sizeof d2);
  np_id_format(NP_ID_ENTERPRISE, ent, eid, sizeof eid);
  json_t *body = json_pack("{s:s, s:s, s:s, s:i, s:s, s:s}", "kind", p->kind, "enterprise_id", eid, "occupation_code",
                           p->occupation, "count", p->count, "period_start", d1, "period_end", d2);
  if (!body) return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  if (p->notes) json_object_set_new(body, "notes", json_string(p->notes));
  json_t *out = NULL;
  np_err rc = np_sharing_post_create(s, ref, actor, &all, body, today, &out, err);
  json_decref(body);
  if (rc == NP_OK) rc = np_id_parse(NP_ID_SHARING_POST, json_string_value(json_object_get(out, "id")), id);
  json_decref(out);
  return rc;
}

static np_err make_agreement(np_store_t *s, const np_ref_t *ref, const np_audit_entry_t *actor, int64_t sp, int64_t sh,
                             int workers, int from, int to, np_date_t today, const char *notes, int64_t *id,
                             np_errdetail_t *err) {
  np_scope_t all = {.kind = NP_SCOPE_ALL};
  char a[32], b[32], d1[NP_DATE_STRLEN], d2[NP_DATE_STRLEN];
  np_date_t x, y;
  np_date_add_days(today, from, &x);
  np_date_add_days(today, to, &y);
  np_date_format(x, d1, sizeof d1);
  np_date_format(y, d2, sizeof d2);
  np_id_format(NP_ID_SHARING_POST, sp, a, sizeof a);
  np_id_format(NP_ID_SHARING_POST, sh, b, sizeof b);
  json_t *body = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s}", "surplus_post_id", a, "shortage_post_id", b, "workers",
                           workers, "start_date", d1, "end_date", d2, "notes", notes);
  if (!body) return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  json_t *out = NULL;
  np_err rc = np_sharing_agreement_create(s, ref, actor, &all, body, today, &out, err);
  json_decref(body);
  if (rc == NP_OK) rc = np_id_parse(NP_ID_SHARING_AGREEMENT, json_string_value(json_object_get(out, "id")), id);
  json_decref(out);
  return rc;
}

#define POOL 40

np_err np_demo_step_sharing(np_demo_ctx_t *ctx, np_rng_t *rng, np_errdetail_t *err) {
  (void)rng;
  np_store_t *s = ctx->store;
  const np_ref_t *ref = np_ref_shared(s, err);
  if (!ref) return NP_ERR_SCHEMA;
  np_date_t today = np_date_today();
  np_audit_entry_t jinan = account(s, "jinan", "city_staff"), lixia = account(s, "lixia", "county_staff");
  np_audit_entry_t province = account(s, "province", "province_staff");
  int64_t ids[sizeof plans / sizeof plans[0] + 1] = {0};
  ent_t pool[POOL];
  size_t n = 0, made = 0;
  np_err rc = NP_OK;
  for (size_t i = 0; rc == NP_OK && i < sizeof plans / sizeof plans[0]; i++) {
    const plan_t *p = &plans[i];
    if ((rc = ents_of(s, p->county, pool, POOL, &n, err)) || n == 0) continue;
    int64_t ent = pool[(size_t)p->offset % n].id;
    const np_audit_entry_t *actor = !strcmp(p->county, "370102") ? &lixia : !strncmp(p->county, "3701", 4) ? &jinan
                                                                                                         : &province;
    if ((rc = make_post(s, ref, actor, ent, p, today, &ids[i], err)) == NP_OK) made++;
  }
  if (rc) return rc;

  /* across circles: the 黄岛 enterprise nearest to 兰山's shortage post enterprise */
  int64_t cross = 0;
  const plan_t *lanshan = &plans[11];
  ent_t lpool[POOL];
  size_t ln = 0;
  if (ids[11] && (rc = ents_of(s, lanshan->county, lpool, POOL, &ln, err)) == NP_OK && ln > 0 &&
      (rc = ents_of(s, CROSS_SURPLUS_COUNTY, pool, POOL, &n, err)) == NP_OK && n > 2) {
    const ent_t *l = &lpool[(size_t)lanshan->offset % ln];
    size_t best = n;
    int64_t best_m = INT64_MAX;
    for (size_t k = 2; k < n; k++) { /* 0 and 1 already post */
      if (!pool[k].has_loc || !l->has_loc) continue;
      np_sharing_side_t a = {.has_location = true, .lat_e6 = pool[k].lat, .lon_e6 = pool[k].lon};
      np_sharing_side_t b = {.has_location = true, .lat_e6 = l->lat, .lon_e6 = l->lon};
      np_sharing_eval_t ev;
      np_sharing_evaluate(&a, &b, today, &ev);
      if (ev.distance_m < best_m) best_m = ev.distance_m, best = k;
    }
    if (best < n) {
      plan_t cp = {CROSS_SURPLUS_COUNTY, 0, "surplus", "6-20-01-02", 10, 0, 45, "跨经济圈调剂：胶东富余轴承制造工支援鲁南"};
      if ((rc = make_post(s, ref, &province, pool[best].id, &cp, today, &cross, err)) == NP_OK) made++;
      if (rc == NP_OK && ctx->report && best_m > (int64_t)NP_SHARING_MAX_KM * 1000)
        fprintf(ctx->report, "sharing: the cross-circle pair is %" PRId64 " m apart (not proposed)\n", best_m);
    }
  }
  if (rc) return rc;

  /* two agreements: 历下 (in progress) and 青岛 (agreed) */
  int agreements = 0;
  int64_t a1 = 0, a2 = 0;
  if (ids[0] && ids[1]) {
    rc = make_agreement(s, ref, &lixia, ids[0], ids[1], 8, 5, 45, today, "历下区人社局撮合，企业间签订共享用工协议", &a1,
                        err);
    if (rc == NP_OK) {
      json_t *body = json_pack("{s:s, s:s}", "status", "in_progress", "note", "员工已到岗"), *out = NULL;
      np_scope_t all = {.kind = NP_SCOPE_ALL};
      rc = body ? np_sharing_agreement_patch(s, ref, &lixia, &all, a1, body, &out, err)
                : np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
      json_decref(body);
      json_decref(out);
      agreements++;
    }
  }
  if (rc == NP_OK && ids[6] && ids[7]) {
    rc = make_agreement(s, ref, &province, ids[6], ids[7], 20, 7, 50, today, "胶东经济圈人力资源共享联盟对接", &a2, err);
    if (rc == NP_OK) agreements++;
  }
  if (rc) return rc;
  if (ctx->report)
    fprintf(ctx->report, "sharing: %zu surplus/shortage posts (%s), %d agreements\n", made,
            cross ? "one across economic circles" : "no cross-circle pair", agreements);
  return NP_OK;
}
