/*
 * Audit log over HTTP (auditor only, actions "audit.read" and "audit.export"): list with filters and cursor
 * pagination, the login log, XLSX export, chain verification. Every read is itself audited
 * ("audit.query", "audit.export", "audit.verify"). There are deliberately no write routes.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "audit/api.h"
#include "audit/audit.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/str.h"
#include "core/xlsxw.h"

#define MAX_BINDS 12
#define EXPORT_MAX_ROWS 1000000
#define XLSX_CELL_MAX 32000 /* Excel refuses cells over 32767 characters */

typedef struct filter {
  char sql[1024]; /* " AND …" clauses */
  size_t len;
  int nbind;
  bool bind_is_int[MAX_BINDS];
  int64_t ibind[MAX_BINDS];
  const char *tbind[MAX_BINDS];
  char desc[512]; /* the filters as given, for the audit row */
  int64_t limit, cursor;
} filter_t;

static void clause(filter_t *f, const char *sql) {
  int n = snprintf(f->sql + f->len, sizeof f->sql - f->len, " AND %s", sql);
  if (n > 0 && (size_t)n < sizeof f->sql - f->len) f->len += (size_t)n;
}
static void bind_text(filter_t *f, const char *v) {
  if (f->nbind < MAX_BINDS) f->tbind[f->nbind++] = v;
}
static void bind_int(filter_t *f, int64_t v) {
  if (f->nbind < MAX_BINDS) {
    f->bind_is_int[f->nbind] = true;
    f->ibind[f->nbind++] = v;
  }
}
static void describe(filter_t *f, const char *k, const char *v) {
  size_t l = strlen(f->desc);
  snprintf(f->desc + l, sizeof f->desc - l, "%s%s=%.80s", l ? " " : "", k, v);
}

/* "abc" → "abc%" or "%abc%" with LIKE's special characters escaped by '\'. */
static char *like_pattern(np_arena_t *a, const char *s, bool leading) {
  size_t n = strlen(s);
  char *p = np_arena_alloc(a, 2 * n + 3);
  if (!p) return NULL;
  size_t o = 0;
  if (leading) p[o++] = '%';
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '%' || s[i] == '_' || s[i] == '\\') p[o++] = '\\';
    p[o++] = s[i];
  }
  p[o++] = '%';
  p[o] = '\0';
  return p;
}

static np_err str_param(np_req_t *r, const char *name, size_t max_chars, const char **out, np_errdetail_t *err) {
  const char *v = np_req_query(r, name);
  *out = NULL;
  if (!v || !*v) return NP_OK;
  size_t n = strlen(v), chars = np_utf8_count(v, n);
  if (chars == SIZE_MAX) return np_fail(err, NP_ERR_INVALID, "format", name, "%s is not valid UTF-8", name);
  if (chars > max_chars) return np_fail(err, NP_ERR_INVALID, "length", name, "%s is longer than %zu characters", name, max_chars);
  *out = v;
  return NP_OK;
}

/* from/to: a civil date (Asia/Shanghai day) or a UTC time stamp "YYYY-MM-DDTHH:MM:SSZ". */
static np_err time_param(np_req_t *r, const char *name, bool upper, char out[NP_TS_STRLEN], bool *set,
                         np_errdetail_t *err) {
  const char *v = np_req_query(r, name);
  *set = false;
  if (!v || !*v) return NP_OK;
  size_t n = strlen(v);
  np_date_t d;
  int64_t t;
  if (np_date_parse(v, n, &d) == NP_OK) {
    if (upper && np_date_add_days(d, 1, &d) != NP_OK)
      return np_fail(err, NP_ERR_INVALID, "range", name, "%s is out of range", name);
    t = np_date_to_unix_utc(d) - NP_SHANGHAI_OFFSET;
    if (upper) t -= 1; /* the day is inclusive: up to 23:59:59 Beijing time */
  } else if (np_date_parse_ts_utc(v, n, &t) != NP_OK) {
    return np_fail(err, NP_ERR_INVALID, "format", name, "%s must be YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ", name);
  }
  if (np_date_format_ts_utc(t, out, NP_TS_STRLEN) != NP_OK)
    return np_fail(err, NP_ERR_INVALID, "range", name, "%s is out of range", name);
  *set = true;
  return NP_OK;
}

