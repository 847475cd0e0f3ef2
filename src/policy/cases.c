/* Policy test cases: YAML facts → both evaluation paths → compare with each other and the expectations. */
#include "policy/cases.h"
#include <dirent.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "core/buf.h"
#include "core/date.h"
#include "core/money.h"
#include "core/str.h"
#include "policy/eval.h"
#include "policy/ytree.h"

static np_err cfail(np_errdetail_t *err, const char *file, int line, const char *msg, const char *a) {
  return np_fail(err, NP_ERR_INVALID, "case", "", "%s:%d: %s%s", file, line, msg, a ? a : "");
}

/* "2022-03" or "2022-03-01" → first of the month */
static bool parse_month(const char *s, int64_t *out) {
  char buf[16];
  size_t n = strlen(s);
  if (n == 7) {
    snprintf(buf, sizeof buf, "%s-01", s);
    s = buf;
    n = 10;
  }
  np_date_t d;
  if (np_date_parse(s, n, &d)) return false;
  *out = np_date_month_start(d).days;
  return true;
}

static np_err field_value(const np_pfield_t *f, const np_ynode_t *v, int64_t *out) {
  if (v->type != NP_Y_SCALAR) return NP_ERR_INVALID;
  if (strcmp(v->s, "null") == 0 || strcmp(v->s, "~") == 0 || v->s[0] == 0) {
    *out = NP_POLICY_UNKNOWN;
    return NP_OK;
  }
  if (f->type == NP_PT_DATE && strlen(v->s) == 7) return parse_month(v->s, out) ? NP_OK : NP_ERR_INVALID;
  return np_pvalue_parse(f->type, v->s, out);
}

static np_err load_facts(const char *file, const np_ynode_t *facts, np_policy_facts_t *F, np_errdetail_t *err) {
  if (!facts || facts->type != NP_Y_MAP) return cfail(err, file, facts ? facts->line : 1, "'facts' must be a mapping", NULL);
  int64_t next_fact_id = 1;
  for (size_t s = 0; s < facts->n; s++) {
    const np_ynode_t *key = facts->items[2 * s], *rows = facts->items[2 * s + 1];
    int k = np_policy_kind_find(key->s);
    if (k < 0) return cfail(err, file, key->line, "unknown fact kind: ", key->s);
    if (rows->type != NP_Y_SEQ) return cfail(err, file, rows->line, "a list of rows is expected for ", key->s);
    const np_pkind_def_t *d = np_policy_kind((np_pkind_t)k);
    for (size_t r = 0; r < rows->n; r++) {
      const np_ynode_t *row = rows->items[r];
      if (row->type != NP_Y_MAP) return cfail(err, file, row->line, "a row must be a mapping", NULL);
      int64_t vals[NP_PMAX_FIELDS];
      bool set[NP_PMAX_FIELDS] = {0};
      int64_t m_from = 0, m_to = -1;
      for (size_t i = 0; i < row->n; i++) {
        const char *fn = row->items[2 * i]->s;
        const np_ynode_t *v = row->items[2 * i + 1];
        if (k == NP_PK_FACT && strcmp(fn, "months") == 0) {
          /* "2022-01..2022-12": one row per month */
          const char *dots = v->s ? strstr(v->s, "..") : NULL;
          char a[16] = {0};
          if (!dots || (size_t)(dots - v->s) >= sizeof a) return cfail(err, file, v->line, "months: write FROM..TO (2022-01..2022-12)", NULL);
          memcpy(a, v->s, (size_t)(dots - v->s));
          if (!parse_month(a, &m_from) || !parse_month(dots + 2, &m_to) || m_to < m_from)
            return cfail(err, file, v->line, "months: bad range ", v->s);
          continue;
        }
        int f = np_policy_field_find((np_pkind_t)k, fn);
        if (f < 0) return cfail(err, file, row->items[2 * i]->line, "unknown field: ", fn);
        if (field_value(&d->fields[f], v, &vals[f]))
          return cfail(err, file, v->line, "bad value for ", fn);
        if (k == NP_PK_FACT && f == 2 && vals[f] != NP_POLICY_UNKNOWN) {
          np_date_t dd = {(int32_t)vals[f]};
          vals[f] = np_date_month_start(dd).days;
        }
        set[f] = true;
      }
      for (int f = 0; f < d->nfields; f++)
        if (!set[f]) {
          if (f == 0 && k == NP_PK_FACT) continue;
          if (d->fields[f].nullable) vals[f] = NP_POLICY_UNKNOWN;
          else if (d->fields[f].type == NP_PT_DATE && !(k == NP_PK_FACT && m_to >= 0))
            return cfail(err, file, row->line, "missing date field: ", d->fields[f].name);
          else if (f == 0) return cfail(err, file, row->line, "missing id", NULL);
          else if (d->fields[f].type == NP_PT_TEXT) vals[f] = 0;
          else vals[f] = 0;
          for (int l = 0; l < d->nlinks; l++)
            if (d->links[l].field == f) return cfail(err, file, row->line, "missing link: ", d->fields[f].name);
        }
      if (k == NP_PK_FACT) {
        if (m_to < 0) {
          if (!set[2]) return cfail(err, file, row->line, "a fact row needs month or months", NULL);
          m_from = m_to = vals[2];
        }
        for (int64_t m = m_from; m <= m_to;) {
          vals[0] = set[0] ? vals[0] : next_fact_id++;
          vals[2] = m;
          np_err e = np_policy_facts_append(F, NP_PK_FACT, vals, err);
          if (e) return e;
          int64_t nm;
          np_date_t dd = {(int32_t)m}, nd;
          if (np_date_add_months(dd, 1, &nd)) break;
          nm = nd.days;
          m = nm;
          if (set[0]) set[0] = false;
        }
        continue;
      }
      np_err e = np_policy_facts_append(F, (np_pkind_t)k, vals, err);
      if (e) return np_fail(err, e, err->code, err->field, "%s:%d: %s", file, row->line, err->message);
    }
  }
  return np_policy_facts_finish(F, false, err);
}

