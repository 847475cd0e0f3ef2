/* Reference index: regions, circles, centroids, search, industries, occupations, skills, min wage. */
#include "testutil.h"
#include <string.h>
#include "core/valid.h"
#include "ref/ref.h"
#include "store/store.h"

static np_store_t *g_store;
static np_ref_t *g_ref;

static int setup(void **state) {
  np_errdetail_t err = {0};
  int applied = 0;
  np_ref_load_stats_t st;
  if (np_store_open(tu_tmp_db_url("ref_index.db"), &g_store, &err)) return -1;
  if (np_store_migrate(g_store, &applied, &err)) return -1;
  if (np_ref_load(g_store, &st, &err)) {
    print_error("load: %s %s\n", err.code, err.message);
    return -1;
  }
  if (np_ref_open(g_store, &g_ref, &err)) {
    print_error("open: %s %s\n", err.code, err.message);
    return -1;
  }
  return 0;
}

static int teardown(void **state) {
  np_ref_close(g_ref);
  np_store_close(g_store);
  return 0;
}

static void test_region_chain(void **state) {
  const np_region_t *r = np_ref_region(g_ref, "370102");
  assert_non_null(r);
  assert_string_equal(r->name, "历下区");
  assert_int_equal(r->level, NP_REGION_COUNTY);
  assert_string_equal(r->type, "district");
  assert_true(r->in_gbt2260);
  assert_string_equal(r->parent->code, "370100");
  assert_string_equal(r->parent->name, "济南市");
  assert_string_equal(r->parent->parent->code, "370000");
  assert_string_equal(r->parent->parent->name, "山东省");
  assert_null(r->parent->parent->parent);
  assert_ptr_equal(np_ref_province(g_ref), r->parent->parent);
  assert_null(np_ref_region(g_ref, "370199"));
  assert_null(np_ref_region(g_ref, ""));
  assert_null(np_ref_region(g_ref, NULL));

  /* Children ordered by code; the province has the 16 cities. */
  const np_region_t *p = np_ref_province(g_ref);
  assert_int_equal(p->nchildren, 16);
  assert_string_equal(p->children[0]->code, "370100");
  assert_string_equal(p->children[15]->code, "371700");
  for (size_t i = 1; i < p->nchildren; i++) assert_true(strcmp(p->children[i - 1]->code, p->children[i]->code) < 0);
  const np_region_t *jinan = np_ref_region(g_ref, "370100");
  assert_int_equal(jinan->nchildren, 13); /* 12 districts/counties + 济南高新区 */
  size_t total = 0;
  for (size_t i = 0; i < p->nchildren; i++) total += p->children[i]->nchildren;
  assert_int_equal(total, 151);
}

static void test_within_and_functional_zones(void **state) {
  /* A village in 历下区: within its township, county, city and province. */
  const np_region_t *v = np_ref_region(g_ref, "370102001002");
  assert_non_null(v);
  assert_int_equal(v->level, NP_REGION_VILLAGE);
  assert_true(np_ref_region_within(g_ref, "370102001002", "370102001"));
  assert_true(np_ref_region_within(g_ref, "370102001002", "370102"));
  assert_true(np_ref_region_within(g_ref, "370102001002", "370100"));
  assert_true(np_ref_region_within(g_ref, "370102001002", "370000"));
  assert_true(np_ref_region_within(g_ref, "370102", "370102"));
  assert_false(np_ref_region_within(g_ref, "370102001002", "370103"));
  assert_false(np_ref_region_within(g_ref, "370102001002", "370200"));
  assert_false(np_ref_region_within(g_ref, "370100", "370102"));
  assert_false(np_ref_region_within(g_ref, "370102", "999999"));
  assert_string_equal(np_ref_region_at(v, NP_REGION_COUNTY)->code, "370102");
  assert_string_equal(np_ref_region_at(v, NP_REGION_CITY)->code, "370100");
  assert_null(np_ref_region_at(np_ref_region(g_ref, "370100"), NP_REGION_COUNTY));

  /* Functional zone: a county-level unit whose parent is the city; not GB/T 2260. */
  const np_region_t *fz = np_ref_region(g_ref, "370176");
  assert_non_null(fz);
  assert_int_equal(fz->level, NP_REGION_COUNTY);
  assert_string_equal(fz->type, "functional_zone");
  assert_false(fz->in_gbt2260);
  assert_string_equal(fz->parent->code, "370100");
  assert_true(fz->nchildren > 0);
  assert_true(np_ref_region_within(g_ref, "370176001", "370100"));
  assert_false(np_ref_region_within(g_ref, "370176001", "370102"));
}

