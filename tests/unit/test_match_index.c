/* The in-memory index: queries equal a brute-force evaluation, paging, updates, anti-congestion,
 * building from the store and following the change feed. */
#include "testutil.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/date.h"
#include "core/geo.h"
#include "match/index.h"
#include "store/store.h"

#define ND 400
#define NS 3000

static const char *occs[] = {"6-18-01-01", "6-18-01-02", "6-18-02-01", "6-18-02-03", "6-19-01-01",
                             "6-19-03-02", "4-02-01-01", "4-02-02-01", "2-02-07-04", "6-31-01-03"};
static const char *counties[] = {"370102", "370103", "370211", "370212", "370602"};
static const char *cities[] = {"370100", "370100", "370200", "370200", "370600"};

static np_match_demand_row_t drows[ND];
static int64_t nd_max = ND + 10; /* brute force over demand ids 1..nd_max */
static np_match_seeker_row_t srows[NS];
static int32_t today;

static void make_instance(np_match_index_t *ix, unsigned seed) {
  srand(seed);
  np_date_t t;
  np_date_parse("2023-05-20", 10, &t);
  today = t.days;
  for (int i = 0; i < ND; i++) {
    np_match_demand_row_t *d = &drows[i];
    memset(d, 0, sizeof *d);
    d->id = i + 1;
    d->enterprise_id = 1 + i % 50;
    d->occupation_code = occs[rand() % 10];
    d->skill_level = rand() % 4;
    d->salary_min = 300000 + (rand() % 5) * 50000;
    d->salary_max = d->salary_min + (rand() % 4) * 50000;
    d->edu_rank = rand() % 3 ? 0 : 1 + rand() % 4;
    d->age_min = rand() % 3 ? 0 : 18;
    d->age_max = rand() % 3 ? 0 : 40 + rand() % 15;
    d->needed_by = rand() % 4 ? today + 30 + rand() % 60 : NP_MATCH_NO_DATE;
    d->created = today - rand() % 90;
    int c = rand() % 5;
    d->county_code = counties[c];
    d->city_code = cities[c];
    d->circle = 1 + (c >= 4);
    d->has_loc = rand() % 20 != 0;
    d->lat_e6 = 36000000 + rand() % 1200000;
    d->lon_e6 = 116800000 + rand() % 1600000;
    d->is_key = rand() % 5 == 0;
    d->is_public = rand() % 10 != 0;
    d->status_ok = rand() % 10 != 0;
    d->open_count = rand() % 6;
  }
  for (int i = 0; i < NS; i++) {
    np_match_seeker_row_t *s = &srows[i];
    memset(s, 0, sizeof *s);
    s->id = i + 1;
    s->nocc = 1 + rand() % 3;
    for (int k = 0; k < s->nocc; k++) s->occupation_codes[k] = occs[rand() % 10];
    s->skill_level = rand() % 6;
    s->edu_rank = rand() % 6;
    s->expected_salary = rand() % 5 ? 300000 + (rand() % 10) * 40000 : 0;
    s->birth = today - (17 + rand() % 45) * 365 - rand() % 365;
    s->available_from = rand() % 3 ? today + rand() % 100 : NP_MATCH_NO_DATE;
    s->created = today - rand() % 200;
    int c = rand() % 5;
    s->county_code = counties[c];
    s->city_code = cities[c];
    s->circle = 1 + (c >= 4);
    s->has_loc = true;
    s->lat_e6 = 36000000 + rand() % 1200000;
    s->lon_e6 = 116800000 + rand() % 1600000;
    s->consent = rand() % 10 != 0;
    s->status_ok = rand() % 10 != 0;
  }
  assert_int_equal(np_match_index_put_many(ix, drows, ND, srows, NS), NP_OK);
}

typedef struct bf {
  int32_t score;
  int64_t id;
} bf_t;

static int cmp_bf(const void *a, const void *b) {
  const bf_t *x = a, *y = b;
  if (x->score != y->score) return x->score > y->score ? -1 : 1;
  return x->id < y->id ? -1 : x->id > y->id;
}

