/* 一企一策 measures, progress notes and the overdue list (see plans.h). */
#include "firms/plans.h"
#include "firms/dicts.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "auth/users.h"
#include "core/ids.h"
#include "core/json.h"
#include "core/str.h"

const char *const np_firms_measure_types[] = {"special_recruitment", "labour_cooperation", "training_order",
                                              "labour_sharing",      "policy_support",     "other",
                                              NULL};
const char *const np_firms_measure_statuses[] = {"planned", "in_progress", "done", "cancelled", NULL};

static bool in_dict(const char *v, const char *const *d) {
  for (size_t i = 0; v && d[i]; i++)
    if (strcmp(v, d[i]) == 0) return true;
  return false;
}
static bool is_final(const char *st) { return st && (strcmp(st, "done") == 0 || strcmp(st, "cancelled") == 0); }

#define MSR_COLS                                                                                                 \
  "m.id, m.enterprise_id, e.name, m.region_code, m.type, m.title, m.detail, m.owner_user_id, m.owner_name, "    \
  "m.owner_region_code, m.deadline, m.status, m.version, m.created_at, m.updated_at, m.done_at"
#define MSR_FROM " FROM plan_measures m JOIN enterprises e ON e.id = m.enterprise_id"

static json_t *tcol(np_stmt_t *st, int c) {
  const char *s = np_store_col_text(st, c);
  return s ? json_string(s) : json_null();
}

static json_t *measure_json(np_stmt_t *st, const np_ref_t *ref, np_date_t today) {
  char id[32];
  json_t *o = json_object();
  if (!o) return NULL;
  json_object_set_new(o, "id", json_string(np_id_format(NP_ID_MEASURE, np_store_col_int64(st, 0), id, sizeof id)));
  json_object_set_new(o, "enterprise_id",
                      json_string(np_id_format(NP_ID_ENTERPRISE, np_store_col_int64(st, 1), id, sizeof id)));
  json_object_set_new(o, "enterprise_name", tcol(st, 2));
  json_object_set_new(o, "region_code", tcol(st, 3));
  json_object_set_new(o, "type", tcol(st, 4));
  json_object_set_new(o, "title", tcol(st, 5));
  json_object_set_new(o, "detail", tcol(st, 6));
  json_object_set_new(o, "owner_user_id", np_store_col_is_null(st, 7)
                                              ? json_null()
                                              : json_string(np_id_format(NP_ID_USER, np_store_col_int64(st, 7), id,
                                                                         sizeof id)));
  json_object_set_new(o, "owner_name", tcol(st, 8));
  const char *orc = np_store_col_text(st, 9);
  json_object_set_new(o, "owner_region_code", tcol(st, 9));
  const np_region_t *r = ref && orc ? np_ref_region(ref, orc) : NULL;
  json_object_set_new(o, "owner_region_name", r ? json_string(r->name) : json_null());
  const char *dl = np_store_col_text(st, 10), *status = np_store_col_text(st, 11);
  json_object_set_new(o, "deadline", tcol(st, 10));
  json_object_set_new(o, "status", tcol(st, 11));
  np_date_t d;
  bool overdue = dl && np_date_parse(dl, strlen(dl), &d) == NP_OK && d.days < today.days && !is_final(status);
  json_object_set_new(o, "overdue", json_boolean(overdue));
  json_object_set_new(o, "days_overdue", json_integer(overdue ? np_date_days_between(d, today) : 0));
  json_object_set_new(o, "version", json_integer(np_store_col_int64(st, 12)));
  json_object_set_new(o, "created_at", tcol(st, 13));
  json_object_set_new(o, "updated_at", tcol(st, 14));
  json_object_set_new(o, "done_at", tcol(st, 15));
  return o;
}

static np_err notes_of(np_store_t *s, int64_t id, json_t **out, np_errdetail_t *err) {
  np_stmt_t *st = NULL;
  bool has = false;
  char uid[32];
  *out = json_array();
  if (!*out) return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  np_err rc = np_store_prepare(s,
                               "SELECT at, user_id, username, note, status_before, status_after FROM "
                               "plan_measure_notes WHERE measure_id = ? ORDER BY id",
                               &st, err);
  if (rc == NP_OK) rc = np_store_bind_int64(st, 1, id);
  while (rc == NP_OK && (rc = np_store_step(st, &has, err)) == NP_OK && has)
    json_array_append_new(
        *out, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "at", tcol(st, 0), "user_id",
                        np_store_col_is_null(st, 1)
                            ? json_null()
                            : json_string(np_id_format(NP_ID_USER, np_store_col_int64(st, 1), uid, sizeof uid)),
                        "username", tcol(st, 2), "note", tcol(st, 3), "status_before", tcol(st, 4), "status_after",
                        tcol(st, 5)));
  np_store_release(st);
  return rc;
}