static np_err parse_filters(np_req_t *r, bool logins, bool paged, filter_t *f, np_errdetail_t *err) {
  np_arena_t *a = np_req_arena(r);
  const char *user, *action, *entity, *entity_id, *outcome, *v;
  np_err rc;
  memset(f, 0, sizeof *f);
  f->limit = 20;
  if ((rc = str_param(r, "user", 64, &user, err)) || (rc = str_param(r, "action", 64, &action, err)) ||
      (rc = str_param(r, "entity", 64, &entity, err)) || (rc = str_param(r, "entity_id", 128, &entity_id, err)) ||
      (rc = str_param(r, "outcome", 16, &outcome, err)))
    return rc;
  if (logins) {
    clause(f, "(action LIKE 'login.%' OR action IN ('logout', 'account.lock', 'account.unlock'))");
    describe(f, "log", "logins");
  }
  if (user) {
    int64_t id = 0;
    const char *digits = strncmp(user, "u_", 2) == 0 ? user + 2 : user;
    if (*digits && np_parse_int64(digits, strlen(digits), 1, INT64_MAX, &id) == NP_OK) {
      clause(f, "user_id = ?");
      bind_int(f, id);
    } else {
      char *p = like_pattern(a, user, true);
      if (!p) return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
      clause(f, "username LIKE ? ESCAPE '\\'");
      bind_text(f, p);
    }
    describe(f, "user", user);
  }
  if (action) {
    char *p = like_pattern(a, action, false);
    if (!p) return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
    clause(f, "action LIKE ? ESCAPE '\\'");
    bind_text(f, p);
    describe(f, "action", action);
  }
  if (entity) {
    clause(f, "entity = ?");
    bind_text(f, entity);
    describe(f, "entity", entity);
  }
  if (entity_id) {
    clause(f, "entity_id = ?");
    bind_text(f, entity_id);
    describe(f, "entity_id", entity_id);
  }
  if (outcome) {
    if (strcmp(outcome, "success") && strcmp(outcome, "failure") && strcmp(outcome, "denied"))
      return np_fail(err, NP_ERR_INVALID, "format", "outcome", "outcome must be success, failure or denied");
    clause(f, "outcome = ?");
    bind_text(f, outcome);
    describe(f, "outcome", outcome);
  }
  char *from = np_arena_alloc(a, NP_TS_STRLEN), *to = np_arena_alloc(a, NP_TS_STRLEN);
  bool has_from, has_to;
  if (!from || !to) return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  if ((rc = time_param(r, "from", false, from, &has_from, err)) || (rc = time_param(r, "to", true, to, &has_to, err)))
    return rc;
  if (has_from) {
    clause(f, "at >= ?");
    bind_text(f, from);
    describe(f, "from", np_req_query(r, "from"));
  }
  if (has_to) {
    clause(f, "at <= ?");
    bind_text(f, to);
    describe(f, "to", np_req_query(r, "to"));
  }
  if (!paged) return NP_OK;
  if ((v = np_req_query(r, "limit")) && *v && np_parse_int64(v, strlen(v), 1, 100, &f->limit) != NP_OK)
    return np_fail(err, NP_ERR_INVALID, "range", "limit", "limit must be an integer from 1 to 100");
  if ((v = np_req_query(r, "cursor")) && *v && np_parse_int64(v, strlen(v), 1, INT64_MAX, &f->cursor) != NP_OK)
    return np_fail(err, NP_ERR_INVALID, "format", "cursor", "cursor is not valid");
  return NP_OK;
}

static np_err bind_all(np_stmt_t *st, const filter_t *f, int *idx) {
  np_err rc = NP_OK;
  for (int i = 0; rc == NP_OK && i < f->nbind; i++)
    rc = f->bind_is_int[i] ? np_store_bind_int64(st, ++*idx, f->ibind[i]) : np_store_bind_text(st, ++*idx, f->tbind[i], NP_STORE_STRLEN);
  return rc;
}

#define ROW_COLS "seq, at, user_id, username, role, ip, action, entity, entity_id, before_json, after_json, outcome, request_id, detail"

static json_t *text_or_null(np_stmt_t *st, int col) {
  const char *s = np_store_col_text(st, col);
  return s ? json_string(s) : json_null();
}

