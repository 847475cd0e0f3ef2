/*
 * Demo step "teams": service teams for the province, the demo cities and counties (with hotlines and
 * members), specialists per county (the demo account "specialist" linked to one in 370102), assignments
 * covering most but not all key enterprises and major projects (so the coverage report shows gaps),
 * grid cells for the demo counties, and a few service logs per assigned key enterprise. Everything goes
 * through the units, so it is audited like any other write.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/date.h"
#include "core/ids.h"
#include "demo/steps.h"
#include "firms/grid.h"
#include "firms/servicelog.h"
#include "firms/specialists.h"
#include "firms/teams.h"

#define MAX_COUNTIES 256
#define MAX_SPC_PER_COUNTY 40

static const struct {
  const char *city, *area;
} area_codes[] = {{"3701", "0531"}, {"3702", "0532"}, {"3703", "0533"}, {"3704", "0632"}, {"3705", "0546"},
                  {"3706", "0535"}, {"3707", "0536"}, {"3708", "0537"}, {"3709", "0538"}, {"3710", "0631"},
                  {"3711", "0633"}, {"3713", "0539"}, {"3714", "0534"}, {"3715", "0635"}, {"3716", "0543"},
                  {"3717", "0530"}};

static const char *area_of(const char *code) {
  for (size_t i = 0; i < sizeof area_codes / sizeof area_codes[0]; i++)
    if (strncmp(code, area_codes[i].city, 4) == 0) return area_codes[i].area;
  return "0531";
}

static void mobile(np_rng_t *rng, char out[12]) {
  static const char *const pre[] = {"138", "139", "137", "135", "158", "188", "186", "153", "177", "199"};
  snprintf(out, 12, "%s%08" PRId64, pre[np_rng_range(rng, 0, 9)], np_rng_range(rng, 0, 99999999));
}

static np_err make_team(np_firms_ctx_t *c, np_rng_t *rng, const np_region_t *r, np_errdetail_t *err) {
  int64_t existing = 0;
  np_err rc = np_firms_team_of_region(c->s, r->code, &existing, err);
  if (rc || existing) return rc;
  char lead[32], hot1[24], hot2[24];
  np_demo_person_name(rng, lead, sizeof lead);
  const char *area = area_of(r->code);
  snprintf(hot1, sizeof hot1, "%s-12333", area);
  snprintf(hot2, sizeof hot2, "%s-%08" PRId64, area, np_rng_range(rng, 60000000, 89999999));
  json_t *members = json_array();
  static const char *const divs[] = {"employment_talent", "hr_mobility", "vocational_skills", "public_service",
                                     "unemployment_insurance"};
  int64_t nm = np_rng_range(rng, 3, 5);
  for (int64_t i = 0; i < nm; i++) {
    char name[32], phone[12];
    np_demo_person_name(rng, name, sizeof name);
    mobile(rng, phone);
    json_array_append_new(members, json_pack("{s:s, s:s, s:s, s:s}", "name", name, "division", divs[i % 5], "title",
                                             i == 0 ? "科长" : "科员", "phone", phone));
  }
  char name[128];
  const char *bureau = r->level == NP_REGION_PROVINCE ? "山东省人力资源和社会保障厅" : r->name;
  snprintf(name, sizeof name, "%s%s用工服务专班", bureau, r->level == NP_REGION_PROVINCE ? "" : "人社局");
  json_t *in = json_pack("{s:s, s:s, s:s, s:s, s:[s, s], s:o}", "region_code", r->code, "name", name, "lead_name", lead,
                         "lead_title", "分管副局长", "hotlines", r->level == NP_REGION_COUNTY ? hot2 : hot1, hot1,
                         "members", members);
  json_t *out = NULL;
  rc = np_firms_team_create(c, in, &out, err);
  json_decref(in);
  json_decref(out);
  return rc;
}

static np_err id_list(np_store_t *s, const char *sql, const char *county, int64_t **ids, size_t *n, np_errdetail_t *err) {
  np_stmt_t *st = NULL;
  bool has;
  size_t cap = 0;
  *ids = NULL;
  *n = 0;
  np_err rc = np_store_prepare(s, sql, &st, err);
  if (rc) return rc;
  np_store_bind_text(st, 1, county, NP_STORE_STRLEN);
  while ((rc = np_store_step(st, &has, err)) == NP_OK && has) {
    if (*n == cap) {
      size_t nc = cap ? cap * 2 : 64;
      int64_t *p = realloc(*ids, nc * sizeof *p);
      if (!p) {
        rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
        break;
      }
      *ids = p;
      cap = nc;
    }
    (*ids)[(*n)++] = np_store_col_int64(st, 0);
  }
  np_store_release(st);
  return rc;
}

static np_err assign(np_firms_ctx_t *c, int64_t spc, const char *kind, const char *prefix, int64_t target, const char *since,
                     np_errdetail_t *err) {
  char tid[32];
  json_t *in = json_pack("{s:s, s:s, s:s}", "target_kind", kind, "target_id", np_id_format(prefix, target, tid, sizeof tid),
                         "since", since), *out = NULL;
  np_err rc = np_firms_assign(c, spc, in, &out, err);
  json_decref(in);
  json_decref(out);
  return rc;
}

static const char *const findings[] = {"企业订单增加，一线操作工缺口较大", "焊工、电工等技能岗位招聘困难", "新厂区投产，需批量招用普工",
                                       "用工基本稳定，关注季节性缺工", "高校毕业生留用率偏低",   "对稳岗返还和培训补贴政策有咨询"};
static const char *const problems[] = {"招工难", "技能人才短缺", "员工流动性大", "政策不了解", "住房配套不足", "通勤不便"};

static np_err county_step(np_firms_ctx_t *c, np_demo_ctx_t *ctx, np_rng_t *rng, const np_region_t *county,
                          int64_t specialist_user, int64_t *stats, np_errdetail_t *err) {
  np_err rc;
  int64_t *keys = NULL, *prjs = NULL, spc[MAX_SPC_PER_COUNTY];
  size_t nkeys = 0, nprj = 0, nspc = 0;
  if ((rc = id_list(c->s, "SELECT id FROM enterprises WHERE county_code = ? AND is_key = 1 ORDER BY id", county->code, &keys,
                    &nkeys, err)) ||
      (rc = id_list(c->s, "SELECT id FROM projects WHERE county_code = ? AND is_major = 1 ORDER BY id", county->code, &prjs,
                    &nprj, err)))
    goto out;
  nspc = (nkeys + nprj) / 5 + 2;
  if (nspc > MAX_SPC_PER_COUNTY) nspc = MAX_SPC_PER_COUNTY;
  for (size_t i = 0; i < nspc; i++) {
    char name[32], phone[12];
    np_demo_person_name(rng, name, sizeof name);
    mobile(rng, phone);
    const np_region_t *where = county;
    if (i > 0 && county->nchildren) where = county->children[np_rng_range(rng, 0, (int64_t)county->nchildren - 1)];
    json_t *in = json_pack("{s:s, s:s, s:s}", "name", name, "region_code", where->code, "phone", phone), *out = NULL;
    if (i == 0 && specialist_user > 0) {
      char uid[32];
      json_object_set_new(in, "user_id", json_string(np_id_format(NP_ID_USER, specialist_user, uid, sizeof uid)));
    }
    rc = np_firms_specialist_create(c, in, &out, err);
    json_decref(in);
    if (rc) goto out;
    np_id_parse(NP_ID_SPECIALIST, json_string_value(json_object_get(out, "id")), &spc[i]);
    json_decref(out);
    stats[1]++;
  }
  char since[NP_DATE_STRLEN], d[NP_DATE_STRLEN];
  np_date_t s0;
  np_date_add_days(np_date_today(), -200, &s0);
  np_date_format(s0, since, sizeof since);
  /* about 85 % of key enterprises and 75 % of major projects get a specialist; the rest show as gaps */
  for (size_t i = 0; i < nkeys; i++) {
    if (!np_rng_chance(rng, 850000) && !(i == 0 && specialist_user > 0)) continue;
    int64_t who = spc[i == 0 ? 0 : np_rng_range(rng, 0, (int64_t)nspc - 1)];
    if ((rc = assign(c, who, "enterprise", NP_ID_ENTERPRISE, keys[i], since, err))) goto out;
    stats[2]++;
    /* a few service logs in the last four months */
    if (ctx->scale == NP_DEMO_PROVINCE && stats[3] > 5000) continue;
    int64_t nl = np_rng_range(rng, 1, 3);
    for (int64_t k = 0; k < nl; k++) {
      np_date_t day;
      np_date_add_days(np_date_today(), -np_rng_range(rng, 0, 120), &day);
      np_date_format(day, d, sizeof d);
      char eid[32], sid[32];
      static const char *const kinds[] = {"visit", "visit", "call", "online"};
      json_t *in = json_pack("{s:s, s:s, s:s, s:s, s:[s]}", "log_date", d, "kind", kinds[np_rng_range(rng, 0, 3)], "findings",
                             findings[np_rng_range(rng, 0, 5)], "specialist_id",
                             np_id_format(NP_ID_SPECIALIST, who, sid, sizeof sid), "problems", problems[np_rng_range(rng, 0, 5)]);
      json_t *out = NULL;
      rc = np_firms_servicelog_create(c, np_id_format(NP_ID_ENTERPRISE, keys[i], eid, sizeof eid), 0, in, &out, err);
      json_decref(in);
      json_decref(out);
      if (rc) goto out;
      stats[3]++;
    }
  }
  for (size_t i = 0; i < nprj; i++) {
    if (!np_rng_chance(rng, 750000)) continue;
    if ((rc = assign(c, spc[np_rng_range(rng, 0, (int64_t)nspc - 1)], "project", NP_ID_PROJECT, prjs[i], since, err))) goto out;
    stats[2]++;
  }
