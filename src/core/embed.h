/* Files embedded in the binary at build time: migrations, reference data, policy packages. */
#ifndef NP_CORE_EMBED_H
#define NP_CORE_EMBED_H
#include <stddef.h>

typedef struct np_embed_entry {
  const char *name;                /* "migrations/0001_store.sql", "ref/cities.csv" */
  const unsigned char *data;       /* NUL-terminated for convenience */
  const unsigned long long *len;   /* length without the NUL */
} np_embed_entry_t;

extern const np_embed_entry_t np_embed_table[];
extern const unsigned np_embed_count;

/** Returns the embedded file called `name`, or NULL. */
const np_embed_entry_t *np_embed_find(const char *name);

/** Calls fn for every embedded file whose name starts with `prefix`, in name order. */
void np_embed_each(const char *prefix, void (*fn)(const np_embed_entry_t *e, void *ctx), void *ctx);

#endif