static np_err measure_get(np_store_t *s, const np_ref_t *ref, int64_t id, np_date_t today, bool with_notes,
                          json_t **out, np_errdetail_t *err) {
  np_stmt_t *st = NULL;
  bool has = false;
  *out = NULL;
  np_err rc = np_store_prepare(s, "SELECT " MSR_COLS MSR_FROM " WHERE m.id = ?", &st, err);
  if (rc == NP_OK) rc = np_store_bind_int64(st, 1, id);
  if (rc == NP_OK) rc = np_store_step(st, &has, err);
  if (rc == NP_OK && !has) rc = np_fail(err, NP_ERR_NOT_FOUND, "not_found", "", "no such measure");
  if (rc == NP_OK && !(*out = measure_json(st, ref, today))) rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  np_store_release(st);
  if (rc == NP_OK && with_notes) {
    json_t *notes = NULL;
    if ((rc = notes_of(s, id, &notes, err)) == NP_OK) json_object_set_new(*out, "notes", notes);
    else json_decref(notes);
  }
  if (rc) {
    json_decref(*out);
    *out = NULL;
  }
  return rc;
}

np_err np_firms_plan_get(np_store_t *s, const np_ref_t *ref, const np_firms_ent_ref_t *ent, np_date_t today,
                         json_t **out, np_errdetail_t *err) {
  np_stmt_t *st = NULL;
  bool has = false;
  int64_t overdue = 0;
  char eid[32];
  json_t *ms = json_array();
  *out = NULL;
  if (!ms) return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  np_err rc = np_store_prepare(s, "SELECT " MSR_COLS MSR_FROM " WHERE m.enterprise_id = ? ORDER BY m.deadline, m.id",
                               &st, err);
  if (rc == NP_OK) rc = np_store_bind_int64(st, 1, ent->id);
  while (rc == NP_OK && (rc = np_store_step(st, &has, err)) == NP_OK && has) {
    json_t *m = measure_json(st, ref, today);
    if (!m || json_array_append_new(ms, m)) {
      rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
      break;
    }
    if (json_is_true(json_object_get(m, "overdue"))) overdue++;
  }
  np_store_release(st);
  size_t i;
  json_t *m;
  json_array_foreach(ms, i, m) {
    if (rc) break;
    int64_t mid = 0;
    json_t *notes = NULL;
    np_id_parse(NP_ID_MEASURE, json_string_value(json_object_get(m, "id")), &mid);
    if ((rc = notes_of(s, mid, &notes, err)) == NP_OK) json_object_set_new(m, "notes", notes);
    else json_decref(notes);
  }
  if (rc == NP_OK) {
    *out = json_pack("{s:s, s:s, s:I, s:I, s:o}", "enterprise_id", np_id_format(NP_ID_ENTERPRISE, ent->id, eid, sizeof eid),
                     "enterprise_name", ent->name, "open_openings", (json_int_t)ent->open_openings, "overdue",
                     (json_int_t)overdue, "measures", ms);
    ms = NULL;
    if (!*out) rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  }
  json_decref(ms);
  return rc;
}

/* owner_region_code: a known province, city or county-level code (a bureau). */
static np_err check_bureau(const np_ref_t *ref, const char *code, np_errdetail_t *err) {
  const np_region_t *r = ref && code ? np_ref_region(ref, code) : NULL;
  if (!r || r->level > NP_REGION_COUNTY)
    return np_fail(err, NP_ERR_INVALID, "unknown_region", "owner_region_code",
                   "owner_region_code must be the 6-digit code of the province, a city or a county-level unit");
  return NP_OK;
}

