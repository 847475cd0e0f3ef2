/*
 * 重大投资项目 (major investment projects): table `projects` (migration 0006), public id "prj_N".
 * Fields: name, enterprise (optional; "ent_N" or a credit code), region_code (a known county,
 * township or village code; taken from the enterprise when absent), investment_fen, planned_start
 * <= planned_production (YYYY-MM-DD), stage (planning, approved, construction, commissioning,
 * production, suspended), is_major.
 */
#ifndef NP_FIRMS_PROJECTS_H
#define NP_FIRMS_PROJECTS_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "audit/audit.h"
#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "http/authz.h"
#include "ref/ref.h"
#include "store/store.h"

#define NP_PRJ_NAME_MAX_CHARS 100

typedef struct np_project {
  int64_t id, version, enterprise_id;
  char name[NP_PRJ_NAME_MAX_CHARS * 4 + 1];
  char region_code[16], county_code[8], city_code[8];
  int64_t investment_fen;
  char planned_start[NP_DATE_STRLEN], planned_production[NP_DATE_STRLEN];
  char stage[16];
  bool is_major;
  char created_at[NP_TS_STRLEN], updated_at[NP_TS_STRLEN];
} np_project_t;

/** Loads a project by row id (NP_ERR_NOT_FOUND). */
np_err np_prj_load(np_store_t *s, int64_t id, np_project_t *out, np_errdetail_t *err);

/** Applies and validates a create/PATCH body (field errors as in enterprises.h). Does not write. */
np_err np_prj_apply(np_store_t *s, const np_ref_t *ref, const json_t *in, bool create, np_project_t *p,
                    np_errdetail_t *err);

/** Inserts (p->id == 0) or updates (version checked: NP_ERR_CONFLICT "stale") with change row and audit. */
np_err np_prj_save(np_store_t *s, const np_project_t *before, np_project_t *p, int64_t expected_version,
                   const np_audit_entry_t *actor, np_errdetail_t *err);

/** The API object. */
json_t *np_prj_json(const np_project_t *p);

typedef struct np_prj_filter {
  const char *region;   /* subtree */
  const char *stage;
  int64_t enterprise_id;
  int is_major;         /* -1 any */
  const char *q;
  int limit;
  int64_t after_id;     /* cursor: ids greater than this */
  np_scope_t scope;
} np_prj_filter_t;

/** Lists projects by id: items, total, next cursor (0 = none). */
np_err np_prj_list(np_store_t *s, const np_prj_filter_t *f, json_t **items, int64_t *total, int64_t *next_after,
                   np_errdetail_t *err);

#endif
