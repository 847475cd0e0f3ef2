/* Batch allocation: stability against a brute-force blocking-pair checker on random instances,
 * capacities, determinism, groups kept together (or reported split) and the reasons. */
#include "testutil.h"
#include <stdlib.h>
#include <string.h>
#include "core/date.h"
#include "match/alloc.h"
#include "core/geo.h"

static int32_t today;

/* occupation ids: occ = 100·middle + 10·minor + k, with its groups */
static void set_occ(uint32_t *occ, uint32_t *minor, uint32_t *middle, int mid, int min, int k) {
  *middle = (uint32_t)mid;
  *minor = (uint32_t)(mid * 10 + min);
  *occ = (uint32_t)(mid * 100 + min * 10 + k);
}

static void random_instance(unsigned seed, np_match_demand_t *lines, size_t nl, np_alloc_worker_t *w, size_t nw,
                            int group_every) {
  srand(seed);
  np_date_t t;
  np_date_parse("2023-05-20", 10, &t);
  today = t.days;
  for (size_t l = 0; l < nl; l++) {
    np_match_demand_t *d = &lines[l];
    memset(d, 0, sizeof *d);
    d->id = (int64_t)(1000 + l * 3 + (size_t)(rand() % 3));
    set_occ(&d->occ, &d->minor, &d->middle, 1 + rand() % 3, rand() % 2, rand() % 2);
    d->skill = (uint8_t)(rand() % 3);
    d->salary_min = 400000;
    d->salary_max = 400000 + (rand() % 4) * 100000;
    d->needed_by = NP_MATCH_NO_DATE;
    d->created = today - rand() % 60;
    d->open_count = 1 + rand() % 4;
    d->age_max = rand() % 4 ? 0 : 40;
    d->is_key = rand() % 4 == 0;
    d->is_public = d->status_ok = d->live = true;
  }
  for (size_t i = 0; i < nw; i++) {
    np_match_seeker_t *s = &w[i].s;
    memset(&w[i], 0, sizeof w[i]);
    s->id = (int64_t)i + 1;
    s->nocc = (uint8_t)(1 + rand() % 2);
    for (int k = 0; k < s->nocc; k++) set_occ(&s->occ[k], &s->minor[k], &s->middle[k], 1 + rand() % 3, rand() % 2, rand() % 2);
    s->skill = (uint8_t)(rand() % 4);
    s->expected_salary = rand() % 3 ? 300000 + (rand() % 8) * 50000 : 0;
    s->birth = today - (20 + rand() % 30) * 365;
    s->available_from = NP_MATCH_NO_DATE;
    s->created = today;
    s->consent = s->status_ok = s->live = true;
    w[i].group = group_every && rand() % group_every == 0 ? 1 + rand() % 5 : 0;
  }
}

static int32_t pair_score(const np_match_rules_t *r, const np_match_demand_t *d, const np_match_seeker_t *s, bool *ok) {
  np_match_where_t where = {.scope = NP_MSCOPE_ANY, .today = today};
  np_match_eval_t e;
  np_match_eval(r, &where, d, s, &e);
  *ok = e.filter == NP_MF_PASS;
  return e.score;
}

/* Independent brute force: (worker, line) pairs that both prefer to the assignment. */
static int64_t brute_blocking(const np_match_rules_t *r, const np_match_demand_t *lines, size_t nl,
                              const np_alloc_worker_t *w, size_t nw, const int32_t *assign) {
  int64_t n = 0;
  for (size_t i = 0; i < nw; i++) {
    bool ok;
    int32_t cur = -1, curs = 0;
    if (assign[i] >= 0) {
      cur = assign[i];
      curs = pair_score(r, &lines[cur], &w[i].s, &ok);
      assert_true(ok); /* assigned pairs are acceptable */
    }
    for (size_t l = 0; l < nl; l++) {
      if ((int32_t)l == cur) continue;
      int32_t sc = pair_score(r, &lines[l], &w[i].s, &ok);
      if (!ok) continue;
      bool better = cur < 0 || sc > curs || (sc == curs && lines[l].id < lines[cur].id);
      if (!better) continue;
      int load = 0;
      bool displaces = false;
      for (size_t m = 0; m < nw; m++) {
        if (assign[m] != (int32_t)l) continue;
        load++;
        int32_t ms = pair_score(r, &lines[l], &w[m].s, &ok);
        if (ms < sc || (ms == sc && m > i)) displaces = true;
      }
      if (load < lines[l].open_count || displaces) n++;
    }
  }
  return n;
}

