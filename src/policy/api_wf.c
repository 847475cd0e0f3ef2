/*
 * The 免申即享 workflow, 政策找人 and the bank whitelist over HTTP (docs/API-POLICY.md). Every write goes
 * through workflow.c (one transaction, guards, audit); reads are limited to the caller's scope
 * (kind "policy_decision": staff their region, an enterprise its own items, a bank its own whitelist).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "audit/audit.h"
#include "core/date.h"
#include "core/ids.h"
#include "core/json.h"
#include "core/money.h"
#include "core/str.h"
#include "core/xlsxw.h"
#include "policy/api_util.h"
#include "policy/eval.h"
#include "policy/runjob.h"

static const char ITEM_COLS[] =
    "i.id, i.batch_id, i.policy, i.entity_kind, i.entity_id, i.enterprise_id, e.name, i.region_code, i.county_code, i.amount_fen, "
    "i.state, i.lane, i.exclude_reason, i.confirm_deadline, i.notice_end, i.updated_at, "
    "(SELECT COUNT(*) FROM policy_objections o WHERE o.item_id = i.id AND o.status = 'open'), "
    "p.id, p.status, p.account_kind, p.paid_on, p.reference, i.pushed_at, i.bank, e.uscc";
static const char ITEM_FROM[] =
    " FROM policy_items i LEFT JOIN enterprises e ON e.id = i.enterprise_id "
    "LEFT JOIN policy_payments p ON p.id = (SELECT MAX(p2.id) FROM policy_payments p2 WHERE p2.item_id = i.id) ";

static json_t *jstr(const char *s) { return s ? json_string(s) : json_null(); }

static json_t *item_row(np_stmt_t *st) {
  char id[32], bid[32], ent[64], eid[32];
  np_id_format(NP_ID_PITEM, np_store_col_int64(st, 0), id, sizeof id);
  np_id_format(NP_ID_PBATCH, np_store_col_int64(st, 1), bid, sizeof bid);
  snprintf(ent, sizeof ent, "%s-%" PRId64, np_store_col_text(st, 3), np_store_col_int64(st, 4));
  json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "id", id, "batch_id", bid, "policy", np_store_col_text(st, 2), "entity", ent);
  if (np_store_col_is_null(st, 5)) json_object_set_new(o, "enterprise_id", json_null());
  else {
    np_id_format(NP_ID_ENTERPRISE, np_store_col_int64(st, 5), eid, sizeof eid);
    json_object_set_new(o, "enterprise_id", json_string(eid));
  }
  json_object_set_new(o, "enterprise_name", jstr(np_store_col_text(st, 6)));
  json_object_set_new(o, "region_code", jstr(np_store_col_text(st, 7)));
  json_object_set_new(o, "county_code", jstr(np_store_col_text(st, 8)));
  np_papi_money(o, "amount", np_store_col_int64(st, 9));
  json_object_set_new(o, "state", jstr(np_store_col_text(st, 10)));
  json_object_set_new(o, "lane", jstr(np_store_col_text(st, 11)));
  json_object_set_new(o, "exclude_reason", jstr(np_store_col_text(st, 12)));
  json_object_set_new(o, "confirm_deadline", jstr(np_store_col_text(st, 13)));
  json_object_set_new(o, "notice_end", jstr(np_store_col_text(st, 14)));
  json_object_set_new(o, "updated_at", jstr(np_store_col_text(st, 15)));
  json_object_set_new(o, "objections_open", json_integer(np_store_col_int64(st, 16)));
  if (np_store_col_is_null(st, 17)) json_object_set_new(o, "payment", json_null());
  else {
    char pid[32];
    np_id_format(NP_ID_PPAY, np_store_col_int64(st, 17), pid, sizeof pid);
    json_object_set_new(o, "payment", json_pack("{s:s,s:s,s:s,s:s,s:s}", "id", pid, "status", np_store_col_text(st, 18), "account_kind",
                                                np_store_col_text(st, 19), "paid_on", np_store_col_text(st, 20), "reference",
                                                np_store_col_text(st, 21)));
  }
  json_object_set_new(o, "pushed_at", jstr(np_store_col_text(st, 22)));
  json_object_set_new(o, "bank", jstr(np_store_col_text(st, 23)));
  json_object_set_new(o, "uscc", jstr(np_store_col_text(st, 24)));
  return o;
}

static json_t *item_row_fn(np_stmt_t *st, void *ctx) {
  (void)ctx;
  return item_row(st);
}

/* a whitelist row is an item that also says item_id (the bank's reference) */
static json_t *whitelist_row_fn(np_stmt_t *st, void *ctx) {
  (void)ctx;
  json_t *o = item_row(st);
  json_object_set(o, "item_id", json_object_get(o, "id"));
  return o;
}

/* Scope fragment for items. */
static bool item_scope(np_req_t *r, np_scope_sql_t *sq) {
  np_scope_t sc;
  if (!np_papi_scope(r, &sc)) return false;
  np_scope_cols_t cols = {.region = "i.region_code", .enterprise = "i.enterprise_id", .bank = "i.bank"};
  if (np_authz_scope_sql(&sc, &cols, sq)) {
    np_resp_error(r, 500, "internal", NULL, "scope");
    return false;
  }
  return true;
}

/* One item in scope as JSON, or NULL (answered 404 / error). */
static json_t *item_load(np_req_t *r, np_store_t *s, int64_t id) {
  np_scope_sql_t sq;
  if (!item_scope(r, &sq)) return NULL;
  char sql[1600];
  snprintf(sql, sizeof sql, "SELECT %s%s WHERE i.id = ?%s", ITEM_COLS, ITEM_FROM, sq.sql);
  np_stmt_t *st;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  np_err e = np_store_prepare(s, sql, &st, &d);
  if (e) {
    np_papi_fail(r, e, &d);
    return NULL;
  }
  np_store_bind_int64(st, 1, id);
  int next;
  np_authz_scope_bind(&sq, st, 2, &next);
  bool has;
  json_t *o = NULL;
  if (!(e = np_store_step(st, &has, &d)) && has) o = item_row(st);
  np_store_release(st);
  if (e) np_papi_fail(r, e, &d);
  else if (!o) np_resp_error(r, 404, "not_found", NULL, "no such item");
  return o;
}

/* Staff with a region (or all) scope; false when answered. */
static bool staff_only(np_req_t *r) {
  np_scope_t sc;
  if (!np_papi_scope(r, &sc)) return false;
  if (sc.kind != NP_SCOPE_ALL && sc.kind != NP_SCOPE_REGION) {
    np_resp_error(r, 403, "forbidden", NULL, "for bureau staff");
    return false;
  }
  return true;
}

