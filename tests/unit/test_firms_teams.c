/* firms teams helper units: team rules, assignments (one active per target), coverage counts, grid cell lookup,
 * service log dates. Store-backed on a temporary SQLite database with the real region reference. */
#include "testutil.h"
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include "core/date.h"
#include "crypto/crypto.h"
#include "firms/ent_common.h"
#include "firms/grid.h"
#include "firms/servicelog.h"
#include "firms/specialists.h"
#include "firms/teams.h"
#include "ref/ref.h"
#include "store/store.h"

static np_store_t *db;
static np_ref_t *ref;
static np_firms_ctx_t ctx;
static np_audit_entry_t actor = {.user_id = 0, .username = "test", .role = "province_staff"};
static const np_region_t *county, *town, *village;

static int64_t add_enterprise(const char *uscc, const char *name, const np_region_t *where, int key) {
  const np_region_t *t = np_ref_region_at(where, NP_REGION_TOWNSHIP), *cty = np_ref_region_at(where, NP_REGION_COUNTY),
                    *city = np_ref_region_at(where, NP_REGION_CITY);
  int64_t id = 0;
  np_errdetail_t err = {0};
  const char *v = where->level == NP_REGION_VILLAGE ? where->code : NULL;
  np_err rc = np_store_queryf_int64(
      db, &id, NULL, &err,
      "INSERT INTO enterprises (uscc, name, industry_code, industry_section, region_code, township_code, village_code, "
      "county_code, city_code, size_class, size_basis, is_key, created_at, updated_at) VALUES (?, ?, '3411', 'C', ?, ?, ?, "
      "?, ?, 'small', 'test', ?, '2023-01-02T00:00:00Z', '2023-01-02T00:00:00Z') RETURNING id",
      "ttttttti", uscc, name, where->code, t->code, v, cty->code, city->code, (int64_t)key);
  if (rc) fail_msg("insert enterprise: %s", err.message);
  return id;
}

static int64_t add_project(const char *name, int64_t ent, const np_region_t *where) {
  int64_t id = 0;
  np_errdetail_t err = {0};
  const np_region_t *cty = np_ref_region_at(where, NP_REGION_COUNTY), *city = np_ref_region_at(where, NP_REGION_CITY);
  np_err rc = np_store_queryf_int64(db, &id, NULL, &err,
                                    "INSERT INTO projects (name, enterprise_id, region_code, county_code, city_code, "
                                    "investment_fen, stage, is_major, created_at, updated_at) VALUES (?, ?, ?, ?, ?, "
                                    "100000000000, 'construction', 1, '2023-01-02T00:00:00Z', '2023-01-02T00:00:00Z') RETURNING id",
                                    "tittt", name, ent, where->code, cty->code, city->code);
  if (rc) fail_msg("insert project: %s", err.message);
  return id;
}

static int setup(void **state) {
  (void)state;
  np_errdetail_t err = {0};
  int applied = 0;
  unsigned char key[NP_CRYPTO_KEY_BYTES] = {7};
  if (np_crypto_init_raw(key, &err) || np_store_open(tu_tmp_db_url("firms_teams.db"), &db, &err) ||
      np_store_migrate(db, &applied, &err) || np_ref_load(db, NULL, &err) || np_ref_open(db, &ref, &err)) {
    fprintf(stderr, "setup: %s\n", err.message);
    return -1;
  }
  county = np_ref_region(ref, "370102");
  if (!county || county->nchildren == 0) return -1;
  town = county->children[0];
  if (town->nchildren == 0) return -1;
  village = town->children[0];
  ctx = (np_firms_ctx_t){.s = db, .ref = ref, .scope = NULL, .actor = &actor};
  return 0;
}

static int teardown(void **state) {
  (void)state;
  np_ref_close(ref);
  np_store_close(db);
  return 0;
}

static json_t *parse(const char *s) {
  json_t *j = json_loads(s, 0, NULL);
  assert_non_null(j);
  return j;
}

