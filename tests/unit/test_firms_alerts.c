/*
 * Large-scale shortage alerts: rule thresholds (49/50 openings, 10 % of headcount edges), evaluation
 * against the database, escalation timing with an injected clock, acknowledgement, met/missed
 * reporting, automatic and manual resolution, rules editing, green-first ordering and the board.
 */
#include "testutil.h"
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include "core/date.h"
#include "core/ids.h"
#include "firms/alerts.h"
#include "store/store.h"

static np_store_t *s;
static np_audit_entry_t actor = {.user_id = 7, .username = "lixia", .role = "county_staff", .ip = "127.0.0.1"};
static np_scope_t all = {.kind = NP_SCOPE_ALL};
static int64_t T0; /* 2023-04-01T00:00:00Z */
#define H (INT64_C(3600))

static int64_t ts(const char *s_) {
  int64_t t = 0;
  assert_int_equal(np_date_parse_ts_utc(s_, strlen(s_), &t), NP_OK);
  return t;
}

static int serial;

static int64_t add_ent(const char *county, int64_t headcount, int64_t openings, int green) {
  char uscc[24], region[16], city[8];
  snprintf(uscc, sizeof uscc, "TEST%014d", ++serial);
  snprintf(region, sizeof region, "%s001", county);
  snprintf(city, sizeof city, "%.4s00", county);
  int64_t id = 0;
  np_errdetail_t e = {0};
  np_err rc = np_store_queryf_int64(
      s, &id, NULL, &e,
      "INSERT INTO enterprises (uscc, name, industry_code, industry_section, region_code, township_code, county_code, "
      "city_code, size_class, size_basis, headcount, open_openings, green_channel, created_at, updated_at) "
      "VALUES (?, ?, '3411', 'C', ?, ?, ?, ?, 'small', 'test', ?, ?, ?, '2023-01-01T00:00:00Z', "
      "'2023-01-01T00:00:00Z') RETURNING id",
      "ttttttiii", uscc, uscc, region, region, county, city, headcount, openings, (int64_t)green);
  if (rc) fprintf(stderr, "enterprise: %s\n", e.message);
  assert_int_equal(rc, NP_OK);
  return id;
}

static void set_openings(int64_t ent, int64_t openings) {
  assert_int_equal(np_store_execf(s, NULL, NULL, "UPDATE enterprises SET open_openings = ? WHERE id = ?", "ii",
                                  openings, ent),
                   NP_OK);
}

static int64_t q1(const char *sql, int64_t ent) {
  int64_t v = -1;
  bool found = false;
  assert_int_equal(np_store_queryf_int64(s, &v, &found, NULL, sql, "i", ent), NP_OK);
  return found ? v : -1;
}

static int64_t count_alerts(int64_t ent) { return q1("SELECT COUNT(*) FROM alerts WHERE enterprise_id = ?", ent); }
static int64_t live_alert(int64_t ent) {
  return q1("SELECT id FROM alerts WHERE enterprise_id = ? AND live = 1 ORDER BY id DESC LIMIT 1", ent);
}

static void check(int64_t ent, int64_t now) {
  np_errdetail_t e = {0};
  np_err rc = np_firms_alerts_check_enterprise(s, ent, now, &e);
  if (rc) fprintf(stderr, "check: %s %s\n", e.code, e.message);
  assert_int_equal(rc, NP_OK);
}

static void sweep(int64_t now, np_alert_sweep_stats_t *st) {
  np_errdetail_t e = {0};
  np_err rc = np_firms_alerts_sweep(s, now, st, &e);
  if (rc) fprintf(stderr, "sweep: %s %s\n", e.code, e.message);
  assert_int_equal(rc, NP_OK);
}

static json_t *get(int64_t id, int64_t now) {
  json_t *o = NULL;
  np_errdetail_t e = {0};
  assert_int_equal(np_firms_alert_get(s, &all, id, true, now, &o, &e), NP_OK);
  return o;
}

