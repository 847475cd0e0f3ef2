#include "core/xlsx.h"
#include <errno.h>
#include <expat.h>
#include <limits.h>
#include <stdarg.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#define DEFAULT_MAX_CELLS 1024u
#define DEFAULT_MAX_CELL_BYTES (64u * 1024u)
#define CAP_SHEET ((zip_uint64_t)1 << 30)         /* 1 GiB of sheet XML, streamed */
#define CAP_SST ((zip_uint64_t)256 << 20)         /* sharedStrings.xml */
#define CAP_PART ((zip_uint64_t)16 << 20)         /* workbook, rels, styles */
#define MAX_SST_COUNT 2000000u
#define MAX_SST_BYTES ((size_t)128 << 20)         /* text kept in memory */
#define MAX_XF 65536u
#define MAX_NUMFMT 4096u
#define MAX_COL 16384u
#define MAX_ROWNUM 1048576u
#define CHUNK 65536

enum { KIND_NONE = 0, KIND_DATE = 1, KIND_TIME = 2 };
enum { T_NUM, T_SST, T_INLINE, T_STR, T_BOOL, T_ERR, T_DATESTR };

/* A growable byte buffer with a hard limit. */
typedef struct sbuf {
  char *p;
  size_t len, cap;
} sbuf_t;

static bool sbuf_add(sbuf_t *b, const char *s, size_t n) {
  if (n > SIZE_MAX - b->len - 1) return false;
  size_t need = b->len + n + 1;
  if (need > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need) {
      if (cap > SIZE_MAX / 2) return false;
      cap *= 2;
    }
    char *np = realloc(b->p, cap);
    if (!np) return false;
    b->p = np;
    b->cap = cap;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
  return true;
}

struct np_xlsx {
  zip_t *za;
  np_err failed;
  np_errdetail_t ferr;
  size_t max_cells, max_cell_bytes, max_rows;
  bool date1904;
  /* workbook / rels */
  char first_rid[128];
  bool in_sheets, have_sheet;
  char sheet_path[512];
  /* styles */
  unsigned char *xf_kind;
  size_t nxf;
  int *fmt_ids;
  unsigned char *fmt_kinds;
  size_t nfmt;
  bool in_cellxfs;
  /* shared strings */
  sbuf_t sst;
  size_t *sst_off;
  size_t nsst, sst_cap;
  bool in_si;
  int rph_depth;
  bool collecting;
  size_t si_start;
  XML_Parser cur; /* the parser running now */
  /* sheet streaming */
  zip_file_t *zf;
  zip_uint64_t sheet_read;
  XML_Parser sp;
  bool suspended, final_fed, done;
  unsigned long row_num, last_row;
  unsigned long col, last_col;
  int ctype;
  long cstyle;
  bool in_cell, in_is;
  sbuf_t val;
  /* row being built / handed out */
  sbuf_t rb;
  size_t *offs, *lens;
  const char **cells;
  size_t ncells, cellscap;
  bool row_ready;
  size_t rows;
};

static const char *local(const char *name) {
  const char *c = strrchr(name, ':');
  return c ? c + 1 : name;
}

static const char *attr(const char **atts, const char *name) {
  for (int i = 0; atts[i]; i += 2)
    if (!strcmp(local(atts[i]), name)) return atts[i + 1];
  return NULL;
}

