/* Job seekers: validation, dedupe by blind index, sealed personal data, masked JSON (see seekers.h). */
#include "match/seekers.h"
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/ids.h"
#include "core/json.h"
#include "core/str.h"
#include "crypto/crypto.h"
#include "firms/demands.h"

const char *const np_match_seeker_status_values[] = {"seeking", "employed", "withdrawn", NULL};
const char *const np_match_seeker_category_values[] = {"graduate", "unemployed", "hardship", "youth",
                                                       "outside_province", NULL};

static const char *const source_names[] = {"staff", "self", "import", "demo"};

static const char *const create_keys[] = {"id_number", "name", "region_code", "lat", "lon", "occupation_codes",
                                          "skill_level", "certificates", "education", "expected_salary",
                                          "available_from", "graduation_year", "registered_unemployed_since",
                                          "hardship", "consent", "phone", NULL};
static const char *const patch_keys[] = {"version", "id_number", "name", "region_code", "lat", "lon", "occupation_codes",
                                         "skill_level", "certificates", "education", "expected_salary",
                                         "available_from", "graduation_year", "registered_unemployed_since",
                                         "hardship", "consent", "phone", "status", NULL};
static const char *const cert_keys[] = {"occupation_code", "level", "cert_no", "issued_on", NULL};

void np_match_now(char out[NP_TS_STRLEN]) {
  if (np_date_format_ts_utc((int64_t)time(NULL), out, NP_TS_STRLEN) != NP_OK) np_strlcpy(out, "1970-01-01T00:00:00Z", NP_TS_STRLEN);
}

np_err np_match_row_by_id(np_store_t *s, const char *sql, int64_t id, const char *what, np_stmt_t **st,
                          np_errdetail_t *err) {
  *st = NULL;
  np_err rc = np_store_prepare(s, sql, st, err);
  if (rc) {
    *st = NULL;
    return rc;
  }
  np_store_bind_int64(*st, 1, id);
  bool has = false;
  rc = np_store_step(*st, &has, err);
  if (rc == NP_OK && !has) rc = np_fail(err, NP_ERR_NOT_FOUND, "not_found", "", "no such %s", what);
  if (rc) {
    np_store_release(*st);
    *st = NULL;
  }
  return rc;
}

json_t *np_match_next_cursor(size_t n, int64_t limit, int64_t last) {
  if ((int64_t)n != limit || last <= 0) return json_null();
  char c[32];
  snprintf(c, sizeof c, "%" PRId64, last);
  return json_string(c);
}

np_err np_match_audit(np_store_t *s, const np_audit_entry_t *actor, const char *action, const char *entity,
                      const char *entity_id, const json_t *before, const json_t *after, const char *detail,
                      np_errdetail_t *err) {
  np_audit_entry_t e = {0};
  if (actor) e = *actor;
  else e.username = "system";
  e.action = action;
  e.entity = entity;
  e.entity_id = entity_id;
  e.detail = detail;
  e.outcome = NULL;
  char *b = before ? json_dumps(before, NP_JSON_DUMP_FLAGS) : NULL;
  char *a = after ? json_dumps(after, NP_JSON_DUMP_FLAGS) : NULL;
  e.before_json = b;
  e.after_json = a;
  np_err rc = np_audit_record(s, &e, NULL, err);
  free(b);
  free(a);
  return rc;
}

void np_match_make_id_number(const char region6[7], int year, int month, int day, int seq, char out[19]) {
  char first[40];
  snprintf(first, sizeof first, "%.6s%04d%02d%02d%03d", region6, year % 10000, month % 100, day % 100, seq % 1000);
  memcpy(out, first, 17);
  out[17] = np_valid_id_check_char(first);
  out[18] = '\0';
}

/* ---- parsed input ---- */

typedef struct cert {
  char occ[24];
  int level;
  const char *cert_no;
  char issued_on[NP_DATE_STRLEN];
} cert_t;

typedef struct seeker_in {
  np_id_info_t id;
  const char *name;
  const np_region_t *region, *county, *city;
  int32_t lat_e6, lon_e6;
  bool approx;
  char occ[NP_SEEKER_MAX_OCCUPATIONS][24];
  int nocc;
  cert_t certs[NP_SEEKER_MAX_CERTIFICATES];
  int ncerts;
  int skill_level;
  const char *education;
  int64_t salary;
  char available_from[NP_DATE_STRLEN];
  int64_t graduation_year;
  char unemployed_since[NP_DATE_STRLEN];
  bool hardship, consent;
  bool phone_given; /* a phone number (not null) */
  char phone[12];
} seeker_in_t;

static int32_t today_ymd(np_date_t today) {
  int y, m, d;
  np_date_to_ymd(today, &y, &m, &d);
  return y * 10000 + m * 100 + d;
}

static np_err parse_coord(const json_t *body, const char *key, double lo, double hi, int32_t *out, bool *given,
                          np_errdetail_t *err) {
  json_t *v = json_object_get(body, key);
  *given = false;
  if (!v || json_is_null(v)) return NP_OK;
  if (!json_is_number(v)) return np_fail(err, NP_ERR_INVALID, "type", key, "%s must be a number (degrees)", key);
  double d = json_number_value(v);
  if (!isfinite(d) || d < lo || d > hi)
    return np_fail(err, NP_ERR_INVALID, "outside_shandong", key,
                   "the location must lie in Shandong (latitude 34.3–38.5, longitude 114.7–122.8)");
  *out = (int32_t)llround(d * 1e6);
  *given = true;
  return NP_OK;
}

/* A county-level unit's centroid; functional zones (no centroid of their own) fall back to another
 * county of the same city, so every seeker has a point (marked approximate). */
static bool centroid_of(const np_region_t *county, int32_t *lat, int32_t *lon) {
  if (np_ref_region_centroid(county, lat, lon, NULL)) return true;
  const np_region_t *city = county->parent;
  for (size_t i = 0; city && i < city->nchildren; i++)
    if (np_ref_region_centroid(city->children[i], lat, lon, NULL)) return true;
  return false;
}

static bool in_dict(const char *v, const char *const *dict) {
  for (size_t i = 0; dict[i]; i++)
    if (strcmp(v, dict[i]) == 0) return true;
  return false;
}

static np_err parse_occupation(const np_ref_t *ref, const char *code, const char *field, char out[24],
                               np_errdetail_t *err) {
  const np_ref_item_t *it = code ? np_ref_item(ref, NP_REF_OCCUPATIONS, code) : NULL;
  if (!it || it->depth != 4)
    return np_fail(err, NP_ERR_INVALID, "unknown_occupation", field,
                   "%s must be an occupation (detailed level) of the 2022 classification, like 6-18-02-04", field);
  np_strlcpy(out, it->code, 24);
  return NP_OK;
}

