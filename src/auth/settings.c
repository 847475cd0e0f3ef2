/* Security settings with a small cache, and the module clock (see settings.h). */
#include "auth/settings.h"
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "core/json.h"
#include "core/str.h"

static int64_t (*g_clock)(void);

int64_t np_auth_now(void) { return g_clock ? g_clock() : (int64_t)time(NULL); }
void np_auth_set_clock(int64_t (*now_fn)(void)) { g_clock = now_fn; }

typedef struct field {
  const char *key;
  bool is_bool;
  int64_t min, max;
  size_t off;
} field_t;

#define OFF(m) offsetof(np_auth_settings_t, m)
static const field_t fields[] = {
  {"mfa_enforced", true, 0, 1, OFF(mfa_enforced)},
  {"password_max_age_days", false, 1, 3650, OFF(password_max_age_days)},
  {"lockout_threshold", false, 3, 20, OFF(lockout_threshold)},
  {"lockout_minutes", false, 1, 1440, OFF(lockout_minutes)},
  {"idle_timeout_minutes", false, 5, 240, OFF(idle_timeout_minutes)},
  {"absolute_timeout_hours", false, 1, 72, OFF(absolute_timeout_hours)},
  {"inactive_disable_days", false, 30, 3650, OFF(inactive_disable_days)},
};
#define NFIELDS (sizeof fields / sizeof fields[0])

static int64_t field_get(const np_auth_settings_t *st, const field_t *f) {
  const char *p = (const char *)st + f->off;
  if (f->is_bool) return *(const bool *)(const void *)p ? 1 : 0;
  return *(const int *)(const void *)p;
}

static void field_set(np_auth_settings_t *st, const field_t *f, int64_t v) {
  char *p = (char *)st + f->off;
  if (f->is_bool) *(bool *)(void *)p = v != 0;
  else *(int *)(void *)p = (int)v;
}

void np_auth_settings_defaults(np_auth_settings_t *out) {
  *out = (np_auth_settings_t){.mfa_enforced = true,
                              .password_max_age_days = 90,
                              .lockout_threshold = 5,
                              .lockout_minutes = 15,
                              .idle_timeout_minutes = 30,
                              .absolute_timeout_hours = 12,
                              .inactive_disable_days = 90};
}

static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static np_auth_settings_t cache;
static int64_t cache_at = -1; /* real time of the load; -1 = none */

void np_auth_settings_invalidate(void) {
  pthread_mutex_lock(&cache_mu);
  cache_at = -1;
  pthread_mutex_unlock(&cache_mu);
}

static np_err load(np_store_t *s, np_auth_settings_t *out, np_errdetail_t *err) {
  np_auth_settings_defaults(out);
  np_stmt_t *st = NULL;
  np_err e = np_store_prepare(s, "SELECT skey, value FROM auth_settings", &st, err);
  if (e) return e;
  for (;;) {
    bool row = false;
    if ((e = np_store_step(st, &row, err)) || !row) break;
    const char *k = np_store_col_text(st, 0), *v = np_store_col_text(st, 1);
    if (!k || !v) continue;
    for (size_t i = 0; i < NFIELDS; i++) {
      if (strcmp(fields[i].key, k) != 0) continue;
      int64_t n;
      if (fields[i].is_bool) {
        if (strcmp(v, "true") == 0) field_set(out, &fields[i], 1);
        else if (strcmp(v, "false") == 0) field_set(out, &fields[i], 0);
      } else if (np_parse_int64(v, strlen(v), fields[i].min, fields[i].max, &n) == NP_OK) {
        field_set(out, &fields[i], n);
      }
    }
  }
  np_store_release(st);
  return e;
}

np_err np_auth_settings_get(np_store_t *s, np_auth_settings_t *out, np_errdetail_t *err) {
  int64_t t = (int64_t)time(NULL);
  pthread_mutex_lock(&cache_mu);
  if (cache_at >= 0 && t - cache_at < 10 && t >= cache_at) {
    *out = cache;
    pthread_mutex_unlock(&cache_mu);
    return NP_OK;
  }
  pthread_mutex_unlock(&cache_mu);
  np_err e = load(s, out, err);
  if (e) return e;
  pthread_mutex_lock(&cache_mu);
  cache = *out;
  cache_at = t;
  pthread_mutex_unlock(&cache_mu);
  return NP_OK;
}

