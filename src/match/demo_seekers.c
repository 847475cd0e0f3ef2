/*
 * Demo step "seekers": job seekers with valid generated ID numbers, referrals in every pipeline stage
 * and the partner key "demo-partner".
 *
 *   small    ≈ 600 seekers around the demo counties (济南 370102/370112, 青岛 370211/370281, 临沂 371302/371311)
 *   city     ≈ 150k seekers in 济南
 *   province ≈ 2M seekers over the 16 cities by resident population
 *
 * ID numbers: birth dates 1970–2006, hukou mostly the county of residence or another Shandong county,
 * about 8 % from other provinces (real prefecture-level codes of the usual origins of migrant
 * workers); unique (a set of the 17 leading digits). Desired occupations are drawn from the
 * occupations of the demo demand lines, weighted by their open openings. Rows are bulk-inserted with
 * the ID number sealed and blind-indexed exactly as the API does (change rows too; one audit row for
 * the step). Referrals and their transitions go through referrals.h (audited, hires through firms).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "auth/users.h"
#include "core/ids.h"
#include "core/str.h"
#include "crypto/crypto.h"
#include "demo/steps.h"
#include "match/feed.h"
#include "match/referrals.h"
#include "match/seekers.h"
#include "ref/ref.h"

static const char *const small_counties[] = {"370102", "370112", "370211", "370281", "371302", "371311"};
static const uint32_t small_w[] = {30, 20, 20, 10, 12, 8};

static const struct {
  const char *code;
  uint32_t w;
} cities[] = {
  {"370100", 941}, {"370200", 1034}, {"370300", 470}, {"370400", 385}, {"370500", 220}, {"370600", 708},
  {"370700", 938}, {"370800", 834},  {"370900", 547}, {"371000", 291}, {"371100", 297}, {"371300", 1102},
  {"371400", 558}, {"371500", 592},  {"371600", 393}, {"371700", 872},
};
#define NCITIES (sizeof cities / sizeof cities[0])

/* Origins of workers from other provinces (prefecture-level codes; the validator checks the province). */
static const char *const outside[] = {"510100", "511300", "513200", "411300", "411500", "411600", "341200", "341300",
                                      "340100", "500101", "620100", "621100", "320300", "130100", "230100", "150100",
                                      "420100", "430100", "360100", "450100"};
#define NOUTSIDE (sizeof outside / sizeof outside[0])

static const char *const fallback_occs[] = {"6-18-02-04", "6-18-01-01", "6-31-01-03", "6-20-01-01", "6-22-01-01"};

/* ---- a set of 17-digit ID prefixes ---- */

typedef struct idset {
  uint64_t *slot;
  size_t cap;
} idset_t;

static bool idset_add(idset_t *s, uint64_t v) {
  size_t i = (size_t)((v * 0x9E3779B97F4A7C15ULL) >> 20) & (s->cap - 1);
  for (;;) {
    if (s->slot[i] == 0) {
      s->slot[i] = v;
      return true;
    }
    if (s->slot[i] == v) return false;
    i = (i + 1) & (s->cap - 1);
  }
}

/* ---- occupations of the demand lines ---- */

typedef struct occs {
  char (*code)[24];
  uint32_t *w;
  size_t n;
} occs_t;

static np_err load_occs(np_store_t *s, occs_t *o, np_errdetail_t *err) {
  memset(o, 0, sizeof *o);
  np_stmt_t *st = NULL;
  np_err rc = np_store_prepare(s,
                               "SELECT occupation_code, SUM(open_count) + COUNT(*) FROM demands GROUP BY occupation_code "
                               "ORDER BY occupation_code",
                               &st, err);
  if (rc) return rc;
  size_t cap = 0;
  bool has = false;
  while ((rc = np_store_step(st, &has, err)) == NP_OK && has) {
    if (o->n == cap) {
      cap = cap ? cap * 2 : 64;
      void *c = realloc(o->code, cap * sizeof *o->code), *w = c ? realloc(o->w, cap * sizeof *o->w) : NULL;
      if (c) o->code = c;
      if (!c || !w) {
        rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
        break;
      }
      o->w = w;
    }
    np_strlcpy(o->code[o->n], np_store_col_text(st, 0), sizeof o->code[0]);
    int64_t w = np_store_col_int64(st, 1);
    o->w[o->n++] = (uint32_t)(w > 1000000 ? 1000000 : w < 1 ? 1 : w);
  }
  np_store_release(st);
  if (rc == NP_OK && o->n == 0) {
    size_t n = sizeof fallback_occs / sizeof fallback_occs[0];
    o->code = calloc(n, sizeof *o->code);
    o->w = calloc(n, sizeof *o->w);
    if (!o->code || !o->w) return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
    for (size_t i = 0; i < n; i++) np_strlcpy(o->code[i], fallback_occs[i], sizeof o->code[0]), o->w[i] = 1;
    o->n = n;
  }
  return rc;
}

