/* The grid (网格): cells from the region tree, grid staff, the cell of an enterprise. */
#include "firms/grid.h"
#include "firms/dicts.h"
#include "firms/ent_common.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/ids.h"
#include "core/json.h"
#include "core/str.h"

const char *const np_firms_grid_levels[] = {"county", "township", "village", NULL};
const char *const np_firms_grid_duties[] = {"lead", "member", NULL};

#define NP_ID_GRID_STAFF "gs_"

static json_t *text_or_null(np_stmt_t *st, int col) {
  const char *s = np_store_col_text(st, col);
  return s ? json_string(s) : json_null();
}

static bool digits(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9') return false;
  return s[n] == '\0';
}

static const char *level_name(np_region_level l) {
  return l == NP_REGION_COUNTY ? "county" : l == NP_REGION_TOWNSHIP ? "township" : "village";
}

/* Inserts one cell; *id the new cell's id. */
static np_err cell_insert(const np_firms_ctx_t *c, const np_region_t *r, int64_t parent, const char *county,
                          const char *city, const char *now, int64_t *id, np_errdetail_t *err) {
  const char *sql = "INSERT INTO grid_cells (region_code, level, parent_id, county_code, city_code, name, created_at, "
                    "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
  if (parent)
    return np_store_queryf_int64(c->s, id, NULL, err, sql, "ttitttt" "t", r->code, level_name(r->level), parent, county,
                                 city, r->name, now, now);
  return np_store_queryf_int64(c->s, id, NULL, err, sql, "ttntttt" "t", r->code, level_name(r->level), county, city,
                               r->name, now, now);
}

static np_err cell_id_of(np_store_t *s, const char *code, int64_t *id, np_errdetail_t *err) {
  bool found = false;
  np_err rc = np_store_queryf_int64(s, id, &found, err, "SELECT id FROM grid_cells WHERE region_code = ?", "t", code);
  if (rc == NP_OK && !found) *id = 0;
  return rc;
}

np_err np_firms_grid_ensure_county(const np_firms_ctx_t *c, const char *county_code, int64_t *created,
                                   np_errdetail_t *err) {
  int64_t n = 0;
  if (created) *created = 0;
  const np_region_t *county = c->ref && county_code ? np_ref_region(c->ref, county_code) : NULL;
  if (!county) return np_fail(err, NP_ERR_INVALID, "unknown_region", "region", "region is not a known region code");
  if (county->level != NP_REGION_COUNTY)
    return np_fail(err, NP_ERR_INVALID, "region_level", "region", "grid cells are built per county-level unit");
  if (!np_firms_visible(c, county->code))
    return np_fail(err, NP_ERR_NOT_FOUND, "not_found", "region", "region is outside your jurisdiction");
  const np_region_t *city = np_ref_region_at(county, NP_REGION_CITY);
  const char *city_code = city ? city->code : "";
  char now[NP_TS_STRLEN];
  np_firms_now(now);
  np_err rc = np_store_begin(c->s, err);
  if (rc) return rc;
  int64_t cid = 0;
  if ((rc = cell_id_of(c->s, county->code, &cid, err))) goto fail;
  if (!cid) {
    if ((rc = cell_insert(c, county, 0, county->code, city_code, now, &cid, err))) goto fail;
    n++;
  }
  for (size_t i = 0; i < county->nchildren; i++) {
    const np_region_t *t = county->children[i];
    int64_t tid = 0;
    if ((rc = cell_id_of(c->s, t->code, &tid, err))) goto fail;
    if (!tid) {
      if ((rc = cell_insert(c, t, cid, county->code, city_code, now, &tid, err))) goto fail;
      n++;
    }
    for (size_t j = 0; j < t->nchildren; j++) {
      const np_region_t *v = t->children[j];
      int64_t vid = 0;
      if ((rc = cell_id_of(c->s, v->code, &vid, err))) goto fail;
      if (!vid) {
        if ((rc = cell_insert(c, v, tid, county->code, city_code, now, &vid, err))) goto fail;
        n++;
      }
    }
  }
  if (n > 0) {
    char sid[32];
    np_id_format(NP_ID_GRID, cid, sid, sizeof sid);
    json_t *after = json_pack("{s:s, s:I}", "county_code", county->code, "cells_created", (json_int_t)n);
    rc = np_firms_record(c, "grid.create", "grid", sid, NULL, after, "insert", err);
    json_decref(after);
    if (rc) goto fail;
  }
  if ((rc = np_store_commit(c->s, err))) goto fail;
  if (created) *created = n;
  return NP_OK;
fail:
  np_store_rollback(c->s);
  return rc;
}

