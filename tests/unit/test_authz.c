/*
 * Roles × actions and roles × resource kinds: allowed and denied cases both. Later issues add their
 * actions and resource kinds to the tables below.
 */
#include <stdio.h>
#include <string.h>
#include "testutil.h"
#include "http/authz.h"

static np_principal_t who(np_role r) {
  np_principal_t p;
  memset(&p, 0, sizeof p);
  p.user_id = 42;
  p.role = r;
  switch (r) {
  case NP_ROLE_PROVINCE_STAFF: memcpy(p.region_code, "370000", 7); break;
  case NP_ROLE_CITY_STAFF: memcpy(p.region_code, "370100", 7); break;
  case NP_ROLE_COUNTY_STAFF:
  case NP_ROLE_SPECIALIST: memcpy(p.region_code, "370102", 7); break;
  case NP_ROLE_ENTERPRISE: p.enterprise_id = 7; break;
  case NP_ROLE_BANK: memcpy(p.bank, "中国银行山东省分行", sizeof "中国银行山东省分行"); break;
  default: break;
  }
  return p;
}

/* role order: sys sec aud prov city county spec ent bank seeker */
static const np_role roles[] = {NP_ROLE_SYS_ADMIN,     NP_ROLE_SECURITY_ADMIN, NP_ROLE_AUDITOR,
                                NP_ROLE_PROVINCE_STAFF, NP_ROLE_CITY_STAFF,     NP_ROLE_COUNTY_STAFF,
                                NP_ROLE_SPECIALIST,     NP_ROLE_ENTERPRISE,     NP_ROLE_BANK,
                                NP_ROLE_SEEKER};
#define NROLES (sizeof roles / sizeof roles[0])

static const struct {
  const char *action;
  const char *allowed; /* one character per role above: 1 allowed, 0 denied */
} action_matrix[] = {
  {"self.manage", "1111111111"},    {"ref.read", "1111111111"},       {"user.manage", "1000000000"},
  {"user.read", "1100000000"},
  {"session.manage", "1100000000"}, {"account.lock", "0100000000"},   {"security.manage", "0100000000"},
  {"audit.read", "0010000000"},     {"audit.export", "0010000000"},   {"enterprise.read", "0001111100"},
  {"enterprise.write", "0000111100"},
  {"enterprise.import", "0000110000"}, {"enterprise.export", "0001111000"}, {"zone.read", "0001111100"},
  {"zone.write", "0001000000"},     {"project.read", "0001111100"},   {"project.write", "0000110000"},
  {"team.read", "0001111000"},       {"team.write", "0001110000"},     {"specialist.read", "0001111000"},
  {"specialist.write", "0001110000"}, {"grid.read", "0001111000"},    {"grid.write", "0001110000"},
  {"servicelog.read", "0001111000"}, {"servicelog.write", "0001111000"},
  {"demand.read", "0001111100"},  {"demand.write", "0000111100"},
  {"plan.read", "0001111100"},    {"plan.write", "0001111000"},
  {"alert.read", "0001111000"},    {"alert.ack", "0001110000"},    {"alert_rule.write", "0001000000"},
  {"event.read", "0001111101"},     {"event.write", "0001110000"},    {"seeker.read", "0001111001"},
  {"seeker.write", "0001111001"},   {"seeker.import", "0001110000"},  {"seeker.unmask", "0001110000"},
  {"referral.read", "0001111100"},  {"referral.write", "0001111000"}, {"apikey.manage", "0001000000"},
  {"feed.read", "0000000000"},
  {"loan.read", "0001110010"},      {"policy.read", "0001111110"},    {"policy.manage", "0001000000"},
  {"policy.run", "0001000000"},     {"policy.review", "0000010000"},  {"policy.approve", "0000100000"},
  {"policy.publish", "0001100000"}, {"policy.pay", "0000110000"},     {"policy.params", "0001000000"},
  {"case.read", "0001111000"},      {"case.write", "0001111000"},
  {"sharing.read", "0001111100"},   {"sharing.write", "0001111100"},  {"sharing.agree", "0001111000"},
  {"match.read", "0001111101"},     {"batch.run", "0001110000"},      {"batch.commit", "0001110000"},
  {"match.config", "0001000000"},
};

