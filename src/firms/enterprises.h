/*
 * Industrial enterprises (工业企业): validation, storage, JSON, list/search and export queries.
 * Table `enterprises` + `enterprise_contacts` (migration 0006); public id "ent_N", and a credit code
 * (USCC) is accepted wherever a user would type one.
 *
 * Validation (field-level errors, NP_ERR_INVALID unless noted):
 *   uscc          GB 32100 (np_valid_uscc), unique → NP_ERR_CONFLICT "duplicate_uscc"
 *   name          2–100 characters
 *   industry_code a GB/T 4754-2017 class (4 digits) known to np_ref ("unknown_industry", "not_class")
 *   region_code   a known township (9) or village (12) code; township_code / village_code may be given
 *                 instead or as well; a village outside the township → field village_code "not_in_township"
 *   lat/lon       both or neither, inside Shandong's box (lat 34.3–38.5, lon 114.7–122.8); absent → the
 *                 county centroid, location_approx = true
 *   employees, revenue_fen → size_class + size_basis (size.h)
 *   above_scale   computed from revenue_fen when it is known (basis "revenue"; a given flag is then
 *                 ignored); otherwise the declared flag is stored (basis "declared")
 *   contacts      at most 5 {name, title?, phone?}; phone a mainland mobile, stored sealed + blind index
 */
#ifndef NP_FIRMS_ENTERPRISES_H
#define NP_FIRMS_ENTERPRISES_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "audit/audit.h"
#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "core/jsonw.h"
#include "firms/size.h"
#include "http/authz.h"
#include "ref/ref.h"
#include "store/store.h"

#define NP_ENT_NAME_MAX_CHARS 100
#define NP_ENT_ADDRESS_MAX_CHARS 200
#define NP_ENT_MAX_CONTACTS 5
#define NP_ENT_CONTACT_NAME_MAX_CHARS 32
#define NP_ENT_CONTACT_TITLE_MAX_CHARS 32
#define NP_ENT_MAX_HEADCOUNT INT64_C(10000000)
#define NP_ENT_MAX_REVENUE_FEN INT64_C(1000000000000000000) /* 10^16 yuan */

/* Shandong's bounding box in micro-degrees. */
#define NP_ENT_LAT_MIN_E6 34300000
#define NP_ENT_LAT_MAX_E6 38500000
#define NP_ENT_LON_MIN_E6 114700000
#define NP_ENT_LON_MAX_E6 122800000

typedef struct np_ent_contact {
  char name[NP_ENT_CONTACT_NAME_MAX_CHARS * 4 + 1];
  char title[NP_ENT_CONTACT_TITLE_MAX_CHARS * 4 + 1];
  char phone[12];        /* plain 11 digits: only when given or unsealed, else "" */
  char phone_masked[16]; /* "138****1234" or "" */
} np_ent_contact_t;

typedef struct np_enterprise {
  int64_t id, version;
  char uscc[19];
  char name[NP_ENT_NAME_MAX_CHARS * 4 + 1];
  char industry_code[8], industry_section[4];
  char region_code[16], township_code[16], village_code[16], county_code[8], city_code[8];
  char address[NP_ENT_ADDRESS_MAX_CHARS * 4 + 1];
  bool has_location, location_approx;
  int32_t lat_e6, lon_e6;
  bool has_employees, has_revenue;
  int64_t employees, revenue_fen;
  np_size_class size_class;
  char size_basis[NP_SIZE_BASIS_CAP];
  bool above_scale, above_scale_from_revenue;
  bool is_key, green_channel;
  int64_t zone_id; /* 0 = none */
  int64_t headcount, open_openings;
  size_t ncontacts;
  np_ent_contact_t contacts[NP_ENT_MAX_CONTACTS];
  bool contacts_changed; /* set by np_ent_apply when the body carried "contacts" */
  char created_at[NP_TS_STRLEN], updated_at[NP_TS_STRLEN];
} np_enterprise_t;

/** Which fields a caller may set (enterprise users edit their own profile, not the flags). */
typedef enum np_ent_fields {
  NP_ENT_FIELDS_ALL = 0,
  NP_ENT_FIELDS_SELF, /* address, lat, lon, headcount, employees, revenue_fen, contacts */
} np_ent_fields;

/**
 * Applies a JSON object (create body, PATCH body or an import row) to *e and validates it; derives
 * county/city, location, size class and above-scale. create: required fields must be present.
 * Unknown keys → "unknown_field"; keys outside `fields` → NP_ERR_FORBIDDEN "field_not_allowed".
 * "version" is accepted and ignored here. The store is used to look up the zone ("zone_id":
 * "zone_N", a zone code or name). Does not write.
 */
np_err np_ent_apply(np_store_t *s, const np_ref_t *ref, const json_t *in, bool create, np_ent_fields fields,
                    np_enterprise_t *e, np_errdetail_t *err);

