/* Referrals: recommendation → contact → interview → hire / decline (see referrals.h). */
#include "match/referrals.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/ids.h"
#include "core/json.h"
#include "core/str.h"
#include "firms/demands.h"
#include "firms/hires.h"
#include "match/seekers.h"

const char *const np_match_referral_status_values[] = {"recommended", "contacted", "interviewed", "hired", "declined",
                                                       NULL};

static int stage(const char *s) {
  for (int i = 0; np_match_referral_status_values[i]; i++)
    if (s && strcmp(s, np_match_referral_status_values[i]) == 0) return i;
  return -1;
}

bool np_match_referral_transition_ok(const char *from, const char *to) {
  int f = stage(from), t = stage(to);
  if (f < 0 || t < 0 || f >= 3) return false; /* hired (3) and declined (4) are final */
  if (t == 4) return true;                    /* declined from any open stage */
  return t == f + 1;
}

np_err np_match_referral_owner(np_store_t *s, int64_t id, np_referral_owner_t *o, np_errdetail_t *err) {
  memset(o, 0, sizeof *o);
  np_stmt_t *st;
  np_err rc = np_match_row_by_id(
      s, "SELECT demand_id, seeker_id, enterprise_id, version, region_code, status FROM referrals WHERE id = ?", id,
      "referral", &st, err);
  if (rc) return rc;
  o->id = id;
  o->demand_id = np_store_col_int64(st, 0);
  o->seeker_id = np_store_col_int64(st, 1);
  o->enterprise_id = np_store_col_int64(st, 2);
  o->version = np_store_col_int64(st, 3);
  np_strlcpy(o->region_code, np_store_col_text(st, 4), sizeof o->region_code);
  np_strlcpy(o->status, np_store_col_text(st, 5), sizeof o->status);
  np_store_release(st);
  return NP_OK;
}

#define REF_COLS                                                                                                       \
  "r.id, r.demand_id, r.seeker_id, r.enterprise_id, r.region_code, r.status, r.reason, r.explanation, r.hire_id, "   \
  "r.version, r.created_at, r.updated_at, r.closed_at, s.name, s.id_number_masked, s.status, d.occupation_code, "     \
  "d.count, d.filled, d.status, e.name"
#define REF_FROM                                                                                                       \
  " FROM referrals r JOIN seekers s ON s.id = r.seeker_id JOIN demands d ON d.id = r.demand_id JOIN enterprises e ON " \
  "e.id = r.enterprise_id"

static json_t *tx(np_stmt_t *st, int c) {
  const char *t = np_store_col_text(st, c);
  return t ? json_string(t) : json_null();
}

static json_t *ref_row(np_stmt_t *st, const np_ref_t *ref) {
  char id[32], did[32], sid[32], eid[32];
  json_t *o = json_object();
  json_object_set_new(o, "id", json_string(np_id_format(NP_ID_REFERRAL, np_store_col_int64(st, 0), id, sizeof id)));
  json_object_set_new(o, "demand_id", json_string(np_id_format(NP_ID_DEMAND, np_store_col_int64(st, 1), did, sizeof did)));
  json_object_set_new(o, "seeker_id", json_string(np_id_format(NP_ID_SEEKER, np_store_col_int64(st, 2), sid, sizeof sid)));
  json_object_set_new(o, "enterprise_id",
                      json_string(np_id_format(NP_ID_ENTERPRISE, np_store_col_int64(st, 3), eid, sizeof eid)));
  json_object_set_new(o, "region_code", tx(st, 4));
  json_object_set_new(o, "status", tx(st, 5));
  json_object_set_new(o, "reason", tx(st, 6));
  const char *ex = np_store_col_text(st, 7);
  json_t *exj = NULL;
  if (ex) exj = json_loads(ex, 0, NULL);
  json_object_set_new(o, "explanation", exj ? exj : json_null());
  if (np_store_col_is_null(st, 8)) {
    json_object_set_new(o, "hire_id", json_null());
  } else {
    char hid[32];
    snprintf(hid, sizeof hid, "hire_%" PRId64, np_store_col_int64(st, 8));
    json_object_set_new(o, "hire_id", json_string(hid));
  }
  json_object_set_new(o, "version", json_integer(np_store_col_int64(st, 9)));
  json_object_set_new(o, "created_at", tx(st, 10));
  json_object_set_new(o, "updated_at", tx(st, 11));
  json_object_set_new(o, "closed_at", tx(st, 12));
  json_object_set_new(o, "seeker", json_pack("{s:s, s:o, s:o, s:o}", "id", sid, "name", tx(st, 13), "id_number",
                                             tx(st, 14), "status", tx(st, 15)));
  const char *occ = np_store_col_text(st, 16);
  const np_ref_item_t *it = occ ? np_ref_item(ref, NP_REF_OCCUPATIONS, occ) : NULL;
  json_object_set_new(o, "demand", json_pack("{s:s, s:o, s:s, s:I, s:I, s:o}", "id", did, "occupation_code", tx(st, 16),
                                             "occupation_name", it ? it->name : "", "count",
                                             (json_int_t)np_store_col_int64(st, 17), "filled",
                                             (json_int_t)np_store_col_int64(st, 18), "status", tx(st, 19)));
  json_object_set_new(o, "enterprise_name", tx(st, 20));
  return o;
}

