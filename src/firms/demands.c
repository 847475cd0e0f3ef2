/* Demand lines: validation, create, change, history, lists and the expiry sweep (see demands.h). */
#include "firms/demands.h"
#include "firms/dicts.h"
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/ids.h"
#include "core/json.h"
#include "core/str.h"

const char *const np_firms_education_values[] = {"none",           "junior_middle", "senior_middle", "secondary_vocational",
                                                 "junior_college", "bachelor",      "master",        "doctorate",
                                                 NULL};
const char *const np_firms_demand_status_values[] = {"open", "partly_filled", "filled", "cancelled", "expired", NULL};
/* demand_events.action: what happened to a line (index by the DEM_EV_ names below) */
const char *const np_firms_demand_actions[] = {"create", "update", "status", "hire", "expire", NULL};
#define DEM_EV_CREATE np_firms_demand_actions[0]
#define DEM_EV_UPDATE np_firms_demand_actions[1]
#define DEM_EV_STATUS np_firms_demand_actions[2]
#define DEM_EV_HIRE np_firms_demand_actions[3]

bool np_firms_demand_status_final(const char *st) {
  return st && (strcmp(st, "filled") == 0 || strcmp(st, "cancelled") == 0 || strcmp(st, "expired") == 0);
}

static bool in_dict(const char *v, const char *const *dict) {
  for (size_t i = 0; v && dict[i]; i++)
    if (strcmp(v, dict[i]) == 0) return true;
  return false;
}

/* ---- validation ---- */

typedef struct line {
  const char *occupation_code;
  int64_t count;
  int64_t skill_level; /* 0 = none */
  int64_t salary_min, salary_max; /* 0 = none */
  const char *education;
  int64_t age_min, age_max; /* 0 = none */
  bool has_needed_by;
  np_date_t needed_by;
  char needed_by_text[NP_DATE_STRLEN];
  const char *shifts;
  bool housing;
  char *benefits_json; /* malloc'd or NULL */
  const char *notes;
  bool is_public;
} line_t;

static const char *const create_keys[] = {"occupation_code", "count",   "skill_level", "salary_min", "salary_max",
                                          "education",       "age_min", "age_max",     "needed_by",  "shifts",
                                          "housing",         "benefits", "notes",      "public",     NULL};
static const char *const patch_keys[] = {"occupation_code", "count",   "skill_level", "salary_min", "salary_max",
                                         "education",       "age_min", "age_max",     "needed_by",  "shifts",
                                         "housing",         "benefits", "notes",      "public",     "version",
                                         "status",          NULL};

/* Validates a whole line (o holds every field, null for the empty ones). check_past: needed_by may not be before today. */
static np_err parse_line(const np_ref_t *ref, const json_t *o, np_date_t today, bool check_past, line_t *L,
                         np_errdetail_t *err) {
  np_err rc;
  memset(L, 0, sizeof *L);
  L->is_public = true;
  if ((rc = np_json_get_str(o, "occupation_code", NP_JSON_REQUIRED, 1, 16, &L->occupation_code, NULL, err))) return rc;
  if (!ref) return np_fail(err, NP_ERR_INTERNAL, "internal", "", "reference data not loaded");
  const np_ref_item_t *occ = np_ref_item(ref, NP_REF_OCCUPATIONS, L->occupation_code);
  if (!occ || strcmp(occ->level, "occupation") != 0)
    return np_fail(err, NP_ERR_INVALID, "unknown_occupation", "occupation_code",
                   "occupation_code must be an occupation-level code of the 2022 classification, like 6-18-02-04");
  if ((rc = np_json_get_int(o, "count", NP_JSON_REQUIRED, 1, NP_DEMAND_MAX_COUNT, &L->count, NULL, err))) return rc;
  if ((rc = np_json_get_int(o, "skill_level", 0, 1, 8, &L->skill_level, NULL, err))) return rc;
  if ((rc = np_json_get_money(o, "salary_min", 0, 1, NP_DEMAND_MAX_SALARY, &L->salary_min, NULL, err)) ||
      (rc = np_json_get_money(o, "salary_max", 0, 1, NP_DEMAND_MAX_SALARY, &L->salary_max, NULL, err)))
    return rc;
  if (L->salary_min && L->salary_max && L->salary_min > L->salary_max)
    return np_fail(err, NP_ERR_INVALID, "salary_range", "salary_min", "salary_min is above salary_max");
  if ((rc = np_json_get_str(o, "education", 0, 1, 32, &L->education, NULL, err))) return rc;
  if (L->education && !in_dict(L->education, np_firms_education_values))
    return np_fail(err, NP_ERR_INVALID, "unknown_value", "education",
                   "education must be one of none, junior_middle, senior_middle, secondary_vocational, "
                   "junior_college, bachelor, master, doctorate");
  if ((rc = np_json_get_int(o, "age_min", 0, 16, 65, &L->age_min, NULL, err)) ||
      (rc = np_json_get_int(o, "age_max", 0, 16, 65, &L->age_max, NULL, err)))
    return rc;
  if (L->age_min && L->age_max && L->age_min > L->age_max)
    return np_fail(err, NP_ERR_INVALID, "age_range", "age_min", "age_min is above age_max");
  np_json_presence pr = NP_JSON_ABSENT;
  if ((rc = np_json_get_date(o, "needed_by", 0, &L->needed_by, &pr, err))) return rc;
  if (pr == NP_JSON_PRESENT) {
    L->has_needed_by = true;
    np_date_format(L->needed_by, L->needed_by_text, sizeof L->needed_by_text);
    if (check_past && L->needed_by.days < today.days)
      return np_fail(err, NP_ERR_INVALID, "past", "needed_by", "needed_by is in the past");
  }
  if ((rc = np_json_get_str(o, "shifts", 0, 1, 64, &L->shifts, NULL, err))) return rc;
  if ((rc = np_json_get_bool(o, "housing", 0, &L->housing, NULL, err))) return rc;
  if ((rc = np_json_get_bool(o, "public", 0, &L->is_public, NULL, err))) return rc;
  if ((rc = np_json_get_str(o, "notes", NP_JSON_ALLOW_NEWLINES, 1, 1000, &L->notes, NULL, err))) return rc;
  json_t *arr = NULL;
  if ((rc = np_json_get_array(o, "benefits", 0, 20, &arr, NULL, err))) return rc;
  if (arr && json_array_size(arr) > 0) {
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) {
      const char *t = json_string_value(v);
      size_t chars = t ? np_utf8_count(t, strlen(t)) : 0;
      if (!t) return np_fail(err, NP_ERR_INVALID, "type", "benefits", "benefits[%zu] must be a string", i);
      if (chars == 0 || chars > 32)
        return np_fail(err, NP_ERR_INVALID, "length", "benefits", "benefits[%zu] must have 1 to 32 characters", i);
      for (const char *c = t; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
          return np_fail(err, NP_ERR_INVALID, "format", "benefits", "benefits[%zu] has a control character", i);
    }
    L->benefits_json = json_dumps(arr, JSON_COMPACT);
    if (!L->benefits_json) return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  }
  return NP_OK;
}

