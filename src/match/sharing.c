/* Surplus and shortage sharing: posts, explained pairings, agreements, board (see sharing.h). */
#include "match/sharing.h"
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/ids.h"
#include "core/json.h"
#include "core/str.h"
#include "core/geo.h"
#include "match/seekers.h"

#define MAX_BOARD_POSTS 20000
#define BOARD_POSTS_PER_CIRCLE 50

/* ------------------------------------------------------------------ names */

const char *np_sharing_kind_name(np_sharing_kind k) { return k == NP_SHARING_SHORTAGE ? "shortage" : "surplus"; }

const char *np_sharing_occ_rel_name(np_sharing_occ_rel r) {
  switch (r) {
  case NP_SHARING_OCC_EXACT: return "exact";
  case NP_SHARING_OCC_MINOR: return "minor_group";
  case NP_SHARING_OCC_MIDDLE: return "middle_group";
  default: return "none";
  }
}

const char *np_sharing_band_name(np_sharing_band b) {
  switch (b) {
  case NP_SHARING_BAND_COUNTY: return "same_county";
  case NP_SHARING_BAND_CITY: return "same_city";
  case NP_SHARING_BAND_CIRCLE: return "same_circle";
  default: return "other";
  }
}

static const struct {
  const char *name, *short_zh, *key;
} circles[] = {
  {"省会经济圈", "省会", "capital"},
  {"胶东经济圈", "胶东", "jiaodong"},
  {"鲁南经济圈", "鲁南", "lunan"},
};
#define NCIRCLES (sizeof circles / sizeof circles[0])

const char *np_sharing_circle_parse(const char *s) {
  if (!s) return NULL;
  for (size_t i = 0; i < NCIRCLES; i++)
    if (!strcmp(s, circles[i].name) || !strcmp(s, circles[i].short_zh) || !np_str_casecmp(s, circles[i].key))
      return circles[i].name;
  return NULL;
}

static int circle_index(const char *name) {
  if (!name) return -1;
  for (size_t i = 0; i < NCIRCLES; i++)
    if (!strcmp(name, circles[i].name)) return (int)i;
  return -1;
}

/* ------------------------------------------------------------------ the evaluator */

/* Length of the first `segs` dash-separated segments of code ("6-18-01-01", 2 → 4). 0 when fewer. */
static size_t seg_prefix(const char *code, int segs) {
  if (!code) return 0;
  int seen = 0;
  size_t i = 0;
  for (; code[i]; i++)
    if (code[i] == '-' && ++seen == segs) return i;
  return seen + 1 == segs && i > 0 ? i : 0;
}

static bool same_prefix(const char *a, const char *b, int segs) {
  size_t na = seg_prefix(a, segs), nb = seg_prefix(b, segs);
  return na > 0 && na == nb && memcmp(a, b, na) == 0;
}

np_sharing_occ_rel np_sharing_occ_relation(const char *a, const char *b) {
  if (!a || !b || !*a || !*b) return NP_SHARING_OCC_NONE;
  if (strcmp(a, b) == 0) return NP_SHARING_OCC_EXACT;
  if (same_prefix(a, b, 3)) return NP_SHARING_OCC_MINOR;
  if (same_prefix(a, b, 2)) return NP_SHARING_OCC_MIDDLE;
  return NP_SHARING_OCC_NONE;
}

static bool str_eq(const char *a, const char *b) { return a && b && *a && strcmp(a, b) == 0; }

void np_sharing_evaluate(const np_sharing_side_t *sp, const np_sharing_side_t *sh, np_date_t today,
                         np_sharing_eval_t *out) {
  memset(out, 0, sizeof *out);
  /* facts first (shown also for excluded pairs) */
  out->occ = np_sharing_occ_relation(sp->occupation_code, sh->occupation_code);
  if (str_eq(sp->county_code, sh->county_code)) out->band = NP_SHARING_BAND_COUNTY;
  else if (str_eq(sp->city_code, sh->city_code)) out->band = NP_SHARING_BAND_CITY;
  else if (str_eq(sp->circle, sh->circle)) out->band = NP_SHARING_BAND_CIRCLE;
  else out->band = NP_SHARING_BAND_OTHER;
  if (sp->has_location && sh->has_location) {
    out->has_distance = true;
    out->distance_m = np_geo_distance_m(sp->lat_e6, sp->lon_e6, sh->lat_e6, sh->lon_e6);
  }
  np_date_t from = sp->start.days > sh->start.days ? sp->start : sh->start;
  if (today.days > from.days) from = today;
  np_date_t to = sp->end.days < sh->end.days ? sp->end : sh->end;
  if (to.days >= from.days) {
    out->overlap_start = from;
    out->overlap_end = to;
    out->overlap_days = np_date_days_between(from, to) + 1;
  }
  out->movable = sp->remaining < sh->remaining ? sp->remaining : sh->remaining;
  if (out->movable < 0) out->movable = 0;

  /* hard filters, in the documented order */
  if (sp->enterprise_id == sh->enterprise_id) out->excluded = "same_enterprise";
  else if (!sp->open || !sh->open || sp->remaining <= 0 || sh->remaining <= 0 || sp->end.days < today.days ||
           sh->end.days < today.days)
    out->excluded = "not_open";
  else if (out->occ == NP_SHARING_OCC_NONE) out->excluded = "occupation_unrelated";
  else if (out->overlap_days <= 0) out->excluded = "no_overlap";
  else if (out->has_distance ? out->distance_m > (int64_t)NP_SHARING_MAX_KM * 1000
                             : out->band < NP_SHARING_BAND_CITY)
    out->excluded = "too_far";

  /* the terms (computed for excluded pairs too, so the explanation shows them; score only when proposed) */
  out->pts_occupation = out->occ == NP_SHARING_OCC_EXACT    ? NP_SHARING_W_OCC_EXACT
                        : out->occ == NP_SHARING_OCC_MINOR  ? NP_SHARING_W_OCC_MINOR
                        : out->occ == NP_SHARING_OCC_MIDDLE ? NP_SHARING_W_OCC_MIDDLE
                                                            : 0;
  if (out->has_distance && out->distance_m < (int64_t)NP_SHARING_MAX_KM * 1000)
    out->pts_distance = ((int64_t)NP_SHARING_MAX_KM * 1000 - out->distance_m) / 1000 * NP_SHARING_W_DIST_PER_KM;
  out->pts_region = out->band == NP_SHARING_BAND_COUNTY ? NP_SHARING_W_SAME_COUNTY
                    : out->band == NP_SHARING_BAND_CITY ? NP_SHARING_W_SAME_CITY
                    : out->band == NP_SHARING_BAND_CIRCLE ? NP_SHARING_W_SAME_CIRCLE
                                                         : 0;
  int64_t od = out->overlap_days > NP_SHARING_OVERLAP_CAP_DAYS ? NP_SHARING_OVERLAP_CAP_DAYS : out->overlap_days;
  out->pts_overlap = od > 0 ? od * NP_SHARING_W_OVERLAP_PER_DAY : 0;
  if (sh->remaining > 0 && out->movable > 0) out->pts_count = NP_SHARING_W_COUNT * out->movable / sh->remaining;
  out->proposed = out->excluded == NULL;
  out->score = out->pts_occupation + out->pts_distance + out->pts_region + out->pts_overlap + out->pts_count;
  if (!out->proposed) out->score = 0;
}

static json_t *term(const char *name, json_t *value, int64_t points, const char *reason) {
  return json_pack("{s:s, s:o, s:I, s:s}", "term", name, "value", value ? value : json_null(), "points",
                   (json_int_t)points, "reason", reason);
}

json_t *np_sharing_eval_json(const np_sharing_eval_t *ev) {
  char buf[160], d1[NP_DATE_STRLEN] = "", d2[NP_DATE_STRLEN] = "";
  json_t *terms = json_array();
  if (!terms) return NULL;
  static const char *const occ_zh[] = {"职业不相关", "同一职业中类", "同一职业小类", "同一职业"};
  json_array_append_new(terms, term("occupation", json_string(np_sharing_occ_rel_name(ev->occ)), ev->pts_occupation,
                                    occ_zh[ev->occ]));
  if (ev->has_distance) {
    snprintf(buf, sizeof buf, "两地相距约 %" PRId64 ".%01" PRId64 " 公里", ev->distance_m / 1000,
             (ev->distance_m % 1000) / 100);
    json_array_append_new(terms, term("distance", json_integer(ev->distance_m), ev->pts_distance, buf));
  } else {
    json_array_append_new(terms, term("distance", NULL, 0, "距离未知"));
  }
  static const char *const band_zh[] = {"跨经济圈", "同一经济圈", "同一城市", "同一县（市、区）"};
  json_array_append_new(terms, term("region", json_string(np_sharing_band_name(ev->band)), ev->pts_region,
                                    band_zh[ev->band]));
  if (ev->overlap_days > 0) {
    np_date_format(ev->overlap_start, d1, sizeof d1);
    np_date_format(ev->overlap_end, d2, sizeof d2);
    snprintf(buf, sizeof buf, "时段重叠 %d 天（%s 至 %s）", (int)ev->overlap_days, d1, d2);
  } else {
    snprintf(buf, sizeof buf, "时段不重叠");
  }
  json_array_append_new(terms, term("overlap", json_integer(ev->overlap_days), ev->pts_overlap, buf));
  snprintf(buf, sizeof buf, "可调剂 %" PRId64 " 人", ev->movable);
  json_array_append_new(terms, term("count", json_integer(ev->movable), ev->pts_count, buf));
  json_t *o = json_object();
  if (!o) {
    json_decref(terms);
    return NULL;
  }
  json_object_set_new(o, "proposed", json_boolean(ev->proposed));
  json_object_set_new(o, "excluded", ev->excluded ? json_string(ev->excluded) : json_null());
  json_object_set_new(o, "score", json_integer(ev->score));
  json_object_set_new(o, "occupation_relation", json_string(np_sharing_occ_rel_name(ev->occ)));
  json_object_set_new(o, "region_band", json_string(np_sharing_band_name(ev->band)));
  if (ev->has_distance) {
    json_object_set_new(o, "distance_m", json_integer(ev->distance_m));
    json_object_set_new(o, "distance_km", json_real((double)((ev->distance_m + 50) / 100) / 10.0));
  } else {
    json_object_set_new(o, "distance_m", json_null());
    json_object_set_new(o, "distance_km", json_null());
  }
  json_object_set_new(o, "overlap_days", json_integer(ev->overlap_days));
  json_object_set_new(o, "overlap_start", ev->overlap_days > 0 ? json_string(d1) : json_null());
  json_object_set_new(o, "overlap_end", ev->overlap_days > 0 ? json_string(d2) : json_null());
  json_object_set_new(o, "movable", json_integer(ev->movable));
  json_object_set_new(o, "terms", terms);
  return o;
}

