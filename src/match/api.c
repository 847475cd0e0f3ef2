/*
 * Routes of the match capability (api/openapi.json, docs/MATCH_SEEKERS.md):
 *   /api/v1/seekers…                 seeker.read / seeker.write / seeker.import (+ seeker.unmask)
 *   /api/v1/public/seekers           public self-registration (rate-limited per client IP)
 *   /api/v1/referrals…               referral.read / referral.write
 *   /api/v1/feed/demands             partner API key (feed.read), rate-limited per key
 *   /api/v1/partner-keys…            apikey.manage
 * Rows are limited by np_authz_scope: "seeker" for seekers, "demand" for referrals (a referral lives
 * where its demand line does). Anything outside the caller's scope answers 404.
 */
#include "match/api.h"
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "audit/audit.h"
#include "auth/auth.h"
#include "auth/users.h"
#include "core/ids.h"
#include "core/json.h"
#include "core/log.h"
#include "core/str.h"
#include "crypto/crypto.h"
#include "firms/demands.h"
#include "match/api_util.h"
#include "match/feed.h"
#include "match/index.h"
#include "match/referrals.h"
#include "match/seeker_import.h"
#include "match/seekers.h"

#define IMPORT_MAX_BODY ((size_t)32 << 20)
#define PUBLIC_PER_MINUTE 10

typedef np_match_req_t ctx_t;

static bool scope_of(ctx_t *c, const char *kind, np_scope_t *sc) {
  if (np_match_req_scope(c, kind, sc) != NP_OK) {
    np_resp_error(c->r, 500, "internal", "", "scope");
    return false;
  }
  return true;
}

static bool limit_cursor(ctx_t *c, int64_t *limit, int64_t *cursor) {
  const char *v;
  *limit = 20;
  *cursor = 0;
  if ((v = np_req_query(c->r, "limit")) && *v && np_parse_int64(v, strlen(v), 1, 100, limit) != NP_OK) {
    np_resp_error(c->r, 422, "range", "limit", "limit must be 1 to 100");
    return false;
  }
  if ((v = np_req_query(c->r, "cursor")) && *v && np_parse_int64(v, strlen(v), 1, INT64_MAX, cursor) != NP_OK) {
    np_resp_error(c->r, 422, "format", "cursor", "cursor is the next_cursor of the previous page");
    return false;
  }
  return true;
}

/* ?region=CODE → its prefix; a region outside a region scope answers 404. */
static bool region_param(ctx_t *c, const np_scope_t *sc, char prefix[16]) {
  const char *v = np_req_query(c->r, "region");
  prefix[0] = '\0';
  if (!v || !*v) return true;
  if (!np_authz_region_prefix(v, prefix) || !np_ref_region(c->ref, v)) {
    np_resp_error(c->r, 422, "unknown_region", "region", "region must be a known region code (6, 9 or 12 digits)");
    return false;
  }
  if (sc->kind == NP_SCOPE_REGION) {
    size_t sn = strlen(sc->region_prefix), pn = strlen(prefix);
    if (pn < sn || memcmp(prefix, sc->region_prefix, sn) != 0) {
      np_resp_error(c->r, 404, "not_found", "region", "no such region in your jurisdiction");
      return false;
    }
  }
  return true;
}

static const char *dict_param(ctx_t *c, const char *name, const char *const *dict, const char *hint) {
  const char *v = np_req_query(c->r, name);
  if (!v || !*v) return "";
  for (size_t i = 0; dict[i]; i++)
    if (strcmp(v, dict[i]) == 0) return dict[i];
  np_resp_error(c->r, 422, "unknown_value", name, "%s must be one of %s", name, hint);
  return NULL;
}

/* ---------------------------------------------------------------- seekers */