np_err np_firms_grid_cell_for(np_store_t *s, const char *region_code, np_firms_grid_cell_t *out, np_errdetail_t *err) {
  memset(out, 0, sizeof *out);
  size_t n = region_code ? strlen(region_code) : 0;
  if ((n != 6 && n != 9 && n != 12) || !digits(region_code, n))
    return np_fail(err, NP_ERR_NOT_FOUND, "not_found", "region_code", "no grid cell for this region");
  static const size_t lens[] = {12, 9, 6};
  for (size_t k = 0; k < 3; k++) {
    if (lens[k] > n) continue;
    char code[16];
    memcpy(code, region_code, lens[k]);
    code[lens[k]] = '\0';
    np_stmt_t *st = NULL;
    bool has = false;
    np_err rc = np_store_prepare(s, "SELECT id, region_code, level, county_code FROM grid_cells WHERE region_code = ?", &st, err);
    if (rc) return rc;
    np_store_bind_text(st, 1, code, NP_STORE_STRLEN);
    rc = np_store_step(st, &has, err);
    if (rc == NP_OK && has) {
      out->id = np_store_col_int64(st, 0);
      np_strlcpy(out->region_code, np_store_col_text(st, 1), sizeof out->region_code);
      np_strlcpy(out->level, np_store_col_text(st, 2), sizeof out->level);
      np_strlcpy(out->county_code, np_store_col_text(st, 3), sizeof out->county_code);
    }
    np_store_release(st);
    if (rc) return rc;
    if (has) return NP_OK;
  }
  return np_fail(err, NP_ERR_NOT_FOUND, "not_found", "region_code", "no grid cell for this region");
}

static np_err staff_json(const np_firms_ctx_t *c, int64_t cell, json_t **out, np_errdetail_t *err) {
  np_stmt_t *st = NULL;
  bool has;
  json_t *arr = json_array();
  np_err rc = np_store_prepare(c->s,
                               "SELECT g.id, g.specialist_id, g.name, g.duty, g.phone_sealed, g.phone_masked FROM grid_staff g "
                               "WHERE g.cell_id = ? ORDER BY g.id",
                               &st, err);
  if (rc) goto out;
  np_store_bind_int64(st, 1, cell);
  while ((rc = np_store_step(st, &has, err)) == NP_OK && has) {
    char b[32];
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(np_id_format(NP_ID_GRID_STAFF, np_store_col_int64(st, 0), b, sizeof b)));
    if (np_store_col_is_null(st, 1)) json_object_set_new(o, "specialist_id", json_null());
    else json_object_set_new(o, "specialist_id", json_string(np_id_format(NP_ID_SPECIALIST, np_store_col_int64(st, 1), b, sizeof b)));
    json_object_set_new(o, "name", text_or_null(st, 2));
    json_object_set_new(o, "duty", text_or_null(st, 3));
    json_object_set_new(o, "phone", np_firms_phone_json(c, np_store_col_text(st, 4), np_store_col_text(st, 5)));
    json_array_append_new(arr, o);
  }
out:
  np_store_release(st);
  if (rc) json_decref(arr);
  else *out = arr;
  return rc;
}

#define CELL_COLS                                                                                                  \
  "g.id, g.region_code, g.level, g.parent_id, g.county_code, g.city_code, g.name, g.notes, g.updated_at, "       \
  "CASE g.level WHEN 'village' THEN (SELECT COUNT(*) FROM enterprises e WHERE e.village_code = g.region_code) "  \
  "WHEN 'township' THEN (SELECT COUNT(*) FROM enterprises e WHERE e.township_code = g.region_code) "             \
  "ELSE (SELECT COUNT(*) FROM enterprises e WHERE e.county_code = g.region_code) END"

static np_err cell_row(const np_firms_ctx_t *c, np_stmt_t *st, json_t **out, np_errdetail_t *err) {
  char b[32];
  json_t *o = json_object(), *staff = NULL;
  int64_t id = np_store_col_int64(st, 0);
  json_object_set_new(o, "id", json_string(np_id_format(NP_ID_GRID, id, b, sizeof b)));
  json_object_set_new(o, "region_code", text_or_null(st, 1));
  json_object_set_new(o, "level", text_or_null(st, 2));
  if (np_store_col_is_null(st, 3)) json_object_set_new(o, "parent_id", json_null());
  else json_object_set_new(o, "parent_id", json_string(np_id_format(NP_ID_GRID, np_store_col_int64(st, 3), b, sizeof b)));
  json_object_set_new(o, "county_code", text_or_null(st, 4));
  json_object_set_new(o, "city_code", text_or_null(st, 5));
  json_object_set_new(o, "name", text_or_null(st, 6));
  json_object_set_new(o, "notes", text_or_null(st, 7));
  json_object_set_new(o, "updated_at", text_or_null(st, 8));
  json_object_set_new(o, "enterprises", json_integer(np_store_col_int64(st, 9)));
  np_err rc = staff_json(c, id, &staff, err);
  if (rc) {
    json_decref(o);
    return rc;
  }
  json_object_set_new(o, "staff_count", json_integer((json_int_t)json_array_size(staff)));
  json_object_set_new(o, "staff", staff);
  *out = o;
  return NP_OK;
}

