/*
 * Large-scale shortage response (对规模性缺工问题快速响应) and the recruitment green channel
 * (招聘"绿色通道"), tables alert_rules / alerts / alert_events (migration 0009).
 *
 * Rules (alert_rules, province staff edit them): open openings ≥ N; open openings ≥ x % of the
 * headcount with a minimum number of openings; any enterprise with a major investment project and
 * open openings. Each rule has response times per level (county, city, province) and an active flag.
 *
 * Lifecycle of an alert: raised (level county, due_at = raised + county_hours, status open) →
 * acknowledged by the team (note + planned response) → resolved (automatically when the openings
 * fall below the rule or the rule is switched off, or by staff with a reason). An open alert whose
 * due_at has passed escalates to the city (due_at += city_hours), then to the province
 * (+= province_hours); each step is an alert_events row stamped at the deadline that was missed.
 * At most one live alert per (enterprise, rule): an alert closed by staff while the rule still
 * matches keeps the pair quiet until the rule stops matching once (no re-raise loop).
 *
 * Deadline (met / missed) is judged against the county team's deadline (county_due_at): met when
 * acknowledged or closed by staff no later than it, missed when it passed first (also every
 * escalated alert), not_required when the shortage ended before it, pending meanwhile.
 *
 * Green channel: an alert is green when its enterprise has enterprises.green_channel = 1 or a major
 * project (not suspended). Green alerts sort first on the board; np_firms_green_first_order()
 * gives the same ordering to other lists.
 *
 * When evaluation runs: np_firms_alerts_check_enterprise() in the transaction that changes an
 * enterprise's open_openings (the demand units call it), and np_firms_alerts_sweep() (raise missing
 * alerts, reconcile, escalate) at server start and lazily on the alert routes, at most once a
 * minute per process: there is no timer thread (escalations happen by time anyway and every read
 * computes `overdue` from the clock, so a board is never stale).
 *
 * Every function takes `now` (Unix seconds) so tests inject the clock. Every mutation writes the
 * row, an alert_events row, the change feed (entity "alert" / "alert_rule") and an audit row
 * (system actions with no user) in one transaction.
 */
#ifndef NP_FIRMS_ALERTS_H
#define NP_FIRMS_ALERTS_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "audit/audit.h"
#include "core/err.h"
#include "http/authz.h"
#include "http/http.h"
#include "store/store.h"

#define NP_ALERT_MAX_RULES 32
#define NP_ALERT_MAX_HOURS 720           /* a response time of at most 30 days */
#define NP_ALERT_MAX_COUNT 1000000       /* openings thresholds */
#define NP_ALERT_MAX_SHARE_BP 10000      /* 100 % */
#define NP_ALERT_NOTE_MAX_CHARS 500
#define NP_ALERT_PLAN_MAX_CHARS 1000
#define NP_ALERT_RULE_NAME_MAX_CHARS 60

typedef enum np_alert_rule_kind {
  NP_ALERT_RULE_OPENINGS_MIN = 0, /* open_openings >= threshold */
  NP_ALERT_RULE_OPENINGS_SHARE,   /* open_openings >= threshold bp of headcount, and >= min_openings */
  NP_ALERT_RULE_MAJOR_PROJECT,    /* has a major project, open_openings >= threshold */
} np_alert_rule_kind;

typedef enum np_alert_level { NP_ALERT_COUNTY = 0, NP_ALERT_CITY, NP_ALERT_PROVINCE } np_alert_level;

typedef struct np_alert_rule {
  int64_t id, version;
  char code[33];
  char name[NP_ALERT_RULE_NAME_MAX_CHARS * 4 + 1];
  np_alert_rule_kind kind;
  int64_t threshold, min_openings;
  int64_t hours[3]; /* response time per level: county, city, province */
  bool active;
  char updated_at[24];
} np_alert_rule_t;

