/* YAML → tree with line numbers (libyaml's document loader, copied into an arena). */
#include "policy/ytree.h"
#include <string.h>
#include <yaml.h>

static np_ynode_t *conv(np_arena_t *a, yaml_document_t *doc, yaml_node_t *yn, const char *file, int depth,
                        np_errdetail_t *err, np_err *e) {
  if (*e) return NULL;
  if (depth > 64) {
    *e = np_fail(err, NP_ERR_INVALID, "yaml", "", "%s:%d: nesting too deep", file, (int)yn->start_mark.line + 1);
    return NULL;
  }
  np_ynode_t *n = np_arena_calloc(a, 1, sizeof *n);
  if (!n) {
    *e = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
    return NULL;
  }
  n->line = (int)yn->start_mark.line + 1;
  n->col = (int)yn->start_mark.column + 1;
  n->text_line = n->line;
  switch (yn->type) {
  case YAML_SCALAR_NODE:
    n->type = NP_Y_SCALAR;
    n->s = np_arena_strndup(a, (const char *)yn->data.scalar.value, yn->data.scalar.length);
    n->plain = yn->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    if (yn->data.scalar.style == YAML_LITERAL_SCALAR_STYLE || yn->data.scalar.style == YAML_FOLDED_SCALAR_STYLE) {
      n->text_line = n->line + 1;
      n->col = 1;
    } else if (yn->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
      n->col++; /* past the quote */
    }
    if (!n->s) *e = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
    return n;
  case YAML_SEQUENCE_NODE: {
    n->type = NP_Y_SEQ;
    size_t cnt = (size_t)(yn->data.sequence.items.top - yn->data.sequence.items.start);
    n->items = np_arena_calloc(a, cnt ? cnt : 1, sizeof *n->items);
    if (!n->items) {
      *e = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
      return NULL;
    }
    for (size_t i = 0; i < cnt; i++) {
      yaml_node_t *c = yaml_document_get_node(doc, yn->data.sequence.items.start[i]);
      n->items[i] = conv(a, doc, c, file, depth + 1, err, e);
    }
    n->n = cnt;
    return n;
  }
  case YAML_MAPPING_NODE: {
    n->type = NP_Y_MAP;
    size_t cnt = (size_t)(yn->data.mapping.pairs.top - yn->data.mapping.pairs.start);
    n->items = np_arena_calloc(a, cnt ? 2 * cnt : 1, sizeof *n->items);
    if (!n->items) {
      *e = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
      return NULL;
    }
    for (size_t i = 0; i < cnt && !*e; i++) {
      yaml_node_pair_t *p = &yn->data.mapping.pairs.start[i];
      np_ynode_t *k = conv(a, doc, yaml_document_get_node(doc, p->key), file, depth + 1, err, e);
      np_ynode_t *v = conv(a, doc, yaml_document_get_node(doc, p->value), file, depth + 1, err, e);
      if (*e) return NULL;
      if (k->type != NP_Y_SCALAR) {
        *e = np_fail(err, NP_ERR_INVALID, "yaml", "", "%s:%d: mapping keys must be plain text", file, k->line);
        return NULL;
      }
      for (size_t j = 0; j < i; j++)
        if (strcmp(n->items[2 * j]->s, k->s) == 0) {
          *e = np_fail(err, NP_ERR_INVALID, "yaml", "", "%s:%d: duplicate key '%s' (first at line %d)", file, k->line, k->s,
                       n->items[2 * j]->line);
          return NULL;
        }
      n->items[2 * i] = k;
      n->items[2 * i + 1] = v;
    }
    n->n = cnt;
    return n;
  }
  default:
    *e = np_fail(err, NP_ERR_INVALID, "yaml", "", "%s:%d: empty node", file, n->line);
    return NULL;
  }
}

np_err np_ytree_parse(np_arena_t *arena, const char *file, const char *text, size_t len, np_ynode_t **out,
                      np_errdetail_t *err) {
  /* refuse anchors and aliases outright: rule files have no use for them */
  for (size_t i = 0; i < len; i++) {
    if ((text[i] == '&' || text[i] == '*') && (i == 0 || text[i - 1] == ' ' || text[i - 1] == '\n') && i + 1 < len &&
        ((text[i + 1] >= 'a' && text[i + 1] <= 'z') || (text[i + 1] >= 'A' && text[i + 1] <= 'Z'))) {
      /* only at value start positions: "key: &x" / "- *x"; a rule expression like "a * b" has a space after */
      size_t j = i;
      while (j > 0 && text[j - 1] == ' ') j--;
      if (j > 0 && (text[j - 1] == ':' || text[j - 1] == '-' || text[j - 1] == '\n')) {
        int line = 1;
        for (size_t k = 0; k < i; k++) line += text[k] == '\n';
        return np_fail(err, NP_ERR_INVALID, "yaml", "", "%s:%d: YAML anchors and aliases are not allowed", file, line);
      }
    }
  }
  yaml_parser_t p;
  yaml_document_t doc;
  if (!yaml_parser_initialize(&p)) return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
  np_err e = NP_OK;
  if (!yaml_parser_load(&p, &doc)) {
    e = np_fail(err, NP_ERR_INVALID, "yaml", "", "%s:%d:%d: %s%s%s", file, (int)p.problem_mark.line + 1,
                (int)p.problem_mark.column + 1, p.problem ? p.problem : "YAML error", p.context ? " " : "",
                p.context ? p.context : "");
    yaml_parser_delete(&p);
    return e;
  }
  yaml_node_t *root = yaml_document_get_root_node(&doc);
  if (!root) e = np_fail(err, NP_ERR_INVALID, "yaml", "", "%s:1: empty document", file);
  else *out = conv(arena, &doc, root, file, 0, err, &e);
  yaml_document_delete(&doc);
  yaml_parser_delete(&p);
  return e;
}

const np_ynode_t *np_ytree_get(const np_ynode_t *map, const char *key) {
  if (!map || map->type != NP_Y_MAP) return NULL;
  for (size_t i = 0; i < map->n; i++)
    if (strcmp(map->items[2 * i]->s, key) == 0) return map->items[2 * i + 1];
  return NULL;
}

const char *np_ytree_str(const np_ynode_t *map, const char *key) {
  const np_ynode_t *v = np_ytree_get(map, key);
  return v && v->type == NP_Y_SCALAR ? v->s : NULL;
}
