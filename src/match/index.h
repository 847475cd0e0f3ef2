/*
 * The matching engine's in-memory index (docs/MATCHING.md).
 *
 * Derived data, rebuilt at start from the store and kept current from the change feed: demand
 * lines that are open with openings and public, seekers that are seeking with consent. Records
 * live in slot arrays (allocated in grid-cell order at build time, so that a scan of nearby cells
 * touches nearby memory), found by id through a direct id → slot table. Each side has one posting
 * list per occupation middle group (2022 classification, "6-18"), sorted by (grid cell, slot): a
 * radius query reads, for every grid row the circle touches, one contiguous run of every list it
 * needs; a county/city/circle query reads the lists whole.
 *
 * Concurrency: one pthread rwlock that prefers writers. Queries hold the read lock for the scan
 * (well under a millisecond); the change follower reads changed rows from the store without the
 * lock and applies them under the write lock in one short critical section per poll.
 *
 * Anti-congestion (per Asia/Shanghai day, in memory): a seeker is shown for at most
 * `seeker_daily_pushes` distinct demand lines, a demand line gets at most
 * `demand_flood_multiple` × open_count distinct seekers. A pair already shown today may always be
 * shown again. Only queries with `record` set count and enforce (the API's list endpoints);
 * explanations, benches and batch allocation do not.
 */
#ifndef NP_MATCH_INDEX_H
#define NP_MATCH_INDEX_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "core/err.h"
#include "match/score.h"
#include "ref/ref.h"
#include "store/store.h"

typedef struct np_match_index np_match_index_t;

#define NP_MATCH_MAX_ID 200000000 /* ids above are refused (direct id → slot table) */
#define NP_MATCH_MAX_LIMIT 100

/** A demand line in source form (codes as text), for np_match_index_put_demand. */
typedef struct np_match_demand_row {
  int64_t id, enterprise_id;
  const char *occupation_code;   /* "6-18-01-01" */
  int skill_level;               /* 0 = none */
  int64_t salary_min, salary_max;
  int edu_rank;                  /* np_match_education_rank, 0 = none */
  int age_min, age_max;          /* 0 = none */
  int32_t needed_by;             /* days, NP_MATCH_NO_DATE */
  int32_t created;               /* days */
  const char *county_code, *city_code;
  int circle;                    /* economic circle number, 0 = unknown */
  bool has_loc;
  int32_t lat_e6, lon_e6;
  bool is_key, is_public, status_ok;
  int32_t open_count;
} np_match_demand_row_t;

/** A seeker in source form. */
typedef struct np_match_seeker_row {
  int64_t id;
  const char *occupation_codes[NP_MATCH_MAX_OCC];
  int nocc;
  int skill_level, edu_rank;
  int64_t expected_salary;
  int32_t birth, available_from, created;
  const char *county_code, *city_code;
  int circle;
  bool has_loc;
  int32_t lat_e6, lon_e6;
  bool consent, status_ok;
} np_match_seeker_row_t;

/** Anti-congestion limits and the scoring rules' numbers. */
typedef struct np_match_config {
  int32_t weight[NP_MT__COUNT];
  int32_t seeker_daily_pushes;    /* N, default 20 */
  int32_t demand_flood_multiple;  /* K, default 5 */
  int32_t pref_list_max;          /* batch allocation: preference list length, default 200 */
} np_match_config_t;

/** Defaults of np_match_config_t (weights as np_match_rules_default). */
void np_match_config_default(np_match_config_t *c);

/** An empty index. NULL on OOM. */
np_match_index_t *np_match_index_new(void);
/** Frees the index (the follower must be stopped). NULL allowed. */
void np_match_index_free(np_match_index_t *ix);

/** Replaces the configuration and the related-occupation pairs (codes, n pairs: a[i] ↔ b[i]). */
np_err np_match_index_configure(np_match_index_t *ix, const np_match_config_t *c, const char *const *a,
                                const char *const *b, size_t n);
/** Current configuration. */
void np_match_index_config(np_match_index_t *ix, np_match_config_t *out);

