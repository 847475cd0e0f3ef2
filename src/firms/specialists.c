/* Specialists (专员), one-to-one assignments, "my enterprises" and the coverage report. */
#include "firms/specialists.h"
#include "firms/dicts.h"
#include "firms/ent_common.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/date.h"
#include "core/ids.h"
#include "core/json.h"
#include "core/str.h"
#include "core/valid.h"

static json_t *text_or_null(np_stmt_t *st, int col) {
  const char *s = np_store_col_text(st, col);
  return s ? json_string(s) : json_null();
}

static json_t *id_json(const char *prefix, np_stmt_t *st, int col) {
  char b[32];
  if (np_store_col_is_null(st, col)) return json_null();
  return json_string(np_id_format(prefix, np_store_col_int64(st, col), b, sizeof b));
}

/* One column of a JSON list row: type 'e' (id with prefix), 't' (text or null), 'i' (integer). */
typedef struct list_col {
  const char *name;
  char type;
  const char *prefix;
} list_col_t;

/* Runs sql (binds: like, the scope fragment, limit) and turns each row into an object by cols. */
static np_err rows_json(np_store_t *s, const char *sql, const char *like, const np_scope_sql_t *scope, int64_t limit,
                        const list_col_t *cols, int ncols, json_t **out, np_errdetail_t *err) {
  np_stmt_t *st = NULL;
  int idx = 0;
  bool has = false;
  *out = NULL;
  np_err rc = np_store_prepare(s, sql, &st, err);
  if (rc) return rc;
  np_store_bind_text(st, 1, like, NP_STORE_STRLEN);
  np_authz_scope_bind(scope, st, 2, &idx);
  np_store_bind_int64(st, idx, limit);
  json_t *list = json_array();
  while ((rc = np_store_step(st, &has, err)) == NP_OK && has) {
    json_t *o = json_object();
    for (int i = 0; i < ncols; i++)
      json_object_set_new(o, cols[i].name,
                          cols[i].type == 'e'   ? id_json(cols[i].prefix, st, i)
                          : cols[i].type == 'i' ? json_integer(np_store_col_int64(st, i))
                                                : text_or_null(st, i));
    json_array_append_new(list, o);
  }
  np_store_release(st);
  if (rc) {
    json_decref(list);
    return rc;
  }
  *out = list;
  return NP_OK;
}

static void copy_col(char *dst, size_t cap, np_stmt_t *st, int col) {
  const char *v = np_store_col_text(st, col);
  np_strlcpy(dst, v ? v : "", cap);
}

/* ---- targets ---- */

const char *const np_firms_target_kinds[] = {"enterprise", "zone", "project", NULL};
static const char *const kind_prefix[] = {NP_ID_ENTERPRISE, NP_ID_ZONE, NP_ID_PROJECT};

bool np_firms_target_kind_parse(const char *s, np_firms_target_kind *out) {
  for (int i = 0; s && i < 3; i++)
    if (strcmp(s, np_firms_target_kinds[i]) == 0) {
      *out = (np_firms_target_kind)i;
      return true;
    }
  return false;
}

const char *np_firms_target_kind_name(np_firms_target_kind k) {
  return (int)k >= 0 && k <= NP_FIRMS_TARGET_PROJECT ? np_firms_target_kinds[k] : "";
}

np_err np_firms_target_resolve(const np_firms_ctx_t *c, np_firms_target_kind kind, const char *ref,
                               np_firms_target_t *out, np_errdetail_t *err) {
  memset(out, 0, sizeof *out);
  out->kind = kind;
  int64_t id = 0;
  bool by_uscc = false;
  char uscc[19] = "";
  if (!ref || np_id_parse(kind_prefix[kind], ref, &id) != NP_OK) {
    np_uscc_info_t ui;
    np_errdetail_t ignore = {0};
    if (kind == NP_FIRMS_TARGET_ENTERPRISE && ref && np_valid_uscc(ref, strlen(ref), 0, &ui, &ignore) == NP_OK) {
      by_uscc = true;
      memcpy(uscc, ui.normalized, sizeof uscc);
    } else {
      return np_fail(err, NP_ERR_NOT_FOUND, "not_found", "target_id", "no such %s", np_firms_target_kinds[kind]);
    }
  }
  const char *sql = NULL;
  switch (kind) {
  case NP_FIRMS_TARGET_ENTERPRISE:
    sql = by_uscc ? "SELECT id, name, region_code, county_code, city_code, is_key FROM enterprises WHERE uscc = ?"
                  : "SELECT id, name, region_code, county_code, city_code, is_key FROM enterprises WHERE id = ?";
    break;
  case NP_FIRMS_TARGET_PROJECT:
    sql = "SELECT id, name, region_code, county_code, city_code, is_major FROM projects WHERE id = ?";
    break;
  case NP_FIRMS_TARGET_ZONE:
    sql = "SELECT id, name, region_code, region_code, city_code, 1 FROM dev_zones WHERE id = ?";
    break;
  }
  np_stmt_t *st = NULL;
  bool has = false;
  np_err rc = np_store_prepare(c->s, sql, &st, err);
  if (rc) return rc;
  if (by_uscc) np_store_bind_text(st, 1, uscc, NP_STORE_STRLEN);
  else np_store_bind_int64(st, 1, id);
  rc = np_store_step(st, &has, err);
  if (rc == NP_OK && has) {
    out->id = np_store_col_int64(st, 0);
    copy_col(out->name, sizeof out->name, st, 1);
    copy_col(out->region_code, sizeof out->region_code, st, 2);
    copy_col(out->county_code, sizeof out->county_code, st, 3);
    copy_col(out->city_code, sizeof out->city_code, st, 4);
    out->is_key = np_store_col_int64(st, 5) != 0;
  }
  np_store_release(st);
  if (rc) return rc;
  if (!has || !np_firms_visible(c, out->region_code))
    return np_fail(err, NP_ERR_NOT_FOUND, "not_found", "target_id", "no such %s", np_firms_target_kinds[kind]);
  return NP_OK;
}

np_err np_firms_enterprise_resolve(const np_firms_ctx_t *c, const char *ref, np_firms_target_t *out,
                                   np_errdetail_t *err) {
  np_err rc = np_firms_target_resolve(c, NP_FIRMS_TARGET_ENTERPRISE, ref, out, err);
  if (rc == NP_ERR_NOT_FOUND) np_fail(err, rc, "not_found", "id", "no such enterprise");
  return rc;
}

/* ---- specialists ---- */

#define SPC_COLS                                                                                                     \
  "s.id, s.user_id, s.team_id, s.name, s.phone_sealed, s.phone_masked, s.region_code, s.county_code, s.city_code, " \
  "s.active, s.created_at, s.updated_at, "                                                                          \
  "(SELECT COUNT(*) FROM specialist_assignments a WHERE a.specialist_id = s.id AND a.until IS NULL), "              \
  "(SELECT u.username FROM users u WHERE u.id = s.user_id), (SELECT t.name FROM service_teams t WHERE t.id = s.team_id)"

