/* Policy runs on the database: facts loading, run records, decisions, explanations, CSV import. */
#include "policy/run.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/date.h"
#include "core/money.h"
#include "core/rows.h"
#include "core/str.h"
#include "ref/ref.h"

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* ------------------------------------------------------------------ facts from the store */

static int64_t col_date(np_stmt_t *st, int c) {
  const char *t = np_store_col_text(st, c);
  np_date_t d;
  if (!t || np_date_parse(t, strlen(t), &d)) return NP_POLICY_UNKNOWN;
  return d.days;
}

static int64_t col_text(np_stmt_t *st, int c) {
  const char *t = np_store_col_text(st, c);
  int64_t v;
  if (!t || np_policy_text_pack(t, strlen(t), &v)) return 0;
  return v;
}

typedef struct loadspec {
  np_pkind_t kind;
  const char *sql;
  const char *types; /* per field: i int, d date, t text */
} loadspec_t;

np_err np_policy_facts_load(np_store_t *s, np_policy_facts_t **out, np_errdetail_t *err) {
  static const loadspec_t specs[] = {
    {NP_PK_ENTERPRISE, "SELECT id, size_class, industry_section, industry_code, county_code, headcount FROM enterprises", "itttti"},
    {NP_PK_FACT, "SELECT id, enterprise_id, month, insured, new_hires, separations, layoffs, ui_due_fen, ui_paid_fen, arrears_fen "
                 "FROM policy_enterprise_facts", "iidiiiiiii"},
    {NP_PK_PERSON, "SELECT id, birth_date, graduation_date, unemployed_since, hardship FROM policy_persons", "idddi"},
    {NP_PK_SPELL, "SELECT id, person_id, enterprise_id, start_date, end_date, contract_months, insured_months, "
                  "absorption_subsidy, employer_ss_monthly_fen FROM policy_spells", "iiiddiiii"},
    {NP_PK_INTERNSHIP, "SELECT id, person_id, enterprise_id, start_date, months, retained FROM policy_internships", "iiidii"},
    {NP_PK_CERTIFICATE, "SELECT id, person_id, level, date, occupation FROM policy_certificates", "iiidt"},
  };
  np_policy_facts_t *F = np_policy_facts_new();
  if (!F) return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  np_err r = NP_OK;
  for (size_t k = 0; k < sizeof specs / sizeof specs[0] && !r; k++) {
    const loadspec_t *sp = &specs[k];
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM (%s) q", sp->sql);
    int64_t cnt = 0;
    bool found;
    if ((r = np_store_query_int64(s, sql, &cnt, &found, err))) break;
    if (cnt > 0 && (r = np_policy_facts_reserve(F, sp->kind, (size_t)cnt))) {
      r = np_fail(err, r, "nomem", "", "out of memory");
      break;
    }
    snprintf(sql, sizeof sql, "%s ORDER BY id", sp->sql);
    np_stmt_t *st;
    if ((r = np_store_prepare(s, sql, &st, err))) break;
    bool has;
    int nf = (int)strlen(sp->types);
    while (!(r = np_store_step(st, &has, err)) && has) {
      int64_t vals[NP_PMAX_FIELDS];
      for (int f = 0; f < nf; f++) {
        if (np_store_col_is_null(st, f)) vals[f] = NP_POLICY_UNKNOWN;
        else if (sp->types[f] == 'd') vals[f] = col_date(st, f);
        else if (sp->types[f] == 't') vals[f] = col_text(st, f);
        else vals[f] = np_store_col_int64(st, f);
      }
      if ((r = np_policy_facts_append(F, sp->kind, vals, err))) break;
    }
    np_store_release(st);
  }
  if (!r) r = np_policy_facts_finish(F, false, err);
  if (r) {
    np_policy_facts_free(F);
    return r;
  }
  *out = F;
  return NP_OK;
}

/* ------------------------------------------------------------------ runs */

static void ts_now(char *out, size_t cap) { np_date_format_ts_utc((int64_t)time(NULL), out, cap); }

