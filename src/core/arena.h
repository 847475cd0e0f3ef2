/* Region allocator: request-scoped data comes from here and is freed in one go. */
#ifndef NP_CORE_ARENA_H
#define NP_CORE_ARENA_H
#include <stddef.h>
#include <stdarg.h>

typedef struct np_arena np_arena_t;

/** Creates an arena that refuses to grow past `cap` bytes in total (0 = 64 MiB). NULL on OOM. */
np_arena_t *np_arena_new(size_t cap);

/** Frees the arena and everything allocated from it. NULL is allowed. */
void np_arena_free(np_arena_t *a);

/** Releases all allocations but keeps the first block for reuse. */
void np_arena_reset(np_arena_t *a);

/** Allocates n bytes aligned to 16; NULL when n is 0, over the cap, or on OOM. Memory is not zeroed. */
void *np_arena_alloc(np_arena_t *a, size_t n);

/** Allocates zeroed room for `count` items of `size` bytes, checking the product for overflow. */
void *np_arena_calloc(np_arena_t *a, size_t count, size_t size);

/** Copies len bytes of s and adds a NUL. */
char *np_arena_strndup(np_arena_t *a, const char *s, size_t len);

/** Copies the NUL-terminated s. */
char *np_arena_strdup(np_arena_t *a, const char *s);

/** printf into the arena. */
char *np_arena_printf(np_arena_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *np_arena_vprintf(np_arena_t *a, const char *fmt, va_list ap);

/** Bytes handed out so far (for limits and tests). */
size_t np_arena_used(const np_arena_t *a);

#endif
