/*
 * Service teams (用工服务专班): one per county-or-above bureau (province, city or county-level unit,
 * never a township), with its lead, members and the divisions (科室) they come from, and the
 * published hotline numbers (用工服务热线). Table service_teams + team_members (migration 0007).
 *
 * This header also holds what the teams helper's units (teams, specialists, grid, servicelog) share:
 * the call context (store, reference index, the caller's scope and audit identity) and a few helpers.
 * Every mutation runs in one transaction with np_store_change() and np_audit_record(); reads outside
 * the caller's scope answer NP_ERR_NOT_FOUND.
 */
#ifndef NP_FIRMS_TEAMS_H
#define NP_FIRMS_TEAMS_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "audit/audit.h"
#include "core/err.h"
#include "http/authz.h"
#include "ref/ref.h"
#include "store/store.h"

/** What every call of these units needs. */
typedef struct np_firms_ctx {
  np_store_t *s;
  const np_ref_t *ref;           /* region tree (np_ref_global() in handlers) */
  const np_scope_t *scope;       /* rows the caller may see; NULL = everything (CLI, demo) */
  const np_audit_entry_t *actor; /* who acts (user, role, ip, request id); action/entity are filled here */
  bool can_unmask;               /* the caller holds the unmask grant for personal data */
} np_firms_ctx_t;

/** Cursor page of a list: limit 1..100 (0 = 20), cursor = text from the previous page (NULL = first). */
typedef struct np_firms_page {
  int64_t limit;
  const char *cursor;
} np_firms_page_t;

/* ---- shared helpers ---- */

/** Current UTC time stamp "YYYY-MM-DDTHH:MM:SSZ" into out (NP_TS_STRLEN bytes). */
void np_firms_now(char out[21]);

/** True when the scope (NULL = all) contains a row with this region code. */
bool np_firms_visible(const np_firms_ctx_t *c, const char *region_code);

/**
 * Appends the change-feed row and the audit row of a mutation (inside the caller's transaction).
 * before/after may be NULL; they must already be masked.
 */
np_err np_firms_record(const np_firms_ctx_t *c, const char *action, const char *entity, const char *entity_id,
                       const json_t *before, const json_t *after, const char *op, np_errdetail_t *err);

/**
 * Validates and seals a mobile number: *sealed (malloc'd, free()), bidx (blind index hex, 65 bytes)
 * and masked ("138****1234", 16 bytes). field names the input for the error.
 */
np_err np_firms_phone_seal(const char *phone, const char *field, char **sealed, char bidx[65], char masked[16],
                           np_errdetail_t *err);

/** The phone to show: the unsealed number when c->can_unmask, else the masked copy; json null when none. */
json_t *np_firms_phone_json(const np_firms_ctx_t *c, const char *sealed, const char *masked);

/** Parses the page limit and cursor (an id > 0); errors name the field "limit" / "cursor". */
np_err np_firms_page_parse(const np_firms_page_t *pg, int64_t *limit, int64_t *after_id, np_errdetail_t *err);

/** {"items":items,"total":total,"next_cursor":"<next>"|null} (steals items). next 0 = none. */
json_t *np_firms_envelope(json_t *items, int64_t total, int64_t next);

/** Binds the scope's values (if any) of a fragment built with np_authz_scope_sql from *idx+1. */
np_err np_firms_scope_where(const np_firms_ctx_t *c, const char *region_col, np_scope_sql_t *q);

/* ---- teams ---- */

/** Division codes members come from, in display order; NULL-terminated. */
extern const char *const np_firms_divisions[];

/**
 * Lists teams in scope, by id; filter region (a 6-digit code: that team and those below it; NULL = all).
 * *out is the list envelope.
 */
np_err np_firms_team_list(const np_firms_ctx_t *c, const char *region, const np_firms_page_t *pg, json_t **out,
                          np_errdetail_t *err);

/** One team with its members; NP_ERR_NOT_FOUND when absent or outside the scope. */
np_err np_firms_team_get(const np_firms_ctx_t *c, int64_t id, json_t **out, np_errdetail_t *err);

/**
 * Creates a team from {region_code, name, lead_name, lead_title?, hotlines?: [..], notes?, members?: [..]}.
 * region_code must be a known province, city or county-level code inside the scope (unknown → 422
 * "unknown_region", township/village → 422 "region_level", outside → 403); a second team for a region → 409.
 */
np_err np_firms_team_create(const np_firms_ctx_t *c, const json_t *in, json_t **out, np_errdetail_t *err);

/** Updates name, lead_name, lead_title, hotlines, notes (region_code is fixed). */
np_err np_firms_team_update(const np_firms_ctx_t *c, int64_t id, const json_t *patch, json_t **out,
                            np_errdetail_t *err);

/** Adds a member {name, division, title?, phone?, user_id?}; *out is the member. */
np_err np_firms_team_member_add(const np_firms_ctx_t *c, int64_t team_id, const json_t *in, json_t **out,
                                np_errdetail_t *err);

/** Removes a member of the team (NP_ERR_NOT_FOUND when it is not one of this team's). */
np_err np_firms_team_member_remove(const np_firms_ctx_t *c, int64_t team_id, int64_t member_id, np_errdetail_t *err);

/** Id of the team of a region (6-digit code), 0 when none. */
np_err np_firms_team_of_region(np_store_t *s, const char *region_code, int64_t *id, np_errdetail_t *err);

#endif
