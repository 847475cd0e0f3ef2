/*
 * Accounts: users with role and jurisdiction, sign-in (password, lockout, second factor, expiry,
 * inactivity), password changes with history, TOTP enrolment and recovery codes, administration
 * (create, update, lock, unlock, reset password or factor) and per-user preferences.
 *
 * Every mutation runs in one transaction that also appends its audit row(s) (np_audit_record) and
 * its change-feed row; when the audit row cannot be written the operation fails and nothing changes.
 * `actor` describes who acts (user id, username, role, ip, request id; the CLI passes username
 * "cli"); it may be NULL for system actions.
 *
 * TOTP secrets are stored sealed with np_crypto_seal and recovery codes as np_crypto_blind_index
 * hashes, so np_crypto_init must have run (NP_ERR_CRYPTO otherwise).
 */
#ifndef NP_AUTH_USERS_H
#define NP_AUTH_USERS_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "audit/audit.h"
#include "auth/password.h"
#include "auth/sessions.h"
#include "auth/settings.h"
#include "auth/totp.h"
#include "core/err.h"
#include "http/principal.h"
#include "store/store.h"

#define NP_USERNAME_MAX 32          /* [a-z0-9._-], 3–32, lower-case */
#define NP_DISPLAY_NAME_MAX_CHARS 64
#define NP_DISPLAY_NAME_MAX_BYTES 95 /* fits np_principal_t.display_name */
#define NP_BANK_MAX_BYTES 63         /* fits np_principal_t.bank */
#define NP_PASSWORD_HISTORY 5
#define NP_TOTP_URI_CAP 512

typedef struct np_user {
  int64_t id;
  char username[NP_USERNAME_MAX + 1];
  char display_name[NP_DISPLAY_NAME_MAX_BYTES + 1];
  np_role role;
  char region_code[16];
  int64_t enterprise_id;
  char bank[NP_BANK_MAX_BYTES + 1];
  char password_hash[NP_PASSWORD_HASH_CAP];
  int64_t password_changed_at;
  bool must_change_password;
  int failed_logins;
  int64_t locked_until;
  bool admin_locked, disabled;
  bool totp_enrolled; /* a confirmed second factor */
  int64_t totp_last_step;
  bool can_unmask;
  int64_t last_login_at; /* 0 = never */
  int64_t active_at, created_at, updated_at;
} np_user_t;

/** "active", "locked" (by an administrator or after failures, until locked_until) or "disabled". */
const char *np_user_status(const np_user_t *u, int64_t now);

/** The API's User object (docs/API-ACCOUNTS.md); NULL on OOM. */
json_t *np_user_json(const np_user_t *u, int64_t now);

/** Loads a user by id (NP_ERR_NOT_FOUND) or by username (case-insensitive). */
np_err np_user_get(np_store_t *s, int64_t id, np_user_t *out, np_errdetail_t *err);
np_err np_user_find(np_store_t *s, const char *username, np_user_t *out, np_errdetail_t *err);

/** Number of users (0 on an empty database: the first `user add` creates the administrator). */
np_err np_user_count(np_store_t *s, int64_t *n, np_errdetail_t *err);

/** Parses "u_12" (or "12") into 12; false otherwise. */
bool np_user_parse_id(const char *s, int64_t *id);

typedef struct np_user_new {
  const char *username;
  const char *display_name; /* NULL = the username */
  const char *role;         /* role name */
  const char *region_code;  /* region roles */
  int64_t enterprise_id;    /* enterprise role */
  const char *bank;         /* bank role */
  const char *password;     /* NULL = a random one-time password (returned once) */
  bool keep_password;       /* false: must_change_password is set (initial password set by an admin) */
  bool skip_factor;         /* demo data only: do not enrol the second factor at once (the user enrols at
                               first sign-in while mfa_enforced is on, or signs in without it while off) */
} np_user_new_t;

typedef struct np_user_created {
  np_user_t user;
  char initial_password[NP_PASSWORD_GENERATED_LEN + 1]; /* "" when the caller gave one */
  char totp_secret[NP_TOTP_SECRET_B32];                 /* "" unless the factor was enrolled at once */
  char totp_uri[NP_TOTP_URI_CAP];
} np_user_created_t;

/**
 * Creates a user. Validation errors (NP_ERR_INVALID, field = the input key): username format,
 * display_name length, unknown role, jurisdiction missing, not matching the role, or unknown
 * (region codes are looked up in np_ref_global() when it is set, else only their format is
 * checked), password policy ("weak_password", field "password"). A taken username is
 * NP_ERR_CONFLICT "username_taken". For roles that require a second factor the factor is enrolled
 * at once and its secret and otpauth URI are returned this one time. Audited: user.create (+ mfa.enrol).
 * `out` should be wiped after use (it holds the one-time password).
 */
np_err np_user_create(np_store_t *s, const np_user_new_t *in, const np_audit_entry_t *actor, np_user_created_t *out,
                      np_errdetail_t *err);

/**
 * Applies a PATCH {display_name?, role?, region_code?, enterprise_id?, bank?, status?: "active"|"disabled"}
 * with the same validation as create. A role change is audited as role.grant and ends the user's
 * sessions, as does disabling. The last active sys_admin cannot be demoted or disabled
 * (NP_ERR_CONFLICT "last_admin"). Audited: user.update (before/after).
 */
np_err np_user_update(np_store_t *s, int64_t id, const json_t *patch, const np_audit_entry_t *actor, np_user_t *out,
                      np_errdetail_t *err);