static void fmt_obs(const np_pdecisions_t *d, size_t row, bool thr, char *out, size_t cap) {
  np_ptype_t t = np_policy_reason_obs_type(d, row, thr);
  np_pvalue_format(t, thr ? d->thr_v[row] : d->obs_v[row], thr ? d->thr_d[row] : d->obs_d[row], out, cap);
}

static bool same(const np_pdecisions_t *a, const np_pdecisions_t *b, size_t i) {
  return a->eligible[i] == b->eligible[i] && a->reason[i] == b->reason[i] && a->amount[i] == b->amount[i] &&
         a->obs_v[i] == b->obs_v[i] && a->obs_d[i] == b->obs_d[i] && a->thr_v[i] == b->thr_v[i] &&
         a->thr_d[i] == b->thr_d[i] && a->competing[i] == b->competing[i];
}

static int run_case(const np_ppackage_t *pkg, const np_ref_t *ref, const char *file, const np_ynode_t *c, FILE *out,
                    np_pcase_stats_t *st, np_errdetail_t *err, np_err *fatal) {
  const char *name = np_ytree_str(c, "name");
  const char *pol_code = np_ytree_str(c, "policy");
  const char *as_of_s = np_ytree_str(c, "as_of");
  int line = c->line;
  if (!name || !pol_code || !as_of_s) {
    *fatal = cfail(err, file, line, "a case needs name, policy and as_of", NULL);
    return 0;
  }
  const np_ppolicy_t *pol = np_policy_find(pkg, pol_code);
  if (!pol) {
    *fatal = cfail(err, file, line, "unknown policy: ", pol_code);
    return 0;
  }
  np_date_t as_of;
  if (np_date_parse(as_of_s, strlen(as_of_s), &as_of)) {
    *fatal = cfail(err, file, line, "bad as_of: ", as_of_s);
    return 0;
  }
  np_policy_facts_t *F = np_policy_facts_new();
  if (!F) {
    *fatal = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
    return 0;
  }
  int failures = 0;
  np_pdecisions_t dv = {0}, ds = {0};
  np_errdetail_t e2;
  if ((*fatal = load_facts(file, np_ytree_get(c, "facts"), F, err))) goto out;
  np_peval_t E = {pkg, F, ref, as_of.days, 2};
  if ((*fatal = np_policy_eval_all(&E, pol, &dv, err)) || (*fatal = np_policy_apply_limits(&E, &dv, err))) goto out;
  if (np_policy_decisions_alloc(&E, pol, &ds)) {
    *fatal = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
    goto out;
  }
  for (size_t i = 0; i < ds.n; i++)
    if ((*fatal = np_policy_eval_one(&E, pol, i, &ds, NULL, err))) goto out;
  if ((*fatal = np_policy_apply_limits(&E, &ds, err))) goto out;
  const int64_t *ids = F->t[pol->entity].col[0];
  for (size_t i = 0; i < dv.n; i++)
    if (!same(&dv, &ds, i)) {
      failures++;
      if (out)
        fprintf(out, "%s:%d: case '%s': %s %" PRId64 ": the column-wise and single-entity paths disagree (%s/%s vs %s/%s)\n",
                file, line, name, np_policy_kind(pol->entity)->name, ids[i], dv.eligible[i] ? "eligible" : "not",
                np_policy_reason_code(&dv, i) ? np_policy_reason_code(&dv, i) : "-", ds.eligible[i] ? "eligible" : "not",
                np_policy_reason_code(&ds, i) ? np_policy_reason_code(&ds, i) : "-");
    }
  const np_ynode_t *exp = np_ytree_get(c, "expect");
  if (!exp || exp->type != NP_Y_SEQ || exp->n == 0) {
    *fatal = cfail(err, file, line, "a case needs 'expect' (a list)", NULL);
    goto out;
  }
  for (size_t k = 0; k < exp->n; k++) {
    const np_ynode_t *x = exp->items[k];
    const char *ent = np_ytree_str(x, "entity");
    int64_t id;
    if (!ent || np_parse_int64(ent, strlen(ent), 1, INT64_MAX, &id)) {
      *fatal = cfail(err, file, x->line, "expect: 'entity' (an id) is required", NULL);
      goto out;
    }
    int64_t row = np_policy_facts_find(F, pol->entity, id);
    if (row < 0) {
      *fatal = cfail(err, file, x->line, "expect: no such entity ", ent);
      goto out;
    }
    char got[128], want[128];
    const char *ws;
#define CHECK(label, gotv, wantv)                                                                                       \
  do {                                                                                                                 \
    st->checks++;                                                                                                      \
    if (strcmp(gotv, wantv) != 0) {                                                                                    \
      failures++;                                                                                                      \
      if (out) fprintf(out, "%s:%d: case '%s': entity %s: %s is %s, expected %s\n", file, x->line, name, ent, label, gotv, wantv); \
    }                                                                                                                  \
  } while (0)
    if ((ws = np_ytree_str(x, "eligible"))) CHECK("eligible", dv.eligible[row] ? "true" : "false", ws);
    if ((ws = np_ytree_str(x, "amount"))) {
      int64_t fen;
      if (np_money_parse(ws, strlen(ws), &fen)) {
        *fatal = cfail(err, file, x->line, "expect: amount in yuan (1500 or 1500.00): ", ws);
        goto out;
      }
      np_money_format(dv.amount[row], got, sizeof got);
      np_money_format(fen, want, sizeof want);
      CHECK("amount", got, want);
    }
    if ((ws = np_ytree_str(x, "reason"))) {
      const char *rc = np_policy_reason_code(&dv, (size_t)row);
      CHECK("reason", rc ? rc : "null", ws);
    }
    if ((ws = np_ytree_str(x, "observed"))) {
      fmt_obs(&dv, (size_t)row, false, got, sizeof got);
      CHECK("observed", got, ws);
    }
    if ((ws = np_ytree_str(x, "threshold"))) {
      fmt_obs(&dv, (size_t)row, true, got, sizeof got);
      CHECK("threshold", got, ws);
    }
    if ((ws = np_ytree_str(x, "competing"))) {
      np_policy_competing(&dv, F, (size_t)row, got, sizeof got);
      CHECK("competing", got, ws);
    }
#undef CHECK
  }
out:
  (void)e2;
  np_policy_decisions_free(&dv);
  np_policy_decisions_free(&ds);
  np_policy_facts_free(F);
  if (*fatal) return 0;
  return failures;
}

