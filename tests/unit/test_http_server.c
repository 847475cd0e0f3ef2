/* The HTTP adapter in-process: routing, limits, JSON errors, auth/CSRF, request ids, static files. */
#include "testutil.h"
#include <fcntl.h>
#include <jansson.h>
#include <stdbool.h>
#include <sys/stat.h>
#include "http_client.h"
#include "core/log.h"
#include "http/http.h"

static np_http_t *srv;
static int port;
static char uidir[600];

/* ---- handlers ---- */

static void h_item(np_req_t *r) {
  np_resp_json(r, 200, json_pack("{s:s,s:s}", "route", "param", "id", np_req_param(r, "id")));
}
static void h_special(np_req_t *r) {
  np_resp_json(r, 200, json_pack("{s:s}", "route", "literal"));
}
static void h_echo(np_req_t *r) {
  json_t *j = np_req_json(r);
  if (!j) return;
  json_incref(j);
  np_resp_json(r, 201, j);
}
static void h_len(np_req_t *r) {
  size_t n = 0;
  const char *b = np_req_body(r, &n);
  size_t sum = 0;
  for (size_t i = 0; i < n; i++) sum += (unsigned char)b[i];
  np_resp_json(r, 200, json_pack("{s:I,s:I}", "len", (json_int_t)n, "sum", (json_int_t)sum));
}
static void h_noresp(np_req_t *r) {
  (void)r;
}
static void h_query(np_req_t *r) {
  const char *a = np_req_query(r, "a");
  np_resp_json(r, 200, json_pack("{s:s?}", "a", a));
}
static void h_me(np_req_t *r) {
  const np_principal_t *p = np_req_principal(r);
  np_resp_json(r, 200, json_pack("{s:s}", "user", p ? p->username : ""));
}
static void h_fail(np_req_t *r) {
  np_errdetail_t d;
  const char *what = np_req_query(r, "what");
  np_err e = NP_ERR_INVALID;
  if (what && strcmp(what, "field") == 0) np_fail(&d, NP_ERR_INVALID, "length", "name", "name is too long");
  else if (what && strcmp(what, "store") == 0) e = np_fail(&d, NP_ERR_STORE, "sql", NULL, "SELECT secret FROM x failed");
  else if (what && strcmp(what, "conflict") == 0) e = np_fail(&d, NP_ERR_CONFLICT, "duplicate", "username", "taken");
  else np_fail(&d, NP_ERR_INVALID, "bad", NULL, "bad input");
  np_resp_fail(r, e, &d);
}
static void h_file(np_req_t *r) {
  char path[700];
  snprintf(path, sizeof path, "%s/export.tmp", tu_tmpdir());
  FILE *f = fopen(path, "w");
  fputs("a,b\n1,2\n", f);
  fclose(f);
  np_resp_file(r, 200, "text/csv; charset=utf-8", path, "用工需求 2023.csv", true);
}

static np_err authn(np_req_t *req, const char *token, bool is_api_key, np_principal_t **out, np_errdetail_t *err) {
  np_principal_t *p = np_arena_calloc(np_req_arena(req), 1, sizeof *p);
  if (is_api_key) {
    if (strcmp(token, "partner-key") != 0) return np_fail(err, NP_ERR_UNAUTHORIZED, "bad_api_key", NULL, "unknown key");
    snprintf(p->username, sizeof p->username, "partner");
    p->role = NP_ROLE_PARTNER;
  } else if (strcmp(token, "good") == 0 || strcmp(token, "admin") == 0 || strcmp(token, "mcp") == 0) {
    snprintf(p->username, sizeof p->username, "%s", token);
    p->user_id = 7;
    p->must_change_password = strcmp(token, "mcp") == 0;
  } else if (strcmp(token, "expired") == 0) {
    return np_fail(err, NP_ERR_UNAUTHORIZED, "session_expired", NULL, "the session has expired");
  } else {
    return np_fail(err, NP_ERR_UNAUTHORIZED, "unauthorized", NULL, "invalid session");
  }
  *out = p;
  return NP_OK;
}

static bool authz(const np_principal_t *p, const char *action) {
  return strcmp(p->username, "admin") == 0 || strcmp(action, "everyone") == 0;
}