static np_err add_note(np_store_t *s, const np_audit_entry_t *actor, int64_t id, const char *note, const char *sb,
                       const char *sa, np_errdetail_t *err) {
  char now[NP_TS_STRLEN];
  np_firms_dem_now(now);
  np_stmt_t *st = NULL;
  bool has = false;
  np_err rc = np_store_prepare(s,
                               "INSERT INTO plan_measure_notes (measure_id, at, user_id, username, note, status_before, "
                               "status_after) VALUES (?, ?, ?, ?, ?, ?, ?)",
                               &st, err);
  if (rc == NP_OK) {
    np_store_bind_int64(st, 1, id);
    np_store_bind_text(st, 2, now, NP_STORE_STRLEN);
    actor && actor->user_id ? np_store_bind_int64(st, 3, actor->user_id) : np_store_bind_null(st, 3);
    np_store_bind_text_or_null(st, 4, actor ? actor->username : NULL);
    np_store_bind_text_or_null(st, 5, note);
    np_store_bind_text_or_null(st, 6, sb);
    np_store_bind_text_or_null(st, 7, sa);
    rc = np_store_step(st, &has, err);
  }
  np_store_release(st);
  return rc;
}

static const char *const create_keys[] = {"type",     "title",  "detail", "owner_user_id", "owner_name", "owner_region_code",
                                          "deadline", "status", "note",   NULL};
static const char *const patch_keys[] = {"version",    "status",   "note", "deadline", "title", "detail", "owner_name",
                                         "owner_region_code", NULL};

np_err np_firms_measure_create(np_store_t *s, const np_ref_t *ref, const np_audit_entry_t *actor,
                               const np_firms_ent_ref_t *ent, const json_t *body, np_date_t today, json_t **out,
                               np_errdetail_t *err) {
  const char *type = NULL, *title = NULL, *detail = NULL, *owner_uid = NULL, *owner_name = NULL, *orc = NULL,
             *status = "planned", *note = NULL;
  np_date_t deadline;
  np_err rc;
  np_user_t u;
  int64_t uid = 0, id = 0;
  json_t *after = NULL;
  *out = NULL;
  if ((rc = np_json_check_keys(body, create_keys, err)) ||
      (rc = np_json_get_str(body, "type", NP_JSON_REQUIRED, 1, 32, &type, NULL, err)))
    return rc;
  if (!in_dict(type, np_firms_measure_types))
    return np_fail(err, NP_ERR_INVALID, "unknown_value", "type",
                   "type must be special_recruitment, labour_cooperation, training_order, labour_sharing, "
                   "policy_support or other");
  if ((rc = np_json_get_str(body, "title", NP_JSON_REQUIRED, 1, 100, &title, NULL, err)) ||
      (rc = np_json_get_str(body, "detail", NP_JSON_ALLOW_NEWLINES, 1, 2000, &detail, NULL, err)) ||
      (rc = np_json_get_str(body, "owner_user_id", 0, 1, 32, &owner_uid, NULL, err)) ||
      (rc = np_json_get_str(body, "owner_name", 0, 1, 64, &owner_name, NULL, err)) ||
      (rc = np_json_get_str(body, "owner_region_code", 0, 6, 6, &orc, NULL, err)) ||
      (rc = np_json_get_date(body, "deadline", NP_JSON_REQUIRED, &deadline, NULL, err)) ||
      (rc = np_json_get_str(body, "status", 0, 1, 16, &status, NULL, err)) ||
      (rc = np_json_get_str(body, "note", NP_JSON_ALLOW_NEWLINES, 1, 1000, &note, NULL, err)))
    return rc;
  if (strcmp(status, "planned") != 0 && strcmp(status, "in_progress") != 0)
    return np_fail(err, NP_ERR_INVALID, "unknown_value", "status", "a new measure is planned or in_progress");
  if (deadline.days < today.days) return np_fail(err, NP_ERR_INVALID, "past", "deadline", "deadline is in the past");
  if (owner_uid) {
    if (!np_user_parse_id(owner_uid, &uid) || np_user_get(s, uid, &u, NULL) != NP_OK)
      return np_fail(err, NP_ERR_INVALID, "unknown_user", "owner_user_id", "owner_user_id names no user");
    if (!owner_name) owner_name = u.display_name;
    if (!orc && u.region_code[0]) orc = u.region_code;
  }
  if (!owner_name) return np_fail(err, NP_ERR_INVALID, "required", "owner_name", "owner_name or owner_user_id is required");
  if (!orc) return np_fail(err, NP_ERR_INVALID, "required", "owner_region_code", "owner_region_code is required");
  if ((rc = check_bureau(ref, orc, err))) return rc;
  char now[NP_TS_STRLEN], dl[NP_DATE_STRLEN], mid[32];
  np_firms_dem_now(now);
  np_date_format(deadline, dl, sizeof dl);
  if ((rc = np_store_begin(s, err))) return rc;
  int64_t openings = 0;
  if ((rc = np_store_queryf_int64(s, &openings, NULL, err, "SELECT open_openings FROM enterprises WHERE id = ?", "i",
                                  ent->id)))
    goto out;
  if (openings <= 0) {
    rc = np_fail(err, NP_ERR_CONFLICT, "no_shortage", "", "the enterprise has no open openings: no plan is needed");
    goto out;
  }
  np_stmt_t *st = NULL;
  bool has = false;
  rc = np_store_prepare(s,
                        "INSERT INTO plan_measures (enterprise_id, region_code, county_code, city_code, type, title, "
                        "detail, owner_user_id, owner_name, owner_region_code, deadline, status, version, created_by, "
                        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?) RETURNING id",
                        &st, err);
  if (rc == NP_OK) {
    int i = 0;
    np_store_bind_int64(st, ++i, ent->id);
    np_store_bind_text(st, ++i, ent->region_code, NP_STORE_STRLEN);
    np_store_bind_text(st, ++i, ent->county_code, NP_STORE_STRLEN);
    np_store_bind_text(st, ++i, ent->city_code, NP_STORE_STRLEN);
    np_store_bind_text(st, ++i, type, NP_STORE_STRLEN);
    np_store_bind_text(st, ++i, title, NP_STORE_STRLEN);
    np_store_bind_text_or_null(st, ++i, detail);
    uid ? np_store_bind_int64(st, ++i, uid) : np_store_bind_null(st, ++i);
    np_store_bind_text(st, ++i, owner_name, NP_STORE_STRLEN);
    np_store_bind_text(st, ++i, orc, NP_STORE_STRLEN);
    np_store_bind_text(st, ++i, dl, NP_STORE_STRLEN);
    np_store_bind_text(st, ++i, status, NP_STORE_STRLEN);
    actor && actor->user_id ? np_store_bind_int64(st, ++i, actor->user_id) : np_store_bind_null(st, ++i);
    np_store_bind_text(st, ++i, now, NP_STORE_STRLEN);
    np_store_bind_text(st, ++i, now, NP_STORE_STRLEN);
    rc = np_store_step(st, &has, err);
    if (rc == NP_OK && has) id = np_store_col_int64(st, 0);
    bool more;
    if (rc == NP_OK) rc = np_store_step(st, &more, err);
  }
  np_store_release(st);
  if (rc) goto out;
  if ((rc = add_note(s, actor, id, note ? note : "created", NULL, status, err))) goto out;
  if ((rc = measure_get(s, ref, id, today, true, &after, err))) goto out;
  np_id_format(NP_ID_MEASURE, id, mid, sizeof mid);
  if ((rc = np_store_change(s, "plan_measure", mid, "insert", NULL, err))) goto out;
  if ((rc = np_firms_dem_audit(s, actor, "plan_measure.create", "plan_measure", mid, NULL, after, NULL, err))) goto out;
  rc = np_store_commit(s, err);
