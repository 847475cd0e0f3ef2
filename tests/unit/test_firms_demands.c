/* Demand lines, hires, shortage summary and 一企一策 measures against a migrated SQLite database. */
#include "testutil.h"
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include "core/ids.h"
#include "core/str.h"
#include "firms/dem_common.h"
#include "firms/demands.h"
#include "firms/hires.h"
#include "firms/plans.h"
#include "firms/shortage.h"
#include "ref/ref.h"
#include "store/store.h"

static np_store_t *s;
static np_ref_t *ref;
static np_date_t today;
static np_audit_entry_t actor = {.user_id = 0, .username = "tester", .role = "county_staff", .ip = "127.0.0.1"};

static int64_t add_enterprise(const char *uscc, const char *region, const char *county, const char *city,
                              const char *industry) {
  int64_t id = 0;
  np_errdetail_t e = {0};
  np_err rc = np_store_queryf_int64(
      s, &id, NULL, &e,
      "INSERT INTO enterprises (uscc, name, industry_code, industry_section, region_code, township_code, county_code, "
      "city_code, size_class, size_basis, created_at, updated_at) VALUES (?, ?, ?, 'C', ?, ?, ?, ?, 'small', 'test', "
      "'2023-01-01T00:00:00Z', '2023-01-01T00:00:00Z') RETURNING id",
      "ttttttt", uscc, uscc, industry, region, region, county, city);
  if (rc) fprintf(stderr, "enterprise: %s\n", e.message);
  assert_int_equal(rc, NP_OK);
  return id;
}

