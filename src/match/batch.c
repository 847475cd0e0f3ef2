/* Organised batches: upload, allocation run, report, commit to referrals (see batch.h). */
#include "match/batch.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/ids.h"
#include "core/rows.h"
#include "core/str.h"
#include "core/valid.h"
#include "crypto/crypto.h"
#include "firms/demands.h"
#include "match/alloc.h"
#include "match/referrals.h"
#include "match/seekers.h"

enum { C_NAME, C_ID, C_OCC, C_SKILL, C_EDU, C_GROUP, C__N };
static const struct {
  const char *en, *zh;
  bool required;
} cols[C__N] = {
  {"name", "姓名", true},          {"id_number", "身份证", true}, {"occupation_codes", "工种", true},
  {"skill_level", "技能等级", false}, {"education", "学历", false}, {"group", "组", false},
};

typedef struct worker_in {
  char name[160];
  np_id_info_t id;
  char occ[NP_MATCH_MAX_OCC][24];
  int nocc;
  int skill;
  char edu[32];
  char group[96];
} worker_in_t;

static void row_error(json_t *errs, size_t row, const char *column, const char *reason) {
  if (json_array_size(errs) < 1000)
    json_array_append_new(errs, json_pack("{s:I, s:s, s:s}", "row", (json_int_t)row, "column", column, "reason", reason));
}

/* splits occupation codes on ; ； 、 | , and spaces */
static int split_codes(const char *s, char out[][24], int max, bool *too_long) {
  int n = 0;
  *too_long = false;
  while (*s) {
    while (*s == ';' || *s == '|' || *s == ',' || *s == ' ' || *s == '\t') s++;
    if (!strncmp(s, "；", 3) || !strncmp(s, "、", 3)) {
      s += 3;
      continue;
    }
    if (!*s) break;
    const char *b = s;
    while (*s && *s != ';' && *s != '|' && *s != ',' && *s != ' ' && *s != '\t' && strncmp(s, "；", 3) &&
           strncmp(s, "、", 3))
      s++;
    size_t len = (size_t)(s - b);
    if (n >= max || len >= 24) {
      *too_long = true;
      return n;
    }
    memcpy(out[n], b, len);
    out[n][len] = '\0';
    n++;
  }
  return n;
}

static void now_ts(char out[NP_TS_STRLEN]) { np_date_format_ts_utc((int64_t)time(NULL), out, NP_TS_STRLEN); }

