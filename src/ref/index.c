/*
 * The in-memory reference index: built once from the ref_* tables by np_ref_open, immutable after,
 * so every thread reads it without locks. Everything lives in one arena freed by np_ref_close.
 */
#include <stdlib.h>
#include <string.h>
#include "core/log.h"
#include "ref/index.h"

#define REF_ARENA_CAP ((size_t)256 << 20)

/* ---- small helpers ---- */

static const char *const known_types[] = {"province", "city", "district", "county_level_city", "county",
                                          "functional_zone", "subdistrict", "town", "township", "other",
                                          "village", NULL};
static const char *const item_levels[2][4] = {{"section", "division", "group", "class"},
                                              {"major", "middle", "minor", "occupation"}};

/* Interns well-known short names as static strings, copies anything else into the arena. */
static const char *intern(np_arena_t *a, const char *s, const char *const *list) {
  if (!s) return NULL;
  for (; list && *list; list++)
    if (strcmp(*list, s) == 0) return *list;
  return np_arena_strdup(a, s);
}

static const char *dup_or_null(np_arena_t *a, const char *s) { return s ? np_arena_strdup(a, s) : NULL; }

static np_err nomem(np_errdetail_t *err) { return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory building the reference index"); }

static np_err count_rows(np_store_t *s, const char *sql, size_t *n, np_errdetail_t *err) {
  int64_t v = 0;
  bool found = false;
  np_err e = np_store_query_int64(s, sql, &v, &found, err);
  if (e) return e;
  if (v < 0 || v > 10000000) return np_fail(err, NP_ERR_SCHEMA, "ref_count", "", "implausible row count");
  *n = (size_t)v;
  return NP_OK;
}

static int cmp_region(const void *a, const void *b) {
  return strcmp(((const np_region_t *)a)->code, ((const np_region_t *)b)->code);
}
static int cmp_item(const void *a, const void *b) {
  return strcmp(((const np_ref_item_t *)a)->code, ((const np_ref_item_t *)b)->code);
}

/* ---- regions ---- */

static np_region_t *find_region(const np_ref_t *ref, const char *code) {
  if (!ref || !code) return NULL;
  size_t lo = 0, hi = ref->nregions;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = strcmp(ref->regions[mid].code, code);
    if (c == 0) return &ref->regions[mid];
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return NULL;
}

/* Fills parent pointers and children arrays (CSR) for any array of nodes that have a parent field. */
static np_err link_regions(np_ref_t *ref, char **parent_codes, np_errdetail_t *err) {
  size_t *nchild = calloc(ref->nregions ? ref->nregions : 1, sizeof *nchild);
  np_err e = NP_OK;
  if (!nchild) return nomem(err);
  for (size_t i = 0; i < ref->nregions; i++) {
    np_region_t *r = &ref->regions[i];
    if (!parent_codes[i]) {
      if (r->level != NP_REGION_PROVINCE) {
        e = np_fail(err, NP_ERR_SCHEMA, "ref_orphan", "", "region %s has no parent", r->code);
        goto out;
      }
      if (ref->province) {
        e = np_fail(err, NP_ERR_SCHEMA, "ref_two_roots", "", "two provinces in ref_regions");
        goto out;
      }
      ref->province = r;
      continue;
    }
    np_region_t *p = find_region(ref, parent_codes[i]);
    if (!p || p->level + 1 != r->level) {
      e = np_fail(err, NP_ERR_SCHEMA, "ref_orphan", "", "region %s: parent %s missing or not one level up", r->code,
                  parent_codes[i]);
      goto out;
    }
    r->parent = p;
    nchild[p - ref->regions]++;
  }
  {
    /* One pointer array for all children; each region gets its slice (regions are sorted by code,
     * so children are appended in code order). nchild[] becomes the slice start. */
    const np_region_t **all = np_arena_calloc(ref->arena, ref->nregions ? ref->nregions : 1, sizeof *all);
    if (!all) {
      e = nomem(err);
      goto out;
    }
    size_t off = 0;
    for (size_t i = 0; i < ref->nregions; i++) {
      size_t cnt = nchild[i];
      ref->regions[i].children = all + off;
      nchild[i] = off;
      off += cnt;
    }
    for (size_t i = 0; i < ref->nregions; i++) {
      const np_region_t *r = &ref->regions[i];
      if (!r->parent) continue;
      size_t pi = (size_t)(r->parent - ref->regions);
      all[nchild[pi] + ref->regions[pi].nchildren++] = r;
    }
  }
out:
  free(nchild);
  return e;
}

static np_err build_regions(np_ref_t *ref, np_store_t *s, np_errdetail_t *err) {
  np_stmt_t *st = NULL;
  char **parents = NULL;
  size_t n = 0, i = 0;
  bool has = false;
  np_err e = count_rows(s, "SELECT COUNT(*) FROM ref_regions", &n, err);
  if (e) return e;
  if (n == 0) return np_fail(err, NP_ERR_SCHEMA, "ref_not_loaded", "", "reference data not loaded (run nineplus migrate)");
  ref->regions = np_arena_calloc(ref->arena, n, sizeof *ref->regions);
  parents = calloc(n, sizeof *parents);
  if (!ref->regions || !parents) {
    e = nomem(err);
    goto out;
  }
  if ((e = np_store_prepare(s,
                            "SELECT code, name, level, parent_code, type, in_gbt2260, centroid_lat_e6, centroid_lon_e6 "
                            "FROM ref_regions",
                            &st, err)))
    goto out;
  for (;;) {
    if ((e = np_store_step(st, &has, err)) || !has) break;
    if (i == n) {
      e = np_fail(err, NP_ERR_SCHEMA, "ref_changed", "", "ref_regions changed while reading");
      break;
    }
    np_region_t *r = &ref->regions[i];
    const char *code = np_store_col_text(st, 0), *name = np_store_col_text(st, 1);
    np_region_level lv = np_ref_level_parse(np_store_col_text(st, 2));
    if (!code || !name || !lv) {
      e = np_fail(err, NP_ERR_SCHEMA, "ref_bad_region", "", "bad row in ref_regions");
      break;
    }
    r->code = np_arena_strdup(ref->arena, code);
    r->name = np_arena_strdup(ref->arena, name);
    r->type = intern(ref->arena, np_store_col_text(st, 4), known_types);
    r->level = lv;
    r->in_gbt2260 = np_store_col_int64(st, 5) != 0;
    if (!np_store_col_is_null(st, 6) && !np_store_col_is_null(st, 7)) {
      r->has_centroid = true;
      r->centroid_lat_e6 = (int32_t)np_store_col_int64(st, 6);
      r->centroid_lon_e6 = (int32_t)np_store_col_int64(st, 7);
    }
    /* Parent codes are kept aside until the array is sorted. */
    const char *pc = np_store_col_text(st, 3);
    if (pc && !(parents[i] = strdup(pc))) {
      e = nomem(err);
      break;
    }
    if (!r->code || !r->name || !r->type) {
      e = nomem(err);
      break;
    }
    i++;
  }
  np_store_release(st);
  if (e) goto out;
  ref->nregions = i;
  /* Sort regions by code; each carries its original row position in nchildren (unused so far) so the
   * parent codes can follow. */
  {
    char **sp = calloc(i ? i : 1, sizeof *sp);
    if (!sp) {
      e = nomem(err);
      goto out;
    }
    for (size_t k = 0; k < i; k++) ref->regions[k].nchildren = k;
    qsort(ref->regions, i, sizeof *ref->regions, cmp_region);
    for (size_t k = 0; k < i; k++) {
      sp[k] = parents[ref->regions[k].nchildren];
      ref->regions[k].nchildren = 0;
    }
    memcpy(parents, sp, i * sizeof *sp);
    free(sp);
    for (size_t k = 1; k < i; k++)
      if (strcmp(ref->regions[k - 1].code, ref->regions[k].code) == 0) {
        e = np_fail(err, NP_ERR_SCHEMA, "ref_duplicate", "", "duplicate region %s", ref->regions[k].code);
        goto out;
      }
  }
  e = link_regions(ref, parents, err);
out:
  if (parents)
    for (size_t k = 0; k < n; k++) free(parents[k]);
  free(parents);
  return e;
}

static np_err build_circles(np_ref_t *ref, np_store_t *s, np_errdetail_t *err) {
  np_stmt_t *st = NULL;
  size_t n = 0, i = 0;
  bool has = false;
  np_err e = count_rows(s, "SELECT COUNT(*) FROM ref_economic_circles", &n, err);
  if (e) return e;
  ref->circles = np_arena_calloc(ref->arena, n ? n : 1, sizeof *ref->circles);
  if (!ref->circles) return nomem(err);
  if ((e = np_store_prepare(s, "SELECT city_code, circle, circle_en FROM ref_economic_circles", &st, err))) return e;
  for (;;) {
    if ((e = np_store_step(st, &has, err)) || !has) break;
    if (i == n) break;
    const np_region_t *city = find_region(ref, np_store_col_text(st, 0));
    if (!city || city->level != NP_REGION_CITY) {
      e = np_fail(err, NP_ERR_SCHEMA, "ref_bad_circle", "", "economic circle for unknown city %s",
                  np_store_col_text(st, 0) ? np_store_col_text(st, 0) : "(null)");
      break;
    }
    ref->circles[i].city = city;
    ref->circles[i].circle.name = dup_or_null(ref->arena, np_store_col_text(st, 1));
    ref->circles[i].circle.name_en = dup_or_null(ref->arena, np_store_col_text(st, 2));
    if (!ref->circles[i].circle.name || !ref->circles[i].circle.name_en) {
      e = nomem(err);
      break;
    }
    i++;
  }
  np_store_release(st);
  ref->ncircles = i;
  return e;
}

/* ---- industries and occupations ---- */

static np_ref_item_t *find_item(const np_ref_tree_data_t *t, const char *code) {
  if (!code) return NULL;
  size_t lo = 0, hi = t->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = strcmp(t->items[mid].code, code);
    if (c == 0) return &t->items[mid];
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return NULL;
}

/*
 * Nearest existing ancestor for a parent code that may have no row of its own (GB/T 4754 groups with a
 * single class appear only as that class: 0190's parent 019 → division 01). Industries: drop trailing
 * digits, then the section; occupations: drop the last "-part".
 */
static np_ref_item_t *nearest_item(np_ref_tree_data_t *t, np_ref_tree tree, const np_ref_item_t *it) {
  char buf[64];
  if (!it->parent_code) return NULL;
  int n = snprintf(buf, sizeof buf, "%s", it->parent_code);
  if (n < 0 || (size_t)n >= sizeof buf) return NULL;
  size_t len = (size_t)n;
  for (;;) {
    np_ref_item_t *p = find_item(t, buf);
    if (p && p != it) return p;
    if (tree == NP_REF_OCCUPATIONS) {
      char *dash = strrchr(buf, '-');
      if (!dash) return NULL;
      *dash = '\0';
    } else {
      if (len <= 2) return it->section ? find_item(t, it->section) : NULL;
      buf[--len] = '\0';
    }
  }
}

static np_err build_tree(np_ref_t *ref, np_store_t *s, np_ref_tree tree, np_errdetail_t *err) {
  np_ref_tree_data_t *t = &ref->trees[tree];
  const char *count_sql = tree == NP_REF_INDUSTRIES ? "SELECT COUNT(*) FROM ref_industries" : "SELECT COUNT(*) FROM ref_occupations";
  const char *sql = tree == NP_REF_INDUSTRIES
                        ? "SELECT code, name, level, section, parent_code, NULL, NULL FROM ref_industries"
                        : "SELECT code, name, level, NULL, parent_code, gbm_code, check_status FROM ref_occupations";
  np_stmt_t *st = NULL;
  size_t n = 0, i = 0;
  bool has = false;
  size_t *nchild = NULL;
  np_err e = count_rows(s, count_sql, &n, err);
  if (e) return e;
  t->items = np_arena_calloc(ref->arena, n ? n : 1, sizeof *t->items);
  if (!t->items) return nomem(err);
  if ((e = np_store_prepare(s, sql, &st, err))) return e;
  for (;;) {
    if ((e = np_store_step(st, &has, err)) || !has) break;
    if (i == n) break;
    np_ref_item_t *it = &t->items[i];
    const char *code = np_store_col_text(st, 0), *name = np_store_col_text(st, 1), *level = np_store_col_text(st, 2);
    if (!code || !name || !level) {
      e = np_fail(err, NP_ERR_SCHEMA, "ref_bad_item", "", "bad row in the %s table",
                  tree == NP_REF_INDUSTRIES ? "industries" : "occupations");
      break;
    }
    it->depth = 0;
    for (int k = 0; k < 4; k++)
      if (strcmp(level, item_levels[tree][k]) == 0) {
        it->depth = k + 1;
        it->level = item_levels[tree][k];
      }
    if (!it->depth) {
      e = np_fail(err, NP_ERR_SCHEMA, "ref_bad_item", "", "item %s has unknown level %s", code, level);
      break;
    }
    it->code = np_arena_strdup(ref->arena, code);
    it->name = np_arena_strdup(ref->arena, name);
    it->section = dup_or_null(ref->arena, np_store_col_text(st, 3));
    it->parent_code = dup_or_null(ref->arena, np_store_col_text(st, 4));
    it->gbm_code = dup_or_null(ref->arena, np_store_col_text(st, 5));
    it->check_status = intern(ref->arena, np_store_col_text(st, 6),
                              (const char *const[]){"crosschecked", "ocr_only", "ocr_only_conflict", NULL});
    if (!it->code || !it->name) {
      e = nomem(err);
      break;
    }
    i++;
  }
  np_store_release(st);
  if (e) return e;
  t->n = i;
  qsort(t->items, t->n, sizeof *t->items, cmp_item);
  nchild = calloc(t->n + 1, sizeof *nchild);
  if (!nchild) return nomem(err);
  size_t nroots = 0;
  for (size_t k = 0; k < t->n; k++) {
    np_ref_item_t *it = &t->items[k];
    np_ref_item_t *p = nearest_item(t, tree, it);
    if (!p && it->parent_code) {
      e = np_fail(err, NP_ERR_SCHEMA, "ref_orphan", "", "item %s: no ancestor %s", it->code, it->parent_code);
      goto out;
    }
    it->parent = p;
    if (p)
      nchild[p - t->items]++;
    else
      nroots++;
  }
  t->roots = np_arena_calloc(ref->arena, nroots ? nroots : 1, sizeof *t->roots);
  if (!t->roots) {
    e = nomem(err);
    goto out;
  }
  {
    const np_ref_item_t **all = np_arena_calloc(ref->arena, t->n ? t->n : 1, sizeof *all);
    if (!all) {
      e = nomem(err);
      goto out;
    }
    size_t off = 0;
    for (size_t k = 0; k < t->n; k++) {
      size_t cnt = nchild[k];
      t->items[k].children = all + off;
      nchild[k] = off;
      off += cnt;
    }
    for (size_t k = 0; k < t->n; k++) {
      const np_ref_item_t *it = &t->items[k];
      if (it->parent) {
        size_t pi = (size_t)(it->parent - t->items);
        all[nchild[pi] + t->items[pi].nchildren++] = it;
      } else {
        t->roots[t->nroots++] = it;
      }
    }
  }
out:
  free(nchild);
  return e;
}

static np_err build_skills(np_ref_t *ref, np_store_t *s, np_errdetail_t *err) {
  np_stmt_t *st = NULL;
  bool has = false;
  np_err e = np_store_prepare(
      s, "SELECT rank, name, name_en, national_level, national_level_number, note FROM ref_skill_levels ORDER BY rank", &st,
      err);
  if (e) return e;
  for (;;) {
    if ((e = np_store_step(st, &has, err)) || !has) break;
    int64_t rank = np_store_col_int64(st, 0);
    if (rank < 1 || rank > 8 || (size_t)rank != ref->nskills + 1) {
      e = np_fail(err, NP_ERR_SCHEMA, "ref_bad_skill", "", "skill levels must be ranks 1..8 without gaps");
      break;
    }
    np_skill_level_t *k = &ref->skills[ref->nskills];
    k->rank = (int)rank;
    k->name = dup_or_null(ref->arena, np_store_col_text(st, 1));
    k->name_en = dup_or_null(ref->arena, np_store_col_text(st, 2));
    k->national_level = dup_or_null(ref->arena, np_store_col_text(st, 3));
    k->national_level_number = np_store_col_is_null(st, 4) ? 0 : (int)np_store_col_int64(st, 4);
    k->note = dup_or_null(ref->arena, np_store_col_text(st, 5));
    if (!k->name || !k->name_en) {
      e = nomem(err);
      break;
    }
    ref->nskills++;
  }
  np_store_release(st);
  return e;
}

/* ---- open / close ---- */

np_err np_ref_open(np_store_t *s, np_ref_t **out, np_errdetail_t *err) {
  *out = NULL;
  np_ref_t *ref = calloc(1, sizeof *ref);
  if (!ref) return nomem(err);
  np_err e = NP_OK;
  if (!(ref->arena = np_arena_new(REF_ARENA_CAP))) {
    e = nomem(err);
    goto out;
  }
  if ((e = build_regions(ref, s, err)) || (e = build_circles(ref, s, err)) ||
      (e = build_tree(ref, s, NP_REF_INDUSTRIES, err)) || (e = build_tree(ref, s, NP_REF_OCCUPATIONS, err)) ||
      (e = build_skills(ref, s, err)) || (e = np_ref_wage_build(ref, s, err)))
    goto out;
  if (!ref->province) {
    e = np_fail(err, NP_ERR_SCHEMA, "ref_not_loaded", "", "province 370000 missing from ref_regions");
    goto out;
  }
  np_log_info("ref.open", "reference index: %zu regions, %zu industries, %zu occupations, %zu min-wage standards",
              ref->nregions, ref->trees[0].n, ref->trees[1].n, ref->nstds);
out:
  if (e) {
    np_ref_close(ref);
    return e;
  }
  *out = ref;
  return NP_OK;
}

void np_ref_close(np_ref_t *ref) {
  if (!ref) return;
  np_arena_free(ref->arena);
  free(ref);
}

/* ---- region lookups ---- */

const np_region_t *np_ref_region(const np_ref_t *ref, const char *code) { return find_region(ref, code); }

const np_region_t *np_ref_province(const np_ref_t *ref) { return ref ? ref->province : NULL; }

const np_region_t *np_ref_region_at(const np_region_t *r, np_region_level level) {
  while (r && r->level > level) r = r->parent;
  return r && r->level == level ? r : NULL;
}

static bool is_within(const np_region_t *r, const np_region_t *anc) {
  if (!r || !anc) return false;
  while (r && r->level > anc->level) r = r->parent;
  return r == anc;
}

bool np_ref_region_within(const np_ref_t *ref, const char *code, const char *ancestor) {
  return is_within(find_region(ref, code), find_region(ref, ancestor));
}

bool np_ref_region_centroid(const np_region_t *r, int32_t *lat_e6, int32_t *lon_e6, const np_region_t **from) {
  const np_region_t *c = np_ref_region_at(r, NP_REGION_COUNTY);
  if (!c || !c->has_centroid) return false;
  if (lat_e6) *lat_e6 = c->centroid_lat_e6;
  if (lon_e6) *lon_e6 = c->centroid_lon_e6;
  if (from) *from = c;
  return true;
}

const np_econ_circle_t *np_ref_region_circle(const np_ref_t *ref, const np_region_t *r) {
  const np_region_t *city = np_ref_region_at(r, NP_REGION_CITY);
  if (!ref || !city) return NULL;
  for (size_t i = 0; i < ref->ncircles; i++)
    if (ref->circles[i].city == city) return &ref->circles[i].circle;
  return NULL;
}

/* ---- search ---- */

typedef struct hit {
  const void *p;
  int rank;  /* 0 exact, 1 prefix, 2 substring */
  int depth; /* higher levels first */
  size_t pos; /* code order */
} hit_t;

static bool hit_before(const hit_t *a, const hit_t *b) {
  if (a->rank != b->rank) return a->rank < b->rank;
  if (a->depth != b->depth) return a->depth < b->depth;
  return a->pos < b->pos;
}

/* Inserts h into the sorted top list of at most `limit` entries. */
static void hit_insert(hit_t *top, size_t *n, size_t limit, const hit_t *h) {
  if (*n == limit && !hit_before(h, &top[*n - 1])) return;
  size_t i = *n < limit ? (*n)++ : limit - 1;
  while (i > 0 && hit_before(h, &top[i - 1])) {
    top[i] = top[i - 1];
    i--;
  }
  top[i] = *h;
}

/* 0 exact, 1 prefix, 2 substring, -1 no match (of name against q); code prefix counts as prefix. */
static int match_rank(const char *name, const char *code, const char *q, size_t qlen, bool digits) {
  if (digits && strncmp(code, q, qlen) == 0) return code[qlen] ? 1 : 0;
  size_t nlen = strlen(name);
  if (nlen < qlen) return -1;
  if (memcmp(name, q, qlen) == 0) return nlen == qlen ? 0 : 1;
  return memmem(name, nlen, q, qlen) ? 2 : -1;
}

static bool only_digits(const char *s) {
  if (!*s) return false;
  for (; *s; s++)
    if (*s < '0' || *s > '9') return false;
  return true;
}

size_t np_ref_region_search(const np_ref_t *ref, const char *q, const np_region_t *within, size_t limit,
                            const np_region_t **out, size_t *total) {
  size_t all = 0;
  if (total) *total = 0;
  if (!ref || !q || !*q || limit == 0) return 0;
  hit_t *top = calloc(limit, sizeof *top);
  if (!top) return 0;
  size_t n = 0, qlen = strlen(q);
  bool digits = only_digits(q);
  for (size_t i = 0; i < ref->nregions; i++) {
    const np_region_t *r = &ref->regions[i];
    int rank = match_rank(r->name, r->code, q, qlen, digits);
    if (rank < 0) continue;
    if (within && !is_within(r, within)) continue;
    all++;
    hit_t h = {r, rank, (int)r->level, i};
    hit_insert(top, &n, limit, &h);
  }
  for (size_t i = 0; i < n; i++) out[i] = top[i].p;
  free(top);
  if (total) *total = all;
  return n;
}

/* ---- items ---- */

const np_ref_item_t *np_ref_item(const np_ref_t *ref, np_ref_tree tree, const char *code) {
  if (!ref || (tree != NP_REF_INDUSTRIES && tree != NP_REF_OCCUPATIONS)) return NULL;
  return find_item(&ref->trees[tree], code);
}

const np_ref_item_t *const *np_ref_item_roots(const np_ref_t *ref, np_ref_tree tree, size_t *n) {
  if (!ref || (tree != NP_REF_INDUSTRIES && tree != NP_REF_OCCUPATIONS)) {
    *n = 0;
    return NULL;
  }
  *n = ref->trees[tree].nroots;
  return ref->trees[tree].roots;
}

static bool item_within(const np_ref_item_t *it, const np_ref_item_t *anc) {
  for (const np_ref_item_t *p = it->parent; p; p = p->parent)
    if (p == anc) return true;
  return false;
}

size_t np_ref_item_search(const np_ref_t *ref, np_ref_tree tree, const np_ref_item_query_t *q,
                          const np_ref_item_t **out, size_t *total) {
  size_t all = 0;
  if (total) *total = 0;
  if (!ref || !q || q->limit == 0 || (tree != NP_REF_INDUSTRIES && tree != NP_REF_OCCUPATIONS)) return 0;
  const np_ref_tree_data_t *t = &ref->trees[tree];
  const np_ref_item_t *anc = NULL;
  if (q->parent && *q->parent && !(anc = find_item(t, q->parent))) return 0;
  hit_t *top = calloc(q->limit, sizeof *top);
  if (!top) return 0;
  const char *qs = q->q && *q->q ? q->q : NULL;
  size_t n = 0, qlen = qs ? strlen(qs) : 0;
  for (size_t i = 0; i < t->n; i++) {
    const np_ref_item_t *it = &t->items[i];
    if (q->level && *q->level && strcmp(it->level, q->level) != 0) continue;
    if (anc && !item_within(it, anc)) continue;
    int rank = 2;
    if (qs) {
      /* Codes: "34", "6-18" — a code prefix is a prefix match. */
      if (strncmp(it->code, qs, qlen) == 0)
        rank = it->code[qlen] ? 1 : 0;
      else if ((rank = match_rank(it->name, it->code, qs, qlen, false)) < 0)
        continue;
    }
    all++;
    hit_t h = {it, rank, it->depth, i};
    hit_insert(top, &n, q->limit, &h);
  }
  for (size_t i = 0; i < n; i++) out[i] = top[i].p;
  free(top);
  if (total) *total = all;
  return n;
}

/* ---- skill levels ---- */

const np_skill_level_t *np_ref_skill_level(const np_ref_t *ref, int rank) {
  if (!ref || rank < 1 || (size_t)rank > ref->nskills) return NULL;
  return &ref->skills[rank - 1];
}

const np_skill_level_t *np_ref_skill_levels(const np_ref_t *ref, size_t *n) {
  *n = ref ? ref->nskills : 0;
  return ref ? ref->skills : NULL;
}
