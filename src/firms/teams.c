/* Service teams (专班) and the helpers shared by teams, specialists, grid and servicelog. */
#include "firms/teams.h"
#include "firms/dicts.h"
#include "firms/ent_common.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/date.h"
#include "core/ids.h"
#include "core/json.h"
#include "core/str.h"
#include "core/valid.h"
#include "crypto/crypto.h"

#define NP_ID_MEMBER "mbr_"

/* ---- shared helpers ---- */

void np_firms_now(char out[21]) {
  if (np_date_format_ts_utc((int64_t)time(NULL), out, NP_TS_STRLEN) != NP_OK) out[0] = '\0';
}

bool np_firms_visible(const np_firms_ctx_t *c, const char *region_code) {
  if (!c->scope) return true;
  return np_authz_scope_contains(c->scope, region_code, 0, NULL, 0);
}

np_err np_firms_record(const np_firms_ctx_t *c, const char *action, const char *entity, const char *entity_id,
                       const json_t *before, const json_t *after, const char *op, np_errdetail_t *err) {
  np_err rc = np_store_change(c->s, entity, entity_id, op, NULL, err);
  if (rc) return rc;
  np_audit_entry_t e = {0};
  if (c->actor) e = *c->actor;
  e.action = action;
  e.entity = entity;
  e.entity_id = entity_id;
  char *bj = NULL, *aj = NULL;
  json_t *b = before ? json_deep_copy(before) : NULL, *a = after ? json_deep_copy(after) : NULL;
  if (b) np_audit_mask_json(b, NULL); /* personal data never reaches the audit log unmasked */
  if (a) np_audit_mask_json(a, NULL);
  if (b) bj = json_dumps(b, JSON_COMPACT | JSON_ENCODE_ANY);
  if (a) aj = json_dumps(a, JSON_COMPACT | JSON_ENCODE_ANY);
  json_decref(b);
  json_decref(a);
  if ((before && !bj) || (after && !aj)) goto nomem;
  e.before_json = bj;
  e.after_json = aj;
  rc = np_audit_record(c->s, &e, NULL, err);
  goto out;
nomem:
  rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
out:
  free(bj);
  free(aj);
  return rc;
}

np_err np_firms_phone_seal(const char *phone, const char *field, char **sealed, char bidx[65], char masked[16],
                           np_errdetail_t *err) {
  char norm[12];
  *sealed = NULL;
  if (np_valid_mobile(phone, strlen(phone), norm, err) != NP_OK) {
    np_strlcpy(err->field, field, sizeof err->field);
    snprintf(err->message, sizeof err->message, "%s is not a valid mobile number", field);
    return NP_ERR_INVALID;
  }
  np_err rc = np_crypto_blind_index("mobile", norm, bidx, err);
  if (rc) return rc;
  rc = np_crypto_seal(norm, strlen(norm), sealed, NULL, err);
  if (rc) return rc;
  np_mask_mobile(norm, strlen(norm), masked, 16);
  return NP_OK;
}

json_t *np_firms_phone_json(const np_firms_ctx_t *c, const char *sealed, const char *masked) {
  if (!sealed && !masked) return json_null();
  if (c->can_unmask && sealed) {
    char *plain = NULL;
    size_t n = 0;
    np_errdetail_t e = {0};
    if (np_crypto_open(sealed, strlen(sealed), &plain, &n, &e) == NP_OK) {
      json_t *v = json_stringn(plain, n);
      np_crypto_wipe(plain, n);
      free(plain);
      if (v) return v;
    }
  }
  return masked ? json_string(masked) : json_string("****");
}

