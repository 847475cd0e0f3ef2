/*
 * Demo step "demands": demand lines for about 40 % of the enterprises (80 % of the key ones) with
 * occupations that fit each manufacturing division (real codes of the 2022 classification),
 * salaries of 4,000–12,000 yuan a month rising with the skill level, a few hires, a few expired
 * lines, and 一企一策 plans with measures for the enterprises with the largest shortages, some overdue.
 *
 *   small    ≈ 120 enterprises with lines, ≈ 1.5k open openings
 *   province ≈ 120k enterprises with lines, ≈ 1M open openings (bulk insert, one prepared statement)
 *
 * Lines are bulk-inserted (events and change rows too, one audit row for the step); hires and
 * measures go through the module's own functions (hires.h, plans.h) so they are audited one by one.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/ids.h"
#include "core/str.h"
#include "demo/steps.h"
#include "firms/dem_common.h"
#include "firms/demands.h"
#include "firms/hires.h"
#include "firms/plans.h"
#include "ref/ref.h"

/* Occupations by GB/T 4754 division (first two digits of the class); "" = any division. */
static const struct {
  const char *div;
  const char *occ;
  uint32_t w;
} occs[] = {
  {"13", "6-01-01-03", 3}, {"13", "6-01-02-00", 3}, {"14", "6-02-01-01", 3}, {"15", "6-02-01-01", 1},
  {"17", "6-04-02-01", 4}, {"17", "6-04-03-03", 4}, {"17", "6-04-06-02", 2}, {"18", "6-05-01-03", 6},
  {"18", "6-05-01-02", 2}, {"22", "6-07-01-03", 3}, {"25", "6-10-01-01", 2}, {"26", "6-11-01-02", 4},
  {"26", "6-11-01-03", 3}, {"27", "6-12-01-00", 3}, {"27", "6-12-03-00", 3}, {"29", "6-14-01-01", 3},
  {"29", "6-14-02-00", 4}, {"30", "6-15-01-01", 3}, {"31", "6-17-01-02", 2}, {"31", "6-18-02-01", 2},
  {"32", "6-18-02-01", 2}, {"33", "6-18-02-04", 6}, {"33", "6-18-01-12", 4}, {"33", "6-18-03-03", 3},
  {"34", "6-18-01-01", 5}, {"34", "6-18-01-07", 4}, {"34", "6-20-01-01", 4}, {"34", "6-18-02-04", 3},
  {"35", "6-21-01-02", 4}, {"35", "6-18-01-02", 3}, {"35", "6-18-02-04", 3}, {"36", "6-22-01-01", 5},
  {"36", "6-22-02-01", 4}, {"36", "6-18-02-04", 3}, {"37", "6-23-01-02", 2}, {"38", "6-24-01-00", 4},
  {"38", "6-24-02-02", 4}, {"39", "6-25-04-02", 5}, {"39", "6-25-02-03", 3}, {"40", "6-26-01-01", 3},
  {"", "6-31-01-02", 3},   {"", "6-31-01-03", 3},   {"", "6-31-03-02", 2},   {"", "6-31-05-00", 2},
  {"", "4-02-06-01", 1},   {"", "4-02-02-02", 1},   {"", "2-02-07-02", 1},
};
#define NOCC (sizeof occs / sizeof occs[0])

static const char *const benefits[] = {"五险一金", "包吃住", "餐补", "住房补贴", "班车", "年终奖", "技能津贴", "带薪年假"};
static const char *const shifts[] = {"长白班", "两班倒", "三班倒", "做六休一"};

static const char *pick_occ(np_rng_t *rng, const char *industry) {
  uint32_t w[NOCC];
  for (size_t i = 0; i < NOCC; i++)
    w[i] = (!occs[i].div[0] || (industry && strncmp(industry, occs[i].div, 2) == 0)) ? occs[i].w * (occs[i].div[0] ? 4 : 1) : 0;
  return occs[np_rng_weighted(rng, w, NOCC)].occ;
}

