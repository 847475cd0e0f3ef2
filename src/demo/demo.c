#include "demo/demo.h"
#include <string.h>
#include "core/log.h"
#include "core/str.h"
#include "demo/steps.h"
#include "policy/demo.h"
#include "policy/demo_workflow.h"

/* The steps, in dependency order. Each capability adds one line here. */
static const np_demo_step_t steps[] = {
  {"accounts", "one demo account per role, on real jurisdictions", np_demo_step_accounts},
  {"enterprises", "industrial enterprises, key and above-scale flags, contacts, major projects", np_demo_step_enterprises},
  {"demands", "demand lines (about 40 % of enterprises), hires, 一企一策 plans with measures (some overdue)", np_demo_step_demands},
  {"enterprise_account", "the demo enterprise user (HR of a 历下 enterprise with a shortage)", np_demo_step_enterprise_account},
  {"teams", "service teams with hotlines, specialists and assignments (with gaps), grid cells, service logs", np_demo_step_teams},
  {"alerts", "large-scale shortage alerts: escalated, missed, met and green-channel ones", np_demo_step_alerts},
  {"seekers", "job seekers with valid ID numbers (~8 % from other provinces), referrals in every stage, partner key demo-partner", np_demo_step_seekers},
  {"sharing", "surplus and shortage posts (用工余缺调剂) in 济南, 青岛, 临沂 and across circles, two agreements", np_demo_step_sharing},
  {"policy_facts", "24 months of insurance facts per enterprise, persons with spells, internships, certificates (policy rules)", np_demo_step_policy_facts},
  {"policy_workflow", "the seven policies run as of 2023-12-31 and taken through review, approval, notice with objections, push, confirmation and payment (免申即享)", np_demo_step_policy_workflow},
};

const np_demo_step_t *np_demo_steps(size_t *n) {
  *n = sizeof steps / sizeof steps[0];
  return steps;
}

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

void np_rng_seed(np_rng_t *rng, uint64_t seed, const char *label) {
  /* FNV-1a of the label mixed into the seed */
  const char *l = label ? label : "";
  uint64_t x = seed ^ np_hash_fnv1a(NP_FNV1A_INIT, l, strlen(l));
  for (int i = 0; i < 4; i++) rng->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

uint64_t np_rng_next(np_rng_t *rng) {
  uint64_t *s = rng->s;
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

int64_t np_rng_range(np_rng_t *rng, int64_t lo, int64_t hi) {
  if (hi <= lo) return lo;
  uint64_t span = (uint64_t)hi - (uint64_t)lo + 1;
  if (span == 0) return (int64_t)np_rng_next(rng); /* full 64-bit range */
  uint64_t limit = UINT64_MAX - UINT64_MAX % span;
  uint64_t v;
  do v = np_rng_next(rng);
  while (v >= limit);
  return (int64_t)((uint64_t)lo + v % span);
}

bool np_rng_chance(np_rng_t *rng, uint32_t ppm) {
  return (uint32_t)np_rng_range(rng, 0, 999999) < ppm;
}

size_t np_rng_weighted(np_rng_t *rng, const uint32_t *w, size_t n) {
  uint64_t total = 0;
  for (size_t i = 0; i < n; i++) total += w[i];
  if (total == 0) return 0;
  uint64_t r = (uint64_t)np_rng_range(rng, 0, (int64_t)total - 1);
  for (size_t i = 0; i < n; i++) {
    if (r < w[i]) return i;
    r -= w[i];
  }
  return n - 1;
}

np_err np_demo_scale_parse(const char *s, np_demo_scale *out) {
  if (!s) return NP_ERR_INVALID;
  if (strcmp(s, "small") == 0) *out = NP_DEMO_SMALL;
  else if (strcmp(s, "city") == 0) *out = NP_DEMO_CITY;
  else if (strcmp(s, "province") == 0) *out = NP_DEMO_PROVINCE;
  else return NP_ERR_INVALID;
  return NP_OK;
}

const char *np_demo_scale_name(np_demo_scale s) {
  return s == NP_DEMO_PROVINCE ? "province" : s == NP_DEMO_CITY ? "city" : "small";
}

/* Surnames with rough frequency weights (per mille of the population, national statistics). */
static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙",
                                       "马", "朱", "胡", "郭", "何", "林", "高", "罗", "郑", "梁", "谢", "宋",
                                       "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "潘",
                                       "袁", "蔡", "蒋", "余", "于", "杜", "叶", "程", "魏", "苏", "吕", "丁",
                                       "任", "卢", "姚", "沈", "钟", "姜", "崔", "谭", "陆", "范", "汪", "廖",
                                       "石", "金", "韦", "贾", "夏", "付", "方", "邹", "孟", "孔", "侯", "秦"};
static const uint32_t surname_w[] = {71, 70, 68, 54, 45, 31, 22, 20, 20, 18, 17, 15, 15, 14, 13, 13, 12, 12,
                                     12, 10, 10, 10, 9,  9,  8,  8,  8,  8,  7,  7,  7,  7,  7,  7,  5,  5,
                                     5,  5,  5,  5,  9,  5,  5,  5,  5,  5,  5,  4,  4,  4,  4,  4,  4,  6,
                                     4,  4,  4,  4,  4,  4,  4,  4,  3,  3,  3,  3,  3,  3,  5,  4,  4,  3};
static const char *const given[] = {"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳",
                                    "杰", "涛", "明", "超", "秀", "霞", "平", "刚", "桂", "英", "华", "建",
                                    "国", "志", "红", "文", "晓", "海", "鹏", "飞", "欣", "宇", "浩", "然",
                                    "子", "涵", "梓", "轩", "博", "雪", "婷", "琳", "凯", "鑫", "佳", "怡",
                                    "帅", "龙", "辉", "斌", "宁", "燕", "玉", "兰", "成", "东", "庆", "山"};

void np_demo_person_name(np_rng_t *rng, char *out, size_t cap) {
  _Static_assert(sizeof surnames / sizeof surnames[0] == sizeof surname_w / sizeof surname_w[0], "weights");
  const char *s = surnames[np_rng_weighted(rng, surname_w, sizeof surname_w / sizeof surname_w[0])];
  size_t ng = sizeof given / sizeof given[0];
  const char *g1 = given[np_rng_range(rng, 0, (int64_t)ng - 1)];
  if (np_rng_chance(rng, 700000)) {
    const char *g2 = given[np_rng_range(rng, 0, (int64_t)ng - 1)];
    snprintf(out, cap, "%s%s%s", s, g1, g2);
  } else {
    snprintf(out, cap, "%s%s", s, g1);
  }
}

np_err np_demo_run(np_demo_ctx_t *ctx, np_errdetail_t *err) {
  for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
    np_rng_t rng;
    np_rng_seed(&rng, ctx->seed, steps[i].name);
    np_log_info("demo.step", "%s (%s, seed %llu)", steps[i].name, np_demo_scale_name(ctx->scale),
                (unsigned long long)ctx->seed);
    np_err e = np_store_begin(ctx->store, err);
    if (e) return e;
    e = steps[i].run(ctx, &rng, err);
    if (e) {
      np_store_rollback(ctx->store);
      return e;
    }
    e = np_store_commit(ctx->store, err);
    if (e) return e;
  }
  /* fresh statistics for the query planner after a bulk load (portable: SQLite and PostgreSQL) */
  return np_store_exec(ctx->store, "ANALYZE", err);
}