static bool path_seeker(ctx_t *c, const np_scope_t *sc, int64_t *id, np_seeker_owner_t *o) {
  if (np_id_parse(NP_ID_SEEKER, np_req_param(c->r, "id"), id) != NP_OK) {
    np_match_req_not_found(c, "seeker");
    return false;
  }
  np_err rc = np_match_seeker_owner(c->s, *id, o, &c->err);
  if (rc == NP_ERR_NOT_FOUND || (rc == NP_OK && !np_match_seeker_visible(sc, o))) {
    np_match_req_not_found(c, "seeker");
    return false;
  }
  if (rc) {
    np_match_req_fail(c, rc);
    return false;
  }
  return true;
}

static void h_seeker_create(np_req_t *r) {
  ctx_t c;
  np_scope_t sc;
  if (!np_match_req_begin(r, &c, true) || !scope_of(&c, "seeker", &sc)) return;
  if (sc.kind != NP_SCOPE_REGION && sc.kind != NP_SCOPE_ALL) {
    np_resp_error(r, 403, "forbidden", NULL, "only bureau staff and specialists register seekers on behalf of others");
    return;
  }
  json_t *body = np_req_json(r);
  if (!body) return;
  np_seeker_create_opts_t o = {.source = NP_SEEKER_STAFF, .scope = &sc, .created_by = c.actor.user_id,
                               .audit_each = true, .today = c.today};
  int64_t id = 0;
  json_t *out = NULL;
  np_err rc = np_match_seeker_create(c.s, c.ref, &c.actor, body, &o, &id, &out, &c.err);
  np_match_req_reply(&c, rc, 201, out);
}

static void h_seeker_list(np_req_t *r) {
  ctx_t c;
  np_scope_t sc;
  if (!np_match_req_begin(r, &c, true) || !scope_of(&c, "seeker", &sc)) return;
  np_seeker_filter_t f = {.scope = &sc, .today = c.today};
  char region[16];
  if (!region_param(&c, &sc, region) || !limit_cursor(&c, &f.limit, &f.cursor)) return;
  if (region[0]) f.region_prefix = region;
  const char *v = np_req_query(r, "occupation");
  if (v && *v) {
    size_t n = strlen(v);
    for (size_t i = 0; i < n; i++)
      if (n > 16 || !((v[i] >= '0' && v[i] <= '9') || v[i] == '-')) {
        np_resp_error(r, 422, "format", "occupation", "occupation is a code prefix like 6-18 or 6-18-02-04");
        return;
      }
    f.occupation_prefix = v;
  }
  if (!(v = dict_param(&c, "status", np_match_seeker_status_values, "seeking, employed, withdrawn"))) return;
  if (*v) f.status = v;
  if (!(v = dict_param(&c, "category", np_match_seeker_category_values,
                       "graduate, unemployed, hardship, youth, outside_province")))
    return;
  if (*v) f.category = v;
  if ((v = np_req_query(r, "q")) && *v) {
    size_t n = np_utf8_count(v, strlen(v));
    if (n > 50) {
      np_resp_error(r, 422, "length", "q", "q is at most 50 characters");
      return;
    }
    f.q = v;
  }
  json_t *out = NULL;
  np_err rc = np_match_seeker_list(c.s, c.ref, &f, &out, &c.err);
  np_match_req_reply(&c, rc, 200, out);
}

static void h_seeker_get(np_req_t *r) {
  ctx_t c;
  np_scope_t sc;
  int64_t id;
  np_seeker_owner_t o;
  if (!np_match_req_begin(r, &c, true) || !scope_of(&c, "seeker", &sc) || !path_seeker(&c, &sc, &id, &o)) return;
  const char *um = np_req_query(r, "unmask");
  bool unmask = um && (strcmp(um, "1") == 0 || strcmp(um, "true") == 0);
  if (unmask && !(c.p->can_unmask && np_authz_allows(c.p, "seeker.unmask"))) {
    np_resp_error(r, 403, "forbidden", "unmask", "you do not hold the grant to see personal data unmasked");
    return;
  }
  json_t *out = NULL;
  np_err rc = np_match_seeker_get(c.s, c.ref, id, unmask, &out, &c.err);
  if (rc) {
    np_match_req_fail(&c, rc);
    return;
  }
  if (unmask) {
    /* every unmasked view is audited; no audit row, no data */
    np_audit_entry_t e = c.actor;
    e.action = "personal.unmask";
    e.entity = "seeker";
    e.entity_id = np_req_param(r, "id");
    e.detail = "id_number, phone, birth_date";
    if ((rc = np_audit_from_req_ex(r, &e, NULL, NULL, &c.err)) != NP_OK) {
      json_decref(out);
      np_match_req_fail(&c, rc);
      return;
    }
  }
  np_resp_json(r, 200, out);
}

