/* np_rows: one row interface over the CSV and XLSX readers. */
#include "core/rows.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/csv.h"
#include "core/xlsx.h"

struct np_rows {
  np_rows_format format;
  FILE *f; /* CSV from a file: owned */
  np_csv_t *csv;
  np_xlsx_t *xlsx;
};

static bool looks_like_zip(const unsigned char *p, size_t n) {
  return n >= 4 && p[0] == 'P' && p[1] == 'K' && p[2] == 3 && p[3] == 4;
}

np_err np_rows_open_file(const char *path, const np_rows_opts_t *opts, np_rows_t **out, np_errdetail_t *err) {
  *out = NULL;
  np_err e = NP_OK;
  np_rows_t *r = calloc(1, sizeof *r);
  if (!r) return np_fail(err, NP_ERR_NOMEM, NULL, NULL, "out of memory");
  r->format = opts ? opts->format : NP_ROWS_AUTO;
  if (r->format != NP_ROWS_XLSX) {
    r->f = fopen(path, "rb");
    if (!r->f) {
      e = np_fail(err, NP_ERR_IO, "open", NULL, "cannot open the file");
      goto out;
    }
  }
  if (r->format == NP_ROWS_AUTO) {
    unsigned char magic[4];
    size_t got = fread(magic, 1, sizeof magic, r->f);
    r->format = looks_like_zip(magic, got) ? NP_ROWS_XLSX : NP_ROWS_CSV;
    if (r->format == NP_ROWS_XLSX) {
      fclose(r->f);
      r->f = NULL;
    } else if (fseek(r->f, 0, SEEK_SET) != 0) {
      e = np_fail(err, NP_ERR_IO, "read", NULL, "cannot rewind the file");
      goto out;
    }
  }
  if (r->format == NP_ROWS_XLSX) e = np_xlsx_open_file(path, opts, &r->xlsx, err);
  else e = np_csv_open(r->f, opts, &r->csv, err);
out:
  if (e) np_rows_close(r);
  else *out = r;
  return e;
}

np_err np_rows_open_mem(const void *data, size_t len, const np_rows_opts_t *opts, np_rows_t **out,
                        np_errdetail_t *err) {
  *out = NULL;
  np_rows_t *r = calloc(1, sizeof *r);
  if (!r) return np_fail(err, NP_ERR_NOMEM, NULL, NULL, "out of memory");
  r->format = opts ? opts->format : NP_ROWS_AUTO;
  if (r->format == NP_ROWS_AUTO) r->format = looks_like_zip(data, data ? len : 0) ? NP_ROWS_XLSX : NP_ROWS_CSV;
  np_err e = r->format == NP_ROWS_XLSX ? np_xlsx_open_mem(data, len, opts, &r->xlsx, err)
                                       : np_csv_open_mem(data, len, opts, &r->csv, err);
  if (e) np_rows_close(r);
  else *out = r;
  return e;
}

np_err np_rows_next(np_rows_t *r, np_row_t *row, bool *has_row, np_errdetail_t *err) {
  memset(row, 0, sizeof *row);
  if (r->csv) return np_csv_next(r->csv, row, has_row, err);
  if (r->xlsx) return np_xlsx_next(r->xlsx, row, has_row, err);
  *has_row = false;
  return NP_OK;
}

const char *np_rows_source_charset(const np_rows_t *r) {
  if (r->csv) return np_csv_charset(r->csv);
  return "xlsx";
}

void np_rows_close(np_rows_t *r) {
  if (!r) return;
  np_csv_close(r->csv);
  np_xlsx_close(r->xlsx);
  if (r->f) fclose(r->f);
  free(r);
}
