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
#include "policy/run.h"

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

/* ------------------------------------------------------------------ create, execute (src/policy/run.c) */

np_err np_policy_job_create(np_store_t *s, const char *policy, int64_t as_of, const char *user, int64_t *run_id,
                            np_errdetail_t *err) {
  return np_policy_run_create(s, NP_POLICY_PACKAGE, policy, as_of, user ? user : "system", run_id, err);
}

np_err np_policy_job_execute(np_store_t *s, int64_t run_id, int threads, np_errdetail_t *err) {
  np_ppackage_t *pkg = NULL;
  char overlay[65];
  np_err r = np_policy_overlay_load(s, &pkg, overlay, err);
  if (r) {
    np_store_execf(s, NULL, NULL, "UPDATE policy_runs SET status = 'failed', error = ? WHERE id = ? AND status = 'running'", "ti",
                   err->message, run_id);
    return r;
  }
  np_store_execf(s, NULL, NULL, "UPDATE policy_run_requests SET overlay_hash = ? WHERE run_id = ?", "ti", overlay, run_id);
  np_prun_opts_t o = {.threads = threads < 1 ? 1 : threads, .store_decisions = true};
  np_prun_summary_t sum;
  r = np_policy_run_execute(s, pkg, run_id, &o, &sum, err);
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