np_err np_match_referral_get(np_store_t *s, const np_ref_t *ref, int64_t id, json_t **out, np_errdetail_t *err) {
  *out = NULL;
  np_stmt_t *st;
  np_err rc = np_match_row_by_id(s, "SELECT " REF_COLS REF_FROM " WHERE r.id = ?", id, "referral", &st, err);
  if (rc) return rc;
  json_t *o = ref_row(st, ref);
  np_store_release(st);
  json_t *events = json_array();
  json_object_set_new(o, "events", events);
  if ((rc = np_store_prepare(s,
                             "SELECT at, username, status_before, status_after, reason FROM referral_events WHERE "
                             "referral_id = ? ORDER BY id",
                             &st, err))) {
    json_decref(o);
    return rc;
  }
  np_store_bind_int64(st, 1, id);
  bool has = false;
  while ((rc = np_store_step(st, &has, err)) == NP_OK && has)
    json_array_append_new(events, json_pack("{s:o, s:o, s:o, s:o, s:o}", "at", tx(st, 0), "username", tx(st, 1),
                                            "status_before", tx(st, 2), "status_after", tx(st, 3), "reason", tx(st, 4)));
  np_store_release(st);
  if (rc) json_decref(o);
  else *out = o;
  return rc;
}

static np_err add_event(np_store_t *s, const np_audit_entry_t *actor, int64_t id, const char *before, const char *after,
                        const char *reason, const char *now, np_errdetail_t *err) {
  return np_store_execf(s, NULL, err,
                        "INSERT INTO referral_events (referral_id, at, user_id, username, status_before, status_after, "
                        "reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        "ititttt", id, now, actor && actor->user_id ? actor->user_id : (int64_t)0,
                        actor && actor->username ? actor->username : "system", before, after, reason);
}

