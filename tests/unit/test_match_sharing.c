/*
 * Surplus and shortage sharing: occupation relation levels, distance bands and the 200 km cut,
 * period overlap, the score as a sum of named terms, ranking and ties, post validation, agreement
 * arithmetic (never more than remaining, cancel gives back, transitions), board grouping by circle.
 */
#include "testutil.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/date.h"
#include "core/ids.h"
#include "match/sharing.h"
#include "ref/ref.h"
#include "store/store.h"

static np_store_t *s;
static const np_ref_t *ref;
static np_audit_entry_t actor = {.user_id = 7, .username = "lixia", .role = "county_staff", .ip = "127.0.0.1"};
static np_scope_t all = {.kind = NP_SCOPE_ALL};
static np_date_t today; /* 2023-05-01 */

static np_date_t day(const char *t) {
  np_date_t d;
  assert_int_equal(np_date_parse(t, strlen(t), &d), NP_OK);
  return d;
}

static int serial;

/* An enterprise at the centroid of `county` shifted by (dlat, dlon) micro-degrees. */
static int64_t add_ent(const char *county, int32_t dlat, int32_t dlon) {
  const np_region_t *r = np_ref_region(ref, county);
  assert_non_null(r);
  int32_t lat = 0, lon = 0;
  assert_true(np_ref_region_centroid(r, &lat, &lon, NULL));
  char uscc[24], city[8];
  snprintf(uscc, sizeof uscc, "TEST%014d", ++serial);
  snprintf(city, sizeof city, "%.4s00", county);
  int64_t id = 0;
  np_errdetail_t e = {0};
  np_err rc = np_store_queryf_int64(
      s, &id, NULL, &e,
      "INSERT INTO enterprises (uscc, name, industry_code, industry_section, region_code, township_code, county_code, "
      "city_code, lat_e6, lon_e6, size_class, size_basis, created_at, updated_at) VALUES (?, ?, '3411', 'C', ?, ?, ?, "
      "?, ?, ?, 'small', 'test', '2023-01-01T00:00:00Z', '2023-01-01T00:00:00Z') RETURNING id",
      "ttttttii", uscc, uscc, county, county, county, city, (int64_t)lat + dlat, (int64_t)lon + dlon);
  if (rc) fprintf(stderr, "enterprise: %s\n", e.message);
  assert_int_equal(rc, NP_OK);
  return id;
}

static np_err try_post(int64_t ent, const char *kind, const char *occ, int64_t count, const char *from,
                       const char *to, json_t **out, np_errdetail_t *e) {
  char eid[32];
  np_id_format(NP_ID_ENTERPRISE, ent, eid, sizeof eid);
  json_t *b = json_pack("{s:s, s:s, s:s, s:I, s:s, s:s}", "kind", kind, "enterprise_id", eid, "occupation_code", occ,
                        "count", (json_int_t)count, "period_start", from, "period_end", to);
  np_err rc = np_sharing_post_create(s, ref, &actor, &all, b, today, out, e);
  json_decref(b);
  return rc;
}

static int64_t post(int64_t ent, const char *kind, const char *occ, int64_t count, const char *from, const char *to) {
  json_t *o = NULL;
  np_errdetail_t e = {0};
  np_err rc = try_post(ent, kind, occ, count, from, to, &o, &e);
  if (rc) fprintf(stderr, "post: %s %s %s\n", e.code, e.field, e.message);
  assert_int_equal(rc, NP_OK);
  int64_t id = 0;
  assert_int_equal(np_id_parse(NP_ID_SHARING_POST, json_string_value(json_object_get(o, "id")), &id), NP_OK);
  json_decref(o);
  return id;
}

static int64_t remaining(int64_t id) {
  int64_t v = -1;
  assert_int_equal(np_store_queryf_int64(s, &v, NULL, NULL, "SELECT remaining FROM sharing_posts WHERE id = ?", "i", id),
                   NP_OK);
  return v;
}

static int setup(void **state) {
  (void)state;
  np_errdetail_t e = {0};
  int applied = 0;
  if (np_store_open(tu_tmp_db_url("match_sharing.db"), &s, &e) || np_store_migrate(s, &applied, &e) ||
      np_ref_load(s, NULL, &e)) {
    fprintf(stderr, "setup: %s %s\n", e.code, e.message);
    return -1;
  }
  if (!(ref = np_ref_shared(s, &e))) {
    fprintf(stderr, "ref: %s %s\n", e.code, e.message);
    return -1;
  }
  today = day("2023-05-01");
  return 0;
}

