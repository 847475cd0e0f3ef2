/* nineplus demands expire: the daily expiry sweep of demand lines (cron / systemd timer). */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "core/date.h"
#include "firms/demands.h"
#include "store/store.h"

static void demands_usage(FILE *f) {
  fprintf(f, "usage: nineplus demands expire [--db URL] [--today YYYY-MM-DD]\n\n"
             "Marks every open or partly filled demand line whose needed_by date has passed as expired\n"
             "(history, change feed, one audit row, enterprise open-openings counters). Idempotent. The\n"
             "server also runs it on the first demand request of each Asia/Shanghai day; run this daily\n"
             "(for example a systemd timer at 00:05) so lists are right before anyone asks.\n"
             "  --today D  the day to sweep for (default: today in Asia/Shanghai)\n");
}

int np_cmd_demands(int argc, char **argv) {
  const char *db = np_cli_default_db(), *today_s = NULL;
  static const struct option opts[] = {
    {"db", required_argument, 0, 'd'}, {"today", required_argument, 0, 't'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
  if (argc < 2 || strcmp(argv[1], "expire") != 0) {
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
      demands_usage(stdout);
      return 0;
    }
    demands_usage(stderr);
    return 2;
  }
  int c;
  optind = 2;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (c) {
    case 'd': db = optarg; break;
    case 't': today_s = optarg; break;
    case 'h': demands_usage(stdout); return 0;
    default: demands_usage(stderr); return 2;
    }
  }
  np_date_t today = np_date_today();
  if (today_s && np_date_parse(today_s, strlen(today_s), &today) != NP_OK) {
    fprintf(stderr, "nineplus demands: --today must be YYYY-MM-DD\n");
    return 2;
  }
  np_store_t *s = NULL;
  np_errdetail_t err = {0};
  int64_t n = 0;
  np_err rc = np_store_open(db, &s, &err);
  if (rc == NP_OK) rc = np_firms_demands_expire(s, today, &n, &err);
  np_store_close(s);
  if (rc) {
    fprintf(stderr, "nineplus demands expire: %s\n", err.message);
    return 1;
  }
  char d[NP_DATE_STRLEN];
  np_date_format(today, d, sizeof d);
  printf("expired %" PRId64 " demand lines needed before %s\n", n, d);
  return 0;
}
