/* Matching rules: distances, radius edges, filters in order with their names, terms summing to the score. */
#include "testutil.h"
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include "core/date.h"
#include "core/geo.h"
#include "match/score.h"

static int32_t days(const char *s) {
  np_date_t d;
  assert_int_equal(np_date_parse(s, 10, &d), NP_OK);
  return d.days;
}

static void test_geo(void **state) {
  (void)state;
  /* Jinan (36.651, 117.120) – Qingdao (36.067, 120.383): about 300 km */
  int64_t m = np_geo_distance_m(36651000, 117120000, 36067000, 120383000);
  assert_true(m > 295000 && m < 300000);
  assert_int_equal(np_geo_distance_m(36651000, 117120000, 36651000, 117120000), 0);
  /* the fast form agrees with libm's to the metre up to 500 km, in every direction */
  srand(7);
  for (int i = 0; i < 20000; i++) {
    int32_t la = 34300000 + rand() % 4200000, lo = 114700000 + rand() % 8100000;
    int32_t lb = la + (rand() % 4000000) - 2000000, lob = lo + (rand() % 5000000) - 2500000;
    int64_t a = np_geo_distance_m(la, lo, lb, lob);
    int64_t b = np_geo_fast_distance_m(la, lo, np_geo_cos_lat(la), lb, lob, np_geo_cos_lat(lb));
    assert_true(llabs(a - b) <= 1);
  }
  /* one micro-degree of latitude ≈ 0.111 m; 0.1° ≈ 11.1 km */
  int64_t d = np_geo_distance_m(36000000, 117000000, 36100000, 117000000);
  assert_true(d > 11110 && d < 11125);
  /* cells: clamped to the grid, row-major */
  assert_int_equal(np_geo_row(0), 0);
  assert_int_equal(np_geo_row(90000000), NP_GEO_ROWS - 1);
  assert_int_equal(np_geo_cell(33000000, 114000000), 0);
  assert_int_equal(np_geo_cell(33150000, 114250000), NP_GEO_COLS + 2);
  /* the cell range of a circle covers every point inside it */
  for (int i = 0; i < 2000; i++) {
    int32_t la = 34300000 + rand() % 4200000, lo = 114700000 + rand() % 8100000;
    int64_t r = 1 + rand() % 500000;
    int r0, r1, c0, c1;
    np_geo_cell_range(la, lo, r, &r0, &r1, &c0, &c1);
    int32_t lb = la + (rand() % 9000000) - 4500000, lob = lo + (rand() % 11000000) - 5500000;
    if (np_geo_distance_m(la, lo, lb, lob) <= r) {
      int rr = np_geo_row(lb), cc = np_geo_col(lob);
      assert_true(rr >= r0 && rr <= r1 && cc >= c0 && cc <= c1);
    }
  }
  assert_true(np_geo_in_shandong(36651000, 117120000));
  assert_false(np_geo_in_shandong(39910000, 116400000)); /* Beijing */
}

static np_match_demand_t demand(void) {
  np_match_demand_t d = {0};
  d.id = 10;
  d.occ = 100, d.minor = 10, d.middle = 1;
  d.lat_e6 = 36651000, d.lon_e6 = 117120000, d.coslat = np_geo_cos_lat(d.lat_e6), d.has_loc = true;
  d.salary_min = 500000, d.salary_max = 700000;
  d.needed_by = days("2023-06-30");
  d.created = days("2023-05-01");
  d.open_count = 3;
  d.county = 5, d.city = 6, d.circle = 1;
  d.skill = 3, d.edu = 3, d.age_min = 18, d.age_max = 45;
  d.is_key = true, d.is_public = true, d.status_ok = true, d.live = true;
  return d;
}

