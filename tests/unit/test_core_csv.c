#include "testutil.h"
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/csv.h"
#include "core/rows.h"

/* Reads every row of mem into a '|'-joined, '\n'-separated dump ("line:cell|cell\n"). */
static np_err dump_rows(np_rows_t *r, char *out, size_t cap, np_errdetail_t *err) {
  size_t o = 0;
  out[0] = '\0';
  for (;;) {
    np_row_t row;
    bool has = false;
    np_err e = np_rows_next(r, &row, &has, err);
    if (e) return e;
    if (!has) return NP_OK;
    o += (size_t)snprintf(out + o, cap - o, "%zu:", row.line);
    for (size_t i = 0; i < row.ncells; i++) {
      assert_int_equal(strlen(row.cells[i]), row.lens[i]);
      o += (size_t)snprintf(out + o, cap - o, "%s%s", i ? "|" : "", row.cells[i]);
    }
    o += (size_t)snprintf(out + o, cap - o, "\n");
    assert_true(o < cap);
  }
}

static np_err dump_mem(const char *data, size_t len, const np_rows_opts_t *opts, char *out, size_t cap,
                       np_errdetail_t *err) {
  np_rows_t *r = NULL;
  np_err e = np_rows_open_mem(data, len, opts, &r, err);
  if (e) return e;
  e = dump_rows(r, out, cap, err);
  np_rows_close(r);
  return e;
}

static void expect_dump(const char *data, const char *want) {
  char out[4096];
  np_errdetail_t err;
  np_err e = dump_mem(data, strlen(data), NULL, out, sizeof out, &err);
  if (e) fail_msg("error %s at %s: %s", err.code, err.field, err.message);
  assert_string_equal(out, want);
}

static void expect_error(const char *data, size_t len, const np_rows_opts_t *opts, np_err code, const char *ecode,
                         const char *field) {
  char out[4096];
  np_errdetail_t err;
  np_errdetail_clear(&err);
  np_err e = dump_mem(data, len, opts, out, sizeof out, &err);
  if (e != code) fail_msg("input %zu bytes: got %d (%s %s), output %s", len, e, err.code, err.field, out);
  assert_string_equal(err.code, ecode);
  assert_string_equal(err.field, field);
}

static void test_basic(void **state) {
  expect_dump("a,b,c\n1,2,3\n", "1:a|b|c\n2:1|2|3\n");
  expect_dump("a,b,c\n1,2,3", "1:a|b|c\n2:1|2|3\n");     /* no trailing newline */
  expect_dump("a,b\r\n1,2\r\n", "1:a|b\n2:1|2\n");       /* CRLF */
  expect_dump("a,b\r1,2\r", "1:a|b\n2:1|2\n");           /* bare CR */
  expect_dump("a,,\n,,\n", "1:a||\n2:||\n");             /* empty cells */
  expect_dump("", "");
  expect_dump("\xef\xbb\xbf", "");                       /* only a BOM */
  expect_dump("\n\n\r\n", "");
  expect_dump("x\n\n\ny\r\n\r\nz", "1:x\n4:y\n6:z\n");   /* blank lines skipped, lines counted */
}

static void test_quotes(void **state) {
  expect_dump("\"a,b\",\"say \"\"hi\"\"\",\"\"\n", "1:a,b|say \"hi\"|\n");
  expect_dump("\"multi\nline\",x\nnext,y\n", "1:multi\nline|x\n3:next|y\n");
  expect_dump("\"crlf\r\ninside\",x\r\nnext,y\r\n", "1:crlf\r\ninside|x\n3:next|y\n");
  expect_dump("5'10\",ab\"c\n", "1:5'10\"|ab\"c\n");        /* quotes inside unquoted fields */
  expect_dump("\"ab\"cd,e\n", "1:abcd|e\n");                 /* text after a closing quote */
  expect_dump("\"\"\"\"\n", "1:\"\n");
  expect_dump("\"end\"", "1:end\n");
}

