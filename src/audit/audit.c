/* The SM3-chained audit log: append, verify, purge, masking. See audit.h and docs/SECURITY-CRYPTO.md. */
#include "audit/audit.h"
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/str.h"
#include "core/valid.h"
#include "crypto/crypto.h"
#include "http/authz.h"

enum {
  F_SEQ = 0, F_AT, F_USER_ID, F_USERNAME, F_ROLE, F_IP, F_ACTION, F_ENTITY, F_ENTITY_ID, F_BEFORE, F_AFTER,
  F_OUTCOME, F_REQUEST_ID, F_DETAIL, F_PREV_HASH, F__COUNT
};

/* PostgreSQL: one transaction-scoped advisory lock serialises audit appends across nodes. */
#define PG_AUDIT_LOCK_KEY "7301202403"

static int64_t (*g_clock)(void);

void np_audit_set_clock(int64_t (*now_fn)(void)) { g_clock = now_fn; }

static int64_t now_unix(void) { return g_clock ? g_clock() : (int64_t)time(NULL); }

np_err np_audit_canonical(const char *const fields[15], np_buf_t *b) {
  np_err rc = np_buf_append_str(b, "np-audit-v1\n");
  for (int i = 0; rc == NP_OK && i < F__COUNT; i++) {
    if (!fields[i]) {
      rc = np_buf_append(b, "-\n", 2);
      continue;
    }
    size_t n = strlen(fields[i]);
    rc = np_buf_appendf(b, "%zu:", n);
    if (rc == NP_OK) rc = np_buf_append(b, fields[i], n);
    if (rc == NP_OK) rc = np_buf_append_char(b, '\n');
  }
  return rc;
}

static np_err row_hash(const char *const fields[15], char out[NP_AUDIT_HASH_HEXLEN]) {
  np_buf_t b;
  np_buf_init(&b, 0);
  np_err rc = np_audit_canonical(fields, &b);
  if (rc == NP_OK) np_crypto_sm3_hex(b.data, b.len, out);
  np_buf_free(&b);
  return rc;
}

/* A copy of s that is valid UTF-8 (bad bytes become '?') and at most max_chars code points. */
static char *clean_text(const char *s, size_t max_chars) {
  if (!s) return NULL;
  size_t n = strlen(s);
  char *out = malloc(n + 1);
  if (!out) return NULL;
  size_t i = 0, o = 0, chars = 0;
  while (i < n && chars < max_chars) {
    uint32_t cp;
    size_t k = np_utf8_decode(s + i, n - i, &cp);
    if (k == 0) {
      out[o++] = '?';
      i++;
    } else {
      memcpy(out + o, s + i, k);
      o += k;
      i += k;
    }
    chars++;
  }
  out[o] = '\0';
  return out;
}

/* JSON snapshot: kept as is when valid UTF-8 and not too long, else replaced by a summary. */
static char *clean_json(const char *s) {
  if (!s) return NULL;
  size_t n = strlen(s);
  if (n <= NP_AUDIT_MAX_JSON && np_utf8_valid(s, n)) return strdup(s);
  char hex[NP_CRYPTO_SM3_HEXLEN];
  np_crypto_sm3_hex(s, n, hex);
  char buf[160];
  snprintf(buf, sizeof buf, "{\"truncated\":true,\"bytes\":%zu,\"sm3\":\"%s\"}", n, hex);
  return strdup(buf);
}

static bool action_ok(const char *a) {
  if (!a || !*a) return false;
  size_t n = strlen(a);
  if (n > 64 || a[0] == '.' || a[n - 1] == '.') return false;
  for (size_t i = 0; i < n; i++) {
    char c = a[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) return false;
  }
  return true;
}

/* Takes the cross-node write lock on engines that need one (PostgreSQL); SQLite's BEGIN IMMEDIATE
 * already made this connection the only writer. Must run inside a transaction. */
