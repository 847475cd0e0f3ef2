/*
 * Authorization: the ONE place that turns (principal, action, resource) into allow/deny and into a
 * jurisdiction scope (数据权限). Handlers never compare roles themselves: they ask
 * np_authz_allows() for the action and np_authz_scope() for which rows they may show, and they
 * answer 404 for a read outside the scope (no existence leak), 403 or 404 for a write.
 *
 * The three separated administrator duties (sys_admin, security_admin, auditor) get no business
 * action at all. No SQL runs here: np_authz_scope_sql() only produces a fragment and its binds.
 */
#ifndef NP_HTTP_AUTHZ_H
#define NP_HTTP_AUTHZ_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/err.h"
#include "http/principal.h"
#include "store/store.h"

/** Stable role name ("county_staff"); "" for NP_ROLE_NONE or out of range. */
const char *np_role_name(np_role r);
/** Parses a role name (exact, lower-case); NP_ROLE_NONE when unknown. "partner" is not a user role. */
np_role np_role_parse(const char *name);
/** True for roles whose users must have a second factor (administrators and bureau staff). */
bool np_role_requires_mfa(np_role r);

/** Which kind of jurisdiction a role carries. */
typedef enum np_juris_kind {
  NP_JURIS_NONE = 0,   /* administrators, seekers */
  NP_JURIS_REGION,     /* province/city/county staff, specialists */
  NP_JURIS_ENTERPRISE, /* enterprise users */
  NP_JURIS_BANK,       /* partner banks */
} np_juris_kind;

/** The jurisdiction kind a user of role r must have. */
np_juris_kind np_role_jurisdiction(np_role r);

/** True when the role is one of the three administrator duties (no business data). */
bool np_role_is_admin(np_role r);

/**
 * Is the principal allowed to perform `action` ("user.manage", "enterprise.read" …)? Unknown
 * actions and a NULL principal are denied. Matches np_authz_fn (the HTTP hook).
 */
bool np_authz_allows(const np_principal_t *p, const char *action);

/** The actions the principal holds, in table order; returns how many were written (at most cap). */
size_t np_authz_actions(const np_principal_t *p, const char **out, size_t cap);

/** Number of known actions (for the matrix test and the docs). */
size_t np_authz_action_count(void);
/** Name of action i (table order), NULL past the end. */
const char *np_authz_action_name(size_t i);

typedef enum np_scope_kind {
  NP_SCOPE_NONE = 0,   /* nothing is visible */
  NP_SCOPE_ALL,        /* everything (province staff on business data, admins on their own resources) */
  NP_SCOPE_REGION,     /* region codes starting with region_prefix */
  NP_SCOPE_ENTERPRISE, /* rows of enterprise_id only */
  NP_SCOPE_BANK,       /* rows of bank only */
  NP_SCOPE_SELF,       /* rows of user_id only */
  NP_SCOPE_ASSIGNED,   /* a specialist: rows of the enterprises assigned to user_id (directly, through their
                          development zone or a project; np_authz_set_assignments), inside region_prefix */
} np_scope_kind;

typedef struct np_scope {
  np_scope_kind kind;
  char region_prefix[16]; /* "37" province, "3701" city, "370102" county */
  int64_t enterprise_id;
  char bank[64];
  int64_t user_id;
  np_store_t *store; /* NP_SCOPE_ASSIGNED: where np_authz_scope_contains looks the assignment up (np_authz_scope_store) */
} np_scope_t;

/**
 * The rows of `resource_kind` the principal may see: "users", "sessions", "settings", "audit",
 * "ref", and the business kinds ("enterprise", "demand", "event", "seeker", "loan" …).
 * NP_ERR_INVALID for an unknown kind (a bug in the caller); out is NP_SCOPE_NONE then.
 */
np_err np_authz_scope(const np_principal_t *p, const char *resource_kind, np_scope_t *out);

/**
 * The assignments behind NP_SCOPE_ASSIGNED, provided by the module that owns them (src/firms: the
 * specialist_enterprises view of migration 0018) and set once at route registration:
 *  - set_sql: a subquery selecting enterprise ids for one user, with exactly one placeholder, the
 *    user id ("SELECT enterprise_id FROM specialist_enterprises WHERE user_id = ?");
 *  - serves: whether the user's assignments cover the enterprise (*yes), on the given store.
 * Until they are set, an assigned scope shows nothing (lists " AND 1 = 0", rows false).
 */
typedef np_err (*np_authz_serves_fn)(np_store_t *s, int64_t user_id, int64_t enterprise_id, bool *yes);
void np_authz_set_assignments(const char *set_sql, np_authz_serves_fn serves);

/**
 * Gives a scope the store its single-row checks may use (NP_SCOPE_ASSIGNED looks the assignment up
 * there); harmless for other kinds. Without a store an assigned scope falls back to its region
 * (the rule before assignments were enforced), so callers that check single rows should set it.
 */
void np_authz_scope_store(np_scope_t *scope, np_store_t *s);

/**
 * Region prefix of a jurisdiction code: trailing "00" pairs of a 6-digit code are dropped
 * ("370000" → "37", "370100" → "3701", "370102" → "370102"). Longer codes (township, village)
 * are kept whole. false (and out = "") for anything that is not 6, 9 or 12 digits.
 */
bool np_authz_region_prefix(const char *region_code, char out[16]);

/** True when region_code lies inside the principal's region jurisdiction (prefix match). */
bool np_authz_region_visible(const np_principal_t *p, const char *region_code);

/**
 * True when a row with these owners is inside the scope (for single-row reads and writes). An
 * assigned scope needs the region inside its prefix and, when the enterprise is known (> 0) and the
 * scope has a store, the enterprise among the user's assignments; enterprise_id <= 0 checks the
 * region only (e.g. "may I look at this county at all").
 */
bool np_authz_scope_contains(const np_scope_t *s, const char *region_code, int64_t enterprise_id, const char *bank,
                             int64_t user_id);

/** Columns a list query offers for scoping; NULL for a column the table does not have. */
typedef struct np_scope_cols {
  const char *region;     /* "e.region_code" */
  const char *enterprise; /* "e.id" or "d.enterprise_id" */
  const char *bank;       /* "l.bank" */
  const char *user;       /* "s.user_id" */
} np_scope_cols_t;

typedef struct np_scope_bind {
  bool is_int;
  int64_t i;
  char t[72];
} np_scope_bind_t;

typedef struct np_scope_sql {
  char sql[160]; /* "", " AND e.region_code LIKE ?", " AND 1 = 0", " AND … LIKE ? AND e.id IN (…)" */
  int nbinds;
  np_scope_bind_t binds[2];
} np_scope_sql_t;

/**
 * Builds the WHERE fragment (starting with " AND ") that limits a list to the scope, and its bind
 * value. A scope the table cannot express (say a bank scope on a table without a bank column)
 * yields " AND 1 = 0": nothing, never everything.
 */
np_err np_authz_scope_sql(const np_scope_t *s, const np_scope_cols_t *cols, np_scope_sql_t *out);

/** Binds the fragment's values starting at placeholder `first` (1-based); *next gets the next free one. */
np_err np_authz_scope_bind(const np_scope_sql_t *q, np_stmt_t *st, int first, int *next);

#endif
