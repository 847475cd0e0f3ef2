/* nineplus policy run|test|import|explain: the rules engine from the command line (docs/POLICY.md). */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "core/date.h"
#include "core/money.h"
#include "core/str.h"
#include "policy/bench.h"
#include "policy/cases.h"
#include "policy/package.h"
#include "policy/run.h"
#include "ref/ref.h"
#include "store/store.h"

#define DEFAULT_PACKAGE "shandong-2023"

static void usage(FILE *f) {
  fprintf(f,
          "usage: nineplus policy <command> [options]\n\n"
          "  run <policy|all> --as-of DATE [--db URL] [--package NAME|DIR] [--threads N]\n"
          "        evaluate a policy (or every policy) over the facts in the database; stores the run and\n"
          "        one decision per entity; prints the run id, hashes and totals\n"
          "  test [--package DIR] [--cases DIR] [--db URL]\n"
          "        run the package's YAML test cases (default tests/policy) through both evaluation paths;\n"
          "        --db gives the minimum-wage table (a migrated database), else min-wage lookups are unknown\n"
          "  import <facts|persons|spells|internships|certificates> FILE [--db URL] [--valid-only]\n"
          "        import a CSV extract (UTF-8 or GB18030, docs/POLICY-DATA.md); all-or-nothing unless --valid-only\n"
          "  explain <policy> <entity-id> --run ID [--db URL] [--package NAME|DIR]\n"
          "        rebuild the full trace of one decision of a run (JSON)\n"
          "  bench-explain [--db URL] [--run ID] [--samples N] [--list FILE]\n"
          "        time one enterprise's seven explained decisions in process (bench/61-policy-explain.sh)\n"
          "  check [--package NAME|DIR]\n"
          "        load a package and report its policies and parameters (load-time checks)\n");
}

static np_err load_pkg(const char *spec, np_ppackage_t **pkg, np_errdetail_t *err) {
  if (strchr(spec, '/')) return np_policy_package_load_dir(spec, pkg, err);
  return np_policy_package_load_embedded(spec, pkg, err);
}

typedef struct opts {
  const char *db, *package, *as_of, *cases, *run;
  int threads;
  bool valid_only, no_decisions;
} opts_t;

static int parse_opts(int argc, char **argv, int first, opts_t *o) {
  static const struct option lo[] = {{"db", required_argument, 0, 'd'},      {"package", required_argument, 0, 'p'},
                                     {"as-of", required_argument, 0, 'a'},   {"cases", required_argument, 0, 'c'},
                                     {"run", required_argument, 0, 'r'},     {"threads", required_argument, 0, 't'},
                                     {"valid-only", no_argument, 0, 'v'},    {"no-decisions", no_argument, 0, 'n'},
                                     {"help", no_argument, 0, 'h'},          {0, 0, 0, 0}};
  optind = first;
  int c;
  while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
    switch (c) {
    case 'd': o->db = optarg; break;
    case 'p': o->package = optarg; break;
    case 'a': o->as_of = optarg; break;
    case 'c': o->cases = optarg; break;
    case 'r': o->run = optarg; break;
    case 't': {
      int64_t t;
      if (np_parse_int64(optarg, strlen(optarg), 1, 64, &t)) return -1;
      o->threads = (int)t;
      break;
    }
    case 'v': o->valid_only = true; break;
    case 'n': o->no_decisions = true; break;
    case 'h': usage(stdout); return 1;
    default: return -1;
    }
  }
  return 0;
}

static int cmd_run(int argc, char **argv) {
  opts_t o = {np_cli_default_db(), DEFAULT_PACKAGE, NULL, NULL, NULL, 2, false, false};
  if (argc < 3) {
    usage(stderr);
    return 2;
  }
  const char *policy = argv[2];
  int pr = parse_opts(argc, argv, 3, &o);
  if (pr) return pr > 0 ? 0 : (usage(stderr), 2);
  np_date_t as_of;
  if (!o.as_of || np_date_parse(o.as_of, strlen(o.as_of), &as_of)) {
    fprintf(stderr, "nineplus policy run: --as-of YYYY-MM-DD is required\n");
    return 2;
  }
  np_errdetail_t err = {0};
  np_ppackage_t *pkg = NULL;
  np_store_t *s = NULL;
  np_prun_summary_t sum;
  np_err r = load_pkg(o.package, &pkg, &err);
  if (!r) r = np_store_open(o.db, &s, &err);
  if (!r) r = np_policy_run(s, pkg, policy, as_of.days, o.threads, !o.no_decisions, &sum, &err);
  if (r) {
    fprintf(stderr, "nineplus policy run: %s\n", err.message);
    np_store_close(s);
    np_policy_package_free(pkg);
    return 1;
  }
  char amt[NP_MONEY_STRLEN];
  np_money_format(sum.amount_fen, amt, sizeof amt);
  printf("run %" PRId64 ": %s as of %s (package %s)\n", sum.run_id, policy, o.as_of, pkg->name);
  printf("  decisions %" PRId64 ", eligible %" PRId64 ", amount %s yuan\n", sum.decisions, sum.eligible, amt);
  printf("  input_hash   %s\n  ruleset_hash %s\n  result_hash  %s\n", sum.input_hash, sum.ruleset_hash, sum.result_hash);
  printf("  load %.0f ms, evaluate %.0f ms, hash %.0f ms, store %.0f ms\n", sum.load_ms, sum.eval_ms, sum.hash_ms, sum.store_ms);
  np_store_close(s);
  np_policy_package_free(pkg);
  return 0;
}

