/* Filters, terms and explanations of a (demand line, seeker) pair (see score.h, docs/MATCHING.md). */
#include "match/score.h"
#include <stdio.h>
#include <string.h>
#include "core/date.h"
#include "core/geo.h"

static const char *const filter_names[NP_MF__COUNT] = {
  "", "occupation", "skill_level", "age", "education", "radius", "scope", "availability", "consent", "status",
  "congestion",
};

const char *np_match_filter_name(np_match_filter f) {
  return (unsigned)f < NP_MF__COUNT ? filter_names[f] : "";
}

static const char *const term_names[NP_MT__COUNT] = {"occupation", "skill",          "distance",
                                                     "salary",     "key_enterprise", "freshness"};

const char *np_match_term_name(np_match_term t) { return (unsigned)t < NP_MT__COUNT ? term_names[t] : ""; }

int np_match_term_parse(const char *name) {
  for (int i = 0; name && i < NP_MT__COUNT; i++)
    if (strcmp(term_names[i], name) == 0) return i;
  return -1;
}

const char *np_match_relation_name(np_match_relation r) {
  switch (r) {
  case NP_REL_EXACT: return "exact";
  case NP_REL_MINOR: return "minor";
  case NP_REL_MIDDLE: return "middle";
  case NP_REL_RELATED: return "related";
  default: return "none";
  }
}

void np_match_rules_default(np_match_rules_t *r) {
  memset(r, 0, sizeof *r);
  r->weight[NP_MT_OCCUPATION] = 400;
  r->weight[NP_MT_SKILL] = 150;
  r->weight[NP_MT_DISTANCE] = 200;
  r->weight[NP_MT_SALARY] = 150;
  r->weight[NP_MT_KEY] = 50;
  r->weight[NP_MT_FRESHNESS] = 50;
  r->distance_half_m = 20000;
  r->freshness_half_days = 30;
}

int np_match_education_rank(const char *v) {
  static const char *const ranks[] = {"none",           "junior_middle", "senior_middle", "secondary_vocational",
                                      "junior_college", "bachelor",      "master",        "doctorate"};
  if (!v) return 0;
  for (int i = 0; i < 8; i++)
    if (strcmp(ranks[i], v) == 0) return i + 1;
  return 0;
}

int32_t np_match_ymd(int32_t days) {
  int y, m, d;
  np_date_to_ymd((np_date_t){days}, &y, &m, &d);
  return y * 10000 + m * 100 + d;
}

int np_match_age(int32_t birth, int32_t today) {
  int by, bm, bd, ty, tm, td;
  np_date_to_ymd((np_date_t){birth}, &by, &bm, &bd);
  np_date_to_ymd((np_date_t){today}, &ty, &tm, &td);
  int age = ty - by;
  if (tm < bm || (tm == bm && td < bd)) age--;
  return age;
}

