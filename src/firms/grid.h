/*
 * The employment-service grid (用工保障网格): cells county → township → village built from the
 * region reference tree, created on demand per county, each with its grid staff (网格员: a
 * specialist or a named person). An enterprise falls in the cell of its village, else of its
 * township, else of its county. Tables grid_cells + grid_staff (migration 0007).
 */
#ifndef NP_FIRMS_GRID_H
#define NP_FIRMS_GRID_H
#include "firms/teams.h"

typedef struct np_firms_grid_cell {
  int64_t id;
  char region_code[16];
  char level[12]; /* "county", "township", "village" */
  char county_code[8];
} np_firms_grid_cell_t;

/**
 * Creates the missing cells of a county-level unit (the county, its townships and their villages)
 * from c->ref, in one transaction (one change row and one audit row "grid.create" when anything was
 * created). county_code must be a county-level code in the caller's scope. *created (may be NULL)
 * receives the number of new cells.
 */
np_err np_firms_grid_ensure_county(const np_firms_ctx_t *c, const char *county_code, int64_t *created,
                                   np_errdetail_t *err);

/**
 * The cell an enterprise with this region code falls in: the village cell (12 digits), else the
 * township cell (first 9), else the county cell (first 6). NP_ERR_NOT_FOUND when the county has no
 * cells (yet) or the code is malformed.
 */
np_err np_firms_grid_cell_for(np_store_t *s, const char *region_code, np_firms_grid_cell_t *out, np_errdetail_t *err);

/**
 * Cells inside region (a county, township or village code; creates the county's cells when it has
 * none and create_missing is set), in code order, with staff and enterprise counts; filter level
 * ("county"/"township"/"village", NULL = all). Cursor = the last region code of the previous page.
 */
np_err np_firms_grid_list(const np_firms_ctx_t *c, const char *region, const char *level, bool create_missing,
                          const np_firms_page_t *pg, json_t **out, np_errdetail_t *err);

/** One cell with its staff and enterprise count. */
np_err np_firms_grid_get(const np_firms_ctx_t *c, int64_t id, json_t **out, np_errdetail_t *err);

/**
 * Updates a cell from {notes?, staff?: [{name?, phone?, specialist_id?, duty?: "lead"|"member"}]}: staff replaces
 * the cell's whole list (a specialist's name is taken from the specialist; the specialist must be in scope).
 */
np_err np_firms_grid_update(const np_firms_ctx_t *c, int64_t id, const json_t *patch, json_t **out,
                            np_errdetail_t *err);

#endif
