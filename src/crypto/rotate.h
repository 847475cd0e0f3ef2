/*
 * Key rotation: a new master-key version in the key file, and re-sealing every sealed column with it.
 * The registry below names every column that holds np_crypto_seal output (a unit test compares it with
 * the migrated schema, so a new sealed column cannot be forgotten). Blind indexes are not touched: their
 * key comes from version 1 and never rotates (docs/SECURITY-CRYPTO.md).
 */
#ifndef NP_CRYPTO_ROTATE_H
#define NP_CRYPTO_ROTATE_H
#include <stdint.h>
#include "audit/audit.h"
#include "core/err.h"
#include "crypto/crypto.h"
#include "store/store.h"

typedef struct np_sealed_col {
  const char *table, *col; /* SQL identifiers */
  const char *id, *id2;    /* the integer key: one column, or two (id2 NULL when one) */
  const char *owner;       /* the module that owns the table */
} np_sealed_col_t;

/** Every sealed column of the schema. */
extern const np_sealed_col_t np_sealed_columns[];
extern const size_t np_sealed_ncolumns;

/** Sealed values of one column by key version (by_version[0]: values that are not sealed text). */
typedef struct np_sealed_census {
  int64_t total;
  int64_t by_version[NP_CRYPTO_MAX_VERSIONS + 1];
} np_sealed_census_t;

/** Counts the values of every registered column by key version; out has np_sealed_ncolumns entries. */
np_err np_crypto_sealed_census(np_store_t *s, np_sealed_census_t *out, np_errdetail_t *err);

/**
 * Adds a fresh random key as the next version to the key file at path (which must exist and pass the
 * owner/mode checks), atomically (a private temporary file, fsync, rename, fsync of the folder); the old
 * versions stay. *new_version receives the version added.
 */
np_err np_crypto_key_file_add_version(const char *path, int *new_version, np_errdetail_t *err);

/**
 * Re-seals with the current key version (np_crypto_key_version) every registered value sealed with an
 * older one, in transactions of `batch` rows (≤ 0: 2000), each audited ("keys.reseal", with the table and
 * the count; actor names who ran it) and on the change feed (entity "sealed", id = the table). A value
 * changed meanwhile is left for the next run (the update matches the old text). Resumable: values already
 * at the current version are skipped. *resealed (may be NULL) counts what was re-sealed.
 */
np_err np_crypto_reseal(np_store_t *s, const np_audit_entry_t *actor, int batch, int64_t *resealed, np_errdetail_t *err);

#endif
