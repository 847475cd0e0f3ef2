/* Policy runs, decisions, catalogue, 免申即享 workflow, 政策找人 and the bank whitelist over HTTP (docs/API-POLICY.md). */
#ifndef NP_POLICY_API_H
#define NP_POLICY_API_H
#include "http/http.h"

/** Registers the policy routes. */
void np_policy_api_register(np_http_t *h);

#endif
