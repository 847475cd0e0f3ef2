/* The policy workflow's demo step (registered in src/demo/demo.c after policy_facts). */
#ifndef NP_POLICY_DEMO_WORKFLOW_H
#define NP_POLICY_DEMO_WORKFLOW_H
#include "demo/demo.h"

/** Runs the seven policies on the demo facts and takes some through the 免申即享 workflow (every state shown). */
np_err np_demo_step_policy_workflow(np_demo_ctx_t *ctx, np_rng_t *rng, np_errdetail_t *err);

#endif