/* Validates everything except id_number into `in` (the whole body: merged for PATCH). */
static np_err parse_fields(const np_ref_t *ref, const json_t *body, np_date_t today, seeker_in_t *in,
                           np_errdetail_t *err) {
  np_err rc;
  json_t *arr = NULL;
  const char *str = NULL;
  int64_t n = 0;
  bool b = false;
  if ((rc = np_json_get_str(body, "name", NP_JSON_REQUIRED, 1, 50, &in->name, NULL, err))) return rc;
  /* region */
  if ((rc = np_json_get_str(body, "region_code", NP_JSON_REQUIRED, 6, 12, &str, NULL, err))) return rc;
  const np_region_t *r = np_ref_region(ref, str);
  if (!r || r->level < NP_REGION_COUNTY || strncmp(r->code, "37", 2) != 0)
    return np_fail(err, NP_ERR_INVALID, "unknown_region", "region_code",
                   "region_code must be a known Shandong county, township or village code");
  in->region = r;
  in->county = np_ref_region_at(r, NP_REGION_COUNTY);
  in->city = np_ref_region_at(r, NP_REGION_CITY);
  if (!in->county || !in->city)
    return np_fail(err, NP_ERR_INVALID, "unknown_region", "region_code", "region_code has no county");
  bool has_lat = false, has_lon = false;
  if ((rc = parse_coord(body, "lat", 34.3, 38.5, &in->lat_e6, &has_lat, err))) return rc;
  if ((rc = parse_coord(body, "lon", 114.7, 122.8, &in->lon_e6, &has_lon, err))) return rc;
  if (has_lat != has_lon)
    return np_fail(err, NP_ERR_INVALID, "required", has_lat ? "lon" : "lat", "give lat and lon together");
  in->approx = !has_lat;
  if (in->approx && !centroid_of(in->county, &in->lat_e6, &in->lon_e6))
    return np_fail(err, NP_ERR_INVALID, "required", "lat", "this region has no known centre: give lat and lon");
  /* occupations */
  json_t *occ = json_object_get(body, "occupation_codes");
  if (!occ || json_is_null(occ))
    return np_fail(err, NP_ERR_INVALID, "required", "occupation_codes", "give 1 to 3 desired occupations");
  if (!json_is_array(occ)) return np_fail(err, NP_ERR_INVALID, "type", "occupation_codes", "occupation_codes must be an array");
  if (json_array_size(occ) == 0)
    return np_fail(err, NP_ERR_INVALID, "required", "occupation_codes", "give 1 to 3 desired occupations");
  if (json_array_size(occ) > NP_SEEKER_MAX_OCCUPATIONS)
    return np_fail(err, NP_ERR_INVALID, "too_many", "occupation_codes", "at most %d desired occupations",
                   NP_SEEKER_MAX_OCCUPATIONS);
  in->nocc = 0;
  for (size_t i = 0; i < json_array_size(occ); i++) {
    char field[40];
    snprintf(field, sizeof field, "occupation_codes[%zu]", i);
    json_t *v = json_array_get(occ, i);
    if ((rc = parse_occupation(ref, json_is_string(v) ? json_string_value(v) : NULL, field, in->occ[i], err))) return rc;
    for (int k = 0; k < in->nocc; k++)
      if (strcmp(in->occ[k], in->occ[i]) == 0)
        return np_fail(err, NP_ERR_INVALID, "duplicate", field, "the same occupation twice");
    in->nocc++;
  }
  /* certificates */
  in->ncerts = 0;
  if ((rc = np_json_get_array(body, "certificates", 0, NP_SEEKER_MAX_CERTIFICATES, &arr, NULL, err))) return rc;
  for (size_t i = 0; arr && i < json_array_size(arr); i++) {
    json_t *c = json_array_get(arr, i);
    cert_t *ct = &in->certs[i];
    char field[48];
    snprintf(field, sizeof field, "certificates[%zu]", i);
    if (!json_is_object(c)) return np_fail(err, NP_ERR_INVALID, "type", field, "a certificate is an object");
    if ((rc = np_json_check_keys(c, cert_keys, err))) return rc;
    const char *oc = NULL;
    if ((rc = np_json_get_str(c, "occupation_code", NP_JSON_REQUIRED, 1, 20, &oc, NULL, err)) ||
        (rc = parse_occupation(ref, oc, "certificates.occupation_code", ct->occ, err)) ||
        (rc = np_json_get_int(c, "level", NP_JSON_REQUIRED, 1, 8, &n, NULL, err)))
      goto cert_fail;
    ct->level = (int)n;
    ct->cert_no = NULL;
    if ((rc = np_json_get_str(c, "cert_no", 0, 1, 40, &ct->cert_no, NULL, err))) goto cert_fail;
    np_date_t d = {0};
    ct->issued_on[0] = '\0';
    np_json_presence pr = NP_JSON_ABSENT;
    if ((rc = np_json_get_date(c, "issued_on", 0, &d, &pr, err))) goto cert_fail;
    if (pr == NP_JSON_PRESENT) {
      if (d.days > today.days) {
        rc = np_fail(err, NP_ERR_INVALID, "future", "issued_on", "issued_on is in the future");
        goto cert_fail;
      }
      np_date_format(d, ct->issued_on, sizeof ct->issued_on);
    }
    in->ncerts++;
    continue;
  cert_fail:
    {
      char sub[sizeof err->field];
      np_strlcpy(sub, strchr(err->field, '.') ? strchr(err->field, '.') + 1 : err->field, sizeof sub);
      snprintf(err->field, sizeof err->field, "%s.%.40s", field, sub);
    }
    return rc;
  }
  in->skill_level = 0;
  if ((rc = np_json_get_int(body, "skill_level", 0, 1, 8, &n, NULL, err))) return rc;
  np_json_presence pr = np_json_presence_of(body, "skill_level");
  if (pr == NP_JSON_PRESENT) in->skill_level = (int)n;
  for (int i = 0; i < in->ncerts; i++)
    if (in->certs[i].level > in->skill_level) in->skill_level = in->certs[i].level;
  in->education = NULL;
  if ((rc = np_json_get_str(body, "education", 0, 1, 32, &in->education, NULL, err))) return rc;
  if (in->education && !in_dict(in->education, np_firms_education_values))
    return np_fail(err, NP_ERR_INVALID, "unknown_value", "education",
                   "education must be none, junior_middle, senior_middle, secondary_vocational, junior_college, "
                   "bachelor, master or doctorate");
  in->salary = 0;
  if ((rc = np_json_get_money(body, "expected_salary", 0, 1, NP_SEEKER_MAX_SALARY, &in->salary, NULL, err))) return rc;
  np_date_t d;
  in->available_from[0] = '\0';
  if ((rc = np_json_get_date(body, "available_from", 0, &d, &pr, err))) return rc;
  if (pr == NP_JSON_PRESENT) np_date_format(d, in->available_from, sizeof in->available_from);
  in->graduation_year = 0;
  if ((rc = np_json_get_int(body, "graduation_year", 0, 1950, 2100, &in->graduation_year, NULL, err))) return rc;
  in->unemployed_since[0] = '\0';
  if ((rc = np_json_get_date(body, "registered_unemployed_since", 0, &d, &pr, err))) return rc;
  if (pr == NP_JSON_PRESENT) {
    if (d.days > today.days)
      return np_fail(err, NP_ERR_INVALID, "future", "registered_unemployed_since", "the date is in the future");
    np_date_format(d, in->unemployed_since, sizeof in->unemployed_since);
  }
  b = false;
  if ((rc = np_json_get_bool(body, "hardship", 0, &b, NULL, err))) return rc;
  in->hardship = b;
  b = false;
  if ((rc = np_json_get_bool(body, "consent", 0, &b, NULL, err))) return rc;
  in->consent = b;
  in->phone_given = false;
  if ((rc = np_json_get_str(body, "phone", 0, 1, 20, &str, &pr, err))) return rc;
  if (pr == NP_JSON_PRESENT) {
    if ((rc = np_valid_mobile(str, strlen(str), in->phone, err))) {
      np_strlcpy(err->field, "phone", sizeof err->field);
      return rc;
    }
    in->phone_given = true;
  }
  return NP_OK;
}