static int teardown(void **state) {
  (void)state;
  np_store_close(s);
  return 0;
}

/* ---- pure evaluation ---- */

static void test_occupation_relation(void **state) {
  (void)state;
  assert_int_equal(np_sharing_occ_relation("6-18-01-01", "6-18-01-01"), NP_SHARING_OCC_EXACT);
  assert_int_equal(np_sharing_occ_relation("6-18-01-01", "6-18-01-02"), NP_SHARING_OCC_MINOR);
  assert_int_equal(np_sharing_occ_relation("6-18-01-01", "6-18-02-01"), NP_SHARING_OCC_MIDDLE);
  assert_int_equal(np_sharing_occ_relation("6-18-01-01", "6-20-01-01"), NP_SHARING_OCC_NONE);
  assert_int_equal(np_sharing_occ_relation("6-18-01-01", "4-18-01-01"), NP_SHARING_OCC_NONE);
  /* "6-1" must not look like a prefix of "6-18" */
  assert_int_equal(np_sharing_occ_relation("6-1-01-01", "6-18-01-01"), NP_SHARING_OCC_NONE);
  assert_int_equal(np_sharing_occ_relation("", "6-18-01-01"), NP_SHARING_OCC_NONE);
  assert_int_equal(np_sharing_occ_relation(NULL, NULL), NP_SHARING_OCC_NONE);
}

static np_sharing_side_t side(int64_t id, int64_t ent, const char *occ, int64_t rem, const char *from, const char *to,
                              const char *county, const char *city, const char *circle, int32_t lat, int32_t lon) {
  np_sharing_side_t x = {.post_id = id, .enterprise_id = ent, .occupation_code = occ, .remaining = rem, .open = true,
                         .start = day(from), .end = day(to), .county_code = county, .city_code = city,
                         .circle = circle, .has_location = true, .lat_e6 = lat, .lon_e6 = lon};
  return x;
}

static void test_evaluate_terms(void **state) {
  (void)state;
  /* same county, exact, 0.1° of latitude apart (≈ 11.1 km), overlap 2023-05-10..2023-05-31 = 22 days */
  np_sharing_side_t a = side(1, 1, "6-18-01-01", 10, "2023-05-10", "2023-06-30", "370102", "370100", "省会经济圈",
                             36600000, 117000000);
  np_sharing_side_t b = side(2, 2, "6-18-01-01", 40, "2023-04-01", "2023-05-31", "370102", "370100", "省会经济圈",
                             36700000, 117000000);
  np_sharing_eval_t ev;
  np_sharing_evaluate(&a, &b, today, &ev);
  assert_true(ev.proposed);
  assert_null(ev.excluded);
  assert_int_equal(ev.occ, NP_SHARING_OCC_EXACT);
  assert_int_equal(ev.band, NP_SHARING_BAND_COUNTY);
  assert_true(ev.distance_m > 11100 && ev.distance_m < 11150);
  assert_int_equal(ev.overlap_days, 22);
  assert_int_equal(ev.movable, 10);
  assert_int_equal(ev.pts_occupation, NP_SHARING_W_OCC_EXACT);
  assert_int_equal(ev.pts_distance, 200 - 12); /* (200000 − 11119) / 1000 = 188 */
  assert_int_equal(ev.pts_region, NP_SHARING_W_SAME_COUNTY);
  assert_int_equal(ev.pts_overlap, 22);
  assert_int_equal(ev.pts_count, 25); /* 100 × 10 / 40 */
  assert_int_equal(ev.score, 400 + 188 + 150 + 22 + 25);
  json_t *j = np_sharing_eval_json(&ev);
  assert_int_equal(json_array_size(json_object_get(j, "terms")), 5);
  int64_t sum = 0;
  json_t *t;
  size_t i;
  json_array_foreach(json_object_get(j, "terms"), i, t) sum += json_integer_value(json_object_get(t, "points"));
  assert_int_equal(sum, json_integer_value(json_object_get(j, "score")));
  assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "terms"), 0), "term")),
                      "occupation");
  json_decref(j);

  /* minor and middle groups score less; other bands */
  b.occupation_code = "6-18-01-02";
  np_sharing_evaluate(&a, &b, today, &ev);
  assert_int_equal(ev.pts_occupation, NP_SHARING_W_OCC_MINOR);
  b.occupation_code = "6-18-02-01";
  b.county_code = "370112";
  np_sharing_evaluate(&a, &b, today, &ev);
  assert_int_equal(ev.occ, NP_SHARING_OCC_MIDDLE);
  assert_int_equal(ev.band, NP_SHARING_BAND_CITY);
  assert_int_equal(ev.pts_occupation + ev.pts_region, NP_SHARING_W_OCC_MIDDLE + NP_SHARING_W_SAME_CITY);
  b.city_code = "370300";
  np_sharing_evaluate(&a, &b, today, &ev);
  assert_int_equal(ev.band, NP_SHARING_BAND_CIRCLE);
  assert_int_equal(ev.pts_region, NP_SHARING_W_SAME_CIRCLE);
  b.circle = "胶东经济圈";
  np_sharing_evaluate(&a, &b, today, &ev);
  assert_int_equal(ev.band, NP_SHARING_BAND_OTHER);
  assert_int_equal(ev.pts_region, 0);
  assert_true(ev.proposed); /* 11 km across a circle border is still fine */
}

