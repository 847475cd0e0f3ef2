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

/** Sets the server's hooks: sessions (cookie or bearer) → principal, and np_authz_allows. */
void np_auth_install(np_http_t *h);

/** Registers /api/v1/session, /me…, /users…, /sessions…, /settings and /dicts. */
void np_auth_api_register(np_http_t *h);

#endif