static bool in_scope(const np_scope_t *sc, const char *region_code) {
  if (!sc) return true;
  if (sc->kind == NP_SCOPE_ALL) return true;
  if (sc->kind != NP_SCOPE_REGION) return false;
  size_t pn = strlen(sc->region_prefix);
  return strncmp(region_code, sc->region_prefix, pn) == 0;
}

/* Seals value and computes its blind index and mask. */
static np_err seal_personal(const char *kind, const char *value, char **sealed, char index[NP_CRYPTO_SM3_HEXLEN],
                            char *masked, size_t mcap, np_errdetail_t *err) {
  np_err rc = np_crypto_seal(value, strlen(value), sealed, NULL, err);
  if (rc) return rc;
  if ((rc = np_crypto_blind_index(kind, value, index, err))) {
    free(*sealed);
    *sealed = NULL;
    return rc;
  }
  if (strcmp(kind, "id_number") == 0) np_mask_id_number(value, strlen(value), masked, mcap);
  else np_mask_mobile(value, strlen(value), masked, mcap);
  return NP_OK;
}

static np_err write_children(np_store_t *s, int64_t id, const seeker_in_t *in, bool replace, np_errdetail_t *err) {
  np_err rc = NP_OK;
  if (replace) {
    if ((rc = np_store_execf(s, NULL, err, "DELETE FROM seeker_occupations WHERE seeker_id = ?", "i", id))) return rc;
    if ((rc = np_store_execf(s, NULL, err, "DELETE FROM seeker_certificates WHERE seeker_id = ?", "i", id))) return rc;
  }
  for (int i = 0; i < in->nocc && rc == NP_OK; i++)
    rc = np_store_execf(s, NULL, err, "INSERT INTO seeker_occupations (seeker_id, rank, occupation_code) VALUES (?, ?, ?)",
                        "iit", id, (int64_t)(i + 1), in->occ[i]);
  for (int i = 0; i < in->ncerts && rc == NP_OK; i++)
    rc = np_store_execf(s, NULL, err,
                        "INSERT INTO seeker_certificates (seeker_id, occupation_code, level, cert_no, issued_on) "
                        "VALUES (?, ?, ?, ?, ?)",
                        "ititt", id, in->certs[i].occ, (int64_t)in->certs[i].level, in->certs[i].cert_no,
                        in->certs[i].issued_on[0] ? in->certs[i].issued_on : NULL);
  return rc;
}

static void bind_opt_int(np_stmt_t *st, int i, int64_t v) {
  if (v) np_store_bind_int64(st, i, v);
  else np_store_bind_null(st, i);
}

static void bind_opt_text(np_stmt_t *st, int i, const char *v) {
  if (v && *v) np_store_bind_text(st, i, v, NP_STORE_STRLEN);
  else np_store_bind_null(st, i);
}

/* The columns INSERT and UPDATE share, region_code … consent in that order, from placeholder i + 1;
 * returns the last placeholder bound. */
static int bind_profile(np_stmt_t *st, int i, const seeker_in_t *in) {
  np_store_bind_text(st, ++i, in->region->code, NP_STORE_STRLEN);
  np_store_bind_text(st, ++i, in->county->code, NP_STORE_STRLEN);
  np_store_bind_text(st, ++i, in->city->code, NP_STORE_STRLEN);
  np_store_bind_int64(st, ++i, in->lat_e6);
  np_store_bind_int64(st, ++i, in->lon_e6);
  np_store_bind_int64(st, ++i, in->approx);
  bind_opt_int(st, ++i, in->skill_level);
  bind_opt_text(st, ++i, in->education);
  bind_opt_int(st, ++i, in->salary);
  bind_opt_text(st, ++i, in->available_from);
  bind_opt_int(st, ++i, in->graduation_year);
  bind_opt_text(st, ++i, in->unemployed_since);
  np_store_bind_int64(st, ++i, in->hardship);
  np_store_bind_int64(st, ++i, in->consent);
  return i;
}

