/*
 * Accounts against a real SQLite store: lockout (429 even with the right password while locked),
 * the same answer for unknown users, TOTP single use, recovery codes single use, session idle and
 * absolute expiry (injected clock), password history, must-change flow, inactivity, audit rows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "auth/sessions.h"
#include "auth/settings.h"
#include "auth/users.h"
#include "crypto/crypto.h"
#include "http/authz.h"

static int64_t fake_now = 1700000000;
static int64_t clock_fn(void) { return fake_now; }

static np_store_t *db(const char *name) {
  np_store_t *s = NULL;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  assert_int_equal(np_store_open(tu_tmp_db_url(name), &s, &d), NP_OK);
  int applied = 0;
  if (np_store_migrate(s, &applied, &d) != NP_OK) fail_msg("migrate: %s %s", d.code, d.message);
  np_auth_settings_invalidate();
  return s;
}

static const np_audit_entry_t cli_actor = {.username = "cli"};

static np_user_created_t *mk(np_store_t *s, const char *user, const char *role, const char *region, const char *pw) {
  static np_user_created_t c;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  np_user_new_t in = {.username = user, .role = role, .region_code = region, .password = pw, .keep_password = true};
  if (strcmp(role, "bank") == 0) in.bank = "中国银行山东省分行";
  if (strcmp(role, "enterprise") == 0) in.enterprise_id = 7;
  np_err e = np_user_create(s, &in, &cli_actor, &c, &d);
  if (e) fail_msg("create %s: %s %s %s", user, d.code, d.field, d.message);
  return &c;
}

static np_err login(np_store_t *s, const char *user, const char *pw, const char *totp, np_login_result_t *r,
                    np_errdetail_t *d) {
  np_errdetail_clear(d);
  np_login_t in = {.username = user, .password = pw, .totp = totp, .ip = "127.0.0.1", .request_id = "t"};
  return np_auth_login(s, &in, r, d);
}

static int64_t audit_count(np_store_t *s, const char *action) {
  char sql[200];
  snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM audit_log WHERE action = '%s'", action);
  int64_t n = 0;
  bool found;
  assert_int_equal(np_store_query_int64(s, sql, &n, &found, NULL), NP_OK);
  return n;
}

static void code_at(const char *uri, int64_t t, char out[7]) {
  const char *p = strstr(uri, "secret=");
  assert_non_null(p);
  char b32[64];
  size_t i = 0;
  for (p += 7; *p && *p != '&' && i < sizeof b32 - 1; p++) b32[i++] = *p;
  b32[i] = '\0';
  uint8_t key[32];
  size_t kl;
  assert_int_equal(np_base32_decode(b32, key, sizeof key, &kl), NP_OK);
  snprintf(out, 7, "%06u", np_totp_at(key, kl, t, 6));
}

static void test_create_validation(void **state) {
  (void)state;
  np_store_t *s = db("create.db");
  np_errdetail_t d;
  np_user_created_t c;
  struct {
    np_user_new_t in;
    const char *field;
  } bad[] = {
    {{.username = "ab", .role = "seeker"}, "username"},
    {{.username = "Bad Name", .role = "seeker"}, "username"},
    {{.username = "x.y", .role = "wizard"}, "role"},
    {{.username = "c1", .role = "county_staff"}, "username"},
    {{.username = "c1x", .role = "county_staff"}, "region_code"},
    {{.username = "c1x", .role = "county_staff", .region_code = "370100"}, "region_code"}, /* city level */
    {{.username = "c1x", .role = "county_staff", .region_code = "12345"}, "region_code"},
    {{.username = "c1x", .role = "city_staff", .region_code = "370102"}, "region_code"},
    {{.username = "c1x", .role = "seeker", .region_code = "370102"}, "region_code"},
    {{.username = "c1x", .role = "enterprise"}, "enterprise_id"},
    {{.username = "c1x", .role = "bank"}, "bank"},
    {{.username = "c1x", .role = "seeker", .password = "short"}, "password"},
    {{.username = "c1x", .role = "seeker", .display_name = ""}, "display_name"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    np_errdetail_clear(&d);
    np_err e = np_user_create(s, &bad[i].in, &cli_actor, &c, &d);
    if (e != NP_ERR_INVALID && e != NP_ERR_ENCODING) fail_msg("case %zu: expected invalid, got %d", i, e);
    assert_string_equal(d.field, bad[i].field);
  }
  int64_t n = -1;
  assert_int_equal(np_user_count(s, &n, NULL), NP_OK);
  assert_int_equal(n, 0);
  np_user_created_t kc = *mk(s, "County.One", "county_staff", "370102", NULL), *k = &kc;
  assert_string_equal(k->user.username, "county.one");
  assert_true(k->user.must_change_password);
  assert_int_equal(strlen(k->initial_password), NP_PASSWORD_GENERATED_LEN);
  assert_true(k->user.totp_enrolled);
  assert_non_null(strstr(k->totp_uri, "otpauth://totp/nineplus:county.one?secret="));
  np_user_created_t *q = mk(s, "seeker1", "seeker", NULL, "Kx9#mQ2vLp7w");
  assert_false(q->user.totp_enrolled);
  assert_string_equal(q->totp_uri, "");
  np_user_new_t demo = {.username = "demo.admin", .role = "sys_admin", .password = "Shandong@2023",
                        .keep_password = true, .skip_factor = true};
  assert_int_equal(np_user_create(s, &demo, &cli_actor, &c, &d), NP_OK);
  assert_false(c.user.totp_enrolled);
  assert_false(c.user.must_change_password);
  assert_string_equal(c.totp_uri, "");
  np_errdetail_clear(&d);
  np_user_new_t dup = {.username = "SEEKER1", .role = "seeker"};
  assert_int_equal(np_user_create(s, &dup, &cli_actor, &c, &d), NP_ERR_CONFLICT);
  assert_string_equal(d.code, "username_taken");
  assert_int_equal(audit_count(s, "user.create"), 3);
  assert_int_equal(audit_count(s, "mfa.enrol"), 1);
  json_t *j = np_user_json(&k->user, fake_now);
  assert_string_equal(json_string_value(json_object_get(j, "role")), "county_staff");
  assert_string_equal(json_string_value(json_object_get(j, "status")), "active");
  assert_true(json_is_true(json_object_get(j, "mfa_required")));
  json_decref(j);
  np_store_close(s);
}