static int cmd_test(int argc, char **argv) {
  opts_t o = {NULL, NULL, NULL, "tests/policy", NULL, 2, false, false};
  int pr = parse_opts(argc, argv, 2, &o);
  if (pr) return pr > 0 ? 0 : (usage(stderr), 2);
  np_errdetail_t err = {0};
  np_ppackage_t *pkg = NULL;
  np_store_t *s = NULL;
  const np_ref_t *ref = NULL;
  np_err r = load_pkg(o.package ? o.package : DEFAULT_PACKAGE, &pkg, &err);
  if (!r && o.db) {
    r = np_store_open(o.db, &s, &err);
    if (!r && !(ref = np_ref_shared(s, &err))) r = NP_ERR_SCHEMA;
  }
  np_pcase_stats_t st = {0};
  if (!r) r = np_policy_cases_run_dir(pkg, ref, o.cases, stdout, &st, &err);
  if (r) {
    fprintf(stderr, "nineplus policy test: %s\n", err.message);
    np_store_close(s);
    np_policy_package_free(pkg);
    return 1;
  }
  printf("%d cases, %d passed, %d failed (%d expectations; both evaluation paths compared)%s\n", st.cases, st.passed,
         st.failed, st.checks, ref ? "" : " [no --db: minimum wages unknown]");
  np_store_close(s);
  np_policy_package_free(pkg);
  return st.failed ? 1 : 0;
}

static int cmd_explain(int argc, char **argv) {
  opts_t o = {np_cli_default_db(), DEFAULT_PACKAGE, NULL, NULL, NULL, 1, false, false};
  if (argc < 4) {
    usage(stderr);
    return 2;
  }
  int pr = parse_opts(argc, argv, 4, &o);
  if (pr) return pr > 0 ? 0 : (usage(stderr), 2);
  int64_t id, run;
  if (np_parse_int64(argv[3], strlen(argv[3]), 1, INT64_MAX, &id) || !o.run ||
      np_parse_int64(o.run, strlen(o.run), 1, INT64_MAX, &run)) {
    fprintf(stderr, "nineplus policy explain: <policy> <entity-id> --run ID\n");
    return 2;
  }
  np_errdetail_t err = {0};
  np_ppackage_t *pkg = NULL;
  np_store_t *s = NULL;
  np_buf_t b;
  np_buf_init(&b, 0);
  np_err r = load_pkg(o.package, &pkg, &err);
  if (!r) r = np_store_open(o.db, &s, &err);
  if (!r) r = np_policy_explain(s, pkg, argv[2], id, run, &b, &err);
  if (r) fprintf(stderr, "nineplus policy explain: %s\n", err.message);
  else printf("%s\n", np_buf_cstr(&b));
  np_buf_free(&b);
  np_store_close(s);
  np_policy_package_free(pkg);
  return r ? 1 : 0;
}

static int cmd_import(int argc, char **argv) {
  opts_t o = {np_cli_default_db(), NULL, NULL, NULL, NULL, 1, false, false};
  if (argc < 4) {
    usage(stderr);
    return 2;
  }
  int pr = parse_opts(argc, argv, 4, &o);
  if (pr) return pr > 0 ? 0 : (usage(stderr), 2);
  np_errdetail_t err = {0};
  np_store_t *s = NULL;
  np_pimport_stats_t st = {0};
  np_err r = np_store_open(o.db, &s, &err);
  if (!r) r = np_policy_import(s, argv[2], argv[3], !o.valid_only, stderr, &st, &err);
  np_store_close(s);
  printf("%" PRId64 " rows: %" PRId64 " imported, %" PRId64 " rejected\n", st.rows, st.imported, st.rejected);
  if (r) {
    fprintf(stderr, "nineplus policy import: %s\n", err.message);
    return 1;
  }
  return 0;
}

static int cmd_check(int argc, char **argv) {
  opts_t o = {NULL, DEFAULT_PACKAGE, NULL, NULL, NULL, 1, false, false};
  int pr = parse_opts(argc, argv, 2, &o);
  if (pr) return pr > 0 ? 0 : (usage(stderr), 2);
  np_errdetail_t err = {0};
  np_ppackage_t *pkg = NULL;
  if (load_pkg(o.package, &pkg, &err)) {
    fprintf(stderr, "%s\n", err.message);
    return 1;
  }
  printf("package %s: %d policies, %d parameters, ruleset %s\n", pkg->name, pkg->npolicies, pkg->nparams, pkg->ruleset_hash);
  for (int i = 0; i < pkg->npolicies; i++)
    printf("  %-34s %-11s %s (%d version%s)\n", pkg->policies[i].code, np_policy_kind(pkg->policies[i].entity)->name,
           pkg->policies[i].zh, pkg->policies[i].nversions, pkg->policies[i].nversions == 1 ? "" : "s");
  np_policy_package_free(pkg);
  return 0;
}

int np_cmd_policy(int argc, char **argv) {
  if (argc < 2 || np_cli_wants_help(argc, argv) == 1) {
    usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  if (strcmp(argv[1], "run") == 0) return cmd_run(argc, argv);
  if (strcmp(argv[1], "test") == 0) return cmd_test(argc, argv);
  if (strcmp(argv[1], "explain") == 0) return cmd_explain(argc, argv);
  if (strcmp(argv[1], "import") == 0) return cmd_import(argc, argv);
  if (strcmp(argv[1], "check") == 0) return cmd_check(argc, argv);
  if (strcmp(argv[1], "bench") == 0) return np_policy_bench_main(argc - 1, argv + 1);
  if (strcmp(argv[1], "bench-explain") == 0) return np_policy_bench_explain_main(argc - 1, argv + 1);
  fprintf(stderr, "nineplus policy: unknown command '%s'\n", argv[1]);
  usage(stderr);
  return 2;
}
