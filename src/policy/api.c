/*
 * Policy catalogue, local parameter values, budgets, settings, runs, decisions, explanations, reasons,
 * diffs and exports over HTTP (docs/API-POLICY.md). Workflow routes are in api_wf.c.
 */
#include "policy/api.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "audit/audit.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/ids.h"
#include "core/json.h"
#include "core/money.h"
#include "core/str.h"
#include "core/xlsxw.h"
#include "policy/api_util.h"
#include "policy/eval.h"
#include "policy/run.h"
#include "policy/runjob.h"

/* ------------------------------------------------------------------ catalogue */

static const char *hit_name(np_phit_t h) { return h == NP_HIT_UNIQUE ? "unique" : h == NP_HIT_COLLECT_SUM ? "collect_sum" : "first"; }

static json_t *date_json(int64_t d) {
  if (d == NP_PDATE_OPEN) return json_string("open");
  char b[NP_DATE_STRLEN];
  np_date_format((np_date_t){(int32_t)d}, b, sizeof b);
  return json_string(b);
}

static json_t *param_json(np_store_t *s, const np_pparam_t *p) {
  json_t *o = json_object();
  json_object_set_new(o, "name", json_string(p->name));
  json_object_set_new(o, "zh", json_string(p->zh ? p->zh : ""));
  json_object_set_new(o, "en", json_string(p->en ? p->en : ""));
  json_object_set_new(o, "unit", p->unit ? json_string(p->unit) : json_null());
  json_object_set_new(o, "type", json_string(np_ptype_name(p->type)));
  json_object_set_new(o, "mode", json_string(p->mode ? "prorated" : "at_date"));
  json_object_set_new(o, "national", json_boolean(p->national));
  json_object_set_new(o, "admin_settable", json_boolean(p->admin_settable));
  json_object_set_new(o, "table", p->table_min_wage ? json_string("min_wage") : json_null());
  json_object_set_new(o, "reference", p->reference ? json_string(p->reference) : json_null());
  json_t *vals = json_array();
  for (int i = 0; i < p->nvalues; i++) {
    const np_pparam_value_t *v = &p->values[i];
    char val[96];
    np_pvalue_format(p->type, v->v, 1, val, sizeof val);
    json_array_append_new(vals, json_pack("{s:o,s:o,s:s,s:s,s:s}", "from", date_json(v->from), "to", date_json(v->to), "value",
                                          val, "reference", v->reference ? v->reference : "", "source",
                                          v->line == 0 ? "local" : "package"));
  }
  json_object_set_new(o, "values", vals);
  json_t *loc = json_array();
  np_stmt_t *st;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  if (s && np_store_prepare(s, "SELECT id, value_text, valid_from, valid_to, reference, set_by, set_at FROM policy_param_overrides "
                               "WHERE name = ? ORDER BY id", &st, &d) == NP_OK) {
    np_store_bind_text(st, 1, p->name, NP_STORE_STRLEN);
    bool has;
    while (np_store_step(st, &has, &d) == NP_OK && has) {
      const char *to = np_store_col_text(st, 3);
      json_array_append_new(loc, json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s}", "id", (json_int_t)np_store_col_int64(st, 0), "value",
                                           np_store_col_text(st, 1), "from", np_store_col_text(st, 2), "to", to ? to : "open",
                                           "reference", np_store_col_text(st, 4), "set_by", np_store_col_text(st, 5), "set_at",
                                           np_store_col_text(st, 6)));
    }
    np_store_release(st);
  }
  json_object_set_new(o, "local_values", loc);
  return o;
}

static json_t *policy_json(np_store_t *s, const np_ppolicy_t *pol, const np_ppackage_t *pkg) {
  np_pwf_settings_t set;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  np_pwf_settings_get(s, pol->code, &set, &d);
  json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:i,s:i}", "code", pol->code, "zh", pol->zh ? pol->zh : "", "en",
                        pol->en ? pol->en : "", "reference", pol->reference ? pol->reference : "", "payee",
                        pol->payee ? pol->payee : "enterprise", "delivery", pol->delivery ? pol->delivery : "", "entity",
                        np_policy_kind(pol->entity)->name, "kind", set.whitelist ? "whitelist" : "grant", "confirm_required",
                        set.confirm_required, "notice_days", set.notice_days, "confirm_days", set.confirm_days);
  json_object_set_new(o, "bank", set.bank[0] ? json_string(set.bank) : json_null());
  json_t *vers = json_array();
  for (int v = 0; v < pol->nversions; v++) {
    const np_pversion_t *ver = &pol->versions[v];
    json_t *vo = json_pack("{s:o,s:o,s:s}", "from", date_json(ver->from), "to", date_json(ver->to), "hit", hit_name(ver->hit));
    json_t *cr = json_array(), *li = json_array(), *ca = json_array(), *pa = json_array();
    for (int i = 0; i < ver->ncrits; i++)
      json_array_append_new(cr, json_pack("{s:s,s:s,s:s,s:o}", "code", ver->crits[i].code, "zh", ver->crits[i].zh ? ver->crits[i].zh : "",
                                          "en", ver->crits[i].en ? ver->crits[i].en : "", "competing",
                                          ver->crits[i].competing ? json_string(ver->crits[i].competing) : json_null()));
    for (int i = 0; i < ver->nlimits; i++)
      json_array_append_new(li, json_pack("{s:s,s:s,s:s}", "code", ver->limits[i].code, "zh", ver->limits[i].zh ? ver->limits[i].zh : "",
                                          "en", ver->limits[i].en ? ver->limits[i].en : ""));
    for (int i = 0; i < ver->ncaps; i++)
      json_array_append_new(ca, json_pack("{s:s,s:s,s:s}", "code", ver->caps[i].code, "zh", ver->caps[i].zh ? ver->caps[i].zh : "",
                                          "en", ver->caps[i].en ? ver->caps[i].en : ""));
    for (int i = 0; i < ver->nparams_used; i++) json_array_append_new(pa, json_string(pkg->params[ver->params_used[i]].name));
    json_object_set_new(vo, "criteria", cr);
    json_object_set_new(vo, "limits", li);
    json_object_set_new(vo, "caps", ca);
    json_object_set_new(vo, "parameters", pa);
    json_array_append_new(vers, vo);
  }
  json_object_set_new(o, "versions", vers);
  return o;
}

static void h_policies(np_req_t *r) {
  np_store_t *s = np_req_store(r);
  if (!s) return;
  np_ppackage_t *pkg = np_papi_package(r, s);
  if (!pkg) return;
  json_t *pols = json_array(), *pars = json_array();
  for (int i = 0; i < pkg->npolicies; i++) json_array_append_new(pols, policy_json(s, &pkg->policies[i], pkg));
  for (int i = 0; i < pkg->nparams; i++) json_array_append_new(pars, param_json(s, &pkg->params[i]));
  json_t *out = json_pack("{s:s,s:s,s:s,s:o,s:o}", "package", pkg->name, "ruleset_hash", pkg->ruleset_hash, "engine_version",
                          NP_POLICY_ENGINE_VERSION, "policies", pols, "parameters", pars);
  np_policy_package_free(pkg);
  np_resp_json(r, 200, out);
}

