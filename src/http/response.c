/* Responses: JSON, the error envelope, raw bytes, files; common headers; status mapping. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core/json.h"
#include "core/log.h"
#include "http/internal.h"

#define CSP "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; " \
            "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"

static bool has_header(const np_req_t *r, const char *name) {
  for (const np_hdr_t *h = r->hdrs; h; h = h->next)
    if (strcasecmp(h->name, name) == 0) return true;
  return false;
}

void np_resp_send(np_req_t *r, int status, struct MHD_Response *resp, uint64_t bytes, const char *cache) {
  if (!resp) {
    np_log_error("http.response", "cannot create a response (out of memory)");
    return;
  }
  if (r->responded) {
    np_log_error("http.response", "second response for %s %s ignored (status %d)", r->method, r->path, status);
    MHD_destroy_response(resp);
    return;
  }
  MHD_add_response_header(resp, "X-Request-Id", r->rid);
  MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header(resp, "X-Frame-Options", "DENY");
  MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
  MHD_add_response_header(resp, "Content-Security-Policy", CSP);
  if (!has_header(r, "Cache-Control")) MHD_add_response_header(resp, "Cache-Control", cache ? cache : "no-store");
  for (const np_hdr_t *h = r->hdrs; h; h = h->next) MHD_add_response_header(resp, h->name, h->value);
  r->responded = true;
  r->status = status;
  r->bytes = bytes;
  if (MHD_queue_response(r->conn, (unsigned)status, resp) != MHD_YES)
    np_log_error("http.response", "MHD refused the response (status %d)", status);
  MHD_destroy_response(resp);
}

void np_resp_header(np_req_t *r, const char *name, const char *value) {
  if (!name || !value || r->responded) return;
  /* refuse header injection */
  if (strpbrk(name, "\r\n:") || strpbrk(value, "\r\n")) {
    np_log_error("http.response", "header %s with CR/LF refused", name);
    return;
  }
  np_hdr_t *h = np_arena_alloc(r->arena, sizeof *h);
  if (!h) return;
  h->name = np_arena_strdup(r->arena, name);
  h->value = np_arena_strdup(r->arena, value);
  if (!h->name || !h->value) return;
  h->next = NULL;
  np_hdr_t **pp = &r->hdrs;
  while (*pp) pp = &(*pp)->next;
  *pp = h;
}

static void send_text(np_req_t *r, int status, char *text, size_t len) {
  struct MHD_Response *resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
  if (!resp) {
    free(text);
    return;
  }
  MHD_add_response_header(resp, "Content-Type", "application/json; charset=utf-8");
  np_resp_send(r, status, resp, len, NULL);
}

void np_resp_json(np_req_t *r, int status, json_t *body) {
  if (r->responded) {
    np_log_error("http.response", "second response for %s %s ignored", r->method, r->path);
    json_decref(body);
    return;
  }
  if (!body) {
    np_resp_error(r, 500, "internal", NULL, "internal error");
    return;
  }
  char *text = json_dumps(body, NP_JSON_DUMP_FLAGS);
  json_decref(body);
  if (!text) {
    np_log_error("http.response", "JSON serialisation failed");
    static const char fallback[] = "{\"error\":{\"code\":\"internal\",\"message\":\"internal error\"}}";
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(sizeof fallback - 1, (void *)(uintptr_t)fallback, MHD_RESPMEM_PERSISTENT);
    if (resp) MHD_add_response_header(resp, "Content-Type", "application/json; charset=utf-8");
    np_resp_send(r, 500, resp, sizeof fallback - 1, NULL);
    return;
  }
  send_text(r, status, text, strlen(text));
}

void np_resp_error(np_req_t *r, int status, const char *code, const char *field, const char *fmt, ...) {
  char msg[512] = "";
  if (fmt) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
  }
  json_t *err = json_object();
  json_t *env = json_object();
  if (!err || !env) {
    json_decref(err);
    json_decref(env);
    np_resp_json(r, 500, NULL);
    return;
  }
  json_object_set_new(err, "code", json_string(code && *code ? code : "error"));
  json_t *m = json_string(msg);
  json_object_set_new(err, "message", m ? m : json_string("(message not valid UTF-8)"));
  if (field && *field) {
    json_t *f = json_string(field);
    if (f) json_object_set_new(err, "field", f);
  }
  json_object_set_new(env, "error", err);
  np_resp_json(r, status, env);
}

int np_http_status_for(np_err e) {
  switch (e) {
  case NP_OK: return 200;
  case NP_ERR_INVALID:
  case NP_ERR_ENCODING: return 400;
  case NP_ERR_UNAUTHORIZED: return 401;
  case NP_ERR_FORBIDDEN: return 403;
  case NP_ERR_NOT_FOUND: return 404;
  case NP_ERR_CONFLICT: return 409;
  case NP_ERR_TOO_LARGE: return 413;
  case NP_ERR_RATE_LIMIT: return 429;
  case NP_ERR_BUSY: return 503;
  default: return 500;
  }
}