out:
  free(keys);
  free(prjs);
  return rc;
}

np_err np_demo_step_teams(np_demo_ctx_t *ctx, np_rng_t *rng, np_errdetail_t *err) {
  np_ref_t *own = NULL;
  const np_ref_t *ref = np_ref_global();
  np_err rc = NP_OK;
  char (*counties)[8] = NULL;
  size_t nc = 0;
  if (!ref) {
    if ((rc = np_ref_open(ctx->store, &own, err))) return rc;
    ref = own;
  }
  np_audit_entry_t actor = {.username = "demo", .detail = "demo data"};
  np_firms_ctx_t c = {.s = ctx->store, .ref = ref, .scope = NULL, .actor = &actor};
  counties = calloc(MAX_COUNTIES, sizeof *counties);
  if (!counties) {
    rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
    goto out;
  }
  /* the counties with key enterprises or major projects (370102 always: the demo accounts live there) */
  np_stmt_t *st = NULL;
  bool has;
  memcpy(counties[nc++], "370102", 7);
  if ((rc = np_store_prepare(ctx->store,
                             "SELECT county_code FROM enterprises WHERE is_key = 1 UNION SELECT county_code FROM projects "
                             "WHERE is_major = 1 ORDER BY 1",
                             &st, err)))
    goto out;
  while ((rc = np_store_step(st, &has, err)) == NP_OK && has && nc < MAX_COUNTIES) {
    const char *code = np_store_col_text(st, 0);
    if (code && strlen(code) == 6 && strcmp(code, "370102") != 0) memcpy(counties[nc++], code, 7);
  }
  np_store_release(st);
  if (rc) goto out;
  int64_t specialist_user = 0;
  bool found = false;
  if ((rc = np_store_queryf_int64(ctx->store, &specialist_user, &found, err, "SELECT id FROM users WHERE username = ?", "t",
                                  "specialist")))
    goto out;
  if (!found) specialist_user = 0;
  int64_t stats[5] = {0}; /* teams, specialists, assignments, logs, grid cells */
  if ((rc = make_team(&c, rng, np_ref_province(ref), err))) goto out;
  stats[0]++;
  for (size_t i = 0; i < nc; i++) {
    const np_region_t *county = np_ref_region(ref, counties[i]);
    if (!county || county->level != NP_REGION_COUNTY) continue;
    const np_region_t *city = np_ref_region_at(county, NP_REGION_CITY);
    int64_t before = 0;
    if (city && (rc = np_firms_team_of_region(c.s, city->code, &before, err))) goto out;
    if (city && !before) {
      if ((rc = make_team(&c, rng, city, err))) goto out;
      stats[0]++;
    }
    if ((rc = make_team(&c, rng, county, err))) goto out;
    stats[0]++;
    if ((rc = county_step(&c, ctx, rng, county, strcmp(county->code, "370102") == 0 ? specialist_user : 0, stats, err)))
      goto out;
    /* grid cells for the demo counties (at province scale only for the first few) */
    if (ctx->scale != NP_DEMO_PROVINCE || i < 8) {
      int64_t made = 0;
      if ((rc = np_firms_grid_ensure_county(&c, county->code, &made, err))) goto out;
      stats[4] += made;
    }
  }
  if (ctx->report)
    fprintf(ctx->report,
            "teams: %" PRId64 " service teams, %" PRId64 " specialists, %" PRId64 " assignments, %" PRId64
            " service logs, %" PRId64 " grid cells\n",
            stats[0], stats[1], stats[2], stats[3], stats[4]);
out:
  free(counties);
  np_ref_close(own);
  return rc;
}