np_err np_match_seeker_create(np_store_t *s, const np_ref_t *ref, const np_audit_entry_t *actor, const json_t *body,
                              const np_seeker_create_opts_t *o, int64_t *id, json_t **out, np_errdetail_t *err) {
  if (out) *out = NULL;
  *id = 0;
  if (!json_is_object(body)) return np_fail(err, NP_ERR_INVALID, "type", "", "the body must be a JSON object");
  np_err rc = np_json_check_keys(body, create_keys, err);
  if (rc) return rc;
  seeker_in_t *in = calloc(1, sizeof *in);
  char *id_sealed = NULL, *phone_sealed = NULL;
  bool in_tx = false;
  if (!in) return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  const char *idn = NULL;
  if ((rc = np_json_get_str(body, "id_number", NP_JSON_REQUIRED, 1, 18, &idn, NULL, err))) goto out;
  void *ref_ctx;
  memcpy(&ref_ctx, &ref, sizeof ref_ctx); /* the validator's callback context is not const */
  if ((rc = np_valid_id_number_on(idn, strlen(idn), np_ref_region_known, ref_ctx, today_ymd(o->today), &in->id,
                                  err))) {
    np_strlcpy(err->field, "id_number", sizeof err->field);
    goto out;
  }
  if ((rc = parse_fields(ref, body, o->today, in, err))) goto out;
  if (o->require_consent && np_json_presence_of(body, "consent") != NP_JSON_PRESENT) {
    rc = np_fail(err, NP_ERR_INVALID, "required", "consent",
                 "say whether you agree to be recommended to employers (consent: true or false)");
    goto out;
  }
  if (!in_scope(o->scope, in->region->code)) {
    rc = np_fail(err, NP_ERR_INVALID, "out_of_jurisdiction", "region_code", "the location lies outside your jurisdiction");
    goto out;
  }
  char id_index[NP_CRYPTO_SM3_HEXLEN], id_masked[24], ph_index[NP_CRYPTO_SM3_HEXLEN] = "", ph_masked[16] = "";
  if ((rc = seal_personal("id_number", in->id.normalized, &id_sealed, id_index, id_masked, sizeof id_masked, err))) goto out;
  if (in->phone_given &&
      (rc = seal_personal("mobile", in->phone, &phone_sealed, ph_index, ph_masked, sizeof ph_masked, err)))
    goto out;
  if ((rc = np_store_begin(s, err))) goto out;
  in_tx = true;
  bool found = false;
  int64_t other = 0;
  if ((rc = np_store_queryf_int64(s, &other, &found, err, "SELECT id FROM seekers WHERE id_number_index = ?", "t",
                                  id_index)))
    goto out;
  if (found) {
    rc = np_fail(err, NP_ERR_CONFLICT, "duplicate", "id_number", "this person is already registered");
    goto out;
  }
  char now[NP_TS_STRLEN], birth[NP_DATE_STRLEN];
  np_match_now(now);
  snprintf(birth, sizeof birth, "%04d-%02d-%02d", in->id.year, in->id.month, in->id.day);
  np_stmt_t *st = NULL;
  if ((rc = np_store_prepare(
           s,
           "INSERT INTO seekers (id_number_sealed, id_number_index, id_number_masked, name, sex, birth_date, "
           "hukou_region_code, from_outside_province, region_code, county_code, city_code, lat_e6, lon_e6, "
           "location_approx, skill_level, education, expected_salary, available_from, graduation_year, "
           "registered_unemployed_since, hardship, consent, status, phone_sealed, phone_index, phone_masked, user_id, "
           "source, created_by, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
           "?, ?, ?, ?, ?, ?, ?, 'seeking', ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id",
           &st, err)))
    goto out;
  int i = 0;
  np_store_bind_text(st, ++i, id_sealed, NP_STORE_STRLEN);
  np_store_bind_text(st, ++i, id_index, NP_STORE_STRLEN);
  np_store_bind_text(st, ++i, id_masked, NP_STORE_STRLEN);
  np_store_bind_text(st, ++i, in->name, NP_STORE_STRLEN);
  np_store_bind_text(st, ++i, in->id.male ? "M" : "F", 1);
  np_store_bind_text(st, ++i, birth, NP_STORE_STRLEN);
  np_store_bind_text(st, ++i, in->id.region, NP_STORE_STRLEN);
  np_store_bind_int64(st, ++i, strncmp(in->id.region, "37", 2) != 0);
  i = bind_profile(st, i, in);
  bind_opt_text(st, ++i, phone_sealed);
  bind_opt_text(st, ++i, ph_index);
  bind_opt_text(st, ++i, ph_masked);
  bind_opt_int(st, ++i, o->user_id);
  np_store_bind_text(st, ++i, source_names[o->source], NP_STORE_STRLEN);
  bind_opt_int(st, ++i, o->created_by);
  np_store_bind_text(st, ++i, now, NP_STORE_STRLEN);
  np_store_bind_text(st, ++i, now, NP_STORE_STRLEN);
  bool has = false;
  rc = np_store_step(st, &has, err);
  if (rc == NP_OK && has) *id = np_store_col_int64(st, 0);
  if (rc == NP_OK) rc = np_store_step(st, &has, err);
  np_store_release(st);
  if (rc == NP_ERR_CONFLICT) rc = np_fail(err, NP_ERR_CONFLICT, "duplicate", "id_number", "this person is already registered");
  if (rc) goto out;
  if ((rc = write_children(s, *id, in, false, err))) goto out;
  char sid[32];
  np_id_format(NP_ID_SEEKER, *id, sid, sizeof sid);
  if ((rc = np_store_change(s, "seeker", sid, "insert", NULL, err))) goto out;
  json_t *after = NULL;
  if (o->audit_each || out) {
    if ((rc = np_match_seeker_get(s, ref, *id, false, &after, err))) goto out;
  }
  if (o->audit_each && (rc = np_match_audit(s, actor, "seeker.create", "seeker", sid, NULL, after, NULL, err))) {
    json_decref(after);
    goto out;
  }
  if ((rc = np_store_commit(s, err))) {
    json_decref(after);
    goto out;
  }
  in_tx = false;
  if (out) *out = after;
  else json_decref(after);
out:
  if (in_tx) np_store_rollback(s);
  if (rc) *id = 0;
  if (id_sealed) free(id_sealed);
  if (phone_sealed) free(phone_sealed);
  np_crypto_wipe(in, sizeof *in);
  free(in);
  return rc;
}

np_err np_match_seeker_owner(np_store_t *s, int64_t id, np_seeker_owner_t *o, np_errdetail_t *err) {
  memset(o, 0, sizeof *o);
  np_stmt_t *st;
  np_err rc = np_match_row_by_id(
      s, "SELECT region_code, county_code, city_code, status, user_id, version, consent FROM seekers WHERE id = ?", id,
      "seeker", &st, err);
  if (rc) return rc;
  o->id = id;
  np_strlcpy(o->region_code, np_store_col_text(st, 0), sizeof o->region_code);
  np_strlcpy(o->county_code, np_store_col_text(st, 1), sizeof o->county_code);
  np_strlcpy(o->city_code, np_store_col_text(st, 2), sizeof o->city_code);
  np_strlcpy(o->status, np_store_col_text(st, 3), sizeof o->status);
  o->user_id = np_store_col_is_null(st, 4) ? 0 : np_store_col_int64(st, 4);
  o->version = np_store_col_int64(st, 5);
  o->consent = np_store_col_int64(st, 6) != 0;
  np_store_release(st);
  return NP_OK;
}