/* ---- counties ---- */

typedef struct counties {
  const np_region_t **c;
  uint32_t *w;
  size_t n;
} counties_t;

static bool has_centroid(const np_region_t *r) {
  int32_t a, b;
  return r->level == NP_REGION_COUNTY && np_ref_region_centroid(r, &a, &b, NULL);
}

static np_err pick_counties(const np_ref_t *ref, np_demo_scale scale, counties_t *out, np_errdetail_t *err) {
  memset(out, 0, sizeof *out);
  size_t cap = 256;
  out->c = calloc(cap, sizeof *out->c);
  out->w = calloc(cap, sizeof *out->w);
  if (!out->c || !out->w) return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  if (scale == NP_DEMO_SMALL) {
    for (size_t i = 0; i < sizeof small_counties / sizeof small_counties[0]; i++) {
      const np_region_t *r = np_ref_region(ref, small_counties[i]);
      if (r && has_centroid(r)) out->c[out->n] = r, out->w[out->n++] = small_w[i];
    }
  } else {
    for (size_t i = 0; i < NCITIES; i++) {
      if (scale == NP_DEMO_CITY && strcmp(cities[i].code, "370100") != 0) continue;
      const np_region_t *city = np_ref_region(ref, cities[i].code);
      if (!city) continue;
      size_t k0 = out->n;
      for (size_t j = 0; j < city->nchildren && out->n < cap; j++)
        if (has_centroid(city->children[j])) out->c[out->n++] = city->children[j];
      size_t nk = out->n - k0;
      for (size_t j = k0; j < out->n; j++) out->w[j] = nk ? (uint32_t)(cities[i].w * 100 / nk) + 1 : 1;
    }
  }
  if (out->n == 0) return np_fail(err, NP_ERR_INTERNAL, "no_counties", "", "no demo counties in the reference data");
  return NP_OK;
}

/* All Shandong county-level codes valid in ID numbers (GB/T 2260 units with a centroid). */
static np_err all_counties(const np_ref_t *ref, counties_t *out, np_errdetail_t *err) {
  memset(out, 0, sizeof *out);
  size_t cap = 256;
  out->c = calloc(cap, sizeof *out->c);
  if (!out->c) return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  const np_region_t *p = np_ref_province(ref);
  for (size_t i = 0; p && i < p->nchildren; i++)
    for (size_t j = 0; j < p->children[i]->nchildren && out->n < cap; j++) {
      const np_region_t *c = p->children[i]->children[j];
      if (c->in_gbt2260 && has_centroid(c)) out->c[out->n++] = c;
    }
  return NP_OK;
}

static int32_t clamp(int32_t v, int32_t lo, int32_t hi) { return v < lo ? lo : v > hi ? hi : v; }

typedef struct gen {
  np_demo_ctx_t *ctx;
  np_rng_t *rng;
  const np_ref_t *ref;
  occs_t occs;
  counties_t home, all;
  idset_t ids;
  np_date_t today;
  int ty;
  char now[NP_TS_STRLEN];
  int64_t outside_n, phones;
} gen_t;