void np_resp_fail(np_req_t *r, np_err e, const np_errdetail_t *d) {
  int status = np_http_status_for(e);
  if (e == NP_OK) {
    np_log_error("http.response", "np_resp_fail called with NP_OK");
    status = 500;
    e = NP_ERR_INTERNAL;
  }
  if (status == 400 && d && d->field[0]) status = 422;
  if (status >= 500) {
    /* never show internals (SQL, paths) to the client; the log has them */
    np_log_error("http.error", "%s: %s%s%s", np_err_name(e), d ? d->code : "", d && d->message[0] ? ": " : "",
                 d ? d->message : "");
    if (status == 503) np_resp_header(r, "Retry-After", "1");
    np_resp_error(r, status, status == 503 ? "busy" : "internal", NULL,
                  status == 503 ? "the service is busy, try again" : "internal error (request %s)", r->rid);
    return;
  }
  const char *code = d && d->code[0] ? d->code : np_err_name(e);
  const char *msg = d && d->message[0] ? d->message : np_err_name(e);
  np_resp_error(r, status, code, d ? d->field : NULL, "%s", msg);
}

void np_resp_bytes(np_req_t *r, int status, const char *content_type, const void *data, size_t len) {
  if (r->responded) {
    np_log_error("http.response", "second response for %s %s ignored", r->method, r->path);
    return;
  }
  struct MHD_Response *resp = MHD_create_response_from_buffer(len, (void *)(uintptr_t)data, MHD_RESPMEM_MUST_COPY);
  if (!resp) {
    np_log_error("http.response", "out of memory for a %zu-byte response", len);
    return;
  }
  if (content_type) MHD_add_response_header(resp, "Content-Type", content_type);
  np_resp_send(r, status, resp, len, NULL);
}

/* Content-Disposition with an ASCII fallback and the RFC 5987 UTF-8 name. */
static char *disposition(np_arena_t *a, const char *name) {
  size_t n = strlen(name);
  if (n > 1024) n = 1024;
  char *ascii = np_arena_alloc(a, n + 1);
  char *enc = np_arena_alloc(a, n * 3 + 1);
  if (!ascii || !enc) return NULL;
  size_t ao = 0, eo = 0;
  static const char hex[] = "0123456789ABCDEF";
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)name[i];
    bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || strchr("!#$&+-.^_`|~", c);
    ascii[ao++] = (c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '/' && c != ';') ? (char)c : '_';
    if (plain && c) {
      enc[eo++] = (char)c;
    } else {
      enc[eo++] = '%';
      enc[eo++] = hex[c >> 4];
      enc[eo++] = hex[c & 15];
    }
  }
  ascii[ao] = enc[eo] = '\0';
  return np_arena_printf(a, "attachment; filename=\"%s\"; filename*=UTF-8''%s", ascii, enc);
}

void np_resp_file(np_req_t *r, int status, const char *content_type, const char *path, const char *download_name,
                  bool unlink_after) {
  if (r->responded) {
    np_log_error("http.response", "second response for %s %s ignored", r->method, r->path);
    return;
  }
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    np_log_error("http.file", "cannot open the file to send: %s", strerror(errno));
    np_resp_error(r, 500, "internal", NULL, "internal error (request %s)", r->rid);
    return;
  }
  if (unlink_after) unlink(path); /* the open descriptor keeps the data until it is sent */
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    np_log_error("http.file", "not a regular file");
    np_resp_error(r, 500, "internal", NULL, "internal error (request %s)", r->rid);
    return;
  }
  struct MHD_Response *resp = MHD_create_response_from_fd((size_t)st.st_size, fd);
  if (!resp) {
    close(fd);
    np_log_error("http.file", "out of memory");
    return;
  }
  MHD_add_response_header(resp, "Content-Type", content_type ? content_type : "application/octet-stream");
  if (download_name && *download_name) {
    char *cd = disposition(r->arena, download_name);
    if (cd) MHD_add_response_header(resp, "Content-Disposition", cd);
  }
  np_resp_send(r, status, resp, (uint64_t)st.st_size, NULL);
}

bool np_resp_tmpfile(np_req_t *r, const char *what, const char *ext, char *path, size_t cap) {
  const char *tmpdir = getenv("TMPDIR");
  int n = snprintf(path, cap, "%s/nineplus-%s-XXXXXX%s", tmpdir && *tmpdir ? tmpdir : "/tmp", what, ext);
  int fd = n > 0 && (size_t)n < cap ? mkstemps(path, (int)strlen(ext)) : -1;
  if (fd < 0) {
    np_resp_error(r, 500, "io", "", "cannot create a temporary file for the download");
    return false;
  }
  close(fd);
  return true;
}