static void test_lockout_and_same_answer(void **state) {
  (void)state;
  np_store_t *s = db("lockout.db");
  mk(s, "ent1", "seeker", NULL, "Qw7!rTy5uIo0");
  np_login_result_t r;
  np_errdetail_t a, b;
  assert_int_equal(login(s, "nobody-here", "Wrong#Pass123", NULL, &r, &a), NP_ERR_UNAUTHORIZED);
  assert_int_equal(login(s, "ent1", "Wrong#Pass123", NULL, &r, &b), NP_ERR_UNAUTHORIZED);
  assert_string_equal(a.code, "invalid_credentials");
  assert_string_equal(a.code, b.code);
  assert_string_equal(a.message, b.message);
  assert_string_equal(a.field, b.field);
  for (int i = 0; i < 3; i++) assert_int_equal(login(s, "ent1", "Wrong#Pass123", NULL, &r, &b), NP_ERR_UNAUTHORIZED);
  assert_int_equal(login(s, "ent1", "Wrong#Pass123", NULL, &r, &b), NP_ERR_RATE_LIMIT); /* fifth */
  assert_string_equal(b.code, "account_locked");
  assert_int_equal(login(s, "ent1", "Qw7!rTy5uIo0", NULL, &r, &b), NP_ERR_RATE_LIMIT); /* right password */
  assert_string_equal(b.code, "account_locked");
  fake_now += 16 * 60; /* the lock ends by itself */
  assert_int_equal(login(s, "ent1", "Qw7!rTy5uIo0", NULL, &r, &b), NP_OK);
  assert_int_equal(audit_count(s, "login.failure"), 7);
  assert_int_equal(audit_count(s, "account.lock"), 1);
  assert_int_equal(audit_count(s, "login.success"), 1);
  /* an administrator's lock holds until unlocked, and ends the sessions */
  np_principal_t p;
  assert_int_equal(np_session_resolve(s, r.session.token, &p, &b), NP_OK);
  assert_int_equal(np_user_set_locked(s, r.user.id, true, &cli_actor, &b), NP_OK);
  assert_int_equal(np_session_resolve(s, r.session.token, &p, &b), NP_ERR_UNAUTHORIZED);
  assert_int_equal(login(s, "ent1", "Qw7!rTy5uIo0", NULL, &r, &b), NP_ERR_RATE_LIMIT);
  fake_now += 3600;
  assert_int_equal(login(s, "ent1", "Qw7!rTy5uIo0", NULL, &r, &b), NP_ERR_RATE_LIMIT);
  int64_t id = r.user.id;
  assert_int_equal(np_user_set_locked(s, id, false, &cli_actor, &b), NP_OK);
  assert_int_equal(login(s, "ent1", "Qw7!rTy5uIo0", NULL, &r, &b), NP_OK);
  np_store_close(s);
}

