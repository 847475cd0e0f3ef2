/* Roles × actions and jurisdiction scopes (see authz.h). */
#include "http/authz.h"
#include <stdio.h>
#include <string.h>
#include "core/str.h"

#define R(x) (1u << (x))
#define ADMIN3 (R(NP_ROLE_SYS_ADMIN) | R(NP_ROLE_SECURITY_ADMIN) | R(NP_ROLE_AUDITOR))
#define STAFF3 (R(NP_ROLE_PROVINCE_STAFF) | R(NP_ROLE_CITY_STAFF) | R(NP_ROLE_COUNTY_STAFF))
#define LOCAL (R(NP_ROLE_CITY_STAFF) | R(NP_ROLE_COUNTY_STAFF) | R(NP_ROLE_SPECIALIST))
#define USERS (ADMIN3 | STAFF3 | R(NP_ROLE_SPECIALIST) | R(NP_ROLE_ENTERPRISE) | R(NP_ROLE_BANK) | R(NP_ROLE_SEEKER))

static const char *const role_names[NP_ROLE__COUNT] = {
  [NP_ROLE_NONE] = "",
  [NP_ROLE_SYS_ADMIN] = "sys_admin",
  [NP_ROLE_SECURITY_ADMIN] = "security_admin",
  [NP_ROLE_AUDITOR] = "auditor",
  [NP_ROLE_PROVINCE_STAFF] = "province_staff",
  [NP_ROLE_CITY_STAFF] = "city_staff",
  [NP_ROLE_COUNTY_STAFF] = "county_staff",
  [NP_ROLE_SPECIALIST] = "specialist",
  [NP_ROLE_ENTERPRISE] = "enterprise",
  [NP_ROLE_BANK] = "bank",
  [NP_ROLE_SEEKER] = "seeker",
  [NP_ROLE_PARTNER] = "partner",
};

const char *np_role_name(np_role r) {
  if ((int)r <= 0 || r >= NP_ROLE__COUNT) return "";
  return role_names[r];
}

np_role np_role_parse(const char *name) {
  if (!name || !*name) return NP_ROLE_NONE;
  for (int r = 1; r < NP_ROLE__COUNT; r++)
    if (r != NP_ROLE_PARTNER && strcmp(role_names[r], name) == 0) return (np_role)r;
  return NP_ROLE_NONE;
}

bool np_role_requires_mfa(np_role r) {
  return r == NP_ROLE_SYS_ADMIN || r == NP_ROLE_SECURITY_ADMIN || r == NP_ROLE_AUDITOR ||
         r == NP_ROLE_PROVINCE_STAFF || r == NP_ROLE_CITY_STAFF || r == NP_ROLE_COUNTY_STAFF;
}

bool np_role_is_admin(np_role r) {
  return r == NP_ROLE_SYS_ADMIN || r == NP_ROLE_SECURITY_ADMIN || r == NP_ROLE_AUDITOR;
}

np_juris_kind np_role_jurisdiction(np_role r) {
  switch (r) {
  case NP_ROLE_PROVINCE_STAFF:
  case NP_ROLE_CITY_STAFF:
  case NP_ROLE_COUNTY_STAFF:
  case NP_ROLE_SPECIALIST: return NP_JURIS_REGION;
  case NP_ROLE_ENTERPRISE: return NP_JURIS_ENTERPRISE;
  case NP_ROLE_BANK: return NP_JURIS_BANK;
  default: return NP_JURIS_NONE;
  }
}

/*
 * The action table. Later issues add their actions here (and to the matrix in
 * tests/unit/test_authz.c and docs/ACCOUNTS.md).
 */
typedef struct action {
  const char *name;
  unsigned roles;
} action_t;

