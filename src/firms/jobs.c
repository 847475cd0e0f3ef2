#include "firms/jobs.h"
#include <stdlib.h>
#include <string.h>
#include "core/geo.h"
#include "core/ids.h"
#include "core/str.h"

typedef struct job {
  int64_t id, distance_m, salary_min, salary_max, openings;
  bool priority;
  int32_t lat_e6, lon_e6;
  char occ[24], enterprise[160], needed_by[16], region[16];
} job_t;

/* nearest first, key enterprises first at the same distance (to the kilometre), then id */
static int job_cmp(const void *a, const void *b) {
  const job_t *x = a, *y = b;
  int64_t kx = x->distance_m / 1000, ky = y->distance_m / 1000;
  if (kx != ky) return kx < ky ? -1 : 1;
  if (x->priority != y->priority) return x->priority ? -1 : 1;
  if (x->distance_m != y->distance_m) return x->distance_m < y->distance_m ? -1 : 1;
  return x->id < y->id ? -1 : x->id > y->id;
}

static json_t *str_or_null(const char *s) { return s && *s ? json_string(s) : json_null(); }

np_err np_firms_jobs_near(np_store_t *s, const np_ref_t *ref, const np_jobs_query_t *q, json_t **out,
                          np_errdetail_t *err) {
  *out = NULL;
  /* a box around the point: 1° latitude ≈ 111.2 km; longitude shrinks with cos(lat) ≥ 0.78 in Shandong */
  int64_t dlat = q->radius_m * 1000000 / 111195 + 1, dlon = q->radius_m * 1000000 / 86000 + 1;
  char prefix[40] = "", hi[44] = "";
  if (q->occupation && *q->occupation) {
    np_strlcpy(prefix, q->occupation, sizeof prefix);
    snprintf(hi, sizeof hi, "%s~", prefix);
  }
  np_stmt_t *st = NULL;
  np_err rc = np_store_prepare(
      s,
      "SELECT d.id, d.occupation_code, e.name, e.is_key, d.salary_min, d.salary_max, d.open_count, d.needed_by, "
      "d.region_code, e.lat_e6, e.lon_e6 FROM demands d JOIN enterprises e ON e.id = d.enterprise_id "
      "WHERE d.open_count > 0 AND d.is_public = 1 AND d.status IN ('open', 'partly_filled') "
      "AND e.lat_e6 BETWEEN ? AND ? AND e.lon_e6 BETWEEN ? AND ? AND (? = '' OR (d.occupation_code >= ? AND "
      "d.occupation_code < ?))",
      &st, err);
  if (rc) return rc;
  int i = 0;
  np_store_bind_int64(st, ++i, q->lat_e6 - dlat);
  np_store_bind_int64(st, ++i, q->lat_e6 + dlat);
  np_store_bind_int64(st, ++i, q->lon_e6 - dlon);
  np_store_bind_int64(st, ++i, q->lon_e6 + dlon);
  np_store_bind_text(st, ++i, prefix, NP_STORE_STRLEN);
  np_store_bind_text(st, ++i, prefix, NP_STORE_STRLEN);
  np_store_bind_text(st, ++i, hi, NP_STORE_STRLEN);
  size_t n = 0, cap = 0;
  job_t *jobs = NULL;
  bool has = false;
  while ((rc = np_store_step(st, &has, err)) == NP_OK && has) {
    int32_t lat = (int32_t)np_store_col_int64(st, 9), lon = (int32_t)np_store_col_int64(st, 10);
    int64_t dist = np_geo_distance_m(q->lat_e6, q->lon_e6, lat, lon);
    if (dist > q->radius_m) continue;
    if (n == cap) {
      size_t nc = cap ? cap * 2 : 256;
      job_t *nj = nc <= SIZE_MAX / sizeof *nj ? realloc(jobs, nc * sizeof *nj) : NULL;
      if (!nj) {
        rc = np_fail(err, NP_ERR_NOMEM, "nomem", NULL, "out of memory");
        break;
      }
      jobs = nj, cap = nc;
    }
    job_t *j = &jobs[n++];
    memset(j, 0, sizeof *j);
    j->id = np_store_col_int64(st, 0);
    const char *t;
    np_strlcpy(j->occ, (t = np_store_col_text(st, 1)) ? t : "", sizeof j->occ);
    np_strlcpy(j->enterprise, (t = np_store_col_text(st, 2)) ? t : "", sizeof j->enterprise);
    j->priority = np_store_col_int64(st, 3) != 0;
    j->salary_min = np_store_col_int64(st, 4);
    j->salary_max = np_store_col_int64(st, 5);
    j->openings = np_store_col_int64(st, 6);
    np_strlcpy(j->needed_by, (t = np_store_col_text(st, 7)) ? t : "", sizeof j->needed_by);
    np_strlcpy(j->region, (t = np_store_col_text(st, 8)) ? t : "", sizeof j->region);
    j->lat_e6 = lat, j->lon_e6 = lon, j->distance_m = dist;
  }
  np_store_release(st);
  if (rc) {
    free(jobs);
    return rc;
  }
  if (n > 1) qsort(jobs, n, sizeof *jobs, job_cmp);
  json_t *items = json_array();
  for (size_t k = 0; k < n && k < (size_t)q->limit; k++) {
    const job_t *j = &jobs[k];
    char id[32];
    const np_ref_item_t *occ = ref ? np_ref_item(ref, NP_REF_OCCUPATIONS, j->occ) : NULL;
    const np_region_t *r = ref ? np_ref_region(ref, j->region) : NULL;
    const np_region_t *city = r ? np_ref_region_at(r, NP_REGION_CITY) : NULL, *county = r ? np_ref_region_at(r, NP_REGION_COUNTY) : NULL;
    json_array_append_new(
        items, json_pack("{s:s, s:s, s:o, s:s, s:b, s:o, s:o, s:I, s:o, s:o, s:o, s:f, s:f, s:f}", "id",
                         np_id_format(NP_ID_DEMAND, j->id, id, sizeof id), "occupation_code", j->occ, "occupation_name",
                         str_or_null(occ ? occ->name : NULL), "enterprise", j->enterprise, "priority", j->priority,
                         "salary_min", j->salary_min ? json_integer(j->salary_min) : json_null(), "salary_max",
                         j->salary_max ? json_integer(j->salary_max) : json_null(), "openings", (json_int_t)j->openings,
                         "needed_by", str_or_null(j->needed_by), "city", str_or_null(city ? city->name : NULL), "county",
                         str_or_null(county ? county->name : NULL), "lat", j->lat_e6 / 1e6, "lon", j->lon_e6 / 1e6,
                         "distance_km", (double)(j->distance_m / 100) / 10.0));
  }
  *out = json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)n);
  free(jobs);
  return *out ? NP_OK : np_fail(err, NP_ERR_NOMEM, "nomem", NULL, "out of memory");
}
