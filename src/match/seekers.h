/*
 * Job seekers (求职者): the registry the matching engine reads. See docs/MATCH_SEEKERS.md.
 *
 * One person, one record: the resident ID number is validated (GB 11643: length, region through
 * np_ref_region_known, real birth date, check character), stored sealed (np_crypto_seal) with a
 * keyed blind index (np_crypto_blind_index "id_number" over the normalised number) that carries a
 * UNIQUE constraint: registering the same person twice is NP_ERR_CONFLICT "duplicate" (409) and
 * says nothing else. sex, birth date and household-registration region (hukou, 6 digits) are
 * derived from the number; from_outside_province when the hukou is not 37xxxx.
 *
 * Location: region_code (county 6, township 9 or village 12 digits, inside Shandong) and optionally
 * lat/lon in degrees (inside 34.3–38.5 N, 114.7–122.8 E, else "outside_shandong"). Without
 * lat/lon the county centroid is used and location_approx is true.
 *
 * Fields of the JSON body (create; PATCH takes the same minus id_number plus status and version):
 *   id_number (required), name (1–50), region_code (required), lat, lon, occupation_codes (1–3
 *   occupation-level codes of the 2022 classification, no repeats: "unknown_occupation",
 *   "too_many", "duplicate"), skill_level (1–8), certificates ([{occupation_code, level, cert_no,
 *   issued_on}], ≤ 10; skill_level defaults to the highest level), education (dictionary of the
 *   demand lines), expected_salary (fen, or yuan text), available_from, graduation_year,
 *   registered_unemployed_since (not in the future), hardship (bool, 就业困难人员), consent (bool,
 *   to be recommended to employers), phone (mainland mobile; sealed + index + masked), status
 *   (seeking/employed/withdrawn, PATCH only).
 *
 * Output: the record as JSON with the ID number masked ("370***********1234") and the phone masked
 * ("138****1234"), age instead of the birth date, unless unmasked (the caller checked the grant
 * and audits "personal.unmask"). categories: graduate (graduation year within the last two years),
 * unemployed (registered), hardship, youth (16–24), outside_province.
 *
 * Every mutation is one transaction with the row, the change feed (entity "seeker", id "skr_N",
 * what the matching engine follows) and the audit log (seeker.create / seeker.update).
 */
#ifndef NP_MATCH_SEEKERS_H
#define NP_MATCH_SEEKERS_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "audit/audit.h"
#include "core/date.h"
#include "core/err.h"
#include "core/valid.h"
#include "http/authz.h"
#include "ref/ref.h"
#include "store/store.h"

#define NP_ID_SEEKER "skr_"
#define NP_ID_REFERRAL "ref_"
#define NP_ID_PARTNER_KEY "pk_"

#define NP_SEEKER_MAX_OCCUPATIONS 3
#define NP_SEEKER_MAX_CERTIFICATES 10
#define NP_SEEKER_MAX_SALARY 10000000 /* fen */
/* Shandong's bounding box in micro-degrees (coordinates outside are refused). */
#define NP_SEEKER_LAT_MIN 34300000
#define NP_SEEKER_LAT_MAX 38500000
#define NP_SEEKER_LON_MIN 114700000
#define NP_SEEKER_LON_MAX 122800000

/** The status dictionary (seeking, employed, withdrawn), NULL-terminated. */
extern const char *const np_match_seeker_status_values[];
/** The category names accepted by the list filter, NULL-terminated. */
extern const char *const np_match_seeker_category_values[];

/** Where a seeker lives and who owns the record, for scope checks. */
typedef struct np_seeker_owner {
  int64_t id;
  char region_code[16];
  char county_code[8];
  char city_code[8];
  char status[12];
  int64_t user_id;
  int64_t version;
  bool consent;
} np_seeker_owner_t;

typedef enum np_seeker_source { NP_SEEKER_STAFF = 0, NP_SEEKER_SELF, NP_SEEKER_IMPORT, NP_SEEKER_DEMO } np_seeker_source;

typedef struct np_seeker_create_opts {
  np_seeker_source source;
  const np_scope_t *scope;   /* the location must lie inside it (NULL = anywhere; else 422 "out_of_jurisdiction") */
  bool require_consent;      /* public self-registration: consent must be given explicitly (true or false) */
  int64_t user_id;           /* account linked to the record (self-registration), 0 = none */
  int64_t created_by;        /* acting user, 0 = none */
  bool audit_each;           /* one audit row per seeker (imports write one row for the run instead) */
  np_date_t today;           /* Asia/Shanghai, for the ID's future-date check and age */
} np_seeker_create_opts_t;

