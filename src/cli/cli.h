/* The `nineplus` command line: one entry per sub-command, each implemented in src/cli/cmd_<name>.c. */
#ifndef NP_CLI_CLI_H
#define NP_CLI_CLI_H
#include <stdio.h>

typedef struct np_cli_cmd {
  const char *name;
  const char *summary;
  int (*run)(int argc, char **argv); /* argv[0] is the sub-command name; returns the exit code */
} np_cli_cmd_t;

/** Default database URL: $NP_DB, else "sqlite:var/nineplus.db". */
const char *np_cli_default_db(void);

/**
 * Loads the master key for the database at db_url (NP_MASTER_KEY, or the 0600 key file beside it,
 * created at first use) so personal data can be sealed and looked up. Prints the reason and returns
 * false on failure.
 */
int np_cli_load_keys(const char *db_url, const char *who);

/**
 * The sub-command of `nineplus <command> <sub> [options]`: argv[1] when it is one of subs (NULL-ended).
 * Otherwise prints the usage — to stdout with exit code 0 for --help/-h, else to stderr (naming an
 * unknown sub-command) with exit code 2 — and returns NULL with *exit_code set.
 */
const char *np_cli_sub(int argc, char **argv, const char *const subs[], void (*usage)(FILE *), int *exit_code);

/** True when argv has --help or -h. */
int np_cli_wants_help(int argc, char **argv);

int np_cmd_migrate(int argc, char **argv);
int np_cmd_demo(int argc, char **argv);
/** nineplus serve: the HTTP API and the web UI (src/cli/cmd_serve.c). */
int np_cmd_serve(int argc, char **argv);
/** nineplus audit verify|purge (src/cli/cmd_audit.c). */
int np_cmd_audit(int argc, char **argv);
/** nineplus user add|passwd|lock|unlock|list|sweep (src/cli/cmd_user.c). */
int np_cmd_user(int argc, char **argv);
/** nineplus demands expire: the daily expiry sweep of demand lines (src/cli/cmd_demands.c). */
int np_cmd_demands(int argc, char **argv);
/** nineplus keys status|add|reseal|rotate: master-key versions and re-sealing (src/cli/cmd_keys.c). */
int np_cmd_keys(int argc, char **argv);

#endif
