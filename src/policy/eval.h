/*
 * Evaluation of a policy over the facts.
 *
 * Column-wise path (np_policy_eval_all): entities are cut into chunks; each chunk keeps a selection
 * vector of the rows still in play; criterion i is evaluated only over the rows that passed 0..i−1,
 * the rows that fail get their decision (criterion, observed, threshold) and leave the selection;
 * amounts are evaluated for the survivors only. Aggregates gather the children of the selected rows
 * from the collection index, filter them with their own selection and reduce. Chunks are shared by
 * worker threads (pthreads); no query per row, the facts are columns in memory.
 *
 * Single-entity path (np_policy_eval_one): a tree walk over one entity that records the full trace
 * (lets, parameters with their effective dates and references, every criterion, the amount rule
 * that hit). Both paths share the element operations, and the test cases require them to agree.
 *
 * Limits and caps (one person counted once, at most three a year, caps per enterprise) compare
 * entities with each other, so they run after either path over the decisions (np_policy_apply_limits).
 */
#ifndef NP_POLICY_EVAL_H
#define NP_POLICY_EVAL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/buf.h"
#include "core/err.h"
#include "policy/facts.h"
#include "policy/package.h"
#include "ref/ref.h"

/* Reason codes of a decision besides criterion indexes 0..ncrits−1. */
#define NP_PR_NONE (-1)          /* eligible */
#define NP_PR_NO_VERSION (-2)    /* no rule version in force on as_of */
#define NP_PR_NO_AMOUNT (-3)     /* no amount rule applied */
#define NP_PR_HIT_CONFLICT (-4)  /* hit policy unique, several rules applied */
#define NP_PR_AMOUNT_UNKNOWN (-5)
#define NP_PR_LIMIT 1000         /* + limit index */
#define NP_PR_CAP 2000           /* + cap index */

/** Decisions of one policy: one per entity row of the policy's kind (row order = id order). */
typedef struct np_pdecisions {
  const np_ppolicy_t *pol;
  const np_pversion_t *ver;    /* NULL: none in force */
  size_t n;
  int8_t *eligible;
  int16_t *reason;             /* NP_PR_* or criterion index */
  int64_t *amount;             /* fen (0 when not eligible) */
  int64_t *obs_v, *obs_d, *thr_v, *thr_d; /* observed / threshold (d = denominator for fractions) */
  int32_t *competing;          /* limits: row of the entity that holds the place; −1 */
} np_pdecisions_t;

/** Evaluation context: shared, read-only during evaluation. */
typedef struct np_peval {
  const np_ppackage_t *pkg;
  const np_policy_facts_t *facts;
  const np_ref_t *ref;         /* minimum wages; NULL: every min-wage lookup is unknown */
  int64_t as_of;               /* days */
  int threads;                 /* worker threads (≥ 1) */
} np_peval_t;

/** Evaluates pol over every entity of its kind, column-wise; *out must be freed with np_policy_decisions_free. */
np_err np_policy_eval_all(const np_peval_t *E, const np_ppolicy_t *pol, np_pdecisions_t *out, np_errdetail_t *err);

/**
 * Evaluates pol for one entity row with the full trace. dec must have been allocated for the kind
 * (np_policy_decisions_alloc) and receives the decision at `row`. trace (may be NULL) receives a JSON
 * object {"policy","version","entity","lets":[…],"params":[…],"criteria":[…],"amount":{…}}.
 */
np_err np_policy_eval_one(const np_peval_t *E, const np_ppolicy_t *pol, size_t row, np_pdecisions_t *dec, np_buf_t *trace,
                          np_errdetail_t *err);

/** Allocates decisions for every row of the policy's kind (all "no version" until evaluated). */
np_err np_policy_decisions_alloc(const np_peval_t *E, const np_ppolicy_t *pol, np_pdecisions_t *out);
/** Frees the arrays. */
void np_policy_decisions_free(np_pdecisions_t *d);

/** Applies the version's limits and caps across entities (deterministic: key, order, id). */
np_err np_policy_apply_limits(const np_peval_t *E, np_pdecisions_t *d, np_errdetail_t *err);

/** Reason code text of a decision ("layoff_rate", "no_rule_version" …); NULL when eligible without adjustment. */
const char *np_policy_reason_code(const np_pdecisions_t *d, size_t row);
/** zh/en message of the reason (criterion or limit), or a fixed one. */
const char *np_policy_reason_text(const np_pdecisions_t *d, size_t row, bool zh);
/** Type of the observed/threshold values of a decision. */
np_ptype_t np_policy_reason_obs_type(const np_pdecisions_t *d, size_t row, bool threshold);
/** Competing grant (policy code) or holder ("spell 12") of a decision, into out; "" when none. */
void np_policy_competing(const np_pdecisions_t *d, const np_policy_facts_t *f, size_t row, char *out, size_t cap);

/** SM3 over the canonical decision records of all policies (tree hash over fixed chunks), hex. */
void np_policy_decisions_hash(const np_pdecisions_t *d, size_t npol, const np_policy_facts_t *f, int threads, char hex[65]);

/** The engine version recorded with each run. */
#define NP_POLICY_ENGINE_VERSION "nineplus-policy/1"

#endif
