/*
 * Reference data over HTTP (public, read-only): regions for the UI's lazy tree select and search,
 * industries, occupations, skill levels and the minimum wage. Handlers read the process-wide index
 * (np_ref_global), never the database.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/date.h"
#include "core/log.h"
#include "core/str.h"
#include "http/http.h"
#include "ref/ref.h"

#define Q_MAX_BYTES 64
#define LIMIT_DEFAULT 20
#define LIMIT_MAX 100
#define OFFSET_MAX 10000

/* ---- small helpers ---- */

const np_ref_t *np_ref_req(np_req_t *req) {
  np_errdetail_t err = {0};
  np_store_t *s = np_req_store(req);
  if (!s) return NULL; /* answered 503 */
  const np_ref_t *ref = np_ref_shared(s, &err);
  if (!ref) {
    np_log_error("ref.open", "cannot build the reference index: %s", err.message);
    np_resp_error(req, 503, "unavailable", "", "reference data is not loaded (run nineplus migrate)");
  }
  return ref;
}

/* Parses an integer query argument in [lo, hi]; absent → def. False after answering 400. */
static bool query_int(np_req_t *req, const char *name, long long lo, long long hi, long long def, long long *out) {
  const char *s = np_req_query(req, name);
  *out = def;
  if (!s) return true;
  char *end = NULL;
  long long v = 0;
  if (*s >= '0' && *s <= '9' && strlen(s) <= 9) v = strtoll(s, &end, 10);
  if (!end || *end || v < lo || v > hi) {
    np_resp_error(req, 400, "range", name, "%s must be an integer from %lld to %lld", name, lo, hi);
    return false;
  }
  *out = v;
  return true;
}

/* Text query argument: valid UTF-8, at most Q_MAX_BYTES. NULL when absent or empty. */
static bool query_text(np_req_t *req, const char *name, const char **out) {
  const char *s = np_req_query(req, name);
  *out = NULL;
  if (!s || !*s) return true;
  size_t n = strlen(s);
  if (n > Q_MAX_BYTES) {
    np_resp_error(req, 400, "length", name, "%s is longer than %d bytes", name, Q_MAX_BYTES);
    return false;
  }
  if (!np_utf8_valid(s, n)) {
    np_resp_error(req, 400, "format", name, "%s is not valid UTF-8", name);
    return false;
  }
  *out = s;
  return true;
}

/* limit + cursor (an offset written by us as decimal). */
static bool paging(np_req_t *req, size_t *limit, size_t *offset) {
  long long l = 0, o = 0;
  if (!query_int(req, "limit", 1, LIMIT_MAX, LIMIT_DEFAULT, &l)) return false;
  if (!query_int(req, "cursor", 0, OFFSET_MAX, 0, &o)) return false;
  *limit = (size_t)l;
  *offset = (size_t)o;
  return true;
}

static json_t *list_envelope(json_t *items, size_t total, size_t offset, size_t shown) {
  json_t *o = json_object();
  json_object_set_new(o, "items", items);
  json_object_set_new(o, "total", json_integer((json_int_t)total));
  if (offset + shown < total && offset + shown <= OFFSET_MAX) {
    char buf[24];
    snprintf(buf, sizeof buf, "%zu", offset + shown);
    json_object_set_new(o, "next_cursor", json_string(buf));
  } else {
    json_object_set_new(o, "next_cursor", json_null());
  }
  return o;
}

static json_t *str_or_null(const char *s) { return s ? json_string(s) : json_null(); }

/* Micro-degrees as an exact decimal string: 36655370 → "36.65537". */
static json_t *microdeg(int32_t v) {
  char buf[24];
  long long a = v < 0 ? -(long long)v : v;
  int n = snprintf(buf, sizeof buf, "%s%lld.%06lld", v < 0 ? "-" : "", a / 1000000, a % 1000000);
  while (n > 0 && buf[n - 1] == '0') buf[--n] = '\0';
  if (n > 0 && buf[n - 1] == '.') buf[--n] = '\0';
  return json_string(buf);
}

/* ---- regions ---- */

static json_t *region_brief(const np_region_t *r) {
  json_t *o = json_object();
  json_object_set_new(o, "code", json_string(r->code));
  json_object_set_new(o, "name", json_string(r->name));
  json_object_set_new(o, "level", json_string(np_ref_level_name(r->level)));
  json_object_set_new(o, "type", json_string(r->type));
  json_object_set_new(o, "in_gbt2260", json_boolean(r->in_gbt2260));
  json_object_set_new(o, "parent_code", str_or_null(r->parent ? r->parent->code : NULL));
  json_object_set_new(o, "leaf", json_boolean(r->nchildren == 0));
  json_object_set_new(o, "children_count", json_integer((json_int_t)r->nchildren));
  return o;
}

