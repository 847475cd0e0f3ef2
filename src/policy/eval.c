/* Policy evaluation: element operations, column-wise evaluator with selection vectors, single-entity
 * evaluator with trace, limits and caps, decision hashing. */
#include "policy/eval.h"
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/arena.h"
#include "core/date.h"
#include "core/money.h"
#include "crypto/crypto.h"

#define UNK NP_POLICY_UNKNOWN
#define CHUNK 256

typedef struct pv {
  int64_t v, d;
} pv_t;

static bool is_rat(np_ptype_t t) { return t == NP_PT_RATIO || t == NP_PT_XMONEY; }
static pv_t pv_unk(np_ptype_t t) { return is_rat(t) ? (pv_t){0, 0} : (pv_t){UNK, 1}; }
static bool pv_is_unk(np_ptype_t t, pv_t x) { return is_rat(t) ? x.d == 0 : x.v == UNK; }

/* ------------------------------------------------------------------ element operations */

static pv_t norm128(__int128 n, __int128 d) {
  if (d == 0) return (pv_t){0, 0};
  if (d < 0) {
    n = -n;
    d = -d;
  }
  if (n > INT64_MAX || n < -INT64_MAX || d > INT64_MAX) {
    __int128 a = n < 0 ? -n : n, b = d;
    while (b) {
      __int128 t = a % b;
      a = b;
      b = t;
    }
    if (a > 1) {
      n /= a;
      d /= a;
    }
    if (n > INT64_MAX || n < -INT64_MAX || d > INT64_MAX) return (pv_t){0, 0}; /* beyond exact range: unknown */
  }
  return (pv_t){(int64_t)n, (int64_t)d};
}

/* operand as a fraction; false when unknown */
static inline bool frac(pv_t x, int64_t scale, int64_t *n, int64_t *d) {
  if (scale == 0) {
    if (x.d == 0) return false;
    *n = x.v;
    *d = x.d;
    return true;
  }
  if (x.v == UNK) return false;
  *n = x.v;
  *d = scale;
  return true;
}

static inline pv_t b2(bool b) { return (pv_t){b ? 1 : 0, 1}; }

static int add_months(int64_t day, int64_t m, int64_t *out) {
  np_date_t d = {(int32_t)day}, r;
  if (day < NP_DATE_MIN_DAYS || day > NP_DATE_MAX_DAYS || np_date_add_months(d, m, &r)) return -1;
  *out = r.days;
  return 0;
}

static inline pv_t ebin(np_pop_t op, int64_t ls, int64_t rs, pv_t a, pv_t b) {
  int64_t an, ad, bn, bd, r;
  switch (op) {
  case NP_OP_AND:
    if (a.v == 0 || b.v == 0) return b2(false);
    if (a.v == UNK || b.v == UNK) return (pv_t){UNK, 1};
    return b2(true);
  case NP_OP_OR:
    if (a.v == 1 || b.v == 1) return b2(true);
    if (a.v == UNK || b.v == UNK) return (pv_t){UNK, 1};
    return b2(false);
  case NP_OP_EQ_I: return a.v == UNK || b.v == UNK ? (pv_t){UNK, 1} : b2(a.v == b.v);
  case NP_OP_NE_I: return a.v == UNK || b.v == UNK ? (pv_t){UNK, 1} : b2(a.v != b.v);
  case NP_OP_LT_I: return a.v == UNK || b.v == UNK ? (pv_t){UNK, 1} : b2(a.v < b.v);
  case NP_OP_LE_I: return a.v == UNK || b.v == UNK ? (pv_t){UNK, 1} : b2(a.v <= b.v);
  case NP_OP_GT_I: return a.v == UNK || b.v == UNK ? (pv_t){UNK, 1} : b2(a.v > b.v);
  case NP_OP_GE_I: return a.v == UNK || b.v == UNK ? (pv_t){UNK, 1} : b2(a.v >= b.v);
  case NP_OP_EQ_R: case NP_OP_NE_R: case NP_OP_LT_R: case NP_OP_LE_R: case NP_OP_GT_R: case NP_OP_GE_R: {
    if (!frac(a, ls, &an, &ad) || !frac(b, rs, &bn, &bd)) return (pv_t){UNK, 1};
    __int128 l = (__int128)an * bd, rr = (__int128)bn * ad; /* denominators are positive */
    switch (op) {
    case NP_OP_EQ_R: return b2(l == rr);
    case NP_OP_NE_R: return b2(l != rr);
    case NP_OP_LT_R: return b2(l < rr);
    case NP_OP_LE_R: return b2(l <= rr);
    case NP_OP_GT_R: return b2(l > rr);
    default: return b2(l >= rr);
    }
  }
  case NP_OP_ADD_I:
    if (a.v == UNK || b.v == UNK || __builtin_add_overflow(a.v, b.v, &r) || r == UNK) return (pv_t){UNK, 1};
    return (pv_t){r, 1};
  case NP_OP_SUB_I:
    if (a.v == UNK || b.v == UNK || __builtin_sub_overflow(a.v, b.v, &r) || r == UNK) return (pv_t){UNK, 1};
    return (pv_t){r, 1};
  case NP_OP_MUL_I:
    if (a.v == UNK || b.v == UNK || __builtin_mul_overflow(a.v, b.v, &r) || r == UNK) return (pv_t){UNK, 1};
    return (pv_t){r, 1};
  case NP_OP_ADD_R:
  case NP_OP_SUB_R:
    if (!frac(a, ls, &an, &ad) || !frac(b, rs, &bn, &bd)) return (pv_t){0, 0};
    if (ad == bd) return norm128(op == NP_OP_ADD_R ? (__int128)an + bn : (__int128)an - bn, ad);
    return norm128(op == NP_OP_ADD_R ? (__int128)an * bd + (__int128)bn * ad : (__int128)an * bd - (__int128)bn * ad,
                   (__int128)ad * bd);
  case NP_OP_MUL_R:
    if (!frac(a, ls, &an, &ad) || !frac(b, rs, &bn, &bd)) return (pv_t){0, 0};
    return norm128((__int128)an * bn, (__int128)ad * bd);
  case NP_OP_DIV_R:
    if (!frac(a, ls, &an, &ad) || !frac(b, rs, &bn, &bd) || bn == 0) return (pv_t){0, 0};
    return norm128((__int128)an * bd, (__int128)ad * bn);
  case NP_OP_DATE_ADD_M:
  case NP_OP_DATE_SUB_M:
    if (a.v == UNK || b.v == UNK || add_months(a.v, op == NP_OP_DATE_ADD_M ? b.v : -b.v, &r)) return (pv_t){UNK, 1};
    return (pv_t){r, 1};
  default: return (pv_t){UNK, 1};
  }
}

static inline pv_t eun(np_pop_t op, pv_t a) {
  switch (op) {
  case NP_OP_NOT: return a.v == UNK ? a : b2(!a.v);
  case NP_OP_NEG_I: return a.v == UNK ? a : (pv_t){-a.v, 1};
  case NP_OP_NEG_R: return a.d == 0 ? a : (pv_t){-a.v, a.d};
  default: return (pv_t){UNK, 1};
  }
}

static int64_t round_frac(__int128 n, __int128 d, int mode) {
  __int128 q = n / d, r = n % d;
  __int128 ar = r < 0 ? -r : r;
  int sign = (n < 0) != (d < 0) ? -1 : 1;
  if (r != 0) {
    switch (mode) {
    case 0: if (2 * ar >= d) q += sign; break;                                  /* half up (away from zero) */
    case 1: if (2 * ar > d || (2 * ar == d && (q % 2 != 0))) q += sign; break;    /* half even */
    case 2: break;                                                              /* down (toward zero) */
    default: q += sign; break;                                                  /* up (away from zero) */
    }
  }
  return (int64_t)q;
}

static void ymd(int64_t days, int *y, int *m, int *d) {
  np_date_t dt = {(int32_t)days};
  np_date_to_ymd(dt, y, m, d);
}

static int64_t months_between(int64_t a, int64_t b) {
  if (b < a) return -months_between(b, a);
  int ya, ma, da, yb, mb, db;
  ymd(a, &ya, &ma, &da);
  ymd(b, &yb, &mb, &db);
  int64_t m = (int64_t)(yb - ya) * 12 + (mb - ma);
  if (db < da) m--;
  return m;
}

static pv_t ecall(const np_pexpr_t *e, const pv_t *x) {
  const np_pexpr_t *const *a = (const np_pexpr_t *const *)e->args;
  for (int i = 0; i < e->nargs; i++)
    if (e->idx != NP_FN_KNOWN && e->idx != NP_FN_COALESCE && pv_is_unk(a[i]->type, x[i])) return pv_unk(e->type);
  np_date_t dt;
  switch ((np_pfn_t)e->idx) {
  case NP_FN_YEAR: return (pv_t){np_policy_year_of(x[0].v), 1};
  case NP_FN_MONTH: return (pv_t){np_policy_month_of(x[0].v), 1};
  case NP_FN_DATE:
    if (x[0].v < 1900 || x[0].v > 2999 || x[1].v < 1 || x[1].v > 12 || x[2].v < 1 || x[2].v > 31 ||
        np_date_from_ymd((int)x[0].v, (int)x[1].v, (int)x[2].v, &dt))
      return (pv_t){UNK, 1};
    return (pv_t){dt.days, 1};
  case NP_FN_DAYS_BETWEEN: return (pv_t){x[1].v - x[0].v, 1};
  case NP_FN_MONTHS_BETWEEN: return (pv_t){months_between(x[0].v, x[1].v), 1};
  case NP_FN_AGE: {
    int y0, m0, d0, y1, m1, d1;
    ymd(x[0].v, &y0, &m0, &d0);
    ymd(x[1].v, &y1, &m1, &d1);
    int64_t age = y1 - y0;
    if (m1 < m0 || (m1 == m0 && d1 < d0)) age--;
    return (pv_t){age, 1};
  }
  case NP_FN_KNOWN: return b2(!pv_is_unk(a[0]->type, x[0]));
  case NP_FN_COALESCE: return pv_is_unk(a[0]->type, x[0]) ? x[1] : x[0];
  case NP_FN_MIN:
  case NP_FN_MAX: {
    pv_t best = x[0];
    int64_t sc = is_rat(e->type) ? 0 : 1;
    for (int i = 1; i < e->nargs; i++) {
      pv_t lt = ebin(NP_OP_LT_R, sc, sc, x[i], best);
      pv_t gt = ebin(NP_OP_GT_R, sc, sc, x[i], best);
      if ((e->idx == NP_FN_MIN && lt.v == 1) || (e->idx == NP_FN_MAX && gt.v == 1)) best = x[i];
    }
    return best;
  }
  case NP_FN_ROUND_HALF_UP:
  case NP_FN_ROUND_HALF_EVEN:
  case NP_FN_ROUND_DOWN:
  case NP_FN_ROUND_UP: {
    if (e->lscale == 1) return x[0];
    int64_t n = x[0].v, d = e->lscale ? e->lscale : x[0].d;
    return (pv_t){round_frac(n, d, e->idx - NP_FN_ROUND_HALF_UP), 1};
  }
  case NP_FN_YUAN: {
    int64_t r;
    if (__builtin_mul_overflow(x[0].v, 100, &r)) return (pv_t){UNK, 1};
    return (pv_t){r, 1};
  }
  case NP_FN_DAYS:
  case NP_FN_MONTHS: return x[0];
  case NP_FN_START_OF_YEAR:
  case NP_FN_END_OF_YEAR:
    if (x[0].v < 1900 || x[0].v > 2999) return (pv_t){UNK, 1};
    np_date_from_ymd((int)x[0].v, e->idx == NP_FN_START_OF_YEAR ? 1 : 12, e->idx == NP_FN_START_OF_YEAR ? 1 : 31, &dt);
    return (pv_t){dt.days, 1};
  default: return (pv_t){UNK, 1};
  }
}

