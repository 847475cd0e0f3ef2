/*
 * Shortage summary (缺工汇总): open openings (count − filled of open and partly_filled lines) of an
 * enterprise, a county, a city or the province, grouped by occupation (with the skill-level split),
 * skill level, sub-region or industry division.
 *
 * Design for province scale (~1M open openings): every demand line carries open_count (0 once
 * closed) and the city, county, region and industry codes copied from its enterprise at insert
 * time. Two partial covering indexes over the open lines only (WHERE open_count > 0) —
 * (occupation_code, skill_level, city, county, industry, region, enterprise, open_count) and
 * (city, county, occupation_code, skill_level, …) — let the summary read nothing but index pages:
 * province-wide by occupation is one ordered scan with streaming aggregation, a city or county is an
 * index range. No aggregate table to keep in step, nothing to rebuild. See docs/FIRMS.md for the
 * measured figures (bench/40-shortage.sh).
 */
#ifndef NP_FIRMS_SHORTAGE_H
#define NP_FIRMS_SHORTAGE_H
#include <jansson.h>
#include <stdint.h>
#include "core/err.h"
#include "ref/ref.h"
#include "store/store.h"

typedef enum np_shortage_group {
  NP_SHORTAGE_BY_OCCUPATION = 0,
  NP_SHORTAGE_BY_SKILL_LEVEL,
  NP_SHORTAGE_BY_REGION,   /* the next level down: cities, counties, townships, villages */
  NP_SHORTAGE_BY_INDUSTRY, /* GB/T 4754 division (2 digits) */
} np_shortage_group;

/** Parses "occupation" | "skill_level" | "region" | "industry"; NP_ERR_INVALID otherwise. */
np_err np_firms_shortage_group_parse(const char *s, np_shortage_group *out);

typedef struct np_shortage_query {
  const char *region_prefix; /* "" = province; "3701" city; "370102" county; 9/12 digits township/village */
  int64_t enterprise_id;     /* 0 = every enterprise in the region */
  np_shortage_group group;
} np_shortage_query_t;

/**
 * The summary: {"region_prefix", "group", "openings", "lines", "enterprises", "items": [{"key",
 * "name", "openings", "lines", …}]}, items by openings, largest first. Occupation items carry
 * "by_skill_level": [{"skill_level", "name", "openings", "lines"}] (skill_level null = not stated).
 */
np_err np_firms_shortage(np_store_t *s, const np_ref_t *ref, const np_shortage_query_t *q, json_t **out,
                         np_errdetail_t *err);

#endif