static void test_evaluate_filters(void **state) {
  (void)state;
  np_sharing_side_t a = side(1, 1, "6-18-01-01", 10, "2023-05-01", "2023-06-30", "370102", "370100", "省会经济圈",
                             36600000, 117000000);
  np_sharing_side_t b = side(2, 2, "6-20-01-01", 10, "2023-05-01", "2023-06-30", "370102", "370100", "省会经济圈",
                             36600000, 117000000);
  np_sharing_eval_t ev;
  np_sharing_evaluate(&a, &b, today, &ev);
  assert_false(ev.proposed);
  assert_string_equal(ev.excluded, "occupation_unrelated");
  assert_int_equal(ev.score, 0);
  b.occupation_code = "6-18-01-01";
  /* same enterprise comes first */
  b.enterprise_id = 1;
  np_sharing_evaluate(&a, &b, today, &ev);
  assert_string_equal(ev.excluded, "same_enterprise");
  b.enterprise_id = 2;
  /* no overlap: b ends the day before a starts; and a period over before today */
  b.start = day("2023-04-01");
  b.end = day("2023-04-30");
  np_sharing_evaluate(&a, &b, today, &ev);
  assert_string_equal(ev.excluded, "not_open"); /* ended before today */
  b.end = day("2023-05-01");
  np_sharing_evaluate(&a, &b, today, &ev);
  assert_true(ev.proposed);
  assert_int_equal(ev.overlap_days, 1); /* the boundary day counts */
  a.start = day("2023-05-02");
  np_sharing_evaluate(&a, &b, today, &ev);
  assert_string_equal(ev.excluded, "no_overlap");
  assert_int_equal(ev.overlap_days, 0);
  a.start = day("2023-05-01");
  b.end = day("2023-06-30");
  /* overlap counted from today on, capped at 180 */
  a.start = b.start = day("2023-01-01");
  a.end = b.end = day("2023-12-31");
  np_sharing_evaluate(&a, &b, today, &ev);
  assert_int_equal(ev.overlap_days, 245); /* 2023-05-01 .. 2023-12-31 */
  assert_int_equal(ev.pts_overlap, NP_SHARING_OVERLAP_CAP_DAYS);
  /* distance: 1.8° of latitude ≈ 200.2 km → too far; 1.79° ≈ 199.0 km → fine */
  b.lat_e6 = a.lat_e6 + 1800000;
  np_sharing_evaluate(&a, &b, today, &ev);
  assert_string_equal(ev.excluded, "too_far");
  b.lat_e6 = a.lat_e6 + 1790000;
  np_sharing_evaluate(&a, &b, today, &ev);
  assert_true(ev.proposed);
  assert_int_equal(ev.pts_distance, 0); /* 199 034 m: (200000 − 199034) / 1000 = 0 */
  /* unknown distance: only within one city */
  b.has_location = false;
  np_sharing_evaluate(&a, &b, today, &ev);
  assert_true(ev.proposed);
  assert_int_equal(ev.pts_distance, 0);
  b.city_code = "370300";
  b.county_code = "370303";
  np_sharing_evaluate(&a, &b, today, &ev);
  assert_string_equal(ev.excluded, "too_far");
  /* nothing remaining, or closed */
  b.has_location = true;
  b.lat_e6 = a.lat_e6;
  b.remaining = 0;
  np_sharing_evaluate(&a, &b, today, &ev);
  assert_string_equal(ev.excluded, "not_open");
  b.remaining = 5;
  b.open = false;
  np_sharing_evaluate(&a, &b, today, &ev);
  assert_string_equal(ev.excluded, "not_open");
}

/* ---- posts ---- */