static json_t *batch_load(np_req_t *r, np_store_t *s, int64_t id) {
  np_stmt_t *st;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  np_err e = np_store_prepare(s, "SELECT b.run_id, b.policy, b.state, r.as_of, b.year, b.notice_days, b.notice_start, b.notice_end, "
                                 "b.created_at, b.created_by FROM policy_batches b JOIN policy_runs r ON r.id = b.run_id WHERE b.id = ?", &st, &d);
  if (e) {
    np_papi_fail(r, e, &d);
    return NULL;
  }
  np_store_bind_int64(st, 1, id);
  bool has;
  json_t *o = NULL;
  char policy[64] = "";
  int64_t year = 0;
  if (!(e = np_store_step(st, &has, &d)) && has) {
    char bid[32], rid[32];
    np_id_format(NP_ID_PBATCH, id, bid, sizeof bid);
    np_id_format(NP_ID_PRUN, np_store_col_int64(st, 0), rid, sizeof rid);
    np_strlcpy(policy, np_store_col_text(st, 1), sizeof policy);
    year = np_store_col_int64(st, 4);
    o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:I}", "id", bid, "run_id", rid, "policy", policy, "state", np_store_col_text(st, 2), "as_of",
                  np_store_col_text(st, 3), "year", (json_int_t)year, "notice_days", (json_int_t)np_store_col_int64(st, 5));
    if (np_store_col_is_null(st, 6)) json_object_set_new(o, "notice", json_null());
    else
      json_object_set_new(o, "notice", json_pack("{s:s,s:s,s:I}", "start", np_store_col_text(st, 6), "end", np_store_col_text(st, 7),
                                                 "days", (json_int_t)np_store_col_int64(st, 5)));
    json_object_set_new(o, "created_at", json_string(np_store_col_text(st, 8)));
    json_object_set_new(o, "created_by", json_string(np_store_col_text(st, 9)));
  }
  np_store_release(st);
  if (e || !o) {
    if (e) np_papi_fail(r, e, &d);
    else np_resp_error(r, 404, "not_found", NULL, "no such batch");
    return NULL;
  }
  np_pwf_settings_t set;
  np_pwf_settings_get(s, policy, &set, &d);
  json_object_set_new(o, "confirm_required", json_boolean(set.confirm_required));
  json_object_set_new(o, "kind", json_string(set.whitelist ? "whitelist" : "grant"));
  np_ppackage_t *pkg = np_papi_package(r, s);
  if (!pkg) {
    json_decref(o);
    return NULL;
  }
  const np_ppolicy_t *pp = np_policy_find(pkg, policy);
  json_object_set_new(o, "policy_zh", json_string(pp && pp->zh ? pp->zh : policy));
  np_policy_package_free(pkg);
  /* counts and amounts in the caller's scope */
  np_scope_sql_t sq;
  if (!item_scope(r, &sq)) {
    json_decref(o);
    return NULL;
  }
  static const char *const states[] = {"candidate", "reviewed", "excluded", "approved", "notice", "pushed", "awaiting_confirmation",
                                       "confirmed", "declined", "paid", "payment_failed", "manual"};
  json_t *counts = json_object();
  for (size_t k = 0; k < sizeof states / sizeof states[0]; k++) json_object_set_new(counts, states[k], json_integer(0));
  char sql[600];
  snprintf(sql, sizeof sql, "SELECT i.state, COUNT(*), SUM(i.amount_fen) FROM policy_items i WHERE i.batch_id = ?%s GROUP BY i.state", sq.sql);
  int64_t approved = 0, paid = 0;
  if (!np_store_prepare(s, sql, &st, &d)) {
    np_store_bind_int64(st, 1, id);
    int next;
    np_authz_scope_bind(&sq, st, 2, &next);
    while (!np_store_step(st, &has, &d) && has) {
      const char *stt = np_store_col_text(st, 0);
      int64_t amt = np_store_col_int64(st, 2);
      json_object_set_new(counts, stt, json_integer(np_store_col_int64(st, 1)));
      if (strcmp(stt, "paid") == 0) paid += amt;
      if (strstr("approved notice pushed awaiting_confirmation confirmed paid payment_failed", stt)) approved += amt;
    }
    np_store_release(st);
  }
  json_object_set_new(o, "counts", counts);
  json_t *amounts = json_object();
  np_papi_money(amounts, "approved", approved);
  np_papi_money(amounts, "paid", paid);
  json_object_set_new(o, "amounts", amounts);
  json_t *rev = json_array(), *app = json_array();
  if (!np_store_prepare(s, "SELECT v.county_code, COALESCE(g.name, ''), v.by_user, v.at FROM policy_batch_reviews v LEFT JOIN ref_regions g "
                           "ON g.code = v.county_code WHERE v.batch_id = ? ORDER BY v.county_code", &st, &d)) {
    np_store_bind_int64(st, 1, id);
    while (!np_store_step(st, &has, &d) && has)
      json_array_append_new(rev, json_pack("{s:s,s:s,s:s,s:s}", "county_code", np_store_col_text(st, 0), "county_name",
                                           np_store_col_text(st, 1), "by", np_store_col_text(st, 2), "at", np_store_col_text(st, 3)));
    np_store_release(st);
  } else {
    /* no region names table under that name: codes only */
    np_errdetail_clear(&d);
    if (!np_store_prepare(s, "SELECT county_code, by_user, at FROM policy_batch_reviews WHERE batch_id = ? ORDER BY county_code", &st, &d)) {
      np_store_bind_int64(st, 1, id);
      while (!np_store_step(st, &has, &d) && has)
        json_array_append_new(rev, json_pack("{s:s,s:s,s:s}", "county_code", np_store_col_text(st, 0), "by", np_store_col_text(st, 1), "at",
                                             np_store_col_text(st, 2)));
      np_store_release(st);
    }
  }
  if (!np_store_prepare(s, "SELECT city_code, amount_fen, by_user, at FROM policy_batch_approvals WHERE batch_id = ? ORDER BY city_code", &st, &d)) {
    np_store_bind_int64(st, 1, id);
    while (!np_store_step(st, &has, &d) && has) {
      json_t *x = json_pack("{s:s,s:s,s:s}", "city_code", np_store_col_text(st, 0), "by", np_store_col_text(st, 2), "at", np_store_col_text(st, 3));
      np_papi_money(x, "amount", np_store_col_int64(st, 1));
      json_array_append_new(app, x);
    }
    np_store_release(st);
  }
  json_object_set_new(o, "reviews", rev);
  json_object_set_new(o, "approvals", app);
  int64_t budget = 0, used = 0;
  bool hb = false;
  np_store_queryf_int64(s, &budget, &hb, &d, "SELECT budget_fen FROM policy_budgets WHERE policy = ? AND year = ?", "ti", policy, year);
  if (hb) {
    np_store_queryf_int64(s, &used, NULL, &d, "SELECT COALESCE(SUM(amount_fen), 0) FROM policy_items WHERE policy = ? AND year = ? AND state IN "
                          "('approved','notice','pushed','awaiting_confirmation','confirmed','paid','payment_failed')", "ti", policy, year);
    json_t *b = json_pack("{s:I}", "year", (json_int_t)year);
    np_papi_money(b, "budget", budget);
    np_papi_money(b, "approved", used);
    np_papi_money(b, "remaining", budget - used);
    json_object_set_new(o, "budget", b);
  } else {
    json_object_set_new(o, "budget", json_null());
  }
  return o;
}

/* ------------------------------------------------------------------ batches */

static void h_batch_open(np_req_t *r) {
  const np_principal_t *p = np_req_principal(r);
  if (!np_authz_allows(p, "policy.run") && !np_authz_allows(p, "policy.review"))
    return np_resp_error(r, 403, "forbidden", NULL, "opening a batch is for the province (runs) or counties (review)");
  int64_t run_id;
  if (!np_papi_path_id(r, "id", NP_ID_PRUN, &run_id)) return;
  json_t *j = np_req_json(r);
  if (!j) return;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  const char *policy;
  if (np_json_get_str(j, "policy", NP_JSON_REQUIRED, 1, 64, &policy, NULL, &d)) return np_papi_fail(r, NP_ERR_INVALID, &d);
  np_store_t *s = np_req_store(r);
  if (!s) return;
  np_pwf_ctx_t c = np_papi_ctx(r, s);
  int64_t bid;
  bool created;
  np_err e = np_pwf_batch_open(&c, run_id, policy, &bid, &created, &d);
  if (e) return np_papi_fail(r, e, &d);
  json_t *o = batch_load(r, s, bid);
  if (o) np_resp_json(r, created ? 201 : 200, o);
}

