/*
 * Streaming XLSX reader for imports (libzip + expat), used through np_rows (see rows.h).
 *
 * Reads the first worksheet (xl/workbook.xml + xl/_rels/workbook.xml.rels, falling back to
 * xl/worksheets/sheet1.xml), shared strings (rich-text runs concatenated) and the date styles of
 * xl/styles.xml. Cells are placed by their r="B7" reference, gaps filled with empty cells; empty
 * rows are skipped. Values: shared/inline/formula strings as text, booleans "TRUE"/"FALSE",
 * numbers without float noise ("12345", "0.1"), date-styled numbers as "YYYY-MM-DD" (with
 * " HH:MM:SS" when there is a time part), errors as their text ("#N/A").
 *
 * Numbers keep Excel's 15 significant digits (0.1+0.2 stored as 0.30000000000000004 reads "0.3").
 *
 * Bounded: each zip entry's uncompressed size, checked against the declared size and again
 * while inflating (zip bombs): the sheet 1 GiB (streamed, never held), sharedStrings.xml
 * 256 MiB with at most 2,000,000 strings and 128 MiB of text, other parts 16 MiB; cells per
 * row (opts->max_cells, at most 16384) and bytes per cell (opts->max_cell_bytes), rows
 * (opts->max_rows). A DOCTYPE is refused (no entity expansion). Errors: err->code "not_xlsx", "no_sheet",
 * "entry_too_large", "bad_xml", "bad_cell_ref", "bad_shared_string", "too_many_cells",
 * "cell_too_large", "too_many_rows", "too_many_strings"; err->field "row R, column C" where known.
 */
#ifndef NP_CORE_XLSX_H
#define NP_CORE_XLSX_H
#include <stdbool.h>
#include <stddef.h>
#include "core/err.h"
#include "core/rows.h"

typedef struct np_xlsx np_xlsx_t;

/** Opens a workbook file. opts may be NULL. */
np_err np_xlsx_open_file(const char *path, const np_rows_opts_t *opts, np_xlsx_t **out, np_errdetail_t *err);

/** Opens a workbook in memory (not copied; must outlive the reader). opts may be NULL. */
np_err np_xlsx_open_mem(const void *data, size_t len, const np_rows_opts_t *opts, np_xlsx_t **out,
                        np_errdetail_t *err);

/** Reads the next non-empty sheet row: *has_row false at the end. Cells valid until the next call. */
np_err np_xlsx_next(np_xlsx_t *x, np_row_t *row, bool *has_row, np_errdetail_t *err);

/** Frees the reader. NULL is allowed. */
void np_xlsx_close(np_xlsx_t *x);

#endif