static void test_post_validation(void **state) {
  (void)state;
  int64_t ent = add_ent("370102", 0, 0);
  json_t *o = NULL;
  np_errdetail_t e = {0};
  assert_int_equal(try_post(ent, "surplus", "6-18-01", 5, "2023-05-01", "2023-05-31", &o, &e), NP_ERR_INVALID);
  assert_string_equal(e.code, "unknown_occupation"); /* a minor group, not an occupation */
  assert_int_equal(try_post(ent, "surplus", "9-99-99-99", 5, "2023-05-01", "2023-05-31", &o, &e), NP_ERR_INVALID);
  assert_string_equal(e.code, "unknown_occupation");
  assert_int_equal(try_post(ent, "surplus", "6-18-01-01", 0, "2023-05-01", "2023-05-31", &o, &e), NP_ERR_INVALID);
  assert_string_equal(e.field, "count");
  assert_int_equal(try_post(ent, "surplus", "6-18-01-01", 5001, "2023-05-01", "2023-05-31", &o, &e), NP_ERR_INVALID);
  assert_string_equal(e.code, "range");
  assert_int_equal(try_post(ent, "surplus", "6-18-01-01", 5000, "2023-05-31", "2023-05-01", &o, &e), NP_ERR_INVALID);
  assert_string_equal(e.code, "period_order");
  assert_int_equal(try_post(ent, "surplus", "6-18-01-01", 5, "2023-04-01", "2023-04-30", &o, &e), NP_ERR_INVALID);
  assert_string_equal(e.code, "period_past");
  assert_int_equal(try_post(ent, "surplus", "6-18-01-01", 5, "2023-05-01", "2024-05-01", &o, &e), NP_ERR_INVALID);
  assert_string_equal(e.code, "period_too_long"); /* 367 days */
  assert_int_equal(try_post(ent, "middle", "6-18-01-01", 5, "2023-05-01", "2023-05-31", &o, &e), NP_ERR_INVALID);
  assert_string_equal(e.field, "kind");
  assert_int_equal(try_post(ent + 1000, "surplus", "6-18-01-01", 5, "2023-05-01", "2023-05-31", &o, &e),
                   NP_ERR_NOT_FOUND);
  /* 366 days are fine; the region defaults to the enterprise's, circle and location come along */
  assert_int_equal(try_post(ent, "surplus", "6-18-01-01", 5, "2023-05-01", "2024-04-30", &o, &e), NP_OK);
  assert_string_equal(json_string_value(json_object_get(o, "region_code")), "370102");
  assert_string_equal(json_string_value(json_object_get(o, "circle")), "省会经济圈");
  assert_string_equal(json_string_value(json_object_get(o, "status")), "open");
  assert_int_equal(json_integer_value(json_object_get(o, "remaining")), 5);
  assert_true(json_is_real(json_object_get(o, "lat")));
  json_decref(o);
  /* an enterprise scope fixes the enterprise; another one reads as missing */
  np_scope_t mine = {.kind = NP_SCOPE_ENTERPRISE, .enterprise_id = ent};
  int64_t other = add_ent("370112", 0, 0);
  char oid[32];
  np_id_format(NP_ID_ENTERPRISE, other, oid, sizeof oid);
  json_t *b = json_pack("{s:s, s:s, s:s, s:i, s:s, s:s}", "kind", "shortage", "enterprise_id", oid, "occupation_code",
                        "6-18-01-01", "count", 3, "period_start", "2023-05-01", "period_end", "2023-05-31");
  assert_int_equal(np_sharing_post_create(s, ref, &actor, &mine, b, today, &o, &e), NP_ERR_NOT_FOUND);
  json_object_del(b, "enterprise_id");
  assert_int_equal(np_sharing_post_create(s, ref, &actor, &mine, b, today, &o, &e), NP_OK);
  char eid[32];
  np_id_format(NP_ID_ENTERPRISE, ent, eid, sizeof eid);
  assert_string_equal(json_string_value(json_object_get(o, "enterprise_id")), eid);
  json_decref(o);
  /* a county's staff cannot post for an enterprise elsewhere */
  np_scope_t county = {.kind = NP_SCOPE_REGION};
  snprintf(county.region_prefix, sizeof county.region_prefix, "370102");
  json_object_set_new(b, "enterprise_id", json_string(oid));
  assert_int_equal(np_sharing_post_create(s, ref, &actor, &county, b, today, &o, &e), NP_ERR_NOT_FOUND);
  json_decref(b);
}

/* ---- pairings: ranking and ties ---- */