static int setup(void **state) {
  (void)state;
  np_errdetail_t e = {0};
  int applied = 0;
  if (np_store_open(tu_tmp_db_url("firms_demands.db"), &s, &e) || np_store_migrate(s, &applied, &e) ||
      np_ref_load(s, NULL, &e) || np_ref_open(s, &ref, &e)) {
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

static np_firms_ent_ref_t ent_a, ent_b;

static np_err create(const np_firms_ent_ref_t *ent, const char *body, int64_t *id, np_errdetail_t *e) {
  json_t *b = J(body);
  np_err rc = np_firms_demand_create(s, ref, &actor, ent, b, today, id, NULL, e);
  json_decref(b);
  return rc;
}

static int64_t openings_of(int64_t ent) {
  int64_t v = -1;
  assert_int_equal(np_store_queryf_int64(s, &v, NULL, NULL, "SELECT open_openings FROM enterprises WHERE id = ?", "i", ent), NP_OK);
  return v;
}

static void test_create_and_validate(void **state) {
  (void)state;
  np_errdetail_t e = {0};
  int64_t a = add_enterprise("91370102MA3C0000A1", "370102001", "370102", "370100", "3411");
  int64_t b = add_enterprise("91370211MA3C0000B2", "370211001", "370211", "370200", "3670");
  assert_int_equal(np_firms_ent_load(s, a, &ent_a, &e), NP_OK);
  assert_int_equal(np_firms_ent_lookup(s, "91370211ma3c0000b2", NULL, &ent_b, &e), NP_OK);
  assert_int_equal(ent_b.id, b);
  assert_string_equal(ent_a.city_code, "370100");

  int64_t id = 0;
  assert_int_equal(create(&ent_a,
                          "{\"occupation_code\":\"6-18-02-04\",\"count\":10,\"skill_level\":3,\"salary_min\":600000,"
                          "\"salary_max\":\"9000.00\",\"education\":\"secondary_vocational\",\"age_min\":18,"
                          "\"age_max\":45,\"housing\":true,\"benefits\":[\"五险一金\",\"包吃住\"],\"shifts\":\"两班倒\"}",
                          &id, &e),
                   NP_OK);
  assert_true(id > 0);
  json_t *row = NULL;
  assert_int_equal(np_firms_demand_get(s, ref, id, &row, &e), NP_OK);
  assert_string_equal(json_string_value(json_object_get(row, "status")), "open");
  assert_int_equal(json_integer_value(json_object_get(row, "salary_max")), 900000);
  assert_int_equal(json_integer_value(json_object_get(row, "open")), 10);
  assert_string_equal(json_string_value(json_object_get(row, "occupation_name")), "焊工");
  assert_string_equal(json_string_value(json_object_get(row, "city_code")), "370100");
  assert_int_equal(json_array_size(json_object_get(row, "benefits")), 2);
  json_decref(row);
  assert_int_equal(openings_of(a), 10);

  /* bad input: field-level errors, nothing written */
  static const struct {
    const char *body, *code, *field;
  } bad[] = {
    {"{\"occupation_code\":\"6-18-02-04\",\"count\":0}", "range", "count"},
    {"{\"occupation_code\":\"6-18-02-04\",\"count\":-3}", "range", "count"},
    {"{\"occupation_code\":\"6-18-02-04\",\"count\":1000000}", "range", "count"},
    {"{\"occupation_code\":\"6-18-02-04\",\"count\":2.5}", "type", "count"},
    {"{\"occupation_code\":\"6-18-02-04\",\"count\":5,\"salary_min\":900000,\"salary_max\":500000}", "salary_range", "salary_min"},
    {"{\"occupation_code\":\"6-18-02-04\",\"count\":5,\"salary_min\":0}", "range", "salary_min"},
    {"{\"occupation_code\":\"6-18-02-04\",\"count\":5,\"needed_by\":\"2020-01-01\"}", "past", "needed_by"},
    {"{\"occupation_code\":\"9-99-99-99\",\"count\":5}", "unknown_occupation", "occupation_code"},
    {"{\"occupation_code\":\"6-18-02\",\"count\":5}", "unknown_occupation", "occupation_code"},
    {"{\"occupation_code\":\"6-18-02-04\",\"count\":5,\"skill_level\":9}", "range", "skill_level"},
    {"{\"occupation_code\":\"6-18-02-04\",\"count\":5,\"age_min\":40,\"age_max\":30}", "age_range", "age_min"},
    {"{\"occupation_code\":\"6-18-02-04\",\"count\":5,\"age_min\":15}", "range", "age_min"},
    {"{\"occupation_code\":\"6-18-02-04\",\"count\":5,\"education\":\"phd\"}", "unknown_value", "education"},
    {"{\"occupation_code\":\"6-18-02-04\",\"count\":5,\"colour\":\"red\"}", "unknown_field", "colour"},
    {"{\"count\":5}", "required", "occupation_code"},
  };
  int64_t before = 0, after = 0;
  np_store_query_int64(s, "SELECT COUNT(*) FROM demands", &before, NULL, &e);
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    np_errdetail_clear(&e);
    np_err rc = create(&ent_a, bad[i].body, NULL, &e);
    if (rc != NP_ERR_INVALID || strcmp(e.code, bad[i].code) || strcmp(e.field, bad[i].field))
      fail_msg("%s → %d %s %s (want %s %s)", bad[i].body, rc, e.code, e.field, bad[i].code, bad[i].field);
  }
  np_store_query_int64(s, "SELECT COUNT(*) FROM demands", &after, NULL, &e);
  assert_int_equal(before, after);
}

static void test_patch_and_hires(void **state) {
  (void)state;
  np_errdetail_t e = {0};
  int64_t id = 0;
  assert_int_equal(create(&ent_a, "{\"occupation_code\":\"6-18-01-01\",\"count\":5}", &id, &e), NP_OK);
  assert_int_equal(openings_of(ent_a.id), 15);
  /* stale version */
  json_t *b = J("{\"version\":7,\"count\":6}"), *out = NULL;
  assert_int_equal(np_firms_demand_patch(s, ref, &actor, id, b, today, &out, &e), NP_ERR_CONFLICT);
  assert_string_equal(e.code, "stale");
  json_decref(b);
  b = J("{\"version\":1,\"count\":6,\"notes\":\"夜班补贴\"}");
  assert_int_equal(np_firms_demand_patch(s, ref, &actor, id, b, today, &out, &e), NP_OK);
  assert_int_equal(json_integer_value(json_object_get(out, "version")), 2);
  json_decref(b);
  json_decref(out);
  assert_int_equal(openings_of(ent_a.id), 16);
  /* hires: 4 then 3 is too many (6 - 4 = 2 left) */
  b = J("{\"count\":4,\"seeker_ref\":\"ref-001\"}");
  assert_int_equal(np_firms_hire_record(s, ref, &actor, id, b, today, &out, &e), NP_OK);
  assert_string_equal(json_string_value(json_object_get(json_object_get(out, "demand"), "status")), "partly_filled");
  json_decref(b);
  json_decref(out);
  b = J("{\"count\":3}");
  assert_int_equal(np_firms_hire_record(s, ref, &actor, id, b, today, &out, &e), NP_ERR_CONFLICT);
  assert_string_equal(e.code, "over_count");
  json_decref(b);
  b = J("{\"count\":1,\"seeker_ref\":\"13812345678\"}");
  assert_int_equal(np_firms_hire_record(s, ref, &actor, id, b, today, &out, &e), NP_ERR_INVALID);
  assert_string_equal(e.code, "personal_data");
  json_decref(b);
  assert_int_equal(openings_of(ent_a.id), 12);
  /* count below filled → 409; status other than cancelled → 422 */
  b = J("{\"version\":3,\"count\":3}");
  assert_int_equal(np_firms_demand_patch(s, ref, &actor, id, b, today, &out, &e), NP_ERR_CONFLICT);
  assert_string_equal(e.code, "count_below_filled");
  json_decref(b);
  b = J("{\"version\":3,\"status\":\"filled\"}");
  assert_int_equal(np_firms_demand_patch(s, ref, &actor, id, b, today, &out, &e), NP_ERR_INVALID);
  json_decref(b);
  /* lowering count to filled closes the line */
  b = J("{\"version\":3,\"count\":4}");
  assert_int_equal(np_firms_demand_patch(s, ref, &actor, id, b, today, &out, &e), NP_OK);
  assert_string_equal(json_string_value(json_object_get(out, "status")), "filled");
  assert_int_equal(json_integer_value(json_object_get(out, "open")), 0);
  json_decref(out);
  json_decref(b);
  /* final: no more changes */
  b = J("{\"version\":4,\"notes\":\"x\"}");
  assert_int_equal(np_firms_demand_patch(s, ref, &actor, id, b, today, &out, &e), NP_ERR_CONFLICT);
  assert_string_equal(e.code, "final");
  json_decref(b);
  assert_int_equal(openings_of(ent_a.id), 10);
  json_t *hist = NULL;
  assert_int_equal(np_firms_demand_history(s, id, &hist, &e), NP_OK);
  assert_int_equal(json_array_size(hist), 4); /* create, update, hire, update */
  assert_string_equal(json_string_value(json_object_get(json_array_get(hist, 2), "action")), "hire");
  json_decref(hist);
  json_t *hl = NULL;
  assert_int_equal(np_firms_hire_list(s, id, &hl, &e), NP_OK);
  assert_int_equal(json_integer_value(json_object_get(hl, "filled")), 4);
  json_decref(hl);
  /* cancel another line */
  int64_t id2 = 0;
  assert_int_equal(create(&ent_b, "{\"occupation_code\":\"6-20-01-01\",\"count\":7,\"skill_level\":4}", &id2, &e), NP_OK);
  b = J("{\"version\":1,\"status\":\"cancelled\"}");
  assert_int_equal(np_firms_demand_patch(s, ref, &actor, id2, b, today, &out, &e), NP_OK);
  assert_string_equal(json_string_value(json_object_get(out, "status")), "cancelled");
  json_decref(out);
  json_decref(b);
  assert_int_equal(openings_of(ent_b.id), 0);
}

static void test_expire(void **state) {
  (void)state;
  np_errdetail_t e = {0};
  int64_t id = 0, n = 0;
  char nb[NP_DATE_STRLEN], body[160];
  np_date_t d;
  np_date_add_days(today, 2, &d);
  np_date_format(d, nb, sizeof nb);
  snprintf(body, sizeof body, "{\"occupation_code\":\"6-18-01-02\",\"count\":3,\"needed_by\":\"%s\"}", nb);
  assert_int_equal(create(&ent_b, body, &id, &e), NP_OK);
  assert_int_equal(openings_of(ent_b.id), 3);
  assert_int_equal(np_firms_demands_expire(s, today, &n, &e), NP_OK);
  assert_int_equal(n, 0);
  np_date_t later;
  np_date_add_days(today, 3, &later);
  assert_int_equal(np_firms_demands_expire(s, later, &n, &e), NP_OK);
  assert_int_equal(n, 1);
  assert_int_equal(openings_of(ent_b.id), 0);
  np_firms_demand_owner_t o;
  assert_int_equal(np_firms_demand_owner(s, id, &o, &e), NP_OK);
  assert_string_equal(o.status, "expired");
  assert_int_equal(np_firms_demands_expire(s, later, &n, &e), NP_OK);
  assert_int_equal(n, 0);
}

static void test_shortage(void **state) {
  (void)state;
  np_errdetail_t e = {0};
  int64_t id = 0;
  assert_int_equal(create(&ent_b, "{\"occupation_code\":\"6-18-02-04\",\"count\":8,\"skill_level\":4}", &id, &e), NP_OK);
  /* open now: ent_a 10 welders (level 3); ent_b 8 welders (level 4) */
  json_t *out = NULL;
  np_shortage_query_t q = {.region_prefix = "", .group = NP_SHORTAGE_BY_OCCUPATION};
  assert_int_equal(np_firms_shortage(s, ref, &q, &out, &e), NP_OK);
  assert_int_equal(json_integer_value(json_object_get(out, "openings")), 18);
  assert_int_equal(json_integer_value(json_object_get(out, "enterprises")), 2);
  json_t *first = json_array_get(json_object_get(out, "items"), 0);
  assert_string_equal(json_string_value(json_object_get(first, "key")), "6-18-02-04");
  assert_int_equal(json_array_size(json_object_get(first, "by_skill_level")), 2);
  json_decref(out);
  q.region_prefix = "3701";
  assert_int_equal(np_firms_shortage(s, ref, &q, &out, &e), NP_OK);
  assert_int_equal(json_integer_value(json_object_get(out, "openings")), 10);
  json_decref(out);
  q.region_prefix = "";
  q.group = NP_SHORTAGE_BY_REGION;
  assert_int_equal(np_firms_shortage(s, ref, &q, &out, &e), NP_OK);
  assert_int_equal(json_array_size(json_object_get(out, "items")), 2);
  assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(out, "items"), 0), "key")), "370100");
  json_decref(out);
  q.group = NP_SHORTAGE_BY_SKILL_LEVEL;
  q.enterprise_id = ent_b.id;
  assert_int_equal(np_firms_shortage(s, ref, &q, &out, &e), NP_OK);
  assert_int_equal(json_integer_value(json_object_get(out, "openings")), 8);
  json_decref(out);
  q.group = NP_SHORTAGE_BY_INDUSTRY;
  q.enterprise_id = 0;
  q.region_prefix = "370102";
  assert_int_equal(np_firms_shortage(s, ref, &q, &out, &e), NP_OK);
  assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(out, "items"), 0), "key")), "34");
  json_decref(out);
  /* the two indexes are what the province-wide summary reads */
  np_stmt_t *st = NULL;
  bool has = false;
  assert_int_equal(np_store_prepare(s, "EXPLAIN QUERY PLAN SELECT occupation_code, skill_level, SUM(open_count), COUNT(*) "
                                       "FROM demands WHERE open_count > 0 GROUP BY occupation_code, skill_level ORDER BY "
                                       "occupation_code, skill_level", &st, &e), NP_OK);
  bool covering = false;
  while (np_store_step(st, &has, &e) == NP_OK && has)
    if (strstr(np_store_col_text(st, 3), "COVERING INDEX demands_open_")) covering = true;
  np_store_release(st);
  assert_true(covering);
}

