#include "core/xlsxw.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

/* libxlsxwriter 1.1.4 never frees its copy of a list-formula validation (a few bytes per column
 * and workbook); keep LeakSanitizer quiet about that one call only. */
#if defined(__SANITIZE_ADDRESS__)
#define NP_HAVE_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NP_HAVE_LSAN 1
#endif
#endif
#ifdef NP_HAVE_LSAN
#include <sanitizer/lsan_interface.h>
#define LSAN_OFF() __lsan_disable()
#define LSAN_ON() __lsan_enable()
#else
#define LSAN_OFF() ((void)0)
#define LSAN_ON() ((void)0)
#endif

#define MAX_ROWS 1048576u
#define MAX_COLS 16384u
/* Excel's limit for an inline list is 255 characters; counted here in bytes, because
 * libxlsxwriter 1.1.4 checks characters but copies bytes (multibyte lists overflow its buffer). */
#define INLINE_LIST_MAX 255

struct np_xlsxw {
  lxw_workbook *wb;
  lxw_worksheet *ws;
  lxw_format *bold, *text, *money, *date;
  np_xlsxw_type *types;
  size_t ncols;
  bool have_cols;
  uint32_t row; /* current data row (0 = header) */
};

static np_err lxw_failed(np_errdetail_t *err, lxw_error e, const char *what) {
  if (e == LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED)
    return np_fail(err, NP_ERR_TOO_LARGE, "cell_too_large", NULL, "%s: text longer than Excel allows", what);
  if (e == LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE)
    return np_fail(err, NP_ERR_TOO_LARGE, "too_many_rows", NULL, "%s: beyond Excel's sheet size", what);
  return np_fail(err, NP_ERR_IO, "xlsx_write", NULL, "%s: %s", what, lxw_strerror(e));
}

/* Excel's sheet-name rules (checked here: libxlsxwriter leaks on a rejected name). */
static bool sheet_name_ok(const char *s) {
  size_t chars = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (strchr("[]:*?/\\", *p)) return false;
    if ((*p & 0xC0) != 0x80) chars++;
  }
  return chars >= 1 && chars <= 31 && s[0] != '\'' && s[strlen(s) - 1] != '\'';
}

np_err np_xlsxw_open(const char *path, const char *sheet_name, np_xlsxw_t **out, np_errdetail_t *err) {
  *out = NULL;
  if (sheet_name && sheet_name[0] && !sheet_name_ok(sheet_name))
    return np_fail(err, NP_ERR_INVALID, "sheet_name", "sheet_name", "invalid sheet name");
  np_xlsxw_t *w = calloc(1, sizeof *w);
  if (!w) return np_fail(err, NP_ERR_NOMEM, NULL, NULL, "out of memory");
  lxw_workbook_options o = {.constant_memory = LXW_TRUE, .tmpdir = NULL, .use_zip64 = LXW_TRUE};
  w->wb = workbook_new_opt(path, &o);
  if (!w->wb) {
    free(w);
    return np_fail(err, NP_ERR_IO, "open", NULL, "cannot create the workbook");
  }
  w->ws = workbook_add_worksheet(w->wb, sheet_name && sheet_name[0] ? sheet_name : NULL);
  w->bold = workbook_add_format(w->wb);
  w->text = workbook_add_format(w->wb);
  w->money = workbook_add_format(w->wb);
  w->date = workbook_add_format(w->wb);
  if (!w->ws || !w->bold || !w->text || !w->money || !w->date) {
    np_xlsxw_close(w, NULL);
    return np_fail(err, NP_ERR_INVALID, "sheet_name", "sheet_name", "invalid sheet name");
  }
  format_set_bold(w->bold);
  format_set_num_format(w->text, "@");
  format_set_num_format(w->money, "#,##0.00");
  format_set_num_format(w->date, "yyyy-mm-dd");
  *out = w;
  return NP_OK;
}

/* 0-based column number → "A", "AB" … */
static void col_name(size_t c, char out[8]) {
  char tmp[8];
  int n = 0;
  c++;
  while (c && n < 7) {
    tmp[n++] = (char)('A' + (c - 1) % 26);
    c = (c - 1) / 26;
  }
  for (int i = 0; i < n; i++) out[i] = tmp[n - 1 - i];
  out[n] = '\0';
}

static bool list_fits_inline(const np_xlsxw_col_t *c) {
  size_t total = 0;
  for (size_t i = 0; i < c->nlist; i++) {
    if (!c->list[i] || strpbrk(c->list[i], ",\"")) return false;
    total += strlen(c->list[i]) + 1;
  }
  return total <= INLINE_LIST_MAX;
}

