#include "core/xlsx.h"

/* Placeholder until the streaming reader lands. */
np_err np_xlsx_open_file(const char *path, const np_rows_opts_t *opts, np_xlsx_t **out, np_errdetail_t *err) {
  *out = NULL;
  return np_fail(err, NP_ERR_UNSUPPORTED, "not_xlsx", NULL, "XLSX import not available yet");
}

np_err np_xlsx_open_mem(const void *data, size_t len, const np_rows_opts_t *opts, np_xlsx_t **out,
                        np_errdetail_t *err) {
  *out = NULL;
  return np_fail(err, NP_ERR_UNSUPPORTED, "not_xlsx", NULL, "XLSX import not available yet");
}

np_err np_xlsx_next(np_xlsx_t *x, np_row_t *row, bool *has_row, np_errdetail_t *err) {
  *has_row = false;
  return np_fail(err, NP_ERR_UNSUPPORTED, "not_xlsx", NULL, "XLSX import not available yet");
}

void np_xlsx_close(np_xlsx_t *x) {}