bool np_match_seeker_visible(const np_scope_t *sc, const np_seeker_owner_t *o) {
  if (!sc || !o) return false;
  switch (sc->kind) {
  case NP_SCOPE_ALL: return true;
  case NP_SCOPE_REGION: return strncmp(o->region_code, sc->region_prefix, strlen(sc->region_prefix)) == 0;
  case NP_SCOPE_SELF: return sc->user_id > 0 && o->user_id == sc->user_id;
  default: return false;
  }
}

np_err np_match_seeker_of_user(np_store_t *s, int64_t user_id, int64_t *id, np_errdetail_t *err) {
  bool found = false;
  np_err rc = np_store_queryf_int64(s, id, &found, err, "SELECT id FROM seekers WHERE user_id = ? ORDER BY id LIMIT 1",
                                    "i", user_id);
  if (rc == NP_OK && !found) rc = np_fail(err, NP_ERR_NOT_FOUND, "not_found", "", "no seeker record for this account");
  return rc;
}

/* ---- JSON ---- */

#define SEEKER_COLS                                                                                                    \
  "s.id, s.id_number_masked, s.name, s.sex, s.birth_date, s.hukou_region_code, s.from_outside_province, "           \
  "s.region_code, s.county_code, s.city_code, s.lat_e6, s.lon_e6, s.location_approx, s.skill_level, s.education, "  \
  "s.expected_salary, s.available_from, s.graduation_year, s.registered_unemployed_since, s.hardship, s.consent, "  \
  "s.status, s.phone_masked, s.user_id, s.source, s.version, s.created_at, s.updated_at, s.id_number_sealed, "     \
  "s.phone_sealed"

static json_t *text_or_null(np_stmt_t *st, int col) {
  const char *t = np_store_col_text(st, col);
  return t ? json_string(t) : json_null();
}

static json_t *int_or_null(np_stmt_t *st, int col) {
  return np_store_col_is_null(st, col) ? json_null() : json_integer(np_store_col_int64(st, col));
}

static int age_on(const char *birth, np_date_t today) {
  np_date_t b;
  if (!birth || np_date_parse(birth, strlen(birth), &b) != NP_OK) return -1;
  int by, bm, bd, ty, tm, td;
  np_date_to_ymd(b, &by, &bm, &bd);
  np_date_to_ymd(today, &ty, &tm, &td);
  int age = ty - by;
  if (tm < bm || (tm == bm && td < bd)) age--;
  return age;
}

static json_t *open_sealed(np_stmt_t *st, int col) {
  const char *t = np_store_col_text(st, col);
  if (!t) return json_null();
  char *plain = NULL;
  size_t n = 0;
  np_errdetail_t e = {0};
  if (np_crypto_open(t, strlen(t), &plain, &n, &e) != NP_OK) return json_null();
  json_t *v = json_stringn(plain, n);
  np_crypto_wipe(plain, n);
  free(plain);
  return v;
}

/* Row (SEEKER_COLS) → JSON without occupations and certificates. */
static json_t *row_json(np_stmt_t *st, const np_ref_t *ref, np_date_t today, bool unmask) {
  char sid[32];
  json_t *o = json_object();
  if (!o) return NULL;
  np_id_format(NP_ID_SEEKER, np_store_col_int64(st, 0), sid, sizeof sid);
  const char *birth = np_store_col_text(st, 4);
  int age = age_on(birth, today);
  json_object_set_new(o, "id", json_string(sid));
  json_object_set_new(o, "id_number", unmask ? open_sealed(st, 28) : text_or_null(st, 1));
  json_object_set_new(o, "name", text_or_null(st, 2));
  json_object_set_new(o, "sex", text_or_null(st, 3));
  if (unmask) json_object_set_new(o, "birth_date", text_or_null(st, 4));
  json_object_set_new(o, "age", json_integer(age));
  json_object_set_new(o, "hukou_region_code", text_or_null(st, 5));
  bool outside = np_store_col_int64(st, 6) != 0;
  json_object_set_new(o, "from_outside_province", json_boolean(outside));
  const char *rc = np_store_col_text(st, 7);
  const np_region_t *r = rc ? np_ref_region(ref, rc) : NULL;
  json_object_set_new(o, "region_code", text_or_null(st, 7));
  json_object_set_new(o, "region_name", r ? json_string(r->name) : json_null());
  json_object_set_new(o, "county_code", text_or_null(st, 8));
  json_object_set_new(o, "city_code", text_or_null(st, 9));
  json_object_set_new(o, "lat", json_real((double)np_store_col_int64(st, 10) / 1e6));
  json_object_set_new(o, "lon", json_real((double)np_store_col_int64(st, 11) / 1e6));
  json_object_set_new(o, "location_approx", json_boolean(np_store_col_int64(st, 12) != 0));
  json_object_set_new(o, "skill_level", int_or_null(st, 13));
  const np_skill_level_t *sl = np_store_col_is_null(st, 13) ? NULL : np_ref_skill_level(ref, (int)np_store_col_int64(st, 13));
  json_object_set_new(o, "skill_level_name", sl ? json_string(sl->name) : json_null());
  json_object_set_new(o, "education", text_or_null(st, 14));
  json_object_set_new(o, "expected_salary", int_or_null(st, 15));
  json_object_set_new(o, "available_from", text_or_null(st, 16));
  json_object_set_new(o, "graduation_year", int_or_null(st, 17));
  json_object_set_new(o, "registered_unemployed_since", text_or_null(st, 18));
  bool hardship = np_store_col_int64(st, 19) != 0;
  json_object_set_new(o, "hardship", json_boolean(hardship));
  json_object_set_new(o, "consent", json_boolean(np_store_col_int64(st, 20) != 0));
  json_object_set_new(o, "status", text_or_null(st, 21));
  json_object_set_new(o, "phone", unmask ? open_sealed(st, 29) : text_or_null(st, 22));
  if (np_store_col_is_null(st, 23)) {
    json_object_set_new(o, "user_id", json_null());
  } else {
    char uid[32];
    json_object_set_new(o, "user_id", json_string(np_id_format(NP_ID_USER, np_store_col_int64(st, 23), uid, sizeof uid)));
  }
  json_object_set_new(o, "source", text_or_null(st, 24));
  json_object_set_new(o, "version", json_integer(np_store_col_int64(st, 25)));
  json_object_set_new(o, "created_at", text_or_null(st, 26));
  json_object_set_new(o, "updated_at", text_or_null(st, 27));
  /* categories (policy groups of part (五) of the plan and the issue) */
  json_t *cat = json_array();
  int ty;
  np_date_to_ymd(today, &ty, NULL, NULL);
  if (!np_store_col_is_null(st, 17)) {
    int64_t gy = np_store_col_int64(st, 17);
    if (gy >= ty - 2 && gy <= ty) json_array_append_new(cat, json_string("graduate"));
  }
  if (!np_store_col_is_null(st, 18)) json_array_append_new(cat, json_string("unemployed"));
  if (hardship) json_array_append_new(cat, json_string("hardship"));
  if (age >= 16 && age <= 24) json_array_append_new(cat, json_string("youth"));
  if (outside) json_array_append_new(cat, json_string("outside_province"));
  json_object_set_new(o, "categories", cat);
  return o;
}