static json_t *spc_row(const np_firms_ctx_t *c, np_stmt_t *st, bool full) {
  json_t *o = json_object();
  json_object_set_new(o, "id", id_json(NP_ID_SPECIALIST, st, 0));
  json_object_set_new(o, "user_id", id_json(NP_ID_USER, st, 1));
  json_object_set_new(o, "username", text_or_null(st, 13));
  json_object_set_new(o, "team_id", id_json(NP_ID_TEAM, st, 2));
  json_object_set_new(o, "team_name", text_or_null(st, 14));
  json_object_set_new(o, "name", text_or_null(st, 3));
  if (full) json_object_set_new(o, "phone", np_firms_phone_json(c, np_store_col_text(st, 4), np_store_col_text(st, 5)));
  else {
    const char *m = np_store_col_text(st, 5);
    json_object_set_new(o, "phone", m ? json_string(m) : json_null());
  }
  const char *rc = np_store_col_text(st, 6);
  json_object_set_new(o, "region_code", json_string(rc ? rc : ""));
  const np_region_t *reg = c->ref && rc ? np_ref_region(c->ref, rc) : NULL;
  json_object_set_new(o, "region_name", reg ? json_string(reg->name) : json_null());
  json_object_set_new(o, "county_code", text_or_null(st, 7));
  json_object_set_new(o, "city_code", text_or_null(st, 8));
  json_object_set_new(o, "active", json_boolean(np_store_col_int64(st, 9) != 0));
  json_object_set_new(o, "open_assignments", json_integer(np_store_col_int64(st, 12)));
  json_object_set_new(o, "created_at", text_or_null(st, 10));
  json_object_set_new(o, "updated_at", text_or_null(st, 11));
  return o;
}

static np_err spc_load(const np_firms_ctx_t *c, int64_t id, bool full, json_t **out, np_errdetail_t *err) {
  np_stmt_t *st = NULL;
  bool has = false;
  np_err rc = np_store_prepare(c->s, "SELECT " SPC_COLS " FROM specialists s WHERE s.id = ?", &st, err);
  if (rc) return rc;
  np_store_bind_int64(st, 1, id);
  rc = np_store_step(st, &has, err);
  if (rc == NP_OK && (!has || !np_firms_visible(c, np_store_col_text(st, 6))))
    rc = np_fail(err, NP_ERR_NOT_FOUND, "not_found", "id", "no such specialist");
  if (rc == NP_OK) *out = spc_row(c, st, full);
  np_store_release(st);
  return rc;
}

np_err np_firms_specialist_list(const np_firms_ctx_t *c, const char *region, const char *team, int active,
                                const np_firms_page_t *pg, json_t **out, np_errdetail_t *err) {
  int64_t limit, after, team_id = 0;
  np_err rc = np_firms_page_parse(pg, &limit, &after, err);
  if (rc) return rc;
  char prefix[16] = "", like[24];
  if (region && *region && (!np_authz_region_prefix(region, prefix) || (c->ref && !np_ref_region(c->ref, region))))
    return np_fail(err, NP_ERR_INVALID, "unknown_region", "region", "region is not a known region code");
  if (team && *team && np_id_parse(NP_ID_TEAM, team, &team_id) != NP_OK)
    return np_fail(err, NP_ERR_INVALID, "format", "team", "team must be a team id");
  snprintf(like, sizeof like, "%s%%", prefix);
  np_scope_sql_t q;
  if ((rc = np_firms_scope_where(c, "s.region_code", &q))) return np_fail(err, rc, "internal", "", "scope");
  char where[400], sql[1400];
  snprintf(where, sizeof where, " WHERE s.region_code LIKE ? AND (? = 0 OR s.team_id = ?) AND (? < 0 OR s.active = ?)%s",
           q.sql);
  json_t *items = json_array();
  np_stmt_t *st = NULL;
  bool has, more = false;
  int64_t total = 0, last = 0, n = 0;
  int idx;
  for (int pass = 0; pass < 2; pass++) {
    if (pass == 0) snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM specialists s%s", where);
    else snprintf(sql, sizeof sql, "SELECT " SPC_COLS " FROM specialists s%s AND s.id > ? ORDER BY s.id LIMIT ?", where);
    if ((rc = np_store_prepare(c->s, sql, &st, err))) goto out;
    np_store_bind_text(st, 1, like, NP_STORE_STRLEN);
    np_store_bind_int64(st, 2, team_id);
    np_store_bind_int64(st, 3, team_id);
    np_store_bind_int64(st, 4, active);
    np_store_bind_int64(st, 5, active);
    np_authz_scope_bind(&q, st, 6, &idx);
    if (pass == 0) {
      if ((rc = np_store_step(st, &has, err))) goto out;
      total = has ? np_store_col_int64(st, 0) : 0;
      np_store_release(st);
      st = NULL;
      continue;
    }
    np_store_bind_int64(st, idx, after);
    np_store_bind_int64(st, idx + 1, limit + 1);
    while ((rc = np_store_step(st, &has, err)) == NP_OK && has) {
      if (n == limit) {
        more = true;
        break;
      }
      last = np_store_col_int64(st, 0);
      json_array_append_new(items, spc_row(c, st, false));
      n++;
    }
  }
out:
  np_store_release(st);
  if (rc) {
    json_decref(items);
    return rc;
  }
  *out = np_firms_envelope(items, total, more ? last : 0);
  return NP_OK;
}

np_err np_firms_specialist_get(const np_firms_ctx_t *c, int64_t id, json_t **out, np_errdetail_t *err) {
  return spc_load(c, id, true, out, err);
}

np_err np_firms_specialist_of_user(np_store_t *s, int64_t user_id, int64_t *id, np_errdetail_t *err) {
  bool found = false;
  np_err rc = np_store_queryf_int64(s, id, &found, err, "SELECT id FROM specialists WHERE user_id = ?", "i", user_id);
  if (rc == NP_OK && !found) *id = 0;
  return rc;
}

/* Validated fields of a create or patch. */
typedef struct spc_in {
  const char *name, *phone, *region, *team, *user, *username;
  np_json_presence p_phone, p_team, p_user, p_username;
  bool active;
  np_json_presence p_active;
  /* derived */
  const np_region_t *reg;
  int64_t team_id, user_id;
  char *sealed;
  char bidx[65], masked[16];
} spc_in_t;

