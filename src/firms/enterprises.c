/* Industrial enterprises: validation, storage, JSON, lists and export (see enterprises.h). */
#include "firms/enterprises.h"
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/ids.h"
#include "core/json.h"
#include "core/jsonw.h"
#include "core/money.h"
#include "core/str.h"
#include "core/valid.h"
#include "core/xlsxw.h"
#include "crypto/crypto.h"
#include "firms/ent_common.h"
#include "firms/zones.h"

/* ---- credit codes ---- */

static const char uscc_chars[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

static int uscc_value(char c) {
  const char *p = strchr(uscc_chars, c);
  return c && p ? (int)(p - uscc_chars) : -1;
}

char np_ent_uscc_check_char(const char first17[17]) {
  static const int w[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
  int sum = 0;
  for (int i = 0; i < 17; i++) {
    int v = uscc_value(first17[i]);
    if (v < 0) return 0;
    sum += v * w[i];
  }
  int c = 31 - sum % 31;
  return uscc_chars[c == 31 ? 0 : c];
}

void np_ent_uscc_make(const char region6[7], uint32_t serial, char out[19]) {
  static const int w[8] = {3, 7, 9, 10, 5, 8, 4, 2};
  char org[10];
  snprintf(org, sizeof org, "%08" PRIu32, serial % 100000000u);
  int sum = 0;
  for (int i = 0; i < 8; i++) sum += (org[i] - '0') * w[i];
  int c = 11 - sum % 11;
  org[8] = c == 10 ? 'X' : c == 11 ? '0' : (char)('0' + c);
  org[9] = '\0';
  snprintf(out, 19, "91%.6s%.9s", region6, org);
  out[17] = np_ent_uscc_check_char(out);
  out[18] = '\0';
}

/* ---- validation ---- */

static const char *const all_keys[] = {"uscc", "name", "industry_code", "region_code", "township_code",
                                       "village_code", "address", "lat", "lon", "employees", "revenue_fen",
                                       "above_scale", "is_key", "zone_id", "headcount", "contacts",
                                       "green_channel", "version", NULL};
static const char *const self_keys[] = {"address", "lat", "lon", "headcount", "employees", "revenue_fen",
                                        "contacts", "version", NULL};

static bool in_list(const char *k, const char *const *list) {
  for (; *list; list++)
    if (strcmp(k, *list) == 0) return true;
  return false;
}

/* Degrees as a JSON number or decimal text → micro-degrees. */
static np_err get_coord(const json_t *in, const char *key, bool *present, int64_t *e6, np_errdetail_t *err) {
  json_t *v = json_object_get(in, key);
  *present = false;
  if (!v || json_is_null(v)) return NP_OK;
  double d;
  if (json_is_number(v)) {
    d = json_number_value(v);
  } else if (json_is_string(v)) {
    const char *s = json_string_value(v);
    char *end = NULL;
    size_t n = strlen(s);
    if (n == 0 || n > 20) return np_fail(err, NP_ERR_INVALID, "format", key, "%s must be a number of degrees", key);
    for (size_t i = 0; i < n; i++)
      if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '.' || (i == 0 && s[i] == '-')))
        return np_fail(err, NP_ERR_INVALID, "format", key, "%s must be a number of degrees", key);
    d = strtod(s, &end);
    if (!end || *end) return np_fail(err, NP_ERR_INVALID, "format", key, "%s must be a number of degrees", key);
  } else {
    return np_fail(err, NP_ERR_INVALID, "type", key, "%s must be a number of degrees", key);
  }
  if (!isfinite(d) || d < -180 || d > 180) return np_fail(err, NP_ERR_INVALID, "range", key, "%s is out of range", key);
  *e6 = llround(d * 1e6);
  *present = true;
  return NP_OK;
}

/* Boolean given as true/false (JSON) — import rows convert 是/否 before. */
static np_err get_flag(const json_t *in, const char *key, bool *out, bool *present, np_errdetail_t *err) {
  np_json_presence p = NP_JSON_ABSENT;
  np_err rc = np_json_get_bool(in, key, 0, out, &p, err);
  *present = p == NP_JSON_PRESENT;
  return rc;
}

static np_err apply_region(const np_ref_t *ref, const json_t *in, bool create, np_enterprise_t *e, np_errdetail_t *err) {
  const char *r = NULL, *t = NULL, *v = NULL;
  np_err rc;
  if ((rc = np_json_get_str(in, "region_code", 0, 1, 12, &r, NULL, err)) ||
      (rc = np_json_get_str(in, "township_code", 0, 1, 9, &t, NULL, err)) ||
      (rc = np_json_get_str(in, "village_code", 0, 1, 12, &v, NULL, err)))
    return rc;
  if (!r && !t && !v) {
    if (create) return np_fail(err, NP_ERR_INVALID, "required", "region_code", "region_code is required");
    return NP_OK;
  }
  if (!ref) return np_fail(err, NP_ERR_UNSUPPORTED, "ref_unavailable", "", "reference data is not loaded");
  const np_region_t *town = NULL, *vill = NULL;
  const char *vill_field = "village_code";
  if (r) {
    const np_region_t *g = np_ref_region(ref, r);
    size_t n = strlen(r);
    if (n != 9 && n != 12)
      return np_fail(err, NP_ERR_INVALID, "region_level", "region_code",
                     "region_code must be a township (9 digits) or village (12 digits) code");
    if (!g) return np_fail(err, NP_ERR_INVALID, "unknown_region", "region_code", "region_code %s is not a known region", r);
    if (g->level == NP_REGION_VILLAGE) vill = g, vill_field = "region_code";
    else town = g;
  }
  if (t) {
    const np_region_t *g = np_ref_region(ref, t);
    if (!g || g->level != NP_REGION_TOWNSHIP)
      return np_fail(err, NP_ERR_INVALID, "unknown_region", "township_code", "township_code %s is not a known township", t);
    if (town && town != g)
      return np_fail(err, NP_ERR_INVALID, "mismatch", "township_code", "township_code differs from region_code");
    town = g;
  }
  if (v) {
    const np_region_t *g = np_ref_region(ref, v);
    if (!g || g->level != NP_REGION_VILLAGE)
      return np_fail(err, NP_ERR_INVALID, "unknown_region", "village_code", "village_code %s is not a known village", v);
    if (vill && vill != g)
      return np_fail(err, NP_ERR_INVALID, "mismatch", "village_code", "village_code differs from region_code");
    vill = g;
    vill_field = "village_code";
  }
  if (vill && town && vill->parent != town)
    return np_fail(err, NP_ERR_INVALID, "not_in_township", strcmp(vill_field, "region_code") == 0 && !v ? "village_code" : vill_field,
                   "village %s does not lie in township %s", vill->code, town->code);
  if (!town) town = vill->parent;
  const np_region_t *county = np_ref_region_at(town, NP_REGION_COUNTY), *city = np_ref_region_at(town, NP_REGION_CITY);
  if (!county || !city) return np_fail(err, NP_ERR_INVALID, "unknown_region", "region_code", "region has no county");
  np_strlcpy(e->region_code, vill ? vill->code : town->code, sizeof e->region_code);
  np_strlcpy(e->township_code, town->code, sizeof e->township_code);
  np_strlcpy(e->village_code, vill ? vill->code : "", sizeof e->village_code);
  np_strlcpy(e->county_code, county->code, sizeof e->county_code);
  np_strlcpy(e->city_code, city->code, sizeof e->city_code);
  return NP_OK;
}

