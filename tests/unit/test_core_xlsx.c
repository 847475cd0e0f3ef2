#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>
#include "core/rows.h"
#include "core/xlsx.h"
#include "core/xlsxw.h"

static const char *tmp_path(const char *name) {
  static char path[4][512];
  static int slot;
  char *p = path[slot++ % 4];
  snprintf(p, 512, "%s/%s", tu_tmpdir(), name);
  return p;
}

/* Builds a zip from name/content pairs (NULL-terminated). */
static void make_zip(const char *path, const char *const *entries) {
  remove(path);
  int ze;
  zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &ze);
  assert_non_null(z);
  for (size_t i = 0; entries[i]; i += 2) {
    zip_source_t *s = zip_source_buffer(z, entries[i + 1], strlen(entries[i + 1]), 0);
    assert_non_null(s);
    assert_true(zip_file_add(z, entries[i], s, ZIP_FL_ENC_UTF_8) >= 0);
  }
  assert_int_equal(zip_close(z), 0);
}

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc((size_t)n + 1);
  assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
  fclose(f);
  *len = (size_t)n;
  return buf;
}

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

static np_err dump_file(const char *path, const np_rows_opts_t *o, char *out, size_t cap, np_errdetail_t *err) {
  np_rows_t *r = NULL;
  np_err e = np_rows_open_file(path, o, &r, err);
  if (e) return e;
  assert_string_equal(np_rows_source_charset(r), "xlsx");
  e = dump_rows(r, out, cap, err);
  np_rows_close(r);
  return e;
}

#define CT "[Content_Types].xml", "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>"
#define WB(sheetrid)                                                                                              \
  "xl/workbook.xml",                                                                                              \
      "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "                            \
      "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><workbookPr/>"            \
      "<sheets><sheet name=\"数据\" sheetId=\"1\" r:id=\"" sheetrid "\"/><sheet name=\"b\" sheetId=\"2\" "        \
      "r:id=\"rId9\"/></sheets></workbook>"
#define SHEET_HEAD "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
#define SHEET_TAIL "</sheetData></worksheet>"

static void test_handmade(void **state) {
  const char *path = tmp_path("hand.xlsx");
  const char *entries[] = {
    CT, WB("rId2"),
    "xl/_rels/workbook.xml.rels",
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId9\" Type=\"x/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
    "<Relationship Id=\"rId2\" Type=\"x/worksheet\" Target=\"/xl/worksheets/data.xml\"/></Relationships>",
    "xl/styles.xml",
    "<styleSheet><numFmts count=\"2\"><numFmt numFmtId=\"164\" formatCode=\"yyyy/m/d\"/>"
    "<numFmt numFmtId=\"165\" formatCode=\"&quot;d&quot;0.00\"/></numFmts>"
    "<cellStyleXfs count=\"1\"><xf numFmtId=\"14\"/></cellStyleXfs>"
    "<cellXfs count=\"6\"><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/><xf numFmtId=\"164\"/><xf numFmtId=\"165\"/>"
    "<xf numFmtId=\"49\"/><xf numFmtId=\"31\"/><xf numFmtId=\"21\"/></cellXfs></styleSheet>",
    "xl/sharedStrings.xml",
    "<sst count=\"3\" uniqueCount=\"3\"><si><t>姓名</t></si>"
    "<si><r><rPr><b/></rPr><t>济南市</t></r><r><t xml:space=\"preserve\">历下区 </t></r>"
    "<rPh sb=\"0\" eb=\"1\"><t>jinan</t></rPh></si><si><t>370102199003070024</t></si></sst>",
    "xl/worksheets/sheet1.xml", SHEET_HEAD "<row r=\"1\"><c r=\"A1\"><v>999</v></c></row>" SHEET_TAIL,
    "xl/worksheets/data.xml",
    SHEET_HEAD
    "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"C1\" t=\"s\"><v>1</v></c></row>"
    "<row r=\"2\" spans=\"1:9\"><c r=\"A2\" t=\"s\" s=\"4\"><v>2</v></c><c r=\"B2\"><v>12345</v></c>"
    "<c r=\"C2\"><v>0.1</v></c><c r=\"D2\"><v>1.2345E+4</v></c><c r=\"E2\"><v>0.30000000000000004</v></c>"
    "<c r=\"F2\"><v>-3.5</v></c><c r=\"G2\"><v>3.7010219900307002E+17</v></c></row>"
    "<row r=\"4\"><c r=\"A4\" s=\"1\"><v>45366</v></c><c r=\"B4\" s=\"2\"><v>32939</v></c>"
    "<c r=\"C4\" s=\"3\"><v>45366</v></c><c r=\"D4\" s=\"5\"><v>45366.5</v></c><c r=\"E4\" s=\"6\"><v>0.75</v></c>"
    "<c r=\"F4\" s=\"99\"><v>7</v></c></row>"
    "<row r=\"5\"><c r=\"A5\" s=\"1\"/><c r=\"B5\" t=\"s\"/></row>"
    "<row><c t=\"inlineStr\"><is><t>内联</t></is></c><c t=\"str\"><f>A1</f><v>公式</v></c>"
    "<c t=\"b\"><v>1</v></c><c t=\"b\"><v>0</v></c><c t=\"e\"><v>#N/A</v></c><c><v>abc</v></c>"
    "<c r=\"H6\" s=\"1\"/></row>"
    "<row r=\"8\"><c r=\"B8\"><v>1</v></c></row>"
    SHEET_TAIL,
    NULL,
  };
  make_zip(path, entries);
  char out[4096];
  np_errdetail_t err;
  np_err e = dump_file(path, NULL, out, sizeof out, &err);
  if (e) fail_msg("%s %s %s", err.code, err.field, err.message);
  assert_string_equal(out, "1:姓名||济南市历下区 \n"
                           "2:370102199003070024|12345|0.1|12345|0.3|-3.5|3.7010219900307e+17\n"
                           "4:2024-03-15|1990-03-07|45366|2024-03-15 12:00:00|18:00:00|7\n"
                           "6:内联|公式|TRUE|FALSE|#N/A|abc\n"
                           "8:|1\n");
  /* the same bytes from memory, format AUTO */
  size_t len;
  char *buf = slurp(path, &len);
  np_rows_t *r;
  assert_int_equal(np_rows_open_mem(buf, len, NULL, &r, &err), NP_OK);
  char out2[4096];
  assert_int_equal(dump_rows(r, out2, sizeof out2, &err), NP_OK);
  assert_string_equal(out, out2);
  np_rows_close(r);
  free(buf);
}

