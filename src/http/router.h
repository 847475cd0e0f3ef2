/* Private to src/http: a segment trie mapping (method, path) to a route. Literal segments win
 * over `{param}` segments; a path known under other methods yields 405 and the Allow list. */
#ifndef NP_HTTP_ROUTER_H
#define NP_HTTP_ROUTER_H
#include "http/http.h"

#define NP_ROUTE_MAX_PARAMS 8

typedef struct np_route {
  char *method;
  char *pattern;
  np_handler_fn fn;
  np_route_opts_t opts; /* opts.action points to action */
  char *action;         /* owned copy */
  int nparams;
  char *param_names[NP_ROUTE_MAX_PARAMS];
  int param_pos[NP_ROUTE_MAX_PARAMS]; /* segment index of each parameter */
} np_route_t;

typedef struct np_route_match {
  const np_route_t *route; /* NULL unless status is 200 */
  int status;              /* 200 matched, 404 no such path, 405 path exists with other methods */
  char allow[64];          /* for 405: "GET, POST" */
  int nparams;
  const char *names[NP_ROUTE_MAX_PARAMS];
  const char *values[NP_ROUTE_MAX_PARAMS];
} np_route_match_t;

typedef struct np_router np_router_t;

/** Creates an empty router; NULL on OOM. */
np_router_t *np_router_new(void);
/** Frees a router and its routes. NULL allowed. */
void np_router_free(np_router_t *rt);
/** Adds a route; NP_ERR_INVALID for a bad method or pattern, NP_ERR_CONFLICT for a duplicate. */
np_err np_router_add(np_router_t *rt, const char *method, const char *pattern, np_handler_fn fn,
                     const np_route_opts_t *opts, np_errdetail_t *err);
/** Matches decoded segments; fills m (values point into segs). */
void np_router_match(const np_router_t *rt, const char *method, char *const *segs, int nsegs, np_route_match_t *m);
/** Calls fn for every route in registration order. */
void np_router_each(const np_router_t *rt, void (*fn)(const char *method, const char *pattern, void *ctx), void *ctx);

#endif