/* every match of a demand by evaluating all seekers */
static size_t brute_candidates(np_match_index_t *ix, int64_t did, const np_match_query_t *q, bf_t *out) {
  np_match_rules_t rules;
  np_match_index_rules(ix, &rules);
  np_match_where_t w = {.scope = q->scope, .radius_m = q->radius_m, .today = q->today};
  np_match_demand_t d;
  if (!np_match_index_get_demand(ix, did, &d)) return 0;
  size_t n = 0;
  for (int64_t sid = 1; sid <= NS + 10; sid++) {
    np_match_seeker_t s;
    if (!np_match_index_get_seeker(ix, sid, &s)) continue;
    np_match_eval_t e;
    np_match_eval(&rules, &w, &d, &s, &e);
    if (e.filter == NP_MF_PASS) out[n++] = (bf_t){e.score, sid};
  }
  qsort(out, n, sizeof *out, cmp_bf);
  return n;
}

static size_t brute_jobs(np_match_index_t *ix, int64_t sid, const np_match_query_t *q, bf_t *out) {
  np_match_rules_t rules;
  np_match_index_rules(ix, &rules);
  np_match_where_t w = {.scope = q->scope, .radius_m = q->radius_m, .today = q->today};
  np_match_seeker_t s;
  if (!np_match_index_get_seeker(ix, sid, &s)) return 0;
  size_t n = 0;
  for (int64_t did = 1; did <= nd_max; did++) {
    np_match_demand_t d;
    if (!np_match_index_get_demand(ix, did, &d)) continue;
    np_match_eval_t e;
    np_match_eval(&rules, &w, &d, &s, &e);
    if (e.filter == NP_MF_PASS) out[n++] = (bf_t){e.score, did};
  }
  qsort(out, n, sizeof *out, cmp_bf);
  return n;
}

static void check_query(np_match_index_t *ix, bool demand_side, int64_t id, np_match_query_t q) {
  static bf_t want[NS + ND + 16];
  size_t n = demand_side ? brute_candidates(ix, id, &q, want) : brute_jobs(ix, id, &q, want);
  static np_match_page_t page;
  size_t seen = 0;
  q.has_cursor = false;
  for (int pages = 0; pages < 1000; pages++) {
    np_err rc = demand_side ? np_match_candidates(ix, id, &q, &page) : np_match_jobs(ix, id, &q, &page);
    if (rc == NP_ERR_NOT_FOUND) {
      assert_int_equal(n, 0);
      return;
    }
    assert_int_equal(rc, NP_OK);
    assert_int_equal(page.total, (int64_t)n);
    for (size_t i = 0; i < page.n; i++, seen++) {
      const np_match_hit_t *h = &page.hits[i];
      int64_t got = demand_side ? h->seeker.id : h->demand.id;
      assert_int_equal(got, want[seen].id);
      assert_int_equal(h->eval.score, want[seen].score);
    }
    if (!page.more) break;
    assert_int_equal(page.n, (size_t)q.limit);
    q.has_cursor = true;
    q.cursor_score = page.hits[page.n - 1].eval.score;
    q.cursor_id = demand_side ? page.hits[page.n - 1].seeker.id : page.hits[page.n - 1].demand.id;
  }
  assert_int_equal(seen, n);
}

