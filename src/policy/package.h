/*
 * Policy packages: YAML files under data/policies/<package>/ (embedded in the binary) or a folder on
 * disk. A package holds dated parameters (each value with its legal reference and an explicit end)
 * and policies (rule versions with effective ranges, named criteria, amount rules with a hit policy,
 * per-key limits and caps). Loading checks everything and rejects with "file:line: message".
 */
#ifndef NP_POLICY_PACKAGE_H
#define NP_POLICY_PACKAGE_H
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/arena.h"
#include "core/err.h"
#include "policy/lang.h"

#define NP_PDATE_OPEN INT64_MAX /* "to: open" */

typedef struct np_pparam_value {
  int64_t from, to;            /* days; to = NP_PDATE_OPEN when open-ended */
  int64_t v;
  const char *reference;
  int line;
} np_pparam_value_t;

typedef struct np_pparam {
  const char *name, *zh, *en, *file, *unit;
  np_ptype_t type;
  int mode;                    /* 0 at_date, 1 prorated (by days) */
  bool national;               /* national figure standing in for a missing Shandong one */
  bool admin_settable;         /* a province administrator may set its own value (with a reference) */
  bool table_min_wage;         /* values come from the minimum-wage table by county and date */
  const char *reference;       /* table parameters: the table's legal basis */
  np_pparam_value_t *values;
  int nvalues;
  int line;
} np_pparam_t;

typedef struct np_pcrit {
  const char *code, *zh, *en, *competing;
  np_pexpr_t *expr, *observed, *threshold;
  int line;
} np_pcrit_t;

typedef struct np_prule {
  np_pexpr_t *when, *value;    /* when may be NULL (always) */
  int line;
} np_prule_t;

typedef enum np_phit { NP_HIT_FIRST = 0, NP_HIT_UNIQUE, NP_HIT_COLLECT_SUM } np_phit_t;

/** At most `count` eligible entities per key (in `order`), or a money cap per key. */
typedef struct np_plimit {
  const char *code, *zh, *en;
  np_pexpr_t *key[4];
  int nkey;
  np_pexpr_t *order;           /* NULL: entity id order */
  np_pexpr_t *count;           /* limits: int */
  np_pexpr_t *cap;             /* caps: money */
  int line;
} np_plimit_t;

typedef struct np_plet {
  const char *name;
  const char *text;
  np_pexpr_t *expr;
  int state;                   /* 0 unchecked, 1 checking, 2 done */
  int line, col;
} np_plet_t;

typedef struct np_pversion {
  int64_t from, to;
  np_plet_t *lets;
  int nlets;
  np_pcrit_t *crits;
  int ncrits;
  np_prule_t *rules;
  int nrules;
  np_phit_t hit;
  np_pexpr_t *amount_cap;      /* collect_sum: cap on the sum (may be NULL) */
  np_plimit_t *limits;         /* count limits, applied in order */
  int nlimits;
  np_plimit_t *caps;           /* money caps per key, applied after the limits */
  int ncaps;
  int *params_used;            /* indexes of the parameters the version reads */
  int nparams_used;
  int line;
} np_pversion_t;

typedef struct np_ppolicy {
  const char *code, *zh, *en, *file, *reference, *payee, *delivery;
  np_pkind_t entity;
  np_pversion_t *versions;
  int nversions;
  int line;
} np_ppolicy_t;

typedef struct np_ppackage {
  np_arena_t *arena;
  const char *name;
  np_pparam_t *params;
  int nparams;
  np_ppolicy_t *policies;
  int npolicies;
  char ruleset_hash[65];       /* SM3 over the files (name and content, in name order) */
  atomic_int extra_refs;       /* holders beyond the first (np_policy_package_ref); read-only once loaded */
} np_ppackage_t;

/** One source file of a package. */
typedef struct np_psource {
  const char *name;            /* shown in messages ("ui_refund.yaml") */
  const char *text;
  size_t len;
} np_psource_t;

/** Loads a package from files in memory (tests). */
np_err np_policy_package_load_mem(const char *name, const np_psource_t *files, size_t n, np_ppackage_t **out,
                                  np_errdetail_t *err);
/** Loads every *.yaml of a folder. */
np_err np_policy_package_load_dir(const char *dir, np_ppackage_t **out, np_errdetail_t *err);
/** Loads the embedded package (policies/<name>/…), e.g. "shandong-2023". */
np_err np_policy_package_load_embedded(const char *name, np_ppackage_t **out, np_errdetail_t *err);
/** Releases a package: frees it when no other holder remains (np_policy_package_ref). NULL allowed. */
void np_policy_package_free(np_ppackage_t *p);
/** One more holder of p (a loaded package is read-only, so holders may share it across threads); returns p. */
np_ppackage_t *np_policy_package_ref(np_ppackage_t *p);

/** Policy by code, or NULL. */
const np_ppolicy_t *np_policy_find(const np_ppackage_t *p, const char *code);
/** The version in force on `day`, or NULL. */
const np_pversion_t *np_policy_version_at(const np_ppolicy_t *pol, int64_t day);
/** The value of a dated parameter in force on `day`, or NULL. */
const np_pparam_value_t *np_policy_param_at(const np_pparam_t *p, int64_t day);

#endif
