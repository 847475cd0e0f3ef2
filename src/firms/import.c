/* Enterprise import (see import.h). */
#include "firms/import.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/ids.h"
#include "core/json.h"
#include "core/rows.h"
#include "core/str.h"
#include "core/valid.h"
#include "core/xlsxw.h"
#include "firms/enterprises.h"
#include "firms/ent_common.h"

typedef enum col_type { C_TEXT, C_INT, C_MONEY, C_FLAG, C_CONTACT_NAME, C_CONTACT_TITLE, C_CONTACT_PHONE } col_type;

typedef struct col_def {
  const char *header; /* Chinese header of the template */
  const char *alias;  /* English alias accepted on import */
  const char *key;    /* JSON key for np_ent_apply */
  col_type type;
  bool required;      /* the column must be present in the file */
} col_def_t;

static const col_def_t cols[] = {
  {"统一社会信用代码", "uscc", "uscc", C_TEXT, true},
  {"企业名称", "name", "name", C_TEXT, true},
  {"行业代码", "industry_code", "industry_code", C_TEXT, true},
  {"区划代码", "region_code", "region_code", C_TEXT, false},
  {"乡镇（街道）代码", "township_code", "township_code", C_TEXT, false},
  {"村（社区）代码", "village_code", "village_code", C_TEXT, false},
  {"地址", "address", "address", C_TEXT, false},
  {"纬度", "lat", "lat", C_TEXT, false},
  {"经度", "lon", "lon", C_TEXT, false},
  {"从业人员", "employees", "employees", C_INT, false},
  {"营业收入（元）", "revenue_yuan", "revenue_fen", C_MONEY, false},
  {"在岗人数", "headcount", "headcount", C_INT, false},
  {"规上企业", "above_scale", "above_scale", C_FLAG, false},
  {"重点企业", "is_key", "is_key", C_FLAG, false},
  {"绿色通道", "green_channel", "green_channel", C_FLAG, false},
  {"开发区", "zone", "zone_id", C_TEXT, false},
  {"联系人", "contact_name", "contact_name", C_CONTACT_NAME, false},
  {"联系人职务", "contact_title", "contact_title", C_CONTACT_TITLE, false},
  {"联系电话", "contact_phone", "contact_phone", C_CONTACT_PHONE, false},
};
#define NCOLS (sizeof cols / sizeof cols[0])

bool np_import_mode_parse(const char *s, np_import_mode *out) {
  if (!s) return false;
  if (strcmp(s, "all_or_nothing") == 0) *out = NP_IMPORT_ALL_OR_NOTHING;
  else if (strcmp(s, "valid_only") == 0) *out = NP_IMPORT_VALID_ONLY;
  else return false;
  return true;
}

/* Spreadsheet column letters of a 0-based index ("A", "Z", "AA"). */
static void col_letters(size_t i, char out[8]) {
  char tmp[8];
  size_t n = 0;
  i++;
  while (i > 0 && n < sizeof tmp - 1) {
    size_t r = (i - 1) % 26;
    tmp[n++] = (char)('A' + r);
    i = (i - 1) / 26;
  }
  for (size_t k = 0; k < n; k++) out[k] = tmp[n - 1 - k];
  out[n] = '\0';
}

typedef struct ictx {
  json_t *errors;
  int64_t nerrors;
  int map[NCOLS]; /* file column of each definition, -1 when absent */
} ictx_t;

static void add_error(ictx_t *c, size_t row, int def, const char *reason) {
  c->nerrors++;
  if (json_array_size(c->errors) >= NP_IMPORT_MAX_ERRORS) return;
  char letters[8] = "";
  if (def >= 0 && c->map[def] >= 0) col_letters((size_t)c->map[def], letters);
  json_array_append_new(c->errors, json_pack("{s:I, s:s, s:s, s:s}", "row", (json_int_t)row, "column", letters,
                                             "header", def >= 0 ? cols[def].header : "", "reason", reason));
}

/* The definition a validation error field belongs to (-1 when none). */
static int def_of_field(const char *field) {
  if (!field || !*field) return -1;
  if (strncmp(field, "contacts", 8) == 0) {
    if (strstr(field, "phone")) return 18;
    if (strstr(field, "title")) return 17;
    return 16;
  }
  for (size_t i = 0; i < NCOLS; i++)
    if (strcmp(cols[i].key, field) == 0) return (int)i;
  if (strcmp(field, "zone") == 0) return 15;
  return -1;
}

