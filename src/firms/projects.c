/* 重大投资项目 (see projects.h). */
#include "firms/projects.h"
#include "firms/dicts.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/ids.h"
#include "core/json.h"
#include "core/str.h"
#include "firms/enterprises.h"
#include "firms/ent_common.h"

const char *const np_firms_project_stages[] = {"planning", "approved", "construction", "commissioning", "production", "suspended", NULL};

#define PRJ_COLS                                                                                                  \
  "p.id, p.name, p.enterprise_id, p.region_code, p.county_code, p.city_code, p.investment_fen, p.planned_start, " \
  "p.planned_production, p.stage, p.is_major, p.version, p.created_at, p.updated_at"

static void col_str(np_stmt_t *st, int col, char *dst, size_t cap) {
  const char *v = np_store_col_text(st, col);
  np_strlcpy(dst, v ? v : "", cap);
}

static void read_row(np_stmt_t *st, np_project_t *p) {
  memset(p, 0, sizeof *p);
  p->id = np_store_col_int64(st, 0);
  col_str(st, 1, p->name, sizeof p->name);
  p->enterprise_id = np_store_col_int64(st, 2);
  col_str(st, 3, p->region_code, sizeof p->region_code);
  col_str(st, 4, p->county_code, sizeof p->county_code);
  col_str(st, 5, p->city_code, sizeof p->city_code);
  p->investment_fen = np_store_col_int64(st, 6);
  col_str(st, 7, p->planned_start, sizeof p->planned_start);
  col_str(st, 8, p->planned_production, sizeof p->planned_production);
  col_str(st, 9, p->stage, sizeof p->stage);
  p->is_major = np_store_col_int64(st, 10) != 0;
  p->version = np_store_col_int64(st, 11);
  col_str(st, 12, p->created_at, sizeof p->created_at);
  col_str(st, 13, p->updated_at, sizeof p->updated_at);
}

np_err np_prj_load(np_store_t *s, int64_t id, np_project_t *out, np_errdetail_t *err) {
  np_stmt_t *st = NULL;
  bool has = false;
  np_err rc = np_store_prepare(s, "SELECT " PRJ_COLS " FROM projects p WHERE p.id = ?", &st, err);
  if (rc) return rc;
  np_store_bind_int64(st, 1, id);
  rc = np_store_step(st, &has, err);
  if (rc == NP_OK && !has) rc = np_fail(err, NP_ERR_NOT_FOUND, "not_found", "", "no such project");
  if (rc == NP_OK) read_row(st, out);
  np_store_release(st);
  return rc;
}

static np_err set_region(const np_ref_t *ref, const char *code, const char *field, np_project_t *p, np_errdetail_t *err) {
  np_firms_ent_region_t r;
  if (!np_firms_ent_region_resolve(ref, code, &r))
    return np_fail(err, NP_ERR_INVALID, "unknown_region", field, "%s must be a known county, township or village code", field);
  np_strlcpy(p->region_code, r.region->code, sizeof p->region_code);
  np_strlcpy(p->county_code, r.county->code, sizeof p->county_code);
  np_strlcpy(p->city_code, r.city->code, sizeof p->city_code);
  return NP_OK;
}