static void h_param_put(np_req_t *r) {
  const char *name = np_req_param(r, "name");
  json_t *j = np_req_json(r);
  if (!j) return;
  static const char *const keys[] = {"value", "from", "to", "reference", NULL};
  np_errdetail_t d;
  np_errdetail_clear(&d);
  if (np_json_check_keys(j, keys, &d)) return np_papi_fail(r, NP_ERR_INVALID, &d);
  const char *value = NULL, *ref = NULL;
  np_date_t from, to = {0};
  if (np_json_get_str(j, "value", NP_JSON_REQUIRED, 1, 64, &value, NULL, &d) ||
      np_json_get_str(j, "reference", NP_JSON_REQUIRED, 1, 500, &ref, NULL, &d) || np_json_get_date(j, "from", NP_JSON_REQUIRED, &from, NULL, &d) ||
      np_json_get_date(j, "to", 0, &to, NULL, &d))
    return np_papi_fail(r, NP_ERR_INVALID, &d);
  bool has_to = np_json_presence_of(j, "to") == NP_JSON_PRESENT;
  if (has_to && to.days < from.days) return np_resp_error(r, 422, "range", "to", "to must not be before from");
  np_store_t *s = np_req_store(r);
  if (!s) return;
  if (np_papi_idem_replay(r, s, "policy.param.set")) return;
  np_ppackage_t *pkg = np_papi_package(r, s);
  if (!pkg) return;
  const np_pparam_t *p = NULL;
  for (int i = 0; i < pkg->nparams; i++)
    if (name && strcmp(pkg->params[i].name, name) == 0) p = &pkg->params[i];
  if (!p) {
    np_policy_package_free(pkg);
    return np_resp_error(r, 404, "not_found", NULL, "no parameter %s", name ? name : "");
  }
  const np_ptype_t ptype = p->type;
  if (!p->admin_settable || p->table_min_wage) {
    np_policy_package_free(pkg);
    return np_resp_error(r, 409, "not_settable", NULL, "%s is not a parameter a province administrator sets", name);
  }
  int64_t v = 0;
  if (np_pvalue_parse(ptype, value, &v) != NP_OK) {
    np_policy_package_free(pkg);
    return np_resp_error(r, 422, "format", "value", "not a valid %s value", np_ptype_name(ptype));
  }
  char fs[NP_DATE_STRLEN], ts[NP_DATE_STRLEN], now[NP_TS_STRLEN];
  np_date_format(from, fs, sizeof fs);
  if (has_to) np_date_format(to, ts, sizeof ts);
  np_date_format_ts_utc(np_papi_now(r), now, sizeof now);
  const np_principal_t *pr = np_req_principal(r);
  np_err e = np_store_begin(s, &d);
  int64_t id = 0;
  if (!e)
    e = np_store_queryf_int64(s, &id, NULL, &d,
                              "INSERT INTO policy_param_overrides (name, value, value_text, valid_from, valid_to, reference, set_by, set_at) "
                              "VALUES (?,?,?,?,?,?,?,?) RETURNING id", "tittt" "ttt", p->name, v, value, fs, has_to ? ts : NULL, ref,
                              pr ? pr->username : "", now);
  if (!e) {
    json_t *after = json_pack("{s:s,s:s,s:s,s:s,s:s}", "name", p->name, "value", value, "from", fs, "to", has_to ? ts : "open",
                              "reference", ref);
    np_audit_entry_t a = {.action = "policy.param.set", .entity = "policy_param", .entity_id = p->name};
    e = np_audit_from_req_ex(r, &a, NULL, after, &d);
    json_decref(after);
  }
  if (!e) e = np_store_change(s, "policy_param", p->name, "update", NULL, &d);
  if (!e) e = np_store_commit(s, &d);
  else np_store_rollback(s);
  np_policy_package_free(pkg);
  if (e) return np_papi_fail(r, e, &d);
  pkg = np_papi_package(r, s);
  if (!pkg) return;
  json_t *out = NULL;
  for (int i = 0; i < pkg->nparams; i++)
    if (strcmp(pkg->params[i].name, name) == 0) out = param_json(s, &pkg->params[i]);
  np_policy_package_free(pkg);
  np_papi_send(r, s, "policy.param.set", 200, out ? out : json_object());
}

static void h_budgets(np_req_t *r) {
  np_store_t *s = np_req_store(r);
  if (!s) return;
  const char *y = np_req_query(r, "year");
  int64_t year = 0;
  if (y && *y && np_parse_int64(y, strlen(y), 2000, 2999, &year)) return np_resp_error(r, 422, "range", "year", "a year");
  np_stmt_t *st;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  np_err e = np_store_prepare(s, "SELECT b.policy, b.year, b.budget_fen, (SELECT COALESCE(SUM(i.amount_fen), 0) FROM policy_items i "
                                 "WHERE i.policy = b.policy AND i.year = b.year AND i.state IN ('approved','notice','pushed',"
                                 "'awaiting_confirmation','confirmed','paid','payment_failed')) FROM policy_budgets b "
                                 "WHERE (? = 0 OR b.year = ?) ORDER BY b.year, b.policy", &st, &d);
  if (e) return np_papi_fail(r, e, &d);
  np_store_bind_int64(st, 1, year);
  np_store_bind_int64(st, 2, year);
  json_t *items = json_array();
  bool has;
  while (!(e = np_store_step(st, &has, &d)) && has) {
    json_t *o = json_pack("{s:s,s:I}", "policy", np_store_col_text(st, 0), "year", (json_int_t)np_store_col_int64(st, 1));
    int64_t b = np_store_col_int64(st, 2), a = np_store_col_int64(st, 3);
    np_papi_money(o, "budget", b);
    np_papi_money(o, "approved", a);
    np_papi_money(o, "remaining", b - a);
    json_array_append_new(items, o);
  }
  np_store_release(st);
  if (e) {
    json_decref(items);
    return np_papi_fail(r, e, &d);
  }
  np_resp_json(r, 200, json_pack("{s:o}", "items", items));
}

static void h_budget_put(np_req_t *r) {
  const char *policy = np_req_param(r, "policy"), *ys = np_req_param(r, "year");
  int64_t year;
  if (!ys || np_parse_int64(ys, strlen(ys), 2000, 2999, &year)) return np_resp_error(r, 404, "not_found", NULL, "no such year");
  json_t *j = np_req_json(r);
  if (!j) return;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  int64_t fen;
  if (np_json_get_int(j, "budget_fen", NP_JSON_REQUIRED, 0, INT64_C(100000000000000), &fen, NULL, &d)) return np_papi_fail(r, NP_ERR_INVALID, &d);
  np_store_t *s = np_req_store(r);
  if (!s) return;
  np_ppackage_t *pkg = np_papi_package(r, s);
  if (!pkg) return;
  bool known = policy && np_policy_find(pkg, policy);
  np_policy_package_free(pkg);
  if (!known) return np_resp_error(r, 404, "not_found", NULL, "no such policy");
  char now[NP_TS_STRLEN];
  np_date_format_ts_utc(np_papi_now(r), now, sizeof now);
  const np_principal_t *pr = np_req_principal(r);
  np_err e = np_store_begin(s, &d);
  if (!e) e = np_store_execf(s, NULL, &d, "DELETE FROM policy_budgets WHERE policy = ? AND year = ?", "ti", policy, year);
  if (!e)
    e = np_store_execf(s, NULL, &d, "INSERT INTO policy_budgets (policy, year, budget_fen, updated_by, updated_at) VALUES (?,?,?,?,?)",
                       "tiitt", policy, year, fen, pr ? pr->username : "", now);
  if (!e) {
    json_t *after = json_pack("{s:s,s:I,s:I}", "policy", policy, "year", (json_int_t)year, "budget_fen", (json_int_t)fen);
    np_audit_entry_t a = {.action = "policy.budget.set", .entity = "policy_budget", .entity_id = policy};
    e = np_audit_from_req_ex(r, &a, NULL, after, &d);
    json_decref(after);
  }
  if (!e) e = np_store_commit(s, &d);
  else np_store_rollback(s);
  if (e) return np_papi_fail(r, e, &d);
  json_t *o = json_pack("{s:s,s:I}", "policy", policy, "year", (json_int_t)year);
  np_papi_money(o, "budget", fen);
  np_resp_json(r, 200, o);
}

static json_t *settings_json(const char *policy, const np_pwf_settings_t *st) {
  json_t *o = json_pack("{s:s,s:i,s:b,s:i,s:s}", "policy", policy, "notice_days", st->notice_days, "confirm_required",
                        st->confirm_required, "confirm_days", st->confirm_days, "kind", st->whitelist ? "whitelist" : "grant");
  json_object_set_new(o, "bank", st->bank[0] ? json_string(st->bank) : json_null());
  return o;
}

static void h_settings(np_req_t *r) {
  np_store_t *s = np_req_store(r);
  if (!s) return;
  np_ppackage_t *pkg = np_papi_package(r, s);
  if (!pkg) return;
  json_t *items = json_array();
  for (int i = 0; i < pkg->npolicies; i++) {
    np_pwf_settings_t st;
    np_errdetail_t d;
    np_errdetail_clear(&d);
    np_pwf_settings_get(s, pkg->policies[i].code, &st, &d);
    json_array_append_new(items, settings_json(pkg->policies[i].code, &st));
  }
  np_policy_package_free(pkg);
  np_resp_json(r, 200, json_pack("{s:o}", "items", items));
}

