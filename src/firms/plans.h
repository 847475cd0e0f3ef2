/*
 * One enterprise, one plan (一企一策): for an enterprise with a shortage, typed measures
 * (special_recruitment 专场招聘, labour_cooperation 劳务协作, training_order 订单式培训,
 * labour_sharing 用工共享/余缺调剂, policy_support 政策支持, other), each with an owner (a user, or a
 * name) and the owner's bureau (region code of the province/city/county bureau it is owed by), a
 * deadline, a status planned → in_progress → done, or cancelled (done and cancelled are final),
 * and progress notes. A measure is overdue when its deadline is before today (Asia/Shanghai) and
 * it is not done or cancelled; overdue measures are listed per owner bureau.
 */
#ifndef NP_FIRMS_PLANS_H
#define NP_FIRMS_PLANS_H
#include <jansson.h>
#include <stdint.h>
#include "audit/audit.h"
#include "core/date.h"
#include "core/err.h"
#include "firms/dem_common.h"
#include "http/authz.h"
#include "ref/ref.h"
#include "store/store.h"

/** Measure types, NULL-terminated. */
extern const char *const np_firms_measure_types[];
/** Measure statuses, NULL-terminated. */
extern const char *const np_firms_measure_statuses[];

/**
 * The plan of an enterprise: {"enterprise_id", "enterprise_name", "open_openings", "measures": [...],
 * "overdue": N}; each measure with its progress notes (oldest first) and an "overdue" flag.
 */
np_err np_firms_plan_get(np_store_t *s, const np_ref_t *ref, const np_firms_ent_ref_t *ent, np_date_t today,
                         json_t **out, np_errdetail_t *err);

/**
 * Adds a measure from a JSON body {type, title, detail?, owner_user_id? ("u_12"), owner_name (required
 * without owner_user_id; default the user's display name), owner_region_code (6-digit province,
 * city or county code; default the owner user's region), deadline (not in the past), status?
 * (planned | in_progress), note?}. The enterprise must have open openings (409 "no_shortage").
 */
np_err np_firms_measure_create(np_store_t *s, const np_ref_t *ref, const np_audit_entry_t *actor,
                               const np_firms_ent_ref_t *ent, const json_t *body, np_date_t today, json_t **out,
                               np_errdetail_t *err);

/** Enterprise and region of measure id (for scope checks); NP_ERR_NOT_FOUND when absent. */
np_err np_firms_measure_owner(np_store_t *s, int64_t id, int64_t *enterprise_id, char region_code[16],
                              np_errdetail_t *err);

/**
 * Changes a measure: {version (required; stale → 409), status?, note?, deadline?, title?, detail?,
 * owner_name?, owner_region_code?}. done/cancelled are final (409 "final"); a status change or a note
 * appends a progress note.
 */
np_err np_firms_measure_patch(np_store_t *s, const np_ref_t *ref, const np_audit_entry_t *actor, int64_t id,
                              const json_t *body, np_date_t today, json_t **out, np_errdetail_t *err);

/**
 * Overdue measures visible in `scope` (by the enterprise's region), optionally only those owed by a
 * bureau inside `owner_prefix` (region prefix, "" = any), grouped by owner bureau:
 * {"as_of", "total", "bureaus": [{"owner_region_code", "name", "overdue", "items": [...]}]}.
 * At most 5000 items ("truncated": true beyond).
 */
np_err np_firms_plans_overdue(np_store_t *s, const np_ref_t *ref, const np_scope_t *scope, const char *owner_prefix,
                              np_date_t today, json_t **out, np_errdetail_t *err);

#endif
