/*
 * Security settings (auth_settings table) and the auth module's clock.
 *
 * Settings are read through a small process-wide cache (re-read after 10 seconds, and at once on
 * this node after an update), because the session check on every request needs the timeouts.
 * Only a security admin changes them (PUT /api/v1/settings); every change is audited.
 */
#ifndef NP_AUTH_SETTINGS_H
#define NP_AUTH_SETTINGS_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "audit/audit.h"
#include "core/err.h"
#include "store/store.h"

typedef struct np_auth_settings {
  bool mfa_enforced;          /* staff and administrators need a second factor (default true) */
  int password_max_age_days;  /* 90: older passwords must be changed at the next login */
  int lockout_threshold;      /* 5 wrong passwords (or codes) … */
  int lockout_minutes;        /* … lock the account for 15 minutes */
  int idle_timeout_minutes;   /* 30 */
  int absolute_timeout_hours; /* 12 */
  int inactive_disable_days;  /* 90: accounts unused this long are disabled */
} np_auth_settings_t;

/** The built-in defaults (the values above). */
void np_auth_settings_defaults(np_auth_settings_t *out);

/** Current settings (cached; defaults for keys never set). */
np_err np_auth_settings_get(np_store_t *s, np_auth_settings_t *out, np_errdetail_t *err);

/** Drops the cache (tests; after an update on this node it happens by itself). */
void np_auth_settings_invalidate(void);

/** The settings as the API shows them ({"mfa_enforced":true,"password_max_age_days":90,…}). */
json_t *np_auth_settings_json(const np_auth_settings_t *st);

/**
 * Applies a partial update from JSON (unknown keys and out-of-range values → NP_ERR_INVALID with the
 * field): one transaction, one "setting.update" audit row per changed key (before/after), actor from
 * `actor` (user, role, ip, request id). *out (may be NULL) gets the new settings.
 */
np_err np_auth_settings_update(np_store_t *s, const json_t *patch, const np_audit_entry_t *actor,
                               np_auth_settings_t *out, np_errdetail_t *err);

/** Sets mfa_enforced (the demo and the CLI); audited like an update. */
np_err np_auth_settings_set_mfa(np_store_t *s, bool enforced, const np_audit_entry_t *actor, np_errdetail_t *err);

/** Current time of the auth module (Unix seconds); tests inject a clock with np_auth_set_clock. */
int64_t np_auth_now(void);
/** Test hook: NULL restores time(). */
void np_auth_set_clock(int64_t (*now_fn)(void));

#endif