/* ------------------------------------------------------------------ parameters and the min-wage table */

typedef struct mwent {
  int64_t county, from, to, fen;
  bool known;
} mwent_t;

typedef struct mwc {
  mwent_t *a;
  size_t n, cap;
} mwc_t;

/* value of the county's minimum wage on day; *to receives the last day of the same value */
static bool mw_lookup(const np_peval_t *E, mwc_t *c, int64_t county, int64_t day, int64_t *fen, int64_t *to) {
  for (size_t i = 0; i < c->n; i++)
    if (c->a[i].county == county && c->a[i].from <= day && day <= c->a[i].to) {
      *fen = c->a[i].fen;
      *to = c->a[i].to;
      return c->a[i].known;
    }
  mwent_t ent = {county, day, day, 0, false};
  if (E->ref && day >= NP_DATE_MIN_DAYS && day <= NP_DATE_MAX_DAYS) {
    char code[16], ds[NP_DATE_STRLEN];
    np_policy_text_unpack(county, code, sizeof code);
    np_date_format((np_date_t){(int32_t)day}, ds, sizeof ds);
    np_min_wage_t mw;
    np_errdetail_t err;
    if (np_ref_min_wage(E->ref, code, ds, &mw, &err) == NP_OK) {
      np_date_t f, t;
      if (mw.effective_from && np_date_parse(mw.effective_from, strlen(mw.effective_from), &f) == NP_OK) ent.from = f.days;
      ent.to = NP_PDATE_OPEN;
      if (mw.effective_to && np_date_parse(mw.effective_to, strlen(mw.effective_to), &t) == NP_OK) ent.to = t.days;
      ent.known = mw.status == NP_MIN_WAGE_KNOWN;
      ent.fen = ent.known ? mw.monthly_fen : 0;
      if (ent.from > day) ent.from = day;
      if (ent.to < day) ent.to = day;
    }
  }
  if (c->n == c->cap) {
    size_t nc = c->cap ? c->cap * 2 : 64;
    mwent_t *na = realloc(c->a, nc * sizeof *na);
    if (!na) return false;
    c->a = na;
    c->cap = nc;
  }
  c->a[c->n++] = ent;
  *fen = ent.fen;
  *to = ent.to;
  return ent.known;
}

/* Reads a parameter; x: evaluated arguments (county first for the table). *used: the dated value read (NULL for tables) */
static pv_t param_eval(const np_peval_t *E, mwc_t *mw, const np_pexpr_t *e, const pv_t *x, const np_pparam_value_t **used) {
  const np_pparam_t *p = &E->pkg->params[e->idx];
  int k = 0;
  int64_t county = 0;
  if (used) *used = NULL;
  if (p->table_min_wage) county = x[k++].v;
  for (int i = k; i < e->nargs; i++)
    if (x[i].v == UNK) return pv_unk(e->type);
  if (p->mode == 0) {
    int64_t day = k < e->nargs ? x[k].v : E->as_of;
    if (p->table_min_wage) {
      int64_t fen, to;
      if (!mw_lookup(E, mw, county, day, &fen, &to)) return (pv_t){UNK, 1};
      return (pv_t){fen, 1};
    }
    const np_pparam_value_t *v = np_policy_param_at(p, day);
    if (used) *used = v;
    return v ? (pv_t){v->v, 1} : (pv_t){UNK, 1};
  }
  /* prorated by days over [from, to] */
  int64_t from = x[k].v, to = x[k + 1].v;
  if (to < from) return (pv_t){0, 0};
  __int128 num = 0;
  for (int64_t day = from; day <= to;) {
    int64_t val, last;
    if (p->table_min_wage) {
      if (!mw_lookup(E, mw, county, day, &val, &last)) return (pv_t){0, 0};
    } else {
      const np_pparam_value_t *v = np_policy_param_at(p, day);
      if (!v) return (pv_t){0, 0};
      if (used && !*used) *used = v;
      val = v->v;
      last = v->to;
    }
    int64_t end = last < to ? last : to;
    num += (__int128)val * (end - day + 1);
    day = end + 1;
  }
  pv_t r = norm128(num, to - from + 1);
  if (p->type == NP_PT_RATE && r.d) return norm128((__int128)r.v, (__int128)r.d * 1000000);
  return r;
}

/* ------------------------------------------------------------------ column access */

static inline int64_t colget(const void *col, int w, size_t row) {
  switch (w) {
  case 1: { int8_t v = ((const int8_t *)col)[row]; return v == INT8_MIN ? UNK : v; }
  case 2: { int16_t v = ((const int16_t *)col)[row]; return v == INT16_MIN ? UNK : v; }
  case 4: { int32_t v = ((const int32_t *)col)[row]; return v == INT32_MIN ? UNK : v; }
  default: return ((const int64_t *)col)[row];
  }
}

static inline int32_t follow(const np_policy_facts_t *F, np_pkind_t *k, int link, int32_t row) {
  const np_plink_t *l = &np_policy_kind(*k)->links[link];
  int32_t r = ((const int32_t *)F->t[*k].col[l->field])[row];
  *k = l->target;
  return r;
}

/* ------------------------------------------------------------------ column-wise evaluator */

typedef struct vsc {
  np_pkind_t kind;
  const int32_t *rows;
  const int32_t *up; /* position in the enclosing scope (NULL at depth 0) */
  size_t n;
} vsc_t;

/* Scratch memory of a worker: one bump block kept across chunks (grown to the peak), overflow blocks
 * freed at each reset. No page faults once warm. */
typedef struct scr {
  char *buf;
  size_t cap, used, peak;
  void **extra;
  size_t nextra, capextra;
} scr_t;

static void *scr_alloc(scr_t *S, size_t n) {
  n = (n + 15) & ~(size_t)15;
  if (S->buf && S->used + n <= S->cap) {
    void *p = S->buf + S->used;
    S->used += n;
    if (S->used > S->peak) S->peak = S->used;
    return p;
  }
  if (S->nextra == S->capextra) {
    size_t nc = S->capextra ? S->capextra * 2 : 64;
    void **ne = realloc(S->extra, nc * sizeof *ne);
    if (!ne) return NULL;
    S->extra = ne;
    S->capextra = nc;
  }
  void *p = malloc(n);
  if (!p) return NULL;
  S->extra[S->nextra++] = p;
  S->peak += n;
  return p;
}

static void scr_reset(scr_t *S) {
  for (size_t i = 0; i < S->nextra; i++) free(S->extra[i]);
  S->nextra = 0;
  if (S->peak > S->cap) {
    free(S->buf);
    S->cap = S->peak + S->peak / 4 + 4096;
    S->buf = malloc(S->cap);
    if (!S->buf) S->cap = 0;
  }
  S->used = 0;
  S->peak = 0;
}

static void scr_free(scr_t *S) {
  S->peak = 0;
  scr_reset(S);
  free(S->buf);
  free(S->extra);
  memset(S, 0, sizeof *S);
}

typedef struct worker {
  const np_peval_t *E;
  const np_pversion_t *ver;
  scr_t scr;
  mwc_t mw;
  vsc_t sc[NP_PMAX_DEPTH];
  int depth;
  int32_t base;           /* first entity row of the chunk (depth-0 positions = row − base) */
  size_t chunk_n;
  struct fcache {         /* aggregate filters over the whole chunk, shared by equal aggregates */
    uint64_t key;
    int64_t *off;         /* chunk_n + 1 */
    int32_t *rows;
  } fc[16];
  int nfc;
  int64_t **let_v, **let_d;
  uint8_t **let_has;
  bool oom;
} worker_t;

static void *walloc(worker_t *W, size_t n, size_t sz) {
  void *p = scr_alloc(&W->scr, (n ? n : 1) * sz);
  if (!p) W->oom = true;
  return p;
}

static void veval(worker_t *W, const np_pexpr_t *e, int64_t *ov, int64_t *od);

/* positions in scope `d` of each position of the innermost scope (NULL = identity) */
static const int32_t *map_to(worker_t *W, int d) {
  int top = W->depth - 1;
  if (d == top) return NULL;
  if (d == top - 1) return W->sc[top].up;
  size_t n = W->sc[top].n;
  int32_t *m = walloc(W, n, sizeof *m);
  if (!m) return NULL;
  for (size_t i = 0; i < n; i++) {
    int32_t p = (int32_t)i;
    for (int s = top; s > d; s--) p = W->sc[s].up[p];
    m[i] = p;
  }
  return m;
}