static void h_batches(np_req_t *r) {
  if (!staff_only(r)) return;
  np_store_t *s = np_req_store(r);
  if (!s) return;
  const char *run = np_req_query(r, "run"), *pol = np_req_query(r, "policy"), *state = np_req_query(r, "state");
  int64_t run_id = 0;
  if (run && *run && np_id_parse(NP_ID_PRUN, run, &run_id)) return np_resp_error(r, 422, "format", "run", "a run id like prun_3");
  np_stmt_t *st;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  np_err e = np_store_prepare(s, "SELECT id FROM policy_batches WHERE (? = 0 OR run_id = ?) AND (? = '' OR policy = ?) AND (? = '' OR state = ?) "
                                 "ORDER BY id DESC LIMIT 200", &st, &d);
  if (e) return np_papi_fail(r, e, &d);
  np_store_bind_int64(st, 1, run_id);
  np_store_bind_int64(st, 2, run_id);
  np_store_bind_text(st, 3, pol ? pol : "", NP_STORE_STRLEN);
  np_store_bind_text(st, 4, pol ? pol : "", NP_STORE_STRLEN);
  np_store_bind_text(st, 5, state ? state : "", NP_STORE_STRLEN);
  np_store_bind_text(st, 6, state ? state : "", NP_STORE_STRLEN);
  int64_t ids[200];
  int n = 0;
  bool has;
  while (!(e = np_store_step(st, &has, &d)) && has && n < 200) ids[n++] = np_store_col_int64(st, 0);
  np_store_release(st);
  if (e) return np_papi_fail(r, e, &d);
  json_t *items = json_array();
  for (int i = 0; i < n; i++) {
    json_t *o = batch_load(r, s, ids[i]);
    if (!o) {
      json_decref(items);
      return;
    }
    json_array_append_new(items, o);
  }
  np_resp_json(r, 200, json_pack("{s:o,s:i,s:n}", "items", items, "total", n, "next_cursor"));
}

static void h_batch_get(np_req_t *r) {
  int64_t id;
  if (!staff_only(r) || !np_papi_path_id(r, "id", NP_ID_PBATCH, &id)) return;
  np_store_t *s = np_req_store(r);
  if (!s) return;
  json_t *o = batch_load(r, s, id);
  if (o) np_resp_json(r, 200, o);
}

static void h_batch_items(np_req_t *r) {
  int64_t id, limit;
  if (!np_papi_path_id(r, "id", NP_ID_PBATCH, &id) || !np_papi_limit(r, &limit)) return;
  np_store_t *s = np_req_store(r);
  if (!s) return;
  np_scope_sql_t sq;
  if (!item_scope(r, &sq)) return;
  np_papi_binds_t b = {0};
  char where[600];
  size_t w = (size_t)snprintf(where, sizeof where, "i.batch_id = ?");
  np_papi_bind_i(&b, id);
  const char *v;
  char like[24];
  int64_t ent = 0, cur = 0;
  if ((v = np_req_query(r, "state")) && *v) w += (size_t)snprintf(where + w, sizeof where - w, " AND i.state = ?"), np_papi_bind_t(&b, v);
  if ((v = np_req_query(r, "lane")) && *v) w += (size_t)snprintf(where + w, sizeof where - w, " AND i.lane = ?"), np_papi_bind_t(&b, v);
  if ((v = np_req_query(r, "region")) && *v) {
    char p[16];
    if (!np_authz_region_prefix(v, p)) return np_resp_error(r, 422, "format", "region", "a region code");
    snprintf(like, sizeof like, "%s%%", p);
    w += (size_t)snprintf(where + w, sizeof where - w, " AND i.region_code LIKE ?");
    np_papi_bind_t(&b, like);
  }
  if ((v = np_req_query(r, "enterprise")) && *v) {
    if (!np_papi_enterprise_param(r, s, v, &ent)) return;
    w += (size_t)snprintf(where + w, sizeof where - w, " AND i.enterprise_id = ?");
    np_papi_bind_i(&b, ent);
  }
  if ((v = np_req_query(r, "cursor")) && *v && np_id_parse(NP_ID_PITEM, v, &cur)) return np_resp_error(r, 422, "format", "cursor", "bad cursor");
  char sql[2400];
  np_errdetail_t d;
  np_errdetail_clear(&d);
  snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM policy_items i WHERE %s%s", where, sq.sql);
  np_stmt_t *st;
  np_err e = np_store_prepare(s, sql, &st, &d);
  if (e) return np_papi_fail(r, e, &d);
  int next;
  np_papi_apply(st, &b, &next);
  np_authz_scope_bind(&sq, st, next, &next);
  bool has;
  int64_t total = 0;
  if (!(e = np_store_step(st, &has, &d)) && has) total = np_store_col_int64(st, 0);
  np_store_release(st);
  if (e) return np_papi_fail(r, e, &d);
  snprintf(sql, sizeof sql, "SELECT %s%s WHERE %s%s AND i.id > ? ORDER BY i.id LIMIT ?", ITEM_COLS, ITEM_FROM, where, sq.sql);
  if ((e = np_store_prepare(s, sql, &st, &d))) return np_papi_fail(r, e, &d);
  np_papi_apply(st, &b, &next);
  np_authz_scope_bind(&sq, st, next, &next);
  np_store_bind_int64(st, next, cur);
  np_store_bind_int64(st, next + 1, limit + 1);
  json_t *items = NULL;
  int64_t next_id = 0;
  if ((e = np_papi_page(st, limit, item_row_fn, NULL, &items, &next_id, &d))) return np_papi_fail(r, e, &d);
  np_papi_send_page(r, items, total, NP_ID_PITEM, next_id);
}

/* Batch actions: parse id, replay, run fn, answer with the batch. */
typedef np_err (*batch_fn)(np_req_t *r, const np_pwf_ctx_t *c, int64_t id, json_t *body, json_t *extra, np_errdetail_t *d);

static void batch_action(np_req_t *r, const char *action, batch_fn fn, int status) {
  int64_t id;
  if (!np_papi_path_id(r, "id", NP_ID_PBATCH, &id)) return;
  size_t blen = 0;
  np_req_body(r, &blen);
  json_t *body = blen ? np_req_json(r) : NULL;
  if (blen && !body) return;
  np_store_t *s = np_req_store(r);
  if (!s) return;
  if (np_papi_idem_replay(r, s, action)) return;
  np_pwf_ctx_t c = np_papi_ctx(r, s);
  np_errdetail_t d;
  np_errdetail_clear(&d);
  json_t *extra = json_object();
  np_err e = fn(r, &c, id, body, extra, &d);
  if (e) {
    json_decref(extra);
    return np_papi_fail(r, e, &d);
  }
  json_t *o = batch_load(r, s, id);
  if (!o) {
    json_decref(extra);
    return;
  }
  if (json_object_size(extra)) {
    json_object_set(extra, "batch", o);
    json_decref(o);
    o = extra;
  } else {
    json_decref(extra);
  }
  np_papi_send(r, s, action, status, o);
}