np_err np_policy_cases_run(const np_ppackage_t *pkg, const np_ref_t *ref, const char *file, const char *text, size_t len,
                           FILE *out, np_pcase_stats_t *stats, np_errdetail_t *err) {
  np_arena_t *a = np_arena_new((size_t)64 << 20);
  if (!a) return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  np_ynode_t *root;
  np_err r = np_ytree_parse(a, file, text, len, &root, err);
  if (!r) {
    const np_ynode_t *cases = np_ytree_get(root, "cases");
    if (!cases || cases->type != NP_Y_SEQ) r = cfail(err, file, root->line, "the file needs 'cases' (a list)", NULL);
    for (size_t i = 0; !r && cases && i < cases->n; i++) {
      int f = run_case(pkg, ref, file, cases->items[i], out, stats, err, &r);
      if (r) break;
      stats->cases++;
      if (f) stats->failed++;
      else stats->passed++;
    }
  }
  np_arena_free(a);
  return r;
}

static int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

np_err np_policy_cases_run_dir(const np_ppackage_t *pkg, const np_ref_t *ref, const char *dir, FILE *out,
                               np_pcase_stats_t *stats, np_errdetail_t *err) {
  DIR *d = opendir(dir);
  if (!d) return np_fail(err, NP_ERR_IO, "io", "dir", "cannot open %s", dir);
  char *names[256];
  size_t n = 0;
  struct dirent *de;
  while ((de = readdir(d)) != NULL && n < 256) {
    size_t ln = strlen(de->d_name);
    if (ln > 5 && strcmp(de->d_name + ln - 5, ".yaml") == 0) names[n++] = strdup(de->d_name);
  }
  closedir(d);
  qsort(names, n, sizeof *names, cmp_names);
  np_err r = NP_OK;
  for (size_t i = 0; i < n && !r; i++) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    FILE *f = fopen(path, "rb");
    if (!f) {
      r = np_fail(err, NP_ERR_IO, "io", "file", "cannot open %s", path);
      break;
    }
    np_buf_t b;
    np_buf_init(&b, (size_t)16 << 20);
    char tmp[8192];
    size_t k;
    while ((k = fread(tmp, 1, sizeof tmp, f)) > 0)
      if (np_buf_append(&b, tmp, k)) break;
    fclose(f);
    r = np_policy_cases_run(pkg, ref, names[i], b.data ? b.data : "", b.len, out, stats, err);
    np_buf_free(&b);
  }
  for (size_t i = 0; i < n; i++) free(names[i]);
  return r;
}