static void test_pairings_ranking(void **state) {
  (void)state;
  int64_t src = add_ent("370102", 0, 0);
  int64_t e_exact_near = add_ent("370102", 5000, 0);    /* ~0.6 km, same county */
  int64_t e_minor_city = add_ent("370112", 0, 0);       /* same city */
  int64_t e_middle_circle = add_ent("370303", 0, 0);    /* 淄博 张店: same circle, ~90 km */
  int64_t e_far = add_ent("370211", 0, 0);              /* 青岛 黄岛: > 200 km */
  int64_t e_twin1 = add_ent("370102", 0, 5000), e_twin2 = add_ent("370102", 0, -5000); /* mirror images */
  int64_t sp = post(src, "surplus", "6-20-01-01", 20, "2023-05-01", "2023-07-31");
  int64_t a = post(e_exact_near, "shortage", "6-20-01-01", 10, "2023-05-01", "2023-07-31");
  int64_t b = post(e_minor_city, "shortage", "6-20-01-02", 10, "2023-05-01", "2023-07-31");
  int64_t c = post(e_middle_circle, "shortage", "6-20-02-01", 10, "2023-05-01", "2023-07-31");
  int64_t far = post(e_far, "shortage", "6-20-01-01", 10, "2023-05-01", "2023-07-31");
  int64_t t2 = post(e_twin2, "shortage", "6-20-01-03", 10, "2023-05-01", "2023-07-31");
  int64_t t1 = post(e_twin1, "shortage", "6-20-01-03", 10, "2023-05-01", "2023-07-31");
  int64_t unrelated = post(e_exact_near, "shortage", "6-18-01-01", 10, "2023-05-01", "2023-07-31");
  int64_t same_kind = post(e_exact_near, "surplus", "6-20-01-01", 10, "2023-05-01", "2023-07-31");
  json_t *o = NULL;
  np_errdetail_t e = {0};
  assert_int_equal(np_sharing_pairings(s, ref, &all, sp, 0, 20, today, &o, &e), NP_OK);
  json_t *items = json_object_get(o, "items");
  assert_int_equal(json_integer_value(json_object_get(o, "total")), 5); /* a, b, c and the twins */
  int64_t order[5];
  for (size_t i = 0; i < 5; i++) {
    json_t *it = json_array_get(items, i);
    assert_int_equal(np_id_parse(NP_ID_SHARING_POST,
                                 json_string_value(json_object_get(json_object_get(it, "partner"), "id")), &order[i]),
                     NP_OK);
    if (i > 0)
      assert_true(json_integer_value(json_object_get(json_array_get(items, i - 1), "score")) >=
                  json_integer_value(json_object_get(it, "score")));
  }
  assert_int_equal(order[0], a); /* exact, same county */
  /* the twins tie (minor group, same county, same distance): lower id first */
  assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 1), "score")),
                   json_integer_value(json_object_get(json_array_get(items, 2), "score")));
  assert_int_equal(order[1], t2 < t1 ? t2 : t1);
  assert_int_equal(order[2], t2 < t1 ? t1 : t2);
  assert_int_equal(order[3], b); /* minor group, same city */
  assert_int_equal(order[4], c); /* middle group, same circle */
  assert_string_equal(json_string_value(json_object_get(json_array_get(items, 4), "region_band")), "same_circle");
  assert_string_equal(json_string_value(json_object_get(json_array_get(items, 4), "occupation_relation")),
                      "middle_group");
  json_decref(o);
  /* asking about an excluded pair names the filter */
  assert_int_equal(np_sharing_pairings(s, ref, &all, sp, far, 20, today, &o, &e), NP_OK);
  json_t *one = json_array_get(json_object_get(o, "items"), 0);
  assert_string_equal(json_string_value(json_object_get(one, "excluded")), "too_far");
  assert_true(json_integer_value(json_object_get(one, "distance_m")) > 200000);
  json_decref(o);
  assert_int_equal(np_sharing_pairings(s, ref, &all, sp, unrelated, 20, today, &o, &e), NP_OK);
  one = json_array_get(json_object_get(o, "items"), 0);
  assert_string_equal(json_string_value(json_object_get(one, "excluded")), "occupation_unrelated");
  json_decref(o);
  assert_int_equal(np_sharing_pairings(s, ref, &all, sp, same_kind, 20, today, &o, &e), NP_ERR_INVALID);
  assert_string_equal(e.code, "same_kind");
  /* from the shortage side the surplus is found too */
  assert_int_equal(np_sharing_pairings(s, ref, &all, c, 0, 20, today, &o, &e), NP_OK);
  assert_true(json_integer_value(json_object_get(o, "total")) >= 1);
  json_decref(o);
  /* scope: a county outside cannot read the post */
  np_scope_t qd = {.kind = NP_SCOPE_REGION};
  snprintf(qd.region_prefix, sizeof qd.region_prefix, "3702");
  assert_int_equal(np_sharing_pairings(s, ref, &qd, sp, 0, 20, today, &o, &e), NP_ERR_NOT_FOUND);
}