/* Records the first failure and aborts the parser (if any). */
static void xfail(np_xlsx_t *x, np_err e, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void xfail(np_xlsx_t *x, np_err e, const char *code, const char *fmt, ...) {
  XML_Parser p = x->cur;
  if (!x->failed) {
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char field[64] = "";
    if (x->sp && p == x->sp && x->row_num) {
      if (x->in_cell && x->col) snprintf(field, sizeof field, "row %lu, column %lu", x->row_num, x->col);
      else snprintf(field, sizeof field, "row %lu", x->row_num);
    }
    if (field[0]) np_fail(&x->ferr, e, code, field, "%s: %s", field, msg);
    else np_fail(&x->ferr, e, code, NULL, "%s", msg);
    x->failed = e;
  }
  if (p) XML_StopParser(p, XML_FALSE);
}

static void XMLCALL no_doctype(void *ud, const XML_Char *name, const XML_Char *sysid, const XML_Char *pubid,
                               int has_internal) {
  np_xlsx_t *x = ud;
  (void)name, (void)sysid, (void)pubid, (void)has_internal;
  xfail(x, NP_ERR_INVALID, "bad_xml", "DOCTYPE is not allowed in a workbook");
}

static XML_Parser new_parser(np_xlsx_t *x) {
  XML_Parser p = XML_ParserCreate("UTF-8");
  if (!p) return NULL;
  XML_SetUserData(p, x);
  XML_SetStartDoctypeDeclHandler(p, no_doctype);
  return p;
}

/*
 * Streams one zip entry through a fresh expat parser with the given handlers.
 * NP_ERR_NOT_FOUND when the entry is missing (and !required).
 */
static np_err parse_entry(np_xlsx_t *x, const char *name, zip_uint64_t cap, XML_StartElementHandler start,
                          XML_EndElementHandler end, XML_CharacterDataHandler chars, np_errdetail_t *err) {
  zip_stat_t st;
  if (zip_stat(x->za, name, ZIP_FL_NOCASE, &st) != 0) return NP_ERR_NOT_FOUND;
  if ((st.valid & ZIP_STAT_SIZE) && st.size > cap)
    return np_fail(err, NP_ERR_TOO_LARGE, "entry_too_large", NULL, "%s is larger than allowed", name);
  zip_file_t *zf = zip_fopen(x->za, name, ZIP_FL_NOCASE);
  if (!zf) return np_fail(err, NP_ERR_INVALID, "not_xlsx", NULL, "cannot read %s from the workbook", name);
  np_err e = NP_OK;
  XML_Parser p = new_parser(x);
  if (!p) {
    e = np_fail(err, NP_ERR_NOMEM, NULL, NULL, "out of memory");
    goto out;
  }
  XML_SetElementHandler(p, start, end);
  XML_SetCharacterDataHandler(p, chars);
  x->cur = p;
  zip_uint64_t total = 0;
  for (;;) {
    void *buf = XML_GetBuffer(p, CHUNK);
    if (!buf) {
      e = np_fail(err, NP_ERR_NOMEM, NULL, NULL, "out of memory");
      goto out;
    }
    zip_int64_t n = zip_fread(zf, buf, CHUNK);
    if (n < 0) {
      e = np_fail(err, NP_ERR_INVALID, "not_xlsx", NULL, "cannot inflate %s", name);
      goto out;
    }
    total += (zip_uint64_t)n;
    if (total > cap) {
      e = np_fail(err, NP_ERR_TOO_LARGE, "entry_too_large", NULL, "%s is larger than allowed", name);
      goto out;
    }
    if (XML_ParseBuffer(p, (int)n, n == 0) != XML_STATUS_OK) {
      if (x->failed) {
        if (err) *err = x->ferr;
        e = x->failed;
      } else {
        e = np_fail(err, NP_ERR_INVALID, "bad_xml", NULL, "%s line %lu: %s", name,
                    (unsigned long)XML_GetCurrentLineNumber(p), XML_ErrorString(XML_GetErrorCode(p)));
      }
      goto out;
    }
    if (n == 0) break;
  }
  if (x->failed) {
    if (err) *err = x->ferr;
    e = x->failed;
  }
out:
  x->cur = NULL;
  if (p) XML_ParserFree(p);
  zip_fclose(zf);
  return e;
}

/* ---- workbook.xml and its rels ---- */

static void XMLCALL wb_start(void *ud, const XML_Char *name, const XML_Char **atts) {
  np_xlsx_t *x = ud;
  const char *n = local(name);
  if (!strcmp(n, "sheets")) {
    x->in_sheets = true;
  } else if (!strcmp(n, "sheet") && x->in_sheets && !x->have_sheet) {
    const char *rid = attr(atts, "id");
    if (rid && strlen(rid) < sizeof x->first_rid) {
      memcpy(x->first_rid, rid, strlen(rid) + 1);
      x->have_sheet = true;
    }
  } else if (!strcmp(n, "workbookPr")) {
    const char *d = attr(atts, "date1904");
    x->date1904 = d && (!strcmp(d, "1") || !strcmp(d, "true"));
  }
}

static void XMLCALL wb_end(void *ud, const XML_Char *name) {
  np_xlsx_t *x = ud;
  if (!strcmp(local(name), "sheets")) x->in_sheets = false;
}

static void XMLCALL rels_start(void *ud, const XML_Char *name, const XML_Char **atts) {
  np_xlsx_t *x = ud;
  if (strcmp(local(name), "Relationship") || x->sheet_path[0]) return;
  const char *id = attr(atts, "Id"), *target = attr(atts, "Target");
  if (!id || !target || strcmp(id, x->first_rid)) return;
  /* Targets are relative to xl/ unless absolute ("/xl/worksheets/sheet1.xml"). */
  if (target[0] == '/') snprintf(x->sheet_path, sizeof x->sheet_path, "%s", target + 1);
  else snprintf(x->sheet_path, sizeof x->sheet_path, "xl/%s", target);
}

/* ---- styles.xml ---- */

static unsigned char builtin_kind(long id) {
  if ((id >= 14 && id <= 17) || id == 22 || (id >= 27 && id <= 31) || id == 36 || (id >= 50 && id <= 58))
    return KIND_DATE;
  if ((id >= 18 && id <= 21) || (id >= 32 && id <= 35) || (id >= 45 && id <= 47)) return KIND_TIME;
  return KIND_NONE;
}

/* Date when the code has y or d (or m without h/s), time when it has h or s, outside quotes/brackets. */
static unsigned char custom_kind(const char *code) {
  bool y = false, d = false, m = false, h = false, s = false;
  for (const char *p = code; *p; p++) {
    char c = *p;
    if (c == '"') {
      p++;
      while (*p && *p != '"') p++;
      if (!*p) break;
    } else if (c == '[') {
      while (*p && *p != ']') p++;
      if (!*p) break;
    } else if (c == '\\' || c == '_' || c == '*') {
      if (!p[1]) break;
      p++;
    } else if (c == ';') {
      break; /* the first section decides */
    } else {
      c = (char)(c | 0x20);
      y |= c == 'y', d |= c == 'd', m |= c == 'm', h |= c == 'h', s |= c == 's';
    }
  }
  if (y || d || (m && !h && !s)) return KIND_DATE;
  if (h || s) return KIND_TIME;
  return KIND_NONE;
}

static bool parse_long(const char *s, long lo, long hi, long *out) {
  if (!s || !*s) return false;
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || *end || v < lo || v > hi) return false;
  *out = v;
  return true;
}

