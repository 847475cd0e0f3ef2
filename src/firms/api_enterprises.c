/*
 * Routes of zones, enterprises, projects and imports (docs/FIRMS.md, api/openapi.json):
 *   /api/v1/zones[/{id}]                     zone.read / zone.write
 *   /api/v1/enterprises[/{id}|/export]       enterprise.read|write|export ({id} = ent_N or a credit code)
 *   /api/v1/projects[/{id}]                  project.read / project.write
 *   /api/v1/imports…                         enterprise.import
 * Rows are always limited to the caller's scope (np_authz_scope): reads outside it answer 404,
 * writes 403 (new rows) or 404 (existing rows).
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "audit/audit.h"
#include "core/buf.h"
#include "core/ids.h"
#include "core/json.h"
#include "core/log.h"
#include "core/str.h"
#include "firms/api.h"
#include "firms/enterprises.h"
#include "firms/grid.h"
#include "firms/specialists.h"
#include "firms/import.h"
#include "firms/projects.h"
#include "firms/zones.h"
#include "http/authz.h"
#include "ref/ref.h"

#define IMPORT_MAX_BODY ((size_t)32 << 20)

/* ---- helpers ---- */


/* The reference index (built from the store on first use when the server did not set it). */
static const np_ref_t *ref_of(np_req_t *r) { return np_ref_req(r); }

static np_audit_entry_t actor_of(np_req_t *r) {
  const np_principal_t *p = np_req_principal(r);
  np_audit_entry_t a = {0};
  if (p) {
    a.user_id = p->user_id;
    a.username = p->username;
    a.role = np_role_name(p->role);
  }
  a.ip = np_req_ip(r);
  a.request_id = np_req_id(r);
  return a;
}

static bool scope_of(np_req_t *r, const char *kind, np_scope_t *s) {
  if (np_authz_scope(np_req_principal(r), kind, s) != NP_OK) {
    np_resp_error(r, 500, "internal", "", "unknown resource kind %s", kind);
    return false;
  }
  np_authz_scope_store(s, np_req_store(r)); /* a specialist's single rows: their assignments */
  return true;
}

static const char *query_get(void *ctx, const char *name) {
  return np_req_query((np_req_t *)ctx, name);
}

/* Expected version: body "version" or If-Match ("3", W/"3", 3). 0 and an answered request when missing/bad. */
static int64_t expected_version(np_req_t *r, const json_t *body) {
  int64_t v = 0;
  np_errdetail_t err = {0};
  np_json_presence p = NP_JSON_ABSENT;
  if (np_json_get_int(body, "version", 0, 1, INT64_MAX, &v, &p, &err) != NP_OK) {
    np_resp_fail(r, NP_ERR_INVALID, &err);
    return 0;
  }
  if (p == NP_JSON_PRESENT) return v;
  const char *im = np_req_header(r, "If-Match");
  if (im) {
    if (strncmp(im, "W/", 2) == 0) im += 2;
    size_t n = strlen(im);
    if (n >= 2 && im[0] == '"' && im[n - 1] == '"') im++, n -= 2;
    if (np_parse_int64(im, n, 1, INT64_MAX, &v) == NP_OK) return v;
    np_resp_error(r, 400, "format", "If-Match", "If-Match must carry the version (ETag) of the row");
    return 0;
  }
  np_resp_error(r, 422, "required", "version", "send the version you edited (field version or If-Match)");
  return 0;
}

static void set_etag(np_req_t *r, int64_t version) {
  char tag[32];
  snprintf(tag, sizeof tag, "\"%" PRId64 "\"", version);
  np_resp_header(r, "ETag", tag);
}


/* ---- zones ---- */

static void h_zones_list(np_req_t *r) {
  np_store_t *s = np_req_store(r);
  if (!s) return;
  const char *city = np_req_query(r, "city");
  if (city && (strlen(city) != 6 || strspn(city, "0123456789") != 6)) {
    np_resp_error(r, 422, "format", "city", "city must be a 6-digit city code");
    return;
  }
  json_t *items = NULL;
  np_errdetail_t err = {0};
  np_err rc = np_zone_list(s, city, &items, &err);
  if (rc) {
    np_resp_fail(r, rc, &err);
    return;
  }
  np_resp_json(r, 200, json_pack("{s:o, s:I, s:n}", "items", items, "total", (json_int_t)json_array_size(items),
                                 "next_cursor"));
}

