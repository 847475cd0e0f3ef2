/* Columnar facts for the rules engine: schema, building, link resolution, collections, hashing. */
#include "policy/facts.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/date.h"
#include "crypto/crypto.h"

#define F(n, t, w, nl, csv) {n, t, w, nl, csv}
static const np_pkind_def_t kinds[NP_PK__COUNT] = {
  [NP_PK_ENTERPRISE] = {"enterprise", "enterprises",
    {F("id", NP_PT_INT, 8, false, "enterprise_id"), F("size_class", NP_PT_TEXT, 8, false, "size_class"),
     F("industry_section", NP_PT_TEXT, 8, false, "industry_section"), F("industry_code", NP_PT_TEXT, 8, false, "industry_code"),
     F("county_code", NP_PT_TEXT, 8, false, "county_code"), F("headcount", NP_PT_INT, 4, false, "headcount")},
    6, {{0}}, 0,
    {{"facts", NP_PK_FACT, 0}, {"spells", NP_PK_SPELL, 1}, {"internships", NP_PK_INTERNSHIP, 1}}, 3},
  [NP_PK_FACT] = {"fact", "facts",
    {F("id", NP_PT_INT, 8, false, NULL), F("enterprise", NP_PT_INT, 4, false, "enterprise_id"),
     F("month", NP_PT_DATE, 4, false, "month"), F("insured", NP_PT_INT, 4, false, "insured"),
     F("new_hires", NP_PT_INT, 4, false, "new_hires"), F("separations", NP_PT_INT, 4, false, "separations"),
     F("layoffs", NP_PT_INT, 4, false, "layoffs"), F("ui_due", NP_PT_MONEY, 8, false, "ui_due_yuan"),
     F("ui_paid", NP_PT_MONEY, 8, false, "ui_paid_yuan"), F("arrears", NP_PT_MONEY, 8, false, "arrears_yuan")},
    10, {{"enterprise", NP_PK_ENTERPRISE, 1}}, 1, {{0}}, 0},
  [NP_PK_PERSON] = {"person", "persons",
    {F("id", NP_PT_INT, 8, false, "person_id"), F("birth_date", NP_PT_DATE, 4, false, "birth_date"),
     F("graduation_date", NP_PT_DATE, 4, true, "graduation_date"),
     F("unemployed_since", NP_PT_DATE, 4, true, "registered_unemployed_since"),
     F("hardship", NP_PT_BOOL, 1, false, "hardship")},
    5, {{0}}, 0,
    {{"spells", NP_PK_SPELL, 0}, {"internships", NP_PK_INTERNSHIP, 0}, {"certificates", NP_PK_CERTIFICATE, 0}}, 3},
  [NP_PK_SPELL] = {"spell", "spells",
    {F("id", NP_PT_INT, 8, false, "spell_id"), F("person", NP_PT_INT, 4, false, "person_id"),
     F("enterprise", NP_PT_INT, 4, false, "enterprise_id"), F("start", NP_PT_DATE, 4, false, "start_date"),
     F("end", NP_PT_DATE, 4, true, "end_date"), F("contract_months", NP_PT_INT, 4, false, "contract_months"),
     F("insured_months", NP_PT_INT, 4, false, "insured_months"),
     F("absorption_subsidy", NP_PT_BOOL, 1, false, "absorption_subsidy"),
     F("employer_ss_monthly", NP_PT_MONEY, 8, false, "employer_ss_monthly_yuan")},
    9, {{"person", NP_PK_PERSON, 1}, {"enterprise", NP_PK_ENTERPRISE, 2}}, 2, {{0}}, 0},
  [NP_PK_INTERNSHIP] = {"internship", "internships",
    {F("id", NP_PT_INT, 8, false, "internship_id"), F("person", NP_PT_INT, 4, false, "person_id"),
     F("enterprise", NP_PT_INT, 4, false, "enterprise_id"), F("start", NP_PT_DATE, 4, false, "start_date"),
     F("months", NP_PT_INT, 4, false, "months"), F("retained", NP_PT_BOOL, 1, false, "retained")},
    6, {{"person", NP_PK_PERSON, 1}, {"enterprise", NP_PK_ENTERPRISE, 2}}, 2, {{0}}, 0},
  [NP_PK_CERTIFICATE] = {"certificate", "certificates",
    {F("id", NP_PT_INT, 8, false, "certificate_id"), F("person", NP_PT_INT, 4, false, "person_id"),
     F("level", NP_PT_INT, 1, false, "level"), F("date", NP_PT_DATE, 4, false, "date"),
     F("occupation", NP_PT_TEXT, 8, false, "occupation")},
    5, {{"person", NP_PK_PERSON, 1}}, 1, {{0}}, 0},
};
#undef F