/* rows (of the path's kind, after following links) for each innermost position */
static const int32_t *path_rows(worker_t *W, int depth, int nchain, const int *chain, np_pkind_t *kind_out) {
  int top = W->depth - 1;
  size_t n = W->sc[top].n;
  const int32_t *m = map_to(W, depth);
  const int32_t *src = W->sc[depth].rows;
  np_pkind_t k = W->sc[depth].kind;
  if (!m && nchain == 0) {
    *kind_out = k;
    return src;
  }
  int32_t *rows = walloc(W, n, sizeof *rows);
  if (!rows) return NULL;
  for (size_t i = 0; i < n; i++) rows[i] = src[m ? m[i] : (int32_t)i];
  for (int c = 0; c < nchain; c++) {
    const np_plink_t *l = &np_policy_kind(k)->links[chain[c]];
    const int32_t *lc = W->E->facts->t[k].col[l->field];
    for (size_t i = 0; i < n; i++) rows[i] = lc[rows[i]];
    k = l->target;
  }
  *kind_out = k;
  return rows;
}

static void gather(const void *col, int w, const int32_t *rows, size_t n, int64_t *ov) {
  switch (w) {
  case 1: for (size_t i = 0; i < n; i++) { int8_t v = ((const int8_t *)col)[rows[i]]; ov[i] = v == INT8_MIN ? UNK : v; } break;
  case 2: for (size_t i = 0; i < n; i++) { int16_t v = ((const int16_t *)col)[rows[i]]; ov[i] = v == INT16_MIN ? UNK : v; } break;
  case 4: for (size_t i = 0; i < n; i++) { int32_t v = ((const int32_t *)col)[rows[i]]; ov[i] = v == INT32_MIN ? UNK : v; } break;
  default: for (size_t i = 0; i < n; i++) ov[i] = ((const int64_t *)col)[rows[i]]; break;
  }
}

/* Evaluates e over a subset (idx[0..m)) of the innermost scope's positions; results in ov/od[0..m). */
static void veval_subset(worker_t *W, const np_pexpr_t *e, const int32_t *idx, size_t m, int64_t *ov, int64_t *od) {
  int top = W->depth - 1;
  vsc_t saved = W->sc[top];
  int32_t *rows = walloc(W, m, sizeof *rows);
  int32_t *up = saved.up ? walloc(W, m, sizeof *up) : NULL;
  if (!rows || (saved.up && !up)) return;
  for (size_t i = 0; i < m; i++) {
    rows[i] = saved.rows[idx[i]];
    if (up) up[i] = saved.up[idx[i]];
  }
  W->sc[top].rows = rows;
  W->sc[top].up = up;
  W->sc[top].n = m;
  veval(W, e, ov, od);
  W->sc[top] = saved;
}

static void veval_let(worker_t *W, const np_pexpr_t *e, int64_t *ov, int64_t *od) {
  int top = W->depth - 1;
  size_t n = W->sc[top].n;
  const int32_t *m = map_to(W, 0);
  const int32_t *rows0 = W->sc[0].rows;
  int64_t *cv = W->let_v[e->idx], *cd = W->let_d[e->idx];
  uint8_t *has = W->let_has[e->idx];
  /* rows not cached yet (unique) */
  int32_t *miss = walloc(W, n, sizeof *miss);
  if (!miss) return;
  size_t nm = 0;
  for (size_t i = 0; i < n; i++) {
    int32_t row = rows0[m ? m[i] : (int32_t)i];
    int32_t p = row - W->base;
    if (!has[p]) {
      has[p] = 2; /* pending */
      miss[nm++] = row;
    }
  }
  if (nm) {
    vsc_t saved[NP_PMAX_DEPTH];
    memcpy(saved, W->sc, sizeof saved);
    int sdepth = W->depth;
    W->depth = 1;
    W->sc[0] = (vsc_t){W->sc[0].kind, miss, NULL, nm};
    int64_t *tv = walloc(W, nm, sizeof *tv), *td = walloc(W, nm, sizeof *td);
    if (tv && td) {
      const np_pexpr_t *le = W->ver->lets[e->idx].expr;
      veval(W, le, tv, td);
      for (size_t i = 0; i < nm; i++) {
        int32_t p = miss[i] - W->base;
        cv[p] = tv[i];
        cd[p] = is_rat(le->type) ? td[i] : 1;
        has[p] = 1;
      }
    }
    memcpy(W->sc, saved, sizeof saved);
    W->depth = sdepth;
  }
  for (size_t i = 0; i < n; i++) {
    int32_t p = rows0[m ? m[i] : (int32_t)i] - W->base;
    ov[i] = cv[p];
    if (od) od[i] = cd[p];
  }
}

/* The filtered children of every entity row of the chunk for an aggregate whose source is the entity
 * itself and whose filter depends on nothing deeper: computed once, shared by equal aggregates. */
static struct fcache *agg_filter_cache(worker_t *W, const np_pexpr_t *e) {
  uint64_t key = e->sig ^ (e->args[1] ? e->args[1]->sig * 31 : 0);
  for (int i = 0; i < W->nfc; i++)
    if (W->fc[i].key == key) return &W->fc[i];
  if (W->nfc >= 16) return NULL;
  /* evaluate over all chunk rows with a fresh depth-0 scope */
  size_t cn = W->chunk_n;
  int32_t *rows0 = walloc(W, cn, sizeof *rows0);
  if (!rows0) return NULL;
  for (size_t i = 0; i < cn; i++) rows0[i] = W->base + (int32_t)i;
  vsc_t saved[NP_PMAX_DEPTH];
  memcpy(saved, W->sc, sizeof saved);
  int sdepth = W->depth;
  W->depth = 1;
  W->sc[0] = (vsc_t){saved[0].kind, rows0, NULL, cn};
  const np_pindex_t *ix = &W->E->facts->t[e->fkind].coll[e->field];
  size_t nc = 0;
  for (size_t i = 0; i < cn; i++) nc += (size_t)(ix->off[rows0[i] + 1] - ix->off[rows0[i]]);
  int32_t *crows = walloc(W, nc, sizeof *crows), *cup = walloc(W, nc, sizeof *cup);
  int64_t *wv = walloc(W, nc, sizeof *wv), *off = walloc(W, cn + 1, sizeof *off);
  struct fcache *fc = NULL;
  if (crows && cup && wv && off) {
    size_t k = 0;
    for (size_t i = 0; i < cn; i++)
      for (int64_t j = ix->off[rows0[i]]; j < ix->off[rows0[i] + 1]; j++) {
        crows[k] = ix->rows[j];
        cup[k++] = (int32_t)i;
      }
    W->sc[W->depth++] = (vsc_t){e->child, crows, cup, nc};
    veval(W, e->args[1], wv, NULL);
    W->depth--;
    size_t m = 0;
    for (size_t i = 0; i <= cn; i++) off[i] = 0;
    for (size_t j = 0; j < nc; j++)
      if (wv[j] == 1) {
        crows[m++] = crows[j];
        off[cup[j] + 1]++;
      }
    for (size_t i = 0; i < cn; i++) off[i + 1] += off[i];
    fc = &W->fc[W->nfc++];
    fc->key = key;
    fc->off = off;
    fc->rows = crows;
  }
  memcpy(W->sc, saved, sizeof saved);
  W->depth = sdepth;
  return fc;
}

static void veval_agg(worker_t *W, const np_pexpr_t *e, int64_t *ov) {
  int top = W->depth - 1;
  size_t n = W->sc[top].n;
  const np_pexpr_t *val = e->args[0], *where = e->args[1];
  int32_t *crows, *cup;
  size_t nc = 0;
  if (top == 0 && e->depth == 0 && e->nchain == 0 && W->chunk_n && (!where || where->dep <= 1)) {
    struct fcache *fc = where ? agg_filter_cache(W, e) : NULL;
    if (where && !fc) return;
    const np_pindex_t *ix = &W->E->facts->t[e->fkind].coll[e->field];
    const int32_t *r0 = W->sc[0].rows;
    for (size_t i = 0; i < n; i++) {
      size_t p = (size_t)(r0[i] - W->base);
      nc += fc ? (size_t)(fc->off[p + 1] - fc->off[p]) : (size_t)(ix->off[r0[i] + 1] - ix->off[r0[i]]);
    }
    crows = walloc(W, nc, sizeof *crows);
    cup = walloc(W, nc, sizeof *cup);
    if (!crows || !cup) return;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
      size_t p = (size_t)(r0[i] - W->base);
      if (fc)
        for (int64_t j = fc->off[p]; j < fc->off[p + 1]; j++) {
          crows[k] = fc->rows[j];
          cup[k++] = (int32_t)i;
        }
      else
        for (int64_t j = ix->off[r0[i]]; j < ix->off[r0[i] + 1]; j++) {
          crows[k] = ix->rows[j];
          cup[k++] = (int32_t)i;
        }
    }
    where = NULL; /* already applied */
    W->sc[W->depth++] = (vsc_t){e->child, crows, cup, nc};
  } else {
    np_pkind_t pk;
    const int32_t *prow = path_rows(W, e->depth, e->nchain, e->chain, &pk);
    if (!prow) return;
    const np_pindex_t *ix = &W->E->facts->t[pk].coll[e->field];
    for (size_t i = 0; i < n; i++) nc += (size_t)(ix->off[prow[i] + 1] - ix->off[prow[i]]);
    crows = walloc(W, nc, sizeof *crows);
    cup = walloc(W, nc, sizeof *cup);
    if (!crows || !cup) return;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
      for (int64_t j = ix->off[prow[i]]; j < ix->off[prow[i] + 1]; j++) {
        crows[k] = ix->rows[j];
        cup[k++] = (int32_t)i;
      }
    W->sc[W->depth++] = (vsc_t){e->child, crows, cup, nc};
  }
  if (where) {
    int64_t *wv = walloc(W, nc, sizeof *wv);
    if (!wv) goto out;
    veval(W, where, wv, NULL);
    size_t m = 0;
    for (size_t j = 0; j < nc; j++)
      if (wv[j] == 1) {
        crows[m] = crows[j];
        cup[m++] = cup[j];
      }
    nc = m;
    W->sc[W->depth - 1].n = nc;
  }
  switch ((np_pagg_t)e->idx) {
  case NP_AGG_COUNT:
  case NP_AGG_EXISTS:
    for (size_t i = 0; i < n; i++) ov[i] = 0;
    for (size_t j = 0; j < nc; j++) ov[cup[j]] = e->idx == NP_AGG_COUNT ? ov[cup[j]] + 1 : 1;
    break;
  case NP_AGG_SUM: {
    int64_t *vv = walloc(W, nc, sizeof *vv);
    if (!vv) goto out;
    veval(W, val, vv, NULL);
    for (size_t i = 0; i < n; i++) ov[i] = 0;
    for (size_t j = 0; j < nc; j++) {
      int64_t *t = &ov[cup[j]];
      if (*t == UNK) continue;
      if (vv[j] == UNK || __builtin_add_overflow(*t, vv[j], t)) *t = UNK;
    }
    break;
  }
  default: {
    int64_t *vv = walloc(W, nc, sizeof *vv);
    if (!vv) goto out;
    veval(W, val, vv, NULL);
    uint8_t *bad = walloc(W, n, 1);
    if (!bad) goto out;
    memset(bad, 0, n);
    for (size_t i = 0; i < n; i++) ov[i] = UNK;
    for (size_t j = 0; j < nc; j++) {
      int32_t p = cup[j];
      if (vv[j] == UNK) bad[p] = 1;
      else if (ov[p] == UNK || (e->idx == NP_AGG_MIN ? vv[j] < ov[p] : vv[j] > ov[p])) ov[p] = vv[j];
    }
    for (size_t i = 0; i < n; i++)
      if (bad[i]) ov[i] = UNK;
  }
  }
