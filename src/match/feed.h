/*
 * The partner feed (与各大招聘网站合作, part (二) of the plan): recruitment websites follow the
 * public demand lines through GET /api/v1/feed/demands?since=SEQ, like JobTech's JobStream. Key
 * enterprises' lines carry `priority: true` (优先发布重点工业企业岗位信息).
 *
 * API keys: province staff issue (the secret "np_" + 40 hex digits is shown once) and revoke keys;
 * only the SM3 digest of the key is stored, with its first 12 characters as a visible prefix.
 * The authn hook of src/auth calls np_match_partner_authn for X-API-Key (see np_auth_set_partner_authn).
 *
 * Rate limits: an in-memory token bucket per key (capacity = the key's rate per minute, refilled
 * continuously) and one per client IP for public self-registration. Per process: several nodes
 * behind one balancer each allow the rate (documented in docs/MATCH_SEEKERS.md).
 */
#ifndef NP_MATCH_FEED_H
#define NP_MATCH_FEED_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "audit/audit.h"
#include "core/err.h"
#include "core/ratelimit.h"
#include "http/http.h"
#include "ref/ref.h"
#include "store/store.h"

#define NP_FEED_MAX_LIMIT 500
#define NP_PARTNER_KEY_LEN 43 /* "np_" + 40 hex */
#define NP_PARTNER_DEFAULT_RATE 60

/* ---- keys ---- */

/**
 * Issues a key: name 1–64 characters (unique among live keys: 409 "duplicate"), rate 1–6000 per
 * minute (0 = default 60). *out: {id, name, prefix, key, rate_per_minute, created_at} — the only
 * time the secret is shown. Audited "apikey.create".
 */
np_err np_match_partner_key_create(np_store_t *s, const np_audit_entry_t *actor, const char *name, int rate,
                                   json_t **out, np_errdetail_t *err);

/** All keys, newest first, without secrets: {"items": [{id, name, prefix, rate_per_minute, created_at, revoked_at, last_used_at}]}. */
np_err np_match_partner_key_list(np_store_t *s, json_t **out, np_errdetail_t *err);

/** Revokes key `id` (idempotent for a revoked key: NP_OK). Audited "apikey.revoke". */
np_err np_match_partner_key_revoke(np_store_t *s, const np_audit_entry_t *actor, int64_t id, np_errdetail_t *err);

/**
 * Resolves an X-API-Key into a partner principal (role NP_ROLE_PARTNER, username "partner:<prefix>",
 * display_name the key's name, session_id "pk_N"). Unknown or revoked → NP_ERR_UNAUTHORIZED.
 * Over the key's rate → answers 429 with Retry-After itself and returns NP_ERR_RATE_LIMIT.
 * Matches the partner hook of src/auth (np_auth_partner_fn).
 */
np_err np_match_partner_authn(np_req_t *req, const char *key, np_principal_t **out, np_errdetail_t *err);

/* ---- feed ---- */

/**
 * Changed public demand lines after `since` in change-feed order, at most limit (1..500):
 * {"items": [{seq, op, at, demand: {...}}], "next_since", "has_more"}. op is "upsert" for a public
 * line (any status: partners drop lines whose status is not open/partly_filled) and "delete" for a
 * line that is not public (any more): then demand holds only the id.
 */
np_err np_match_feed_demands(np_store_t *s, const np_ref_t *ref, int64_t since, int limit, json_t **out,
                             np_errdetail_t *err);

#endif
