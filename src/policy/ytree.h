/* A small YAML document tree (libyaml underneath) with line numbers, for rule files and test cases. */
#ifndef NP_POLICY_YTREE_H
#define NP_POLICY_YTREE_H
#include <stdbool.h>
#include <stddef.h>
#include "core/arena.h"
#include "core/err.h"

typedef enum np_ynode_type { NP_Y_SCALAR = 0, NP_Y_SEQ, NP_Y_MAP } np_ynode_type;

typedef struct np_ynode np_ynode_t;
struct np_ynode {
  np_ynode_type type;
  const char *s;        /* scalar text (NUL-terminated) */
  bool plain;           /* scalar written without quotes */
  np_ynode_t **items;   /* seq: items; map: key0, value0, key1, value1 … */
  size_t n;             /* seq: items; map: pairs */
  int line, col;        /* 1-based; scalar: where its text starts */
  int text_line;        /* literal/folded block scalars: line of the first content line */
};

/**
 * Parses one YAML document from text[0..len) into a tree in arena. Errors name "file:line:col".
 * Duplicate keys in a mapping are rejected. Aliases and anchors are refused (no expansion bombs).
 */
np_err np_ytree_parse(np_arena_t *arena, const char *file, const char *text, size_t len, np_ynode_t **out,
                      np_errdetail_t *err);

/** Value of key in a mapping, or NULL. */
const np_ynode_t *np_ytree_get(const np_ynode_t *map, const char *key);
/** Scalar text of key, or NULL (also when not a scalar). */
const char *np_ytree_str(const np_ynode_t *map, const char *key);

#endif
