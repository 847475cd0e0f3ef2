/*
 * Demand lists, hires, shortage summary and 一企一策 over HTTP. Permissions: demand.read/write,
 * plan.read/write (src/http/authz.c); rows limited by np_authz_scope(…, "demand"): a line or
 * enterprise outside the caller's jurisdiction answers 404 for reads and writes alike.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "audit/audit.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/str.h"
#include "core/xlsxw.h"
#include "firms/api_demands.h"
#include "firms/dem_common.h"
#include "firms/demands.h"
#include "firms/hires.h"
#include "firms/plans.h"
#include "firms/shortage.h"
#include "http/authz.h"

#define EXPORT_MAX_ROWS 1000000

typedef struct ctx {
  np_req_t *r;
  np_store_t *s;
  const np_ref_t *ref;
  const np_principal_t *p;
  np_scope_t scope;
  np_audit_entry_t actor;
  np_date_t today;
  np_errdetail_t err;
} ctx_t;

/* The reference index: normally set at server start; else built once from this request's connection. */
static const np_ref_t *ref_index(np_req_t *r) {
  np_errdetail_t e = {0};
  np_store_t *s = np_ref_global() ? NULL : np_req_store(r);
  const np_ref_t *ref = np_ref_global() ? np_ref_global() : s ? np_ref_shared(s, &e) : NULL;
  if (!ref && s) np_log_error("ref.open", "cannot build the reference index: %s", e.message);
  return ref;
}

/* Common start of every handler: store, reference index, principal, scope, actor, the daily sweep. */
static bool begin(np_req_t *r, ctx_t *c) {
  memset(c, 0, sizeof *c);
  c->r = r;
  c->p = np_req_principal(r);
  if (!c->p) {
    np_resp_error(r, 401, "unauthorized", "", "sign in first");
    return false;
  }
  if (!(c->ref = ref_index(r))) {
    if (!np_req_store(r)) return false;
    np_resp_error(r, 503, "unavailable", "", "reference data is not loaded (run nineplus migrate)");
    return false;
  }
  if (np_authz_scope(c->p, "demand", &c->scope) != NP_OK) {
    np_resp_error(r, 500, "internal", "", "scope");
    return false;
  }
  if (!(c->s = np_req_store(r))) return false;
  np_authz_scope_store(&c->scope, c->s); /* a specialist's single rows: their assignments */
  c->actor.user_id = c->p->user_id;
  c->actor.username = c->p->username;
  c->actor.role = np_role_name(c->p->role);
  c->actor.ip = np_req_ip(r);
  c->actor.request_id = np_req_id(r);
  c->today = np_date_today();
  np_errdetail_t e = {0};
  if (np_firms_demands_expire_daily(c->s, c->today, &e) != NP_OK)
    np_log_warn("firms.expire", "demand expiry sweep failed: %s", e.message);
  return true;
}

static void fail(ctx_t *c, np_err rc) { np_resp_fail(c->r, rc, &c->err); }

static void not_found(ctx_t *c, const char *what) { np_resp_error(c->r, 404, "not_found", "", "no such %s", what); }

/* The enterprise in path parameter {id} (ent_N or USCC), inside the scope; false after answering. */
static bool path_enterprise(ctx_t *c, np_firms_ent_ref_t *e) {
  np_err rc = np_firms_ent_lookup(c->s, np_req_param(c->r, "id"), NULL, e, &c->err);
  if (rc == NP_ERR_NOT_FOUND) {
    not_found(c, "enterprise");
    return false;
  }
  if (rc) {
    fail(c, rc);
    return false;
  }
  if (!np_authz_scope_contains(&c->scope, e->region_code, e->id, NULL, 0)) {
    not_found(c, "enterprise");
    return false;
  }
  return true;
}

/* The demand line in {id}, inside the scope. */
static bool path_demand(ctx_t *c, int64_t *id, np_firms_demand_owner_t *o) {
  if (np_id_parse(NP_ID_DEMAND, np_req_param(c->r, "id"), id) != NP_OK) {
    not_found(c, "demand line");
    return false;
  }
  np_err rc = np_firms_demand_owner(c->s, *id, o, &c->err);
  if (rc == NP_ERR_NOT_FOUND || (rc == NP_OK && !np_authz_scope_contains(&c->scope, o->region_code, o->enterprise_id, NULL, 0))) {
    not_found(c, "demand line");
    return false;
  }
  if (rc) {
    fail(c, rc);
    return false;
  }
  return true;
}

