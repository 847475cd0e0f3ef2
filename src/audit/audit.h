/*
 * The audit log: an append-only table whose rows are chained with SM3 (hash = SM3 over a canonical,
 * length-prefixed serialization of the row and the previous row's hash; see docs/SECURITY-CRYPTO.md).
 *
 * Rules: every audited operation appends a row inside its own transaction, and when the row cannot
 * be written the operation fails (callers roll back on a non-zero return). No function edits or
 * deletes rows except np_audit_purge, which removes only a prefix older than one year and records an
 * anchor. There is no switch to turn auditing off.
 *
 * Action names are dotted lower-case: login.success, login.failure, logout, account.lock,
 * account.unlock, mfa.enrol, mfa.reset, user.create, user.update, role.grant, setting.update,
 * personal.unmask, export.<what>, <entity>.create|update|delete, audit.query, audit.export,
 * audit.verify, audit.purge.
 */
#ifndef NP_AUDIT_AUDIT_H
#define NP_AUDIT_AUDIT_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "core/buf.h"
#include "core/date.h"
#include "core/err.h"
#include "http/http.h"
#include "store/store.h"

#define NP_AUDIT_HASH_HEXLEN 65
#define NP_AUDIT_ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"
#define NP_AUDIT_RETENTION_DAYS 366
/* Longer JSON snapshots are replaced by {"truncated":true,"bytes":N,"sm3":"…"} (the digest of the full text). */
#define NP_AUDIT_MAX_JSON ((size_t)256 << 10)

/** One audit row as the caller describes it. NULL strings are stored as NULL. */
typedef struct np_audit_entry {
  int64_t user_id;         /* 0 = none */
  const char *username;    /* for a failed login: the name that was tried (≤ 64 characters kept) */
  const char *role;        /* "county_staff" … */
  const char *ip;
  const char *action;      /* required: [a-z0-9_.-]{1,64}, see the list above */
  const char *entity;      /* "user", "enterprise" … */
  const char *entity_id;
  const char *before_json; /* compact JSON text, personal data already masked (np_audit_mask_json) */
  const char *after_json;
  const char *outcome;     /* "success" (NULL means success), "failure", "denied" */
  const char *request_id;
  const char *detail;      /* free text, ≤ 2000 characters kept; no personal data */
} np_audit_entry_t;

/**
 * Appends one row. Runs inside the caller's transaction when one is open (as a savepoint), else in
 * its own. Reads the chain head and inserts under the write lock, so concurrent writers cannot
 * fork the chain (SQLite: BEGIN IMMEDIATE; PostgreSQL: a transaction-scoped advisory lock).
 * Text that is not valid UTF-8 is repaired ('?'), over-long text truncated; a bad action or outcome
 * is NP_ERR_INVALID. Any failure is returned: the caller must then fail (and roll back) its operation.
 * *seq_out (may be NULL) receives the new row's seq.
 */
np_err np_audit_record(np_store_t *s, const np_audit_entry_t *e, int64_t *seq_out, np_errdetail_t *err);

/**
 * Records an audit row for an HTTP request: user id, username and role from the request's principal
 * (none for anonymous requests), the client IP and the request id. before/after (may be NULL) are
 * serialized compactly and must already be masked (np_audit_mask_json). Uses the request's store
 * connection, so it joins the handler's open transaction. outcome NULL = "success".
 */
np_err np_audit_from_req(np_req_t *r, const char *action, const char *entity, const char *entity_id, json_t *before,
                         json_t *after, const char *outcome);

/**
 * As np_audit_from_req, taking any field of `e` that is set (user, detail, username of a failed
 * login …) and filling the rest from the request. before/after override e->before_json/after_json
 * when not NULL. err may be NULL.
 */
np_err np_audit_from_req_ex(np_req_t *r, const np_audit_entry_t *e, json_t *before, json_t *after,
                            np_errdetail_t *err);

/**
 * Masks personal data in place, at any depth: every string (or number) member whose key is listed in
 * `keys` (NULL-terminated; NULL = the default list: id_number, id_no, id_card, phone, mobile,
 * contact_phone, telephone, bank_account, account_no, card_no) is replaced by its masked form:
 * keys containing "id_" or "card" (but not "bank") → np_mask_id_number, "phone"/"mobile"/"tel" →
 * np_mask_mobile, "bank"/"account" → np_mask_bank_account, anything else → "****".
 */
void np_audit_mask_json(json_t *v, const char *const keys[]);

/**
 * Recomputes the whole chain from the first retained row (or the newest purge anchor).
 * Returns NP_OK when intact (*rows = rows checked, *first_broken_seq = 0); NP_ERR_CONFLICT (code
 * "chain_broken") when a row was edited (hash mismatch), removed (gap in seq, or the first row does
 * not match the anchor), re-ordered or replaced (prev_hash mismatch): *first_broken_seq names the
 * first row that fails and reason says why; other codes for database errors. Streams the table.
 * Any output pointer may be NULL; reason has room for 256 bytes.
 */
np_err np_audit_verify(np_store_t *s, int64_t *rows, int64_t *first_broken_seq, char reason[256], np_errdetail_t *err);

/**
 * Removes the oldest rows: those before the first row stamped at or after `before` 00:00
 * Asia/Shanghai, so only a prefix of the chain goes. Refuses (NP_ERR_INVALID, code "retention")
 * when `before` is later than today − NP_AUDIT_RETENTION_DAYS (rows younger than a year are never
 * removed), and (NP_ERR_CONFLICT, "chain_broken") when the chain does not verify. In one transaction
 * it writes the anchor (first retained seq, hash of the last removed row), deletes, and appends an
 * "audit.purge" row (actor fields from `actor`, may be NULL for the command line). *removed may be NULL.
 */
np_err np_audit_purge(np_store_t *s, np_date_t before, const np_audit_entry_t *actor, int64_t *removed,
                      np_errdetail_t *err);

/**
 * The canonical serialization that a row's hash covers, appended to b (see docs/SECURITY-CRYPTO.md):
 * "np-audit-v1\n", then for each of seq, at, user_id, username, role, ip, action, entity, entity_id,
 * before_json, after_json, outcome, request_id, detail, prev_hash: "-\n" for NULL, else
 * "<byte length>:<bytes>\n". Integers are written in decimal. fields[] holds the 15 values as text
 * (NULL = NULL). Exposed for tests and external verifiers.
 */
np_err np_audit_canonical(const char *const fields[15], np_buf_t *b);

/** Test hook: the clock (Unix seconds) used for `at` and for the purge cut-off; NULL = time(). */
void np_audit_set_clock(int64_t (*now_fn)(void));

#endif