json_t *np_auth_settings_json(const np_auth_settings_t *st) {
  json_t *o = json_object();
  if (!o) return NULL;
  for (size_t i = 0; i < NFIELDS; i++) {
    int64_t v = field_get(st, &fields[i]);
    json_object_set_new(o, fields[i].key, fields[i].is_bool ? json_boolean(v) : json_integer(v));
  }
  return o;
}

static np_err write_one(np_store_t *s, const field_t *f, int64_t oldv, int64_t newv, const np_audit_entry_t *actor,
                        np_errdetail_t *err) {
  char val[24], before[64], after[64];
  if (f->is_bool) snprintf(val, sizeof val, "%s", newv ? "true" : "false");
  else snprintf(val, sizeof val, "%lld", (long long)newv);
  int64_t now = np_auth_now();
  int64_t by = actor ? actor->user_id : 0;
  np_err e = np_store_execf(s, NULL, err, "DELETE FROM auth_settings WHERE skey = ?", "t", f->key);
  if (!e)
    e = np_store_execf(s, NULL, err, "INSERT INTO auth_settings (skey, value, updated_at, updated_by) VALUES (?, ?, ?, ?)",
                       "ttii", f->key, val, now, by);
  if (!e) e = np_store_change(s, "auth_setting", f->key, "update", NULL, err);
  if (e) return e;
  if (f->is_bool) {
    snprintf(before, sizeof before, "{\"%s\":%s}", f->key, oldv ? "true" : "false");
    snprintf(after, sizeof after, "{\"%s\":%s}", f->key, newv ? "true" : "false");
  } else {
    snprintf(before, sizeof before, "{\"%s\":%lld}", f->key, (long long)oldv);
    snprintf(after, sizeof after, "{\"%s\":%lld}", f->key, (long long)newv);
  }
  np_audit_entry_t a = actor ? *actor : (np_audit_entry_t){0};
  a.action = "setting.update";
  a.entity = "setting";
  a.entity_id = f->key;
  a.before_json = before;
  a.after_json = after;
  a.outcome = "success";
  return np_audit_record(s, &a, NULL, err);
}

static np_err apply(np_store_t *s, const np_auth_settings_t *cur, const np_auth_settings_t *next,
                    const np_audit_entry_t *actor, np_errdetail_t *err) {
  np_err e = np_store_begin(s, err);
  if (e) return e;
  for (size_t i = 0; i < NFIELDS && !e; i++) {
    int64_t a = field_get(cur, &fields[i]), b = field_get(next, &fields[i]);
    if (a != b) e = write_one(s, &fields[i], a, b, actor, err);
  }
  if (!e) e = np_store_commit(s, err);
  if (e) np_store_rollback(s);
  np_auth_settings_invalidate();
  return e;
}

np_err np_auth_settings_update(np_store_t *s, const json_t *patch, const np_audit_entry_t *actor,
                               np_auth_settings_t *out, np_errdetail_t *err) {
  static const char *const allowed[] = {"mfa_enforced",          "password_max_age_days", "lockout_threshold",
                                        "lockout_minutes",       "idle_timeout_minutes",  "absolute_timeout_hours",
                                        "inactive_disable_days", NULL};
  np_err e = np_json_check_keys(patch, allowed, err);
  if (e) return e;
  np_auth_settings_t cur, next;
  np_auth_settings_invalidate();
  if ((e = np_auth_settings_get(s, &cur, err))) return e;
  next = cur;
  for (size_t i = 0; i < NFIELDS; i++) {
    if (fields[i].is_bool) {
      bool b = field_get(&cur, &fields[i]) != 0;
      if ((e = np_json_get_bool(patch, fields[i].key, 0, &b, NULL, err))) return e;
      field_set(&next, &fields[i], b);
    } else {
      int64_t v = field_get(&cur, &fields[i]);
      if ((e = np_json_get_int(patch, fields[i].key, 0, fields[i].min, fields[i].max, &v, NULL, err))) return e;
      field_set(&next, &fields[i], v);
    }
  }
  if ((e = apply(s, &cur, &next, actor, err))) return e;
  if (out) *out = next;
  return NP_OK;
}

np_err np_auth_settings_set_mfa(np_store_t *s, bool enforced, const np_audit_entry_t *actor, np_errdetail_t *err) {
  np_auth_settings_t cur, next;
  np_auth_settings_invalidate();
  np_err e = np_auth_settings_get(s, &cur, err);
  if (e) return e;
  next = cur;
  next.mfa_enforced = enforced;
  return apply(s, &cur, &next, actor, err);
}
