/*
 * libFuzzer target for the XLSX reader over memory (zip_source_buffer). The first byte picks
 * small limits; the rest is the workbook. Cells must be valid UTF-8 with matching lengths.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "core/rows.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int utf8_ok(const unsigned char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c == 0) return 0;
    if (c < 0x80) len = 1;
    else if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c == 0xE0) len = 3, lo = 0xA0;
    else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) len = 3;
    else if (c == 0xED) len = 3, hi = 0x9F;
    else if (c == 0xF0) len = 4, lo = 0x90;
    else if (c >= 0xF1 && c <= 0xF3) len = 4;
    else if (c == 0xF4) len = 4, hi = 0x8F;
    else return 0;
    if (n - i < len) return 0;
    for (size_t k = 1; k < len; k++) {
      unsigned char b = s[i + k];
      if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return 0;
    }
    i += len;
  }
  return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  np_rows_opts_t o = {.format = NP_ROWS_XLSX, .max_rows = 100000};
  if (data[0] & 1) {
    o.max_cells = 8;
    o.max_cell_bytes = 16;
    o.max_rows = 20;
  }
  np_rows_t *r = NULL;
  np_errdetail_t err;
  if (np_rows_open_mem(data + 1, size - 1, &o, &r, &err) != NP_OK) return 0;
  for (;;) {
    np_row_t row;
    bool has = false;
    if (np_rows_next(r, &row, &has, &err) != NP_OK || !has) break;
    assert(row.ncells >= 1 && row.line >= 1);
    for (size_t i = 0; i < row.ncells; i++) {
      assert(strlen(row.cells[i]) == row.lens[i]);
      assert(utf8_ok((const unsigned char *)row.cells[i], row.lens[i]));
    }
  }
  np_rows_close(r);
  return 0;
}
