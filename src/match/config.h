/*
 * The matching engine's settings as a province administrator edits them (docs/MATCHING.md, "Settings"):
 * the weights of the score's terms (0..1000 each, table match_weights), the anti-congestion limits
 * seeker_daily_pushes and demand_flood_multiple and the batch allocation's pref_list_max
 * (match_settings), and the related occupation pairs (match_related_occupations).
 *
 * A change is one transaction: the rows, one audit row (match_config.update, before and after) and one
 * change-feed row (entity match_config), on which the index follower reloads the settings. Bad input
 * changes nothing.
 */
#ifndef NP_MATCH_CONFIG_H
#define NP_MATCH_CONFIG_H
#include <jansson.h>
#include "audit/audit.h"
#include "core/err.h"
#include "ref/ref.h"
#include "store/store.h"

#define NP_MATCH_MAX_RELATED 2000 /* related pairs kept; one PUT adds or removes at most 200 */

/**
 * The settings as JSON: {weights:{occupation, skill, distance, salary, key_enterprise, freshness},
 * seeker_daily_pushes, demand_flood_multiple, pref_list_max, related_occupations:[{occupation_a, name_a,
 * occupation_b, name_b, note}], updated_at}. ref (may be NULL) names the occupations.
 */
np_err np_match_config_get(np_store_t *s, const np_ref_t *ref, json_t **out, np_errdetail_t *err);

/**
 * Applies a change: body {weights?:{term: 0..1000}, seeker_daily_pushes?: 1..1000,
 * demand_flood_multiple?: 1..100, pref_list_max?: 1..10000, related_add?: [{occupation_a, occupation_b,
 * note?}], related_remove?: [{occupation_a, occupation_b}]}. Occupation codes must be detailed
 * occupations (four levels, "6-18-02-04") known to ref, the two different; adding a pair that exists or
 * removing one that does not is an error. NP_ERR_INVALID with the field named for bad input (nothing
 * written); *out gets the settings after the change.
 */
np_err np_match_config_put(np_store_t *s, const np_ref_t *ref, const np_audit_entry_t *actor, const json_t *body,
                           json_t **out, np_errdetail_t *err);

#endif
