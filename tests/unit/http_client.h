/* A tiny raw-socket HTTP/1.1 client for the HTTP unit tests (no dependency, exact bytes on the wire). */
#ifndef NP_TEST_HTTP_CLIENT_H
#define NP_TEST_HTTP_CLIENT_H
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

typedef struct tc_resp {
  int status;
  char head[8192];  /* status line and headers */
  char *body;       /* NUL-terminated, malloc'd */
  size_t body_len;
  double seconds;   /* time until the response was complete */
} tc_resp_t;

static inline int tc_connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  struct timeval tv = {5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

static inline int tc_send(int fd, const void *p, size_t n) {
  const char *c = p;
  while (n) {
    ssize_t k = send(fd, c, n, MSG_NOSIGNAL);
    if (k <= 0) return -1;
    c += k;
    n -= (size_t)k;
  }
  return 0;
}

/** Value of header `name` in r->head (copied into out), or NULL. */
static inline const char *tc_header(const tc_resp_t *r, const char *name, char *out, size_t cap) {
  size_t nl = strlen(name);
  const char *p = strstr(r->head, "\r\n");
  while (p && p[2] && !(p[2] == '\r' && p[3] == '\n')) {
    p += 2;
    const char *e = strstr(p, "\r\n");
    if (!e) break;
    if ((size_t)(e - p) > nl && strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
      const char *v = p + nl + 1;
      while (*v == ' ') v++;
      size_t vl = (size_t)(e - v);
      if (vl >= cap) vl = cap - 1;
      memcpy(out, v, vl);
      out[vl] = '\0';
      return out;
    }
    p = e;
  }
  return NULL;
}

/** Reads one response (headers, then Content-Length bytes, or until close). 0 on success. */
static inline int tc_read(int fd, tc_resp_t *r, bool head_only, struct timespec t0) {
  size_t cap = 1 << 16, len = 0;
  char *buf = malloc(cap + 1);
  if (!buf) return -1;
  ssize_t hdr_end = -1;
  size_t want = (size_t)-1;
  for (;;) {
    if (hdr_end >= 0 && want != (size_t)-1 && len >= (size_t)hdr_end + want) break;
    if (len == cap) {
      cap *= 2;
      char *nb = realloc(buf, cap + 1);
      if (!nb) break;
      buf = nb;
    }
    ssize_t k = recv(fd, buf + len, cap - len, 0);
    if (k <= 0) break;
    len += (size_t)k;
    buf[len] = '\0';
    if (hdr_end < 0) {
      char *e = strstr(buf, "\r\n\r\n");
      if (e) {
        hdr_end = e - buf + 4;
        size_t hl = (size_t)hdr_end < sizeof r->head ? (size_t)hdr_end : sizeof r->head - 1;
        memcpy(r->head, buf, hl);
        r->head[hl] = '\0';
        char v[32];
        if (head_only) want = 0;
        else if (tc_header(r, "Content-Length", v, sizeof v)) want = strtoull(v, NULL, 10);
        sscanf(buf, "HTTP/1.%*d %d", &r->status);
        /* skip interim 100 Continue */
        if (r->status == 100) {
          memmove(buf, buf + hdr_end, len - (size_t)hdr_end);
          len -= (size_t)hdr_end;
          buf[len] = '\0';
          hdr_end = -1;
          want = (size_t)-1;
          r->status = 0;
        }
      }
    }
  }
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  r->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  if (hdr_end < 0) {
    free(buf);
    r->body = NULL;
    return -1;
  }
  r->body_len = len - (size_t)hdr_end;
  if (want != (size_t)-1 && r->body_len > want) r->body_len = want;
  r->body = malloc(r->body_len + 1);
  memcpy(r->body, buf + hdr_end, r->body_len);
  r->body[r->body_len] = '\0';
  free(buf);
  return 0;
}

/** Sends raw request bytes on a fresh connection and reads the response. */
static inline int tc_raw(int port, const char *req, size_t n, tc_resp_t *r) {
  memset(r, 0, sizeof *r);
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  int fd = tc_connect(port);
  if (fd < 0) return -1;
  tc_send(fd, req, n); /* the server may close early (413): still read its answer */
  int rc = tc_read(fd, r, strncmp(req, "HEAD ", 5) == 0, t0);
  close(fd);
  return rc;
}

/** One request: method, target, extra header lines ("A: b\r\n…" or NULL), body (may be NULL). */
static inline int tc_req(int port, const char *method, const char *target, const char *headers, const char *body,
                         tc_resp_t *r) {
  size_t bl = body ? strlen(body) : 0;
  size_t cap = strlen(method) + strlen(target) + (headers ? strlen(headers) : 0) + bl + 256;
  char *req = malloc(cap);
  int n = snprintf(req, cap, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s", method, target,
                   headers ? headers : "");
  if (body) n += snprintf(req + n, cap - (size_t)n, "Content-Length: %zu\r\n", bl);
  n += snprintf(req + n, cap - (size_t)n, "\r\n");
  if (body) {
    memcpy(req + n, body, bl);
    n += (int)bl;
  }
  int rc = tc_raw(port, req, (size_t)n, r);
  free(req);
  return rc;
}

static inline void tc_free(tc_resp_t *r) {
  free(r->body);
  r->body = NULL;
}

#endif