np_err np_match_referral_create(np_store_t *s, const np_ref_t *ref, const np_audit_entry_t *actor, int64_t demand_id,
                                int64_t seeker_id, const json_t *explanation, int64_t *id, json_t **out,
                                np_errdetail_t *err) {
  *id = 0;
  if (out) *out = NULL;
  char *ex = NULL;
  if (explanation && !json_is_null(explanation)) {
    if (!json_is_object(explanation))
      return np_fail(err, NP_ERR_INVALID, "type", "explanation", "explanation must be an object");
    ex = json_dumps(explanation, NP_JSON_DUMP_FLAGS);
    if (!ex) return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
    if (strlen(ex) > NP_REFERRAL_MAX_EXPLANATION) {
      free(ex);
      return np_fail(err, NP_ERR_INVALID, "length", "explanation", "explanation is at most %u bytes",
                     NP_REFERRAL_MAX_EXPLANATION);
    }
  }
  np_firms_demand_owner_t dem;
  np_seeker_owner_t sk;
  json_t *after = NULL;
  np_err rc = np_store_begin(s, err);
  if (rc) goto done;
  if ((rc = np_firms_demand_owner(s, demand_id, &dem, err))) goto out;
  if ((rc = np_match_seeker_owner(s, seeker_id, &sk, err))) goto out;
  if (strcmp(dem.status, "open") != 0 && strcmp(dem.status, "partly_filled") != 0) {
    rc = np_fail(err, NP_ERR_CONFLICT, "final", "demand_id", "the demand line is %s", dem.status);
    goto out;
  }
  if (!sk.consent) {
    rc = np_fail(err, NP_ERR_CONFLICT, "no_consent", "seeker_id", "the seeker has not agreed to be recommended");
    goto out;
  }
  if (strcmp(sk.status, "seeking") != 0) {
    rc = np_fail(err, NP_ERR_CONFLICT, "not_seeking", "seeker_id", "the seeker is %s", sk.status);
    goto out;
  }
  bool found = false;
  int64_t other = 0;
  if ((rc = np_store_queryf_int64(s, &other, &found, err, "SELECT id FROM referrals WHERE demand_id = ? AND seeker_id = ?",
                                  "ii", demand_id, seeker_id)))
    goto out;
  if (found) {
    char rid[32];
    rc = np_fail(err, NP_ERR_CONFLICT, "duplicate", "seeker_id", "this seeker is already referred to this line (%s)",
                 np_id_format(NP_ID_REFERRAL, other, rid, sizeof rid));
    goto out;
  }
  /* the line's county/city from its region (demands keep them too) */
  char county[8] = "", city[8] = "";
  memcpy(county, dem.region_code, 6);
  county[6] = '\0';
  const np_region_t *r = np_ref_region(ref, dem.region_code);
  const np_region_t *cy = r ? np_ref_region_at(r, NP_REGION_CITY) : NULL;
  const np_region_t *co = r ? np_ref_region_at(r, NP_REGION_COUNTY) : NULL;
  if (co) np_strlcpy(county, co->code, sizeof county);
  if (cy) np_strlcpy(city, cy->code, sizeof city);
  else snprintf(city, sizeof city, "%.4s00", dem.region_code);
  char now[NP_TS_STRLEN];
  np_match_now(now);
  if ((rc = np_store_queryf_int64(s, id, NULL, err,
                                  "INSERT INTO referrals (demand_id, seeker_id, enterprise_id, region_code, county_code, "
                                  "city_code, status, explanation, version, created_by, created_at, updated_at) VALUES "
                                  "(?, ?, ?, ?, ?, ?, 'recommended', ?, 1, ?, ?, ?) RETURNING id",
                                  "iiittttitt", demand_id, seeker_id, dem.enterprise_id, dem.region_code, county, city,
                                  ex, actor && actor->user_id ? actor->user_id : (int64_t)0, now, now)))
    goto out;
  if ((rc = add_event(s, actor, *id, NULL, "recommended", NULL, now, err))) goto out;
  char rid[32];
  np_id_format(NP_ID_REFERRAL, *id, rid, sizeof rid);
  if ((rc = np_store_change(s, "referral", rid, "insert", NULL, err))) goto out;
  if ((rc = np_match_referral_get(s, ref, *id, &after, err))) goto out;
  json_t *audit_after = json_deep_copy(after);
  json_object_del(audit_after, "explanation");
  rc = np_match_audit(s, actor, "referral.create", "referral", rid, NULL, audit_after, NULL, err);
  json_decref(audit_after);
  if (rc) goto out;
  rc = np_store_commit(s, err);
out:
  if (rc) np_store_rollback(s);
done:
  free(ex);
  if (rc) {
    json_decref(after);
    *id = 0;
  } else if (out) {
    *out = after;
  } else {
    json_decref(after);
  }
  return rc;
}