np_err np_prj_apply(np_store_t *s, const np_ref_t *ref, const json_t *in, bool create, np_project_t *p,
                    np_errdetail_t *err) {
  static const char *const keys[] = {"name", "enterprise_id", "region_code", "investment_fen", "planned_start",
                                     "planned_production", "stage", "is_major", "version", NULL};
  np_err rc = np_json_check_keys(in, keys, err);
  if (rc) return rc;
  unsigned req = create ? NP_JSON_REQUIRED : 0;
  const char *name = NULL, *ent = NULL, *region = NULL, *stage = NULL;
  np_json_presence pent = NP_JSON_ABSENT, ps = NP_JSON_ABSENT, pp = NP_JSON_ABSENT;
  np_date_t ds, dp;
  bool major;
  np_json_presence pm = NP_JSON_ABSENT;
  if ((rc = np_json_get_str(in, "name", req, 2, NP_PRJ_NAME_MAX_CHARS, &name, NULL, err)) ||
      (rc = np_json_get_str(in, "enterprise_id", 0, 1, 32, &ent, &pent, err)) ||
      (rc = np_json_get_str(in, "region_code", 0, 6, 12, &region, NULL, err)) ||
      (rc = np_json_get_money(in, "investment_fen", req, 0, INT64_C(1000000000000000000), &p->investment_fen, NULL, err)) ||
      (rc = np_json_get_date(in, "planned_start", 0, &ds, &ps, err)) ||
      (rc = np_json_get_date(in, "planned_production", 0, &dp, &pp, err)) ||
      (rc = np_json_get_str(in, "stage", 0, 1, 16, &stage, NULL, err)) ||
      (rc = np_json_get_bool(in, "is_major", 0, &major, &pm, err)))
    return rc;
  if (name) np_strlcpy(p->name, name, sizeof p->name);
  if (pent == NP_JSON_NULL) p->enterprise_id = 0;
  if (ent) {
    np_errdetail_t d = {0};
    if (np_ent_resolve(s, ent, &p->enterprise_id, &d) != NP_OK)
      return np_fail(err, NP_ERR_INVALID, "unknown_enterprise", "enterprise_id", "no such enterprise");
  }
  if (region) {
    if ((rc = set_region(ref, region, "region_code", p, err))) return rc;
  } else if (ent) {
    np_enterprise_t *e = calloc(1, sizeof *e);
    if (!e) return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
    rc = np_ent_load(s, p->enterprise_id, false, e, err);
    if (!rc) rc = set_region(ref, e->region_code, "enterprise_id", p, err);
    free(e);
    if (rc) return rc;
  } else if (create) {
    return np_fail(err, NP_ERR_INVALID, "required", "region_code", "region_code (or enterprise_id) is required");
  }
  if (ps == NP_JSON_NULL) p->planned_start[0] = '\0';
  if (ps == NP_JSON_PRESENT) np_date_format(ds, p->planned_start, sizeof p->planned_start);
  if (pp == NP_JSON_NULL) p->planned_production[0] = '\0';
  if (pp == NP_JSON_PRESENT) np_date_format(dp, p->planned_production, sizeof p->planned_production);
  if (p->planned_start[0] && p->planned_production[0] && strcmp(p->planned_start, p->planned_production) > 0)
    return np_fail(err, NP_ERR_INVALID, "date_order", "planned_production",
                   "planned_production must not be before planned_start");
  if (stage) {
    bool ok = false;
    for (size_t i = 0; np_firms_project_stages[i]; i++) ok = ok || strcmp(stage, np_firms_project_stages[i]) == 0;
    if (!ok)
      return np_fail(err, NP_ERR_INVALID, "enum", "stage",
                     "stage must be planning, approved, construction, commissioning, production or suspended");
    np_strlcpy(p->stage, stage, sizeof p->stage);
  } else if (create) {
    np_strlcpy(p->stage, "planning", sizeof p->stage);
  }
  if (pm == NP_JSON_PRESENT) p->is_major = major;
  else if (create) p->is_major = true;
  return NP_OK;
}

json_t *np_prj_json(const np_project_t *p) {
  char id[32], eid[32] = "";
  np_id_format(NP_ID_PROJECT, p->id, id, sizeof id);
  if (p->enterprise_id > 0) np_id_format(NP_ID_ENTERPRISE, p->enterprise_id, eid, sizeof eid);
  const np_ref_t *ref = np_ref_global();
  const np_region_t *r = ref ? np_ref_region(ref, p->region_code) : NULL;
  char rn[256] = "";
  if (r) np_firms_ent_region_fullname(r, rn, sizeof rn);
  return json_pack("{s:s, s:s, s:o, s:s, s:o, s:s, s:s, s:I, s:o, s:o, s:s, s:b, s:I, s:s, s:s}", "id", id, "name",
                   p->name, "enterprise_id", eid[0] ? json_string(eid) : json_null(), "region_code", p->region_code,
                   "region_name", rn[0] ? json_string(rn) : json_null(), "county_code", p->county_code, "city_code",
                   p->city_code, "investment_fen", (json_int_t)p->investment_fen, "planned_start",
                   p->planned_start[0] ? json_string(p->planned_start) : json_null(), "planned_production",
                   p->planned_production[0] ? json_string(p->planned_production) : json_null(), "stage", p->stage,
                   "is_major", p->is_major, "version", (json_int_t)p->version, "created_at", p->created_at,
                   "updated_at", p->updated_at);
}

