/*
 * The rule expression language (docs/POLICY.md): lexer, parser and type checker.
 *
 * An expression is parsed into a tree (np_pexpr_t), then checked against a binding environment
 * (the policy's entity kind, its `let` definitions and the package's parameters). Checking resolves
 * every name to a column, a let or a parameter, gives every node a type and picks the exact
 * operation (integer, rational, date arithmetic), so the evaluators never look at names again: the
 * checked tree is the plan both evaluators (column-wise and single-entity) execute.
 */
#ifndef NP_POLICY_LANG_H
#define NP_POLICY_LANG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/arena.h"
#include "core/err.h"
#include "policy/facts.h"

typedef enum np_pnk {
  NP_NK_LIT = 0,
  NP_NK_NAME,   /* unresolved path a.b.c (parser output) */
  NP_NK_FIELD,  /* resolved column: scope depth + link chain + field */
  NP_NK_PARAM,  /* param(name[, args…]) */
  NP_NK_LET,
  NP_NK_ASOF,
  NP_NK_UNARY,
  NP_NK_BINARY,
  NP_NK_IF,
  NP_NK_CALL,   /* built-in function */
  NP_NK_AGG,    /* sum/min/max(expr for x in coll where c), count/exists(x in coll where c) */
  NP_NK_IN,     /* x in [lit, …] */
} np_pnk_t;

/* Operations, chosen by the checker from the operand types. */
typedef enum np_pop {
  NP_OP_NONE = 0,
  NP_OP_NOT, NP_OP_NEG_I, NP_OP_NEG_R,
  NP_OP_AND, NP_OP_OR,
  NP_OP_EQ_I, NP_OP_NE_I, NP_OP_LT_I, NP_OP_LE_I, NP_OP_GT_I, NP_OP_GE_I, /* integral, same scale */
  NP_OP_EQ_R, NP_OP_NE_R, NP_OP_LT_R, NP_OP_LE_R, NP_OP_GT_R, NP_OP_GE_R, /* rational (cross-multiplied) */
  NP_OP_ADD_I, NP_OP_SUB_I, NP_OP_MUL_I,
  NP_OP_ADD_R, NP_OP_SUB_R, NP_OP_MUL_R, NP_OP_DIV_R,
  NP_OP_DATE_ADD_M, NP_OP_DATE_SUB_M, /* date ± months (clamped to month end) */
} np_pop_t;

typedef enum np_pfn {
  NP_FN_YEAR = 0, NP_FN_MONTH, NP_FN_DATE, NP_FN_DAYS_BETWEEN, NP_FN_MONTHS_BETWEEN, NP_FN_AGE, NP_FN_KNOWN,
  NP_FN_COALESCE, NP_FN_MIN, NP_FN_MAX, NP_FN_ROUND_HALF_UP, NP_FN_ROUND_HALF_EVEN, NP_FN_ROUND_DOWN,
  NP_FN_ROUND_UP, NP_FN_YUAN, NP_FN_DAYS, NP_FN_MONTHS, NP_FN_START_OF_YEAR, NP_FN_END_OF_YEAR,
  NP_FN__COUNT
} np_pfn_t;

typedef enum np_pagg { NP_AGG_SUM = 0, NP_AGG_COUNT, NP_AGG_EXISTS, NP_AGG_MIN, NP_AGG_MAX } np_pagg_t;

#define NP_PMAX_DEPTH 4  /* entity + three nested aggregates */
#define NP_PMAX_CHAIN 3  /* links followed in one path */

typedef struct np_pexpr np_pexpr_t;
struct np_pexpr {
  np_pnk_t kind;
  np_pop_t op;
  np_ptype_t type;
  int line, col;               /* in the YAML file (1-based) */
  int64_t v, d;                /* literal value (d: denominator for rate/ratio, 1 otherwise) */
  const char *name;            /* path text, function/param/let name, aggregate alias */
  int idx;                     /* param / let index, function id, aggregate kind */
  /* NP_NK_FIELD (and the source of NP_NK_AGG): */
  int depth;                   /* scope the path starts from (0 = the policy's entity) */
  int nchain;
  int chain[NP_PMAX_CHAIN];    /* link indexes followed from the scope's kind */
  np_pkind_t fkind;            /* kind the field (or collection) belongs to */
  int field;                   /* field index (FIELD) or collection index (AGG) */
  np_pkind_t child;            /* AGG: kind of the collection's rows */
  int64_t lscale, rscale;      /* rational ops: fixed denominator of an operand (1, 1e6), 0 = its own */
  int dep;                     /* deepest scope the value depends on (−1: none, a constant of the run) */
  uint64_t sig;                /* structural hash (equal expressions, equal sig): shared aggregate filters */
  np_pexpr_t **args;           /* children; AGG: [value or NULL, where or NULL, source path] */
  int nargs;
};

/** A type plus a short description for messages. */
typedef struct np_pparam_sig {
  np_ptype_t type;
  int mode;                    /* 0 = read at a date, 1 = prorated by days */
  bool table_min_wage;         /* keyed by county code (the min-wage table) */
} np_pparam_sig_t;

/** What names mean while checking one expression. */
typedef struct np_penv {
  np_pkind_t entity;
  /* parameters: find by name → index and signature; −1 when unknown */
  int (*param_find)(void *ctx, const char *name, np_pparam_sig_t *sig);
  /* lets: find by name → index; −1 when unknown. let_type checks it on demand (cycles reported there) */
  int (*let_find)(void *ctx, const char *name);
  np_err (*let_type)(void *ctx, int idx, np_ptype_t *type, np_errdetail_t *err);
  void *ctx;
  const char *file;            /* for messages */
} np_penv_t;

/**
 * Parses text (one expression) into a tree allocated from arena. line/col: where text starts in the
 * file (messages say "file:line:col: …"). Syntax errors → NP_ERR_INVALID with code "syntax".
 */
np_err np_pexpr_parse(np_arena_t *arena, const char *file, const char *text, int line, int col, np_pexpr_t **out,
                      np_errdetail_t *err);

/**
 * Checks and resolves e in place (types, names, operations). Errors (NP_ERR_INVALID): "type"
 * (operands that do not fit, money × rate not rounded, …), "unknown_name", "arity", "cycle" (from
 * let_type). Messages start with "file:line:col: ".
 */
np_err np_pexpr_check(np_arena_t *arena, np_pexpr_t *e, const np_penv_t *env, np_errdetail_t *err);

/** Name of a built-in function. */
const char *np_pfn_name(np_pfn_t f);

/** Formats a typed value for people: "1234.56" (money), "5.5%" (rate), "2023-01-01", "unknown" … */
void np_pvalue_format(np_ptype_t t, int64_t v, int64_t d, char *out, size_t cap);

/** Parses a parameter value written in YAML for type t ("1500" yuan → fen, "60%" → ppm, dates …). */
np_err np_pvalue_parse(np_ptype_t t, const char *s, int64_t *v);

/** Type by name ("money"); −1 when unknown. */
int np_ptype_find(const char *name);

#endif