np_err np_match_batch_create(np_store_t *s, const np_ref_t *ref, const np_audit_entry_t *actor, const char *name,
                             const char *region_code, const char *file_name, const void *data, size_t len, int64_t *id,
                             json_t **errors, np_errdetail_t *err) {
  *errors = NULL;
  const np_region_t *reg = region_code ? np_ref_region(ref, region_code) : NULL;
  if (!reg || (reg->level != NP_REGION_CITY && reg->level != NP_REGION_COUNTY && reg->level != NP_REGION_PROVINCE))
    return np_fail(err, NP_ERR_INVALID, "unknown_region", "region", "region must be a known province, city or county code");
  if (!name || !*name || np_utf8_count(name, strlen(name)) > 100)
    return np_fail(err, NP_ERR_INVALID, "length", "name", "name must have 1 to 100 characters");
  np_rows_opts_t ro = {.max_rows = NP_BATCH_MAX_WORKERS + 2, .max_cells = 64, .max_cell_bytes = 4096};
  np_rows_t *rows = NULL;
  np_err rc = np_rows_open_mem(data, len, &ro, &rows, err);
  if (rc) return rc;
  json_t *errs = json_array();
  worker_in_t *w = NULL;
  size_t nw = 0, capw = 0;
  int colidx[C__N];
  for (int c = 0; c < C__N; c++) colidx[c] = -1;
  np_row_t row;
  bool has, header = true;
  char **seen = NULL;
  while ((rc = np_rows_next(rows, &row, &has, err)) == NP_OK && has) {
    if (header) {
      header = false;
      for (size_t i = 0; i < row.ncells; i++)
        for (int c = 0; c < C__N; c++)
          if (colidx[c] < 0 && (strstr(row.cells[i], cols[c].en) || strstr(row.cells[i], cols[c].zh))) {
            /* "组" also occurs in other headers: only a header that is about the group */
            if (c == C_GROUP && !strstr(row.cells[i], "group") && strcmp(row.cells[i], "组") != 0 &&
                !strstr(row.cells[i], "组别") && !strstr(row.cells[i], "分组"))
              continue;
            colidx[c] = (int)i;
          }
      for (int c = 0; c < C__N; c++)
        if (cols[c].required && colidx[c] < 0) {
          rc = np_fail(err, NP_ERR_INVALID, "missing_column", "file", "the file has no column %s (%s)", cols[c].en, cols[c].zh);
          goto out;
        }
      continue;
    }
    bool empty = true;
    for (size_t i = 0; i < row.ncells; i++) empty = empty && row.lens[i] == 0;
    if (empty) continue;
    if (nw >= NP_BATCH_MAX_WORKERS) {
      rc = np_fail(err, NP_ERR_TOO_LARGE, "too_many_rows", "file", "at most %d workers per batch", NP_BATCH_MAX_WORKERS);
      goto out;
    }
    if (nw == capw) {
      size_t nc = capw ? capw * 2 : 256;
      worker_in_t *nwv = realloc(w, nc * sizeof *nwv);
      char **ns = nwv ? realloc(seen, nc * sizeof *ns) : NULL;
      if (nwv) w = nwv;
      if (ns) seen = ns;
      if (!nwv || !ns) {
        rc = NP_ERR_NOMEM;
        goto out;
      }
      capw = nc;
    }
    worker_in_t *x = &w[nw];
    memset(x, 0, sizeof *x);
    const char *cell[C__N];
    for (int c = 0; c < C__N; c++) cell[c] = colidx[c] >= 0 && (size_t)colidx[c] < row.ncells ? row.cells[colidx[c]] : "";
    size_t errs_before = json_array_size(errs);
    size_t nlen = strlen(cell[C_NAME]);
    if (nlen == 0 || np_utf8_count(cell[C_NAME], nlen) > 50 || nlen >= sizeof x->name)
      row_error(errs, row.line, "name", "name must have 1 to 50 characters");
    else memcpy(x->name, cell[C_NAME], nlen + 1);
    np_errdetail_t ie = {0};
    if (np_valid_id_number(cell[C_ID], strlen(cell[C_ID]), np_ref_region_known, (void *)(uintptr_t)ref, &x->id, &ie) != NP_OK) {
      char reason[128];
      snprintf(reason, sizeof reason, "invalid ID number (%s)", ie.code);
      row_error(errs, row.line, "id_number", reason);
    } else {
      for (size_t k = 0; k < nw; k++)
        if (strcmp(w[k].id.normalized, x->id.normalized) == 0) {
          row_error(errs, row.line, "id_number", "duplicate: the same person appears twice in the file");
          break;
        }
    }
    bool too_long;
    x->nocc = split_codes(cell[C_OCC], x->occ, NP_MATCH_MAX_OCC, &too_long);
    if (too_long) row_error(errs, row.line, "occupation_codes", "at most 3 occupation codes");
    else if (x->nocc == 0) row_error(errs, row.line, "occupation_codes", "at least one occupation code is required");
    for (int k = 0; k < x->nocc; k++) {
      const np_ref_item_t *it = np_ref_item(ref, NP_REF_OCCUPATIONS, x->occ[k]);
      if (!it || strcmp(it->level, "occupation") != 0) {
        row_error(errs, row.line, "occupation_codes", "unknown occupation code");
        break;
      }
    }
    if (*cell[C_SKILL]) {
      int64_t v;
      if (np_parse_int64(cell[C_SKILL], strlen(cell[C_SKILL]), 1, 8, &v) != NP_OK)
        row_error(errs, row.line, "skill_level", "skill level must be 1 to 8");
      else x->skill = (int)v;
    }
    if (*cell[C_EDU]) {
      if (!np_match_education_rank(cell[C_EDU])) row_error(errs, row.line, "education", "unknown education value");
      else snprintf(x->edu, sizeof x->edu, "%s", cell[C_EDU]);
    }
    if (strlen(cell[C_GROUP]) >= sizeof x->group) row_error(errs, row.line, "group", "group label too long");
    else snprintf(x->group, sizeof x->group, "%s", cell[C_GROUP]);
    if (json_array_size(errs) == errs_before) nw++;
  }
  if (rc) goto out;
  if (header || (nw == 0 && json_array_size(errs) == 0)) {
    rc = np_fail(err, NP_ERR_INVALID, "empty", "file", "the file has no worker rows");
    goto out;
  }
  if (json_array_size(errs)) {
    rc = np_fail(err, NP_ERR_INVALID, "rows", "file", "%zu row errors: nothing was stored", json_array_size(errs));
    *errors = errs;
    errs = NULL;
    goto out;
  }
  /* store, one transaction */
  char ts[NP_TS_STRLEN];
  now_ts(ts);
  int groups = 0;
  for (size_t i = 0; i < nw; i++) {
    if (!w[i].group[0]) continue;
    bool first = true;
    for (size_t j = 0; j < i && first; j++) first = strcmp(w[j].group, w[i].group) != 0;
    groups += first;
  }
  if ((rc = np_store_begin(s, err))) goto out;
  rc = np_store_queryf_int64(s, id, NULL, err,
                             "INSERT INTO match_batches (name, region_code, workers, groups_count, file_name, created_by, "
                             "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                             "ttiititt", name, region_code, (int64_t)nw, (int64_t)groups, file_name,
                             (int64_t)(actor ? actor->user_id : 0), ts, ts);
  for (size_t i = 0; i < nw && rc == NP_OK; i++) {
    char *sealed = NULL, index[NP_CRYPTO_SM3_HEXLEN], masked[32], birth[NP_DATE_STRLEN], occs[96] = "";
    if ((rc = np_crypto_seal(w[i].id.normalized, 18, &sealed, NULL, err))) break;
    if ((rc = np_crypto_blind_index("id_number", w[i].id.normalized, index, err))) {
      free(sealed);
      break;
    }
    np_mask_id_number(w[i].id.normalized, 18, masked, sizeof masked);
    snprintf(birth, sizeof birth, "%04d-%02d-%02d", w[i].id.year, w[i].id.month, w[i].id.day);
    for (int k = 0; k < w[i].nocc; k++) {
      size_t l = strlen(occs);
      snprintf(occs + l, sizeof occs - l, "%s%s", k ? "," : "", w[i].occ[k]);
    }
    static const char *ins = "INSERT INTO match_batch_workers (batch_id, row_no, name, id_number_sealed, id_number_index, "
                             "id_number_masked, birth_date, sex, occupation_codes, education, group_code, skill_level) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    const char *edu = w[i].edu[0] ? w[i].edu : NULL, *grp = w[i].group[0] ? w[i].group : NULL;
    if (w[i].skill)
      rc = np_store_execf(s, NULL, err, ins, "iitttttttt" "ti", *id, (int64_t)i + 1, w[i].name, sealed, index, masked,
                          birth, w[i].id.male ? "M" : "F", occs, edu, grp, (int64_t)w[i].skill);
    else
      rc = np_store_execf(s, NULL, err, ins, "iitttttttt" "tn", *id, (int64_t)i + 1, w[i].name, sealed, index, masked,
                          birth, w[i].id.male ? "M" : "F", occs, edu, grp);
    free(sealed);
  }
  char bid[32];
  np_id_format(NP_ID_BATCH, *id, bid, sizeof bid);
  if (rc == NP_OK) rc = np_store_change(s, "match_batch", bid, "insert", NULL, err);
  if (rc == NP_OK) {
    char detail[128];
    snprintf(detail, sizeof detail, "%zu workers, %d groups, region %s", nw, groups, region_code);
    rc = np_match_audit(s, actor, "batch.create", "match_batch", bid, NULL, NULL, detail, err);
  }
  if (rc == NP_OK) rc = np_store_commit(s, err);
  if (rc) np_store_rollback(s);
out:
  free(w);
  free(seen);
  json_decref(errs);
  np_rows_close(rows);
  return rc;
}

