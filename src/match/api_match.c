/*
 * The matching engine over HTTP (docs/MATCHING.md, api/openapi.json):
 *   GET  /api/v1/demands/{id}/candidates   match.read; the line must be in the caller's "demand" scope
 *   GET  /api/v1/seekers/{id}/matches      match.read; the seeker must be in the caller's "seeker" scope
 *   GET  /api/v1/match/explain             match.read; ?demand=dem_N&seeker=skr_N (the line in scope)
 *   GET  /api/v1/match/index               match.read; sizes and feed position of the index
 *   GET  /api/v1/match/config              match.config; weights, anti-congestion limits, related occupations
 *   PUT  /api/v1/match/config              match.config; one audited transaction, on the change feed (match_config)
 *   POST /api/v1/batches                   batch.run; the worker file as the body, ?name=&region=
 *   GET  /api/v1/batches, /batches/{id}    batch.run
 *   POST /api/v1/batches/{id}/run          batch.run
 *   POST /api/v1/batches/{id}/commit       batch.commit
 * Query parameters of the two lists: radius_km (0 < r ≤ 500, up to 3 decimals; default 50) or
 * scope=county|city|circle, limit (1..100, default 20), cursor (from next_cursor).
 */
#include "match/api_match.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "audit/audit.h"
#include "core/date.h"
#include "core/ids.h"
#include "core/str.h"
#include "firms/demands.h"
#include "http/authz.h"
#include "match/api_util.h"
#include "match/batch.h"
#include "match/config.h"
#include "match/index.h"
#include "match/seekers.h"
#include "ref/ref.h"

#define INDEX_WAIT_MS 15000
#define BATCH_MAX_BODY (16u << 20)

typedef np_match_req_t mctx_t;

/* every handler here needs a signed-in user */
static bool begin(np_req_t *r, mctx_t *c) { return np_match_req_begin(r, c, true); }

/* radius_km: "50", "12.5", "0.125" → metres; 0 < r ≤ 500 km */
static bool parse_radius(const char *v, int64_t *m) {
  int64_t whole = 0, frac = 0;
  int fd = 0;
  const char *p = v;
  if (!*p) return false;
  for (; *p >= '0' && *p <= '9'; p++) {
    whole = whole * 10 + (*p - '0');
    if (whole > 500) return false;
  }
  if (p == v) return false;
  if (*p == '.') {
    p++;
    for (; *p >= '0' && *p <= '9'; p++) {
      if (++fd > 3) return false;
      frac = frac * 10 + (*p - '0');
    }
    if (fd == 0) return false;
  }
  if (*p) return false;
  while (fd < 3) frac *= 10, fd++;
  *m = whole * 1000 + frac;
  return *m > 0 && *m <= 500000;
}

/* The list parameters; false after answering 422. */
static bool parse_query(mctx_t *c, np_match_query_t *q) {
  memset(q, 0, sizeof *q);
  q->scope = NP_SCOPE_RADIUS;
  q->radius_m = 50000;
  q->limit = 20;
  q->today = np_date_today().days;
  q->top_only = true; /* first pages: nearest first with an early stop (total not counted); cursor pages scan fully */
  const char *rk = np_req_query(c->r, "radius_km"), *sc = np_req_query(c->r, "scope");
  const char *lim = np_req_query(c->r, "limit"), *cur = np_req_query(c->r, "cursor");
  if (rk && sc) {
    np_resp_error(c->r, 422, "conflict", "scope", "give either radius_km or scope, not both");
    return false;
  }
  if (rk && !parse_radius(rk, &q->radius_m)) {
    np_resp_error(c->r, 422, "range", "radius_km", "radius_km must be greater than 0 and at most 500 (up to 3 decimals)");
    return false;
  }
  if (sc) {
    if (strcmp(sc, "county") == 0) q->scope = NP_MSCOPE_COUNTY;
    else if (strcmp(sc, "city") == 0) q->scope = NP_MSCOPE_CITY;
    else if (strcmp(sc, "circle") == 0) q->scope = NP_MSCOPE_CIRCLE;
    else {
      np_resp_error(c->r, 422, "enum", "scope", "scope must be county, city or circle");
      return false;
    }
    q->radius_m = 0;
  }
  if (lim) {
    int64_t v;
    if (np_parse_int64(lim, strlen(lim), 1, NP_MATCH_MAX_LIMIT, &v) != NP_OK) {
      np_resp_error(c->r, 422, "range", "limit", "limit must be 1 to %d", NP_MATCH_MAX_LIMIT);
      return false;
    }
    q->limit = (int)v;
  }
  if (cur && *cur) {
    const char *dot = strchr(cur, '.');
    int64_t sv, iv;
    if (!dot || np_parse_int64(cur, (size_t)(dot - cur), 0, 100000, &sv) != NP_OK ||
        np_parse_int64(dot + 1, strlen(dot + 1), 1, NP_MATCH_MAX_ID, &iv) != NP_OK) {
      np_resp_error(c->r, 422, "invalid", "cursor", "cursor must be a next_cursor value");
      return false;
    }
    q->has_cursor = true;
    q->cursor_score = (int32_t)sv;
    q->cursor_id = iv;
  }
  return true;
}

