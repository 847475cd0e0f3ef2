/*
 * Alert board, acknowledgement, closing, rules and the deadline report over HTTP (see alerts.h).
 * Reads sweep lazily (at most once a minute per process) before answering; the server start sweeps
 * once (np_firms_alerts_api_register).
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "core/date.h"
#include "core/ids.h"
#include "core/json.h"
#include "core/log.h"
#include "core/str.h"
#include "firms/alerts.h"
#include "firms/dicts.h"
#include "ref/ref.h"

#define SWEEP_EVERY_S 60
#define FULL_SWEEP_EVERY_S 900

static _Atomic int64_t last_sweep;

static int64_t now_s(void) { return (int64_t)time(NULL); }

static void fail(np_req_t *r, np_err e, const np_errdetail_t *d) {
  if (e == NP_ERR_STORE || e == NP_ERR_INTERNAL || e == NP_ERR_NOMEM || e == NP_ERR_IO)
    np_log_error("alerts.error", "%s %s: %s %s", np_req_method(r), np_req_path(r), d ? d->code : "",
                 d ? d->message : "");
  np_resp_fail(r, e, d);
}

/* Change-feed position of this process's last sweep (0 = none yet) and when it last swept in full. */
static _Atomic int64_t sweep_seq;
static _Atomic int64_t last_full_sweep;

/* Sweeps when the last sweep of this process is older than SWEEP_EVERY_S (or force). Incremental
 * (only enterprises with changes since the last sweep) except the first one of the process and one
 * every FULL_SWEEP_EVERY_S. Failures are logged, not returned: the board is still right (overdue
 * comes from the clock). */
static void sweep(np_store_t *s, bool force) {
  int64_t now = now_s(), last = atomic_load(&last_sweep);
  if (!force && now - last < SWEEP_EVERY_S) return;
  if (!atomic_compare_exchange_strong(&last_sweep, &last, now) && !force) return;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  np_alert_sweep_stats_t st = {0};
  int64_t since = atomic_load(&sweep_seq), next = 0;
  bool full = since <= 0 || now - atomic_load(&last_full_sweep) >= FULL_SWEEP_EVERY_S;
  np_err e = np_firms_alerts_sweep_since(s, now, full ? 0 : since, &next, &st, &d);
  if (!e) {
    atomic_store(&sweep_seq, next);
    if (full) atomic_store(&last_full_sweep, now);
  }
  if (e) np_log_warn("alerts.sweep", "sweep failed: %s %s", d.code, d.message);
  else if (st.raised || st.escalated || st.resolved || st.rearmed)
    np_log_info("alerts.sweep", "raised %lld, escalated %lld, resolved %lld, rearmed %lld", (long long)st.raised,
                (long long)st.escalated, (long long)st.resolved, (long long)st.rearmed);
}

static np_audit_entry_t actor_of(np_req_t *r) {
  const np_principal_t *p = np_req_principal(r);
  np_audit_entry_t a = {.ip = np_req_ip(r), .request_id = np_req_id(r)};
  if (p) {
    a.user_id = p->user_id;
    a.username = p->username;
    a.role = np_role_name(p->role);
  }
  return a;
}

static bool scope_of(np_req_t *r, np_scope_t *scope) {
  if (np_authz_scope(np_req_principal(r), "alert", scope) != NP_OK) {
    np_resp_error(r, 500, "internal", NULL, "scope");
    return false;
  }
  return true;
}

static bool path_id(np_req_t *r, int64_t *id) {
  if (np_id_parse(NP_ID_ALERT, np_req_param(r, "id"), id) != NP_OK) {
    np_resp_error(r, 404, "not_found", NULL, "no such alert");
    return false;
  }
  return true;
}

/* region=CODE → its prefix; a known region when the reference index is loaded. */
static np_err region_param(np_req_t *r, char prefix[16], np_errdetail_t *d) {
  const char *v = np_req_query(r, "region");
  prefix[0] = '\0';
  if (!v || !*v) return NP_OK;
  if (!np_authz_region_prefix(v, prefix))
    return np_fail(d, NP_ERR_INVALID, "format", "region", "region must be a 6, 9 or 12 digit region code");
  const np_ref_t *ref = np_ref_global();
  if (ref && !np_ref_region(ref, v))
    return np_fail(d, NP_ERR_INVALID, "unknown_region", "region", "unknown region code");
  return NP_OK;
}

static np_err bool_param(np_req_t *r, const char *name, int *out, np_errdetail_t *d) {
  const char *v = np_req_query(r, name);
  *out = -1;
  if (!v || !*v) return NP_OK;
  if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0) *out = 1;
  else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0) *out = 0;
  else return np_fail(d, NP_ERR_INVALID, "format", name, "%s must be true or false", name);
  return NP_OK;
}

