/*
 * The specialist scope (src/http/authz.c NP_SCOPE_ASSIGNED over the firms view specialist_enterprises):
 * a specialist sees the enterprises assigned to them — directly, through an assigned development zone or
 * an assigned project — inside their region; not another enterprise of the same county; lists and single
 * rows agree; an ended assignment or a deactivated specialist takes the rows away.
 */
#include "testutil.h"
#include <stdio.h>
#include <string.h>
#include "firms/specialists.h"
#include "http/authz.h"
#include "store/store.h"

static np_store_t *db;
static int64_t ent_own, ent_zone, ent_prj, ent_other, ent_far, spc, asg_own;
static const int64_t USER = 41, OTHER_USER = 42;


static int64_t add_ent(const char *uscc, const char *region, int64_t zone) {
  char county[8], city[8];
  snprintf(county, sizeof county, "%.6s", region);
  snprintf(city, sizeof city, "%.4s00", region);
  int64_t id = 0;
  np_errdetail_t err = {0};
  np_err rc = np_store_queryf_int64(
      db, &id, NULL, &err,
      "INSERT INTO enterprises (uscc, name, industry_code, industry_section, region_code, township_code, county_code, "
      "city_code, size_class, size_basis, zone_id, created_at, updated_at) VALUES (?, ?, '3411', 'C', ?, ?, ?, ?, 'small', "
      "'test', NULLIF(?, 0), '2023-01-02T00:00:00Z', '2023-01-02T00:00:00Z') RETURNING id",
      "tttttti", uscc, uscc, region, region, county, city, zone);
  if (rc) fail_msg("enterprise: %s", err.message);
  return id;
}

static void exec(const char *sql) {
  np_errdetail_t err = {0};
  if (np_store_execf(db, NULL, &err, sql, "")) fail_msg("%s: %s", sql, err.message);
}

static int setup(void **state) {
  (void)state;
  np_errdetail_t err = {0};
  int applied = 0;
  if (np_store_open(tu_tmp_db_url("firms_scope.db"), &db, &err) || np_store_migrate(db, &applied, &err)) {
    fprintf(stderr, "setup: %s\n", err.message);
    return -1;
  }
  np_firms_specialist_scope_register();
  for (int64_t u = USER; u <= OTHER_USER; u++) {
    char sql[400];
    snprintf(sql, sizeof sql,
             "INSERT INTO users (id, username, display_name, role, region_code, password_hash, password_changed_at, "
             "active_at, created_at, updated_at) VALUES (%lld, 'spc%lld', 'x', 'specialist', '370102', 'x', 0, 0, 0, 0)",
             (long long)u, (long long)u);
    exec(sql);
  }
  exec("INSERT INTO dev_zones (name, level, kind, region_code, city_code, created_at, updated_at) VALUES "
       "('测试开发区', 'provincial', 'economic', '370102', '370100', 'x', 'x')");
  return 0;
}

static int teardown(void **state) {
  (void)state;
  np_store_close(db);
  return 0;
}