static void test_plans(void **state) {
  (void)state;
  np_errdetail_t e = {0};
  json_t *out = NULL, *b;
  char dl[NP_DATE_STRLEN], body[400];
  np_date_t d;
  np_date_add_days(today, 10, &d);
  np_date_format(d, dl, sizeof dl);
  /* enterprise without openings: no plan */
  np_firms_ent_ref_t c;
  int64_t cid = add_enterprise("91370102MA3C0000C3", "370102002", "370102", "370100", "1310");
  np_firms_ent_load(s, cid, &c, &e);
  snprintf(body, sizeof body,
           "{\"type\":\"special_recruitment\",\"title\":\"焊工专场招聘会\",\"owner_name\":\"张敏\","
           "\"owner_region_code\":\"370102\",\"deadline\":\"%s\"}", dl);
  b = J(body);
  assert_int_equal(np_firms_measure_create(s, ref, &actor, &c, b, today, &out, &e), NP_ERR_CONFLICT);
  assert_string_equal(e.code, "no_shortage");
  np_firms_ent_load(s, ent_a.id, &ent_a, &e);
  assert_int_equal(np_firms_measure_create(s, ref, &actor, &ent_a, b, today, &out, &e), NP_OK);
  json_decref(b);
  int64_t mid = 0;
  assert_int_equal(np_id_parse(NP_ID_MEASURE, json_string_value(json_object_get(out, "id")), &mid), NP_OK);
  assert_false(json_is_true(json_object_get(out, "overdue")));
  json_decref(out);
  /* bad input */
  b = J("{\"type\":\"party\",\"title\":\"x\",\"owner_name\":\"a\",\"owner_region_code\":\"370102\",\"deadline\":\"2099-01-01\"}");
  assert_int_equal(np_firms_measure_create(s, ref, &actor, &ent_a, b, today, &out, &e), NP_ERR_INVALID);
  assert_string_equal(e.field, "type");
  json_decref(b);
  b = J("{\"type\":\"other\",\"title\":\"x\",\"owner_name\":\"a\",\"owner_region_code\":\"370102\",\"deadline\":\"2020-01-01\"}");
  assert_int_equal(np_firms_measure_create(s, ref, &actor, &ent_a, b, today, &out, &e), NP_ERR_INVALID);
  assert_string_equal(e.code, "past");
  json_decref(b);
  b = J("{\"type\":\"other\",\"title\":\"x\",\"owner_name\":\"a\",\"owner_region_code\":\"370102001\",\"deadline\":\"2099-01-01\"}");
  assert_int_equal(np_firms_measure_create(s, ref, &actor, &ent_a, b, today, &out, &e), NP_ERR_INVALID);
  json_decref(b);
  /* progress: planned → in_progress with a note; stale version; in_progress → planned refused */
  b = J("{\"version\":1,\"status\":\"in_progress\",\"note\":\"已联系3家职业院校\"}");
  assert_int_equal(np_firms_measure_patch(s, ref, &actor, mid, b, today, &out, &e), NP_OK);
  assert_int_equal(json_array_size(json_object_get(out, "notes")), 2);
  json_decref(out);
  json_decref(b);
  b = J("{\"version\":1,\"note\":\"x\"}");
  assert_int_equal(np_firms_measure_patch(s, ref, &actor, mid, b, today, &out, &e), NP_ERR_CONFLICT);
  assert_string_equal(e.code, "stale");
  json_decref(b);
  b = J("{\"version\":2,\"status\":\"planned\"}");
  assert_int_equal(np_firms_measure_patch(s, ref, &actor, mid, b, today, &out, &e), NP_ERR_CONFLICT);
  json_decref(b);
  /* overdue once the deadline has passed */
  np_date_t later;
  np_date_add_days(today, 11, &later);
  np_scope_t all = {.kind = NP_SCOPE_ALL}, county = {.kind = NP_SCOPE_REGION}, other = {.kind = NP_SCOPE_REGION};
  np_strlcpy(county.region_prefix, "370102", sizeof county.region_prefix);
  np_strlcpy(other.region_prefix, "3702", sizeof other.region_prefix);
  assert_int_equal(np_firms_plans_overdue(s, ref, &all, "", today, &out, &e), NP_OK);
  assert_int_equal(json_integer_value(json_object_get(out, "total")), 0);
  json_decref(out);
  assert_int_equal(np_firms_plans_overdue(s, ref, &county, "", later, &out, &e), NP_OK);
  assert_int_equal(json_integer_value(json_object_get(out, "total")), 1);
  json_t *bureau = json_array_get(json_object_get(out, "bureaus"), 0);
  assert_string_equal(json_string_value(json_object_get(bureau, "owner_region_code")), "370102");
  json_decref(out);
  assert_int_equal(np_firms_plans_overdue(s, ref, &other, "", later, &out, &e), NP_OK);
  assert_int_equal(json_integer_value(json_object_get(out, "total")), 0);
  json_decref(out);
  assert_int_equal(np_firms_plan_get(s, ref, &ent_a, later, &out, &e), NP_OK);
  assert_int_equal(json_integer_value(json_object_get(out, "overdue")), 1);
  json_decref(out);
  /* done is final */
  b = J("{\"version\":2,\"status\":\"done\",\"note\":\"招到8人\"}");
  assert_int_equal(np_firms_measure_patch(s, ref, &actor, mid, b, today, &out, &e), NP_OK);
  json_decref(out);
  json_decref(b);
  b = J("{\"version\":3,\"note\":\"x\"}");
  assert_int_equal(np_firms_measure_patch(s, ref, &actor, mid, b, today, &out, &e), NP_ERR_CONFLICT);
  assert_string_equal(e.code, "final");
  json_decref(b);
}

static void test_audited(void **state) {
  (void)state;
  int64_t n = 0;
  np_errdetail_t e = {0};
  assert_int_equal(np_store_query_int64(s, "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'demand%' OR action LIKE 'plan_measure%'", &n, NULL, &e), NP_OK);
  assert_true(n >= 10);
  assert_int_equal(np_store_query_int64(s, "SELECT COUNT(*) FROM changes WHERE entity = 'demand'", &n, NULL, &e), NP_OK);
  assert_true(n >= 8);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_create_and_validate), cmocka_unit_test(test_patch_and_hires), cmocka_unit_test(test_expire),
    cmocka_unit_test(test_shortage),            cmocka_unit_test(test_plans),           cmocka_unit_test(test_audited),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