static void h_list(np_req_t *r) {
  np_scope_t scope;
  if (!scope_of(r, &scope)) return;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  np_alert_filter_t f = {.scope = &scope, .level = -1, .overdue = -1, .green = -1, .limit = 20};
  char prefix[16];
  np_err e;
  const char *v;
  if ((e = region_param(r, prefix, &d)) || (e = bool_param(r, "overdue", &f.overdue, &d)) ||
      (e = bool_param(r, "green_channel", &f.green, &d)))
    return fail(r, e, &d);
  f.region_prefix = prefix;
  if ((v = np_req_query(r, "level")) && *v) {
    if (strcmp(v, "county") == 0) f.level = NP_ALERT_COUNTY;
    else if (strcmp(v, "city") == 0) f.level = NP_ALERT_CITY;
    else if (strcmp(v, "province") == 0) f.level = NP_ALERT_PROVINCE;
    else return np_resp_error(r, 422, "format", "level", "level must be county, city or province");
  }
  if ((v = np_req_query(r, "status")) && *v) {
    if (!np_firms_in_list(v, np_firms_alert_statuses) && strcmp(v, "active"))
      return np_resp_error(r, 422, "format", "status", "status must be open, acknowledged, resolved or active");
    f.status = v;
  }
  if ((v = np_req_query(r, "limit")) && *v && np_parse_int64(v, strlen(v), 1, 100, &f.limit) != NP_OK)
    return np_resp_error(r, 422, "range", "limit", "limit must be an integer from 1 to 100");
  f.cursor = np_req_query(r, "cursor");
  np_store_t *s = np_req_store(r);
  if (!s) return;
  if ((v = np_req_query(r, "enterprise_id")) && *v) {
    if (np_id_parse(NP_ID_ENTERPRISE, v, &f.enterprise_id) != NP_OK) {
      bool found = false;
      char up[19];
      size_t n = strlen(v);
      if (n == 18) {
        for (size_t i = 0; i < n; i++) up[i] = (char)(v[i] >= 'a' && v[i] <= 'z' ? v[i] - 32 : v[i]);
        up[18] = '\0';
        if ((e = np_store_queryf_int64(s, &f.enterprise_id, &found, &d, "SELECT id FROM enterprises WHERE uscc = ?",
                                       "t", up)))
          return fail(r, e, &d);
      }
      if (!found) return np_resp_error(r, 422, "not_found", "enterprise_id", "no such enterprise");
    }
  }
  sweep(s, false);
  json_t *out = NULL;
  if ((e = np_firms_alert_list(s, &f, now_s(), &out, &d))) return fail(r, e, &d);
  np_resp_json(r, 200, out);
}

static void h_get(np_req_t *r) {
  int64_t id;
  np_scope_t scope;
  if (!path_id(r, &id) || !scope_of(r, &scope)) return;
  np_store_t *s = np_req_store(r);
  if (!s) return;
  sweep(s, false);
  np_errdetail_t d;
  np_errdetail_clear(&d);
  json_t *out = NULL;
  np_err e = np_firms_alert_get(s, &scope, id, true, now_s(), &out, &d);
  if (e) return fail(r, e, &d);
  np_resp_json(r, 200, out);
}

static void h_ack(np_req_t *r) {
  int64_t id;
  np_scope_t scope;
  if (!path_id(r, &id) || !scope_of(r, &scope)) return;
  json_t *j = np_req_json(r);
  if (!j) return;
  static const char *const keys[] = {"note", "planned_response", NULL};
  np_errdetail_t d;
  np_errdetail_clear(&d);
  const char *note = NULL, *plan = NULL;
  np_err e;
  if ((e = np_json_check_keys(j, keys, &d)) ||
      (e = np_json_get_str(j, "note", NP_JSON_REQUIRED | NP_JSON_ALLOW_NEWLINES, 1, NP_ALERT_NOTE_MAX_CHARS, &note,
                           NULL, &d)) ||
      (e = np_json_get_str(j, "planned_response", NP_JSON_ALLOW_NEWLINES, 0, NP_ALERT_PLAN_MAX_CHARS, &plan, NULL,
                           &d)))
    return fail(r, e, &d);
  np_store_t *s = np_req_store(r);
  if (!s) return;
  np_audit_entry_t a = actor_of(r);
  json_t *out = NULL;
  if ((e = np_firms_alert_ack(s, &a, &scope, id, note, plan, now_s(), &out, &d))) return fail(r, e, &d);
  np_resp_json(r, 200, out);
}

