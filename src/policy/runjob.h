/*
 * Runs started over HTTP (and by the demo): the run row is created first (so POST can answer 202 with its
 * id), then a background thread executes it with the one engine path of src/policy/run.c
 * (np_policy_run_execute, also behind `nineplus policy run`): decisions written in chunks (one
 * transaction per chunk), progress stored in policy_runs.
 *
 * Local parameter values (policy_param_overrides, set by a province administrator) overlay the package
 * in the runs that start afterwards; the run's ruleset_hash then covers the overlay. Without local values
 * the ruleset hash is the package's own, so results equal `nineplus policy run`.
 */
#ifndef NP_POLICY_RUNJOB_H
#define NP_POLICY_RUNJOB_H
#include <stdbool.h>
#include <stdint.h>
#include "core/err.h"
#include "policy/package.h"
#include "store/store.h"

#define NP_POLICY_PACKAGE "shandong-2023"

/** Loads the embedded package with the local values applied; overlay_hash ("" when none, else 64 hex). */
np_err np_policy_overlay_load(np_store_t *s, np_ppackage_t **out, char overlay_hash[65], np_errdetail_t *err);

/** Creates the run row ('running', progress 0) and its request row. */
np_err np_policy_job_create(np_store_t *s, const char *policy, int64_t as_of, const char *user, int64_t *run_id,
                            np_errdetail_t *err);

/** Executes a created run on s (sets status done or failed). threads ≥ 1. */
np_err np_policy_job_execute(np_store_t *s, int64_t run_id, int threads, np_errdetail_t *err);

/**
 * Starts the execution of a created run in a detached thread with its own connection from pool.
 * NP_ERR_CONFLICT "run_in_progress" while another run of this process is executing.
 */
np_err np_policy_job_spawn(np_store_pool_t *pool, int64_t run_id, np_errdetail_t *err);

/** True while a run of this process executes. */
bool np_policy_job_busy(void);

#endif