static bool zone_id_param(np_req_t *r, int64_t *id) {
  if (np_id_parse(NP_ID_ZONE, np_req_param(r, "id"), id) != NP_OK) {
    np_resp_error(r, 404, "not_found", "", "no such zone");
    return false;
  }
  return true;
}

static void h_zone_get(np_req_t *r) {
  int64_t id;
  np_zone_t z;
  np_errdetail_t err = {0};
  np_store_t *s = np_req_store(r);
  if (!s || !zone_id_param(r, &id)) return;
  np_err rc = np_zone_get(s, id, &z, &err);
  if (rc) {
    np_resp_fail(r, rc, &err);
    return;
  }
  set_etag(r, z.version);
  np_resp_json(r, 200, np_zone_json(&z));
}

static void zone_save(np_req_t *r, bool create) {
  np_store_t *s = np_req_store(r);
  if (!s) return;
  const np_ref_t *ref = ref_of(r);
  if (!ref) return;
  json_t *body = np_req_json(r);
  if (!body) return;
  int64_t id = 0, ver = 0;
  if (!create) {
    if (!zone_id_param(r, &id)) return;
    if (!(ver = expected_version(r, body))) return;
  }
  np_audit_entry_t actor = actor_of(r);
  np_zone_t z;
  np_errdetail_t err = {0};
  np_err rc = np_zone_save(s, ref, id, ver, body, &actor, &z, &err);
  if (rc) {
    np_resp_fail(r, rc, &err);
    return;
  }
  set_etag(r, z.version);
  np_resp_json(r, create ? 201 : 200, np_zone_json(&z));
}

static void h_zone_create(np_req_t *r) { zone_save(r, true); }
static void h_zone_patch(np_req_t *r) { zone_save(r, false); }

static void h_zone_delete(np_req_t *r) {
  int64_t id;
  np_store_t *s = np_req_store(r);
  if (!s || !zone_id_param(r, &id)) return;
  np_audit_entry_t actor = actor_of(r);
  np_errdetail_t err = {0};
  np_err rc = np_zone_delete(s, id, &actor, &err);
  if (rc) {
    np_resp_fail(r, rc, &err);
    return;
  }
  np_resp_json(r, 200, json_pack("{s:b}", "deleted", 1));
}

/* ---- enterprises ---- */

static bool ent_filter(np_req_t *r, np_store_t *s, np_ent_filter_t *f) {
  memset(f, 0, sizeof *f);
  if (!scope_of(r, "enterprise", &f->scope)) return false;
  np_errdetail_t err = {0};
  np_err rc = np_ent_filter_parse(query_get, r, s, f, &err);
  if (rc) {
    np_resp_fail(r, rc, &err);
    return false;
  }
  return true;
}

static void h_ent_list(np_req_t *r) {
  np_store_t *s = np_req_store(r);
  if (!s || !ref_of(r)) return;
  np_ent_filter_t f;
  if (!ent_filter(r, s, &f)) return;
  int64_t total = 0;
  const char *next = NULL;
  np_errdetail_t err = {0};
  np_buf_t b;
  np_jw_t w;
  np_buf_init(&b, 0);
  np_jw_init(&w, &b);
  np_jw_obj(&w);
  np_jw_key(&w, "items");
  np_err rc = np_ent_list(s, &f, np_req_arena(r), &w, &total, &next, &err);
  if (rc) {
    np_resp_fail(r, rc, &err);
    goto out;
  }
  np_jw_kint(&w, "total", total);
  np_jw_kstr(&w, "next_cursor", next);
  np_jw_obj_end(&w);
  if (np_jw_finish(&w)) np_resp_error(r, 500, "internal", NULL, "cannot write the page");
  else np_resp_bytes(r, 200, "application/json; charset=utf-8", b.data, b.len);
out:
  np_buf_free(&b);
}