static void h_settings_put(np_req_t *r) {
  const char *policy = np_req_param(r, "policy");
  json_t *j = np_req_json(r);
  if (!j) return;
  static const char *const keys[] = {"notice_days", "confirm_required", "confirm_days", "bank", NULL};
  np_errdetail_t d;
  np_errdetail_clear(&d);
  if (np_json_check_keys(j, keys, &d)) return np_papi_fail(r, NP_ERR_INVALID, &d);
  np_store_t *s = np_req_store(r);
  if (!s) return;
  np_ppackage_t *pkg = np_papi_package(r, s);
  if (!pkg) return;
  bool known = policy && np_policy_find(pkg, policy);
  np_policy_package_free(pkg);
  if (!known) return np_resp_error(r, 404, "not_found", NULL, "no such policy");
  np_pwf_settings_t st;
  np_err e = np_pwf_settings_get(s, policy, &st, &d);
  if (e) return np_papi_fail(r, e, &d);
  json_t *before = settings_json(policy, &st);
  int64_t v;
  bool b;
  const char *bank = NULL;
  if (np_json_presence_of(j, "notice_days") == NP_JSON_PRESENT) {
    if (np_json_get_int(j, "notice_days", 0, 1, 30, &v, NULL, &d)) goto bad;
    st.notice_days = (int)v;
  }
  if (np_json_presence_of(j, "confirm_days") == NP_JSON_PRESENT) {
    if (np_json_get_int(j, "confirm_days", 0, 1, 90, &v, NULL, &d)) goto bad;
    st.confirm_days = (int)v;
  }
  if (np_json_presence_of(j, "confirm_required") == NP_JSON_PRESENT) {
    if (np_json_get_bool(j, "confirm_required", 0, &b, NULL, &d)) goto bad;
    st.confirm_required = b;
  }
  if (np_json_presence_of(j, "bank") == NP_JSON_PRESENT) {
    if (np_json_get_str(j, "bank", 0, 1, 60, &bank, NULL, &d)) goto bad;
    np_strlcpy(st.bank, bank, sizeof st.bank);
  }
  e = np_store_begin(s, &d);
  if (!e) e = np_store_execf(s, NULL, &d, "DELETE FROM policy_settings WHERE policy = ?", "t", policy);
  if (!e)
    e = np_store_execf(s, NULL, &d, "INSERT INTO policy_settings (policy, notice_days, confirm_required, confirm_days, kind, bank) "
                       "VALUES (?,?,?,?,?,?)", "tiiitt", policy, (int64_t)st.notice_days, (int64_t)st.confirm_required,
                       (int64_t)st.confirm_days, st.whitelist ? "whitelist" : "grant", st.bank[0] ? st.bank : NULL);
  json_t *after = settings_json(policy, &st);
  if (!e) {
    np_audit_entry_t a = {.action = "policy.settings.update", .entity = "policy_settings", .entity_id = policy};
    e = np_audit_from_req_ex(r, &a, before, after, &d);
  }
  if (!e) e = np_store_commit(s, &d);
  else np_store_rollback(s);
  json_decref(before);
  if (e) {
    json_decref(after);
    return np_papi_fail(r, e, &d);
  }
  return np_resp_json(r, 200, after);
bad:
  json_decref(before);
  np_papi_fail(r, NP_ERR_INVALID, &d);
}

/* ------------------------------------------------------------------ runs */

/* Runs are province-wide data: staff with a region (or all) scope read them. */
static bool runs_visible(np_req_t *r) {
  np_scope_t sc;
  if (!np_papi_scope(r, &sc)) return false;
  if (sc.kind != NP_SCOPE_ALL && sc.kind != NP_SCOPE_REGION) {
    np_resp_error(r, 403, "forbidden", NULL, "runs are read by bureau staff");
    return false;
  }
  return true;
}

static const char RUN_COLS[] = "r.id, r.policy, r.package, r.as_of, r.status, r.progress, r.error, r.input_hash, r.ruleset_hash, "
                               "r.engine_version, r.result_hash, r.decisions, r.eligible, r.amount_fen, r.created_at, r.finished_at, "
                               "COALESCE(q.requested_by, 'cli'), r.params_json";

static json_t *run_row(np_stmt_t *st) {
  char id[32];
  np_id_format(NP_ID_PRUN, np_store_col_int64(st, 0), id, sizeof id);
  json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:I}", "id", id, "policy", np_store_col_text(st, 1), "package", np_store_col_text(st, 2),
                        "as_of", np_store_col_text(st, 3), "status", np_store_col_text(st, 4), "progress",
                        (json_int_t)np_store_col_int64(st, 5));
  const char *t;
  json_object_set_new(o, "error", (t = np_store_col_text(st, 6)) ? json_string(t) : json_null());
  json_object_set_new(o, "input_hash", json_string(np_store_col_text(st, 7)));
  json_object_set_new(o, "ruleset_hash", json_string(np_store_col_text(st, 8)));
  json_object_set_new(o, "engine_version", json_string(np_store_col_text(st, 9)));
  json_object_set_new(o, "result_hash", (t = np_store_col_text(st, 10)) ? json_string(t) : json_null());
  int64_t n = np_store_col_int64(st, 11), el = np_store_col_int64(st, 12);
  json_object_set_new(o, "decisions", json_integer(n));
  json_object_set_new(o, "eligible", json_integer(el));
  json_object_set_new(o, "ineligible", json_integer(n - el));
  np_papi_money(o, "amount", np_store_col_int64(st, 13));
  json_object_set_new(o, "created_at", json_string(np_store_col_text(st, 14)));
  json_object_set_new(o, "finished_at", (t = np_store_col_text(st, 15)) ? json_string(t) : json_null());
  json_object_set_new(o, "created_by", json_string(np_store_col_text(st, 16)));
  return o;
}

static void h_run_create(np_req_t *r) {
  json_t *j = np_req_json(r);
  if (!j) return;
  static const char *const keys[] = {"policy", "as_of", NULL};
  np_errdetail_t d;
  np_errdetail_clear(&d);
  const char *policy = NULL;
  np_date_t as_of;
  if (np_json_check_keys(j, keys, &d) || np_json_get_str(j, "policy", NP_JSON_REQUIRED, 1, 64, &policy, NULL, &d) ||
      np_json_get_date(j, "as_of", NP_JSON_REQUIRED, &as_of, NULL, &d))
    return np_papi_fail(r, NP_ERR_INVALID, &d);
  np_store_t *s = np_req_store(r);
  if (!s) return;
  if (np_papi_idem_replay(r, s, "policy.run")) return;
  if (strcmp(policy, "all") != 0) {
    np_ppackage_t *pkg = np_papi_package(r, s);
    if (!pkg) return;
    bool known = np_policy_find(pkg, policy) != NULL;
    np_policy_package_free(pkg);
    if (!known) return np_resp_error(r, 422, "unknown_policy", "policy", "no policy %s (or \"all\")", policy);
  }
  if (np_policy_job_busy()) return np_resp_error(r, 409, "run_in_progress", NULL, "another policy run is executing");
  const np_principal_t *p = np_req_principal(r);
  int64_t id = 0;
  np_err e = np_policy_job_create(s, policy, as_of.days, p ? p->username : "", &id, &d);
  if (!e) e = np_policy_job_spawn(np_http_pool(np_req_server(r)), id, &d);
  if (e) {
    if (id) np_store_execf(s, NULL, NULL, "UPDATE policy_runs SET status = 'failed', error = ? WHERE id = ?", "ti", d.message, id);
    return np_papi_fail(r, e, &d);
  }
  char sid[32], detail[96];
  np_id_format(NP_ID_PRUN, id, sid, sizeof sid);
  snprintf(detail, sizeof detail, "policy %s as of %s", policy, json_string_value(json_object_get(j, "as_of")));
  np_audit_entry_t a = {.action = "policy.run", .entity = "policy_run", .entity_id = sid, .detail = detail};
  np_audit_from_req_ex(r, &a, NULL, NULL, &d);
  np_papi_send(r, s, "policy.run", 202, json_pack("{s:s,s:s}", "id", sid, "status", "running"));
}

static json_t *run_row_fn(np_stmt_t *st, void *ctx) {
  (void)ctx;
  return run_row(st);
}

