/* The libmicrohttpd adapter: daemon setup, per-request lifecycle, limits, authentication. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>
#include "core/log.h"
#include "http/internal.h"

/* ---- request ids: 64 random bits, from a per-thread buffer refilled with getrandom ---- */

static _Thread_local unsigned char rnd_buf[256];
static _Thread_local size_t rnd_pos = sizeof rnd_buf;

static void make_rid(char out[17]) {
  if (rnd_pos + 8 > sizeof rnd_buf) {
    size_t got = 0;
    while (got < sizeof rnd_buf) {
      ssize_t n = getrandom(rnd_buf + got, sizeof rnd_buf - got, 0);
      if (n < 0) {
        if (errno == EINTR) continue;
        /* no entropy source: fall back to time and address bits (ids need not be secret) */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ (uint64_t)(uintptr_t)out;
        for (size_t i = got; i < sizeof rnd_buf; i++) {
          x ^= x << 13, x ^= x >> 7, x ^= x << 17;
          rnd_buf[i] = (unsigned char)x;
        }
        break;
      }
      got += (size_t)n;
    }
    rnd_pos = 0;
  }
  static const char hex[] = "0123456789abcdef";
  for (int i = 0; i < 8; i++) {
    unsigned char b = rnd_buf[rnd_pos++];
    out[2 * i] = hex[b >> 4];
    out[2 * i + 1] = hex[b & 15];
  }
  out[16] = '\0';
}

/* ---- configuration ---- */

static char *dup_or_null(const char *s) {
  return s ? strdup(s) : NULL;
}

/* "127.0.0.1:8080" or "[::1]:8080" into a socket address. */
static np_err parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *len, np_errdetail_t *err) {
  memset(ss, 0, sizeof *ss);
  if (!listen || !*listen) return np_fail(err, NP_ERR_INVALID, "bad_listen", "listen", "no listen address given");
  char host[64];
  const char *port_s;
  if (listen[0] == '[') {
    const char *close = strchr(listen, ']');
    if (!close || close[1] != ':' || (size_t)(close - listen - 1) >= sizeof host)
      return np_fail(err, NP_ERR_INVALID, "bad_listen", "listen", "listen address must look like [::1]:8080");
    memcpy(host, listen + 1, (size_t)(close - listen - 1));
    host[close - listen - 1] = '\0';
    port_s = close + 2;
  } else {
    const char *colon = strrchr(listen, ':');
    if (!colon || (size_t)(colon - listen) >= sizeof host || colon == listen)
      return np_fail(err, NP_ERR_INVALID, "bad_listen", "listen", "listen address must look like 127.0.0.1:8080");
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    port_s = colon + 1;
  }
  char *end = NULL;
  errno = 0;
  long long port = strtoll(port_s, &end, 10);
  if (!*port_s || errno || *end || port < 0 || port > 65535)
    return np_fail(err, NP_ERR_INVALID, "bad_listen", "listen", "bad port in listen address '%s'", listen);
  struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
  struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
  if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
    s4->sin_family = AF_INET;
    s4->sin_port = htons((uint16_t)port);
    *len = sizeof *s4;
    return NP_OK;
  }
  if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons((uint16_t)port);
    *len = sizeof *s6;
    return NP_OK;
  }
  return np_fail(err, NP_ERR_INVALID, "bad_listen", "listen", "listen host must be a numeric IPv4 or [IPv6] address");
}

