/* Accounts: sign-in, passwords, second factor, administration, preferences (see users.h). */
#include "auth/users.h"
#include "core/ids.h"
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/date.h"
#include "core/json.h"
#include "core/log.h"
#include "core/str.h"
#include "crypto/crypto.h"
#include "http/authz.h"
#include "ref/ref.h"

#define USER_COLS                                                                                                  \
  "id, username, display_name, role, region_code, enterprise_id, bank, password_hash, password_changed_at, "       \
  "must_change_password, failed_logins, locked_until, admin_locked, disabled, totp_secret IS NOT NULL, "           \
  "totp_last_step, can_unmask, last_login_at, active_at, created_at, updated_at"

/* ---------------------------------------------------------------- helpers */

static void col_copy(np_stmt_t *st, int c, char *dst, size_t cap) {
  const char *t = np_store_col_text(st, c);
  np_strlcpy(dst, t ? t : "", cap);
}

static void read_user(np_stmt_t *st, np_user_t *u) {
  memset(u, 0, sizeof *u);
  u->id = np_store_col_int64(st, 0);
  col_copy(st, 1, u->username, sizeof u->username);
  col_copy(st, 2, u->display_name, sizeof u->display_name);
  u->role = np_role_parse(np_store_col_text(st, 3));
  col_copy(st, 4, u->region_code, sizeof u->region_code);
  u->enterprise_id = np_store_col_is_null(st, 5) ? 0 : np_store_col_int64(st, 5);
  col_copy(st, 6, u->bank, sizeof u->bank);
  col_copy(st, 7, u->password_hash, sizeof u->password_hash);
  u->password_changed_at = np_store_col_int64(st, 8);
  u->must_change_password = np_store_col_int64(st, 9) != 0;
  u->failed_logins = (int)np_store_col_int64(st, 10);
  u->locked_until = np_store_col_int64(st, 11);
  u->admin_locked = np_store_col_int64(st, 12) != 0;
  u->disabled = np_store_col_int64(st, 13) != 0;
  u->totp_enrolled = np_store_col_int64(st, 14) != 0;
  u->totp_last_step = np_store_col_int64(st, 15);
  u->can_unmask = np_store_col_int64(st, 16) != 0;
  u->last_login_at = np_store_col_is_null(st, 17) ? 0 : np_store_col_int64(st, 17);
  u->active_at = np_store_col_int64(st, 18);
  u->created_at = np_store_col_int64(st, 19);
  u->updated_at = np_store_col_int64(st, 20);
}

static np_err load_by(np_store_t *s, const char *sql, int64_t id, const char *name, np_user_t *out,
                      np_errdetail_t *err) {
  np_stmt_t *st = NULL;
  np_err e = np_store_prepare(s, sql, &st, err);
  if (e) return e;
  bool row = false;
  e = name ? np_store_bind_text(st, 1, name, NP_STORE_STRLEN) : np_store_bind_int64(st, 1, id);
  if (!e) e = np_store_step(st, &row, err);
  if (!e && row) read_user(st, out);
  np_store_release(st);
  if (e) return e;
  if (!row) return np_fail(err, NP_ERR_NOT_FOUND, "not_found", NULL, "no such user");
  return NP_OK;
}

np_err np_user_get(np_store_t *s, int64_t id, np_user_t *out, np_errdetail_t *err) {
  return load_by(s, "SELECT " USER_COLS " FROM users WHERE id = ?", id, NULL, out, err);
}

/* Lower-cases ASCII into out; false when too long. */
static bool lower_copy(const char *in, char *out, size_t cap) {
  size_t n = strlen(in);
  if (n >= cap) return false;
  for (size_t i = 0; i <= n; i++) {
    unsigned char c = (unsigned char)in[i];
    out[i] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
  }
  return true;
}

np_err np_user_find(np_store_t *s, const char *username, np_user_t *out, np_errdetail_t *err) {
  char low[NP_USERNAME_MAX + 1];
  if (!username || !lower_copy(username, low, sizeof low))
    return np_fail(err, NP_ERR_NOT_FOUND, "not_found", NULL, "no such user");
  return load_by(s, "SELECT " USER_COLS " FROM users WHERE username = ?", 0, low, out, err);
}

np_err np_user_count(np_store_t *s, int64_t *n, np_errdetail_t *err) {
  bool found = false;
  *n = 0;
  return np_store_query_int64(s, "SELECT COUNT(*) FROM users", n, &found, err);
}

bool np_user_parse_id(const char *s, int64_t *id) {
  if (!s) return false;
  if (s[0] == 'u' && s[1] == '_') s += 2;
  return np_parse_int64(s, strlen(s), 1, INT64_MAX, id) == NP_OK;
}

const char *np_user_status(const np_user_t *u, int64_t now) {
  if (u->disabled) return "disabled";
  if (u->admin_locked || u->locked_until > now) return "locked";
  return "active";
}

static json_t *ts_or_null(int64_t t) {
  char buf[NP_TS_STRLEN];
  if (t <= 0 || np_date_format_ts_utc(t, buf, sizeof buf) != NP_OK) return json_null();
  return json_string(buf);
}

/* The reference index: the global one, or built once from this connection (CLI, tests). */
static const np_ref_t *ref_index(np_store_t *s) {
  np_errdetail_t d;
  np_errdetail_clear(&d);
  return np_ref_shared(s, &d);
}

json_t *np_user_json(const np_user_t *u, int64_t now) {
  char id[32], entid[32];
  snprintf(id, sizeof id, "u_%lld", (long long)u->id);
  const np_ref_t *ref = np_ref_global();
  const np_region_t *rg = (ref && u->region_code[0]) ? np_ref_region(ref, u->region_code) : NULL;
  return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:s, s:b, s:b, s:b, s:o, s:o, s:o}", "id", id,
                   "username", u->username, "display_name", u->display_name, "role", np_role_name(u->role),
                   "region_code", u->region_code[0] ? json_string(u->region_code) : json_null(), "region_name",
                   rg ? json_string(rg->name) : json_null(), "enterprise_id",
                   u->enterprise_id > 0 ? json_string(np_id_format(NP_ID_ENTERPRISE, u->enterprise_id, entid, sizeof entid)) : json_null(), "bank",
                   u->bank[0] ? json_string(u->bank) : json_null(), "status", np_user_status(u, now),
                   "must_change_password", u->must_change_password, "totp_enrolled", u->totp_enrolled,
                   "mfa_required", np_role_requires_mfa(u->role), "last_login_at", ts_or_null(u->last_login_at),
                   "password_changed_at", ts_or_null(u->password_changed_at), "created_at",
                   ts_or_null(u->created_at));
}

/* What audit rows show of a user (no personal data, no secrets). */
static char *snapshot(const np_user_t *u) {
  char entid[32];
  json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:b, s:b, s:b}", "username", u->username, "display_name",
                        u->display_name, "role", np_role_name(u->role), "region_code",
                        u->region_code[0] ? json_string(u->region_code) : json_null(), "enterprise_id",
                        u->enterprise_id > 0 ? json_string(np_id_format(NP_ID_ENTERPRISE, u->enterprise_id, entid, sizeof entid)) : json_null(), "bank",
                        u->bank[0] ? json_string(u->bank) : json_null(), "disabled", u->disabled, "locked",
                        u->admin_locked, "totp_enrolled", u->totp_enrolled);
  if (!o) return NULL;
  char *t = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(o);
  return t;
}

typedef struct audit_args {
  const char *action;
  const np_user_t *target; /* may be NULL */
  const char *tried_username;
  const char *outcome; /* NULL = success */
  const char *before, *after, *detail;
} audit_args_t;

static np_err audit(np_store_t *s, const np_audit_entry_t *actor, const audit_args_t *a, np_errdetail_t *err) {
  np_audit_entry_t e = actor ? *actor : (np_audit_entry_t){0};
  char eid[32] = "";
  if (a->target) snprintf(eid, sizeof eid, "u_%lld", (long long)a->target->id);
  e.action = a->action;
  e.entity = "user";
  e.entity_id = a->target ? eid : NULL;
  e.before_json = a->before;
  e.after_json = a->after;
  e.outcome = a->outcome ? a->outcome : "success";
  e.detail = a->detail;
  if (a->tried_username) e.username = a->tried_username; /* failed logins: the name that was tried */
  return np_audit_record(s, &e, NULL, err);
}

