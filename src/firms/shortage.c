/* Shortage summary over the open-lines covering indexes (see shortage.h). */
#include "firms/shortage.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/str.h"

np_err np_firms_shortage_group_parse(const char *s, np_shortage_group *out) {
  if (!s || !*s || strcmp(s, "occupation") == 0) *out = NP_SHORTAGE_BY_OCCUPATION;
  else if (strcmp(s, "skill_level") == 0) *out = NP_SHORTAGE_BY_SKILL_LEVEL;
  else if (strcmp(s, "region") == 0) *out = NP_SHORTAGE_BY_REGION;
  else if (strcmp(s, "industry") == 0) *out = NP_SHORTAGE_BY_INDUSTRY;
  else return NP_ERR_INVALID;
  return NP_OK;
}

static const char *group_name(np_shortage_group g) {
  switch (g) {
  case NP_SHORTAGE_BY_SKILL_LEVEL: return "skill_level";
  case NP_SHORTAGE_BY_REGION: return "region";
  case NP_SHORTAGE_BY_INDUSTRY: return "industry";
  default: return "occupation";
  }
}

typedef struct filt {
  char sql[160];
  char t1[64];
  int64_t ent;
  bool has_t1;
} filt_t;

/* WHERE fragment for the region (translated to the denormalised columns the indexes lead with). */
static void region_filter(const np_shortage_query_t *q, const char *ent_col, filt_t *f) {
  const char *region_col = "region_code", *city_col = "city_code", *county_col = "county_code";
  memset(f, 0, sizeof *f);
  size_t n = q->region_prefix ? strlen(q->region_prefix) : 0, o = 0;
  if (n == 4) {
    o += (size_t)snprintf(f->sql + o, sizeof f->sql - o, " AND %s = ?", city_col);
    snprintf(f->t1, sizeof f->t1, "%s00", q->region_prefix);
    f->has_t1 = true;
  } else if (n == 6) {
    o += (size_t)snprintf(f->sql + o, sizeof f->sql - o, " AND %s = ?", county_col);
    np_strlcpy(f->t1, q->region_prefix, sizeof f->t1);
    f->has_t1 = true;
  } else if (n > 6) {
    o += (size_t)snprintf(f->sql + o, sizeof f->sql - o, " AND %s LIKE ?", region_col);
    snprintf(f->t1, sizeof f->t1, "%s%%", q->region_prefix);
    f->has_t1 = true;
  }
  if (q->enterprise_id > 0) {
    snprintf(f->sql + o, sizeof f->sql - o, " AND %s = ?", ent_col);
    f->ent = q->enterprise_id;
  }
}

static np_err bind_filter(np_stmt_t *st, const filt_t *f) {
  int i = 0;
  np_err rc = NP_OK;
  if (f->has_t1) rc = np_store_bind_text(st, ++i, f->t1, NP_STORE_STRLEN);
  if (rc == NP_OK && f->ent) rc = np_store_bind_int64(st, ++i, f->ent);
  return rc;
}

typedef struct item {
  char key[24];
  int64_t skill; /* occupation rows: -1 none */
  int64_t openings, lines;
} item_t;

static int by_openings(const void *a, const void *b) {
  const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
  json_int_t ox = json_integer_value(json_object_get(x, "openings")), oy = json_integer_value(json_object_get(y, "openings"));
  if (ox != oy) return ox > oy ? -1 : 1;
  const char *kx = json_string_value(json_object_get(x, "key")), *ky = json_string_value(json_object_get(y, "key"));
  return strcmp(kx ? kx : "", ky ? ky : "");
}

static json_t *sorted(json_t *arr) {
  size_t n = json_array_size(arr);
  if (n < 2) return arr;
  json_t **v = malloc(n * sizeof *v);
  if (!v) return arr;
  for (size_t i = 0; i < n; i++) v[i] = json_incref(json_array_get(arr, i));
  qsort(v, n, sizeof *v, by_openings);
  json_array_clear(arr);
  for (size_t i = 0; i < n; i++) json_array_append_new(arr, v[i]);
  free(v);
  return arr;
}

