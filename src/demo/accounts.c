/* Demo step "accounts": one account per role on real jurisdictions, known demo passwords. */
#include <stdio.h>
#include "audit/audit.h"
#include "auth/settings.h"
#include "auth/users.h"
#include "core/arena.h"
#include "core/ids.h"
#include "demo/steps.h"
#include "firms/enterprises.h"

#define DEMO_PASSWORD "Shandong@2023"

typedef struct demo_account {
  const char *username, *display_name, *role, *region, *bank;
} demo_account_t;

static const demo_account_t accounts[] = {
  {"admin", "系统管理员", "sys_admin", NULL, NULL},
  {"security", "安全管理员", "security_admin", NULL, NULL},
  {"auditor", "审计员", "auditor", NULL, NULL},
  {"province", "省人社厅 就业服务处", "province_staff", "370000", NULL},
  {"jinan", "济南市人社局 用工服务专班", "city_staff", "370100", NULL},
  {"lixia", "历下区人社局 用工服务专班", "county_staff", "370102", NULL},
  {"specialist", "历下区 用工服务专员", "specialist", "370102", NULL},
  {"bank", "中国银行山东省分行 普惠金融部", "bank", NULL, "中国银行山东省分行"},
  {"seeker", "求职者（演示）", "seeker", NULL, NULL},
};

void np_demo_print_accounts(FILE *f) {
  fprintf(f, "  %-12s %-16s %-10s %s\n", "username", "role", "region", "password");
  for (size_t i = 0; i < sizeof accounts / sizeof accounts[0]; i++)
    fprintf(f, "  %-12s %-16s %-10s %s\n", accounts[i].username, accounts[i].role,
            accounts[i].region ? accounts[i].region : accounts[i].bank ? "(bank)" : "-", DEMO_PASSWORD);
  fprintf(f, "  %-12s %-16s %-10s %s   (HR of the 历下 enterprise with the largest shortage)\n", "enterprise", "enterprise", "370102",
          DEMO_PASSWORD);
}

np_err np_demo_step_accounts(np_demo_ctx_t *ctx, np_rng_t *rng, np_errdetail_t *err) {
  (void)rng;
  const np_audit_entry_t actor = {.username = "demo", .role = "", .ip = "", .action = "user.create"};
  for (size_t i = 0; i < sizeof accounts / sizeof accounts[0]; i++) {
    const demo_account_t *a = &accounts[i];
    np_user_new_t in = {.username = a->username, .display_name = a->display_name, .role = a->role,
                        .region_code = a->region, .bank = a->bank, .password = DEMO_PASSWORD,
                        .keep_password = true, .skip_factor = true};
    np_user_created_t created;
    np_err e = np_user_create(ctx->store, &in, &actor, &created, err);
    if (e) return e;
  }
  /* demo accounts sign in with the password alone: a security-admin setting, audited, bannered */
  np_err e = np_auth_settings_set_mfa(ctx->store, false, &actor, err);
  if (e) return e;
  fprintf(ctx->report, "demo accounts: %zu (second factor off for the demo)\n", sizeof accounts / sizeof accounts[0]);
  return NP_OK;
}

np_err np_demo_step_enterprise_account(np_demo_ctx_t *ctx, np_rng_t *rng, np_errdetail_t *err) {
  (void)rng;
  /* the 历下 (370102) enterprise with the most open openings: its HR sees demand lines and plans */
  np_ent_filter_t f = {.region = "370102", .is_key = -1, .above_scale = -1, .has_shortage = 1, .green_channel = -1,
                       .sort = NP_ENT_SORT_OPENINGS, .desc = true, .limit = 1, .scope = {.kind = NP_SCOPE_ALL}};
  np_arena_t *a = np_arena_new(0);
  json_t *items = NULL;
  int64_t total = 0, eid = 0;
  const char *next = NULL;
  np_buf_t b;
  np_jw_t w;
  np_buf_init(&b, 0);
  np_jw_init(&w, &b);
  np_err e = a ? np_ent_list(ctx->store, &f, a, &w, &total, &next, err)
               : np_fail(err, NP_ERR_NOMEM, "nomem", NULL, "out of memory");
  if (e == NP_OK && !(items = json_loadb(b.data, b.len, 0, NULL)))
    e = np_fail(err, NP_ERR_NOMEM, "nomem", NULL, "out of memory");
  np_buf_free(&b);
  json_t *first = e == NP_OK ? json_array_get(items, 0) : NULL;
  const char *id = first ? json_string_value(json_object_get(first, "id")) : NULL;
  if (e == NP_OK && (!id || np_id_parse(NP_ID_ENTERPRISE, id, &eid) != NP_OK))
    e = np_fail(err, NP_ERR_NOT_FOUND, "no_enterprise", NULL, "no enterprise with a shortage in 370102 for the demo");
  if (e == NP_OK) {
    const np_audit_entry_t actor = {.username = "demo", .role = "", .ip = "", .action = "user.create"};
    char display[160];
    snprintf(display, sizeof display, "%s 人力资源部", json_string_value(json_object_get(first, "name")));
    np_user_new_t in = {.username = "enterprise", .display_name = display, .role = "enterprise", .enterprise_id = eid,
                        .password = DEMO_PASSWORD, .keep_password = true, .skip_factor = true};
    np_user_created_t created;
    e = np_user_create(ctx->store, &in, &actor, &created, err);
    if (e == NP_OK) fprintf(ctx->report, "demo enterprise account: enterprise → %s (%s)\n", id, display);
  }
  json_decref(items);
  np_arena_free(a);
  return e;
}