static void test_unterminated(void **state) {
  const char *a = "h1,h2\nx,\"abc\ndef";
  expect_error(a, strlen(a), NULL, NP_ERR_INVALID, "unterminated_quote", "row 2, column 2");
  const char *b = "\"";
  expect_error(b, strlen(b), NULL, NP_ERR_INVALID, "unterminated_quote", "row 1, column 1");
  /* the rows before the bad one are delivered first */
  np_rows_t *r;
  np_errdetail_t err;
  assert_int_equal(np_rows_open_mem(a, strlen(a), NULL, &r, &err), NP_OK);
  np_row_t row;
  bool has;
  assert_int_equal(np_rows_next(r, &row, &has, &err), NP_OK);
  assert_true(has);
  assert_string_equal(row.cells[1], "h2");
  assert_int_equal(np_rows_next(r, &row, &has, &err), NP_ERR_INVALID);
  assert_false(has);
  assert_string_equal(err.code, "unterminated_quote");
  /* sticky */
  np_errdetail_clear(&err);
  assert_int_equal(np_rows_next(r, &row, &has, &err), NP_ERR_INVALID);
  assert_string_equal(err.field, "row 2, column 2");
  np_rows_close(r);
}

static void test_limits(void **state) {
  np_rows_opts_t o = {.max_cells = 3, .max_cell_bytes = 5, .max_rows = 2};
  char out[256];
  np_errdetail_t err;
  assert_int_equal(dump_mem("a,b,c\n1,2,3\n", 12, &o, out, sizeof out, &err), NP_OK);
  expect_error("a,b,c\n1,2,3,4\n", 14, &o, NP_ERR_TOO_LARGE, "too_many_cells", "row 2, column 4");
  expect_error("a,b,c\n1,\"123456\"\n", 17, &o, NP_ERR_TOO_LARGE, "cell_too_large", "row 2, column 2");
  expect_error("a,12345,c\n1,123456\n", 19, &o, NP_ERR_TOO_LARGE, "cell_too_large", "row 2, column 2");
  expect_error("a\nb\nc\n", 6, &o, NP_ERR_TOO_LARGE, "too_many_rows", "row 3, column 2");
  /* default limit on cells: 1024 */
  size_t n = 1100 * 2;
  char *wide = malloc(n + 1);
  for (size_t i = 0; i < n; i += 2) wide[i] = 'x', wide[i + 1] = ',';
  wide[n] = '\0';
  expect_error(wide, n, NULL, NP_ERR_TOO_LARGE, "too_many_cells", "row 1, column 1025");
  free(wide);
}

static void test_encoding_errors(void **state) {
  np_rows_opts_t utf8 = {.charset = "UTF-8"};
  const char bad[] = "名字,x\n张三,\xff\xfe\n";
  expect_error(bad, sizeof bad - 1, &utf8, NP_ERR_ENCODING, "invalid_encoding", "row 2, column 2");
  const char overlong[] = "a\n\xc0\xaf\n";
  expect_error(overlong, sizeof overlong - 1, &utf8, NP_ERR_ENCODING, "invalid_encoding", "row 2, column 1");
  const char surrogate[] = "a,\xed\xa0\x80\n";
  expect_error(surrogate, sizeof surrogate - 1, &utf8, NP_ERR_ENCODING, "invalid_encoding", "row 1, column 2");
  const char trunc[] = "a,\xe6\xb5";
  expect_error(trunc, sizeof trunc - 1, &utf8, NP_ERR_ENCODING, "invalid_encoding", "row 1, column 2");
  const char nul[] = "a,b\0" "c\n";
  expect_error(nul, sizeof nul - 1, NULL, NP_ERR_ENCODING, "invalid_encoding", "row 1, column 2");
  /* not UTF-8 → read as GB18030, where 0xFF is invalid */
  const char gbbad[] = "\xd5\xc5\xc8\xfd,1\n\xd5\xc5,\xff\n";
  expect_error(gbbad, sizeof gbbad - 1, NULL, NP_ERR_ENCODING, "invalid_encoding", "row 2, column 2");
  /* truncated double-byte character at the end */
  const char gbtrunc[] = "\xd5\xc5\xc8\xfd,\xd5";
  expect_error(gbtrunc, sizeof gbtrunc - 1, NULL, NP_ERR_ENCODING, "invalid_encoding", "row 1, column 2");
  /* unknown charset */
  np_rows_opts_t latin = {.charset = "ISO-8859-1"};
  np_rows_t *r = NULL;
  np_errdetail_t err;
  assert_int_equal(np_rows_open_mem("a", 1, &latin, &r, &err), NP_ERR_UNSUPPORTED);
  assert_null(r);
}

