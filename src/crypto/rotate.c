/* Key rotation: new key versions and re-sealing (see rotate.h). */
#include "crypto/rotate.h"
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core/str.h"

const np_sealed_col_t np_sealed_columns[] = {
  {"users", "totp_secret", "id", NULL, "auth"},
  {"users", "totp_pending", "id", NULL, "auth"},
  {"enterprise_contacts", "phone_sealed", "id", NULL, "firms"},
  {"team_members", "phone_sealed", "id", NULL, "firms"},
  {"specialists", "phone_sealed", "id", NULL, "firms"},
  {"grid_staff", "phone_sealed", "id", NULL, "firms"},
  {"seekers", "id_number_sealed", "id", NULL, "match"},
  {"seekers", "phone_sealed", "id", NULL, "match"},
  {"match_batch_workers", "id_number_sealed", "batch_id", "row_no", "match"},
};
const size_t np_sealed_ncolumns = sizeof np_sealed_columns / sizeof np_sealed_columns[0];

np_err np_crypto_sealed_census(np_store_t *s, np_sealed_census_t *out, np_errdetail_t *err) {
  np_err rc = NP_OK;
  char sql[256];
  for (size_t i = 0; i < np_sealed_ncolumns && !rc; i++) {
    const np_sealed_col_t *c = &np_sealed_columns[i];
    memset(&out[i], 0, sizeof out[i]);
    /* the version is the first byte: the first base64 characters tell it without the key */
    snprintf(sql, sizeof sql, "SELECT substr(%s, 1, 4), COUNT(*) FROM %s WHERE %s IS NOT NULL GROUP BY 1", c->col,
             c->table, c->col);
    np_stmt_t *st = NULL;
    bool has = false;
    if ((rc = np_store_prepare(s, sql, &st, err))) break;
    while ((rc = np_store_step(st, &has, err)) == NP_OK && has) {
      const char *head = np_store_col_text(st, 0);
      int64_t n = np_store_col_int64(st, 1);
      int v = np_crypto_sealed_version(head ? head : "");
      out[i].by_version[v] += n;
      out[i].total += n;
    }
    np_store_release(st);
  }
  return rc;
}

np_err np_crypto_key_file_add_version(const char *path, int *new_version, np_errdetail_t *err) {
  np_crypto_key_t keys[NP_CRYPTO_MAX_VERSIONS];
  size_t n = 0;
  np_err rc = NP_OK;
  char tmp[4096], dir[4096];
  char *text = NULL;
  int fd = -1;
  *new_version = 0;
  struct stat st;
  if (stat(path, &st) != 0)
    return np_fail(err, NP_ERR_NOT_FOUND, "key_file", "", "key file %s does not exist (rotation adds to an existing file)", path);
  if ((rc = np_crypto_load_key_file(path, keys, NP_CRYPTO_MAX_VERSIONS, &n, err))) goto out;
  int top = 0;
  for (size_t i = 0; i < n; i++)
    if (keys[i].version > top) top = keys[i].version;
  if (top >= NP_CRYPTO_MAX_VERSIONS || n >= NP_CRYPTO_MAX_VERSIONS) {
    rc = np_fail(err, NP_ERR_CONFLICT, "key_versions", "", "the key file already holds version %d, the last possible", top);
    goto out;
  }
  keys[n].version = top + 1;
  np_crypto_random(keys[n].master, sizeof keys[n].master);
  n++;
  /* the new file: a header and one "N hex" line per version */
  size_t cap = 256 + n * (8 + 2 * NP_CRYPTO_KEY_BYTES);
  text = malloc(cap);
  if (!text) {
    rc = np_fail(err, NP_ERR_NOMEM, "nomem", "", "out of memory");
    goto out;
  }
  size_t len = (size_t)snprintf(text, cap, "# nineplus master keys: one \"version hex\" line each; the highest seals new values.\n"
                                           "# Keep every version: older values and version 1 (blind indexes) need them.\n");
  for (size_t i = 0; i < n; i++) {
    char hex[2 * NP_CRYPTO_KEY_BYTES + 1];
    np_hex_encode(keys[i].master, NP_CRYPTO_KEY_BYTES, hex, sizeof hex);
    len += (size_t)snprintf(text + len, cap - len, "%d %s\n", keys[i].version, hex);
    np_crypto_wipe(hex, sizeof hex);
  }
  int w = snprintf(tmp, sizeof tmp, "%s.rotate.%ld", path, (long)getpid());
  if (w < 0 || (size_t)w >= sizeof tmp) {
    rc = np_fail(err, NP_ERR_TOO_LARGE, "key_file", "", "key file path too long");
    goto out;
  }
  (void)unlink(tmp);
  fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0 || fchmod(fd, 0600) != 0 || write(fd, text, len) != (ssize_t)len || fsync(fd) != 0) {
    rc = np_fail(err, NP_ERR_IO, "key_file", "", "cannot write %s: %s", tmp, strerror(errno));
    goto out;
  }
  close(fd);
  fd = -1;
  if (rename(tmp, path) != 0) {
    rc = np_fail(err, NP_ERR_IO, "key_file", "", "cannot replace %s: %s", path, strerror(errno));
    goto out;
  }
  np_strlcpy(dir, path, sizeof dir);
  int dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    (void)fsync(dfd);
    close(dfd);
  }
  *new_version = top + 1;
