/* Routes of the match capability (seekers, referrals, partner feed and keys; the matching engine adds its own). */
#ifndef NP_MATCH_API_H
#define NP_MATCH_API_H
#include "http/http.h"

/**
 * Registers /api/v1/seekers…, /api/v1/public/seekers, /api/v1/imports/templates/seekers,
 * /api/v1/referrals…, /api/v1/feed/demands and /api/v1/partner-keys…, and lets partner API keys
 * through the auth hook (np_auth_set_partner_authn).
 */
void np_match_api_register(np_http_t *h);

#endif
