/* The matching engine's in-memory index: dictionary, slots, posting lists, queries (see index.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "match/index.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "core/date.h"
#include "core/geo.h"

#define NO_CELL ((uint32_t)(NP_GEO_ROWS * NP_GEO_COLS))
#define DICT_CHUNK 4096
#define DICT_MAX_CHUNKS 4096
#define CODE_MAX 24
#define MAX_MIDDLES 16

/* ---- dictionary: code text ↔ small integer (0 = none); ids and texts never change once given ---- */

typedef struct dict_entry {
  char code[CODE_MAX];
  uint32_t minor, middle; /* occupation codes: their groups (0 for others) */
} dict_entry_t;

typedef struct dict {
  pthread_mutex_t mu;
  dict_entry_t *chunks[DICT_MAX_CHUNKS];
  _Atomic uint32_t count; /* ids 1..count-1 are in use (id 0 is "none") */
  uint32_t *slots;        /* open addressing: id or 0 */
  uint32_t cap;           /* power of two */
} dict_t;

static uint32_t hash_str(const char *s) {
  uint32_t h = 2166136261u;
  while (*s) h = (h ^ (unsigned char)*s++) * 16777619u;
  return h;
}

static dict_entry_t *dict_at(dict_t *d, uint32_t id) {
  return &d->chunks[id / DICT_CHUNK][id % DICT_CHUNK];
}

static uint32_t dict_find_locked(dict_t *d, const char *code) {
  if (!d->cap) return 0;
  for (uint32_t i = hash_str(code) & (d->cap - 1);; i = (i + 1) & (d->cap - 1)) {
    uint32_t id = d->slots[i];
    if (!id) return 0;
    if (strcmp(dict_at(d, id)->code, code) == 0) return id;
  }
}

static bool dict_grow(dict_t *d) {
  uint32_t ncap = d->cap ? d->cap * 2 : 1024;
  uint32_t *ns = calloc(ncap, sizeof *ns);
  if (!ns) return false;
  uint32_t n = atomic_load(&d->count);
  for (uint32_t id = 1; id < n; id++) {
    uint32_t i = hash_str(dict_at(d, id)->code) & (ncap - 1);
    while (ns[i]) i = (i + 1) & (ncap - 1);
    ns[i] = id;
  }
  free(d->slots);
  d->slots = ns;
  d->cap = ncap;
  return true;
}

/* Interns code (and for occupation codes "a-b-c-d" its minor "a-b-c" and middle "a-b"). 0 on failure. */
static uint32_t dict_intern_locked(dict_t *d, const char *code, bool occupation) {
  size_t len = strlen(code);
  if (len == 0 || len >= CODE_MAX) return 0;
  uint32_t id = dict_find_locked(d, code);
  if (id) return id;
  uint32_t minor = 0, middle = 0;
  if (occupation) {
    /* the groups of the code: the prefixes before the 2nd and 3rd dash */
    char buf[CODE_MAX];
    int dashes = 0;
    for (size_t i = 0; i < len; i++) {
      if (code[i] != '-') continue;
      dashes++;
      if (dashes == 2 || dashes == 3) {
        memcpy(buf, code, i);
        buf[i] = '\0';
        uint32_t g = dict_intern_locked(d, buf, false);
        if (dashes == 2) middle = g;
        else minor = g;
      }
    }
    if (dashes == 1) middle = 0; /* a middle-group code itself: handled below */
  }
  uint32_t n = atomic_load(&d->count);
  if (n == 0) n = 1;
  if (n / DICT_CHUNK >= DICT_MAX_CHUNKS) return 0;
  if (!d->chunks[n / DICT_CHUNK] && !(d->chunks[n / DICT_CHUNK] = calloc(DICT_CHUNK, sizeof(dict_entry_t)))) return 0;
  if ((uint64_t)(n + 1) * 2 > d->cap && !dict_grow(d)) return 0;
  dict_entry_t *e = dict_at(d, n);
  memcpy(e->code, code, len + 1);
  e->minor = minor;
  e->middle = middle;
  uint32_t i = hash_str(code) & (d->cap - 1);
  while (d->slots[i]) i = (i + 1) & (d->cap - 1);
  d->slots[i] = n;
  atomic_store(&d->count, n + 1);
  return n;
}

static uint32_t dict_intern(dict_t *d, const char *code, bool occupation) {
  if (!code || !*code) return 0;
  pthread_mutex_lock(&d->mu);
  uint32_t id = dict_intern_locked(d, code, occupation);
  pthread_mutex_unlock(&d->mu);
  return id;
}

static const char *dict_code(dict_t *d, uint32_t id) {
  if (!id || id >= atomic_load(&d->count)) return "";
  return dict_at(d, id)->code;
}

/* ---- posting lists ---- */

/*
 * A posting carries, besides (cell, slot), a compact copy of what the filters and the score need of its
 * record, so that the top-only scans decide from the posting alone — reading the lists sequentially —
 * whether a record can pass the filters and reach the current k-th score, and touch the record (a
 * cache miss) only when it can. Seekers: their expected salary, skill, education, birth date,
 * available_from and registration date; lines: the top of the salary range, the required skill and
 * education, age_min/age_max, needed_by, creation date and the key flag. minor: the minor group of the
 * record's occupation in the list's group (seekers with several minors in one middle group: 0).
 */
typedef struct post {
  uint32_t cell, slot;
  int32_t lat, lon;    /* micro-degrees (0 when the record has no location) */
  float coslat;        /* cos(latitude), as float: distances from it are bounds (see post_dist_lb) */
  uint32_t minor;
  int32_t avail;       /* seekers: available_from; lines: needed_by (NP_MATCH_NO_DATE) */
  int32_t created;     /* days */
  int32_t ymd;         /* seekers: birth as YYYYMMDD; lines: age_min | age_max << 8 */
  uint32_t salary;     /* seekers: expected (fen, clamped); lines: the top of the range (UINT32_MAX: beyond) */
  uint8_t skill, edu, flags, pad;
} post_t;

#define PF_LOC 1u /* the record has a location */
#define PF_KEY 2u /* key enterprise (lines) */

/* Lists of at least DIR_MIN postings keep a directory: dir[c] is the first posting of cell c (cells
 * NO_CELL + 1 entries and the end), rebuilt after every write-locked change (dirs_refresh_locked), so a
 * scan finds a cell's run without a binary search. */
#define DIR_MIN 256
#define DIR_LEN (NP_GEO_ROWS * NP_GEO_COLS + 2)

/* Demand lines' lists with a directory also keep, per cell, what bounds the line-side terms and
 * filters of every line of the cell in the list, so a jobs scan passes over a whole cell without
 * reading its postings when no line there can pass the filters or reach the k-th score. */
typedef struct cellsum {
  int32_t max_created;  /* the newest line (freshness) */
  uint32_t max_salary;  /* the largest top of the salary range (UINT32_MAX: beyond 32 bits) */
  uint8_t min_skill, max_skill, min_edu;
  uint8_t any_key, any_zero_salary, pad[3];
} cellsum_t;

typedef struct plist {
  post_t *v;
  uint32_t n, cap;
  uint32_t sorted; /* v[0..sorted) is in (cell, slot) order; inserts past it wait for plist_settle */
  uint32_t *dir;  /* NULL: binary search */
  cellsum_t *sum; /* demand lines' lists with a directory; NULL otherwise */
  bool dirty;
} plist_t;

static inline bool post_lt(post_t a, post_t b) { return a.cell < b.cell || (a.cell == b.cell && a.slot < b.slot); }