np_err np_match_batch_owner(np_store_t *s, int64_t id, char region_code[16], char status[16], np_errdetail_t *err) {
  np_stmt_t *st;
  np_err rc = np_match_row_by_id(s, "SELECT region_code, status FROM match_batches WHERE id = ?", id, "batch", &st, err);
  if (rc) return rc;
  snprintf(region_code, 16, "%s", np_store_col_text(st, 0) ? np_store_col_text(st, 0) : "");
  snprintf(status, 16, "%s", np_store_col_text(st, 1) ? np_store_col_text(st, 1) : "");
  np_store_release(st);
  return NP_OK;
}

/* region prefix of a 6-digit code: "370000" → "37", "370200" → "3702" */
static void prefix_of(const char *code, char out[16]) {
  snprintf(out, 16, "%s", code);
  size_t n = strlen(out);
  while (n >= 4 && out[n - 1] == '0' && out[n - 2] == '0') out[n -= 2] = '\0';
}

typedef struct wrow {
  int64_t row_no;
  char occ[96];
  int skill;
  char edu[32];
  char group[96];
  char birth[NP_DATE_STRLEN];
} wrow_t;

static np_err load_workers(np_store_t *s, int64_t id, wrow_t **out, size_t *n, np_errdetail_t *err) {
  *out = NULL;
  *n = 0;
  size_t cap = 0;
  np_stmt_t *st = NULL;
  np_err rc = np_store_prepare(s, "SELECT row_no, occupation_codes, skill_level, education, group_code, birth_date FROM "
                                  "match_batch_workers WHERE batch_id = ? ORDER BY row_no", &st, err);
  if (rc) return rc;
  np_store_bind_int64(st, 1, id);
  bool row;
  while ((rc = np_store_step(st, &row, err)) == NP_OK && row) {
    if (*n == cap) {
      size_t nc = cap ? cap * 2 : 256;
      wrow_t *nv = realloc(*out, nc * sizeof *nv);
      if (!nv) {
        rc = NP_ERR_NOMEM;
        break;
      }
      *out = nv;
      cap = nc;
    }
    wrow_t *x = &(*out)[(*n)++];
    memset(x, 0, sizeof *x);
    x->row_no = np_store_col_int64(st, 0);
    snprintf(x->occ, sizeof x->occ, "%s", np_store_col_text(st, 1) ? np_store_col_text(st, 1) : "");
    x->skill = (int)np_store_col_int64(st, 2);
    snprintf(x->edu, sizeof x->edu, "%s", np_store_col_text(st, 3) ? np_store_col_text(st, 3) : "");
    snprintf(x->group, sizeof x->group, "%s", np_store_col_text(st, 4) ? np_store_col_text(st, 4) : "");
    snprintf(x->birth, sizeof x->birth, "%s", np_store_col_text(st, 5) ? np_store_col_text(st, 5) : "");
  }
  np_store_release(st);
  return rc;
}

