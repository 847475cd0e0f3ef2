#include "core/arena.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN 16
#define ARENA_BLOCK (64 * 1024)

typedef struct block {
  struct block *next;
  size_t size, used;
  _Alignas(16) unsigned char data[];
} block_t;

struct np_arena {
  block_t *head;
  size_t cap, total;
};

static block_t *block_new(size_t size) {
  if (size > SIZE_MAX - sizeof(block_t)) return NULL;
  block_t *b = malloc(sizeof(block_t) + size);
  if (!b) return NULL;
  b->next = NULL;
  b->size = size;
  b->used = 0;
  return b;
}

np_arena_t *np_arena_new(size_t cap) {
  np_arena_t *a = calloc(1, sizeof *a);
  if (!a) return NULL;
  a->cap = cap ? cap : (size_t)64 << 20;
  return a;
}

void np_arena_free(np_arena_t *a) {
  if (!a) return;
  block_t *b = a->head;
  while (b) {
    block_t *n = b->next;
    free(b);
    b = n;
  }
  free(a);
}

void np_arena_reset(np_arena_t *a) {
  if (!a || !a->head) return;
  block_t *b = a->head;
  /* keep the oldest block (last in the list) */
  while (b->next) {
    block_t *n = b->next;
    free(b);
    b = n;
  }
  a->head = b;
  b->used = 0;
  a->total = 0;
}

void *np_arena_alloc(np_arena_t *a, size_t n) {
  if (!a || n == 0) return NULL;
  if (n > SIZE_MAX - ARENA_ALIGN) return NULL;
  size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
  if (need > a->cap || a->total > a->cap - need) return NULL;
  block_t *b = a->head;
  if (!b || b->size - b->used < need) {
    size_t size = need > ARENA_BLOCK ? need : ARENA_BLOCK;
    block_t *nb = block_new(size);
    if (!nb) return NULL;
    if (b && need > ARENA_BLOCK && b->size - b->used >= ARENA_BLOCK / 4) {
      /* large one-off: put it behind the current block so the current block stays in use */
      nb->next = b->next;
      b->next = nb;
      nb->used = need;
      a->total += need;
      return nb->data;
    }
    nb->next = b;
    a->head = nb;
    b = nb;
  }
  void *p = b->data + b->used;
  b->used += need;
  a->total += need;
  return p;
}

void *np_arena_calloc(np_arena_t *a, size_t count, size_t size) {
  if (size && count > SIZE_MAX / size) return NULL;
  void *p = np_arena_alloc(a, count * size);
  if (p) memset(p, 0, count * size);
  return p;
}

char *np_arena_strndup(np_arena_t *a, const char *s, size_t len) {
  if (len == SIZE_MAX) return NULL;
  char *p = np_arena_alloc(a, len + 1);
  if (!p) return NULL;
  if (len) memcpy(p, s, len);
  p[len] = '\0';
  return p;
}

char *np_arena_strdup(np_arena_t *a, const char *s) {
  return s ? np_arena_strndup(a, s, strlen(s)) : NULL;
}

char *np_arena_vprintf(np_arena_t *a, const char *fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap2);
  va_end(ap2);
  if (n < 0) return NULL;
  char *p = np_arena_alloc(a, (size_t)n + 1);
  if (!p) return NULL;
  vsnprintf(p, (size_t)n + 1, fmt, ap);
  return p;
}

char *np_arena_printf(np_arena_t *a, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *p = np_arena_vprintf(a, fmt, ap);
  va_end(ap);
  return p;
}

size_t np_arena_used(const np_arena_t *a) {
  return a ? a->total : 0;
}