out:
  W->depth--;
}

static void veval(worker_t *W, const np_pexpr_t *e, int64_t *ov, int64_t *od) {
  if (W->oom) return;
  int top = W->depth - 1;
  size_t n = W->sc[top].n;
  if (n > 0 && e->kind != NP_NK_LIT && e->kind != NP_NK_ASOF && (e->dep >= 0 ? e->dep < top : (top > 0 || n > 1))) {
    /* hoist: the value depends only on an outer scope (or on nothing): evaluate there, broadcast */
    int target = e->dep < 0 ? 0 : e->dep;
    const int32_t *m = e->dep < 0 ? NULL : map_to(W, target);
    if (W->oom) return;
    vsc_t saved[NP_PMAX_DEPTH];
    memcpy(saved, W->sc, sizeof saved);
    int sdepth = W->depth;
    W->depth = target + 1;
    size_t nt = e->dep < 0 ? 1 : W->sc[target].n;
    if (e->dep < 0) W->sc[0].n = 1;
    int64_t *tv = walloc(W, nt, sizeof *tv), *td = od ? walloc(W, nt, sizeof *td) : NULL;
    if (tv) veval(W, e, tv, td);
    memcpy(W->sc, saved, sizeof saved);
    W->depth = sdepth;
    if (!tv || W->oom) return;
    for (size_t i = 0; i < n; i++) {
      size_t p = m ? (size_t)m[i] : 0;
      ov[i] = tv[p];
      if (od) od[i] = td ? td[p] : 1;
    }
    return;
  }
  switch (e->kind) {
  case NP_NK_LIT:
    for (size_t i = 0; i < n; i++) ov[i] = e->v;
    if (od) for (size_t i = 0; i < n; i++) od[i] = e->d;
    return;
  case NP_NK_ASOF:
    for (size_t i = 0; i < n; i++) ov[i] = W->E->as_of;
    return;
  case NP_NK_FIELD: {
    np_pkind_t k;
    const int32_t *rows = path_rows(W, e->depth, e->nchain, e->chain, &k);
    if (!rows) return;
    gather(W->E->facts->t[k].col[e->field], np_policy_kind(k)->fields[e->field].width, rows, n, ov);
    return;
  }
  case NP_NK_LET:
    veval_let(W, e, ov, is_rat(e->type) ? od : NULL);
    return;
  case NP_NK_PARAM: {
    int64_t *av[4] = {0};
    for (int a = 0; a < e->nargs && a < 4; a++) {
      av[a] = walloc(W, n, sizeof(int64_t));
      if (!av[a]) return;
      veval(W, e->args[a], av[a], NULL);
    }
    bool constant = e->nargs == 0 || (e->nargs == 1 && e->args[0]->kind == NP_NK_LIT);
    pv_t x[4];
    if (constant) {
      for (int a = 0; a < e->nargs; a++) x[a] = (pv_t){av[a][0], 1};
      pv_t r = param_eval(W->E, &W->mw, e, x, NULL);
      for (size_t i = 0; i < n; i++) {
        ov[i] = r.v;
        if (od) od[i] = r.d;
      }
      return;
    }
    for (size_t i = 0; i < n; i++) {
      for (int a = 0; a < e->nargs && a < 4; a++) x[a] = (pv_t){av[a][i], 1};
      pv_t r = param_eval(W->E, &W->mw, e, x, NULL);
      ov[i] = r.v;
      if (od) od[i] = r.d;
    }
    return;
  }
  case NP_NK_UNARY: {
    const np_pexpr_t *a = e->args[0];
    int64_t *ad = is_rat(a->type) ? walloc(W, n, sizeof *ad) : NULL;
    veval(W, a, ov, ad);
    for (size_t i = 0; i < n; i++) {
      pv_t r = eun(e->op, (pv_t){ov[i], ad ? ad[i] : 1});
      ov[i] = r.v;
      if (od) od[i] = r.d;
    }
    return;
  }
  case NP_NK_BINARY: {
    const np_pexpr_t *a = e->args[0], *b = e->args[1];
    if (e->op == NP_OP_AND || e->op == NP_OP_OR) {
      /* short-circuit over a selection: the right side only where the left does not decide */
      int64_t decide = e->op == NP_OP_AND ? 0 : 1;
      veval(W, a, ov, NULL);
      if (W->oom) return;
      int32_t *idx = walloc(W, n, sizeof *idx);
      if (!idx) return;
      size_t m = 0;
      for (size_t i = 0; i < n; i++)
        if (ov[i] != decide) idx[m++] = (int32_t)i;
      if (m == 0) return;
      int64_t *bv = walloc(W, m, sizeof *bv);
      if (!bv) return;
      if (m == n) veval(W, b, bv, NULL);
      else veval_subset(W, b, idx, m, bv, NULL);
      for (size_t j = 0; j < m; j++) {
        size_t i = (size_t)idx[j];
        int64_t x = ov[i], y = bv[j];
        if (y == decide) ov[i] = decide;
        else if (x == UNK || y == UNK) ov[i] = UNK;
        else ov[i] = 1 - decide;
      }
      return;
    }
    int64_t *av = walloc(W, n, sizeof *av), *bv = walloc(W, n, sizeof *bv);
    int64_t *ad = is_rat(a->type) ? walloc(W, n, sizeof *ad) : NULL, *bd = is_rat(b->type) ? walloc(W, n, sizeof *bd) : NULL;
    if (!av || !bv) return;
    veval(W, a, av, ad);
    veval(W, b, bv, bd);
    if (W->oom) return;
    np_pop_t op = e->op;
    /* hot paths without the generic dispatch */
    if (op == NP_OP_AND || op == NP_OP_OR) {
      bool isand = op == NP_OP_AND;
      for (size_t i = 0; i < n; i++) {
        int64_t x = av[i], y = bv[i];
        if (isand) ov[i] = (x == 0 || y == 0) ? 0 : (x == UNK || y == UNK) ? UNK : 1;
        else ov[i] = (x == 1 || y == 1) ? 1 : (x == UNK || y == UNK) ? UNK : 0;
      }
      return;
    }
    if (op == NP_OP_ADD_I || op == NP_OP_SUB_I) {
      bool add = op == NP_OP_ADD_I;
      for (size_t i = 0; i < n; i++) {
        int64_t x = av[i], y = bv[i], r;
        if (x == UNK || y == UNK || (add ? __builtin_add_overflow(x, y, &r) : __builtin_sub_overflow(x, y, &r)) || r == UNK)
          r = UNK;
        ov[i] = r;
      }
      return;
    }
    if (op >= NP_OP_EQ_I && op <= NP_OP_GE_I) {
      for (size_t i = 0; i < n; i++) {
        int64_t x = av[i], y = bv[i];
        if (x == UNK || y == UNK) { ov[i] = UNK; continue; }
        bool r;
        switch (op) {
        case NP_OP_EQ_I: r = x == y; break;
        case NP_OP_NE_I: r = x != y; break;
        case NP_OP_LT_I: r = x < y; break;
        case NP_OP_LE_I: r = x <= y; break;
        case NP_OP_GT_I: r = x > y; break;
        default: r = x >= y; break;
        }
        ov[i] = r;
      }
      return;
    }
    for (size_t i = 0; i < n; i++) {
      pv_t r = ebin(op, e->lscale, e->rscale, (pv_t){av[i], ad ? ad[i] : 1}, (pv_t){bv[i], bd ? bd[i] : 1});
      ov[i] = r.v;
      if (od) od[i] = r.d;
    }
    return;
  }
  case NP_NK_IF: {
    int64_t *cv = walloc(W, n, sizeof *cv);
    int32_t *ti = walloc(W, n, sizeof *ti), *fi = walloc(W, n, sizeof *fi);
    if (!cv || !ti || !fi) return;
    veval(W, e->args[0], cv, NULL);
    size_t nt = 0, nf = 0;
    pv_t u = pv_unk(e->type);
    for (size_t i = 0; i < n; i++) {
      if (cv[i] == 1) ti[nt++] = (int32_t)i;
      else if (cv[i] == 0) fi[nf++] = (int32_t)i;
      else {
        ov[i] = u.v;
        if (od) od[i] = u.d;
      }
    }
    for (int br = 0; br < 2; br++) {
      size_t m = br ? nf : nt;
      const int32_t *ix = br ? fi : ti;
      if (!m) continue;
      int64_t *tv = walloc(W, m, sizeof *tv), *td = od ? walloc(W, m, sizeof *td) : NULL;
      if (!tv) return;
      veval_subset(W, e->args[1 + br], ix, m, tv, td);
      for (size_t j = 0; j < m; j++) {
        ov[ix[j]] = tv[j];
        if (od && td) od[ix[j]] = td[j];
      }
    }
    return;
  }
  case NP_NK_IN: {
    veval(W, e->args[0], ov, NULL);
    for (size_t i = 0; i < n; i++) {
      if (ov[i] == UNK) continue;
      bool hit = false;
      for (int k = 1; k < e->nargs && !hit; k++) hit = ov[i] == e->args[k]->v;
      ov[i] = hit;
    }
    return;
  }
  case NP_NK_CALL: {
    if (e->idx == NP_FN_YEAR || e->idx == NP_FN_MONTH) {
      veval(W, e->args[0], ov, NULL);
      bool y = e->idx == NP_FN_YEAR;
      for (size_t i = 0; i < n; i++)
        if (ov[i] != UNK) ov[i] = y ? np_policy_year_of(ov[i]) : np_policy_month_of(ov[i]);
      return;
    }
    int na = e->nargs;
    int64_t **av = walloc(W, (size_t)na, sizeof *av), **ad = walloc(W, (size_t)na, sizeof *ad);
    if (!av || !ad) return;
    for (int a = 0; a < na; a++) {
      av[a] = walloc(W, n, sizeof(int64_t));
      ad[a] = is_rat(e->args[a]->type) ? walloc(W, n, sizeof(int64_t)) : NULL;
      if (!av[a]) return;
      veval(W, e->args[a], av[a], ad[a]);
    }
    pv_t x[16];
    if (na > 16) return;
    for (size_t i = 0; i < n; i++) {
      for (int a = 0; a < na; a++) x[a] = (pv_t){av[a][i], ad[a] ? ad[a][i] : 1};
      pv_t r = ecall(e, x);
      ov[i] = r.v;
      if (od) od[i] = r.d;
    }
    return;
  }
  case NP_NK_AGG:
    veval_agg(W, e, ov);
    return;
  default:
    for (size_t i = 0; i < n; i++) ov[i] = UNK;
    return;
  }
}

