/* nineplus user add|passwd|lock|unlock|list|sweep: accounts from the command line (audited as "cli"). */
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "auth/users.h"
#include "cli/cli.h"
#include "firms/enterprises.h"
#include "core/date.h"
#include "core/str.h"
#include "crypto/crypto.h"
#include "http/authz.h"
#include "store/store.h"

static void user_usage(FILE *f) {
  fprintf(f,
          "usage: nineplus user <add|passwd|lock|unlock|list|sweep> [options]\n\n"
          "  add     --username U [--role R] [--region CODE | --enterprise ID | --bank NAME]\n"
          "          [--display-name N] [--password-stdin]\n"
          "          Without --password-stdin a random one-time password is printed once (it must be\n"
          "          changed at first sign-in). Roles that require a second factor (sys_admin,\n"
          "          security_admin, auditor, province/city/county staff) are enrolled at once and the\n"
          "          otpauth:// URI is printed once. On an empty database --role may be left out: the\n"
          "          first account is the system administrator.\n"
          "  passwd  --username U [--password-stdin]   (without: a random one-time password)\n"
          "  lock    --username U\n"
          "  unlock  --username U   (also clears a failure lock and re-enables a disabled account)\n"
          "  list\n"
          "  sweep   disable accounts unused for the configured number of days\n\n"
          "  --db URL   database (default $NP_DB, else sqlite:var/nineplus.db)\n"
          "Roles: sys_admin security_admin auditor province_staff city_staff county_staff specialist\n"
          "       enterprise bank seeker\n");
}

typedef struct opts {
  const char *db, *username, *role, *region, *bank, *display_name;
  const char *enterprise; /* ent_N, a credit code or the number */
  bool password_stdin;
} opts_t;

/* Reads one line (the password) from stdin into buf; false on EOF or a line that is too long. */
static bool read_password(char *buf, size_t cap) {
  if (!fgets(buf, (int)cap, stdin)) return false;
  size_t n = strlen(buf);
  if (n == cap - 1 && buf[n - 1] != '\n') {
    sodium_memzero(buf, cap);
    return false;
  }
  while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) buf[--n] = '\0';
  return n > 0;
}

static int fail_msg(const char *what, np_err e, const np_errdetail_t *d) {
  fprintf(stderr, "nineplus user %s: %s%s%s%s (%s)\n", what, d->message[0] ? d->message : np_err_name(e),
          d->field[0] ? " [field " : "", d->field, d->field[0] ? "]" : "", d->code[0] ? d->code : np_err_name(e));
  return 1;
}

static np_err open_db(const char *url, np_store_t **s, np_errdetail_t *d) {
  np_err e = np_store_open(url, s, d);
  if (e) return e;
  int dbv = 0, binv = 0;
  e = np_store_schema_version(*s, &dbv, &binv, d);
  if (!e && dbv == 0) e = np_fail(d, NP_ERR_SCHEMA, "not_migrated", NULL, "the database is empty: run nineplus migrate first");
  if (!e && !np_crypto_ready() && !np_cli_load_keys(url, "user")) /* same key as `nineplus serve` */
    e = np_fail(d, NP_ERR_CRYPTO, "keys", NULL, "the master key could not be loaded");
  if (e) {
    np_store_close(*s);
    *s = NULL;
  }
  return e;
}

