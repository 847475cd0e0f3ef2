/* Recorded hires (see hires.h). */
#include "firms/hires.h"
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "core/ids.h"
#include "core/json.h"
#include "firms/dem_common.h"
#include "firms/demands.h"

static const char *const hire_keys[] = {"count", "hired_on", "seeker_ref", NULL};

/* A run of 11 or more digits looks like a phone or ID number: personal data does not go here. */
static bool looks_personal(const char *s) {
  int run = 0;
  for (; s && *s; s++) {
    run = (*s >= '0' && *s <= '9') ? run + 1 : 0;
    if (run >= 11) return true;
  }
  return false;
}

static json_t *hire_json(int64_t id, int64_t demand_id, int64_t count, const char *on, const char *ref,
                         const char *at) {
  char hid[32], did[32];
  snprintf(hid, sizeof hid, "hire_%" PRId64, id);
  return json_pack("{s:s, s:s, s:I, s:s, s:o, s:s}", "id", hid, "demand_id",
                   np_id_format(NP_ID_DEMAND, demand_id, did, sizeof did), "count", (json_int_t)count, "hired_on", on,
                   "seeker_ref", ref ? json_string(ref) : json_null(), "created_at", at);
}

np_err np_firms_hire_record(np_store_t *s, const np_ref_t *ref, const np_audit_entry_t *actor, int64_t demand_id,
                            const json_t *body, np_date_t today, json_t **out, np_errdetail_t *err) {
  int64_t count = 0, hid = 0;
  np_date_t on = today;
  const char *seeker = NULL;
  json_t *before = NULL, *after = NULL, *hire = NULL;
  np_err rc;
  if (out) *out = NULL;
  if ((rc = np_json_check_keys(body, hire_keys, err)) ||
      (rc = np_json_get_int(body, "count", NP_JSON_REQUIRED, 1, NP_DEMAND_MAX_COUNT, &count, NULL, err)) ||
      (rc = np_json_get_date(body, "hired_on", 0, &on, NULL, err)) ||
      (rc = np_json_get_str(body, "seeker_ref", 0, 1, 64, &seeker, NULL, err)))
    return rc;
  if (on.days > today.days) return np_fail(err, NP_ERR_INVALID, "future", "hired_on", "hired_on is in the future");
  if (looks_personal(seeker))
    return np_fail(err, NP_ERR_INVALID, "personal_data", "seeker_ref",
                   "seeker_ref is a reference (referral or seeker id), not an ID or phone number");
  char on_text[NP_DATE_STRLEN], now[NP_TS_STRLEN], pid[32];
  np_date_format(on, on_text, sizeof on_text);
  np_firms_dem_now(now);
  if ((rc = np_store_begin(s, err))) return rc;
  if ((rc = np_firms_demand_apply_hire(s, ref, actor, demand_id, count, &before, &after, err))) goto out;
  int64_t ent = 0;
  np_id_parse(NP_ID_ENTERPRISE, json_string_value(json_object_get(after, "enterprise_id")), &ent);
  rc = np_store_queryf_int64(s, &hid, NULL, err,
                             "INSERT INTO demand_hires (demand_id, enterprise_id, count, hired_on, seeker_ref, "
                             "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                             "iiittit", demand_id, ent, count, on_text, seeker,
                             actor ? actor->user_id : (int64_t)0, now);
  if (rc) goto out;
  if (!(hire = hire_json(hid, demand_id, count, on_text, seeker, now))) {
    rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
    goto out;
  }
  snprintf(pid, sizeof pid, "hire_%" PRId64, hid);
  if ((rc = np_store_change(s, "demand_hire", pid, "insert", NULL, err))) goto out;
  if ((rc = np_firms_dem_audit(s, actor, "demand_hire.create", "demand_hire", pid, NULL, hire, NULL, err))) goto out;
  rc = np_store_commit(s, err);
out:
  if (rc) np_store_rollback(s);
  if (rc == NP_OK && out) {
    *out = json_pack("{s:O, s:O}", "hire", hire, "demand", after);
    if (!*out) rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  }
  json_decref(before);
  json_decref(after);
  json_decref(hire);
  return rc;
}

np_err np_firms_hire_list(np_store_t *s, int64_t demand_id, json_t **out, np_errdetail_t *err) {
  np_stmt_t *st = NULL;
  bool has = false;
  int64_t total = 0, filled = 0;
  json_t *items = json_array();
  *out = NULL;
  if (!items) return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  np_err rc = np_store_prepare(s,
                               "SELECT id, count, hired_on, seeker_ref, created_at FROM demand_hires WHERE demand_id = ? "
                               "ORDER BY id",
                               &st, err);
  if (rc == NP_OK) rc = np_store_bind_int64(st, 1, demand_id);
  while (rc == NP_OK && (rc = np_store_step(st, &has, err)) == NP_OK && has) {
    json_t *h = hire_json(np_store_col_int64(st, 0), demand_id, np_store_col_int64(st, 1), np_store_col_text(st, 2),
                          np_store_col_text(st, 3), np_store_col_text(st, 4));
    if (!h || json_array_append_new(items, h)) {
      rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
      break;
    }
    total++;
    filled += np_store_col_int64(st, 1);
  }
  np_store_release(st);
  if (rc == NP_OK) {
    *out = json_pack("{s:o, s:I, s:I}", "items", items, "total", (json_int_t)total, "filled", (json_int_t)filled);
    items = NULL;
    if (!*out) rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  }
  json_decref(items);
  return rc;
}