static void test_action_matrix(void **state) {
  (void)state;
  /* every action in the table is in the matrix, and the other way round */
  assert_int_equal(np_authz_action_count(), sizeof action_matrix / sizeof action_matrix[0]);
  for (size_t a = 0; a < sizeof action_matrix / sizeof action_matrix[0]; a++) {
    assert_string_equal(np_authz_action_name(a), action_matrix[a].action);
    for (size_t r = 0; r < NROLES; r++) {
      np_principal_t p = who(roles[r]);
      bool want = action_matrix[a].allowed[r] == '1';
      if (np_authz_allows(&p, action_matrix[a].action) != want)
        fail_msg("%s × %s: expected %s", np_role_name(roles[r]), action_matrix[a].action, want ? "allow" : "deny");
    }
  }
  assert_null(np_authz_action_name(9999));
  np_principal_t p = who(NP_ROLE_SYS_ADMIN);
  assert_false(np_authz_allows(&p, "no.such.action"));
  assert_false(np_authz_allows(&p, NULL));
  assert_false(np_authz_allows(NULL, "ref.read"));
  p.role = NP_ROLE_NONE;
  assert_false(np_authz_allows(&p, "self.manage"));
  p.role = NP_ROLE_PARTNER;
  assert_false(np_authz_allows(&p, "user.manage"));
  assert_true(np_authz_allows(&p, "feed.read")); /* a partner key reads the demand feed, nothing else */
  assert_false(np_authz_allows(&p, "seeker.read"));
  assert_false(np_authz_allows(&p, "demand.read"));
  p.role = (np_role)99;
  assert_false(np_authz_allows(&p, "self.manage"));
  /* administrators never hold a business action */
  for (size_t a = 0; a < np_authz_action_count(); a++) {
    const char *name = np_authz_action_name(a);
    bool business = strncmp(name, "self.", 5) && strncmp(name, "ref.", 4) && strncmp(name, "user.", 5) &&
                    strncmp(name, "session.", 8) && strncmp(name, "account.", 8) &&
                    strncmp(name, "security.", 9) && strncmp(name, "audit.", 6);
    for (np_role r = NP_ROLE_SYS_ADMIN; r <= NP_ROLE_AUDITOR; r++) {
      np_principal_t q = who(r);
      if (business) assert_false(np_authz_allows(&q, name));
    }
  }
  const char *list[64];
  np_principal_t sec = who(NP_ROLE_SECURITY_ADMIN);
  size_t n = np_authz_actions(&sec, list, 64);
  assert_int_equal(n, 6); /* self, ref, user.read, session, lock, security */
}

/* expected scope per role for the resource kinds that exist now: N none, A all, S self, R region,
 * E enterprise, B bank, P assigned (a specialist: the enterprises assigned to them) */
static const struct {
  const char *kind;
  const char *scope; /* per role, same order */
} scope_matrix[] = {
  {"users", "AASSSSSSSS"},
  {"sessions", "AASSSSSSSS"},
  {"settings", "NANNNNNNNN"},
  {"audit", "NNANNNNNNN"},
  {"ref", "AAAAAAAAAA"},
  {"enterprise", "NNNRRRPENN"},
  {"project", "NNNRRRPENN"},
  {"demand", "NNNRRRPENN"},
  {"team", "NNNRRRRENN"},
  {"specialist", "NNNRRRRENN"},
  {"grid", "NNNRRRRENN"},
  {"servicelog", "NNNRRRRENN"},
  {"alert", "NNNRRRRENN"},
  {"seeker", "NNNRRRRNNS"},
  {"sharing", "NNNRRRRENN"},
  {"policy_decision", "NNNRRRREBN"},
};

static char kind_char(np_scope_kind k) {
  switch (k) {
  case NP_SCOPE_NONE: return 'N';
  case NP_SCOPE_ALL: return 'A';
  case NP_SCOPE_REGION: return 'R';
  case NP_SCOPE_ENTERPRISE: return 'E';
  case NP_SCOPE_BANK: return 'B';
  case NP_SCOPE_SELF: return 'S';
  case NP_SCOPE_ASSIGNED: return 'P';
  }
  return '?';
}

static void test_scope_matrix(void **state) {
  (void)state;
  for (size_t k = 0; k < sizeof scope_matrix / sizeof scope_matrix[0]; k++)
    for (size_t r = 0; r < NROLES; r++) {
      np_principal_t p = who(roles[r]);
      np_scope_t s;
      assert_int_equal(np_authz_scope(&p, scope_matrix[k].kind, &s), NP_OK);
      if (kind_char(s.kind) != scope_matrix[k].scope[r])
        fail_msg("%s on %s: got %c want %c", np_role_name(roles[r]), scope_matrix[k].kind, kind_char(s.kind),
                 scope_matrix[k].scope[r]);
      if (s.kind == NP_SCOPE_SELF) assert_int_equal(s.user_id, 42);
    }
  np_principal_t p = who(NP_ROLE_SYS_ADMIN);
  np_scope_t s;
  assert_int_equal(np_authz_scope(&p, "no_such_kind", &s), NP_ERR_INVALID);
  assert_int_equal(s.kind, NP_SCOPE_NONE);
  assert_int_equal(np_authz_scope(NULL, "users", &s), NP_OK);
  assert_int_equal(s.kind, NP_SCOPE_NONE);
}