np_err np_match_referral_transition(np_store_t *s, const np_ref_t *ref, const np_audit_entry_t *actor, int64_t id,
                                    const char *status, const char *reason, int64_t expected_version, np_date_t today,
                                    json_t **out, np_errdetail_t *err) {
  if (out) *out = NULL;
  if (stage(status) < 0)
    return np_fail(err, NP_ERR_INVALID, "unknown_value", "status",
                   "status must be recommended, contacted, interviewed, hired or declined");
  if (reason && *reason == '\0') reason = NULL;
  if (reason && np_utf8_count(reason, strlen(reason)) > 200)
    return np_fail(err, NP_ERR_INVALID, "length", "reason", "reason is at most 200 characters");
  if (strcmp(status, "declined") == 0 && !reason)
    return np_fail(err, NP_ERR_INVALID, "required", "reason", "say why the referral was declined");
  np_referral_owner_t o;
  json_t *before = NULL, *after = NULL;
  np_err rc = np_store_begin(s, err);
  if (rc) return rc;
  if ((rc = np_match_referral_owner(s, id, &o, err))) goto out;
  if (expected_version && expected_version != o.version) {
    rc = np_fail(err, NP_ERR_CONFLICT, "stale", "version", "the referral changed since you read it (version %" PRId64 ")",
                 o.version);
    goto out;
  }
  if (!np_match_referral_transition_ok(o.status, status)) {
    rc = np_fail(err, NP_ERR_CONFLICT, "transition", "status", "a referral that is %s cannot become %s", o.status, status);
    goto out;
  }
  if ((rc = np_match_referral_get(s, ref, id, &before, err))) goto out;
  char now[NP_TS_STRLEN], rid[32];
  np_match_now(now);
  np_id_format(NP_ID_REFERRAL, id, rid, sizeof rid);
  int64_t hire_id = 0;
  if (strcmp(status, "hired") == 0) {
    /* the hire goes through the demands module: filled count, line status, open openings, events, audit */
    char on[NP_DATE_STRLEN];
    np_date_format(today, on, sizeof on);
    json_t *hb = json_pack("{s:i, s:s, s:s}", "count", 1, "hired_on", on, "seeker_ref", rid), *hout = NULL;
    rc = np_firms_hire_record(s, ref, actor, o.demand_id, hb, today, &hout, err);
    json_decref(hb);
    if (rc) goto out;
    const char *hid = json_string_value(json_object_get(json_object_get(hout, "hire"), "id"));
    if (hid && strncmp(hid, "hire_", 5) == 0) np_parse_int64(hid + 5, strlen(hid + 5), 1, INT64_MAX, &hire_id);
    json_decref(hout);
    if ((rc = np_match_seeker_set_status(s, actor, o.seeker_id, "employed", err))) goto out;
  }
  bool final = strcmp(status, "hired") == 0 || strcmp(status, "declined") == 0;
  if ((rc = np_store_execf(s, NULL, err,
                           "UPDATE referrals SET status = ?, reason = ?, hire_id = ?, version = version + 1, updated_at = ?, "
                           "closed_at = ? WHERE id = ?",
                           "tt" "i" "tti", status, reason, hire_id, now, final ? now : NULL, id)))
    goto out;
  if (!hire_id &&
      (rc = np_store_execf(s, NULL, err, "UPDATE referrals SET hire_id = NULL WHERE id = ? AND hire_id = 0", "i", id)))
    goto out;
  if ((rc = add_event(s, actor, id, o.status, status, reason, now, err))) goto out;
  if ((rc = np_store_change(s, "referral", rid, "update", NULL, err))) goto out;
  if ((rc = np_match_referral_get(s, ref, id, &after, err))) goto out;
  json_t *b = json_pack("{s:s}", "status", o.status), *a = json_pack("{s:s, s:o}", "status", status, "reason",
                                                                      reason ? json_string(reason) : json_null());
  rc = np_match_audit(s, actor, "referral.update", "referral", rid, b, a, NULL, err);
  json_decref(b);
  json_decref(a);
  if (rc) goto out;
  rc = np_store_commit(s, err);
out:
  if (rc) np_store_rollback(s);
  json_decref(before);
  if (rc == NP_OK && out) *out = after;
  else json_decref(after);
  return rc;
}

