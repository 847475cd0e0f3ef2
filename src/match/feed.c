/* Partner feed of public demand lines, partner API keys, token-bucket rate limits (see feed.h). */
#include "match/feed.h"
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/ids.h"
#include "core/json.h"
#include "core/ratelimit.h"
#include "core/str.h"
#include "crypto/crypto.h"
#include "firms/demands.h"
#include "match/seekers.h"

/* ---- keys ---- */

static void key_hash(const char *key, char out[NP_CRYPTO_SM3_HEXLEN]) {
  np_crypto_sm3_hex(key, strlen(key), out);
}

np_err np_match_partner_key_create(np_store_t *s, const np_audit_entry_t *actor, const char *name, int rate,
                                   json_t **out, np_errdetail_t *err) {
  *out = NULL;
  size_t nc = name ? np_utf8_count(name, strlen(name)) : 0;
  if (!name || nc == 0 || nc == SIZE_MAX || nc > 64)
    return np_fail(err, NP_ERR_INVALID, "length", "name", "name is 1 to 64 characters");
  for (const unsigned char *p = (const unsigned char *)name; *p; p++)
    if (*p < 0x20 || *p == 0x7f) return np_fail(err, NP_ERR_INVALID, "format", "name", "name has control characters");
  if (rate == 0) rate = NP_PARTNER_DEFAULT_RATE;
  if (rate < 1 || rate > 6000) return np_fail(err, NP_ERR_INVALID, "range", "rate_per_minute", "rate_per_minute is 1 to 6000");
  unsigned char raw[20];
  char key[NP_PARTNER_KEY_LEN + 1] = "np_", hash[NP_CRYPTO_SM3_HEXLEN], prefix[13], now[NP_TS_STRLEN];
  np_crypto_random(raw, sizeof raw);
  np_hex_encode(raw, sizeof raw, key + 3, sizeof key - 3);
  np_crypto_wipe(raw, sizeof raw);
  key_hash(key, hash);
  memcpy(prefix, key, 12);
  prefix[12] = '\0';
  np_match_now(now);
  np_err rc = np_store_begin(s, err);
  if (rc) return rc;
  bool found = false;
  int64_t id = 0;
  if ((rc = np_store_queryf_int64(s, &id, &found, err, "SELECT id FROM partner_keys WHERE name = ? AND revoked_at IS NULL",
                                  "t", name)))
    goto out;
  if (found) {
    rc = np_fail(err, NP_ERR_CONFLICT, "duplicate", "name", "a live key with this name exists");
    goto out;
  }
  if ((rc = np_store_queryf_int64(s, &id, NULL, err,
                                  "INSERT INTO partner_keys (name, key_hash, prefix, rate_per_minute, created_by, created_at) "
                                  "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                                  "tttiit", name, hash, prefix, (int64_t)rate,
                                  actor && actor->user_id ? actor->user_id : (int64_t)0, now)))
    goto out;
  char pid[32];
  np_id_format(NP_ID_PARTNER_KEY, id, pid, sizeof pid);
  if ((rc = np_store_change(s, "partner_key", pid, "insert", NULL, err))) goto out;
  json_t *a = json_pack("{s:s, s:s, s:s, s:i}", "id", pid, "name", name, "prefix", prefix, "rate_per_minute", rate);
  rc = np_match_audit(s, actor, "apikey.create", "partner_key", pid, NULL, a, NULL, err);
  json_decref(a);
  if (rc) goto out;
  if ((rc = np_store_commit(s, err))) goto out;
  *out = json_pack("{s:s, s:s, s:s, s:s, s:i, s:s, s:n}", "id", pid, "name", name, "prefix", prefix, "key", key,
                   "rate_per_minute", rate, "created_at", now, "revoked_at");
  np_crypto_wipe(key, sizeof key);
  return *out ? NP_OK : np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
out:
  np_store_rollback(s);
  np_crypto_wipe(key, sizeof key);
  return rc;
}

static json_t *tcol(np_stmt_t *st, int c) {
  const char *t = np_store_col_text(st, c);
  return t ? json_string(t) : json_null();
}

np_err np_match_partner_key_list(np_store_t *s, json_t **out, np_errdetail_t *err) {
  *out = NULL;
  np_stmt_t *st = NULL;
  np_err rc = np_store_prepare(s,
                               "SELECT id, name, prefix, rate_per_minute, created_at, revoked_at, last_used_at FROM "
                               "partner_keys ORDER BY id DESC",
                               &st, err);
  if (rc) return rc;
  json_t *items = json_array();
  bool has = false;
  while ((rc = np_store_step(st, &has, err)) == NP_OK && has) {
    char pid[32];
    json_array_append_new(items, json_pack("{s:s, s:o, s:o, s:I, s:o, s:o, s:o}", "id",
                                           np_id_format(NP_ID_PARTNER_KEY, np_store_col_int64(st, 0), pid, sizeof pid),
                                           "name", tcol(st, 1), "prefix", tcol(st, 2), "rate_per_minute",
                                           (json_int_t)np_store_col_int64(st, 3), "created_at", tcol(st, 4),
                                           "revoked_at", tcol(st, 5), "last_used_at", tcol(st, 6)));
  }
  np_store_release(st);
  if (rc) {
    json_decref(items);
    return rc;
  }
  *out = json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)json_array_size(items));
  return NP_OK;
}