np_err np_xlsxw_columns(np_xlsxw_t *w, const np_xlsxw_col_t *cols, size_t ncols, np_errdetail_t *err) {
  if (w->have_cols || w->row) return np_fail(err, NP_ERR_INTERNAL, "columns_twice", NULL, "columns already set");
  if (ncols == 0 || ncols > MAX_COLS) return np_fail(err, NP_ERR_INVALID, "columns", NULL, "bad column count");
  np_err e = NP_OK;
  char **vals = NULL;
  w->types = calloc(ncols, sizeof *w->types);
  if (!w->types) return np_fail(err, NP_ERR_NOMEM, NULL, NULL, "out of memory");
  w->ncols = ncols;
  w->have_cols = true;
  lxw_worksheet *lists = NULL;
  size_t nlistcols = 0, longest = 0;
  for (size_t i = 0; i < ncols; i++) {
    w->types[i] = cols[i].type;
    lxw_format *f = cols[i].type == NP_XLSXW_TEXT    ? w->text
                    : cols[i].type == NP_XLSXW_MONEY ? w->money
                    : cols[i].type == NP_XLSXW_DATE  ? w->date
                                                     : NULL;
    double width = cols[i].width > 0 ? cols[i].width : cols[i].type == NP_XLSXW_TEXT ? 20 : 14;
    lxw_error le = worksheet_set_column(w->ws, (lxw_col_t)i, (lxw_col_t)i, width, f);
    if (le) return lxw_failed(err, le, "set_column");
    le = worksheet_write_string(w->ws, 0, (lxw_col_t)i, cols[i].header ? cols[i].header : "", w->bold);
    if (le) return lxw_failed(err, le, "header");
    if (cols[i].nlist && !list_fits_inline(&cols[i])) {
      nlistcols++;
      if (cols[i].nlist > longest) longest = cols[i].nlist;
    }
  }
  worksheet_freeze_panes(w->ws, 1, 0);
  lxw_error le = worksheet_autofilter(w->ws, 0, 0, 0, (lxw_col_t)(ncols - 1));
  if (le) return lxw_failed(err, le, "autofilter");
  if (nlistcols) {
    if (longest > MAX_ROWS) return np_fail(err, NP_ERR_TOO_LARGE, "list_too_long", NULL, "drop-down list too long");
    lists = workbook_add_worksheet(w->wb, "_lists");
    if (!lists) return np_fail(err, NP_ERR_INTERNAL, "xlsx_write", NULL, "cannot add the list sheet");
    worksheet_hide(lists);
    /* constant-memory sheets are written row by row */
    for (size_t r = 0; r < longest; r++) {
      size_t k = 0;
      for (size_t i = 0; i < ncols; i++) {
        if (!cols[i].nlist || list_fits_inline(&cols[i])) continue;
        if (r < cols[i].nlist && cols[i].list[r]) {
          le = worksheet_write_string(lists, (lxw_row_t)r, (lxw_col_t)k, cols[i].list[r], NULL);
          if (le) return lxw_failed(err, le, "list");
        }
        k++;
      }
    }
  }
  size_t k = 0;
  for (size_t i = 0; i < ncols; i++) {
    if (!cols[i].nlist) continue;
    lxw_data_validation dv;
    memset(&dv, 0, sizeof dv);
    dv.validate = LXW_VALIDATION_TYPE_LIST;
    dv.show_error = LXW_VALIDATION_ON;
    dv.dropdown = LXW_VALIDATION_ON;
    char formula[64];
    if (list_fits_inline(&cols[i])) {
      vals = calloc(cols[i].nlist + 1, sizeof *vals);
      if (!vals) return np_fail(err, NP_ERR_NOMEM, NULL, NULL, "out of memory");
      for (size_t j = 0; j < cols[i].nlist; j++) {
        vals[j] = strdup(cols[i].list[j]);
        if (!vals[j]) {
          e = np_fail(err, NP_ERR_NOMEM, NULL, NULL, "out of memory");
          goto out;
        }
      }
      dv.validate = LXW_VALIDATION_TYPE_LIST;
      dv.value_list = vals;
    } else {
      char cn[8];
      col_name(k++, cn);
      snprintf(formula, sizeof formula, "='_lists'!$%s$1:$%s$%zu", cn, cn, cols[i].nlist);
      dv.validate = LXW_VALIDATION_TYPE_LIST_FORMULA;
      dv.value_formula = formula;
    }
    LSAN_OFF();
    le = worksheet_data_validation_range(w->ws, 1, (lxw_col_t)i, MAX_ROWS - 1, (lxw_col_t)i, &dv);
    LSAN_ON();
    if (vals) {
      for (size_t j = 0; vals[j]; j++) free(vals[j]);
      free(vals);
      vals = NULL;
    }
    if (le) return lxw_failed(err, le, "data_validation");
  }
  w->row = 1;
out:
  if (vals) {
    for (size_t j = 0; vals[j]; j++) free(vals[j]);
    free(vals);
  }
  return e;
}

