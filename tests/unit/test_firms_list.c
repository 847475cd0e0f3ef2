/*
 * The enterprise list: every page of every filter shape, walked by cursor, equals the order computed
 * here (green channel first, then the sort column, then id) — with and without the list-order indexes
 * the SQLite path names (0016) — and the total follows every write at once (the memo is keyed by the
 * change-feed sequence).
 */
#include "testutil.h"
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/buf.h"
#include "core/jsonw.h"
#include "firms/enterprises.h"
#include "store/store.h"

#define N 400

typedef struct row {
  int64_t id, openings, headcount;
  int green, key;
  char name[32], industry[8], city[8], county[8];
} row_t;

static np_store_t *db;
static row_t rows[N];
static const char *const counties[] = {"370102", "370112", "370202", "370211"};
static const char *const industries[] = {"3411", "3412", "3441", "3670", "1311", "2614"};

static int setup(void **state) {
  (void)state;
  np_errdetail_t err = {0};
  int applied = 0;
  if (np_store_open(tu_tmp_db_url("firms_list.db"), &db, &err) || np_store_migrate(db, &applied, &err)) {
    fprintf(stderr, "setup: %s\n", err.message);
    return -1;
  }
  unsigned seed = 7;
#define RND(n) ((int)(((seed = seed * 1103515245u + 12345u) >> 16) % (unsigned)(n)))
  if (np_store_begin(db, &err)) return -1;
  for (int i = 0; i < N; i++) {
    row_t *r = &rows[i];
    r->id = i + 1;
    const char *county = counties[RND(4)];
    snprintf(r->county, sizeof r->county, "%s", county);
    snprintf(r->city, sizeof r->city, "%.4s00", county);
    snprintf(r->industry, sizeof r->industry, "%s", industries[RND(6)]);
    /* names collide on purpose (ties break by id) */
    snprintf(r->name, sizeof r->name, "企业%02d", RND(60));
    r->green = RND(5) == 0;
    r->key = RND(4) == 0;
    r->openings = RND(3) ? RND(80) : 0;
    r->headcount = RND(900);
    char uscc[19];
    np_ent_uscc_make(county, (uint32_t)i + 1, uscc);
    np_stmt_t *st = NULL;
    bool has = false;
    if (np_store_prepare(db,
                         "INSERT INTO enterprises (id, uscc, name, industry_code, industry_section, region_code, "
                         "township_code, county_code, city_code, size_class, size_basis, is_key, headcount, "
                         "green_channel, open_openings, created_at, updated_at) VALUES (?, ?, ?, ?, 'C', ?, ?, ?, ?, "
                         "'small', 'test', ?, ?, ?, ?, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
                         &st, &err))
      return -1;
    char town[16];
    snprintf(town, sizeof town, "%s001", county);
    int k = 0;
    np_store_bind_int64(st, ++k, r->id);
    np_store_bind_text(st, ++k, uscc, NP_STORE_STRLEN);
    np_store_bind_text(st, ++k, r->name, NP_STORE_STRLEN);
    np_store_bind_text(st, ++k, r->industry, NP_STORE_STRLEN);
    np_store_bind_text(st, ++k, town, NP_STORE_STRLEN);
    np_store_bind_text(st, ++k, town, NP_STORE_STRLEN);
    np_store_bind_text(st, ++k, r->county, NP_STORE_STRLEN);
    np_store_bind_text(st, ++k, r->city, NP_STORE_STRLEN);
    np_store_bind_int64(st, ++k, r->key);
    np_store_bind_int64(st, ++k, r->headcount);
    np_store_bind_int64(st, ++k, r->green);
    np_store_bind_int64(st, ++k, r->openings);
    np_err e = np_store_step(st, &has, &err);
    np_store_release(st);
    if (e) {
      fprintf(stderr, "insert: %s\n", err.message);
      return -1;
    }
  }
  if (np_store_change(db, "enterprise", "bulk", "insert", NULL, &err) || np_store_commit(db, &err)) return -1;
  return 0;
#undef RND
}

static int teardown(void **state) {
  (void)state;
  np_store_close(db);
  return 0;
}

static const np_ent_filter_t *g_f;

static int sort_key_cmp(const row_t *a, const row_t *b) {
  if (a->green != b->green) return b->green - a->green; /* green first, whatever the direction */
  int c = 0;
  switch (g_f->sort) {
  case NP_ENT_SORT_NAME: c = strcmp(a->name, b->name); break;
  case NP_ENT_SORT_HEADCOUNT: c = (a->headcount > b->headcount) - (a->headcount < b->headcount); break;
  case NP_ENT_SORT_OPENINGS: c = (a->openings > b->openings) - (a->openings < b->openings); break;
  default: break;
  }
  if (!c) c = (a->id > b->id) - (a->id < b->id);
  return g_f->desc ? -c : c;
}

static int cmp_rows(const void *x, const void *y) { return sort_key_cmp(*(row_t *const *)x, *(row_t *const *)y); }