static np_err spc_parse(const np_firms_ctx_t *c, const json_t *in, bool create, spc_in_t *x, np_errdetail_t *err) {
  static const char *const keys[] = {"name", "phone", "region_code", "team_id", "user_id", "username", "active", NULL};
  memset(x, 0, sizeof *x);
  unsigned req = create ? NP_JSON_REQUIRED : 0;
  np_err rc;
  if ((rc = np_json_check_keys(in, keys, err)) || (rc = np_json_get_str(in, "name", req, 1, 64, &x->name, NULL, err)) ||
      (rc = np_json_get_str(in, "phone", 0, 0, 20, &x->phone, &x->p_phone, err)) ||
      (rc = np_json_get_str(in, "region_code", req, 6, 12, &x->region, NULL, err)) ||
      (rc = np_json_get_str(in, "team_id", 0, 0, 32, &x->team, &x->p_team, err)) ||
      (rc = np_json_get_str(in, "user_id", 0, 0, 32, &x->user, &x->p_user, err)) ||
      (rc = np_json_get_str(in, "username", 0, 0, 64, &x->username, &x->p_username, err)) ||
      (rc = np_json_get_bool(in, "active", 0, &x->active, &x->p_active, err)))
    return rc;
  if (x->region) {
    x->reg = c->ref ? np_ref_region(c->ref, x->region) : NULL;
    if (!x->reg) return np_fail(err, NP_ERR_INVALID, "unknown_region", "region_code", "region_code is not a known region code");
    if (x->reg->level < NP_REGION_COUNTY)
      return np_fail(err, NP_ERR_INVALID, "region_level", "region_code",
                     "a specialist works in a county, township or village");
    if (!np_firms_visible(c, x->region))
      return np_fail(err, NP_ERR_FORBIDDEN, "outside_jurisdiction", "region_code", "region_code is outside your jurisdiction");
  }
  if (x->team && *x->team) {
    if (np_id_parse(NP_ID_TEAM, x->team, &x->team_id) != NP_OK)
      return np_fail(err, NP_ERR_INVALID, "unknown_team", "team_id", "team_id is not a known team");
  }
  const char *uref = x->user && *x->user ? x->user : NULL;
  if (uref || (x->username && *x->username)) {
    np_stmt_t *st = NULL;
    bool has = false;
    int64_t uid = 0;
    if (uref && np_id_parse(NP_ID_USER, uref, &uid) != NP_OK)
      return np_fail(err, NP_ERR_INVALID, "unknown_user", "user_id", "user_id is not a known user");
    rc = np_store_prepare(c->s, uref ? "SELECT id, role FROM users WHERE id = ?" : "SELECT id, role FROM users WHERE username = ?",
                          &st, err);
    if (rc) return rc;
    if (uref) np_store_bind_int64(st, 1, uid);
    else np_store_bind_text(st, 1, x->username, NP_STORE_STRLEN);
    rc = np_store_step(st, &has, err);
    bool is_spc = has && np_store_col_text(st, 1) && strcmp(np_store_col_text(st, 1), "specialist") == 0;
    if (has) x->user_id = np_store_col_int64(st, 0);
    np_store_release(st);
    if (rc) return rc;
    const char *f = uref ? "user_id" : "username";
    if (!has) return np_fail(err, NP_ERR_INVALID, "unknown_user", f, "%s is not a known user", f);
    if (!is_spc) return np_fail(err, NP_ERR_INVALID, "user_role", f, "the linked user must have the role specialist");
  }
  /* a masked number ("138****1234") is checked against the stored one by the caller (np_firms_phone_unchanged) */
  if (x->phone && *x->phone && !strchr(x->phone, '*') &&
      (rc = np_firms_phone_seal(x->phone, "phone", &x->sealed, x->bidx, x->masked, err)))
    return rc;
  return NP_OK;
}

/* The team must exist and contain region (6-digit team region as prefix). */
static np_err team_check(const np_firms_ctx_t *c, int64_t team_id, const char *region, np_errdetail_t *err) {
  np_stmt_t *st = NULL;
  bool has = false;
  np_err rc = np_store_prepare(c->s, "SELECT region_code FROM service_teams WHERE id = ?", &st, err);
  if (rc) return rc;
  np_store_bind_int64(st, 1, team_id);
  rc = np_store_step(st, &has, err);
  char prefix[16] = "";
  if (rc == NP_OK && has) np_authz_region_prefix(np_store_col_text(st, 0), prefix);
  np_store_release(st);
  if (rc) return rc;
  if (!has || !prefix[0])
    return np_fail(err, NP_ERR_INVALID, "unknown_team", "team_id", "team_id is not a known team");
  if (strncmp(region, prefix, strlen(prefix)) != 0)
    return np_fail(err, NP_ERR_INVALID, "team_region", "team_id", "the team's region does not contain the specialist's region");
  return NP_OK;
}

np_err np_firms_specialist_create(const np_firms_ctx_t *c, const json_t *in, json_t **out, np_errdetail_t *err) {
  spc_in_t x;
  json_t *after = NULL;
  np_err rc = spc_parse(c, in, true, &x, err);
  size_t keep;
  if (rc == NP_OK) rc = np_firms_phone_unchanged(x.phone, NULL, 0, "phone", &keep, err); /* nothing to keep yet */
  if (rc) goto out;
  const np_region_t *county = np_ref_region_at(x.reg, NP_REGION_COUNTY), *city = np_ref_region_at(x.reg, NP_REGION_CITY);
  if (!county || !city) {
    rc = np_fail(err, NP_ERR_INVALID, "region_level", "region_code", "a specialist works in a county, township or village");
    goto out;
  }
  if ((rc = np_store_begin(c->s, err))) goto out;
  if (x.team_id) {
    if ((rc = team_check(c, x.team_id, x.region, err))) goto fail;
  } else if ((rc = np_firms_team_of_region(c->s, county->code, &x.team_id, err))) {
    goto fail;
  }
  char now[NP_TS_STRLEN];
  np_firms_now(now);
  int64_t id = 0;
  char fmt[16];
  /* NULL for absent team/user */
  snprintf(fmt, sizeof fmt, "%c%cttttttttt", x.user_id ? 'i' : 'n', x.team_id ? 'i' : 'n');
  const char *sql = "INSERT INTO specialists (user_id, team_id, name, phone_sealed, phone_bidx, phone_masked, region_code, "
                    "county_code, city_code, active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) "
                    "RETURNING id";
  const char *bidx = x.sealed ? x.bidx : NULL, *masked = x.sealed ? x.masked : NULL;
  if (x.user_id && x.team_id)
    rc = np_store_queryf_int64(c->s, &id, NULL, err, sql, fmt, x.user_id, x.team_id, x.name, x.sealed, bidx, masked,
                               x.region, county->code, city->code, now, now);
  else if (x.user_id)
    rc = np_store_queryf_int64(c->s, &id, NULL, err, sql, fmt, x.user_id, x.name, x.sealed, bidx, masked, x.region,
                               county->code, city->code, now, now);
  else if (x.team_id)
    rc = np_store_queryf_int64(c->s, &id, NULL, err, sql, fmt, x.team_id, x.name, x.sealed, bidx, masked, x.region,
                               county->code, city->code, now, now);
  else
    rc = np_store_queryf_int64(c->s, &id, NULL, err, sql, fmt, x.name, x.sealed, bidx, masked, x.region, county->code,
                               city->code, now, now);
  if (rc == NP_ERR_CONFLICT) {
    rc = np_fail(err, NP_ERR_CONFLICT, "user_linked", x.username ? "username" : "user_id",
                 "this user is already linked to another specialist");
    goto fail;
  }
  if (rc) goto fail;
  char sid[32];
  np_id_format(NP_ID_SPECIALIST, id, sid, sizeof sid);
  if ((rc = spc_load(c, id, false, &after, err))) goto fail;
  if ((rc = np_firms_record(c, "specialist.create", "specialist", sid, NULL, after, "insert", err))) goto fail;
  if ((rc = np_store_commit(c->s, err))) goto fail;
  goto out;
fail:
  np_store_rollback(c->s);
out:
  free(x.sealed);
  if (rc) json_decref(after);
  else *out = after;
  return rc;
}

