/*
 * Enterprises: validation (credit code, duplicates → conflict, region/industry, village in township,
 * Shandong box), credit-code generation, import modes with a broken row, and jurisdiction scope over
 * HTTP (county staff see their county only; another county's enterprise is 404).
 */
#include "testutil.h"
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "http_client.h"
#include "core/valid.h"
#include "crypto/crypto.h"
#include "firms/api.h"
#include "firms/enterprises.h"
#include "firms/import.h"
#include "http/authz.h"
#include "http/http.h"
#include "ref/ref.h"
#include "store/store.h"

static np_store_t *db;
static np_ref_t *ref;
static const char *db_url;
static np_http_t *srv;
static int port;

static np_err authn(np_req_t *req, const char *token, bool is_api_key, np_principal_t **out, np_errdetail_t *err) {
  np_principal_t *p = np_arena_calloc(np_req_arena(req), 1, sizeof *p);
  if (is_api_key) return np_fail(err, NP_ERR_UNAUTHORIZED, "unauthorized", NULL, "no");
  p->user_id = 5;
  snprintf(p->username, sizeof p->username, "%s", token);
  if (strcmp(token, "lixia") == 0) p->role = NP_ROLE_COUNTY_STAFF, memcpy(p->region_code, "370102", 7);
  else if (strcmp(token, "licheng") == 0) p->role = NP_ROLE_COUNTY_STAFF, memcpy(p->region_code, "370112", 7), p->user_id = 6;
  else if (strcmp(token, "jinan") == 0) p->role = NP_ROLE_CITY_STAFF, memcpy(p->region_code, "370100", 7);
  else if (strcmp(token, "admin") == 0) p->role = NP_ROLE_SYS_ADMIN;
  else return np_fail(err, NP_ERR_UNAUTHORIZED, "unauthorized", NULL, "invalid session");
  *out = p;
  return NP_OK;
}

static int setup(void **state) {
  (void)state;
  unsigned char key[NP_CRYPTO_KEY_BYTES];
  memset(key, 7, sizeof key);
  np_errdetail_t err = {0};
  int applied = 0;
  db_url = tu_tmp_db_url("firms_enterprises.db");
  if (np_crypto_init_raw(key, &err) || np_store_open(db_url, &db, &err) || np_store_migrate(db, &applied, &err) ||
      np_ref_load(db, NULL, &err) || np_ref_open(db, &ref, &err)) {
    fprintf(stderr, "setup: %s\n", err.message);
    return -1;
  }
  np_ref_set_global(ref);
  np_http_config_t cfg = {.listen = "127.0.0.1:0", .db_url = db_url, .threads = 2};
  if (np_http_new(&cfg, &srv, &err) != NP_OK) return -1;
  np_http_set_authn(srv, authn);
  np_http_set_authz(srv, np_authz_allows);
  np_firms_api_register(srv);
  if (np_http_start(srv, &err) != NP_OK) return -1;
  port = np_http_port(srv);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  np_http_stop(srv);
  np_http_free(srv);
  np_ref_set_global(NULL);
  np_ref_close(ref);
  np_store_close(db);
  return 0;
}

static char *uscc(const char *region6, uint32_t serial) {
  static char buf[8][19];
  static int slot;
  char *b = buf[slot++ & 7];
  np_ent_uscc_make(region6, serial, b);
  return b;
}

/* Applies a JSON body (create) and returns the error code (NP_OK → inserted). */
static np_err create(const char *json, np_errdetail_t *err) {
  json_t *in = json_loads(json, 0, NULL);
  assert_non_null(in);
  np_enterprise_t *e = calloc(1, sizeof *e);
  np_err rc = np_ent_apply(db, ref, in, true, NP_ENT_FIELDS_ALL, e, err);
  if (!rc) rc = np_ent_insert(db, e, NULL, err);
  free(e);
  json_decref(in);
  return rc;
}

static void credit_codes(void **state) {
  (void)state;
  for (uint32_t i = 1; i < 2000; i += 37) {
    const char *c = uscc("370102", i);
    np_errdetail_t d = {0};
    np_uscc_info_t info;
    assert_int_equal(np_valid_uscc(c, 18, NP_USCC_REQUIRE_ORG_CODE, &info, &d), NP_OK);
    assert_string_equal(info.region, "370102");
  }
  char bad[19];
  memcpy(bad, uscc("370102", 5), 19);
  bad[17] = bad[17] == '0' ? '1' : '0';
  np_errdetail_t d = {0};
  assert_int_equal(np_valid_uscc(bad, 18, 0, NULL, &d), NP_ERR_INVALID);
}