/** "openings_min", "openings_share", "major_project". */
const char *np_alert_rule_kind_name(np_alert_rule_kind k);
/** Parses a kind name; false when unknown. */
bool np_alert_rule_kind_parse(const char *s, np_alert_rule_kind *out);
/** "county", "city", "province". */
const char *np_alert_level_name(np_alert_level l);

/**
 * Does rule r match an enterprise with these figures? (The active flag is not looked at.)
 * openings_share: headcount > 0, openings >= min_openings and openings * 10000 >= threshold * headcount.
 */
bool np_alert_rule_matches(const np_alert_rule_t *r, int64_t openings, int64_t headcount, bool major_project);

/** Loads every rule (ordered by id) into out[0..cap); *n receives how many. */
np_err np_alert_rules_load(np_store_t *s, np_alert_rule_t *out, size_t cap, size_t *n, np_errdetail_t *err);

/** The API object of a rule. */
json_t *np_alert_rule_json(const np_alert_rule_t *r);

/**
 * Updates and creates rules from {"items":[{code, name?, kind?, threshold?, min_openings?,
 * county_hours?, city_hours?, province_hours?, active?, version?}]} in one transaction (all or
 * nothing). An existing code needs the `version` the client read (stale → 409 "stale"); its kind
 * cannot change. A new code needs kind, name and threshold (hours default 24/24/48). Errors name the
 * field "items[i].threshold": threshold ≤ 0 or too large → 422 "range". Audited per rule
 * ("alert_rule.update" / "alert_rule.create", before/after). Does not evaluate: callers sweep after.
 */
np_err np_alert_rules_put(np_store_t *s, const np_audit_entry_t *actor, const json_t *body, int64_t now,
                          np_errdetail_t *err);

/**
 * Raises an alert for every (enterprise, active rule) that matches and has no live alert, stamped
 * `now`, in one transaction (joins the caller's). *raised (may be NULL) receives how many.
 */
np_err np_firms_alerts_evaluate(np_store_t *s, int64_t now, int64_t *raised, np_errdetail_t *err);

/**
 * Re-evaluates one enterprise after its open_openings (or headcount, green channel, projects)
 * changed, in the caller's transaction: raises alerts for newly matching rules, resolves live
 * alerts whose rule no longer matches (automatically, reason "below_threshold"). An unknown
 * enterprise is not an error (nothing to do).
 */
np_err np_firms_alerts_check_enterprise(np_store_t *s, int64_t enterprise_id, int64_t now, np_errdetail_t *err);

typedef struct np_alert_sweep_stats {
  int64_t raised, escalated, resolved, rearmed;
  int64_t enterprises; /* enterprises re-evaluated by an incremental pass; -1 for a full pass */
} np_alert_sweep_stats_t;

/** More enterprises touched than this since the last pass: the incremental sweep does a full pass. */
#define NP_ALERT_SWEEP_MAX_TOUCHED 5000

/**
 * The periodic pass, one transaction: resolves live alerts whose rule no longer matches (or was
 * switched off), escalates open alerts past their deadline (as many levels as were missed), raises
 * the missing alerts. Idempotent. st may be NULL.
 */
np_err np_firms_alerts_sweep(np_store_t *s, int64_t now, np_alert_sweep_stats_t *st, np_errdetail_t *err);

/**
 * The same pass, incremental: since_seq is the change-feed position the previous pass of this
 * process returned in *next_seq (0 = none: a full pass). Only enterprises with a change-feed row
 * since then (entity enterprise, demand or project) are reconciled and evaluated; escalation always
 * covers every open alert (an index range on due_at). A rule change, or more than
 * NP_ALERT_SWEEP_MAX_TOUCHED touched enterprises, makes it a full pass. Demand changes re-evaluate
 * their enterprise at once (np_firms_alerts_check_enterprise), so this pass is the safety net for
 * headcount, project and rule changes; callers should still run a full pass now and then (change
 * rows of concurrent transactions may commit out of sequence order on PostgreSQL).
 */