static json_t *json_col(np_stmt_t *st, int col) {
  const char *s = np_store_col_text(st, col);
  if (!s) return json_null();
  json_error_t je;
  json_t *v = json_loads(s, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
  return v ? v : json_string(s);
}

static json_t *row_json(np_stmt_t *st) {
  json_t *o = json_object();
  if (!o) return NULL;
  json_object_set_new(o, "seq", json_integer(np_store_col_int64(st, 0)));
  json_object_set_new(o, "at", text_or_null(st, 1));
  if (np_store_col_is_null(st, 2)) {
    json_object_set_new(o, "user_id", json_null());
  } else {
    char id[32];
    snprintf(id, sizeof id, "u_%" PRId64, np_store_col_int64(st, 2));
    json_object_set_new(o, "user_id", json_string(id));
  }
  json_object_set_new(o, "username", text_or_null(st, 3));
  json_object_set_new(o, "role", text_or_null(st, 4));
  json_object_set_new(o, "ip", text_or_null(st, 5));
  json_object_set_new(o, "action", text_or_null(st, 6));
  json_object_set_new(o, "entity", text_or_null(st, 7));
  json_object_set_new(o, "entity_id", text_or_null(st, 8));
  json_object_set_new(o, "before", json_col(st, 9));
  json_object_set_new(o, "after", json_col(st, 10));
  json_object_set_new(o, "outcome", text_or_null(st, 11));
  json_object_set_new(o, "request_id", text_or_null(st, 12));
  json_object_set_new(o, "detail", text_or_null(st, 13));
  return o;
}

/* Appends the audit row for a read; on failure answers the request and returns false. */
static bool audit_read(np_req_t *r, const char *action, const char *detail, const char *outcome) {
  np_errdetail_t err = {0};
  np_audit_entry_t e = {.action = action, .entity = "audit_log", .detail = detail, .outcome = outcome};
  np_err rc = np_audit_from_req_ex(r, &e, NULL, NULL, &err);
  if (rc == NP_OK) return true;
  np_resp_fail(r, rc, &err);
  return false;
}

static void list_common(np_req_t *r, bool logins) {
  np_errdetail_t err = {0};
  filter_t f;
  np_err rc = parse_filters(r, logins, true, &f, &err);
  if (rc) {
    np_resp_fail(r, rc, &err);
    return;
  }
  np_store_t *s = np_req_store(r);
  if (!s) return;
  np_arena_t *a = np_req_arena(r);
  json_t *items = json_array(), *body = NULL;
  np_stmt_t *st = NULL;
  bool has = false;
  int64_t total = 0, n = 0, last = 0;
  bool more = false;
  /* total with the filters */
  char *sql = np_arena_printf(a, "SELECT COUNT(*) FROM audit_log WHERE 1 = 1%s", f.sql);
  int idx = 0;
  if (!items || !sql) {
    rc = np_fail(&err, NP_ERR_NOMEM, "nomem", "", "out of memory");
    goto out;
  }
  if ((rc = np_store_prepare(s, sql, &st, &err)) || (rc = bind_all(st, &f, &idx)) || (rc = np_store_step(st, &has, &err)))
    goto out;
  total = has ? np_store_col_int64(st, 0) : 0;
  np_store_release(st);
  st = NULL;
  /* one page, newest first, one row more to know whether there is a next page */
  sql = np_arena_printf(a, "SELECT " ROW_COLS " FROM audit_log WHERE 1 = 1%s%s ORDER BY seq DESC LIMIT ?", f.sql,
                        f.cursor ? " AND seq < ?" : "");
  idx = 0;
  if (!sql) {
    rc = np_fail(&err, NP_ERR_NOMEM, "nomem", "", "out of memory");
    goto out;
  }
  if ((rc = np_store_prepare(s, sql, &st, &err)) || (rc = bind_all(st, &f, &idx)) ||
      (f.cursor && (rc = np_store_bind_int64(st, ++idx, f.cursor))) || (rc = np_store_bind_int64(st, ++idx, f.limit + 1)))
    goto out;
  for (;;) {
    if ((rc = np_store_step(st, &has, &err)) || !has) break;
    if (n == f.limit) {
      more = true;
      break;
    }
    json_t *o = row_json(st);
    if (!o || json_array_append_new(items, o)) {
      rc = np_fail(&err, NP_ERR_NOMEM, "nomem", "", "out of memory");
      break;
    }
    last = np_store_col_int64(st, 0);
    n++;
  }
  np_store_release(st);
  st = NULL;
  if (rc) goto out;
  char detail[640];
  snprintf(detail, sizeof detail, "%s%s%s rows=%" PRId64, f.desc, f.desc[0] ? " " : "", f.cursor ? "page=next" : "page=first", n);
  if (!audit_read(r, "audit.query", detail, NULL)) {
    json_decref(items);
    return;
  }
  char cur[24];
  snprintf(cur, sizeof cur, "%" PRId64, last);
  body = json_pack("{s:o, s:I, s:o}", "items", items, "total", (json_int_t)total, "next_cursor",
                   more ? json_string(cur) : json_null());
  items = NULL;
  if (!body) {
    rc = np_fail(&err, NP_ERR_NOMEM, "nomem", "", "out of memory");
    goto out;
  }
  np_resp_json(r, 200, body);
  return;
out:
  np_store_release(st);
  json_decref(items);
  np_resp_fail(r, rc, &err);
}

static void h_list(np_req_t *r) { list_common(r, false); }
static void h_logins(np_req_t *r) { list_common(r, true); }

static void h_verify(np_req_t *r) {
  np_store_t *s = np_req_store(r);
  if (!s) return;
  np_errdetail_t err = {0};
  int64_t rows = 0, broken = 0;
  char reason[256] = "", detail[400];
  np_err rc = np_audit_verify(s, &rows, &broken, reason, &err);
  if (rc && rc != NP_ERR_CONFLICT) {
    np_resp_fail(r, rc, &err);
    return;
  }
  if (rc == NP_OK) snprintf(detail, sizeof detail, "ok rows=%" PRId64, rows);
  else snprintf(detail, sizeof detail, "broken at seq %" PRId64 ": %.300s", broken, reason);
  if (!audit_read(r, "audit.verify", detail, rc == NP_OK ? "success" : "failure")) return;
  json_t *body = rc == NP_OK ? json_pack("{s:b, s:I}", "ok", 1, "rows", (json_int_t)rows)
                             : json_pack("{s:b, s:I, s:I, s:s}", "ok", 0, "rows", (json_int_t)rows, "first_broken_seq",
                                         (json_int_t)broken, "reason", reason);
  if (!body) {
    np_resp_error(r, 500, "nomem", "", "out of memory");
    return;
  }
  np_resp_json(r, 200, body);
}

/* Copies at most XLSX_CELL_MAX bytes of s, cut at a UTF-8 boundary. */
static const char *cell_text(const char *s, char *buf, size_t cap) {
  if (!s) return NULL;
  size_t n = strlen(s);
  if (n <= XLSX_CELL_MAX) return s;
  size_t k = XLSX_CELL_MAX < cap - 4 ? XLSX_CELL_MAX : cap - 4;
  while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80) k--;
  memcpy(buf, s, k);
  memcpy(buf + k, "…", 4); /* 3 bytes + NUL */
  return buf;
}

