/* Audit routes in-process: auditor only, filters, cursor pages, login log, export and reads audited, verify. */
#include "testutil.h"
#include <jansson.h>
#include <stdbool.h>
#include "http_client.h"
#include "audit/api.h"
#include "audit/audit.h"
#include "http/http.h"
#include "store/store.h"

static np_http_t *srv;
static int port;
static const char *db_url;

static np_err authn(np_req_t *req, const char *token, bool is_api_key, np_principal_t **out, np_errdetail_t *err) {
  np_principal_t *p = np_arena_calloc(np_req_arena(req), 1, sizeof *p);
  if (is_api_key || (strcmp(token, "auditor") && strcmp(token, "admin") && strcmp(token, "reader")))
    return np_fail(err, NP_ERR_UNAUTHORIZED, "unauthorized", NULL, "invalid session");
  snprintf(p->username, sizeof p->username, "%s", token);
  p->user_id = strcmp(token, "auditor") == 0 ? 3 : strcmp(token, "reader") == 0 ? 4 : 1;
  p->role = strcmp(token, "admin") != 0 ? NP_ROLE_AUDITOR : NP_ROLE_SYS_ADMIN;
  *out = p;
  return NP_OK;
}

/* "reader" holds audit.read but not audit.export */
static bool authz(const np_principal_t *p, const char *action) {
  if (!p || p->role != NP_ROLE_AUDITOR) return false;
  return strcmp(action, "audit.read") == 0 || (strcmp(action, "audit.export") == 0 && strcmp(p->username, "reader") != 0);
}

static void seed(np_store_t *s) {
  static const char *actions[] = {"login.success", "login.failure", "user.create", "logout", "account.lock",
                                  "setting.update", "login.success", "enterprise.update"};
  np_errdetail_t e = {0};
  for (int i = 0; i < 40; i++) {
    const char *a = actions[i % 8];
    np_audit_entry_t x = {.user_id = strcmp(a, "login.failure") ? 7 : 0, .username = "county.lixia",
                          .role = "county_staff", .ip = "10.0.0.1", .action = a, .entity = "user", .entity_id = "7",
                          .after_json = "{\"mobile\":\"138****5678\"}",
                          .outcome = strcmp(a, "login.failure") ? "success" : "failure", .request_id = "rid"};
    assert_int_equal(np_audit_record(s, &x, NULL, &e), NP_OK);
  }
}

static int setup(void **state) {
  (void)state;
  db_url = tu_tmp_db_url("audit_api.db");
  np_store_t *s = NULL;
  np_errdetail_t err = {0};
  int applied = 0;
  if (np_store_open(db_url, &s, &err) || np_store_migrate(s, &applied, &err)) {
    fprintf(stderr, "store: %s\n", err.message);
    return -1;
  }
  seed(s);
  np_store_close(s);
  np_http_config_t cfg = {.listen = "127.0.0.1:0", .db_url = db_url, .threads = 2};
  if (np_http_new(&cfg, &srv, &err) != NP_OK) return -1;
  np_http_set_authn(srv, authn);
  np_http_set_authz(srv, authz);
  np_audit_api_register(srv);
  if (np_http_start(srv, &err) != NP_OK) return -1;
  port = np_http_port(srv);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  np_http_stop(srv);
  np_http_free(srv);
  return 0;
}

static json_t *get_json(const char *target, const char *token, int expect_status) {
  tc_resp_t r = {0};
  char hdr[128];
  snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n", token);
  assert_int_equal(tc_req(port, "GET", target, hdr, NULL, &r), 0);
  if (r.status != expect_status) fprintf(stderr, "%s → %d %s\n", target, r.status, r.body);
  assert_int_equal(r.status, expect_status);
  json_error_t je;
  json_t *j = json_loads(r.body, 0, &je);
  tc_free(&r);
  assert_non_null(j);
  return j;
}

