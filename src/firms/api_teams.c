/*
 * Routes of service teams, specialists + assignments, coverage, grid, service logs and the enterprise
 * timeline. Handlers parse the request, build the call context (store, reference index, scope from
 * np_authz_scope, audit identity) and call the units; the units validate, scope and audit.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include "audit/audit.h"
#include "core/ids.h"
#include "core/str.h"
#include "firms/api.h"
#include "firms/grid.h"
#include "firms/servicelog.h"
#include "firms/specialists.h"
#include "firms/teams.h"
#include "http/authz.h"

typedef struct hctx {
  np_firms_ctx_t c;
  np_scope_t scope;
  np_audit_entry_t actor;
  np_firms_page_t page;
  np_errdetail_t err;
} hctx_t;

/* The process-wide region index, built from the request's connection on first use (as src/ref/api.c does). */

static const np_ref_t *ref_or_fail(np_req_t *r) { return np_ref_req(r); }

/* Fills h for the request; on failure the response has been sent and false is returned. */
static bool begin(np_req_t *r, const char *kind, hctx_t *h) {
  memset(h, 0, sizeof *h);
  const np_principal_t *p = np_req_principal(r);
  np_store_t *s = np_req_store(r);
  if (!s) return false;
  const np_ref_t *ref = ref_or_fail(r);
  if (!ref) return false;
  if (np_authz_scope(p, kind, &h->scope) != NP_OK) {
    np_resp_error(r, 500, "internal", NULL, "scope");
    return false;
  }
  np_authz_scope_store(&h->scope, s);
  h->actor.user_id = p ? p->user_id : 0;
  h->actor.username = p ? p->username : NULL;
  h->actor.role = p ? np_role_name(p->role) : NULL;
  h->actor.ip = np_req_ip(r);
  h->actor.request_id = np_req_id(r);
  h->c.s = s;
  h->c.ref = ref;
  h->c.scope = &h->scope;
  h->c.actor = &h->actor;
  h->c.can_unmask = false;
  const char *v = np_req_query(r, "limit");
  if (v && *v && np_parse_int64(v, strlen(v), 1, 100, &h->page.limit) != NP_OK) {
    np_resp_error(r, 422, "range", "limit", "limit must be an integer from 1 to 100");
    return false;
  }
  h->page.cursor = np_req_query(r, "cursor");
  return true;
}

/* Parses {name} with prefix; answers 404 and returns false on a bad or wrong-kind id. */
static bool path_id(np_req_t *r, const char *name, const char *prefix, const char *what, int64_t *id) {
  if (np_id_parse(prefix, np_req_param(r, name), id) == NP_OK) return true;
  np_resp_error(r, 404, "not_found", name, "no such %s", what);
  return false;
}

static void answer(np_req_t *r, np_err rc, hctx_t *h, int status, json_t *body) {
  if (rc) {
    json_decref(body);
    np_resp_fail(r, rc, &h->err);
    return;
  }
  np_resp_json(r, status, body);
}

/* ---- teams ---- */

static void teams_list(np_req_t *r) {
  hctx_t h;
  if (!begin(r, "team", &h)) return;
  json_t *out = NULL;
  np_err rc = np_firms_team_list(&h.c, np_req_query(r, "region"), &h.page, &out, &h.err);
  answer(r, rc, &h, 200, out);
}

static void teams_create(np_req_t *r) {
  hctx_t h;
  if (!begin(r, "team", &h)) return;
  json_t *in = np_req_json(r), *out = NULL;
  if (!in) return;
  np_err rc = np_firms_team_create(&h.c, in, &out, &h.err);
  answer(r, rc, &h, 201, out);
}

static void teams_get(np_req_t *r) {
  hctx_t h;
  int64_t id;
  if (!begin(r, "team", &h) || !path_id(r, "id", NP_ID_TEAM, "team", &id)) return;
  json_t *out = NULL;
  np_err rc = np_firms_team_get(&h.c, id, &out, &h.err);
  answer(r, rc, &h, 200, out);
}

static void teams_patch(np_req_t *r) {
  hctx_t h;
  int64_t id;
  if (!begin(r, "team", &h) || !path_id(r, "id", NP_ID_TEAM, "team", &id)) return;
  json_t *in = np_req_json(r), *out = NULL;
  if (!in) return;
  np_err rc = np_firms_team_update(&h.c, id, in, &out, &h.err);
  answer(r, rc, &h, 200, out);
}