static np_err f_review(np_req_t *r, const np_pwf_ctx_t *c, int64_t id, json_t *body, json_t *extra, np_errdetail_t *d) {
  (void)r, (void)body, (void)extra;
  return np_pwf_review(c, id, NULL, d);
}
static np_err f_approve(np_req_t *r, const np_pwf_ctx_t *c, int64_t id, json_t *body, json_t *extra, np_errdetail_t *d) {
  (void)r, (void)body, (void)extra;
  return np_pwf_approve(c, id, NULL, d);
}
static np_err f_notice(np_req_t *r, const np_pwf_ctx_t *c, int64_t id, json_t *body, json_t *extra, np_errdetail_t *d) {
  (void)r, (void)extra;
  int64_t days = 0;
  if (body && np_json_get_int(body, "days", 0, 1, 30, &days, NULL, d)) return NP_ERR_INVALID;
  return np_pwf_notice(c, id, (int)days, NULL, d);
}
static np_err f_push(np_req_t *r, const np_pwf_ctx_t *c, int64_t id, json_t *body, json_t *extra, np_errdetail_t *d) {
  (void)r, (void)body, (void)extra;
  return np_pwf_push(c, id, NULL, d);
}
static np_err f_pay(np_req_t *r, const np_pwf_ctx_t *c, int64_t id, json_t *body, json_t *extra, np_errdetail_t *d) {
  (void)r;
  const char *prefix = NULL;
  np_date_t on;
  char ons[NP_DATE_STRLEN];
  if (!body) return np_fail(d, NP_ERR_INVALID, "required", "paid_on", "paid_on is required");
  if (np_json_get_date(body, "paid_on", NP_JSON_REQUIRED, &on, NULL, d) ||
      np_json_get_str(body, "reference_prefix", 0, 1, 40, &prefix, NULL, d))
    return NP_ERR_INVALID;
  np_date_format(on, ons, sizeof ons);
  char pfx[64];
  if (!prefix) snprintf(pfx, sizeof pfx, "PB%" PRId64 "-", id), prefix = pfx;
  int64_t n = 0;
  np_err e = np_pwf_pay(c, id, ons, prefix, &n, d);
  if (!e) json_object_set_new(extra, "created", json_integer(n));
  return e;
}

static void h_review(np_req_t *r) { batch_action(r, "policy.review", f_review, 200); }
static void h_approve(np_req_t *r) { batch_action(r, "policy.approve", f_approve, 200); }
static void h_notice(np_req_t *r) { batch_action(r, "policy.notice", f_notice, 200); }
static void h_push(np_req_t *r) { batch_action(r, "policy.push", f_push, 200); }
static void h_pay(np_req_t *r) { batch_action(r, "policy.pay", f_pay, 200); }

/* ------------------------------------------------------------------ items */

static void h_item_get(np_req_t *r) {
  int64_t id;
  if (!np_papi_path_id(r, "id", NP_ID_PITEM, &id)) return;
  np_store_t *s = np_req_store(r);
  if (!s) return;
  json_t *o = item_load(r, s, id);
  if (o) np_resp_json(r, 200, o);
}

/* Item action: the item must be visible first (404 otherwise). */
static bool item_pre(np_req_t *r, const char *action, int64_t *id, np_store_t **s, json_t **body) {
  if (!np_papi_path_id(r, "id", NP_ID_PITEM, id)) return false;
  *body = np_req_json(r);
  if (!*body) return false;
  if (!(*s = np_req_store(r))) return false;
  if (np_papi_idem_replay(r, *s, action)) return false;
  json_t *o = item_load(r, *s, *id);
  if (!o) return false;
  json_decref(o);
  return true;
}

static void item_done(np_req_t *r, np_store_t *s, const char *action, int64_t id, np_err e, np_errdetail_t *d, int status) {
  if (e) return np_papi_fail(r, e, d);
  json_t *o = item_load(r, s, id);
  if (o) np_papi_send(r, s, action, status, o);
}

static void h_exclude(np_req_t *r) {
  int64_t id;
  np_store_t *s;
  json_t *j;
  if (!item_pre(r, "policy.exclude", &id, &s, &j)) return;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  const char *reason = NULL;
  if (np_json_get_str(j, "reason", NP_JSON_REQUIRED, 1, 500, &reason, NULL, &d)) return np_papi_fail(r, NP_ERR_INVALID, &d);
  np_pwf_ctx_t c = np_papi_ctx(r, s);
  item_done(r, s, "policy.exclude", id, np_pwf_exclude(&c, id, reason, &d), &d, 200);
}

static void h_confirm(np_req_t *r) {
  np_scope_t sc;
  if (!np_papi_scope(r, &sc)) return;
  if (sc.kind != NP_SCOPE_ENTERPRISE && !np_authz_allows(np_req_principal(r), "policy.review"))
    return np_resp_error(r, 403, "forbidden", NULL, "the enterprise confirms (or its county bureau for it)");
  int64_t id;
  np_store_t *s;
  json_t *j;
  if (!item_pre(r, "policy.confirm", &id, &s, &j)) return;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  bool accept;
  if (np_json_get_bool(j, "accept", NP_JSON_REQUIRED, &accept, NULL, &d)) return np_papi_fail(r, NP_ERR_INVALID, &d);
  np_pwf_ctx_t c = np_papi_ctx(r, s);
  item_done(r, s, "policy.confirm", id, np_pwf_confirm(&c, id, accept, &d), &d, 200);
}

static void h_repay(np_req_t *r) {
  int64_t id;
  np_store_t *s;
  json_t *j;
  if (!item_pre(r, "policy.repay", &id, &s, &j)) return;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  np_date_t on;
  const char *ref = NULL, *kind = NULL;
  if (np_json_get_date(j, "paid_on", NP_JSON_REQUIRED, &on, NULL, &d) || np_json_get_str(j, "reference", NP_JSON_REQUIRED, 1, 64, &ref, NULL, &d) ||
      np_json_get_str(j, "account_kind", 0, 1, 32, &kind, NULL, &d))
    return np_papi_fail(r, NP_ERR_INVALID, &d);
  char ons[NP_DATE_STRLEN];
  np_date_format(on, ons, sizeof ons);
  np_pwf_ctx_t c = np_papi_ctx(r, s);
  int64_t pid;
  item_done(r, s, "policy.repay", id, np_pwf_repay(&c, id, ons, ref, kind, &pid, &d), &d, 201);
}

static json_t *objection_row(np_stmt_t *st) {
  char id[32], iid[32];
  np_id_format(NP_ID_POBJ, np_store_col_int64(st, 0), id, sizeof id);
  np_id_format(NP_ID_PITEM, np_store_col_int64(st, 1), iid, sizeof iid);
  json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s}", "id", id, "item_id", iid, "text", np_store_col_text(st, 2), "by", np_store_col_text(st, 3),
                        "status", np_store_col_text(st, 4));
  json_object_set_new(o, "note", jstr(np_store_col_text(st, 5)));
  json_object_set_new(o, "recorded_by", jstr(np_store_col_text(st, 6)));
  json_object_set_new(o, "recorded_at", jstr(np_store_col_text(st, 7)));
  json_object_set_new(o, "handled_at", jstr(np_store_col_text(st, 8)));
  return o;
}

static json_t *objection_load(np_store_t *s, int64_t id) {
  np_stmt_t *st;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  if (np_store_prepare(s, "SELECT id, item_id, text, objector, status, note, recorded_by, recorded_at, handled_at FROM policy_objections "
                          "WHERE id = ?", &st, &d))
    return NULL;
  np_store_bind_int64(st, 1, id);
  bool has;
  json_t *o = NULL;
  if (!np_store_step(st, &has, &d) && has) o = objection_row(st);
  np_store_release(st);
  return o;
}

static void h_object(np_req_t *r) {
  int64_t id;
  np_store_t *s;
  json_t *j;
  if (!item_pre(r, "policy.objection", &id, &s, &j)) return;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  const char *text = NULL, *by = NULL;
  if (np_json_get_str(j, "text", NP_JSON_REQUIRED | NP_JSON_ALLOW_NEWLINES, 1, 2000, &text, NULL, &d) ||
      np_json_get_str(j, "by", NP_JSON_REQUIRED, 1, 200, &by, NULL, &d))
    return np_papi_fail(r, NP_ERR_INVALID, &d);
  np_pwf_ctx_t c = np_papi_ctx(r, s);
  int64_t oid;
  np_err e = np_pwf_object(&c, id, text, by, &oid, &d);
  if (e) return np_papi_fail(r, e, &d);
  json_t *o = objection_load(s, oid);
  np_papi_send(r, s, "policy.objection", 201, o ? o : json_object());
}