static json_t *page_envelope(const np_match_query_t *q, const np_match_page_t *p, json_t *items, bool demand_side) {
  json_t *o = json_object();
  json_object_set_new(o, "items", items);
  json_object_set_new(o, "total", p->total >= 0 ? json_integer(p->total) : json_null());
  if (p->more && p->n) {
    const np_match_hit_t *h = &p->hits[p->n - 1];
    char cur[48];
    snprintf(cur, sizeof cur, "%d.%lld", h->eval.score, (long long)(demand_side ? h->seeker.id : h->demand.id));
    json_object_set_new(o, "next_cursor", json_string(cur));
  } else {
    json_object_set_new(o, "next_cursor", json_null());
  }
  if (q->scope == NP_SCOPE_RADIUS) json_object_set_new(o, "radius_km", json_real((double)q->radius_m / 1000.0));
  else
    json_object_set_new(o, "scope", json_string(q->scope == NP_MSCOPE_COUNTY ? "county"
                                                : q->scope == NP_MSCOPE_CITY ? "city"
                                                                             : "circle"));
  json_object_set_new(o, "congested", json_integer(p->congested));
  return o;
}

/* Demand line `raw` (dem_N) inside the caller's "demand" scope; false after answering 404. */
static bool demand_in_scope(mctx_t *c, const char *raw, int64_t *id) {
  np_firms_demand_owner_t own;
  np_scope_t scope;
  if (np_id_parse(NP_ID_DEMAND, raw, id) != NP_OK || np_match_req_scope(c, "demand", &scope) != NP_OK ||
      np_firms_demand_owner(c->s, *id, &own, &c->err) != NP_OK ||
      !np_authz_scope_contains(&scope, own.region_code, own.enterprise_id, NULL, 0)) {
    np_match_req_not_found(c, "demand line");
    return false;
  }
  return true;
}

/* One hit as a list item: the seeker (demand_side) or the demand line, with score and explanation; NULL when
 * the record was just deleted. */
static json_t *hit_item(mctx_t *c, const np_match_query_t *q, const np_match_hit_t *h, bool demand_side) {
  json_t *rec = NULL;
  np_errdetail_t e = {0};
  np_err rc = demand_side ? np_match_seeker_get(c->s, c->ref, h->seeker.id, false, &rec, &e)
                          : np_firms_demand_get(c->s, c->ref, h->demand.id, &rec, &e);
  if (rc != NP_OK) return NULL;
  json_t *it = json_object();
  json_object_set_new(it, demand_side ? "seeker" : "demand", rec);
  json_object_set_new(it, "score", json_integer(h->eval.score));
  if (!demand_side) json_object_set_new(it, "priority", json_boolean(h->demand.is_key));
  json_object_set_new(it, "congested", json_boolean(h->congested));
  json_object_set_new(it, "explanation", np_match_index_hit_json(c->ix, q, h));
  return it;
}

/* The answer of both lists: a line's candidates (demand_side) or a seeker's jobs, for record `id` in scope;
 * `note` says why a record that is not in the index cannot match. */