np_err np_firms_page_parse(const np_firms_page_t *pg, int64_t *limit, int64_t *after_id, np_errdetail_t *err) {
  *limit = pg && pg->limit ? pg->limit : 20;
  *after_id = 0;
  if (*limit < 1 || *limit > 100)
    return np_fail(err, NP_ERR_INVALID, "range", "limit", "limit must be an integer from 1 to 100");
  if (pg && pg->cursor && *pg->cursor &&
      np_parse_int64(pg->cursor, strlen(pg->cursor), 1, INT64_MAX, after_id) != NP_OK)
    return np_fail(err, NP_ERR_INVALID, "format", "cursor", "cursor is not valid");
  return NP_OK;
}

json_t *np_firms_envelope(json_t *items, int64_t total, int64_t next) {
  char cur[24];
  snprintf(cur, sizeof cur, "%" PRId64, next);
  return json_pack("{s:o, s:I, s:o}", "items", items, "total", (json_int_t)total, "next_cursor",
                   next > 0 ? json_string(cur) : json_null());
}

np_err np_firms_scope_where(const np_firms_ctx_t *c, const char *region_col, np_scope_sql_t *q) {
  memset(q, 0, sizeof *q);
  if (!c->scope) return NP_OK;
  np_scope_cols_t cols = {.region = region_col};
  return np_authz_scope_sql(c->scope, &cols, q);
}

/* ---- teams ---- */

const char *const np_firms_divisions[] = {"leadership",      "employment_talent",      "hr_mobility",
                                          "vocational_skills", "unemployment_insurance", "labour_relations",
                                          "public_service",  "other",                  NULL};

static bool division_ok(const char *d) {
  for (size_t i = 0; np_firms_divisions[i]; i++)
    if (strcmp(np_firms_divisions[i], d) == 0) return true;
  return false;
}

/* Published numbers: digits with '-' or spaces, 5..20 characters ("0531-12333", "12333"). */
static bool hotline_ok(const char *s) {
  size_t n = strlen(s), digits = 0;
  if (n < 5 || n > 20) return false;
  for (size_t i = 0; i < n; i++) {
    if (s[i] >= '0' && s[i] <= '9') digits++;
    else if (s[i] != '-' && s[i] != ' ') return false;
  }
  return digits >= 5;
}

static np_err hotlines_json(const json_t *in, char **out, np_errdetail_t *err) {
  json_t *arr = NULL;
  np_json_presence pr;
  *out = NULL;
  np_err rc = np_json_get_array(in, "hotlines", 0, 8, &arr, &pr, err);
  if (rc || pr != NP_JSON_PRESENT) return rc;
  size_t i;
  json_t *v;
  json_array_foreach(arr, i, v) {
    if (!json_is_string(v) || !hotline_ok(json_string_value(v)))
      return np_fail(err, NP_ERR_INVALID, "format", "hotlines", "hotlines[%zu] must be a phone number like 0531-12333", i);
  }
  *out = json_dumps(arr, JSON_COMPACT);
  return *out ? NP_OK : np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
}

#define TEAM_COLS "id, region_code, level, city_code, county_code, name, lead_name, lead_title, hotlines, notes, created_at, updated_at"

static json_t *text_or_null(np_stmt_t *st, int col) {
  const char *s = np_store_col_text(st, col);
  return s ? json_string(s) : json_null();
}

static json_t *team_row(const np_firms_ctx_t *c, np_stmt_t *st) {
  char id[32];
  json_t *o = json_object();
  np_id_format(NP_ID_TEAM, np_store_col_int64(st, 0), id, sizeof id);
  json_object_set_new(o, "id", json_string(id));
  const char *rc = np_store_col_text(st, 1);
  json_object_set_new(o, "region_code", json_string(rc));
  const np_region_t *reg = c->ref ? np_ref_region(c->ref, rc) : NULL;
  json_object_set_new(o, "region_name", reg ? json_string(reg->name) : json_null());
  json_object_set_new(o, "level", text_or_null(st, 2));
  json_object_set_new(o, "city_code", text_or_null(st, 3));
  json_object_set_new(o, "county_code", text_or_null(st, 4));
  json_object_set_new(o, "name", text_or_null(st, 5));
  json_object_set_new(o, "lead_name", text_or_null(st, 6));
  json_object_set_new(o, "lead_title", text_or_null(st, 7));
  const char *h = np_store_col_text(st, 8);
  json_t *hl = h ? json_loads(h, 0, NULL) : NULL;
  json_object_set_new(o, "hotlines", hl ? hl : json_array());
  json_object_set_new(o, "notes", text_or_null(st, 9));
  json_object_set_new(o, "created_at", text_or_null(st, 10));
  json_object_set_new(o, "updated_at", text_or_null(st, 11));
  return o;
}

