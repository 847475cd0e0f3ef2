/* Account routes and the authentication hook (docs/API-ACCOUNTS.md). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>
#include "auth/auth.h"
#include "core/ratelimit.h"
#include "firms/enterprises.h"
#include "auth/sessions.h"
#include "auth/settings.h"
#include "auth/totp.h"
#include "auth/users.h"
#include "core/date.h"
#include "core/json.h"
#include "core/log.h"
#include "core/str.h"
#include "crypto/crypto.h"
#include "http/authz.h"

/* ---------------------------------------------------------------- hooks */

static np_auth_partner_fn partner_authn; /* set once at start, before the server runs */

void np_auth_set_partner_authn(np_auth_partner_fn fn) { partner_authn = fn; }

static np_err authn(np_req_t *req, const char *token, bool is_api_key, np_principal_t **out, np_errdetail_t *err) {
  *out = NULL;
  if (is_api_key) {
    if (partner_authn) return partner_authn(req, token, out, err);
    return np_fail(err, NP_ERR_UNAUTHORIZED, "unauthorized", NULL, "partner API keys are not enabled");
  }
  np_store_t *s = np_req_store(req);
  if (!s) return NP_ERR_BUSY; /* already answered 503 */
  np_principal_t *p = np_arena_calloc(np_req_arena(req), 1, sizeof *p);
  if (!p) return NP_ERR_NOMEM;
  np_err e = np_session_resolve(s, token, p, err);
  if (e) return e;
  *out = p;
  return NP_OK;
}

void np_auth_install(np_http_t *h) {
  /*
   * The server should have loaded the keys (np_crypto_init with np_crypto_key_path_for_db, as the CLI
   * does). When it has not and $NP_MASTER_KEY is set, the key is unambiguous: load it here.
   */
  if (!np_crypto_ready()) {
    const char *env = getenv("NP_MASTER_KEY");
    np_errdetail_t d;
    np_errdetail_clear(&d);
    if (env && *env && np_crypto_init(NULL, &d) == NP_OK) np_log_info("auth.keys", "keys loaded from NP_MASTER_KEY");
    else np_log_error("auth.keys", "keys not loaded: second factors cannot be checked (np_crypto_init missing)");
  }
  /* the unknown-user path must cost one hash verification from the very first request */
  if (np_password_warm_up() != NP_OK) np_log_error("auth.keys", "cannot prepare the dummy password hash");
  np_http_set_authn(h, authn);
  np_http_set_authz(h, np_authz_allows);
}

/* ---------------------------------------------------------------- helpers */

static np_audit_entry_t actor_of(np_req_t *r) {
  const np_principal_t *p = np_req_principal(r);
  np_audit_entry_t a = {.ip = np_req_ip(r), .request_id = np_req_id(r)};
  if (p) {
    a.user_id = p->user_id;
    a.username = p->username;
    a.role = np_role_name(p->role);
  }
  return a;
}

static json_t *ts_json(int64_t t) {
  char buf[NP_TS_STRLEN];
  if (t <= 0 || np_date_format_ts_utc(t, buf, sizeof buf) != NP_OK) return json_null();
  return json_string(buf);
}

static void no_content(np_req_t *r) { np_resp_bytes(r, 204, NULL, "", 0); }

/* Fails with the detail; logs unexpected errors. */
static void fail(np_req_t *r, np_err e, const np_errdetail_t *d) {
  if (e == NP_ERR_STORE || e == NP_ERR_INTERNAL || e == NP_ERR_NOMEM || e == NP_ERR_CRYPTO || e == NP_ERR_IO)
    np_log_error("auth.error", "%s %s: %s %s", np_req_method(r), np_req_path(r), d ? d->code : "", d ? d->message : "");
  np_resp_fail(r, e, d);
}

static void set_cookie(np_req_t *r, const char *token, bool clear) {
  char c[160];
  bool secure = np_http_secure_cookies(np_req_server(r));
  if (clear)
    snprintf(c, sizeof c, "np_session=; Max-Age=0; HttpOnly; SameSite=Strict; Path=/%s", secure ? "; Secure" : "");
  else snprintf(c, sizeof c, "np_session=%s; HttpOnly; SameSite=Strict; Path=/%s", token, secure ? "; Secure" : "");
  np_resp_header(r, "Set-Cookie", c);
}

