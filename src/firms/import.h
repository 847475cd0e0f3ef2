/*
 * Enterprise import (企业导入): a CSV (UTF-8 or GB18030) or XLSX file with one header row (Chinese
 * headers, English aliases accepted), validated row by row with the same rules as the API
 * (enterprises.h). Rows whose credit code exists update that enterprise (empty cells leave a field
 * as it was); other rows create one. Both only inside the caller's scope.
 *
 * Modes: all_or_nothing — any failed row and nothing is written; valid_only — the valid rows are
 * written, the others reported. Every run is recorded in `imports` with its row-level errors
 * (row – column – header – reason), downloadable as a CSV error file, and audited once
 * ("enterprise.import"; rows are not audited one by one, each written row has its change-feed row).
 */
#ifndef NP_FIRMS_IMPORT_H
#define NP_FIRMS_IMPORT_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "audit/audit.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/rows.h"
#include "http/authz.h"
#include "ref/ref.h"
#include "store/store.h"

#define NP_IMPORT_MAX_ROWS 200000
#define NP_IMPORT_MAX_ERRORS 20000    /* stored; more failed rows are counted, not described */
#define NP_IMPORT_RESPONSE_ERRORS 500 /* errors listed in the API answer (the file has them all) */

typedef enum np_import_mode { NP_IMPORT_ALL_OR_NOTHING = 0, NP_IMPORT_VALID_ONLY } np_import_mode;

/** Parses "all_or_nothing" | "valid_only"; false otherwise. */
bool np_import_mode_parse(const char *s, np_import_mode *out);

typedef struct np_import_result {
  int64_t id; /* imports row */
  int64_t rows, inserted, updated, failed;
  json_t *errors; /* array of {row, column, header, reason} (owned by the caller: json_decref) */
  char charset[16];
} np_import_result_t;

typedef struct np_import_opts {
  np_import_mode mode;
  np_scope_t scope;               /* the caller's "enterprise" scope */
  int64_t by_user;
  const char *file_name;          /* may be NULL */
  const np_audit_entry_t *actor;  /* audit row; NULL = none */
} np_import_opts_t;

/**
 * Imports data[0..len). File-level problems (unreadable file, missing required column, unknown
 * column, no data rows) are NP_ERR_INVALID with a detail and record nothing. Otherwise NP_OK with
 * the counts in *out (also when rows failed).
 */
np_err np_import_enterprises(np_store_t *s, const np_ref_t *ref, const void *data, size_t len,
                             const np_import_opts_t *o, np_import_result_t *out, np_errdetail_t *err);

/**
 * One kind of file import run by np_import_run (enterprises here, seekers in src/match). ctx is the
 * kind's own state; its row function adds row-level errors to the errors array it was given.
 */
typedef struct np_import_kind {
  const char *kind;         /* imports.kind: "enterprises", "seekers" */
  const char *audit_action; /* "enterprise.import" … */
  bool updates;             /* rows may update existing records (the audit detail counts them) */
  /** Maps the header row; a file-level problem is NP_ERR_INVALID. */
  np_err (*header)(void *ctx, const np_row_t *r, np_errdetail_t *err);
  /** One data row: 1 inserted, 2 updated, 0 failed (error added), 3 blank (skipped), < 0 store failure (*fatal). */
  int (*row)(void *ctx, const np_row_t *r, np_err *fatal, np_errdetail_t *ferr);
  /** Audits the import once, inside its transaction. */
  np_err (*audit)(void *ctx, np_store_t *s, const char *action, const char *import_id, const char *detail,
                  np_errdetail_t *err);
} np_import_kind_t;

/**
 * The import driver every kind shares: reads data[0..len) as CSV or XLSX (ro), maps the header, runs
 * every data row in one transaction (at most NP_IMPORT_MAX_ROWS), rolls the rows back in all_or_nothing
 * mode when one failed, records the run in `imports` (by_user, file_name, the errors) and audits it.
 * errors is the array the kind's row function fills: on NP_OK it is handed over in out->errors, else
 * released. File-level problems are NP_ERR_INVALID and record nothing.
 */
np_err np_import_run(np_store_t *s, const void *data, size_t len, const np_rows_opts_t *ro, const np_import_kind_t *k,
                     void *ctx, json_t *errors, np_import_mode mode, int64_t by_user, const char *file_name,
                     np_import_result_t *out, np_errdetail_t *err);

/** Writes the XLSX template (header row, 是/否 and zone drop-downs, every column text) to path. */
np_err np_import_template_xlsx(np_store_t *s, const char *path, np_errdetail_t *err);

/** Appends the CSV template (UTF-8 with BOM, header line) to b. */
np_err np_import_template_csv(np_buf_t *b);

/** The import record as JSON ({id, kind, mode, at, rows, inserted, updated, failed, errors}); by_user must match. */
np_err np_import_get(np_store_t *s, int64_t id, int64_t by_user, json_t **out, np_errdetail_t *err);

/** The error file of an import (CSV UTF-8 with BOM: 行号,列,表头,原因) appended to b; by_user must match. */
np_err np_import_errors_csv(np_store_t *s, int64_t id, int64_t by_user, np_buf_t *b, np_errdetail_t *err);

#endif