static void answer_page(mctx_t *c, np_match_query_t *q, int64_t id, bool demand_side, const char *note) {
  if (!np_match_req_index(c, INDEX_WAIT_MS)) return;
  np_match_page_t *p = malloc(sizeof *p);
  if (!p) return np_resp_error(c->r, 500, "internal", "", "out of memory");
  json_t *items = json_array();
  np_err rc = demand_side ? np_match_candidates(c->ix, id, q, p) : np_match_jobs(c->ix, id, q, p);
  bool matchable = rc == NP_OK;
  if (rc == NP_ERR_NOT_FOUND) {
    p->n = 0, p->total = 0, p->more = false, p->congested = 0;
    rc = NP_OK;
  }
  for (size_t i = 0; rc == NP_OK && i < p->n; i++) {
    json_t *it = hit_item(c, q, &p->hits[i], demand_side);
    if (it) json_array_append_new(items, it);
  }
  json_t *o = page_envelope(q, p, items, demand_side);
  json_object_set_new(o, "matchable", json_boolean(matchable));
  if (!matchable) json_object_set_new(o, "note", json_string(note));
  free(p);
  np_resp_json(c->r, 200, o);
}

static void h_candidates(np_req_t *r) {
  mctx_t c;
  int64_t id;
  np_match_query_t q;
  if (!begin(r, &c) || !demand_in_scope(&c, np_req_param(r, "id"), &id) || !parse_query(&c, &q)) return;
  /* a push is a seeker's record shown to an enterprise (or a referral): an enterprise's view counts and
   * is limited; staff browsing is neither, and sees which candidates are at today's limit */
  q.record = c.p->role == NP_ROLE_ENTERPRISE;
  q.mark_congested = !q.record;
  answer_page(&c, &q, id, true, "the line is not open, has no openings left or is not public");
}

static void h_matches(np_req_t *r) {
  mctx_t c;
  if (!begin(r, &c)) return;
  int64_t id;
  np_seeker_owner_t own;
  np_scope_t scope;
  if (np_id_parse(NP_ID_SEEKER, np_req_param(r, "id"), &id) != NP_OK ||
      np_match_req_scope(&c, "seeker", &scope) != NP_OK || np_match_seeker_owner(c.s, id, &own, &c.err) != NP_OK ||
      !np_match_seeker_visible(&scope, &own)) {
    np_match_req_not_found(&c, "seeker");
    return;
  }
  np_match_query_t q;
  if (!parse_query(&c, &q)) return;
  /* jobs shown to the seeker or to staff: no seeker record reaches an enterprise, so nothing is pushed */
  q.record = false;
  q.mark_congested = true;
  answer_page(&c, &q, id, false, "the seeker is not seeking, has not consented or has no occupation");
}

static void h_explain(np_req_t *r) {
  mctx_t c;
  if (!begin(r, &c) || !np_match_req_index(&c, INDEX_WAIT_MS)) return;
  int64_t did, sid;
  const char *dq = np_req_query(r, "demand"), *sq = np_req_query(r, "seeker");
  if (!dq || !sq) {
    np_resp_error(r, 422, "required", !dq ? "demand" : "seeker", "give demand=dem_N and seeker=skr_N");
    return;
  }
  np_match_query_t q;
  if (!demand_in_scope(&c, dq, &did) || !parse_query(&c, &q)) return;
  np_match_demand_t d;
  np_match_seeker_t s;
  if (np_id_parse(NP_ID_SEEKER, sq, &sid) != NP_OK ||
      np_match_index_fetch_seeker(c.ix, c.s, c.ref, sid, &s, &c.err) != NP_OK) {
    np_match_req_not_found(&c, "seeker");
    return;
  }
  if (np_match_index_fetch_demand(c.ix, c.s, c.ref, did, &d, &c.err) != NP_OK) {
    np_match_req_not_found(&c, "demand line");
    return;
  }
  np_match_where_t w = {.scope = q.scope, .radius_m = q.radius_m, .today = q.today};
  np_match_eval_t e;
  json_t *ex = np_match_index_explain(c.ix, &w, &d, &s, &e);
  char a[32], b[32];
  json_t *o = json_pack("{s:s, s:s, s:b, s:o}", "demand_id", np_id_format(NP_ID_DEMAND, did, a, sizeof a), "seeker_id",
                        np_id_format(NP_ID_SEEKER, sid, b, sizeof b), "match", e.filter == NP_MF_PASS, "explanation", ex);
  np_resp_json(r, 200, o);
}

