/*
 * JSON on jansson: bounded parsing and typed getters that produce field-level errors.
 *
 * Parsing takes an explicit length, rejects duplicate keys, NUL characters (\u0000) and invalid UTF-8,
 * and caps size and nesting depth before jansson sees the data. Error codes in np_errdetail_t.code:
 *   "invalid_json", "duplicate_key", "too_deep", "too_large"    (np_json_parse)
 *   "required", "type", "range", "length", "format", "unknown_field" (getters; field = the key)
 * Messages never quote the input (it may carry personal data), only positions and limits.
 *
 * Getters: `flags` is a bit set of np_json_flags (passing `true` means NP_JSON_REQUIRED). A key that
 * is absent, or present with the value null, leaves *out untouched; with NP_JSON_REQUIRED both are a
 * "required" error. `presence` (may be NULL) tells PATCH handlers which of absent / null / value it was.
 * Strings handed out point into the json_t and live as long as it does.
 */
#ifndef NP_CORE_JSON_H
#define NP_CORE_JSON_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/arena.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/err.h"

#define NP_JSON_DEFAULT_MAX_BYTES ((size_t)1 << 20) /* 1 MiB */
#define NP_JSON_DEFAULT_MAX_DEPTH 32

/** What the top-level value must be. */
typedef enum np_json_top {
  NP_JSON_TOP_ANY = 0, /* object or array */
  NP_JSON_TOP_OBJECT,
  NP_JSON_TOP_ARRAY,
} np_json_top;

typedef struct np_json_limits {
  size_t max_bytes; /* 0 = NP_JSON_DEFAULT_MAX_BYTES */
  int max_depth;    /* nesting of [ and {; 0 = NP_JSON_DEFAULT_MAX_DEPTH; "[]" is depth 1 */
  np_json_top top;
} np_json_limits_t;

/** Getter flags. */
enum np_json_flags {
  NP_JSON_REQUIRED = 1u << 0,       /* absent or null → "required" */
  NP_JSON_ALLOW_NEWLINES = 1u << 1, /* strings may contain \n, \r and \t (other controls still rejected) */
};

/** Whether a key was absent, present with null, or present with a value. */
typedef enum np_json_presence {
  NP_JSON_ABSENT = 0,
  NP_JSON_NULL,
  NP_JSON_PRESENT,
} np_json_presence;

/**
 * Parses data[0..len) into *out (caller json_decref()s it). lim may be NULL (defaults, top ANY).
 * Errors: NP_ERR_TOO_LARGE ("too_large"), NP_ERR_INVALID ("invalid_json" with line/column,
 * "duplicate_key", "too_deep", or "invalid_json" for the wrong top-level type). *out is NULL on error.
 */
np_err np_json_parse(const char *data, size_t len, const np_json_limits_t *lim, json_t **out,
                     np_errdetail_t *err);

/** Absent / null / present for obj[key] (obj not an object counts as absent). */
np_json_presence np_json_presence_of(const json_t *obj, const char *key);

/**
 * String field: valid UTF-8, min_chars..max_chars code points (max 0 = no upper limit), no control
 * characters (C0, DEL, C1) except \n \r \t with NP_JSON_ALLOW_NEWLINES. Errors "type", "length", "format".
 */
np_err np_json_get_str(const json_t *obj, const char *key, unsigned flags, size_t min_chars, size_t max_chars,
                       const char **out, np_json_presence *presence, np_errdetail_t *err);

/** Integer field in [min, max]. Reals (even 1.0), strings and booleans → "type"; outside → "range". */
np_err np_json_get_int(const json_t *obj, const char *key, unsigned flags, int64_t min, int64_t max,
                       int64_t *out, np_json_presence *presence, np_errdetail_t *err);

/** Boolean field (true/false only; 0/1 and strings → "type"). */
np_err np_json_get_bool(const json_t *obj, const char *key, unsigned flags, bool *out,
                        np_json_presence *presence, np_errdetail_t *err);

/**
 * Money field in fen within [min, max]: either an integer (fen) or a string of yuan "1234.56"
 * (np_money_parse). Reals → "type", bad text → "format", outside → "range".
 */
np_err np_json_get_money(const json_t *obj, const char *key, unsigned flags, int64_t min, int64_t max,
                         int64_t *out, np_json_presence *presence, np_errdetail_t *err);

/** Date field "YYYY-MM-DD" (np_date_parse). Not a string → "type", bad date → "format". */
np_err np_json_get_date(const json_t *obj, const char *key, unsigned flags, np_date_t *out,
                        np_json_presence *presence, np_errdetail_t *err);

/**
* Array of strings: at most max_items items (0 = no limit), each a non-empty string of at most max_chars code points
 * (0 = no limit) with the same character rules as np_json_get_str. The pointer array comes from
 * `arena` (required, not NULL; *out = NULL and *count = 0 for an empty array). Item errors name the field "key[i]".
 * Too many items → "length".
 */
np_err np_json_get_str_array(const json_t *obj, const char *key, unsigned flags, size_t max_items,
                             size_t max_chars, np_arena_t *arena, const char ***out, size_t *count,
                             np_json_presence *presence, np_errdetail_t *err);

/**
 * Nested object (or array with np_json_get_array): borrowed reference. Wrong type → "type".
 */
np_err np_json_get_object(const json_t *obj, const char *key, unsigned flags, json_t **out,
                          np_json_presence *presence, np_errdetail_t *err);

/** Nested array, borrowed reference; at most max_items (0 = no limit) else "length". */
np_err np_json_get_array(const json_t *obj, const char *key, unsigned flags, size_t max_items, json_t **out,
                         np_json_presence *presence, np_errdetail_t *err);

/**
 * Rejects keys of obj not listed in `allowed` (NULL-terminated): NP_ERR_INVALID, code "unknown_field",
 * field = the first unknown key (truncated to fit). obj not an object → "type".
 */
np_err np_json_check_keys(const json_t *obj, const char *const allowed[], np_errdetail_t *err);

/** Appends compact JSON text of v (UTF-8, insertion order) to b. */
/* Flags for every JSON the system writes: compact, reals with 9 significant digits (enough for
 * micro-degree coordinates, no binary noise like 36.655369999999998). */
#define NP_JSON_DUMP_FLAGS (JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(9))

np_err np_json_dump(const json_t *v, np_buf_t *b);

/** Compact JSON text of v in the arena (NUL-terminated); *len may be NULL. NULL on OOM/over cap. */
char *np_json_dump_arena(const json_t *v, np_arena_t *a, size_t *len);

#endif
