/* Result memo: direct-mapped slots, one mutex (entries are tiny; the lock is held for a memcmp). */
#include "store/memo.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "core/str.h"

#define MEMO_KEY_MAX 4096

typedef struct slot {
  char *key;
  size_t klen;
  uint64_t hash;
  int64_t seq, value;
} slot_t;

struct np_memo {
  pthread_mutex_t mu;
  size_t mask;
  uint64_t hits, misses;
  slot_t *slots;
};

static uint64_t key_hash(const char *p, size_t n) { return np_hash_fnv1a(NP_FNV1A_INIT, p, n); }

np_memo_t *np_memo_new(size_t slots) {
  size_t n = 16;
  while (n < slots && n < ((size_t)1 << 20)) n <<= 1;
  np_memo_t *m = calloc(1, sizeof *m);
  if (!m) return NULL;
  m->slots = calloc(n, sizeof *m->slots);
  if (!m->slots || pthread_mutex_init(&m->mu, NULL) != 0) {
    free(m->slots);
    free(m);
    return NULL;
  }
  m->mask = n - 1;
  return m;
}

void np_memo_free(np_memo_t *m) {
  if (!m) return;
  for (size_t i = 0; i <= m->mask; i++) free(m->slots[i].key);
  pthread_mutex_destroy(&m->mu);
  free(m->slots);
  free(m);
}

bool np_memo_get(np_memo_t *m, const char *key, size_t klen, int64_t seq, int64_t *out) {
  if (!m || klen > MEMO_KEY_MAX) return false;
  uint64_t h = key_hash(key, klen);
  bool hit = false;
  pthread_mutex_lock(&m->mu);
  slot_t *s = &m->slots[h & m->mask];
  if (s->key && s->hash == h && s->seq == seq && s->klen == klen && memcmp(s->key, key, klen) == 0) {
    *out = s->value;
    hit = true;
    m->hits++;
  } else {
    m->misses++;
  }
  pthread_mutex_unlock(&m->mu);
  return hit;
}

void np_memo_put(np_memo_t *m, const char *key, size_t klen, int64_t seq, int64_t value) {
  if (!m || klen > MEMO_KEY_MAX) return;
  uint64_t h = key_hash(key, klen);
  char *copy = malloc(klen ? klen : 1);
  if (!copy) return;
  memcpy(copy, key, klen);
  pthread_mutex_lock(&m->mu);
  slot_t *s = &m->slots[h & m->mask];
  char *old = s->key;
  *s = (slot_t){.key = copy, .klen = klen, .hash = h, .seq = seq, .value = value};
  pthread_mutex_unlock(&m->mu);
  free(old);
}

void np_memo_stats(np_memo_t *m, uint64_t *hits, uint64_t *misses) {
  *hits = *misses = 0;
  if (!m) return;
  pthread_mutex_lock(&m->mu);
  *hits = m->hits;
  *misses = m->misses;
  pthread_mutex_unlock(&m->mu);
}
