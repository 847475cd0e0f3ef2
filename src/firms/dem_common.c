/* Shared helpers of the demand-side firms units (see dem_common.h). */
#include "firms/dem_common.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/ids.h"
#include "core/str.h"
#include "firms/alerts.h"

void np_firms_dem_now(char out[NP_TS_STRLEN]) {
  if (np_date_format_ts_utc((int64_t)time(NULL), out, NP_TS_STRLEN) != NP_OK) out[0] = '\0';
}

#define ENT_COLS "id, name, region_code, county_code, city_code, industry_code, is_key, open_openings"

static np_err load_where(np_store_t *s, const char *where, int64_t id, const char *text, const char *field,
                         np_firms_ent_ref_t *out, np_errdetail_t *err) {
  char sql[256];
  snprintf(sql, sizeof sql, "SELECT " ENT_COLS " FROM enterprises WHERE %s", where);
  np_stmt_t *st = NULL;
  bool has = false;
  np_err rc = np_store_prepare(s, sql, &st, err);
  if (rc) return rc;
  rc = text ? np_store_bind_text(st, 1, text, NP_STORE_STRLEN) : np_store_bind_int64(st, 1, id);
  if (rc == NP_OK) rc = np_store_step(st, &has, err);
  if (rc == NP_OK && !has) rc = np_fail(err, NP_ERR_NOT_FOUND, "not_found", field ? field : "", "no such enterprise");
  if (rc == NP_OK) {
    memset(out, 0, sizeof *out);
    out->id = np_store_col_int64(st, 0);
    np_strlcpy(out->name, np_store_col_text(st, 1) ? np_store_col_text(st, 1) : "", sizeof out->name);
    np_strlcpy(out->region_code, np_store_col_text(st, 2) ? np_store_col_text(st, 2) : "", sizeof out->region_code);
    np_strlcpy(out->county_code, np_store_col_text(st, 3) ? np_store_col_text(st, 3) : "", sizeof out->county_code);
    np_strlcpy(out->city_code, np_store_col_text(st, 4) ? np_store_col_text(st, 4) : "", sizeof out->city_code);
    np_strlcpy(out->industry_code, np_store_col_text(st, 5) ? np_store_col_text(st, 5) : "",
               sizeof out->industry_code);
    out->is_key = np_store_col_int64(st, 6) != 0;
    out->open_openings = np_store_col_int64(st, 7);
  }
  np_store_release(st);
  return rc;
}

np_err np_firms_ent_load(np_store_t *s, int64_t id, np_firms_ent_ref_t *out, np_errdetail_t *err) {
  return load_where(s, "id = ?", id, NULL, NULL, out, err);
}

np_err np_firms_ent_lookup(np_store_t *s, const char *v, const char *field, np_firms_ent_ref_t *out,
                           np_errdetail_t *err) {
  int64_t id = 0;
  if (!v || !*v) return np_fail(err, NP_ERR_NOT_FOUND, "not_found", field ? field : "", "no such enterprise");
  if (np_id_parse(NP_ID_ENTERPRISE, v, &id) == NP_OK) return load_where(s, "id = ?", id, NULL, field, out, err);
  size_t n = strlen(v);
  if (n == 18) {
    char up[19];
    for (size_t i = 0; i < n; i++) {
      unsigned char c = (unsigned char)v[i];
      if (!isalnum(c)) return np_fail(err, NP_ERR_NOT_FOUND, "not_found", field ? field : "", "no such enterprise");
      up[i] = (char)toupper(c);
    }
    up[18] = '\0';
    return load_where(s, "uscc = ?", 0, up, field, out, err);
  }
  return np_fail(err, NP_ERR_NOT_FOUND, "not_found", field ? field : "", "no such enterprise");
}

np_err np_firms_open_openings_refresh(np_store_t *s, int64_t enterprise_id, int64_t *value, np_errdetail_t *err) {
  np_err rc = np_store_execf(s, NULL, err,
                             "UPDATE enterprises SET open_openings = (SELECT COALESCE(SUM(open_count), 0) FROM demands "
                             "WHERE enterprise_id = ? AND open_count > 0) WHERE id = ?",
                             "ii", enterprise_id, enterprise_id);
  if (rc == NP_OK) rc = np_firms_alerts_check_enterprise(s, enterprise_id, (int64_t)time(NULL), err); /* alerts.h */
  if (rc || !value) return rc;
  return np_store_queryf_int64(s, value, NULL, err, "SELECT open_openings FROM enterprises WHERE id = ?", "i",
                               enterprise_id);
}

char *np_firms_dem_dump(const json_t *v) {
  return v ? json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
}

np_err np_firms_dem_audit(np_store_t *s, const np_audit_entry_t *actor, const char *action, const char *entity,
                          const char *entity_id, json_t *before, json_t *after, const char *detail,
                          np_errdetail_t *err) {
  np_audit_entry_t e = {0};
  if (actor) e = *actor;
  e.action = action;
  e.entity = entity;
  e.entity_id = entity_id;
  char *bj = np_firms_dem_dump(before), *aj = np_firms_dem_dump(after);
  e.before_json = bj;
  e.after_json = aj;
  e.outcome = NULL;
  if (detail) e.detail = detail;
  np_err rc;
  if ((before && !e.before_json) || (after && !e.after_json))
    rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  else
    rc = np_audit_record(s, &e, NULL, err);
  free(bj);
  free(aj);
  return rc;
}