static void write_file(const char *rel, const char *text) {
  char path[800];
  snprintf(path, sizeof path, "%s/%s", uidir, rel);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static int setup(void **state) {
  np_log_setup(NP_LOG_WARN, NULL);
  snprintf(uidir, sizeof uidir, "%s/ui", tu_tmpdir());
  mkdir(uidir, 0700);
  char p[800];
  snprintf(p, sizeof p, "%s/assets", uidir);
  mkdir(p, 0700);
  snprintf(p, sizeof p, "%s/sub", uidir);
  mkdir(p, 0700);
  write_file("index.html", "<!doctype html><html><script src=\"/assets/app-1a2b3c.js\"></script></html>");
  write_file("assets/app-1a2b3c.js", "console.log('hi')");
  write_file("assets/style-9f8e.css", "body{}");
  write_file("assets/font.woff2", "wOF2");
  write_file("favicon.ico", "ico");
  write_file("sub/page.txt", "sub text");
  /* a secret next to the UI folder and a symlink pointing at it */
  char secret[800];
  snprintf(secret, sizeof secret, "%s/secret.txt", tu_tmpdir());
  FILE *f = fopen(secret, "w");
  fputs("TOPSECRET", f);
  fclose(f);
  snprintf(p, sizeof p, "%s/link.txt", uidir);
  unlink(p);
  if (symlink(secret, p) != 0) return -1;
  snprintf(p, sizeof p, "%s/etc-passwd.txt", uidir);
  unlink(p);
  if (symlink("/etc/passwd", p) != 0) return -1;

  np_http_config_t cfg = {.listen = "127.0.0.1:0", .ui_dir = uidir, .threads = 2};
  np_errdetail_t err = {0};
  if (np_http_new(&cfg, &srv, &err) != NP_OK) {
    fprintf(stderr, "np_http_new: %s\n", err.message);
    return -1;
  }
  np_http_set_authn(srv, authn);
  np_http_set_authz(srv, authz);
  np_route_opts_t pub = {.auth = NP_AUTH_PUBLIC};
  np_route_opts_t small = {.auth = NP_AUTH_PUBLIC, .max_body = 16};
  np_route_opts_t user = {0};
  np_route_opts_t admin = {.action = "admin.only"};
  np_route_opts_t everyone = {.action = "everyone"};
  np_route_opts_t mcp = {.allow_must_change_password = true};
  np_route_opts_t partner = {.auth = NP_AUTH_PARTNER};
  int bad = 0;
  bad |= np_http_route(srv, "GET", "/api/v1/items/{id}", h_item, &pub);
  bad |= np_http_route(srv, "GET", "/api/v1/items/special", h_special, &pub);
  bad |= np_http_route(srv, "DELETE", "/api/v1/items/{id}", h_item, &pub);
  bad |= np_http_route(srv, "POST", "/api/v1/items", h_echo, &pub);
  bad |= np_http_route(srv, "POST", "/api/v1/small", h_echo, &small);
  bad |= np_http_route(srv, "GET", "/api/v1/noresp", h_noresp, &pub);
  np_route_opts_t upload = {.auth = NP_AUTH_PUBLIC, .max_body = 3u << 20};
  bad |= np_http_route(srv, "POST", "/api/v1/upload", h_len, &upload);
  bad |= np_http_route(srv, "GET", "/api/v1/query", h_query, &pub);
  bad |= np_http_route(srv, "GET", "/api/v1/fail", h_fail, &pub);
  bad |= np_http_route(srv, "GET", "/api/v1/file", h_file, &pub);
  bad |= np_http_route(srv, "GET", "/api/v1/me", h_me, &user);
  bad |= np_http_route(srv, "POST", "/api/v1/me", h_me, &user);
  bad |= np_http_route(srv, "GET", "/api/v1/admin", h_me, &admin);
  bad |= np_http_route(srv, "GET", "/api/v1/everyone", h_me, &everyone);
  bad |= np_http_route(srv, "GET", "/api/v1/me/password", h_me, &mcp);
  bad |= np_http_route(srv, "GET", "/api/v1/public-me", h_me, &pub);
  bad |= np_http_route(srv, "POST", "/api/v1/public-me", h_me, &pub);
  bad |= np_http_route(srv, "GET", "/api/v1/partner", h_me, &partner);
  if (bad) return -1;
  /* registration errors */
  if (np_http_route(srv, "GET", "/api/v1/items/{id}", h_item, &pub) != NP_ERR_CONFLICT) return -1;
  if (np_http_route(srv, "TRACE", "/api/v1/x", h_item, &pub) != NP_ERR_INVALID) return -1;
  if (np_http_route(srv, "GET", "api/v1/x", h_item, &pub) != NP_ERR_INVALID) return -1;
  if (np_http_start(srv, &err) != NP_OK) {
    fprintf(stderr, "np_http_start: %s\n", err.message);
    return -1;
  }
  port = np_http_port(srv);
  return port > 0 ? 0 : -1;
}

static int teardown(void **state) {
  np_http_free(srv);
  return 0;
}

static json_t *body_json(const tc_resp_t *r) {
  json_error_t je;
  return json_loads(r->body, 0, &je);
}

static const char *err_code(json_t *j) {
  return json_string_value(json_object_get(json_object_get(j, "error"), "code"));
}

static void assert_error(const tc_resp_t *r, int status, const char *code) {
  if (r->status != status) fprintf(stderr, "got %d: %s\n%s\n", r->status, r->head, r->body);
  assert_int_equal(r->status, status);
  char v[128];
  assert_non_null(tc_header(r, "Content-Type", v, sizeof v));
  assert_string_equal(v, "application/json; charset=utf-8");
  json_t *j = body_json(r);
  assert_non_null(j);
  assert_string_equal(err_code(j), code);
  assert_true(json_is_string(json_object_get(json_object_get(j, "error"), "message")));
  json_decref(j);
}

/* ---- tests ---- */

static void routing_params_and_literals(void **state) {
  tc_resp_t r;
  assert_int_equal(tc_req(port, "GET", "/api/v1/items/42", NULL, NULL, &r), 0);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, "\"id\":\"42\""));
  tc_free(&r);
  assert_int_equal(tc_req(port, "GET", "/api/v1/items/special", NULL, NULL, &r), 0);
  assert_non_null(strstr(r.body, "literal"));
  tc_free(&r);
  /* percent-decoded parameter (UTF-8) */
  assert_int_equal(tc_req(port, "GET", "/api/v1/items/%E6%B5%8E%E5%8D%97", NULL, NULL, &r), 0);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, "济南"));
  tc_free(&r);
  /* a DELETE on the literal path falls back to the parameter route */
  assert_int_equal(tc_req(port, "DELETE", "/api/v1/items/special", NULL, NULL, &r), 0);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, "\"id\":\"special\""));
  tc_free(&r);
  /* query decoding */
  assert_int_equal(tc_req(port, "GET", "/api/v1/query?a=%E5%B1%B1%E4%B8%9C+x&b=1", NULL, NULL, &r), 0);
  assert_non_null(strstr(r.body, "\"a\":\"山东 x\""));
  tc_free(&r);
  /* undecodable query arguments are refused, not silently dropped */
  tc_req(port, "GET", "/api/v1/query?a=%ff", NULL, NULL, &r);
  assert_error(&r, 400, "bad_query");
  tc_free(&r);
  tc_req(port, "GET", "/api/v1/query?a=%zz", NULL, NULL, &r);
  assert_error(&r, 400, "bad_query");
  tc_free(&r);
  tc_req(port, "GET", "/api/v1/query?a=%00", NULL, NULL, &r);
  assert_error(&r, 400, "bad_query");
  tc_free(&r);
  tc_req(port, "GET", "/api/v1/query?a", NULL, NULL, &r);
  assert_int_equal(r.status, 200);
  assert_string_equal(r.body, "{\"a\":\"\"}");
  tc_free(&r);
}

