/* Seekers (dedupe by blind index, derived fields, masking, validation), referral transitions with the
 * hire through firms, the partner feed's ordering, API keys and the token bucket. */
#include "testutil.h"
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include "core/ids.h"
#include "core/str.h"
#include "crypto/crypto.h"
#include "firms/dem_common.h"
#include "firms/demands.h"
#include "match/feed.h"
#include "match/referrals.h"
#include "match/seekers.h"
#include "ref/ref.h"
#include "store/store.h"

static np_store_t *s;
static np_ref_t *ref;
static np_date_t today;
static np_audit_entry_t actor = {.user_id = 7, .username = "tester", .role = "county_staff", .ip = "127.0.0.1"};

static int setup(void **state) {
  (void)state;
  np_errdetail_t e = {0};
  int applied = 0;
  unsigned char key[NP_CRYPTO_KEY_BYTES];
  memset(key, 0x5a, sizeof key);
  if (np_crypto_init_raw(key, &e) || np_store_open(tu_tmp_db_url("match_seekers.db"), &s, &e) ||
      np_store_migrate(s, &applied, &e) || np_ref_load(s, NULL, &e) || np_ref_open(s, &ref, &e)) {
    fprintf(stderr, "setup: %s %s\n", e.code, e.message);
    return -1;
  }
  today = np_date_today();
  return 0;
}

static int teardown(void **state) {
  (void)state;
  np_ref_close(ref);
  np_store_close(s);
  return 0;
}

static json_t *J(const char *text) {
  json_error_t je;
  json_t *v = json_loads(text, JSON_REJECT_DUPLICATES, &je);
  if (!v) fail_msg("bad test JSON: %s", je.text);
  return v;
}

static np_err create(const char *id_number, const char *extra, int64_t *id, json_t **out, np_errdetail_t *e) {
  char buf[1024];
  snprintf(buf, sizeof buf,
           "{\"id_number\":\"%s\",\"name\":\"张三\",\"region_code\":\"370102001\",\"occupation_codes\":[\"6-18-02-04\"],"
           "\"consent\":true%s%s}",
           id_number, extra && *extra ? "," : "", extra ? extra : "");
  json_t *b = J(buf);
  np_seeker_create_opts_t o = {.source = NP_SEEKER_STAFF, .audit_each = true, .today = today};
  np_err rc = np_match_seeker_create(s, ref, &actor, b, &o, id, out, e);
  json_decref(b);
  return rc;
}

static int64_t count(const char *sql) {
  int64_t v = -1;
  assert_int_equal(np_store_query_int64(s, sql, &v, NULL, NULL), NP_OK);
  return v;
}

static void test_make_id_number(void **state) {
  (void)state;
  char id[19];
  np_match_make_id_number("110105", 1949, 12, 31, 2, id);
  assert_string_equal(id, "11010519491231002X"); /* the standard's worked example */
  np_id_info_t info;
  np_match_make_id_number("370102", 1990, 2, 28, 123, id);
  assert_int_equal(np_valid_id_number(id, 18, np_ref_region_known, ref, &info, NULL), NP_OK);
  assert_true(info.male);
}