out:
  if (rc) {
    np_store_rollback(s);
    json_decref(after);
  } else {
    *out = after;
  }
  return rc;
}

np_err np_firms_measure_owner(np_store_t *s, int64_t id, int64_t *enterprise_id, char region_code[16],
                              np_errdetail_t *err) {
  np_stmt_t *st = NULL;
  bool has = false;
  np_err rc = np_store_prepare(s, "SELECT enterprise_id, region_code FROM plan_measures WHERE id = ?", &st, err);
  if (rc == NP_OK) rc = np_store_bind_int64(st, 1, id);
  if (rc == NP_OK) rc = np_store_step(st, &has, err);
  if (rc == NP_OK && !has) rc = np_fail(err, NP_ERR_NOT_FOUND, "not_found", "", "no such measure");
  if (rc == NP_OK) {
    *enterprise_id = np_store_col_int64(st, 0);
    np_strlcpy(region_code, np_store_col_text(st, 1) ? np_store_col_text(st, 1) : "", 16);
  }
  np_store_release(st);
  return rc;
}

/* planned → in_progress | done | cancelled; in_progress → done | cancelled. */
static bool transition_ok(const char *from, const char *to) {
  if (strcmp(from, to) == 0) return true;
  if (strcmp(from, "planned") == 0) return strcmp(to, "planned") != 0;
  if (strcmp(from, "in_progress") == 0) return strcmp(to, "done") == 0 || strcmp(to, "cancelled") == 0;
  return false;
}

