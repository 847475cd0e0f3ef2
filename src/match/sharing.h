/*
 * Surplus and shortage sharing (用工余缺调剂, part (三) of the Nine Plus plan): enterprises post a
 * temporary surplus of workers (a slack season, a stopped line) or a temporary shortage (a rush
 * order); the engine proposes firm-to-firm pairings, ranked and explained; staff record the
 * agreements (who, how many, dates); a board shows open posts and pairings by economic circle
 * (省会 / 胶东 / 鲁南经济圈人力资源共享联盟). Tables sharing_posts, sharing_agreements,
 * sharing_agreement_events (migration 0012). See docs/MATCH_SHARING.md.
 *
 * Posts ("shp_N"): kind surplus|shortage, occupation_code (an occupation-level code of the 2022
 * classification, "unknown_occupation"), count 1..5000 ("range"), period_start ≤ period_end
 * ("period_order"), period_end not before today ("period_past"), at most 366 days long
 * ("period_too_long"), region_code (county, township or village code; defaults to the
 * enterprise's; "unknown_region"), notes ≤ 500 characters. The post's location is the
 * enterprise's coordinates when the region lies in the enterprise's county, else the region's
 * county centroid. remaining = count − the workers of its agreements that are not cancelled.
 * Stored status open|closed; the status shown is closed, expired (open, period_end < today),
 * filled (open, remaining 0) or open.
 *
 * Pairings (surplus post × shortage post), hard filters in this order — the first that fails is
 * named as `excluded`: same_enterprise, not_open (closed / expired / nothing remaining on a side),
 * occupation_unrelated (not even the same middle group), no_overlap (no common day from today on),
 * too_far (more than 200 km; an unknown distance counts as too far unless both lie in one city).
 * The score is an explicit integer sum of named terms (each in the explanation with its value):
 *   occupation  exact 400, same minor group (小类) 250, same middle group (中类) 120
 *   distance    1 point per whole km under 200: (200 000 − metres) / 1000, 0..200 (0 when unknown)
 *   region      same county 150, same city 100, same economic circle 50, else 0
 *   overlap     1 point per common day (from today on), at most 180
 *   count       100 × movable / shortage remaining (the share of the shortage it could cover), 0..100
 * movable = min(surplus remaining, shortage remaining). Ties: the lower partner post id first
 * (boards: surplus id, then shortage id).
 *
 * Agreements ("sha_N"): surplus_post_id, shortage_post_id (open, the right kinds, different
 * enterprises), workers 1..min(both remaining) (else 409 "exceeds_remaining"), start_date /
 * end_date inside both periods ("outside_period"), status proposed|agreed (default agreed). The
 * workers are taken off both posts' remaining at once (guarded UPDATE, never below 0) and given
 * back when the agreement is cancelled. Status steps: proposed → agreed | cancelled, agreed →
 * in_progress | cancelled, in_progress → completed | cancelled; anything else is 409
 * "bad_transition". Staff whose scope holds either post's region record and change them.
 *
 * Every mutation is one transaction with the row(s), the change feed (entities "sharing_post",
 * "sharing_agreement") and an audit row (sharing_post.create / sharing_post.update /
 * sharing_agreement.create / sharing_agreement.update). Functions take `today` (Asia/Shanghai
 * civil date) so tests fix the clock.
 */
#ifndef NP_MATCH_SHARING_H
#define NP_MATCH_SHARING_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "audit/audit.h"
#include "core/date.h"
#include "core/err.h"
#include "http/authz.h"
#include "http/http.h"
#include "ref/ref.h"
#include "store/store.h"

#define NP_ID_SHARING_POST "shp_"
#define NP_ID_SHARING_AGREEMENT "sha_"

#define NP_SHARING_MAX_COUNT 5000
#define NP_SHARING_MAX_DAYS 366          /* period length, inclusive days */
#define NP_SHARING_NOTES_MAX_CHARS 500
#define NP_SHARING_MAX_KM 200            /* farther pairs are not proposed */