static void XMLCALL st_start(void *ud, const XML_Char *name, const XML_Char **atts) {
  np_xlsx_t *x = ud;
  const char *n = local(name);
  long id;
  if (!strcmp(n, "numFmt")) {
    const char *code = attr(atts, "formatCode");
    if (!code || !parse_long(attr(atts, "numFmtId"), 0, 100000, &id) || x->nfmt >= MAX_NUMFMT) return;
    if (!x->fmt_ids) {
      x->fmt_ids = calloc(MAX_NUMFMT, sizeof *x->fmt_ids);
      x->fmt_kinds = calloc(MAX_NUMFMT, 1);
      if (!x->fmt_ids || !x->fmt_kinds) {
        xfail(x, NP_ERR_NOMEM, "out_of_memory", "out of memory");
        return;
      }
    }
    x->fmt_ids[x->nfmt] = (int)id;
    x->fmt_kinds[x->nfmt] = custom_kind(code);
    x->nfmt++;
  } else if (!strcmp(n, "cellXfs")) {
    x->in_cellxfs = true;
  } else if (!strcmp(n, "xf") && x->in_cellxfs) {
    if (x->nxf >= MAX_XF) return;
    if (!x->xf_kind) {
      x->xf_kind = calloc(MAX_XF, 1);
      if (!x->xf_kind) {
        xfail(x, NP_ERR_NOMEM, "out_of_memory", "out of memory");
        return;
      }
    }
    unsigned char k = KIND_NONE;
    if (parse_long(attr(atts, "numFmtId"), 0, 100000, &id)) {
      k = builtin_kind(id);
      for (size_t i = 0; i < x->nfmt; i++)
        if (x->fmt_ids[i] == id) k = x->fmt_kinds[i];
    }
    x->xf_kind[x->nxf++] = k;
  }
}