static np_err chain_lock(np_store_t *s, np_errdetail_t *err) {
  if (strcmp(np_store_engine(s), "postgres") != 0) return NP_OK;
  np_stmt_t *st = NULL;
  bool has = false;
  np_err rc = np_store_prepare(s, "SELECT pg_advisory_xact_lock(" PG_AUDIT_LOCK_KEY ")", &st, err);
  if (rc == NP_OK) rc = np_store_step(st, &has, err);
  np_store_release(st);
  return rc;
}

/* The chain head: next seq and the hash the next row must link to. */
static np_err chain_head(np_store_t *s, int64_t *next_seq, char prev[NP_AUDIT_HASH_HEXLEN], np_errdetail_t *err) {
  np_stmt_t *st = NULL;
  bool has = false;
  np_err rc = np_store_prepare(s, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", &st, err);
  if (rc == NP_OK) rc = np_store_step(st, &has, err);
  if (rc == NP_OK && has) {
    *next_seq = np_store_col_int64(st, 0) + 1;
    const char *h = np_store_col_text(st, 1);
    np_strlcpy(prev, h ? h : "", NP_AUDIT_HASH_HEXLEN);
  }
  np_store_release(st);
  if (rc || has) return rc;
  /* Empty table: continue after the newest purge anchor, or start the chain. */
  rc = np_store_prepare(s, "SELECT first_seq, prev_hash FROM audit_anchor ORDER BY id DESC LIMIT 1", &st, err);
  if (rc == NP_OK) rc = np_store_step(st, &has, err);
  if (rc == NP_OK) {
    if (has) {
      *next_seq = np_store_col_int64(st, 0);
      const char *h = np_store_col_text(st, 1);
      np_strlcpy(prev, h ? h : "", NP_AUDIT_HASH_HEXLEN);
    } else {
      *next_seq = 1;
      np_strlcpy(prev, NP_AUDIT_ZERO_HASH, NP_AUDIT_HASH_HEXLEN);
    }
  }
  np_store_release(st);
  return rc;
}

np_err np_audit_record(np_store_t *s, const np_audit_entry_t *e, int64_t *seq_out, np_errdetail_t *err) {
  char *f[F__COUNT] = {0};
  char seqbuf[24], uidbuf[24], at[NP_TS_STRLEN], prev[NP_AUDIT_HASH_HEXLEN], hash[NP_AUDIT_HASH_HEXLEN];
  bool began = false;
  np_err rc = NP_OK;
  if (!s || !e) return np_fail(err, NP_ERR_INTERNAL, "audit", "", "np_audit_record: no store or entry");
  if (!action_ok(e->action))
    return np_fail(err, NP_ERR_INVALID, "audit_action", "action", "audit action must be 1-64 of [a-z0-9_.-]");
  const char *outcome = e->outcome ? e->outcome : "success";
  if (strcmp(outcome, "success") && strcmp(outcome, "failure") && strcmp(outcome, "denied"))
    return np_fail(err, NP_ERR_INVALID, "audit_outcome", "outcome", "audit outcome must be success, failure or denied");
  if (np_date_format_ts_utc(now_unix(), at, sizeof at) != NP_OK)
    return np_fail(err, NP_ERR_INTERNAL, "audit_clock", "", "clock out of range");

  struct { int idx; const char *v; size_t max; } texts[] = {
    {F_USERNAME, e->username, 64}, {F_ROLE, e->role, 32},          {F_IP, e->ip, 64},
    {F_ENTITY, e->entity, 64},     {F_ENTITY_ID, e->entity_id, 128}, {F_REQUEST_ID, e->request_id, 64},
    {F_DETAIL, e->detail, 2000},
  };
  for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
    if (!texts[i].v) continue;
    if (!(f[texts[i].idx] = clean_text(texts[i].v, texts[i].max))) goto nomem;
  }
  if ((e->before_json && !(f[F_BEFORE] = clean_json(e->before_json))) ||
      (e->after_json && !(f[F_AFTER] = clean_json(e->after_json))) || !(f[F_ACTION] = strdup(e->action)) ||
      !(f[F_OUTCOME] = strdup(outcome)) || !(f[F_AT] = strdup(at)))
    goto nomem;
  if (e->user_id) {
    snprintf(uidbuf, sizeof uidbuf, "%" PRId64, e->user_id);
    if (!(f[F_USER_ID] = strdup(uidbuf))) goto nomem;
  }

  if ((rc = np_store_begin(s, err))) goto out;
  began = true;
  int64_t seq = 0;
  if ((rc = chain_lock(s, err)) || (rc = chain_head(s, &seq, prev, err))) goto out;
  snprintf(seqbuf, sizeof seqbuf, "%" PRId64, seq);
  if (!(f[F_SEQ] = strdup(seqbuf)) || !(f[F_PREV_HASH] = strdup(prev))) goto nomem;
  if ((rc = row_hash((const char *const *)f, hash))) goto out;

  np_stmt_t *st = NULL;
  bool has = false;
  rc = np_store_prepare(s,
                        "INSERT INTO audit_log (seq, at, user_id, username, role, ip, action, entity, entity_id, "
                        "before_json, after_json, outcome, request_id, detail, prev_hash, hash) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        &st, err);
  if (rc == NP_OK) {
    rc = np_store_bind_int64(st, 1, seq);
    for (int i = F_AT; rc == NP_OK && i < F__COUNT; i++) {
      if (i == F_USER_ID)
        rc = e->user_id ? np_store_bind_int64(st, i + 1, e->user_id) : np_store_bind_null(st, i + 1);
      else
        rc = np_store_bind_text_or_null(st, i + 1, f[i]);
    }
    if (rc == NP_OK) rc = np_store_bind_text(st, 16, hash, NP_STORE_STRLEN);
    if (rc) np_fail(err, rc, "audit_bind", "", "cannot bind the audit row");
    else rc = np_store_step(st, &has, err);
  }
  np_store_release(st);
  if (rc) goto out;
  rc = np_store_commit(s, err);
  began = false;
  if (rc == NP_OK && seq_out) *seq_out = seq;
  goto out;
nomem:
  rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory writing the audit row");
out:
  if (rc && began) np_store_rollback(s);
  if (rc && err && strncmp(err->message, "audit", 5) != 0) {
    char m[sizeof err->message];
    snprintf(m, sizeof m, "audit log: %.370s", err->message);
    np_strlcpy(err->message, m, sizeof err->message);
  }
  for (int i = 0; i < F__COUNT; i++) free(f[i]);
  return rc;
}

/* ---- HTTP requests ---- */

np_err np_audit_from_req_ex(np_req_t *r, const np_audit_entry_t *e, json_t *before, json_t *after,
                            np_errdetail_t *err) {
  np_errdetail_t local = {0};
  if (!err) err = &local;
  np_audit_entry_t x = *e;
  const np_principal_t *p = np_req_principal(r);
  char *bj = NULL, *aj = NULL;
  if (p && !x.user_id && !x.username) {
    x.user_id = p->user_id;
    x.username = p->username;
  }
  if (p && !x.role) x.role = np_role_name(p->role);
  if (x.role && !*x.role) x.role = NULL;
  if (!x.ip) x.ip = np_req_ip(r);
  if (!x.request_id) x.request_id = np_req_id(r);
  np_err rc = NP_OK;
  if (before && !(bj = json_dumps(before, JSON_COMPACT | JSON_ENCODE_ANY))) goto nomem;
  if (after && !(aj = json_dumps(after, JSON_COMPACT | JSON_ENCODE_ANY))) goto nomem;
  if (bj) x.before_json = bj;
  if (aj) x.after_json = aj;
  np_store_t *s = np_req_store(r);
  if (!s) {
    rc = np_fail(err, NP_ERR_BUSY, "store_unavailable", "", "audit log: no database connection");
    goto out;
  }
  rc = np_audit_record(s, &x, NULL, err);
  goto out;
nomem:
  rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "audit log: out of memory");
out:
  free(bj);
  free(aj);
  return rc;
}

