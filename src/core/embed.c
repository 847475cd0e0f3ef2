#include "core/embed.h"
#include <string.h>

const np_embed_entry_t *np_embed_find(const char *name) {
  for (unsigned i = 0; i < np_embed_count; i++)
    if (strcmp(np_embed_table[i].name, name) == 0) return &np_embed_table[i];
  return NULL;
}

void np_embed_each(const char *prefix, void (*fn)(const np_embed_entry_t *e, void *ctx), void *ctx) {
  size_t n = strlen(prefix);
  for (unsigned i = 0; i < np_embed_count; i++)
    if (strncmp(np_embed_table[i].name, prefix, n) == 0) fn(&np_embed_table[i], ctx);
}
