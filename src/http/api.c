/* Built-in routes: GET /api/v1/health and GET /api/v1/openapi.json. */
#include <string.h>
#include "core/embed.h"
#include "core/log.h"
#include "http/internal.h"

static void health(np_req_t *r) {
  np_http_t *h = np_req_server(r);
  json_t *o = json_object();
  if (!o) {
    np_resp_json(r, 500, NULL);
    return;
  }
  json_object_set_new(o, "version", json_string(NP_VERSION));
  np_store_t *s = NULL;
  if (h->pool && np_store_pool_acquire(h->pool, 2000, &s) == NP_OK) r->store = s; /* released at completion */
  int dbv = 0, binv = 0;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  if (!s || np_store_schema_version(s, &dbv, &binv, &d) != NP_OK) {
    if (s) np_log_error("http.health", "store check failed: %s", d.message);
    json_object_set_new(o, "status", json_string("unavailable"));
    json_object_set_new(o, "store", json_string("unreachable"));
    np_resp_header(r, "Retry-After", "5");
    np_resp_json(r, 503, o);
    return;
  }
  json_object_set_new(o, "status", json_string(dbv == binv ? "ok" : "degraded"));
  json_object_set_new(o, "store", json_string("ok"));
  json_object_set_new(o, "engine", json_string(np_store_engine(s)));
  json_object_set_new(o, "schema_version", json_integer(dbv));
  json_object_set_new(o, "binary_schema_version", json_integer(binv));
  np_resp_json(r, 200, o);
}

static void openapi(np_req_t *r) {
  const np_embed_entry_t *e = np_embed_find("api/openapi.json");
  if (!e) {
    np_resp_error(r, 404, "not_found", NULL, "the OpenAPI document is not built in");
    return;
  }
  np_resp_header(r, "Cache-Control", "no-cache");
  struct MHD_Response *resp =
      MHD_create_response_from_buffer((size_t)*e->len, (void *)(uintptr_t)e->data, MHD_RESPMEM_PERSISTENT);
  if (resp) MHD_add_response_header(resp, "Content-Type", "application/json; charset=utf-8");
  np_resp_send(r, 200, resp, (uint64_t)*e->len, NULL);
}

np_err np_http_builtin_register(np_http_t *h) {
  const np_route_opts_t pub = {.auth = NP_AUTH_PUBLIC};
  np_err e = np_http_route(h, "GET", "/api/v1/health", health, &pub);
  if (e == NP_OK) e = np_http_route(h, "GET", "/api/v1/openapi.json", openapi, &pub);
  return e;
}