np_err np_firms_alerts_sweep_since(np_store_t *s, int64_t now, int64_t since_seq, int64_t *next_seq,
                                   np_alert_sweep_stats_t *st, np_errdetail_t *err);

/**
 * Acknowledges alert `id` (the team has taken it on): note required (1–500 characters), planned
 * response optional (≤ 1000). Outside scope or absent → NP_ERR_NOT_FOUND; resolved → NP_ERR_CONFLICT
 * "resolved"; already acknowledged → NP_ERR_CONFLICT "already_acknowledged". *out (may be NULL)
 * receives the alert as JSON.
 */
np_err np_firms_alert_ack(np_store_t *s, const np_audit_entry_t *actor, const np_scope_t *scope, int64_t id,
                          const char *note, const char *planned_response, int64_t now, json_t **out,
                          np_errdetail_t *err);

/** Closes alert `id` with a reason (1–500 characters); same errors as ack ("resolved" when closed). */
np_err np_firms_alert_resolve(np_store_t *s, const np_audit_entry_t *actor, const np_scope_t *scope, int64_t id,
                              const char *reason, int64_t now, json_t **out, np_errdetail_t *err);

/** The alert as JSON, with its history when with_history; NP_ERR_NOT_FOUND outside scope. */
np_err np_firms_alert_get(np_store_t *s, const np_scope_t *scope, int64_t id, bool with_history, int64_t now,
                          json_t **out, np_errdetail_t *err);

typedef struct np_alert_filter {
  const np_scope_t *scope;   /* required */
  const char *region_prefix; /* "3701", "370102" … (np_authz_region_prefix), NULL = any */
  int level;                 /* -1 any, else np_alert_level */
  const char *status;        /* "open", "acknowledged", "resolved", "active" (open + acknowledged), NULL any */
  int overdue;               /* -1 any, 0, 1 (open and past due_at) */
  int green;                 /* -1 any, 0, 1 */
  int64_t enterprise_id;     /* 0 any */
  int64_t limit;             /* 1..100 */
  const char *cursor;        /* from next_cursor, NULL = first page */
} np_alert_filter_t;

/**
 * One page of the board, green first, then due_at, then id: {"items","total","next_cursor"}.
 * A malformed cursor → NP_ERR_INVALID (field cursor).
 */
np_err np_firms_alert_list(np_store_t *s, const np_alert_filter_t *f, int64_t now, json_t **out, np_errdetail_t *err);

/**
 * Per county (within scope and region_prefix) for alerts raised in [from, to) (Unix seconds; 0 = no
 * bound): raised, met, missed, pending, not_required, open (unresolved), escalated, plus totals.
 * An open alert past its county deadline counts as missed even before a sweep recorded it.
 */
np_err np_firms_alert_report(np_store_t *s, const np_scope_t *scope, const char *region_prefix, int64_t from,
                             int64_t to, int64_t now, json_t **out, np_errdetail_t *err);

/**
 * The green-channel ordering for other lists: writes "<expr> DESC, " into out, where <expr> is 1 for
 * an enterprise with green_channel = 1 or a major project (not suspended), else 0; enterprise_id_col
 * names the enterprise id column of the list's query ("e.id", "d.enterprise_id"). Put it first in
 * the ORDER BY (and in the keyset cursor). false (out = "") when the column name is not a plain
 * [a-z0-9_.] identifier or out is too small (256 bytes are enough).
 */
bool np_firms_green_first_order(const char *enterprise_id_col, char *out, size_t cap);

/** The 0/1 green-channel expression itself (same rules as above), without " DESC, ". */
bool np_firms_green_expr(const char *enterprise_id_col, char *out, size_t cap);

/**
 * Registers the alert routes (GET /api/v1/alerts, /alerts/report, /alerts/{id}, POST
 * /alerts/{id}/ack, /alerts/{id}/resolve, GET/PUT /api/v1/alert-rules) and runs one sweep when the
 * server has a store pool (server start). Called from np_firms_api_register.
 */
void np_firms_alerts_api_register(np_http_t *h);

#endif