static int64_t mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

np_err np_match_batch_run(np_store_t *s, np_match_index_t *ix, const np_audit_entry_t *actor, int64_t id,
                          np_date_t today, json_t **report, np_errdetail_t *err) {
  *report = NULL;
  char region[16], status[16], prefix[16];
  np_err rc = np_match_batch_owner(s, id, region, status, err);
  if (rc) return rc;
  if (strcmp(status, "committed") == 0) return np_fail(err, NP_ERR_CONFLICT, "committed", "", "the batch is committed");
  prefix_of(region, prefix);
  wrow_t *wr = NULL;
  size_t nw = 0, nl = 0;
  np_match_demand_t *lines = NULL;
  np_alloc_worker_t *w = NULL;
  uint64_t *relbuf = NULL;
  np_alloc_result_t res = {0};
  json_t *rep = NULL;
  if ((rc = load_workers(s, id, &wr, &nw, err))) goto out;
  if ((rc = np_match_index_lines_in(ix, prefix, &lines, &nl))) goto out;
  w = calloc(nw ? nw : 1, sizeof *w);
  if (!w) {
    rc = NP_ERR_NOMEM;
    goto out;
  }
  /* groups: equal labels get equal numbers */
  for (size_t i = 0; i < nw; i++) {
    np_match_seeker_row_t r = {.id = (int64_t)i + 1, .skill_level = wr[i].skill, .edu_rank = np_match_education_rank(wr[i].edu),
                               .available_from = NP_MATCH_NO_DATE, .created = today.days, .consent = true, .status_ok = true};
    char codes[NP_MATCH_MAX_OCC][24];
    bool tl;
    r.nocc = split_codes(wr[i].occ, codes, NP_MATCH_MAX_OCC, &tl);
    for (int k = 0; k < r.nocc; k++) r.occupation_codes[k] = codes[k];
    np_date_t b;
    r.birth = np_date_parse(wr[i].birth, strlen(wr[i].birth), &b) == NP_OK ? b.days : today.days;
    if ((rc = np_match_index_make_seeker(ix, &r, &w[i].s))) goto out;
    if (wr[i].group[0]) {
      w[i].group = (int32_t)i + 1;
      for (size_t j = 0; j < i; j++)
        if (strcmp(wr[j].group, wr[i].group) == 0) {
          w[i].group = w[j].group;
          break;
        }
    }
  }
  np_match_rules_t rules;
  if ((rc = np_match_index_rules_copy(ix, &rules, &relbuf))) goto out;
  np_match_config_t cfg;
  np_match_index_config(ix, &cfg);
  np_alloc_opts_t o = {.rules = &rules, .today = today.days, .pref_list_max = cfg.pref_list_max};
  int64_t t0 = mono_ms();
  if ((rc = np_alloc_run(&o, w, nw, lines, nl, &res))) goto out;
  int64_t elapsed = mono_ms() - t0;
  /* report */
  rep = json_object();
  json_object_set_new(rep, "workers", json_integer((json_int_t)nw));
  json_object_set_new(rep, "lines", json_integer((json_int_t)nl));
  json_object_set_new(rep, "assigned", json_integer(res.assigned));
  json_object_set_new(rep, "unassigned", json_integer(res.unassigned));
  json_object_set_new(rep, "groups", json_integer(res.groups));
  json_object_set_new(rep, "groups_together", json_integer(res.groups_together));
  json_object_set_new(rep, "groups_split", json_integer(res.groups_split));
  json_object_set_new(rep, "blocking_pairs", json_integer(res.blocking_pairs));
  json_object_set_new(rep, "proposals", json_integer(res.proposals));
  json_object_set_new(rep, "elapsed_ms", json_integer(elapsed));
  json_object_set_new(rep, "pref_list_max", json_integer(o.pref_list_max));
  json_t *reasons = json_object();
  for (size_t i = 0; i < nw; i++) {
    if (res.line[i] >= 0) continue;
    char key[64];
    if (res.reason[i] == NP_ALLOC_NO_LINE)
      snprintf(key, sizeof key, "no_acceptable_line:%s", np_match_filter_name((np_match_filter)res.filter[i]));
    else snprintf(key, sizeof key, "%s", np_alloc_reason_name((np_alloc_reason)res.reason[i]));
    json_t *v = json_object_get(reasons, key);
    json_object_set_new(reasons, key, json_integer(v ? json_integer_value(v) + 1 : 1));
  }
  json_object_set_new(rep, "unassigned_reasons", reasons);
  json_t *bl = json_array();
  for (size_t l = 0; l < nl && json_array_size(bl) < 500; l++) {
    if (!res.load[l]) continue;
    char did[32];
    json_array_append_new(bl, json_pack("{s:s, s:s, s:i, s:i}", "demand_id", np_id_format(NP_ID_DEMAND, lines[l].id, did, sizeof did),
                                        "occupation_code", np_match_index_code(ix, lines[l].occ), "open_count",
                                        (json_int_t)lines[l].open_count, "assigned", (json_int_t)res.load[l]));
  }
  json_object_set_new(rep, "by_line", bl);
  char *text = json_dumps(rep, JSON_COMPACT);
  char ts[NP_TS_STRLEN];
  now_ts(ts);
  if ((rc = np_store_begin(s, err))) {
    free(text);
    goto out;
  }
  for (size_t i = 0; i < nw && rc == NP_OK; i++) {
    const char *reason = NULL;
    char rb[64];
    if (res.line[i] < 0) {
      if (res.reason[i] == NP_ALLOC_NO_LINE)
        snprintf(rb, sizeof rb, "no_acceptable_line:%s", np_match_filter_name((np_match_filter)res.filter[i]));
      else snprintf(rb, sizeof rb, "%s", np_alloc_reason_name((np_alloc_reason)res.reason[i]));
      reason = rb;
    } else if (res.split[i]) reason = "group_split";
    if (res.line[i] >= 0)
      rc = np_store_execf(s, NULL, err, "UPDATE match_batch_workers SET demand_id = ?, score = ?, reason = ? WHERE batch_id = ? AND row_no = ?",
                          "iitii", lines[res.line[i]].id, (int64_t)res.score[i], reason, id, wr[i].row_no);
    else
      rc = np_store_execf(s, NULL, err, "UPDATE match_batch_workers SET demand_id = NULL, score = NULL, reason = ? WHERE batch_id = ? AND row_no = ?",
                          "tii", reason, id, wr[i].row_no);
  }
  if (rc == NP_OK)
    rc = np_store_execf(s, NULL, err,
                        "UPDATE match_batches SET status = 'allocated', assigned = ?, unassigned = ?, blocking_pairs = ?, "
                        "report = ?, run_at = ?, updated_at = ?, version = version + 1 WHERE id = ?",
                        "iiittti", res.assigned, res.unassigned, res.blocking_pairs, text, ts, ts, id);
  free(text);
  char bid[32];
  np_id_format(NP_ID_BATCH, id, bid, sizeof bid);
  if (rc == NP_OK) rc = np_store_change(s, "match_batch", bid, "update", NULL, err);
  if (rc == NP_OK) {
    char detail[160];
    snprintf(detail, sizeof detail, "%lld assigned, %lld unassigned, %lld blocking pairs", (long long)res.assigned,
             (long long)res.unassigned, (long long)res.blocking_pairs);
    rc = np_match_audit(s, actor, "batch.run", "match_batch", bid, NULL, NULL, detail, err);
  }
  if (rc == NP_OK) rc = np_store_commit(s, err);
  if (rc) np_store_rollback(s);
  if (rc == NP_OK) {
    *report = rep;
    rep = NULL;
  }
out:
  json_decref(rep);
  np_alloc_result_free(&res);
  free(relbuf);
  free(w);
  free(lines);
  free(wr);
  return rc;
}