static np_err apply_contacts(const json_t *in, np_enterprise_t *e, np_errdetail_t *err) {
  json_t *arr = NULL;
  np_json_presence p = NP_JSON_ABSENT;
  np_err rc = np_json_get_array(in, "contacts", 0, NP_ENT_MAX_CONTACTS, &arr, &p, err);
  if (rc) return rc;
  if (p == NP_JSON_ABSENT) return NP_OK;
  /* a phone sent back masked ("138****1234", as every reader sees it) keeps the number it stands for */
  np_ent_contact_t old[NP_ENT_MAX_CONTACTS];
  size_t nold = e->ncontacts < NP_ENT_MAX_CONTACTS ? e->ncontacts : NP_ENT_MAX_CONTACTS;
  memcpy(old, e->contacts, sizeof old);
  e->contacts_changed = true;
  e->ncontacts = 0;
  memset(e->contacts, 0, sizeof e->contacts);
  if (p == NP_JSON_NULL) return NP_OK;
  static const char *const ckeys[] = {"name", "title", "phone", NULL};
  size_t i;
  json_t *c;
  json_array_foreach(arr, i, c) {
    char field[48];
    np_ent_contact_t *k = &e->contacts[i];
    const char *name = NULL, *title = NULL, *phone = NULL;
    if (!json_is_object(c)) {
      snprintf(field, sizeof field, "contacts[%zu]", i);
      return np_fail(err, NP_ERR_INVALID, "type", field, "each contact must be an object");
    }
    rc = np_json_check_keys(c, ckeys, err);
    if (!rc) rc = np_json_get_str(c, "name", NP_JSON_REQUIRED, 1, NP_ENT_CONTACT_NAME_MAX_CHARS, &name, NULL, err);
    if (!rc) rc = np_json_get_str(c, "title", 0, 0, NP_ENT_CONTACT_TITLE_MAX_CHARS, &title, NULL, err);
    if (!rc) rc = np_json_get_str(c, "phone", 0, 0, 32, &phone, NULL, err);
    size_t keep = SIZE_MAX;
    if (!rc && phone && *phone) {
      const char *om[NP_ENT_MAX_CONTACTS];
      for (size_t j = 0; j < nold; j++) om[j] = old[j].phone[0] ? old[j].phone_masked : NULL;
      rc = np_firms_phone_unchanged(phone, om, nold, "phone", &keep, err);
    }
    if (!rc && keep != SIZE_MAX) {
      np_strlcpy(k->phone, old[keep].phone, sizeof k->phone);
      np_strlcpy(k->phone_masked, old[keep].phone_masked, sizeof k->phone_masked);
    } else if (!rc && phone && *phone) {
      np_errdetail_t d = {0};
      if (np_valid_mobile(phone, strlen(phone), k->phone, &d) != NP_OK)
        rc = np_fail(err, NP_ERR_INVALID, d.code, "phone", "phone must be a mainland mobile number (%s)", d.code);
      else
        np_mask_mobile(k->phone, strlen(k->phone), k->phone_masked, sizeof k->phone_masked);
    }
    if (rc) {
      char inner[96];
      np_strlcpy(inner, err->field, sizeof inner);
      snprintf(err->field, sizeof err->field, "contacts[%zu].%.60s", i, inner);
      return rc;
    }
    np_strlcpy(k->name, name, sizeof k->name);
    np_strlcpy(k->title, title ? title : "", sizeof k->title);
    e->ncontacts++;
  }
  return NP_OK;
}

static void locate(const np_ref_t *ref, np_enterprise_t *e) {
  if (e->has_location && !e->location_approx) return;
  e->has_location = false;
  e->location_approx = false;
  const np_region_t *g = ref ? np_ref_region(ref, e->region_code) : NULL;
  int32_t lat, lon;
  if (g && np_ref_region_centroid(g, &lat, &lon, NULL)) {
    e->has_location = true;
    e->location_approx = true;
    e->lat_e6 = lat;
    e->lon_e6 = lon;
  }
}

np_err np_ent_apply(np_store_t *s, const np_ref_t *ref, const json_t *in, bool create, np_ent_fields fields,
                    np_enterprise_t *e, np_errdetail_t *err) {
  np_err rc = np_json_check_keys(in, all_keys, err);
  if (rc) return rc;
  if (fields == NP_ENT_FIELDS_SELF) {
    for (const char *const *k = all_keys; *k; k++)
      if (json_object_get(in, *k) && !in_list(*k, self_keys))
        return np_fail(err, NP_ERR_FORBIDDEN, "field_not_allowed", *k, "%s may only be changed by the bureau", *k);
  }
  unsigned req = create ? NP_JSON_REQUIRED : 0;
  const char *uscc = NULL, *name = NULL, *industry = NULL, *address = NULL;
  np_json_presence paddr = NP_JSON_ABSENT;
  if ((rc = np_json_get_str(in, "uscc", req, 1, 32, &uscc, NULL, err))) return rc;
  if (uscc) {
    np_uscc_info_t info;
    np_errdetail_t d = {0};
    if (np_valid_uscc(uscc, strlen(uscc), 0, &info, &d) != NP_OK)
      return np_fail(err, NP_ERR_INVALID, d.code[0] ? d.code : "invalid", "uscc", "uscc is not a valid credit code: %s",
                     d.message);
    if (!create && strcmp(info.normalized, e->uscc) != 0)
      return np_fail(err, NP_ERR_INVALID, "immutable", "uscc", "the credit code of an enterprise cannot change");
    np_strlcpy(e->uscc, info.normalized, sizeof e->uscc);
  }
  if ((rc = np_json_get_str(in, "name", req, 2, NP_ENT_NAME_MAX_CHARS, &name, NULL, err))) return rc;
  if (name) np_strlcpy(e->name, name, sizeof e->name);
  if ((rc = np_json_get_str(in, "industry_code", req, 1, 8, &industry, NULL, err))) return rc;
  if (industry) {
    const np_ref_item_t *it = ref ? np_ref_item(ref, NP_REF_INDUSTRIES, industry) : NULL;
    if (!it) return np_fail(err, NP_ERR_INVALID, "unknown_industry", "industry_code", "industry_code %s is not a GB/T 4754 code", industry);
    if (it->depth != 4)
      return np_fail(err, NP_ERR_INVALID, "not_class", "industry_code", "industry_code must be a 4-digit class (小类)");
    np_strlcpy(e->industry_code, it->code, sizeof e->industry_code);
    np_strlcpy(e->industry_section, it->section ? it->section : "", sizeof e->industry_section);
  }
  if ((rc = apply_region(ref, in, create, e, err))) return rc;
  if ((rc = np_json_get_str(in, "address", 0, 0, NP_ENT_ADDRESS_MAX_CHARS, &address, &paddr, err))) return rc;
  if (paddr == NP_JSON_NULL) e->address[0] = '\0';
  if (address) np_strlcpy(e->address, address, sizeof e->address);
  /* location */
  bool plat, plon;
  int64_t lat = 0, lon = 0;
  if ((rc = get_coord(in, "lat", &plat, &lat, err)) || (rc = get_coord(in, "lon", &plon, &lon, err))) return rc;
  np_json_presence nlat = np_json_presence_of(in, "lat"), nlon = np_json_presence_of(in, "lon");
  if (plat != plon) {
    const char *missing = plat ? "lon" : "lat";
    return np_fail(err, NP_ERR_INVALID, "required", missing, "lat and lon go together: %s is missing", missing);
  }
  if (plat) {
    if (lat < NP_ENT_LAT_MIN_E6 || lat > NP_ENT_LAT_MAX_E6)
      return np_fail(err, NP_ERR_INVALID, "outside_shandong", "lat", "lat must lie in Shandong (34.3–38.5)");
    if (lon < NP_ENT_LON_MIN_E6 || lon > NP_ENT_LON_MAX_E6)
      return np_fail(err, NP_ERR_INVALID, "outside_shandong", "lon", "lon must lie in Shandong (114.7–122.8)");
    e->has_location = true;
    e->location_approx = false;
    e->lat_e6 = (int32_t)lat;
    e->lon_e6 = (int32_t)lon;
  } else if (nlat == NP_JSON_NULL || nlon == NP_JSON_NULL) {
    e->has_location = false;
  }
  locate(ref, e);
  /* figures */
  np_json_presence pe = NP_JSON_ABSENT, pr = NP_JSON_ABSENT, ph = NP_JSON_ABSENT;
  if ((rc = np_json_get_int(in, "employees", 0, 0, NP_ENT_MAX_HEADCOUNT, &e->employees, &pe, err)) ||
      (rc = np_json_get_money(in, "revenue_fen", 0, 0, NP_ENT_MAX_REVENUE_FEN, &e->revenue_fen, &pr, err)) ||
      (rc = np_json_get_int(in, "headcount", 0, 0, NP_ENT_MAX_HEADCOUNT, &e->headcount, &ph, err)))
    return rc;
  if (pe != NP_JSON_ABSENT) e->has_employees = pe == NP_JSON_PRESENT;
  if (pr != NP_JSON_ABSENT) e->has_revenue = pr == NP_JSON_PRESENT;
  if (ph == NP_JSON_NULL) e->headcount = 0;
  bool emp_known = e->has_employees || e->headcount > 0;
  e->size_class = np_size_classify(emp_known, e->has_employees ? e->employees : e->headcount, e->has_revenue,
                                   e->revenue_fen, e->size_basis, sizeof e->size_basis);
  bool flag, present;
  if ((rc = get_flag(in, "above_scale", &flag, &present, err))) return rc;
  if (e->has_revenue) {
    e->above_scale = np_size_above_scale(e->revenue_fen);
    e->above_scale_from_revenue = true;
  } else {
    if (present) e->above_scale = flag;
    e->above_scale_from_revenue = false;
  }
  if ((rc = get_flag(in, "is_key", &flag, &present, err))) return rc;
  if (present) e->is_key = flag;
  if ((rc = get_flag(in, "green_channel", &flag, &present, err))) return rc;
  if (present) e->green_channel = flag;
  /* zone */
  json_t *z = json_object_get(in, "zone_id");
  if (z && json_is_null(z)) {
    e->zone_id = 0;
  } else if (z) {
    if (!json_is_string(z)) return np_fail(err, NP_ERR_INVALID, "type", "zone_id", "zone_id must be a string");
    np_errdetail_t d = {0};
    rc = np_zone_find(s, json_string_value(z), &e->zone_id, &d);
    if (rc == NP_ERR_NOT_FOUND) return np_fail(err, NP_ERR_INVALID, "unknown_zone", "zone_id", "no such development zone");
    if (rc) {
      if (err) *err = d;
      return rc;
    }
  }
  if ((rc = apply_contacts(in, e, err))) return rc;
  return NP_OK;
}

