/*
 * GET /api/v1/public/jobs — jobs near a point for the public "附近岗位" page. No login; limited per
 * client address; public open lines only, no personal data.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include "core/geo.h"
#include "core/ratelimit.h"
#include "core/str.h"
#include "firms/api.h"
#include "firms/jobs.h"
#include "http/http.h"

#define JOBS_PER_MINUTE 60

static np_ratelimit_t *g_rl;
static pthread_once_t g_rl_once = PTHREAD_ONCE_INIT;
static void rl_init(void) { g_rl = np_ratelimit_new(8192); }

/* integer query argument in [lo, hi] (absent → def); false after answering 422 */
static bool int_arg(np_req_t *r, const char *name, int64_t lo, int64_t hi, int64_t def, int64_t *out) {
  const char *v = np_req_query(r, name);
  *out = def;
  if (!v) return true;
  if (np_parse_int64(v, strlen(v), lo, hi, out) == NP_OK) return true;
  np_resp_error(r, 422, "range", name, "%s must be a whole number from %lld to %lld", name, (long long)lo,
                (long long)hi);
  return false;
}

static void h_jobs(np_req_t *r) {
  pthread_once(&g_rl_once, rl_init);
  int retry = 0;
  if (!np_ratelimit_take(g_rl, np_req_ip(r), JOBS_PER_MINUTE, np_ratelimit_now_ms(), &retry)) {
    char ra[16];
    snprintf(ra, sizeof ra, "%d", retry);
    np_resp_header(r, "Retry-After", ra);
    np_resp_error(r, 429, "rate_limited", NULL, "too many searches from this address; retry in %d s", retry);
    return;
  }
  np_jobs_query_t q = {0};
  const char *lat = np_req_query(r, "lat"), *lon = np_req_query(r, "lon");
  if (!lat || !np_geo_parse_deg(lat, &q.lat_e6)) {
    np_resp_error(r, 422, lat ? "format" : "required", "lat", "lat must be decimal degrees, e.g. 36.651");
    return;
  }
  if (!lon || !np_geo_parse_deg(lon, &q.lon_e6)) {
    np_resp_error(r, 422, lon ? "format" : "required", "lon", "lon must be decimal degrees, e.g. 117.12");
    return;
  }
  if (!np_geo_in_shandong(q.lat_e6, q.lon_e6)) {
    np_resp_error(r, 422, "outside_shandong", "lat", "the point lies outside Shandong");
    return;
  }
  int64_t radius_km = 0, limit = 0;
  if (!int_arg(r, "radius_km", 1, NP_JOBS_MAX_RADIUS_M / 1000, 20, &radius_km) ||
      !int_arg(r, "limit", 1, NP_JOBS_MAX_LIMIT, 20, &limit))
    return;
  q.radius_m = radius_km * 1000;
  q.limit = (int)limit;
  const char *occ = np_req_query(r, "occupation");
  if (occ && *occ) {
    size_t n = strlen(occ);
    bool ok = n <= 20;
    for (size_t i = 0; ok && i < n; i++) ok = (occ[i] >= '0' && occ[i] <= '9') || occ[i] == '-';
    if (!ok) {
      np_resp_error(r, 422, "format", "occupation", "occupation must be a code or code prefix such as 6-18-02-04");
      return;
    }
    q.occupation = occ;
  }
  np_store_t *s = np_req_store(r);
  if (!s) return;
  np_errdetail_t err = {0};
  const np_ref_t *ref = np_ref_shared(s, &err);
  json_t *out = NULL;
  np_err rc = np_firms_jobs_near(s, ref, &q, &out, &err);
  if (rc) {
    np_resp_fail(r, rc, &err);
    return;
  }
  np_resp_json(r, 200, out);
}

void np_firms_jobs_api_register(np_http_t *h) {
  np_http_route(h, "GET", "/api/v1/public/jobs", h_jobs, &(np_route_opts_t){.auth = NP_AUTH_PUBLIC});
}