/* Score weights (see the comment above and docs/MATCH_SHARING.md). */
#define NP_SHARING_W_OCC_EXACT 400
#define NP_SHARING_W_OCC_MINOR 250
#define NP_SHARING_W_OCC_MIDDLE 120
#define NP_SHARING_W_DIST_PER_KM 1       /* points per km under NP_SHARING_MAX_KM */
#define NP_SHARING_W_SAME_COUNTY 150
#define NP_SHARING_W_SAME_CITY 100
#define NP_SHARING_W_SAME_CIRCLE 50
#define NP_SHARING_W_OVERLAP_PER_DAY 1
#define NP_SHARING_OVERLAP_CAP_DAYS 180
#define NP_SHARING_W_COUNT 100           /* × movable / shortage remaining */

typedef enum np_sharing_kind { NP_SHARING_SURPLUS = 0, NP_SHARING_SHORTAGE = 1 } np_sharing_kind;

/** "surplus" / "shortage". */
const char *np_sharing_kind_name(np_sharing_kind k);

typedef enum np_sharing_occ_rel {
  NP_SHARING_OCC_NONE = 0,
  NP_SHARING_OCC_MIDDLE, /* same middle group (中类, "6-18") */
  NP_SHARING_OCC_MINOR,  /* same minor group (小类, "6-18-01") */
  NP_SHARING_OCC_EXACT,
} np_sharing_occ_rel;

typedef enum np_sharing_band {
  NP_SHARING_BAND_OTHER = 0, /* different economic circles (or unknown) */
  NP_SHARING_BAND_CIRCLE,
  NP_SHARING_BAND_CITY,
  NP_SHARING_BAND_COUNTY,
} np_sharing_band;

/** "exact", "minor_group", "middle_group", "none". */
const char *np_sharing_occ_rel_name(np_sharing_occ_rel r);
/** "same_county", "same_city", "same_circle", "other". */
const char *np_sharing_band_name(np_sharing_band b);

/** Relation of two occupation codes by their segments ("6-18-01-01" vs "6-18-01-02" → minor). */
np_sharing_occ_rel np_sharing_occ_relation(const char *a, const char *b);

/** One side of a pair, as the evaluator sees it. */
typedef struct np_sharing_side {
  int64_t post_id, enterprise_id;
  const char *occupation_code;
  int64_t remaining;
  bool open;                  /* stored status open */
  np_date_t start, end;
  const char *county_code, *city_code;
  const char *circle;         /* economic circle name, NULL when unknown */
  bool has_location;
  int32_t lat_e6, lon_e6;
} np_sharing_side_t;

/** The evaluation of a surplus × shortage pair. */
typedef struct np_sharing_eval {
  bool proposed;
  const char *excluded;       /* NULL when proposed, else the first filter that failed */
  np_sharing_occ_rel occ;
  np_sharing_band band;
  bool has_distance;
  int64_t distance_m;
  np_date_t overlap_start, overlap_end;
  int32_t overlap_days;       /* 0 when none */
  int64_t movable;
  int64_t pts_occupation, pts_distance, pts_region, pts_overlap, pts_count;
  int64_t score;
} np_sharing_eval_t;

/** Evaluates a pair on `today` (pure: no store, no clock). */
void np_sharing_evaluate(const np_sharing_side_t *surplus, const np_sharing_side_t *shortage, np_date_t today,
                         np_sharing_eval_t *out);

/** The explanation object {score, terms:[{term, value, points, reason}], distance_km, …}. */
json_t *np_sharing_eval_json(const np_sharing_eval_t *ev);

/* ---- posts ---- */

/**
 * Creates a post from a JSON body {kind, enterprise_id?, occupation_code, count, period_start,
 * period_end, region_code?, notes?}. An enterprise user's scope fixes the enterprise (another one
 * → NP_ERR_NOT_FOUND); staff name an enterprise inside their scope. *out: the post as JSON.
 */
np_err np_sharing_post_create(np_store_t *s, const np_ref_t *ref, const np_audit_entry_t *actor,
                              const np_scope_t *scope, const json_t *body, np_date_t today, json_t **out,
                              np_errdetail_t *err);

/** The post as JSON; NP_ERR_NOT_FOUND when absent or outside scope. */
np_err np_sharing_post_get(np_store_t *s, const np_ref_t *ref, const np_scope_t *scope, int64_t id, np_date_t today,
                           json_t **out, np_errdetail_t *err);

/**
 * Closes a post (body {status:"closed", reason?, version?}); a stale version → 409 "stale", an
 * already closed post → 409 "closed". Agreements already made are not touched.
 */