/* ---- storage ---- */

#define ENT_COLS                                                                                                    \
  "e.id, e.uscc, e.name, e.industry_code, e.industry_section, e.region_code, e.township_code, e.village_code, "     \
  "e.county_code, e.city_code, e.address, e.lat_e6, e.lon_e6, e.location_approx, e.employees, e.revenue_fen, "      \
  "e.size_class, e.size_basis, e.above_scale, e.above_scale_basis, e.is_key, e.zone_id, e.headcount, "              \
  "e.green_channel, e.open_openings, e.version, e.created_at, e.updated_at"

static void col_str(np_stmt_t *st, int col, char *dst, size_t cap) {
  const char *v = np_store_col_text(st, col);
  np_strlcpy(dst, v ? v : "", cap);
}

static void read_row(np_stmt_t *st, np_enterprise_t *e) {
  memset(e, 0, sizeof *e);
  e->id = np_store_col_int64(st, 0);
  col_str(st, 1, e->uscc, sizeof e->uscc);
  col_str(st, 2, e->name, sizeof e->name);
  col_str(st, 3, e->industry_code, sizeof e->industry_code);
  col_str(st, 4, e->industry_section, sizeof e->industry_section);
  col_str(st, 5, e->region_code, sizeof e->region_code);
  col_str(st, 6, e->township_code, sizeof e->township_code);
  col_str(st, 7, e->village_code, sizeof e->village_code);
  col_str(st, 8, e->county_code, sizeof e->county_code);
  col_str(st, 9, e->city_code, sizeof e->city_code);
  col_str(st, 10, e->address, sizeof e->address);
  e->has_location = !np_store_col_is_null(st, 11) && !np_store_col_is_null(st, 12);
  e->lat_e6 = (int32_t)np_store_col_int64(st, 11);
  e->lon_e6 = (int32_t)np_store_col_int64(st, 12);
  e->location_approx = np_store_col_int64(st, 13) != 0;
  e->has_employees = !np_store_col_is_null(st, 14);
  e->employees = np_store_col_int64(st, 14);
  e->has_revenue = !np_store_col_is_null(st, 15);
  e->revenue_fen = np_store_col_int64(st, 15);
  e->size_class = np_size_class_parse(np_store_col_text(st, 16));
  col_str(st, 17, e->size_basis, sizeof e->size_basis);
  e->above_scale = np_store_col_int64(st, 18) != 0;
  const char *b = np_store_col_text(st, 19);
  e->above_scale_from_revenue = b && strcmp(b, "revenue") == 0;
  e->is_key = np_store_col_int64(st, 20) != 0;
  e->zone_id = np_store_col_int64(st, 21);
  e->headcount = np_store_col_int64(st, 22);
  e->green_channel = np_store_col_int64(st, 23) != 0;
  e->open_openings = np_store_col_int64(st, 24);
  e->version = np_store_col_int64(st, 25);
  col_str(st, 26, e->created_at, sizeof e->created_at);
  col_str(st, 27, e->updated_at, sizeof e->updated_at);
}

/* Binds the 23 writable columns starting at idx 1 (same order as the INSERT/UPDATE lists). */
static np_err bind_cols(np_stmt_t *st, const np_enterprise_t *e) {
  int i = 1;
  np_store_bind_text(st, i++, e->uscc, NP_STORE_STRLEN);
  np_store_bind_text(st, i++, e->name, NP_STORE_STRLEN);
  np_store_bind_text(st, i++, e->industry_code, NP_STORE_STRLEN);
  np_store_bind_text(st, i++, e->industry_section, NP_STORE_STRLEN);
  np_store_bind_text(st, i++, e->region_code, NP_STORE_STRLEN);
  np_store_bind_text(st, i++, e->township_code, NP_STORE_STRLEN);
  np_store_bind_text_or_null(st, i++, e->village_code[0] ? e->village_code : NULL);
  np_store_bind_text(st, i++, e->county_code, NP_STORE_STRLEN);
  np_store_bind_text(st, i++, e->city_code, NP_STORE_STRLEN);
  np_store_bind_text_or_null(st, i++, e->address[0] ? e->address : NULL);
  if (e->has_location) {
    np_store_bind_int64(st, i++, e->lat_e6);
    np_store_bind_int64(st, i++, e->lon_e6);
  } else {
    np_store_bind_null(st, i++);
    np_store_bind_null(st, i++);
  }
  np_store_bind_int64(st, i++, e->has_location && e->location_approx);
  if (e->has_employees) np_store_bind_int64(st, i++, e->employees);
  else np_store_bind_null(st, i++);
  if (e->has_revenue) np_store_bind_int64(st, i++, e->revenue_fen);
  else np_store_bind_null(st, i++);
  np_store_bind_text(st, i++, np_size_class_name(e->size_class), NP_STORE_STRLEN);
  np_store_bind_text(st, i++, e->size_basis, NP_STORE_STRLEN);
  np_store_bind_int64(st, i++, e->above_scale);
  np_store_bind_text(st, i++, e->above_scale_from_revenue ? "revenue" : "declared", NP_STORE_STRLEN);
  np_store_bind_int64(st, i++, e->is_key);
  if (e->zone_id > 0) np_store_bind_int64(st, i++, e->zone_id);
  else np_store_bind_null(st, i++);
  np_store_bind_int64(st, i++, e->headcount);
  return np_store_bind_int64(st, i++, e->green_channel);
}
#define BIND_NCOLS 23