static void test_fallback_sheet1(void **state) {
  const char *path = tmp_path("fallback.xlsx");
  const char *entries[] = {CT, "xl/worksheets/sheet1.xml",
                           SHEET_HEAD "<row r=\"3\"><c r=\"B3\" t=\"inlineStr\"><is><t>x</t></is></c></row>" SHEET_TAIL,
                           NULL};
  make_zip(path, entries);
  char out[256];
  np_errdetail_t err;
  assert_int_equal(dump_file(path, NULL, out, sizeof out, &err), NP_OK);
  assert_string_equal(out, "3:|x\n");
}

static void expect_error(const char *name, const char *const *entries, const np_rows_opts_t *o, np_err code,
                         const char *ecode, const char *field) {
  const char *path = tmp_path(name);
  make_zip(path, entries);
  char out[4096];
  np_errdetail_t err;
  np_errdetail_clear(&err);
  np_err e = dump_file(path, o, out, sizeof out, &err);
  if (e != code || strcmp(err.code, ecode) || strcmp(err.field, field))
    fail_msg("%s: got %d %s '%s' (%s)", name, e, err.code, err.field, err.message);
}

static void test_errors(void **state) {
  const char *nosheet[] = {CT, NULL};
  expect_error("nosheet.xlsx", nosheet, NULL, NP_ERR_INVALID, "no_sheet", "");
  const char *badsst[] = {CT, "xl/worksheets/sheet1.xml",
                          SHEET_HEAD "<row r=\"1\"><c r=\"A1\"><v>1</v></c></row><row r=\"2\"><c r=\"C2\" t=\"s\"><v>5</v></c></row>" SHEET_TAIL,
                          NULL};
  expect_error("badsst.xlsx", badsst, NULL, NP_ERR_INVALID, "bad_shared_string", "row 2, column 3");
  const char *badxml[] = {CT, "xl/worksheets/sheet1.xml", SHEET_HEAD "<row r=\"1\"><c r=\"A1\"><v>1</v></row>", NULL};
  expect_error("badxml.xlsx", badxml, NULL, NP_ERR_INVALID, "bad_xml", "row 1");
  const char *doctype[] = {CT, "xl/worksheets/sheet1.xml",
                           "<!DOCTYPE x [<!ENTITY a \"aaaa\">]><worksheet><sheetData/></worksheet>", NULL};
  expect_error("doctype.xlsx", doctype, NULL, NP_ERR_INVALID, "bad_xml", "");
  const char *doctype_sst[] = {CT, "xl/sharedStrings.xml", "<!DOCTYPE x><sst/>", "xl/worksheets/sheet1.xml",
                               SHEET_HEAD SHEET_TAIL, NULL};
  expect_error("doctype_sst.xlsx", doctype_sst, NULL, NP_ERR_INVALID, "bad_xml", "");
  const char *badref[] = {CT, "xl/worksheets/sheet1.xml",
                          SHEET_HEAD "<row r=\"1\"><c r=\"B1\"><v>1</v></c><c r=\"A1\"><v>1</v></c></row>" SHEET_TAIL,
                          NULL};
  expect_error("badref.xlsx", badref, NULL, NP_ERR_INVALID, "bad_cell_ref", "row 1, column 1");
  const char *wide[] = {CT, "xl/worksheets/sheet1.xml",
                        SHEET_HEAD "<row r=\"1\"><c r=\"A1\"><v>1</v></c></row><row r=\"2\"><c r=\"E2\"><v>1</v></c></row>" SHEET_TAIL,
                        NULL};
  np_rows_opts_t o = {.max_cells = 4, .max_cell_bytes = 5, .max_rows = 1};
  expect_error("wide.xlsx", wide, &o, NP_ERR_TOO_LARGE, "too_many_cells", "row 2, column 5");
  const char *big[] = {CT, "xl/worksheets/sheet1.xml",
                       SHEET_HEAD "<row r=\"1\"><c r=\"B1\" t=\"inlineStr\"><is><t>123456</t></is></c></row>" SHEET_TAIL,
                       NULL};
  expect_error("bigcell.xlsx", big, &o, NP_ERR_TOO_LARGE, "cell_too_large", "row 1, column 2");
  const char *rows[] = {CT, "xl/worksheets/sheet1.xml",
                        SHEET_HEAD "<row r=\"1\"><c r=\"A1\"><v>1</v></c></row><row r=\"7\"><c r=\"A7\"><v>1</v></c></row>" SHEET_TAIL,
                        NULL};
  expect_error("rows.xlsx", rows, &o, NP_ERR_TOO_LARGE, "too_many_rows", "row 7");
  /* 17 MiB of styles.xml (compresses to almost nothing): refused by size */
  size_t n = (size_t)17 << 20;
  char *bomb = malloc(n + 1);
  memset(bomb, ' ', n);
  memcpy(bomb, "<a>", 3);
  bomb[n] = '\0';
  const char *zipbomb[] = {CT, "xl/styles.xml", bomb, "xl/worksheets/sheet1.xml", SHEET_HEAD SHEET_TAIL, NULL};
  expect_error("bomb.xlsx", zipbomb, NULL, NP_ERR_TOO_LARGE, "entry_too_large", "");
  free(bomb);
  /* not a zip at all, or a truncated one */
  np_rows_t *r = NULL;
  np_errdetail_t err;
  const char junk[] = "PK\x03\x04this is not a zip";
  assert_int_equal(np_rows_open_mem(junk, sizeof junk - 1, NULL, &r, &err), NP_ERR_INVALID);
  assert_string_equal(err.code, "not_xlsx");
  assert_null(r);
  np_rows_opts_t fx = {.format = NP_ROWS_XLSX};
  assert_int_equal(np_rows_open_mem("", 0, &fx, &r, &err), NP_ERR_INVALID);
  assert_int_equal(np_rows_open_file(tmp_path("missing.xlsx"), &fx, &r, &err), NP_ERR_IO);
}

