/* firms routes: each unit's register function, in dependency order (other firms units add their line). */
#include "firms/api.h"
#include "firms/alerts.h"
#include "firms/api_demands.h"
#include "firms/dicts.h"
#include "firms/specialists.h"
#include "auth/auth.h"

void np_firms_api_register(np_http_t *h) {
  np_firms_enterprises_api_register(h);
  np_firms_demands_api_register(h);
  np_firms_jobs_api_register(h);
  np_firms_teams_api_register(h);
  np_firms_alerts_api_register(h);
  np_auth_add_dicts(np_firms_dicts_json); /* size classes, stages, statuses … in GET /api/v1/dicts */
  np_firms_specialist_scope_register();    /* what a specialist sees: src/http/authz.c NP_SCOPE_ASSIGNED */
}