/* Rolls back and returns e. */
static np_err abort_tx(np_store_t *s, np_err e) {
  np_store_rollback(s);
  return e;
}

static np_err change_row(np_store_t *s, int64_t id, const char *op, np_errdetail_t *err) {
  char eid[32];
  snprintf(eid, sizeof eid, "u_%lld", (long long)id);
  return np_store_change(s, "user", eid, op, NULL, err);
}

/* ---------------------------------------------------------------- secrets */

static np_err seal_secret(const char *b32, char **out, np_errdetail_t *err) {
  if (!np_crypto_ready())
    return np_fail(err, NP_ERR_CRYPTO, "crypto_unavailable", NULL, "the key store is not initialised");
  return np_crypto_seal(b32, strlen(b32), out, NULL, err);
}

/* Opens a sealed base32 secret into raw key bytes. */
static np_err open_secret(const char *sealed, uint8_t key[32], size_t *keylen, np_errdetail_t *err) {
  if (!sealed) return np_fail(err, NP_ERR_CONFLICT, "no_factor", NULL, "no second factor enrolled");
  if (!np_crypto_ready())
    return np_fail(err, NP_ERR_CRYPTO, "crypto_unavailable", NULL, "the key store is not initialised");
  char *plain = NULL;
  size_t n = 0;
  np_err e = np_crypto_open(sealed, strlen(sealed), &plain, &n, err);
  if (e) return e;
  e = np_base32_decode(plain, key, 32, keylen);
  np_crypto_wipe(plain, n);
  free(plain);
  if (e) return np_fail(err, NP_ERR_CRYPTO, "format", NULL, "stored secret is malformed");
  return NP_OK;
}

static np_err load_secret(np_store_t *s, int64_t id, bool pending, uint8_t key[32], size_t *keylen,
                          np_errdetail_t *err) {
  np_stmt_t *st = NULL;
  np_err e = np_store_prepare(s,
                              pending ? "SELECT totp_pending FROM users WHERE id = ?"
                                      : "SELECT totp_secret FROM users WHERE id = ?",
                              &st, err);
  if (e) return e;
  bool row = false;
  char *copy = NULL;
  if (!(e = np_store_bind_int64(st, 1, id)) && !(e = np_store_step(st, &row, err)) && row) {
    const char *t = np_store_col_text(st, 0);
    if (t && !(copy = strdup(t))) e = NP_ERR_NOMEM;
  }
  np_store_release(st);
  if (e) return e;
  if (!copy)
    return pending ? np_fail(err, NP_ERR_CONFLICT, "no_pending_enrolment", NULL, "start the enrolment first")
                   : np_fail(err, NP_ERR_CONFLICT, "no_factor", NULL, "no second factor enrolled");
  e = open_secret(copy, key, keylen, err);
  free(copy);
  return e;
}

static np_err recovery_hash(int64_t uid, const char *code, char out[NP_CRYPTO_SM3_HEXLEN], np_errdetail_t *err) {
  if (!np_crypto_ready())
    return np_fail(err, NP_ERR_CRYPTO, "crypto_unavailable", NULL, "the key store is not initialised");
  char v[64];
  snprintf(v, sizeof v, "%lld:%s", (long long)uid, code);
  np_err e = np_crypto_blind_index("recovery_code", v, out, err);
  sodium_memzero(v, sizeof v);
  return e;
}

/* Replaces the user's recovery codes with ten new ones (in the caller's transaction). */
static np_err new_recovery_codes(np_store_t *s, int64_t uid, char codes[NP_RECOVERY_CODES][NP_RECOVERY_CODE_LEN],
                                 np_errdetail_t *err) {
  np_err e = np_recovery_codes_new(codes);
  if (e) return e;
  if ((e = np_store_execf(s, NULL, err, "DELETE FROM recovery_codes WHERE user_id = ?", "i", uid))) return e;
  for (int i = 0; i < NP_RECOVERY_CODES; i++) {
    char h[NP_CRYPTO_SM3_HEXLEN];
    if ((e = recovery_hash(uid, codes[i], h, err))) return e;
    if ((e = np_store_execf(s, NULL, err, "INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)", "it", uid, h)))
      return e;
  }
  return NP_OK;
}

/* Marks a recovery code used; *ok false when it is not a live code of the user. */
static np_err use_recovery_code(np_store_t *s, int64_t uid, const char *input, bool *ok, np_errdetail_t *err) {
  *ok = false;
  char norm[NP_RECOVERY_CODE_LEN];
  if (!np_recovery_code_normalize(input, norm)) return NP_OK;
  char h[NP_CRYPTO_SM3_HEXLEN];
  np_err e = recovery_hash(uid, norm, h, err);
  sodium_memzero(norm, sizeof norm);
  if (e) return e;
  int64_t n = 0;
  e = np_store_execf(s, &n, err,
                     "UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL", "iit",
                     np_auth_now(), uid, h);
  if (!e) *ok = n == 1;
  return e;
}

/* Enrols a fresh secret as the confirmed factor at once (admin-created staff users, reset). */
static np_err enrol_now(np_store_t *s, np_user_t *u, char secret[NP_TOTP_SECRET_B32], char uri[NP_TOTP_URI_CAP],
                        np_errdetail_t *err) {
  np_err e = np_totp_new_secret(secret);
  if (e) return e;
  char *sealed = NULL;
  if ((e = seal_secret(secret, &sealed, err))) return e;
  e = np_store_execf(s, NULL, err,
                     "UPDATE users SET totp_secret = ?, totp_pending = NULL, totp_last_step = 0, updated_at = ? WHERE id = ?",
                     "tii", sealed, np_auth_now(), u->id);
  free(sealed);
  if (e) return e;
  if ((e = np_store_execf(s, NULL, err, "DELETE FROM recovery_codes WHERE user_id = ?", "i", u->id))) return e;
  u->totp_enrolled = true;
  u->totp_last_step = 0;
  np_totp_uri(u->username, secret, uri, NP_TOTP_URI_CAP);
  return NP_OK;
}

/* ---------------------------------------------------------------- validation */

static np_err check_username(const char *in, char out[NP_USERNAME_MAX + 1], np_errdetail_t *err) {
  if (!in || !*in) return np_fail(err, NP_ERR_INVALID, "required", "username", "a username is required");
  size_t n = strlen(in);
  if (n < 3 || n > NP_USERNAME_MAX)
    return np_fail(err, NP_ERR_INVALID, "length", "username", "a username has 3 to %d characters", NP_USERNAME_MAX);
  lower_copy(in, out, NP_USERNAME_MAX + 1);
  for (size_t i = 0; i < n; i++) {
    char c = out[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || ((c == '.' || c == '_' || c == '-') && i > 0);
    if (!ok)
      return np_fail(err, NP_ERR_INVALID, "format", "username",
                     "a username uses letters, digits, '.', '_' and '-', and starts with a letter or digit");
  }
  return NP_OK;
}

static np_err check_text(const char *v, const char *field, size_t max_chars, size_t max_bytes, np_errdetail_t *err) {
  size_t n = strlen(v);
  size_t chars = np_utf8_count(v, n);
  if (chars == SIZE_MAX) return np_fail(err, NP_ERR_ENCODING, "format", field, "%s is not valid UTF-8", field);
  if (chars == 0 || chars > max_chars || n > max_bytes)
    return np_fail(err, NP_ERR_INVALID, "length", field, "%s must have 1 to %zu characters", field, max_chars);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)v[i];
    if (c < 0x20 || c == 0x7f) return np_fail(err, NP_ERR_INVALID, "format", field, "%s contains control characters", field);
  }
  return NP_OK;
}

