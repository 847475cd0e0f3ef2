#include "cli/cli.h"
#include "crypto/crypto.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *np_cli_default_db(void) {
  const char *e = getenv("NP_DB");
  return (e && *e) ? e : "sqlite:var/nineplus.db";
}

const char *np_cli_sub(int argc, char **argv, const char *const subs[], void (*usage)(FILE *), int *exit_code) {
  if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    usage(argc < 2 ? stderr : stdout);
    *exit_code = argc < 2 ? 2 : 0;
    return NULL;
  }
  for (size_t i = 0; subs[i]; i++)
    if (strcmp(argv[1], subs[i]) == 0) return subs[i];
  fprintf(stderr, "nineplus %s: unknown sub-command '%s'\n\n", argv[0], argv[1]);
  usage(stderr);
  *exit_code = 2;
  return NULL;
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
