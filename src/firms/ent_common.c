/* Shared helpers of the firms units (see ent_common.h). */
#include "firms/ent_common.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void np_firms_ent_now(char out[NP_TS_STRLEN]) {
  if (np_date_format_ts_utc((int64_t)time(NULL), out, NP_TS_STRLEN) != NP_OK) out[0] = '\0';
}

bool np_firms_ent_region_resolve(const np_ref_t *ref, const char *code, np_firms_ent_region_t *r) {
  memset(r, 0, sizeof *r);
  if (!ref || !code) return false;
  const np_region_t *g = np_ref_region(ref, code);
  if (!g || g->level < NP_REGION_COUNTY) return false;
  r->region = g;
  r->county = np_ref_region_at(g, NP_REGION_COUNTY);
  r->city = np_ref_region_at(g, NP_REGION_CITY);
  if (g->level >= NP_REGION_TOWNSHIP) r->township = np_ref_region_at(g, NP_REGION_TOWNSHIP);
  if (g->level == NP_REGION_VILLAGE) r->village = g;
  return r->county && r->city;
}

np_err np_firms_ent_audit(np_store_t *s, const np_audit_entry_t *actor, const char *action, const char *entity,
                      const char *entity_id, json_t *before, json_t *after, const char *detail, np_errdetail_t *err) {
  if (!actor) return NP_OK;
  np_audit_entry_t e = *actor;
  e.action = action;
  e.entity = entity;
  e.entity_id = entity_id;
  char *bj = before ? json_dumps(before, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
  char *aj = after ? json_dumps(after, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
  e.before_json = bj;
  e.after_json = aj;
  if (detail) e.detail = detail;
  np_err rc = NP_OK;
  if ((before && !bj) || (after && !aj))
    rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  else
    rc = np_audit_record(s, &e, NULL, err);
  free(bj);
  free(aj);
  return rc;
}

void np_firms_ent_region_fullname(const np_region_t *r, char *out, size_t cap) {
  const np_region_t *chain[6];
  size_t n = 0;
  for (const np_region_t *p = r; p && p->level >= NP_REGION_CITY && n < 6; p = p->parent) chain[n++] = p;
  size_t o = 0;
  if (cap) out[0] = '\0';
  while (n-- > 0 && o < cap) {
    int k = snprintf(out + o, cap - o, "%s", chain[n]->name);
    if (k < 0) break;
    o += (size_t)k;
  }
}

np_err np_firms_phone_unchanged(const char *in, const char *const *old_masked, size_t n, const char *field,
                                size_t *which, np_errdetail_t *err) {
  *which = SIZE_MAX;
  if (!in || !strchr(in, '*')) return NP_OK;
  for (size_t j = 0; j < n; j++)
    if (old_masked[j] && old_masked[j][0] && strcmp(old_masked[j], in) == 0) {
      *which = j;
      return NP_OK;
    }
  return np_fail(err, NP_ERR_INVALID, "masked_phone", field ? field : "phone",
                 "a masked number can only keep the number it stands for; type the full number");
}
