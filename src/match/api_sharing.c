/*
 * Surplus and shortage sharing over HTTP (see sharing.h): posts, pairings, agreements, board.
 * Reads answer 404 outside the caller's jurisdiction (scope kind "sharing").
 */
#include <string.h>
#include "core/date.h"
#include "core/ids.h"
#include "core/json.h"
#include "core/log.h"
#include "core/str.h"
#include "match/sharing.h"

static void fail(np_req_t *r, np_err e, const np_errdetail_t *d) {
  if (e == NP_ERR_STORE || e == NP_ERR_INTERNAL || e == NP_ERR_NOMEM || e == NP_ERR_IO)
    np_log_error("sharing.error", "%s %s: %s %s", np_req_method(r), np_req_path(r), d ? d->code : "",
                 d ? d->message : "");
  np_resp_fail(r, e, d);
}

static np_audit_entry_t actor_of(np_req_t *r) {
  const np_principal_t *p = np_req_principal(r);
  np_audit_entry_t a = {.ip = np_req_ip(r), .request_id = np_req_id(r)};
  if (p) {
    a.user_id = p->user_id;
    a.username = p->username;
    a.role = np_role_name(p->role);
  }
  return a;
}

static bool scope_of(np_req_t *r, np_scope_t *scope) {
  if (np_authz_scope(np_req_principal(r), "sharing", scope) != NP_OK) {
    np_resp_error(r, 500, "internal", NULL, "scope");
    return false;
  }
  return true;
}

/* One call into sharing.c: its store, reference index, error detail and answer. */
typedef struct call {
  np_store_t *s;
  const np_ref_t *ref;
  np_errdetail_t d;
  json_t *out;
} call_t;

/* Store and reference index for the request; false when it already answered. */
static bool deps(np_req_t *r, call_t *c) {
  memset(c, 0, sizeof *c);
  if (!(c->s = np_req_store(r))) return false;
  if (!(c->ref = np_ref_shared(c->s, &c->d))) {
    np_resp_error(r, 503, "ref_unavailable", NULL, "reference data is not loaded");
    return false;
  }
  np_errdetail_clear(&c->d);
  return true;
}

/* The answer of a call: its error, or c->out with status. */
static void reply(np_req_t *r, call_t *c, np_err e, int status) {
  if (e) return fail(r, e, &c->d);
  np_resp_json(r, status, c->out);
}

static bool path_id(np_req_t *r, const char *prefix, int64_t *id) {
  if (np_id_parse(prefix, np_req_param(r, "id"), id) != NP_OK) {
    np_resp_error(r, 404, "not_found", NULL, "no such %s", !strcmp(prefix, NP_ID_SHARING_POST) ? "post" : "agreement");
    return false;
  }
  return true;
}

static bool limit_param(np_req_t *r, int64_t *limit, int64_t dflt) {
  const char *v = np_req_query(r, "limit");
  *limit = dflt;
  if (v && *v && np_parse_int64(v, strlen(v), 1, 100, limit) != NP_OK) {
    np_resp_error(r, 422, "range", "limit", "limit must be an integer from 1 to 100");
    return false;
  }
  return true;
}

static void h_posts_list(np_req_t *r) {
  np_scope_t scope;
  if (!scope_of(r, &scope)) return;
  np_sharing_post_filter_t f = {.scope = &scope, .kind = -1};
  const char *v;
  char prefix[16] = "";
  if ((v = np_req_query(r, "kind")) && *v) {
    if (!strcmp(v, "surplus")) f.kind = NP_SHARING_SURPLUS;
    else if (!strcmp(v, "shortage")) f.kind = NP_SHARING_SHORTAGE;
    else return np_resp_error(r, 422, "format", "kind", "kind must be surplus or shortage");
  }
  if ((v = np_req_query(r, "region")) && *v) {
    if (!np_authz_region_prefix(v, prefix))
      return np_resp_error(r, 422, "format", "region", "region must be a 6, 9 or 12 digit region code");
    f.region_prefix = prefix;
  }
  if ((v = np_req_query(r, "status")) && *v) {
    if (strcmp(v, "open") && strcmp(v, "filled") && strcmp(v, "expired") && strcmp(v, "closed"))
      return np_resp_error(r, 422, "format", "status", "status must be open, filled, expired or closed");
    f.status = v;
  }
  f.occupation = np_req_query(r, "occupation");
  f.cursor = np_req_query(r, "cursor");
  if (!limit_param(r, &f.limit, 20)) return;
  call_t c;
  if (!deps(r, &c)) return;
  if (prefix[0] && !np_ref_region(c.ref, v = np_req_query(r, "region")))
    return np_resp_error(r, 422, "unknown_region", "region", "unknown region code");
  if ((v = np_req_query(r, "enterprise_id")) && *v && np_id_parse(NP_ID_ENTERPRISE, v, &f.enterprise_id) != NP_OK)
    return np_resp_error(r, 422, "format", "enterprise_id", "enterprise_id must be an id like ent_12");
  reply(r, &c, np_sharing_post_list(c.s, c.ref, &f, np_date_today(), &c.out, &c.d), 200);
}

static void h_posts_create(np_req_t *r) {
  np_scope_t scope;
  json_t *j;
  call_t c;
  if (!scope_of(r, &scope) || !(j = np_req_json(r)) || !deps(r, &c)) return;
  np_audit_entry_t a = actor_of(r);
  reply(r, &c, np_sharing_post_create(c.s, c.ref, &a, &scope, j, np_date_today(), &c.out, &c.d), 201);
}

