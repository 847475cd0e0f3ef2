/* 开发区 registry (see zones.h). */
#include "firms/zones.h"
#include "firms/dicts.h"
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "core/ids.h"
#include "core/json.h"
#include "core/str.h"
#include "firms/ent_common.h"

#define ZONE_COLS "id, code, name, level, kind, region_code, city_code, version, created_at, updated_at"

static void copy_col(np_stmt_t *st, int col, char *dst, size_t cap) {
  const char *v = np_store_col_text(st, col);
  np_strlcpy(dst, v ? v : "", cap);
}

static void read_row(np_stmt_t *st, np_zone_t *z) {
  memset(z, 0, sizeof *z);
  z->id = np_store_col_int64(st, 0);
  copy_col(st, 1, z->code, sizeof z->code);
  copy_col(st, 2, z->name, sizeof z->name);
  copy_col(st, 3, z->level, sizeof z->level);
  copy_col(st, 4, z->kind, sizeof z->kind);
  copy_col(st, 5, z->region_code, sizeof z->region_code);
  copy_col(st, 6, z->city_code, sizeof z->city_code);
  z->version = np_store_col_int64(st, 7);
  copy_col(st, 8, z->created_at, sizeof z->created_at);
  copy_col(st, 9, z->updated_at, sizeof z->updated_at);
}

np_err np_zone_get(np_store_t *s, int64_t id, np_zone_t *out, np_errdetail_t *err) {
  np_stmt_t *st = NULL;
  bool has = false;
  np_err rc = np_store_prepare(s, "SELECT " ZONE_COLS " FROM dev_zones WHERE id = ?", &st, err);
  if (rc) return rc;
  np_store_bind_int64(st, 1, id);
  rc = np_store_step(st, &has, err);
  if (rc == NP_OK && !has) rc = np_fail(err, NP_ERR_NOT_FOUND, "not_found", "", "no such zone");
  if (rc == NP_OK) read_row(st, out);
  np_store_release(st);
  return rc;
}

np_err np_zone_find(np_store_t *s, const char *key, int64_t *id, np_errdetail_t *err) {
  if (!key || !*key) return np_fail(err, NP_ERR_NOT_FOUND, "not_found", "zone", "no such zone");
  if (np_id_parse(NP_ID_ZONE, key, id) == NP_OK) {
    np_zone_t z;
    return np_zone_get(s, *id, &z, err);
  }
  bool found = false;
  np_err rc = np_store_queryf_int64(s, id, &found, err, "SELECT id FROM dev_zones WHERE code = ? OR name = ?", "tt",
                                    key, key);
  if (rc) return rc;
  if (!found) return np_fail(err, NP_ERR_NOT_FOUND, "not_found", "zone", "no such zone");
  return NP_OK;
}

json_t *np_zone_json(const np_zone_t *z) {
  char id[32];
  np_id_format(NP_ID_ZONE, z->id, id, sizeof id);
  const np_ref_t *ref = np_ref_global();
  const np_region_t *r = ref ? np_ref_region(ref, z->region_code) : NULL;
  return json_pack("{s:s, s:o, s:s, s:s, s:s, s:s, s:o, s:s, s:I, s:s, s:s}", "id", id, "code",
                   z->code[0] ? json_string(z->code) : json_null(), "name", z->name, "level", z->level, "kind", z->kind,
                   "region_code", z->region_code, "region_name", r ? json_string(r->name) : json_null(), "city_code",
                   z->city_code, "version", (json_int_t)z->version, "created_at", z->created_at, "updated_at",
                   z->updated_at);
}

np_err np_zone_list(np_store_t *s, const char *city_code, json_t **items, np_errdetail_t *err) {
  *items = json_array();
  if (!*items) return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  np_stmt_t *st = NULL;
  bool has = false;
  np_err rc = np_store_prepare(s,
                               city_code ? "SELECT " ZONE_COLS " FROM dev_zones WHERE city_code = ? ORDER BY city_code, code, name"
                                         : "SELECT " ZONE_COLS " FROM dev_zones ORDER BY city_code, code, name",
                               &st, err);
  if (rc) goto out;
  if (city_code) np_store_bind_text(st, 1, city_code, NP_STORE_STRLEN);
  while ((rc = np_store_step(st, &has, err)) == NP_OK && has) {
    np_zone_t z;
    read_row(st, &z);
    json_t *o = np_zone_json(&z);
    if (!o || json_array_append_new(*items, o)) {
      rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
      break;
    }
  }
out:
  np_store_release(st);
  if (rc) {
    json_decref(*items);
    *items = NULL;
  }
  return rc;
}

const char *const np_firms_zone_levels[] = {"national", "provincial", NULL};
const char *const np_firms_zone_kinds[] = {"hitech", "economic", "other", NULL};

static bool one_of(const char *v, const char *const *list) {
  for (; *list; list++)
    if (strcmp(v, *list) == 0) return true;
  return false;
}

