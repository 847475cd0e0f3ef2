/*
 * A small in-memory limiter of attempts per key (the client IP for POST /api/v1/session): at most
 * `limit` attempts in a window of `window_s` seconds that starts with the first attempt. Bounded
 * memory (a fixed table; when it is full of live entries the oldest window is evicted), one mutex,
 * safe from every server thread. Per node: behind several nodes the limit applies per node.
 */
#ifndef NP_AUTH_RATELIMIT_H
#define NP_AUTH_RATELIMIT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct np_auth_rl np_auth_rl_t;

typedef enum np_rl_result {
  NP_RL_ALLOW = 0,      /* counted */
  NP_RL_DENY_FIRST = 1, /* refused, the first refusal of this window (log/audit it once) */
  NP_RL_DENY = 2,       /* refused again */
} np_rl_result;

/** A limiter of `limit` attempts per `window_s` seconds with room for `slots` keys; NULL on OOM/bad args. */
np_auth_rl_t *np_auth_rl_new(unsigned limit, unsigned window_s, size_t slots);
/** Frees it (NULL allowed). */
void np_auth_rl_free(np_auth_rl_t *rl);
/**
 * Counts an attempt for key at time now (seconds). Refused attempts are not counted. When refused,
 * *retry_after (may be NULL) is the number of seconds until the window ends (at least 1).
 */
np_rl_result np_auth_rl_hit(np_auth_rl_t *rl, const char *key, int64_t now, int *retry_after);
/**
 * The limiter key of a client address: IPv4 as is, IPv6 reduced to its /64 (one subscriber usually
 * holds a whole /64), anything else as given (cut to 63 bytes).
 */
void np_auth_rl_ip_key(const char *ip, char out[64]);

#endif