static const char *str(json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

static int setup(void **state) {
  (void)state;
  np_errdetail_t e = {0};
  int applied = 0;
  if (np_store_open(tu_tmp_db_url("firms_alerts.db"), &s, &e) || np_store_migrate(s, &applied, &e)) {
    fprintf(stderr, "setup: %s %s\n", e.code, e.message);
    return -1;
  }
  T0 = ts("2023-04-01T00:00:00Z");
  return 0;
}

static int teardown(void **state) {
  (void)state;
  np_store_close(s);
  return 0;
}

/* ---- pure rule matching ---- */

static void test_rule_matching(void **state) {
  (void)state;
  np_alert_rule_t min = {.kind = NP_ALERT_RULE_OPENINGS_MIN, .threshold = 50};
  assert_false(np_alert_rule_matches(&min, 49, 10000, false));
  assert_true(np_alert_rule_matches(&min, 50, 10000, false));
  assert_true(np_alert_rule_matches(&min, 51, 0, false));
  assert_false(np_alert_rule_matches(&min, 0, 0, true));

  np_alert_rule_t share = {.kind = NP_ALERT_RULE_OPENINGS_SHARE, .threshold = 1000, .min_openings = 5};
  assert_false(np_alert_rule_matches(&share, 9, 100, false)); /* 9 % */
  assert_true(np_alert_rule_matches(&share, 10, 100, false)); /* exactly 10 % */
  assert_true(np_alert_rule_matches(&share, 5, 50, false));   /* 10 % and the minimum */
  assert_false(np_alert_rule_matches(&share, 5, 51, false));  /* 9.8 % */
  assert_false(np_alert_rule_matches(&share, 4, 40, false));  /* 10 % but under the minimum of 5 */
  assert_false(np_alert_rule_matches(&share, 4, 10, false));  /* 40 %, still under 5 openings */
  assert_false(np_alert_rule_matches(&share, 20, 0, false));  /* no headcount: no share */
  assert_true(np_alert_rule_matches(&share, 100, 1000, false));
  assert_false(np_alert_rule_matches(&share, 99, 1000, false));
  assert_false(np_alert_rule_matches(&share, INT64_MAX / 2, 1000, false)); /* overflow refused, not wrapped */

  np_alert_rule_t major = {.kind = NP_ALERT_RULE_MAJOR_PROJECT, .threshold = 1};
  assert_true(np_alert_rule_matches(&major, 1, 10000, true));
  assert_false(np_alert_rule_matches(&major, 1, 10000, false));
  assert_false(np_alert_rule_matches(&major, 0, 10000, true));
  np_alert_rule_t zero = {.kind = NP_ALERT_RULE_OPENINGS_MIN, .threshold = 0};
  assert_false(np_alert_rule_matches(&zero, 100, 100, true));
  assert_false(np_alert_rule_matches(NULL, 100, 100, true));
}

/* ---- the seeded defaults and evaluation against the database ---- */

static void test_defaults_and_thresholds(void **state) {
  (void)state;
  np_alert_rule_t rules[NP_ALERT_MAX_RULES];
  size_t n = 0;
  assert_int_equal(np_alert_rules_load(s, rules, NP_ALERT_MAX_RULES, &n, NULL), NP_OK);
  assert_int_equal(n, 3);
  assert_string_equal(rules[0].code, "openings_50");
  assert_int_equal(rules[0].threshold, 50);
  assert_int_equal(rules[1].kind, NP_ALERT_RULE_OPENINGS_SHARE);
  assert_int_equal(rules[1].threshold, 1000);
  assert_int_equal(rules[1].min_openings, 5);
  assert_int_equal(rules[0].hours[0], 24);
  assert_int_equal(rules[0].hours[1], 24);
  assert_int_equal(rules[0].hours[2], 48);

  /* 49 openings of 10000: nothing; 50: the count rule (0.5 % is no share alert) */
  int64_t big = add_ent("370102", 10000, 49, 0);
  check(big, T0);
  assert_int_equal(count_alerts(big), 0);
  set_openings(big, 50);
  check(big, T0);
  assert_int_equal(count_alerts(big), 1);
  assert_int_equal(q1("SELECT COUNT(*) FROM alerts a JOIN alert_rules r ON r.id = a.rule_id WHERE a.enterprise_id = "
                      "? AND r.code = 'openings_50'",
                      big),
                   1);
  check(big, T0); /* idempotent: still one live alert */
  assert_int_equal(count_alerts(big), 1);

  /* 9 of 100: nothing; 10 of 100: the share rule */
  int64_t mid = add_ent("370102", 100, 9, 0);
  check(mid, T0);
  assert_int_equal(count_alerts(mid), 0);
  set_openings(mid, 10);
  check(mid, T0);
  assert_int_equal(count_alerts(mid), 1);

  /* tiny firm: 4 of 10 is 40 % but under the minimum */
  int64_t tiny = add_ent("370102", 10, 4, 0);
  check(tiny, T0);
  assert_int_equal(count_alerts(tiny), 0);

  /* a major project with one opening; a suspended one does not count */
  int64_t proj = add_ent("370112", 5000, 1, 0);
  assert_int_equal(np_store_execf(s, NULL, NULL,
                                  "INSERT INTO projects (name, enterprise_id, region_code, county_code, city_code, "
                                  "investment_fen, stage, is_major, created_at, updated_at) VALUES ('p', ?, "
                                  "'370112001', '370112', '370100', 1000000000, 'suspended', 1, "
                                  "'2023-01-01T00:00:00Z', '2023-01-01T00:00:00Z')",
                                  "i", proj),
                   NP_OK);
  check(proj, T0);
  assert_int_equal(count_alerts(proj), 0);
  assert_int_equal(np_store_execf(s, NULL, NULL, "UPDATE projects SET stage = 'construction' WHERE enterprise_id = ?",
                                  "i", proj),
                   NP_OK);
  check(proj, T0);
  assert_int_equal(count_alerts(proj), 1);
  json_t *a = get(live_alert(proj), T0);
  assert_true(json_is_true(json_object_get(a, "green_channel")));
  assert_string_equal(str(json_object_get(a, "rule"), "code"), "major_project");
  assert_string_equal(str(a, "due_at"), "2023-04-01T12:00:00Z"); /* major projects: 12 h */
  json_decref(a);

  /* the change feed and the audit log saw the raise */
  assert_true(q1("SELECT COUNT(*) FROM changes WHERE entity = 'alert' AND seq > ?", 0) >= 3);
  assert_true(q1("SELECT COUNT(*) FROM audit_log WHERE action = 'alert.raise' AND seq > ?", 0) >= 3);
}

/* ---- escalation with an injected clock ---- */

static void test_escalation_timing(void **state) {
  (void)state;
  int64_t ent = add_ent("370103", 10000, 60, 0);
  check(ent, T0);
  int64_t id = live_alert(ent);
  assert_true(id > 0);
  np_alert_sweep_stats_t st = {0};

  sweep(T0 + 24 * H, &st); /* exactly at the deadline: not yet late */
  json_t *a = get(id, T0 + 24 * H);
  assert_string_equal(str(a, "level"), "county");
  assert_string_equal(str(a, "deadline"), "pending");
  assert_false(json_is_true(json_object_get(a, "overdue")));
  json_decref(a);

  sweep(T0 + 24 * H + 1, &st);
  assert_true(st.escalated >= 1);
  a = get(id, T0 + 24 * H + 1);
  assert_string_equal(str(a, "level"), "city");
  assert_string_equal(str(a, "due_at"), "2023-04-03T00:00:00Z"); /* + 24 h */
  assert_string_equal(str(a, "escalated_at"), "2023-04-02T00:00:00Z");
  assert_string_equal(str(a, "deadline"), "missed");
  json_decref(a);

  sweep(T0 + 48 * H + 1, &st);
  a = get(id, T0 + 48 * H + 1);
  assert_string_equal(str(a, "level"), "province");
  assert_string_equal(str(a, "due_at"), "2023-04-05T00:00:00Z"); /* + 48 h */
  json_t *hist = json_object_get(a, "history");
  assert_int_equal(json_array_size(hist), 3); /* raise, escalate, escalate */
  assert_string_equal(str(json_array_get(hist, 1), "action"), "escalate");
  assert_string_equal(str(json_array_get(hist, 2), "level_after"), "province");
  json_decref(a);

  /* past the province deadline: stays at the province, overdue */
  sweep(T0 + 200 * H, &st);
  a = get(id, T0 + 200 * H);
  assert_string_equal(str(a, "level"), "province");
  assert_true(json_is_true(json_object_get(a, "overdue")));
  assert_int_equal(json_array_size(json_object_get(a, "history")), 3);
  json_decref(a);

  /* a late sweep escalates through both levels at once, each step stamped at its deadline */
  int64_t ent2 = add_ent("370103", 10000, 70, 0);
  check(ent2, T0);
  int64_t id2 = live_alert(ent2);
  sweep(T0 + 60 * H, &st);
  a = get(id2, T0 + 60 * H);
  assert_string_equal(str(a, "level"), "province");
  hist = json_object_get(a, "history");
  assert_int_equal(json_array_size(hist), 3);
  assert_string_equal(str(json_array_get(hist, 1), "at"), "2023-04-02T00:00:00Z");
  assert_string_equal(str(json_array_get(hist, 2), "at"), "2023-04-03T00:00:00Z");
  json_decref(a);

  /* an acknowledged alert never escalates */
  int64_t ent3 = add_ent("370103", 10000, 80, 0);
  check(ent3, T0);
  int64_t id3 = live_alert(ent3);
  np_errdetail_t e = {0};
  assert_int_equal(np_firms_alert_ack(s, &actor, &all, id3, "on it", "special session on 4-05", T0 + H, NULL, &e),
                   NP_OK);
  sweep(T0 + 100 * H, &st);
  a = get(id3, T0 + 100 * H);
  assert_string_equal(str(a, "level"), "county");
  assert_string_equal(str(a, "status"), "acknowledged");
  assert_string_equal(str(a, "deadline"), "met");
  assert_string_equal(str(json_object_get(a, "acknowledged"), "planned_response"), "special session on 4-05");
  json_decref(a);
}

/* ---- acknowledgement, met / missed, report ---- */

static void test_ack_and_report(void **state) {
  (void)state;
  int64_t t = ts("2023-05-01T00:00:00Z");
  int64_t e1 = add_ent("370104", 10000, 55, 0), e2 = add_ent("370104", 10000, 56, 0), e3 = add_ent("370104", 10000, 57, 0);
  int64_t e4 = add_ent("370105", 10000, 58, 0);
  check(e1, t), check(e2, t), check(e3, t), check(e4, t);
  int64_t a1 = live_alert(e1), a2 = live_alert(e2), a3 = live_alert(e3), a4 = live_alert(e4);
  np_errdetail_t e = {0};
  json_t *o = NULL;
  /* in time (at the deadline itself counts) */
  assert_int_equal(np_firms_alert_ack(s, &actor, &all, a1, "联系企业，安排专场招聘", NULL, t + 24 * H, &o, &e), NP_OK);
  assert_string_equal(str(o, "deadline"), "met");
  assert_string_equal(str(o, "status"), "acknowledged");
  json_decref(o);
  /* late, before any sweep: still missed */
  assert_int_equal(np_firms_alert_ack(s, &actor, &all, a2, "late", NULL, t + 30 * H, NULL, &e), NP_OK);
  /* a second ack → 409; a note is required */
  assert_int_equal(np_firms_alert_ack(s, &actor, &all, a2, "again", NULL, t + 31 * H, NULL, &e), NP_ERR_CONFLICT);
  assert_string_equal(e.code, "already_acknowledged");
  assert_int_equal(np_firms_alert_ack(s, &actor, &all, a3, "", NULL, t + H, NULL, &e), NP_ERR_INVALID);
  assert_string_equal(e.field, "note");
  /* outside the jurisdiction: not found */
  np_scope_t other = {.kind = NP_SCOPE_REGION};
  memcpy(other.region_prefix, "370105", 7);
  assert_int_equal(np_firms_alert_ack(s, &actor, &other, a3, "x", NULL, t + H, NULL, &e), NP_ERR_NOT_FOUND);
  assert_int_equal(np_firms_alert_get(s, &other, a3, false, t, &o, &e), NP_ERR_NOT_FOUND);
  /* resolved → 409 on ack and on resolve */
  assert_int_equal(np_firms_alert_resolve(s, &actor, &other, a4, "已对接劳务协作，缺口已落实", t + 2 * H, NULL, &e), NP_OK);
  assert_int_equal(np_firms_alert_ack(s, &actor, &all, a4, "x", NULL, t + 3 * H, NULL, &e), NP_ERR_CONFLICT);
  assert_string_equal(e.code, "resolved");
  assert_int_equal(np_firms_alert_resolve(s, &actor, &all, a4, "x", t + 3 * H, NULL, &e), NP_ERR_CONFLICT);

  /* report for 370104 in May: 3 raised, 1 met, 1 missed (late ack), a3 pending then missed */
  int64_t from = ts("2023-04-30T16:00:00Z"), to = ts("2023-05-31T16:00:00Z");
  assert_int_equal(np_firms_alert_report(s, &all, "370104", from, to, t + 2 * H, &o, &e), NP_OK);
  json_t *items = json_object_get(o, "items");
  assert_int_equal(json_array_size(items), 1);
  json_t *row = json_array_get(items, 0);
  assert_string_equal(str(row, "county_code"), "370104");
  assert_int_equal(json_integer_value(json_object_get(row, "raised")), 3);
  assert_int_equal(json_integer_value(json_object_get(row, "met")), 1);
  assert_int_equal(json_integer_value(json_object_get(row, "missed")), 1);
  assert_int_equal(json_integer_value(json_object_get(row, "pending")), 1);
  assert_int_equal(json_integer_value(json_object_get(row, "open")), 3);
  assert_int_equal(json_integer_value(json_object_get(row, "acknowledged")), 2);
  json_decref(o);
  /* later, without a sweep, the unacknowledged one counts as missed */
  assert_int_equal(np_firms_alert_report(s, &all, "370104", from, to, t + 25 * H, &o, &e), NP_OK);
  row = json_array_get(json_object_get(o, "items"), 0);
  assert_int_equal(json_integer_value(json_object_get(row, "missed")), 2);
  assert_int_equal(json_integer_value(json_object_get(row, "pending")), 0);
  json_decref(o);
  /* the whole province per county, and a window with nothing in it */
  assert_int_equal(np_firms_alert_report(s, &all, NULL, from, to, t + 2 * H, &o, &e), NP_OK);
  assert_int_equal(json_array_size(json_object_get(o, "items")), 2);
  assert_int_equal(json_integer_value(json_object_get(json_object_get(o, "totals"), "raised")), 4);
  assert_int_equal(json_integer_value(json_object_get(json_object_get(o, "totals"), "met")), 2); /* a4 closed in time */
  json_decref(o);
  assert_int_equal(np_firms_alert_report(s, &all, NULL, ts("2022-01-01T00:00:00Z"), ts("2022-02-01T00:00:00Z"), t,
                                         &o, &e),
                   NP_OK);
  assert_int_equal(json_array_size(json_object_get(o, "items")), 0);
  json_decref(o);
}

/* ---- automatic resolution, manual closing keeps the pair quiet ---- */

static void test_resolution(void **state) {
  (void)state;
  int64_t t = ts("2023-06-01T00:00:00Z");
  int64_t ent = add_ent("370112", 10000, 50, 0);
  check(ent, t);
  int64_t id = live_alert(ent);
  set_openings(ent, 49); /* a hire: below the rule before the deadline */
  check(ent, t + H);
  json_t *a = get(id, t + H);
  assert_string_equal(str(a, "status"), "resolved");
  assert_string_equal(str(a, "deadline"), "not_required");
  assert_string_equal(str(json_object_get(a, "resolved"), "resolution"), "auto");
  json_decref(a);
  assert_int_equal(live_alert(ent), -1);

  /* back above: a new alert */
  set_openings(ent, 80);
  check(ent, t + 2 * H);
  int64_t id2 = live_alert(ent);
  assert_true(id2 > id);
  /* closed by staff while still 80 open: no re-raise on the next sweep */
  np_errdetail_t e = {0};
  assert_int_equal(np_firms_alert_resolve(s, &actor, &all, id2, "企业自行招聘中", t + 3 * H, NULL, &e), NP_OK);
  np_alert_sweep_stats_t st = {0};
  sweep(t + 4 * H, &st);
  assert_int_equal(count_alerts(ent), 2);
  /* the shortage ends (rearm), then comes back: raised again */
  set_openings(ent, 10);
  sweep(t + 5 * H, &st);
  assert_true(st.rearmed >= 1);
  set_openings(ent, 90);
  sweep(t + 6 * H, &st);
  assert_int_equal(count_alerts(ent), 3);

  /* switching a rule off resolves its live alerts */
  int64_t id3 = live_alert(ent);
  assert_int_equal(np_store_execf(s, NULL, NULL, "UPDATE alert_rules SET active = 0 WHERE code = 'openings_50'", ""),
                   NP_OK);
  sweep(t + 7 * H, &st);
  a = get(id3, t + 7 * H);
  assert_string_equal(str(a, "status"), "resolved");
  assert_string_equal(str(json_object_get(a, "resolved"), "reason"), "rule_inactive");
  json_decref(a);
  assert_int_equal(np_store_execf(s, NULL, NULL, "UPDATE alert_rules SET active = 1 WHERE code = 'openings_50'", ""),
                   NP_OK);
}

/* ---- incremental sweep: only enterprises on the change feed since the last pass ---- */

static void sweep_since(int64_t now, int64_t *seq, np_alert_sweep_stats_t *st) {
  np_errdetail_t e = {0};
  int64_t next = 0;
  np_err rc = np_firms_alerts_sweep_since(s, now, *seq, &next, st, &e);
  if (rc) fprintf(stderr, "sweep_since: %s %s\n", e.code, e.message);
  assert_int_equal(rc, NP_OK);
  assert_true(next >= *seq);
  *seq = next;
}

static void change(const char *entity, const char *id) {
  np_errdetail_t e = {0};
  assert_int_equal(np_store_begin(s, &e), NP_OK); /* change rows are written inside a transaction */
  assert_int_equal(np_store_change(s, entity, id, "update", NULL, &e), NP_OK);
  assert_int_equal(np_store_commit(s, &e), NP_OK);
}

static void test_incremental_sweep(void **state) {
  (void)state;
  int64_t t = ts("2023-07-01T00:00:00Z"), seq = 0;
  np_alert_sweep_stats_t st = {0};
  sweep_since(t, &seq, &st); /* no position yet: a full pass */
  assert_int_equal(st.enterprises, -1);
  /* two enterprises cross the 50-openings rule behind the feed's back; only the one with a change row
   * is looked at by the next incremental pass */
  int64_t a = add_ent("370113", 10000, 60, 0), b = add_ent("370113", 10000, 70, 0);
  char sid[32];
  snprintf(sid, sizeof sid, "ent_%lld", (long long)a);
  change("enterprise", sid);
  sweep_since(t + H, &seq, &st);
  assert_int_equal(st.enterprises, 1);
  assert_true(live_alert(a) > 0);
  assert_int_equal(live_alert(b), -1);
  /* nothing new on the feed: nothing to re-evaluate */
  sweep_since(t + 2 * H, &seq, &st);
  assert_int_equal(st.enterprises, 0);
  assert_int_equal(st.raised, 0);
  /* the shortage of a ends: resolved by the pass that sees its change */
  set_openings(a, 5);
  change("enterprise", sid);
  sweep_since(t + 3 * H, &seq, &st);
  assert_int_equal(st.resolved, 1);
  assert_int_equal(live_alert(a), -1);
  /* a rule change makes it a full pass: b is raised too */
  change("alert_rule", "openings_50");
  sweep_since(t + 4 * H, &seq, &st);
  assert_int_equal(st.enterprises, -1);
  assert_true(live_alert(b) > 0);
  /* the full pass of np_firms_alerts_sweep agrees: nothing left to raise */
  sweep(t + 5 * H, &st);
  assert_int_equal(st.raised, 0);
}

/* ---- rules editing ---- */

static np_err put(const char *body, np_errdetail_t *e) {
  json_error_t je;
  json_t *b = json_loads(body, JSON_REJECT_DUPLICATES, &je);
  if (!b) fail_msg("bad JSON: %s", je.text);
  np_err rc = np_alert_rules_put(s, &actor, b, T0, e);
  if (rc) fprintf(stderr, "put: %s %s %s\n", e->code, e->field, e->message);
  json_decref(b);
  return rc;
}

static void test_rules_put(void **state) {
  (void)state;
  np_errdetail_t e = {0};
  assert_int_equal(put("{\"items\":[{\"code\":\"openings_50\",\"threshold\":0,\"version\":1}]}", &e), NP_ERR_INVALID);
  assert_string_equal(e.field, "items[0].threshold");
  assert_string_equal(e.code, "range");
  assert_int_equal(put("{\"items\":[{\"code\":\"openings_50\",\"threshold\":-5,\"version\":1}]}", &e), NP_ERR_INVALID);
  assert_int_equal(put("{\"items\":[{\"code\":\"openings_share_10\",\"threshold\":10001,\"version\":1}]}", &e),
                   NP_ERR_INVALID);
  assert_int_equal(put("{\"items\":[{\"code\":\"openings_50\",\"county_hours\":0,\"version\":1}]}", &e),
                   NP_ERR_INVALID);
  assert_string_equal(e.field, "items[0].county_hours");
  assert_int_equal(put("{\"items\":[{\"code\":\"openings_50\",\"kind\":\"major_project\",\"version\":1}]}", &e),
                   NP_ERR_INVALID);
  assert_int_equal(put("{\"items\":[{\"code\":\"openings_50\",\"threshold\":60,\"version\":99}]}", &e),
                   NP_ERR_CONFLICT);
  assert_int_equal(put("{\"items\":[{\"code\":\"openings_50\",\"threshold\":60}]}", &e), NP_ERR_INVALID);
  assert_int_equal(put("{\"items\":[{\"code\":\"new_rule\",\"threshold\":60}]}", &e), NP_ERR_INVALID); /* no kind */
  assert_int_equal(put("{\"items\":[]}", &e), NP_ERR_INVALID);
  assert_int_equal(put("{\"items\":[{\"code\":\"openings_50\",\"bogus\":1,\"version\":1}]}", &e), NP_ERR_INVALID);
  assert_string_equal(e.code, "unknown_field");
  /* nothing was written by the failures */
  assert_int_equal(q1("SELECT threshold FROM alert_rules WHERE code = 'openings_50' AND id = ?", 1), 50);

  int64_t before = q1("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'alert_rule.%' AND seq > ?", 0);
  assert_int_equal(put("{\"items\":[{\"code\":\"openings_50\",\"threshold\":60,\"city_hours\":12,\"version\":1},"
                       "{\"code\":\"openings_200\",\"name\":\"缺工200人以上\",\"kind\":\"openings_min\","
                       "\"threshold\":200,\"county_hours\":8}]}",
                       &e),
                   NP_OK);
  np_alert_rule_t rules[NP_ALERT_MAX_RULES];
  size_t n = 0;
  assert_int_equal(np_alert_rules_load(s, rules, NP_ALERT_MAX_RULES, &n, NULL), NP_OK);
  assert_int_equal(n, 4);
  assert_int_equal(rules[0].threshold, 60);
  assert_int_equal(rules[0].hours[1], 12);
  assert_int_equal(rules[0].version, 2);
  assert_string_equal(rules[3].code, "openings_200");
  assert_int_equal(rules[3].hours[0], 8);
  assert_int_equal(rules[3].hours[2], 48);
  assert_int_equal(q1("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'alert_rule.%' AND seq > ?", 0), before + 2);
  /* put them back */
  assert_int_equal(put("{\"items\":[{\"code\":\"openings_50\",\"threshold\":50,\"city_hours\":24,\"version\":2},"
                       "{\"code\":\"openings_200\",\"active\":false,\"version\":1}]}",
                       &e),
                   NP_OK);
}

/* ---- green first, board filters and cursor ---- */

static void test_board(void **state) {
  (void)state;
  char buf[512];
  assert_true(np_firms_green_first_order("e.id", buf, sizeof buf));
  assert_non_null(strstr(buf, "green_channel = 1"));
  assert_non_null(strstr(buf, " DESC, "));
  assert_false(np_firms_green_first_order("e.id; DROP TABLE x", buf, sizeof buf));
  assert_string_equal(buf, "");
  assert_false(np_firms_green_first_order("e.id", buf, 40));
  /* the fragment works in a real ORDER BY */
  np_stmt_t *st = NULL;
  char sql[768];
  assert_true(np_firms_green_first_order("e.id", buf, sizeof buf));
  snprintf(sql, sizeof sql, "SELECT e.id FROM enterprises e ORDER BY %s e.id LIMIT 1", buf);
  assert_int_equal(np_store_prepare(s, sql, &st, NULL), NP_OK);
  bool has = false;
  assert_int_equal(np_store_step(st, &has, NULL), NP_OK);
  assert_true(has);
  np_store_release(st);

  int64_t t = ts("2023-07-01T00:00:00Z");
  int64_t plain = add_ent("370113", 10000, 100, 0), green = add_ent("370113", 10000, 100, 1);
  check(plain, t - H); /* due earlier, yet the green one comes first */
  check(green, t);
  np_alert_filter_t f = {.scope = &all, .region_prefix = "370113", .level = -1, .overdue = -1, .green = -1, .limit = 1};
  json_t *o = NULL;
  np_errdetail_t e = {0};
  assert_int_equal(np_firms_alert_list(s, &f, t, &o, &e), NP_OK);
  assert_int_equal(json_integer_value(json_object_get(o, "total")), 2);
  json_t *first = json_array_get(json_object_get(o, "items"), 0);
  assert_true(json_is_true(json_object_get(first, "green_channel")));
  const char *cursor = str(o, "next_cursor");
  assert_non_null(cursor);
  char cur[64];
  snprintf(cur, sizeof cur, "%s", cursor);
  json_decref(o);
  f.cursor = cur;
  assert_int_equal(np_firms_alert_list(s, &f, t, &o, &e), NP_OK);
  assert_int_equal(json_array_size(json_object_get(o, "items")), 1);
  first = json_array_get(json_object_get(o, "items"), 0);
  assert_false(json_is_true(json_object_get(first, "green_channel")));
  assert_true(json_is_null(json_object_get(o, "next_cursor")));
  json_decref(o);
  f.cursor = "garbage";
  assert_int_equal(np_firms_alert_list(s, &f, t, &o, &e), NP_ERR_INVALID);
  assert_string_equal(e.field, "cursor");
  /* filters */
  f.cursor = NULL;
  f.limit = 100;
  f.green = 1;
  assert_int_equal(np_firms_alert_list(s, &f, t, &o, &e), NP_OK);
  assert_int_equal(json_integer_value(json_object_get(o, "total")), 1);
  json_decref(o);
  f.green = -1;
  f.overdue = 1;
  assert_int_equal(np_firms_alert_list(s, &f, t + 24 * H, &o, &e), NP_OK); /* only the earlier one is past due */
  assert_int_equal(json_integer_value(json_object_get(o, "total")), 1);
  json_decref(o);
  f.overdue = -1;
  f.status = "resolved";
  assert_int_equal(np_firms_alert_list(s, &f, t, &o, &e), NP_OK);
  assert_int_equal(json_integer_value(json_object_get(o, "total")), 0);
  json_decref(o);
  /* scope: a county elsewhere sees none of them; the city sees both */
  np_scope_t county = {.kind = NP_SCOPE_REGION}, city = {.kind = NP_SCOPE_REGION};
  memcpy(county.region_prefix, "370102", 7);
  memcpy(city.region_prefix, "3701", 5);
  f.status = NULL;
  f.scope = &county;
  assert_int_equal(np_firms_alert_list(s, &f, t, &o, &e), NP_OK);
  assert_int_equal(json_integer_value(json_object_get(o, "total")), 0);
  json_decref(o);
  f.scope = &city;
  assert_int_equal(np_firms_alert_list(s, &f, t, &o, &e), NP_OK);
  assert_int_equal(json_integer_value(json_object_get(o, "total")), 2);
  json_decref(o);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_rule_matching),     cmocka_unit_test(test_defaults_and_thresholds),
    cmocka_unit_test(test_escalation_timing), cmocka_unit_test(test_ack_and_report),
    cmocka_unit_test(test_resolution),        cmocka_unit_test(test_rules_put),
    cmocka_unit_test(test_board),             cmocka_unit_test(test_incremental_sweep),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