static np_err insert_one(gen_t *g, np_errdetail_t *err) {
  np_rng_t *rng = g->rng;
  np_store_t *s = g->ctx->store;
  const np_region_t *county = g->home.c[np_rng_weighted(rng, g->home.w, g->home.n)];
  const np_region_t *where = county;
  if (county->nchildren) where = county->children[np_rng_range(rng, 0, (int64_t)county->nchildren - 1)];
  int32_t lat, lon;
  np_ref_region_centroid(county, &lat, &lon, NULL);
  bool approx = np_rng_chance(rng, 300000);
  if (!approx) {
    lat = clamp(lat + (int32_t)np_rng_range(rng, -60000, 60000), NP_SEEKER_LAT_MIN, NP_SEEKER_LAT_MAX);
    lon = clamp(lon + (int32_t)np_rng_range(rng, -70000, 70000), NP_SEEKER_LON_MIN, NP_SEEKER_LON_MAX);
  }
  /* the ID number */
  char region6[7], idn[19];
  bool out_prov = np_rng_chance(rng, 80000);
  if (out_prov) np_strlcpy(region6, outside[np_rng_range(rng, 0, NOUTSIDE - 1)], sizeof region6);
  else if (np_rng_chance(rng, 750000) && county->in_gbt2260) np_strlcpy(region6, county->code, sizeof region6);
  else np_strlcpy(region6, g->all.c[np_rng_range(rng, 0, (int64_t)g->all.n - 1)]->code, sizeof region6);
  np_date_t lo, birth;
  np_date_from_ymd(1970, 1, 1, &lo);
  int by, bm, bd;
  bool male = np_rng_chance(rng, 560000);
  for (;;) {
    np_date_add_days(lo, np_rng_range(rng, 0, 13513), &birth); /* to 2006-12-31 */
    np_date_to_ymd(birth, &by, &bm, &bd);
    int seq = (int)np_rng_range(rng, 0, 499) * 2 + (male ? 1 : 0);
    np_match_make_id_number(region6, by, bm, bd, seq, idn);
    uint64_t key = 0;
    for (int i = 0; i < 17; i++) key = key * 10 + (uint64_t)(idn[i] - '0');
    if (idset_add(&g->ids, key + 1)) break;
  }
  int age = g->ty - by;
  g->outside_n += out_prov;
  char *sealed = NULL, *ph_sealed = NULL, index[NP_CRYPTO_SM3_HEXLEN], masked[24];
  np_err rc = np_crypto_seal(idn, 18, &sealed, NULL, err);
  if (rc) return rc;
  if ((rc = np_crypto_blind_index("id_number", idn, index, err))) goto out;
  np_mask_id_number(idn, 18, masked, sizeof masked);
  char name[32];
  np_demo_person_name(rng, name, sizeof name);
  static const uint32_t skill_w[] = {0, 6, 16, 26, 24, 14, 8, 3, 1};
  int skill = np_rng_chance(rng, 180000) ? 0 : (int)np_rng_weighted(rng, skill_w, 9);
  static const char *const edus[] = {"junior_middle", "senior_middle", "secondary_vocational", "junior_college", "bachelor",
                                     "master"};
  static const uint32_t edu_w[] = {28, 18, 22, 18, 12, 2};
  const char *edu = np_rng_chance(rng, 100000) ? NULL : edus[np_rng_weighted(rng, edu_w, 6)];
  int64_t salary = (3500 + (skill ? skill : 2) * 600 + np_rng_range(rng, -500, 1500)) * 100;
  char avail[NP_DATE_STRLEN] = "", unemp[NP_DATE_STRLEN] = "";
  if (np_rng_chance(rng, 800000)) {
    np_date_t d;
    np_date_add_days(g->today, np_rng_range(rng, 0, 60), &d);
    np_date_format(d, avail, sizeof avail);
  }
  int64_t grad = 0;
  if (age <= 26 && np_rng_chance(rng, 600000)) grad = by + 22 + np_rng_range(rng, -3, 1);
  if (grad > g->ty) grad = g->ty;
  if (np_rng_chance(rng, 200000)) {
    np_date_t d;
    np_date_add_days(g->today, -np_rng_range(rng, 10, 700), &d);
    np_date_format(d, unemp, sizeof unemp);
  }
  bool hardship = np_rng_chance(rng, 50000), consent = np_rng_chance(rng, 900000);
  int64_t st_roll = np_rng_range(rng, 0, 99);
  const char *status = st_roll < 92 ? "seeking" : st_roll < 97 ? "employed" : "withdrawn";
  char ph_index[NP_CRYPTO_SM3_HEXLEN] = "", ph_masked[16] = "";
  uint32_t phone_ppm = g->ctx->scale == NP_DEMO_PROVINCE ? 300000 : 700000;
  if (np_rng_chance(rng, phone_ppm)) {
    static const char *const pre[] = {"135", "136", "138", "139", "150", "152", "158", "176", "182", "187", "188", "199"};
    char phone[12];
    snprintf(phone, sizeof phone, "%s%08" PRId64, pre[np_rng_range(rng, 0, 11)], np_rng_range(rng, 0, 99999999));
    if ((rc = np_crypto_seal(phone, 11, &ph_sealed, NULL, err)) ||
        (rc = np_crypto_blind_index("mobile", phone, ph_index, err)))
      goto out;
    np_mask_mobile(phone, 11, ph_masked, sizeof ph_masked);
    g->phones++;
  }
  char birth_t[NP_DATE_STRLEN];
  np_date_format(birth, birth_t, sizeof birth_t);
  const np_region_t *city = np_ref_region_at(county, NP_REGION_CITY);
  np_stmt_t *st = NULL;
  if ((rc = np_store_prepare(
           s,
           "INSERT INTO seekers (id_number_sealed, id_number_index, id_number_masked, name, sex, birth_date, "
           "hukou_region_code, from_outside_province, region_code, county_code, city_code, lat_e6, lon_e6, "
           "location_approx, skill_level, education, expected_salary, available_from, graduation_year, "
           "registered_unemployed_since, hardship, consent, status, phone_sealed, phone_index, phone_masked, source, "
           "version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
           "?, ?, ?, ?, 'demo', 1, ?, ?) RETURNING id",
           &st, err)))
    goto out;
  int i = 0;
  np_store_bind_text(st, ++i, sealed, NP_STORE_STRLEN);
  np_store_bind_text(st, ++i, index, NP_STORE_STRLEN);
  np_store_bind_text(st, ++i, masked, NP_STORE_STRLEN);
  np_store_bind_text(st, ++i, name, NP_STORE_STRLEN);
  np_store_bind_text(st, ++i, male ? "M" : "F", 1);
  np_store_bind_text(st, ++i, birth_t, NP_STORE_STRLEN);
  np_store_bind_text(st, ++i, region6, NP_STORE_STRLEN);
  np_store_bind_int64(st, ++i, out_prov);
  np_store_bind_text(st, ++i, where->code, NP_STORE_STRLEN);
  np_store_bind_text(st, ++i, county->code, NP_STORE_STRLEN);
  np_store_bind_text(st, ++i, city ? city->code : "", NP_STORE_STRLEN);
  np_store_bind_int64(st, ++i, lat);
  np_store_bind_int64(st, ++i, lon);
  np_store_bind_int64(st, ++i, approx);
  skill ? np_store_bind_int64(st, ++i, skill) : np_store_bind_null(st, ++i);
  np_store_bind_text_or_null(st, ++i, edu);
  np_store_bind_int64(st, ++i, salary);
  np_store_bind_text_or_null(st, ++i, avail[0] ? avail : NULL);
  grad ? np_store_bind_int64(st, ++i, grad) : np_store_bind_null(st, ++i);
  np_store_bind_text_or_null(st, ++i, unemp[0] ? unemp : NULL);
  np_store_bind_int64(st, ++i, hardship);
  np_store_bind_int64(st, ++i, consent);
  np_store_bind_text(st, ++i, status, NP_STORE_STRLEN);
  np_store_bind_text_or_null(st, ++i, ph_sealed);
  np_store_bind_text_or_null(st, ++i, ph_sealed ? ph_index : NULL);
  np_store_bind_text_or_null(st, ++i, ph_sealed ? ph_masked : NULL);
  np_store_bind_text(st, ++i, g->now, NP_STORE_STRLEN);
  np_store_bind_text(st, ++i, g->now, NP_STORE_STRLEN);
  bool has = false;
  int64_t id = 0;
  rc = np_store_step(st, &has, err);
  if (rc == NP_OK && has) id = np_store_col_int64(st, 0);
  if (rc == NP_OK) rc = np_store_step(st, &has, err);
  np_store_release(st);
  if (rc) goto out;
  /* 1–3 distinct desired occupations */
  int nocc = (int)np_rng_range(rng, 1, 3);
  char chosen[3][24];
  int k = 0;
  for (int tries = 0; k < nocc && tries < 10; tries++) {
    const char *c = g->occs.code[np_rng_weighted(rng, g->occs.w, g->occs.n)];
    bool dup = false;
    for (int j = 0; j < k; j++) dup |= strcmp(chosen[j], c) == 0;
    if (dup) continue;
    np_strlcpy(chosen[k], c, sizeof chosen[k]);
    if ((rc = np_store_execf(s, NULL, err, "INSERT INTO seeker_occupations (seeker_id, rank, occupation_code) VALUES (?, ?, ?)",
                             "iit", id, (int64_t)(k + 1), c)))
      goto out;
    k++;
  }
  if (skill >= 3 && np_rng_chance(rng, 400000)) {
    char certno[24], issued[NP_DATE_STRLEN];
    np_date_t d;
    np_date_add_days(g->today, -np_rng_range(rng, 30, 3000), &d);
    np_date_format(d, issued, sizeof issued);
    snprintf(certno, sizeof certno, "S%06" PRId64 "%08" PRId64, np_rng_range(rng, 100000, 999999), id);
    if ((rc = np_store_execf(s, NULL, err,
                             "INSERT INTO seeker_certificates (seeker_id, occupation_code, level, cert_no, issued_on) "
                             "VALUES (?, ?, ?, ?, ?)",
                             "itit" "t", id, chosen[0], (int64_t)skill, certno, issued)))
      goto out;
  }
  char sid[32];
  rc = np_store_change(s, "seeker", np_id_format(NP_ID_SEEKER, id, sid, sizeof sid), "insert", NULL, err);
out:
  free(sealed);
  free(ph_sealed);
  np_crypto_wipe(idn, sizeof idn);
  return rc;
}

