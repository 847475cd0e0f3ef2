/*
 * Opaque public ids: a short type prefix and the row number ("u_12", "ent_1024"). Clients treat them
 * as strings; the prefix makes a wrong kind of id fail loudly instead of finding another row.
 */
#ifndef NP_CORE_IDS_H
#define NP_CORE_IDS_H
#include <stddef.h>
#include <stdint.h>
#include "core/err.h"

/* Prefixes in use, one per entity kind. */
#define NP_ID_USER "u_"
#define NP_ID_ENTERPRISE "ent_"
#define NP_ID_PROJECT "prj_"
#define NP_ID_ZONE "zone_"
#define NP_ID_TEAM "team_"
#define NP_ID_SPECIALIST "spc_"
#define NP_ID_GRID "grid_"
#define NP_ID_SERVICE_LOG "log_"
#define NP_ID_DEMAND "dem_"
#define NP_ID_MEASURE "msr_"
#define NP_ID_ALERT "alr_"
#define NP_ID_IMPORT "imp_"

/** Writes prefix + id into out ("ent_42"); returns out ("" when it does not fit or id < 1). */
const char *np_id_format(const char *prefix, int64_t id, char *out, size_t cap);

/** Parses "ent_42" with the expected prefix into 42. NP_ERR_NOT_FOUND for anything else (so a bad id
 *  reads like a missing row, as the API answers). */
np_err np_id_parse(const char *prefix, const char *s, int64_t *out);

#endif