np_err np_firms_specialist_update(const np_firms_ctx_t *c, int64_t id, const json_t *patch, json_t **out,
                                  np_errdetail_t *err) {
  spc_in_t x;
  json_t *before = NULL, *after = NULL;
  np_err rc = spc_parse(c, patch, false, &x, err);
  if (rc) goto out;
  if ((rc = np_store_begin(c->s, err))) goto out;
  if ((rc = spc_load(c, id, false, &before, err))) goto fail;
  if (x.p_phone != NP_JSON_ABSENT) {
    const char *old_masked = json_string_value(json_object_get(before, "phone"));
    size_t keep;
    if ((rc = np_firms_phone_unchanged(x.phone, &old_masked, 1, "phone", &keep, err))) goto fail;
    if (keep != SIZE_MAX) x.p_phone = NP_JSON_ABSENT; /* the masked value it was shown: unchanged */
  }
  const char *region = x.region ? x.region : json_string_value(json_object_get(before, "region_code"));
  char now[NP_TS_STRLEN];
  np_firms_now(now);
  if (x.reg) {
    const np_region_t *county = np_ref_region_at(x.reg, NP_REGION_COUNTY), *city = np_ref_region_at(x.reg, NP_REGION_CITY);
    if (!county || !city) {
      rc = np_fail(err, NP_ERR_INVALID, "region_level", "region_code", "a specialist works in a county, township or village");
      goto fail;
    }
    if ((rc = np_store_execf(c->s, NULL, err,
                             "UPDATE specialists SET region_code = ?, county_code = ?, city_code = ? WHERE id = ?", "ttti",
                             x.region, county->code, city->code, id)))
      goto fail;
  }
  if (x.name && (rc = np_store_execf(c->s, NULL, err, "UPDATE specialists SET name = ? WHERE id = ?", "ti", x.name, id)))
    goto fail;
  if (x.p_phone != NP_JSON_ABSENT &&
      (rc = np_store_execf(c->s, NULL, err,
                           "UPDATE specialists SET phone_sealed = ?, phone_bidx = ?, phone_masked = ? WHERE id = ?", "ttti",
                           x.sealed, x.sealed ? x.bidx : NULL, x.sealed ? x.masked : NULL, id)))
    goto fail;
  if (x.p_team != NP_JSON_ABSENT) {
    if (x.team_id) {
      if ((rc = team_check(c, x.team_id, region, err)) ||
          (rc = np_store_execf(c->s, NULL, err, "UPDATE specialists SET team_id = ? WHERE id = ?", "ii", x.team_id, id)))
        goto fail;
    } else if ((rc = np_store_execf(c->s, NULL, err, "UPDATE specialists SET team_id = NULL WHERE id = ?", "i", id))) {
      goto fail;
    }
  }
  if (x.p_user != NP_JSON_ABSENT || x.p_username != NP_JSON_ABSENT) {
    if (x.user_id) rc = np_store_execf(c->s, NULL, err, "UPDATE specialists SET user_id = ? WHERE id = ?", "ii", x.user_id, id);
    else rc = np_store_execf(c->s, NULL, err, "UPDATE specialists SET user_id = NULL WHERE id = ?", "i", id);
    if (rc == NP_ERR_CONFLICT)
      rc = np_fail(err, NP_ERR_CONFLICT, "user_linked", "user_id", "this user is already linked to another specialist");
    if (rc) goto fail;
  }
  if (x.p_active == NP_JSON_PRESENT) {
    if (!x.active && json_integer_value(json_object_get(before, "open_assignments")) > 0) {
      rc = np_fail(err, NP_ERR_CONFLICT, "has_assignments", "active",
                   "end this specialist's assignments before deactivating");
      goto fail;
    }
    if ((rc = np_store_execf(c->s, NULL, err, "UPDATE specialists SET active = ? WHERE id = ?", "ii",
                             (int64_t)(x.active ? 1 : 0), id)))
      goto fail;
  }
  if ((rc = np_store_execf(c->s, NULL, err, "UPDATE specialists SET updated_at = ? WHERE id = ?", "ti", now, id))) goto fail;
  if ((rc = spc_load(c, id, false, &after, err))) goto fail;
  char sid[32];
  np_id_format(NP_ID_SPECIALIST, id, sid, sizeof sid);
  if ((rc = np_firms_record(c, "specialist.update", "specialist", sid, before, after, "update", err))) goto fail;
  if ((rc = np_store_commit(c->s, err))) goto fail;
  goto out;
fail:
  np_store_rollback(c->s);
out:
  free(x.sealed);
  json_decref(before);
  if (rc) json_decref(after);
  else *out = after;
  return rc;
}

/* ---- assignments ---- */

#define ASG_COLS                                                                                                    \
  "a.id, a.specialist_id, a.target_kind, a.target_id, a.region_code, a.since, a.until, a.created_at, a.ended_at, " \
  "(SELECT s.name FROM specialists s WHERE s.id = a.specialist_id), "                                            \
  "CASE a.target_kind WHEN 'enterprise' THEN (SELECT e.name FROM enterprises e WHERE e.id = a.target_id) "        \
  "WHEN 'project' THEN (SELECT p.name FROM projects p WHERE p.id = a.target_id) "                                \
  "ELSE (SELECT z.name FROM dev_zones z WHERE z.id = a.target_id) END"