/* Loads the request's JSON body and rejects keys outside `allowed`; false when already answered. */
static json_t *body(np_req_t *r, const char *const allowed[]) {
  json_t *j = np_req_json(r);
  if (!j) return NULL;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  if (allowed && np_json_check_keys(j, allowed, &d) != NP_OK) {
    np_resp_fail(r, NP_ERR_INVALID, &d);
    return NULL;
  }
  return j;
}

static bool path_user_id(np_req_t *r, int64_t *id) {
  if (np_user_parse_id(np_req_param(r, "id"), id)) return true;
  np_resp_error(r, 404, "not_found", NULL, "no such user");
  return false;
}

/* Wipes a secret held by the request's parsed JSON (jansson frees it without wiping). */
static void wipe_json_str(const char *s) {
  if (s) sodium_memzero((void *)(uintptr_t)s, strlen(s));
}

/* ---------------------------------------------------------------- session */

/* POST /session attempts per client address and minute (NP_LOGIN_RATE_LIMIT, default 20). */
#define LOGIN_RATE_DEFAULT 20
#define LOGIN_RATE_WINDOW 60
static np_ratelimit_t *login_rl;
static int login_rl_limit;
static pthread_once_t login_rl_once = PTHREAD_ONCE_INIT;

static void login_rl_init(void) {
  int64_t limit = LOGIN_RATE_DEFAULT;
  const char *env = getenv("NP_LOGIN_RATE_LIMIT");
  if (env && *env && np_parse_int64(env, strlen(env), 1, 1000000, &limit) != NP_OK) {
    np_log_warn("auth.ratelimit", "NP_LOGIN_RATE_LIMIT must be 1..1000000: using %d", LOGIN_RATE_DEFAULT);
    limit = LOGIN_RATE_DEFAULT;
  }
  login_rl_limit = (int)limit;
  login_rl = np_ratelimit_new(16384);
  if (!login_rl) np_log_error("auth.ratelimit", "cannot allocate the sign-in rate limiter");
}

/* False (answered 429 rate_limited with Retry-After) when the client sent too many sign-in attempts. */
static bool login_allowed(np_req_t *r) {
  pthread_once(&login_rl_once, login_rl_init);
  if (!login_rl) { /* fail closed: no limiter, no unlimited guessing */
    np_resp_header(r, "Retry-After", "1");
    np_resp_error(r, 503, "busy", NULL, "the service is busy, try again");
    return false;
  }
  char key[64];
  np_ratelimit_ip_key(np_req_ip(r), key);
  int retry = 0;
  np_rl_result res = np_ratelimit_hit(login_rl, key, login_rl_limit, LOGIN_RATE_WINDOW, np_ratelimit_now_ms(), &retry);
  if (res == NP_RL_ALLOW) return true;
  if (res == NP_RL_DENY_FIRST) {
    /* once per run of refusals: a log line and an audit row (a flood must not fill the log) */
    np_log_warn("auth.ratelimit", "too many sign-in attempts from %s: refused for %d s", key, retry);
    np_store_t *s = np_req_store(r);
    if (!s) return false; /* answered 503 */
    char detail[96];
    snprintf(detail, sizeof detail, "more than %d sign-in attempts a minute from this address", login_rl_limit);
    np_audit_entry_t a = {.action = "login.rate_limited", .entity = "session", .outcome = "denied", .detail = detail};
    np_errdetail_t d;
    np_errdetail_clear(&d);
    if (np_audit_from_req_ex(r, &a, NULL, NULL, &d) != NP_OK) np_log_error("auth.ratelimit", "audit: %s", d.message);
  }
  char ra[16];
  snprintf(ra, sizeof ra, "%d", retry);
  np_resp_header(r, "Retry-After", ra);
  np_resp_error(r, 429, "rate_limited", NULL, "too many sign-in attempts from this address: try again in %d seconds",
                retry);
  return false;
}

/*
 * Login CSRF: a cross-site HTML form can POST a JSON-looking body (enctype text/plain) but can set
 * neither Content-Type: application/json nor X-Requested-With without a CORS preflight, which we
 * never allow. Without this, another site could sign a victim's browser into the attacker's account.
 */
