/*
 * Organised batches (有组织劳务输入) in the store: upload a worker file, run the allocation over
 * the engine's open lines of the batch's region, report, commit to referrals (docs/MATCHING.md).
 *
 * File (CSV UTF-8/GB18030 or XLSX, one header row; Chinese or English headers):
 *   姓名 name, 身份证号 id_number, 工种 occupation_codes (1–3 occupation codes separated by ';' '；'
 *   '、' '|' or spaces), 技能等级 skill_level (1–8, optional), 学历 education (dictionary, optional),
 *   组 group (village/team label, optional: workers with the same label stay together).
 * Any broken row refuses the whole file (422 with row errors "row – column – reason"), nothing written.
 * The same person twice in a file is a row error "duplicate".
 */
#ifndef NP_MATCH_BATCH_H
#define NP_MATCH_BATCH_H
#include <jansson.h>
#include <stdint.h>
#include "audit/audit.h"
#include "core/date.h"
#include "core/err.h"
#include "match/index.h"
#include "ref/ref.h"
#include "store/store.h"

#define NP_ID_BATCH "bat_"
#define NP_BATCH_MAX_WORKERS 20000

/**
 * Parses and stores a batch for region_code (a known city or county code). On row errors:
 * NP_ERR_INVALID "rows" with *errors (caller json_decref()s) = [{row, column, reason}].
 */
np_err np_match_batch_create(np_store_t *s, const np_ref_t *ref, const np_audit_entry_t *actor, const char *name,
                             const char *region_code, const char *file_name, const void *data, size_t len, int64_t *id,
                             json_t **errors, np_errdetail_t *err);

/** Region code and status of batch id (NP_ERR_NOT_FOUND when absent). */
np_err np_match_batch_owner(np_store_t *s, int64_t id, char region_code[16], char status[16], np_errdetail_t *err);

/**
 * Runs the allocation over the index's open lines inside the batch's region and stores the
 * assignment and the report. A committed batch refuses (409 "committed").
 */
np_err np_match_batch_run(np_store_t *s, np_match_index_t *ix, const np_audit_entry_t *actor, int64_t id,
                          np_date_t today, json_t **report, np_errdetail_t *err);

/** The batch: {id, name, region_code, status, counts, report, workers: [masked rows with assignment]}. */
np_err np_match_batch_get(np_store_t *s, int64_t id, json_t **out, np_errdetail_t *err);

/** Batches inside a region prefix (NULL = all), newest first: {"items"}. */
np_err np_match_batch_list(np_store_t *s, const char *region_prefix, int64_t limit, int64_t cursor, json_t **out,
                           np_errdetail_t *err);

/**
 * Turns every assigned worker into a referral in one transaction: an existing seeker with the same
 * ID number is reused, otherwise one is registered (source import, consent given with the batch,
 * located in the line's county). A worker whose referral cannot be made (say an existing seeker
 * without consent) is skipped and reported; the batch becomes committed (final).
 */
np_err np_match_batch_commit(np_store_t *s, const np_ref_t *ref, np_match_index_t *ix, const np_audit_entry_t *actor,
                             int64_t id, np_date_t today, json_t **out, np_errdetail_t *err);

#endif
