/* Token-bucket rate limits per key, in memory (see ratelimit.h). */
#include "core/ratelimit.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/str.h"

#define PROBE 8 /* slots looked at per key */

typedef struct bucket {
  char key[64];   /* "" = free */
  double tokens;
  int64_t at_ms;  /* last refill */
  int64_t used_ms; /* last use, for eviction */
  bool refused;    /* a refusal was reported since the last allowed request */
} bucket_t;

struct np_ratelimit {
  pthread_mutex_t mu;
  size_t n;
  unsigned char hkey[crypto_shorthash_KEYBYTES]; /* random per limiter */
  bucket_t *b;
};

np_ratelimit_t *np_ratelimit_new(size_t slots) {
  if (slots < PROBE || slots > ((size_t)1 << 24) || sodium_init() < 0) return NULL;
  np_ratelimit_t *rl = calloc(1, sizeof *rl);
  if (!rl) return NULL;
  rl->b = calloc(slots, sizeof *rl->b);
  if (!rl->b || pthread_mutex_init(&rl->mu, NULL) != 0) {
    free(rl->b);
    free(rl);
    return NULL;
  }
  rl->n = slots;
  crypto_shorthash_keygen(rl->hkey);
  return rl;
}

void np_ratelimit_free(np_ratelimit_t *rl) {
  if (!rl) return;
  pthread_mutex_destroy(&rl->mu);
  free(rl->b);
  free(rl);
}

int64_t np_ratelimit_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

np_rl_result np_ratelimit_hit(np_ratelimit_t *rl, const char *key_in, int limit, int window_s, int64_t now_ms,
                              int *retry_after_s) {
  if (retry_after_s) *retry_after_s = 0;
  if (!rl || limit <= 0 || window_s <= 0) return NP_RL_ALLOW;
  char key[64];
  np_strlcpy(key, key_in ? key_in : "", sizeof key);
  unsigned char h[crypto_shorthash_BYTES];
  uint64_t hv;
  crypto_shorthash(h, (const unsigned char *)key, strlen(key), rl->hkey);
  memcpy(&hv, h, sizeof hv);
  double rate = (double)limit / (window_s * 1000.0); /* tokens per ms */
  pthread_mutex_lock(&rl->mu);
  bucket_t *b = NULL, *victim = NULL;
  for (size_t i = 0; i < PROBE; i++) {
    bucket_t *c = &rl->b[(hv + i) % rl->n];
    if (c->key[0] && strcmp(c->key, key) == 0) {
      b = c;
      break;
    }
    if (!c->key[0]) {
      if (!victim || victim->key[0]) victim = c;
    } else if (!victim || (victim->key[0] && c->used_ms < victim->used_ms)) {
      victim = c;
    }
  }
  if (!b) { /* a new (or forgotten) key: a full bucket */
    b = victim;
    np_strlcpy(b->key, key, sizeof b->key);
    b->tokens = limit;
    b->at_ms = now_ms;
    b->refused = false;
  }
  if (now_ms > b->at_ms) b->tokens += (double)(now_ms - b->at_ms) * rate;
  if (b->tokens > limit) b->tokens = limit;
  b->at_ms = now_ms;
  b->used_ms = now_ms;
  np_rl_result res = NP_RL_ALLOW;
  if (b->tokens >= 1.0) {
    b->tokens -= 1.0;
    b->refused = false;
  } else {
    res = b->refused ? NP_RL_DENY : NP_RL_DENY_FIRST;
    b->refused = true;
    if (retry_after_s) {
      double wait_ms = (1.0 - b->tokens) / rate;
      int s = (int)((wait_ms + 999.0) / 1000.0);
      *retry_after_s = s < 1 ? 1 : s;
    }
  }
  pthread_mutex_unlock(&rl->mu);
  return res;
}

bool np_ratelimit_take(np_ratelimit_t *rl, const char *key, int per_minute, int64_t now_ms, int *retry_after_s) {
  return np_ratelimit_hit(rl, key, per_minute, 60, now_ms, retry_after_s) == NP_RL_ALLOW;
}

void np_ratelimit_ip_key(const char *ip, char out[64]) {
  out[0] = '\0';
  if (!ip) return;
  unsigned char a6[16];
  if (strchr(ip, ':') && inet_pton(AF_INET6, ip, a6) == 1 && !IN6_IS_ADDR_V4MAPPED((struct in6_addr *)(void *)a6)) {
    memset(a6 + 8, 0, 8);
    char buf[INET6_ADDRSTRLEN];
    if (inet_ntop(AF_INET6, a6, buf, sizeof buf)) {
      np_strlcpy(out, buf, 64);
      size_t n = strlen(out);
      if (n + 3 < 64) memcpy(out + n, "/64", 4);
      return;
    }
  }
  np_strlcpy(out, ip, 64);
}