static uint32_t plist_lower(const plist_t *l, post_t key) {
  uint32_t lo = 0, hi = l->sorted;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (post_lt(l->v[mid], key)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/* first posting of cell `cell` (or where it would be) */
static inline uint32_t plist_cell_start(const plist_t *l, uint32_t cell) {
  if (l->dir && cell < DIR_LEN - 1) return l->dir[cell];
  return plist_lower(l, (post_t){.cell = cell});
}

static void plist_dir_rebuild(plist_t *l, bool with_sum) {
  l->dirty = false;
  if (l->n < DIR_MIN) {
    free(l->dir);
    free(l->sum);
    l->dir = NULL;
    l->sum = NULL;
    return;
  }
  if (!l->dir && !(l->dir = malloc(DIR_LEN * sizeof *l->dir))) return; /* binary search then */
  if (with_sum && !l->sum) l->sum = malloc(DIR_LEN * sizeof *l->sum); /* NULL: no cell bounds */
  uint32_t j = 0;
  for (uint32_t c = 0; c < DIR_LEN; c++) {
    while (j < l->n && l->v[j].cell < c) j++;
    l->dir[c] = j;
    if (!l->sum) continue;
    cellsum_t cs = {.max_created = INT32_MIN, .min_skill = 255, .min_edu = 255};
    for (uint32_t k = j; k < l->n && l->v[k].cell == c; k++) {
      const post_t *p = &l->v[k];
      if (p->created > cs.max_created) cs.max_created = p->created;
      if (p->salary > cs.max_salary) cs.max_salary = p->salary;
      if (p->salary == 0) cs.any_zero_salary = 1;
      if (p->skill < cs.min_skill) cs.min_skill = p->skill;
      if (p->skill > cs.max_skill) cs.max_skill = p->skill;
      if (p->edu < cs.min_edu) cs.min_edu = p->edu;
      if (p->flags & PF_KEY) cs.any_key = 1;
    }
    l->sum[c] = cs;
  }
}

static int cmp_post(const void *a, const void *b) {
  const post_t *x = a, *y = b;
  return post_lt(*x, *y) ? -1 : post_lt(*y, *x) ? 1 : 0;
}

/*
 * Inserts keep the list sorted only while that is cheap: a posting that belongs before the end of a
 * long list is appended past the sorted prefix instead (moving the tail of a list of 10^5 postings for
 * every record of a bulk import made the import quadratic: 1.6 ms a record at province scale), and the
 * list is settled — the appended run sorted and merged in once — before the write lock is released
 * (dirs_refresh_locked). Readers only ever see settled lists.
 */
#define PLIST_SHIFT_MAX 4096 /* postings an insert may move to stay in order */

static bool plist_insert(plist_t *l, post_t p) {
  l->dirty = true;
  if (l->n == l->cap) {
    uint32_t nc = l->cap ? l->cap * 2 : 16;
    post_t *nv = realloc(l->v, (size_t)nc * sizeof *nv);
    if (!nv) return false;
    l->v = nv;
    l->cap = nc;
  }
  uint32_t i = plist_lower(l, p);
  if (i < l->sorted && l->v[i].cell == p.cell && l->v[i].slot == p.slot) return true;
  if (l->sorted == l->n && l->n - i <= PLIST_SHIFT_MAX) {
    memmove(l->v + i + 1, l->v + i, (size_t)(l->n - i) * sizeof *l->v);
    l->v[i] = p;
    l->n++;
    l->sorted++;
    return true;
  }
  l->v[l->n++] = p; /* settled later (a posting appended twice is dropped then) */
  return true;
}

static void plist_remove(plist_t *l, post_t p) {
  l->dirty = true;
  uint32_t i = plist_lower(l, p);
  if (i < l->sorted && l->v[i].cell == p.cell && l->v[i].slot == p.slot) {
    memmove(l->v + i, l->v + i + 1, (size_t)(l->n - i - 1) * sizeof *l->v);
    l->n--;
    l->sorted--;
    return;
  }
  for (uint32_t k = l->sorted; k < l->n; k++)
    if (l->v[k].cell == p.cell && l->v[k].slot == p.slot) {
      l->v[k] = l->v[--l->n]; /* the unsorted run has no order to keep */
      return;
    }
}

/* Sorts the appended run and merges it into the sorted prefix (O(n + k log k); without memory for the
 * merge the whole list is sorted in place), then drops repeated postings. */
static void plist_settle(plist_t *l) {
  if (l->sorted == l->n) return;
  uint32_t k = l->n - l->sorted;
  qsort(l->v + l->sorted, k, sizeof *l->v, cmp_post);
  post_t *m = malloc((size_t)l->cap * sizeof *m);
  if (!m) {
    qsort(l->v, l->n, sizeof *l->v, cmp_post);
  } else {
    uint32_t a = 0, b = l->sorted, o = 0;
    while (a < l->sorted && b < l->n) m[o++] = post_lt(l->v[b], l->v[a]) ? l->v[b++] : l->v[a++];
    while (a < l->sorted) m[o++] = l->v[a++];
    while (b < l->n) m[o++] = l->v[b++];
    free(l->v);
    l->v = m;
  }
  /* one posting per (cell, slot) */
  uint32_t o = 0;
  for (uint32_t i = 0; i < l->n; i++)
    if (!o || l->v[o - 1].cell != l->v[i].cell || l->v[o - 1].slot != l->v[i].slot) l->v[o++] = l->v[i];
    else l->v[o - 1] = l->v[i]; /* the later one */
  l->n = o;
  l->sorted = l->n;
}

/* ---- the index ---- */

typedef struct side {
  void *rec;          /* np_match_demand_t[] or np_match_seeker_t[] by slot */
  size_t rec_size;
  uint32_t n, cap;    /* slots used / allocated */
  int32_t *slot_of;   /* id → slot + 1 (0 = absent) */
  int64_t id_cap;
  plist_t *post;      /* by middle-group id */
  uint32_t npost;
  plist_t *opost;     /* by exact occupation id (top-only scans read exact matches first) */
  uint32_t nopost;
  uint16_t *pushes;   /* anti-congestion: distinct pushes today, by slot */
  int64_t live, indexed;
} side_t;

struct np_match_index {
  pthread_rwlock_t lock;
  dict_t dict;
  side_t dem, skr;
  np_match_config_t cfg;
  uint64_t *related;
  size_t nrelated;
  /* anti-congestion */
  pthread_mutex_t push_mu;
  int32_t push_day;
  uint64_t *pairs;   /* open addressing set of demand_slot << 32 | seeker_slot (+1) */
  uint32_t pairs_cap, pairs_n;
  /* follower state */
  int64_t last_seq, build_ms, applied;
  char circles[32][64];
  int ncircles;
};

void np_match_config_default(np_match_config_t *c) {
  np_match_rules_t r;
  np_match_rules_default(&r);
  memset(c, 0, sizeof *c);
  memcpy(c->weight, r.weight, sizeof c->weight);
  c->seeker_daily_pushes = 20;
  c->demand_flood_multiple = 5;
  c->pref_list_max = 200;
}

np_match_index_t *np_match_index_new(void) {
  np_match_index_t *ix = calloc(1, sizeof *ix);
  if (!ix) return NULL;
  pthread_rwlockattr_t at;
  pthread_rwlockattr_init(&at);
  pthread_rwlockattr_setkind_np(&at, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
  pthread_rwlock_init(&ix->lock, &at);
  pthread_rwlockattr_destroy(&at);
  pthread_mutex_init(&ix->dict.mu, NULL);
  pthread_mutex_init(&ix->push_mu, NULL);
  atomic_store(&ix->dict.count, 1);
  ix->dem.rec_size = sizeof(np_match_demand_t);
  ix->skr.rec_size = sizeof(np_match_seeker_t);
  np_match_config_default(&ix->cfg);
  return ix;
}

static void side_free(side_t *s) {
  free(s->rec);
  free(s->slot_of);
  for (uint32_t i = 0; i < s->npost; i++) free(s->post[i].v), free(s->post[i].dir), free(s->post[i].sum);
  free(s->post);
  for (uint32_t i = 0; i < s->nopost; i++) free(s->opost[i].v), free(s->opost[i].dir), free(s->opost[i].sum);
  free(s->opost);
  free(s->pushes);
}

void np_match_index_free(np_match_index_t *ix) {
  if (!ix) return;
  side_free(&ix->dem);
  side_free(&ix->skr);
  for (size_t i = 0; i < DICT_MAX_CHUNKS; i++) free(ix->dict.chunks[i]);
  free(ix->dict.slots);
  free(ix->related);
  free(ix->pairs);
  pthread_rwlock_destroy(&ix->lock);
  pthread_mutex_destroy(&ix->dict.mu);
  pthread_mutex_destroy(&ix->push_mu);
  free(ix);
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

np_err np_match_index_configure(np_match_index_t *ix, const np_match_config_t *c, const char *const *a,
                                const char *const *b, size_t n) {
  if (n > 1000000) return NP_ERR_TOO_LARGE;
  uint64_t *rel = n ? calloc(n * 2, sizeof *rel) : NULL;
  if (n && !rel) return NP_ERR_NOMEM;
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    uint32_t x = dict_intern(&ix->dict, a[i], true), y = dict_intern(&ix->dict, b[i], true);
    if (!x || !y || x == y) continue;
    rel[k++] = (uint64_t)x << 32 | y;
    rel[k++] = (uint64_t)y << 32 | x;
  }
  if (k) qsort(rel, k, sizeof *rel, cmp_u64);
  pthread_rwlock_wrlock(&ix->lock);
  ix->cfg = *c;
  free(ix->related);
  ix->related = rel;
  ix->nrelated = k;
  pthread_rwlock_unlock(&ix->lock);
  return NP_OK;
}

void np_match_index_config(np_match_index_t *ix, np_match_config_t *out) {
  pthread_rwlock_rdlock(&ix->lock);
  *out = ix->cfg;
  pthread_rwlock_unlock(&ix->lock);
}

static void rules_locked(np_match_index_t *ix, np_match_rules_t *r) {
  np_match_rules_default(r);
  memcpy(r->weight, ix->cfg.weight, sizeof r->weight);
  r->related = ix->related;
  r->nrelated = ix->nrelated;
}

void np_match_index_rules(np_match_index_t *ix, np_match_rules_t *out) {
  pthread_rwlock_rdlock(&ix->lock);
  rules_locked(ix, out);
  pthread_rwlock_unlock(&ix->lock);
}

np_err np_match_index_rules_copy(np_match_index_t *ix, np_match_rules_t *out, uint64_t **buf) {
  *buf = NULL;
  pthread_rwlock_rdlock(&ix->lock);
  rules_locked(ix, out);
  np_err rc = NP_OK;
  if (out->nrelated) {
    *buf = malloc(out->nrelated * sizeof **buf);
    if (*buf) memcpy(*buf, out->related, out->nrelated * sizeof **buf);
    else rc = NP_ERR_NOMEM;
  }
  out->related = *buf;
  pthread_rwlock_unlock(&ix->lock);
  return rc;
}

const char *np_match_index_code(np_match_index_t *ix, uint32_t id) { return dict_code(&ix->dict, id); }

static const char *names_cb(const void *ctx, uint32_t id) {
  return dict_code(&((np_match_index_t *)(uintptr_t)ctx)->dict, id);
}

/* ---- record conversion ---- */

static uint16_t region_id(np_match_index_t *ix, const char *code) {
  uint32_t id = dict_intern(&ix->dict, code, false);
  return id <= UINT16_MAX ? (uint16_t)id : 0;
}

static uint8_t clamp8(int v, int hi) { return v < 0 ? 0 : v > hi ? (uint8_t)hi : (uint8_t)v; }

np_err np_match_index_make_demand(np_match_index_t *ix, const np_match_demand_row_t *r, np_match_demand_t *o) {
  memset(o, 0, sizeof *o);
  if (r->id < 1 || r->id > NP_MATCH_MAX_ID) return NP_ERR_INVALID;
  o->id = r->id;
  o->enterprise_id = r->enterprise_id;
  o->occ = dict_intern(&ix->dict, r->occupation_code, true);
  if (o->occ) {
    dict_entry_t *e = dict_at(&ix->dict, o->occ);
    o->minor = e->minor;
    o->middle = e->middle;
  }
  o->has_loc = r->has_loc;
  o->lat_e6 = r->lat_e6;
  o->lon_e6 = r->lon_e6;
  o->coslat = r->has_loc ? np_geo_cos_lat(r->lat_e6) : 1;
  o->cell = r->has_loc ? np_geo_cell(r->lat_e6, r->lon_e6) : NO_CELL;
  o->salary_min = r->salary_min > 0 ? r->salary_min : 0;
  o->salary_max = r->salary_max > 0 ? r->salary_max : 0;
  o->needed_by = r->needed_by;
  o->created = r->created;
  o->open_count = r->open_count;
  o->county = region_id(ix, r->county_code);
  o->city = region_id(ix, r->city_code);
  o->circle = clamp8(r->circle, 255);
  o->skill = clamp8(r->skill_level, 8);
  o->edu = clamp8(r->edu_rank, 8);
  o->age_min = clamp8(r->age_min, 120);
  o->age_max = clamp8(r->age_max, 120);
  o->is_key = r->is_key;
  o->is_public = r->is_public;
  o->status_ok = r->status_ok;
  o->live = true;
  return NP_OK;
}

np_err np_match_index_make_seeker(np_match_index_t *ix, const np_match_seeker_row_t *r, np_match_seeker_t *o) {
  memset(o, 0, sizeof *o);
  if (r->id < 1 || r->id > NP_MATCH_MAX_ID) return NP_ERR_INVALID;
  o->id = r->id;
  int k = 0;
  for (int i = 0; i < r->nocc && i < NP_MATCH_MAX_OCC; i++) {
    uint32_t id = dict_intern(&ix->dict, r->occupation_codes[i], true);
    if (!id) continue;
    dict_entry_t *e = dict_at(&ix->dict, id);
    o->occ[k] = id;
    o->minor[k] = e->minor;
    o->middle[k] = e->middle;
    k++;
  }
  o->nocc = (uint8_t)k;
  o->has_loc = r->has_loc;
  o->lat_e6 = r->lat_e6;
  o->lon_e6 = r->lon_e6;
  o->coslat = r->has_loc ? np_geo_cos_lat(r->lat_e6) : 1;
  o->cell = r->has_loc ? np_geo_cell(r->lat_e6, r->lon_e6) : NO_CELL;
  o->expected_salary = r->expected_salary > 0 ? r->expected_salary : 0;
  o->birth = r->birth;
  o->birth_ymd = np_match_ymd(r->birth);
  o->available_from = r->available_from;
  o->created = r->created;
  o->county = region_id(ix, r->county_code);
  o->city = region_id(ix, r->city_code);
  o->circle = clamp8(r->circle, 255);
  o->skill = clamp8(r->skill_level, 8);
  o->edu = clamp8(r->edu_rank, 8);
  o->consent = r->consent;
  o->status_ok = r->status_ok;
  o->live = true;
  return NP_OK;
}

static int cmp_dem_cell(const void *a, const void *b);
static int cmp_skr_cell(const void *a, const void *b);

/* ---- slots and postings (write lock held) ---- */

static void *rec_at(side_t *s, uint32_t slot) { return (char *)s->rec + (size_t)slot * s->rec_size; }

static bool demand_indexable(const np_match_demand_t *d) {
  return d->live && d->status_ok && d->is_public && d->open_count > 0 && d->middle;
}
static bool seeker_indexable(const np_match_seeker_t *s) { return s->live && s->status_ok && s->consent && s->nocc; }

static bool side_reserve_id(side_t *s, int64_t id) {
  if (id < s->id_cap) return true;
  int64_t nc = s->id_cap ? s->id_cap : 1024;
  while (nc <= id) nc *= 2;
  if (nc > NP_MATCH_MAX_ID + 1) nc = NP_MATCH_MAX_ID + 1;
  int32_t *ns = realloc(s->slot_of, (size_t)nc * sizeof *ns);
  if (!ns) return false;
  memset(ns + s->id_cap, 0, (size_t)(nc - s->id_cap) * sizeof *ns);
  s->slot_of = ns;
  s->id_cap = nc;
  return true;
}

static bool side_new_slot(side_t *s, uint32_t *slot) {
  if (s->n == s->cap) {
    uint32_t nc = s->cap ? s->cap * 2 : 1024;
    void *nr = realloc(s->rec, (size_t)nc * s->rec_size);
    if (!nr) return false;
    uint16_t *np = realloc(s->pushes, (size_t)nc * sizeof *np);
    if (!np) {
      s->rec = nr;
      return false;
    }
    memset(np + s->cap, 0, (size_t)(nc - s->cap) * sizeof *np);
    s->rec = nr;
    s->pushes = np;
    s->cap = nc;
  }
  *slot = s->n++;
  return true;
}

static plist_t *grow_lists(plist_t **lists, uint32_t *n, uint32_t id) {
  if (id >= *n) {
    uint32_t nn = *n ? *n : 256;
    while (nn <= id) nn *= 2;
    plist_t *np = realloc(*lists, (size_t)nn * sizeof *np);
    if (!np) return NULL;
    memset(np + *n, 0, (size_t)(nn - *n) * sizeof *np);
    *lists = np;
    *n = nn;
  }
  return &(*lists)[id];
}

static plist_t *side_list(side_t *s, uint32_t middle) { return grow_lists(&s->post, &s->npost, middle); }
static plist_t *side_olist(side_t *s, uint32_t occ) { return grow_lists(&s->opost, &s->nopost, occ); }

/* distinct occupations of a seeker */
static int seeker_occs(const np_match_seeker_t *s, uint32_t out[NP_MATCH_MAX_OCC]) {
  int n = 0;
  for (int i = 0; i < s->nocc; i++) {
    bool dup = !s->occ[i];
    for (int j = 0; j < n; j++) dup = dup || out[j] == s->occ[i];
    if (!dup) out[n++] = s->occ[i];
  }
  return n;
}

/* distinct middle groups of a seeker */
static int seeker_middles(const np_match_seeker_t *s, uint32_t out[NP_MATCH_MAX_OCC]) {
  int n = 0;
  for (int i = 0; i < s->nocc; i++) {
    bool dup = !s->middle[i];
    for (int j = 0; j < n; j++) dup = dup || out[j] == s->middle[i];
    if (!dup) out[n++] = s->middle[i];
  }
  return n;
}

static uint32_t clamp_u32(int64_t v) { return v <= 0 ? 0 : v >= (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)v; }

static post_t demand_post(const np_match_demand_t *d, uint32_t slot) {
  post_t p = {.cell = d->cell, .slot = slot};
  if (d->has_loc) p.lat = d->lat_e6, p.lon = d->lon_e6, p.flags |= PF_LOC;
  p.coslat = (float)d->coslat;
  p.minor = d->minor;
  p.avail = d->needed_by;
  p.created = d->created;
  p.ymd = d->age_min | d->age_max << 8;
  p.salary = clamp_u32(d->salary_max ? d->salary_max : d->salary_min); /* UINT32_MAX: bounded by 1000 */
  p.skill = d->skill;
  p.edu = d->edu;
  if (d->is_key) p.flags |= PF_KEY;
  return p;
}

/* a seeker's posting in the list of middle group `middle` (0: an exact-occupation list) */
static post_t seeker_post(const np_match_seeker_t *s, uint32_t slot, uint32_t middle) {
  post_t p = {.cell = s->cell, .slot = slot};
  if (s->has_loc) p.lat = s->lat_e6, p.lon = s->lon_e6, p.flags |= PF_LOC;
  p.coslat = (float)s->coslat;
  bool first = true;
  for (int i = 0; middle && i < s->nocc; i++) {
    if (s->middle[i] != middle) continue;
    if (first) p.minor = s->minor[i], first = false;
    else if (p.minor != s->minor[i]) p.minor = 0; /* several minor groups: bounded as the best */
  }
  p.avail = s->available_from;
  p.created = s->created;
  p.ymd = s->birth_ymd ? s->birth_ymd : np_match_ymd(s->birth);
  p.salary = clamp_u32(s->expected_salary); /* clamped down: the salary term only grows, a valid bound */
  p.skill = s->skill;
  p.edu = s->edu;
  return p;
}

static void demand_unpost(np_match_index_t *ix, uint32_t slot) {
  np_match_demand_t *d = rec_at(&ix->dem, slot);
  if (!demand_indexable(d)) return;
  if (d->middle < ix->dem.npost) plist_remove(&ix->dem.post[d->middle], (post_t){.cell = d->cell, .slot = slot});
  if (d->occ < ix->dem.nopost) plist_remove(&ix->dem.opost[d->occ], (post_t){.cell = d->cell, .slot = slot});
  ix->dem.indexed--;
}

static void seeker_unpost(np_match_index_t *ix, uint32_t slot) {
  np_match_seeker_t *s = rec_at(&ix->skr, slot);
  if (!seeker_indexable(s)) return;
  uint32_t m[NP_MATCH_MAX_OCC];
  int n = seeker_middles(s, m);
  for (int i = 0; i < n; i++)
    if (m[i] < ix->skr.npost) plist_remove(&ix->skr.post[m[i]], (post_t){.cell = s->cell, .slot = slot});
  n = seeker_occs(s, m);
  for (int i = 0; i < n; i++)
    if (m[i] < ix->skr.nopost) plist_remove(&ix->skr.opost[m[i]], (post_t){.cell = s->cell, .slot = slot});
  ix->skr.indexed--;
}

static np_err put_demand_locked(np_match_index_t *ix, const np_match_demand_t *rec) {
  side_t *sd = &ix->dem;
  if (!side_reserve_id(sd, rec->id)) return NP_ERR_NOMEM;
  uint32_t slot;
  if (sd->slot_of[rec->id]) {
    slot = (uint32_t)sd->slot_of[rec->id] - 1;
    demand_unpost(ix, slot);
    if (!((np_match_demand_t *)rec_at(sd, slot))->live) sd->live++;
  } else {
    if (!side_new_slot(sd, &slot)) return NP_ERR_NOMEM;
    sd->slot_of[rec->id] = (int32_t)slot + 1;
    sd->pushes[slot] = 0;
    sd->live++;
  }
  np_match_demand_t *d = rec_at(sd, slot);
  *d = *rec;
  if (demand_indexable(d)) {
    post_t pp = demand_post(d, slot);
    plist_t *l = side_list(sd, d->middle);
    if (!l || !plist_insert(l, pp)) return NP_ERR_NOMEM;
    l = side_olist(sd, d->occ);
    if (!l || !plist_insert(l, pp)) return NP_ERR_NOMEM;
    sd->indexed++;
  }
  return NP_OK;
}

static np_err put_seeker_locked(np_match_index_t *ix, const np_match_seeker_t *rec) {
  side_t *ss = &ix->skr;
  if (!side_reserve_id(ss, rec->id)) return NP_ERR_NOMEM;
  uint32_t slot;
  if (ss->slot_of[rec->id]) {
    slot = (uint32_t)ss->slot_of[rec->id] - 1;
    seeker_unpost(ix, slot);
    if (!((np_match_seeker_t *)rec_at(ss, slot))->live) ss->live++;
  } else {
    if (!side_new_slot(ss, &slot)) return NP_ERR_NOMEM;
    ss->slot_of[rec->id] = (int32_t)slot + 1;
    ss->pushes[slot] = 0;
    ss->live++;
  }
  np_match_seeker_t *s = rec_at(ss, slot);
  *s = *rec;
  if (seeker_indexable(s)) {
    uint32_t m[NP_MATCH_MAX_OCC];
    int n = seeker_middles(s, m);
    for (int i = 0; i < n; i++) {
      plist_t *l = side_list(ss, m[i]);
      if (!l || !plist_insert(l, seeker_post(s, slot, m[i]))) return NP_ERR_NOMEM;
    }
    n = seeker_occs(s, m);
    for (int i = 0; i < n; i++) {
      plist_t *l = side_olist(ss, m[i]);
      if (!l || !plist_insert(l, seeker_post(s, slot, 0))) return NP_ERR_NOMEM;
    }
    ss->indexed++;
  }
  return NP_OK;
}

/* Rebuilds the directories of the lists changed under the write lock, then releases it. */
static void dirs_refresh_locked(side_t *s, bool with_sum) {
  for (uint32_t i = 0; i < s->npost; i++)
    if (s->post[i].dirty) {
      plist_settle(&s->post[i]);
      plist_dir_rebuild(&s->post[i], with_sum);
    }
  for (uint32_t i = 0; i < s->nopost; i++)
    if (s->opost[i].dirty) {
      plist_settle(&s->opost[i]);
      plist_dir_rebuild(&s->opost[i], with_sum);
    }
}

static void wrunlock(np_match_index_t *ix) {
  dirs_refresh_locked(&ix->dem, true);
  dirs_refresh_locked(&ix->skr, false);
  pthread_rwlock_unlock(&ix->lock);
}

np_err np_match_index_put_demand(np_match_index_t *ix, const np_match_demand_row_t *row) {
  np_match_demand_t rec;
  np_err rc = np_match_index_make_demand(ix, row, &rec);
  if (rc) return rc;
  pthread_rwlock_wrlock(&ix->lock);
  rc = put_demand_locked(ix, &rec);
  wrunlock(ix);
  return rc;
}

np_err np_match_index_put_seeker(np_match_index_t *ix, const np_match_seeker_row_t *row) {
  np_match_seeker_t rec;
  np_err rc = np_match_index_make_seeker(ix, row, &rec);
  if (rc) return rc;
  pthread_rwlock_wrlock(&ix->lock);
  rc = put_seeker_locked(ix, &rec);
  wrunlock(ix);
  return rc;
}

static void remove_demand_locked(np_match_index_t *ix, int64_t id) {
  side_t *sd = &ix->dem;
  if (id < 1 || id >= sd->id_cap || !sd->slot_of[id]) return;
  uint32_t slot = (uint32_t)sd->slot_of[id] - 1;
  np_match_demand_t *d = rec_at(sd, slot);
  demand_unpost(ix, slot);
  if (d->live) sd->live--;
  d->live = false;
}

static void remove_seeker_locked(np_match_index_t *ix, int64_t id) {
  side_t *ss = &ix->skr;
  if (id < 1 || id >= ss->id_cap || !ss->slot_of[id]) return;
  uint32_t slot = (uint32_t)ss->slot_of[id] - 1;
  np_match_seeker_t *s = rec_at(ss, slot);
  seeker_unpost(ix, slot);
  if (s->live) ss->live--;
  s->live = false;
}

void np_match_index_remove_demand(np_match_index_t *ix, int64_t id) {
  pthread_rwlock_wrlock(&ix->lock);
  remove_demand_locked(ix, id);
  wrunlock(ix);
}

void np_match_index_remove_seeker(np_match_index_t *ix, int64_t id) {
  pthread_rwlock_wrlock(&ix->lock);
  remove_seeker_locked(ix, id);
  wrunlock(ix);
}

np_err np_match_index_put_many(np_match_index_t *ix, const np_match_demand_row_t *d, size_t nd,
                               const np_match_seeker_row_t *s, size_t ns) {
  np_match_demand_t *dr = nd ? calloc(nd, sizeof *dr) : NULL;
  np_match_seeker_t *sr = ns ? calloc(ns, sizeof *sr) : NULL;
  np_err rc = NP_OK;
  if ((nd && !dr) || (ns && !sr)) {
    rc = NP_ERR_NOMEM;
    goto out;
  }
  for (size_t i = 0; i < nd && !rc; i++) rc = np_match_index_make_demand(ix, &d[i], &dr[i]);
  for (size_t i = 0; i < ns && !rc; i++) rc = np_match_index_make_seeker(ix, &s[i], &sr[i]);
  if (rc) goto out;
  /* new slots in grid-cell order, as at a full build */
  if (nd) qsort(dr, nd, sizeof *dr, cmp_dem_cell);
  if (ns) qsort(sr, ns, sizeof *sr, cmp_skr_cell);
  pthread_rwlock_wrlock(&ix->lock);
  for (size_t i = 0; i < nd && !rc; i++) rc = put_demand_locked(ix, &dr[i]);
  for (size_t i = 0; i < ns && !rc; i++) rc = put_seeker_locked(ix, &sr[i]);
  wrunlock(ix);
out:
  free(dr);
  free(sr);
  return rc;
}

void np_match_index_stats(np_match_index_t *ix, np_match_index_stats_t *o) {
  memset(o, 0, sizeof *o);
  pthread_rwlock_rdlock(&ix->lock);
  o->demands = ix->dem.live;
  o->demands_indexed = ix->dem.indexed;
  o->seekers = ix->skr.live;
  o->seekers_indexed = ix->skr.indexed;
  for (uint32_t i = 0; i < ix->dem.npost; i++) o->postings += ix->dem.post[i].n;
  for (uint32_t i = 0; i < ix->skr.npost; i++) o->postings += ix->skr.post[i].n;
  o->codes = atomic_load(&ix->dict.count) - 1;
  o->last_seq = ix->last_seq;
  o->build_ms = ix->build_ms;
  o->applied_changes = ix->applied;
  pthread_rwlock_unlock(&ix->lock);
}

bool np_match_index_get_demand(np_match_index_t *ix, int64_t id, np_match_demand_t *out) {
  bool ok = false;
  pthread_rwlock_rdlock(&ix->lock);
  if (id > 0 && id < ix->dem.id_cap && ix->dem.slot_of[id]) {
    *out = *(np_match_demand_t *)rec_at(&ix->dem, (uint32_t)ix->dem.slot_of[id] - 1);
    ok = out->live;
  }
  pthread_rwlock_unlock(&ix->lock);
  return ok;
}

bool np_match_index_get_seeker(np_match_index_t *ix, int64_t id, np_match_seeker_t *out) {
  bool ok = false;
  pthread_rwlock_rdlock(&ix->lock);
  if (id > 0 && id < ix->skr.id_cap && ix->skr.slot_of[id]) {
    *out = *(np_match_seeker_t *)rec_at(&ix->skr, (uint32_t)ix->skr.slot_of[id] - 1);
    ok = out->live;
  }
  pthread_rwlock_unlock(&ix->lock);
  return ok;
}

/* ---- anti-congestion (push_mu) ---- */

static uint64_t pair_key(uint32_t dslot, uint32_t sslot) { return ((uint64_t)dslot << 32 | sslot) + 1; }

static uint32_t pair_hash(uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  return (uint32_t)k;
}

static bool pairs_has(np_match_index_t *ix, uint64_t k) {
  if (!ix->pairs_cap) return false;
  for (uint32_t i = pair_hash(k) & (ix->pairs_cap - 1);; i = (i + 1) & (ix->pairs_cap - 1)) {
    if (!ix->pairs[i]) return false;
    if (ix->pairs[i] == k) return true;
  }
}

static bool pairs_add(np_match_index_t *ix, uint64_t k) {
  if ((uint64_t)(ix->pairs_n + 1) * 2 > ix->pairs_cap) {
    uint32_t nc = ix->pairs_cap ? ix->pairs_cap * 2 : 4096;
    uint64_t *np = calloc(nc, sizeof *np);
    if (!np) return false;
    for (uint32_t i = 0; i < ix->pairs_cap; i++) {
      if (!ix->pairs[i]) continue;
      uint32_t j = pair_hash(ix->pairs[i]) & (nc - 1);
      while (np[j]) j = (j + 1) & (nc - 1);
      np[j] = ix->pairs[i];
    }
    free(ix->pairs);
    ix->pairs = np;
    ix->pairs_cap = nc;
  }
  uint32_t i = pair_hash(k) & (ix->pairs_cap - 1);
  while (ix->pairs[i]) {
    if (ix->pairs[i] == k) return false;
    i = (i + 1) & (ix->pairs_cap - 1);
  }
  ix->pairs[i] = k;
  ix->pairs_n++;
  return true;
}

/* new day: forget yesterday's pushes (push_mu held) */
static void push_day_locked(np_match_index_t *ix, int32_t today) {
  if (ix->push_day == today) return;
  ix->push_day = today;
  if (ix->dem.pushes) memset(ix->dem.pushes, 0, (size_t)ix->dem.cap * sizeof(uint16_t));
  if (ix->skr.pushes) memset(ix->skr.pushes, 0, (size_t)ix->skr.cap * sizeof(uint16_t));
  if (ix->pairs) memset(ix->pairs, 0, (size_t)ix->pairs_cap * sizeof(uint64_t));
  ix->pairs_n = 0;
}

/* Is pushing the pair allowed today? (push_mu held) */
static bool push_ok_locked(np_match_index_t *ix, uint32_t dslot, uint32_t sslot, int32_t open_count) {
  uint32_t n = (uint32_t)(ix->cfg.seeker_daily_pushes > 0 ? ix->cfg.seeker_daily_pushes : 0);
  int64_t k = (int64_t)(ix->cfg.demand_flood_multiple > 0 ? ix->cfg.demand_flood_multiple : 0) * open_count;
  if (ix->skr.pushes[sslot] < n && ix->dem.pushes[dslot] < k) return true;
  return pairs_has(ix, pair_key(dslot, sslot));
}

static void push_record_locked(np_match_index_t *ix, uint32_t dslot, uint32_t sslot) {
  if (!pairs_add(ix, pair_key(dslot, sslot))) return;
  if (ix->skr.pushes[sslot] < UINT16_MAX) ix->skr.pushes[sslot]++;
  if (ix->dem.pushes[dslot] < UINT16_MAX) ix->dem.pushes[dslot]++;
}

/* ---- queries (read lock held) ---- */

typedef struct cand {
  int32_t score;
  int64_t id;
  uint32_t slot;
  np_match_eval_t eval;
} cand_t;

/* a before b in result order: score desc, id asc */
static inline bool cand_before(int32_t sa, int64_t ia, int32_t sb, int64_t ib) {
  return sa > sb || (sa == sb && ia < ib);
}

typedef struct topk {
  cand_t *v;
  int n, k;
} topk_t;

/* min-heap on result order: the root is the last (worst) of the kept ones */
static void heap_down(topk_t *h, int i) {
  for (;;) {
    int l = 2 * i + 1, r = l + 1, w = i;
    if (l < h->n && cand_before(h->v[w].score, h->v[w].id, h->v[l].score, h->v[l].id)) w = l;
    if (r < h->n && cand_before(h->v[w].score, h->v[w].id, h->v[r].score, h->v[r].id)) w = r;
    if (w == i) return;
    cand_t t = h->v[i];
    h->v[i] = h->v[w];
    h->v[w] = t;
    i = w;
  }
}

static void heap_up(topk_t *h, int i) {
  while (i > 0) {
    int p = (i - 1) / 2;
    if (!cand_before(h->v[p].score, h->v[p].id, h->v[i].score, h->v[i].id)) return;
    cand_t t = h->v[i];
    h->v[i] = h->v[p];
    h->v[p] = t;
    i = p;
  }
}

static void topk_offer(topk_t *h, const np_match_eval_t *e, int64_t id, uint32_t slot) {
  if (h->n < h->k) {
    h->v[h->n] = (cand_t){e->score, id, slot, *e};
    heap_up(h, h->n++);
  } else if (cand_before(e->score, id, h->v[0].score, h->v[0].id)) {
    h->v[0] = (cand_t){e->score, id, slot, *e};
    heap_down(h, 0);
  }
}

static int cmp_cand(const void *a, const void *b) {
  const cand_t *x = a, *y = b;
  return cand_before(x->score, x->id, y->score, y->id) ? -1 : cand_before(y->score, y->id, x->score, x->id) ? 1 : 0;
}

typedef struct scan {
  np_match_index_t *ix;
  const np_match_query_t *q;
  np_match_rules_t rules;
  np_match_where_t where;
  topk_t top;
  cand_t buf[NP_MATCH_MAX_LIMIT];
  np_match_page_t *page;
  int64_t after;    /* matches after the cursor */
  bool demand_side; /* scanning seekers for a demand (true) or demands for a seeker */
  const np_match_demand_t *d;
  const np_match_seeker_t *s;
  uint32_t dslot, sslot;
  uint32_t middles[MAX_MIDDLES];
  int nmiddles, cur;
  bool skip_exact; /* top-only second phase: exact-occupation pairs were scanned already */
  /* top-only scans: the fixed side's parts of the posting bound (post_may_enter) */
  int32_t fix_age;   /* jobs: the seeker's age today */
  int32_t fix_fresh; /* decay of the fixed record's age in days */
  int64_t fix_hi;    /* candidates: the top of the line's salary range */
} scan_t;

static void scan_entry(scan_t *sc, uint32_t slot) {
  np_match_index_t *ix = sc->ix;
  const np_match_demand_t *d;
  const np_match_seeker_t *s;
  uint32_t dslot, sslot;
  if (sc->demand_side) {
    s = rec_at(&ix->skr, slot);
    /* a seeker listed under several scanned groups is evaluated once, in the first */
    for (int i = 0; i < sc->cur; i++)
      for (int j = 0; j < s->nocc; j++)
        if (s->middle[j] == sc->middles[i]) return;
    d = sc->d;
    dslot = sc->dslot;
    sslot = slot;
  } else {
    d = rec_at(&ix->dem, slot);
    s = sc->s;
    dslot = slot;
    sslot = sc->sslot;
  }
  if (sc->skip_exact)
    for (int j = 0; j < s->nocc; j++)
      if (s->occ[j] == d->occ) return;
  np_match_eval_t e;
  np_match_eval(&sc->rules, &sc->where, d, s, &e);
  if (e.filter != NP_MF_PASS) return;
  if (sc->q->record) {
    pthread_mutex_lock(&ix->push_mu);
    bool ok = push_ok_locked(ix, dslot, sslot, d->open_count);
    pthread_mutex_unlock(&ix->push_mu);
    if (!ok) {
      sc->page->congested++;
      return;
    }
  }
  sc->page->total++;
  int64_t id = sc->demand_side ? s->id : d->id;
  if (sc->q->has_cursor && !cand_before(sc->q->cursor_score, sc->q->cursor_id, e.score, id)) return;
  sc->after++;
  topk_offer(&sc->top, &e, id, slot);
}

/* 1000 · h / (h + x) for x >= 0, as in score.c */
static inline int32_t decay_raw(int64_t x, int64_t h) {
  if (x < 0) x = 0;
  if (h <= 0) h = 1;
  return (int32_t)(1000 * h / (h + x));
}

/*
 * Can the record of posting p pass the filters and enter the current top? Decided from the posting
 * alone: the filters skill, age, education, availability and radius exactly (the radius on a distance
 * that is a lower bound: the posting's float cos(latitude) moves the metre figure by well under 2 m),
 * and an upper bound of the score — every term exact except the distance (from that lower bound) and
 * the occupation (occ_raw: the best the list can give). false only when the full evaluation would
 * exclude the pair or score it below the k-th kept one; equal scores are evaluated (ties break by id).
 */
/* decay_raw(age, half) for ages 0..FRESH_TAB-1 from a per-thread table (one division per posting
 * saved: the freshness of every posting a scan bounds) */
#define FRESH_TAB 4096
static _Thread_local struct {
  int32_t half;
  bool ok;
  int32_t raw[FRESH_TAB];
} fresh_tab;

static inline int32_t fresh_raw(int32_t today, int32_t created, int32_t half) {
  int64_t age = (int64_t)today - created;
  if (age < 0) age = 0;
  if (age >= FRESH_TAB) return decay_raw(age, half);
  if (!fresh_tab.ok || fresh_tab.half != half) {
    for (int32_t a = 0; a < FRESH_TAB; a++) fresh_tab.raw[a] = decay_raw(a, half);
    fresh_tab.half = half;
    fresh_tab.ok = true;
  }
  return fresh_tab.raw[age];
}

/* the salary term's raw value for an expectation and the top of a range (score.c's rule) */
static inline int32_t salary_raw(int64_t expected, int64_t hi) {
  if (!expected || !hi) return 500;
  if (expected <= hi) return 1000;
  int64_t v = 1000 - 2000 * (expected - hi) / hi;
  return v < 0 ? 0 : (int32_t)v;
}

static bool post_may_enter(const scan_t *sc, const post_t *p, int32_t occ_raw, int64_t cell_mind) {
  const np_match_rules_t *ru = &sc->rules;
  int32_t skill_raw, key_raw;
  int64_t dist, expected, hi;
  if (!(p->flags & PF_LOC)) return false; /* radius queries need both locations */
  if (sc->demand_side) {
    const np_match_demand_t *d = sc->d;
    if (d->skill && p->skill < d->skill) return false;
    int32_t age = (sc->where.today_ymd - p->ymd) / 10000;
    if ((d->age_min && age < d->age_min) || (d->age_max && age > d->age_max)) return false;
    if (d->edu > 1 && p->edu < d->edu) return false;
    if (d->needed_by != NP_MATCH_NO_DATE && p->avail != NP_MATCH_NO_DATE && p->avail > d->needed_by) return false;
    if (!d->skill) skill_raw = p->skill ? 700 : 500;
    else skill_raw = (p->skill - d->skill) * 100 >= 500 ? 500 : 1000 - (p->skill - d->skill) * 100;
    expected = p->salary; /* clamped down: the term only grows */
    hi = sc->fix_hi;
    key_raw = d->is_key ? 1000 : 0;
  } else {
    const np_match_seeker_t *s = sc->s;
    if (p->skill && s->skill < p->skill) return false;
    int amin = p->ymd & 255, amax = (p->ymd >> 8) & 255;
    if ((amin && sc->fix_age < amin) || (amax && sc->fix_age > amax)) return false;
    if (p->edu > 1 && s->edu < p->edu) return false;
    if (p->avail != NP_MATCH_NO_DATE && s->available_from != NP_MATCH_NO_DATE && s->available_from > p->avail) return false;
    if (!p->skill) skill_raw = s->skill ? 700 : 500;
    else skill_raw = (s->skill - p->skill) * 100 >= 500 ? 500 : 1000 - (s->skill - p->skill) * 100;
    expected = s->expected_salary;
    hi = p->salary == UINT32_MAX ? 0 : p->salary; /* beyond 32 bits: bounded by 1000 below */
    key_raw = (p->flags & PF_KEY) ? 1000 : 0;
  }
  bool full = sc->top.n == sc->top.k;
  int32_t ub = 0;
  if (full) {
    /* first the terms that need no division, the salary at its best and the cell's distance bound */
    const int32_t *w = ru->weight;
    int32_t fresh = (sc->fix_fresh + fresh_raw(sc->where.today, p->created, ru->freshness_half_days)) / 2;
    ub = (int32_t)((int64_t)occ_raw * w[NP_MT_OCCUPATION] / 1000) + (int32_t)((int64_t)skill_raw * w[NP_MT_SKILL] / 1000) +
         (int32_t)((int64_t)key_raw * w[NP_MT_KEY] / 1000) + (int32_t)((int64_t)fresh * w[NP_MT_FRESHNESS] / 1000);
    int32_t sal_best = w[NP_MT_SALARY]; /* 1000 × w / 1000 */
    int32_t dc = (int32_t)((int64_t)decay_raw(cell_mind, ru->distance_half_m) * w[NP_MT_DISTANCE] / 1000);
    if (ub + sal_best + dc < sc->top.v[0].score) return false;
    bool beyond = !sc->demand_side && p->salary == UINT32_MAX;
    ub += beyond ? sal_best : (int32_t)((int64_t)salary_raw(expected, hi) * w[NP_MT_SALARY] / 1000);
    if (ub + dc < sc->top.v[0].score) return false;
  }
  if (sc->demand_side)
    dist = np_geo_fast_distance_m(sc->d->lat_e6, sc->d->lon_e6, sc->d->coslat, p->lat, p->lon, (double)p->coslat) - 2;
  else
    dist = np_geo_fast_distance_m(sc->s->lat_e6, sc->s->lon_e6, sc->s->coslat, p->lat, p->lon, (double)p->coslat) - 2;
  if (dist > sc->where.radius_m) return false;
  if (!full) return true;
  ub += (int32_t)((int64_t)decay_raw(dist, ru->distance_half_m) * ru->weight[NP_MT_DISTANCE] / 1000);
  return ub >= sc->top.v[0].score;
}

typedef struct cellref {
  int64_t mind; /* lower bound of the distance from the query point to the cell, metres */
  uint32_t cell;
} cellref_t;

/* Jobs scans: can any line of a cell's run in a list pass the filters and reach the k-th score?
 * From the cell's summary (cellsum_t): false when every line there fails the skill or education filter,
 * or when every term at the best any line of the cell reaches (the occupation at occ_raw, the distance
 * at the cell's nearest point) stays below the k-th score. */
static bool cell_may_enter(const scan_t *sc, const cellsum_t *cs, int32_t occ_raw, int64_t cell_mind) {
  const np_match_seeker_t *s = sc->s;
  if (cs->min_skill > s->skill) return false;
  if (cs->min_edu > 1 && cs->min_edu != 255 && s->edu < cs->min_edu) return false;
  if (sc->top.n < sc->top.k) return true;
  const np_match_rules_t *ru = &sc->rules;
  int32_t raw[NP_MT__COUNT];
  raw[NP_MT_OCCUPATION] = occ_raw;
  raw[NP_MT_SKILL] = cs->max_skill ? 1000 : s->skill ? 700 : 500;
  int64_t hi = cs->max_salary;
  if (hi == UINT32_MAX) raw[NP_MT_SALARY] = 1000;
  else if (!s->expected_salary || !hi) raw[NP_MT_SALARY] = 500;
  else if (s->expected_salary > hi) {
    int64_t v = 1000 - 2000 * (s->expected_salary - hi) / hi;
    raw[NP_MT_SALARY] = v < 0 ? 0 : (int32_t)v;
    if (cs->any_zero_salary && raw[NP_MT_SALARY] < 500) raw[NP_MT_SALARY] = 500;
  } else raw[NP_MT_SALARY] = 1000;
  raw[NP_MT_KEY] = cs->any_key ? 1000 : 0;
  raw[NP_MT_FRESHNESS] = (sc->fix_fresh + decay_raw((int64_t)sc->where.today - cs->max_created, ru->freshness_half_days)) / 2;
  raw[NP_MT_DISTANCE] = decay_raw(cell_mind, ru->distance_half_m);
  int32_t ub = 0;
  for (int t = 0; t < NP_MT__COUNT; t++) ub += (int32_t)((int64_t)raw[t] * ru->weight[t] / 1000);
  return ub >= sc->top.v[0].score;
}

/* Top-k radius scan over several lists, ring by ring around the query's cell (Chebyshev distance in
 * cells), stopping when the best score a record in any remaining ring could reach (every term at its best
 * given the fixed side, the distance term at the nearest point of the nearest remaining cell) is below
 * the k-th score found; inside a ring a cell is skipped on its own bound, and a posting on the bound
 * post_may_enter computes. The visiting order does not change the result: the kept top is the best k by
 * (score desc, id asc), a total order, and only records that cannot enter it are passed over. */
static void scan_nearest(scan_t *sc, int32_t lat, int32_t lon) {
  int r0, r1, c0, c1;
  np_geo_cell_range(lat, lon, sc->q->radius_m, &r0, &r1, &c0, &c1);
  size_t n = (size_t)(r1 - r0 + 1) * (size_t)(c1 - c0 + 1);
  cellref_t stack_cells[512];
  cellref_t *cells = n <= 512 ? stack_cells : malloc(n * sizeof *cells);
  if (!cells) return;
  int qr = np_geo_row(lat), qc = np_geo_col(lon);
  /* rings: counting sort of the cells by ring; ring_lb[r]: the least mind of rings >= r */
  enum { MAXR = (NP_GEO_ROWS > NP_GEO_COLS ? NP_GEO_ROWS : NP_GEO_COLS) + 1 };
  uint32_t ring_at[MAXR + 1];
  int64_t ring_lb[MAXR + 1];
  memset(ring_at, 0, sizeof ring_at);
  int nring = 0;
  for (int r = r0; r <= r1; r++)
    for (int col = c0; col <= c1; col++) {
      int ring = abs(r - qr) > abs(col - qc) ? abs(r - qr) : abs(col - qc);
      ring_at[ring + 1]++;
      if (ring + 1 > nring) nring = ring + 1;
    }
  for (int i = 1; i <= nring; i++) ring_at[i] += ring_at[i - 1];
  for (int i = 0; i <= nring; i++) ring_lb[i] = INT64_MAX;
  uint32_t fill[MAXR + 1];
  memcpy(fill, ring_at, sizeof fill);
  double c = np_geo_cos_lat(lat);
  for (int r = r0; r <= r1; r++) {
    int64_t lo = NP_GEO_LAT0_E6 + (int64_t)r * NP_GEO_CELL_E6, hi = lo + NP_GEO_CELL_E6;
    int64_t dy = lat < lo ? lo - lat : lat >= hi ? lat - hi : 0;
    double cmin = np_geo_cos_lat((int32_t)(llabs(lo) > llabs(hi) ? lo : hi));
    double cc = (cmin < c ? cmin : c) * 0.99;
    for (int col = c0; col <= c1; col++) {
      int64_t wlo = NP_GEO_LON0_E6 + (int64_t)col * NP_GEO_CELL_E6, whi = wlo + NP_GEO_CELL_E6;
      int64_t dx = lon < wlo ? wlo - lon : lon >= whi ? lon - whi : 0;
      double my = (double)dy * 0.110574, mx = (double)dx * 0.111320 * cc;
      /* border cells also hold clamped points from outside the grid: never skip them early */
      bool border = r == 0 || r == NP_GEO_ROWS - 1 || col == 0 || col == NP_GEO_COLS - 1;
      int64_t mind = border ? 0 : (int64_t)(my > mx ? my : mx);
      int ring = abs(r - qr) > abs(col - qc) ? abs(r - qr) : abs(col - qc);
      cells[fill[ring]++] = (cellref_t){mind, (uint32_t)(r * NP_GEO_COLS + col)};
      if (mind < ring_lb[ring]) ring_lb[ring] = mind;
    }
  }
  for (int i = nring - 1; i > 0; i--)
    if (ring_lb[i] < ring_lb[i - 1]) ring_lb[i - 1] = ring_lb[i];
  side_t *sd = sc->demand_side ? &sc->ix->skr : &sc->ix->dem;
  if (sc->demand_side) {
    sc->fix_hi = sc->d->salary_max ? sc->d->salary_max : sc->d->salary_min;
    sc->fix_fresh = decay_raw((int64_t)sc->where.today - sc->d->created, sc->rules.freshness_half_days);
  } else {
    int32_t by = sc->s->birth_ymd ? sc->s->birth_ymd : np_match_ymd(sc->s->birth);
    sc->fix_age = (sc->where.today_ymd - by) / 10000;
    sc->fix_fresh = decay_raw((int64_t)sc->where.today - sc->s->created, sc->rules.freshness_half_days);
  }
  /* phase 1: exact occupations (the occupation term at 1000); phase 2: the groups (at most 700) */
  uint32_t occs[NP_MATCH_MAX_OCC];
  int nocc = 0;
  if (sc->demand_side) occs[nocc++] = sc->d->occ;
  else nocc = seeker_occs(sc->s, occs);
  const int32_t wd = sc->rules.weight[NP_MT_DISTANCE];
  const int32_t hd = sc->rules.distance_half_m;
  for (int phase = 0; phase < 2; phase++) {
    /* the best raw value each term can still reach, given the fixed side of the query */
    int32_t ubr[NP_MT__COUNT] = {0};
    ubr[NP_MT_OCCUPATION] = phase == 0 ? 1000 : 700;
    ubr[NP_MT_SKILL] = 1000;
    ubr[NP_MT_SALARY] = 1000;
    ubr[NP_MT_KEY] = 1000;
    if (sc->demand_side) {
      const np_match_demand_t *d = sc->d;
      if (!d->skill) ubr[NP_MT_SKILL] = 700;
      if (!d->salary_min && !d->salary_max) ubr[NP_MT_SALARY] = 500;
      ubr[NP_MT_KEY] = d->is_key ? 1000 : 0;
    } else {
      const np_match_seeker_t *sk = sc->s;
      if (!sk->skill) ubr[NP_MT_SKILL] = 500;
      if (!sk->expected_salary) ubr[NP_MT_SALARY] = 500;
    }
    ubr[NP_MT_FRESHNESS] = (sc->fix_fresh + 1000) / 2;
    int32_t others = 0;
    for (int t = 0; t < NP_MT__COUNT; t++)
      if (t != NP_MT_DISTANCE) others += (int32_t)((int64_t)ubr[t] * sc->rules.weight[t] / 1000);
    sc->skip_exact = phase == 1;
    for (int ring = 0; ring < nring; ring++) {
      if (ring_lb[ring] > sc->q->radius_m) break;
      if (sc->top.n == sc->top.k &&
          others + (int32_t)((int64_t)decay_raw(ring_lb[ring], hd) * wd / 1000) < sc->top.v[0].score)
        break;
      for (uint32_t ci = ring_at[ring]; ci < ring_at[ring + 1]; ci++) {
        const cellref_t *cr = &cells[ci];
        if (cr->mind > sc->q->radius_m) continue;
        if (sc->top.n == sc->top.k && others + (int32_t)((int64_t)decay_raw(cr->mind, hd) * wd / 1000) < sc->top.v[0].score)
          continue;
        int nl = phase == 0 ? nocc : sc->nmiddles;
        for (sc->cur = 0; sc->cur < nl; sc->cur++) {
          const plist_t *l;
          if (phase == 0) {
            l = occs[sc->cur] < sd->nopost ? &sd->opost[occs[sc->cur]] : NULL;
          } else {
            uint32_t m = sc->middles[sc->cur];
            l = m < sd->npost ? &sd->post[m] : NULL;
          }
          if (!l || !l->n) continue;
          /* the occupation term's best in this list: exact lists 1000; the line's / seeker's own middle
           * groups 700 for a posting in one of the fixed side's minor groups (or with several), else 400;
           * the middle groups of related occupations 300 (a record also in an own group is evaluated there) */
          bool own = false;
          if (phase == 1) {
            if (sc->demand_side) own = sc->middles[sc->cur] == sc->d->middle;
            else
              for (int t = 0; t < sc->s->nocc; t++) own = own || sc->s->middle[t] == sc->middles[sc->cur];
          }
          if (!sc->demand_side && l->sum && cr->cell < DIR_LEN &&
              !cell_may_enter(sc, &l->sum[cr->cell], phase == 0 ? 1000 : own ? 700 : 300, cr->mind))
            continue;
          int saved = sc->cur;
          if (phase == 0) sc->cur = 0; /* no group de-duplication among exact lists */
          uint32_t j0 = plist_cell_start(l, cr->cell), j = j0;
          for (; j < l->n && l->v[j].cell == cr->cell; j++) {
            const post_t *pp = &l->v[j];
            int32_t occ_raw = 1000;
            if (phase == 1) {
              occ_raw = 300;
              if (own) {
                bool minor = pp->minor == 0;
                if (sc->demand_side) minor = minor || pp->minor == sc->d->minor;
                else
                  for (int t = 0; t < sc->s->nocc; t++) minor = minor || pp->minor == sc->s->minor[t];
                occ_raw = minor ? 700 : 400;
              }
            }
            if (!post_may_enter(sc, pp, occ_raw, cr->mind)) continue;
            sc->page->evaluated++;
            scan_entry(sc, pp->slot);
          }
          sc->page->scanned += j - j0;
          sc->cur = saved;
        }
      }
    }
  }
  sc->skip_exact = false;
  if (cells != stack_cells) free(cells);
}

static void scan_list(scan_t *sc, const plist_t *l, int32_t lat, int32_t lon) {
  if (!l || !l->n) return;
  if (sc->q->scope != NP_SCOPE_RADIUS) {
    for (uint32_t i = 0; i < l->n; i++) scan_entry(sc, l->v[i].slot);
    sc->page->scanned += l->n;
    return;
  }
  int r0, r1, c0, c1;
  np_geo_cell_range(lat, lon, sc->q->radius_m, &r0, &r1, &c0, &c1);
  for (int r = r0; r <= r1; r++) {
    uint32_t lo = (uint32_t)(r * NP_GEO_COLS + c0), hi = (uint32_t)(r * NP_GEO_COLS + c1);
    for (uint32_t i = plist_cell_start(l, lo); i < l->n && l->v[i].cell <= hi; i++) {
      sc->page->scanned++;
      scan_entry(sc, l->v[i].slot);
    }
  }
}

static void add_middle(scan_t *sc, uint32_t m) {
  if (!m) return;
  for (int i = 0; i < sc->nmiddles; i++)
    if (sc->middles[i] == m) return;
  if (sc->nmiddles < MAX_MIDDLES) sc->middles[sc->nmiddles++] = m;
}

/* middle groups of the occupations related to occ */
static void add_related_middles(scan_t *sc, uint32_t occ) {
  if (!occ || !sc->rules.nrelated) return;
  uint64_t key = (uint64_t)occ << 32;
  size_t lo = 0, hi = sc->rules.nrelated;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (sc->rules.related[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  for (size_t i = lo; i < sc->rules.nrelated && (sc->rules.related[i] >> 32) == occ; i++) {
    uint32_t b = (uint32_t)sc->rules.related[i];
    add_middle(sc, dict_at(&sc->ix->dict, b)->middle);
  }
}

static np_err check_query(const np_match_query_t *q) {
  if (q->limit < 1 || q->limit > NP_MATCH_MAX_LIMIT) return NP_ERR_INVALID;
  if (q->scope == NP_SCOPE_RADIUS && (q->radius_m < 1 || q->radius_m > 500000)) return NP_ERR_INVALID;
  return NP_OK;
}

static void finish_page(scan_t *sc) {
  np_match_page_t *p = sc->page;
  qsort(sc->top.v, (size_t)sc->top.n, sizeof(cand_t), cmp_cand);
  p->n = (size_t)sc->top.n;
  p->more = sc->after > sc->top.n;
  for (int i = 0; i < sc->top.n; i++) {
    np_match_hit_t *h = &p->hits[i];
    h->eval = sc->top.v[i].eval;
    h->congested = false;
    if (sc->demand_side) {
      h->demand = *sc->d;
      h->seeker = *(np_match_seeker_t *)rec_at(&sc->ix->skr, sc->top.v[i].slot);
    } else {
      h->seeker = *sc->s;
      h->demand = *(np_match_demand_t *)rec_at(&sc->ix->dem, sc->top.v[i].slot);
    }
  }
  if (!sc->q->record && sc->q->mark_congested && p->n) {
    np_match_index_t *ix = sc->ix;
    pthread_mutex_lock(&ix->push_mu);
    push_day_locked(ix, sc->q->today);
    for (size_t i = 0; i < p->n; i++) {
      uint32_t dslot = sc->demand_side ? sc->dslot : sc->top.v[i].slot;
      uint32_t sslot = sc->demand_side ? sc->top.v[i].slot : sc->sslot;
      p->hits[i].congested = !push_ok_locked(ix, dslot, sslot, p->hits[i].demand.open_count);
    }
    pthread_mutex_unlock(&ix->push_mu);
  }
  if (sc->q->record && p->n) {
    /* the queried record's own budget for new pairs today: a page never goes past it */
    np_match_index_t *ix = sc->ix;
    pthread_mutex_lock(&ix->push_mu);
    int64_t budget = sc->demand_side
                         ? (int64_t)(ix->cfg.demand_flood_multiple > 0 ? ix->cfg.demand_flood_multiple : 0) * sc->d->open_count -
                               ix->dem.pushes[sc->dslot]
                         : (int64_t)(ix->cfg.seeker_daily_pushes > 0 ? ix->cfg.seeker_daily_pushes : 0) - ix->skr.pushes[sc->sslot];
    size_t k = 0;
    for (size_t i = 0; i < p->n; i++) {
      uint32_t dslot = sc->demand_side ? sc->dslot : sc->top.v[i].slot;
      uint32_t sslot = sc->demand_side ? sc->top.v[i].slot : sc->sslot;
      if (!pairs_has(ix, pair_key(dslot, sslot))) {
        if (budget <= 0) {
          p->congested++;
          p->total--;
          continue;
        }
        budget--;
        push_record_locked(ix, dslot, sslot);
      }
      if (k != i) p->hits[k] = p->hits[i];
      k++;
    }
    if (k < p->n) p->more = false; /* the budget is spent: nothing new today */
    p->n = k;
    pthread_mutex_unlock(&ix->push_mu);
  }
}

static void scan_init(scan_t *sc, np_match_index_t *ix, const np_match_query_t *q, np_match_page_t *out) {
  memset(out, 0, offsetof(np_match_page_t, hits));
  out->n = 0;
  out->total = out->scanned = out->evaluated = out->congested = 0;
  out->more = false;
  sc->ix = ix;
  sc->q = q;
  rules_locked(ix, &sc->rules);
  sc->where = (np_match_where_t){.scope = q->scope, .radius_m = q->radius_m, .today = q->today,
                                 .today_ymd = np_match_ymd(q->today)};
  sc->top = (topk_t){sc->buf, 0, q->limit};
  sc->page = out;
  sc->after = 0;
  sc->nmiddles = sc->cur = 0;
  sc->skip_exact = false;
  if (q->record) {
    pthread_mutex_lock(&ix->push_mu);
    push_day_locked(ix, q->today);
    pthread_mutex_unlock(&ix->push_mu);
  }
}

np_err np_match_candidates(np_match_index_t *ix, int64_t demand_id, const np_match_query_t *q, np_match_page_t *out) {
  np_err rc = check_query(q);
  if (rc) return rc;
  scan_t *sc = calloc(1, sizeof *sc);
  if (!sc) return NP_ERR_NOMEM;
  pthread_rwlock_rdlock(&ix->lock);
  side_t *sd = &ix->dem;
  if (demand_id < 1 || demand_id >= sd->id_cap || !sd->slot_of[demand_id]) {
    rc = NP_ERR_NOT_FOUND;
    goto out;
  }
  sc->dslot = (uint32_t)sd->slot_of[demand_id] - 1;
  sc->d = rec_at(sd, sc->dslot);
  if (!demand_indexable(sc->d)) {
    rc = NP_ERR_NOT_FOUND;
    goto out;
  }
  scan_init(sc, ix, q, out);
  sc->demand_side = true;
  add_middle(sc, sc->d->middle);
  add_related_middles(sc, sc->d->occ);
  bool nearest = q->top_only && q->scope == NP_SCOPE_RADIUS && !q->has_cursor;
  if (nearest) {
    if (sc->d->has_loc) scan_nearest(sc, sc->d->lat_e6, sc->d->lon_e6);
  } else
    for (sc->cur = 0; sc->cur < sc->nmiddles; sc->cur++) {
      uint32_t m = sc->middles[sc->cur];
      scan_list(sc, m < ix->skr.npost ? &ix->skr.post[m] : NULL, sc->d->lat_e6, sc->d->lon_e6);
    }
  if (q->scope == NP_SCOPE_RADIUS && !sc->d->has_loc) out->total = 0;
  finish_page(sc);
  if (nearest) out->total = -1, out->more = out->n == (size_t)q->limit; /* not counted: the scan stopped early */
out:
  pthread_rwlock_unlock(&ix->lock);
  free(sc);
  return rc;
}

np_err np_match_jobs(np_match_index_t *ix, int64_t seeker_id, const np_match_query_t *q, np_match_page_t *out) {
  np_err rc = check_query(q);
  if (rc) return rc;
  scan_t *sc = calloc(1, sizeof *sc);
  if (!sc) return NP_ERR_NOMEM;
  pthread_rwlock_rdlock(&ix->lock);
  side_t *ss = &ix->skr;
  if (seeker_id < 1 || seeker_id >= ss->id_cap || !ss->slot_of[seeker_id]) {
    rc = NP_ERR_NOT_FOUND;
    goto out;
  }
  sc->sslot = (uint32_t)ss->slot_of[seeker_id] - 1;
  sc->s = rec_at(ss, sc->sslot);
  if (!seeker_indexable(sc->s)) {
    rc = NP_ERR_NOT_FOUND;
    goto out;
  }
  scan_init(sc, ix, q, out);
  sc->demand_side = false;
  for (int i = 0; i < sc->s->nocc; i++) add_middle(sc, sc->s->middle[i]);
  for (int i = 0; i < sc->s->nocc; i++) add_related_middles(sc, sc->s->occ[i]);
  bool nearest = q->top_only && q->scope == NP_SCOPE_RADIUS && !q->has_cursor;
  if (nearest) {
    if (sc->s->has_loc) scan_nearest(sc, sc->s->lat_e6, sc->s->lon_e6);
  } else
    for (sc->cur = 0; sc->cur < sc->nmiddles; sc->cur++) {
      uint32_t m = sc->middles[sc->cur];
      scan_list(sc, m < ix->dem.npost ? &ix->dem.post[m] : NULL, sc->s->lat_e6, sc->s->lon_e6);
    }
  finish_page(sc);
  if (nearest) out->total = -1, out->more = out->n == (size_t)q->limit;
out:
  pthread_rwlock_unlock(&ix->lock);
  free(sc);
  return rc;
}

np_err np_match_index_push(np_match_index_t *ix, int64_t demand_id, int64_t seeker_id, int32_t today, bool *over) {
  np_err rc = NP_ERR_NOT_FOUND;
  if (over) *over = false;
  pthread_rwlock_rdlock(&ix->lock);
  if (demand_id > 0 && demand_id < ix->dem.id_cap && ix->dem.slot_of[demand_id] && seeker_id > 0 &&
      seeker_id < ix->skr.id_cap && ix->skr.slot_of[seeker_id]) {
    uint32_t dslot = (uint32_t)ix->dem.slot_of[demand_id] - 1, sslot = (uint32_t)ix->skr.slot_of[seeker_id] - 1;
    const np_match_demand_t *d = rec_at(&ix->dem, dslot);
    pthread_mutex_lock(&ix->push_mu);
    push_day_locked(ix, today);
    bool ok = push_ok_locked(ix, dslot, sslot, d->open_count);
    push_record_locked(ix, dslot, sslot);
    pthread_mutex_unlock(&ix->push_mu);
    if (over) *over = !ok;
    rc = NP_OK;
  }
  pthread_rwlock_unlock(&ix->lock);
  return rc;
}

json_t *np_match_index_explain(np_match_index_t *ix, const np_match_where_t *w, const np_match_demand_t *d,
                               const np_match_seeker_t *s, np_match_eval_t *eval_out) {
  np_match_rules_t rules;
  np_match_eval_t e;
  pthread_rwlock_rdlock(&ix->lock);
  rules_locked(ix, &rules);
  np_match_eval(&rules, w, d, s, &e);
  np_match_names_t names = {names_cb, ix};
  json_t *j = np_match_explain_json(&rules, w, d, s, &e, &names);
  pthread_rwlock_unlock(&ix->lock);
  if (eval_out) *eval_out = e;
  return j;
}

json_t *np_match_index_hit_json(np_match_index_t *ix, const np_match_query_t *q, const np_match_hit_t *h) {
  np_match_rules_t rules;
  np_match_where_t w = {.scope = q->scope, .radius_m = q->radius_m, .today = q->today};
  pthread_rwlock_rdlock(&ix->lock);
  rules_locked(ix, &rules);
  np_match_names_t names = {names_cb, ix};
  json_t *j = np_match_explain_json(&rules, &w, &h->demand, &h->seeker, &h->eval, &names);
  pthread_rwlock_unlock(&ix->lock);
  return j;
}

np_err np_match_index_lines_in(np_match_index_t *ix, const char *prefix, np_match_demand_t **out, size_t *n) {
  *out = NULL;
  *n = 0;
  size_t plen = prefix ? strlen(prefix) : 0;
  pthread_rwlock_rdlock(&ix->lock);
  np_match_demand_t *v = ix->dem.indexed ? malloc((size_t)ix->dem.indexed * sizeof *v) : NULL;
  size_t k = 0;
  np_err rc = NP_OK;
  if (ix->dem.indexed && !v) rc = NP_ERR_NOMEM;
  for (uint32_t i = 0; v && i < ix->dem.n && k < (size_t)ix->dem.indexed; i++) {
    np_match_demand_t *d = rec_at(&ix->dem, i);
    if (!demand_indexable(d)) continue;
    if (plen && strncmp(dict_code(&ix->dict, d->county), prefix, plen) != 0) continue;
    v[k++] = *d;
  }
  pthread_rwlock_unlock(&ix->lock);
  *out = v;
  *n = k;
  return rc;
}

np_err np_match_index_seeker_ids(np_match_index_t *ix, int64_t **ids, size_t *n) {
  *ids = NULL;
  *n = 0;
  pthread_rwlock_rdlock(&ix->lock);
  int64_t *v = malloc(((size_t)ix->skr.n + 1) * sizeof *v);
  size_t k = 0;
  for (uint32_t i = 0; v && i < ix->skr.n; i++) {
    const np_match_seeker_t *s = rec_at(&ix->skr, i);
    if (seeker_indexable(s)) v[k++] = s->id;
  }
  pthread_rwlock_unlock(&ix->lock);
  if (!v) return NP_ERR_NOMEM;
  *ids = v;
  *n = k;
  return NP_OK;
}

/* ---- store: build and follow (loader.c-style code kept here: the index owns its SQL) ---- */

static int circle_of(np_match_index_t *ix, const np_ref_t *ref, const char *city_code) {
  const np_region_t *city = ref && city_code ? np_ref_region(ref, city_code) : NULL;
  const np_econ_circle_t *c = city ? np_ref_region_circle(ref, city) : NULL;
  if (!c || !c->name) return 0;
  for (int i = 0; i < ix->ncircles; i++)
    if (strcmp(ix->circles[i], c->name) == 0) return i + 1;
  if (ix->ncircles >= 32) return 0;
  snprintf(ix->circles[ix->ncircles], sizeof ix->circles[0], "%s", c->name);
  return ++ix->ncircles;
}

static int32_t date_days(const char *s, int32_t none) {
  np_date_t d;
  if (!s || strlen(s) < 10 || np_date_parse(s, 10, &d) != NP_OK) return none;
  return d.days;
}

#define DEMAND_COLS                                                                                                   \
  "SELECT d.id, d.enterprise_id, d.occupation_code, d.skill_level, d.salary_min, d.salary_max, d.education, "        \
  "d.age_min, d.age_max, d.needed_by, d.created_at, d.county_code, d.city_code, d.open_count, d.is_public, "          \
  "d.status, e.lat_e6, e.lon_e6, e.is_key FROM demands d JOIN enterprises e ON e.id = d.enterprise_id "

static np_err demand_from_row(np_match_index_t *ix, const np_ref_t *ref, np_stmt_t *st, np_match_demand_t *out) {
  np_match_demand_row_t r = {0};
  r.id = np_store_col_int64(st, 0);
  r.enterprise_id = np_store_col_int64(st, 1);
  r.occupation_code = np_store_col_text(st, 2);
  r.skill_level = (int)np_store_col_int64(st, 3);
  r.salary_min = np_store_col_int64(st, 4);
  r.salary_max = np_store_col_int64(st, 5);
  r.edu_rank = np_match_education_rank(np_store_col_text(st, 6));
  r.age_min = (int)np_store_col_int64(st, 7);
  r.age_max = (int)np_store_col_int64(st, 8);
  r.needed_by = date_days(np_store_col_text(st, 9), NP_MATCH_NO_DATE);
  r.created = date_days(np_store_col_text(st, 10), 0);
  r.county_code = np_store_col_text(st, 11);
  r.city_code = np_store_col_text(st, 12);
  r.open_count = (int32_t)np_store_col_int64(st, 13);
  r.is_public = np_store_col_int64(st, 14) != 0;
  const char *status = np_store_col_text(st, 15);
  r.status_ok = status && (strcmp(status, "open") == 0 || strcmp(status, "partly_filled") == 0);
  if (!np_store_col_is_null(st, 16) && !np_store_col_is_null(st, 17)) {
    r.has_loc = true;
    r.lat_e6 = (int32_t)np_store_col_int64(st, 16);
    r.lon_e6 = (int32_t)np_store_col_int64(st, 17);
  } else if (ref && r.county_code) {
    const np_region_t *c = np_ref_region(ref, r.county_code);
    r.has_loc = c && np_ref_region_centroid(c, &r.lat_e6, &r.lon_e6, NULL);
  }
  r.is_key = np_store_col_int64(st, 18) != 0;
  r.circle = circle_of(ix, ref, r.city_code);
  return np_match_index_make_demand(ix, &r, out);
}

#define SEEKER_COLS                                                                                                   \
  "SELECT id, skill_level, education, expected_salary, birth_date, available_from, created_at, county_code, "        \
  "city_code, lat_e6, lon_e6, consent, status FROM seekers "

static void seeker_row_from(np_match_index_t *ix, const np_ref_t *ref, np_stmt_t *st, np_match_seeker_row_t *r) {
  memset(r, 0, sizeof *r);
  r->id = np_store_col_int64(st, 0);
  r->skill_level = (int)np_store_col_int64(st, 1);
  r->edu_rank = np_match_education_rank(np_store_col_text(st, 2));
  r->expected_salary = np_store_col_int64(st, 3);
  r->birth = date_days(np_store_col_text(st, 4), 0);
  r->available_from = date_days(np_store_col_text(st, 5), NP_MATCH_NO_DATE);
  r->created = date_days(np_store_col_text(st, 6), 0);
  r->county_code = np_store_col_text(st, 7);
  r->city_code = np_store_col_text(st, 8);
  r->has_loc = !np_store_col_is_null(st, 9) && !np_store_col_is_null(st, 10);
  r->lat_e6 = (int32_t)np_store_col_int64(st, 9);
  r->lon_e6 = (int32_t)np_store_col_int64(st, 10);
  r->consent = np_store_col_int64(st, 11) != 0;
  const char *status = np_store_col_text(st, 12);
  r->status_ok = status && strcmp(status, "seeking") == 0;
  r->circle = circle_of(ix, ref, r->city_code);
}

static np_err seeker_occupations(np_match_index_t *ix, np_store_t *s, np_match_seeker_t *rec, np_errdetail_t *err) {
  np_stmt_t *st = NULL;
  np_err rc = np_store_prepare(s, "SELECT occupation_code FROM seeker_occupations WHERE seeker_id = ? ORDER BY rank", &st, err);
  if (rc) return rc;
  np_store_bind_int64(st, 1, rec->id);
  bool row;
  rec->nocc = 0;
  while ((rc = np_store_step(st, &row, err)) == NP_OK && row && rec->nocc < NP_MATCH_MAX_OCC) {
    uint32_t id = dict_intern(&ix->dict, np_store_col_text(st, 0), true);
    if (!id) continue;
    dict_entry_t *e = dict_at(&ix->dict, id);
    rec->occ[rec->nocc] = id;
    rec->minor[rec->nocc] = e->minor;
    rec->middle[rec->nocc] = e->middle;
    rec->nocc++;
  }
  np_store_release(st);
  return rc;
}

np_err np_match_index_fetch_demand(np_match_index_t *ix, np_store_t *s, const np_ref_t *ref, int64_t id,
                                   np_match_demand_t *out, np_errdetail_t *err) {
  np_stmt_t *st = NULL;
  np_err rc = np_store_prepare(s, DEMAND_COLS "WHERE d.id = ?", &st, err);
  if (rc) return rc;
  np_store_bind_int64(st, 1, id);
  bool row = false;
  rc = np_store_step(st, &row, err);
  if (rc == NP_OK && !row) rc = np_fail(err, NP_ERR_NOT_FOUND, "not_found", "", "no such demand line");
  if (rc == NP_OK) rc = demand_from_row(ix, ref, st, out);
  np_store_release(st);
  return rc;
}

np_err np_match_index_fetch_seeker(np_match_index_t *ix, np_store_t *s, const np_ref_t *ref, int64_t id,
                                   np_match_seeker_t *out, np_errdetail_t *err) {
  np_stmt_t *st = NULL;
  np_err rc = np_store_prepare(s, SEEKER_COLS "WHERE id = ?", &st, err);
  if (rc) return rc;
  np_store_bind_int64(st, 1, id);
  bool row = false;
  rc = np_store_step(st, &row, err);
  if (rc == NP_OK && !row) rc = np_fail(err, NP_ERR_NOT_FOUND, "not_found", "", "no such seeker");
  np_match_seeker_row_t r;
  if (rc == NP_OK) {
    seeker_row_from(ix, ref, st, &r);
    rc = np_match_index_make_seeker(ix, &r, out);
  }
  np_store_release(st);
  if (rc == NP_OK) rc = seeker_occupations(ix, s, out, err);
  return rc;
}

/* Configuration from the 0011 tables (absent tables or rows: defaults). */
static np_err load_config(np_match_index_t *ix, np_store_t *s, np_errdetail_t *err) {
  np_match_config_t c;
  np_match_config_default(&c);
  np_stmt_t *st = NULL;
  bool row;
  np_err rc = np_store_prepare(s, "SELECT term, weight FROM match_weights", &st, err);
  if (rc) return rc;
  while ((rc = np_store_step(st, &row, err)) == NP_OK && row) {
    int t = np_match_term_parse(np_store_col_text(st, 0));
    int64_t w = np_store_col_int64(st, 1);
    if (t >= 0 && w >= 0 && w <= 1000) c.weight[t] = (int32_t)w;
  }
  np_store_release(st);
  if (rc) return rc;
  if ((rc = np_store_prepare(s, "SELECT name, value FROM match_settings", &st, err))) return rc;
  while ((rc = np_store_step(st, &row, err)) == NP_OK && row) {
    const char *n = np_store_col_text(st, 0);
    int64_t v = np_store_col_int64(st, 1);
    if (!n || v < 0 || v > 100000) continue;
    if (strcmp(n, "seeker_daily_pushes") == 0) c.seeker_daily_pushes = (int32_t)v;
    else if (strcmp(n, "demand_flood_multiple") == 0) c.demand_flood_multiple = (int32_t)v;
    else if (strcmp(n, "pref_list_max") == 0 && v >= 1) c.pref_list_max = (int32_t)v;
  }
  np_store_release(st);
  if (rc) return rc;
  size_t cap = 0, n = 0;
  char **a = NULL, **b = NULL;
  if ((rc = np_store_prepare(s, "SELECT occupation_a, occupation_b FROM match_related_occupations", &st, err))) return rc;
  while ((rc = np_store_step(st, &row, err)) == NP_OK && row && n < 100000) {
    if (n == cap) {
      size_t nc = cap ? cap * 2 : 64;
      char **na = realloc(a, nc * sizeof *na);
      if (na) a = na;
      char **nb = na ? realloc(b, nc * sizeof *nb) : NULL;
      if (nb) b = nb;
      if (!na || !nb) {
        rc = NP_ERR_NOMEM;
        break;
      }
      cap = nc;
    }
    a[n] = strdup(np_store_col_text(st, 0) ? np_store_col_text(st, 0) : "");
    b[n] = strdup(np_store_col_text(st, 1) ? np_store_col_text(st, 1) : "");
    if (!a[n] || !b[n]) {
      free(a[n]);
      free(b[n]);
      rc = NP_ERR_NOMEM;
      break;
    }
    n++;
  }
  np_store_release(st);
  if (rc == NP_OK) rc = np_match_index_configure(ix, &c, (const char *const *)a, (const char *const *)b, n);
  for (size_t i = 0; i < n; i++) free(a[i]), free(b[i]);
  free(a);
  free(b);
  return rc;
}

static int cmp_dem_cell(const void *a, const void *b) {
  const np_match_demand_t *x = a, *y = b;
  return x->cell != y->cell ? (x->cell < y->cell ? -1 : 1) : (x->id < y->id ? -1 : x->id > y->id);
}

static int cmp_skr_cell(const void *a, const void *b) {
  const np_match_seeker_t *x = a, *y = b;
  return x->cell != y->cell ? (x->cell < y->cell ? -1 : 1) : (x->id < y->id ? -1 : x->id > y->id);
}

/* Growable array of records. */
typedef struct vec {
  void *v;
  size_t n, cap, size;
} vec_t;

static void *vec_push(vec_t *v) {
  if (v->n == v->cap) {
    size_t nc = v->cap ? v->cap * 2 : 4096;
    void *nv = realloc(v->v, nc * v->size);
    if (!nv) return NULL;
    v->v = nv;
    v->cap = nc;
  }
  return (char *)v->v + v->n++ * v->size;
}

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

np_err np_match_index_load(np_match_index_t *ix, np_store_t *s, const np_ref_t *ref, np_errdetail_t *err) {
  int64_t t0 = now_ms(), seq = 0;
  vec_t dv = {.size = sizeof(np_match_demand_t)}, sv = {.size = sizeof(np_match_seeker_t)};
  np_stmt_t *st = NULL;
  bool row;
  np_err rc = np_store_change_seq(s, &seq, err); /* before reading: later changes are replayed */
  if (rc == NP_OK) rc = load_config(ix, s, err);
  if (rc) goto out;
  if ((rc = np_store_prepare(s, DEMAND_COLS "WHERE d.status IN ('open', 'partly_filled') AND d.open_count > 0 "
                                "AND d.is_public = 1", &st, err)))
    goto out;
  while ((rc = np_store_step(st, &row, err)) == NP_OK && row) {
    np_match_demand_t *d = vec_push(&dv);
    if (!d) {
      rc = NP_ERR_NOMEM;
      break;
    }
    if (demand_from_row(ix, ref, st, d) != NP_OK) dv.n--;
  }
  np_store_release(st);
  if (rc) goto out;
  if ((rc = np_store_prepare(s, SEEKER_COLS "WHERE status = 'seeking' AND consent = 1 ORDER BY id", &st, err))) goto out;
  while ((rc = np_store_step(st, &row, err)) == NP_OK && row) {
    np_match_seeker_t *x = vec_push(&sv);
    if (!x) {
      rc = NP_ERR_NOMEM;
      break;
    }
    np_match_seeker_row_t r;
    seeker_row_from(ix, ref, st, &r);
    if (np_match_index_make_seeker(ix, &r, x) != NP_OK) sv.n--;
  }
  np_store_release(st);
  if (rc) goto out;
  /* occupations of the loaded seekers: one ordered pass, merged by id */
  if ((rc = np_store_prepare(s, "SELECT o.seeker_id, o.occupation_code FROM seeker_occupations o JOIN seekers k ON "
                                "k.id = o.seeker_id WHERE k.status = 'seeking' AND k.consent = 1 "
                                "ORDER BY o.seeker_id, o.rank", &st, err)))
    goto out;
  size_t j = 0;
  np_match_seeker_t *sk = sv.v;
  while ((rc = np_store_step(st, &row, err)) == NP_OK && row) {
    int64_t sid = np_store_col_int64(st, 0);
    while (j < sv.n && sk[j].id < sid) j++;
    if (j >= sv.n || sk[j].id != sid || sk[j].nocc >= NP_MATCH_MAX_OCC) continue;
    uint32_t id = dict_intern(&ix->dict, np_store_col_text(st, 1), true);
    if (!id) continue;
    dict_entry_t *e = dict_at(&ix->dict, id);
    int k = sk[j].nocc++;
    sk[j].occ[k] = id;
    sk[j].minor[k] = e->minor;
    sk[j].middle[k] = e->middle;
  }
  np_store_release(st);
  if (rc) goto out;
  /* slots in grid-cell order: nearby records in nearby memory */
  if (dv.n) qsort(dv.v, dv.n, dv.size, cmp_dem_cell);
  if (sv.n) qsort(sv.v, sv.n, sv.size, cmp_skr_cell);
  pthread_rwlock_wrlock(&ix->lock);
  for (size_t i = 0; i < dv.n && !rc; i++) rc = put_demand_locked(ix, (np_match_demand_t *)dv.v + i);
  for (size_t i = 0; i < sv.n && !rc; i++) rc = put_seeker_locked(ix, (np_match_seeker_t *)sv.v + i);
  ix->last_seq = seq;
  dirs_refresh_locked(&ix->dem, true);
  dirs_refresh_locked(&ix->skr, false);
  ix->build_ms = now_ms() - t0;
  pthread_rwlock_unlock(&ix->lock);
  if (rc) np_fail(err, rc, "index", "", "cannot build the matching index");
out:
  free(dv.v);
  free(sv.v);
  return rc;
}

/* ---- following the change feed ---- */

typedef struct idset {
  int64_t *v;
  size_t n, cap;
} idset_t;

static void idset_add(idset_t *s, int64_t id) {
  if (id < 1) return;
  for (size_t i = s->n; i > 0 && i + 64 > s->n; i--)
    if (s->v[i - 1] == id) return; /* cheap de-duplication of bursts */
  if (s->n == s->cap) {
    size_t nc = s->cap ? s->cap * 2 : 256;
    int64_t *nv = realloc(s->v, nc * sizeof *nv);
    if (!nv) return;
    s->v = nv;
    s->cap = nc;
  }
  s->v[s->n++] = id;
}

typedef struct feed {
  idset_t dem, skr, ent;
  bool config;
  size_t rows;
} feed_t;

static int64_t id_digits(const char *s) {
  const char *u = s ? strrchr(s, '_') : NULL;
  const char *p = u ? u + 1 : s;
  int64_t v = 0;
  if (!p || !*p) return 0;
  for (; *p; p++) {
    if (*p < '0' || *p > '9' || v > NP_MATCH_MAX_ID) return 0;
    v = v * 10 + (*p - '0');
  }
  return v;
}

static int feed_cb(const np_store_change_row_t *c, void *ctx) {
  feed_t *f = ctx;
  f->rows++;
  if (strcmp(c->entity, "demand") == 0) idset_add(&f->dem, id_digits(c->entity_id));
  else if (strcmp(c->entity, "seeker") == 0) idset_add(&f->skr, id_digits(c->entity_id));
  else if (strcmp(c->entity, "enterprise") == 0) idset_add(&f->ent, id_digits(c->entity_id));
  else if (strcmp(c->entity, "match_config") == 0) f->config = true;
  return 0;
}

np_err np_match_index_follow(np_match_index_t *ix, np_store_t *s, const np_ref_t *ref, int64_t *applied,
                             np_errdetail_t *err) {
  feed_t f = {0};
  vec_t dv = {.size = sizeof(np_match_demand_t)}, sv = {.size = sizeof(np_match_seeker_t)};
  idset_t gone_d = {0}, gone_s = {0};
  int64_t after, last = 0;
  pthread_rwlock_rdlock(&ix->lock);
  after = ix->last_seq;
  pthread_rwlock_unlock(&ix->lock);
  np_err rc;
  for (;;) {
    size_t before = f.rows;
    rc = np_store_change_each(s, after, 5000, feed_cb, &f, &last, err);
    if (rc || f.rows - before < 5000) break;
    after = last;
  }
  if (rc) goto out;
  if (f.rows == 0) goto out;
  if (f.config && (rc = load_config(ix, s, err))) goto out;
  /* lines of enterprises that changed (location, key flag) */
  for (size_t i = 0; i < f.ent.n; i++) {
    np_stmt_t *st = NULL;
    bool row;
    if ((rc = np_store_prepare(s, "SELECT id FROM demands WHERE enterprise_id = ?", &st, err))) goto out;
    np_store_bind_int64(st, 1, f.ent.v[i]);
    while ((rc = np_store_step(st, &row, err)) == NP_OK && row) idset_add(&f.dem, np_store_col_int64(st, 0));
    np_store_release(st);
    if (rc) goto out;
  }
  for (size_t i = 0; i < f.dem.n; i++) {
    np_match_demand_t *d = vec_push(&dv);
    if (!d) {
      rc = NP_ERR_NOMEM;
      goto out;
    }
    np_errdetail_t e2 = {0};
    np_err r2 = np_match_index_fetch_demand(ix, s, ref, f.dem.v[i], d, &e2);
    if (r2 == NP_ERR_NOT_FOUND) dv.n--, idset_add(&gone_d, f.dem.v[i]);
    else if (r2) {
      rc = r2;
      *err = e2;
      goto out;
    }
  }
  for (size_t i = 0; i < f.skr.n; i++) {
    np_match_seeker_t *x = vec_push(&sv);
    if (!x) {
      rc = NP_ERR_NOMEM;
      goto out;
    }
    np_errdetail_t e2 = {0};
    np_err r2 = np_match_index_fetch_seeker(ix, s, ref, f.skr.v[i], x, &e2);
    if (r2 == NP_ERR_NOT_FOUND) sv.n--, idset_add(&gone_s, f.skr.v[i]);
    else if (r2) {
      rc = r2;
      *err = e2;
      goto out;
    }
  }
  pthread_rwlock_wrlock(&ix->lock);
  for (size_t i = 0; i < dv.n && !rc; i++) rc = put_demand_locked(ix, (np_match_demand_t *)dv.v + i);
  for (size_t i = 0; i < sv.n && !rc; i++) rc = put_seeker_locked(ix, (np_match_seeker_t *)sv.v + i);
  for (size_t i = 0; i < gone_d.n; i++) remove_demand_locked(ix, gone_d.v[i]);
  for (size_t i = 0; i < gone_s.n; i++) remove_seeker_locked(ix, gone_s.v[i]);
  if (rc == NP_OK) {
    ix->last_seq = last;
    ix->applied += (int64_t)(dv.n + sv.n + gone_d.n + gone_s.n);
  }
  wrunlock(ix);
  if (applied) *applied = (int64_t)(dv.n + sv.n + gone_d.n + gone_s.n);
out:
  free(f.dem.v);
  free(f.skr.v);
  free(f.ent.v);
  free(gone_d.v);
  free(gone_s.v);
  free(dv.v);
  free(sv.v);
  return rc;
}

/* ---- the engine of a server: build once, then follow the feed every 200 ms ---- */

#include "core/log.h"

static struct {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  pthread_t th;
  bool started, stop, ready;
  np_store_pool_t *pool;
  np_match_index_t *ix;
} eng = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

/* Waits ms or until stopped; true when stopping. */
static bool eng_sleep(int ms) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  ts.tv_nsec += (long)(ms % 1000) * 1000000L;
  ts.tv_sec += ms / 1000 + ts.tv_nsec / 1000000000L;
  ts.tv_nsec %= 1000000000L;
  pthread_mutex_lock(&eng.mu);
  while (!eng.stop && pthread_cond_timedwait(&eng.cv, &eng.mu, &ts) == 0) {
  }
  bool stop = eng.stop;
  pthread_mutex_unlock(&eng.mu);
  return stop;
}

static void *eng_main(void *arg) {
  (void)arg;
  np_match_index_t *ix = NULL;
  while (!ix) {
    np_store_t *s = NULL;
    if (np_store_pool_acquire(eng.pool, 5000, &s) == NP_OK) {
      np_errdetail_t err = {0};
      const np_ref_t *ref = np_ref_shared(s, &err);
      np_match_index_t *n = np_match_index_new();
      if (n && np_match_index_load(n, s, ref, &err) == NP_OK) {
        ix = n;
        np_match_index_stats_t st;
        np_match_index_stats(ix, &st);
        np_log_info("match.index", "built in %lld ms: %lld demand lines, %lld seekers indexed", (long long)st.build_ms,
                    (long long)st.demands_indexed, (long long)st.seekers_indexed);
      } else {
        np_log_error("match.index", "cannot build the matching index: %s", err.message);
        np_match_index_free(n);
      }
      np_store_pool_release(eng.pool, s);
    }
    if (!ix && eng_sleep(5000)) return NULL;
  }
  pthread_mutex_lock(&eng.mu);
  eng.ix = ix;
  eng.ready = true;
  pthread_cond_broadcast(&eng.cv);
  pthread_mutex_unlock(&eng.mu);
  while (!eng_sleep(200)) {
    np_store_t *s = NULL;
    if (np_store_pool_acquire(eng.pool, 1000, &s) != NP_OK) continue;
    np_errdetail_t err = {0};
    const np_ref_t *ref = np_ref_shared(s, &err);
    if (np_match_index_follow(ix, s, ref, NULL, &err) != NP_OK)
      np_log_warn("match.follow", "change feed: %s", err.message);
    np_store_pool_release(eng.pool, s);
  }
  return NULL;
}

np_err np_match_engine_start(np_store_pool_t *pool) {
  if (!pool) return NP_ERR_INVALID;
  pthread_mutex_lock(&eng.mu);
  np_err rc = NP_OK;
  if (!eng.started) {
    eng.pool = pool;
    eng.stop = false;
    if (pthread_create(&eng.th, NULL, eng_main, NULL) == 0) eng.started = true;
    else rc = NP_ERR_INTERNAL;
  }
  pthread_mutex_unlock(&eng.mu);
  return rc;
}

void np_match_engine_stop(void) {
  pthread_mutex_lock(&eng.mu);
  bool started = eng.started;
  eng.stop = true;
  pthread_cond_broadcast(&eng.cv);
  pthread_mutex_unlock(&eng.mu);
  if (!started) return;
  pthread_join(eng.th, NULL);
  pthread_mutex_lock(&eng.mu);
  np_match_index_free(eng.ix);
  eng.ix = NULL;
  eng.ready = eng.started = false;
  pthread_mutex_unlock(&eng.mu);
}

np_match_index_t *np_match_engine_index(int wait_ms) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  ts.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
  ts.tv_sec += wait_ms / 1000 + ts.tv_nsec / 1000000000L;
  ts.tv_nsec %= 1000000000L;
  pthread_mutex_lock(&eng.mu);
  while (eng.started && !eng.ready && !eng.stop && pthread_cond_timedwait(&eng.cv, &eng.mu, &ts) == 0) {
  }
  np_match_index_t *ix = eng.ready ? eng.ix : NULL;
  pthread_mutex_unlock(&eng.mu);
  return ix;
}