np_err np_firms_grid_get(const np_firms_ctx_t *c, int64_t id, json_t **out, np_errdetail_t *err) {
  np_stmt_t *st = NULL;
  bool has = false;
  np_err rc = np_store_prepare(c->s, "SELECT " CELL_COLS " FROM grid_cells g WHERE g.id = ?", &st, err);
  if (rc) return rc;
  np_store_bind_int64(st, 1, id);
  rc = np_store_step(st, &has, err);
  if (rc == NP_OK && (!has || !np_firms_visible(c, np_store_col_text(st, 1))))
    rc = np_fail(err, NP_ERR_NOT_FOUND, "not_found", "id", "no such grid cell");
  if (rc == NP_OK) rc = cell_row(c, st, out, err);
  np_store_release(st);
  return rc;
}

np_err np_firms_grid_list(const np_firms_ctx_t *c, const char *region, const char *level, bool create_missing,
                          const np_firms_page_t *pg, json_t **out, np_errdetail_t *err) {
  int64_t limit = pg && pg->limit ? pg->limit : 20;
  if (limit < 1 || limit > 100) return np_fail(err, NP_ERR_INVALID, "range", "limit", "limit must be an integer from 1 to 100");
  const char *cursor = pg && pg->cursor && *pg->cursor ? pg->cursor : "";
  size_t cl = strlen(cursor);
  if (cl && ((cl != 6 && cl != 9 && cl != 12) || !digits(cursor, cl)))
    return np_fail(err, NP_ERR_INVALID, "format", "cursor", "cursor is not valid");
  if (level && *level && !np_firms_in_list(level, np_firms_grid_levels))
    return np_fail(err, NP_ERR_INVALID, "format", "level", "level must be county, township or village");
  if (level && !*level) level = NULL;
  if (!region || !*region) return np_fail(err, NP_ERR_INVALID, "required", "region", "region is required (a county, township or village code)");
  const np_region_t *reg = c->ref ? np_ref_region(c->ref, region) : NULL;
  if (!reg) return np_fail(err, NP_ERR_INVALID, "unknown_region", "region", "region is not a known region code");
  if (reg->level < NP_REGION_COUNTY)
    return np_fail(err, NP_ERR_INVALID, "region_level", "region", "the grid is listed per county, township or village");
  if (!np_firms_visible(c, region)) return np_fail(err, NP_ERR_NOT_FOUND, "not_found", "region", "region is outside your jurisdiction");
  np_err rc;
  const np_region_t *county = np_ref_region_at(reg, NP_REGION_COUNTY);
  if (create_missing && county) {
    int64_t cid = 0;
    if ((rc = cell_id_of(c->s, county->code, &cid, err))) return rc;
    if (!cid && (rc = np_firms_grid_ensure_county(c, county->code, NULL, err))) return rc;
  }
  char like[24];
  snprintf(like, sizeof like, "%s%%", region);
  json_t *items = json_array();
  np_stmt_t *st = NULL;
  bool has, more = false;
  int64_t total = 0, n = 0;
  char last[16] = "";
  if ((rc = np_store_queryf_int64(c->s, &total, NULL, err,
                                  "SELECT COUNT(*) FROM grid_cells WHERE region_code LIKE ? AND (? IS NULL OR level = ?)", "ttt",
                                  like, level, level)))
    goto out;
  if ((rc = np_store_prepare(c->s,
                             "SELECT " CELL_COLS " FROM grid_cells g WHERE g.region_code LIKE ? AND (? IS NULL OR g.level = ?) "
                             "AND g.region_code > ? ORDER BY g.region_code LIMIT ?",
                             &st, err)))
    goto out;
  np_store_bind_text(st, 1, like, NP_STORE_STRLEN);
  np_store_bind_text_or_null(st, 2, level);
  np_store_bind_text_or_null(st, 3, level);
  np_store_bind_text(st, 4, cursor, NP_STORE_STRLEN);
  np_store_bind_int64(st, 5, limit + 1);
  while ((rc = np_store_step(st, &has, err)) == NP_OK && has) {
    if (n == limit) {
      more = true;
      break;
    }
    np_strlcpy(last, np_store_col_text(st, 1), sizeof last);
    json_t *o = NULL;
    if ((rc = cell_row(c, st, &o, err))) break;
    json_array_append_new(items, o);
    n++;
  }
out:
  np_store_release(st);
  if (rc) {
    json_decref(items);
    return rc;
  }
  *out = json_pack("{s:o, s:I, s:o}", "items", items, "total", (json_int_t)total, "next_cursor",
                   more ? json_string(last) : json_null());
  return NP_OK;
}