static np_err add_children(np_store_t *s, const np_ref_t *ref, int64_t id, json_t *o, np_errdetail_t *err) {
  np_stmt_t *st = NULL;
  json_t *codes = json_array(), *occs = json_array(), *certs = json_array();
  json_object_set_new(o, "occupation_codes", codes);
  json_object_set_new(o, "occupations", occs);
  json_object_set_new(o, "certificates", certs);
  np_err rc = np_store_prepare(s, "SELECT occupation_code FROM seeker_occupations WHERE seeker_id = ? ORDER BY rank", &st, err);
  if (rc) return rc;
  np_store_bind_int64(st, 1, id);
  bool has = false;
  while ((rc = np_store_step(st, &has, err)) == NP_OK && has) {
    const char *c = np_store_col_text(st, 0);
    const np_ref_item_t *it = np_ref_item(ref, NP_REF_OCCUPATIONS, c);
    json_array_append_new(codes, json_string(c));
    json_array_append_new(occs, json_pack("{s:s, s:s}", "code", c, "name", it ? it->name : ""));
  }
  np_store_release(st);
  if (rc) return rc;
  if ((rc = np_store_prepare(s,
                             "SELECT occupation_code, level, cert_no, issued_on FROM seeker_certificates WHERE seeker_id = ? "
                             "ORDER BY id",
                             &st, err)))
    return rc;
  np_store_bind_int64(st, 1, id);
  while ((rc = np_store_step(st, &has, err)) == NP_OK && has) {
    json_t *c = json_object();
    json_object_set_new(c, "occupation_code", text_or_null(st, 0));
    json_object_set_new(c, "level", json_integer(np_store_col_int64(st, 1)));
    json_object_set_new(c, "cert_no", text_or_null(st, 2));
    json_object_set_new(c, "issued_on", text_or_null(st, 3));
    json_array_append_new(certs, c);
  }
  np_store_release(st);
  return rc;
}

np_err np_match_seeker_get(np_store_t *s, const np_ref_t *ref, int64_t id, bool unmask, json_t **out,
                           np_errdetail_t *err) {
  *out = NULL;
  np_stmt_t *st;
  np_err rc = np_match_row_by_id(s, "SELECT " SEEKER_COLS " FROM seekers s WHERE s.id = ?", id, "seeker", &st, err);
  if (rc) return rc;
  json_t *o = row_json(st, ref, np_date_today(), unmask);
  if (!o) rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  np_store_release(st);
  if (rc == NP_OK) rc = add_children(s, ref, id, o, err);
  if (rc) json_decref(o);
  else *out = o;
  return rc;
}

/* ---- patch ---- */

/* The current record as an input body (what create would have been given). */
static json_t *as_input(const json_t *cur) {
  static const char *const keep[] = {"name", "region_code", "skill_level", "education", "expected_salary",
                                     "available_from", "graduation_year", "registered_unemployed_since", "hardship",
                                     "consent", "occupation_codes", NULL};
  json_t *in = json_object();
  for (size_t i = 0; keep[i]; i++) {
    json_t *v = json_object_get(cur, keep[i]);
    if (v && !json_is_null(v)) json_object_set(in, keep[i], v);
  }
  if (!json_is_true(json_object_get(cur, "location_approx"))) {
    json_object_set(in, "lat", json_object_get(cur, "lat"));
    json_object_set(in, "lon", json_object_get(cur, "lon"));
  }
  json_t *certs = json_object_get(cur, "certificates"), *c2 = json_array();
  for (size_t i = 0; i < json_array_size(certs); i++) {
    json_t *c = json_deep_copy(json_array_get(certs, i));
    json_t *k;
    if ((k = json_object_get(c, "cert_no")) && json_is_null(k)) json_object_del(c, "cert_no");
    if ((k = json_object_get(c, "issued_on")) && json_is_null(k)) json_object_del(c, "issued_on");
    json_array_append_new(c2, c);
  }
  json_object_set_new(in, "certificates", c2);
  return in;
}