static void test_totp_and_recovery(void **state) {
  (void)state;
  np_store_t *s = db("totp.db");
  np_user_created_t *c = mk(s, "county1", "county_staff", "370102", "Kx9#mQ2vLp7w");
  char uri[NP_TOTP_URI_CAP];
  memcpy(uri, c->totp_uri, sizeof uri);
  int64_t uid = c->user.id;
  np_login_result_t r;
  np_errdetail_t d;
  assert_int_equal(login(s, "county1", "Kx9#mQ2vLp7w", NULL, &r, &d), NP_ERR_UNAUTHORIZED);
  assert_string_equal(d.code, "mfa_required");
  assert_string_equal(r.session.token, ""); /* no session */
  char code[7];
  code_at(uri, fake_now, code);
  assert_int_equal(login(s, "county1", "Kx9#mQ2vLp7w", code, &r, &d), NP_OK);
  assert_int_equal(strlen(r.session.token), 43);
  assert_false(r.mfa_enrolment_required);
  assert_int_equal(login(s, "county1", "Kx9#mQ2vLp7w", code, &r, &d), NP_ERR_UNAUTHORIZED); /* reused */
  assert_string_equal(d.code, "mfa_invalid");
  assert_int_equal(login(s, "county1", "Kx9#mQ2vLp7w", "000000", &r, &d), NP_ERR_UNAUTHORIZED);
  assert_string_equal(d.code, "mfa_invalid");
  /* a session alone cannot replace an enrolled factor */
  char secret[NP_TOTP_SECRET_B32], uri2[NP_TOTP_URI_CAP];
  assert_int_equal(np_user_totp_begin(s, uid, &cli_actor, secret, uri2, &d), NP_ERR_CONFLICT);
  assert_string_equal(d.code, "mfa_enrolled");
  /* without one (as after a security admin's reset), self-enrolment of a new secret, confirmed with a
   * code: ten recovery codes */
  assert_int_equal(np_store_execf(s, NULL, &d, "UPDATE users SET totp_secret = NULL WHERE id = ?", "i", uid), NP_OK);
  assert_int_equal(np_user_totp_begin(s, uid, &cli_actor, secret, uri2, &d), NP_OK);
  assert_int_equal(audit_count(s, "mfa.enrol_start"), 1); /* every mutation is audited */
  char codes[NP_RECOVERY_CODES][NP_RECOVERY_CODE_LEN];
  np_errdetail_clear(&d);
  assert_int_equal(np_user_totp_confirm(s, uid, "123456x", &cli_actor, codes, &d), NP_ERR_INVALID);
  fake_now += 30;
  code_at(uri2, fake_now, code);
  assert_int_equal(np_user_totp_confirm(s, uid, code, &cli_actor, codes, &d), NP_OK);
  fake_now += 30;
  /* a recovery code works once, in any case and with or without the dash */
  char upper[16];
  snprintf(upper, sizeof upper, "%s", codes[3]);
  for (char *q = upper; *q; q++)
    if (*q >= 'a' && *q <= 'z') *q = (char)(*q - 32);
  assert_int_equal(login(s, "county1", "Kx9#mQ2vLp7w", upper, &r, &d), NP_OK);
  assert_int_equal(login(s, "county1", "Kx9#mQ2vLp7w", codes[3], &r, &d), NP_ERR_UNAUTHORIZED);
  assert_string_equal(d.code, "mfa_invalid");
  assert_int_equal(login(s, "county1", "Kx9#mQ2vLp7w", codes[4], &r, &d), NP_OK);
  /* the old secret no longer works */
  fake_now += 30;
  code_at(uri, fake_now, code);
  assert_int_equal(login(s, "county1", "Kx9#mQ2vLp7w", code, &r, &d), NP_ERR_UNAUTHORIZED);
  /* staff cannot remove their factor; a security admin can reset it */
  assert_int_equal(np_user_totp_remove(s, uid, code, &cli_actor, &d), NP_ERR_FORBIDDEN);
  char uri3[NP_TOTP_URI_CAP];
  assert_int_equal(np_user_totp_reset(s, uid, &cli_actor, uri3, &d), NP_OK);
  assert_non_null(strstr(uri3, "otpauth://"));
  assert_int_equal(audit_count(s, "mfa.reset"), 1);
  np_store_close(s);
}

