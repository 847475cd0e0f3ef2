#include "http/router.h"
#include <stdlib.h>
#include <string.h>

enum { M_GET, M_POST, M_PUT, M_PATCH, M_DELETE, M__COUNT };
static const char *const method_names[M__COUNT] = {"GET", "POST", "PUT", "PATCH", "DELETE"};

typedef struct rnode {
  char *lit;               /* literal segment; NULL for the parameter child */
  struct rnode **kids;     /* literal children */
  size_t nkids, capkids;
  struct rnode *param;     /* `{name}` child */
  np_route_t *routes[M__COUNT];
} rnode_t;

struct np_router {
  rnode_t root;
  np_route_t **all;
  size_t nall, capall;
};

static int method_index(const char *m) {
  if (!m) return -1;
  for (int i = 0; i < M__COUNT; i++)
    if (strcmp(m, method_names[i]) == 0) return i;
  return -1;
}

np_router_t *np_router_new(void) {
  return calloc(1, sizeof(np_router_t));
}

static void node_free(rnode_t *n) {
  for (size_t i = 0; i < n->nkids; i++) {
    node_free(n->kids[i]);
    free(n->kids[i]);
  }
  free(n->kids);
  if (n->param) {
    node_free(n->param);
    free(n->param);
  }
  free(n->lit);
}

static void route_free(np_route_t *r) {
  if (!r) return;
  free(r->method);
  free(r->pattern);
  free(r->action);
  for (int i = 0; i < r->nparams; i++) free(r->param_names[i]);
  free(r);
}

void np_router_free(np_router_t *rt) {
  if (!rt) return;
  node_free(&rt->root);
  for (size_t i = 0; i < rt->nall; i++) route_free(rt->all[i]);
  free(rt->all);
  free(rt);
}

static rnode_t *child_lit(rnode_t *n, const char *seg, size_t len, bool create) {
  for (size_t i = 0; i < n->nkids; i++)
    if (strlen(n->kids[i]->lit) == len && memcmp(n->kids[i]->lit, seg, len) == 0) return n->kids[i];
  if (!create) return NULL;
  if (n->nkids == n->capkids) {
    size_t cap = n->capkids ? n->capkids * 2 : 4;
    rnode_t **k = realloc(n->kids, cap * sizeof *k);
    if (!k) return NULL;
    n->kids = k;
    n->capkids = cap;
  }
  rnode_t *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  c->lit = strndup(seg, len);
  if (!c->lit) {
    free(c);
    return NULL;
  }
  n->kids[n->nkids++] = c;
  return c;
}

static bool valid_lit(const char *s, size_t n) {
  if (n == 0) return false;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c <= 0x20 || c >= 0x7f || c == '{' || c == '}' || c == '%' || c == '?' || c == '#') return false;
  }
  return true;
}