static np_err members_json(const np_firms_ctx_t *c, int64_t team_id, json_t **out, np_errdetail_t *err) {
  np_stmt_t *st = NULL;
  json_t *arr = json_array();
  bool has;
  np_err rc = np_store_prepare(c->s,
                               "SELECT id, name, division, title, phone_sealed, phone_masked, user_id FROM team_members "
                               "WHERE team_id = ? ORDER BY id",
                               &st, err);
  if (rc) goto out;
  np_store_bind_int64(st, 1, team_id);
  while ((rc = np_store_step(st, &has, err)) == NP_OK && has) {
    char id[32], uid[32];
    json_t *m = json_object();
    np_id_format(NP_ID_MEMBER, np_store_col_int64(st, 0), id, sizeof id);
    json_object_set_new(m, "id", json_string(id));
    json_object_set_new(m, "name", text_or_null(st, 1));
    json_object_set_new(m, "division", text_or_null(st, 2));
    json_object_set_new(m, "title", text_or_null(st, 3));
    json_object_set_new(m, "phone", np_firms_phone_json(c, np_store_col_text(st, 4), np_store_col_text(st, 5)));
    if (np_store_col_is_null(st, 6)) json_object_set_new(m, "user_id", json_null());
    else json_object_set_new(m, "user_id", json_string(np_id_format(NP_ID_USER, np_store_col_int64(st, 6), uid, sizeof uid)));
    json_array_append_new(arr, m);
  }
out:
  np_store_release(st);
  if (rc) json_decref(arr);
  else *out = arr;
  return rc;
}

/* Loads a team row (visible to the caller) as JSON, optionally with members. */
static np_err team_load(const np_firms_ctx_t *c, int64_t id, bool with_members, json_t **out, np_errdetail_t *err) {
  np_stmt_t *st = NULL;
  bool has = false;
  json_t *o = NULL;
  np_err rc = np_store_prepare(c->s, "SELECT " TEAM_COLS " FROM service_teams WHERE id = ?", &st, err);
  if (rc) return rc;
  np_store_bind_int64(st, 1, id);
  rc = np_store_step(st, &has, err);
  if (rc == NP_OK && (!has || !np_firms_visible(c, np_store_col_text(st, 1))))
    rc = np_fail(err, NP_ERR_NOT_FOUND, "not_found", "id", "no such team");
  if (rc == NP_OK) o = team_row(c, st);
  np_store_release(st);
  if (rc) return rc;
  if (with_members) {
    json_t *m = NULL;
    rc = members_json(c, id, &m, err);
    if (rc) {
      json_decref(o);
      return rc;
    }
    json_object_set_new(o, "members", m);
  }
  *out = o;
  return NP_OK;
}