/* ---- agreements ---- */

static np_err agree(int64_t sp, int64_t sh, int64_t workers, const char *from, const char *to, int64_t *id,
                    np_errdetail_t *e) {
  char a[32], b[32];
  np_id_format(NP_ID_SHARING_POST, sp, a, sizeof a);
  np_id_format(NP_ID_SHARING_POST, sh, b, sizeof b);
  json_t *body = json_pack("{s:s, s:s, s:I, s:s, s:s}", "surplus_post_id", a, "shortage_post_id", b, "workers",
                           (json_int_t)workers, "start_date", from, "end_date", to);
  json_t *o = NULL;
  np_err rc = np_sharing_agreement_create(s, ref, &actor, &all, body, today, &o, e);
  json_decref(body);
  if (rc == NP_OK && id)
    assert_int_equal(np_id_parse(NP_ID_SHARING_AGREEMENT, json_string_value(json_object_get(o, "id")), id), NP_OK);
  json_decref(o);
  return rc;
}

static np_err set_status(int64_t id, const char *status, np_errdetail_t *e) {
  json_t *body = json_pack("{s:s}", "status", status), *o = NULL;
  np_err rc = np_sharing_agreement_patch(s, ref, &actor, &all, id, body, &o, e);
  json_decref(body);
  json_decref(o);
  return rc;
}