static const char *const type_names[NP_PT__COUNT] = {"bool", "int", "money", "rate", "ratio", "exact_money",
                                                     "date", "days", "months", "text"};

const char *np_ptype_name(np_ptype_t t) { return (unsigned)t < NP_PT__COUNT ? type_names[t] : "?"; }

const np_pkind_def_t *np_policy_kind(np_pkind_t k) { return (unsigned)k < NP_PK__COUNT ? &kinds[k] : NULL; }

int np_policy_kind_find(const char *name) {
  for (int k = 0; k < NP_PK__COUNT; k++)
    if (strcmp(kinds[k].name, name) == 0 || strcmp(kinds[k].plural, name) == 0) return k;
  return -1;
}

int np_policy_field_find(np_pkind_t k, const char *name) {
  const np_pkind_def_t *d = np_policy_kind(k);
  if (!d) return -1;
  for (int i = 0; i < d->nfields; i++)
    if (strcmp(d->fields[i].name, name) == 0) return i;
  return -1;
}

static int link_target(np_pkind_t k, int field) {
  for (int l = 0; l < kinds[k].nlinks; l++)
    if (kinds[k].links[l].field == field) return (int)kinds[k].links[l].target;
  return -1;
}

np_err np_policy_text_pack(const char *s, size_t n, int64_t *out) {
  if (n > 8) return NP_ERR_INVALID;
  uint64_t v = 0;
  for (size_t i = 0; i < 8; i++) {
    unsigned char c = i < n ? (unsigned char)s[i] : 0;
    if (i < n && (c == 0 || c >= 0x80)) return NP_ERR_INVALID;
    v = (v << 8) | c;
  }
  *out = (int64_t)v;
  return NP_OK;
}

void np_policy_text_unpack(int64_t v, char *out, size_t cap) {
  if (cap == 0) return;
  size_t j = 0;
  if (v == NP_POLICY_UNKNOWN) {
    out[0] = 0;
    return;
  }
  for (int i = 7; i >= 0 && j + 1 < cap; i--) {
    char c = (char)(((uint64_t)v >> (i * 8)) & 0xff);
    if (c) out[j++] = c;
  }
  out[j] = 0;
}

np_policy_facts_t *np_policy_facts_new(void) { return calloc(1, sizeof(np_policy_facts_t)); }

void np_policy_facts_free(np_policy_facts_t *f) {
  if (!f) return;
  for (int k = 0; k < NP_PK__COUNT; k++) {
    for (int i = 0; i < NP_PMAX_FIELDS; i++) free(f->t[k].col[i]);
    for (int c = 0; c < NP_PMAX_COLLS; c++) {
      free(f->t[k].coll[c].off);
      free(f->t[k].coll[c].rows);
    }
  }
  free(f);
}

/* Link fields are appended as ids (int64) into a side column col[NP_PMAX_FIELDS - 1 - link] until finish. */
static int link_side(int link) { return NP_PMAX_FIELDS - 1 - link; }