static void h_seeker_patch(np_req_t *r) {
  ctx_t c;
  np_scope_t sc;
  int64_t id;
  np_seeker_owner_t o;
  if (!np_match_req_begin(r, &c, true) || !scope_of(&c, "seeker", &sc) || !path_seeker(&c, &sc, &id, &o)) return;
  json_t *body = np_req_json(r);
  if (!body) return;
  /* staff may not move a seeker out of their jurisdiction */
  const char *rc_new = json_string_value(json_object_get(body, "region_code"));
  if (rc_new && sc.kind == NP_SCOPE_REGION && strncmp(rc_new, sc.region_prefix, strlen(sc.region_prefix)) != 0) {
    np_resp_error(r, 422, "out_of_jurisdiction", "region_code", "the location lies outside your jurisdiction");
    return;
  }
  json_t *out = NULL;
  np_err rc = np_match_seeker_patch(c.s, c.ref, &c.actor, id, body, c.today, &out, &c.err);
  np_match_req_reply(&c, rc, 200, out);
}

static void h_seeker_template(np_req_t *r) {
  np_buf_t b;
  np_buf_init(&b, 0);
  if (np_match_seeker_template_csv(&b) != NP_OK) {
    np_buf_free(&b);
    np_resp_error(r, 500, "nomem", "", "out of memory");
    return;
  }
  np_resp_header(r, "Content-Disposition", "attachment; filename=\"seekers-template.csv\"");
  np_resp_bytes(r, 200, "text/csv; charset=utf-8", b.data, b.len);
  np_buf_free(&b);
}

static void h_seeker_import(np_req_t *r) {
  ctx_t c;
  np_scope_t sc;
  if (!np_match_req_begin(r, &c, true) || !scope_of(&c, "seeker", &sc)) return;
  np_import_mode mode = NP_IMPORT_ALL_OR_NOTHING;
  const char *mode_s = np_req_query(r, "mode");
  if (mode_s && !np_import_mode_parse(mode_s, &mode)) {
    np_resp_error(r, 422, "enum", "mode", "mode must be all_or_nothing or valid_only");
    return;
  }
  size_t len = 0;
  const char *data = np_req_body(r, &len);
  if (!data || len == 0) {
    np_resp_error(r, 422, "required", "file", "send the file as the request body");
    return;
  }
  const char *name = np_req_query(r, "file_name");
  if (name && np_utf8_count(name, strlen(name)) > 200) name = NULL;
  np_seeker_import_opts_t o = {.mode = mode, .scope = &sc, .by_user = c.actor.user_id, .file_name = name,
                               .actor = &c.actor};
  np_import_result_t res;
  np_err rc = np_match_seeker_import(c.s, c.ref, data, len, &o, &res, &c.err);
  if (rc) {
    np_match_req_fail(&c, rc);
    return;
  }
  char sid[32];
  np_id_format(NP_ID_IMPORT, res.id, sid, sizeof sid);
  size_t nerr = json_array_size(res.errors);
  json_t *shown = res.errors;
  if (nerr > NP_IMPORT_RESPONSE_ERRORS) {
    shown = json_array();
    for (size_t i = 0; i < NP_IMPORT_RESPONSE_ERRORS; i++) json_array_append(shown, json_array_get(res.errors, i));
    json_decref(res.errors);
  }
  json_t *body = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:o, s:b, s:s}", "id", sid, "kind", "seekers", "mode",
                           mode == NP_IMPORT_VALID_ONLY ? "valid_only" : "all_or_nothing", "rows", (json_int_t)res.rows,
                           "inserted", (json_int_t)res.inserted, "failed", (json_int_t)res.failed, "errors", shown,
                           "errors_truncated", nerr > NP_IMPORT_RESPONSE_ERRORS, "charset", res.charset);
  if (mode == NP_IMPORT_ALL_OR_NOTHING && res.failed > 0) {
    json_object_set_new(body, "error",
                        json_pack("{s:s, s:s, s:s}", "code", "import_failed", "message",
                                  "some rows are invalid; nothing was imported (see errors)", "field", "file"));
    np_resp_json(r, 422, body);
    return;
  }
  np_resp_json(r, 200, body);
}

