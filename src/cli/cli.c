#include "cli/cli.h"
#include "crypto/crypto.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *np_cli_default_db(void) {
  const char *e = getenv("NP_DB");
  return (e && *e) ? e : "sqlite:var/nineplus.db";
}

int np_cli_wants_help(int argc, char **argv) {
  for (int i = 1; i < argc; i++)
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) return 1;
  return 0;
}

int np_cli_load_keys(const char *db_url, const char *who) {
  char path[1024];
  np_errdetail_t err = {0};
  const char *key_file = np_crypto_key_path_for_db(db_url, path, sizeof path) == NP_OK ? path : NULL;
  if (np_crypto_init(key_file, &err) != NP_OK) {
    fprintf(stderr, "nineplus %s: cannot load the master key: %s\n", who, err.message);
    return 0;
  }
  return 1;
}
