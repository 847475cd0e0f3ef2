#include "cli/cli.h"
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