np_err np_match_referral_list(np_store_t *s, const np_ref_t *ref, const np_referral_filter_t *f, json_t **out,
                              np_errdetail_t *err) {
  *out = NULL;
  np_scope_sql_t sq;
  const np_scope_cols_t cols = {.region = "r.region_code", .enterprise = "r.enterprise_id"};
  np_err rc = np_authz_scope_sql(f->scope, &cols, &sq);
  if (rc) return np_fail(err, rc, "internal", "", "scope");
  char where[768], like_region[24] = "";
  size_t w = (size_t)snprintf(where, sizeof where, " WHERE 1 = 1%s", sq.sql);
  if (f->demand_id) w += (size_t)snprintf(where + w, sizeof where - w, " AND r.demand_id = ?");
  if (f->enterprise_id) w += (size_t)snprintf(where + w, sizeof where - w, " AND r.enterprise_id = ?");
  if (f->seeker_id) w += (size_t)snprintf(where + w, sizeof where - w, " AND r.seeker_id = ?");
  if (f->region_prefix && *f->region_prefix) {
    snprintf(like_region, sizeof like_region, "%s%%", f->region_prefix);
    w += (size_t)snprintf(where + w, sizeof where - w, " AND r.region_code LIKE ?");
  }
  json_t *items = json_array(), *counts = json_object();
  for (int i = 0; np_match_referral_status_values[i]; i++) json_object_set_new(counts, np_match_referral_status_values[i], json_integer(0));
  int64_t total = 0, last = 0;
  for (int pass = 0; pass < 2 && rc == NP_OK; pass++) {
    char sql[2048];
    if (pass == 0) snprintf(sql, sizeof sql, "SELECT r.status, COUNT(*) FROM referrals r%s GROUP BY r.status", where);
    else
      snprintf(sql, sizeof sql, "SELECT " REF_COLS REF_FROM "%s%s%s ORDER BY r.id DESC LIMIT ?", where,
               f->status ? " AND r.status = ?" : "", f->cursor > 0 ? " AND r.id < ?" : "");
    np_stmt_t *st = NULL;
    if ((rc = np_store_prepare(s, sql, &st, err))) break;
    int next = 1;
    np_authz_scope_bind(&sq, st, 1, &next);
    if (f->demand_id) np_store_bind_int64(st, next++, f->demand_id);
    if (f->enterprise_id) np_store_bind_int64(st, next++, f->enterprise_id);
    if (f->seeker_id) np_store_bind_int64(st, next++, f->seeker_id);
    if (like_region[0]) np_store_bind_text(st, next++, like_region, NP_STORE_STRLEN);
    if (pass == 1) {
      if (f->status) np_store_bind_text(st, next++, f->status, NP_STORE_STRLEN);
      if (f->cursor > 0) np_store_bind_int64(st, next++, f->cursor);
      np_store_bind_int64(st, next++, f->limit);
    }
    bool has = false;
    while ((rc = np_store_step(st, &has, err)) == NP_OK && has) {
      if (pass == 0) {
        const char *k = np_store_col_text(st, 0);
        int64_t n = np_store_col_int64(st, 1);
        if (k) json_object_set_new(counts, k, json_integer(n));
        if (!f->status || (k && strcmp(k, f->status) == 0)) total += n;
        continue;
      }
      last = np_store_col_int64(st, 0);
      json_array_append_new(items, ref_row(st, ref));
    }
    np_store_release(st);
  }
  if (rc) {
    json_decref(items);
    json_decref(counts);
    return rc;
  }
  json_t *nc = np_match_next_cursor(json_array_size(items), f->limit, last);
  *out = json_pack("{s:o, s:I, s:o, s:o}", "items", items, "total", (json_int_t)total, "next_cursor", nc, "counts", counts);
  return NP_OK;
}
