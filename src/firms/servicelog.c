/* Service logs and the enterprise timeline. */
#include "firms/servicelog.h"
#include "firms/dicts.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/date.h"
#include "core/ids.h"
#include "core/json.h"
#include "core/str.h"
#include "firms/specialists.h"

const char *const np_firms_log_kinds[] = {"visit", "call", "online", NULL};
/* timeline item types, in the order the kinds of events happen to an enterprise */
const char *const np_firms_timeline_types[] = {"registered",   "assignment_start", "assignment_end", "service_log",
                                               "project_start", "project_production", NULL};

#define LOG_COLS                                                                                              \
  "l.id, l.enterprise_id, l.log_date, l.kind, l.specialist_id, l.staff_name, l.findings, l.problems, " \
  "l.created_at, l.region_code"

static json_t *text_or_null(np_stmt_t *st, int col) {
  const char *s = np_store_col_text(st, col);
  return s ? json_string(s) : json_null();
}

static json_t *log_row(np_stmt_t *st) {
  char b[32];
  json_t *o = json_object();
  json_object_set_new(o, "id", json_string(np_id_format(NP_ID_SERVICE_LOG, np_store_col_int64(st, 0), b, sizeof b)));
  json_object_set_new(o, "enterprise_id", json_string(np_id_format(NP_ID_ENTERPRISE, np_store_col_int64(st, 1), b, sizeof b)));
  json_object_set_new(o, "log_date", text_or_null(st, 2));
  json_object_set_new(o, "kind", text_or_null(st, 3));
  if (np_store_col_is_null(st, 4)) json_object_set_new(o, "specialist_id", json_null());
  else json_object_set_new(o, "specialist_id", json_string(np_id_format(NP_ID_SPECIALIST, np_store_col_int64(st, 4), b, sizeof b)));
  json_object_set_new(o, "staff_name", text_or_null(st, 5));
  json_object_set_new(o, "findings", text_or_null(st, 6));
  const char *p = np_store_col_text(st, 7);
  json_t *pj = p ? json_loads(p, 0, NULL) : NULL;
  json_object_set_new(o, "problems", pj ? pj : json_array());
  json_object_set_new(o, "created_at", text_or_null(st, 8));
  return o;
}

/* cursor "YYYY-MM-DD.<id>" */
static np_err parse_cursor(const char *cur, char date[NP_DATE_STRLEN], int64_t *id, np_errdetail_t *err) {
  date[0] = '\0';
  *id = 0;
  if (!cur || !*cur) return NP_OK;
  np_date_t d;
  size_t n = strlen(cur);
  if (n < 12 || cur[10] != '.' || np_date_parse(cur, 10, &d) != NP_OK ||
      np_parse_int64(cur + 11, n - 11, 1, INT64_MAX, id) != NP_OK)
    return np_fail(err, NP_ERR_INVALID, "format", "cursor", "cursor is not valid");
  memcpy(date, cur, 10);
  date[10] = '\0';
  return NP_OK;
}