np_err np_firms_team_list(const np_firms_ctx_t *c, const char *region, const np_firms_page_t *pg, json_t **out,
                          np_errdetail_t *err) {
  int64_t limit, after;
  np_err rc = np_firms_page_parse(pg, &limit, &after, err);
  if (rc) return rc;
  char prefix[16] = "";
  if (region && *region) {
    if (!np_authz_region_prefix(region, prefix) || (c->ref && !np_ref_region(c->ref, region)))
      return np_fail(err, NP_ERR_INVALID, "unknown_region", "region", "region is not a known region code");
  }
  np_scope_sql_t q;
  if ((rc = np_firms_scope_where(c, "region_code", &q))) return np_fail(err, rc, "internal", "", "scope");
  char sql[512], like[24];
  snprintf(like, sizeof like, "%s%%", prefix);
  json_t *items = json_array();
  np_stmt_t *st = NULL;
  bool has;
  int64_t total = 0, last = 0, n = 0;
  bool more = false;
  int idx;
  snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM service_teams WHERE region_code LIKE ?%s", q.sql);
  if ((rc = np_store_prepare(c->s, sql, &st, err))) goto out;
  np_store_bind_text(st, 1, like, NP_STORE_STRLEN);
  np_authz_scope_bind(&q, st, 2, &idx);
  if ((rc = np_store_step(st, &has, err))) goto out;
  total = has ? np_store_col_int64(st, 0) : 0;
  np_store_release(st);
  st = NULL;
  snprintf(sql, sizeof sql, "SELECT " TEAM_COLS " FROM service_teams WHERE region_code LIKE ? AND id > ?%s ORDER BY id LIMIT ?",
           q.sql);
  if ((rc = np_store_prepare(c->s, sql, &st, err))) goto out;
  np_store_bind_text(st, 1, like, NP_STORE_STRLEN);
  np_store_bind_int64(st, 2, after);
  np_authz_scope_bind(&q, st, 3, &idx);
  np_store_bind_int64(st, idx, limit + 1);
  while ((rc = np_store_step(st, &has, err)) == NP_OK && has) {
    if (n == limit) {
      more = true;
      break;
    }
    last = np_store_col_int64(st, 0);
    json_array_append_new(items, team_row(c, st));
    n++;
  }
out:
  np_store_release(st);
  if (rc) {
    json_decref(items);
    return rc;
  }
  *out = np_firms_envelope(items, total, more ? last : 0);
  return *out ? NP_OK : np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
}

np_err np_firms_team_get(const np_firms_ctx_t *c, int64_t id, json_t **out, np_errdetail_t *err) {
  return team_load(c, id, true, out, err);
}

np_err np_firms_team_of_region(np_store_t *s, const char *region_code, int64_t *id, np_errdetail_t *err) {
  bool found = false;
  *id = 0;
  np_err rc = np_store_queryf_int64(s, id, &found, err, "SELECT id FROM service_teams WHERE region_code = ?", "t",
                                    region_code);
  if (rc == NP_OK && !found) *id = 0;
  return rc;
}

static np_err member_insert(const np_firms_ctx_t *c, int64_t team_id, const json_t *in, int64_t *mid,
                            np_errdetail_t *err) {
  static const char *const keys[] = {"name", "division", "title", "phone", "user_id", NULL};
  const char *name = NULL, *division = NULL, *title = NULL, *phone = NULL, *user = NULL;
  char *sealed = NULL, bidx[65] = "", masked[16] = "";
  int64_t uid = 0;
  char now[NP_TS_STRLEN];
  np_err rc;
  if ((rc = np_json_check_keys(in, keys, err)) ||
      (rc = np_json_get_str(in, "name", NP_JSON_REQUIRED, 1, 64, &name, NULL, err)) ||
      (rc = np_json_get_str(in, "division", NP_JSON_REQUIRED, 1, 32, &division, NULL, err)) ||
      (rc = np_json_get_str(in, "title", 0, 0, 64, &title, NULL, err)) ||
      (rc = np_json_get_str(in, "phone", 0, 0, 20, &phone, NULL, err)) ||
      (rc = np_json_get_str(in, "user_id", 0, 0, 32, &user, NULL, err)))
    return rc;
  if (!division_ok(division))
    return np_fail(err, NP_ERR_INVALID, "format", "division",
                   "division must be one of leadership, employment_talent, hr_mobility, vocational_skills, "
                   "unemployment_insurance, labour_relations, public_service, other");
  if (user && *user) {
    bool found = false;
    int64_t x = 0;
    if (np_id_parse(NP_ID_USER, user, &uid) != NP_OK ||
        np_store_queryf_int64(c->s, &x, &found, err, "SELECT id FROM users WHERE id = ?", "i", uid) || !found)
      return np_fail(err, NP_ERR_INVALID, "unknown_user", "user_id", "user_id is not a known user");
  }
  size_t keep; /* a new member has no number on file: a masked one is refused as everywhere */
  if ((rc = np_firms_phone_unchanged(phone, NULL, 0, "phone", &keep, err))) return rc;
  if (phone && *phone && (rc = np_firms_phone_seal(phone, "phone", &sealed, bidx, masked, err))) return rc;
  np_firms_now(now);
#define MEMBER_INSERT                                                                                          \
  "INSERT INTO team_members (team_id, name, division, title, phone_sealed, phone_bidx, phone_masked, user_id, " \
  "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"
  if (uid)
    rc = np_store_queryf_int64(c->s, mid, NULL, err, MEMBER_INSERT, "ittttttit", team_id, name, division, title,
                               sealed, sealed ? bidx : NULL, sealed ? masked : NULL, uid, now);
  else
    rc = np_store_queryf_int64(c->s, mid, NULL, err, MEMBER_INSERT, "ittttttnt", team_id, name, division, title,
                               sealed, sealed ? bidx : NULL, sealed ? masked : NULL, now);
  free(sealed);
  return rc;
}