/** Inserts or replaces a demand line (indexed only when status_ok, public, open_count > 0). */
np_err np_match_index_put_demand(np_match_index_t *ix, const np_match_demand_row_t *row);
/** Inserts or replaces a seeker (indexed only when status_ok and consent). */
np_err np_match_index_put_seeker(np_match_index_t *ix, const np_match_seeker_row_t *row);
/** Removes a record (no-op when absent). */
void np_match_index_remove_demand(np_match_index_t *ix, int64_t id);
void np_match_index_remove_seeker(np_match_index_t *ix, int64_t id);
/** Several puts under one write lock (the follower, bulk builds). */
np_err np_match_index_put_many(np_match_index_t *ix, const np_match_demand_row_t *d, size_t nd,
                               const np_match_seeker_row_t *s, size_t ns);

/** Sizes: records held and records indexed (matchable). */
typedef struct np_match_index_stats {
  int64_t demands, demands_indexed, seekers, seekers_indexed, postings, codes;
  int64_t last_seq;        /* change feed position applied */
  int64_t build_ms;        /* duration of the last full build */
  int64_t applied_changes; /* rows reloaded from the feed since start */
} np_match_index_stats_t;
void np_match_index_stats(np_match_index_t *ix, np_match_index_stats_t *out);

/** Query options. */
typedef struct np_match_query {
  np_match_scope scope;   /* NP_SCOPE_RADIUS with radius_m, or county/city/circle */
  int64_t radius_m;       /* 1..500,000 */
  int32_t today;          /* days since 1970 (Asia/Shanghai) */
  int limit;              /* 1..NP_MATCH_MAX_LIMIT */
  bool has_cursor;
  int32_t cursor_score;   /* the last item of the previous page */
  int64_t cursor_id;
  bool record;            /* anti-congestion: enforce and count the pushes (the page is shown to an enterprise) */
  bool mark_congested;    /* without record: flag the hits an enterprise would not be shown today (staff views) */
  bool top_only;          /* radius queries without a cursor: visit cells nearest first (exact occupations,
                             then the groups) and stop when no farther record can enter the top `limit`;
                             total is then -1 (not counted) and more = a full page */
} np_match_query_t;

/** One result: the other side's record (a copy), its evaluation. */
typedef struct np_match_hit {
  np_match_demand_t demand;
  np_match_seeker_t seeker;
  np_match_eval_t eval;
  bool congested; /* mark_congested: a new pair while the seeker or the line is at today's limit */
} np_match_hit_t;

typedef struct np_match_page {
  np_match_hit_t hits[NP_MATCH_MAX_LIMIT];
  size_t n;
  int64_t total;     /* matches in the query's scope (all pages); -1 when not counted (top_only) */
  bool more;         /* a next page exists */
  int64_t scanned;   /* postings read */
  int64_t evaluated; /* records evaluated (top_only scans skip the rest from the posting alone) */
  int64_t congested; /* matches left out by the anti-congestion limits */
} np_match_page_t;

/**
 * Candidates for demand line `demand_id`: the best `limit` seekers by score (ties by id), after the
 * cursor. NP_ERR_NOT_FOUND when the line is not in the index (closed, private, unknown).
 */
np_err np_match_candidates(np_match_index_t *ix, int64_t demand_id, const np_match_query_t *q, np_match_page_t *out);

/** Demand lines for seeker `seeker_id` (the other direction, same rules). */
np_err np_match_jobs(np_match_index_t *ix, int64_t seeker_id, const np_match_query_t *q, np_match_page_t *out);

/**
 * Counts a push of the pair today (a referral was made): the pair may be shown again, and it takes one
 * of the seeker's and the line's daily budget when new — also beyond the limit (staff decided; *over, may
 * be NULL, says whether it was). NP_ERR_NOT_FOUND when either record is not in the index.
 */
np_err np_match_index_push(np_match_index_t *ix, int64_t demand_id, int64_t seeker_id, int32_t today, bool *over);

