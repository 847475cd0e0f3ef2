/* Internal to src/ref: the layout of the in-memory index shared by index.c, wage.c and ref.c. */
#ifndef NP_REF_INDEX_H
#define NP_REF_INDEX_H
#include "core/arena.h"
#include "ref/ref.h"

typedef struct np_ref_circle_entry {
  const np_region_t *city;
  np_econ_circle_t circle;
} np_ref_circle_entry_t;

typedef struct np_ref_mw_std {
  const char *standard;
  const char *effective_from;
  const char *effective_to; /* NULL while in force */
  int64_t monthly_fen[3], hourly_fen[3];
  bool has_tier[3];
} np_ref_mw_std_t;

typedef struct np_ref_mw_county {
  const np_ref_mw_std_t *std;
  const char *county_code;
  int tier;
  int64_t monthly_fen, hourly_fen;
  const char *basis_note;
} np_ref_mw_county_t;

typedef struct np_ref_tree_data {
  np_ref_item_t *items; /* sorted by code */
  size_t n;
  const np_ref_item_t **roots;
  size_t nroots;
} np_ref_tree_data_t;

struct np_ref {
  np_arena_t *arena;
  np_region_t *regions; /* sorted by code (strcmp) */
  size_t nregions;
  const np_region_t *province;
  np_ref_circle_entry_t *circles;
  size_t ncircles;
  np_ref_tree_data_t trees[2];
  np_skill_level_t skills[8];
  size_t nskills;
  np_ref_mw_std_t *stds; /* sorted by effective_from */
  size_t nstds;
  np_ref_mw_county_t *mwc;
  size_t nmwc;
};

/** Loads the minimum-wage tables into ref (wage.c). */
np_err np_ref_wage_build(np_ref_t *ref, np_store_t *s, np_errdetail_t *err);

#endif