static bool login_request_same_origin(np_req_t *r) {
  const char *ct = np_req_header(r, "Content-Type");
  const char *xr = np_req_header(r, "X-Requested-With");
  if (xr && strcmp(xr, "nineplus") == 0) return true;
  if (ct && strncasecmp(ct, "application/json", 16) == 0 && (ct[16] == '\0' || ct[16] == ';' || ct[16] == ' '))
    return true;
  np_resp_error(r, 415, "unsupported_media_type", NULL,
                "sign in with Content-Type: application/json (or X-Requested-With: nineplus)");
  return false;
}

static void h_login(np_req_t *r) {
  static const char *const keys[] = {"username", "password", "totp", NULL};
  if (!login_allowed(r) || !login_request_same_origin(r)) return;
  json_t *j = body(r, keys);
  if (!j) return;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  const char *user = NULL, *pw = NULL, *totp = NULL;
  np_err e;
  if ((e = np_json_get_str(j, "username", NP_JSON_REQUIRED, 1, 64, &user, NULL, &d)) ||
      (e = np_json_get_str(j, "password", NP_JSON_REQUIRED, 1, NP_PASSWORD_MAX_BYTES, &pw, NULL, &d)) ||
      (e = np_json_get_str(j, "totp", 0, 0, 32, &totp, NULL, &d))) {
    wipe_json_str(pw);
    return fail(r, e, &d);
  }
  np_store_t *s = np_req_store(r);
  if (!s) return wipe_json_str(pw);
  np_login_t in = {.username = user, .password = pw, .totp = totp, .ip = np_req_ip(r),
                   .user_agent = np_req_header(r, "User-Agent"), .request_id = np_req_id(r)};
  np_login_result_t res;
  e = np_auth_login(s, &in, &res, &d);
  wipe_json_str(pw);
  wipe_json_str(totp);
  if (e) return fail(r, e, &d);
  json_t *u = np_user_json(&res.user, np_auth_now());
  if (u) json_object_set_new(u, "mfa_enrolment_required", json_boolean(res.mfa_enrolment_required));
  json_t *out = json_pack("{s:s, s:o, s:o}", "token", res.session.token, "user", u ? u : json_null(), "expires_at",
                          ts_json(res.session.expires_at));
  set_cookie(r, res.session.token, false);
  sodium_memzero(&res.session, sizeof res.session);
  np_resp_json(r, 200, out);
}

static void h_logout(np_req_t *r) {
  const np_principal_t *p = np_req_principal(r);
  np_store_t *s = np_req_store(r);
  if (!s) return;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  np_err e = np_store_begin(s, &d);
  if (!e) e = np_session_revoke_public(s, p->session_id, NULL, &d);
  if (!e) e = np_audit_from_req(r, "logout", "session", p->session_id, NULL, NULL, NULL);
  if (!e) e = np_store_commit(s, &d);
  if (e) {
    np_store_rollback(s);
    return fail(r, e, &d);
  }
  set_cookie(r, NULL, true);
  no_content(r);
}

/* ---------------------------------------------------------------- me */

static void h_me(np_req_t *r) {
  const np_principal_t *p = np_req_principal(r);
  np_store_t *s = np_req_store(r);
  if (!s) return;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  np_user_t u;
  np_auth_settings_t cfg;
  np_err e = np_user_get(s, p->user_id, &u, &d);
  if (!e) e = np_auth_settings_get(s, &cfg, &d);
  if (e) return fail(r, e, &d);
  json_t *o = np_user_json(&u, np_auth_now());
  if (!o) return fail(r, NP_ERR_NOMEM, NULL);
  const char *acts[64];
  size_t n = np_authz_actions(p, acts, 64);
  json_t *perm = json_array();
  for (size_t i = 0; i < n; i++) json_array_append_new(perm, json_string(acts[i]));
  json_object_set_new(o, "permissions", perm);
  json_object_set_new(o, "settings", json_pack("{s:b}", "mfa_enforced", cfg.mfa_enforced));
  json_object_set_new(o, "mfa_enrolment_required", json_boolean(p->mfa_enrolment_required));
  json_object_set_new(o, "session_id", json_string(p->session_id));
  np_resp_json(r, 200, o);
}

