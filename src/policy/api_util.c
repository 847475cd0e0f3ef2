/* Shared helpers of the policy HTTP handlers (see api_util.h). */
#include "policy/api_util.h"
#include <ctype.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/date.h"
#include "core/ids.h"
#include "core/json.h"
#include "core/log.h"
#include "core/money.h"
#include "core/str.h"
#include "policy/eval.h"
#include "policy/runjob.h"

void np_papi_bind_i(np_papi_binds_t *b, int64_t v) {
  if (b->n >= 24) return;
  b->is_int[b->n] = true;
  b->i[b->n++] = v;
}

void np_papi_bind_t(np_papi_binds_t *b, const char *v) {
  if (b->n >= 24) return;
  b->is_int[b->n] = false;
  b->t[b->n++] = v;
}

void np_papi_apply(np_stmt_t *st, const np_papi_binds_t *b, int *next) {
  for (int k = 0; k < b->n; k++) {
    if (b->is_int[k]) np_store_bind_int64(st, k + 1, b->i[k]);
    else np_store_bind_text(st, k + 1, b->t[k], NP_STORE_STRLEN);
  }
  *next = b->n + 1;
}

void np_papi_fail(np_req_t *r, np_err e, const np_errdetail_t *d) {
  if (e == NP_ERR_STORE || e == NP_ERR_INTERNAL || e == NP_ERR_NOMEM || e == NP_ERR_IO)
    np_log_error("policy.error", "%s %s: %s %s", np_req_method(r), np_req_path(r), d ? d->code : "", d ? d->message : "");
  if (e == NP_ERR_CONFLICT && d) {
    np_resp_error(r, 409, d->code, d->field, "%s", d->message);
    return;
  }
  np_resp_fail(r, e, d);
}

int64_t np_papi_now(np_req_t *r) {
  const char *env = getenv("NP_TEST_CLOCK");
  if (env && strcmp(env, "1") == 0) {
    const char *h = np_req_header(r, "X-NP-Now");
    int64_t t;
    if (h && np_date_parse_ts_utc(h, strlen(h), &t) == NP_OK) return t;
  }
  return (int64_t)time(NULL);
}

np_pwf_ctx_t np_papi_ctx(np_req_t *r, np_store_t *s) {
  const np_principal_t *p = np_req_principal(r);
  np_pwf_ctx_t c = {.s = s, .now = np_papi_now(r), .ip = np_req_ip(r), .request_id = np_req_id(r)};
  if (p) {
    c.user_id = p->user_id;
    c.user = p->username;
    c.role = np_role_name(p->role);
    c.region = np_role_jurisdiction(p->role) == NP_JURIS_REGION ? p->region_code : NULL;
  }
  return c;
}

bool np_papi_scope(np_req_t *r, np_scope_t *out) {
  if (np_authz_scope(np_req_principal(r), "policy_decision", out) != NP_OK) {
    np_resp_error(r, 500, "internal", NULL, "scope");
    return false;
  }
  /* the whole province: also the decisions paid to persons (skill_upgrade_subsidy), which have no
     enterprise and so no region; city and county staff do not see them (docs/API-POLICY.md) */
  if (out->kind == NP_SCOPE_REGION && strcmp(out->region_prefix, "37") == 0) out->kind = NP_SCOPE_ALL;
  return true;
}

void np_papi_money(json_t *o, const char *key_base, int64_t fen) {
  char k1[64], k2[64], y[NP_MONEY_STRLEN];
  snprintf(k1, sizeof k1, "%s_fen", key_base);
  np_strlcpy(k2, key_base, sizeof k2);
  np_money_format(fen, y, sizeof y);
  json_object_set_new(o, k1, json_integer(fen));
  json_object_set_new(o, k2, json_string(y));
}

bool np_papi_path_id(np_req_t *r, const char *name, const char *prefix, int64_t *id) {
  if (np_id_parse(prefix, np_req_param(r, name), id) != NP_OK) {
    np_resp_error(r, 404, "not_found", NULL, "not found");
    return false;
  }
  return true;
}

