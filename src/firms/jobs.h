/*
 * Jobs near a point, for the public "附近岗位" page: public open demand lines of enterprises within a
 * radius, nearest first (key enterprises first among equals), without any personal data.
 */
#ifndef NP_FIRMS_JOBS_H
#define NP_FIRMS_JOBS_H
#include <jansson.h>
#include <stdint.h>
#include "core/err.h"
#include "ref/ref.h"
#include "store/store.h"

#define NP_JOBS_MAX_LIMIT 100
#define NP_JOBS_MAX_RADIUS_M 100000

typedef struct np_jobs_query {
  int32_t lat_e6, lon_e6;  /* the point (inside Shandong) */
  int64_t radius_m;        /* 1 .. NP_JOBS_MAX_RADIUS_M */
  const char *occupation;  /* code prefix ("6-18", "6-18-02-04") or NULL */
  int limit;               /* 1 .. NP_JOBS_MAX_LIMIT */
} np_jobs_query_t;

/**
 * The lines: {"items":[{id, occupation_code, occupation_name, enterprise, priority, salary_min,
 * salary_max, openings, needed_by, city, county, lat, lon, distance_km}], "total": N} where total
 * counts every line within the radius. Bounding box on the enterprises' coordinates, exact
 * distance in C.
 */
np_err np_firms_jobs_near(np_store_t *s, const np_ref_t *ref, const np_jobs_query_t *q, json_t **out,
                          np_errdetail_t *err);

#endif