static void members_add(np_req_t *r) {
  hctx_t h;
  int64_t id;
  if (!begin(r, "team", &h) || !path_id(r, "id", NP_ID_TEAM, "team", &id)) return;
  json_t *in = np_req_json(r), *out = NULL;
  if (!in) return;
  np_err rc = np_firms_team_member_add(&h.c, id, in, &out, &h.err);
  answer(r, rc, &h, 201, out);
}

static void members_delete(np_req_t *r) {
  hctx_t h;
  int64_t id, mid;
  if (!begin(r, "team", &h) || !path_id(r, "id", NP_ID_TEAM, "team", &id) ||
      !path_id(r, "member_id", "mbr_", "member", &mid))
    return;
  np_err rc = np_firms_team_member_remove(&h.c, id, mid, &h.err);
  if (rc) np_resp_fail(r, rc, &h.err);
  else np_resp_bytes(r, 204, NULL, "", 0);
}

/* ---- specialists ---- */

static void spc_list(np_req_t *r) {
  hctx_t h;
  if (!begin(r, "specialist", &h)) return;
  int64_t active = -1;
  const char *v = np_req_query(r, "active");
  if (v && *v) {
    if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0) active = 1;
    else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0) active = 0;
    else {
      np_resp_error(r, 422, "format", "active", "active must be true or false");
      return;
    }
  }
  json_t *out = NULL;
  np_err rc = np_firms_specialist_list(&h.c, np_req_query(r, "region"), np_req_query(r, "team"), (int)active, &h.page, &out,
                                       &h.err);
  answer(r, rc, &h, 200, out);
}

static void spc_create(np_req_t *r) {
  hctx_t h;
  if (!begin(r, "specialist", &h)) return;
  json_t *in = np_req_json(r), *out = NULL;
  if (!in) return;
  np_err rc = np_firms_specialist_create(&h.c, in, &out, &h.err);
  answer(r, rc, &h, 201, out);
}

static void spc_get(np_req_t *r) {
  hctx_t h;
  int64_t id;
  if (!begin(r, "specialist", &h) || !path_id(r, "id", NP_ID_SPECIALIST, "specialist", &id)) return;
  const np_principal_t *p = np_req_principal(r);
  const char *um = np_req_query(r, "unmask");
  bool unmask = um && strcmp(um, "1") == 0 && p && p->can_unmask;
  h.c.can_unmask = unmask;
  json_t *out = NULL;
  np_err rc = np_firms_specialist_get(&h.c, id, &out, &h.err);
  if (rc == NP_OK && unmask) {
    rc = np_audit_from_req(r, "personal.unmask", "specialist", json_string_value(json_object_get(out, "id")), NULL, NULL,
                           NULL);
    if (rc) np_fail(&h.err, rc, "audit", "", "the unmasked view could not be audited");
  }
  answer(r, rc, &h, 200, out);
}

static void spc_patch(np_req_t *r) {
  hctx_t h;
  int64_t id;
  if (!begin(r, "specialist", &h) || !path_id(r, "id", NP_ID_SPECIALIST, "specialist", &id)) return;
  json_t *in = np_req_json(r), *out = NULL;
  if (!in) return;
  np_err rc = np_firms_specialist_update(&h.c, id, in, &out, &h.err);
  answer(r, rc, &h, 200, out);
}

static void spc_assignments(np_req_t *r) {
  hctx_t h;
  int64_t id;
  if (!begin(r, "specialist", &h) || !path_id(r, "id", NP_ID_SPECIALIST, "specialist", &id)) return;
  json_t *out = NULL;
  np_err rc = np_firms_assignment_list(&h.c, id, &h.page, &out, &h.err);
  answer(r, rc, &h, 200, out);
}

static void spc_assign(np_req_t *r) {
  hctx_t h;
  int64_t id;
  if (!begin(r, "specialist", &h) || !path_id(r, "id", NP_ID_SPECIALIST, "specialist", &id)) return;
  json_t *in = np_req_json(r), *out = NULL;
  if (!in) return;
  np_err rc = np_firms_assign(&h.c, id, in, &out, &h.err);
  answer(r, rc, &h, 201, out);
}