static void h_post_get(np_req_t *r) {
  int64_t id;
  np_scope_t scope;
  call_t c;
  if (!path_id(r, NP_ID_SHARING_POST, &id) || !scope_of(r, &scope) || !deps(r, &c)) return;
  reply(r, &c, np_sharing_post_get(c.s, c.ref, &scope, id, np_date_today(), &c.out, &c.d), 200);
}

static void h_post_patch(np_req_t *r) {
  int64_t id;
  np_scope_t scope;
  json_t *j;
  call_t c;
  if (!path_id(r, NP_ID_SHARING_POST, &id) || !scope_of(r, &scope) || !(j = np_req_json(r)) || !deps(r, &c)) return;
  np_audit_entry_t a = actor_of(r);
  reply(r, &c, np_sharing_post_patch(c.s, c.ref, &a, &scope, id, j, np_date_today(), &c.out, &c.d), 200);
}

static void h_pairings(np_req_t *r) {
  int64_t id, limit, partner = 0;
  np_scope_t scope;
  if (!path_id(r, NP_ID_SHARING_POST, &id) || !scope_of(r, &scope) || !limit_param(r, &limit, 20)) return;
  const char *v = np_req_query(r, "partner");
  if (v && *v && np_id_parse(NP_ID_SHARING_POST, v, &partner) != NP_OK)
    return np_resp_error(r, 422, "not_found", "partner", "no such post");
  call_t c;
  if (!deps(r, &c)) return;
  reply(r, &c, np_sharing_pairings(c.s, c.ref, &scope, id, partner, limit, np_date_today(), &c.out, &c.d), 200);
}

static void h_agreements_list(np_req_t *r) {
  np_scope_t scope;
  if (!scope_of(r, &scope)) return;
  np_sharing_agreement_filter_t f = {.scope = &scope};
  const char *v;
  if (!limit_param(r, &f.limit, 20)) return;
  f.status = np_req_query(r, "status");
  f.cursor = np_req_query(r, "cursor");
  if ((v = np_req_query(r, "post")) && *v && np_id_parse(NP_ID_SHARING_POST, v, &f.post_id) != NP_OK)
    return np_resp_error(r, 422, "format", "post", "post must be an id like shp_3");
  call_t c;
  if (!deps(r, &c)) return;
  reply(r, &c, np_sharing_agreement_list(c.s, c.ref, &f, &c.out, &c.d), 200);
}

static void h_agreements_create(np_req_t *r) {
  np_scope_t scope;
  json_t *j;
  call_t c;
  if (!scope_of(r, &scope) || !(j = np_req_json(r)) || !deps(r, &c)) return;
  np_audit_entry_t a = actor_of(r);
  reply(r, &c, np_sharing_agreement_create(c.s, c.ref, &a, &scope, j, np_date_today(), &c.out, &c.d), 201);
}

static void h_agreement_get(np_req_t *r) {
  int64_t id;
  np_scope_t scope;
  call_t c;
  if (!path_id(r, NP_ID_SHARING_AGREEMENT, &id) || !scope_of(r, &scope) || !deps(r, &c)) return;
  reply(r, &c, np_sharing_agreement_get(c.s, c.ref, &scope, id, &c.out, &c.d), 200);
}

static void h_agreement_patch(np_req_t *r) {
  int64_t id;
  np_scope_t scope;
  json_t *j;
  call_t c;
  if (!path_id(r, NP_ID_SHARING_AGREEMENT, &id) || !scope_of(r, &scope) || !(j = np_req_json(r)) || !deps(r, &c))
    return;
  np_audit_entry_t a = actor_of(r);
  reply(r, &c, np_sharing_agreement_patch(c.s, c.ref, &a, &scope, id, j, &c.out, &c.d), 200);
}

static void h_board(np_req_t *r) {
  np_scope_t scope;
  if (!scope_of(r, &scope)) return;
  int64_t top = 10;
  const char *v = np_req_query(r, "top");
  if (v && *v && np_parse_int64(v, strlen(v), 1, 100, &top) != NP_OK)
    return np_resp_error(r, 422, "range", "top", "top must be an integer from 1 to 100");
  call_t c;
  if (!deps(r, &c)) return;
  reply(r, &c,
        np_sharing_board(c.s, c.ref, &scope, np_req_query(r, "circle"), np_req_query(r, "city"),
                         np_req_query(r, "county"), (int)top, np_date_today(), &c.out, &c.d),
        200);
}

static void route(np_http_t *h, const char *method, const char *pattern, np_handler_fn fn, const char *action) {
  np_route_opts_t o = {.auth = NP_AUTH_USER, .action = action};
  if (np_http_route(h, method, pattern, fn, &o) != NP_OK)
    np_log_error("sharing.route", "cannot register %s %s", method, pattern);
}

void np_match_sharing_api_register(np_http_t *h) {
  route(h, "GET", "/api/v1/sharing/posts", h_posts_list, "sharing.read");
  route(h, "POST", "/api/v1/sharing/posts", h_posts_create, "sharing.write");
  route(h, "GET", "/api/v1/sharing/posts/{id}", h_post_get, "sharing.read");
  route(h, "PATCH", "/api/v1/sharing/posts/{id}", h_post_patch, "sharing.write");
  route(h, "GET", "/api/v1/sharing/posts/{id}/pairings", h_pairings, "sharing.read");
  route(h, "GET", "/api/v1/sharing/agreements", h_agreements_list, "sharing.read");
  route(h, "POST", "/api/v1/sharing/agreements", h_agreements_create, "sharing.agree");
  route(h, "GET", "/api/v1/sharing/agreements/{id}", h_agreement_get, "sharing.read");
  route(h, "PATCH", "/api/v1/sharing/agreements/{id}", h_agreement_patch, "sharing.agree");
  route(h, "GET", "/api/v1/sharing/board", h_board, "sharing.read");
}