static int do_add(np_store_t *s, const opts_t *o, const np_audit_entry_t *actor) {
  np_errdetail_t d;
  np_errdetail_clear(&d);
  const char *role = o->role;
  if (!role) {
    int64_t n = 0;
    np_err e = np_user_count(s, &n, &d);
    if (e) return fail_msg("add", e, &d);
    if (n > 0) {
      fprintf(stderr, "nineplus user add: --role is required (the database already has users)\n");
      return 2;
    }
    role = "sys_admin"; /* the first administrator */
  }
  char pw[NP_PASSWORD_MAX_BYTES + 2];
  if (o->password_stdin && !read_password(pw, sizeof pw)) {
    fprintf(stderr, "nineplus user add: no password on standard input (one line, at most %d bytes)\n",
            NP_PASSWORD_MAX_BYTES);
    return 2;
  }
  int64_t enterprise_id = 0;
  char entkey[64] = "";
  if (o->enterprise) /* a bare number is read as ent_N; either way the enterprise must exist */
    snprintf(entkey, sizeof entkey, "%s%s", np_parse_int64(o->enterprise, strlen(o->enterprise), 1, INT64_MAX,
                                                           &enterprise_id) == NP_OK ? "ent_" : "", o->enterprise);
  if (o->enterprise && np_ent_resolve(s, entkey, &enterprise_id, &d) != NP_OK) {
    fprintf(stderr, "nineplus user add: --enterprise: no such enterprise (give ent_N or its credit code)\n");
    return 2;
  }
  np_user_new_t in = {.username = o->username, .display_name = o->display_name, .role = role,
                      .region_code = o->region, .enterprise_id = enterprise_id, .bank = o->bank,
                      .password = o->password_stdin ? pw : NULL};
  np_user_created_t c;
  np_err e = np_user_create(s, &in, actor, &c, &d);
  sodium_memzero(pw, sizeof pw);
  if (e) return fail_msg("add", e, &d);
  printf("created user %s (id u_%lld, role %s", c.user.username, (long long)c.user.id, np_role_name(c.user.role));
  if (c.user.region_code[0]) printf(", region %s", c.user.region_code);
  if (c.user.enterprise_id) printf(", enterprise %lld", (long long)c.user.enterprise_id);
  if (c.user.bank[0]) printf(", bank %s", c.user.bank);
  printf(")\n");
  if (c.initial_password[0])
    printf("one-time password: %s\n  (shown once; it must be changed at the first sign-in)\n", c.initial_password);
  else if (c.user.must_change_password)
    printf("the password must be changed at the first sign-in\n");
  if (c.totp_uri[0])
    printf("second factor (shown once; add it to an authenticator app):\n  secret: %s\n  %s\n", c.totp_secret,
           c.totp_uri);
  sodium_memzero(&c, sizeof c);
  return 0;
}

static int find_user(np_store_t *s, const char *what, const char *username, np_user_t *u) {
  np_errdetail_t d;
  np_errdetail_clear(&d);
  if (!username) {
    fprintf(stderr, "nineplus user %s: --username is required\n", what);
    return 2;
  }
  np_err e = np_user_find(s, username, u, &d);
  if (e) return fail_msg(what, e, &d);
  return 0;
}

static int do_passwd(np_store_t *s, const opts_t *o, const np_audit_entry_t *actor) {
  np_user_t u;
  int rc = find_user(s, "passwd", o->username, &u);
  if (rc) return rc;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  if (o->password_stdin) {
    char pw[NP_PASSWORD_MAX_BYTES + 2];
    if (!read_password(pw, sizeof pw)) {
      fprintf(stderr, "nineplus user passwd: no password on standard input\n");
      return 2;
    }
    np_err e = np_user_set_password(s, u.id, pw, true, actor, &d);
    sodium_memzero(pw, sizeof pw);
    if (e) return fail_msg("passwd", e, &d);
    printf("password of %s changed\n", u.username);
    return 0;
  }
  char pw[NP_PASSWORD_GENERATED_LEN + 1];
  np_err e = np_user_reset_password(s, u.id, actor, pw, &d);
  if (e) return fail_msg("passwd", e, &d);
  printf("one-time password: %s\n  (shown once; it must be changed at the next sign-in)\n", pw);
  sodium_memzero(pw, sizeof pw);
  return 0;
}

static int do_lock(np_store_t *s, const opts_t *o, const np_audit_entry_t *actor, bool lock) {
  const char *what = lock ? "lock" : "unlock";
  np_user_t u;
  int rc = find_user(s, what, o->username, &u);
  if (rc) return rc;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  np_err e = np_user_set_locked(s, u.id, lock, actor, &d);
  if (!e && !lock && u.disabled) {
    json_t *patch = json_pack("{s:s}", "status", "active");
    e = patch ? np_user_update(s, u.id, patch, actor, NULL, &d) : NP_ERR_NOMEM;
    json_decref(patch);
  }
  if (e) return fail_msg(what, e, &d);
  printf("%s %s\n", u.username, lock ? "locked" : u.disabled ? "unlocked and re-enabled" : "unlocked");
  return 0;
}

