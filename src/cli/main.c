/* nineplus: entry point. Wires the sub-commands of every capability. */
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "policy/bench.h"
#include "match/bench_match.h"

static const np_cli_cmd_t commands[] = {
  {"migrate", "create or upgrade the database and load the reference data", np_cmd_migrate},
  {"serve", "serve the API and the web UI (--listen 127.0.0.1:8080)", np_cmd_serve},
  {"user", "manage accounts: add, passwd, lock, unlock, list, sweep", np_cmd_user},
  {"demo", "load a deterministic synthetic data set (--scale small|city|province)", np_cmd_demo},
  {"audit", "verify the audit log hash chain, or purge rows older than a year", np_cmd_audit},
  {"keys", "master-key versions: status, add a version, re-seal personal data (rotate)", np_cmd_keys},
  {"demands", "expire demand lines whose needed-by date has passed (run daily)", np_cmd_demands},
  {"policy", "rules engine: run, test, import facts, explain decisions (docs/POLICY.md)", np_cmd_policy},
  {"bench-match", "benchmark the matching engine (bench/50-match.sh)", np_match_bench_main},
};

static void usage(FILE *f) {
  fprintf(f, "nineplus %s: employment services for Shandong's Nine Plus plan\n\n"
             "usage: nineplus <command> [options]   (nineplus <command> --help for details)\n\ncommands:\n",
          NP_VERSION);
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
}

int main(int argc, char **argv) {
  if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
    usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
    printf("nineplus %s\n", NP_VERSION);
    return 0;
  }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (strcmp(argv[1], commands[i].name) == 0) return commands[i].run(argc - 1, argv + 1);
  fprintf(stderr, "nineplus: unknown command '%s'\n\n", argv[1]);
  usage(stderr);
  return 2;
}