static np_slice_t trimmed(const np_row_t *r, int col) {
  if (col < 0 || (size_t)col >= r->ncells) return np_slice_make("", 0);
  np_slice_t s = np_slice_trim(np_slice_make(r->cells[col], r->lens[col]));
  /* a leading BOM left on the first header */
  if (s.n >= 3 && (unsigned char)s.p[0] == 0xEF && (unsigned char)s.p[1] == 0xBB && (unsigned char)s.p[2] == 0xBF)
    s = np_slice_trim(np_slice_make(s.p + 3, s.n - 3));
  return s;
}

static np_err map_header(const np_row_t *r, ictx_t *c, np_errdetail_t *err) {
  for (size_t i = 0; i < NCOLS; i++) c->map[i] = -1;
  for (size_t k = 0; k < r->ncells; k++) {
    np_slice_t h = trimmed(r, (int)k);
    if (h.n == 0) continue;
    bool found = false;
    for (size_t i = 0; i < NCOLS && !found; i++) {
      if (np_slice_eq_cstr(h, cols[i].header) || np_slice_case_eq(h, np_slice_from_cstr(cols[i].alias)) ||
          np_slice_case_eq(h, np_slice_from_cstr(cols[i].key))) {
        if (c->map[i] >= 0) {
          char l[8];
          col_letters(k, l);
          return np_fail(err, NP_ERR_INVALID, "duplicate_column", cols[i].header, "column %s repeats %s", l,
                         cols[i].header);
        }
        c->map[i] = (int)k;
        found = true;
      }
    }
    if (!found) {
      char l[8];
      col_letters(k, l);
      return np_fail(err, NP_ERR_INVALID, "unknown_column", "", "column %s has an unknown header (see the template)", l);
    }
  }
  for (size_t i = 0; i < NCOLS; i++)
    if (cols[i].required && c->map[i] < 0)
      return np_fail(err, NP_ERR_INVALID, "missing_column", cols[i].header, "the column %s (%s) is missing",
                     cols[i].header, cols[i].alias);
  return NP_OK;
}

/* Parses a whole number, tolerating a spreadsheet's "350.0". */
static bool parse_count(np_slice_t s, int64_t *out) {
  size_t n = s.n;
  if (n > 2 && s.p[n - 2] == '.' && s.p[n - 1] == '0') n -= 2;
  return np_parse_int64(s.p, n, 0, INT64_C(10000000), out) == NP_OK;
}

static int parse_flag(np_slice_t s) {
  static const char *const yes[] = {"是", "1", "true", "y", "yes", "Y", "TRUE", "Yes"};
  static const char *const no[] = {"否", "0", "false", "n", "no", "N", "FALSE", "No"};
  for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
    if (np_slice_eq_cstr(s, yes[i])) return 1;
  for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
    if (np_slice_eq_cstr(s, no[i])) return 0;
  return -1;
}

/* Builds the JSON body of a row; cell errors are reported and make it return NULL. */
static json_t *row_body(const np_row_t *r, ictx_t *c, bool *blank) {
  json_t *o = json_object(), *contact = NULL;
  bool bad = false;
  *blank = true;
  for (size_t i = 0; i < NCOLS && o; i++) {
    np_slice_t v = trimmed(r, c->map[i]);
    if (v.n == 0) continue;
    *blank = false;
    char *text = strndup(v.p, v.n);
    if (!text) break;
    json_t *val = NULL;
    switch (cols[i].type) {
    case C_TEXT:
    case C_MONEY: val = json_string(text); break;
    case C_INT: {
      int64_t n = 0;
      if (parse_count(v, &n)) val = json_integer(n);
      else add_error(c, r->line, (int)i, "必须是0到10000000之间的整数 must be a whole number"), bad = true;
      break;
    }
    case C_FLAG: {
      int f = parse_flag(v);
      if (f >= 0) val = json_boolean(f);
      else add_error(c, r->line, (int)i, "必须填写“是”或“否” must be 是 or 否"), bad = true;
      break;
    }
    case C_CONTACT_NAME:
    case C_CONTACT_TITLE:
    case C_CONTACT_PHONE:
      if (!contact) contact = json_object();
      if (contact)
        json_object_set_new(contact, cols[i].type == C_CONTACT_NAME ? "name" : cols[i].type == C_CONTACT_TITLE ? "title" : "phone",
                            json_string(text));
      break;
    }
    if (val) json_object_set_new(o, cols[i].key, val);
    free(text);
  }
  if (contact) {
    if (!json_object_get(contact, "name")) {
      add_error(c, r->line, 16, "填写联系电话或职务时必须填写联系人 a contact needs a name");
      bad = true;
      json_decref(contact);
    } else {
      json_t *arr = json_array();
      json_array_append_new(arr, contact);
      json_object_set_new(o, "contacts", arr);
    }
  }
  if (bad || !o) {
    json_decref(o);
    return NULL;
  }
  return o;
}