static json_t *region_full(const np_ref_t *ref, const np_region_t *r) {
  json_t *o = region_brief(r);
  /* parent chain, top-down: province … parent */
  const np_region_t *chain[8];
  size_t n = 0;
  for (const np_region_t *p = r->parent; p && n < 8; p = p->parent) chain[n++] = p;
  json_t *arr = json_array();
  while (n > 0) {
    const np_region_t *p = chain[--n];
    json_t *c = json_object();
    json_object_set_new(c, "code", json_string(p->code));
    json_object_set_new(c, "name", json_string(p->name));
    json_object_set_new(c, "level", json_string(np_ref_level_name(p->level)));
    json_array_append_new(arr, c);
  }
  json_object_set_new(o, "parents", arr);
  const np_econ_circle_t *ec = np_ref_region_circle(ref, r);
  if (ec) {
    json_t *c = json_object();
    json_object_set_new(c, "name", json_string(ec->name));
    json_object_set_new(c, "name_en", json_string(ec->name_en));
    json_object_set_new(o, "economic_circle", c);
  } else {
    json_object_set_new(o, "economic_circle", json_null());
  }
  int32_t lat = 0, lon = 0;
  const np_region_t *from = NULL;
  if (np_ref_region_centroid(r, &lat, &lon, &from)) {
    json_t *c = json_object();
    json_object_set_new(c, "lat", microdeg(lat));
    json_object_set_new(c, "lon", microdeg(lon));
    json_object_set_new(c, "lat_e6", json_integer(lat));
    json_object_set_new(c, "lon_e6", json_integer(lon));
    json_object_set_new(c, "county_code", json_string(from->code));
    json_object_set_new(c, "inherited", json_boolean(from != r));
    json_object_set_new(o, "centroid", c);
  } else {
    json_object_set_new(o, "centroid", json_null());
  }
  return o;
}

static void h_region(np_req_t *req) {
  const np_ref_t *ref = np_ref_req(req);
  if (!ref) return;
  const char *code = np_req_param(req, "code");
  const np_region_t *r = code ? np_ref_region(ref, code) : NULL;
  if (!r) {
    np_resp_error(req, 404, "not_found", "code", "no such region");
    return;
  }
  np_resp_json(req, 200, region_full(ref, r));
}

static void h_regions(np_req_t *req) {
  const np_ref_t *ref = np_ref_req(req);
  if (!ref) return;
  const char *parent = NULL, *q = NULL, *within = NULL;
  size_t limit = 0, offset = 0;
  if (!query_text(req, "parent", &parent) || !query_text(req, "q", &q) || !query_text(req, "within", &within)) return;
  if (q) {
    const np_region_t *w = NULL;
    if (!paging(req, &limit, &offset)) return;
    if (!within) within = parent; /* ?parent=CODE&q=… searches inside CODE */
    if (within && !(w = np_ref_region(ref, within))) {
      np_resp_error(req, 404, "not_found", np_req_query(req, "within") ? "within" : "parent", "no such region");
      return;
    }
    const np_region_t **hits = calloc(offset + limit, sizeof *hits);
    if (!hits) {
      np_resp_error(req, 500, "internal", "", "out of memory");
      return;
    }
    size_t total = 0, n = np_ref_region_search(ref, q, w, offset + limit, hits, &total);
    json_t *items = json_array();
    for (size_t i = offset; i < n; i++) {
      json_t *o = region_brief(hits[i]);
      /* A short path so a search hit can be told apart from its namesakes (市中区 …). */
      const np_region_t *c = np_ref_region_at(hits[i], NP_REGION_CITY), *k = np_ref_region_at(hits[i], NP_REGION_COUNTY);
      char path[256];
      snprintf(path, sizeof path, "%s%s%s", c && c != hits[i] ? c->name : "", k && k != hits[i] ? k->name : "",
               hits[i]->parent && hits[i]->parent != c && hits[i]->parent != k ? hits[i]->parent->name : "");
      json_object_set_new(o, "path", json_string(path));
      json_array_append_new(items, o);
    }
    free(hits);
    np_resp_json(req, 200, list_envelope(items, total, offset, n > offset ? n - offset : 0));
    return;
  }
  /* Children of a region (the lazy tree select); no parent → the 16 cities. */
  const np_region_t *p = parent ? np_ref_region(ref, parent) : np_ref_province(ref);
  if (!p) {
    np_resp_error(req, 404, "not_found", "parent", "no such region");
    return;
  }
  /* all children by default (a tree level is small); limit/cursor page through them when given */
  size_t first = 0, count = p->nchildren;
  if (np_req_query(req, "limit") || np_req_query(req, "cursor")) {
    if (!paging(req, &limit, &offset)) return;
    first = offset < p->nchildren ? offset : p->nchildren;
    count = p->nchildren - first < limit ? p->nchildren - first : limit;
  }
  json_t *items = json_array();
  for (size_t i = first; i < first + count; i++) json_array_append_new(items, region_brief(p->children[i]));
  np_resp_json(req, 200, list_envelope(items, p->nchildren, first, count));
}