static void test_roundtrip(void **state) {
  const char *path = tmp_path("rt.xlsx");
  np_xlsxw_t *w;
  np_errdetail_t err;
  assert_int_equal(np_xlsxw_open(path, "人员", &w, &err), NP_OK);
  static const char *const sexes[] = {"男", "女"};
  char *longlist[100];
  for (int i = 0; i < 100; i++) {
    longlist[i] = malloc(32);
    snprintf(longlist[i], 32, "职业%03d", i);
  }
  np_xlsxw_col_t cols[] = {
    {.header = "身份证号", .type = NP_XLSXW_TEXT},
    {.header = "姓名", .type = NP_XLSXW_TEXT},
    {.header = "性别", .type = NP_XLSXW_TEXT, .list = sexes, .nlist = 2},
    {.header = "人数", .type = NP_XLSXW_NUMBER},
    {.header = "工资", .type = NP_XLSXW_MONEY},
    {.header = "入职日期", .type = NP_XLSXW_DATE},
    {.header = "职业", .type = NP_XLSXW_TEXT, .list = (const char *const *)longlist, .nlist = 100},
    {.header = "手机", .type = NP_XLSXW_TEXT},
  };
  assert_int_equal(np_xlsxw_columns(w, cols, 8, &err), NP_OK);
  const char *r1[] = {"370102199003070024", "张三", "男", "12", "123456", "2024-03-15", "职业042", "13812341234"};
  assert_int_equal(np_xlsxw_row(w, r1, 8, &err), NP_OK);
  const char *r2[] = {"11010519491231002X", "李四", "", "0.1", "-5", "not a date", NULL, "00123"};
  assert_int_equal(np_xlsxw_row(w, r2, 8, &err), NP_OK);
  assert_int_equal(np_xlsxw_text(w, 0, "000123", &err), NP_OK);
  assert_int_equal(np_xlsxw_number(w, 3, 1.0 / 3.0, &err), NP_OK);
  assert_int_equal(np_xlsxw_money(w, 4, 100, &err), NP_OK);
  assert_int_equal(np_xlsxw_date(w, 5, 2000, 2, 29, &err), NP_OK);
  assert_int_equal(np_xlsxw_end_row(w, &err), NP_OK);
  for (int i = 0; i < 5000; i++) {
    char idbuf[32];
    snprintf(idbuf, sizeof idbuf, "3701021990030%05d", i);
    const char *rr[] = {idbuf, "王五", "女", "1", "1", "2020-01-01", "职业001", "13900000000"};
    assert_int_equal(np_xlsxw_row(w, rr, 8, &err), NP_OK);
  }
  assert_int_equal(np_xlsxw_close(w, &err), NP_OK);
  for (int i = 0; i < 100; i++) free(longlist[i]);

  np_rows_t *r;
  assert_int_equal(np_rows_open_file(path, NULL, &r, &err), NP_OK);
  np_row_t row;
  bool has;
  assert_int_equal(np_rows_next(r, &row, &has, &err), NP_OK);
  assert_true(has);
  assert_int_equal(row.line, 1);
  assert_int_equal(row.ncells, 8);
  assert_string_equal(row.cells[0], "身份证号");
  assert_string_equal(row.cells[7], "手机");
  assert_int_equal(np_rows_next(r, &row, &has, &err), NP_OK);
  assert_int_equal(row.line, 2);
  assert_string_equal(row.cells[0], "370102199003070024");
  assert_string_equal(row.cells[1], "张三");
  assert_string_equal(row.cells[2], "男");
  assert_string_equal(row.cells[3], "12");
  assert_string_equal(row.cells[4], "1234.56");
  assert_string_equal(row.cells[5], "2024-03-15");
  assert_string_equal(row.cells[6], "职业042");
  assert_string_equal(row.cells[7], "13812341234");
  assert_int_equal(np_rows_next(r, &row, &has, &err), NP_OK);
  assert_string_equal(row.cells[0], "11010519491231002X");
  assert_string_equal(row.cells[2], "");
  assert_string_equal(row.cells[3], "0.1");
  assert_string_equal(row.cells[4], "-0.05");
  assert_string_equal(row.cells[5], "not a date");
  assert_string_equal(row.cells[6], "");
  assert_string_equal(row.cells[7], "00123");
  assert_int_equal(np_rows_next(r, &row, &has, &err), NP_OK);
  assert_string_equal(row.cells[0], "000123");
  assert_string_equal(row.cells[3], "0.333333333333333");
  assert_string_equal(row.cells[4], "1");
  assert_string_equal(row.cells[5], "2000-02-29");
  assert_int_equal(row.ncells, 6);
  size_t n = 0;
  while (np_rows_next(r, &row, &has, &err) == NP_OK && has) {
    char idbuf[32];
    snprintf(idbuf, sizeof idbuf, "3701021990030%05zu", n);
    assert_string_equal(row.cells[0], idbuf);
    assert_int_equal(row.line, 5 + n);
    n++;
  }
  assert_int_equal(n, 5000);
  np_rows_close(r);

  /* the hidden list sheet is not the one read */
  size_t len;
  char *buf = slurp(path, &len);
  np_xlsx_t *x;
  assert_int_equal(np_xlsx_open_mem(buf, len, NULL, &x, &err), NP_OK);
  assert_int_equal(np_xlsx_next(x, &row, &has, &err), NP_OK);
  assert_string_equal(row.cells[0], "身份证号");
  np_xlsx_close(x);
  free(buf);
}

static void test_writer_errors(void **state) {
  np_xlsxw_t *w;
  np_errdetail_t err;
  assert_int_equal(np_xlsxw_open(tmp_path("w.xlsx"), "bad[name]", &w, &err), NP_ERR_INVALID);
  assert_int_equal(np_xlsxw_open(tmp_path("w.xlsx"), NULL, &w, &err), NP_OK);
  assert_int_equal(np_xlsxw_date(w, 0, 2024, 13, 1, &err), NP_ERR_INVALID);
  assert_int_equal(np_xlsxw_close(w, &err), NP_OK);
  assert_int_equal(np_xlsxw_close(NULL, &err), NP_OK);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_handmade), cmocka_unit_test(test_fallback_sheet1), cmocka_unit_test(test_errors),
    cmocka_unit_test(test_roundtrip), cmocka_unit_test(test_writer_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