static void h_runs(np_req_t *r) {
  if (!runs_visible(r)) return;
  int64_t limit;
  if (!np_papi_limit(r, &limit)) return;
  np_store_t *s = np_req_store(r);
  if (!s) return;
  const char *pol = np_req_query(r, "policy"), *status = np_req_query(r, "status"), *cur = np_req_query(r, "cursor");
  int64_t before = INT64_MAX;
  if (cur && *cur && np_id_parse(NP_ID_PRUN, cur, &before)) return np_resp_error(r, 422, "format", "cursor", "bad cursor");
  char sql[900];
  snprintf(sql, sizeof sql, "SELECT %s FROM policy_runs r LEFT JOIN policy_run_requests q ON q.run_id = r.id WHERE "
           "(? = '' OR r.policy = ?) AND (? = '' OR r.status = ?) AND r.id < ? ORDER BY r.id DESC LIMIT ?", RUN_COLS);
  np_stmt_t *st;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  np_err e = np_store_prepare(s, sql, &st, &d);
  if (e) return np_papi_fail(r, e, &d);
  const char *pp = pol ? pol : "", *ss = status ? status : "";
  np_store_bind_text(st, 1, pp, NP_STORE_STRLEN);
  np_store_bind_text(st, 2, pp, NP_STORE_STRLEN);
  np_store_bind_text(st, 3, ss, NP_STORE_STRLEN);
  np_store_bind_text(st, 4, ss, NP_STORE_STRLEN);
  np_store_bind_int64(st, 5, before);
  np_store_bind_int64(st, 6, limit + 1);
  json_t *items = NULL;
  int64_t next_id = 0;
  if ((e = np_papi_page(st, limit, run_row_fn, NULL, &items, &next_id, &d))) return np_papi_fail(r, e, &d);
  int64_t total = 0;
  np_store_queryf_int64(s, &total, NULL, &d, "SELECT COUNT(*) FROM policy_runs WHERE (? = '' OR policy = ?) AND (? = '' OR status = ?)",
                        "tttt", pp, pp, ss, ss);
  np_papi_send_page(r, items, total, NP_ID_PRUN, next_id);
}

/* Reads run id's row as JSON (with per-policy counts and batches); NULL + answered when missing. */
static json_t *run_load(np_req_t *r, np_store_t *s, int64_t id, bool full) {
  char sql[600];
  snprintf(sql, sizeof sql, "SELECT %s FROM policy_runs r LEFT JOIN policy_run_requests q ON q.run_id = r.id WHERE r.id = ?", RUN_COLS);
  np_stmt_t *st;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  np_err e = np_store_prepare(s, sql, &st, &d);
  if (e) {
    np_papi_fail(r, e, &d);
    return NULL;
  }
  np_store_bind_int64(st, 1, id);
  bool has;
  json_t *o = NULL;
  if (!(e = np_store_step(st, &has, &d)) && has) {
    o = run_row(st);
    const char *pj = np_store_col_text(st, 17);
    json_t *params = pj && full ? json_loads(pj, 0, NULL) : NULL;
    json_object_set_new(o, "params", params ? params : json_object());
  }
  np_store_release(st);
  if (e || !o) {
    if (e) np_papi_fail(r, e, &d);
    else np_resp_error(r, 404, "not_found", NULL, "no such run");
    return NULL;
  }
  if (!full) return o;
  json_t *per = json_array();
  if (!np_store_prepare(s, "SELECT policy, COUNT(*), SUM(eligible), SUM(amount_fen) FROM policy_decisions WHERE run_id = ? "
                           "GROUP BY policy ORDER BY policy", &st, &d)) {
    np_store_bind_int64(st, 1, id);
    while (!np_store_step(st, &has, &d) && has) {
      int64_t n = np_store_col_int64(st, 1), el = np_store_col_int64(st, 2);
      json_t *x = json_pack("{s:s,s:I,s:I,s:I}", "policy", np_store_col_text(st, 0), "decisions", (json_int_t)n, "eligible",
                            (json_int_t)el, "ineligible", (json_int_t)(n - el));
      np_papi_money(x, "amount", np_store_col_int64(st, 3));
      json_array_append_new(per, x);
    }
    np_store_release(st);
  }
  json_object_set_new(o, "per_policy", per);
  json_t *bat = json_array();
  if (!np_store_prepare(s, "SELECT id, policy, state FROM policy_batches WHERE run_id = ? ORDER BY id", &st, &d)) {
    np_store_bind_int64(st, 1, id);
    while (!np_store_step(st, &has, &d) && has) {
      char bid[32];
      np_id_format(NP_ID_PBATCH, np_store_col_int64(st, 0), bid, sizeof bid);
      json_array_append_new(bat, json_pack("{s:s,s:s,s:s}", "id", bid, "policy", np_store_col_text(st, 1), "state", np_store_col_text(st, 2)));
    }
    np_store_release(st);
  }
  json_object_set_new(o, "batches", bat);
  return o;
}

static void h_run_get(np_req_t *r) {
  int64_t id;
  if (!runs_visible(r) || !np_papi_path_id(r, "id", NP_ID_PRUN, &id)) return;
  np_store_t *s = np_req_store(r);
  if (!s) return;
  json_t *o = run_load(r, s, id, true);
  if (o) np_resp_json(r, 200, o);
}

/* ------------------------------------------------------------------ decisions */

typedef struct dq {
  np_papi_binds_t b;
  char where[1200];
  np_scope_sql_t sq;
  char region_like[24];
  int64_t enterprise, min_fen;
} dq_t;

/* Builds the WHERE of a decision query over d (decisions), e (enterprises), i (items). false when answered. */
static bool decision_filter(np_req_t *r, np_store_t *s, int64_t run_id, dq_t *q) {
  memset(q, 0, sizeof *q);
  np_scope_t sc;
  if (!np_papi_scope(r, &sc)) return false;
  np_scope_cols_t cols = {.region = "e.region_code", .enterprise = "d.enterprise_id"};
  if (np_authz_scope_sql(&sc, &cols, &q->sq)) {
    np_resp_error(r, 500, "internal", NULL, "scope");
    return false;
  }
  size_t w = (size_t)snprintf(q->where, sizeof q->where, "d.run_id = ?");
  np_papi_bind_i(&q->b, run_id);
  const char *v;
#define ADD(...) w += (size_t)snprintf(q->where + w, sizeof q->where - w, __VA_ARGS__)
  if ((v = np_req_query(r, "policy")) && *v) {
    ADD(" AND d.policy = ?");
    np_papi_bind_t(&q->b, v);
  }
  if ((v = np_req_query(r, "eligible")) && *v) {
    if (strcmp(v, "true") && strcmp(v, "false")) {
      np_resp_error(r, 422, "format", "eligible", "eligible must be true or false");
      return false;
    }
    ADD(" AND d.eligible = %d", strcmp(v, "true") == 0);
  }
  if ((v = np_req_query(r, "reason")) && *v) {
    ADD(" AND d.reason = ?");
    np_papi_bind_t(&q->b, v);
  }
  if ((v = np_req_query(r, "region")) && *v) {
    char p[16];
    if (!np_authz_region_prefix(v, p)) {
      np_resp_error(r, 422, "format", "region", "a 6, 9 or 12 digit region code");
      return false;
    }
    snprintf(q->region_like, sizeof q->region_like, "%s%%", p);
    ADD(" AND e.region_code LIKE ?");
    np_papi_bind_t(&q->b, q->region_like);
  }
  if ((v = np_req_query(r, "enterprise")) && *v) {
    if (!np_papi_enterprise_param(r, s, v, &q->enterprise)) return false;
    ADD(" AND d.enterprise_id = ?");
    np_papi_bind_i(&q->b, q->enterprise);
  }
  if ((v = np_req_query(r, "min_amount")) && *v) {
    if (np_money_parse(v, strlen(v), &q->min_fen)) {
      np_resp_error(r, 422, "format", "min_amount", "an amount in yuan");
      return false;
    }
    ADD(" AND d.amount_fen >= ?");
    np_papi_bind_i(&q->b, q->min_fen);
  }
  if ((v = np_req_query(r, "state")) && *v) {
    ADD(" AND i.state = ?");
    np_papi_bind_t(&q->b, v);
  }
  ADD("%s", q->sq.sql);
#undef ADD
  return true;
}

static const char DEC_FROM[] =
    " FROM policy_decisions d LEFT JOIN enterprises e ON e.id = d.enterprise_id "
    "LEFT JOIN policy_batches b ON b.run_id = d.run_id AND b.policy = d.policy "
    "LEFT JOIN policy_items i ON i.batch_id = b.id AND i.entity_kind = d.entity_kind AND i.entity_id = d.entity_id ";
static const char DEC_COLS[] = "d.policy, d.entity_kind, d.entity_id, d.enterprise_id, e.name, e.region_code, e.county_code, d.eligible, "
                               "d.amount_fen, d.reason, d.observed, d.threshold, d.competing, i.id, i.state, i.lane";