np_err np_firms_measure_patch(np_store_t *s, const np_ref_t *ref, const np_audit_entry_t *actor, int64_t id,
                              const json_t *body, np_date_t today, json_t **out, np_errdetail_t *err) {
  int64_t version = 0;
  const char *status = NULL, *note = NULL, *title = NULL, *detail = NULL, *owner_name = NULL, *orc = NULL;
  np_date_t deadline;
  np_json_presence dl_pr = NP_JSON_ABSENT, detail_pr = NP_JSON_ABSENT;
  json_t *before = NULL, *after = NULL;
  np_err rc;
  *out = NULL;
  if ((rc = np_json_check_keys(body, patch_keys, err)) ||
      (rc = np_json_get_int(body, "version", NP_JSON_REQUIRED, 1, INT64_MAX, &version, NULL, err)) ||
      (rc = np_json_get_str(body, "status", 0, 1, 16, &status, NULL, err)) ||
      (rc = np_json_get_str(body, "note", NP_JSON_ALLOW_NEWLINES, 1, 1000, &note, NULL, err)) ||
      (rc = np_json_get_date(body, "deadline", 0, &deadline, &dl_pr, err)) ||
      (rc = np_json_get_str(body, "title", 0, 1, 100, &title, NULL, err)) ||
      (rc = np_json_get_str(body, "detail", NP_JSON_ALLOW_NEWLINES, 1, 2000, &detail, &detail_pr, err)) ||
      (rc = np_json_get_str(body, "owner_name", 0, 1, 64, &owner_name, NULL, err)) ||
      (rc = np_json_get_str(body, "owner_region_code", 0, 6, 6, &orc, NULL, err)))
    return rc;
  if (status && !in_dict(status, np_firms_measure_statuses))
    return np_fail(err, NP_ERR_INVALID, "unknown_value", "status", "status must be planned, in_progress, done or cancelled");
  if (orc && (rc = check_bureau(ref, orc, err))) return rc;
  if ((rc = np_store_begin(s, err))) return rc;
  if ((rc = measure_get(s, ref, id, today, false, &before, err))) goto out;
  const char *cur = json_string_value(json_object_get(before, "status"));
  if (is_final(cur)) {
    rc = np_fail(err, NP_ERR_CONFLICT, "final", "status", "the measure is %s: it cannot change any more", cur);
    goto out;
  }
  if (json_integer_value(json_object_get(before, "version")) != version) {
    rc = np_fail(err, NP_ERR_CONFLICT, "stale", "version", "the measure was changed by someone else: reload it");
    goto out;
  }
  if (status && !transition_ok(cur, status)) {
    rc = np_fail(err, NP_ERR_CONFLICT, "transition", "status", "a measure cannot go from %s to %s", cur, status);
    goto out;
  }
  char dl[NP_DATE_STRLEN] = "", now[NP_TS_STRLEN], mid[32];
  if (dl_pr == NP_JSON_PRESENT) {
    np_date_format(deadline, dl, sizeof dl);
    const char *old = json_string_value(json_object_get(before, "deadline"));
    if ((!old || strcmp(old, dl) != 0) && deadline.days < today.days) {
      rc = np_fail(err, NP_ERR_INVALID, "past", "deadline", "deadline is in the past");
      goto out;
    }
  } else if (dl_pr == NP_JSON_NULL) {
    rc = np_fail(err, NP_ERR_INVALID, "required", "deadline", "deadline cannot be cleared");
    goto out;
  }
  np_firms_dem_now(now);
  const char *new_status = status ? status : cur;
  rc = np_store_execf(s, NULL, err,
                      "UPDATE plan_measures SET status = ?, deadline = COALESCE(?, deadline), title = COALESCE(?, title), "
                      "detail = CASE WHEN ? = 1 THEN NULL ELSE COALESCE(?, detail) END, "
                      "owner_name = COALESCE(?, owner_name), owner_region_code = COALESCE(?, owner_region_code), "
                      "version = version + 1, updated_at = ?, done_at = CASE WHEN ? = 'done' THEN ? ELSE done_at END "
                      "WHERE id = ? AND version = ?",
                      "tttittttttii", new_status, dl[0] ? dl : NULL, title, (int64_t)(detail_pr == NP_JSON_NULL), detail,
                      owner_name, orc, now, new_status, now, id, version);
  if (rc == NP_OK && np_store_changes(s) != 1)
    rc = np_fail(err, NP_ERR_CONFLICT, "stale", "version", "the measure was changed by someone else: reload it");
  if (rc) goto out;
  if ((note || strcmp(new_status, cur) != 0) &&
      (rc = add_note(s, actor, id, note, cur, strcmp(new_status, cur) ? new_status : NULL, err)))
    goto out;
  if ((rc = measure_get(s, ref, id, today, true, &after, err))) goto out;
  np_id_format(NP_ID_MEASURE, id, mid, sizeof mid);
  if ((rc = np_store_change(s, "plan_measure", mid, "update", NULL, err))) goto out;
  if ((rc = np_firms_dem_audit(s, actor, "plan_measure.update", "plan_measure", mid, before, after, NULL, err))) goto out;
  rc = np_store_commit(s, err);
out:
  if (rc) np_store_rollback(s);
  json_decref(before);
  if (rc == NP_OK) *out = after;
  else json_decref(after);
  return rc;
}