/* ------------------------------------------------------------------ decisions */

np_err np_policy_decisions_alloc(const np_peval_t *E, const np_ppolicy_t *pol, np_pdecisions_t *d) {
  memset(d, 0, sizeof *d);
  d->pol = pol;
  d->ver = np_policy_version_at(pol, E->as_of);
  size_t n = E->facts->t[pol->entity].n, m = n ? n : 1;
  d->n = n;
  d->eligible = calloc(m, 1);
  d->reason = malloc(m * sizeof *d->reason);
  d->amount = calloc(m, sizeof *d->amount);
  d->obs_v = malloc(m * sizeof(int64_t));
  d->obs_d = malloc(m * sizeof(int64_t));
  d->thr_v = malloc(m * sizeof(int64_t));
  d->thr_d = malloc(m * sizeof(int64_t));
  d->competing = malloc(m * sizeof(int32_t));
  if (!d->eligible || !d->reason || !d->amount || !d->obs_v || !d->obs_d || !d->thr_v || !d->thr_d || !d->competing) {
    np_policy_decisions_free(d);
    return NP_ERR_NOMEM;
  }
  for (size_t i = 0; i < n; i++) {
    d->reason[i] = NP_PR_NO_VERSION;
    d->obs_v[i] = UNK;
    d->obs_d[i] = 1;
    d->thr_v[i] = UNK;
    d->thr_d[i] = 1;
    d->competing[i] = -1;
  }
  return NP_OK;
}

void np_policy_decisions_free(np_pdecisions_t *d) {
  if (!d) return;
  free(d->eligible);
  free(d->reason);
  free(d->amount);
  free(d->obs_v);
  free(d->obs_d);
  free(d->thr_v);
  free(d->thr_d);
  free(d->competing);
  memset(d, 0, sizeof *d);
}

typedef struct job {
  const np_peval_t *E;
  const np_ppolicy_t *pol;
  np_pdecisions_t *d;
  atomic_size_t next;
  size_t nchunks;
  atomic_int failed;
} job_t;

static void run_chunk(worker_t *W, job_t *J, size_t r0, size_t r1) {
  const np_pversion_t *v = J->d->ver;
  np_pdecisions_t *d = J->d;
  size_t n = r1 - r0;
  W->base = (int32_t)r0;
  W->chunk_n = n;
  W->nfc = 0;
  for (int l = 0; l < v->nlets; l++) memset(W->let_has[l], 0, CHUNK);
  int32_t *sel = walloc(W, n, sizeof *sel);
  int64_t *bv = walloc(W, n, sizeof *bv);
  int32_t *fail = walloc(W, n, sizeof *fail), *pass = walloc(W, n, sizeof *pass);
  if (!sel || !bv || !fail || !pass) return;
  for (size_t i = 0; i < n; i++) sel[i] = (int32_t)(r0 + i);
  size_t m = n;
  W->depth = 1;
  for (int c = 0; c < v->ncrits && m; c++) {
    const np_pcrit_t *cr = &v->crits[c];
    W->sc[0] = (vsc_t){J->pol->entity, sel, NULL, m};
    veval(W, cr->expr, bv, NULL);
    size_t nf = 0, np = 0;
    for (size_t i = 0; i < m; i++) {
      if (bv[i] == 1) pass[np++] = (int32_t)i;
      else fail[nf++] = (int32_t)i;
    }
    if (nf) {
      for (size_t i = 0; i < nf; i++) {
        int32_t row = sel[fail[i]];
        d->eligible[row] = 0;
        d->reason[row] = (int16_t)c;
      }
      for (int side = 0; side < 2; side++) {
        const np_pexpr_t *x = side ? cr->threshold : cr->observed;
        if (!x) continue;
        int64_t *xv = walloc(W, nf, sizeof *xv), *xd = walloc(W, nf, sizeof *xd);
        if (!xv || !xd) return;
        veval_subset(W, x, fail, nf, xv, is_rat(x->type) ? xd : NULL);
        for (size_t i = 0; i < nf; i++) {
          int32_t row = sel[fail[i]];
          (side ? d->thr_v : d->obs_v)[row] = xv[i];
          (side ? d->thr_d : d->obs_d)[row] = is_rat(x->type) ? xd[i] : 1;
        }
      }
    }
    int32_t *nsel = walloc(W, np, sizeof *nsel);
    if (!nsel) return;
    for (size_t i = 0; i < np; i++) nsel[i] = sel[pass[i]];
    sel = nsel;
    m = np;
  }
  if (!m) return;
  /* amounts */
  W->sc[0] = (vsc_t){J->pol->entity, sel, NULL, m};
  int64_t *amt = walloc(W, m, sizeof *amt);
  int8_t *hits = walloc(W, m, 1);
  int32_t *idx = walloc(W, m, sizeof *idx);
  if (!amt || !hits || !idx) return;
  memset(hits, 0, m);
  for (size_t i = 0; i < m; i++) amt[i] = 0;
  for (int r = 0; r < v->nrules; r++) {
    const np_prule_t *ru = &v->rules[r];
    size_t k = 0;
    if (ru->when) {
      veval(W, ru->when, bv, NULL);
      for (size_t i = 0; i < m; i++)
        if (bv[i] == 1 && !(v->hit == NP_HIT_FIRST && hits[i])) idx[k++] = (int32_t)i;
    } else {
      for (size_t i = 0; i < m; i++)
        if (!(v->hit == NP_HIT_FIRST && hits[i])) idx[k++] = (int32_t)i;
    }
    if (!k) continue;
    int64_t *av = walloc(W, k, sizeof *av);
    if (!av) return;
    veval_subset(W, ru->value, idx, k, av, NULL);
    for (size_t j = 0; j < k; j++) {
      int32_t i = idx[j];
      if (hits[i] && v->hit == NP_HIT_UNIQUE) {
        hits[i] = 2;
        continue;
      }
      if (hits[i] && amt[i] != UNK && av[j] != UNK) {
        if (__builtin_add_overflow(amt[i], av[j], &amt[i])) amt[i] = UNK;
      } else if (!hits[i] || av[j] == UNK) {
        amt[i] = av[j];
      }
      if (!hits[i]) hits[i] = 1;
    }
  }
  int64_t *capv = NULL;
  if (v->amount_cap) {
    capv = walloc(W, m, sizeof *capv);
    if (!capv) return;
    veval(W, v->amount_cap, capv, NULL);
  }
  for (size_t i = 0; i < m; i++) {
    int32_t row = sel[i];
    if (!hits[i]) {
      d->reason[row] = NP_PR_NO_AMOUNT;
      continue;
    }
    if (hits[i] == 2) {
      d->reason[row] = NP_PR_HIT_CONFLICT;
      continue;
    }
    int64_t a = amt[i];
    if (a != UNK && capv && capv[i] != UNK && a > capv[i]) a = capv[i];
    if (a == UNK || (capv && capv[i] == UNK)) {
      d->reason[row] = NP_PR_AMOUNT_UNKNOWN;
      continue;
    }
    d->eligible[row] = 1;
    d->reason[row] = NP_PR_NONE;
    d->amount[row] = a;
  }
}

static void *work(void *arg) {
  job_t *J = arg;
  const np_pversion_t *v = J->d->ver;
  worker_t W = {.E = J->E, .ver = v};
  int nl = v->nlets;
  W.let_v = calloc((size_t)nl + 1, sizeof *W.let_v);
  W.let_d = calloc((size_t)nl + 1, sizeof *W.let_d);
  W.let_has = calloc((size_t)nl + 1, sizeof *W.let_has);
  bool ok = W.let_v && W.let_d && W.let_has;
  for (int l = 0; ok && l < nl; l++) {
    W.let_v[l] = malloc(CHUNK * sizeof(int64_t));
    W.let_d[l] = malloc(CHUNK * sizeof(int64_t));
    W.let_has[l] = malloc(CHUNK);
    ok = W.let_v[l] && W.let_d[l] && W.let_has[l];
  }
  while (ok) {
    size_t c = atomic_fetch_add(&J->next, 1);
    if (c >= J->nchunks) break;
    size_t r0 = c * CHUNK, r1 = r0 + CHUNK < J->d->n ? r0 + CHUNK : J->d->n;
    scr_reset(&W.scr);
    run_chunk(&W, J, r0, r1);
    if (W.oom) ok = false;
  }
  if (!ok) atomic_store(&J->failed, 1);
  for (int l = 0; l < nl && W.let_v; l++) {
    free(W.let_v[l]);
    if (W.let_d) free(W.let_d[l]);
    if (W.let_has) free(W.let_has[l]);
  }
  free(W.let_v);
  free(W.let_d);
  free(W.let_has);
  free(W.mw.a);
  scr_free(&W.scr);
  return NULL;
}

