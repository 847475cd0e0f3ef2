/* Request accessors: path parameters, query, headers, cookies, body, JSON, store connection. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "core/json.h"
#include "core/log.h"
#include "http/internal.h"

static int hexval(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

char *np_http_pct_decode(np_arena_t *a, const char *src, size_t n, bool plus, size_t *outlen) {
  char *out = np_arena_alloc(a, n + 1);
  if (!out) return NULL;
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)src[i];
    if (c == '%') {
      if (i + 2 >= n) return NULL;
      int hi = hexval((unsigned char)src[i + 1]), lo = hexval((unsigned char)src[i + 2]);
      if (hi < 0 || lo < 0) return NULL;
      out[o++] = (char)(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus) {
      out[o++] = ' ';
    } else {
      out[o++] = (char)c;
    }
  }
  out[o] = '\0';
  if (outlen) *outlen = o;
  return out;
}

bool np_http_utf8_ok(const char *s, size_t n) {
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  while (i < n) {
    unsigned char c = p[i];
    if (c < 0x80) {
      if (c == 0 || c < 0x20 || c == 0x7f) return false;
      i++;
      continue;
    }
    size_t len;
    uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf) {
      len = 2;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (size_t k = 1; k < len; k++) {
      if ((p[i + k] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3f);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
      return false;
    i += len;
  }
  return true;
}

np_arena_t *np_req_arena(np_req_t *r) {
  return r->arena;
}

const char *np_req_method(np_req_t *r) {
  return r->method;
}

const char *np_req_path(np_req_t *r) {
  return r->path;
}

const char *np_req_param(np_req_t *r, const char *name) {
  if (!name) return NULL;
  for (int i = 0; i < r->match.nparams; i++)
    if (strcmp(r->match.names[i], name) == 0) return r->match.values[i];
  return NULL;
}

/* True when every '%' of s[0..n) starts a two-hex-digit escape. */
static bool escapes_ok(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (s[i] != '%') continue;
    if (i + 2 >= n || hexval((unsigned char)s[i + 1]) < 0 || hexval((unsigned char)s[i + 2]) < 0) return false;
    i += 2;
  }
  return true;
}

char *np_http_decode_query_part(np_arena_t *a, const char *raw, bool *oom) {
  if (oom) *oom = false;
  if (!raw) return NULL;
  size_t n = strlen(raw), dl = 0;
  if (!escapes_ok(raw, n)) return NULL;
  /* MHD already turned '+' into ' '; percent escapes are left to us (no-op unescape callback). */
  char *d = np_http_pct_decode(a, raw, n, false, &dl);
  if (!d) {
    if (oom) *oom = true;
    return NULL;
  }
  return np_http_utf8_ok(d, dl) ? d : NULL;
}

int np_http_split_path(np_arena_t *a, const char *path, char ***segs_out, int *nsegs, const char **why) {
  static const char *const msg_start = "the request path must start with '/'";
  *segs_out = NULL;
  *nsegs = 0;
  *why = "";
  size_t n = path ? strlen(path) : 0;
  if (n == 0 || path[0] != '/') {
    *why = msg_start;
    return 400;
  }
  if (n > NP_HTTP_MAX_PATH) {
    *why = "the request path is too long";
    return 414;
  }
  char **segs = np_arena_calloc(a, NP_HTTP_MAX_SEGMENTS, sizeof *segs);
  if (!segs) {
    *why = "out of memory";
    return 503;
  }
  *segs_out = segs;
  if (n == 1) return 0;
  const char *s = path + 1;
  int k = 0;
  for (;;) {
    const char *slash = strchr(s, '/');
    size_t len = slash ? (size_t)(slash - s) : strlen(s);
    if (k >= NP_HTTP_MAX_SEGMENTS) {
      *why = "no such path";
      return 404;
    }
    if (!escapes_ok(s, len)) {
      *why = "the request path has a bad percent escape";
      return 400;
    }
    size_t dl = 0;
    char *seg = np_http_pct_decode(a, s, len, false, &dl);
    if (!seg) {
      *why = "out of memory";
      return 503;
    }
    if (!np_http_utf8_ok(seg, dl)) {
      *why = "the request path is not valid UTF-8 text";
      return 400;
    }
    if (strcmp(seg, "..") == 0 || strcmp(seg, ".") == 0) {
      *why = "the request path may not contain '.' or '..' segments";
      return 400;
    }
    segs[k++] = seg;
    *nsegs = k;
    if (!slash) break;
    s = slash + 1;
  }
  return 0;
}

typedef struct qctx {
  np_req_t *r;
  int cap;
  bool bad, oom;
} qctx_t;

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value) {
  qctx_t *q = cls;
  np_req_t *r = q->r;
  if (!key) return MHD_YES;
  if (r->nqargs >= q->cap) {
    q->bad = true;
    return MHD_NO;
  }
  bool oom_k = false, oom_v = false;
  char *k = np_http_decode_query_part(r->arena, key, &oom_k);
  char *v = value ? np_http_decode_query_part(r->arena, value, &oom_v) : np_arena_strdup(r->arena, "");
  if (!value && !v) oom_v = true;
  if (!k || !v) {
    if (oom_k || oom_v) q->oom = true;
    else q->bad = true;
    return MHD_NO;
  }
  r->qargs[r->nqargs].key = k;
  r->qargs[r->nqargs].value = v;
  r->nqargs++;
  return MHD_YES;
}