/* ---- rows ---- */

#define DEM_SELECT                                                                                                \
  "SELECT d.id, d.enterprise_id, e.name, d.region_code, d.county_code, d.city_code, d.industry_code, "           \
  "d.occupation_code, d.count, d.filled, d.open_count, d.skill_level, d.salary_min, d.salary_max, d.education, " \
  "d.age_min, d.age_max, d.needed_by, d.shifts, d.housing, d.benefits, d.notes, d.is_public, d.status, "         \
  "d.version, d.created_at, d.updated_at, d.closed_at, e.is_key FROM demands d JOIN enterprises e ON e.id = "    \
  "d.enterprise_id"

static json_t *text_col(np_stmt_t *st, int c) {
  const char *s = np_store_col_text(st, c);
  return s ? json_string(s) : json_null();
}
static json_t *int_col(np_stmt_t *st, int c) {
  return np_store_col_is_null(st, c) ? json_null() : json_integer(np_store_col_int64(st, c));
}

static json_t *row_json(np_stmt_t *st, const np_ref_t *ref) {
  json_t *o = json_object();
  if (!o) return NULL;
  char id[NP_FIRMS_DEMAND_ID_LEN];
  json_object_set_new(o, "id", json_string(np_id_format(NP_ID_DEMAND, np_store_col_int64(st, 0), id, sizeof id)));
  json_object_set_new(o, "enterprise_id",
                      json_string(np_id_format(NP_ID_ENTERPRISE, np_store_col_int64(st, 1), id, sizeof id)));
  json_object_set_new(o, "enterprise_name", text_col(st, 2));
  json_object_set_new(o, "is_key", json_boolean(np_store_col_int64(st, 28) != 0));
  json_object_set_new(o, "region_code", text_col(st, 3));
  json_object_set_new(o, "county_code", text_col(st, 4));
  json_object_set_new(o, "city_code", text_col(st, 5));
  json_object_set_new(o, "industry_code", text_col(st, 6));
  const char *occ = np_store_col_text(st, 7);
  json_object_set_new(o, "occupation_code", text_col(st, 7));
  const np_ref_item_t *it = ref && occ ? np_ref_item(ref, NP_REF_OCCUPATIONS, occ) : NULL;
  json_object_set_new(o, "occupation_name", it ? json_string(it->name) : json_null());
  json_object_set_new(o, "count", json_integer(np_store_col_int64(st, 8)));
  json_object_set_new(o, "filled", json_integer(np_store_col_int64(st, 9)));
  json_object_set_new(o, "open", json_integer(np_store_col_int64(st, 10)));
  json_object_set_new(o, "skill_level", int_col(st, 11));
  const np_skill_level_t *sl =
      ref && !np_store_col_is_null(st, 11) ? np_ref_skill_level(ref, (int)np_store_col_int64(st, 11)) : NULL;
  json_object_set_new(o, "skill_level_name", sl ? json_string(sl->name) : json_null());
  json_object_set_new(o, "salary_min", int_col(st, 12));
  json_object_set_new(o, "salary_max", int_col(st, 13));
  json_object_set_new(o, "education", text_col(st, 14));
  json_object_set_new(o, "age_min", int_col(st, 15));
  json_object_set_new(o, "age_max", int_col(st, 16));
  json_object_set_new(o, "needed_by", text_col(st, 17));
  json_object_set_new(o, "shifts", text_col(st, 18));
  json_object_set_new(o, "housing", json_boolean(np_store_col_int64(st, 19) != 0));
  const char *b = np_store_col_text(st, 20);
  json_t *ben = b ? json_loads(b, 0, NULL) : NULL;
  json_object_set_new(o, "benefits", ben && json_is_array(ben) ? ben : json_array());
  if (ben && !json_is_array(ben)) json_decref(ben);
  json_object_set_new(o, "notes", text_col(st, 21));
  json_object_set_new(o, "public", json_boolean(np_store_col_int64(st, 22) != 0));
  json_object_set_new(o, "status", text_col(st, 23));
  json_object_set_new(o, "version", json_integer(np_store_col_int64(st, 24)));
  json_object_set_new(o, "created_at", text_col(st, 25));
  json_object_set_new(o, "updated_at", text_col(st, 26));
  json_object_set_new(o, "closed_at", text_col(st, 27));
  return o;
}

