/* The one place where capabilities plug into the HTTP server: add one line per module. */
#include "cli/app.h"
#include "audit/api.h"
#include "firms/api.h"
#include "match/sharing.h"
#include "match/api.h"
#include "match/api_match.h"
#include "policy/api.h"
#include "auth/auth.h"
#include "ref/ref.h"

void np_app_register_routes(np_http_t *h) {
  /* hooks: np_http_set_authn(h, …); np_http_set_authz(h, …); */
  /* routes: np_<module>_api_register(h); one line each, in dependency order */
  np_auth_install(h);
  np_auth_api_register(h);
  np_ref_api_register(h);
  np_audit_api_register(h);
  np_firms_api_register(h);
  np_match_sharing_api_register(h);
  np_match_api_register(h);
  np_match_engine_api_register(h);
  np_policy_api_register(h);
}