static void reason_of(const np_errdetail_t *d, char *out, size_t cap) {
  if (strcmp(d->code, "duplicate_uscc") == 0) snprintf(out, cap, "统一社会信用代码已存在 %s", d->message);
  else if (strcmp(d->code, "not_in_township") == 0) snprintf(out, cap, "村（社区）不在该乡镇（街道）内 %s", d->message);
  else if (strcmp(d->code, "unknown_region") == 0) snprintf(out, cap, "区划代码不存在 %s", d->message);
  else if (strcmp(d->code, "unknown_industry") == 0 || strcmp(d->code, "not_class") == 0)
    snprintf(out, cap, "行业代码无效 %s", d->message);
  else if (strcmp(d->code, "outside_shandong") == 0) snprintf(out, cap, "坐标不在山东省范围内 %s", d->message);
  else if (strcmp(d->code, "required") == 0) snprintf(out, cap, "必填 %s", d->message);
  else snprintf(out, cap, "%s", d->message);
}

/* One data row; returns 1 inserted, 2 updated, 0 failed (errors added), <0 on a store failure. */
static int import_row(np_store_t *s, const np_ref_t *ref, const np_import_opts_t *o, const np_row_t *r, ictx_t *c,
                      json_t *seen, np_enterprise_t *e, np_enterprise_t *before, np_err *fatal, np_errdetail_t *ferr) {
  bool blank = false;
  json_t *body = row_body(r, c, &blank);
  if (blank) {
    json_decref(body);
    return 3; /* skipped */
  }
  if (!body) return 0;
  int result = 0;
  np_errdetail_t d = {0};
  char reason[512];
  const char *uscc = json_string_value(json_object_get(body, "uscc"));
  np_uscc_info_t info;
  if (!uscc) {
    add_error(c, r->line, 0, "必填 uscc is required");
    goto out;
  }
  if (np_valid_uscc(uscc, strlen(uscc), 0, &info, &d) != NP_OK) {
    snprintf(reason, sizeof reason, "统一社会信用代码无效 (%s) %s", d.code, d.message);
    add_error(c, r->line, 0, reason);
    goto out;
  }
  json_t *prev = json_object_get(seen, info.normalized);
  if (prev) {
    snprintf(reason, sizeof reason, "与第%" PRId64 "行的统一社会信用代码重复 duplicate of row %" PRId64,
             (int64_t)json_integer_value(prev), (int64_t)json_integer_value(prev));
    add_error(c, r->line, 0, reason);
    goto out;
  }
  json_object_set_new(seen, info.normalized, json_integer((json_int_t)r->line));
  int64_t id = 0;
  bool found = false;
  np_err rc = np_store_queryf_int64(s, &id, &found, &d, "SELECT id FROM enterprises WHERE uscc = ?", "t", info.normalized);
  if (rc) goto store_fail;
  memset(e, 0, sizeof *e);
  if (found) {
    if ((rc = np_ent_load(s, id, false, e, &d))) goto store_fail;
    if (!np_authz_scope_contains(&o->scope, e->region_code, e->id, NULL, 0)) {
      add_error(c, r->line, 0, "该企业不在您的管辖范围内 the enterprise is outside your jurisdiction");
      goto out;
    }
    *before = *e;
  }
  rc = np_ent_apply(s, ref, body, !found, NP_ENT_FIELDS_ALL, e, &d);
  if (rc == NP_OK && !np_authz_scope_contains(&o->scope, e->region_code, e->id, NULL, 0)) {
    int def = c->map[3] >= 0 ? 3 : c->map[5] >= 0 ? 5 : 4;
    add_error(c, r->line, def, "区划不在您的管辖范围内 the region is outside your jurisdiction");
    goto out;
  }
  if (rc == NP_OK) rc = found ? np_ent_update(s, before, e, before->version, NULL, &d) : np_ent_insert(s, e, NULL, &d);
  if (rc == NP_ERR_INVALID || rc == NP_ERR_CONFLICT || rc == NP_ERR_FORBIDDEN || rc == NP_ERR_ENCODING) {
    reason_of(&d, reason, sizeof reason);
    add_error(c, r->line, def_of_field(d.field), reason);
    goto out;
  }
  if (rc) goto store_fail;
  result = found ? 2 : 1;
  goto out;
store_fail:
  *fatal = rc;
  *ferr = d;
  result = -1;
out:
  json_decref(body);
  return result;
}

