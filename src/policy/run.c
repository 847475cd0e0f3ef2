/*
 * Policy runs on the database — the one engine path for `nineplus policy run`, the HTTP job and the demo:
 * a run row is created, then executed (facts loaded once, frozen by their hash, evaluated column-wise,
 * limits and caps applied, the result hashed, decisions stored in chunks, progress told and stored).
 * Explanations rebuild one decision's trace from that entity's rows only.
 */
#include "policy/run.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/date.h"
#include "core/money.h"
#include "core/str.h"
#include "ref/ref.h"

#define CHUNK_ROWS 5000

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void ts_now(char *out, size_t cap) { np_date_format_ts_utc((int64_t)time(NULL), out, cap); }

/* ------------------------------------------------------------------ the facts' change-feed position */

np_err np_policy_facts_seq(np_store_t *s, int64_t *seq, np_errdetail_t *err) {
  static const char *const entities[] = {"policy_facts", "enterprise"};
  *seq = 0;
  for (size_t i = 0; i < sizeof entities / sizeof entities[0]; i++) {
    int64_t v = 0;
    bool found = false;
    np_err r = np_store_queryf_int64(s, &v, &found, err, "SELECT COALESCE(MAX(seq), 0) FROM changes WHERE entity = ?", "t", entities[i]);
    if (r) return r;
    if (found && v > *seq) *seq = v;
  }
  return NP_OK;
}

/* ------------------------------------------------------------------ create */