np_err np_match_partner_key_revoke(np_store_t *s, const np_audit_entry_t *actor, int64_t id, np_errdetail_t *err) {
  char now[NP_TS_STRLEN], pid[32];
  np_match_now(now);
  np_id_format(NP_ID_PARTNER_KEY, id, pid, sizeof pid);
  np_err rc = np_store_begin(s, err);
  if (rc) return rc;
  bool found = false;
  int64_t live = 0;
  if ((rc = np_store_queryf_int64(s, &live, &found, err, "SELECT CASE WHEN revoked_at IS NULL THEN 1 ELSE 0 END FROM "
                                  "partner_keys WHERE id = ?", "i", id)))
    goto out;
  if (!found) {
    rc = np_fail(err, NP_ERR_NOT_FOUND, "not_found", "", "no such key");
    goto out;
  }
  if (live) {
    if ((rc = np_store_execf(s, NULL, err, "UPDATE partner_keys SET revoked_at = ? WHERE id = ?", "ti", now, id))) goto out;
    if ((rc = np_store_change(s, "partner_key", pid, "update", NULL, err))) goto out;
    if ((rc = np_match_audit(s, actor, "apikey.revoke", "partner_key", pid, NULL, NULL, NULL, err))) goto out;
  }
  return np_store_commit(s, err);
out:
  np_store_rollback(s);
  return rc;
}

static np_ratelimit_t *g_key_rl;
static pthread_once_t g_key_once = PTHREAD_ONCE_INIT;
static void key_rl_init(void) { g_key_rl = np_ratelimit_new(4096); }

np_err np_match_partner_authn(np_req_t *req, const char *key, np_principal_t **out, np_errdetail_t *err) {
  *out = NULL;
  size_t n = key ? strlen(key) : 0;
  if (n != NP_PARTNER_KEY_LEN || strncmp(key, "np_", 3) != 0)
    return np_fail(err, NP_ERR_UNAUTHORIZED, "invalid_api_key", NULL, "the API key is invalid or revoked");
  np_store_t *s = np_req_store(req);
  if (!s) return NP_ERR_BUSY;
  char hash[NP_CRYPTO_SM3_HEXLEN];
  key_hash(key, hash);
  np_stmt_t *st = NULL;
  np_err rc = np_store_prepare(s, "SELECT id, name, prefix, rate_per_minute, revoked_at FROM partner_keys WHERE key_hash = ?",
                               &st, err);
  if (rc) return rc;
  np_store_bind_text(st, 1, hash, NP_STORE_STRLEN);
  bool has = false;
  int64_t id = 0, rate = 0;
  char name[96] = "", prefix[16] = "";
  bool revoked = true;
  rc = np_store_step(st, &has, err);
  if (rc == NP_OK && has) {
    id = np_store_col_int64(st, 0);
    np_strlcpy(name, np_store_col_text(st, 1), sizeof name);
    np_strlcpy(prefix, np_store_col_text(st, 2), sizeof prefix);
    rate = np_store_col_int64(st, 3);
    revoked = !np_store_col_is_null(st, 4);
  }
  np_store_release(st);
  if (rc) return rc;
  if (!has || revoked) return np_fail(err, NP_ERR_UNAUTHORIZED, "invalid_api_key", NULL, "the API key is invalid or revoked");
  pthread_once(&g_key_once, key_rl_init);
  char bucket[32];
  np_id_format(NP_ID_PARTNER_KEY, id, bucket, sizeof bucket);
  int retry = 0;
  if (!np_ratelimit_take(g_key_rl, bucket, (int)rate, np_ratelimit_now_ms(), &retry)) {
    char ra[16];
    snprintf(ra, sizeof ra, "%d", retry);
    np_resp_header(req, "Retry-After", ra);
    np_resp_error(req, 429, "rate_limited", NULL, "this key allows %" PRId64 " requests a minute; retry in %d s", rate, retry);
    return np_fail(err, NP_ERR_RATE_LIMIT, "rate_limited", NULL, "rate limit");
  }
  np_principal_t *p = np_arena_calloc(np_req_arena(req), 1, sizeof *p);
  if (!p) return NP_ERR_NOMEM;
  p->role = NP_ROLE_PARTNER;
  snprintf(p->username, sizeof p->username, "partner:%s", prefix);
  np_strlcpy(p->display_name, name, sizeof p->display_name);
  np_strlcpy(p->session_id, bucket, sizeof p->session_id);
  *out = p;
  return NP_OK;
}