static void test_mfa_switch_and_enrolment(void **state) {
  (void)state;
  np_store_t *s = db("mfaswitch.db");
  np_user_created_t *c = mk(s, "auditor1", "auditor", NULL, "Kx9#mQ2vLp7w");
  int64_t uid = c->user.id;
  np_errdetail_t d;
  /* remove the factor with a reset to simulate a staff user without one */
  assert_int_equal(np_store_execf(s, NULL, &d, "UPDATE users SET totp_secret = NULL WHERE id = ?", "i", uid), NP_OK);
  np_login_result_t r;
  assert_int_equal(login(s, "auditor1", "Kx9#mQ2vLp7w", NULL, &r, &d), NP_OK);
  assert_true(r.mfa_enrolment_required);
  np_principal_t p;
  assert_int_equal(np_session_resolve(s, r.session.token, &p, &d), NP_OK);
  assert_true(p.mfa_enrolment_required);
  assert_int_equal(np_auth_settings_set_mfa(s, false, &cli_actor, &d), NP_OK);
  assert_int_equal(audit_count(s, "setting.update"), 1);
  assert_int_equal(login(s, "auditor1", "Kx9#mQ2vLp7w", NULL, &r, &d), NP_OK);
  assert_false(r.mfa_enrolment_required);
  /* a user who has a factor still needs it */
  mk(s, "county2", "county_staff", "370102", "Kx9#mQ2vLp7w");
  assert_int_equal(login(s, "county2", "Kx9#mQ2vLp7w", NULL, &r, &d), NP_ERR_UNAUTHORIZED);
  assert_string_equal(d.code, "mfa_required");
  assert_int_equal(np_auth_settings_set_mfa(s, true, &cli_actor, &d), NP_OK);
  /* enrol and the pending sessions are released */
  assert_int_equal(login(s, "auditor1", "Kx9#mQ2vLp7w", NULL, &r, &d), NP_OK);
  assert_true(r.mfa_enrolment_required);
  char secret[NP_TOTP_SECRET_B32], uri[NP_TOTP_URI_CAP], code[7];
  assert_int_equal(np_user_totp_begin(s, uid, &cli_actor, secret, uri, &d), NP_OK);
  code_at(uri, fake_now, code);
  char codes[NP_RECOVERY_CODES][NP_RECOVERY_CODE_LEN];
  assert_int_equal(np_user_totp_confirm(s, uid, code, &cli_actor, codes, &d), NP_OK);
  assert_int_equal(np_session_resolve(s, r.session.token, &p, &d), NP_OK);
  assert_false(p.mfa_enrolment_required);
  /* an enterprise user may remove their own factor */
  np_user_created_t *e = mk(s, "hr1", "enterprise", NULL, "Kx9#mQ2vLp7w");
  int64_t eid = e->user.id;
  assert_false(e->user.totp_enrolled);
  assert_int_equal(np_user_totp_begin(s, eid, &cli_actor, secret, uri, &d), NP_OK);
  fake_now += 30;
  code_at(uri, fake_now, code);
  assert_int_equal(np_user_totp_confirm(s, eid, code, &cli_actor, codes, &d), NP_OK);
  assert_int_equal(np_user_totp_remove(s, eid, code, &cli_actor, &d), NP_ERR_INVALID); /* same code again */
  fake_now += 30;
  code_at(uri, fake_now, code);
  assert_int_equal(np_user_totp_remove(s, eid, code, &cli_actor, &d), NP_OK);
  np_store_close(s);
}

/* A stolen session is no way around the lockout: wrong old passwords and wrong codes count, and
 * nothing is tried while the account is locked. */