static void test_gb18030_fixture(void **state) {
  const char *charsets[] = {NULL, "GB18030", "gb18030"};
  for (int k = 0; k < 3; k++) {
    np_rows_opts_t o = {.charset = charsets[k]};
    np_rows_t *r = NULL;
    np_errdetail_t err;
    np_err e = np_rows_open_file(tu_src_path("tests/data/csv_gb18030.csv"), &o, &r, &err);
    if (e) fail_msg("%s %s", err.code, err.message);
    assert_string_equal(np_rows_source_charset(r), "GB18030");
    char out[4096];
    assert_int_equal(dump_rows(r, out, sizeof out, &err), NP_OK);
    assert_string_equal(out, "1:姓名|身份证号|地址|备注\n"
                             "2:张三|370102199003070024|济南市历下区|含逗号,和\"引号\"\n"
                             "3:李四|370202198506151230|青岛市市南区|多行\n备注\n"
                             "5:王五|371302197512014568|临沂市兰山区|𠀀😀\n");
    np_rows_close(r);
  }
  /* GBK cannot decode the 4-byte GB18030 sequences of the last row */
  np_rows_opts_t gbk = {.charset = "GBK"};
  np_rows_t *r = NULL;
  np_errdetail_t err;
  assert_int_equal(np_rows_open_file(tu_src_path("tests/data/csv_gb18030.csv"), &gbk, &r, &err), NP_OK);
  char out[4096];
  assert_int_equal(dump_rows(r, out, sizeof out, &err), NP_ERR_ENCODING);
  assert_string_equal(err.field, "row 5, column 4");
  np_rows_close(r);
}

static void test_bom_crlf_fixture(void **state) {
  np_rows_t *r = NULL;
  np_errdetail_t err;
  assert_int_equal(np_rows_open_file(tu_src_path("tests/data/csv_bom_crlf.csv"), NULL, &r, &err), NP_OK);
  assert_string_equal(np_rows_source_charset(r), "UTF-8");
  char out[4096];
  assert_int_equal(dump_rows(r, out, sizeof out, &err), NP_OK);
  assert_string_equal(out, "1:姓名|手机号|备注\n"
                           "2:赵六|13812341234|第一行\r\n第二行\n"
                           "5:钱七|+8613912345678|说\"好\"的\n"
                           "6:孙八||末行无换行\n");
  np_rows_close(r);
  /* the same through memory */
  FILE *f = fopen(tu_src_path("tests/data/csv_bom_crlf.csv"), "rb");
  assert_non_null(f);
  char buf[1024];
  size_t n = fread(buf, 1, sizeof buf, f);
  fclose(f);
  char out2[4096];
  assert_int_equal(dump_mem(buf, n, NULL, out2, sizeof out2, &err), NP_OK);
  assert_string_equal(out, out2);
}

/* Writes `rows` copies of a UTF-8 line, converted to `charset`, to a temp file. */
static const char *write_big(const char *name, const char *charset, const char *line, size_t rows) {
  static char path[512];
  snprintf(path, sizeof path, "%s/%s", tu_tmpdir(), name);
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  iconv_t cd = charset ? iconv_open(charset, "UTF-8") : (iconv_t)-1;
  for (size_t i = 0; i < rows; i++) {
    char src[256];
    int len = snprintf(src, sizeof src, "%zu,%s", i, line);
    if (!charset) {
      fwrite(src, 1, (size_t)len, f);
      continue;
    }
    char dst[512];
    char *in = src, *o = dst;
    size_t inl = (size_t)len, ol = sizeof dst;
    assert_int_not_equal(iconv(cd, &in, &inl, &o, &ol), (size_t)-1);
    fwrite(dst, 1, sizeof dst - ol, f);
  }
  if (charset) iconv_close(cd);
  fclose(f);
  return path;
}

