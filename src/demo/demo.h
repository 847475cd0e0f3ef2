/*
 * Deterministic synthetic data on the real region codes: `nineplus demo --seed N --scale S`.
 * The framework owns the random source, the scale and the order of steps; each capability adds
 * one step that creates its entities (accounts, enterprises, seekers …) through its own module.
 * Same seed and scale, same data.
 */
#ifndef NP_DEMO_DEMO_H
#define NP_DEMO_DEMO_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "core/err.h"
#include "store/store.h"

typedef enum np_demo_scale { NP_DEMO_SMALL = 0, NP_DEMO_CITY, NP_DEMO_PROVINCE } np_demo_scale;

/** xoshiro256** state; seeded with splitmix64 from the user's seed and the step name. */
typedef struct np_rng {
  uint64_t s[4];
} np_rng_t;

typedef struct np_demo_ctx {
  np_store_t *store;
  np_demo_scale scale;
  uint64_t seed;
  FILE *report; /* where steps print what they created and the demo accounts (stdout) */
} np_demo_ctx_t;

typedef struct np_demo_step {
  const char *name;
  const char *summary;
  np_err (*run)(np_demo_ctx_t *ctx, np_rng_t *rng, np_errdetail_t *err);
} np_demo_step_t;

/** Seeds rng from (seed, label): each step gets its own stream, so adding a step changes no other. */
void np_rng_seed(np_rng_t *rng, uint64_t seed, const char *label);
uint64_t np_rng_next(np_rng_t *rng);
/** Uniform integer in [lo, hi] (inclusive), unbiased. */
int64_t np_rng_range(np_rng_t *rng, int64_t lo, int64_t hi);
/** True with probability ppm / 1,000,000. */
bool np_rng_chance(np_rng_t *rng, uint32_t ppm);
/** Index drawn from non-negative integer weights (sum > 0). */
size_t np_rng_weighted(np_rng_t *rng, const uint32_t *weights, size_t n);

/** Parses "small" | "city" | "province". */
np_err np_demo_scale_parse(const char *s, np_demo_scale *out);
const char *np_demo_scale_name(np_demo_scale s);

/** A plausible Chinese personal name (surname by frequency + one or two given characters). */
void np_demo_person_name(np_rng_t *rng, char *out, size_t cap);

/** Runs every registered step in order, each in its own transaction. */
np_err np_demo_run(np_demo_ctx_t *ctx, np_errdetail_t *err);

/** The registered steps (in order) and their count. */
const np_demo_step_t *np_demo_steps(size_t *n);

#endif