/* Writes e's contacts; fresh = a new enterprise (nothing to delete first). */
static np_err write_contacts(np_store_t *s, const np_enterprise_t *e, bool fresh, np_errdetail_t *err) {
  np_err rc = fresh ? NP_OK : np_store_execf(s, NULL, err, "DELETE FROM enterprise_contacts WHERE enterprise_id = ?", "i", e->id);
  for (size_t i = 0; rc == NP_OK && i < e->ncontacts; i++) {
    const np_ent_contact_t *c = &e->contacts[i];
    char *sealed = NULL, bidx[NP_CRYPTO_SM3_HEXLEN] = "";
    if (c->phone[0]) {
      if ((rc = np_crypto_seal(c->phone, strlen(c->phone), &sealed, NULL, err)) ||
          (rc = np_crypto_blind_index("mobile", c->phone, bidx, err))) {
        free(sealed);
        break;
      }
    }
    rc = np_store_execf(s, NULL, err,
                        "INSERT INTO enterprise_contacts (enterprise_id, position, name, title, phone_sealed, "
                        "phone_bidx, phone_masked) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        "iittttt", e->id, (int64_t)i, c->name, c->title[0] ? c->title : NULL, sealed,
                        bidx[0] ? bidx : NULL, c->phone_masked[0] ? c->phone_masked : NULL);
    free(sealed);
  }
  return rc;
}

static np_err load_contacts(np_store_t *s, np_enterprise_t *e, bool with_phones, np_errdetail_t *err) {
  np_stmt_t *st = NULL;
  bool has = false;
  np_err rc = np_store_prepare(s,
                               "SELECT name, title, phone_sealed, phone_masked FROM enterprise_contacts "
                               "WHERE enterprise_id = ? ORDER BY position",
                               &st, err);
  if (rc) return rc;
  np_store_bind_int64(st, 1, e->id);
  e->ncontacts = 0;
  while ((rc = np_store_step(st, &has, err)) == NP_OK && has && e->ncontacts < NP_ENT_MAX_CONTACTS) {
    np_ent_contact_t *c = &e->contacts[e->ncontacts++];
    memset(c, 0, sizeof *c);
    col_str(st, 0, c->name, sizeof c->name);
    col_str(st, 1, c->title, sizeof c->title);
    col_str(st, 3, c->phone_masked, sizeof c->phone_masked);
    const char *sealed = np_store_col_text(st, 2);
    if (with_phones && sealed) {
      char *plain = NULL;
      size_t pn = 0;
      if ((rc = np_crypto_open(sealed, strlen(sealed), &plain, &pn, err))) break;
      np_strlcpy(c->phone, plain, sizeof c->phone);
      np_crypto_wipe(plain, pn);
      free(plain);
    }
  }
  np_store_release(st);
  return rc;
}

np_err np_ent_load(np_store_t *s, int64_t id, bool with_phones, np_enterprise_t *out, np_errdetail_t *err) {
  np_stmt_t *st = NULL;
  bool has = false;
  np_err rc = np_store_prepare(s, "SELECT " ENT_COLS " FROM enterprises e WHERE e.id = ?", &st, err);
  if (rc) return rc;
  np_store_bind_int64(st, 1, id);
  rc = np_store_step(st, &has, err);
  if (rc == NP_OK && !has) rc = np_fail(err, NP_ERR_NOT_FOUND, "not_found", "", "no such enterprise");
  if (rc == NP_OK) read_row(st, out);
  np_store_release(st);
  if (rc) return rc;
  return load_contacts(s, out, with_phones, err);
}

np_err np_ent_resolve(np_store_t *s, const char *key, int64_t *id, np_errdetail_t *err) {
  if (!key || !*key) return np_fail(err, NP_ERR_NOT_FOUND, "not_found", "", "no such enterprise");
  if (strncmp(key, NP_ID_ENTERPRISE, strlen(NP_ID_ENTERPRISE)) == 0) {
    if (np_id_parse(NP_ID_ENTERPRISE, key, id) != NP_OK)
      return np_fail(err, NP_ERR_NOT_FOUND, "not_found", "", "no such enterprise");
    return NP_OK;
  }
  np_uscc_info_t info;
  if (np_valid_uscc(key, strlen(key), 0, &info, NULL) != NP_OK)
    return np_fail(err, NP_ERR_NOT_FOUND, "not_found", "", "no such enterprise");
  bool found = false;
  np_err rc = np_store_queryf_int64(s, id, &found, err, "SELECT id FROM enterprises WHERE uscc = ?", "t", info.normalized);
  if (rc) return rc;
  if (!found) return np_fail(err, NP_ERR_NOT_FOUND, "not_found", "", "no such enterprise");
  return NP_OK;
}

/* Audit snapshot: the API object with phones masked. */
static json_t *snapshot(const np_enterprise_t *e) {
  return np_ent_json(e, false);
}

/* The insert itself (row, contacts, change row, audit when actor); own_tx: wrap in begin/commit. */
static np_err insert_impl(np_store_t *s, np_enterprise_t *e, const np_audit_entry_t *actor, bool own_tx,
                          np_errdetail_t *err) {
  char now[NP_TS_STRLEN], sid[32];
  np_firms_ent_now(now);
  np_stmt_t *st = NULL;
  bool has = false;
  json_t *after = NULL;
  np_err rc = own_tx ? np_store_begin(s, err) : NP_OK;
  if (rc) return rc;
  rc = np_store_prepare(s,
                        "INSERT INTO enterprises (uscc, name, industry_code, industry_section, region_code, township_code, "
                        "village_code, county_code, city_code, address, lat_e6, lon_e6, location_approx, employees, "
                        "revenue_fen, size_class, size_basis, above_scale, above_scale_basis, is_key, zone_id, headcount, "
                        "green_channel, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                        "?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id",
                        &st, err);
  if (rc) goto out;
  bind_cols(st, e);
  np_store_bind_text(st, BIND_NCOLS + 1, now, NP_STORE_STRLEN);
  np_store_bind_text(st, BIND_NCOLS + 2, now, NP_STORE_STRLEN);
  rc = np_store_step(st, &has, err);
  if (rc == NP_ERR_CONFLICT) {
    rc = np_fail(err, NP_ERR_CONFLICT, "duplicate_uscc", "uscc", "an enterprise with this credit code exists");
    goto out;
  }
  if (rc) goto out;
  if (!has) {
    rc = np_fail(err, NP_ERR_STORE, "store", "", "insert returned no id");
    goto out;
  }
  e->id = np_store_col_int64(st, 0);
  np_store_release(st);
  st = NULL;
  e->version = 1;
  np_strlcpy(e->created_at, now, sizeof e->created_at);
  np_strlcpy(e->updated_at, now, sizeof e->updated_at);
  np_id_format(NP_ID_ENTERPRISE, e->id, sid, sizeof sid);
  if ((e->ncontacts && (rc = write_contacts(s, e, true, err))) ||
      (rc = np_store_change(s, "enterprise", sid, "insert", NULL, err)))
    goto out;
  if (actor) {
    after = snapshot(e);
    rc = np_firms_ent_audit(s, actor, "enterprise.create", "enterprise", sid, NULL, after, NULL, err);
  }
out:
  np_store_release(st);
  json_decref(after);
  if (!own_tx) return rc;
  if (rc) {
    np_store_rollback(s);
    return rc;
  }
  return np_store_commit(s, err);
}

np_err np_ent_insert(np_store_t *s, np_enterprise_t *e, const np_audit_entry_t *actor, np_errdetail_t *err) {
  return insert_impl(s, e, actor, true, err);
}

np_err np_ent_insert_bulk(np_store_t *s, np_enterprise_t *e, np_errdetail_t *err) {
  if (!np_store_in_tx(s)) return np_fail(err, NP_ERR_INTERNAL, "no_transaction", "", "bulk insert needs a transaction");
  return insert_impl(s, e, NULL, false, err);
}

