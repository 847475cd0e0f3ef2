/*
 * Small helpers shared by the firms units of the enterprises helper (zones, enterprises, projects,
 * imports): current time stamp, audit actor, reference index, region derivation.
 */
#ifndef NP_FIRMS_ENT_COMMON_H
#define NP_FIRMS_ENT_COMMON_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "audit/audit.h"
#include "core/date.h"
#include "core/err.h"
#include "ref/ref.h"
#include "store/store.h"

/** Now as "YYYY-MM-DDTHH:MM:SSZ" (UTC). */
void np_firms_ent_now(char out[NP_TS_STRLEN]);

/** Derived region codes of a known region: its county-level unit and city (6 digits each). */
typedef struct np_firms_ent_region {
  const np_region_t *region, *township, *village, *county, *city;
} np_firms_ent_region_t;

/** Fills r from a known region code; false when unknown or above county level. */
bool np_firms_ent_region_resolve(const np_ref_t *ref, const char *code, np_firms_ent_region_t *r);

/**
 * Records an audit row when actor is not NULL (action/entity/entity_id/before/after set here,
 * personal data masked by the caller). NULL actor: nothing (bulk callers audit once).
 */
np_err np_firms_ent_audit(np_store_t *s, const np_audit_entry_t *actor, const char *action, const char *entity,
                      const char *entity_id, json_t *before, json_t *after, const char *detail, np_errdetail_t *err);

/**
 * A phone sent back in a write as the masked value its reader was shown ("138****1234"): one rule
 * for every firms form that edits phone numbers (enterprise contacts, specialists, grid staff).
 *  - `in` without '*': not a masked value; *which = SIZE_MAX, NP_OK (the caller validates it as a
 *    new number);
 *  - `in` equal to old_masked[j] (a non-empty entry): *which = j, NP_OK (the number is kept);
 *  - any other masked text: 422 `masked_phone` on `field`, nothing matched.
 */
np_err np_firms_phone_unchanged(const char *in, const char *const *old_masked, size_t n, const char *field,
                                size_t *which, np_errdetail_t *err);

/** Full name of a region from the city down ("济南市历下区解放路街道"), into out. */
void np_firms_ent_region_fullname(const np_region_t *r, char *out, size_t cap);

#endif