static void test_business_scopes(void **state) {
  (void)state;
  np_scope_t s;
  const char *want_prefix[] = {NULL, NULL, NULL, "37", "3701", "370102", "370102"};
  for (size_t r = 0; r < NROLES; r++) {
    np_principal_t p = who(roles[r]);
    assert_int_equal(np_authz_scope(&p, "enterprise", &s), NP_OK);
    if (r < 3) assert_int_equal(s.kind, NP_SCOPE_NONE); /* administrators: no business data */
    else if (r < 7) {
      /* staff: their region; a specialist: the enterprises assigned to them, inside their region */
      assert_int_equal(s.kind, roles[r] == NP_ROLE_SPECIALIST ? NP_SCOPE_ASSIGNED : NP_SCOPE_REGION);
      assert_string_equal(s.region_prefix, want_prefix[r]);
    }
  }
  np_principal_t e = who(NP_ROLE_ENTERPRISE);
  assert_int_equal(np_authz_scope(&e, "demand", &s), NP_OK);
  assert_int_equal(s.kind, NP_SCOPE_ENTERPRISE);
  assert_int_equal(s.enterprise_id, 7);
  e.enterprise_id = 0; /* an enterprise account without an enterprise sees nothing */
  assert_int_equal(np_authz_scope(&e, "demand", &s), NP_OK);
  assert_int_equal(s.kind, NP_SCOPE_NONE);
  np_principal_t b = who(NP_ROLE_BANK);
  assert_int_equal(np_authz_scope(&b, "loan", &s), NP_OK);
  assert_int_equal(s.kind, NP_SCOPE_BANK);
  assert_int_equal(np_authz_scope(&b, "enterprise", &s), NP_OK);
  assert_int_equal(s.kind, NP_SCOPE_NONE);
  np_principal_t k = who(NP_ROLE_SEEKER);
  assert_int_equal(np_authz_scope(&k, "seeker", &s), NP_OK);
  assert_int_equal(s.kind, NP_SCOPE_SELF);
  assert_int_equal(np_authz_scope(&k, "enterprise", &s), NP_OK);
  assert_int_equal(s.kind, NP_SCOPE_NONE);
  np_principal_t c = who(NP_ROLE_COUNTY_STAFF);
  c.region_code[0] = '\0'; /* misconfigured staff account: nothing, never everything */
  assert_int_equal(np_authz_scope(&c, "enterprise", &s), NP_OK);
  assert_int_equal(s.kind, NP_SCOPE_NONE);
}

static void test_region_visibility(void **state) {
  (void)state;
  char pre[16];
  assert_true(np_authz_region_prefix("370000", pre));
  assert_string_equal(pre, "37");
  assert_true(np_authz_region_prefix("370100", pre));
  assert_string_equal(pre, "3701");
  assert_true(np_authz_region_prefix("370102", pre));
  assert_string_equal(pre, "370102");
  assert_true(np_authz_region_prefix("370102001", pre));
  assert_string_equal(pre, "370102001");
  assert_false(np_authz_region_prefix("3701", pre));
  assert_false(np_authz_region_prefix("37010x", pre));
  assert_false(np_authz_region_prefix(NULL, pre));

  np_principal_t county = who(NP_ROLE_COUNTY_STAFF), city = who(NP_ROLE_CITY_STAFF),
                 prov = who(NP_ROLE_PROVINCE_STAFF), admin = who(NP_ROLE_SYS_ADMIN), ent = who(NP_ROLE_ENTERPRISE);
  assert_true(np_authz_region_visible(&county, "370102"));
  assert_true(np_authz_region_visible(&county, "370102001"));
  assert_true(np_authz_region_visible(&county, "370102001001"));
  assert_false(np_authz_region_visible(&county, "370103"));
  assert_false(np_authz_region_visible(&county, "370100"));
  assert_true(np_authz_region_visible(&city, "370102"));
  assert_true(np_authz_region_visible(&city, "370100"));
  assert_false(np_authz_region_visible(&city, "370202"));
  assert_true(np_authz_region_visible(&prov, "370202"));
  assert_false(np_authz_region_visible(&prov, "110101"));
  assert_false(np_authz_region_visible(&admin, "370102"));
  assert_false(np_authz_region_visible(&ent, "370102"));
  assert_false(np_authz_region_visible(&county, "3701"));
  assert_false(np_authz_region_visible(&county, NULL));
}