np_err np_zone_save(np_store_t *s, const np_ref_t *ref, int64_t id, int64_t expected_version, const json_t *body,
                    const np_audit_entry_t *actor, np_zone_t *out, np_errdetail_t *err) {
  static const char *const keys[] = {"name", "level", "kind", "region_code", "code", "version", NULL};
  bool create = id == 0;
  np_zone_t z, before;
  json_t *jb = NULL, *ja = NULL;
  np_err rc = np_json_check_keys(body, keys, err);
  if (rc) return rc;
  memset(&z, 0, sizeof z);
  if (!create) {
    if ((rc = np_zone_get(s, id, &z, err))) return rc;
    before = z;
  }
  const char *name = NULL, *level = NULL, *kind = NULL, *region = NULL, *code = NULL;
  np_json_presence pcode = NP_JSON_ABSENT;
  unsigned req = create ? NP_JSON_REQUIRED : 0;
  if ((rc = np_json_get_str(body, "name", req, 2, NP_ZONE_NAME_MAX_CHARS, &name, NULL, err)) ||
      (rc = np_json_get_str(body, "level", req, 1, 16, &level, NULL, err)) ||
      (rc = np_json_get_str(body, "kind", req, 1, 16, &kind, NULL, err)) ||
      (rc = np_json_get_str(body, "region_code", req, 6, 6, &region, NULL, err)) ||
      (rc = np_json_get_str(body, "code", 0, 6, 6, &code, &pcode, err)))
    return rc;
  if (level && !one_of(level, np_firms_zone_levels))
    return np_fail(err, NP_ERR_INVALID, "enum", "level", "level must be national or provincial");
  if (kind && !one_of(kind, np_firms_zone_kinds))
    return np_fail(err, NP_ERR_INVALID, "enum", "kind", "kind must be hitech, economic or other");
  if (name) np_strlcpy(z.name, name, sizeof z.name);
  if (level) np_strlcpy(z.level, level, sizeof z.level);
  if (kind) np_strlcpy(z.kind, kind, sizeof z.kind);
  if (pcode == NP_JSON_NULL) z.code[0] = '\0';
  if (code) np_strlcpy(z.code, code, sizeof z.code);
  if (region) {
    const np_region_t *r = ref ? np_ref_region(ref, region) : NULL;
    if (!r || r->level != NP_REGION_COUNTY)
      return np_fail(err, NP_ERR_INVALID, "unknown_region", "region_code", "region_code must be a known county-level code");
    np_strlcpy(z.region_code, r->code, sizeof z.region_code);
    np_strlcpy(z.city_code, r->parent->code, sizeof z.city_code);
  }
  char now[NP_TS_STRLEN], sid[32];
  np_firms_ent_now(now);
  if ((rc = np_store_begin(s, err))) return rc;
  if (create) {
    rc = np_store_queryf_int64(s, &z.id, NULL, err,
                               "INSERT INTO dev_zones (code, name, level, kind, region_code, city_code, version, "
                               "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id",
                               "tttttttt", z.code[0] ? z.code : NULL, z.name, z.level, z.kind, z.region_code,
                               z.city_code, now, now);
  } else {
    int64_t changed = 0;
    rc = np_store_execf(s, &changed, err,
                        "UPDATE dev_zones SET code = ?, name = ?, level = ?, kind = ?, region_code = ?, city_code = ?, "
                        "version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
                        "tttttttii", z.code[0] ? z.code : NULL, z.name, z.level, z.kind, z.region_code, z.city_code,
                        now, id, expected_version > 0 ? expected_version : z.version);
    if (rc == NP_OK && changed == 0)
      rc = np_fail(err, NP_ERR_CONFLICT, "stale", "version", "the zone was changed by someone else; reload it");
  }
  if (rc == NP_ERR_CONFLICT && strcmp(err->code, "stale") != 0)
    np_fail(err, NP_ERR_CONFLICT, "duplicate", "name", "a zone with this name or code exists");
  if (rc) goto out;
  np_id_format(NP_ID_ZONE, z.id, sid, sizeof sid);
  if ((rc = np_zone_get(s, z.id, out, err)) ||
      (rc = np_store_change(s, "zone", sid, create ? "insert" : "update", NULL, err)))
    goto out;
  jb = create ? NULL : np_zone_json(&before);
  ja = np_zone_json(out);
  rc = np_firms_ent_audit(s, actor, create ? "zone.create" : "zone.update", "zone", sid, jb, ja, NULL, err);
out:
  json_decref(jb);
  json_decref(ja);
  if (rc) {
    np_store_rollback(s);
    return rc;
  }
  return np_store_commit(s, err);
}

np_err np_zone_delete(np_store_t *s, int64_t id, const np_audit_entry_t *actor, np_errdetail_t *err) {
  np_zone_t z;
  np_err rc = np_zone_get(s, id, &z, err);
  if (rc) return rc;
  int64_t used = 0;
  bool found = false;
  if ((rc = np_store_queryf_int64(s, &used, &found, err, "SELECT COUNT(*) FROM enterprises WHERE zone_id = ?", "i", id)))
    return rc;
  if (used > 0)
    return np_fail(err, NP_ERR_CONFLICT, "in_use", "", "%" PRId64 " enterprises are in this zone", used);
  char sid[32];
  np_id_format(NP_ID_ZONE, id, sid, sizeof sid);
  json_t *jb = np_zone_json(&z);
  if ((rc = np_store_begin(s, err))) goto done;
  if ((rc = np_store_execf(s, NULL, err, "DELETE FROM dev_zones WHERE id = ?", "i", id)) ||
      (rc = np_store_change(s, "zone", sid, "delete", NULL, err)) ||
      (rc = np_firms_ent_audit(s, actor, "zone.delete", "zone", sid, jb, NULL, NULL, err))) {
    np_store_rollback(s);
    goto done;
  }
  rc = np_store_commit(s, err);
done:
  json_decref(jb);
  return rc;
}