out:
  if (fd >= 0) close(fd);
  if (rc) (void)unlink(tmp);
  if (text) {
    np_crypto_wipe(text, strlen(text));
    free(text);
  }
  np_crypto_wipe(keys, sizeof keys);
  return rc;
}

/* One batch of a column after the key (after[0], after[1]): re-seals up to `batch` rows in one transaction. */
static np_err reseal_batch(np_store_t *s, const np_sealed_col_t *c, const np_audit_entry_t *actor, int batch,
                           int64_t after[2], bool *done, int64_t *count, np_errdetail_t *err) {
  char sel[384], upd[256];
  const char *k2 = c->id2 ? c->id2 : c->id; /* one key column: the second part repeats it (always equal) */
  snprintf(sel, sizeof sel,
           "SELECT %s, %s, %s FROM %s WHERE (%s > ? OR (%s = ? AND %s > ?)) AND %s IS NOT NULL ORDER BY %s, %s LIMIT ?",
           c->id, k2, c->col, c->table, c->id, c->id, k2, c->col, c->id, k2);
  snprintf(upd, sizeof upd, "UPDATE %s SET %s = ? WHERE %s = ? AND %s = ? AND %s = ?", c->table, c->col, c->id, k2, c->col);
  int current = np_crypto_key_version();
  int64_t n = 0, rows = 0;
  np_stmt_t *st = NULL, *up = NULL;
  bool has = false;
  np_err rc = np_store_begin(s, err);
  if (rc) return rc;
  if ((rc = np_store_prepare(s, sel, &st, err)) || (rc = np_store_bind_int64(st, 1, after[0])) ||
      (rc = np_store_bind_int64(st, 2, after[0])) || (rc = np_store_bind_int64(st, 3, after[1])) ||
      (rc = np_store_bind_int64(st, 4, batch)))
    goto out;
  while ((rc = np_store_step(st, &has, err)) == NP_OK && has) {
    rows++;
    int64_t id = np_store_col_int64(st, 0), id2 = np_store_col_int64(st, 1);
    const char *old = np_store_col_text(st, 2);
    after[0] = id;
    after[1] = id2;
    if (!old || np_crypto_sealed_version(old) == current) continue;
    char *plain = NULL, *fresh = NULL;
    size_t plen = 0;
    if ((rc = np_crypto_open(old, strlen(old), &plain, &plen, err))) {
      char msg[200];
      np_strlcpy(msg, err->message, sizeof msg);
      rc = np_fail(err, rc, err->code, "", "%s.%s of row %" PRId64 ": %s", c->table, c->col, id, msg);
      goto out;
    }
    rc = np_crypto_seal(plain, plen, &fresh, NULL, err);
    np_crypto_wipe(plain, plen);
    free(plain);
    if (rc) goto out;
    int64_t changed = 0;
    if ((rc = np_store_prepare(s, upd, &up, err)) == NP_OK) {
      if (!(rc = np_store_bind_text(up, 1, fresh, NP_STORE_STRLEN)) && !(rc = np_store_bind_int64(up, 2, id)) &&
          !(rc = np_store_bind_int64(up, 3, id2)) && !(rc = np_store_bind_text(up, 4, old, NP_STORE_STRLEN)))
        rc = np_store_step(up, &has, err);
      changed = rc ? 0 : np_store_changes(s);
      np_store_release(up);
      up = NULL;
      has = true; /* the select goes on */
    }
    free(fresh);
    if (rc) goto out;
    n += changed;
  }
  if (rc) goto out;
  *done = rows < batch;
  if (n > 0) {
    char detail[160];
    snprintf(detail, sizeof detail, "%s.%s: %" PRId64 " values re-sealed with key version %d", c->table, c->col, n, current);
    np_audit_entry_t a = *actor;
    a.action = "keys.reseal";
    a.entity = "sealed";
    a.entity_id = c->table;
    a.detail = detail;
    if ((rc = np_store_change(s, "sealed", c->table, "update", NULL, err)) || (rc = np_audit_record(s, &a, NULL, err)))
      goto out;
  }
out:
  np_store_release(st);
  if (rc) {
    np_store_rollback(s);
    return rc;
  }
  if ((rc = np_store_commit(s, err))) return rc;
  *count += n;
  return NP_OK;
}

np_err np_crypto_reseal(np_store_t *s, const np_audit_entry_t *actor, int batch, int64_t *resealed, np_errdetail_t *err) {
  int64_t total = 0;
  if (resealed) *resealed = 0;
  if (!np_crypto_ready()) return np_fail(err, NP_ERR_CRYPTO, "crypto_not_ready", "", "keys are not loaded");
  if (batch <= 0) batch = 2000;
  for (size_t i = 0; i < np_sealed_ncolumns; i++) {
    int64_t after[2] = {INT64_MIN, INT64_MIN};
    bool done = false;
    while (!done) {
      np_err rc = reseal_batch(s, &np_sealed_columns[i], actor, batch, after, &done, &total, err);
      if (rc) return rc;
    }
  }
  if (resealed) *resealed = total;
  return NP_OK;
}