static void h_objections(np_req_t *r) {
  int64_t id;
  if (!np_papi_path_id(r, "id", NP_ID_PITEM, &id)) return;
  np_store_t *s = np_req_store(r);
  if (!s) return;
  json_t *it = item_load(r, s, id);
  if (!it) return;
  json_decref(it);
  np_stmt_t *st;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  np_err e = np_store_prepare(s, "SELECT id, item_id, text, objector, status, note, recorded_by, recorded_at, handled_at FROM policy_objections "
                                 "WHERE item_id = ? ORDER BY id", &st, &d);
  if (e) return np_papi_fail(r, e, &d);
  np_store_bind_int64(st, 1, id);
  json_t *items = json_array();
  bool has;
  while (!np_store_step(st, &has, &d) && has) json_array_append_new(items, objection_row(st));
  np_store_release(st);
  np_resp_json(r, 200, json_pack("{s:o}", "items", items));
}

static void h_handle(np_req_t *r) {
  int64_t id;
  if (!np_papi_path_id(r, "id", NP_ID_POBJ, &id)) return;
  json_t *j = np_req_json(r);
  if (!j) return;
  np_store_t *s = np_req_store(r);
  if (!s) return;
  if (np_papi_idem_replay(r, s, "policy.objection.handle")) return;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  const char *outcome = NULL, *note = NULL;
  if (np_json_get_str(j, "outcome", NP_JSON_REQUIRED, 1, 16, &outcome, NULL, &d) ||
      np_json_get_str(j, "note", NP_JSON_REQUIRED | NP_JSON_ALLOW_NEWLINES, 1, 2000, &note, NULL, &d))
    return np_papi_fail(r, NP_ERR_INVALID, &d);
  if (strcmp(outcome, "upheld") && strcmp(outcome, "dismissed")) return np_resp_error(r, 422, "enum", "outcome", "upheld or dismissed");
  np_pwf_ctx_t c = np_papi_ctx(r, s);
  np_err e = np_pwf_handle(&c, id, strcmp(outcome, "upheld") == 0, note, &d);
  if (e) return np_papi_fail(r, e, &d);
  json_t *o = objection_load(s, id);
  np_papi_send(r, s, "policy.objection.handle", 200, o ? o : json_object());
}

static void h_history(np_req_t *r) {
  int64_t id;
  if (!np_papi_path_id(r, "id", NP_ID_PITEM, &id)) return;
  np_store_t *s = np_req_store(r);
  if (!s) return;
  json_t *it = item_load(r, s, id);
  if (!it) return;
  json_decref(it);
  np_stmt_t *st;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  np_err e = np_store_prepare(s, "SELECT from_state, to_state, action, by_user, at, note FROM policy_item_events WHERE item_id = ? ORDER BY id",
                              &st, &d);
  if (e) return np_papi_fail(r, e, &d);
  np_store_bind_int64(st, 1, id);
  json_t *items = json_array();
  bool has;
  while (!np_store_step(st, &has, &d) && has)
    json_array_append_new(items, json_pack("{s:s,s:s,s:s,s:s,s:s,s:o}", "from", np_store_col_text(st, 0), "to", np_store_col_text(st, 1), "action",
                                           np_store_col_text(st, 2), "by", np_store_col_text(st, 3), "at", np_store_col_text(st, 4), "note",
                                           jstr(np_store_col_text(st, 5))));
  np_store_release(st);
  np_resp_json(r, 200, json_pack("{s:o}", "items", items));
}

static void h_notices(np_req_t *r) {
  np_store_t *s = np_req_store(r);
  if (!s) return;
  np_scope_sql_t sq;
  if (!item_scope(r, &sq)) return;
  char sql[1600];
  snprintf(sql, sizeof sql, "SELECT %s%s WHERE i.state = 'notice'%s ORDER BY i.id LIMIT 500", ITEM_COLS, ITEM_FROM, sq.sql);
  np_stmt_t *st;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  np_err e = np_store_prepare(s, sql, &st, &d);
  if (e) return np_papi_fail(r, e, &d);
  int next;
  np_authz_scope_bind(&sq, st, 1, &next);
  json_t *items = json_array();
  bool has;
  while (!np_store_step(st, &has, &d) && has) json_array_append_new(items, item_row(st));
  np_store_release(st);
  np_resp_json(r, 200, json_pack("{s:o,s:I,s:n}", "items", items, "total", (json_int_t)json_array_size(items), "next_cursor"));
}

/* ------------------------------------------------------------------ payments */

static json_t *payment_row(np_store_t *s, np_stmt_t *st) {
  char id[32], iid[32], eid[32];
  int64_t pid = np_store_col_int64(st, 0);
  np_id_format(NP_ID_PPAY, pid, id, sizeof id);
  np_id_format(NP_ID_PITEM, np_store_col_int64(st, 1), iid, sizeof iid);
  json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "id", id, "item_id", iid, "policy", np_store_col_text(st, 2), "account_kind",
                        np_store_col_text(st, 4), "status", np_store_col_text(st, 5), "paid_on", np_store_col_text(st, 6), "reference",
                        np_store_col_text(st, 7));
  np_papi_money(o, "amount", np_store_col_int64(st, 3));
  json_object_set_new(o, "failure", jstr(np_store_col_text(st, 8)));
  json_object_set_new(o, "created_at", jstr(np_store_col_text(st, 9)));
  if (np_store_col_is_null(st, 10)) json_object_set_new(o, "enterprise_id", json_null());
  else {
    np_id_format(NP_ID_ENTERPRISE, np_store_col_int64(st, 10), eid, sizeof eid);
    json_object_set_new(o, "enterprise_id", json_string(eid));
  }
  json_object_set_new(o, "enterprise_name", jstr(np_store_col_text(st, 11)));
  json_t *contacts = json_array();
  np_stmt_t *c;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  if (!np_store_prepare(s, "SELECT note, by_user, at FROM policy_payment_contacts WHERE payment_id = ? ORDER BY id", &c, &d)) {
    np_store_bind_int64(c, 1, pid);
    bool has;
    while (!np_store_step(c, &has, &d) && has)
      json_array_append_new(contacts, json_pack("{s:s,s:s,s:s}", "note", np_store_col_text(c, 0), "by", np_store_col_text(c, 1), "at",
                                                np_store_col_text(c, 2)));
    np_store_release(c);
  }
  json_object_set_new(o, "contacts", contacts);
  return o;
}

static json_t *payment_row_fn(np_stmt_t *st, void *s) { return payment_row(s, st); }

static const char PAY_SQL[] =
    "SELECT p.id, p.item_id, i.policy, p.amount_fen, p.account_kind, p.status, p.paid_on, p.reference, p.failure, p.created_at, "
    "i.enterprise_id, e.name FROM policy_payments p JOIN policy_items i ON i.id = p.item_id LEFT JOIN enterprises e ON e.id = i.enterprise_id ";

static json_t *payment_load(np_req_t *r, np_store_t *s, int64_t id) {
  np_scope_sql_t sq;
  if (!item_scope(r, &sq)) return NULL;
  char sql[1200];
  snprintf(sql, sizeof sql, "%s WHERE p.id = ?%s", PAY_SQL, sq.sql);
  np_stmt_t *st;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  np_err e = np_store_prepare(s, sql, &st, &d);
  if (e) {
    np_papi_fail(r, e, &d);
    return NULL;
  }
  np_store_bind_int64(st, 1, id);
  int next;
  np_authz_scope_bind(&sq, st, 2, &next);
  bool has;
  json_t *o = NULL;
  if (!np_store_step(st, &has, &d) && has) o = payment_row(s, st);
  np_store_release(st);
  if (!o) np_resp_error(r, 404, "not_found", NULL, "no such payment");
  return o;
}