const char *const np_firms_team_levels[] = {"province", "city", "county", NULL};

static const char *region_level_name(const np_region_t *r) {
  return np_firms_team_levels[r->level == NP_REGION_PROVINCE ? 0 : r->level == NP_REGION_CITY ? 1 : 2];
}

np_err np_firms_team_create(const np_firms_ctx_t *c, const json_t *in, json_t **out, np_errdetail_t *err) {
  static const char *const keys[] = {"region_code", "name", "lead_name", "lead_title", "hotlines", "notes", "members",
                                     NULL};
  const char *region = NULL, *name = NULL, *lead = NULL, *lead_title = NULL, *notes = NULL;
  char *hot = NULL;
  json_t *members = NULL, *after = NULL;
  np_json_presence mp;
  np_err rc;
  if ((rc = np_json_check_keys(in, keys, err)) ||
      (rc = np_json_get_str(in, "region_code", NP_JSON_REQUIRED, 6, 12, &region, NULL, err)) ||
      (rc = np_json_get_str(in, "name", NP_JSON_REQUIRED, 2, 64, &name, NULL, err)) ||
      (rc = np_json_get_str(in, "lead_name", NP_JSON_REQUIRED, 1, 64, &lead, NULL, err)) ||
      (rc = np_json_get_str(in, "lead_title", 0, 0, 64, &lead_title, NULL, err)) ||
      (rc = np_json_get_str(in, "notes", NP_JSON_ALLOW_NEWLINES, 0, 1000, &notes, NULL, err)) ||
      (rc = np_json_get_array(in, "members", 0, 50, &members, &mp, err)) || (rc = hotlines_json(in, &hot, err)))
    goto out;
  const np_region_t *reg = c->ref ? np_ref_region(c->ref, region) : NULL;
  if (!reg) {
    rc = np_fail(err, NP_ERR_INVALID, "unknown_region", "region_code", "region_code is not a known region code");
    goto out;
  }
  if (reg->level > NP_REGION_COUNTY) {
    rc = np_fail(err, NP_ERR_INVALID, "region_level", "region_code",
                 "a service team belongs to a county-or-above bureau, not to a township or village");
    goto out;
  }
  if (!np_firms_visible(c, region)) {
    rc = np_fail(err, NP_ERR_FORBIDDEN, "outside_jurisdiction", "region_code", "region_code is outside your jurisdiction");
    goto out;
  }
  const np_region_t *city = np_ref_region_at(reg, NP_REGION_CITY);
  char now[NP_TS_STRLEN];
  np_firms_now(now);
  if ((rc = np_store_begin(c->s, err))) goto out;
  int64_t id = 0;
  rc = np_store_queryf_int64(c->s, &id, NULL, err,
                             "INSERT INTO service_teams (region_code, level, city_code, county_code, name, lead_name, "
                             "lead_title, hotlines, notes, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                             "RETURNING id",
                             "ttttttttttt", region, region_level_name(reg), city ? city->code : NULL,
                             reg->level == NP_REGION_COUNTY ? region : NULL, name, lead, lead_title, hot ? hot : "[]",
                             notes, now, now);
  if (rc == NP_ERR_CONFLICT) {
    np_store_rollback(c->s);
    rc = np_fail(err, NP_ERR_CONFLICT, "duplicate", "region_code", "this region already has a service team");
    goto out;
  }
  size_t i;
  json_t *m;
  if (rc == NP_OK && members) json_array_foreach(members, i, m) {
      int64_t mid;
      if (!json_is_object(m)) {
        rc = np_fail(err, NP_ERR_INVALID, "type", "members", "members[%zu] must be an object", i);
        break;
      }
      if ((rc = member_insert(c, id, m, &mid, err))) {
        char f[96];
        snprintf(f, sizeof f, "members[%zu].%.60s", i, err->field);
        np_strlcpy(err->field, f, sizeof err->field);
        break;
      }
    }
  char sid[32];
  np_id_format(NP_ID_TEAM, id, sid, sizeof sid);
  if (rc == NP_OK) rc = team_load(c, id, true, &after, err);
  if (rc == NP_OK) rc = np_firms_record(c, "team.create", "team", sid, NULL, after, "insert", err);
  if (rc == NP_OK) rc = np_store_commit(c->s, err);
  if (rc) np_store_rollback(c->s);
out:
  free(hot);
  if (rc) json_decref(after);
  else *out = after;
  return rc;
}