/* ---- public self-registration ---- */

static np_ratelimit_t *g_ip_rl;
static pthread_once_t g_ip_once = PTHREAD_ONCE_INIT;
static void ip_rl_init(void) { g_ip_rl = np_ratelimit_new(8192); }

static void h_public_register(np_req_t *r) {
  ctx_t c;
  pthread_once(&g_ip_once, ip_rl_init);
  char key[80];
  snprintf(key, sizeof key, "ip:%s", np_req_ip(r) ? np_req_ip(r) : "");
  int retry = 0;
  if (!np_ratelimit_take(g_ip_rl, key, PUBLIC_PER_MINUTE, np_ratelimit_now_ms(), &retry)) {
    char ra[16];
    snprintf(ra, sizeof ra, "%d", retry);
    np_resp_header(r, "Retry-After", ra);
    np_resp_error(r, 429, "rate_limited", NULL, "too many registrations from this address; retry in %d s", retry);
    return;
  }
  if (!np_match_req_begin(r, &c, false)) return;
  json_t *body = np_req_json(r);
  if (!body) return;
  /* an optional account: {username, password} */
  const char *username = NULL, *password = NULL;
  np_err rc;
  if ((rc = np_json_get_str(body, "username", 0, 3, 64, &username, NULL, &c.err)) ||
      (rc = np_json_get_str(body, "password", 0, 1, 128, &password, NULL, &c.err))) {
    np_match_req_fail(&c, rc);
    return;
  }
  if (!username != !password) {
    np_resp_error(r, 422, "required", username ? "password" : "username", "give username and password together");
    return;
  }
  json_t *sb = json_deep_copy(body);
  json_object_del(sb, "username");
  json_object_del(sb, "password");
  np_audit_entry_t actor = c.actor;
  actor.username = username ? username : "public";
  actor.role = "seeker";
  bool in_tx = false;
  json_t *out = NULL;
  int64_t id = 0, uid = 0;
  if ((rc = np_store_begin(c.s, &c.err))) goto out;
  in_tx = true;
  if (username) {
    np_user_new_t un = {.username = username, .role = "seeker", .password = password, .keep_password = true};
    np_user_created_t uc;
    memset(&uc, 0, sizeof uc);
    rc = np_user_create(c.s, &un, &actor, &uc, &c.err);
    uid = uc.user.id;
    np_crypto_wipe(&uc, sizeof uc);
    if (rc) goto out;
  }
  np_seeker_create_opts_t o = {.source = NP_SEEKER_SELF, .require_consent = true, .user_id = uid,
                               .audit_each = true, .today = c.today};
  if ((rc = np_match_seeker_create(c.s, c.ref, &actor, sb, &o, &id, &out, &c.err))) goto out;
  if ((rc = np_store_commit(c.s, &c.err))) goto out;
  in_tx = false;
out:
  if (in_tx) np_store_rollback(c.s);
  json_decref(sb);
  if (rc == NP_ERR_CONFLICT && strcmp(c.err.field, "id_number") == 0) {
    json_decref(out);
    np_resp_error(r, 409, "duplicate", "id_number", "this ID number is already registered");
    return;
  }
  if (rc) {
    json_decref(out);
    np_match_req_fail(&c, rc);
    return;
  }
  /* the registrant sees their own record (masked), plus the account name */
  json_object_set_new(out, "username", username ? json_string(username) : json_null());
  np_resp_json(r, 201, out);
}