np_err np_match_seeker_patch(np_store_t *s, const np_ref_t *ref, const np_audit_entry_t *actor, int64_t id,
                             const json_t *body, np_date_t today, json_t **out, np_errdetail_t *err) {
  if (out) *out = NULL;
  if (!json_is_object(body)) return np_fail(err, NP_ERR_INVALID, "type", "", "the body must be a JSON object");
  np_err rc = np_json_check_keys(body, patch_keys, err);
  if (rc) return rc;
  if (json_object_get(body, "id_number"))
    return np_fail(err, NP_ERR_INVALID, "immutable", "id_number", "the ID number of a record cannot change");
  int64_t version = 0;
  if ((rc = np_json_get_int(body, "version", NP_JSON_REQUIRED, 1, INT64_MAX, &version, NULL, err))) return rc;
  const char *status = NULL;
  if ((rc = np_json_get_str(body, "status", 0, 1, 16, &status, NULL, err))) return rc;
  if (status && !in_dict(status, np_match_seeker_status_values))
    return np_fail(err, NP_ERR_INVALID, "unknown_value", "status", "status must be seeking, employed or withdrawn");
  json_t *before = NULL, *merged = NULL, *after = NULL;
  seeker_in_t *in = calloc(1, sizeof *in);
  char *ph_sealed = NULL;
  bool in_tx = false;
  if (!in) return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  if ((rc = np_store_begin(s, err))) goto out;
  in_tx = true;
  np_seeker_owner_t own;
  if ((rc = np_match_seeker_owner(s, id, &own, err))) goto out;
  if (own.version != version) {
    rc = np_fail(err, NP_ERR_CONFLICT, "stale", "version", "the record changed since you read it (version %" PRId64 ")",
                 own.version);
    goto out;
  }
  if ((rc = np_match_seeker_get(s, ref, id, false, &before, err))) goto out;
  merged = as_input(before);
  const char *key;
  json_t *v;
  json_t *mut;
  memcpy(&mut, &body, sizeof mut); /* jansson iterates non-const objects; nothing is changed */
  json_object_foreach(mut, key, v) {
    if (strcmp(key, "version") == 0 || strcmp(key, "status") == 0 || strcmp(key, "phone") == 0) continue;
    json_object_set(merged, key, v);
  }
  if (json_object_get(body, "region_code") && !json_object_get(body, "lat") && !json_object_get(body, "lon")) {
    json_object_del(merged, "lat");
    json_object_del(merged, "lon");
  }
  np_json_presence php = np_json_presence_of(body, "phone");
  if (php != NP_JSON_ABSENT) json_object_set(merged, "phone", json_object_get(body, "phone"));
  if ((rc = parse_fields(ref, merged, today, in, err))) goto out;
  char ph_index[NP_CRYPTO_SM3_HEXLEN] = "", ph_masked[16] = "";
  if (in->phone_given &&
      (rc = seal_personal("mobile", in->phone, &ph_sealed, ph_index, ph_masked, sizeof ph_masked, err)))
    goto out;
  char now[NP_TS_STRLEN];
  np_match_now(now);
  np_stmt_t *st = NULL;
  if ((rc = np_store_prepare(s,
                             "UPDATE seekers SET name = ?, region_code = ?, county_code = ?, city_code = ?, lat_e6 = ?, "
                             "lon_e6 = ?, location_approx = ?, skill_level = ?, education = ?, expected_salary = ?, "
                             "available_from = ?, graduation_year = ?, registered_unemployed_since = ?, hardship = ?, "
                             "consent = ?, status = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
                             &st, err)))
    goto out;
  int i = 0;
  np_store_bind_text(st, ++i, in->name, NP_STORE_STRLEN);
  i = bind_profile(st, i, in);
  np_store_bind_text(st, ++i, status ? status : own.status, NP_STORE_STRLEN);
  np_store_bind_text(st, ++i, now, NP_STORE_STRLEN);
  np_store_bind_int64(st, ++i, id);
  np_store_bind_int64(st, ++i, version);
  bool has = false;
  rc = np_store_step(st, &has, err);
  np_store_release(st);
  if (rc) goto out;
  if (php == NP_JSON_NULL)
    rc = np_store_execf(s, NULL, err,
                        "UPDATE seekers SET phone_sealed = NULL, phone_index = NULL, phone_masked = NULL WHERE id = ?", "i",
                        id);
  else if (in->phone_given)
    rc = np_store_execf(s, NULL, err, "UPDATE seekers SET phone_sealed = ?, phone_index = ?, phone_masked = ? WHERE id = ?",
                        "ttti", ph_sealed, ph_index, ph_masked, id);
  if (rc) goto out;
  if ((rc = write_children(s, id, in, true, err))) goto out;
  char sid[32];
  np_id_format(NP_ID_SEEKER, id, sid, sizeof sid);
  if ((rc = np_store_change(s, "seeker", sid, "update", NULL, err))) goto out;
  if ((rc = np_match_seeker_get(s, ref, id, false, &after, err))) goto out;
  if ((rc = np_match_audit(s, actor, "seeker.update", "seeker", sid, before, after, NULL, err))) goto out;
  if ((rc = np_store_commit(s, err))) goto out;
  in_tx = false;
  if (out) {
    *out = after;
    after = NULL;
  }
out:
  if (in_tx) np_store_rollback(s);
  json_decref(before);
  json_decref(merged);
  json_decref(after);
  free(ph_sealed);
  np_crypto_wipe(in, sizeof *in);
  free(in);
  return rc;
}

np_err np_match_seeker_set_status(np_store_t *s, const np_audit_entry_t *actor, int64_t id, const char *status,
                                  np_errdetail_t *err) {
  if (!status || !in_dict(status, np_match_seeker_status_values))
    return np_fail(err, NP_ERR_INVALID, "unknown_value", "status", "unknown seeker status");
  np_seeker_owner_t o;
  np_err rc = np_match_seeker_owner(s, id, &o, err);
  if (rc) return rc;
  if (strcmp(o.status, status) == 0) return NP_OK;
  char now[NP_TS_STRLEN], sid[32];
  np_match_now(now);
  np_id_format(NP_ID_SEEKER, id, sid, sizeof sid);
  if ((rc = np_store_begin(s, err))) return rc;
  rc = np_store_execf(s, NULL, err, "UPDATE seekers SET status = ?, version = version + 1, updated_at = ? WHERE id = ?",
                      "tti", status, now, id);
  if (rc == NP_OK) rc = np_store_change(s, "seeker", sid, "update", NULL, err);
  if (rc == NP_OK) {
    json_t *b = json_pack("{s:s}", "status", o.status), *a = json_pack("{s:s}", "status", status);
    rc = np_match_audit(s, actor, "seeker.update", "seeker", sid, b, a, NULL, err);
    json_decref(b);
    json_decref(a);
  }
  if (rc == NP_OK) rc = np_store_commit(s, err);
  if (rc) np_store_rollback(s);
  return rc;
}

/* ---- list ---- */

