/*
 * The facts the policy rules read, held in memory as columns (one array per field), loaded once per
 * run: no query per entity. Six entity kinds, their fields, many-to-one links (a spell's person and
 * enterprise) and one-to-many collections (an enterprise's monthly insurance facts). The schema is
 * fixed here; rules name it (`enterprise.headcount`, `spell.person.birth_date`, `sum(facts.ui_paid …)`).
 *
 * Values: every field reads as int64. Dates are days since 1970-01-01, money is fen, booleans 0/1,
 * text codes (size class, county code, industry section) are packed into an int64 of at most eight
 * ASCII bytes (np_policy_text_pack). NP_POLICY_UNKNOWN marks a missing value (no graduation date).
 */
#ifndef NP_POLICY_FACTS_H
#define NP_POLICY_FACTS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/err.h"
#include "store/store.h"

#define NP_POLICY_UNKNOWN INT64_MIN

typedef enum np_pkind {
  NP_PK_ENTERPRISE = 0,
  NP_PK_FACT,        /* enterprise monthly insurance facts */
  NP_PK_PERSON,
  NP_PK_SPELL,       /* employment spell (a hire) */
  NP_PK_INTERNSHIP,
  NP_PK_CERTIFICATE,
  NP_PK__COUNT
} np_pkind_t;

/* Value types of the rule language (also the types of fields). */
typedef enum np_ptype {
  NP_PT_BOOL = 0,
  NP_PT_INT,
  NP_PT_MONEY,  /* fen */
  NP_PT_RATE,   /* parts per million (5.5 % = 55000) */
  NP_PT_RATIO,  /* exact fraction num/den of dimensionless numbers (layoffs / insured) */
  NP_PT_XMONEY, /* exact fraction of fen, must be rounded explicitly to become money */
  NP_PT_DATE,
  NP_PT_DAYS,
  NP_PT_MONTHS,
  NP_PT_TEXT,   /* short code, ≤ 8 ASCII bytes */
  NP_PT__COUNT
} np_ptype_t;

/** Stable name of a type ("money", "rate" …). */
const char *np_ptype_name(np_ptype_t t);

/** One field of an entity kind. width: bytes per value in the column (1, 2, 4 or 8). */
typedef struct np_pfield {
  const char *name;
  np_ptype_t type;
  int width;
  bool nullable;
  const char *csv;        /* header in the import CSV ("ui_paid_yuan"); NULL when not imported */
} np_pfield_t;

/** A many-to-one link: field `field` of the kind holds the row index of a row of kind `target`. */
typedef struct np_plink {
  const char *name;       /* "person" */
  np_pkind_t target;
  int field;              /* index of the link's field (holds target row index, −1 when absent) */
} np_plink_t;

/** A one-to-many collection: the rows of kind `child` whose link `link` points to this row. */
typedef struct np_pcoll {
  const char *name;       /* "facts", "spells" */
  np_pkind_t child;
  int link;               /* index into the child kind's links */
} np_pcoll_t;

#define NP_PMAX_FIELDS 16
#define NP_PMAX_LINKS 3
#define NP_PMAX_COLLS 4
typedef struct np_pkind_def {
  const char *name;       /* "enterprise" */
  const char *plural;     /* "enterprises" (import kind, test-case section) */
  np_pfield_t fields[NP_PMAX_FIELDS];
  int nfields;
  np_plink_t links[NP_PMAX_LINKS];
  int nlinks;
  np_pcoll_t colls[NP_PMAX_COLLS];
  int ncolls;
} np_pkind_def_t;

/** The fixed schema. */
const np_pkind_def_t *np_policy_kind(np_pkind_t k);
/** Kind by name ("enterprise") or plural ("enterprises"); −1 when unknown. */
int np_policy_kind_find(const char *name);
/** Field index by name, −1 when unknown. */
int np_policy_field_find(np_pkind_t k, const char *name);

/** Index from a child row's link value to the list of children of each parent (CSR). */
typedef struct np_pindex {
  int64_t *off;           /* nparent + 1 offsets */
  int32_t *rows;          /* child rows ordered by parent, then by the child's row order */
} np_pindex_t;

/** The columns of one kind. Row order is the id order (ids unique, ascending). */
typedef struct np_ptable {
  size_t n, cap;
  void *col[NP_PMAX_FIELDS];
  np_pindex_t coll[NP_PMAX_COLLS]; /* built by np_policy_facts_finish */
} np_ptable_t;

typedef struct np_policy_facts {
  np_ptable_t t[NP_PK__COUNT];
  bool finished;
} np_policy_facts_t;

/** Packs an ASCII code of at most 8 bytes into an int64 (NP_ERR_INVALID otherwise). */
np_err np_policy_text_pack(const char *s, size_t n, int64_t *out);
/** Unpacks into out (cap ≥ 9). */
void np_policy_text_unpack(int64_t v, char *out, size_t cap);

/** New empty facts. NULL on OOM. */
np_policy_facts_t *np_policy_facts_new(void);
/** Frees everything. NULL allowed. */
void np_policy_facts_free(np_policy_facts_t *f);
/** Makes room for n more rows of kind k. */
np_err np_policy_facts_reserve(np_policy_facts_t *f, np_pkind_t k, size_t n);
/**
 * Appends one row: vals[nfields] as int64 (link fields hold the target's *id* here; they are turned
 * into row indexes by np_policy_facts_finish). Values out of the column's width → NP_ERR_INVALID.
 */
np_err np_policy_facts_append(np_policy_facts_t *f, np_pkind_t k, const int64_t *vals, np_errdetail_t *err);
/**
 * Sorts every kind by id (rejecting duplicate ids), resolves links (an unknown id → NP_ERR_INVALID
 * naming the row) and builds the collections. Must run once before evaluation. resolved_links: when
 * true, link fields already hold row indexes (generators that build columns directly).
 */
np_err np_policy_facts_finish(np_policy_facts_t *f, bool resolved_links, np_errdetail_t *err);
/** Value of field `field` in row `row` of kind k as int64 (NP_POLICY_UNKNOWN for a missing value). */
int64_t np_policy_facts_get(const np_policy_facts_t *f, np_pkind_t k, int field, size_t row);
/** Row of kind k with this id, −1 when none (binary search; needs finish). */
int64_t np_policy_facts_find(const np_policy_facts_t *f, np_pkind_t k, int64_t id);

/** Loads every facts table from the store (one SELECT per table; enterprises from `enterprises`). */
np_err np_policy_facts_load(np_store_t *s, np_policy_facts_t **out, np_errdetail_t *err);

/**
 * SM3 over a canonical serialisation of every column (kinds in schema order, rows in id order):
 * the frozen input of a run. hex: 65 bytes.
 */
void np_policy_facts_hash(const np_policy_facts_t *f, char hex[65]);

/* Fast civil-calendar helpers used by the evaluator (days since 1970-01-01). */
int np_policy_year_of(int64_t days);
int np_policy_month_of(int64_t days);

#endif