#define OVERDUE_MAX 5000

np_err np_firms_plans_overdue(np_store_t *s, const np_ref_t *ref, const np_scope_t *scope, const char *owner_prefix,
                              np_date_t today, json_t **out, np_errdetail_t *err) {
  np_scope_sql_t q;
  np_scope_cols_t cols = {.region = "m.region_code", .enterprise = "m.enterprise_id"};
  char td[NP_DATE_STRLEN], sql[1024], pat[32];
  np_stmt_t *st = NULL;
  bool has = false, truncated = false;
  int64_t total = 0;
  json_t *bureaus = json_array(), *cur = NULL;
  *out = NULL;
  if (!bureaus) return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  np_err rc = np_authz_scope_sql(scope, &cols, &q);
  if (rc) {
    json_decref(bureaus);
    return np_fail(err, NP_ERR_INTERNAL, "internal", "", "scope");
  }
  np_date_format(today, td, sizeof td);
  snprintf(sql, sizeof sql,
           "SELECT " MSR_COLS MSR_FROM " WHERE m.status IN ('planned', 'in_progress') AND m.deadline < ?%s%s "
           "ORDER BY m.owner_region_code, m.deadline, m.id",
           q.sql, owner_prefix && *owner_prefix ? " AND m.owner_region_code LIKE ?" : "");
  int idx = 1;
  if ((rc = np_store_prepare(s, sql, &st, err))) goto out;
  np_store_bind_text(st, 1, td, NP_STORE_STRLEN);
  if ((rc = np_authz_scope_bind(&q, st, 2, &idx))) goto out;
  if (owner_prefix && *owner_prefix) {
    snprintf(pat, sizeof pat, "%s%%", owner_prefix);
    np_store_bind_text(st, idx, pat, NP_STORE_STRLEN);
  }
  while ((rc = np_store_step(st, &has, err)) == NP_OK && has) {
    if (total == OVERDUE_MAX) {
      truncated = true;
      break;
    }
    json_t *m = measure_json(st, ref, today);
    if (!m) {
      rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
      break;
    }
    const char *orc = json_string_value(json_object_get(m, "owner_region_code"));
    if (!cur || strcmp(json_string_value(json_object_get(cur, "owner_region_code")), orc ? orc : "") != 0) {
      cur = json_pack("{s:s, s:O, s:I, s:[]}", "owner_region_code", orc ? orc : "", "name",
                      json_object_get(m, "owner_region_name"), "overdue", (json_int_t)0, "items");
      if (!cur || json_array_append_new(bureaus, cur)) {
        json_decref(m);
        rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
        break;
      }
    }
    json_object_set_new(cur, "overdue", json_integer(json_integer_value(json_object_get(cur, "overdue")) + 1));
    json_array_append_new(json_object_get(cur, "items"), m);
    total++;
  }
out:
  np_store_release(st);
  if (rc == NP_OK) {
    *out = json_pack("{s:s, s:I, s:b, s:o}", "as_of", td, "total", (json_int_t)total, "truncated", truncated,
                     "bureaus", bureaus);
    bureaus = NULL;
    if (!*out) rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  }
  json_decref(bureaus);
  return rc;
}
