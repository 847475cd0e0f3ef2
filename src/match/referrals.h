/*
 * Referrals (推荐): a recommendation of a seeker for a demand line that staff follow up.
 *
 * Pipeline: recommended → contacted → interviewed → hired, and declined (with a reason) from any
 * of the first three. hired and declined are final. Each step may only move one stage forward
 * (recommended → interviewed is refused with 409 "transition"). hired records a hire of 1 on the
 * demand line through the firms module (np_firms_hire_record: filled count, status, open_openings,
 * events) and sets the seeker's status to employed, all in one transaction with the referral.
 *
 * Creating needs the seeker's consent (409 "no_consent"), a seeking seeker (409 "not_seeking"), an
 * open line (409 "final") and a new pair (409 "duplicate"). explanation is the matching engine's
 * JSON at recommendation time (≤ 16 KiB), kept as a snapshot.
 *
 * Change feed entity "referral" (id "ref_N"); audit referral.create / referral.update.
 */
#ifndef NP_MATCH_REFERRALS_H
#define NP_MATCH_REFERRALS_H
#include <jansson.h>
#include <stdint.h>
#include "audit/audit.h"
#include "core/date.h"
#include "core/err.h"
#include "http/authz.h"
#include "ref/ref.h"
#include "store/store.h"

#define NP_REFERRAL_MAX_EXPLANATION (16u << 10)

/** The status dictionary in pipeline order, NULL-terminated. */
extern const char *const np_match_referral_status_values[];

/** True when `from` → `to` is an allowed step. */
bool np_match_referral_transition_ok(const char *from, const char *to);

/** Where a referral lives (the demand line's owners), for scope checks. */
typedef struct np_referral_owner {
  int64_t id, demand_id, seeker_id, enterprise_id, version;
  char region_code[16];
  char status[16];
} np_referral_owner_t;

/**
 * Creates a referral of seeker_id for demand_id (both already checked against the caller's scope).
 * *id receives the new id; *out (may be NULL) the referral JSON.
 */
np_err np_match_referral_create(np_store_t *s, const np_ref_t *ref, const np_audit_entry_t *actor, int64_t demand_id,
                                int64_t seeker_id, const json_t *explanation, int64_t *id, json_t **out,
                                np_errdetail_t *err);

/** Owner columns of referral `id` (NP_ERR_NOT_FOUND when absent). */
np_err np_match_referral_owner(np_store_t *s, int64_t id, np_referral_owner_t *out, np_errdetail_t *err);

/** The referral as JSON (seeker masked, line, enterprise, events). */
np_err np_match_referral_get(np_store_t *s, const np_ref_t *ref, int64_t id, json_t **out, np_errdetail_t *err);

/**
 * Moves a referral to `status` (reason required for declined, ≤ 200 characters; optional
 * otherwise). expected_version 0 = no check; else a stale version is 409 "stale". today: the hire date.
 */
np_err np_match_referral_transition(np_store_t *s, const np_ref_t *ref, const np_audit_entry_t *actor, int64_t id,
                                    const char *status, const char *reason, int64_t expected_version, np_date_t today,
                                    json_t **out, np_errdetail_t *err);

typedef struct np_referral_filter {
  const np_scope_t *scope;      /* the caller's "demand" scope (region or enterprise) */
  const char *status;
  int64_t demand_id, enterprise_id, seeker_id; /* 0 = any */
  const char *region_prefix;
  int64_t limit, cursor;
} np_referral_filter_t;

/** The board: one page newest first, {"items", "total", "next_cursor", "counts": {status: n}}. */
np_err np_match_referral_list(np_store_t *s, const np_ref_t *ref, const np_referral_filter_t *f, json_t **out,
                              np_errdetail_t *err);

#endif