static void h_ent_export(np_req_t *r) {
  np_store_t *s = np_req_store(r);
  if (!s || !ref_of(r)) return;
  np_ent_filter_t f;
  if (!ent_filter(r, s, &f)) return;
  f.cursor = NULL;
  char path[512];
  if (!np_resp_tmpfile(r, "enterprises", ".xlsx", path, sizeof path)) return;
  int64_t rows = 0;
  np_errdetail_t err = {0};
  np_err rc = np_ent_export_xlsx(s, &f, path, &rows, &err);
  if (rc) {
    unlink(path);
    np_resp_fail(r, rc, &err);
    return;
  }
  char detail[512];
  const char *q = strchr(np_req_path(r), '?');
  snprintf(detail, sizeof detail, "rows=%" PRId64 " region=%.16s industry=%.8s q=%.40s%s", rows,
           f.region ? f.region : "", f.industry ? f.industry : "", f.q ? f.q : "", q ? "" : "");
  np_audit_entry_t e = {.action = "export.enterprises", .entity = "enterprise", .detail = detail};
  if ((rc = np_audit_from_req_ex(r, &e, NULL, NULL, &err))) {
    unlink(path);
    np_resp_fail(r, rc, &err);
    return;
  }
  np_resp_file(r, 200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", path, "enterprises.xlsx",
               true);
}

/* Loads the enterprise named by {id} inside the caller's scope; false after answering (404 outside). */
static bool ent_by_param(np_req_t *r, np_store_t *s, bool with_phones, np_enterprise_t *e) {
  np_scope_t scope;
  if (!scope_of(r, "enterprise", &scope)) return false;
  int64_t id = 0;
  np_errdetail_t err = {0};
  np_err rc = np_ent_resolve(s, np_req_param(r, "id"), &id, &err);
  if (!rc) rc = np_ent_load(s, id, with_phones, e, &err);
  if (!rc && !np_authz_scope_contains(&scope, e->region_code, e->id, NULL, 0))
    rc = np_fail(&err, NP_ERR_NOT_FOUND, "not_found", "", "no such enterprise");
  if (rc) {
    np_resp_fail(r, rc, &err);
    return false;
  }
  return true;
}

/* Who serves the enterprise (specialist with team, grid cell) into out; false when answered with an error. */
static bool ent_service_json(np_req_t *r, np_store_t *s, const np_enterprise_t *e, bool unmask, json_t *out) {
  np_firms_ctx_t c = {.s = s, .ref = ref_of(r), .can_unmask = unmask};
  np_errdetail_t err = {0};
  json_t *spc = NULL;
  np_err rc = np_firms_enterprise_specialist(&c, e->id, &spc, &err);
  if (rc) {
    np_resp_fail(r, rc, &err);
    return false;
  }
  json_object_set_new(out, "specialist", spc);
  np_firms_grid_cell_t cell;
  np_errdetail_clear(&err);
  rc = np_firms_grid_cell_for(s, e->region_code, &cell, &err);
  if (rc == NP_ERR_NOT_FOUND) {
    json_object_set_new(out, "grid_cell", json_null()); /* the county's grid is not set up yet */
  } else if (rc) {
    np_resp_fail(r, rc, &err);
    return false;
  } else {
    char gid[32];
    const np_region_t *reg = c.ref ? np_ref_region(c.ref, cell.region_code) : NULL;
    json_object_set_new(out, "grid_cell", json_pack("{s:s, s:s, s:s, s:o}", "id",
                                                    np_id_format(NP_ID_GRID, cell.id, gid, sizeof gid), "region_code",
                                                    cell.region_code, "level", cell.level, "name",
                                                    reg ? json_string(reg->name) : json_null()));
  }
  return true;
}

static void h_ent_get(np_req_t *r) {
  np_store_t *s = np_req_store(r);
  if (!s || !ref_of(r)) return;
  const char *um = np_req_query(r, "unmask");
  bool unmask = um && (strcmp(um, "1") == 0 || strcmp(um, "true") == 0);
  const np_principal_t *p = np_req_principal(r);
  if (unmask && !(p && p->can_unmask)) {
    np_resp_error(r, 403, "forbidden", "unmask", "you do not hold the grant to see personal data unmasked");
    return;
  }
  np_enterprise_t *e = np_arena_calloc(np_req_arena(r), 1, sizeof *e);
  if (!e) {
    np_resp_error(r, 500, "nomem", "", "out of memory");
    return;
  }
  if (!ent_by_param(r, s, unmask, e)) return;
  if (unmask) {
    char sid[32];
    np_id_format(NP_ID_ENTERPRISE, e->id, sid, sizeof sid);
    np_audit_entry_t a = {.action = "personal.unmask", .entity = "enterprise", .entity_id = sid,
                          .detail = "enterprise contacts' and specialist's phone numbers"};
    np_errdetail_t err = {0};
    np_err rc = np_audit_from_req_ex(r, &a, NULL, NULL, &err);
    if (rc) {
      np_resp_fail(r, rc, &err);
      return;
    }
  }
  set_etag(r, e->version);
  json_t *out = np_ent_json(e, unmask);
  if (out && !ent_service_json(r, s, e, unmask, out)) {
    json_decref(out);
    return;
  }
  np_resp_json(r, 200, out);
}