static void test_circles_and_centroids(void **state) {
  const np_econ_circle_t *c = np_ref_region_circle(g_ref, np_ref_region(g_ref, "370202001001")); /* 青岛 village */
  assert_non_null(c);
  assert_string_equal(c->name, "胶东经济圈");
  c = np_ref_region_circle(g_ref, np_ref_region(g_ref, "370102"));
  assert_string_equal(c->name, "省会经济圈");
  c = np_ref_region_circle(g_ref, np_ref_region(g_ref, "371300"));
  assert_string_equal(c->name, "鲁南经济圈");
  assert_null(np_ref_region_circle(g_ref, np_ref_province(g_ref)));

  int32_t lat = 0, lon = 0;
  const np_region_t *from = NULL;
  assert_true(np_ref_region_centroid(np_ref_region(g_ref, "370102"), &lat, &lon, &from));
  assert_int_equal(lat, 36655370);
  assert_int_equal(lon, 117098010);
  assert_string_equal(from->code, "370102");
  /* A village inherits its county's centroid. */
  assert_true(np_ref_region_centroid(np_ref_region(g_ref, "370102001002"), &lat, &lon, &from));
  assert_int_equal(lat, 36655370);
  assert_string_equal(from->code, "370102");
  /* Functional zones and everything in them: unknown; so are cities and the province. */
  assert_false(np_ref_region_centroid(np_ref_region(g_ref, "370176"), &lat, &lon, &from));
  assert_false(np_ref_region_centroid(np_ref_region(g_ref, "370176001"), &lat, &lon, &from));
  assert_false(np_ref_region_centroid(np_ref_region(g_ref, "370100"), &lat, &lon, &from));
}

static void test_region_search(void **state) {
  const np_region_t *out[20];
  size_t total = 0;
  size_t n = np_ref_region_search(g_ref, "历下", NULL, 20, out, &total);
  assert_true(n >= 1);
  assert_string_equal(out[0]->code, "370102"); /* prefix match at county level before villages */
  /* Exact name first, then higher levels: 市中区 exists in 济南 and 枣庄. */
  n = np_ref_region_search(g_ref, "市中区", NULL, 20, out, &total);
  assert_true(n >= 2);
  assert_string_equal(out[0]->name, "市中区");
  assert_string_equal(out[1]->name, "市中区");
  assert_int_equal(out[0]->level, NP_REGION_COUNTY);
  /* Limit is respected and total counts every match. */
  n = np_ref_region_search(g_ref, "村", NULL, 5, out, &total);
  assert_int_equal(n, 5);
  assert_true(total > 1000);
  /* Restricted to a city. */
  n = np_ref_region_search(g_ref, "街道", np_ref_region(g_ref, "370200"), 20, out, &total);
  assert_int_equal(n, 20);
  for (size_t i = 0; i < n; i++) assert_true(np_ref_region_within(g_ref, out[i]->code, "370200"));
  /* Code prefix. */
  n = np_ref_region_search(g_ref, "370102001", NULL, 3, out, &total);
  assert_string_equal(out[0]->code, "370102001");
  assert_int_equal(np_ref_region_search(g_ref, "没有这个地方", NULL, 5, out, &total), 0);
  assert_int_equal(total, 0);
}