np_err np_firms_team_update(const np_firms_ctx_t *c, int64_t id, const json_t *patch, json_t **out,
                            np_errdetail_t *err) {
  static const char *const keys[] = {"name", "lead_name", "lead_title", "hotlines", "notes", NULL};
  const char *name = NULL, *lead = NULL, *lead_title = NULL, *notes = NULL;
  np_json_presence p_title, p_notes;
  char *hot = NULL;
  json_t *before = NULL, *after = NULL;
  np_err rc;
  if ((rc = np_json_check_keys(patch, keys, err)) ||
      (rc = np_json_get_str(patch, "name", 0, 2, 64, &name, NULL, err)) ||
      (rc = np_json_get_str(patch, "lead_name", 0, 1, 64, &lead, NULL, err)) ||
      (rc = np_json_get_str(patch, "lead_title", 0, 0, 64, &lead_title, &p_title, err)) ||
      (rc = np_json_get_str(patch, "notes", NP_JSON_ALLOW_NEWLINES, 0, 1000, &notes, &p_notes, err)) ||
      (rc = hotlines_json(patch, &hot, err)))
    goto out;
  if ((rc = np_store_begin(c->s, err))) goto out;
  if ((rc = team_load(c, id, false, &before, err))) goto fail;
  char now[NP_TS_STRLEN];
  np_firms_now(now);
  rc = np_store_execf(c->s, NULL, err,
                      "UPDATE service_teams SET name = COALESCE(?, name), lead_name = COALESCE(?, lead_name), "
                      "lead_title = CASE WHEN ? = 1 THEN ? ELSE lead_title END, hotlines = COALESCE(?, hotlines), "
                      "notes = CASE WHEN ? = 1 THEN ? ELSE notes END, updated_at = ? WHERE id = ?",
                      "ttittitti", name, lead, (int64_t)(p_title != NP_JSON_ABSENT), lead_title, hot,
                      (int64_t)(p_notes != NP_JSON_ABSENT), notes, now, id);
  if (rc) goto fail;
  if ((rc = team_load(c, id, false, &after, err))) goto fail;
  char sid[32];
  np_id_format(NP_ID_TEAM, id, sid, sizeof sid);
  if ((rc = np_firms_record(c, "team.update", "team", sid, before, after, "update", err))) goto fail;
  if ((rc = np_store_commit(c->s, err))) goto fail;
  json_decref(after);
  after = NULL;
  rc = team_load(c, id, true, &after, err);
  goto out;
fail:
  np_store_rollback(c->s);
out:
  free(hot);
  json_decref(before);
  if (rc) json_decref(after);
  else *out = after;
  return rc;
}

