/*
 * Service log (走访/电话/线上服务记录): visits, calls and online contacts with an enterprise — the
 * date (never in the future), who served, what was found and the problems raised — and the
 * enterprise timeline that merges them with the other dated events of the enterprise the caller can
 * see (specialist assignments and their end, major-project milestones, registration).
 * Table service_logs (migration 0007).
 */
#ifndef NP_FIRMS_SERVICELOG_H
#define NP_FIRMS_SERVICELOG_H
#include "firms/teams.h"

#define NP_FIRMS_LOG_KINDS "visit, call, online"

/** Service logs of an enterprise ("ent_N" or USCC), newest date first; cursor from the previous page. */
np_err np_firms_servicelog_list(const np_firms_ctx_t *c, const char *enterprise, const np_firms_page_t *pg,
                                json_t **out, np_errdetail_t *err);

/**
 * Records a log from {log_date, kind, findings, problems?: [..], staff_name?, specialist_id?}. When
 * acting_specialist is non-zero (the caller is that specialist) the log is theirs and the enterprise
 * must be assigned to them (else NP_ERR_FORBIDDEN "not_assigned"). A date in the future → 422
 * "future_date"; an unknown enterprise or one outside the scope → NP_ERR_NOT_FOUND.
 */
np_err np_firms_servicelog_create(const np_firms_ctx_t *c, const char *enterprise, int64_t acting_specialist,
                                  const json_t *in, json_t **out, np_errdetail_t *err);

/**
 * The enterprise's timeline: {"items":[{date, type, title, detail, ref_id}], "total", "next_cursor"},
 * newest first; types: service_log, assignment_start, assignment_end, project_start, project_production,
 * registered. Cursor = position in the merged list.
 */
np_err np_firms_timeline(const np_firms_ctx_t *c, const char *enterprise, const np_firms_page_t *pg, json_t **out,
                         np_errdetail_t *err);

#endif
