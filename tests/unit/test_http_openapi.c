/* Every registered route is described in api/openapi.json (the embedded copy the server serves). */
#include "testutil.h"
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include "cli/app.h"
#include "core/embed.h"
#include "core/log.h"
#include "http/http.h"

typedef struct {
  json_t *paths;
  int missing, total;
} ctx_t;

static void check(const char *method, const char *pattern, void *arg) {
  ctx_t *c = arg;
  char m[16];
  size_t n = strlen(method);
  if (n >= sizeof m) n = sizeof m - 1;
  for (size_t i = 0; i < n; i++) m[i] = (char)tolower((unsigned char)method[i]);
  m[n] = '\0';
  c->total++;
  json_t *op = json_object_get(json_object_get(c->paths, pattern), m);
  if (!json_is_object(op)) {
    fprintf(stderr, "missing from api/openapi.json: %s %s\n", method, pattern);
    c->missing++;
  } else if (!json_is_object(json_object_get(op, "responses"))) {
    fprintf(stderr, "no responses in api/openapi.json for %s %s\n", method, pattern);
    c->missing++;
  }
}

static void every_route_is_documented(void **state) {
  const np_embed_entry_t *e = np_embed_find("api/openapi.json");
  assert_non_null(e);
  json_error_t je;
  json_t *doc = json_loadb((const char *)e->data, (size_t)*e->len, JSON_REJECT_DUPLICATES, &je);
  if (!doc) fail_msg("api/openapi.json: line %d: %s", je.line, je.text);
  assert_string_equal(json_string_value(json_object_get(doc, "openapi")), "3.1.0");
  assert_non_null(json_object_get(json_object_get(json_object_get(doc, "components"), "schemas"), "Error"));
  np_http_config_t cfg = {.listen = "127.0.0.1:0"};
  np_http_t *h = NULL;
  np_errdetail_t err = {0};
  assert_int_equal(np_http_new(&cfg, &h, &err), NP_OK);
  np_app_register_routes(h);
  ctx_t c = {.paths = json_object_get(doc, "paths")};
  np_http_each_route(h, check, &c);
  assert_true(c.total >= 2);
  if (c.missing) fail_msg("%d of %d routes are missing from api/openapi.json", c.missing, c.total);
  np_http_free(h);
  json_decref(doc);
}

/* Every path parameter in the document is declared, and every operation id is unique. */
static void document_is_consistent(void **state) {
  const np_embed_entry_t *e = np_embed_find("api/openapi.json");
  assert_non_null(e);
  json_t *doc = json_loadb((const char *)e->data, (size_t)*e->len, JSON_REJECT_DUPLICATES, NULL);
  assert_non_null(doc);
  json_t *ids = json_object();
  const char *path;
  json_t *item;
  int bad = 0;
  json_object_foreach(json_object_get(doc, "paths"), path, item) {
    if (strncmp(path, "/api/v1/", 8) != 0) {
      fprintf(stderr, "path outside /api/v1/: %s\n", path);
      bad++;
    }
    const char *method;
    json_t *op;
    json_object_foreach(item, method, op) {
      const char *id = json_string_value(json_object_get(op, "operationId"));
      if (id) {
        if (json_object_get(ids, id)) {
          fprintf(stderr, "duplicate operationId %s\n", id);
          bad++;
        }
        json_object_set_new(ids, id, json_true());
      }
      for (const char *p = strchr(path, '{'); p; p = strchr(p + 1, '{')) {
        const char *q = strchr(p, '}');
        if (!q) break;
        bool found = false;
        size_t i;
        json_t *par;
        json_array_foreach(json_object_get(op, "parameters"), i, par) {
          const char *nm = json_string_value(json_object_get(par, "name"));
          const char *in = json_string_value(json_object_get(par, "in"));
          if (nm && in && strcmp(in, "path") == 0 && strlen(nm) == (size_t)(q - p - 1) &&
              strncmp(nm, p + 1, (size_t)(q - p - 1)) == 0)
            found = true;
        }
        if (!found) {
          fprintf(stderr, "%s %s: path parameter %.*s not declared\n", method, path, (int)(q - p + 1), p);
          bad++;
        }
      }
    }
  }
  json_decref(ids);
  json_decref(doc);
  assert_int_equal(bad, 0);
}

int main(void) {
  np_log_setup(NP_LOG_WARN, NULL);
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(every_route_is_documented),
    cmocka_unit_test(document_is_consistent),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