static json_t *decision_row(np_stmt_t *st, const np_ppackage_t *pkg, int64_t as_of) {
  const char *pol = np_store_col_text(st, 0), *kind = np_store_col_text(st, 1), *t;
  char ent[64], eid[32];
  snprintf(ent, sizeof ent, "%s-%" PRId64, kind, np_store_col_int64(st, 2));
  const np_ppolicy_t *pp = pkg ? np_policy_find(pkg, pol) : NULL;
  json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:I}", "policy", pol, "policy_zh", pp && pp->zh ? pp->zh : pol, "entity", ent, "entity_kind",
                        kind, "entity_id", (json_int_t)np_store_col_int64(st, 2));
  if (np_store_col_is_null(st, 3)) json_object_set_new(o, "enterprise_id", json_null());
  else {
    np_id_format(NP_ID_ENTERPRISE, np_store_col_int64(st, 3), eid, sizeof eid);
    json_object_set_new(o, "enterprise_id", json_string(eid));
  }
  json_object_set_new(o, "enterprise_name", (t = np_store_col_text(st, 4)) ? json_string(t) : json_null());
  json_object_set_new(o, "region_code", (t = np_store_col_text(st, 5)) ? json_string(t) : json_null());
  json_object_set_new(o, "county_code", (t = np_store_col_text(st, 6)) ? json_string(t) : json_null());
  json_object_set_new(o, "eligible", json_boolean(np_store_col_int64(st, 7)));
  np_papi_money(o, "amount", np_store_col_int64(st, 8));
  const char *reason = np_store_col_text(st, 9), *zh, *en;
  np_papi_reason_text(pkg, pol, as_of, reason, &zh, &en);
  json_object_set_new(o, "reason", reason ? json_string(reason) : json_null());
  json_object_set_new(o, "reason_zh", json_string(zh ? zh : ""));
  json_object_set_new(o, "reason_en", json_string(en ? en : ""));
  json_object_set_new(o, "observed", (t = np_store_col_text(st, 10)) ? json_string(t) : json_null());
  json_object_set_new(o, "threshold", (t = np_store_col_text(st, 11)) ? json_string(t) : json_null());
  json_object_set_new(o, "competing", (t = np_store_col_text(st, 12)) ? json_string(t) : json_null());
  if (np_store_col_is_null(st, 13)) json_object_set_new(o, "item", json_null());
  else {
    char iid[32];
    np_id_format(NP_ID_PITEM, np_store_col_int64(st, 13), iid, sizeof iid);
    json_object_set_new(o, "item", json_pack("{s:s,s:s,s:s}", "id", iid, "state", np_store_col_text(st, 14), "lane", np_store_col_text(st, 15)));
  }
  return o;
}

/* Run's as_of (days) and existence; false when answered. */
static bool run_as_of(np_req_t *r, np_store_t *s, int64_t id, int64_t *as_of, char *policy, size_t pcap) {
  np_stmt_t *st;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  np_err e = np_store_prepare(s, "SELECT as_of, policy, status FROM policy_runs WHERE id = ?", &st, &d);
  if (e) {
    np_papi_fail(r, e, &d);
    return false;
  }
  np_store_bind_int64(st, 1, id);
  bool has;
  char a[16] = "";
  if (!(e = np_store_step(st, &has, &d)) && has) {
    np_strlcpy(a, np_store_col_text(st, 0), sizeof a);
    if (policy) np_strlcpy(policy, np_store_col_text(st, 1), pcap);
  }
  np_store_release(st);
  if (e) {
    np_papi_fail(r, e, &d);
    return false;
  }
  if (!has) {
    np_resp_error(r, 404, "not_found", NULL, "no such run");
    return false;
  }
  np_date_t dd = {0};
  np_date_parse(a, strlen(a), &dd);
  *as_of = dd.days;
  return true;
}

static bool parse_cursor(const char *c, char *pol, size_t pcap, char *kind, size_t kcap, int64_t *id) {
  /* "policy.kind.id" */
  const char *a = strchr(c, '.');
  const char *b = a ? strchr(a + 1, '.') : NULL;
  if (!a || !b || (size_t)(a - c) >= pcap || (size_t)(b - a - 1) >= kcap) return false;
  memcpy(pol, c, (size_t)(a - c));
  pol[a - c] = '\0';
  memcpy(kind, a + 1, (size_t)(b - a - 1));
  kind[b - a - 1] = '\0';
  return np_parse_int64(b + 1, strlen(b + 1), 0, INT64_MAX, id) == NP_OK;
}

static void h_decisions(np_req_t *r) {
  int64_t run_id, limit, as_of;
  if (!np_papi_path_id(r, "id", NP_ID_PRUN, &run_id) || !np_papi_limit(r, &limit)) return;
  np_store_t *s = np_req_store(r);
  if (!s || !run_as_of(r, s, run_id, &as_of, NULL, 0)) return;
  dq_t q;
  if (!decision_filter(r, s, run_id, &q)) return;
  char cpol[64] = "", ckind[32] = "";
  int64_t cid = 0;
  const char *cur = np_req_query(r, "cursor");
  bool has_cur = cur && *cur;
  if (has_cur && !parse_cursor(cur, cpol, sizeof cpol, ckind, sizeof ckind, &cid))
    return np_resp_error(r, 422, "format", "cursor", "bad cursor");
  char sql[2600];
  np_errdetail_t d;
  np_errdetail_clear(&d);
  /* total */
  snprintf(sql, sizeof sql, "SELECT COUNT(*)%s WHERE %s", DEC_FROM, q.where);
  np_stmt_t *st;
  np_err e = np_store_prepare(s, sql, &st, &d);
  if (e) return np_papi_fail(r, e, &d);
  int next;
  np_papi_apply(st, &q.b, &next);
  np_authz_scope_bind(&q.sq, st, next, &next);
  bool has;
  int64_t total = 0;
  if (!(e = np_store_step(st, &has, &d)) && has) total = np_store_col_int64(st, 0);
  np_store_release(st);
  if (e) return np_papi_fail(r, e, &d);
  snprintf(sql, sizeof sql, "SELECT %s%s WHERE %s%s ORDER BY d.policy, d.entity_kind, d.entity_id LIMIT ?", DEC_COLS, DEC_FROM, q.where,
           has_cur ? " AND (d.policy > ? OR (d.policy = ? AND (d.entity_kind > ? OR (d.entity_kind = ? AND d.entity_id > ?))))" : "");
  if ((e = np_store_prepare(s, sql, &st, &d))) return np_papi_fail(r, e, &d);
  np_papi_apply(st, &q.b, &next);
  np_authz_scope_bind(&q.sq, st, next, &next);
  if (has_cur) {
    np_store_bind_text(st, next++, cpol, NP_STORE_STRLEN);
    np_store_bind_text(st, next++, cpol, NP_STORE_STRLEN);
    np_store_bind_text(st, next++, ckind, NP_STORE_STRLEN);
    np_store_bind_text(st, next++, ckind, NP_STORE_STRLEN);
    np_store_bind_int64(st, next++, cid);
  }
  np_store_bind_int64(st, next, limit + 1);
  np_ppackage_t *pkg = np_papi_package(r, s);
  if (!pkg) {
    np_store_release(st);
    return;
  }
  json_t *items = json_array();
  int64_t n = 0;
  char nc[160] = "";
  while (!(e = np_store_step(st, &has, &d)) && has) {
    if (n++ == limit) break;
    snprintf(nc, sizeof nc, "%s.%s.%" PRId64, np_store_col_text(st, 0), np_store_col_text(st, 1), np_store_col_int64(st, 2));
    json_array_append_new(items, decision_row(st, pkg, as_of));
  }
  np_store_release(st);
  np_policy_package_free(pkg);
  if (e) {
    json_decref(items);
    return np_papi_fail(r, e, &d);
  }
  np_resp_json(r, 200, json_pack("{s:o,s:I,s:o}", "items", items, "total", (json_int_t)total, "next_cursor",
                                 n > limit ? json_string(nc) : json_null()));
}

