/* The matching engine's settings: read and change them (see config.h). */
#include "match/config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/date.h"
#include "core/json.h"
#include "core/str.h"
#include "match/score.h"

#define MAX_CHANGE 200

static const char *const setting_names[] = {"seeker_daily_pushes", "demand_flood_multiple", "pref_list_max"};
static const int64_t setting_min[] = {1, 1, 1}, setting_max[] = {1000, 100, 10000};
#define NSETTINGS 3

/* prefixes err->field with "prefix" (and "[i]" when i >= 0) */
static np_err field_in(np_err rc, const char *prefix, long i, np_errdetail_t *err) {
  if (err && rc) {
    char f[sizeof err->field];
    if (i >= 0) snprintf(f, sizeof f, "%s[%ld]%s%.60s", prefix, i, err->field[0] ? "." : "", err->field);
    else snprintf(f, sizeof f, "%s%s%.60s", prefix, err->field[0] ? "." : "", err->field);
    np_strlcpy(err->field, f, sizeof err->field);
  }
  return rc;
}

static const char *occ_name(const np_ref_t *ref, const char *code) {
  const np_ref_item_t *it = ref && code ? np_ref_item(ref, NP_REF_OCCUPATIONS, code) : NULL;
  return it ? it->name : NULL;
}

np_err np_match_config_get(np_store_t *s, const np_ref_t *ref, json_t **out, np_errdetail_t *err) {
  *out = NULL;
  np_stmt_t *st = NULL;
  bool row;
  char updated[NP_TS_STRLEN] = "";
  json_t *o = json_object(), *w = json_object(), *rel = json_array();
  np_err rc = NP_OK;
  if (!o || !w || !rel) {
    rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
    goto out;
  }
  np_match_rules_t def;
  np_match_rules_default(&def);
  for (int t = 0; t < NP_MT__COUNT; t++) json_object_set_new(w, np_match_term_name((np_match_term)t), json_integer(def.weight[t]));
  if ((rc = np_store_prepare(s, "SELECT term, weight, updated_at FROM match_weights", &st, err))) goto out;
  while ((rc = np_store_step(st, &row, err)) == NP_OK && row) {
    const char *term = np_store_col_text(st, 0), *u = np_store_col_text(st, 2);
    if (np_match_term_parse(term) >= 0) json_object_set_new(w, term, json_integer(np_store_col_int64(st, 1)));
    if (u && strcmp(u, updated) > 0) np_strlcpy(updated, u, sizeof updated);
  }
  np_store_release(st);
  if (rc) goto out;
  json_object_set(o, "weights", w);
  static const int64_t defaults[NSETTINGS] = {20, 5, 200};
  for (int i = 0; i < NSETTINGS; i++) json_object_set_new(o, setting_names[i], json_integer(defaults[i]));
  if ((rc = np_store_prepare(s, "SELECT name, value, updated_at FROM match_settings", &st, err))) goto out;
  while ((rc = np_store_step(st, &row, err)) == NP_OK && row) {
    const char *name = np_store_col_text(st, 0), *u = np_store_col_text(st, 2);
    for (int i = 0; name && i < NSETTINGS; i++)
      if (strcmp(name, setting_names[i]) == 0) json_object_set_new(o, setting_names[i], json_integer(np_store_col_int64(st, 1)));
    if (u && strcmp(u, updated) > 0) np_strlcpy(updated, u, sizeof updated);
  }
  np_store_release(st);
  if (rc) goto out;
  if ((rc = np_store_prepare(s, "SELECT occupation_a, occupation_b, note FROM match_related_occupations "
                                "ORDER BY occupation_a, occupation_b", &st, err)))
    goto out;
  while ((rc = np_store_step(st, &row, err)) == NP_OK && row) {
    const char *a = np_store_col_text(st, 0), *b = np_store_col_text(st, 1), *note = np_store_col_text(st, 2);
    const char *na = occ_name(ref, a), *nb = occ_name(ref, b);
    json_t *p = json_object();
    json_object_set_new(p, "occupation_a", json_string(a ? a : ""));
    json_object_set_new(p, "name_a", na ? json_string(na) : json_null());
    json_object_set_new(p, "occupation_b", json_string(b ? b : ""));
    json_object_set_new(p, "name_b", nb ? json_string(nb) : json_null());
    json_object_set_new(p, "note", note ? json_string(note) : json_null());
    json_array_append_new(rel, p);
  }
  np_store_release(st);
  if (rc) goto out;
  json_object_set(o, "related_occupations", rel);
  json_object_set_new(o, "updated_at", updated[0] ? json_string(updated) : json_null());
  *out = o;
  o = NULL;
out:
  json_decref(o);
  json_decref(w);
  json_decref(rel);
  return rc;
}

