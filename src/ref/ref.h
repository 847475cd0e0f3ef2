/*
 * Reference data: Shandong's administrative divisions (province → 16 cities → county-level units
 * including functional zones → townships → villages), economic circles, county centroids, minimum
 * wage standards with county tiers, GB/T 4754-2017 industries, the 2022 occupational
 * classification, the eight skill levels and 2023 policy parameters.
 *
 * np_ref_load copies the embedded data/ref CSV files into the ref_* tables (nineplus migrate).
 * np_ref_open builds an immutable in-memory index from those tables; it is shared by all threads
 * without locks and lives until np_ref_close. All pointers handed out point into the index.
 */
#ifndef NP_REF_REF_H
#define NP_REF_REF_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/err.h"
#include "store/store.h"

typedef struct np_ref np_ref_t;

/* ---- loading ---- */

typedef struct np_ref_file_stats {
  const char *file;   /* "villages.csv" */
  const char *table;  /* "ref_regions" */
  int64_t rows;       /* data rows in the file */
  int64_t stored;     /* rows written (0 when skipped; cities.csv counts the added province) */
  int64_t duplicates; /* rows dropped because their key repeated an earlier row of the file */
  bool skipped;       /* SHA-256 equal to ref_meta's: nothing done */
} np_ref_file_stats_t;

#define NP_REF_MAX_FILES 16
typedef struct np_ref_load_stats {
  np_ref_file_stats_t files[NP_REF_MAX_FILES];
  size_t nfiles;
  size_t loaded;  /* files (re)loaded */
  size_t skipped; /* files unchanged */
} np_ref_load_stats_t;

/**
 * Loads every embedded reference file into its table, one transaction per file. A file whose
 * SHA-256 equals the one in ref_meta is skipped; a changed file replaces that file's rows. Each
 * loaded file appends one change row (entity "ref_<table>", id = file name, op "update").
 * stats may be NULL. Needs the 0002 migration.
 */
np_err np_ref_load(np_store_t *s, np_ref_load_stats_t *stats, np_errdetail_t *err);

/* ---- index ---- */

/** Builds the in-memory index from the ref_* tables. */
np_err np_ref_open(np_store_t *s, np_ref_t **out, np_errdetail_t *err);
/** Frees the index. NULL allowed. */
void np_ref_close(np_ref_t *ref);

/** Sets the process-wide index used by the HTTP handlers (at server start; not owned). */
void np_ref_set_global(np_ref_t *ref);
/** The process-wide index, or NULL before np_ref_set_global. */
const np_ref_t *np_ref_global(void);

/**
 * The process-wide index, built from `s` on first use (once, under a lock) when nobody set it:
 * the one way handlers, CLI commands and demo steps get the index. NULL (err filled) when the
 * reference tables cannot be read (not migrated). The index lives for the whole process.
 */
const np_ref_t *np_ref_shared(np_store_t *s, np_errdetail_t *err);

/* ---- regions ---- */

typedef enum np_region_level {
  NP_REGION_PROVINCE = 1,
  NP_REGION_CITY = 2,
  NP_REGION_COUNTY = 3, /* county-level unit: district, county-level city, county, functional zone */
  NP_REGION_TOWNSHIP = 4,
  NP_REGION_VILLAGE = 5,
} np_region_level;

typedef struct np_region np_region_t;
struct np_region {
  const char *code;             /* 6, 9 or 12 digits */
  const char *name;
  const char *type;             /* province, city, district, county_level_city, county, functional_zone,
                                   subdistrict, town, township, other, village */
  np_region_level level;
  bool in_gbt2260;              /* false for functional zones (NBS statistical codes only) */
  const np_region_t *parent;    /* NULL for the province */
  const np_region_t *const *children; /* ordered by code */
  size_t nchildren;
  bool has_centroid;            /* own centroid (county-level units except functional zones) */
  int32_t centroid_lat_e6, centroid_lon_e6; /* micro-degrees (GCJ-02 per the source) */
};

/** Region by code (6, 9 or 12 digits), or NULL. */
const np_region_t *np_ref_region(const np_ref_t *ref, const char *code);
/** The province (370000). */
const np_region_t *np_ref_province(const np_ref_t *ref);
/** Ancestor of r at `level` (r itself when it is at that level), or NULL when r is above it. */
const np_region_t *np_ref_region_at(const np_region_t *r, np_region_level level);
/** True when the region `code` is `ancestor` or lies inside it (both codes must be known). */
bool np_ref_region_within(const np_ref_t *ref, const char *code, const char *ancestor);
/** Stable lower-case level name: "province", "city", "county", "township", "village". */
const char *np_ref_level_name(np_region_level level);
/** Parses a level name; 0 when unknown. */
np_region_level np_ref_level_parse(const char *name);

/**
 * Centroid of a region: county-level units have their own; townships and villages inherit their
 * county's. False when unknown (province, cities, functional zones and everything inside them).
 * *from (may be NULL) receives the county whose centroid it is.
 */
bool np_ref_region_centroid(const np_region_t *r, int32_t *lat_e6, int32_t *lon_e6, const np_region_t **from);

typedef struct np_econ_circle {
  const char *name;    /* 胶东经济圈 */
  const char *name_en;
} np_econ_circle_t;

/** Economic circle of any region at or below city level (via its city); NULL for the province. */
const np_econ_circle_t *np_ref_region_circle(const np_ref_t *ref, const np_region_t *r);

