/*
 * np_ref_load: copies the embedded data/ref CSV files into the ref_* tables.
 *
 * One transaction per file. A file whose SHA-256 equals ref_meta's is skipped. Otherwise its rows
 * are upserted by key (so rows other tables may reference keep their key) and rows of the file's
 * scope that the new file no longer has are deleted; the keyless-by-nature tables (minimum wages,
 * policy parameters) are replaced wholesale. Each loaded file appends one change-feed row.
 */
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/date.h"
#include "core/embed.h"
#include "core/log.h"
#include "core/money.h"
#include "core/rows.h"
#include "core/str.h"
#include "ref/ref.h"

#define MAXCOLS 8
#define KEYCAP 1024

/* ---- a small set of strings (keys seen in a file, keys present in a table) ---- */

typedef struct keyset {
  char **slots;
  size_t cap, n;
} keyset_t;

static uint64_t hash_str(const char *s) { return np_hash_fnv1a(NP_FNV1A_INIT, s, strlen(s)); }

static void keyset_free(keyset_t *ks) {
  if (!ks->slots) return;
  for (size_t i = 0; i < ks->cap; i++) free(ks->slots[i]);
  free(ks->slots);
  memset(ks, 0, sizeof *ks);
}

static np_err keyset_grow(keyset_t *ks) {
  size_t ncap = ks->cap ? ks->cap * 2 : 1024;
  if (ncap < ks->cap || ncap > SIZE_MAX / sizeof(char *)) return NP_ERR_NOMEM;
  char **ns = calloc(ncap, sizeof *ns);
  if (!ns) return NP_ERR_NOMEM;
  for (size_t i = 0; i < ks->cap; i++) {
    if (!ks->slots[i]) continue;
    size_t j = hash_str(ks->slots[i]) & (ncap - 1);
    while (ns[j]) j = (j + 1) & (ncap - 1);
    ns[j] = ks->slots[i];
  }
  free(ks->slots);
  ks->slots = ns;
  ks->cap = ncap;
  return NP_OK;
}

static bool keyset_has(const keyset_t *ks, const char *k) {
  if (!ks->cap) return false;
  size_t j = hash_str(k) & (ks->cap - 1);
  while (ks->slots[j]) {
    if (strcmp(ks->slots[j], k) == 0) return true;
    j = (j + 1) & (ks->cap - 1);
  }
  return false;
}

/* Adds k; *added false when it was there already. */
static np_err keyset_add(keyset_t *ks, const char *k, bool *added) {
  *added = false;
  if (keyset_has(ks, k)) return NP_OK;
  if ((ks->n + 1) * 2 > ks->cap) {
    np_err e = keyset_grow(ks);
    if (e) return e;
  }
  char *dup = strdup(k);
  if (!dup) return NP_ERR_NOMEM;
  size_t j = hash_str(k) & (ks->cap - 1);
  while (ks->slots[j]) j = (j + 1) & (ks->cap - 1);
  ks->slots[j] = dup;
  ks->n++;
  *added = true;
  return NP_OK;
}

/* ---- values bound to the upsert ---- */

typedef enum { V_NULL = 0, V_TEXT, V_INT } vkind_t;
typedef struct val {
  vkind_t kind;
  const char *s;
  int64_t i;
} val_t;

typedef struct rowctx {
  const np_row_t *row;
  const char *file;
  np_errdetail_t *err;
  val_t v[MAXCOLS];
  char key[KEYCAP];
} rowctx_t;

static const char *cell(const rowctx_t *c, size_t i) { return c->row->cells[i]; }
static size_t cell_len(const rowctx_t *c, size_t i) { return c->row->lens[i]; }

static np_err bad(rowctx_t *c, size_t col, const char *what) {
  return np_fail(c->err, NP_ERR_SCHEMA, "ref_bad_row", "", "%s row %zu column %zu: %s ('%.40s')", c->file,
                 c->row->line, col + 1, what, c->row->cells[col]);
}

static void set_text(rowctx_t *c, int k, size_t col) { c->v[k] = (val_t){V_TEXT, cell(c, col), 0}; }
static void set_text_or_null(rowctx_t *c, int k, size_t col) {
  c->v[k] = cell_len(c, col) ? (val_t){V_TEXT, cell(c, col), 0} : (val_t){V_NULL, NULL, 0};
}
static void set_const(rowctx_t *c, int k, const char *s) { c->v[k] = (val_t){s ? V_TEXT : V_NULL, s, 0}; }
static void set_int(rowctx_t *c, int k, int64_t i) { c->v[k] = (val_t){V_INT, NULL, i}; }

