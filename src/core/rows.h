/*
 * One row interface for imports: CSV (UTF-8/GB18030/GBK) and XLSX readers both deliver rows of
 * UTF-8 text cells, with 1-based row numbers as the user sees them in the file.
 */
#ifndef NP_CORE_ROWS_H
#define NP_CORE_ROWS_H
#include <stdbool.h>
#include <stddef.h>
#include "core/err.h"

typedef struct np_rows np_rows_t;

typedef struct np_row {
  size_t ncells;
  const char *const *cells; /* UTF-8, NUL-terminated; valid until the next np_rows_next */
  const size_t *lens;
  size_t line;              /* row number in the file (CSV: line where the record starts; XLSX: sheet row) */
} np_row_t;

typedef enum np_rows_format { NP_ROWS_AUTO = 0, NP_ROWS_CSV, NP_ROWS_XLSX } np_rows_format;

typedef struct np_rows_opts {
  np_rows_format format;   /* AUTO: XLSX when the data starts with "PK\3\4", else CSV */
  const char *charset;     /* CSV: "UTF-8", "GB18030", "GBK" or NULL to detect */
  size_t max_cells;        /* per row, 0 = 1024 */
  size_t max_cell_bytes;   /* 0 = 64 KiB */
  size_t max_rows;         /* 0 = unlimited */
} np_rows_opts_t;

/** Opens a reader over a file on disk. Errors name the row and column (err->field = "row 12, column 3"). */
np_err np_rows_open_file(const char *path, const np_rows_opts_t *opts, np_rows_t **out, np_errdetail_t *err);
/** Opens a reader over memory (not copied; must outlive the reader). */
np_err np_rows_open_mem(const void *data, size_t len, const np_rows_opts_t *opts, np_rows_t **out,
                        np_errdetail_t *err);
/** Reads the next row: *row filled and *has_row true, or *has_row false at the end. */
np_err np_rows_next(np_rows_t *r, np_row_t *row, bool *has_row, np_errdetail_t *err);
/** Charset the CSV was read as ("UTF-8", "GB18030"), or "xlsx". */
const char *np_rows_source_charset(const np_rows_t *r);
/** Closes the reader and frees everything it holds. NULL is allowed. */
void np_rows_close(np_rows_t *r);

#endif