typedef struct pair {
  const char *a, *b; /* a < b */
  const char *note;
} pair_t;

/* one related pair of an add/remove list, validated and ordered */
static np_err parse_pair(const np_ref_t *ref, const json_t *it, bool with_note, pair_t *p, np_errdetail_t *err) {
  static const char *const keys_add[] = {"occupation_a", "occupation_b", "note", NULL};
  static const char *const keys_rm[] = {"occupation_a", "occupation_b", NULL};
  np_err rc;
  if (!json_is_object(it)) return np_fail(err, NP_ERR_INVALID, "type", "", "each pair is an object {occupation_a, occupation_b}");
  if ((rc = np_json_check_keys(it, with_note ? keys_add : keys_rm, err))) return rc;
  const char *a = NULL, *b = NULL, *note = NULL;
  if ((rc = np_json_get_str(it, "occupation_a", NP_JSON_REQUIRED, 1, 24, &a, NULL, err)) ||
      (rc = np_json_get_str(it, "occupation_b", NP_JSON_REQUIRED, 1, 24, &b, NULL, err)) ||
      (with_note && (rc = np_json_get_str(it, "note", 0, 0, 200, &note, NULL, err))))
    return rc;
  const char *code[2] = {a, b}, *fld[2] = {"occupation_a", "occupation_b"};
  for (int k = 0; k < 2; k++) {
    const np_ref_item_t *o = ref ? np_ref_item(ref, NP_REF_OCCUPATIONS, code[k]) : NULL;
    if (!o) return np_fail(err, NP_ERR_INVALID, "unknown_occupation", fld[k], "%s is not an occupation code of the 2022 classification", code[k]);
    if (o->depth != 4)
      return np_fail(err, NP_ERR_INVALID, "not_an_occupation", fld[k],
                     "%s is a group; related pairs join two detailed occupations (four levels, like 6-18-02-04)", code[k]);
  }
  if (strcmp(a, b) == 0) return np_fail(err, NP_ERR_INVALID, "same_occupation", "occupation_b", "an occupation is not related to itself");
  bool swap = strcmp(a, b) > 0;
  p->a = swap ? b : a;
  p->b = swap ? a : b;
  p->note = note && *note ? note : NULL;
  return NP_OK;
}

static np_err parse_pairs(const np_ref_t *ref, const json_t *body, const char *key, bool with_note, pair_t **out,
                          size_t *n, np_errdetail_t *err) {
  json_t *arr = NULL;
  *out = NULL;
  *n = 0;
  np_err rc = np_json_get_array(body, key, 0, MAX_CHANGE, &arr, NULL, err);
  if (rc || !arr || !json_array_size(arr)) return rc;
  pair_t *v = calloc(json_array_size(arr), sizeof *v);
  if (!v) return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  size_t i;
  json_t *it;
  json_array_foreach(arr, i, it) {
    if ((rc = parse_pair(ref, it, with_note, &v[i], err))) {
      free(v);
      return field_in(rc, key, (long)i, err);
    }
    for (size_t j = 0; j < i; j++)
      if (strcmp(v[j].a, v[i].a) == 0 && strcmp(v[j].b, v[i].b) == 0) {
        rc = field_in(np_fail(err, NP_ERR_INVALID, "duplicate", "", "the pair %s – %s is listed twice", v[i].a, v[i].b), key,
                      (long)i, err);
        free(v);
        return rc;
      }
  }
  *out = v;
  *n = json_array_size(arr);
  return NP_OK;
}

