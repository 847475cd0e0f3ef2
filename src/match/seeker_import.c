/* Seeker import from CSV/XLSX rows (see seeker_import.h). */
#include "match/seeker_import.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/ids.h"
#include "core/json.h"
#include "core/rows.h"
#include "core/str.h"
#include "match/seekers.h"

typedef enum col_kind { C_TEXT, C_INT, C_YUAN, C_BOOL, C_LIST, C_REAL } col_kind;

static const struct col {
  const char *field;
  const char *header; /* Chinese header of the template */
  col_kind kind;
  bool required;
} cols[] = {
  {"id_number", "身份证号", C_TEXT, true},
  {"name", "姓名", C_TEXT, true},
  {"region_code", "现居住地区划代码", C_TEXT, true},
  {"occupation_codes", "求职工种", C_LIST, true},
  {"skill_level", "技能等级", C_INT, false},
  {"education", "学历", C_TEXT, false},
  {"expected_salary", "期望月薪(元)", C_YUAN, false},
  {"available_from", "可到岗日期", C_TEXT, false},
  {"graduation_year", "毕业年份", C_INT, false},
  {"registered_unemployed_since", "登记失业日期", C_TEXT, false},
  {"hardship", "就业困难人员", C_BOOL, false},
  {"consent", "同意推荐", C_BOOL, false},
  {"phone", "手机号", C_TEXT, false},
  {"lat", "纬度", C_REAL, false},
  {"lon", "经度", C_REAL, false},
};
#define NCOLS (sizeof cols / sizeof cols[0])
#define MAX_FILE_COLS 64

typedef struct ictx {
  int map[MAX_FILE_COLS]; /* file column → cols index, -1 = ignored */
  size_t nfile;
  int where[NCOLS];       /* cols index → file column (0-based), -1 = absent */
  json_t *errors;
  int64_t nerrors;
} ictx_t;

static void add_error(ictx_t *c, size_t line, int ci, const char *reason) {
  c->nerrors++;
  if (json_array_size(c->errors) >= NP_IMPORT_MAX_ERRORS) return;
  json_array_append_new(c->errors,
                        json_pack("{s:I, s:o, s:s, s:s}", "row", (json_int_t)line, "column",
                                  ci >= 0 && c->where[ci] >= 0 ? json_integer(c->where[ci] + 1) : json_null(), "header",
                                  ci >= 0 ? cols[ci].header : "", "reason", reason));
}

static np_err map_header(const np_row_t *row, ictx_t *c, np_errdetail_t *err) {
  for (size_t i = 0; i < NCOLS; i++) c->where[i] = -1;
  if (row->ncells > MAX_FILE_COLS) return np_fail(err, NP_ERR_INVALID, "too_many_columns", "file", "at most %d columns", MAX_FILE_COLS);
  c->nfile = row->ncells;
  for (size_t k = 0; k < row->ncells; k++) {
    const char *h = row->cells[k];
    if (k == 0 && strncmp(h, "\xEF\xBB\xBF", 3) == 0) h += 3;
    np_slice_t sl = np_slice_trim(np_slice_from_cstr(h));
    c->map[k] = -1;
    if (sl.n == 0) continue;
    int found = -1;
    for (size_t i = 0; i < NCOLS && found < 0; i++) {
      np_slice_t zh = np_slice_from_cstr(cols[i].header);
      /* "身份证号" or "身份证号 id_number" or "id_number" */
      if (np_slice_eq(sl, zh) || np_slice_case_eq(sl, np_slice_from_cstr(cols[i].field)) ||
          (sl.n > zh.n && np_slice_starts_with(sl, zh) && sl.p[zh.n] == ' '))
        found = (int)i;
    }
    if (found < 0)
      return np_fail(err, NP_ERR_INVALID, "unknown_column", "file", "column %zu: unknown header (see the template)", k + 1);
    if (c->where[found] >= 0)
      return np_fail(err, NP_ERR_INVALID, "duplicate_column", "file", "column %zu repeats %s", k + 1, cols[found].header);
    c->map[k] = found;
    c->where[found] = (int)k;
  }
  for (size_t i = 0; i < NCOLS; i++)
    if (cols[i].required && c->where[i] < 0)
      return np_fail(err, NP_ERR_INVALID, "missing_column", "file", "the column %s (%s) is missing", cols[i].header,
                     cols[i].field);
  return NP_OK;
}

static int col_of_field(const char *field) {
  size_t n = strcspn(field, "[.");
  for (size_t i = 0; i < NCOLS; i++)
    if (strlen(cols[i].field) == n && strncmp(cols[i].field, field, n) == 0) return (int)i;
  return -1;
}

