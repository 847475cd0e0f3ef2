/*
 * Demo step "enterprises": industrial enterprises on real township/village codes with valid credit
 * codes, realistic manufacturing classes, sizes, ~10 % above scale, a few per cent key enterprises,
 * contacts, and some major projects.
 *   small    ≈ 300 enterprises over 6 counties of 济南, 青岛 and 临沂
 *   city     ≈ 20k over the counties of 济南
 *   province ≈ 300k over the 16 cities by population (≈ 30k above scale, ≈ 5k key)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/str.h"
#include "core/valid.h"
#include "demo/steps.h"
#include "firms/enterprises.h"
#include "firms/projects.h"
#include "firms/size.h"
#include "ref/ref.h"

/* Manufacturing classes (GB/T 4754-2017) with rough weights of Shandong's industry mix and a name stem. */
static const struct {
  const char *code, *stem;
  uint32_t w;
} industries[] = {
  {"1311", "粮油加工", 5},     {"1351", "肉类食品", 4},     {"1495", "食品添加剂", 2},   {"1713", "印染", 3},
  {"1811", "服装", 4},         {"2110", "家具", 3},         {"2221", "纸业", 2},         {"2614", "化工", 5},
  {"2651", "新材料", 3},       {"2710", "制药", 3},         {"2927", "塑料制品", 4},     {"3011", "水泥", 2},
  {"3130", "钢材", 3},         {"3311", "钢结构", 6},       {"3360", "表面处理", 3},     {"3411", "锅炉", 3},
  {"3441", "泵业", 3},         {"3484", "机械零部件", 8},   {"3511", "矿山机械", 3},     {"3572", "农业机械", 4},
  {"3670", "汽车零部件", 8},   {"3714", "轨道交通装备", 1}, {"3824", "电力电子", 2},     {"3831", "电线电缆", 3},
  {"3851", "家用电器", 3},     {"3976", "光电子", 1},       {"3989", "电子元件", 3},     {"4011", "仪器仪表", 2},
  {"3311", "金属结构", 2},     {"3525", "模具", 3},
};
#define NIND (sizeof industries / sizeof industries[0])

static const char *const brands[] = {"恒泰", "华信", "鲁源", "金鼎", "宏达", "瑞丰", "万通", "齐鲁", "泰和", "盛世",
                                     "永盛", "德瑞", "海晨", "东方", "金诺", "博远", "中正", "汇丰", "天成", "新锐",
                                     "鸿运", "众联", "昌隆", "信达", "佳和", "兴业", "华通", "中泰", "久隆", "丰源",
                                     "明德", "正大", "鑫源", "隆盛", "广汇", "安泰", "晟达", "创新", "宇航", "远大"};
#define NBRANDS (sizeof brands / sizeof brands[0])

/* Cities with their 2022 resident population (10k) as weights. */
static const struct {
  const char *code;
  uint32_t w;
} cities[] = {
  {"370100", 941}, {"370200", 1034}, {"370300", 470}, {"370400", 385}, {"370500", 220}, {"370600", 708},
  {"370700", 938}, {"370800", 834},  {"370900", 547}, {"371000", 291}, {"371100", 297}, {"371300", 1102},
  {"371400", 558}, {"371500", 592},  {"371600", 393}, {"371700", 872},
};
#define NCITIES (sizeof cities / sizeof cities[0])

static const char *const small_counties[] = {"370102", "370112", "370211", "370281", "371302", "371311"};

static const np_region_t *pick_child_with_children(np_rng_t *rng, const np_region_t *r) {
  for (int tries = 0; tries < 16 && r && r->nchildren; tries++) {
    const np_region_t *c = r->children[np_rng_range(rng, 0, (int64_t)r->nchildren - 1)];
    if (c->nchildren) return c;
  }
  return NULL;
}

static int64_t zone_of(np_store_t *s, const char *code) {
  int64_t id = 0;
  bool found = false;
  np_errdetail_t d = {0};
  if (np_store_queryf_int64(s, &id, &found, &d, "SELECT id FROM dev_zones WHERE code = ?", "t", code) || !found) return 0;
  return id;
}