np_err np_import_run(np_store_t *s, const void *data, size_t len, const np_rows_opts_t *ro, const np_import_kind_t *k,
                     void *ctx, json_t *errors, np_import_mode mode, int64_t by_user, const char *file_name,
                     np_import_result_t *out, np_errdetail_t *err) {
  np_rows_t *rows = NULL;
  np_row_t row;
  bool has = false, in_tx = false;
  char *errors_json = NULL;
  np_err rc = NP_OK;
  memset(out, 0, sizeof *out);
  if (!errors) return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  if ((rc = np_rows_open_mem(data, len, ro, &rows, err))) goto out;
  np_strlcpy(out->charset, np_rows_source_charset(rows), sizeof out->charset);
  if ((rc = np_rows_next(rows, &row, &has, err))) goto out;
  if (!has) {
    rc = np_fail(err, NP_ERR_INVALID, "empty_file", "file", "the file is empty");
    goto out;
  }
  if ((rc = k->header(ctx, &row, err))) goto out;
  if ((rc = np_store_begin(s, err))) goto out;
  in_tx = true;
  for (;;) {
    if ((rc = np_rows_next(rows, &row, &has, err))) goto out;
    if (!has) break;
    if (out->rows >= NP_IMPORT_MAX_ROWS) {
      rc = np_fail(err, NP_ERR_TOO_LARGE, "too_many_rows", "file", "at most %d rows per import", NP_IMPORT_MAX_ROWS);
      goto out;
    }
    np_err fatal = NP_OK;
    np_errdetail_t ferr = {0};
    int r = k->row(ctx, &row, &fatal, &ferr);
    if (r == 3) continue;
    out->rows++;
    if (r < 0) {
      rc = fatal;
      if (err) *err = ferr;
      goto out;
    }
    if (r == 1) out->inserted++;
    else if (r == 2) out->updated++;
    else out->failed++;
  }
  if (out->rows == 0) {
    rc = np_fail(err, NP_ERR_INVALID, "no_rows", "file", "the file has no data rows");
    goto out;
  }
  if (mode == NP_IMPORT_ALL_OR_NOTHING && out->failed > 0) {
    np_store_rollback(s);
    in_tx = false;
    out->inserted = out->updated = 0;
    if ((rc = np_store_begin(s, err))) goto out;
    in_tx = true;
  }
  errors_json = json_dumps(errors, JSON_COMPACT | JSON_PRESERVE_ORDER);
  if (!errors_json) {
    rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
    goto out;
  }
  char now[NP_TS_STRLEN], sid[32], detail[256], upd[48] = "";
  const char *mtext = mode == NP_IMPORT_VALID_ONLY ? "valid_only" : "all_or_nothing";
  np_firms_ent_now(now);
  if ((rc = np_store_queryf_int64(s, &out->id, NULL, err,
                                  "INSERT INTO imports (kind, by_user, at, mode, file_name, charset, rows_total, inserted, "
                                  "updated, failed, errors_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                  "tittttiiiit", k->kind, by_user, now, mtext, file_name, out->charset, out->rows,
                                  out->inserted, out->updated, out->failed, errors_json)))
    goto out;
  np_id_format(NP_ID_IMPORT, out->id, sid, sizeof sid);
  if (k->updates) snprintf(upd, sizeof upd, " updated=%" PRId64, out->updated);
  snprintf(detail, sizeof detail, "%s mode=%s rows=%" PRId64 " inserted=%" PRId64 "%s failed=%" PRId64, sid, mtext,
           out->rows, out->inserted, upd, out->failed);
  if ((rc = k->audit(ctx, s, k->audit_action, sid, detail, err))) goto out;
  rc = np_store_commit(s, err);
  in_tx = false;
out:
  if (in_tx) np_store_rollback(s);
  np_rows_close(rows);
  free(errors_json);
  if (rc) {
    json_decref(errors);
    out->errors = NULL;
  } else {
    out->errors = errors;
  }
  return rc;
}

/* ---- enterprises through the driver ---- */