static void test_queries_equal_brute_force(void **state) {
  (void)state;
  np_match_index_t *ix = np_match_index_new();
  make_instance(ix, 42);
  np_match_config_t c;
  np_match_config_default(&c);
  const char *a[] = {"6-18-01-01"}, *b[] = {"4-02-01-01"};
  assert_int_equal(np_match_index_configure(ix, &c, a, b, 1), NP_OK);
  np_match_query_t q = {.scope = NP_SCOPE_RADIUS, .radius_m = 50000, .today = today, .limit = 20};
  for (int64_t id = 1; id <= ND; id += 7) check_query(ix, true, id, q);
  for (int64_t id = 1; id <= NS; id += 97) check_query(ix, false, id, q);
  q.radius_m = 500000;
  q.limit = 37;
  for (int64_t id = 2; id <= ND; id += 31) check_query(ix, true, id, q);
  q.radius_m = 1;
  for (int64_t id = 3; id <= ND; id += 31) check_query(ix, true, id, q);
  q.limit = 100;
  for (int s = NP_MSCOPE_COUNTY; s <= NP_MSCOPE_CIRCLE; s++) {
    q.scope = (np_match_scope)s;
    for (int64_t id = 5; id <= ND; id += 41) check_query(ix, true, id, q);
    for (int64_t id = 5; id <= NS; id += 301) check_query(ix, false, id, q);
  }
  /* top_only (nearest cells first, early stop): the same first page */
  {
    static bf_t want[NS + ND + 16];
    np_match_page_t *pg = malloc(sizeof *pg);
    np_match_query_t t = {.scope = NP_SCOPE_RADIUS, .radius_m = 60000, .today = today, .limit = 10, .top_only = true};
    for (int64_t id = 1; id <= ND; id += 3) {
      size_t n = brute_candidates(ix, id, &t, want);
      if (np_match_candidates(ix, id, &t, pg) != NP_OK) continue;
      assert_int_equal(pg->n, n < 10 ? n : 10);
      for (size_t i = 0; i < pg->n; i++) assert_int_equal(pg->hits[i].seeker.id, want[i].id);
    }
    for (int64_t id = 1; id <= NS; id += 29) {
      size_t n = brute_jobs(ix, id, &t, want);
      if (np_match_jobs(ix, id, &t, pg) != NP_OK) continue;
      assert_int_equal(pg->n, n < 10 ? n : 10);
      for (size_t i = 0; i < pg->n; i++) assert_int_equal(pg->hits[i].demand.id, want[i].id);
    }
    free(pg);
  }
  /* bad queries */
  np_match_page_t *page = malloc(sizeof *page);
  q.scope = NP_SCOPE_RADIUS;
  q.radius_m = 0;
  assert_int_equal(np_match_candidates(ix, 1, &q, page), NP_ERR_INVALID);
  q.radius_m = 500001;
  assert_int_equal(np_match_candidates(ix, 1, &q, page), NP_ERR_INVALID);
  q.radius_m = 1000;
  q.limit = 0;
  assert_int_equal(np_match_jobs(ix, 1, &q, page), NP_ERR_INVALID);
  q.limit = 10;
  assert_int_equal(np_match_candidates(ix, 999999, &q, page), NP_ERR_NOT_FOUND);
  free(page);
  np_match_index_free(ix);
}

/* The first page of a top_only query (nearest cells first, bounds on cells and postings, early stop)
 * equals the first `limit` of the brute-force ranking: same records, same scores, same order. */
static void check_top(np_match_index_t *ix, bool demand_side, int64_t id, const np_match_query_t *q) {
  static bf_t want[NS + ND + 16];
  static np_match_page_t page;
  size_t n = demand_side ? brute_candidates(ix, id, q, want) : brute_jobs(ix, id, q, want);
  np_err rc = demand_side ? np_match_candidates(ix, id, q, &page) : np_match_jobs(ix, id, q, &page);
  if (rc == NP_ERR_NOT_FOUND) {
    assert_int_equal(n, 0);
    return;
  }
  assert_int_equal(rc, NP_OK);
  size_t k = n < (size_t)q->limit ? n : (size_t)q->limit;
  if (page.n != k) fail_msg("%s %lld: %zu results, brute force %zu", demand_side ? "line" : "seeker", (long long)id, page.n, k);
  for (size_t i = 0; i < k; i++) {
    const np_match_hit_t *h = &page.hits[i];
    int64_t got = demand_side ? h->seeker.id : h->demand.id;
    if (got != want[i].id || h->eval.score != want[i].score)
      fail_msg("%s %lld, rank %zu: got %lld (%d), brute force %lld (%d)", demand_side ? "line" : "seeker", (long long)id, i,
               (long long)got, h->eval.score, (long long)want[i].id, want[i].score);
  }
  assert_int_equal(page.more, page.n == (size_t)q->limit);
}

/* top_only on many random instances, limits, radii and weights (including zero and extreme weights,
 * related pairs, salaries beyond 32 bits) against brute force */