static void not_found_and_method_not_allowed(void **state) {
  tc_resp_t r;
  tc_req(port, "GET", "/api/v1/nothing", NULL, NULL, &r);
  assert_error(&r, 404, "not_found");
  tc_free(&r);
  tc_req(port, "GET", "/api/v1/items/1/extra", NULL, NULL, &r);
  assert_error(&r, 404, "not_found");
  tc_free(&r);
  tc_req(port, "PATCH", "/api/v1/items/1", NULL, NULL, &r);
  assert_error(&r, 405, "method_not_allowed");
  char v[64];
  assert_non_null(tc_header(&r, "Allow", v, sizeof v));
  assert_string_equal(v, "GET, DELETE");
  tc_free(&r);
  tc_req(port, "PUT", "/api/v1/health", NULL, "{}", &r);
  assert_error(&r, 405, "method_not_allowed");
  tc_free(&r);
  /* static paths take GET and HEAD only */
  tc_req(port, "POST", "/index.html", NULL, "x", &r);
  assert_error(&r, 405, "method_not_allowed");
  tc_free(&r);
}

static void common_headers(void **state) {
  tc_resp_t r;
  tc_req(port, "GET", "/api/v1/items/1", NULL, NULL, &r);
  char v[256], v2[256];
  assert_non_null(tc_header(&r, "X-Request-Id", v, sizeof v));
  assert_int_equal(strlen(v), 16);
  assert_int_equal(strspn(v, "0123456789abcdef"), 16);
  assert_string_equal(tc_header(&r, "Cache-Control", v, sizeof v), "no-store");
  assert_string_equal(tc_header(&r, "X-Content-Type-Options", v, sizeof v), "nosniff");
  assert_string_equal(tc_header(&r, "X-Frame-Options", v, sizeof v), "DENY");
  assert_string_equal(tc_header(&r, "Referrer-Policy", v, sizeof v), "same-origin");
  assert_non_null(strstr(tc_header(&r, "Content-Security-Policy", v, sizeof v), "default-src 'self'"));
  tc_free(&r);
  /* request ids differ */
  tc_req(port, "GET", "/api/v1/items/1", NULL, NULL, &r);
  tc_header(&r, "X-Request-Id", v, sizeof v);
  tc_free(&r);
  tc_req(port, "GET", "/api/v1/items/1", NULL, NULL, &r);
  tc_header(&r, "X-Request-Id", v2, sizeof v2);
  assert_string_not_equal(v, v2);
  tc_free(&r);
}