static const action_t actions[] = {
  /* every signed-in user: own account, preferences, second factor */
  {"self.manage", USERS},
  /* reference data (regions for the user form's tree select too) */
  {"ref.read", USERS},
  /* the three separated duties */
  {"user.manage", R(NP_ROLE_SYS_ADMIN)},
  {"user.read", R(NP_ROLE_SYS_ADMIN) | R(NP_ROLE_SECURITY_ADMIN)}, /* security admins lock and reset */
  {"session.manage", R(NP_ROLE_SYS_ADMIN) | R(NP_ROLE_SECURITY_ADMIN)},
  {"account.lock", R(NP_ROLE_SECURITY_ADMIN)},
  {"security.manage", R(NP_ROLE_SECURITY_ADMIN)},
  {"audit.read", R(NP_ROLE_AUDITOR)},
  {"audit.export", R(NP_ROLE_AUDITOR)},
  /* business data: never the administrators */
  {"enterprise.read", STAFF3 | R(NP_ROLE_SPECIALIST) | R(NP_ROLE_ENTERPRISE)},
  {"enterprise.write", LOCAL | R(NP_ROLE_ENTERPRISE)},
  {"enterprise.import", R(NP_ROLE_CITY_STAFF) | R(NP_ROLE_COUNTY_STAFF)},
  {"enterprise.export", STAFF3 | R(NP_ROLE_SPECIALIST)},
  {"zone.read", STAFF3 | R(NP_ROLE_SPECIALIST) | R(NP_ROLE_ENTERPRISE)},
  {"zone.write", R(NP_ROLE_PROVINCE_STAFF)},
  {"project.read", STAFF3 | R(NP_ROLE_SPECIALIST) | R(NP_ROLE_ENTERPRISE)},
  {"project.write", R(NP_ROLE_CITY_STAFF) | R(NP_ROLE_COUNTY_STAFF)},
  /* service teams, specialists + assignments + coverage, grid, service logs (firms, teams helper) */
  {"team.read", STAFF3 | R(NP_ROLE_SPECIALIST)},
  {"team.write", STAFF3},
  {"specialist.read", STAFF3 | R(NP_ROLE_SPECIALIST)},
  {"specialist.write", STAFF3},
  {"grid.read", STAFF3 | R(NP_ROLE_SPECIALIST)},
  {"grid.write", STAFF3},
  {"servicelog.read", STAFF3 | R(NP_ROLE_SPECIALIST)},
  {"servicelog.write", STAFF3 | R(NP_ROLE_SPECIALIST)},
  {"demand.read", STAFF3 | R(NP_ROLE_SPECIALIST) | R(NP_ROLE_ENTERPRISE)},
  {"demand.write", LOCAL | R(NP_ROLE_ENTERPRISE)},
  /* 一企一策 plans (firms, demands helper): enterprises read their own plan */
  {"plan.read", STAFF3 | R(NP_ROLE_SPECIALIST) | R(NP_ROLE_ENTERPRISE)},
  {"plan.write", STAFF3 | R(NP_ROLE_SPECIALIST)},
  /* large-scale shortage alerts and their rules (firms, alerts helper): teams acknowledge, the province sets rules */
  {"alert.read", STAFF3 | R(NP_ROLE_SPECIALIST)},
  {"alert.ack", STAFF3},
  {"alert_rule.write", R(NP_ROLE_PROVINCE_STAFF)},
  {"event.read", STAFF3 | R(NP_ROLE_SPECIALIST) | R(NP_ROLE_ENTERPRISE) | R(NP_ROLE_SEEKER)},
  {"event.write", STAFF3},
  /* job seekers (match, seekers helper): staff of the region see masked records, a seeker only their own
   * (scope SELF); creating needs a region scope; unmask also needs the user's can_unmask grant */
  {"seeker.read", STAFF3 | R(NP_ROLE_SPECIALIST) | R(NP_ROLE_SEEKER)},
  {"seeker.write", STAFF3 | R(NP_ROLE_SPECIALIST) | R(NP_ROLE_SEEKER)},
  {"seeker.import", STAFF3},
  {"seeker.unmask", STAFF3},
  /* referrals (recommendation → hire pipeline): enterprises follow the referrals to their own lines */
  {"referral.read", STAFF3 | R(NP_ROLE_SPECIALIST) | R(NP_ROLE_ENTERPRISE)},
  {"referral.write", STAFF3 | R(NP_ROLE_SPECIALIST)},
  /* partner sites: the province issues and revokes API keys; a key reads the public demand feed */
  {"apikey.manage", R(NP_ROLE_PROVINCE_STAFF)},
  {"feed.read", R(NP_ROLE_PARTNER)},
  {"loan.read", STAFF3 | R(NP_ROLE_BANK)},
  {"policy.read", STAFF3 | R(NP_ROLE_SPECIALIST) | R(NP_ROLE_ENTERPRISE) | R(NP_ROLE_BANK)},
  {"policy.manage", R(NP_ROLE_PROVINCE_STAFF)},
  /* 免申即享 workflow (policy, workflow helper): the province runs, counties review, cities approve, province or
   * city publish and push, counties or cities record payments, the province sets local parameter values */
  {"policy.run", R(NP_ROLE_PROVINCE_STAFF)},
  {"policy.review", R(NP_ROLE_COUNTY_STAFF)},
  {"policy.approve", R(NP_ROLE_CITY_STAFF)},
  {"policy.publish", R(NP_ROLE_PROVINCE_STAFF) | R(NP_ROLE_CITY_STAFF)},
  {"policy.pay", R(NP_ROLE_CITY_STAFF) | R(NP_ROLE_COUNTY_STAFF)},
  {"policy.params", R(NP_ROLE_PROVINCE_STAFF)},
  {"case.read", STAFF3 | R(NP_ROLE_SPECIALIST)},
  {"case.write", STAFF3 | R(NP_ROLE_SPECIALIST)},
  /* surplus/shortage sharing (match, sharing helper): enterprises post their own surpluses and shortages,
   * staff post on their behalf and record the agreements between two enterprises */
  {"sharing.read", STAFF3 | R(NP_ROLE_SPECIALIST) | R(NP_ROLE_ENTERPRISE)},
  {"sharing.write", STAFF3 | R(NP_ROLE_SPECIALIST) | R(NP_ROLE_ENTERPRISE)},
  {"sharing.agree", STAFF3 | R(NP_ROLE_SPECIALIST)},
  /* matching engine (match, engine helper): candidates for a visible demand line (enterprises: their own),
   * jobs for a visible seeker (a seeker: their own); organised batches run and committed by bureau staff */
  {"match.read", STAFF3 | R(NP_ROLE_SPECIALIST) | R(NP_ROLE_ENTERPRISE) | R(NP_ROLE_SEEKER)},
  {"batch.run", STAFF3},
  {"batch.commit", STAFF3},
  {"match.config", R(NP_ROLE_PROVINCE_STAFF)}, /* weights, anti-congestion limits, related occupations */
};