static void scope_kinds(void **state) {
  (void)state;
  np_principal_t p = {.user_id = USER, .role = NP_ROLE_SPECIALIST};
  strcpy(p.region_code, "370102");
  np_scope_t s;
  static const char *const assigned[] = {"enterprise", "project", "demand"};
  static const char *const regional[] = {"team", "specialist", "grid", "servicelog", "alert", "sharing", "seeker", "case"};
  for (size_t i = 0; i < 3; i++) {
    assert_int_equal(np_authz_scope(&p, assigned[i], &s), NP_OK);
    assert_int_equal(s.kind, NP_SCOPE_ASSIGNED);
    assert_int_equal(s.user_id, USER);
    assert_string_equal(s.region_prefix, "370102");
  }
  for (size_t i = 0; i < sizeof regional / sizeof regional[0]; i++) {
    assert_int_equal(np_authz_scope(&p, regional[i], &s), NP_OK);
    assert_int_equal(s.kind, NP_SCOPE_REGION);
  }
  /* staff keep their region; a specialist without a valid region sees nothing */
  np_principal_t st = {.user_id = 9, .role = NP_ROLE_COUNTY_STAFF};
  strcpy(st.region_code, "370102");
  assert_int_equal(np_authz_scope(&st, "enterprise", &s), NP_OK);
  assert_int_equal(s.kind, NP_SCOPE_REGION);
  np_principal_t bad = p;
  bad.region_code[0] = '\0';
  assert_int_equal(np_authz_scope(&bad, "enterprise", &s), NP_OK);
  assert_int_equal(s.kind, NP_SCOPE_NONE);
  /* the list fragment: region and the user's enterprises; without an enterprise column nothing */
  assert_int_equal(np_authz_scope(&p, "enterprise", &s), NP_OK);
  np_scope_sql_t q;
  np_scope_cols_t cols = {.region = "e.region_code", .enterprise = "e.id"};
  assert_int_equal(np_authz_scope_sql(&s, &cols, &q), NP_OK);
  assert_string_equal(q.sql, " AND e.region_code LIKE ? AND e.id IN (SELECT enterprise_id FROM specialist_enterprises "
                             "WHERE user_id = ?)");
  assert_int_equal(q.nbinds, 2);
  assert_string_equal(q.binds[0].t, "370102%");
  assert_true(q.binds[1].is_int);
  assert_int_equal(q.binds[1].i, USER);
  np_scope_cols_t region_only = {.region = "t.region_code"};
  assert_int_equal(np_authz_scope_sql(&s, &region_only, &q), NP_OK);
  assert_string_equal(q.sql, " AND 1 = 0");
  np_scope_cols_t bad_col = {.region = "e.region_code", .enterprise = "e.id; DROP"};
  assert_int_equal(np_authz_scope_sql(&s, &bad_col, &q), NP_ERR_INVALID);
}

static int64_t visible_count(int64_t user) {
  np_principal_t p = {.user_id = user, .role = NP_ROLE_SPECIALIST};
  strcpy(p.region_code, "370102");
  np_scope_t s;
  np_scope_sql_t q;
  np_scope_cols_t cols = {.region = "e.region_code", .enterprise = "e.id"};
  assert_int_equal(np_authz_scope(&p, "enterprise", &s), NP_OK);
  assert_int_equal(np_authz_scope_sql(&s, &cols, &q), NP_OK);
  char sql[400];
  snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM enterprises e WHERE 1 = 1%s", q.sql);
  np_stmt_t *st = NULL;
  np_errdetail_t err = {0};
  bool has = false;
  int idx = 0;
  assert_int_equal(np_store_prepare(db, sql, &st, &err), NP_OK);
  assert_int_equal(np_authz_scope_bind(&q, st, 1, &idx), NP_OK);
  assert_int_equal(np_store_step(st, &has, &err), NP_OK);
  int64_t n = has ? np_store_col_int64(st, 0) : -1;
  np_store_release(st);
  return n;
}

static bool row_visible(int64_t user, int64_t ent, const char *region, bool with_store) {
  np_principal_t p = {.user_id = user, .role = NP_ROLE_SPECIALIST};
  strcpy(p.region_code, "370102");
  np_scope_t s;
  assert_int_equal(np_authz_scope(&p, "demand", &s), NP_OK);
  if (with_store) np_authz_scope_store(&s, db);
  return np_authz_scope_contains(&s, region, ent, NULL, 0);
}

