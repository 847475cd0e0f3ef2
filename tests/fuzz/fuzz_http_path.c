/*
 * Fuzzes the request-target handling of src/http: path splitting and percent-decoding
 * (np_http_split_path), query decoding as MHD hands the parts over (np_http_decode_query_part,
 * '+' already a space) and router matching (np_router_match) against a table shaped like the
 * application's. Input: first byte picks the method, the rest is "path?query".
 * Invariants: decoded text is valid UTF-8 without controls; no '.'/'..' segment survives; a match
 * points into the segments; 405 names other methods only; re-encoding the segments splits back to
 * the same segments. Must never crash or leak.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/arena.h"
#include "http/internal.h"
#include "http/router.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void h_dummy(np_req_t *r) { (void)r; }

static np_router_t *router(void) {
  static np_router_t *rt;
  if (rt) return rt;
  static const char *const routes[][2] = {
    {"GET", "/api/v1/health"},
    {"GET", "/api/v1/openapi.json"},
    {"POST", "/api/v1/session"},
    {"DELETE", "/api/v1/session"},
    {"GET", "/api/v1/me"},
    {"GET", "/api/v1/me/preferences/{key}"},
    {"PUT", "/api/v1/me/preferences/{key}"},
    {"GET", "/api/v1/users"},
    {"POST", "/api/v1/users"},
    {"GET", "/api/v1/users/{id}"},
    {"PATCH", "/api/v1/users/{id}"},
    {"POST", "/api/v1/users/{id}/lock"},
    {"GET", "/api/v1/items/special"},
    {"GET", "/api/v1/items/{id}"},
    {"DELETE", "/api/v1/items/{id}"},
    {"GET", "/api/v1/ref/regions/{code}"},
    {"GET", "/api/v1/a/{x}/b/{y}/c/{z}"},
    {"POST", "/api/v1/a/{x}/b/literal/c/{z}"},
  };
  rt = np_router_new();
  if (!rt) abort();
  for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
    if (np_router_add(rt, routes[i][0], routes[i][1], h_dummy, NULL, NULL) != NP_OK) abort();
  /* a duplicate is refused */
  if (np_router_add(rt, "GET", "/api/v1/users/{other}", h_dummy, NULL, NULL) != NP_ERR_CONFLICT) abort();
  return rt;
}

static void check_text(const char *s) {
  if (!s || !np_http_utf8_ok(s, strlen(s))) abort();
}

/* Percent-encodes every byte that is not unreserved. */
static char *encode(np_arena_t *a, const char *s) {
  size_t n = strlen(s);
  char *out = np_arena_alloc(a, 3 * n + 1);
  if (!out) return NULL;
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '~') {
      out[o++] = (char)c;
    } else {
      o += (size_t)snprintf(out + o, 4, "%%%02X", c);
    }
  }
  out[o] = '\0';
  return out;
}

static void query(np_arena_t *a, const char *q) {
  /* what MHD does before our callback: split on '&', then on the first '=', '+' → ' ' */
  char *copy = np_arena_strdup(a, q);
  if (!copy) return;
  for (char *p = copy; *p; p++)
    if (*p == '+') *p = ' ';
  char *save = NULL;
  for (char *part = strtok_r(copy, "&", &save); part; part = strtok_r(NULL, "&", &save)) {
    char *eq = strchr(part, '=');
    if (eq) *eq = '\0';
    bool oom = false;
    char *k = np_http_decode_query_part(a, part, &oom);
    if (k) check_text(k);
    if (eq) {
      char *v = np_http_decode_query_part(a, eq + 1, &oom);
      if (v) check_text(v);
    }
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char *const methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", ""};
  if (size == 0 || size > 8192) return 0;
  const char *method = methods[data[0] % (sizeof methods / sizeof methods[0])];
  np_arena_t *a = np_arena_new(0);
  if (!a) return 0;
  char *target = np_arena_strndup(a, (const char *)data + 1, size - 1);
  if (!target) goto out;
  char *qm = strchr(target, '?');
  if (qm) {
    *qm = '\0';
    query(a, qm + 1);
  }
  char **segs = NULL;
  int n = -1;
  const char *why = NULL;
  int st = np_http_split_path(a, target, &segs, &n, &why);
  if (!why || n < 0 || n > NP_HTTP_MAX_SEGMENTS) abort();
  if (st != 0) {
    if (st != 400 && st != 404 && st != 414 && st != 503) abort();
    goto out;
  }
  for (int i = 0; i < n; i++) {
    check_text(segs[i]);
    if (strcmp(segs[i], ".") == 0 || strcmp(segs[i], "..") == 0) abort();
  }
  /* round trip: the encoded segments split back to the same segments */
  size_t cap = 1;
  for (int i = 0; i < n; i++) cap += 1 + 3 * strlen(segs[i]);
  char *again = np_arena_alloc(a, cap + 1);
  if (!again) goto out;
  size_t o = 0;
  again[o++] = '/';
  for (int i = 0; i < n; i++) {
    char *e = encode(a, segs[i]);
    if (!e) goto out;
    size_t el = strlen(e);
    memcpy(again + o, e, el);
    o += el;
    if (i + 1 < n) again[o++] = '/';
  }
  again[o] = '\0';
  if (o <= NP_HTTP_MAX_PATH) {
    char **segs2 = NULL;
    int n2 = 0;
    if (np_http_split_path(a, again, &segs2, &n2, &why) != 0) {
      /* only a path with exactly one empty segment ("/" vs "/x/") may differ in shape */
      if (!(n == 1 && segs[0][0] == '\0')) abort();
    } else if (!(n == 1 && segs[0][0] == '\0')) {
      if (n2 != n) abort();
      for (int i = 0; i < n; i++)
        if (strcmp(segs[i], segs2[i]) != 0) abort();
    }
  }
  np_route_match_t m;
  np_router_match(router(), method, segs, n, &m);
  if (m.status == 200) {
    if (!m.route || m.nparams != m.route->nparams || strcmp(m.route->method, method) != 0) abort();
    for (int i = 0; i < m.nparams; i++) {
      int pos = m.route->param_pos[i];
      if (pos < 0 || pos >= n || m.values[i] != segs[pos] || !m.values[i][0]) abort();
    }
  } else if (m.status == 405) {
    if (m.route || !m.allow[0] || strlen(m.allow) >= sizeof m.allow) abort();
    /* the method asked for is never listed as allowed */
    const char *p = m.allow;
    size_t ml = strlen(method);
    while (ml && (p = strstr(p, method)) != NULL) {
      bool start = p == m.allow || p[-1] == ' ';
      bool end = p[ml] == '\0' || p[ml] == ',';
      if (start && end) abort();
      p += ml;
    }
  } else if (m.status != 404 || m.route) {
    abort();
  }
out:
  np_arena_free(a);
  return 0;
}