static void h_resolve(np_req_t *r) {
  int64_t id;
  np_scope_t scope;
  if (!path_id(r, &id) || !scope_of(r, &scope)) return;
  json_t *j = np_req_json(r);
  if (!j) return;
  static const char *const keys[] = {"reason", NULL};
  np_errdetail_t d;
  np_errdetail_clear(&d);
  const char *reason = NULL;
  np_err e;
  if ((e = np_json_check_keys(j, keys, &d)) ||
      (e = np_json_get_str(j, "reason", NP_JSON_REQUIRED | NP_JSON_ALLOW_NEWLINES, 1, NP_ALERT_NOTE_MAX_CHARS,
                           &reason, NULL, &d)))
    return fail(r, e, &d);
  np_store_t *s = np_req_store(r);
  if (!s) return;
  np_audit_entry_t a = actor_of(r);
  json_t *out = NULL;
  if ((e = np_firms_alert_resolve(s, &a, &scope, id, reason, now_s(), &out, &d))) return fail(r, e, &d);
  np_resp_json(r, 200, out);
}

/* from/to: civil dates (Asia/Shanghai), to inclusive. */
static np_err day_param(np_req_t *r, const char *name, bool upper, int64_t *out, np_errdetail_t *d) {
  const char *v = np_req_query(r, name);
  *out = 0;
  if (!v || !*v) return NP_OK;
  np_date_t day;
  if (np_date_parse(v, strlen(v), &day) != NP_OK)
    return np_fail(d, NP_ERR_INVALID, "format", name, "%s must be a date YYYY-MM-DD", name);
  if (upper && np_date_add_days(day, 1, &day) != NP_OK)
    return np_fail(d, NP_ERR_INVALID, "range", name, "%s is out of range", name);
  *out = np_date_to_unix_utc(day) - NP_SHANGHAI_OFFSET;
  return NP_OK;
}

static void h_report(np_req_t *r) {
  np_scope_t scope;
  if (!scope_of(r, &scope)) return;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  char prefix[16];
  int64_t from = 0, to = 0;
  np_err e;
  if ((e = region_param(r, prefix, &d)) || (e = day_param(r, "from", false, &from, &d)) ||
      (e = day_param(r, "to", true, &to, &d)))
    return fail(r, e, &d);
  if (from && to && from >= to) return np_resp_error(r, 422, "range", "to", "to must not be before from");
  np_store_t *s = np_req_store(r);
  if (!s) return;
  sweep(s, false);
  json_t *out = NULL;
  if ((e = np_firms_alert_report(s, &scope, prefix, from, to, now_s(), &out, &d))) return fail(r, e, &d);
  np_resp_json(r, 200, out);
}

static void rules_answer(np_req_t *r, np_store_t *s) {
  np_alert_rule_t rules[NP_ALERT_MAX_RULES];
  size_t n = 0;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  np_err e = np_alert_rules_load(s, rules, NP_ALERT_MAX_RULES, &n, &d);
  if (e) return fail(r, e, &d);
  json_t *items = json_array();
  for (size_t i = 0; items && i < n; i++) json_array_append_new(items, np_alert_rule_json(&rules[i]));
  np_resp_json(r, 200, json_pack("{s:o}", "items", items ? items : json_array()));
}

static void h_rules_get(np_req_t *r) {
  np_store_t *s = np_req_store(r);
  if (!s) return;
  rules_answer(r, s);
}

static void h_rules_put(np_req_t *r) {
  json_t *j = np_req_json(r);
  if (!j) return;
  np_store_t *s = np_req_store(r);
  if (!s) return;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  np_audit_entry_t a = actor_of(r);
  np_err e = np_alert_rules_put(s, &a, j, now_s(), &d);
  if (e) return fail(r, e, &d);
  sweep(s, true); /* the new rules apply at once */
  rules_answer(r, s);
}

static void route(np_http_t *h, const char *method, const char *pattern, np_handler_fn fn, const char *action) {
  np_route_opts_t o = {.auth = NP_AUTH_USER, .action = action};
  if (np_http_route(h, method, pattern, fn, &o) != NP_OK)
    np_log_error("alerts.route", "cannot register %s %s", method, pattern);
}

void np_firms_alerts_api_register(np_http_t *h) {
  route(h, "GET", "/api/v1/alerts", h_list, "alert.read");
  route(h, "GET", "/api/v1/alerts/report", h_report, "alert.read");
  route(h, "GET", "/api/v1/alerts/{id}", h_get, "alert.read");
  route(h, "POST", "/api/v1/alerts/{id}/ack", h_ack, "alert.ack");
  route(h, "POST", "/api/v1/alerts/{id}/resolve", h_resolve, "alert.ack");
  route(h, "GET", "/api/v1/alert-rules", h_rules_get, "alert.read");
  route(h, "PUT", "/api/v1/alert-rules", h_rules_put, "alert_rule.write");
  /* server start: one sweep */
  np_store_pool_t *pool = np_http_pool(h);
  np_store_t *s = NULL;
  if (pool && np_store_pool_acquire(pool, 5000, &s) == NP_OK) {
    sweep(s, true);
    np_store_pool_release(pool, s);
  }
}