/* ?region=CODE: a known region code → its prefix; must lie inside a region scope (else 404). */
static bool region_param(ctx_t *c, char prefix[16], bool *given) {
  const char *v = np_req_query(c->r, "region");
  prefix[0] = '\0';
  *given = false;
  if (!v || !*v) return true;
  if (!np_authz_region_prefix(v, prefix) || !np_ref_region(c->ref, v)) {
    np_resp_error(c->r, 422, "unknown_region", "region", "region must be a known region code (6, 9 or 12 digits)");
    return false;
  }
  *given = true;
  if (c->scope.kind == NP_SCOPE_REGION || c->scope.kind == NP_SCOPE_ASSIGNED) {
    size_t sn = strlen(c->scope.region_prefix), pn = strlen(prefix);
    if (pn < sn || memcmp(prefix, c->scope.region_prefix, sn) != 0) {
      np_resp_error(c->r, 404, "not_found", "region", "no such region in your jurisdiction");
      return false;
    }
  }
  return true;
}

/* ---- demand lines ---- */

static bool parse_filter(ctx_t *c, np_firms_demand_filter_t *f, char region[16], int64_t force_enterprise) {
  memset(f, 0, sizeof *f);
  f->scope = &c->scope;
  f->is_key = -1;
  f->limit = 20;
  bool given;
  if (!region_param(c, region, &given)) return false;
  if (strlen(region) > 2) f->region_prefix = region;
  const char *v;
  if ((v = np_req_query(c->r, "occupation")) && *v) {
    size_t n = strlen(v);
    for (size_t i = 0; i < n; i++)
      if (!((v[i] >= '0' && v[i] <= '9') || v[i] == '-') || n > 16) {
        np_resp_error(c->r, 422, "format", "occupation", "occupation is a code prefix like 6-18 or 6-18-02-04");
        return false;
      }
    f->occupation_prefix = v;
  }
  int64_t n64;
  if ((v = np_req_query(c->r, "skill_level")) && *v) {
    if (np_parse_int64(v, strlen(v), 1, 8, &n64) != NP_OK) {
      np_resp_error(c->r, 422, "range", "skill_level", "skill_level must be 1 to 8");
      return false;
    }
    f->skill_level = (int)n64;
  }
  if ((v = np_req_query(c->r, "status")) && *v) {
    if (strcmp(v, "active") == 0) {
      f->statuses[0] = "open";
      f->statuses[1] = "partly_filled";
    } else {
      char *copy = np_arena_strdup(np_req_arena(c->r), v), *save = copy;
      int k = 0;
      while (copy && save && *save) {
        char *comma = strchr(save, ',');
        if (comma) *comma = '\0';
        bool ok = false;
        for (size_t i = 0; np_firms_demand_status_values[i]; i++)
          if (strcmp(save, np_firms_demand_status_values[i]) == 0) f->statuses[k] = np_firms_demand_status_values[i], ok = true;
        if (!ok || k == 4) {
          np_resp_error(c->r, 422, "unknown_value", "status",
                        "status must be open, partly_filled, filled, cancelled, expired (comma-separated) or active");
          return false;
        }
        k++;
        save = comma ? comma + 1 : NULL;
      }
    }
  }
  if ((v = np_req_query(c->r, "needed_before")) && *v) {
    if (np_date_parse(v, strlen(v), &f->needed_before) != NP_OK) {
      np_resp_error(c->r, 422, "format", "needed_before", "needed_before must be YYYY-MM-DD");
      return false;
    }
    f->has_needed_before = true;
  }
  if ((v = np_req_query(c->r, "is_key")) && *v) {
    if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0) f->is_key = 1;
    else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0) f->is_key = 0;
    else {
      np_resp_error(c->r, 422, "format", "is_key", "is_key must be true or false");
      return false;
    }
  }
  if (force_enterprise) {
    f->enterprise_id = force_enterprise;
  } else if ((v = np_req_query(c->r, "enterprise")) && *v) {
    np_firms_ent_ref_t e;
    np_err rc = np_firms_ent_lookup(c->s, v, "enterprise", &e, &c->err);
    if (rc == NP_ERR_NOT_FOUND) {
      np_resp_error(c->r, 422, "unknown_enterprise", "enterprise", "enterprise names no enterprise");
      return false;
    }
    if (rc) {
      fail(c, rc);
      return false;
    }
    f->enterprise_id = e.id;
  }
  if ((v = np_req_query(c->r, "limit")) && *v && np_parse_int64(v, strlen(v), 1, 100, &f->limit) != NP_OK) {
    np_resp_error(c->r, 422, "range", "limit", "limit must be an integer from 1 to 100");
    return false;
  }
  if ((v = np_req_query(c->r, "cursor")) && *v && np_parse_int64(v, strlen(v), 1, INT64_MAX, &f->cursor) != NP_OK) {
    np_resp_error(c->r, 422, "format", "cursor", "cursor is not valid");
    return false;
  }
  return true;
}