static void check_capacity(const np_match_demand_t *lines, size_t nl, const np_alloc_result_t *res) {
  int32_t *load = calloc(nl, sizeof *load);
  for (size_t i = 0; i < res->nworkers; i++)
    if (res->line[i] >= 0) load[res->line[i]]++;
  for (size_t l = 0; l < nl; l++) {
    assert_true(load[l] <= lines[l].open_count);
    assert_int_equal(load[l], res->load[l]);
  }
  free(load);
}

static void test_stable_without_groups(void **state) {
  (void)state;
  np_match_rules_t rules;
  np_match_rules_default(&rules);
  for (unsigned seed = 1; seed <= 60; seed++) {
    size_t nl = 5 + seed % 20, nw = 10 + (seed * 7) % 60;
    np_match_demand_t *lines = calloc(nl, sizeof *lines);
    np_alloc_worker_t *w = calloc(nw, sizeof *w);
    random_instance(seed, lines, nl, w, nw, 0);
    np_alloc_opts_t o = {.rules = &rules, .today = today, .pref_list_max = 1000};
    np_alloc_result_t res;
    assert_int_equal(np_alloc_run(&o, w, nw, lines, nl, &res), NP_OK);
    check_capacity(lines, nl, &res);
    assert_int_equal(brute_blocking(&rules, lines, nl, w, nw, res.line), 0);
    assert_int_equal(res.blocking_pairs, 0);
    assert_int_equal(res.assigned + res.unassigned, (int64_t)nw);
    for (size_t i = 0; i < nw; i++) {
      if (res.line[i] >= 0) assert_int_equal(res.reason[i], NP_ALLOC_ASSIGNED);
      else assert_true(res.reason[i] == NP_ALLOC_NO_LINE || res.reason[i] == NP_ALLOC_CAPACITY);
      if (res.reason[i] == NP_ALLOC_NO_LINE) {
        bool ok = false;
        for (size_t l = 0; l < nl && !ok; l++) pair_score(&rules, &lines[l], &w[i].s, &ok);
        assert_false(ok);
        assert_true(res.filter[i] > NP_MF_PASS && res.filter[i] < NP_MF__COUNT);
      }
    }
    /* determinism: same input, same output */
    np_alloc_result_t again;
    assert_int_equal(np_alloc_run(&o, w, nw, lines, nl, &again), NP_OK);
    assert_memory_equal(res.line, again.line, nw * sizeof *res.line);
    assert_memory_equal(res.score, again.score, nw * sizeof *res.score);
    np_alloc_result_free(&again);
    np_alloc_result_free(&res);
    free(lines);
    free(w);
  }
}

static void test_groups(void **state) {
  (void)state;
  np_match_rules_t rules;
  np_match_rules_default(&rules);
  int64_t total_blocking = 0;
  for (unsigned seed = 100; seed < 140; seed++) {
    size_t nl = 8 + seed % 10, nw = 20 + seed % 40;
    np_match_demand_t *lines = calloc(nl, sizeof *lines);
    np_alloc_worker_t *w = calloc(nw, sizeof *w);
    random_instance(seed, lines, nl, w, nw, 3);
    np_alloc_opts_t o = {.rules = &rules, .today = today, .pref_list_max = 1000};
    np_alloc_result_t res;
    assert_int_equal(np_alloc_run(&o, w, nw, lines, nl, &res), NP_OK);
    check_capacity(lines, nl, &res);
    /* the report counts exactly the blocking pairs the brute force finds */
    int64_t bp = brute_blocking(&rules, lines, nl, w, nw, res.line);
    assert_int_equal(res.blocking_pairs, bp);
    total_blocking += bp;
    /* members of a group that was not split share one line */
    for (size_t i = 0; i < nw; i++)
      for (size_t j = i + 1; j < nw; j++)
        if (w[i].group && w[i].group == w[j].group && !res.split[i] && !res.split[j])
          assert_int_equal(res.line[i], res.line[j]);
    assert_true(res.groups_together + res.groups_split <= res.groups);
    np_alloc_result_t again;
    assert_int_equal(np_alloc_run(&o, w, nw, lines, nl, &again), NP_OK);
    assert_memory_equal(res.line, again.line, nw * sizeof *res.line);
    np_alloc_result_free(&again);
    np_alloc_result_free(&res);
    free(lines);
    free(w);
  }
  (void)total_blocking;
}