static void h_me_password(np_req_t *r) {
  static const char *const keys[] = {"old", "new", NULL};
  json_t *j = body(r, keys);
  if (!j) return;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  const char *old_pw = NULL, *new_pw = NULL;
  np_err e;
  if ((e = np_json_get_str(j, "old", NP_JSON_REQUIRED, 1, NP_PASSWORD_MAX_BYTES, &old_pw, NULL, &d)) ||
      (e = np_json_get_str(j, "new", NP_JSON_REQUIRED, 1, NP_PASSWORD_MAX_BYTES, &new_pw, NULL, &d))) {
    if (e == NP_ERR_INVALID && strcmp(d.field, "new") == 0 && strcmp(d.code, "length") == 0)
      np_strlcpy(d.code, "weak_password", sizeof d.code);
    return fail(r, e, &d);
  }
  np_store_t *s = np_req_store(r);
  if (!s) return;
  const np_principal_t *p = np_req_principal(r);
  np_audit_entry_t a = actor_of(r);
  e = np_user_change_password(s, p->user_id, old_pw, new_pw, p->session_id, &a, &d);
  wipe_json_str(old_pw);
  wipe_json_str(new_pw);
  if (e) return fail(r, e, &d);
  no_content(r);
}

static void h_totp_begin(np_req_t *r) {
  np_store_t *s = np_req_store(r);
  if (!s) return;
  const np_principal_t *p = np_req_principal(r);
  np_errdetail_t d;
  np_errdetail_clear(&d);
  char secret[NP_TOTP_SECRET_B32], uri[NP_TOTP_URI_CAP];
  np_audit_entry_t a = actor_of(r);
  np_err e = np_user_totp_begin(s, p->user_id, &a, secret, uri, &d);
  if (e) return fail(r, e, &d);
  char *svg = np_totp_qr_svg(uri);
  json_t *o = json_pack("{s:s, s:s, s:o}", "secret", secret, "uri", uri, "qr_svg", svg ? json_string(svg) : json_null());
  free(svg);
  sodium_memzero(secret, sizeof secret);
  sodium_memzero(uri, sizeof uri);
  np_resp_json(r, 200, o);
}

static void h_totp_confirm(np_req_t *r) {
  static const char *const keys[] = {"code", NULL};
  json_t *j = body(r, keys);
  if (!j) return;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  const char *code = NULL;
  np_err e = np_json_get_str(j, "code", NP_JSON_REQUIRED, 1, 16, &code, NULL, &d);
  if (e) return fail(r, e, &d);
  np_store_t *s = np_req_store(r);
  if (!s) return;
  const np_principal_t *p = np_req_principal(r);
  np_audit_entry_t a = actor_of(r);
  char codes[NP_RECOVERY_CODES][NP_RECOVERY_CODE_LEN];
  e = np_user_totp_confirm(s, p->user_id, code, &a, codes, &d);
  if (e) return fail(r, e, &d);
  json_t *arr = json_array();
  for (int i = 0; i < NP_RECOVERY_CODES; i++) json_array_append_new(arr, json_string(codes[i]));
  sodium_memzero(codes, sizeof codes);
  np_resp_json(r, 200, json_pack("{s:o}", "recovery_codes", arr));
}

static void h_totp_remove(np_req_t *r) {
  static const char *const keys[] = {"code", NULL};
  json_t *j = body(r, keys);
  if (!j) return;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  const char *code = NULL;
  np_err e = np_json_get_str(j, "code", NP_JSON_REQUIRED, 1, 16, &code, NULL, &d);
  if (e) return fail(r, e, &d);
  np_store_t *s = np_req_store(r);
  if (!s) return;
  const np_principal_t *p = np_req_principal(r);
  np_audit_entry_t a = actor_of(r);
  e = np_user_totp_remove(s, p->user_id, code, &a, &d);
  if (e) return fail(r, e, &d);
  no_content(r);
}

static void h_pref_get(np_req_t *r) {
  np_store_t *s = np_req_store(r);
  if (!s) return;
  const np_principal_t *p = np_req_principal(r);
  const char *key = np_req_param(r, "key");
  np_errdetail_t d;
  np_errdetail_clear(&d);
  json_t *v = NULL;
  np_err e = np_user_pref_get(s, p->user_id, key, &v, &d);
  if (e) return fail(r, e, &d);
  np_resp_json(r, 200, json_pack("{s:s, s:o}", "key", key, "value", v));
}

