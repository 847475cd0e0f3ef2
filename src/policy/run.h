/*
 * Policy runs against the database: load the facts once into columns, freeze them by their content
 * hash, evaluate one policy or all of a package, hash the sorted decision records (SM3) and store the
 * run with one summary decision row per entity × policy. Explanations rebuild the full trace.
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

/**
 * Runs `policy` ("all" for every policy of the package) as of as_of on the facts in s, stores the run
 * and its decisions (store_decisions false: the run row only). progress (may be NULL) is told percents.
 */
np_err np_policy_run(np_store_t *s, const np_ppackage_t *pkg, const char *policy, int64_t as_of, int threads,
                     bool store_decisions, np_prun_summary_t *sum, np_errdetail_t *err);

/**
 * Rebuilds the full trace of `policy` for one entity (its id) as of the run's date, into out as JSON.
 * Warns in the trace ("inputs_changed": true) when the facts no longer hash to the run's input hash.
 */
np_err np_policy_explain(np_store_t *s, const np_ppackage_t *pkg, const char *policy, int64_t entity_id, int64_t run_id,
                         np_buf_t *out, np_errdetail_t *err);

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
