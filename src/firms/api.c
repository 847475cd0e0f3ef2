/* firms routes: each unit's register function, in dependency order (other firms units add their line). */
#include "firms/api.h"

void np_firms_api_register(np_http_t *h) {
  np_firms_enterprises_api_register(h);
  np_firms_teams_api_register(h);
}