static void test_top_only_equals_brute_force(void **state) {
  (void)state;
  static const int limits[] = {1, 3, 10, 20, 57};
  static const int64_t radii[] = {1500, 8000, 25000, 50000, 130000, 500000};
  for (unsigned seed = 1; seed <= 6; seed++) {
    np_match_index_t *ix = np_match_index_new();
    make_instance(ix, 1000 + seed);
    /* a few records at the extremes: salaries beyond 32 bits, no requirement, far away */
    np_match_seeker_row_t sx = srows[seed];
    sx.id = NS + 1;
    sx.expected_salary = 9000000000LL;
    assert_int_equal(np_match_index_put_seeker(ix, &sx), NP_OK);
    np_match_demand_row_t dx = drows[seed];
    dx.id = ND + 1;
    dx.salary_min = 0;
    dx.salary_max = 8000000000LL;
    dx.status_ok = dx.is_public = dx.has_loc = true;
    dx.open_count = 2;
    assert_int_equal(np_match_index_put_demand(ix, &dx), NP_OK);
    /* more lines, half of them one occupation: lists long enough for cell directories and cell bounds */
    for (int i = 0; i < 1200; i++) {
      np_match_demand_row_t e = drows[rand() % ND];
      e.id = ND + 2 + i;
      e.occupation_code = i % 2 ? "6-18-01-01" : occs[rand() % 10];
      e.lat_e6 = 36000000 + rand() % 1200000;
      e.lon_e6 = 116800000 + rand() % 1600000;
      e.salary_max = rand() % 7 == 0 ? 0 : e.salary_max + (rand() % 3) * 100000;
      e.is_key = rand() % 6 == 0;
      e.created = today - rand() % 300;
      e.skill_level = rand() % 6;
      assert_int_equal(np_match_index_put_demand(ix, &e), NP_OK);
    }
    nd_max = ND + 1300;
    np_match_config_t c;
    np_match_config_default(&c);
    srand(seed * 7919);
    if (seed > 1)
      for (int t = 0; t < NP_MT__COUNT; t++) c.weight[t] = seed == 6 ? (t == NP_MT_DISTANCE ? 0 : 1000) : rand() % 1001;
    const char *a[] = {"6-18-01-01", "6-19-03-02", "2-02-07-04"}, *b[] = {"4-02-01-01", "6-31-01-03", "6-18-02-03"};
    assert_int_equal(np_match_index_configure(ix, &c, a, b, seed % 2 ? 3 : 0), NP_OK);
    for (int li = 0; li < 5; li++)
      for (int ri = 0; ri < 6; ri++) {
        np_match_query_t q = {.scope = NP_SCOPE_RADIUS, .radius_m = radii[ri], .today = today + (int32_t)(seed % 3) * 40,
                              .limit = limits[li], .top_only = true};
        int step = ri == 5 ? 37 : 11;
        for (int64_t id = 1 + (li + ri) % 5; id <= ND + 1; id += step) check_top(ix, true, id, &q);
        check_top(ix, true, ND + 1, &q);
        for (int64_t id = 1 + li * 3 + ri; id <= NS + 1; id += step * 13) check_top(ix, false, id, &q);
        check_top(ix, false, NS + 1, &q);
      }
    /* after changes (postings and cell directories rebuilt) */
    for (int i = 0; i < 200; i++) {
      np_match_seeker_row_t s = srows[rand() % NS];
      s.occupation_codes[0] = occs[rand() % 10];
      s.lat_e6 = 36000000 + rand() % 1200000;
      s.skill_level = rand() % 8;
      assert_int_equal(np_match_index_put_seeker(ix, &s), NP_OK);
      if (i % 4 == 0) np_match_index_remove_seeker(ix, 1 + rand() % NS);
    }
    np_match_query_t q = {.scope = NP_SCOPE_RADIUS, .radius_m = 40000, .today = today, .limit = 15, .top_only = true};
    for (int64_t id = 1; id <= ND; id += 13) check_top(ix, true, id, &q);
    for (int64_t id = 2; id <= NS; id += 211) check_top(ix, false, id, &q);
    np_match_index_free(ix);
    nd_max = ND + 10;
  }
}