static void make_enterprise(np_demo_ctx_t *ctx, np_rng_t *rng, const np_region_t *county, uint32_t serial,
                            np_enterprise_t *e) {
  memset(e, 0, sizeof *e);
  const np_region_t *town = county->children[np_rng_range(rng, 0, (int64_t)county->nchildren - 1)];
  const np_region_t *vill = NULL;
  if (town->nchildren && np_rng_chance(rng, 600000)) vill = town->children[np_rng_range(rng, 0, (int64_t)town->nchildren - 1)];
  const np_region_t *city = county->parent;
  np_strlcpy(e->region_code, vill ? vill->code : town->code, sizeof e->region_code);
  np_strlcpy(e->township_code, town->code, sizeof e->township_code);
  np_strlcpy(e->village_code, vill ? vill->code : "", sizeof e->village_code);
  np_strlcpy(e->county_code, county->code, sizeof e->county_code);
  np_strlcpy(e->city_code, city->code, sizeof e->city_code);
  uint32_t w[NIND];
  for (size_t i = 0; i < NIND; i++) w[i] = industries[i].w;
  size_t ind = np_rng_weighted(rng, w, NIND);
  np_strlcpy(e->industry_code, industries[ind].code, sizeof e->industry_code);
  np_strlcpy(e->industry_section, "C", sizeof e->industry_section);
  np_ent_uscc_make(county->code, serial, e->uscc);
  char cityname[32];
  np_strlcpy(cityname, city->name, sizeof cityname);
  size_t cl = strlen(cityname);
  if (cl > 3 && strcmp(cityname + cl - 3, "市") == 0) cityname[cl - 3] = '\0';
  const char *b1 = brands[np_rng_range(rng, 0, NBRANDS - 1)];
  snprintf(e->name, sizeof e->name, "%s%s%s%s有限公司", cityname, b1, industries[ind].stem,
           np_rng_chance(rng, 500000) ? "科技" : "制造");
  snprintf(e->address, sizeof e->address, "%s%s%s%" PRId64 "号", county->name, town->name,
           np_rng_chance(rng, 500000) ? "工业园" : "经济路", np_rng_range(rng, 1, 999));
  /* size: ~10 % above scale (revenue >= 20M yuan) */
  bool above = np_rng_chance(rng, 100000);
  if (above) {
    e->revenue_fen = np_rng_range(rng, 2000, np_rng_chance(rng, 50000) ? 800000 : 40000) * INT64_C(1000000); /* 万元 */
    e->employees = np_rng_range(rng, 60, e->revenue_fen >= INT64_C(40000000000) ? 5000 : 900);
  } else {
    e->revenue_fen = np_rng_range(rng, 50, 1999) * INT64_C(1000000);
    e->employees = np_rng_range(rng, 5, 280);
  }
  e->has_revenue = e->has_employees = true;
  e->headcount = e->employees - np_rng_range(rng, 0, e->employees / 10);
  e->size_class = np_size_classify(true, e->employees, true, e->revenue_fen, e->size_basis, sizeof e->size_basis);
  e->above_scale = np_size_above_scale(e->revenue_fen);
  e->above_scale_from_revenue = true;
  uint32_t key_ppm = ctx->scale == NP_DEMO_PROVINCE ? 160000 : 300000;
  e->is_key = e->above_scale ? np_rng_chance(rng, key_ppm) : np_rng_chance(rng, 1000);
  e->green_channel = e->is_key && np_rng_chance(rng, 100000);
  int32_t lat, lon;
  if (np_ref_region_centroid(town, &lat, &lon, NULL)) {
    /* scatter around the county centroid (about ±5 km), still flagged exact for the map demo */
    e->has_location = true;
    e->location_approx = np_rng_chance(rng, 300000);
    e->lat_e6 = lat + (e->location_approx ? 0 : (int32_t)np_rng_range(rng, -45000, 45000));
    e->lon_e6 = lon + (e->location_approx ? 0 : (int32_t)np_rng_range(rng, -55000, 55000));
  }
  e->ncontacts = 1;
  np_demo_person_name(rng, e->contacts[0].name, sizeof e->contacts[0].name);
  static const char *const titles[] = {"人力资源部经理", "办公室主任", "行政主管", "总经理"};
  np_strlcpy(e->contacts[0].title, titles[np_rng_range(rng, 0, 3)], sizeof e->contacts[0].title);
  static const char *const prefixes[] = {"135", "136", "137", "138", "139", "150", "151", "152", "158", "186", "187", "188", "177", "199"};
  snprintf(e->contacts[0].phone, sizeof e->contacts[0].phone, "%s%08" PRId64, prefixes[np_rng_range(rng, 0, 13)],
           np_rng_range(rng, 0, 99999999));
  np_mask_mobile(e->contacts[0].phone, 11, e->contacts[0].phone_masked, sizeof e->contacts[0].phone_masked);
  e->contacts_changed = true;
}

