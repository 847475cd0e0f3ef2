/*
 * Rate limits per key (a client address, an API key): one limiter for every place that needs one —
 * the sign-in attempts of an address, public pages, partner API keys. A token bucket per key holding
 * up to `limit` tokens, refilled continuously at `limit` per `window_s` seconds: a burst of `limit`,
 * then `limit` per window on average. In memory and per process (behind several nodes each node counts
 * its own); bounded memory (a fixed table probed from a keyed hash, so keys cannot be chosen to collide;
 * a full neighbourhood gives way to its least recently used key). One mutex; thread-safe.
 */
#ifndef NP_CORE_RATELIMIT_H
#define NP_CORE_RATELIMIT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct np_ratelimit np_ratelimit_t;

typedef enum np_rl_result {
  NP_RL_ALLOW = 0,      /* a token was taken */
  NP_RL_DENY_FIRST = 1, /* refused, the first refusal since the key was last allowed (log/audit it once) */
  NP_RL_DENY = 2,       /* refused again */
} np_rl_result;

/** A limiter with room for `slots` keys (8 .. 2^24); NULL on a bad size or no memory. */
np_ratelimit_t *np_ratelimit_new(size_t slots);
/** Frees it (NULL allowed). */
void np_ratelimit_free(np_ratelimit_t *rl);

/**
 * Counts one request for key at now_ms against `limit` per `window_s` seconds. Refused requests take
 * nothing. When refused, *retry_after_s (may be NULL) is the whole seconds until the next token (≥ 1).
 * A NULL limiter or a limit ≤ 0 allows (callers that must fail closed check for NULL themselves).
 */
np_rl_result np_ratelimit_hit(np_ratelimit_t *rl, const char *key, int limit, int window_s, int64_t now_ms,
                              int *retry_after_s);

/** np_ratelimit_hit with a window of one minute; true when allowed. */
bool np_ratelimit_take(np_ratelimit_t *rl, const char *key, int per_minute, int64_t now_ms, int *retry_after_s);

/** Milliseconds of a monotonic clock (for the two above). */
int64_t np_ratelimit_now_ms(void);

/**
 * The limiter key of a client address: IPv4 as is, IPv6 reduced to its /64 (one subscriber usually holds
 * a whole /64, so rotating addresses inside it gains nothing), IPv4-mapped IPv6 as is, anything else as
 * given (cut to 63 bytes).
 */
void np_ratelimit_ip_key(const char *ip, char out[64]);

#endif