typedef struct ent_row {
  int64_t id, headcount;
  char region[16], county[8], city[8], industry[8];
  bool is_key;
} ent_row_t;

/* Inserts one line (status open, or expired when needed_by lies in the past). */
static np_err insert_line(np_demo_ctx_t *ctx, np_rng_t *rng, const ent_row_t *e, const char *occ, int64_t count,
                          np_date_t today, const char *now, int64_t *id_out, int64_t *open_out, np_errdetail_t *err) {
  int64_t skill = np_rng_chance(rng, 150000) ? 0 : np_rng_range(rng, 2, 6);
  if (skill && np_rng_chance(rng, 50000)) skill = 7;
  int64_t base = 4000 + (skill ? skill : 3) * 700 + np_rng_range(rng, -500, 800); /* yuan */
  if (base < 4000) base = 4000;
  int64_t top = base + np_rng_range(rng, 1, 6) * 500;
  if (top > 12000) top = 12000;
  if (base > top) base = top;
  static const char *const edu_by_skill[] = {"junior_middle", "junior_middle", "senior_middle", "secondary_vocational",
                                             "secondary_vocational", "junior_college", "junior_college", "bachelor"};
  const char *edu = np_rng_chance(rng, 300000) ? NULL : edu_by_skill[skill ? skill - 1 : 2];
  int64_t age_min = np_rng_chance(rng, 200000) ? 0 : 18 + np_rng_range(rng, 0, 4);
  int64_t age_max = age_min ? 40 + np_rng_range(rng, 0, 15) : 0;
  bool expired = np_rng_chance(rng, 40000);
  bool no_date = !expired && np_rng_chance(rng, 100000);
  np_date_t nb;
  np_date_add_days(today, expired ? -np_rng_range(rng, 1, 60) : np_rng_range(rng, 14, 150), &nb);
  char nbt[NP_DATE_STRLEN];
  np_date_format(nb, nbt, sizeof nbt);
  char ben[160] = "[";
  int nb_n = (int)np_rng_range(rng, 0, 3);
  for (int i = 0; i < nb_n; i++) {
    size_t l = strlen(ben);
    snprintf(ben + l, sizeof ben - l, "%s\"%s\"", i ? "," : "", benefits[np_rng_range(rng, 0, 7)]);
  }
  np_strlcpy(ben + strlen(ben), "]", sizeof ben - strlen(ben));
  np_stmt_t *st = NULL;
  bool has = false;
  np_err rc = np_store_prepare(ctx->store,
                               "INSERT INTO demands (enterprise_id, region_code, county_code, city_code, industry_code, "
                               "occupation_code, count, filled, open_count, skill_level, salary_min, salary_max, "
                               "education, age_min, age_max, needed_by, shifts, housing, benefits, notes, is_public, "
                               "status, version, created_at, updated_at, closed_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, "
                               "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, 1, ?, ?, ?) RETURNING id",
                               &st, err);
  if (rc) return rc;
  int i = 0;
  np_store_bind_int64(st, ++i, e->id);
  np_store_bind_text(st, ++i, e->region, NP_STORE_STRLEN);
  np_store_bind_text(st, ++i, e->county, NP_STORE_STRLEN);
  np_store_bind_text(st, ++i, e->city, NP_STORE_STRLEN);
  np_store_bind_text(st, ++i, e->industry, NP_STORE_STRLEN);
  np_store_bind_text(st, ++i, occ, NP_STORE_STRLEN);
  np_store_bind_int64(st, ++i, count);
  np_store_bind_int64(st, ++i, expired ? 0 : count);
  skill ? np_store_bind_int64(st, ++i, skill) : np_store_bind_null(st, ++i);
  np_store_bind_int64(st, ++i, base * 100);
  np_store_bind_int64(st, ++i, top * 100);
  np_store_bind_text_or_null(st, ++i, edu);
  age_min ? np_store_bind_int64(st, ++i, age_min) : np_store_bind_null(st, ++i);
  age_max ? np_store_bind_int64(st, ++i, age_max) : np_store_bind_null(st, ++i);
  np_store_bind_text_or_null(st, ++i, no_date ? NULL : nbt);
  np_store_bind_text(st, ++i, shifts[np_rng_range(rng, 0, 3)], NP_STORE_STRLEN);
  np_store_bind_int64(st, ++i, np_rng_chance(rng, 500000) ? 1 : 0);
  np_store_bind_text_or_null(st, ++i, nb_n ? ben : NULL);
  np_store_bind_int64(st, ++i, np_rng_chance(rng, 900000) ? 1 : 0);
  np_store_bind_text(st, ++i, expired ? "expired" : "open", NP_STORE_STRLEN);
  np_store_bind_text(st, ++i, now, NP_STORE_STRLEN);
  np_store_bind_text(st, ++i, now, NP_STORE_STRLEN);
  np_store_bind_text_or_null(st, ++i, expired ? now : NULL);
  int64_t id = 0;
  rc = np_store_step(st, &has, err);
  if (rc == NP_OK && has) id = np_store_col_int64(st, 0);
  if (rc == NP_OK) rc = np_store_step(st, &has, err);
  np_store_release(st);
  if (rc) return rc;
  rc = np_store_execf(ctx->store, NULL, err,
                      "INSERT INTO demand_events (demand_id, at, username, action, status_after) VALUES (?, ?, 'demo', "
                      "'create', ?)",
                      "itt", id, now, expired ? "expired" : "open");
  char pid[32];
  if (rc == NP_OK) rc = np_store_change(ctx->store, "demand", np_id_format(NP_ID_DEMAND, id, pid, sizeof pid), "insert", NULL, err);
  *id_out = id;
  *open_out = expired ? 0 : count;
  return rc;
}