static void XMLCALL st_end(void *ud, const XML_Char *name) {
  np_xlsx_t *x = ud;
  if (!strcmp(local(name), "cellXfs")) x->in_cellxfs = false;
}

/* ---- sharedStrings.xml ---- */

static void XMLCALL sst_start(void *ud, const XML_Char *name, const XML_Char **atts) {
  np_xlsx_t *x = ud;
  const char *n = local(name);
  if (!strcmp(n, "si")) {
    x->in_si = true;
    x->rph_depth = 0;
    x->si_start = x->sst.len;
  } else if (!strcmp(n, "rPh")) {
    x->rph_depth++;
  } else if (!strcmp(n, "t") && x->in_si && !x->rph_depth) {
    x->collecting = true;
  }
}

static void XMLCALL sst_end(void *ud, const XML_Char *name) {
  np_xlsx_t *x = ud;
  const char *n = local(name);
  if (!strcmp(n, "t")) {
    x->collecting = false;
  } else if (!strcmp(n, "rPh")) {
    if (x->rph_depth) x->rph_depth--;
  } else if (!strcmp(n, "si") && x->in_si) {
    x->in_si = false;
    if (x->nsst >= MAX_SST_COUNT) {
      xfail(x, NP_ERR_TOO_LARGE, "too_many_strings", "more than %u shared strings", MAX_SST_COUNT);
      return;
    }
    if (x->nsst == x->sst_cap) {
      size_t cap = x->sst_cap ? x->sst_cap * 2 : 1024;
      size_t *no = realloc(x->sst_off, cap * sizeof *no);
      if (!no) {
        xfail(x, NP_ERR_NOMEM, "out_of_memory", "out of memory");
        return;
      }
      x->sst_off = no;
      x->sst_cap = cap;
    }
    /* each string ends with a NUL inside the buffer */
    if (!sbuf_add(&x->sst, "", 1)) {
      xfail(x, NP_ERR_NOMEM, "out_of_memory", "out of memory");
      return;
    }
    x->sst_off[x->nsst++] = x->si_start;
  }
}

static void XMLCALL sst_chars(void *ud, const XML_Char *s, int len) {
  np_xlsx_t *x = ud;
  if (!x->collecting || len <= 0) return;
  if (x->sst.len + (size_t)len > MAX_SST_BYTES) {
    xfail(x, NP_ERR_TOO_LARGE, "too_many_strings", "shared strings larger than allowed");
    return;
  }
  if (!sbuf_add(&x->sst, s, (size_t)len)) xfail(x, NP_ERR_NOMEM, "out_of_memory", "out of memory");
}

/* ---- the sheet ---- */

/* "B7" → column 2 (row part ignored); 0 when malformed. */
static unsigned long parse_col(const char *ref) {
  unsigned long c = 0;
  const char *p = ref;
  while (*p >= 'A' && *p <= 'Z') {
    c = c * 26 + (unsigned long)(*p - 'A' + 1);
    if (c > MAX_COL) return 0;
    p++;
  }
  if (p == ref) return 0;
  while (*p >= '0' && *p <= '9') p++;
  return *p ? 0 : c;
}

static bool push_cell(np_xlsx_t *x, const char *s, size_t n) {
  if (x->ncells >= x->max_cells) {
    xfail(x, NP_ERR_TOO_LARGE, "too_many_cells", "more than %zu cells in a row", x->max_cells);
    return false;
  }
  if (x->ncells == x->cellscap) {
    size_t cap = x->cellscap ? x->cellscap * 2 : 16;
    if (cap > x->max_cells) cap = x->max_cells;
    size_t *no = realloc(x->offs, cap * sizeof *no);
    if (no) x->offs = no;
    size_t *nl = no ? realloc(x->lens, cap * sizeof *nl) : NULL;
    if (nl) x->lens = nl;
    const char **nc = nl ? realloc(x->cells, cap * sizeof *nc) : NULL;
    if (!nc) {
      xfail(x, NP_ERR_NOMEM, "out_of_memory", "out of memory");
      return false;
    }
    x->cells = nc;
    x->cellscap = cap;
  }
  size_t off = x->rb.len;
  if (!sbuf_add(&x->rb, s, n) || !sbuf_add(&x->rb, "", 1)) {
    xfail(x, NP_ERR_NOMEM, "out_of_memory", "out of memory");
    return false;
  }
  x->offs[x->ncells] = off;
  x->lens[x->ncells] = n;
  x->ncells++;
  return true;
}

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = (unsigned)(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *yy, int *mm, int *dd) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = (unsigned)(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = (int64_t)yoe + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  *yy = (int)(y + (m <= 2));
  *mm = (int)m;
  *dd = (int)d;
}