static void h_index(np_req_t *r) {
  mctx_t c;
  if (!begin(r, &c) || !np_match_req_index(&c, INDEX_WAIT_MS)) return;
  np_match_index_stats_t st;
  np_match_index_stats(c.ix, &st);
  np_match_config_t cfg;
  np_match_index_config(c.ix, &cfg);
  json_t *w = json_object();
  for (int t = 0; t < NP_MT__COUNT; t++) json_object_set_new(w, np_match_term_name((np_match_term)t), json_integer(cfg.weight[t]));
  np_resp_json(r, 200,
               json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:i, s:i}", "demands", (json_int_t)st.demands,
                         "demands_indexed", (json_int_t)st.demands_indexed, "seekers", (json_int_t)st.seekers,
                         "seekers_indexed", (json_int_t)st.seekers_indexed, "postings", (json_int_t)st.postings,
                         "last_seq", (json_int_t)st.last_seq, "build_ms", (json_int_t)st.build_ms, "applied_changes",
                         (json_int_t)st.applied_changes, "weights", w, "seeker_daily_pushes", cfg.seeker_daily_pushes,
                         "demand_flood_multiple", cfg.demand_flood_multiple));
}

/* ---- settings (province administrators) ---- */

static void h_config_get(np_req_t *r) {
  mctx_t c;
  if (!begin(r, &c)) return;
  json_t *o = NULL;
  np_err rc = np_match_config_get(c.s, c.ref, &o, &c.err);
  np_match_req_reply(&c, rc, 200, o);
}

static void h_config_put(np_req_t *r) {
  mctx_t c;
  if (!begin(r, &c)) return;
  json_t *body = np_req_json(r);
  if (!body) return;
  json_t *o = NULL;
  np_err rc = np_match_config_put(c.s, c.ref, &c.actor, body, &o, &c.err);
  if (rc) {
    if (rc == NP_ERR_INVALID && !c.err.field[0]) np_strlcpy(c.err.field, "body", sizeof c.err.field);
    np_resp_fail(r, rc, &c.err);
    return;
  }
  np_resp_json(r, 200, o);
}

/* ---- batches ---- */

/* the batch in {id}, inside the caller's demand scope */
static bool path_batch(mctx_t *c, int64_t *id, char status[16]) {
  char region[16];
  np_scope_t scope;
  if (np_id_parse(NP_ID_BATCH, np_req_param(c->r, "id"), id) != NP_OK ||
      np_match_req_scope(c, "demand", &scope) != NP_OK || np_match_batch_owner(c->s, *id, region, status, &c->err) != NP_OK ||
      !np_authz_scope_contains(&scope, region, -1, NULL, 0)) {
    np_match_req_not_found(c, "batch");
    return false;
  }
  return true;
}

/* begin, then the batch in {id} and, when need_index, the matching index; false after answering */
static bool begin_batch(np_req_t *r, mctx_t *c, int64_t *id, bool need_index) {
  char status[16];
  return begin(r, c) && path_batch(c, id, status) && (!need_index || np_match_req_index(c, INDEX_WAIT_MS));
}

static void h_batch_create(np_req_t *r) {
  mctx_t c;
  if (!begin(r, &c)) return;
  const char *name = np_req_query(r, "name"), *region = np_req_query(r, "region"), *fname = np_req_query(r, "file_name");
  np_scope_t scope;
  if (!region || !*region) {
    np_resp_error(r, 422, "required", "region", "region (the city or county the workers go to) is required");
    return;
  }
  if (np_match_req_scope(&c, "demand", &scope) != NP_OK || !np_authz_scope_contains(&scope, region, -1, NULL, 0)) {
    np_resp_error(r, 422, "out_of_jurisdiction", "region", "region must lie inside your jurisdiction");
    return;
  }
  size_t len = 0;
  const char *data = np_req_body(r, &len);
  if (!data || !len) {
    np_resp_error(r, 422, "required", "file", "send the worker file as the request body");
    return;
  }
  if (fname && np_utf8_count(fname, strlen(fname)) > 200) fname = NULL;
  int64_t id = 0;
  json_t *errors = NULL;
  np_err rc = np_match_batch_create(c.s, c.ref, &c.actor, name ? name : "", region, fname, data, len, &id, &errors, &c.err);
  if (rc && errors) {
    np_resp_json(r, 422, json_pack("{s:{s:s, s:s, s:s}, s:o}", "error", "code", "import_failed", "message", c.err.message,
                                   "field", "file", "errors", errors));
    return;
  }
  json_t *o = NULL;
  if (rc == NP_OK) rc = np_match_batch_get(c.s, id, &o, &c.err);
  np_match_req_reply(&c, rc, 201, o);
}