np_err np_demo_step_demands(np_demo_ctx_t *ctx, np_rng_t *rng, np_errdetail_t *err) {
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  const np_ref_t *ref = np_ref_global();
  np_ref_t *own = NULL;
  np_err rc = NP_OK;
  if (!ref) {
    if ((rc = np_ref_open(ctx->store, &own, err))) return rc;
    ref = own;
  }
  bool province = ctx->scale == NP_DEMO_PROVINCE;
  np_date_t today = np_date_today();
  char now[NP_TS_STRLEN];
  np_firms_dem_now(now);
  /* the enterprises, into memory (300k × ~60 bytes at province scale) */
  size_t n = 0, cap = 0;
  ent_row_t *ents = NULL;
  np_stmt_t *st = NULL;
  bool has = false;
  rc = np_store_prepare(ctx->store,
                        "SELECT id, region_code, county_code, city_code, industry_code, is_key, headcount FROM "
                        "enterprises ORDER BY id",
                        &st, err);
  while (rc == NP_OK && (rc = np_store_step(st, &has, err)) == NP_OK && has) {
    if (n == cap) {
      size_t nc = cap ? cap * 2 : 1024;
      ent_row_t *p = realloc(ents, nc * sizeof *p);
      if (!p) {
        rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
        break;
      }
      ents = p, cap = nc;
    }
    ent_row_t *e = &ents[n++];
    e->id = np_store_col_int64(st, 0);
    np_strlcpy(e->region, np_store_col_text(st, 1), sizeof e->region);
    np_strlcpy(e->county, np_store_col_text(st, 2), sizeof e->county);
    np_strlcpy(e->city, np_store_col_text(st, 3), sizeof e->city);
    np_strlcpy(e->industry, np_store_col_text(st, 4), sizeof e->industry);
    e->is_key = np_store_col_int64(st, 5) != 0;
    e->headcount = np_store_col_int64(st, 6);
  }
  np_store_release(st);
  int64_t lines = 0, openings = 0, with_lines = 0, hires = 0, measures = 0, overdue = 0;
  int64_t *hire_ids = NULL;
  size_t nhire = 0, hire_cap = 0;
  for (size_t k = 0; rc == NP_OK && k < n; k++) {
    const ent_row_t *e = &ents[k];
    if (!np_rng_chance(rng, e->is_key ? 800000 : 380000)) continue;
    with_lines++;
    /* shortage of 1.5–9 % of the headcount (at least 1, at most 400), over 1–4 lines; a few
     * (15 % of key enterprises, 4 % of others) have a large-scale shortage (规模性缺工) of 10–25 % */
    int64_t hc = e->headcount > 0 ? e->headcount : 10;
    int64_t permille = np_rng_range(rng, 15, 90);
    if (np_rng_chance(rng, e->is_key ? 150000 : 40000)) permille = np_rng_range(rng, 100, 250);
    int64_t total = hc * permille / 1000;
    if (total < 1) total = 1 + np_rng_range(rng, 0, 2);
    if (total > 400) total = 400;
    int64_t nl = 1 + np_rng_range(rng, 0, total >= 12 ? 3 : total >= 4 ? 1 : 0);
    const char *used[4] = {0};
    for (int64_t l = 0; rc == NP_OK && l < nl; l++) {
      int64_t c = l == nl - 1 ? total : np_rng_range(rng, 1, total - (nl - l - 1));
      total -= c;
      if (c < 1) break;
      const char *occ = pick_occ(rng, e->industry);
      bool dup = false;
      for (int64_t u = 0; u < l; u++) dup |= used[u] == occ;
      if (dup) occ = "6-31-01-02";
      used[l] = occ;
      if (!np_ref_item(ref, NP_REF_OCCUPATIONS, occ)) continue;
      int64_t id = 0, open = 0;
      rc = insert_line(ctx, rng, e, occ, c, today, now, &id, &open, err);
      lines++;
      openings += open;
      if (rc == NP_OK && open >= 2 && np_rng_chance(rng, province ? 8000 : 90000)) {
        if (nhire == hire_cap) {
          size_t nc = hire_cap ? hire_cap * 2 : 256;
          int64_t *p = realloc(hire_ids, nc * 2 * sizeof *p);
          if (!p) {
            rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
            break;
          }
          hire_ids = p, hire_cap = nc;
        }
        hire_ids[2 * nhire] = id;
        hire_ids[2 * nhire + 1] = np_rng_chance(rng, 200000) ? open : np_rng_range(rng, 1, open - 1);
        nhire++;
      }
    }
  }
  free(ents);
  if (rc == NP_OK)
    rc = np_store_exec(ctx->store,
                       "UPDATE enterprises SET open_openings = (SELECT COALESCE(SUM(d.open_count), 0) FROM demands d "
                       "WHERE d.enterprise_id = enterprises.id AND d.open_count > 0) WHERE id IN (SELECT DISTINCT "
                       "enterprise_id FROM demands)",
                       err);
  /* hires through the module (events, audit, counters) */
  np_date_t hired_on;
  for (size_t h = 0; rc == NP_OK && h < nhire; h++) {
    char body[96];
    np_date_add_days(today, -np_rng_range(rng, 0, 20), &hired_on);
    char d[NP_DATE_STRLEN];
    np_date_format(hired_on, d, sizeof d);
    snprintf(body, sizeof body, "{\"count\":%" PRId64 ",\"hired_on\":\"%s\",\"seeker_ref\":\"demo-%zu\"}",
             hire_ids[2 * h + 1], d, h + 1);
    json_t *b = json_loads(body, 0, NULL);
    np_audit_entry_t sys = {.username = "demo"};
    rc = np_firms_hire_record(ctx->store, ref, &sys, hire_ids[2 * h], b, today, NULL, err);
    json_decref(b);
    if (rc == NP_OK) hires++, openings -= hire_ids[2 * h + 1];
  }
  free(hire_ids);
  /* 一企一策 for the largest shortages */
  static const char *const types[] = {"special_recruitment", "labour_cooperation", "training_order", "labour_sharing",
                                      "policy_support"};
  static const char *const titles[] = {"举办重点企业招聘专场", "对接省内外劳务协作基地", "开展订单式技能培训",
                                       "组织企业间用工余缺调剂", "落实一次性扩岗补助等政策"};
  int64_t threshold = province ? 80 : 25, max_plans = province ? 3000 : 40, planned = 0;
  int64_t *pe = NULL;
  size_t npe = 0;
  if (rc == NP_OK) {
    pe = calloc((size_t)max_plans, sizeof *pe);
    if (!pe) rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
    else {
      rc = np_store_prepare(ctx->store,
                            "SELECT id FROM enterprises WHERE open_openings >= ? ORDER BY open_openings DESC, id LIMIT ?",
                            &st, err);
      if (rc == NP_OK) np_store_bind_int64(st, 1, threshold), np_store_bind_int64(st, 2, max_plans);
      while (rc == NP_OK && (rc = np_store_step(st, &has, err)) == NP_OK && has) pe[npe++] = np_store_col_int64(st, 0);
      np_store_release(st);
    }
  }
  for (size_t k = 0; rc == NP_OK && k < npe; k++) {
    np_firms_ent_ref_t ent;
    if ((rc = np_firms_ent_load(ctx->store, pe[k], &ent, err))) break;
    int64_t m = np_rng_range(rng, 1, 3);
    for (int64_t j = 0; rc == NP_OK && j < m; j++) {
      size_t t = (size_t)np_rng_range(rng, 0, 4);
      char owner[32], body[512], dl[NP_DATE_STRLEN];
      np_demo_person_name(rng, owner, sizeof owner);
      np_date_t d;
      np_date_add_days(today, np_rng_range(rng, 5, 60), &d);
      np_date_format(d, dl, sizeof dl);
      snprintf(body, sizeof body,
               "{\"type\":\"%s\",\"title\":\"%s\",\"owner_name\":\"%s\",\"owner_region_code\":\"%s\","
               "\"deadline\":\"%s\",\"status\":\"%s\"}",
               types[t], titles[t], owner, np_rng_chance(rng, 700000) ? ent.county_code : ent.city_code, dl,
               np_rng_chance(rng, 500000) ? "in_progress" : "planned");
      json_t *b = json_loads(body, 0, NULL), *out = NULL;
      np_audit_entry_t sys = {.username = "demo"};
      rc = np_firms_measure_create(ctx->store, ref, &sys, &ent, b, today, &out, err);
      json_decref(b);
      if (rc) break;
      measures++;
      int64_t mid = 0;
      np_id_parse(NP_ID_MEASURE, json_string_value(json_object_get(out, "id")), &mid);
      json_decref(out);
      /* some measures started weeks ago and ran past their deadline */
      if (np_rng_chance(rng, 250000)) {
        np_date_add_days(today, -np_rng_range(rng, 1, 25), &d);
        np_date_format(d, dl, sizeof dl);
        rc = np_store_execf(ctx->store, NULL, err, "UPDATE plan_measures SET deadline = ? WHERE id = ?", "ti", dl, mid);
        overdue++;
      }
    }
    planned++;
  }
  free(pe);
  if (rc == NP_OK) {
    char detail[200];
    snprintf(detail, sizeof detail,
             "demo demands: %" PRId64 " lines, %" PRId64 " open openings, %" PRId64 " hires, %" PRId64 " measures",
             lines, openings, hires, measures);
    np_audit_entry_t sys = {.username = "demo"};
    rc = np_firms_dem_audit(ctx->store, &sys, "demand.import", "demand", NULL, NULL, NULL, detail, err);
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  if (rc == NP_OK)
    fprintf(ctx->report,
            "demands: %" PRId64 " lines at %" PRId64 " enterprises, %" PRId64 " open openings, %" PRId64
            " hires; plans: %" PRId64 " enterprises, %" PRId64 " measures (%" PRId64 " overdue) in %.1f s\n",
            lines, with_lines, openings, hires, planned, measures, overdue,
            (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
  np_ref_close(own);
  return rc;
}