/* Excel serial → "YYYY-MM-DD[ HH:MM:SS]" or "HH:MM:SS"; false when out of range. */
static bool format_serial(const np_xlsx_t *x, double v, unsigned char kind, char *out, size_t cap) {
  if (!(v >= 0 && v < 2958466.0)) return false;
  double whole = floor(v);
  long secs = lround((v - whole) * 86400.0);
  int64_t days = (int64_t)whole;
  if (secs >= 86400) {
    secs -= 86400;
    days++;
  }
  int hh = (int)(secs / 3600), mi = (int)(secs / 60 % 60), ss = (int)(secs % 60);
  if (kind == KIND_TIME && days == 0) {
    snprintf(out, cap, "%02d:%02d:%02d", hh, mi, ss);
    return true;
  }
  int64_t epoch;
  if (x->date1904) epoch = days_from_civil(1904, 1, 1);
  else if (days >= 61) epoch = days_from_civil(1899, 12, 30);
  else epoch = days_from_civil(1899, 12, 31); /* before Excel's fictitious 1900-02-29 */
  int y, m, d;
  civil_from_days(epoch + days, &y, &m, &d);
  if (secs) snprintf(out, cap, "%04d-%02d-%02d %02d:%02d:%02d", y, m, d, hh, mi, ss);
  else snprintf(out, cap, "%04d-%02d-%02d", y, m, d);
  return true;
}

/* Number text without float noise: integers plainly, others with Excel's 15 significant digits. */
static void format_number(double v, char *out, size_t cap) {
  if (v == 0) {
    snprintf(out, cap, "0");
    return;
  }
  if (v == floor(v) && fabs(v) < 1e15) {
    snprintf(out, cap, "%.0f", v);
    return;
  }
  /* Excel keeps 15 significant digits: what the user saw in the sheet, without binary noise
   * (0.1+0.2 stored as 0.30000000000000004 reads as "0.3"). */
  snprintf(out, cap, "%.15g", v);
}

static void finish_cell(np_xlsx_t *x) {
  const char *v = x->val.p ? x->val.p : "";
  size_t n = x->val.len;
  char num[64];
  switch (x->ctype) {
  case T_SST: {
    long idx;
    if (!n) break;
    if (!parse_long(v, 0, LONG_MAX, &idx) || (size_t)idx >= x->nsst) {
      xfail(x, NP_ERR_INVALID, "bad_shared_string", "shared string index %.20s out of range", v);
      return;
    }
    size_t off = x->sst_off[idx];
    v = x->sst.p + off;
    n = strlen(v);
    break;
  }
  case T_BOOL:
    if (n) v = (v[0] == '1' || v[0] == 't' || v[0] == 'T') ? "TRUE" : "FALSE", n = strlen(v);
    break;
  case T_NUM: {
    if (!n) break;
    char *end;
    double d = strtod(v, &end);
    if (*end || !isfinite(d)) break; /* not a number: keep the text */
    unsigned char kind = x->cstyle >= 0 && (size_t)x->cstyle < x->nxf ? x->xf_kind[x->cstyle] : KIND_NONE;
    if (kind == KIND_NONE || !format_serial(x, d, kind, num, sizeof num)) format_number(d, num, sizeof num);
    v = num;
    n = strlen(num);
    break;
  }
  default: /* inline string, formula string, error, ISO date: the text as is */
    break;
  }
  if (n > x->max_cell_bytes) {
    xfail(x, NP_ERR_TOO_LARGE, "cell_too_large", "cell longer than %zu bytes", x->max_cell_bytes);
    return;
  }
  while (x->ncells + 1 < x->col)
    if (!push_cell(x, "", 0)) return;
  push_cell(x, v, n);
}

