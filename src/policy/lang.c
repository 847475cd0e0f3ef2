/* The rule expression language: lexer, recursive-descent parser, type checker, value formatting. */
#include "policy/lang.h"
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/date.h"
#include "core/money.h"
#include "core/str.h"

/* ---------------------------------------------------------------- lexer */

typedef enum tk {
  TK_EOF = 0, TK_NUM, TK_DATE, TK_STR, TK_ID, TK_LP, TK_RP, TK_LB, TK_RB, TK_COMMA, TK_DOT, TK_PLUS, TK_MINUS,
  TK_STAR, TK_SLASH, TK_PCT, TK_EQ, TK_NE, TK_LT, TK_LE, TK_GT, TK_GE, TK_ERR
} tk_t;

typedef struct lex {
  const char *s;
  size_t i, n;
  int line, col;        /* of the current position */
  tk_t t;
  const char *tp;       /* token text */
  size_t tn;
  int tline, tcol;
  const char *file;
  np_arena_t *arena;
  np_errdetail_t *err;
  np_err e;
} lex_t;

static np_err lfail(lex_t *L, int line, int col, const char *code, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static np_err lfail(lex_t *L, int line, int col, const char *code, const char *fmt, ...) {
  if (!L->e) {
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    L->e = np_fail(L->err, NP_ERR_INVALID, code, "", "%s:%d:%d: %s", L->file, line, col, msg);
  }
  return L->e;
}

static void adv(lex_t *L, size_t k) {
  for (size_t j = 0; j < k && L->i < L->n; j++) {
    if (L->s[L->i] == '\n') {
      L->line++;
      L->col = 1;
    } else if (((unsigned char)L->s[L->i] & 0xC0) != 0x80) {
      L->col++;
    }
    L->i++;
  }
}

static bool isdig(char c) { return c >= '0' && c <= '9'; }
static bool isid0(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }

static void next(lex_t *L) {
  while (L->i < L->n && (L->s[L->i] == ' ' || L->s[L->i] == '\t' || L->s[L->i] == '\n' || L->s[L->i] == '\r')) adv(L, 1);
  if (L->i < L->n && L->s[L->i] == '#') /* comment to end of line */
    while (L->i < L->n && L->s[L->i] != '\n') adv(L, 1);
  while (L->i < L->n && (L->s[L->i] == ' ' || L->s[L->i] == '\t' || L->s[L->i] == '\n' || L->s[L->i] == '\r')) adv(L, 1);
  L->tline = L->line;
  L->tcol = L->col;
  L->tp = L->s + L->i;
  L->tn = 0;
  if (L->i >= L->n) {
    L->t = TK_EOF;
    return;
  }
  const char *p = L->s + L->i;
  size_t rest = L->n - L->i;
  char c = p[0];
  if (isdig(c)) {
    if (rest >= 10 && isdig(p[1]) && isdig(p[2]) && isdig(p[3]) && p[4] == '-' && isdig(p[5]) && isdig(p[6]) &&
        p[7] == '-' && isdig(p[8]) && isdig(p[9]) && (rest == 10 || !isdig(p[10]))) {
      L->t = TK_DATE;
      L->tn = 10;
      adv(L, 10);
      return;
    }
    size_t k = 0;
    while (k < rest && isdig(p[k])) k++;
    if (k + 1 < rest && p[k] == '.' && isdig(p[k + 1])) {
      k++;
      while (k < rest && isdig(p[k])) k++;
    }
    L->t = TK_NUM;
    L->tn = k;
    adv(L, k);
    return;
  }
  if (isid0(c)) {
    size_t k = 0;
    while (k < rest && (isid0(p[k]) || isdig(p[k]))) k++;
    L->t = TK_ID;
    L->tn = k;
    adv(L, k);
    return;
  }
  if (c == '\'' || c == '"') {
    size_t k = 1;
    while (k < rest && p[k] != c && p[k] != '\n') k++;
    if (k >= rest || p[k] != c) {
      L->t = TK_ERR;
      lfail(L, L->tline, L->tcol, "syntax", "unterminated string%s", "");
      return;
    }
    L->t = TK_STR;
    L->tp = p + 1;
    L->tn = k - 1;
    adv(L, k + 1);
    return;
  }
  struct { const char *s; tk_t t; } ops[] = {{"!=", TK_NE}, {"<=", TK_LE}, {">=", TK_GE}, {"==", TK_EQ}, {"(", TK_LP},
    {")", TK_RP}, {"[", TK_LB}, {"]", TK_RB}, {",", TK_COMMA}, {".", TK_DOT}, {"+", TK_PLUS}, {"-", TK_MINUS},
    {"*", TK_STAR}, {"/", TK_SLASH}, {"%", TK_PCT}, {"=", TK_EQ}, {"<", TK_LT}, {">", TK_GT}};
  for (size_t j = 0; j < sizeof ops / sizeof ops[0]; j++) {
    size_t m = strlen(ops[j].s);
    if (rest >= m && memcmp(p, ops[j].s, m) == 0) {
      L->t = ops[j].t;
      L->tn = m;
      adv(L, m);
      return;
    }
  }
  L->t = TK_ERR;
  char what[8] = {0};
  memcpy(what, p, rest < 4 ? rest : 1);
  lfail(L, L->tline, L->tcol, "syntax", "unexpected character '%s'", what);
}

static bool is_kw(const lex_t *L, const char *kw) {
  return L->t == TK_ID && L->tn == strlen(kw) && memcmp(L->tp, kw, L->tn) == 0;
}

/* ---------------------------------------------------------------- parser */

static np_pexpr_t *node(lex_t *L, np_pnk_t kind, int line, int col) {
  np_pexpr_t *e = np_arena_calloc(L->arena, 1, sizeof *e);
  if (!e) {
    if (!L->e) L->e = np_fail(L->err, NP_ERR_NOMEM, "nomem", "", "out of memory");
    return NULL;
  }
  e->kind = kind;
  e->line = line;
  e->col = col;
  e->d = 1;
  return e;
}

static np_pexpr_t *parse_expr(lex_t *L);

static bool expect(lex_t *L, tk_t t, const char *what) {
  if (L->t != t) {
    char got[48];
    size_t m = L->tn < sizeof got - 1 ? L->tn : sizeof got - 1;
    memcpy(got, L->tp, m);
    got[m] = 0;
    char msg[128];
    snprintf(msg, sizeof msg, "expected %s, found '%s'", what, L->t == TK_EOF ? "end of expression" : got);
    lfail(L, L->tline, L->tcol, "syntax", "%s", msg);
    return false;
  }
  next(L);
  return true;
}

static np_pexpr_t **push_arg(lex_t *L, np_pexpr_t *e, np_pexpr_t *a) {
  np_pexpr_t **na = np_arena_calloc(L->arena, (size_t)e->nargs + 1, sizeof *na);
  if (!na) return NULL;
  if (e->nargs) memcpy(na, e->args, (size_t)e->nargs * sizeof *na);
  na[e->nargs++] = a;
  e->args = na;
  return na;
}

/* decimal text → value × 10^scale, at most `scale` decimals */
static bool dec_scaled(const char *p, size_t n, int scale, int64_t *out) {
  int64_t v = 0;
  int dec = -1;
  for (size_t i = 0; i < n; i++) {
    if (p[i] == '.') {
      if (dec >= 0) return false;
      dec = 0;
      continue;
    }
    if (dec >= 0 && ++dec > scale) return false;
    if (v > (INT64_MAX - 9) / 10) return false;
    v = v * 10 + (p[i] - '0');
  }
  for (int k = dec < 0 ? 0 : dec; k < scale; k++) {
    if (v > INT64_MAX / 10) return false;
    v *= 10;
  }
  *out = v;
  return true;
}

static char *dup_tok(lex_t *L) { return np_arena_strndup(L->arena, L->tp, L->tn); }

static np_pexpr_t *parse_path(lex_t *L) {
  np_pexpr_t *e = node(L, NP_NK_NAME, L->tline, L->tcol);
  if (!e) return NULL;
  char buf[256];
  size_t bn = 0;
  for (;;) {
    if (L->t != TK_ID) {
      expect(L, TK_ID, "a name");
      return NULL;
    }
    if (bn + L->tn + 2 > sizeof buf) {
      lfail(L, e->line, e->col, "syntax", "name too long%s", "");
      return NULL;
    }
    memcpy(buf + bn, L->tp, L->tn);
    bn += L->tn;
    next(L);
    if (L->t != TK_DOT) break;
    buf[bn++] = '.';
    next(L);
  }
  e->name = np_arena_strndup(L->arena, buf, bn);
  return e;
}

static const char *const fn_names[NP_FN__COUNT] = {"year", "month", "date", "days_between", "months_between", "age",
  "known", "coalesce", "min", "max", "round_half_up", "round_half_even", "round_down", "round_up", "yuan", "days",
  "months", "start_of_year", "end_of_year"};

const char *np_pfn_name(np_pfn_t f) { return (unsigned)f < NP_FN__COUNT ? fn_names[f] : "?"; }

static np_pexpr_t *parse_primary(lex_t *L) {
  if (L->e) return NULL;
  int line = L->tline, col = L->tcol;
  if (L->t == TK_NUM) {
    const char *p = L->tp;
    size_t n = L->tn;
    next(L);
    np_pexpr_t *e = node(L, NP_NK_LIT, line, col);
    if (!e) return NULL;
    bool has_dot = memchr(p, '.', n) != NULL;
    if (L->t == TK_PCT) {
      next(L);
      e->type = NP_PT_RATE;
      if (!dec_scaled(p, n, 4, &e->v)) lfail(L, line, col, "syntax", "a rate has at most four decimals%s", "");
      return e;
    }
    if (L->t == TK_ID && (is_kw(L, "yuan") || is_kw(L, "fen") || is_kw(L, "days") || is_kw(L, "months") ||
                          is_kw(L, "years") || is_kw(L, "day") || is_kw(L, "month") || is_kw(L, "year"))) {
      bool yuan = is_kw(L, "yuan");
      if (yuan) {
        e->type = NP_PT_MONEY;
        if (!dec_scaled(p, n, 2, &e->v)) lfail(L, line, col, "syntax", "yuan have at most two decimals%s", "");
      } else {
        if (has_dot || !dec_scaled(p, n, 0, &e->v)) lfail(L, line, col, "syntax", "a whole number is needed here%s", "");
        if (is_kw(L, "fen")) e->type = NP_PT_MONEY;
        else if (is_kw(L, "days") || is_kw(L, "day")) e->type = NP_PT_DAYS;
        else if (is_kw(L, "months") || is_kw(L, "month")) e->type = NP_PT_MONTHS;
        else {
          e->type = NP_PT_MONTHS;
          if (e->v > INT64_MAX / 12) lfail(L, line, col, "syntax", "number too large%s", "");
          e->v *= 12;
        }
      }
      next(L);
      return e;
    }
    if (has_dot) {
      lfail(L, line, col, "syntax", "a decimal number needs a unit (%% or yuan)");
      return NULL;
    }
    e->type = NP_PT_INT;
    if (!dec_scaled(p, n, 0, &e->v)) lfail(L, line, col, "syntax", "number too large%s", "");
    return e;
  }
  if (L->t == TK_DATE) {
    np_pexpr_t *e = node(L, NP_NK_LIT, line, col);
    if (!e) return NULL;
    np_date_t d;
    if (np_date_parse(L->tp, 10, &d)) {
      char *t = dup_tok(L);
      lfail(L, line, col, "syntax", "not a real date: %s", t ? t : "");
      return NULL;
    }
    e->type = NP_PT_DATE;
    e->v = d.days;
    next(L);
    return e;
  }
  if (L->t == TK_STR) {
    np_pexpr_t *e = node(L, NP_NK_LIT, line, col);
    if (!e) return NULL;
    e->type = NP_PT_TEXT;
    if (np_policy_text_pack(L->tp, L->tn, &e->v)) {
      lfail(L, line, col, "type", "text literals are codes of at most 8 ASCII characters%s", "");
      return NULL;
    }
    next(L);
    return e;
  }
  if (L->t == TK_LP) {
    next(L);
    np_pexpr_t *e = parse_expr(L);
    if (!expect(L, TK_RP, "')'")) return NULL;
    return e;
  }
  if (L->t != TK_ID) {
    expect(L, TK_ID, "a value");
    return NULL;
  }
  if (is_kw(L, "true") || is_kw(L, "false")) {
    np_pexpr_t *e = node(L, NP_NK_LIT, line, col);
    if (!e) return NULL;
    e->type = NP_PT_BOOL;
    e->v = is_kw(L, "true");
    next(L);
    return e;
  }
  if (is_kw(L, "as_of")) {
    next(L);
    np_pexpr_t *e = node(L, NP_NK_ASOF, line, col);
    if (e) e->type = NP_PT_DATE;
    return e;
  }
  if (is_kw(L, "if")) {
    next(L);
    np_pexpr_t *e = node(L, NP_NK_IF, line, col);
    if (!e) return NULL;
    push_arg(L, e, parse_expr(L));
    if (!is_kw(L, "then")) return expect(L, TK_ERR, "'then'"), NULL;
    next(L);
    push_arg(L, e, parse_expr(L));
    if (!is_kw(L, "else")) return expect(L, TK_ERR, "'else'"), NULL;
    next(L);
    push_arg(L, e, parse_expr(L));
    return e;
  }
  /* name, call, param or aggregate */
  const char *id = L->tp;
  size_t idn = L->tn;
  /* peek: identifier followed by '(' is a call */
  lex_t saved = *L;
  next(L);
  if (L->t != TK_LP) {
    *L = saved;
    return parse_path(L);
  }
  next(L);
  char name[32];
  if (idn >= sizeof name) return lfail(L, line, col, "unknown_name", "unknown function%s", ""), NULL;
  memcpy(name, id, idn);
  name[idn] = 0;
  if (strcmp(name, "param") == 0) {
    np_pexpr_t *e = node(L, NP_NK_PARAM, line, col);
    if (!e) return NULL;
    if (L->t != TK_ID) return expect(L, TK_ID, "a parameter name"), NULL;
    e->name = dup_tok(L);
    next(L);
    while (L->t == TK_COMMA) {
      next(L);
      push_arg(L, e, parse_expr(L));
    }
    if (!expect(L, TK_RP, "')'")) return NULL;
    return e;
  }
  int agg = -1;
  if (strcmp(name, "sum") == 0) agg = NP_AGG_SUM;
  else if (strcmp(name, "count") == 0) agg = NP_AGG_COUNT;
  else if (strcmp(name, "exists") == 0) agg = NP_AGG_EXISTS;
  else if (strcmp(name, "min") == 0) agg = NP_AGG_MIN;
  else if (strcmp(name, "max") == 0) agg = NP_AGG_MAX;
  if (agg == NP_AGG_COUNT || agg == NP_AGG_EXISTS) {
    /* count(x in coll [where c]) */
    np_pexpr_t *e = node(L, NP_NK_AGG, line, col);
    if (!e) return NULL;
    e->idx = agg;
    if (L->t != TK_ID) return expect(L, TK_ID, "a row name (count(s in spells where …))"), NULL;
    e->name = dup_tok(L);
    next(L);
    if (!is_kw(L, "in")) return expect(L, TK_ERR, "'in'"), NULL;
    next(L);
    np_pexpr_t *src = parse_path(L);
    np_pexpr_t *where = NULL;
    if (is_kw(L, "where")) {
      next(L);
      where = parse_expr(L);
    }
    if (!expect(L, TK_RP, "')'")) return NULL;
    push_arg(L, e, NULL);
    push_arg(L, e, where);
    push_arg(L, e, src);
    return e;
  }
  np_pexpr_t *first = parse_expr(L);
  if (L->e) return NULL;
  if (agg >= 0 && is_kw(L, "for")) {
    np_pexpr_t *e = node(L, NP_NK_AGG, line, col);
    if (!e) return NULL;
    e->idx = agg;
    next(L);
    if (L->t != TK_ID) return expect(L, TK_ID, "a row name"), NULL;
    e->name = dup_tok(L);
    next(L);
    if (!is_kw(L, "in")) return expect(L, TK_ERR, "'in'"), NULL;
    next(L);
    np_pexpr_t *src = parse_path(L);
    np_pexpr_t *where = NULL;
    if (is_kw(L, "where")) {
      next(L);
      where = parse_expr(L);
    }
    if (!expect(L, TK_RP, "')'")) return NULL;
    push_arg(L, e, first);
    push_arg(L, e, where);
    push_arg(L, e, src);
    return e;
  }
  if (agg == NP_AGG_SUM || agg == NP_AGG_COUNT || agg == NP_AGG_EXISTS) {
    lfail(L, line, col, "syntax", "%s needs 'for x in collection'", name);
    return NULL;
  }
  np_pexpr_t *e = node(L, NP_NK_CALL, line, col);
  if (!e) return NULL;
  e->idx = -1;
  for (int f = 0; f < NP_FN__COUNT; f++)
    if (strcmp(fn_names[f], name) == 0) e->idx = f;
  if (e->idx < 0) {
    lfail(L, line, col, "unknown_name", "unknown function '%s'", name);
    return NULL;
  }
  e->name = np_arena_strdup(L->arena, name);
  push_arg(L, e, first);
  while (L->t == TK_COMMA) {
    next(L);
    push_arg(L, e, parse_expr(L));
  }
  if (!expect(L, TK_RP, "')'")) return NULL;
  return e;
}

static np_pexpr_t *parse_unary(lex_t *L) {
  if (L->t == TK_MINUS) {
    int line = L->tline, col = L->tcol;
    next(L);
    np_pexpr_t *e = node(L, NP_NK_UNARY, line, col);
    if (!e) return NULL;
    e->op = NP_OP_NEG_I;
    push_arg(L, e, parse_unary(L));
    return e;
  }
  return parse_primary(L);
}

static np_pexpr_t *binary(lex_t *L, int op, int line, int col, np_pexpr_t *a, np_pexpr_t *b) {
  np_pexpr_t *e = node(L, NP_NK_BINARY, line, col);
  if (!e) return NULL;
  e->op = (np_pop_t)op; /* provisional: the token kind; the checker picks the real op */
  push_arg(L, e, a);
  push_arg(L, e, b);
  return e;
}

static np_pexpr_t *parse_mul(lex_t *L) {
  np_pexpr_t *a = parse_unary(L);
  while (!L->e && (L->t == TK_STAR || L->t == TK_SLASH)) {
    int op = L->t, line = L->tline, col = L->tcol;
    next(L);
    a = binary(L, op, line, col, a, parse_unary(L));
  }
  return a;
}

static np_pexpr_t *parse_add(lex_t *L) {
  np_pexpr_t *a = parse_mul(L);
  while (!L->e && (L->t == TK_PLUS || L->t == TK_MINUS)) {
    int op = L->t, line = L->tline, col = L->tcol;
    next(L);
    a = binary(L, op, line, col, a, parse_mul(L));
  }
  return a;
}

static np_pexpr_t *parse_cmp(lex_t *L) {
  np_pexpr_t *a = parse_add(L);
  if (L->e) return NULL;
  if (L->t >= TK_EQ && L->t <= TK_GE) {
    int op = L->t, line = L->tline, col = L->tcol;
    next(L);
    return binary(L, op, line, col, a, parse_add(L));
  }
  if (is_kw(L, "in")) {
    int line = L->tline, col = L->tcol;
    next(L);
    np_pexpr_t *e = node(L, NP_NK_IN, line, col);
    if (!e) return NULL;
    push_arg(L, e, a);
    if (!expect(L, TK_LB, "'['")) return NULL;
    for (;;) {
      np_pexpr_t *it = parse_unary(L);
      if (L->e) return NULL;
      if (!it || it->kind != NP_NK_LIT) {
        lfail(L, line, col, "syntax", "'in [...]' takes literal values%s", "");
        return NULL;
      }
      push_arg(L, e, it);
      if (L->t == TK_COMMA) {
        next(L);
        continue;
      }
      break;
    }
    if (!expect(L, TK_RB, "']'")) return NULL;
    return e;
  }
  return a;
}

static np_pexpr_t *parse_not(lex_t *L) {
  if (is_kw(L, "not")) {
    int line = L->tline, col = L->tcol;
    next(L);
    np_pexpr_t *e = node(L, NP_NK_UNARY, line, col);
    if (!e) return NULL;
    e->op = NP_OP_NOT;
    push_arg(L, e, parse_not(L));
    return e;
  }
  return parse_cmp(L);
}

static np_pexpr_t *parse_and(lex_t *L) {
  np_pexpr_t *a = parse_not(L);
  while (!L->e && is_kw(L, "and")) {
    int line = L->tline, col = L->tcol;
    next(L);
    a = binary(L, 1000, line, col, a, parse_not(L));
  }
  return a;
}

static np_pexpr_t *parse_expr(lex_t *L) {
  np_pexpr_t *a = parse_and(L);
  while (!L->e && is_kw(L, "or")) {
    int line = L->tline, col = L->tcol;
    next(L);
    a = binary(L, 1001, line, col, a, parse_and(L));
  }
  return a;
}

np_err np_pexpr_parse(np_arena_t *arena, const char *file, const char *text, int line, int col, np_pexpr_t **out,
                      np_errdetail_t *err) {
  lex_t L = {.s = text, .n = strlen(text), .line = line, .col = col, .file = file, .arena = arena, .err = err};
  next(&L);
  np_pexpr_t *e = parse_expr(&L);
  if (!L.e && L.t != TK_EOF) expect(&L, TK_EOF, "end of expression");
  if (!L.e && !e) L.e = np_fail(err, NP_ERR_INVALID, "syntax", "", "%s:%d:%d: empty expression", file, line, col);
  if (L.e) return L.e;
  *out = e;
  return NP_OK;
}

/* ---------------------------------------------------------------- checker */

typedef struct chk {
  const np_penv_t *env;
  np_arena_t *arena;
  np_errdetail_t *err;
  const char *alias[NP_PMAX_DEPTH];
  np_pkind_t kind[NP_PMAX_DEPTH];
  int depth; /* number of scopes */
} chk_t;

static np_err cfail(chk_t *C, const np_pexpr_t *e, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static np_err cfail(chk_t *C, const np_pexpr_t *e, const char *code, const char *fmt, ...) {
  char msg[320];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return np_fail(C->err, NP_ERR_INVALID, code, "", "%s:%d:%d: %s", C->env->file, e->line, e->col, msg);
}

static bool is_dimless(np_ptype_t t) { return t == NP_PT_INT || t == NP_PT_RATE || t == NP_PT_RATIO; }
static bool is_moneyish(np_ptype_t t) { return t == NP_PT_MONEY || t == NP_PT_XMONEY; }
static bool is_rational(np_ptype_t t) { return t == NP_PT_RATIO || t == NP_PT_XMONEY; }
static int64_t scale_of(np_ptype_t t) { return is_rational(t) ? 0 : t == NP_PT_RATE ? 1000000 : 1; }

static np_err check(chk_t *C, np_pexpr_t *e);

/* Resolves a path; want_coll: the path must end at a collection. */
static np_err resolve_path(chk_t *C, np_pexpr_t *e, bool want_coll) {
  char buf[256];
  np_strlcpy(buf, e->name, sizeof buf);
  char *segs[8];
  int ns = 0;
  for (char *p = buf; ns < 8;) {
    segs[ns++] = p;
    char *dot = strchr(p, '.');
    if (!dot) break;
    *dot = 0;
    p = dot + 1;
  }
  int depth = -1, i = 0;
  np_pkind_t k = NP_PK_ENTERPRISE;
  for (int s = C->depth - 1; s >= 0; s--)
    if (strcmp(C->alias[s], segs[0]) == 0) {
      depth = s;
      k = C->kind[s];
      i = 1;
      break;
    }
  e->nchain = 0;
  if (depth < 0) {
    if (ns == 1 && !want_coll) {
      int li = C->env->let_find ? C->env->let_find(C->env->ctx, segs[0]) : -1;
      if (li >= 0) {
        e->kind = NP_NK_LET;
        e->idx = li;
        np_ptype_t t;
        np_err r = C->env->let_type(C->env->ctx, li, &t, C->err);
        if (r) return r;
        e->type = t;
        return NP_OK;
      }
    }
    /* a link of the policy's entity: `person.birth_date` for a spell */
    const np_pkind_def_t *d0 = np_policy_kind(C->kind[0]);
    for (int l = 0; l < d0->nlinks; l++)
      if (strcmp(d0->links[l].name, segs[0]) == 0) {
        depth = 0;
        e->chain[e->nchain++] = l;
        k = d0->links[l].target;
        i = 1;
      }
    if (depth < 0) {
      /* a collection of the entity used directly as a source: `internships` for an enterprise */
      if (want_coll) {
        depth = 0;
        k = C->kind[0];
        i = 0;
      } else {
        return cfail(C, e, "unknown_name", "unknown name '%s' (a field is written %s.<field>; lets and parameters by name)",
                     e->name, C->alias[0]);
      }
    }
  }
  e->depth = depth;
  for (; i < ns - 1; i++) {
    const np_pkind_def_t *d = np_policy_kind(k);
    int found = -1;
    for (int l = 0; l < d->nlinks; l++)
      if (strcmp(d->links[l].name, segs[i]) == 0) found = l;
    if (found < 0) return cfail(C, e, "unknown_name", "'%s' has no link '%s' (in %s)", d->name, segs[i], e->name);
    if (e->nchain >= NP_PMAX_CHAIN) return cfail(C, e, "unknown_name", "path too long: %s", e->name);
    e->chain[e->nchain++] = found;
    k = d->links[found].target;
  }
  const np_pkind_def_t *d = np_policy_kind(k);
  if (i >= ns) return cfail(C, e, "type", "'%s' names a row, not a value; add a field", e->name);
  if (want_coll) {
    for (int c = 0; c < d->ncolls; c++)
      if (strcmp(d->colls[c].name, segs[i]) == 0) {
        e->fkind = k;
        e->field = c;
        e->child = d->colls[c].child;
        return NP_OK;
      }
    return cfail(C, e, "unknown_name", "'%s' has no collection '%s'", d->name, segs[i]);
  }
  int f = np_policy_field_find(k, segs[i]);
  if (f < 0) {
    for (int l = 0; l < d->nlinks; l++)
      if (strcmp(d->links[l].name, segs[i]) == 0) f = -2;
    if (f == -2) return cfail(C, e, "type", "'%s' names a row, not a value; add a field", e->name);
    return cfail(C, e, "unknown_name", "'%s' has no field '%s'", d->name, segs[i]);
  }
  e->kind = NP_NK_FIELD;
  e->fkind = k;
  e->field = f;
  e->type = d->fields[f].type;
  return NP_OK;
}

static np_err check_args(chk_t *C, np_pexpr_t *e) {
  for (int i = 0; i < e->nargs; i++) {
    if (!e->args[i]) continue;
    np_err r = check(C, e->args[i]);
    if (r) return r;
  }
  return NP_OK;
}

static np_err want(chk_t *C, const np_pexpr_t *a, np_ptype_t t, const char *what) {
  if (a->type != t)
    return cfail(C, a, "type", "%s must be %s, not %s", what, np_ptype_name(t), np_ptype_name(a->type));
  return NP_OK;
}

static np_err check_binary(chk_t *C, np_pexpr_t *e) {
  np_pexpr_t *a = e->args[0], *b = e->args[1];
  np_ptype_t ta = a->type, tb = b->type;
  int tok = (int)e->op;
  e->lscale = scale_of(ta);
  e->rscale = scale_of(tb);
  if (tok == 1000 || tok == 1001) {
    np_err r = want(C, a, NP_PT_BOOL, tok == 1000 ? "'and' operand" : "'or' operand");
    if (!r) r = want(C, b, NP_PT_BOOL, tok == 1000 ? "'and' operand" : "'or' operand");
    e->op = tok == 1000 ? NP_OP_AND : NP_OP_OR;
    e->type = NP_PT_BOOL;
    return r;
  }
  if (tok >= TK_EQ && tok <= TK_GE) {
    int k = tok - TK_EQ; /* EQ NE LT LE GT GE */
    e->type = NP_PT_BOOL;
    if (ta == tb && !is_rational(ta)) {
      if ((ta == NP_PT_BOOL || ta == NP_PT_TEXT) && k > 1)
        return cfail(C, e, "type", "%s values can only be compared with = and !=", np_ptype_name(ta));
      e->op = (np_pop_t)(NP_OP_EQ_I + k);
      return NP_OK;
    }
    if ((is_dimless(ta) && is_dimless(tb)) || (is_moneyish(ta) && is_moneyish(tb))) {
      e->op = (np_pop_t)(NP_OP_EQ_R + k);
      return NP_OK;
    }
    return cfail(C, e, "type", "cannot compare %s with %s", np_ptype_name(ta), np_ptype_name(tb));
  }
  if (tok == TK_PLUS || tok == TK_MINUS) {
    bool add = tok == TK_PLUS;
    if (ta == tb && (ta == NP_PT_INT || ta == NP_PT_MONEY || ta == NP_PT_RATE || ta == NP_PT_DAYS || ta == NP_PT_MONTHS)) {
      e->op = add ? NP_OP_ADD_I : NP_OP_SUB_I;
      e->type = ta;
      return NP_OK;
    }
    if (ta == NP_PT_DATE && tb == NP_PT_DAYS) {
      e->op = add ? NP_OP_ADD_I : NP_OP_SUB_I;
      e->type = NP_PT_DATE;
      return NP_OK;
    }
    if (add && ta == NP_PT_DAYS && tb == NP_PT_DATE) {
      e->op = NP_OP_ADD_I;
      e->type = NP_PT_DATE;
      return NP_OK;
    }
    if (!add && ta == NP_PT_DATE && tb == NP_PT_DATE) {
      e->op = NP_OP_SUB_I;
      e->type = NP_PT_DAYS;
      return NP_OK;
    }
    if (ta == NP_PT_DATE && tb == NP_PT_MONTHS) {
      e->op = add ? NP_OP_DATE_ADD_M : NP_OP_DATE_SUB_M;
      e->type = NP_PT_DATE;
      return NP_OK;
    }
    if (is_dimless(ta) && is_dimless(tb)) {
      e->op = add ? NP_OP_ADD_R : NP_OP_SUB_R;
      e->type = NP_PT_RATIO;
      return NP_OK;
    }
    if (is_moneyish(ta) && is_moneyish(tb)) {
      e->op = add ? NP_OP_ADD_R : NP_OP_SUB_R;
      e->type = NP_PT_XMONEY;
      return NP_OK;
    }
    return cfail(C, e, "type", "cannot %s %s and %s", add ? "add" : "subtract", np_ptype_name(ta), np_ptype_name(tb));
  }
  if (tok == TK_STAR) {
    np_ptype_t x = ta, y = tb;
    if (x == NP_PT_INT && y != NP_PT_INT) { x = tb; y = ta; }
    if (y == NP_PT_INT && (x == NP_PT_INT || x == NP_PT_MONEY || x == NP_PT_DAYS || x == NP_PT_MONTHS || x == NP_PT_RATE)) {
      e->op = NP_OP_MUL_I;
      e->type = x;
      return NP_OK;
    }
    /* money per month (or day) × a count of months (days) */
    bool cnt_a = ta == NP_PT_MONTHS || ta == NP_PT_DAYS, cnt_b = tb == NP_PT_MONTHS || tb == NP_PT_DAYS;
    if ((ta == NP_PT_MONEY && cnt_b) || (cnt_a && tb == NP_PT_MONEY)) {
      e->op = NP_OP_MUL_I;
      e->type = NP_PT_MONEY;
      return NP_OK;
    }
    if ((ta == NP_PT_XMONEY && cnt_b) || (cnt_a && tb == NP_PT_XMONEY)) {
      e->op = NP_OP_MUL_R;
      e->type = NP_PT_XMONEY;
      return NP_OK;
    }
    if ((is_moneyish(ta) && is_dimless(tb)) || (is_dimless(ta) && is_moneyish(tb))) {
      e->op = NP_OP_MUL_R;
      e->type = NP_PT_XMONEY;
      return NP_OK;
    }
    if (is_dimless(ta) && is_dimless(tb)) {
      e->op = NP_OP_MUL_R;
      e->type = NP_PT_RATIO;
      return NP_OK;
    }
    return cfail(C, e, "type", "cannot multiply %s by %s", np_ptype_name(ta), np_ptype_name(tb));
  }
  if (tok == TK_SLASH) {
    e->op = NP_OP_DIV_R;
    if ((is_dimless(ta) && is_dimless(tb)) || (is_moneyish(ta) && is_moneyish(tb)) ||
        (ta == NP_PT_DAYS && tb == NP_PT_DAYS) || (ta == NP_PT_MONTHS && tb == NP_PT_MONTHS)) {
      e->type = NP_PT_RATIO;
      return NP_OK;
    }
    if (is_moneyish(ta) && is_dimless(tb)) {
      e->type = NP_PT_XMONEY;
      return NP_OK;
    }
    return cfail(C, e, "type", "cannot divide %s by %s", np_ptype_name(ta), np_ptype_name(tb));
  }
  return cfail(C, e, "internal", "unknown operator");
}

static np_err check_call(chk_t *C, np_pexpr_t *e) {
  np_err r = check_args(C, e);
  if (r) return r;
  static const int arity[NP_FN__COUNT] = {1, 1, 3, 2, 2, 2, 1, 2, -2, -2, 1, 1, 1, 1, 1, 1, 1, 1, 1};
  int want_n = arity[e->idx];
  if ((want_n >= 0 && e->nargs != want_n) || (want_n < 0 && e->nargs < -want_n))
    return cfail(C, e, "arity", "%s takes %s%d argument%s", e->name, want_n < 0 ? "at least " : "",
                 want_n < 0 ? -want_n : want_n, (want_n == 1) ? "" : "s");
  np_pexpr_t **a = e->args;
  switch ((np_pfn_t)e->idx) {
  case NP_FN_YEAR:
  case NP_FN_MONTH:
    e->type = NP_PT_INT;
    return want(C, a[0], NP_PT_DATE, "the argument of year()/month()");
  case NP_FN_DATE:
    e->type = NP_PT_DATE;
    for (int i = 0; i < 3; i++)
      if ((r = want(C, a[i], NP_PT_INT, "date(year, month, day) arguments"))) return r;
    return NP_OK;
  case NP_FN_DAYS_BETWEEN:
  case NP_FN_MONTHS_BETWEEN:
  case NP_FN_AGE:
    e->type = e->idx == NP_FN_DAYS_BETWEEN ? NP_PT_DAYS : e->idx == NP_FN_MONTHS_BETWEEN ? NP_PT_MONTHS : NP_PT_INT;
    if ((r = want(C, a[0], NP_PT_DATE, "the first argument"))) return r;
    return want(C, a[1], NP_PT_DATE, "the second argument");
  case NP_FN_KNOWN:
    e->type = NP_PT_BOOL;
    return NP_OK;
  case NP_FN_COALESCE:
  case NP_FN_MIN:
  case NP_FN_MAX:
    e->type = a[0]->type;
    for (int i = 1; i < e->nargs; i++)
      if (a[i]->type != a[0]->type)
        return cfail(C, a[i], "type", "%s() arguments must have one type: %s and %s", e->name, np_ptype_name(a[0]->type),
                     np_ptype_name(a[i]->type));
    if (e->idx != NP_FN_COALESCE && (a[0]->type == NP_PT_BOOL || a[0]->type == NP_PT_TEXT))
      return cfail(C, e, "type", "%s() of %s values", e->name, np_ptype_name(a[0]->type));
    return NP_OK;
  case NP_FN_ROUND_HALF_UP:
  case NP_FN_ROUND_HALF_EVEN:
  case NP_FN_ROUND_DOWN:
  case NP_FN_ROUND_UP:
    if (is_moneyish(a[0]->type)) e->type = NP_PT_MONEY;
    else if (a[0]->type == NP_PT_RATIO || a[0]->type == NP_PT_INT) e->type = NP_PT_INT;
    else return cfail(C, e, "type", "%s() rounds money or ratios, not %s", e->name, np_ptype_name(a[0]->type));
    e->lscale = scale_of(a[0]->type);
    return NP_OK;
  case NP_FN_YUAN:
    e->type = NP_PT_MONEY;
    return want(C, a[0], NP_PT_INT, "yuan()'s argument");
  case NP_FN_DAYS:
    e->type = NP_PT_DAYS;
    return want(C, a[0], NP_PT_INT, "days()'s argument");
  case NP_FN_MONTHS:
    e->type = NP_PT_MONTHS;
    return want(C, a[0], NP_PT_INT, "months()'s argument");
  case NP_FN_START_OF_YEAR:
  case NP_FN_END_OF_YEAR:
    e->type = NP_PT_DATE;
    return want(C, a[0], NP_PT_INT, "the year");
  default: return cfail(C, e, "internal", "unknown function");
  }
}

static np_err check(chk_t *C, np_pexpr_t *e) {
  np_err r;
  switch (e->kind) {
  case NP_NK_LIT:
  case NP_NK_ASOF:
    return NP_OK;
  case NP_NK_NAME:
    return resolve_path(C, e, false);
  case NP_NK_PARAM: {
    np_pparam_sig_t sig = {0};
    int pi = C->env->param_find ? C->env->param_find(C->env->ctx, e->name, &sig) : -1;
    if (pi < 0) return cfail(C, e, "unknown_name", "unknown parameter '%s'", e->name);
    e->idx = pi;
    if ((r = check_args(C, e))) return r;
    int nd = e->nargs - (sig.table_min_wage ? 1 : 0); /* date arguments */
    if (sig.table_min_wage && (e->nargs < 1 || e->args[0]->type != NP_PT_TEXT))
      return cfail(C, e, "arity", "param(%s, county_code, …) is keyed by a county code first", e->name);
    if (sig.mode == 1) {
      if (nd != 2)
        return cfail(C, e, "arity", "'%s' is prorated by days: param(%s%s, from, to) needs the period", e->name, e->name,
                     sig.table_min_wage ? ", county" : "");
      e->type = sig.type == NP_PT_MONEY ? NP_PT_XMONEY : NP_PT_RATIO;
      if (sig.type != NP_PT_MONEY && sig.type != NP_PT_INT && sig.type != NP_PT_RATE)
        return cfail(C, e, "type", "only money, int and rate parameters can be prorated");
    } else {
      if (nd > 1)
        return cfail(C, e, "arity", "'%s' is read at a date: param(%s%s[, date]) takes one date at most", e->name, e->name,
                     sig.table_min_wage ? ", county" : "");
      e->type = sig.type;
    }
    for (int i = sig.table_min_wage ? 1 : 0; i < e->nargs; i++)
      if ((r = want(C, e->args[i], NP_PT_DATE, "a parameter's date argument"))) return r;
    e->v = sig.mode;
    e->d = sig.table_min_wage;
    return NP_OK;
  }
  case NP_NK_UNARY:
    if ((r = check_args(C, e))) return r;
    if (e->op == NP_OP_NOT) {
      e->type = NP_PT_BOOL;
      return want(C, e->args[0], NP_PT_BOOL, "'not' operand");
    }
    e->type = e->args[0]->type;
    if (is_rational(e->type)) e->op = NP_OP_NEG_R;
    else if (e->type == NP_PT_DATE || e->type == NP_PT_BOOL || e->type == NP_PT_TEXT)
      return cfail(C, e, "type", "cannot negate %s", np_ptype_name(e->type));
    return NP_OK;
  case NP_NK_BINARY:
    if ((r = check_args(C, e))) return r;
    return check_binary(C, e);
  case NP_NK_IF:
    if ((r = check_args(C, e))) return r;
    if ((r = want(C, e->args[0], NP_PT_BOOL, "the condition of if"))) return r;
    if (e->args[1]->type != e->args[2]->type)
      return cfail(C, e, "type", "if branches differ: %s and %s", np_ptype_name(e->args[1]->type),
                   np_ptype_name(e->args[2]->type));
    e->type = e->args[1]->type;
    return NP_OK;
  case NP_NK_IN:
    if ((r = check_args(C, e))) return r;
    e->type = NP_PT_BOOL;
    for (int i = 1; i < e->nargs; i++)
      if (e->args[i]->type != e->args[0]->type || is_rational(e->args[0]->type))
        return cfail(C, e->args[i], "type", "'in' list item is %s, the value is %s", np_ptype_name(e->args[i]->type),
                     np_ptype_name(e->args[0]->type));
    return NP_OK;
  case NP_NK_CALL:
    return check_call(C, e);
  case NP_NK_AGG: {
    np_pexpr_t *src = e->args[2];
    if ((r = resolve_path(C, src, true))) return r;
    e->depth = src->depth;
    e->nchain = src->nchain;
    memcpy(e->chain, src->chain, sizeof e->chain);
    e->fkind = src->fkind;
    e->field = src->field;
    e->child = src->child;
    if (C->depth >= NP_PMAX_DEPTH) return cfail(C, e, "type", "aggregates nested too deeply");
    for (int s = 0; s < C->depth; s++)
      if (strcmp(C->alias[s], e->name) == 0) return cfail(C, e, "type", "row name '%s' is already in use", e->name);
    C->alias[C->depth] = e->name;
    C->kind[C->depth] = e->child;
    C->depth++;
    r = NP_OK;
    if (e->args[0]) r = check(C, e->args[0]);
    if (!r && e->args[1]) {
      r = check(C, e->args[1]);
      if (!r) r = want(C, e->args[1], NP_PT_BOOL, "'where'");
    }
    C->depth--;
    if (r) return r;
    switch ((np_pagg_t)e->idx) {
    case NP_AGG_COUNT: e->type = NP_PT_INT; break;
    case NP_AGG_EXISTS: e->type = NP_PT_BOOL; break;
    case NP_AGG_SUM: {
      np_ptype_t t = e->args[0]->type;
      if (t != NP_PT_INT && t != NP_PT_MONEY && t != NP_PT_DAYS && t != NP_PT_MONTHS)
        return cfail(C, e, "type", "sum() adds int, money, days or months, not %s", np_ptype_name(t));
      e->type = t;
      break;
    }
    default: {
      np_ptype_t t = e->args[0]->type;
      if (t == NP_PT_BOOL || t == NP_PT_TEXT || is_rational(t))
        return cfail(C, e, "type", "%s() over %s values", e->idx == NP_AGG_MIN ? "min" : "max", np_ptype_name(t));
      e->type = t;
    }
    }
    return NP_OK;
  }
  default:
    return cfail(C, e, "internal", "unexpected node");
  }
}

/* dependency depth of every node (for hoisting in the column-wise evaluator); depth = scopes open */
static uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
  return h * 0xBF58476D1CE4E5B9ULL;
}

static void sigs(np_pexpr_t *e) {
  uint64_t h = mix((uint64_t)e->kind, (uint64_t)e->op);
  h = mix(h, (uint64_t)e->v);
  h = mix(h, (uint64_t)e->d);
  h = mix(h, (uint64_t)e->idx);
  h = mix(h, (uint64_t)e->field);
  h = mix(h, (uint64_t)e->depth);
  h = mix(h, (uint64_t)e->fkind);
  h = mix(h, (uint64_t)e->nchain);
  for (int i = 0; i < e->nchain; i++) h = mix(h, (uint64_t)e->chain[i]);
  h = mix(h, (uint64_t)e->nargs);
  for (int i = 0; i < e->nargs; i++)
    if (e->args[i] && !(e->kind == NP_NK_AGG && i == 2)) {
      sigs(e->args[i]);
      h = mix(h, e->args[i]->sig);
    } else {
      h = mix(h, 7);
    }
  e->sig = h;
}

static int deps(np_pexpr_t *e, int depth) {
  int d = -1;
  switch (e->kind) {
  case NP_NK_FIELD: d = e->depth; break;
  case NP_NK_LET: d = 0; break;
  case NP_NK_AGG: {
    d = e->depth;
    for (int i = 0; i < 2; i++)
      if (e->args[i]) {
        int c = deps(e->args[i], depth + 1);
        if (c < depth && c > d) d = c;
      }
    e->dep = d;
    return d;
  }
  default: break;
  }
  for (int i = 0; i < e->nargs; i++)
    if (e->args[i]) {
      int c = deps(e->args[i], depth);
      if (c > d) d = c;
    }
  e->dep = d;
  return d;
}

np_err np_pexpr_check(np_arena_t *arena, np_pexpr_t *e, const np_penv_t *env, np_errdetail_t *err) {
  chk_t C = {.env = env, .arena = arena, .err = err, .depth = 1};
  C.alias[0] = np_policy_kind(env->entity)->name;
  C.kind[0] = env->entity;
  np_err r = check(&C, e);
  if (r) return r;
  deps(e, 1);
  sigs(e);
  return NP_OK;
}

/* ---------------------------------------------------------------- values */

int np_ptype_find(const char *name) {
  for (int t = 0; t < NP_PT__COUNT; t++)
    if (strcmp(np_ptype_name((np_ptype_t)t), name) == 0) return t;
  return -1;
}

void np_pvalue_format(np_ptype_t t, int64_t v, int64_t d, char *out, size_t cap) {
  if (cap == 0) return;
  if ((is_rational(t) && d == 0) || (!is_rational(t) && v == NP_POLICY_UNKNOWN)) {
    snprintf(out, cap, "unknown");
    return;
  }
  switch (t) {
  case NP_PT_BOOL: snprintf(out, cap, "%s", v ? "true" : "false"); return;
  case NP_PT_MONEY: np_money_format(v, out, cap); return;
  case NP_PT_RATE: {
    int64_t a = v < 0 ? -v : v;
    char frac[8];
    snprintf(frac, sizeof frac, "%04" PRId64, a % 10000);
    for (int i = 3; i >= 0 && frac[i] == '0'; i--) frac[i] = 0;
    snprintf(out, cap, "%s%" PRId64 "%s%s%%", v < 0 ? "-" : "", a / 10000, frac[0] ? "." : "", frac);
    return;
  }
  case NP_PT_RATIO:
  case NP_PT_XMONEY: {
    /* exact fraction, plus a 4-decimal reading (percent for ratios, yuan for money) */
    __int128 n = v, dd = d;
    if (dd < 0) { n = -n; dd = -dd; }
    { /* show the reduced fraction */
      __int128 a = n < 0 ? -n : n, b = dd;
      while (b) { __int128 r = a % b; a = b; b = r; }
      if (a > 1) { n /= a; dd /= a; }
    }
    __int128 scaled = t == NP_PT_RATIO ? n * 1000000 : n * 100; /* ratio → 1e-4 %, money → 1e-2 fen = 1e-4 yuan */
    __int128 q = scaled / dd, rem = scaled % dd;
    if (rem * 2 >= dd) q++;
    else if (-rem * 2 > dd) q--;
    int64_t qq = (int64_t)q, aq = qq < 0 ? -qq : qq;
    snprintf(out, cap, "%s%" PRId64 ".%04" PRId64 "%s (%" PRId64 "/%" PRId64 ")", qq < 0 ? "-" : "", aq / 10000, aq % 10000,
             t == NP_PT_RATIO ? "%" : "", (int64_t)n, (int64_t)dd);
    return;
  }
  case NP_PT_DATE: {
    np_date_t dt = {(int32_t)v};
    if (v < NP_DATE_MIN_DAYS || v > NP_DATE_MAX_DAYS || np_date_format(dt, out, cap)) snprintf(out, cap, "unknown");
    return;
  }
  case NP_PT_DAYS: snprintf(out, cap, "%" PRId64 " days", v); return;
  case NP_PT_MONTHS: snprintf(out, cap, "%" PRId64 " months", v); return;
  case NP_PT_TEXT: np_policy_text_unpack(v, out, cap); return;
  default: snprintf(out, cap, "%" PRId64, v); return;
  }
}

np_err np_pvalue_parse(np_ptype_t t, const char *s, int64_t *v) {
  size_t n = strlen(s);
  switch (t) {
  case NP_PT_BOOL:
    if (strcmp(s, "true") == 0) *v = 1;
    else if (strcmp(s, "false") == 0) *v = 0;
    else return NP_ERR_INVALID;
    return NP_OK;
  case NP_PT_MONEY: return np_money_parse(s, n, v);
  case NP_PT_RATE:
    if (n < 2 || s[n - 1] != '%') return NP_ERR_INVALID;
    for (size_t i = 0; i + 1 < n; i++)
      if (!isdig(s[i]) && s[i] != '.') return NP_ERR_INVALID;
    return dec_scaled(s, n - 1, 4, v) ? NP_OK : NP_ERR_INVALID;
  case NP_PT_DATE: {
    np_date_t d;
    if (np_date_parse(s, n, &d)) return NP_ERR_INVALID;
    *v = d.days;
    return NP_OK;
  }
  case NP_PT_INT:
  case NP_PT_DAYS:
  case NP_PT_MONTHS:
    return np_parse_int64(s, n, -1000000000000LL, 1000000000000LL, v);
  case NP_PT_TEXT: return np_policy_text_pack(s, n, v);
  default: return NP_ERR_INVALID;
  }
}
