/* GET /api/v1/health against a real (SQLite) store: ok when migrated, degraded when behind; the
 * request's pooled store connection; graceful stop with a request in flight. */
#include "testutil.h"
#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include "http_client.h"
#include "core/log.h"
#include "http/http.h"

static np_http_t *start(const char *db, int *port) {
  np_http_config_t cfg = {.listen = "127.0.0.1:0", .db_url = db, .threads = 2};
  np_errdetail_t err = {0};
  np_http_t *h = NULL;
  if (np_http_new(&cfg, &h, &err) != NP_OK) fail_msg("np_http_new: %s", err.message);
  return h;
}

static void go(np_http_t *h, int *port) {
  np_errdetail_t err = {0};
  if (np_http_start(h, &err) != NP_OK) fail_msg("np_http_start: %s", err.message);
  *port = np_http_port(h);
  assert_true(*port > 0);
}

static void health_ok_when_migrated(void **state) {
  const char *db = tu_tmp_db_url("health.db");
  np_store_t *s = NULL;
  np_errdetail_t err = {0};
  assert_int_equal(np_store_open(db, &s, &err), NP_OK);
  int applied = 0;
  if (np_store_migrate(s, &applied, &err) != NP_OK) fail_msg("migrate: %s", err.message);
  np_store_close(s);
  int port;
  np_http_t *h = start(db, &port);
  go(h, &port);
  tc_resp_t r;
  assert_int_equal(tc_req(port, "GET", "/api/v1/health", NULL, NULL, &r), 0);
  assert_int_equal(r.status, 200);
  json_t *j = json_loads(r.body, 0, NULL);
  assert_non_null(j);
  assert_string_equal(json_string_value(json_object_get(j, "status")), "ok");
  assert_string_equal(json_string_value(json_object_get(j, "store")), "ok");
  assert_string_equal(json_string_value(json_object_get(j, "version")), NP_VERSION);
  json_int_t v = json_integer_value(json_object_get(j, "schema_version"));
  assert_true(v > 0);
  assert_int_equal(v, json_integer_value(json_object_get(j, "binary_schema_version")));
  json_decref(j);
  tc_free(&r);
  np_http_free(h);
}

static void health_degraded_when_behind(void **state) {
  const char *db = tu_tmp_db_url("empty.db");
  int port;
  np_http_t *h = start(db, &port);
  go(h, &port);
  tc_resp_t r;
  assert_int_equal(tc_req(port, "GET", "/api/v1/health", NULL, NULL, &r), 0);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, "\"status\":\"degraded\""));
  tc_free(&r);
  np_http_free(h);
}

static void slow(np_req_t *r) {
  struct timespec ts = {0, 300 * 1000 * 1000};
  nanosleep(&ts, NULL);
  np_store_t *s = np_req_store(r);
  if (!s) return;
  np_resp_json(r, 200, json_pack("{s:s}", "done", "yes"));
}

typedef struct {
  int port;
  tc_resp_t r;
} slow_ctx_t;

static void *slow_client(void *arg) {
  slow_ctx_t *c = arg;
  tc_req(c->port, "GET", "/api/v1/slow", NULL, NULL, &c->r);
  return NULL;
}

static void stop_lets_requests_finish(void **state) {
  int port;
  np_http_t *h = start(tu_tmp_db_url("slow.db"), &port);
  np_route_opts_t pub = {.auth = NP_AUTH_PUBLIC};
  assert_int_equal(np_http_route(h, "GET", "/api/v1/slow", slow, &pub), NP_OK);
  go(h, &port);
  slow_ctx_t c = {.port = port};
  pthread_t t;
  pthread_create(&t, NULL, slow_client, &c);
  struct timespec ts = {0, 100 * 1000 * 1000};
  nanosleep(&ts, NULL);
  np_http_stop(h); /* must wait for the slow request */
  pthread_join(t, NULL);
  assert_int_equal(c.r.status, 200);
  assert_string_equal(c.r.body, "{\"done\":\"yes\"}");
  tc_free(&c.r);
  /* no longer listening */
  assert_int_equal(tc_connect(port), -1);
  np_http_free(h);
}

static void bad_listen_addresses(void **state) {
  static const char *const bad[] = {"", "8080", "127.0.0.1", "127.0.0.1:", "127.0.0.1:99999", "localhost:80",
                                    "[::1]8080", "127.0.0.1:80x"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    np_http_config_t cfg = {.listen = bad[i]};
    np_http_t *h = NULL;
    np_errdetail_t err = {0};
    assert_int_equal(np_http_new(&cfg, &h, &err), NP_ERR_INVALID);
    assert_null(h);
  }
  np_http_config_t cfg = {.listen = "[::1]:0"};
  np_http_t *h = NULL;
  np_errdetail_t err = {0};
  assert_int_equal(np_http_new(&cfg, &h, &err), NP_OK);
  np_http_free(h);
}

int main(void) {
  np_log_setup(NP_LOG_WARN, NULL);
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(health_ok_when_migrated),
    cmocka_unit_test(health_degraded_when_behind),
    cmocka_unit_test(stop_lets_requests_finish),
    cmocka_unit_test(bad_listen_addresses),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
