/*
 * 开发区 registry: provincial-and-above industrial development zones (dev_zones, migration 0006).
 * Seeded from the functional zones of the region reference; level 'national' or 'provincial'
 * (rule in docs/FIRMS.md), kind 'hitech', 'economic' or 'other'. Public id "zone_N".
 */
#ifndef NP_FIRMS_ZONES_H
#define NP_FIRMS_ZONES_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "audit/audit.h"
#include "core/date.h"
#include "core/err.h"
#include "ref/ref.h"
#include "store/store.h"

#define NP_ZONE_NAME_MAX_CHARS 64

typedef struct np_zone {
  int64_t id, version;
  char code[16]; /* "" when none */
  char name[NP_ZONE_NAME_MAX_CHARS * 4 + 1];
  char level[16], kind[16];
  char region_code[16], city_code[16];
  char created_at[NP_TS_STRLEN], updated_at[NP_TS_STRLEN];
} np_zone_t;

/** Loads a zone by row id (NP_ERR_NOT_FOUND). */
np_err np_zone_get(np_store_t *s, int64_t id, np_zone_t *out, np_errdetail_t *err);

/** Finds a zone by "zone_N", its code ("370176") or its exact name; NP_ERR_NOT_FOUND otherwise. */
np_err np_zone_find(np_store_t *s, const char *key, int64_t *id, np_errdetail_t *err);

/** The API object of a zone. */
json_t *np_zone_json(const np_zone_t *z);

/** All zones (ordered by city then code/name) as a JSON array; city (6 digits, may be NULL) filters. */
np_err np_zone_list(np_store_t *s, const char *city_code, json_t **items, np_errdetail_t *err);

/**
 * Creates (id 0) or updates (id > 0, expected_version checked, NP_ERR_CONFLICT "stale") a zone from a
 * JSON body {name, level, kind, region_code, code?} (all required on create; PATCH semantics on
 * update). region_code must be a known county-level unit. Audited zone.create/zone.update (actor may
 * be NULL). *out receives the stored zone.
 */
np_err np_zone_save(np_store_t *s, const np_ref_t *ref, int64_t id, int64_t expected_version, const json_t *body,
                    const np_audit_entry_t *actor, np_zone_t *out, np_errdetail_t *err);

/** Deletes a zone that no enterprise references (NP_ERR_CONFLICT "in_use"). Audited zone.delete. */
np_err np_zone_delete(np_store_t *s, int64_t id, const np_audit_entry_t *actor, np_errdetail_t *err);

#endif