static void body_limit_before_reading(void **state) {
  tc_resp_t r;
  const char *req = "POST /api/v1/items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    "Content-Length: 10000000\r\n\r\n{";
  assert_int_equal(tc_raw(port, req, strlen(req), &r), 0);
  assert_error(&r, 413, "too_large");
  assert_true(r.seconds < 2.0); /* answered at once, not after a timeout */
  tc_free(&r);
  /* with Expect: 100-continue the server answers 413 instead of 100 */
  req = "POST /api/v1/items HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2000000\r\n\r\n";
  assert_int_equal(tc_raw(port, req, strlen(req), &r), 0);
  assert_error(&r, 413, "too_large");
  tc_free(&r);
  /* per-route limit */
  tc_req(port, "POST", "/api/v1/small", "Content-Type: application/json\r\n", "{\"a\":\"0123456789abcdef\"}", &r);
  assert_error(&r, 413, "too_large");
  tc_free(&r);
  tc_req(port, "POST", "/api/v1/small", NULL, "{\"a\":1}", &r);
  assert_int_equal(r.status, 201);
  tc_free(&r);
  /* chunked: enforced while accumulating */
  char big[4096];
  int n = snprintf(big, sizeof big, "POST /api/v1/small HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                                    "10\r\n{\"a\":\"0123456789\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n");
  assert_int_equal(tc_raw(port, big, (size_t)n, &r), 0);
  assert_error(&r, 413, "too_large");
  tc_free(&r);
  n = snprintf(big, sizeof big, "POST /api/v1/small HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                                "Transfer-Encoding: chunked\r\n\r\n4\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\n\r\n");
  assert_int_equal(tc_raw(port, big, (size_t)n, &r), 0);
  assert_int_equal(r.status, 201);
  assert_string_equal(r.body, "{\"a\":1}");
  tc_free(&r);
}

static void large_upload_route(void **state) {
  size_t n = (5u << 20) / 2; /* 2.5 MiB: over the default, under the route's 3 MiB */
  char *body = malloc(n + 1);
  size_t sum = 0;
  for (size_t i = 0; i < n; i++) {
    body[i] = (char)('a' + i % 26);
    sum += (unsigned char)body[i];
  }
  body[n] = '\0';
  tc_resp_t r;
  assert_int_equal(tc_req(port, "POST", "/api/v1/upload", NULL, body, &r), 0);
  assert_int_equal(r.status, 200);
  char want[128];
  snprintf(want, sizeof want, "{\"len\":%zu,\"sum\":%zu}", n, sum);
  assert_string_equal(r.body, want);
  tc_free(&r);
  /* the same body is too large for the default limit */
  assert_int_equal(tc_req(port, "POST", "/api/v1/items", NULL, body, &r), 0);
  assert_error(&r, 413, "too_large");
  tc_free(&r);
  free(body);
}

static void header_limit(void **state) {
  static char req[70000];
  int n = snprintf(req, sizeof req, "GET /api/v1/items/1 HTTP/1.1\r\nHost: x\r\nX-Big: ");
  memset(req + n, 'a', 60000);
  n += 60000;
  n += snprintf(req + n, sizeof req - (size_t)n, "\r\n\r\n");
  tc_resp_t r;
  assert_int_equal(tc_raw(port, req, (size_t)n, &r), 0);
  assert_true(r.status == 431 || r.status == 413);
  tc_free(&r);
}

static void json_errors(void **state) {
  tc_resp_t r;
  tc_req(port, "POST", "/api/v1/items", NULL, "{\"a\": ", &r);
  assert_error(&r, 400, "invalid_json");
  tc_free(&r);
  tc_req(port, "POST", "/api/v1/items", NULL, "{\"a\":1,\"a\":2}", &r);
  assert_error(&r, 400, "duplicate_key");
  tc_free(&r);
  tc_req(port, "POST", "/api/v1/items", NULL, "[1,2]", &r);
  assert_error(&r, 400, "invalid_json");
  tc_free(&r);
  tc_req(port, "POST", "/api/v1/items", NULL, "{\"a\":\"\xc3\x28\"}", &r);
  assert_int_equal(r.status, 400);
  tc_free(&r);
  char deep[1000];
  memset(deep, '[', 200);
  memset(deep + 200, ']', 200);
  deep[400] = '\0';
  char body[1100];
  snprintf(body, sizeof body, "{\"x\":%s}", deep);
  tc_req(port, "POST", "/api/v1/items", NULL, body, &r);
  assert_int_equal(r.status, 400);
  tc_free(&r);
  tc_req(port, "POST", "/api/v1/items", NULL, NULL, &r);
  assert_error(&r, 400, "invalid_json");
  tc_free(&r);
  tc_req(port, "POST", "/api/v1/items", NULL, "{\"名\":\"济南\"}", &r);
  assert_int_equal(r.status, 201);
  assert_string_equal(r.body, "{\"名\":\"济南\"}");
  tc_free(&r);
}

static void status_mapping(void **state) {
  tc_resp_t r;
  tc_req(port, "GET", "/api/v1/fail?what=field", NULL, NULL, &r);
  assert_error(&r, 422, "length");
  assert_non_null(strstr(r.body, "\"field\":\"name\""));
  tc_free(&r);
  tc_req(port, "GET", "/api/v1/fail", NULL, NULL, &r);
  assert_error(&r, 400, "bad");
  assert_null(strstr(r.body, "\"field\""));
  tc_free(&r);
  tc_req(port, "GET", "/api/v1/fail?what=conflict", NULL, NULL, &r);
  assert_error(&r, 409, "duplicate");
  tc_free(&r);
  tc_req(port, "GET", "/api/v1/fail?what=store", NULL, NULL, &r);
  assert_error(&r, 500, "internal");
  assert_null(strstr(r.body, "SELECT")); /* internals stay in the log */
  tc_free(&r);
  tc_req(port, "GET", "/api/v1/noresp", NULL, NULL, &r);
  assert_error(&r, 500, "internal");
  tc_free(&r);
  assert_int_equal(np_http_status_for(NP_ERR_NOT_FOUND), 404);
  assert_int_equal(np_http_status_for(NP_ERR_UNAUTHORIZED), 401);
  assert_int_equal(np_http_status_for(NP_ERR_FORBIDDEN), 403);
  assert_int_equal(np_http_status_for(NP_ERR_TOO_LARGE), 413);
  assert_int_equal(np_http_status_for(NP_ERR_RATE_LIMIT), 429);
  assert_int_equal(np_http_status_for(NP_ERR_INTERNAL), 500);
}

static void auth_flow(void **state) {
  tc_resp_t r;
  tc_req(port, "GET", "/api/v1/me", NULL, NULL, &r);
  assert_error(&r, 401, "unauthorized");
  tc_free(&r);
  tc_req(port, "GET", "/api/v1/me", "Authorization: Bearer\r\n", NULL, &r);
  assert_error(&r, 401, "unauthorized");
  tc_free(&r);
  tc_req(port, "GET", "/api/v1/me", "Authorization: Bearer forged\r\n", NULL, &r);
  assert_error(&r, 401, "unauthorized");
  tc_free(&r);
  tc_req(port, "GET", "/api/v1/me", "Authorization: Bearer expired\r\n", NULL, &r);
  assert_error(&r, 401, "session_expired");
  tc_free(&r);
  tc_req(port, "GET", "/api/v1/me", "Authorization: Bearer good\r\n", NULL, &r);
  assert_int_equal(r.status, 200);
  assert_string_equal(r.body, "{\"user\":\"good\"}");
  tc_free(&r);
  tc_req(port, "GET", "/api/v1/me", "Cookie: np_session=good\r\n", NULL, &r);
  assert_int_equal(r.status, 200);
  tc_free(&r);
  /* CSRF: cookie + write needs X-Requested-With; bearer does not */
  tc_req(port, "POST", "/api/v1/me", "Cookie: np_session=good\r\n", "{}", &r);
  assert_error(&r, 403, "csrf");
  tc_free(&r);
  tc_req(port, "POST", "/api/v1/me", "Cookie: np_session=good\r\nX-Requested-With: nineplus\r\n", "{}", &r);
  assert_int_equal(r.status, 200);
  tc_free(&r);
  tc_req(port, "POST", "/api/v1/me", "Authorization: Bearer good\r\n", "{}", &r);
  assert_int_equal(r.status, 200);
  tc_free(&r);
  /* permissions */
  tc_req(port, "GET", "/api/v1/admin", "Authorization: Bearer good\r\n", NULL, &r);
  assert_error(&r, 403, "forbidden");
  tc_free(&r);
  tc_req(port, "GET", "/api/v1/admin", "Authorization: Bearer admin\r\n", NULL, &r);
  assert_int_equal(r.status, 200);
  tc_free(&r);
  tc_req(port, "GET", "/api/v1/everyone", "Authorization: Bearer good\r\n", NULL, &r);
  assert_int_equal(r.status, 200);
  tc_free(&r);
  /* must_change_password */
  tc_req(port, "GET", "/api/v1/me", "Authorization: Bearer mcp\r\n", NULL, &r);
  assert_error(&r, 403, "password_change_required");
  tc_free(&r);
  tc_req(port, "GET", "/api/v1/me/password", "Authorization: Bearer mcp\r\n", NULL, &r);
  assert_int_equal(r.status, 200);
  tc_free(&r);
  /* public routes: principal resolved when valid, bad credentials ignored */
  tc_req(port, "GET", "/api/v1/public-me", "Authorization: Bearer good\r\n", NULL, &r);
  assert_string_equal(r.body, "{\"user\":\"good\"}");
  tc_free(&r);
  tc_req(port, "GET", "/api/v1/public-me", "Authorization: Bearer forged\r\n", NULL, &r);
  assert_int_equal(r.status, 200);
  assert_string_equal(r.body, "{\"user\":\"\"}");
  tc_free(&r);
  tc_req(port, "POST", "/api/v1/public-me", "Cookie: np_session=good\r\n", "{}", &r);
  assert_int_equal(r.status, 200);
  assert_string_equal(r.body, "{\"user\":\"\"}"); /* cookie without the CSRF header: anonymous */
  tc_free(&r);
  /* partner key */
  tc_req(port, "GET", "/api/v1/partner", NULL, NULL, &r);
  assert_error(&r, 401, "unauthorized");
  tc_free(&r);
  tc_req(port, "GET", "/api/v1/partner", "X-API-Key: wrong\r\n", NULL, &r);
  assert_error(&r, 401, "bad_api_key");
  tc_free(&r);
  tc_req(port, "GET", "/api/v1/partner", "X-API-Key: partner-key\r\n", NULL, &r);
  assert_int_equal(r.status, 200);
  tc_free(&r);
}

static void file_download(void **state) {
  tc_resp_t r;
  tc_req(port, "GET", "/api/v1/file", NULL, NULL, &r);
  assert_int_equal(r.status, 200);
  assert_string_equal(r.body, "a,b\n1,2\n");
  char v[512];
  assert_non_null(tc_header(&r, "Content-Disposition", v, sizeof v));
  assert_non_null(strstr(v, "filename*=UTF-8''%E7%94%A8%E5%B7%A5%E9%9C%80%E6%B1%82%202023.csv"));
  assert_non_null(strstr(v, "filename=\""));
  tc_free(&r);
  char path[700];
  snprintf(path, sizeof path, "%s/export.tmp", tu_tmpdir());
  assert_int_equal(access(path, F_OK), -1); /* unlinked after sending */
}

static void static_files(void **state) {
  tc_resp_t r;
  char v[256];
  tc_req(port, "GET", "/", NULL, NULL, &r);
  assert_int_equal(r.status, 200);
  assert_string_equal(tc_header(&r, "Content-Type", v, sizeof v), "text/html; charset=utf-8");
  assert_string_equal(tc_header(&r, "Cache-Control", v, sizeof v), "no-cache");
  assert_non_null(strstr(r.body, "<html>"));
  tc_free(&r);
  tc_req(port, "GET", "/assets/app-1a2b3c.js", NULL, NULL, &r);
  assert_int_equal(r.status, 200);
  assert_string_equal(tc_header(&r, "Content-Type", v, sizeof v), "text/javascript; charset=utf-8");
  assert_string_equal(tc_header(&r, "Cache-Control", v, sizeof v), "public, max-age=31536000, immutable");
  assert_string_equal(r.body, "console.log('hi')");
  char etag[128];
  assert_non_null(tc_header(&r, "ETag", etag, sizeof etag));
  tc_free(&r);
  char hdr[200];
  snprintf(hdr, sizeof hdr, "If-None-Match: %s\r\n", etag);
  tc_req(port, "GET", "/assets/app-1a2b3c.js", hdr, NULL, &r);
  assert_int_equal(r.status, 304);
  tc_free(&r);
  tc_req(port, "GET", "/assets/style-9f8e.css", NULL, NULL, &r);
  assert_string_equal(tc_header(&r, "Content-Type", v, sizeof v), "text/css; charset=utf-8");
  tc_free(&r);
  tc_req(port, "GET", "/assets/font.woff2", NULL, NULL, &r);
  assert_string_equal(tc_header(&r, "Content-Type", v, sizeof v), "font/woff2");
  tc_free(&r);
  tc_req(port, "GET", "/favicon.ico", NULL, NULL, &r);
  assert_string_equal(tc_header(&r, "Content-Type", v, sizeof v), "image/x-icon");
  assert_string_equal(tc_header(&r, "Cache-Control", v, sizeof v), "no-cache");
  tc_free(&r);
  tc_req(port, "HEAD", "/assets/app-1a2b3c.js", NULL, NULL, &r);
  assert_int_equal(r.status, 200);
  assert_int_equal(r.body_len, 0);
  tc_free(&r);
  /* SPA fallback for client routes, 404 for missing files */
  tc_req(port, "GET", "/system/users", NULL, NULL, &r);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, "<html>"));
  assert_string_equal(tc_header(&r, "Cache-Control", v, sizeof v), "no-cache");
  tc_free(&r);
  tc_req(port, "GET", "/assets/missing.js", NULL, NULL, &r);
  assert_error(&r, 404, "not_found");
  tc_free(&r);
  /* folders are never listed */
  tc_req(port, "GET", "/assets/", NULL, NULL, &r);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, "<html>"));
  tc_free(&r);
  tc_req(port, "GET", "/sub", NULL, NULL, &r);
  assert_non_null(strstr(r.body, "<html>"));
  tc_free(&r);
  tc_req(port, "GET", "/sub/page.txt", NULL, NULL, &r);
  assert_string_equal(r.body, "sub text");
  assert_string_equal(tc_header(&r, "Content-Type", v, sizeof v), "text/plain; charset=utf-8");
  tc_free(&r);
}