static void test_updates(void **state) {
  (void)state;
  np_match_index_t *ix = np_match_index_new();
  make_instance(ix, 7);
  np_match_query_t q = {.scope = NP_SCOPE_RADIUS, .radius_m = 80000, .today = today, .limit = 50};
  /* change many records (occupation, place, status), remove some, add new ones: still exact */
  srand(99);
  for (int i = 0; i < 300; i++) {
    np_match_seeker_row_t s = srows[rand() % NS];
    s.occupation_codes[0] = occs[rand() % 10];
    s.lat_e6 = 36000000 + rand() % 1200000;
    s.status_ok = rand() % 4 != 0;
    assert_int_equal(np_match_index_put_seeker(ix, &s), NP_OK);
    np_match_demand_row_t d = drows[rand() % ND];
    d.occupation_code = occs[rand() % 10];
    d.open_count = rand() % 3;
    d.lon_e6 = 116800000 + rand() % 1600000;
    assert_int_equal(np_match_index_put_demand(ix, &d), NP_OK);
  }
  for (int i = 0; i < 50; i++) np_match_index_remove_seeker(ix, 1 + rand() % NS);
  np_match_index_remove_demand(ix, 5);
  np_match_demand_row_t nd = drows[0];
  nd.id = ND + 3;
  nd.status_ok = nd.is_public = true;
  nd.open_count = 4;
  nd.has_loc = true;
  assert_int_equal(np_match_index_put_demand(ix, &nd), NP_OK);
  for (int64_t id = 1; id <= ND; id += 5) check_query(ix, true, id, q);
  check_query(ix, true, ND + 3, q);
  for (int64_t id = 1; id <= NS; id += 113) check_query(ix, false, id, q);
  np_match_index_stats_t st;
  np_match_index_stats(ix, &st);
  assert_true(st.demands_indexed > 0 && st.seekers_indexed > 0);
  np_match_index_free(ix);
}

static void test_congestion(void **state) {
  (void)state;
  np_match_index_t *ix = np_match_index_new();
  np_match_config_t c;
  np_match_config_default(&c);
  c.seeker_daily_pushes = 2;
  c.demand_flood_multiple = 1;
  assert_int_equal(np_match_index_configure(ix, &c, NULL, NULL, 0), NP_OK);
  np_date_t t;
  np_date_parse("2023-05-20", 10, &t);
  /* 4 lines with one opening each, 3 seekers, all at the same place and occupation */
  for (int i = 1; i <= 4; i++) {
    np_match_demand_row_t d = {.id = i, .enterprise_id = 1, .occupation_code = "6-18-01-01", .needed_by = NP_MATCH_NO_DATE,
                               .created = t.days, .county_code = "370102", .city_code = "370100", .has_loc = true,
                               .lat_e6 = 36600000, .lon_e6 = 117000000, .is_public = true, .status_ok = true, .open_count = 1};
    assert_int_equal(np_match_index_put_demand(ix, &d), NP_OK);
  }
  for (int i = 1; i <= 3; i++) {
    np_match_seeker_row_t s = {.id = i, .occupation_codes = {"6-18-01-01"}, .nocc = 1, .birth = t.days - 30 * 365,
                               .available_from = NP_MATCH_NO_DATE, .created = t.days, .county_code = "370102",
                               .city_code = "370100", .has_loc = true, .lat_e6 = 36600000, .lon_e6 = 117000000,
                               .consent = true, .status_ok = true};
    assert_int_equal(np_match_index_put_seeker(ix, &s), NP_OK);
  }
  np_match_query_t q = {.scope = NP_SCOPE_RADIUS, .radius_m = 10000, .today = t.days, .limit = 1, .record = true};
  np_match_page_t *p = malloc(sizeof *p);
  /* line 1 gets seeker 1 (best by id); K × open = 1: line 1 shows nobody else today */
  assert_int_equal(np_match_candidates(ix, 1, &q, p), NP_OK);
  assert_int_equal(p->n, 1);
  assert_int_equal(p->hits[0].seeker.id, 1);
  q.limit = 10;
  assert_int_equal(np_match_candidates(ix, 1, &q, p), NP_OK);
  assert_int_equal(p->n, 1); /* the pair already pushed may be shown again */
  assert_int_equal(p->congested, 2);
  /* line 2 → seeker 1 (its second push), line 3 → seekers 2.. (seeker 1 is at N = 2) */
  q.limit = 1;
  assert_int_equal(np_match_candidates(ix, 2, &q, p), NP_OK);
  assert_int_equal(p->hits[0].seeker.id, 1);
  assert_int_equal(np_match_candidates(ix, 3, &q, p), NP_OK);
  assert_int_equal(p->hits[0].seeker.id, 2);
  /* without recording nothing is limited */
  q.record = false;
  q.limit = 10;
  assert_int_equal(np_match_candidates(ix, 3, &q, p), NP_OK);
  assert_int_equal(p->n, 3);
  /* a new day starts afresh */
  q.record = true;
  q.today = t.days + 1;
  assert_int_equal(np_match_candidates(ix, 1, &q, p), NP_OK);
  assert_int_equal(p->n, 1);
  free(p);
  np_match_index_free(ix);
}

