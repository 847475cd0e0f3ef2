/*
 * The HTTP library: server (libmicrohttpd, thread pool + epoll), router, per-request arena,
 * limits, JSON responses in the error envelope, static files. It knows no SQL and no capability:
 * capabilities register routes from their api.c; authentication and audit are hooks that main.c
 * wires to the auth and audit modules.
 */
#ifndef NP_HTTP_HTTP_H
#define NP_HTTP_HTTP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "core/arena.h"
#include "core/err.h"
#include "http/principal.h"
#include "store/store.h"

typedef struct np_http np_http_t;
typedef struct np_req np_req_t;

/** A route handler: parse and validate, call the module, write the response. */
typedef void (*np_handler_fn)(np_req_t *req);

typedef enum np_auth_mode {
  NP_AUTH_USER = 0, /* default: a valid session or bearer token is required (401 otherwise) */
  NP_AUTH_PUBLIC,   /* anyone; the principal is still resolved when credentials are sent */
  NP_AUTH_PARTNER,  /* partner API key (X-API-Key) */
} np_auth_mode;

typedef struct np_route_opts {
  np_auth_mode auth;
  const char *action;   /* permission checked by the authz hook before the handler (NULL: none) */
  size_t max_body;      /* 0 = server default (1 MiB); larger only for uploads */
  bool allow_must_change_password; /* route usable while user.must_change_password is set */
  bool allow_mfa_enrolment;        /* route usable while second-factor enrolment is pending */
} np_route_opts_t;

typedef struct np_http_config {
  const char *listen;       /* "127.0.0.1:8080" */
  const char *db_url;       /* store URL; the server keeps a pool */
  const char *ui_dir;       /* built UI (ui/dist), NULL = no static files */
  int threads;              /* 0 = number of CPUs */
  int pool_size;            /* store connections, 0 = threads + 2 */
  size_t max_body;          /* default body limit, 0 = 1 MiB */
  size_t max_header;        /* 0 = 16 KiB */
  unsigned max_connections; /* 0 = 1024 */
  unsigned timeout_s;       /* idle connection timeout, 0 = 30 */
  bool secure_cookies;      /* set Secure on cookies (behind TLS) */
  bool trust_proxy;         /* take the client IP from X-Real-IP when the peer is loopback (nginx) */
} np_http_config_t;

/*
 * Hooks set by main.c. authenticate: resolve a session token (cookie or bearer) or API key into a
 * principal allocated in the request arena; NP_ERR_UNAUTHORIZED with a detail when invalid.
 * authorize: is principal allowed `action`? audit: append an audit row (must succeed or the
 * operation fails).
 */
typedef np_err (*np_authn_fn)(np_req_t *req, const char *token, bool is_api_key, np_principal_t **out,
                              np_errdetail_t *err);
typedef bool (*np_authz_fn)(const np_principal_t *p, const char *action);

/** Creates a server (not yet listening). */
np_err np_http_new(const np_http_config_t *cfg, np_http_t **out, np_errdetail_t *err);
void np_http_set_authn(np_http_t *h, np_authn_fn fn);
void np_http_set_authz(np_http_t *h, np_authz_fn fn);

/**
 * Registers a route. pattern: "/api/v1/enterprises/{id}/demands" — `{name}` matches one segment.
 * A path that matches with another method answers 405 with Allow. opts may be NULL.
 */
np_err np_http_route(np_http_t *h, const char *method, const char *pattern, np_handler_fn fn,
                     const np_route_opts_t *opts);

/** Calls fn(method, pattern, ctx) for every registered route (for the OpenAPI completeness test). */
void np_http_each_route(np_http_t *h, void (*fn)(const char *method, const char *pattern, void *ctx), void *ctx);