np_err np_match_batch_get(np_store_t *s, int64_t id, json_t **out, np_errdetail_t *err) {
  *out = NULL;
  np_stmt_t *st;
  np_err rc = np_match_row_by_id(s,
                                 "SELECT name, region_code, status, workers, groups_count, assigned, unassigned, "
                                 "blocking_pairs, report, file_name, created_at, run_at, committed_at, version "
                                 "FROM match_batches WHERE id = ?",
                                 id, "batch", &st, err);
  if (rc) return rc;
  char bid[32];
  const char *rep = np_store_col_text(st, 8);
  json_t *rj = rep ? json_loads(rep, 0, NULL) : NULL;
  json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:o, s:s?, s:s, s:s?, s:s?, s:I}", "id",
                np_id_format(NP_ID_BATCH, id, bid, sizeof bid), "name", np_store_col_text(st, 0), "region_code",
                np_store_col_text(st, 1), "status", np_store_col_text(st, 2), "worker_count",
                (json_int_t)np_store_col_int64(st, 3), "groups", (json_int_t)np_store_col_int64(st, 4), "assigned",
                (json_int_t)np_store_col_int64(st, 5), "unassigned", (json_int_t)np_store_col_int64(st, 6),
                "blocking_pairs", (json_int_t)np_store_col_int64(st, 7), "report", rj ? rj : json_null(), "file_name",
                np_store_col_text(st, 9), "created_at", np_store_col_text(st, 10), "run_at", np_store_col_text(st, 11),
                "committed_at", np_store_col_text(st, 12), "version", (json_int_t)np_store_col_int64(st, 13));
  if (!o) rc = NP_ERR_NOMEM;
  np_store_release(st);
  if (rc) return rc;
  json_t *ws = json_array();
  if ((rc = np_store_prepare(s, "SELECT row_no, name, id_number_masked, sex, occupation_codes, skill_level, education, "
                                "group_code, demand_id, score, reason, seeker_id, referral_id FROM match_batch_workers "
                                "WHERE batch_id = ? ORDER BY row_no", &st, err)))
    goto out;
  np_store_bind_int64(st, 1, id);
  bool row = false;
  while ((rc = np_store_step(st, &row, err)) == NP_OK && row) {
    char did[32] = "", sid[32] = "", rid[32] = "";
    if (!np_store_col_is_null(st, 8)) np_id_format(NP_ID_DEMAND, np_store_col_int64(st, 8), did, sizeof did);
    if (!np_store_col_is_null(st, 11)) np_id_format(NP_ID_SEEKER, np_store_col_int64(st, 11), sid, sizeof sid);
    if (!np_store_col_is_null(st, 12)) np_id_format(NP_ID_REFERRAL, np_store_col_int64(st, 12), rid, sizeof rid);
    /* masked name: the family name and one star per further character */
    const char *nm = np_store_col_text(st, 1);
    char mname[64] = "";
    if (nm && *nm) {
      uint32_t cp;
      size_t first = np_utf8_decode(nm, strlen(nm), &cp), k = first;
      size_t rest = first ? np_utf8_count(nm + first, strlen(nm) - first) : 0;
      if (first && first < sizeof mname) {
        memcpy(mname, nm, first);
        for (size_t j = 0; j < rest && k + 1 < sizeof mname; j++) mname[k++] = '*';
        mname[k] = '\0';
      }
    }
    json_array_append_new(
        ws, json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:s?, s:s?, s:s?, s:o, s:s?, s:s?, s:s?}", "row",
                      (json_int_t)np_store_col_int64(st, 0), "name", mname, "id_number", np_store_col_text(st, 2), "sex",
                      np_store_col_text(st, 3), "occupation_codes", np_store_col_text(st, 4), "skill_level",
                      np_store_col_is_null(st, 5) ? json_null() : json_integer(np_store_col_int64(st, 5)), "education",
                      np_store_col_text(st, 6), "group", np_store_col_text(st, 7), "demand_id", did[0] ? did : NULL,
                      "score", np_store_col_is_null(st, 9) ? json_null() : json_integer(np_store_col_int64(st, 9)),
                      "reason", np_store_col_text(st, 10), "seeker_id", sid[0] ? sid : NULL, "referral_id",
                      rid[0] ? rid : NULL));
  }
  np_store_release(st);
