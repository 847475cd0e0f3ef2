/*
 * Organised batch allocation (有组织劳务输入): workers of a batch are assigned to demand lines by
 * worker-proposing deferred acceptance (Gale–Shapley, many-to-one) with capacities = open_count,
 * over the engine's pair scores (docs/MATCHING.md).
 *
 * Preferences (strict, so the outcome is unique and deterministic):
 *   a worker ranks the lines that pass every hard filter (scope: the lines handed in) by score
 *   descending, then line id ascending, keeping the first `pref_list_max` (a truncated list: lines
 *   beyond it count as unacceptable, for the stability check too);
 *   a line ranks workers by the same pair score descending, then worker index ascending.
 * Without groups the result is the worker-optimal stable matching: no blocking pair.
 *
 * Groups (same village/team must stay together), heuristic:
 *   1. a group of size s is one proposer; a line is acceptable to it when it is acceptable to every
 *      member and has open_count ≥ s; it ranks such lines by the members' summed score (then id);
 *      lines see it with the members' average score (then its smallest worker index); a line over
 *      capacity rejects its worst proposers until it fits.
 *   2. repair: a group that exhausts its list is split and its members propose alone (reason
 *      "group_split"), continuing the same run.
 *   Group placement can leave capacity that an individual would have taken: the report counts the
 *   blocking pairs that remain (checked worker by worker against every better line).
 */
#ifndef NP_MATCH_ALLOC_H
#define NP_MATCH_ALLOC_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/err.h"
#include "match/score.h"

typedef struct np_alloc_worker {
  np_match_seeker_t s; /* occupations, skill, education, birth; consent/status set; no location needed */
  int32_t group;       /* 0 = none; workers with the same non-zero number form a group */
} np_alloc_worker_t;

typedef struct np_alloc_opts {
  const np_match_rules_t *rules;
  int32_t today;        /* days since 1970 */
  int32_t pref_list_max; /* 1.. ; 0 = 200 */
} np_alloc_opts_t;

typedef enum np_alloc_reason {
  NP_ALLOC_ASSIGNED = 0,
  NP_ALLOC_NO_LINE,   /* no line passes the hard filters (filter names the commonest cause) */
  NP_ALLOC_CAPACITY,  /* acceptable lines exist but are full with workers they rank higher */
} np_alloc_reason;

/** "assigned", "no_acceptable_line", "capacity". */
const char *np_alloc_reason_name(np_alloc_reason r);

typedef struct np_alloc_result {
  size_t nworkers, nlines;
  int32_t *line;        /* per worker: index into lines, -1 when unassigned */
  int32_t *score;       /* per worker: its score at that line (0 when unassigned) */
  uint8_t *reason;      /* np_alloc_reason */
  uint8_t *filter;      /* NO_LINE: np_match_filter that excluded most lines */
  bool *split;          /* a group member that had to propose alone */
  int32_t *load;        /* per line: workers assigned */
  int64_t assigned, unassigned, groups, groups_together, groups_split;
  int64_t blocking_pairs;
  int64_t proposals;    /* deferred-acceptance steps */
} np_alloc_result_t;

/**
 * Runs the allocation. lines are the open lines of the batch's scope (capacity = open_count).
 * out is filled (free with np_alloc_result_free, also after an error).
 */
np_err np_alloc_run(const np_alloc_opts_t *o, const np_alloc_worker_t *w, size_t nw, const np_match_demand_t *lines,
                    size_t nl, np_alloc_result_t *out);

/** Frees the arrays of a result. */
void np_alloc_result_free(np_alloc_result_t *r);

#endif
