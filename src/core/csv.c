#include "core/csv.h"
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define RAW_CAP (64u * 1024u)
#define UBUF_CAP (128u * 1024u)
#define DEFAULT_MAX_CELLS 1024u
#define DEFAULT_MAX_CELL_BYTES (64u * 1024u)

enum { ST_FIELD_START, ST_UNQUOTED, ST_QUOTED, ST_QUOTE_SEEN };

struct np_csv {
  /* raw input: memory, or a buffer refilled from the stream */
  FILE *f;
  uint8_t *rawbuf;
  const uint8_t *raw;
  size_t rawlen, rawpos;
  bool eof;
  /* decoding to UTF-8 */
  bool use_iconv;
  const char *csname;
  iconv_t cd;
  uint8_t *ubuf;
  const uint8_t *win;
  size_t winlen, winpos;
  bool bom_checked;
  /* parser */
  int state;
  size_t line;
  bool prev_cr;
  bool in_record;
  size_t rec_line;
  char *buf;
  size_t buflen, bufcap, cell_start;
  size_t *offs, *lens;
  const char **cells;
  size_t ncells, cellscap;
  size_t rows;
  size_t max_cells, max_cell_bytes, max_rows;
  bool done;
  np_err sticky;
  np_errdetail_t sticky_err;
};

/*
 * Length of the longest prefix of p[n] made of complete, valid UTF-8 sequences (no overlongs,
 * surrogates or code points above U+10FFFF). *incomplete tells whether the rest is a valid but
 * truncated sequence (so more input might complete it).
 */
static size_t utf8_prefix(const uint8_t *p, size_t n, bool *incomplete) {
  size_t i = 0;
  *incomplete = false;
  while (i < n) {
    uint8_t c = p[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    size_t len;
    uint8_t lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c == 0xE0) len = 3, lo = 0xA0;
    else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) len = 3;
    else if (c == 0xED) len = 3, hi = 0x9F;
    else if (c == 0xF0) len = 4, lo = 0x90;
    else if (c >= 0xF1 && c <= 0xF3) len = 4;
    else if (c == 0xF4) len = 4, hi = 0x8F;
    else return i;
    size_t have = n - i < len ? n - i : len;
    for (size_t k = 1; k < have; k++) {
      uint8_t b = p[i + k];
      if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return i;
    }
    if (have < len) {
      *incomplete = true;
      return i;
    }
    i += len;
  }
  return i;
}

/* File mode: keeps the unconsumed tail and reads more after it. */
static np_err raw_more(np_csv_t *r) {
  if (!r->f) {
    r->eof = true;
    return NP_OK;
  }
  size_t keep = r->rawlen - r->rawpos;
  if (keep && r->rawpos) memmove(r->rawbuf, r->rawbuf + r->rawpos, keep);
  r->rawpos = 0;
  r->rawlen = keep;
  size_t got = fread(r->rawbuf + keep, 1, RAW_CAP - keep, r->f);
  r->rawlen += got;
  if (got == 0) {
    if (ferror(r->f)) return NP_ERR_IO;
    r->eof = true;
  } else if (feof(r->f)) {
    r->eof = true;
  }
  return NP_OK;
}

/* Sets the next window of UTF-8 text; *at_eof when the input is exhausted. */
static np_err fill(np_csv_t *r, bool *at_eof) {
  *at_eof = false;
  for (;;) {
    size_t avail = r->rawlen - r->rawpos;
    if (!r->use_iconv) {
      bool inc = false;
      size_t v = utf8_prefix(r->raw + r->rawpos, avail, &inc);
      if (v > 0) {
        r->win = r->raw + r->rawpos;
        r->winlen = v;
        r->winpos = 0;
        r->rawpos += v;
        return NP_OK;
      }
      if (avail == 0 && r->eof) {
        *at_eof = true;
        return NP_OK;
      }
      if (avail > 0 && !(inc && !r->eof)) return NP_ERR_ENCODING;
    } else {
      if (avail == 0 && r->eof) {
        *at_eof = true;
        return NP_OK;
      }
      if (avail > 0) {
        char *in = (char *)(uintptr_t)(r->raw + r->rawpos);
        size_t inleft = avail;
        char *o = (char *)r->ubuf;
        size_t oleft = UBUF_CAP;
        size_t rc = iconv(r->cd, &in, &inleft, &o, &oleft);
        int en = errno;
        r->rawpos += avail - inleft;
        size_t produced = UBUF_CAP - oleft;
        if (produced > 0) {
          r->win = r->ubuf;
          r->winlen = produced;
          r->winpos = 0;
          return NP_OK; /* a pending error shows up again on the next call */
        }
        if (rc == (size_t)-1) {
          if (en == EINVAL && !r->eof) {
            /* a multibyte sequence split at the chunk end: read more below */
          } else if (en == E2BIG) {
            return NP_ERR_INTERNAL;
          } else {
            return NP_ERR_ENCODING;
          }
        } else {
          continue;
        }
      }
    }
    np_err e = raw_more(r);
    if (e) return e;
  }
}

