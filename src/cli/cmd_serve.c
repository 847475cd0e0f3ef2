/* nineplus serve: the HTTP API and the web UI. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli/app.h"
#include "cli/cli.h"
#include "ref/ref.h"
#include "crypto/crypto.h"
#include "core/log.h"
#include "http/http.h"
#include "match/index.h"
#include "store/store.h"

static void serve_usage(FILE *f) {
  fprintf(f, "usage: nineplus serve [--db URL] [--listen ADDR:PORT] [--ui-dir DIR] [--threads N]\n"
             "                      [--max-connections N] [--secure-cookies] [--trust-proxy]\n\n"
             "Serves the API (/api/v1/…) and the built web UI until SIGTERM or SIGINT.\n"
             "  --db URL            database (default $NP_DB or sqlite:var/nineplus.db); must be migrated\n"
             "  --listen ADDR:PORT  address to bind, 127.0.0.1:8080 (default) or [::1]:8080\n"
             "  --ui-dir DIR        built UI (default ui/dist when it exists; --ui-dir '' for none)\n"
             "  --threads N         worker threads (default: number of CPUs)\n"
             "  --max-connections N connection limit (default 1024)\n"
             "  --secure-cookies    mark session cookies Secure (behind a TLS proxy)\n"
             "  --trust-proxy       take the client address from X-Real-IP sent by a proxy on loopback\n");
}

static bool parse_int(const char *s, long long lo, long long hi, long long *out) {
  char *end = NULL;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno || !*s || *end || v < lo || v > hi) return false;
  *out = v;
  return true;
}

int np_cmd_serve(int argc, char **argv) {
  np_http_config_t cfg = {.listen = "127.0.0.1:8080", .db_url = np_cli_default_db()};
  bool ui_given = false;
  static const struct option opts[] = {
    {"db", required_argument, 0, 'd'},        {"listen", required_argument, 0, 'l'},
    {"ui-dir", required_argument, 0, 'u'},    {"threads", required_argument, 0, 't'},
    {"max-connections", required_argument, 0, 'c'}, {"secure-cookies", no_argument, 0, 's'},
    {"trust-proxy", no_argument, 0, 'p'},     {"help", no_argument, 0, 'h'},
    {0, 0, 0, 0}};
  int c;
  long long v;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (c) {
    case 'd': cfg.db_url = optarg; break;
    case 'l': cfg.listen = optarg; break;
    case 'u':
      cfg.ui_dir = *optarg ? optarg : NULL;
      ui_given = true;
      break;
    case 't':
      if (!parse_int(optarg, 1, 256, &v)) {
        fprintf(stderr, "nineplus serve: --threads must be 1…256\n");
        return 2;
      }
      cfg.threads = (int)v;
      break;
    case 'c':
      if (!parse_int(optarg, 1, 1000000, &v)) {
        fprintf(stderr, "nineplus serve: --max-connections must be 1…1000000\n");
        return 2;
      }
      cfg.max_connections = (unsigned)v;
      break;
    case 's': cfg.secure_cookies = true; break;
    case 'p': cfg.trust_proxy = true; break;
    case 'h': serve_usage(stdout); return 0;
    default: serve_usage(stderr); return 2;
    }
  }
  if (optind < argc) {
    fprintf(stderr, "nineplus serve: unexpected argument '%s'\n", argv[optind]);
    return 2;
  }
  struct stat st;
  if (!ui_given && stat("ui/dist/index.html", &st) == 0) cfg.ui_dir = "ui/dist";

  /* refuse to serve a database whose schema is behind (or ahead of) this binary */
  np_errdetail_t err = {0};
  np_store_t *s = NULL;
  if (np_store_open(cfg.db_url, &s, &err) != NP_OK) {
    fprintf(stderr, "nineplus serve: cannot open %s: %s\n", cfg.db_url, err.message);
    return 1;
  }
  int dbv = 0, binv = 0;
  np_err e = np_store_schema_version(s, &dbv, &binv, &err);
  /* the reference index is built once at start (fail fast), shared by every thread */
  if (e == NP_OK && dbv == binv && !np_ref_shared(s, &err)) {
    fprintf(stderr, "nineplus serve: cannot load the reference data: %s\n", err.message);
    np_store_close(s);
    return 1;
  }
  np_store_close(s);
  if (e != NP_OK) {
    fprintf(stderr, "nineplus serve: cannot read the schema version: %s\n", err.message);
    return 1;
  }
  if (dbv < binv) {
    fprintf(stderr, "nineplus serve: the database is at schema version %d, this binary needs %d: "
                    "run `nineplus migrate --db %s` first\n", dbv, binv, cfg.db_url);
    return 1;
  }
  if (dbv > binv) {
    fprintf(stderr, "nineplus serve: the database is at schema version %d, newer than this binary (%d): "
                    "upgrade nineplus\n", dbv, binv);
    return 1;
  }

  if (!np_cli_load_keys(cfg.db_url, "serve")) return 1;
  np_http_t *h = NULL;
  if (np_http_new(&cfg, &h, &err) != NP_OK) {
    fprintf(stderr, "nineplus serve: %s\n", err.message);
    return 1;
  }
  np_app_register_routes(h);
  int rc = 0;
  if (np_http_run(h, &err) != NP_OK) {
    fprintf(stderr, "nineplus serve: %s\n", err.message);
    rc = 1;
  }
  np_match_engine_stop(); /* the matching engine's follower uses the pool */
  np_http_free(h); /* closes the store pool */
  np_crypto_shutdown();
  if (rc == 0) np_log_info("server.stopped", "stopped cleanly");
  return rc;
}