bool np_papi_limit(np_req_t *r, int64_t *limit) {
  const char *v = np_req_query(r, "limit");
  *limit = 20;
  if (v && *v && np_parse_int64(v, strlen(v), 1, 100, limit) != NP_OK) {
    np_resp_error(r, 422, "range", "limit", "limit must be an integer from 1 to 100");
    return false;
  }
  return true;
}

bool np_papi_enterprise_param(np_req_t *r, np_store_t *s, const char *v, int64_t *id) {
  *id = 0;
  if (np_id_parse(NP_ID_ENTERPRISE, v, id) == NP_OK) return true;
  if (strlen(v) != 18) {
    np_resp_error(r, 422, "format", "enterprise", "an enterprise id like ent_12 or a credit code");
    return false;
  }
  np_errdetail_t d;
  np_errdetail_clear(&d);
  bool found = false;
  char up[19];
  for (int i = 0; i < 18; i++) up[i] = (char)toupper((unsigned char)v[i]);
  up[18] = '\0';
  if (np_store_queryf_int64(s, id, &found, &d, "SELECT id FROM enterprises WHERE uscc = ?", "t", up) || !found) *id = -1;
  return true;
}

static bool key_ok(const char *k) {
  size_t n = strlen(k);
  if (n < 1 || n > 64) return false;
  for (size_t i = 0; i < n; i++)
    if (!isalnum((unsigned char)k[i]) && !strchr("_.:-", k[i])) return false;
  return true;
}

bool np_papi_idem_replay(np_req_t *r, np_store_t *s, const char *action) {
  const char *key = np_req_header(r, "Idempotency-Key");
  const np_principal_t *p = np_req_principal(r);
  if (!key || !p) return false;
  if (!key_ok(key)) {
    np_resp_error(r, 422, "format", "Idempotency-Key", "1–64 of A-Z a-z 0-9 _ . : -");
    return true;
  }
  np_errdetail_t d;
  np_errdetail_clear(&d);
  bool found = false;
  int status = 0;
  char *body = NULL;
  np_err e = np_pwf_idem_get(s, p->user_id, key, action, &found, &status, &body, &d);
  if (e) {
    np_papi_fail(r, e, &d);
    return true;
  }
  if (!found) return false;
  np_resp_header(r, "Idempotent-Replay", "true");
  np_resp_bytes(r, status, "application/json", body, strlen(body));
  free(body);
  return true;
}

void np_papi_send(np_req_t *r, np_store_t *s, const char *action, int status, json_t *body) {
  const char *key = np_req_header(r, "Idempotency-Key");
  const np_principal_t *p = np_req_principal(r);
  if (key && p && key_ok(key) && s) {
    char *txt = json_dumps(body, JSON_COMPACT);
    if (txt) {
      np_errdetail_t d;
      np_errdetail_clear(&d);
      np_pwf_idem_put(s, p->user_id, key, action, status, txt, np_papi_now(r), &d);
      free(txt);
    }
  }
  np_resp_json(r, status, body);
}

void np_papi_reason_text(const np_ppackage_t *pkg, const char *policy, int64_t as_of, const char *code, const char **zh,
                         const char **en) {
  *zh = *en = code;
  const np_ppolicy_t *pol = pkg ? np_policy_find(pkg, policy) : NULL;
  if (!pol) return;
  if (!code) {
    *zh = "符合条件";
    *en = "eligible";
    return;
  }
  const np_pversion_t *ver = np_policy_version_at(pol, as_of);
  /* a one-row decision carrying each candidate reason; the engine names and words it */
  int8_t el = 0;
  int16_t reason = 0;
  int64_t z = 0;
  int32_t comp = -1;
  np_pdecisions_t d = {.pol = pol, .ver = ver, .n = 1, .eligible = &el, .reason = &reason, .amount = &z, .obs_v = &z,
                       .obs_d = &z, .thr_v = &z, .thr_d = &z, .competing = &comp};
  int cand[64], nc = 0;
  for (int v = 0; v < pol->nversions; v++) {
    d.ver = &pol->versions[v];
    for (int i = 0; i < d.ver->ncrits && nc < 64; i++) {
      reason = (int16_t)i;
      const char *c = np_policy_reason_code(&d, 0);
      if (c && strcmp(c, code) == 0) goto found;
    }
    for (int i = 0; i < d.ver->nlimits; i++) {
      reason = (int16_t)(NP_PR_LIMIT + i);
      const char *c = np_policy_reason_code(&d, 0);
      if (c && strcmp(c, code) == 0) goto found;
    }
    for (int i = 0; i < d.ver->ncaps; i++) {
      reason = (int16_t)(NP_PR_CAP + i);
      const char *c = np_policy_reason_code(&d, 0);
      if (c && strcmp(c, code) == 0) goto found;
    }
  }
  d.ver = ver;
  for (int f = NP_PR_NO_VERSION; f >= NP_PR_AMOUNT_UNKNOWN; f--) {
    reason = (int16_t)f;
    const char *c = np_policy_reason_code(&d, 0);
    if (c && strcmp(c, code) == 0) goto found;
  }
  (void)cand;
  return;
found:
  *zh = np_policy_reason_text(&d, 0, true);
  *en = np_policy_reason_text(&d, 0, false);
}