bool np_http_parse_query(np_req_t *r) {
  if (r->qparsed) return !r->responded;
  r->qparsed = true;
  int n = MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, NULL, NULL);
  if (n <= 0) return true;
  if (n > NP_HTTP_MAX_QUERY_ARGS) {
    np_resp_error(r, 400, "bad_query", NULL, "more than %d query arguments", NP_HTTP_MAX_QUERY_ARGS);
    return false;
  }
  qctx_t q = {r, n, false, false};
  r->qargs = np_arena_calloc(r->arena, (size_t)n, sizeof *r->qargs);
  if (r->qargs) MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, collect_arg, &q);
  else q.oom = true;
  if (q.oom) {
    /* never run a handler with arguments silently missing */
    r->nqargs = 0;
    np_resp_header(r, "Retry-After", "1");
    np_resp_error(r, 503, "busy", NULL, "out of memory, try again");
    return false;
  }
  if (q.bad) {
    r->nqargs = 0;
    np_resp_error(r, 400, "bad_query", NULL, "a query argument is not valid percent-encoded UTF-8 text");
    return false;
  }
  return true;
}

const char *np_req_query(np_req_t *r, const char *name) {
  if (!name) return NULL;
  if (!r->qparsed) np_http_parse_query(r);
  for (int i = 0; i < r->nqargs; i++)
    if (strcmp(r->qargs[i].key, name) == 0) return r->qargs[i].value;
  return NULL;
}

const char *np_req_header(np_req_t *r, const char *name) {
  if (!name) return NULL;
  return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *np_req_cookie(np_req_t *r, const char *name) {
  if (!name) return NULL;
  return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

const char *np_req_body(np_req_t *r, size_t *len) {
  if (len) *len = r->body_len;
  return r->body ? r->body : "";
}

json_t *np_req_json(np_req_t *r) {
  if (r->json) return r->json;
  if (r->responded) return NULL;
  if (!r->body || r->body_len == 0) {
    np_resp_error(r, 400, "invalid_json", NULL, "the request body must be a JSON object");
    return NULL;
  }
  np_json_limits_t lim = {.max_bytes = r->max_body, .top = NP_JSON_TOP_OBJECT};
  np_errdetail_t d;
  np_errdetail_clear(&d);
  json_t *j = NULL;
  np_err e = np_json_parse(r->body, r->body_len, &lim, &j, &d);
  if (e != NP_OK || !j) {
    if (e == NP_ERR_TOO_LARGE) {
      np_resp_error(r, 413, d.code[0] ? d.code : "too_large", NULL, "%s", d.message);
    } else {
      np_resp_error(r, 400, d.code[0] ? d.code : "invalid_json", NULL, "%s",
                    d.message[0] ? d.message : "the request body is not valid JSON");
    }
    json_decref(j);
    return NULL;
  }
  r->json = j;
  return j;
}

const char *np_req_id(np_req_t *r) {
  return r->rid;
}

static bool peer_is_loopback(const struct sockaddr *sa) {
  if (sa->sa_family == AF_INET) {
    const struct sockaddr_in *s4 = (const struct sockaddr_in *)(const void *)sa;
    return (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
  }
  if (sa->sa_family == AF_INET6) {
    const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)(const void *)sa;
    return IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr);
  }
  return false;
}

const char *np_req_ip(np_req_t *r) {
  if (r->ip) return r->ip;
  char buf[INET6_ADDRSTRLEN] = "";
  const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  const struct sockaddr *sa = ci ? ci->client_addr : NULL;
  if (sa && sa->sa_family == AF_INET)
    inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, buf, sizeof buf);
  else if (sa && sa->sa_family == AF_INET6)
    inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, buf, sizeof buf);
  if (r->h->cfg.trust_proxy && sa && peer_is_loopback(sa)) {
    /* behind nginx on loopback: X-Real-IP carries the client (validated as an address) */
    const char *xr = np_req_header(r, "X-Real-IP");
    unsigned char tmp[sizeof(struct in6_addr)];
    if (xr && (inet_pton(AF_INET, xr, tmp) == 1 || inet_pton(AF_INET6, xr, tmp) == 1)) {
      r->ip = np_arena_strdup(r->arena, xr);
      if (r->ip) return r->ip;
    }
  }
  r->ip = np_arena_strdup(r->arena, buf);
  return r->ip ? r->ip : "";
}

const np_principal_t *np_req_principal(np_req_t *r) {
  return r->principal;
}

np_store_t *np_req_store(np_req_t *r) {
  if (r->store) return r->store;
  if (!r->h->pool) {
    np_log_error("http.store", "no store configured");
    if (!r->responded) np_resp_error(r, 503, "store_unavailable", NULL, "the database is not available");
    return NULL;
  }
  np_err e = np_store_pool_acquire(r->h->pool, 5000, &r->store);
  if (e != NP_OK) {
    r->store = NULL;
    np_log_error("http.store", "no store connection: %s", np_err_name(e));
    if (!r->responded) np_resp_error(r, 503, "store_unavailable", NULL, "the database is busy, try again");
    return NULL;
  }
  return r->store;
}

np_http_t *np_req_server(np_req_t *r) {
  return r->h;
}