static void test_lockout_covers_session_routes(void **state) {
  (void)state;
  np_store_t *s = db("lockroutes.db");
  np_user_created_t *c = mk(s, "hr9", "enterprise", NULL, "Kx9#mQ2vLp7w");
  int64_t uid = c->user.id;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  for (int i = 0; i < 4; i++) {
    assert_int_equal(np_user_change_password(s, uid, "Wrong#Old1234", "Fresh#Start2024", NULL, &cli_actor, &d),
                     NP_ERR_UNAUTHORIZED);
    assert_string_equal(d.code, "invalid_credentials");
  }
  assert_int_equal(np_user_change_password(s, uid, "Wrong#Old1234", "Fresh#Start2024", NULL, &cli_actor, &d),
                   NP_ERR_RATE_LIMIT);
  assert_string_equal(d.code, "account_locked");
  assert_int_equal(audit_count(s, "account.lock"), 1);
  /* while locked even the right old password is refused, and nothing changes */
  assert_int_equal(np_user_change_password(s, uid, "Kx9#mQ2vLp7w", "Fresh#Start2024", NULL, &cli_actor, &d),
                   NP_ERR_RATE_LIMIT);
  assert_string_equal(d.code, "account_locked");
  int64_t failures_before = audit_count(s, "login.failure");
  for (int i = 0; i < 50; i++) /* unlimited guessing would reset the counter at each lock */
    assert_int_equal(np_user_change_password(s, uid, "Wrong#Old1234", "Fresh#Start2024", NULL, &cli_actor, &d),
                     NP_ERR_RATE_LIMIT);
  assert_int_equal(audit_count(s, "login.failure"), failures_before);
  fake_now += 16 * 60;
  assert_int_equal(np_user_change_password(s, uid, "Kx9#mQ2vLp7w", "Fresh#Start2024", NULL, &cli_actor, &d), NP_OK);

  /* removing an optional factor: wrong codes count and lock */
  char secret[NP_TOTP_SECRET_B32], uri[NP_TOTP_URI_CAP], code[7];
  char codes[NP_RECOVERY_CODES][NP_RECOVERY_CODE_LEN];
  assert_int_equal(np_user_totp_begin(s, uid, &cli_actor, secret, uri, &d), NP_OK);
  code_at(uri, fake_now, code);
  assert_int_equal(np_user_totp_confirm(s, uid, code, &cli_actor, codes, &d), NP_OK);
  char wrong[7];
  code_at(uri, fake_now + 3600, wrong); /* a well-formed code that is not valid now */
  if (strcmp(wrong, code) == 0) wrong[0] = wrong[0] == '0' ? '1' : '0';
  for (int i = 0; i < 4; i++) {
    assert_int_equal(np_user_totp_remove(s, uid, wrong, &cli_actor, &d), NP_ERR_INVALID);
    assert_string_equal(d.code, "mfa_invalid");
  }
  assert_int_equal(np_user_totp_remove(s, uid, wrong, &cli_actor, &d), NP_ERR_RATE_LIMIT);
  assert_string_equal(d.code, "account_locked");
  fake_now += 30;
  code_at(uri, fake_now, code);
  assert_int_equal(np_user_totp_remove(s, uid, code, &cli_actor, &d), NP_ERR_RATE_LIMIT); /* still locked */
  np_user_t u;
  assert_int_equal(np_user_get(s, uid, &u, &d), NP_OK);
  assert_true(u.totp_enrolled);
  fake_now += 16 * 60;
  code_at(uri, fake_now, code);
  assert_int_equal(np_user_totp_remove(s, uid, code, &cli_actor, &d), NP_OK);
  assert_int_equal(np_user_get(s, uid, &u, &d), NP_OK);
  assert_false(u.totp_enrolled);
  np_store_close(s);
}

/* Sessions opened while mfa_enforced was off lose full access when it is switched on again. */
static void test_mfa_switch_reaches_open_sessions(void **state) {
  (void)state;
  np_store_t *s = db("mfaopen.db");
  np_errdetail_t d;
  np_errdetail_clear(&d);
  np_user_new_t in = {.username = "prov1", .role = "province_staff", .region_code = "370000",
                      .password = "Kx9#mQ2vLp7w", .keep_password = true, .skip_factor = true};
  np_user_created_t c;
  assert_int_equal(np_user_create(s, &in, &cli_actor, &c, &d), NP_OK);
  assert_int_equal(np_auth_settings_set_mfa(s, false, &cli_actor, &d), NP_OK);
  np_login_result_t r;
  assert_int_equal(login(s, "prov1", "Kx9#mQ2vLp7w", NULL, &r, &d), NP_OK);
  np_principal_t p;
  assert_int_equal(np_session_resolve(s, r.session.token, &p, &d), NP_OK);
  assert_false(p.mfa_enrolment_required);
  assert_int_equal(np_auth_settings_set_mfa(s, true, &cli_actor, &d), NP_OK);
  assert_int_equal(np_session_resolve(s, r.session.token, &p, &d), NP_OK);
  assert_true(p.mfa_enrolment_required); /* only the enrolment routes now */
  /* a user whose role does not require it keeps full access */
  mk(s, "hr2", "enterprise", NULL, "Kx9#mQ2vLp7w");
  assert_int_equal(login(s, "hr2", "Kx9#mQ2vLp7w", NULL, &r, &d), NP_OK);
  assert_int_equal(np_session_resolve(s, r.session.token, &p, &d), NP_OK);
  assert_false(p.mfa_enrolment_required);
  np_store_close(s);
}

