/*
 * Streaming JSON writer into an np_buf_t: for hot list responses, where building a jansson tree of
 * every row (an allocation per value and per key) costs more than the query. Errors are sticky: write
 * everything, then check np_jw_finish() once. Output is compact, UTF-8 (validated), with the same
 * escaping as np_buf_append_json_string; keys are written as given (callers pass literals).
 */
#ifndef NP_CORE_JSONW_H
#define NP_CORE_JSONW_H
#include <stdbool.h>
#include <stdint.h>
#include "core/buf.h"
#include "core/err.h"

#define NP_JW_MAX_DEPTH 32

typedef struct np_jw {
  np_buf_t *b;
  np_err e;
  int depth;
  bool need_comma[NP_JW_MAX_DEPTH + 1];
  bool after_key;
} np_jw_t;

/** Starts writing one JSON value at the end of b. */
void np_jw_init(np_jw_t *w, np_buf_t *b);
/** NP_OK when everything was written and every object/array closed; else the first error. */
np_err np_jw_finish(const np_jw_t *w);

void np_jw_obj(np_jw_t *w);     /**< { */
void np_jw_obj_end(np_jw_t *w); /**< } */
void np_jw_arr(np_jw_t *w);     /**< [ */
void np_jw_arr_end(np_jw_t *w); /**< ] */
/** An object key (a literal or already valid UTF-8 without characters needing escapes is fastest). */
void np_jw_key(np_jw_t *w, const char *k);
/** A string value; NULL writes null. */
void np_jw_str(np_jw_t *w, const char *s);
/** A string value, or null when s is NULL or empty. */
void np_jw_str_or_null(np_jw_t *w, const char *s);
void np_jw_int(np_jw_t *w, int64_t v);
void np_jw_bool(np_jw_t *w, bool v);
void np_jw_null(np_jw_t *w);
/** A decimal number from an integer of millionths (micro-degrees): 36651234 → 36.651234, no float. */
void np_jw_e6(np_jw_t *w, int64_t v);
/** Already serialised JSON (trusted: written as is). */
void np_jw_raw(np_jw_t *w, const char *json, size_t n);

/* key + value in one call */
void np_jw_kstr(np_jw_t *w, const char *k, const char *s);
void np_jw_kstr_or_null(np_jw_t *w, const char *k, const char *s);
void np_jw_kint(np_jw_t *w, const char *k, int64_t v);
void np_jw_kbool(np_jw_t *w, const char *k, bool v);
void np_jw_knull(np_jw_t *w, const char *k);

#endif