static void h_pref_put(np_req_t *r) {
  static const char *const keys[] = {"key", "value", NULL};
  json_t *j = body(r, keys);
  if (!j) return;
  const char *key = np_req_param(r, "key");
  json_t *k = json_object_get(j, "key");
  if (k && !(json_is_string(k) && strcmp(json_string_value(k), key) == 0))
    return np_resp_error(r, 422, "mismatch", "key", "key in the body differs from the path");
  np_store_t *s = np_req_store(r);
  if (!s) return;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  np_audit_entry_t a = actor_of(r);
  np_err e = np_user_pref_put(s, np_req_principal(r)->user_id, key, json_object_get(j, "value"), &a, &d);
  if (e) return fail(r, e, &d);
  no_content(r);
}

/* ---------------------------------------------------------------- users */

static bool query_limit(np_req_t *r, int *out) {
  const char *l = np_req_query(r, "limit");
  int64_t v = 20;
  if (l && np_parse_int64(l, strlen(l), 1, 100, &v) != NP_OK) {
    np_resp_error(r, 400, "range", "limit", "limit must be an integer from 1 to 100");
    return false;
  }
  *out = (int)v;
  return true;
}

static void h_users_list(np_req_t *r) {
  np_user_filter_t f = {.q = np_req_query(r, "q"), .role = np_req_query(r, "role"),
                        .status = np_req_query(r, "status"), .region = np_req_query(r, "region")};
  if (!query_limit(r, &f.limit)) return;
  const char *cur = np_req_query(r, "cursor");
  if (cur && *cur && !np_user_parse_id(cur, &f.after_id))
    return np_resp_error(r, 400, "format", "cursor", "bad cursor");
  if (f.q && strlen(f.q) > 64) return np_resp_error(r, 400, "length", "q", "q is at most 64 bytes");
  np_store_t *s = np_req_store(r);
  if (!s) return;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  json_t *items = NULL;
  int64_t total = 0, next = 0;
  np_err e = np_user_list(s, &f, &items, &total, &next, &d);
  if (e) return fail(r, e, &d);
  char nc[32];
  snprintf(nc, sizeof nc, "u_%lld", (long long)next);
  np_resp_json(r, 200, json_pack("{s:o, s:I, s:o}", "items", items, "total", (json_int_t)total, "next_cursor",
                                 next ? json_string(nc) : json_null()));
}

/* enterprise_id as a user types it: "ent_N", a credit code, or the number; it must exist */
static np_err enterprise_arg(np_req_t *r, const json_t *j, int64_t *out, np_errdetail_t *d) {
  json_t *v = json_object_get(j, "enterprise_id");
  if (!v || json_is_null(v)) return NP_OK;
  if (json_is_integer(v)) return np_json_get_int(j, "enterprise_id", 0, 1, INT64_MAX, out, NULL, d);
  if (!json_is_string(v))
    return np_fail(d, NP_ERR_INVALID, "type", "enterprise_id", "enterprise_id must be an enterprise id or credit code");
  np_store_t *s = np_req_store(r);
  if (!s) return np_fail(d, NP_ERR_BUSY, "store_unavailable", NULL, "the database is busy");
  if (np_ent_resolve(s, json_string_value(v), out, d) != NP_OK)
    return np_fail(d, NP_ERR_INVALID, "unknown_enterprise", "enterprise_id", "no such enterprise");
  return NP_OK;
}

static void h_users_create(np_req_t *r) {
  static const char *const keys[] = {"username", "display_name", "role", "region_code", "enterprise_id", "bank",
                                     "password", NULL};
  json_t *j = body(r, keys);
  if (!j) return;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  np_user_new_t in = {0};
  np_err e;
  if ((e = np_json_get_str(j, "username", NP_JSON_REQUIRED, 1, 64, &in.username, NULL, &d)) ||
      (e = np_json_get_str(j, "display_name", NP_JSON_REQUIRED, 1, NP_DISPLAY_NAME_MAX_CHARS, &in.display_name, NULL, &d)) ||
      (e = np_json_get_str(j, "role", NP_JSON_REQUIRED, 1, 32, &in.role, NULL, &d)) ||
      (e = np_json_get_str(j, "region_code", 0, 1, 15, &in.region_code, NULL, &d)) ||
      (e = enterprise_arg(r, j, &in.enterprise_id, &d)) ||
      (e = np_json_get_str(j, "bank", 0, 1, 40, &in.bank, NULL, &d)) ||
      (e = np_json_get_str(j, "password", 0, 1, NP_PASSWORD_MAX_BYTES, &in.password, NULL, &d)))
    return fail(r, e, &d);
  np_store_t *s = np_req_store(r);
  if (!s) return;
  np_audit_entry_t a = actor_of(r);
  np_user_created_t *c = np_arena_calloc(np_req_arena(r), 1, sizeof *c);
  if (!c) return fail(r, NP_ERR_NOMEM, NULL);
  e = np_user_create(s, &in, &a, c, &d);
  wipe_json_str(in.password);
  if (e) return fail(r, e, &d);
  json_t *o = json_pack("{s:o, s:o, s:o}", "user", np_user_json(&c->user, np_auth_now()), "initial_password",
                        c->initial_password[0] ? json_string(c->initial_password) : json_null(), "totp_uri",
                        c->totp_uri[0] ? json_string(c->totp_uri) : json_null());
  sodium_memzero(c, sizeof *c);
  np_resp_json(r, 201, o);
}

