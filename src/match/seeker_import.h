/*
 * Seeker import (求职者导入): CSV (UTF-8 or GB18030, detected) or XLSX through np_rows, one header
 * row (Chinese headers, English field names accepted), every row validated with the rules of
 * np_match_seeker_create (seekers.h). Columns: 身份证号 id_number, 姓名 name, 现居住地区划代码
 * region_code, 求职工种 occupation_codes (up to 3 codes separated by ';' '；' '、' '|' or spaces),
 * 技能等级 skill_level, 学历 education, 期望月薪(元) expected_salary (yuan), 可到岗日期
 * available_from, 毕业年份 graduation_year, 登记失业日期 registered_unemployed_since,
 * 就业困难人员 hardship (是/否), 同意推荐 consent (是/否), 手机号 phone, 纬度 lat, 经度 lon.
 *
 * Modes (np_import_mode of firms/import.h): all_or_nothing — any failed row and nothing is
 * written; valid_only — the valid rows are written. The same person twice (in the file or already
 * registered) is a row error "duplicate". The run is recorded in `imports` (kind "seekers") with
 * its row errors (row – column – header – reason, never the ID number itself), so
 * GET /api/v1/imports/{id}/errors serves the error file; one audit row "seeker.import".
 */
#ifndef NP_MATCH_SEEKER_IMPORT_H
#define NP_MATCH_SEEKER_IMPORT_H
#include <jansson.h>
#include "audit/audit.h"
#include "core/buf.h"
#include "core/err.h"
#include "firms/import.h"
#include "http/authz.h"
#include "ref/ref.h"
#include "store/store.h"

typedef struct np_seeker_import_opts {
  np_import_mode mode;
  const np_scope_t *scope;       /* the caller's "seeker" scope: rows outside it fail */
  int64_t by_user;
  const char *file_name;         /* may be NULL */
  const np_audit_entry_t *actor; /* may be NULL */
} np_seeker_import_opts_t;

/**
 * Imports data[0..len). File-level problems (unreadable, unknown or missing required column, no data
 * rows, more than NP_IMPORT_MAX_ROWS) are NP_ERR_INVALID/NP_ERR_TOO_LARGE with a detail and record
 * nothing. Otherwise NP_OK with counts and errors in *out (inserted counts rows written).
 */
np_err np_match_seeker_import(np_store_t *s, const np_ref_t *ref, const void *data, size_t len,
                              const np_seeker_import_opts_t *o, np_import_result_t *out, np_errdetail_t *err);

/** Appends the CSV template (UTF-8 with BOM, header row "身份证号 id_number,…") to b. */
np_err np_match_seeker_template_csv(np_buf_t *b);

#endif