np_err np_policy_facts_reserve(np_policy_facts_t *f, np_pkind_t k, size_t n) {
  np_ptable_t *t = &f->t[k];
  if (n <= t->cap - t->n && t->col[0]) return NP_OK;
  size_t want = t->cap ? t->cap : 64;
  while (want - t->n < n) {
    if (want > SIZE_MAX / 4) return NP_ERR_NOMEM;
    want *= 2;
  }
  const np_pkind_def_t *d = &kinds[k];
  for (int i = 0; i < d->nfields; i++) {
    void *p = realloc(t->col[i], want * (size_t)d->fields[i].width);
    if (!p) return NP_ERR_NOMEM;
    t->col[i] = p;
  }
  if (!f->finished)
    for (int l = 0; l < d->nlinks; l++) {
      void *p = realloc(t->col[link_side(l)], want * sizeof(int64_t));
      if (!p) return NP_ERR_NOMEM;
      t->col[link_side(l)] = p;
    }
  t->cap = want;
  return NP_OK;
}

static int64_t null_of(int width) {
  return width == 1 ? INT8_MIN : width == 2 ? INT16_MIN : width == 4 ? INT32_MIN : INT64_MIN;
}

static np_err put(void *col, int width, size_t row, int64_t v, bool nullable) {
  if (v == NP_POLICY_UNKNOWN) {
    if (!nullable) return NP_ERR_INVALID;
    v = null_of(width);
  } else if (v <= null_of(width) || (width < 8 && v > -null_of(width) - 1)) {
    return NP_ERR_INVALID;
  }
  switch (width) {
  case 1: ((int8_t *)col)[row] = (int8_t)v; break;
  case 2: ((int16_t *)col)[row] = (int16_t)v; break;
  case 4: ((int32_t *)col)[row] = (int32_t)v; break;
  default: ((int64_t *)col)[row] = v; break;
  }
  return NP_OK;
}

np_err np_policy_facts_append(np_policy_facts_t *f, np_pkind_t k, const int64_t *vals, np_errdetail_t *err) {
  if (f->finished) return np_fail(err, NP_ERR_INTERNAL, "finished", "", "facts already finished");
  np_err e = np_policy_facts_reserve(f, k, 1);
  if (e) return np_fail(err, e, "nomem", "", "out of memory");
  np_ptable_t *t = &f->t[k];
  const np_pkind_def_t *d = &kinds[k];
  for (int i = 0; i < d->nfields; i++) {
    int link = -1;
    for (int l = 0; l < d->nlinks; l++)
      if (d->links[l].field == i) link = l;
    if (link >= 0) {
      if (vals[i] == NP_POLICY_UNKNOWN)
        return np_fail(err, NP_ERR_INVALID, "missing", d->fields[i].name, "%s: %s is required", d->name, d->fields[i].name);
      ((int64_t *)t->col[link_side(link)])[t->n] = vals[i];
      continue;
    }
    if (put(t->col[i], d->fields[i].width, t->n, vals[i], d->fields[i].nullable))
      return np_fail(err, NP_ERR_INVALID, "out_of_range", d->fields[i].name, "%s: %s %s", d->name, d->fields[i].name,
                     vals[i] == NP_POLICY_UNKNOWN ? "is required" : "is out of range");
  }
  t->n++;
  return NP_OK;
}

int64_t np_policy_facts_get(const np_policy_facts_t *f, np_pkind_t k, int field, size_t row) {
  const void *c = f->t[k].col[field];
  int w = kinds[k].fields[field].width;
  int64_t v;
  switch (w) {
  case 1: v = ((const int8_t *)c)[row]; break;
  case 2: v = ((const int16_t *)c)[row]; break;
  case 4: v = ((const int32_t *)c)[row]; break;
  default: return ((const int64_t *)c)[row];
  }
  return v == null_of(w) ? NP_POLICY_UNKNOWN : v;
}

int64_t np_policy_facts_find(const np_policy_facts_t *f, np_pkind_t k, int64_t id) {
  const int64_t *ids = f->t[k].col[0];
  size_t lo = 0, hi = f->t[k].n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (ids[mid] < id) lo = mid + 1;
    else hi = mid;
  }
  return lo < f->t[k].n && ids[lo] == id ? (int64_t)lo : -1;
}

static int cmp_perm(const void *a, const void *b, void *ctx) {
  const int64_t *ids = ctx;
  int64_t x = ids[*(const size_t *)a], y = ids[*(const size_t *)b];
  return x < y ? -1 : x > y;
}

