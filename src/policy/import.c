/* CSV import of the policy facts (extracts of the social-insurance system), with row-level errors. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "core/date.h"
#include "core/money.h"
#include "core/rows.h"
#include "core/str.h"
#include "policy/run.h"

typedef enum ct { C_TEXT, C_DATE, C_MONTH, C_INT, C_MONEY, C_BOOL, C_PERSON, C_ENTERPRISE, C_CODE8 } ct_t;

typedef struct colspec {
  const char *header;
  ct_t type;
  bool required;
  int64_t lo, hi;
} colspec_t;

typedef struct kindspec {
  const char *kind;
  const char *sql;
  colspec_t cols[10];
  int ncols;
} kindspec_t;

static const kindspec_t kinds[] = {
  {"facts",
   "INSERT INTO policy_enterprise_facts (enterprise_id, month, insured, new_hires, separations, layoffs, ui_due_fen, "
   "ui_paid_fen, arrears_fen) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT (enterprise_id, month) DO UPDATE SET "
   "insured = excluded.insured, new_hires = excluded.new_hires, separations = excluded.separations, layoffs = excluded.layoffs, "
   "ui_due_fen = excluded.ui_due_fen, ui_paid_fen = excluded.ui_paid_fen, arrears_fen = excluded.arrears_fen",
   {{"uscc", C_ENTERPRISE, true, 0, 0}, {"month", C_MONTH, true, 0, 0}, {"insured", C_INT, true, 0, 10000000},
    {"new_hires", C_INT, false, 0, 10000000}, {"separations", C_INT, false, 0, 10000000}, {"layoffs", C_INT, false, 0, 10000000},
    {"ui_due_yuan", C_MONEY, false, 0, 0}, {"ui_paid_yuan", C_MONEY, false, 0, 0}, {"arrears_yuan", C_MONEY, false, 0, 0}},
   9},
  {"persons",
   "INSERT INTO policy_persons (person_key, birth_date, graduation_date, unemployed_since, hardship) VALUES (?,?,?,?,?) "
   "ON CONFLICT (person_key) DO UPDATE SET birth_date = excluded.birth_date, graduation_date = excluded.graduation_date, "
   "unemployed_since = excluded.unemployed_since, hardship = excluded.hardship",
   {{"person_key", C_TEXT, true, 1, 64}, {"birth_date", C_DATE, true, 0, 0}, {"graduation_date", C_DATE, false, 0, 0},
    {"registered_unemployed_since", C_DATE, false, 0, 0}, {"hardship", C_BOOL, false, 0, 1}},
   5},
  {"spells",
   "INSERT INTO policy_spells (person_id, enterprise_id, start_date, end_date, contract_months, insured_months, "
   "absorption_subsidy, employer_ss_monthly_fen) VALUES (?,?,?,?,?,?,?,?)",
   {{"person_key", C_PERSON, true, 0, 0}, {"uscc", C_ENTERPRISE, true, 0, 0}, {"start_date", C_DATE, true, 0, 0},
    {"end_date", C_DATE, false, 0, 0}, {"contract_months", C_INT, false, 0, 1200}, {"insured_months", C_INT, false, 0, 1200},
    {"absorption_subsidy", C_BOOL, false, 0, 1}, {"employer_ss_monthly_yuan", C_MONEY, false, 0, 0}},
   8},
  {"internships",
   "INSERT INTO policy_internships (person_id, enterprise_id, start_date, months, retained) VALUES (?,?,?,?,?)",
   {{"person_key", C_PERSON, true, 0, 0}, {"uscc", C_ENTERPRISE, true, 0, 0}, {"start_date", C_DATE, true, 0, 0},
    {"months", C_INT, true, 1, 24}, {"retained", C_BOOL, false, 0, 1}},
   5},
  {"certificates",
   "INSERT INTO policy_certificates (person_id, level, date, occupation) VALUES (?,?,?,?)",
   {{"person_key", C_PERSON, true, 0, 0}, {"level", C_INT, true, 1, 5}, {"date", C_DATE, true, 0, 0},
    {"occupation", C_CODE8, true, 0, 0}},
   4},
};

static void row_error(FILE *f, np_pimport_stats_t *st, size_t line, int col, const char *header, const char *reason) {
  (void)st;
  if (f) fprintf(f, "row %zu – column %d – %s – %s\n", line, col, header, reason);
}

np_err np_policy_import(np_store_t *s, const char *kind, const char *path, bool all_or_nothing, FILE *errors,
                        np_pimport_stats_t *st, np_errdetail_t *err) {
  const kindspec_t *K = NULL;
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
    if (strcmp(kinds[i].kind, kind) == 0) K = &kinds[i];
  if (!K) return np_fail(err, NP_ERR_INVALID, "kind", "kind", "unknown import kind '%s' (facts, persons, spells, internships, certificates)", kind);
  memset(st, 0, sizeof *st);
  np_rows_opts_t ro = {.format = NP_ROWS_CSV};
  np_rows_t *rd;
  np_err r = np_rows_open_file(path, &ro, &rd, err);
  if (r) return r;
  np_row_t row;
  bool has;
  int map[10];
  if ((r = np_rows_next(rd, &row, &has, err)) || !has) {
    np_rows_close(rd);
    return r ? r : np_fail(err, NP_ERR_INVALID, "empty", "file", "the file is empty");
  }
  for (int c = 0; c < K->ncols; c++) {
    map[c] = -1;
    for (size_t j = 0; j < row.ncells; j++) {
      np_slice_t h = np_slice_trim(np_slice_make(row.cells[j], row.lens[j]));
      if (h.n >= 3 && (unsigned char)h.p[0] == 0xEF && (unsigned char)h.p[1] == 0xBB && (unsigned char)h.p[2] == 0xBF) {
        h.p += 3;
        h.n -= 3;
      }
      if (np_slice_eq_cstr(h, K->cols[c].header)) map[c] = (int)j;
    }
    if (map[c] < 0 && K->cols[c].required) {
      np_rows_close(rd);
      return np_fail(err, NP_ERR_INVALID, "missing_column", K->cols[c].header, "the header row has no '%s' column",
                     K->cols[c].header);
    }
  }
  if ((r = np_store_begin(s, err))) {
    np_rows_close(rd);
    return r;
  }
  while (!(r = np_rows_next(rd, &row, &has, err)) && has) {
    st->rows++;
    np_stmt_t *ins = NULL;
    bool bad = false;
    int64_t iv[10];
    const char *tv[10] = {0};
    char tbuf[10][72];
    bool isnull[10] = {0};
    for (int c = 0; c < K->ncols && !bad; c++) {
      const colspec_t *cs = &K->cols[c];
      np_slice_t v = map[c] >= 0 && (size_t)map[c] < row.ncells ? np_slice_trim(np_slice_make(row.cells[map[c]], row.lens[map[c]]))
                                                               : np_slice_make("", 0);
      if (v.n == 0) {
        if (cs->required) {
          row_error(errors, st, row.line, map[c] + 1, cs->header, "required");
          bad = true;
        }
        isnull[c] = true;
        if (cs->type == C_INT || cs->type == C_MONEY || cs->type == C_BOOL) {
          isnull[c] = false;
          iv[c] = 0;
        }
        continue;
      }
      np_date_t d;
      switch (cs->type) {
      case C_TEXT:
      case C_CODE8:
        if (v.n > (cs->type == C_CODE8 ? 8 : 64) || !np_utf8_valid(v.p, v.n)) {
          row_error(errors, st, row.line, map[c] + 1, cs->header, cs->type == C_CODE8 ? "a code of at most 8 characters" : "too long");
          bad = true;
          break;
        }
        memcpy(tbuf[c], v.p, v.n);
        tbuf[c][v.n] = 0;
        tv[c] = tbuf[c];
        break;
      case C_DATE:
      case C_MONTH: {
        char b[16];
        size_t n = v.n < 11 ? v.n : 11;
        memcpy(b, v.p, n);
        b[n] = 0;
        if (cs->type == C_MONTH && n == 7) {
          memcpy(b + 7, "-01", 4);
          n = 10;
        }
        if (np_date_parse(b, n, &d)) {
          row_error(errors, st, row.line, map[c] + 1, cs->header, cs->type == C_MONTH ? "not a month (YYYY-MM)" : "not a date (YYYY-MM-DD)");
          bad = true;
          break;
        }
        if (cs->type == C_MONTH) d = np_date_month_start(d);
        np_date_format(d, tbuf[c], sizeof tbuf[c]);
        tv[c] = tbuf[c];
        break;
      }
      case C_INT:
      case C_BOOL:
        if (np_parse_int64(v.p, v.n, cs->lo, cs->hi, &iv[c])) {
          char m[64];
          snprintf(m, sizeof m, "a whole number from %" PRId64 " to %" PRId64, cs->lo, cs->hi);
          row_error(errors, st, row.line, map[c] + 1, cs->header, m);
          bad = true;
        }
        break;
      case C_MONEY:
        if (np_money_parse(v.p, v.n, &iv[c]) || iv[c] < 0) {
          row_error(errors, st, row.line, map[c] + 1, cs->header, "an amount in yuan (1234.56, not negative)");
          bad = true;
        }
        break;
      case C_PERSON:
      case C_ENTERPRISE: {
        char key[72];
        size_t n = v.n < 71 ? v.n : 71;
        memcpy(key, v.p, n);
        key[n] = 0;
        bool found = false;
        np_errdetail_t e2;
        if (np_store_queryf_int64(s, &iv[c], &found, &e2,
                                  cs->type == C_PERSON ? "SELECT id FROM policy_persons WHERE person_key = ?"
                                                       : "SELECT id FROM enterprises WHERE uscc = ?",
                                  "t", key) ||
            !found) {
          row_error(errors, st, row.line, map[c] + 1, cs->header,
                    cs->type == C_PERSON ? "unknown person (import persons first)" : "unknown enterprise (USCC)");
          bad = true;
        }
        break;
      }
      }
    }
    if (!bad) {
      if ((r = np_store_begin(s, err))) break;
      if ((r = np_store_prepare(s, K->sql, &ins, err))) break;
      for (int c = 0; c < K->ncols; c++) {
        ct_t t = K->cols[c].type;
        if (isnull[c]) np_store_bind_null(ins, c + 1);
        else if (t == C_TEXT || t == C_CODE8 || t == C_DATE || t == C_MONTH) np_store_bind_text(ins, c + 1, tv[c], NP_STORE_STRLEN);
        else np_store_bind_int64(ins, c + 1, iv[c]);
      }
      bool h2;
      np_errdetail_t e3;
      np_err ir = np_store_step(ins, &h2, &e3);
      np_store_release(ins);
      if (ir) {
        np_store_rollback(s);
        row_error(errors, st, row.line, 0, "-", e3.message);
        bad = true;
      } else if ((r = np_store_commit(s, err))) {
        break;
      }
    }
    if (bad) st->rejected++;
    else st->imported++;
  }
  np_rows_close(rd);
  if (!r && all_or_nothing && st->rejected) {
    np_store_rollback(s);
    st->imported = 0;
    return np_fail(err, NP_ERR_INVALID, "rows_rejected", "file", "%" PRId64 " of %" PRId64 " rows rejected; nothing imported "
                   "(use --valid-only to import the valid rows)", st->rejected, st->rows);
  }
  if (r) {
    np_store_rollback(s);
    return r;
  }
  char id[32];
  snprintf(id, sizeof id, "%s", kind);
  if ((r = np_store_change(s, "policy_facts", id, "update", NULL, err))) {
    np_store_rollback(s);
    return r;
  }
  return np_store_commit(s, err);
}