static void assignment_end(np_req_t *r) {
  hctx_t h;
  int64_t id;
  if (!begin(r, "specialist", &h) || !path_id(r, "id", NP_FIRMS_ID_ASSIGNMENT, "assignment", &id)) return;
  json_t *out = NULL;
  np_err rc = np_firms_assignment_end(&h.c, id, &out, &h.err);
  answer(r, rc, &h, 200, out);
}

static void my_enterprises(np_req_t *r) {
  hctx_t h;
  if (!begin(r, "specialist", &h)) return;
  int64_t sid = 0;
  np_err rc = np_firms_specialist_of_user(h.c.s, h.actor.user_id, &sid, &h.err);
  if (rc == NP_OK && !sid) rc = np_fail(&h.err, NP_ERR_NOT_FOUND, "not_a_specialist", "", "your account is not linked to a specialist");
  json_t *out = NULL;
  if (rc == NP_OK) rc = np_firms_specialist_enterprises(&h.c, sid, &h.page, &out, &h.err);
  if (rc == NP_OK) {
    char b[32];
    json_object_set_new(out, "specialist_id", json_string(np_id_format(NP_ID_SPECIALIST, sid, b, sizeof b)));
  }
  answer(r, rc, &h, 200, out);
}

static void coverage(np_req_t *r) {
  hctx_t h;
  if (!begin(r, "specialist", &h)) return;
  const char *region = np_req_query(r, "region");
  const np_principal_t *p = np_req_principal(r);
  if ((!region || !*region) && p && p->region_code[0]) region = p->region_code;
  json_t *out = NULL;
  np_err rc = np_firms_coverage(&h.c, region, h.page.limit ? h.page.limit * 10 : 200, &out, &h.err);
  answer(r, rc, &h, 200, out);
}

/* ---- grid ---- */

static void grid_list(np_req_t *r) {
  hctx_t h;
  if (!begin(r, "grid", &h)) return;
  const char *region = np_req_query(r, "region");
  const np_principal_t *p = np_req_principal(r);
  if ((!region || !*region) && p && strlen(p->region_code) == 6 && np_ref_region(h.c.ref, p->region_code) &&
      np_ref_region(h.c.ref, p->region_code)->level == NP_REGION_COUNTY)
    region = p->region_code;
  json_t *out = NULL;
  np_err rc = np_firms_grid_list(&h.c, region, np_req_query(r, "level"), np_authz_allows(p, "grid.write"), &h.page, &out,
                                 &h.err);
  answer(r, rc, &h, 200, out);
}

static void grid_get(np_req_t *r) {
  hctx_t h;
  int64_t id;
  if (!begin(r, "grid", &h) || !path_id(r, "id", NP_ID_GRID, "grid cell", &id)) return;
  json_t *out = NULL;
  np_err rc = np_firms_grid_get(&h.c, id, &out, &h.err);
  answer(r, rc, &h, 200, out);
}

static void grid_patch(np_req_t *r) {
  hctx_t h;
  int64_t id;
  if (!begin(r, "grid", &h) || !path_id(r, "id", NP_ID_GRID, "grid cell", &id)) return;
  json_t *in = np_req_json(r), *out = NULL;
  if (!in) return;
  np_err rc = np_firms_grid_update(&h.c, id, in, &out, &h.err);
  answer(r, rc, &h, 200, out);
}

/* ---- service logs, timeline ---- */

/* The enterprise of {id} must be one the caller may see as an enterprise (a specialist: one assigned
 * to them), not only inside the service-log region; else 404 (answered) and false. */
static bool enterprise_visible(np_req_t *r, hctx_t *h) {
  np_scope_t es;
  np_firms_target_t t;
  if (np_authz_scope(np_req_principal(r), "enterprise", &es) != NP_OK) {
    np_resp_error(r, 500, "internal", NULL, "scope");
    return false;
  }
  np_authz_scope_store(&es, h->c.s);
  np_err rc = np_firms_enterprise_resolve(&h->c, np_req_param(r, "id"), &t, &h->err);
  if (rc == NP_OK && !np_authz_scope_contains(&es, t.region_code, t.id, NULL, 0))
    rc = np_fail(&h->err, NP_ERR_NOT_FOUND, "not_found", "id", "no such enterprise");
  if (rc) {
    np_resp_fail(r, rc, &h->err);
    return false;
  }
  return true;
}