/* ---------------------------------------------------------------- referrals */

static bool path_referral(ctx_t *c, const np_scope_t *sc, int64_t *id, np_referral_owner_t *o) {
  if (np_id_parse(NP_ID_REFERRAL, np_req_param(c->r, "id"), id) != NP_OK) {
    np_match_req_not_found(c, "referral");
    return false;
  }
  np_err rc = np_match_referral_owner(c->s, *id, o, &c->err);
  if (rc == NP_ERR_NOT_FOUND ||
      (rc == NP_OK && !np_authz_scope_contains(sc, o->region_code, o->enterprise_id, NULL, 0))) {
    np_match_req_not_found(c, "referral");
    return false;
  }
  if (rc) {
    np_match_req_fail(c, rc);
    return false;
  }
  return true;
}

static void h_referral_create(np_req_t *r) {
  ctx_t c;
  np_scope_t ds, ss;
  if (!np_match_req_begin(r, &c, true) || !scope_of(&c, "demand", &ds) || !scope_of(&c, "seeker", &ss)) return;
  json_t *body = np_req_json(r);
  if (!body) return;
  static const char *const keys[] = {"demand_id", "seeker_id", "explanation", NULL};
  const char *dem = NULL, *skr = NULL;
  json_t *ex = NULL;
  np_err rc;
  if ((rc = np_json_check_keys(body, keys, &c.err)) ||
      (rc = np_json_get_str(body, "demand_id", NP_JSON_REQUIRED, 1, 32, &dem, NULL, &c.err)) ||
      (rc = np_json_get_str(body, "seeker_id", NP_JSON_REQUIRED, 1, 32, &skr, NULL, &c.err)) ||
      (rc = np_json_get_object(body, "explanation", 0, &ex, NULL, &c.err))) {
    np_match_req_fail(&c, rc);
    return;
  }
  int64_t did = 0, sid = 0;
  np_firms_demand_owner_t dow;
  np_seeker_owner_t sow;
  if (np_id_parse(NP_ID_DEMAND, dem, &did) != NP_OK || np_firms_demand_owner(c.s, did, &dow, &c.err) != NP_OK ||
      !np_authz_scope_contains(&ds, dow.region_code, dow.enterprise_id, NULL, 0)) {
    np_resp_error(r, 404, "not_found", "demand_id", "no such demand line");
    return;
  }
  if (np_id_parse(NP_ID_SEEKER, skr, &sid) != NP_OK || np_match_seeker_owner(c.s, sid, &sow, &c.err) != NP_OK ||
      !np_match_seeker_visible(&ss, &sow)) {
    /* a seeker outside the caller's region may still be referred to a line inside it (province staff,
       or a seeker living next door): the seeker must be visible in the seeker scope */
    np_resp_error(r, 404, "not_found", "seeker_id", "no such seeker");
    return;
  }
  int64_t id = 0;
  json_t *out = NULL;
  if ((rc = np_match_referral_create(c.s, c.ref, &c.actor, did, sid, ex, &id, &out, &c.err))) {
    np_match_req_fail(&c, rc);
    return;
  }
  /* a referral is a push: it takes the pair's place in today's anti-congestion budgets (docs/MATCHING.md) */
  np_match_index_t *ix = np_match_engine_index(0);
  if (ix) np_match_index_push(ix, did, sid, c.today.days, NULL);
  np_resp_json(r, 201, out);
}