static void list_lines(ctx_t *c, int64_t enterprise_id) {
  np_firms_demand_filter_t f;
  char region[16];
  if (!parse_filter(c, &f, region, enterprise_id)) return;
  json_t *out = NULL;
  np_err rc = np_firms_demand_list(c->s, c->ref, &f, &out, &c->err);
  if (rc) {
    fail(c, rc);
    return;
  }
  np_resp_json(c->r, 200, out);
}

static void h_ent_list(np_req_t *r) {
  ctx_t c;
  np_firms_ent_ref_t e;
  if (!begin(r, &c) || !path_enterprise(&c, &e)) return;
  list_lines(&c, e.id);
}

static void h_ent_create(np_req_t *r) {
  ctx_t c;
  np_firms_ent_ref_t e;
  if (!begin(r, &c) || !path_enterprise(&c, &e)) return;
  json_t *body = np_req_json(r);
  if (!body) return;
  json_t *out = NULL;
  np_err rc = np_firms_demand_create(c.s, c.ref, &c.actor, &e, body, c.today, NULL, &out, &c.err);
  if (rc) {
    fail(&c, rc);
    return;
  }
  np_resp_json(r, 201, out);
}

static void h_list(np_req_t *r) {
  ctx_t c;
  if (!begin(r, &c)) return;
  list_lines(&c, 0);
}

typedef struct xrow {
  np_xlsxw_t *w;
  np_errdetail_t *err;
  np_err rc;
  int64_t rows;
  bool truncated;
} xrow_t;

