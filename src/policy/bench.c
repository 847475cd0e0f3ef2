/*
 * nineplus policy bench: a synthetic province generated directly into the engine's columns
 * (enterprises with 24 months of insurance facts, persons with employment spells, internships,
 * certificates), then all seven policies with a decision for every row, the result hash, and one
 * enterprise's decisions explained (full traces). --csv DIR writes the same data for the SQL side
 * (bench/60-policy.sh loads it into SQLite and DuckDB and runs policies 1 and 2 as SQL).
 */
#include "policy/bench.h"
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/date.h"
#include "core/str.h"
#include "policy/eval.h"
#include "policy/package.h"
#include "ref/ref.h"
#include "store/store.h"

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static double cpu_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static uint64_t rs;
static inline uint64_t rnd(void) {
  rs ^= rs << 13;
  rs ^= rs >> 7;
  rs ^= rs << 17;
  return rs;
}
static inline int64_t rr(int64_t lo, int64_t hi) { return lo + (int64_t)(rnd() % (uint64_t)(hi - lo + 1)); }
static inline bool chance(int pct_x10) { return (int)(rnd() % 1000) < pct_x10; }

static int64_t day(int y, int m, int d) {
  np_date_t t;
  np_date_from_ymd(y, m, d, &t);
  return t.days;
}

/* fills a column of width w at row i */
static inline void put(void *col, int w, size_t i, int64_t v) {
  switch (w) {
  case 1: ((int8_t *)col)[i] = (int8_t)v; break;
  case 2: ((int16_t *)col)[i] = (int16_t)v; break;
  case 4: ((int32_t *)col)[i] = (int32_t)v; break;
  default: ((int64_t *)col)[i] = v; break;
  }
}

static np_err reserve(np_policy_facts_t *F, np_pkind_t k, size_t n) {
  return np_policy_facts_reserve(F, k, n);
}

static void set(np_policy_facts_t *F, np_pkind_t k, int f, size_t i, int64_t v) {
  int w = np_policy_kind(k)->fields[f].width;
  if (v == NP_POLICY_UNKNOWN) v = w == 1 ? INT8_MIN : w == 2 ? INT16_MIN : w == 4 ? INT32_MIN : INT64_MIN;
  put(F->t[k].col[f], w, i, v);
}

static const char *const counties[] = {"370102", "370103", "370112", "370202", "370211", "370303", "370502", "370602",
                                       "370702", "370811", "371002", "371102", "371302", "371311", "371321", "371402",
                                       "371502", "371602", "371702", "370176"};

