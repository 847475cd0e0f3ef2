/* nineplus demo: load a deterministic synthetic data set into a migrated database. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli/cli.h"
#include "demo/demo.h"
#include "demo/steps.h"
#include "store/store.h"

static void demo_usage(FILE *f) {
  fprintf(f, "usage: nineplus demo [--db URL] [--seed N] [--scale small|city|province]\n"
             "       nineplus demo --list-accounts\n\n"
             "Loads a deterministic synthetic data set on the real Shandong region codes into a database\n"
             "that `nineplus migrate` has prepared. The same seed and scale give the same data.\n"
             "Demo accounts have known passwords: never load demo data into a production database.\n");
}

int np_cmd_demo(int argc, char **argv) {
  const char *db = np_cli_default_db();
  uint64_t seed = 2023;
  np_demo_scale scale = NP_DEMO_SMALL;
  static const struct option opts[] = {{"db", required_argument, 0, 'd'}, {"seed", required_argument, 0, 's'},
                                       {"scale", required_argument, 0, 'c'}, {"help", no_argument, 0, 'h'},
                                       {"list-accounts", no_argument, 0, 'l'},
                                       {0, 0, 0, 0}};
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (c) {
    case 'd': db = optarg; break;
    case 's': {
      char *end = NULL;
      errno = 0;
      unsigned long long v = strtoull(optarg, &end, 10);
      if (errno || !end || *end || optarg[0] == '-' || optarg[0] == '\0') {
        fprintf(stderr, "nineplus demo: --seed must be a non-negative integer\n");
        return 2;
      }
      seed = v;
      break;
    }
    case 'c':
      if (np_demo_scale_parse(optarg, &scale) != NP_OK) {
        fprintf(stderr, "nineplus demo: --scale must be small, city or province\n");
        return 2;
      }
      break;
    case 'h': demo_usage(stdout); return 0;
    case 'l': np_demo_print_accounts(stdout); return 0;
    default: demo_usage(stderr); return 2;
    }
  }
  np_errdetail_t err = {0};
  np_store_t *s = NULL;
  int rc = 1;
  if (!np_cli_load_keys(db, "demo")) return 1;
  if (np_store_open(db, &s, &err) != NP_OK) {
    fprintf(stderr, "nineplus demo: cannot open %s: %s\n", db, err.message);
    return 1;
  }
  int dbv = 0, binv = 0;
  if (np_store_schema_version(s, &dbv, &binv, &err) != NP_OK || dbv != binv) {
    fprintf(stderr, "nineplus demo: the database is at schema %d, this binary at %d: run `nineplus migrate` first\n",
            dbv, binv);
    goto out;
  }
  int64_t loaded = 0;
  bool found = false;
  if (np_store_query_int64(s, "SELECT COUNT(*) FROM demo_runs", &loaded, &found, &err) != NP_OK) {
    fprintf(stderr, "nineplus demo: %s\n", err.message);
    goto out;
  }
  if (loaded > 0) {
    fprintf(stderr, "nineplus demo: this database already holds demo data; use a new database\n");
    goto out;
  }
  np_demo_ctx_t ctx = {.store = s, .scale = scale, .seed = seed, .report = stdout};
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  if (np_demo_run(&ctx, &err) != NP_OK) {
    fprintf(stderr, "nineplus demo: %s%s%s\n", err.message, err.field[0] ? " — " : "", err.field);
    goto out;
  }
  char now[32];
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (np_store_begin(s, &err) || np_store_execf(s, NULL, &err, "INSERT INTO demo_runs(seed, scale, loaded_at) VALUES (?, ?, ?)",
                                               "itt", (int64_t)seed, np_demo_scale_name(scale), now) ||
      np_store_change(s, "demo_run", np_demo_scale_name(scale), "insert", NULL, &err) || np_store_commit(s, &err)) {
    np_store_rollback(s);
    fprintf(stderr, "nineplus demo: %s\n", err.message);
    goto out;
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  printf("demo data loaded: scale %s, seed %" PRIu64 ", %.1f s\n", np_demo_scale_name(scale), seed,
         (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
  rc = 0;
out:
  np_store_close(s);
  return rc;
}