static void only_auditors(void **state) {
  (void)state;
  json_t *j = get_json("/api/v1/audit", "admin", 403);
  json_decref(j);
  tc_resp_t r = {0};
  assert_int_equal(tc_req(port, "GET", "/api/v1/audit", NULL, NULL, &r), 0);
  assert_int_equal(r.status, 401);
  tc_free(&r);
  assert_int_equal(tc_req(port, "DELETE", "/api/v1/audit", "Authorization: Bearer auditor\r\nX-Requested-With: nineplus\r\n",
                          NULL, &r),
                   0);
  assert_true(r.status == 405 || r.status == 404);
  tc_free(&r);
}

static void list_filters_and_pages(void **state) {
  (void)state;
  json_t *j = get_json("/api/v1/audit?action=login&limit=100", "auditor", 200);
  json_t *items = json_object_get(j, "items");
  assert_int_equal(json_integer_value(json_object_get(j, "total")), 15);
  assert_int_equal(json_array_size(items), 15);
  size_t i;
  json_t *it;
  int64_t prev = INT64_MAX;
  json_array_foreach(items, i, it) {
    assert_non_null(strstr(json_string_value(json_object_get(it, "action")), "login."));
    int64_t seq = json_integer_value(json_object_get(it, "seq"));
    assert_true(seq < prev); /* newest first */
    prev = seq;
    assert_true(json_is_object(json_object_get(it, "after")));
    assert_non_null(json_object_get(it, "request_id"));
  }
  json_decref(j);
  j = get_json("/api/v1/audit?outcome=failure", "auditor", 200);
  assert_int_equal(json_integer_value(json_object_get(j, "total")), 5);
  it = json_array_get(json_object_get(j, "items"), 0);
  assert_true(json_is_null(json_object_get(it, "user_id")));
  json_decref(j);
  j = get_json("/api/v1/audit?user=u_7&action=user.create", "auditor", 200);
  assert_int_equal(json_integer_value(json_object_get(j, "total")), 5);
  assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "items"), 0), "user_id")), "u_7");
  json_decref(j);
  j = get_json("/api/v1/audit?user=lixia&entity=user&entity_id=7&action=logout", "auditor", 200);
  assert_int_equal(json_integer_value(json_object_get(j, "total")), 5);
  json_decref(j);
  /* dates: all rows are from today (Asia/Shanghai) */
  char q[160], today[NP_DATE_STRLEN];
  np_date_format(np_date_today(), today, sizeof today);
  snprintf(q, sizeof q, "/api/v1/audit?from=%s&to=%s&action=setting", today, today);
  j = get_json(q, "auditor", 200);
  assert_int_equal(json_integer_value(json_object_get(j, "total")), 5);
  json_decref(j);
  j = get_json("/api/v1/audit?to=2001-01-01&action=setting", "auditor", 200);
  assert_int_equal(json_integer_value(json_object_get(j, "total")), 0);
  json_decref(j);
  /* pages of 3 over the 5 lock rows */
  j = get_json("/api/v1/audit?action=account.lock&limit=3", "auditor", 200);
  assert_int_equal(json_array_size(json_object_get(j, "items")), 3);
  const char *cur = json_string_value(json_object_get(j, "next_cursor"));
  assert_non_null(cur);
  snprintf(q, sizeof q, "/api/v1/audit?action=account.lock&limit=3&cursor=%s", cur);
  json_decref(j);
  j = get_json(q, "auditor", 200);
  assert_int_equal(json_array_size(json_object_get(j, "items")), 2);
  assert_true(json_is_null(json_object_get(j, "next_cursor")));
  assert_int_equal(json_integer_value(json_object_get(j, "total")), 5);
  json_decref(j);
  /* bad input */
  j = get_json("/api/v1/audit?outcome=maybe", "auditor", 422);
  assert_string_equal(json_string_value(json_object_get(json_object_get(j, "error"), "field")), "outcome");
  json_decref(j);
  json_decref(get_json("/api/v1/audit?limit=0", "auditor", 422));
  json_decref(get_json("/api/v1/audit?limit=101", "auditor", 422));
  json_decref(get_json("/api/v1/audit?from=2024-02-30", "auditor", 422));
  json_decref(get_json("/api/v1/audit?cursor=abc", "auditor", 422));
  /* the reads themselves were audited */
  j = get_json("/api/v1/audit?action=audit.query&limit=100", "auditor", 200);
  assert_true(json_integer_value(json_object_get(j, "total")) >= 8);
  it = json_array_get(json_object_get(j, "items"), 0);
  assert_string_equal(json_string_value(json_object_get(it, "username")), "auditor");
  assert_string_equal(json_string_value(json_object_get(it, "role")), "auditor");
  json_decref(j);
}

