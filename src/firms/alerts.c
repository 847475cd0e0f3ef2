/* Large-scale shortage alerts, deadlines, escalation and the green channel (see alerts.h). */
#include "firms/alerts.h"
#include "firms/dicts.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/date.h"
#include "core/ids.h"
#include "core/json.h"
#include "core/str.h"
#include "ref/ref.h"

/* ------------------------------------------------------------------ small helpers */

const char *const np_firms_alert_rule_kinds[] = {"openings_min", "openings_share", "major_project", NULL};
const char *const np_firms_alert_levels[] = {"county", "city", "province", NULL};
const char *const np_firms_alert_statuses[] = {"open", "acknowledged", "resolved", NULL};
const char *const np_firms_alert_deadlines[] = {"pending", "met", "missed", "not_required", NULL};
/* the actions of an alert's history (alert_events.action) */
const char *const np_firms_alert_actions[] = {"raise", "escalate", "ack", "resolve", "rearm", NULL};

const char *np_alert_rule_kind_name(np_alert_rule_kind k) {
  return (unsigned)k < 3 ? np_firms_alert_rule_kinds[k] : "";
}

bool np_alert_rule_kind_parse(const char *s, np_alert_rule_kind *out) {
  for (int i = 0; s && i < 3; i++)
    if (strcmp(s, np_firms_alert_rule_kinds[i]) == 0) {
      *out = (np_alert_rule_kind)i;
      return true;
    }
  return false;
}

const char *np_alert_level_name(np_alert_level l) {
  return (unsigned)l < 3 ? np_firms_alert_levels[l] : "";
}

static int level_parse(const char *s) {
  for (int i = 0; s && i < 3; i++)
    if (strcmp(s, np_firms_alert_levels[i]) == 0) return i;
  return -1;
}

static void fmt_ts(int64_t t, char out[NP_TS_STRLEN]) {
  if (np_date_format_ts_utc(t, out, NP_TS_STRLEN) != NP_OK) out[0] = '\0';
}

static bool parse_ts(const char *s, int64_t *t) {
  return s && np_date_parse_ts_utc(s, strlen(s), t) == NP_OK;
}

static const char *col_text(np_stmt_t *st, int c) {
  const char *v = np_store_col_text(st, c);
  return v ? v : "";
}

static json_t *text_or_null(np_stmt_t *st, int c) {
  const char *v = np_store_col_text(st, c);
  return v ? json_string(v) : json_null();
}

static np_err nomem(np_errdetail_t *err) {
  return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
}

/* Grows a vector of elem-sized items by one; the new slot is zeroed. NULL on overflow/OOM. */
static void *vec_push(void **v, size_t *n, size_t *cap, size_t elem) {
  if (*n == *cap) {
    size_t nc = *cap ? *cap * 2 : 16;
    if (nc < *cap || nc > SIZE_MAX / elem) return NULL;
    void *p = realloc(*v, nc * elem);
    if (!p) return NULL;
    *v = p;
    *cap = nc;
  }
  char *slot = (char *)*v + (*n)++ * elem;
  memset(slot, 0, elem);
  return slot;
}

