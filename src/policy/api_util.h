/* Shared helpers of the policy HTTP handlers (api.c, api_wf.c). Internal to src/policy. */
#ifndef NP_POLICY_API_UTIL_H
#define NP_POLICY_API_UTIL_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "core/err.h"
#include "http/authz.h"
#include "http/http.h"
#include "policy/package.h"
#include "policy/workflow.h"
#include "store/store.h"

/** Bind list for dynamically built queries. */
typedef struct np_papi_binds {
  int n;
  bool is_int[24];
  int64_t i[24];
  const char *t[24];
} np_papi_binds_t;

/** Adds a bind. */
void np_papi_bind_i(np_papi_binds_t *b, int64_t v);
/** Adds a text bind (pointer kept; must outlive the statement). */
void np_papi_bind_t(np_papi_binds_t *b, const char *v);
/** Applies the binds from placeholder 1; then the scope fragment's binds. */
void np_papi_apply(np_stmt_t *st, const np_papi_binds_t *b, int *next);

/** Answers an error (logged when internal). */
void np_papi_fail(np_req_t *r, np_err e, const np_errdetail_t *d);
/** The request's clock (X-NP-Now honoured only with NP_TEST_CLOCK=1). */
int64_t np_papi_now(np_req_t *r);
/** Workflow context of the request's principal. */
np_pwf_ctx_t np_papi_ctx(np_req_t *r, np_store_t *s);
/** Scope of decisions/items for the principal (kind "policy_decision"); false when it already answered. */
bool np_papi_scope(np_req_t *r, np_scope_t *out);
/** Adds amount_fen and amount (yuan text). */
void np_papi_money(json_t *o, const char *key_base, int64_t fen);
/** Path id with prefix; answers 404 and returns false when malformed. */
bool np_papi_path_id(np_req_t *r, const char *name, const char *prefix, int64_t *id);
/** limit query parameter (1..100). */
bool np_papi_limit(np_req_t *r, int64_t *limit);
/** Enterprise filter (ent_ id or USCC) → enterprise id (0 unknown → matches nothing). false when answered. */
bool np_papi_enterprise_param(np_req_t *r, np_store_t *s, const char *v, int64_t *id);

/**
 * Idempotency: when the request carries Idempotency-Key and a first response is stored for it, replays
 * it and returns true (the handler must return). A malformed key answers 422 (true as well).
 */
bool np_papi_idem_replay(np_req_t *r, np_store_t *s, const char *action);
/** Sends body (stolen) with status, storing it for the request's Idempotency-Key, if any. */
void np_papi_send(np_req_t *r, np_store_t *s, const char *action, int status, json_t *body);

/** zh/en text of a reason code of `policy` as of a date (day count); fallbacks to the code itself. */
void np_papi_reason_text(const np_ppackage_t *pkg, const char *policy, int64_t as_of, const char *code, const char **zh,
                         const char **en);

/** The package with local values applied, loaded per call (caller frees with np_policy_package_free). */
np_ppackage_t *np_papi_package(np_req_t *r, np_store_t *s);

/** One row of a list as JSON (ctx: what the row function needs besides the statement). */
typedef json_t *(*np_papi_row_fn)(np_stmt_t *st, void *ctx);

/**
 * Reads a keyset page: st was prepared with LIMIT limit + 1 and the row id in column 0; up to limit rows
 * become items through row; *next_id is the id of the page's last row when another followed, else 0.
 * Releases st. On an error items is NULL.
 */
np_err np_papi_page(np_stmt_t *st, int64_t limit, np_papi_row_fn row, void *ctx, json_t **items, int64_t *next_id,
                    np_errdetail_t *d);

/** Answers 200 {items, total, next_cursor} (next_id formatted with prefix; null when 0). Steals items. */
void np_papi_send_page(np_req_t *r, json_t *items, int64_t total, const char *prefix, int64_t next_id);

/** Writes the XLSX at path as a download, or answers the error; unlinks on error. */
void np_papi_send_xlsx(np_req_t *r, const char *path, const char *name);

/** Routes of api_wf.c (workflow, 政策找人, bank whitelist). */
void np_policy_api_wf_register(np_http_t *h);

#endif