np_err np_firms_demand_get(np_store_t *s, const np_ref_t *ref, int64_t id, json_t **out, np_errdetail_t *err) {
  np_stmt_t *st = NULL;
  bool has = false;
  *out = NULL;
  np_err rc = np_store_prepare(s, DEM_SELECT " WHERE d.id = ?", &st, err);
  if (rc) return rc;
  if ((rc = np_store_bind_int64(st, 1, id)) == NP_OK) rc = np_store_step(st, &has, err);
  if (rc == NP_OK && !has) rc = np_fail(err, NP_ERR_NOT_FOUND, "not_found", "", "no such demand line");
  if (rc == NP_OK && !(*out = row_json(st, ref))) rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  np_store_release(st);
  return rc;
}

np_err np_firms_demand_owner(np_store_t *s, int64_t id, np_firms_demand_owner_t *out, np_errdetail_t *err) {
  np_stmt_t *st = NULL;
  bool has = false;
  memset(out, 0, sizeof *out);
  np_err rc = np_store_prepare(
      s, "SELECT enterprise_id, region_code, status, count, filled, version FROM demands WHERE id = ?", &st, err);
  if (rc) return rc;
  if ((rc = np_store_bind_int64(st, 1, id)) == NP_OK) rc = np_store_step(st, &has, err);
  if (rc == NP_OK && !has) rc = np_fail(err, NP_ERR_NOT_FOUND, "not_found", "", "no such demand line");
  if (rc == NP_OK) {
    out->enterprise_id = np_store_col_int64(st, 0);
    np_strlcpy(out->region_code, np_store_col_text(st, 1) ? np_store_col_text(st, 1) : "", sizeof out->region_code);
    np_strlcpy(out->status, np_store_col_text(st, 2) ? np_store_col_text(st, 2) : "", sizeof out->status);
    out->count = np_store_col_int64(st, 3);
    out->filled = np_store_col_int64(st, 4);
    out->version = np_store_col_int64(st, 5);
  }
  np_store_release(st);
  return rc;
}