np_err np_http_new(const np_http_config_t *cfg, np_http_t **out, np_errdetail_t *err) {
  *out = NULL;
  np_http_t *h = calloc(1, sizeof *h);
  if (!h) return np_fail(err, NP_ERR_NOMEM, NULL, NULL, "out of memory");
  np_err e = NP_OK;
  h->ui_fd = -1;
  if (cfg) h->cfg = *cfg;
  h->listen = dup_or_null(h->cfg.listen ? h->cfg.listen : "127.0.0.1:8080");
  h->db_url = dup_or_null(h->cfg.db_url);
  h->ui_dir = dup_or_null(h->cfg.ui_dir);
  h->cfg.listen = h->listen;
  h->cfg.db_url = h->db_url;
  h->cfg.ui_dir = h->ui_dir;
  if (h->cfg.threads <= 0) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    h->cfg.threads = n > 0 ? (int)(n > 64 ? 64 : n) : 2;
  }
  if (h->cfg.threads > 256) h->cfg.threads = 256;
  if (h->cfg.pool_size <= 0) h->cfg.pool_size = h->cfg.threads + 2;
  if (!h->cfg.max_body) h->cfg.max_body = NP_HTTP_DEFAULT_MAX_BODY;
  if (!h->cfg.max_header) h->cfg.max_header = NP_HTTP_DEFAULT_MAX_HEADER;
  if (!h->cfg.max_connections) h->cfg.max_connections = 1024;
  if (!h->cfg.timeout_s) h->cfg.timeout_s = 30;
  h->router = np_router_new();
  if (!h->listen || (cfg && cfg->db_url && !h->db_url) || (cfg && cfg->ui_dir && !h->ui_dir) || !h->router) {
    e = np_fail(err, NP_ERR_NOMEM, NULL, NULL, "out of memory");
    goto out;
  }
  struct sockaddr_storage ss;
  socklen_t sl;
  if ((e = parse_listen(h->listen, &ss, &sl, err)) != NP_OK) goto out;
  if (h->ui_dir) {
    h->ui_fd = open(h->ui_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (h->ui_fd < 0) {
      e = np_fail(err, NP_ERR_IO, "ui_dir", "ui_dir", "cannot open the UI folder %s: %s", h->ui_dir, strerror(errno));
      goto out;
    }
  }
  if (h->db_url) {
    if ((e = np_store_pool_open(h->db_url, h->cfg.pool_size, &h->pool, err)) != NP_OK) goto out;
  }
  if ((e = np_http_builtin_register(h)) != NP_OK) {
    np_fail(err, e, "route", NULL, "cannot register the built-in routes");
    goto out;
  }
  *out = h;
  return NP_OK;
out:
  np_http_free(h);
  return e;
}

void np_http_set_authn(np_http_t *h, np_authn_fn fn) {
  h->authn = fn;
}

void np_http_set_authz(np_http_t *h, np_authz_fn fn) {
  h->authz = fn;
}

np_err np_http_route(np_http_t *h, const char *method, const char *pattern, np_handler_fn fn,
                     const np_route_opts_t *opts) {
  np_errdetail_t d;
  np_errdetail_clear(&d);
  np_err e = np_router_add(h->router, method, pattern, fn, opts, &d);
  if (e != NP_OK) np_log_error("http.route", "%s", d.message);
  return e;
}

void np_http_each_route(np_http_t *h, void (*fn)(const char *method, const char *pattern, void *ctx), void *ctx) {
  np_router_each(h->router, fn, ctx);
}

int np_http_port(np_http_t *h) {
  return h->daemon ? h->port : 0;
}

np_store_pool_t *np_http_pool(np_http_t *h) {
  return h->pool;
}

bool np_http_secure_cookies(const np_http_t *h) {
  return h->cfg.secure_cookies;
}

/* ---- per request ---- */

static bool is_safe_method(const char *m) {
  return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0;
}

/* Splits and decodes the path into segments; answers 400/414/404/503 itself and returns false on bad input. */
static bool parse_path(np_req_t *r) {
  const char *why = "";
  int st = np_http_split_path(r->arena, r->path, &r->segs, &r->nsegs, &why);
  if (st == 0) return true;
  if (st == 503) np_resp_header(r, "Retry-After", "1");
  np_resp_error(r, st, st == 400 ? "bad_path" : st == 414 ? "too_large" : st == 404 ? "not_found" : "busy", NULL,
                "%s", why);
  return false;
}

