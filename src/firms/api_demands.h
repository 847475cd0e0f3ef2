/* HTTP routes of the demand lists, hires, shortage summary and 一企一策 plans (api_demands.c). */
#ifndef NP_FIRMS_API_DEMANDS_H
#define NP_FIRMS_API_DEMANDS_H
#include "http/http.h"

/**
 * Registers /api/v1/enterprises/{id}/demands, /api/v1/demands[/export|/{id}[/hires|/history]],
 * /api/v1/shortage, /api/v1/enterprises/{id}/plan, /api/v1/plan-measures/{id} and
 * /api/v1/plans/overdue (called from np_firms_api_register).
 */
void np_firms_demands_api_register(np_http_t *h);

#endif