static void h_ent_create(np_req_t *r) {
  np_store_t *s = np_req_store(r);
  const np_ref_t *ref = s ? ref_of(r) : NULL;
  if (!ref) return;
  np_scope_t scope;
  if (!scope_of(r, "enterprise", &scope)) return;
  if (scope.kind != NP_SCOPE_ALL && scope.kind != NP_SCOPE_REGION) {
    np_resp_error(r, 403, "forbidden", NULL, "you cannot register enterprises");
    return;
  }
  json_t *body = np_req_json(r);
  if (!body) return;
  np_enterprise_t *e = np_arena_calloc(np_req_arena(r), 1, sizeof *e);
  if (!e) {
    np_resp_error(r, 500, "nomem", "", "out of memory");
    return;
  }
  np_errdetail_t err = {0};
  np_err rc = np_ent_apply(s, ref, body, true, NP_ENT_FIELDS_ALL, e, &err);
  if (!rc && !np_authz_scope_contains(&scope, e->region_code, 0, NULL, 0))
    rc = np_fail(&err, NP_ERR_FORBIDDEN, "outside_jurisdiction", "region_code", "the region is outside your jurisdiction");
  np_audit_entry_t actor = actor_of(r);
  if (!rc) rc = np_ent_insert(s, e, &actor, &err);
  if (rc) {
    np_resp_fail(r, rc, &err);
    return;
  }
  set_etag(r, e->version);
  np_resp_json(r, 201, np_ent_json(e, false));
}

static void h_ent_patch(np_req_t *r) {
  np_store_t *s = np_req_store(r);
  const np_ref_t *ref = s ? ref_of(r) : NULL;
  if (!ref) return;
  json_t *body = np_req_json(r);
  if (!body) return;
  np_enterprise_t *e = np_arena_calloc(np_req_arena(r), 2, sizeof *e);
  if (!e) {
    np_resp_error(r, 500, "nomem", "", "out of memory");
    return;
  }
  np_enterprise_t *before = e + 1;
  if (!ent_by_param(r, s, true, before)) return; /* phones in clear, server-side only: a masked one sent back keeps its number */
  int64_t ver = expected_version(r, body);
  if (!ver) return;
  *e = *before;
  np_scope_t scope;
  if (!scope_of(r, "enterprise", &scope)) return;
  const np_principal_t *p = np_req_principal(r);
  np_ent_fields fields = p && p->role == NP_ROLE_ENTERPRISE ? NP_ENT_FIELDS_SELF : NP_ENT_FIELDS_ALL;
  np_errdetail_t err = {0};
  np_err rc = np_ent_apply(s, ref, body, false, fields, e, &err);
  if (!rc && !np_authz_scope_contains(&scope, e->region_code, e->id, NULL, 0))
    rc = np_fail(&err, NP_ERR_FORBIDDEN, "outside_jurisdiction", "region_code", "the region is outside your jurisdiction");
  np_audit_entry_t actor = actor_of(r);
  if (!rc) rc = np_ent_update(s, before, e, ver, &actor, &err);
  if (rc) {
    np_resp_fail(r, rc, &err);
    return;
  }
  set_etag(r, e->version);
  np_resp_json(r, 200, np_ent_json(e, false));
}

/* ---- projects ---- */

