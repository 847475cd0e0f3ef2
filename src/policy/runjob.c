/* Background policy runs with chunked writes and local parameter values (see runjob.h). */
#include "policy/runjob.h"
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/buf.h"
#include "core/date.h"
#include "core/log.h"
#include "core/str.h"
#include "crypto/crypto.h"
#include "policy/eval.h"
#include "policy/facts.h"
#include "ref/ref.h"

#define CHUNK_ROWS 5000

static atomic_int g_busy;

bool np_policy_job_busy(void) { return atomic_load(&g_busy) != 0; }

/* ------------------------------------------------------------------ overlay */

/* Replaces [from, to] in p's values by one value (cutting the existing ones). */
static np_err overlay_value(np_arena_t *a, np_pparam_t *p, int64_t from, int64_t to, int64_t v, const char *ref) {
  np_pparam_value_t *nv = np_arena_calloc(a, (size_t)p->nvalues * 2 + 1, sizeof *nv);
  if (!nv) return NP_ERR_NOMEM;
  int n = 0;
  for (int i = 0; i < p->nvalues; i++) {
    np_pparam_value_t x = p->values[i];
    if (x.to < from || x.from > to) {
      nv[n++] = x;
      continue;
    }
    if (x.from < from) {
      nv[n] = x;
      nv[n++].to = from - 1;
    }
    if (x.to > to) {
      nv[n] = x;
      nv[n++].from = to + 1;
    }
  }
  nv[n++] = (np_pparam_value_t){.from = from, .to = to, .v = v, .reference = ref, .line = 0};
  /* keep date order */
  for (int i = 1; i < n; i++)
    for (int j = i; j > 0 && nv[j - 1].from > nv[j].from; j--) {
      np_pparam_value_t t = nv[j];
      nv[j] = nv[j - 1];
      nv[j - 1] = t;
    }
  p->values = nv;
  p->nvalues = n;
  return NP_OK;
}

np_err np_policy_overlay_load(np_store_t *s, np_ppackage_t **out, char overlay_hash[65], np_errdetail_t *err) {
  overlay_hash[0] = '\0';
  np_ppackage_t *pkg = NULL;
  np_err r = np_policy_package_load_embedded(NP_POLICY_PACKAGE, &pkg, err);
  if (r) return r;
  np_stmt_t *st;
  if ((r = np_store_prepare(s, "SELECT name, value, valid_from, COALESCE(valid_to, ''), reference FROM policy_param_overrides "
                               "ORDER BY id", &st, err))) goto out;
  np_buf_t canon;
  np_buf_init(&canon, 0);
  bool has;
  int count = 0;
  while (!(r = np_store_step(st, &has, err)) && has) {
    const char *name = np_store_col_text(st, 0), *f = np_store_col_text(st, 2), *t = np_store_col_text(st, 3),
               *ref = np_store_col_text(st, 4);
    int64_t v = np_store_col_int64(st, 1);
    np_date_t df, dt = {0};
    if (np_date_parse(f, strlen(f), &df)) continue;
    int64_t to = NP_PDATE_OPEN;
    if (t[0] && !np_date_parse(t, strlen(t), &dt)) to = dt.days;
    for (int i = 0; i < pkg->nparams; i++) {
      np_pparam_t *p = &pkg->params[i];
      if (strcmp(p->name, name) != 0 || !p->admin_settable || p->table_min_wage) continue;
      if ((r = overlay_value(pkg->arena, p, df.days, to, v, np_arena_strdup(pkg->arena, ref)))) break;
      np_buf_appendf(&canon, "%s|%" PRId64 "|%s|%s|%s\n", name, v, f, t, ref);
      count++;
    }
    if (r) break;
  }
  np_store_release(st);
  if (!r && count) {
    np_buf_appendf(&canon, "package:%s", pkg->ruleset_hash);
    np_crypto_sm3_hex(np_buf_cstr(&canon), canon.len, overlay_hash);
    /* the run's ruleset covers the overlay */
    char both[160];
    snprintf(both, sizeof both, "%s+%s", pkg->ruleset_hash, overlay_hash);
    np_crypto_sm3_hex(both, strlen(both), pkg->ruleset_hash);
  }
  np_buf_free(&canon);
out:
  if (r) np_policy_package_free(pkg);
  else *out = pkg;
  return r;
}

/* ------------------------------------------------------------------ create */