out:
  json_object_set_new(o, "workers", ws);
  if (rc) json_decref(o);
  else *out = o;
  return rc;
}

np_err np_match_batch_list(np_store_t *s, const char *prefix, int64_t limit, int64_t cursor, json_t **out,
                           np_errdetail_t *err) {
  np_stmt_t *st = NULL;
  np_err rc = np_store_prepare(s, "SELECT id, name, region_code, status, workers, assigned, unassigned, blocking_pairs, "
                                  "created_at FROM match_batches WHERE region_code LIKE ? AND (? = 0 OR id < ?) "
                                  "ORDER BY id DESC LIMIT ?", &st, err);
  if (rc) return rc;
  char like[24];
  snprintf(like, sizeof like, "%s%%", prefix ? prefix : "");
  np_store_bind_text(st, 1, like, NP_STORE_STRLEN);
  np_store_bind_int64(st, 2, cursor);
  np_store_bind_int64(st, 3, cursor);
  np_store_bind_int64(st, 4, limit + 1);
  json_t *items = json_array();
  bool row;
  int64_t last = 0, n = 0;
  bool more = false;
  while ((rc = np_store_step(st, &row, err)) == NP_OK && row) {
    if (n == limit) {
      more = true;
      break;
    }
    char bid[32];
    last = np_store_col_int64(st, 0);
    json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:s}", "id",
                                           np_id_format(NP_ID_BATCH, last, bid, sizeof bid), "name", np_store_col_text(st, 1),
                                           "region_code", np_store_col_text(st, 2), "status", np_store_col_text(st, 3),
                                           "worker_count", (json_int_t)np_store_col_int64(st, 4), "assigned",
                                           (json_int_t)np_store_col_int64(st, 5), "unassigned",
                                           (json_int_t)np_store_col_int64(st, 6), "blocking_pairs",
                                           (json_int_t)np_store_col_int64(st, 7), "created_at", np_store_col_text(st, 8)));
    n++;
  }
  np_store_release(st);
  if (rc) {
    json_decref(items);
    return rc;
  }
  *out = json_pack("{s:o, s:o}", "items", items, "next_cursor", more ? json_integer(last) : json_null());
  return NP_OK;
}