static void h_export(np_req_t *r) {
  np_errdetail_t err = {0};
  filter_t f;
  np_err rc = parse_filters(r, false, false, &f, &err);
  if (rc) {
    np_resp_fail(r, rc, &err);
    return;
  }
  np_store_t *s = np_req_store(r);
  if (!s) return;
  static const np_xlsxw_col_t cols[] = {
    {"序号 seq", NP_XLSXW_NUMBER, 10, NULL, 0},     {"时间 time (Asia/Shanghai)", NP_XLSXW_TEXT, 20, NULL, 0},
    {"用户ID user id", NP_XLSXW_TEXT, 10, NULL, 0}, {"用户名 username", NP_XLSXW_TEXT, 18, NULL, 0},
    {"角色 role", NP_XLSXW_TEXT, 14, NULL, 0},      {"IP", NP_XLSXW_TEXT, 16, NULL, 0},
    {"操作 action", NP_XLSXW_TEXT, 20, NULL, 0},    {"对象 entity", NP_XLSXW_TEXT, 14, NULL, 0},
    {"对象ID entity id", NP_XLSXW_TEXT, 14, NULL, 0}, {"结果 outcome", NP_XLSXW_TEXT, 10, NULL, 0},
    {"请求ID request id", NP_XLSXW_TEXT, 18, NULL, 0}, {"变更前 before", NP_XLSXW_TEXT, 40, NULL, 0},
    {"变更后 after", NP_XLSXW_TEXT, 40, NULL, 0},   {"说明 detail", NP_XLSXW_TEXT, 40, NULL, 0},
  };
  enum { NCOLS = sizeof cols / sizeof cols[0] };
  char path[512];
  if (!np_resp_tmpfile(r, "audit", ".xlsx", path, sizeof path)) return;
  np_xlsxw_t *w = NULL;
  np_stmt_t *st = NULL;
  bool has = false, truncated = false;
  int64_t rows = 0;
  char *big = malloc(XLSX_CELL_MAX + 8), *big2 = malloc(XLSX_CELL_MAX + 8);
  char *sql = np_arena_printf(np_req_arena(r), "SELECT " ROW_COLS " FROM audit_log WHERE 1 = 1%s ORDER BY seq DESC", f.sql);
  int idx = 0;
  if (!big || !big2 || !sql) {
    rc = np_fail(&err, NP_ERR_NOMEM, "nomem", "", "out of memory");
    goto out;
  }
  if ((rc = np_xlsxw_open(path, "audit", &w, &err)) || (rc = np_xlsxw_columns(w, cols, NCOLS, &err))) goto out;
  if ((rc = np_store_prepare(s, sql, &st, &err)) || (rc = bind_all(st, &f, &idx))) goto out;
  for (;;) {
    if ((rc = np_store_step(st, &has, &err)) || !has) break;
    if (rows == EXPORT_MAX_ROWS) {
      truncated = true;
      break;
    }
    char seq[24], uid[32] = "", when[NP_TS_STRLEN] = "";
    snprintf(seq, sizeof seq, "%" PRId64, np_store_col_int64(st, 0));
    if (!np_store_col_is_null(st, 2)) snprintf(uid, sizeof uid, "u_%" PRId64, np_store_col_int64(st, 2));
    const char *at = np_store_col_text(st, 1);
    int64_t t;
    if (at && np_date_parse_ts_utc(at, strlen(at), &t) == NP_OK) np_date_format_ts_shanghai(t, when, sizeof when);
    else if (at) np_strlcpy(when, at, sizeof when);
    const char *cells[NCOLS] = {
      seq, when, uid, np_store_col_text(st, 3), np_store_col_text(st, 4), np_store_col_text(st, 5),
      np_store_col_text(st, 6), np_store_col_text(st, 7), np_store_col_text(st, 8), np_store_col_text(st, 11),
      np_store_col_text(st, 12), cell_text(np_store_col_text(st, 9), big, XLSX_CELL_MAX + 8),
      cell_text(np_store_col_text(st, 10), big2, XLSX_CELL_MAX + 8), np_store_col_text(st, 13),
    };
    if ((rc = np_xlsxw_row(w, cells, NCOLS, &err))) break;
    rows++;
  }
  np_store_release(st);
  st = NULL;
  if (rc) goto out;
  rc = np_xlsxw_close(w, &err);
  w = NULL;
  if (rc) goto out;
  char detail[700];
  snprintf(detail, sizeof detail, "%s%srows=%" PRId64 "%s", f.desc, f.desc[0] ? " " : "", rows,
           truncated ? " (truncated at the row limit)" : "");
  if (!audit_read(r, "audit.export", detail, NULL)) {
    unlink(path);
    goto done;
  }
  char name[64];
  char today[NP_DATE_STRLEN] = "";
  np_date_format(np_date_today(), today, sizeof today);
  snprintf(name, sizeof name, "audit-%s.xlsx", today);
  np_resp_file(r, 200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", path, name, true);
  goto done;
out:
  np_store_release(st);
  np_xlsxw_close(w, NULL);
  unlink(path);
  np_resp_fail(r, rc, &err);
done:
  free(big);
  free(big2);
}

void np_audit_api_register(np_http_t *h) {
  const np_route_opts_t o = {.auth = NP_AUTH_USER, .action = "audit.read"};
  np_http_route(h, "GET", "/api/v1/audit", h_list, &o);
  np_http_route(h, "GET", "/api/v1/audit/logins", h_logins, &o);
  /* exports have their own action (the matrix may grant reading without bulk export) */
  const np_route_opts_t ox = {.auth = NP_AUTH_USER, .action = "audit.export"};
  np_http_route(h, "GET", "/api/v1/audit/export", h_export, &ox);
  np_http_route(h, "GET", "/api/v1/audit/verify", h_verify, &o);
}