static void XMLCALL sh_start(void *ud, const XML_Char *name, const XML_Char **atts) {
  np_xlsx_t *x = ud;
  const char *n = local(name);
  if (!strcmp(n, "row")) {
    long r;
    const char *ra = attr(atts, "r");
    if (ra) {
      if (!parse_long(ra, 1, MAX_ROWNUM, &r)) {
        xfail(x, NP_ERR_INVALID, "bad_cell_ref", "bad row number");
        return;
      }
      x->row_num = (unsigned long)r;
    } else {
      x->row_num = x->last_row + 1;
    }
    x->last_row = x->row_num;
    x->ncells = 0;
    x->rb.len = 0;
    x->last_col = 0;
  } else if (!strcmp(n, "c")) {
    if (!x->row_num) {
      xfail(x, NP_ERR_INVALID, "bad_xml", "cell outside a row");
      return;
    }
    const char *ref = attr(atts, "r");
    unsigned long c = ref ? parse_col(ref) : x->last_col + 1;
    x->in_cell = true;
    x->col = c ? c : x->last_col + 1;
    if (!c || c <= x->last_col) {
      xfail(x, NP_ERR_INVALID, "bad_cell_ref", "bad or out-of-order cell reference");
      return;
    }
    if (c > x->max_cells) {
      xfail(x, NP_ERR_TOO_LARGE, "too_many_cells", "more than %zu cells in a row", x->max_cells);
      return;
    }
    x->last_col = c;
    const char *t = attr(atts, "t");
    x->ctype = !t || !strcmp(t, "n")   ? T_NUM
               : !strcmp(t, "s")       ? T_SST
               : !strcmp(t, "inlineStr") ? T_INLINE
               : !strcmp(t, "str")     ? T_STR
               : !strcmp(t, "b")       ? T_BOOL
               : !strcmp(t, "e")       ? T_ERR
               : !strcmp(t, "d")       ? T_DATESTR
                                       : T_STR;
    long s;
    x->cstyle = parse_long(attr(atts, "s"), 0, LONG_MAX, &s) ? s : -1;
    x->val.len = 0;
    if (x->val.p) x->val.p[0] = '\0';
    x->in_is = false;
    x->rph_depth = 0;
  } else if (x->in_cell) {
    if (!strcmp(n, "v")) x->collecting = x->ctype != T_INLINE;
    else if (!strcmp(n, "is")) x->in_is = true;
    else if (!strcmp(n, "rPh")) x->rph_depth++;
    else if (!strcmp(n, "t")) x->collecting = x->in_is && !x->rph_depth;
  }
}

static void XMLCALL sh_end(void *ud, const XML_Char *name) {
  np_xlsx_t *x = ud;
  const char *n = local(name);
  if (!strcmp(n, "v") || !strcmp(n, "t")) {
    x->collecting = false;
  } else if (!strcmp(n, "rPh")) {
    if (x->rph_depth) x->rph_depth--;
  } else if (!strcmp(n, "is")) {
    x->in_is = false;
  } else if (!strcmp(n, "c") && x->in_cell) {
    finish_cell(x);
    x->in_cell = false;
    x->collecting = false;
  } else if (!strcmp(n, "row")) {
    while (x->ncells && x->lens[x->ncells - 1] == 0) x->ncells--;
    if (x->ncells && !x->failed) {
      x->row_ready = true;
      XML_StopParser(x->sp, XML_TRUE);
    }
  }
}

static void XMLCALL sh_chars(void *ud, const XML_Char *s, int len) {
  np_xlsx_t *x = ud;
  if (!x->collecting || len <= 0) return;
  if (x->val.len + (size_t)len > x->max_cell_bytes) {
    xfail(x, NP_ERR_TOO_LARGE, "cell_too_large", "cell longer than %zu bytes", x->max_cell_bytes);
    return;
  }
  if (!sbuf_add(&x->val, s, (size_t)len)) xfail(x, NP_ERR_NOMEM, "out_of_memory", "out of memory");
}

/* ---- open / next / close ---- */