static void h_prj_list(np_req_t *r) {
  np_store_t *s = np_req_store(r);
  if (!s || !ref_of(r)) return;
  np_prj_filter_t f = {.is_major = -1, .limit = 20};
  if (!scope_of(r, "project", &f.scope)) return;
  const char *v;
  np_errdetail_t err = {0};
  if ((v = np_req_query(r, "region")) && *v) {
    char pre[16];
    if (!np_authz_region_prefix(v, pre)) {
      np_resp_error(r, 422, "format", "region", "region must be a region code");
      return;
    }
    f.region = v;
  }
  if ((v = np_req_query(r, "stage")) && *v) f.stage = v;
  if ((v = np_req_query(r, "q")) && *v) f.q = v;
  if ((v = np_req_query(r, "is_major")) && *v) f.is_major = strcmp(v, "1") == 0 || strcmp(v, "true") == 0;
  if ((v = np_req_query(r, "enterprise")) && *v && np_ent_resolve(s, v, &f.enterprise_id, &err) != NP_OK) {
    np_resp_error(r, 422, "unknown_enterprise", "enterprise", "no such enterprise");
    return;
  }
  if ((v = np_req_query(r, "limit")) && *v) {
    int64_t l;
    if (np_parse_int64(v, strlen(v), 1, 100, &l) != NP_OK) {
      np_resp_error(r, 400, "range", "limit", "limit must be an integer from 1 to 100");
      return;
    }
    f.limit = (int)l;
  }
  if ((v = np_req_query(r, "cursor")) && *v && np_id_parse(NP_ID_PROJECT, v, &f.after_id) != NP_OK) {
    np_resp_error(r, 400, "format", "cursor", "cursor is not valid");
    return;
  }
  json_t *items = NULL;
  int64_t total = 0, next = 0;
  np_err rc = np_prj_list(s, &f, &items, &total, &next, &err);
  if (rc) {
    np_resp_fail(r, rc, &err);
    return;
  }
  char cur[32] = "";
  if (next) np_id_format(NP_ID_PROJECT, next, cur, sizeof cur);
  np_resp_json(r, 200, json_pack("{s:o, s:I, s:o}", "items", items, "total", (json_int_t)total, "next_cursor",
                                 next ? json_string(cur) : json_null()));
}

static bool prj_by_param(np_req_t *r, np_store_t *s, np_project_t *p) {
  np_scope_t scope;
  if (!scope_of(r, "project", &scope)) return false;
  int64_t id = 0;
  np_errdetail_t err = {0};
  np_err rc = np_id_parse(NP_ID_PROJECT, np_req_param(r, "id"), &id);
  if (rc) rc = np_fail(&err, NP_ERR_NOT_FOUND, "not_found", "", "no such project");
  if (!rc) rc = np_prj_load(s, id, p, &err);
  if (!rc && !np_authz_scope_contains(&scope, p->region_code, p->enterprise_id, NULL, 0))
    rc = np_fail(&err, NP_ERR_NOT_FOUND, "not_found", "", "no such project");
  if (rc) {
    np_resp_fail(r, rc, &err);
    return false;
  }
  return true;
}

static void h_prj_get(np_req_t *r) {
  np_store_t *s = np_req_store(r);
  if (!s || !ref_of(r)) return;
  np_project_t p;
  if (!prj_by_param(r, s, &p)) return;
  set_etag(r, p.version);
  np_resp_json(r, 200, np_prj_json(&p));
}

static void prj_save(np_req_t *r, bool create) {
  np_store_t *s = np_req_store(r);
  const np_ref_t *ref = s ? ref_of(r) : NULL;
  if (!ref) return;
  json_t *body = np_req_json(r);
  if (!body) return;
  np_scope_t scope;
  if (!scope_of(r, "project", &scope)) return;
  np_project_t p, before;
  memset(&p, 0, sizeof p);
  int64_t ver = 0;
  if (!create) {
    if (!prj_by_param(r, s, &before)) return;
    if (!(ver = expected_version(r, body))) return;
    p = before;
  }
  np_errdetail_t err = {0};
  np_err rc = np_prj_apply(s, ref, body, create, &p, &err);
  if (!rc && !np_authz_scope_contains(&scope, p.region_code, p.enterprise_id, NULL, 0))
    rc = np_fail(&err, NP_ERR_FORBIDDEN, "outside_jurisdiction", "region_code", "the region is outside your jurisdiction");
  np_audit_entry_t actor = actor_of(r);
  if (!rc) rc = np_prj_save(s, create ? NULL : &before, &p, ver, &actor, &err);
  if (rc) {
    np_resp_fail(r, rc, &err);
    return;
  }
  set_etag(r, p.version);
  np_resp_json(r, create ? 201 : 200, np_prj_json(&p));
}