static void h_decisions_export(np_req_t *r) {
  int64_t run_id, as_of;
  if (!np_papi_path_id(r, "id", NP_ID_PRUN, &run_id)) return;
  np_store_t *s = np_req_store(r);
  if (!s || !run_as_of(r, s, run_id, &as_of, NULL, 0)) return;
  dq_t q;
  if (!decision_filter(r, s, run_id, &q)) return;
  static const np_xlsxw_col_t cols[] = {
    {"政策 policy", NP_XLSXW_TEXT, 28, NULL, 0},       {"对象 entity", NP_XLSXW_TEXT, 18, NULL, 0},
    {"企业ID enterprise id", NP_XLSXW_TEXT, 12, NULL, 0}, {"企业 enterprise", NP_XLSXW_TEXT, 30, NULL, 0},
    {"区划 region", NP_XLSXW_TEXT, 14, NULL, 0},        {"符合 eligible", NP_XLSXW_TEXT, 8, NULL, 0},
    {"金额 amount (yuan)", NP_XLSXW_MONEY, 14, NULL, 0}, {"原因 reason", NP_XLSXW_TEXT, 24, NULL, 0},
    {"说明 reason text", NP_XLSXW_TEXT, 40, NULL, 0},    {"实际 observed", NP_XLSXW_TEXT, 16, NULL, 0},
    {"标准 threshold", NP_XLSXW_TEXT, 16, NULL, 0},     {"流程 state", NP_XLSXW_TEXT, 16, NULL, 0},
  };
  char path[512];
  if (!np_resp_tmpfile(r, "policy", ".xlsx", path, sizeof path)) return;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  np_xlsxw_t *w = NULL;
  np_ppackage_t *pkg = np_papi_package(r, s);
  if (!pkg) {
    unlink(path);
    return;
  }
  np_err e = np_xlsxw_open(path, "decisions", &w, &d);
  if (!e) e = np_xlsxw_columns(w, cols, sizeof cols / sizeof cols[0], &d);
  char sql[2400];
  snprintf(sql, sizeof sql, "SELECT %s%s WHERE %s ORDER BY d.policy, d.entity_kind, d.entity_id", DEC_COLS, DEC_FROM, q.where);
  np_stmt_t *st = NULL;
  if (!e) e = np_store_prepare(s, sql, &st, &d);
  int64_t rows = 0;
  if (!e) {
    int next;
    np_papi_apply(st, &q.b, &next);
    np_authz_scope_bind(&q.sq, st, next, &next);
    bool has;
    while (!e && !(e = np_store_step(st, &has, &d)) && has) {
      json_t *o = decision_row(st, pkg, as_of);
      const char *cells[] = {json_string_value(json_object_get(o, "policy_zh")), json_string_value(json_object_get(o, "entity")),
                             json_string_value(json_object_get(o, "enterprise_id")), json_string_value(json_object_get(o, "enterprise_name")),
                             json_string_value(json_object_get(o, "region_code")), json_is_true(json_object_get(o, "eligible")) ? "是" : "否"};
      for (size_t c = 0; c < 6 && !e; c++) e = np_xlsxw_text(w, c, cells[c] ? cells[c] : "", &d);
      if (!e) e = np_xlsxw_money(w, 6, json_integer_value(json_object_get(o, "amount_fen")), &d);
      const char *more[] = {json_string_value(json_object_get(o, "reason")), json_string_value(json_object_get(o, "reason_zh")),
                            json_string_value(json_object_get(o, "observed")), json_string_value(json_object_get(o, "threshold")),
                            json_string_value(json_object_get(json_object_get(o, "item"), "state"))};
      for (size_t c = 0; c < 5 && !e; c++) e = np_xlsxw_text(w, 7 + c, more[c] ? more[c] : "", &d);
      if (!e) e = np_xlsxw_end_row(w, &d);
      json_decref(o);
      rows++;
    }
    np_store_release(st);
  }
  np_policy_package_free(pkg);
  if (w) {
    np_err e2 = np_xlsxw_close(w, e ? NULL : &d);
    if (!e) e = e2;
  }
  if (!e) {
    char detail[160], rid[32];
    np_id_format(NP_ID_PRUN, run_id, rid, sizeof rid);
    snprintf(detail, sizeof detail, "run %s rows=%" PRId64, rid, rows);
    np_audit_entry_t a = {.action = "export.policy_decisions", .entity = "policy_run", .entity_id = rid, .detail = detail};
    e = np_audit_from_req_ex(r, &a, NULL, NULL, &d);
  }
  if (e) {
    unlink(path);
    return np_papi_fail(r, e, &d);
  }
  np_papi_send_xlsx(r, path, "policy-decisions.xlsx");
}

/* "spell-345" → kind, id. */
static bool parse_entity(const char *s, char *kind, size_t cap, int64_t *id) {
  const char *dash = s ? strrchr(s, '-') : NULL;
  if (!dash || (size_t)(dash - s) >= cap || dash == s) return false;
  memcpy(kind, s, (size_t)(dash - s));
  kind[dash - s] = '\0';
  return np_policy_kind_find(kind) >= 0 && np_parse_int64(dash + 1, strlen(dash + 1), 1, INT64_MAX, id) == NP_OK;
}

static void text_of_trace(json_t *trace, bool zh, np_buf_t *b) {
  json_t *res = json_object_get(trace, "result");
  bool eligible = json_is_true(json_object_get(res, "eligible"));
  json_t *crits = json_object_get(trace, "criteria");
  size_t i;
  json_t *c;
  json_array_foreach(crits, i, c) {
    const char *msg = json_string_value(json_object_get(c, zh ? "zh" : "en"));
    const char *result = json_string_value(json_object_get(c, "result"));
    const char *obs = json_string_value(json_object_get(c, "observed")), *thr = json_string_value(json_object_get(c, "threshold"));
    bool pass = result && strcmp(result, "pass") == 0;
    if (result && strcmp(result, "pass") && strcmp(result, "fail")) continue; /* not evaluated */
    np_buf_appendf(b, "%s%s", pass ? "✓ " : "✗ ", msg ? msg : "");
    if (obs && thr) np_buf_appendf(b, zh ? "（实际 %s，标准 %s）" : " (observed %s, threshold %s)", obs, thr);
    else if (obs) np_buf_appendf(b, zh ? "（实际 %s）" : " (observed %s)", obs);
    np_buf_append_str(b, zh ? "；" : "; ");
  }
  const char *amt = json_string_value(json_object_get(res, "amount"));
  if (eligible) np_buf_appendf(b, zh ? "结论：符合条件，金额 %s 元。" : "Result: eligible, amount %s yuan.", amt ? amt : "0.00");
  else np_buf_append_str(b, zh ? "结论：不符合条件。" : "Result: not eligible.");
}