/**
 * Validates body and creates a seeker in one transaction (nested: a savepoint inside the caller's).
 * Field errors are NP_ERR_INVALID with err->field set (422); the same person again is
 * NP_ERR_CONFLICT "duplicate". *id receives the new row id; *out (may be NULL) the masked JSON.
 */
np_err np_match_seeker_create(np_store_t *s, const np_ref_t *ref, const np_audit_entry_t *actor, const json_t *body,
                              const np_seeker_create_opts_t *o, int64_t *id, json_t **out, np_errdetail_t *err);

/** Owner columns of seeker `id` (NP_ERR_NOT_FOUND when absent). */
np_err np_match_seeker_owner(np_store_t *s, int64_t id, np_seeker_owner_t *out, np_errdetail_t *err);

/** True when the seeker is inside the scope (region prefix, or the linked user for NP_SCOPE_SELF). */
bool np_match_seeker_visible(const np_scope_t *scope, const np_seeker_owner_t *o);

/**
 * The record as JSON. unmask: include the full ID number, phone and birth date (the caller holds
 * the grant and records "personal.unmask").
 */
np_err np_match_seeker_get(np_store_t *s, const np_ref_t *ref, int64_t id, bool unmask, json_t **out,
                           np_errdetail_t *err);

/**
 * Changes a seeker: body carries `version` (stale → 409 "stale"), id_number is immutable (422
 * "immutable"); other keys as for create, absent = unchanged, null = cleared where optional.
 * Giving region_code without lat/lon moves the location to the new region's centroid.
 */
np_err np_match_seeker_patch(np_store_t *s, const np_ref_t *ref, const np_audit_entry_t *actor, int64_t id,
                             const json_t *body, np_date_t today, json_t **out, np_errdetail_t *err);

/**
 * Sets the status in the caller's transaction (referral hired → "employed"), with version, change
 * feed and audit ("seeker.update").
 */
np_err np_match_seeker_set_status(np_store_t *s, const np_audit_entry_t *actor, int64_t id, const char *status,
                                  np_errdetail_t *err);

/** Filters of the list (all optional). */
typedef struct np_seeker_filter {
  const np_scope_t *scope;        /* required */
  const char *region_prefix;      /* from np_authz_region_prefix */
  const char *occupation_prefix;  /* "6-18" matches any desired occupation under it */
  const char *status;             /* one of the status values */
  const char *category;           /* one of np_match_seeker_category_values */
  const char *q;                  /* substring of the name */
  np_date_t today;
  int64_t limit;                  /* 1..100 */
  int64_t cursor;                 /* last id of the previous page */
} np_seeker_filter_t;

/** One page, newest first, masked: {"items", "total", "next_cursor"}. */
np_err np_match_seeker_list(np_store_t *s, const np_ref_t *ref, const np_seeker_filter_t *f, json_t **out,
                            np_errdetail_t *err);

/** The id of the seeker linked to user `user_id` (self-registered), or NP_ERR_NOT_FOUND. */
np_err np_match_seeker_of_user(np_store_t *s, int64_t user_id, int64_t *id, np_errdetail_t *err);

/* ---- shared by the match units ---- */

/** Now as "YYYY-MM-DDTHH:MM:SSZ" (UTC). */
void np_match_now(char out[NP_TS_STRLEN]);

/**
 * Appends an audit row for `actor` (NULL = the system: demo, sweeps) with action/entity/id and
 * optional before/after JSON (already masked) and detail, in the caller's transaction.
 */
np_err np_match_audit(np_store_t *s, const np_audit_entry_t *actor, const char *action, const char *entity,
                      const char *entity_id, const json_t *before, const json_t *after, const char *detail,
                      np_errdetail_t *err);

/**
 * Prepares `sql` (its one placeholder is the id), binds `id` and steps to the row. On NP_OK *st stands
 * on the row and the caller releases it; otherwise *st is NULL, and a missing row is NP_ERR_NOT_FOUND
 * "not_found" with the message "no such <what>".
 */
np_err np_match_row_by_id(np_store_t *s, const char *sql, int64_t id, const char *what, np_stmt_t **st,
                          np_errdetail_t *err);

/** A list page's next_cursor: the last row id as a string when the page is full (n == limit), else JSON null. */
json_t *np_match_next_cursor(size_t n, int64_t limit, int64_t last);

/**
 * Builds a valid 18-character ID number from a 6-digit region, a birth date and a 3-digit sequence
 * (odd = male) into out[19] (demo data and tests).
 */
void np_match_make_id_number(const char region6[7], int year, int month, int day, int seq, char out[19]);

#endif