static void test_sessions_expiry(void **state) {
  (void)state;
  np_store_t *s = db("sessions.db");
  mk(s, "seek2", "seeker", NULL, "Zx8$cVb6nMq1");
  np_login_result_t r;
  np_errdetail_t d;
  np_principal_t p;
  assert_int_equal(login(s, "seek2", "Zx8$cVb6nMq1", NULL, &r, &d), NP_OK);
  assert_int_equal(np_session_resolve(s, r.session.token, &p, &d), NP_OK);
  assert_string_equal(p.username, "seek2");
  assert_int_equal(p.role, NP_ROLE_SEEKER);
  assert_int_equal(strlen(p.session_id), 16);
  /* idle: 29 minutes are fine, each use refreshes (written at most once a minute) */
  for (int i = 0; i < 20; i++) {
    fake_now += 29 * 60;
    if (np_session_resolve(s, r.session.token, &p, &d) != NP_OK) fail_msg("idle refresh %d: %s", i, d.code);
  }
  /* absolute: 12 hours after creation even when active (30 × 29 min = 14.5 h > 12 h) */
  assert_int_equal(login(s, "seek2", "Zx8$cVb6nMq1", NULL, &r, &d), NP_OK);
  for (int i = 0; i < 24; i++) {
    fake_now += 29 * 60;
    np_err e = np_session_resolve(s, r.session.token, &p, &d);
    if (i < 24 && (int64_t)(i + 1) * 29 * 60 < 12 * 3600) assert_int_equal(e, NP_OK);
    else assert_int_equal(e, NP_ERR_UNAUTHORIZED);
  }
  /* idle timeout */
  assert_int_equal(login(s, "seek2", "Zx8$cVb6nMq1", NULL, &r, &d), NP_OK);
  fake_now += 31 * 60;
  assert_int_equal(np_session_resolve(s, r.session.token, &p, &d), NP_ERR_UNAUTHORIZED);
  /* logout, forged and malformed tokens */
  assert_int_equal(login(s, "seek2", "Zx8$cVb6nMq1", NULL, &r, &d), NP_OK);
  assert_int_equal(np_session_revoke_token(s, r.session.token, &d), NP_OK);
  assert_int_equal(np_session_resolve(s, r.session.token, &p, &d), NP_ERR_UNAUTHORIZED);
  assert_int_equal(np_session_resolve(s, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &p, &d), NP_ERR_UNAUTHORIZED);
  assert_int_equal(np_session_resolve(s, "forged", &p, &d), NP_ERR_UNAUTHORIZED);
  assert_int_equal(np_session_resolve(s, NULL, &p, &d), NP_ERR_UNAUTHORIZED);
  /* only the hash is stored */
  assert_int_equal(login(s, "seek2", "Zx8$cVb6nMq1", NULL, &r, &d), NP_OK);
  char hash[65], sql[200];
  np_session_token_hash(r.session.token, hash);
  snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM sessions WHERE token_hash = '%s'", hash);
  int64_t n = 0;
  bool found;
  assert_int_equal(np_store_query_int64(s, sql, &n, &found, NULL), NP_OK);
  assert_int_equal(n, 1);
  json_t *list = NULL;
  assert_int_equal(np_session_list(s, 100, &list, &d), NP_OK);
  assert_int_equal(json_array_size(list), 1);
  const char *pub = json_string_value(json_object_get(json_array_get(list, 0), "id"));
  assert_string_equal(pub, r.session.public_id);
  int64_t owner = 0;
  assert_int_equal(np_session_revoke_public(s, pub, &owner, &d), NP_OK);
  json_decref(list);
  assert_int_equal(owner, r.user.id);
  assert_int_equal(np_session_resolve(s, r.session.token, &p, &d), NP_ERR_UNAUTHORIZED);
  np_store_close(s);
}