static void h_payments(np_req_t *r) {
  if (!staff_only(r)) return;
  int64_t limit, batch = 0, cur = 0;
  if (!np_papi_limit(r, &limit)) return;
  np_store_t *s = np_req_store(r);
  if (!s) return;
  const char *v;
  if ((v = np_req_query(r, "batch")) && *v && np_id_parse(NP_ID_PBATCH, v, &batch)) return np_resp_error(r, 422, "format", "batch", "a batch id");
  if ((v = np_req_query(r, "cursor")) && *v && np_id_parse(NP_ID_PPAY, v, &cur)) return np_resp_error(r, 422, "format", "cursor", "bad cursor");
  const char *status = np_req_query(r, "status");
  np_scope_sql_t sq;
  if (!item_scope(r, &sq)) return;
  char sql[1400];
  snprintf(sql, sizeof sql, "%s WHERE (? = 0 OR i.batch_id = ?) AND (? = '' OR p.status = ?) AND p.id > ?%s ORDER BY p.id LIMIT ?", PAY_SQL, sq.sql);
  np_stmt_t *st;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  np_err e = np_store_prepare(s, sql, &st, &d);
  if (e) return np_papi_fail(r, e, &d);
  np_store_bind_int64(st, 1, batch);
  np_store_bind_int64(st, 2, batch);
  np_store_bind_text(st, 3, status ? status : "", NP_STORE_STRLEN);
  np_store_bind_text(st, 4, status ? status : "", NP_STORE_STRLEN);
  np_store_bind_int64(st, 5, cur);
  int next;
  np_authz_scope_bind(&sq, st, 6, &next);
  np_store_bind_int64(st, next, limit + 1);
  json_t *items = NULL;
  int64_t next_id = 0;
  if ((e = np_papi_page(st, limit, payment_row_fn, s, &items, &next_id, &d))) return np_papi_fail(r, e, &d);
  np_papi_send_page(r, items, (int64_t)json_array_size(items), NP_ID_PPAY, next_id);
}

static void payment_action(np_req_t *r, const char *action, bool fail) {
  int64_t id;
  if (!np_papi_path_id(r, "id", NP_ID_PPAY, &id)) return;
  json_t *j = np_req_json(r);
  if (!j) return;
  np_store_t *s = np_req_store(r);
  if (!s) return;
  if (np_papi_idem_replay(r, s, action)) return;
  json_t *o = payment_load(r, s, id);
  if (!o) return;
  json_decref(o);
  np_errdetail_t d;
  np_errdetail_clear(&d);
  const char *text = NULL;
  if (np_json_get_str(j, fail ? "reason" : "note", NP_JSON_REQUIRED | NP_JSON_ALLOW_NEWLINES, 1, fail ? 500 : 1000, &text, NULL, &d))
    return np_papi_fail(r, NP_ERR_INVALID, &d);
  np_pwf_ctx_t c = np_papi_ctx(r, s);
  np_err e = fail ? np_pwf_payment_fail(&c, id, text, &d) : np_pwf_contact(&c, id, text, &d);
  if (e) return np_papi_fail(r, e, &d);
  o = payment_load(r, s, id);
  if (o) np_papi_send(r, s, action, 200, o);
}

static void h_payment_fail(np_req_t *r) { payment_action(r, "policy.payment.fail", true); }
static void h_payment_contact(np_req_t *r) { payment_action(r, "policy.payment.contact", false); }

/* ------------------------------------------------------------------ 政策找人 */