static void test_scope_sql(void **state) {
  (void)state;
  np_scope_cols_t cols = {.region = "e.region_code", .enterprise = "e.id", .bank = NULL, .user = "s.user_id"};
  np_scope_sql_t q;
  np_scope_t s = {.kind = NP_SCOPE_REGION};
  memcpy(s.region_prefix, "3701", 5);
  assert_int_equal(np_authz_scope_sql(&s, &cols, &q), NP_OK);
  assert_string_equal(q.sql, " AND e.region_code LIKE ?");
  assert_int_equal(q.nbinds, 1);
  assert_string_equal(q.binds[0].t, "3701%");
  s = (np_scope_t){.kind = NP_SCOPE_ENTERPRISE, .enterprise_id = 7};
  assert_int_equal(np_authz_scope_sql(&s, &cols, &q), NP_OK);
  assert_string_equal(q.sql, " AND e.id = ?");
  assert_true(q.binds[0].is_int);
  assert_int_equal(q.binds[0].i, 7);
  s = (np_scope_t){.kind = NP_SCOPE_BANK};
  memcpy(s.bank, "x", 2);
  assert_int_equal(np_authz_scope_sql(&s, &cols, &q), NP_OK);
  assert_string_equal(q.sql, " AND 1 = 0"); /* table without a bank column: nothing */
  s = (np_scope_t){.kind = NP_SCOPE_ALL};
  assert_int_equal(np_authz_scope_sql(&s, &cols, &q), NP_OK);
  assert_string_equal(q.sql, "");
  assert_int_equal(q.nbinds, 0);
  s = (np_scope_t){.kind = NP_SCOPE_NONE};
  assert_int_equal(np_authz_scope_sql(&s, &cols, &q), NP_OK);
  assert_string_equal(q.sql, " AND 1 = 0");
  s = (np_scope_t){.kind = NP_SCOPE_SELF, .user_id = 3};
  np_scope_cols_t bad = {.user = "x; DROP TABLE users"};
  assert_int_equal(np_authz_scope_sql(&s, &bad, &q), NP_ERR_INVALID);
  assert_true(np_authz_scope_contains(&(np_scope_t){.kind = NP_SCOPE_REGION, .region_prefix = "3701"}, "370102", 0,
                                      NULL, 0));
  assert_false(np_authz_scope_contains(&(np_scope_t){.kind = NP_SCOPE_REGION, .region_prefix = "3701"}, "370202",
                                       0, NULL, 0));
  assert_false(np_authz_scope_contains(&(np_scope_t){.kind = NP_SCOPE_NONE}, "370102", 0, NULL, 0));
}

static void test_roles(void **state) {
  (void)state;
  for (size_t r = 0; r < NROLES; r++) assert_int_equal(np_role_parse(np_role_name(roles[r])), roles[r]);
  assert_int_equal(np_role_parse("partner"), NP_ROLE_NONE);
  assert_int_equal(np_role_parse("SYS_ADMIN"), NP_ROLE_NONE);
  assert_int_equal(np_role_parse(""), NP_ROLE_NONE);
  assert_string_equal(np_role_name((np_role)77), "");
  const char *mfa = "1111110000";
  for (size_t r = 0; r < NROLES; r++) assert_int_equal(np_role_requires_mfa(roles[r]), mfa[r] == '1');
  assert_int_equal(np_role_jurisdiction(NP_ROLE_SPECIALIST), NP_JURIS_REGION);
  assert_int_equal(np_role_jurisdiction(NP_ROLE_ENTERPRISE), NP_JURIS_ENTERPRISE);
  assert_int_equal(np_role_jurisdiction(NP_ROLE_BANK), NP_JURIS_BANK);
  assert_int_equal(np_role_jurisdiction(NP_ROLE_SEEKER), NP_JURIS_NONE);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_action_matrix),  cmocka_unit_test(test_scope_matrix),
    cmocka_unit_test(test_business_scopes), cmocka_unit_test(test_region_visibility),
    cmocka_unit_test(test_scope_sql),       cmocka_unit_test(test_roles),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