/* Appends a demand_events row. */
static np_err add_event(np_store_t *s, const np_audit_entry_t *actor, int64_t id, const char *action,
                        const char *st_before, const char *st_after, json_t *before, json_t *after,
                        np_errdetail_t *err) {
  char now[NP_TS_STRLEN];
  np_firms_dem_now(now);
  char *bj = np_firms_dem_dump(before), *aj = np_firms_dem_dump(after);
  np_stmt_t *st = NULL;
  bool has = false;
  np_err rc = np_store_prepare(s,
                               "INSERT INTO demand_events (demand_id, at, user_id, username, action, status_before, "
                               "status_after, before_json, after_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                               &st, err);
  if (rc == NP_OK) {
    np_store_bind_int64(st, 1, id);
    np_store_bind_text(st, 2, now, NP_STORE_STRLEN);
    actor && actor->user_id ? np_store_bind_int64(st, 3, actor->user_id) : np_store_bind_null(st, 3);
    np_store_bind_text_or_null(st, 4, actor ? actor->username : NULL);
    np_store_bind_text(st, 5, action, NP_STORE_STRLEN);
    np_store_bind_text_or_null(st, 6, st_before);
    np_store_bind_text_or_null(st, 7, st_after);
    np_store_bind_text_or_null(st, 8, bj);
    np_store_bind_text_or_null(st, 9, aj);
    rc = np_store_step(st, &has, err);
  }
  np_store_release(st);
  free(bj);
  free(aj);
  return rc;
}

/* The change feed row, the event and the audit row of one change of line id. */
static np_err record(np_store_t *s, const np_audit_entry_t *actor, int64_t id, const char *event_action,
                     const char *audit_action, const char *op, json_t *before, json_t *after, np_errdetail_t *err) {
  char pid[NP_FIRMS_DEMAND_ID_LEN];
  np_id_format(NP_ID_DEMAND, id, pid, sizeof pid);
  const char *sb = before ? json_string_value(json_object_get(before, "status")) : NULL;
  const char *sa = after ? json_string_value(json_object_get(after, "status")) : NULL;
  np_err rc = add_event(s, actor, id, event_action, sb, sa, before, after, err);
  if (rc == NP_OK) rc = np_store_change(s, "demand", pid, op, NULL, err);
  if (rc == NP_OK) rc = np_firms_dem_audit(s, actor, audit_action, "demand", pid, before, after, NULL, err);
  return rc;
}

np_err np_firms_demand_create(np_store_t *s, const np_ref_t *ref, const np_audit_entry_t *actor,
                              const np_firms_ent_ref_t *ent, const json_t *body, np_date_t today, int64_t *id_out,
                              json_t **out, np_errdetail_t *err) {
  line_t L;
  np_err rc;
  int64_t id = 0;
  json_t *after = NULL;
  if (out) *out = NULL;
  if ((rc = np_json_check_keys(body, create_keys, err))) return rc;
  if ((rc = parse_line(ref, body, today, true, &L, err))) goto done;
  char now[NP_TS_STRLEN];
  np_firms_dem_now(now);
  if ((rc = np_store_begin(s, err))) goto done;
  np_stmt_t *st = NULL;
  bool has = false;
  rc = np_store_prepare(s,
                        "INSERT INTO demands (enterprise_id, region_code, county_code, city_code, industry_code, "
                        "occupation_code, count, filled, open_count, skill_level, salary_min, salary_max, education, "
                        "age_min, age_max, needed_by, shifts, housing, benefits, notes, is_public, status, version, "
                        "created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, "
                        "?, ?, ?, ?, ?, 'open', 1, ?, ?, ?) RETURNING id",
                        &st, err);
  if (rc == NP_OK) {
    int i = 0;
    np_store_bind_int64(st, ++i, ent->id);
    np_store_bind_text(st, ++i, ent->region_code, NP_STORE_STRLEN);
    np_store_bind_text(st, ++i, ent->county_code, NP_STORE_STRLEN);
    np_store_bind_text(st, ++i, ent->city_code, NP_STORE_STRLEN);
    np_store_bind_text(st, ++i, ent->industry_code, NP_STORE_STRLEN);
    np_store_bind_text(st, ++i, L.occupation_code, NP_STORE_STRLEN);
    np_store_bind_int64(st, ++i, L.count);
    np_store_bind_int64(st, ++i, L.count);
    L.skill_level ? np_store_bind_int64(st, ++i, L.skill_level) : np_store_bind_null(st, ++i);
    L.salary_min ? np_store_bind_int64(st, ++i, L.salary_min) : np_store_bind_null(st, ++i);
    L.salary_max ? np_store_bind_int64(st, ++i, L.salary_max) : np_store_bind_null(st, ++i);
    np_store_bind_text_or_null(st, ++i, L.education);
    L.age_min ? np_store_bind_int64(st, ++i, L.age_min) : np_store_bind_null(st, ++i);
    L.age_max ? np_store_bind_int64(st, ++i, L.age_max) : np_store_bind_null(st, ++i);
    np_store_bind_text_or_null(st, ++i, L.has_needed_by ? L.needed_by_text : NULL);
    np_store_bind_text_or_null(st, ++i, L.shifts);
    np_store_bind_int64(st, ++i, L.housing ? 1 : 0);
    np_store_bind_text_or_null(st, ++i, L.benefits_json);
    np_store_bind_text_or_null(st, ++i, L.notes);
    np_store_bind_int64(st, ++i, L.is_public ? 1 : 0);
    actor && actor->user_id ? np_store_bind_int64(st, ++i, actor->user_id) : np_store_bind_null(st, ++i);
    np_store_bind_text(st, ++i, now, NP_STORE_STRLEN);
    np_store_bind_text(st, ++i, now, NP_STORE_STRLEN);
    rc = np_store_step(st, &has, err);
    if (rc == NP_OK && has) id = np_store_col_int64(st, 0);
    if (rc == NP_OK) {
      /* run to the end (RETURNING) */
      bool more = false;
      rc = np_store_step(st, &more, err);
    }
  }
  np_store_release(st);
  if (rc == NP_OK && id <= 0) rc = np_fail(err, NP_ERR_STORE, "store", "", "insert returned no id");
  if (rc == NP_OK) rc = np_firms_demand_get(s, ref, id, &after, err);
  if (rc == NP_OK) rc = record(s, actor, id, DEM_EV_CREATE, "demand.create", "insert", NULL, after, err);
  if (rc == NP_OK) rc = np_firms_open_openings_refresh(s, ent->id, NULL, err);
  if (rc == NP_OK) rc = np_store_commit(s, err);
  if (rc) np_store_rollback(s);
done:
  free(L.benefits_json);
  if (rc == NP_OK) {
    if (id_out) *id_out = id;
    if (out) *out = after;
    else json_decref(after);
  } else {
    json_decref(after);
  }
  return rc;
}

/* The editable fields of a line as a create body (for merging a PATCH). */
static json_t *editable(const json_t *row) {
  static const char *const keys[] = {"occupation_code", "count",   "skill_level", "salary_min", "salary_max",
                                     "education",       "age_min", "age_max",     "needed_by",  "shifts",
                                     "housing",         "benefits", "notes",      "public",     NULL};
  json_t *o = json_object();
  for (size_t i = 0; o && keys[i]; i++) {
    json_t *v = json_object_get(row, keys[i]);
    if (v && !json_is_null(v)) json_object_set(o, keys[i], v);
  }
  return o;
}

static const char *derived_status(int64_t count, int64_t filled) {
  return filled >= count ? "filled" : filled > 0 ? "partly_filled" : "open";
}

np_err np_firms_demand_patch(np_store_t *s, const np_ref_t *ref, const np_audit_entry_t *actor, int64_t id,
                             const json_t *body, np_date_t today, json_t **out, np_errdetail_t *err) {
  np_err rc;
  json_t *before = NULL, *after = NULL, *merged = NULL;
  line_t L = {0};
  int64_t version = 0;
  const char *status = NULL;
  if (out) *out = NULL;
  if ((rc = np_json_check_keys(body, patch_keys, err))) return rc;
  if ((rc = np_json_get_int(body, "version", NP_JSON_REQUIRED, 1, INT64_MAX, &version, NULL, err))) return rc;
  if ((rc = np_json_get_str(body, "status", 0, 1, 16, &status, NULL, err))) return rc;
  if ((rc = np_store_begin(s, err))) return rc;
  if ((rc = np_firms_demand_get(s, ref, id, &before, err))) goto out;
  const char *cur = json_string_value(json_object_get(before, "status"));
  if (np_firms_demand_status_final(cur)) {
    rc = np_fail(err, NP_ERR_CONFLICT, "final", "status", "the line is %s: it cannot change any more", cur);
    goto out;
  }
  if (json_integer_value(json_object_get(before, "version")) != version) {
    rc = np_fail(err, NP_ERR_CONFLICT, "stale", "version", "the line was changed by someone else: reload it");
    goto out;
  }
  bool cancel = false;
  if (status && strcmp(status, cur) != 0) {
    if (strcmp(status, "cancelled") != 0) {
      rc = np_fail(err, NP_ERR_INVALID, "transition", "status",
                   "status can only be set to cancelled; filled follows from hires and expired from needed_by");
      goto out;
    }
    cancel = true;
  }
  merged = editable(before);
  if (!merged) {
    rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
    goto out;
  }
  const char *key;
  json_t *v, *mbody = NULL;
  memcpy(&mbody, &body, sizeof mbody); /* jansson iterates non-const objects only; nothing is modified */
  json_object_foreach(mbody, key, v) {
    if (strcmp(key, "version") == 0 || strcmp(key, "status") == 0) continue;
    if (json_is_null(v)) json_object_del(merged, key);
    else json_object_set(merged, key, v);
  }
  const char *old_nb = json_string_value(json_object_get(before, "needed_by"));
  const char *new_nb = json_string_value(json_object_get(body, "needed_by"));
  bool nb_changed = new_nb && (!old_nb || strcmp(old_nb, new_nb) != 0);
  if ((rc = parse_line(ref, merged, today, nb_changed, &L, err))) goto out;
  int64_t filled = json_integer_value(json_object_get(before, "filled"));
  if (L.count < filled) {
    rc = np_fail(err, NP_ERR_CONFLICT, "count_below_filled", "count",
                 "count cannot go below the %" PRId64 " hires already recorded", filled);
    goto out;
  }
  const char *new_status = cancel ? "cancelled" : derived_status(L.count, filled);
  bool closing = np_firms_demand_status_final(new_status);
  int64_t open_count = closing ? 0 : L.count - filled;
  char now[NP_TS_STRLEN];
  np_firms_dem_now(now);
  np_stmt_t *st = NULL;
  rc = np_store_prepare(s,
                        "UPDATE demands SET occupation_code = ?, count = ?, open_count = ?, skill_level = ?, "
                        "salary_min = ?, salary_max = ?, education = ?, age_min = ?, age_max = ?, needed_by = ?, "
                        "shifts = ?, housing = ?, benefits = ?, notes = ?, is_public = ?, status = ?, "
                        "version = version + 1, updated_at = ?, closed_at = ? WHERE id = ? AND version = ?",
                        &st, err);
  if (rc == NP_OK) {
    int i = 0;
    bool has = false;
    np_store_bind_text(st, ++i, L.occupation_code, NP_STORE_STRLEN);
    np_store_bind_int64(st, ++i, L.count);
    np_store_bind_int64(st, ++i, open_count);
    L.skill_level ? np_store_bind_int64(st, ++i, L.skill_level) : np_store_bind_null(st, ++i);
    L.salary_min ? np_store_bind_int64(st, ++i, L.salary_min) : np_store_bind_null(st, ++i);
    L.salary_max ? np_store_bind_int64(st, ++i, L.salary_max) : np_store_bind_null(st, ++i);
    np_store_bind_text_or_null(st, ++i, L.education);
    L.age_min ? np_store_bind_int64(st, ++i, L.age_min) : np_store_bind_null(st, ++i);
    L.age_max ? np_store_bind_int64(st, ++i, L.age_max) : np_store_bind_null(st, ++i);
    np_store_bind_text_or_null(st, ++i, L.has_needed_by ? L.needed_by_text : NULL);
    np_store_bind_text_or_null(st, ++i, L.shifts);
    np_store_bind_int64(st, ++i, L.housing ? 1 : 0);
    np_store_bind_text_or_null(st, ++i, L.benefits_json);
    np_store_bind_text_or_null(st, ++i, L.notes);
    np_store_bind_int64(st, ++i, L.is_public ? 1 : 0);
    np_store_bind_text(st, ++i, new_status, NP_STORE_STRLEN);
    np_store_bind_text(st, ++i, now, NP_STORE_STRLEN);
    np_store_bind_text_or_null(st, ++i, closing ? now : NULL);
    np_store_bind_int64(st, ++i, id);
    np_store_bind_int64(st, ++i, version);
    rc = np_store_step(st, &has, err);
  }
  np_store_release(st);
  if (rc == NP_OK && np_store_changes(s) != 1)
    rc = np_fail(err, NP_ERR_CONFLICT, "stale", "version", "the line was changed by someone else: reload it");
  if (rc == NP_OK) rc = np_firms_demand_get(s, ref, id, &after, err);
  if (rc == NP_OK)
    rc = record(s, actor, id, cancel ? DEM_EV_STATUS : DEM_EV_UPDATE, cancel ? "demand.cancel" : "demand.update", "update", before,
                after, err);
  if (rc == NP_OK) {
    int64_t ent = 0;
    np_id_parse(NP_ID_ENTERPRISE, json_string_value(json_object_get(after, "enterprise_id")), &ent);
    rc = np_firms_open_openings_refresh(s, ent, NULL, err);
  }
  if (rc == NP_OK) rc = np_store_commit(s, err);
out:
  if (rc) np_store_rollback(s);
  free(L.benefits_json);
  json_decref(before);
  json_decref(merged);
  if (rc == NP_OK && out) *out = after;
  else json_decref(after);
  return rc;
}

np_err np_firms_demand_apply_hire(np_store_t *s, const np_ref_t *ref, const np_audit_entry_t *actor, int64_t id,
                                  int64_t n, json_t **before, json_t **after, np_errdetail_t *err) {
  np_err rc;
  *before = *after = NULL;
  if ((rc = np_firms_demand_get(s, ref, id, before, err))) return rc;
  const char *cur = json_string_value(json_object_get(*before, "status"));
  if (np_firms_demand_status_final(cur))
    return np_fail(err, NP_ERR_CONFLICT, "final", "status", "the line is %s: no more hires can be recorded", cur);
  char now[NP_TS_STRLEN];
  np_firms_dem_now(now);
  /* one conditional statement: safe under concurrent hires on either engine */
  rc = np_store_execf(s, NULL, err,
                      "UPDATE demands SET filled = filled + ?, "
                      "status = CASE WHEN filled + ? >= count THEN 'filled' ELSE 'partly_filled' END, "
                      "open_count = CASE WHEN filled + ? >= count THEN 0 ELSE count - filled - ? END, "
                      "closed_at = CASE WHEN filled + ? >= count THEN ? ELSE closed_at END, "
                      "version = version + 1, updated_at = ? "
                      "WHERE id = ? AND filled + ? <= count AND status IN ('open', 'partly_filled')",
                      "iiiiittii", n, n, n, n, n, now, now, id, n);
  if (rc) return rc;
  if (np_store_changes(s) != 1) {
    int64_t left = json_integer_value(json_object_get(*before, "count")) -
                   json_integer_value(json_object_get(*before, "filled"));
    return np_fail(err, NP_ERR_CONFLICT, "over_count", "count",
                   "only %" PRId64 " openings are left on this line", left);
  }
  if ((rc = np_firms_demand_get(s, ref, id, after, err))) return rc;
  rc = record(s, actor, id, DEM_EV_HIRE, "demand.hire", "update", *before, *after, err);
  if (rc == NP_OK) {
    int64_t ent = 0;
    np_id_parse(NP_ID_ENTERPRISE, json_string_value(json_object_get(*after, "enterprise_id")), &ent);
    rc = np_firms_open_openings_refresh(s, ent, NULL, err);
  }
  return rc;
}

np_err np_firms_demand_history(np_store_t *s, int64_t id, json_t **items, np_errdetail_t *err) {
  np_stmt_t *st = NULL;
  bool has = false;
  *items = json_array();
  if (!*items) return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  np_err rc = np_store_prepare(s,
                               "SELECT at, user_id, username, action, status_before, status_after, before_json, "
                               "after_json FROM demand_events WHERE demand_id = ? ORDER BY id",
                               &st, err);
  if (rc == NP_OK) rc = np_store_bind_int64(st, 1, id);
  while (rc == NP_OK && (rc = np_store_step(st, &has, err)) == NP_OK && has) {
    char uid[32];
    json_t *o = json_object();
    if (!o) {
      rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
      break;
    }
    json_object_set_new(o, "at", text_col(st, 0));
    json_object_set_new(o, "user_id", np_store_col_is_null(st, 1)
                                          ? json_null()
                                          : json_string(np_id_format(NP_ID_USER, np_store_col_int64(st, 1), uid,
                                                                     sizeof uid)));
    json_object_set_new(o, "username", text_col(st, 2));
    json_object_set_new(o, "action", text_col(st, 3));
    json_object_set_new(o, "status_before", text_col(st, 4));
    json_object_set_new(o, "status_after", text_col(st, 5));
    const char *b = np_store_col_text(st, 6), *a = np_store_col_text(st, 7);
    json_t *bj = b ? json_loads(b, 0, NULL) : NULL, *aj = a ? json_loads(a, 0, NULL) : NULL;
    json_object_set_new(o, "before", bj ? bj : json_null());
    json_object_set_new(o, "after", aj ? aj : json_null());
    json_array_append_new(*items, o);
  }
  np_store_release(st);
  if (rc) {
    json_decref(*items);
    *items = NULL;
  }
  return rc;
}

/* ---- lists ---- */

#define MAX_BINDS 16
typedef struct where {
  char sql[1024];
  size_t len;
  int n;
  bool is_int[MAX_BINDS];
  int64_t i[MAX_BINDS];
  const char *t[MAX_BINDS];
  char texts[4][64];
  bool needs_join;
} where_t;

static void w_add(where_t *w, const char *sql) {
  int k = snprintf(w->sql + w->len, sizeof w->sql - w->len, " AND %s", sql);
  if (k > 0 && (size_t)k < sizeof w->sql - w->len) w->len += (size_t)k;
}
static void w_int(where_t *w, int64_t v) {
  if (w->n < MAX_BINDS) w->is_int[w->n] = true, w->i[w->n++] = v;
}
static void w_text(where_t *w, const char *v) {
  if (w->n < MAX_BINDS) w->is_int[w->n] = false, w->t[w->n++] = v;
}

/* LIKE pattern "abc%" with LIKE's specials escaped, into buf. */
static const char *prefix_pattern(const char *s, char *buf, size_t cap) {
  size_t o = 0;
  for (; *s && o + 3 < cap; s++) {
    if (*s == '%' || *s == '_' || *s == '\\') buf[o++] = '\\';
    buf[o++] = *s;
  }
  buf[o++] = '%';
  buf[o] = '\0';
  return buf;
}

static np_err build_where(const np_firms_demand_filter_t *f, where_t *w, np_errdetail_t *err) {
  memset(w, 0, sizeof *w);
  np_scope_sql_t q;
  np_scope_cols_t cols = {.region = "d.region_code", .enterprise = "d.enterprise_id"};
  if (!f->scope) return np_fail(err, NP_ERR_INTERNAL, "internal", "", "no scope");
  np_err rc = np_authz_scope_sql(f->scope, &cols, &q);
  if (rc) return np_fail(err, rc, "internal", "", "scope");
  if (q.sql[0]) {
    /* q.sql starts with " AND " */
    int k = snprintf(w->sql + w->len, sizeof w->sql - w->len, "%s", q.sql);
    if (k > 0) w->len += (size_t)k;
    for (int i = 0; i < q.nbinds; i++) {
      if (q.binds[i].is_int) w_int(w, q.binds[i].i);
      else {
        np_strlcpy(w->texts[0], q.binds[i].t, sizeof w->texts[0]);
        w_text(w, w->texts[0]);
      }
    }
  }
  if (f->region_prefix && *f->region_prefix) {
    size_t n = strlen(f->region_prefix);
    if (n == 4) {
      snprintf(w->texts[1], sizeof w->texts[1], "%s00", f->region_prefix);
      w_add(w, "d.city_code = ?");
      w_text(w, w->texts[1]);
    } else if (n == 6) {
      w_add(w, "d.county_code = ?");
      w_text(w, f->region_prefix);
    } else if (n > 6) {
      w_add(w, "d.region_code LIKE ? ESCAPE '\\'");
      w_text(w, prefix_pattern(f->region_prefix, w->texts[2], sizeof w->texts[2]));
    }
  }
  if (f->occupation_prefix && *f->occupation_prefix) {
    w_add(w, "d.occupation_code LIKE ? ESCAPE '\\'");
    w_text(w, prefix_pattern(f->occupation_prefix, w->texts[3], sizeof w->texts[3]));
  }
  if (f->skill_level) {
    w_add(w, "d.skill_level = ?");
    w_int(w, f->skill_level);
  }
  if (f->statuses[0]) {
    char in[128] = "d.status IN (";
    for (int i = 0; i < 5 && f->statuses[i]; i++) {
      np_strlcpy(in + strlen(in), i ? ", ?" : "?", sizeof in - strlen(in));
      w_text(w, f->statuses[i]);
    }
    np_strlcpy(in + strlen(in), ")", sizeof in - strlen(in));
    w_add(w, in);
  }
  return NP_OK;
}

static np_err bind_where(np_stmt_t *st, const where_t *w, const char *needed_before, int *idx) {
  np_err rc = NP_OK;
  for (int i = 0; rc == NP_OK && i < w->n; i++)
    rc = w->is_int[i] ? np_store_bind_int64(st, ++*idx, w->i[i]) : np_store_bind_text(st, ++*idx, w->t[i], NP_STORE_STRLEN);
  (void)needed_before;
  return rc;
}

/* build_where with needed_before bound at its place. */
static np_err build_where_full(const np_firms_demand_filter_t *f, where_t *w, char nb[NP_DATE_STRLEN],
                               np_errdetail_t *err) {
  np_firms_demand_filter_t g = *f;
  g.has_needed_before = false;
  g.enterprise_id = 0;
  g.is_key = -1;
  np_err rc = build_where(&g, w, err);
  if (rc) return rc;
  if (f->has_needed_before) {
    np_date_format(f->needed_before, nb, NP_DATE_STRLEN);
    w_add(w, "d.needed_by IS NOT NULL AND d.needed_by < ?");
    w_text(w, nb);
  }
  if (f->enterprise_id) {
    w_add(w, "d.enterprise_id = ?");
    w_int(w, f->enterprise_id);
  }
  if (f->is_key == 0 || f->is_key == 1) {
    w_add(w, "e.is_key = ?");
    w_int(w, f->is_key);
    w->needs_join = true;
  }
  return NP_OK;
}

np_err np_firms_demand_list(np_store_t *s, const np_ref_t *ref, const np_firms_demand_filter_t *f, json_t **out,
                            np_errdetail_t *err) {
  where_t w;
  char nb[NP_DATE_STRLEN];
  np_stmt_t *st = NULL;
  bool has = false;
  int64_t total = 0, n = 0, last = 0;
  bool more = false;
  json_t *items = NULL;
  char sql[2048];
  *out = NULL;
  np_err rc = build_where_full(f, &w, nb, err);
  if (rc) return rc;
  snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM demands d%s WHERE 1 = 1%s",
           w.needs_join ? " JOIN enterprises e ON e.id = d.enterprise_id" : "", w.sql);
  np_store_bindv_t bv[MAX_BINDS];
  for (int k = 0; k < w.n; k++) bv[k] = (np_store_bindv_t){.is_int = w.is_int[k], .i = w.i[k], .t = w.t[k]};
  if ((rc = np_store_count_memo(s, sql, bv, w.n, &total, err))) goto out; /* paging re-asks the same total */
  int idx = 0;
  snprintf(sql, sizeof sql, DEM_SELECT " WHERE 1 = 1%s%s ORDER BY d.id DESC LIMIT ?", w.sql,
           f->cursor ? " AND d.id < ?" : "");
  idx = 0;
  if ((rc = np_store_prepare(s, sql, &st, err)) || (rc = bind_where(st, &w, nb, &idx)) ||
      (f->cursor && (rc = np_store_bind_int64(st, ++idx, f->cursor))) ||
      (rc = np_store_bind_int64(st, ++idx, f->limit + 1)))
    goto out;
  if (!(items = json_array())) {
    rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
    goto out;
  }
  while ((rc = np_store_step(st, &has, err)) == NP_OK && has) {
    if (n == f->limit) {
      more = true;
      break;
    }
    json_t *o = row_json(st, ref);
    if (!o || json_array_append_new(items, o)) {
      rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
      break;
    }
    last = np_store_col_int64(st, 0);
    n++;
  }
  if (rc) goto out;
  char cur[24];
  snprintf(cur, sizeof cur, "%" PRId64, last);
  *out = json_pack("{s:o, s:I, s:o}", "items", items, "total", (json_int_t)total, "next_cursor",
                   more ? json_string(cur) : json_null());
  items = NULL;
  if (!*out) rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
out:
  np_store_release(st);
  json_decref(items);
  return rc;
}