static void test_small_cases(void **state) {
  (void)state;
  np_match_rules_t rules;
  np_match_rules_default(&rules);
  np_date_t t;
  np_date_parse("2023-05-20", 10, &t);
  today = t.days;
  /* one line with 2 openings, a group of 3 and one worker alone: the group cannot fit and is split */
  np_match_demand_t line = {.id = 1, .needed_by = NP_MATCH_NO_DATE, .created = today, .open_count = 2, .is_public = true,
                            .status_ok = true, .live = true};
  set_occ(&line.occ, &line.minor, &line.middle, 1, 0, 0);
  np_alloc_worker_t w[4];
  memset(w, 0, sizeof w);
  for (int i = 0; i < 4; i++) {
    w[i].s.id = i + 1;
    w[i].s.nocc = 1;
    set_occ(&w[i].s.occ[0], &w[i].s.minor[0], &w[i].s.middle[0], 1, 0, 0);
    w[i].s.birth = today - 30 * 365;
    w[i].s.available_from = NP_MATCH_NO_DATE;
    w[i].s.created = today;
    w[i].s.consent = w[i].s.status_ok = true;
    w[i].group = i < 3 ? 9 : 0;
  }
  np_alloc_opts_t o = {.rules = &rules, .today = today};
  np_alloc_result_t res;
  assert_int_equal(np_alloc_run(&o, w, 4, &line, 1, &res), NP_OK);
  assert_int_equal(res.groups, 1);
  assert_int_equal(res.groups_split, 1);
  assert_int_equal(res.assigned, 2);
  assert_int_equal(res.unassigned, 2);
  assert_true(res.split[0] && res.split[1] && res.split[2]);
  for (int i = 0; i < 4; i++)
    if (res.line[i] < 0) assert_int_equal(res.reason[i], NP_ALLOC_CAPACITY);
  np_alloc_result_free(&res);
  /* room for the group: it stays together */
  line.open_count = 3;
  assert_int_equal(np_alloc_run(&o, w, 4, &line, 1, &res), NP_OK);
  assert_int_equal(res.groups_together, 1);
  assert_int_equal(res.line[0], 0);
  assert_int_equal(res.line[1], 0);
  assert_int_equal(res.line[2], 0);
  assert_int_equal(res.line[3], -1);
  np_alloc_result_free(&res);
  /* a worker whose occupation nothing asks for: no acceptable line, named by the filter */
  w[3].group = 0;
  set_occ(&w[3].s.occ[0], &w[3].s.minor[0], &w[3].s.middle[0], 5, 0, 0);
  assert_int_equal(np_alloc_run(&o, &w[3], 1, &line, 1, &res), NP_OK);
  assert_int_equal(res.reason[0], NP_ALLOC_NO_LINE);
  assert_int_equal(res.filter[0], NP_MF_OCCUPATION);
  np_alloc_result_free(&res);
  /* empty inputs */
  assert_int_equal(np_alloc_run(&o, w, 0, &line, 1, &res), NP_OK);
  np_alloc_result_free(&res);
  assert_int_equal(np_alloc_run(&o, w, 2, NULL, 0, &res), NP_OK);
  assert_int_equal(res.unassigned, 2);
  np_alloc_result_free(&res);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_stable_without_groups),
    cmocka_unit_test(test_groups),
    cmocka_unit_test(test_small_cases),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