static void h_users_get(np_req_t *r) {
  int64_t id;
  if (!path_user_id(r, &id)) return;
  np_store_t *s = np_req_store(r);
  if (!s) return;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  np_user_t u;
  np_err e = np_user_get(s, id, &u, &d);
  if (e) return fail(r, e, &d);
  np_resp_json(r, 200, np_user_json(&u, np_auth_now()));
}

static void h_users_patch(np_req_t *r) {
  int64_t id;
  if (!path_user_id(r, &id)) return;
  json_t *j = body(r, NULL);
  if (!j) return;
  np_store_t *s = np_req_store(r);
  if (!s) return;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  np_audit_entry_t a = actor_of(r);
  np_user_t u;
  /* an enterprise given as ent_N or a credit code becomes its number for the accounts module */
  json_t *ev = json_object_get(j, "enterprise_id");
  if (json_is_string(ev)) {
    int64_t ent = 0;
    np_err ee = enterprise_arg(r, j, &ent, &d);
    if (ee) return fail(r, ee, &d);
    json_object_set_new(j, "enterprise_id", json_integer(ent));
  }
  np_err e = np_user_update(s, id, j, &a, &u, &d);
  if (e) return fail(r, e, &d);
  np_resp_json(r, 200, np_user_json(&u, np_auth_now()));
}

static void lock_common(np_req_t *r, bool lock) {
  int64_t id;
  if (!path_user_id(r, &id)) return;
  if (lock && id == np_req_principal(r)->user_id)
    return np_resp_error(r, 409, "self", NULL, "you cannot lock your own account");
  np_store_t *s = np_req_store(r);
  if (!s) return;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  np_audit_entry_t a = actor_of(r);
  np_err e = np_user_set_locked(s, id, lock, &a, &d);
  np_user_t u;
  if (!e) e = np_user_get(s, id, &u, &d);
  if (e) return fail(r, e, &d);
  np_resp_json(r, 200, np_user_json(&u, np_auth_now()));
}

static void h_users_lock(np_req_t *r) { lock_common(r, true); }
static void h_users_unlock(np_req_t *r) { lock_common(r, false); }

static void h_users_reset_password(np_req_t *r) {
  int64_t id;
  if (!path_user_id(r, &id)) return;
  np_store_t *s = np_req_store(r);
  if (!s) return;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  np_audit_entry_t a = actor_of(r);
  char pw[NP_PASSWORD_GENERATED_LEN + 1];
  np_err e = np_user_reset_password(s, id, &a, pw, &d);
  if (e) return fail(r, e, &d);
  json_t *o = json_pack("{s:s}", "initial_password", pw);
  sodium_memzero(pw, sizeof pw);
  np_resp_json(r, 200, o);
}

static void h_users_reset_totp(np_req_t *r) {
  int64_t id;
  if (!path_user_id(r, &id)) return;
  np_store_t *s = np_req_store(r);
  if (!s) return;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  np_audit_entry_t a = actor_of(r);
  char uri[NP_TOTP_URI_CAP];
  np_err e = np_user_totp_reset(s, id, &a, uri, &d);
  if (e) return fail(r, e, &d);
  json_t *o = json_pack("{s:o}", "totp_uri", uri[0] ? json_string(uri) : json_null());
  sodium_memzero(uri, sizeof uri);
  np_resp_json(r, 200, o);
}

/* ---------------------------------------------------------------- online users */