static bool digits(const char *s, size_t n) {
  if (strlen(s) != n) return false;
  for (size_t i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

/* Validates the jurisdiction against the role; clears the fields that do not apply. */
static np_err check_jurisdiction(np_store_t *s, np_user_t *u, np_errdetail_t *err) {
  np_juris_kind k = np_role_jurisdiction(u->role);
  if (k != NP_JURIS_REGION && u->region_code[0])
    return np_fail(err, NP_ERR_INVALID, "not_applicable", "region_code", "role %s has no region jurisdiction",
                   np_role_name(u->role));
  if (k != NP_JURIS_ENTERPRISE && u->enterprise_id)
    return np_fail(err, NP_ERR_INVALID, "not_applicable", "enterprise_id", "role %s has no enterprise jurisdiction",
                   np_role_name(u->role));
  if (k != NP_JURIS_BANK && u->bank[0])
    return np_fail(err, NP_ERR_INVALID, "not_applicable", "bank", "role %s has no bank jurisdiction",
                   np_role_name(u->role));
  if (k == NP_JURIS_ENTERPRISE && u->enterprise_id <= 0)
    return np_fail(err, NP_ERR_INVALID, "required", "enterprise_id", "an enterprise user needs enterprise_id");
  if (k == NP_JURIS_BANK) {
    if (!u->bank[0]) return np_fail(err, NP_ERR_INVALID, "required", "bank", "a bank user needs bank");
    np_err e = check_text(u->bank, "bank", 40, NP_BANK_MAX_BYTES, err);
    if (e) return e;
  }
  if (k != NP_JURIS_REGION) return NP_OK;
  const char *c = u->region_code;
  if (!c[0]) return np_fail(err, NP_ERR_INVALID, "required", "region_code", "role %s needs region_code", np_role_name(u->role));
  bool six = digits(c, 6), nine = digits(c, 9);
  if (!six && !(nine && u->role == NP_ROLE_SPECIALIST))
    return np_fail(err, NP_ERR_INVALID, "format", "region_code", "region_code must be a 6-digit division code");
  np_region_level want = u->role == NP_ROLE_PROVINCE_STAFF ? NP_REGION_PROVINCE
                         : u->role == NP_ROLE_CITY_STAFF   ? NP_REGION_CITY
                                                           : NP_REGION_COUNTY;
  const np_ref_t *ref = ref_index(s);
  if (ref) {
    const np_region_t *r = np_ref_region(ref, c);
    if (!r) return np_fail(err, NP_ERR_INVALID, "unknown_region", "region_code", "no such region: %s", c);
    bool ok = r->level == want || (u->role == NP_ROLE_SPECIALIST && r->level == NP_REGION_TOWNSHIP);
    if (!ok)
      return np_fail(err, NP_ERR_INVALID, "wrong_level", "region_code", "role %s needs a %s-level region",
                     np_role_name(u->role), np_ref_level_name(want));
    return NP_OK;
  }
  /* no reference data loaded: the shape of the code must at least fit the level */
  if (strncmp(c, "37", 2) != 0) return np_fail(err, NP_ERR_INVALID, "unknown_region", "region_code", "not a Shandong region: %s", c);
  bool prov = six && strcmp(c + 2, "0000") == 0, city = six && !prov && strcmp(c + 4, "00") == 0;
  bool ok = want == NP_REGION_PROVINCE ? prov : want == NP_REGION_CITY ? city : (!prov && !city);
  if (!ok)
    return np_fail(err, NP_ERR_INVALID, "wrong_level", "region_code", "role %s needs a %s-level region",
                   np_role_name(u->role), np_ref_level_name(want));
  return NP_OK;
}

/* True when pw equals one of the last NP_PASSWORD_HISTORY passwords of the user. */
static np_err in_history(np_store_t *s, int64_t uid, const char *pw, bool *hit, np_errdetail_t *err) {
  *hit = false;
  np_stmt_t *st = NULL;
  np_err e = np_store_prepare(s, "SELECT password_hash FROM password_history WHERE user_id = ? ORDER BY id DESC LIMIT ?",
                              &st, err);
  if (e) return e;
  if ((e = np_store_bind_int64(st, 1, uid)) || (e = np_store_bind_int64(st, 2, NP_PASSWORD_HISTORY))) goto out;
  for (;;) {
    bool row = false;
    if ((e = np_store_step(st, &row, err)) || !row) break;
    if (np_password_verify(np_store_col_text(st, 0), pw)) {
      *hit = true;
      break;
    }
  }
out:
  np_store_release(st);
  return e;
}

/* Stores a new password hash (caller's transaction) and trims the history. */
static np_err store_password(np_store_t *s, int64_t uid, const char *pw, bool must_change, np_errdetail_t *err) {
  char hash[NP_PASSWORD_HASH_CAP];
  np_err e = np_password_hash(pw, hash);
  if (e) return np_fail(err, e, "hash_failed", NULL, "cannot hash the password");
  int64_t now = np_auth_now();
  e = np_store_execf(s, NULL, err,
                     "UPDATE users SET password_hash = ?, password_changed_at = ?, must_change_password = ?, "
                     "failed_logins = 0, updated_at = ? WHERE id = ?",
                     "tiiii", hash, now, (int64_t)(must_change ? 1 : 0), now, uid);
  if (!e)
    e = np_store_execf(s, NULL, err, "INSERT INTO password_history (user_id, password_hash, created_at) VALUES (?, ?, ?)",
                       "iti", uid, hash, now);
  if (!e)
    e = np_store_execf(s, NULL, err,
                       "DELETE FROM password_history WHERE user_id = ? AND id NOT IN "
                       "(SELECT id FROM password_history WHERE user_id = ? ORDER BY id DESC LIMIT ?)",
                       "iii", uid, uid, (int64_t)NP_PASSWORD_HISTORY);
  sodium_memzero(hash, sizeof hash);
  return e;
}

/* ---------------------------------------------------------------- create */

np_err np_user_create(np_store_t *s, const np_user_new_t *in, const np_audit_entry_t *actor, np_user_created_t *out,
                      np_errdetail_t *err) {
  memset(out, 0, sizeof *out);
  np_user_t *u = &out->user;
  np_err e = check_username(in->username, u->username, err);
  if (e) return e;
  const char *dn = in->display_name ? in->display_name : u->username;
  if ((e = check_text(dn, "display_name", NP_DISPLAY_NAME_MAX_CHARS, NP_DISPLAY_NAME_MAX_BYTES, err))) return e;
  np_strlcpy(u->display_name, dn, sizeof u->display_name);
  u->role = np_role_parse(in->role);
  if (u->role == NP_ROLE_NONE)
    return np_fail(err, NP_ERR_INVALID, "invalid_role", "role", "unknown role (sys_admin, security_admin, auditor, "
                   "province_staff, city_staff, county_staff, specialist, enterprise, bank, seeker)");
  if (in->region_code && np_strlcpy(u->region_code, in->region_code, sizeof u->region_code) >= sizeof u->region_code)
    return np_fail(err, NP_ERR_INVALID, "format", "region_code", "region_code is too long");
  u->enterprise_id = in->enterprise_id;
  if (in->bank) {
    if ((e = check_text(in->bank, "bank", 40, NP_BANK_MAX_BYTES, err))) return e;
    np_strlcpy(u->bank, in->bank, sizeof u->bank);
  }
  if ((e = check_jurisdiction(s, u, err))) return e;
  const char *pw = in->password;
  if (!pw) {
    if ((e = np_password_generate(out->initial_password, sizeof out->initial_password)))
      return np_fail(err, e, "random", NULL, "cannot generate a password");
    pw = out->initial_password;
  } else if ((e = np_password_check_policy(u->username, pw, err))) {
    if (err) np_strlcpy(err->field, "password", sizeof err->field);
    return e;
  }
  char hash[NP_PASSWORD_HASH_CAP];
  if ((e = np_password_hash(pw, hash))) return np_fail(err, e, "hash_failed", NULL, "cannot hash the password");
  int64_t now = np_auth_now();
  u->must_change_password = !(in->password && in->keep_password);
  u->password_changed_at = u->created_at = u->updated_at = u->active_at = now;

  if ((e = np_store_begin(s, err))) return e;
  np_stmt_t *st = NULL;
  e = np_store_prepare(s,
                       "INSERT INTO users (username, display_name, role, region_code, enterprise_id, bank, password_hash, "
                       "password_changed_at, must_change_password, active_at, created_at, updated_at) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                       &st, err);
  bool row = false;
  if (!e) {
    e = np_store_bind_text(st, 1, u->username, NP_STORE_STRLEN);
    if (!e) e = np_store_bind_text(st, 2, u->display_name, NP_STORE_STRLEN);
    if (!e) e = np_store_bind_text(st, 3, np_role_name(u->role), NP_STORE_STRLEN);
    if (!e) e = np_store_bind_text_or_null(st, 4, u->region_code[0] ? u->region_code : NULL);
    if (!e) e = u->enterprise_id ? np_store_bind_int64(st, 5, u->enterprise_id) : np_store_bind_null(st, 5);
    if (!e) e = np_store_bind_text_or_null(st, 6, u->bank[0] ? u->bank : NULL);
    if (!e) e = np_store_bind_text(st, 7, hash, NP_STORE_STRLEN);
    if (!e) e = np_store_bind_int64(st, 8, now);
    if (!e) e = np_store_bind_int64(st, 9, u->must_change_password ? 1 : 0);
    if (!e) e = np_store_bind_int64(st, 10, now);
    if (!e) e = np_store_bind_int64(st, 11, now);
    if (!e) e = np_store_bind_int64(st, 12, now);
    if (!e) e = np_store_step(st, &row, err);
    if (!e && row) u->id = np_store_col_int64(st, 0);
    np_store_release(st);
  }
  if (e == NP_ERR_CONFLICT) e = np_fail(err, NP_ERR_CONFLICT, "username_taken", "username", "this username is taken");
  if (!e && !row) e = np_fail(err, NP_ERR_STORE, "insert", NULL, "no id returned");
  if (!e)
    e = np_store_execf(s, NULL, err, "INSERT INTO password_history (user_id, password_hash, created_at) VALUES (?, ?, ?)",
                       "iti", u->id, hash, now);
  sodium_memzero(hash, sizeof hash);
  if (!e) e = change_row(s, u->id, "insert", err);
  char *snap = NULL;
  if (!e && !(snap = snapshot(u))) e = NP_ERR_NOMEM;
  if (!e) e = audit(s, actor, &(audit_args_t){.action = "user.create", .target = u, .after = snap}, err);
  free(snap);
  if (!e && np_role_requires_mfa(u->role) && !in->skip_factor) {
    e = enrol_now(s, u, out->totp_secret, out->totp_uri, err);
    if (!e) e = audit(s, actor, &(audit_args_t){.action = "mfa.enrol", .target = u, .detail = "enrolled at creation"}, err);
  }
  if (!e) e = np_store_commit(s, err);
  if (e) {
    sodium_memzero(out->initial_password, sizeof out->initial_password);
    sodium_memzero(out->totp_secret, sizeof out->totp_secret);
    sodium_memzero(out->totp_uri, sizeof out->totp_uri);
    return abort_tx(s, e);
  }
  return NP_OK;
}

/* ---------------------------------------------------------------- update */

static np_err other_admins(np_store_t *s, int64_t id, int64_t *n, np_errdetail_t *err) {
  np_stmt_t *st = NULL;
  np_err e = np_store_prepare(s, "SELECT COUNT(*) FROM users WHERE role = 'sys_admin' AND disabled = 0 AND id <> ?", &st, err);
  if (e) return e;
  bool row = false;
  *n = 0;
  if (!(e = np_store_bind_int64(st, 1, id)) && !(e = np_store_step(st, &row, err)) && row) *n = np_store_col_int64(st, 0);
  np_store_release(st);
  return e;
}

np_err np_user_update(np_store_t *s, int64_t id, const json_t *patch, const np_audit_entry_t *actor, np_user_t *out,
                      np_errdetail_t *err) {
  static const char *const allowed[] = {"display_name", "role", "region_code", "enterprise_id", "bank", "status", NULL};
  np_err e = np_json_check_keys(patch, allowed, err);
  if (e) return e;
  np_user_t before, u;
  if ((e = np_user_get(s, id, &before, err))) return e;
  u = before;
  const char *dn = NULL, *role = NULL, *region = NULL, *bank = NULL, *status = NULL;
  int64_t ent = 0;
  np_json_presence p_region, p_ent, p_bank;
  if ((e = np_json_get_str(patch, "display_name", 0, 1, NP_DISPLAY_NAME_MAX_CHARS, &dn, NULL, err)) ||
      (e = np_json_get_str(patch, "role", 0, 1, 32, &role, NULL, err)) ||
      (e = np_json_get_str(patch, "region_code", 0, 1, 15, &region, &p_region, err)) ||
      (e = np_json_get_int(patch, "enterprise_id", 0, 1, INT64_MAX, &ent, &p_ent, err)) ||
      (e = np_json_get_str(patch, "bank", 0, 1, 40, &bank, &p_bank, err)) ||
      (e = np_json_get_str(patch, "status", 0, 1, 16, &status, NULL, err)))
    return e;
  if (dn) {
    if ((e = check_text(dn, "display_name", NP_DISPLAY_NAME_MAX_CHARS, NP_DISPLAY_NAME_MAX_BYTES, err))) return e;
    np_strlcpy(u.display_name, dn, sizeof u.display_name);
  }
  if (role) {
    u.role = np_role_parse(role);
    if (u.role == NP_ROLE_NONE) return np_fail(err, NP_ERR_INVALID, "invalid_role", "role", "unknown role");
    /* a new role starts from a clean jurisdiction unless the patch gives one */
    if (u.role != before.role) {
      if (np_role_jurisdiction(u.role) != NP_JURIS_REGION) u.region_code[0] = '\0';
      if (np_role_jurisdiction(u.role) != NP_JURIS_ENTERPRISE) u.enterprise_id = 0;
      if (np_role_jurisdiction(u.role) != NP_JURIS_BANK) u.bank[0] = '\0';
    }
  }
  if (p_region == NP_JSON_NULL) u.region_code[0] = '\0';
  if (region) np_strlcpy(u.region_code, region, sizeof u.region_code);
  if (p_ent == NP_JSON_NULL) u.enterprise_id = 0;
  if (p_ent == NP_JSON_PRESENT) u.enterprise_id = ent;
  if (p_bank == NP_JSON_NULL) u.bank[0] = '\0';
  if (bank) np_strlcpy(u.bank, bank, sizeof u.bank);
  if (status) {
    if (strcmp(status, "active") == 0) u.disabled = false;
    else if (strcmp(status, "disabled") == 0) u.disabled = true;
    else
      return np_fail(err, NP_ERR_INVALID, "invalid_status", "status",
                     "status is active or disabled (locks: POST /users/{id}/lock and /unlock)");
  }
  if ((e = check_jurisdiction(s, &u, err))) return e;
  bool role_changed = u.role != before.role, reenabled = before.disabled && !u.disabled;
  bool ends_sessions = role_changed || (u.disabled && !before.disabled) || strcmp(u.region_code, before.region_code) ||
                       u.enterprise_id != before.enterprise_id || strcmp(u.bank, before.bank);
  if ((e = np_store_begin(s, err))) return e;
  if (before.role == NP_ROLE_SYS_ADMIN && !before.disabled && (role_changed || u.disabled)) {
    int64_t n = 0;
    if ((e = other_admins(s, id, &n, err))) return abort_tx(s, e);
    if (n == 0)
      return abort_tx(s, np_fail(err, NP_ERR_CONFLICT, "last_admin", "role", "the last active sys_admin must stay"));
  }
  int64_t now = np_auth_now();
  if (reenabled) u.active_at = now; /* the inactivity clock restarts */
  u.updated_at = now;
  e = np_store_execf(s, NULL, err,
                     "UPDATE users SET display_name = ?, role = ?, region_code = ?, enterprise_id = ?, bank = ?, "
                     "disabled = ?, active_at = ?, updated_at = ? WHERE id = ?",
                     "ttt" "i" "tiiii", u.display_name, np_role_name(u.role), u.region_code[0] ? u.region_code : NULL,
                     u.enterprise_id, u.bank[0] ? u.bank : NULL, (int64_t)(u.disabled ? 1 : 0), u.active_at, now, id);
  /* enterprise_id 0 means none: store NULL */
  if (!e && !u.enterprise_id)
    e = np_store_execf(s, NULL, err, "UPDATE users SET enterprise_id = NULL WHERE id = ?", "i", id);
  if (!e) e = change_row(s, id, "update", err);
  if (!e && ends_sessions) e = np_session_revoke_user(s, id, NULL, err);
  char *b = snapshot(&before), *a = snapshot(&u);
  if (!b || !a) e = e ? e : NP_ERR_NOMEM;
  if (!e) e = audit(s, actor, &(audit_args_t){.action = "user.update", .target = &u, .before = b, .after = a}, err);
  if (!e && role_changed) {
    char detail[96];
    snprintf(detail, sizeof detail, "%s -> %s", np_role_name(before.role), np_role_name(u.role));
    e = audit(s, actor, &(audit_args_t){.action = "role.grant", .target = &u, .detail = detail}, err);
  }
  free(b);
  free(a);
  if (!e) e = np_store_commit(s, err);
  if (e) return abort_tx(s, e);
  if (out) *out = u;
  return NP_OK;
}

/* ---------------------------------------------------------------- lock, passwords */

np_err np_user_set_locked(np_store_t *s, int64_t id, bool locked, const np_audit_entry_t *actor, np_errdetail_t *err) {
  np_user_t u;
  np_err e = np_user_get(s, id, &u, err);
  if (e) return e;
  if ((e = np_store_begin(s, err))) return e;
  int64_t now = np_auth_now();
  if (locked)
    e = np_store_execf(s, NULL, err, "UPDATE users SET admin_locked = 1, updated_at = ? WHERE id = ?", "ii", now, id);
  else
    e = np_store_execf(s, NULL, err,
                       "UPDATE users SET admin_locked = 0, locked_until = 0, failed_logins = 0, updated_at = ? WHERE id = ?",
                       "ii", now, id);
  if (!e) e = change_row(s, id, "update", err);
  if (!e && locked) e = np_session_revoke_user(s, id, NULL, err);
  if (!e) e = audit(s, actor, &(audit_args_t){.action = locked ? "account.lock" : "account.unlock", .target = &u}, err);
  if (!e) e = np_store_commit(s, err);
  return e ? abort_tx(s, e) : NP_OK;
}

np_err np_user_set_password(np_store_t *s, int64_t id, const char *pw, bool keep, const np_audit_entry_t *actor,
                            np_errdetail_t *err) {
  np_user_t u;
  np_err e = np_user_get(s, id, &u, err);
  if (e) return e;
  if ((e = np_password_check_policy(u.username, pw, err))) return e;
  bool reused = false;
  if ((e = in_history(s, id, pw, &reused, err))) return e;
  if (reused)
    return np_fail(err, NP_ERR_INVALID, "password_reused", "new", "one of the last %d passwords cannot be used again",
                   NP_PASSWORD_HISTORY);
  if ((e = np_store_begin(s, err))) return e;
  e = store_password(s, id, pw, !keep, err);
  if (!e) e = np_session_revoke_user(s, id, NULL, err);
  if (!e) e = change_row(s, id, "update", err);
  if (!e) e = audit(s, actor, &(audit_args_t){.action = "password.reset", .target = &u}, err);
  if (!e) e = np_store_commit(s, err);
  return e ? abort_tx(s, e) : NP_OK;
}

np_err np_user_reset_password(np_store_t *s, int64_t id, const np_audit_entry_t *actor,
                              char out[NP_PASSWORD_GENERATED_LEN + 1], np_errdetail_t *err) {
  np_user_t u;
  np_err e = np_user_get(s, id, &u, err);
  if (e) return e;
  if ((e = np_password_generate(out, NP_PASSWORD_GENERATED_LEN + 1))) return e;
  if ((e = np_store_begin(s, err))) goto fail;
  e = store_password(s, id, out, true, err);
  if (!e) e = np_session_revoke_user(s, id, NULL, err);
  if (!e) e = change_row(s, id, "update", err);
  if (!e) e = audit(s, actor, &(audit_args_t){.action = "password.reset", .target = &u, .detail = "one-time password"}, err);
  if (!e) e = np_store_commit(s, err);
  if (e) np_store_rollback(s);
fail:
  if (e) sodium_memzero(out, NP_PASSWORD_GENERATED_LEN + 1);
  return e;
}

/* Counts a failed attempt (password or code) and locks at the threshold; audited; own transaction. */
static np_err record_failure(np_store_t *s, const np_user_t *u, const np_login_t *in, const char *reason,
                             const np_auth_settings_t *cfg, bool count, bool *locked_now, np_errdetail_t *err) {
  *locked_now = false;
  np_audit_entry_t actor = {.ip = in ? in->ip : NULL, .request_id = in ? in->request_id : NULL};
  char low[65] = "";
  if (in && in->username) {
    np_strlcpy(low, in->username, sizeof low);
    if (!np_utf8_valid(low, strlen(low))) low[0] = '\0';
    lower_copy(low, low, sizeof low);
  }
  if (u) {
    actor.user_id = u->id;
    actor.role = np_role_name(u->role);
  }
  np_err e = np_store_begin(s, err);
  if (e) return e;
  int64_t now = np_auth_now();
  if (u && count) {
    e = np_store_execf(s, NULL, err, "UPDATE users SET failed_logins = failed_logins + 1, updated_at = ? WHERE id = ?",
                       "ii", now, u->id);
    int64_t n = 0;
    bool found = false;
    if (!e) {
      np_stmt_t *st = NULL;
      e = np_store_prepare(s, "SELECT failed_logins FROM users WHERE id = ?", &st, err);
      if (!e && !(e = np_store_bind_int64(st, 1, u->id)) && !(e = np_store_step(st, &found, err)) && found)
        n = np_store_col_int64(st, 0);
      np_store_release(st);
    }
    if (!e && n >= cfg->lockout_threshold) {
      e = np_store_execf(s, NULL, err, "UPDATE users SET failed_logins = 0, locked_until = ? WHERE id = ?", "ii",
                         now + (int64_t)cfg->lockout_minutes * 60, u->id);
      char detail[96];
      snprintf(detail, sizeof detail, "%lld failed attempts: locked for %d minutes", (long long)n, cfg->lockout_minutes);
      if (!e) e = audit(s, &actor, &(audit_args_t){.action = "account.lock", .target = u, .detail = detail}, err);
      *locked_now = true;
    }
  }
  if (!e)
    e = audit(s, &actor,
              &(audit_args_t){.action = "login.failure", .target = u, .tried_username = low[0] ? low : NULL,
                              .outcome = "failure", .detail = reason},
              err);
  if (!e) e = np_store_commit(s, err);
  return e ? abort_tx(s, e) : NP_OK;
}

/* True while the account is locked (by an administrator, or after failures). */
static bool is_locked(const np_user_t *u) {
  return u->admin_locked || u->locked_until > np_auth_now();
}

static np_err locked_answer(const np_user_t *u, np_errdetail_t *err) {
  if (u->admin_locked)
    return np_fail(err, NP_ERR_RATE_LIMIT, "account_locked", NULL, "the account is locked by an administrator");
  int64_t mins = (u->locked_until - np_auth_now() + 59) / 60;
  return np_fail(err, NP_ERR_RATE_LIMIT, "account_locked", NULL, "the account is locked: try again in %lld minute(s)",
                 (long long)mins);
}

np_err np_user_change_password(np_store_t *s, int64_t id, const char *old_pw, const char *new_pw,
                               const char *keep_session, const np_audit_entry_t *actor, np_errdetail_t *err) {
  np_user_t u;
  np_err e = np_user_get(s, id, &u, err);
  if (e) return e;
  np_auth_settings_t cfg;
  if ((e = np_auth_settings_get(s, &cfg, err))) return e;
  /* a stolen session must not be a way around the lockout: no guessing while locked */
  if (is_locked(&u)) return locked_answer(&u, err);
  if (!old_pw || !np_password_verify(u.password_hash, old_pw)) {
    bool locked = false;
    np_login_t in = {.username = u.username, .ip = actor ? actor->ip : NULL, .request_id = actor ? actor->request_id : NULL};
    e = record_failure(s, &u, &in, "wrong old password on password change", &cfg, true, &locked, err);
    if (e) return e;
    if (locked)
      return np_fail(err, NP_ERR_RATE_LIMIT, "account_locked", NULL,
                     "too many failed attempts: the account is locked for %d minutes", cfg.lockout_minutes);
    return np_fail(err, NP_ERR_UNAUTHORIZED, "invalid_credentials", "old", "the current password is wrong");
  }
  if ((e = np_password_check_policy(u.username, new_pw, err))) return e;
  bool reused = false;
  if ((e = in_history(s, id, new_pw, &reused, err))) return e;
  if (reused)
    return np_fail(err, NP_ERR_INVALID, "password_reused", "new", "one of the last %d passwords cannot be used again",
                   NP_PASSWORD_HISTORY);
  if ((e = np_store_begin(s, err))) return e;
  e = store_password(s, id, new_pw, false, err);
  if (!e) e = np_session_revoke_user(s, id, keep_session, err);
  if (!e) e = change_row(s, id, "update", err);
  if (!e) e = audit(s, actor, &(audit_args_t){.action = "password.change", .target = &u}, err);
  if (!e) e = np_store_commit(s, err);
  return e ? abort_tx(s, e) : NP_OK;
}

/* ---------------------------------------------------------------- second factor */

np_err np_user_totp_begin(np_store_t *s, int64_t id, const np_audit_entry_t *actor, char secret[NP_TOTP_SECRET_B32],
                          char uri[NP_TOTP_URI_CAP], np_errdetail_t *err) {
  np_user_t u;
  np_err e = np_user_get(s, id, &u, err);
  if (e) return e;
  /* a session alone must not replace a factor: remove it with a current code, or a security admin resets it */
  if (u.totp_enrolled)
    return np_fail(err, NP_ERR_CONFLICT, "mfa_enrolled", NULL,
                   "a second factor is enrolled already: remove it with a current code, or ask a security "
                   "administrator to reset it");
  if ((e = np_totp_new_secret(secret))) return e;
  char *sealed = NULL;
  if ((e = seal_secret(secret, &sealed, err))) return e;
  if ((e = np_store_begin(s, err))) {
    free(sealed);
    return e;
  }
  e = np_store_execf(s, NULL, err, "UPDATE users SET totp_pending = ?, updated_at = ? WHERE id = ?", "tii", sealed,
                     np_auth_now(), id);
  free(sealed);
  if (!e) e = change_row(s, id, "update", err);
  if (!e) e = audit(s, actor, &(audit_args_t){.action = "mfa.enrol_start", .target = &u}, err);
  if (!e) e = np_store_commit(s, err);
  if (e) return abort_tx(s, e);
  np_totp_uri(u.username, secret, uri, NP_TOTP_URI_CAP);
  return NP_OK;
}

np_err np_user_totp_confirm(np_store_t *s, int64_t id, const char *code, const np_audit_entry_t *actor,
                            char codes[NP_RECOVERY_CODES][NP_RECOVERY_CODE_LEN], np_errdetail_t *err) {
  np_user_t u;
  np_err e = np_user_get(s, id, &u, err);
  if (e) return e;
  uint8_t key[32];
  size_t kl = 0;
  if ((e = load_secret(s, id, true, key, &kl, err))) return e;
  int64_t step = 0;
  bool ok = np_totp_check(key, kl, code, np_auth_now(), 0, &step);
  sodium_memzero(key, sizeof key);
  if (!ok) return np_fail(err, NP_ERR_INVALID, "mfa_invalid", "code", "the code is wrong or has expired");
  if ((e = np_store_begin(s, err))) return e;
  e = np_store_execf(s, NULL, err,
                     "UPDATE users SET totp_secret = totp_pending, totp_pending = NULL, totp_last_step = ?, updated_at = ? "
                     "WHERE id = ? AND totp_pending IS NOT NULL",
                     "iii", step, np_auth_now(), id);
  if (!e) e = new_recovery_codes(s, id, codes, err);
  if (!e) e = np_session_clear_mfa_pending(s, id, err);
  if (!e) e = change_row(s, id, "update", err);
  if (!e) e = audit(s, actor, &(audit_args_t){.action = "mfa.enrol", .target = &u}, err);
  if (!e) e = np_store_commit(s, err);
  if (e) {
    sodium_memzero(codes, sizeof(char[NP_RECOVERY_CODES][NP_RECOVERY_CODE_LEN]));
    return abort_tx(s, e);
  }
  return NP_OK;
}

np_err np_user_totp_remove(np_store_t *s, int64_t id, const char *code, const np_audit_entry_t *actor,
                           np_errdetail_t *err) {
  np_user_t u;
  np_err e = np_user_get(s, id, &u, err);
  if (e) return e;
  if (np_role_requires_mfa(u.role))
    return np_fail(err, NP_ERR_FORBIDDEN, "mfa_required_for_role", NULL, "role %s must keep a second factor",
                   np_role_name(u.role));
  np_auth_settings_t cfg;
  if ((e = np_auth_settings_get(s, &cfg, err))) return e;
  /* wrong codes count towards the lockout, as at sign-in: a session alone must not allow guessing */
  if (is_locked(&u)) return locked_answer(&u, err);
  uint8_t key[32];
  size_t kl = 0;
  if ((e = load_secret(s, id, false, key, &kl, err))) return e;
  int64_t step = 0;
  bool ok = np_totp_check(key, kl, code, np_auth_now(), u.totp_last_step, &step);
  sodium_memzero(key, sizeof key);
  if (!ok) {
    bool locked = false;
    np_login_t in = {.username = u.username, .ip = actor ? actor->ip : NULL, .request_id = actor ? actor->request_id : NULL};
    if ((e = record_failure(s, &u, &in, "wrong second-factor code on factor removal", &cfg, true, &locked, err)))
      return e;
    if (locked)
      return np_fail(err, NP_ERR_RATE_LIMIT, "account_locked", NULL,
                     "too many failed attempts: the account is locked for %d minutes", cfg.lockout_minutes);
    return np_fail(err, NP_ERR_INVALID, "mfa_invalid", "code", "the code is wrong or was used already");
  }
  if ((e = np_store_begin(s, err))) return e;
  /* the code is used up atomically (a concurrent request with the same code loses) */
  int64_t changed = 0;
  e = np_store_execf(s, &changed, err,
                     "UPDATE users SET totp_secret = NULL, totp_pending = NULL, totp_last_step = ?, updated_at = ? "
                     "WHERE id = ? AND totp_last_step < ?",
                     "iiii", step, np_auth_now(), id, step);
  if (!e && changed != 1) e = np_fail(err, NP_ERR_INVALID, "mfa_invalid", "code", "the code is wrong or was used already");
  if (!e) e = np_store_execf(s, NULL, err, "DELETE FROM recovery_codes WHERE user_id = ?", "i", id);
  if (!e) e = change_row(s, id, "update", err);
  if (!e) e = audit(s, actor, &(audit_args_t){.action = "mfa.remove", .target = &u}, err);
  if (!e) e = np_store_commit(s, err);
  return e ? abort_tx(s, e) : NP_OK;
}

np_err np_user_totp_reset(np_store_t *s, int64_t id, const np_audit_entry_t *actor, char uri[NP_TOTP_URI_CAP],
                          np_errdetail_t *err) {
  uri[0] = '\0';
  np_user_t u;
  np_err e = np_user_get(s, id, &u, err);
  if (e) return e;
  if ((e = np_store_begin(s, err))) return e;
  char secret[NP_TOTP_SECRET_B32] = "";
  if (np_role_requires_mfa(u.role)) {
    e = enrol_now(s, &u, secret, uri, err);
  } else {
    e = np_store_execf(s, NULL, err, "UPDATE users SET totp_secret = NULL, totp_pending = NULL, updated_at = ? WHERE id = ?",
                       "ii", np_auth_now(), id);
    if (!e) e = np_store_execf(s, NULL, err, "DELETE FROM recovery_codes WHERE user_id = ?", "i", id);
  }
  sodium_memzero(secret, sizeof secret);
  if (!e) e = np_session_revoke_user(s, id, NULL, err);
  if (!e) e = change_row(s, id, "update", err);
  if (!e) e = audit(s, actor, &(audit_args_t){.action = "mfa.reset", .target = &u}, err);
  if (!e) e = np_store_commit(s, err);
  if (e) {
    sodium_memzero(uri, NP_TOTP_URI_CAP);
    return abort_tx(s, e);
  }
  return NP_OK;
}

/* ---------------------------------------------------------------- sign-in */

static np_err login_fail(np_store_t *s, const np_user_t *u, const np_login_t *in, const char *reason,
                         const np_auth_settings_t *cfg, bool count, np_err e_ret, const char *code, const char *msg,
                         np_errdetail_t *err) {
  bool locked_now = false;
  np_err e = record_failure(s, u, in, reason, cfg, count, &locked_now, err);
  if (e) return e;
  if (locked_now)
    return np_fail(err, NP_ERR_RATE_LIMIT, "account_locked", NULL,
                   "too many failed attempts: the account is locked for %d minutes", cfg->lockout_minutes);
  return np_fail(err, e_ret, code, NULL, "%s", msg);
}

#define MSG_BAD_CREDENTIALS "wrong username or password"

np_err np_auth_login(np_store_t *s, const np_login_t *in, np_login_result_t *out, np_errdetail_t *err) {
  memset(out, 0, sizeof *out);
  np_auth_settings_t cfg;
  np_err e = np_auth_settings_get(s, &cfg, err);
  if (e) return e;
  np_user_t *u = &out->user;
  bool known = false;
  if (in->username && in->password && strlen(in->password) <= NP_PASSWORD_MAX_BYTES) {
    e = np_user_find(s, in->username, u, err);
    if (e && e != NP_ERR_NOT_FOUND) return e;
    known = e == NP_OK;
    np_errdetail_clear(err);
  }
  if (!known) {
    np_password_verify_dummy(in->password); /* same time as a wrong password */
    return login_fail(s, NULL, in, "unknown user", &cfg, false, NP_ERR_UNAUTHORIZED, "invalid_credentials",
                      MSG_BAD_CREDENTIALS, err);
  }
  int64_t now = np_auth_now();
  if (u->admin_locked || u->locked_until > now) {
    e = login_fail(s, u, in, "account locked", &cfg, false, NP_ERR_RATE_LIMIT, "account_locked", "", err);
    if (e != NP_ERR_RATE_LIMIT) return e;
    if (u->admin_locked) return np_fail(err, NP_ERR_RATE_LIMIT, "account_locked", NULL, "the account is locked by an administrator");
    int64_t mins = (u->locked_until - now + 59) / 60;
    return np_fail(err, NP_ERR_RATE_LIMIT, "account_locked", NULL, "the account is locked: try again in %lld minute(s)",
                   (long long)mins);
  }
  if (!np_password_verify(u->password_hash, in->password))
    return login_fail(s, u, in, "wrong password", &cfg, true, NP_ERR_UNAUTHORIZED, "invalid_credentials",
                      MSG_BAD_CREDENTIALS, err);
  /* the password is right from here on */
  if (u->disabled)
    return login_fail(s, u, in, "account disabled", &cfg, false, NP_ERR_FORBIDDEN, "account_disabled",
                      "the account is disabled: ask an administrator", err);
  if (now - u->active_at > (int64_t)cfg.inactive_disable_days * 86400) {
    if ((e = np_store_begin(s, err))) return e;
    e = np_store_execf(s, NULL, err, "UPDATE users SET disabled = 1, updated_at = ? WHERE id = ?", "ii", now, u->id);
    if (!e) e = change_row(s, u->id, "update", err);
    np_audit_entry_t sys = {.ip = in->ip, .request_id = in->request_id, .username = "system"};
    char detail[64];
    snprintf(detail, sizeof detail, "unused for more than %d days", cfg.inactive_disable_days);
    if (!e) e = audit(s, &sys, &(audit_args_t){.action = "account.disable", .target = u, .detail = detail}, err);
    if (!e) e = np_store_commit(s, err);
    if (e) return abort_tx(s, e);
    u->disabled = true;
    return login_fail(s, u, in, "account disabled (inactive)", &cfg, false, NP_ERR_FORBIDDEN, "account_disabled",
                      "the account was unused too long and is disabled: ask an administrator", err);
  }
  int64_t step = 0;
  int64_t recovery = 0;
  if (u->totp_enrolled) {
    if (!in->totp || !*in->totp) {
      np_audit_entry_t a = {.user_id = u->id, .role = np_role_name(u->role), .ip = in->ip, .request_id = in->request_id};
      if ((e = audit(s, &a, &(audit_args_t){.action = "login.mfa_required", .target = u}, err))) return e;
      return np_fail(err, NP_ERR_UNAUTHORIZED, "mfa_required", "totp", "enter the code from your authenticator app");
    }
    bool ok = false;
    if (np_totp_looks_like_code(in->totp)) {
      uint8_t key[32];
      size_t kl = 0;
      if ((e = load_secret(s, u->id, false, key, &kl, err))) return e;
      ok = np_totp_check(key, kl, in->totp, now, u->totp_last_step, &step);
      sodium_memzero(key, sizeof key);
    } else {
      recovery = 1; /* checked (and used up) in the success transaction below */
      ok = true;
    }
    if (!ok)
      return login_fail(s, u, in, "wrong or reused second-factor code", &cfg, true, NP_ERR_UNAUTHORIZED, "mfa_invalid",
                        "the code is wrong or was used already", err);
  }
  bool expired = now - u->password_changed_at > (int64_t)cfg.password_max_age_days * 86400;
  bool must_change = u->must_change_password || expired;
  out->mfa_enrolment_required = cfg.mfa_enforced && np_role_requires_mfa(u->role) && !u->totp_enrolled;

  if ((e = np_store_begin(s, err))) return e;
  if (recovery) {
    bool ok = false;
    e = use_recovery_code(s, u->id, in->totp, &ok, err);
    if (e) return abort_tx(s, e);
    if (!ok) {
      np_store_rollback(s);
      return login_fail(s, u, in, "wrong or used recovery code", &cfg, true, NP_ERR_UNAUTHORIZED, "mfa_invalid",
                        "the code is wrong or was used already", err);
    }
  }
  if (step) {
    int64_t n = 0;
    e = np_store_execf(s, &n, err, "UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?", "iii", step,
                       u->id, step);
    if (e) return abort_tx(s, e);
    if (n != 1) { /* a concurrent sign-in used the same code first */
      np_store_rollback(s);
      return login_fail(s, u, in, "reused second-factor code", &cfg, true, NP_ERR_UNAUTHORIZED, "mfa_invalid",
                        "the code is wrong or was used already", err);
    }
    u->totp_last_step = step;
  }
  e = np_store_execf(s, NULL, err,
                     "UPDATE users SET failed_logins = 0, locked_until = 0, last_login_at = ?, active_at = ?, "
                     "must_change_password = ?, updated_at = ? WHERE id = ?",
                     "iiiii", now, now, (int64_t)(must_change ? 1 : 0), now, u->id);
  if (!e) e = np_session_create(s, u->id, in->ip, in->user_agent, out->mfa_enrolment_required, &out->session, err);
  np_audit_entry_t a = {.user_id = u->id, .username = u->username, .role = np_role_name(u->role), .ip = in->ip,
                        .request_id = in->request_id};
  const char *detail = recovery ? "with a recovery code" : expired ? "password expired: must change" : NULL;
  if (!e) e = audit(s, &a, &(audit_args_t){.action = "login.success", .target = u, .detail = detail}, err);
  if (!e) e = np_store_commit(s, err);
  if (e) {
    sodium_memzero(&out->session, sizeof out->session);
    return abort_tx(s, e);
  }
  u->failed_logins = 0;
  u->locked_until = 0;
  u->last_login_at = u->active_at = now;
  u->must_change_password = must_change;
  return NP_OK;
}

np_err np_user_sweep_inactive(np_store_t *s, const np_audit_entry_t *actor, int64_t *count, np_errdetail_t *err) {
  if (count) *count = 0;
  np_auth_settings_t cfg;
  np_err e = np_auth_settings_get(s, &cfg, err);
  if (e) return e;
  int64_t now = np_auth_now(), cutoff = now - (int64_t)cfg.inactive_disable_days * 86400;
  /* ids first (a statement must not stay open across the writes) */
  int64_t ids[256];
  for (;;) {
    size_t n = 0;
    np_stmt_t *st = NULL;
    if ((e = np_store_prepare(s, "SELECT id FROM users WHERE disabled = 0 AND active_at < ? ORDER BY id LIMIT 256", &st, err)))
      return e;
    if (!(e = np_store_bind_int64(st, 1, cutoff)))
      for (;;) {
        bool row = false;
        if ((e = np_store_step(st, &row, err)) || !row) break;
        ids[n++] = np_store_col_int64(st, 0);
      }
    np_store_release(st);
    if (e) return e;
    if (n == 0) return NP_OK;
    for (size_t i = 0; i < n; i++) {
      np_user_t u;
      if ((e = np_user_get(s, ids[i], &u, err))) return e;
      if ((e = np_store_begin(s, err))) return e;
      e = np_store_execf(s, NULL, err, "UPDATE users SET disabled = 1, updated_at = ? WHERE id = ?", "ii", now, u.id);
      if (!e) e = np_session_revoke_user(s, u.id, NULL, err);
      if (!e) e = change_row(s, u.id, "update", err);
      char detail[64];
      snprintf(detail, sizeof detail, "unused for more than %d days", cfg.inactive_disable_days);
      if (!e) e = audit(s, actor, &(audit_args_t){.action = "account.disable", .target = &u, .detail = detail}, err);
      if (!e) e = np_store_commit(s, err);
      if (e) return abort_tx(s, e);
      if (count) (*count)++;
    }
  }
}

/* ---------------------------------------------------------------- list */

/* Escapes LIKE wildcards with '\'. */
static void like_escape(const char *in, char *out, size_t cap) {
  size_t o = 0;
  for (; *in && o + 3 < cap; in++) {
    if (*in == '%' || *in == '_' || *in == '\\') out[o++] = '\\';
    out[o++] = *in;
  }
  out[o] = '\0';
}

np_err np_user_list(np_store_t *s, const np_user_filter_t *f, json_t **items, int64_t *total, int64_t *next_after,
                    np_errdetail_t *err) {
  *items = NULL;
  *total = 0;
  *next_after = 0;
  int64_t now = np_auth_now();
  char where[512] = " WHERE 1 = 1";
  char qpat[200] = "", rpat[24] = "";
  size_t wl = strlen(where);
#define ADD(txt) (wl += (size_t)snprintf(where + wl, sizeof where - wl, "%s", txt))
  if (f->q && *f->q) {
    char esc[180];
    like_escape(f->q, esc, sizeof esc);
    snprintf(qpat, sizeof qpat, "%%%s%%", esc);
    ADD(" AND (username LIKE ? ESCAPE '\\' OR display_name LIKE ? ESCAPE '\\')");
  }
  if (f->role && *f->role) {
    if (np_role_parse(f->role) == NP_ROLE_NONE) return np_fail(err, NP_ERR_INVALID, "invalid_role", "role", "unknown role");
    ADD(" AND role = ?");
  }
  if (f->status && *f->status) {
    if (strcmp(f->status, "active") == 0) ADD(" AND disabled = 0 AND admin_locked = 0 AND locked_until <= ?");
    else if (strcmp(f->status, "locked") == 0) ADD(" AND disabled = 0 AND (admin_locked = 1 OR locked_until > ?)");
    else if (strcmp(f->status, "disabled") == 0) ADD(" AND disabled = 1");
    else return np_fail(err, NP_ERR_INVALID, "invalid_status", "status", "status is active, locked or disabled");
  }
  if (f->region && *f->region) {
    char prefix[16];
    if (!np_authz_region_prefix(f->region, prefix))
      return np_fail(err, NP_ERR_INVALID, "format", "region", "region must be a division code");
    snprintf(rpat, sizeof rpat, "%s%%", prefix);
    ADD(" AND region_code LIKE ?");
  }
#undef ADD
  if (wl >= sizeof where) return NP_ERR_INTERNAL;
  bool need_now = f->status && (strcmp(f->status, "active") == 0 || strcmp(f->status, "locked") == 0);
  for (int pass = 0; pass < 2; pass++) {
    char sql[900];
    if (pass == 0) snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM users%s", where);
    else snprintf(sql, sizeof sql, "SELECT " USER_COLS " FROM users%s AND id > ? ORDER BY id LIMIT ?", where);
    np_stmt_t *st = NULL;
    np_err e = np_store_prepare(s, sql, &st, err);
    if (e) return e;
    int i = 1;
    if (qpat[0]) {
      e = np_store_bind_text(st, i++, qpat, NP_STORE_STRLEN);
      if (!e) e = np_store_bind_text(st, i++, qpat, NP_STORE_STRLEN);
    }
    if (!e && f->role && *f->role) e = np_store_bind_text(st, i++, f->role, NP_STORE_STRLEN);
    if (!e && need_now) e = np_store_bind_int64(st, i++, now);
    if (!e && rpat[0]) e = np_store_bind_text(st, i++, rpat, NP_STORE_STRLEN);
    if (!e && pass == 1) {
      e = np_store_bind_int64(st, i++, f->after_id);
      if (!e) e = np_store_bind_int64(st, i++, f->limit + 1);
    }
    if (e) {
      np_store_release(st);
      return e;
    }
    if (pass == 0) {
      bool row = false;
      e = np_store_step(st, &row, err);
      if (!e && row) *total = np_store_col_int64(st, 0);
      np_store_release(st);
      if (e) return e;
      continue;
    }
    json_t *arr = json_array();
    int n = 0;
    int64_t last = 0;
    for (; arr;) {
      bool row = false;
      if ((e = np_store_step(st, &row, err)) || !row) break;
      if (n == f->limit) {
        *next_after = last;
        break;
      }
      np_user_t u;
      read_user(st, &u);
      last = u.id;
      if (json_array_append_new(arr, np_user_json(&u, now))) {
        e = NP_ERR_NOMEM;
        break;
      }
      n++;
    }
    np_store_release(st);
    if (!arr) return NP_ERR_NOMEM;
    if (e) {
      json_decref(arr);
      return e;
    }
    *items = arr;
  }
  return NP_OK;
}

/* ---------------------------------------------------------------- preferences */

static np_err check_pref_key(const char *key, np_errdetail_t *err) {
  size_t n = key ? strlen(key) : 0;
  if (n == 0 || n > 64) return np_fail(err, NP_ERR_INVALID, "length", "key", "a key has 1 to 64 characters");
  for (size_t i = 0; i < n; i++) {
    char c = key[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
      return np_fail(err, NP_ERR_INVALID, "format", "key", "a key uses a-z, 0-9, '.', '_' and '-'");
  }
  return NP_OK;
}

np_err np_user_pref_get(np_store_t *s, int64_t id, const char *key, json_t **value, np_errdetail_t *err) {
  *value = NULL;
  np_err e = check_pref_key(key, err);
  if (e) return e;
  np_stmt_t *st = NULL;
  if ((e = np_store_prepare(s, "SELECT value FROM user_preferences WHERE user_id = ? AND pkey = ?", &st, err))) return e;
  bool row = false;
  if (!(e = np_store_bind_int64(st, 1, id)) && !(e = np_store_bind_text(st, 2, key, NP_STORE_STRLEN)) &&
      !(e = np_store_step(st, &row, err)) && row) {
    const char *t = np_store_col_text(st, 0);
    json_error_t je;
    *value = t ? json_loads(t, JSON_REJECT_DUPLICATES, &je) : NULL;
    if (!*value) e = np_fail(err, NP_ERR_INTERNAL, "stored_json", NULL, "stored preference is not JSON");
  }
  np_store_release(st);
  if (e) return e;
  if (!row) return np_fail(err, NP_ERR_NOT_FOUND, "not_found", "key", "no such preference");
  return NP_OK;
}

np_err np_user_pref_put(np_store_t *s, int64_t id, const char *key, const json_t *value, const np_audit_entry_t *actor,
                        np_errdetail_t *err) {
  np_err e = check_pref_key(key, err);
  if (e) return e;
  if (!value || !(json_is_object(value) || json_is_array(value)))
    return np_fail(err, NP_ERR_INVALID, "type", "value", "value must be an object or an array");
  char *text = json_dumps(value, JSON_COMPACT | JSON_PRESERVE_ORDER);
  if (!text) return NP_ERR_NOMEM;
  if (strlen(text) > 16384) {
    free(text);
    return np_fail(err, NP_ERR_TOO_LARGE, "too_large", "value", "a preference holds at most 16 KiB");
  }
  if ((e = np_store_begin(s, err))) {
    free(text);
    return e;
  }
  e = np_store_execf(s, NULL, err, "DELETE FROM user_preferences WHERE user_id = ? AND pkey = ?", "it", id, key);
  if (!e)
    e = np_store_execf(s, NULL, err, "INSERT INTO user_preferences (user_id, pkey, value, updated_at) VALUES (?, ?, ?, ?)",
                       "itti", id, key, text, np_auth_now());
  free(text);
  char pid[96];
  snprintf(pid, sizeof pid, "u_%lld:%s", (long long)id, key);
  if (!e) e = np_store_change(s, "user_preference", pid, "update", NULL, err);
  if (!e) {
    np_audit_entry_t a = actor ? *actor : (np_audit_entry_t){0};
    a.action = "preference.update";
    a.entity = "user_preference";
    a.entity_id = pid;
    a.outcome = "success";
    e = np_audit_record(s, &a, NULL, err);
  }
  if (!e) e = np_store_commit(s, err);
  return e ? abort_tx(s, e) : NP_OK;
}