np_err np_prj_save(np_store_t *s, const np_project_t *before, np_project_t *p, int64_t expected_version,
                   const np_audit_entry_t *actor, np_errdetail_t *err) {
  char now[NP_TS_STRLEN], sid[32];
  np_firms_ent_now(now);
  bool create = p->id == 0;
  json_t *jb = NULL, *ja = NULL;
  np_err rc = np_store_begin(s, err);
  if (rc) return rc;
  const char *ps = p->planned_start[0] ? p->planned_start : NULL, *pp = p->planned_production[0] ? p->planned_production : NULL;
  if (create) {
    rc = np_store_queryf_int64(s, &p->id, NULL, err,
                               "INSERT INTO projects (name, enterprise_id, region_code, county_code, city_code, "
                               "investment_fen, planned_start, planned_production, stage, is_major, version, created_at, "
                               "updated_at) VALUES (?, NULLIF(?, 0), ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id",
                               "titttittti" "tt", p->name, p->enterprise_id, p->region_code, p->county_code, p->city_code,
                               p->investment_fen, ps, pp, p->stage, (int64_t)p->is_major, now, now);
    p->version = 1;
    np_strlcpy(p->created_at, now, sizeof p->created_at);
  } else {
    int64_t changed = 0;
    rc = np_store_execf(s, &changed, err,
                        "UPDATE projects SET name = ?, enterprise_id = NULLIF(?, 0), region_code = ?, county_code = ?, city_code = ?, "
                        "investment_fen = ?, planned_start = ?, planned_production = ?, stage = ?, is_major = ?, "
                        "version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
                        "titttitttitii", p->name, p->enterprise_id, p->region_code, p->county_code, p->city_code,
                        p->investment_fen, ps, pp, p->stage, (int64_t)p->is_major, now, p->id, expected_version);
    if (rc == NP_OK && changed == 0)
      rc = np_fail(err, NP_ERR_CONFLICT, "stale", "version", "the project was changed by someone else; reload it");
    p->version = expected_version + 1;
  }
  if (rc) goto out;
  np_strlcpy(p->updated_at, now, sizeof p->updated_at);
  np_id_format(NP_ID_PROJECT, p->id, sid, sizeof sid);
  if ((rc = np_store_change(s, "project", sid, create ? "insert" : "update", NULL, err))) goto out;
  /* a major project puts its enterprise on the green channel (重大项目要素优先保障): it sorts first everywhere */
  if (p->is_major && p->enterprise_id > 0 && strcmp(p->stage, "suspended") != 0) {
    int64_t changed = 0;
    rc = np_store_execf(s, &changed, err,
                        "UPDATE enterprises SET green_channel = 1, version = version + 1, updated_at = ? "
                        "WHERE id = ? AND green_channel = 0", "ti", now, p->enterprise_id);
    char eid[32];
    np_id_format(NP_ID_ENTERPRISE, p->enterprise_id, eid, sizeof eid);
    if (rc == NP_OK && changed > 0) rc = np_store_change(s, "enterprise", eid, "update", NULL, err);
    if (rc) goto out;
  }
  if (actor) {
    jb = before ? np_prj_json(before) : NULL;
    ja = np_prj_json(p);
    rc = np_firms_ent_audit(s, actor, create ? "project.create" : "project.update", "project", sid, jb, ja, NULL, err);
  }
out:
  json_decref(jb);
  json_decref(ja);
  if (rc) {
    np_store_rollback(s);
    return rc;
  }
  return np_store_commit(s, err);
}