/* Cell → JSON value; NULL with *reason on a bad cell (empty cells are skipped by the caller). */
static json_t *cell_value(int ci, const char *v, size_t n, const char **reason) {
  int64_t x = 0;
  switch (cols[ci].kind) {
  case C_TEXT: return json_stringn(v, n);
  case C_INT:
    if (np_parse_int64(v, n, -1000000, 1000000, &x) != NP_OK) {
      *reason = "not a whole number";
      return NULL;
    }
    return json_integer(x);
  case C_YUAN: return json_stringn(v, n); /* np_json_get_money reads yuan text */
  case C_BOOL: {
    np_slice_t s = np_slice_make(v, n);
    if (np_slice_eq_cstr(s, "是") || np_slice_case_eq(s, np_slice_from_cstr("true")) || np_slice_eq_cstr(s, "1") ||
        np_slice_case_eq(s, np_slice_from_cstr("yes")) || np_slice_case_eq(s, np_slice_from_cstr("y")))
      return json_true();
    if (np_slice_eq_cstr(s, "否") || np_slice_case_eq(s, np_slice_from_cstr("false")) || np_slice_eq_cstr(s, "0") ||
        np_slice_case_eq(s, np_slice_from_cstr("no")) || np_slice_case_eq(s, np_slice_from_cstr("n")))
      return json_false();
    *reason = "write 是 or 否";
    return NULL;
  }
  case C_REAL: {
    char buf[32];
    if (n == 0 || n >= sizeof buf) {
      *reason = "not a number";
      return NULL;
    }
    memcpy(buf, v, n);
    buf[n] = '\0';
    char *end = NULL;
    double d = strtod(buf, &end);
    if (!end || *end) {
      *reason = "not a number";
      return NULL;
    }
    return json_real(d);
  }
  case C_LIST: {
    json_t *a = json_array();
    size_t i = 0;
    while (i < n) {
      /* separators: ; , | space and the full-width ；、， */
      size_t j = i;
      while (j < n) {
        unsigned char ch = (unsigned char)v[j];
        if (ch == ';' || ch == ',' || ch == '|' || ch == ' ') break;
        if (j + 3 <= n && (memcmp(v + j, "；", 3) == 0 || memcmp(v + j, "、", 3) == 0 || memcmp(v + j, "，", 3) == 0))
          break;
        j++;
      }
      if (j > i) json_array_append_new(a, json_stringn(v + i, j - i));
      if (j < n) j += ((unsigned char)v[j] >= 0x80) ? 3 : 1;
      i = j;
    }
    return a;
  }
  }
  return NULL;
}

/* One data row: 1 written, 0 failed (error recorded), 3 blank, -1 fatal (store). */
static int import_row(np_store_t *s, const np_ref_t *ref, const np_seeker_import_opts_t *o, const np_row_t *row,
                      ictx_t *c, np_date_t today, np_err *fatal, np_errdetail_t *ferr) {
  bool blank = true;
  for (size_t k = 0; k < row->ncells; k++)
    if (np_slice_trim(np_slice_make(row->cells[k], row->lens[k])).n) blank = false;
  if (blank) return 3;
  if (row->ncells > c->nfile) {
    add_error(c, row->line, -1, "more cells than header columns");
    return 0;
  }
  json_t *body = json_object();
  for (size_t k = 0; k < row->ncells; k++) {
    int ci = c->map[k];
    if (ci < 0) continue;
    np_slice_t v = np_slice_trim(np_slice_make(row->cells[k], row->lens[k]));
    if (v.n == 0) continue;
    const char *reason = NULL;
    json_t *val = cell_value(ci, v.p, v.n, &reason);
    if (!val) {
      add_error(c, row->line, ci, reason ? reason : "invalid");
      json_decref(body);
      return 0;
    }
    json_object_set_new(body, cols[ci].field, val);
  }
  np_seeker_create_opts_t co = {.source = NP_SEEKER_IMPORT, .scope = o->scope, .created_by = o->by_user, .today = today};
  int64_t id = 0;
  np_errdetail_t d = {0};
  np_err rc = np_match_seeker_create(s, ref, o->actor, body, &co, &id, NULL, &d);
  json_decref(body);
  if (rc == NP_OK) return 1;
  if (rc == NP_ERR_INVALID || rc == NP_ERR_CONFLICT || rc == NP_ERR_ENCODING) {
    char reason[512];
    snprintf(reason, sizeof reason, "%s: %s", d.code, d.message);
    add_error(c, row->line, d.field[0] ? col_of_field(d.field) : -1, reason);
    return 0;
  }
  *fatal = rc;
  *ferr = d;
  return -1;
}

/* ---- seekers through the shared import driver (firms/import.h) ---- */

typedef struct skr_import {
  np_store_t *s;
  const np_ref_t *ref;
  const np_seeker_import_opts_t *o;
  ictx_t c;
  np_date_t today;
} skr_import_t;

static np_err skr_header(void *ctx, const np_row_t *r, np_errdetail_t *err) {
  return map_header(r, &((skr_import_t *)ctx)->c, err);
}

static int skr_row(void *ctx, const np_row_t *r, np_err *fatal, np_errdetail_t *ferr) {
  skr_import_t *x = ctx;
  return import_row(x->s, x->ref, x->o, r, &x->c, x->today, fatal, ferr);
}

static np_err skr_audit(void *ctx, np_store_t *s, const char *action, const char *sid, const char *detail,
                        np_errdetail_t *err) {
  return np_match_audit(s, ((skr_import_t *)ctx)->o->actor, action, "import", sid, NULL, NULL, detail, err);
}

np_err np_match_seeker_import(np_store_t *s, const np_ref_t *ref, const void *data, size_t len,
                              const np_seeker_import_opts_t *o, np_import_result_t *out, np_errdetail_t *err) {
  static const np_import_kind_t kind = {"seekers", "seeker.import", false, skr_header, skr_row, skr_audit};
  np_rows_opts_t ro = {.max_rows = NP_IMPORT_MAX_ROWS + 2, .max_cells = MAX_FILE_COLS, .max_cell_bytes = 4096};
  skr_import_t x = {.s = s, .ref = ref, .o = o, .today = np_date_today()};
  x.c.errors = json_array();
  return np_import_run(s, data, len, &ro, &kind, &x, x.c.errors, o->mode, o->by_user, o->file_name, out, err);
}

np_err np_match_seeker_template_csv(np_buf_t *b) {
  np_err rc = np_buf_append_str(b, "\xEF\xBB\xBF");
  for (size_t i = 0; i < NCOLS && rc == NP_OK; i++)
    rc = np_buf_appendf(b, "%s%s %s", i ? "," : "", cols[i].header, cols[i].field);
  if (rc == NP_OK) rc = np_buf_append_str(b, "\r\n");
  return rc;
}