static void teams_rules(void **state) {
  (void)state;
  np_errdetail_t err = {0};
  json_t *out = NULL, *in = parse("{\"region_code\":\"370102\",\"name\":\"历下区用工服务专班\",\"lead_name\":\"张伟\","
                                  "\"hotlines\":[\"0531-12333\"],\"members\":[{\"name\":\"李娜\",\"division\":\"employment_talent\","
                                  "\"phone\":\"13812345678\"}]}");
  assert_int_equal(np_firms_team_create(&ctx, in, &out, &err), NP_OK);
  assert_string_equal(json_string_value(json_object_get(out, "level")), "county");
  json_t *m = json_array_get(json_object_get(out, "members"), 0);
  assert_string_equal(json_string_value(json_object_get(m, "phone")), "138****5678"); /* masked */
  json_decref(out);
  /* a second team for the same county: conflict */
  assert_int_equal(np_firms_team_create(&ctx, in, &out, &err), NP_ERR_CONFLICT);
  json_decref(in);
  /* township level and unknown regions are refused */
  char buf[256];
  snprintf(buf, sizeof buf, "{\"region_code\":\"%s\",\"name\":\"乡镇专班\",\"lead_name\":\"王强\"}", town->code);
  in = parse(buf);
  assert_int_equal(np_firms_team_create(&ctx, in, &out, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "region_level");
  json_decref(in);
  in = parse("{\"region_code\":\"379999\",\"name\":\"无此地\",\"lead_name\":\"王强\"}");
  assert_int_equal(np_firms_team_create(&ctx, in, &out, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "unknown_region");
  json_decref(in);
  /* out of scope: a county scope cannot create a 青岛 team */
  np_scope_t sc = {.kind = NP_SCOPE_REGION, .region_prefix = "370102"};
  np_firms_ctx_t c2 = ctx;
  c2.scope = &sc;
  in = parse("{\"region_code\":\"370202\",\"name\":\"市南区专班\",\"lead_name\":\"王强\"}");
  assert_int_equal(np_firms_team_create(&c2, in, &out, &err), NP_ERR_FORBIDDEN);
  json_decref(in);
}

static void coverage_and_assignments(void **state) {
  (void)state;
  np_errdetail_t err = {0};
  int64_t e1 = add_enterprise("91370102MA3C000001", "甲公司", village, 1);
  int64_t e2 = add_enterprise("91370102MA3C000002", "乙公司", town, 1);
  add_enterprise("91370102MA3C000003", "丙公司", town, 1);
  add_enterprise("91370102MA3C000004", "丁公司", town, 0); /* not key: not counted */
  int64_t p1 = add_project("一号项目", e1, town);
  add_project("二号项目", e2, town);
  json_t *out = NULL, *in = parse("{\"name\":\"赵敏\",\"region_code\":\"370102\",\"phone\":\"13900001111\"}");
  assert_int_equal(np_firms_specialist_create(&ctx, in, &out, &err), NP_OK);
  json_decref(in);
  int64_t sid = 0;
  assert_int_equal(sscanf(json_string_value(json_object_get(out, "id")), "spc_%lld", (long long *)&sid), 1);
  assert_non_null(json_string_value(json_object_get(out, "team_id"))); /* defaulted to the county team */
  json_decref(out);

  char buf[128];
  snprintf(buf, sizeof buf, "{\"target_kind\":\"enterprise\",\"target_id\":\"ent_%lld\"}", (long long)e1);
  in = parse(buf);
  assert_int_equal(np_firms_assign(&ctx, sid, in, &out, &err), NP_OK);
  json_t *asg = out;
  /* a second active specialist for the same target: 409 */
  assert_int_equal(np_firms_assign(&ctx, sid, in, &out, &err), NP_ERR_CONFLICT);
  assert_string_equal(err.code, "already_assigned");
  json_decref(in);
  snprintf(buf, sizeof buf, "{\"target_kind\":\"project\",\"target_id\":\"prj_%lld\"}", (long long)p1);
  in = parse(buf);
  assert_int_equal(np_firms_assign(&ctx, sid, in, &out, &err), NP_OK);
  json_decref(out);
  json_decref(in);
  /* an id of the wrong kind is a 404 */
  snprintf(buf, sizeof buf, "{\"target_kind\":\"project\",\"target_id\":\"ent_%lld\"}", (long long)e1);
  in = parse(buf);
  assert_int_equal(np_firms_assign(&ctx, sid, in, &out, &err), NP_ERR_NOT_FOUND);
  json_decref(in);

  assert_int_equal(np_firms_coverage(&ctx, "370102", 50, &out, &err), NP_OK);
  json_t *t = json_object_get(out, "totals");
  assert_int_equal(json_integer_value(json_object_get(t, "key_enterprises")), 3);
  assert_int_equal(json_integer_value(json_object_get(t, "key_uncovered")), 2);
  assert_int_equal(json_integer_value(json_object_get(t, "projects")), 2);
  assert_int_equal(json_integer_value(json_object_get(t, "projects_uncovered")), 1);
  assert_int_equal(json_array_size(json_object_get(out, "uncovered_enterprises")), 2);
  assert_int_equal(json_array_size(json_object_get(out, "uncovered_projects")), 1);
  json_t *cty = json_array_get(json_object_get(out, "counties"), 0);
  assert_string_equal(json_string_value(json_object_get(cty, "county_code")), "370102");
  assert_int_equal(json_integer_value(json_object_get(cty, "key_uncovered")), 2);
  json_t *w = json_array_get(json_object_get(out, "workload"), 0);
  assert_int_equal(json_integer_value(json_object_get(w, "enterprises")), 1);
  assert_int_equal(json_integer_value(json_object_get(w, "projects")), 1);
  json_decref(out);
  /* a city report includes the county; another city's report does not */
  assert_int_equal(np_firms_coverage(&ctx, "370100", 50, &out, &err), NP_OK);
  assert_int_equal(json_integer_value(json_object_get(json_object_get(out, "totals"), "key_enterprises")), 3);
  json_decref(out);
  assert_int_equal(np_firms_coverage(&ctx, "370200", 50, &out, &err), NP_OK);
  assert_int_equal(json_integer_value(json_object_get(json_object_get(out, "totals"), "key_enterprises")), 0);
  json_decref(out);

  /* ending the assignment keeps history and opens the gap again */
  int64_t aid = 0;
  sscanf(json_string_value(json_object_get(asg, "id")), "asg_%lld", (long long *)&aid);
  assert_int_equal(np_firms_assignment_end(&ctx, aid, &out, &err), NP_OK);
  assert_false(json_is_true(json_object_get(out, "active")));
  json_decref(out);
  assert_int_equal(np_firms_assignment_end(&ctx, aid, &out, &err), NP_ERR_CONFLICT);
  json_decref(asg);
  assert_int_equal(np_firms_coverage(&ctx, "370102", 50, &out, &err), NP_OK);
  assert_int_equal(json_integer_value(json_object_get(json_object_get(out, "totals"), "key_uncovered")), 3);
  json_decref(out);
  np_firms_page_t pg = {0};
  assert_int_equal(np_firms_assignment_list(&ctx, sid, &pg, &out, &err), NP_OK);
  assert_int_equal(json_integer_value(json_object_get(out, "total")), 2);
  json_decref(out);

  /* service log: a future date is refused, today is fine; the timeline shows both kinds of events */
  np_date_t tomorrow;
  char d[NP_DATE_STRLEN], body[256];
  np_date_add_days(np_date_today(), 1, &tomorrow);
  np_date_format(tomorrow, d, sizeof d);
  snprintf(body, sizeof body, "{\"log_date\":\"%s\",\"kind\":\"visit\",\"findings\":\"缺焊工\",\"staff_name\":\"赵敏\"}", d);
  in = parse(body);
  snprintf(buf, sizeof buf, "ent_%lld", (long long)e1);
  assert_int_equal(np_firms_servicelog_create(&ctx, buf, 0, in, &out, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "future_date");
  json_decref(in);
  np_date_format(np_date_today(), d, sizeof d);
  snprintf(body, sizeof body, "{\"log_date\":\"%s\",\"kind\":\"call\",\"findings\":\"缺焊工\",\"problems\":[\"招工难\"],"
                              "\"staff_name\":\"赵敏\"}", d);
  in = parse(body);
  assert_int_equal(np_firms_servicelog_create(&ctx, buf, 0, in, &out, &err), NP_OK);
  json_decref(out);
  /* the specialist itself may only log for enterprises it serves: its own assignment ended, but it still
   * serves e1 through the assigned project p1; once that ends too, it may not */
  assert_int_equal(np_firms_servicelog_create(&ctx, buf, sid, in, &out, &err), NP_OK);
  json_decref(out);
  assert_int_equal(np_store_execf(db, NULL, &err,
                                  "UPDATE specialist_assignments SET until = '2023-02-01', ended_at = 'x' WHERE "
                                  "target_kind = 'project' AND target_id = ? AND until IS NULL",
                                  "i", p1),
                   NP_OK);
  assert_int_equal(np_firms_servicelog_create(&ctx, buf, sid, in, &out, &err), NP_ERR_FORBIDDEN);
  json_decref(in);
  assert_int_equal(np_firms_timeline(&ctx, buf, &pg, &out, &err), NP_OK);
  int seen_log = 0, seen_start = 0, seen_end = 0;
  size_t i;
  json_t *it;
  json_array_foreach(json_object_get(out, "items"), i, it) {
    const char *ty = json_string_value(json_object_get(it, "type"));
    seen_log += strcmp(ty, "service_log") == 0;
    seen_start += strcmp(ty, "assignment_start") == 0;
    seen_end += strcmp(ty, "assignment_end") == 0;
  }
  assert_int_equal(seen_log, 2);  /* staff's and the specialist's (through the project) */
  assert_true(seen_start >= 2); /* the enterprise and its project */
  assert_int_equal(seen_end, 2);  /* both assignments ended */
  json_decref(out);
}

static void grid_cells(void **state) {
  (void)state;
  np_errdetail_t err = {0};
  np_firms_grid_cell_t cell;
  assert_int_equal(np_firms_grid_cell_for(db, village->code, &cell, &err), NP_ERR_NOT_FOUND); /* not built yet */
  int64_t created = 0;
  assert_int_equal(np_firms_grid_ensure_county(&ctx, "370102", &created, &err), NP_OK);
  assert_true(created > (int64_t)county->nchildren);
  assert_int_equal(np_firms_grid_ensure_county(&ctx, "370102", &created, &err), NP_OK);
  assert_int_equal(created, 0); /* idempotent */
  assert_int_equal(np_firms_grid_ensure_county(&ctx, town->code, &created, &err), NP_ERR_INVALID);
  /* village → its own cell */
  assert_int_equal(np_firms_grid_cell_for(db, village->code, &cell, &err), NP_OK);
  assert_string_equal(cell.level, "village");
  assert_string_equal(cell.region_code, village->code);
  /* a village code the tree does not know → its township's cell */
  char code[16];
  snprintf(code, sizeof code, "%s999", town->code);
  assert_int_equal(np_firms_grid_cell_for(db, code, &cell, &err), NP_OK);
  assert_string_equal(cell.level, "township");
  assert_string_equal(cell.region_code, town->code);
  assert_int_equal(np_firms_grid_cell_for(db, "370102", &cell, &err), NP_OK);
  assert_string_equal(cell.level, "county");
  assert_int_equal(np_firms_grid_cell_for(db, "370202", &cell, &err), NP_ERR_NOT_FOUND);
  assert_int_equal(np_firms_grid_cell_for(db, "3701", &cell, &err), NP_ERR_NOT_FOUND);
  /* the list shows enterprise counts per cell */
  np_firms_page_t pg = {.limit = 5};
  json_t *out = NULL;
  assert_int_equal(np_firms_grid_list(&ctx, town->code, "township", false, &pg, &out, &err), NP_OK);
  json_t *c0 = json_array_get(json_object_get(out, "items"), 0);
  assert_int_equal(json_integer_value(json_object_get(c0, "enterprises")), 4);
  json_decref(out);
  /* staff: a named person with a phone, masked */
  assert_int_equal(np_firms_grid_cell_for(db, village->code, &cell, &err), NP_OK);
  json_t *in = json_loads("{\"staff\":[{\"name\":\"孙丽\",\"phone\":\"13700002222\",\"duty\":\"lead\"}]}", 0, NULL);
  assert_int_equal(np_firms_grid_update(&ctx, cell.id, in, &out, &err), NP_OK);
  assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(out, "staff"), 0), "phone")),
                      "137****2222");
  json_decref(out);
  json_decref(in);
  /* the masked value sent back keeps the number (seen unmasked); another masked value is refused */
  in = json_loads("{\"staff\":[{\"name\":\"孙丽\",\"phone\":\"137****2222\"}]}", 0, NULL);
  ctx.can_unmask = true;
  assert_int_equal(np_firms_grid_update(&ctx, cell.id, in, &out, &err), NP_OK);
  assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(out, "staff"), 0), "phone")),
                      "13700002222");
  ctx.can_unmask = false;
  json_decref(out);
  json_decref(in);
  in = json_loads("{\"staff\":[{\"name\":\"孙丽\",\"phone\":\"137****2223\"}]}", 0, NULL);
  assert_int_equal(np_firms_grid_update(&ctx, cell.id, in, &out, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "masked_phone");
  assert_string_equal(err.field, "staff[0].phone");
  json_decref(in);
}

static void phone_unchanged_rule(void **state) {
  (void)state;
  np_errdetail_t err = {0};
  const char *old[] = {"", "138****1234", NULL, "139****5678"};
  size_t which = 0;
  assert_int_equal(np_firms_phone_unchanged("13812341234", old, 4, "phone", &which, &err), NP_OK);
  assert_true(which == SIZE_MAX);
  assert_int_equal(np_firms_phone_unchanged(NULL, old, 4, "phone", &which, &err), NP_OK);
  assert_true(which == SIZE_MAX);
  assert_int_equal(np_firms_phone_unchanged("139****5678", old, 4, "phone", &which, &err), NP_OK);
  assert_int_equal(which, 3);
  assert_int_equal(np_firms_phone_unchanged("139****0000", old, 4, "c[1].phone", &which, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "masked_phone");
  assert_string_equal(err.field, "c[1].phone");
  assert_int_equal(np_firms_phone_unchanged("****", NULL, 0, "phone", &which, &err), NP_ERR_INVALID);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(teams_rules),
    cmocka_unit_test(coverage_and_assignments),
    cmocka_unit_test(grid_cells),
    cmocka_unit_test(phone_unchanged_rule),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