np_err np_ent_update(np_store_t *s, const np_enterprise_t *before, np_enterprise_t *e, int64_t expected_version,
                     const np_audit_entry_t *actor, np_errdetail_t *err) {
  char now[NP_TS_STRLEN], sid[32];
  np_firms_ent_now(now);
  np_stmt_t *st = NULL;
  bool has = false;
  json_t *jb = NULL, *ja = NULL;
  np_err rc = np_store_begin(s, err);
  if (rc) return rc;
  rc = np_store_prepare(s,
                        "UPDATE enterprises SET uscc = ?, name = ?, industry_code = ?, industry_section = ?, region_code = ?, "
                        "township_code = ?, village_code = ?, county_code = ?, city_code = ?, address = ?, lat_e6 = ?, "
                        "lon_e6 = ?, location_approx = ?, employees = ?, revenue_fen = ?, size_class = ?, size_basis = ?, "
                        "above_scale = ?, above_scale_basis = ?, is_key = ?, zone_id = ?, headcount = ?, green_channel = ?, "
                        "version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
                        &st, err);
  if (rc) goto out;
  bind_cols(st, e);
  np_store_bind_text(st, BIND_NCOLS + 1, now, NP_STORE_STRLEN);
  np_store_bind_int64(st, BIND_NCOLS + 2, e->id);
  np_store_bind_int64(st, BIND_NCOLS + 3, expected_version);
  if ((rc = np_store_step(st, &has, err))) goto out;
  np_store_release(st);
  st = NULL;
  if (np_store_changes(s) == 0) {
    rc = np_fail(err, NP_ERR_CONFLICT, "stale", "version",
                 "the enterprise was changed by someone else since version %" PRId64 "; reload it", expected_version);
    goto out;
  }
  e->version = expected_version + 1;
  np_strlcpy(e->updated_at, now, sizeof e->updated_at);
  np_id_format(NP_ID_ENTERPRISE, e->id, sid, sizeof sid);
  if ((e->contacts_changed && (rc = write_contacts(s, e, false, err))) ||
      (rc = np_store_change(s, "enterprise", sid, "update", NULL, err)))
    goto out;
  if (actor) {
    jb = snapshot(before);
    ja = snapshot(e);
    rc = np_firms_ent_audit(s, actor, "enterprise.update", "enterprise", sid, jb, ja, NULL, err);
  }
out:
  np_store_release(st);
  json_decref(jb);
  json_decref(ja);
  if (rc) {
    np_store_rollback(s);
    return rc;
  }
  return np_store_commit(s, err);
}

/* ---- JSON ---- */

void np_ent_write(np_jw_t *w, const np_enterprise_t *e, bool unmask, bool with_contacts) {
  const np_ref_t *ref = np_ref_global();
  const np_ref_item_t *ind = ref ? np_ref_item(ref, NP_REF_INDUSTRIES, e->industry_code) : NULL;
  const np_region_t *reg = ref ? np_ref_region(ref, e->region_code) : NULL;
  char id[32], zid[32] = "", region_name[256] = "";
  np_id_format(NP_ID_ENTERPRISE, e->id, id, sizeof id);
  if (e->zone_id > 0) np_id_format(NP_ID_ZONE, e->zone_id, zid, sizeof zid);
  if (reg) np_firms_ent_region_fullname(reg, region_name, sizeof region_name);
  np_jw_obj(w);
  np_jw_kstr(w, "id", id);
  np_jw_kstr(w, "uscc", e->uscc);
  np_jw_kstr(w, "name", e->name);
  np_jw_kstr(w, "industry_code", e->industry_code);
  np_jw_kstr(w, "industry_section", e->industry_section);
  np_jw_kstr(w, "industry_name", ind ? ind->name : NULL);
  np_jw_kstr(w, "region_code", e->region_code);
  np_jw_kstr_or_null(w, "region_name", region_name);
  np_jw_kstr(w, "township_code", e->township_code);
  np_jw_kstr_or_null(w, "village_code", e->village_code);
  np_jw_kstr(w, "county_code", e->county_code);
  np_jw_kstr(w, "city_code", e->city_code);
  np_jw_kstr_or_null(w, "address", e->address);
  if (e->has_location) {
    np_jw_key(w, "lat");
    np_jw_e6(w, e->lat_e6);
    np_jw_key(w, "lon");
    np_jw_e6(w, e->lon_e6);
    np_jw_kint(w, "lat_e6", e->lat_e6);
    np_jw_kint(w, "lon_e6", e->lon_e6);
  } else {
    np_jw_knull(w, "lat");
    np_jw_knull(w, "lon");
    np_jw_knull(w, "lat_e6");
    np_jw_knull(w, "lon_e6");
  }
  np_jw_kbool(w, "location_approx", e->has_location && e->location_approx);
  if (e->has_employees) np_jw_kint(w, "employees", e->employees);
  else np_jw_knull(w, "employees");
  if (e->has_revenue) np_jw_kint(w, "revenue_fen", e->revenue_fen);
  else np_jw_knull(w, "revenue_fen");
  np_jw_kstr(w, "size_class", np_size_class_name(e->size_class));
  np_jw_kstr(w, "size_basis", e->size_basis);
  np_jw_kbool(w, "above_scale", e->above_scale);
  np_jw_kstr(w, "above_scale_basis", e->above_scale_from_revenue ? "revenue" : "declared");
  np_jw_kbool(w, "is_key", e->is_key);
  np_jw_kstr_or_null(w, "zone_id", zid);
  np_jw_kint(w, "headcount", e->headcount);
  np_jw_kbool(w, "green_channel", e->green_channel);
  np_jw_kint(w, "open_openings", e->open_openings);
  if (with_contacts) {
    np_jw_key(w, "contacts");
    np_jw_arr(w);
    for (size_t i = 0; i < e->ncontacts; i++) {
      const np_ent_contact_t *c = &e->contacts[i];
      np_jw_obj(w);
      np_jw_kstr(w, "name", c->name);
      np_jw_kstr_or_null(w, "title", c->title);
      np_jw_kstr_or_null(w, "phone", unmask && c->phone[0] ? c->phone : c->phone_masked);
      np_jw_obj_end(w);
    }
    np_jw_arr_end(w);
  }
  np_jw_kint(w, "version", e->version);
  np_jw_kstr(w, "created_at", e->created_at);
  np_jw_kstr(w, "updated_at", e->updated_at);
  np_jw_obj_end(w);
}

json_t *np_ent_json(const np_enterprise_t *e, bool unmask) {
  np_buf_t b;
  np_jw_t w;
  json_t *o = NULL;
  np_buf_init(&b, 0);
  np_jw_init(&w, &b);
  np_ent_write(&w, e, unmask, true);
  if (np_jw_finish(&w) == NP_OK) o = json_loadb(b.data, b.len, 0, NULL);
  np_buf_free(&b);
  return o;
}

/* ---- lists ---- */

#define MAX_BINDS 24

typedef struct qb {
  char sql[2048];
  size_t len;
  int n;
  bool is_int[MAX_BINDS];
  int64_t i[MAX_BINDS];
  char t[MAX_BINDS][132];
  bool overflow;
} qb_t;

static void qb_add(qb_t *q, const char *frag) {
  size_t n = strlen(frag);
  if (q->len + n >= sizeof q->sql) {
    q->overflow = true;
    return;
  }
  memcpy(q->sql + q->len, frag, n + 1);
  q->len += n;
}
static void qb_text(qb_t *q, const char *v) {
  if (q->n >= MAX_BINDS) {
    q->overflow = true;
    return;
  }
  q->is_int[q->n] = false;
  np_strlcpy(q->t[q->n++], v, sizeof q->t[0]);
}
static void qb_int(qb_t *q, int64_t v) {
  if (q->n >= MAX_BINDS) {
    q->overflow = true;
    return;
  }
  q->is_int[q->n] = true;
  q->i[q->n++] = v;
}
static np_err qb_bind(const qb_t *q, np_stmt_t *st, int *idx) {
  np_err rc = NP_OK;
  for (int k = 0; rc == NP_OK && k < q->n; k++)
    rc = q->is_int[k] ? np_store_bind_int64(st, ++*idx, q->i[k]) : np_store_bind_text(st, ++*idx, q->t[k], NP_STORE_STRLEN);
  return rc;
}

/* A sargable predicate for a region prefix (2, 4, 6, 9 or 12 digits). */
static void region_prefix_clause(qb_t *q, const char *prefix) {
  size_t n = strlen(prefix);
  char code[16];
  if (n == 4) {
    snprintf(code, sizeof code, "%s00", prefix);
    qb_add(q, " AND e.city_code = ?");
    qb_text(q, code);
  } else if (n == 6) {
    qb_add(q, " AND e.county_code = ?");
    qb_text(q, prefix);
  } else if (n == 9) {
    qb_add(q, " AND e.township_code = ?");
    qb_text(q, prefix);
  } else if (n == 12) {
    qb_add(q, " AND e.village_code = ?");
    qb_text(q, prefix);
  } else if (n != 2 || strcmp(prefix, "37") != 0) {
    qb_add(q, " AND 1 = 0");
  }
}