/**
 * Name search: regions whose UTF-8 name contains q (or whose code starts with q when q is all
 * digits), optionally only inside `within` (NULL = anywhere). Best first: exact name, then prefix,
 * then substring; within each, higher levels first, then by code. Writes at most `limit` results
 * and returns how many; *total (may be NULL) receives the number of all matches.
 */
size_t np_ref_region_search(const np_ref_t *ref, const char *q, const np_region_t *within, size_t limit,
                            const np_region_t **out, size_t *total);

/**
 * Callback for the resident-ID validator (src/core/valid.h); ctx is the np_ref_t. True when code6
 * is a known Shandong province/city/county-level code (current, or one of the retired codes the
 * reference README lists), or starts with the 2-digit code of any other of the 34 provincial-level
 * divisions (no list of other provinces' counties is loaded).
 */
bool np_ref_region_known(const char code6[7], void *ctx);

/* ---- industries (GB/T 4754-2017) and occupations (2022 classification) ---- */

typedef struct np_ref_item np_ref_item_t;
struct np_ref_item {
  const char *code;
  const char *name;
  const char *level;          /* industries: section/division/group/class; occupations: major/middle/minor/occupation */
  int depth;                  /* 1..4 */
  const char *section;        /* industries: section letter; occupations: NULL */
  const char *gbm_code;       /* occupations, levels 1-3; otherwise NULL */
  const char *check_status;   /* occupations: crosschecked / ocr_only / ocr_only_conflict */
  const char *parent_code;    /* as in the source (may name a row that does not exist, see REFERENCE.md) */
  const np_ref_item_t *parent; /* nearest existing ancestor, NULL at the top */
  const np_ref_item_t *const *children; /* ordered by code */
  size_t nchildren;
};

typedef enum np_ref_tree { NP_REF_INDUSTRIES = 0, NP_REF_OCCUPATIONS = 1 } np_ref_tree;

/** Item by code, or NULL. */
const np_ref_item_t *np_ref_item(const np_ref_t *ref, np_ref_tree tree, const char *code);
/** Top-level items (sections / major groups), ordered by code. */
const np_ref_item_t *const *np_ref_item_roots(const np_ref_t *ref, np_ref_tree tree, size_t *n);

typedef struct np_ref_item_query {
  const char *q;        /* substring of the name or prefix of the code; NULL/"" = any */
  const char *parent;   /* only descendants of this code; NULL = anywhere */
  const char *level;    /* only this level name; NULL = any */
  size_t limit;
} np_ref_item_query_t;

/**
 * Searches a tree; best first (exact, prefix, substring; then by depth and code). Writes at most
 * q->limit results and returns how many; *total (may be NULL) receives the number of all matches.
 */
size_t np_ref_item_search(const np_ref_t *ref, np_ref_tree tree, const np_ref_item_query_t *q,
                          const np_ref_item_t **out, size_t *total);

/* ---- skill levels ---- */

typedef struct np_skill_level {
  int rank;                    /* 1 学徒工 … 8 首席技师 */
  const char *name;
  const char *name_en;
  const char *national_level;  /* 五级 … 一级, NULL outside the national five */
  int national_level_number;   /* 5 … 1, 0 when none */
  const char *note;
} np_skill_level_t;

/** Skill level by rank 1..8, or NULL. */
const np_skill_level_t *np_ref_skill_level(const np_ref_t *ref, int rank);
/** All skill levels in rank order. */
const np_skill_level_t *np_ref_skill_levels(const np_ref_t *ref, size_t *n);

/* ---- minimum wage ---- */

typedef enum np_min_wage_status {
  NP_MIN_WAGE_KNOWN = 0,        /* tier and amounts of the county are known */
  NP_MIN_WAGE_TIER_UNKNOWN = 1, /* the standard is known but the county's tier is not: never guessed */
} np_min_wage_status;

typedef struct np_min_wage {
  np_min_wage_status status;
  const char *standard;       /* 鲁政字〔2023〕172号 */
  const char *effective_from; /* YYYY-MM-DD */
  const char *effective_to;   /* YYYY-MM-DD, NULL while in force */
  int64_t tier_monthly_fen[3]; /* the standard's three tiers, [0] = tier 1 */
  int64_t tier_hourly_fen[3];
  const np_region_t *county;  /* the county-level unit looked up */
  /* Only when status == NP_MIN_WAGE_KNOWN (else tier 0, amounts 0, basis NULL): */
  int tier;
  int64_t monthly_fen;
  int64_t hourly_fen;
  const char *basis;          /* "listed" or "derived" */
  const char *basis_note;     /* the source's wording */
} np_min_wage_t;

/**
 * Minimum wage in force on `date` (YYYY-MM-DD) for a county-level unit (a township or village code
 * is taken to its county). NP_ERR_INVALID for a bad date, NP_ERR_NOT_FOUND for an unknown or
 * non-county region or a date before the first standard. Otherwise NP_OK with out->status
 * KNOWN or TIER_UNKNOWN (functional zones, and counties missing from the standard's annex).
 */
np_err np_ref_min_wage(const np_ref_t *ref, const char *county_code, const char *date, np_min_wage_t *out,
                       np_errdetail_t *err);

/* ---- HTTP ---- */
struct np_http;
/**
 * The index for an HTTP handler (np_ref_shared on the request's store); NULL after answering 503
 * when the reference data is not loaded.
 */
struct np_req;
const np_ref_t *np_ref_req(struct np_req *req);

/** Registers the public /api/v1/ref/... routes (handlers use np_ref_global()). */
void np_ref_api_register(struct np_http *h);

#endif
