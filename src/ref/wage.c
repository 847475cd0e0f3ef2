/*
 * Minimum wage lookup: the standard in force on a date, and the county's tier under it when the
 * reference data has it. Where the annex of a standard is not known for a county the answer is
 * NP_MIN_WAGE_TIER_UNKNOWN — never the tier of an earlier standard, never a guess.
 *
 * Functional zones (济南高新区 …) are NBS statistical codes, not administrative divisions. 济南's note
 * on 鲁政字〔2025〕140号 says they follow the district they lie in, but no data says which district a
 * zone (or a township inside it) lies in, so their tier is unknown unless the data has a row for the
 * zone's own code.
 */
#include <stdlib.h>
#include <string.h>
#include "core/date.h"
#include "core/log.h"
#include "ref/index.h"

static np_err wage_nomem(np_errdetail_t *err) { return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory"); }

static np_ref_mw_std_t *find_std(np_ref_t *ref, const char *standard) {
  for (size_t i = 0; i < ref->nstds; i++)
    if (strcmp(ref->stds[i].standard, standard) == 0) return &ref->stds[i];
  return NULL;
}

static int cmp_std(const void *a, const void *b) {
  return strcmp(((const np_ref_mw_std_t *)a)->effective_from, ((const np_ref_mw_std_t *)b)->effective_from);
}

np_err np_ref_wage_build(np_ref_t *ref, np_store_t *s, np_errdetail_t *err) {
  np_stmt_t *st = NULL;
  bool has = false, found = false;
  int64_t n = 0;
  np_err e = np_store_query_int64(s, "SELECT COUNT(*) FROM ref_min_wage_standards", &n, &found, err);
  if (e) return e;
  if (n < 0 || n > 10000) return np_fail(err, NP_ERR_SCHEMA, "ref_count", "", "implausible row count");
  ref->stds = np_arena_calloc(ref->arena, n ? (size_t)n : 1, sizeof *ref->stds);
  if (!ref->stds) return wage_nomem(err);
  if ((e = np_store_prepare(s,
                            "SELECT standard, effective_from, effective_to, tier, monthly_fen, hourly_fen "
                            "FROM ref_min_wage_standards",
                            &st, err)))
    return e;
  for (;;) {
    if ((e = np_store_step(st, &has, err)) || !has) break;
    const char *std = np_store_col_text(st, 0), *from = np_store_col_text(st, 1), *to = np_store_col_text(st, 2);
    int64_t tier = np_store_col_int64(st, 3);
    if (!std || !from || tier < 1 || tier > 3) {
      e = np_fail(err, NP_ERR_SCHEMA, "ref_bad_wage", "", "bad row in ref_min_wage_standards");
      break;
    }
    np_ref_mw_std_t *m = find_std(ref, std);
    if (!m) {
      if (ref->nstds == (size_t)n) break;
      m = &ref->stds[ref->nstds++];
      m->standard = np_arena_strdup(ref->arena, std);
      m->effective_from = np_arena_strdup(ref->arena, from);
      m->effective_to = to ? np_arena_strdup(ref->arena, to) : NULL;
      if (!m->standard || !m->effective_from || (to && !m->effective_to)) {
        e = wage_nomem(err);
        break;
      }
    } else if (strcmp(m->effective_from, from) != 0) {
      e = np_fail(err, NP_ERR_SCHEMA, "ref_bad_wage", "", "standard %s has two start dates", std);
      break;
    }
    m->monthly_fen[tier - 1] = np_store_col_int64(st, 4);
    m->hourly_fen[tier - 1] = np_store_col_int64(st, 5);
    m->has_tier[tier - 1] = true;
  }
  np_store_release(st);
  if (e) return e;
  qsort(ref->stds, ref->nstds, sizeof *ref->stds, cmp_std);
  for (size_t i = 0; i + 1 < ref->nstds; i++) {
    const char *to = ref->stds[i].effective_to;
    if (!to || strcmp(to, ref->stds[i + 1].effective_from) >= 0)
      return np_fail(err, NP_ERR_SCHEMA, "ref_bad_wage", "", "minimum wage standards %s and %s overlap",
                     ref->stds[i].standard, ref->stds[i + 1].standard);
  }

  if ((e = np_store_query_int64(s, "SELECT COUNT(*) FROM ref_min_wage_county", &n, &found, err))) return e;
  if (n < 0 || n > 100000) return np_fail(err, NP_ERR_SCHEMA, "ref_count", "", "implausible row count");
  ref->mwc = np_arena_calloc(ref->arena, n ? (size_t)n : 1, sizeof *ref->mwc);
  if (!ref->mwc) return wage_nomem(err);
  if ((e = np_store_prepare(s,
                            "SELECT standard, county_code, tier, monthly_fen, hourly_fen, basis FROM ref_min_wage_county",
                            &st, err)))
    return e;
  for (;;) {
    if ((e = np_store_step(st, &has, err)) || !has) break;
    if (ref->nmwc == (size_t)n) break;
    const char *std = np_store_col_text(st, 0), *code = np_store_col_text(st, 1);
    np_ref_mw_std_t *m = std ? find_std(ref, std) : NULL;
    const np_region_t *county = np_ref_region(ref, code);
    int64_t tier = np_store_col_int64(st, 2);
    if (!m || !county || county->level != NP_REGION_COUNTY || tier < 1 || tier > 3) {
      e = np_fail(err, NP_ERR_SCHEMA, "ref_bad_wage", "", "ref_min_wage_county: bad row for %s / %s",
                  std ? std : "(null)", code ? code : "(null)");
      break;
    }
    np_ref_mw_county_t *c = &ref->mwc[ref->nmwc++];
    c->std = m;
    c->county_code = county->code;
    c->tier = (int)tier;
    c->monthly_fen = np_store_col_int64(st, 3);
    c->hourly_fen = np_store_col_int64(st, 4);
    c->basis_note = np_arena_strdup(ref->arena, np_store_col_text(st, 5) ? np_store_col_text(st, 5) : "");
    if (!c->basis_note) {
      e = wage_nomem(err);
      break;
    }
    if (m->has_tier[tier - 1] && (m->monthly_fen[tier - 1] != c->monthly_fen || m->hourly_fen[tier - 1] != c->hourly_fen))
      np_log_warn("ref.wage_mismatch", "%s %s: county amounts differ from tier %d of the standard", m->standard,
                  county->code, c->tier);
  }
  np_store_release(st);
  return e;
}

np_err np_ref_min_wage(const np_ref_t *ref, const char *county_code, const char *date, np_min_wage_t *out,
                       np_errdetail_t *err) {
  np_date_t d;
  memset(out, 0, sizeof *out);
  if (!ref) return np_fail(err, NP_ERR_INTERNAL, "ref_not_open", "", "reference index not open");
  if (!date || np_date_parse(date, strlen(date), &d))
    return np_fail(err, NP_ERR_INVALID, "invalid_date", "date", "date must be YYYY-MM-DD");
  const np_region_t *r = county_code ? np_ref_region(ref, county_code) : NULL;
  const np_region_t *county = np_ref_region_at(r, NP_REGION_COUNTY);
  if (!county)
    return np_fail(err, NP_ERR_NOT_FOUND, "unknown_county", "county",
                   "not a known county-level unit (or township/village inside one)");
  const np_ref_mw_std_t *m = NULL;
  for (size_t i = 0; i < ref->nstds; i++) {
    const np_ref_mw_std_t *c = &ref->stds[i];
    if (strcmp(date, c->effective_from) >= 0 && (!c->effective_to || strcmp(date, c->effective_to) <= 0)) m = c;
  }
  if (!m) return np_fail(err, NP_ERR_NOT_FOUND, "no_standard", "date", "no minimum wage standard in force on %s", date);
  out->standard = m->standard;
  out->effective_from = m->effective_from;
  out->effective_to = m->effective_to;
  memcpy(out->tier_monthly_fen, m->monthly_fen, sizeof out->tier_monthly_fen);
  memcpy(out->tier_hourly_fen, m->hourly_fen, sizeof out->tier_hourly_fen);
  out->county = county;
  out->status = NP_MIN_WAGE_TIER_UNKNOWN;
  for (size_t i = 0; i < ref->nmwc; i++) {
    const np_ref_mw_county_t *c = &ref->mwc[i];
    if (c->std != m || strcmp(c->county_code, county->code) != 0) continue;
    out->status = NP_MIN_WAGE_KNOWN;
    out->tier = c->tier;
    out->monthly_fen = c->monthly_fen;
    out->hourly_fen = c->hourly_fen;
    out->basis = strncmp(c->basis_note, "derived", 7) == 0 ? "derived" : "listed";
    out->basis_note = c->basis_note;
    break;
  }
  return NP_OK;
}