static json_t *asg_row(np_stmt_t *st) {
  json_t *o = json_object();
  json_object_set_new(o, "id", id_json(NP_FIRMS_ID_ASSIGNMENT, st, 0));
  json_object_set_new(o, "specialist_id", id_json(NP_ID_SPECIALIST, st, 1));
  json_object_set_new(o, "specialist_name", text_or_null(st, 9));
  const char *kind = np_store_col_text(st, 2);
  np_firms_target_kind k = NP_FIRMS_TARGET_ENTERPRISE;
  np_firms_target_kind_parse(kind, &k);
  json_object_set_new(o, "target_kind", json_string(kind ? kind : ""));
  json_object_set_new(o, "target_id", id_json(kind_prefix[k], st, 3));
  json_object_set_new(o, "target_name", text_or_null(st, 10));
  json_object_set_new(o, "region_code", text_or_null(st, 4));
  json_object_set_new(o, "since", text_or_null(st, 5));
  json_object_set_new(o, "until", text_or_null(st, 6));
  json_object_set_new(o, "active", json_boolean(np_store_col_is_null(st, 6)));
  json_object_set_new(o, "created_at", text_or_null(st, 7));
  json_object_set_new(o, "ended_at", text_or_null(st, 8));
  return o;
}

static np_err asg_load(const np_firms_ctx_t *c, int64_t id, json_t **out, np_errdetail_t *err) {
  np_stmt_t *st = NULL;
  bool has = false;
  np_err rc = np_store_prepare(c->s, "SELECT " ASG_COLS " FROM specialist_assignments a WHERE a.id = ?", &st, err);
  if (rc) return rc;
  np_store_bind_int64(st, 1, id);
  rc = np_store_step(st, &has, err);
  if (rc == NP_OK && (!has || !np_firms_visible(c, np_store_col_text(st, 4))))
    rc = np_fail(err, NP_ERR_NOT_FOUND, "not_found", "id", "no such assignment");
  if (rc == NP_OK) *out = asg_row(st);
  np_store_release(st);
  return rc;
}

np_err np_firms_assignment_list(const np_firms_ctx_t *c, int64_t specialist_id, const np_firms_page_t *pg,
                                json_t **out, np_errdetail_t *err) {
  int64_t limit, after;
  json_t *spc = NULL;
  np_err rc = np_firms_page_parse(pg, &limit, &after, err);
  if (rc) return rc;
  if ((rc = spc_load(c, specialist_id, false, &spc, err))) return rc;
  json_decref(spc);
  json_t *items = json_array();
  np_stmt_t *st = NULL;
  bool has, more = false;
  int64_t total = 0, n = 0, last = 0;
  if ((rc = np_store_queryf_int64(c->s, &total, NULL, err,
                                  "SELECT COUNT(*) FROM specialist_assignments WHERE specialist_id = ?", "i", specialist_id)))
    goto out;
  if ((rc = np_store_prepare(c->s,
                             "SELECT " ASG_COLS " FROM specialist_assignments a WHERE a.specialist_id = ? AND (? = 0 OR a.id < ?) "
                             "ORDER BY a.id DESC LIMIT ?",
                             &st, err)))
    goto out;
  np_store_bind_int64(st, 1, specialist_id);
  np_store_bind_int64(st, 2, after);
  np_store_bind_int64(st, 3, after);
  np_store_bind_int64(st, 4, limit + 1);
  while ((rc = np_store_step(st, &has, err)) == NP_OK && has) {
    if (n == limit) {
      more = true;
      break;
    }
    last = np_store_col_int64(st, 0);
    json_array_append_new(items, asg_row(st));
    n++;
  }
out:
  np_store_release(st);
  if (rc) {
    json_decref(items);
    return rc;
  }
  *out = np_firms_envelope(items, total, more ? last : 0);
  return NP_OK;
}