static void h_decision_explain(np_req_t *r) {
  int64_t run_id, as_of, ent_id;
  char kind[32], run_policy[64] = "";
  if (!np_papi_path_id(r, "id", NP_ID_PRUN, &run_id)) return;
  if (!parse_entity(np_req_param(r, "entity"), kind, sizeof kind, &ent_id)) return np_resp_error(r, 404, "not_found", NULL, "no such entity");
  np_store_t *s = np_req_store(r);
  if (!s || !run_as_of(r, s, run_id, &as_of, run_policy, sizeof run_policy)) return;
  np_ppackage_t *pkg = np_papi_package(r, s);
  if (!pkg) return;
  const char *policy = np_req_query(r, "policy");
  if (!policy || !*policy) {
    if (strcmp(run_policy, "all") != 0) policy = run_policy;
    else {
      int n = 0;
      for (int i = 0; i < pkg->npolicies; i++)
        if (strcmp(np_policy_kind(pkg->policies[i].entity)->name, kind) == 0) policy = pkg->policies[i].code, n++;
      if (n != 1) {
        np_policy_package_free(pkg);
        return np_resp_error(r, 422, "required", "policy", "name the policy (several evaluate %s)", kind);
      }
    }
  }
  /* the stored decision, in scope */
  np_scope_t sc;
  if (!np_papi_scope(r, &sc)) goto out_pkg;
  np_scope_cols_t cols = {.region = "e.region_code", .enterprise = "d.enterprise_id"};
  np_scope_sql_t sq;
  np_authz_scope_sql(&sc, &cols, &sq);
  char sql[1600];
  snprintf(sql, sizeof sql, "SELECT %s%s WHERE d.run_id = ? AND d.policy = ? AND d.entity_kind = ? AND d.entity_id = ?%s", DEC_COLS, DEC_FROM,
           sq.sql);
  np_stmt_t *st;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  np_err e = np_store_prepare(s, sql, &st, &d);
  if (e) {
    np_papi_fail(r, e, &d);
    goto out_pkg;
  }
  np_store_bind_int64(st, 1, run_id);
  np_store_bind_text(st, 2, policy, NP_STORE_STRLEN);
  np_store_bind_text(st, 3, kind, NP_STORE_STRLEN);
  np_store_bind_int64(st, 4, ent_id);
  int next;
  np_authz_scope_bind(&sq, st, 5, &next);
  bool has;
  json_t *dec = NULL;
  if (!(e = np_store_step(st, &has, &d)) && has) dec = decision_row(st, pkg, as_of);
  np_store_release(st);
  if (e || !dec) {
    if (e) np_papi_fail(r, e, &d);
    else np_resp_error(r, 404, "not_found", NULL, "no such decision");
    goto out_pkg;
  }
  np_buf_t b;
  np_buf_init(&b, 0);
  e = np_policy_explain(s, pkg, policy, ent_id, run_id, &b, &d);
  json_t *ex = e ? NULL : json_loadb(b.data, b.len, 0, NULL);
  np_buf_free(&b);
  if (e || !ex) {
    json_decref(dec);
    if (e) np_papi_fail(r, e, &d);
    else np_resp_error(r, 500, "internal", NULL, "explanation");
    goto out_pkg;
  }
  json_t *trace = json_object_get(ex, "trace");
  json_t *out = json_pack("{s:o,s:O,s:O}", "decision", dec, "inputs_changed", json_object_get(ex, "inputs_changed"), "ruleset_changed",
                          json_object_get(ex, "ruleset_changed"));
  np_buf_t tz, te;
  np_buf_init(&tz, 0);
  np_buf_init(&te, 0);
  text_of_trace(trace, true, &tz);
  text_of_trace(trace, false, &te);
  /* the stored decision also carries limits and caps across entities */
  const char *reason = json_string_value(json_object_get(dec, "reason"));
  if (reason && json_is_true(json_object_get(json_object_get(trace, "result"), "eligible"))) {
    np_buf_appendf(&tz, "但：%s", json_string_value(json_object_get(dec, "reason_zh")));
    np_buf_appendf(&te, " But: %s", json_string_value(json_object_get(dec, "reason_en")));
    const char *comp = json_string_value(json_object_get(dec, "competing"));
    if (comp) np_buf_appendf(&tz, "（%s）", comp), np_buf_appendf(&te, " (%s)", comp);
  }
  json_object_set_new(out, "text_zh", json_string(np_buf_cstr(&tz)));
  json_object_set_new(out, "text_en", json_string(np_buf_cstr(&te)));
  np_buf_free(&tz);
  np_buf_free(&te);
  json_t *crit = json_array();
  size_t i;
  json_t *c;
  json_array_foreach(json_object_get(trace, "criteria"), i, c) {
    const char *res = json_string_value(json_object_get(c, "result"));
    json_t *x = json_pack("{s:O,s:O,s:O,s:o}", "code", json_object_get(c, "code"), "zh", json_object_get(c, "zh"), "en",
                          json_object_get(c, "en"), "passed",
                          res && !strcmp(res, "pass") ? json_true() : res && !strcmp(res, "fail") ? json_false() : json_null());
    json_object_set(x, "observed", json_object_get(c, "observed") ? json_object_get(c, "observed") : json_null());
    json_object_set(x, "threshold", json_object_get(c, "threshold") ? json_object_get(c, "threshold") : json_null());
    json_array_append_new(crit, x);
  }
  json_object_set_new(out, "criteria", crit);
  json_t *params = json_array();
  json_array_foreach(json_object_get(trace, "params"), i, c) {
    json_t *x = json_deep_copy(c);
    const char *nm = json_string_value(json_object_get(c, "name"));
    for (int k = 0; nm && k < pkg->nparams; k++)
      if (strcmp(pkg->params[k].name, nm) == 0) json_object_set_new(x, "zh", json_string(pkg->params[k].zh ? pkg->params[k].zh : ""));
    json_array_append_new(params, x);
  }
  json_object_set_new(out, "parameters", params);
  json_object_set(out, "amount", json_object_get(trace, "amount") ? json_object_get(trace, "amount") : json_null());
  const np_ppolicy_t *pp = np_policy_find(pkg, policy);
  json_object_set_new(out, "legal_reference", json_string(pp && pp->reference ? pp->reference : ""));
  json_object_set(out, "trace", trace);
  json_decref(ex);
  np_resp_json(r, 200, out);
out_pkg:
  np_policy_package_free(pkg);
}

static void h_reasons(np_req_t *r) {
  int64_t run_id, as_of;
  if (!np_papi_path_id(r, "id", NP_ID_PRUN, &run_id)) return;
  np_store_t *s = np_req_store(r);
  if (!s || !run_as_of(r, s, run_id, &as_of, NULL, 0)) return;
  dq_t q;
  if (!decision_filter(r, s, run_id, &q)) return;
  char sql[2400];
  snprintf(sql, sizeof sql, "SELECT d.policy, d.reason, COUNT(*), SUM(d.amount_fen)%s WHERE %s GROUP BY d.policy, d.reason "
           "ORDER BY d.policy, COUNT(*) DESC", DEC_FROM, q.where);
  np_stmt_t *st;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  np_err e = np_store_prepare(s, sql, &st, &d);
  if (e) return np_papi_fail(r, e, &d);
  int next;
  np_papi_apply(st, &q.b, &next);
  np_authz_scope_bind(&q.sq, st, next, &next);
  np_ppackage_t *pkg = np_papi_package(r, s);
  if (!pkg) {
    np_store_release(st);
    return;
  }
  json_t *items = json_array();
  bool has;
  while (!(e = np_store_step(st, &has, &d)) && has) {
    const char *pol = np_store_col_text(st, 0), *reason = np_store_col_text(st, 1), *zh, *en;
    np_papi_reason_text(pkg, pol, as_of, reason, &zh, &en);
    json_t *o = json_pack("{s:s,s:o,s:s,s:s,s:I}", "policy", pol, "reason", reason ? json_string(reason) : json_null(), "zh", zh ? zh : "",
                          "en", en ? en : "", "count", (json_int_t)np_store_col_int64(st, 2));
    np_papi_money(o, "amount", np_store_col_int64(st, 3));
    json_array_append_new(items, o);
  }
  np_store_release(st);
  np_policy_package_free(pkg);
  if (e) {
    json_decref(items);
    return np_papi_fail(r, e, &d);
  }
  np_resp_json(r, 200, json_pack("{s:o}", "items", items));
}

/* ------------------------------------------------------------------ diff */

