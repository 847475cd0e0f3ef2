/* The built web UI (ui/dist): content types, cache headers, SPA fallback, no listing, no traversal. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core/log.h"
#include "http/internal.h"

static const struct {
  const char *ext, *type;
} types[] = {
  {"html", "text/html; charset=utf-8"},
  {"js", "text/javascript; charset=utf-8"},
  {"mjs", "text/javascript; charset=utf-8"},
  {"css", "text/css; charset=utf-8"},
  {"svg", "image/svg+xml"},
  {"png", "image/png"},
  {"jpg", "image/jpeg"},
  {"jpeg", "image/jpeg"},
  {"gif", "image/gif"},
  {"ico", "image/x-icon"},
  {"webp", "image/webp"},
  {"woff2", "font/woff2"},
  {"woff", "font/woff"},
  {"ttf", "font/ttf"},
  {"json", "application/json; charset=utf-8"},
  {"map", "application/json; charset=utf-8"},
  {"webmanifest", "application/manifest+json"},
  {"txt", "text/plain; charset=utf-8"},
  {"wasm", "application/wasm"},
};

static const char *ext_of(const char *name) {
  const char *dot = strrchr(name, '.');
  return dot && dot != name ? dot + 1 : NULL;
}

static const char *content_type(const char *name) {
  const char *ext = ext_of(name);
  if (ext)
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
      if (strcasecmp(ext, types[i].ext) == 0) return types[i].type;
  return "application/octet-stream";
}

/* Opens segs[0..n) below the UI folder, one component at a time, never following a symlink.
 * Returns a descriptor of a regular file, or -1. */
static int open_below(int root, char *const *segs, int n, struct stat *st) {
  int dir = root;
  int fd = -1;
  for (int i = 0; i < n; i++) {
    bool last = i == n - 1;
    int flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | (last ? O_NONBLOCK : O_DIRECTORY);
    fd = openat(dir, segs[i], flags);
    if (dir != root) close(dir);
    if (fd < 0) return -1;
    dir = fd;
  }
  if (fd < 0) return -1;
  if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
    close(fd);
    return -1;
  }
  return fd;
}

static void send_file(np_req_t *r, int fd, const struct stat *st, const char *name, const char *cache) {
  char etag[64];
  snprintf(etag, sizeof etag, "W/\"%llx-%llx\"", (unsigned long long)st->st_size,
           (unsigned long long)st->st_mtim.tv_sec * 1000000000ULL + (unsigned long long)st->st_mtim.tv_nsec);
  np_resp_header(r, "Cache-Control", cache);
  np_resp_header(r, "ETag", etag);
  const char *inm = np_req_header(r, "If-None-Match");
  if (inm && strstr(inm, etag)) {
    close(fd);
    struct MHD_Response *resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    np_resp_send(r, 304, resp, 0, cache);
    return;
  }
  struct MHD_Response *resp = MHD_create_response_from_fd((size_t)st->st_size, fd);
  if (!resp) {
    close(fd);
    np_resp_error(r, 503, "busy", NULL, "out of memory, try again");
    return;
  }
  MHD_add_response_header(resp, "Content-Type", content_type(name));
  np_resp_send(r, 200, resp, r->head ? 0 : (uint64_t)st->st_size, cache);
}

void np_static_serve(np_req_t *r) {
  if (r->h->ui_fd < 0) {
    np_resp_error(r, 404, "not_found", NULL, "no such page");
    return;
  }
  int n = r->nsegs;
  /* a trailing slash names a folder: never listed, handled like an unknown page */
  bool trailing = n > 0 && r->segs[n - 1][0] == '\0';
  if (trailing) n--;
  for (int i = 0; i < n; i++) {
    const char *s = r->segs[i];
    if (!s[0] || s[0] == '.' || strchr(s, '/') || strchr(s, '\\')) {
      np_resp_error(r, 400, "bad_path", NULL, "bad path");
      return;
    }
  }
  struct stat st;
  if (n > 0 && !trailing) {
    int fd = open_below(r->h->ui_fd, r->segs, n, &st);
    if (fd >= 0) {
      bool hashed = n > 1 && strcmp(r->segs[0], "assets") == 0;
      send_file(r, fd, &st, r->segs[n - 1], hashed ? "public, max-age=31536000, immutable" : "no-cache");
      return;
    }
    if (ext_of(r->segs[n - 1])) {
      np_resp_error(r, 404, "not_found", NULL, "no such file");
      return;
    }
  }
  /* "/", folders and client-side routes: the application's index.html */
  char *index[] = {"index.html"};
  int fd = open_below(r->h->ui_fd, index, 1, &st);
  if (fd < 0) {
    np_resp_error(r, 404, "not_found", NULL, "no such page (the UI has no index.html)");
    return;
  }
  send_file(r, fd, &st, "index.html", "no-cache");
}