np_err np_firms_assign(const np_firms_ctx_t *c, int64_t specialist_id, const json_t *in, json_t **out,
                       np_errdetail_t *err) {
  static const char *const keys[] = {"target_kind", "target_id", "since", NULL};
  const char *kind_s = NULL, *target = NULL;
  np_date_t since = np_date_today();
  json_t *spc = NULL, *after = NULL;
  np_firms_target_kind kind;
  np_firms_target_t t;
  np_err rc;
  if ((rc = np_json_check_keys(in, keys, err)) ||
      (rc = np_json_get_str(in, "target_kind", NP_JSON_REQUIRED, 1, 16, &kind_s, NULL, err)) ||
      (rc = np_json_get_str(in, "target_id", NP_JSON_REQUIRED, 1, 40, &target, NULL, err)) ||
      (rc = np_json_get_date(in, "since", 0, &since, NULL, err)))
    return rc;
  if (!np_firms_target_kind_parse(kind_s, &kind))
    return np_fail(err, NP_ERR_INVALID, "format", "target_kind", "target_kind must be enterprise, zone or project");
  if (since.days > np_date_today().days)
    return np_fail(err, NP_ERR_INVALID, "future_date", "since", "since must not be in the future");
  if ((rc = np_store_begin(c->s, err))) return rc;
  if ((rc = spc_load(c, specialist_id, false, &spc, err))) goto fail;
  if (!json_is_true(json_object_get(spc, "active"))) {
    rc = np_fail(err, NP_ERR_CONFLICT, "inactive", "specialist_id", "this specialist is not active");
    goto fail;
  }
  if ((rc = np_firms_target_resolve(c, kind, target, &t, err))) goto fail;
  char sd[NP_DATE_STRLEN], now[NP_TS_STRLEN];
  np_date_format(since, sd, sizeof sd);
  np_firms_now(now);
  int64_t id = 0;
  int64_t uid = c->actor ? c->actor->user_id : 0;
  rc = np_store_queryf_int64(c->s, &id, NULL, err,
                             "INSERT INTO specialist_assignments (specialist_id, target_kind, target_id, region_code, since, "
                             "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                             "itittit", specialist_id, np_firms_target_kinds[kind], t.id, t.region_code, sd, uid, now);
  if (rc == NP_ERR_CONFLICT) {
    rc = np_fail(err, NP_ERR_CONFLICT, "already_assigned", "target_id",
                 "this %s already has an active specialist; end that assignment first", np_firms_target_kinds[kind]);
    goto fail;
  }
  if (rc) goto fail;
  char sid[32];
  np_id_format(NP_FIRMS_ID_ASSIGNMENT, id, sid, sizeof sid);
  if ((rc = asg_load(c, id, &after, err))) goto fail;
  if ((rc = np_firms_record(c, "assignment.create", "assignment", sid, NULL, after, "insert", err))) goto fail;
  if ((rc = np_store_commit(c->s, err))) goto fail;
  json_decref(spc);
  *out = after;
  return NP_OK;
fail:
  np_store_rollback(c->s);
  json_decref(spc);
  json_decref(after);
  return rc;
}

np_err np_firms_assignment_end(const np_firms_ctx_t *c, int64_t assignment_id, json_t **out, np_errdetail_t *err) {
  json_t *before = NULL, *after = NULL;
  np_err rc = np_store_begin(c->s, err);
  if (rc) return rc;
  if ((rc = asg_load(c, assignment_id, &before, err))) goto fail;
  if (!json_is_true(json_object_get(before, "active"))) {
    rc = np_fail(err, NP_ERR_CONFLICT, "already_ended", "id", "this assignment has already ended");
    goto fail;
  }
  char today[NP_DATE_STRLEN], now[NP_TS_STRLEN];
  np_date_format(np_date_today(), today, sizeof today);
  np_firms_now(now);
  int64_t uid = c->actor ? c->actor->user_id : 0;
  if ((rc = np_store_execf(c->s, NULL, err,
                           "UPDATE specialist_assignments SET until = ?, ended_by = ?, ended_at = ? WHERE id = ? AND until IS NULL",
                           "titi", today, uid, now, assignment_id)))
    goto fail;
  if ((rc = asg_load(c, assignment_id, &after, err))) goto fail;
  char sid[32];
  np_id_format(NP_FIRMS_ID_ASSIGNMENT, assignment_id, sid, sizeof sid);
  if ((rc = np_firms_record(c, "assignment.end", "assignment", sid, before, after, "update", err))) goto fail;
  if ((rc = np_store_commit(c->s, err))) goto fail;
  json_decref(before);
  *out = after;
  return NP_OK;
fail:
  np_store_rollback(c->s);
  json_decref(before);
  json_decref(after);
  return rc;
}

np_err np_firms_specialist_serves(np_store_t *s, int64_t specialist_id, int64_t enterprise_id, bool *yes,
                                  np_errdetail_t *err) {
  int64_t n = 0;
  np_err rc = np_store_queryf_int64(s, &n, NULL, err,
                                    "SELECT COUNT(*) FROM specialist_enterprises WHERE specialist_id = ? AND "
                                    "enterprise_id = ?",
                                    "ii", specialist_id, enterprise_id);
  *yes = rc == NP_OK && n > 0;
  return rc;
}

/* ---- the specialist scope (NP_SCOPE_ASSIGNED of src/http/authz.c) ---- */

static np_err user_serves(np_store_t *s, int64_t user_id, int64_t enterprise_id, bool *yes) {
  int64_t n = 0;
  np_errdetail_t err = {0};
  np_err rc = np_store_queryf_int64(s, &n, NULL, &err,
                                    "SELECT COUNT(*) FROM specialist_enterprises WHERE user_id = ? AND enterprise_id = ?",
                                    "ii", user_id, enterprise_id);
  *yes = rc == NP_OK && n > 0;
  return rc;
}

void np_firms_specialist_scope_register(void) {
  np_authz_set_assignments("SELECT enterprise_id FROM specialist_enterprises WHERE user_id = ?", user_serves);
}

np_err np_firms_specialist_enterprises(const np_firms_ctx_t *c, int64_t specialist_id, const np_firms_page_t *pg,
                                       json_t **out, np_errdetail_t *err) {
  int64_t limit, after;
  np_err rc = np_firms_page_parse(pg, &limit, &after, err);
  if (rc) return rc;
  json_t *items = json_array();
  np_stmt_t *st = NULL;
  bool has, more = false;
  int64_t total = 0, n = 0, last = 0;
  /* every enterprise served: its own assignment, its zone's or a project's (view specialist_enterprises);
   * one row per enterprise, its own assignment first */
  if ((rc = np_store_queryf_int64(c->s, &total, NULL, err,
                                  "SELECT COUNT(DISTINCT enterprise_id) FROM specialist_enterprises WHERE specialist_id = ?",
                                  "i", specialist_id)))
    goto out;
  if ((rc = np_store_prepare(c->s,
                             "SELECT e.id, e.uscc, e.name, e.region_code, e.county_code, e.is_key, e.headcount, "
                             "e.open_openings, v.assignment_id, v.since, (SELECT MAX(l.log_date) FROM service_logs l WHERE "
                             "l.enterprise_id = e.id), v.via FROM (SELECT DISTINCT enterprise_id FROM specialist_enterprises "
                             "WHERE specialist_id = ? AND enterprise_id > ? ORDER BY enterprise_id LIMIT ?) x "
                             "JOIN enterprises e ON e.id = x.enterprise_id "
                             "JOIN specialist_enterprises v ON v.specialist_id = ? AND v.enterprise_id = x.enterprise_id "
                             "ORDER BY e.id, CASE v.via WHEN 'enterprise' THEN 0 WHEN 'zone' THEN 1 ELSE 2 END",
                             &st, err)))
    goto out;
  np_store_bind_int64(st, 1, specialist_id);
  np_store_bind_int64(st, 2, after);
  np_store_bind_int64(st, 3, limit + 1);
  np_store_bind_int64(st, 4, specialist_id);
  while ((rc = np_store_step(st, &has, err)) == NP_OK && has) {
    if (np_store_col_int64(st, 0) == last) continue; /* served twice (own and project …): the first row */
    if (n == limit) {
      more = true;
      break;
    }
    last = np_store_col_int64(st, 0);
    json_t *o = json_object();
    json_object_set_new(o, "id", id_json(NP_ID_ENTERPRISE, st, 0));
    json_object_set_new(o, "via", text_or_null(st, 11));
    json_object_set_new(o, "uscc", text_or_null(st, 1));
    json_object_set_new(o, "name", text_or_null(st, 2));
    json_object_set_new(o, "region_code", text_or_null(st, 3));
    json_object_set_new(o, "county_code", text_or_null(st, 4));
    json_object_set_new(o, "is_key", json_boolean(np_store_col_int64(st, 5) != 0));
    json_object_set_new(o, "headcount", json_integer(np_store_col_int64(st, 6)));
    json_object_set_new(o, "open_openings", json_integer(np_store_col_int64(st, 7)));
    json_object_set_new(o, "assignment_id", id_json(NP_FIRMS_ID_ASSIGNMENT, st, 8));
    json_object_set_new(o, "since", text_or_null(st, 9));
    json_object_set_new(o, "last_service_date", text_or_null(st, 10));
    json_array_append_new(items, o);
    n++;
  }
out:
  np_store_release(st);
  if (rc) {
    json_decref(items);
    return rc;
  }
  *out = np_firms_envelope(items, total, more ? last : 0);
  return NP_OK;
}

/* ---- coverage ---- */

static json_t *county_entry(const np_firms_ctx_t *c, json_t *counties, const char *code) {
  json_t *o = json_object_get(counties, code ? code : "");
  if (o) return o;
  o = json_object();
  const np_region_t *r = c->ref && code ? np_ref_region(c->ref, code) : NULL;
  json_object_set_new(o, "county_code", code ? json_string(code) : json_null());
  json_object_set_new(o, "county_name", r ? json_string(r->name) : json_null());
  json_object_set_new(o, "key_enterprises", json_integer(0));
  json_object_set_new(o, "key_uncovered", json_integer(0));
  json_object_set_new(o, "projects", json_integer(0));
  json_object_set_new(o, "projects_uncovered", json_integer(0));
  json_object_set_new(counties, code ? code : "", o);
  return o;
}

/* Runs a "county, total, uncovered" GROUP BY and adds it to counties[*].<tk>/<uk>; sums into totals. */
static np_err group_counts(const np_firms_ctx_t *c, const char *sql, const char *like, const np_scope_sql_t *q,
                           json_t *counties, const char *tk, const char *uk, int64_t *tot, int64_t *unc,
                           np_errdetail_t *err) {
  np_stmt_t *st = NULL;
  bool has;
  int idx;
  np_err rc = np_store_prepare(c->s, sql, &st, err);
  if (rc) return rc;
  np_store_bind_text(st, 1, like, NP_STORE_STRLEN);
  np_authz_scope_bind(q, st, 2, &idx);
  while ((rc = np_store_step(st, &has, err)) == NP_OK && has) {
    int64_t t = np_store_col_int64(st, 1), u = np_store_col_int64(st, 2);
    *tot += t;
    *unc += u;
    if (!counties) continue;
    json_t *o = county_entry(c, counties, np_store_col_text(st, 0));
    json_object_set_new(o, tk, json_integer(t));
    json_object_set_new(o, uk, json_integer(u));
  }
  np_store_release(st);
  return rc;
}

np_err np_firms_coverage(const np_firms_ctx_t *c, const char *region, int64_t list_limit, json_t **out,
                         np_errdetail_t *err) {
  char prefix[16] = "", like[24], sql[1200];
  if (!region || !*region) region = "370000";
  const np_region_t *reg = c->ref ? np_ref_region(c->ref, region) : NULL;
  if (!np_authz_region_prefix(region, prefix) || (c->ref && !reg))
    return np_fail(err, NP_ERR_INVALID, "unknown_region", "region", "region is not a known region code");
  if (reg && reg->level > NP_REGION_COUNTY)
    return np_fail(err, NP_ERR_INVALID, "region_level", "region", "the coverage report is per province, city or county");
  if (!np_firms_visible(c, region)) return np_fail(err, NP_ERR_NOT_FOUND, "not_found", "region", "region is outside your jurisdiction");
  if (list_limit <= 0 || list_limit > 1000) list_limit = 200;
  snprintf(like, sizeof like, "%s%%", prefix);
  np_scope_sql_t qe, qp, qz, qs;
  np_err rc;
  if ((rc = np_firms_scope_where(c, "e.region_code", &qe)) || (rc = np_firms_scope_where(c, "p.region_code", &qp)) ||
      (rc = np_firms_scope_where(c, "z.region_code", &qz)) || (rc = np_firms_scope_where(c, "s.region_code", &qs)))
    return np_fail(err, rc, "internal", "", "scope");
  json_t *counties = json_object(), *body = json_object(), *list = NULL;
  int64_t key_t = 0, key_u = 0, prj_t = 0, prj_u = 0, zone_t = 0, zone_u = 0, nspc = 0;
  np_stmt_t *st = NULL;
  bool has;
  int idx;
  snprintf(sql, sizeof sql,
           "SELECT e.county_code, COUNT(*), SUM(CASE WHEN a.id IS NULL THEN 1 ELSE 0 END) FROM enterprises e "
           "LEFT JOIN specialist_assignments a ON a.target_kind = 'enterprise' AND a.target_id = e.id AND a.until IS NULL "
           "WHERE e.is_key = 1 AND e.region_code LIKE ?%s GROUP BY e.county_code ORDER BY e.county_code",
           qe.sql);
  if ((rc = group_counts(c, sql, like, &qe, counties, "key_enterprises", "key_uncovered", &key_t, &key_u, err))) goto out;
  snprintf(sql, sizeof sql,
           "SELECT p.county_code, COUNT(*), SUM(CASE WHEN a.id IS NULL THEN 1 ELSE 0 END) FROM projects p "
           "LEFT JOIN specialist_assignments a ON a.target_kind = 'project' AND a.target_id = p.id AND a.until IS NULL "
           "WHERE p.is_major = 1 AND p.region_code LIKE ?%s GROUP BY p.county_code ORDER BY p.county_code",
           qp.sql);
  if ((rc = group_counts(c, sql, like, &qp, counties, "projects", "projects_uncovered", &prj_t, &prj_u, err))) goto out;
  snprintf(sql, sizeof sql,
           "SELECT z.region_code, COUNT(*), SUM(CASE WHEN a.id IS NULL THEN 1 ELSE 0 END) FROM dev_zones z "
           "LEFT JOIN specialist_assignments a ON a.target_kind = 'zone' AND a.target_id = z.id AND a.until IS NULL "
           "WHERE z.region_code LIKE ?%s GROUP BY z.region_code",
           qz.sql);
  if ((rc = group_counts(c, sql, like, &qz, NULL, NULL, NULL, &zone_t, &zone_u, err))) goto out;

  /* uncovered lists */
  static const list_col_t ent_cols[] = {{"id", 'e', NP_ID_ENTERPRISE}, {"uscc", 't', NULL}, {"name", 't', NULL},
                                        {"region_code", 't', NULL}, {"county_code", 't', NULL},
                                        {"headcount", 'i', NULL}};
  static const list_col_t prj_cols[] = {{"id", 'e', NP_ID_PROJECT}, {"name", 't', NULL}, {"region_code", 't', NULL},
                                        {"county_code", 't', NULL}, {"stage", 't', NULL}, {"investment_fen", 'i', NULL}};
  snprintf(sql, sizeof sql,
           "SELECT e.id, e.uscc, e.name, e.region_code, e.county_code, e.headcount FROM enterprises e WHERE e.is_key = 1 "
           "AND e.region_code LIKE ?%s AND NOT EXISTS (SELECT 1 FROM specialist_assignments a WHERE a.target_kind = "
           "'enterprise' AND a.target_id = e.id AND a.until IS NULL) ORDER BY e.county_code, e.id LIMIT ?",
           qe.sql);
  if ((rc = rows_json(c->s, sql, like, &qe, list_limit, ent_cols, 6, &list, err))) goto out;
  json_object_set_new(body, "uncovered_enterprises", list);
  snprintf(sql, sizeof sql,
           "SELECT p.id, p.name, p.region_code, p.county_code, p.stage, p.investment_fen FROM projects p WHERE p.is_major = 1 "
           "AND p.region_code LIKE ?%s AND NOT EXISTS (SELECT 1 FROM specialist_assignments a WHERE a.target_kind = "
           "'project' AND a.target_id = p.id AND a.until IS NULL) ORDER BY p.county_code, p.id LIMIT ?",
           qp.sql);
  if ((rc = rows_json(c->s, sql, like, &qp, list_limit, prj_cols, 6, &list, err))) goto out;
  json_object_set_new(body, "uncovered_projects", list);

  /* workload per specialist */
  list = json_array();
  snprintf(sql, sizeof sql,
           "SELECT s.id, s.name, s.region_code, s.county_code, "
           "SUM(CASE WHEN a.target_kind = 'enterprise' THEN 1 ELSE 0 END), "
           "SUM(CASE WHEN a.target_kind = 'project' THEN 1 ELSE 0 END), "
           "SUM(CASE WHEN a.target_kind = 'zone' THEN 1 ELSE 0 END), COUNT(a.id) FROM specialists s "
           "LEFT JOIN specialist_assignments a ON a.specialist_id = s.id AND a.until IS NULL "
           "WHERE s.active = 1 AND s.region_code LIKE ?%s GROUP BY s.id, s.name, s.region_code, s.county_code "
           "ORDER BY COUNT(a.id) DESC, s.id LIMIT ?",
           qs.sql);
  if ((rc = np_store_prepare(c->s, sql, &st, err))) goto out;
  np_store_bind_text(st, 1, like, NP_STORE_STRLEN);
  np_authz_scope_bind(&qs, st, 2, &idx);
  np_store_bind_int64(st, idx, list_limit);
  while ((rc = np_store_step(st, &has, err)) == NP_OK && has) {
    json_t *o = json_object();
    json_object_set_new(o, "specialist_id", id_json(NP_ID_SPECIALIST, st, 0));
    json_object_set_new(o, "name", text_or_null(st, 1));
    json_object_set_new(o, "region_code", text_or_null(st, 2));
    json_object_set_new(o, "county_code", text_or_null(st, 3));
    json_object_set_new(o, "enterprises", json_integer(np_store_col_int64(st, 4)));
    json_object_set_new(o, "projects", json_integer(np_store_col_int64(st, 5)));
    json_object_set_new(o, "zones", json_integer(np_store_col_int64(st, 6)));
    json_object_set_new(o, "total", json_integer(np_store_col_int64(st, 7)));
    json_array_append_new(list, o);
    nspc++;
  }
  np_store_release(st);
  st = NULL;
  if (rc) goto out;
  json_object_set_new(body, "workload", list);
  list = NULL;

  json_t *carr = json_array();
  const char *k;
  json_t *v;
  json_object_foreach(counties, k, v) json_array_append(carr, v);
  json_object_set_new(body, "region_code", json_string(region));
  json_object_set_new(body, "region_name", reg ? json_string(reg->name) : json_null());
  json_object_set_new(body, "totals",
                      json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "key_enterprises", (json_int_t)key_t, "key_uncovered",
                                (json_int_t)key_u, "projects", (json_int_t)prj_t, "projects_uncovered", (json_int_t)prj_u,
                                "zones", (json_int_t)zone_t, "zones_uncovered", (json_int_t)zone_u, "specialists",
                                (json_int_t)nspc));
  json_object_set_new(body, "counties", carr);
out:
  np_store_release(st);
  json_decref(list);
  json_decref(counties);
  if (rc) json_decref(body);
  else *out = body;
  return rc;
}

