/*
 * Helpers shared by the demand-side firms units (demands, hires, shortage, plans): the enterprise
 * a line belongs to, the acting user, audit rows and the open-openings counter.
 */
#ifndef NP_FIRMS_DEM_COMMON_H
#define NP_FIRMS_DEM_COMMON_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "audit/audit.h"
#include "core/date.h"
#include "core/err.h"
#include "store/store.h"

/** The columns of an enterprise that demand lines and measures copy or check. */
typedef struct np_firms_ent_ref {
  int64_t id;
  char name[256];
  char region_code[16];
  char county_code[8];
  char city_code[8];
  char industry_code[8];
  bool is_key;
  int64_t open_openings;
} np_firms_ent_ref_t;

/**
 * Looks an enterprise up by its public id ("ent_12") or its unified social credit code (18
 * characters, any case). NP_ERR_NOT_FOUND (code "not_found", field `field`) when there is none.
 */
np_err np_firms_ent_lookup(np_store_t *s, const char *id_or_uscc, const char *field, np_firms_ent_ref_t *out,
                           np_errdetail_t *err);

/** Loads an enterprise by row id (NP_ERR_NOT_FOUND when absent). */
np_err np_firms_ent_load(np_store_t *s, int64_t id, np_firms_ent_ref_t *out, np_errdetail_t *err);

/**
 * Recomputes enterprises.open_openings of one enterprise from its lines (sum of open_count), in the
 * caller's transaction. *value (may be NULL) receives the new figure.
 */
np_err np_firms_open_openings_refresh(np_store_t *s, int64_t enterprise_id, int64_t *value, np_errdetail_t *err);

/** Now as "YYYY-MM-DDTHH:MM:SSZ" (UTC). */
void np_firms_dem_now(char out[NP_TS_STRLEN]);

/**
 * Appends one audit row for `actor` (user, role, ip, request id; the rest is set here). NULL actor
 * means the system itself (sweeps, demo): the row is still written, with no user.
 */
np_err np_firms_dem_audit(np_store_t *s, const np_audit_entry_t *actor, const char *action, const char *entity,
                          const char *entity_id, json_t *before, json_t *after, const char *detail,
                          np_errdetail_t *err);

/** Compact JSON text of v (malloc'd, free() it), or NULL for NULL/OOM. */
char *np_firms_dem_dump(const json_t *v);

#endif