/* Registered as "enterprises" in src/demo/demo.c; declared in src/demo/steps.h. */
np_err np_demo_step_enterprises(np_demo_ctx_t *ctx, np_rng_t *rng, np_errdetail_t *err) {
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  np_ref_t *own = NULL;
  const np_ref_t *ref = np_ref_global();
  np_err rc = NP_OK;
  if (!ref) {
    if ((rc = np_ref_open(ctx->store, &own, err))) return rc;
    ref = own;
  }
  np_enterprise_t *e = malloc(sizeof *e);
  int64_t *keys = NULL;
  size_t nkeys = 0, capkeys = 0;
  if (!e) {
    rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
    goto out;
  }
  int64_t target = ctx->scale == NP_DEMO_PROVINCE ? 300000 : ctx->scale == NP_DEMO_CITY ? 20000 : 300;
  int64_t n = 0, above = 0, key = 0, projects = 0;
  uint32_t serial_base = (uint32_t)(ctx->seed % 1000) * 100000u;
  uint32_t cw[NCITIES];
  for (size_t i = 0; i < NCITIES; i++) cw[i] = cities[i].w;
  for (; n < target; n++) {
    const np_region_t *county = NULL;
    if (ctx->scale == NP_DEMO_SMALL) {
      county = np_ref_region(ref, small_counties[n % (sizeof small_counties / sizeof small_counties[0])]);
    } else {
      const np_region_t *city = np_ref_region(ref, ctx->scale == NP_DEMO_CITY ? "370100" : cities[np_rng_weighted(rng, cw, NCITIES)].code);
      county = city ? pick_child_with_children(rng, city) : NULL;
    }
    if (!county || !county->nchildren) continue;
    make_enterprise(ctx, rng, county, serial_base + (uint32_t)n + 1, e);
    if (strcmp(county->type, "functional_zone") == 0) e->zone_id = zone_of(ctx->store, county->code);
    if ((rc = np_ent_insert_bulk(ctx->store, e, err))) goto out;
    above += e->above_scale;
    if (e->is_key) {
      key++;
      if (nkeys == capkeys) {
        size_t cap = capkeys ? capkeys * 2 : 256;
        int64_t *k = realloc(keys, cap * sizeof *k);
        if (!k) {
          rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
          goto out;
        }
        keys = k, capkeys = cap;
      }
      keys[nkeys++] = e->id;
    }
  }
  /* major projects: a share of the key enterprises */
  static const char *const kinds[] = {"智能制造产业园", "新能源装备基地", "高端化工新材料", "技术改造", "扩能改造"};
  static const char *const stages[] = {"planning", "approved", "construction", "commissioning", "production"};
  int64_t nproj = ctx->scale == NP_DEMO_PROVINCE ? 2000 : ctx->scale == NP_DEMO_CITY ? 200 : 8;
  for (int64_t i = 0; i < nproj && nkeys; i++) {
    int64_t eid = keys[np_rng_range(rng, 0, (int64_t)nkeys - 1)];
    if ((rc = np_ent_load(ctx->store, eid, false, e, err))) goto out;
    np_project_t p;
    memset(&p, 0, sizeof p);
    p.enterprise_id = eid;
    snprintf(p.name, sizeof p.name, "%.200s%s项目", e->name, kinds[np_rng_range(rng, 0, 4)]);
    np_strlcpy(p.region_code, e->region_code, sizeof p.region_code);
    np_strlcpy(p.county_code, e->county_code, sizeof p.county_code);
    np_strlcpy(p.city_code, e->city_code, sizeof p.city_code);
    p.investment_fen = np_rng_range(rng, 5, 500) * INT64_C(10000000000); /* 1–50 亿元 */
    np_date_t start;
    np_date_from_ymd(2023, (int)np_rng_range(rng, 1, 12), (int)np_rng_range(rng, 1, 28), &start);
    np_date_t prod;
    np_date_add_months(start, np_rng_range(rng, 8, 30), &prod);
    np_date_format(start, p.planned_start, sizeof p.planned_start);
    np_date_format(prod, p.planned_production, sizeof p.planned_production);
    np_strlcpy(p.stage, stages[np_rng_range(rng, 0, 4)], sizeof p.stage);
    p.is_major = true;
    if ((rc = np_prj_save(ctx->store, NULL, &p, 0, NULL, err))) goto out;
    projects++;
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  fprintf(ctx->report, "enterprises: %" PRId64 " (%" PRId64 " above scale, %" PRId64 " key), projects: %" PRId64 " in %.1f s\n",
          n, above, key, projects, (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
out:
  free(keys);
  free(e);
  np_ref_close(own);
  return rc;
}