np_err np_firms_team_member_add(const np_firms_ctx_t *c, int64_t team_id, const json_t *in, json_t **out,
                                np_errdetail_t *err) {
  json_t *team = NULL, *members = NULL;
  np_err rc = np_store_begin(c->s, err);
  if (rc) return rc;
  int64_t mid = 0;
  if ((rc = team_load(c, team_id, false, &team, err))) goto fail;
  if ((rc = member_insert(c, team_id, in, &mid, err))) goto fail;
  if ((rc = members_json(c, team_id, &members, err))) goto fail;
  json_t *m = NULL;
  size_t i;
  json_t *v;
  char want[32];
  np_id_format(NP_ID_MEMBER, mid, want, sizeof want);
  json_array_foreach(members, i, v) if (strcmp(json_string_value(json_object_get(v, "id")), want) == 0) m = v;
  if (!m) {
    rc = np_fail(err, NP_ERR_INTERNAL, "internal", "", "member vanished");
    goto fail;
  }
  json_t *audit = json_deep_copy(m);
  np_audit_mask_json(audit, NULL);
  json_object_set_new(audit, "team_id", json_string(json_string_value(json_object_get(team, "id"))));
  rc = np_firms_record(c, "team.member_add", "team_member", want, NULL, audit, "insert", err);
  json_decref(audit);
  if (rc) goto fail;
  if ((rc = np_store_commit(c->s, err))) goto fail;
  *out = json_incref(m);
  json_decref(members);
  json_decref(team);
  return NP_OK;
fail:
  np_store_rollback(c->s);
  json_decref(members);
  json_decref(team);
  return rc;
}

np_err np_firms_team_member_remove(const np_firms_ctx_t *c, int64_t team_id, int64_t member_id, np_errdetail_t *err) {
  json_t *team = NULL, *members = NULL, *before = NULL;
  np_err rc = np_store_begin(c->s, err);
  if (rc) return rc;
  if ((rc = team_load(c, team_id, false, &team, err))) goto fail;
  if ((rc = members_json(c, team_id, &members, err))) goto fail;
  char want[32];
  np_id_format(NP_ID_MEMBER, member_id, want, sizeof want);
  size_t i;
  json_t *v;
  json_array_foreach(members, i, v) if (strcmp(json_string_value(json_object_get(v, "id")), want) == 0) before = v;
  if (!before) {
    rc = np_fail(err, NP_ERR_NOT_FOUND, "not_found", "member_id", "no such member in this team");
    goto fail;
  }
  before = json_deep_copy(before);
  np_audit_mask_json(before, NULL);
  if ((rc = np_store_execf(c->s, NULL, err, "DELETE FROM team_members WHERE id = ? AND team_id = ?", "ii", member_id,
                           team_id)))
    goto fail;
  if ((rc = np_firms_record(c, "team.member_remove", "team_member", want, before, NULL, "delete", err))) goto fail;
  if ((rc = np_store_commit(c->s, err))) goto fail;
  json_decref(before);
  json_decref(members);
  json_decref(team);
  return NP_OK;
fail:
  np_store_rollback(c->s);
  json_decref(before);
  json_decref(members);
  json_decref(team);
  return rc;
}
