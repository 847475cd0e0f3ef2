/* The demo steps of each capability (see the table in demo.c). */
#ifndef NP_DEMO_STEPS_H
#define NP_DEMO_STEPS_H
#include "demo/demo.h"

/** One account per role on real jurisdictions, with the known demo passwords; 2FA switched off. */
np_err np_demo_step_accounts(np_demo_ctx_t *ctx, np_rng_t *rng, np_errdetail_t *err);

/** The "enterprise" account: HR of the 历下 enterprise with the largest shortage (after demands). */
np_err np_demo_step_enterprise_account(np_demo_ctx_t *ctx, np_rng_t *rng, np_errdetail_t *err);

/** Prints the demo accounts table (username, role, jurisdiction, password) to f. */
void np_demo_print_accounts(FILE *f);

/** Enterprises, development zones in use and major projects (src/firms/demo.c). */
np_err np_demo_step_enterprises(np_demo_ctx_t *ctx, np_rng_t *rng, np_errdetail_t *err);

/** Demand lines, hires and 一企一策 plans for the enterprises (src/firms/demo_demands.c). */
np_err np_demo_step_demands(np_demo_ctx_t *ctx, np_rng_t *rng, np_errdetail_t *err);

/** Service teams, specialists (the demo "specialist" account linked in 370102), assignments, grid, service logs. */
np_err np_demo_step_teams(np_demo_ctx_t *ctx, np_rng_t *rng, np_errdetail_t *err);

/** Shortage alerts over the demo enterprises: escalated, missed, met, closed and green-channel ones (src/firms/demo_alerts.c). */
np_err np_demo_step_alerts(np_demo_ctx_t *ctx, np_rng_t *rng, np_errdetail_t *err);

/** Job seekers, referrals in every pipeline stage and the partner key "demo-partner" (src/match/demo_seekers.c). */
np_err np_demo_step_seekers(np_demo_ctx_t *ctx, np_rng_t *rng, np_errdetail_t *err);

/** Surplus/shortage sharing posts (济南, 青岛, 临沂 and one pair across circles) and two agreements (src/match/demo_sharing.c). */
np_err np_demo_step_sharing(np_demo_ctx_t *ctx, np_rng_t *rng, np_errdetail_t *err);

#endif
