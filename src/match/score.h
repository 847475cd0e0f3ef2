/*
 * Matching rules: hard filters, then a score that is an explicit sum of named terms with integer
 * weights, and the explanation of both (docs/MATCHING.md).
 *
 * Everything here works on two small records — a demand line and a seeker as the engine keeps
 * them (codes interned into small integers by the index) — and is pure: the same inputs give the
 * same result, with no floating point in the ranking (raw values and weights are per-mille
 * integers; contribution = raw × weight / 1000, truncated; score = sum of contributions).
 *
 * Filters, checked in this order, each with a stable name (the API's "filter"):
 *   occupation   exact, same minor group, same middle group or a configured related pair
 *   skill_level  the seeker's level ≥ the line's required level (a seeker without one has 0)
 *   age          age at `today` (from the birth date) within the line's age_min..age_max
 *   education    the seeker's education rank ≥ the line's (unknown = below every requirement)
 *   radius       great-circle distance ≤ radius (needs both locations)
 *   scope        same county / city / economic circle (scope queries)
 *   availability the seeker's available_from ≤ the line's needed_by (when both are known)
 *   consent      the seeker agreed to be recommended
 *   status       the line is open with openings and public; the seeker is seeking
 *   congestion   (index only) anti-congestion limits of the day
 */
#ifndef NP_MATCH_SCORE_H
#define NP_MATCH_SCORE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#define NP_MATCH_NO_DATE INT32_MAX /* "no date" for needed_by / available_from */
#define NP_MATCH_MAX_OCC 3

/** A demand line as the engine sees it. Occupation ids are the index's interned codes (0 = none). */
typedef struct np_match_demand {
  int64_t id;
  int64_t enterprise_id;
  uint32_t occ, minor, middle;  /* interned occupation, minor-group and middle-group codes */
  int32_t lat_e6, lon_e6;
  double coslat;                /* np_geo_cos_lat(lat_e6) */
  int64_t salary_min, salary_max; /* fen, 0 = not given */
  int32_t needed_by;            /* days since 1970, NP_MATCH_NO_DATE when none */
  int32_t created;              /* days since 1970 */
  int32_t open_count;
  uint16_t county, city;        /* interned region codes */
  uint8_t circle;               /* economic circle number (0 = unknown) */
  uint8_t skill;                /* required level 1..8, 0 = none */
  uint8_t edu;                  /* required education rank 1..8, 0 = none */
  uint8_t age_min, age_max;     /* 0 = none */
  bool has_loc;
  bool is_key;                  /* key industrial enterprise (重点企业) */
  bool is_public;
  bool status_ok;               /* open or partly_filled with open_count > 0 */
  bool live;                    /* slot in use (index) */
  uint32_t cell;                /* grid cell (index) */
} np_match_demand_t;

/** A seeker (or a batch worker) as the engine sees it. */
typedef struct np_match_seeker {
  int64_t id;
  uint32_t occ[NP_MATCH_MAX_OCC], minor[NP_MATCH_MAX_OCC], middle[NP_MATCH_MAX_OCC]; /* 0 = unused */
  int32_t lat_e6, lon_e6;
  double coslat;
  int64_t expected_salary;      /* fen, 0 = not given */
  int32_t birth;                /* days since 1970 */
  int32_t birth_ymd;            /* the same as YYYYMMDD (age by subtraction); 0 = derive from birth */
  int32_t available_from;       /* days, NP_MATCH_NO_DATE = now */
  int32_t created;              /* days since 1970 (registration) */
  uint16_t county, city;
  uint8_t circle;
  uint8_t skill;                /* 0 = none */
  uint8_t edu;                  /* rank 1..8, 0 = unknown */
  uint8_t nocc;
  bool has_loc;
  bool consent;
  bool status_ok;               /* seeking */
  bool live;
  uint32_t cell;
} np_match_seeker_t;

typedef enum np_match_filter {
  NP_MF_PASS = 0,
  NP_MF_OCCUPATION,
  NP_MF_SKILL,
  NP_MF_AGE,
  NP_MF_EDUCATION,
  NP_MF_RADIUS,
  NP_MF_SCOPE,
  NP_MF_AVAILABILITY,
  NP_MF_CONSENT,
  NP_MF_STATUS,
  NP_MF_CONGESTION,
  NP_MF__COUNT
} np_match_filter;

/** Stable name of a filter ("occupation", "skill_level" …; "" for NP_MF_PASS). */
const char *np_match_filter_name(np_match_filter f);

typedef enum np_match_term {
  NP_MT_OCCUPATION = 0,
  NP_MT_SKILL,
  NP_MT_DISTANCE,
  NP_MT_SALARY,
  NP_MT_KEY,
  NP_MT_FRESHNESS,
  NP_MT__COUNT
} np_match_term;