/** Port the server listens on once started (useful with port 0 in tests); 0 when not listening. */
int np_http_port(np_http_t *h);
/** The store pool the server keeps (NULL when no db_url was given). */
np_store_pool_t *np_http_pool(np_http_t *h);
/** True when cookies should carry Secure (np_http_config_t.secure_cookies). */
bool np_http_secure_cookies(const np_http_t *h);

/** Starts listening and serves until SIGTERM/SIGINT; in-flight requests finish. */
np_err np_http_run(np_http_t *h, np_errdetail_t *err);
/** Starts serving in the background (tests); np_http_stop ends it. */
np_err np_http_start(np_http_t *h, np_errdetail_t *err);
void np_http_stop(np_http_t *h);
void np_http_free(np_http_t *h);

/* ---- request ---- */
np_arena_t *np_req_arena(np_req_t *r);
const char *np_req_method(np_req_t *r);
/** The path as sent (still percent-encoded), without the query string. */
const char *np_req_path(np_req_t *r);
/** Path parameter by name ("id"), percent-decoded; NULL if absent. */
const char *np_req_param(np_req_t *r, const char *name);
/** Query-string argument, decoded (validated UTF-8; bad ones were refused with 400); NULL if absent. */
const char *np_req_query(np_req_t *r, const char *name);
const char *np_req_header(np_req_t *r, const char *name);
const char *np_req_cookie(np_req_t *r, const char *name);
/** Raw body (NUL-terminated for convenience) and its length. */
const char *np_req_body(np_req_t *r, size_t *len);
/**
 * Parses the body as a JSON object (duplicate keys rejected, depth capped); on failure it has already
 * answered 400 "invalid_json" and returns NULL. The object belongs to the request and is freed when
 * the response completes: do not json_decref it (json_incref to keep it longer).
 */
json_t *np_req_json(np_req_t *r);
/** Request id (also in the X-Request-Id response header and every log line). */
const char *np_req_id(np_req_t *r);
/** Client IP as text. */
const char *np_req_ip(np_req_t *r);
/** Authenticated principal, or NULL. */
const np_principal_t *np_req_principal(np_req_t *r);
/**
 * A store connection held for this request (acquired on first use, released at the end). NULL when
 * none is available; it has then already answered 503 "store_unavailable": just return.
 */
np_store_t *np_req_store(np_req_t *r);
np_http_t *np_req_server(np_req_t *r);

/* ---- response (exactly one per request) ---- */
/** Sends a JSON body; takes ownership of (steals) `body`. */
void np_resp_json(np_req_t *r, int status, json_t *body);
/** Sends the error envelope {"error":{"code","message","field"}}. */
void np_resp_error(np_req_t *r, int status, const char *code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/** Sends the envelope for an np_err with its detail, choosing the status from the code. */
void np_resp_fail(np_req_t *r, np_err e, const np_errdetail_t *d);
/** Sends raw bytes with a content type (copied). */
void np_resp_bytes(np_req_t *r, int status, const char *content_type, const void *data, size_t len);
/** Sends a file as a download (streamed from disk; the file is unlinked after sending when unlink_after). */
void np_resp_file(np_req_t *r, int status, const char *content_type, const char *path, const char *download_name,
                  bool unlink_after);
/**
 * Creates an empty temporary file for a download ("$TMPDIR/nineplus-<what>-XXXXXX<ext>") and writes
 * its path; false after answering 500. Hand it to np_resp_file(…, unlink_after = true).
 */
bool np_resp_tmpfile(np_req_t *r, const char *what, const char *ext, char *path, size_t cap);

/** Adds a response header (before the response is sent). */
void np_resp_header(np_req_t *r, const char *name, const char *value);
/**
 * HTTP status for an error code: invalid/encoding→400 (np_resp_fail makes it 422 when the detail
 * names a field), unauthorized→401, forbidden→403, not_found→404, conflict→409, too_large→413,
 * rate_limit→429, busy→503, everything else→500. See docs/HTTP.md.
 */
int np_http_status_for(np_err e);

#endif