/* ---- industries / occupations ---- */

static json_t *item_brief(const np_ref_item_t *it, np_ref_tree tree) {
  json_t *o = json_object();
  json_object_set_new(o, "code", json_string(it->code));
  json_object_set_new(o, "name", json_string(it->name));
  json_object_set_new(o, "level", json_string(it->level));
  json_object_set_new(o, "parent_code", str_or_null(it->parent ? it->parent->code : NULL));
  if (tree == NP_REF_INDUSTRIES) {
    json_object_set_new(o, "section", str_or_null(it->section));
  } else {
    json_object_set_new(o, "gbm_code", str_or_null(it->gbm_code));
    json_object_set_new(o, "check_status", str_or_null(it->check_status));
  }
  json_object_set_new(o, "leaf", json_boolean(it->nchildren == 0));
  json_object_set_new(o, "children_count", json_integer((json_int_t)it->nchildren));
  return o;
}

static void items_list(np_req_t *req, np_ref_tree tree) {
  const np_ref_t *ref = np_ref_req(req);
  if (!ref) return;
  const char *q = NULL, *parent = NULL, *level = NULL;
  size_t limit = 0, offset = 0;
  if (!query_text(req, "q", &q) || !query_text(req, "parent", &parent) || !query_text(req, "level", &level) ||
      !paging(req, &limit, &offset))
    return;
  const np_ref_item_t *p = NULL;
  if (parent && !(p = np_ref_item(ref, tree, parent))) {
    np_resp_error(req, 404, "not_found", "parent", "no such code");
    return;
  }
  if (level) {
    static const char *const levels[2][4] = {{"section", "division", "group", "class"},
                                             {"major", "middle", "minor", "occupation"}};
    bool ok = false;
    for (int i = 0; i < 4; i++) ok = ok || strcmp(levels[tree][i], level) == 0;
    if (!ok) {
      np_resp_error(req, 400, "format", "level", "level must be one of %s, %s, %s, %s", levels[tree][0], levels[tree][1],
                    levels[tree][2], levels[tree][3]);
      return;
    }
  }
  json_t *items = json_array();
  if (!q && !level) {
    /* Lazy tree: the direct children (or the top level), all of them. */
    size_t n = 0;
    const np_ref_item_t *const *kids = p ? p->children : np_ref_item_roots(ref, tree, &n);
    if (p) n = p->nchildren;
    for (size_t i = 0; i < n; i++) json_array_append_new(items, item_brief(kids[i], tree));
    np_resp_json(req, 200, list_envelope(items, n, 0, n));
    return;
  }
  const np_ref_item_t **hits = calloc(offset + limit, sizeof *hits);
  if (!hits) {
    json_decref(items);
    np_resp_error(req, 500, "internal", "", "out of memory");
    return;
  }
  np_ref_item_query_t qq = {.q = q, .parent = parent, .level = level, .limit = offset + limit};
  size_t total = 0, n = np_ref_item_search(ref, tree, &qq, hits, &total);
  for (size_t i = offset; i < n; i++) json_array_append_new(items, item_brief(hits[i], tree));
  free(hits);
  np_resp_json(req, 200, list_envelope(items, total, offset, n > offset ? n - offset : 0));
}

static void item_one(np_req_t *req, np_ref_tree tree) {
  const np_ref_t *ref = np_ref_req(req);
  if (!ref) return;
  const char *code = np_req_param(req, "code");
  const np_ref_item_t *it = code ? np_ref_item(ref, tree, code) : NULL;
  if (!it) {
    np_resp_error(req, 404, "not_found", "code", "no such code");
    return;
  }
  json_t *o = item_brief(it, tree);
  const np_ref_item_t *chain[8];
  size_t n = 0;
  for (const np_ref_item_t *p = it->parent; p && n < 8; p = p->parent) chain[n++] = p;
  json_t *arr = json_array();
  while (n > 0) json_array_append_new(arr, item_brief(chain[--n], tree));
  json_object_set_new(o, "parents", arr);
  json_t *kids = json_array();
  for (size_t i = 0; i < it->nchildren; i++) json_array_append_new(kids, item_brief(it->children[i], tree));
  json_object_set_new(o, "children", kids);
  np_resp_json(req, 200, o);
}