static const char *jstr(const json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

static int export_row(const json_t *o, void *arg) {
  xrow_t *x = arg;
  if (x->rows == EXPORT_MAX_ROWS) {
    x->truncated = true;
    return 1;
  }
  char count[24], filled[24], open[24], sl[8] = "", smin[24] = "", smax[24] = "", ages[16] = "";
  snprintf(count, sizeof count, "%" PRId64, (int64_t)json_integer_value(json_object_get(o, "count")));
  snprintf(filled, sizeof filled, "%" PRId64, (int64_t)json_integer_value(json_object_get(o, "filled")));
  snprintf(open, sizeof open, "%" PRId64, (int64_t)json_integer_value(json_object_get(o, "open")));
  if (json_is_integer(json_object_get(o, "skill_level")))
    snprintf(sl, sizeof sl, "%d", (int)json_integer_value(json_object_get(o, "skill_level")));
  if (json_is_integer(json_object_get(o, "salary_min")))
    snprintf(smin, sizeof smin, "%" PRId64, (int64_t)json_integer_value(json_object_get(o, "salary_min")));
  if (json_is_integer(json_object_get(o, "salary_max")))
    snprintf(smax, sizeof smax, "%" PRId64, (int64_t)json_integer_value(json_object_get(o, "salary_max")));
  json_t *a0 = json_object_get(o, "age_min"), *a1 = json_object_get(o, "age_max");
  if (json_is_integer(a0) || json_is_integer(a1)) {
    char lo[8] = "", hi[8] = "";
    if (json_is_integer(a0)) snprintf(lo, sizeof lo, "%d", (int)json_integer_value(a0));
    if (json_is_integer(a1)) snprintf(hi, sizeof hi, "%d", (int)json_integer_value(a1));
    snprintf(ages, sizeof ages, "%s-%s", lo, hi);
  }
  const char *cells[] = {jstr(o, "id"),         jstr(o, "enterprise_id"),   jstr(o, "enterprise_name"),
                         jstr(o, "region_code"), jstr(o, "occupation_code"), jstr(o, "occupation_name"),
                         count,                 filled,                     open,
                         sl,                    smin,                       smax,
                         jstr(o, "education"),  ages,                       jstr(o, "needed_by"),
                         jstr(o, "status"),     json_is_true(json_object_get(o, "public")) ? "1" : "0",
                         jstr(o, "created_at")};
  x->rc = np_xlsxw_row(x->w, cells, sizeof cells / sizeof cells[0], x->err);
  x->rows++;
  return x->rc != NP_OK;
}

static void h_export(np_req_t *r) {
  ctx_t c;
  np_firms_demand_filter_t f;
  char region[16];
  if (!begin(r, &c) || !parse_filter(&c, &f, region, 0)) return;
  static const np_xlsxw_col_t cols[] = {
    {"编号 id", NP_XLSXW_TEXT, 12, NULL, 0},          {"企业ID enterprise id", NP_XLSXW_TEXT, 12, NULL, 0},
    {"企业 enterprise", NP_XLSXW_TEXT, 30, NULL, 0},   {"区划 region", NP_XLSXW_TEXT, 14, NULL, 0},
    {"职业编码 occupation", NP_XLSXW_TEXT, 12, NULL, 0}, {"职业 occupation name", NP_XLSXW_TEXT, 20, NULL, 0},
    {"需求人数 count", NP_XLSXW_NUMBER, 10, NULL, 0},  {"已招 filled", NP_XLSXW_NUMBER, 10, NULL, 0},
    {"缺口 open", NP_XLSXW_NUMBER, 10, NULL, 0},       {"技能等级 skill level", NP_XLSXW_NUMBER, 10, NULL, 0},
    {"月薪下限 salary min", NP_XLSXW_MONEY, 14, NULL, 0}, {"月薪上限 salary max", NP_XLSXW_MONEY, 14, NULL, 0},
    {"学历 education", NP_XLSXW_TEXT, 14, NULL, 0},    {"年龄 age", NP_XLSXW_TEXT, 8, NULL, 0},
    {"需求日期 needed by", NP_XLSXW_DATE, 12, NULL, 0}, {"状态 status", NP_XLSXW_TEXT, 12, NULL, 0},
    {"公开 public", NP_XLSXW_NUMBER, 6, NULL, 0},      {"创建时间 created (UTC)", NP_XLSXW_TEXT, 20, NULL, 0},
  };
  char path[512];
  if (!np_resp_tmpfile(r, "demands", ".xlsx", path, sizeof path)) return;
  xrow_t x = {.err = &c.err};
  np_err rc = np_xlsxw_open(path, "demands", &x.w, &c.err);
  if (rc == NP_OK) rc = np_xlsxw_columns(x.w, cols, sizeof cols / sizeof cols[0], &c.err);
  if (rc == NP_OK) rc = np_firms_demand_each(c.s, c.ref, &f, export_row, &x, &c.err);
  if (rc == NP_OK) rc = x.rc;
  np_err rc2 = np_xlsxw_close(x.w, rc ? NULL : &c.err);
  if (rc == NP_OK) rc = rc2;
  if (rc == NP_OK) {
    char detail[160];
    snprintf(detail, sizeof detail, "rows=%" PRId64 "%s region=%s", x.rows, x.truncated ? " truncated" : "", region);
    np_audit_entry_t e = {.action = "export.demands", .entity = "demand", .detail = detail};
    rc = np_audit_from_req_ex(r, &e, NULL, NULL, &c.err);
  }
  if (rc) {
    unlink(path);
    {
    fail(&c, rc);
    return;
  }
  }
  np_resp_file(r, 200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", path, "demands.xlsx", true);
}

static void h_get(np_req_t *r) {
  ctx_t c;
  int64_t id;
  np_firms_demand_owner_t o;
  if (!begin(r, &c) || !path_demand(&c, &id, &o)) return;
  json_t *out = NULL;
  np_err rc = np_firms_demand_get(c.s, c.ref, id, &out, &c.err);
  if (rc) {
    fail(&c, rc);
    return;
  }
  np_resp_json(r, 200, out);
}

static void h_patch(np_req_t *r) {
  ctx_t c;
  int64_t id;
  np_firms_demand_owner_t o;
  if (!begin(r, &c) || !path_demand(&c, &id, &o)) return;
  json_t *body = np_req_json(r);
  if (!body) return;
  json_t *out = NULL;
  np_err rc = np_firms_demand_patch(c.s, c.ref, &c.actor, id, body, c.today, &out, &c.err);
  if (rc) {
    fail(&c, rc);
    return;
  }
  np_resp_json(r, 200, out);
}

static void h_hires_get(np_req_t *r) {
  ctx_t c;
  int64_t id;
  np_firms_demand_owner_t o;
  if (!begin(r, &c) || !path_demand(&c, &id, &o)) return;
  json_t *out = NULL;
  np_err rc = np_firms_hire_list(c.s, id, &out, &c.err);
  if (rc) {
    fail(&c, rc);
    return;
  }
  np_resp_json(r, 200, out);
}

static void h_hires_post(np_req_t *r) {
  ctx_t c;
  int64_t id;
  np_firms_demand_owner_t o;
  if (!begin(r, &c) || !path_demand(&c, &id, &o)) return;
  json_t *body = np_req_json(r);
  if (!body) return;
  json_t *out = NULL;
  np_err rc = np_firms_hire_record(c.s, c.ref, &c.actor, id, body, c.today, &out, &c.err);
  if (rc) {
    fail(&c, rc);
    return;
  }
  np_resp_json(r, 201, out);
}

static void h_history(np_req_t *r) {
  ctx_t c;
  int64_t id;
  np_firms_demand_owner_t o;
  if (!begin(r, &c) || !path_demand(&c, &id, &o)) return;
  json_t *items = NULL;
  np_err rc = np_firms_demand_history(c.s, id, &items, &c.err);
  if (rc) {
    fail(&c, rc);
    return;
  }
  np_resp_json(r, 200, json_pack("{s:o}", "items", items));
}

/* ---- shortage ---- */

static void h_shortage(np_req_t *r) {
  ctx_t c;
  if (!begin(r, &c)) return;
  np_shortage_query_t q = {0};
  char region[16];
  bool given;
  if (np_firms_shortage_group_parse(np_req_query(r, "group"), &q.group) != NP_OK) {
    np_resp_error(r, 422, "unknown_value", "group", "group must be occupation, skill_level, region or industry");
    return;
  }
  if (!region_param(&c, region, &given)) return;
  /* aggregates: a specialist sees the shortage of their region, not only of their enterprises */
  if (!given && (c.scope.kind == NP_SCOPE_REGION || c.scope.kind == NP_SCOPE_ASSIGNED))
    np_strlcpy(region, c.scope.region_prefix, sizeof region);
  if (c.scope.kind == NP_SCOPE_NONE) {
    not_found(&c, "region");
    return;
  }
  const char *ev = np_req_query(r, "enterprise");
  if (c.scope.kind == NP_SCOPE_ENTERPRISE) q.enterprise_id = c.scope.enterprise_id;
  if (ev && *ev) {
    np_firms_ent_ref_t e;
    np_err rc = np_firms_ent_lookup(c.s, ev, "enterprise", &e, &c.err);
    if (rc == NP_ERR_NOT_FOUND || (rc == NP_OK && !np_authz_scope_contains(&c.scope, e.region_code, e.id, NULL, 0)))
      {
    not_found(&c, "enterprise");
    return;
  }
    if (rc) {
    fail(&c, rc);
    return;
  }
    q.enterprise_id = e.id;
  }
  q.region_prefix = strlen(region) > 2 ? region : "";
  json_t *out = NULL;
  np_err rc = np_firms_shortage(c.s, c.ref, &q, &out, &c.err);
  if (rc) {
    fail(&c, rc);
    return;
  }
  if (q.enterprise_id) {
    char eid[32];
    json_object_set_new(out, "enterprise_id", json_string(np_id_format(NP_ID_ENTERPRISE, q.enterprise_id, eid, sizeof eid)));
  }
  np_resp_json(r, 200, out);
}

/* ---- plans ---- */

static void h_plan_get(np_req_t *r) {
  ctx_t c;
  np_firms_ent_ref_t e;
  if (!begin(r, &c) || !path_enterprise(&c, &e)) return;
  json_t *out = NULL;
  np_err rc = np_firms_plan_get(c.s, c.ref, &e, c.today, &out, &c.err);
  if (rc) {
    fail(&c, rc);
    return;
  }
  np_resp_json(r, 200, out);
}

static void h_plan_post(np_req_t *r) {
  ctx_t c;
  np_firms_ent_ref_t e;
  if (!begin(r, &c) || !path_enterprise(&c, &e)) return;
  json_t *body = np_req_json(r);
  if (!body) return;
  json_t *out = NULL;
  np_err rc = np_firms_measure_create(c.s, c.ref, &c.actor, &e, body, c.today, &out, &c.err);
  if (rc) {
    fail(&c, rc);
    return;
  }
  np_resp_json(r, 201, out);
}

static void h_measure_patch(np_req_t *r) {
  ctx_t c;
  if (!begin(r, &c)) return;
  int64_t id = 0, ent = 0;
  char region[16];
  if (np_id_parse(NP_ID_MEASURE, np_req_param(r, "id"), &id) != NP_OK) {
    not_found(&c, "measure");
    return;
  }
  np_err rc = np_firms_measure_owner(c.s, id, &ent, region, &c.err);
  if (rc == NP_ERR_NOT_FOUND || (rc == NP_OK && !np_authz_scope_contains(&c.scope, region, ent, NULL, 0)))
    {
    not_found(&c, "measure");
    return;
  }
  if (rc) {
    fail(&c, rc);
    return;
  }
  json_t *body = np_req_json(r);
  if (!body) return;
  json_t *out = NULL;
  rc = np_firms_measure_patch(c.s, c.ref, &c.actor, id, body, c.today, &out, &c.err);
  if (rc) {
    fail(&c, rc);
    return;
  }
  np_resp_json(r, 200, out);
}

static void h_overdue(np_req_t *r) {
  ctx_t c;
  char region[16];
  bool given;
  if (!begin(r, &c)) return;
  /* ?region= names the owner bureau's area; it need not be inside the caller's scope (rows are) */
  const char *v = np_req_query(r, "region");
  region[0] = '\0';
  if (v && *v && (!np_authz_region_prefix(v, region) || !np_ref_region(c.ref, v))) {
    np_resp_error(r, 422, "unknown_region", "region", "region must be a known region code");
    return;
  }
  (void)given;
  json_t *out = NULL;
  np_err rc = np_firms_plans_overdue(c.s, c.ref, &c.scope, strlen(region) > 2 ? region : "", c.today, &out, &c.err);
  if (rc) {
    fail(&c, rc);
    return;
  }
  np_resp_json(r, 200, out);
}

void np_firms_demands_api_register(np_http_t *h) {
  np_route_opts_t rd = {.action = "demand.read"}, wr = {.action = "demand.write"}, prd = {.action = "plan.read"},
                  pwr = {.action = "plan.write"};
  np_http_route(h, "GET", "/api/v1/enterprises/{id}/demands", h_ent_list, &rd);
  np_http_route(h, "POST", "/api/v1/enterprises/{id}/demands", h_ent_create, &wr);
  np_http_route(h, "GET", "/api/v1/demands", h_list, &rd);
  np_http_route(h, "GET", "/api/v1/demands/export", h_export, &rd);
  np_http_route(h, "GET", "/api/v1/demands/{id}", h_get, &rd);
  np_http_route(h, "PATCH", "/api/v1/demands/{id}", h_patch, &wr);
  np_http_route(h, "GET", "/api/v1/demands/{id}/hires", h_hires_get, &rd);
  np_http_route(h, "POST", "/api/v1/demands/{id}/hires", h_hires_post, &wr);
  np_http_route(h, "GET", "/api/v1/demands/{id}/history", h_history, &rd);
  np_http_route(h, "GET", "/api/v1/shortage", h_shortage, &rd);
  np_http_route(h, "GET", "/api/v1/enterprises/{id}/plan", h_plan_get, &prd);
  np_http_route(h, "POST", "/api/v1/enterprises/{id}/plan", h_plan_post, &pwr);
  np_http_route(h, "PATCH", "/api/v1/plan-measures/{id}", h_measure_patch, &pwr);
  np_http_route(h, "GET", "/api/v1/plans/overdue", h_overdue, &prd);
}