static void logs_list(np_req_t *r) {
  hctx_t h;
  if (!begin(r, "servicelog", &h) || !enterprise_visible(r, &h)) return;
  json_t *out = NULL;
  np_err rc = np_firms_servicelog_list(&h.c, np_req_param(r, "id"), &h.page, &out, &h.err);
  answer(r, rc, &h, 200, out);
}

static void logs_create(np_req_t *r) {
  hctx_t h;
  if (!begin(r, "servicelog", &h) || !enterprise_visible(r, &h)) return;
  json_t *in = np_req_json(r), *out = NULL;
  if (!in) return;
  /* a specialist's own account writes only for the enterprises assigned to it */
  int64_t sid = 0;
  const np_principal_t *p = np_req_principal(r);
  np_err rc = NP_OK;
  if (p && np_role_jurisdiction(p->role) == NP_JURIS_REGION && !np_authz_allows(p, "specialist.write"))
    rc = np_firms_specialist_of_user(h.c.s, p->user_id, &sid, &h.err);
  if (rc == NP_OK && p && !np_authz_allows(p, "specialist.write") && !sid)
    rc = np_fail(&h.err, NP_ERR_FORBIDDEN, "not_a_specialist", "", "your account is not linked to a specialist");
  if (rc == NP_OK) rc = np_firms_servicelog_create(&h.c, np_req_param(r, "id"), sid, in, &out, &h.err);
  answer(r, rc, &h, 201, out);
}

static void timeline(np_req_t *r) {
  hctx_t h;
  if (!begin(r, "servicelog", &h) || !enterprise_visible(r, &h)) return;
  json_t *out = NULL;
  np_err rc = np_firms_timeline(&h.c, np_req_param(r, "id"), &h.page, &out, &h.err);
  answer(r, rc, &h, 200, out);
}

static void route(np_http_t *h, const char *m, const char *path, np_handler_fn fn, const char *action) {
  np_route_opts_t o = {.action = action};
  np_http_route(h, m, path, fn, &o);
}

void np_firms_teams_api_register(np_http_t *h) {
  route(h, "GET", "/api/v1/teams", teams_list, "team.read");
  route(h, "POST", "/api/v1/teams", teams_create, "team.write");
  route(h, "GET", "/api/v1/teams/{id}", teams_get, "team.read");
  route(h, "PATCH", "/api/v1/teams/{id}", teams_patch, "team.write");
  route(h, "POST", "/api/v1/teams/{id}/members", members_add, "team.write");
  route(h, "DELETE", "/api/v1/teams/{id}/members/{member_id}", members_delete, "team.write");
  route(h, "GET", "/api/v1/specialists", spc_list, "specialist.read");
  route(h, "POST", "/api/v1/specialists", spc_create, "specialist.write");
  route(h, "GET", "/api/v1/specialists/me/enterprises", my_enterprises, "specialist.read");
  route(h, "GET", "/api/v1/specialists/{id}", spc_get, "specialist.read");
  route(h, "PATCH", "/api/v1/specialists/{id}", spc_patch, "specialist.write");
  route(h, "GET", "/api/v1/specialists/{id}/assignments", spc_assignments, "specialist.read");
  route(h, "POST", "/api/v1/specialists/{id}/assignments", spc_assign, "specialist.write");
  route(h, "DELETE", "/api/v1/assignments/{id}", assignment_end, "specialist.write");
  route(h, "GET", "/api/v1/coverage", coverage, "specialist.read");
  route(h, "GET", "/api/v1/grid", grid_list, "grid.read");
  route(h, "GET", "/api/v1/grid/{id}", grid_get, "grid.read");
  route(h, "PATCH", "/api/v1/grid/{id}", grid_patch, "grid.write");
  route(h, "GET", "/api/v1/enterprises/{id}/service-logs", logs_list, "servicelog.read");
  route(h, "POST", "/api/v1/enterprises/{id}/service-logs", logs_create, "servicelog.write");
  route(h, "GET", "/api/v1/enterprises/{id}/timeline", timeline, "servicelog.read");
}
