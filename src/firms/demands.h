/*
 * Demand lines (需求清单): per enterprise, one line per occupation wanted, with count, skill level,
 * salary range (fen), education, age range, needed-by date, shifts/housing/benefits and notes.
 *
 * Lifecycle: open → partly_filled → filled, or → cancelled (by a user) or → expired (needed_by has
 * passed, by np_firms_demands_expire). filled, cancelled and expired are final. The filled count is
 * the sum of recorded hires (hires.h). Every change is one transaction with the row, a
 * demand_events row (before/after), the change feed, the audit log and the enterprise's
 * open_openings counter.
 *
 * Validation (field-level errors, 422, nothing written): occupation_code must be an
 * occupation-level code of the 2022 classification ("unknown_occupation"); count 1..10000
 * ("range"); skill_level 1..8 or null; salary_min/salary_max in fen (integer fen or "yuan" text),
 * each 1..10,000,000 and min ≤ max ("salary_range"); education from the dictionary; age_min/age_max
 * 16..65 and min ≤ max ("age_range"); needed_by not before today in Asia/Shanghai ("past") when
 * created or changed; benefits at most 20 strings of ≤ 32 characters; shifts ≤ 64, notes ≤ 1000.
 */
#ifndef NP_FIRMS_DEMANDS_H
#define NP_FIRMS_DEMANDS_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "audit/audit.h"
#include "core/date.h"
#include "core/err.h"
#include "firms/dem_common.h"
#include "http/authz.h"
#include "ref/ref.h"
#include "store/store.h"

#define NP_DEMAND_MAX_COUNT 10000
#define NP_DEMAND_MAX_SALARY 10000000 /* fen: 100,000 yuan a month */

/** The education dictionary, NULL-terminated, in rank order. */
extern const char *const np_firms_education_values[];
/** The status dictionary (open, partly_filled, filled, cancelled, expired), NULL-terminated. */
extern const char *const np_firms_demand_status_values[];

/** True for a known status that is final (filled, cancelled, expired). */
bool np_firms_demand_status_final(const char *status);

/** Where a line lives, for scope checks before it is shown or changed. */
typedef struct np_firms_demand_owner {
  int64_t enterprise_id;
  char region_code[16];
  char status[16];
  int64_t count, filled, version;
} np_firms_demand_owner_t;

/**
 * Creates a line for enterprise `ent` from a JSON body (keys: occupation_code, count, skill_level,
 * salary_min, salary_max, education, age_min, age_max, needed_by, shifts, housing, benefits, notes,
 * public; unknown keys refused). today: Asia/Shanghai date for the needed_by check. actor may be
 * NULL (system). *out (may be NULL) receives the new line as JSON (caller json_decref()s).
 */
np_err np_firms_demand_create(np_store_t *s, const np_ref_t *ref, const np_audit_entry_t *actor,
                              const np_firms_ent_ref_t *ent, const json_t *body, np_date_t today, int64_t *id,
                              json_t **out, np_errdetail_t *err);

/** Owner, status and counts of line `id`; NP_ERR_NOT_FOUND when absent. */
np_err np_firms_demand_owner(np_store_t *s, int64_t id, np_firms_demand_owner_t *out, np_errdetail_t *err);

/** The line as JSON (with enterprise name, occupation and skill-level names). */
np_err np_firms_demand_get(np_store_t *s, const np_ref_t *ref, int64_t id, json_t **out, np_errdetail_t *err);

/**
 * Changes a line. body must carry the `version` the client read (stale → NP_ERR_CONFLICT "stale");
 * other keys as for create (absent = unchanged, null = cleared where optional) plus `status`, which
 * may only be set to "cancelled". A line in a final status refuses every change (409 "final").
 * count below the hires already recorded → 409 "count_below_filled". Lowering count to the filled
 * figure makes the line filled.
 */
np_err np_firms_demand_patch(np_store_t *s, const np_ref_t *ref, const np_audit_entry_t *actor, int64_t id,
                             const json_t *body, np_date_t today, json_t **out, np_errdetail_t *err);

/** The events of a line, oldest first: [{at, user_id, username, action, status_before, status_after, before, after}]. */
np_err np_firms_demand_history(np_store_t *s, int64_t id, json_t **items, np_errdetail_t *err);

/** Filters of the cross-enterprise list (all optional). */
typedef struct np_firms_demand_filter {
  const np_scope_t *scope;        /* required: the caller's jurisdiction */
  const char *region_prefix;      /* from np_authz_region_prefix: "3701", "370102", "370102001" */
  const char *occupation_prefix;  /* "6-18" */
  int skill_level;                /* 1..8, 0 = any */
  const char *statuses[5];        /* NULL-terminated when fewer; [0] NULL = any */
  bool has_needed_before;
  np_date_t needed_before;        /* needed_by < this */
  int64_t enterprise_id;          /* 0 = any */
  int is_key;                     /* -1 any, 0, 1 */
  int64_t limit;                  /* page size 1..100 */
  int64_t cursor;                 /* last id of the previous page, 0 = first */
} np_firms_demand_filter_t;

/** One page, newest first: {"items", "total", "next_cursor"} in *out. */
np_err np_firms_demand_list(np_store_t *s, const np_ref_t *ref, const np_firms_demand_filter_t *f, json_t **out,
                            np_errdetail_t *err);

/** Calls fn for every line matching f (limit/cursor ignored), newest first; fn returns non-zero to stop. */
np_err np_firms_demand_each(np_store_t *s, const np_ref_t *ref, const np_firms_demand_filter_t *f,
                            int (*fn)(const json_t *line, void *ctx), void *ctx, np_errdetail_t *err);

/**
 * The expiry sweep: every open or partly_filled line whose needed_by is before `today` becomes
 * expired (event, change feed, one audit row "demand.expire" for the sweep, open_openings of the
 * enterprises concerned). *expired (may be NULL) receives how many. Idempotent. It runs on the
 * first demand request of each Asia/Shanghai day in every server process
 * (np_firms_demands_expire_daily) and from `nineplus demands expire` (cron / systemd timer).
 */
np_err np_firms_demands_expire(np_store_t *s, np_date_t today, int64_t *expired, np_errdetail_t *err);

/** Runs np_firms_demands_expire once per process per `today` (first caller wins; others return at once). */
np_err np_firms_demands_expire_daily(np_store_t *s, np_date_t today, np_errdetail_t *err);

/**
 * Internal to the firms units: applies a hire of n to line `id` in the caller's transaction
 * (filled += n, status and open_count follow). NP_ERR_CONFLICT "over_count" when filled would
 * pass count, "final" when the line is closed. before and after receive the line JSON.
 */
np_err np_firms_demand_apply_hire(np_store_t *s, const np_ref_t *ref, const np_audit_entry_t *actor, int64_t id,
                                  int64_t n, json_t **before, json_t **after, np_errdetail_t *err);

/** Row → JSON columns used by list/get; exported for the other firms units. */
#define NP_FIRMS_DEMAND_ID_LEN 32

#endif
