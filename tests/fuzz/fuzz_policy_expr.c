/*
 * libFuzzer target for the policy expression language and the YAML package loader, differential:
 * whatever loads is evaluated on a small fixed set of facts by both evaluators (column-wise and
 * single-entity), which must agree on every decision; limits and caps run after both.
 *
 * First byte: bit 0 chooses the mode, bits 1–2 the entity kind of the expression mode.
 *   mode 0: the rest is one expression, placed as the let `x` of a policy (criterion `known(x)`,
 *           amount `if known(x) then 1 yuan else 2 yuan`) beside the Shandong 2023 parameters;
 *   mode 1: the rest is a whole policy file, loaded beside the Shandong 2023 parameters.
 * Load errors must carry a code and a message. Inputs over 8 KiB are ignored.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/buf.h"
#include "core/embed.h"
#include "policy/eval.h"
#include "policy/package.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static np_policy_facts_t *g_facts;

static void add(np_policy_facts_t *F, np_pkind_t k, const int64_t *v) {
  np_errdetail_t err = {0};
  if (np_policy_facts_append(F, k, v, &err)) abort();
}

static int64_t pack(const char *s) {
  int64_t v = 0;
  np_policy_text_pack(s, strlen(s), &v);
  return v;
}

/* Two enterprises (24 months of facts each), four persons, spells, internships and certificates. */
static np_policy_facts_t *facts(void) {
  if (g_facts) return g_facts;
  np_policy_facts_t *F = np_policy_facts_new();
  if (!F) abort();
  const int64_t U = NP_POLICY_UNKNOWN;
  add(F, NP_PK_ENTERPRISE, (int64_t[]){1, pack("small"), pack("C"), pack("3311"), pack("370102"), 40});
  add(F, NP_PK_ENTERPRISE, (int64_t[]){2, pack("large"), pack("D"), pack("4411"), pack("999999"), 0});
  int64_t id = 1;
  for (int e = 1; e <= 2; e++)
    for (int m = 0; m < 24; m++) {
      int64_t month = 18993 /* 2022-01-01 */ + m * 30 + (m > 11);
      int64_t due = e == 1 ? 400000 : 0, paid = e == 1 && m == 7 ? 300000 : due;
      add(F, NP_PK_FACT, (int64_t[]){id++, e, month, e == 1 ? 40 - m / 6 : 0, m % 3, m % 4, e == 1 && m == 5 ? 2 : 0, due, paid,
                                      e == 1 && m == 23 ? 5000 : 0});
    }
  add(F, NP_PK_PERSON, (int64_t[]){1, 10957 /* 2000-01-01 */, 19538 /* 2023-06-30 */, U, 0});
  add(F, NP_PK_PERSON, (int64_t[]){2, 12784, U, 19100, 0});
  add(F, NP_PK_PERSON, (int64_t[]){3, 3653, U, 18000, 1});
  add(F, NP_PK_PERSON, (int64_t[]){4, 11000, 18000, U, 0});
  add(F, NP_PK_SPELL, (int64_t[]){1, 1, 1, 19600, U, 12, 6, 0, 90000});
  add(F, NP_PK_SPELL, (int64_t[]){2, 1, 2, 19650, 19700, 36, 1, 1, 80000});
  add(F, NP_PK_SPELL, (int64_t[]){3, 2, 1, 19400, U, 0, 0, 0, 0});
  add(F, NP_PK_SPELL, (int64_t[]){4, 3, 2, 19000, U, 24, 30, 0, 120000});
  add(F, NP_PK_SPELL, (int64_t[]){5, 4, 1, 19700, U, 12, 2, 0, 70000});
  add(F, NP_PK_INTERNSHIP, (int64_t[]){1, 1, 1, 19550, 6, 1});
  add(F, NP_PK_INTERNSHIP, (int64_t[]){2, 2, 1, 19620, 3, 0});
  add(F, NP_PK_INTERNSHIP, (int64_t[]){3, 4, 2, 19500, 24, 1});
  add(F, NP_PK_CERTIFICATE, (int64_t[]){1, 3, 5, 19600, pack("6180101")});
  add(F, NP_PK_CERTIFICATE, (int64_t[]){2, 3, 4, 19610, pack("6180101")});
  add(F, NP_PK_CERTIFICATE, (int64_t[]){3, 3, 3, 19620, pack("6180102")});
  add(F, NP_PK_CERTIFICATE, (int64_t[]){4, 3, 5, 19630, pack("6180103")});
  add(F, NP_PK_CERTIFICATE, (int64_t[]){5, 4, 1, 19640, pack("6180104")});
  np_errdetail_t err = {0};
  if (np_policy_facts_finish(F, false, &err)) abort();
  g_facts = F;
  return F;
}

