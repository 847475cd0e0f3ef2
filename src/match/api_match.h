/* Routes of the matching engine and organised batches (docs/MATCHING.md). */
#ifndef NP_MATCH_API_MATCH_H
#define NP_MATCH_API_MATCH_H
#include "http/http.h"

/**
 * Registers /api/v1/demands/{id}/candidates, /api/v1/seekers/{id}/matches, /api/v1/match/explain,
 * /api/v1/match/index and /api/v1/batches…, and starts the engine (index build + change-feed
 * follower) on the server's store pool when it has one. Stop it with np_match_engine_stop().
 */
void np_match_engine_api_register(np_http_t *h);

#endif