/* The package with the local values, loaded once per state of policy_param_overrides (insert-only: its
   row count and highest id name the state) and shared read-only by the requests (reference counted). */
static pthread_mutex_t g_pkg_mu = PTHREAD_MUTEX_INITIALIZER;
static np_ppackage_t *g_pkg;
static char g_pkg_key[64];

np_ppackage_t *np_papi_package(np_req_t *r, np_store_t *s) {
  np_errdetail_t d;
  np_errdetail_clear(&d);
  char key[64] = "";
  np_stmt_t *st;
  np_err e = np_store_prepare(s, "SELECT COUNT(*), COALESCE(MAX(id), 0) FROM policy_param_overrides", &st, &d);
  bool has = false;
  if (!e && !(e = np_store_step(st, &has, &d)) && has)
    snprintf(key, sizeof key, "%" PRId64 ":%" PRId64, np_store_col_int64(st, 0), np_store_col_int64(st, 1));
  if (!e) np_store_release(st);
  if (e) {
    np_papi_fail(r, e, &d);
    return NULL;
  }
  pthread_mutex_lock(&g_pkg_mu);
  np_ppackage_t *pkg = g_pkg && strcmp(g_pkg_key, key) == 0 ? np_policy_package_ref(g_pkg) : NULL;
  pthread_mutex_unlock(&g_pkg_mu);
  if (pkg) return pkg;
  char oh[65];
  if ((e = np_policy_overlay_load(s, &pkg, oh, &d))) {
    np_papi_fail(r, e, &d);
    return NULL;
  }
  pthread_mutex_lock(&g_pkg_mu);
  np_ppackage_t *old = g_pkg;
  g_pkg = np_policy_package_ref(pkg); /* the cache's hold; the caller keeps the first */
  np_strlcpy(g_pkg_key, key, sizeof g_pkg_key);
  pthread_mutex_unlock(&g_pkg_mu);
  np_policy_package_free(old);
  return pkg;
}

void np_papi_send_xlsx(np_req_t *r, const char *path, const char *name) {
  np_resp_file(r, 200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", path, name, true);
}

np_err np_papi_page(np_stmt_t *st, int64_t limit, np_papi_row_fn row, void *ctx, json_t **items, int64_t *next_id,
                    np_errdetail_t *d) {
  bool has = false;
  int64_t n = 0, last = 0;
  np_err e;
  *next_id = 0;
  *items = json_array();
  while (!(e = np_store_step(st, &has, d)) && has) {
    if (n++ == limit) {
      *next_id = last;
      break;
    }
    last = np_store_col_int64(st, 0);
    json_array_append_new(*items, row(st, ctx));
  }
  np_store_release(st);
  if (e) {
    json_decref(*items);
    *items = NULL;
  }
  return e;
}

void np_papi_send_page(np_req_t *r, json_t *items, int64_t total, const char *prefix, int64_t next_id) {
  char nc[32] = "";
  if (next_id > 0) np_id_format(prefix, next_id, nc, sizeof nc);
  np_resp_json(r, 200, json_pack("{s:o,s:I,s:o}", "items", items, "total", (json_int_t)total, "next_cursor",
                                 nc[0] ? json_string(nc) : json_null()));
}