np_err np_sharing_post_patch(np_store_t *s, const np_ref_t *ref, const np_audit_entry_t *actor,
                             const np_scope_t *scope, int64_t id, const json_t *body, np_date_t today, json_t **out,
                             np_errdetail_t *err);

typedef struct np_sharing_post_filter {
  const np_scope_t *scope;   /* required */
  int kind;                  /* -1 any, else np_sharing_kind */
  const char *occupation;    /* code prefix ("6-18", "6-18-01-01"), NULL any */
  const char *region_prefix; /* np_authz_region_prefix of a region, NULL any */
  const char *status;        /* open, filled, expired, closed; NULL any */
  int64_t enterprise_id;     /* 0 any */
  int64_t limit;             /* 1..100 */
  const char *cursor;        /* from next_cursor */
} np_sharing_post_filter_t;

/** {"items","total","next_cursor"}, newest first. */
np_err np_sharing_post_list(np_store_t *s, const np_ref_t *ref, const np_sharing_post_filter_t *f, np_date_t today,
                            json_t **out, np_errdetail_t *err);

/**
 * Pairings of post `id` (in scope): {"post", "items":[{partner post, evaluation}], "total"}, best
 * first, at most limit (1..100). With partner_id > 0 only that pair, also when excluded (then
 * "excluded" names the filter). Partners are shown whatever the caller's scope (name, county,
 * occupation, remaining, period: what the sharing platform publishes; no contacts).
 */
np_err np_sharing_pairings(np_store_t *s, const np_ref_t *ref, const np_scope_t *scope, int64_t id,
                           int64_t partner_id, int64_t limit, np_date_t today, json_t **out, np_errdetail_t *err);

/* ---- agreements ---- */

/** Records an agreement (see above); either post must be in scope. */
np_err np_sharing_agreement_create(np_store_t *s, const np_ref_t *ref, const np_audit_entry_t *actor,
                                   const np_scope_t *scope, const json_t *body, np_date_t today, json_t **out,
                                   np_errdetail_t *err);

/** Changes an agreement's status (body {status, note?, version?}); cancelling gives the workers back. */
np_err np_sharing_agreement_patch(np_store_t *s, const np_ref_t *ref, const np_audit_entry_t *actor,
                                  const np_scope_t *scope, int64_t id, const json_t *body, json_t **out,
                                  np_errdetail_t *err);

/** An agreement with its history; NP_ERR_NOT_FOUND outside scope. */
np_err np_sharing_agreement_get(np_store_t *s, const np_ref_t *ref, const np_scope_t *scope, int64_t id,
                                json_t **out, np_errdetail_t *err);

typedef struct np_sharing_agreement_filter {
  const np_scope_t *scope;
  const char *status;   /* NULL any, else one status or "active" (proposed, agreed, in_progress) */
  int64_t post_id;      /* 0 any: agreements of this post (either side) */
  int64_t limit;        /* 1..100 */
  const char *cursor;
} np_sharing_agreement_filter_t;

/** {"items","total","next_cursor"}, newest first. */
np_err np_sharing_agreement_list(np_store_t *s, const np_ref_t *ref, const np_sharing_agreement_filter_t *f,
                                 json_t **out, np_errdetail_t *err);

/* ---- board ---- */

/**
 * The board: open posts in scope (and inside circle / city / county when given) grouped by economic
 * circle, with counts (posts and workers per kind) and the top `top` pairings of each circle (a
 * pairing belongs to the shortage side's circle; cross_circle marks pairs whose surplus lies in
 * another). circle: 省会经济圈 / 胶东经济圈 / 鲁南经济圈, or 省会 / 胶东 / 鲁南, or capital /
 * jiaodong / lunan.
 */
np_err np_sharing_board(np_store_t *s, const np_ref_t *ref, const np_scope_t *scope, const char *circle,
                        const char *city, const char *county, int top, np_date_t today, json_t **out,
                        np_errdetail_t *err);

/** Normalises a circle parameter to its full name (省会经济圈 …); NULL when unknown. */
const char *np_sharing_circle_parse(const char *s);

/** Registers the /api/v1/sharing/... routes (src/match/api_sharing.c). */
void np_match_sharing_api_register(np_http_t *h);

#endif