static void login_log(void **state) {
  (void)state;
  json_t *j = get_json("/api/v1/audit/logins?limit=100", "auditor", 200);
  assert_int_equal(json_integer_value(json_object_get(j, "total")), 25);
  size_t i;
  json_t *it;
  json_array_foreach(json_object_get(j, "items"), i, it) {
    const char *a = json_string_value(json_object_get(it, "action"));
    assert_true(strncmp(a, "login.", 6) == 0 || strcmp(a, "logout") == 0 || strcmp(a, "account.lock") == 0);
  }
  json_decref(j);
}

static void export_is_audited(void **state) {
  (void)state;
  tc_resp_t r = {0};
  assert_int_equal(tc_req(port, "GET", "/api/v1/audit/export?action=login", "Authorization: Bearer auditor\r\n", NULL, &r), 0);
  assert_int_equal(r.status, 200);
  char ct[128];
  assert_non_null(tc_header(&r, "Content-Type", ct, sizeof ct));
  assert_non_null(strstr(ct, "spreadsheetml"));
  assert_true(r.body_len > 1000);
  assert_memory_equal(r.body, "PK", 2);
  tc_free(&r);
  /* export is its own permission: reading the log does not imply a bulk export */
  assert_int_equal(tc_req(port, "GET", "/api/v1/audit/export?action=login", "Authorization: Bearer reader\r\n", NULL, &r), 0);
  assert_int_equal(r.status, 403);
  tc_free(&r);
  json_t *j = get_json("/api/v1/audit?action=audit.export", "auditor", 200);
  assert_int_equal(json_integer_value(json_object_get(j, "total")), 1);
  json_t *it = json_array_get(json_object_get(j, "items"), 0);
  assert_non_null(strstr(json_string_value(json_object_get(it, "detail")), "action=login"));
  assert_non_null(strstr(json_string_value(json_object_get(it, "detail")), "rows=15"));
  json_decref(j);
}

static void verify_route(void **state) {
  (void)state;
  json_t *j = get_json("/api/v1/audit/verify", "auditor", 200);
  assert_true(json_is_true(json_object_get(j, "ok")));
  assert_true(json_integer_value(json_object_get(j, "rows")) >= 40);
  json_decref(j);
  np_store_t *s = NULL;
  np_errdetail_t e = {0};
  assert_int_equal(np_store_open(db_url, &s, &e), NP_OK);
  assert_int_equal(np_store_exec(s, "UPDATE audit_log SET ip = '10.9.9.9' WHERE seq = 12", &e), NP_OK);
  np_store_close(s);
  j = get_json("/api/v1/audit/verify", "auditor", 200);
  assert_true(json_is_false(json_object_get(j, "ok")));
  assert_int_equal(json_integer_value(json_object_get(j, "first_broken_seq")), 12);
  assert_non_null(json_string_value(json_object_get(j, "reason")));
  json_decref(j);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(only_auditors),     cmocka_unit_test(list_filters_and_pages), cmocka_unit_test(login_log),
    cmocka_unit_test(export_is_audited), cmocka_unit_test(verify_route),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