np_err np_policy_eval_all(const np_peval_t *E, const np_ppolicy_t *pol, np_pdecisions_t *out, np_errdetail_t *err) {
  if (np_policy_decisions_alloc(E, pol, out)) return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  if (!out->ver || out->n == 0) return NP_OK;
  job_t J = {.E = E, .pol = pol, .d = out, .nchunks = (out->n + CHUNK - 1) / CHUNK};
  atomic_init(&J.next, 0);
  atomic_init(&J.failed, 0);
  int nt = E->threads < 1 ? 1 : E->threads > 64 ? 64 : E->threads;
  if ((size_t)nt > J.nchunks) nt = (int)J.nchunks;
  pthread_t th[64];
  int started = 0;
  for (int i = 1; i < nt; i++)
    if (pthread_create(&th[i], NULL, work, &J) == 0) started = i;
    else break;
  work(&J);
  for (int i = 1; i <= started; i++) pthread_join(th[i], NULL);
  if (atomic_load(&J.failed)) {
    np_policy_decisions_free(out);
    return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory while evaluating %s", pol->code);
  }
  return NP_OK;
}

/* ------------------------------------------------------------------ single-entity evaluator with trace */

typedef struct sev {
  const np_peval_t *E;
  const np_pversion_t *ver;
  mwc_t mw;
  np_pkind_t kind[NP_PMAX_DEPTH];
  int32_t row[NP_PMAX_DEPTH];
  int depth;
  pv_t *let_val;
  uint8_t *let_has;
  bool *param_seen;
  np_buf_t *tr;            /* trace (may be NULL) */
  np_buf_t lets, params;   /* trace parts */
} sev_t;

static pv_t seval(sev_t *S, const np_pexpr_t *e);

static void tr_value(np_buf_t *b, np_ptype_t t, pv_t x) {
  char s[96];
  np_pvalue_format(t, x.v, x.d, s, sizeof s);
  np_buf_append_json_string(b, s, strlen(s));
}

static void tr_date(np_buf_t *b, int64_t d) {
  char s[16];
  if (d == NP_PDATE_OPEN) {
    np_buf_append_str(b, "\"open\"");
    return;
  }
  np_date_format((np_date_t){(int32_t)d}, s, sizeof s);
  np_buf_appendf(b, "\"%s\"", s);
}

static pv_t seval_let(sev_t *S, int idx) {
  if (S->let_has[idx]) return S->let_val[idx];
  /* lets are entity-level: evaluate at depth 0 */
  int sd = S->depth;
  S->depth = 1;
  const np_plet_t *lt = &S->ver->lets[idx];
  pv_t r = seval(S, lt->expr);
  S->depth = sd;
  S->let_val[idx] = r;
  S->let_has[idx] = 1;
  if (S->tr) {
    np_buf_t *b = &S->lets;
    if (b->len) np_buf_append_char(b, ',');
    np_buf_appendf(b, "{\"name\":");
    np_buf_append_json_string(b, lt->name, strlen(lt->name));
    np_buf_append_str(b, ",\"expr\":");
    np_buf_append_json_string(b, lt->text, strlen(lt->text));
    np_buf_append_str(b, ",\"value\":");
    tr_value(b, lt->expr->type, r);
    np_buf_append_char(b, '}');
  }
  return r;
}

static void trace_param(sev_t *S, const np_pexpr_t *e, const pv_t *x, pv_t r, const np_pparam_value_t *used) {
  const np_pparam_t *p = &S->E->pkg->params[e->idx];
  if (!S->tr) return;
  /* table parameters and prorated reads are listed per read; dated ones once */
  if (!p->table_min_wage && p->mode == 0) {
    if (S->param_seen[e->idx]) return;
    S->param_seen[e->idx] = true;
  }
  np_buf_t *b = &S->params;
  if (b->len) np_buf_append_char(b, ',');
  np_buf_append_str(b, "{\"name\":");
  np_buf_append_json_string(b, p->name, strlen(p->name));
  np_buf_append_str(b, ",\"value\":");
  tr_value(b, e->type, r);
  if (p->table_min_wage) {
    char c[16];
    np_policy_text_unpack(x[0].v, c, sizeof c);
    np_buf_appendf(b, ",\"table\":\"min_wage\",\"county\":\"%s\"", c);
  }
  if (p->mode == 1 && e->nargs >= 2) {
    int k = p->table_min_wage ? 1 : 0;
    np_buf_append_str(b, ",\"prorated\":{\"from\":");
    tr_date(b, x[k].v);
    np_buf_append_str(b, ",\"to\":");
    tr_date(b, x[k + 1].v);
    np_buf_append_char(b, '}');
  }
  if (used) {
    np_buf_append_str(b, ",\"effective_from\":");
    tr_date(b, used->from);
    np_buf_append_str(b, ",\"effective_to\":");
    tr_date(b, used->to);
  }
  const char *ref = used ? used->reference : p->reference;
  if (ref) {
    np_buf_append_str(b, ",\"reference\":");
    np_buf_append_json_string(b, ref, strlen(ref));
  }
  if (p->national) np_buf_append_str(b, ",\"national\":true");
  np_buf_append_char(b, '}');
}

static pv_t seval(sev_t *S, const np_pexpr_t *e) {
  const np_policy_facts_t *F = S->E->facts;
  switch (e->kind) {
  case NP_NK_LIT: return (pv_t){e->v, e->d};
  case NP_NK_ASOF: return (pv_t){S->E->as_of, 1};
  case NP_NK_FIELD: {
    np_pkind_t k = S->kind[e->depth];
    int32_t r = S->row[e->depth];
    for (int c = 0; c < e->nchain; c++) r = follow(F, &k, e->chain[c], r);
    return (pv_t){colget(F->t[k].col[e->field], np_policy_kind(k)->fields[e->field].width, (size_t)r), 1};
  }
  case NP_NK_LET: return seval_let(S, e->idx);
  case NP_NK_PARAM: {
    pv_t x[4];
    for (int a = 0; a < e->nargs && a < 4; a++) x[a] = seval(S, e->args[a]);
    const np_pparam_value_t *used = NULL;
    pv_t r = param_eval(S->E, &S->mw, e, x, &used);
    trace_param(S, e, x, r, used);
    return r;
  }
  case NP_NK_UNARY: return eun(e->op, seval(S, e->args[0]));
  case NP_NK_BINARY: {
    pv_t a = seval(S, e->args[0]), b = seval(S, e->args[1]);
    return ebin(e->op, e->lscale, e->rscale, a, b);
  }
  case NP_NK_IF: {
    pv_t c = seval(S, e->args[0]);
    if (c.v == 1) return seval(S, e->args[1]);
    if (c.v == 0) return seval(S, e->args[2]);
    return pv_unk(e->type);
  }
  case NP_NK_IN: {
    pv_t a = seval(S, e->args[0]);
    if (a.v == UNK) return a;
    for (int k = 1; k < e->nargs; k++)
      if (a.v == e->args[k]->v) return b2(true);
    return b2(false);
  }
  case NP_NK_CALL: {
    pv_t x[16];
    if (e->nargs > 16) return pv_unk(e->type);
    for (int a = 0; a < e->nargs; a++) x[a] = seval(S, e->args[a]);
    return ecall(e, x);
  }
  case NP_NK_AGG: {
    np_pkind_t k = S->kind[e->depth];
    int32_t r = S->row[e->depth];
    for (int c = 0; c < e->nchain; c++) r = follow(F, &k, e->chain[c], r);
    const np_pindex_t *ix = &F->t[k].coll[e->field];
    int64_t acc = e->idx == NP_AGG_MIN || e->idx == NP_AGG_MAX ? UNK : 0;
    bool bad = false;
    S->kind[S->depth] = e->child;
    S->depth++;
    for (int64_t j = ix->off[r]; j < ix->off[r + 1]; j++) {
      S->row[S->depth - 1] = ix->rows[j];
      if (e->args[1] && seval(S, e->args[1]).v != 1) continue;
      if (e->idx == NP_AGG_COUNT) acc++;
      else if (e->idx == NP_AGG_EXISTS) acc = 1;
      else {
        pv_t x = seval(S, e->args[0]);
        if (x.v == UNK) bad = true;
        else if (e->idx == NP_AGG_SUM) {
          if (acc != UNK && __builtin_add_overflow(acc, x.v, &acc)) acc = UNK;
        } else if (acc == UNK || (e->idx == NP_AGG_MIN ? x.v < acc : x.v > acc)) acc = x.v;
      }
    }
    S->depth--;
    return (pv_t){bad ? UNK : acc, 1};
  }
  default: return (pv_t){UNK, 1};
  }
}

