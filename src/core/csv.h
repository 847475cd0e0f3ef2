/*
 * Streaming RFC 4180 CSV reader (used through np_rows, see rows.h).
 *
 * Quoted fields, doubled quotes, embedded CR/LF/CRLF newlines (kept as in the file), CRLF/LF/CR
 * line endings, UTF-8 BOM stripped, last line with or without a newline, blank lines skipped.
 * A quote inside an unquoted field, or text after a closing quote, is taken literally.
 * Input charset: "UTF-8", "GB18030", "GBK" (also "GB2312", "CP936" read as GBK/GB18030) declared,
 * or NULL to detect (the whole input is valid UTF-8 → UTF-8, else GB18030). Non-UTF-8 input is
 * converted with iconv in chunks. Output cells are always valid UTF-8 without NUL bytes.
 * Detection reads a seekable file once ahead (then seeks back); for a pipe it decides on the
 * first 64 KiB. Memory use is bounded by one row: max_cells × max_cell_bytes.
 *
 * Errors name the place: err->field = "row R, column C" (R = line where the record starts,
 * C = 1-based cell), err->code one of "unterminated_quote", "invalid_encoding" (NP_ERR_ENCODING),
 * "too_many_cells", "cell_too_large", "too_many_rows" (NP_ERR_TOO_LARGE), "read" (NP_ERR_IO).
 * After an error every further call returns the same error.
 */
#ifndef NP_CORE_CSV_H
#define NP_CORE_CSV_H
#include <stdbool.h>
#include <stdio.h>
#include "core/err.h"
#include "core/rows.h"

typedef struct np_csv np_csv_t;

/** Opens a reader over an open stream (not closed by the reader). opts may be NULL. */
np_err np_csv_open(FILE *f, const np_rows_opts_t *opts, np_csv_t **out, np_errdetail_t *err);

/** Opens a reader over memory (not copied; must outlive the reader). opts may be NULL. */
np_err np_csv_open_mem(const void *data, size_t len, const np_rows_opts_t *opts, np_csv_t **out,
                       np_errdetail_t *err);

/** Reads the next record: *has_row false at the end. Cells stay valid until the next call. */
np_err np_csv_next(np_csv_t *r, np_row_t *row, bool *has_row, np_errdetail_t *err);

/** The charset the input is read as: "UTF-8", "GB18030" or "GBK". */
const char *np_csv_charset(const np_csv_t *r);

/** Frees the reader. NULL is allowed. */
void np_csv_close(np_csv_t *r);

#endif