/* The phones of a cell's staff on file (sealed, blind index, masked), in id order. */
#define OLD_PHONES_MAX 64
typedef struct old_phones {
  size_t n;
  char *sealed[OLD_PHONES_MAX], *bidx[OLD_PHONES_MAX], *masked[OLD_PHONES_MAX];
} old_phones_t;

static void old_phones_free(old_phones_t *o) {
  for (size_t i = 0; i < o->n; i++) free(o->sealed[i]), free(o->bidx[i]), free(o->masked[i]);
  o->n = 0;
}

static np_err old_phones_load(const np_firms_ctx_t *c, int64_t cell, old_phones_t *o, np_errdetail_t *err) {
  np_stmt_t *st = NULL;
  bool has;
  np_err rc = np_store_prepare(c->s,
                               "SELECT phone_sealed, phone_bidx, phone_masked FROM grid_staff WHERE cell_id = ? AND "
                               "phone_sealed IS NOT NULL AND phone_masked IS NOT NULL ORDER BY id",
                               &st, err);
  if (rc) return rc;
  np_store_bind_int64(st, 1, cell);
  while ((rc = np_store_step(st, &has, err)) == NP_OK && has && o->n < OLD_PHONES_MAX) {
    const char *sl = np_store_col_text(st, 0), *bx = np_store_col_text(st, 1), *mk = np_store_col_text(st, 2);
    size_t i = o->n;
    o->sealed[i] = strdup(sl ? sl : "");
    o->bidx[i] = strdup(bx ? bx : "");
    o->masked[i] = strdup(mk ? mk : "");
    o->n++;
    if (!o->sealed[i] || !o->bidx[i] || !o->masked[i]) {
      rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
      break;
    }
  }
  np_store_release(st);
  return rc;
}

