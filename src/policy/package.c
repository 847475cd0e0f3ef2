/* Policy package loader: YAML → parameters and policies, with every check at load time. */
#include "policy/package.h"
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/buf.h"
#include "core/date.h"
#include "core/embed.h"
#include "crypto/crypto.h"
#include "policy/ytree.h"

typedef struct ld {
  np_ppackage_t *pkg;
  np_arena_t *a;
  np_errdetail_t *err;
  const char *file;
  np_pversion_t *ver;          /* while checking a version */
  const np_ppolicy_t *pol;
} ld_t;

static np_err lerr(ld_t *L, int line, const char *code, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static np_err lerr(ld_t *L, int line, const char *code, const char *fmt, ...) {
  char msg[320];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return np_fail(L->err, NP_ERR_INVALID, code, "", "%s:%d: %s", L->file, line, msg);
}

static np_err need_map(ld_t *L, const np_ynode_t *n, const char *what) {
  if (!n || n->type != NP_Y_MAP) return lerr(L, n ? n->line : 1, "yaml", "%s must be a mapping", what);
  return NP_OK;
}

/* Rejects keys not in the allowed list (typos must not pass silently). */
static np_err only_keys(ld_t *L, const np_ynode_t *m, const char *const *keys) {
  for (size_t i = 0; i < m->n; i++) {
    bool ok = false;
    for (const char *const *k = keys; *k; k++)
      if (strcmp(*k, m->items[2 * i]->s) == 0) ok = true;
    if (!ok) return lerr(L, m->items[2 * i]->line, "unknown_key", "unknown key '%s'", m->items[2 * i]->s);
  }
  return NP_OK;
}

static np_err req_str(ld_t *L, const np_ynode_t *m, const char *key, const char **out) {
  const np_ynode_t *v = np_ytree_get(m, key);
  if (!v || v->type != NP_Y_SCALAR || !v->s[0]) return lerr(L, m->line, "missing", "'%s' is required", key);
  *out = v->s;
  return NP_OK;
}

static np_err parse_date_node(ld_t *L, const np_ynode_t *v, const char *what, bool allow_open, int64_t *out) {
  if (!v || v->type != NP_Y_SCALAR) return lerr(L, v ? v->line : 1, "missing", "%s is required (YYYY-MM-DD%s)", what,
                                                allow_open ? " or open" : "");
  if (allow_open && strcmp(v->s, "open") == 0) {
    *out = NP_PDATE_OPEN;
    return NP_OK;
  }
  np_date_t d;
  if (np_date_parse(v->s, strlen(v->s), &d)) return lerr(L, v->line, "date", "%s: '%s' is not a date", what, v->s);
  *out = d.days;
  return NP_OK;
}

static void fmt_day(int64_t d, char *out, size_t cap) {
  if (d == NP_PDATE_OPEN) {
    snprintf(out, cap, "open");
    return;
  }
  np_date_t dt = {(int32_t)d};
  np_date_format(dt, out, cap);
}

/* ---- parameters ---- */

static int cmp_values(const void *a, const void *b) {
  const np_pparam_value_t *x = a, *y = b;
  return x->from < y->from ? -1 : x->from > y->from;
}

static np_err load_param(ld_t *L, const char *name, const np_ynode_t *m, np_pparam_t *p) {
  static const char *const keys[] = {"zh", "en", "type", "mode", "national", "admin_settable", "table", "reference",
                                     "values", "unit", NULL};
  np_err r = need_map(L, m, "a parameter");
  if (!r) r = only_keys(L, m, keys);
  if (r) return r;
  memset(p, 0, sizeof *p);
  p->name = name;
  p->file = L->file;
  p->line = m->line;
  p->zh = np_ytree_str(m, "zh");
  p->en = np_ytree_str(m, "en");
  p->unit = np_ytree_str(m, "unit");
  const char *ts = NULL;
  if ((r = req_str(L, m, "type", &ts))) return r;
  int t = np_ptype_find(ts);
  if (t < 0 || t == NP_PT_RATIO || t == NP_PT_XMONEY)
    return lerr(L, np_ytree_get(m, "type")->line, "type", "parameter %s: unknown type '%s'", name, ts);
  p->type = (np_ptype_t)t;
  const char *mode = np_ytree_str(m, "mode");
  if (!mode) return lerr(L, m->line, "missing", "parameter %s: 'mode' is required (at_date or prorated)", name);
  if (strcmp(mode, "at_date") == 0) p->mode = 0;
  else if (strcmp(mode, "prorated") == 0) p->mode = 1;
  else return lerr(L, np_ytree_get(m, "mode")->line, "mode", "parameter %s: mode must be at_date or prorated", name);
  const char *nat = np_ytree_str(m, "national");
  p->national = nat && strcmp(nat, "true") == 0;
  const char *adm = np_ytree_str(m, "admin_settable");
  p->admin_settable = p->national || (adm && strcmp(adm, "true") == 0);
  const char *table = np_ytree_str(m, "table");
  p->reference = np_ytree_str(m, "reference");
  if (table) {
    if (strcmp(table, "min_wage") != 0)
      return lerr(L, np_ytree_get(m, "table")->line, "table", "parameter %s: unknown table '%s' (min_wage)", name, table);
    if (p->type != NP_PT_MONEY) return lerr(L, m->line, "type", "parameter %s: the min_wage table gives money", name);
    if (!p->reference || !p->reference[0])
      return lerr(L, m->line, "no_reference", "parameter %s has no legal reference", name);
    if (np_ytree_get(m, "values")) return lerr(L, m->line, "table", "parameter %s: a table parameter has no values", name);
    p->table_min_wage = true;
    return NP_OK;
  }
  const np_ynode_t *vals = np_ytree_get(m, "values");
  if (!vals || vals->type != NP_Y_SEQ || vals->n == 0)
    return lerr(L, m->line, "missing", "parameter %s: 'values' (a list of dated values) is required", name);
  p->values = np_arena_calloc(L->a, vals->n, sizeof *p->values);
  if (!p->values) return np_fail(L->err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  static const char *const vkeys[] = {"from", "to", "value", "reference", "note", NULL};
  for (size_t i = 0; i < vals->n; i++) {
    const np_ynode_t *v = vals->items[i];
    if ((r = need_map(L, v, "a parameter value")) || (r = only_keys(L, v, vkeys))) return r;
    np_pparam_value_t *pv = &p->values[i];
    pv->line = v->line;
    if ((r = parse_date_node(L, np_ytree_get(v, "from"), "from", false, &pv->from))) return r;
    const np_ynode_t *to = np_ytree_get(v, "to");
    if (!to) return lerr(L, v->line, "no_end", "parameter %s: value from line %d needs an explicit end ('to: YYYY-MM-DD' or 'to: open')",
                         name, v->line);
    if ((r = parse_date_node(L, to, "to", true, &pv->to))) return r;
    if (pv->to < pv->from) return lerr(L, to->line, "date", "parameter %s: 'to' is before 'from'", name);
    const char *vs = np_ytree_str(v, "value");
    if (!vs) return lerr(L, v->line, "missing", "parameter %s: 'value' is required", name);
    if (np_pvalue_parse(p->type, vs, &pv->v))
      return lerr(L, np_ytree_get(v, "value")->line, "value", "parameter %s: '%s' is not a %s%s", name, vs,
                  np_ptype_name(p->type),
                  p->type == NP_PT_RATE ? " (write 60%)" : p->type == NP_PT_MONEY ? " (yuan, e.g. 1500 or 1500.00)" : "");
    pv->reference = np_ytree_str(v, "reference");
    if (!pv->reference || !pv->reference[0])
      return lerr(L, v->line, "no_reference", "parameter %s: the value from line %d has no legal reference", name, v->line);
  }
  p->nvalues = (int)vals->n;
  qsort(p->values, (size_t)p->nvalues, sizeof *p->values, cmp_values);
  for (int i = 1; i < p->nvalues; i++) {
    np_pparam_value_t *a = &p->values[i - 1], *b = &p->values[i];
    char d1[16], d2[16];
    fmt_day(a->to, d1, sizeof d1);
    fmt_day(b->from, d2, sizeof d2);
    if (a->to >= b->from)
      return lerr(L, b->line, "overlap", "parameter %s: value from %s overlaps the one of line %d (to %s)", name, d2, a->line, d1);
    if (a->to + 1 != b->from)
      return lerr(L, b->line, "gap", "parameter %s: gap in effective dates between %s (line %d) and %s", name, d1, a->line, d2);
  }
  return NP_OK;
}

/* ---- checking environment ---- */

static int param_find(void *ctx, const char *name, np_pparam_sig_t *sig) {
  ld_t *L = ctx;
  for (int i = 0; i < L->pkg->nparams; i++)
    if (strcmp(L->pkg->params[i].name, name) == 0) {
      sig->type = L->pkg->params[i].type;
      sig->mode = L->pkg->params[i].mode;
      sig->table_min_wage = L->pkg->params[i].table_min_wage;
      return i;
    }
  return -1;
}

static int let_find(void *ctx, const char *name) {
  ld_t *L = ctx;
  for (int i = 0; L->ver && i < L->ver->nlets; i++)
    if (strcmp(L->ver->lets[i].name, name) == 0) return i;
  return -1;
}

static np_err parse_check(ld_t *L, const np_ynode_t *n, np_pexpr_t **out);

static np_err let_type(void *ctx, int idx, np_ptype_t *type, np_errdetail_t *err) {
  ld_t *L = ctx;
  np_plet_t *lt = &L->ver->lets[idx];
  if (lt->state == 1)
    return np_fail(err, NP_ERR_INVALID, "cycle", "", "%s:%d: cyclic dependency: let '%s' depends on itself", L->file,
                   lt->line, lt->name);
  if (lt->state == 0) {
    lt->state = 1;
    np_err r = np_pexpr_parse(L->a, L->file, lt->text, lt->line, lt->col, &lt->expr, err);
    if (!r) {
      np_penv_t env = {L->pol->entity, param_find, let_find, let_type, L, L->file};
      r = np_pexpr_check(L->a, lt->expr, &env, err);
    }
    if (r) {
      /* name the chain: the innermost message stays, each let on the way adds itself */
      if (strcmp(err->code, "cycle") == 0 && strlen(err->message) + strlen(lt->name) + 8 < sizeof err->message) {
        size_t m = strlen(err->message);
        snprintf(err->message + m, sizeof err->message - m, " ← %s", lt->name);
      }
      return r;
    }
    lt->state = 2;
  }
  *type = lt->expr->type;
  return NP_OK;
}

static np_err parse_check(ld_t *L, const np_ynode_t *n, np_pexpr_t **out) {
  if (!n || n->type != NP_Y_SCALAR || !n->s[0]) return lerr(L, n ? n->line : 1, "missing", "an expression is required");
  np_err r = np_pexpr_parse(L->a, L->file, n->s, n->text_line, n->col, out, L->err);
  if (r) return r;
  np_penv_t env = {L->pol->entity, param_find, let_find, let_type, L, L->file};
  return np_pexpr_check(L->a, *out, &env, L->err);
}

static np_err expect_type(ld_t *L, const np_pexpr_t *e, np_ptype_t t, const char *what) {
  if (e->type == t) return NP_OK;
  if (e->type == NP_PT_XMONEY && t == NP_PT_MONEY)
    return np_fail(L->err, NP_ERR_INVALID, "type", "", "%s:%d:%d: %s is an exact fraction of money: round it explicitly "
                   "(round_half_up(…), round_down(…) …)", L->file, e->line, e->col, what);
  return np_fail(L->err, NP_ERR_INVALID, "type", "", "%s:%d:%d: %s must be %s, not %s", L->file, e->line, e->col, what,
                 np_ptype_name(t), np_ptype_name(e->type));
}

static void collect_params(const np_pexpr_t *e, bool *used) {
  if (!e) return;
  if (e->kind == NP_NK_PARAM) used[e->idx] = true;
  for (int i = 0; i < e->nargs; i++) collect_params(e->args[i], used);
}

/* ---- policies ---- */

static np_err load_text(ld_t *L, const np_ynode_t *m, const char **zh, const char **en, const char *what) {
  *zh = np_ytree_str(m, "zh");
  *en = np_ytree_str(m, "en");
  if (!*zh || !*en) return lerr(L, m->line, "missing", "%s needs a zh and an en message", what);
  return NP_OK;
}

static np_err load_limit(ld_t *L, const np_ynode_t *m, np_plimit_t *lim, bool cap) {
  static const char *const keys[] = {"code", "zh", "en", "per", "order", "count", "cap", NULL};
  np_err r = need_map(L, m, cap ? "a cap" : "a limit");
  if (!r) r = only_keys(L, m, keys);
  if (!r) r = req_str(L, m, "code", &lim->code);
  if (!r) r = load_text(L, m, &lim->zh, &lim->en, lim->code);
  if (r) return r;
  lim->line = m->line;
  const np_ynode_t *per = np_ytree_get(m, "per");
  if (!per || per->type != NP_Y_SEQ || per->n == 0 || per->n > 4)
    return lerr(L, m->line, "missing", "%s: 'per' is a list of 1–4 key expressions", lim->code);
  for (size_t i = 0; i < per->n; i++) {
    if ((r = parse_check(L, per->items[i], &lim->key[i]))) return r;
    np_ptype_t t = lim->key[i]->type;
    if (t != NP_PT_INT && t != NP_PT_DATE && t != NP_PT_TEXT && t != NP_PT_BOOL)
      return np_fail(L->err, NP_ERR_INVALID, "type", "", "%s:%d:%d: a key is int, date, text or bool, not %s", L->file,
                     lim->key[i]->line, lim->key[i]->col, np_ptype_name(t));
  }
  lim->nkey = (int)per->n;
  if (np_ytree_get(m, "order")) {
    if ((r = parse_check(L, np_ytree_get(m, "order"), &lim->order))) return r;
    np_ptype_t t = lim->order->type;
    if (t == NP_PT_BOOL || t == NP_PT_RATIO || t == NP_PT_XMONEY)
      return np_fail(L->err, NP_ERR_INVALID, "type", "", "%s:%d:%d: order by int, money, date or text", L->file,
                     lim->order->line, lim->order->col);
  }
  if (cap) {
    if ((r = parse_check(L, np_ytree_get(m, "cap"), &lim->cap))) return r;
    return expect_type(L, lim->cap, NP_PT_MONEY, "a cap");
  }
  if ((r = parse_check(L, np_ytree_get(m, "count"), &lim->count))) return r;
  return expect_type(L, lim->count, NP_PT_INT, "a limit's count");
}

static int cmp_versions(const void *a, const void *b) {
  const np_pversion_t *x = a, *y = b;
  return x->from < y->from ? -1 : x->from > y->from;
}

static np_err load_version(ld_t *L, np_ppolicy_t *pol, const np_ynode_t *m, np_pversion_t *v) {
  static const char *const keys[] = {"from", "to", "let", "criteria", "amount", "limits", "caps", "note", NULL};
  np_err r = need_map(L, m, "a rule version");
  if (!r) r = only_keys(L, m, keys);
  if (r) return r;
  v->line = m->line;
  if ((r = parse_date_node(L, np_ytree_get(m, "from"), "version from", false, &v->from))) return r;
  if (!np_ytree_get(m, "to")) return lerr(L, m->line, "no_end", "%s: a rule version needs an explicit end ('to: … or open')", pol->code);
  if ((r = parse_date_node(L, np_ytree_get(m, "to"), "version to", true, &v->to))) return r;
  L->ver = v;
  const np_ynode_t *lets = np_ytree_get(m, "let");
  if (lets) {
    if ((r = need_map(L, lets, "let"))) return r;
    v->lets = np_arena_calloc(L->a, lets->n ? lets->n : 1, sizeof *v->lets);
    if (!v->lets) return np_fail(L->err, NP_ERR_NOMEM, "nomem", "", "out of memory");
    for (size_t i = 0; i < lets->n; i++) {
      const np_ynode_t *k = lets->items[2 * i], *val = lets->items[2 * i + 1];
      if (val->type != NP_Y_SCALAR) return lerr(L, val->line, "yaml", "let %s: an expression is expected", k->s);
      np_plet_t *lt = &v->lets[i];
      lt->name = k->s;
      lt->text = val->s;
      lt->line = val->text_line;
      lt->col = val->col;
      if (param_find(L, k->s, &(np_pparam_sig_t){0}) >= 0 || np_policy_kind_find(k->s) >= 0 || strcmp(k->s, "as_of") == 0)
        return lerr(L, k->line, "name", "let '%s' hides a parameter, an entity or as_of", k->s);
    }
    v->nlets = (int)lets->n;
    for (int i = 0; i < v->nlets; i++) {
      np_ptype_t t;
      if ((r = let_type(L, i, &t, L->err))) return r;
    }
  }
  const np_ynode_t *crits = np_ytree_get(m, "criteria");
  if (!crits || crits->type != NP_Y_SEQ || crits->n == 0)
    return lerr(L, m->line, "missing", "%s: 'criteria' (a list) is required", pol->code);
  v->crits = np_arena_calloc(L->a, crits->n, sizeof *v->crits);
  if (!v->crits) return np_fail(L->err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  static const char *const ckeys[] = {"code", "zh", "en", "when", "observed", "threshold", "competing", NULL};
  for (size_t i = 0; i < crits->n; i++) {
    const np_ynode_t *c = crits->items[i];
    np_pcrit_t *cr = &v->crits[i];
    if ((r = need_map(L, c, "a criterion")) || (r = only_keys(L, c, ckeys)) || (r = req_str(L, c, "code", &cr->code)) ||
        (r = load_text(L, c, &cr->zh, &cr->en, cr->code)))
      return r;
    cr->line = c->line;
    for (size_t j = 0; j < i; j++)
      if (strcmp(v->crits[j].code, cr->code) == 0)
        return lerr(L, c->line, "duplicate", "criterion code '%s' is used twice (line %d)", cr->code, v->crits[j].line);
    cr->competing = np_ytree_str(c, "competing");
    if ((r = parse_check(L, np_ytree_get(c, "when"), &cr->expr))) return r;
    if ((r = expect_type(L, cr->expr, NP_PT_BOOL, "a criterion"))) return r;
    if (np_ytree_get(c, "observed") && (r = parse_check(L, np_ytree_get(c, "observed"), &cr->observed))) return r;
    if (np_ytree_get(c, "threshold") && (r = parse_check(L, np_ytree_get(c, "threshold"), &cr->threshold))) return r;
    if (!cr->observed && cr->expr->kind == NP_NK_BINARY && cr->expr->op >= NP_OP_EQ_I && cr->expr->op <= NP_OP_GE_R) {
      cr->observed = cr->expr->args[0];
      cr->threshold = cr->expr->args[1];
    }
  }
  v->ncrits = (int)crits->n;
  const np_ynode_t *am = np_ytree_get(m, "amount");
  static const char *const akeys[] = {"hit", "rules", "cap", NULL};
  if ((r = need_map(L, am, "amount")) || (r = only_keys(L, am, akeys))) return r;
  const char *hit = np_ytree_str(am, "hit");
  if (!hit) return lerr(L, am->line, "missing", "%s: amount needs a hit policy (first, unique or collect_sum)", pol->code);
  if (strcmp(hit, "first") == 0) v->hit = NP_HIT_FIRST;
  else if (strcmp(hit, "unique") == 0) v->hit = NP_HIT_UNIQUE;
  else if (strcmp(hit, "collect_sum") == 0) v->hit = NP_HIT_COLLECT_SUM;
  else return lerr(L, np_ytree_get(am, "hit")->line, "hit", "unknown hit policy '%s' (first, unique, collect_sum)", hit);
  if (np_ytree_get(am, "cap")) {
    if (v->hit != NP_HIT_COLLECT_SUM) return lerr(L, am->line, "hit", "an amount cap goes with hit: collect_sum");
    if ((r = parse_check(L, np_ytree_get(am, "cap"), &v->amount_cap)) ||
        (r = expect_type(L, v->amount_cap, NP_PT_MONEY, "the amount cap")))
      return r;
  }
  const np_ynode_t *rules = np_ytree_get(am, "rules");
  if (!rules || rules->type != NP_Y_SEQ || rules->n == 0) return lerr(L, am->line, "missing", "amount needs 'rules'");
  v->rules = np_arena_calloc(L->a, rules->n, sizeof *v->rules);
  if (!v->rules) return np_fail(L->err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  static const char *const rkeys[] = {"when", "value", "note", NULL};
  for (size_t i = 0; i < rules->n; i++) {
    const np_ynode_t *rn = rules->items[i];
    if ((r = need_map(L, rn, "an amount rule")) || (r = only_keys(L, rn, rkeys))) return r;
    v->rules[i].line = rn->line;
    if (np_ytree_get(rn, "when")) {
      if ((r = parse_check(L, np_ytree_get(rn, "when"), &v->rules[i].when)) ||
          (r = expect_type(L, v->rules[i].when, NP_PT_BOOL, "an amount rule's condition")))
        return r;
    }
    if ((r = parse_check(L, np_ytree_get(rn, "value"), &v->rules[i].value)) ||
        (r = expect_type(L, v->rules[i].value, NP_PT_MONEY, "an amount")))
      return r;
  }
  v->nrules = (int)rules->n;
  const char *secs[2] = {"limits", "caps"};
  for (int s = 0; s < 2; s++) {
    const np_ynode_t *ls = np_ytree_get(m, secs[s]);
    if (!ls) continue;
    if (ls->type != NP_Y_SEQ) return lerr(L, ls->line, "yaml", "'%s' is a list", secs[s]);
    np_plimit_t *arr = np_arena_calloc(L->a, ls->n ? ls->n : 1, sizeof *arr);
    if (!arr) return np_fail(L->err, NP_ERR_NOMEM, "nomem", "", "out of memory");
    for (size_t i = 0; i < ls->n; i++)
      if ((r = load_limit(L, ls->items[i], &arr[i], s == 1))) return r;
    if (s == 0) {
      v->limits = arr;
      v->nlimits = (int)ls->n;
    } else {
      v->caps = arr;
      v->ncaps = (int)ls->n;
    }
  }
  /* parameters the version reads */
  bool *used = calloc((size_t)L->pkg->nparams + 1, sizeof *used);
  if (!used) return np_fail(L->err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  for (int i = 0; i < v->nlets; i++) collect_params(v->lets[i].expr, used);
  for (int i = 0; i < v->ncrits; i++) {
    collect_params(v->crits[i].expr, used);
    collect_params(v->crits[i].observed, used);
    collect_params(v->crits[i].threshold, used);
  }
  for (int i = 0; i < v->nrules; i++) {
    collect_params(v->rules[i].when, used);
    collect_params(v->rules[i].value, used);
  }
  collect_params(v->amount_cap, used);
  for (int i = 0; i < v->nlimits; i++) collect_params(v->limits[i].count, used);
  for (int i = 0; i < v->ncaps; i++) collect_params(v->caps[i].cap, used);
  int nu = 0;
  for (int i = 0; i < L->pkg->nparams; i++) nu += used[i];
  v->params_used = np_arena_calloc(L->a, (size_t)nu + 1, sizeof(int));
  if (v->params_used)
    for (int i = 0; i < L->pkg->nparams; i++)
      if (used[i]) v->params_used[v->nparams_used++] = i;
  free(used);
  L->ver = NULL;
  return NP_OK;
}

static np_err load_policy(ld_t *L, const np_ynode_t *m, np_ppolicy_t *pol) {
  static const char *const keys[] = {"code", "zh", "en", "entity", "payee", "delivery", "reference", "versions", "note", NULL};
  np_err r = need_map(L, m, "policy");
  if (!r) r = only_keys(L, m, keys);
  if (!r) r = req_str(L, m, "code", &pol->code);
  if (!r) r = load_text(L, m, &pol->zh, &pol->en, "a policy");
  if (r) return r;
  pol->file = L->file;
  pol->line = m->line;
  pol->payee = np_ytree_str(m, "payee");
  pol->delivery = np_ytree_str(m, "delivery");
  pol->reference = np_ytree_str(m, "reference");
  if (!pol->reference || !pol->reference[0]) return lerr(L, m->line, "no_reference", "policy %s has no legal reference", pol->code);
  const char *ent = NULL;
  if ((r = req_str(L, m, "entity", &ent))) return r;
  int k = np_policy_kind_find(ent);
  if (k < 0 || k == NP_PK_FACT)
    return lerr(L, np_ytree_get(m, "entity")->line, "unknown_name",
                "policy %s: unknown entity '%s' (enterprise, person, spell, internship, certificate)", pol->code, ent);
  pol->entity = (np_pkind_t)k;
  L->pol = pol;
  const np_ynode_t *vs = np_ytree_get(m, "versions");
  if (!vs || vs->type != NP_Y_SEQ || vs->n == 0) return lerr(L, m->line, "missing", "policy %s: 'versions' is required", pol->code);
  pol->versions = np_arena_calloc(L->a, vs->n, sizeof *pol->versions);
  if (!pol->versions) return np_fail(L->err, NP_ERR_NOMEM, "nomem", "", "out of memory");
  for (size_t i = 0; i < vs->n; i++)
    if ((r = load_version(L, pol, vs->items[i], &pol->versions[i]))) return r;
  pol->nversions = (int)vs->n;
  qsort(pol->versions, (size_t)pol->nversions, sizeof *pol->versions, cmp_versions);
  for (int i = 1; i < pol->nversions; i++) {
    np_pversion_t *a = &pol->versions[i - 1], *b = &pol->versions[i];
    if (a->to >= b->from)
      return lerr(L, b->line, "overlap", "policy %s: rule version of line %d overlaps the one of line %d", pol->code, b->line, a->line);
    if (a->to + 1 != b->from)
      return lerr(L, b->line, "gap", "policy %s: gap in effective dates between the versions of lines %d and %d", pol->code,
                  a->line, b->line);
  }
  return NP_OK;
}

static int cmp_src(const void *a, const void *b) {
  return strcmp(((const np_psource_t *)a)->name, ((const np_psource_t *)b)->name);
}

np_err np_policy_package_load_mem(const char *name, const np_psource_t *files_in, size_t n, np_ppackage_t **out,
                                  np_errdetail_t *err) {
  np_err r = NP_OK;
  np_ppackage_t *pkg = calloc(1, sizeof *pkg);
  np_psource_t *files = calloc(n ? n : 1, sizeof *files);
  np_ynode_t **roots = calloc(n ? n : 1, sizeof *roots);
  np_buf_t hb;
  np_buf_init(&hb, (size_t)1 << 30);
  if (!pkg || !files || !roots || !(pkg->arena = np_arena_new((size_t)256 << 20))) {
    r = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
    goto out;
  }
  memcpy(files, files_in, n * sizeof *files);
  qsort(files, n, sizeof *files, cmp_src);
  pkg->name = np_arena_strdup(pkg->arena, name);
  ld_t L = {.pkg = pkg, .a = pkg->arena, .err = err};
  int nparams = 0, npol = 0;
  static const char *const fkeys[] = {"package", "parameters", "policy", "note", NULL};
  for (size_t i = 0; i < n; i++) {
    L.file = np_arena_strdup(pkg->arena, files[i].name);
    if ((r = np_buf_appendf(&hb, "%s%c%zu%c", files[i].name, 0, files[i].len, 0)) ||
        (r = np_buf_append(&hb, files[i].text, files[i].len))) {
      r = np_fail(err, r, "too_large", "", "package too large");
      goto out;
    }
    if ((r = np_ytree_parse(pkg->arena, L.file, files[i].text, files[i].len, &roots[i], err))) goto out;
    if ((r = need_map(&L, roots[i], "a package file")) || (r = only_keys(&L, roots[i], fkeys))) goto out;
    const np_ynode_t *ps = np_ytree_get(roots[i], "parameters");
    if (ps) {
      if ((r = need_map(&L, ps, "parameters"))) goto out;
      nparams += (int)ps->n;
    }
    if (np_ytree_get(roots[i], "policy")) npol++;
  }
  pkg->params = np_arena_calloc(pkg->arena, (size_t)nparams + 1, sizeof *pkg->params);
  pkg->policies = np_arena_calloc(pkg->arena, (size_t)npol + 1, sizeof *pkg->policies);
  if (!pkg->params || !pkg->policies) {
    r = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
    goto out;
  }
  for (size_t i = 0; i < n; i++) {
    L.file = np_arena_strdup(pkg->arena, files[i].name);
    const np_ynode_t *ps = np_ytree_get(roots[i], "parameters");
    for (size_t j = 0; ps && j < ps->n; j++) {
      const char *pn = ps->items[2 * j]->s;
      for (int k = 0; k < pkg->nparams; k++)
        if (strcmp(pkg->params[k].name, pn) == 0) {
          r = lerr(&L, ps->items[2 * j]->line, "duplicate", "parameter '%s' is defined twice (also %s:%d)", pn,
                   pkg->params[k].file, pkg->params[k].line);
          goto out;
        }
      if ((r = load_param(&L, pn, ps->items[2 * j + 1], &pkg->params[pkg->nparams]))) goto out;
      pkg->nparams++;
    }
  }
  for (size_t i = 0; i < n; i++) {
    L.file = np_arena_strdup(pkg->arena, files[i].name);
    const np_ynode_t *pm = np_ytree_get(roots[i], "policy");
    if (!pm) continue;
    np_ppolicy_t *pol = &pkg->policies[pkg->npolicies];
    if ((r = load_policy(&L, pm, pol))) goto out;
    for (int k = 0; k < pkg->npolicies; k++)
      if (strcmp(pkg->policies[k].code, pol->code) == 0) {
        r = lerr(&L, pm->line, "duplicate", "policy '%s' is defined twice (also %s)", pol->code, pkg->policies[k].file);
        goto out;
      }
    pkg->npolicies++;
  }
  np_crypto_sm3_hex(hb.data ? hb.data : "", hb.len, pkg->ruleset_hash);
  *out = pkg;
  pkg = NULL;
out:
  np_buf_free(&hb);
  free(files);
  free(roots);
  np_policy_package_free(pkg);
  return r;
}

typedef struct emb_ctx {
  np_psource_t files[64];
  size_t n;
  size_t prefix;
} emb_ctx_t;

static void emb_one(const np_embed_entry_t *e, void *ctx) {
  emb_ctx_t *c = ctx;
  if (c->n >= 64) return;
  c->files[c->n].name = e->name + c->prefix;
  c->files[c->n].text = (const char *)e->data;
  c->files[c->n].len = (size_t)*e->len;
  c->n++;
}

np_err np_policy_package_load_embedded(const char *name, np_ppackage_t **out, np_errdetail_t *err) {
  char prefix[128];
  snprintf(prefix, sizeof prefix, "policies/%s/", name);
  emb_ctx_t c = {.prefix = strlen(prefix)};
  np_embed_each(prefix, emb_one, &c);
  if (c.n == 0) return np_fail(err, NP_ERR_NOT_FOUND, "not_found", "package", "no policy package '%s' in this binary", name);
  return np_policy_package_load_mem(name, c.files, c.n, out, err);
}

np_err np_policy_package_load_dir(const char *dir, np_ppackage_t **out, np_errdetail_t *err) {
  DIR *d = opendir(dir);
  if (!d) return np_fail(err, NP_ERR_IO, "io", "package", "cannot open %s", dir);
  np_psource_t files[64];
  char *names[64];
  size_t n = 0;
  np_err r = NP_OK;
  struct dirent *de;
  while ((de = readdir(d)) != NULL && n < 64) {
    size_t ln = strlen(de->d_name);
    if (ln < 6 || strcmp(de->d_name + ln - 5, ".yaml") != 0) continue;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
    FILE *f = fopen(path, "rb");
    if (!f) continue;
    np_buf_t b;
    np_buf_init(&b, (size_t)8 << 20);
    char tmp[8192];
    size_t k;
    while ((k = fread(tmp, 1, sizeof tmp, f)) > 0)
      if (np_buf_append(&b, tmp, k)) {
        r = np_fail(err, NP_ERR_TOO_LARGE, "too_large", de->d_name, "%s: file too large", de->d_name);
        break;
      }
    fclose(f);
    names[n] = strdup(de->d_name);
    files[n].name = names[n];
    files[n].len = b.len;
    files[n].text = np_buf_steal(&b, NULL);
    if (!files[n].text) files[n].text = strdup("");
    n++;
    if (r) break;
  }
  closedir(d);
  if (!r) {
    const char *base = strrchr(dir, '/');
    r = np_policy_package_load_mem(base && base[1] ? base + 1 : dir, files, n, out, err);
  }
  for (size_t i = 0; i < n; i++) {
    free(names[i]);
    free((void *)(uintptr_t)files[i].text);
  }
  return r;
}

void np_policy_package_free(np_ppackage_t *p) {
  if (!p) return;
  if (atomic_fetch_sub(&p->extra_refs, 1) > 0) return; /* another holder remains */
  np_arena_free(p->arena);
  free(p);
}

np_ppackage_t *np_policy_package_ref(np_ppackage_t *p) {
  if (p) atomic_fetch_add(&p->extra_refs, 1);
  return p;
}

const np_ppolicy_t *np_policy_find(const np_ppackage_t *p, const char *code) {
  for (int i = 0; i < p->npolicies; i++)
    if (strcmp(p->policies[i].code, code) == 0) return &p->policies[i];
  return NULL;
}

const np_pversion_t *np_policy_version_at(const np_ppolicy_t *pol, int64_t day) {
  for (int i = 0; i < pol->nversions; i++)
    if (pol->versions[i].from <= day && day <= pol->versions[i].to) return &pol->versions[i];
  return NULL;
}

const np_pparam_value_t *np_policy_param_at(const np_pparam_t *p, int64_t day) {
  for (int i = 0; i < p->nvalues; i++)
    if (p->values[i].from <= day && day <= p->values[i].to) return &p->values[i];
  return NULL;
}