/* Resolves credentials and checks CSRF, password-change, enrolment and permission. False: answered. */
static bool authenticate(np_req_t *r) {
  np_http_t *h = r->h;
  const np_route_opts_t *o = &r->match.route->opts;
  const bool public_route = o->auth == NP_AUTH_PUBLIC;
  const char *token = NULL;
  bool via_cookie = false, api_key = false;
  if (o->auth == NP_AUTH_PARTNER) {
    token = np_req_header(r, "X-API-Key");
    api_key = true;
  } else {
    const char *az = np_req_header(r, "Authorization");
    if (az && strncasecmp(az, "Bearer ", 7) == 0) {
      token = az + 7;
      while (*token == ' ') token++;
    }
    if (!token || !*token) {
      token = np_req_cookie(r, "np_session");
      via_cookie = token != NULL;
    }
  }
  if (token && !*token) token = NULL;
  if (!token || !h->authn) {
    if (public_route) return true;
    np_resp_error(r, 401, "unauthorized", NULL,
                  api_key ? "an API key (X-API-Key) is required" : "sign in first: a session is required");
    return false;
  }
  np_principal_t *p = NULL;
  np_errdetail_t d;
  np_errdetail_clear(&d);
  np_err e = h->authn(r, token, api_key, &p, &d);
  if (r->responded) return false;
  if (e != NP_OK || !p) {
    if (public_route) return true; /* ignore bad credentials on public routes */
    if (e == NP_OK || e == NP_ERR_UNAUTHORIZED) {
      np_resp_error(r, 401, d.code[0] ? d.code : "unauthorized", NULL, "%s",
                    d.message[0] ? d.message : "the session is missing, expired or invalid");
    } else {
      np_resp_fail(r, e, &d);
    }
    return false;
  }
  if (via_cookie && !is_safe_method(r->method)) {
    const char *x = np_req_header(r, "X-Requested-With");
    if (!x || strcmp(x, "nineplus") != 0) {
      if (public_route) return true; /* proceed anonymously */
      np_resp_error(r, 403, "csrf", NULL, "cookie-authenticated writes must send X-Requested-With: nineplus");
      return false;
    }
  }
  r->principal = p;
  if (public_route) return true;
  if (p->must_change_password && !o->allow_must_change_password) {
    np_resp_error(r, 403, "password_change_required", NULL, "change your password first");
    return false;
  }
  if (p->mfa_enrolment_required && !o->allow_mfa_enrolment) {
    np_resp_error(r, 403, "mfa_enrolment_required", NULL, "set up the second factor first");
    return false;
  }
  if (o->action && (!h->authz || !h->authz(p, o->action))) {
    np_resp_error(r, 403, "forbidden", NULL, "you are not allowed to do this");
    return false;
  }
  return true;
}

/* First call of the access handler: path, route, body limit, authentication. May answer. */
static void begin(np_req_t *r) {
  if (!parse_path(r)) return;
  r->is_api = r->nsegs >= 1 && strcmp(r->segs[0], "api") == 0;
  r->max_body = r->h->cfg.max_body;
  if (r->is_api) {
    np_router_match(r->h->router, r->method, r->segs, r->nsegs, &r->match);
    if (r->match.status == 404) {
      np_resp_error(r, 404, "not_found", NULL, "no such API path");
      return;
    }
    if (r->match.status == 405) {
      np_resp_header(r, "Allow", r->match.allow);
      np_resp_error(r, 405, "method_not_allowed", NULL, "%s is not allowed here (allowed: %s)", r->method,
                    r->match.allow);
      return;
    }
    if (r->match.route->opts.max_body) r->max_body = r->match.route->opts.max_body;
    if (!np_http_parse_query(r)) return;
  } else if (!is_safe_method(r->method)) {
    np_resp_header(r, "Allow", "GET, HEAD");
    np_resp_error(r, 405, "method_not_allowed", NULL, "%s is not allowed here (allowed: GET, HEAD)", r->method);
    return;
  } else {
    r->head = strcmp(r->method, "HEAD") == 0;
  }
  const char *cl = np_req_header(r, "Content-Length");
  if (cl) {
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(cl, &end, 10);
    if (errno || end == cl || *end || cl[0] == '-' || v > r->max_body) {
      np_resp_error(r, 413, "too_large", NULL, "the request body is larger than %zu bytes", r->max_body);
      return;
    }
    if (v > 0) {
      /* reserve up front, but not more than 1 MiB for a body that has not arrived yet */
      size_t cap = (size_t)v + 1 < NP_HTTP_DEFAULT_MAX_BODY + 1 ? (size_t)v + 1 : NP_HTTP_DEFAULT_MAX_BODY + 1;
      r->body = malloc(cap);
      if (!r->body) {
        np_resp_error(r, 503, "busy", NULL, "out of memory, try again");
        return;
      }
      r->body_cap = cap;
    }
  }
  if (r->is_api && !authenticate(r)) return;
}