/**
 * Inserts a validated enterprise (and contacts), appends the change row and, when actor is not NULL,
 * the audit row "enterprise.create" — all in one transaction. NP_ERR_CONFLICT "duplicate_uscc"
 * (field uscc) when the credit code exists. e->id/version/created_at/updated_at are set.
 */
np_err np_ent_insert(np_store_t *s, np_enterprise_t *e, const np_audit_entry_t *actor, np_errdetail_t *err);

/**
 * np_ent_insert for bulk loads (demo): inside the caller's open transaction, without a savepoint of
 * its own and without an audit row; on failure the caller must roll back its transaction.
 */
np_err np_ent_insert_bulk(np_store_t *s, np_enterprise_t *e, np_errdetail_t *err);

/**
 * Writes a changed enterprise when the stored version is still expected_version (NP_ERR_CONFLICT
 * "stale", field version, otherwise); before is the row as loaded (for the audit row). Contacts are
 * replaced when e->contacts_changed. Bumps e->version.
 */
np_err np_ent_update(np_store_t *s, const np_enterprise_t *before, np_enterprise_t *e, int64_t expected_version,
                     const np_audit_entry_t *actor, np_errdetail_t *err);

/** Loads an enterprise by row id; with_phones decrypts contact phones (needs np_crypto_init). */
np_err np_ent_load(np_store_t *s, int64_t id, bool with_phones, np_enterprise_t *out, np_errdetail_t *err);

/** Row id for "ent_N" or a credit code (any case). NP_ERR_NOT_FOUND otherwise. */
np_err np_ent_resolve(np_store_t *s, const char *key, int64_t *id, np_errdetail_t *err);

/**
 * Writes the API object (the one definition of its fields); phones masked unless unmask (then the plain
 * phones loaded with with_phones); contacts only when with_contacts (lists leave them out).
 */
void np_ent_write(np_jw_t *w, const np_enterprise_t *e, bool unmask, bool with_contacts);

/** The API object as a jansson tree (np_ent_write with contacts, parsed). NULL when out of memory. */
json_t *np_ent_json(const np_enterprise_t *e, bool unmask);

/** The GB 32100 check character for 17 leading characters; 0 when one is outside the charset. */
char np_ent_uscc_check_char(const char first17[17]);

/**
 * Builds a valid credit code "91" + region6 + a 9-character organisation code (8 digits of serial +
 * the GB 11714 check) + the GB 32100 check (demo and tests). out has room for 19 bytes.
 */
void np_ent_uscc_make(const char region6[7], uint32_t serial, char out[19]);

/* ---- lists ---- */

typedef enum np_ent_sort {
  NP_ENT_SORT_NAME = 0,
  NP_ENT_SORT_HEADCOUNT,
  NP_ENT_SORT_OPENINGS,
  NP_ENT_SORT_UPDATED,
} np_ent_sort;

typedef struct np_ent_filter {
  const char *region;    /* any-level code: that region's subtree */
  const char *industry;  /* prefix: "C", "C34", "34", "3411" */
  int is_key;            /* -1 any, 0, 1 */
  int above_scale;       /* -1 any, 0, 1 */
  int has_shortage;      /* -1 any, 0 (no open openings), 1 */
  int green_channel;     /* -1 any, 0, 1 */
  int64_t zone_id;       /* 0 any */
  int64_t specialist_id; /* 0 any; needs table specialist_assignments (migration 0007) */
  const char *q;         /* name substring or credit-code prefix */
  np_ent_sort sort;
  bool desc;
  int limit;             /* 1..100 (lists); 0 = no limit (export) */
  const char *cursor;    /* opaque, from next_cursor */
  np_scope_t scope;      /* the caller's scope (np_authz_scope "enterprise") */
} np_ent_filter_t;

/** Fills a filter from query-style arguments (get(ctx, name) returns the value or NULL). */
np_err np_ent_filter_parse(const char *(*get)(void *ctx, const char *name), void *ctx, np_store_t *s,
                           np_ent_filter_t *f, np_errdetail_t *err);

/**
 * One page: items written to w as one JSON array of API objects (phones masked, no contacts), total for
 * the filter (and scope; from the store's memo while nothing changed), next cursor (NULL when the last
 * page; allocated in arena). On an error w holds a partial value: discard it.
 */
np_err np_ent_list(np_store_t *s, const np_ent_filter_t *f, np_arena_t *arena, np_jw_t *items, int64_t *total,
                   const char **next_cursor, np_errdetail_t *err);

/** Streams every matching row to an XLSX file at path (credit code as text); *rows = rows written. */
np_err np_ent_export_xlsx(np_store_t *s, const np_ent_filter_t *f, const char *path, int64_t *rows,
                          np_errdetail_t *err);

#endif