static void test_region_known(void **state) {
  assert_true(np_ref_region_known("370102", g_ref));
  assert_true(np_ref_region_known("370100", g_ref));
  assert_true(np_ref_region_known("370000", g_ref));
  assert_true(np_ref_region_known("371302", g_ref));
  assert_true(np_ref_region_known("370181", g_ref)); /* retired 章丘市, still on old ID cards */
  assert_false(np_ref_region_known("370199", g_ref));
  assert_true(np_ref_region_known("110105", g_ref)); /* other provinces: prefix only */
  assert_true(np_ref_region_known("440524", g_ref));
  assert_false(np_ref_region_known("990101", g_ref));
  assert_false(np_ref_region_known("100101", g_ref));
  assert_false(np_ref_region_known("37010a", g_ref));
  /* Wired into the ID validator. */
  const char *ok[] = {"370102199003070024", "371302197512014568", "11010519491231002X", "440524198001010013"};
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
    assert_int_equal(np_valid_id_number(ok[i], 18, np_ref_region_known, g_ref, NULL, NULL), NP_OK);
  char bad[19] = "37019919900307002";
  bad[17] = np_valid_id_check_char(bad); /* right check character, unknown Shandong county 370199 */
  np_errdetail_t err = {0};
  assert_int_equal(np_valid_id_number(bad, 18, np_ref_region_known, g_ref, NULL, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "region");
}

static void test_industries(void **state) {
  const np_ref_item_t *it = np_ref_item(g_ref, NP_REF_INDUSTRIES, "3411");
  assert_non_null(it);
  assert_string_equal(it->name, "锅炉及辅助设备制造");
  assert_string_equal(it->level, "class");
  assert_string_equal(it->parent->code, "341");
  assert_string_equal(it->parent->parent->code, "34");
  assert_string_equal(it->parent->parent->parent->code, "C");
  assert_string_equal(it->parent->parent->parent->name, "制造业");
  assert_null(it->parent->parent->parent->parent);
  /* A class whose single-class group has no row of its own hangs under the division. */
  it = np_ref_item(g_ref, NP_REF_INDUSTRIES, "0190");
  assert_string_equal(it->parent_code, "019");
  assert_string_equal(it->parent->code, "01");
  /* Duplicate 374: the first row is kept. */
  assert_string_equal(np_ref_item(g_ref, NP_REF_INDUSTRIES, "374")->name, "航空、航天器及设备制造");
  size_t n = 0;
  const np_ref_item_t *const *roots = np_ref_item_roots(g_ref, NP_REF_INDUSTRIES, &n);
  assert_int_equal(n, 20);
  assert_string_equal(roots[0]->code, "A");
  assert_int_equal(np_ref_item(g_ref, NP_REF_INDUSTRIES, "C")->nchildren, 31); /* divisions 13–43 */

  const np_ref_item_t *out[10];
  size_t total = 0;
  np_ref_item_query_t q = {.q = "锅炉", .limit = 10};
  n = np_ref_item_search(g_ref, NP_REF_INDUSTRIES, &q, out, &total);
  assert_true(n >= 2);
  assert_string_equal(out[0]->code, "341"); /* prefix, group before class */
  q = (np_ref_item_query_t){.q = "34", .level = "class", .limit = 10};
  n = np_ref_item_search(g_ref, NP_REF_INDUSTRIES, &q, out, &total);
  assert_int_equal(n, 10);
  for (size_t i = 0; i < n; i++) assert_int_equal(strncmp(out[i]->code, "34", 2), 0);
  q = (np_ref_item_query_t){.parent = "C", .level = "division", .limit = 10};
  n = np_ref_item_search(g_ref, NP_REF_INDUSTRIES, &q, out, &total);
  assert_int_equal(total, 31);
}

static void test_occupations(void **state) {
  const np_ref_item_t *it = np_ref_item(g_ref, NP_REF_OCCUPATIONS, "6-18-02-04");
  assert_non_null(it);
  assert_string_equal(it->name, "焊工");
  assert_string_equal(it->level, "occupation");
  assert_null(it->gbm_code);
  assert_string_equal(it->parent->code, "6-18-02");
  assert_string_equal(it->parent->parent->code, "6-18");
  assert_string_equal(it->parent->parent->parent->code, "6");
  assert_string_equal(it->parent->parent->parent->name, "生产制造及有关人员");
  assert_string_equal(it->parent->parent->parent->gbm_code, "60000");
  size_t n = 0;
  np_ref_item_roots(g_ref, NP_REF_OCCUPATIONS, &n);
  assert_int_equal(n, 8);
  const np_ref_item_t *out[10];
  size_t total = 0;
  np_ref_item_query_t q = {.q = "焊工", .limit = 10};
  n = np_ref_item_search(g_ref, NP_REF_OCCUPATIONS, &q, out, &total);
  assert_true(n >= 2);
  assert_string_equal(out[0]->code, "6-18-02-04"); /* exact name first (喷涂喷焊工 later) */
  q = (np_ref_item_query_t){.parent = "6", .level = "occupation", .limit = 1};
  np_ref_item_search(g_ref, NP_REF_OCCUPATIONS, &q, out, &total);
  assert_int_equal(total, 671);
}

static void test_skill_levels(void **state) {
  size_t n = 0;
  const np_skill_level_t *k = np_ref_skill_levels(g_ref, &n);
  assert_int_equal(n, 8);
  assert_string_equal(k[0].name, "学徒工");
  assert_int_equal(k[0].national_level_number, 0);
  assert_string_equal(np_ref_skill_level(g_ref, 5)->name, "技师");
  assert_int_equal(np_ref_skill_level(g_ref, 5)->national_level_number, 2);
  assert_string_equal(np_ref_skill_level(g_ref, 8)->name, "首席技师");
  assert_null(np_ref_skill_level(g_ref, 0));
  assert_null(np_ref_skill_level(g_ref, 9));
}

static void test_min_wage(void **state) {
  np_min_wage_t mw;
  np_errdetail_t err = {0};
  /* 兰山区 (临沂) on 2023-06-01: 169号, listed as tier 2 = 1900 yuan. */
  assert_int_equal(np_ref_min_wage(g_ref, "371302", "2023-06-01", &mw, &err), NP_OK);
  assert_string_equal(mw.standard, "鲁政字〔2021〕169号");
  assert_int_equal(mw.status, NP_MIN_WAGE_KNOWN);
  assert_int_equal(mw.tier, 2);
  assert_int_equal(mw.monthly_fen, 190000);
  assert_int_equal(mw.hourly_fen, 1900);
  assert_string_equal(mw.basis, "listed");
  /* Last day of 169号, first day of 172号. */
  assert_int_equal(np_ref_min_wage(g_ref, "371302", "2023-09-30", &mw, &err), NP_OK);
  assert_string_equal(mw.standard, "鲁政字〔2021〕169号");
  assert_int_equal(np_ref_min_wage(g_ref, "371302", "2023-10-01", &mw, &err), NP_OK);
  assert_string_equal(mw.standard, "鲁政字〔2023〕172号");
  /* 临沂 under 172号 is known: 兰山区 tier 2 = 2010, 沂南县 tier 3 = 1820. */
  assert_int_equal(np_ref_min_wage(g_ref, "371302", "2023-11-01", &mw, &err), NP_OK);
  assert_int_equal(mw.status, NP_MIN_WAGE_KNOWN);
  assert_int_equal(mw.tier, 2);
  assert_int_equal(mw.monthly_fen, 201000);
  assert_int_equal(np_ref_min_wage(g_ref, "371321", "2023-11-01", &mw, &err), NP_OK);
  assert_int_equal(mw.tier, 3);
  assert_int_equal(mw.monthly_fen, 182000);
  assert_int_equal(mw.hourly_fen, 1800);
  /* A derived tier-3 county under 169号. */
  assert_int_equal(np_ref_min_wage(g_ref, "371323", "2022-01-01", &mw, &err), NP_OK);
  assert_int_equal(mw.tier, 3);
  assert_string_equal(mw.basis, "derived");
  /* 历下区 on 2024-01-01: 172号 annex unknown outside 临沂 → tier unknown, standard still reported. */
  assert_int_equal(np_ref_min_wage(g_ref, "370102", "2024-01-01", &mw, &err), NP_OK);
  assert_int_equal(mw.status, NP_MIN_WAGE_TIER_UNKNOWN);
  assert_string_equal(mw.standard, "鲁政字〔2023〕172号");
  assert_int_equal(mw.tier, 0);
  assert_int_equal(mw.monthly_fen, 0);
  assert_null(mw.basis);
  assert_int_equal(mw.tier_monthly_fen[0], 220000);
  assert_int_equal(mw.tier_monthly_fen[1], 201000);
  assert_int_equal(mw.tier_monthly_fen[2], 182000);
  assert_int_equal(mw.tier_hourly_fen[2], 1800);
  /* A village is taken to its county. */
  assert_int_equal(np_ref_min_wage(g_ref, "370102001002", "2022-05-05", &mw, &err), NP_OK);
  assert_string_equal(mw.county->code, "370102");
  assert_int_equal(mw.tier, 1);
  assert_int_equal(mw.monthly_fen, 210000);
  /* 140号: 济南 known, other cities partly; 德州 unknown. */
  assert_int_equal(np_ref_min_wage(g_ref, "370113", "2025-10-01", &mw, &err), NP_OK);
  assert_int_equal(mw.tier, 2);
  assert_int_equal(mw.monthly_fen, 221000);
  assert_null(mw.effective_to);
  assert_int_equal(np_ref_min_wage(g_ref, "371402", "2026-01-01", &mw, &err), NP_OK);
  assert_int_equal(mw.status, NP_MIN_WAGE_TIER_UNKNOWN);
  /* Functional zone: unknown even where the city is fully known (济南 140号). */
  assert_int_equal(np_ref_min_wage(g_ref, "370176", "2025-12-01", &mw, &err), NP_OK);
  assert_int_equal(mw.status, NP_MIN_WAGE_TIER_UNKNOWN);
  assert_int_equal(np_ref_min_wage(g_ref, "370176", "2022-01-01", &mw, &err), NP_OK);
  assert_int_equal(mw.status, NP_MIN_WAGE_TIER_UNKNOWN);
  /* 2018 standard has no county annex at all. */
  assert_int_equal(np_ref_min_wage(g_ref, "370102", "2019-01-01", &mw, &err), NP_OK);
  assert_string_equal(mw.standard, "鲁政字〔2018〕80号");
  assert_int_equal(mw.status, NP_MIN_WAGE_TIER_UNKNOWN);
  assert_int_equal(mw.tier_hourly_fen[0], 1910);
  /* Errors. */
  assert_int_equal(np_ref_min_wage(g_ref, "370102", "2018-05-31", &mw, &err), NP_ERR_NOT_FOUND);
  assert_int_equal(np_ref_min_wage(g_ref, "370102", "2023-02-29", &mw, &err), NP_ERR_INVALID);
  assert_int_equal(np_ref_min_wage(g_ref, "370102", "yesterday", &mw, &err), NP_ERR_INVALID);
  assert_int_equal(np_ref_min_wage(g_ref, "370100", "2023-06-01", &mw, &err), NP_ERR_NOT_FOUND);
  assert_int_equal(np_ref_min_wage(g_ref, "379999", "2023-06-01", &mw, &err), NP_ERR_NOT_FOUND);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_region_chain),        cmocka_unit_test(test_within_and_functional_zones),
    cmocka_unit_test(test_circles_and_centroids), cmocka_unit_test(test_region_search),
    cmocka_unit_test(test_region_known),        cmocka_unit_test(test_industries),
    cmocka_unit_test(test_occupations),         cmocka_unit_test(test_skill_levels),
    cmocka_unit_test(test_min_wage),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