np_err np_policy_job_create(np_store_t *s, const char *policy, int64_t as_of, const char *user, int64_t *run_id,
                            np_errdetail_t *err) {
  char as_of_s[NP_DATE_STRLEN], now[NP_TS_STRLEN];
  np_date_format((np_date_t){(int32_t)as_of}, as_of_s, sizeof as_of_s);
  np_date_format_ts_utc((int64_t)time(NULL), now, sizeof now);
  np_err r = np_store_begin(s, err);
  if (r) return r;
  r = np_store_queryf_int64(s, run_id, NULL, err,
                            "INSERT INTO policy_runs (policy, package, as_of, input_hash, ruleset_hash, engine_version, status, "
                            "progress, created_at) VALUES (?,?,?,'','',?,'running',0,?) RETURNING id",
                            "ttttt", policy, NP_POLICY_PACKAGE, as_of_s, NP_POLICY_ENGINE_VERSION, now);
  if (!r)
    r = np_store_execf(s, NULL, err, "INSERT INTO policy_run_requests (run_id, requested_by, overlay_hash) VALUES (?,?,'')", "it",
                       *run_id, user ? user : "system");
  if (!r) r = np_store_commit(s, err);
  else np_store_rollback(s);
  return r;
}

/* ------------------------------------------------------------------ execute */

static void params_json(const np_ppackage_t *pkg, const np_pdecisions_t *d, size_t npol, int64_t as_of, np_buf_t *b) {
  np_buf_append_char(b, '{');
  for (size_t p = 0; p < npol; p++) {
    const np_pversion_t *v = d[p].ver;
    if (p) np_buf_append_char(b, ',');
    np_buf_appendf(b, "\"%s\":[", d[p].pol->code);
    for (int i = 0; v && i < v->nparams_used; i++) {
      const np_pparam_t *pp = &pkg->params[v->params_used[i]];
      if (i) np_buf_append_char(b, ',');
      np_buf_append_str(b, "{\"name\":");
      np_buf_append_json_string(b, pp->name, strlen(pp->name));
      if (pp->table_min_wage) {
        np_buf_append_str(b, ",\"table\":\"min_wage\",\"mode\":\"prorated\",\"reference\":");
        np_buf_append_json_string(b, pp->reference ? pp->reference : "", pp->reference ? strlen(pp->reference) : 0);
      } else {
        const np_pparam_value_t *pv = np_policy_param_at(pp, as_of);
        char val[96], f[16], t[16];
        if (pv) {
          np_pvalue_format(pp->type, pv->v, 1, val, sizeof val);
          np_date_format((np_date_t){(int32_t)pv->from}, f, sizeof f);
          if (pv->to == NP_PDATE_OPEN) snprintf(t, sizeof t, "open");
          else np_date_format((np_date_t){(int32_t)pv->to}, t, sizeof t);
          np_buf_append_str(b, ",\"value\":");
          np_buf_append_json_string(b, val, strlen(val));
          np_buf_appendf(b, ",\"effective_from\":\"%s\",\"effective_to\":\"%s\",\"local\":%s,\"reference\":", f, t,
                         pv->line == 0 ? "true" : "false");
          np_buf_append_json_string(b, pv->reference ? pv->reference : "", pv->reference ? strlen(pv->reference) : 0);
        } else {
          np_buf_append_str(b, ",\"value\":null");
        }
        if (pp->national) np_buf_append_str(b, ",\"national\":true");
      }
      np_buf_append_char(b, '}');
    }
    np_buf_append_char(b, ']');
  }
  np_buf_append_char(b, '}');
}

/* The enterprise a decision pays (its own id, or the enterprise of a spell/internship); UNKNOWN for persons. */
static int64_t payee_enterprise(const np_policy_facts_t *F, np_pkind_t k, size_t row) {
  if (k == NP_PK_ENTERPRISE) return np_policy_facts_get(F, k, 0, row);
  const np_pkind_def_t *def = np_policy_kind(k);
  for (int l = 0; l < def->nlinks; l++)
    if (def->links[l].target == NP_PK_ENTERPRISE) {
      int64_t er = np_policy_facts_get(F, k, def->links[l].field, row);
      if (er < 0 || er == NP_POLICY_UNKNOWN) return NP_POLICY_UNKNOWN;
      return np_policy_facts_get(F, NP_PK_ENTERPRISE, 0, (size_t)er);
    }
  return NP_POLICY_UNKNOWN;
}