np_err np_policy_eval_one(const np_peval_t *E, const np_ppolicy_t *pol, size_t row, np_pdecisions_t *d, np_buf_t *trace,
                          np_errdetail_t *err) {
  const np_pversion_t *v = d->ver;
  if (row >= d->n) return np_fail(err, NP_ERR_NOT_FOUND, "not_found", "entity", "no such entity row");
  char tmp[96];
  int64_t id = ((const int64_t *)E->facts->t[pol->entity].col[0])[row];
  if (trace) {
    np_buf_appendf(trace, "{\"policy\":\"%s\",\"entity\":{\"kind\":\"%s\",\"id\":%" PRId64 "},\"as_of\":", pol->code,
                   np_policy_kind(pol->entity)->name, id);
    tr_date(trace, E->as_of);
  }
  d->eligible[row] = 0;
  d->amount[row] = 0;
  d->obs_v[row] = d->thr_v[row] = UNK;
  d->obs_d[row] = d->thr_d[row] = 1;
  d->competing[row] = -1;
  if (!v) {
    d->reason[row] = NP_PR_NO_VERSION;
    if (trace) np_buf_append_str(trace, ",\"version\":null,\"result\":{\"eligible\":false,\"reason\":\"no_rule_version\"}}");
    return NP_OK;
  }
  sev_t S = {.E = E, .ver = v, .tr = trace, .depth = 1};
  S.kind[0] = pol->entity;
  S.row[0] = (int32_t)row;
  S.let_val = calloc((size_t)v->nlets + 1, sizeof *S.let_val);
  S.let_has = calloc((size_t)v->nlets + 1, 1);
  S.param_seen = calloc((size_t)E->pkg->nparams + 1, sizeof *S.param_seen);
  np_buf_init(&S.lets, 0);
  np_buf_init(&S.params, 0);
  np_buf_t crit;
  np_buf_init(&crit, 0);
  if (!S.let_val || !S.let_has || !S.param_seen) {
    free(S.let_val);
    free(S.let_has);
    free(S.param_seen);
    return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  }
  int failed = -1;
  for (int c = 0; c < v->ncrits && failed < 0; c++) {
    const np_pcrit_t *cr = &v->crits[c];
    pv_t r = seval(&S, cr->expr);
    pv_t ob = {UNK, 1}, th = {UNK, 1};
    if (cr->observed) ob = seval(&S, cr->observed);
    if (cr->threshold) th = seval(&S, cr->threshold);
    if (r.v != 1) {
      failed = c;
      d->reason[row] = (int16_t)c;
      if (cr->observed) {
        d->obs_v[row] = ob.v;
        d->obs_d[row] = is_rat(cr->observed->type) ? ob.d : 1;
      }
      if (cr->threshold) {
        d->thr_v[row] = th.v;
        d->thr_d[row] = is_rat(cr->threshold->type) ? th.d : 1;
      }
    }
    if (trace) {
      if (crit.len) np_buf_append_char(&crit, ',');
      np_buf_appendf(&crit, "{\"code\":\"%s\",\"result\":\"%s\"", cr->code, r.v == 1 ? "pass" : r.v == 0 ? "fail" : "unknown");
      np_buf_append_str(&crit, ",\"zh\":");
      np_buf_append_json_string(&crit, cr->zh, strlen(cr->zh));
      np_buf_append_str(&crit, ",\"en\":");
      np_buf_append_json_string(&crit, cr->en, strlen(cr->en));
      if (cr->observed) {
        np_buf_append_str(&crit, ",\"observed\":");
        tr_value(&crit, cr->observed->type, ob);
      }
      if (cr->threshold) {
        np_buf_append_str(&crit, ",\"threshold\":");
        tr_value(&crit, cr->threshold->type, th);
      }
      if (cr->competing) np_buf_appendf(&crit, ",\"competing\":\"%s\"", cr->competing);
      np_buf_append_char(&crit, '}');
    }
  }
  np_buf_t am;
  np_buf_init(&am, 0);
  if (failed < 0) {
    int64_t amt = 0;
    int nhit = 0;
    bool unknown = false;
    for (int r = 0; r < v->nrules; r++) {
      const np_prule_t *ru = &v->rules[r];
      if (v->hit == NP_HIT_FIRST && nhit) break;
      if (ru->when && seval(&S, ru->when).v != 1) continue;
      nhit++;
      if (v->hit == NP_HIT_UNIQUE && nhit > 1) continue;
      pv_t x = seval(&S, ru->value);
      if (trace) {
        if (am.len) np_buf_append_char(&am, ',');
        np_buf_appendf(&am, "{\"rule_line\":%d,\"value\":", ru->line);
        tr_value(&am, NP_PT_MONEY, x);
        np_buf_append_char(&am, '}');
      }
      if (x.v == UNK) unknown = true;
      else if (!unknown && __builtin_add_overflow(amt, x.v, &amt)) unknown = true;
    }
    if (!unknown && nhit && v->amount_cap) {
      pv_t c = seval(&S, v->amount_cap);
      if (c.v == UNK) unknown = true;
      else if (amt > c.v) amt = c.v;
    }
    if (!nhit) d->reason[row] = NP_PR_NO_AMOUNT;
    else if (v->hit == NP_HIT_UNIQUE && nhit > 1) d->reason[row] = NP_PR_HIT_CONFLICT;
    else if (unknown) d->reason[row] = NP_PR_AMOUNT_UNKNOWN;
    else {
      d->reason[row] = NP_PR_NONE;
      d->eligible[row] = 1;
      d->amount[row] = amt;
    }
  }
  if (trace) {
    char f[16], t[16];
    np_date_format((np_date_t){(int32_t)v->from}, f, sizeof f);
    if (v->to == NP_PDATE_OPEN) snprintf(t, sizeof t, "open");
    else np_date_format((np_date_t){(int32_t)v->to}, t, sizeof t);
    np_buf_appendf(trace, ",\"version\":{\"from\":\"%s\",\"to\":\"%s\",\"file\":\"%s\",\"line\":%d}", f, t, pol->file, v->line);
    np_buf_appendf(trace, ",\"lets\":[%s],\"params\":[%s],\"criteria\":[%s]", np_buf_cstr(&S.lets), np_buf_cstr(&S.params),
                   np_buf_cstr(&crit));
    const char *hit = v->hit == NP_HIT_FIRST ? "first" : v->hit == NP_HIT_UNIQUE ? "unique" : "collect_sum";
    np_buf_appendf(trace, ",\"amount\":{\"hit\":\"%s\",\"rules\":[%s]}", hit, np_buf_cstr(&am));
    np_money_format(d->amount[row], tmp, sizeof tmp);
    const char *rc = np_policy_reason_code(d, row);
    np_buf_appendf(trace, ",\"result\":{\"eligible\":%s,\"amount\":\"%s\",\"reason\":", d->eligible[row] ? "true" : "false", tmp);
    if (rc) np_buf_append_json_string(trace, rc, strlen(rc));
    else np_buf_append_str(trace, "null");
    np_buf_append_str(trace, "}}");
  }
  np_buf_free(&am);
  np_buf_free(&crit);
  np_buf_free(&S.lets);
  np_buf_free(&S.params);
  free(S.let_val);
  free(S.let_has);
  free(S.param_seen);
  free(S.mw.a);
  return NP_OK;
}

/* ------------------------------------------------------------------ limits and caps */

typedef struct lent {
  int64_t key[4];
  int64_t order;
  int64_t id;
  int32_t row;
} lent_t;

static int cmp_lent(const void *a, const void *b, void *ctx) {
  const lent_t *x = a, *y = b;
  int nkey = *(const int *)ctx;
  for (int i = 0; i < nkey; i++)
    if (x->key[i] != y->key[i]) return x->key[i] < y->key[i] ? -1 : 1;
  if (x->order != y->order) return x->order < y->order ? -1 : 1;
  return x->id < y->id ? -1 : x->id > y->id;
}

/* evaluates e over rows (single thread, chunked) into out */
static np_err eval_rows(const np_peval_t *E, const np_pversion_t *v, np_pkind_t kind, const np_pexpr_t *e,
                        const int32_t *rows, size_t n, int64_t *out) {
  worker_t W = {.E = E, .ver = v};
  int nl = v->nlets;
  W.let_v = calloc((size_t)nl + 1, sizeof *W.let_v);
  W.let_d = calloc((size_t)nl + 1, sizeof *W.let_d);
  W.let_has = calloc((size_t)nl + 1, sizeof *W.let_has);
  np_err r = W.let_v && W.let_d && W.let_has ? NP_OK : NP_ERR_NOMEM;
  size_t span = E->facts->t[kind].n + 1;
  for (int l = 0; !r && l < nl; l++) {
    /* let caches indexed by entity row: whole-table arrays (limits run once per policy) */
    W.let_v[l] = malloc(span * sizeof(int64_t));
    W.let_d[l] = malloc(span * sizeof(int64_t));
    W.let_has[l] = calloc(span, 1);
    if (!W.let_v[l] || !W.let_d[l] || !W.let_has[l]) r = NP_ERR_NOMEM;
  }
  W.base = 0;
  for (size_t i = 0; !r && i < n; i += CHUNK) {
    size_t m = n - i < CHUNK ? n - i : CHUNK;
    scr_reset(&W.scr);
    W.depth = 1;
    W.sc[0] = (vsc_t){kind, rows + i, NULL, m};
    veval(&W, e, out + i, NULL);
    if (W.oom) r = NP_ERR_NOMEM;
  }
  for (int l = 0; l < nl && W.let_v; l++) {
    free(W.let_v[l]);
    if (W.let_d) free(W.let_d[l]);
    if (W.let_has) free(W.let_has[l]);
  }
  free(W.let_v);
  free(W.let_d);
  free(W.let_has);
  free(W.mw.a);
  scr_free(&W.scr);
  return r;
}

