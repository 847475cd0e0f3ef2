/* The auth module's HTTP side: the authn/authz hooks and the account routes (docs/API-ACCOUNTS.md). */
#ifndef NP_AUTH_AUTH_H
#define NP_AUTH_AUTH_H
#include "http/http.h"

/**
 * Resolves a partner API key (X-API-Key on NP_AUTH_PARTNER routes) into a principal; may answer the
 * request itself (429) and return non-zero. Provided by the module that owns partner keys
 * (src/match/feed.c: np_match_partner_authn), set with np_auth_set_partner_authn.
 */
typedef np_err (*np_auth_partner_fn)(np_req_t *req, const char *key, np_principal_t **out, np_errdetail_t *err);

/** Lets API keys through the authn hook (NULL = partner keys refused with 401). */
void np_auth_set_partner_authn(np_auth_partner_fn fn);

/**
 * A capability module's dictionaries for GET /api/v1/dicts: returns a new object
 * {"<name>":[{"value","label_zh","label_en","tag"}…], …} built from the value tables its validators
 * use (src/firms/dicts.c: np_firms_dicts_json). Set with np_auth_add_dicts.
 */
typedef json_t *(*np_auth_dicts_fn)(void);

/** Adds a provider to GET /api/v1/dicts (at route registration; at most 16; the same one twice counts once). */
void np_auth_add_dicts(np_auth_dicts_fn fn);

/** Sets the server's hooks: sessions (cookie or bearer) → principal, and np_authz_allows. */
void np_auth_install(np_http_t *h);

/** Registers /api/v1/session, /me…, /users…, /sessions…, /settings and /dicts. */
void np_auth_api_register(np_http_t *h);

#endif