np_err np_firms_servicelog_list(const np_firms_ctx_t *c, const char *enterprise, const np_firms_page_t *pg,
                                json_t **out, np_errdetail_t *err) {
  np_firms_target_t e;
  int64_t limit = pg && pg->limit ? pg->limit : 20, cid;
  char cdate[NP_DATE_STRLEN];
  if (limit < 1 || limit > 100) return np_fail(err, NP_ERR_INVALID, "range", "limit", "limit must be an integer from 1 to 100");
  np_err rc = parse_cursor(pg ? pg->cursor : NULL, cdate, &cid, err);
  if (rc) return rc;
  if ((rc = np_firms_enterprise_resolve(c, enterprise, &e, err))) return rc;
  json_t *items = json_array();
  np_stmt_t *st = NULL;
  bool has, more = false;
  int64_t total = 0, n = 0;
  char last[48] = "";
  if ((rc = np_store_queryf_int64(c->s, &total, NULL, err, "SELECT COUNT(*) FROM service_logs WHERE enterprise_id = ?", "i",
                                  e.id)))
    goto out;
  if ((rc = np_store_prepare(c->s,
                             "SELECT " LOG_COLS " FROM service_logs l WHERE l.enterprise_id = ? AND (? = '' OR l.log_date < ? "
                             "OR (l.log_date = ? AND l.id < ?)) ORDER BY l.log_date DESC, l.id DESC LIMIT ?",
                             &st, err)))
    goto out;
  np_store_bind_int64(st, 1, e.id);
  np_store_bind_text(st, 2, cdate, NP_STORE_STRLEN);
  np_store_bind_text(st, 3, cdate, NP_STORE_STRLEN);
  np_store_bind_text(st, 4, cdate, NP_STORE_STRLEN);
  np_store_bind_int64(st, 5, cid);
  np_store_bind_int64(st, 6, limit + 1);
  while ((rc = np_store_step(st, &has, err)) == NP_OK && has) {
    if (n == limit) {
      more = true;
      break;
    }
    snprintf(last, sizeof last, "%.10s.%" PRId64, np_store_col_text(st, 2), np_store_col_int64(st, 0));
    json_array_append_new(items, log_row(st));
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

np_err np_firms_servicelog_create(const np_firms_ctx_t *c, const char *enterprise, int64_t acting_specialist,
                                  const json_t *in, json_t **out, np_errdetail_t *err) {
  static const char *const keys[] = {"log_date", "kind", "findings", "problems", "staff_name", "specialist_id", NULL};
  const char *kind = NULL, *findings = NULL, *staff = NULL, *spc = NULL;
  const char **problems = NULL;
  size_t nproblems = 0;
  np_date_t date;
  np_firms_target_t e;
  np_arena_t *a = np_arena_new(1 << 16);
  json_t *after = NULL, *pj = NULL;
  char *pjs = NULL;
  np_err rc;
  if (!a) return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  if ((rc = np_json_check_keys(in, keys, err)) ||
      (rc = np_json_get_date(in, "log_date", NP_JSON_REQUIRED, &date, NULL, err)) ||
      (rc = np_json_get_str(in, "kind", NP_JSON_REQUIRED, 1, 16, &kind, NULL, err)) ||
      (rc = np_json_get_str(in, "findings", NP_JSON_REQUIRED | NP_JSON_ALLOW_NEWLINES, 1, 2000, &findings, NULL, err)) ||
      (rc = np_json_get_str_array(in, "problems", 0, 20, 500, a, &problems, &nproblems, NULL, err)) ||
      (rc = np_json_get_str(in, "staff_name", 0, 1, 64, &staff, NULL, err)) ||
      (rc = np_json_get_str(in, "specialist_id", 0, 0, 32, &spc, NULL, err)))
    goto out;
  if (!np_firms_in_list(kind, np_firms_log_kinds)) {
    rc = np_fail(err, NP_ERR_INVALID, "format", "kind", "kind must be one of " NP_FIRMS_LOG_KINDS);
    goto out;
  }
  if (date.days > np_date_today().days) {
    rc = np_fail(err, NP_ERR_INVALID, "future_date", "log_date", "log_date must not be in the future");
    goto out;
  }
  np_date_t floor;
  np_date_from_ymd(2000, 1, 1, &floor);
  if (date.days < floor.days) {
    rc = np_fail(err, NP_ERR_INVALID, "range", "log_date", "log_date is too far in the past");
    goto out;
  }
  if ((rc = np_firms_enterprise_resolve(c, enterprise, &e, err))) goto out;
  int64_t sid = acting_specialist;
  if (!sid && spc && *spc && np_id_parse(NP_ID_SPECIALIST, spc, &sid) != NP_OK) {
    rc = np_fail(err, NP_ERR_INVALID, "unknown_specialist", "specialist_id", "specialist_id is not a known specialist");
    goto out;
  }
  char sname[128] = "";
  if (sid) {
    np_stmt_t *st = NULL;
    bool has = false;
    if ((rc = np_store_prepare(c->s, "SELECT name, region_code FROM specialists WHERE id = ?", &st, err))) goto out;
    np_store_bind_int64(st, 1, sid);
    rc = np_store_step(st, &has, err);
    if (rc == NP_OK && has && (acting_specialist || np_firms_visible(c, np_store_col_text(st, 1))))
      np_strlcpy(sname, np_store_col_text(st, 0), sizeof sname);
    else has = false;
    np_store_release(st);
    if (rc) goto out;
    if (!has) {
      rc = np_fail(err, NP_ERR_INVALID, "unknown_specialist", "specialist_id", "specialist_id is not a known specialist");
      goto out;
    }
    if (!staff) staff = sname;
  }
  if (acting_specialist) {
    bool yes = false;
    if ((rc = np_firms_specialist_serves(c->s, acting_specialist, e.id, &yes, err))) goto out;
    if (!yes) {
      rc = np_fail(err, NP_ERR_FORBIDDEN, "not_assigned", "", "this enterprise is not assigned to you");
      goto out;
    }
  }
  if (!staff) {
    rc = np_fail(err, NP_ERR_INVALID, "required", "staff_name", "staff_name or specialist_id is required");
    goto out;
  }
  pj = json_array();
  for (size_t i = 0; i < nproblems; i++) json_array_append_new(pj, json_string(problems[i]));
  pjs = json_dumps(pj, JSON_COMPACT);
  if (!pjs) {
    rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
    goto out;
  }
  char ds[NP_DATE_STRLEN], now[NP_TS_STRLEN];
  np_date_format(date, ds, sizeof ds);
  np_firms_now(now);
  int64_t uid = c->actor ? c->actor->user_id : 0, id = 0;
  if ((rc = np_store_begin(c->s, err))) goto out;
  const char *sql = "INSERT INTO service_logs (enterprise_id, region_code, county_code, log_date, kind, specialist_id, "
                    "staff_name, findings, problems, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "RETURNING id";
  if (sid)
    rc = np_store_queryf_int64(c->s, &id, NULL, err, sql, "ittttitttit", e.id, e.region_code, e.county_code, ds, kind, sid,
                               staff, findings, pjs, uid, now);
  else
    rc = np_store_queryf_int64(c->s, &id, NULL, err, sql, "ittttntttit", e.id, e.region_code, e.county_code, ds, kind,
                               staff, findings, pjs, uid, now);
  if (rc) goto fail;
  {
    np_stmt_t *st = NULL;
    bool has = false;
    if ((rc = np_store_prepare(c->s, "SELECT " LOG_COLS " FROM service_logs l WHERE l.id = ?", &st, err))) goto fail;
    np_store_bind_int64(st, 1, id);
    rc = np_store_step(st, &has, err);
    if (rc == NP_OK && has) after = log_row(st);
    np_store_release(st);
    if (rc) goto fail;
    if (!after) {
      rc = np_fail(err, NP_ERR_INTERNAL, "internal", "", "service log vanished");
      goto fail;
    }
  }
  char lid[32];
  np_id_format(NP_ID_SERVICE_LOG, id, lid, sizeof lid);
  if ((rc = np_firms_record(c, "servicelog.create", "service_log", lid, NULL, after, "insert", err))) goto fail;
  if ((rc = np_store_commit(c->s, err))) goto fail;
  goto out;
fail:
  np_store_rollback(c->s);
out:
  np_arena_free(a);
  json_decref(pj);
  free(pjs);
  if (rc) json_decref(after);
  else *out = after;
  return rc;
}

/* ---- timeline ---- */

static void add_event(json_t *arr, const char *date, const char *type, const char *title, const char *detail,
                      const char *ref) {
  if (!date || !*date) return;
  json_t *o = json_object();
  json_object_set_new(o, "date", json_stringn(date, strlen(date) >= 10 ? 10 : strlen(date)));
  json_object_set_new(o, "type", json_string(type));
  json_object_set_new(o, "title", json_string(title ? title : ""));
  json_object_set_new(o, "detail", detail ? json_string(detail) : json_null());
  json_object_set_new(o, "ref_id", ref ? json_string(ref) : json_null());
  json_array_append_new(arr, o);
}

static int cmp_events(const void *pa, const void *pb) {
  const json_t *a = *(json_t *const *)pa, *b = *(json_t *const *)pb;
  int d = strcmp(json_string_value(json_object_get(b, "date")), json_string_value(json_object_get(a, "date")));
  if (d) return d;
  const char *ra = json_string_value(json_object_get(a, "ref_id")), *rb = json_string_value(json_object_get(b, "ref_id"));
  d = strcmp(json_string_value(json_object_get(a, "type")), json_string_value(json_object_get(b, "type")));
  if (d) return d;
  return strcmp(rb ? rb : "", ra ? ra : "");
}

np_err np_firms_timeline(const np_firms_ctx_t *c, const char *enterprise, const np_firms_page_t *pg, json_t **out,
                         np_errdetail_t *err) {
  np_firms_target_t e;
  int64_t limit = pg && pg->limit ? pg->limit : 20, offset = 0;
  if (limit < 1 || limit > 100) return np_fail(err, NP_ERR_INVALID, "range", "limit", "limit must be an integer from 1 to 100");
  if (pg && pg->cursor && *pg->cursor && np_parse_int64(pg->cursor, strlen(pg->cursor), 1, 1000000, &offset) != NP_OK)
    return np_fail(err, NP_ERR_INVALID, "format", "cursor", "cursor is not valid");
  np_err rc = np_firms_enterprise_resolve(c, enterprise, &e, err);
  if (rc) return rc;
  json_t *all = json_array(), *items = NULL;
  np_stmt_t *st = NULL;
  bool has;
  char b[32], title[400];
  /* service logs (at most the newest 1000) */
  if ((rc = np_store_prepare(c->s,
                             "SELECT id, log_date, kind, staff_name, findings FROM service_logs WHERE enterprise_id = ? "
                             "ORDER BY log_date DESC, id DESC LIMIT 1000",
                             &st, err)))
    goto out;
  np_store_bind_int64(st, 1, e.id);
  while ((rc = np_store_step(st, &has, err)) == NP_OK && has) {
    const char *k = np_store_col_text(st, 2);
    snprintf(title, sizeof title, "%s: %s", strcmp(k, "visit") == 0 ? "走访" : strcmp(k, "call") == 0 ? "电话" : "线上",
             np_store_col_text(st, 3));
    add_event(all, np_store_col_text(st, 1), "service_log", title, np_store_col_text(st, 4),
              np_id_format(NP_ID_SERVICE_LOG, np_store_col_int64(st, 0), b, sizeof b));
  }
  np_store_release(st);
  st = NULL;
  if (rc) goto out;
  /* assignments of the enterprise and of its projects */
  if ((rc = np_store_prepare(c->s,
                             "SELECT a.id, a.since, a.until, s.name, a.target_kind, "
                             "(SELECT p.name FROM projects p WHERE a.target_kind = 'project' AND p.id = a.target_id) "
                             "FROM specialist_assignments a JOIN specialists s ON s.id = a.specialist_id WHERE "
                             "(a.target_kind = 'enterprise' AND a.target_id = ?) OR (a.target_kind = 'project' AND a.target_id "
                             "IN (SELECT id FROM projects WHERE enterprise_id = ?)) ORDER BY a.id",
                             &st, err)))
    goto out;
  np_store_bind_int64(st, 1, e.id);
  np_store_bind_int64(st, 2, e.id);
  while ((rc = np_store_step(st, &has, err)) == NP_OK && has) {
    const char *pname = np_store_col_text(st, 5);
    np_id_format(NP_FIRMS_ID_ASSIGNMENT, np_store_col_int64(st, 0), b, sizeof b);
    snprintf(title, sizeof title, "专员 %s%s%s", np_store_col_text(st, 3), pname ? " · 项目 " : "", pname ? pname : "");
    add_event(all, np_store_col_text(st, 1), "assignment_start", title, NULL, b);
    if (!np_store_col_is_null(st, 2)) add_event(all, np_store_col_text(st, 2), "assignment_end", title, NULL, b);
  }
  np_store_release(st);
  st = NULL;
  if (rc) goto out;
  /* major projects of the enterprise */
  if ((rc = np_store_prepare(c->s, "SELECT id, name, planned_start, planned_production FROM projects WHERE enterprise_id = ?",
                             &st, err)))
    goto out;
  np_store_bind_int64(st, 1, e.id);
  while ((rc = np_store_step(st, &has, err)) == NP_OK && has) {
    np_id_format(NP_ID_PROJECT, np_store_col_int64(st, 0), b, sizeof b);
    add_event(all, np_store_col_text(st, 2), "project_start", np_store_col_text(st, 1), NULL, b);
    add_event(all, np_store_col_text(st, 3), "project_production", np_store_col_text(st, 1), NULL, b);
  }
  np_store_release(st);
  st = NULL;
  if (rc) goto out;
  /* registration in the system */
  if ((rc = np_store_prepare(c->s, "SELECT created_at FROM enterprises WHERE id = ?", &st, err))) goto out;
  np_store_bind_int64(st, 1, e.id);
  if ((rc = np_store_step(st, &has, err)) == NP_OK && has)
    add_event(all, np_store_col_text(st, 0), "registered", e.name, NULL,
              np_id_format(NP_ID_ENTERPRISE, e.id, b, sizeof b));
  np_store_release(st);
  st = NULL;
  if (rc) goto out;
  size_t n = json_array_size(all);
  json_t **v = n ? calloc(n, sizeof *v) : NULL;
  if (n && !v) {
    rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
    goto out;
  }
  for (size_t i = 0; i < n; i++) v[i] = json_array_get(all, i);
  if (n) qsort(v, n, sizeof *v, cmp_events);
  items = json_array();
  for (size_t i = (size_t)offset; i < n && i < (size_t)(offset + limit); i++) json_array_append(items, v[i]);
  free(v);
  int64_t next = (size_t)(offset + limit) < n ? offset + limit : 0;
  *out = np_firms_envelope(items, (int64_t)n, next);
  items = NULL;
out:
  np_store_release(st);
  json_decref(all);
  json_decref(items);
  return rc;
}