static const char *sort_col(np_ent_sort s) {
  switch (s) {
  case NP_ENT_SORT_HEADCOUNT: return "e.headcount";
  case NP_ENT_SORT_OPENINGS: return "e.open_openings";
  case NP_ENT_SORT_UPDATED: return "e.updated_at";
  default: return "e.name";
  }
}
static const char *const sort_names[] = {"name", "headcount", "open_openings", "updated_at"};

static bool sort_is_text(np_ent_sort s) {
  return s == NP_ENT_SORT_NAME || s == NP_ENT_SORT_UPDATED;
}

static int flag_param(const char *v, int *out) {
  if (!v || !*v) return 0;
  if (strcmp(v, "1") == 0 || strcmp(v, "true") == 0) *out = 1;
  else if (strcmp(v, "0") == 0 || strcmp(v, "false") == 0) *out = 0;
  else return -1;
  return 0;
}

np_err np_ent_filter_parse(const char *(*get)(void *ctx, const char *name), void *ctx, np_store_t *s,
                           np_ent_filter_t *f, np_errdetail_t *err) {
  np_scope_t scope = f->scope;
  memset(f, 0, sizeof *f);
  f->scope = scope;
  f->is_key = f->above_scale = f->has_shortage = f->green_channel = -1;
  f->limit = 20;
  const char *v;
  if ((v = get(ctx, "region")) && *v) {
    char pre[16];
    size_t n = strlen(v);
    bool ok = (n == 6 || n == 9 || n == 12) && np_authz_region_prefix(v, pre);
    const np_ref_t *ref = np_ref_global();
    if (!ok || (ref && !np_ref_region(ref, v)))
      return np_fail(err, NP_ERR_INVALID, "unknown_region", "region", "region must be a known region code");
    f->region = v;
  }
  if ((v = get(ctx, "industry")) && *v) {
    size_t n = strlen(v);
    size_t start = (v[0] >= 'A' && v[0] <= 'T') ? 1 : 0;
    bool ok = n <= 5 && (start == 1 || n > 0);
    for (size_t i = start; ok && i < n; i++) ok = v[i] >= '0' && v[i] <= '9';
    if (!ok || n - start > 4)
      return np_fail(err, NP_ERR_INVALID, "format", "industry", "industry must be a section letter and/or up to 4 digits");
    f->industry = v;
  }
  struct {
    const char *name;
    int *out;
  } flags[] = {{"is_key", &f->is_key}, {"above_scale", &f->above_scale}, {"has_shortage", &f->has_shortage},
               {"green_channel", &f->green_channel}};
  for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
    if (flag_param(get(ctx, flags[i].name), flags[i].out))
      return np_fail(err, NP_ERR_INVALID, "format", flags[i].name, "%s must be true or false", flags[i].name);
  if ((v = get(ctx, "zone")) && *v) {
    np_errdetail_t d = {0};
    if (np_zone_find(s, v, &f->zone_id, &d) != NP_OK)
      return np_fail(err, NP_ERR_INVALID, "unknown_zone", "zone", "no such development zone");
  }
  if ((v = get(ctx, "specialist")) && *v) {
    if (np_id_parse(NP_ID_SPECIALIST, v, &f->specialist_id) != NP_OK)
      return np_fail(err, NP_ERR_INVALID, "format", "specialist", "specialist must be a specialist id (spc_N)");
  }
  if ((v = get(ctx, "q")) && *v) {
    size_t chars = np_utf8_count(v, strlen(v));
    if (chars == SIZE_MAX || chars > 50) return np_fail(err, NP_ERR_INVALID, "length", "q", "q is at most 50 characters");
    f->q = v;
  }
  if ((v = get(ctx, "sort")) && *v) {
    const char *key = v[0] == '-' ? v + 1 : v;
    bool found = false;
    for (size_t i = 0; i < sizeof sort_names / sizeof sort_names[0]; i++)
      if (strcmp(key, sort_names[i]) == 0) f->sort = (np_ent_sort)i, found = true;
    if (!found)
      return np_fail(err, NP_ERR_INVALID, "enum", "sort", "sort must be name, headcount, open_openings or updated_at");
    f->desc = v[0] == '-';
  }
  if ((v = get(ctx, "order")) && *v) {
    if (strcmp(v, "desc") == 0) f->desc = true;
    else if (strcmp(v, "asc") == 0) f->desc = false;
    else return np_fail(err, NP_ERR_INVALID, "enum", "order", "order must be asc or desc");
  }
  if ((v = get(ctx, "limit")) && *v) {
    int64_t l = 0;
    if (np_parse_int64(v, strlen(v), 1, 100, &l) != NP_OK)
      return np_fail(err, NP_ERR_INVALID, "range", "limit", "limit must be an integer from 1 to 100");
    f->limit = (int)l;
  }
  if ((v = get(ctx, "cursor")) && *v) f->cursor = v;
  return NP_OK;
}

/* Cursor: hex of "<sort>|<a|d>|<green 0/1>|<id>|<value>" (green-channel enterprises come first). */
static np_err cursor_decode(const np_ent_filter_t *f, int64_t *green, int64_t *id, char *val, size_t cap,
                            np_errdetail_t *err) {
  uint8_t raw[400];
  size_t n = 0;
  size_t hl = strlen(f->cursor);
  if (hl > 2 * (sizeof raw - 1) || np_hex_decode(f->cursor, hl, raw, sizeof raw - 1, &n) != NP_OK) goto bad;
  raw[n] = '\0';
  char *p[4] = {0};
  char *at = (char *)raw;
  for (int i = 0; i < 4; i++) {
    if (!(p[i] = strchr(at, '|'))) goto bad;
    *p[i] = '\0';
    at = p[i] + 1;
  }
  if (strcmp((char *)raw, sort_names[f->sort]) != 0 || strcmp(p[0] + 1, f->desc ? "d" : "a") != 0)
    return np_fail(err, NP_ERR_INVALID, "cursor_mismatch", "cursor", "the cursor belongs to another sort order");
  if (np_parse_int64(p[1] + 1, strlen(p[1] + 1), 0, 1, green) != NP_OK) goto bad;
  if (np_parse_int64(p[2] + 1, strlen(p[2] + 1), 1, INT64_MAX, id) != NP_OK) goto bad;
  if (!np_utf8_valid(p[3] + 1, strlen(p[3] + 1))) goto bad;
  np_strlcpy(val, p[3] + 1, cap);
  return NP_OK;
bad:
  return np_fail(err, NP_ERR_INVALID, "format", "cursor", "cursor is not valid");
}

static const char *cursor_encode(np_arena_t *a, const np_ent_filter_t *f, int64_t green, int64_t id,
                                 const char *val) {
  char raw[400];
  int n = snprintf(raw, sizeof raw, "%s|%s|%d|%" PRId64 "|%s", sort_names[f->sort], f->desc ? "d" : "a",
                   green ? 1 : 0, id, val);
  if (n < 0 || (size_t)n >= sizeof raw) return NULL;
  char *hex = np_arena_alloc(a, 2 * (size_t)n + 1);
  if (!hex) return NULL;
  np_hex_encode(raw, (size_t)n, hex, 2 * (size_t)n + 1);
  return hex;
}

