/* Sessions (see sessions.h). */
#include "auth/sessions.h"
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include "auth/settings.h"
#include "core/date.h"
#include "core/str.h"
#include "http/authz.h"

void np_session_token_hash(const char *token, char out[65]) {
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
  np_hex_encode(h, sizeof h, out, 65);
}

static bool token_shape_ok(const char *token) {
  if (!token) return false;
  size_t n = strlen(token);
  if (n != NP_SESSION_TOKEN_LEN - 1) return false;
  for (size_t i = 0; i < n; i++) {
    char c = token[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
      return false;
  }
  return true;
}

np_err np_session_create(np_store_t *s, int64_t user_id, const char *ip, const char *user_agent, bool mfa_pending,
                         np_session_new_t *out, np_errdetail_t *err) {
  if (sodium_init() < 0) return np_fail(err, NP_ERR_INTERNAL, "random", NULL, "no random source");
  np_auth_settings_t cfg;
  np_err e = np_auth_settings_get(s, &cfg, err);
  if (e) return e;
  unsigned char raw[32], pub[8];
  randombytes_buf(raw, sizeof raw);
  randombytes_buf(pub, sizeof pub);
  sodium_bin2base64(out->token, sizeof out->token, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(raw, sizeof raw);
  np_hex_encode(pub, sizeof pub, out->public_id, sizeof out->public_id);
  char hash[65];
  np_session_token_hash(out->token, hash);
  char ua[257];
  ua[0] = '\0';
  if (user_agent) {
    size_t n = np_strlcpy(ua, user_agent, sizeof ua);
    if (n >= sizeof ua) { /* cut at a character boundary */
      size_t k = sizeof ua - 1;
      while (k > 0 && ((unsigned char)ua[k] & 0xC0) == 0x80) k--;
      ua[k] = '\0';
    }
    if (!np_utf8_valid(ua, strlen(ua))) ua[0] = '\0';
  }
  out->created_at = np_auth_now();
  out->expires_at = out->created_at + (int64_t)cfg.absolute_timeout_hours * 3600;
  e = np_store_execf(s, NULL, err,
                     "INSERT INTO sessions (public_id, token_hash, user_id, ip, user_agent, mfa_pending, created_at, "
                     "last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     "ttittiiii", out->public_id, hash, user_id, ip, ua[0] ? ua : NULL, (int64_t)(mfa_pending ? 1 : 0),
                     out->created_at, out->created_at, out->expires_at);
  return e;
}

static void copy_col(np_stmt_t *st, int col, char *dst, size_t cap) {
  const char *t = np_store_col_text(st, col);
  np_strlcpy(dst, t ? t : "", cap);
}

np_err np_session_resolve(np_store_t *s, const char *token, np_principal_t *out, np_errdetail_t *err) {
  memset(out, 0, sizeof *out);
  if (!token_shape_ok(token))
    return np_fail(err, NP_ERR_UNAUTHORIZED, "unauthorized", NULL, "the session is missing, expired or invalid");
  np_auth_settings_t cfg;
  np_err e = np_auth_settings_get(s, &cfg, err);
  if (e) return e;
  char hash[65];
  np_session_token_hash(token, hash);
  np_stmt_t *st = NULL;
  e = np_store_prepare(s,
                       "SELECT s.id, s.public_id, s.last_seen_at, s.expires_at, s.mfa_pending, u.id, u.username, "
                       "u.display_name, u.role, u.region_code, u.enterprise_id, u.bank, u.must_change_password, "
                       "u.can_unmask, u.disabled, u.admin_locked, u.totp_secret IS NOT NULL "
                       "FROM sessions s JOIN users u ON u.id = s.user_id "
                       "WHERE s.token_hash = ? AND s.revoked_at IS NULL",
                       &st, err);
  if (e) return e;
  bool row = false;
  if ((e = np_store_bind_text(st, 1, hash, NP_STORE_STRLEN)) || (e = np_store_step(st, &row, err))) goto out;
  int64_t now = np_auth_now();
  if (!row) {
    e = np_fail(err, NP_ERR_UNAUTHORIZED, "unauthorized", NULL, "the session is missing, expired or invalid");
    goto out;
  }
  int64_t sid = np_store_col_int64(st, 0), last_seen = np_store_col_int64(st, 2),
          expires = np_store_col_int64(st, 3);
  bool idle = now - last_seen > (int64_t)cfg.idle_timeout_minutes * 60;
  bool blocked = np_store_col_int64(st, 14) != 0 || np_store_col_int64(st, 15) != 0;
  if (now >= expires || idle || blocked) {
    e = np_fail(err, NP_ERR_UNAUTHORIZED, "session_expired", NULL, "the session has expired: sign in again");
    goto out;
  }
  copy_col(st, 1, out->session_id, sizeof out->session_id);
  out->mfa_enrolment_required = np_store_col_int64(st, 4) != 0;
  out->user_id = np_store_col_int64(st, 5);
  copy_col(st, 6, out->username, sizeof out->username);
  copy_col(st, 7, out->display_name, sizeof out->display_name);
  out->role = np_role_parse(np_store_col_text(st, 8));
  copy_col(st, 9, out->region_code, sizeof out->region_code);
  out->enterprise_id = np_store_col_is_null(st, 10) ? 0 : np_store_col_int64(st, 10);
  copy_col(st, 11, out->bank, sizeof out->bank);
  out->must_change_password = np_store_col_int64(st, 12) != 0;
  out->can_unmask = np_store_col_int64(st, 13) != 0;
  bool has_factor = np_store_col_int64(st, 16) != 0;
  np_store_release(st);
  st = NULL;
  if (out->role == NP_ROLE_NONE) {
    memset(out, 0, sizeof *out);
    return np_fail(err, NP_ERR_UNAUTHORIZED, "unauthorized", NULL, "the session is missing, expired or invalid");
  }
  /* A session opened while mfa_enforced was off (or before a factor reset) does not keep full access
   * once the requirement is on again: a staff user without a factor is back to the enrolment routes. */
  if (cfg.mfa_enforced && np_role_requires_mfa(out->role) && !has_factor) out->mfa_enrolment_required = true;
  if (now - last_seen >= NP_SESSION_TOUCH_SECONDS) {
    /* best effort: a busy database must not fail the request; the next request retries */
    np_errdetail_t ignore;
    (void)np_store_execf(s, NULL, &ignore, "UPDATE sessions SET last_seen_at = ? WHERE id = ? AND last_seen_at < ?",
                         "iii", now, sid, now);
  }
  return NP_OK;
out:
  np_store_release(st);
  return e;
}

np_err np_session_revoke_token(np_store_t *s, const char *token, np_errdetail_t *err) {
  if (!token_shape_ok(token)) return np_fail(err, NP_ERR_NOT_FOUND, "not_found", NULL, "no such session");
  char hash[65];
  np_session_token_hash(token, hash);
  int64_t n = 0;
  np_err e = np_store_execf(s, &n, err, "UPDATE sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL",
                            "it", np_auth_now(), hash);
  if (e) return e;
  return n ? NP_OK : np_fail(err, NP_ERR_NOT_FOUND, "not_found", NULL, "no such session");
}

np_err np_session_revoke_public(np_store_t *s, const char *public_id, int64_t *user_id, np_errdetail_t *err) {
  if (!public_id || strlen(public_id) != NP_SESSION_PUBLIC_LEN - 1)
    return np_fail(err, NP_ERR_NOT_FOUND, "not_found", NULL, "no such session");
  np_stmt_t *st = NULL;
  np_err e = np_store_prepare(s, "SELECT user_id FROM sessions WHERE public_id = ? AND revoked_at IS NULL AND expires_at > ?",
                              &st, err);
  if (e) return e;
  bool row = false;
  int64_t uid = 0;
  if (!(e = np_store_bind_text(st, 1, public_id, NP_STORE_STRLEN)) && !(e = np_store_bind_int64(st, 2, np_auth_now())) &&
      !(e = np_store_step(st, &row, err)) && row)
    uid = np_store_col_int64(st, 0);
  np_store_release(st);
  if (e) return e;
  if (!row) return np_fail(err, NP_ERR_NOT_FOUND, "not_found", NULL, "no such session");
  e = np_store_execf(s, NULL, err, "UPDATE sessions SET revoked_at = ? WHERE public_id = ? AND revoked_at IS NULL", "it",
                     np_auth_now(), public_id);
  if (!e && user_id) *user_id = uid;
  return e;
}

np_err np_session_revoke_user(np_store_t *s, int64_t user_id, const char *except_public, np_errdetail_t *err) {
  return np_store_execf(s, NULL, err,
                        "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL AND public_id <> ?",
                        "iit", np_auth_now(), user_id, except_public ? except_public : "");
}

np_err np_session_clear_mfa_pending(np_store_t *s, int64_t user_id, np_errdetail_t *err) {
  return np_store_execf(s, NULL, err, "UPDATE sessions SET mfa_pending = 0 WHERE user_id = ? AND mfa_pending = 1", "i",
                        user_id);
}

static json_t *ts_json(int64_t t) {
  char buf[NP_TS_STRLEN];
  if (np_date_format_ts_utc(t, buf, sizeof buf) != NP_OK) return json_null();
  return json_string(buf);
}

np_err np_session_list(np_store_t *s, int limit, json_t **out, np_errdetail_t *err) {
  *out = NULL;
  np_auth_settings_t cfg;
  np_err e = np_auth_settings_get(s, &cfg, err);
  if (e) return e;
  int64_t now = np_auth_now();
  np_stmt_t *st = NULL;
  e = np_store_prepare(s,
                       "SELECT s.public_id, s.user_id, u.username, u.role, s.ip, s.user_agent, s.created_at, "
                       "s.last_seen_at, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id "
                       "WHERE s.revoked_at IS NULL AND s.expires_at > ? AND s.last_seen_at >= ? "
                       "ORDER BY s.id DESC LIMIT ?",
                       &st, err);
  if (e) return e;
  json_t *arr = json_array();
  if (!arr) {
    np_store_release(st);
    return NP_ERR_NOMEM;
  }
  if ((e = np_store_bind_int64(st, 1, now)) || (e = np_store_bind_int64(st, 2, now - (int64_t)cfg.idle_timeout_minutes * 60)) ||
      (e = np_store_bind_int64(st, 3, limit)))
    goto out;
  for (;;) {
    bool row = false;
    if ((e = np_store_step(st, &row, err)) || !row) break;
    char uid[32];
    snprintf(uid, sizeof uid, "u_%lld", (long long)np_store_col_int64(st, 1));
    const char *ip = np_store_col_text(st, 4), *ua = np_store_col_text(st, 5);
    json_t *o = json_pack("{s:s?, s:s, s:s?, s:s?, s:o, s:o, s:o, s:o, s:o}", "id", np_store_col_text(st, 0),
                          "user_id", uid, "username", np_store_col_text(st, 2), "role", np_store_col_text(st, 3),
                          "ip", ip ? json_string(ip) : json_null(), "user_agent", ua ? json_string(ua) : json_null(),
                          "created_at", ts_json(np_store_col_int64(st, 6)), "last_seen_at",
                          ts_json(np_store_col_int64(st, 7)), "expires_at", ts_json(np_store_col_int64(st, 8)));
    if (!o || json_array_append_new(arr, o)) {
      e = NP_ERR_NOMEM;
      break;
    }
  }
out:
  np_store_release(st);
  if (e) {
    json_decref(arr);
    return e;
  }
  *out = arr;
  return NP_OK;
}