np_err np_audit_from_req(np_req_t *r, const char *action, const char *entity, const char *entity_id, json_t *before,
                         json_t *after, const char *outcome) {
  np_audit_entry_t e = {.action = action, .entity = entity, .entity_id = entity_id, .outcome = outcome};
  return np_audit_from_req_ex(r, &e, before, after, NULL);
}

/* ---- masking ---- */

static const char *const default_mask_keys[] = {"id_number", "id_no",     "id_card",      "phone",      "mobile",
                                                "contact_phone", "telephone", "bank_account", "account_no", "card_no",
                                                NULL};

static bool key_listed(const char *k, const char *const keys[]) {
  for (size_t i = 0; keys[i]; i++)
    if (strcmp(k, keys[i]) == 0) return true;
  return false;
}

static void mask_value(const char *key, const char *s, char *out, size_t cap) {
  size_t n = strlen(s);
  if (strstr(key, "bank") || strstr(key, "account"))
    np_mask_bank_account(s, n, out, cap);
  else if (strstr(key, "phone") || strstr(key, "mobile") || strstr(key, "tel"))
    np_mask_mobile(s, n, out, cap);
  else if (strstr(key, "id_") || strstr(key, "card"))
    np_mask_id_number(s, n, out, cap);
  else
    np_strlcpy(out, "****", cap);
}

