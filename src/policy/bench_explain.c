/*
 * nineplus policy bench-explain: in-process timing of one enterprise's seven explained decisions on a
 * database with a stored run (bench/61-policy-explain.sh): its refund, start-up loan and special-loan
 * decisions, the expansion and social-insurance subsidies of one of its hires, the internship subsidy of
 * one of its interns and the skill subsidy of a certificate of one of its hires — each np_policy_explain,
 * the path behind GET /api/v1/policy-runs/{id}/decisions/{entity} (one entity's rows, indexed queries).
 * Samples are enterprises with a hire, an intern and a hire's certificate, spread over the id range.
 * --list FILE writes the samples for the HTTP side (one line each: enterprise spell internship certificate).
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/buf.h"
#include "core/str.h"
#include "policy/bench.h"
#include "policy/run.h"
#include "policy/runjob.h"
#include "store/store.h"

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

typedef struct sample {
  int64_t ent, spell, intern, cert;
} sample_t;

static int64_t q1(np_store_t *s, const char *sql, int64_t v) {
  int64_t out = 0;
  bool found = false;
  np_errdetail_t err = {0};
  if (np_store_queryf_int64(s, &out, &found, &err, sql, "i", v) || !found) return 0;
  return out;
}

int np_policy_bench_explain_main(int argc, char **argv) {
  static const struct option lo[] = {{"db", required_argument, 0, 'd'}, {"run", required_argument, 0, 'r'},
                                     {"samples", required_argument, 0, 'n'}, {"list", required_argument, 0, 'l'},
                                     {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
  const char *db = getenv("NP_DB") ? getenv("NP_DB") : "sqlite:var/nineplus.db", *list = NULL;
  int64_t run = 0, nsamples = 200;
  optind = 1;
  int c;
  while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
    switch (c) {
    case 'd': db = optarg; break;
    case 'r':
      if (np_parse_int64(optarg, strlen(optarg), 1, INT64_MAX, &run)) return 2;
      break;
    case 'n':
      if (np_parse_int64(optarg, strlen(optarg), 1, 100000, &nsamples)) return 2;
      break;
    case 'l': list = optarg; break;
    case 'h':
      printf("usage: nineplus policy bench-explain [--db URL] [--run ID] [--samples N] [--list FILE]\n");
      return 0;
    default: return 2;
    }
  }
  np_errdetail_t err = {0};
  np_store_t *s = NULL;
  np_ppackage_t *pkg = NULL;
  char overlay[65];
  sample_t *sm = calloc((size_t)nsamples, sizeof *sm);
  double *ms = calloc((size_t)nsamples, sizeof *ms);
  int rc = 1;
  if (!sm || !ms) goto out;
  if (np_store_open(db, &s, &err) || np_policy_overlay_load(s, &pkg, overlay, &err)) {
    fprintf(stderr, "bench-explain: %s\n", err.message);
    goto out;
  }
  if (!run) run = q1(s, "SELECT MAX(id) FROM policy_runs WHERE status = 'done' AND policy = 'all' AND id > ?", 0);
  if (!run) {
    fprintf(stderr, "bench-explain: no done run of all policies (nineplus policy run all --as-of …)\n");
    goto out;
  }
  /* samples: enterprises of interns spread over the internship ids, with a hire and a hire's certificate */
  int64_t nint = q1(s, "SELECT COUNT(*) FROM policy_internships WHERE id > ?", 0), step = nint / (nsamples * 4) + 1, n = 0;
  for (int64_t id = 1; id <= nint && n < nsamples; id += step + id % 13) { /* jitter: no arithmetic lock-step with the data */
    sample_t x = {0};
    x.ent = q1(s, "SELECT enterprise_id FROM policy_internships WHERE id = ?", id);
    if (!x.ent) continue;
    x.intern = id;
    x.spell = q1(s, "SELECT MIN(id) FROM policy_spells WHERE enterprise_id = ?", x.ent);
    x.cert = q1(s, "SELECT MIN(c.id) FROM policy_spells s JOIN policy_certificates c ON c.person_id = s.person_id WHERE s.enterprise_id = ?",
                x.ent);
    if (x.spell && x.cert) sm[n++] = x;
  }
  if (n == 0) {
    fprintf(stderr, "bench-explain: no enterprise with a hire, an intern and a certificate\n");
    goto out;
  }
  FILE *lf = list ? fopen(list, "w") : NULL;
  size_t bytes = 0;
  for (int64_t i = -1; i < n; i++) { /* i = −1: one warm-up pass */
    const sample_t *x = &sm[i < 0 ? 0 : i];
    const struct {
      const char *policy;
      int64_t id;
    } seven[7] = {{"ui_job_stabilisation_refund", x->ent}, {"startup_guarantee_loan", x->ent},   {"special_loan_whitelist", x->ent},
                  {"one_time_job_expansion_subsidy", x->spell}, {"social_insurance_subsidy", x->spell},
                  {"employment_internship_subsidy", x->intern}, {"skill_upgrade_subsidy", x->cert}};
    double t0 = now_ms();
    for (int k = 0; k < 7; k++) {
      np_buf_t b;
      np_buf_init(&b, 0);
      if (np_policy_explain(s, pkg, seven[k].policy, seven[k].id, run, &b, &err)) {
        fprintf(stderr, "bench-explain: %s %" PRId64 ": %s\n", seven[k].policy, seven[k].id, err.message);
        np_buf_free(&b);
        if (lf) fclose(lf);
        goto out;
      }
      if (i >= 0) bytes += b.len;
      np_buf_free(&b);
    }
    if (i >= 0) {
      ms[i] = now_ms() - t0;
      if (lf) fprintf(lf, "%" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 "\n", x->ent, x->spell, x->intern, x->cert);
    }
  }
  if (lf) fclose(lf);
  double sum = 0;
  for (int64_t i = 0; i < n; i++) sum += ms[i];
  qsort(ms, (size_t)n, sizeof *ms, cmp_d);
  size_t p99 = (size_t)((double)n * 0.99);
  if (p99 >= (size_t)n) p99 = (size_t)n - 1;
  printf("run %" PRId64 ": %" PRId64 " enterprises x 7 explained decisions in process: p50 %.2f ms, p99 %.2f ms, mean %.2f ms, max %.2f ms "
         "(%.1f KB of JSON per enterprise)\n",
         run, n, ms[n / 2], ms[p99], sum / (double)n, ms[n - 1], (double)bytes / (double)n / 1024.0);
  rc = 0;
out:
  free(sm);
  free(ms);
  np_policy_package_free(pkg);
  np_store_close(s);
  return rc;
}
