/* What the match capability's HTTP handlers share (see api_util.h). */
#include "match/api_util.h"
#include <string.h>
#include "http/authz.h"

bool np_match_req_begin(np_req_t *r, np_match_req_t *c, bool need_user) {
  memset(c, 0, sizeof *c);
  c->r = r;
  c->p = np_req_principal(r);
  if (need_user && !c->p) {
    np_resp_error(r, 401, "unauthorized", "", "sign in first");
    return false;
  }
  if (!(c->s = np_req_store(r))) return false;
  if (!(c->ref = np_ref_shared(c->s, &c->err))) {
    np_resp_error(r, 503, "unavailable", "", "reference data is not loaded (run nineplus migrate)");
    return false;
  }
  c->actor.ip = np_req_ip(r);
  c->actor.request_id = np_req_id(r);
  if (c->p) {
    c->actor.user_id = c->p->user_id;
    c->actor.username = c->p->username;
    c->actor.role = np_role_name(c->p->role);
  }
  c->today = np_date_today();
  return true;
}

bool np_match_req_index(np_match_req_t *c, int wait_ms) {
  if ((c->ix = np_match_engine_index(wait_ms))) return true;
  np_resp_error(c->r, 503, "index_unavailable", "", "the matching index is being built; try again shortly");
  return false;
}

np_err np_match_req_scope(np_match_req_t *c, const char *kind, np_scope_t *scope) {
  np_err rc = np_authz_scope(c->p, kind, scope);
  if (rc == NP_OK) np_authz_scope_store(scope, c->s);
  return rc;
}

void np_match_req_not_found(np_match_req_t *c, const char *what) {
  np_resp_error(c->r, 404, "not_found", "", "no such %s", what);
}

void np_match_req_fail(np_match_req_t *c, np_err rc) { np_resp_fail(c->r, rc, &c->err); }

void np_match_req_reply(np_match_req_t *c, np_err rc, int status, json_t *out) {
  if (rc) np_match_req_fail(c, rc);
  else np_resp_json(c->r, status, out);
}
