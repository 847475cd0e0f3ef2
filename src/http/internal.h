/* Private to src/http: the server and request structures shared by server.c, request.c,
 * response.c, static.c and api.c. Nothing outside src/http includes this. */
#ifndef NP_HTTP_INTERNAL_H
#define NP_HTTP_INTERNAL_H
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <microhttpd.h>
#include "http/http.h"
#include "http/router.h"

#define NP_HTTP_DEFAULT_MAX_BODY ((size_t)1 << 20)
#define NP_HTTP_DEFAULT_MAX_HEADER ((size_t)16 << 10)
#define NP_HTTP_MAX_PATH 2048
#define NP_HTTP_MAX_SEGMENTS 32
#define NP_HTTP_MAX_QUERY_ARGS 64
/* bytes past the body limit read and dropped (chunked uploads) before the connection is cut */
#define NP_HTTP_MAX_DISCARD ((size_t)4 << 20)

struct np_http {
  np_http_config_t cfg; /* strings below are owned copies */
  char *listen, *db_url, *ui_dir;
  np_router_t *router;
  np_authn_fn authn;
  np_authz_fn authz;
  np_store_pool_t *pool;
  struct MHD_Daemon *daemon;
  int ui_fd; /* -1 when no UI */
  int port;
  atomic_int inflight;
};

typedef struct np_hdr {
  const char *name, *value;
  struct np_hdr *next;
} np_hdr_t;

typedef struct np_qarg {
  const char *key, *value;
} np_qarg_t;

struct np_req {
  np_http_t *h;
  struct MHD_Connection *conn;
  np_arena_t *arena;
  char rid[17];
  struct timespec t0;
  const char *method; /* as sent */
  const char *path;   /* raw path as sent, without the query */
  char **segs;        /* decoded segments */
  int nsegs;
  bool is_api, head;
  np_route_match_t match;
  size_t max_body;
  bool first_done;
  /* body (malloc'd; freed at completion) */
  char *body;
  size_t body_len, body_cap;
  bool body_too_large;
  size_t discarded;
  json_t *json; /* parsed body, owned by the request */
  np_principal_t *principal;
  np_store_t *store;
  np_hdr_t *hdrs; /* extra response headers */
  np_qarg_t *qargs;
  int nqargs;
  bool qparsed;
  const char *ip;
  /* response */
  bool responded;
  int status;
  uint64_t bytes;
};

/* api.c: built-in routes (health, openapi.json). */
np_err np_http_builtin_register(np_http_t *h);
/* static.c: serves a non-API GET/HEAD request from the UI folder. */
void np_static_serve(np_req_t *r);
/* response.c: queues an MHD response with the common headers. cache: Cache-Control value, NULL = no-store. */
void np_resp_send(np_req_t *r, int status, struct MHD_Response *resp, uint64_t bytes, const char *cache);
/* request.c: percent-decodes src[0..n) into the arena; NULL on a bad escape. plus: '+' means space. */
char *np_http_pct_decode(np_arena_t *a, const char *src, size_t n, bool plus, size_t *outlen);
/* request.c: decodes the query arguments; answers 400 bad_query and returns false when one is bad. */
bool np_http_parse_query(np_req_t *r);
/* request.c: true when s[0..n) is valid UTF-8 without NUL, C0 controls or DEL. */
bool np_http_utf8_ok(const char *s, size_t n);
/*
 * request.c: splits a raw path ("/api/v1/x%20y") into percent-decoded segments allocated in a (no
 * query string; at most NP_HTTP_MAX_SEGMENTS). Pure: no request, no response. Returns 0 on success,
 * else the status to answer (400 bad escape, invalid UTF-8, control bytes, '.'/'..' segment or no
 * leading '/'; 414 path over NP_HTTP_MAX_PATH; 404 too many segments; 503 out of memory) and sets
 * *why to a short message. *segs holds NP_HTTP_MAX_SEGMENTS slots.
 */
int np_http_split_path(np_arena_t *a, const char *path, char ***segs, int *nsegs, const char **why);
/*
 * request.c: decodes one query key or value as MHD hands it over ('+' already turned into a space):
 * percent escapes, then valid UTF-8 without control bytes. NULL when it is not decodable (or on OOM,
 * *oom is then set).
 */
char *np_http_decode_query_part(np_arena_t *a, const char *raw, bool *oom);

#endif