np_err np_firms_demand_each(np_store_t *s, const np_ref_t *ref, const np_firms_demand_filter_t *f,
                            int (*fn)(const json_t *line, void *ctx), void *ctx, np_errdetail_t *err) {
  where_t w;
  char nb[NP_DATE_STRLEN], sql[2048];
  np_stmt_t *st = NULL;
  bool has = false;
  np_err rc = build_where_full(f, &w, nb, err);
  if (rc) return rc;
  snprintf(sql, sizeof sql, DEM_SELECT " WHERE 1 = 1%s ORDER BY d.id DESC", w.sql);
  int idx = 0;
  if ((rc = np_store_prepare(s, sql, &st, err)) || (rc = bind_where(st, &w, nb, &idx))) goto out;
  while ((rc = np_store_step(st, &has, err)) == NP_OK && has) {
    json_t *o = row_json(st, ref);
    if (!o) {
      rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
      break;
    }
    int stop = fn(o, ctx);
    json_decref(o);
    if (stop) break;
  }
out:
  np_store_release(st);
  return rc;
}

/* ---- expiry ---- */

np_err np_firms_demands_expire(np_store_t *s, np_date_t today, int64_t *expired, np_errdetail_t *err) {
  char td[NP_DATE_STRLEN], now[NP_TS_STRLEN], detail[96];
  np_date_format(today, td, sizeof td);
  np_firms_dem_now(now);
  int64_t n = 0;
  int64_t *ids = NULL, *ents = NULL;
  size_t cap = 0;
  np_stmt_t *st = NULL;
  bool has = false;
  if (expired) *expired = 0;
  np_err rc = np_store_begin(s, err);
  if (rc) return rc;
  rc = np_store_prepare(s,
                        "SELECT id, enterprise_id FROM demands WHERE status IN ('open', 'partly_filled') AND "
                        "needed_by IS NOT NULL AND needed_by < ?",
                        &st, err);
  if (rc == NP_OK) rc = np_store_bind_text(st, 1, td, NP_STORE_STRLEN);
  while (rc == NP_OK && (rc = np_store_step(st, &has, err)) == NP_OK && has) {
    if ((size_t)n == cap) {
      size_t nc = cap ? cap * 2 : 256;
      int64_t *a = realloc(ids, nc * sizeof *a), *b = a ? realloc(ents, nc * sizeof *b) : NULL;
      if (a) ids = a;
      if (b) ents = b;
      if (!a || !b) {
        rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
        break;
      }
      cap = nc;
    }
    ids[n] = np_store_col_int64(st, 0);
    ents[n] = np_store_col_int64(st, 1);
    n++;
  }
  np_store_release(st);
  st = NULL;
  for (int64_t i = 0; rc == NP_OK && i < n; i++) {
    char pid[NP_FIRMS_DEMAND_ID_LEN];
    rc = np_store_execf(s, NULL, err,
                        "UPDATE demands SET status = 'expired', open_count = 0, closed_at = ?, updated_at = ?, "
                        "version = version + 1 WHERE id = ?",
                        "tti", now, now, ids[i]);
    if (rc == NP_OK)
      rc = np_store_execf(s, NULL, err,
                          "INSERT INTO demand_events (demand_id, at, action, status_before, status_after, after_json) "
                          "SELECT id, ?, ?, NULL, 'expired', ? FROM demands WHERE id = ?",
                          "ttti", now, np_firms_demand_actions[4], "{\"status\":\"expired\"}", ids[i]);
    if (rc == NP_OK) rc = np_store_change(s, "demand", np_id_format(NP_ID_DEMAND, ids[i], pid, sizeof pid), "update", NULL, err);
  }
  /* enterprises: once each (ents are not sorted; refreshing twice is harmless) */
  for (int64_t i = 0; rc == NP_OK && i < n; i++)
    if (i == 0 || ents[i] != ents[i - 1]) rc = np_firms_open_openings_refresh(s, ents[i], NULL, err);
  if (rc == NP_OK && n > 0) {
    snprintf(detail, sizeof detail, "expired %" PRId64 " lines needed before %s", n, td);
    np_audit_entry_t sys = {.username = "system"};
    rc = np_firms_dem_audit(s, &sys, "demand.expire", "demand", NULL, NULL, NULL, detail, err);
  }
  if (rc == NP_OK) rc = np_store_commit(s, err);
  else np_store_rollback(s);
  free(ids);
  free(ents);
  if (rc == NP_OK && expired) *expired = n;
  return rc;
}

static _Atomic int32_t last_sweep_day = INT32_MIN;

np_err np_firms_demands_expire_daily(np_store_t *s, np_date_t today, np_errdetail_t *err) {
  int32_t prev = atomic_load(&last_sweep_day);
  if (prev == today.days) return NP_OK;
  if (!atomic_compare_exchange_strong(&last_sweep_day, &prev, today.days)) return NP_OK;
  np_err rc = np_firms_demands_expire(s, today, NULL, err);
  if (rc) atomic_store(&last_sweep_day, prev); /* try again on the next request */
  return rc;
}
