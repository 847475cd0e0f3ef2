/* Worker-proposing deferred acceptance with capacities and groups (see alloc.h). */
#include "match/alloc.h"
#include <stdlib.h>
#include <string.h>

const char *np_alloc_reason_name(np_alloc_reason r) {
  switch (r) {
  case NP_ALLOC_ASSIGNED: return "assigned";
  case NP_ALLOC_NO_LINE: return "no_acceptable_line";
  case NP_ALLOC_CAPACITY: return "capacity";
  }
  return "";
}

typedef struct pref {
  int32_t line, score;
} pref_t;

/* worker order of lines: score desc, line id asc */
typedef struct sort_ctx {
  const np_match_demand_t *lines;
} sort_ctx_t;

static _Thread_local const np_match_demand_t *g_lines;

static int cmp_pref(const void *a, const void *b) {
  const pref_t *x = a, *y = b;
  if (x->score != y->score) return x->score > y->score ? -1 : 1;
  int64_t ix = g_lines[x->line].id, iy = g_lines[y->line].id;
  return ix < iy ? -1 : ix > iy;
}

/* a profile: the workers' attributes that decide the list apart from age */
typedef struct profile {
  np_match_seeker_t s;
  pref_t *list; /* every line passing the filters except age, in preference order */
  int32_t n;
  uint8_t top_filter;
} profile_t;

typedef struct unit {
  int32_t *members; /* worker indices */
  int32_t size;
  int32_t key;      /* smallest worker index */
  pref_t *list;     /* lines with the unit's score there (groups: average) */
  int32_t n, next;
  int32_t at;       /* line held at, -1 */
  bool group;
} unit_t;

typedef struct held {
  int32_t unit, score;
} held_t;

typedef struct lstate {
  held_t *v;
  int32_t n, cap, load;
} lstate_t;

static int cmp_mid(const void *a, const void *b) {
  const int64_t *x = a, *y = b;
  return *x < *y ? -1 : *x > *y;
}

void np_alloc_result_free(np_alloc_result_t *r) {
  if (!r) return;
  free(r->line);
  free(r->score);
  free(r->reason);
  free(r->filter);
  free(r->split);
  free(r->load);
  memset(r, 0, sizeof *r);
}

/* same list apart from age: every field the filters (but age) and the terms read */
static bool profile_eq(const profile_t *p, const np_match_seeker_t *s) {
  const np_match_seeker_t *t = &p->s;
  if (t->nocc != s->nocc || t->skill != s->skill || t->edu != s->edu || t->expected_salary != s->expected_salary ||
      t->available_from != s->available_from || t->created != s->created || t->has_loc != s->has_loc ||
      t->lat_e6 != s->lat_e6 || t->lon_e6 != s->lon_e6 || t->county != s->county || t->city != s->city ||
      t->circle != s->circle || t->consent != s->consent || t->status_ok != s->status_ok)
    return false;
  for (int i = 0; i < s->nocc; i++)
    if (t->occ[i] != s->occ[i] || t->minor[i] != s->minor[i] || t->middle[i] != s->middle[i]) return false;
  return true;
}

static uint64_t profile_hash(const np_match_seeker_t *s) {
  uint64_t h = 1469598103934665603ULL;
#define MIX(v) (h = (h ^ (uint64_t)(v)) * 1099511628211ULL)
  MIX(s->nocc);
  MIX(s->skill);
  MIX(s->edu);
  MIX(s->expected_salary);
  MIX(s->available_from);
  MIX(s->created);
  MIX(s->lat_e6);
  MIX(s->lon_e6);
  MIX(s->county);
  for (int i = 0; i < s->nocc; i++) MIX(s->occ[i]);
#undef MIX
  return h ^ (h >> 29);
}

