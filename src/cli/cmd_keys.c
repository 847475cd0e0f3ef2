/* nineplus keys status|add|reseal|rotate: master-key versions and re-sealing personal data. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "audit/audit.h"
#include "cli/cli.h"
#include "crypto/crypto.h"
#include "crypto/rotate.h"
#include "store/store.h"

static void keys_usage(FILE *f) {
  fprintf(f, "usage: nineplus keys status|add|reseal|rotate [--db URL] [--key-file PATH]\n\n"
             "status  the key versions in the key file and how many sealed values each column holds per version\n"
             "add     adds a fresh key as the next version to the key file (the old versions stay); restart the\n"
             "        servers afterwards: they seal new values with the newest version they loaded\n"
             "reseal  re-seals every value sealed with an older version with the newest one (resumable, in\n"
             "        audited transactions; servers may keep running once they have loaded the new version)\n"
             "rotate  add, then reseal: run it while the servers are stopped\n\n"
             "The key file is the one beside the database (or --key-file). NP_MASTER_KEY cannot be rotated\n"
             "by this command: move the key into a file first.\n");
}

static int do_status(np_store_t *s, const char *path) {
  np_crypto_key_t keys[NP_CRYPTO_MAX_VERSIONS];
  size_t n = 0;
  np_errdetail_t err = {0};
  np_sealed_census_t census[32];
  if (np_sealed_ncolumns > sizeof census / sizeof census[0]) return 1;
  if (np_crypto_load_key_file(path, keys, NP_CRYPTO_MAX_VERSIONS, &n, &err)) {
    fprintf(stderr, "nineplus keys: %s\n", err.message);
    return 1;
  }
  printf("key file %s: %zu version(s):", path, n);
  int top = 0;
  for (size_t i = 0; i < n; i++) {
    printf(" %d", keys[i].version);
    if (keys[i].version > top) top = keys[i].version;
  }
  printf("; new values are sealed with version %d\n", top);
  np_crypto_wipe(keys, sizeof keys);
  if (np_crypto_sealed_census(s, census, &err)) {
    fprintf(stderr, "nineplus keys: %s\n", err.message);
    return 1;
  }
  int64_t old = 0;
  for (size_t i = 0; i < np_sealed_ncolumns; i++) {
    printf("%-22s %-18s %8" PRId64 " values", np_sealed_columns[i].table, np_sealed_columns[i].col, census[i].total);
    for (int v = 1; v <= NP_CRYPTO_MAX_VERSIONS; v++)
      if (census[i].by_version[v]) printf("  v%d: %" PRId64, v, census[i].by_version[v]);
    if (census[i].by_version[0]) printf("  not sealed text: %" PRId64, census[i].by_version[0]);
    printf("\n");
    for (int v = 1; v < top; v++) old += census[i].by_version[v];
  }
  printf("%" PRId64 " values sealed with an older version%s\n", old, old ? " (nineplus keys reseal)" : "");
  return 0;
}

static int do_add(const char *path) {
  int v = 0;
  np_errdetail_t err = {0};
  if (np_crypto_key_file_add_version(path, &v, &err)) {
    fprintf(stderr, "nineplus keys add: %s\n", err.message);
    return 1;
  }
  printf("key file %s: version %d added; restart the servers, then run nineplus keys reseal\n", path, v);
  return 0;
}

static int do_reseal(np_store_t *s, const char *path) {
  np_errdetail_t err = {0};
  if (np_crypto_init(path, &err)) {
    fprintf(stderr, "nineplus keys reseal: %s\n", err.message);
    return 1;
  }
  char user[64] = "", detail[128];
  if (getlogin_r(user, sizeof user) != 0) user[0] = '\0';
  snprintf(detail, sizeof detail, "command line (os user %s)", user[0] ? user : "unknown");
  np_audit_entry_t actor = {.username = "cli", .detail = detail};
  int64_t n = 0;
  if (np_crypto_reseal(s, &actor, 0, &n, &err)) {
    fprintf(stderr, "nineplus keys reseal: %s (what was re-sealed before stays; run it again to go on)\n", err.message);
    return 1;
  }
  printf("re-sealed %" PRId64 " values with key version %d\n", n, np_crypto_key_version());
  return 0;
}

int np_cmd_keys(int argc, char **argv) {
  const char *db = np_cli_default_db(), *key_file = NULL;
  static const struct option opts[] = {{"db", required_argument, 0, 'd'}, {"key-file", required_argument, 0, 'k'},
                                       {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
  static const char *const subs[] = {"status", "add", "reseal", "rotate", NULL};
  int code = 0;
  const char *sub = np_cli_sub(argc, argv, subs, keys_usage, &code);
  if (!sub) return code;
  int c;
  optind = 1;
  while ((c = getopt_long(argc - 1, argv + 1, "h", opts, NULL)) != -1) {
    switch (c) {
    case 'd': db = optarg; break;
    case 'k': key_file = optarg; break;
    case 'h': keys_usage(stdout); return 0;
    default: keys_usage(stderr); return 2;
    }
  }
  if (optind < argc - 1) {
    fprintf(stderr, "nineplus keys: unexpected argument '%s'\n", argv[optind + 1]);
    return 2;
  }
  const char *env = getenv("NP_MASTER_KEY");
  if (env && *env) {
    fprintf(stderr, "nineplus keys: NP_MASTER_KEY is set; key versions live in the key file (unset it, or move it there)\n");
    return 2;
  }
  char path[1024];
  if (!key_file) key_file = np_crypto_key_path_for_db(db, path, sizeof path) == NP_OK ? path : NP_CRYPTO_DEFAULT_KEY_FILE;
  if (strcmp(sub, "add") == 0) return do_add(key_file);
  np_errdetail_t err = {0};
  np_store_t *s = NULL;
  if (np_store_open(db, &s, &err) != NP_OK) {
    fprintf(stderr, "nineplus keys: cannot open %s: %s\n", db, err.message);
    return 1;
  }
  int rc;
  if (strcmp(sub, "status") == 0) rc = do_status(s, key_file);
  else if (strcmp(sub, "reseal") == 0) rc = do_reseal(s, key_file);
  else rc = do_add(key_file) ? 1 : do_reseal(s, key_file);
  np_store_close(s);
  return rc;
}