/** Copies of the records held for an id (false when absent). */
bool np_match_index_get_demand(np_match_index_t *ix, int64_t id, np_match_demand_t *out);
bool np_match_index_get_seeker(np_match_index_t *ix, int64_t id, np_match_seeker_t *out);

/**
 * Converts source rows into engine records using the index's dictionary (codes unknown to it get
 * fresh ids): for pairs that are not in the index (explain of a closed line, batch workers).
 */
np_err np_match_index_make_demand(np_match_index_t *ix, const np_match_demand_row_t *row, np_match_demand_t *out);
np_err np_match_index_make_seeker(np_match_index_t *ix, const np_match_seeker_row_t *row, np_match_seeker_t *out);

/** The current rules (weights and the related-pair table; the pointer stays valid until the next configure). */
void np_match_index_rules(np_match_index_t *ix, np_match_rules_t *out);

/** The rules with a private copy of the related pairs in *buf (caller frees; for work outside the lock). */
np_err np_match_index_rules_copy(np_match_index_t *ix, np_match_rules_t *out, uint64_t **buf);

/** Evaluates and explains one pair of records with the index's rules and names. */
json_t *np_match_index_explain(np_match_index_t *ix, const np_match_where_t *w, const np_match_demand_t *d,
                               const np_match_seeker_t *s, np_match_eval_t *eval_out);

/** Explanation JSON of a hit (as np_match_index_explain, without re-evaluating). */
json_t *np_match_index_hit_json(np_match_index_t *ix, const np_match_query_t *q, const np_match_hit_t *h);

/** Code of an interned id ("" when unknown); stable for the life of the index. */
const char *np_match_index_code(np_match_index_t *ix, uint32_t id);

/**
 * Open, public demand lines whose county code starts with region_prefix ("37", "3702", "370211"),
 * copied into a malloc'ed array (*out, caller frees) — the batch allocation's lines.
 */
np_err np_match_index_lines_in(np_match_index_t *ix, const char *region_prefix, np_match_demand_t **out, size_t *n);

/**
 * Ids of the indexed seekers in slot order (grid-cell order after a build): the order in which a batch
 * over all seekers finds the lines of consecutive queries still in the cache. *ids is malloc'ed.
 */
np_err np_match_index_seeker_ids(np_match_index_t *ix, int64_t **ids, size_t *n);

/* ---- store ---- */

/** Reads configuration (0011 tables), demand lines and seekers from the store into ix. */
np_err np_match_index_load(np_match_index_t *ix, np_store_t *s, const np_ref_t *ref, np_errdetail_t *err);

/**
 * Applies the change feed after the last applied sequence: reloads changed demand lines, seekers,
 * enterprises' lines and the configuration. *applied (may be NULL) gets the rows reloaded.
 */
np_err np_match_index_follow(np_match_index_t *ix, np_store_t *s, const np_ref_t *ref, int64_t *applied,
                             np_errdetail_t *err);

/** Reads one demand line / seeker from the store into a record (any status). NP_ERR_NOT_FOUND when absent. */
np_err np_match_index_fetch_demand(np_match_index_t *ix, np_store_t *s, const np_ref_t *ref, int64_t id,
                                   np_match_demand_t *out, np_errdetail_t *err);
np_err np_match_index_fetch_seeker(np_match_index_t *ix, np_store_t *s, const np_ref_t *ref, int64_t id,
                                   np_match_seeker_t *out, np_errdetail_t *err);

/* ---- the engine of a server ---- */

/**
 * Starts the process-wide engine: a thread that builds the index from the pool's store and then
 * follows the change feed every 200 ms. Idempotent.
 */
np_err np_match_engine_start(np_store_pool_t *pool);
/** Stops the follower thread (before the pool is closed). Safe when not started. */
void np_match_engine_stop(void);
/**
 * The engine's index once built (waits up to wait_ms for the first build); NULL when not started
 * or not ready.
 */
np_match_index_t *np_match_engine_index(int wait_ms);

#endif
