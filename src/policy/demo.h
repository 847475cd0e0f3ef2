/* The policy module's demo step (registered in src/demo/demo.c). */
#ifndef NP_POLICY_DEMO_H
#define NP_POLICY_DEMO_H
#include "demo/demo.h"
#include "policy/facts.h"

/** Facts for the demo enterprises: 24 months of insurance facts, persons, spells, internships, certificates. */
np_err np_demo_step_policy_facts(np_demo_ctx_t *ctx, np_rng_t *rng, np_errdetail_t *err);

#endif