/* ------------------------------------------------------------------ rows */

typedef struct post {
  int64_t id, enterprise_id, count, remaining, version;
  np_sharing_kind kind;
  char occupation_code[24];
  np_date_t start, end;
  char region_code[16], county_code[8], city_code[8];
  char circle[32];
  bool has_location;
  int32_t lat_e6, lon_e6;
  bool open;
  char created_at[NP_TS_STRLEN], updated_at[NP_TS_STRLEN];
  char ent_name[404];
} post_t;

/* The free texts of a post, read only where shown in full (kept out of post_t: boards hold many posts). */
typedef struct post_text {
  char notes[NP_SHARING_NOTES_MAX_CHARS * 4 + 1];
  char close_reason[NP_SHARING_NOTES_MAX_CHARS * 4 + 1];
} post_text_t;

#define POST_COLS                                                                                                  \
  "p.id, p.enterprise_id, p.kind, p.occupation_code, p.count, p.remaining, p.period_start, p.period_end, "        \
  "p.region_code, p.county_code, p.city_code, p.circle, p.lat_e6, p.lon_e6, p.notes, p.status, p.close_reason, " \
  "p.version, p.created_at, p.updated_at, e.name"
#define POST_FROM " FROM sharing_posts p JOIN enterprises e ON e.id = p.enterprise_id"

static void cpy(char *dst, size_t cap, const char *s) { np_strlcpy(dst, s ? s : "", cap); }

static np_date_t col_date(np_stmt_t *st, int c) {
  const char *t = np_store_col_text(st, c);
  np_date_t d = {0};
  if (t) np_date_parse(t, strlen(t), &d);
  return d;
}

static void post_read(np_stmt_t *st, post_t *p, post_text_t *t) {
  memset(p, 0, sizeof *p);
  p->id = np_store_col_int64(st, 0);
  p->enterprise_id = np_store_col_int64(st, 1);
  const char *k = np_store_col_text(st, 2);
  p->kind = k && !strcmp(k, "shortage") ? NP_SHARING_SHORTAGE : NP_SHARING_SURPLUS;
  cpy(p->occupation_code, sizeof p->occupation_code, np_store_col_text(st, 3));
  p->count = np_store_col_int64(st, 4);
  p->remaining = np_store_col_int64(st, 5);
  p->start = col_date(st, 6);
  p->end = col_date(st, 7);
  cpy(p->region_code, sizeof p->region_code, np_store_col_text(st, 8));
  cpy(p->county_code, sizeof p->county_code, np_store_col_text(st, 9));
  cpy(p->city_code, sizeof p->city_code, np_store_col_text(st, 10));
  cpy(p->circle, sizeof p->circle, np_store_col_text(st, 11));
  p->has_location = !np_store_col_is_null(st, 12) && !np_store_col_is_null(st, 13);
  p->lat_e6 = (int32_t)np_store_col_int64(st, 12);
  p->lon_e6 = (int32_t)np_store_col_int64(st, 13);
  if (t) {
    cpy(t->notes, sizeof t->notes, np_store_col_text(st, 14));
    cpy(t->close_reason, sizeof t->close_reason, np_store_col_text(st, 16));
  }
  const char *status = np_store_col_text(st, 15);
  p->open = status && !strcmp(status, "open");
  p->version = np_store_col_int64(st, 17);
  cpy(p->created_at, sizeof p->created_at, np_store_col_text(st, 18));
  cpy(p->updated_at, sizeof p->updated_at, np_store_col_text(st, 19));
  cpy(p->ent_name, sizeof p->ent_name, np_store_col_text(st, 20));
}

/* Room for one more element in arr (n of *cap in use): the array, moved when its capacity doubled (from
 * `first`), or NULL when out of memory (arr is then left as it was). */
static void *grow(void *arr, size_t n, size_t *cap, size_t size, size_t first) {
  if (n < *cap) return arr;
  size_t nc = *cap ? *cap * 2 : first;
  if (nc > SIZE_MAX / size) return NULL;
  void *q = realloc(arr, nc * size);
  if (q) *cap = nc;
  return q;
}

static np_err post_load(np_store_t *s, int64_t id, post_t *p, post_text_t *t, np_errdetail_t *err) {
  np_stmt_t *st;
  np_err rc = np_match_row_by_id(s, "SELECT " POST_COLS POST_FROM " WHERE p.id = ?", id, "post", &st, err);
  if (rc) return rc;
  post_read(st, p, t);
  np_store_release(st);
  return NP_OK;
}

static bool post_in_scope(const np_scope_t *scope, const post_t *p) {
  return np_authz_scope_contains(scope, p->region_code, p->enterprise_id, NULL, 0);
}

static const char *post_status(const post_t *p, np_date_t today) {
  if (!p->open) return "closed";
  if (p->end.days < today.days) return "expired";
  if (p->remaining <= 0) return "filled";
  return "open";
}

static void side_of(const post_t *p, np_sharing_side_t *sd) {
  memset(sd, 0, sizeof *sd);
  sd->post_id = p->id;
  sd->enterprise_id = p->enterprise_id;
  sd->occupation_code = p->occupation_code;
  sd->remaining = p->remaining;
  sd->open = p->open;
  sd->start = p->start;
  sd->end = p->end;
  sd->county_code = p->county_code;
  sd->city_code = p->city_code;
  sd->circle = p->circle[0] ? p->circle : NULL;
  sd->has_location = p->has_location;
  sd->lat_e6 = p->lat_e6;
  sd->lon_e6 = p->lon_e6;
}

static json_t *str_or_null(const char *s) { return s && *s ? json_string(s) : json_null(); }

static json_t *region_name(const np_ref_t *ref, const char *code) {
  const np_region_t *r = ref && code && *code ? np_ref_region(ref, code) : NULL;
  return r ? json_string(r->name) : json_null();
}

/* The post as JSON. full: also notes and close reason (from t, may be NULL), location, version, time stamps. */
static json_t *post_json(const np_ref_t *ref, const post_t *p, const post_text_t *t, np_date_t today, bool full) {
  char id[32], eid[32], d1[NP_DATE_STRLEN], d2[NP_DATE_STRLEN];
  np_id_format(NP_ID_SHARING_POST, p->id, id, sizeof id);
  np_id_format(NP_ID_ENTERPRISE, p->enterprise_id, eid, sizeof eid);
  np_date_format(p->start, d1, sizeof d1);
  np_date_format(p->end, d2, sizeof d2);
  const np_ref_item_t *occ = ref ? np_ref_item(ref, NP_REF_OCCUPATIONS, p->occupation_code) : NULL;
  json_t *o = json_object();
  if (!o) return NULL;
  json_object_set_new(o, "id", json_string(id));
  json_object_set_new(o, "kind", json_string(np_sharing_kind_name(p->kind)));
  json_object_set_new(o, "enterprise_id", json_string(eid));
  json_object_set_new(o, "enterprise_name", json_string(p->ent_name));
  json_object_set_new(o, "occupation_code", json_string(p->occupation_code));
  json_object_set_new(o, "occupation_name", occ ? json_string(occ->name) : json_null());
  json_object_set_new(o, "count", json_integer(p->count));
  json_object_set_new(o, "remaining", json_integer(p->remaining));
  json_object_set_new(o, "period_start", json_string(d1));
  json_object_set_new(o, "period_end", json_string(d2));
  json_object_set_new(o, "region_code", json_string(p->region_code));
  json_object_set_new(o, "region_name", region_name(ref, p->region_code));
  json_object_set_new(o, "county_code", json_string(p->county_code));
  json_object_set_new(o, "county_name", region_name(ref, p->county_code));
  json_object_set_new(o, "city_code", json_string(p->city_code));
  json_object_set_new(o, "city_name", region_name(ref, p->city_code));
  json_object_set_new(o, "circle", str_or_null(p->circle));
  json_object_set_new(o, "status", json_string(post_status(p, today)));
  if (full) {
    json_object_set_new(o, "notes", str_or_null(t ? t->notes : NULL));
    json_object_set_new(o, "close_reason", str_or_null(t ? t->close_reason : NULL));
    if (p->has_location) {
      json_object_set_new(o, "lat", json_real(p->lat_e6 / 1e6));
      json_object_set_new(o, "lon", json_real(p->lon_e6 / 1e6));
    } else {
      json_object_set_new(o, "lat", json_null());
      json_object_set_new(o, "lon", json_null());
    }
    json_object_set_new(o, "version", json_integer(p->version));
    json_object_set_new(o, "created_at", json_string(p->created_at));
    json_object_set_new(o, "updated_at", json_string(p->updated_at));
  }
  return o;
}