#define NACTIONS (sizeof actions / sizeof actions[0])

static bool role_ok(const np_principal_t *p) {
  return p && (int)p->role > 0 && p->role < NP_ROLE__COUNT;
}

bool np_authz_allows(const np_principal_t *p, const char *action) {
  if (!role_ok(p) || !action) return false;
  for (size_t i = 0; i < NACTIONS; i++)
    if (strcmp(actions[i].name, action) == 0) return (actions[i].roles & R(p->role)) != 0;
  return false;
}

size_t np_authz_actions(const np_principal_t *p, const char **out, size_t cap) {
  size_t n = 0;
  if (!role_ok(p)) return 0;
  for (size_t i = 0; i < NACTIONS && n < cap; i++)
    if (actions[i].roles & R(p->role)) out[n++] = actions[i].name;
  return n;
}

size_t np_authz_action_count(void) { return NACTIONS; }

const char *np_authz_action_name(size_t i) { return i < NACTIONS ? actions[i].name : NULL; }

static bool all_digits(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

bool np_authz_region_prefix(const char *code, char out[16]) {
  out[0] = '\0';
  if (!code) return false;
  size_t n = strlen(code);
  if ((n != 6 && n != 9 && n != 12) || !all_digits(code, n)) return false;
  if (n == 6) {
    if (memcmp(code + 2, "0000", 4) == 0) n = 2;
    else if (memcmp(code + 4, "00", 2) == 0) n = 4;
  }
  memcpy(out, code, n);
  out[n] = '\0';
  return true;
}

static void region_scope(const np_principal_t *p, np_scope_t *out) {
  if (np_authz_region_prefix(p->region_code, out->region_prefix)) out->kind = NP_SCOPE_REGION;
  else out->kind = NP_SCOPE_NONE; /* a staff account without a valid region sees nothing */
}

/* Business kinds and who sees which rows of them. BIZ_ENTERPRISE: rows of one enterprise (the
 * enterprise itself, its projects, its demand lines and plan): staff by region, a specialist the
 * enterprises assigned to them (inside their region), an enterprise user its own. */
typedef enum biz_kind {
  BIZ_REGIONAL,
  BIZ_ENTERPRISE,
  BIZ_EVENT,
  BIZ_SEEKER,
  BIZ_LOAN,
  BIZ_POLICY,
  BIZ_CASE,
  BIZ_POLICY_DEC
} biz_kind;

static const struct {
  const char *name;
  biz_kind kind;
} biz_kinds[] = {
  {"enterprise", BIZ_ENTERPRISE}, {"project", BIZ_ENTERPRISE}, {"demand", BIZ_ENTERPRISE}, {"event", BIZ_EVENT}, {"seeker", BIZ_SEEKER},
  {"loan", BIZ_LOAN},           {"policy", BIZ_POLICY},   {"case", BIZ_CASE},
  {"team", BIZ_REGIONAL},       {"specialist", BIZ_REGIONAL}, {"grid", BIZ_REGIONAL}, {"servicelog", BIZ_REGIONAL},
  {"alert", BIZ_REGIONAL},        {"sharing", BIZ_REGIONAL},
  /* policy decisions and workflow items: staff their region, an enterprise its own, a bank its own whitelist */
  {"policy_decision", BIZ_POLICY_DEC},
};

np_err np_authz_scope(const np_principal_t *p, const char *kind, np_scope_t *out) {
  memset(out, 0, sizeof *out);
  if (!kind) return NP_ERR_INVALID;
  bool known = false;
  biz_kind bk = BIZ_REGIONAL;
  for (size_t i = 0; i < sizeof biz_kinds / sizeof biz_kinds[0]; i++)
    if (strcmp(biz_kinds[i].name, kind) == 0) known = true, bk = biz_kinds[i].kind;
  bool admin_kind = strcmp(kind, "users") == 0 || strcmp(kind, "sessions") == 0 || strcmp(kind, "settings") == 0 ||
                    strcmp(kind, "audit") == 0 || strcmp(kind, "ref") == 0;
  if (!known && !admin_kind) return NP_ERR_INVALID;
  if (!role_ok(p)) return NP_OK; /* NONE */
  np_role r = p->role;
  if (strcmp(kind, "ref") == 0) {
    out->kind = NP_SCOPE_ALL;
    return NP_OK;
  }
  if (strcmp(kind, "users") == 0 || strcmp(kind, "sessions") == 0) {
    if (r == NP_ROLE_SYS_ADMIN || r == NP_ROLE_SECURITY_ADMIN) out->kind = NP_SCOPE_ALL;
    else if (r != NP_ROLE_PARTNER) out->kind = NP_SCOPE_SELF, out->user_id = p->user_id;
    return NP_OK;
  }
  if (strcmp(kind, "settings") == 0) {
    if (r == NP_ROLE_SECURITY_ADMIN) out->kind = NP_SCOPE_ALL;
    return NP_OK;
  }
  if (strcmp(kind, "audit") == 0) {
    if (r == NP_ROLE_AUDITOR) out->kind = NP_SCOPE_ALL;
    return NP_OK;
  }
  /* business data */
  if (np_role_is_admin(r) || r == NP_ROLE_PARTNER) return NP_OK;
  switch (r) {
  case NP_ROLE_PROVINCE_STAFF:
  case NP_ROLE_CITY_STAFF:
  case NP_ROLE_COUNTY_STAFF:
    region_scope(p, out);
    return NP_OK;
  case NP_ROLE_SPECIALIST:
    if (bk == BIZ_LOAN) return NP_OK;
    region_scope(p, out);
    /* enterprises, projects, demand lines, plans: the enterprises assigned to them, inside their region
     * (teams, grid, service logs, alerts … stay regional: a specialist sees their county's) */
    if (bk == BIZ_ENTERPRISE && out->kind == NP_SCOPE_REGION && p->user_id > 0) {
      out->kind = NP_SCOPE_ASSIGNED;
      out->user_id = p->user_id;
    }
    return NP_OK;
  case NP_ROLE_ENTERPRISE:
    if (bk == BIZ_EVENT || bk == BIZ_POLICY) out->kind = NP_SCOPE_ALL; /* public events, published policies */
    else if ((bk == BIZ_REGIONAL || bk == BIZ_ENTERPRISE || bk == BIZ_LOAN || bk == BIZ_POLICY_DEC) &&
             p->enterprise_id > 0)
      out->kind = NP_SCOPE_ENTERPRISE, out->enterprise_id = p->enterprise_id;
    return NP_OK;
  case NP_ROLE_BANK:
    if ((bk == BIZ_LOAN || bk == BIZ_POLICY_DEC) && p->bank[0]) {
      out->kind = NP_SCOPE_BANK;
      np_strlcpy(out->bank, p->bank, sizeof out->bank);
    } else if (bk == BIZ_POLICY) {
      out->kind = NP_SCOPE_ALL;
    }
    return NP_OK;
  case NP_ROLE_SEEKER:
    if (bk == BIZ_EVENT) out->kind = NP_SCOPE_ALL;
    else if (bk == BIZ_SEEKER) out->kind = NP_SCOPE_SELF, out->user_id = p->user_id;
    return NP_OK;
  default: return NP_OK;
  }
}

bool np_authz_region_visible(const np_principal_t *p, const char *region_code) {
  if (!role_ok(p) || np_role_jurisdiction(p->role) != NP_JURIS_REGION || !region_code) return false;
  char prefix[16];
  if (!np_authz_region_prefix(p->region_code, prefix)) return false;
  size_t rn = strlen(region_code), pn = strlen(prefix);
  if ((rn != 6 && rn != 9 && rn != 12) || !all_digits(region_code, rn)) return false;
  return rn >= pn && memcmp(region_code, prefix, pn) == 0;
}

/* The assignments behind NP_SCOPE_ASSIGNED (set once at route registration, before serving). */
static char assigned_sql[80]; /* keeps the assigned fragment within np_scope_sql_t.sql */
static np_authz_serves_fn assigned_serves;

void np_authz_set_assignments(const char *set_sql, np_authz_serves_fn serves) {
  assigned_sql[0] = '\0';
  if (set_sql && strlen(set_sql) < sizeof assigned_sql) np_strlcpy(assigned_sql, set_sql, sizeof assigned_sql);
  assigned_serves = serves;
}

void np_authz_scope_store(np_scope_t *scope, np_store_t *s) {
  if (scope) scope->store = s;
}

static bool in_prefix(const char *prefix, const char *region_code) {
  size_t pn = strlen(prefix);
  return pn > 0 && region_code && strlen(region_code) >= pn && memcmp(region_code, prefix, pn) == 0;
}

bool np_authz_scope_contains(const np_scope_t *s, const char *region_code, int64_t enterprise_id, const char *bank,
                             int64_t user_id) {
  if (!s) return false;
  switch (s->kind) {
  case NP_SCOPE_ALL: return true;
  case NP_SCOPE_REGION: return in_prefix(s->region_prefix, region_code);
  case NP_SCOPE_ASSIGNED: {
    if (!in_prefix(s->region_prefix, region_code)) return false;
    if (enterprise_id <= 0 || !s->store) return true; /* region-level question, or no store: the region rule */
    bool yes = false;
    return assigned_serves && s->user_id > 0 && assigned_serves(s->store, s->user_id, enterprise_id, &yes) == NP_OK && yes;
  }
  case NP_SCOPE_ENTERPRISE: return s->enterprise_id > 0 && enterprise_id == s->enterprise_id;
  case NP_SCOPE_BANK: return s->bank[0] && bank && strcmp(bank, s->bank) == 0;
  case NP_SCOPE_SELF: return s->user_id > 0 && user_id == s->user_id;
  default: return false;
  }
}

static bool col_ok(const char *c) {
  if (!c || !*c || strlen(c) > 64) return false;
  for (const char *q = c; *q; q++)
    if (!((*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') || *q == '_' || *q == '.')) return false;
  return true;
}

np_err np_authz_scope_sql(const np_scope_t *s, const np_scope_cols_t *cols, np_scope_sql_t *out) {
  memset(out, 0, sizeof *out);
  static const char none[] = " AND 1 = 0";
  const char *col = NULL;
  np_scope_bind_t *b = &out->binds[0];
  switch (s ? s->kind : NP_SCOPE_NONE) {
  case NP_SCOPE_ALL: return NP_OK; /* no restriction */
  case NP_SCOPE_REGION:
    col = cols ? cols->region : NULL;
    if (!s->region_prefix[0]) break;
    snprintf(b->t, sizeof b->t, "%s%%", s->region_prefix);
    break;
  case NP_SCOPE_ENTERPRISE:
    col = cols ? cols->enterprise : NULL;
    b->is_int = true;
    b->i = s->enterprise_id;
    break;
  case NP_SCOPE_BANK:
    col = cols ? cols->bank : NULL;
    np_strlcpy(b->t, s->bank, sizeof b->t);
    break;
  case NP_SCOPE_SELF:
    col = cols ? cols->user : NULL;
    b->is_int = true;
    b->i = s->user_id;
    break;
  case NP_SCOPE_ASSIGNED: {
    /* " AND <region> LIKE ? AND <enterprise> IN (<the user's enterprises>)"; no enterprise column (or
     * no assignments provider): nothing */
    const char *ecol = cols ? cols->enterprise : NULL, *rcol = cols ? cols->region : NULL;
    if (!ecol || !assigned_sql[0] || !s->region_prefix[0] || s->user_id <= 0) break;
    if (!col_ok(ecol) || (rcol && !col_ok(rcol))) return NP_ERR_INVALID;
    int n = 0;
    if (rcol) {
      snprintf(out->binds[0].t, sizeof out->binds[0].t, "%s%%", s->region_prefix);
      n = 1;
    }
    out->binds[n].is_int = true;
    out->binds[n].i = s->user_id;
    int k = rcol ? snprintf(out->sql, sizeof out->sql, " AND %s LIKE ? AND %s IN (%s)", rcol, ecol, assigned_sql)
                 : snprintf(out->sql, sizeof out->sql, " AND %s IN (%s)", ecol, assigned_sql);
    if (k < 0 || (size_t)k >= sizeof out->sql) return NP_ERR_INVALID;
    out->nbinds = n + 1;
    return NP_OK;
  }
  default: break;
  }
  if (!col) {
    memcpy(out->sql, none, sizeof none);
    return NP_OK;
  }
  if (!col_ok(col)) return NP_ERR_INVALID;
  const char *op = s->kind == NP_SCOPE_REGION ? "LIKE" : "=";
  snprintf(out->sql, sizeof out->sql, " AND %s %s ?", col, op);
  out->nbinds = 1;
  return NP_OK;
}

np_err np_authz_scope_bind(const np_scope_sql_t *q, np_stmt_t *st, int first, int *next) {
  int idx = first;
  for (int i = 0; i < q->nbinds; i++, idx++) {
    np_err e = q->binds[i].is_int ? np_store_bind_int64(st, idx, q->binds[i].i)
                                  : np_store_bind_text(st, idx, q->binds[i].t, NP_STORE_STRLEN);
    if (e) return e;
  }
  if (next) *next = idx;
  return NP_OK;
}