static const char *key_name(const np_ref_t *ref, np_shortage_group g, const char *key) {
  if (!ref || !key) return NULL;
  if (g == NP_SHORTAGE_BY_OCCUPATION) {
    const np_ref_item_t *it = np_ref_item(ref, NP_REF_OCCUPATIONS, key);
    return it ? it->name : NULL;
  }
  if (g == NP_SHORTAGE_BY_INDUSTRY) {
    const np_ref_item_t *it = np_ref_item(ref, NP_REF_INDUSTRIES, key);
    return it ? it->name : NULL;
  }
  if (g == NP_SHORTAGE_BY_REGION) {
    const np_region_t *r = np_ref_region(ref, key);
    return r ? r->name : NULL;
  }
  return NULL;
}

np_err np_firms_shortage(np_store_t *s, const np_ref_t *ref, const np_shortage_query_t *q, json_t **out,
                         np_errdetail_t *err) {
  filt_t f;
  char sql[640];
  const char *key_expr = "occupation_code, skill_level", *order = " ORDER BY occupation_code, skill_level";
  size_t n = q->region_prefix ? strlen(q->region_prefix) : 0;
  /* skill levels are folded from the (occupation, skill level) groups, which stream in index order;
   * industry divisions are added up here from the raw open lines (100 slots): no sorter either way */
  bool fold_skill = q->group == NP_SHORTAGE_BY_SKILL_LEVEL, fold_div = q->group == NP_SHORTAGE_BY_INDUSTRY;
  int64_t slot_open[100] = {0}, slot_lines[100] = {0};
  switch (q->group) {
  case NP_SHORTAGE_BY_SKILL_LEVEL: break;
  case NP_SHORTAGE_BY_INDUSTRY: key_expr = "substr(industry_code, 1, 2)", order = ""; break;
  case NP_SHORTAGE_BY_REGION:
    key_expr = n == 0 ? "city_code" : n == 4 ? "county_code" : n == 6 ? "substr(region_code, 1, 9)" : "region_code";
    order = "";
    break;
  default: break;
  }
  *out = NULL;
  region_filter(q, "enterprise_id", &f);
  if (fold_div)
    snprintf(sql, sizeof sql, "SELECT %s, open_count, 1 FROM demands WHERE open_count > 0%s", key_expr, f.sql);
  else
    snprintf(sql, sizeof sql,
             "SELECT %s, SUM(open_count), COUNT(*) FROM demands WHERE open_count > 0%s GROUP BY %s%s", key_expr, f.sql,
             key_expr, order);
  np_stmt_t *st = NULL;
  bool has = false;
  int64_t total = 0, lines = 0, ents = 0;
  json_t *items = json_array(), *cur = NULL;
  const char *cur_key = NULL;
  np_err rc = items ? np_store_prepare(s, sql, &st, err) : np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  if (rc == NP_OK) rc = bind_filter(st, &f);
  int ncols = q->group == NP_SHORTAGE_BY_OCCUPATION || fold_skill ? 2 : 1;
  while (rc == NP_OK && (rc = np_store_step(st, &has, err)) == NP_OK && has) {
    int64_t open = np_store_col_int64(st, ncols), cnt = np_store_col_int64(st, ncols + 1);
    total += open;
    lines += cnt;
    if (fold_skill) {
      int lvl = np_store_col_is_null(st, 1) ? 0 : (int)np_store_col_int64(st, 1);
      if (lvl < 0 || lvl > 8) lvl = 0;
      slot_open[lvl] += open, slot_lines[lvl] += cnt;
      continue;
    }
    if (fold_div) {
      const char *k = np_store_col_text(st, 0);
      int d = k && k[0] >= '0' && k[0] <= '9' && k[1] >= '0' && k[1] <= '9' ? (k[0] - '0') * 10 + (k[1] - '0') : 0;
      slot_open[d] += open, slot_lines[d] += cnt;
      continue;
    }
    if (q->group == NP_SHORTAGE_BY_SKILL_LEVEL) {
      bool none = np_store_col_is_null(st, 0);
      int lvl = none ? 0 : (int)np_store_col_int64(st, 0);
      const np_skill_level_t *sl = ref && !none ? np_ref_skill_level(ref, lvl) : NULL;
      char k[8];
      snprintf(k, sizeof k, "%d", lvl);
      json_array_append_new(items, json_pack("{s:s, s:o, s:o, s:I, s:I}", "key", none ? "none" : k, "skill_level",
                                             none ? json_null() : json_integer(lvl), "name",
                                             sl ? json_string(sl->name) : json_null(), "openings", (json_int_t)open,
                                             "lines", (json_int_t)cnt));
      continue;
    }
    const char *k = np_store_col_text(st, 0);
    if (!k) k = "";
    if (q->group != NP_SHORTAGE_BY_OCCUPATION) {
      const char *nm = key_name(ref, q->group, k);
      json_array_append_new(items, json_pack("{s:s, s:o, s:I, s:I}", "key", k, "name",
                                             nm ? json_string(nm) : json_null(), "openings", (json_int_t)open, "lines",
                                             (json_int_t)cnt));
      continue;
    }
    /* occupation: rows arrive ordered by (occupation, skill level): fold the skill levels in */
    if (!cur || !cur_key || strcmp(cur_key, k) != 0) {
      const char *nm = key_name(ref, q->group, k);
      cur = json_pack("{s:s, s:o, s:I, s:I, s:[]}", "key", k, "name", nm ? json_string(nm) : json_null(), "openings",
                      (json_int_t)0, "lines", (json_int_t)0, "by_skill_level");
      if (!cur || json_array_append_new(items, cur)) {
        rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
        break;
      }
      cur_key = json_string_value(json_object_get(cur, "key"));
    }
    json_object_set_new(cur, "openings", json_integer(json_integer_value(json_object_get(cur, "openings")) + open));
    json_object_set_new(cur, "lines", json_integer(json_integer_value(json_object_get(cur, "lines")) + cnt));
    bool none = np_store_col_is_null(st, 1);
    int lvl = none ? 0 : (int)np_store_col_int64(st, 1);
    const np_skill_level_t *sl = ref && !none ? np_ref_skill_level(ref, lvl) : NULL;
    json_array_append_new(json_object_get(cur, "by_skill_level"),
                          json_pack("{s:o, s:o, s:I, s:I}", "skill_level", none ? json_null() : json_integer(lvl),
                                    "name", sl ? json_string(sl->name) : json_null(), "openings", (json_int_t)open,
                                    "lines", (json_int_t)cnt));
  }
  np_store_release(st);
  st = NULL;
  for (int i = 0; rc == NP_OK && fold_skill && i <= 8; i++) {
    if (!slot_lines[i]) continue;
    const np_skill_level_t *sl = ref && i ? np_ref_skill_level(ref, i) : NULL;
    char k[8];
    snprintf(k, sizeof k, "%d", i);
    json_array_append_new(items, json_pack("{s:s, s:o, s:o, s:I, s:I}", "key", i ? k : "none", "skill_level",
                                           i ? json_integer(i) : json_null(), "name",
                                           sl ? json_string(sl->name) : json_null(), "openings",
                                           (json_int_t)slot_open[i], "lines", (json_int_t)slot_lines[i]));
  }
  for (int i = 0; rc == NP_OK && fold_div && i < 100; i++) {
    if (!slot_lines[i]) continue;
    char k[4];
    snprintf(k, sizeof k, "%02d", i);
    const char *nm = key_name(ref, q->group, k);
    json_array_append_new(items, json_pack("{s:s, s:o, s:I, s:I}", "key", k, "name", nm ? json_string(nm) : json_null(),
                                           "openings", (json_int_t)slot_open[i], "lines", (json_int_t)slot_lines[i]));
  }
  if (rc == NP_OK) {
    /* enterprises with a shortage: the enterprises' own partial index (open_openings > 0) */
    region_filter(q, "id", &f);
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM enterprises WHERE open_openings > 0%s", f.sql);
    if ((rc = np_store_prepare(s, sql, &st, err)) == NP_OK && (rc = bind_filter(st, &f)) == NP_OK &&
        (rc = np_store_step(st, &has, err)) == NP_OK && has)
      ents = np_store_col_int64(st, 0);
    np_store_release(st);
  }
  if (rc == NP_OK) {
    *out = json_pack("{s:s, s:s, s:I, s:I, s:I, s:o}", "region_prefix", q->region_prefix ? q->region_prefix : "",
                     "group", group_name(q->group), "openings", (json_int_t)total, "lines", (json_int_t)lines,
                     "enterprises", (json_int_t)ents, "items", sorted(items));
    items = NULL;
    if (!*out) rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  }
  json_decref(items);
  return rc;
}