static void h_sessions_list(np_req_t *r) {
  int limit = 20;
  const char *l = np_req_query(r, "limit");
  int64_t v = 100;
  if (l && np_parse_int64(l, strlen(l), 1, 100, &v) != NP_OK)
    return np_resp_error(r, 400, "range", "limit", "limit must be an integer from 1 to 100");
  limit = (int)v;
  np_store_t *s = np_req_store(r);
  if (!s) return;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  json_t *items = NULL;
  np_err e = np_session_list(s, limit, &items, &d);
  if (e) return fail(r, e, &d);
  size_t n = json_array_size(items);
  np_resp_json(r, 200, json_pack("{s:o, s:I, s:n}", "items", items, "total", (json_int_t)n, "next_cursor"));
}

static void h_sessions_delete(np_req_t *r) {
  const char *id = np_req_param(r, "id");
  np_store_t *s = np_req_store(r);
  if (!s) return;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  int64_t owner = 0;
  np_err e = np_store_begin(s, &d);
  if (!e) e = np_session_revoke_public(s, id, &owner, &d);
  char detail[48];
  snprintf(detail, sizeof detail, "user u_%lld", (long long)owner);
  np_audit_entry_t a = actor_of(r);
  a.action = "session.revoke";
  a.entity = "session";
  a.entity_id = id;
  a.detail = detail;
  if (!e) e = np_audit_record(s, &a, NULL, &d);
  if (!e) e = np_store_commit(s, &d);
  if (e) {
    np_store_rollback(s);
    return fail(r, e, &d);
  }
  no_content(r);
}

/* ---------------------------------------------------------------- settings */

static void h_settings_get(np_req_t *r) {
  np_store_t *s = np_req_store(r);
  if (!s) return;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  np_auth_settings_t st;
  np_auth_settings_invalidate(); /* the administrator sees the stored values, not a cached copy */
  np_err e = np_auth_settings_get(s, &st, &d);
  if (e) return fail(r, e, &d);
  np_resp_json(r, 200, np_auth_settings_json(&st));
}

static void h_settings_put(np_req_t *r) {
  json_t *j = body(r, NULL);
  if (!j) return;
  np_store_t *s = np_req_store(r);
  if (!s) return;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  np_audit_entry_t a = actor_of(r);
  np_auth_settings_t st;
  np_err e = np_auth_settings_update(s, j, &a, &st, &d);
  if (e) return fail(r, e, &d);
  np_resp_json(r, 200, np_auth_settings_json(&st));
}

/* ---------------------------------------------------------------- dictionaries */

typedef struct dict_item {
  const char *value, *zh, *en, *tag;
} dict_item_t;

/* The capability modules' dictionaries (set at registration, before the server serves). */
#define MAX_DICT_PROVIDERS 16
static np_auth_dicts_fn dict_providers[MAX_DICT_PROVIDERS];
static size_t ndict_providers;

void np_auth_add_dicts(np_auth_dicts_fn fn) {
  if (!fn) return;
  for (size_t i = 0; i < ndict_providers; i++)
    if (dict_providers[i] == fn) return;
  if (ndict_providers < MAX_DICT_PROVIDERS) dict_providers[ndict_providers++] = fn;
  else np_log_error("auth.dicts", "too many dictionary providers");
}

