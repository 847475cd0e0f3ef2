/* What the match capability's HTTP handlers share (api.c, api_match.c): the request context and its answers. */
#ifndef NP_MATCH_API_UTIL_H
#define NP_MATCH_API_UTIL_H
#include "audit/audit.h"
#include "core/date.h"
#include "http/authz.h"
#include "http/http.h"
#include "match/index.h"
#include "ref/ref.h"

typedef struct np_match_req {
  np_req_t *r;
  np_store_t *s;
  const np_ref_t *ref;
  const np_principal_t *p;
  np_audit_entry_t actor; /* who, from where, for audit rows */
  np_date_t today;
  np_match_index_t *ix; /* set by handlers that need the index (np_match_req_index) */
  np_errdetail_t err;
} np_match_req_t;

/**
 * Fills c for request r: principal, store, reference index, audit actor and today. False after
 * answering: 401 "unauthorized" without a signed-in user when need_user, 503 "unavailable" when
 * the reference data is not loaded (or whatever np_req_store answered).
 */
bool np_match_req_begin(np_req_t *r, np_match_req_t *c, bool need_user);

/** Sets c->ix to the matching index, waiting up to wait_ms; false after answering 503 "index_unavailable". */
bool np_match_req_index(np_match_req_t *c, int wait_ms);

/**
 * The caller's scope of resource kind (np_authz_scope) with the request's store attached, so single-row
 * checks of an assignment-based scope (a specialist's enterprises) look the assignment up. NP_OK or the
 * authz error (a bug in the caller's kind).
 */
np_err np_match_req_scope(np_match_req_t *c, const char *kind, np_scope_t *scope);

/** Answers 404 "not_found" with the message "no such <what>". */
void np_match_req_not_found(np_match_req_t *c, const char *what);

/** Answers the error rc with the detail in c->err. */
void np_match_req_fail(np_match_req_t *c, np_err rc);

/** Answers rc's error (detail in c->err), or out with status when rc is NP_OK. */
void np_match_req_reply(np_match_req_t *c, np_err rc, int status, json_t *out);

#endif
