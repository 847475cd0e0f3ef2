/* The auth module's HTTP side: the authn/authz hooks and the account routes (docs/API-ACCOUNTS.md). */
#ifndef NP_AUTH_AUTH_H
#define NP_AUTH_AUTH_H
#include "http/http.h"

/** Sets the server's hooks: sessions (cookie or bearer) → principal, and np_authz_allows. */
void np_auth_install(np_http_t *h);

/** Registers /api/v1/session, /me…, /users…, /sessions…, /settings and /dicts. */
void np_auth_api_register(np_http_t *h);

#endif