np_err np_match_seeker_list(np_store_t *s, const np_ref_t *ref, const np_seeker_filter_t *f, json_t **out,
                            np_errdetail_t *err) {
  *out = NULL;
  /* Region scope and region filter become equality on the indexed county/city columns (a LIKE on
   * region_code would scan every seeker); other scopes use the authz fragment. */
  np_scope_sql_t sq;
  np_scope_t other = *f->scope;
  const char *prefixes[2] = {NULL, NULL};
  if (f->scope->kind == NP_SCOPE_REGION) {
    prefixes[0] = f->scope->region_prefix;
    other.kind = NP_SCOPE_ALL;
  }
  if (f->region_prefix && *f->region_prefix) prefixes[1] = f->region_prefix;
  const np_scope_cols_t cols = {.region = "s.region_code", .user = "s.user_id"};
  np_err rc = np_authz_scope_sql(&other, &cols, &sq);
  if (rc) return np_fail(err, rc, "internal", "", "scope");
  char where[1024];
  size_t w = (size_t)snprintf(where, sizeof where, " WHERE 1 = 1%s", sq.sql);
  char region_binds[4][24];
  int nrb = 0;
  char like_occ[32] = "", like_q[160] = "", youth_lo[NP_DATE_STRLEN] = "", youth_hi[NP_DATE_STRLEN] = "";
  int64_t grad_from = 0, grad_to = 0;
  for (int i = 0; i < 2; i++) {
    const char *p = prefixes[i];
    size_t pn = p ? strlen(p) : 0;
    if (pn == 4) {
      snprintf(region_binds[nrb++], sizeof region_binds[0], "%.4s00", p);
      w += (size_t)snprintf(where + w, sizeof where - w, " AND s.city_code = ?");
    } else if (pn >= 6) {
      snprintf(region_binds[nrb++], sizeof region_binds[0], "%.6s", p);
      w += (size_t)snprintf(where + w, sizeof where - w, " AND s.county_code = ?");
      if (pn > 6) {
        snprintf(region_binds[nrb++], sizeof region_binds[0], "%.12s%%", p);
        w += (size_t)snprintf(where + w, sizeof where - w, " AND s.region_code LIKE ?");
      }
    } else if (pn != 0 && pn != 2) {
      w += (size_t)snprintf(where + w, sizeof where - w, " AND 1 = 0");
    }
  }
  if (f->occupation_prefix && *f->occupation_prefix) {
    snprintf(like_occ, sizeof like_occ, "%s%%", f->occupation_prefix);
    w += (size_t)snprintf(where + w, sizeof where - w,
                          " AND EXISTS (SELECT 1 FROM seeker_occupations so WHERE so.seeker_id = s.id AND "
                          "so.occupation_code LIKE ?)");
  }
  if (f->status) w += (size_t)snprintf(where + w, sizeof where - w, " AND s.status = ?");
  if (f->q && *f->q) {
    /* LIKE wildcards in the query are taken literally */
    size_t k = 0;
    like_q[k++] = '%';
    for (const char *p = f->q; *p && k + 3 < sizeof like_q; p++) {
      if (*p == '%' || *p == '_' || *p == '\\') like_q[k++] = '\\';
      like_q[k++] = *p;
    }
    like_q[k++] = '%';
    like_q[k] = '\0';
    w += (size_t)snprintf(where + w, sizeof where - w, " AND s.name LIKE ? ESCAPE '\\'");
  }
  if (f->category) {
    if (strcmp(f->category, "graduate") == 0) {
      int ty;
      np_date_to_ymd(f->today, &ty, NULL, NULL);
      grad_from = ty - 2;
      grad_to = ty;
      w += (size_t)snprintf(where + w, sizeof where - w, " AND s.graduation_year >= ? AND s.graduation_year <= ?");
    } else if (strcmp(f->category, "unemployed") == 0) {
      w += (size_t)snprintf(where + w, sizeof where - w, " AND s.registered_unemployed_since IS NOT NULL");
    } else if (strcmp(f->category, "hardship") == 0) {
      w += (size_t)snprintf(where + w, sizeof where - w, " AND s.hardship = 1");
    } else if (strcmp(f->category, "outside_province") == 0) {
      w += (size_t)snprintf(where + w, sizeof where - w, " AND s.from_outside_province = 1");
    } else if (strcmp(f->category, "youth") == 0) {
      /* 16 ≤ age ≤ 24: born after today − 25 years and on or before today − 16 years */
      np_date_t lo, hi;
      np_date_add_months(f->today, -25 * 12, &lo);
      np_date_add_days(lo, 1, &lo);
      np_date_add_months(f->today, -16 * 12, &hi);
      np_date_format(lo, youth_lo, sizeof youth_lo);
      np_date_format(hi, youth_hi, sizeof youth_hi);
      w += (size_t)snprintf(where + w, sizeof where - w, " AND s.birth_date >= ? AND s.birth_date <= ?");
    }
  }
  if (w >= sizeof where) return np_fail(err, NP_ERR_INTERNAL, "internal", "", "query too long");
  json_t *items = json_array();
  int64_t total = 0, last = 0;
  for (int pass = 0; pass < 2 && rc == NP_OK; pass++) {
    char sql[2048];
    if (pass == 0) snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM seekers s%s", where);
    else
      snprintf(sql, sizeof sql, "SELECT " SEEKER_COLS " FROM seekers s%s%s ORDER BY s.id DESC LIMIT ?", where,
               f->cursor > 0 ? " AND s.id < ?" : "");
    np_stmt_t *st = NULL;
    if ((rc = np_store_prepare(s, sql, &st, err))) break;
    int next = 1;
    np_authz_scope_bind(&sq, st, 1, &next);
    for (int i = 0; i < nrb; i++) np_store_bind_text(st, next++, region_binds[i], NP_STORE_STRLEN);
    if (like_occ[0]) np_store_bind_text(st, next++, like_occ, NP_STORE_STRLEN);
    if (f->status) np_store_bind_text(st, next++, f->status, NP_STORE_STRLEN);
    if (like_q[0]) np_store_bind_text(st, next++, like_q, NP_STORE_STRLEN);
    if (grad_to) {
      np_store_bind_int64(st, next++, grad_from);
      np_store_bind_int64(st, next++, grad_to);
    }
    if (youth_lo[0]) {
      np_store_bind_text(st, next++, youth_lo, NP_STORE_STRLEN);
      np_store_bind_text(st, next++, youth_hi, NP_STORE_STRLEN);
    }
    if (pass == 1) {
      if (f->cursor > 0) np_store_bind_int64(st, next++, f->cursor);
      np_store_bind_int64(st, next++, f->limit);
    }
    bool has = false;
    while ((rc = np_store_step(st, &has, err)) == NP_OK && has) {
      if (pass == 0) {
        total = np_store_col_int64(st, 0);
        continue;
      }
      json_t *o = row_json(st, ref, f->today, false);
      last = np_store_col_int64(st, 0);
      json_array_append_new(items, o);
    }
    np_store_release(st);
  }
  for (size_t i = 0; rc == NP_OK && i < json_array_size(items); i++) {
    json_t *o = json_array_get(items, i);
    int64_t sid = 0;
    np_id_parse(NP_ID_SEEKER, json_string_value(json_object_get(o, "id")), &sid);
    rc = add_children(s, ref, sid, o, err);
  }
  if (rc) {
    json_decref(items);
    return rc;
  }
  *out = json_pack("{s:o, s:I, s:o}", "items", items, "total", (json_int_t)total, "next_cursor",
                   np_match_next_cursor(json_array_size(items), f->limit, last));
  return NP_OK;
}