np_err np_firms_grid_update(const np_firms_ctx_t *c, int64_t id, const json_t *patch, json_t **out,
                            np_errdetail_t *err) {
  static const char *const keys[] = {"notes", "staff", NULL};
  static const char *const skeys[] = {"name", "phone", "specialist_id", "duty", NULL};
  const char *notes = NULL;
  np_json_presence p_notes, p_staff;
  json_t *staff = NULL, *before = NULL, *after = NULL;
  old_phones_t old = {0};
  np_err rc;
  if ((rc = np_json_check_keys(patch, keys, err)) ||
      (rc = np_json_get_str(patch, "notes", NP_JSON_ALLOW_NEWLINES, 0, 1000, &notes, &p_notes, err)) ||
      (rc = np_json_get_array(patch, "staff", 0, 30, &staff, &p_staff, err)))
    return rc;
  if ((rc = np_store_begin(c->s, err))) return rc;
  if ((rc = np_firms_grid_get(c, id, &before, err))) goto fail;
  char now[NP_TS_STRLEN];
  np_firms_now(now);
  if (p_notes != NP_JSON_ABSENT &&
      (rc = np_store_execf(c->s, NULL, err, "UPDATE grid_cells SET notes = ? WHERE id = ?", "ti", notes, id)))
    goto fail;
  if (p_staff == NP_JSON_PRESENT) {
    /* the numbers on file: a masked phone sent back (as the reader was shown it) keeps its number */
    if ((rc = old_phones_load(c, id, &old, err))) goto fail;
    if ((rc = np_store_execf(c->s, NULL, err, "DELETE FROM grid_staff WHERE cell_id = ?", "i", id))) goto fail;
    size_t i;
    json_t *m;
    json_array_foreach(staff, i, m) {
      const char *name = NULL, *phone = NULL, *spc = NULL, *duty = "member";
      char field[64];
      snprintf(field, sizeof field, "staff[%zu]", i);
      if (!json_is_object(m)) {
        rc = np_fail(err, NP_ERR_INVALID, "type", field, "%s must be an object", field);
        goto fail;
      }
      if ((rc = np_json_check_keys(m, skeys, err)) || (rc = np_json_get_str(m, "name", 0, 1, 64, &name, NULL, err)) ||
          (rc = np_json_get_str(m, "phone", 0, 0, 20, &phone, NULL, err)) ||
          (rc = np_json_get_str(m, "specialist_id", 0, 0, 32, &spc, NULL, err)) ||
          (rc = np_json_get_str(m, "duty", 0, 1, 16, &duty, NULL, err))) {
        char f[192];
        snprintf(f, sizeof f, "%s.%.60s", field, err->field);
        np_strlcpy(err->field, f, sizeof err->field);
        goto fail;
      }
      if (!np_firms_in_list(duty, np_firms_grid_duties)) {
        rc = np_fail(err, NP_ERR_INVALID, "format", field, "%s.duty must be lead or member", field);
        goto fail;
      }
      int64_t sid = 0;
      char sname[256] = "";
      if (spc && *spc) {
        np_stmt_t *st = NULL;
        bool has = false;
        bool ok = np_id_parse(NP_ID_SPECIALIST, spc, &sid) == NP_OK;
        if (ok && (rc = np_store_prepare(c->s, "SELECT name, region_code FROM specialists WHERE id = ?", &st, err))) goto fail;
        if (ok) {
          np_store_bind_int64(st, 1, sid);
          rc = np_store_step(st, &has, err);
          if (rc == NP_OK && has && np_firms_visible(c, np_store_col_text(st, 1)))
            np_strlcpy(sname, np_store_col_text(st, 0), sizeof sname);
          else has = false;
          np_store_release(st);
          if (rc) goto fail;
        }
        if (!ok || !has) {
          rc = np_fail(err, NP_ERR_INVALID, "unknown_specialist", field, "%s.specialist_id is not a known specialist", field);
          goto fail;
        }
        if (!name) name = sname;
      }
      if (!name) {
        rc = np_fail(err, NP_ERR_INVALID, "required", field, "%s needs a name or a specialist_id", field);
        goto fail;
      }
      char *sealed = NULL, bidx[65], masked[16];
      if (phone && *phone) {
        char f[96];
        size_t keep;
        snprintf(f, sizeof f, "%.64s.phone", field);
        if ((rc = np_firms_phone_unchanged(phone, (const char *const *)old.masked, old.n, f, &keep, err))) goto fail;
        if (keep != SIZE_MAX) {
          if (!(sealed = strdup(old.sealed[keep]))) {
            rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
            goto fail;
          }
          np_strlcpy(bidx, old.bidx[keep], sizeof bidx);
          np_strlcpy(masked, old.masked[keep], sizeof masked);
        } else if ((rc = np_firms_phone_seal(phone, f, &sealed, bidx, masked, err))) {
          goto fail;
        }
      }
      const char *sql = "INSERT INTO grid_staff (cell_id, specialist_id, name, duty, phone_sealed, phone_bidx, phone_masked, "
                        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
      if (sid)
        rc = np_store_execf(c->s, NULL, err, sql, "iitttttt", id, sid, name, duty, sealed, sealed ? bidx : NULL,
                            sealed ? masked : NULL, now);
      else
        rc = np_store_execf(c->s, NULL, err, sql, "inttttt" "t", id, name, duty, sealed, sealed ? bidx : NULL,
                            sealed ? masked : NULL, now);
      free(sealed);
      if (rc) goto fail;
    }
  }
  if ((rc = np_store_execf(c->s, NULL, err, "UPDATE grid_cells SET updated_at = ? WHERE id = ?", "ti", now, id))) goto fail;
  if ((rc = np_firms_grid_get(c, id, &after, err))) goto fail;
  json_t *ab = json_deep_copy(before), *aa = json_deep_copy(after);
  np_audit_mask_json(ab, NULL);
  np_audit_mask_json(aa, NULL);
  char sidb[32];
  np_id_format(NP_ID_GRID, id, sidb, sizeof sidb);
  rc = np_firms_record(c, "grid.update", "grid", sidb, ab, aa, "update", err);
  json_decref(ab);
  json_decref(aa);
  if (rc) goto fail;
  if ((rc = np_store_commit(c->s, err))) goto fail;
  old_phones_free(&old);
  json_decref(before);
  *out = after;
  return NP_OK;
fail:
  np_store_rollback(c->s);
  old_phones_free(&old);
  json_decref(before);
  json_decref(after);
  return rc;
}