static void test_agreement_arithmetic(void **state) {
  (void)state;
  int64_t e1 = add_ent("370102", 0, 0), e2 = add_ent("370102", 1000, 1000), e3 = add_ent("370112", 0, 0);
  int64_t sp = post(e1, "surplus", "6-04-02-01", 10, "2023-05-01", "2023-06-30");
  int64_t sh = post(e2, "shortage", "6-04-02-01", 8, "2023-05-15", "2023-07-31");
  int64_t sh2 = post(e3, "shortage", "6-04-02-01", 6, "2023-05-01", "2023-06-30");
  int64_t own = post(e1, "shortage", "6-04-02-01", 6, "2023-05-01", "2023-06-30");
  np_errdetail_t e = {0};
  int64_t a1 = 0, a2 = 0, a3 = 0;
  /* dates inside both periods only */
  assert_int_equal(agree(sp, sh, 3, "2023-05-01", "2023-06-30", NULL, &e), NP_ERR_INVALID);
  assert_string_equal(e.code, "outside_period");
  assert_int_equal(agree(sp, sh, 3, "2023-05-15", "2023-07-01", NULL, &e), NP_ERR_INVALID);
  assert_string_equal(e.code, "outside_period");
  assert_int_equal(agree(sh, sp, 3, "2023-05-15", "2023-06-30", NULL, &e), NP_ERR_INVALID);
  assert_string_equal(e.code, "wrong_kind");
  assert_int_equal(agree(sp, own, 3, "2023-05-15", "2023-06-30", NULL, &e), NP_ERR_INVALID);
  assert_string_equal(e.code, "same_enterprise");
  /* more than the shortage needs (8) */
  assert_int_equal(agree(sp, sh, 9, "2023-05-15", "2023-06-30", NULL, &e), NP_ERR_CONFLICT);
  assert_string_equal(e.code, "exceeds_remaining");
  assert_int_equal(remaining(sp), 10);
  assert_int_equal(remaining(sh), 8);
  /* 8 to the first: surplus 2 left, shortage filled */
  assert_int_equal(agree(sp, sh, 8, "2023-05-15", "2023-06-30", &a1, &e), NP_OK);
  assert_int_equal(remaining(sp), 2);
  assert_int_equal(remaining(sh), 0);
  /* 3 more from a surplus of 2: refused, nothing changes */
  assert_int_equal(agree(sp, sh2, 3, "2023-05-15", "2023-06-30", NULL, &e), NP_ERR_CONFLICT);
  assert_string_equal(e.code, "exceeds_remaining");
  assert_int_equal(remaining(sp), 2);
  assert_int_equal(remaining(sh2), 6);
  assert_int_equal(agree(sp, sh2, 2, "2023-05-15", "2023-06-30", &a2, &e), NP_OK);
  assert_int_equal(remaining(sp), 0);
  assert_int_equal(remaining(sh2), 4);
  /* a filled post is not proposed any more */
  json_t *o = NULL;
  assert_int_equal(np_sharing_pairings(s, ref, &all, sh2, 0, 20, today, &o, &e), NP_OK);
  assert_int_equal(json_integer_value(json_object_get(o, "total")), 0);
  json_decref(o);
  assert_int_equal(np_sharing_post_get(s, ref, &all, sp, today, &o, &e), NP_OK);
  assert_string_equal(json_string_value(json_object_get(o, "status")), "filled");
  json_decref(o);
  /* transitions */
  assert_int_equal(set_status(a1, "completed", &e), NP_ERR_CONFLICT);
  assert_string_equal(e.code, "bad_transition");
  assert_int_equal(set_status(a1, "in_progress", &e), NP_OK);
  assert_int_equal(set_status(a1, "agreed", &e), NP_ERR_CONFLICT);
  assert_int_equal(set_status(a1, "completed", &e), NP_OK);
  assert_int_equal(set_status(a1, "cancelled", &e), NP_ERR_CONFLICT); /* final */
  assert_int_equal(remaining(sp), 0);                                 /* completed keeps the workers taken */
  /* cancel gives back, once */
  assert_int_equal(set_status(a2, "cancelled", &e), NP_OK);
  assert_int_equal(remaining(sp), 2);
  assert_int_equal(remaining(sh2), 6);
  assert_int_equal(set_status(a2, "cancelled", &e), NP_ERR_CONFLICT);
  assert_int_equal(remaining(sp), 2);
  /* a proposed agreement reserves too */
  char x[32], y[32];
  np_id_format(NP_ID_SHARING_POST, sp, x, sizeof x);
  np_id_format(NP_ID_SHARING_POST, sh2, y, sizeof y);
  json_t *body = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s}", "surplus_post_id", x, "shortage_post_id", y, "workers", 2,
                           "start_date", "2023-05-20", "end_date", "2023-05-31", "status", "proposed");
  assert_int_equal(np_sharing_agreement_create(s, ref, &actor, &all, body, today, &o, &e), NP_OK);
  assert_string_equal(json_string_value(json_object_get(o, "status")), "proposed");
  assert_int_equal(np_id_parse(NP_ID_SHARING_AGREEMENT, json_string_value(json_object_get(o, "id")), &a3), NP_OK);
  json_decref(o);
  json_decref(body);
  assert_int_equal(remaining(sp), 0);
  assert_int_equal(set_status(a3, "agreed", &e), NP_OK);
  /* history and audit */
  assert_int_equal(np_sharing_agreement_get(s, ref, &all, a1, &o, &e), NP_OK);
  assert_int_equal(json_array_size(json_object_get(o, "history")), 3);
  json_decref(o);
  int64_t audits = 0;
  assert_int_equal(np_store_query_int64(s, "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'sharing_agreement.%'",
                                        &audits, NULL, &e),
                   NP_OK);
  assert_int_equal(audits, 3 + 2 + 2); /* a1 create, in_progress, completed; a2 create, cancel; a3 create, agree */
  /* closing a post: closed posts take no agreement */
  json_t *close = json_pack("{s:s, s:s}", "status", "closed", "reason", "订单提前完成");
  assert_int_equal(np_sharing_post_patch(s, ref, &actor, &all, sh2, close, today, &o, &e), NP_OK);
  assert_string_equal(json_string_value(json_object_get(o, "status")), "closed");
  json_decref(o);
  assert_int_equal(np_sharing_post_patch(s, ref, &actor, &all, sh2, close, today, &o, &e), NP_ERR_CONFLICT);
  json_decref(close);
  assert_int_equal(agree(sp, sh2, 1, "2023-05-20", "2023-05-31", NULL, &e), NP_ERR_CONFLICT);
  assert_string_equal(e.code, "closed");
  /* the invariant held throughout */
  int64_t bad = -1;
  assert_int_equal(np_store_query_int64(s,
                                        "SELECT COUNT(*) FROM sharing_posts p WHERE p.remaining <> p.count - "
                                        "COALESCE((SELECT SUM(a.workers) FROM sharing_agreements a WHERE "
                                        "a.status <> 'cancelled' AND (a.surplus_post_id = p.id OR "
                                        "a.shortage_post_id = p.id)), 0)",
                                        &bad, NULL, &e),
                   NP_OK);
  assert_int_equal(bad, 0);
}