/* Appends upload data. Past the limit (chunked bodies: no Content-Length to check up front) the rest
 * is discarded and 413 answered on the final call, since MHD cannot answer in the middle of an
 * upload; a client that keeps sending far beyond the limit is disconnected. False: close now. */
static bool accumulate(np_req_t *r, const char *data, size_t n) {
  if (r->responded) return true;
  if (r->body_too_large || n > r->max_body || r->body_len > r->max_body - n) {
    r->body_too_large = true;
    r->discarded += n;
    return r->discarded <= NP_HTTP_MAX_DISCARD;
  }
  if (r->body_len + n + 1 > r->body_cap) {
    size_t cap = r->body_cap ? r->body_cap : 4096;
    while (cap < r->body_len + n + 1) cap *= 2;
    if (cap > r->max_body + 1) cap = r->max_body + 1;
    /* grow by copy (not realloc), so no copy of a password is left behind in freed memory */
    char *b = malloc(cap);
    if (!b) {
      r->body_too_large = true; /* answered as 413: the server cannot hold it now */
      return true;
    }
    if (r->body) {
      memcpy(b, r->body, r->body_len);
      explicit_bzero(r->body, r->body_cap);
      free(r->body);
    }
    r->body = b;
    r->body_cap = cap;
  }
  memcpy(r->body + r->body_len, data, n);
  r->body_len += n;
  r->body[r->body_len] = '\0';
  return true;
}

/* Final call: run the handler (or serve a static file). */
static void dispatch(np_req_t *r) {
  if (!r->is_api) {
    np_static_serve(r);
  } else {
    r->match.route->fn(r);
  }
  if (!r->responded) {
    np_log_error("http.handler", "handler for %s %s returned without a response", r->method,
                 r->is_api ? r->match.route->pattern : r->path);
    np_resp_error(r, 500, "internal", NULL, "internal error (request %s)", r->rid);
  }
}