np_err np_prj_list(np_store_t *s, const np_prj_filter_t *f, json_t **items, int64_t *total, int64_t *next_after,
                   np_errdetail_t *err) {
  char where[1024] = " WHERE 1 = 1";
  size_t wl = strlen(where);
  const char *binds[8];
  int64_t ibinds[8];
  bool isint[8];
  int nb = 0;
#define ADD(frag) (wl += (size_t)snprintf(where + wl, sizeof where - wl, "%s", frag))
  np_scope_cols_t cols = {.region = "p.region_code", .enterprise = "p.enterprise_id"};
  np_scope_sql_t ss;
  if (np_authz_scope_sql(&f->scope, &cols, &ss) != NP_OK)
    return np_fail(err, NP_ERR_INTERNAL, "scope", "", "cannot express the scope");
  ADD(ss.sql);
  for (int i = 0; i < ss.nbinds; i++) {
    isint[nb] = ss.binds[i].is_int;
    ibinds[nb] = ss.binds[i].i;
    binds[nb++] = ss.binds[i].t;
  }
  char like_region[20], like_q[220];
  if (f->region) {
    char pre[16];
    np_authz_region_prefix(f->region, pre);
    snprintf(like_region, sizeof like_region, "%s%%", pre);
    ADD(" AND p.region_code LIKE ?");
    isint[nb] = false;
    binds[nb++] = like_region;
  }
  if (f->stage) {
    ADD(" AND p.stage = ?");
    isint[nb] = false;
    binds[nb++] = f->stage;
  }
  if (f->enterprise_id > 0) {
    ADD(" AND p.enterprise_id = ?");
    isint[nb] = true;
    ibinds[nb++] = f->enterprise_id;
  }
  if (f->is_major >= 0) ADD(f->is_major ? " AND p.is_major = 1" : " AND p.is_major = 0");
  if (f->q) {
    size_t o = 0, n = strlen(f->q);
    like_q[o++] = '%';
    for (size_t i = 0; i < n && o < sizeof like_q - 3; i++) {
      if (f->q[i] == '%' || f->q[i] == '_' || f->q[i] == '\\') like_q[o++] = '\\';
      like_q[o++] = f->q[i];
    }
    like_q[o++] = '%';
    like_q[o] = '\0';
    ADD(" AND p.name LIKE ? ESCAPE '\\'");
    isint[nb] = false;
    binds[nb++] = like_q;
  }
#undef ADD
  np_stmt_t *st = NULL;
  bool has = false;
  char sql[1400];
  *items = json_array();
  *total = 0;
  *next_after = 0;
  snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM projects p%s", where);
  np_err rc = np_store_prepare(s, sql, &st, err);
  if (rc) goto out;
  for (int i = 0; i < nb; i++)
    isint[i] ? np_store_bind_int64(st, i + 1, ibinds[i]) : np_store_bind_text(st, i + 1, binds[i], NP_STORE_STRLEN);
  if ((rc = np_store_step(st, &has, err))) goto out;
  *total = has ? np_store_col_int64(st, 0) : 0;
  np_store_release(st);
  st = NULL;
  snprintf(sql, sizeof sql, "SELECT " PRJ_COLS " FROM projects p%s AND p.id > ? ORDER BY p.id LIMIT ?", where);
  if ((rc = np_store_prepare(s, sql, &st, err))) goto out;
  for (int i = 0; i < nb; i++)
    isint[i] ? np_store_bind_int64(st, i + 1, ibinds[i]) : np_store_bind_text(st, i + 1, binds[i], NP_STORE_STRLEN);
  np_store_bind_int64(st, nb + 1, f->after_id);
  np_store_bind_int64(st, nb + 2, f->limit + 1);
  int n = 0;
  int64_t last = 0;
  while ((rc = np_store_step(st, &has, err)) == NP_OK && has) {
    if (n == f->limit) {
      *next_after = last;
      break;
    }
    np_project_t p;
    read_row(st, &p);
    json_array_append_new(*items, np_prj_json(&p));
    last = p.id;
    n++;
  }
out:
  np_store_release(st);
  if (rc) {
    json_decref(*items);
    *items = NULL;
  }
  return rc;
}