static void test_derived_fields_and_masking(void **state) {
  (void)state;
  char id[19];
  np_match_make_id_number("510100", 2001, 7, 9, 246, id); /* Chengdu, female (even 17th digit) */
  int64_t sid = 0;
  json_t *o = NULL;
  np_errdetail_t e = {0};
  assert_int_equal(create(id, "\"phone\":\"+86 13912345678\",\"graduation_year\":2023", &sid, &o, &e), NP_OK);
  assert_true(sid > 0);
  assert_string_equal(json_string_value(json_object_get(o, "sex")), "F");
  assert_string_equal(json_string_value(json_object_get(o, "hukou_region_code")), "510100");
  assert_true(json_is_true(json_object_get(o, "from_outside_province")));
  assert_null(json_object_get(o, "birth_date"));
  char masked[24];
  np_mask_id_number(id, 18, masked, sizeof masked);
  assert_string_equal(json_string_value(json_object_get(o, "id_number")), masked);
  assert_string_equal(json_string_value(json_object_get(o, "phone")), "139****5678");
  assert_string_equal(json_string_value(json_object_get(o, "county_code")), "370102");
  assert_string_equal(json_string_value(json_object_get(o, "city_code")), "370100");
  assert_true(json_is_true(json_object_get(o, "location_approx")));
  char *text = json_dumps(o, 0);
  assert_null(strstr(text, id)); /* never the full number */
  free(text);
  json_decref(o);
  /* unmasked: the full number, phone and birth date */
  assert_int_equal(np_match_seeker_get(s, ref, sid, true, &o, &e), NP_OK);
  assert_string_equal(json_string_value(json_object_get(o, "id_number")), id);
  assert_string_equal(json_string_value(json_object_get(o, "phone")), "13912345678");
  assert_string_equal(json_string_value(json_object_get(o, "birth_date")), "2001-07-09");
  json_decref(o);
  /* stored sealed: the table holds neither the number nor the phone in clear */
  char q[160];
  snprintf(q, sizeof q, "SELECT COUNT(*) FROM seekers WHERE id_number_sealed LIKE '%%%s%%' OR phone_sealed LIKE '%%139123%%'", id);
  assert_int_equal(count(q), 0);
  assert_int_equal(count("SELECT COUNT(*) FROM changes WHERE entity = 'seeker'"), 1);
  assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE action = 'seeker.create'"), 1);
}

static void test_dedupe_by_blind_index(void **state) {
  (void)state;
  char id[19], lower[19];
  np_match_make_id_number("370211", 1985, 3, 3, 17, id);
  /* a number ending in X, typed in lower case the second time */
  for (int seq = 0; seq < 1000; seq++) {
    np_match_make_id_number("370211", 1985, 3, 3, seq, id);
    if (id[17] == 'X') break;
  }
  assert_int_equal(id[17], 'X');
  memcpy(lower, id, sizeof lower);
  lower[17] = 'x';
  int64_t a = 0, b = 0;
  np_errdetail_t e = {0};
  int64_t before = count("SELECT COUNT(*) FROM seekers");
  assert_int_equal(create(id, NULL, &a, NULL, &e), NP_OK);
  assert_int_equal(create(lower, NULL, &b, NULL, &e), NP_ERR_CONFLICT);
  assert_string_equal(e.code, "duplicate");
  assert_string_equal(e.field, "id_number");
  assert_null(strstr(e.message, "370211"));
  assert_int_equal(b, 0);
  assert_int_equal(count("SELECT COUNT(*) FROM seekers"), before + 1);
  /* the index is keyed: same number, same index; another number, another */
  char i1[NP_CRYPTO_SM3_HEXLEN], i2[NP_CRYPTO_SM3_HEXLEN];
  assert_int_equal(np_crypto_blind_index("id_number", id, i1, NULL), NP_OK);
  char q[200];
  snprintf(q, sizeof q, "SELECT COUNT(*) FROM seekers WHERE id_number_index = '%s'", i1);
  assert_int_equal(count(q), 1);
  assert_int_equal(np_crypto_blind_index("mobile", id, i2, NULL), NP_OK);
  assert_string_not_equal(i1, i2);
}