static np_req_t *req_new(np_http_t *h, struct MHD_Connection *c, const char *url, const char *method) {
  np_arena_t *a = np_arena_new(0);
  if (!a) return NULL;
  np_req_t *r = np_arena_calloc(a, 1, sizeof *r);
  if (!r) {
    np_arena_free(a);
    return NULL;
  }
  r->arena = a;
  r->h = h;
  r->conn = c;
  clock_gettime(CLOCK_MONOTONIC, &r->t0);
  make_rid(r->rid);
  r->method = np_arena_strdup(a, method ? method : "");
  r->path = np_arena_strdup(a, url ? url : "");
  if (!r->method || !r->path) {
    np_arena_free(a);
    return NULL;
  }
  return r;
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                 const char *version, const char *upload_data, size_t *upload_size, void **con_cls) {
  np_http_t *h = cls;
  np_req_t *r = *con_cls;
  if (!r) {
    r = req_new(h, c, url, method);
    if (!r) return MHD_NO;
    *con_cls = r;
    atomic_fetch_add(&h->inflight, 1);
    np_log_set_request_id(r->rid);
    begin(r);
    r->first_done = true;
    return MHD_YES;
  }
  np_log_set_request_id(r->rid);
  if (*upload_size) {
    bool keep = accumulate(r, upload_data, *upload_size);
    *upload_size = 0;
    if (!keep) np_log_warn("http.limit", "request body far over %zu bytes: connection closed", r->max_body);
    return keep ? MHD_YES : MHD_NO;
  }
  if (r->responded) return MHD_YES;
  if (r->body_too_large) {
    np_resp_error(r, 413, "too_large", NULL, "the request body is larger than %zu bytes", r->max_body);
    return MHD_YES;
  }
  dispatch(r);
  return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe) {
  np_http_t *h = cls;
  np_req_t *r = *con_cls;
  if (!r) return;
  *con_cls = NULL;
  np_log_set_request_id(r->rid);
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  long long us = (long long)(t1.tv_sec - r->t0.tv_sec) * 1000000LL + (t1.tv_nsec - r->t0.tv_nsec) / 1000;
  np_log_info("http.access", "%s %.512s %d bytes=%llu us=%lld user=%lld%s", r->method, r->path, r->status,
              (unsigned long long)r->bytes, us, r->principal ? (long long)r->principal->user_id : 0LL,
              toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted");
  if (r->store) np_store_pool_release(h->pool, r->store);
  json_decref(r->json);
  /* bodies carry passwords, codes and personal data: do not leave them in freed memory */
  if (r->body) explicit_bzero(r->body, r->body_cap);
  free(r->body);
  np_arena_free(r->arena);
  atomic_fetch_sub(&h->inflight, 1);
  np_log_set_request_id(NULL);
}

/* Leave percent escapes alone: path segments and query arguments are decoded by us, after splitting. */
static size_t no_unescape(void *cls, struct MHD_Connection *c, char *s) {
  return strlen(s);
}

static void mhd_log(void *cls, const char *fmt, va_list ap) {
  char msg[512];
  vsnprintf(msg, sizeof msg, fmt, ap);
  size_t n = strlen(msg);
  while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r')) msg[--n] = '\0';
  np_log_warn("http.mhd", "%s", msg);
}

np_err np_http_start(np_http_t *h, np_errdetail_t *err) {
  if (h->daemon) return NP_OK;
  struct sockaddr_storage ss;
  socklen_t sl;
  np_err e = parse_listen(h->listen, &ss, &sl, err);
  if (e != NP_OK) return e;
  signal(SIGPIPE, SIG_IGN);
  unsigned base = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
  if (ss.ss_family == AF_INET6) base |= MHD_USE_IPv6;
  size_t mem = h->cfg.max_header * 2;
  if (mem < 8192) mem = 8192;
  /* MHD binds SOCK_ADDR; the port argument only makes its messages name the right port */
  uint16_t port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                                 : ((struct sockaddr_in *)&ss)->sin_port);
  const unsigned polls[2] = {MHD_USE_EPOLL, MHD_USE_AUTO};
  for (int i = 0; i < 2 && !h->daemon; i++) {
    h->daemon = MHD_start_daemon(
        base | polls[i], port, NULL, NULL, on_access, h, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, h,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)h->cfg.threads, MHD_OPTION_CONNECTION_LIMIT, h->cfg.max_connections,
        MHD_OPTION_CONNECTION_TIMEOUT, h->cfg.timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT, mem,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, h, MHD_OPTION_UNESCAPE_CALLBACK, no_unescape, h,
        MHD_OPTION_SIGPIPE_HANDLED_BY_APP, 1,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024U, MHD_OPTION_END);
  }
  if (!h->daemon)
    return np_fail(err, NP_ERR_IO, "listen", "listen", "cannot listen on %s (address in use or not local?)", h->listen);
  const union MHD_DaemonInfo *di = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
  h->port = di ? di->port : 0;
  return NP_OK;
}

void np_http_stop(np_http_t *h) {
  if (!h->daemon) return;
  MHD_socket lfd = MHD_quiesce_daemon(h->daemon); /* no new connections */
  /* let requests in flight finish (at most 10 s) */
  for (int i = 0; i < 1000 && atomic_load(&h->inflight) > 0; i++) {
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  MHD_stop_daemon(h->daemon);
  if (lfd != MHD_INVALID_SOCKET) close(lfd);
  h->daemon = NULL;
  h->port = 0;
}

np_err np_http_run(np_http_t *h, np_errdetail_t *err) {
  sigset_t set, old;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  /* block before MHD creates its threads, so they inherit the mask and only sigwait sees the signals */
  pthread_sigmask(SIG_BLOCK, &set, &old);
  np_err e = np_http_start(h, err);
  if (e != NP_OK) {
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return e;
  }
  np_log_info("server.started", "listening on %s (port %d, %d threads)%s%s", h->listen, h->port, h->cfg.threads,
              h->ui_dir ? ", UI from " : "", h->ui_dir ? h->ui_dir : "");
  int sig = 0;
  while (sigwait(&set, &sig) != 0) {
  }
  np_log_info("server.stopping", "signal %d: finishing requests in flight", sig);
  np_http_stop(h);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  return NP_OK;
}

void np_http_free(np_http_t *h) {
  if (!h) return;
  np_http_stop(h);
  np_router_free(h->router);
  if (h->pool) np_store_pool_close(h->pool);
  if (h->ui_fd >= 0) close(h->ui_fd);
  free(h->listen);
  free(h->db_url);
  free(h->ui_dir);
  free(h);
}