static bool all_digits(const char *s, size_t n) {
  if (n == 0) return false;
  for (size_t i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

static np_err need_nonempty(rowctx_t *c, size_t col) {
  return cell_len(c, col) ? NP_OK : bad(c, col, "empty");
}

static np_err need_digits(rowctx_t *c, size_t col, size_t len) {
  if (cell_len(c, col) != len || !all_digits(cell(c, col), len)) return bad(c, col, "wrong code");
  return NP_OK;
}

/* Parent code must be the leading part of the child's code. */
static np_err need_prefix(rowctx_t *c, size_t code_col, size_t parent_col, size_t prefix_len) {
  if (cell_len(c, parent_col) < prefix_len || memcmp(cell(c, code_col), cell(c, parent_col), prefix_len) != 0)
    return bad(c, parent_col, "parent does not match the code");
  return NP_OK;
}

static np_err need_date_or_empty(rowctx_t *c, size_t col) {
  np_date_t d;
  if (cell_len(c, col) == 0) return NP_OK;
  if (np_date_parse(cell(c, col), cell_len(c, col), &d)) return bad(c, col, "not a YYYY-MM-DD date");
  return NP_OK;
}

static np_err need_money(rowctx_t *c, size_t col, int64_t *fen) {
  if (np_money_parse(cell(c, col), cell_len(c, col), fen) || *fen <= 0) return bad(c, col, "not an amount in yuan");
  return NP_OK;
}

static np_err need_int(rowctx_t *c, size_t col, int64_t lo, int64_t hi, int64_t *out) {
  const char *s = cell(c, col);
  size_t n = cell_len(c, col);
  if (n == 0 || n > 9 || !all_digits(s, n)) return bad(c, col, "not a number");
  int64_t v = 0;
  for (size_t i = 0; i < n; i++) v = v * 10 + (s[i] - '0');
  if (v < lo || v > hi) return bad(c, col, "out of range");
  *out = v;
  return NP_OK;
}

/* "36.65537" → 36655370 micro-degrees: digits, optional '.' and up to 6 decimals, 0..180. */
static np_err need_microdeg(rowctx_t *c, size_t col, int64_t *out) {
  const char *s = cell(c, col);
  size_t n = cell_len(c, col), i = 0;
  int64_t whole = 0, frac = 0;
  int fd = 0;
  while (i < n && s[i] >= '0' && s[i] <= '9' && i < 3) whole = whole * 10 + (s[i++] - '0');
  if (i == 0) return bad(c, col, "not a coordinate");
  if (i < n) {
    if (s[i++] != '.' || i == n) return bad(c, col, "not a coordinate");
    for (; i < n; i++) {
      if (s[i] < '0' || s[i] > '9' || fd == 6) return bad(c, col, "not a coordinate");
      frac = frac * 10 + (s[i] - '0');
      fd++;
    }
  }
  for (; fd < 6; fd++) frac *= 10;
  if (whole > 180) return bad(c, col, "coordinate out of range");
  *out = whole * 1000000 + frac;
  return NP_OK;
}

static np_err set_key(rowctx_t *c, const char *a, const char *b) {
  int n = b ? snprintf(c->key, sizeof c->key, "%s\x1f%s", a, b) : snprintf(c->key, sizeof c->key, "%s", a);
  if (n < 0 || (size_t)n >= sizeof c->key)
    return np_fail(c->err, NP_ERR_SCHEMA, "ref_bad_row", "", "%s row %zu: key too long", c->file, c->row->line);
  return NP_OK;
}

/* ---- the files ---- */

typedef np_err (*row_fn)(rowctx_t *c);

typedef struct file_spec {
  const char *file;
  const char *table;
  const char *header;      /* expected header row, comma-joined */
  const char *upsert;      /* INSERT … (ON CONFLICT … DO UPDATE for keyed tables) */
  int nvals;
  row_fn row;
  /* keyed tables: rows of the scope absent from the new file are deleted one by one */
  const char *select_keys; /* SELECT key FROM table WHERE scope; NULL = replace wholesale */
  const char *delete_key;  /* DELETE … WHERE key = ? */
  bool int_key;            /* key column is an integer */
  const char *delete_all;  /* replace wholesale: DELETE FROM table */
  bool verify_only;        /* industries.csv: checked against ref_industries, not stored */
} file_spec_t;

static np_err row_cities(rowctx_t *c) {
  np_err e;
  if ((e = need_digits(c, 0, 6)) || (e = need_nonempty(c, 1))) return e;
  if (memcmp(cell(c, 0), "37", 2) != 0 || memcmp(cell(c, 0) + 4, "00", 2) != 0 || memcmp(cell(c, 0) + 2, "00", 2) == 0)
    return bad(c, 0, "not a Shandong city code");
  set_text(c, 0, 0);
  set_text(c, 1, 1);
  set_const(c, 2, "city");
  set_const(c, 3, "370000");
  set_const(c, 4, "city");
  set_int(c, 5, 1);
  c->v[6] = c->v[7] = (val_t){V_NULL, NULL, 0};
  return set_key(c, cell(c, 0), NULL);
}

static const char *const county_types[] = {"district", "county_level_city", "county", "functional_zone", NULL};
static const char *const township_types[] = {"subdistrict", "town", "township", "other", NULL};

static np_err need_one_of(rowctx_t *c, size_t col, const char *const *list) {
  for (; *list; list++)
    if (strcmp(cell(c, col), *list) == 0) return NP_OK;
  return bad(c, col, "unknown value");
}

static np_err row_counties(rowctx_t *c) {
  /* code,name,city_code,type,in_gbt2260,centroid_lat,centroid_lon */
  np_err e;
  int64_t gb = 0, lat = 0, lon = 0;
  if ((e = need_digits(c, 0, 6)) || (e = need_nonempty(c, 1)) || (e = need_digits(c, 2, 6)) ||
      (e = need_prefix(c, 0, 2, 4)) || (e = need_one_of(c, 3, county_types)) || (e = need_int(c, 4, 0, 1, &gb)))
    return e;
  bool fz = strcmp(cell(c, 3), "functional_zone") == 0;
  if (fz == (gb == 1)) return bad(c, 4, "in_gbt2260 must be 0 exactly for functional zones");
  set_text(c, 0, 0);
  set_text(c, 1, 1);
  set_const(c, 2, "county");
  set_text(c, 3, 2);
  set_text(c, 4, 3);
  set_int(c, 5, gb);
  if (cell_len(c, 5) == 0 && cell_len(c, 6) == 0) {
    c->v[6] = c->v[7] = (val_t){V_NULL, NULL, 0};
  } else {
    if ((e = need_microdeg(c, 5, &lat)) || (e = need_microdeg(c, 6, &lon))) return e;
    set_int(c, 6, lat);
    set_int(c, 7, lon);
  }
  return set_key(c, cell(c, 0), NULL);
}

static np_err row_townships(rowctx_t *c) {
  /* code,name,county_code,type */
  np_err e;
  if ((e = need_digits(c, 0, 9)) || (e = need_nonempty(c, 1)) || (e = need_digits(c, 2, 6)) ||
      (e = need_prefix(c, 0, 2, 6)) || (e = need_one_of(c, 3, township_types)))
    return e;
  set_text(c, 0, 0);
  set_text(c, 1, 1);
  set_const(c, 2, "township");
  set_text(c, 3, 2);
  set_text(c, 4, 3);
  set_int(c, 5, 1);
  c->v[6] = c->v[7] = (val_t){V_NULL, NULL, 0};
  return set_key(c, cell(c, 0), NULL);
}

static np_err row_villages(rowctx_t *c) {
  /* code,name,township_code */
  np_err e;
  if ((e = need_digits(c, 0, 12)) || (e = need_nonempty(c, 1)) || (e = need_digits(c, 2, 9)) ||
      (e = need_prefix(c, 0, 2, 9)))
    return e;
  set_text(c, 0, 0);
  set_text(c, 1, 1);
  set_const(c, 2, "village");
  set_text(c, 3, 2);
  set_const(c, 4, "village");
  set_int(c, 5, 1);
  c->v[6] = c->v[7] = (val_t){V_NULL, NULL, 0};
  return set_key(c, cell(c, 0), NULL);
}

static np_err row_circles(rowctx_t *c) {
  /* circle,circle_en,city_code,city_name */
  np_err e;
  if ((e = need_nonempty(c, 0)) || (e = need_nonempty(c, 1)) || (e = need_digits(c, 2, 6))) return e;
  set_text(c, 0, 2);
  set_text(c, 1, 0);
  set_text(c, 2, 1);
  return set_key(c, cell(c, 2), NULL);
}

static np_err row_min_wage(rowctx_t *c) {
  /* standard,issued,effective_from,effective_to,tier,monthly_yuan,hourly_yuan,note */
  np_err e;
  int64_t tier = 0, m = 0, h = 0;
  if ((e = need_nonempty(c, 0)) || (e = need_date_or_empty(c, 1)) || (e = need_nonempty(c, 2)) ||
      (e = need_date_or_empty(c, 2)) || (e = need_date_or_empty(c, 3)) || (e = need_int(c, 4, 1, 3, &tier)) ||
      (e = need_money(c, 5, &m)) || (e = need_money(c, 6, &h)))
    return e;
  set_text(c, 0, 0);
  set_text_or_null(c, 1, 1);
  set_text(c, 2, 2);
  set_text_or_null(c, 3, 3);
  set_int(c, 4, tier);
  set_int(c, 5, m);
  set_int(c, 6, h);
  set_text_or_null(c, 7, 7);
  return set_key(c, cell(c, 0), cell(c, 4));
}

static np_err row_min_wage_county(rowctx_t *c) {
  /* standard,effective_from,county_code,county_name,city_code,tier,monthly_yuan,hourly_yuan,basis */
  np_err e;
  int64_t tier = 0, m = 0, h = 0;
  if ((e = need_nonempty(c, 0)) || (e = need_nonempty(c, 1)) || (e = need_date_or_empty(c, 1)) ||
      (e = need_digits(c, 2, 6)) || (e = need_int(c, 5, 1, 3, &tier)) || (e = need_money(c, 6, &m)) ||
      (e = need_money(c, 7, &h)) || (e = need_nonempty(c, 8)))
    return e;
  set_text(c, 0, 0);
  set_text(c, 1, 1);
  set_text(c, 2, 2);
  set_int(c, 3, tier);
  set_int(c, 4, m);
  set_int(c, 5, h);
  set_text(c, 6, 8);
  return set_key(c, cell(c, 0), cell(c, 2));
}

static const char *const industry_levels[] = {"section", "division", "group", "class", NULL};
static const char *const occupation_levels[] = {"major", "middle", "minor", "occupation", NULL};

static np_err row_industries_full(rowctx_t *c) {
  /* code,name,level,section,parent_code */
  np_err e;
  if ((e = need_nonempty(c, 0)) || (e = need_nonempty(c, 1)) || (e = need_one_of(c, 2, industry_levels)) ||
      (e = need_nonempty(c, 3)))
    return e;
  bool section = strcmp(cell(c, 2), "section") == 0;
  if (section != (cell_len(c, 4) == 0)) return bad(c, 4, "only sections have no parent");
  if (!section && !all_digits(cell(c, 0), cell_len(c, 0))) return bad(c, 0, "wrong code");
  set_text(c, 0, 0);
  set_text(c, 1, 1);
  set_text(c, 2, 2);
  set_text(c, 3, 3);
  set_text_or_null(c, 4, 4);
  return set_key(c, cell(c, 0), NULL);
}

static np_err row_industries_short(rowctx_t *c) {
  /* code,name,level,section — verified against ref_industries */
  np_err e;
  if ((e = need_nonempty(c, 0)) || (e = need_nonempty(c, 1)) || (e = need_one_of(c, 2, industry_levels))) return e;
  set_text(c, 0, 0);
  set_text(c, 1, 1);
  set_text(c, 2, 2);
  set_text(c, 3, 3);
  return set_key(c, cell(c, 0), NULL);
}

static np_err row_occupations(rowctx_t *c) {
  /* code,gbm_code,name,level,parent_code,check */
  np_err e;
  if ((e = need_nonempty(c, 0)) || (e = need_nonempty(c, 2)) || (e = need_one_of(c, 3, occupation_levels)) ||
      (e = need_nonempty(c, 5)))
    return e;
  bool major = strcmp(cell(c, 3), "major") == 0;
  if (major != (cell_len(c, 4) == 0)) return bad(c, 4, "only major groups have no parent");
  if (!major) {
    size_t pl = cell_len(c, 4);
    if (cell_len(c, 0) <= pl + 1 || memcmp(cell(c, 0), cell(c, 4), pl) != 0 || cell(c, 0)[pl] != '-')
      return bad(c, 4, "parent does not match the code");
  }
  set_text(c, 0, 0);
  set_text_or_null(c, 1, 1);
  set_text(c, 2, 2);
  set_text(c, 3, 3);
  set_text_or_null(c, 4, 4);
  set_text(c, 5, 5);
  return set_key(c, cell(c, 0), NULL);
}

static np_err row_skill_levels(rowctx_t *c) {
  /* rank,name,name_en,national_level,national_level_number,note */
  np_err e;
  int64_t rank = 0, nl = 0;
  if ((e = need_int(c, 0, 1, 8, &rank)) || (e = need_nonempty(c, 1)) || (e = need_nonempty(c, 2))) return e;
  if (cell_len(c, 4) && (e = need_int(c, 4, 1, 5, &nl))) return e;
  set_int(c, 0, rank);
  set_text(c, 1, 1);
  set_text(c, 2, 2);
  set_text_or_null(c, 3, 3);
  if (cell_len(c, 4))
    set_int(c, 4, nl);
  else
    c->v[4] = (val_t){V_NULL, NULL, 0};
  set_text_or_null(c, 5, 5);
  return set_key(c, cell(c, 0), NULL);
}

static np_err row_policy(rowctx_t *c) {
  /* policy,parameter,value,unit,effective_from,effective_to,source */
  np_err e;
  if ((e = need_nonempty(c, 0)) || (e = need_nonempty(c, 1)) || (e = need_nonempty(c, 2)) ||
      (e = need_date_or_empty(c, 4)) || (e = need_date_or_empty(c, 5)))
    return e;
  set_text(c, 0, 0);
  set_text(c, 1, 1);
  set_text(c, 2, 2);
  set_text_or_null(c, 3, 3);
  set_text_or_null(c, 4, 4);
  set_text_or_null(c, 5, 5);
  set_text_or_null(c, 6, 6);
  return set_key(c, cell(c, 0), cell(c, 1));
}

#define REGION_UPSERT                                                                                        \
  "INSERT INTO ref_regions (code, name, level, parent_code, type, in_gbt2260, centroid_lat_e6, "             \
  "centroid_lon_e6) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET name = excluded.name, " \
  "level = excluded.level, parent_code = excluded.parent_code, type = excluded.type, "                     \
  "in_gbt2260 = excluded.in_gbt2260, centroid_lat_e6 = excluded.centroid_lat_e6, "                         \
  "centroid_lon_e6 = excluded.centroid_lon_e6"

/* Order matters: regions top-down (not required by the schema, but readable), full industries before
 * the short list that is checked against them. */
static const file_spec_t files[] = {
  {"cities.csv", "ref_regions", "code,name", REGION_UPSERT, 8, row_cities,
   "SELECT code FROM ref_regions WHERE level IN ('province', 'city')", "DELETE FROM ref_regions WHERE code = ?",
   false, NULL, false},
  {"counties.csv", "ref_regions", "code,name,city_code,type,in_gbt2260,centroid_lat,centroid_lon", REGION_UPSERT, 8,
   row_counties, "SELECT code FROM ref_regions WHERE level = 'county'", "DELETE FROM ref_regions WHERE code = ?",
   false, NULL, false},
  {"townships.csv", "ref_regions", "code,name,county_code,type", REGION_UPSERT, 8, row_townships,
   "SELECT code FROM ref_regions WHERE level = 'township'", "DELETE FROM ref_regions WHERE code = ?", false, NULL,
   false},
  {"villages.csv", "ref_regions", "code,name,township_code", REGION_UPSERT, 8, row_villages,
   "SELECT code FROM ref_regions WHERE level = 'village'", "DELETE FROM ref_regions WHERE code = ?", false, NULL,
   false},
  {"economic_circles.csv", "ref_economic_circles", "circle,circle_en,city_code,city_name",
   "INSERT INTO ref_economic_circles (city_code, circle, circle_en) VALUES (?, ?, ?) ON CONFLICT (city_code) DO "
   "UPDATE SET circle = excluded.circle, circle_en = excluded.circle_en",
   3, row_circles, "SELECT city_code FROM ref_economic_circles", "DELETE FROM ref_economic_circles WHERE city_code = ?",
   false, NULL, false},
  {"minimum_wage.csv", "ref_min_wage_standards", "standard,issued,effective_from,effective_to,tier,monthly_yuan,hourly_yuan,note",
   "INSERT INTO ref_min_wage_standards (standard, issued, effective_from, effective_to, tier, monthly_fen, "
   "hourly_fen, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
   8, row_min_wage, NULL, NULL, false, "DELETE FROM ref_min_wage_standards", false},
  {"minimum_wage_by_county.csv", "ref_min_wage_county",
   "standard,effective_from,county_code,county_name,city_code,tier,monthly_yuan,hourly_yuan,basis",
   "INSERT INTO ref_min_wage_county (standard, effective_from, county_code, tier, monthly_fen, hourly_fen, basis) "
   "VALUES (?, ?, ?, ?, ?, ?, ?)",
   7, row_min_wage_county, NULL, NULL, false, "DELETE FROM ref_min_wage_county", false},
  {"industries_gbt4754_2017_full.csv", "ref_industries", "code,name,level,section,parent_code",
   "INSERT INTO ref_industries (code, name, level, section, parent_code) VALUES (?, ?, ?, ?, ?) ON CONFLICT (code) "
   "DO UPDATE SET name = excluded.name, level = excluded.level, section = excluded.section, "
   "parent_code = excluded.parent_code",
   5, row_industries_full, "SELECT code FROM ref_industries", "DELETE FROM ref_industries WHERE code = ?", false, NULL,
   false},
  {"industries.csv", "ref_industries", "code,name,level,section",
   "SELECT COUNT(*) FROM ref_industries WHERE code = ? AND name = ? AND level = ? AND section = ?", 4,
   row_industries_short, NULL, NULL, false, NULL, true},
  {"occupations.csv", "ref_occupations", "code,gbm_code,name,level,parent_code,check",
   "INSERT INTO ref_occupations (code, gbm_code, name, level, parent_code, check_status) VALUES (?, ?, ?, ?, ?, ?) "
   "ON CONFLICT (code) DO UPDATE SET gbm_code = excluded.gbm_code, name = excluded.name, level = excluded.level, "
   "parent_code = excluded.parent_code, check_status = excluded.check_status",
   6, row_occupations, "SELECT code FROM ref_occupations", "DELETE FROM ref_occupations WHERE code = ?", false, NULL,
   false},
  {"skill_levels.csv", "ref_skill_levels", "rank,name,name_en,national_level,national_level_number,note",
   "INSERT INTO ref_skill_levels (rank, name, name_en, national_level, national_level_number, note) VALUES (?, ?, ?, "
   "?, ?, ?) ON CONFLICT (rank) DO UPDATE SET name = excluded.name, name_en = excluded.name_en, national_level = "
   "excluded.national_level, national_level_number = excluded.national_level_number, note = excluded.note",
   6, row_skill_levels, "SELECT rank FROM ref_skill_levels", "DELETE FROM ref_skill_levels WHERE rank = ?", true,
   NULL, false},
  {"policy_parameters.csv", "ref_policy_parameters", "policy,parameter,value,unit,effective_from,effective_to,source",
   "INSERT INTO ref_policy_parameters (policy, parameter, value, unit, effective_from, effective_to, source) VALUES "
   "(?, ?, ?, ?, ?, ?, ?)",
   7, row_policy, NULL, NULL, false, "DELETE FROM ref_policy_parameters", false},
};
#define NFILES (sizeof files / sizeof files[0])

/* ---- helpers ---- */

static np_err sha256_hex(const void *data, size_t len, char hex[65], np_errdetail_t *err) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdlen = 0;
  if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
    return np_fail(err, NP_ERR_CRYPTO, "sha256_failed", "", "SHA-256 failed");
  static const char digits[] = "0123456789abcdef";
  for (unsigned i = 0; i < 32; i++) {
    hex[2 * i] = digits[md[i] >> 4];
    hex[2 * i + 1] = digits[md[i] & 15];
  }
  hex[64] = '\0';
  return NP_OK;
}

static np_err bind_vals(np_stmt_t *st, const val_t *v, int n) {
  np_err e = NP_OK;
  for (int i = 0; i < n && !e; i++) {
    switch (v[i].kind) {
    case V_NULL: e = np_store_bind_null(st, i + 1); break;
    case V_TEXT: e = np_store_bind_text(st, i + 1, v[i].s, NP_STORE_STRLEN); break;
    case V_INT: e = np_store_bind_int64(st, i + 1, v[i].i); break;
    }
  }
  return e;
}

/* Runs a prepared statement once with values; *count receives the first column of the first row
 * when not NULL. */
static np_err run(np_store_t *s, const char *sql, const val_t *v, int n, int64_t *count, np_errdetail_t *err) {
  np_stmt_t *st = NULL;
  bool has = false;
  np_err e = np_store_prepare(s, sql, &st, err);
  if (e) return e;
  if ((e = bind_vals(st, v, n))) {
    np_fail(err, e, "ref_bind", "", "binding values failed");
    goto out;
  }
  if ((e = np_store_step(st, &has, err))) goto out;
  if (count) *count = has ? np_store_col_int64(st, 0) : 0;
out:
  np_store_release(st);
  return e;
}

static np_err stored_sha(np_store_t *s, const char *file, char out[65], int64_t *rows, bool *found,
                         np_errdetail_t *err) {
  np_stmt_t *st = NULL;
  bool has = false;
  *found = false;
  np_err e = np_store_prepare(s, "SELECT sha256, rows FROM ref_meta WHERE file = ?", &st, err);
  if (e) return e;
  if ((e = np_store_bind_text(st, 1, file, NP_STORE_STRLEN))) goto out;
  if ((e = np_store_step(st, &has, err))) goto out;
  if (has) {
    const char *t = np_store_col_text(st, 0);
    if (t && strlen(t) == 64) {
      memcpy(out, t, 65);
      *rows = np_store_col_int64(st, 1);
      *found = true;
    }
  }
out:
  np_store_release(st);
  return e;
}

static np_err existing_keys(np_store_t *s, const file_spec_t *f, keyset_t *ks, np_errdetail_t *err) {
  np_stmt_t *st = NULL;
  bool has = false, added;
  char buf[32];
  np_err e = np_store_prepare(s, f->select_keys, &st, err);
  if (e) return e;
  for (;;) {
    if ((e = np_store_step(st, &has, err)) || !has) break;
    const char *k = np_store_col_text(st, 0);
    if (f->int_key) {
      snprintf(buf, sizeof buf, "%lld", (long long)np_store_col_int64(st, 0));
      k = buf;
    }
    if (!k) continue;
    if ((e = keyset_add(ks, k, &added))) {
      np_fail(err, e, "nomem", "", "out of memory");
      break;
    }
  }
  np_store_release(st);
  return e;
}

static np_err delete_missing(np_store_t *s, const file_spec_t *f, const keyset_t *before, const keyset_t *seen,
                             np_errdetail_t *err) {
  for (size_t i = 0; i < before->cap; i++) {
    const char *k = before->slots[i];
    if (!k || keyset_has(seen, k)) continue;
    val_t v = {V_TEXT, k, 0};
    if (f->int_key) {
      int64_t n = 0;
      for (const char *p = k; *p; p++) n = n * 10 + (*p - '0');
      v = (val_t){V_INT, NULL, n};
    }
    np_err e = run(s, f->delete_key, &v, 1, NULL, err);
    if (e) {
      if (e == NP_ERR_CONFLICT)
        np_fail(err, e, "ref_in_use", f->file, "%s: '%s' is no longer in the reference data but is still in use", f->file,
                k);
      return e;
    }
  }
  return NP_OK;
}

static bool header_matches(const np_row_t *row, const char *want) {
  const char *p = want;
  for (size_t i = 0; i < row->ncells; i++) {
    size_t n = strcspn(p, ",");
    if (row->lens[i] != n || memcmp(row->cells[i], p, n) != 0) return false;
    p += n;
    if (*p == ',')
      p++;
    else
      return i + 1 == row->ncells;
  }
  return false;
}

static size_t count_cols(const char *header) {
  size_t n = 1;
  for (; *header; header++) n += *header == ',';
  return n;
}

/* Loads one file inside the caller's transaction. */
static np_err load_rows(np_store_t *s, const file_spec_t *f, const np_embed_entry_t *ent, np_ref_file_stats_t *fs,
                        np_errdetail_t *err) {
  np_rows_t *r = NULL;
  keyset_t seen = {0}, before = {0};
  np_rows_opts_t opts = {.format = NP_ROWS_CSV, .charset = "UTF-8"};
  np_row_t row;
  bool has = false, first = true, added;
  size_t ncols = count_cols(f->header);
  rowctx_t c;
  np_err e = np_rows_open_mem(ent->data, (size_t)*ent->len, &opts, &r, err);
  if (e) goto out;

  if (f->select_keys && (e = existing_keys(s, f, &before, err))) goto out;
  if (f->delete_all && (e = np_store_exec(s, f->delete_all, err))) goto out;
  if (f->file[0] == 'c' && strcmp(f->file, "cities.csv") == 0) {
    /* The province itself is not in the CSVs. */
    val_t pv[8] = {{V_TEXT, "370000", 0}, {V_TEXT, "山东省", 0}, {V_TEXT, "province", 0}, {V_NULL, NULL, 0},
                   {V_TEXT, "province", 0}, {V_INT, NULL, 1},    {V_NULL, NULL, 0},       {V_NULL, NULL, 0}};
    if ((e = run(s, f->upsert, pv, 8, NULL, err))) goto out;
    if ((e = keyset_add(&seen, "370000", &added))) goto nomem;
    fs->stored++;
  }

  for (;;) {
    if ((e = np_rows_next(r, &row, &has, err))) goto out;
    if (!has) break;
    if (first) {
      first = false;
      if (!header_matches(&row, f->header)) {
        e = np_fail(err, NP_ERR_SCHEMA, "ref_bad_header", f->file, "%s: header is not '%s'", f->file, f->header);
        goto out;
      }
      continue;
    }
    fs->rows++;
    if (row.ncells != ncols) {
      e = np_fail(err, NP_ERR_SCHEMA, "ref_bad_row", f->file, "%s row %zu: %zu columns, expected %zu", f->file, row.line,
                  row.ncells, ncols);
      goto out;
    }
    memset(c.v, 0, sizeof c.v);
    c.key[0] = '\0';
    c.row = &row;
    c.file = f->file;
    c.err = err;
    if ((e = f->row(&c))) goto out;
    if ((e = keyset_add(&seen, c.key, &added))) goto nomem;
    if (!added) {
      /* Keep the first row of a key; the source data has one known defect of this kind (REFERENCE.md). */
      fs->duplicates++;
      np_log_warn("ref.duplicate", "%s row %zu: key '%s' repeats an earlier row; row dropped", f->file, row.line,
                  row.cells[0]);
      continue;
    }
    if (f->verify_only) {
      int64_t n = 0;
      if ((e = run(s, f->upsert, c.v, f->nvals, &n, err))) goto out;
      if (n != 1) {
        e = np_fail(err, NP_ERR_SCHEMA, "ref_mismatch", f->file, "%s row %zu: '%s %s' is not in %s", f->file, row.line,
                    row.cells[0], row.cells[1], f->table);
        goto out;
      }
      continue;
    }
    if ((e = run(s, f->upsert, c.v, f->nvals, NULL, err))) goto out;
    fs->stored++;
  }
  if (first) {
    e = np_fail(err, NP_ERR_SCHEMA, "ref_empty", f->file, "%s is empty", f->file);
    goto out;
  }
  if (f->select_keys) e = delete_missing(s, f, &before, &seen, err);
  goto out;
nomem:
  np_fail(err, e, "nomem", "", "out of memory");
out:
  np_rows_close(r);
  keyset_free(&seen);
  keyset_free(&before);
  return e;
}

static np_err load_file(np_store_t *s, const file_spec_t *f, np_ref_file_stats_t *fs, np_errdetail_t *err) {
  char name[96], hex[65], old[65];
  bool found = false;
  snprintf(name, sizeof name, "ref/%s", f->file);
  const np_embed_entry_t *ent = np_embed_find(name);
  if (!ent) return np_fail(err, NP_ERR_INTERNAL, "ref_missing", f->file, "reference file %s is not embedded", f->file);
  np_err e = sha256_hex(ent->data, (size_t)*ent->len, hex, err);
  if (e) return e;
  if ((e = np_store_begin(s, err))) return e;
  int64_t old_rows = 0;
  if ((e = stored_sha(s, f->file, old, &old_rows, &found, err))) goto out;
  if (found && strcmp(old, hex) == 0) {
    fs->skipped = true;
    fs->rows = old_rows;
    goto out; /* commit the empty transaction */
  }
  if ((e = load_rows(s, f, ent, fs, err))) goto out;

  char ts[NP_TS_STRLEN];
  if ((e = np_date_format_ts_utc((int64_t)time(NULL), ts, sizeof ts))) {
    np_fail(err, e, "clock", "", "cannot format the current time");
    goto out;
  }
  val_t mv[4] = {{V_TEXT, f->file, 0}, {V_TEXT, hex, 0}, {V_INT, NULL, fs->rows}, {V_TEXT, ts, 0}};
  if ((e = run(s,
               "INSERT INTO ref_meta (file, sha256, rows, loaded_at) VALUES (?, ?, ?, ?) ON CONFLICT (file) DO UPDATE "
               "SET sha256 = excluded.sha256, rows = excluded.rows, loaded_at = excluded.loaded_at",
               mv, 4, NULL, err)))
    goto out;
  /* One change row per file (a bulk load is not 62k entity changes): followers reload the table. */
  if (f->verify_only) goto out;
  char entity[64];
  snprintf(entity, sizeof entity, "ref_%s", f->table + 4);
  if ((e = np_store_change(s, entity, f->file, "update", NULL, err))) goto out;
out:
  if (e) {
    np_store_rollback(s);
    return e;
  }
  return np_store_commit(s, err);
}

np_err np_ref_load(np_store_t *s, np_ref_load_stats_t *stats, np_errdetail_t *err) {
  np_ref_load_stats_t local;
  if (!stats) stats = &local;
  memset(stats, 0, sizeof *stats);
  _Static_assert(NFILES <= NP_REF_MAX_FILES, "too many reference files");
  for (size_t i = 0; i < NFILES; i++) {
    np_ref_file_stats_t *fs = &stats->files[stats->nfiles++];
    fs->file = files[i].file;
    fs->table = files[i].table;
    np_err e = load_file(s, &files[i], fs, err);
    if (e) return e;
    if (fs->skipped)
      stats->skipped++;
    else
      stats->loaded++;
  }
  return NP_OK;
}