/* ---- the specialist serving an enterprise ---- */

np_err np_firms_enterprise_specialist(const np_firms_ctx_t *c, int64_t enterprise_id, json_t **out,
                                      np_errdetail_t *err) {
  /* the enterprise's own assignment first, then its development zone's, then one of its projects' */
  static const char sql[] =
      "SELECT s.id, s.name, s.phone_sealed, s.phone_masked, a.since, a.target_kind, a.target_id, s.team_id, "
      "(SELECT t.name FROM service_teams t WHERE t.id = s.team_id), "
      "CASE a.target_kind WHEN 'zone' THEN (SELECT z.name FROM dev_zones z WHERE z.id = a.target_id) "
      "WHEN 'project' THEN (SELECT p.name FROM projects p WHERE p.id = a.target_id) END "
      "FROM specialist_assignments a JOIN specialists s ON s.id = a.specialist_id "
      "WHERE a.until IS NULL AND ((a.target_kind = 'enterprise' AND a.target_id = ?) "
      "OR (a.target_kind = 'zone' AND a.target_id = (SELECT e.zone_id FROM enterprises e WHERE e.id = ?)) "
      "OR (a.target_kind = 'project' AND a.target_id IN (SELECT p.id FROM projects p WHERE p.enterprise_id = ?))) "
      "ORDER BY CASE a.target_kind WHEN 'enterprise' THEN 0 WHEN 'zone' THEN 1 ELSE 2 END, a.id LIMIT 1";
  np_stmt_t *st = NULL;
  bool has = false;
  *out = NULL;
  np_err rc = np_store_prepare(c->s, sql, &st, err);
  if (rc) return rc;
  np_store_bind_int64(st, 1, enterprise_id);
  np_store_bind_int64(st, 2, enterprise_id);
  np_store_bind_int64(st, 3, enterprise_id);
  if ((rc = np_store_step(st, &has, err)) == NP_OK) {
    if (!has) {
      *out = json_null();
    } else {
      const char *kind = np_store_col_text(st, 5);
      const char *prefix = kind && strcmp(kind, "zone") == 0 ? NP_ID_ZONE
                           : kind && strcmp(kind, "project") == 0 ? NP_ID_PROJECT : NP_ID_ENTERPRISE;
      json_t *o = json_object();
      json_object_set_new(o, "id", id_json(NP_ID_SPECIALIST, st, 0));
      json_object_set_new(o, "name", text_or_null(st, 1));
      json_object_set_new(o, "phone", np_firms_phone_json(c, np_store_col_text(st, 2), np_store_col_text(st, 3)));
      json_object_set_new(o, "since", text_or_null(st, 4));
      json_object_set_new(o, "via", json_string(kind ? kind : "enterprise"));
      if (kind && strcmp(kind, "enterprise") != 0)
        json_object_set_new(o, "via_target", json_pack("{s:o, s:o}", "id", id_json(prefix, st, 6), "name",
                                                       text_or_null(st, 9)));
      if (np_store_col_is_null(st, 7)) json_object_set_new(o, "team", json_null());
      else
        json_object_set_new(o, "team", json_pack("{s:o, s:o}", "id", id_json(NP_ID_TEAM, st, 7), "name",
                                                 text_or_null(st, 8)));
      *out = o;
    }
  }
  np_store_release(st);
  if (rc == NP_OK && !*out) rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  return rc;
}