static np_err audit_change(np_store_t *s, const np_audit_entry_t *actor, json_t *before, json_t *after,
                           np_errdetail_t *err) {
  np_audit_entry_t e = {0};
  if (actor) e = *actor;
  e.action = "match_config.update";
  e.entity = "match_config";
  e.entity_id = "config";
  e.outcome = NULL;
  e.detail = NULL;
  char *b = json_dumps(before, JSON_COMPACT | JSON_PRESERVE_ORDER), *a = json_dumps(after, JSON_COMPACT | JSON_PRESERVE_ORDER);
  np_err rc;
  if (!a || !b) rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  else {
    e.before_json = b;
    e.after_json = a;
    rc = np_audit_record(s, &e, NULL, err);
  }
  free(a);
  free(b);
  return rc;
}

np_err np_match_config_put(np_store_t *s, const np_ref_t *ref, const np_audit_entry_t *actor, const json_t *body,
                           json_t **out, np_errdetail_t *err) {
  static const char *const keys[] = {"weights", "seeker_daily_pushes", "demand_flood_multiple", "pref_list_max",
                                     "related_add", "related_remove", NULL};
  *out = NULL;
  np_err rc;
  if ((rc = np_json_check_keys(body, keys, err))) return rc;
  if (json_object_size(body) == 0) return np_fail(err, NP_ERR_INVALID, "required", "weights", "nothing to change");
  /* everything is validated before anything is written */
  json_t *wobj = NULL;
  int64_t weight[NP_MT__COUNT];
  bool wset[NP_MT__COUNT] = {false};
  if ((rc = np_json_get_object(body, "weights", 0, &wobj, NULL, err))) return rc;
  if (wobj) {
    const char *k;
    json_t *v;
    json_object_foreach(wobj, k, v) {
      (void)v;
      if (np_match_term_parse(k) < 0)
        return np_fail(err, NP_ERR_INVALID, "unknown_field", "weights",
                       "weights has the terms occupation, skill, distance, salary, key_enterprise and freshness");
    }
    for (int t = 0; t < NP_MT__COUNT; t++) {
      np_json_presence pr = NP_JSON_ABSENT;
      if ((rc = np_json_get_int(wobj, np_match_term_name((np_match_term)t), 0, 0, 1000, &weight[t], &pr, err)))
        return field_in(rc, "weights", -1, err);
      wset[t] = pr == NP_JSON_PRESENT;
    }
  }
  int64_t setting[NSETTINGS];
  bool sset[NSETTINGS] = {false};
  for (int i = 0; i < NSETTINGS; i++) {
    np_json_presence pr = NP_JSON_ABSENT;
    if ((rc = np_json_get_int(body, setting_names[i], 0, setting_min[i], setting_max[i], &setting[i], &pr, err))) return rc;
    sset[i] = pr == NP_JSON_PRESENT;
  }
  pair_t *add = NULL, *rm = NULL;
  size_t nadd = 0, nrm = 0;
  json_t *before = NULL, *after = NULL;
  if ((rc = parse_pairs(ref, body, "related_add", true, &add, &nadd, err)) ||
      (rc = parse_pairs(ref, body, "related_remove", false, &rm, &nrm, err)))
    goto out_free;
  for (size_t i = 0; i < nadd; i++)
    for (size_t j = 0; j < nrm; j++)
      if (strcmp(add[i].a, rm[j].a) == 0 && strcmp(add[i].b, rm[j].b) == 0) {
        rc = field_in(np_fail(err, NP_ERR_INVALID, "conflict", "", "the pair %s – %s is both added and removed", rm[j].a, rm[j].b),
                      "related_remove", (long)j, err);
        goto out_free;
      }
  char ts[NP_TS_STRLEN];
  np_date_format_ts_utc((int64_t)time(NULL), ts, sizeof ts);
  if ((rc = np_store_begin(s, err))) goto out_free;
  if ((rc = np_match_config_get(s, ref, &before, err))) goto out;
  for (int t = 0; t < NP_MT__COUNT; t++) {
    if (!wset[t]) continue;
    const char *term = np_match_term_name((np_match_term)t);
    int64_t changed = 0;
    if ((rc = np_store_execf(s, &changed, err, "UPDATE match_weights SET weight = ?, updated_at = ? WHERE term = ?", "itt",
                             weight[t], ts, term)))
      goto out;
    if (!changed && (rc = np_store_execf(s, NULL, err, "INSERT INTO match_weights (term, weight, updated_at) VALUES (?, ?, ?)",
                                         "tit", term, weight[t], ts)))
      goto out;
  }
  for (int i = 0; i < NSETTINGS; i++) {
    if (!sset[i]) continue;
    int64_t changed = 0;
    if ((rc = np_store_execf(s, &changed, err, "UPDATE match_settings SET value = ?, updated_at = ? WHERE name = ?", "itt",
                             setting[i], ts, setting_names[i])))
      goto out;
    if (!changed && (rc = np_store_execf(s, NULL, err, "INSERT INTO match_settings (name, value, updated_at) VALUES (?, ?, ?)",
                                         "tit", setting_names[i], setting[i], ts)))
      goto out;
  }
  for (size_t j = 0; j < nrm; j++) {
    int64_t changed = 0;
    if ((rc = np_store_execf(s, &changed, err, "DELETE FROM match_related_occupations WHERE occupation_a = ? AND occupation_b = ?",
                             "tt", rm[j].a, rm[j].b)))
      goto out;
    if (!changed) {
      rc = field_in(np_fail(err, NP_ERR_INVALID, "not_found", "", "%s – %s is not a related pair", rm[j].a, rm[j].b),
                    "related_remove", (long)j, err);
      goto out;
    }
  }
  for (size_t i = 0; i < nadd; i++) {
    bool found = false;
    int64_t one = 0;
    if ((rc = np_store_queryf_int64(s, &one, &found, err,
                                    "SELECT 1 FROM match_related_occupations WHERE occupation_a = ? AND occupation_b = ?", "tt",
                                    add[i].a, add[i].b)))
      goto out;
    if (found) {
      rc = field_in(np_fail(err, NP_ERR_INVALID, "exists", "", "%s – %s is already a related pair", add[i].a, add[i].b),
                    "related_add", (long)i, err);
      goto out;
    }
    if ((rc = np_store_execf(s, NULL, err,
                             "INSERT INTO match_related_occupations (occupation_a, occupation_b, note) VALUES (?, ?, ?)", "ttt",
                             add[i].a, add[i].b, add[i].note)))
      goto out;
  }
  int64_t nrel = 0;
  if ((rc = np_store_queryf_int64(s, &nrel, NULL, err, "SELECT COUNT(*) FROM match_related_occupations", "")))
    goto out;
  if (nrel > NP_MATCH_MAX_RELATED) {
    rc = np_fail(err, NP_ERR_INVALID, "too_many", "related_add", "at most %d related pairs", NP_MATCH_MAX_RELATED);
    goto out;
  }
  if ((rc = np_match_config_get(s, ref, &after, err))) goto out;
  if ((rc = np_store_change(s, "match_config", "config", "update", NULL, err))) goto out;
  if ((rc = audit_change(s, actor, before, after, err))) goto out;
  rc = np_store_commit(s, err);
out:
  if (rc) np_store_rollback(s);
out_free:
  free(add);
  free(rm);
  json_decref(before);
  if (rc == NP_OK) *out = after;
  else json_decref(after);
  return rc;
}