static void h_dicts(np_req_t *r) {
  static const dict_item_t roles[] = {
    {"sys_admin", "系统管理员", "System administrator", "danger"},
    {"security_admin", "安全管理员", "Security administrator", "danger"},
    {"auditor", "审计员", "Auditor", "warning"},
    {"province_staff", "省人社厅", "Provincial bureau", "primary"},
    {"city_staff", "市级人社局", "City bureau", "primary"},
    {"county_staff", "县级人社局", "County bureau", "success"},
    {"specialist", "用工服务专员", "Service specialist", "success"},
    {"enterprise", "企业", "Enterprise", "info"},
    {"bank", "合作银行", "Partner bank", "info"},
    {"seeker", "求职者", "Job seeker", "info"},
  };
  static const dict_item_t status[] = {
    {"active", "正常", "Active", "success"},
    {"locked", "锁定", "Locked", "warning"},
    {"disabled", "停用", "Disabled", "info"},
  };
  static const dict_item_t outcome[] = {
    {"success", "成功", "Success", "success"},
    {"failure", "失败", "Failure", "danger"},
    {"denied", "拒绝", "Denied", "warning"},
  };
  json_t *o = json_object();
  struct {
    const char *name;
    const dict_item_t *items;
    size_t n;
  } lists[] = {{"roles", roles, sizeof roles / sizeof roles[0]},
               {"user_status", status, sizeof status / sizeof status[0]},
               {"audit_outcome", outcome, sizeof outcome / sizeof outcome[0]}};
  for (size_t k = 0; k < 3; k++) {
    json_t *arr = json_array();
    const dict_item_t *it = lists[k].items;
    for (size_t i = 0; i < lists[k].n; i++)
      json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s}", "value", it[i].value, "label_zh", it[i].zh,
                                           "label_en", it[i].en, "tag", it[i].tag));
    json_object_set_new(o, lists[k].name, arr);
  }
  for (size_t i = 0; i < ndict_providers; i++) {
    json_t *more = dict_providers[i]();
    if (more) json_object_update_missing(o, more); /* the account dictionaries above keep their names */
    json_decref(more);
  }
  np_resp_header(r, "Cache-Control", "public, max-age=300");
  np_resp_json(r, 200, o);
}

/* ---------------------------------------------------------------- registration */

static void route(np_http_t *h, const char *method, const char *pattern, np_handler_fn fn, np_route_opts_t o) {
  np_err e = np_http_route(h, method, pattern, fn, &o);
  if (e) np_log_error("auth.route", "cannot register %s %s (%d)", method, pattern, (int)e);
}

void np_auth_api_register(np_http_t *h) {
  const np_route_opts_t pub = {.auth = NP_AUTH_PUBLIC};
  /* usable while a password change or a second-factor enrolment is pending */
  const np_route_opts_t always = {.action = "self.manage", .allow_must_change_password = true, .allow_mfa_enrolment = true};
  const np_route_opts_t enrol = {.action = "self.manage", .allow_mfa_enrolment = true};
  const np_route_opts_t self = {.action = "self.manage"};
  route(h, "POST", "/api/v1/session", h_login, pub);
  route(h, "DELETE", "/api/v1/session", h_logout, always);
  route(h, "GET", "/api/v1/me", h_me, always);
  route(h, "POST", "/api/v1/me/password", h_me_password, always);
  route(h, "POST", "/api/v1/me/totp", h_totp_begin, enrol);
  route(h, "POST", "/api/v1/me/totp/confirm", h_totp_confirm, enrol);
  route(h, "DELETE", "/api/v1/me/totp", h_totp_remove, self);
  route(h, "GET", "/api/v1/me/preferences/{key}", h_pref_get, self);
  route(h, "PUT", "/api/v1/me/preferences/{key}", h_pref_put, self);
  route(h, "GET", "/api/v1/users", h_users_list, (np_route_opts_t){.action = "user.read"});
  route(h, "POST", "/api/v1/users", h_users_create, (np_route_opts_t){.action = "user.manage"});
  route(h, "GET", "/api/v1/users/{id}", h_users_get, (np_route_opts_t){.action = "user.read"});
  route(h, "PATCH", "/api/v1/users/{id}", h_users_patch, (np_route_opts_t){.action = "user.manage"});
  route(h, "POST", "/api/v1/users/{id}/lock", h_users_lock, (np_route_opts_t){.action = "account.lock"});
  route(h, "POST", "/api/v1/users/{id}/unlock", h_users_unlock, (np_route_opts_t){.action = "account.lock"});
  route(h, "POST", "/api/v1/users/{id}/reset-password", h_users_reset_password,
        (np_route_opts_t){.action = "user.manage"});
  route(h, "POST", "/api/v1/users/{id}/reset-totp", h_users_reset_totp, (np_route_opts_t){.action = "account.lock"});
  route(h, "GET", "/api/v1/sessions", h_sessions_list, (np_route_opts_t){.action = "session.manage"});
  route(h, "DELETE", "/api/v1/sessions/{id}", h_sessions_delete, (np_route_opts_t){.action = "session.manage"});
  route(h, "GET", "/api/v1/settings", h_settings_get, (np_route_opts_t){.action = "security.manage"});
  route(h, "PUT", "/api/v1/settings", h_settings_put, (np_route_opts_t){.action = "security.manage"});
  route(h, "GET", "/api/v1/dicts", h_dicts, pub);
}
