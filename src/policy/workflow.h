/*
 * The 免申即享 workflow over policy runs (docs/API-POLICY.md): a batch is one run × one policy, every
 * eligible decision becomes an item that moves
 *   candidate → reviewed → approved → notice → pushed [→ awaiting_confirmation → confirmed | declined] → paid
 * with excluded (review, upheld objection), payment_failed → paid (re-pay) and manual (the must-apply lane).
 *
 * Every action is one transaction: the state guard, the item updates, one policy_item_events row per item
 * moved, the change feed and one audit row. The clock is injected (ctx.now) so notice periods and
 * confirmation deadlines are testable. The actor's jurisdiction limits which items an action touches.
 */
#ifndef NP_POLICY_WORKFLOW_H
#define NP_POLICY_WORKFLOW_H
#include <stdbool.h>
#include <stdint.h>
#include "core/err.h"
#include "store/store.h"

#define NP_ID_PRUN "prun_"
#define NP_ID_PBATCH "pbat_"
#define NP_ID_PITEM "pitem_"
#define NP_ID_POBJ "pobj_"
#define NP_ID_PPAY "ppay_"

/** Who acts, when and where. */
typedef struct np_pwf_ctx {
  np_store_t *s;
  int64_t now;            /* unix seconds (injected clock) */
  int64_t user_id;
  const char *user;       /* username, recorded on rows */
  const char *role;       /* for the audit row */
  const char *region;     /* actor's jurisdiction code ("370000", "370100", "370102"); "" or NULL = everything */
  const char *ip, *request_id; /* audit (may be NULL) */
} np_pwf_ctx_t;

/** Settings of a policy in the workflow (policy_settings; defaults when no row). */
typedef struct np_pwf_settings {
  int notice_days, confirm_days;
  bool confirm_required, whitelist;
  char bank[96];
} np_pwf_settings_t;

/** Reads the settings of `policy`. */
np_err np_pwf_settings_get(np_store_t *s, const char *policy, np_pwf_settings_t *out, np_errdetail_t *err);

/** End of the notice (or deadline) that starts at `start` (unix s) and runs `days` calendar days: 23:59:59 Asia/Shanghai. */
int64_t np_pwf_period_end(int64_t start, int days);

/**
 * Opens the batch of run × policy (the run must be done): every eligible decision becomes an item
 * (must-apply enterprises in lane must_apply, state manual). Existing batch: *created false, same id.
 */
np_err np_pwf_batch_open(const np_pwf_ctx_t *c, int64_t run_id, const char *policy, int64_t *batch_id, bool *created,
                         np_errdetail_t *err);

/** County review: excludes a candidate item with a reason (before the county's review is finished). */
np_err np_pwf_exclude(const np_pwf_ctx_t *c, int64_t item_id, const char *reason, np_errdetail_t *err);
/** Finishes the review of the actor's county: its candidates become reviewed. *moved may be NULL. */
np_err np_pwf_review(const np_pwf_ctx_t *c, int64_t batch_id, int64_t *moved, np_errdetail_t *err);
/**
 * City approval of the reviewed items of the actor's city: refused (NP_ERR_CONFLICT) while a county with
 * items is not reviewed ("not_reviewed"), when the policy's budget for the year would be exceeded
 * ("over_budget"), when already approved, or with nothing to approve.
 */
np_err np_pwf_approve(const np_pwf_ctx_t *c, int64_t batch_id, int64_t *moved, np_errdetail_t *err);
/** Public notice of the approved items in scope for `days` (0: the policy's setting). */
np_err np_pwf_notice(const np_pwf_ctx_t *c, int64_t batch_id, int days, int64_t *moved, np_errdetail_t *err);
/** Records an objection against an item under notice (until the notice ends). */
np_err np_pwf_object(const np_pwf_ctx_t *c, int64_t item_id, const char *text, const char *objector, int64_t *obj_id,
                     np_errdetail_t *err);
/** Handles an open objection: upheld excludes the item, dismissed leaves it. */
np_err np_pwf_handle(const np_pwf_ctx_t *c, int64_t obj_id, bool upheld, const char *note, np_errdetail_t *err);
/** Pushes the items in scope whose notice ended without an open objection (to confirmation when required). */
np_err np_pwf_push(const np_pwf_ctx_t *c, int64_t batch_id, int64_t *moved, np_errdetail_t *err);
/** Marks unconfirmed pushes past their deadline as declined (system action). *moved may be NULL. */
np_err np_pwf_expire(const np_pwf_ctx_t *c, int64_t *moved, np_errdetail_t *err);
/** The enterprise accepts or declines; past the deadline: declined and NP_ERR_CONFLICT "confirmation_expired". */
np_err np_pwf_confirm(const np_pwf_ctx_t *c, int64_t item_id, bool accept, np_errdetail_t *err);
/** Records one payment per payable item in scope (grant policies only). */
np_err np_pwf_pay(const np_pwf_ctx_t *c, int64_t batch_id, const char *paid_on, const char *ref_prefix, int64_t *created,
                  np_errdetail_t *err);
/** The payment came back: failed, its item queued (payment_failed). */
np_err np_pwf_payment_fail(const np_pwf_ctx_t *c, int64_t payment_id, const char *reason, np_errdetail_t *err);
/** Records a re-contact about a failed payment. */
np_err np_pwf_contact(const np_pwf_ctx_t *c, int64_t payment_id, const char *note, np_errdetail_t *err);
/** Pays a payment_failed item again. account_kind NULL: as before. */
np_err np_pwf_repay(const np_pwf_ctx_t *c, int64_t item_id, const char *paid_on, const char *reference,
                    const char *account_kind, int64_t *payment_id, np_errdetail_t *err);

/** State of an item (into out, cap ≥ 24); NP_ERR_NOT_FOUND when none. */
np_err np_pwf_item_state(np_store_t *s, int64_t item_id, char *out, size_t cap, np_errdetail_t *err);

/**
 * Idempotency: the stored response of (user, key), if any (*found). body is malloc'ed (caller frees).
 * A key reused for another action: NP_ERR_CONFLICT "idempotency_key_reused".
 */
np_err np_pwf_idem_get(np_store_t *s, int64_t user_id, const char *key, const char *action, bool *found, int *status,
                       char **body, np_errdetail_t *err);
/** Stores the first response of (user, key); a concurrent first wins silently. */
np_err np_pwf_idem_put(np_store_t *s, int64_t user_id, const char *key, const char *action, int status, const char *body,
                       int64_t now, np_errdetail_t *err);

#endif