static void h_prj_create(np_req_t *r) { prj_save(r, true); }
static void h_prj_patch(np_req_t *r) { prj_save(r, false); }

/* ---- imports ---- */

static void h_template(np_req_t *r) {
  np_store_t *s = np_req_store(r);
  if (!s) return;
  const char *fmt = np_req_query(r, "format");
  np_errdetail_t err = {0};
  if (fmt && strcmp(fmt, "csv") == 0) {
    np_buf_t b;
    np_buf_init(&b, 0);
    if (np_import_template_csv(&b) != NP_OK) {
      np_buf_free(&b);
      np_resp_error(r, 500, "nomem", "", "out of memory");
      return;
    }
    np_resp_header(r, "Content-Disposition", "attachment; filename=\"enterprises-template.csv\"");
    np_resp_bytes(r, 200, "text/csv; charset=utf-8", b.data, b.len);
    np_buf_free(&b);
    return;
  }
  if (fmt && strcmp(fmt, "xlsx") != 0) {
    np_resp_error(r, 422, "enum", "format", "format must be xlsx or csv");
    return;
  }
  char path[512];
  if (!np_resp_tmpfile(r, "template", ".xlsx", path, sizeof path)) return;
  np_err rc = np_import_template_xlsx(s, path, &err);
  if (rc) {
    unlink(path);
    np_resp_fail(r, rc, &err);
    return;
  }
  np_resp_file(r, 200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", path,
               "enterprises-template.xlsx", true);
}

static void h_import(np_req_t *r) {
  const np_principal_t *p = np_req_principal(r);
  const char *kind = np_req_query(r, "kind"), *mode_s = np_req_query(r, "mode");
  if (!kind || strcmp(kind, "enterprises") != 0) {
    np_resp_error(r, 422, "enum", "kind", "kind must be enterprises");
    return;
  }
  if (!np_authz_allows(p, "enterprise.import")) {
    np_resp_error(r, 403, "forbidden", NULL, "you are not allowed to do this");
    return;
  }
  np_import_mode mode = NP_IMPORT_ALL_OR_NOTHING;
  if (mode_s && !np_import_mode_parse(mode_s, &mode)) {
    np_resp_error(r, 422, "enum", "mode", "mode must be all_or_nothing or valid_only");
    return;
  }
  np_store_t *s = np_req_store(r);
  const np_ref_t *ref = s ? ref_of(r) : NULL;
  if (!ref) return;
  size_t len = 0;
  const char *data = np_req_body(r, &len);
  if (!data || len == 0) {
    np_resp_error(r, 422, "required", "file", "send the file as the request body");
    return;
  }
  const char *name = np_req_query(r, "file_name");
  if (name && np_utf8_count(name, strlen(name)) > 200) name = NULL;
  np_audit_entry_t actor = actor_of(r);
  np_import_opts_t o = {.mode = mode, .by_user = p ? p->user_id : 0, .file_name = name, .actor = &actor};
  if (!scope_of(r, "enterprise", &o.scope)) return;
  np_import_result_t res;
  np_errdetail_t err = {0};
  np_err rc = np_import_enterprises(s, ref, data, len, &o, &res, &err);
  if (rc) {
    np_resp_fail(r, rc, &err);
    return;
  }
  char sid[32];
  np_id_format(NP_ID_IMPORT, res.id, sid, sizeof sid);
  size_t nerr = json_array_size(res.errors);
  json_t *shown = res.errors;
  if (nerr > NP_IMPORT_RESPONSE_ERRORS) {
    shown = json_array();
    for (size_t i = 0; i < NP_IMPORT_RESPONSE_ERRORS; i++) json_array_append(shown, json_array_get(res.errors, i));
    json_decref(res.errors);
  }
  json_t *body = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:o, s:b, s:s}", "id", sid, "mode",
                           mode == NP_IMPORT_VALID_ONLY ? "valid_only" : "all_or_nothing", "rows", (json_int_t)res.rows,
                           "inserted", (json_int_t)res.inserted, "updated", (json_int_t)res.updated, "failed",
                           (json_int_t)res.failed, "errors", shown, "errors_truncated", nerr > NP_IMPORT_RESPONSE_ERRORS,
                           "charset", res.charset);
  if (mode == NP_IMPORT_ALL_OR_NOTHING && res.failed > 0) {
    json_object_set_new(body, "error",
                        json_pack("{s:s, s:s, s:s}", "code", "import_failed", "message",
                                  "some rows are invalid; nothing was imported (see errors)", "field", "file"));
    np_resp_json(r, 422, body);
    return;
  }
  np_resp_json(r, 200, body);
}

