/* nineplus migrate: create or upgrade the database schema, then load the reference data. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "cli/cli.h"
#include "ref/ref.h"
#include "store/store.h"

static void migrate_usage(FILE *f) {
  fprintf(f, "usage: nineplus migrate [--db URL]\n\n"
             "Creates the database, or upgrades it to the schema this binary knows, then loads the\n"
             "reference data (regions, industries, occupations …). Running it again changes nothing.\n"
             "Refuses a database whose schema is newer than this binary.\n\n"
             "  --db URL   database (default $NP_DB, else sqlite:var/nineplus.db); sqlite:PATH creates\n"
             "             the file and its directory when missing\n");
}

/* mkdir -p of the directory holding path (nothing when path has no directory part). */
static int make_parent_dirs(const char *path) {
  char dir[4096];
  const char *slash = strrchr(path, '/');
  if (!slash || slash == path) return 0;
  size_t n = (size_t)(slash - path);
  if (n >= sizeof dir) {
    errno = ENAMETOOLONG;
    return -1;
  }
  memcpy(dir, path, n);
  dir[n] = '\0';
  for (char *p = dir + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) return -1;
    *p = '/';
  }
  if (mkdir(dir, 0755) != 0 && errno != EEXIST) return -1;
  return 0;
}

static void print_applied(int version, const char *name, void *ctx) {
  (void)ctx;
  printf("applied migration %04d %s\n", version, name);
}

int np_cmd_migrate(int argc, char **argv) {
  const char *db = np_cli_default_db();
  static const struct option opts[] = {{"db", required_argument, 0, 'd'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
  int c;
  optind = 1;
  opterr = 1;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (c) {
    case 'd': db = optarg; break;
    case 'h': migrate_usage(stdout); return 0;
    default: migrate_usage(stderr); return 2;
    }
  }
  if (optind < argc) {
    fprintf(stderr, "nineplus migrate: unexpected argument '%s'\n", argv[optind]);
    migrate_usage(stderr);
    return 2;
  }
  if (strncmp(db, "sqlite:", 7) == 0 && strcmp(db + 7, ":memory:") != 0 && make_parent_dirs(db + 7) != 0) {
    fprintf(stderr, "nineplus migrate: cannot create the directory of %s: %s\n", db + 7, strerror(errno));
    return 1;
  }

  np_errdetail_t err = {0};
  np_store_t *s = NULL;
  int rc = 1;
  if (np_store_open(db, &s, &err) != NP_OK) {
    fprintf(stderr, "nineplus migrate: %s\n", err.message);
    return 1;
  }
  int applied = 0, dbv = 0, binv = 0;
  if (np_store_migrate_cb(s, print_applied, NULL, &applied, &err) != NP_OK ||
      np_store_schema_version(s, &dbv, &binv, &err) != NP_OK) {
    fprintf(stderr, "nineplus migrate: %s\n", err.message);
    goto out;
  }
  if (applied == 0)
    printf("schema up to date (version %d)\n", dbv);
  else
    printf("schema now at version %d (%d migration%s applied)\n", dbv, applied, applied == 1 ? "" : "s");

  np_ref_load_stats_t stats;
  memset(&stats, 0, sizeof stats);
  if (np_ref_load(s, &stats, &err) != NP_OK) {
    fprintf(stderr, "nineplus migrate: reference data: %s%s%s\n", err.message, err.field[0] ? " — " : "", err.field);
    goto out;
  }
  for (size_t i = 0; i < stats.nfiles && i < NP_REF_MAX_FILES; i++) {
    const np_ref_file_stats_t *f = &stats.files[i];
    if (f->skipped)
      printf("reference %-34s %-24s unchanged\n", f->file, f->table);
    else if (f->duplicates)
      printf("reference %-34s %-24s %" PRId64 " rows stored (%" PRId64 " repeated keys dropped)\n", f->file, f->table,
             f->stored, f->duplicates);
    else
      printf("reference %-34s %-24s %" PRId64 " rows stored\n", f->file, f->table, f->stored);
  }
  printf("reference data: %zu file%s loaded, %zu unchanged\n", stats.loaded, stats.loaded == 1 ? "" : "s",
         stats.skipped);
  rc = 0;
out:
  np_store_close(s);
  return rc;
}
