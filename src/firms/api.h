/* The firms module's HTTP routes: one register function per api_*.c unit, called by np_firms_api_register. */
#ifndef NP_FIRMS_API_H
#define NP_FIRMS_API_H
#include "http/http.h"

/** Registers every firms route (called once from src/cli/app.c). */
void np_firms_api_register(np_http_t *h);

/** Zones, enterprises, projects and imports (api_enterprises.c). */
void np_firms_enterprises_api_register(np_http_t *h);

/** Teams, specialists + assignments, coverage, grid, service logs, timeline (api_teams.c). */
void np_firms_teams_api_register(np_http_t *h);

/** GET /api/v1/public/jobs (jobs near a point, public). */
void np_firms_jobs_api_register(np_http_t *h);

#endif