static np_err permute(void **col, size_t width, const size_t *perm, size_t n) {
  if (!*col) return NP_OK;
  char *nc = malloc(n ? n * width : 1);
  if (!nc) return NP_ERR_NOMEM;
  for (size_t i = 0; i < n; i++) memcpy(nc + i * width, (char *)*col + perm[i] * width, width);
  free(*col);
  *col = nc;
  return NP_OK;
}

np_err np_policy_facts_finish(np_policy_facts_t *f, bool resolved_links, np_errdetail_t *err) {
  if (f->finished) return NP_OK;
  for (int k = 0; k < NP_PK__COUNT; k++) {
    if (f->t[k].col[0]) continue;
    np_err e = np_policy_facts_reserve(f, (np_pkind_t)k, 1); /* every column exists */
    if (e) return np_fail(err, e, "nomem", "", "out of memory");
  }
  /* 1. sort each kind by id */
  for (int k = 0; k < NP_PK__COUNT; k++) {
    np_ptable_t *t = &f->t[k];
    const int64_t *ids = t->col[0];
    bool sorted = true;
    for (size_t i = 1; i < t->n && sorted; i++)
      if (ids[i] <= ids[i - 1]) sorted = false;
    if (sorted) continue;
    size_t *perm = malloc((t->n ? t->n : 1) * sizeof *perm);
    if (!perm) return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
    for (size_t i = 0; i < t->n; i++) perm[i] = i;
    qsort_r(perm, t->n, sizeof *perm, cmp_perm, (void *)(uintptr_t)ids);
    for (size_t i = 1; i < t->n; i++)
      if (ids[perm[i]] == ids[perm[i - 1]]) {
        int64_t dup = ids[perm[i]];
        free(perm);
        return np_fail(err, NP_ERR_INVALID, "duplicate_id", kinds[k].name, "%s: id %lld appears twice", kinds[k].name,
                       (long long)dup);
      }
    np_err e = NP_OK;
    for (int i = 0; i < kinds[k].nfields && !e; i++) e = permute(&t->col[i], (size_t)kinds[k].fields[i].width, perm, t->n);
    for (int l = 0; l < kinds[k].nlinks && !e && !resolved_links; l++)
      e = permute(&t->col[link_side(l)], sizeof(int64_t), perm, t->n);
    free(perm);
    if (e) return np_fail(err, e, "nomem", "", "out of memory");
  }
  /* 2. resolve links (ids → row indexes) */
  for (int k = 0; k < NP_PK__COUNT && !resolved_links; k++) {
    np_ptable_t *t = &f->t[k];
    for (int l = 0; l < kinds[k].nlinks; l++) {
      const np_plink_t *lk = &kinds[k].links[l];
      int64_t *ids = t->col[link_side(l)];
      int32_t *rows = t->col[lk->field];
      for (size_t i = 0; i < t->n; i++) {
        int64_t r = np_policy_facts_find(f, lk->target, ids[i]);
        if (r < 0)
          return np_fail(err, NP_ERR_INVALID, "unknown_link", lk->name, "%s %lld: unknown %s %lld", kinds[k].name,
                         (long long)((int64_t *)t->col[0])[i], lk->name, (long long)ids[i]);
        rows[i] = (int32_t)r;
      }
      free(t->col[link_side(l)]);
      t->col[link_side(l)] = NULL;
    }
  }
  /* 3. collections: counting sort of children by parent row (stable: id order within a parent) */
  for (int k = 0; k < NP_PK__COUNT; k++) {
    np_ptable_t *t = &f->t[k];
    for (int c = 0; c < kinds[k].ncolls; c++) {
      const np_pcoll_t *co = &kinds[k].colls[c];
      np_ptable_t *ct = &f->t[co->child];
      const int32_t *parent = ct->col[kinds[co->child].links[co->link].field];
      np_pindex_t *ix = &t->coll[c];
      ix->off = calloc(t->n + 1, sizeof(int64_t));
      ix->rows = malloc((ct->n ? ct->n : 1) * sizeof(int32_t));
      if (!ix->off || !ix->rows) return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
      for (size_t i = 0; i < ct->n; i++) ix->off[parent[i] + 1]++;
      for (size_t i = 0; i < t->n; i++) ix->off[i + 1] += ix->off[i];
      int64_t *pos = malloc((t->n ? t->n : 1) * sizeof(int64_t));
      if (!pos) return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
      memcpy(pos, ix->off, t->n * sizeof(int64_t));
      for (size_t i = 0; i < ct->n; i++) ix->rows[pos[parent[i]]++] = (int32_t)i;
      free(pos);
    }
  }
  f->finished = true;
  return NP_OK;
}