/* ---- feed ---- */

static json_t *public_line(const np_ref_t *ref, const json_t *line) {
  static const char *const keep[] = {"id", "enterprise_name", "region_code", "county_code", "city_code",
                                     "occupation_code", "occupation_name", "count", "open", "skill_level",
                                     "skill_level_name", "salary_min", "salary_max", "education", "age_min", "age_max",
                                     "needed_by", "shifts", "housing", "benefits", "status", "updated_at", NULL};
  json_t *o = json_object();
  for (size_t i = 0; keep[i]; i++) {
    json_t *v = json_object_get(line, keep[i]);
    json_object_set(o, keep[i], v ? v : json_null());
  }
  const char *rc = json_string_value(json_object_get(line, "region_code"));
  const np_region_t *r = rc ? np_ref_region(ref, rc) : NULL;
  const np_region_t *county = r ? np_ref_region_at(r, NP_REGION_COUNTY) : NULL;
  const np_region_t *city = r ? np_ref_region_at(r, NP_REGION_CITY) : NULL;
  json_object_set_new(o, "region_name", r ? json_string(r->name) : json_null());
  json_object_set_new(o, "county_name", county ? json_string(county->name) : json_null());
  json_object_set_new(o, "city_name", city ? json_string(city->name) : json_null());
  int32_t lat, lon;
  if (county && np_ref_region_centroid(county, &lat, &lon, NULL)) {
    json_object_set_new(o, "lat", json_real(lat / 1e6));
    json_object_set_new(o, "lon", json_real(lon / 1e6));
  }
  json_object_set_new(o, "priority", json_boolean(json_is_true(json_object_get(line, "is_key"))));
  return o;
}

np_err np_match_feed_demands(np_store_t *s, const np_ref_t *ref, int64_t since, int limit, json_t **out,
                             np_errdetail_t *err) {
  *out = NULL;
  if (limit < 1 || limit > NP_FEED_MAX_LIMIT) limit = 100;
  if (since < 0) since = 0;
  np_stmt_t *st = NULL;
  /* one more than asked, to tell whether more follow */
  np_err rc = np_store_prepare(s,
                               "SELECT seq, at, entity_id, op FROM changes WHERE seq > ? AND entity = 'demand' ORDER BY "
                               "seq LIMIT ?",
                               &st, err);
  if (rc) return rc;
  np_store_bind_int64(st, 1, since);
  np_store_bind_int64(st, 2, limit + 1);
  json_t *rows = json_array();
  bool has = false;
  while ((rc = np_store_step(st, &has, err)) == NP_OK && has)
    json_array_append_new(rows, json_pack("{s:I, s:s, s:s, s:s}", "seq", (json_int_t)np_store_col_int64(st, 0), "at",
                                          np_store_col_text(st, 1), "id", np_store_col_text(st, 2), "op",
                                          np_store_col_text(st, 3)));
  np_store_release(st);
  if (rc) {
    json_decref(rows);
    return rc;
  }
  bool more = json_array_size(rows) > (size_t)limit;
  json_t *items = json_array();
  int64_t next = since;
  for (size_t i = 0; i < json_array_size(rows) && i < (size_t)limit; i++) {
    json_t *c = json_array_get(rows, i);
    int64_t seq = json_integer_value(json_object_get(c, "seq"));
    const char *pid = json_string_value(json_object_get(c, "id"));
    next = seq;
    int64_t did = 0;
    json_t *line = NULL;
    np_errdetail_t e = {0};
    bool gone = np_id_parse(NP_ID_DEMAND, pid, &did) != NP_OK;
    if (!gone) {
      np_err g = np_firms_demand_get(s, ref, did, &line, &e);
      if (g == NP_ERR_NOT_FOUND) gone = true;
      else if (g) {
        rc = g;
        if (err) *err = e;
        break;
      }
    }
    json_t *item;
    if (gone || !json_is_true(json_object_get(line, "public"))) {
      item = json_pack("{s:I, s:s, s:O, s:{s:s}}", "seq", (json_int_t)seq, "op", "delete", "at", json_object_get(c, "at"),
                       "demand", "id", pid);
    } else {
      item = json_pack("{s:I, s:s, s:O, s:o}", "seq", (json_int_t)seq, "op", "upsert", "at", json_object_get(c, "at"),
                       "demand", public_line(ref, line));
    }
    json_decref(line);
    json_array_append_new(items, item);
  }
  json_decref(rows);
  if (rc) {
    json_decref(items);
    return rc;
  }
  *out = json_pack("{s:o, s:I, s:b}", "items", items, "next_since", (json_int_t)next, "has_more", more);
  return NP_OK;
}