/* WHERE clauses for the filter and the scope (no ORDER/LIMIT). */
static np_err build_where(const np_ent_filter_t *f, qb_t *q, np_errdetail_t *err) {
  memset(q, 0, sizeof *q);
  qb_add(q, " WHERE 1 = 1");
  /* scope: a region scope as the equivalent clause on the indexed city/county/township/village
   * columns (region_code LIKE 'prefix%' would defeat the covering indexes); others as authz says */
  if (f->scope.kind == NP_SCOPE_REGION) {
    region_prefix_clause(q, f->scope.region_prefix);
  } else {
    np_scope_cols_t cols = {.region = "e.region_code", .enterprise = "e.id"};
    np_scope_sql_t ss;
    if (np_authz_scope_sql(&f->scope, &cols, &ss) != NP_OK)
      return np_fail(err, NP_ERR_INTERNAL, "scope", "", "cannot express the scope");
    qb_add(q, ss.sql);
    for (int i = 0; i < ss.nbinds; i++) {
      if (ss.binds[i].is_int) qb_int(q, ss.binds[i].i);
      else qb_text(q, ss.binds[i].t);
    }
  }
  if (f->region) {
    char pre[16];
    np_authz_region_prefix(f->region, pre);
    region_prefix_clause(q, pre);
  }
  if (f->industry) {
    const char *d = f->industry;
    if (d[0] >= 'A' && d[0] <= 'T') {
      char sec[2] = {d[0], 0};
      const np_ref_t *ref = np_ref_global();
      const np_ref_item_t *it = ref ? np_ref_item(ref, NP_REF_INDUSTRIES, sec) : NULL;
      if (!d[1] && it && it->nchildren > 0) {
        /* a section is a contiguous range of divisions: say so on the indexed code column */
        char hi[12];
        snprintf(hi, sizeof hi, "%s~", it->children[it->nchildren - 1]->code);
        qb_add(q, " AND e.industry_code >= ? AND e.industry_code < ?");
        qb_text(q, it->children[0]->code);
        qb_text(q, hi);
      } else {
        qb_add(q, " AND e.industry_section = ?");
        qb_text(q, sec);
      }
      d++;
    }
    if (*d) {
      char hi[12];
      snprintf(hi, sizeof hi, "%s~", d);
      qb_add(q, " AND e.industry_code >= ? AND e.industry_code < ?");
      qb_text(q, d);
      qb_text(q, hi);
    }
  }
  if (f->is_key >= 0) qb_add(q, f->is_key ? " AND e.is_key = 1" : " AND e.is_key = 0");
  if (f->above_scale >= 0) qb_add(q, f->above_scale ? " AND e.above_scale = 1" : " AND e.above_scale = 0");
  if (f->green_channel >= 0) qb_add(q, f->green_channel ? " AND e.green_channel = 1" : " AND e.green_channel = 0");
  if (f->has_shortage >= 0) qb_add(q, f->has_shortage ? " AND e.open_openings > 0" : " AND e.open_openings = 0");
  if (f->zone_id > 0) {
    qb_add(q, " AND e.zone_id = ?");
    qb_int(q, f->zone_id);
  }
  if (f->specialist_id > 0) {
    char today[NP_DATE_STRLEN];
    np_date_format(np_date_today(), today, sizeof today);
    qb_add(q, " AND e.id IN (SELECT a.target_id FROM specialist_assignments a WHERE a.specialist_id = ? AND "
              "a.target_kind = 'enterprise' AND (a.until IS NULL OR a.until >= ?))");
    qb_int(q, f->specialist_id);
    qb_text(q, today);
  }
  if (f->q) {
    char like[132], pre[40];
    size_t o = 0, n = strlen(f->q);
    like[o++] = '%';
    for (size_t i = 0; i < n && o < sizeof like - 3; i++) {
      if (f->q[i] == '%' || f->q[i] == '_' || f->q[i] == '\\') like[o++] = '\\';
      like[o++] = f->q[i];
    }
    like[o++] = '%';
    like[o] = '\0';
    bool code_like = n <= 18;
    for (size_t i = 0; code_like && i < n; i++) code_like = uscc_value((char)(f->q[i] >= 'a' && f->q[i] <= 'z' ? f->q[i] - 32 : f->q[i])) >= 0;
    if (code_like) {
      for (size_t i = 0; i < n; i++) pre[i] = (char)(f->q[i] >= 'a' && f->q[i] <= 'z' ? f->q[i] - 32 : f->q[i]);
      pre[n] = '\0';
      char hi[44];
      snprintf(hi, sizeof hi, "%s~", pre);
      qb_add(q, " AND (e.name LIKE ? ESCAPE '\\' OR (e.uscc >= ? AND e.uscc < ?))");
      qb_text(q, like);
      qb_text(q, pre);
      qb_text(q, hi);
    } else {
      qb_add(q, " AND e.name LIKE ? ESCAPE '\\'");
      qb_text(q, like);
    }
  }
  if (q->overflow) return np_fail(err, NP_ERR_INVALID, "too_complex", "", "too many filters");
  return NP_OK;
}

static np_err map_missing_table(np_err rc, const np_ent_filter_t *f, np_errdetail_t *err) {
  if (rc == NP_ERR_STORE && f->specialist_id > 0 && strstr(err->message, "specialist_assignments"))
    return np_fail(err, NP_ERR_INVALID, "unavailable", "specialist", "specialist assignments are not available yet");
  return rc;
}

/* The filter's total, through the store's count memo (paging asks the same count on every page). */
static np_err count_total(np_store_t *s, const qb_t *q, int64_t *total, np_errdetail_t *err) {
  char sql[2200];
  np_store_bindv_t b[MAX_BINDS];
  snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM enterprises e%s", q->sql);
  for (int k = 0; k < q->n; k++) b[k] = (np_store_bindv_t){.is_int = q->is_int[k], .i = q->i[k], .t = q->t[k]};
  return np_store_count_memo(s, sql, b, q->n, total, err);
}

/* The most specific region equality the scope and the filter put on the query: 4 (city), 6 (county) or
 * other lengths (none to use). */
static size_t list_region_level(const np_ent_filter_t *f) {
  size_t best = 0;
  if (f->scope.kind == NP_SCOPE_REGION) best = strlen(f->scope.region_prefix);
  if (f->region) {
    char pre[16];
    np_authz_region_prefix(f->region, pre);
    if (strlen(pre) > best) best = strlen(pre);
  }
  return best;
}

/* SQLite's planner misjudges the page query both ways: for the default order it prefers the (city,
 * industry) range and sorts every match, where the list-order indexes (0016) read the page in order and
 * stop at its last row; for other orders it prefers a list-order index that covers the query and then
 * sorts the whole city, where the industry range reads only the matches. We name the index where the
 * choice is clear; other engines plan this themselves. */
static const char *list_index_hint(np_store_t *s, const np_ent_filter_t *f) {
  if (strcmp(np_store_engine(s), "sqlite") != 0) return NULL;
  /* a specialist's assigned enterprises, an enterprise's own row: a handful, found by id, never by area */
  if (f->scope.kind != NP_SCOPE_REGION && f->scope.kind != NP_SCOPE_ALL) return NULL;
  size_t level = list_region_level(f);
  if (level != 4 && level != 6) return NULL;
  bool city = level == 4, shortage = f->has_shortage == 1;
  if (f->zone_id > 0 || f->specialist_id > 0 || f->q || f->is_key >= 0) return NULL;
  if (f->sort == NP_ENT_SORT_NAME && !f->desc && f->above_scale < 0) {
    if (shortage) return city ? "enterprises_short_city_ord" : "enterprises_short_county_ord";
    return city ? "enterprises_city_ord" : "enterprises_county_ord";
  }
  if (!f->industry) return NULL;
  if (shortage) return city ? "enterprises_short_city" : "enterprises_short_county";
  return city ? "enterprises_city_industry" : "enterprises_county_industry";
}