static np_err nomem(np_errdetail_t *err) { return np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory"); }

static void now_ts(char out[NP_TS_STRLEN]) {
  if (np_date_format_ts_utc((int64_t)time(NULL), out, NP_TS_STRLEN) != NP_OK) out[0] = '\0';
}

static np_err audit(np_store_t *s, const np_audit_entry_t *actor, const char *action, const char *entity,
                    const char *entity_id, const json_t *before, const json_t *after, np_errdetail_t *err) {
  np_audit_entry_t e = {0};
  if (actor) e = *actor;
  e.action = action;
  e.entity = entity;
  e.entity_id = entity_id;
  e.outcome = NULL;
  char *b = before ? json_dumps(before, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
  char *a = after ? json_dumps(after, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
  np_err rc;
  if ((before && !b) || (after && !a)) {
    rc = nomem(err);
  } else {
    e.before_json = b;
    e.after_json = a;
    rc = np_audit_record(s, &e, NULL, err);
  }
  free(b);
  free(a);
  return rc;
}

/* ------------------------------------------------------------------ posts */

static np_err period_check(np_date_t start, np_date_t end, np_date_t today, np_errdetail_t *err) {
  if (start.days > end.days)
    return np_fail(err, NP_ERR_INVALID, "period_order", "period_end", "period_end must not be before period_start");
  if (end.days < today.days)
    return np_fail(err, NP_ERR_INVALID, "period_past", "period_end", "period_end must not be in the past");
  if (np_date_days_between(start, end) + 1 > NP_SHARING_MAX_DAYS)
    return np_fail(err, NP_ERR_INVALID, "period_too_long", "period_end", "the period may be at most %d days long",
                   NP_SHARING_MAX_DAYS);
  return NP_OK;
}

typedef struct ent_row {
  int64_t id;
  char region_code[16], county_code[8], city_code[8];
  bool has_location;
  int32_t lat_e6, lon_e6;
} ent_row_t;

static np_err ent_load(np_store_t *s, int64_t id, ent_row_t *e, np_errdetail_t *err) {
  np_stmt_t *st = NULL;
  np_err rc = np_store_prepare(
      s, "SELECT id, region_code, county_code, city_code, lat_e6, lon_e6 FROM enterprises WHERE id = ?", &st, err);
  if (rc) return rc;
  np_store_bind_int64(st, 1, id);
  bool has = false;
  rc = np_store_step(st, &has, err);
  if (rc == NP_OK && !has) rc = np_fail(err, NP_ERR_NOT_FOUND, "not_found", "enterprise_id", "no such enterprise");
  if (rc == NP_OK) {
    memset(e, 0, sizeof *e);
    e->id = np_store_col_int64(st, 0);
    cpy(e->region_code, sizeof e->region_code, np_store_col_text(st, 1));
    cpy(e->county_code, sizeof e->county_code, np_store_col_text(st, 2));
    cpy(e->city_code, sizeof e->city_code, np_store_col_text(st, 3));
    e->has_location = !np_store_col_is_null(st, 4) && !np_store_col_is_null(st, 5);
    e->lat_e6 = (int32_t)np_store_col_int64(st, 4);
    e->lon_e6 = (int32_t)np_store_col_int64(st, 5);
  }
  np_store_release(st);
  return rc;
}

/* "ent_N" or a credit code (any case) → row id. */
static np_err resolve_enterprise(np_store_t *s, const char *key, int64_t *id, np_errdetail_t *err) {
  if (np_id_parse(NP_ID_ENTERPRISE, key, id) == NP_OK) return NP_OK;
  char up[19];
  size_t n = strlen(key);
  if (n != 18) return np_fail(err, NP_ERR_NOT_FOUND, "not_found", "enterprise_id", "no such enterprise");
  for (size_t i = 0; i < n; i++) up[i] = (char)(key[i] >= 'a' && key[i] <= 'z' ? key[i] - 32 : key[i]);
  up[18] = '\0';
  bool found = false;
  np_err rc = np_store_queryf_int64(s, id, &found, err, "SELECT id FROM enterprises WHERE uscc = ?", "t", up);
  if (rc == NP_OK && !found) rc = np_fail(err, NP_ERR_NOT_FOUND, "not_found", "enterprise_id", "no such enterprise");
  return rc;
}

/* Ends a write transaction: commits when rc is NP_OK and hands the answer j to *out (or drops it when out
 * is NULL); otherwise (or when the commit fails) rolls back and drops j. */
static np_err end_write(np_store_t *s, np_err rc, json_t *j, json_t **out, np_errdetail_t *err) {
  if (rc == NP_OK) rc = np_store_commit(s, err);
  if (rc) {
    np_store_rollback(s);
    json_decref(j);
    return rc;
  }
  if (out) *out = j;
  else json_decref(j);
  return NP_OK;
}

/* A status change body {status, <text_key>, version}: status required, the text optional (up to the notes
 * length, newlines allowed), version optional (vp says whether it was given). */
static np_err parse_status_body(const json_t *body, const char *text_key, const char **status, const char **text,
                                int64_t *version, np_json_presence *vp, np_errdetail_t *err) {
  const char *const keys[] = {"status", text_key, "version", NULL};
  np_err rc;
  if ((rc = np_json_check_keys(body, keys, err)) ||
      (rc = np_json_get_str(body, "status", NP_JSON_REQUIRED, 1, 16, status, NULL, err)) ||
      (rc = np_json_get_str(body, text_key, NP_JSON_ALLOW_NEWLINES, 0, NP_SHARING_NOTES_MAX_CHARS, text, NULL, err)))
    return rc;
  return np_json_get_int(body, "version", 0, 1, INT64_MAX, version, vp, err);
}

np_err np_sharing_post_create(np_store_t *s, const np_ref_t *ref, const np_audit_entry_t *actor,
                              const np_scope_t *scope, const json_t *body, np_date_t today, json_t **out,
                              np_errdetail_t *err) {
  static const char *const keys[] = {"kind",       "enterprise_id", "occupation_code", "count", "period_start",
                                     "period_end", "region_code",   "notes",           NULL};
  const char *kind = NULL, *ent = NULL, *occ_code = NULL, *region = NULL, *notes = NULL;
  int64_t count = 0;
  np_date_t start = {0}, end = {0};
  np_err rc;
  if (out) *out = NULL;
  if ((rc = np_json_check_keys(body, keys, err)) ||
      (rc = np_json_get_str(body, "kind", NP_JSON_REQUIRED, 1, 16, &kind, NULL, err)))
    return rc;
  np_sharing_kind k;
  if (!strcmp(kind, "surplus")) k = NP_SHARING_SURPLUS;
  else if (!strcmp(kind, "shortage")) k = NP_SHARING_SHORTAGE;
  else return np_fail(err, NP_ERR_INVALID, "format", "kind", "kind must be surplus or shortage");
  if ((rc = np_json_get_str(body, "enterprise_id", 0, 1, 32, &ent, NULL, err)) ||
      (rc = np_json_get_str(body, "occupation_code", NP_JSON_REQUIRED, 1, 16, &occ_code, NULL, err)))
    return rc;
  const np_ref_item_t *occ = np_ref_item(ref, NP_REF_OCCUPATIONS, occ_code);
  if (!occ || strcmp(occ->level, "occupation") != 0)
    return np_fail(err, NP_ERR_INVALID, "unknown_occupation", "occupation_code",
                   "occupation_code must be an occupation-level code of the 2022 classification, like 6-18-01-01");
  if ((rc = np_json_get_int(body, "count", NP_JSON_REQUIRED, 1, NP_SHARING_MAX_COUNT, &count, NULL, err)) ||
      (rc = np_json_get_date(body, "period_start", NP_JSON_REQUIRED, &start, NULL, err)) ||
      (rc = np_json_get_date(body, "period_end", NP_JSON_REQUIRED, &end, NULL, err)) ||
      (rc = period_check(start, end, today, err)) ||
      (rc = np_json_get_str(body, "region_code", 0, 6, 12, &region, NULL, err)) ||
      (rc = np_json_get_str(body, "notes", NP_JSON_ALLOW_NEWLINES, 0, NP_SHARING_NOTES_MAX_CHARS, &notes, NULL, err)))
    return rc;

  /* the enterprise: an enterprise user's own, or the one named (inside the staff's scope) */
  int64_t ent_id = 0;
  if (scope->kind == NP_SCOPE_ENTERPRISE) {
    ent_id = scope->enterprise_id;
    if (ent) {
      int64_t named = 0;
      if (resolve_enterprise(s, ent, &named, err) != NP_OK || named != ent_id)
        return np_fail(err, NP_ERR_NOT_FOUND, "not_found", "enterprise_id", "no such enterprise");
    }
  } else {
    if (!ent) return np_fail(err, NP_ERR_INVALID, "required", "enterprise_id", "enterprise_id is required");
    if ((rc = resolve_enterprise(s, ent, &ent_id, err))) return rc;
  }
  ent_row_t e;
  if ((rc = ent_load(s, ent_id, &e, err))) return rc;
  if (!np_authz_scope_contains(scope, e.region_code, e.id, NULL, 0))
    return np_fail(err, NP_ERR_NOT_FOUND, "not_found", "enterprise_id", "no such enterprise");

  /* the region: given (county level or below, in Shandong), else the enterprise's */
  const np_region_t *reg = np_ref_region(ref, region ? region : e.region_code);
  if (!reg || reg->level < NP_REGION_COUNTY)
    return np_fail(err, NP_ERR_INVALID, "unknown_region", "region_code",
                   "region_code must be a known county, township or village code");
  const np_region_t *county = np_ref_region_at(reg, NP_REGION_COUNTY), *city = np_ref_region_at(reg, NP_REGION_CITY);
  if (!county || !city)
    return np_fail(err, NP_ERR_INVALID, "unknown_region", "region_code", "region_code has no county or city");
  if (scope->kind == NP_SCOPE_REGION && !np_authz_scope_contains(scope, reg->code, 0, NULL, 0))
    return np_fail(err, NP_ERR_INVALID, "outside_jurisdiction", "region_code",
                   "region_code lies outside your jurisdiction");
  bool has_loc = false;
  int32_t lat = 0, lon = 0;
  if (!strcmp(county->code, e.county_code) && e.has_location) {
    has_loc = true, lat = e.lat_e6, lon = e.lon_e6;
  } else {
    has_loc = np_ref_region_centroid(reg, &lat, &lon, NULL);
  }
  const np_econ_circle_t *circ = np_ref_region_circle(ref, reg);
  char minor[24] = "", middle[24] = "";
  size_t nm = seg_prefix(occ_code, 3), nd = seg_prefix(occ_code, 2);
  if (nm == 0 || nd == 0 || nm >= sizeof minor)
    return np_fail(err, NP_ERR_INVALID, "unknown_occupation", "occupation_code", "occupation_code is malformed");
  memcpy(minor, occ_code, nm);
  memcpy(middle, occ_code, nd);
  char d1[NP_DATE_STRLEN], d2[NP_DATE_STRLEN], ts[NP_TS_STRLEN];
  np_date_format(start, d1, sizeof d1);
  np_date_format(end, d2, sizeof d2);
  now_ts(ts);

  if ((rc = np_store_begin(s, err))) return rc;
  int64_t id = 0;
  np_stmt_t *st = NULL;
  rc = np_store_prepare(s,
                        "INSERT INTO sharing_posts (enterprise_id, kind, occupation_code, minor_code, middle_code, "
                        "count, remaining, period_start, period_end, region_code, county_code, city_code, circle, "
                        "lat_e6, lon_e6, notes, status, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, "
                        "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?) RETURNING id",
                        &st, err);
  if (rc == NP_OK) {
    int i = 0;
    np_store_bind_int64(st, ++i, ent_id);
    np_store_bind_text(st, ++i, np_sharing_kind_name(k), NP_STORE_STRLEN);
    np_store_bind_text(st, ++i, occ_code, NP_STORE_STRLEN);
    np_store_bind_text(st, ++i, minor, NP_STORE_STRLEN);
    np_store_bind_text(st, ++i, middle, NP_STORE_STRLEN);
    np_store_bind_int64(st, ++i, count);
    np_store_bind_int64(st, ++i, count);
    np_store_bind_text(st, ++i, d1, NP_STORE_STRLEN);
    np_store_bind_text(st, ++i, d2, NP_STORE_STRLEN);
    np_store_bind_text(st, ++i, reg->code, NP_STORE_STRLEN);
    np_store_bind_text(st, ++i, county->code, NP_STORE_STRLEN);
    np_store_bind_text(st, ++i, city->code, NP_STORE_STRLEN);
    np_store_bind_text_or_null(st, ++i, circ ? circ->name : NULL);
    if (has_loc) {
      np_store_bind_int64(st, ++i, lat);
      np_store_bind_int64(st, ++i, lon);
    } else {
      np_store_bind_null(st, ++i);
      np_store_bind_null(st, ++i);
    }
    np_store_bind_text_or_null(st, ++i, notes && *notes ? notes : NULL);
    if (actor && actor->user_id > 0) np_store_bind_int64(st, ++i, actor->user_id);
    else np_store_bind_null(st, ++i);
    np_store_bind_text(st, ++i, ts, NP_STORE_STRLEN);
    np_store_bind_text(st, ++i, ts, NP_STORE_STRLEN);
    bool has = false;
    rc = np_store_step(st, &has, err);
    if (rc == NP_OK && has) id = np_store_col_int64(st, 0);
    np_store_release(st);
  }
  char pid[32];
  np_id_format(NP_ID_SHARING_POST, id, pid, sizeof pid);
  post_t p;
  post_text_t *t = calloc(1, sizeof *t);
  json_t *j = NULL;
  if (rc == NP_OK && !t) rc = nomem(err);
  if (rc == NP_OK && id <= 0) rc = np_fail(err, NP_ERR_STORE, "store", "", "insert returned no id");
  if (rc == NP_OK) rc = np_store_change(s, "sharing_post", pid, "insert", NULL, err);
  if (rc == NP_OK) rc = post_load(s, id, &p, t, err);
  if (rc == NP_OK && !(j = post_json(ref, &p, t, today, true))) rc = nomem(err);
  if (rc == NP_OK) rc = audit(s, actor, "sharing_post.create", "sharing_post", pid, NULL, j, err);
  free(t);
  return end_write(s, rc, j, out, err);
}

np_err np_sharing_post_get(np_store_t *s, const np_ref_t *ref, const np_scope_t *scope, int64_t id, np_date_t today,
                           json_t **out, np_errdetail_t *err) {
  post_t p;
  post_text_t *t = calloc(1, sizeof *t);
  if (!t) return nomem(err);
  np_err rc = post_load(s, id, &p, t, err);
  if (rc == NP_OK && !post_in_scope(scope, &p)) rc = np_fail(err, NP_ERR_NOT_FOUND, "not_found", "", "no such post");
  if (rc == NP_OK && !(*out = post_json(ref, &p, t, today, true))) rc = nomem(err);
  free(t);
  return rc;
}

np_err np_sharing_post_patch(np_store_t *s, const np_ref_t *ref, const np_audit_entry_t *actor,
                             const np_scope_t *scope, int64_t id, const json_t *body, np_date_t today, json_t **out,
                             np_errdetail_t *err) {
  const char *status = NULL, *reason = NULL;
  int64_t version = 0;
  np_json_presence vp = NP_JSON_ABSENT;
  np_err rc;
  if (out) *out = NULL;
  if ((rc = parse_status_body(body, "reason", &status, &reason, &version, &vp, err))) return rc;
  if (strcmp(status, "closed") != 0)
    return np_fail(err, NP_ERR_INVALID, "format", "status", "status can only be set to closed");
  post_t before;
  if ((rc = post_load(s, id, &before, NULL, err))) return rc;
  if (!post_in_scope(scope, &before)) return np_fail(err, NP_ERR_NOT_FOUND, "not_found", "", "no such post");
  if (vp == NP_JSON_PRESENT && version != before.version)
    return np_fail(err, NP_ERR_CONFLICT, "stale", "version", "the post was changed meanwhile: reload it");
  if (!before.open) return np_fail(err, NP_ERR_CONFLICT, "closed", "status", "the post is already closed");
  post_text_t *t = calloc(2, sizeof *t); /* before, after */
  if (!t) return nomem(err);
  if ((rc = post_load(s, id, &before, &t[0], err))) {
    free(t);
    return rc;
  }
  char ts[NP_TS_STRLEN], pid[32];
  now_ts(ts);
  np_id_format(NP_ID_SHARING_POST, id, pid, sizeof pid);
  json_t *b = NULL, *a = NULL;
  if ((rc = np_store_begin(s, err))) {
    free(t);
    return rc;
  }
  int64_t changed = 0;
  rc = np_store_execf(s, &changed, err,
                      "UPDATE sharing_posts SET status = 'closed', close_reason = ?, closed_at = ?, updated_at = ?, "
                      "version = version + 1 WHERE id = ? AND version = ? AND status = 'open'",
                      "tttii", reason && *reason ? reason : NULL, ts, ts, id, before.version);
  if (rc == NP_OK && changed != 1)
    rc = np_fail(err, NP_ERR_CONFLICT, "stale", "version", "the post was changed meanwhile: reload it");
  post_t after;
  if (rc == NP_OK) rc = np_store_change(s, "sharing_post", pid, "update", NULL, err);
  if (rc == NP_OK) rc = post_load(s, id, &after, &t[1], err);
  if (rc == NP_OK &&
      (!(b = post_json(ref, &before, &t[0], today, true)) || !(a = post_json(ref, &after, &t[1], today, true))))
    rc = nomem(err);
  if (rc == NP_OK) rc = audit(s, actor, "sharing_post.update", "sharing_post", pid, b, a, err);
  free(t);
  json_decref(b);
  return end_write(s, rc, a, out, err);
}

/* A small WHERE builder with text and integer binds. */
#define WMAX 12
typedef struct where {
  char sql[1536];
  size_t n;
  int nb;
  bool is_int[WMAX];
  int64_t iv[WMAX];
  char tv[WMAX][72];
  bool overflow;
} where_t;

static void w_add(where_t *w, const char *clause) {
  int k = snprintf(w->sql + w->n, sizeof w->sql - w->n, " AND %s", clause);
  if (k < 0 || (size_t)k >= sizeof w->sql - w->n) w->overflow = true;
  else w->n += (size_t)k;
}
static void w_int(where_t *w, int64_t v) {
  if (w->nb >= WMAX) {
    w->overflow = true;
    return;
  }
  w->is_int[w->nb] = true;
  w->iv[w->nb++] = v;
}
static void w_text(where_t *w, const char *v) {
  if (w->nb >= WMAX) {
    w->overflow = true;
    return;
  }
  w->is_int[w->nb] = false;
  np_strlcpy(w->tv[w->nb++], v, sizeof w->tv[0]);
}
static void w_scope(where_t *w, const np_scope_sql_t *q) {
  if (q->sql[0]) {
    int k = snprintf(w->sql + w->n, sizeof w->sql - w->n, "%s", q->sql);
    if (k < 0 || (size_t)k >= sizeof w->sql - w->n) w->overflow = true;
    else w->n += (size_t)k;
  }
  for (int i = 0; i < q->nbinds; i++) {
    if (q->binds[i].is_int) w_int(w, q->binds[i].i);
    else w_text(w, q->binds[i].t);
  }
}
static int w_bind(const where_t *w, np_stmt_t *st, int first) {
  int idx = first;
  for (int i = 0; i < w->nb; i++, idx++) {
    if (w->is_int[i]) np_store_bind_int64(st, idx, w->iv[i]);
    else np_store_bind_text(st, idx, w->tv[i], NP_STORE_STRLEN);
  }
  return idx;
}

/* LIKE pattern for a prefix made of [0-9-]: no escaping needed; false for other characters. */
static bool prefix_pattern(const char *p, char out[72]) {
  size_t n = strlen(p);
  if (n == 0 || n > 60) return false;
  for (size_t i = 0; i < n; i++)
    if (!((p[i] >= '0' && p[i] <= '9') || p[i] == '-')) return false;
  snprintf(out, 72, "%s%%", p);
  return true;
}

static np_err status_clause(where_t *w, const char *status, np_date_t today, const char *prefix,
                            np_errdetail_t *err) {
  char d[NP_DATE_STRLEN], c[160];
  np_date_format(today, d, sizeof d);
  if (!strcmp(status, "open")) {
    snprintf(c, sizeof c, "%sstatus = 'open' AND %sremaining > 0 AND %speriod_end >= ?", prefix, prefix, prefix);
    w_add(w, c);
    w_text(w, d);
  } else if (!strcmp(status, "filled")) {
    snprintf(c, sizeof c, "%sstatus = 'open' AND %sremaining = 0 AND %speriod_end >= ?", prefix, prefix, prefix);
    w_add(w, c);
    w_text(w, d);
  } else if (!strcmp(status, "expired")) {
    snprintf(c, sizeof c, "%sstatus = 'open' AND %speriod_end < ?", prefix, prefix);
    w_add(w, c);
    w_text(w, d);
  } else if (!strcmp(status, "closed")) {
    snprintf(c, sizeof c, "%sstatus = 'closed'", prefix);
    w_add(w, c);
  } else {
    return np_fail(err, NP_ERR_INVALID, "format", "status", "status must be open, filled, expired or closed");
  }
  return NP_OK;
}

static np_err cursor_id(const char *cursor, int64_t *id, np_errdetail_t *err) {
  *id = 0;
  if (!cursor || !*cursor) return NP_OK;
  if (np_parse_int64(cursor, strlen(cursor), 1, INT64_MAX, id) != NP_OK)
    return np_fail(err, NP_ERR_INVALID, "format", "cursor", "cursor is not valid");
  return NP_OK;
}

static np_err count_where(np_store_t *s, const char *from, const where_t *w, int64_t *total, np_errdetail_t *err) {
  char sql[2048];
  snprintf(sql, sizeof sql, "SELECT COUNT(*)%s WHERE 1 = 1%s", from, w->sql);
  np_stmt_t *st = NULL;
  np_err rc = np_store_prepare(s, sql, &st, err);
  if (rc) return rc;
  w_bind(w, st, 1);
  bool has = false;
  rc = np_store_step(st, &has, err);
  *total = rc == NP_OK && has ? np_store_col_int64(st, 0) : 0;
  np_store_release(st);
  return rc;
}

/* A list page, newest first: checks the cursor (an id), counts the rows under w into *total, then prepares
 * "SELECT <cols><from> WHERE … [AND <id_col> < cursor] ORDER BY <id_col> DESC LIMIT limit + 1" (one more
 * than asked, to tell whether more follow). */
static np_err page_stmt(np_store_t *s, const char *cols, const char *from, const char *id_col, where_t *w,
                        const char *cursor, int64_t limit, int64_t *total, np_stmt_t **st, np_errdetail_t *err) {
  int64_t after = 0;
  np_err rc;
  if ((rc = cursor_id(cursor, &after, err))) return rc;
  if (w->overflow) return np_fail(err, NP_ERR_INTERNAL, "internal", "", "filter too long");
  if ((rc = count_where(s, from, w, total, err))) return rc;
  if (after > 0) {
    char clause[32];
    snprintf(clause, sizeof clause, "%s < ?", id_col);
    w_add(w, clause);
    w_int(w, after);
  }
  char sql[2560];
  snprintf(sql, sizeof sql, "SELECT %s%s WHERE 1 = 1%s ORDER BY %s DESC LIMIT ?", cols, from, w->sql, id_col);
  if ((rc = np_store_prepare(s, sql, st, err))) return rc;
  int idx = w_bind(w, *st, 1);
  np_store_bind_int64(*st, idx, limit + 1);
  return NP_OK;
}

np_err np_sharing_post_list(np_store_t *s, const np_ref_t *ref, const np_sharing_post_filter_t *f, np_date_t today,
                            json_t **out, np_errdetail_t *err) {
  *out = NULL;
  where_t w = {0};
  np_scope_sql_t q;
  np_scope_cols_t cols = {.region = "p.region_code", .enterprise = "p.enterprise_id"};
  if (np_authz_scope_sql(f->scope, &cols, &q) != NP_OK) return np_fail(err, NP_ERR_INTERNAL, "internal", "", "scope");
  w_scope(&w, &q);
  np_err rc;
  char pat[72];
  if (f->kind >= 0) {
    w_add(&w, "p.kind = ?");
    w_text(&w, np_sharing_kind_name((np_sharing_kind)f->kind));
  }
  if (f->occupation && *f->occupation) {
    if (!prefix_pattern(f->occupation, pat))
      return np_fail(err, NP_ERR_INVALID, "format", "occupation", "occupation must be a code prefix like 6-18");
    w_add(&w, "p.occupation_code LIKE ?");
    w_text(&w, pat);
  }
  if (f->region_prefix && *f->region_prefix) {
    if (!prefix_pattern(f->region_prefix, pat))
      return np_fail(err, NP_ERR_INVALID, "format", "region", "region must be a region code");
    w_add(&w, "p.region_code LIKE ?");
    w_text(&w, pat);
  }
  if (f->status && *f->status && (rc = status_clause(&w, f->status, today, "p.", err))) return rc;
  if (f->enterprise_id > 0) {
    w_add(&w, "p.enterprise_id = ?");
    w_int(&w, f->enterprise_id);
  }
  int64_t total = 0, limit = f->limit > 0 && f->limit <= 100 ? f->limit : 20;
  np_stmt_t *st = NULL;
  if ((rc = page_stmt(s, POST_COLS, POST_FROM, "p.id", &w, f->cursor, limit, &total, &st, err))) return rc;
  json_t *items = json_array();
  post_text_t *t = calloc(1, sizeof *t);
  int64_t n = 0, last = 0;
  bool more = false;
  if (!t) json_decref(items), items = NULL;
  while (rc == NP_OK && items) {
    bool has = false;
    if ((rc = np_store_step(st, &has, err)) || !has) break;
    if (n == limit) {
      more = true;
      break;
    }
    post_t p;
    post_read(st, &p, t);
    json_array_append_new(items, post_json(ref, &p, t, today, true));
    last = p.id;
    n++;
  }
  np_store_release(st);
  free(t);
  if (!items) return nomem(err);
  if (rc) {
    json_decref(items);
    return rc;
  }
  char cur[32];
  snprintf(cur, sizeof cur, "%" PRId64, last);
  *out = json_pack("{s:o, s:I, s:o}", "items", items, "total", (json_int_t)total, "next_cursor",
                   more ? json_string(cur) : json_null());
  return *out ? NP_OK : nomem(err);
}

/* ------------------------------------------------------------------ pairings */

typedef struct scored {
  post_t *partner;
  np_sharing_eval_t ev;
} scored_t;

static int scored_cmp(const void *a, const void *b) {
  const scored_t *x = a, *y = b;
  if (x->ev.score != y->ev.score) return x->ev.score > y->ev.score ? -1 : 1;
  return x->partner->id < y->partner->id ? -1 : x->partner->id > y->partner->id;
}

static void eval_pair(const post_t *a, const post_t *b, np_date_t today, np_sharing_eval_t *ev) {
  np_sharing_side_t sa, sb;
  side_of(a, &sa);
  side_of(b, &sb);
  if (a->kind == NP_SHARING_SURPLUS) np_sharing_evaluate(&sa, &sb, today, ev);
  else np_sharing_evaluate(&sb, &sa, today, ev);
}

static json_t *pairing_json(const np_ref_t *ref, const post_t *partner, const np_sharing_eval_t *ev,
                            np_date_t today) {
  json_t *o = np_sharing_eval_json(ev);
  if (!o) return NULL;
  json_object_set_new(o, "partner", post_json(ref, partner, NULL, today, false));
  return o;
}

np_err np_sharing_pairings(np_store_t *s, const np_ref_t *ref, const np_scope_t *scope, int64_t id,
                           int64_t partner_id, int64_t limit, np_date_t today, json_t **out, np_errdetail_t *err) {
  *out = NULL;
  post_t me;
  np_err rc = post_load(s, id, &me, NULL, err);
  if (rc) return rc;
  if (!post_in_scope(scope, &me)) return np_fail(err, NP_ERR_NOT_FOUND, "not_found", "", "no such post");
  if (limit <= 0 || limit > 100) limit = 20;
  json_t *items = json_array();
  if (!items) return nomem(err);
  int64_t total = 0;
  if (partner_id > 0) {
    post_t other;
    rc = post_load(s, partner_id, &other, NULL, err);
    if (rc == NP_ERR_NOT_FOUND) rc = np_fail(err, NP_ERR_INVALID, "not_found", "partner", "no such post");
    if (rc == NP_OK && other.kind == me.kind)
      rc = np_fail(err, NP_ERR_INVALID, "same_kind", "partner", "a pairing needs one surplus and one shortage post");
    if (rc == NP_OK) {
      np_sharing_eval_t ev;
      eval_pair(&me, &other, today, &ev);
      json_array_append_new(items, pairing_json(ref, &other, &ev, today));
      total = ev.proposed ? 1 : 0;
    }
  } else {
    /* candidates: open posts of the other kind in the same middle group with days left */
    char middle[24] = "", d[NP_DATE_STRLEN];
    size_t nd = seg_prefix(me.occupation_code, 2);
    if (nd > 0 && nd < sizeof middle) memcpy(middle, me.occupation_code, nd);
    np_date_format(today, d, sizeof d);
    np_stmt_t *st = NULL;
    post_t *cands = NULL;
    size_t n = 0, cap = 0;
    rc = np_store_prepare(s,
                          "SELECT " POST_COLS POST_FROM
                          " WHERE p.kind = ? AND p.middle_code = ? AND p.status = 'open' AND p.remaining > 0 AND "
                          "p.period_end >= ? AND p.enterprise_id <> ? ORDER BY p.id LIMIT 5000",
                          &st, err);
    if (rc == NP_OK) {
      np_store_bind_text(st, 1, np_sharing_kind_name(me.kind == NP_SHARING_SURPLUS ? NP_SHARING_SHORTAGE
                                                                                   : NP_SHARING_SURPLUS),
                         NP_STORE_STRLEN);
      np_store_bind_text(st, 2, middle, NP_STORE_STRLEN);
      np_store_bind_text(st, 3, d, NP_STORE_STRLEN);
      np_store_bind_int64(st, 4, me.enterprise_id);
      for (;;) {
        bool has = false;
        if ((rc = np_store_step(st, &has, err)) || !has) break;
        post_t *grown = grow(cands, n, &cap, sizeof *cands, 32);
        if (!grown) {
          rc = nomem(err);
          break;
        }
        cands = grown;
        post_read(st, &cands[n++], NULL);
      }
      np_store_release(st);
    }
    scored_t *sc = rc == NP_OK && n ? calloc(n, sizeof *sc) : NULL;
    if (rc == NP_OK && n && !sc) rc = nomem(err);
    size_t m = 0;
    for (size_t i = 0; rc == NP_OK && i < n; i++) {
      np_sharing_eval_t ev;
      eval_pair(&me, &cands[i], today, &ev);
      if (!ev.proposed) continue;
      sc[m].partner = &cands[i];
      sc[m++].ev = ev;
    }
    if (m > 1) qsort(sc, m, sizeof *sc, scored_cmp);
    for (size_t i = 0; rc == NP_OK && i < m && (int64_t)i < limit; i++)
      json_array_append_new(items, pairing_json(ref, sc[i].partner, &sc[i].ev, today));
    total = (int64_t)m;
    free(sc);
    free(cands);
  }
  if (rc) {
    json_decref(items);
    return rc;
  }
  *out = json_pack("{s:o, s:o, s:I}", "post", post_json(ref, &me, NULL, today, false), "items", items, "total",
                   (json_int_t)total);
  return *out ? NP_OK : nomem(err);
}

/* ------------------------------------------------------------------ agreements */

static const char *const agreement_statuses[] = {"proposed", "agreed", "in_progress", "completed", "cancelled"};

static bool status_known(const char *s) {
  for (size_t i = 0; i < sizeof agreement_statuses / sizeof agreement_statuses[0]; i++)
    if (!strcmp(s, agreement_statuses[i])) return true;
  return false;
}

static bool transition_ok(const char *from, const char *to) {
  if (!strcmp(to, "cancelled"))
    return !strcmp(from, "proposed") || !strcmp(from, "agreed") || !strcmp(from, "in_progress");
  if (!strcmp(from, "proposed")) return !strcmp(to, "agreed");
  if (!strcmp(from, "agreed")) return !strcmp(to, "in_progress");
  if (!strcmp(from, "in_progress")) return !strcmp(to, "completed");
  return false;
}

typedef struct agreement {
  int64_t id, surplus_id, shortage_id, surplus_ent, shortage_ent, workers, version;
  char surplus_region[16], shortage_region[16];
  char start[NP_DATE_STRLEN], end[NP_DATE_STRLEN];
  char status[16];
  char notes[NP_SHARING_NOTES_MAX_CHARS * 4 + 1];
  char created_by_name[64];
  char created_at[NP_TS_STRLEN], updated_at[NP_TS_STRLEN];
} agreement_t;

#define AGR_COLS                                                                                                 \
  "a.id, a.surplus_post_id, a.shortage_post_id, a.surplus_enterprise_id, a.shortage_enterprise_id, a.workers, " \
  "a.version, a.surplus_region_code, a.shortage_region_code, a.start_date, a.end_date, a.status, a.notes, "     \
  "a.created_by_name, a.created_at, a.updated_at"

static void agr_read(np_stmt_t *st, agreement_t *a) {
  memset(a, 0, sizeof *a);
  a->id = np_store_col_int64(st, 0);
  a->surplus_id = np_store_col_int64(st, 1);
  a->shortage_id = np_store_col_int64(st, 2);
  a->surplus_ent = np_store_col_int64(st, 3);
  a->shortage_ent = np_store_col_int64(st, 4);
  a->workers = np_store_col_int64(st, 5);
  a->version = np_store_col_int64(st, 6);
  cpy(a->surplus_region, sizeof a->surplus_region, np_store_col_text(st, 7));
  cpy(a->shortage_region, sizeof a->shortage_region, np_store_col_text(st, 8));
  cpy(a->start, sizeof a->start, np_store_col_text(st, 9));
  cpy(a->end, sizeof a->end, np_store_col_text(st, 10));
  cpy(a->status, sizeof a->status, np_store_col_text(st, 11));
  cpy(a->notes, sizeof a->notes, np_store_col_text(st, 12));
  cpy(a->created_by_name, sizeof a->created_by_name, np_store_col_text(st, 13));
  cpy(a->created_at, sizeof a->created_at, np_store_col_text(st, 14));
  cpy(a->updated_at, sizeof a->updated_at, np_store_col_text(st, 15));
}

static np_err agr_load(np_store_t *s, int64_t id, agreement_t *a, np_errdetail_t *err) {
  np_stmt_t *st;
  np_err rc = np_match_row_by_id(s, "SELECT " AGR_COLS " FROM sharing_agreements a WHERE a.id = ?", id, "agreement", &st,
                                 err);
  if (rc) return rc;
  agr_read(st, a);
  np_store_release(st);
  return NP_OK;
}

static bool agr_in_scope(const np_scope_t *scope, const agreement_t *a) {
  return np_authz_scope_contains(scope, a->surplus_region, a->surplus_ent, NULL, 0) ||
         np_authz_scope_contains(scope, a->shortage_region, a->shortage_ent, NULL, 0);
}

/* Summary of a post for an agreement (loaded; a missing post gives just the id). */
static json_t *post_summary(np_store_t *s, const np_ref_t *ref, int64_t id, np_date_t today) {
  post_t p;
  np_errdetail_t d;
  if (post_load(s, id, &p, NULL, &d) == NP_OK) return post_json(ref, &p, NULL, today, false);
  char pid[32];
  np_id_format(NP_ID_SHARING_POST, id, pid, sizeof pid);
  return json_pack("{s:s}", "id", pid);
}

static json_t *agr_json(np_store_t *s, const np_ref_t *ref, const agreement_t *a, np_date_t today) {
  char id[32];
  np_id_format(NP_ID_SHARING_AGREEMENT, a->id, id, sizeof id);
  json_t *o = json_object();
  if (!o) return NULL;
  json_object_set_new(o, "id", json_string(id));
  json_object_set_new(o, "surplus_post", post_summary(s, ref, a->surplus_id, today));
  json_object_set_new(o, "shortage_post", post_summary(s, ref, a->shortage_id, today));
  json_object_set_new(o, "workers", json_integer(a->workers));
  json_object_set_new(o, "start_date", json_string(a->start));
  json_object_set_new(o, "end_date", json_string(a->end));
  json_object_set_new(o, "status", json_string(a->status));
  json_object_set_new(o, "notes", str_or_null(a->notes));
  json_object_set_new(o, "created_by_name", str_or_null(a->created_by_name));
  json_object_set_new(o, "version", json_integer(a->version));
  json_object_set_new(o, "created_at", json_string(a->created_at));
  json_object_set_new(o, "updated_at", json_string(a->updated_at));
  return o;
}

static np_err agr_event(np_store_t *s, int64_t id, const char *before, const char *after,
                        const np_audit_entry_t *actor, const char *note, np_errdetail_t *err) {
  char ts[NP_TS_STRLEN];
  now_ts(ts);
  np_stmt_t *st = NULL;
  np_err rc = np_store_prepare(s,
                               "INSERT INTO sharing_agreement_events (agreement_id, at, status_before, status_after, "
                               "user_id, username, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
                               &st, err);
  if (rc) return rc;
  np_store_bind_int64(st, 1, id);
  np_store_bind_text(st, 2, ts, NP_STORE_STRLEN);
  np_store_bind_text_or_null(st, 3, before);
  np_store_bind_text(st, 4, after, NP_STORE_STRLEN);
  if (actor && actor->user_id > 0) np_store_bind_int64(st, 5, actor->user_id);
  else np_store_bind_null(st, 5);
  np_store_bind_text_or_null(st, 6, actor ? actor->username : NULL);
  np_store_bind_text_or_null(st, 7, note && *note ? note : NULL);
  bool has = false;
  rc = np_store_step(st, &has, err);
  np_store_release(st);
  return rc;
}

/* remaining -= workers (guarded: never below zero) or += workers (never above count). */
static np_err take_workers(np_store_t *s, int64_t post_id, int64_t workers, bool give_back, const char *field,
                           np_errdetail_t *err) {
  char ts[NP_TS_STRLEN], pid[32];
  now_ts(ts);
  int64_t changed = 0;
  np_err rc = give_back ? np_store_execf(s, &changed, err,
                                         "UPDATE sharing_posts SET remaining = remaining + ?, updated_at = ?, "
                                         "version = version + 1 WHERE id = ? AND remaining + ? <= count",
                                         "itii", workers, ts, post_id, workers)
                        : np_store_execf(s, &changed, err,
                                         "UPDATE sharing_posts SET remaining = remaining - ?, updated_at = ?, "
                                         "version = version + 1 WHERE id = ? AND remaining >= ?",
                                         "itii", workers, ts, post_id, workers);
  if (rc) return rc;
  if (changed != 1)
    return give_back ? np_fail(err, NP_ERR_INTERNAL, "internal", field, "remaining would exceed the count")
                     : np_fail(err, NP_ERR_CONFLICT, "exceeds_remaining", field,
                               "more workers than the post has remaining");
  np_id_format(NP_ID_SHARING_POST, post_id, pid, sizeof pid);
  return np_store_change(s, "sharing_post", pid, "update", NULL, err);
}

np_err np_sharing_agreement_create(np_store_t *s, const np_ref_t *ref, const np_audit_entry_t *actor,
                                   const np_scope_t *scope, const json_t *body, np_date_t today, json_t **out,
                                   np_errdetail_t *err) {
  static const char *const keys[] = {"surplus_post_id", "shortage_post_id", "workers", "start_date",
                                     "end_date",        "status",           "notes",   NULL};
  const char *sp_id = NULL, *sh_id = NULL, *status = "agreed", *notes = NULL;
  int64_t workers = 0, spi = 0, shi = 0;
  np_date_t start = {0}, end = {0};
  np_err rc;
  if (out) *out = NULL;
  if ((rc = np_json_check_keys(body, keys, err)) ||
      (rc = np_json_get_str(body, "surplus_post_id", NP_JSON_REQUIRED, 1, 32, &sp_id, NULL, err)) ||
      (rc = np_json_get_str(body, "shortage_post_id", NP_JSON_REQUIRED, 1, 32, &sh_id, NULL, err)) ||
      (rc = np_json_get_int(body, "workers", NP_JSON_REQUIRED, 1, NP_SHARING_MAX_COUNT, &workers, NULL, err)) ||
      (rc = np_json_get_date(body, "start_date", NP_JSON_REQUIRED, &start, NULL, err)) ||
      (rc = np_json_get_date(body, "end_date", NP_JSON_REQUIRED, &end, NULL, err)) ||
      (rc = np_json_get_str(body, "status", 0, 1, 16, &status, NULL, err)) ||
      (rc = np_json_get_str(body, "notes", NP_JSON_ALLOW_NEWLINES, 0, NP_SHARING_NOTES_MAX_CHARS, &notes, NULL, err)))
    return rc;
  if (strcmp(status, "proposed") && strcmp(status, "agreed"))
    return np_fail(err, NP_ERR_INVALID, "format", "status", "a new agreement is proposed or agreed");
  if (start.days > end.days)
    return np_fail(err, NP_ERR_INVALID, "period_order", "end_date", "end_date must not be before start_date");
  if (np_id_parse(NP_ID_SHARING_POST, sp_id, &spi) != NP_OK)
    return np_fail(err, NP_ERR_INVALID, "not_found", "surplus_post_id", "no such post");
  if (np_id_parse(NP_ID_SHARING_POST, sh_id, &shi) != NP_OK)
    return np_fail(err, NP_ERR_INVALID, "not_found", "shortage_post_id", "no such post");
  post_t sp, sh;
  if ((rc = post_load(s, spi, &sp, NULL, err)))
    return rc == NP_ERR_NOT_FOUND ? np_fail(err, NP_ERR_INVALID, "not_found", "surplus_post_id", "no such post") : rc;
  if ((rc = post_load(s, shi, &sh, NULL, err)))
    return rc == NP_ERR_NOT_FOUND ? np_fail(err, NP_ERR_INVALID, "not_found", "shortage_post_id", "no such post") : rc;
  if (!post_in_scope(scope, &sp) && !post_in_scope(scope, &sh))
    return np_fail(err, NP_ERR_NOT_FOUND, "not_found", "", "no such post");
  if (sp.kind != NP_SHARING_SURPLUS)
    return np_fail(err, NP_ERR_INVALID, "wrong_kind", "surplus_post_id", "surplus_post_id is not a surplus post");
  if (sh.kind != NP_SHARING_SHORTAGE)
    return np_fail(err, NP_ERR_INVALID, "wrong_kind", "shortage_post_id", "shortage_post_id is not a shortage post");
  if (sp.enterprise_id == sh.enterprise_id)
    return np_fail(err, NP_ERR_INVALID, "same_enterprise", "shortage_post_id",
                   "both posts belong to the same enterprise");
  if (!sp.open) return np_fail(err, NP_ERR_CONFLICT, "closed", "surplus_post_id", "the surplus post is closed");
  if (!sh.open) return np_fail(err, NP_ERR_CONFLICT, "closed", "shortage_post_id", "the shortage post is closed");
  if (start.days < sp.start.days || end.days > sp.end.days || start.days < sh.start.days || end.days > sh.end.days)
    return np_fail(err, NP_ERR_INVALID, "outside_period", "start_date",
                   "the agreement's dates must lie within both posts' periods");
  if (end.days < today.days)
    return np_fail(err, NP_ERR_INVALID, "period_past", "end_date", "end_date must not be in the past");
  if (workers > sp.remaining)
    return np_fail(err, NP_ERR_CONFLICT, "exceeds_remaining", "workers",
                   "the surplus post has only %" PRId64 " workers remaining", sp.remaining);
  if (workers > sh.remaining)
    return np_fail(err, NP_ERR_CONFLICT, "exceeds_remaining", "workers",
                   "the shortage post needs only %" PRId64 " more workers", sh.remaining);

  char d1[NP_DATE_STRLEN], d2[NP_DATE_STRLEN], ts[NP_TS_STRLEN], aid[32];
  np_date_format(start, d1, sizeof d1);
  np_date_format(end, d2, sizeof d2);
  now_ts(ts);
  json_t *j = NULL;
  int64_t id = 0;
  if ((rc = np_store_begin(s, err))) return rc;
  rc = take_workers(s, sp.id, workers, false, "workers", err);
  if (rc == NP_OK) rc = take_workers(s, sh.id, workers, false, "workers", err);
  if (rc == NP_OK) {
    np_stmt_t *st = NULL;
    rc = np_store_prepare(s,
                          "INSERT INTO sharing_agreements (surplus_post_id, shortage_post_id, surplus_enterprise_id, "
                          "shortage_enterprise_id, surplus_region_code, shortage_region_code, workers, start_date, "
                          "end_date, status, notes, created_by, created_by_name, created_at, updated_at) VALUES (?, ?, "
                          "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                          &st, err);
    if (rc == NP_OK) {
      int i = 0;
      np_store_bind_int64(st, ++i, sp.id);
      np_store_bind_int64(st, ++i, sh.id);
      np_store_bind_int64(st, ++i, sp.enterprise_id);
      np_store_bind_int64(st, ++i, sh.enterprise_id);
      np_store_bind_text(st, ++i, sp.region_code, NP_STORE_STRLEN);
      np_store_bind_text(st, ++i, sh.region_code, NP_STORE_STRLEN);
      np_store_bind_int64(st, ++i, workers);
      np_store_bind_text(st, ++i, d1, NP_STORE_STRLEN);
      np_store_bind_text(st, ++i, d2, NP_STORE_STRLEN);
      np_store_bind_text(st, ++i, status, NP_STORE_STRLEN);
      np_store_bind_text_or_null(st, ++i, notes && *notes ? notes : NULL);
      if (actor && actor->user_id > 0) np_store_bind_int64(st, ++i, actor->user_id);
      else np_store_bind_null(st, ++i);
      np_store_bind_text_or_null(st, ++i, actor ? actor->username : NULL);
      np_store_bind_text(st, ++i, ts, NP_STORE_STRLEN);
      np_store_bind_text(st, ++i, ts, NP_STORE_STRLEN);
      bool has = false;
      rc = np_store_step(st, &has, err);
      if (rc == NP_OK && has) id = np_store_col_int64(st, 0);
      np_store_release(st);
    }
  }
  if (rc == NP_OK && id <= 0) rc = np_fail(err, NP_ERR_STORE, "store", "", "insert returned no id");
  np_id_format(NP_ID_SHARING_AGREEMENT, id, aid, sizeof aid);
  if (rc == NP_OK) rc = agr_event(s, id, NULL, status, actor, notes, err);
  if (rc == NP_OK) rc = np_store_change(s, "sharing_agreement", aid, "insert", NULL, err);
  agreement_t a;
  if (rc == NP_OK) rc = agr_load(s, id, &a, err);
  if (rc == NP_OK && !(j = agr_json(s, ref, &a, today))) rc = nomem(err);
  if (rc == NP_OK) rc = audit(s, actor, "sharing_agreement.create", "sharing_agreement", aid, NULL, j, err);
  return end_write(s, rc, j, out, err);
}

static np_err agr_history(np_store_t *s, int64_t id, json_t **out, np_errdetail_t *err) {
  np_stmt_t *st = NULL;
  np_err rc = np_store_prepare(s,
                               "SELECT at, status_before, status_after, username, note FROM sharing_agreement_events "
                               "WHERE agreement_id = ? ORDER BY id",
                               &st, err);
  if (rc) return rc;
  np_store_bind_int64(st, 1, id);
  json_t *arr = json_array();
  while (arr) {
    bool has = false;
    if ((rc = np_store_step(st, &has, err)) || !has) break;
    json_array_append_new(arr, json_pack("{s:s, s:o, s:s, s:o, s:o}", "at", np_store_col_text(st, 0), "status_before",
                                         str_or_null(np_store_col_text(st, 1)), "status_after",
                                         np_store_col_text(st, 2), "username", str_or_null(np_store_col_text(st, 3)),
                                         "note", str_or_null(np_store_col_text(st, 4))));
  }
  np_store_release(st);
  if (!arr) return nomem(err);
  if (rc) {
    json_decref(arr);
    return rc;
  }
  *out = arr;
  return NP_OK;
}

np_err np_sharing_agreement_get(np_store_t *s, const np_ref_t *ref, const np_scope_t *scope, int64_t id,
                                json_t **out, np_errdetail_t *err) {
  agreement_t a;
  *out = NULL;
  np_err rc = agr_load(s, id, &a, err);
  if (rc) return rc;
  if (!agr_in_scope(scope, &a)) return np_fail(err, NP_ERR_NOT_FOUND, "not_found", "", "no such agreement");
  json_t *o = agr_json(s, ref, &a, np_date_today()), *h = NULL;
  if (!o) return nomem(err);
  if ((rc = agr_history(s, id, &h, err))) {
    json_decref(o);
    return rc;
  }
  json_object_set_new(o, "history", h);
  *out = o;
  return NP_OK;
}

np_err np_sharing_agreement_patch(np_store_t *s, const np_ref_t *ref, const np_audit_entry_t *actor,
                                  const np_scope_t *scope, int64_t id, const json_t *body, json_t **out,
                                  np_errdetail_t *err) {
  const char *status = NULL, *note = NULL;
  int64_t version = 0;
  np_json_presence vp = NP_JSON_ABSENT;
  np_err rc;
  if (out) *out = NULL;
  if ((rc = parse_status_body(body, "note", &status, &note, &version, &vp, err))) return rc;
  if (!status_known(status))
    return np_fail(err, NP_ERR_INVALID, "format", "status",
                   "status must be proposed, agreed, in_progress, completed or cancelled");
  agreement_t before;
  if ((rc = agr_load(s, id, &before, err))) return rc;
  if (!agr_in_scope(scope, &before)) return np_fail(err, NP_ERR_NOT_FOUND, "not_found", "", "no such agreement");
  if (vp == NP_JSON_PRESENT && version != before.version)
    return np_fail(err, NP_ERR_CONFLICT, "stale", "version", "the agreement was changed meanwhile: reload it");
  if (!transition_ok(before.status, status))
    return np_fail(err, NP_ERR_CONFLICT, "bad_transition", "status", "an agreement that is %s cannot become %s",
                   before.status, status);
  np_date_t today = np_date_today();
  char ts[NP_TS_STRLEN], aid[32];
  now_ts(ts);
  np_id_format(NP_ID_SHARING_AGREEMENT, id, aid, sizeof aid);
  json_t *b = NULL, *a = NULL;
  if ((rc = np_store_begin(s, err))) return rc;
  if (!(b = agr_json(s, ref, &before, today))) rc = nomem(err);
  int64_t changed = 0;
  if (rc == NP_OK)
    rc = np_store_execf(s, &changed, err,
                        "UPDATE sharing_agreements SET status = ?, updated_at = ?, version = version + 1 WHERE id = ? "
                        "AND version = ?",
                        "ttii", status, ts, id, before.version);
  if (rc == NP_OK && changed != 1)
    rc = np_fail(err, NP_ERR_CONFLICT, "stale", "version", "the agreement was changed meanwhile: reload it");
  if (rc == NP_OK && !strcmp(status, "cancelled")) {
    rc = take_workers(s, before.surplus_id, before.workers, true, "status", err);
    if (rc == NP_OK) rc = take_workers(s, before.shortage_id, before.workers, true, "status", err);
  }
  if (rc == NP_OK) rc = agr_event(s, id, before.status, status, actor, note, err);
  if (rc == NP_OK) rc = np_store_change(s, "sharing_agreement", aid, "update", NULL, err);
  agreement_t after;
  if (rc == NP_OK) rc = agr_load(s, id, &after, err);
  if (rc == NP_OK && !(a = agr_json(s, ref, &after, today))) rc = nomem(err);
  if (rc == NP_OK) rc = audit(s, actor, "sharing_agreement.update", "sharing_agreement", aid, b, a, err);
  if (rc == NP_OK) rc = np_store_commit(s, err);
  json_decref(b);
  if (rc) {
    np_store_rollback(s);
    json_decref(a);
    return rc;
  }
  json_t *h = NULL;
  if (agr_history(s, id, &h, err) == NP_OK) json_object_set_new(a, "history", h);
  if (out) *out = a;
  else json_decref(a);
  return NP_OK;
}

np_err np_sharing_agreement_list(np_store_t *s, const np_ref_t *ref, const np_sharing_agreement_filter_t *f,
                                 json_t **out, np_errdetail_t *err) {
  *out = NULL;
  where_t w = {0};
  np_scope_sql_t q1, q2;
  np_scope_cols_t c1 = {.region = "a.surplus_region_code", .enterprise = "a.surplus_enterprise_id"};
  np_scope_cols_t c2 = {.region = "a.shortage_region_code", .enterprise = "a.shortage_enterprise_id"};
  if (np_authz_scope_sql(f->scope, &c1, &q1) != NP_OK || np_authz_scope_sql(f->scope, &c2, &q2) != NP_OK)
    return np_fail(err, NP_ERR_INTERNAL, "internal", "", "scope");
  if (q1.sql[0]) {
    /* either side in scope: "(1 = 1 AND x) OR (1 = 1 AND y)" from the two " AND …" fragments */
    char c[400];
    snprintf(c, sizeof c, "((1 = 1%s) OR (1 = 1%s))", q1.sql, q2.sql);
    w_add(&w, c);
    for (int i = 0; i < q1.nbinds; i++) q1.binds[i].is_int ? w_int(&w, q1.binds[i].i) : w_text(&w, q1.binds[i].t);
    for (int i = 0; i < q2.nbinds; i++) q2.binds[i].is_int ? w_int(&w, q2.binds[i].i) : w_text(&w, q2.binds[i].t);
  }
  if (f->status && *f->status) {
    if (!strcmp(f->status, "active")) {
      w_add(&w, "a.status IN ('proposed', 'agreed', 'in_progress')");
    } else if (status_known(f->status)) {
      w_add(&w, "a.status = ?");
      w_text(&w, f->status);
    } else {
      return np_fail(err, NP_ERR_INVALID, "format", "status",
                     "status must be proposed, agreed, in_progress, completed, cancelled or active");
    }
  }
  if (f->post_id > 0) {
    w_add(&w, "(a.surplus_post_id = ? OR a.shortage_post_id = ?)");
    w_int(&w, f->post_id);
    w_int(&w, f->post_id);
  }
  int64_t total = 0, limit = f->limit > 0 && f->limit <= 100 ? f->limit : 20;
  np_stmt_t *st = NULL;
  np_err rc = page_stmt(s, AGR_COLS, " FROM sharing_agreements a", "a.id", &w, f->cursor, limit, &total, &st, err);
  if (rc) return rc;
  agreement_t *rows = calloc((size_t)limit, sizeof *rows);
  int64_t n = 0;
  bool more = false;
  if (!rows) rc = nomem(err);
  while (rc == NP_OK) {
    bool has = false;
    if ((rc = np_store_step(st, &has, err)) || !has) break;
    if (n == limit) {
      more = true;
      break;
    }
    agr_read(st, &rows[n++]);
  }
  np_store_release(st); /* before the nested post loads */
  json_t *items = rc == NP_OK ? json_array() : NULL;
  if (rc == NP_OK && !items) rc = nomem(err);
  np_date_t today = np_date_today();
  for (int64_t i = 0; rc == NP_OK && i < n; i++) json_array_append_new(items, agr_json(s, ref, &rows[i], today));
  char cur[32];
  snprintf(cur, sizeof cur, "%" PRId64, n ? rows[n - 1].id : 0);
  free(rows);
  if (rc) {
    json_decref(items);
    return rc;
  }
  *out = json_pack("{s:o, s:I, s:o}", "items", items, "total", (json_int_t)total, "next_cursor",
                   more ? json_string(cur) : json_null());
  return *out ? NP_OK : nomem(err);
}

/* ------------------------------------------------------------------ board */

typedef struct bpost {
  post_t p;
  bool in_view;
} bpost_t;

typedef struct bpair {
  size_t sp, sh; /* indexes into the posts */
  int group;     /* circle index */
  np_sharing_eval_t ev;
} bpair_t;

static int bpair_cmp(const void *a, const void *b) {
  const bpair_t *x = a, *y = b;
  if (x->group != y->group) return x->group < y->group ? -1 : 1;
  if (x->ev.score != y->ev.score) return x->ev.score > y->ev.score ? -1 : 1;
  if (x->sp != y->sp) return x->sp < y->sp ? -1 : 1; /* posts are loaded in id order */
  return x->sh < y->sh ? -1 : x->sh > y->sh;
}

static bool code_within(const char *code, const char *prefix) {
  size_t n = strlen(prefix);
  return n == 0 || (strlen(code) >= n && memcmp(code, prefix, n) == 0);
}

np_err np_sharing_board(np_store_t *s, const np_ref_t *ref, const np_scope_t *scope, const char *circle,
                        const char *city, const char *county, int top, np_date_t today, json_t **out,
                        np_errdetail_t *err) {
  *out = NULL;
  if (top <= 0 || top > 100) top = 10;
  char cityp[16] = "", countyp[16] = "";
  if (city && *city) {
    const np_region_t *r = np_ref_region(ref, city);
    if (!r || r->level != NP_REGION_CITY)
      return np_fail(err, NP_ERR_INVALID, "unknown_region", "city", "city must be a city code like 370100");
    np_authz_region_prefix(city, cityp);
  }
  if (county && *county) {
    const np_region_t *r = np_ref_region(ref, county);
    if (!r || r->level != NP_REGION_COUNTY)
      return np_fail(err, NP_ERR_INVALID, "unknown_region", "county", "county must be a county code like 370102");
    np_strlcpy(countyp, county, sizeof countyp);
  }
  const char *circ = NULL;
  if (circle && *circle && !(circ = np_sharing_circle_parse(circle)))
    return np_fail(err, NP_ERR_INVALID, "unknown_circle", "circle", "circle must be 省会, 胶东 or 鲁南 (经济圈)");

  /* every open post with workers and days left, in id order (both sides of a pair may lie outside the view) */
  char d[NP_DATE_STRLEN];
  np_date_format(today, d, sizeof d);
  np_stmt_t *st = NULL;
  bpost_t *posts = NULL;
  bpair_t *pairs = NULL;
  size_t n = 0, cap = 0, np_ = 0, pcap = 0;
  json_t *groups = NULL;
  np_err rc = np_store_prepare(s,
                               "SELECT " POST_COLS POST_FROM
                               " WHERE p.status = 'open' AND p.remaining > 0 AND p.period_end >= ? ORDER BY p.id LIMIT ?",
                               &st, err);
  if (rc) return rc;
  np_store_bind_text(st, 1, d, NP_STORE_STRLEN);
  np_store_bind_int64(st, 2, MAX_BOARD_POSTS);
  for (;;) {
    bool has = false;
    if ((rc = np_store_step(st, &has, err)) || !has) break;
    bpost_t *grown = grow(posts, n, &cap, sizeof *posts, 64);
    if (!grown) {
      rc = nomem(err);
      break;
    }
    posts = grown;
    bpost_t *b = &posts[n++];
    post_read(st, &b->p, NULL);
    b->in_view = post_in_scope(scope, &b->p) && code_within(b->p.region_code, cityp) &&
                 code_within(b->p.county_code, countyp) && (!circ || !strcmp(b->p.circle, circ));
  }
  np_store_release(st);
  if (rc) goto out;

  /* pairs: surplus × shortage with at least one side in view (n is small: a quadratic pass over the
   * posts of the same middle group would do for thousands; the occupation check discards most) */
  for (size_t i = 0; rc == NP_OK && i < n; i++) {
    if (posts[i].p.kind != NP_SHARING_SURPLUS) continue;
    for (size_t j = 0; j < n; j++) {
      if (posts[j].p.kind != NP_SHARING_SHORTAGE || (!posts[i].in_view && !posts[j].in_view)) continue;
      if (np_sharing_occ_relation(posts[i].p.occupation_code, posts[j].p.occupation_code) == NP_SHARING_OCC_NONE)
        continue;
      np_sharing_eval_t ev;
      eval_pair(&posts[i].p, &posts[j].p, today, &ev);
      if (!ev.proposed) continue;
      const bpost_t *home = posts[j].in_view ? &posts[j] : &posts[i];
      int g = circle_index(home->p.circle);
      if (g < 0 || (circ && strcmp(circles[g].name, circ))) continue;
      bpair_t *grown = grow(pairs, np_, &pcap, sizeof *pairs, 64);
      if (!grown) {
        rc = nomem(err);
        break;
      }
      pairs = grown;
      pairs[np_++] = (bpair_t){.sp = i, .sh = j, .group = g, .ev = ev};
    }
  }
  if (rc) goto out;
  if (np_ > 1) qsort(pairs, np_, sizeof *pairs, bpair_cmp);

  groups = json_array();
  if (!groups) {
    rc = nomem(err);
    goto out;
  }
  int64_t tot[4] = {0}; /* surplus posts, surplus workers, shortage posts, shortage workers */
  for (size_t g = 0; g < NCIRCLES; g++) {
    if (circ && strcmp(circles[g].name, circ)) continue;
    int64_t c[4] = {0}, npairs = 0;
    json_t *plist = json_array(), *pairlist = json_array();
    for (size_t i = 0; i < n; i++) {
      if (!posts[i].in_view || strcmp(posts[i].p.circle, circles[g].name)) continue;
      int k = posts[i].p.kind == NP_SHARING_SURPLUS ? 0 : 2;
      c[k]++;
      c[k + 1] += posts[i].p.remaining;
      if (plist && json_array_size(plist) < BOARD_POSTS_PER_CIRCLE)
        json_array_append_new(plist, post_json(ref, &posts[i].p, NULL, today, false));
    }
    for (size_t k = 0; k < np_; k++) {
      if (pairs[k].group != (int)g) continue;
      npairs++;
      if (!pairlist || (int)json_array_size(pairlist) >= top) continue;
      const post_t *a = &posts[pairs[k].sp].p, *b = &posts[pairs[k].sh].p;
      json_t *o = np_sharing_eval_json(&pairs[k].ev);
      if (!o) continue;
      json_object_set_new(o, "surplus", post_json(ref, a, NULL, today, false));
      json_object_set_new(o, "shortage", post_json(ref, b, NULL, today, false));
      json_object_set_new(o, "cross_circle", json_boolean(strcmp(a->circle, b->circle) != 0));
      json_array_append_new(pairlist, o);
    }
    for (int k = 0; k < 4; k++) tot[k] += c[k];
    json_t *grp = json_pack("{s:s, s:s, s:{s:I, s:I, s:I, s:I, s:I}, s:o, s:o}", "circle", circles[g].name, "key",
                            circles[g].key, "counts", "surplus_posts", (json_int_t)c[0], "surplus_workers",
                            (json_int_t)c[1], "shortage_posts", (json_int_t)c[2], "shortage_workers", (json_int_t)c[3],
                            "pairings", (json_int_t)npairs, "posts", plist ? plist : json_array(), "pairings",
                            pairlist ? pairlist : json_array());
    if (grp) json_array_append_new(groups, grp);
  }
  *out = json_pack("{s:s, s:o, s:{s:I, s:I, s:I, s:I, s:I}}", "date", d, "circles", groups, "totals", "surplus_posts",
                   (json_int_t)tot[0], "surplus_workers", (json_int_t)tot[1], "shortage_posts", (json_int_t)tot[2],
                   "shortage_workers", (json_int_t)tot[3], "pairings", (json_int_t)np_);
  groups = NULL;
  if (!*out) rc = nomem(err);
out:
  json_decref(groups);
  free(posts);
  free(pairs);
  return rc;
}
