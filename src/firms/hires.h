/*
 * Recorded hires against a demand line (hires of the enterprise, or referrals once the matching
 * module links them). The line's filled count is the sum of its hires and never passes its count:
 * a hire that would is refused with 409 "over_count"; a closed line (filled, cancelled, expired)
 * takes none (409 "final").
 */
#ifndef NP_FIRMS_HIRES_H
#define NP_FIRMS_HIRES_H
#include <jansson.h>
#include <stdint.h>
#include "audit/audit.h"
#include "core/date.h"
#include "core/err.h"
#include "ref/ref.h"
#include "store/store.h"

/**
 * Records a hire on line `demand_id` from a JSON body {count (1..10000), hired_on ("YYYY-MM-DD",
 * default today, not after today), seeker_ref (optional text ≤ 64, a reference, never an ID or
 * phone number)} in one transaction with the line update, events, change feed and audit.
 * *out (may be NULL) receives {"hire": {...}, "demand": {...}}.
 */
np_err np_firms_hire_record(np_store_t *s, const np_ref_t *ref, const np_audit_entry_t *actor, int64_t demand_id,
                            const json_t *body, np_date_t today, json_t **out, np_errdetail_t *err);

/** The hires of a line, oldest first, as {"items": [...], "total": N, "filled": N}. */
np_err np_firms_hire_list(np_store_t *s, int64_t demand_id, json_t **out, np_errdetail_t *err);

#endif