void np_policy_facts_hash(const np_policy_facts_t *f, char hex[65]) {
  /* tree hash: SM3 of each column (values as little-endian int64), then SM3 of all column digests */
  unsigned char *digests = NULL;
  size_t nd = 0;
  int ncols = 0;
  for (int k = 0; k < NP_PK__COUNT; k++) ncols += kinds[k].nfields;
  digests = calloc((size_t)ncols + 1, 32);
  enum { CH = 8192 };
  int64_t *buf = malloc(CH * sizeof(int64_t));
  unsigned char *chunkd = NULL;
  for (int k = 0; k < NP_PK__COUNT && digests && buf; k++) {
    const np_ptable_t *t = &f->t[k];
    for (int i = 0; i < kinds[k].nfields; i++) {
      size_t nch = (t->n + CH - 1) / CH;
      chunkd = malloc((nch + 1) * 32);
      if (!chunkd) break;
      for (size_t c = 0; c < nch; c++) {
        size_t m = 0;
        for (size_t r = c * CH; r < t->n && m < CH; r++, m++) {
          int64_t v = np_policy_facts_get(f, (np_pkind_t)k, i, r);
          int tk = link_target((np_pkind_t)k, i);
          if (tk >= 0) v = ((const int64_t *)f->t[tk].col[0])[v]; /* links hash as the target's id */
          buf[m] = v;
        }
        np_crypto_sm3(buf, m * sizeof(int64_t), chunkd + c * 32);
      }
      char label[64];
      int ln = snprintf(label, sizeof label, "%s.%s:%zu", kinds[k].name, kinds[k].fields[i].name, t->n);
      memcpy(chunkd + nch * 32, label, ln < 32 ? (size_t)ln : 32);
      if (ln < 32) memset(chunkd + nch * 32 + ln, 0, 32 - (size_t)ln);
      np_crypto_sm3(chunkd, (nch + 1) * 32, digests + nd * 32);
      nd++;
      free(chunkd);
      chunkd = NULL;
    }
  }
  unsigned char out[32] = {0};
  if (digests) np_crypto_sm3(digests, nd * 32, out);
  for (int i = 0; i < 32; i++) {
    static const char hx[] = "0123456789abcdef";
    hex[2 * i] = hx[out[i] >> 4];
    hex[2 * i + 1] = hx[out[i] & 15];
  }
  hex[64] = 0;
  free(digests);
  free(buf);
}

/* ---- calendar ---- */

/* years and months of days since 1970 via Howard Hinnant's civil_from_days (no table, no division loops) */
static void civil(int64_t z, int *y, int *m) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t yy = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int mm = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = (int)(yy + (mm <= 2));
  *m = mm;
}

/* years of 1900-01-01 … 2999-12-31, built once */
static int16_t *g_years;
static pthread_once_t g_years_once = PTHREAD_ONCE_INIT;
static void years_init(void) {
  size_t n = (size_t)(376199 + 25567 + 1);
  int16_t *t = malloc(n * sizeof *t);
  if (!t) return;
  for (size_t i = 0; i < n; i++) {
    int y, m;
    civil((int64_t)i - 25567, &y, &m);
    t[i] = (int16_t)y;
  }
  g_years = t;
}

int np_policy_year_of(int64_t days) {
  if (days >= -25567 && days <= 376199) {
    if (!g_years) pthread_once(&g_years_once, years_init);
    if (g_years) return g_years[days + 25567];
  }
  int y, m;
  civil(days, &y, &m);
  return y;
}

int np_policy_month_of(int64_t days) {
  int y, m;
  civil(days, &y, &m);
  return m;
}
