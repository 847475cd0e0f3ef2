/*
 * Facts from the store: every table at once for a run (one SELECT per table), or only what the rules
 * of one policy can read about one entity (explanations, 政策找人), through indexed queries.
 *
 * The slice: the checked expressions of every version of the policy are walked to find the paths they
 * follow from the entity (links such as a spell's person, collections such as an enterprise's facts or a
 * person's spells, nested as the aggregates nest). That "need tree" is then loaded breadth-first: the
 * entity by its id, each link's target by id, each collection by its parent's id (the indexes of 0013 and
 * 0015). Every loaded row's link targets are loaded too (they are enterprises or persons, which have no
 * links), so the slice is a valid facts set whose collections, where the rules read them, are complete:
 * the single-entity evaluator computes on it exactly what it computes on all the facts.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "core/date.h"
#include "policy/run.h"

static int64_t col_date(np_stmt_t *st, int c) {
  const char *t = np_store_col_text(st, c);
  np_date_t d;
  if (!t || np_date_parse(t, strlen(t), &d)) return NP_POLICY_UNKNOWN;
  return d.days;
}

static int64_t col_text(np_stmt_t *st, int c) {
  const char *t = np_store_col_text(st, c);
  int64_t v;
  if (!t || np_policy_text_pack(t, strlen(t), &v)) return 0;
  return v;
}

typedef struct loadspec {
  const char *sql;
  const char *types;             /* per field: i int, d date, t text */
  const char *linkcol[NP_PMAX_LINKS]; /* SQL column of each link (schema order) */
} loadspec_t;

static const loadspec_t specs[NP_PK__COUNT] = {
  [NP_PK_ENTERPRISE] = {"SELECT id, size_class, industry_section, industry_code, county_code, headcount FROM enterprises", "itttti", {0}},
  [NP_PK_FACT] = {"SELECT id, enterprise_id, month, insured, new_hires, separations, layoffs, ui_due_fen, ui_paid_fen, arrears_fen "
                  "FROM policy_enterprise_facts", "iidiiiiiii", {"enterprise_id"}},
  [NP_PK_PERSON] = {"SELECT id, birth_date, graduation_date, unemployed_since, hardship FROM policy_persons", "idddi", {0}},
  [NP_PK_SPELL] = {"SELECT id, person_id, enterprise_id, start_date, end_date, contract_months, insured_months, "
                   "absorption_subsidy, employer_ss_monthly_fen FROM policy_spells", "iiiddiiii", {"person_id", "enterprise_id"}},
  [NP_PK_INTERNSHIP] = {"SELECT id, person_id, enterprise_id, start_date, months, retained FROM policy_internships", "iiidii",
                        {"person_id", "enterprise_id"}},
  [NP_PK_CERTIFICATE] = {"SELECT id, person_id, level, date, occupation FROM policy_certificates", "iiidt", {"person_id"}},
};

static void read_row(np_stmt_t *st, const loadspec_t *sp, int64_t *vals) {
  int nf = (int)strlen(sp->types);
  for (int f = 0; f < nf; f++) {
    if (np_store_col_is_null(st, f)) vals[f] = NP_POLICY_UNKNOWN;
    else if (sp->types[f] == 'd') vals[f] = col_date(st, f);
    else if (sp->types[f] == 't') vals[f] = col_text(st, f);
    else vals[f] = np_store_col_int64(st, f);
  }
}

np_err np_policy_facts_load(np_store_t *s, np_policy_facts_t **out, np_errdetail_t *err) {
  np_policy_facts_t *F = np_policy_facts_new();
  if (!F) return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  np_err r = NP_OK;
  for (int k = 0; k < NP_PK__COUNT && !r; k++) {
    const loadspec_t *sp = &specs[k];
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM (%s) q", sp->sql);
    int64_t cnt = 0;
    bool found;
    if ((r = np_store_query_int64(s, sql, &cnt, &found, err))) break;
    if (cnt > 0 && (r = np_policy_facts_reserve(F, (np_pkind_t)k, (size_t)cnt))) {
      r = np_fail(err, r, "nomem", "", "out of memory");
      break;
    }
    snprintf(sql, sizeof sql, "%s ORDER BY id", sp->sql);
    np_stmt_t *st;
    if ((r = np_store_prepare(s, sql, &st, err))) break;
    bool has;
    while (!(r = np_store_step(st, &has, err)) && has) {
      int64_t vals[NP_PMAX_FIELDS];
      read_row(st, sp, vals);
      if ((r = np_policy_facts_append(F, (np_pkind_t)k, vals, err))) break;
    }
    np_store_release(st);
  }
  if (!r) r = np_policy_facts_finish(F, false, err);
  if (r) {
    np_policy_facts_free(F);
    return r;
  }
  *out = F;
  return NP_OK;
}