np_err np_policy_run_create(np_store_t *s, const char *package, const char *policy, int64_t as_of, const char *user, int64_t *run_id,
                            np_errdetail_t *err) {
  char as_of_s[NP_DATE_STRLEN], now[NP_TS_STRLEN];
  np_date_format((np_date_t){(int32_t)as_of}, as_of_s, sizeof as_of_s);
  ts_now(now, sizeof now);
  np_err r = np_store_begin(s, err);
  if (r) return r;
  r = np_store_queryf_int64(s, run_id, NULL, err,
                            "INSERT INTO policy_runs (policy, package, as_of, input_hash, ruleset_hash, engine_version, status, "
                            "progress, created_at) VALUES (?,?,?,'','',?,'running',0,?) RETURNING id",
                            "ttttt", policy, package, as_of_s, NP_POLICY_ENGINE_VERSION, now);
  if (!r && user)
    r = np_store_execf(s, NULL, err, "INSERT INTO policy_run_requests (run_id, requested_by, overlay_hash) VALUES (?,?,'')", "it",
                       *run_id, user);
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

static const char INSERT_DECISION[] =
    "INSERT INTO policy_decisions (run_id, policy, entity_kind, entity_id, enterprise_id, eligible, amount_fen, reason, observed, "
    "threshold, competing) VALUES (?,?,?,?,?,?,?,?,?,?,?)";

/* Decisions [from, to) of one policy in one transaction. */
static np_err store_chunk(np_store_t *s, int64_t run_id, const np_policy_facts_t *F, const np_pdecisions_t *d, size_t from,
                          size_t to, np_errdetail_t *err) {
  np_err r = np_store_begin(s, err);
  if (r) return r;
  const np_pkind_t k = d->pol->entity;
  for (size_t i = from; i < to && !r; i++) {
    np_stmt_t *st;
    if ((r = np_store_prepare(s, INSERT_DECISION, &st, err))) break;
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

static void progress(np_store_t *s, int64_t run_id, const np_prun_opts_t *o, int pct) {
  np_store_execf(s, NULL, NULL, "UPDATE policy_runs SET progress = ? WHERE id = ?", "ii", (int64_t)pct, run_id);
  if (o && o->progress) o->progress(o->progress_ctx, pct);
}

np_err np_policy_run_execute(np_store_t *s, const np_ppackage_t *pkg, int64_t run_id, const np_prun_opts_t *o, np_prun_summary_t *sum,
                             np_errdetail_t *err) {
  memset(sum, 0, sizeof *sum);
  sum->run_id = run_id;
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
  if (np_date_parse(as_of_s, strlen(as_of_s), &as_of)) return np_fail(err, NP_ERR_INTERNAL, "as_of", "run", "run %" PRId64 ": bad as_of", run_id);
  int threads = o && o->threads > 0 ? o->threads : 1;
  bool store_dec = !o || o->store_decisions;

  np_policy_facts_t *F = NULL;
  np_pdecisions_t *dec = NULL;
  size_t npol = 0;
  np_buf_t pj;
  np_buf_init(&pj, 0);
  const np_ppolicy_t *sel[64];
  if (strcmp(policy, "all") == 0) {
    for (int i = 0; i < pkg->npolicies && npol < 64; i++) sel[npol++] = &pkg->policies[i];
  } else {
    const np_ppolicy_t *p = np_policy_find(pkg, policy);
    if (!p) {
      r = np_fail(err, NP_ERR_NOT_FOUND, "unknown_policy", "policy", "no policy '%s' in package %s", policy, pkg->name);
      goto fail;
    }
    sel[npol++] = p;
  }
  double t0 = now_ms();
  /* the feed position first: a change after it is either in the facts loaded next or shows as a change */
  int64_t fseq = 0;
  if ((r = np_policy_facts_seq(s, &fseq, err))) goto fail;
  if ((r = np_policy_facts_load(s, &F, err))) goto fail;
  const np_ref_t *ref = np_ref_shared(s, err);
  np_policy_facts_hash(F, sum->input_hash);
  memcpy(sum->ruleset_hash, pkg->ruleset_hash, 65);
  sum->load_ms = now_ms() - t0;
  if ((r = np_store_execf(s, NULL, err, "UPDATE policy_runs SET input_hash = ?, ruleset_hash = ?, facts_seq = ? WHERE id = ?", "ttii",
                          sum->input_hash, sum->ruleset_hash, fseq, run_id)))
    goto fail;
  progress(s, run_id, o, 5);
  if (!(dec = calloc(npol, sizeof *dec))) {
    r = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
    goto fail;
  }
  np_peval_t E = {pkg, F, ref, as_of.days, threads};
  t0 = now_ms();
  for (size_t p = 0; p < npol && !r; p++) {
    r = np_policy_eval_all(&E, sel[p], &dec[p], err);
    if (!r) r = np_policy_apply_limits(&E, &dec[p], err);
    if (!r) progress(s, run_id, o, (int)(5 + (p + 1) * 45 / npol));
  }
  sum->eval_ms = now_ms() - t0;
  if (r) goto fail;
  t0 = now_ms();
  np_policy_decisions_hash(dec, npol, F, threads, sum->result_hash);
  sum->hash_ms = now_ms() - t0;
  for (size_t p = 0; p < npol; p++) {
    sum->decisions += (int64_t)dec[p].n;
    for (size_t i = 0; i < dec[p].n; i++)
      if (dec[p].eligible[i]) sum->eligible++, sum->amount_fen += dec[p].amount[i];
  }
  params_json(pkg, dec, npol, as_of.days, &pj);
  t0 = now_ms();
  int64_t written = 0;
  for (size_t p = 0; p < npol && !r && store_dec; p++)
    for (size_t i = 0; i < dec[p].n && !r; i += CHUNK_ROWS) {
      size_t to = i + CHUNK_ROWS < dec[p].n ? i + CHUNK_ROWS : dec[p].n;
      r = store_chunk(s, run_id, F, &dec[p], i, to, err);
      written += (int64_t)(to - i);
      if (!r) progress(s, run_id, o, (int)(50 + (sum->decisions ? written * 49 / sum->decisions : 49)));
    }
  if (r) goto fail;
  char fin[NP_TS_STRLEN], id[32];
  ts_now(fin, sizeof fin);
  snprintf(id, sizeof id, "%" PRId64, run_id);
  if ((r = np_store_begin(s, err))) goto fail;
  r = np_store_execf(s, NULL, err,
                     "UPDATE policy_runs SET status = 'done', progress = 100, result_hash = ?, decisions = ?, eligible = ?, "
                     "amount_fen = ?, params_json = ?, finished_at = ? WHERE id = ?",
                     "tiiitti", sum->result_hash, sum->decisions, sum->eligible, sum->amount_fen, np_buf_cstr(&pj), fin, run_id);
  if (!r) r = np_store_change(s, "policy_run", id, "insert", NULL, err);
  if (!r) r = np_store_commit(s, err);
  else np_store_rollback(s);
  sum->store_ms = now_ms() - t0;
  if (!r) {
    if (o && o->progress) o->progress(o->progress_ctx, 100);
    goto out;
  }
fail:
  np_store_execf(s, NULL, NULL, "UPDATE policy_runs SET status = 'failed', error = ? WHERE id = ?", "ti", err->message, run_id);
out:
  for (size_t p = 0; dec && p < npol; p++) np_policy_decisions_free(&dec[p]);
  free(dec);
  np_buf_free(&pj);
  np_policy_facts_free(F);
  return r;
}

np_err np_policy_run(np_store_t *s, const np_ppackage_t *pkg, const char *policy, int64_t as_of, int threads, bool store_dec,
                     np_prun_summary_t *sum, np_errdetail_t *err) {
  memset(sum, 0, sizeof *sum);
  if (strcmp(policy, "all") != 0 && !np_policy_find(pkg, policy))
    return np_fail(err, NP_ERR_NOT_FOUND, "unknown_policy", "policy", "no policy '%s' in package %s", policy, pkg->name);
  int64_t run_id = 0;
  np_err r = np_policy_run_create(s, pkg->name, policy, as_of, NULL, &run_id, err);
  if (r) return r;
  np_prun_opts_t o = {.threads = threads, .store_decisions = store_dec};
  return np_policy_run_execute(s, pkg, run_id, &o, sum, err);
}

/* ------------------------------------------------------------------ explain */

static np_err explain(np_store_t *s, const np_ppackage_t *pkg, const char *policy, int64_t entity_id, int64_t run_id, bool all_facts,
                      np_buf_t *out, np_errdetail_t *err) {
  const np_ppolicy_t *pol = np_policy_find(pkg, policy);
  if (!pol) return np_fail(err, NP_ERR_NOT_FOUND, "unknown_policy", "policy", "no policy '%s'", policy);
  np_stmt_t *st;
  np_err r = np_store_prepare(s, "SELECT as_of, input_hash, ruleset_hash, facts_seq FROM policy_runs WHERE id = ?", &st, err);
  if (r) return r;
  np_store_bind_int64(st, 1, run_id);
  bool has, has_seq = false;
  char as_of_s[16] = "", in_hash[65] = "", rs_hash[65] = "";
  int64_t run_seq = 0;
  if (!(r = np_store_step(st, &has, err)) && has) {
    np_strlcpy(as_of_s, np_store_col_text(st, 0), sizeof as_of_s);
    np_strlcpy(in_hash, np_store_col_text(st, 1), sizeof in_hash);
    np_strlcpy(rs_hash, np_store_col_text(st, 2), sizeof rs_hash);
    if ((has_seq = !np_store_col_is_null(st, 3))) run_seq = np_store_col_int64(st, 3);
  }
  np_store_release(st);
  if (r) return r;
  if (!has) return np_fail(err, NP_ERR_NOT_FOUND, "not_found", "run", "no run %" PRId64, run_id);
  np_date_t as_of;
  np_date_parse(as_of_s, strlen(as_of_s), &as_of);
  /* inputs changed: the change feed moved past the run's position (runs before 0015: hash every fact) */
  bool changed = false;
  np_policy_facts_t *F = NULL;
  if (has_seq) {
    int64_t cur = 0;
    if ((r = np_policy_facts_seq(s, &cur, err))) return r;
    changed = cur != run_seq;
  } else {
    all_facts = true;
  }
  if (!all_facts) {
    r = np_policy_facts_load_entity(s, pol, entity_id, &F, err);
    if (r == NP_ERR_UNSUPPORTED) all_facts = true;
    else if (r) return r;
  }
  if (all_facts) {
    if ((r = np_policy_facts_load(s, &F, err))) return r;
    if (!has_seq) {
      char h[65];
      np_policy_facts_hash(F, h);
      changed = strcmp(h, in_hash) != 0;
    }
  }
  int64_t row = np_policy_facts_find(F, pol->entity, entity_id);
  if (row < 0) {
    np_policy_facts_free(F);
    return np_fail(err, NP_ERR_NOT_FOUND, "not_found", "entity", "no %s %" PRId64, np_policy_kind(pol->entity)->name, entity_id);
  }
  np_peval_t E = {pkg, F, np_ref_shared(s, err), as_of.days, 1};
  np_pdecisions_t d;
  if (np_policy_decisions_alloc(&E, pol, &d)) {
    np_policy_facts_free(F);
    return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  }
  np_buf_append_str(out, "{\"run\":");
  np_buf_appendf(out, "%" PRId64 ",\"inputs_changed\":%s,\"ruleset_changed\":%s,\"trace\":", run_id, changed ? "true" : "false",
                 strcmp(rs_hash, pkg->ruleset_hash) ? "true" : "false");
  r = np_policy_eval_one(&E, pol, (size_t)row, &d, out, err);
  /* the stored decision carries the outcome of limits and caps (they compare entities) */
  if (!r) {
    r = np_store_prepare(s, "SELECT eligible, amount_fen, reason, observed, threshold, competing FROM policy_decisions "
                            "WHERE run_id = ? AND policy = ? AND entity_kind = ? AND entity_id = ?", &st, err);
    if (!r) {
      np_store_bind_int64(st, 1, run_id);
      np_store_bind_text(st, 2, pol->code, NP_STORE_STRLEN);
      np_store_bind_text(st, 3, np_policy_kind(pol->entity)->name, NP_STORE_STRLEN);
      np_store_bind_int64(st, 4, entity_id);
      if (!(r = np_store_step(st, &has, err)) && has) {
        char amt[NP_MONEY_STRLEN];
        np_money_format(np_store_col_int64(st, 1), amt, sizeof amt);
        np_buf_appendf(out, ",\"stored_decision\":{\"eligible\":%s,\"amount\":\"%s\"", np_store_col_int64(st, 0) ? "true" : "false", amt);
        const char *names[] = {"reason", "observed", "threshold", "competing"};
        for (int c = 0; c < 4; c++) {
          const char *t = np_store_col_text(st, 2 + c);
          np_buf_appendf(out, ",\"%s\":", names[c]);
          if (t) np_buf_append_json_string(out, t, strlen(t));
          else np_buf_append_str(out, "null");
        }
        np_buf_append_char(out, '}');
      }
      np_store_release(st);
    }
  }
  np_buf_append_char(out, '}');
  np_policy_decisions_free(&d);
  np_policy_facts_free(F);
  return r;
}

np_err np_policy_explain(np_store_t *s, const np_ppackage_t *pkg, const char *policy, int64_t entity_id, int64_t run_id,
                         np_buf_t *out, np_errdetail_t *err) {
  return explain(s, pkg, policy, entity_id, run_id, false, out, err);
}

np_err np_policy_explain_all_facts(np_store_t *s, const np_ppackage_t *pkg, const char *policy, int64_t entity_id, int64_t run_id,
                                   np_buf_t *out, np_errdetail_t *err) {
  return explain(s, pkg, policy, entity_id, run_id, true, out, err);
}