static void enterprise_policies(np_req_t *r, int64_t ent) {
  np_store_t *s = np_req_store(r);
  if (!s) return;
  np_scope_t sc;
  if (!np_papi_scope(r, &sc)) return;
  np_stmt_t *st;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  char name[256] = "", region[16] = "";
  bool has = false;
  np_err e = np_store_prepare(s, "SELECT name, region_code FROM enterprises WHERE id = ?", &st, &d);
  if (e) return np_papi_fail(r, e, &d);
  np_store_bind_int64(st, 1, ent);
  if (!(e = np_store_step(st, &has, &d)) && has) {
    np_strlcpy(name, np_store_col_text(st, 0), sizeof name);
    np_strlcpy(region, np_store_col_text(st, 1), sizeof region);
  }
  np_store_release(st);
  if (e) return np_papi_fail(r, e, &d);
  if (!has || !np_authz_scope_contains(&sc, region, ent, NULL, 0)) return np_resp_error(r, 404, "not_found", NULL, "no such enterprise");
  np_ppackage_t *pkg = np_papi_package(r, s);
  if (!pkg) return;
  char eid[32];
  np_id_format(NP_ID_ENTERPRISE, ent, eid, sizeof eid);
  json_t *qual = json_array(), *notq = json_array(), *runs = json_array();
  for (int pi = 0; pi < pkg->npolicies; pi++) {
    const np_ppolicy_t *pol = &pkg->policies[pi];
    /* the latest approved-or-later batch's run; else the latest done run covering the policy */
    int64_t run_id = 0;
    bool found = false;
    np_store_queryf_int64(s, &run_id, &found, &d,
                          "SELECT b.run_id FROM policy_batches b WHERE b.policy = ? AND b.state <> 'review' ORDER BY b.run_id DESC LIMIT 1", "t",
                          pol->code);
    if (!found)
      np_store_queryf_int64(s, &run_id, &found, &d,
                            "SELECT id FROM policy_runs WHERE status = 'done' AND (policy = ? OR policy = 'all') ORDER BY id DESC LIMIT 1", "t",
                            pol->code);
    if (!found) continue;
    char as_of_s[16] = "", rid[32];
    np_id_format(NP_ID_PRUN, run_id, rid, sizeof rid);
    if (!np_store_prepare(s, "SELECT as_of, result_hash FROM policy_runs WHERE id = ?", &st, &d)) {
      np_store_bind_int64(st, 1, run_id);
      if (!np_store_step(st, &has, &d) && has) {
        np_strlcpy(as_of_s, np_store_col_text(st, 0), sizeof as_of_s);
        json_t *rj = json_pack("{s:s,s:s,s:s,s:s}", "policy", pol->code, "id", rid, "as_of", as_of_s, "result_hash",
                               np_store_col_text(st, 1) ? np_store_col_text(st, 1) : "");
        json_array_append_new(runs, rj);
      }
      np_store_release(st);
    }
    np_date_t aod = {0};
    np_date_parse(as_of_s, strlen(as_of_s), &aod);
    if ((e = np_store_prepare(s, "SELECT d.eligible, d.amount_fen, d.reason, d.observed, d.threshold, i.id, i.state, i.confirm_deadline "
                                 "FROM policy_decisions d LEFT JOIN policy_batches b ON b.run_id = d.run_id AND b.policy = d.policy "
                                 "LEFT JOIN policy_items i ON i.batch_id = b.id AND i.entity_kind = d.entity_kind AND i.entity_id = d.entity_id "
                                 /* `policy || ''`: the (run_id, enterprise_id) index, never the primary key's (run_id,
                                    policy) prefix, which scans a policy's decisions of the whole province (16 s at 3M) */
                                 "WHERE d.run_id = ? AND d.policy || '' = ? AND d.enterprise_id = ? ORDER BY d.eligible DESC, d.entity_kind, d.entity_id",
                              &st, &d)))
      break;
    np_store_bind_int64(st, 1, run_id);
    np_store_bind_text(st, 2, pol->code, NP_STORE_STRLEN);
    np_store_bind_int64(st, 3, ent);
    int64_t n = 0, neligible = 0, amount = 0, item_id = 0;
    char reason[64] = "", obs[128] = "", thr[128] = "", state[32] = "", deadline[32] = "";
    while (!(e = np_store_step(st, &has, &d)) && has) {
      n++;
      if (np_store_col_int64(st, 0)) {
        neligible++;
        amount += np_store_col_int64(st, 1);
        if (!item_id && !np_store_col_is_null(st, 5)) {
          item_id = np_store_col_int64(st, 5);
          np_strlcpy(state, np_store_col_text(st, 6), sizeof state);
          if (np_store_col_text(st, 7)) np_strlcpy(deadline, np_store_col_text(st, 7), sizeof deadline);
        }
      } else if (!reason[0] && np_store_col_text(st, 2)) {
        np_strlcpy(reason, np_store_col_text(st, 2), sizeof reason);
        if (np_store_col_text(st, 3)) np_strlcpy(obs, np_store_col_text(st, 3), sizeof obs);
        if (np_store_col_text(st, 4)) np_strlcpy(thr, np_store_col_text(st, 4), sizeof thr);
      }
    }
    np_store_release(st);
    if (e) break;
    np_pwf_settings_t set;
    np_pwf_settings_get(s, pol->code, &set, &d);
    if (neligible) {
      const np_pversion_t *ver = np_policy_version_at(pol, aod.days);
      char wz[1200] = "", we[1600] = "";
      size_t wzl = 0, wel = 0;
      if (pol->entity != NP_PK_ENTERPRISE) {
        wzl += (size_t)snprintf(wz + wzl, sizeof wz - wzl, "%" PRId64 " 个对象符合条件。", neligible);
        wel += (size_t)snprintf(we + wel, sizeof we - wel, "%" PRId64 " qualifying %ss. ", neligible, np_policy_kind(pol->entity)->name);
      }
      wzl += (size_t)snprintf(wz + wzl, sizeof wz - wzl, "满足全部条件：");
      wel += (size_t)snprintf(we + wel, sizeof we - wel, "Meets every criterion: ");
      for (int k = 0; ver && k < ver->ncrits && wzl < sizeof wz - 1 && wel < sizeof we - 1; k++) {
        wzl += (size_t)snprintf(wz + wzl, sizeof wz - wzl, "%s%s", k ? "；" : "", ver->crits[k].zh ? ver->crits[k].zh : ver->crits[k].code);
        wel += (size_t)snprintf(we + wel, sizeof we - wel, "%s%s", k ? "; " : "", ver->crits[k].en ? ver->crits[k].en : ver->crits[k].code);
      }
      char iid[32] = "";
      if (item_id) np_id_format(NP_ID_PITEM, item_id, iid, sizeof iid);
      json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:b,s:I}", "policy", pol->code, "zh", pol->zh ? pol->zh : "", "en", pol->en ? pol->en : "",
                            "why_zh", wz, "why_en", we, "confirm_required", set.confirm_required, "entities", (json_int_t)neligible);
      np_papi_money(o, "amount", amount);
      json_object_set_new(o, "state", state[0] ? json_string(state) : json_null());
      json_object_set_new(o, "item_id", iid[0] ? json_string(iid) : json_null());
      json_object_set_new(o, "confirm_deadline", deadline[0] ? json_string(deadline) : json_null());
      json_object_set_new(o, "run_id", json_string(rid));
      json_array_append_new(qual, o);
    } else {
      const char *zh = NULL, *en = NULL;
      char lz[600], le[800];
      if (n == 0) {
        snprintf(reason, sizeof reason, "no_entities");
        snprintf(lz, sizeof lz, "没有可评估的对象（如新招用人员、见习人员、取证人员）");
        snprintf(le, sizeof le, "nothing to evaluate (no qualifying hires, interns or certificates)");
      } else {
        np_papi_reason_text(pkg, pol->code, aod.days, reason, &zh, &en);
        if (obs[0] && thr[0]) {
          snprintf(lz, sizeof lz, "%s：实际为 %s，要求 %s", zh ? zh : reason, obs, thr);
          snprintf(le, sizeof le, "%s: observed %s, required %s", en ? en : reason, obs, thr);
        } else if (obs[0]) {
          snprintf(lz, sizeof lz, "%s：实际为 %s", zh ? zh : reason, obs);
          snprintf(le, sizeof le, "%s: observed %s", en ? en : reason, obs);
        } else {
          snprintf(lz, sizeof lz, "%s", zh ? zh : reason);
          snprintf(le, sizeof le, "%s", en ? en : reason);
        }
      }
      json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:s}", "policy", pol->code, "zh", pol->zh ? pol->zh : "", "en", pol->en ? pol->en : "",
                            "reason", reason, "lacks_zh", lz, "lacks_en", le, "observed", obs[0] ? json_string(obs) : json_null(), "threshold",
                            thr[0] ? json_string(thr) : json_null(), "run_id", rid);
      json_array_append_new(notq, o);
    }
  }
  np_policy_package_free(pkg);
  if (e) {
    json_decref(qual);
    json_decref(notq);
    json_decref(runs);
    return np_papi_fail(r, e, &d);
  }
  np_resp_json(r, 200, json_pack("{s:{s:s,s:s},s:o,s:o,s:o}", "enterprise", "id", eid, "name", name, "runs", runs, "qualified", qual,
                                 "not_qualified", notq));
}

static void h_enterprise_policies(np_req_t *r) {
  np_store_t *s = np_req_store(r);
  if (!s) return;
  const char *v = np_req_param(r, "id");
  int64_t ent = 0;
  if (np_id_parse(NP_ID_ENTERPRISE, v, &ent) != NP_OK) {
    if (!v || strlen(v) != 18) return np_resp_error(r, 404, "not_found", NULL, "no such enterprise");
    if (!np_papi_enterprise_param(r, s, v, &ent)) return;
    if (ent <= 0) return np_resp_error(r, 404, "not_found", NULL, "no such enterprise");
  }
  enterprise_policies(r, ent);
}

static void h_my_policies(np_req_t *r) {
  const np_principal_t *p = np_req_principal(r);
  if (!p || p->enterprise_id <= 0) return np_resp_error(r, 404, "not_found", NULL, "this account belongs to no enterprise");
  enterprise_policies(r, p->enterprise_id);
}

/* ------------------------------------------------------------------ bank whitelist */

static const char WL_WHERE[] =
    " WHERE i.state IN ('pushed', 'confirmed') AND i.policy IN (SELECT policy FROM policy_settings WHERE kind = 'whitelist')";