static np_match_seeker_t seeker(void) {
  np_match_seeker_t s = {0};
  s.id = 20;
  s.nocc = 1, s.occ[0] = 100, s.minor[0] = 10, s.middle[0] = 1;
  s.lat_e6 = 36700000, s.lon_e6 = 117200000, s.coslat = np_geo_cos_lat(s.lat_e6), s.has_loc = true;
  s.expected_salary = 600000;
  s.birth = days("1990-06-15");
  s.available_from = days("2023-06-01");
  s.created = days("2023-05-10");
  s.county = 5, s.city = 6, s.circle = 1;
  s.skill = 4, s.edu = 4, s.consent = true, s.status_ok = true, s.live = true;
  return s;
}

static void test_terms_sum(void **state) {
  (void)state;
  np_match_rules_t rules;
  np_match_rules_default(&rules);
  np_match_where_t w = {.scope = NP_SCOPE_RADIUS, .radius_m = 50000, .today = days("2023-05-20")};
  np_match_demand_t d = demand();
  np_match_seeker_t s = seeker();
  np_match_eval_t e;
  np_match_eval(&rules, &w, &d, &s, &e);
  assert_int_equal(e.filter, NP_MF_PASS);
  assert_int_equal(e.relation, NP_REL_EXACT);
  int32_t sum = 0;
  for (int t = 0; t < NP_MT__COUNT; t++) {
    assert_int_equal(e.contribution[t], e.raw[t] * rules.weight[t] / 1000);
    sum += e.contribution[t];
  }
  assert_int_equal(sum, e.score);
  assert_int_equal(e.raw[NP_MT_OCCUPATION], 1000);
  assert_int_equal(e.raw[NP_MT_SKILL], 900); /* one level above the requirement */
  assert_int_equal(e.raw[NP_MT_SALARY], 1000);
  assert_int_equal(e.salary_gap_fen, 0);
  assert_int_equal(e.age, 32);
  /* the explanation carries the same numbers */
  json_t *j = np_match_explain_json(&rules, &w, &d, &s, &e, NULL);
  assert_int_equal(json_integer_value(json_object_get(j, "score")), e.score);
  json_t *terms = json_object_get(j, "terms");
  assert_int_equal(json_array_size(terms), NP_MT__COUNT);
  json_int_t jsum = 0;
  for (size_t i = 0; i < json_array_size(terms); i++) {
    json_t *t = json_array_get(terms, i);
    assert_int_equal(json_integer_value(json_object_get(t, "contribution")),
                     json_integer_value(json_object_get(t, "raw")) * json_integer_value(json_object_get(t, "weight")) / 1000);
    jsum += json_integer_value(json_object_get(t, "contribution"));
  }
  assert_int_equal(jsum, e.score);
  assert_int_equal(json_integer_value(json_object_get(j, "distance_m")), e.distance_m);
  assert_true(json_is_array(json_object_get(j, "matched")));
  json_decref(j);

  /* relation ranks: exact > minor > middle > related, each scoring less */
  int32_t prev = e.score;
  s.occ[0] = 101; /* same minor group */
  np_match_eval(&rules, &w, &d, &s, &e);
  assert_int_equal(e.relation, NP_REL_MINOR);
  assert_true(e.score < prev);
  prev = e.score;
  s.occ[0] = 102, s.minor[0] = 11; /* same middle group */
  np_match_eval(&rules, &w, &d, &s, &e);
  assert_int_equal(e.relation, NP_REL_MIDDLE);
  assert_true(e.score < prev);
  prev = e.score;
  s.occ[0] = 200, s.minor[0] = 20, s.middle[0] = 2; /* another group: excluded unless related */
  np_match_eval(&rules, &w, &d, &s, &e);
  assert_int_equal(e.filter, NP_MF_OCCUPATION);
  uint64_t rel[2] = {(uint64_t)100 << 32 | 200, (uint64_t)200 << 32 | 100};
  rules.related = rel;
  rules.nrelated = 2;
  np_match_eval(&rules, &w, &d, &s, &e);
  assert_int_equal(e.relation, NP_REL_RELATED);
  assert_int_equal(e.filter, NP_MF_PASS);
  assert_true(e.score < prev);

  /* salary above the offer: a gap in fen and a lower term */
  s = seeker();
  rules.related = NULL, rules.nrelated = 0;
  s.expected_salary = 770000;
  np_match_eval(&rules, &w, &d, &s, &e);
  assert_int_equal(e.salary_gap_fen, 70000);
  assert_int_equal(e.raw[NP_MT_SALARY], 800);
  s.expected_salary = 400000;
  np_match_eval(&rules, &w, &d, &s, &e);
  assert_int_equal(e.salary_gap_fen, -100000);
  assert_int_equal(e.raw[NP_MT_SALARY], 1000);
  /* closer is better, key enterprises first */
  np_match_seeker_t near = seeker(), far = seeker();
  far.lat_e6 = 36900000, far.coslat = np_geo_cos_lat(far.lat_e6);
  np_match_eval_t en, ef;
  np_match_eval(&rules, &w, &d, &near, &en);
  np_match_eval(&rules, &w, &d, &far, &ef);
  assert_true(en.raw[NP_MT_DISTANCE] > ef.raw[NP_MT_DISTANCE]);
  d.is_key = false;
  np_match_eval(&rules, &w, &d, &near, &ef);
  assert_int_equal(en.score - ef.score, en.contribution[NP_MT_KEY]);
}