static void h_referral_list(np_req_t *r) {
  ctx_t c;
  np_scope_t ds;
  if (!np_match_req_begin(r, &c, true) || !scope_of(&c, "demand", &ds)) return;
  np_referral_filter_t f = {.scope = &ds};
  char region[16];
  if (!region_param(&c, &ds, region) || !limit_cursor(&c, &f.limit, &f.cursor)) return;
  if (region[0]) f.region_prefix = region;
  const char *v;
  if (!(v = dict_param(&c, "status", np_match_referral_status_values,
                       "recommended, contacted, interviewed, hired, declined")))
    return;
  if (*v) f.status = v;
  if ((v = np_req_query(r, "demand")) && *v && np_id_parse(NP_ID_DEMAND, v, &f.demand_id) != NP_OK) {
    np_resp_error(r, 422, "format", "demand", "demand is a demand line id (dem_N)");
    return;
  }
  if ((v = np_req_query(r, "enterprise")) && *v && np_id_parse(NP_ID_ENTERPRISE, v, &f.enterprise_id) != NP_OK) {
    np_resp_error(r, 422, "format", "enterprise", "enterprise is an enterprise id (ent_N)");
    return;
  }
  if ((v = np_req_query(r, "seeker")) && *v && np_id_parse(NP_ID_SEEKER, v, &f.seeker_id) != NP_OK) {
    np_resp_error(r, 422, "format", "seeker", "seeker is a seeker id (skr_N)");
    return;
  }
  json_t *out = NULL;
  np_err rc = np_match_referral_list(c.s, c.ref, &f, &out, &c.err);
  np_match_req_reply(&c, rc, 200, out);
}

static void h_referral_get(np_req_t *r) {
  ctx_t c;
  np_scope_t ds;
  int64_t id;
  np_referral_owner_t o;
  if (!np_match_req_begin(r, &c, true) || !scope_of(&c, "demand", &ds) || !path_referral(&c, &ds, &id, &o)) return;
  json_t *out = NULL;
  np_err rc = np_match_referral_get(c.s, c.ref, id, &out, &c.err);
  np_match_req_reply(&c, rc, 200, out);
}

static void h_referral_patch(np_req_t *r) {
  ctx_t c;
  np_scope_t ds;
  int64_t id;
  np_referral_owner_t o;
  if (!np_match_req_begin(r, &c, true) || !scope_of(&c, "demand", &ds) || !path_referral(&c, &ds, &id, &o)) return;
  json_t *body = np_req_json(r);
  if (!body) return;
  static const char *const keys[] = {"status", "reason", "version", NULL};
  const char *status = NULL, *reason = NULL;
  int64_t version = 0;
  np_err rc;
  if ((rc = np_json_check_keys(body, keys, &c.err)) ||
      (rc = np_json_get_str(body, "status", NP_JSON_REQUIRED, 1, 16, &status, NULL, &c.err)) ||
      (rc = np_json_get_str(body, "reason", NP_JSON_ALLOW_NEWLINES, 1, 200, &reason, NULL, &c.err)) ||
      (rc = np_json_get_int(body, "version", 0, 1, INT64_MAX, &version, NULL, &c.err))) {
    np_match_req_fail(&c, rc);
    return;
  }
  json_t *out = NULL;
  rc = np_match_referral_transition(c.s, c.ref, &c.actor, id, status, reason, version, c.today, &out, &c.err);
  np_match_req_reply(&c, rc, 200, out);
}

/* ---------------------------------------------------------------- partner feed and keys */

static void h_feed(np_req_t *r) {
  ctx_t c;
  if (!np_match_req_begin(r, &c, true)) return;
  const char *v;
  int64_t since = 0, limit = 100;
  if ((v = np_req_query(r, "since")) && *v && np_parse_int64(v, strlen(v), 0, INT64_MAX, &since) != NP_OK) {
    np_resp_error(r, 422, "format", "since", "since is the next_since of the previous answer (0 at first)");
    return;
  }
  if ((v = np_req_query(r, "limit")) && *v && np_parse_int64(v, strlen(v), 1, NP_FEED_MAX_LIMIT, &limit) != NP_OK) {
    np_resp_error(r, 422, "range", "limit", "limit must be 1 to %d", NP_FEED_MAX_LIMIT);
    return;
  }
  json_t *out = NULL;
  np_err rc = np_match_feed_demands(c.s, c.ref, since, (int)limit, &out, &c.err);
  np_match_req_reply(&c, rc, 200, out);
}