/** Stable name of a term: occupation, skill, distance, salary, key_enterprise, freshness. */
const char *np_match_term_name(np_match_term t);
/** Term by name; -1 when unknown. */
int np_match_term_parse(const char *name);

typedef enum np_match_relation {
  NP_REL_NONE = 0,
  NP_REL_RELATED,  /* a configured related pair */
  NP_REL_MIDDLE,   /* same middle group */
  NP_REL_MINOR,    /* same minor group */
  NP_REL_EXACT,
} np_match_relation;

/** "exact", "minor", "middle", "related", "none". */
const char *np_match_relation_name(np_match_relation r);

typedef enum np_match_scope {
  NP_SCOPE_RADIUS = 0, /* radius_m */
  NP_MSCOPE_COUNTY,
  NP_MSCOPE_CITY,
  NP_MSCOPE_CIRCLE,
  NP_MSCOPE_ANY,       /* no geographic condition (batch allocation inside its region) */
} np_match_scope;

/** The configurable part: weights (per-mille, 0..1000) and related occupation pairs. */
typedef struct np_match_rules {
  int32_t weight[NP_MT__COUNT];
  const uint64_t *related;      /* sorted keys (a << 32 | b), both orders; may be NULL */
  size_t nrelated;
  int32_t distance_half_m;      /* distance at which the distance term is 500 (default 20,000 m) */
  int32_t freshness_half_days;  /* age at which freshness is 500 (default 30 days) */
} np_match_rules_t;

/** Default weights: occupation 400, skill 150, distance 200, salary 150, key_enterprise 50, freshness 50. */
void np_match_rules_default(np_match_rules_t *r);

/** Geographic condition and the day of the evaluation. */
typedef struct np_match_where {
  np_match_scope scope;
  int64_t radius_m;   /* scope NP_SCOPE_RADIUS: 1 .. 500,000 */
  int32_t today;      /* days since 1970 (Asia/Shanghai) */
  bool skip_age;      /* leave the age filter out (batch allocation checks it per worker afterwards) */
  int32_t today_ymd;  /* today as YYYYMMDD, 0 = derive from today (callers evaluating many pairs fill it) */
} np_match_where_t;

/** The outcome for one pair: the first failing filter, or the terms and the score. */
typedef struct np_match_eval {
  np_match_filter filter;          /* NP_MF_PASS when the pair is a match */
  np_match_relation relation;
  int32_t raw[NP_MT__COUNT];       /* per-mille 0..1000 */
  int32_t contribution[NP_MT__COUNT];
  int32_t score;                   /* sum of contributions */
  int64_t distance_m;              /* -1 when unknown */
  bool has_salary_gap;
  int64_t salary_gap_fen;          /* expected - salary_max when above, expected - salary_min when below, else 0 */
  int32_t age;                     /* seeker's age at today */
} np_match_eval_t;

/**
 * Evaluates a pair: filters in the documented order, stopping at the first that fails (out->filter),
 * then the terms. Cheap enough for the engine's inner loop.
 */
void np_match_eval(const np_match_rules_t *rules, const np_match_where_t *w, const np_match_demand_t *d,
                   const np_match_seeker_t *s, np_match_eval_t *out);

/** Occupation relation of a pair (best over the seeker's occupations). */
np_match_relation np_match_relation_of(const np_match_rules_t *rules, const np_match_demand_t *d,
                                       const np_match_seeker_t *s);

/** Age in whole years at `today` of someone born on `birth` (days since 1970). */
int np_match_age(int32_t birth, int32_t today);

/** A date (days since 1970) as YYYYMMDD. */
int32_t np_match_ymd(int32_t days);

/** Codes for the explanation: names of the interned ids (the index's dictionary). */
typedef struct np_match_names {
  const char *(*occupation)(const void *ctx, uint32_t id);
  const void *ctx;
} np_match_names_t;

/**
 * The explanation of an evaluated pair as JSON: {"score", "terms":[{name, raw, weight, contribution}],
 * "distance_km", "distance_m", "salary_gap_fen", "occupation_relation", "matched":[…], "missing":[…]},
 * or for an excluded pair {"excluded": true, "filter", "reason"}. names may be NULL.
 */
json_t *np_match_explain_json(const np_match_rules_t *rules, const np_match_where_t *w, const np_match_demand_t *d,
                              const np_match_seeker_t *s, const np_match_eval_t *e, const np_match_names_t *names);

/** Education rank of a dictionary value (none 1 … doctorate 8); 0 for NULL or unknown. */
int np_match_education_rank(const char *value);

#endif