static void expect_filter(const np_match_demand_t *d, const np_match_seeker_t *s, const np_match_where_t *w,
                          np_match_filter f, const char *name) {
  np_match_rules_t rules;
  np_match_rules_default(&rules);
  np_match_eval_t e;
  np_match_eval(&rules, w, d, s, &e);
  assert_int_equal(e.filter, f);
  assert_string_equal(np_match_filter_name(e.filter), name);
  json_t *j = np_match_explain_json(&rules, w, d, s, &e, NULL);
  assert_true(json_is_true(json_object_get(j, "excluded")));
  assert_string_equal(json_string_value(json_object_get(j, "filter")), name);
  assert_true(strlen(json_string_value(json_object_get(j, "reason"))) > 0);
  json_decref(j);
}

static void test_filters(void **state) {
  (void)state;
  np_match_where_t w = {.scope = NP_SCOPE_RADIUS, .radius_m = 50000, .today = days("2023-05-20")};
  np_match_demand_t d = demand();
  np_match_seeker_t s;
  s = seeker(), s.occ[0] = 999, s.minor[0] = 99, s.middle[0] = 9;
  expect_filter(&d, &s, &w, NP_MF_OCCUPATION, "occupation");
  s = seeker(), s.skill = 2;
  expect_filter(&d, &s, &w, NP_MF_SKILL, "skill_level");
  s = seeker(), s.skill = 0;
  expect_filter(&d, &s, &w, NP_MF_SKILL, "skill_level");
  s = seeker(), s.birth = days("1970-01-01");
  expect_filter(&d, &s, &w, NP_MF_AGE, "age");
  s = seeker(), s.birth = days("2005-05-21"); /* 17 the day before the birthday */
  expect_filter(&d, &s, &w, NP_MF_AGE, "age");
  s = seeker(), s.edu = 2;
  expect_filter(&d, &s, &w, NP_MF_EDUCATION, "education");
  s = seeker(), s.lat_e6 = 37651000, s.coslat = np_geo_cos_lat(s.lat_e6);
  expect_filter(&d, &s, &w, NP_MF_RADIUS, "radius");
  s = seeker(), s.has_loc = false;
  expect_filter(&d, &s, &w, NP_MF_RADIUS, "radius");
  np_match_where_t wc = w;
  wc.scope = NP_MSCOPE_COUNTY;
  s = seeker(), s.county = 7;
  expect_filter(&d, &s, &wc, NP_MF_SCOPE, "scope");
  wc.scope = NP_MSCOPE_CITY;
  s.city = 8;
  expect_filter(&d, &s, &wc, NP_MF_SCOPE, "scope");
  wc.scope = NP_MSCOPE_CIRCLE;
  s.circle = 2;
  expect_filter(&d, &s, &wc, NP_MF_SCOPE, "scope");
  s = seeker(), s.available_from = days("2023-07-01");
  expect_filter(&d, &s, &w, NP_MF_AVAILABILITY, "availability");
  s = seeker(), s.consent = false;
  expect_filter(&d, &s, &w, NP_MF_CONSENT, "consent");
  s = seeker(), s.status_ok = false;
  expect_filter(&d, &s, &w, NP_MF_STATUS, "status");
  np_match_demand_t closed = demand();
  closed.open_count = 0;
  s = seeker();
  expect_filter(&closed, &s, &w, NP_MF_STATUS, "status");
  /* order: the first failing filter is named (skill before age before consent) */
  s = seeker(), s.skill = 1, s.birth = days("1960-01-01"), s.consent = false;
  expect_filter(&d, &s, &w, NP_MF_SKILL, "skill_level");
  /* no requirement: a seeker without a level, unknown education, no dates all pass */
  np_match_demand_t open = demand();
  open.skill = 0, open.edu = 0, open.age_min = open.age_max = 0, open.needed_by = NP_MATCH_NO_DATE;
  s = seeker(), s.skill = 0, s.edu = 0, s.available_from = NP_MATCH_NO_DATE;
  np_match_rules_t rules;
  np_match_rules_default(&rules);
  np_match_eval_t e;
  np_match_eval(&rules, &w, &open, &s, &e);
  assert_int_equal(e.filter, NP_MF_PASS);
}