static void check_big(const char *path, const char *want_charset, const char *cell1, size_t rows) {
  np_rows_t *r = NULL;
  np_errdetail_t err;
  assert_int_equal(np_rows_open_file(path, NULL, &r, &err), NP_OK);
  assert_string_equal(np_rows_source_charset(r), want_charset);
  size_t n = 0;
  for (;;) {
    np_row_t row;
    bool has;
    np_err e = np_rows_next(r, &row, &has, &err);
    if (e) fail_msg("%s at %s", err.code, err.field);
    if (!has) break;
    assert_int_equal(row.ncells, 4);
    char idx[32];
    snprintf(idx, sizeof idx, "%zu", n);
    assert_string_equal(row.cells[0], idx);
    assert_string_equal(row.cells[1], cell1);
    assert_int_equal(row.line, 2 * n + 1);
    n++;
  }
  assert_int_equal(n, rows);
  np_rows_close(r);
}

static void test_chunk_boundaries(void **state) {
  /* ~2 MB of multibyte text (2-byte and 4-byte GB18030 sequences) so reads split characters */
  const char *line = "济南市历下区𠀀,\"张三\n😀\",x\r\n";
  const char *p = write_big("big_gb.csv", "GB18030", line, 20000);
  check_big(p, "GB18030", "济南市历下区𠀀", 20000);
  p = write_big("big_utf8.csv", NULL, line, 20000);
  check_big(p, "UTF-8", "济南市历下区𠀀", 20000);
  /* an invalid byte far beyond the first chunk decides the detection and is reported */
  p = write_big("late_gb.csv", NULL, "abc,def,ghi\n", 30000);
  FILE *f = fopen(p, "ab");
  fputs("30000,\xd5\xc5\xc8\xfd,x,y\n", f);
  fclose(f);
  np_rows_t *r;
  np_errdetail_t err;
  assert_int_equal(np_rows_open_file(p, NULL, &r, &err), NP_OK);
  assert_string_equal(np_rows_source_charset(r), "GB18030");
  np_row_t row;
  bool has;
  size_t n = 0;
  char last[64] = "";
  while (np_rows_next(r, &row, &has, &err) == NP_OK && has) {
    n++;
    snprintf(last, sizeof last, "%s", row.cells[1]);
  }
  assert_int_equal(n, 30001);
  assert_string_equal(last, "张三");
  np_rows_close(r);
}

static void test_direct_api(void **state) {
  FILE *f = fopen(tu_src_path("tests/data/csv_gb18030.csv"), "rb");
  assert_non_null(f);
  np_csv_t *c;
  np_errdetail_t err;
  assert_int_equal(np_csv_open(f, NULL, &c, &err), NP_OK);
  assert_string_equal(np_csv_charset(c), "GB18030");
  np_row_t row;
  bool has;
  assert_int_equal(np_csv_next(c, &row, &has, &err), NP_OK);
  assert_true(has);
  assert_string_equal(row.cells[0], "姓名");
  np_csv_close(c);
  fclose(f);
  assert_int_equal(np_rows_open_file("/nonexistent/x.csv", NULL, &(np_rows_t *){NULL}, &err), NP_ERR_IO);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_basic),          cmocka_unit_test(test_quotes),
    cmocka_unit_test(test_unterminated),   cmocka_unit_test(test_limits),
    cmocka_unit_test(test_encoding_errors), cmocka_unit_test(test_gb18030_fixture),
    cmocka_unit_test(test_bom_crlf_fixture), cmocka_unit_test(test_chunk_boundaries),
    cmocka_unit_test(test_direct_api),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