static bool matches(const row_t *r, const np_ent_filter_t *f) {
  if (f->region && strncmp(r->county, f->region, strlen(f->region) == 6 && strcmp(f->region + 4, "00") == 0 ? 4 : 6) != 0)
    return false;
  if (f->industry && strncmp(r->industry, f->industry, strlen(f->industry)) != 0) return false;
  if (f->has_shortage == 1 && r->openings <= 0) return false;
  if (f->has_shortage == 0 && r->openings > 0) return false;
  if (f->is_key >= 0 && r->key != f->is_key) return false;
  if (f->green_channel >= 0 && r->green != f->green_channel) return false;
  return true;
}

/* walks every page of f and compares ids and total with the expected order */
static void check_filter(np_ent_filter_t *f) {
  g_f = f;
  row_t *want[N];
  int nwant = 0;
  for (int i = 0; i < N; i++)
    if (matches(&rows[i], f)) want[nwant++] = &rows[i];
  qsort(want, (size_t)nwant, sizeof want[0], cmp_rows);
  np_arena_t *a = np_arena_new(0);
  int seen = 0;
  f->cursor = NULL;
  for (int page = 0; page < 100; page++) {
    np_buf_t b;
    np_jw_t w;
    np_buf_init(&b, 0);
    np_jw_init(&w, &b);
    int64_t total = -1;
    const char *next = NULL;
    np_errdetail_t err = {0};
    assert_int_equal(np_ent_list(db, f, a, &w, &total, &next, &err), NP_OK);
    assert_int_equal(total, nwant);
    json_t *items = json_loadb(b.data, b.len, 0, NULL);
    assert_non_null(items);
    for (size_t i = 0; i < json_array_size(items); i++) {
      const char *id = json_string_value(json_object_get(json_array_get(items, i), "id"));
      char expect[32];
      assert_true(seen < nwant);
      snprintf(expect, sizeof expect, "ent_%" PRId64, want[seen]->id);
      if (strcmp(id, expect) != 0)
        fail_msg("region=%s industry=%s shortage=%d sort=%d desc=%d: item %d is %s, want %s", f->region ? f->region : "",
                 f->industry ? f->industry : "", f->has_shortage, (int)f->sort, f->desc, seen, id, expect);
      seen++;
    }
    json_decref(items);
    np_buf_free(&b);
    if (!next) break;
    f->cursor = next;
  }
  assert_int_equal(seen, nwant);
  f->cursor = NULL;
  np_arena_free(a);
}

static void test_pages_match_the_order(void **state) {
  (void)state;
  static const char *const regions[] = {NULL, "370100", "370200", "370102", "370211"};
  static const char *const inds[] = {NULL, "34", "3670", "C"};
  for (size_t ri = 0; ri < 5; ri++)
    for (size_t ii = 0; ii < 4; ii++)
      for (int sh = -1; sh <= 1; sh++)
        for (int so = 0; so < 3; so++)
          for (int desc = 0; desc < 2; desc++) {
            np_ent_filter_t f = {.region = regions[ri], .industry = inds[ii], .is_key = -1, .above_scale = -1,
                                 .has_shortage = sh, .green_channel = -1, .limit = 7,
                                 .sort = so == 0 ? NP_ENT_SORT_NAME : so == 1 ? NP_ENT_SORT_HEADCOUNT : NP_ENT_SORT_OPENINGS,
                                 .desc = desc, .scope = {.kind = NP_SCOPE_ALL}};
            if (inds[ii] && strcmp(inds[ii], "C") == 0) f.industry = NULL; /* sections need the reference data */
            check_filter(&f);
          }
  /* a city user's scope with a county filter, and a key filter (the unhinted path) */
  np_ent_filter_t f = {.region = "370102", .is_key = -1, .above_scale = -1, .has_shortage = 1, .green_channel = -1,
                       .limit = 5, .sort = NP_ENT_SORT_NAME, .scope = {.kind = NP_SCOPE_REGION, .region_prefix = "3701"}};
  check_filter(&f);
  f.is_key = 1;
  check_filter(&f);
}

/* every write moves the change feed; the next list counts again */
static void test_total_follows_writes(void **state) {
  (void)state;
  np_ent_filter_t f = {.region = "370200", .industry = "34", .is_key = -1, .above_scale = -1, .has_shortage = 1,
                       .green_channel = -1, .limit = 20, .sort = NP_ENT_SORT_NAME, .scope = {.kind = NP_SCOPE_ALL}};
  check_filter(&f);
  check_filter(&f); /* the second asks the memo */
  np_errdetail_t err = {0};
  for (int round = 0; round < 3; round++) {
    /* flip the shortage of every Qingdao 34xx enterprise of one parity */
    assert_int_equal(np_store_begin(db, &err), NP_OK);
    for (int i = round % 2; i < N; i += 2) {
      row_t *r = &rows[i];
      if (strncmp(r->city, "3702", 4) != 0 || strncmp(r->industry, "34", 2) != 0) continue;
      r->openings = r->openings ? 0 : 5;
      char sql[160];
      snprintf(sql, sizeof sql, "UPDATE enterprises SET open_openings = %" PRId64 " WHERE id = %" PRId64, r->openings, r->id);
      assert_int_equal(np_store_exec(db, sql, &err), NP_OK);
    }
    assert_int_equal(np_store_change(db, "enterprise", "bulk", "update", NULL, &err), NP_OK);
    assert_int_equal(np_store_commit(db, &err), NP_OK);
    check_filter(&f);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_pages_match_the_order),
    cmocka_unit_test(test_total_follows_writes),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
