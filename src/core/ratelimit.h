/*
 * Token-bucket rate limits per key (a client address, an API key): `per_minute` tokens refilled
 * continuously. In memory and per process (behind several nodes each node counts its own); bounded
 * memory: least recently used keys are forgotten. Thread-safe.
 */
#ifndef NP_CORE_RATELIMIT_H
#define NP_CORE_RATELIMIT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct np_ratelimit np_ratelimit_t;

/** A limiter with room for `slots` keys (least recently used ones are forgotten). */
np_ratelimit_t *np_ratelimit_new(size_t slots);
void np_ratelimit_free(np_ratelimit_t *rl);

/**
 * Takes one token for `key` from a bucket of `per_minute` tokens refilled continuously, at time
 * now_ms. True when allowed; false with *retry_after_s (may be NULL) = seconds until the next token.
 * Thread-safe.
 */
bool np_ratelimit_take(np_ratelimit_t *rl, const char *key, int per_minute, int64_t now_ms, int *retry_after_s);

/** Milliseconds of a monotonic clock (for np_ratelimit_take). */
int64_t np_ratelimit_now_ms(void);

#endif