static void traversal_refused(void **state) {
  static const char *const paths[] = {
    "/../etc/passwd", "/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/%2E%2E/%2e%2E/etc/passwd",
    "/assets/..%2f..%2fx", "/assets/..%2f..%2f..%2f..%2fetc%2fpasswd", "/assets/%2e%2e/%2e%2e/etc/passwd",
    "/assets/..\\..\\etc\\passwd", "/assets/%00x.js", "/x%00.html", "/%c0%ae%c0%ae/etc/passwd",
    "/assets/%252e%252e/secret.txt", "/link.txt", "/etc-passwd.txt", "/.%2e/secret.txt", "/./index.html",
    "//etc/passwd", "/assets//../secret.txt", "/%ff.js", "/api/v1/items/..", "/api/v1/items/%2e%2e",
    "/.hidden", "/%2fetc%2fpasswd",
  };
  for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
    char req[512];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", paths[i]);
    tc_resp_t r;
    assert_int_equal(tc_raw(port, req, (size_t)n, &r), 0);
    bool ok = r.status == 400 || r.status == 404 || (r.status == 200 && strstr(r.body, "<html>"));
    if (!ok || strstr(r.body, "root:x:0:0") || strstr(r.body, "TOPSECRET"))
      fail_msg("%s leaked or failed: %d %s", paths[i], r.status, r.body);
    tc_free(&r);
  }
}