static void h_industries(np_req_t *req) { items_list(req, NP_REF_INDUSTRIES); }
static void h_occupations(np_req_t *req) { items_list(req, NP_REF_OCCUPATIONS); }
static void h_industry(np_req_t *req) { item_one(req, NP_REF_INDUSTRIES); }
static void h_occupation(np_req_t *req) { item_one(req, NP_REF_OCCUPATIONS); }

/* ---- skill levels ---- */

static void h_skill_levels(np_req_t *req) {
  const np_ref_t *ref = np_ref_req(req);
  if (!ref) return;
  size_t n = 0;
  const np_skill_level_t *k = np_ref_skill_levels(ref, &n);
  json_t *items = json_array();
  for (size_t i = 0; i < n; i++) {
    json_t *o = json_object();
    json_object_set_new(o, "rank", json_integer(k[i].rank));
    json_object_set_new(o, "name", json_string(k[i].name));
    json_object_set_new(o, "name_en", json_string(k[i].name_en));
    json_object_set_new(o, "national_level", str_or_null(k[i].national_level));
    json_object_set_new(o, "national_level_number",
                        k[i].national_level_number ? json_integer(k[i].national_level_number) : json_null());
    json_object_set_new(o, "note", str_or_null(k[i].note));
    json_array_append_new(items, o);
  }
  np_resp_json(req, 200, list_envelope(items, n, 0, n));
}

/* ---- minimum wage ---- */

static void h_min_wage(np_req_t *req) {
  const np_ref_t *ref = np_ref_req(req);
  if (!ref) return;
  const char *county = np_req_query(req, "county"), *date = np_req_query(req, "date");
  char today[NP_DATE_STRLEN];
  if (!county || !*county) {
    np_resp_error(req, 400, "required", "county", "county is required");
    return;
  }
  if (!date || !*date) {
    np_date_format(np_date_today(), today, sizeof today);
    date = today;
  }
  np_min_wage_t mw;
  np_errdetail_t err = {0};
  np_err e = np_ref_min_wage(ref, county, date, &mw, &err);
  if (e) {
    np_resp_fail(req, e, &err);
    return;
  }
  json_t *o = json_object();
  json_t *c = json_object();
  json_object_set_new(c, "code", json_string(mw.county->code));
  json_object_set_new(c, "name", json_string(mw.county->name));
  json_object_set_new(c, "type", json_string(mw.county->type));
  json_object_set_new(o, "county", c);
  json_object_set_new(o, "date", json_string(date));
  json_object_set_new(o, "standard", json_string(mw.standard));
  json_object_set_new(o, "effective_from", json_string(mw.effective_from));
  json_object_set_new(o, "effective_to", str_or_null(mw.effective_to));
  json_t *tiers = json_array();
  for (int i = 0; i < 3; i++) {
    json_t *t = json_object();
    json_object_set_new(t, "tier", json_integer(i + 1));
    json_object_set_new(t, "monthly_fen", json_integer(mw.tier_monthly_fen[i]));
    json_object_set_new(t, "hourly_fen", json_integer(mw.tier_hourly_fen[i]));
    json_array_append_new(tiers, t);
  }
  json_object_set_new(o, "tiers", tiers);
  bool known = mw.status == NP_MIN_WAGE_KNOWN;
  json_object_set_new(o, "tier_status", json_string(known ? "known" : "unknown"));
  json_object_set_new(o, "tier", known ? json_integer(mw.tier) : json_null());
  json_object_set_new(o, "monthly_fen", known ? json_integer(mw.monthly_fen) : json_null());
  json_object_set_new(o, "hourly_fen", known ? json_integer(mw.hourly_fen) : json_null());
  json_object_set_new(o, "basis", str_or_null(known ? mw.basis : NULL));
  json_object_set_new(o, "basis_note", str_or_null(known ? mw.basis_note : NULL));
  np_resp_json(req, 200, o);
}

void np_ref_api_register(np_http_t *h) {
  const np_route_opts_t pub = {.auth = NP_AUTH_PUBLIC};
  np_http_route(h, "GET", "/api/v1/ref/regions", h_regions, &pub);
  np_http_route(h, "GET", "/api/v1/ref/regions/{code}", h_region, &pub);
  np_http_route(h, "GET", "/api/v1/ref/industries", h_industries, &pub);
  np_http_route(h, "GET", "/api/v1/ref/industries/{code}", h_industry, &pub);
  np_http_route(h, "GET", "/api/v1/ref/occupations", h_occupations, &pub);
  np_http_route(h, "GET", "/api/v1/ref/occupations/{code}", h_occupation, &pub);
  np_http_route(h, "GET", "/api/v1/ref/skill-levels", h_skill_levels, &pub);
  np_http_route(h, "GET", "/api/v1/ref/min-wage", h_min_wage, &pub);
}
