/* nineplus audit verify|purge: check the SM3 chain of the audit log; remove rows older than a year. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "audit/audit.h"
#include "cli/cli.h"
#include "core/date.h"
#include "store/store.h"

static void audit_usage(FILE *f) {
  fprintf(f, "usage: nineplus audit verify [--db URL]\n"
             "       nineplus audit purge [--db URL] --before YYYY-MM-DD\n\n"
             "verify  recomputes the SM3 hash chain of the audit log. Prints \"audit chain ok: N rows\" and\n"
             "        exits 0, or prints \"audit chain broken at seq N: <reason>\" and exits 1.\n"
             "purge   removes the rows stamped before YYYY-MM-DD 00:00 Asia/Shanghai (a prefix of the\n"
             "        chain). Rows younger than %d days are never removed; the chain must verify first.\n"
             "        The purge records an anchor and is itself audited.\n",
          NP_AUDIT_RETENTION_DAYS);
}

static int do_verify(np_store_t *s) {
  int64_t rows = 0, broken = 0;
  char reason[256] = "";
  np_errdetail_t err = {0};
  np_err rc = np_audit_verify(s, &rows, &broken, reason, &err);
  if (rc == NP_OK) {
    printf("audit chain ok: %" PRId64 " rows\n", rows);
    return 0;
  }
  if (rc == NP_ERR_CONFLICT) {
    printf("audit chain broken at seq %" PRId64 ": %s\n", broken, reason);
    return 1;
  }
  fprintf(stderr, "nineplus audit verify: %s\n", err.message);
  return 1;
}

static int do_purge(np_store_t *s, const char *before) {
  np_date_t d;
  np_errdetail_t err = {0};
  if (!before || np_date_parse(before, strlen(before), &d) != NP_OK) {
    fprintf(stderr, "nineplus audit purge: --before YYYY-MM-DD is required\n");
    return 2;
  }
  char user[64] = "";
  if (getlogin_r(user, sizeof user) != 0) user[0] = '\0';
  char detail[128];
  snprintf(detail, sizeof detail, "command line (os user %s)", user[0] ? user : "unknown");
  np_audit_entry_t actor = {.username = "cli", .role = NULL, .ip = NULL, .detail = detail};
  int64_t removed = 0;
  np_err rc = np_audit_purge(s, d, &actor, &removed, &err);
  if (rc) {
    fprintf(stderr, "nineplus audit purge: %s\n", err.message);
    return 1;
  }
  printf("audit purge: %" PRId64 " rows removed (before %s)\n", removed, before);
  return 0;
}

int np_cmd_audit(int argc, char **argv) {
  const char *db = np_cli_default_db(), *before = NULL;
  static const struct option opts[] = {{"db", required_argument, 0, 'd'}, {"before", required_argument, 0, 'b'},
                                       {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
  static const char *const subs[] = {"verify", "purge", NULL};
  int code = 0;
  const char *sub = np_cli_sub(argc, argv, subs, audit_usage, &code);
  if (!sub) return code;
  int c;
  optind = 1;
  while ((c = getopt_long(argc - 1, argv + 1, "h", opts, NULL)) != -1) {
    switch (c) {
    case 'd': db = optarg; break;
    case 'b': before = optarg; break;
    case 'h': audit_usage(stdout); return 0;
    default: audit_usage(stderr); return 2;
    }
  }
  if (optind < argc - 1) {
    fprintf(stderr, "nineplus audit: unexpected argument '%s'\n", argv[optind + 1]);
    return 2;
  }
  np_errdetail_t err = {0};
  np_store_t *s = NULL;
  if (np_store_open(db, &s, &err) != NP_OK) {
    fprintf(stderr, "nineplus audit: cannot open %s: %s\n", db, err.message);
    return 1;
  }
  int rc = strcmp(sub, "verify") == 0 ? do_verify(s) : do_purge(s, before);
  np_store_close(s);
  return rc;
}