np_err np_policy_apply_limits(const np_peval_t *E, np_pdecisions_t *d, np_errdetail_t *err) {
  const np_pversion_t *v = d->ver;
  if (!v || (!v->nlimits && !v->ncaps)) return NP_OK;
  np_pkind_t kind = d->pol->entity;
  const int64_t *ids = E->facts->t[kind].col[0];
  np_err r = NP_OK;
  for (int li = 0; li < v->nlimits + v->ncaps && !r; li++) {
    bool cap = li >= v->nlimits;
    const np_plimit_t *L = cap ? &v->caps[li - v->nlimits] : &v->limits[li];
    size_t n = 0;
    for (size_t i = 0; i < d->n; i++) n += d->eligible[i] == 1;
    if (!n) continue;
    int32_t *rows = malloc(n * sizeof *rows);
    lent_t *ents = malloc(n * sizeof *ents);
    int64_t *tmp = malloc(n * sizeof *tmp), *lim = malloc(n * sizeof *lim);
    if (!rows || !ents || !tmp || !lim) r = NP_ERR_NOMEM;
    size_t k = 0;
    for (size_t i = 0; !r && i < d->n; i++)
      if (d->eligible[i] == 1) rows[k++] = (int32_t)i;
    for (size_t i = 0; !r && i < n; i++) {
      ents[i].row = rows[i];
      ents[i].id = ids[rows[i]];
      ents[i].order = 0;
    }
    for (int kk = 0; !r && kk < L->nkey; kk++) {
      r = eval_rows(E, v, kind, L->key[kk], rows, n, tmp);
      for (size_t i = 0; !r && i < n; i++) ents[i].key[kk] = tmp[i];
    }
    if (!r && L->order) {
      r = eval_rows(E, v, kind, L->order, rows, n, tmp);
      for (size_t i = 0; !r && i < n; i++) ents[i].order = tmp[i];
    }
    if (!r) r = eval_rows(E, v, kind, cap ? L->cap : L->count, rows, n, tmp);
    if (!r) {
      for (size_t i = 0; i < n; i++) lim[i] = tmp[i];
      int nkey = L->nkey;
      for (size_t i = 0; i < n; i++) ents[i].row = (int32_t)i; /* position into rows/lim during the walk */
      qsort_r(ents, n, sizeof *ents, cmp_lent, &nkey); /* reentrant: runs may overlap in a server */
      size_t g0 = 0;
      int64_t used = 0;
      for (size_t i = 0; i < n; i++) {
        bool same = i > 0;
        for (int kk = 0; same && kk < L->nkey; kk++)
          if (ents[i].key[kk] != ents[i - 1].key[kk]) same = false;
        if (!same) {
          g0 = i;
          used = 0;
        }
        size_t pos = (size_t)ents[i].row;
        int32_t row = rows[pos];
        int32_t first = rows[(size_t)ents[g0].row];
        int64_t limit = lim[pos];
        if (!cap) {
          int64_t rank = (int64_t)(i - g0) + 1;
          if (limit == UNK || rank > limit) {
            d->eligible[row] = 0;
            d->reason[row] = (int16_t)(NP_PR_LIMIT + li);
            d->obs_v[row] = rank;
            d->obs_d[row] = 1;
            d->thr_v[row] = limit;
            d->thr_d[row] = 1;
            d->competing[row] = first;
            d->amount[row] = 0;
          }
        } else {
          int64_t left = limit == UNK ? 0 : limit - used;
          if (left < 0) left = 0;
          if (d->amount[row] > left) {
            d->obs_v[row] = d->amount[row];
            d->obs_d[row] = 1;
            d->thr_v[row] = limit;
            d->thr_d[row] = 1;
            d->reason[row] = (int16_t)(NP_PR_CAP + (li - v->nlimits));
            d->amount[row] = left;
            if (left == 0) d->eligible[row] = 0;
            d->competing[row] = first;
          }
          used += d->amount[row];
        }
      }
    }
    free(rows);
    free(ents);
    free(tmp);
    free(lim);
  }
  if (r) return np_fail(err, r, "nomem", "", "out of memory applying limits");
  return NP_OK;
}

/* ------------------------------------------------------------------ reasons */

static const char *fixed_code(int r) {
  switch (r) {
  case NP_PR_NO_VERSION: return "no_rule_version";
  case NP_PR_NO_AMOUNT: return "no_amount_rule";
  case NP_PR_HIT_CONFLICT: return "hit_policy_conflict";
  case NP_PR_AMOUNT_UNKNOWN: return "amount_unknown";
  default: return NULL;
  }
}

static const np_plimit_t *limit_of(const np_pdecisions_t *d, int r) {
  if (!d->ver) return NULL;
  if (r >= NP_PR_CAP && r - NP_PR_CAP < d->ver->ncaps) return &d->ver->caps[r - NP_PR_CAP];
  if (r >= NP_PR_LIMIT && r - NP_PR_LIMIT < d->ver->nlimits) return &d->ver->limits[r - NP_PR_LIMIT];
  return NULL;
}

const char *np_policy_reason_code(const np_pdecisions_t *d, size_t row) {
  int r = d->reason[row];
  if (r == NP_PR_NONE) return NULL;
  if (r >= 0 && d->ver && r < d->ver->ncrits) return d->ver->crits[r].code;
  const np_plimit_t *l = limit_of(d, r);
  if (l) return l->code;
  return fixed_code(r);
}

const char *np_policy_reason_text(const np_pdecisions_t *d, size_t row, bool zh) {
  int r = d->reason[row];
  if (r == NP_PR_NONE) return zh ? "符合条件" : "eligible";
  if (r >= 0 && d->ver && r < d->ver->ncrits) return zh ? d->ver->crits[r].zh : d->ver->crits[r].en;
  const np_plimit_t *l = limit_of(d, r);
  if (l) return zh ? l->zh : l->en;
  switch (r) {
  case NP_PR_NO_VERSION: return zh ? "评估日期不在政策有效期内" : "no rule version is in force on the evaluation date";
  case NP_PR_NO_AMOUNT: return zh ? "没有适用的金额规则" : "no amount rule applies";
  case NP_PR_HIT_CONFLICT: return zh ? "多条金额规则同时适用（应唯一）" : "several amount rules apply where one is required";
  default: return zh ? "金额无法确定（数据缺失）" : "the amount cannot be determined (missing data)";
  }
}

np_ptype_t np_policy_reason_obs_type(const np_pdecisions_t *d, size_t row, bool threshold) {
  int r = d->reason[row];
  if (r >= 0 && d->ver && r < d->ver->ncrits) {
    const np_pexpr_t *x = threshold ? d->ver->crits[r].threshold : d->ver->crits[r].observed;
    return x ? x->type : NP_PT_INT;
  }
  if (r >= NP_PR_CAP) return NP_PT_MONEY;
  return NP_PT_INT;
}

void np_policy_competing(const np_pdecisions_t *d, const np_policy_facts_t *f, size_t row, char *out, size_t cap) {
  out[0] = 0;
  int r = d->reason[row];
  if (r >= 0 && d->ver && r < d->ver->ncrits) {
    if (d->ver->crits[r].competing) snprintf(out, cap, "%s", d->ver->crits[r].competing);
    return;
  }
  if (d->competing[row] >= 0)
    snprintf(out, cap, "%s %" PRId64, np_policy_kind(d->pol->entity)->name,
             ((const int64_t *)f->t[d->pol->entity].col[0])[d->competing[row]]);
}

/* ------------------------------------------------------------------ hashing */

typedef struct hjob {
  const np_pdecisions_t *d;
  const np_policy_facts_t *f;
  size_t nchunks;
  unsigned char *digests;
  atomic_size_t next;
} hjob_t;

#define HCHUNK 65536
static void *hwork(void *arg) {
  hjob_t *H = arg;
  const np_pdecisions_t *d = H->d;
  const int64_t *ids = H->f->t[d->pol->entity].col[0];
  int64_t *buf = malloc(HCHUNK * 9 * 10); /* ≤ 9 varints of ≤ 10 bytes per record */
  if (!buf) return NULL;
  for (;;) {
    size_t c = atomic_fetch_add(&H->next, 1);
    if (c >= H->nchunks) break;
    size_t r0 = c * HCHUNK, r1 = r0 + HCHUNK < d->n ? r0 + HCHUNK : d->n, m = 0;
    unsigned char *o = (unsigned char *)buf;
    int64_t prev = r0 ? ids[r0 - 1] : 0;
    for (size_t i = r0; i < r1; i++) {
      /* canonical compact record: zigzag varints of id delta, eligible+reason, amount, then the
       * observed/threshold/competing values that are present (flag byte) */
      int64_t comp = d->competing[i] >= 0 ? ids[d->competing[i]] : -1;
      int flags = (d->obs_v[i] != UNK) | (d->obs_d[i] != 1) << 1 | (d->thr_v[i] != UNK) << 2 | (d->thr_d[i] != 1) << 3 |
                  (comp != -1) << 4;
      int64_t vals[8];
      int nv = 0;
      vals[nv++] = ids[i] - prev;
      vals[nv++] = (int64_t)d->eligible[i] + 2 * ((int64_t)d->reason[i] + 8);
      vals[nv++] = d->amount[i];
      vals[nv++] = flags;
      if (flags & 1) vals[nv++] = d->obs_v[i];
      if (flags & 2) vals[nv++] = d->obs_d[i];
      if (flags & 4) vals[nv++] = d->thr_v[i];
      if (flags & 8) vals[nv++] = d->thr_d[i];
      if (flags & 16) vals[nv++] = comp;
      prev = ids[i];
      for (int k = 0; k < nv; k++) {
        uint64_t z = ((uint64_t)vals[k] << 1) ^ (uint64_t)(vals[k] >> 63);
        while (z >= 0x80) {
          *o++ = (unsigned char)(z | 0x80);
          z >>= 7;
        }
        *o++ = (unsigned char)z;
      }
    }
    m = (size_t)(o - (unsigned char *)buf);
    np_crypto_sm3(buf, m, H->digests + c * 32);
  }
  free(buf);
  return NULL;
}

void np_policy_decisions_hash(const np_pdecisions_t *d, size_t npol, const np_policy_facts_t *f, int threads, char hex[65]) {
  np_buf_t all;
  np_buf_init(&all, (size_t)1 << 30);
  for (size_t p = 0; p < npol; p++) {
    hjob_t H = {.d = &d[p], .f = f, .nchunks = (d[p].n + HCHUNK - 1) / HCHUNK};
    atomic_init(&H.next, 0);
    H.digests = calloc(H.nchunks + 1, 32);
    if (!H.digests) continue;
    int nt = threads < 1 ? 1 : threads > 16 ? 16 : threads;
    pthread_t th[16];
    int started = 0;
    for (int i = 1; i < nt; i++)
      if (pthread_create(&th[i], NULL, hwork, &H) == 0) started = i;
      else break;
    hwork(&H);
    for (int i = 1; i <= started; i++) pthread_join(th[i], NULL);
    unsigned char pd[32];
    np_crypto_sm3(H.digests, H.nchunks * 32, pd);
    np_buf_appendf(&all, "%s:%zu:", d[p].pol->code, d[p].n);
    np_buf_append(&all, pd, 32);
    free(H.digests);
  }
  np_crypto_sm3_hex(all.data ? all.data : "", all.len, hex);
  np_buf_free(&all);
}