static void test_passwords(void **state) {
  (void)state;
  np_store_t *s = db("passwords.db");
  np_user_new_t in = {.username = "seek4", .role = "seeker"};
  np_user_created_t c;
  np_errdetail_t d;
  assert_int_equal(np_user_create(s, &in, &cli_actor, &c, &d), NP_OK);
  char initial[32];
  memcpy(initial, c.initial_password, sizeof c.initial_password);
  int64_t uid = c.user.id;
  np_login_result_t r;
  assert_int_equal(login(s, "seek4", initial, NULL, &r, &d), NP_OK);
  assert_true(r.user.must_change_password);
  np_principal_t p;
  assert_int_equal(np_session_resolve(s, r.session.token, &p, &d), NP_OK);
  assert_true(p.must_change_password);
  np_errdetail_clear(&d);
  assert_int_equal(np_user_change_password(s, uid, "Wrong#Old123", "Good#Pass2024x", NULL, &cli_actor, &d),
                   NP_ERR_UNAUTHORIZED);
  assert_string_equal(d.code, "invalid_credentials");
  assert_int_equal(np_user_change_password(s, uid, initial, "Aa123456789", NULL, &cli_actor, &d), NP_ERR_INVALID);
  assert_string_equal(d.code, "weak_password");
  assert_string_equal(d.field, "new");
  assert_int_equal(np_user_change_password(s, uid, initial, initial, NULL, &cli_actor, &d), NP_ERR_INVALID);
  assert_string_equal(d.code, "password_reused");
  assert_int_equal(np_user_change_password(s, uid, initial, "Good#Pass2024x", p.session_id, &cli_actor, &d), NP_OK);
  assert_int_equal(np_session_resolve(s, r.session.token, &p, &d), NP_OK); /* this session stays */
  assert_false(p.must_change_password);
  /* the last five cannot come back; the sixth-oldest can */
  const char *seq[] = {"Good#Pass2024a", "Good#Pass2024b", "Good#Pass2024c", "Good#Pass2024d"};
  const char *prev = "Good#Pass2024x";
  for (int i = 0; i < 4; i++) {
    assert_int_equal(np_user_change_password(s, uid, prev, seq[i], NULL, &cli_actor, &d), NP_OK);
    prev = seq[i];
  }
  assert_int_equal(np_user_change_password(s, uid, prev, "Good#Pass2024x", NULL, &cli_actor, &d), NP_ERR_INVALID);
  assert_string_equal(d.code, "password_reused");
  assert_int_equal(np_user_change_password(s, uid, prev, initial, NULL, &cli_actor, &d), NP_OK);
  /* maximum age: after 90 days the next login must change */
  fake_now += 60 * 86400;
  assert_int_equal(login(s, "seek4", initial, NULL, &r, &d), NP_OK);
  assert_false(r.user.must_change_password);
  fake_now += 31 * 86400;
  assert_int_equal(login(s, "seek4", initial, NULL, &r, &d), NP_OK);
  assert_true(r.user.must_change_password);
  /* an admin reset gives a one-time password */
  char otp[NP_PASSWORD_GENERATED_LEN + 1];
  assert_int_equal(np_user_reset_password(s, uid, &cli_actor, otp, &d), NP_OK);
  assert_int_equal(login(s, "seek4", otp, NULL, &r, &d), NP_OK);
  assert_true(r.user.must_change_password);
  assert_int_equal(np_user_set_password(s, uid, "Cli#Chosen2024", true, &cli_actor, &d), NP_OK);
  assert_int_equal(login(s, "seek4", "Cli#Chosen2024", NULL, &r, &d), NP_OK);
  assert_false(r.user.must_change_password);
  np_store_close(s);
}

static void test_inactivity_and_update(void **state) {
  (void)state;
  np_store_t *s = db("inactive.db");
  mk(s, "admin1", "sys_admin", NULL, "Kx9#mQ2vLp7w");
  np_user_created_t *c = mk(s, "seek5", "seeker", NULL, "Kx9#mQ2vLp7w");
  int64_t uid = c->user.id;
  np_login_result_t r;
  np_errdetail_t d;
  fake_now += 91 * 86400;
  assert_int_equal(login(s, "seek5", "Kx9#mQ2vLp7w", NULL, &r, &d), NP_ERR_FORBIDDEN);
  assert_string_equal(d.code, "account_disabled");
  assert_int_equal(login(s, "seek5", "Wrong#Pass1234", NULL, &r, &d), NP_ERR_UNAUTHORIZED); /* no leak */
  int64_t swept = 0;
  assert_int_equal(np_user_sweep_inactive(s, &cli_actor, &swept, &d), NP_OK);
  assert_int_equal(swept, 1); /* admin1 */
  json_t *patch = json_pack("{s:s}", "status", "active");
  np_user_t u;
  assert_int_equal(np_user_update(s, uid, patch, &cli_actor, &u, &d), NP_OK);
  json_decref(patch);
  assert_int_equal(login(s, "seek5", "Kx9#mQ2vLp7w", NULL, &r, &d), NP_OK);
  /* role change: jurisdiction checked, audited as role.grant */
  patch = json_pack("{s:s, s:s}", "role", "city_staff", "region_code", "370102");
  np_errdetail_clear(&d);
  assert_int_equal(np_user_update(s, uid, patch, &cli_actor, &u, &d), NP_ERR_INVALID);
  assert_string_equal(d.field, "region_code");
  json_decref(patch);
  patch = json_pack("{s:s, s:s, s:s}", "role", "city_staff", "region_code", "370100", "display_name", "济南市 测试");
  assert_int_equal(np_user_update(s, uid, patch, &cli_actor, &u, &d), NP_OK);
  json_decref(patch);
  assert_int_equal(u.role, NP_ROLE_CITY_STAFF);
  assert_int_equal(audit_count(s, "role.grant"), 1);
  patch = json_pack("{s:s}", "nope", "x");
  assert_int_equal(np_user_update(s, uid, patch, &cli_actor, &u, &d), NP_ERR_INVALID);
  json_decref(patch);
  /* the last sys_admin stays */
  np_user_t admin;
  assert_int_equal(np_user_find(s, "ADMIN1", &admin, &d), NP_OK);
  assert_true(admin.disabled); /* the sweep disabled it too */
  patch = json_pack("{s:s}", "status", "active");
  assert_int_equal(np_user_update(s, admin.id, patch, &cli_actor, &u, &d), NP_OK);
  json_decref(patch);
  patch = json_pack("{s:s}", "role", "auditor");
  assert_int_equal(np_user_update(s, admin.id, patch, &cli_actor, &u, &d), NP_ERR_CONFLICT);
  json_decref(patch);
  /* list with filters and cursor */
  json_t *items = NULL;
  int64_t total = 0, next = 0;
  np_user_filter_t f = {.limit = 1};
  assert_int_equal(np_user_list(s, &f, &items, &total, &next, &d), NP_OK);
  assert_int_equal(total, 2);
  assert_int_equal(json_array_size(items), 1);
  assert_true(next > 0);
  json_decref(items);
  f = (np_user_filter_t){.limit = 20, .region = "370100", .q = "济南"};
  assert_int_equal(np_user_list(s, &f, &items, &total, &next, &d), NP_OK);
  assert_int_equal(total, 1);
  assert_int_equal(next, 0);
  json_decref(items);
  f = (np_user_filter_t){.limit = 20, .status = "disabled"};
  assert_int_equal(np_user_list(s, &f, &items, &total, &next, &d), NP_OK);
  assert_int_equal(total, 0);
  json_decref(items);
  f = (np_user_filter_t){.limit = 20, .status = "active", .role = "sys_admin"};
  assert_int_equal(np_user_list(s, &f, &items, &total, &next, &d), NP_OK);
  assert_int_equal(total, 1);
  json_decref(items);
  /* preferences */
  json_t *v = json_pack("{s:[s,s]}", "columns", "username", "role");
  assert_int_equal(np_user_pref_put(s, uid, "columns.users", v, &cli_actor, &d), NP_OK);
  assert_int_equal(audit_count(s, "preference.update"), 1);
  json_decref(v);
  json_t *back = NULL;
  assert_int_equal(np_user_pref_get(s, uid, "columns.users", &back, &d), NP_OK);
  assert_int_equal(json_array_size(json_object_get(back, "columns")), 2);
  json_decref(back);
  assert_int_equal(np_user_pref_get(s, uid, "nope", &back, &d), NP_ERR_NOT_FOUND);
  assert_int_equal(np_user_pref_get(s, uid, "Bad Key", &back, &d), NP_ERR_INVALID);
  np_store_close(s);
}