static void h_whitelist(np_req_t *r) {
  int64_t limit, cur = 0;
  if (!np_papi_limit(r, &limit)) return;
  np_store_t *s = np_req_store(r);
  if (!s) return;
  np_scope_sql_t sq;
  if (!item_scope(r, &sq)) return;
  const char *pol = np_req_query(r, "policy"), *v;
  if ((v = np_req_query(r, "cursor")) && *v && np_id_parse(NP_ID_PITEM, v, &cur)) return np_resp_error(r, 422, "format", "cursor", "bad cursor");
  char sql[2000];
  snprintf(sql, sizeof sql, "SELECT %s%s%s AND (? = '' OR i.policy = ?) AND i.id > ?%s ORDER BY i.id LIMIT ?", ITEM_COLS, ITEM_FROM, WL_WHERE, sq.sql);
  np_stmt_t *st;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  np_err e = np_store_prepare(s, sql, &st, &d);
  if (e) return np_papi_fail(r, e, &d);
  np_store_bind_text(st, 1, pol ? pol : "", NP_STORE_STRLEN);
  np_store_bind_text(st, 2, pol ? pol : "", NP_STORE_STRLEN);
  np_store_bind_int64(st, 3, cur);
  int next;
  np_authz_scope_bind(&sq, st, 4, &next);
  np_store_bind_int64(st, next, limit + 1);
  json_t *items = NULL;
  int64_t next_id = 0;
  if ((e = np_papi_page(st, limit, whitelist_row_fn, NULL, &items, &next_id, &d))) return np_papi_fail(r, e, &d);
  bool has;
  int64_t total = 0;
  snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM policy_items i%s AND (? = '' OR i.policy = ?)%s", WL_WHERE, sq.sql);
  if (!np_store_prepare(s, sql, &st, &d)) {
    np_store_bind_text(st, 1, pol ? pol : "", NP_STORE_STRLEN);
    np_store_bind_text(st, 2, pol ? pol : "", NP_STORE_STRLEN);
    np_authz_scope_bind(&sq, st, 3, &next);
    if (!np_store_step(st, &has, &d) && has) total = np_store_col_int64(st, 0);
    np_store_release(st);
  }
  np_papi_send_page(r, items, total, NP_ID_PITEM, next_id);
}

static void h_whitelist_export(np_req_t *r) {
  np_store_t *s = np_req_store(r);
  if (!s) return;
  np_scope_sql_t sq;
  if (!item_scope(r, &sq)) return;
  static const np_xlsxw_col_t cols[] = {
    {"政策 policy", NP_XLSXW_TEXT, 26, NULL, 0},     {"企业ID enterprise id", NP_XLSXW_TEXT, 12, NULL, 0},
    {"企业 enterprise", NP_XLSXW_TEXT, 30, NULL, 0}, {"统一社会信用代码 USCC", NP_XLSXW_TEXT, 22, NULL, 0},
    {"区划 region", NP_XLSXW_TEXT, 14, NULL, 0},      {"额度上限 cap (yuan)", NP_XLSXW_MONEY, 16, NULL, 0},
    {"状态 state", NP_XLSXW_TEXT, 12, NULL, 0},       {"推送时间 pushed at (UTC)", NP_XLSXW_TEXT, 20, NULL, 0},
  };
  char path[512];
  if (!np_resp_tmpfile(r, "whitelist", ".xlsx", path, sizeof path)) return;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  np_xlsxw_t *w = NULL;
  np_err e = np_xlsxw_open(path, "whitelist", &w, &d);
  if (!e) e = np_xlsxw_columns(w, cols, sizeof cols / sizeof cols[0], &d);
  char sql[2000];
  snprintf(sql, sizeof sql, "SELECT %s%s%s%s ORDER BY i.id", ITEM_COLS, ITEM_FROM, WL_WHERE, sq.sql);
  np_stmt_t *st = NULL;
  int64_t rows = 0;
  if (!e && !(e = np_store_prepare(s, sql, &st, &d))) {
    int next;
    np_authz_scope_bind(&sq, st, 1, &next);
    bool has;
    while (!e && !(e = np_store_step(st, &has, &d)) && has) {
      json_t *o = item_row(st);
      const char *c0[] = {json_string_value(json_object_get(o, "policy")), json_string_value(json_object_get(o, "enterprise_id")),
                          json_string_value(json_object_get(o, "enterprise_name")), json_string_value(json_object_get(o, "uscc")),
                          json_string_value(json_object_get(o, "region_code"))};
      for (size_t c = 0; c < 5 && !e; c++) e = np_xlsxw_text(w, c, c0[c] ? c0[c] : "", &d);
      if (!e) e = np_xlsxw_money(w, 5, json_integer_value(json_object_get(o, "amount_fen")), &d);
      const char *st6 = json_string_value(json_object_get(o, "state")), *st7 = json_string_value(json_object_get(o, "pushed_at"));
      if (!e) e = np_xlsxw_text(w, 6, st6 ? st6 : "", &d);
      if (!e) e = np_xlsxw_text(w, 7, st7 ? st7 : "", &d);
      if (!e) e = np_xlsxw_end_row(w, &d);
      json_decref(o);
      rows++;
    }
    np_store_release(st);
  }
  if (w) {
    np_err e2 = np_xlsxw_close(w, e ? NULL : &d);
    if (!e) e = e2;
  }
  if (!e) {
    char detail[64];
    snprintf(detail, sizeof detail, "rows=%" PRId64, rows);
    np_audit_entry_t a = {.action = "export.loan_whitelist", .entity = "policy_item", .detail = detail};
    e = np_audit_from_req_ex(r, &a, NULL, NULL, &d);
  }
  if (e) {
    unlink(path);
    return np_papi_fail(r, e, &d);
  }
  np_papi_send_xlsx(r, path, "loan-whitelist.xlsx");
}

/* ------------------------------------------------------------------ registration */

void np_policy_api_wf_register(np_http_t *h) {
  np_route_opts_t read = {.action = "policy.read"}, review = {.action = "policy.review"}, approve = {.action = "policy.approve"},
                  publish = {.action = "policy.publish"}, pay = {.action = "policy.pay"};
  np_http_route(h, "POST", "/api/v1/policy-runs/{id}/batches", h_batch_open, &read);
  np_http_route(h, "GET", "/api/v1/policy-batches", h_batches, &read);
  np_http_route(h, "GET", "/api/v1/policy-batches/{id}", h_batch_get, &read);
  np_http_route(h, "GET", "/api/v1/policy-batches/{id}/items", h_batch_items, &read);
  np_http_route(h, "POST", "/api/v1/policy-batches/{id}/review", h_review, &review);
  np_http_route(h, "POST", "/api/v1/policy-batches/{id}/approve", h_approve, &approve);
  np_http_route(h, "POST", "/api/v1/policy-batches/{id}/notice", h_notice, &publish);
  np_http_route(h, "POST", "/api/v1/policy-batches/{id}/push", h_push, &publish);
  np_http_route(h, "POST", "/api/v1/policy-batches/{id}/payments", h_pay, &pay);
  np_http_route(h, "GET", "/api/v1/policy-notices", h_notices, &read);
  np_http_route(h, "GET", "/api/v1/policy-items/{id}", h_item_get, &read);
  np_http_route(h, "POST", "/api/v1/policy-items/{id}/exclude", h_exclude, &review);
  np_http_route(h, "POST", "/api/v1/policy-items/{id}/objections", h_object, &review);
  np_http_route(h, "GET", "/api/v1/policy-items/{id}/objections", h_objections, &read);
  np_http_route(h, "POST", "/api/v1/policy-items/{id}/confirm", h_confirm, &read);
  np_http_route(h, "POST", "/api/v1/policy-items/{id}/repay", h_repay, &pay);
  np_http_route(h, "GET", "/api/v1/policy-items/{id}/history", h_history, &read);
  np_http_route(h, "POST", "/api/v1/policy-objections/{id}/handle", h_handle, &review);
  np_http_route(h, "GET", "/api/v1/policy-payments", h_payments, &read);
  np_http_route(h, "POST", "/api/v1/policy-payments/{id}/fail", h_payment_fail, &pay);
  np_http_route(h, "POST", "/api/v1/policy-payments/{id}/contact", h_payment_contact, &pay);
  np_http_route(h, "GET", "/api/v1/enterprises/{id}/policies", h_enterprise_policies, &read);
  np_http_route(h, "GET", "/api/v1/me/policies", h_my_policies, &read);
  np_http_route(h, "GET", "/api/v1/loan-whitelist", h_whitelist, &read);
  np_http_route(h, "GET", "/api/v1/loan-whitelist/export", h_whitelist_export, &read);
}