static void h_key_create(np_req_t *r) {
  ctx_t c;
  if (!np_match_req_begin(r, &c, true)) return;
  json_t *body = np_req_json(r);
  if (!body) return;
  static const char *const keys[] = {"name", "rate_per_minute", NULL};
  const char *name = NULL;
  int64_t rate = 0;
  np_err rc;
  if ((rc = np_json_check_keys(body, keys, &c.err)) ||
      (rc = np_json_get_str(body, "name", NP_JSON_REQUIRED, 1, 64, &name, NULL, &c.err)) ||
      (rc = np_json_get_int(body, "rate_per_minute", 0, 1, 6000, &rate, NULL, &c.err))) {
    np_match_req_fail(&c, rc);
    return;
  }
  json_t *out = NULL;
  if ((rc = np_match_partner_key_create(c.s, &c.actor, name, (int)rate, &out, &c.err))) {
    np_match_req_fail(&c, rc);
    return;
  }
  np_resp_header(r, "Cache-Control", "no-store");
  np_resp_json(r, 201, out);
}

static void h_key_list(np_req_t *r) {
  ctx_t c;
  if (!np_match_req_begin(r, &c, true)) return;
  json_t *out = NULL;
  np_err rc = np_match_partner_key_list(c.s, &out, &c.err);
  np_match_req_reply(&c, rc, 200, out);
}

static void h_key_revoke(np_req_t *r) {
  ctx_t c;
  if (!np_match_req_begin(r, &c, true)) return;
  int64_t id = 0;
  if (np_id_parse(NP_ID_PARTNER_KEY, np_req_param(r, "id"), &id) != NP_OK) {
    np_match_req_not_found(&c, "key");
    return;
  }
  np_err rc = np_match_partner_key_revoke(c.s, &c.actor, id, &c.err);
  if (rc) {
    np_match_req_fail(&c, rc);
    return;
  }
  np_resp_bytes(r, 204, "application/json", "", 0);
}

/* ---------------------------------------------------------------- registration */

void np_match_api_register(np_http_t *h) {
  np_auth_set_partner_authn(np_match_partner_authn);
  const np_route_opts_t sr = {.action = "seeker.read"}, sw = {.action = "seeker.write"},
                        si = {.action = "seeker.import", .max_body = IMPORT_MAX_BODY},
                        pub = {.auth = NP_AUTH_PUBLIC, .max_body = 64 << 10};
  const np_route_opts_t rr = {.action = "referral.read"}, rw = {.action = "referral.write"};
  const np_route_opts_t feed = {.auth = NP_AUTH_PARTNER, .action = "feed.read"}, km = {.action = "apikey.manage"};
  np_http_route(h, "GET", "/api/v1/seekers", h_seeker_list, &sr);
  np_http_route(h, "POST", "/api/v1/seekers", h_seeker_create, &sw);
  np_http_route(h, "POST", "/api/v1/seekers/import", h_seeker_import, &si);
  np_http_route(h, "GET", "/api/v1/seekers/{id}", h_seeker_get, &sr);
  np_http_route(h, "PATCH", "/api/v1/seekers/{id}", h_seeker_patch, &sw);
  np_http_route(h, "GET", "/api/v1/imports/templates/seekers", h_seeker_template, &si);
  np_http_route(h, "POST", "/api/v1/public/seekers", h_public_register, &pub);
  np_http_route(h, "GET", "/api/v1/referrals", h_referral_list, &rr);
  np_http_route(h, "POST", "/api/v1/referrals", h_referral_create, &rw);
  np_http_route(h, "GET", "/api/v1/referrals/{id}", h_referral_get, &rr);
  np_http_route(h, "PATCH", "/api/v1/referrals/{id}", h_referral_patch, &rw);
  np_http_route(h, "GET", "/api/v1/feed/demands", h_feed, &feed);
  np_http_route(h, "GET", "/api/v1/partner-keys", h_key_list, &km);
  np_http_route(h, "POST", "/api/v1/partner-keys", h_key_create, &km);
  np_http_route(h, "DELETE", "/api/v1/partner-keys/{id}", h_key_revoke, &km);
}