static void test_settings(void **state) {
  (void)state;
  np_store_t *s = db("settings.db");
  np_auth_settings_t st;
  np_errdetail_t d;
  assert_int_equal(np_auth_settings_get(s, &st, &d), NP_OK);
  assert_true(st.mfa_enforced);
  assert_int_equal(st.lockout_threshold, 5);
  json_t *patch = json_pack("{s:i}", "idle_timeout_minutes", 1);
  assert_int_equal(np_auth_settings_update(s, patch, &cli_actor, &st, &d), NP_ERR_INVALID);
  assert_string_equal(d.field, "idle_timeout_minutes");
  json_decref(patch);
  patch = json_pack("{s:b, s:i}", "mfa_enforced", 0, "lockout_threshold", 6);
  assert_int_equal(np_auth_settings_update(s, patch, &cli_actor, &st, &d), NP_OK);
  json_decref(patch);
  assert_false(st.mfa_enforced);
  assert_int_equal(audit_count(s, "setting.update"), 2);
  np_auth_settings_invalidate();
  assert_int_equal(np_auth_settings_get(s, &st, &d), NP_OK);
  assert_int_equal(st.lockout_threshold, 6);
  patch = json_pack("{s:i}", "bogus", 1);
  assert_int_equal(np_auth_settings_update(s, patch, &cli_actor, &st, &d), NP_ERR_INVALID);
  json_decref(patch);
  np_store_close(s);
}

int main(void) {
  setenv("NP_ARGON2_FAST", "1", 1);
  unsigned char key[NP_CRYPTO_KEY_BYTES];
  memset(key, 0x5a, sizeof key);
  if (np_crypto_init_raw(key, NULL) != NP_OK) return 1;
  np_auth_set_clock(clock_fn);
  np_audit_set_clock(clock_fn);
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_create_validation), cmocka_unit_test(test_lockout_and_same_answer),
    cmocka_unit_test(test_totp_and_recovery), cmocka_unit_test(test_mfa_switch_and_enrolment),
    cmocka_unit_test(test_sessions_expiry),   cmocka_unit_test(test_passwords),
    cmocka_unit_test(test_inactivity_and_update), cmocka_unit_test(test_settings),
    cmocka_unit_test(test_lockout_covers_session_routes), cmocka_unit_test(test_mfa_switch_reaches_open_sessions),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