static const char *const kinds[] = {"enterprise", "spell", "internship", "certificate"};

/* Both evaluators over every entity of the policy's kind; any difference aborts. */
static void differential(const np_ppackage_t *pkg) {
  np_policy_facts_t *F = facts();
  static const int64_t dates[] = {19722 /* 2023-12-31 */, 19540, 19000};
  for (int p = 0; p < pkg->npolicies; p++) {
    const np_ppolicy_t *pol = &pkg->policies[p];
    for (size_t di = 0; di < sizeof dates / sizeof dates[0]; di++) {
      np_peval_t E = {pkg, F, NULL, dates[di], 1};
      np_pdecisions_t all, one;
      np_errdetail_t err = {0};
      if (np_policy_eval_all(&E, pol, &all, &err)) continue;
      if (np_policy_decisions_alloc(&E, pol, &one)) abort();
      for (size_t row = 0; row < all.n; row++) {
        np_buf_t tr;
        np_buf_init(&tr, 0);
        if (np_policy_eval_one(&E, pol, row, &one, &tr, &err) == NP_OK) {
          if (one.eligible[row] != all.eligible[row] || one.amount[row] != all.amount[row] || one.reason[row] != all.reason[row] ||
              one.obs_v[row] != all.obs_v[row] || one.obs_d[row] != all.obs_d[row] || one.thr_v[row] != all.thr_v[row] ||
              one.thr_d[row] != all.thr_d[row]) {
            fprintf(stderr, "%s row %zu: column-wise %d/%lld/%d obs %lld/%lld thr %lld/%lld, single %d/%lld/%d obs %lld/%lld thr %lld/%lld\n",
                    pol->code, row, all.eligible[row], (long long)all.amount[row], all.reason[row], (long long)all.obs_v[row],
                    (long long)all.obs_d[row], (long long)all.thr_v[row], (long long)all.thr_d[row], one.eligible[row],
                    (long long)one.amount[row], one.reason[row], (long long)one.obs_v[row], (long long)one.obs_d[row],
                    (long long)one.thr_v[row], (long long)one.thr_d[row]);
            abort();
          }
        }
        np_buf_free(&tr);
      }
      np_policy_apply_limits(&E, &all, &err);
      np_policy_apply_limits(&E, &one, &err);
      for (size_t row = 0; row < all.n; row++)
        if (one.eligible[row] != all.eligible[row] || one.amount[row] != all.amount[row] || one.reason[row] != all.reason[row]) {
          fprintf(stderr, "%s row %zu: limits differ\n", pol->code, row);
          abort();
        }
      np_policy_decisions_free(&all);
      np_policy_decisions_free(&one);
    }
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1 || size > 8192) return 0;
  const np_embed_entry_t *params = np_embed_find("policies/shandong-2023/parameters.yaml");
  if (!params) abort();
  int mode = data[0] & 1;
  const char *kind = kinds[(data[0] >> 1) & 3];
  np_buf_t pol;
  np_buf_init(&pol, 0);
  if (mode == 0) {
    np_buf_appendf(&pol,
                   "policy:\n  code: fuzz\n  zh: 模糊\n  en: fuzz\n  entity: %s\n  payee: enterprise\n  delivery: test\n"
                   "  reference: fuzz\n  versions:\n    - from: 2023-01-01\n      to: open\n      let:\n        x: |\n          ",
                   kind);
    for (size_t i = 1; i < size; i++) {
      if (data[i] == '\n') np_buf_append_str(&pol, "\n          ");
      else if (data[i] == '\r' || data[i] == 0) np_buf_append_char(&pol, ' ');
      else np_buf_append_char(&pol, (char)data[i]);
    }
    np_buf_append_str(&pol, "\n      criteria:\n        - code: c\n          zh: c\n          en: c\n          when: known(x)\n"
                            "      amount:\n        hit: first\n        rules:\n          - value: if known(x) then 1 yuan else 2 yuan\n");
  } else {
    np_buf_append(&pol, (const char *)data + 1, size - 1);
  }
  np_psource_t files[2] = {
    {"parameters.yaml", (const char *)params->data, (size_t)*params->len},
    {"fuzz.yaml", pol.data ? pol.data : "", pol.len},
  };
  np_ppackage_t *pkg = NULL;
  np_errdetail_t err = {0};
  np_err r = np_policy_package_load_mem("fuzz", files, 2, &pkg, &err);
  if (r) {
    if (!err.code[0] || !err.message[0]) abort(); /* every rejection says why */
  } else {
    differential(pkg);
    np_policy_package_free(pkg);
  }
  np_buf_free(&pol);
  return 0;
}