static np_err fail_at(np_csv_t *r, np_errdetail_t *err, np_err e, const char *code, const char *msg) {
  size_t row = r->in_record ? r->rec_line : r->line;
  size_t col = r->in_record ? r->ncells + 1 : 1;
  char field[64];
  snprintf(field, sizeof field, "row %zu, column %zu", row, col);
  r->sticky = np_fail(&r->sticky_err, e, code, field, "row %zu, column %zu: %s", row, col, msg);
  if (err) *err = r->sticky_err;
  return r->sticky;
}

static np_err buf_reserve(np_csv_t *r, size_t extra, np_errdetail_t *err) {
  if (r->bufcap - r->buflen >= extra) return NP_OK;
  size_t need = r->buflen + extra;
  if (need < r->buflen) return fail_at(r, err, NP_ERR_NOMEM, "out_of_memory", "row too large");
  size_t cap = r->bufcap ? r->bufcap : 256;
  while (cap < need) {
    if (cap > SIZE_MAX / 2) return fail_at(r, err, NP_ERR_NOMEM, "out_of_memory", "row too large");
    cap *= 2;
  }
  char *nb = realloc(r->buf, cap);
  if (!nb) return fail_at(r, err, NP_ERR_NOMEM, "out_of_memory", "out of memory");
  r->buf = nb;
  r->bufcap = cap;
  return NP_OK;
}

static np_err append(np_csv_t *r, uint8_t c, np_errdetail_t *err) {
  if (r->buflen - r->cell_start >= r->max_cell_bytes) {
    char msg[96];
    snprintf(msg, sizeof msg, "cell longer than %zu bytes", r->max_cell_bytes);
    return fail_at(r, err, NP_ERR_TOO_LARGE, "cell_too_large", msg);
  }
  np_err e = buf_reserve(r, 2, err);
  if (e) return e;
  r->buf[r->buflen++] = (char)c;
  return NP_OK;
}

static np_err end_cell(np_csv_t *r, np_errdetail_t *err) {
  if (r->ncells >= r->max_cells) {
    char msg[96];
    snprintf(msg, sizeof msg, "more than %zu cells in a row", r->max_cells);
    return fail_at(r, err, NP_ERR_TOO_LARGE, "too_many_cells", msg);
  }
  if (r->ncells == r->cellscap) {
    size_t cap = r->cellscap ? r->cellscap * 2 : 16;
    if (cap > r->max_cells) cap = r->max_cells;
    size_t *no = realloc(r->offs, cap * sizeof *no);
    if (!no) return fail_at(r, err, NP_ERR_NOMEM, "out_of_memory", "out of memory");
    r->offs = no;
    size_t *nl = realloc(r->lens, cap * sizeof *nl);
    if (!nl) return fail_at(r, err, NP_ERR_NOMEM, "out_of_memory", "out of memory");
    r->lens = nl;
    const char **nc = realloc(r->cells, cap * sizeof *nc);
    if (!nc) return fail_at(r, err, NP_ERR_NOMEM, "out_of_memory", "out of memory");
    r->cells = nc;
    r->cellscap = cap;
  }
  np_err e = buf_reserve(r, 1, err);
  if (e) return e;
  r->offs[r->ncells] = r->cell_start;
  r->lens[r->ncells] = r->buflen - r->cell_start;
  r->buf[r->buflen++] = '\0';
  r->ncells++;
  r->cell_start = r->buflen;
  return NP_OK;
}

static np_err emit(np_csv_t *r, np_row_t *row, bool *has_row, np_errdetail_t *err) {
  r->rows++;
  if (r->max_rows && r->rows > r->max_rows) {
    char msg[96];
    snprintf(msg, sizeof msg, "more than %zu rows", r->max_rows);
    return fail_at(r, err, NP_ERR_TOO_LARGE, "too_many_rows", msg);
  }
  for (size_t i = 0; i < r->ncells; i++) r->cells[i] = r->buf + r->offs[i];
  row->ncells = r->ncells;
  row->cells = r->cells;
  row->lens = r->lens;
  row->line = r->rec_line;
  *has_row = true;
  return NP_OK;
}