static bool import_id(np_req_t *r, int64_t *id) {
  if (np_id_parse(NP_ID_IMPORT, np_req_param(r, "id"), id) != NP_OK) {
    np_resp_error(r, 404, "not_found", "", "no such import");
    return false;
  }
  return true;
}

static void h_import_get(np_req_t *r) {
  np_store_t *s = np_req_store(r);
  int64_t id;
  if (!s || !import_id(r, &id)) return;
  const np_principal_t *p = np_req_principal(r);
  json_t *o = NULL;
  np_errdetail_t err = {0};
  np_err rc = np_import_get(s, id, p ? p->user_id : -1, &o, &err);
  if (rc) {
    np_resp_fail(r, rc, &err);
    return;
  }
  np_resp_json(r, 200, o);
}

static void h_import_errors(np_req_t *r) {
  np_store_t *s = np_req_store(r);
  int64_t id;
  if (!s || !import_id(r, &id)) return;
  const np_principal_t *p = np_req_principal(r);
  np_buf_t b;
  np_buf_init(&b, 0);
  np_errdetail_t err = {0};
  np_err rc = np_import_errors_csv(s, id, p ? p->user_id : -1, &b, &err);
  if (rc) {
    np_buf_free(&b);
    np_resp_fail(r, rc, &err);
    return;
  }
  char disp[96];
  snprintf(disp, sizeof disp, "attachment; filename=\"imp_%" PRId64 "-errors.csv\"", id);
  np_resp_header(r, "Content-Disposition", disp);
  np_resp_bytes(r, 200, "text/csv; charset=utf-8", b.data ? b.data : "", b.len);
  np_buf_free(&b);
}

/* ---- registration ---- */

void np_firms_enterprises_api_register(np_http_t *h) {
  const np_route_opts_t zr = {.action = "zone.read"}, zw = {.action = "zone.write"};
  const np_route_opts_t er = {.action = "enterprise.read"}, ew = {.action = "enterprise.write"},
                        ex = {.action = "enterprise.export"}, ei = {.action = "enterprise.import"};
  const np_route_opts_t pr = {.action = "project.read"}, pw = {.action = "project.write"};
  const np_route_opts_t up = {.action = NULL, .max_body = IMPORT_MAX_BODY};
  np_http_route(h, "GET", "/api/v1/zones", h_zones_list, &zr);
  np_http_route(h, "POST", "/api/v1/zones", h_zone_create, &zw);
  np_http_route(h, "GET", "/api/v1/zones/{id}", h_zone_get, &zr);
  np_http_route(h, "PATCH", "/api/v1/zones/{id}", h_zone_patch, &zw);
  np_http_route(h, "DELETE", "/api/v1/zones/{id}", h_zone_delete, &zw);
  np_http_route(h, "GET", "/api/v1/enterprises", h_ent_list, &er);
  np_http_route(h, "POST", "/api/v1/enterprises", h_ent_create, &ew);
  np_http_route(h, "GET", "/api/v1/enterprises/export", h_ent_export, &ex);
  np_http_route(h, "GET", "/api/v1/enterprises/{id}", h_ent_get, &er);
  np_http_route(h, "PATCH", "/api/v1/enterprises/{id}", h_ent_patch, &ew);
  np_http_route(h, "GET", "/api/v1/projects", h_prj_list, &pr);
  np_http_route(h, "POST", "/api/v1/projects", h_prj_create, &pw);
  np_http_route(h, "GET", "/api/v1/projects/{id}", h_prj_get, &pr);
  np_http_route(h, "PATCH", "/api/v1/projects/{id}", h_prj_patch, &pw);
  np_http_route(h, "GET", "/api/v1/imports/templates/enterprises", h_template, &ei);
  np_http_route(h, "POST", "/api/v1/imports", h_import, &up);
  np_http_route(h, "GET", "/api/v1/imports/{id}", h_import_get, NULL);
  np_http_route(h, "GET", "/api/v1/imports/{id}/errors", h_import_errors, NULL);
}