static np_err opt_entry(np_xlsx_t *x, const char *name, zip_uint64_t cap, XML_StartElementHandler start,
                        XML_EndElementHandler end, XML_CharacterDataHandler chars, np_errdetail_t *err) {
  np_err e = parse_entry(x, name, cap, start, end, chars, err);
  return e == NP_ERR_NOT_FOUND ? NP_OK : e;
}

static np_err open_common(np_xlsx_t *x, const np_rows_opts_t *opts, np_errdetail_t *err) {
  x->max_cells = opts && opts->max_cells ? opts->max_cells : DEFAULT_MAX_CELLS;
  if (x->max_cells > MAX_COL) x->max_cells = MAX_COL;
  x->max_cell_bytes = opts && opts->max_cell_bytes ? opts->max_cell_bytes : DEFAULT_MAX_CELL_BYTES;
  x->max_rows = opts ? opts->max_rows : 0;
  np_err e;
  if ((e = opt_entry(x, "xl/workbook.xml", CAP_PART, wb_start, wb_end, NULL, err))) return e;
  if (x->have_sheet &&
      (e = opt_entry(x, "xl/_rels/workbook.xml.rels", CAP_PART, rels_start, NULL, NULL, err)))
    return e;
  if (!x->sheet_path[0] || zip_name_locate(x->za, x->sheet_path, ZIP_FL_NOCASE) < 0)
    snprintf(x->sheet_path, sizeof x->sheet_path, "xl/worksheets/sheet1.xml");
  zip_stat_t st;
  if (zip_stat(x->za, x->sheet_path, ZIP_FL_NOCASE, &st) != 0)
    return np_fail(err, NP_ERR_INVALID, "no_sheet", NULL, "the workbook has no worksheet");
  if ((st.valid & ZIP_STAT_SIZE) && st.size > CAP_SHEET)
    return np_fail(err, NP_ERR_TOO_LARGE, "entry_too_large", NULL, "the worksheet is larger than allowed");
  if ((e = opt_entry(x, "xl/styles.xml", CAP_PART, st_start, st_end, NULL, err))) return e;
  if ((e = opt_entry(x, "xl/sharedStrings.xml", CAP_SST, sst_start, sst_end, sst_chars, err))) return e;
  x->collecting = false;
  x->zf = zip_fopen(x->za, x->sheet_path, ZIP_FL_NOCASE);
  if (!x->zf) return np_fail(err, NP_ERR_INVALID, "not_xlsx", NULL, "cannot read the worksheet");
  x->sp = new_parser(x);
  if (!x->sp) return np_fail(err, NP_ERR_NOMEM, NULL, NULL, "out of memory");
  XML_SetElementHandler(x->sp, sh_start, sh_end);
  XML_SetCharacterDataHandler(x->sp, sh_chars);
  x->cur = x->sp;
  return NP_OK;
}

static np_err zip_failed(zip_error_t *ze, np_errdetail_t *err) {
  np_err e = np_fail(err, NP_ERR_INVALID, "not_xlsx", NULL, "not a readable XLSX workbook: %s", zip_error_strerror(ze));
  return e;
}

np_err np_xlsx_open_file(const char *path, const np_rows_opts_t *opts, np_xlsx_t **out, np_errdetail_t *err) {
  *out = NULL;
  np_xlsx_t *x = calloc(1, sizeof *x);
  if (!x) return np_fail(err, NP_ERR_NOMEM, NULL, NULL, "out of memory");
  np_err e;
  int zerr = 0;
  x->za = zip_open(path, ZIP_RDONLY, &zerr);
  if (!x->za) {
    zip_error_t ze;
    zip_error_init_with_code(&ze, zerr);
    e = zerr == ZIP_ER_OPEN || zerr == ZIP_ER_NOENT ? np_fail(err, NP_ERR_IO, "open", NULL, "cannot open the file")
                                                    : zip_failed(&ze, err);
    zip_error_fini(&ze);
    goto out;
  }
  e = open_common(x, opts, err);
out:
  if (e) np_xlsx_close(x);
  else *out = x;
  return e;
}