np_err np_csv_next(np_csv_t *r, np_row_t *row, bool *has_row, np_errdetail_t *err) {
  *has_row = false;
  if (r->sticky) {
    if (err) *err = r->sticky_err;
    return r->sticky;
  }
  if (r->done) return NP_OK;
  r->ncells = 0;
  r->buflen = 0;
  r->cell_start = 0;
  r->in_record = false;
  r->state = ST_FIELD_START;
  for (;;) {
    if (r->winpos == r->winlen) {
      bool at_eof = false;
      np_err e = fill(r, &at_eof);
      if (e == NP_ERR_ENCODING)
        return fail_at(r, err, e, "invalid_encoding", r->use_iconv ? "bytes are not valid in the file's charset"
                                                                     : "bytes are not valid UTF-8");
      if (e == NP_ERR_IO) return fail_at(r, err, e, "read", "read error");
      if (e) return fail_at(r, err, e, "internal", "decoder error");
      if (at_eof) {
        r->done = true;
        if (!r->in_record) return NP_OK;
        if (r->state == ST_QUOTED) {
          return fail_at(r, err, NP_ERR_INVALID, "unterminated_quote",
                         "quoted field not closed before the end of the file");
        }
        e = end_cell(r, err);
        if (e) return e;
        return emit(r, row, has_row, err);
      }
      if (!r->bom_checked) {
        r->bom_checked = true;
        if (r->winlen >= 3 && r->win[0] == 0xEF && r->win[1] == 0xBB && r->win[2] == 0xBF) r->winpos = 3;
      }
      continue;
    }
    uint8_t c = r->win[r->winpos++];
    size_t cur_line = r->line;
    if (c == '\r' || (c == '\n' && !r->prev_cr)) r->line++;
    r->prev_cr = c == '\r';
    if (c == 0) return fail_at(r, err, NP_ERR_ENCODING, "invalid_encoding", "NUL byte in text");
    bool nl = c == '\r' || c == '\n';
    if (!r->in_record) {
      if (nl) continue; /* blank line, or the LF of a CRLF */
      r->in_record = true;
      r->rec_line = cur_line;
    }
    np_err e = NP_OK;
    switch (r->state) {
    case ST_FIELD_START:
      if (c == '"') {
        r->state = ST_QUOTED;
      } else if (c == ',') {
        e = end_cell(r, err);
      } else if (nl) {
        if (!(e = end_cell(r, err))) return emit(r, row, has_row, err);
      } else {
        e = append(r, c, err);
        r->state = ST_UNQUOTED;
      }
      break;
    case ST_UNQUOTED:
      if (c == ',') {
        e = end_cell(r, err);
        r->state = ST_FIELD_START;
      } else if (nl) {
        if (!(e = end_cell(r, err))) return emit(r, row, has_row, err);
      } else {
        e = append(r, c, err);
      }
      break;
    case ST_QUOTED:
      if (c == '"') r->state = ST_QUOTE_SEEN;
      else e = append(r, c, err);
      break;
    default: /* ST_QUOTE_SEEN */
      if (c == '"') {
        e = append(r, c, err);
        r->state = ST_QUOTED;
      } else if (c == ',') {
        e = end_cell(r, err);
        r->state = ST_FIELD_START;
      } else if (nl) {
        if (!(e = end_cell(r, err))) return emit(r, row, has_row, err);
      } else {
        e = append(r, c, err);
        r->state = ST_UNQUOTED;
      }
      break;
    }
    if (e) return e;
  }
}

/* Maps a declared charset to (iconv name or NULL for UTF-8, display name); false if unsupported. */
static bool charset_lookup(const char *cs, const char **iconv_name, const char **display) {
  if (!strcasecmp(cs, "UTF-8") || !strcasecmp(cs, "UTF8")) {
    *iconv_name = NULL;
    *display = "UTF-8";
  } else if (!strcasecmp(cs, "GB18030")) {
    *iconv_name = "GB18030";
    *display = "GB18030";
  } else if (!strcasecmp(cs, "GBK") || !strcasecmp(cs, "CP936") || !strcasecmp(cs, "GB2312")) {
    *iconv_name = "GBK";
    *display = "GBK";
  } else {
    return false;
  }
  return true;
}