static int do_list(np_store_t *s) {
  np_errdetail_t d;
  np_errdetail_clear(&d);
  np_user_filter_t f = {.limit = 100};
  printf("%-8s %-24s %-15s %-22s %-9s %-4s %s\n", "id", "username", "role", "jurisdiction", "status", "2fa",
         "last sign-in (UTC)");
  for (;;) {
    json_t *items = NULL;
    int64_t total = 0, next = 0;
    np_err e = np_user_list(s, &f, &items, &total, &next, &d);
    if (e) return fail_msg("list", e, &d);
    size_t i;
    json_t *u;
    json_array_foreach(items, i, u) {
      const char *region = json_string_value(json_object_get(u, "region_code"));
      const char *bank = json_string_value(json_object_get(u, "bank"));
      const char *ent = json_string_value(json_object_get(u, "enterprise_id"));
      char jur[96];
      if (region) snprintf(jur, sizeof jur, "%s", region);
      else if (ent) snprintf(jur, sizeof jur, "enterprise %s", ent);
      else if (bank) snprintf(jur, sizeof jur, "%s", bank);
      else snprintf(jur, sizeof jur, "-");
      const char *last = json_string_value(json_object_get(u, "last_login_at"));
      printf("%-8s %-24s %-15s %-22s %-9s %-4s %s\n", json_string_value(json_object_get(u, "id")),
             json_string_value(json_object_get(u, "username")), json_string_value(json_object_get(u, "role")), jur,
             json_string_value(json_object_get(u, "status")),
             json_is_true(json_object_get(u, "totp_enrolled")) ? "yes" : "no", last ? last : "never");
    }
    json_decref(items);
    if (!next) break;
    f.after_id = next;
  }
  return 0;
}

static int do_sweep(np_store_t *s, const np_audit_entry_t *actor) {
  np_errdetail_t d;
  np_errdetail_clear(&d);
  int64_t n = 0;
  np_err e = np_user_sweep_inactive(s, actor, &n, &d);
  if (e) return fail_msg("sweep", e, &d);
  printf("disabled %lld inactive account(s)\n", (long long)n);
  return 0;
}

int np_cmd_user(int argc, char **argv) {
  if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    user_usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  const char *sub = argv[1];
  opts_t o = {.db = np_cli_default_db()};
  static const struct option lopts[] = {
    {"db", required_argument, 0, 'd'},          {"username", required_argument, 0, 'u'},
    {"role", required_argument, 0, 'r'},        {"region", required_argument, 0, 'g'},
    {"enterprise", required_argument, 0, 'e'},  {"bank", required_argument, 0, 'b'},
    {"display-name", required_argument, 0, 'n'}, {"password-stdin", no_argument, 0, 'p'},
    {"help", no_argument, 0, 'h'},              {0, 0, 0, 0}};
  int c;
  optind = 1;
  opterr = 1;
  while ((c = getopt_long(argc - 1, argv + 1, "h", lopts, NULL)) != -1) {
    switch (c) {
    case 'd': o.db = optarg; break;
    case 'u': o.username = optarg; break;
    case 'r': o.role = optarg; break;
    case 'g': o.region = optarg; break;
    case 'e': o.enterprise = optarg; break;
    case 'b': o.bank = optarg; break;
    case 'n': o.display_name = optarg; break;
    case 'p': o.password_stdin = true; break;
    case 'h': user_usage(stdout); return 0;
    default: user_usage(stderr); return 2;
    }
  }
  if (optind < argc - 1) {
    fprintf(stderr, "nineplus user: unexpected argument '%s'\n", argv[optind + 1]);
    return 2;
  }
  bool known = !strcmp(sub, "add") || !strcmp(sub, "passwd") || !strcmp(sub, "lock") || !strcmp(sub, "unlock") ||
               !strcmp(sub, "list") || !strcmp(sub, "sweep");
  if (!known) {
    fprintf(stderr, "nineplus user: unknown sub-command '%s'\n", sub);
    user_usage(stderr);
    return 2;
  }
  if (!strcmp(sub, "add") && !o.username) {
    fprintf(stderr, "nineplus user add: --username is required\n");
    return 2;
  }
  np_store_t *s = NULL;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  np_err e = open_db(o.db, &s, &d);
  if (e) return fail_msg(sub, e, &d);
  const np_audit_entry_t actor = {.username = "cli", .detail = NULL};
  int rc;
  if (!strcmp(sub, "add")) rc = do_add(s, &o, &actor);
  else if (!strcmp(sub, "passwd")) rc = do_passwd(s, &o, &actor);
  else if (!strcmp(sub, "lock")) rc = do_lock(s, &o, &actor, true);
  else if (!strcmp(sub, "unlock")) rc = do_lock(s, &o, &actor, false);
  else if (!strcmp(sub, "list")) rc = do_list(s);
  else rc = do_sweep(s, &actor);
  np_store_close(s);
  return rc;
}