static void validation_errors(void **state) {
  (void)state;
  char j[1024];
  np_errdetail_t err = {0};
  const char *ok = uscc("370102", 100);
  snprintf(j, sizeof j, "{\"uscc\":\"%s\",\"name\":\"济南测试机械有限公司\",\"industry_code\":\"3484\",\"region_code\":\"370102001\",\"employees\":350,\"revenue_fen\":2500000000,\"contacts\":[{\"name\":\"张三\",\"phone\":\"13800138000\"}]}", ok);
  assert_int_equal(create(j, &err), NP_OK);
  /* duplicate credit code → conflict, lower case accepted and normalised */
  char lower[19];
  for (int i = 0; i < 19; i++) lower[i] = (char)(ok[i] >= 'A' && ok[i] <= 'Z' ? ok[i] + 32 : ok[i]);
  snprintf(j, sizeof j, "{\"uscc\":\"%s\",\"name\":\"另一家公司\",\"industry_code\":\"3484\",\"region_code\":\"370102001\"}", lower);
  assert_int_equal(create(j, &err), NP_ERR_CONFLICT);
  assert_string_equal(err.code, "duplicate_uscc");
  assert_string_equal(err.field, "uscc");
  /* invalid credit code */
  assert_int_equal(create("{\"uscc\":\"913701020000000000\",\"name\":\"坏代码公司\",\"industry_code\":\"3484\",\"region_code\":\"370102001\"}", &err),
                   NP_ERR_INVALID);
  assert_string_equal(err.field, "uscc");
  /* unknown industry, not a class */
  snprintf(j, sizeof j, "{\"uscc\":\"%s\",\"name\":\"某公司\",\"industry_code\":\"9999\",\"region_code\":\"370102001\"}", uscc("370102", 101));
  assert_int_equal(create(j, &err), NP_ERR_INVALID);
  assert_string_equal(err.field, "industry_code");
  assert_string_equal(err.code, "unknown_industry");
  snprintf(j, sizeof j, "{\"uscc\":\"%s\",\"name\":\"某公司\",\"industry_code\":\"34\",\"region_code\":\"370102001\"}", uscc("370102", 101));
  assert_int_equal(create(j, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "not_class");
  /* unknown region, wrong level */
  snprintf(j, sizeof j, "{\"uscc\":\"%s\",\"name\":\"某公司\",\"industry_code\":\"3484\",\"region_code\":\"370102999\"}", uscc("370102", 101));
  assert_int_equal(create(j, &err), NP_ERR_INVALID);
  assert_string_equal(err.field, "region_code");
  snprintf(j, sizeof j, "{\"uscc\":\"%s\",\"name\":\"某公司\",\"industry_code\":\"3484\",\"region_code\":\"370102\"}", uscc("370102", 101));
  assert_int_equal(create(j, &err), NP_ERR_INVALID);
  assert_string_equal(err.field, "region_code");
  /* a village that is not in the given township */
  const np_region_t *t1 = np_ref_region(ref, "370102001"), *t2 = np_ref_region(ref, "370102002");
  assert_true(t1 && t2 && t2->nchildren > 0);
  snprintf(j, sizeof j, "{\"uscc\":\"%s\",\"name\":\"某公司\",\"industry_code\":\"3484\",\"township_code\":\"370102001\",\"village_code\":\"%s\"}",
           uscc("370102", 101), t2->children[0]->code);
  assert_int_equal(create(j, &err), NP_ERR_INVALID);
  assert_string_equal(err.field, "village_code");
  assert_string_equal(err.code, "not_in_township");
  /* lat/lon outside Shandong, or only one of them */
  snprintf(j, sizeof j, "{\"uscc\":\"%s\",\"name\":\"某公司\",\"industry_code\":\"3484\",\"region_code\":\"370102001\",\"lat\":39.9,\"lon\":116.4}", uscc("370102", 101));
  assert_int_equal(create(j, &err), NP_ERR_INVALID);
  assert_string_equal(err.field, "lat");
  snprintf(j, sizeof j, "{\"uscc\":\"%s\",\"name\":\"某公司\",\"industry_code\":\"3484\",\"region_code\":\"370102001\",\"lat\":36.6,\"lon\":124.0}", uscc("370102", 101));
  assert_int_equal(create(j, &err), NP_ERR_INVALID);
  assert_string_equal(err.field, "lon");
  snprintf(j, sizeof j, "{\"uscc\":\"%s\",\"name\":\"某公司\",\"industry_code\":\"3484\",\"region_code\":\"370102001\",\"lat\":36.6}", uscc("370102", 101));
  assert_int_equal(create(j, &err), NP_ERR_INVALID);
  assert_string_equal(err.field, "lon");
  /* bad contact phone names the nested field */
  snprintf(j, sizeof j, "{\"uscc\":\"%s\",\"name\":\"某公司\",\"industry_code\":\"3484\",\"region_code\":\"370102001\",\"contacts\":[{\"name\":\"王五\",\"phone\":\"12345\"}]}", uscc("370102", 101));
  assert_int_equal(create(j, &err), NP_ERR_INVALID);
  assert_string_equal(err.field, "contacts[0].phone");
  /* nothing of the failures was written */
  int64_t n = 0;
  bool found;
  assert_int_equal(np_store_query_int64(db, "SELECT COUNT(*) FROM enterprises", &n, &found, &err), NP_OK);
  assert_int_equal(n, 1);
}

static void derived_fields(void **state) {
  (void)state;
  char j[1024];
  np_errdetail_t err = {0};
  const char *code = uscc("370102", 200);
  const np_region_t *t = np_ref_region(ref, "370102001");
  snprintf(j, sizeof j, "{\"uscc\":\"%s\",\"name\":\"济南派生字段有限公司\",\"industry_code\":\"3670\",\"region_code\":\"%s\",\"employees\":1000,\"revenue_fen\":\"400000000.00\",\"above_scale\":false,\"contacts\":[{\"name\":\"赵六\",\"phone\":\"+86 13912345678\"}]}",
           code, t->children[0]->code);
  assert_int_equal(create(j, &err), NP_OK);
  int64_t id = 0;
  assert_int_equal(np_ent_resolve(db, code, &id, &err), NP_OK);
  np_enterprise_t *e = calloc(1, sizeof *e);
  assert_int_equal(np_ent_load(db, id, true, e, &err), NP_OK);
  assert_string_equal(e->township_code, "370102001");
  assert_string_equal(e->county_code, "370102");
  assert_string_equal(e->city_code, "370100");
  assert_int_equal(e->size_class, NP_SIZE_LARGE);
  assert_true(e->above_scale); /* computed from revenue: the declared false is ignored */
  assert_true(e->above_scale_from_revenue);
  assert_true(e->has_location);
  assert_true(e->location_approx);
  assert_string_equal(e->contacts[0].phone, "13912345678");
  json_t *masked = np_ent_json(e, false), *plain = np_ent_json(e, true);
  assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(masked, "contacts"), 0), "phone")),
                      "139****5678");
  assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(plain, "contacts"), 0), "phone")),
                      "13912345678");
  json_decref(masked);
  json_decref(plain);
  /* the phone is stored sealed, never in clear */
  int64_t clear = 0;
  bool found;
  assert_int_equal(np_store_query_int64(db, "SELECT COUNT(*) FROM enterprise_contacts WHERE phone_sealed LIKE '%13912345678%'", &clear, &found, &err), NP_OK);
  assert_int_equal(clear, 0);
  /* optimistic concurrency */
  np_enterprise_t *b = calloc(1, sizeof *b);
  *b = *e;
  e->headcount = 900;
  assert_int_equal(np_ent_update(db, b, e, b->version, NULL, &err), NP_OK);
  assert_int_equal(e->version, 2);
  assert_int_equal(np_ent_update(db, b, e, b->version, NULL, &err), NP_ERR_CONFLICT);
  assert_string_equal(err.code, "stale");
  free(e);
  free(b);
}