static np_err check_cell(np_xlsxw_t *w, size_t col, np_errdetail_t *err) {
  if (w->row == 0) w->row = 1; /* no header declared: data starts at the top */
  if (w->row >= MAX_ROWS) return np_fail(err, NP_ERR_TOO_LARGE, "too_many_rows", NULL, "more rows than Excel allows");
  if (col >= MAX_COLS) return np_fail(err, NP_ERR_INVALID, "column", NULL, "column out of range");
  return NP_OK;
}

np_err np_xlsxw_text(np_xlsxw_t *w, size_t col, const char *s, np_errdetail_t *err) {
  np_err e = check_cell(w, col, err);
  if (e) return e;
  lxw_error le = worksheet_write_string(w->ws, w->row, (lxw_col_t)col, s ? s : "", w->text);
  return le ? lxw_failed(err, le, "text") : NP_OK;
}

np_err np_xlsxw_number(np_xlsxw_t *w, size_t col, double v, np_errdetail_t *err) {
  np_err e = check_cell(w, col, err);
  if (e) return e;
  lxw_error le = worksheet_write_number(w->ws, w->row, (lxw_col_t)col, v, NULL);
  return le ? lxw_failed(err, le, "number") : NP_OK;
}

np_err np_xlsxw_money(np_xlsxw_t *w, size_t col, int64_t fen, np_errdetail_t *err) {
  np_err e = check_cell(w, col, err);
  if (e) return e;
  /* display boundary: exact for |fen| < 2^53 */
  lxw_error le = worksheet_write_number(w->ws, w->row, (lxw_col_t)col, (double)fen / 100.0, w->money);
  return le ? lxw_failed(err, le, "money") : NP_OK;
}

np_err np_xlsxw_date(np_xlsxw_t *w, size_t col, int y, int m, int d, np_errdetail_t *err) {
  np_err e = check_cell(w, col, err);
  if (e) return e;
  if (y < 1900 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
    return np_fail(err, NP_ERR_INVALID, "date", NULL, "date out of range");
  lxw_datetime dt = {.year = y, .month = m, .day = d};
  lxw_error le = worksheet_write_datetime(w->ws, w->row, (lxw_col_t)col, &dt, w->date);
  return le ? lxw_failed(err, le, "date") : NP_OK;
}

np_err np_xlsxw_end_row(np_xlsxw_t *w, np_errdetail_t *err) {
  if (w->row == 0) w->row = 1;
  if (w->row >= MAX_ROWS) return np_fail(err, NP_ERR_TOO_LARGE, "too_many_rows", NULL, "more rows than Excel allows");
  w->row++;
  return NP_OK;
}

static bool parse_int64(const char *s, int64_t *out) {
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno || end == s || *end) return false;
  *out = v;
  return true;
}

static bool parse_date(const char *s, int *y, int *m, int *d) {
  if (strlen(s) != 10 || s[4] != '-' || s[7] != '-') return false;
  for (int i = 0; i < 10; i++)
    if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) return false;
  *y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  *m = (s[5] - '0') * 10 + (s[6] - '0');
  *d = (s[8] - '0') * 10 + (s[9] - '0');
  return *y >= 1900 && *m >= 1 && *m <= 12 && *d >= 1 && *d <= 31;
}

np_err np_xlsxw_row(np_xlsxw_t *w, const char *const *cells, size_t ncells, np_errdetail_t *err) {
  for (size_t i = 0; i < ncells; i++) {
    const char *s = cells[i];
    if (!s || !*s) continue;
    np_xlsxw_type t = i < w->ncols ? w->types[i] : NP_XLSXW_TEXT;
    np_err e;
    int64_t fen;
    int y, m, d;
    char *end;
    if (t == NP_XLSXW_NUMBER) {
      double v = strtod(s, &end);
      e = *end || end == s ? np_xlsxw_text(w, i, s, err) : np_xlsxw_number(w, i, v, err);
    } else if (t == NP_XLSXW_MONEY) {
      e = parse_int64(s, &fen) ? np_xlsxw_money(w, i, fen, err) : np_xlsxw_text(w, i, s, err);
    } else if (t == NP_XLSXW_DATE) {
      e = parse_date(s, &y, &m, &d) ? np_xlsxw_date(w, i, y, m, d, err) : np_xlsxw_text(w, i, s, err);
    } else {
      e = np_xlsxw_text(w, i, s, err);
    }
    if (e) return e;
  }
  return np_xlsxw_end_row(w, err);
}

np_err np_xlsxw_close(np_xlsxw_t *w, np_errdetail_t *err) {
  if (!w) return NP_OK;
  np_err e = NP_OK;
  lxw_error le = workbook_close(w->wb);
  if (le) e = lxw_failed(err, le, "close");
  free(w->types);
  free(w);
  return e;
}