/* A few referrals in every stage on open lines of 历下 (370102), for the pipeline board. */
static np_err demo_referrals(gen_t *g, int64_t *made, np_errdetail_t *err) {
  np_store_t *s = g->ctx->store;
  np_stmt_t *st = NULL;
  int64_t lines[20];
  char occ[20][24];
  int nl = 0;
  np_err rc = np_store_prepare(s,
                               "SELECT id, occupation_code FROM demands WHERE county_code = '370102' AND status IN "
                               "('open', 'partly_filled') AND open_count >= 2 ORDER BY id LIMIT 20",
                               &st, err);
  if (rc) return rc;
  bool has = false;
  while (nl < 20 && (rc = np_store_step(st, &has, err)) == NP_OK && has) {
    lines[nl] = np_store_col_int64(st, 0);
    np_strlcpy(occ[nl], np_store_col_text(st, 1), sizeof occ[nl]);
    nl++;
  }
  np_store_release(st);
  if (rc) return rc;
  static const char *const stages[] = {"recommended", "contacted", "interviewed", "hired", "declined"};
  static const char *const reasons[] = {"薪资未达预期", "通勤距离远", "企业已招满同类岗位", "求职者已在别处就业"};
  for (int i = 0; i < nl && i < 15; i++) {
    int64_t sid = 0;
    bool found = false;
    rc = np_store_queryf_int64(s, &sid, &found, err,
                               "SELECT s.id FROM seekers s JOIN seeker_occupations so ON so.seeker_id = s.id WHERE "
                               "so.occupation_code = ? AND s.county_code = '370102' AND s.consent = 1 AND s.status = "
                               "'seeking' AND s.user_id IS NULL AND NOT EXISTS (SELECT 1 FROM referrals r WHERE "
                               "r.seeker_id = s.id) ORDER BY s.id LIMIT 1",
                               "t", occ[i]);
    if (rc == NP_OK && !found)
      rc = np_store_queryf_int64(s, &sid, &found, err,
                                 "SELECT s.id FROM seekers s WHERE s.county_code = '370102' AND s.consent = 1 AND "
                                 "s.status = 'seeking' AND s.user_id IS NULL AND NOT EXISTS (SELECT 1 FROM referrals r "
                                 "WHERE r.seeker_id = s.id) ORDER BY s.id LIMIT 1",
                                 "");
    if (rc) return rc;
    if (!found) break;
    json_t *ex = json_pack("{s:s, s:s}", "source", "demo", "note", "示例推荐：工种匹配、同区县");
    int64_t rid = 0;
    rc = np_match_referral_create(s, g->ref, NULL, lines[i], sid, ex, &rid, NULL, err);
    json_decref(ex);
    if (rc) return rc;
    (*made)++;
    int target = i % 5;
    if (target == 4) {
      int pre = (int)np_rng_range(g->rng, 0, 2);
      for (int k = 1; k <= pre && rc == NP_OK; k++)
        rc = np_match_referral_transition(s, g->ref, NULL, rid, stages[k], NULL, 0, g->today, NULL, err);
      if (rc == NP_OK)
        rc = np_match_referral_transition(s, g->ref, NULL, rid, "declined", reasons[np_rng_range(g->rng, 0, 3)], 0,
                                          g->today, NULL, err);
    } else {
      for (int k = 1; k <= target && rc == NP_OK; k++)
        rc = np_match_referral_transition(s, g->ref, NULL, rid, stages[k], NULL, 0, g->today, NULL, err);
    }
    if (rc) return rc;
  }
  return NP_OK;
}

