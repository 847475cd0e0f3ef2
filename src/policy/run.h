/*
 * Policy runs against the database: load the facts once into columns, freeze them by their content
 * hash, evaluate one policy or all of a package, hash the sorted decision records (SM3) and store the
 * run with one summary decision row per entity × policy. Explanations rebuild the full trace of one
 * decision from that entity's rows only.
 */
#ifndef NP_POLICY_RUN_H
#define NP_POLICY_RUN_H
#include <stdint.h>
#include <stdio.h>
#include "core/buf.h"
#include "core/err.h"
#include "policy/eval.h"
#include "store/store.h"

typedef struct np_prun_summary {
  int64_t run_id;
  int64_t decisions, eligible, amount_fen;
  char input_hash[65], ruleset_hash[65], result_hash[65];
  double load_ms, eval_ms, hash_ms, store_ms;
} np_prun_summary_t;

/** Progress of a run in percent (5 after loading the facts, 5–50 while evaluating, 50–99 while storing, 100). */
typedef void (*np_prun_progress_fn)(void *ctx, int percent);

typedef struct np_prun_opts {
  int threads;                   /* worker threads (≥ 1) */
  bool store_decisions;          /* false: the run row and its totals only (benchmarks) */
  np_prun_progress_fn progress;  /* may be NULL; the run row's progress column is written either way */
  void *progress_ctx;
} np_prun_opts_t;

/**
 * Creates the run row ('running', progress 0, hashes still empty); user (may be NULL: no request row)
 * is recorded in policy_run_requests. Execute it with np_policy_run_execute.
 */
np_err np_policy_run_create(np_store_t *s, const char *package, const char *policy, int64_t as_of, const char *user, int64_t *run_id,
                            np_errdetail_t *err);

/**
 * Executes a created run with pkg — the one engine path of the CLI, the HTTP job and the demo: records
 * the facts' change-feed position, loads the facts once into columns, freezes them by their hash, evaluates
 * every selected policy column-wise with its limits and caps, hashes the decisions (SM3), stores them in
 * chunks of 5,000 (one transaction each), and marks the run done (or failed, with the error).
 */
np_err np_policy_run_execute(np_store_t *s, const np_ppackage_t *pkg, int64_t run_id, const np_prun_opts_t *o, np_prun_summary_t *sum,
                             np_errdetail_t *err);

/**
 * Runs `policy` ("all" for every policy of the package) as of as_of on the facts in s: np_policy_run_create
 * then np_policy_run_execute (store_decisions false: the run row only).
 */
np_err np_policy_run(np_store_t *s, const np_ppackage_t *pkg, const char *policy, int64_t as_of, int threads,
                     bool store_decisions, np_prun_summary_t *sum, np_errdetail_t *err);

/**
 * Rebuilds the full trace of `policy` for one entity (its id) as of the run's date, into out as JSON,
 * from that entity's rows only (np_policy_facts_load_entity), with the run's stored decision (which
 * carries limits and caps). "inputs_changed": the change feed of the facts moved since the run.
 */
np_err np_policy_explain(np_store_t *s, const np_ppackage_t *pkg, const char *policy, int64_t entity_id, int64_t run_id,
                         np_buf_t *out, np_errdetail_t *err);

/** The same from all the facts (what a run evaluates); tests compare the two. */
np_err np_policy_explain_all_facts(np_store_t *s, const np_ppackage_t *pkg, const char *policy, int64_t entity_id, int64_t run_id,
                                   np_buf_t *out, np_errdetail_t *err);

/**
 * Loads only the rows the rules of pol can read about one entity of its kind (its id): the entity, the
 * rows its links and collections lead to as the policy's expressions follow them, and the link targets
 * of every loaded row — indexed queries, no full scan. NP_ERR_NOT_FOUND: no such entity;
 * NP_ERR_UNSUPPORTED: the paths are too many (load everything instead).
 */
np_err np_policy_facts_load_entity(np_store_t *s, const np_ppolicy_t *pol, int64_t entity_id, np_policy_facts_t **out,
                                   np_errdetail_t *err);

/** The change-feed position of the facts: the highest changes.seq of 'policy_facts' and 'enterprise' (0: none). */
np_err np_policy_facts_seq(np_store_t *s, int64_t *seq, np_errdetail_t *err);

/** Import kinds: "facts", "persons", "spells", "internships", "certificates". */
typedef struct np_pimport_stats {
  int64_t rows, imported, rejected;
} np_pimport_stats_t;

/**
 * Imports a CSV extract (UTF-8 or GB18030; formats in docs/POLICY-DATA.md). Each bad row is written to
 * errors (may be NULL) as "row N – column C – header – reason". all_or_nothing: any bad row imports
 * nothing (NP_ERR_INVALID); otherwise the valid rows are imported.
 */
np_err np_policy_import(np_store_t *s, const char *kind, const char *path, bool all_or_nothing, FILE *errors,
                        np_pimport_stats_t *st, np_errdetail_t *err);

#endif