static bool has_related(const np_match_rules_t *r, uint32_t occ) {
  if (!r->nrelated || !occ) return false;
  uint64_t key = (uint64_t)occ << 32;
  size_t lo = 0, hi = r->nrelated;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (r->related[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo < r->nrelated && (r->related[lo] >> 32) == occ;
}

/* line preference: is (score a, unit/worker key ka) better than (b, kb)? */
static inline bool line_prefers(int32_t a, int32_t ka, int32_t b, int32_t kb) { return a > b || (a == b && ka < kb); }

np_err np_alloc_run(const np_alloc_opts_t *o, const np_alloc_worker_t *w, size_t nw, const np_match_demand_t *lines,
                    size_t nl, np_alloc_result_t *out) {
  memset(out, 0, sizeof *out);
  if (nw > 1000000 || nl > 10000000) return NP_ERR_TOO_LARGE;
  np_err rc = NP_OK;
  int32_t L = o->pref_list_max > 0 ? o->pref_list_max : 200;
  np_match_where_t where = {.scope = NP_MSCOPE_ANY, .today = o->today, .skip_age = true};
  int64_t *bymid = NULL;                                   /* (middle << 32 | line index), sorted */
  int32_t *relines = NULL;                                 /* lines whose occupation has related pairs */
  size_t nrel = 0;
  profile_t *prof = NULL;
  size_t nprof = 0, capprof = 0;
  int32_t *wprof = NULL;                                   /* worker → profile */
  int32_t *ht = NULL;                                      /* profile hash table: index + 1 */
  size_t htcap = 64;
  pref_t **wlist = NULL;                                   /* worker → own list (truncated, age-filtered) */
  int32_t *wn = NULL;
  unit_t *units = NULL;
  size_t nunits = 0;
  lstate_t *ls = NULL;
  int32_t *queue = NULL;
  int32_t *wunit = NULL;
  pref_t *tmp = NULL;
  out->nworkers = nw;
  out->nlines = nl;
  out->line = malloc((nw ? nw : 1) * sizeof *out->line);
  out->score = calloc(nw ? nw : 1, sizeof *out->score);
  out->reason = calloc(nw ? nw : 1, 1);
  out->filter = calloc(nw ? nw : 1, 1);
  out->split = calloc(nw ? nw : 1, sizeof *out->split);
  out->load = calloc(nl ? nl : 1, sizeof *out->load);
  bymid = malloc((nl ? nl : 1) * sizeof *bymid);
  relines = malloc((nl ? nl : 1) * sizeof *relines);
  wprof = malloc((nw ? nw : 1) * sizeof *wprof);
  wlist = calloc(nw ? nw : 1, sizeof *wlist);
  wn = calloc(nw ? nw : 1, sizeof *wn);
  tmp = malloc((nl ? nl : 1) * sizeof *tmp);
  while (htcap < nw * 2) htcap *= 2;
  ht = calloc(htcap, sizeof *ht);
  if (!ht || !out->line || !out->score || !out->reason || !out->filter || !out->split || !out->load || !bymid || !relines ||
      !wprof || !wlist || !wn || !tmp) {
    rc = NP_ERR_NOMEM;
    goto out;
  }
  for (size_t i = 0; i < nw; i++) out->line[i] = -1;
  for (size_t l = 0; l < nl; l++) {
    bymid[l] = (int64_t)lines[l].middle << 32 | (int64_t)l;
    if (has_related(o->rules, lines[l].occ)) relines[nrel++] = (int32_t)l;
  }
  qsort(bymid, nl, sizeof *bymid, cmp_mid);
  g_lines = lines;

  /* 1. preference lists, computed once per profile and filtered by age per worker */
  for (size_t i = 0; i < nw; i++) {
    const np_match_seeker_t *s = &w[i].s;
    uint32_t hs = (uint32_t)profile_hash(s) & (uint32_t)(htcap - 1);
    while (ht[hs] && !profile_eq(&prof[ht[hs] - 1], s)) hs = (hs + 1) & (uint32_t)(htcap - 1);
    size_t p = ht[hs] ? (size_t)ht[hs] - 1 : nprof;
    if (p == nprof) {
      ht[hs] = (int32_t)nprof + 1;
      if (nprof == capprof) {
        size_t nc = capprof ? capprof * 2 : 64;
        profile_t *np = realloc(prof, nc * sizeof *np);
        if (!np) {
          rc = NP_ERR_NOMEM;
          goto out;
        }
        prof = np;
        capprof = nc;
      }
      profile_t *pr = &prof[nprof++];
      memset(pr, 0, sizeof *pr);
      pr->s = *s;
      int64_t fails[NP_MF__COUNT] = {0};
      int32_t n = 0;
      /* candidate lines: those of the worker's middle groups, and the lines with related pairs */
      uint32_t mids[NP_MATCH_MAX_OCC];
      int nm = 0;
      for (int k = 0; k < s->nocc; k++) {
        bool dup = !s->middle[k];
        for (int j = 0; j < nm; j++) dup = dup || mids[j] == s->middle[k];
        if (!dup) mids[nm++] = s->middle[k];
      }
      for (int k = 0; k < nm; k++) {
        int64_t lo_key = (int64_t)mids[k] << 32;
        size_t lo = 0, hi = nl;
        while (lo < hi) {
          size_t mid = lo + (hi - lo) / 2;
          if (bymid[mid] < lo_key) lo = mid + 1;
          else hi = mid;
        }
        for (size_t j = lo; j < nl && (uint32_t)(bymid[j] >> 32) == mids[k]; j++) {
          int32_t l = (int32_t)(bymid[j] & 0xffffffff);
          np_match_eval_t e;
          np_match_eval(o->rules, &where, &lines[l], s, &e);
          if (e.filter) fails[e.filter]++;
          else tmp[n++] = (pref_t){l, e.score};
        }
      }
      for (size_t j = 0; j < nrel; j++) {
        int32_t l = relines[j];
        bool seen = false;
        for (int k = 0; k < nm; k++) seen = seen || lines[l].middle == mids[k];
        if (seen) continue;
        np_match_eval_t e;
        np_match_eval(o->rules, &where, &lines[l], s, &e);
        if (!e.filter) tmp[n++] = (pref_t){l, e.score};
      }
      qsort(tmp, (size_t)n, sizeof *tmp, cmp_pref);
      pr->list = malloc((n ? (size_t)n : 1) * sizeof *pr->list);
      if (!pr->list) {
        rc = NP_ERR_NOMEM;
        goto out;
      }
      memcpy(pr->list, tmp, (size_t)n * sizeof *tmp);
      pr->n = n;
      int best = NP_MF_OCCUPATION;
      for (int f = 1; f < NP_MF__COUNT; f++)
        if (fails[f] > fails[best]) best = f;
      pr->top_filter = (uint8_t)best;
    }
    wprof[i] = (int32_t)p;
  }
  for (size_t i = 0; i < nw; i++) {
    profile_t *pr = &prof[wprof[i]];
    int32_t cap = pr->n < L ? pr->n : L, n = 0;
    wlist[i] = malloc((cap ? (size_t)cap : 1) * sizeof(pref_t));
    if (!wlist[i]) {
      rc = NP_ERR_NOMEM;
      goto out;
    }
    int age = np_match_age(w[i].s.birth, o->today);
    for (int32_t j = 0; j < pr->n && n < cap; j++) {
      const np_match_demand_t *d = &lines[pr->list[j].line];
      if ((d->age_min && age < d->age_min) || (d->age_max && age > d->age_max)) continue;
      wlist[i][n++] = pr->list[j];
    }
    wn[i] = n;
    if (!n) {
      out->reason[i] = NP_ALLOC_NO_LINE;
      out->filter[i] = pr->n ? NP_MF_AGE : pr->top_filter;
    }
  }

  /* 2. proposers: groups (size >= 2) as one unit, everyone else alone */
  units = calloc(nw * 2 + 1, sizeof *units);
  wunit = malloc((nw ? nw : 1) * sizeof *wunit);
  queue = malloc((nw * 2 + 1) * sizeof *queue);
  ls = calloc(nl ? nl : 1, sizeof *ls);
  if (!units || !wunit || !queue || !ls) {
    rc = NP_ERR_NOMEM;
    goto out;
  }
  for (size_t i = 0; i < nw; i++) wunit[i] = -1;
  size_t qh = 0, qt = 0;
  for (size_t i = 0; i < nw; i++) {
    if (wunit[i] >= 0) continue;
    int32_t size = 1;
    if (w[i].group)
      for (size_t j = i + 1; j < nw; j++) size += w[j].group == w[i].group;
    unit_t *u = &units[nunits];
    u->members = malloc((size_t)size * sizeof *u->members);
    if (!u->members) {
      rc = NP_ERR_NOMEM;
      goto out;
    }
    u->at = -1;
    u->key = (int32_t)i;
    if (size == 1) {
      u->members[0] = (int32_t)i;
      u->size = 1;
      u->list = wlist[i];
      u->n = wn[i];
    } else {
      out->groups++;
      u->group = true;
      for (size_t j = i; j < nw; j++)
        if (j == i || (w[i].group && w[j].group == w[i].group)) u->members[u->size++] = (int32_t)j;
      /* lines acceptable to every member with room for all, by summed score */
      u->list = malloc((wn[i] ? (size_t)wn[i] : 1) * sizeof(pref_t));
      if (!u->list) {
        rc = NP_ERR_NOMEM;
        goto out;
      }
      for (int32_t k = 0; k < wn[i]; k++) {
        int32_t l = wlist[i][k].line;
        if (lines[l].open_count < u->size) continue;
        int64_t sum = wlist[i][k].score;
        bool all = true;
        for (int32_t m = 1; m < u->size && all; m++) {
          int32_t wi = u->members[m];
          bool found = false;
          for (int32_t t = 0; t < wn[wi]; t++)
            if (wlist[wi][t].line == l) {
              sum += wlist[wi][t].score;
              found = true;
              break;
            }
          all = found;
        }
        if (all) u->list[u->n++] = (pref_t){l, (int32_t)sum};
      }
      qsort(u->list, (size_t)u->n, sizeof(pref_t), cmp_pref); /* by sum, then line id */
      for (int32_t k = 0; k < u->n; k++) u->list[k].score /= u->size; /* lines see the average */
    }
    for (int32_t m = 0; m < u->size; m++) wunit[u->members[m]] = (int32_t)nunits;
    queue[qt++] = (int32_t)nunits;
    nunits++;
  }

  /* 3. deferred acceptance; groups that run out of lines are split and continue alone */
  for (;;) {
    while (qh < qt) {
      int32_t ui = queue[qh++];
      unit_t *u = &units[ui];
      if (u->next >= u->n) continue; /* exhausted */
      pref_t p = u->list[u->next++];
      out->proposals++;
      lstate_t *L2 = &ls[p.line];
      if (L2->n == L2->cap) {
        int32_t nc = L2->cap ? L2->cap * 2 : 4;
        held_t *nv = realloc(L2->v, (size_t)nc * sizeof *nv);
        if (!nv) {
          rc = NP_ERR_NOMEM;
          goto out;
        }
        L2->v = nv;
        L2->cap = nc;
      }
      L2->v[L2->n++] = (held_t){ui, p.score};
      L2->load += u->size;
      u->at = p.line;
      while (L2->load > lines[p.line].open_count) {
        int32_t worst = 0;
        for (int32_t k = 1; k < L2->n; k++)
          if (line_prefers(L2->v[worst].score, units[L2->v[worst].unit].key, L2->v[k].score, units[L2->v[k].unit].key))
            worst = k;
        int32_t ev = L2->v[worst].unit;
        L2->v[worst] = L2->v[--L2->n];
        L2->load -= units[ev].size;
        units[ev].at = -1;
        queue[qt++] = ev;
        if (qt >= nw * 2 + 1) { /* compact the queue */
          memmove(queue, queue + qh, (qt - qh) * sizeof *queue);
          qt -= qh;
          qh = 0;
        }
      }
    }
    /* repair: split the groups left without a line */
    bool any = false;
    size_t n0 = nunits;
    for (size_t ui = 0; ui < n0; ui++) {
      unit_t *u = &units[ui];
      if (!u->group || u->at >= 0 || u->size == 0) continue;
      out->groups_split++;
      for (int32_t m = 0; m < u->size; m++) {
        int32_t wi = u->members[m];
        unit_t *v = &units[nunits];
        v->members = malloc(sizeof *v->members);
        if (!v->members) {
          rc = NP_ERR_NOMEM;
          goto out;
        }
        v->members[0] = wi;
        v->size = 1;
        v->key = wi;
        v->list = wlist[wi];
        v->n = wn[wi];
        v->at = -1;
        out->split[wi] = true;
        wunit[wi] = (int32_t)nunits;
        if (qt >= nw * 2 + 1) {
          memmove(queue, queue + qh, (qt - qh) * sizeof *queue);
          qt -= qh;
          qh = 0;
        }
        queue[qt++] = (int32_t)nunits;
        nunits++;
      }
      u->size = 0; /* dissolved */
      any = true;
    }
    if (!any) break;
  }

  /* 4. the assignment, per worker */
  for (size_t ui = 0; ui < nunits; ui++) {
    unit_t *u = &units[ui];
    if (u->size == 0) continue;
    if (u->group && u->at >= 0) out->groups_together++;
    for (int32_t m = 0; m < u->size; m++) {
      int32_t wi = u->members[m];
      if (u->at < 0) continue;
      out->line[wi] = u->at;
      out->load[u->at]++;
      for (int32_t t = 0; t < wn[wi]; t++)
        if (wlist[wi][t].line == u->at) out->score[wi] = wlist[wi][t].score;
    }
  }
  for (size_t i = 0; i < nw; i++) {
    if (out->line[i] >= 0) {
      out->assigned++;
      out->reason[i] = NP_ALLOC_ASSIGNED;
    } else {
      out->unassigned++;
      if (wn[i]) out->reason[i] = NP_ALLOC_CAPACITY;
    }
  }

  /* 5. blocking pairs, worker by worker: a better line with room, or holding someone it ranks lower */
  {
    int32_t *worst_s = malloc((nl ? nl : 1) * sizeof *worst_s), *worst_w = malloc((nl ? nl : 1) * sizeof *worst_w);
    if (!worst_s || !worst_w) {
      free(worst_s);
      free(worst_w);
      rc = NP_ERR_NOMEM;
      goto out;
    }
    for (size_t l = 0; l < nl; l++) worst_s[l] = INT32_MAX, worst_w[l] = -1;
    for (size_t i = 0; i < nw; i++) {
      int32_t l = out->line[i];
      if (l < 0) continue;
      if (worst_w[l] < 0 || line_prefers(worst_s[l], worst_w[l], out->score[i], (int32_t)i))
        worst_s[l] = out->score[i], worst_w[l] = (int32_t)i;
    }
    for (size_t i = 0; i < nw; i++) {
      for (int32_t t = 0; t < wn[i]; t++) {
        int32_t l = wlist[i][t].line;
        if (l == out->line[i]) break; /* the rest are worse */
        bool room = out->load[l] < lines[l].open_count;
        if (room || (worst_w[l] >= 0 && line_prefers(wlist[i][t].score, (int32_t)i, worst_s[l], worst_w[l])))
          out->blocking_pairs++;
      }
    }
    free(worst_s);
    free(worst_w);
  }

out:
  for (size_t ui = 0; units && ui < nunits; ui++) {
    free(units[ui].members);
    if (units[ui].group) free(units[ui].list);
  }
  free(units);
  for (size_t l = 0; ls && l < nl; l++) free(ls[l].v);
  free(ls);
  for (size_t i = 0; wlist && i < nw; i++) free(wlist[i]);
  free(wlist);
  free(wn);
  for (size_t p = 0; p < nprof; p++) free(prof[p].list);
  free(prof);
  free(wprof);
  free(ht);
  free(bymid);
  free(relines);
  free(queue);
  free(wunit);
  free(tmp);
  return rc;
}