static np_store_t *st;

static void exec(const char *sql) {
  np_errdetail_t e = {0};
  np_err rc = np_store_exec(st, sql, &e);
  if (rc) fprintf(stderr, "%s: %s\n", sql, e.message);
  assert_int_equal(rc, NP_OK);
}

static void change(const char *entity, const char *id) {
  np_errdetail_t e = {0};
  assert_int_equal(np_store_begin(st, &e), NP_OK);
  assert_int_equal(np_store_change(st, entity, id, "insert", NULL, &e), NP_OK);
  assert_int_equal(np_store_commit(st, &e), NP_OK);
}

static void test_store_and_feed(void **state) {
  (void)state;
  np_errdetail_t e = {0};
  int applied = 0;
  assert_int_equal(np_store_open(tu_tmp_db_url("match_index.db"), &st, &e), NP_OK);
  assert_int_equal(np_store_migrate(st, &applied, &e), NP_OK);
  exec("INSERT INTO enterprises (id, uscc, name, industry_code, industry_section, region_code, township_code, county_code, "
       "city_code, lat_e6, lon_e6, is_key, size_class, size_basis, created_at, updated_at) VALUES (1, 'X1', 'E', '3311', "
       "'C', '370102001', '370102001', '370102', '370100', 36650000, 117120000, 1, 'small', 't', '2023-05-01T00:00:00Z', "
       "'2023-05-01T00:00:00Z')");
  exec("INSERT INTO demands (id, enterprise_id, region_code, county_code, city_code, occupation_code, count, open_count, "
       "skill_level, salary_min, salary_max, needed_by, created_at, updated_at) VALUES (1, 1, '370102001', '370102', "
       "'370100', '6-18-01-01', 3, 3, 2, 500000, 600000, '2099-01-01', '2023-05-01T00:00:00Z', '2023-05-01T00:00:00Z')");
  exec("INSERT INTO seekers (id, id_number_sealed, id_number_index, id_number_masked, name, sex, birth_date, "
       "hukou_region_code, region_code, county_code, city_code, lat_e6, lon_e6, skill_level, expected_salary, consent, "
       "status, created_at, updated_at) VALUES (1, 's', 'i1', 'm', 'A', 'M', '1990-01-01', '370102', '370102', '370102', "
       "'370100', 36660000, 117130000, 3, 550000, 1, 'seeking', '2023-05-01T00:00:00Z', '2023-05-01T00:00:00Z')");
  exec("INSERT INTO seeker_occupations (seeker_id, rank, occupation_code) VALUES (1, 1, '6-18-01-02')");
  np_match_index_t *ix = np_match_index_new();
  assert_int_equal(np_match_index_load(ix, st, NULL, &e), NP_OK);
  np_match_query_t q = {.scope = NP_SCOPE_RADIUS, .radius_m = 50000, .today = np_date_today().days, .limit = 10};
  np_match_page_t *p = malloc(sizeof *p);
  assert_int_equal(np_match_candidates(ix, 1, &q, p), NP_OK);
  assert_int_equal(p->n, 1);
  assert_int_equal(p->hits[0].eval.relation, NP_REL_MINOR);
  assert_true(p->hits[0].demand.is_key);
  /* a new seeker and a new line through the feed */
  exec("INSERT INTO seekers (id, id_number_sealed, id_number_index, id_number_masked, name, sex, birth_date, "
       "hukou_region_code, region_code, county_code, city_code, lat_e6, lon_e6, skill_level, consent, status, created_at, "
       "updated_at) VALUES (2, 's', 'i2', 'm', 'B', 'F', '1995-01-01', '370102', '370102', '370102', '370100', 36650000, "
       "117120000, 4, 1, 'seeking', '2023-05-02T00:00:00Z', '2023-05-02T00:00:00Z')");
  exec("INSERT INTO seeker_occupations (seeker_id, rank, occupation_code) VALUES (2, 1, '6-18-01-01')");
  change("seeker", "skr_2");
  exec("INSERT INTO demands (id, enterprise_id, region_code, county_code, city_code, occupation_code, count, open_count, "
       "created_at, updated_at) VALUES (2, 1, '370102001', '370102', '370100', '6-18-01-01', 1, 1, "
       "'2023-05-03T00:00:00Z', '2023-05-03T00:00:00Z')");
  change("demand", "dem_2");
  int64_t n = 0;
  assert_int_equal(np_match_index_follow(ix, st, NULL, &n, &e), NP_OK);
  assert_int_equal(n, 2);
  assert_int_equal(np_match_candidates(ix, 1, &q, p), NP_OK);
  assert_int_equal(p->n, 2);
  assert_int_equal(p->hits[0].seeker.id, 2); /* exact occupation first */
  assert_int_equal(np_match_jobs(ix, 2, &q, p), NP_OK);
  assert_int_equal(p->n, 2);
  /* the seeker withdraws consent, the line is closed: both leave the index */
  exec("UPDATE seekers SET consent = 0 WHERE id = 2");
  change("seeker", "skr_2");
  exec("UPDATE demands SET status = 'cancelled', open_count = 0 WHERE id = 2");
  change("demand", "dem_2");
  assert_int_equal(np_match_index_follow(ix, st, NULL, &n, &e), NP_OK);
  assert_int_equal(np_match_candidates(ix, 1, &q, p), NP_OK);
  assert_int_equal(p->n, 1);
  assert_int_equal(np_match_candidates(ix, 2, &q, p), NP_ERR_NOT_FOUND);
  assert_int_equal(np_match_jobs(ix, 2, &q, p), NP_ERR_NOT_FOUND);
  /* an excluded pair explained from the store: consent */
  np_match_demand_t d;
  np_match_seeker_t s;
  assert_int_equal(np_match_index_fetch_demand(ix, st, NULL, 1, &d, &e), NP_OK);
  assert_int_equal(np_match_index_fetch_seeker(ix, st, NULL, 2, &s, &e), NP_OK);
  np_match_where_t w = {.scope = NP_SCOPE_RADIUS, .radius_m = 50000, .today = q.today};
  np_match_eval_t ev;
  json_t *j = np_match_index_explain(ix, &w, &d, &s, &ev);
  assert_string_equal(json_string_value(json_object_get(j, "filter")), "consent");
  json_decref(j);
  /* weights from the table, reloaded on a match_config change */
  exec("UPDATE match_weights SET weight = 0 WHERE term = 'key_enterprise'");
  change("match_config", "weights");
  assert_int_equal(np_match_index_follow(ix, st, NULL, &n, &e), NP_OK);
  np_match_config_t c;
  np_match_index_config(ix, &c);
  assert_int_equal(c.weight[NP_MT_KEY], 0);
  free(p);
  np_match_index_free(ix);
  np_store_close(st);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_queries_equal_brute_force),
    cmocka_unit_test(test_top_only_equals_brute_force),
    cmocka_unit_test(test_updates),
    cmocka_unit_test(test_congestion),
    cmocka_unit_test(test_store_and_feed),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
