/*
 * Streaming XLSX export through libxlsxwriter in constant-memory mode (rows are flushed to a
 * temporary file as they are written, so a million rows do not exhaust memory; rows must be
 * written top to bottom).
 *
 * One data sheet: a bold header row with a frozen pane and an autofilter, then data rows whose
 * cells are converted by the column's declared type. Text columns (ID numbers, phones, codes)
 * are strings with the text number format "@", so Excel never turns them into numbers. Money
 * columns take fen and show yuan with 2 decimals (the value becomes a double only at this
 * display boundary). A column may carry a drop-down list (data validation) for import
 * templates; short lists are inline, longer ones live on a hidden "_lists" sheet.
 */
#ifndef NP_CORE_XLSXW_H
#define NP_CORE_XLSXW_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/err.h"

typedef struct np_xlsxw np_xlsxw_t;

typedef enum np_xlsxw_type {
  NP_XLSXW_TEXT = 0, /* string, text format "@" */
  NP_XLSXW_NUMBER,   /* double, general format */
  NP_XLSXW_MONEY,    /* int64 fen shown as yuan "#,##0.00" */
  NP_XLSXW_DATE,     /* civil date, "yyyy-mm-dd" */
} np_xlsxw_type;

typedef struct np_xlsxw_col {
  const char *header;       /* UTF-8 */
  np_xlsxw_type type;
  double width;             /* characters; 0 = by type */
  const char *const *list;  /* drop-down values, or NULL */
  size_t nlist;
} np_xlsxw_col_t;

/** Creates `path` with one sheet (`sheet_name`, NULL = "Sheet1"). */
np_err np_xlsxw_open(const char *path, const char *sheet_name, np_xlsxw_t **out, np_errdetail_t *err);

/** Declares the columns and writes the header row. Call once, before any data row. */
np_err np_xlsxw_columns(np_xlsxw_t *w, const np_xlsxw_col_t *cols, size_t ncols, np_errdetail_t *err);

/** Cell setters for the current data row (col 0-based, any order within the row). */
np_err np_xlsxw_text(np_xlsxw_t *w, size_t col, const char *s, np_errdetail_t *err);
/** Writes a number. */
np_err np_xlsxw_number(np_xlsxw_t *w, size_t col, double v, np_errdetail_t *err);
/** Writes fen as yuan with 2 decimals. */
np_err np_xlsxw_money(np_xlsxw_t *w, size_t col, int64_t fen, np_errdetail_t *err);
/** Writes a civil date. */
np_err np_xlsxw_date(np_xlsxw_t *w, size_t col, int y, int m, int d, np_errdetail_t *err);

/** Finishes the current data row; the next setters write the row below. */
np_err np_xlsxw_end_row(np_xlsxw_t *w, np_errdetail_t *err);

/**
 * Writes a whole row from strings, converted by column type: TEXT as is; NUMBER parsed as a
 * decimal number; MONEY an integer amount in fen ("123456" → 1,234.56); DATE "YYYY-MM-DD".
 * NULL or "" leaves the cell blank; a value that does not parse is written as text.
 */
np_err np_xlsxw_row(np_xlsxw_t *w, const char *const *cells, size_t ncells, np_errdetail_t *err);

/** Writes the file and frees the writer (also on error). NULL is allowed. */
np_err np_xlsxw_close(np_xlsxw_t *w, np_errdetail_t *err);

#endif