np_err np_ent_list(np_store_t *s, const np_ent_filter_t *f, np_arena_t *arena, np_jw_t *items, int64_t *total,
                   const char **next_cursor, np_errdetail_t *err) {
  qb_t q;
  np_stmt_t *st = NULL;
  bool has = false;
  *next_cursor = NULL;
  *total = 0;
  np_err rc = build_where(f, &q, err);
  if (rc) return rc;
  char sql[3072];
  int idx = 0;
  if ((rc = count_total(s, &q, total, err))) return map_missing_table(rc, f, err);
  /* keyset page */
  const char *col = sort_col(f->sort), *dir = f->desc ? "DESC" : "ASC", *cmp = f->desc ? "<" : ">";
  char val[256] = "";
  int64_t after_id = 0, after_green = 0;
  if (f->cursor) {
    if ((rc = cursor_decode(f, &after_green, &after_id, val, sizeof val, err))) goto out;
    /* keyset on (green_channel DESC, col, id) */
    char frag[320];
    snprintf(frag, sizeof frag, " AND (e.green_channel < ? OR (e.green_channel = ? AND (%s %s ? OR (%s = ? AND e.id %s ?))))",
             col, cmp, col, cmp);
    qb_add(&q, frag);
    qb_int(&q, after_green);
    qb_int(&q, after_green);
    int64_t iv = 0;
    if (sort_is_text(f->sort)) {
      qb_text(&q, val);
      qb_text(&q, val);
    } else {
      if (np_parse_int64(val, strlen(val), INT64_MIN + 1, INT64_MAX, &iv) != NP_OK) {
        rc = np_fail(err, NP_ERR_INVALID, "format", "cursor", "cursor is not valid");
        goto out;
      }
      qb_int(&q, iv);
      qb_int(&q, iv);
    }
    qb_int(&q, after_id);
  }
  /* two phases: the page's ids from the (covering) indexes, then only those rows — sorting whole
   * rows would read every matching row from the table */
  const char *hint = list_index_hint(s, f);
  snprintf(sql, sizeof sql,
           "SELECT " ENT_COLS " FROM enterprises e WHERE e.id IN (SELECT e.id FROM enterprises e%s%s%s ORDER BY "
           "e.green_channel DESC, %s %s, e.id %s LIMIT ?) ORDER BY e.green_channel DESC, %s %s, e.id %s",
           hint ? " INDEXED BY " : "", hint ? hint : "", q.sql, col, dir, dir, col, dir, dir);
  idx = 0;
  if ((rc = np_store_prepare(s, sql, &st, err))) goto out;
  if ((rc = qb_bind(&q, st, &idx)) || (rc = np_store_bind_int64(st, ++idx, f->limit + 1))) goto out;
  int n = 0;
  np_enterprise_t *e = malloc(sizeof *e);
  if (!e) {
    rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
    goto out;
  }
  np_jw_arr(items);
  int64_t last_id = 0, last_green = 0;
  char last_val[256] = "";
  while ((rc = np_store_step(st, &has, err)) == NP_OK && has) {
    if (n == f->limit) {
      *next_cursor = cursor_encode(arena, f, last_green, last_id, last_val);
      break;
    }
    read_row(st, e);
    np_ent_write(items, e, false, false);
    last_id = e->id;
    last_green = e->green_channel ? 1 : 0;
    switch (f->sort) {
    case NP_ENT_SORT_NAME: np_strlcpy(last_val, e->name, sizeof last_val); break;
    case NP_ENT_SORT_UPDATED: np_strlcpy(last_val, e->updated_at, sizeof last_val); break;
    case NP_ENT_SORT_HEADCOUNT: snprintf(last_val, sizeof last_val, "%" PRId64, e->headcount); break;
    case NP_ENT_SORT_OPENINGS: snprintf(last_val, sizeof last_val, "%" PRId64, e->open_openings); break;
    }
    n++;
  }
  free(e);
  np_jw_arr_end(items);
  if (!rc && items->e) rc = np_fail(err, items->e, "write", "", "cannot write the page");
out:
  np_store_release(st);
  return rc ? map_missing_table(rc, f, err) : NP_OK;
}

np_err np_ent_export_xlsx(np_store_t *s, const np_ent_filter_t *f, const char *path, int64_t *rows,
                          np_errdetail_t *err) {
  static const char *const yesno[] = {"是", "否"};
  static const np_xlsxw_col_t cols[] = {
    {"统一社会信用代码", NP_XLSXW_TEXT, 22, NULL, 0}, {"企业名称", NP_XLSXW_TEXT, 36, NULL, 0},
    {"行业代码", NP_XLSXW_TEXT, 10, NULL, 0},         {"行业名称", NP_XLSXW_TEXT, 24, NULL, 0},
    {"区划代码", NP_XLSXW_TEXT, 14, NULL, 0},         {"所在地区", NP_XLSXW_TEXT, 30, NULL, 0},
    {"地址", NP_XLSXW_TEXT, 30, NULL, 0},             {"企业规模", NP_XLSXW_TEXT, 8, NULL, 0},
    {"从业人员", NP_XLSXW_NUMBER, 10, NULL, 0},       {"营业收入（元）", NP_XLSXW_MONEY, 16, NULL, 0},
    {"规上企业", NP_XLSXW_TEXT, 8, yesno, 2},         {"重点企业", NP_XLSXW_TEXT, 8, yesno, 2},
    {"开发区", NP_XLSXW_TEXT, 24, NULL, 0},           {"在岗人数", NP_XLSXW_NUMBER, 10, NULL, 0},
    {"缺工人数", NP_XLSXW_NUMBER, 10, NULL, 0},       {"绿色通道", NP_XLSXW_TEXT, 8, yesno, 2},
    {"更新时间", NP_XLSXW_TEXT, 20, NULL, 0},
  };
  enum { NCOLS = sizeof cols / sizeof cols[0] };
  qb_t q;
  np_stmt_t *st = NULL;
  np_xlsxw_t *w = NULL;
  bool has = false;
  *rows = 0;
  np_err rc = build_where(f, &q, err);
  if (rc) return rc;
  char sql[3072];
  snprintf(sql, sizeof sql,
           "SELECT " ENT_COLS ", z.name FROM enterprises e LEFT JOIN dev_zones z ON z.id = e.zone_id%s ORDER BY %s %s, e.id %s",
           q.sql, sort_col(f->sort), f->desc ? "DESC" : "ASC", f->desc ? "DESC" : "ASC");
  np_enterprise_t *e = malloc(sizeof *e);
  if (!e) return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  int idx = 0;
  if ((rc = np_xlsxw_open(path, "企业", &w, err)) || (rc = np_xlsxw_columns(w, cols, NCOLS, err))) goto out;
  if ((rc = np_store_prepare(s, sql, &st, err))) {
    rc = map_missing_table(rc, f, err);
    goto out;
  }
  if ((rc = qb_bind(&q, st, &idx))) goto out;
  const np_ref_t *ref = np_ref_global();
  while ((rc = np_store_step(st, &has, err)) == NP_OK && has) {
    read_row(st, e);
    const char *zone = np_store_col_text(st, 28);
    const np_ref_item_t *ind = ref ? np_ref_item(ref, NP_REF_INDUSTRIES, e->industry_code) : NULL;
    const np_region_t *reg = ref ? np_ref_region(ref, e->region_code) : NULL;
    char region_name[256] = "", emp[24] = "", rev[24] = "", head[24], open[24], when[NP_TS_STRLEN] = "";
    if (reg) np_firms_ent_region_fullname(reg, region_name, sizeof region_name);
    if (e->has_employees) snprintf(emp, sizeof emp, "%" PRId64, e->employees);
    if (e->has_revenue) snprintf(rev, sizeof rev, "%" PRId64, e->revenue_fen);
    snprintf(head, sizeof head, "%" PRId64, e->headcount);
    snprintf(open, sizeof open, "%" PRId64, e->open_openings);
    int64_t t;
    if (np_date_parse_ts_utc(e->updated_at, strlen(e->updated_at), &t) == NP_OK) np_date_format_ts_shanghai(t, when, sizeof when);
    const char *cells[NCOLS] = {e->uscc, e->name, e->industry_code, ind ? ind->name : "", e->region_code, region_name,
                                e->address, np_size_class_label(e->size_class), emp, rev, e->above_scale ? "是" : "否",
                                e->is_key ? "是" : "否", zone ? zone : "", head, open, e->green_channel ? "是" : "否", when};
    if ((rc = np_xlsxw_row(w, cells, NCOLS, err))) break;
    (*rows)++;
  }
  np_store_release(st);
  st = NULL;
  if (rc) goto out;
  rc = np_xlsxw_close(w, err);
  w = NULL;
out:
  np_store_release(st);
  if (w) np_xlsxw_close(w, NULL);
  free(e);
  return rc;
}