/* One audit row; NULL actor = the system (no user). before/after are serialized here. */
static np_err audit(np_store_t *s, const np_audit_entry_t *actor, const char *action, const char *entity,
                    const char *entity_id, const json_t *before, const json_t *after, const char *detail,
                    np_errdetail_t *err) {
  np_audit_entry_t e = {0};
  if (actor) e = *actor;
  e.action = action;
  e.entity = entity;
  e.entity_id = entity_id;
  e.outcome = NULL;
  e.detail = detail;
  char *b = before ? json_dumps(before, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
  char *a = after ? json_dumps(after, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
  np_err rc;
  if ((before && !b) || (after && !a)) {
    rc = nomem(err);
  } else {
    e.before_json = b;
    e.after_json = a;
    rc = np_audit_record(s, &e, NULL, err);
  }
  free(b);
  free(a);
  return rc;
}

/* ------------------------------------------------------------------ rules */

bool np_alert_rule_matches(const np_alert_rule_t *r, int64_t openings, int64_t headcount, bool major_project) {
  if (!r || r->threshold <= 0 || openings <= 0) return false;
  switch (r->kind) {
  case NP_ALERT_RULE_OPENINGS_MIN: return openings >= r->threshold;
  case NP_ALERT_RULE_OPENINGS_SHARE:
    if (headcount <= 0 || openings < r->min_openings) return false;
    if (openings > INT64_MAX / 10000 || r->threshold > INT64_MAX / headcount) return false;
    return openings * 10000 >= r->threshold * headcount;
  case NP_ALERT_RULE_MAJOR_PROJECT: return major_project && openings >= r->threshold;
  }
  return false;
}

#define RULE_COLS                                                                                              \
  "id, code, name, kind, threshold, min_openings, county_hours, city_hours, province_hours, active, version, " \
  "updated_at"

static void rule_from_row(np_stmt_t *st, np_alert_rule_t *r) {
  memset(r, 0, sizeof *r);
  r->id = np_store_col_int64(st, 0);
  np_strlcpy(r->code, col_text(st, 1), sizeof r->code);
  np_strlcpy(r->name, col_text(st, 2), sizeof r->name);
  if (!np_alert_rule_kind_parse(col_text(st, 3), &r->kind)) r->kind = NP_ALERT_RULE_OPENINGS_MIN;
  r->threshold = np_store_col_int64(st, 4);
  r->min_openings = np_store_col_int64(st, 5);
  r->hours[0] = np_store_col_int64(st, 6);
  r->hours[1] = np_store_col_int64(st, 7);
  r->hours[2] = np_store_col_int64(st, 8);
  r->active = np_store_col_int64(st, 9) != 0;
  r->version = np_store_col_int64(st, 10);
  np_strlcpy(r->updated_at, col_text(st, 11), sizeof r->updated_at);
}

np_err np_alert_rules_load(np_store_t *s, np_alert_rule_t *out, size_t cap, size_t *n, np_errdetail_t *err) {
  np_stmt_t *st = NULL;
  *n = 0;
  np_err rc = np_store_prepare(s, "SELECT " RULE_COLS " FROM alert_rules ORDER BY id", &st, err);
  if (rc) return rc;
  for (;;) {
    bool has = false;
    if ((rc = np_store_step(st, &has, err)) || !has) break;
    if (*n < cap) rule_from_row(st, &out[(*n)++]);
  }
  np_store_release(st);
  return rc;
}

static const np_alert_rule_t *rule_by_id(const np_alert_rule_t *rules, size_t n, int64_t id) {
  for (size_t i = 0; i < n; i++)
    if (rules[i].id == id) return &rules[i];
  return NULL;
}

json_t *np_alert_rule_json(const np_alert_rule_t *r) {
  return json_pack("{s:s, s:s, s:s, s:I, s:s, s:I, s:I, s:I, s:I, s:b, s:I, s:s}", "code", r->code, "name", r->name,
                   "kind", np_alert_rule_kind_name(r->kind), "threshold", (json_int_t)r->threshold, "threshold_unit",
                   r->kind == NP_ALERT_RULE_OPENINGS_SHARE ? "basis_points_of_headcount" : "openings",
                   "min_openings", (json_int_t)r->min_openings, "county_hours", (json_int_t)r->hours[0],
                   "city_hours", (json_int_t)r->hours[1], "province_hours", (json_int_t)r->hours[2], "active",
                   r->active, "version", (json_int_t)r->version, "updated_at", r->updated_at);
}

static bool code_ok(const char *c) {
  size_t n = strlen(c);
  if (n < 2 || n > 32) return false;
  for (size_t i = 0; i < n; i++)
    if (!((c[i] >= 'a' && c[i] <= 'z') || (c[i] >= '0' && c[i] <= '9') || c[i] == '_')) return false;
  return true;
}

/* Prefixes err->field with "items[i]." after a getter failed. */
static np_err item_err(np_err rc, size_t i, np_errdetail_t *err) {
  if (err) {
    char f[sizeof err->field];
    snprintf(f, sizeof f, "items[%zu].%.60s", i, err->field);
    np_strlcpy(err->field, f, sizeof err->field);
  }
  return rc;
}

static np_err rule_apply(const json_t *it, size_t i, bool create, np_alert_rule_t *r, int64_t *version,
                         np_errdetail_t *err) {
  static const char *const keys[] = {"code", "name", "kind", "threshold", "min_openings", "county_hours",
                                     "city_hours", "province_hours", "active", "version", NULL};
  np_err rc;
  if ((rc = np_json_check_keys(it, keys, err))) return item_err(rc, i, err);
  const char *name = NULL, *kind = NULL;
  if ((rc = np_json_get_str(it, "name", create ? NP_JSON_REQUIRED : 0, 1, NP_ALERT_RULE_NAME_MAX_CHARS, &name, NULL,
                            err)))
    return item_err(rc, i, err);
  if (name) np_strlcpy(r->name, name, sizeof r->name);
  if ((rc = np_json_get_str(it, "kind", create ? NP_JSON_REQUIRED : 0, 1, 32, &kind, NULL, err)))
    return item_err(rc, i, err);
  if (kind) {
    np_alert_rule_kind k;
    if (!np_alert_rule_kind_parse(kind, &k))
      return item_err(np_fail(err, NP_ERR_INVALID, "format", "kind",
                              "kind must be openings_min, openings_share or major_project"),
                      i, err);
    if (!create && k != r->kind)
      return item_err(np_fail(err, NP_ERR_INVALID, "immutable", "kind", "the kind of a rule cannot change"), i,
                      err);
    r->kind = k;
  }
  int64_t max_threshold = r->kind == NP_ALERT_RULE_OPENINGS_SHARE ? NP_ALERT_MAX_SHARE_BP : NP_ALERT_MAX_COUNT;
  if ((rc = np_json_get_int(it, "threshold", create ? NP_JSON_REQUIRED : 0, 1, max_threshold, &r->threshold, NULL,
                            err)) ||
      (rc = np_json_get_int(it, "min_openings", 0, 0, NP_ALERT_MAX_COUNT, &r->min_openings, NULL, err)) ||
      (rc = np_json_get_int(it, "county_hours", 0, 1, NP_ALERT_MAX_HOURS, &r->hours[0], NULL, err)) ||
      (rc = np_json_get_int(it, "city_hours", 0, 1, NP_ALERT_MAX_HOURS, &r->hours[1], NULL, err)) ||
      (rc = np_json_get_int(it, "province_hours", 0, 1, NP_ALERT_MAX_HOURS, &r->hours[2], NULL, err)) ||
      (rc = np_json_get_bool(it, "active", 0, &r->active, NULL, err)) ||
      (rc = np_json_get_int(it, "version", create ? 0 : NP_JSON_REQUIRED, 1, INT64_MAX, version, NULL, err)))
    return item_err(rc, i, err);
  /* a kind given on create after the threshold was read: re-check the bound */
  if (r->threshold > max_threshold)
    return item_err(np_fail(err, NP_ERR_INVALID, "range", "threshold", "threshold must be 1 to %" PRId64,
                            max_threshold),
                    i, err);
  return NP_OK;
}

np_err np_alert_rules_put(np_store_t *s, const np_audit_entry_t *actor, const json_t *body, int64_t now,
                          np_errdetail_t *err) {
  static const char *const top[] = {"items", NULL};
  json_t *items = NULL;
  np_err rc;
  if ((rc = np_json_check_keys(body, top, err)) ||
      (rc = np_json_get_array(body, "items", NP_JSON_REQUIRED, NP_ALERT_MAX_RULES, &items, NULL, err)))
    return rc;
  if (json_array_size(items) == 0) return np_fail(err, NP_ERR_INVALID, "length", "items", "items must not be empty");
  np_alert_rule_t *rules = calloc(NP_ALERT_MAX_RULES, sizeof *rules);
  if (!rules) return nomem(err);
  size_t n = 0;
  char ts[NP_TS_STRLEN];
  fmt_ts(now, ts);
  if ((rc = np_store_begin(s, err))) goto out_free;
  if ((rc = np_alert_rules_load(s, rules, NP_ALERT_MAX_RULES, &n, err))) goto out;
  size_t i;
  json_t *it;
  json_array_foreach(items, i, it) {
    if (!json_is_object(it)) {
      rc = np_fail(err, NP_ERR_INVALID, "type", "", "an item must be an object");
      rc = item_err(rc, i, err);
      goto out;
    }
    const char *code = NULL;
    if ((rc = np_json_get_str(it, "code", NP_JSON_REQUIRED, 2, 32, &code, NULL, err))) {
      rc = item_err(rc, i, err);
      goto out;
    }
    if (!code_ok(code)) {
      rc = item_err(np_fail(err, NP_ERR_INVALID, "format", "code", "code must be 2-32 of a-z, 0-9 and _"), i, err);
      goto out;
    }
    np_alert_rule_t *cur = NULL;
    for (size_t k = 0; k < n; k++)
      if (strcmp(rules[k].code, code) == 0) cur = &rules[k];
    bool create = cur == NULL;
    np_alert_rule_t r;
    if (create) {
      memset(&r, 0, sizeof r);
      np_strlcpy(r.code, code, sizeof r.code);
      r.hours[0] = 24, r.hours[1] = 24, r.hours[2] = 48;
      r.active = true;
    } else {
      r = *cur;
    }
    int64_t version = 0;
    if ((rc = rule_apply(it, i, create, &r, &version, err))) goto out;
    if (r.kind == NP_ALERT_RULE_OPENINGS_SHARE && r.threshold > NP_ALERT_MAX_SHARE_BP) {
      rc = item_err(np_fail(err, NP_ERR_INVALID, "range", "threshold", "threshold must be 1 to 10000 basis points"),
                    i, err);
      goto out;
    }
    np_strlcpy(r.updated_at, ts, sizeof r.updated_at);
    json_t *before = create ? NULL : np_alert_rule_json(cur);
    if (create) {
      if (n >= NP_ALERT_MAX_RULES) {
        rc = item_err(np_fail(err, NP_ERR_INVALID, "too_many", "code", "at most %d rules", NP_ALERT_MAX_RULES), i,
                      err);
        goto out;
      }
      r.version = 1;
      rc = np_store_queryf_int64(
          s, &r.id, NULL, err,
          "INSERT INTO alert_rules (code, name, kind, threshold, min_openings, county_hours, city_hours, "
          "province_hours, active, version, created_at, updated_at, updated_by) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, NULLIF(?, 0)) RETURNING id",
          "tttiiiiiitti", r.code, r.name, np_alert_rule_kind_name(r.kind), r.threshold, r.min_openings, r.hours[0],
          r.hours[1], r.hours[2], (int64_t)r.active, ts, ts, actor ? actor->user_id : (int64_t)0);
      if (rc == NP_OK) rules[n++] = r;
    } else {
      if (version != cur->version) {
        json_decref(before);
        rc = item_err(np_fail(err, NP_ERR_CONFLICT, "stale", "version",
                              "rule %s was changed by someone else (version %" PRId64 ")", cur->code, cur->version),
                      i, err);
        goto out;
      }
      int64_t changed = 0;
      r.version = cur->version + 1;
      rc = np_store_execf(s, &changed, err,
                          "UPDATE alert_rules SET name = ?, threshold = ?, min_openings = ?, county_hours = ?, "
                          "city_hours = ?, province_hours = ?, active = ?, version = version + 1, updated_at = ?, "
                          "updated_by = NULLIF(?, 0) WHERE id = ? AND version = ?",
                          "tiiiiiitiii", r.name, r.threshold, r.min_openings, r.hours[0], r.hours[1], r.hours[2],
                          (int64_t)r.active, ts, actor ? actor->user_id : (int64_t)0, r.id, cur->version);
      if (rc == NP_OK && changed != 1)
        rc = item_err(np_fail(err, NP_ERR_CONFLICT, "stale", "version", "rule %s was changed by someone else",
                              cur->code),
                      i, err);
      if (rc == NP_OK) *cur = r;
    }
    json_t *after = rc == NP_OK ? np_alert_rule_json(&r) : NULL;
    if (rc == NP_OK) rc = np_store_change(s, "alert_rule", r.code, create ? "insert" : "update", NULL, err);
    if (rc == NP_OK)
      rc = audit(s, actor, create ? "alert_rule.create" : "alert_rule.update", "alert_rule", r.code, before, after,
                 NULL, err);
    json_decref(before);
    json_decref(after);
    if (rc) goto out;
  }
  rc = np_store_commit(s, err);
out:
  if (rc) np_store_rollback(s);
out_free:
  free(rules);
  return rc;
}

/* ------------------------------------------------------------------ green channel */

static bool ident_ok(const char *c) {
  if (!c || !*c || strlen(c) > 64) return false;
  for (const char *q = c; *q; q++)
    if (!((*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') || *q == '_' || *q == '.')) return false;
  return true;
}

#define MAJOR_EXISTS(col)                                                                                    \
  "EXISTS (SELECT 1 FROM projects gp WHERE gp.enterprise_id = " col " AND gp.is_major = 1 AND gp.stage <> " \
  "'suspended')"

bool np_firms_green_expr(const char *col, char *out, size_t cap) {
  if (cap) out[0] = '\0';
  if (!ident_ok(col)) return false;
  int k = snprintf(out, cap,
                   "(CASE WHEN EXISTS (SELECT 1 FROM enterprises ge WHERE ge.id = %s AND ge.green_channel = 1) OR "
                   "EXISTS (SELECT 1 FROM projects gp WHERE gp.enterprise_id = %s AND gp.is_major = 1 AND "
                   "gp.stage <> 'suspended') THEN 1 ELSE 0 END)",
                   col, col);
  if (k < 0 || (size_t)k >= cap) {
    if (cap) out[0] = '\0';
    return false;
  }
  return true;
}

bool np_firms_green_first_order(const char *col, char *out, size_t cap) {
  if (!np_firms_green_expr(col, out, cap)) return false;
  size_t l = strlen(out);
  if (l + sizeof " DESC, " > cap) {
    out[0] = '\0';
    return false;
  }
  memcpy(out + l, " DESC, ", sizeof " DESC, ");
  return true;
}

/* The alert board's own green expression (enterprise joined as e). */
#define GREEN_SQL "(CASE WHEN e.green_channel = 1 OR " MAJOR_EXISTS("a.enterprise_id") " THEN 1 ELSE 0 END)"

/* ------------------------------------------------------------------ alert rows and JSON */

#define ALERT_FROM                                                                                   \
  " FROM alerts a JOIN enterprises e ON e.id = a.enterprise_id JOIN alert_rules r ON r.id = a.rule_id"
#define ALERT_COLS                                                                                               \
  "a.id, a.enterprise_id, e.name, e.uscc, r.code, r.name, r.kind, a.region_code, a.county_code, a.city_code, "   \
  "a.level, a.status, a.openings, a.headcount, e.open_openings, a.raised_at, a.county_due_at, a.due_at, "        \
  "a.escalated_at, a.acked_at, a.acked_by_name, a.ack_note, a.planned_response, a.resolved_at, "                  \
  "a.resolved_by_name, a.resolve_reason, a.resolution, a.deadline, a.version, " GREEN_SQL

enum {
  C_ID,
  C_ENT,
  C_ENT_NAME,
  C_USCC,
  C_RULE_CODE,
  C_RULE_NAME,
  C_RULE_KIND,
  C_REGION,
  C_COUNTY,
  C_CITY,
  C_LEVEL,
  C_STATUS,
  C_OPENINGS,
  C_HEADCOUNT,
  C_CUR_OPENINGS,
  C_RAISED,
  C_COUNTY_DUE,
  C_DUE,
  C_ESCALATED,
  C_ACKED_AT,
  C_ACKED_BY,
  C_ACK_NOTE,
  C_PLAN,
  C_RESOLVED_AT,
  C_RESOLVED_BY,
  C_REASON,
  C_RESOLUTION,
  C_DEADLINE,
  C_VERSION,
  C_GREEN,
};

static json_t *region_name_json(const char *code) {
  const np_ref_t *ref = np_ref_global();
  const np_region_t *r = ref && code && *code ? np_ref_region(ref, code) : NULL;
  return r ? json_string(r->name) : json_null();
}

static json_t *alert_json(np_stmt_t *st, int64_t now) {
  char id[32], ent[32];
  np_id_format(NP_ID_ALERT, np_store_col_int64(st, C_ID), id, sizeof id);
  np_id_format(NP_ID_ENTERPRISE, np_store_col_int64(st, C_ENT), ent, sizeof ent);
  const char *status = col_text(st, C_STATUS);
  const char *deadline = col_text(st, C_DEADLINE);
  int64_t due = 0, county_due = 0;
  parse_ts(col_text(st, C_DUE), &due);
  parse_ts(col_text(st, C_COUNTY_DUE), &county_due);
  bool open = strcmp(status, "open") == 0;
  bool overdue = open && due > 0 && now > due;
  /* a sweep may not have recorded it yet: the clock decides */
  if (strcmp(deadline, "pending") == 0 && open && county_due > 0 && now > county_due) deadline = "missed";
  json_t *o = json_object();
  if (!o) return NULL;
  json_object_set_new(o, "id", json_string(id));
  json_object_set_new(o, "enterprise", json_pack("{s:s, s:s, s:s}", "id", ent, "name", col_text(st, C_ENT_NAME),
                                                 "uscc", col_text(st, C_USCC)));
  json_object_set_new(o, "rule", json_pack("{s:s, s:s, s:s}", "code", col_text(st, C_RULE_CODE), "name",
                                           col_text(st, C_RULE_NAME), "kind", col_text(st, C_RULE_KIND)));
  json_object_set_new(o, "region_code", json_string(col_text(st, C_REGION)));
  json_object_set_new(o, "county_code", json_string(col_text(st, C_COUNTY)));
  json_object_set_new(o, "county_name", region_name_json(col_text(st, C_COUNTY)));
  json_object_set_new(o, "city_code", json_string(col_text(st, C_CITY)));
  json_object_set_new(o, "city_name", region_name_json(col_text(st, C_CITY)));
  json_object_set_new(o, "level", json_string(col_text(st, C_LEVEL)));
  json_object_set_new(o, "status", json_string(status));
  json_object_set_new(o, "green_channel", json_boolean(np_store_col_int64(st, C_GREEN) != 0));
  json_object_set_new(o, "openings_at_raise", json_integer(np_store_col_int64(st, C_OPENINGS)));
  json_object_set_new(o, "headcount_at_raise", json_integer(np_store_col_int64(st, C_HEADCOUNT)));
  json_object_set_new(o, "open_openings", json_integer(np_store_col_int64(st, C_CUR_OPENINGS)));
  json_object_set_new(o, "raised_at", json_string(col_text(st, C_RAISED)));
  json_object_set_new(o, "county_due_at", json_string(col_text(st, C_COUNTY_DUE)));
  json_object_set_new(o, "due_at", json_string(col_text(st, C_DUE)));
  json_object_set_new(o, "escalated_at", text_or_null(st, C_ESCALATED));
  json_object_set_new(o, "overdue", json_boolean(overdue));
  json_object_set_new(o, "due_in_seconds", open && due > 0 ? json_integer(due - now) : json_null());
  json_object_set_new(o, "deadline", json_string(deadline));
  if (np_store_col_is_null(st, C_ACKED_AT))
    json_object_set_new(o, "acknowledged", json_null());
  else
    json_object_set_new(o, "acknowledged",
                        json_pack("{s:s, s:o, s:o, s:o}", "at", col_text(st, C_ACKED_AT), "by",
                                  text_or_null(st, C_ACKED_BY), "note", text_or_null(st, C_ACK_NOTE),
                                  "planned_response", text_or_null(st, C_PLAN)));
  if (np_store_col_is_null(st, C_RESOLVED_AT))
    json_object_set_new(o, "resolved", json_null());
  else
    json_object_set_new(o, "resolved",
                        json_pack("{s:s, s:o, s:o, s:o}", "at", col_text(st, C_RESOLVED_AT), "by",
                                  text_or_null(st, C_RESOLVED_BY), "reason", text_or_null(st, C_REASON),
                                  "resolution", text_or_null(st, C_RESOLUTION)));
  json_object_set_new(o, "version", json_integer(np_store_col_int64(st, C_VERSION)));
  return o;
}

/* The alert as JSON (no scope check); NP_ERR_NOT_FOUND when absent. */
static np_err alert_load_json(np_store_t *s, int64_t id, int64_t now, json_t **out, np_errdetail_t *err) {
  np_stmt_t *st = NULL;
  bool has = false;
  *out = NULL;
  np_err rc = np_store_prepare(s, "SELECT " ALERT_COLS ALERT_FROM " WHERE a.id = ?", &st, err);
  if (rc) return rc;
  np_store_bind_int64(st, 1, id);
  if ((rc = np_store_step(st, &has, err)) == NP_OK) {
    if (!has) rc = np_fail(err, NP_ERR_NOT_FOUND, "not_found", "", "no such alert");
    else if (!(*out = alert_json(st, now))) rc = nomem(err);
  }
  np_store_release(st);
  return rc;
}

static np_err add_event(np_store_t *s, int64_t alert_id, const char *at, const char *action, const char *level_before,
                        const char *level_after, const char *status_before, const char *status_after,
                        const char *due_at, const np_audit_entry_t *actor, const char *note, np_errdetail_t *err) {
  static const char sql[] = "INSERT INTO alert_events (alert_id, at, action, level_before, level_after, "
                            "status_before, status_after, due_at, user_id, username, note) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  if (actor && actor->user_id > 0)
    return np_store_execf(s, NULL, err, sql, "itttttttitt", alert_id, at, action, level_before, level_after,
                          status_before, status_after, due_at, actor->user_id, actor->username, note);
  return np_store_execf(s, NULL, err, sql, "itttttttntt", alert_id, at, action, level_before, level_after,
                        status_before, status_after, due_at, actor ? actor->username : NULL, note);
}

/* change feed + audit for an alert mutation; before/after are alert JSON (may be NULL). */
static np_err alert_record(np_store_t *s, const np_audit_entry_t *actor, int64_t id, const char *op,
                           const char *action, json_t *before, int64_t now, const char *detail, np_errdetail_t *err) {
  char sid[32];
  np_id_format(NP_ID_ALERT, id, sid, sizeof sid);
  json_t *after = NULL;
  np_err rc = np_store_change(s, "alert", sid, op, NULL, err);
  if (rc == NP_OK) rc = alert_load_json(s, id, now, &after, err);
  if (rc == NP_OK) rc = audit(s, actor, action, "alert", sid, before, after, detail, err);
  json_decref(after);
  return rc;
}

/* ------------------------------------------------------------------ raising */

typedef struct cand {
  int64_t ent_id, openings, headcount;
  char region[16], county[8], city[8];
} cand_t;

static np_err raise_one(np_store_t *s, const np_alert_rule_t *r, const cand_t *c, int64_t now, np_errdetail_t *err) {
  char raised[NP_TS_STRLEN], due[NP_TS_STRLEN];
  fmt_ts(now, raised);
  fmt_ts(now + r->hours[NP_ALERT_COUNTY] * 3600, due);
  int64_t id = 0;
  np_err rc = np_store_queryf_int64(
      s, &id, NULL, err,
      "INSERT INTO alerts (enterprise_id, rule_id, region_code, county_code, city_code, level, status, live, "
      "openings, headcount, raised_at, county_due_at, due_at, deadline, version, updated_at) "
      "VALUES (?, ?, ?, ?, ?, 'county', 'open', 1, ?, ?, ?, ?, ?, 'pending', 1, ?) RETURNING id",
      "iitttiitttt", c->ent_id, r->id, c->region, c->county, c->city, c->openings, c->headcount, raised, due, due,
      raised);
  if (rc) return rc;
  char note[96];
  snprintf(note, sizeof note, "%s: %" PRId64 " open openings, headcount %" PRId64, r->code, c->openings,
           c->headcount);
  if ((rc = add_event(s, id, raised, "raise", NULL, "county", NULL, "open", due, NULL, note, err))) return rc;
  return alert_record(s, NULL, id, "insert", "alert.raise", NULL, now, note, err);
}

static int cand_cmp(const void *a, const void *b) {
  int64_t x = ((const cand_t *)a)->ent_id, y = ((const cand_t *)b)->ent_id;
  return x < y ? -1 : x > y;
}

/* Raises rule r for every matching enterprise without a live alert (only ent_id when > 0). */
static np_err raise_rule(np_store_t *s, const np_alert_rule_t *r, int64_t ent_id, int64_t now, int64_t *raised,
                         np_errdetail_t *err) {
  char sql[1024];
  const char *cond;
  int64_t b1 = r->threshold, b2 = 0;
  switch (r->kind) {
  case NP_ALERT_RULE_OPENINGS_SHARE:
    cond = "e.open_openings >= ? AND e.headcount > 0 AND e.open_openings * 10000 >= ? * e.headcount";
    b1 = r->min_openings > 0 ? r->min_openings : 1;
    b2 = r->threshold;
    break;
  case NP_ALERT_RULE_MAJOR_PROJECT:
    /* all enterprises: driven by the (few) major projects, not by a scan of every enterprise; one
     * enterprise: its own projects (the IN list would read every major project each time) */
    cond = ent_id > 0 ? "e.open_openings >= ? AND " MAJOR_EXISTS("e.id")
                      : "e.open_openings >= ? AND e.id IN (SELECT gp.enterprise_id FROM projects gp WHERE "
                        "gp.is_major = 1 AND gp.stage <> 'suspended')";
    break;
  default: cond = "e.open_openings >= ?"; break;
  }
  /* no ORDER BY: ordering by id would make the planner walk the whole table instead of a range of an
   * open_openings index; the candidates are sorted by id below (alerts are raised in id order) */
  snprintf(sql, sizeof sql,
           "SELECT e.id, e.region_code, e.county_code, e.city_code, e.open_openings, e.headcount FROM enterprises e "
           "WHERE %s AND e.open_openings > 0 AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.enterprise_id = e.id "
           "AND a.rule_id = ? AND a.live = 1)%s",
           cond, ent_id > 0 ? " AND e.id = ?" : "");
  np_stmt_t *st = NULL;
  cand_t *v = NULL;
  size_t n = 0, cap = 0;
  np_err rc = np_store_prepare(s, sql, &st, err);
  if (rc) return rc;
  int k = 1;
  np_store_bind_int64(st, k++, b1);
  if (r->kind == NP_ALERT_RULE_OPENINGS_SHARE) np_store_bind_int64(st, k++, b2);
  np_store_bind_int64(st, k++, r->id);
  if (ent_id > 0) np_store_bind_int64(st, k++, ent_id);
  for (;;) {
    bool has = false;
    if ((rc = np_store_step(st, &has, err)) || !has) break;
    cand_t *c = vec_push((void **)&v, &n, &cap, sizeof *v);
    if (!c) {
      rc = nomem(err);
      break;
    }
    c->ent_id = np_store_col_int64(st, 0);
    np_strlcpy(c->region, col_text(st, 1), sizeof c->region);
    np_strlcpy(c->county, col_text(st, 2), sizeof c->county);
    np_strlcpy(c->city, col_text(st, 3), sizeof c->city);
    c->openings = np_store_col_int64(st, 4);
    c->headcount = np_store_col_int64(st, 5);
  }
  np_store_release(st);
  if (rc == NP_OK && n > 1) qsort(v, n, sizeof *v, cand_cmp);
  for (size_t i = 0; rc == NP_OK && i < n; i++) {
    rc = raise_one(s, r, &v[i], now, err);
    if (rc == NP_OK && raised) (*raised)++;
  }
  free(v);
  return rc;
}

static np_err raise_all(np_store_t *s, const np_alert_rule_t *rules, size_t nr, int64_t ent_id, int64_t now,
                        int64_t *raised, np_errdetail_t *err) {
  np_err rc = NP_OK;
  for (size_t i = 0; rc == NP_OK && i < nr; i++)
    if (rules[i].active) rc = raise_rule(s, &rules[i], ent_id, now, raised, err);
  return rc;
}

/* ------------------------------------------------------------------ reconciling */

typedef struct live_row {
  int64_t id, rule_id, openings, headcount, county_due;
  bool major;
  char status[16], deadline[16];
} live_row_t;

static np_err reconcile(np_store_t *s, const np_alert_rule_t *rules, size_t nr, int64_t ent_id, int64_t now,
                        np_alert_sweep_stats_t *stats, np_errdetail_t *err) {
  char sql[768];
  snprintf(sql, sizeof sql,
           "SELECT a.id, a.rule_id, a.status, a.deadline, a.county_due_at, e.open_openings, e.headcount, "
           "CASE WHEN " MAJOR_EXISTS("a.enterprise_id") " THEN 1 ELSE 0 END "
           "FROM alerts a JOIN enterprises e ON e.id = a.enterprise_id WHERE a.live = 1%s ORDER BY a.id",
           ent_id > 0 ? " AND a.enterprise_id = ?" : "");
  np_stmt_t *st = NULL;
  live_row_t *v = NULL;
  size_t n = 0, cap = 0;
  np_err rc = np_store_prepare(s, sql, &st, err);
  if (rc) return rc;
  if (ent_id > 0) np_store_bind_int64(st, 1, ent_id);
  for (;;) {
    bool has = false;
    if ((rc = np_store_step(st, &has, err)) || !has) break;
    live_row_t *x = vec_push((void **)&v, &n, &cap, sizeof *v);
    if (!x) {
      rc = nomem(err);
      break;
    }
    x->id = np_store_col_int64(st, 0);
    x->rule_id = np_store_col_int64(st, 1);
    np_strlcpy(x->status, col_text(st, 2), sizeof x->status);
    np_strlcpy(x->deadline, col_text(st, 3), sizeof x->deadline);
    parse_ts(col_text(st, 4), &x->county_due);
    x->openings = np_store_col_int64(st, 5);
    x->headcount = np_store_col_int64(st, 6);
    x->major = np_store_col_int64(st, 7) != 0;
  }
  np_store_release(st);
  char ts[NP_TS_STRLEN];
  fmt_ts(now, ts);
  for (size_t i = 0; rc == NP_OK && i < n; i++) {
    live_row_t *x = &v[i];
    const np_alert_rule_t *r = rule_by_id(rules, nr, x->rule_id);
    bool active = r && r->active;
    if (active && np_alert_rule_matches(r, x->openings, x->headcount, x->major)) continue;
    json_t *before = NULL;
    if ((rc = alert_load_json(s, x->id, now, &before, err))) break;
    if (strcmp(x->status, "resolved") == 0) {
      /* closed by staff while it still matched: the pair may raise again from now on */
      rc = np_store_execf(s, NULL, err,
                          "UPDATE alerts SET live = 0, version = version + 1, updated_at = ? WHERE id = ?", "ti", ts,
                          x->id);
      if (rc == NP_OK)
        rc = add_event(s, x->id, ts, "rearm", NULL, NULL, "resolved", "resolved", NULL, NULL,
                       active ? "below_threshold" : "rule_inactive", err);
      if (rc == NP_OK) rc = alert_record(s, NULL, x->id, "update", "alert.rearm", before, now, NULL, err);
      if (rc == NP_OK && stats) stats->rearmed++;
    } else {
      const char *reason = active ? "below_threshold" : "rule_inactive";
      const char *deadline = x->deadline;
      if (strcmp(deadline, "pending") == 0) deadline = now <= x->county_due ? "not_required" : "missed";
      rc = np_store_execf(s, NULL, err,
                          "UPDATE alerts SET status = 'resolved', live = 0, resolved_at = ?, resolve_reason = ?, "
                          "resolution = 'auto', deadline = ?, version = version + 1, updated_at = ? WHERE id = ?",
                          "tttti", ts, reason, deadline, ts, x->id);
      if (rc == NP_OK) rc = add_event(s, x->id, ts, "resolve", NULL, NULL, x->status, "resolved", NULL, NULL, reason, err);
      if (rc == NP_OK) rc = alert_record(s, NULL, x->id, "update", "alert.resolve", before, now, reason, err);
      if (rc == NP_OK && stats) stats->resolved++;
    }
    json_decref(before);
  }
  free(v);
  return rc;
}

/* ------------------------------------------------------------------ escalation */

typedef struct esc_row {
  int64_t id, rule_id, due;
  int level;
  char deadline[16];
} esc_row_t;

static np_err escalate(np_store_t *s, const np_alert_rule_t *rules, size_t nr, int64_t now, int64_t *escalated,
                       np_errdetail_t *err) {
  char ts[NP_TS_STRLEN];
  fmt_ts(now, ts);
  np_stmt_t *st = NULL;
  esc_row_t *v = NULL;
  size_t n = 0, cap = 0;
  np_err rc = np_store_prepare(s,
                               "SELECT id, rule_id, level, due_at, deadline FROM alerts WHERE status = 'open' AND "
                               "level <> 'province' AND due_at < ? ORDER BY due_at, id",
                               &st, err);
  if (rc) return rc;
  np_store_bind_text(st, 1, ts, NP_STORE_STRLEN);
  for (;;) {
    bool has = false;
    if ((rc = np_store_step(st, &has, err)) || !has) break;
    esc_row_t *x = vec_push((void **)&v, &n, &cap, sizeof *v);
    if (!x) {
      rc = nomem(err);
      break;
    }
    x->id = np_store_col_int64(st, 0);
    x->rule_id = np_store_col_int64(st, 1);
    x->level = level_parse(col_text(st, 2));
    if (!parse_ts(col_text(st, 3), &x->due)) x->due = now;
    np_strlcpy(x->deadline, col_text(st, 4), sizeof x->deadline);
  }
  np_store_release(st);
  for (size_t i = 0; rc == NP_OK && i < n; i++) {
    esc_row_t *x = &v[i];
    const np_alert_rule_t *r = rule_by_id(rules, nr, x->rule_id);
    if (!r || x->level < 0) continue;
    json_t *before = NULL;
    if ((rc = alert_load_json(s, x->id, now, &before, err))) break;
    int level = x->level, from = x->level;
    int64_t due = x->due, at = 0;
    /* as many levels as the deadlines missed, each stamped at the deadline it missed */
    while (rc == NP_OK && due < now && level < NP_ALERT_PROVINCE) {
      char at_s[NP_TS_STRLEN], due_s[NP_TS_STRLEN];
      at = due;
      due += r->hours[level + 1] * 3600;
      fmt_ts(at, at_s);
      fmt_ts(due, due_s);
      rc = add_event(s, x->id, at_s, "escalate", np_firms_alert_levels[level], np_firms_alert_levels[level + 1], "open",
                     "open", due_s,
                     NULL, "not acknowledged in time", err);
      level++;
    }
    if (rc == NP_OK && level != from) {
      char at_s[NP_TS_STRLEN], due_s[NP_TS_STRLEN], detail[64];
      fmt_ts(at, at_s);
      fmt_ts(due, due_s);
      rc = np_store_execf(s, NULL, err,
                          "UPDATE alerts SET level = ?, due_at = ?, escalated_at = ?, deadline = CASE WHEN deadline = "
                          "'pending' THEN 'missed' ELSE deadline END, version = version + 1, updated_at = ? "
                          "WHERE id = ? AND status = 'open'",
                          "tttti", np_firms_alert_levels[level], due_s, at_s, ts, x->id);
      snprintf(detail, sizeof detail, "%s -> %s", np_firms_alert_levels[from], np_firms_alert_levels[level]);
      if (rc == NP_OK) rc = alert_record(s, NULL, x->id, "update", "alert.escalate", before, now, detail, err);
      if (rc == NP_OK && escalated) (*escalated)++;
    }
    json_decref(before);
  }
  free(v);
  return rc;
}

/* ------------------------------------------------------------------ public passes */

static np_err with_rules(np_store_t *s, np_alert_rule_t **rules, size_t *n, np_errdetail_t *err) {
  *rules = calloc(NP_ALERT_MAX_RULES, sizeof **rules);
  if (!*rules) return nomem(err);
  return np_alert_rules_load(s, *rules, NP_ALERT_MAX_RULES, n, err);
}

np_err np_firms_alerts_evaluate(np_store_t *s, int64_t now, int64_t *raised, np_errdetail_t *err) {
  np_alert_rule_t *rules = NULL;
  size_t nr = 0;
  int64_t count = 0;
  np_err rc = np_store_begin(s, err);
  if (rc) return rc;
  if ((rc = with_rules(s, &rules, &nr, err)) == NP_OK) rc = raise_all(s, rules, nr, 0, now, &count, err);
  if (rc == NP_OK) rc = np_store_commit(s, err);
  if (rc) np_store_rollback(s);
  else if (raised) *raised = count;
  free(rules);
  return rc;
}

np_err np_firms_alerts_check_enterprise(np_store_t *s, int64_t enterprise_id, int64_t now, np_errdetail_t *err) {
  if (enterprise_id <= 0) return NP_OK;
  np_alert_rule_t *rules = NULL;
  size_t nr = 0;
  np_err rc = np_store_begin(s, err);
  if (rc) return rc;
  if ((rc = with_rules(s, &rules, &nr, err)) == NP_OK && (rc = reconcile(s, rules, nr, enterprise_id, now, NULL, err)) == NP_OK)
    rc = raise_all(s, rules, nr, enterprise_id, now, NULL, err);
  if (rc == NP_OK) rc = np_store_commit(s, err);
  if (rc) np_store_rollback(s);
  free(rules);
  return rc;
}

np_err np_firms_alerts_sweep(np_store_t *s, int64_t now, np_alert_sweep_stats_t *stats, np_errdetail_t *err) {
  int64_t next = 0;
  return np_firms_alerts_sweep_since(s, now, 0, &next, stats, err);
}

/* Adds id to the sorted set v (no duplicates). */
static np_err id_set_add(int64_t **v, size_t *n, size_t *cap, int64_t id, np_errdetail_t *err) {
  size_t lo = 0, hi = *n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if ((*v)[mid] < id) lo = mid + 1;
    else hi = mid;
  }
  if (lo < *n && (*v)[lo] == id) return NP_OK;
  if (!vec_push((void **)v, n, cap, sizeof **v)) return nomem(err);
  memmove(*v + lo + 1, *v + lo, (*n - 1 - lo) * sizeof **v);
  (*v)[lo] = id;
  return NP_OK;
}

/*
 * The enterprises whose rule inputs may have changed in changes (since, upto]: enterprise rows
 * (headcount, open openings, green channel), demand lines (open openings) and projects (major,
 * stage). *full = true when a rule changed or more than NP_ALERT_SWEEP_MAX_TOUCHED enterprises did
 * (then a full pass is cheaper than one per enterprise).
 */
static np_err touched_since(np_store_t *s, int64_t since, int64_t upto, int64_t **ids, size_t *n, bool *full,
                            np_errdetail_t *err) {
  size_t cap = 0;
  *full = false;
  np_stmt_t *st = NULL;
  np_err rc = np_store_prepare(s,
                               "SELECT c.entity, c.entity_id, CASE c.entity "
                               "WHEN 'demand' THEN (SELECT d.enterprise_id FROM demands d WHERE d.id = "
                               "CAST(SUBSTR(c.entity_id, 5) AS INTEGER)) "
                               "WHEN 'project' THEN (SELECT p.enterprise_id FROM projects p WHERE p.id = "
                               "CAST(SUBSTR(c.entity_id, 5) AS INTEGER)) END "
                               "FROM changes c WHERE c.seq > ? AND c.seq <= ? AND c.entity IN "
                               "('enterprise', 'demand', 'project', 'alert_rule')",
                               &st, err);
  if (rc) return rc;
  np_store_bind_int64(st, 1, since);
  np_store_bind_int64(st, 2, upto);
  for (;;) {
    bool has = false;
    if ((rc = np_store_step(st, &has, err)) || !has) break;
    const char *entity = col_text(st, 0);
    int64_t id = 0;
    if (strcmp(entity, "alert_rule") == 0) {
      *full = true;
      break;
    }
    if (strcmp(entity, "enterprise") == 0) {
      if (np_id_parse(NP_ID_ENTERPRISE, col_text(st, 1), &id) != NP_OK) id = 0;
    } else if (!np_store_col_is_null(st, 2)) {
      id = np_store_col_int64(st, 2);
    }
    if (id > 0 && (rc = id_set_add(ids, n, &cap, id, err))) break;
    if (*n > NP_ALERT_SWEEP_MAX_TOUCHED) {
      *full = true;
      break;
    }
  }
  np_store_release(st);
  return rc;
}

np_err np_firms_alerts_sweep_since(np_store_t *s, int64_t now, int64_t since_seq, int64_t *next_seq,
                                   np_alert_sweep_stats_t *stats, np_errdetail_t *err) {
  np_alert_rule_t *rules = NULL;
  size_t nr = 0, nt = 0;
  int64_t *touched = NULL, upto = 0;
  bool full = since_seq <= 0;
  np_alert_sweep_stats_t st = {0};
  np_err rc = np_store_begin(s, err);
  if (rc) return rc;
  /* the feed position this pass answers for (changes after it are the next pass's) */
  if ((rc = np_store_queryf_int64(s, &upto, NULL, err, "SELECT COALESCE(MAX(seq), 0) FROM changes", "")))
    goto out;
  if ((rc = with_rules(s, &rules, &nr, err))) goto out;
  if (!full && (rc = touched_since(s, since_seq, upto, &touched, &nt, &full, err))) goto out;
  if (full) {
    if ((rc = reconcile(s, rules, nr, 0, now, &st, err)) == NP_OK &&
        (rc = escalate(s, rules, nr, now, &st.escalated, err)) == NP_OK)
      rc = raise_all(s, rules, nr, 0, now, &st.raised, err);
  } else {
    for (size_t i = 0; rc == NP_OK && i < nt; i++)
      if ((rc = reconcile(s, rules, nr, touched[i], now, &st, err)) == NP_OK)
        rc = raise_all(s, rules, nr, touched[i], now, &st.raised, err);
    if (rc == NP_OK) rc = escalate(s, rules, nr, now, &st.escalated, err);
  }
  st.enterprises = full ? -1 : (int64_t)nt;
  if (rc == NP_OK) rc = np_store_commit(s, err);
out:
  if (rc) np_store_rollback(s);
  else {
    if (stats) *stats = st;
    if (next_seq) *next_seq = upto;
  }
  free(touched);
  free(rules);
  return rc;
}

/* ------------------------------------------------------------------ single alerts */

typedef struct core_row {
  int64_t id, ent_id, rule_id, county_due, openings, headcount;
  bool major;
  char region[16], status[16], deadline[16], level[16];
} core_row_t;

/* Loads the owner and state of alert id; NP_ERR_NOT_FOUND when absent or outside scope. */
static np_err core_load(np_store_t *s, const np_scope_t *scope, int64_t id, core_row_t *c, np_errdetail_t *err) {
  np_stmt_t *st = NULL;
  bool has = false;
  memset(c, 0, sizeof *c);
  np_err rc = np_store_prepare(
      s,
      "SELECT a.id, a.enterprise_id, a.rule_id, a.region_code, a.status, a.deadline, a.county_due_at, a.level, "
      "e.open_openings, e.headcount, CASE WHEN " MAJOR_EXISTS("a.enterprise_id") " THEN 1 ELSE 0 END "
      "FROM alerts a JOIN enterprises e ON e.id = a.enterprise_id WHERE a.id = ?",
      &st, err);
  if (rc) return rc;
  np_store_bind_int64(st, 1, id);
  if ((rc = np_store_step(st, &has, err)) == NP_OK && has) {
    c->id = np_store_col_int64(st, 0);
    c->ent_id = np_store_col_int64(st, 1);
    c->rule_id = np_store_col_int64(st, 2);
    np_strlcpy(c->region, col_text(st, 3), sizeof c->region);
    np_strlcpy(c->status, col_text(st, 4), sizeof c->status);
    np_strlcpy(c->deadline, col_text(st, 5), sizeof c->deadline);
    parse_ts(col_text(st, 6), &c->county_due);
    np_strlcpy(c->level, col_text(st, 7), sizeof c->level);
    c->openings = np_store_col_int64(st, 8);
    c->headcount = np_store_col_int64(st, 9);
    c->major = np_store_col_int64(st, 10) != 0;
  }
  np_store_release(st);
  if (rc) return rc;
  if (!has || !np_authz_scope_contains(scope, c->region, c->ent_id, NULL, 0))
    return np_fail(err, NP_ERR_NOT_FOUND, "not_found", "", "no such alert");
  return NP_OK;
}

static np_err text_arg(const char *v, const char *field, bool required, size_t max_chars, np_errdetail_t *err) {
  if (!v || !*v) {
    if (required) return np_fail(err, NP_ERR_INVALID, "required", field, "%s is required", field);
    return NP_OK;
  }
  size_t n = strlen(v), chars = np_utf8_count(v, n);
  if (chars == SIZE_MAX) return np_fail(err, NP_ERR_INVALID, "format", field, "%s is not valid UTF-8", field);
  if (chars > max_chars)
    return np_fail(err, NP_ERR_INVALID, "length", field, "%s is longer than %zu characters", field, max_chars);
  return NP_OK;
}

static const char *deadline_on_response(const core_row_t *c, int64_t now) {
  if (strcmp(c->deadline, "pending") != 0) return c->deadline;
  return now <= c->county_due ? "met" : "missed";
}

np_err np_firms_alert_ack(np_store_t *s, const np_audit_entry_t *actor, const np_scope_t *scope, int64_t id,
                          const char *note, const char *planned, int64_t now, json_t **out, np_errdetail_t *err) {
  np_err rc;
  if (out) *out = NULL;
  if ((rc = text_arg(note, "note", true, NP_ALERT_NOTE_MAX_CHARS, err)) ||
      (rc = text_arg(planned, "planned_response", false, NP_ALERT_PLAN_MAX_CHARS, err)))
    return rc;
  if (planned && !*planned) planned = NULL;
  if ((rc = np_store_begin(s, err))) return rc;
  core_row_t c;
  json_t *before = NULL;
  char ts[NP_TS_STRLEN];
  fmt_ts(now, ts);
  if ((rc = core_load(s, scope, id, &c, err))) goto out;
  if (strcmp(c.status, "resolved") == 0) {
    rc = np_fail(err, NP_ERR_CONFLICT, "resolved", "", "the alert is already resolved");
    goto out;
  }
  if (strcmp(c.status, "acknowledged") == 0) {
    rc = np_fail(err, NP_ERR_CONFLICT, "already_acknowledged", "", "the alert is already acknowledged");
    goto out;
  }
  if ((rc = alert_load_json(s, id, now, &before, err))) goto out;
  int64_t changed = 0;
  rc = np_store_execf(s, &changed, err,
                      "UPDATE alerts SET status = 'acknowledged', acked_at = ?, acked_by = NULLIF(?, 0), "
                      "acked_by_name = ?, ack_note = ?, planned_response = ?, deadline = ?, version = version + 1, "
                      "updated_at = ? WHERE id = ? AND status = 'open'",
                      "tittttti", ts, actor ? actor->user_id : (int64_t)0, actor ? actor->username : NULL, note,
                      planned, deadline_on_response(&c, now), ts, id);
  if (rc == NP_OK && changed != 1) rc = np_fail(err, NP_ERR_CONFLICT, "stale", "", "the alert changed meanwhile");
  if (rc == NP_OK) rc = add_event(s, id, ts, "ack", c.level, c.level, "open", "acknowledged", NULL, actor, note, err);
  if (rc == NP_OK) rc = alert_record(s, actor, id, "update", "alert.ack", before, now, NULL, err);
  if (rc == NP_OK) rc = np_store_commit(s, err);
out:
  json_decref(before);
  if (rc) {
    np_store_rollback(s);
    return rc;
  }
  return out ? np_firms_alert_get(s, scope, id, false, now, out, err) : NP_OK;
}

np_err np_firms_alert_resolve(np_store_t *s, const np_audit_entry_t *actor, const np_scope_t *scope, int64_t id,
                              const char *reason, int64_t now, json_t **out, np_errdetail_t *err) {
  np_err rc;
  if (out) *out = NULL;
  if ((rc = text_arg(reason, "reason", true, NP_ALERT_NOTE_MAX_CHARS, err))) return rc;
  if ((rc = np_store_begin(s, err))) return rc;
  core_row_t c;
  json_t *before = NULL;
  np_alert_rule_t *rules = NULL;
  size_t nr = 0;
  char ts[NP_TS_STRLEN];
  fmt_ts(now, ts);
  if ((rc = core_load(s, scope, id, &c, err))) goto out;
  if (strcmp(c.status, "resolved") == 0) {
    rc = np_fail(err, NP_ERR_CONFLICT, "resolved", "", "the alert is already resolved");
    goto out;
  }
  if ((rc = with_rules(s, &rules, &nr, err)) || (rc = alert_load_json(s, id, now, &before, err))) goto out;
  const np_alert_rule_t *r = rule_by_id(rules, nr, c.rule_id);
  /* still matching: keep the pair quiet until the rule stops matching (no immediate re-raise) */
  bool still = r && r->active && np_alert_rule_matches(r, c.openings, c.headcount, c.major);
  int64_t changed = 0;
  rc = np_store_execf(s, &changed, err,
                      "UPDATE alerts SET status = 'resolved', live = ?, resolved_at = ?, resolved_by = NULLIF(?, 0), "
                      "resolved_by_name = ?, resolve_reason = ?, resolution = 'manual', deadline = ?, "
                      "version = version + 1, updated_at = ? WHERE id = ? AND status <> 'resolved'",
                      "ititttti", (int64_t)still, ts, actor ? actor->user_id : (int64_t)0,
                      actor ? actor->username : NULL, reason, deadline_on_response(&c, now), ts, id);
  if (rc == NP_OK && changed != 1) rc = np_fail(err, NP_ERR_CONFLICT, "stale", "", "the alert changed meanwhile");
  if (rc == NP_OK) rc = add_event(s, id, ts, "resolve", c.level, c.level, c.status, "resolved", NULL, actor, reason, err);
  if (rc == NP_OK) rc = alert_record(s, actor, id, "update", "alert.resolve", before, now, NULL, err);
  if (rc == NP_OK) rc = np_store_commit(s, err);
out:
  json_decref(before);
  free(rules);
  if (rc) {
    np_store_rollback(s);
    return rc;
  }
  return out ? np_firms_alert_get(s, scope, id, false, now, out, err) : NP_OK;
}

static np_err history_json(np_store_t *s, int64_t id, json_t **out, np_errdetail_t *err) {
  np_stmt_t *st = NULL;
  *out = json_array();
  if (!*out) return nomem(err);
  np_err rc = np_store_prepare(s,
                               "SELECT at, action, level_before, level_after, status_before, status_after, due_at, "
                               "username, note FROM alert_events WHERE alert_id = ? ORDER BY id",
                               &st, err);
  if (rc) return rc;
  np_store_bind_int64(st, 1, id);
  for (;;) {
    bool has = false;
    if ((rc = np_store_step(st, &has, err)) || !has) break;
    json_t *e = json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "at", col_text(st, 0), "action",
                          col_text(st, 1), "level_before", text_or_null(st, 2), "level_after", text_or_null(st, 3),
                          "status_before", text_or_null(st, 4), "status_after", text_or_null(st, 5), "due_at",
                          text_or_null(st, 6), "by", text_or_null(st, 7), "note", text_or_null(st, 8));
    if (!e || json_array_append_new(*out, e)) {
      rc = nomem(err);
      break;
    }
  }
  np_store_release(st);
  return rc;
}

np_err np_firms_alert_get(np_store_t *s, const np_scope_t *scope, int64_t id, bool with_history, int64_t now,
                          json_t **out, np_errdetail_t *err) {
  core_row_t c;
  json_t *h = NULL;
  *out = NULL;
  np_err rc = core_load(s, scope, id, &c, err);
  if (rc == NP_OK) rc = alert_load_json(s, id, now, out, err);
  if (rc == NP_OK && with_history && (rc = history_json(s, id, &h, err)) == NP_OK)
    json_object_set_new(*out, "history", h), h = NULL;
  json_decref(h);
  if (rc) {
    json_decref(*out);
    *out = NULL;
  }
  return rc;
}

/* ------------------------------------------------------------------ lists and report */

#define MAX_BINDS 16

typedef struct qb {
  char sql[4096];
  size_t len;
  bool overflow;
  int n;
  bool is_int[MAX_BINDS];
  int64_t i[MAX_BINDS];
  const char *t[MAX_BINDS];
  char scope_text[72];
  int nscope;
} qb_t;

static void qb_add(qb_t *q, const char *sql) {
  size_t l = strlen(sql);
  if (q->len + l >= sizeof q->sql) {
    q->overflow = true;
    return;
  }
  memcpy(q->sql + q->len, sql, l + 1);
  q->len += l;
}
static void qb_text(qb_t *q, const char *v) {
  if (q->n < MAX_BINDS) q->t[q->n++] = v;
  else q->overflow = true;
}
static void qb_int(qb_t *q, int64_t v) {
  if (q->n < MAX_BINDS) q->is_int[q->n] = true, q->i[q->n++] = v;
  else q->overflow = true;
}

/* Appends the scope fragment and its bind value. */
static np_err qb_scope(qb_t *q, const np_scope_t *scope, np_errdetail_t *err) {
  static const np_scope_cols_t cols = {.region = "a.region_code", .enterprise = "a.enterprise_id"};
  np_scope_sql_t sq;
  if (np_authz_scope_sql(scope, &cols, &sq) != NP_OK)
    return np_fail(err, NP_ERR_INTERNAL, "internal", "", "bad scope");
  qb_add(q, sq.sql);
  for (int k = 0; k < sq.nbinds; k++) {
    if (sq.binds[k].is_int) {
      qb_int(q, sq.binds[k].i);
    } else {
      /* the text lives in sq: copy into the builder's own storage */
      if (q->nscope >= 1) return np_fail(err, NP_ERR_INTERNAL, "internal", "", "scope binds");
      np_strlcpy(q->scope_text, sq.binds[k].t, sizeof q->scope_text);
      qb_text(q, q->scope_text);
      q->nscope++;
    }
  }
  return NP_OK;
}

static np_err qb_prepare(np_store_t *s, const qb_t *q, np_stmt_t **st, np_errdetail_t *err) {
  if (q->overflow) return np_fail(err, NP_ERR_INTERNAL, "internal", "", "query too long");
  np_err rc = np_store_prepare(s, q->sql, st, err);
  if (rc) return rc;
  for (int k = 0; k < q->n; k++) {
    if (q->is_int[k]) np_store_bind_int64(*st, k + 1, q->i[k]);
    else np_store_bind_text(*st, k + 1, q->t[k], NP_STORE_STRLEN);
  }
  return NP_OK;
}

static void add_filters(qb_t *q, const np_alert_filter_t *f, const char *now_ts, char *prefix_buf, size_t cap) {
  if (f->region_prefix && *f->region_prefix) {
    snprintf(prefix_buf, cap, "%s%%", f->region_prefix);
    qb_add(q, " AND a.region_code LIKE ?");
    qb_text(q, prefix_buf);
  }
  if (f->level >= 0 && f->level <= NP_ALERT_PROVINCE) {
    qb_add(q, " AND a.level = ?");
    qb_text(q, np_firms_alert_levels[f->level]);
  }
  if (f->status && *f->status) {
    if (strcmp(f->status, "active") == 0) {
      qb_add(q, " AND a.status <> 'resolved'");
    } else {
      qb_add(q, " AND a.status = ?");
      qb_text(q, f->status);
    }
  }
  if (f->overdue == 1) {
    qb_add(q, " AND a.status = 'open' AND a.due_at < ?");
    qb_text(q, now_ts);
  } else if (f->overdue == 0) {
    qb_add(q, " AND NOT (a.status = 'open' AND a.due_at < ?)");
    qb_text(q, now_ts);
  }
  if (f->green == 0 || f->green == 1) {
    qb_add(q, " AND " GREEN_SQL " = ?");
    qb_int(q, f->green);
  }
  if (f->enterprise_id > 0) {
    qb_add(q, " AND a.enterprise_id = ?");
    qb_int(q, f->enterprise_id);
  }
}

/* cursor "<green>.<due_at>.<id>" */
static bool cursor_parse(const char *c, int64_t *green, char due[NP_TS_STRLEN], int64_t *id) {
  size_t n = strlen(c);
  int64_t t;
  if (n < 2 + 20 + 2 || (c[0] != '0' && c[0] != '1') || c[1] != '.' || c[22] != '.') return false;
  if (np_date_parse_ts_utc(c + 2, 20, &t) != NP_OK) return false;
  if (np_parse_int64(c + 23, n - 23, 1, INT64_MAX, id) != NP_OK) return false;
  *green = c[0] - '0';
  memcpy(due, c + 2, 20);
  due[20] = '\0';
  return true;
}

np_err np_firms_alert_list(np_store_t *s, const np_alert_filter_t *f, int64_t now, json_t **out, np_errdetail_t *err) {
  char now_ts[NP_TS_STRLEN], prefix[24], cur_due[NP_TS_STRLEN];
  int64_t cur_green = 0, cur_id = 0, total = 0;
  fmt_ts(now, now_ts);
  *out = NULL;
  if (f->cursor && *f->cursor && !cursor_parse(f->cursor, &cur_green, cur_due, &cur_id))
    return np_fail(err, NP_ERR_INVALID, "format", "cursor", "cursor is not valid");
  int64_t limit = f->limit >= 1 && f->limit <= 100 ? f->limit : 20;
  qb_t *q = calloc(1, sizeof *q);
  json_t *items = json_array();
  np_stmt_t *st = NULL;
  np_err rc = NP_OK;
  if (!q || !items) {
    rc = nomem(err);
    goto out;
  }
  /* total */
  qb_add(q, "SELECT COUNT(*)" ALERT_FROM " WHERE 1 = 1");
  if ((rc = qb_scope(q, f->scope, err))) goto out;
  add_filters(q, f, now_ts, prefix, sizeof prefix);
  if (q->overflow) {
    rc = np_fail(err, NP_ERR_INTERNAL, "internal", "", "query too long");
    goto out;
  }
  np_store_bindv_t bv[MAX_BINDS];
  for (int k = 0; k < q->n; k++) bv[k] = (np_store_bindv_t){.is_int = q->is_int[k], .i = q->i[k], .t = q->t[k]};
  if ((rc = np_store_count_memo(s, q->sql, bv, q->n, &total, err))) goto out; /* paging re-asks the same total */
  bool has = false;
  /* page */
  memset(q, 0, sizeof *q);
  qb_add(q, "SELECT " ALERT_COLS " AS green" ALERT_FROM " WHERE 1 = 1");
  if ((rc = qb_scope(q, f->scope, err))) goto out;
  add_filters(q, f, now_ts, prefix, sizeof prefix);
  if (cur_id > 0) {
    qb_add(q, " AND (" GREEN_SQL " < ? OR (" GREEN_SQL " = ? AND (a.due_at > ? OR (a.due_at = ? AND a.id > ?))))");
    qb_int(q, cur_green);
    qb_int(q, cur_green);
    qb_text(q, cur_due);
    qb_text(q, cur_due);
    qb_int(q, cur_id);
  }
  qb_add(q, " ORDER BY green DESC, a.due_at, a.id LIMIT ?");
  qb_int(q, limit + 1);
  if ((rc = qb_prepare(s, q, &st, err))) goto out;
  int64_t count = 0, last_green = 0, last_id = 0;
  char last_due[NP_TS_STRLEN] = "";
  bool more = false;
  for (;;) {
    if ((rc = np_store_step(st, &has, err)) || !has) break;
    if (count == limit) {
      more = true;
      break;
    }
    json_t *o = alert_json(st, now);
    if (!o || json_array_append_new(items, o)) {
      rc = nomem(err);
      break;
    }
    last_green = np_store_col_int64(st, C_GREEN) ? 1 : 0;
    last_id = np_store_col_int64(st, C_ID);
    np_strlcpy(last_due, col_text(st, C_DUE), sizeof last_due);
    count++;
  }
  if (rc) goto out;
  json_t *next = json_null();
  if (more && strlen(last_due) == 20) {
    char c[64];
    snprintf(c, sizeof c, "%" PRId64 ".%s.%" PRId64, last_green, last_due, last_id);
    next = json_string(c);
  }
  *out = json_pack("{s:o, s:I, s:o}", "items", items, "total", (json_int_t)total, "next_cursor", next);
  items = NULL;
  if (!*out) rc = nomem(err);
out:
  np_store_release(st);
  json_decref(items);
  free(q);
  return rc;
}

np_err np_firms_alert_report(np_store_t *s, const np_scope_t *scope, const char *region_prefix, int64_t from,
                             int64_t to, int64_t now, json_t **out, np_errdetail_t *err) {
  char now_ts[NP_TS_STRLEN], from_ts[NP_TS_STRLEN], to_ts[NP_TS_STRLEN], prefix[24];
  fmt_ts(now, now_ts);
  *out = NULL;
  qb_t *q = calloc(1, sizeof *q);
  json_t *items = json_array();
  np_stmt_t *st = NULL;
  np_err rc = NP_OK;
  int64_t tot[8] = {0};
  static const char *const names[8] = {"raised", "met", "missed", "pending", "not_required", "open", "escalated",
                                       "acknowledged"};
  if (!q || !items) {
    rc = nomem(err);
    goto out;
  }
  qb_add(q, "SELECT a.county_code, MIN(a.city_code), COUNT(*), "
            "SUM(CASE WHEN a.deadline = 'met' THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN a.deadline = 'missed' OR (a.deadline = 'pending' AND a.status = 'open' AND "
            "a.county_due_at < ?) THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN a.deadline = 'pending' AND NOT (a.status = 'open' AND a.county_due_at < ?) THEN 1 ELSE 0 "
            "END), "
            "SUM(CASE WHEN a.deadline = 'not_required' THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN a.status <> 'resolved' THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN a.level <> 'county' THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN a.acked_at IS NOT NULL THEN 1 ELSE 0 END) "
            "FROM alerts a WHERE 1 = 1");
  qb_text(q, now_ts);
  qb_text(q, now_ts);
  if ((rc = qb_scope(q, scope, err))) goto out;
  if (region_prefix && *region_prefix) {
    snprintf(prefix, sizeof prefix, "%s%%", region_prefix);
    qb_add(q, " AND a.region_code LIKE ?");
    qb_text(q, prefix);
  }
  if (from > 0) {
    fmt_ts(from, from_ts);
    qb_add(q, " AND a.raised_at >= ?");
    qb_text(q, from_ts);
  }
  if (to > 0) {
    fmt_ts(to, to_ts);
    qb_add(q, " AND a.raised_at < ?");
    qb_text(q, to_ts);
  }
  qb_add(q, " GROUP BY a.county_code ORDER BY a.county_code");
  if ((rc = qb_prepare(s, q, &st, err))) goto out;
  for (;;) {
    bool has = false;
    if ((rc = np_store_step(st, &has, err)) || !has) break;
    json_t *o = json_object();
    if (!o || json_array_append_new(items, o)) {
      rc = nomem(err);
      break;
    }
    json_object_set_new(o, "county_code", json_string(col_text(st, 0)));
    json_object_set_new(o, "county_name", region_name_json(col_text(st, 0)));
    json_object_set_new(o, "city_code", json_string(col_text(st, 1)));
    json_object_set_new(o, "city_name", region_name_json(col_text(st, 1)));
    for (int k = 0; k < 8; k++) {
      int64_t v = np_store_col_int64(st, 2 + k);
      tot[k] += v;
      json_object_set_new(o, names[k], json_integer(v));
    }
  }
  if (rc) goto out;
  json_t *totals = json_object();
  for (int k = 0; totals && k < 8; k++) json_object_set_new(totals, names[k], json_integer(tot[k]));
  *out = json_pack("{s:o, s:o, s:o, s:o, s:s}", "items", items, "totals", totals ? totals : json_null(), "from",
                   from > 0 ? json_string(from_ts) : json_null(), "to", to > 0 ? json_string(to_ts) : json_null(),
                   "computed_at", now_ts);
  items = NULL;
  if (!*out) rc = nomem(err);
out:
  np_store_release(st);
  json_decref(items);
  free(q);
  return rc;
}