/* ---- board ---- */

static void test_board(void **state) {
  (void)state;
  int64_t q1 = add_ent("370202", 0, 0), q2 = add_ent("370202", 3000, 3000), l1 = add_ent("371302", 0, 0);
  post(q1, "surplus", "6-25-01-01", 7, "2023-05-01", "2023-05-31");
  post(q2, "shortage", "6-25-01-02", 4, "2023-05-10", "2023-06-30");
  post(l1, "shortage", "6-25-01-01", 9, "2023-05-01", "2023-08-31");
  json_t *o = NULL;
  np_errdetail_t e = {0};
  assert_int_equal(np_sharing_board(s, ref, &all, "胶东", NULL, NULL, 10, today, &o, &e), NP_OK);
  json_t *circles_ = json_object_get(o, "circles");
  assert_int_equal(json_array_size(circles_), 1);
  json_t *g = json_array_get(circles_, 0);
  assert_string_equal(json_string_value(json_object_get(g, "circle")), "胶东经济圈");
  json_t *c = json_object_get(g, "counts");
  assert_true(json_integer_value(json_object_get(c, "surplus_posts")) >= 1);
  assert_true(json_integer_value(json_object_get(c, "shortage_workers")) >= 4);
  assert_true(json_integer_value(json_object_get(c, "pairings")) >= 1);
  json_decref(o);
  /* 市南 → 兰山 is about 200 km or more: check the 鲁南 group's pairings never exceed 200 km */
  assert_int_equal(np_sharing_board(s, ref, &all, "lunan", NULL, NULL, 10, today, &o, &e), NP_OK);
  json_t *p;
  size_t i;
  json_array_foreach(json_object_get(json_array_get(json_object_get(o, "circles"), 0), "pairings"), i, p) {
    assert_true(json_integer_value(json_object_get(p, "distance_m")) <= 200000);
  }
  json_decref(o);
  assert_int_equal(np_sharing_board(s, ref, &all, "nowhere", NULL, NULL, 10, today, &o, &e), NP_ERR_INVALID);
  assert_string_equal(e.field, "circle");
  assert_int_equal(np_sharing_board(s, ref, &all, NULL, "370102", NULL, 10, today, &o, &e), NP_ERR_INVALID);
  assert_string_equal(e.field, "city");
  /* a county sees only its own posts */
  np_scope_t lx = {.kind = NP_SCOPE_REGION};
  snprintf(lx.region_prefix, sizeof lx.region_prefix, "370102");
  assert_int_equal(np_sharing_board(s, ref, &lx, NULL, NULL, NULL, 10, today, &o, &e), NP_OK);
  json_array_foreach(json_object_get(o, "circles"), i, p) {
    json_t *q;
    size_t k;
    json_array_foreach(json_object_get(p, "posts"), k, q) {
      assert_string_equal(json_string_value(json_object_get(q, "county_code")), "370102");
    }
  }
  json_decref(o);
  /* lists: kind and status filters, cursor pages */
  np_sharing_post_filter_t f = {.scope = &all, .kind = NP_SHARING_SHORTAGE, .status = "open", .limit = 2};
  assert_int_equal(np_sharing_post_list(s, ref, &f, today, &o, &e), NP_OK);
  int64_t total = json_integer_value(json_object_get(o, "total"));
  assert_true(total > 2);
  int64_t seen = (int64_t)json_array_size(json_object_get(o, "items"));
  char cur[32];
  while (json_is_string(json_object_get(o, "next_cursor"))) {
    snprintf(cur, sizeof cur, "%s", json_string_value(json_object_get(o, "next_cursor")));
    json_decref(o);
    f.cursor = cur;
    assert_int_equal(np_sharing_post_list(s, ref, &f, today, &o, &e), NP_OK);
    json_array_foreach(json_object_get(o, "items"), i, p) {
      assert_string_equal(json_string_value(json_object_get(p, "kind")), "shortage");
      assert_string_equal(json_string_value(json_object_get(p, "status")), "open");
    }
    seen += (int64_t)json_array_size(json_object_get(o, "items"));
  }
  json_decref(o);
  assert_int_equal(seen, total);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_occupation_relation),
    cmocka_unit_test(test_evaluate_terms),
    cmocka_unit_test(test_evaluate_filters),
    cmocka_unit_test(test_post_validation),
    cmocka_unit_test(test_pairings_ranking),
    cmocka_unit_test(test_agreement_arithmetic),
    cmocka_unit_test(test_board),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