static np_err generate(np_policy_facts_t *F, size_t ne, size_t np_, FILE *csv_e, FILE *csv_f, FILE *csv_p, FILE *csv_s,
                       np_errdetail_t *err) {
  size_t nf = ne * 24;
  size_t ns = np_ + np_ / 5, ni = np_ / 30, nc = np_ / 10;
  F->finished = true; /* columns written directly, links as row indexes: no side columns */
  if (reserve(F, NP_PK_ENTERPRISE, ne) || reserve(F, NP_PK_FACT, nf) || reserve(F, NP_PK_PERSON, np_) ||
      reserve(F, NP_PK_SPELL, ns) || reserve(F, NP_PK_INTERNSHIP, ni) || reserve(F, NP_PK_CERTIFICATE, nc))
    return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  F->finished = false;
  int64_t small, medium, micro, large, sec[5], cty[20];
  np_policy_text_pack("small", 5, &small);
  np_policy_text_pack("medium", 6, &medium);
  np_policy_text_pack("micro", 5, &micro);
  np_policy_text_pack("large", 5, &large);
  const char *secs = "CCCCCCCCCCCCCCBDFGIE";
  for (int i = 0; i < 5; i++) np_policy_text_pack(&"CBDFG"[i], 1, &sec[i]);
  for (int i = 0; i < 20; i++) np_policy_text_pack(counties[i], 6, &cty[i]);
  int64_t months[24];
  for (int m = 0; m < 24; m++) months[m] = day(2022 + m / 12, m % 12 + 1, 1);
  int32_t *hc = malloc(ne * sizeof *hc);
  if (!hc) return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  if (csv_e) fprintf(csv_e, "id,size_class,industry_section,county_code,headcount\n");
  if (csv_f) fprintf(csv_f, "enterprise_id,month,insured,layoffs,ui_due_fen,ui_paid_fen,arrears_fen\n");
  size_t fr = 0;
  for (size_t e = 0; e < ne; e++) {
    int r = (int)rr(0, 99);
    int64_t sz = r < 40 ? micro : r < 75 ? small : r < 95 ? medium : large;
    int64_t h = sz == micro ? rr(3, 19) : sz == small ? rr(20, 99) : sz == medium ? rr(100, 299) : rr(300, 3000);
    hc[e] = (int32_t)h;
    char sc = secs[rr(0, 19)];
    int si = sc == 'C' ? 0 : sc == 'B' ? 1 : sc == 'D' ? 2 : sc == 'F' ? 3 : 4;
    int ci = (int)rr(0, 19);
    set(F, NP_PK_ENTERPRISE, 0, e, (int64_t)e + 1);
    set(F, NP_PK_ENTERPRISE, 1, e, sz);
    set(F, NP_PK_ENTERPRISE, 2, e, sec[si]);
    set(F, NP_PK_ENTERPRISE, 3, e, 0);
    set(F, NP_PK_ENTERPRISE, 4, e, cty[ci]);
    set(F, NP_PK_ENTERPRISE, 5, e, h);
    if (csv_e) {
      char s[16];
      np_policy_text_unpack(sz, s, sizeof s);
      fprintf(csv_e, "%zu,%s,%c,%s,%" PRId64 "\n", e + 1, s, "CBDFG"[si], counties[ci], h);
    }
    bool shrinking = chance(150), arrears = chance(30);
    int64_t ins = h;
    for (int m = 0; m < 24; m++, fr++) {
      int64_t lay = chance(20) ? rr(1, 1 + h / 10) : 0;
      if (shrinking && m % 6 == 5 && ins > 3) ins -= rr(1, 1 + ins / 20);
      int64_t due = ins * rr(3800, 4200);
      int64_t paid = chance(20) ? due - rr(1, due / 10 + 1) : due;
      int64_t arr = arrears && m >= 20 ? rr(100, 100000) : 0;
      set(F, NP_PK_FACT, 0, fr, (int64_t)fr + 1);
      set(F, NP_PK_FACT, 1, fr, (int64_t)e);
      set(F, NP_PK_FACT, 2, fr, months[m]);
      set(F, NP_PK_FACT, 3, fr, ins);
      set(F, NP_PK_FACT, 4, fr, rr(0, 3));
      set(F, NP_PK_FACT, 5, fr, rr(0, 3));
      set(F, NP_PK_FACT, 6, fr, lay);
      set(F, NP_PK_FACT, 7, fr, due);
      set(F, NP_PK_FACT, 8, fr, paid);
      set(F, NP_PK_FACT, 9, fr, arr);
      if (csv_f) {
        char ds[16];
        np_date_format((np_date_t){(int32_t)months[m]}, ds, sizeof ds);
        fprintf(csv_f, "%zu,%s,%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 "\n", e + 1, ds, ins, lay, due, paid, arr);
      }
    }
  }
  if (csv_p) fprintf(csv_p, "id,birth_date,graduation_date,unemployed_since,hardship\n");
  for (size_t p = 0; p < np_; p++) {
    int64_t birth = rr(day(1965, 1, 1), day(2006, 12, 31));
    int y = np_policy_year_of(birth);
    int64_t grad = y >= 1996 && chance(350) ? day(y + 22, 6, 30) : NP_POLICY_UNKNOWN;
    if (grad != NP_POLICY_UNKNOWN && grad > day(2023, 6, 30)) grad = NP_POLICY_UNKNOWN;
    int64_t unemp = chance(60) ? rr(day(2021, 1, 1), day(2023, 10, 1)) : NP_POLICY_UNKNOWN;
    int64_t hard = chance(30);
    set(F, NP_PK_PERSON, 0, p, (int64_t)p + 1);
    set(F, NP_PK_PERSON, 1, p, birth);
    set(F, NP_PK_PERSON, 2, p, grad);
    set(F, NP_PK_PERSON, 3, p, unemp);
    set(F, NP_PK_PERSON, 4, p, hard);
    if (csv_p) {
      char b[16], g[16] = "", u[16] = "";
      np_date_format((np_date_t){(int32_t)birth}, b, sizeof b);
      if (grad != NP_POLICY_UNKNOWN) np_date_format((np_date_t){(int32_t)grad}, g, sizeof g);
      if (unemp != NP_POLICY_UNKNOWN) np_date_format((np_date_t){(int32_t)unemp}, u, sizeof u);
      fprintf(csv_p, "%zu,%s,%s,%s,%" PRId64 "\n", p + 1, b, g, u, hard);
    }
  }
  if (csv_s) fprintf(csv_s, "id,person_id,enterprise_id,start_date,contract_months,insured_months,absorption_subsidy\n");
  for (size_t s = 0; s < ns; s++) {
    size_t p = s < np_ ? s : (size_t)rr(0, (int64_t)np_ - 1);
    size_t e = (size_t)rr(0, (int64_t)ne - 1);
    int64_t start = rr(day(2019, 1, 1), day(2023, 12, 31));
    int64_t cm = chance(900) ? rr(1, 36) : 0;
    int64_t im = chance(950) ? rr(1, 24) : 0;
    int64_t ab = chance(20);
    set(F, NP_PK_SPELL, 0, s, (int64_t)s + 1);
    set(F, NP_PK_SPELL, 1, s, (int64_t)p);
    set(F, NP_PK_SPELL, 2, s, (int64_t)e);
    set(F, NP_PK_SPELL, 3, s, start);
    set(F, NP_PK_SPELL, 4, s, NP_POLICY_UNKNOWN);
    set(F, NP_PK_SPELL, 5, s, cm);
    set(F, NP_PK_SPELL, 6, s, im);
    set(F, NP_PK_SPELL, 7, s, ab);
    set(F, NP_PK_SPELL, 8, s, rr(30000, 120000));
    if (csv_s) {
      char b[16];
      np_date_format((np_date_t){(int32_t)start}, b, sizeof b);
      fprintf(csv_s, "%zu,%zu,%zu,%s,%" PRId64 ",%" PRId64 ",%" PRId64 "\n", s + 1, p + 1, e + 1, b, cm, im, ab);
    }
  }
  for (size_t i = 0; i < ni; i++) {
    set(F, NP_PK_INTERNSHIP, 0, i, (int64_t)i + 1);
    set(F, NP_PK_INTERNSHIP, 1, i, rr(0, (int64_t)np_ - 1));
    set(F, NP_PK_INTERNSHIP, 2, i, rr(0, (int64_t)ne - 1));
    set(F, NP_PK_INTERNSHIP, 3, i, rr(day(2023, 1, 1), day(2023, 11, 30)));
    set(F, NP_PK_INTERNSHIP, 4, i, rr(1, 12));
    set(F, NP_PK_INTERNSHIP, 5, i, chance(500));
  }
  for (size_t c = 0; c < nc; c++) {
    int64_t occ;
    char o[8];
    snprintf(o, sizeof o, "%d", (int)rr(1000000, 1000200));
    np_policy_text_pack(o, strlen(o), &occ);
    set(F, NP_PK_CERTIFICATE, 0, c, (int64_t)c + 1);
    set(F, NP_PK_CERTIFICATE, 1, c, rr(0, (int64_t)np_ - 1));
    set(F, NP_PK_CERTIFICATE, 2, c, rr(1, 5));
    set(F, NP_PK_CERTIFICATE, 3, c, rr(day(2022, 6, 1), day(2023, 12, 31)));
    set(F, NP_PK_CERTIFICATE, 4, c, occ);
  }
  F->t[NP_PK_ENTERPRISE].n = ne;
  F->t[NP_PK_FACT].n = nf;
  F->t[NP_PK_PERSON].n = np_;
  F->t[NP_PK_SPELL].n = ns;
  F->t[NP_PK_INTERNSHIP].n = ni;
  F->t[NP_PK_CERTIFICATE].n = nc;
  free(hc);
  return np_policy_facts_finish(F, true, err);
}

int np_policy_bench_main(int argc, char **argv) {
  int64_t ne = 3000000, np_ = 10000000, threads = 2;
  const char *csv = NULL, *as_of_s = "2023-12-31", *db = NULL;
  static const struct option lo[] = {{"enterprises", required_argument, 0, 'e'}, {"persons", required_argument, 0, 'p'},
                                     {"threads", required_argument, 0, 't'},     {"csv", required_argument, 0, 'c'},
                                     {"as-of", required_argument, 0, 'a'},       {"db", required_argument, 0, 'd'},
                                     {0, 0, 0, 0}};
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
    const char *a = optarg;
    switch (c) {
    case 'e': if (np_parse_int64(a, strlen(a), 1, 20000000, &ne)) return 2; break;
    case 'p': if (np_parse_int64(a, strlen(a), 1, 50000000, &np_)) return 2; break;
    case 't': if (np_parse_int64(a, strlen(a), 1, 64, &threads)) return 2; break;
    case 'c': csv = a; break;
    case 'a': as_of_s = a; break;
    case 'd': db = a; break;
    default:
      fprintf(stderr, "usage: nineplus policy bench [--enterprises N] [--persons N] [--threads N] [--csv DIR] [--as-of DATE] [--db URL]\n");
      return 2;
    }
  }
  np_date_t as_of;
  if (np_date_parse(as_of_s, strlen(as_of_s), &as_of)) return 2;
  np_errdetail_t err = {0};
  np_ppackage_t *pkg = NULL;
  if (np_policy_package_load_embedded("shandong-2023", &pkg, &err)) {
    fprintf(stderr, "%s\n", err.message);
    return 1;
  }
  rs = 0x9E3779B97F4A7C15ULL;
  FILE *fe = NULL, *ff = NULL, *fp = NULL, *fs = NULL;
  if (csv) {
    char path[1024];
    snprintf(path, sizeof path, "%s/enterprises.csv", csv);
    fe = fopen(path, "w");
    snprintf(path, sizeof path, "%s/facts.csv", csv);
    ff = fopen(path, "w");
    snprintf(path, sizeof path, "%s/persons.csv", csv);
    fp = fopen(path, "w");
    snprintf(path, sizeof path, "%s/spells.csv", csv);
    fs = fopen(path, "w");
    if (!fe || !ff || !fp || !fs) {
      fprintf(stderr, "cannot write CSV files into %s\n", csv);
      return 1;
    }
  }
  double t0 = now_ms();
  np_policy_facts_t *F = np_policy_facts_new();
  if (!F || generate(F, (size_t)ne, (size_t)np_, fe, ff, fp, fs, &err)) {
    fprintf(stderr, "generate: %s\n", err.message);
    return 1;
  }
  if (fe) fclose(fe);
  if (ff) fclose(ff);
  if (fp) fclose(fp);
  if (fs) fclose(fs);
  double gen = now_ms() - t0;
  printf("generated: %" PRId64 " enterprises, %zu monthly facts, %" PRId64 " persons, %zu spells, %zu internships, "
         "%zu certificates in %.0f ms%s\n",
         ne, F->t[NP_PK_FACT].n, np_, F->t[NP_PK_SPELL].n, F->t[NP_PK_INTERNSHIP].n, F->t[NP_PK_CERTIFICATE].n, gen,
         csv ? " (with CSV)" : "");
  /* minimum wages from a migrated database (--db), else every min-wage lookup is unknown */
  const np_ref_t *ref = NULL;
  np_store_t *st = NULL;
  if (db && (np_store_open(db, &st, &err) || !(ref = np_ref_shared(st, &err)))) {
    fprintf(stderr, "--db: %s\n", err.message);
    return 1;
  }
  np_peval_t E = {pkg, F, ref, as_of.days, (int)threads};
  np_pdecisions_t *dec = calloc((size_t)pkg->npolicies, sizeof *dec);
  double total = 0, cpu_total = 0;
  size_t ndec = 0, nel = 0;
  printf("| policy | entity | decisions | eligible | wall ms | CPU ms |\n|---|---|---|---|---|---|\n");
  for (int p = 0; p < pkg->npolicies; p++) {
    t0 = now_ms();
    double c0 = cpu_ms();
    if (np_policy_eval_all(&E, &pkg->policies[p], &dec[p], &err) || np_policy_apply_limits(&E, &dec[p], &err)) {
      fprintf(stderr, "%s\n", err.message);
      return 1;
    }
    double ms = now_ms() - t0, cms = cpu_ms() - c0;
    total += ms;
    cpu_total += cms;
    size_t el = 0;
    for (size_t i = 0; i < dec[p].n; i++) el += dec[p].eligible[i];
    ndec += dec[p].n;
    nel += el;
    printf("| %s | %s | %zu | %zu | %.0f | %.0f |\n", pkg->policies[p].code, np_policy_kind(pkg->policies[p].entity)->name,
           dec[p].n, el, ms, cms);
  }
  t0 = now_ms();
  double c0 = cpu_ms();
  char hash[65];
  np_policy_decisions_hash(dec, (size_t)pkg->npolicies, F, (int)threads, hash);
  double hms = now_ms() - t0, hcpu = cpu_ms() - c0;
  printf("all seven: %zu decisions (%zu eligible) in %.0f ms wall (%.0f ms CPU) on %" PRId64 " threads; result hash %s "
         "in %.0f ms wall (%.0f ms CPU); total %.0f ms wall, %.0f ms CPU\n",
         ndec, nel, total, cpu_total, threads, hash, hms, hcpu, total + hms, cpu_total + hcpu);
  /* one enterprise explained: its own policies, its hires and its interns, with full traces */
  size_t erow = (size_t)(ne / 2);
  double worst = 0, sum = 0;
  size_t traces = 0, bytes = 0;
  for (int rep = 0; rep < 5; rep++) {
    t0 = now_ms();
    traces = 0;
    bytes = 0;
    for (int p = 0; p < pkg->npolicies; p++) {
      const np_ppolicy_t *pol = &pkg->policies[p];
      np_buf_t tr;
      np_buf_init(&tr, 0);
      if (pol->entity == NP_PK_ENTERPRISE) {
        np_policy_eval_one(&E, pol, erow, &dec[p], &tr, &err);
        traces++;
      } else if (pol->entity == NP_PK_SPELL || pol->entity == NP_PK_INTERNSHIP) {
        int ci = pol->entity == NP_PK_SPELL ? 1 : 2;
        const np_pindex_t *ix = &F->t[NP_PK_ENTERPRISE].coll[ci];
        for (int64_t j = ix->off[erow]; j < ix->off[erow + 1]; j++) {
          np_policy_eval_one(&E, pol, (size_t)ix->rows[j], &dec[p], &tr, &err);
          traces++;
        }
      }
      bytes += tr.len;
      np_buf_free(&tr);
    }
    double ms = now_ms() - t0;
    sum += ms;
    if (ms > worst) worst = ms;
  }
  printf("explain enterprise %zu: %zu decisions with full traces (%zu bytes JSON), mean %.2f ms, worst %.2f ms (5 runs)\n",
         erow + 1, traces, bytes, sum / 5, worst);
  for (int p = 0; p < pkg->npolicies; p++) np_policy_decisions_free(&dec[p]);
  free(dec);
  np_policy_facts_free(F);
  np_policy_package_free(pkg);
  np_store_close(st);
  return 0;
}