/** Locks (indefinitely, ending the sessions) or unlocks (also clearing a failure lock). Audited. */
np_err np_user_set_locked(np_store_t *s, int64_t id, bool locked, const np_audit_entry_t *actor, np_errdetail_t *err);

/**
 * Sets a new password chosen by an administrator or the CLI (policy and history checked):
 * must_change_password is set unless keep is true; sessions end. Audited: password.reset.
 */
np_err np_user_set_password(np_store_t *s, int64_t id, const char *pw, bool keep, const np_audit_entry_t *actor,
                            np_errdetail_t *err);

/** Sets a random one-time password (returned in out), must_change_password on, sessions end. Audited. */
np_err np_user_reset_password(np_store_t *s, int64_t id, const np_audit_entry_t *actor,
                              char out[NP_PASSWORD_GENERATED_LEN + 1], np_errdetail_t *err);

/**
 * The user changes their own password: NP_ERR_UNAUTHORIZED "invalid_credentials" for a wrong old
 * password (counts towards the lockout), NP_ERR_INVALID "weak_password" (field "new") or
 * "password_reused" (one of the last 5). Clears must_change_password; other sessions end (the one
 * named by keep_session stays). Audited: password.change.
 */
np_err np_user_change_password(np_store_t *s, int64_t id, const char *old_pw, const char *new_pw,
                               const char *keep_session, const np_audit_entry_t *actor, np_errdetail_t *err);

/** Starts (or restarts) TOTP enrolment: a pending secret, its URI. Confirmed with np_user_totp_confirm. */
np_err np_user_totp_begin(np_store_t *s, int64_t id, const np_audit_entry_t *actor, char secret[NP_TOTP_SECRET_B32],
                          char uri[NP_TOTP_URI_CAP], np_errdetail_t *err);

/**
 * Confirms the pending secret with a current code: it becomes the factor, ten new recovery codes are
 * returned (stored hashed), mfa_pending sessions of the user are released. NP_ERR_INVALID
 * "mfa_invalid" (field "code") for a wrong code, NP_ERR_CONFLICT "no_pending_enrolment". Audited: mfa.enrol.
 */
np_err np_user_totp_confirm(np_store_t *s, int64_t id, const char *code, const np_audit_entry_t *actor,
                            char codes[NP_RECOVERY_CODES][NP_RECOVERY_CODE_LEN], np_errdetail_t *err);

/**
 * Removes the user's own factor after checking a current code; only for roles where it is
 * optional (NP_ERR_FORBIDDEN "mfa_required_for_role"). Audited: mfa.remove.
 */
np_err np_user_totp_remove(np_store_t *s, int64_t id, const char *code, const np_audit_entry_t *actor,
                           np_errdetail_t *err);

/**
 * A security admin resets a user's factor: recovery codes are dropped and sessions end; for roles
 * that require a factor a new one is enrolled at once and its URI returned (uri = "" otherwise).
 * Audited: mfa.reset.
 */
np_err np_user_totp_reset(np_store_t *s, int64_t id, const np_audit_entry_t *actor, char uri[NP_TOTP_URI_CAP],
                          np_errdetail_t *err);

typedef struct np_login {
  const char *username, *password, *totp; /* totp: NULL or a 6-digit code or a recovery code */
  const char *ip, *user_agent, *request_id;
} np_login_t;

typedef struct np_login_result {
  np_user_t user;
  np_session_new_t session;
  bool mfa_enrolment_required;
} np_login_result_t;

/**
 * Sign-in. Errors: NP_ERR_UNAUTHORIZED "invalid_credentials" (unknown user or wrong password: same
 * answer, same time), "mfa_required" (right password, factor enrolled, no code: no session),
 * "mfa_invalid" (wrong or reused code); NP_ERR_RATE_LIMIT "account_locked" (threshold reached, or
 * any attempt while locked); NP_ERR_FORBIDDEN "account_disabled" (disabled, or unused longer than
 * inactive_disable_days: then disabled now). A password older than the maximum age sets
 * must_change_password. Every attempt is audited (login.success / login.failure, account.lock).
 */
np_err np_auth_login(np_store_t *s, const np_login_t *in, np_login_result_t *out, np_errdetail_t *err);

/** Disables every account unused for inactive_disable_days (audited per account); *count may be NULL. */
np_err np_user_sweep_inactive(np_store_t *s, const np_audit_entry_t *actor, int64_t *count, np_errdetail_t *err);

typedef struct np_user_filter {
  const char *q;      /* part of username or display name */
  const char *role;   /* exact role */
  const char *status; /* active | locked | disabled */
  const char *region; /* region code: that region and everything inside it */
  int limit;          /* 1..100 */
  int64_t after_id;   /* cursor: ids greater than this */
} np_user_filter_t;

/** Lists users by id: items (User objects), total for the filter, next cursor (0 = none). */
np_err np_user_list(np_store_t *s, const np_user_filter_t *f, json_t **items, int64_t *total, int64_t *next_after,
                    np_errdetail_t *err);

/** A preference value (JSON text) of user id under key; NP_ERR_NOT_FOUND when never set. */
np_err np_user_pref_get(np_store_t *s, int64_t id, const char *key, json_t **value, np_errdetail_t *err);
/** Stores a preference (key [a-z0-9._-]{1,64}, value an object or array of at most 16 KiB). */
np_err np_user_pref_put(np_store_t *s, int64_t id, const char *key, const json_t *value, const np_audit_entry_t *actor,
                        np_errdetail_t *err);

#endif