np_err np_match_batch_commit(np_store_t *s, const np_ref_t *ref, np_match_index_t *ix, const np_audit_entry_t *actor,
                             int64_t id, np_date_t today, json_t **out, np_errdetail_t *err) {
  *out = NULL;
  char region[16], status[16];
  np_err rc = np_match_batch_owner(s, id, region, status, err);
  if (rc) return rc;
  if (strcmp(status, "allocated") != 0)
    return np_fail(err, NP_ERR_CONFLICT, strcmp(status, "committed") == 0 ? "committed" : "not_allocated", "",
                   "%s", strcmp(status, "committed") == 0 ? "the batch is already committed" : "run the allocation first");
  typedef struct crow {
    int64_t row_no, demand_id;
    char *sealed, name[160], occ[96], edu[32], index[NP_CRYPTO_SM3_HEXLEN];
    int skill;
  } crow_t;
  crow_t *cr = NULL;
  size_t n = 0, cap = 0;
  np_stmt_t *st = NULL;
  json_t *failed = json_array();
  int64_t made = 0, new_seekers = 0;
  if ((rc = np_store_prepare(s, "SELECT row_no, demand_id, id_number_sealed, name, occupation_codes, education, "
                                "skill_level, id_number_index FROM match_batch_workers WHERE batch_id = ? AND demand_id "
                                "IS NOT NULL ORDER BY row_no", &st, err)))
    goto out;
  np_store_bind_int64(st, 1, id);
  bool row;
  while ((rc = np_store_step(st, &row, err)) == NP_OK && row) {
    if (n == cap) {
      size_t nc = cap ? cap * 2 : 128;
      crow_t *nv = realloc(cr, nc * sizeof *nv);
      if (!nv) {
        rc = NP_ERR_NOMEM;
        break;
      }
      cr = nv;
      cap = nc;
    }
    crow_t *x = &cr[n++];
    memset(x, 0, sizeof *x);
    x->row_no = np_store_col_int64(st, 0);
    x->demand_id = np_store_col_int64(st, 1);
    x->sealed = strdup(np_store_col_text(st, 2) ? np_store_col_text(st, 2) : "");
    snprintf(x->name, sizeof x->name, "%s", np_store_col_text(st, 3) ? np_store_col_text(st, 3) : "");
    snprintf(x->occ, sizeof x->occ, "%s", np_store_col_text(st, 4) ? np_store_col_text(st, 4) : "");
    snprintf(x->edu, sizeof x->edu, "%s", np_store_col_text(st, 5) ? np_store_col_text(st, 5) : "");
    x->skill = (int)np_store_col_int64(st, 6);
    snprintf(x->index, sizeof x->index, "%s", np_store_col_text(st, 7) ? np_store_col_text(st, 7) : "");
  }
  np_store_release(st);
  if (rc) goto out;
  if ((rc = np_store_begin(s, err))) goto out;
  for (size_t i = 0; i < n && rc == NP_OK; i++) {
    crow_t *x = &cr[i];
    np_errdetail_t e2 = {0};
    np_firms_demand_owner_t own;
    int64_t seeker_id = 0, referral_id = 0;
    bool found = false;
    np_err r2 = np_store_begin(s, &e2); /* a savepoint per worker */
    if (r2 != NP_OK) {
      rc = r2;
      *err = e2;
      break;
    }
    r2 = np_firms_demand_owner(s, x->demand_id, &own, &e2);
    if (r2 == NP_OK)
      r2 = np_store_queryf_int64(s, &seeker_id, &found, &e2, "SELECT id FROM seekers WHERE id_number_index = ?", "t", x->index);
    if (r2 == NP_OK && !found) {
      char *plain = NULL;
      size_t plen = 0;
      r2 = np_crypto_open(x->sealed, strlen(x->sealed), &plain, &plen, &e2);
      if (r2 == NP_OK) {
        json_t *occs = json_array();
        char codes[NP_MATCH_MAX_OCC][24];
        bool tl;
        int k = split_codes(x->occ, codes, NP_MATCH_MAX_OCC, &tl);
        for (int j = 0; j < k; j++) json_array_append_new(occs, json_string(codes[j]));
        json_t *body = json_pack("{s:s#, s:s, s:s, s:o, s:b}", "id_number", plain, (int)plen, "name", x->name,
                                 "region_code", own.region_code, "occupation_codes", occs, "consent", 1);
        if (x->skill) json_object_set_new(body, "skill_level", json_integer(x->skill));
        if (x->edu[0]) json_object_set_new(body, "education", json_string(x->edu));
        np_seeker_create_opts_t so = {.source = NP_SEEKER_IMPORT, .created_by = actor ? actor->user_id : 0,
                                      .audit_each = true, .today = today};
        r2 = np_match_seeker_create(s, ref, actor, body, &so, &seeker_id, NULL, &e2);
        if (r2 == NP_OK) new_seekers++;
        json_decref(body);
        np_crypto_wipe(plain, plen);
        free(plain);
      }
    }
    if (r2 == NP_OK) {
      np_match_demand_t d;
      np_match_seeker_t sk;
      json_t *expl = NULL;
      if (np_match_index_fetch_demand(ix, s, ref, x->demand_id, &d, &e2) == NP_OK &&
          np_match_index_fetch_seeker(ix, s, ref, seeker_id, &sk, &e2) == NP_OK) {
        np_match_where_t w = {.scope = NP_MSCOPE_ANY, .today = today.days};
        expl = np_match_index_explain(ix, &w, &d, &sk, NULL);
        json_object_set_new(expl, "batch", json_integer(id));
      }
      r2 = np_match_referral_create(s, ref, actor, x->demand_id, seeker_id, expl, &referral_id, NULL, &e2);
      json_decref(expl);
    }
    if (r2 == NP_OK)
      r2 = np_store_execf(s, NULL, &e2, "UPDATE match_batch_workers SET seeker_id = ?, referral_id = ? WHERE batch_id = ? AND row_no = ?",
                          "iiii", seeker_id, referral_id, id, x->row_no);
    if (r2 == NP_OK) {
      if ((rc = np_store_commit(s, err))) break; /* releases the savepoint */
      made++;
    } else {
      np_store_rollback(s); /* this worker only */
      if (r2 != NP_ERR_CONFLICT && r2 != NP_ERR_INVALID && r2 != NP_ERR_NOT_FOUND) {
        rc = r2;
        *err = e2;
        break;
      }
      json_array_append_new(failed, json_pack("{s:I, s:s, s:s}", "row", (json_int_t)x->row_no, "code", e2.code, "message", e2.message));
      char reason[96];
      snprintf(reason, sizeof reason, "commit_failed:%s", e2.code);
      rc = np_store_execf(s, NULL, err, "UPDATE match_batch_workers SET reason = ? WHERE batch_id = ? AND row_no = ?", "tii",
                          reason, id, x->row_no);
    }
  }
  char ts[NP_TS_STRLEN];
  now_ts(ts);
  if (rc == NP_OK)
    rc = np_store_execf(s, NULL, err, "UPDATE match_batches SET status = 'committed', committed_at = ?, committed_by = ?, "
                                      "updated_at = ?, version = version + 1 WHERE id = ? AND status = 'allocated'",
                        "titi", ts, (int64_t)(actor ? actor->user_id : 0), ts, id);
  char bid[32];
  np_id_format(NP_ID_BATCH, id, bid, sizeof bid);
  if (rc == NP_OK) rc = np_store_change(s, "match_batch", bid, "update", NULL, err);
  if (rc == NP_OK) {
    char detail[128];
    snprintf(detail, sizeof detail, "%lld referrals, %lld new seekers, %zu skipped", (long long)made, (long long)new_seekers,
             json_array_size(failed));
    rc = np_match_audit(s, actor, "batch.commit", "match_batch", bid, NULL, NULL, detail, err);
  }
  if (rc == NP_OK) rc = np_store_commit(s, err);
  if (rc) np_store_rollback(s);
  if (rc == NP_OK) {
    *out = json_pack("{s:I, s:I, s:O}", "referrals", (json_int_t)made, "new_seekers", (json_int_t)new_seekers, "skipped", failed);
  }
out:
  json_decref(failed);
  for (size_t i = 0; i < n; i++) free(cr[i].sealed);
  free(cr);
  return rc;
}