/* ------------------------------------------------------------------ the need tree */

#define MAX_NODES 64

typedef struct need {
  np_pkind_t kind;
  int link[NP_PMAX_LINKS];       /* child node following link l, −1 */
  int coll[NP_PMAX_COLLS];       /* child node of the rows of collection c, −1 */
} need_t;

typedef struct needs {
  need_t n[MAX_NODES];
  int count;
  bool overflow;
} needs_t;

static int node_new(needs_t *N, np_pkind_t k) {
  if (N->count >= MAX_NODES) {
    N->overflow = true;
    return 0;
  }
  need_t *x = &N->n[N->count];
  x->kind = k;
  for (int i = 0; i < NP_PMAX_LINKS; i++) x->link[i] = -1;
  for (int i = 0; i < NP_PMAX_COLLS; i++) x->coll[i] = -1;
  return N->count++;
}

static int follow(needs_t *N, int nd, bool coll, int idx) {
  const np_pkind_def_t *d = np_policy_kind(N->n[nd].kind);
  if (coll) {
    if (idx < 0 || idx >= d->ncolls) return nd;
    if (N->n[nd].coll[idx] < 0) {
      int c = node_new(N, d->colls[idx].child);
      if (N->overflow) return nd;
      N->n[nd].coll[idx] = c;
    }
    return N->n[nd].coll[idx];
  }
  if (idx < 0 || idx >= d->nlinks) return nd;
  if (N->n[nd].link[idx] < 0) {
    int c = node_new(N, d->links[idx].target);
    if (N->overflow) return nd;
    N->n[nd].link[idx] = c;
  }
  return N->n[nd].link[idx];
}

static void walk(needs_t *N, const np_pexpr_t *e, int *scopes, int nsc) {
  if (!e || N->overflow) return;
  if (e->kind == NP_NK_FIELD || e->kind == NP_NK_AGG) {
    if (e->depth < 0 || e->depth >= nsc) {
      N->overflow = true; /* never produced by the checker; refuse rather than guess */
      return;
    }
    int nd = scopes[e->depth];
    for (int i = 0; i < e->nchain && i < NP_PMAX_CHAIN; i++) nd = follow(N, nd, false, e->chain[i]);
    if (e->kind == NP_NK_FIELD) return;
    if (nsc >= NP_PMAX_DEPTH + 1) {
      N->overflow = true;
      return;
    }
    scopes[nsc] = follow(N, nd, true, e->field);
    if (e->nargs > 0) walk(N, e->args[0], scopes, nsc + 1);
    if (e->nargs > 1) walk(N, e->args[1], scopes, nsc + 1);
    return; /* args[2] is the source path, resolved into depth/chain/field above */
  }
  for (int i = 0; i < e->nargs; i++) walk(N, e->args[i], scopes, nsc);
}

static void walk_policy(needs_t *N, const np_ppolicy_t *pol) {
  int scopes[NP_PMAX_DEPTH + 2] = {0};
  for (int vi = 0; vi < pol->nversions; vi++) {
    const np_pversion_t *v = &pol->versions[vi];
    for (int i = 0; i < v->nlets; i++) walk(N, v->lets[i].expr, scopes, 1);
    for (int i = 0; i < v->ncrits; i++) {
      walk(N, v->crits[i].expr, scopes, 1);
      walk(N, v->crits[i].observed, scopes, 1);
      walk(N, v->crits[i].threshold, scopes, 1);
    }
    for (int i = 0; i < v->nrules; i++) {
      walk(N, v->rules[i].when, scopes, 1);
      walk(N, v->rules[i].value, scopes, 1);
    }
    walk(N, v->amount_cap, scopes, 1);
    for (int pass = 0; pass < 2; pass++) {
      const np_plimit_t *L = pass ? v->caps : v->limits;
      int n = pass ? v->ncaps : v->nlimits;
      for (int i = 0; i < n; i++) {
        for (int k = 0; k < L[i].nkey; k++) walk(N, L[i].key[k], scopes, 1);
        walk(N, L[i].order, scopes, 1);
        walk(N, L[i].count, scopes, 1);
        walk(N, L[i].cap, scopes, 1);
      }
    }
  }
}

/* ------------------------------------------------------------------ rows of the slice */

typedef struct idlist {
  int64_t *v;
  size_t n, cap;
} idlist_t;

