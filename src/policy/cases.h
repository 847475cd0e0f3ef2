/*
 * Policy test cases (OpenFisca style, tests/policy/NAME.yaml): each case gives the facts of a few
 * entities, a policy, an evaluation date and the expected decisions (eligibility, amount in yuan with
 * zero tolerance, reason code, observed and threshold values, competing grant). Every case runs
 * through the column-wise path and the single-entity path; the two must agree exactly.
 */
#ifndef NP_POLICY_CASES_H
#define NP_POLICY_CASES_H
#include <stdio.h>
#include "core/err.h"
#include "policy/package.h"
#include "ref/ref.h"

typedef struct np_pcase_stats {
  int cases, passed, failed;
  int checks;                 /* individual expectations checked */
} np_pcase_stats_t;

/**
 * Runs the cases of one YAML file (text[0..len)) against pkg. Failures are printed to out (NULL =
 * silent) as "file:line: case 'name': …". ref may be NULL (min-wage lookups are then unknown).
 * Returns NP_ERR_INVALID when the file itself is malformed.
 */
np_err np_policy_cases_run(const np_ppackage_t *pkg, const np_ref_t *ref, const char *file, const char *text, size_t len,
                           FILE *out, np_pcase_stats_t *stats, np_errdetail_t *err);

/** Runs every *.yaml of a folder. */
np_err np_policy_cases_run_dir(const np_ppackage_t *pkg, const np_ref_t *ref, const char *dir, FILE *out,
                               np_pcase_stats_t *stats, np_errdetail_t *err);

#endif