/* Whole-input UTF-8 check for detection: the raw buffer, then (seekable files) the rest. */
static bool detect_utf8(np_csv_t *r) {
  bool inc = false;
  size_t avail = r->rawlen - r->rawpos;
  size_t v = utf8_prefix(r->raw + r->rawpos, avail, &inc);
  if (v == avail) {
    if (r->eof || !r->f) return true;
  } else if (!inc || r->eof) {
    return false;
  }
  if (!r->f) return false;
  long pos = ftell(r->f);
  if (pos < 0) return true; /* not seekable: decide on the first chunk */
  uint8_t *tmp = malloc(RAW_CAP + 4);
  if (!tmp) return true;
  size_t carry = avail - v;
  memcpy(tmp, r->raw + r->rawpos + v, carry);
  bool ok = true;
  for (;;) {
    size_t got = fread(tmp + carry, 1, RAW_CAP, r->f);
    size_t n = carry + got;
    size_t pv = utf8_prefix(tmp, n, &inc);
    if (got == 0) {
      ok = pv == n;
      break;
    }
    if (pv != n && !inc) {
      ok = false;
      break;
    }
    carry = n - pv;
    memmove(tmp, tmp + pv, carry);
  }
  free(tmp);
  clearerr(r->f);
  if (fseek(r->f, pos, SEEK_SET) != 0) return false;
  return ok;
}

static np_err setup(np_csv_t *r, const np_rows_opts_t *opts, np_errdetail_t *err) {
  r->max_cells = opts && opts->max_cells ? opts->max_cells : DEFAULT_MAX_CELLS;
  r->max_cell_bytes = opts && opts->max_cell_bytes ? opts->max_cell_bytes : DEFAULT_MAX_CELL_BYTES;
  r->max_rows = opts ? opts->max_rows : 0;
  r->line = 1;
  r->cd = (iconv_t)-1;
  const char *iconv_name = NULL;
  if (opts && opts->charset && opts->charset[0]) {
    if (!charset_lookup(opts->charset, &iconv_name, &r->csname))
      return np_fail(err, NP_ERR_UNSUPPORTED, "charset", "charset",
                     "charset must be UTF-8, GB18030 or GBK");
  } else if (detect_utf8(r)) {
    r->csname = "UTF-8";
  } else {
    iconv_name = "GB18030";
    r->csname = "GB18030";
  }
  if (iconv_name) {
    r->cd = iconv_open("UTF-8", iconv_name);
    if (r->cd == (iconv_t)-1)
      return np_fail(err, NP_ERR_UNSUPPORTED, "charset", "charset", "iconv cannot convert from %s", iconv_name);
    r->ubuf = malloc(UBUF_CAP);
    if (!r->ubuf) return np_fail(err, NP_ERR_NOMEM, NULL, NULL, "out of memory");
    r->use_iconv = true;
  }
  return NP_OK;
}

np_err np_csv_open(FILE *f, const np_rows_opts_t *opts, np_csv_t **out, np_errdetail_t *err) {
  *out = NULL;
  np_csv_t *r = calloc(1, sizeof *r);
  if (!r) return np_fail(err, NP_ERR_NOMEM, NULL, NULL, "out of memory");
  r->cd = (iconv_t)-1;
  np_err e = NP_OK;
  r->f = f;
  r->rawbuf = malloc(RAW_CAP);
  if (!r->rawbuf) {
    e = np_fail(err, NP_ERR_NOMEM, NULL, NULL, "out of memory");
    goto out;
  }
  r->raw = r->rawbuf;
  if ((e = raw_more(r))) {
    e = np_fail(err, e, "read", NULL, "cannot read the file");
    goto out;
  }
  e = setup(r, opts, err);
out:
  if (e) np_csv_close(r);
  else *out = r;
  return e;
}

np_err np_csv_open_mem(const void *data, size_t len, const np_rows_opts_t *opts, np_csv_t **out,
                       np_errdetail_t *err) {
  *out = NULL;
  np_csv_t *r = calloc(1, sizeof *r);
  if (!r) return np_fail(err, NP_ERR_NOMEM, NULL, NULL, "out of memory");
  r->cd = (iconv_t)-1;
  r->raw = data ? data : (const void *)"";
  r->rawlen = data ? len : 0;
  r->eof = true;
  np_err e = setup(r, opts, err);
  if (e) np_csv_close(r);
  else *out = r;
  return e;
}

const char *np_csv_charset(const np_csv_t *r) { return r->csname; }

void np_csv_close(np_csv_t *r) {
  if (!r) return;
  if (r->cd != (iconv_t)-1) iconv_close(r->cd);
  free(r->ubuf);
  free(r->rawbuf);
  free(r->buf);
  free(r->offs);
  free(r->lens);
  free(r->cells);
  free(r);
}