static void h_diff(np_req_t *r) {
  int64_t a, b, as_a, as_b, limit;
  if (!np_papi_path_id(r, "id", NP_ID_PRUN, &a) || !np_papi_path_id(r, "other", NP_ID_PRUN, &b) || !np_papi_limit(r, &limit)) return;
  np_store_t *s = np_req_store(r);
  if (!s || !run_as_of(r, s, a, &as_a, NULL, 0) || !run_as_of(r, s, b, &as_b, NULL, 0)) return;
  np_scope_t sc;
  if (!np_papi_scope(r, &sc)) return;
  np_scope_cols_t cols = {.region = "e.region_code", .enterprise = "x.enterprise_id"};
  np_scope_sql_t sq;
  np_authz_scope_sql(&sc, &cols, &sq);
  const char *pol = np_req_query(r, "policy"), *change = np_req_query(r, "change");
  if (!pol) pol = "";
  if (!change) change = "";
  if (*change && strcmp(change, "eligibility") && strcmp(change, "amount") && strcmp(change, "reason") && strcmp(change, "added") &&
      strcmp(change, "removed"))
    return np_resp_error(r, 422, "format", "change", "eligibility, amount, reason, added or removed");
  int64_t offset = 0;
  const char *cur = np_req_query(r, "cursor");
  if (cur && *cur && np_parse_int64(cur, strlen(cur), 0, INT64_MAX, &offset)) return np_resp_error(r, 422, "format", "cursor", "bad cursor");
  /* full outer join written portably: a's rows left-joined to b, plus b's rows missing in a */
  char sql[3600];
  static const char CH[] =
      "CASE WHEN pa.entity_id IS NULL THEN 'added' WHEN pb.entity_id IS NULL THEN 'removed' WHEN pa.eligible <> pb.eligible THEN "
      "'eligibility' WHEN pa.amount_fen <> pb.amount_fen THEN 'amount' WHEN COALESCE(pa.reason, '') <> COALESCE(pb.reason, '') THEN "
      "'reason' ELSE '' END";
  snprintf(sql, sizeof sql,
           "SELECT * FROM (SELECT x.policy, x.entity_kind, x.entity_id, x.enterprise_id, e.name, %s AS ch, "
           "pa.eligible, pa.amount_fen, pa.reason, pa.observed, pa.threshold, pb.eligible, pb.amount_fen, pb.reason, pb.observed, pb.threshold "
           "FROM (SELECT policy, entity_kind, entity_id, enterprise_id FROM policy_decisions WHERE run_id = ? UNION "
           "SELECT policy, entity_kind, entity_id, enterprise_id FROM policy_decisions WHERE run_id = ?) x "
           "LEFT JOIN policy_decisions pa ON pa.run_id = ? AND pa.policy = x.policy AND pa.entity_kind = x.entity_kind AND pa.entity_id = x.entity_id "
           "LEFT JOIN policy_decisions pb ON pb.run_id = ? AND pb.policy = x.policy AND pb.entity_kind = x.entity_kind AND pb.entity_id = x.entity_id "
           "LEFT JOIN enterprises e ON e.id = x.enterprise_id WHERE (? = '' OR x.policy = ?)%s) t WHERE t.ch <> '' AND (? = '' OR t.ch = ?) "
           "ORDER BY 1, 2, 3",
           CH, sq.sql);
  np_stmt_t *st;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  np_err e = np_store_prepare(s, sql, &st, &d);
  if (e) return np_papi_fail(r, e, &d);
  np_store_bind_int64(st, 1, a);
  np_store_bind_int64(st, 2, b);
  np_store_bind_int64(st, 3, a);
  np_store_bind_int64(st, 4, b);
  np_store_bind_text(st, 5, pol, NP_STORE_STRLEN);
  np_store_bind_text(st, 6, pol, NP_STORE_STRLEN);
  int next;
  np_authz_scope_bind(&sq, st, 7, &next);
  np_store_bind_text(st, next, change, NP_STORE_STRLEN);
  np_store_bind_text(st, next + 1, change, NP_STORE_STRLEN);
  np_ppackage_t *pkg = np_papi_package(r, s);
  if (!pkg) {
    np_store_release(st);
    return;
  }
  json_t *items = json_array();
  int64_t counts[5] = {0}, row = 0;
  static const char *const kinds[] = {"eligibility", "amount", "reason", "added", "removed"};
  bool has;
  while (!(e = np_store_step(st, &has, &d)) && has) {
    const char *ch = np_store_col_text(st, 5);
    for (int k = 0; k < 5; k++)
      if (!strcmp(ch, kinds[k])) counts[k]++;
    if (row++ < offset || row > offset + limit) continue;
    char ent[64], eid[32];
    snprintf(ent, sizeof ent, "%s-%" PRId64, np_store_col_text(st, 1), np_store_col_int64(st, 2));
    json_t *o = json_pack("{s:s,s:s,s:s}", "policy", np_store_col_text(st, 0), "entity", ent, "change", ch);
    if (np_store_col_is_null(st, 3)) json_object_set_new(o, "enterprise_id", json_null());
    else {
      np_id_format(NP_ID_ENTERPRISE, np_store_col_int64(st, 3), eid, sizeof eid);
      json_object_set_new(o, "enterprise_id", json_string(eid));
    }
    const char *t = np_store_col_text(st, 4);
    json_object_set_new(o, "enterprise_name", t ? json_string(t) : json_null());
    const char *rz[2] = {NULL, NULL}, *re[2] = {NULL, NULL};
    for (int side = 0; side < 2; side++) {
      int c0 = 6 + side * 5;
      if (np_store_col_is_null(st, c0)) {
        json_object_set_new(o, side ? "after" : "before", json_null());
        continue;
      }
      const char *reason = np_store_col_text(st, c0 + 2);
      np_papi_reason_text(pkg, np_store_col_text(st, 0), side ? as_b : as_a, reason, &rz[side], &re[side]);
      json_t *x = json_pack("{s:b,s:o}", "eligible", (int)np_store_col_int64(st, c0), "reason", reason ? json_string(reason) : json_null());
      np_papi_money(x, "amount", np_store_col_int64(st, c0 + 1));
      json_object_set_new(x, "observed", (t = np_store_col_text(st, c0 + 3)) ? json_string(t) : json_null());
      json_object_set_new(x, "threshold", (t = np_store_col_text(st, c0 + 4)) ? json_string(t) : json_null());
      json_object_set_new(o, side ? "after" : "before", x);
    }
    char wz[600], we[600];
    if (!strcmp(ch, "added")) snprintf(wz, sizeof wz, "新增对象"), snprintf(we, sizeof we, "new in the second run");
    else if (!strcmp(ch, "removed")) snprintf(wz, sizeof wz, "第二次运行中不再出现"), snprintf(we, sizeof we, "absent from the second run");
    else if (!strcmp(ch, "eligibility"))
      snprintf(wz, sizeof wz, "资格变化：%s → %s", rz[0] ? rz[0] : "", rz[1] ? rz[1] : ""),
          snprintf(we, sizeof we, "eligibility changed: %s → %s", re[0] ? re[0] : "", re[1] ? re[1] : "");
    else if (!strcmp(ch, "amount"))
      snprintf(wz, sizeof wz, "金额变化：%s → %s 元", json_string_value(json_object_get(json_object_get(o, "before"), "amount")),
               json_string_value(json_object_get(json_object_get(o, "after"), "amount"))),
          snprintf(we, sizeof we, "amount changed: %s → %s yuan", json_string_value(json_object_get(json_object_get(o, "before"), "amount")),
                   json_string_value(json_object_get(json_object_get(o, "after"), "amount")));
    else
      snprintf(wz, sizeof wz, "原因变化：%s → %s", rz[0] ? rz[0] : "", rz[1] ? rz[1] : ""),
          snprintf(we, sizeof we, "reason changed: %s → %s", re[0] ? re[0] : "", re[1] ? re[1] : "");
    json_object_set_new(o, "why_zh", json_string(wz));
    json_object_set_new(o, "why_en", json_string(we));
    json_array_append_new(items, o);
  }
  np_store_release(st);
  np_policy_package_free(pkg);
  if (e) {
    json_decref(items);
    return np_papi_fail(r, e, &d);
  }
  int64_t total = counts[0] + counts[1] + counts[2] + counts[3] + counts[4];
  char nc[32];
  snprintf(nc, sizeof nc, "%" PRId64, offset + limit);
  json_t *sum = json_pack("{s:I,s:I,s:I,s:I,s:I}", "eligibility", (json_int_t)counts[0], "amount", (json_int_t)counts[1], "reason",
                          (json_int_t)counts[2], "added", (json_int_t)counts[3], "removed", (json_int_t)counts[4]);
  json_t *ra = run_load(r, s, a, false);
  if (!ra) {
    json_decref(items);
    json_decref(sum);
    return;
  }
  json_t *rb = run_load(r, s, b, false);
  if (!rb) {
    json_decref(items);
    json_decref(sum);
    json_decref(ra);
    return;
  }
  np_resp_json(r, 200, json_pack("{s:o,s:I,s:o,s:o,s:{s:O,s:O,s:O},s:{s:O,s:O,s:O}}", "items", items, "total", (json_int_t)total,
                                 "next_cursor", offset + limit < total ? json_string(nc) : json_null(), "summary", sum, "a", "id",
                                 json_object_get(ra, "id"), "result_hash", json_object_get(ra, "result_hash"), "input_hash",
                                 json_object_get(ra, "input_hash"), "b", "id", json_object_get(rb, "id"), "result_hash",
                                 json_object_get(rb, "result_hash"), "input_hash", json_object_get(rb, "input_hash")));
  json_decref(ra);
  json_decref(rb);
}

/* ------------------------------------------------------------------ registration */

void np_policy_api_register(np_http_t *h) {
  np_route_opts_t read = {.action = "policy.read"}, run = {.action = "policy.run"}, params = {.action = "policy.params"};
  np_http_route(h, "GET", "/api/v1/policies", h_policies, &read);
  np_http_route(h, "PUT", "/api/v1/policies/params/{name}", h_param_put, &params);
  np_http_route(h, "GET", "/api/v1/policy-budgets", h_budgets, &read);
  np_http_route(h, "PUT", "/api/v1/policy-budgets/{policy}/{year}", h_budget_put, &params);
  np_http_route(h, "GET", "/api/v1/policy-settings", h_settings, &read);
  np_http_route(h, "PUT", "/api/v1/policy-settings/{policy}", h_settings_put, &params);
  np_http_route(h, "POST", "/api/v1/policy-runs", h_run_create, &run);
  np_http_route(h, "GET", "/api/v1/policy-runs", h_runs, &read);
  np_http_route(h, "GET", "/api/v1/policy-runs/{id}", h_run_get, &read);
  np_http_route(h, "GET", "/api/v1/policy-runs/{id}/decisions", h_decisions, &read);
  np_http_route(h, "GET", "/api/v1/policy-runs/{id}/decisions/export", h_decisions_export, &read);
  np_http_route(h, "GET", "/api/v1/policy-runs/{id}/export", h_decisions_export, &read);
  np_http_route(h, "GET", "/api/v1/policy-runs/{id}/decisions/{entity}", h_decision_explain, &read);
  np_http_route(h, "GET", "/api/v1/policy-runs/{id}/reasons", h_reasons, &read);
  np_http_route(h, "GET", "/api/v1/policy-runs/{id}/diff/{other}", h_diff, &read);
  np_policy_api_wf_register(h);
}