np_err np_xlsx_open_mem(const void *data, size_t len, const np_rows_opts_t *opts, np_xlsx_t **out,
                        np_errdetail_t *err) {
  *out = NULL;
  np_xlsx_t *x = calloc(1, sizeof *x);
  if (!x) return np_fail(err, NP_ERR_NOMEM, NULL, NULL, "out of memory");
  np_err e;
  zip_error_t ze;
  zip_error_init(&ze);
  zip_source_t *src = zip_source_buffer_create(data, data ? len : 0, 0, &ze);
  if (!src) {
    e = zip_failed(&ze, err);
    goto out;
  }
  x->za = zip_open_from_source(src, ZIP_RDONLY, &ze);
  if (!x->za) {
    zip_source_free(src);
    e = zip_failed(&ze, err);
    goto out;
  }
  e = open_common(x, opts, err);
out:
  zip_error_fini(&ze);
  if (e) np_xlsx_close(x);
  else *out = x;
  return e;
}

static np_err sheet_error(np_xlsx_t *x, np_errdetail_t *err) {
  if (!x->failed) {
    char field[64] = "";
    if (x->row_num) snprintf(field, sizeof field, "row %lu", x->row_num);
    x->failed = np_fail(&x->ferr, NP_ERR_INVALID, "bad_xml", field, "worksheet line %lu: %s",
                        (unsigned long)XML_GetCurrentLineNumber(x->sp), XML_ErrorString(XML_GetErrorCode(x->sp)));
  }
  if (err) *err = x->ferr;
  return x->failed;
}

np_err np_xlsx_next(np_xlsx_t *x, np_row_t *row, bool *has_row, np_errdetail_t *err) {
  *has_row = false;
  if (x->failed) {
    if (err) *err = x->ferr;
    return x->failed;
  }
  x->row_ready = false;
  while (!x->done) {
    enum XML_Status st;
    if (x->suspended) {
      st = XML_ResumeParser(x->sp);
    } else if (x->final_fed) {
      x->done = true;
      break;
    } else {
      void *buf = XML_GetBuffer(x->sp, CHUNK);
      if (!buf) return np_fail(err, NP_ERR_NOMEM, NULL, NULL, "out of memory");
      zip_int64_t n = zip_fread(x->zf, buf, CHUNK);
      if (n < 0) {
        x->failed = np_fail(&x->ferr, NP_ERR_INVALID, "not_xlsx", NULL, "cannot inflate the worksheet");
        if (err) *err = x->ferr;
        return x->failed;
      }
      x->sheet_read += (zip_uint64_t)n;
      if (x->sheet_read > CAP_SHEET) {
        x->failed = np_fail(&x->ferr, NP_ERR_TOO_LARGE, "entry_too_large", NULL, "the worksheet is larger than allowed");
        if (err) *err = x->ferr;
        return x->failed;
      }
      x->final_fed = n == 0;
      st = XML_ParseBuffer(x->sp, (int)n, n == 0);
    }
    if (st == XML_STATUS_ERROR) return sheet_error(x, err);
    x->suspended = st == XML_STATUS_SUSPENDED;
    if (x->row_ready) {
      x->rows++;
      if (x->max_rows && x->rows > x->max_rows) {
        char field[64];
        snprintf(field, sizeof field, "row %lu", x->row_num);
        x->failed = np_fail(&x->ferr, NP_ERR_TOO_LARGE, "too_many_rows", field, "more than %zu rows", x->max_rows);
        if (err) *err = x->ferr;
        return x->failed;
      }
      for (size_t i = 0; i < x->ncells; i++) x->cells[i] = x->rb.p + x->offs[i];
      row->ncells = x->ncells;
      row->cells = x->cells;
      row->lens = x->lens;
      row->line = x->row_num;
      *has_row = true;
      return NP_OK;
    }
  }
  return NP_OK;
}

void np_xlsx_close(np_xlsx_t *x) {
  if (!x) return;
  if (x->sp) XML_ParserFree(x->sp);
  if (x->zf) zip_fclose(x->zf);
  if (x->za) zip_discard(x->za);
  free(x->xf_kind);
  free(x->fmt_ids);
  free(x->fmt_kinds);
  free(x->sst.p);
  free(x->sst_off);
  free(x->val.p);
  free(x->rb.p);
  free(x->offs);
  free(x->lens);
  free(x->cells);
  free(x);
}
