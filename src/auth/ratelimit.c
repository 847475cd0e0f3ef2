/* Attempts per key in a fixed window (see ratelimit.h). */
#include "auth/ratelimit.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include "core/str.h"

#define PROBE 8 /* slots looked at per key */

typedef struct slot {
  char key[64];
  int64_t start; /* window start; 0 = free */
  unsigned count;
  bool denied; /* a refusal was already reported in this window */
} slot_t;

struct np_auth_rl {
  pthread_mutex_t mu;
  unsigned limit, window;
  size_t nslots;
  unsigned char hkey[crypto_shorthash_KEYBYTES]; /* random: keys cannot be chosen to collide */
  slot_t *slots;
};

np_auth_rl_t *np_auth_rl_new(unsigned limit, unsigned window_s, size_t slots) {
  if (limit == 0 || window_s == 0 || slots < PROBE || slots > ((size_t)1 << 24) || sodium_init() < 0) return NULL;
  np_auth_rl_t *rl = calloc(1, sizeof *rl);
  if (!rl) return NULL;
  rl->slots = calloc(slots, sizeof *rl->slots);
  if (!rl->slots) {
    free(rl);
    return NULL;
  }
  pthread_mutex_init(&rl->mu, NULL);
  rl->limit = limit;
  rl->window = window_s;
  rl->nslots = slots;
  crypto_shorthash_keygen(rl->hkey);
  return rl;
}

void np_auth_rl_free(np_auth_rl_t *rl) {
  if (!rl) return;
  pthread_mutex_destroy(&rl->mu);
  free(rl->slots);
  free(rl);
}

np_rl_result np_auth_rl_hit(np_auth_rl_t *rl, const char *key_in, int64_t now, int *retry_after) {
  if (retry_after) *retry_after = 0;
  if (!rl) return NP_RL_ALLOW;
  char key[64];
  np_strlcpy(key, key_in ? key_in : "", sizeof key);
  unsigned char h[crypto_shorthash_BYTES];
  crypto_shorthash(h, (const unsigned char *)key, strlen(key), rl->hkey);
  uint64_t hv;
  memcpy(&hv, h, sizeof hv);
  pthread_mutex_lock(&rl->mu);
  slot_t *hit = NULL, *spare = NULL, *oldest = NULL;
  for (size_t i = 0; i < PROBE; i++) {
    slot_t *s = &rl->slots[(hv + i) % rl->nslots];
    bool live = s->start != 0 && now < s->start + (int64_t)rl->window && now >= s->start;
    if (live && strcmp(s->key, key) == 0) {
      hit = s;
      break;
    }
    if (!live && !spare) spare = s;
    if (live && (!oldest || s->start < oldest->start)) oldest = s;
  }
  np_rl_result res = NP_RL_ALLOW;
  if (!hit) {
    hit = spare ? spare : oldest; /* full of live windows: the oldest one gives way */
    np_strlcpy(hit->key, key, sizeof hit->key);
    hit->start = now;
    hit->count = 0;
    hit->denied = false;
  }
  if (hit->count < rl->limit) {
    hit->count++;
  } else {
    res = hit->denied ? NP_RL_DENY : NP_RL_DENY_FIRST;
    hit->denied = true;
    if (retry_after) {
      int64_t left = hit->start + (int64_t)rl->window - now;
      *retry_after = left < 1 ? 1 : (int)left;
    }
  }
  pthread_mutex_unlock(&rl->mu);
  return res;
}

void np_auth_rl_ip_key(const char *ip, char out[64]) {
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
