/*
 * Demo step "policy_facts": the facts the policy rules read, for the enterprises the firms demo created —
 * 24 months of unemployment-insurance facts (2022-01 … 2023-12) consistent with each enterprise's
 * headcount and size, persons with employment spells (graduates, registered unemployed youth, people
 * with employment difficulties), internships and skill certificates. Deterministic for a seed.
 */
#include "policy/demo.h"
#include <inttypes.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include "core/date.h"

static const char *fmt_day(int64_t d, char *buf) {
  np_date_format((np_date_t){(int32_t)d}, buf, NP_DATE_STRLEN);
  return buf;
}

static int64_t ymd(int y, int m, int d) {
  np_date_t t;
  np_date_from_ymd(y, m, d, &t);
  return t.days;
}

typedef struct ent {
  int64_t id, headcount;
  char size[12];
  char section[4];
} ent_t;

np_err np_demo_step_policy_facts(np_demo_ctx_t *ctx, np_rng_t *rng, np_errdetail_t *err) {
  np_store_t *s = ctx->store;
  int64_t n = 0;
  bool found;
  np_err r = np_store_query_int64(s, "SELECT COUNT(*) FROM enterprises", &n, &found, err);
  if (r) return r;
  if (n == 0) return NP_OK;
  ent_t *es = calloc((size_t)n, sizeof *es);
  if (!es) return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  np_stmt_t *st;
  size_t ne = 0;
  if ((r = np_store_prepare(s, "SELECT id, headcount, size_class, industry_section FROM enterprises ORDER BY id", &st, err))) goto out;
  bool has;
  while (!(r = np_store_step(st, &has, err)) && has && ne < (size_t)n) {
    es[ne].id = np_store_col_int64(st, 0);
    es[ne].headcount = np_store_col_int64(st, 1);
    snprintf(es[ne].size, sizeof es[ne].size, "%s", np_store_col_text(st, 2) ? np_store_col_text(st, 2) : "");
    snprintf(es[ne].section, sizeof es[ne].section, "%s", np_store_col_text(st, 3) ? np_store_col_text(st, 3) : "");
    ne++;
  }
  np_store_release(st);
  if (r) goto out;
  int64_t nfacts = 0, npersons = 0, nspells = 0, nintern = 0, ncert = 0;
  for (size_t i = 0; i < ne && !r; i++) {
    const ent_t *e = &es[i];
    int64_t ins = e->headcount > 0 ? e->headcount : np_rng_range(rng, 3, 50);
    bool shrinking = np_rng_chance(rng, 120000), underpays = np_rng_chance(rng, 40000), arrears = np_rng_chance(rng, 20000);
    int64_t per_head = np_rng_range(rng, 3600, 4400); /* UI premium per insured and month, fen (1 % of ~4000 yuan) */
    for (int m = 0; m < 24 && !r; m++) {
      int64_t month = ymd(2022 + m / 12, m % 12 + 1, 1);
      int64_t layoffs = np_rng_chance(rng, 15000) ? np_rng_range(rng, 1, 1 + ins / 12) : 0;
      if (shrinking && m % 6 == 5 && ins > 5) ins -= np_rng_range(rng, 1, 1 + ins / 15);
      int64_t hires = np_rng_range(rng, 0, 1 + ins / 40), seps = np_rng_range(rng, 0, 1 + ins / 50);
      int64_t due = ins * per_head;
      int64_t paid = underpays && m == 7 ? due - np_rng_range(rng, 1, due / 5 + 1) : due;
      int64_t arr = arrears && m >= 21 ? np_rng_range(rng, 10000, 500000) : 0;
      char d[NP_DATE_STRLEN];
      r = np_store_execf(s, NULL, err,
                         "INSERT INTO policy_enterprise_facts (enterprise_id, month, insured, new_hires, separations, layoffs, "
                         "ui_due_fen, ui_paid_fen, arrears_fen) VALUES (?,?,?,?,?,?,?,?,?)",
                         "itiiiiiii", e->id, fmt_day(month, d), ins, hires, seps, layoffs, due, paid, arr);
      nfacts++;
    }
    /* hires of 2022–2023: a few per enterprise, people from the target groups among them */
    int64_t nh = np_rng_range(rng, 0, 2 + (e->headcount > 0 ? e->headcount / 40 : 1));
    if (nh > 12) nh = 12;
    for (int64_t h = 0; h < nh && !r; h++) {
      int kind = (int)np_rng_range(rng, 0, 9); /* 0-3 graduate, 4-5 unemployed youth, 6 hardship, else other */
      int64_t start = np_rng_range(rng, ymd(2022, 1, 1), ymd(2023, 11, 30));
      int sy = np_policy_year_of(start);
      int64_t birth, grad = NP_POLICY_UNKNOWN, unemp = NP_POLICY_UNKNOWN;
      int hardship = 0;
      if (kind <= 3) {
        birth = np_rng_range(rng, ymd(sy - 25, 1, 1), ymd(sy - 21, 12, 31));
        grad = ymd(sy - (int)np_rng_range(rng, 0, 3), 6, 30);
        if (grad > start) grad = ymd(sy - 1, 6, 30);
      } else if (kind <= 5) {
        birth = np_rng_range(rng, ymd(sy - 26, 1, 1), ymd(sy - 16, 12, 31));
        unemp = start - np_rng_range(rng, 30, 400);
      } else if (kind == 6) {
        birth = np_rng_range(rng, ymd(1965, 1, 1), ymd(1985, 12, 31));
        hardship = 1;
        unemp = start - np_rng_range(rng, 60, 700);
      } else {
        birth = np_rng_range(rng, ymd(1970, 1, 1), ymd(2000, 12, 31));
      }
      char key[32], b[NP_DATE_STRLEN], g[NP_DATE_STRLEN], u[NP_DATE_STRLEN], sd[NP_DATE_STRLEN];
      snprintf(key, sizeof key, "P37%010" PRId64, ++npersons);
      int64_t pid = 0;
      r = np_store_queryf_int64(s, &pid, NULL, err,
                                "INSERT INTO policy_persons (person_key, birth_date, graduation_date, unemployed_since, hardship) "
                                "VALUES (?,?,?,?,?) RETURNING id",
                                "tttti", key, fmt_day(birth, b),
                                grad == NP_POLICY_UNKNOWN ? NULL : fmt_day(grad, g),
                                unemp == NP_POLICY_UNKNOWN ? NULL : fmt_day(unemp, u), (int64_t)hardship);
      if (r) break;
      int64_t months_in = (ymd(2023, 12, 31) - start) / 30;
      int64_t contract = np_rng_chance(rng, 900000) ? (np_rng_chance(rng, 500000) ? 12 : 36) : 0;
      int64_t insured = np_rng_chance(rng, 950000) ? (months_in < 1 ? 1 : months_in) : 0;
      r = np_store_execf(s, NULL, err,
                         "INSERT INTO policy_spells (person_id, enterprise_id, start_date, contract_months, insured_months, "
                         "absorption_subsidy, employer_ss_monthly_fen) VALUES (?,?,?,?,?,?,?)",
                         "iitiiii", pid, e->id, fmt_day(start, sd), contract, insured, (int64_t)np_rng_chance(rng, 30000),
                         np_rng_range(rng, 60000, 120000));
      nspells++;
      if (!r && kind <= 5 && np_rng_chance(rng, 150000)) {
        int64_t istart = np_rng_range(rng, ymd(2023, 1, 1), ymd(2023, 10, 31));
        r = np_store_execf(s, NULL, err,
                           "INSERT INTO policy_internships (person_id, enterprise_id, start_date, months, retained) VALUES (?,?,?,?,?)",
                           "iitii", pid, e->id, fmt_day(istart, sd), np_rng_range(rng, 3, 6), (int64_t)np_rng_chance(rng, 500000));
        nintern++;
      }
      if (!r && (kind >= 6 || np_rng_chance(rng, 100000))) {
        char occ[12];
        snprintf(occ, sizeof occ, "6%06" PRId64, np_rng_range(rng, 180100, 180140));
        r = np_store_execf(s, NULL, err, "INSERT INTO policy_certificates (person_id, level, date, occupation) VALUES (?,?,?,?)",
                           "iitt", pid, np_rng_range(rng, 2, 5), fmt_day(np_rng_range(rng, ymd(2023, 1, 1), ymd(2023, 12, 20)), sd),
                           occ);
        ncert++;
      }
    }
  }
  /* a second pass on its own random stream (the data above stays as it was): about one small or micro
     manufacturer in ten expanded in 2023 with hires from the target groups on contracts of a year or
     more, enough to reach the start-up guarantee loan's share of new hires (15 %, 8 % above 100 staff) */
  np_rng_t xr;
  np_rng_seed(&xr, ctx->seed, "policy_facts_expansion");
  int64_t nexpanding = 0;
  for (size_t i = 0; i < ne && !r; i++) {
    const ent_t *e = &es[i];
    bool small = strcmp(e->size, "small") == 0 || strcmp(e->size, "micro") == 0;
    bool pick = np_rng_chance(&xr, 100000);
    if (!small || strcmp(e->section, "C") != 0 || e->headcount <= 0 || !pick) continue;
    int64_t pct = e->headcount > 100 ? 9 : 17;
    int64_t nh = e->headcount * pct / 100 + 1;
    if (nh > 30) nh = 30;
    nexpanding++;
    for (int64_t h = 0; h < nh && !r; h++) {
      int kind = (int)np_rng_range(&xr, 0, 2); /* 0 graduate of 2023, 1 registered unemployed youth, 2 hardship */
      int64_t start = np_rng_range(&xr, ymd(2023, 1, 15), ymd(2023, 11, 30));
      int64_t birth, grad = NP_POLICY_UNKNOWN, unemp = NP_POLICY_UNKNOWN;
      int hardship = 0;
      if (kind == 0) {
        birth = np_rng_range(&xr, ymd(1999, 1, 1), ymd(2001, 12, 31));
        grad = ymd(2023, 6, 30);
        if (start <= grad) start = grad + np_rng_range(&xr, 1, 120);
      } else if (kind == 1) {
        birth = np_rng_range(&xr, ymd(2000, 1, 1), ymd(2005, 6, 30));
        unemp = start - np_rng_range(&xr, 30, 300);
      } else {
        birth = np_rng_range(&xr, ymd(1968, 1, 1), ymd(1984, 12, 31));
        hardship = 1;
        unemp = start - np_rng_range(&xr, 60, 600);
      }
      char key[32], b[NP_DATE_STRLEN], g[NP_DATE_STRLEN], u[NP_DATE_STRLEN], sd[NP_DATE_STRLEN];
      snprintf(key, sizeof key, "P37%010" PRId64, ++npersons);
      int64_t pid = 0;
      r = np_store_queryf_int64(s, &pid, NULL, err,
                                "INSERT INTO policy_persons (person_key, birth_date, graduation_date, unemployed_since, hardship) "
                                "VALUES (?,?,?,?,?) RETURNING id",
                                "tttti", key, fmt_day(birth, b), grad == NP_POLICY_UNKNOWN ? NULL : fmt_day(grad, g),
                                unemp == NP_POLICY_UNKNOWN ? NULL : fmt_day(unemp, u), (int64_t)hardship);
      if (r) break;
      int64_t months_in = (ymd(2023, 12, 31) - start) / 30;
      r = np_store_execf(s, NULL, err,
                         "INSERT INTO policy_spells (person_id, enterprise_id, start_date, contract_months, insured_months, "
                         "absorption_subsidy, employer_ss_monthly_fen) VALUES (?,?,?,?,?,0,?)",
                         "iitiii", pid, e->id, fmt_day(start, sd), np_rng_chance(&xr, 500000) ? (int64_t)12 : (int64_t)36,
                         months_in < 1 ? (int64_t)1 : months_in, np_rng_range(&xr, 60000, 120000));
      nspells++;
    }
  }
  /* one entry on the change feed: runs record its position, explanations compare it */
  if (!r) r = np_store_change(s, "policy_facts", "demo", "insert", NULL, err);
  if (!r && ctx->report)
    fprintf(ctx->report,
            "policy_facts: %" PRId64 " expanding manufacturers; %" PRId64 " monthly insurance facts, %" PRId64 " persons, %" PRId64
            " spells, %" PRId64 " internships, %" PRId64 " certificates\n",
            nexpanding, nfacts, npersons, nspells, nintern, ncert);
out:
  free(es);
  return r;
}
