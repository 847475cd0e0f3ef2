/*
 * Service specialists (用工服务专员) and their one-to-one assignments (“一对一”联系服务) to key
 * enterprises, development zones and major projects; "my enterprises"; the coverage report.
 * Tables specialists + specialist_assignments (migration 0007); the targets are read from the
 * enterprises, projects and dev_zones tables (0006). At most one open assignment per target; ending
 * one keeps it as history.
 */
#ifndef NP_FIRMS_SPECIALISTS_H
#define NP_FIRMS_SPECIALISTS_H
#include "firms/teams.h"

#define NP_FIRMS_ID_ASSIGNMENT "asg_"

typedef enum np_firms_target_kind {
  NP_FIRMS_TARGET_ENTERPRISE = 0,
  NP_FIRMS_TARGET_ZONE,
  NP_FIRMS_TARGET_PROJECT,
} np_firms_target_kind;

/** A resolved assignment target. */
typedef struct np_firms_target {
  np_firms_target_kind kind;
  int64_t id;
  char name[256];
  char region_code[16];
  char county_code[8]; /* "" for zones without one */
  char city_code[8];
  bool is_key;         /* enterprises: key flag; projects: major flag */
} np_firms_target_t;

/** "enterprise" | "zone" | "project" → kind; false when unknown. */
bool np_firms_target_kind_parse(const char *s, np_firms_target_kind *out);
/** Name of a kind ("enterprise" …). */
const char *np_firms_target_kind_name(np_firms_target_kind k);

/**
 * Resolves a target by public id ("ent_5", "prj_2", "zone_1"; for enterprises also the credit code).
 * An id of another kind, an unknown row or one outside the caller's scope → NP_ERR_NOT_FOUND.
 */
np_err np_firms_target_resolve(const np_firms_ctx_t *c, np_firms_target_kind kind, const char *ref,
                               np_firms_target_t *out, np_errdetail_t *err);

/** Resolves an enterprise reference ("ent_5" or a USCC) visible to the caller. */
np_err np_firms_enterprise_resolve(const np_firms_ctx_t *c, const char *ref, np_firms_target_t *out,
                                   np_errdetail_t *err);

/** Lists specialists in scope by id; filters: region (code prefix), team ("team_N"), active (-1 any, 0, 1). */
np_err np_firms_specialist_list(const np_firms_ctx_t *c, const char *region, const char *team, int active,
                                const np_firms_page_t *pg, json_t **out, np_errdetail_t *err);

/** One specialist with its open assignment counts. */
np_err np_firms_specialist_get(const np_firms_ctx_t *c, int64_t id, json_t **out, np_errdetail_t *err);

/**
 * Creates {name, region_code (county/township/village), phone?, team_id?, user_id? | username?}.
 * The team defaults to the county's team; a given team must contain the region. A linked user must
 * have the role specialist and may be linked once (409).
 */
np_err np_firms_specialist_create(const np_firms_ctx_t *c, const json_t *in, json_t **out, np_errdetail_t *err);

/** Updates name, phone, region_code, team_id, user_id, active. Deactivating one with open assignments → 409. */
np_err np_firms_specialist_update(const np_firms_ctx_t *c, int64_t id, const json_t *patch, json_t **out,
                                  np_errdetail_t *err);

/** The specialist linked to user_id (*id = 0 when none). */
np_err np_firms_specialist_of_user(np_store_t *s, int64_t user_id, int64_t *id, np_errdetail_t *err);

/** Assignments of a specialist (open first, then history), newest first by id; cursor = id. */
np_err np_firms_assignment_list(const np_firms_ctx_t *c, int64_t specialist_id, const np_firms_page_t *pg,
                                json_t **out, np_errdetail_t *err);

/**
 * Assigns a specialist to a target from {target_kind, target_id, since?} (since defaults to today,
 * never in the future). A target that already has an open assignment → NP_ERR_CONFLICT ("already_assigned").
 */
np_err np_firms_assign(const np_firms_ctx_t *c, int64_t specialist_id, const json_t *in, json_t **out,
                       np_errdetail_t *err);

/** Ends an open assignment today (kept as history); an already ended one → NP_ERR_CONFLICT. */
np_err np_firms_assignment_end(const np_firms_ctx_t *c, int64_t assignment_id, json_t **out, np_errdetail_t *err);

/**
 * The enterprises the specialist serves (own, zone's or project's open assignment: "via"), by
 * enterprise id, once each, with the assignment and the last service date.
 */
np_err np_firms_specialist_enterprises(const np_firms_ctx_t *c, int64_t specialist_id, const np_firms_page_t *pg,
                                       json_t **out, np_errdetail_t *err);

/**
 * True when the specialist serves the enterprise: an open assignment of the enterprise, its
 * development zone or one of its projects (view specialist_enterprises, migration 0018).
 */
np_err np_firms_specialist_serves(np_store_t *s, int64_t specialist_id, int64_t enterprise_id, bool *yes,
                                  np_errdetail_t *err);

/**
 * Registers the specialist scope with src/http/authz.c (np_authz_set_assignments): enterprise,
 * project and demand rows of a specialist are those of specialist_enterprises. Called from
 * np_firms_api_register.
 */
void np_firms_specialist_scope_register(void);

/**
 * Who serves the enterprise: its own open assignment, else its development zone's, else one of its
 * projects' — {id, name, phone (masked unless c->can_unmask), since, via: "enterprise"|"zone"|"project",
 * via_target?: {id, name}, team: {id, name}|null}; json null when nobody does.
 */
np_err np_firms_enterprise_specialist(const np_firms_ctx_t *c, int64_t enterprise_id, json_t **out,
                                      np_errdetail_t *err);

/**
 * Coverage report for a region (province/city/county code; must be in the caller's scope):
 * {region_code, totals:{key_enterprises, key_uncovered, projects, projects_uncovered, zones, zones_uncovered,
 *  specialists}, counties:[{county_code, county_name, key_enterprises, key_uncovered, projects,
 *  projects_uncovered}], uncovered_enterprises:[…≤ list_limit], uncovered_projects:[…], workload:[{specialist_id,
 *  name, county_code, enterprises, projects, zones, total}]}. Key enterprises are is_key = 1, projects is_major = 1.
 */
np_err np_firms_coverage(const np_firms_ctx_t *c, const char *region, int64_t list_limit, json_t **out,
                         np_errdetail_t *err);

#endif