static void h_batch_list(np_req_t *r) {
  mctx_t c;
  if (!begin(r, &c)) return;
  np_scope_t scope;
  if (np_match_req_scope(&c, "demand", &scope) != NP_OK || (scope.kind != NP_SCOPE_ALL && scope.kind != NP_SCOPE_REGION)) {
    np_resp_json(r, 200, json_pack("{s:[], s:n}", "items", "next_cursor"));
    return;
  }
  int64_t limit = 20, cursor = 0;
  const char *l = np_req_query(r, "limit"), *cu = np_req_query(r, "cursor");
  if (l && np_parse_int64(l, strlen(l), 1, 100, &limit) != NP_OK) {
    np_resp_error(r, 422, "range", "limit", "limit must be 1 to 100");
    return;
  }
  if (cu && *cu && np_parse_int64(cu, strlen(cu), 1, INT64_MAX, &cursor) != NP_OK) {
    np_resp_error(r, 422, "invalid", "cursor", "cursor must be a next_cursor value");
    return;
  }
  json_t *o = NULL;
  np_err rc = np_match_batch_list(c.s, scope.kind == NP_SCOPE_REGION ? scope.region_prefix : "", limit, cursor, &o, &c.err);
  np_match_req_reply(&c, rc, 200, o);
}

static void h_batch_get(np_req_t *r) {
  mctx_t c;
  int64_t id;
  if (!begin_batch(r, &c, &id, false)) return;
  json_t *o = NULL;
  np_err rc = np_match_batch_get(c.s, id, &o, &c.err);
  np_match_req_reply(&c, rc, 200, o);
}

static void h_batch_run(np_req_t *r) {
  mctx_t c;
  int64_t id;
  if (!begin_batch(r, &c, &id, true)) return;
  json_t *rep = NULL, *o = NULL;
  np_err rc = np_match_batch_run(c.s, c.ix, &c.actor, id, np_date_today(), &rep, &c.err);
  json_decref(rep);
  if (rc == NP_OK) rc = np_match_batch_get(c.s, id, &o, &c.err);
  np_match_req_reply(&c, rc, 200, o);
}

static void h_batch_commit(np_req_t *r) {
  mctx_t c;
  int64_t id;
  if (!begin_batch(r, &c, &id, true)) return;
  json_t *res = NULL, *o = NULL;
  np_err rc = np_match_batch_commit(c.s, c.ref, c.ix, &c.actor, id, np_date_today(), &res, &c.err);
  if (rc == NP_OK) rc = np_match_batch_get(c.s, id, &o, &c.err);
  if (rc) {
    json_decref(res);
    np_resp_fail(r, rc, &c.err);
    return;
  }
  json_object_set_new(o, "commit", res);
  np_resp_json(r, 200, o);
}

void np_match_engine_api_register(np_http_t *h) {
  const np_route_opts_t mr = {.action = "match.read"}, br = {.action = "batch.run"}, bc = {.action = "batch.commit"};
  const np_route_opts_t up = {.action = "batch.run", .max_body = BATCH_MAX_BODY};
  np_http_route(h, "GET", "/api/v1/demands/{id}/candidates", h_candidates, &mr);
  np_http_route(h, "GET", "/api/v1/seekers/{id}/matches", h_matches, &mr);
  np_http_route(h, "GET", "/api/v1/match/explain", h_explain, &mr);
  np_http_route(h, "GET", "/api/v1/match/index", h_index, &mr);
  const np_route_opts_t mc = {.action = "match.config"};
  np_http_route(h, "GET", "/api/v1/match/config", h_config_get, &mc);
  np_http_route(h, "PUT", "/api/v1/match/config", h_config_put, &mc);
  np_http_route(h, "POST", "/api/v1/batches", h_batch_create, &up);
  np_http_route(h, "GET", "/api/v1/batches", h_batch_list, &br);
  np_http_route(h, "GET", "/api/v1/batches/{id}", h_batch_get, &br);
  np_http_route(h, "POST", "/api/v1/batches/{id}/run", h_batch_run, &br);
  np_http_route(h, "POST", "/api/v1/batches/{id}/commit", h_batch_commit, &bc);
  np_store_pool_t *pool = np_http_pool(h);
  if (pool) np_match_engine_start(pool);
}