np_err np_demo_step_seekers(np_demo_ctx_t *ctx, np_rng_t *rng, np_errdetail_t *err) {
  gen_t g = {.ctx = ctx, .rng = rng};
  np_err rc = NP_OK;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  if (!(g.ref = np_ref_shared(ctx->store, err))) return NP_ERR_STORE;
  if (!np_crypto_ready()) return np_fail(err, NP_ERR_CRYPTO, "no_keys", "", "the keys are not loaded");
  int64_t target = ctx->scale == NP_DEMO_PROVINCE ? 2000000 : ctx->scale == NP_DEMO_CITY ? 150000 : 600;
  g.ids.cap = 1;
  while (g.ids.cap < (size_t)target * 2 + 16) g.ids.cap <<= 1;
  g.ids.slot = calloc(g.ids.cap, sizeof *g.ids.slot);
  if (!g.ids.slot) return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  if ((rc = load_occs(ctx->store, &g.occs, err))) goto out;
  if ((rc = pick_counties(g.ref, ctx->scale, &g.home, err))) goto out;
  if ((rc = all_counties(g.ref, &g.all, err))) goto out;
  g.today = np_date_today();
  np_date_to_ymd(g.today, &g.ty, NULL, NULL);
  np_match_now(g.now);
  for (int64_t n = 0; n < target; n++)
    if ((rc = insert_one(&g, err))) goto out;
  /* the demo "seeker" account gets a record of its own in 历下 */
  np_user_t u;
  np_errdetail_t ue = {0};
  if (np_user_find(ctx->store, "seeker", &u, &ue) == NP_OK) {
    if ((rc = np_store_execf(ctx->store, NULL, err,
                             "UPDATE seekers SET user_id = ?, source = 'self' WHERE id = (SELECT MIN(id) FROM seekers "
                             "WHERE county_code = '370102' AND user_id IS NULL)",
                             "i", u.id)))
      goto out;
  }
  int64_t refs = 0;
  if ((rc = demo_referrals(&g, &refs, err))) goto out;
  char detail[160];
  snprintf(detail, sizeof detail, "demo: %" PRId64 " seekers (%" PRId64 " from other provinces), %" PRId64 " referrals",
           target, g.outside_n, refs);
  if ((rc = np_match_audit(ctx->store, NULL, "seeker.create", "seeker", "demo", NULL, NULL, detail, err))) goto out;
  /* the partner key for the feed */
  json_t *key = NULL;
  np_errdetail_t ke = {0};
  np_err krc = np_match_partner_key_create(ctx->store, NULL, "demo-partner", 120, &key, &ke);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  if (ctx->report) {
    fprintf(ctx->report, "seekers: %" PRId64 " (%" PRId64 " from other provinces, %" PRId64 " with a phone), %" PRId64
                         " referrals, %.1f s\n",
            target, g.outside_n, g.phones, refs, secs);
    if (krc == NP_OK)
      fprintf(ctx->report, "partner key demo-partner (X-API-Key, shown once): %s\n",
              json_string_value(json_object_get(key, "key")));
    else fprintf(ctx->report, "partner key demo-partner not created: %s\n", ke.message);
  }
  json_decref(key);
out:
  free(g.ids.slot);
  free(g.occs.code);
  free(g.occs.w);
  free(g.home.c);
  free(g.home.w);
  free(g.all.c);
  return rc;
}