static void test_radius_edges(void **state) {
  (void)state;
  np_match_rules_t rules;
  np_match_rules_default(&rules);
  np_match_demand_t d = demand();
  np_match_seeker_t s = seeker();
  np_match_eval_t e;
  np_match_where_t w = {.scope = NP_SCOPE_RADIUS, .radius_m = 500000, .today = days("2023-05-20")};
  np_match_eval(&rules, &w, &d, &s, &e);
  int64_t dist = e.distance_m;
  assert_true(dist > 0);
  w.radius_m = dist; /* exactly at the edge: inside */
  np_match_eval(&rules, &w, &d, &s, &e);
  assert_int_equal(e.filter, NP_MF_PASS);
  w.radius_m = dist - 1; /* one metre short: outside */
  np_match_eval(&rules, &w, &d, &s, &e);
  assert_int_equal(e.filter, NP_MF_RADIUS);
  /* same place: distance 0, full distance term */
  s.lat_e6 = d.lat_e6, s.lon_e6 = d.lon_e6, s.coslat = d.coslat;
  w.radius_m = 1;
  np_match_eval(&rules, &w, &d, &s, &e);
  assert_int_equal(e.filter, NP_MF_PASS);
  assert_int_equal(e.distance_m, 0);
  assert_int_equal(e.raw[NP_MT_DISTANCE], 1000);
}

static void test_names(void **state) {
  (void)state;
  assert_string_equal(np_match_term_name(NP_MT_KEY), "key_enterprise");
  assert_int_equal(np_match_term_parse("freshness"), NP_MT_FRESHNESS);
  assert_int_equal(np_match_term_parse("nope"), -1);
  assert_int_equal(np_match_education_rank("bachelor"), 6);
  assert_int_equal(np_match_education_rank(NULL), 0);
  assert_int_equal(np_match_age(days("2000-02-29"), days("2023-02-28")), 22);
  assert_int_equal(np_match_age(days("2000-02-29"), days("2023-03-01")), 23);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_geo),     cmocka_unit_test(test_terms_sum),    cmocka_unit_test(test_filters),
    cmocka_unit_test(test_radius_edges), cmocka_unit_test(test_names),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