static np_err store_chunk(np_store_t *s, int64_t run_id, const np_policy_facts_t *F, const np_pdecisions_t *d, size_t from,
                          size_t to, np_errdetail_t *err) {
  np_err r = np_store_begin(s, err);
  if (r) return r;
  const np_pkind_t k = d->pol->entity;
  for (size_t i = from; i < to && !r; i++) {
    np_stmt_t *st;
    r = np_store_prepare(s,
                         "INSERT INTO policy_decisions (run_id, policy, entity_kind, entity_id, enterprise_id, eligible, "
                         "amount_fen, reason, observed, threshold, competing) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                         &st, err);
    if (r) break;
    const char *rc = np_policy_reason_code(d, i);
    char obs[128] = "", thr[128] = "", comp[64] = "";
    if (rc) {
      if (d->obs_v[i] != NP_POLICY_UNKNOWN || d->obs_d[i] != 1)
        np_pvalue_format(np_policy_reason_obs_type(d, i, false), d->obs_v[i], d->obs_d[i], obs, sizeof obs);
      if (d->thr_v[i] != NP_POLICY_UNKNOWN || d->thr_d[i] != 1)
        np_pvalue_format(np_policy_reason_obs_type(d, i, true), d->thr_v[i], d->thr_d[i], thr, sizeof thr);
      np_policy_competing(d, F, i, comp, sizeof comp);
    }
    int64_t ent = payee_enterprise(F, k, i);
    np_store_bind_int64(st, 1, run_id);
    np_store_bind_text(st, 2, d->pol->code, NP_STORE_STRLEN);
    np_store_bind_text(st, 3, np_policy_kind(k)->name, NP_STORE_STRLEN);
    np_store_bind_int64(st, 4, np_policy_facts_get(F, k, 0, i));
    if (ent == NP_POLICY_UNKNOWN) np_store_bind_null(st, 5);
    else np_store_bind_int64(st, 5, ent);
    np_store_bind_int64(st, 6, d->eligible[i]);
    np_store_bind_int64(st, 7, d->amount[i]);
    np_store_bind_text_or_null(st, 8, rc);
    np_store_bind_text_or_null(st, 9, obs[0] ? obs : NULL);
    np_store_bind_text_or_null(st, 10, thr[0] ? thr : NULL);
    np_store_bind_text_or_null(st, 11, comp[0] ? comp : NULL);
    bool has;
    r = np_store_step(st, &has, err);
    np_store_release(st);
  }
  if (!r) r = np_store_commit(s, err);
  else np_store_rollback(s);
  return r;
}

np_err np_policy_job_execute(np_store_t *s, int64_t run_id, int threads, np_errdetail_t *err) {
  char policy[64] = "", as_of_s[16] = "";
  np_stmt_t *st;
  np_err r = np_store_prepare(s, "SELECT policy, as_of FROM policy_runs WHERE id = ? AND status = 'running'", &st, err);
  if (r) return r;
  np_store_bind_int64(st, 1, run_id);
  bool has;
  if (!(r = np_store_step(st, &has, err)) && has) {
    np_strlcpy(policy, np_store_col_text(st, 0), sizeof policy);
    np_strlcpy(as_of_s, np_store_col_text(st, 1), sizeof as_of_s);
  }
  np_store_release(st);
  if (r) return r;
  if (!has) return np_fail(err, NP_ERR_NOT_FOUND, "not_found", "run", "no running run %" PRId64, run_id);
  np_date_t as_of;
  np_date_parse(as_of_s, strlen(as_of_s), &as_of);

  np_ppackage_t *pkg = NULL;
  np_policy_facts_t *F = NULL;
  np_pdecisions_t *dec = NULL;
  size_t npol = 0;
  np_buf_t pj;
  np_buf_init(&pj, 0);
  char overlay[65], input_hash[65], result_hash[65];
  if ((r = np_policy_overlay_load(s, &pkg, overlay, err))) goto fail;
  const np_ppolicy_t *sel[64];
  if (strcmp(policy, "all") == 0) {
    for (int i = 0; i < pkg->npolicies && npol < 64; i++) sel[npol++] = &pkg->policies[i];
  } else {
    const np_ppolicy_t *p = np_policy_find(pkg, policy);
    if (!p) {
      r = np_fail(err, NP_ERR_NOT_FOUND, "unknown_policy", "policy", "no policy '%s'", policy);
      goto fail;
    }
    sel[npol++] = p;
  }
  if ((r = np_policy_facts_load(s, &F, err))) goto fail;
  np_policy_facts_hash(F, input_hash);
  if ((r = np_store_execf(s, NULL, err, "UPDATE policy_runs SET input_hash = ?, ruleset_hash = ?, progress = 5 WHERE id = ?", "tti",
                          input_hash, pkg->ruleset_hash, run_id)))
    goto fail;
  np_store_execf(s, NULL, NULL, "UPDATE policy_run_requests SET overlay_hash = ? WHERE run_id = ?", "ti", overlay, run_id);
  dec = calloc(npol, sizeof *dec);
  if (!dec) {
    r = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
    goto fail;
  }
  np_peval_t E = {pkg, F, np_ref_shared(s, err), as_of.days, threads < 1 ? 1 : threads};
  for (size_t p = 0; p < npol && !r; p++) {
    r = np_policy_eval_all(&E, sel[p], &dec[p], err);
    if (!r) r = np_policy_apply_limits(&E, &dec[p], err);
    if (!r) np_store_execf(s, NULL, NULL, "UPDATE policy_runs SET progress = ? WHERE id = ?", "ii", (int64_t)(5 + (p + 1) * 45 / npol), run_id);
  }
  if (r) goto fail;
  np_policy_decisions_hash(dec, npol, F, E.threads, result_hash);
  int64_t total = 0, written = 0, eligible = 0, amount = 0;
  for (size_t p = 0; p < npol; p++) {
    total += (int64_t)dec[p].n;
    for (size_t i = 0; i < dec[p].n; i++)
      if (dec[p].eligible[i]) eligible++, amount += dec[p].amount[i];
  }
  params_json(pkg, dec, npol, as_of.days, &pj);
  for (size_t p = 0; p < npol && !r; p++)
    for (size_t i = 0; i < dec[p].n && !r; i += CHUNK_ROWS) {
      size_t to = i + CHUNK_ROWS < dec[p].n ? i + CHUNK_ROWS : dec[p].n;
      r = store_chunk(s, run_id, F, &dec[p], i, to, err);
      written += (int64_t)(to - i);
      if (!r)
        np_store_execf(s, NULL, NULL, "UPDATE policy_runs SET progress = ? WHERE id = ?", "ii",
                       (int64_t)(50 + (total ? written * 49 / total : 49)), run_id);
    }
  if (r) goto fail;
  char fin[NP_TS_STRLEN], id[32];
  np_date_format_ts_utc((int64_t)time(NULL), fin, sizeof fin);
  snprintf(id, sizeof id, "%" PRId64, run_id);
  if ((r = np_store_begin(s, err))) goto fail;
  r = np_store_execf(s, NULL, err,
                     "UPDATE policy_runs SET status = 'done', progress = 100, result_hash = ?, decisions = ?, eligible = ?, "
                     "amount_fen = ?, params_json = ?, finished_at = ? WHERE id = ?",
                     "tiiitti", result_hash, total, eligible, amount, np_buf_cstr(&pj), fin, run_id);
  if (!r) r = np_store_change(s, "policy_run", id, "insert", NULL, err);
  if (!r) r = np_store_commit(s, err);
  else np_store_rollback(s);
  if (!r) goto out;
fail:
  np_store_execf(s, NULL, NULL, "UPDATE policy_runs SET status = 'failed', error = ? WHERE id = ?", "ti", err->message, run_id);
out:
  for (size_t p = 0; dec && p < npol; p++) np_policy_decisions_free(&dec[p]);
  free(dec);
  np_buf_free(&pj);
  np_policy_facts_free(F);
  np_policy_package_free(pkg);
  return r;
}

/* ------------------------------------------------------------------ background */

typedef struct job {
  np_store_pool_t *pool;
  int64_t run_id;
} job_t;

static void *job_main(void *arg) {
  job_t *j = arg;
  np_store_t *s = NULL;
  np_errdetail_t err = {0};
  if (np_store_pool_acquire(j->pool, 60000, &s) == NP_OK) {
    np_err r = np_policy_job_execute(s, j->run_id, 2, &err);
    if (r) np_log_warn("policy.run.failed", "run %" PRId64 ": %s", j->run_id, err.message);
    np_store_pool_release(j->pool, s);
  } else {
    np_log_warn("policy.run.failed", "run %" PRId64 ": no store connection", j->run_id);
  }
  atomic_store(&g_busy, 0);
  free(j);
  return NULL;
}

np_err np_policy_job_spawn(np_store_pool_t *pool, int64_t run_id, np_errdetail_t *err) {
  int expected = 0;
  if (!atomic_compare_exchange_strong(&g_busy, &expected, 1))
    return np_fail(err, NP_ERR_CONFLICT, "run_in_progress", "", "another policy run is executing");
  job_t *j = calloc(1, sizeof *j);
  if (!j) {
    atomic_store(&g_busy, 0);
    return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  }
  j->pool = pool;
  j->run_id = run_id;
  pthread_t t;
  pthread_attr_t at;
  pthread_attr_init(&at);
  pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
  int rc = pthread_create(&t, &at, job_main, j);
  pthread_attr_destroy(&at);
  if (rc) {
    free(j);
    atomic_store(&g_busy, 0);
    return np_fail(err, NP_ERR_INTERNAL, "thread", "", "cannot start the run");
  }
  return NP_OK;
}