static void assignments_decide(void **state) {
  (void)state;
  int64_t zone = 0;
  np_errdetail_t err = {0};
  assert_int_equal(np_store_queryf_int64(db, &zone, NULL, &err, "SELECT id FROM dev_zones WHERE name = '测试开发区'", ""), NP_OK);
  ent_own = add_ent("TESTSCOPE00000001", "370102001", 0);
  ent_zone = add_ent("TESTSCOPE00000002", "370102002", zone);
  ent_prj = add_ent("TESTSCOPE00000003", "370102003", 0);
  ent_other = add_ent("TESTSCOPE00000004", "370102001", 0);
  ent_far = add_ent("TESTSCOPE00000005", "370202001", 0); /* another city (an assignment outside the region) */
  int64_t prj = 0;
  assert_int_equal(np_store_queryf_int64(db, &prj, NULL, &err,
                                         "INSERT INTO projects (name, enterprise_id, region_code, county_code, city_code, "
                                         "investment_fen, stage, is_major, created_at, updated_at) VALUES ('项目', ?, "
                                         "'370102003', '370102', '370100', 1, 'construction', 1, 'x', 'x') RETURNING id",
                                         "i", ent_prj),
                   NP_OK);
  assert_int_equal(np_store_queryf_int64(db, &spc, NULL, &err,
                                         "INSERT INTO specialists (user_id, name, region_code, county_code, city_code, "
                                         "created_at, updated_at) VALUES (?, '专员', '370102', '370102', '370100', 'x', 'x') "
                                         "RETURNING id",
                                         "i", USER),
                   NP_OK);
  const char *asg = "INSERT INTO specialist_assignments (specialist_id, target_kind, target_id, region_code, since, "
                    "created_at) VALUES (?, ?, ?, '370102', '2023-01-02', 'x') RETURNING id";
  assert_int_equal(np_store_queryf_int64(db, &asg_own, NULL, &err, asg, "iti", spc, "enterprise", ent_own), NP_OK);
  int64_t x;
  assert_int_equal(np_store_queryf_int64(db, &x, NULL, &err, asg, "iti", spc, "zone", zone), NP_OK);
  assert_int_equal(np_store_queryf_int64(db, &x, NULL, &err, asg, "iti", spc, "project", prj), NP_OK);
  assert_int_equal(np_store_queryf_int64(db, &x, NULL, &err, asg, "iti", spc, "enterprise", ent_far), NP_OK);

  /* the list: own, zone's, project's — not the other enterprise of the county, not the far one */
  assert_int_equal(visible_count(USER), 3);
  assert_int_equal(visible_count(OTHER_USER), 0);
  /* single rows agree */
  assert_true(row_visible(USER, ent_own, "370102001", true));
  assert_true(row_visible(USER, ent_zone, "370102002", true));
  assert_true(row_visible(USER, ent_prj, "370102003", true));
  assert_false(row_visible(USER, ent_other, "370102001", true)); /* denied: same county, not assigned */
  assert_false(row_visible(USER, ent_far, "370202001", true));   /* assigned but outside the region */
  assert_false(row_visible(OTHER_USER, ent_own, "370102001", true));
  /* without a store only the region can be checked (the rule callers without assignments get) */
  assert_true(row_visible(USER, ent_other, "370102001", false));
  assert_false(row_visible(USER, ent_far, "370202001", false));
  bool yes = false;
  assert_int_equal(np_firms_specialist_serves(db, spc, ent_zone, &yes, &err), NP_OK);
  assert_true(yes);
  assert_int_equal(np_firms_specialist_serves(db, spc, ent_other, &yes, &err), NP_OK);
  assert_false(yes);

  /* the assignment ended: gone; the specialist deactivated: nothing */
  assert_int_equal(np_store_execf(db, NULL, &err, "UPDATE specialist_assignments SET until = '2023-02-01' WHERE id = ?", "i",
                                  asg_own),
                   NP_OK);
  assert_int_equal(visible_count(USER), 2);
  assert_false(row_visible(USER, ent_own, "370102001", true));
  assert_int_equal(np_store_execf(db, NULL, &err, "UPDATE specialists SET active = 0 WHERE id = ?", "i", spc), NP_OK);
  assert_int_equal(visible_count(USER), 0);
  assert_false(row_visible(USER, ent_zone, "370102002", true));
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(scope_kinds),
    cmocka_unit_test(assignments_decide),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