np_err np_router_add(np_router_t *rt, const char *method, const char *pattern, np_handler_fn fn,
                     const np_route_opts_t *opts, np_errdetail_t *err) {
  int mi = method_index(method);
  if (mi < 0) return np_fail(err, NP_ERR_INVALID, "bad_method", "method", "unsupported method %s", method ? method : "");
  if (!pattern || pattern[0] != '/' || !fn)
    return np_fail(err, NP_ERR_INVALID, "bad_pattern", "pattern", "pattern must start with '/'");
  np_route_t *r = calloc(1, sizeof *r);
  if (!r) return np_fail(err, NP_ERR_NOMEM, NULL, NULL, "out of memory");
  np_err e = NP_OK;
  r->method = strdup(method);
  r->pattern = strdup(pattern);
  r->fn = fn;
  if (opts) r->opts = *opts;
  r->opts.action = NULL;
  if (opts && opts->action) r->opts.action = r->action = strdup(opts->action);
  if (!r->method || !r->pattern || (opts && opts->action && !r->action)) {
    e = np_fail(err, NP_ERR_NOMEM, NULL, NULL, "out of memory");
    goto out;
  }
  rnode_t *n = &rt->root;
  const char *p = pattern + 1;
  int pos = 0;
  if (*p) {
    for (;;) {
      const char *slash = strchr(p, '/');
      size_t len = slash ? (size_t)(slash - p) : strlen(p);
      if (len >= 3 && p[0] == '{' && p[len - 1] == '}') {
        if (r->nparams >= NP_ROUTE_MAX_PARAMS || !valid_lit(p + 1, len - 2)) {
          e = np_fail(err, NP_ERR_INVALID, "bad_pattern", "pattern", "bad parameter in %s", pattern);
          goto out;
        }
        r->param_names[r->nparams] = strndup(p + 1, len - 2);
        if (!r->param_names[r->nparams]) {
          e = np_fail(err, NP_ERR_NOMEM, NULL, NULL, "out of memory");
          goto out;
        }
        r->param_pos[r->nparams++] = pos;
        if (!n->param) n->param = calloc(1, sizeof(rnode_t));
        n = n->param;
      } else {
        if (!valid_lit(p, len)) {
          e = np_fail(err, NP_ERR_INVALID, "bad_pattern", "pattern", "bad segment in %s", pattern);
          goto out;
        }
        n = child_lit(n, p, len, true);
      }
      if (!n) {
        e = np_fail(err, NP_ERR_NOMEM, NULL, NULL, "out of memory");
        goto out;
      }
      pos++;
      if (!slash) break;
      p = slash + 1;
    }
  }
  if (n->routes[mi]) {
    e = np_fail(err, NP_ERR_CONFLICT, "duplicate_route", "pattern", "%s %s registered twice (first as %s)", method,
                pattern, n->routes[mi]->pattern);
    goto out;
  }
  if (rt->nall == rt->capall) {
    size_t cap = rt->capall ? rt->capall * 2 : 64;
    np_route_t **a = realloc(rt->all, cap * sizeof *a);
    if (!a) {
      e = np_fail(err, NP_ERR_NOMEM, NULL, NULL, "out of memory");
      goto out;
    }
    rt->all = a;
    rt->capall = cap;
  }
  n->routes[mi] = r;
  rt->all[rt->nall++] = r;
  return NP_OK;
out:
  route_free(r);
  return e;
}

static bool has_any(const rnode_t *n) {
  for (int i = 0; i < M__COUNT; i++)
    if (n->routes[i]) return true;
  return false;
}

/* Depth-first, literal before parameter. *seen405 records the first full-length node without the method. */
static const np_route_t *walk(const rnode_t *n, int mi, char *const *segs, int i, int nsegs, const rnode_t **seen405) {
  if (i == nsegs) {
    if (mi >= 0 && n->routes[mi]) return n->routes[mi];
    if (!*seen405 && has_any(n)) *seen405 = n;
    return NULL;
  }
  const char *s = segs[i];
  for (size_t k = 0; k < n->nkids; k++) {
    if (strcmp(n->kids[k]->lit, s) == 0) {
      const np_route_t *r = walk(n->kids[k], mi, segs, i + 1, nsegs, seen405);
      if (r) return r;
      break;
    }
  }
  if (n->param && s[0]) return walk(n->param, mi, segs, i + 1, nsegs, seen405);
  return NULL;
}

void np_router_match(const np_router_t *rt, const char *method, char *const *segs, int nsegs, np_route_match_t *m) {
  memset(m, 0, sizeof *m);
  const rnode_t *n405 = NULL;
  const np_route_t *r = walk(&rt->root, method_index(method), segs, 0, nsegs, &n405);
  if (r) {
    m->status = 200;
    m->route = r;
    m->nparams = r->nparams;
    for (int i = 0; i < r->nparams; i++) {
      m->names[i] = r->param_names[i];
      m->values[i] = segs[r->param_pos[i]];
    }
    return;
  }
  if (!n405) {
    m->status = 404;
    return;
  }
  m->status = 405;
  size_t o = 0;
  for (int i = 0; i < M__COUNT; i++) {
    if (!n405->routes[i]) continue;
    size_t need = strlen(method_names[i]) + 2;
    if (o + need >= sizeof m->allow) break;
    if (o) {
      memcpy(m->allow + o, ", ", 2);
      o += 2;
    }
    memcpy(m->allow + o, method_names[i], need - 2);
    o += need - 2;
  }
  m->allow[o] = '\0';
}

void np_router_each(const np_router_t *rt, void (*fn)(const char *method, const char *pattern, void *ctx), void *ctx) {
  for (size_t i = 0; i < rt->nall; i++) fn(rt->all[i]->method, rt->all[i]->pattern, ctx);
}