static np_import_result_t run_import(const char *csv, np_import_mode mode, np_err want) {
  np_import_opts_t o = {.mode = mode, .by_user = 5, .scope = {.kind = NP_SCOPE_REGION, .region_prefix = "370102"}};
  np_import_result_t res;
  np_errdetail_t err = {0};
  np_err rc = np_import_enterprises(db, ref, csv, strlen(csv), &o, &res, &err);
  if (rc != want) fprintf(stderr, "import: %s %s %s\n", err.code, err.field, err.message);
  assert_int_equal(rc, want);
  return res;
}

static int64_t count_where(const char *sql) {
  int64_t n = 0;
  bool found;
  np_errdetail_t err = {0};
  assert_int_equal(np_store_query_int64(db, sql, &n, &found, &err), NP_OK);
  return n;
}

static void import_modes(void **state) {
  (void)state;
  char csv[4096];
  const char *a = uscc("370102", 300), *b = uscc("370102", 301), *c = uscc("370102", 302), *other = uscc("370112", 303);
  snprintf(csv, sizeof csv,
           "\xEF\xBB\xBF统一社会信用代码,企业名称,行业代码,区划代码,从业人员,营业收入（元）,重点企业,联系人,联系电话\r\n"
           "%s,济南导入一有限公司,3484,370102001,350,25000000,是,张三,13800138000\r\n"
           "%s,济南导入二有限公司,3484,370102999,20,100000,否,,\r\n"
           "%s,济南导入三有限公司,3484,370102002,12,100000,也许,,\r\n"
           "%s,历城导入有限公司,3484,370112001,12,100000,否,,\r\n",
           a, b, c, other);
  int64_t before = count_where("SELECT COUNT(*) FROM enterprises");
  np_import_result_t r = run_import(csv, NP_IMPORT_ALL_OR_NOTHING, NP_OK);
  assert_int_equal(r.rows, 4);
  assert_int_equal(r.failed, 3);
  assert_int_equal(r.inserted, 0);
  assert_int_equal(count_where("SELECT COUNT(*) FROM enterprises"), before); /* nothing written */
  assert_int_equal(json_array_size(r.errors), 3);
  json_t *e0 = json_array_get(r.errors, 0);
  assert_int_equal(json_integer_value(json_object_get(e0, "row")), 3);
  assert_string_equal(json_string_value(json_object_get(e0, "column")), "D");
  assert_string_equal(json_string_value(json_object_get(e0, "header")), "区划代码");
  json_t *e1 = json_array_get(r.errors, 1);
  assert_string_equal(json_string_value(json_object_get(e1, "column")), "G");
  json_t *e2 = json_array_get(r.errors, 2); /* outside the county's jurisdiction */
  assert_int_equal(json_integer_value(json_object_get(e2, "row")), 5);
  json_decref(r.errors);
  /* the error file */
  np_buf_t buf;
  np_buf_init(&buf, 0);
  np_errdetail_t err = {0};
  assert_int_equal(np_import_errors_csv(db, r.id, 5, &buf, &err), NP_OK);
  assert_non_null(strstr(np_buf_cstr(&buf), "3,D,区划代码,"));
  np_buf_free(&buf);
  assert_int_equal(np_import_errors_csv(db, r.id, 6, &buf, &err), NP_ERR_NOT_FOUND); /* another user's import */
  np_buf_free(&buf);
  /* valid rows only */
  r = run_import(csv, NP_IMPORT_VALID_ONLY, NP_OK);
  assert_int_equal(r.inserted, 1);
  assert_int_equal(r.failed, 3);
  json_decref(r.errors);
  assert_int_equal(count_where("SELECT COUNT(*) FROM enterprises"), before + 1);
  /* re-import updates by credit code; empty cells keep the old values */
  snprintf(csv, sizeof csv, "uscc,name,industry_code,headcount,is_key\n%s,济南导入一有限公司（更名）,3484,777,\n", a);
  r = run_import(csv, NP_IMPORT_ALL_OR_NOTHING, NP_OK);
  assert_int_equal(r.updated, 1);
  assert_int_equal(r.failed, 0);
  json_decref(r.errors);
  assert_int_equal(count_where("SELECT COUNT(*) FROM enterprises WHERE headcount = 777 AND is_key = 1 AND name LIKE '%更名%'"), 1);
  /* file-level problems: unknown column, missing column, duplicate row */
  run_import("uscc,name,industry_code,colour\n", NP_IMPORT_VALID_ONLY, NP_ERR_INVALID);
  run_import("uscc,name\nx,y\n", NP_IMPORT_VALID_ONLY, NP_ERR_INVALID);
  snprintf(csv, sizeof csv, "uscc,name,industry_code,region_code\n%s,甲公司,3484,370102001\n%s,乙公司,3484,370102001\n",
           b, b);
  r = run_import(csv, NP_IMPORT_VALID_ONLY, NP_OK);
  assert_int_equal(r.inserted, 1);
  assert_int_equal(r.failed, 1);
  json_decref(r.errors);
}