static void health_without_store(void **state) {
  tc_resp_t r;
  tc_req(port, "GET", "/api/v1/health", NULL, NULL, &r);
  assert_int_equal(r.status, 503);
  json_t *j = body_json(&r);
  assert_string_equal(json_string_value(json_object_get(j, "store")), "unreachable");
  json_decref(j);
  tc_free(&r);
  tc_req(port, "GET", "/api/v1/openapi.json", NULL, NULL, &r);
  assert_int_equal(r.status, 200);
  j = body_json(&r);
  assert_non_null(j);
  assert_string_equal(json_string_value(json_object_get(j, "openapi")), "3.1.0");
  json_decref(j);
  tc_free(&r);
}

static void keep_alive_and_pipelining(void **state) {
  int fd = tc_connect(port);
  assert_true(fd >= 0);
  const char *two = "GET /api/v1/items/1 HTTP/1.1\r\nHost: x\r\n\r\nGET /api/v1/items/2 HTTP/1.1\r\nHost: x\r\n\r\n";
  assert_int_equal(tc_send(fd, two, strlen(two)), 0);
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  tc_resp_t r;
  memset(&r, 0, sizeof r);
  assert_int_equal(tc_read(fd, &r, false, t0), 0);
  assert_int_equal(r.status, 200);
  tc_free(&r);
  close(fd);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(routing_params_and_literals),
    cmocka_unit_test(not_found_and_method_not_allowed),
    cmocka_unit_test(common_headers),
    cmocka_unit_test(body_limit_before_reading),
    cmocka_unit_test(large_upload_route),
    cmocka_unit_test(header_limit),
    cmocka_unit_test(json_errors),
    cmocka_unit_test(status_mapping),
    cmocka_unit_test(auth_flow),
    cmocka_unit_test(file_download),
    cmocka_unit_test(static_files),
    cmocka_unit_test(traversal_refused),
    cmocka_unit_test(health_without_store),
    cmocka_unit_test(keep_alive_and_pipelining),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}