void np_audit_mask_json(json_t *v, const char *const keys[]) {
  if (!v) return;
  if (!keys) keys = default_mask_keys;
  if (json_is_array(v)) {
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x) np_audit_mask_json(x, keys);
    return;
  }
  if (!json_is_object(v)) return;
  const char *k;
  json_t *x;
  json_object_foreach(v, k, x) {
    if (key_listed(k, keys) && (json_is_string(x) || json_is_integer(x))) {
      char num[24], out[128];
      const char *s = num;
      if (json_is_string(x)) s = json_string_value(x);
      else snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(x));
      if (strlen(s) >= sizeof out) np_strlcpy(out, "****", sizeof out);
      else mask_value(k, s, out, sizeof out);
      json_object_set_new(v, k, json_string(out)); /* replacing an existing key keeps iteration valid */
    } else {
      np_audit_mask_json(x, keys);
    }
  }
}

/* ---- verify ---- */

static void set_reason(char *reason, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_reason(char *reason, const char *fmt, ...) {
  if (!reason) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(reason, 256, fmt, ap);
  va_end(ap);
}

static np_err newest_anchor(np_store_t *s, bool *found, int64_t *first_seq, char prev[NP_AUDIT_HASH_HEXLEN],
                            np_errdetail_t *err) {
  np_stmt_t *st = NULL;
  *found = false;
  np_err rc = np_store_prepare(s, "SELECT first_seq, prev_hash FROM audit_anchor ORDER BY id DESC LIMIT 1", &st, err);
  if (rc == NP_OK) rc = np_store_step(st, found, err);
  if (rc == NP_OK && *found) {
    *first_seq = np_store_col_int64(st, 0);
    const char *h = np_store_col_text(st, 1);
    np_strlcpy(prev, h ? h : "", NP_AUDIT_HASH_HEXLEN);
  }
  np_store_release(st);
  return rc;
}

np_err np_audit_verify(np_store_t *s, int64_t *rows_out, int64_t *first_broken_seq, char reason[256],
                       np_errdetail_t *err) {
  int64_t rows = 0, broken = 0, expect_seq = 1, anchor_seq = 0;
  char expect_prev[NP_AUDIT_HASH_HEXLEN] = NP_AUDIT_ZERO_HASH, hash[NP_AUDIT_HASH_HEXLEN];
  bool anchored = false, has = false;
  np_stmt_t *st = NULL;
  if (reason) reason[0] = '\0';
  np_err rc = newest_anchor(s, &anchored, &anchor_seq, expect_prev, err);
  if (rc) goto out;
  if (anchored) expect_seq = anchor_seq;
  rc = np_store_prepare(s,
                        "SELECT seq, at, user_id, username, role, ip, action, entity, entity_id, before_json, "
                        "after_json, outcome, request_id, detail, prev_hash, hash FROM audit_log ORDER BY seq",
                        &st, err);
  if (rc) goto out;
  for (;;) {
    if ((rc = np_store_step(st, &has, err)) || !has) break;
    int64_t seq = np_store_col_int64(st, 0);
    char seqbuf[24], uidbuf[24];
    const char *f[F__COUNT];
    snprintf(seqbuf, sizeof seqbuf, "%" PRId64, seq);
    f[F_SEQ] = seqbuf;
    for (int i = F_AT; i < F__COUNT; i++) f[i] = np_store_col_text(st, i);
    if (!np_store_col_is_null(st, F_USER_ID)) {
      snprintf(uidbuf, sizeof uidbuf, "%" PRId64, np_store_col_int64(st, F_USER_ID));
      f[F_USER_ID] = uidbuf;
    }
    const char *stored = np_store_col_text(st, 15);
    if (seq != expect_seq) {
      broken = seq;
      if (seq > expect_seq && rows == 0 && anchored)
        set_reason(reason, "rows %" PRId64 "..%" PRId64 " after the purge anchor are missing (row removed)", expect_seq,
                   seq - 1);
      else if (seq > expect_seq)
        set_reason(reason, "rows %" PRId64 "..%" PRId64 " are missing (row removed)", expect_seq, seq - 1);
      else
        set_reason(reason, "row precedes the purge anchor at seq %" PRId64 " (row inserted)", expect_seq);
      break;
    }
    if ((rc = row_hash(f, hash))) {
      np_fail(err, rc, "nomem", "", "out of memory verifying the audit log");
      break;
    }
    if (!stored || strcmp(stored, hash) != 0) {
      broken = seq;
      set_reason(reason, "hash mismatch: the row was edited");
      break;
    }
    if (!f[F_PREV_HASH] || strcmp(f[F_PREV_HASH], expect_prev) != 0) {
      broken = seq;
      if (rows == 0 && anchored)
        set_reason(reason, "prev_hash does not match the purge anchor");
      else if (rows == 0)
        set_reason(reason, "prev_hash of the first row is not zero (rows before it were removed)");
      else
        set_reason(reason, "prev_hash does not match the hash of seq %" PRId64 " (a row was replaced or re-ordered)",
                   seq - 1);
      break;
    }
    np_strlcpy(expect_prev, stored, sizeof expect_prev);
    expect_seq = seq + 1;
    rows++;
  }
  if (rc == NP_OK && !broken && rows == 0 && anchored) {
    broken = anchor_seq;
    set_reason(reason, "every row from seq %" PRId64 " (the purge anchor) is missing", anchor_seq);
  }
out:
  np_store_release(st);
  if (rows_out) *rows_out = rows;
  if (first_broken_seq) *first_broken_seq = broken;
  if (rc) return rc;
  if (broken)
    return np_fail(err, NP_ERR_CONFLICT, "chain_broken", "", "audit chain broken at seq %" PRId64 ": %s", broken,
                   reason ? reason : "");
  return NP_OK;
}

/* ---- purge ---- */

np_err np_audit_purge(np_store_t *s, np_date_t before, const np_audit_entry_t *actor, int64_t *removed,
                      np_errdetail_t *err) {
  char limit_s[NP_DATE_STRLEN], before_s[NP_DATE_STRLEN], bound[NP_TS_STRLEN], now_s[NP_TS_STRLEN];
  char prev[NP_AUDIT_HASH_HEXLEN] = "", reason[256], detail[256];
  int64_t now = now_unix(), first = 0, count = 0, rows = 0, broken = 0;
  bool found = false, began = false;
  np_date_t today = np_date_from_unix_shanghai(now), limit;
  if (removed) *removed = 0;
  if (np_date_add_days(today, -NP_AUDIT_RETENTION_DAYS, &limit) != NP_OK || np_date_format(limit, limit_s, sizeof limit_s) ||
      np_date_format(before, before_s, sizeof before_s))
    return np_fail(err, NP_ERR_INVALID, "date", "before", "date out of range");
  if (before.days > limit.days)
    return np_fail(err, NP_ERR_INVALID, "retention", "before",
                   "audit rows are kept at least %d days: the cut-off must be %s or earlier (asked for %s)",
                   NP_AUDIT_RETENTION_DAYS, limit_s, before_s);
  np_err rc = np_audit_verify(s, &rows, &broken, reason, err);
  if (rc == NP_ERR_CONFLICT)
    return np_fail(err, NP_ERR_CONFLICT, "chain_broken", "",
                   "audit chain broken at seq %" PRId64 ": %s; nothing purged (investigate first)", broken, reason);
  if (rc) return rc;
  if (np_date_format_ts_utc(np_date_to_unix_utc(before) - NP_SHANGHAI_OFFSET, bound, sizeof bound) ||
      np_date_format_ts_utc(now, now_s, sizeof now_s))
    return np_fail(err, NP_ERR_INVALID, "date", "before", "date out of range");

  if ((rc = np_store_begin(s, err))) return rc;
  began = true;
  if ((rc = chain_lock(s, err))) goto out;
  np_stmt_t *st = NULL;
  bool has = false;
  /* First retained row: the first one stamped at or after the bound; everything before it goes. */
  rc = np_store_prepare(s, "SELECT MIN(seq) FROM audit_log WHERE at >= ?", &st, err);
  if (rc == NP_OK) rc = np_store_bind_text(st, 1, bound, NP_STORE_STRLEN);
  if (rc == NP_OK) rc = np_store_step(st, &has, err);
  if (rc == NP_OK && has && !np_store_col_is_null(st, 0)) {
    first = np_store_col_int64(st, 0);
    found = true;
  }
  np_store_release(st);
  if (rc) goto out;
  if (!found) {
    rc = np_store_query_int64(s, "SELECT COALESCE(MAX(seq), 0) + 1 FROM audit_log", &first, &has, err);
    if (rc) goto out;
  }
  rc = np_store_prepare(s, "SELECT COUNT(*) FROM audit_log WHERE seq < ?", &st, err);
  if (rc == NP_OK) rc = np_store_bind_int64(st, 1, first);
  if (rc == NP_OK) rc = np_store_step(st, &has, err);
  if (rc == NP_OK && has) count = np_store_col_int64(st, 0);
  np_store_release(st);
  if (rc) goto out;
  if (count > 0) {
    rc = np_store_prepare(s, "SELECT hash FROM audit_log WHERE seq = ?", &st, err);
    if (rc == NP_OK) rc = np_store_bind_int64(st, 1, first - 1);
    if (rc == NP_OK) rc = np_store_step(st, &has, err);
    if (rc == NP_OK && has && np_store_col_text(st, 0)) np_strlcpy(prev, np_store_col_text(st, 0), sizeof prev);
    np_store_release(st);
    if (rc) goto out;
    if (!prev[0]) {
      rc = np_fail(err, NP_ERR_CONFLICT, "chain_broken", "", "audit chain changed during the purge; nothing purged");
      goto out;
    }
    if ((rc = np_store_execf(s, NULL, err,
                             "INSERT INTO audit_anchor (at, first_seq, prev_hash, purged_rows, before_date) "
                             "VALUES (?, ?, ?, ?, ?)",
                             "titit", now_s, first, prev, count, before_s)) ||
        (rc = np_store_execf(s, NULL, err, "DELETE FROM audit_log WHERE seq < ?", "i", first)))
      goto out;
  }
  np_audit_entry_t e = {0};
  if (actor) e = *actor;
  e.action = "audit.purge";
  e.entity = "audit_log";
  e.entity_id = NULL;
  e.outcome = "success";
  snprintf(detail, sizeof detail, "before=%s removed=%" PRId64 " first_seq=%" PRId64, before_s, count, first);
  e.detail = detail;
  if ((rc = np_audit_record(s, &e, NULL, err))) goto out;
  rc = np_store_commit(s, err);
  began = false;
  if (rc == NP_OK && removed) *removed = count;
out:
  if (rc && began) np_store_rollback(s);
  return rc;
}