static json_t *http_json(const char *method, const char *target, const char *token, const char *body, int want) {
  tc_resp_t r = {0};
  char hdr[256];
  snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n%s", token, body ? "Content-Type: application/json\r\n" : "");
  assert_int_equal(tc_req(port, method, target, hdr, body, &r), 0);
  if (r.status != want) fprintf(stderr, "%s %s → %d %s\n", method, target, r.status, r.body);
  assert_int_equal(r.status, want);
  json_t *j = json_loads(r.body, 0, NULL);
  tc_free(&r);
  return j;
}

static void scope_over_http(void **state) {
  (void)state;
  char j[1024], path[128];
  const char *mine = uscc("370112", 400);
  snprintf(j, sizeof j, "{\"uscc\":\"%s\",\"name\":\"历城区某机械有限公司\",\"industry_code\":\"3484\",\"region_code\":\"370112001\"}", mine);
  /* lixia (370102) may not register an enterprise in 历城 (370112) */
  json_decref(http_json("POST", "/api/v1/enterprises", "lixia", j, 403));
  json_t *created = http_json("POST", "/api/v1/enterprises", "licheng", j, 201);
  const char *id = json_string_value(json_object_get(created, "id"));
  assert_non_null(id);
  snprintf(path, sizeof path, "/api/v1/enterprises/%s", id);
  json_decref(http_json("GET", path, "licheng", NULL, 200));
  json_decref(http_json("GET", path, "jinan", NULL, 200));
  json_decref(http_json("GET", path, "lixia", NULL, 404)); /* another county's enterprise: not found */
  json_decref(http_json("GET", path, "admin", NULL, 403));
  snprintf(path, sizeof path, "/api/v1/enterprises/%s", mine); /* by credit code */
  json_decref(http_json("GET", path, "licheng", NULL, 200));
  json_decref(http_json("PATCH", path, "lixia", "{\"headcount\":5,\"version\":1}", 404));
  json_decref(http_json("PATCH", path, "licheng", "{\"headcount\":5,\"version\":1}", 200));
  json_t *stale = http_json("PATCH", path, "licheng", "{\"headcount\":6,\"version\":1}", 409);
  assert_string_equal(json_string_value(json_object_get(json_object_get(stale, "error"), "code")), "stale");
  json_decref(stale);
  json_decref(created);
  /* lists are limited to the jurisdiction */
  json_t *l = http_json("GET", "/api/v1/enterprises?limit=100", "lixia", NULL, 200);
  size_t i;
  json_t *it;
  json_array_foreach(json_object_get(l, "items"), i, it)
    assert_string_equal(json_string_value(json_object_get(it, "county_code")), "370102");
  assert_true(json_integer_value(json_object_get(l, "total")) >= 1);
  json_decref(l);
  l = http_json("GET", "/api/v1/enterprises?limit=100", "licheng", NULL, 200);
  assert_int_equal(json_integer_value(json_object_get(l, "total")), 1);
  json_decref(l);
  /* filters and pages: the city sees both counties; one per page with a cursor */
  l = http_json("GET", "/api/v1/enterprises?limit=1&industry=C34&sort=name", "jinan", NULL, 200);
  int64_t total = json_integer_value(json_object_get(l, "total"));
  assert_true(total >= 3);
  int64_t seen = 1;
  const char *cur = json_string_value(json_object_get(l, "next_cursor"));
  char target[1024];
  while (cur) {
    snprintf(target, sizeof target, "/api/v1/enterprises?limit=1&industry=C34&sort=name&cursor=%s", cur);
    json_t *n = http_json("GET", target, "jinan", NULL, 200);
    json_decref(l);
    l = n;
    seen += (int64_t)json_array_size(json_object_get(l, "items"));
    cur = json_string_value(json_object_get(l, "next_cursor"));
  }
  json_decref(l);
  assert_int_equal(seen, total);
  json_decref(http_json("GET", "/api/v1/enterprises?industry=X", "jinan", NULL, 422));
  json_decref(http_json("GET", "/api/v1/enterprises?region=379999", "jinan", NULL, 422));
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(credit_codes),    cmocka_unit_test(validation_errors), cmocka_unit_test(derived_fields),
    cmocka_unit_test(import_modes),    cmocka_unit_test(scope_over_http),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