typedef struct ent_import {
  np_store_t *s;
  const np_ref_t *ref;
  const np_import_opts_t *o;
  ictx_t c;
  json_t *seen;
  np_enterprise_t *e, *before;
} ent_import_t;

static np_err ent_header(void *ctx, const np_row_t *r, np_errdetail_t *err) {
  return map_header(r, &((ent_import_t *)ctx)->c, err);
}

static int ent_row(void *ctx, const np_row_t *r, np_err *fatal, np_errdetail_t *ferr) {
  ent_import_t *x = ctx;
  return import_row(x->s, x->ref, x->o, r, &x->c, x->seen, x->e, x->before, fatal, ferr);
}

static np_err ent_audit(void *ctx, np_store_t *s, const char *action, const char *sid, const char *detail,
                        np_errdetail_t *err) {
  return np_firms_ent_audit(s, ((ent_import_t *)ctx)->o->actor, action, "import", sid, NULL, NULL, detail, err);
}

np_err np_import_enterprises(np_store_t *s, const np_ref_t *ref, const void *data, size_t len,
                             const np_import_opts_t *o, np_import_result_t *out, np_errdetail_t *err) {
  static const np_import_kind_t kind = {"enterprises", "enterprise.import", true, ent_header, ent_row, ent_audit};
  np_rows_opts_t ro = {.max_rows = NP_IMPORT_MAX_ROWS + 1, .max_cells = 64, .max_cell_bytes = 4096};
  ent_import_t x = {.s = s, .ref = ref, .o = o};
  np_err rc = NP_OK;
  memset(out, 0, sizeof *out);
  x.e = malloc(sizeof *x.e);
  x.before = malloc(sizeof *x.before);
  x.seen = json_object();
  x.c.errors = json_array();
  if (!x.e || !x.before || !x.seen || !x.c.errors) {
    json_decref(x.c.errors);
    rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  } else if (!ref) {
    json_decref(x.c.errors);
    rc = np_fail(err, NP_ERR_UNSUPPORTED, "ref_unavailable", "", "reference data is not loaded");
  } else {
    rc = np_import_run(s, data, len, &ro, &kind, &x, x.c.errors, o->mode, o->by_user, o->file_name, out, err);
  }
  free(x.e);
  free(x.before);
  json_decref(x.seen);
  return rc;
}

np_err np_import_template_xlsx(np_store_t *s, const char *path, np_errdetail_t *err) {
  static const char *const yesno[] = {"是", "否"};
  np_xlsxw_col_t xc[NCOLS];
  const char **zones = NULL;
  size_t nz = 0;
  np_xlsxw_t *w = NULL;
  np_stmt_t *st = NULL;
  bool has = false;
  char *names = NULL;
  np_err rc = NP_OK;
  /* zone names for the drop-down */
  zones = calloc(256, sizeof *zones);
  names = calloc(256, 260);
  if (!zones || !names) {
    rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
    goto out;
  }
  if ((rc = np_store_prepare(s, "SELECT name FROM dev_zones ORDER BY city_code, code, name", &st, err))) goto out;
  while ((rc = np_store_step(st, &has, err)) == NP_OK && has && nz < 256) {
    char *slot = names + nz * 260;
    np_strlcpy(slot, np_store_col_text(st, 0), 260);
    zones[nz++] = slot;
  }
  np_store_release(st);
  st = NULL;
  if (rc) goto out;
  for (size_t i = 0; i < NCOLS; i++) {
    xc[i] = (np_xlsxw_col_t){.header = cols[i].header, .type = NP_XLSXW_TEXT, .width = 16};
    if (cols[i].type == C_FLAG) xc[i].list = yesno, xc[i].nlist = 2, xc[i].width = 10;
    if (i == 15 && nz) xc[i].list = zones, xc[i].nlist = nz, xc[i].width = 28;
    if (i == 0) xc[i].width = 22;
    if (i == 1 || i == 6) xc[i].width = 32;
  }
  if ((rc = np_xlsxw_open(path, "企业", &w, err)) || (rc = np_xlsxw_columns(w, xc, NCOLS, err))) goto out;
  rc = np_xlsxw_close(w, err);
  w = NULL;
out:
  np_store_release(st);
  if (w) np_xlsxw_close(w, NULL);
  free(zones);
  free(names);
  return rc;
}