static np_err idlist_push(idlist_t *l, int64_t id) {
  if (l->n == l->cap) {
    size_t c = l->cap ? l->cap * 2 : 16;
    int64_t *p = realloc(l->v, c * sizeof *p);
    if (!p) return NP_ERR_NOMEM;
    l->v = p;
    l->cap = c;
  }
  l->v[l->n++] = id;
  return NP_OK;
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

static void idlist_unique(idlist_t *l) {
  if (l->n < 2) return;
  qsort(l->v, l->n, sizeof *l->v, cmp_i64);
  size_t j = 1;
  for (size_t i = 1; i < l->n; i++)
    if (l->v[i] != l->v[j - 1]) l->v[j++] = l->v[i];
  l->n = j;
}

/* The rows of one kind: values (nfields per row) and an open-addressing map id → row. */
typedef struct rows {
  int64_t *vals;
  size_t n, cap;
  int nf;
  int64_t *keys;                 /* 0 = empty slot (ids are ≥ 1) */
  size_t *slot_row;
  size_t nslots;
} rows_t;

static size_t slot_of(const rows_t *R, int64_t id) {
  uint64_t h = (uint64_t)id * 0x9E3779B97F4A7C15ull;
  size_t i = (size_t)(h >> 20) & (R->nslots - 1);
  while (R->keys[i] && R->keys[i] != id) i = (i + 1) & (R->nslots - 1);
  return i;
}

static int64_t rows_find(const rows_t *R, int64_t id) {
  if (!R->nslots) return -1;
  size_t i = slot_of(R, id);
  return R->keys[i] ? (int64_t)R->slot_row[i] : -1;
}

static np_err rows_grow_map(rows_t *R) {
  size_t ns = R->nslots ? R->nslots * 2 : 64;
  int64_t *k = calloc(ns, sizeof *k);
  size_t *sr = calloc(ns, sizeof *sr);
  if (!k || !sr) {
    free(k);
    free(sr);
    return NP_ERR_NOMEM;
  }
  int64_t *ok = R->keys;
  size_t *osr = R->slot_row, on = R->nslots;
  R->keys = k;
  R->slot_row = sr;
  R->nslots = ns;
  for (size_t i = 0; i < on; i++)
    if (ok[i]) {
      size_t j = slot_of(R, ok[i]);
      R->keys[j] = ok[i];
      R->slot_row[j] = osr[i];
    }
  free(ok);
  free(osr);
  return NP_OK;
}

/* Adds a row unless its id is there already. */
static np_err rows_add(rows_t *R, const int64_t *vals) {
  int64_t id = vals[0];
  if (id <= 0) return NP_ERR_INVALID;
  if (rows_find(R, id) >= 0) return NP_OK;
  if ((R->n + 1) * 2 > R->nslots) {
    np_err e = rows_grow_map(R);
    if (e) return e;
  }
  if (R->n == R->cap) {
    size_t c = R->cap ? R->cap * 2 : 16;
    int64_t *p = realloc(R->vals, c * (size_t)R->nf * sizeof *p);
    if (!p) return NP_ERR_NOMEM;
    R->vals = p;
    R->cap = c;
  }
  memcpy(R->vals + R->n * (size_t)R->nf, vals, (size_t)R->nf * sizeof *vals);
  size_t i = slot_of(R, id);
  R->keys[i] = id;
  R->slot_row[i] = R->n++;
  return NP_OK;
}

typedef struct slice {
  np_store_t *s;
  rows_t rows[NP_PK__COUNT];
  np_errdetail_t *err;
} slice_t;

/* Loads the rows of kind k where col = v; their ids go to ids (may be NULL). */
static np_err load_where(slice_t *S, np_pkind_t k, const char *col, int64_t v, idlist_t *ids) {
  char sql[640];
  snprintf(sql, sizeof sql, "%s WHERE %s = ? ORDER BY id", specs[k].sql, col);
  np_stmt_t *st;
  np_err r = np_store_prepare(S->s, sql, &st, S->err);
  if (r) return r;
  np_store_bind_int64(st, 1, v);
  bool has;
  while (!(r = np_store_step(st, &has, S->err)) && has) {
    int64_t vals[NP_PMAX_FIELDS];
    read_row(st, &specs[k], vals);
    if ((r = rows_add(&S->rows[k], vals)) || (ids && (r = idlist_push(ids, vals[0])))) {
      r = np_fail(S->err, r, "nomem", "", "out of memory");
      break;
    }
  }
  np_store_release(st);
  return r;
}

/* Makes sure the row of kind k with this id is loaded; *found false when the store has none. */
static np_err ensure_row(slice_t *S, np_pkind_t k, int64_t id, bool *found) {
  *found = true;
  if (rows_find(&S->rows[k], id) >= 0) return NP_OK;
  np_err r = load_where(S, k, "id", id, NULL);
  if (!r) *found = rows_find(&S->rows[k], id) >= 0;
  return r;
}

np_err np_policy_facts_load_entity(np_store_t *s, const np_ppolicy_t *pol, int64_t entity_id, np_policy_facts_t **out,
                                   np_errdetail_t *err) {
  needs_t N = {.count = 0};
  node_new(&N, pol->entity);
  walk_policy(&N, pol);
  if (N.overflow) return np_fail(err, NP_ERR_UNSUPPORTED, "slice", "policy", "%s: paths too many to load one entity", pol->code);
  slice_t S = {.s = s, .err = err};
  for (int k = 0; k < NP_PK__COUNT; k++) S.rows[k].nf = np_policy_kind((np_pkind_t)k)->nfields;
  idlist_t ids[MAX_NODES];
  memset(ids, 0, sizeof ids);
  np_policy_facts_t *F = NULL;
  bool found;
  np_err r = ensure_row(&S, pol->entity, entity_id, &found);
  if (!r && !found)
    r = np_fail(err, NP_ERR_NOT_FOUND, "not_found", "entity", "no %s %" PRId64, np_policy_kind(pol->entity)->name, entity_id);
  if (!r && idlist_push(&ids[0], entity_id)) r = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  /* breadth-first: a node's ids come only from its parent, created (and processed) before it */
  for (int nd = 0; nd < N.count && !r; nd++) {
    const need_t *x = &N.n[nd];
    const np_pkind_def_t *d = np_policy_kind(x->kind);
    idlist_unique(&ids[nd]);
    for (int l = 0; l < d->nlinks && !r; l++) {
      if (x->link[l] < 0) continue;
      np_pkind_t tk = d->links[l].target;
      for (size_t i = 0; i < ids[nd].n && !r; i++) {
        int64_t row = rows_find(&S.rows[x->kind], ids[nd].v[i]);
        int64_t tid = S.rows[x->kind].vals[(size_t)row * (size_t)S.rows[x->kind].nf + (size_t)d->links[l].field];
        if (tid == NP_POLICY_UNKNOWN) continue;
        if (!(r = ensure_row(&S, tk, tid, &found)) && found && idlist_push(&ids[x->link[l]], tid))
          r = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
      }
    }
    for (int c = 0; c < d->ncolls && !r; c++) {
      if (x->coll[c] < 0) continue;
      np_pkind_t ck = d->colls[c].child;
      const char *col = specs[ck].linkcol[d->colls[c].link];
      for (size_t i = 0; i < ids[nd].n && !r; i++) r = load_where(&S, ck, col, ids[nd].v[i], &ids[x->coll[c]]);
    }
  }
  /* every loaded row's link targets (enterprises and persons: they have no links themselves) */
  for (int k = 0; k < NP_PK__COUNT && !r; k++) {
    const np_pkind_def_t *d = np_policy_kind((np_pkind_t)k);
    for (int l = 0; l < d->nlinks && !r; l++)
      for (size_t i = 0; i < S.rows[k].n && !r; i++) {
        int64_t tid = S.rows[k].vals[i * (size_t)S.rows[k].nf + (size_t)d->links[l].field];
        if (tid != NP_POLICY_UNKNOWN) r = ensure_row(&S, d->links[l].target, tid, &found);
      }
  }
  if (!r && !(F = np_policy_facts_new())) r = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  for (int k = 0; k < NP_PK__COUNT && !r; k++) {
    if (S.rows[k].n && np_policy_facts_reserve(F, (np_pkind_t)k, S.rows[k].n)) r = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
    for (size_t i = 0; i < S.rows[k].n && !r; i++)
      r = np_policy_facts_append(F, (np_pkind_t)k, S.rows[k].vals + i * (size_t)S.rows[k].nf, err);
  }
  if (!r) r = np_policy_facts_finish(F, false, err);
  for (int i = 0; i < MAX_NODES; i++) free(ids[i].v);
  for (int k = 0; k < NP_PK__COUNT; k++) {
    free(S.rows[k].vals);
    free(S.rows[k].keys);
    free(S.rows[k].slot_row);
  }
  if (r) {
    np_policy_facts_free(F);
    return r;
  }
  *out = F;
  return NP_OK;
}