static void test_validation(void **state) {
  (void)state;
  char id[19];
  np_errdetail_t e = {0};
  int64_t sid = 0;
  int64_t before = count("SELECT COUNT(*) FROM seekers");
  np_match_make_id_number("370102", 1991, 1, 1, 5, id);
  char bad[19];
  memcpy(bad, id, sizeof bad);
  bad[17] = bad[17] == '0' ? '1' : '0';
  assert_int_equal(create(bad, NULL, &sid, NULL, &e), NP_ERR_INVALID);
  assert_string_equal(e.code, "check_char");
  assert_string_equal(e.field, "id_number");
  struct {
    const char *extra, *field, *code;
  } cases[] = {
    {"\"lat\":40.0,\"lon\":117.0", "lat", "outside_shandong"},
    {"\"lat\":36.0", "lon", "required"},
    {"\"skill_level\":0", "skill_level", "range"},
    {"\"education\":\"phd\"", "education", "unknown_value"},
    {"\"expected_salary\":-5", "expected_salary", "range"},
    {"\"phone\":\"12345\"", "phone", "length"},
    {"\"certificates\":[{\"occupation_code\":\"6-18-02-04\",\"level\":9}]", "certificates[0].level", "range"},
    {"\"unknown\":1", "unknown", "unknown_field"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    memset(&e, 0, sizeof e);
    np_err rc = create(id, cases[i].extra, &sid, NULL, &e);
    if (rc != NP_ERR_INVALID || strcmp(e.field, cases[i].field) != 0 || strcmp(e.code, cases[i].code) != 0)
      fail_msg("case %zu: rc %d field %s code %s (%s)", i, rc, e.field, e.code, e.message);
  }
  /* occupations: unknown, a group code, too many, repeated */
  const char *occ_cases[][3] = {
    {"[\"9-99-99-99\"]", "occupation_codes[0]", "unknown_occupation"},
    {"[\"6-18\"]", "occupation_codes[0]", "unknown_occupation"},
    {"[\"6-18-02-04\",\"6-18-01-01\",\"6-31-01-03\",\"6-20-01-01\"]", "occupation_codes", "too_many"},
    {"[\"6-18-02-04\",\"6-18-02-04\"]", "occupation_codes[1]", "duplicate"},
    {"[]", "occupation_codes", "required"},
  };
  for (size_t i = 0; i < sizeof occ_cases / sizeof occ_cases[0]; i++) {
    char buf[512];
    snprintf(buf, sizeof buf, "{\"id_number\":\"%s\",\"name\":\"李四\",\"region_code\":\"370102\",\"occupation_codes\":%s}", id,
             occ_cases[i][0]);
    json_t *b = J(buf);
    np_seeker_create_opts_t o = {.today = today};
    memset(&e, 0, sizeof e);
    assert_int_equal(np_match_seeker_create(s, ref, &actor, b, &o, &sid, NULL, &e), NP_ERR_INVALID);
    json_decref(b);
    assert_string_equal(e.field, occ_cases[i][1]);
    assert_string_equal(e.code, occ_cases[i][2]);
  }
  /* unknown region, a region outside Shandong, a region outside the caller's scope */
  const char *regions[] = {"379999", "110105", "3701"};
  for (size_t i = 0; i < 3; i++) {
    char buf[256];
    snprintf(buf, sizeof buf, "{\"id_number\":\"%s\",\"name\":\"李四\",\"region_code\":\"%s\",\"occupation_codes\":[\"6-18-02-04\"]}",
             id, regions[i]);
    json_t *b = J(buf);
    np_seeker_create_opts_t o = {.today = today};
    memset(&e, 0, sizeof e);
    assert_int_equal(np_match_seeker_create(s, ref, &actor, b, &o, &sid, NULL, &e), NP_ERR_INVALID);
    json_decref(b);
    assert_string_equal(e.field, "region_code");
  }
  np_scope_t qd = {.kind = NP_SCOPE_REGION};
  np_strlcpy(qd.region_prefix, "3702", sizeof qd.region_prefix);
  json_t *b = J("{\"id_number\":\"370102199101010050\",\"name\":\"李四\",\"region_code\":\"370102\",\"occupation_codes\":[\"6-18-02-04\"]}");
  json_object_set_new(b, "id_number", json_string(id));
  np_seeker_create_opts_t o = {.today = today, .scope = &qd};
  assert_int_equal(np_match_seeker_create(s, ref, &actor, b, &o, &sid, NULL, &e), NP_ERR_INVALID);
  assert_string_equal(e.code, "out_of_jurisdiction");
  /* self-registration: consent must be stated */
  o.scope = NULL;
  o.require_consent = true;
  assert_int_equal(np_match_seeker_create(s, ref, &actor, b, &o, &sid, NULL, &e), NP_ERR_INVALID);
  assert_string_equal(e.field, "consent");
  json_decref(b);
  assert_int_equal(count("SELECT COUNT(*) FROM seekers"), before);
}

static void test_patch_and_visibility(void **state) {
  (void)state;
  char id[19];
  np_match_make_id_number("370102", 1999, 9, 9, 99, id);
  int64_t sid = 0;
  np_errdetail_t e = {0};
  json_t *o = NULL;
  assert_int_equal(create(id, "\"skill_level\":3", &sid, &o, &e), NP_OK);
  int64_t v = json_integer_value(json_object_get(o, "version"));
  json_decref(o);
  char buf[256];
  snprintf(buf, sizeof buf, "{\"version\":%lld,\"region_code\":\"370211\",\"occupation_codes\":[\"6-18-01-01\"],\"status\":\"withdrawn\"}",
           (long long)v);
  json_t *b = J(buf);
  assert_int_equal(np_match_seeker_patch(s, ref, &actor, sid, b, today, &o, &e), NP_OK);
  assert_string_equal(json_string_value(json_object_get(o, "county_code")), "370211");
  assert_string_equal(json_string_value(json_object_get(o, "status")), "withdrawn");
  assert_int_equal(json_integer_value(json_object_get(o, "skill_level")), 3);
  json_decref(o);
  assert_int_equal(np_match_seeker_patch(s, ref, &actor, sid, b, today, &o, &e), NP_ERR_CONFLICT);
  assert_string_equal(e.code, "stale");
  json_decref(b);
  np_seeker_owner_t own;
  assert_int_equal(np_match_seeker_owner(s, sid, &own, &e), NP_OK);
  np_scope_t jn = {.kind = NP_SCOPE_REGION}, qd = {.kind = NP_SCOPE_REGION}, self = {.kind = NP_SCOPE_SELF, .user_id = 5};
  np_strlcpy(jn.region_prefix, "3701", sizeof jn.region_prefix);
  np_strlcpy(qd.region_prefix, "370211", sizeof qd.region_prefix);
  assert_false(np_match_seeker_visible(&jn, &own));
  assert_true(np_match_seeker_visible(&qd, &own));
  assert_false(np_match_seeker_visible(&self, &own));
  own.user_id = 5;
  assert_true(np_match_seeker_visible(&self, &own));
}

static int64_t add_line(const char *county, int count, bool key, bool is_public, np_firms_ent_ref_t *ent) {
  static int n = 0;
  char uscc[19], region[10];
  snprintf(uscc, sizeof uscc, "91%s%010d", county, ++n);
  snprintf(region, sizeof region, "%s001", county);
  int64_t eid = 0;
  np_errdetail_t e = {0};
  char city[7];
  snprintf(city, sizeof city, "%.4s00", county);
  assert_int_equal(np_store_queryf_int64(
                       s, &eid, NULL, &e,
                       "INSERT INTO enterprises (uscc, name, industry_code, industry_section, region_code, township_code, "
                       "county_code, city_code, size_class, size_basis, is_key, created_at, updated_at) VALUES (?, ?, "
                       "'3484', 'C', ?, ?, ?, ?, 'small', 'test', ?, '2023-01-01T00:00:00Z', '2023-01-01T00:00:00Z') "
                       "RETURNING id",
                       "tttttti", uscc, key ? "重点机械厂" : "普通机械厂", region, region, county, city, (int64_t)key),
                   NP_OK);
  assert_int_equal(np_firms_ent_load(s, eid, ent, &e), NP_OK);
  char buf[256];
  snprintf(buf, sizeof buf, "{\"occupation_code\":\"6-18-02-04\",\"count\":%d,\"salary_min\":500000,\"salary_max\":800000,\"public\":%s}",
           count, is_public ? "true" : "false");
  json_t *b = J(buf);
  int64_t id = 0;
  np_err rc = np_firms_demand_create(s, ref, &actor, ent, b, today, &id, NULL, &e);
  if (rc) fail_msg("demand: %s %s %s", e.code, e.field, e.message);
  json_decref(b);
  return id;
}

static void test_referral_transitions(void **state) {
  (void)state;
  assert_true(np_match_referral_transition_ok("recommended", "contacted"));
  assert_true(np_match_referral_transition_ok("contacted", "interviewed"));
  assert_true(np_match_referral_transition_ok("interviewed", "hired"));
  assert_true(np_match_referral_transition_ok("recommended", "declined"));
  assert_true(np_match_referral_transition_ok("interviewed", "declined"));
  assert_false(np_match_referral_transition_ok("recommended", "interviewed"));
  assert_false(np_match_referral_transition_ok("recommended", "hired"));
  assert_false(np_match_referral_transition_ok("hired", "declined"));
  assert_false(np_match_referral_transition_ok("declined", "contacted"));
  assert_false(np_match_referral_transition_ok("contacted", "recommended"));
  assert_false(np_match_referral_transition_ok("contacted", "bogus"));

  np_firms_ent_ref_t ent;
  int64_t line = add_line("370112", 2, false, true, &ent);
  char id[19];
  np_match_make_id_number("370112", 1993, 6, 6, 61, id);
  int64_t sid = 0, rid = 0, rid2 = 0;
  np_errdetail_t e = {0};
  assert_int_equal(create(id, NULL, &sid, NULL, &e), NP_OK);
  json_t *ex = J("{\"score\":0.9}");
  assert_int_equal(np_match_referral_create(s, ref, &actor, line, sid, ex, &rid, NULL, &e), NP_OK);
  assert_int_equal(np_match_referral_create(s, ref, &actor, line, sid, ex, &rid2, NULL, &e), NP_ERR_CONFLICT);
  assert_string_equal(e.code, "duplicate");
  json_decref(ex);
  json_t *o = NULL;
  assert_int_equal(np_match_referral_transition(s, ref, &actor, rid, "hired", NULL, 0, today, &o, &e), NP_ERR_CONFLICT);
  assert_string_equal(e.code, "transition");
  assert_int_equal(np_match_referral_transition(s, ref, &actor, rid, "contacted", NULL, 0, today, NULL, &e), NP_OK);
  assert_int_equal(np_match_referral_transition(s, ref, &actor, rid, "interviewed", NULL, 99, today, NULL, &e), NP_ERR_CONFLICT);
  assert_string_equal(e.code, "stale");
  assert_int_equal(np_match_referral_transition(s, ref, &actor, rid, "interviewed", NULL, 2, today, NULL, &e), NP_OK);
  assert_int_equal(np_match_referral_transition(s, ref, &actor, rid, "hired", NULL, 0, today, &o, &e), NP_OK);
  assert_string_equal(json_string_value(json_object_get(o, "status")), "hired");
  assert_true(json_is_string(json_object_get(o, "hire_id")));
  assert_int_equal(json_array_size(json_object_get(o, "events")), 4);
  json_decref(o);
  /* the line's filled count, status and open count moved through firms; the seeker is employed */
  np_firms_demand_owner_t dow;
  assert_int_equal(np_firms_demand_owner(s, line, &dow, &e), NP_OK);
  assert_int_equal(dow.filled, 1);
  assert_string_equal(dow.status, "partly_filled");
  char q[160];
  snprintf(q, sizeof q, "SELECT COUNT(*) FROM demand_hires WHERE demand_id = %lld AND seeker_ref = 'ref_%lld'", (long long)line,
           (long long)rid);
  assert_int_equal(count(q), 1);
  np_seeker_owner_t own;
  assert_int_equal(np_match_seeker_owner(s, sid, &own, &e), NP_OK);
  assert_string_equal(own.status, "employed");
  /* an employed seeker is not referred again; declined needs a reason */
  int64_t line2 = add_line("370112", 1, false, true, &ent);
  assert_int_equal(np_match_referral_create(s, ref, &actor, line2, sid, NULL, &rid2, NULL, &e), NP_ERR_CONFLICT);
  assert_string_equal(e.code, "not_seeking");
  np_match_make_id_number("370112", 1994, 4, 4, 41, id);
  int64_t sid2 = 0;
  assert_int_equal(create(id, NULL, &sid2, NULL, &e), NP_OK);
  assert_int_equal(np_match_referral_create(s, ref, &actor, line2, sid2, NULL, &rid2, NULL, &e), NP_OK);
  assert_int_equal(np_match_referral_transition(s, ref, &actor, rid2, "declined", NULL, 0, today, NULL, &e), NP_ERR_INVALID);
  assert_string_equal(e.field, "reason");
  assert_int_equal(np_match_referral_transition(s, ref, &actor, rid2, "declined", "工资低", 0, today, NULL, &e), NP_OK);
  assert_int_equal(np_match_referral_transition(s, ref, &actor, rid2, "contacted", NULL, 0, today, NULL, &e), NP_ERR_CONFLICT);
  /* no consent */
  np_match_make_id_number("370112", 1995, 5, 5, 51, id);
  int64_t sid3 = 0;
  assert_int_equal(create(id, "\"hardship\":true", &sid3, NULL, &e), NP_OK);
  assert_int_equal(np_store_execf(s, NULL, &e, "UPDATE seekers SET consent = 0 WHERE id = ?", "i", sid3), NP_OK);
  assert_int_equal(np_match_referral_create(s, ref, &actor, line2, sid3, NULL, &rid2, NULL, &e), NP_ERR_CONFLICT);
  assert_string_equal(e.code, "no_consent");
}

static void test_feed_ordering_and_keys(void **state) {
  (void)state;
  np_errdetail_t e = {0};
  int64_t since = 0;
  assert_int_equal(np_store_change_seq(s, &since, &e), NP_OK);
  np_firms_ent_ref_t ent;
  int64_t a = add_line("370281", 3, true, true, &ent);
  int64_t hidden = add_line("370281", 3, false, false, &ent);
  int64_t b = add_line("371302", 2, false, true, &ent);
  json_t *out = NULL;
  assert_int_equal(np_match_feed_demands(s, ref, since, 2, &out, &e), NP_OK);
  json_t *items = json_object_get(out, "items");
  assert_int_equal(json_array_size(items), 2);
  assert_true(json_is_true(json_object_get(out, "has_more")));
  json_t *first = json_array_get(items, 0), *second = json_array_get(items, 1);
  assert_true(json_integer_value(json_object_get(first, "seq")) < json_integer_value(json_object_get(second, "seq")));
  char pid[32];
  assert_string_equal(json_string_value(json_object_get(json_object_get(first, "demand"), "id")),
                      np_id_format(NP_ID_DEMAND, a, pid, sizeof pid));
  assert_true(json_is_true(json_object_get(json_object_get(first, "demand"), "priority")));
  assert_string_equal(json_string_value(json_object_get(second, "op")), "delete"); /* not public */
  assert_string_equal(json_string_value(json_object_get(json_object_get(second, "demand"), "id")),
                      np_id_format(NP_ID_DEMAND, hidden, pid, sizeof pid));
  assert_null(json_object_get(json_object_get(second, "demand"), "enterprise_name"));
  int64_t next = json_integer_value(json_object_get(out, "next_since"));
  json_decref(out);
  assert_int_equal(np_match_feed_demands(s, ref, next, 100, &out, &e), NP_OK);
  items = json_object_get(out, "items");
  assert_int_equal(json_array_size(items), 1);
  json_t *d = json_object_get(json_array_get(items, 0), "demand");
  assert_string_equal(json_string_value(json_object_get(d, "id")), np_id_format(NP_ID_DEMAND, b, pid, sizeof pid));
  assert_false(json_is_true(json_object_get(d, "priority")));
  assert_string_equal(json_string_value(json_object_get(d, "city_code")), "371300");
  assert_false(json_is_true(json_object_get(out, "has_more")));
  json_decref(out);
  /* keys: secret shown once, stored hashed; revoke is idempotent */
  assert_int_equal(np_match_partner_key_create(s, &actor, "某网", 0, &out, &e), NP_OK);
  const char *key = json_string_value(json_object_get(out, "key"));
  assert_int_equal(strlen(key), NP_PARTNER_KEY_LEN);
  char q[200];
  snprintf(q, sizeof q, "SELECT COUNT(*) FROM partner_keys WHERE key_hash = '%s' OR prefix = '%s'", key, key);
  assert_int_equal(count(q), 0);
  int64_t kid = 0;
  np_id_parse(NP_ID_PARTNER_KEY, json_string_value(json_object_get(out, "id")), &kid);
  json_decref(out);
  assert_int_equal(np_match_partner_key_create(s, &actor, "某网", 0, &out, &e), NP_ERR_CONFLICT);
  assert_int_equal(np_match_partner_key_revoke(s, &actor, kid, &e), NP_OK);
  assert_int_equal(np_match_partner_key_revoke(s, &actor, kid, &e), NP_OK);
  assert_int_equal(np_match_partner_key_revoke(s, &actor, 99999, &e), NP_ERR_NOT_FOUND);
  assert_int_equal(np_match_partner_key_create(s, &actor, "某网", 0, &out, &e), NP_OK); /* the name is free again */
  json_decref(out);
}

static void test_token_bucket(void **state) {
  (void)state;
  np_ratelimit_t *rl = np_ratelimit_new(16);
  int retry = 0;
  for (int i = 0; i < 3; i++) assert_true(np_ratelimit_take(rl, "k", 3, 1000, &retry));
  assert_false(np_ratelimit_take(rl, "k", 3, 1000, &retry));
  assert_int_equal(retry, 20); /* one token every 20 s */
  assert_true(np_ratelimit_take(rl, "other", 3, 1000, NULL)); /* buckets are per key */
  assert_false(np_ratelimit_take(rl, "k", 3, 15000, &retry));
  assert_true(np_ratelimit_take(rl, "k", 3, 21000, &retry));
  assert_false(np_ratelimit_take(rl, "k", 3, 21000, &retry));
  /* never more than the capacity after a long pause */
  for (int i = 0; i < 3; i++) assert_true(np_ratelimit_take(rl, "k", 3, 10000000, NULL));
  assert_false(np_ratelimit_take(rl, "k", 3, 10000000, NULL));
  /* many keys in a small table: old ones are forgotten, never refused wrongly */
  char key[16];
  for (int i = 0; i < 100; i++) {
    snprintf(key, sizeof key, "ip%d", i);
    assert_true(np_ratelimit_take(rl, key, 1, 20000000 + i, NULL));
  }
  np_ratelimit_free(rl);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_make_id_number),       cmocka_unit_test(test_derived_fields_and_masking),
    cmocka_unit_test(test_dedupe_by_blind_index), cmocka_unit_test(test_validation),
    cmocka_unit_test(test_patch_and_visibility),  cmocka_unit_test(test_referral_transitions),
    cmocka_unit_test(test_feed_ordering_and_keys), cmocka_unit_test(test_token_bucket),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