static void params_json(const np_ppackage_t *pkg, const np_pdecisions_t *d, size_t npol, int64_t as_of, np_buf_t *b) {
  np_buf_append_char(b, '{');
  bool first_pol = true;
  for (size_t p = 0; p < npol; p++) {
    const np_pversion_t *v = d[p].ver;
    if (!first_pol) np_buf_append_char(b, ',');
    first_pol = false;
    np_buf_appendf(b, "\"%s\":[", d[p].pol->code);
    for (int i = 0; v && i < v->nparams_used; i++) {
      const np_pparam_t *pp = &pkg->params[v->params_used[i]];
      if (i) np_buf_append_char(b, ',');
      np_buf_append_str(b, "{\"name\":");
      np_buf_append_json_string(b, pp->name, strlen(pp->name));
      if (pp->table_min_wage) {
        np_buf_append_str(b, ",\"table\":\"min_wage\",\"mode\":\"prorated\",\"reference\":");
        np_buf_append_json_string(b, pp->reference, strlen(pp->reference));
      } else {
        const np_pparam_value_t *pv = np_policy_param_at(pp, as_of);
        char val[96], f[16], t[16];
        if (pv) {
          np_pvalue_format(pp->type, pv->v, 1, val, sizeof val);
          np_date_format((np_date_t){(int32_t)pv->from}, f, sizeof f);
          if (pv->to == NP_PDATE_OPEN) snprintf(t, sizeof t, "open");
          else np_date_format((np_date_t){(int32_t)pv->to}, t, sizeof t);
          np_buf_appendf(b, ",\"value\":\"%s\",\"effective_from\":\"%s\",\"effective_to\":\"%s\",\"reference\":", val, f, t);
          np_buf_append_json_string(b, pv->reference, strlen(pv->reference));
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

static int64_t payee_enterprise(const np_policy_facts_t *F, np_pkind_t k, size_t row) {
  const int64_t *eids = F->t[NP_PK_ENTERPRISE].col[0];
  switch (k) {
  case NP_PK_ENTERPRISE: return eids[row];
  case NP_PK_SPELL: return eids[((const int32_t *)F->t[k].col[2])[row]];
  case NP_PK_INTERNSHIP: return eids[((const int32_t *)F->t[k].col[2])[row]];
  default: return NP_POLICY_UNKNOWN;
  }
}

static np_err store_decisions(np_store_t *s, int64_t run_id, const np_policy_facts_t *F, const np_pdecisions_t *d,
                              np_errdetail_t *err) {
  np_stmt_t *st;
  np_err r = np_store_prepare(s,
                              "INSERT INTO policy_decisions (run_id, policy, entity_kind, entity_id, enterprise_id, eligible, "
                              "amount_fen, reason, observed, threshold, competing) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                              &st, err);
  if (r) return r;
  const np_pkind_t k = d->pol->entity;
  const int64_t *ids = F->t[k].col[0];
  for (size_t i = 0; i < d->n && !r; i++) {
    const char *rc = np_policy_reason_code(d, i);
    char obs[128] = "", thr[128] = "", comp[64] = "";
    if (rc) {
      if (d->obs_v[i] != NP_POLICY_UNKNOWN || d->obs_d[i] != 1) np_pvalue_format(np_policy_reason_obs_type(d, i, false), d->obs_v[i], d->obs_d[i], obs, sizeof obs);
      if (d->thr_v[i] != NP_POLICY_UNKNOWN || d->thr_d[i] != 1) np_pvalue_format(np_policy_reason_obs_type(d, i, true), d->thr_v[i], d->thr_d[i], thr, sizeof thr);
      np_policy_competing(d, F, i, comp, sizeof comp);
    }
    int64_t ent = payee_enterprise(F, k, i);
    np_store_bind_int64(st, 1, run_id);
    np_store_bind_text(st, 2, d->pol->code, NP_STORE_STRLEN);
    np_store_bind_text(st, 3, np_policy_kind(k)->name, NP_STORE_STRLEN);
    np_store_bind_int64(st, 4, ids[i]);
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
    if (!r && i + 1 < d->n)
      r = np_store_prepare(s,
                           "INSERT INTO policy_decisions (run_id, policy, entity_kind, entity_id, enterprise_id, eligible, "
                           "amount_fen, reason, observed, threshold, competing) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                           &st, err);
  }
  return r;
}

np_err np_policy_run(np_store_t *s, const np_ppackage_t *pkg, const char *policy, int64_t as_of, int threads,
                     bool store_dec, np_prun_summary_t *sum, np_errdetail_t *err) {
  memset(sum, 0, sizeof *sum);
  const np_ppolicy_t *sel[64];
  size_t npol = 0;
  if (strcmp(policy, "all") == 0) {
    for (int i = 0; i < pkg->npolicies && npol < 64; i++) sel[npol++] = &pkg->policies[i];
  } else {
    const np_ppolicy_t *p = np_policy_find(pkg, policy);
    if (!p) return np_fail(err, NP_ERR_NOT_FOUND, "unknown_policy", "policy", "no policy '%s' in package %s", policy, pkg->name);
    sel[npol++] = p;
  }
  double t0 = now_ms();
  np_policy_facts_t *F = NULL;
  np_err r = np_policy_facts_load(s, &F, err);
  if (r) return r;
  const np_ref_t *ref = np_ref_shared(s, err);
  np_policy_facts_hash(F, sum->input_hash);
  memcpy(sum->ruleset_hash, pkg->ruleset_hash, 65);
  sum->load_ms = now_ms() - t0;
  char as_of_s[NP_DATE_STRLEN], created[NP_TS_STRLEN];
  np_date_format((np_date_t){(int32_t)as_of}, as_of_s, sizeof as_of_s);
  ts_now(created, sizeof created);
  np_pdecisions_t *dec = calloc(npol, sizeof *dec);
  np_buf_t pj;
  np_buf_init(&pj, 0);
  if (!dec) {
    np_policy_facts_free(F);
    return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  }
  if ((r = np_store_begin(s, err))) goto out;
  r = np_store_queryf_int64(s, &sum->run_id, NULL, err,
                            "INSERT INTO policy_runs (policy, package, as_of, input_hash, ruleset_hash, engine_version, status, "
                            "progress, created_at) VALUES (?,?,?,?,?,?,'running',0,?) RETURNING id",
                            "ttttttt", policy, pkg->name, as_of_s, sum->input_hash, sum->ruleset_hash, NP_POLICY_ENGINE_VERSION,
                            created);
  if (!r) r = np_store_commit(s, err);
  else np_store_rollback(s);
  if (r) goto out;
  np_peval_t E = {pkg, F, ref, as_of, threads};
  t0 = now_ms();
  for (size_t p = 0; p < npol && !r; p++) {
    r = np_policy_eval_all(&E, sel[p], &dec[p], err);
    if (!r) r = np_policy_apply_limits(&E, &dec[p], err);
    if (!r) np_store_execf(s, NULL, NULL, "UPDATE policy_runs SET progress = ? WHERE id = ?", "ii",
                           (int64_t)((p + 1) * 90 / npol), sum->run_id);
  }
  sum->eval_ms = now_ms() - t0;
  if (r) goto fail;
  t0 = now_ms();
  np_policy_decisions_hash(dec, npol, F, threads, sum->result_hash);
  sum->hash_ms = now_ms() - t0;
  for (size_t p = 0; p < npol; p++)
    for (size_t i = 0; i < dec[p].n; i++) {
      sum->decisions++;
      if (dec[p].eligible[i]) {
        sum->eligible++;
        sum->amount_fen += dec[p].amount[i];
      }
    }
  params_json(pkg, dec, npol, as_of, &pj);
  t0 = now_ms();
  if ((r = np_store_begin(s, err))) goto fail;
  for (size_t p = 0; p < npol && !r && store_dec; p++) r = store_decisions(s, sum->run_id, F, &dec[p], err);
  char fin[NP_TS_STRLEN];
  ts_now(fin, sizeof fin);
  if (!r)
    r = np_store_execf(s, NULL, err,
                       "UPDATE policy_runs SET status = 'done', progress = 100, result_hash = ?, decisions = ?, eligible = ?, "
                       "amount_fen = ?, params_json = ?, finished_at = ? WHERE id = ?",
                       "tiiitti", sum->result_hash, sum->decisions, sum->eligible, sum->amount_fen, np_buf_cstr(&pj), fin,
                       sum->run_id);
  if (!r) {
    char id[32];
    snprintf(id, sizeof id, "%" PRId64, sum->run_id);
    r = np_store_change(s, "policy_run", id, "insert", NULL, err);
  }
  if (!r) r = np_store_commit(s, err);
  else np_store_rollback(s);
  sum->store_ms = now_ms() - t0;
  if (!r) goto out;
fail:
  np_store_execf(s, NULL, NULL, "UPDATE policy_runs SET status = 'failed', error = ? WHERE id = ?", "ti", err->message,
                 sum->run_id);
out:
  for (size_t p = 0; p < npol; p++) np_policy_decisions_free(&dec[p]);
  free(dec);
  np_buf_free(&pj);
  np_policy_facts_free(F);
  return r;
}

np_err np_policy_explain(np_store_t *s, const np_ppackage_t *pkg, const char *policy, int64_t entity_id, int64_t run_id,
                         np_buf_t *out, np_errdetail_t *err) {
  const np_ppolicy_t *pol = np_policy_find(pkg, policy);
  if (!pol) return np_fail(err, NP_ERR_NOT_FOUND, "unknown_policy", "policy", "no policy '%s'", policy);
  np_stmt_t *st;
  np_err r = np_store_prepare(s, "SELECT as_of, input_hash, ruleset_hash FROM policy_runs WHERE id = ?", &st, err);
  if (r) return r;
  np_store_bind_int64(st, 1, run_id);
  bool has;
  char as_of_s[16] = "", in_hash[65] = "", rs_hash[65] = "";
  if (!(r = np_store_step(st, &has, err)) && has) {
    np_strlcpy(as_of_s, np_store_col_text(st, 0), sizeof as_of_s);
    np_strlcpy(in_hash, np_store_col_text(st, 1), sizeof in_hash);
    np_strlcpy(rs_hash, np_store_col_text(st, 2), sizeof rs_hash);
  }
  np_store_release(st);
  if (r) return r;
  if (!has) return np_fail(err, NP_ERR_NOT_FOUND, "not_found", "run", "no run %" PRId64, run_id);
  np_date_t as_of;
  np_date_parse(as_of_s, strlen(as_of_s), &as_of);
  np_policy_facts_t *F;
  if ((r = np_policy_facts_load(s, &F, err))) return r;
  int64_t row = np_policy_facts_find(F, pol->entity, entity_id);
  if (row < 0) {
    np_policy_facts_free(F);
    return np_fail(err, NP_ERR_NOT_FOUND, "not_found", "entity", "no %s %" PRId64, np_policy_kind(pol->entity)->name, entity_id);
  }
  char h[65];
  np_policy_facts_hash(F, h);
  np_peval_t E = {pkg, F, np_ref_shared(s, err), as_of.days, 1};
  np_pdecisions_t d;
  if (np_policy_decisions_alloc(&E, pol, &d)) {
    np_policy_facts_free(F);
    return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  }
  np_buf_append_str(out, "{\"run\":");
  np_buf_appendf(out, "%" PRId64 ",\"inputs_changed\":%s,\"ruleset_changed\":%s,\"trace\":", run_id,
                 strcmp(h, in_hash) ? "true" : "false", strcmp(rs_hash, pkg->ruleset_hash) ? "true" : "false");
  r = np_policy_eval_one(&E, pol, (size_t)row, &d, out, err);
  /* the stored decision carries the outcome of limits and caps (they compare entities) */
  if (!r) {
    r = np_store_prepare(s, "SELECT eligible, amount_fen, reason, observed, threshold, competing FROM policy_decisions "
                            "WHERE run_id = ? AND policy = ? AND entity_id = ?", &st, err);
    if (!r) {
      np_store_bind_int64(st, 1, run_id);
      np_store_bind_text(st, 2, pol->code, NP_STORE_STRLEN);
      np_store_bind_int64(st, 3, entity_id);
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