static bool related(const np_match_rules_t *r, uint32_t a, uint32_t b) {
  if (!r->nrelated || !a || !b) return false;
  uint64_t key = (uint64_t)a << 32 | b;
  size_t lo = 0, hi = r->nrelated;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (r->related[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo < r->nrelated && r->related[lo] == key;
}

np_match_relation np_match_relation_of(const np_match_rules_t *rules, const np_match_demand_t *d,
                                       const np_match_seeker_t *s) {
  np_match_relation best = NP_REL_NONE;
  for (int i = 0; i < s->nocc && i < NP_MATCH_MAX_OCC; i++) {
    np_match_relation r = NP_REL_NONE;
    if (!s->occ[i]) continue;
    if (s->occ[i] == d->occ) r = NP_REL_EXACT;
    else if (s->minor[i] && s->minor[i] == d->minor) r = NP_REL_MINOR;
    else if (s->middle[i] && s->middle[i] == d->middle) r = NP_REL_MIDDLE;
    else if (related(rules, d->occ, s->occ[i])) r = NP_REL_RELATED;
    if (r > best) best = r;
  }
  return best;
}

/* 1000 · h / (h + x), for x >= 0 */
static int32_t decay(int64_t x, int64_t h) {
  if (x < 0) x = 0;
  if (h <= 0) h = 1;
  return (int32_t)(1000 * h / (h + x));
}

void np_match_eval(const np_match_rules_t *rules, const np_match_where_t *w, const np_match_demand_t *d,
                   const np_match_seeker_t *s, np_match_eval_t *out) {
  memset(out, 0, sizeof *out);
  out->distance_m = -1;
  /* filters, in the documented order */
  out->relation = np_match_relation_of(rules, d, s);
  if (out->relation == NP_REL_NONE) {
    out->filter = NP_MF_OCCUPATION;
    return;
  }
  if (d->skill && s->skill < d->skill) {
    out->filter = NP_MF_SKILL;
    return;
  }
  {
    int32_t ty = w->today_ymd ? w->today_ymd : np_match_ymd(w->today);
    int32_t by = s->birth_ymd ? s->birth_ymd : np_match_ymd(s->birth);
    out->age = (ty - by) / 10000; /* whole years: the birthday counts from its day */
  }
  if (!w->skip_age && ((d->age_min && out->age < d->age_min) || (d->age_max && out->age > d->age_max))) {
    out->filter = NP_MF_AGE;
    return;
  }
  if (d->edu > 1 && s->edu < d->edu) {
    out->filter = NP_MF_EDUCATION;
    return;
  }
  if (d->has_loc && s->has_loc)
    out->distance_m = np_geo_fast_distance_m(d->lat_e6, d->lon_e6, d->coslat, s->lat_e6, s->lon_e6, s->coslat);
  switch (w->scope) {
  case NP_SCOPE_RADIUS:
    if (out->distance_m < 0 || out->distance_m > w->radius_m) {
      out->filter = NP_MF_RADIUS;
      return;
    }
    break;
  case NP_MSCOPE_COUNTY:
    if (!d->county || d->county != s->county) {
      out->filter = NP_MF_SCOPE;
      return;
    }
    break;
  case NP_MSCOPE_CITY:
    if (!d->city || d->city != s->city) {
      out->filter = NP_MF_SCOPE;
      return;
    }
    break;
  case NP_MSCOPE_CIRCLE:
    if (!d->circle || d->circle != s->circle) {
      out->filter = NP_MF_SCOPE;
      return;
    }
    break;
  case NP_MSCOPE_ANY: break;
  }
  if (d->needed_by != NP_MATCH_NO_DATE && s->available_from != NP_MATCH_NO_DATE && s->available_from > d->needed_by) {
    out->filter = NP_MF_AVAILABILITY;
    return;
  }
  if (!s->consent) {
    out->filter = NP_MF_CONSENT;
    return;
  }
  if (!d->status_ok || !d->is_public || d->open_count <= 0 || !s->status_ok) {
    out->filter = NP_MF_STATUS;
    return;
  }
  out->filter = NP_MF_PASS;

  /* terms */
  static const int32_t rel_raw[] = {0, 300, 400, 700, 1000};
  out->raw[NP_MT_OCCUPATION] = rel_raw[out->relation];
  if (!d->skill) out->raw[NP_MT_SKILL] = s->skill ? 700 : 500;
  else {
    int32_t over = (int32_t)s->skill - d->skill;
    out->raw[NP_MT_SKILL] = over * 100 >= 500 ? 500 : 1000 - over * 100;
  }
  out->raw[NP_MT_DISTANCE] = out->distance_m < 0 ? 0 : decay(out->distance_m, rules->distance_half_m);
  int64_t lo = d->salary_min ? d->salary_min : d->salary_max, hi = d->salary_max ? d->salary_max : d->salary_min;
  if (!s->expected_salary || !hi) out->raw[NP_MT_SALARY] = 500;
  else {
    out->has_salary_gap = true;
    if (s->expected_salary > hi) {
      out->salary_gap_fen = s->expected_salary - hi;
      int64_t v = 1000 - 2000 * out->salary_gap_fen / hi;
      out->raw[NP_MT_SALARY] = v < 0 ? 0 : (int32_t)v;
    } else {
      out->salary_gap_fen = s->expected_salary < lo ? s->expected_salary - lo : 0;
      out->raw[NP_MT_SALARY] = 1000;
    }
  }
  out->raw[NP_MT_KEY] = d->is_key ? 1000 : 0;
  int32_t fd = decay((int64_t)w->today - d->created, rules->freshness_half_days);
  int32_t fs = decay((int64_t)w->today - s->created, rules->freshness_half_days);
  out->raw[NP_MT_FRESHNESS] = (fd + fs) / 2;
  int32_t sum = 0;
  for (int t = 0; t < NP_MT__COUNT; t++) {
    out->contribution[t] = (int32_t)((int64_t)out->raw[t] * rules->weight[t] / 1000);
    sum += out->contribution[t];
  }
  out->score = sum;
}

static const char *occ_name(const np_match_names_t *n, uint32_t id) {
  const char *c = n && n->occupation ? n->occupation(n->ctx, id) : NULL;
  return c ? c : "";
}

static void add_req(json_t *arr, const char *req, json_t *required, json_t *offered) {
  json_t *o = json_object();
  json_object_set_new(o, "requirement", json_string(req));
  json_object_set_new(o, "required", required ? required : json_null());
  json_object_set_new(o, "offered", offered ? offered : json_null());
  json_array_append_new(arr, o);
}

static json_t *int_or_null(int64_t v, bool given) { return given ? json_integer(v) : json_null(); }

json_t *np_match_explain_json(const np_match_rules_t *rules, const np_match_where_t *w, const np_match_demand_t *d,
                              const np_match_seeker_t *s, const np_match_eval_t *e, const np_match_names_t *names) {
  json_t *o = json_object();
  char reason[256] = "";
  if (e->filter != NP_MF_PASS) {
    switch (e->filter) {
    case NP_MF_OCCUPATION:
      snprintf(reason, sizeof reason, "none of the seeker's occupations is %s, in its minor or middle group, or a related occupation",
               occ_name(names, d->occ));
      break;
    case NP_MF_SKILL:
      snprintf(reason, sizeof reason, "skill level %d is below the required %d", s->skill, d->skill);
      break;
    case NP_MF_AGE:
      snprintf(reason, sizeof reason, "age %d is outside %d..%d", e->age, d->age_min ? d->age_min : 16,
               d->age_max ? d->age_max : 65);
      break;
    case NP_MF_EDUCATION:
      snprintf(reason, sizeof reason, "education rank %d is below the required %d", s->edu, d->edu);
      break;
    case NP_MF_RADIUS:
      if (e->distance_m < 0) snprintf(reason, sizeof reason, "the line or the seeker has no location");
      else
        snprintf(reason, sizeof reason, "distance %lld m is beyond the radius of %lld m", (long long)e->distance_m,
                 (long long)w->radius_m);
      break;
    case NP_MF_SCOPE:
      snprintf(reason, sizeof reason, "the seeker is outside the line's %s",
               w->scope == NP_MSCOPE_COUNTY ? "county" : w->scope == NP_MSCOPE_CITY ? "city" : "economic circle");
      break;
    case NP_MF_AVAILABILITY: snprintf(reason, sizeof reason, "the seeker is available only after the line's needed-by date"); break;
    case NP_MF_CONSENT: snprintf(reason, sizeof reason, "the seeker has not agreed to be recommended"); break;
    case NP_MF_STATUS:
      snprintf(reason, sizeof reason, "%s",
               !s->status_ok ? "the seeker is not seeking work"
               : !d->is_public ? "the line is not public"
                               : "the line is not open or has no openings left");
      break;
    case NP_MF_CONGESTION: snprintf(reason, sizeof reason, "the daily recommendation limit is reached"); break;
    default: break;
    }
    json_object_set_new(o, "excluded", json_true());
    json_object_set_new(o, "filter", json_string(np_match_filter_name(e->filter)));
    json_object_set_new(o, "reason", json_string(reason));
    json_object_set_new(o, "occupation_relation", json_string(np_match_relation_name(e->relation)));
    if (e->distance_m >= 0) {
      json_object_set_new(o, "distance_m", json_integer(e->distance_m));
      json_object_set_new(o, "distance_km", json_real((double)e->distance_m / 1000.0));
    }
    return o;
  }
  json_object_set_new(o, "excluded", json_false());
  json_object_set_new(o, "score", json_integer(e->score));
  json_t *terms = json_array();
  for (int t = 0; t < NP_MT__COUNT; t++)
    json_array_append_new(terms, json_pack("{s:s, s:i, s:i, s:i}", "name", np_match_term_name((np_match_term)t), "raw",
                                           (json_int_t)e->raw[t], "weight", (json_int_t)rules->weight[t], "contribution",
                                           (json_int_t)e->contribution[t]));
  json_object_set_new(o, "terms", terms);
  json_object_set_new(o, "occupation_relation", json_string(np_match_relation_name(e->relation)));
  json_object_set_new(o, "distance_m", e->distance_m >= 0 ? json_integer(e->distance_m) : json_null());
  json_object_set_new(o, "distance_km", e->distance_m >= 0 ? json_real((double)e->distance_m / 1000.0) : json_null());
  json_object_set_new(o, "salary_gap_fen", int_or_null(e->salary_gap_fen, e->has_salary_gap));
  json_t *matched = json_array(), *missing = json_array();
  add_req(e->relation == NP_REL_EXACT ? matched : missing, "occupation", json_string(occ_name(names, d->occ)),
          json_string(np_match_relation_name(e->relation)));
  if (d->skill) add_req(matched, "skill_level", json_integer(d->skill), json_integer(s->skill));
  if (d->age_min || d->age_max)
    add_req(matched, "age", json_pack("[i,i]", (json_int_t)(d->age_min ? d->age_min : 16), (json_int_t)(d->age_max ? d->age_max : 65)),
            json_integer(e->age));
  if (d->edu > 1) add_req(matched, "education", json_integer(d->edu), json_integer(s->edu));
  if (w->scope == NP_SCOPE_RADIUS) add_req(matched, "radius_m", json_integer(w->radius_m), json_integer(e->distance_m));
  if (d->needed_by != NP_MATCH_NO_DATE) {
    char nb[NP_DATE_STRLEN] = "", af[NP_DATE_STRLEN] = "";
    np_date_format((np_date_t){d->needed_by}, nb, sizeof nb);
    if (s->available_from != NP_MATCH_NO_DATE) np_date_format((np_date_t){s->available_from}, af, sizeof af);
    add_req(matched, "available_by", json_string(nb), af[0] ? json_string(af) : json_string("now"));
  }
  if (e->has_salary_gap) {
    json_t *range = json_pack("[I,I]", (json_int_t)d->salary_min, (json_int_t)d->salary_max);
    add_req(e->salary_gap_fen > 0 ? missing : matched, "salary", range, json_integer(s->expected_salary));
  } else {
    add_req(missing, "salary", d->salary_max ? json_integer(d->salary_max) : NULL,
            s->expected_salary ? json_integer(s->expected_salary) : NULL);
  }
  if (!d->has_loc || !s->has_loc) add_req(missing, "location", NULL, NULL);
  json_object_set_new(o, "matched", matched);
  json_object_set_new(o, "missing", missing);
  return o;
}