np_err np_import_template_csv(np_buf_t *b) {
  np_err rc = np_buf_append_str(b, "\xEF\xBB\xBF");
  for (size_t i = 0; rc == NP_OK && i < NCOLS; i++) {
    if (i) rc = np_buf_append_char(b, ',');
    if (!rc) rc = np_buf_append_str(b, cols[i].header);
  }
  if (!rc) rc = np_buf_append_str(b, "\r\n");
  return rc;
}

static np_err load_import(np_store_t *s, int64_t id, int64_t by_user, np_stmt_t **st, np_errdetail_t *err) {
  bool has = false;
  np_err rc = np_store_prepare(s,
                               "SELECT id, kind, mode, at, file_name, charset, rows_total, inserted, updated, failed, "
                               "errors_json, by_user FROM imports WHERE id = ?",
                               st, err);
  if (rc) return rc;
  np_store_bind_int64(*st, 1, id);
  if ((rc = np_store_step(*st, &has, err))) goto fail;
  if (!has || np_store_col_int64(*st, 11) != by_user) {
    rc = np_fail(err, NP_ERR_NOT_FOUND, "not_found", "", "no such import");
    goto fail;
  }
  return NP_OK;
fail:
  np_store_release(*st);
  *st = NULL;
  return rc;
}

np_err np_import_get(np_store_t *s, int64_t id, int64_t by_user, json_t **out, np_errdetail_t *err) {
  np_stmt_t *st = NULL;
  np_err rc = load_import(s, id, by_user, &st, err);
  if (rc) return rc;
  char sid[32];
  np_id_format(NP_ID_IMPORT, id, sid, sizeof sid);
  const char *ej = np_store_col_text(st, 10);
  json_t *errors = ej ? json_loads(ej, 0, NULL) : NULL;
  const char *fn = np_store_col_text(st, 4), *cs = np_store_col_text(st, 5);
  *out = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:I, s:I, s:I, s:I, s:o}", "id", sid, "kind",
                   np_store_col_text(st, 1), "mode", np_store_col_text(st, 2), "at", np_store_col_text(st, 3),
                   "file_name", fn ? json_string(fn) : json_null(), "charset", cs ? json_string(cs) : json_null(),
                   "rows", (json_int_t)np_store_col_int64(st, 6), "inserted", (json_int_t)np_store_col_int64(st, 7),
                   "updated", (json_int_t)np_store_col_int64(st, 8), "failed", (json_int_t)np_store_col_int64(st, 9),
                   "errors", errors ? errors : json_array());
  np_store_release(st);
  return *out ? NP_OK : np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
}

static np_err csv_field(np_buf_t *b, const char *s) {
  bool quote = strpbrk(s, ",\"\r\n") != NULL;
  np_err rc = quote ? np_buf_append_char(b, '"') : NP_OK;
  for (const char *p = s; rc == NP_OK && *p; p++) {
    if (*p == '"') rc = np_buf_append_char(b, '"');
    if (!rc) rc = np_buf_append_char(b, *p);
  }
  if (!rc && quote) rc = np_buf_append_char(b, '"');
  return rc;
}

np_err np_import_errors_csv(np_store_t *s, int64_t id, int64_t by_user, np_buf_t *b, np_errdetail_t *err) {
  json_t *imp = NULL;
  np_err rc = np_import_get(s, id, by_user, &imp, err);
  if (rc) return rc;
  rc = np_buf_append_str(b, "\xEF\xBB\xBF行号 row,列 column,表头 header,原因 reason\r\n");
  size_t i;
  json_t *x;
  json_array_foreach(json_object_get(imp, "errors"), i, x) {
    if (rc) break;
    char rowno[24];
    snprintf(rowno, sizeof rowno, "%" JSON_INTEGER_FORMAT, json_integer_value(json_object_get(x, "row")));
    const char *col = json_string_value(json_object_get(x, "column")), *h = json_string_value(json_object_get(x, "header")),
               *why = json_string_value(json_object_get(x, "reason"));
    if (!rc) rc = np_buf_appendf(b, "%s,", rowno);
    if (!rc) rc = csv_field(b, col ? col : "");
    if (!rc) rc = np_buf_append_char(b, ',');
    if (!rc) rc = csv_field(b, h ? h : "");
    if (!rc) rc = np_buf_append_char(b, ',');
    if (!rc) rc = csv_field(b, why ? why : "");
    if (!rc) rc = np_buf_append_str(b, "\r\n");
  }
  json_decref(imp);
  if (rc) return np_fail(err, rc, "too_large", "", "the error file is too large");
  return NP_OK;
}
