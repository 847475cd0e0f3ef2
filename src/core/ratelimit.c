/* Token-bucket rate limits per key, in memory (see ratelimit.h). */
#include "core/ratelimit.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/str.h"

typedef struct bucket {
  char key[72];
  double tokens;
  int64_t at_ms;  /* last refill */
  int64_t used_ms; /* last use, for eviction */
} bucket_t;

struct np_ratelimit {
  pthread_mutex_t mu;
  size_t n;
  bucket_t *b;
};

np_ratelimit_t *np_ratelimit_new(size_t slots) {
  if (slots == 0 || slots > (1u << 20)) return NULL;
  np_ratelimit_t *rl = calloc(1, sizeof *rl);
  if (!rl) return NULL;
  rl->b = calloc(slots, sizeof *rl->b);
  if (!rl->b) {
    free(rl);
    return NULL;
  }
  rl->n = slots;
  pthread_mutex_init(&rl->mu, NULL);
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

static uint64_t fnv(const char *s) {
  uint64_t h = 1469598103934665603ULL;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
  return h;
}

#define PROBE 8

bool np_ratelimit_take(np_ratelimit_t *rl, const char *key, int per_minute, int64_t now_ms, int *retry_after_s) {
  if (retry_after_s) *retry_after_s = 0;
  if (!rl || !key || per_minute <= 0) return true;
  pthread_mutex_lock(&rl->mu);
  size_t h = (size_t)(fnv(key) % rl->n), victim = h;
  bucket_t *b = NULL;
  for (size_t i = 0; i < PROBE; i++) {
    bucket_t *c = &rl->b[(h + i) % rl->n];
    if (c->key[0] && strcmp(c->key, key) == 0) {
      b = c;
      break;
    }
    if (!c->key[0] || c->used_ms < rl->b[victim].used_ms) victim = (h + i) % rl->n;
    if (!c->key[0]) break;
  }
  if (!b) { /* new key (or forgotten one): a full bucket */
    b = &rl->b[victim];
    np_strlcpy(b->key, key, sizeof b->key);
    b->tokens = per_minute;
    b->at_ms = now_ms;
  }
  double rate = per_minute / 60000.0; /* tokens per ms */
  if (now_ms > b->at_ms) b->tokens += (double)(now_ms - b->at_ms) * rate;
  if (b->tokens > per_minute) b->tokens = per_minute;
  b->at_ms = now_ms;
  b->used_ms = now_ms;
  bool ok = b->tokens >= 1.0;
  if (ok) b->tokens -= 1.0;
  else if (retry_after_s) {
    double wait_ms = (1.0 - b->tokens) / rate;
    int s = (int)((wait_ms + 999.0) / 1000.0);
    *retry_after_s = s < 1 ? 1 : s;
  }
  pthread_mutex_unlock(&rl->mu);
  return ok;
}

